"""Write plain Python values into OTIO metadata, faster than ``metadata[key] = value``.

OTIO converts each value through ``_value_to_any``, which tests every scalar against
``collections.abc`` classes; placing 500 slots spends more time there than in all the
timeline edits.  :func:`set_metadata` converts ``dict``/``list``/``tuple`` and plain
scalars directly with OTIO's own ``PyAny``/``AnyDictionary``/``AnyVector`` types and
hands anything else (OTIO objects, ``RationalTime``, mappings of other types) to OTIO's
conversion, so the stored result is the same.  If a later OTIO changes those types the
module falls back to plain assignment.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

__all__ = ["set_metadata"]

try:  # pragma: no branch - the names exist in every OTIO Pickup supports (0.18)
    from opentimelineio._otio import AnyDictionary, AnyVector, PyAny
    from opentimelineio.core._core_utils import _value_to_any
    _FAST = all(hasattr(c, n) for c, n in ((AnyDictionary, "__internal_setitem__"),
                                            (AnyVector, "append")))
except ImportError:  # pragma: no cover - depends on the installed OTIO
    _FAST = False

_SCALARS = (str, int, float, bool, type(None))


def _to_any(value: Any, depth: int = 0) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        try:
            return PyAny(value)
        except (TypeError, RuntimeError):  # an int beyond int64: OTIO says so plainly
            return _value_to_any(value)
    if depth > 64:  # a cycle: let OTIO's converter report it
        return _value_to_any(value)
    if kind is dict:
        table = AnyDictionary()
        for key, item in value.items():
            if type(key) is not str:
                raise ValueError(f"key {key!r} is not a string")
            table.__internal_setitem__(key, _to_any(item, depth + 1))
        return PyAny(table)
    if kind is list or kind is tuple:
        vector = AnyVector()
        for item in value:
            vector.append(_to_any(item, depth + 1))
        return PyAny(vector)
    return _value_to_any(value)


def set_metadata(metadata: MutableMapping[str, Any], key: str, value: Any) -> None:
    """``metadata[key] = value`` for an OTIO object's ``metadata``."""
    if _FAST and isinstance(metadata, AnyDictionary):
        table: Any = metadata
        table.__internal_setitem__(key, _to_any(value))
    else:
        metadata[key] = value
