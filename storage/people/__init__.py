"""The people domain's storage: models, repository, lifecycle and queries."""

from storage.people.repo import *  # noqa: F401,F403
