"""Errors the user may see. Each carries a locale key and values, so pages and
the CLI show it in the user's language with `i18n.t(error.key, lang, **error.values)`."""

from __future__ import annotations


class EstimatorError(Exception):
    """Base of every user-facing error; `key` is the full locale key of its message."""

    def __init__(self, key: str, detail: str = "", **values: object) -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail
        self.values = values


class NotFoundError(EstimatorError):
    """A project, version or proposal that does not exist (or no longer does)."""


class StaleWriteError(EstimatorError):
    """Someone else saved the project since this page read it; nothing was written."""


class InvalidInputError(EstimatorError):
    """Input the user typed or uploaded that cannot be accepted as it is."""


class AdjustmentError(EstimatorError):
    """An adjustment operation that does not fit the version it is applied to."""


class EngineError(EstimatorError):
    """An engine could not produce a usable answer; nothing stored changed."""


class LimitExceededError(EstimatorError):
    """A cost cap or rate limit refused a model call before it was made."""


class DatabaseUnavailableError(EstimatorError):
    """The configured database cannot be opened (nobody listens, wrong credentials, unreadable file)."""
