"""Runs of source frames: packets copied from intra-only QuickTime media (bit for bit,
no decoding), or decoded into the lossless intermediate (bit-exact to the decoder)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from pickup.errors import MediaError
from pickup.media.handles import copy_runs, copyable, read_run, write_lossless
from pickup.media.probe import probe
from tests.media.clips import make_clip, read_frames


def _packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as c:
        return [bytes(p) for p in c.demux(video=0) if p.size]


def _prores(path: Path, frames: int, size: tuple[int, int] = (64, 36)) -> Path:
    return make_clip(path, frames=frames, codec="prores_ks", pix_fmt="yuv422p10le",
                     size=size)


def test_copy_runs_copies_the_packets_of_each_run(tmp_path: Path) -> None:
    a = _prores(tmp_path / "a.mov", 10)
    b = _prores(tmp_path / "b.mov", 12)
    assert copyable([a, b])
    dest = tmp_path / "take.mov"
    assert copy_runs([(a, 6, 4), (b, 2, 5)], dest, rate=Fraction(24)) == 9
    assert _packets(dest) == _packets(a)[6:10] + _packets(b)[2:7]
    info = probe(dest)
    assert (info.frames, info.rate, info.codec) == (9, Fraction(24), "prores")
    got = read_frames(dest)
    want = read_frames(a)[6:10] + read_frames(b)[2:7]
    assert all(np.array_equal(g, w) for g, w in zip(got, want, strict=True))


def test_copy_runs_says_when_the_media_ends(tmp_path: Path) -> None:
    a = _prores(tmp_path / "a.mov", 6)
    with pytest.raises(MediaError, match="ended before frame 7"):
        copy_runs([(a, 4, 4)], tmp_path / "take.mov", rate=Fraction(24))
    assert not (tmp_path / "take.mov").exists()


def test_only_like_intra_quicktime_media_is_copied(tmp_path: Path) -> None:
    prores = _prores(tmp_path / "a.mov", 4)
    small = _prores(tmp_path / "small.mov", 4, size=(32, 18))
    h264 = make_clip(tmp_path / "b.mov", frames=4)  # long-GOP
    ffv1 = make_clip(tmp_path / "c.mkv", frames=4, codec="ffv1", pix_fmt="yuv420p")
    assert copyable([prores, prores])
    assert not copyable([prores, small])  # one stream cannot hold both sizes
    assert not copyable([h264])
    assert not copyable([ffv1])  # intra-only, but not in a QuickTime file
    assert not copyable([prores, h264])
    assert not copyable([tmp_path / "missing.mov"])


def test_lossless_intermediate_is_bit_exact(tmp_path: Path) -> None:
    """Decoded frames written with the encoder's frame threads read back unchanged."""
    src = make_clip(tmp_path / "a.mp4", frames=30)
    dest = tmp_path / "run.nut"
    frames = read_run(src, 7, 20)
    assert write_lossless(frames, dest, rate=Fraction(24), width=64, height=36,
                          pix_fmt="yuv420p") == 20
    got = read_frames(dest, "yuv420p")
    assert got and all(np.array_equal(g, w) for g, w in
                       zip(got, read_frames(src, "yuv420p")[7:27], strict=True))
    assert len(got) == 20
