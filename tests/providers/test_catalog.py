"""The model catalog: shipped data files, config overrides, end of life, billing rules, the
default model adapting to a slot, and ``pickup fill --provider runway`` without frames."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.cli import main
from pickup.config import Config
from pickup.engine import Engine, EngineOptions
from pickup.engine.plan import OutputSpec, Shot, fit_request
from pickup.errors import ConfigError, ProviderError
from pickup.project import Project
from pickup.providers import catalog as catalog_module
from pickup.providers.base import ShotRequest
from pickup.providers.catalog import load_catalog, shipped_catalog
from pickup.providers.registry import get_provider
from tests.providers.fakes import KEY, FalFake, RunwayFake
from tests.providers.shots import harbour_cut

CATALOGS = ("runway", "veo", "vertex", "fal", "replicate", "luma", "minimax", "kling", "ltx",
            "xai")


def _req(**changes: object) -> ShotRequest:
    base: dict[str, object] = dict(slot_id="V1_0002", prompt="rooftop jump", kind="stunt",
                                   frames=24, rate=Fraction(24), width=1920, height=1080)
    base.update(changes)
    return ShotRequest(**base)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PICKUP_CONFIG", str(tmp_path / "none.toml"))


@pytest.mark.parametrize("name", CATALOGS)
def test_shipped_catalog_is_stamped_and_consistent(name: str) -> None:
    raw = shipped_catalog(name)
    assert raw is not None and raw["provider"] == name
    dt.date.fromisoformat(raw["checked"])
    assert raw["sources"] and all(isinstance(s, str) and s for s in raw["sources"])
    catalog = load_catalog(name)
    assert catalog.default_model in catalog.models
    assert not catalog.models[str(catalog.default_model)].retired()
    for entry in catalog.models.values():
        assert entry.endpoint and entry.price_per_second > 0
        assert entry.lengths or entry.max_duration()
        if entry.replacement:
            assert entry.replacement in catalog.models
            assert not catalog.models[entry.replacement].retired()
        if entry.image_model:
            assert catalog.models[entry.image_model].needs_first_frame
    options = {} if name == "vertex" else {"api_key": KEY}  # vertex: OAuth, no key
    assert get_provider(name, **options).model == catalog.default_model


def test_retired_model_is_refused_with_its_replacement(monkeypatch: pytest.MonkeyPatch,
                                                       frame_png: Path) -> None:
    provider = get_provider("runway", api_key=KEY, model="gen3a_turbo")
    with pytest.raises(ConfigError, match="end of life on 2026-07-30") as info:
        provider.validate(_req(first_frame=frame_png))
    assert "gen4_turbo" in str(info.value)
    veo = get_provider("veo", api_key=KEY)
    with pytest.raises(ConfigError, match=r"use gemini-omni-1\.2-flash"):
        veo.validate(_req(model="veo-2.0-generate-001"))
    # the Veo 3.1 previews were shut down on the Gemini API on 2026-10-22
    with pytest.raises(ConfigError, match=r"2026-10-22.*use gemini-omni-1\.2-flash"):
        veo.validate(_req(model="veo-3.1-generate-preview"))
    # before its end of life the model is only marked deprecated, and still works
    monkeypatch.setattr(catalog_module, "today", lambda: dt.date(2026, 7, 1))
    entry = provider.model_entry("gen3a_turbo")
    assert entry is not None and entry.status() == "deprecated"
    provider.validate(_req(first_frame=frame_png, frames=24 * 5))


def test_config_overrides_and_adds_models(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[providers.runway.models."gen4.5"]\nprice_per_second = 0.2\n'
                      '[providers.fal.models."fal-ai/ltx-video"]\nendpoint = "/fal-ai/ltx-video"\n'
                      'lengths = [5]\nfirst_frame = "optional"\nprice_per_second = 0.02\n',
                      encoding="utf-8")
    monkeypatch.setenv("PICKUP_CONFIG", str(config))
    runway = get_provider("runway", api_key=KEY)
    assert runway.capabilities("gen4.5").price_per_second == 0.2
    assert runway.estimate_cost(_req(model="gen4.5", frames=24 * 6)) == pytest.approx(1.2)
    assert runway.catalog.overridden == ("gen4.5",)
    fal = get_provider("fal", api_key=KEY)
    caps = fal.capabilities("fal-ai/ltx-video")
    assert caps.durations_s == (5.0,) and caps.first_frame and caps.price_per_second == 0.02
    assert "fal-ai/ltx-video" in fal.models()
    config.write_text('[providers.luma.models."ray-2"]\nframerate = 30\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown keys: framerate"):
        get_provider("luma", api_key=KEY).capabilities("ray-2")


def test_billing_is_the_shortest_allowed_length_covering_the_slot() -> None:
    runway = get_provider("runway", api_key=KEY)
    six = _req(model="gen4.5", frames=24 * 6 - 3)  # 5.875 s
    assert runway.billed_seconds(six) == 6.0
    assert runway.estimate_cost(six) == pytest.approx(6 * 0.12)
    assert runway.billed_seconds(_req(model="gen4.5", frames=12)) == 2.0  # the minimum
    veo = get_provider("veo", api_key=KEY)  # Gemini Omni 1.2: whole seconds from 3 to 15
    assert veo.billed_seconds(_req(frames=24 * 5)) == 5.0
    assert veo.billed_seconds(_req(frames=24 * 5 + 1)) == 6.0
    assert veo.billed_seconds(_req(frames=24)) == 3.0  # the minimum
    assert veo.billed_seconds(_req(frames=24 * 14 + 1)) == 15.0
    assert veo.estimate_cost(_req(frames=24 * 5)) == pytest.approx(5 * 0.1043)  # 1080p slot
    assert veo.estimate_cost(_req(frames=24 * 5, width=1280, height=720)) == \
        pytest.approx(5 * 0.0695)
    omni11 = _req(model="gemini-omni-1.1-flash", frames=24 * 5, width=1280, height=720)
    assert veo.estimate_cost(omni11) == pytest.approx(5 * 0.10)
    luma = get_provider("luma", api_key=KEY)
    assert luma.billed_seconds(_req(frames=24 * 6)) == 9.0


def test_fal_wan_is_made_and_billed_at_16_fps(video_bytes: bytes, tmp_path: Path) -> None:
    with FalFake(video_bytes) as fake:
        fal = get_provider("fal", api_key=KEY, base_url=fake.base_url)
        slot = _req(frames=24 * 8)  # 8 s at 24 fps: 192 frames, more than Wan's 161
        caps = fal.capabilities_for(slot)
        fitted = fit_request(slot, caps).request
        assert fitted.rate == 16 and fitted.frames == 128  # 8 s at 16 fps
        fal.submit(fitted, tmp_path)
        sent = json.loads(fake.requests_of("submit")[-1].body)
        assert (sent["num_frames"], sent["frames_per_second"]) == (128, 16)
        assert sent["resolution"] == "720p"
        assert fal.billed_seconds(fitted) == 8.0
        assert fal.estimate_cost(fitted) == pytest.approx(8 * 0.08)
        # below 720p the lower price applies
        small = fit_request(_req(frames=24 * 8, width=854, height=480), caps).request
        assert fal.estimate_cost(small) == pytest.approx(8 * 0.04)


def test_fal_errors_branch_on_type_and_retryable_header(video_bytes: bytes,
                                                         tmp_path: Path) -> None:
    with FalFake(video_bytes) as fake:
        fal = get_provider("fal", api_key=KEY, base_url=fake.base_url)
        fake.inject("submit", 422, {"detail": [{"loc": ["body", "prompt"],
                                                "msg": "The content was flagged by a checker.",
                                                "type": "content_policy_violation"}]})
        with pytest.raises(ProviderError) as info:
            fal.submit(_req(), tmp_path)
        assert info.value.moderated and not info.value.retryable
        assert info.value.code == "moderated"
        # words alone do not make moderation; the header decides retry
        fake.inject("submit", 400, {"detail": [{"msg": "safety margin too small",
                                                "type": "value_error"}]},
                    headers={"X-Fal-Retryable": "true"})
        with pytest.raises(ProviderError) as info:
            fal.submit(_req(), tmp_path)
        assert info.value.retryable and info.value.code == "value_error"
        fake.inject("submit", 503, None, headers={"X-Fal-Retryable": "false"})
        with pytest.raises(ProviderError) as info:
            fal.submit(_req(), tmp_path)
        assert not info.value.retryable
        status = fal._failed("the checker refused it", "content_policy_violation")
        assert status.moderated and not status.retryable
        status = fal._failed("safety first", "request_timeout")
        assert status.retryable and not status.moderated


def _engine(tmp_path: Path, provider: object, model: str | None = None) -> Engine:
    return Engine(Project(tmp_path / "proj"), provider,  # type: ignore[arg-type]
                  EngineOptions(config=Config(), model=model))


def _shot(req: ShotRequest) -> Shot:
    return Shot(req, OutputSpec(frames=req.frames, rate=req.rate, width=req.width,
                                height=req.height))


def test_plan_adapts_the_default_model_and_respects_an_explicit_one(
        tmp_path: Path, frame_png: Path) -> None:
    runway = get_provider("runway", api_key=KEY)
    scope = _req(width=2048, height=858, frames=24 * 6)  # 2.39:1, no neighbour frames
    job = _engine(tmp_path, runway).plan([_shot(scope)]).jobs[0]
    assert job.action == "new" and job.request.model == "gen4.5"
    assert any("gen4_turbo needs a first frame" in n and "using gen4.5" in n
               for n in job.notes)
    assert job.request.extra["aspect"] == "1280:720"  # text to video has two ratios
    assert job.est_cost == pytest.approx(6 * 0.12)
    with_frame = _engine(tmp_path, runway).plan([_shot(replace_frame(scope, frame_png))])
    assert with_frame.jobs[0].request.model is None  # the default can make it
    assert with_frame.jobs[0].request.extra["aspect"] == "1584:672"
    explicit = _engine(tmp_path, runway, model="gen4_turbo").plan([_shot(scope)]).jobs[0]
    assert explicit.action == "invalid" and "needs a first frame" in str(explicit.error)


def replace_frame(req: ShotRequest, frame: Path) -> ShotRequest:
    from dataclasses import replace

    return replace(req, first_frame=frame)


def test_fill_runway_without_neighbour_frames(tmp_path: Path, video_bytes: bytes,
                                              make_video: Callable[..., Path],
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    cut = harbour_cut(tmp_path)
    with RunwayFake(video_bytes) as fake:
        monkeypatch.setenv("PICKUP_RUNWAY_BASE_URL", fake.base_url)
        monkeypatch.setenv("RUNWAYML_API_SECRET", KEY)
        out = tmp_path / "out.otio"
        code = main(["fill", str(cut), "--provider", "runway", "--size", "96x40",
                     "-o", str(out)])
        err = capsys.readouterr().err
        assert code == 0, err
        submits = fake.requests_of("submit")
        assert len(submits) == 1 and submits[0].path == "/v1/text_to_video"
        sent = json.loads(submits[0].body)
        assert sent["model"] == "gen4.5" and sent["ratio"] == "1280:720"
        assert sent["duration"] == 2  # 30 frames = 1.25 s: the shortest allowed length
    filled = [c for c in otio.adapters.read_from_file(str(out)).find_clips()
              if c.metadata.get("pickup")]
    assert len(filled) == 1 and filled[0].source_range.duration.value == 30


def test_every_live_price_has_a_source_or_says_it_is_an_estimate() -> None:
    from pickup.providers.catalog import shipped_catalog

    for path in sorted(Path(catalog_module.__file__).parent.glob("*.json")):
        raw = shipped_catalog(path.stem)
        assert raw is not None
        for name, model in raw["models"].items():
            if model.get("end_of_life"):
                continue
            assert bool(model.get("price_source")) != bool(model.get("price_estimate")), \
                f"{path.stem} {name}: give price_source or price_estimate (one of them)"


def test_an_estimated_price_is_marked_in_the_table_and_the_plan(
        capsys: pytest.CaptureFixture[str]) -> None:
    from pickup.engine.budget import estimate_cost

    replicate = get_provider("replicate", api_key=KEY)
    entry = replicate.model_entry("kwaivgi/kling-v2.1")
    assert entry is not None and entry.price_estimated
    fal = get_provider("fal", api_key=KEY)
    sourced = fal.model_entry("fal-ai/kling-video/v2.1/pro/image-to-video")
    assert sourced is not None and not sourced.price_estimated
    req = _req(model="kwaivgi/kling-v2.1", frames=24 * 5)
    cost, source = estimate_cost(replicate, req, replicate.capabilities_for(req))
    assert cost == pytest.approx(5 * 0.05) and source == "provider (estimated price)"
    req = _req(model="fal-ai/kling-video/v2.1/pro/image-to-video", frames=24 * 5)
    cost, source = estimate_cost(fal, req, fal.capabilities_for(req))
    assert cost == pytest.approx(5 * 0.098) and source == "provider"
    assert main(["providers"]) == 0
    table = capsys.readouterr().out
    assert "~0.050" in table and "~ estimated price" in table  # Replicate Kling 2.1
    assert "0.098" in table and "~0.098" not in table  # fal Kling 2.1 pro, from fal's page
