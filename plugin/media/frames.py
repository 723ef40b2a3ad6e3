"""Single frames out of media files: seek, decode one picture, turn it upright, save a PNG."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
from av.container import InputContainer
from av.error import FFmpegError
from av.video.stream import VideoStream
from PIL import Image

from pickup.atomic import atomic_path
from pickup.errors import MediaError
from pickup.media.probe import MediaInfo, closing_iter, describe_open, open_media

__all__ = ["frame_image", "frame_images", "save_png"]


def _upright(image: Image.Image, info: MediaInfo) -> Image.Image:
    """Apply pixel aspect and display rotation, as a player would show the frame."""
    if info.pixel_aspect and info.pixel_aspect != 1:
        width = max(1, round(image.width * info.pixel_aspect))
        image = image.resize((width, image.height), Image.Resampling.BICUBIC)
    turn = (-info.rotation) % 360  # clockwise degrees
    if turn == 90:
        image = image.transpose(Image.Transpose.ROTATE_270)
    elif turn == 180:
        image = image.transpose(Image.Transpose.ROTATE_180)
    elif turn == 270:
        image = image.transpose(Image.Transpose.ROTATE_90)
    return image


def _shrink(image: Image.Image, max_width: int | None) -> Image.Image:
    if max_width and image.width > max_width:
        height = max(1, round(image.height * max_width / image.width))
        image = image.resize((max_width, height), Image.Resampling.LANCZOS)
    return image


def frame_images(path: Path | str, indices: list[int], *, max_width: int | None = None,
                 info: MediaInfo | None = None, fast: bool = False) -> list[Image.Image]:
    """The frames at ``indices`` (0 = first; negative counts from the end) as RGB images.

    Indices past the end give the last frame.  Upright (rotation and pixel aspect
    applied), at most ``max_width`` wide.  ``fast`` scales while converting (FFmpeg's
    area filter) instead of Lanczos on the full picture: for measuring, not for showing.
    :class:`MediaError` if nothing decodes.
    """
    path = Path(path)
    found: dict[int, Image.Image] = {}
    try:
        with (av.open(str(path)) if info is not None else open_media(path)) as container:
            if not container.streams.video:
                raise MediaError("holds no video stream", where=str(path))
            stream = container.streams.video[0]
            # before the first decode opens the decoder: an intra-only codec (ProRes,
            # DNxHR) decodes each wanted frame alone, so slice threads; frame threads
            # would decode the next few frames too before giving the first
            stream.thread_type = "SLICE" if stream.codec_context.codec.intra_only else "AUTO"
            first: av.VideoFrame | None = None
            if info is None:  # one open: the probe's first frame is frame 0
                info, first = describe_open(container, path)
            wanted = sorted({_clamp(i, info.frames) for i in indices})
            upright = info.rotation % 360 == 0 and (info.pixel_aspect or 1) == 1
            for index in wanted:
                if index == 0 and first is not None and _is_first(stream, first, info.rate):
                    frame = first
                else:
                    frame = _decode_at(container, stream, index, info.rate)
                if frame is None:
                    continue
                if fast and max_width and upright and frame.width > max_width:
                    height = max(1, round(frame.height * max_width / frame.width))
                    found[index] = frame.to_image(width=max_width, height=height,
                                                  interpolation="AREA")
                else:
                    found[index] = _shrink(_upright(frame.to_image(), info), max_width)
    except FFmpegError as exc:
        raise MediaError(f"cannot decode a frame: {exc}", where=str(path)) from None
    if not found:
        raise MediaError("no decodable video frames", where=str(path))
    last = found[max(found)]
    return [found.get(_clamp(i, info.frames), last) for i in indices]


def frame_image(path: Path | str, index: int, *, max_width: int | None = None,
                info: MediaInfo | None = None) -> Image.Image:
    """One frame of ``path`` (see :func:`frame_images`)."""
    return frame_images(path, [index], max_width=max_width, info=info)[0]


def _is_first(stream: VideoStream, frame: av.VideoFrame, rate: Fraction) -> bool:
    """True when ``frame`` (the first the decoder gave) is frame 0 by its time, as
    :func:`_decode_at` would find it."""
    tb = Fraction(stream.time_base) if stream.time_base else None
    if tb is None or frame.pts is None:
        return False
    half = (Fraction(1, 2) / rate) / tb
    return abs(frame.pts - (stream.start_time or 0)) < half


def _clamp(index: int, frames: int) -> int:
    if index < 0:
        index += frames
    return max(0, min(index, max(frames - 1, 0)))


def _decode_at(container: InputContainer, stream: VideoStream,
               index: int, rate: Fraction) -> av.VideoFrame | None:
    """Frame ``index`` by presentation time: seek to the keyframe before, decode forward."""
    tb = Fraction(stream.time_base) if stream.time_base else None
    start = stream.start_time or 0
    if tb is None:
        return _decode_counting(container, stream, index)
    target = start + (Fraction(index) / rate) / tb
    half = (Fraction(1, 2) / rate) / tb
    for seek_to in (int(target), None):
        try:
            if seek_to is None:
                container.seek(0)
            else:
                container.seek(seek_to, stream=stream, backward=True, any_frame=False)
        except FFmpegError:
            continue
        previous: av.VideoFrame | None = None
        overshoot = False
        decoded = container.decode(stream)
        with closing_iter(decoded):
            for frame in decoded:
                if frame.pts is None:
                    continue
                if frame.pts >= target - half:
                    if previous is None and frame.pts - half > target and seek_to is not None:
                        overshoot = True  # the seek landed past the frame: decode from 0
                        break
                    return frame
                previous = frame
        if not overshoot and previous is not None:
            return previous  # past the end: the last frame
    return _decode_counting(container, stream, index)


def _decode_counting(container: InputContainer,
                     stream: VideoStream, index: int) -> av.VideoFrame | None:
    container.seek(0)
    last = None
    with closing_iter(container.decode(stream)) as decoded:
        for count, frame in enumerate(decoded):
            last = frame
            if count >= index:
                return frame
    return last


def save_png(image: Image.Image, dest: Path | str) -> Path:
    """Write ``image`` as a PNG at ``dest``, atomically; returns ``dest``."""
    dest = Path(dest)
    with atomic_path(dest, suffix=".png") as tmp:
        image.save(tmp, format="PNG")
    return dest
