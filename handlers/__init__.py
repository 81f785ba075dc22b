"""One package per domain (``handlers/<domain>/``), each exporting ``feature``.

Which domains exist and their order of precedence live in ``bot/registry.py``.
"""
