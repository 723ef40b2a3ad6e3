"""A contact sheet of a timeline's slots: one row per slot, a thumbnail per take.

Each row shows the slot id, record in/out, kind and prompt, then the media in the
slot: every take (``T01``, ``T02`` ... of ``clip.media_references()``) and the
placeholder, the active one framed in orange.  Offline takes show as a grey card.
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio
from PIL import Image, ImageDraw, ImageFont

from pickup.atomic import atomic_path
from pickup.errors import PickupError
from pickup.media.frames import frame_image
from pickup.media.neighbours import media_path
from pickup.media.probe import probe
from pickup.media.seams import Seam, Seams
from pickup.timeline.place import PLACEHOLDER_KEY
from pickup.timeline.read import LoadedTimeline
from pickup.timeline.slots import Slot

__all__ = ["ACTIVE_COLOUR", "Sheet", "SheetCell", "contact_sheet", "slot_clip", "takes_of"]

_log = logging.getLogger(__name__)

ACTIVE_COLOUR = (255, 140, 0)
_BG = (28, 28, 30)
_CARD = (60, 60, 64)
_TEXT = (235, 235, 235)
_DIM = (160, 160, 165)


@dataclass(frozen=True)
class SheetCell:
    """Where one take's thumbnail was drawn (pixel box: left, top, right, bottom)."""

    slot_id: str
    key: str | None  # T01, PLACEHOLDER ... or None for an empty slot
    box: tuple[int, int, int, int]
    active: bool
    status: str  # "thumbnail", "offline", "placeholder", "empty"
    media: Path | None = None
    #: the seam figures printed under the thumbnail (None: not a measured take)
    seams: str | None = None
    #: the take's status (temp, approved, rejected, locked) and the editor's note
    take_status: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Sheet:
    """The image written and what is where in it."""

    path: Path
    width: int
    height: int
    cells: tuple[SheetCell, ...]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def slot_clip(loaded: LoadedTimeline, slot: Slot) -> otio.schema.Clip | None:
    """The clip that sits in ``slot`` now (a filled slot or a placeholder), if any."""
    try:
        track = loaded.timeline.tracks[slot.stack_index]
    except IndexError:
        return None
    ranges = track.range_of_all_children()
    for item in track:
        if isinstance(item, otio.schema.Clip):
            start = round(ranges[item].start_time.value_rescaled_to(slot.rate))
            if start == slot.start:
                return item
    return None


def _take_order(key: str) -> tuple[int, str]:
    if key.startswith("T") and key[1:].isdigit():
        return (0, f"{int(key[1:]):06d}")
    if key == PLACEHOLDER_KEY:
        return (2, key)
    return (1, key)


def takes_of(clip: otio.schema.Clip | None) -> list[tuple[str, otio.core.MediaReference, bool]]:
    """(key, reference, active) for every media reference of ``clip``, takes first."""
    if clip is None:
        return []
    refs = clip.media_references()
    active = clip.active_media_reference_key
    return [(key, refs[key], key == active) for key in sorted(refs, key=_take_order)]


def _fit(image: Image.Image, w: int, h: int) -> Image.Image:
    scale = min(w / image.width, h / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    canvas = Image.new("RGB", (w, h), (0, 0, 0))
    canvas.paste(image.resize(size, Image.Resampling.LANCZOS),
                 ((w - size[0]) // 2, (h - size[1]) // 2))
    return canvas


def _card(w: int, h: int, text: str) -> Image.Image:
    img = Image.new("RGB", (w, h), _CARD)
    draw = ImageDraw.Draw(img)
    font = _font(max(10, h // 7))
    box = draw.textbbox((0, 0), text, font=font)
    draw.text(((w - box[2]) // 2, (h - box[3]) // 2), text, font=font, fill=_DIM)
    return img


def _seam_text(ref: otio.core.MediaReference) -> str | None:
    """``seams 0.93 | 0.88`` (SSIM in, out) from a take's facts, None if not measured."""
    meta = ref.metadata.get("pickup") if ref.metadata else None
    seams = Seams.from_json(meta.get("seams")) if meta is not None else None
    if seams is None:
        return None
    def one(seam: Seam) -> str:
        return f"{seam.ssim:.2f}" if seam.ssim is not None else "n/a"
    return f"SSIM in {one(seams.head)} | out {one(seams.tail)}"


def _take_facts(ref: otio.core.MediaReference) -> tuple[str | None, str | None]:
    """(status, note) a take's facts record, Nones when it records none."""
    meta = ref.metadata.get("pickup") if ref.metadata else None
    if meta is None or not hasattr(meta, "get"):
        return None, None
    status, note = meta.get("status"), meta.get("note")
    return (str(status) if status else None), (str(note) if note else None)


def contact_sheet(loaded: LoadedTimeline, slots: list[Slot], dest: Path | str, *,
                  thumb_width: int = 240, width: int = 1400,
                  clips: Mapping[str, otio.schema.Clip] | None = None) -> Sheet:
    """Draw the contact sheet of ``slots`` into ``dest`` (PNG, atomically).

    ``clips`` (slot id -> a clip holding every take, as the project state keeps them)
    is where the takes come from for the slots it names: formats other than OTIO
    carry only the active take."""
    dest = Path(dest)
    thumb_w = max(64, thumb_width)
    thumb_h = round(thumb_w * 9 / 16)
    pad, text_w, label_h = 16, 460, 22
    row_h = max(thumb_h + 2 * label_h + 2 * pad, 150)
    header_h = 64
    base = loaded.path.parent
    clips = clips or {}
    rows = [(slot, takes_of(clips[slot.id] if slot.id in clips else slot_clip(loaded, slot)))
            for slot in slots]
    most = max([len(t) for _, t in rows] + [1])
    sheet_w = max(width, text_w + pad + most * (thumb_w + pad) + pad)
    sheet_h = header_h + max(1, len(rows)) * row_h + pad
    img = Image.new("RGB", (sheet_w, sheet_h), _BG)
    draw = ImageDraw.Draw(img)
    title = f"{loaded.path.name}  ·  {len(slots)} slot{'s' if len(slots) != 1 else ''}  ·  " \
            f"{loaded.rate:g} fps"
    draw.text((pad, pad), title, font=_font(26), fill=_TEXT)
    if not rows:
        draw.text((pad, header_h + pad), "no slots: mark gaps with GEN markers, or use "
                  "--all-gaps", font=_font(18), fill=_DIM)
    cells: list[SheetCell] = []
    big, small = _font(22), _font(16)
    for n, (slot, takes) in enumerate(rows):
        top = header_h + n * row_h
        if n:
            draw.line((pad, top, sheet_w - pad, top), fill=(70, 70, 74), width=1)
        y = top + pad
        draw.text((pad, y), slot.id, font=big, fill=_TEXT)
        y += 30
        start = loaded.start_frame
        draw.text((pad, y), f"REC {slot.record_in(start)} - {slot.record_out(start)}  "
                  f"({slot.duration} fr)", font=small, fill=_DIM)
        y += 22
        draw.text((pad, y), f"{(slot.kind or 'shot').upper()}  ·  {slot.mark}"
                  f"{'  ·  filled' if slot.filled else ''}", font=small, fill=ACTIVE_COLOUR)
        y += 22
        for line in textwrap.wrap(slot.prompt or "(no prompt)", width=48)[:3]:
            draw.text((pad, y), line, font=small, fill=_TEXT)
            y += 20
        x = text_w + pad
        ty = top + pad + label_h
        if not takes:
            img.paste(_card(thumb_w, thumb_h, "EMPTY"), (x, ty))
            cells.append(SheetCell(slot.id, None, (x, ty, x + thumb_w, ty + thumb_h), False,
                                   "empty"))
            continue
        for key, ref, active in takes:
            path = media_path(ref, base)
            status, thumb = "placeholder", None
            placeholder = key == PLACEHOLDER_KEY or isinstance(
                ref, (otio.schema.GeneratorReference, otio.schema.MissingReference))
            if placeholder or path is None:
                thumb = _card(thumb_w, thumb_h, "PLACEHOLDER" if placeholder else "NO MEDIA")
            elif not path.is_file():
                status, thumb = "offline", _card(thumb_w, thumb_h, "OFFLINE")
            else:
                try:
                    info = probe(path)
                    frame = frame_image(path, info.frames // 2, max_width=thumb_w * 2,
                                        info=info)
                    status, thumb = "thumbnail", _fit(frame, thumb_w, thumb_h)
                except PickupError as exc:
                    _log.warning("slot %s take %s: %s", slot.id, key, exc)
                    status, thumb = "offline", _card(thumb_w, thumb_h, "UNREADABLE")
            img.paste(thumb, (x, ty))
            shown = key if (key.startswith("T") or key == PLACEHOLDER_KEY) else "PLACEHOLDER" \
                if placeholder else key
            take_status, note = _take_facts(ref)
            label = f"{shown}{'  ACTIVE' if active else ''}" + (
                f"  {take_status.upper()}" if take_status and take_status != "temp" else "")
            draw.text((x, ty - label_h + 2), label, font=small,
                      fill=ACTIVE_COLOUR if active else _DIM)
            if active:
                draw.rectangle((x - 4, ty - 4, x + thumb_w + 3, ty + thumb_h + 3),
                               outline=ACTIVE_COLOUR, width=4)
            below = ty + thumb_h + 5
            if note:
                line = note if len(note) <= thumb_w // 7 else note[: thumb_w // 7 - 1] + "…"
                draw.text((x, below), f"“{line}”", font=_font(13), fill=_TEXT)
                below += 16
            seam_text = _seam_text(ref)
            if seam_text:
                draw.text((x, below), seam_text, font=_font(13), fill=_DIM)
            cells.append(SheetCell(slot.id, key, (x, ty, x + thumb_w, ty + thumb_h), active,
                                   status, path, seam_text, take_status, note))
            x += thumb_w + pad
    with atomic_path(dest, suffix=".png") as tmp:
        img.save(tmp, format="PNG")
    return Sheet(dest, sheet_w, sheet_h, tuple(cells))
