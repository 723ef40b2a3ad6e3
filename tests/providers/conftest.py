"""Fixtures for the provider tests: a tiny real video, a frame, fakes, an in-memory keyring."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest

from pickup.providers.base import ShotRequest
from pickup.secrets import KEY_ENV
from tests.conftest import MemoryKeyring
from tests.providers.fakes import (
    KEY,
    ComfyUIFake,
    FakeAPI,
    FalFake,
    LtxFake,
    LumaFake,
    ReplicateFake,
    RunwayFake,
    VeoFake,
    XaiFake,
)

PROVIDERS = ("comfyui", "runway", "veo", "fal", "replicate", "luma", "ltx", "xai")
_FAKES: dict[str, type[FakeAPI]] = {"comfyui": ComfyUIFake, "runway": RunwayFake,
                                    "veo": VeoFake, "fal": FalFake, "replicate": ReplicateFake,
                                    "luma": LumaFake, "ltx": LtxFake, "xai": XaiFake}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[MemoryKeyring]:
    """No user config, no real keys from the environment, an in-memory keyring."""
    monkeypatch.setenv("PICKUP_CONFIG", str(tmp_path / "no-config.toml"))
    for var in KEY_ENV.values():
        monkeypatch.delenv(var, raising=False)
    for name in PROVIDERS:
        monkeypatch.delenv(f"PICKUP_{name.upper()}_BASE_URL", raising=False)
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(_isolated: MemoryKeyring) -> MemoryKeyring:
    return _isolated


@pytest.fixture(scope="session")
def video_bytes(make_video: Callable[..., Path]) -> bytes:
    """A real 24-frame 64x36 mp4 the fakes serve as every output."""
    return make_video(24).read_bytes()


@pytest.fixture(scope="session")
def frame_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from PIL import Image

    path = tmp_path_factory.mktemp("frames") / "first.png"
    Image.new("RGB", (64, 36), (200, 120, 40)).save(path)
    return path


@dataclass
class Harness:
    """One provider wired to its fake: build providers and requests the model accepts."""

    name: str
    fake: FakeAPI
    frame: Path
    made: list[Any] = field(default_factory=list)

    def provider(self, **options: Any) -> Any:
        from pickup.providers.registry import get_provider

        opts: dict[str, Any] = {"base_url": self.fake.base_url, "timeout_s": 2.0,
                                "connect_timeout_s": 2.0}
        if self.name != "comfyui":
            opts["api_key"] = KEY
        opts.update(options)
        provider = get_provider(self.name, **opts)
        self.made.append(provider)
        return provider

    def request(self, **changes: Any) -> ShotRequest:
        base: dict[str, Any] = dict(slot_id="V1_0001", prompt="a farmhouse at dusk, slow push-in",
                                    kind="establishing", frames=24, rate=Fraction(24),
                                    width=1280, height=720, seed=7,
                                    negative_prompt="blurry")
        if self.name == "runway":  # gen4_turbo is image-to-video only
            base["first_frame"] = self.frame
        base.update(changes)
        return ShotRequest(**base)

    @property
    def moderates(self) -> bool:
        return self.name != "comfyui"


@pytest.fixture(params=PROVIDERS)
def harness(request: pytest.FixtureRequest, video_bytes: bytes,
            frame_png: Path) -> Iterator[Harness]:
    fake = _FAKES[request.param](video_bytes)
    with fake:
        h = Harness(request.param, fake, frame_png)
        yield h
        for provider in h.made:
            provider.client.session.close()


@pytest.fixture
def fake_of() -> Callable[[str, bytes], FakeAPI]:
    return lambda name, video: _FAKES[name](video)
