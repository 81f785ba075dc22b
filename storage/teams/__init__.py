"""The teams domain's storage: models, repository, lifecycle and queries."""

from storage.teams.repo import *  # noqa: F401,F403
