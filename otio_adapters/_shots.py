"""Recognise a shot heading (``CLOSE ON``, ``INSERT``, ``AERIAL``...) and the kind it implies."""

from __future__ import annotations

import re

__all__ = ["is_shot_heading", "kind_of_shot"]

# Phrases that open a shot heading, in any case, followed by a word boundary that is not
# a hyphen (so "WIDE - THE MARKET" is a shot and "Wide-eyed, she runs" is not).
_END = r"(?![\w'-])"
_PHRASES = (
    r"shot", r"close[\s-]*(?:on|up)", r"closeup", r"extreme\s+close[\s-]*up", r"angle(?:\s+on)?",
    r"reverse(?:\s+angle)?", r"insert", r"wider?", r"full\s+shot", r"medium(?:\s+shot)?",
    r"(?:two|2)[\s-]*shot", r"tracking(?:\s+shot)?", r"aerial", r"overhead", r"high\s+angle",
    r"low\s+angle", r"bird'?s[\s-]*eye(?:\s+view)?", r"dolly", r"crane", r"push\s+in",
    r"pull\s+(?:back|out)", r"pan", r"tilt", r"establishing", r"drone", r"steadicam",
    r"handheld", r"master", r"back\s+to\s+scene", r"series\s+of\s+shots", r"point\s+of\s+view",
    r"over\s+the\s+shoulder",
)
_SHOT_WORDS = re.compile(rf"(?i)^(?:{'|'.join(_PHRASES)}){_END}")
# Abbreviations only count in capitals ("MS" is a shot, "Ms." is not).
_SHOT_ABBREVIATIONS = re.compile(rf"^(?:CU|ECU|XCU|BCU|MCU|MS|MLS|WS|EWS|LS|ELS|OTS|POV|INS){_END}")

_INSERT = re.compile(rf"(?i)^(?:insert|close[\s-]*(?:on|up)|closeup|extreme\s+close[\s-]*up){_END}"
                     rf"|^(?:CU|ECU|XCU|BCU|INS){_END}")
_ESTABLISHING = re.compile(rf"(?i)^(?:aerial|establishing|drone|bird'?s[\s-]*eye){_END}")


def is_shot_heading(text: str) -> bool:
    """True when ``text`` opens with a shot word (``CLOSE ON``, ``INSERT``, ``POV``...)."""
    stripped = text.strip()
    return bool(_SHOT_WORDS.match(stripped) or _SHOT_ABBREVIATIONS.match(stripped))


def kind_of_shot(text: str | None) -> str | None:
    """``insert`` for close-ups and inserts, ``establishing`` for aerials, else ``None``."""
    if not text:
        return None
    stripped = text.strip()
    if _INSERT.match(stripped):
        return "insert"
    if _ESTABLISHING.match(stripped):
        return "establishing"
    return None
