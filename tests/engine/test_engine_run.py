"""The engine in-process: concurrency bound, retries, idempotent creates, moderation,
cache, budget, cancellation and events, against the fake provider."""

from __future__ import annotations

import random
import threading
from fractions import Fraction
from pathlib import Path

import pytest

from pickup.config import Config
from pickup.engine import Engine, EngineOptions, JobEvent, Journal, OutputSpec, RetryPolicy, Shot
from pickup.engine.retry import Clock
from pickup.errors import ProviderError
from pickup.media.probe import probe
from pickup.project import Project
from pickup.providers.base import ShotRequest
from tests.engine.fakeprov import FakeProvider


class FakeClock(Clock):
    """Records every sleep and returns at once."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return float(sum(self.sleeps))

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        self.sleeps.append(seconds)
        return cancel.is_set()


def _shot(slot: str, frames: int = 6, prompt: str = "a farmhouse", takes: int = 1) -> Shot:
    rate = Fraction(24)
    req = ShotRequest(slot_id=slot, prompt=prompt, kind="establishing", frames=frames,
                      rate=rate, width=64, height=36)
    return Shot(req, OutputSpec(frames=frames, rate=rate, width=64, height=36,
                                profile="prores_hq"), takes=takes)


def _engine(tmp_path: Path, provider: FakeProvider, **opts: object) -> Engine:
    options = EngineOptions(config=Config(), poll_interval_s=0.01,
                            rng=random.Random(1), **opts)  # type: ignore[arg-type]
    return Engine(Project(tmp_path / "proj"), provider, options)


def test_concurrency_is_bounded_and_used(tmp_path: Path) -> None:
    provider = FakeProvider(tmp_path / "server", latency_s=0.15)
    engine = _engine(tmp_path, provider, concurrency=3)
    results = engine.run([_shot(f"V1-0100{n:04d}") for n in range(8)])
    assert [r.state for r in results] == ["conformed"] * 8
    assert provider.max_in_flight == 3  # never more than 3, and the bound was reached
    assert provider.submits == 8
    for r in results:
        assert r.media is not None and probe(r.media).frames == 6


def test_retry_honours_retry_after_and_creates_once(tmp_path: Path) -> None:
    busy = ProviderError("429 too many requests", provider="fake", retryable=True,
                         code="429", retry_after_s=7.0)
    provider = FakeProvider(tmp_path / "server", latency_s=0.0,
                            faults=[("submit", busy, False), ("submit", busy, False),
                                    ("poll", ProviderError("502", provider="fake",
                                                           retryable=True, code="502"), False)])
    clock = FakeClock()
    engine = _engine(tmp_path, provider, clock=clock,
                     retry=RetryPolicy(max_retries=4, base_s=2.0, cap_s=30.0))
    events: list[JobEvent] = []
    [result] = engine.run([_shot("V1-01000000")], on_event=events.append)
    assert result.ok
    assert provider.submits == 1
    # two waits of at least Retry-After (7 s, with < 1 s jitter), then one backoff of
    # base 2 s * [0.5, 1.0] for the 502 on poll
    assert 7.0 <= clock.sleeps[0] < 8.0 and 7.0 <= clock.sleeps[1] < 8.0
    assert 1.0 <= clock.sleeps[2] <= 2.0
    assert provider.find_calls == 0  # a 429 is not ambiguous: nothing was created
    retrying = [e for e in events if e.state == "retrying"]
    assert len(retrying) == 3 and "retrying in 7." in retrying[0].message


def test_ambiguous_create_failure_checks_before_creating_again(tmp_path: Path) -> None:
    timeout = ProviderError("connection reset", provider="fake", retryable=True)
    provider = FakeProvider(tmp_path / "server", latency_s=0.0,
                            faults=[("submit", timeout, True)])  # created, then failed
    engine = _engine(tmp_path, provider, clock=FakeClock())
    [result] = engine.run([_shot("V1-01000000")])
    assert result.ok
    assert provider.find_calls == 1
    assert provider.submits == 1  # adopted the job the failed call created


def test_backoff_grows_exponentially_without_retry_after() -> None:
    policy = RetryPolicy(base_s=1.0, cap_s=10.0)
    rng = random.Random(3)
    delays = [policy.delay(n, None, rng) for n in range(6)]
    for n, d in enumerate(delays):
        ceiling = min(10.0, 2.0 ** n)
        assert ceiling * 0.5 <= d <= ceiling


def test_moderation_is_terminal_and_reported_in_plain_words(tmp_path: Path) -> None:
    provider = FakeProvider(tmp_path / "server", latency_s=0.0)
    clock = FakeClock()
    engine = _engine(tmp_path, provider, clock=clock)
    good, bad = engine.run([_shot("V1-01000000"),
                            _shot("V1-01000100", prompt="FORBIDDEN thing")])
    assert good.ok
    assert bad.state == "failed" and bad.error_kind == "moderated"
    assert "content-policy" in (bad.error or "") and "reword the prompt" in (bad.error or "")
    assert provider.submits == 1 and clock.sleeps == []  # never retried
    row = engine.journal.get(bad.job_id or 0)
    assert row.state == "failed" and row.error_kind == "moderated"


def test_cache_hit_and_force(tmp_path: Path) -> None:
    provider = FakeProvider(tmp_path / "server", latency_s=0.0)
    engine = _engine(tmp_path, provider)
    first = engine.run([_shot("V1-01000000", takes=2)])
    assert provider.submits == 2 and [r.take for r in first] == [1, 2]
    again = engine.run([_shot("V1-01000000", takes=2)])
    assert provider.submits == 2
    assert all(r.cached and r.ok for r in again)
    assert [r.media for r in again] == [r.media for r in first]
    forced = _engine(tmp_path, provider, force=True).run([_shot("V1-01000000")])
    assert provider.submits == 3 and forced[0].take == 3 and not forced[0].cached
    fresh = _engine(tmp_path, provider, new_seed=True).run([_shot("V1-01000000")])
    assert provider.submits == 4 and fresh[0].take == 4


def test_budget_refuses_jobs_that_would_pass_it(tmp_path: Path) -> None:
    provider = FakeProvider(tmp_path / "server", latency_s=0.0, price_per_second=1.0)
    engine = _engine(tmp_path, provider, budget=0.6, concurrency=1)
    # each take is 6 frames at 24 fps = 0.25 s = $0.25: two fit in $0.60, the third not
    results = engine.run([_shot(f"V1-0100{n:04d}") for n in range(3)])
    assert [r.state for r in results] == ["conformed", "conformed", "refused"]
    assert results[2].error_kind == "budget" and "$0.60" in (results[2].error or "")
    assert provider.submits == 2
    rows = engine.journal.all()
    assert len(rows) == 2 and all(r.cost == 0.25 for r in rows)


def test_cancel_stops_running_jobs_and_journal_stays_consistent(tmp_path: Path) -> None:
    provider = FakeProvider(tmp_path / "server", latency_s=30.0)
    engine = _engine(tmp_path, provider, concurrency=2)
    cancel = threading.Event()

    def on_event(event: JobEvent) -> None:
        if event.state == "running":
            cancel.set()

    results = engine.run([_shot("V1-01000000"), _shot("V1-01000100"), _shot("V1-01000200")],
                         on_event=on_event, cancel=cancel)
    assert all(r.state == "cancelled" for r in results)
    assert len(provider.cancelled) == provider.submits >= 1
    states = {row.state for row in Journal(engine.project.journal_path).all()}
    assert states == {"cancelled"}


def test_events_are_typed_and_ordered(tmp_path: Path) -> None:
    provider = FakeProvider(tmp_path / "server", latency_s=0.05)
    engine = _engine(tmp_path, provider)
    events: list[JobEvent] = []
    engine.run([_shot("V1-01000000")], on_event=events.append)
    states = [e.state for e in events]
    for expected in ("planned", "submitting", "submitted", "succeeded", "fetched", "conformed"):
        assert expected in states
    assert states.index("submitted") < states.index("fetched") < states.index("conformed")
    assert all(isinstance(e, JobEvent) and e.slot_id == "V1-01000000" for e in events)


def test_journal_rows_carry_the_one_state_enum(tmp_path: Path) -> None:
    import dataclasses
    import json

    from pickup.engine.states import JobState

    provider = FakeProvider(tmp_path / "server", latency_s=0.05)
    engine = _engine(tmp_path, provider)
    (result,) = engine.run([_shot("V1-01000000")])
    (row,) = Journal(engine.project.journal_path).all()
    assert type(row.state) is JobState and row.state is JobState.CONFORMED
    assert row.state == result.state == "conformed" and not row.unfinished
    assert json.dumps({"state": row.state}) == '{"state": "conformed"}'
    assert f"{row.state}" == str(row.state) == "conformed"
    assert dataclasses.replace(row, state="placed").state is JobState.PLACED
    with pytest.raises(ValueError):
        dataclasses.replace(row, state="done")


def test_plan_writes_nothing(tmp_path: Path) -> None:
    provider = FakeProvider(tmp_path / "server", latency_s=0.0, durations_s=(1.0,))
    engine = _engine(tmp_path, provider)
    plan = engine.plan([_shot("V1-01000000", takes=2)])
    assert [j.action for j in plan.jobs] == ["new", "new"]
    assert plan.jobs[0].request.seed != plan.jobs[1].request.seed
    assert plan.jobs[0].request.frames == 24  # rounded up to the 1 s the model makes
    assert plan.cost == pytest.approx(0.2)
    assert not (tmp_path / "proj").exists() and provider.submits == 0


def test_validation_codes_from_the_http_layer_are_final() -> None:
    from pickup.engine.scheduler import _is_validation

    assert _is_validation("http_422") and _is_validation("http_400")
    assert _is_validation("validation")
    assert not _is_validation("http_500") and not _is_validation(None)


def test_expired_download_link_polls_for_a_fresh_one(tmp_path: Path) -> None:
    expired = ProviderError("the output link expired (HTTP 403)", provider="fake",
                            code="expired")
    provider = FakeProvider(tmp_path / "server", latency_s=0.0,
                            faults=[("fetch", expired, False)])
    events: list[JobEvent] = []
    [result] = _engine(tmp_path, provider, clock=FakeClock()).run(
        [_shot("V1-01000000")], on_event=events.append)
    assert result.ok
    assert provider.submits == 1
    assert provider.polls > provider.polls_before_fetch_fault >= 1  # polled again after
    assert any("expired" in (e.message or "") for e in events if e.state == "retrying")
