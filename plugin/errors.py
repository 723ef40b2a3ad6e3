"""The one exception hierarchy of Pickup.

Every error a user can meet says what was wrong, where (file, element, slot,
provider) and what to do.  ``exit_code`` is what the CLI exits with: 2 for bad
input the user can fix, 1 for failures (I/O, providers, cancelled work).
"""

from __future__ import annotations

__all__ = [
    "BudgetError",
    "CancelledError",
    "ConfigError",
    "InputError",
    "MediaError",
    "PickupError",
    "ProviderError",
    "SlotError",
    "TimelineError",
    "WriteError",
]


class PickupError(Exception):
    """Base class: a message for a person, where it happened, and what to do."""

    exit_code: int = 1

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class InputError(PickupError):
    """Bad input the user can fix: exit code 2."""

    exit_code = 2


class TimelineError(InputError):
    """A timeline file that cannot be read or does not hold what Pickup needs."""


class SlotError(InputError):
    """A slot that does not exist, or no longer is what it was when scanned."""


class MediaError(InputError):
    """Media that cannot be read, is truncated, or holds no video."""


class ConfigError(InputError):
    """A setting, option or provider configuration that is wrong or missing."""


class BudgetError(InputError):
    """Work that would pass the budget the user set."""


class WriteError(PickupError):
    """Writing an output failed (permissions, full disk): exit code 1, input untouched."""


class CancelledError(PickupError):
    """Work was cancelled by the user."""


class ProviderError(PickupError):
    """A generation provider failed.

    ``retryable`` tells the engine it may try again (connection errors, 429, 5xx);
    ``moderated`` marks a content-policy rejection, which is final.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        where: str | None = None,
        hint: str | None = None,
        retryable: bool = False,
        moderated: bool = False,
        code: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message, where=where or f"provider {provider}", hint=hint)
        self.provider = provider
        self.retryable = retryable
        self.moderated = moderated
        self.code = code
        self.retry_after_s = retry_after_s
