"""How well a take cuts with its neighbours: SSIM on luma and a colour-histogram distance
at both seams.

The *head* seam compares the outgoing shot's last frame with the take's first frame
(in the cut, after the handles); the *tail* seam compares the take's last frame with
the incoming shot's first frame.  Both frames are brought to one working size
(:data:`WORK_WIDTH` pixels wide, the take's aspect) by area averaging before they are
compared: the take's frames scaled by FFmpeg while they are converted, the neighbours'
by box filtering; a neighbour's working copy is made once and reused for every take
of the slot.

- ``ssim``: the structural similarity index (Wang et al. 2004) of the two luma
  (BT.709) images, 7x7 uniform window, K1=0.01, K2=0.03, sample covariance -- the
  same definition and defaults as ``skimage.metrics.structural_similarity`` (the
  tests check the two agree to 1e-9; the window sums are OpenCV's ``boxFilter`` in
  float64).  1.0 = the same picture; above ~0.9 the frames match
  closely (a continuous move); below ~0.5 it reads as a cut to a different shot.
- ``histogram``: the Hellinger (Bhattacharyya) distance between the two frames'
  RGB histograms (32 bins a channel, averaged over the channels), as OpenCV's
  ``HISTCMP_BHATTACHARYYA`` computes it.  0 = the same colours; ~0.1 a grade
  shift; above ~0.4 the colour or exposure visibly jumps.

Where there is no neighbour (the slot starts or ends the track, or the neighbour's
media is offline or unreadable), the seam carries a ``note`` saying so, never a number.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from pickup.media.frames import frame_images

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
    """Mean of every ``win`` x ``win`` window fully inside ``x`` (float64)."""
    half = win // 2
    means = cv2.boxFilter(x, cv2.CV_64F, (win, win), normalize=True,
                          borderType=cv2.BORDER_REFLECT)
    return means[half:x.shape[0] - half, half:x.shape[1] - half]


def ssim(a: np.ndarray, b: np.ndarray, *, data_range: float = 255.0) -> float:
    """Mean SSIM of two same-shaped grey images (see the module docstring)."""
    if a.shape != b.shape:
        raise ValueError(f"images differ in size: {a.shape} vs {b.shape}")
    if min(a.shape) < _WIN:
        raise ValueError(f"images smaller than the {_WIN}x{_WIN} window: {a.shape}")
    a = np.ascontiguousarray(a, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
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
    return np.stack([cv2.calcHist([rgb], [c], None, [_BINS], [0, 256]).ravel()
                     for c in range(3)]).astype(np.float64)


def _hellinger(ha: np.ndarray, hb: np.ndarray) -> float:
    out = []
    for x, y in zip(ha, hb, strict=True):
        norm = np.sqrt(x.mean() * y.mean() * _BINS * _BINS)
        if norm <= 0:
            out.append(1.0)
            continue
        value = 1.0 - float(np.sqrt(x * y).sum()) / norm
        out.append(float(np.sqrt(max(0.0, value))))
    return float(np.mean(out))


def histogram_distance(a: Image.Image, b: Image.Image) -> float:
    """Hellinger distance of the two images' RGB histograms, 0 (same) .. 1 (disjoint)."""
    return _hellinger(_histograms(a), _histograms(b))


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


def _work_size(take: Image.Image) -> tuple[int, int]:
    """The working size: the take's aspect, at most WORK_WIDTH wide."""
    width = min(WORK_WIDTH, take.width)
    height = max(_WIN, round(take.height * width / take.width))
    return max(_WIN, width), height


def _area(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image`` as RGB at ``size``, by area averaging (whole-pixel reduction, then a box
    filter for what is left)."""
    image = image.convert("RGB")
    factor = min(image.width // size[0], image.height // size[1])
    if factor > 1:
        image = image.reduce(factor)
    if image.size != size:
        image = image.resize(size, Image.Resampling.BOX)
    return image


@dataclass(frozen=True)
class _Side:
    """One picture at the working size, ready to compare: its luma and histograms."""

    luma: np.ndarray
    histograms: np.ndarray

    @classmethod
    def of(cls, image: Image.Image) -> _Side:
        return cls(luma(image), _histograms(image))


class _Prepared:
    """The neighbours' working copies, made once for every take of a slot: keyed by the
    image object (while it lives) and the working size."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sides: dict[tuple[int, tuple[int, int]], tuple[weakref.ref[Image.Image], _Side]] = {}

    def get(self, image: Image.Image, size: tuple[int, int]) -> _Side:
        key = (id(image), size)
        with self._lock:
            held = self._sides.get(key)
        if held is not None and held[0]() is image:
            return held[1]
        side = _Side.of(_area(image, size))
        with self._lock:
            self._sides[key] = (weakref.ref(image, lambda _ref: self._drop(key)), side)
        return side

    def _drop(self, key: tuple[int, tuple[int, int]]) -> None:
        with self._lock:
            self._sides.pop(key, None)


_PREPARED = _Prepared()


def _compare(neighbour: _Side, take: _Side) -> Seam:
    return Seam(ssim=round(ssim(neighbour.luma, take.luma), 4),
                histogram=round(_hellinger(neighbour.histograms, take.histograms), 4))


def seam_pair(neighbour: Image.Image, take: Image.Image) -> Seam:
    """Measure one seam between a neighbour's frame and the take's frame."""
    size = _work_size(take)
    return _compare(_PREPARED.get(neighbour, size), _Side.of(_area(take, size)))


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
    # one open of the take: frame ``handles`` and the one ``handles`` before its end
    take_first, take_last = frame_images(media, [max(0, handles), -1 - max(0, handles)],
                                         max_width=WORK_WIDTH, fast=True)
    if outgoing is not None:
        head = seam_pair(outgoing, take_first)
    if incoming is not None:
        tail = seam_pair(incoming, take_last)
    return Seams(head, tail)
