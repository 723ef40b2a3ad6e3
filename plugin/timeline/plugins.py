"""Suffixes of OTIO adapter plugins (Pickup's own screenplay readers and third parties)."""

from __future__ import annotations

import functools

__all__ = ["adapter_for_suffix"]


@functools.lru_cache(maxsize=1)
def _suffix_map() -> dict[str, str]:
    import opentimelineio as otio

    mapping: dict[str, str] = {}
    for adapter in otio.plugins.ActiveManifest().adapters:
        for suffix in adapter.suffixes:
            mapping.setdefault("." + suffix.lower().lstrip("."), adapter.name)
    return mapping


def adapter_for_suffix(suffix: str) -> str | None:
    """The OTIO adapter registered for ``suffix`` (".fountain"), if any."""
    return _suffix_map().get(suffix.lower())
