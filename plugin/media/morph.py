"""In-between frames from two pictures by dense optical flow (a morph cut).

The outgoing shot's last frame ``a`` and the incoming shot's first frame ``b`` are
matched both ways with OpenCV's DIS optical flow (``a -> b`` and ``b -> a``, on luma,
computed at most :data:`FLOW_WIDTH` pixels wide and scaled up: the flow of a picture is
smooth, and this makes a 1080p morph about five times faster);
frame ``k`` of ``n`` (``t = (k + 1) / (n + 1)``) is ``a`` warped forward by ``t`` of
its flow, blended with ``b`` warped back by ``1 - t`` of its flow, weighted ``1 - t`` and
``t``.  This is the technique of Resolve's Smooth Cut and Premiere's Morph Cut, and
works for what they are meant for: short gaps between similar pictures (a jump cut in
an interview, a small reframing).

Speed: the two pictures are read, the two flows computed and the frames made two at a
time (each frame depends only on the flows); the warps run on four-channel copies
(OpenCV's vectorised path, the same pixels as three channels); the lossless writer
encodes on its own frame threads while the next frames are made.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from pickup.errors import CancelledError, MediaError

__all__ = ["FLOW_WIDTH", "WORKERS", "morph_frames", "render_morph"]

FLOW_WIDTH = 640
#: frames made at once (the flows are shared, read only)
WORKERS = 2


def _cv2():  # type: ignore[no-untyped-def]
    try:
        import cv2
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise MediaError("morph needs OpenCV (pip install opencv-python-headless)") from None
    return cv2


def _flow(cv2, a_grey: np.ndarray, b_grey: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Dense flow from ``a_grey`` to ``b_grey`` at full size (pixels), computed at most
    FLOW_WIDTH wide."""
    h, w = a_grey.shape
    scale = min(1.0, FLOW_WIDTH / w)
    if scale < 1.0:
        size = (max(8, round(w * scale)), max(8, round(h * scale)))
        a_grey = cv2.resize(a_grey, size, interpolation=cv2.INTER_AREA)
        b_grey = cv2.resize(b_grey, size, interpolation=cv2.INTER_AREA)
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    flow = dis.calc(a_grey, b_grey, None)
    if scale < 1.0:
        flow = cv2.resize(flow, (w, h), interpolation=cv2.INTER_LINEAR) * np.float32(1 / scale)
    return flow


def morph_frames(a: np.ndarray, b: np.ndarray, count: int, *,
                 cancel: threading.Event | None = None,
                 workers: int = WORKERS) -> Iterator[np.ndarray]:
    """``count`` in-between RGB frames from ``a`` to ``b`` (same-size uint8 arrays), in
    order.  The two flows, and then the frames (each depends only on the flows), are
    made ``workers`` at a time (OpenCV works without Python's lock); at most
    ``workers + 1`` frames are held ahead of the caller."""
    if a.shape != b.shape:
        raise MediaError(f"the two pictures differ in size: {a.shape} vs {b.shape}")
    cv2 = _cv2()
    cv2.setNumThreads(2)
    a_grey = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY)
    b_grey = cv2.cvtColor(b, cv2.COLOR_RGB2GRAY)
    h, w = a_grey.shape
    with ThreadPoolExecutor(max_workers=max(1, workers),
                            thread_name_prefix="pickup-morph") as pool:
        back = pool.submit(_flow, cv2, b_grey, a_grey)
        flow_ab = _flow(cv2, a_grey, b_grey)  # where each pixel of a went in b
        flow_ba = back.result()
        grid = np.empty((h, w, 2), dtype=np.float32)  # each pixel's own (x, y)
        grid[..., 0] = np.arange(w, dtype=np.float32)
        grid[..., 1] = np.arange(h, dtype=np.float32)[:, None]
        # warped with a fourth (unused) channel: OpenCV's four-channel remap is
        # vectorised, twice as fast as three channels, and gives the same pixels
        a4 = cv2.cvtColor(a, cv2.COLOR_RGB2RGBA)
        b4 = cv2.cvtColor(b, cv2.COLOR_RGB2RGBA)

        # each worker warps into its own buffers, made once: fresh 1080p arrays for
        # every map and warp cost page faults that took as long as the warps
        scratch = threading.local()

        def frame(k: int) -> np.ndarray:
            buf = scratch.__dict__
            if not buf:
                buf.update(map=np.empty((h, w, 2), np.float32),
                           from_a=np.empty((h, w, 4), np.uint8),
                           from_b=np.empty((h, w, 4), np.uint8),
                           blend=np.empty((h, w, 4), np.uint8))
            t = (k + 1) / (count + 1)
            # backward warps: the pixel at x at time t came from x - t*F_ab in a, and
            # from x - (1 - t)*F_ba in b (the flows sampled at x approximate those at t);
            # maps as one two-channel array, x - t*F, computed by OpenCV
            cv2.scaleAdd(flow_ab, -t, grid, dst=buf["map"])
            cv2.remap(a4, buf["map"], None, cv2.INTER_LINEAR, dst=buf["from_a"],
                      borderMode=cv2.BORDER_REPLICATE)
            cv2.scaleAdd(flow_ba, t - 1, grid, dst=buf["map"])
            cv2.remap(b4, buf["map"], None, cv2.INTER_LINEAR, dst=buf["from_b"],
                      borderMode=cv2.BORDER_REPLICATE)
            cv2.addWeighted(buf["from_a"], 1 - t, buf["from_b"], t, 0, dst=buf["blend"])
            return cv2.cvtColor(buf["blend"], cv2.COLOR_RGBA2RGB,
                                dst=np.empty((h, w, 3), np.uint8))

        ahead: deque[Future[np.ndarray]] = deque()
        try:
            for k in range(count):
                if cancel is not None and cancel.is_set():
                    raise CancelledError("cancelled")
                ahead.append(pool.submit(frame, k))
                if len(ahead) > max(1, workers):
                    yield ahead.popleft().result()
            while ahead:
                if cancel is not None and cancel.is_set():
                    raise CancelledError("cancelled")
                yield ahead.popleft().result()
        finally:
            for pending in ahead:
                pending.cancel()


def _picture(path: Path, width: int, height: int) -> np.ndarray:
    """The picture at ``path`` as ``height`` x ``width`` RGB uint8.

    An 8-bit RGB picture at that size (the neighbour frames Pickup extracts) is read by
    OpenCV, which decodes a 1080p PNG in about two thirds of Pillow's time and lets the
    other picture be read at the same time; anything else goes through Pillow."""
    cv2 = _cv2()
    data = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if (data is not None and data.dtype == np.uint8 and data.ndim == 3
            and data.shape == (height, width, 3)):
        return cv2.cvtColor(data, cv2.COLOR_BGR2RGB)
    try:
        with Image.open(path) as img:
            img = img.convert("RGB")
            if img.size != (width, height):
                img = img.resize((width, height), Image.Resampling.LANCZOS)
            return np.asarray(img)
    except OSError as exc:
        raise MediaError(f"cannot read the picture: {exc}", where=str(path)) from None


def _pictures(first: Path, last: Path, width: int, height: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """Both pictures, the second read on another thread while the first is."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pickup-morph-read") as pool:
        other = pool.submit(_picture, last, width, height)
        a = _picture(first, width, height)
        return a, other.result()


def render_morph(first: Path, last: Path, dest: Path, *, frames: int, rate: Fraction,
                 width: int, height: int, cancel: threading.Event | None = None) -> Path:
    """Write ``frames`` in-between frames from picture ``first`` to ``last`` into ``dest``
    (lossless, RGB)."""
    from pickup.media.handles import write_lossless

    a, b = _pictures(first, last, width, height)
    # each frame's array is the encoder's input as it is (no copy)
    made = (av.VideoFrame.from_numpy_buffer(f, format="rgb24")
            for f in morph_frames(a, b, frames, cancel=cancel))
    written = write_lossless(made, dest, rate=rate, width=width, height=height,
                             pix_fmt="rgb24")
    if written != frames:
        raise MediaError(f"wrote {written} frames, the take needs {frames}", where=str(dest))
    return dest
