"""The surveys domain's storage: models, repository, lifecycle and queries."""

from storage.surveys.repo import *  # noqa: F401,F403
