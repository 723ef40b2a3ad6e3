"""Scan of a 200,000-event EDL (``EDL_EVENTS`` changes the size), against OTIO's
cmx_3600 adapter reading the same file alone and pycmx parsing it alone, each in a fresh
interpreter in the same run.  Prints wall/CPU time, peak memory and the ratios.

``pickup scan`` = read (OTIO's cmx_3600 adapter, rate detection, the sanity checks of
:mod:`pickup.timeline.sanity`) + slot finding, so the ratio to "OTIO read alone" is
what Pickup adds on top of the reader it uses.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

EVENTS = int(os.environ.get("EDL_EVENTS", "200000"))


def _tc(frames: int, rate: int = 24) -> str:
    return (f"{frames // (3600 * rate):02d}:{frames // (60 * rate) % 60:02d}:"
            f"{frames // rate % 60:02d}:{frames % rate:02d}")


def build(path: Path, events: int) -> None:
    """Events of 2-4 frames from 01:00:00:00, with a 2-frame hole after every 50th."""
    lines = ["TITLE: big", "FCM: NON-DROP FRAME", ""]
    rec = 3600 * 24
    for i in range(1, events + 1):
        dur = 2 + i % 3
        if i % 50 == 25:
            rec += 2
        lines.append(f"{i:06d}  A{i % 999:03d}     V     C        00:00:00:00 {_tc(dur)} "
                     f"{_tc(rec)} {_tc(rec + dur)}")
        lines.append(f"* FROM CLIP NAME: shot_{i}")
        rec += dur
    path.write_text("\n".join(lines) + "\n")


_TAIL = """
print(time.perf_counter() - t, time.process_time() - c,
      [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')][0], n)
"""
_OTIO = """
import sys, time
import opentimelineio as otio
t, c = time.perf_counter(), time.process_time()
tl = otio.adapters.read_from_file(sys.argv[1], adapter_name="cmx_3600", rate=24)
n = len(tl.video_tracks()[0])
""" + _TAIL
_PYCMX = """
import sys, time
import pycmx
t, c = time.perf_counter(), time.process_time()
with open(sys.argv[1]) as f:
    edl = pycmx.parse_cmx3600(f)
n = sum(1 for _ in edl.events)
""" + _TAIL
_OURS = """
import sys, time
from pickup.timeline import find_slots, read_timeline
t, c = time.perf_counter(), time.process_time()
loaded = read_timeline(sys.argv[1])
n = len(find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame,
                   all_gaps=True))
""" + _TAIL


def _run(code: str, *args: str) -> tuple[float, float, float, int]:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                          text=True, check=True)
    wall, cpu, rss_kib, n = proc.stdout.split()
    return float(wall), float(cpu), float(rss_kib) / 1024, int(n)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "big.edl"
        build(src, EVENTS)
        rows = {"pycmx parse alone": _run(_PYCMX, str(src)),
                "OTIO cmx_3600 read alone": _run(_OTIO, str(src)),
                "pickup scan (read+slots)": _run(_OURS, str(src))}
        print(f"EDL: {EVENTS:,} events, {src.stat().st_size / 1e6:.1f} MB (one run each)")
        for name, (wall, cpu, rss, n) in rows.items():
            print(f"  {name:26s} CPU {cpu:6.2f} s  wall {wall:6.2f} s  peak RSS {rss:5.0f} MiB"
                  f"  ({n:,} items)")
        ours, otio_read, pycmx = (rows["pickup scan (read+slots)"],
                                  rows["OTIO cmx_3600 read alone"], rows["pycmx parse alone"])
        print(f"  ratio pickup/OTIO read   {ours[1] / otio_read[1]:5.2f}x CPU, "
              f"{ours[2] / otio_read[2]:5.2f}x memory")
        print(f"  ratio pickup/pycmx       {ours[1] / pycmx[1]:5.2f}x CPU, "
              f"{ours[2] / pycmx[2]:5.2f}x memory")


if __name__ == "__main__":
    main()
