"""Previz benchmark: rendering speed at 1080p24 DNxHR HQ against real time.

Prints, for each camera move (push-in, fast pan, drift) and for the bridge mode, the
render time of a 10 s shot and its ratio to real time (goal >= 2x on 2 cores); the
peer is the clip's own duration.  Also prints the encoder alone (the same number of
already-made frames through DNxHR HQ) so the share the encoder takes is visible.
"""

from __future__ import annotations

import os
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from pickup.providers.base import ShotRequest
from pickup.providers.previz import render_previz

SECONDS = 10
RATE = Fraction(24)
W, H = 1920, 1080


def _encoder_only(frames: int, dest: Path) -> float:
    """Seconds to encode ``frames`` ready-made 1080p frames to DNxHR HQ (no rendering)."""
    ramp = np.linspace(0, 255, W, dtype=np.uint8)[None, :, None]
    img = np.broadcast_to(ramp, (H, W, 3)).copy()
    frame = av.VideoFrame.from_ndarray(img, format="rgb24").reformat(format="yuv422p")
    started = time.perf_counter()
    with av.open(str(dest), "w", format="mxf") as out:
        stream = out.add_stream("dnxhd", rate=RATE)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv422p"
        stream.codec_context.options = {"profile": "dnxhr_hq"}
        stream.codec_context.thread_type = "AUTO"
        for i in range(frames):
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return time.perf_counter() - started


def main() -> None:
    frames = int(SECONDS * RATE)
    print(f"previz benchmark: {SECONDS} s shots at {W}x{H} {float(RATE):g} fps dnxhr_hq, "
          f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        Image.new("RGB", (W, H), (180, 90, 40)).save(tmp / "out.png")
        Image.new("RGB", (W, H), (40, 90, 180)).save(tmp / "in.png")
        cases = [("card", "establishing", "push-in"), ("card", "stunt", "fast pan"),
                 ("card", "insert", "slow drift"), ("bridge", "cutaway", "bridge dissolve")]
        for mode, kind, label in cases:
            req = ShotRequest(slot_id="V1-01000412", prompt="a farmhouse at dusk, slow push-in",
                              kind=kind, frames=frames, rate=RATE, width=W, height=H, seed=1,
                              first_frame=tmp / "out.png", last_frame=tmp / "in.png",
                              extra={"timecode": "01:00:04:12"})
            started = time.perf_counter()
            render_previz(req, tmp / f"{kind}.mxf", mode=mode, profile="dnxhr_hq")
            elapsed = time.perf_counter() - started
            print(f"  {label:16s} {elapsed:5.2f} s for {SECONDS} s: "
                  f"{SECONDS / elapsed:4.2f}x real time (goal >= 2x), {frames / elapsed:5.1f} fps",
                  flush=True)
        enc = _encoder_only(frames, tmp / "enc.mxf")
        print(f"  encoder alone    {enc:5.2f} s: {SECONDS / enc:4.2f}x real time "
              f"({frames / enc:5.1f} fps) - the ceiling for any renderer on this machine")


if __name__ == "__main__":
    main()
