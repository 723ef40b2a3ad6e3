"""Join conformed segments into one clip: a straight cut or a short dissolve at each join.

Each segment after the first has a ``lead``: frames at its head that the join does not
add as they are.  With ``cut`` they are dropped (a segment that continues from the
previous one's last frame starts on that same frame); with ``dissolve`` they are mixed
with the previous segment's last ``lead`` frames (linear, ``(i + 1) / (lead + 1)``).
The result is written losslessly for the conform, one frame in memory at a time
(plus the ``lead`` frames a dissolve holds back).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from pickup.errors import CancelledError, MediaError
from pickup.media.handles import write_lossless
from pickup.media.probe import closing_iter, probe

__all__ = ["JOINS", "join_segments"]

JOINS = ("cut", "dissolve")


def _frames(path: Path) -> Iterator[av.VideoFrame]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        decoded = container.decode(stream)
        with closing_iter(decoded):
            yield from decoded


def _mix(a: av.VideoFrame, b: av.VideoFrame, weight: float) -> av.VideoFrame:
    x = a.to_ndarray(format="rgb48le").astype(np.float32)
    y = b.reformat(width=a.width, height=a.height).to_ndarray(format="rgb48le")
    mixed = np.clip((1 - weight) * x + weight * y.astype(np.float32) + 0.5, 0, 65535)
    return av.VideoFrame.from_ndarray(mixed.astype(np.uint16), format="rgb48le")


def _joined(paths: Sequence[Path], leads: Sequence[int], mode: str,
            cancel: threading.Event | None) -> Iterator[av.VideoFrame]:
    held: deque[av.VideoFrame] = deque()
    for index, path in enumerate(paths):
        lead = leads[index] if index else 0
        keep_back = leads[index + 1] if mode == "dissolve" and index + 1 < len(paths) else 0
        for n, frame in enumerate(_frames(path)):
            if cancel is not None and cancel.is_set():
                raise CancelledError("cancelled")
            if n < lead:
                if mode == "dissolve":
                    if not held:
                        raise MediaError("a dissolve needs the previous segment's frames",
                                         where=str(path))
                    yield _mix(held.popleft(), frame, (n + 1) / (lead + 1))
                continue
            if keep_back:
                held.append(frame)
                if len(held) > keep_back:
                    yield held.popleft()
            else:
                yield frame
        if mode == "dissolve" and index + 1 < len(paths) and len(held) < keep_back:
            raise MediaError(f"segment {index + 1} is shorter than its dissolve",
                             where=str(path))
    yield from held


def join_segments(paths: Sequence[Path], leads: Sequence[int], dest: Path, *,
                  mode: str = "cut", cancel: threading.Event | None = None) -> int:
    """Write the segments at ``paths`` joined by ``mode`` into ``dest`` (lossless, the first
    segment's size, rate and pixel format); returns the frames written."""
    if mode not in JOINS:
        raise MediaError(f"unknown join {mode!r}; use {' or '.join(JOINS)}")
    if not paths:
        raise MediaError("nothing to join")
    first = probe(paths[0])
    return write_lossless(_joined(list(paths), list(leads), mode, cancel), dest,
                          rate=Fraction(first.rate), width=first.width, height=first.height,
                          pix_fmt=first.pix_fmt or "yuv422p10le")
