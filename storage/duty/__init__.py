"""The duty domain's storage: models, repository, lifecycle and queries."""

from storage.duty.repo import *  # noqa: F401,F403
