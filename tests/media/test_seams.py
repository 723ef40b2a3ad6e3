"""Seam measurement: our SSIM equals scikit-image's, our histogram distance equals
OpenCV's, and both seams of a real encoded take read as they should."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from pickup.media.seams import (
    Seam,
    Seams,
    histogram_distance,
    luma,
    measure_seams,
    seam_pair,
    ssim,
)


def _texture(seed: int, size: tuple[int, int] = (160, 90)) -> np.ndarray:
    """A smooth random picture (low-passed noise), RGB uint8."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(size[1] // 10 + 1, size[0] // 10 + 1, 3))
    img = Image.fromarray(small.astype(np.uint8)).resize(size, Image.Resampling.BICUBIC)
    return np.asarray(img)


def _encode(path: Path, frames: list[np.ndarray], rate: int = 24) -> Path:
    """Encode ``frames`` losslessly (FFV1, RGB) so decoded frames equal the input."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("ffv1", rate=rate)
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = "bgr0"
        stream.codec_context.thread_count = 1
        for img in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.mark.parametrize("seeds", [(1, 1), (1, 2), (3, 4)])
def test_ssim_equals_scikit_image(seeds: tuple[int, int]) -> None:
    skm = pytest.importorskip("skimage.metrics")
    a = luma(Image.fromarray(_texture(seeds[0])))
    b = luma(Image.fromarray(_texture(seeds[1])))
    b = np.clip(b + np.random.default_rng(9).normal(0, 6, b.shape), 0, 255)
    ours = ssim(a, b)
    ref = skm.structural_similarity(a, b, data_range=255.0, win_size=7)
    assert ours == pytest.approx(ref, abs=1e-9)


def test_ssim_refuses_mismatched_or_tiny_images() -> None:
    with pytest.raises(ValueError):
        ssim(np.zeros((20, 20)), np.zeros((20, 21)))
    with pytest.raises(ValueError):
        ssim(np.zeros((5, 5)), np.zeros((5, 5)))


def test_histogram_distance_equals_opencv_bhattacharyya() -> None:
    cv2 = pytest.importorskip("cv2")
    a, b = _texture(5), np.clip(_texture(6).astype(int) + 40, 0, 255).astype(np.uint8)
    ours = histogram_distance(Image.fromarray(a), Image.fromarray(b))
    ref = []
    for c in range(3):
        ha = cv2.calcHist([np.ascontiguousarray(a[..., c])], [0], None, [32], [0, 256])
        hb = cv2.calcHist([np.ascontiguousarray(b[..., c])], [0], None, [32], [0, 256])
        ref.append(cv2.compareHist(ha, hb, cv2.HISTCMP_BHATTACHARYYA))
    assert ours == pytest.approx(float(np.mean(ref)), abs=1e-6)
    assert histogram_distance(Image.fromarray(a), Image.fromarray(a)) == pytest.approx(0, abs=1e-9)


def test_seams_of_a_real_take(tmp_path: Path) -> None:
    """A take that continues the outgoing shot and runs into the incoming one measures
    ~1 at both seams; against an unrelated picture both figures say so."""
    pictures = [_texture(s) for s in (11, 12, 13, 14)]
    media = _encode(tmp_path / "take.mkv", pictures)
    outgoing, incoming = Image.fromarray(pictures[1]), Image.fromarray(pictures[2])
    seams = measure_seams(media, handles=1, outgoing=outgoing, incoming=incoming)
    assert seams.head.ssim == pytest.approx(1.0, abs=1e-3)
    assert seams.tail.ssim == pytest.approx(1.0, abs=1e-3)
    assert seams.head.histogram is not None and seams.head.histogram < 0.02
    # without handles, the first frame (11) is not the outgoing frame (12)
    off = measure_seams(media, handles=0, outgoing=outgoing, incoming=incoming)
    assert off.head.ssim is not None and off.head.ssim < 0.5
    assert off.head.histogram is not None and off.head.histogram > seams.head.histogram
    assert off.tail.ssim is not None and off.tail.ssim < 0.5
    assert off.score == min(off.head.ssim, off.tail.ssim)


def test_offline_neighbour_is_said_not_scored(tmp_path: Path) -> None:
    media = _encode(tmp_path / "take.mkv", [_texture(1), _texture(2)])
    seams = measure_seams(media, outgoing=None, incoming=Image.fromarray(_texture(2)),
                          outgoing_note="outgoing media offline (A001.mov)")
    assert seams.head == Seam(note="outgoing media offline (A001.mov)")
    assert seams.head.text() == "outgoing media offline (A001.mov)"
    assert seams.tail.ssim == pytest.approx(1.0, abs=1e-3)
    assert seams.score == seams.tail.ssim
    again = Seams.from_json(seams.to_json())
    assert again == seams


def test_different_sizes_are_compared_at_one_size() -> None:
    big = Image.fromarray(_texture(7, (640, 360)))
    small = big.resize((160, 90), Image.Resampling.BILINEAR)
    seam = seam_pair(big, small)
    assert seam.ssim is not None and seam.ssim > 0.95


def test_fast_frames_match_the_shown_ones(tmp_path: Path) -> None:
    """``frame_images(fast=True)`` (scaled while converting) gives the picture the
    Lanczos path shows, to within a few levels."""
    from pickup.media.frames import frame_images

    media = _encode(tmp_path / "take.mkv", [_texture(21, (320, 180)), _texture(22, (320, 180))])
    fast = frame_images(media, [0, 1], max_width=80, fast=True)
    shown = frame_images(media, [0, 1], max_width=80)
    for a, b in zip(fast, shown, strict=True):
        assert a.size == b.size == (80, 45)
        diff = np.abs(np.asarray(a, dtype=int) - np.asarray(b, dtype=int))
        assert diff.mean() < 3.0
    assert not np.array_equal(np.asarray(fast[0]), np.asarray(fast[1]))


def test_neighbour_working_copy_is_kept_per_picture() -> None:
    """A neighbour's working copy is made once and reused for the slot's takes, but
    never for another picture (even one Python puts at the same address)."""
    take = Image.fromarray(_texture(31))
    same = Image.fromarray(_texture(31))
    assert seam_pair(same, take).ssim == pytest.approx(1.0, abs=1e-9)
    assert seam_pair(same, take) == seam_pair(same, take)
    for seed in range(32, 40):
        other = Image.fromarray(_texture(seed))
        seam = seam_pair(other, take)
        assert seam.ssim is not None and seam.ssim < 0.9
        del other  # its id may be handed to the next picture
    assert seam_pair(same, take).ssim == pytest.approx(1.0, abs=1e-9)
