"""Providers by name: built-ins load lazily, third parties through ``pickup.providers``."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from pickup.errors import ConfigError
from pickup.providers.base import Provider

__all__ = ["BUILTINS", "available", "get_provider"]

#: name -> "module:Class"; imported only when asked for.
BUILTINS: dict[str, str] = {
    "previz": "pickup.providers.previz:PrevizProvider",
}


def _entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group="pickup.providers")}


def available() -> list[str]:
    """Every provider name, built-in or installed."""
    return sorted(set(BUILTINS) | set(_entry_points()))


def get_provider(name: str, **options: Any) -> Provider:
    """An instance of provider ``name``; ``options`` go to its constructor."""
    target: Any
    if name in BUILTINS:
        module, _, attr = BUILTINS[name].partition(":")
        target = getattr(importlib.import_module(module), attr)
    else:
        eps = _entry_points()
        if name not in eps:
            raise ConfigError(f"unknown provider {name!r}",
                              hint=f"choose one of: {', '.join(available())}")
        target = eps[name].load()
    return target(**options)
