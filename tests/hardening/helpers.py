"""Helpers of the hardening tests: run the CLI in a child process under a fault."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_CHILD = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[1])
if limit >= 0:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
from pickup.cli import main
sys.exit(main(sys.argv[2:]))
"""


def run_cli(argv: Sequence[str], *, fsize: int = -1, timeout: float = 60,
            env: dict[str, str] | None = None, cwd: Path | None = None
            ) -> subprocess.CompletedProcess[str]:
    """``pickup ARGV`` in a child process, with RLIMIT_FSIZE at ``fsize`` bytes (-1: none)
    and SIGXFSZ ignored so that a write past the limit fails with EFBIG."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-c", _CHILD, str(fsize), *map(str, argv)],
                          capture_output=True, text=True, timeout=timeout, env=full_env,
                          cwd=cwd)


def one_line_error(text: str) -> bool:
    """stderr is one ``pickup: error:`` line (plus any info lines), no traceback."""
    return "Traceback" not in text and "pickup: error:" in text


def make_demo(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import make_example
    finally:
        sys.path.pop(0)
    return make_example.build(folder)


@contextlib.contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """RLIMIT_FSIZE at ``limit`` bytes in this process, SIGXFSZ ignored (a write past the
    limit fails with EFBIG), both restored afterwards."""
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, old[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old)
        signal.signal(signal.SIGXFSZ, old_handler)


def cut_text(start: float | None = None, slot_id: str | None = None) -> str:
    """OTIO JSON of a cut: clip A (24 f), a 6-frame gap marked "GEN establishing: a farm"
    (carrying ``metadata.pickup.slot_id`` when given), clip B (24 f), all offline;
    ``start`` frames as the global start time."""
    import opentimelineio as otio

    rt, tr = otio.opentime.RationalTime, otio.opentime.TimeRange
    tl = otio.schema.Timeline(name="t")
    track = otio.schema.Track()
    tl.tracks.append(track)
    track.append(otio.schema.Clip(name="A", source_range=tr(rt(0, 24), rt(24, 24)),
                                  media_reference=otio.schema.MissingReference()))
    gap = otio.schema.Gap(source_range=tr(rt(0, 24), rt(6, 24)))
    gap.markers.append(otio.schema.Marker(name="GEN establishing: a farm",
                                          marked_range=tr(rt(0, 24), rt(6, 24))))
    if slot_id is not None:
        gap.metadata["pickup"] = {"slot_id": slot_id}
    track.append(gap)
    track.append(otio.schema.Clip(name="B", source_range=tr(rt(0, 24), rt(24, 24)),
                                  media_reference=otio.schema.MissingReference()))
    if start is not None:
        tl.global_start_time = rt(start, 24)
    return otio.adapters.write_to_string(tl)
