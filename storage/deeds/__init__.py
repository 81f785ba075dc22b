"""The deeds domain's storage: models, repository, lifecycle and queries."""

from storage.deeds.repo import *  # noqa: F401,F403
