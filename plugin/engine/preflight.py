"""Checks made before any provider is paid: everything that would make a fill fail
*after* generating is tried first, for nothing.

- the output: it is not a folder, its folder exists and takes a file, and the input's
  patcher can write the timeline back (an FCP7 XML with a DTD entity scans, but its
  patcher refuses it: found here, not after the takes were bought);
- the project folder takes files (a read-only folder, a full disk);
- the encoder of the delivery profile opens at the sequence's size and rate (DNxHR has
  no 160x90; the MXF muxer takes broadcast rates only).

Each failure is the same error the late step would have raised, said before spending.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from pickup.atomic import temp_prefix
from pickup.errors import ConfigError, InputError, PickupError, WriteError
from pickup.timeline.rates import exact_rate

if TYPE_CHECKING:
    from pickup.timeline import LoadedTimeline

__all__ = ["check_encodable", "check_folder_takes_files", "check_output", "check_slot_length",
           "check_write_back"]


def _cannot_write(exc: OSError, what: str, where: Path) -> PickupError:
    """A folder the user may not write to is bad input (exit 2); a full disk is not."""
    kind = InputError if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else WriteError
    reason = "the folder is read-only" if exc.errno == errno.EROFS else (
        exc.strerror or str(exc))
    return kind(f"{what}: {reason}", where=str(where),
                hint="nothing was generated; use a folder you can write to "
                "(--project DIR, -o OUT)")


def check_folder_takes_files(folder: Path, what: str = "the project folder") -> None:
    """WriteError when a file cannot be created in ``folder`` (made if missing)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=temp_prefix(folder / "probe"), dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise _cannot_write(exc, f"cannot write in {what}", folder) from None


def check_encodable(profile: str, width: int, height: int, rate: float | Fraction) -> None:
    """ConfigError when ``profile``'s encoder cannot make ``width``x``height`` at ``rate``."""
    from typing import cast

    import av
    from av.error import FFmpegError
    from av.video.codeccontext import VideoCodecContext

    from pickup.media.conform import ConformTarget

    exact = exact_rate(rate)
    prof = ConformTarget(frames=1, rate=exact, width=width, height=height,
                         profile=profile).validate()
    try:
        ctx = cast(VideoCodecContext, av.CodecContext.create(prof.codec, "w"))
        ctx.width, ctx.height = width, height
        ctx.pix_fmt = prof.pix_fmt
        ctx.time_base = 1 / exact
        ctx.framerate = exact
        ctx.options = dict(prof.options)
        ctx.open()
    except (FFmpegError, ValueError) as exc:
        raise ConfigError(f"{prof.name} cannot encode {width}x{height} at "
                          f"{float(exact):.3f} fps ({type(exc).__name__})",
                          where="output profile",
                          hint="nothing was generated; DNxHR takes HD sizes and up: choose "
                          "--size 1920x1080, or --profile prores_hq for small sizes"
                          ) from None


def check_write_back(source: LoadedTimeline, dest: Path, to_adapter: str | None = None) -> None:
    """Write the timeline back with no placements to a temp file beside ``dest`` (then
    removed): what the patcher refuses, or a folder that takes no file, fails here."""
    from pickup.timeline.writeback import choose_writer

    dest = Path(dest)
    writer = choose_writer(source, dest, to_adapter)
    folder = dest.parent if str(dest.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(prefix=temp_prefix(dest), suffix=dest.suffix, dir=folder)
        os.close(fd)
    except OSError as exc:
        raise _cannot_write(exc, "cannot write the timeline here", dest) from None
    tmp = Path(name)
    try:
        writer.write(source, source.timeline, [], tmp)
    except PickupError as exc:
        raise type(exc)(f"{exc.message} (found before generating: nothing was spent)",
                        where=exc.where, hint=exc.hint) from None
    except OSError as exc:
        raise WriteError(f"cannot write the timeline here: {exc.strerror or exc}",
                         where=str(dest), hint="nothing was generated") from None
    except Exception as exc:  # an adapter's own failure, said before spending
        raise InputError(f"the timeline could not be written back: {type(exc).__name__}: "
                         f"{exc}", where=str(dest), hint="nothing was generated; write "
                         ".otio with -o OUT.otio") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def check_output(source: LoadedTimeline, dest: Path, to_adapter: str | None = None) -> None:
    """Every check of the output a fill can make before it spends anything."""
    dest = Path(dest)
    if dest.is_dir():
        raise InputError("the output is a folder", where=str(dest),
                         hint="give a file name with -o, e.g. -o cut.pickup.otio")
    folder = dest.parent if str(dest.parent) else Path(".")
    made: list[Path] = []  # folders made here, taken back if a check fails
    if not folder.is_dir():
        # `-o out/cut.otio` into a new folder: fill makes it, as `mkdir -p` would.
        missing = [folder, *[p for p in folder.parents if not p.exists()]]
        blocker = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
        if not blocker.is_dir():
            raise InputError("a file is in the way of the output folder",
                             where=str(blocker), hint="choose another output with -o")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _cannot_write(exc, "cannot create the output folder", folder) from None
        made = sorted(missing, key=lambda p: len(p.parts), reverse=True)
    try:
        check_write_back(source, dest, to_adapter)
    except BaseException:
        for path in made:
            with contextlib.suppress(OSError):
                path.rmdir()
        raise


def check_slot_length(slot_id: str, frames: int, rate: float | Fraction,
                      max_seconds: float) -> None:
    """InputError for a slot longer than ``max_seconds`` (config ``max_slot_seconds``)."""
    seconds = float(Fraction(frames) / Fraction(rate).limit_denominator(1001))
    if seconds > max_seconds:
        raise InputError(f"the slot is {seconds:,.1f} s long; Pickup generates slots of up "
                         f"to {max_seconds:g} s", where=f"slot {slot_id}",
                         hint="check the slot's duration (a CSV duration or a [[GEN "
                         "duration]] note), or raise max_slot_seconds in config.toml / "
                         "PICKUP_MAX_SLOT_SECONDS")
