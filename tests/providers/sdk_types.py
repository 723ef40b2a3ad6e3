"""Check a JSON body against a vendor SDK's request TypedDict (Stainless SDKs: runwayml,
lumaai): wire names are mapped back through the SDK's ``PropertyInfo(alias=...)``, unknown
keys are refused at every level, and the values are validated by pydantic against the SDK's
own annotations (``Required``, ``Literal``, nested TypedDicts)."""

from __future__ import annotations

import collections.abc
import typing
from typing import Any, Union

import pydantic
from typing_extensions import is_typeddict

__all__ = ["SchemaMismatch", "check_typed_dict", "member_for"]


class SchemaMismatch(AssertionError):
    """The body is not what the SDK would send."""


def _strip(tp: Any) -> tuple[Any, str | None]:
    """(type without Annotated/Required/NotRequired, alias)."""
    alias = None
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            for meta in getattr(tp, "__metadata__", ()):
                alias = getattr(meta, "alias", None) or alias
            tp = typing.get_args(tp)[0]
            continue
        name = getattr(origin, "_name", None) or getattr(origin, "__name__", "")
        if name in ("Required", "NotRequired"):
            tp = typing.get_args(tp)[0]
            continue
        return tp, alias


def _unwire(value: Any, tp: Any, path: str) -> Any:
    """``value`` with wire keys renamed to the SDK's field names (recursively)."""
    tp, _ = _strip(tp)
    origin = typing.get_origin(tp)
    if is_typeddict(tp):
        if not isinstance(value, dict):
            raise SchemaMismatch(f"{path}: expected an object, got {type(value).__name__}")
        hints = typing.get_type_hints(tp, include_extras=True)
        wire = {(_strip(hint)[1] or name): name for name, hint in hints.items()}
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key not in wire:
                raise SchemaMismatch(f"{path}.{key}: not a field of {tp.__name__} "
                                     f"(fields: {', '.join(sorted(wire))})")
            field = wire[key]
            out[field] = _unwire(item, hints[field], f"{path}.{key}")
        missing = [n for n in _required(tp, hints) if n not in out]
        if missing:
            raise SchemaMismatch(f"{path}: {tp.__name__} needs {', '.join(missing)}")
        return out
    if origin is Union or str(origin) == "types.UnionType":
        problems = []
        for option in typing.get_args(tp):
            try:
                return _unwire(value, option, path)
            except SchemaMismatch as exc:
                problems.append(str(exc))
        raise SchemaMismatch(" | ".join(problems))
    if tp in (str, int, float, bool):
        ok = isinstance(value, tp) and not (tp is int and isinstance(value, bool))
        if tp is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            raise SchemaMismatch(f"{path}: expected {tp.__name__}, got {value!r}")
        return value
    if origin is typing.Literal:
        if value not in typing.get_args(tp):
            raise SchemaMismatch(f"{path}: {value!r} is not one of {typing.get_args(tp)}")
        return value
    if origin in (list, collections.abc.Iterable, collections.abc.Sequence) and \
            isinstance(value, list):
        (item_type,) = typing.get_args(tp) or (Any,)
        return [_unwire(v, item_type, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def _required(tp: Any, hints: dict[str, Any]) -> list[str]:
    """Required fields: a hint wrapped in ``NotRequired`` is optional even where
    ``__required_keys__`` lists it (TypedDicts declared under ``from __future__ import
    annotations``, as google-genai's Speakeasy types are, cannot see the wrapper)."""
    def optional(hint: Any) -> bool:
        while True:
            origin = typing.get_origin(hint)
            name = getattr(origin, "_name", None) or getattr(origin, "__name__", "")
            if name == "NotRequired":
                return True
            if origin is typing.Annotated or name == "Required":
                if name == "Required":
                    return False
                hint = typing.get_args(hint)[0]
                continue
            return False
    return [n for n in getattr(tp, "__required_keys__", ()) if not optional(hints.get(n))]


def check_typed_dict(body: dict[str, Any], td: Any, *, model: Any = None) -> None:
    """Raise :class:`SchemaMismatch` unless ``body`` is a valid ``td`` on the wire.

    ``model``: the SDK's pydantic model for the same type, to validate the values with
    where pydantic cannot build a validator from the TypedDict itself (google-genai's
    Speakeasy types name ``IO[bytes]``)."""
    plain = _unwire(body, td, td.__name__)
    try:
        if model is not None:
            model.model_validate(body)
            return
        pydantic.TypeAdapter(td).validate_python(plain, strict=False)
    except pydantic.ValidationError as exc:
        raise SchemaMismatch(f"{td.__name__}: {exc}") from None


def member_for(union: Any, **fields: Any) -> Any:
    """The TypedDict in ``union`` whose Literal fields accept ``fields`` (e.g. model=...)."""
    for option in typing.get_args(union):
        hints = typing.get_type_hints(option, include_extras=True)
        if all(name in hints and value in typing.get_args(_strip(hints[name])[0])
               for name, value in fields.items()):
            return option
    raise SchemaMismatch(f"no request type for {fields} in the SDK")
