"""Providers by name: built-ins load lazily, third parties through ``pickup.providers``."""

from __future__ import annotations

import importlib
import inspect
import os
from importlib.metadata import entry_points
from typing import Any

from pickup.errors import ConfigError
from pickup.providers.base import Provider

__all__ = ["BUILTINS", "available", "get_provider", "register"]

#: name -> "module:Class"; imported only when asked for.
BUILTINS: dict[str, str] = {
    "previz": "pickup.providers.previz:PrevizProvider",
    "extend": "pickup.providers.extend:ExtendProvider",
    "morph": "pickup.providers.morph:MorphProvider",
    "comfyui": "pickup.providers.comfyui:ComfyUIProvider",
    "runway": "pickup.providers.runway:RunwayProvider",
    "veo": "pickup.providers.veo:VeoProvider",
    "vertex": "pickup.providers.vertex:VertexVeoProvider",
    "minimax": "pickup.providers.minimax:MiniMaxProvider",
    "kling": "pickup.providers.kling:KlingProvider",
    "ltx": "pickup.providers.ltx:LtxProvider",
    "fal": "pickup.providers.fal:FalProvider",
    "replicate": "pickup.providers.replicate:ReplicateProvider",
    "luma": "pickup.providers.luma:LumaProvider",
    "xai": "pickup.providers.xai:XaiProvider",
}


def register(name: str, target: str) -> None:
    """Add provider ``name`` as ``"module:Class"`` (plugins, tests)."""
    BUILTINS[name] = target


def _env_providers() -> dict[str, str]:
    """``PICKUP_PROVIDER_MODULES="name=module:Class,..."``: extra providers for tests and
    local development, without installing an entry point."""
    found: dict[str, str] = {}
    for entry in os.environ.get("PICKUP_PROVIDER_MODULES", "").split(","):
        name, sep, target = entry.strip().partition("=")
        if sep and name.strip() and ":" in target:
            found[name.strip()] = target.strip()
    return found


def _entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group="pickup.providers")}


def available() -> list[str]:
    """Every provider name, built-in or installed."""
    return sorted(set(BUILTINS) | set(_env_providers()) | set(_entry_points()))


def get_provider(name: str, *, config: Any = None, **options: Any) -> Provider:
    """An instance of provider ``name``; ``options`` go to its constructor.

    ``config`` (a :class:`pickup.config.Config`) is handed to providers whose constructor
    takes a ``config`` argument, so they use the settings the caller already read
    instead of reading the config file again; other providers never see it (their
    options may be stored with a job, and a Config is no option)."""
    target: Any
    builtins = {**BUILTINS, **_env_providers()}
    if name in builtins:
        module, _, attr = builtins[name].partition(":")
        target = getattr(importlib.import_module(module), attr)
    else:
        eps = _entry_points()
        if name not in eps:
            raise ConfigError(f"unknown provider {name!r}",
                              hint=f"choose one of: {', '.join(available())}")
        target = eps[name].load()
    if config is not None and _takes_config(target):
        options["config"] = config
    return target(**options)


def _takes_config(target: Any) -> bool:
    try:
        param = inspect.signature(target).parameters.get("config")
    except (TypeError, ValueError):
        return False
    return param is not None and param.kind in (inspect.Parameter.KEYWORD_ONLY,
                                                inspect.Parameter.POSITIONAL_OR_KEYWORD)
