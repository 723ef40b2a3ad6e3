"""Thumbnails of a clip: its first, middle and last frame as small upright PNGs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from pickup.media.frames import frame_images, save_png
from pickup.media.probe import probe

__all__ = ["Thumbnails", "thumbnail_images", "thumbnails"]


@dataclass(frozen=True)
class Thumbnails:
    """The three PNGs written for one clip."""

    first: Path
    middle: Path
    last: Path

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter((self.first, self.middle, self.last))


def thumbnail_images(path: Path | str, *, width: int = 320) -> tuple[Image.Image, Image.Image,
                                                                        Image.Image]:
    """(first, middle, last) frames of ``path``, at most ``width`` pixels wide."""
    info = probe(path)
    first, middle, last = frame_images(path, [0, info.frames // 2, info.frames - 1],
                                       max_width=width, info=info)
    return first, middle, last


def thumbnails(path: Path | str, dest_dir: Path | str, *, width: int = 320,
               stem: str | None = None) -> Thumbnails:
    """Write ``<stem>_first.png``, ``_middle.png`` and ``_last.png`` into ``dest_dir``."""
    path, dest_dir = Path(path), Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    stem = stem or path.stem
    images = thumbnail_images(path, width=width)
    written = [save_png(img, dest_dir / f"{stem}_{name}.png")
               for img, name in zip(images, ("first", "middle", "last"), strict=True)]
    return Thumbnails(*written)
