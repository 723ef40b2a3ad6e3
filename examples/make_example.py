"""Build the demo project: three short test-pattern clips and a 24 fps OTIO timeline
with two marked slots (a gap with a GEN marker, and a GEN placeholder clip).

Usage: python examples/make_example.py [OUT_DIR]   (default examples/project)

Everything is rendered here with PyAV and Pillow; nothing is downloaded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
from PIL import Image, ImageDraw, ImageFont

RATE = 24
WIDTH, HEIGHT = 640, 360
START_TC = "01:00:00:00"

CLIPS = (
    ("A001_C003 road", (46, 92, 140), 48),
    ("A002_C001 porch", (140, 96, 46), 48),
    ("A004_C007 alley", (60, 120, 70), 48),
)
READY_MADE = ("ready_made_insert", (120, 60, 130), 72)
ESTABLISHING = "GEN establishing: a farmhouse at dusk, slow push-in"
STUNT = "GEN stunt: a stunt double jumps from a rooftop to a fire escape"


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def render_clip(path: Path, name: str, colour: tuple[int, int, int], frames: int) -> None:
    """A test pattern (colour bars over a tinted field) with the name and a frame counter."""
    bars = np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8)
    bars[:] = colour
    palette = [(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0), (192, 0, 192),
               (192, 0, 0), (0, 0, 192)]
    bar_w = WIDTH // len(palette)
    for i, c in enumerate(palette):
        bars[HEIGHT // 2:, i * bar_w:(i + 1) * bar_w] = c
    font, small = _font(28), _font(20)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=RATE)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"qscale": "3"}
        stream.metadata["timecode"] = START_TC
        for n in range(frames):
            img = Image.fromarray(bars.copy())
            draw = ImageDraw.Draw(img)
            draw.text((20, 20), name, fill=(255, 255, 255), font=font)
            draw.text((20, 60), f"frame {n + 1:03d}/{frames}", fill=(255, 255, 255), font=small)
            x = int((WIDTH - 40) * n / max(frames - 1, 1))
            draw.rectangle((x, HEIGHT // 2 - 20, x + 40, HEIGHT // 2 - 4), fill=(255, 255, 255))
            frame = av.VideoFrame.from_image(img)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def _clip(name: str, path: Path, frames: int) -> otio.schema.Clip:
    start = otio.opentime.from_timecode(START_TC, RATE)
    ref = otio.schema.ExternalReference(
        target_url=path.name,
        available_range=otio.opentime.TimeRange(start, otio.opentime.RationalTime(frames, RATE)))
    return otio.schema.Clip(name=name, media_reference=ref, source_range=otio.opentime.TimeRange(
        start, otio.opentime.RationalTime(frames, RATE)))


def build(out_dir: Path) -> Path:
    media = out_dir / "media"
    media.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, colour, frames in (*CLIPS, READY_MADE):
        path = media / f"{name.split()[0]}.mp4"
        if not path.exists():
            render_clip(path, name, colour, frames)
        paths[name] = path

    def clip(i: int) -> otio.schema.Clip:
        name, _, frames = CLIPS[i]
        c = _clip(name, paths[name], frames)
        c.media_reference.target_url = f"media/{paths[name].name}"
        return c

    rt = lambda f: otio.opentime.RationalTime(f, RATE)  # noqa: E731
    gap = otio.schema.Gap(duration=rt(72))
    gap.markers.append(otio.schema.Marker(
        name=ESTABLISHING, marked_range=otio.opentime.TimeRange(rt(0), rt(72)),
        color=otio.schema.MarkerColor.PURPLE))
    slug = otio.schema.Clip(
        name=STUNT,
        media_reference=otio.schema.GeneratorReference(
            generator_kind="SolidColor", parameters={"color": [0.1, 0.1, 0.1]},
            available_range=otio.opentime.TimeRange(rt(0), rt(60))),
        source_range=otio.opentime.TimeRange(rt(0), rt(60)))
    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video,
                              children=[clip(0), gap, clip(1), slug, clip(2)])
    timeline = otio.schema.Timeline(name="Farmhouse (demo)", tracks=[video],
                                    global_start_time=otio.opentime.from_timecode(START_TC, RATE))
    timeline.metadata["pickup"] = {"width": WIDTH, "height": HEIGHT}
    path = out_dir / "farmhouse.otio"
    otio.adapters.write_to_file(timeline, str(path))  # media URLs are relative to it
    return path


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / "project"
    path = build(out_dir)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
