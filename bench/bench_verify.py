"""What the check on every write costs: fill one slot of a 2,000-event EDL and of a
2,000-clip FCP7 XML (patch + independent re-read + compare), against OTIO reading the
same file in the same run (what every Pickup command pays anyway).  Prints the ratio."""

from __future__ import annotations

import statistics
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

RATE = 24
EVENTS = 2_000


def _tc(frames: int) -> str:
    return otio.opentime.to_timecode(otio.opentime.RationalTime(frames, RATE), RATE)


def build_edl(path: Path) -> None:
    lines = ["TITLE: bench", "FCM: NON-DROP FRAME", ""]
    rec = 86400
    for n in range(1, EVENTS + 1):
        length = 24 + n % 49
        if n == EVENTS // 2:
            rec += 48  # the hole the bench fills
        lines.append(f"{n:04d}  R{n:06d} V     C        {_tc(3600 * 24)} "
                     f"{_tc(3600 * 24 + length)} {_tc(rec)} {_tc(rec + length)}")
        lines.append(f"* FROM CLIP NAME: shot_{n}")
        rec += length
    path.write_text("\n".join(lines) + "\n")


def build_xml(path: Path) -> None:
    track = otio.schema.Track(name="V1")
    for i in range(EVENTS):
        if i == EVENTS // 2:
            track.append(otio.schema.Gap(duration=otio.opentime.RationalTime(48, RATE)))
        track.append(otio.schema.Clip(
            name=f"shot_{i}",
            media_reference=otio.schema.ExternalReference(
                target_url=f"file:///m/{i}.mov", available_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(0, RATE), otio.opentime.RationalTime(96, RATE))),
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, RATE),
                                                 otio.opentime.RationalTime(24 + i % 49, RATE))))
    otio.adapters.write_to_file(otio.schema.Timeline(name="bench", tracks=[track]), str(path),
                                adapter_name="fcp_xml")


def _run(src: Path, media: Path, suffix: str) -> tuple[float, float, float]:
    """(OTIO read, Pickup write without the check, the check) in seconds."""
    from pickup.media.probe import probe
    from pickup.timeline import PlacedMedia, Placement, find_slots, place_all, read_timeline
    from pickup.timeline.verify import verify
    from pickup.timeline.writeback import get_patcher

    t = time.perf_counter()
    loaded = read_timeline(src)
    read_s = time.perf_counter() - t
    slot = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame,
                      all_gaps=True)[0]
    info = probe(media)
    place = Placement(slot=slot, media=PlacedMedia(path=info.path, frames=info.frames,
                                                   rate=Fraction(info.rate)))
    edited = place_all(loaded.timeline, [place])
    out = src.with_name(f"out{suffix}")
    t = time.perf_counter()
    get_patcher(loaded.format.name).write(loaded, edited, [place], out)
    write_s = time.perf_counter() - t
    t = time.perf_counter()
    report = verify(src, out, loaded.format.name, names={place.name: slot.id})
    check_s = time.perf_counter() - t
    assert report.ok and len(report.slots) == 1, report.outside
    return read_s, write_s, check_s


def main() -> None:
    from tests.conftest import make_video_file

    with tempfile.TemporaryDirectory(prefix="pickup-bench-verify-") as folder:
        root = Path(folder)
        media = make_video_file(root / "take.mov", 48, rate=RATE)
        for name, build, suffix in (("EDL", build_edl, ".edl"), ("FCP7 XML", build_xml, ".xml")):
            src = root / f"cut{suffix}"
            build(src)
            runs = [_run(src, media, suffix) for _ in range(3)]
            read_s, write_s, check_s = (statistics.median(r[i] for r in runs) for i in range(3))
            print(f"{name}, {EVENTS} events, 1 slot: OTIO read {read_s * 1000:.0f} ms, "
                  f"patch {write_s * 1000:.0f} ms, independent check {check_s * 1000:.0f} ms; "
                  f"check / OTIO read = {check_s / read_s:.2f}x")


if __name__ == "__main__":
    main()
