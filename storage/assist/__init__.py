"""The assist domain's storage: models, repository, lifecycle and queries."""

from storage.assist.repo import *  # noqa: F401,F403
