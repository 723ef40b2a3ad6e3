"""Point a timeline's clips at media files that moved, changing nothing else in the file.

:func:`repath` writes ``dest`` (atomically, with a backup when it overwrites) from the
file the editor gave, with each old media location replaced by its new one:

- OTIO JSON: every media reference naming an old file (any take, not just the active
  one) gets the new file, in the same form (``file://`` URL or plain path).
- FCP7 XML and FCPXML: the ``pathurl``/``src`` text naming the old file, in every form
  those files write it (``file://localhost/...``, ``file:///...``, percent-encoded or
  not, XML-escaped); every other byte stays.
- EDL: the ``* SOURCE FILE:`` (and similar) comment lines, and the ALE beside it.
- AAF: the ``URLString`` of every network locator naming the old file (pyaaf2), in a
  copy of the file.

Before the rename the written file is re-read with a reader Pickup did not write
(ElementTree, pycmx, pyaaf2, OTIO's JSON reader) and must have the input's shape (the
same elements, events, mobs or clips): a file that fails is never put in place.

Returns how many places changed per old file, so a caller can say which moves the file
did not name as Pickup read them.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from pickup.atomic import atomic_path
from pickup.errors import InputError, WriteError
from pickup.timeline.otiofile import write_otio
from pickup.timeline.read import LoadedTimeline
from pickup.timeline.refs import path_of_url
from pickup.timeline.replaced import decode_text

__all__ = ["path_of_url", "repath", "same_form"]


def same_form(old_url: str, new: Path) -> str:
    """``new`` written the way ``old_url`` was (a URL stays a URL, a path a path)."""
    if "://" not in old_url:
        return str(new)
    if old_url.startswith("file://localhost/"):
        return "file://localhost" + quote(str(new.resolve()))
    return new.resolve().as_uri()


def _text_forms(old: Path, new: Path) -> list[tuple[str, str]]:
    """(old text, new text) for every way a timeline file may spell a media path."""
    pairs: list[tuple[str, str]] = []
    if old.is_absolute():
        pairs += [(old.as_uri(), new.resolve().as_uri()),
                  ("file://localhost" + quote(str(old)),
                   "file://localhost" + quote(str(new.resolve()))),
                  ("file://" + str(old), "file://" + str(new.resolve())),
                  (quote(str(old)), quote(str(new.resolve())))]
    pairs.append((str(old), str(new.resolve())))
    escaped = [(escape(a, {'"': "&quot;"}), escape(b, {'"': "&quot;"})) for a, b in pairs]
    out: list[tuple[str, str]] = []
    for pair in pairs + escaped:
        if pair[0] and pair not in out:
            out.append(pair)
    # Longer forms first, so that a plain path inside a URL is not replaced twice.
    return sorted(out, key=lambda p: -len(p[0]))



def _repath_text(text: str, moves: Mapping[Path, Path]) -> tuple[str, dict[Path, int]]:
    counts: dict[Path, int] = {}
    for old, new in moves.items():
        n = 0
        for before, after in _text_forms(old, new):
            found = text.count(before)
            if found:
                text = text.replace(before, after)
                n += found
        counts[old] = n
    return text, counts


def _shape(path: Path, fmt: str) -> tuple[Any, ...]:
    """What must not change when only media paths do, read by an independent reader."""
    if fmt in ("fcp7xml", "fcpxml"):
        import xml.etree.ElementTree as ET

        return tuple(e.tag for e in ET.parse(path).getroot().iter())
    if fmt == "edl":
        import pycmx

        with path.open("r", encoding="utf-8", errors="replace") as f:
            edl = pycmx.parse_cmx3600(f)
        return tuple((e.source, e.source_in, e.source_out, e.record_in, e.record_out)
                     for ev in edl.events for e in ev.edits)
    if fmt == "aaf":
        import aaf2

        with aaf2.open(str(path), "r") as f:
            return tuple(sorted(str(m.mob_id) for m in f.content.mobs))
    import json

    schemas: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "OTIO_SCHEMA" in node:
                schemas.append(str(node["OTIO_SCHEMA"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(path.read_text("utf-8")))
    return tuple(schemas)


def _checked(original: Path, written: Path, fmt: str, dest: Path) -> None:
    """Refuse ``written`` (about to be renamed over ``dest``) unless an independent
    reader reads it with the shape of ``original``."""
    try:
        before = _shape(original, fmt)
    except Exception:  # the reader cannot read the input: nothing to compare
        return
    try:
        after = _shape(written, fmt)
    except Exception as exc:  # any reader failure refuses the write
        raise WriteError(f"the relinked file cannot be read back ({type(exc).__name__}: "
                         f"{exc}); nothing was written", where=str(dest),
                         hint="please report this with the input file") from None
    if before != after:
        raise WriteError("the relinked file does not have the input's shape; nothing was "
                         "written", where=str(dest),
                         hint="please report this with the input file")


def _repath_otio(loaded: LoadedTimeline, moves: Mapping[Path, Path], dest: Path,
                 backup: bool) -> dict[Path, int]:
    timeline = loaded.timeline.deepcopy()
    counts = {old: 0 for old in moves}
    for clip in timeline.find_clips():
        refs = clip.media_references()
        changed = False
        for ref in refs.values():
            url = getattr(ref, "target_url", None)
            path = path_of_url(url) if url else None
            if path is None or path not in moves:
                continue
            ref.target_url = same_form(str(url), moves[path])
            counts[path] += 1
            changed = True
        if changed:
            clip.set_media_references(refs, clip.active_media_reference_key)
    with atomic_path(dest, backup=backup) as tmp:
        write_otio(timeline, tmp)
        _checked(loaded.path, tmp, "otio", dest)
    return counts


def _repath_aaf(loaded: LoadedTimeline, moves: Mapping[Path, Path], dest: Path,
                backup: bool) -> dict[Path, int]:
    import aaf2

    counts = {old: 0 for old in moves}
    with atomic_path(dest, backup=backup) as tmp:
        shutil.copyfile(loaded.path, tmp)
        with aaf2.open(str(tmp), "rw") as f:
            for mob in f.content.mobs:
                for loc in _locators(getattr(mob, "descriptor", None)):
                    url = loc["URLString"].value
                    path = path_of_url(str(url)) if url else None
                    if path is not None and path in moves:
                        loc["URLString"].value = same_form(str(url), moves[path])
                        counts[path] += 1
        _checked(loaded.path, tmp, "aaf", dest)
    return counts


def _locators(desc: Any) -> list[Any]:
    if desc is None or not hasattr(desc, "get"):
        return []
    found: list[Any] = []
    locs = desc.get("Locator")
    if locs is not None:
        found += list(locs.value)
    subs = desc.get("FileDescriptors")
    if subs is not None:
        for sub in subs.value:
            found += _locators(sub)
    return found


def repath(loaded: LoadedTimeline, moves: Mapping[Path, Path], dest: Path, *,
           backup: bool = False) -> dict[Path, int]:
    """Write ``dest``: ``loaded``'s file with each ``moves`` key (an old media file, as
    the timeline names it) pointing at its value.  Returns old file -> places changed."""
    fmt = loaded.format.name
    dest = Path(dest)
    if dest.resolve() == loaded.path.resolve() and not backup:
        raise InputError("refusing to overwrite the input", where=str(dest),
                         hint="pass --in-place (keeps <name>.bak) or -o OUT")
    if dest.suffix.lower() != loaded.path.suffix.lower():
        raise InputError(f"-o must keep the input's suffix ({loaded.path.suffix})",
                         where=str(dest))
    if fmt == "otio":
        return _repath_otio(loaded, moves, dest, backup)
    if fmt == "aaf":
        return _repath_aaf(loaded, moves, dest, backup)
    if fmt not in ("fcp7xml", "fcpxml", "edl"):
        raise InputError(f"Pickup cannot relink media in {loaded.format.label} files",
                         where=str(loaded.path),
                         hint="relink in the editing app, or export OTIO, FCP XML, EDL or AAF")
    text, encoding = decode_text(loaded.path.read_bytes())
    patched, counts = _repath_text(text, moves)
    with atomic_path(dest, backup=backup) as tmp:
        tmp.write_bytes(patched.encode(encoding))
        _checked(loaded.path, tmp, fmt, dest)
    if fmt == "edl":
        from pickup.timeline.patch.edl import ale_path

        ale_in = ale_path(loaded.path)
        if ale_in.is_file():
            ale_text, ale_encoding = decode_text(ale_in.read_bytes())
            ale_out = ale_path(dest)
            with atomic_path(ale_out, backup=ale_out.exists()) as tmp:
                tmp.write_bytes(_repath_text(ale_text, moves)[0].encode(ale_encoding))
    return counts

