"""Google's retry advice: the ``RetryInfo`` delay in a ``google.rpc.Status`` error body."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from pickup.errors import ProviderError
from pickup.providers.base import ShotRequest
from pickup.providers.google import retry_delay
from pickup.providers.registry import get_provider
from tests.providers.fakes import KEY, VeoFake


def _status(*details: dict) -> dict:
    return {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
                      "message": "Quota exceeded for metric: predict_long_running_requests",
                      "details": list(details)}}


_RETRY = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "38s"}
_QUOTA = {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
          "violations": [{"quotaMetric": "generativelanguage.googleapis.com/requests"}]}


@pytest.mark.parametrize(("body", "expected"), [
    (_status(_QUOTA, _RETRY), 38.0),
    (_status({"@type": _RETRY["@type"], "retryDelay": "0.250s"}), 0.25),
    (_status({"@type": _RETRY["@type"], "retryDelay": {"seconds": "2", "nanos": 500000000}}),
     2.5),
    ([_status(_RETRY)], 38.0),
    (_status(_QUOTA), None),
    (_status({"@type": _RETRY["@type"], "retryDelay": "soon"}), None),
    ({"error": "plain"}, None),
    ("not json", None),
])
def test_retry_delay(body: object, expected: float | None) -> None:
    assert retry_delay(body) == expected


def test_veo_429_carries_the_retry_info_delay(video_bytes: bytes, tmp_path: Path) -> None:
    req = ShotRequest(slot_id="s", prompt="p", kind=None, frames=48, rate=Fraction(24),
                      width=1280, height=720)
    with VeoFake(video_bytes) as fake:
        provider = get_provider("veo", api_key=KEY, base_url=fake.base_url)
        fake.inject("submit", 429, _status(_QUOTA, _RETRY))
        with pytest.raises(ProviderError) as info:
            provider.submit(req, tmp_path)
        assert info.value.retryable and info.value.retry_after_s == 38.0
        # a Retry-After header, when the server sends one, wins
        fake.inject("submit", 503, _status(_RETRY), headers={"Retry-After": "3"})
        with pytest.raises(ProviderError) as info:
            provider.submit(req, tmp_path)
        assert info.value.retry_after_s == 3.0
