"""Which OTIO adapter reads a timeline file, and the rate of an EDL that does not say."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pickup.errors import TimelineError

__all__ = ["FORMATS", "Format", "detect_edl_rate", "format_for"]


@dataclass(frozen=True)
class Format:
    """A timeline format Pickup reads: its name, OTIO adapter and suffixes."""

    name: str
    adapter: str
    suffixes: tuple[str, ...]
    label: str


FORMATS: tuple[Format, ...] = (
    Format("otio", "otio_json", (".otio",), "OTIO JSON"),
    Format("otioz", "otioz", (".otioz",), "OTIO zip bundle"),
    Format("edl", "cmx_3600", (".edl",), "CMX 3600 EDL"),
    Format("fcp7xml", "fcp_xml", (".xml",), "FCP7 XML (Premiere, Resolve)"),
    Format("fcpxml", "fcpx_xml", (".fcpxml",), "FCPXML (Final Cut Pro)"),
    Format("aaf", "AAF", (".aaf",), "AAF (Avid Media Composer)"),
)


def format_for(path: Path, adapter: str | None = None) -> Format:
    """The format of ``path`` from its suffix, or from an explicit OTIO adapter name."""
    if adapter:
        for fmt in FORMATS:
            if adapter in (fmt.adapter, fmt.name):
                return fmt
        # Any other OTIO adapter (a plugin such as the screenplay readers) is allowed.
        return Format(adapter, adapter, (path.suffix.lower(),), adapter)
    suffix = path.suffix.lower()
    for fmt in FORMATS:
        if suffix in fmt.suffixes:
            return fmt
    from pickup.timeline.plugins import adapter_for_suffix

    plugin = adapter_for_suffix(suffix)
    if plugin:
        return Format(plugin, plugin, (suffix,), plugin)
    known = ", ".join(s for f in FORMATS for s in f.suffixes)
    raise TimelineError(
        f"unknown timeline suffix {suffix or '(none)'!r}",
        where=str(path),
        hint=f"Pickup reads {known}; name the file accordingly or pass --adapter NAME",
    )


_TC = re.compile(r"\b(\d{2}):(\d{2}):(\d{2})([:;.])(\d{2})\b")


def detect_edl_rate(text: str) -> tuple[float, str]:
    """Guess an EDL's rate from its timecodes; returns (rate, reason).

    CMX 3600 does not record the rate.  The largest frame field bounds it from
    below: 23 or less reads as 24, 24 as 25, up to 29 as 30 (29.97 when the
    FCM line says DROP FRAME or a timecode uses ';'), up to 59 as 60.
    """
    max_ff = -1
    drop = bool(re.search(r"^FCM:\s*DROP", text, re.MULTILINE))
    for match in _TC.finditer(text):
        max_ff = max(max_ff, int(match.group(5)))
        drop = drop or match.group(4) == ";"
    if max_ff < 0:
        return 24.0, "no timecodes found; assumed 24 fps"
    if drop:
        return 30000 / 1001, "drop-frame timecode; read at 29.97 fps"
    for rate in (24, 25, 30, 48, 50, 60):
        if max_ff < rate:
            why = f"largest frame field is {max_ff:02d}; read at {rate} fps"
            if rate == 24:
                why += " (pass --rate if it is 25 or 30)"
            return float(rate), why
    raise TimelineError(f"a timecode frame field of {max_ff} fits no frame rate")
