"""The offline ``previz`` provider: a storyboard card clip for any shot, rendered locally.

Every frame says PREVIZ and carries a running timecode burn-in.  ``card`` mode draws
a card (kind, prompt, slot id) coloured from the neighbour frames and moves a
virtual camera over it: a push-in for establishing shots, a fast pan for stunts, a
slow drift otherwise.  ``bridge`` mode moves over the outgoing frame and dissolves to
the incoming one.  The same request and seed give the same frames.

The render goes straight to the output profile (``req.extra["profile"]``, else the
provider's ``profile`` option, default ``prores_hq``) at exactly the requested size,
rate and frame count, so the engine's conform to the same target only copies packets.
The card is drawn once with Pillow; each frame is a numpy crop, one swscale pass
(scale + colour conversion) and a burn-in written straight into the luma plane.
"""

from __future__ import annotations

import hashlib
import math
import random
import textwrap
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import av
import numpy as np
from av.video.stream import VideoStream
from PIL import Image, ImageDraw, ImageFont

from pickup.atomic import atomic_path
from pickup.errors import CancelledError, ConfigError
from pickup.media.conform import PROFILES, ConformTarget
from pickup.providers.base import Capabilities, ShotRequest
from pickup.providers.local import LocalRenderer

__all__ = ["MODES", "PrevizProvider", "render_previz"]

MODES = ("card", "bridge")
_TC_CHARS = "0123456789:;"


class PrevizProvider(LocalRenderer):
    """Renders a previz clip for a :class:`ShotRequest` synchronously in ``submit``
    (the shared local-render steps: :class:`~pickup.providers.local.LocalRenderer`)."""

    name = "previz"

    def __init__(self, mode: str = "card", **options: Any) -> None:
        if mode not in MODES:
            raise ConfigError(f"previz mode must be one of {', '.join(MODES)}, not {mode!r}",
                              where="provider previz")
        profile = str(options.pop("profile", "prores_hq"))
        if profile not in PROFILES:
            raise ConfigError(f"unknown output profile {profile!r}", where="provider previz",
                              hint=f"choose one of: {', '.join(PROFILES)}")
        self.mode = mode
        self.profile = profile
        self.options = options
        super().__init__()

    # -- the Provider protocol -------------------------------------------------------

    def capabilities(self, model: str | None) -> Capabilities:
        return Capabilities(first_frame=True, last_frame=True, cancel=True,
                            price_per_second=0.0, local=True)

    def validate(self, req: ShotRequest) -> None:
        where = f"slot {req.slot_id}"
        try:
            self._target(req).validate()
        except ConfigError as exc:
            raise ConfigError(exc.message, where=where, hint=exc.hint) from None
        for key in ("first_frame", "last_frame"):
            path = getattr(req, key)
            if path is not None and not Path(path).is_file():
                raise ConfigError(f"{key.replace('_', ' ')} image not found: {path}",
                                  where=where)

    def render(self, req: ShotRequest, dest: Path, cancel: threading.Event) -> None:
        render_previz(req, dest, mode=self.mode, profile=self._profile(req), cancel=cancel)

    def settings(self, req: ShotRequest) -> dict[str, Any]:
        return {"mode": self.mode, "profile": self._profile(req)}

    def output_suffix(self, req: ShotRequest) -> str:
        return PROFILES[self._profile(req)].suffix

    # -- helpers ----------------------------------------------------------------------

    def _profile(self, req: ShotRequest) -> str:
        return str(req.extra.get("profile") or self.profile)

    def _target(self, req: ShotRequest) -> ConformTarget:
        return ConformTarget(frames=req.frames, rate=Fraction(req.rate), width=req.width,
                             height=req.height, profile=self._profile(req))



# ------------------------------------------------------------------------------ render


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, size))


def _seed(req: ShotRequest) -> int:
    if req.seed is not None:
        return int(req.seed)
    digest = hashlib.sha256(f"{req.slot_id}|{req.prompt}|{req.kind}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def _mean_colour(path: Path | None) -> tuple[int, int, int] | None:
    if path is None:
        return None
    try:
        with Image.open(path) as img:
            small = img.convert("RGB").resize((8, 8), Image.Resampling.BOX)
    except (OSError, ValueError):
        return None
    arr = np.asarray(small, dtype=np.float32).reshape(-1, 3).mean(axis=0)
    return (int(arr[0]), int(arr[1]), int(arr[2]))


def _palette(req: ShotRequest, rng: random.Random) -> tuple[tuple[int, int, int], ...]:
    """(left colour, right colour): from the neighbour frames, else from the seed."""
    left, right = _mean_colour(req.first_frame), _mean_colour(req.last_frame)

    def seeded() -> tuple[int, int, int]:
        hue = rng.random()
        import colorsys

        r, g, b = colorsys.hsv_to_rgb(hue, 0.45, 0.55)
        return (int(r * 255), int(g * 255), int(b * 255))

    left = left or right or seeded()
    right = right or left
    return left, right


def _gradient(w: int, h: int, left: tuple[int, int, int], right: tuple[int, int, int]
              ) -> np.ndarray:
    x = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :, None]
    y = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    a = np.asarray(left, np.float32)[None, None, :]
    b = np.asarray(right, np.float32)[None, None, :]
    img = a * (1 - x) + b * x
    img = img * (0.75 + 0.25 * (1 - np.abs(y - 0.5) * 2))  # a soft vignette
    return np.clip(img, 0, 255).astype(np.uint8)


def _still(path: Path | None, w: int, h: int) -> np.ndarray | None:
    if path is None:
        return None
    try:
        with Image.open(path) as img:
            rgb = img.convert("RGB")
            scale = max(w / rgb.width, h / rgb.height)
            size = (max(w, math.ceil(rgb.width * scale)), max(h, math.ceil(rgb.height * scale)))
            rgb = rgb.resize(size, Image.Resampling.BICUBIC)
            left, top = (size[0] - w) // 2, (size[1] - h) // 2
            return np.asarray(rgb.crop((left, top, left + w, top + h)))
    except (OSError, ValueError):
        return None


class _Move:
    """The virtual camera: a crop window over the base image for each frame."""

    def __init__(self, kind: str | None, out_w: int, out_h: int, rng: random.Random) -> None:
        kind = (kind or "").lower()
        self.out_w, self.out_h = out_w, out_h
        self.direction = rng.choice((-1, 1))
        if kind == "establishing":
            self.style, margin = "push", (1.15, 1.15)
        elif kind == "stunt":
            self.style, margin = "pan", (1.6, 1.08)
        else:
            self.style, margin = "drift", (1.08, 1.08)
        self.base_w = _even(math.ceil(out_w * margin[0]))
        self.base_h = _even(math.ceil(out_h * margin[1]))

    def window(self, p: float) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the crop at progress ``p`` in [0, 1]."""
        bw, bh, ow, oh = self.base_w, self.base_h, self.out_w, self.out_h
        if self.style == "push":
            ease = p * p * (3 - 2 * p)
            zoom = 1.0 + (bw / ow - 1.0) * ease  # 1.0: whole base; bw/ow: output-sized
            w, h = min(bw, round(bw / zoom)), min(bh, round(bh / zoom))
            return (bw - w) // 2, (bh - h) // 2, w, h
        if self.style == "pan":
            travel = bw - ow
            x = round(travel * (p if self.direction > 0 else 1 - p))
            y = (bh - oh) // 2
            return x, y, ow, oh
        # drift: a slow diagonal slide (a pure translation: no per-frame scaling)
        x = round((bw - ow) * (0.5 + 0.5 * self.direction * (p - 0.5)))
        y = round((bh - oh) * (0.5 + 0.35 * (p - 0.5)))
        return x, y, ow, oh


def _even(value: int) -> int:
    return value + (value % 2)


def _shapes(base: np.ndarray, unit: float, rng: random.Random) -> np.ndarray:
    """A grid and a few seeded circles drawn on the background, so camera moves read."""
    img = Image.fromarray(base, "RGB")
    draw = ImageDraw.Draw(img, "RGBA")
    bw, bh = img.size
    step = max(8, int(unit * 4))
    for x in range(0, bw, step):
        draw.line((x, 0, x, bh), fill=(255, 255, 255, 22), width=1)
    for y in range(0, bh, step):
        draw.line((0, y, bw, y), fill=(255, 255, 255, 22), width=1)
    for _ in range(7):
        cx, cy = rng.randrange(bw), rng.randrange(bh)
        r = int(unit * rng.uniform(1.5, 4.5))
        tone = rng.choice(((255, 255, 255, 70), (0, 0, 0, 90)))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=tone,
                     width=max(1, int(unit / 6)))
    return np.ascontiguousarray(np.asarray(img))


def _text_layer(req: ShotRequest, w: int, h: int, mode: str) -> Image.Image:
    """The fixed card text (PREVIZ, kind, slot id, prompt, frame guide) as RGBA."""
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    unit = h / 20
    pad = int(unit * 1.2)
    draw.rectangle((pad // 2, pad // 2, w - pad // 2, h - pad // 2),
                   outline=(200, 200, 200, 255), width=max(1, int(unit / 8)))
    draw.text((pad, pad), "PREVIZ", font=_font(int(unit * 3.2)), fill=(255, 255, 255, 255))
    kind = (req.kind or "shot").upper()
    label = f"{kind}  ·  {req.slot_id}" + ("  ·  BRIDGE" if mode == "bridge" else "")
    draw.text((pad, pad + int(unit * 3.8)), label, font=_font(int(unit * 1.2)),
              fill=(235, 235, 235, 255))
    body = _font(int(unit * 1.0))
    chars = max(20, int(w / (unit * 0.55)))
    y = pad + int(unit * 6)
    for line in textwrap.wrap(req.prompt or "(no prompt)", width=chars)[:6]:
        draw.text((pad, y), line, font=body, fill=(245, 245, 245, 255))
        y += int(unit * 1.35)
    # A hard drop shadow (no blur) keeps the text legible on any picture and keeps the
    # number of pixels the overlay touches per frame small.
    off = max(1, h // 360)
    alpha = np.asarray(layer)[..., 3]
    shadow = np.zeros((h, w, 4), np.uint8)
    shadow[off:, off:, 3] = alpha[:-off, :-off]
    return Image.alpha_composite(Image.fromarray(shadow, "RGBA"), layer)


class _Overlay:
    """An RGBA layer blended into YUV frames, touching only the pixels it covers."""

    def __init__(self, layer: Image.Image, pix_fmt: str) -> None:
        rgba = np.asarray(layer.convert("RGBA"))
        h, w = rgba.shape[:2]
        colour = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgba[..., :3]), format="rgb24")
        yuv = colour.reformat(format=pix_fmt, dst_colorspace="ITU709")
        deep = _deep(pix_fmt)
        dtype = np.uint16 if deep else np.uint8
        sx, sy = _subsampling(pix_fmt)
        alpha = rgba[..., 3].copy()
        alpha[alpha < 12] = 0  # invisible anti-aliasing fringe: not worth touching
        alpha[alpha > 243] = 255
        self.planes: list[_Layer] = []
        for index, (pw, ph, a) in enumerate(((w, h, alpha),
                                             (w // sx, h // sy, alpha[::sy, ::sx]),
                                             (w // sx, h // sy, alpha[::sy, ::sx]))):
            fg = _plane(yuv, index, dtype, pw, ph)
            a = a[:ph, :pw]
            solid = a == 255
            srows, scols = np.nonzero(solid)
            rows, cols = np.nonzero((a > 0) & ~solid)
            weights = a[rows, cols].astype(np.uint32)
            self.planes.append(_Layer(index, pw, ph, srows, scols, fg[srows, scols].copy(),
                                      rows, cols, fg[rows, cols].astype(np.uint32) * weights,
                                      255 - weights))
        self.dtype = dtype
        self._cache: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def apply(self, frame: av.VideoFrame) -> None:
        item = np.dtype(self.dtype).itemsize
        for layer in self.planes:
            plane = frame.planes[layer.index]
            flat = np.frombuffer(cast(Any, plane), dtype=self.dtype)
            solid, part = self._flat(layer, plane.line_size // item)
            flat[solid] = layer.solid  # 1-D indexing: several times faster than 2-D
            bg = flat[part].astype(np.uint32)
            flat[part] = ((bg * layer.inverse + layer.premultiplied + 127) // 255).astype(
                self.dtype)

    def _flat(self, layer: _Layer, stride: int) -> tuple[np.ndarray, np.ndarray]:
        key = (layer.index, stride)
        if key not in self._cache:
            self._cache[key] = (
                (layer.solid_rows.astype(np.intp) * stride + layer.solid_cols).astype(np.intp),
                (layer.rows.astype(np.intp) * stride + layer.cols).astype(np.intp))
        return self._cache[key]


@dataclass(frozen=True)
class _Layer:
    """One plane of an overlay: opaque pixels to set, translucent ones to blend."""

    index: int
    width: int
    height: int
    solid_rows: np.ndarray
    solid_cols: np.ndarray
    solid: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    premultiplied: np.ndarray
    inverse: np.ndarray


class _YuvImage:
    """A picture converted once to the output pixel format; frames are plane crops of it."""

    def __init__(self, rgb: np.ndarray, pix_fmt: str) -> None:
        h, w = rgb.shape[:2]
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        frame = frame.reformat(format=pix_fmt, dst_colorspace="ITU709")
        self.pix_fmt = pix_fmt
        self.dtype = np.uint16 if _deep(pix_fmt) else np.uint8
        self.sub = _subsampling(pix_fmt)
        sx, sy = self.sub
        self.planes = [_plane(frame, 0, self.dtype, w, h).copy()] + [
            _plane(frame, i, self.dtype, w // sx, h // sy).copy() for i in (1, 2)]

    def crop(self, x: int, y: int, w: int, h: int,
             blend: tuple[_YuvImage, int] | None = None) -> av.VideoFrame:
        """A new frame of the window (x, y, w, h); ``blend`` mixes in another image
        (weight out of 256) for a dissolve."""
        sx, sy = self.sub
        x, y = x - x % sx, y - y % sy
        w, h = w - w % sx, h - h % sy
        frame = av.VideoFrame(w, h, self.pix_fmt)
        for index, plane in enumerate(self.planes):
            fx, fy = (1, 1) if index == 0 else (sx, sy)
            src = plane[y // fy:(y + h) // fy, x // fx:(x + w) // fx]
            dst = _plane(frame, index, self.dtype, w // fx, h // fy)
            if blend is None:
                dst[...] = src
            else:
                other, weight = blend
                osrc = other.planes[index][y // fy:(y + h) // fy, x // fx:(x + w) // fx]
                wide = np.uint32 if self.dtype == np.uint16 else np.uint16  # no overflow
                mixed = (src.astype(wide) * (256 - weight) + osrc.astype(wide) * weight) >> 8
                dst[...] = mixed.astype(self.dtype)
        return frame


def _deep(pix_fmt: str) -> bool:
    return any(tag in pix_fmt for tag in ("10", "12", "16"))


def _subsampling(pix_fmt: str) -> tuple[int, int]:
    if "420" in pix_fmt:
        return 2, 2
    if "422" in pix_fmt:
        return 2, 1
    return 1, 1


def _plane(frame: av.VideoFrame, index: int, dtype: Any, w: int, h: int) -> np.ndarray:
    plane = frame.planes[index]
    item = np.dtype(dtype).itemsize
    arr = np.frombuffer(cast(Any, plane), dtype=dtype)
    return arr.reshape(-1, plane.line_size // item)[:h, :w]


class _Burn:
    """A running ``PREVIZ HH:MM:SS:FF`` burn-in written into the planes of each frame."""

    def __init__(self, out_w: int, out_h: int, pix_fmt: str) -> None:
        size = max(10, out_h // 24)
        font = _font(size)
        self.cell_h = int(size * 1.3)
        self.cell_w = int(max(font.getbbox(ch)[2] for ch in _TC_CHARS))
        self.glyphs: dict[str, np.ndarray] = {}
        for ch in _TC_CHARS:
            img = Image.new("L", (self.cell_w, self.cell_h), 0)
            ImageDraw.Draw(img).text(((self.cell_w - font.getbbox(ch)[2]) // 2, 0), ch,
                                     font=font, fill=255)
            self.glyphs[ch] = np.asarray(img, dtype=np.float32) / 255.0
        label_w = int(font.getbbox("PREVIZ  ")[2])
        img = Image.new("L", (label_w, self.cell_h), 0)
        ImageDraw.Draw(img).text((0, 0), "PREVIZ", font=font, fill=255)
        self.label = np.asarray(img, dtype=np.float32) / 255.0
        self.deep = _deep(pix_fmt)
        self.sub_x, self.sub_y = _subsampling(pix_fmt)
        self.out_w, self.out_h = out_w, out_h
        self.lo, self.hi, self.mid = (64, 940, 512) if self.deep else (16, 235, 128)

    def apply(self, frame: av.VideoFrame, timecode: str) -> None:
        tw, th = self.label.shape[1] + len(timecode) * self.cell_w, self.cell_h
        pad = max(2, self.cell_h // 5)
        x0 = max(0, (self.out_w - tw) // 2 - pad)
        y0 = max(0, self.out_h - th - 3 * pad)
        x0 -= x0 % 2
        y0 -= y0 % 2
        x1 = min(self.out_w, x0 + tw + 2 * pad)
        y1 = min(self.out_h, y0 + th + 2 * pad)
        x1 -= (x1 - x0) % 2
        dtype = np.uint16 if self.deep else np.uint8
        box = np.zeros((y1 - y0, x1 - x0), np.float32)
        pieces = [self.label] + [self.glyphs[ch] for ch in timecode if ch in self.glyphs]
        gx = pad
        for glyph in pieces:
            gh = min(glyph.shape[0], box.shape[0] - pad)
            gw = min(glyph.shape[1], box.shape[1] - gx)
            if gh > 0 and gw > 0:
                box[pad:pad + gh, gx:gx + gw] = glyph[:gh, :gw]
            gx += glyph.shape[1]
        luma = _plane(frame, 0, dtype, self.out_w, self.out_h)
        luma[y0:y1, x0:x1] = (self.lo + box * (self.hi - self.lo)).astype(dtype)
        cw, ch = self.out_w // self.sub_x, self.out_h // self.sub_y
        for index in (1, 2):
            chroma = _plane(frame, index, dtype, cw, ch)
            chroma[y0 // self.sub_y:y1 // self.sub_y, x0 // self.sub_x:x1 // self.sub_x] = \
                self.mid


def _timecode(frame: int, rate: Fraction) -> str:
    import opentimelineio as otio

    return otio.opentime.to_timecode(otio.opentime.RationalTime(frame, float(rate)),
                                     float(rate))


def _start_frame(req: ShotRequest) -> int:
    tc = req.extra.get("timecode")
    if not tc:
        return 0
    import opentimelineio as otio

    try:
        return round(otio.opentime.from_timecode(str(tc), float(req.rate)).value)
    except (ValueError, TypeError):
        return 0


def render_previz(req: ShotRequest, dest: Path, *, mode: str = "card",
                  profile: str = "prores_hq", cancel: threading.Event | None = None,
                  progress: Any = None) -> Path:
    """Render the previz clip for ``req`` into ``dest`` (atomically) and return ``dest``."""
    if mode not in MODES:
        raise ConfigError(f"previz mode must be one of {', '.join(MODES)}, not {mode!r}")
    target = ConformTarget(frames=req.frames, rate=Fraction(req.rate), width=req.width,
                           height=req.height, profile=profile)
    prof = target.validate()
    rng = random.Random(_seed(req))
    w, h, rate = req.width, req.height, Fraction(req.rate)
    move = _Move(req.kind, w, h, rng)
    bw, bh = move.base_w, move.base_h
    left, right = _palette(req, rng)
    unit = h / 20
    card = _shapes(_gradient(bw, bh, left, right), unit, rng)
    if mode == "bridge":
        stills = (_still(req.first_frame, bw, bh), _still(req.last_frame, bw, bh))
        bases = [_YuvImage(x if x is not None else card, prof.pix_fmt) for x in stills]
    else:
        bases = [_YuvImage(card, prof.pix_fmt)]
    overlay = _Overlay(_text_layer(req, w, h, mode), prof.pix_fmt)
    burn = _Burn(w, h, prof.pix_fmt)
    start = _start_frame(req)
    with atomic_path(dest) as tmp:
        out = av.open(str(tmp), "w", format=prof.container)
        try:
            stream = cast(VideoStream, out.add_stream(prof.codec, rate=rate))
            stream.width, stream.height, stream.pix_fmt = w, h, prof.pix_fmt
            stream.time_base = 1 / rate
            ctx = stream.codec_context
            ctx.thread_type = "AUTO"
            ctx.thread_count = 0
            ctx.options = dict(prof.options)
            out.metadata["comment" if prof.container != "mxf" else "comment_previz"] = \
                f"pickup previz {mode} seed {_seed(req)}"
            tb = 1 / rate
            n = req.frames
            for k in range(n):
                if cancel is not None and cancel.is_set():
                    raise CancelledError("previz render cancelled", where=f"slot {req.slot_id}")
                p = k / (n - 1) if n > 1 else 0.0
                x, y, cw, ch = move.window(p)
                if len(bases) == 1:
                    frame = bases[0].crop(x, y, cw, ch)
                else:
                    weight = round(256 * (p * p * (3 - 2 * p)))
                    frame = bases[0].crop(x, y, cw, ch, blend=(bases[1], weight))
                if (frame.width, frame.height) != (w, h):
                    # One thread: the source size changes every frame, and a new
                    # multi-threaded scaler per frame costs more than it saves.
                    frame = frame.reformat(width=w, height=h, interpolation="FAST_BILINEAR",
                                           threads=1)
                overlay.apply(frame)
                burn.apply(frame, _timecode(start + k, rate))
                frame.pts = k
                frame.time_base = tb
                for packet in stream.encode(frame):
                    out.mux(packet)
                if progress is not None:
                    progress((k + 1) / n)
            for packet in stream.encode(None):
                out.mux(packet)
        finally:
            out.close()
    return dest
