"""``pickup providers``: list every provider, its models and capabilities, and its setup."""

from __future__ import annotations

import argparse
import dataclasses
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
    list_models: Callable[[], list[str]] | None = getattr(provider, "models", None)
    models = list_models() if callable(list_models) else [default]
    entry["models"] = {}
    for model in models:
        try:
            entry["models"][str(model)] = _caps(provider, model)
        except PickupError as exc:
            entry["models"][str(model)] = {"error": str(exc)}
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
            lengths = (", ".join(f"{d:g}" for d in caps["durations_s"]) + " s"
                       if caps.get("durations_s") else
                       f"≤ {caps['max_duration_s']:.2f} s" if caps.get("max_duration_s")
                       else "any")
            frames = "/".join(k for k in ("first", "last") if caps.get(f"{k}_frame")) or "-"
            table.add_row(entry["name"] if first else "", setup if first else "",
                          (model if model != "None" else "")
                          + (" *" if model == entry.get("default_model") else ""),
                          lengths, frames, "yes" if caps.get("cancel") else "no",
                          f"{caps.get('price_per_second', 0):.3f}")
            first = False
    console.print(table)
    console.print("* default model; prices are defaults, override them under \\[prices] in "
                  "the config file")
    return 0
