"""What a take costs: a price table per provider/model, and a budget that refuses overruns.

Price of one take = USD per second of *generated* output x the length the service bills
(the provider's ``billed_seconds(req)`` when it has one: the shortest allowed length
that covers the slot and its handles, or fal Wan's ``num_frames / 16``).
Where the price comes from, first match wins:

1. the user's config ``[prices]`` (``"provider/model"`` or ``"provider"``), via
   :meth:`pickup.config.Config.price`;
2. the provider's own ``estimate_cost(req)``, when it has one and says more than 0;
3. ``Capabilities.price_per_second`` reported by the provider (when more than 0);
4. :data:`DEFAULT_PRICES` below (list prices as published when written; check your
   provider's page and override in config);
5. 0 for local providers (previz, ComfyUI on your own machine).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pickup.config import Config
from pickup.providers.base import Capabilities, Provider, ShotRequest

__all__ = ["DEFAULT_PRICES", "Budget", "PriceSource", "estimate_cost", "price_per_second"]

#: USD per generated second; "provider/model" beats "provider".  Approximate list
#: prices, for estimates only: the provider's invoice is the truth.
DEFAULT_PRICES: dict[str, float] = {
    "previz": 0.0,
    "comfyui": 0.0,
    "runway": 0.10,
    "runway/gen4_turbo": 0.05,
    "runway/gen4_aleph": 0.15,
    "veo": 0.50,
    "veo/veo-3.0-fast-generate-001": 0.25,
    "luma": 0.10,
    "fal": 0.10,
    "replicate": 0.10,
}


@dataclass(frozen=True)
class PriceSource:
    """A price per second and where it came from (shown in the dry-run plan)."""

    per_second: float
    source: str


def price_per_second(provider: str, model: str | None, caps: Capabilities,
                     config: Config | None = None) -> PriceSource:
    """USD per generated second for ``provider``/``model`` (config, caps, defaults)."""
    if config is not None:
        configured = config.price(provider, model)
        if configured is not None:
            return PriceSource(configured, "config [prices]")
    if caps.price_per_second > 0:
        return PriceSource(caps.price_per_second, "provider")
    if model and f"{provider}/{model}" in DEFAULT_PRICES:
        return PriceSource(DEFAULT_PRICES[f"{provider}/{model}"], "default table")
    if provider in DEFAULT_PRICES:
        return PriceSource(DEFAULT_PRICES[provider], "default table")
    return PriceSource(0.0, "local" if caps.local else "unknown (0)")


def estimate_cost(provider: Provider, req: ShotRequest, caps: Capabilities,
                  config: Config | None = None) -> tuple[float, str]:
    """(USD, source) for one take of ``req`` as the provider will get it."""
    price = price_per_second(provider.name, req.model, caps, config)
    seconds = req.seconds
    billed: Callable[[ShotRequest], float] | None = getattr(provider, "billed_seconds", None)
    if callable(billed):
        try:
            seconds = float(billed(req))
        except Exception:
            seconds = req.seconds
    if price.source == "config [prices]":
        return round(price.per_second * seconds, 4), price.source
    own: Callable[[ShotRequest], float] | None = getattr(provider, "estimate_cost", None)
    if callable(own):
        try:
            value = float(own(req))
        except Exception:
            value = 0.0
        if value > 0:
            return round(value, 4), "provider" + (
                " (estimated price)" if _estimated(provider, req) else "")
    return round(price.per_second * seconds, 4), price.source


def _estimated(provider: Provider, req: ShotRequest) -> bool:
    """True when the provider's catalog marks this model's price as an estimate."""
    entry_of: Callable[[str | None], Any] | None = getattr(provider, "model_entry", None)
    if not callable(entry_of):
        return False
    try:
        entry = entry_of(req.model)
    except Exception:
        return False
    return bool(getattr(entry, "price_estimated", False))


class Budget:
    """A spending limit for one run; ``reserve`` is atomic across worker threads."""

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.spent = 0.0
        self._lock = threading.Lock()

    def reserve(self, amount: float) -> bool:
        """Reserve ``amount``; False (nothing reserved) if it would pass the limit."""
        with self._lock:
            if self.limit is not None and self.spent + amount > self.limit + 1e-9:
                return False
            self.spent += amount
            return True

    def release(self, amount: float) -> None:
        with self._lock:
            self.spent = max(0.0, self.spent - amount)
