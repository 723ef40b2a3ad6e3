"""Loopback fake servers that speak each provider API's contract (paths, headers, flow)."""

from __future__ import annotations

from tests.providers.fakes.base import KEY, FakeAPI, Recorded, Reply
from tests.providers.fakes.comfyui import ComfyUIFake
from tests.providers.fakes.fal import FalFake
from tests.providers.fakes.ltx import LtxFake
from tests.providers.fakes.luma import LumaFake
from tests.providers.fakes.replicate import ReplicateFake
from tests.providers.fakes.runway import RunwayFake
from tests.providers.fakes.veo import VeoFake
from tests.providers.fakes.xai import XaiFake

__all__ = [
           "KEY",
           "ComfyUIFake",
           "FakeAPI",
           "FalFake",
           "LtxFake",
           "LumaFake",
           "Recorded",
           "ReplicateFake",
           "Reply",
           "RunwayFake",
           "VeoFake",
           "XaiFake",
]
