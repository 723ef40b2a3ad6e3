"""Planning within a provider's capabilities, and the price/budget arithmetic."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from pickup.config import Config
from pickup.engine import Budget, fit_request, price_per_second
from pickup.engine.budget import DEFAULT_PRICES
from pickup.providers.base import Capabilities, ShotRequest


def _req(frames: int = 30, rate: Fraction = Fraction(24), w: int = 1920, h: int = 1080,
         **kw: object) -> ShotRequest:
    return ShotRequest(slot_id="V1-01000000", prompt="a farmhouse", kind="establishing",
                       frames=frames, rate=rate, width=w, height=h, **kw)  # type: ignore[arg-type]


def test_length_rounds_up_to_an_allowed_duration_with_handles() -> None:
    fitted = fit_request(_req(frames=100), Capabilities(durations_s=(5.0, 10.0)), handles=12)
    # 100 + 24 handle frames = 124 f = 5.17 s at 24 -> 10 s = 240 frames
    assert fitted.request.frames == 240
    assert fitted.request.seconds == 10.0
    assert any("rounded up from 5.17 s to 10 s" in n for n in fitted.notes)
    assert any("handle" in n for n in fitted.notes)


def test_exact_allowed_length_is_not_noted() -> None:
    fitted = fit_request(_req(frames=120), Capabilities(durations_s=(5.0, 10.0)))
    assert fitted.request.frames == 120 and fitted.notes == ()


def test_too_long_slot_is_capped_and_said() -> None:
    fitted = fit_request(_req(frames=24 * 14), Capabilities(durations_s=(5.0, 10.0)))
    assert fitted.request.seconds == 10.0
    assert any("at most 10 s" in n and "holds the last frame" in n for n in fitted.notes)
    capped = fit_request(_req(frames=24 * 9), Capabilities(max_duration_s=8.0))
    assert capped.request.seconds == 8.0


def test_rate_moves_to_nearest_allowed_and_frames_follow() -> None:
    fitted = fit_request(_req(frames=50, rate=Fraction(25)), Capabilities(fps=(24.0, 30.0)))
    assert fitted.request.rate == 24
    assert fitted.request.frames == 48  # 2 s at 24
    assert any("24 fps" in n for n in fitted.notes)


def test_scope_aspect_maps_to_nearest_allowed() -> None:
    fitted = fit_request(_req(w=2048, h=858), Capabilities(aspects=("16:9", "9:16", "1:1")))
    assert fitted.request.extra["aspect"] == "16:9"
    assert abs(fitted.request.width / fitted.request.height - 16 / 9) < 0.01
    assert any("mapped to 16:9" in n for n in fitted.notes)


def test_size_list_picks_same_aspect() -> None:
    caps = Capabilities(sizes=((1280, 720), (720, 1280), (960, 960)))
    fitted = fit_request(_req(), caps)
    assert (fitted.request.width, fitted.request.height) == (1280, 720)
    assert any("1280x720" in n for n in fitted.notes)


def test_unsupported_first_frame_and_references_are_dropped(tmp_path: Path) -> None:
    img = tmp_path / "f.png"
    img.write_bytes(b"x")
    fitted = fit_request(_req(first_frame=img, references=(img,)), Capabilities())
    assert fitted.request.first_frame is None and fitted.request.references == ()
    assert len(fitted.notes) == 2
    kept = fit_request(_req(first_frame=img), Capabilities(first_frame=True))
    assert kept.request.first_frame == img and kept.notes == ()


def test_price_sources_in_order() -> None:
    caps = Capabilities(price_per_second=0.07)
    assert price_per_second("runway", "gen4_turbo", caps).per_second == 0.07
    config = Config(prices={"runway/gen4_turbo": 0.5})
    chosen = price_per_second("runway", "gen4_turbo", caps, config)
    assert (chosen.per_second, chosen.source) == (0.5, "config [prices]")
    default = price_per_second("runway", "gen4_turbo", Capabilities())
    assert default.per_second == DEFAULT_PRICES["runway/gen4_turbo"]
    assert price_per_second("mine", None, Capabilities(local=True)).per_second == 0.0


def test_budget_reserves_atomically() -> None:
    budget = Budget(1.0)
    assert budget.reserve(0.6)
    assert not budget.reserve(0.5)
    assert budget.reserve(0.4)
    assert budget.spent == 1.0
