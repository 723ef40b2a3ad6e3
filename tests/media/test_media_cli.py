"""`pickup conform`, `pickup sheet` and `pickup place --hold` end to end, through main()."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
from PIL import Image

from pickup.cli import main
from pickup.media.probe import probe
from pickup.media.sheet import ACTIVE_COLOUR, contact_sheet
from pickup.timeline import find_slots, read_timeline
from tests.media.clips import make_clip, paint_index, read_frames, read_index

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ pickup conform


def test_conform_cli_prints_the_output_last(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    src = make_clip(tmp_path / "src.mp4", frames=60, rate=30, size=(128, 72), paint=paint_index)
    code, out, err = _run(capsys, "conform", str(src), "-o", str(tmp_path / "shot"),
                          "--frames", "40", "--rate", "23.976", "--size", "320x180",
                          "--profile", "dnxhr_hq", "--timecode", "01:00:00:00",
                          "--handles", "4", "--audio", "--fit", "fill")
    assert code == 0, err
    written = Path(out.strip().splitlines()[-1])
    assert written == tmp_path / "shot.mxf"
    info = probe(written)
    assert (info.frames, info.rate, info.width, info.height) == (48, Fraction(24000, 1001),
                                                                 320, 180)
    assert info.codec == "dnxhd" and info.start_timecode == "01:00:00:00"
    assert info.audio_streams == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--rate", "fast"], "not a frame rate"),
    (["--size", "big"], "not a size"),
    (["--frames", "0"], "1 or more"),
    (["--timecode", "1:2"], "not a timecode"),
    (["--timecode", "01:00:00:30"], "past 23"),
    (["--profile", "dnxhr_hq", "--rate", "16"], "cannot hold 16"),
])
def test_conform_cli_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       args: list[str], message: str) -> None:
    src = make_clip(tmp_path / "src.mp4", frames=5)
    base = {"--frames": "10", "--rate": "24", "--size": "128x72"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    argv = ["conform", str(src), "-o", str(tmp_path / "o.mov")]
    for key, value in base.items():
        argv += [key, value]
    code, _out, err = _run(capsys, *argv)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "o.mov").exists()


def test_conform_cli_missing_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "conform", str(tmp_path / "nope.mov"), "-o",
                        str(tmp_path / "o.mov"), "--frames", "5", "--rate", "24",
                        "--size", "128x72")
    assert code == 2 and "no such media file" in err and len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------ timelines


def _clip(name: str, media: Path | None, start: int, duration: int, rate: float = 24,
          available: TR | None = None) -> otio.schema.Clip:
    ref: otio.core.MediaReference
    if media is None:
        ref = otio.schema.MissingReference()
    else:
        ref = otio.schema.ExternalReference(target_url=media.resolve().as_uri(),
                                            available_range=available)
    return otio.schema.Clip(name=name, media_reference=ref,
                            source_range=TR(RT(start, rate), RT(duration, rate)))


def _timeline(tmp_path: Path, before: otio.schema.Clip, gap: int, after: otio.schema.Clip,
              mark: str = "GEN insert: a cup of tea on the table") -> Path:
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    track.append(before)
    hole = otio.schema.Gap(source_range=TR(RT(0, 24), RT(gap, 24)))
    hole.markers.append(otio.schema.Marker(name=mark, marked_range=TR(RT(0, 24), RT(0, 24))))
    track.append(hole)
    track.append(after)
    timeline = otio.schema.Timeline(name="cut")
    timeline.tracks.append(track)
    timeline.global_start_time = RT(86400, 24)
    path = tmp_path / "cut.otio"
    otio.adapters.write_to_file(timeline, str(path))
    return path


def test_place_hold_conforms_a_short_clip_into_the_slot(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tl = _timeline(tmp_path, _clip("a", None, 0, 24), 48, _clip("b", None, 0, 24))
    short = make_clip(tmp_path / "short.mp4", frames=20, rate=24, size=(128, 72),
                      paint=paint_index)
    slot = find_slots(read_timeline(tl).timeline, rate=24, start_frame=86400)[0]
    assert slot.duration == 48
    code, _, err = _run(capsys, "place", str(tl), slot.id, str(short), "-o",
                        str(tmp_path / "out.otio"))
    assert code == 2 and "--hold" in err  # too short without --hold
    code, out, err = _run(capsys, "place", str(tl), slot.id, str(short), "--hold", "-o",
                          str(tmp_path / "out.otio"))
    assert code == 0, err
    assert Path(out.strip().splitlines()[-1]) == tmp_path / "out.otio"
    placed = otio.adapters.read_from_file(str(tmp_path / "out.otio"))
    clip = next(c for c in placed.find_clips() if c.name.startswith(slot.id))
    held = Path(otio.url_utils.filepath_from_url(clip.media_reference.target_url))
    assert held.parent == tmp_path / "cut.pickup" / "media"
    info = probe(held)
    assert (info.frames, info.rate, info.codec) == (48, Fraction(24), "prores")
    assert info.slot_id == slot.id
    assert [read_index(f) for f in read_frames(held)] == list(range(20)) + [19] * 28
    assert clip.source_range.duration.to_frames() == 48


# ------------------------------------------------------------------ pickup sheet


def _solid_clip(path: Path, rgb: tuple[int, int, int]) -> Path:
    def paint(_: int, arr: np.ndarray) -> None:
        arr[..., :3] = rgb
    return make_clip(path, frames=12, size=(128, 72), paint=paint)


def test_sheet_shows_every_take_and_highlights_the_active_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    red = _solid_clip(tmp_path / "t1.mp4", (220, 30, 30))
    blue = _solid_clip(tmp_path / "t2.mp4", (30, 30, 220))
    filled = otio.schema.Clip(name="V1-01000100_T02",
                              source_range=TR(RT(0, 24), RT(12, 24)))
    filled.set_media_references({
        "PLACEHOLDER": otio.schema.MissingReference(),
        "T01": otio.schema.ExternalReference(target_url=red.resolve().as_uri()),
        "T02": otio.schema.ExternalReference(target_url=blue.resolve().as_uri()),
        "T03": otio.schema.ExternalReference(target_url=(tmp_path / "gone.mov").as_uri()),
    }, "T02")
    filled.metadata["pickup"] = {"slot_id": "V1-01000100", "kind": "insert",
                                 "prompt": "a cup of tea", "mark": "marker"}
    tl = _timeline(tmp_path, filled, 24, _clip("b", None, 0, 24),
                   mark="GEN establishing: the farm at dawn")
    code, out, err = _run(capsys, "sheet", str(tl), "-o", str(tmp_path / "sheet.png"))
    assert code == 0, err
    assert Path(out.strip().splitlines()[-1]) == tmp_path / "sheet.png"
    loaded = read_timeline(tl)
    slots = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame)
    # the filled clip keeps the id it was given; the gap after it is at 01:00:00:12
    assert [s.id for s in slots] == ["V1-01000100", "V1-01000012"]
    sheet = contact_sheet(loaded, slots, tmp_path / "again.png")
    image = np.asarray(Image.open(sheet.path).convert("RGB"))
    assert image.shape[:2] == (sheet.height, sheet.width)
    cells = {(c.slot_id, c.key): c for c in sheet.cells}
    assert cells[("V1-01000012", None)].status == "empty"
    assert [k for s, k in cells if s == "V1-01000100"] == ["T01", "T02", "T03", "PLACEHOLDER"]

    def centre(cell) -> np.ndarray:  # type: ignore[no-untyped-def]
        left, top, right, bottom = cell.box
        return image[(top + bottom) // 2, (left + right) // 2]

    t1, t2, t3 = (cells[("V1-01000100", k)] for k in ("T01", "T02", "T03"))
    assert np.abs(centre(t1).astype(int) - (220, 30, 30)).max() < 30
    assert np.abs(centre(t2).astype(int) - (30, 30, 220)).max() < 30
    assert t3.status == "offline"
    assert t2.active and not t1.active
    left, top, _, _ = t2.box
    assert tuple(image[top - 2, left + 20]) == ACTIVE_COLOUR  # the active take's frame
    assert tuple(t1.box) != tuple(t2.box)
    assert tuple(image[t1.box[1] - 2, t1.box[0] + 20]) != ACTIVE_COLOUR
    assert Image.open(tmp_path / "sheet.png").size == (sheet.width, sheet.height)


def test_sheet_bad_output_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tl = _timeline(tmp_path, _clip("a", None, 0, 24), 24, _clip("b", None, 0, 24))
    code, _, err = _run(capsys, "sheet", str(tl), "-o", str(tmp_path / "sheet.jpg"))
    assert code == 2 and ".png" in err
