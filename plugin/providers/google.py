"""What Google APIs say in their error bodies (``google.rpc.Status``): the ``RetryInfo``
delay.

A Google error answer carries ``{"error": {"code", "message", "status", "details": [...]}}``;
a ``details`` item whose ``@type`` is ``type.googleapis.com/google.rpc.RetryInfo`` holds
``retryDelay`` as a protobuf ``Duration`` in JSON (``"38s"``, ``"0.250s"``), the server's
advice on when to try again (quota and rate-limit errors carry it).
"""

from __future__ import annotations

import re
from typing import Any

import requests

__all__ = ["classify_google_error", "retry_delay"]

_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def retry_delay(body: Any) -> float | None:
    """Seconds from the first ``RetryInfo.retryDelay`` in a Google error body, if any."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(body, list) and body:  # some endpoints wrap the status in a list
        error = body[0].get("error") if isinstance(body[0], dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    for item in details if isinstance(details, list) else ():
        if not isinstance(item, dict) or item.get("@type") != _RETRY_INFO:
            continue
        delay = item.get("retryDelay")
        if isinstance(delay, dict):  # {"seconds": "38", "nanos": 0} (proto form)
            try:
                return float(delay.get("seconds", 0)) + float(delay.get("nanos", 0)) / 1e9
            except (TypeError, ValueError):
                return None
        match = _DURATION.match(str(delay or ""))
        if match:
            return float(match.group(1))
    return None


def classify_google_error(response: requests.Response) -> dict[str, Any]:
    """Overrides for :meth:`HttpClient.status_error`: the ``RetryInfo`` delay."""
    try:
        body = response.json()
    except ValueError:
        return {}
    delay = retry_delay(body)
    return {"retry_after_s": delay} if delay is not None else {}
