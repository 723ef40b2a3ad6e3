"""How well a take cuts with its neighbours: SSIM on luma and a colour-histogram distance
at both seams.

The *head* seam compares the outgoing shot's last frame with the take's first frame
(in the cut, after the handles); the *tail* seam compares the take's last frame with
the incoming shot's first frame.  Both frames are brought to one working size
(:data:`WORK_WIDTH` pixels wide, the take's aspect) before they are compared.

- ``ssim``: the structural similarity index (Wang et al. 2004) of the two luma
  (BT.709) images, 7x7 uniform window, K1=0.01, K2=0.03, sample covariance -- the
  same definition and defaults as ``skimage.metrics.structural_similarity`` (the
  tests check the two agree).  1.0 = the same picture; above ~0.9 the frames match
  closely (a continuous move); below ~0.5 it reads as a cut to a different shot.
- ``histogram``: the Hellinger (Bhattacharyya) distance between the two frames'
  RGB histograms (32 bins a channel, averaged over the channels), as OpenCV's
  ``HISTCMP_BHATTACHARYYA`` computes it.  0 = the same colours; ~0.1 a grade
  shift; above ~0.4 the colour or exposure visibly jumps.

Where there is no neighbour (the slot starts or ends the track, or the neighbour's
media is offline or unreadable), the seam carries a ``note`` saying so, never a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from pickup.media.frames import frame_images
from pickup.media.probe import probe

__all__ = ["WORK_WIDTH", "Seam", "Seams", "histogram_distance", "luma", "measure_seams",
           "seam_pair", "ssim"]

#: frames are compared at this width (the take's aspect): enough for structure,
#: cheap enough to measure every take
WORK_WIDTH = 480
_WIN = 7
_BINS = 32


def luma(image: Image.Image) -> np.ndarray:
    """BT.709 luma of an RGB image as float64, 0..255."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.float64)
    return rgb[..., 0] * 0.2126 + rgb[..., 1] * 0.7152 + rgb[..., 2] * 0.0722


def _box_mean(x: np.ndarray, win: int) -> np.ndarray:
    """Mean of every ``win`` x ``win`` window fully inside ``x`` (a summed-area table)."""
    table = np.zeros((x.shape[0] + 1, x.shape[1] + 1), dtype=np.float64)
    np.cumsum(np.cumsum(x, axis=0), axis=1, out=table[1:, 1:])
    total = (table[win:, win:] - table[:-win, win:] - table[win:, :-win] + table[:-win, :-win])
    return total / float(win * win)


def ssim(a: np.ndarray, b: np.ndarray, *, data_range: float = 255.0) -> float:
    """Mean SSIM of two same-shaped grey images (see the module docstring)."""
    if a.shape != b.shape:
        raise ValueError(f"images differ in size: {a.shape} vs {b.shape}")
    if min(a.shape) < _WIN:
        raise ValueError(f"images smaller than the {_WIN}x{_WIN} window: {a.shape}")
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    n = _WIN * _WIN
    cov_norm = n / (n - 1.0)
    ux, uy = _box_mean(a, _WIN), _box_mean(b, _WIN)
    uxx, uyy, uxy = _box_mean(a * a, _WIN), _box_mean(b * b, _WIN), _box_mean(a * b, _WIN)
    vx = cov_norm * (uxx - ux * ux)
    vy = cov_norm * (uyy - uy * uy)
    vxy = cov_norm * (uxy - ux * uy)
    c1 = (0.01 * data_range) ** 2
    c2 = (0.03 * data_range) ** 2
    s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2))
    return float(s.mean())


def _histograms(image: Image.Image) -> np.ndarray:
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    idx = (rgb.astype(np.uint16) * _BINS) >> 8
    return np.stack([np.bincount(idx[..., c].ravel(), minlength=_BINS).astype(np.float64)
                     for c in range(3)])


def histogram_distance(a: Image.Image, b: Image.Image) -> float:
    """Hellinger distance of the two images' RGB histograms, 0 (same) .. 1 (disjoint)."""
    ha, hb = _histograms(a), _histograms(b)
    out = []
    for x, y in zip(ha, hb, strict=True):
        norm = np.sqrt(x.mean() * y.mean() * _BINS * _BINS)
        if norm <= 0:
            out.append(1.0)
            continue
        value = 1.0 - float(np.sqrt(x * y).sum()) / norm
        out.append(float(np.sqrt(max(0.0, value))))
    return float(np.mean(out))


@dataclass(frozen=True)
class Seam:
    """One seam: the figures, or a note saying why there are none."""

    ssim: float | None = None
    histogram: float | None = None
    note: str | None = None

    @property
    def measured(self) -> bool:
        return self.ssim is not None

    def to_json(self) -> dict[str, Any]:
        return {"ssim": self.ssim, "histogram": self.histogram, "note": self.note}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Seam:
        if not data:
            return cls(note="not measured")
        ssim_v, hist = data.get("ssim"), data.get("histogram")
        return cls(ssim=float(ssim_v) if ssim_v is not None else None,
                   histogram=float(hist) if hist is not None else None,
                   note=data.get("note"))

    def text(self) -> str:
        """``0.93 / 0.08`` or the note."""
        if self.ssim is None:
            return self.note or "not measured"
        return f"{self.ssim:.2f} / {self.histogram:.2f}"


@dataclass(frozen=True)
class Seams:
    """Both seams of a take: ``head`` (outgoing -> take), ``tail`` (take -> incoming)."""

    head: Seam
    tail: Seam

    def to_json(self) -> dict[str, Any]:
        return {"head": self.head.to_json(), "tail": self.tail.to_json()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Seams | None:
        if not data or not hasattr(data, "get"):
            return None
        return cls(Seam.from_json(data.get("head")), Seam.from_json(data.get("tail")))

    @property
    def score(self) -> float | None:
        """The worse measured SSIM of the two seams (None if neither was measured)."""
        values = [s.ssim for s in (self.head, self.tail) if s.ssim is not None]
        return min(values) if values else None

    def text(self) -> str:
        return f"in {self.head.text()} · out {self.tail.text()}"


def _work_pair(a: Image.Image, b: Image.Image) -> tuple[Image.Image, Image.Image]:
    """Both images at one working size: ``b``'s aspect, at most WORK_WIDTH wide."""
    width = min(WORK_WIDTH, b.width)
    height = max(_WIN, round(b.height * width / b.width))
    size = (max(_WIN, width), height)
    return (a.convert("RGB").resize(size, Image.Resampling.BILINEAR),
            b.convert("RGB").resize(size, Image.Resampling.BILINEAR))


def seam_pair(neighbour: Image.Image, take: Image.Image) -> Seam:
    """Measure one seam between a neighbour's frame and the take's frame."""
    a, b = _work_pair(neighbour, take)
    return Seam(ssim=round(ssim(luma(a), luma(b)), 4),
                histogram=round(histogram_distance(a, b), 4))


def measure_seams(media: Path | str, *, handles: int = 0,
                  outgoing: Image.Image | None, incoming: Image.Image | None,
                  outgoing_note: str | None = None, incoming_note: str | None = None
                  ) -> Seams:
    """Both seams of the take in ``media`` (its first and last frame in the cut, i.e.
    inside ``handles``) against the neighbours' frames; a missing neighbour gives a
    seam with its note (``outgoing_note``/``incoming_note``) instead of figures."""
    head = Seam(note=outgoing_note or "no outgoing shot")
    tail = Seam(note=incoming_note or "no incoming shot")
    if outgoing is None and incoming is None:
        return Seams(head, tail)
    info = probe(media)
    first = max(0, min(handles, info.frames - 1))
    last = max(first, info.frames - 1 - handles)
    take_first, take_last = frame_images(media, [first, last], info=info,
                                         max_width=WORK_WIDTH, fast=True)
    if outgoing is not None:
        head = seam_pair(outgoing, take_first)
    if incoming is not None:
        tail = seam_pair(incoming, take_last)
    return Seams(head, tail)
