"""An AAF object tree (a sequence component) as JSON, and back into a file, with pyaaf2.

The AAF patcher keeps the placeholder component it replaces this way, so that
``pickup revert`` can put it back.  :func:`dump` walks the object's properties:
data properties keep their stored bytes (hex), strong references nest, weak
references (data, operation, parameter definitions…) keep the key of the object
they point to.  :func:`load` builds the same tree in an open file, resolving each
weak reference in that file's own dictionary (a definition it lacks is an error).
Streams and weak-reference arrays are not part of sequence components; an object
holding one is refused (:class:`Unsupported`).
"""

from __future__ import annotations

from typing import Any

from aaf2 import properties as P
from aaf2.auid import AUID
from aaf2.mobid import MobID

__all__ = ["Unsupported", "dump", "load"]


class Unsupported(ValueError):
    """The object holds something this module does not carry."""


def dump(obj: Any) -> dict[str, Any]:
    """``obj`` and everything it owns, as JSON-able data."""
    classdef = obj.classdef
    props: list[dict[str, Any]] = []
    for p in obj.properties():
        row: dict[str, Any] = {"name": p.name, "format": p.format}
        if isinstance(p, P.StrongRefProperty):
            row["object"] = dump(p.value)
        elif isinstance(p, P.StrongRefVectorProperty):
            row["objects"] = [dump(v) for v in p]
        elif isinstance(p, P.StrongRefSetProperty):
            row["objects"] = [dump(v) for v in p.values()]
        elif isinstance(p, P.WeakRefProperty):
            row["ref"] = str(p.ref)
            row["ref_kind"] = "mob" if isinstance(p.ref, MobID) else "auid"
        elif isinstance(p, (P.WeakRefArrayProperty, P.StreamProperty)):
            raise Unsupported(f"{classdef.class_name}.{p.name} is a "
                              f"{type(p).__name__}")
        elif p.data is None:
            continue
        else:
            row["data"] = bytes(p.data).hex()
        props.append(row)
    return {"class": classdef.class_name, "class_id": str(classdef.auid), "properties": props}


def load(f: Any, data: dict[str, Any]) -> Any:
    """A new (unattached) object of open file ``f`` built from :func:`dump`'s ``data``."""
    classdef = f.metadict.lookup_classdef(AUID(data["class_id"]))
    if classdef is None:
        raise Unsupported(f"the file does not define the AAF class {data['class']}")
    cls = f.metadict.lookup_class(classdef.class_name)
    obj = cls.__new__(cls)
    obj.root = f
    if type(obj).__name__ == "AAFObject":
        obj.class_id = classdef.auid
    for row in data["properties"]:
        name = row["name"]
        p = obj.get(name, None)
        if p is None:
            raise Unsupported(f"the file's {classdef.class_name} has no property {name}")
        if "object" in row:
            p.value = load(f, row["object"])
        elif "objects" in row:
            p.value = [load(f, child) for child in row["objects"]]
        elif "ref" in row:
            key = MobID(row["ref"]) if row.get("ref_kind") == "mob" else AUID(row["ref"])
            p.value = _target(f, p, key)
        else:
            p.data = bytes.fromhex(row["data"])
            p.add_pid_entry()
    return obj


def _target(f: Any, p: Any, key: Any) -> Any:
    """The object a weak reference property ``p`` of file ``f`` names by ``key``."""
    if p.ref_classdef.auid == P.CLASSDEF_AUID:
        found = f.metadict.lookup_classdef(key)
    elif p.ref_classdef.auid == P.TYPEDEF_AUID:
        found = f.metadict.lookup_typedef(key)
    else:
        _, target = f.weakref_prop(f.weakref_index(p.pid_path))
        found = target.get(key) if hasattr(target, "get") else None
    if found is None:
        raise Unsupported(f"the file has no {p.ref_classdef.class_name} {key} "
                          f"(for {p.name})")
    return found
