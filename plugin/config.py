"""User configuration: ``config.toml`` in the user config folder (or ``$PICKUP_CONFIG``).

```toml
tags = ["GEN", "PICKUP"]            # marking tags
max_slot_seconds = 300              # longest slot Pickup generates (PICKUP_MAX_SLOT_SECONDS)
[providers.runway]                  # options passed to that provider
base_url = "https://gateway.studio.example/runway"
model = "gen4_turbo"
[prices]                            # USD per second of output, "provider/model" or "provider"
"runway/gen4_turbo" = 0.05
```
Environment overrides: ``PICKUP_<PROVIDER>_BASE_URL`` (e.g. ``PICKUP_RUNWAY_BASE_URL``).
Secrets never live here: they come from the environment or the OS keyring.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from pickup.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # pyright: ignore[reportMissingImports]  # not installed on 3.11+

__all__ = ["Config", "config_path", "load_config"]

_SECRET_WORDS = ("key", "secret", "token", "password")


@dataclass(frozen=True)
class Config:
    """Settings read from the config file, with environment overrides applied."""

    tags: tuple[str, ...] = ("GEN", "PICKUP")
    providers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    prices: Mapping[str, float] = field(default_factory=dict)
    clip_name: str | None = None  # [takes] clip_name: the filled clip name pattern
    path: Path | None = None
    #: Longest slot Pickup will generate; a 10^9-frame slot (a typo in a CSV duration)
    #: is refused with the reason instead of rendering without end.
    max_slot_seconds: float = 300.0

    def provider_options(self, name: str) -> dict[str, Any]:
        """Options for provider ``name``: config table, then ``PICKUP_<NAME>_BASE_URL``."""
        options = dict(self.providers.get(name, {}))
        env = os.environ.get(f"PICKUP_{name.upper()}_BASE_URL")
        if env:
            options["base_url"] = env
        return options

    def price(self, provider: str, model: str | None) -> float | None:
        """USD per second for ``provider/model`` (or ``provider``), if configured."""
        if model and f"{provider}/{model}" in self.prices:
            return float(self.prices[f"{provider}/{model}"])
        if provider in self.prices:
            return float(self.prices[provider])
        return None


def config_path() -> Path:
    env = os.environ.get("PICKUP_CONFIG")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("pickup")) / "config.toml"


def _max_slot_seconds(raw: Any, where: str) -> float:
    env = os.environ.get("PICKUP_MAX_SLOT_SECONDS")
    value = env if env is not None else raw
    if env is not None:
        where = "PICKUP_MAX_SLOT_SECONDS"
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"max_slot_seconds must be a number of seconds, not {value!r}",
                          where=where) from None
    if not 0 < seconds < float("inf"):
        raise ConfigError(f"max_slot_seconds must be above 0, not {value!r}", where=where)
    return seconds


def load_config(path: Path | None = None) -> Config:
    """Read the config file; a missing file gives the defaults."""
    path = path or config_path()
    if not path.is_file():
        return Config(path=None, max_slot_seconds=_max_slot_seconds(
            Config.max_slot_seconds, "defaults"))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", where=str(path),
                          hint="fix the file or delete it to use the defaults") from None
    providers = raw.get("providers", {})
    if not isinstance(providers, dict):
        raise ConfigError("[providers] must be a table", where=str(path))
    for name, table in providers.items():
        for key in table if isinstance(table, dict) else ():
            if any(word in key.lower() for word in _SECRET_WORDS) and key != "key_env":
                raise ConfigError(f"[providers.{name}] holds a secret ({key!r})",
                                  where=str(path),
                                  hint=f"remove it and run `pickup auth set {name}` "
                                  "(OS keyring) or set the environment variable")
    tags = tuple(raw.get("tags", Config.tags))
    prices = {str(k): float(v) for k, v in raw.get("prices", {}).items()}
    takes = raw.get("takes", {})
    clip_name = takes.get("clip_name") if isinstance(takes, dict) else None
    return Config(tags=tags, providers=providers, prices=prices,
                  clip_name=str(clip_name) if clip_name else None, path=path,
                  max_slot_seconds=_max_slot_seconds(
                      raw.get("max_slot_seconds", Config.max_slot_seconds), str(path)))
