"""Write a filled timeline back, through the patcher for the input's format.

Write-back is the only place that writes timeline files.  Each format has one
:class:`Patcher`: it gets the file the editor gave (``source``), the edited OTIO
timeline and the placements made, and writes the result to a temp path that
:func:`write_back` then renames over the destination (atomic, with a backup when
it overwrites).  OTIO JSON is written from the edited timeline; XML, EDL and AAF
patchers change only the filled slots in the original file.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import opentimelineio as otio

from pickup.atomic import atomic_path
from pickup.errors import InputError, PickupError, WriteError
from pickup.timeline.otiofile import write_otio
from pickup.timeline.place import Placement
from pickup.timeline.read import LoadedTimeline
from pickup.timeline.replaced import replaced_files

__all__ = ["PATCHERS", "Patcher", "choose_writer", "default_output", "get_patcher",
           "register_patcher", "write_back"]

_log = logging.getLogger(__name__)


class Patcher(Protocol):
    """Writes a filled timeline in one format.

    A patcher may also define ``sidecars(source, placements, dest) -> dict[Path, bytes]``:
    files a format needs beside the final ``dest`` (an EDL's ALE), written atomically too;
    and a ``replaced`` list that ``write`` fills with a
    :class:`~pickup.timeline.replaced.Replaced` per slot where it replaced something of
    the editor's (a placeholder), which :func:`write_back` saves when given a folder.
    """

    def write(self, source: LoadedTimeline, edited: otio.schema.Timeline,
              placements: Sequence[Placement], dest: Path) -> None: ...


class OtioPatcher:
    """OTIO JSON and otioz: the edited timeline is the file."""

    def __init__(self, adapter: str = "otio_json") -> None:
        self.adapter = adapter

    def write(self, source: LoadedTimeline, edited: otio.schema.Timeline,
              placements: Sequence[Placement], dest: Path) -> None:
        write_otio(edited, dest, self.adapter)


class AdapterWriter:
    """Any OTIO adapter (``--to``): may drop what the adapter cannot express."""

    def __init__(self, adapter: str) -> None:
        self.adapter = adapter

    def write(self, source: LoadedTimeline, edited: otio.schema.Timeline,
              placements: Sequence[Placement], dest: Path) -> None:
        write_otio(edited, dest, self.adapter)


#: format name -> "module:Class" of its patcher (imported lazily).
PATCHERS: dict[str, str] = {
    "otio": "pickup.timeline.writeback:OtioPatcher",
    "fcp7xml": "pickup.timeline.patch.fcp7xml:Fcp7XmlPatcher",
    "fcpxml": "pickup.timeline.patch.fcpxml:FcpxXmlPatcher",
    "edl": "pickup.timeline.patch.edl:EdlPatcher",
    "aaf": "pickup.timeline.patch.aaf:AafPatcher",
}


def register_patcher(format_name: str, target: str) -> None:
    """Register ``module:Class`` as the patcher for ``format_name``."""
    PATCHERS[format_name] = target


def get_patcher(format_name: str) -> Patcher:
    if format_name == "otioz":
        return OtioPatcher("otioz")
    target = PATCHERS.get(format_name)
    if target is None:
        raise InputError(f"Pickup cannot yet write {format_name} files back losslessly",
                         hint="write OTIO with -o OUT.otio, or --to ADAPTER")
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)()


def choose_writer(source: LoadedTimeline, dest: Path, to_adapter: str | None = None
                  ) -> Patcher:
    """The writer for ``dest``: ``--to`` wins; else the input format's lossless patcher
    when ``dest`` has the input's format; else OTIO JSON/otioz (lossless for what was
    read), else refuse — writing another format silently through a lossy adapter is
    what Pickup exists to avoid."""
    if to_adapter:
        return AdapterWriter(to_adapter)
    suffix = dest.suffix.lower()
    if suffix in source.format.suffixes or suffix == source.path.suffix.lower():
        return get_patcher(source.format.name)
    if suffix == ".otio":
        return OtioPatcher("otio_json")
    if suffix == ".otioz":
        return OtioPatcher("otioz")
    raise InputError(
        f"the output's suffix {suffix or '(none)'!r} is not the input's format "
        f"({source.format.label})", where=str(dest),
        hint=f"keep the {source.path.suffix} suffix, write .otio, or convert with --to ADAPTER")


#: suffixes Pickup writes back in their own format; anything else (a screenplay, a shot
#: list, a third-party adapter's format) is written as OTIO JSON.
_WRITABLE_SUFFIXES = (".otio", ".otioz", ".edl", ".xml", ".fcpxml", ".aaf")


def default_output(path: Path) -> Path:
    """``<stem>.pickup<ext>`` beside the input (``<stem>.pickup.otio`` for inputs Pickup
    reads but does not write, such as ``.fountain`` or ``.fdx``).  A file Pickup wrote
    (``cut.pickup.xml``) is its own output: filling or sending it back again updates
    it (keeping a backup) instead of making ``cut.pickup.pickup.xml``."""
    suffix = path.suffix if path.suffix.lower() in _WRITABLE_SUFFIXES else ".otio"
    stem = path.stem
    while stem.endswith(".pickup") and len(stem) > len(".pickup"):
        stem = stem[: -len(".pickup")]
    return path.with_name(f"{stem}.pickup{suffix}")


def write_back(source: LoadedTimeline, edited: otio.schema.Timeline,
               placements: Sequence[Placement], dest: Path, *, to_adapter: str | None = None,
               backup: bool = False, replaced_dir: Path | None = None) -> Path:
    """Write ``edited`` to ``dest`` atomically; returns ``dest``.

    ``to_adapter`` writes through that OTIO adapter instead of the input's patcher.
    Refuses to overwrite the input unless ``backup`` is set (``--in-place``).
    ``replaced_dir`` receives what the patcher replaced at each slot (see
    :mod:`pickup.timeline.replaced`; ``pickup revert`` puts it back), committed with
    the timeline; None keeps nothing.
    """
    dest = Path(dest)
    if dest.resolve() == source.path.resolve() and not backup:
        raise InputError("refusing to overwrite the input", where=str(dest),
                         hint="use --in-place (keeps a .bak) or choose -o OUT")
    if not dest.parent.is_dir():
        raise InputError("the output folder does not exist", where=str(dest.parent))
    patcher = choose_writer(source, dest, to_adapter)
    sidecars = getattr(patcher, "sidecars", None)
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(atomic_path(dest, backup=backup))
        try:
            patcher.write(source, edited, placements, tmp)
            if not isinstance(patcher, (AdapterWriter, OtioPatcher)):
                # Re-read with a reader Pickup did not write; refuse before the rename.
                from pickup.timeline.verify import check_write

                check_write(source.path, tmp, source.format.name, dest,
                            names={p.name: p.slot.id for p in placements})
            # Files a format needs beside the timeline (the ALE of an EDL), each atomic.
            for side, data in (sidecars(source, placements, dest) if sidecars else {}).items():
                stack.enter_context(atomic_path(side, backup=backup)).write_bytes(data)
            # What the patcher replaced (placeholders), so that revert can put it back.
            kept = getattr(patcher, "replaced", None) if replaced_dir is not None else None
            if kept and replaced_dir is not None:
                for path, data in replaced_files(replaced_dir, kept).items():
                    stack.enter_context(atomic_path(path)).write_bytes(data)
        except PickupError:
            raise
        except OSError:
            raise
        except Exception as exc:
            from pickup.timeline.loss import one_line

            raise WriteError(f"writing failed: {one_line(exc)}",
                             where=str(dest), hint="nothing was written") from None
    _log.info("wrote %s", dest)
    return dest
