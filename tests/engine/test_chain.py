"""Long slots as chains: a 28 s slot through a model that makes at most 10 s is one
take of exactly 28 s with no frozen run longer than 2 frames; plan, journal, resume and
failures work per segment."""

from __future__ import annotations

import json
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest
from PIL import Image

from pickup.engine.chain import plan_chain
from pickup.engine.plan import OutputSpec, Shot
from pickup.errors import ProviderError
from pickup.media.handles import write_lossless
from pickup.media.probe import probe
from pickup.providers import registry
from pickup.providers.base import Capabilities, ShotRequest
from pickup.providers.local import LocalRenderer
from tests.takes.conftest import run, takes_json

RATE = 24
W, H = 96, 54
SLOT = "V1-01000012"


class ContinueProvider(LocalRenderer):
    """A stand-in image-to-video model: at most 10 s; from a first frame it pans on
    from that picture (2 px a frame), without one it pans over its own plate."""

    name = "chaintest"
    suffix = ".nut"
    submitted: list[str] = []  # noqa: RUF012 - shared by the instances a run makes
    fail: dict[str, str] = {}  # noqa: RUF012 - segment slot id -> "error" | "moderated"

    def __init__(self, **options: object) -> None:
        super().__init__()

    def capabilities(self, model: str | None) -> Capabilities:
        return Capabilities(max_duration_s=10.0, first_frame=True, last_frame=False,
                            price_per_second=0.05)

    def validate(self, req: ShotRequest) -> None:
        pass

    def render(self, req: ShotRequest, dest: Path, cancel: threading.Event) -> None:
        ContinueProvider.submitted.append(req.slot_id)
        how = ContinueProvider.fail.get(req.slot_id)
        if how:
            raise ProviderError("the content policy refused it" if how == "moderated"
                                else "the model crashed", provider=self.name,
                                moderated=how == "moderated")
        assert req.frames <= 10 * RATE
        if req.first_frame is not None:
            start = np.asarray(Image.open(req.first_frame).convert("RGB")
                               .resize((req.width, req.height)))
        else:
            rng = np.random.default_rng(req.seed or 0)
            small = rng.integers(0, 256, size=(req.height // 6 + 2, req.width // 6 + 2, 3))
            start = np.asarray(Image.fromarray(small.astype(np.uint8)).resize(
                (req.width, req.height), Image.Resampling.BICUBIC))
        frames = (av.VideoFrame.from_ndarray(np.ascontiguousarray(np.roll(start, 2 * k,
                                                                           axis=1)),
                                             format="rgb24") for k in range(req.frames))
        write_lossless(frames, dest, rate=Fraction(req.rate), width=req.width,
                       height=req.height, pix_fmt="rgb24")


@pytest.fixture
def chain_provider(monkeypatch: pytest.MonkeyPatch) -> type[ContinueProvider]:
    monkeypatch.setitem(registry.BUILTINS, "chaintest", f"{__name__}:ContinueProvider")
    ContinueProvider.submitted = []
    ContinueProvider.fail = {}
    return ContinueProvider


@pytest.fixture
def long_cut(tmp_path: Path) -> Path:
    """A001 (12 f), a GEN gap of 28 s (672 f), A002 (12 f), at 24 fps."""
    media = tmp_path / "a.mov"
    with av.open(str(media), "w") as out:
        stream = out.add_stream("prores_ks", rate=RATE)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv422p10le"
        rng = np.random.default_rng(5)
        for _ in range(24):
            img = rng.integers(0, 256, size=(H, W, 3)).astype(np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)

    def clip(name: str) -> otio.schema.Clip:
        ref = otio.schema.ExternalReference(target_url=media.resolve().as_uri(),
                                            available_range=otio.opentime.TimeRange(
                                                otio.opentime.RationalTime(0, RATE),
                                                otio.opentime.RationalTime(24, RATE)))
        return otio.schema.Clip(name=name, media_reference=ref, source_range=(
            otio.opentime.TimeRange(otio.opentime.RationalTime(0, RATE),
                                    otio.opentime.RationalTime(12, RATE))))

    tl = otio.schema.Timeline(name="cut")
    tl.global_start_time = otio.opentime.RationalTime(86400, RATE)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    tl.tracks.append(track)
    gap = otio.schema.Gap(duration=otio.opentime.RationalTime(28 * RATE, RATE))
    gap.markers.append(otio.schema.Marker(name="GEN establishing: a long drive", marked_range=(
        otio.opentime.TimeRange(otio.opentime.RationalTime(0, RATE),
                                otio.opentime.RationalTime(0, RATE)))))
    track.extend([clip("A001"), gap, clip("A002")])
    path = tmp_path / "cut.otio"
    otio.adapters.write_to_file(tl, str(path))
    return path


def _fill(cut: Path, *extra: str) -> tuple[int, str, str]:
    return run("fill", cut, "--provider", "chaintest", "--size", f"{W}x{H}", "--profile",
               "prores_hq", *extra)


def _longest_frozen_run(path: Path) -> int:
    longest = run_len = 1
    previous = None
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            now = frame.to_ndarray(format="rgb24").astype(np.int16)
            if previous is not None and float(np.abs(now - previous).mean()) < 0.5:
                run_len += 1
                longest = max(longest, run_len)
            else:
                run_len = 1
            previous = now
    return longest


def test_plan_chain_splits_and_says_how() -> None:
    req = ShotRequest(slot_id="S", prompt="p", kind=None, frames=672, rate=Fraction(24),
                      width=W, height=H, first_frame=Path("out.png"))
    shot = Shot(req, OutputSpec(frames=672, rate=Fraction(24), width=W, height=H))
    caps = Capabilities(max_duration_s=10.0, first_frame=True)
    chain = plan_chain(shot, caps)
    assert chain is not None and chain.frames == 672
    assert [s.requested <= 240 for s in chain.segments] == [True] * len(chain.segments)
    assert [(s.first, s.lead) for s in chain.segments] == [("outgoing", 0), ("previous", 1),
                                                           ("previous", 1)]
    independent = plan_chain(shot, Capabilities(max_duration_s=10.0), join="dissolve")
    assert independent is not None and independent.frames == 672
    assert all(s.first == "none" for s in independent.segments)
    assert all(s.lead == 12 for s in independent.segments[1:])
    assert "independent shots" in independent.note(independent.segments[0])
    assert plan_chain(shot, Capabilities(max_duration_s=30.0)) is None


def test_28s_slot_from_a_10s_model_is_one_28s_take(long_cut: Path,
                                                   chain_provider: type) -> None:
    code, out, err = _fill(long_cut, "--dry-run", "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert [j["slot"] for j in plan["jobs"]] == [f"{SLOT}-S01", f"{SLOT}-S02", f"{SLOT}-S03"]
    assert "segment 1 of 3 (0.00-9.38 s), starts from the outgoing shot's last frame" in \
        plan["jobs"][0]["notes"][0]
    assert "starts from segment 1's last frame" in plan["jobs"][1]["notes"][0]
    assert plan["est_cost"] == pytest.approx(0.05 * (225 + 225 + 224) / 24, abs=0.02)
    assert chain_provider.submitted == []
    code, out, err = _fill(long_cut)
    assert code == 0, err
    written = Path(out.strip().splitlines()[-1])
    slot = takes_json(written)["slots"][0]
    assert len(slot["takes"]) == 1
    take = slot["takes"][0]
    assert [s["index"] for s in take["segments"]] == [1, 2, 3]
    assert [s["first"] for s in take["segments"]] == ["outgoing", "previous", "previous"]
    info = probe(take["media"])
    assert info.frames == 28 * RATE and info.rate == RATE
    assert _longest_frozen_run(Path(take["media"])) <= 2
    code, table, _ = run("takes", written)
    assert code == 0 and "seg 2" in table and "from seg 1" in table


def test_a_failed_segment_fails_the_take_and_a_rerun_pays_only_for_the_rest(
        long_cut: Path, chain_provider: type) -> None:
    chain_provider.fail[f"{SLOT}-S02"] = "error"
    code, _, err = _fill(long_cut)
    assert code == 1
    assert f"slot {SLOT}" in err and "segment 2 of 3" in err and "the model crashed" in err
    assert chain_provider.submitted == [f"{SLOT}-S01", f"{SLOT}-S02"]
    chain_provider.fail.clear()
    chain_provider.submitted.clear()
    code, out, err = _fill(long_cut)
    assert code == 0, err
    assert chain_provider.submitted == [f"{SLOT}-S02", f"{SLOT}-S03"]  # S01 from the cache
    take = takes_json(Path(out.strip().splitlines()[-1]))["slots"][0]["takes"][0]
    assert probe(take["media"]).frames == 28 * RATE


def test_a_moderated_segment_says_where(long_cut: Path, chain_provider: type) -> None:
    chain_provider.fail[f"{SLOT}-S03"] = "moderated"
    code, _, err = _fill(long_cut)
    assert code == 1 and "segment 3 of 3" in err and "content policy" in err


def test_hold_keeps_the_old_behaviour(long_cut: Path, chain_provider: type) -> None:
    code, out, err = _fill(long_cut, "--hold", "--dry-run", "--json")
    assert code == 0, err
    jobs = json.loads(out)["jobs"]
    assert len(jobs) == 1 and any("holds the last frame" in n for n in jobs[0]["notes"])


def test_dissolve_join_is_exactly_the_slot(long_cut: Path, chain_provider: type) -> None:
    code, out, err = _fill(long_cut, "--join", "dissolve")
    assert code == 0, err
    take = takes_json(Path(out.strip().splitlines()[-1]))["slots"][0]["takes"][0]
    assert probe(take["media"]).frames == 28 * RATE
    assert _longest_frozen_run(Path(take["media"])) <= 2


def test_two_takes_are_two_chains(long_cut: Path, chain_provider: type) -> None:
    code, out, err = _fill(long_cut, "--takes", "2", "--dry-run", "--json")
    assert code == 0, err
    assert len(json.loads(out)["jobs"]) == 6
    code, out, err = _fill(long_cut, "--takes", "2")
    assert code == 0, err
    takes = takes_json(Path(out.strip().splitlines()[-1]))["slots"][0]["takes"]
    assert [t["key"] for t in takes] == ["T01", "T02"]
    assert takes[0]["media"] != takes[1]["media"]
    # six segment jobs made (each chain its own seeds, nothing reused between them)
    assert sorted(chain_provider.submitted) == sorted(
        [f"{SLOT}-S0{n}" for n in (1, 2, 3)] * 2)
    jobs = [{s["job_id"] for s in t["segments"]} for t in takes]
    assert not jobs[0] & jobs[1]
    assert all(probe(t["media"]).frames == 28 * RATE for t in takes)
