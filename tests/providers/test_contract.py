"""The one contract every HTTP backend passes against its loopback fake server.

Each test drives a provider the way the engine does (submit, poll, fetch,
cancel; one attempt per call, calling again after a retryable error) and checks
the result against what the fake's API contract says should happen.
"""

from __future__ import annotations

import email.utils
import logging
import time
from pathlib import Path
from typing import Any

import pytest

from pickup.errors import ConfigError, InputError, ProviderError
from pickup.media.probe import probe
from pickup.providers.base import JobHandle, JobStatus, Provider, State
from tests.providers.conftest import Harness
from tests.providers.fakes import KEY

_MAX_POLLS = 20


def _run(provider: Any, handle: JobHandle) -> list[JobStatus]:
    """Poll until a terminal state (bounded)."""
    seen = []
    for _ in range(_MAX_POLLS):
        status = provider.poll(handle)
        seen.append(status)
        if status.state.terminal:
            return seen
    raise AssertionError(f"no terminal state after {_MAX_POLLS} polls: {seen}")


def _finish(h: Harness, provider: Any, tmp_path: Path) -> tuple[JobHandle, JobStatus]:
    handle = provider.submit(h.request(), tmp_path)
    final = _run(provider, handle)[-1]
    assert final.state is State.SUCCEEDED, final
    return handle, final


def _no_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


class TestProviderContract:
    def test_is_a_provider_with_capabilities(self, harness: Harness) -> None:
        provider = harness.provider()
        assert isinstance(provider, Provider)
        caps = provider.capabilities(None)
        assert caps.price_per_second >= 0
        assert provider.is_configured()

    def test_happy_path_with_progress_and_probeable_output(self, harness: Harness,
                                                           tmp_path: Path) -> None:
        provider = harness.provider()
        provider.validate(harness.request())
        handle = provider.submit(harness.request(), tmp_path / "work")
        statuses = _run(provider, handle)
        states = [s.state for s in statuses]
        assert states[-1] is State.SUCCEEDED
        assert State.RUNNING in states
        assert State.QUEUED in states
        assert statuses[-1].progress == 1.0
        paths = provider.fetch(handle, statuses[-1], tmp_path / "out")
        assert len(paths) == 1 and paths[0].parent == tmp_path / "out"
        info = probe(paths[0])
        assert (info.frames, info.width, info.height) == (24, 64, 36)
        assert paths[0].read_bytes() == harness.fake.video
        # the handle survives the journal and holds no key
        again = JobHandle.from_json(handle.to_json())
        assert again == handle and KEY not in handle.to_json()
        # every API call carried the key the way the API wants it
        api_calls = [r for r in harness.fake.log if r.kind in ("submit", "poll")]
        assert api_calls
        if harness.name != "comfyui":
            for call in api_calls:
                assert KEY in " ".join(call.headers.values()), call.path
                assert KEY not in call.path and KEY not in str(call.query)

    def test_queued_and_throttled(self, harness: Harness, tmp_path: Path) -> None:
        harness.fake.throttled = True
        harness.fake.queued_polls = 2
        if harness.name == "comfyui":
            harness.fake.others_pending = 3  # other clients' jobs ahead of ours
        provider = harness.provider()
        handle = provider.submit(harness.request(), tmp_path)
        statuses = _run(provider, handle)
        assert [s.state for s in statuses[:2]] == [State.QUEUED, State.QUEUED]
        assert statuses[-1].state is State.SUCCEEDED
        if harness.name in ("fal", "comfyui"):
            assert statuses[0].queue_position == 3
        assert all(s.poll_after_s and s.poll_after_s > 0 for s in statuses[:2])

    def test_429_with_retry_after_seconds_then_success(self, harness: Harness,
                                                       tmp_path: Path) -> None:
        harness.fake.inject("submit", 429, headers={"Retry-After": "7"})
        provider = harness.provider()
        with pytest.raises(ProviderError) as info:
            provider.submit(harness.request(), tmp_path)
        assert info.value.retryable and info.value.retry_after_s == 7.0
        assert info.value.code == "rate_limited" and not info.value.moderated
        handle = provider.submit(harness.request(), tmp_path)  # the engine tries again
        assert _run(provider, handle)[-1].state is State.SUCCEEDED

    def test_429_with_http_date_and_ms(self, harness: Harness, tmp_path: Path) -> None:
        provider = harness.provider()
        handle = provider.submit(harness.request(), tmp_path)
        when = email.utils.formatdate(time.time() + 30, usegmt=True)
        harness.fake.inject("poll", 429, headers={"Retry-After": when})
        with pytest.raises(ProviderError) as info:
            provider.poll(handle)
        assert info.value.retryable and 27 <= (info.value.retry_after_s or 0) <= 31
        harness.fake.inject("poll", 429, headers={"retry-after-ms": "1500", "Retry-After": "9"})
        with pytest.raises(ProviderError) as info:
            provider.poll(handle)
        assert info.value.retry_after_s == 1.5

    def test_5xx_then_success(self, harness: Harness, tmp_path: Path) -> None:
        provider = harness.provider()
        handle = provider.submit(harness.request(), tmp_path)
        harness.fake.inject("poll", 503, headers={"Retry-After": "2"})
        with pytest.raises(ProviderError) as info:
            provider.poll(handle)
        assert info.value.retryable and info.value.code == "http_503"
        assert info.value.retry_after_s == 2.0
        assert _run(provider, handle)[-1].state is State.SUCCEEDED

    def test_moderation_failure_is_final(self, harness: Harness, tmp_path: Path) -> None:
        harness.fake.outcome = "moderated"
        provider = harness.provider()
        handle = provider.submit(harness.request(), tmp_path)
        final = _run(provider, handle)[-1]
        assert final.state is State.FAILED
        if harness.moderates:
            assert final.moderated and not final.retryable and final.error
        else:  # ComfyUI has no moderation: a node error, reported as such
            assert not final.moderated and "KSampler" in (final.error or "")

    def test_moderation_at_submit(self, harness: Harness, tmp_path: Path) -> None:
        if not harness.moderates:
            pytest.skip("ComfyUI has no content moderation")
        reply = harness.fake.moderation_reply()
        harness.fake.inject("submit", reply.status, reply.body)
        with pytest.raises(ProviderError) as info:
            harness.provider().submit(harness.request(), tmp_path)
        assert info.value.moderated and not info.value.retryable

    def test_plain_failure_is_not_moderation(self, harness: Harness, tmp_path: Path) -> None:
        harness.fake.outcome = "failed"
        provider = harness.provider()
        final = _run(provider, provider.submit(harness.request(), tmp_path))[-1]
        assert final.state is State.FAILED and not final.moderated and final.error

    def test_cancel(self, harness: Harness, tmp_path: Path) -> None:
        harness.fake.running_polls = 5
        provider = harness.provider()
        handle = provider.submit(harness.request(), tmp_path)
        while provider.poll(handle).state is not State.RUNNING:
            pass
        caps = provider.capabilities(None)
        done = provider.cancel(handle)
        if not caps.cancel:  # a provider whose API cannot cancel says so
            assert done is False
            return
        assert done is True
        assert harness.fake.jobs[handle.job_id]["cancelled"]
        if harness.name == "luma":  # cancel deletes the generation
            assert harness.fake.requests_of("cancel")[-1].method == "DELETE"
            return
        assert provider.poll(handle).state is State.CANCELLED
        if harness.name == "comfyui":
            assert harness.fake.interrupted == [handle.job_id]

    @pytest.mark.parametrize("mode, code, retryable", [
        ("expired", "expired", False),
        ("reset", "connection", True),
        ("truncated", "truncated", True),
        ("html", "bad_content_type", False),
    ])
    def test_download_faults(self, harness: Harness, tmp_path: Path, mode: str, code: str,
                             retryable: bool) -> None:
        provider = harness.provider()
        handle, final = _finish(harness, provider, tmp_path)
        harness.fake.download_mode = mode
        out = tmp_path / "out"
        with pytest.raises(ProviderError) as info:
            provider.fetch(handle, final, out)
        assert info.value.code == code, info.value
        assert info.value.retryable is retryable
        assert not _no_files(out), "a failed download must leave nothing behind"
        if mode == "expired":
            assert "expired" in str(info.value) and info.value.hint
        harness.fake.download_mode = "ok"  # and a later fetch works
        assert probe(provider.fetch(handle, final, out)[0]).frames == 24

    @pytest.mark.parametrize("mode", ["ok", "chunked"])
    def test_download_over_size_cap(self, harness: Harness, tmp_path: Path, mode: str) -> None:
        provider = harness.provider(max_download_bytes=len(harness.fake.video) // 3)
        handle, final = _finish(harness, provider, tmp_path)
        harness.fake.download_mode = mode
        with pytest.raises(ProviderError) as info:
            provider.fetch(handle, final, tmp_path / "out")
        assert info.value.code == "too_large" and not info.value.retryable
        assert not _no_files(tmp_path / "out")

    def test_server_slower_than_timeout(self, harness: Harness, tmp_path: Path) -> None:
        provider = harness.provider(timeout_s=0.3)
        handle = provider.submit(harness.request(), tmp_path)
        harness.fake.delay["poll"] = 3.0  # the fake wakes early when the test stops it
        started = time.monotonic()
        with pytest.raises(ProviderError) as info:
            provider.poll(handle)
        assert time.monotonic() - started < 2.5
        assert info.value.retryable and info.value.code == "timeout"

    def test_download_stall_times_out(self, harness: Harness, tmp_path: Path) -> None:
        provider = harness.provider(timeout_s=0.3)
        handle, final = _finish(harness, provider, tmp_path)
        harness.fake.download_mode = "stall"
        harness.fake.stall_s = 3.0
        with pytest.raises(ProviderError) as info:
            provider.fetch(handle, final, tmp_path / "out")
        assert info.value.retryable and info.value.code == "timeout"
        assert not _no_files(tmp_path / "out")

    def test_connection_refused_is_retryable(self, harness: Harness, tmp_path: Path) -> None:
        provider = harness.provider()
        harness.fake.stop()
        with pytest.raises(ProviderError) as info:
            provider.submit(harness.request(), tmp_path)
        assert info.value.retryable and info.value.code == "connection"

    def test_key_never_leaks(self, harness: Harness, tmp_path: Path,
                             caplog: pytest.LogCaptureFixture) -> None:
        if harness.name == "comfyui":
            pytest.skip("ComfyUI takes no key")
        caplog.set_level(logging.DEBUG)
        provider = harness.provider()
        echo = harness.fake.error_body(400, f"bad request for key {KEY}")
        harness.fake.inject("submit", 400, echo)
        with pytest.raises(ProviderError) as info:
            provider.submit(harness.request(), tmp_path)
        texts = [str(info.value), repr(info.value.args), info.value.hint or ""]
        handle = provider.submit(harness.request(), tmp_path)
        harness.fake.inject("poll", 500, harness.fake.error_body(500, f"oops {KEY}"))
        with pytest.raises(ProviderError) as info2:
            provider.poll(handle)
        texts += [str(info2.value), handle.to_json(), caplog.text]
        for text in texts:
            assert KEY not in text
        assert "***" in str(info.value)  # redacted, not dropped

    def test_wrong_key_is_refused_with_a_hint(self, harness: Harness, tmp_path: Path) -> None:
        if harness.name == "comfyui":
            pytest.skip("ComfyUI takes no key")
        provider = harness.provider(api_key="sk-wrong-key-000000000000")
        with pytest.raises(ProviderError) as info:
            provider.submit(harness.request(), tmp_path)
        assert not info.value.retryable
        assert info.value.code == "unauthorized"  # Gemini says so with a 400, the rest 401
        assert f"pickup auth set {harness.name}" in (info.value.hint or "")

    def test_validate_rejects_what_the_model_cannot_make(self, harness: Harness) -> None:
        provider = harness.provider()
        with pytest.raises(InputError, match="at most"):
            provider.validate(harness.request(frames=24 * 60))
        caps = provider.capabilities(None)
        if not caps.last_frame:
            with pytest.raises(ConfigError, match="last frame"):
                provider.validate(harness.request(last_frame=harness.frame))

    def test_estimate_cost_and_price_override(self, harness: Harness, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
        provider = harness.provider()
        req = harness.request()
        caps = provider.capabilities(provider.resolve_model(req))
        # the service's billing rule: the shortest allowed length covering the slot, or
        # fal Wan's num_frames / 16 seconds
        billed = provider.billed_seconds(req)
        assert billed + 1e-9 >= req.seconds
        assert provider.estimate_cost(req) == pytest.approx(
            round(caps.price_per_second * billed, 4))
        config = tmp_path / "config.toml"
        config.write_text(f'[prices]\n"{harness.name}" = 1.25\n', encoding="utf-8")
        monkeypatch.setenv("PICKUP_CONFIG", str(config))
        priced = harness.provider()
        assert priced.capabilities(None).price_per_second == 1.25
        assert priced.estimate_cost(req) == pytest.approx(round(1.25 * billed, 4))
