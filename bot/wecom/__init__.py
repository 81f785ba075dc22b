"""WeCom protocol pieces: callback crypto, API client, access token."""
