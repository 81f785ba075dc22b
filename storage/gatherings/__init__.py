"""The gatherings domain's storage: models, repository, lifecycle and queries."""

from storage.gatherings.repo import *  # noqa: F401,F403
