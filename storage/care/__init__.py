"""The care domain's storage: models, repository, lifecycle and queries."""

from storage.care.repo import *  # noqa: F401,F403
