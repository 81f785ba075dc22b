"""The talent domain's storage: models, repository, lifecycle and queries."""

from storage.talent.repo import *  # noqa: F401,F403
