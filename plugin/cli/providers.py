"""``pickup providers``: list every provider, its models and capabilities, and its setup."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

from pickup.cli.common import emit_json
from pickup.errors import PickupError

__all__ = ["describe", "register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser("providers", help="list the generation providers",
                            description="List every provider (built-in or installed), its "
                            "models with their capabilities and prices, and whether it is "
                            "configured (has its API key, or a server URL).")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def _caps(provider: Any, model: str | None) -> dict[str, Any]:
    caps = provider.capabilities(model)
    data = dataclasses.asdict(caps)
    for key, value in data.items():
        if isinstance(value, tuple):
            data[key] = [list(v) if isinstance(v, tuple) else v for v in value]
    return data


def _lengths(durations: list[float]) -> str:
    """``5, 10 s``, or ``2–10 s (whole seconds)`` for a per-second range."""
    if len(durations) > 3 and all(b - a == 1 for a, b in itertools.pairwise(durations)):
        return f"{durations[0]:g}–{durations[-1]:g} s (whole seconds)"
    return ", ".join(f"{d:g}" for d in durations) + " s"


def describe(name: str) -> dict[str, Any]:
    """One provider as a JSON-ready dict; a provider that fails to load says why."""
    from pickup.providers.registry import get_provider
    from pickup.secrets import KEY_ENV, secret_status

    entry: dict[str, Any] = {"name": name, "configured": False, "key_env": KEY_ENV.get(name)}
    try:
        provider = get_provider(name)
    except (PickupError, ImportError, TypeError) as exc:
        entry["error"] = str(exc)
        return entry
    if name in KEY_ENV:
        status = secret_status(name, env_var=getattr(provider, "options", {}).get("key_env"))
        entry["key_source"] = status.source
        if status.keyring_error:
            entry["keyring_error"] = status.keyring_error
    configured = getattr(provider, "is_configured", None)
    entry["configured"] = bool(configured()) if callable(configured) else True
    base_url = getattr(provider, "base_url", None)
    if base_url is not None:
        from pickup.providers.http import safe_url

        entry["base_url"] = safe_url(str(base_url))
    servers = getattr(provider, "servers", None)
    if servers is not None:
        from pickup.providers.http import safe_url

        entry["servers"] = [safe_url(s) for s in servers]
    default = getattr(provider, "model", None)
    entry["default_model"] = default
    catalog = getattr(provider, "catalog", None)
    if catalog is not None and catalog.models:
        entry["catalog"] = {"checked": catalog.checked, "sources": list(catalog.sources),
                            "overridden_in_config": list(catalog.overridden)}
    list_models: Callable[[], list[str]] | None = getattr(provider, "models", None)
    models = list_models() if callable(list_models) else [default]
    entry["models"] = {}
    model_entry = getattr(provider, "model_entry", None)
    workflow_file = getattr(provider, "workflow_file", None)
    for model in models:
        try:
            data = _caps(provider, model)
        except PickupError as exc:
            entry["models"][str(model)] = {"error": str(exc)}
            continue
        found: Any = model_entry(model) if callable(model_entry) else None
        if found is not None:
            data.update(found.to_json())
        if callable(workflow_file):
            with contextlib.suppress(PickupError):
                data["workflow"] = str(workflow_file(model))
        entry["models"][str(model)] = data
    return entry


def run(args: argparse.Namespace) -> int:
    from pickup.providers.registry import available

    entries = [describe(name) for name in available()]
    if args.json:
        emit_json({"providers": entries})
        return 0
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    table = Table(title="Providers", title_justify="left")
    for column in ("provider", "configured", "model", "lengths", "first/last", "cancel",
                   "USD/s"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        if "error" in entry:
            table.add_row(entry["name"], "no", "", "", "", "", f"[red]{entry['error']}[/red]")
            continue
        setup = "yes" if entry["configured"] else (
            f"no: set {entry['key_env']} or `pickup auth set {entry['name']}`"
            if entry.get("key_env") else "no")
        if entry.get("key_source"):
            setup = f"yes ({entry['key_source']})"
        first = True
        for model, caps in entry["models"].items():
            if "error" in caps:
                table.add_row(entry["name"] if first else "", setup if first else "", model,
                              caps["error"], "", "", "")
                first = False
                continue
            lengths = (_lengths(caps["durations_s"]) if caps.get("durations_s") else
                       f"≤ {caps['max_duration_s']:.2f} s" if caps.get("max_duration_s")
                       else "any")
            frames = "/".join(k for k in ("first", "last") if caps.get(f"{k}_frame")) or "-"
            if caps.get("first_frame_input") == "required":
                frames += " (needed)"
            label = (model if model != "None" else "") + (
                " *" if model == entry.get("default_model") else "")
            if caps.get("status") in ("deprecated", "retired"):
                label += f" [yellow]({caps['status']}" + (
                    f", end of life {caps['end_of_life']}" if caps.get("end_of_life") else ""
                ) + (f"; use {caps['replacement']}" if caps.get("replacement") else "") + \
                    ")[/yellow]"
            if caps.get("workflow"):
                label += f"\nworkflow: {caps['workflow']}"
            price = f"{caps.get('price_per_second', 0):.3f}"
            if caps.get("price_estimated"):
                price = f"~{price}"
            table.add_row(entry["name"] if first else "", setup if first else "", label,
                          lengths, frames, "yes" if caps.get("cancel") else "no", price)
            first = False
    console.print(table)
    console.print("* default model; prices are defaults, override them under \\[prices] in "
                  "the config file; change or add models under \\[providers.NAME.models]")
    console.print("~ estimated price: no vendor price was found for it (`pickup providers "
                  "--json` gives each model's price_source or price_estimate)")
    for entry in entries:
        catalog = entry.get("catalog")
        if catalog:
            changed = ", ".join(catalog["overridden_in_config"])
            console.print(f"{entry['name']}: catalog checked {catalog['checked']} against "
                          + "; ".join(catalog["sources"][:2])
                          + (f" (changed in your config: {changed})" if changed else ""))
    return 0
