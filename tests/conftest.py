"""Shared test fixtures: the real timelines in tests/fixtures/timelines and tiny media."""

from __future__ import annotations

import os
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

ROOT = Path(__file__).resolve().parents[1]
# The real timelines live in the repository (copied from the OpenTimelineIO projects'
# test data, Apache-2.0: see tests/fixtures/timelines/README.md and LICENSE.txt).
# PICKUP_FIXTURES points the suite at another folder of the same files.
FIXTURES = Path(os.environ.get("PICKUP_FIXTURES", ROOT / "tests" / "fixtures" / "timelines"))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def fixture_files() -> list[Path]:
    """Every timeline fixture (not the README/licence)."""
    return sorted(p for p in FIXTURES.iterdir() if p.suffix.lower() not in (".md", ".txt"))


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"timeline fixtures not found at {FIXTURES}; set PICKUP_FIXTURES")
    return FIXTURES


def make_video_file(path: Path, frames: int, rate: int | Fraction = 24,
                    size: tuple[int, int] = (64, 36), codec: str = "mpeg4") -> Path:
    """Encode a real clip of ``frames`` grey levels (frame n is level 5n mod 255)."""
    import av
    import numpy as np

    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.thread_count = 1  # encoder threads abort later OTIO calls
        for n in range(frames):
            img = np.full((size[1], size[0], 3), (n * 5) % 255, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.fixture(scope="session")
def make_video(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``make_video(frames, rate=24, size=(64, 36))`` -> path of a real encoded clip."""
    folder = tmp_path_factory.mktemp("media")
    cache: dict[tuple, Path] = {}

    def make(frames: int, rate: int = 24, size: tuple[int, int] = (64, 36),
             suffix: str = ".mp4") -> Path:
        key = (frames, rate, size, suffix)
        if key not in cache:
            name = f"clip_{frames}_{rate}_{size[0]}x{size[1]}{suffix}"
            cache[key] = make_video_file(folder / name, frames, rate, size)
        return cache[key]

    return make


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring backend, so tests never touch the machine's keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.store:
            raise PasswordDeleteError("no such password")
        del self.store[(service, username)]
