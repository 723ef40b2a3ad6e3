"""Swap a take in the editor's own file: the other direction of each format's patcher.

A swap changes only the filled clip's media: in FCP7 XML, FCPXML and EDL (and its ALE)
the media path, file name and clip name of the take in the file's text, byte for byte
elsewhere; in AAF the NetworkLocator of the take's source mob and the names of its mobs.
Position, duration, effects and markers are not touched.  Writes are atomic and an
existing destination is backed up.  (Moved here from ``pickup.takes.ops``, which
decides what to swap.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import opentimelineio as otio

from pickup.atomic import atomic_path
from pickup.errors import SlotError
from pickup.timeline.refs import media_path_of
from pickup.timeline.replaced import decode_text

__all__ = ["swap_aaf", "swap_ale", "swap_text"]


def _forms(path: Path) -> list[str]:
    absolute = Path(path).resolve()
    return [absolute.as_uri(), "file://localhost" + quote(str(absolute)), quote(str(absolute)),
            str(absolute)]


def _replace_text(data: str, old_path: Path, new_path: Path, old_name: str | None,
                  new_name: str | None) -> tuple[str, int]:
    count = 0
    for old, new in zip(_forms(old_path), _forms(new_path), strict=True):
        count += data.count(old)
        data = data.replace(old, new)
    pattern = re.compile(re.escape(Path(old_path).name) + r"(?![\w.])")
    data, n = pattern.subn(Path(new_path).name, data)
    count += n
    if old_name and new_name and old_name != new_name:
        data = re.sub(re.escape(old_name) + r"(?![\w])", lambda m: new_name, data)
    return data, count



def swap_text(src: Path, dest: Path, old_path: Path, new_path: Path, old_name: str | None,
               new_name: str | None, slot_id: str) -> Path:
    text, encoding = decode_text(src.read_bytes())
    patched, count = _replace_text(text, old_path, new_path, old_name, new_name)
    if count == 0:
        raise SlotError(f"the file does not name the media of slot {slot_id}'s take "
                        f"({old_path.name})", where=str(src),
                        hint="the editor may have relinked it; write OTIO with -o OUT.otio")
    with atomic_path(dest, backup=dest.exists()) as tmp:
        tmp.write_bytes(patched.encode(encoding))
    return dest


def swap_ale(src: Path, dest: Path, old_path: Path, new_path: Path, old_name: str | None,
              new_name: str | None) -> None:
    from pickup.timeline.patch.edl import ale_path

    ale_in = ale_path(src)
    if not ale_in.is_file():
        return
    text, encoding = decode_text(ale_in.read_bytes())
    patched, _ = _replace_text(text, old_path, new_path, old_name, new_name)
    ale_out = ale_path(dest)
    with atomic_path(ale_out, backup=ale_out.exists()) as tmp:
        tmp.write_bytes(patched.encode(encoding))


def _locators(desc: Any) -> Iterable[Any]:
    if desc is None:
        return
    locs = desc.get("Locator")
    if locs is not None:
        yield from locs.value
    subs = desc.get("FileDescriptors")
    if subs is not None:
        for sub in subs.value:
            yield from _locators(sub)


def swap_aaf(src: Path, dest: Path, old_path: Path, new_path: Path, old_name: str | None,
              new_name: str | None, slot_id: str) -> Path:
    from pickup.timeline.patch.aaf import edit_copy

    old_abs = Path(old_path).resolve()
    with atomic_path(dest, backup=dest.exists()) as tmp:
        changed = 0
        with edit_copy(src, tmp) as f:
            for mob in f.content.mobs:
                for loc in _locators(getattr(mob, "descriptor", None)):
                    url = loc["URLString"].value
                    path = media_path_of(otio.schema.ExternalReference(target_url=url))
                    if path is not None and (path.resolve() == old_abs or
                                             path.name == old_abs.name):
                        loc["URLString"].value = Path(new_path).resolve().as_uri()
                        changed += 1
                if old_name and new_name and mob.name and mob.name.startswith(old_name):
                    mob.name = new_name + mob.name[len(old_name):]
        if changed == 0:
            raise SlotError(f"the AAF links no media of slot {slot_id}'s take "
                            f"({old_abs.name})", where=str(src),
                            hint="the clip may have been relinked in Avid; write OTIO with "
                            "-o OUT.otio")
    return dest
