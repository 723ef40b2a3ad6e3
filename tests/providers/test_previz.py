"""The offline previz provider: exact clips, deterministic, PREVIZ on every frame, moves."""

from __future__ import annotations

import itertools
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from pickup.errors import CancelledError, ConfigError
from pickup.media.conform import ConformTarget, conform
from pickup.media.probe import probe
from pickup.providers.base import JobHandle, Provider, ShotRequest, State
from pickup.providers.previz import PrevizProvider, render_previz
from pickup.providers.registry import get_provider

NTSC = Fraction(24000, 1001)
RED = (200, 40, 40)
BLUE = (40, 40, 200)


def _req(**kw: object) -> ShotRequest:
    base: dict[str, object] = {"slot_id": "V1-01000412", "prompt": "x", "kind": "insert",
                               "frames": 24, "rate": NTSC, "width": 320, "height": 180,
                               "seed": 7}
    base.update(kw)
    return ShotRequest(**base)  # type: ignore[arg-type]


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def _still(path: Path, rgb: tuple[int, int, int]) -> Path:
    Image.new("RGB", (192, 108), rgb).save(path)
    return path


def _redness(frame: np.ndarray, rows: slice, cols: slice) -> float:
    patch = frame[rows, cols].reshape(-1, 3).astype(float).mean(axis=0)
    return float(patch[0] / (patch[0] + patch[2]))


def test_is_a_registered_provider() -> None:
    provider = get_provider("previz")
    assert isinstance(provider, PrevizProvider) and isinstance(provider, Provider)
    caps = provider.capabilities(None)
    assert caps.local and caps.first_frame and caps.last_frame and caps.price_per_second == 0
    assert provider.estimate_cost(_req()) == 0.0


@pytest.mark.parametrize(("profile", "codec", "suffix"), [
    ("prores_hq", "prores", ".mov"), ("dnxhr_hq", "dnxhd", ".mxf"), ("h264", "h264", ".mp4")])
def test_submit_poll_fetch_makes_the_exact_clip(tmp_path: Path, profile: str, codec: str,
                                                suffix: str) -> None:
    provider = PrevizProvider(profile=profile)
    req = _req(frames=30)
    provider.validate(req)
    handle = provider.submit(req, tmp_path / "work")
    handle = JobHandle.from_json(handle.to_json())  # survives the journal
    status = provider.poll(handle)
    assert status.state is State.SUCCEEDED and status.progress == 1.0
    paths = provider.fetch(handle, status, tmp_path / "takes")
    assert len(paths) == 1 and paths[0].parent == tmp_path / "takes"
    assert paths[0].suffix == suffix
    info = probe(paths[0])
    assert (info.frames, info.rate, info.width, info.height, info.codec) == (
        30, NTSC, 320, 180, codec)
    assert len(_frames(paths[0])) == 30
    assert not list((tmp_path / "work").iterdir())  # moved, not copied


def test_profile_from_the_request_and_a_cheap_conform(tmp_path: Path) -> None:
    provider = PrevizProvider()
    req = _req(frames=20, extra={"profile": "dnxhr_hq"})
    handle = provider.submit(req, tmp_path)
    out = Path(provider.poll(handle).outputs[0])
    assert probe(out).codec == "dnxhd"
    target = ConformTarget(frames=20, rate=NTSC, width=320, height=180, profile="dnxhr_hq",
                           timecode="01:00:04:12", slot_id=req.slot_id)
    info = conform(out, target, tmp_path / "conformed.mxf")

    def packets(path: Path) -> list[bytes]:
        with av.open(str(path)) as c:
            return [bytes(p) for p in c.demux(video=0) if p.size]
    assert packets(out) == packets(info.path)  # copied, not re-encoded
    assert info.start_timecode == "01:00:04:12"


def test_same_request_and_seed_give_identical_frames(tmp_path: Path) -> None:
    a = render_previz(_req(), tmp_path / "a.mov")
    b = render_previz(_req(), tmp_path / "b.mov")
    c = render_previz(_req(seed=8), tmp_path / "c.mov")
    fa, fb, fc = _frames(a), _frames(b), _frames(c)
    assert all(np.array_equal(x, y) for x, y in zip(fa, fb, strict=True))
    assert not all(np.array_equal(x, y) for x, y in zip(fa, fc, strict=True))


def test_every_frame_says_previz_with_a_running_timecode(tmp_path: Path) -> None:
    out = render_previz(_req(frames=12, extra={"timecode": "01:00:04:12"}),
                        tmp_path / "p.mov")
    frames = _frames(out)
    band = [f[140:180].astype(int) for f in frames]  # the burn-in at the bottom
    dark = band[0].mean(axis=2) < 25  # the burn-in's black box
    per_row = dark.sum(axis=1)
    rows = np.nonzero((per_row > 40) & (per_row < 300))[0]  # not the frame guide's shadow
    cols = np.nonzero(dark[rows[0]:rows[-1] + 1].sum(axis=0) > len(rows) // 3)[0]
    runs = np.split(cols, np.nonzero(np.diff(cols) > 3)[0] + 1)
    cols = max(runs, key=len)  # the box, not the frame guide's shadow at the edges
    box = [b[rows[0] + 2:rows[-1] - 1, cols[0] + 2:cols[-1] - 1] for b in band]
    assert all((b.mean(axis=2) > 180).sum() > 50 for b in box)  # text in every frame
    label, digits = slice(0, 60), slice(-40, None)  # "PREVIZ" starts it, the frames end it
    for b in box[1:]:
        assert np.abs(b[:, label] - box[0][:, label]).max() < 12  # the same label
        assert np.abs(b[:, digits] - box[0][:, digits]).max() > 60  # a running timecode
    # the big title is in every frame too, even as the camera moves
    title = [f[10:50, 10:120].mean(axis=2) > 200 for f in frames]
    assert title[0].sum() > 300
    assert all((t != title[0]).mean() < 0.02 for t in title)  # only anti-aliasing differs


def test_card_is_coloured_from_the_neighbour_frames(tmp_path: Path) -> None:
    req = _req(first_frame=_still(tmp_path / "out.png", RED),
               last_frame=_still(tmp_path / "in.png", BLUE))
    frame = _frames(render_previz(req, tmp_path / "p.mov"))[0]
    left = _redness(frame, slice(100, 140), slice(10, 60))
    right = _redness(frame, slice(100, 140), slice(260, 310))
    assert left > 0.6 > 0.4 > right


def test_camera_moves_follow_the_kind(tmp_path: Path) -> None:
    stills = {"first_frame": _still(tmp_path / "o.png", RED),
              "last_frame": _still(tmp_path / "i.png", BLUE)}
    centre = (slice(100, 140), slice(140, 200))
    change = {}
    for kind in ("stunt", "insert", "establishing"):
        frames = _frames(render_previz(_req(kind=kind, **stills), tmp_path / f"{kind}.mov"))
        change[kind] = abs(_redness(frames[0], *centre) - _redness(frames[-1], *centre))
        if kind == "establishing":  # push-in: the edges close in on the centre colour
            edge = (slice(100, 140), slice(0, 12))
            assert _redness(frames[0], *edge) - _redness(frames[-1], *edge) > 0.02
    assert change["stunt"] > 0.15  # a fast pan sweeps across the card
    assert change["insert"] < 0.08  # a slow drift barely moves
    assert change["establishing"] < 0.03  # a centred push-in keeps the centre


def test_bridge_dissolves_from_outgoing_to_incoming(tmp_path: Path) -> None:
    req = _req(kind="cutaway", first_frame=_still(tmp_path / "o.png", RED),
               last_frame=_still(tmp_path / "i.png", BLUE))
    frames = _frames(render_previz(req, tmp_path / "b.mov", mode="bridge"))
    patch = (slice(100, 140), slice(200, 300))
    values = [_redness(f, *patch) for f in frames]
    assert values[0] > 0.75 and values[-1] < 0.25
    assert all(b <= a + 0.01 for a, b in itertools.pairwise(values))  # a steady dissolve


def test_cancel_leaves_nothing(tmp_path: Path) -> None:
    event = threading.Event()
    event.set()
    with pytest.raises(CancelledError):
        render_previz(_req(), tmp_path / "c.mov", cancel=event)
    assert list(tmp_path.iterdir()) == []


def test_validation_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="mode"):
        PrevizProvider(mode="storyboard")
    with pytest.raises(ConfigError, match="profile"):
        PrevizProvider(profile="gif")
    odd = render_previz(_req(width=321, height=181, frames=3), tmp_path / "odd.mov")
    assert (probe(odd).width, probe(odd).height) == (321, 181)
    provider = PrevizProvider(profile="h264")
    with pytest.raises(ConfigError, match="even width") as err:
        provider.validate(_req(width=321))
    assert "V1-01000412" in str(err.value)
    with pytest.raises(ConfigError, match="first frame"):
        provider.validate(_req(first_frame=tmp_path / "missing.png"))
    with pytest.raises(ConfigError):
        provider.submit(_req(frames=0), tmp_path)
