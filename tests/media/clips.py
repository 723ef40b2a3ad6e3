"""Make tiny test clips with PyAV: known colours per frame, any rate, size or codec."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

__all__ = ["frame_colour", "make_clip", "paint_index", "read_frames", "read_index"]


def frame_colour(index: int) -> tuple[int, int, int]:
    """A distinct, codec-proof colour for frame ``index`` (red ramps, green flips)."""
    return ((index * 37) % 200 + 30, 200 if index % 2 else 40, 120)


def make_clip(path: Path, *, frames: int = 12, rate: Fraction | int | str = 24,
              size: tuple[int, int] = (64, 36), codec: str = "libx264",
              pix_fmt: str = "yuv420p", pts: Sequence[int] | None = None,
              time_base: Fraction | None = None, rotation: int | None = None,
              sar: Fraction | None = None, options: dict[str, str] | None = None,
              audio_only: bool = False, timecode: str | None = None,
              paint=None, container_options: dict[str, str] | None = None) -> Path:
    """Write a clip whose frame ``i`` is filled with ``frame_colour(i)``.

    ``pts`` (with ``time_base``) makes a variable-rate clip; ``rotation`` is a
    counter-clockwise display rotation; ``paint(i, array)`` may draw on the frame.
    """
    rate = Fraction(rate)
    w, h = size
    with av.open(str(path), "w", options=container_options or {}) as out:
        if audio_only:
            stream = out.add_stream("pcm_s16le", rate=48000)
            stream.layout = "stereo"
            for i in range(frames):
                frame = av.AudioFrame(format="s16", layout="stereo", samples=2000)
                for plane in frame.planes:
                    plane.update(bytes(plane.buffer_size))
                frame.sample_rate = 48000
                frame.pts = i * 2000
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode(None):
                out.mux(packet)
            return path
        stream = out.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = w, h, pix_fmt
        tb = time_base or 1 / rate
        stream.time_base = tb
        if time_base is not None:
            stream.codec_context.time_base = tb
        if options:
            stream.codec_context.options = options
        if rotation is not None:
            stream.set_display_rotation(rotation)
        if sar is not None:
            stream.codec_context.sample_aspect_ratio = sar
        if timecode:
            stream.metadata["timecode"] = timecode
        alpha = pix_fmt in ("rgba", "argb", "bgra", "yuva420p", "yuva444p")
        for i in range(frames):
            arr = np.empty((h, w, 4 if alpha else 3), np.uint8)
            arr[..., :3] = frame_colour(i)
            if alpha:
                arr[..., 3] = 255
            if paint is not None:
                paint(i, arr)
            frame = av.VideoFrame.from_ndarray(arr, format="rgba" if alpha else "rgb24")
            frame.pts = pts[i] if pts is not None else i
            frame.time_base = tb
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def read_frames(path: Path, fmt: str = "rgb24") -> list[np.ndarray]:
    """Every decoded frame of ``path`` as an array."""
    with av.open(str(path)) as container:
        return [f.to_ndarray(format=fmt) for f in container.decode(video=0)]


_BITS = 8


def paint_index(index: int, arr: np.ndarray) -> None:
    """Write ``index`` into the frame as 8 black/white blocks across its top half."""
    h, w = arr.shape[:2]
    for bit in range(_BITS):
        x0, x1 = bit * w // _BITS, (bit + 1) * w // _BITS
        arr[: h // 2, x0:x1, :3] = 255 if (index >> bit) & 1 else 0


def read_index(arr: np.ndarray, box: tuple[int, int, int, int] | None = None) -> int:
    """The index :func:`paint_index` wrote, read from an RGB frame (or the part ``box``
    = (left, top, right, bottom) of it that shows the picture)."""
    if box is not None:
        left, top, right, bottom = box
        arr = arr[top:bottom, left:right]
    h, w = arr.shape[:2]
    value = 0
    for bit in range(_BITS):
        x = (2 * bit + 1) * w // (2 * _BITS)
        if arr[h // 4, x, :3].mean() > 128:
            value |= 1 << bit
    return value
