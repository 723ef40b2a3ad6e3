"""The morph's in-betweens do not depend on how many are made at once, come in order,
and stop on cancel."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest
from PIL import Image

from pickup.errors import CancelledError
from pickup.media.morph import morph_frames


def _pan(shift: int) -> np.ndarray:
    rng = np.random.default_rng(4)
    small = rng.integers(0, 256, size=(6, 12, 3)).astype(np.uint8)
    wide = np.asarray(Image.fromarray(small).resize((112, 36), Image.Resampling.BICUBIC))
    return np.ascontiguousarray(wide[:, shift:shift + 64])


def test_frames_are_the_same_made_one_or_several_at_a_time() -> None:
    a, b = _pan(0), _pan(12)
    one = list(morph_frames(a, b, 7, workers=1))
    two = list(morph_frames(a, b, 7, workers=2))
    three = list(morph_frames(a, b, 7, workers=3))
    assert len(one) == len(two) == len(three) == 7
    for x, y, z in zip(one, two, three, strict=True):
        assert x.shape == (36, 64, 3) and x.dtype == np.uint8
        assert np.array_equal(x, y) and np.array_equal(x, z)
    # in order: each frame is nearer the outgoing picture than the next one is
    dist = [float(np.abs(f.astype(int) - a.astype(int)).mean()) for f in one]
    assert dist == sorted(dist) and dist[0] < dist[-1]
    # no two frames alike (the buffers each worker reuses are not handed out)
    assert all(not np.array_equal(p, q) for p, q in itertools.pairwise(one))


def test_cancel_stops_between_frames() -> None:
    cancel = threading.Event()
    frames = morph_frames(_pan(0), _pan(12), 10, cancel=cancel)
    next(frames)
    cancel.set()
    with pytest.raises(CancelledError):
        list(frames)
