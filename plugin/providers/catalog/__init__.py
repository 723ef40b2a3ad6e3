"""The model catalog: one JSON file per hosted provider, shipped as package data.

Each file (``runway.json``, ``veo.json`` ...) names the provider's models with what
they can make and what they cost, stamped with the date it was checked and the
sources it was checked against (SDK releases, vendor docs)::

    {"provider": "runway", "checked": "2026-12-04", "sources": [...],
     "default_model": "gen4_turbo",
     "models": {"gen4.5": {
         "endpoint": "/v1/image_to_video", "text_endpoint": "/v1/text_to_video",
         "lengths": {"min": 2, "max": 10, "step": 1},   # or a list: [5, 10]
         "frames": {"min": 17, "max": 161},             # frame-count models (with fps)
         "max_seconds": 7.5,                            # or only an upper bound
         "ratios": [...], "text_ratios": [...], "sizes": [[w, h], ...], "fps": [24],
         "first_frame": "required" | "optional" | "no", "last_frame": true,
         "price_per_second": 0.12, "prices_by_resolution": {"720p": 0.08},
         "billing": "length" | "frames/16",
         "deprecated": "2026-06-01", "end_of_life": "2026-07-30",
         "replacement": "gen4_turbo", "notes": "..."}}}

The order of ``models`` is the provider's order of preference (best first): when the
default model cannot make a slot, the first model that can is chosen.

Users change or add models without code in the config file::

    [providers.runway.models."gen4.5"]
    price_per_second = 0.10
    [providers.fal.models."fal-ai/ltx-video"]     # a model the catalog lacks
    lengths = [5]
    first_frame = "optional"
    price_per_second = 0.02
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pickup.errors import ConfigError
from pickup.providers.base import Capabilities

__all__ = ["Catalog", "ModelEntry", "load_catalog", "shipped_catalog", "today"]

_KNOWN_KEYS = frozenset({
    "title", "endpoint", "text_endpoint", "lengths", "frames", "max_seconds", "ratios",
    "text_ratios", "sizes", "fps", "first_frame", "last_frame", "references", "seed",
    "full_hd_lengths", "price_per_second", "prices_by_resolution", "prices_by_mode",
    "billing", "deprecated", "end_of_life", "replacement", "notes", "image_model", "cancel",
    "price_source", "price_estimate",
})


def today() -> _dt.date:
    """The date EOL checks use (a function, so tests can move time)."""
    return _dt.date.today()


def _date(value: Any, where: str) -> _dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"not a date (YYYY-MM-DD): {value!r}", where=where) from None


def _floats(value: Any) -> tuple[float, ...] | None:
    return tuple(float(v) for v in value) if value else None


@dataclass(frozen=True)
class ModelEntry:
    """One model as the catalog (and the user's config) describes it."""

    name: str
    title: str = ""
    endpoint: str = ""
    text_endpoint: str | None = None
    lengths: tuple[float, ...] | None = None  # allowed lengths in seconds
    min_frames: int | None = None  # frame-count models: num_frames range at fps[0]
    max_frames: int | None = None
    max_seconds: float | None = None
    ratios: tuple[str, ...] | None = None
    text_ratios: tuple[str, ...] | None = None
    sizes: tuple[tuple[int, int], ...] | None = None
    fps: tuple[float, ...] | None = None
    first_frame: str = "optional"  # required | optional | no
    last_frame: bool = False
    references: bool = False
    seed: bool = True
    cancel: bool = True
    full_hd_lengths: tuple[float, ...] | None = None
    price_per_second: float = 0.0
    prices_by_resolution: Mapping[str, float] = field(default_factory=dict)
    prices_by_mode: Mapping[str, float] = field(default_factory=dict)
    billing: str = "length"  # "length" or "frames/N"
    deprecated: _dt.date | None = None
    end_of_life: _dt.date | None = None
    replacement: str | None = None
    notes: str = ""
    image_model: str | None = None
    #: where the price was read (a vendor page and what it says), or why it is a guess;
    #: a model with neither has an estimated price.
    price_source: str | None = None
    price_estimate: str | None = None

    @classmethod
    def from_json(cls, name: str, raw: Mapping[str, Any], where: str) -> ModelEntry:
        unknown = set(raw) - _KNOWN_KEYS
        if unknown:
            raise ConfigError(f"model {name!r} has unknown keys: {', '.join(sorted(unknown))}",
                              where=where, hint=f"use only {', '.join(sorted(_KNOWN_KEYS))}")
        lengths = raw.get("lengths")
        if isinstance(lengths, Mapping):
            low, high = float(lengths["min"]), float(lengths["max"])
            step = float(lengths.get("step", 1))
            count = math.floor((high - low) / step + 1e-9) + 1
            lengths = tuple(round(low + i * step, 6) for i in range(count))
        elif lengths is not None:
            lengths = tuple(float(v) for v in lengths)
        frames = raw.get("frames") or {}
        first = str(raw.get("first_frame", "optional")).lower()
        if first in ("true", "yes"):
            first = "optional"
        if first in ("false", "none"):
            first = "no"
        if first not in ("required", "optional", "no"):
            raise ConfigError(f"model {name!r}: first_frame must be required, optional or no",
                              where=where)
        billing = str(raw.get("billing", "length"))
        if billing != "length" and not (billing.startswith("frames/") and
                                        billing[7:].replace(".", "", 1).isdigit()):
            raise ConfigError(f"model {name!r}: billing must be 'length' or 'frames/FPS'",
                              where=where)
        return cls(
            name=name, title=str(raw.get("title", "")), endpoint=str(raw.get("endpoint", "")),
            text_endpoint=raw.get("text_endpoint"), lengths=lengths,
            min_frames=int(frames["min"]) if "min" in frames else None,
            max_frames=int(frames["max"]) if "max" in frames else None,
            max_seconds=float(raw["max_seconds"]) if raw.get("max_seconds") else None,
            ratios=tuple(raw["ratios"]) if raw.get("ratios") else None,
            text_ratios=tuple(raw["text_ratios"]) if raw.get("text_ratios") else None,
            sizes=tuple((int(w), int(h)) for w, h in raw["sizes"]) if raw.get("sizes") else None,
            fps=_floats(raw.get("fps")), first_frame=first,
            last_frame=bool(raw.get("last_frame", False)),
            references=bool(raw.get("references", False)), seed=bool(raw.get("seed", True)),
            cancel=bool(raw.get("cancel", True)),
            full_hd_lengths=_floats(raw.get("full_hd_lengths")),
            price_per_second=float(raw.get("price_per_second", 0.0)),
            prices_by_resolution={str(k): float(v) for k, v in
                                  (raw.get("prices_by_resolution") or {}).items()},
            prices_by_mode={str(k): float(v) for k, v in
                            (raw.get("prices_by_mode") or {}).items()},
            billing=billing, deprecated=_date(raw.get("deprecated"), where),
            end_of_life=_date(raw.get("end_of_life"), where),
            replacement=raw.get("replacement"), notes=str(raw.get("notes", "")),
            image_model=raw.get("image_model"),
            price_source=str(raw["price_source"]) if raw.get("price_source") else None,
            price_estimate=str(raw["price_estimate"]) if raw.get("price_estimate") else None)

    # -- what it can make --------------------------------------------------------------
    @property
    def needs_first_frame(self) -> bool:
        return self.first_frame == "required"

    @property
    def billing_fps(self) -> float | None:
        return float(self.billing[7:]) if self.billing.startswith("frames/") else None

    def max_duration(self) -> float | None:
        if self.max_frames and self.fps:
            return self.max_frames / self.fps[0]
        return self.max_seconds

    def capabilities(self, *, text_only: bool = False) -> Capabilities:
        ratios = self.text_ratios if (text_only and self.text_ratios) else self.ratios
        return Capabilities(
            durations_s=self.lengths, max_duration_s=self.max_duration(), sizes=self.sizes,
            aspects=ratios, fps=self.fps, first_frame=self.first_frame != "no",
            last_frame=self.last_frame, references=self.references, cancel=self.cancel,
            price_per_second=self.price_per_second)

    # -- life cycle ------------------------------------------------------------------------
    def retired(self, on: _dt.date | None = None) -> bool:
        return self.end_of_life is not None and (on or today()) >= self.end_of_life

    def status(self, on: _dt.date | None = None) -> str:
        """``ok``, ``deprecated`` (still answers) or ``retired`` (past its end of life)."""
        if self.retired(on):
            return "retired"
        if self.deprecated is not None and (on or today()) >= self.deprecated:
            return "deprecated"
        if self.end_of_life is not None:
            return "deprecated"
        return "ok"

    # -- billing ---------------------------------------------------------------------------
    @property
    def price_estimated(self) -> bool:
        """True when the price is not read from the vendor (said so, or no source given)."""
        return self.price_estimate is not None or self.price_source is None

    def billed_seconds(self, seconds: float, frames: int | None = None) -> float:
        """Seconds the service bills for ``seconds`` of output (``frames`` at fps[0])."""
        per = self.billing_fps
        if per:
            count = frames if frames is not None else math.ceil(seconds * (
                self.fps[0] if self.fps else per) - 1e-6)
            if self.min_frames:
                count = max(self.min_frames, count)
            if self.max_frames:
                count = min(self.max_frames, count)
            return count / per
        if self.lengths:
            covering = [d for d in sorted(self.lengths) if d + 1e-6 >= seconds]
            return covering[0] if covering else max(self.lengths)
        return seconds

    def price(self, resolution: str | None = None, mode: str | None = None) -> float:
        if mode and mode in self.prices_by_mode:
            return self.prices_by_mode[mode]
        if resolution and resolution in self.prices_by_resolution:
            return self.prices_by_resolution[resolution]
        return self.price_per_second

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"title": self.title, "endpoint": self.endpoint,
                                "first_frame_input": self.first_frame, "billing": self.billing,
                                "status": self.status()}
        for key in ("deprecated", "end_of_life"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value.isoformat()
        if self.replacement:
            data["replacement"] = self.replacement
        if self.prices_by_resolution:
            data["prices_by_resolution"] = dict(self.prices_by_resolution)
        if self.notes:
            data["notes"] = self.notes
        data["price_estimated"] = self.price_estimated
        if self.price_source:
            data["price_source"] = self.price_source
        if self.price_estimate or self.price_source is None:
            data["price_estimate"] = self.price_estimate or "no vendor price source recorded"
        return data


@dataclass(frozen=True)
class Catalog:
    """A provider's models, when they were checked and against what."""

    provider: str
    checked: str | None = None
    sources: tuple[str, ...] = ()
    default_model: str | None = None
    models: Mapping[str, ModelEntry] = field(default_factory=dict)
    overridden: tuple[str, ...] = ()  # models changed or added by the user's config

    def get(self, name: str) -> ModelEntry | None:
        return self.models.get(name)


def _catalog_file(provider: str) -> Path:
    return Path(__file__).with_name(f"{provider}.json")


@cache
def _read(provider: str) -> dict[str, Any] | None:
    path = _catalog_file(provider)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def shipped_catalog(provider: str) -> dict[str, Any] | None:
    """The raw shipped JSON for ``provider`` (None when it has no catalog)."""
    raw = _read(provider)
    return json.loads(json.dumps(raw)) if raw is not None else None


def load_catalog(provider: str, overrides: Mapping[str, Any] | None = None,
                 *, where: str | None = None) -> Catalog:
    """The shipped catalog of ``provider`` with the user's ``[providers.NAME.models]``."""
    raw = _read(provider) or {"provider": provider, "models": {}}
    source = str(_catalog_file(provider))
    models: dict[str, ModelEntry] = {}
    for name, entry in (raw.get("models") or {}).items():
        merged = dict(entry)
        if overrides and isinstance(overrides.get(name), Mapping):
            merged.update(overrides[name])
        models[name] = ModelEntry.from_json(name, merged, source if not overrides or
                                            name not in overrides else
                                            (where or "config [providers]"))
    changed: list[str] = []
    for name, entry in (overrides or {}).items():
        if not isinstance(entry, Mapping):
            raise ConfigError(f"[providers.{provider}.models.\"{name}\"] must be a table",
                              where=where or "config")
        changed.append(str(name))
        if name not in models:
            models[str(name)] = ModelEntry.from_json(str(name), entry,
                                                     where or "config [providers]")
    return Catalog(provider=provider, checked=raw.get("checked"),
                   sources=tuple(raw.get("sources") or ()),
                   default_model=raw.get("default_model"), models=models,
                   overridden=tuple(changed))
