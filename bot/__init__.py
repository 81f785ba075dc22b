"""四精助手: the WeCom app, its transport and its command line."""
