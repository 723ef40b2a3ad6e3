"""Scan + place 500 slots + write a 10,000-clip, 8-track timeline, against OTIO's own
read + write of the same file in the same run.  Prints the ratio and peak memory."""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from pickup.timeline import PlacedMedia, Placement, find_slots, place_all, read_timeline
from pickup.timeline.writeback import write_back

RATE = 24
TRACKS = 8
CLIPS = 10_000
SLOTS = 500


def build(path: Path) -> None:
    """Clips of 24-72 frames; every 20th item of a track is a GEN-marked gap."""
    per_track = CLIPS // TRACKS
    marked_per_track = SLOTS // TRACKS + 1
    made = 0
    tracks = []
    for t in range(TRACKS):
        track = otio.schema.Track(name=f"V{t + 1}")
        for i in range(per_track):
            frames = 24 + (i * 7 + t) % 49
            track.append(otio.schema.Clip(
                name=f"shot_{t}_{i}",
                media_reference=otio.schema.ExternalReference(target_url=f"/m/{t}_{i}.mov"),
                source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, RATE),
                                                     otio.opentime.RationalTime(frames, RATE))))
            if i % 16 == 8 and made < SLOTS and (i // 16) < marked_per_track:
                gap = otio.schema.Gap(duration=otio.opentime.RationalTime(48, RATE))
                gap.markers.append(otio.schema.Marker(name=f"GEN insert: detail {made}"))
                track.append(gap)
                made += 1
        tracks.append(track)
    tl = otio.schema.Timeline(name="bench", tracks=tracks)
    otio.adapters.write_to_file(tl, str(path))


def _time(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = folder / "big.otio"
        build(src)
        media = folder / "take.mov"
        media.write_bytes(b"")  # place_all does not open media; write-back only links it
        placed = PlacedMedia(path=media, frames=48, rate=Fraction(RATE), width=1920, height=1080)

        def peer() -> None:
            tl = otio.adapters.read_from_file(str(src))
            otio.adapters.write_to_file(tl, str(folder / "peer.otio"))

        def pickup() -> None:
            loaded = read_timeline(src)
            slots = find_slots(loaded.timeline, rate=loaded.rate)
            assert len(slots) == SLOTS, len(slots)
            placements = [Placement(slot=s, media=placed) for s in slots]
            edited = place_all(loaded.timeline, placements, in_place=True)
            write_back(loaded, edited, placements, folder / "out.otio")

        peer()  # warm caches, plugin manifests
        peer_s = min(_time(peer) for _ in range(2))
        ours_s = min(_time(pickup) for _ in range(2))
        tracemalloc.start()
        pickup()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        tracemalloc.start()
        peer()
        _, peer_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"timeline: {CLIPS} clips, {TRACKS} tracks, {SLOTS} marked slots")
        print(f"  OTIO read+write        {peer_s:7.2f} s   peak {peer_peak / 2**20:6.1f} MiB")
        print(f"  pickup scan+place+write {ours_s:6.2f} s   peak {peak / 2**20:6.1f} MiB")
        print(f"  ratio pickup/OTIO       {ours_s / peer_s:6.2f}x   (goal <= 1.5x)")


if __name__ == "__main__":
    main()
