"""Model choice for hosted providers, read from the catalog (:mod:`pickup.providers.catalog`).

:class:`CatalogModels` is mixed into :class:`~pickup.providers.http.HttpProvider`: it
lists the provider's models, answers ``capabilities``, chooses a model that can make a
slot when the default cannot (``choose_model``), refuses what a model cannot make
(``validate``: a retired model names its replacement), and prices a shot by the
service's billing rule (``billed_seconds``, ``estimate_cost``).  A provider without a
catalog file uses its ``MODELS`` table.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from pickup.errors import ConfigError, InputError
from pickup.providers.base import Capabilities, ShotRequest
from pickup.providers.catalog import Catalog, ModelEntry, load_catalog

__all__ = ["CatalogModels"]


class CatalogModels:
    """Models, capabilities, choice, validation and cost from the provider's catalog."""

    name: ClassVar[str] = ""
    default_model: ClassVar[str] = ""
    #: model -> capabilities for providers without a catalog file (third parties).
    MODELS: ClassVar[dict[str, Capabilities]] = {}
    #: whether models outside the catalog are allowed (with generic capabilities).
    open_models: ClassVar[bool] = False

    options: dict[str, Any]
    model: str
    _config: Any
    _catalog: Catalog | None = None

    # -- the catalog -----------------------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            overrides = self.options.get("models") if hasattr(self, "options") else None
            where = None
            if self._config is not None and getattr(self._config, "path", None):
                where = f"{self._config.path} [providers.{self.name}.models]"
            self._catalog = load_catalog(self.name, overrides if isinstance(
                overrides, dict) else None, where=where)
        return self._catalog

    def model_entry(self, model: str | None = None) -> ModelEntry | None:
        return self.catalog.get(model or self.model)

    def models(self) -> list[str]:
        return list(self.catalog.models) or list(self.MODELS)

    def resolve_model(self, req: ShotRequest | None = None) -> str:
        if req is not None and req.model:
            return req.model
        entry = self.model_entry(self.model)
        if req is not None and req.first_frame is not None and entry is not None \
                and entry.image_model:
            return entry.image_model
        return self.model

    def capabilities(self, model: str | None) -> Capabilities:
        name = model or self.model
        entry = self.model_entry(name)
        if entry is not None:
            caps = entry.capabilities()
        elif name in self.MODELS:
            caps = self.MODELS[name]
        elif self.open_models:
            caps = Capabilities(first_frame=True, last_frame=False)
        else:
            raise ConfigError(f"unknown model {name!r}", where=f"provider {self.name}",
                              hint=f"choose one of: {', '.join(self.models())}, or add it "
                              f"under [providers.{self.name}.models] in the config file")
        price = self._config.price(self.name, name) if self._config else None
        return replace(caps, price_per_second=price) if price is not None else caps

    def capabilities_for(self, req: ShotRequest) -> Capabilities:
        """What the model ``req`` resolves to can make in this request's mode (text-to-video
        models may have fewer ratios than image-to-video ones)."""
        name = self.resolve_model(req)
        caps = self.capabilities(name)
        entry = self.model_entry(name)
        if entry is not None and req.first_frame is None and entry.text_ratios:
            caps = replace(caps, aspects=entry.text_ratios)
        return caps

    # -- choice ----------------------------------------------------------------------------
    def cannot_make(self, model: str, req: ShotRequest) -> str | None:
        """Why ``model`` cannot make ``req`` (None when it can)."""
        entry = self.model_entry(model)
        if entry is None:
            return None
        if entry.retired():
            end = entry.end_of_life.isoformat() if entry.end_of_life else "?"
            return f"was retired on {end}" + (
                f" (replacement: {entry.replacement})" if entry.replacement else "")
        if entry.needs_first_frame and req.first_frame is None:
            return "needs a first frame (image to video) and the slot has none"
        ratios = entry.text_ratios if (req.first_frame is None and entry.text_ratios) \
            else entry.ratios
        if ratios and req.width != req.height:
            portrait = req.height > req.width
            shapes = [_is_portrait(r) for r in ratios]
            if portrait not in [s for s in shapes if s is not None]:
                return f"has no {'portrait' if portrait else 'landscape'} ratio"
        longest = entry.max_duration() or (max(entry.lengths) if entry.lengths else None)
        if longest is not None and req.seconds > longest + 1e-6:
            return f"makes at most {longest:g} s"
        return None

    def choose_model(self, req: ShotRequest) -> tuple[str, tuple[str, ...]]:
        """(model, notes): the default model, or the provider's best model that can make
        the slot when the default cannot.  An explicit ``req.model`` is kept as is
        (``validate`` refuses it with the reason)."""
        if req.model:
            return req.model, ()
        default = self.resolve_model(req)
        problem = self.cannot_make(default, req)
        if problem is None:
            return default, ()
        for name in self.catalog.models:
            if name != default and self.cannot_make(name, req) is None:
                return name, (f"{self.name} {default} {problem}; using {name} instead",)
        return default, ()

    # -- validation ------------------------------------------------------------------------
    def validate(self, req: ShotRequest) -> None:
        """:class:`ConfigError`/:class:`InputError` for what the model cannot make."""
        model = self.resolve_model(req)
        caps = self.capabilities(model)
        entry = self.model_entry(model)
        where = f"provider {self.name}, slot {req.slot_id}"
        if entry is not None and entry.retired():
            raise ConfigError(
                f"{self.name} model {model} reached its end of life on "
                f"{entry.end_of_life.isoformat() if entry.end_of_life else '?'}",
                where=where, hint=(f"use {entry.replacement} (--model {entry.replacement})"
                                   if entry.replacement else "choose another model"))
        if entry is not None and entry.needs_first_frame and req.first_frame is None:
            others = [n for n in self.models() if self.cannot_make(n, req) is None]
            raise ConfigError(f"{self.name} {model} needs a first frame (image to video)",
                              where=where, hint="give the slot a first frame" + (
                                  f", or use --model {others[0]} for text to video"
                                  if others else ""))
        if not req.prompt.strip() and req.first_frame is None:
            raise InputError("the shot has no prompt", where=where,
                             hint="write a prompt in the marker or with --prompt")
        if req.frames <= 0:
            raise InputError("the slot has no frames", where=where)
        limit = caps.max_duration_s or (max(caps.durations_s) if caps.durations_s else None)
        if limit is not None and req.seconds > limit + 1e-6:
            raise InputError(f"the slot is {req.seconds:.2f} s but {self.name} {model} makes at "
                             f"most {limit:g} s", where=where,
                             hint="split the slot, shorten it, or choose a longer model")
        for attr, label in (("first_frame", "a first frame"), ("last_frame", "a last frame")):
            path = getattr(req, attr)
            if path is None:
                continue
            if not getattr(caps, attr):
                raise ConfigError(f"{self.name} {model} cannot take {label}", where=where,
                                  hint="choose a model that takes it, or drop the frame")
            if not Path(path).is_file():
                raise InputError(f"{label} image does not exist", where=str(path))
        if req.references and not caps.references:
            raise ConfigError(f"{self.name} {model} cannot take reference images", where=where,
                              hint="drop the references or choose another model")

    # -- length and cost -------------------------------------------------------------------
    def pick_duration(self, req: ShotRequest, caps: Capabilities) -> float:
        """The shortest allowed duration that covers the slot (conform trims the rest)."""
        if not caps.durations_s:
            return req.seconds
        covering = [d for d in sorted(caps.durations_s) if d + 1e-6 >= req.seconds]
        return covering[0] if covering else max(caps.durations_s)

    def billing_mode(self, req: ShotRequest) -> tuple[str | None, str | None]:
        """(resolution, mode) the service prices this request at; providers refine it."""
        return None, None

    def billed_seconds(self, req: ShotRequest) -> float:
        """The seconds the service bills for ``req`` (its billing rule)."""
        model = self.resolve_model(req)
        entry = self.model_entry(model)
        if entry is None:
            return self.pick_duration(req, self.capabilities(model))
        frames = None
        if entry.billing_fps and entry.fps and abs(float(req.rate) - entry.fps[0]) < 0.01:
            frames = req.frames
        return entry.billed_seconds(req.seconds, frames)

    def estimate_cost(self, req: ShotRequest) -> float:
        """USD for this shot: price per second times the seconds the provider bills."""
        model = self.resolve_model(req)
        entry = self.model_entry(model)
        configured = self._config.price(self.name, model) if self._config else None
        if configured is not None or entry is None:
            price = configured if configured is not None else \
                self.capabilities(model).price_per_second
        else:
            resolution, mode = self.billing_mode(req)
            price = entry.price(resolution, mode)
        return round(price * self.billed_seconds(req), 4)


def _is_portrait(ratio: str) -> bool | None:
    for sep in (":", "x", "/"):
        if sep in ratio:
            a, _, b = ratio.partition(sep)
            try:
                w, h = float(a), float(b)
            except ValueError:
                return None
            return None if w == h else h > w
    return None
