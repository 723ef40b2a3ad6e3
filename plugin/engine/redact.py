"""Keep secrets out of every string the engine stores, logs or shows.

Any environment variable whose name says it holds a secret (KEY, TOKEN, SECRET,
PASSWORD, AUTH) and whose value is long enough to be one is masked as ``***``,
wherever it appears: error messages, job handles, journal rows, events.
"""

from __future__ import annotations

import os
import re

__all__ = ["add_secret", "redact", "secret_values"]

_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|AUTH|CREDENTIAL)", re.IGNORECASE)
_MIN_LEN = 8
_extra: set[str] = set()


def secret_values() -> list[str]:
    """Secret-looking values from the environment, plus any registered by a provider."""
    found = {v for k, v in os.environ.items() if _NAME.search(k) and len(v) >= _MIN_LEN}
    return sorted(found | _extra, key=len, reverse=True)


def add_secret(value: str) -> None:
    """Mask ``value`` from now on (for keys read from the OS keyring)."""
    if len(value) >= _MIN_LEN:
        _extra.add(value)


def redact(text: str | None) -> str | None:
    """``text`` with every known secret replaced by ``***``."""
    if not text:
        return text
    for value in secret_values():
        if value in text:
            text = text.replace(value, "***")
    return text
