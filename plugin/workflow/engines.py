"""One way to start the engine for a provider, whichever face asks.

Every take, from ``pickup fill``, the panel or the Resolve bridge, is made by an
:class:`~pickup.engine.Engine` built here: the provider from the registry with the
configured options (plus the face's own), concurrency and poll interval fitted to
a local or a remote provider, and the conformer that writes the provenance marks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pickup.config import Config, load_config
from pickup.engine import Engine, EngineOptions
from pickup.project import Project
from pickup.providers.base import Provider

__all__ = ["make_provider", "open_engine"]


def make_provider(name: str, config: Config,
                  options: Mapping[str, Any] | None = None) -> Provider:
    """Provider ``name`` with its configured options, ``options`` on top."""
    from pickup.providers.registry import get_provider

    merged = config.provider_options(name)
    merged.update(dict(options or {}))
    return get_provider(name, config=config, **merged)


def open_engine(project: Project, provider: str | Provider, *, config: Config | None = None,
                model: str | None = None, concurrency: int | None = None,
                budget: float | None = None, seed: int | None = None,
                new_seed: bool = False, force: bool = False,
                provider_options: Mapping[str, Any] | None = None,
                local_poll_s: float = 0.5, wait_for_project: bool = False,
                resubmit_unknown: bool = False) -> Engine:
    """An engine for ``project`` making takes with ``provider`` (a name or an instance).

    Concurrency defaults to 1 for a provider that renders on this machine and 4 for
    a remote one; the conformer marks each take's provenance (provider, model, slot,
    take, request hash, and a C2PA manifest when a signer is configured)."""
    config = config if config is not None else load_config()
    if isinstance(provider, str):
        provider = make_provider(provider, config, provider_options)
    caps = provider.capabilities(model)
    options = EngineOptions(model=model, concurrency=concurrency or (1 if caps.local else 4),
                            budget=budget, seed=seed, new_seed=new_seed, force=force,
                            config=config, wait_for_project=wait_for_project,
                            resubmit_unknown=resubmit_unknown,
                            poll_interval_s=local_poll_s if caps.local else 2.0)
    from pickup.takes.record import fill_conformer

    engine: Engine | None = None

    def current() -> Engine:
        assert engine is not None
        return engine

    engine = Engine(project, provider, options,
                    conformer=fill_conformer(current, str(provider.name), model))
    return engine
