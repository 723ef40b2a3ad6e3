"""Plan the slots of a script: one per scene, or one per shot where the script marks shots.

For each slot this decides the kind, the prompt, the characters and the length:

* kind: a ``[[GEN kind]]`` note; else a stunt word in the action (fight, fall,
  crash, jump, explosion, chase...) gives ``stunt``; else a shot heading's kind
  (``INSERT``/``CLOSE ON`` -> ``insert``, ``AERIAL`` -> ``establishing``); else an
  ``EXT.``/``EST.`` heading with nobody speaking gives ``establishing``; else the
  default kind.
* prompt: a ``[[GEN ...: prompt]]`` note; else heading, shot heading, action and
  who speaks ("MARY and JOHN talk."), shortened to ``max_prompt_chars``; a style
  from a ``[[GEN style: ...]]`` note is appended to every prompt.
* length: a ``[[GEN duration]]`` note; else a duration note before the first
  scene; else the page length the source states (Final Draft); else the
  estimated page length in eighths, one page a minute.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pickup.otio_adapters._directives import Directive, merge, parse_directive
from pickup.otio_adapters._errors import AdapterError, where
from pickup.otio_adapters._pages import LINES_PER_PAGE, eighths_of_page, estimate_lines
from pickup.otio_adapters._script import Element, ElementKind, Scene, Script
from pickup.otio_adapters._shots import kind_of_shot

__all__ = ["DEFAULT_KIND", "SlotOptions", "SlotPlan", "plan_slots", "script_defaults"]

DEFAULT_KIND = "cutaway"

_STUNT = re.compile(
    r"(?i)\b(?:fights?|fighting|fought|punch(?:es|ed|ing)?|brawl(?:s|ing)?|"
    r"falls?|falling|fell|crash(?:es|ed|ing)?|jump(?:s|ed|ing)?|leap(?:s|t|ed|ing)?|"
    r"explo(?:sion|sions|des|ded|ding|de)|chas(?:e|es|ed|ing))\b")
# Everyday phrases with a stunt word that are no stunt.
_NOT_STUNT = re.compile(
    r"(?i)\b(?:(?:falls?|fell|falling)\s+(?:asleep|silent|quiet|still|apart|in\s+love|for\b)|"
    r"(?:night|darkness|silence|snow|rain|dusk|a\s+hush)\s+(?:falls|fell|is\s+falling)|"
    r"jump\s+cut|chase\s+(?:the|that|this)\s+(?:thought|idea))")
_EXTERIOR = re.compile(r"(?i)^(?:EXT|EST)(?:\.|\s|/)")
_OMITTED = re.compile(r"(?i)^(?:omit|omitted|deleted|not\s+used)\.?$")
_EXTENSION = re.compile(r"\s*\([^)]*\)")
_SENTENCE_END = (".", "!", "?", "…", '"', "'", ")")


@dataclass(frozen=True)
class SlotOptions:
    """How scenes become slots (the adapters' keyword arguments)."""

    rate: float = 24.0
    default_kind: str = DEFAULT_KIND
    lines_per_page: int = LINES_PER_PAGE
    seconds_per_page: float = 60.0
    max_prompt_chars: int = 800
    split_shots: bool = True


@dataclass(frozen=True)
class SlotPlan:
    """One slot to put on the timeline."""

    scene_number: str | None
    scene_index: int
    heading: str | None
    shot: str | None
    shot_heading: str | None
    characters: tuple[str, ...]
    kind: str
    kind_from: str
    prompt: str
    frames: int
    eighths: int
    duration_from: str
    marked: bool
    line: int | None


@dataclass
class _Part:
    """The elements of one slot of a scene."""

    elements: list[Element]
    shot_heading: str | None = None
    line: int | None = None


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text.endswith(_SENTENCE_END) else text + "."


def _speaker(cue: str) -> str:
    name = _EXTENSION.sub("", cue).replace("^", "").strip()
    return " ".join(name.split())


def _who_speaks(names: Sequence[str]) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return f"{names[0]} speaks."
    shown = list(names[:4])
    if len(names) > 4:
        shown.append(f"{len(names) - 4} others")
    return f"{', '.join(shown[:-1])} and {shown[-1]} talk."


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:max(limit, 0)]
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"


def _prompt(heading: str | None, shot_heading: str | None, actions: Sequence[str],
            speakers: Sequence[str], limit: int) -> str:
    head = " ".join(_sentence(p) for p in (heading, shot_heading) if p)
    talk = _who_speaks(speakers)
    body = " ".join(_sentence(a) for a in actions if a.strip())
    room = limit - len(head) - len(talk) - 2
    body = _shorten(body, room) if room > 0 else ""
    return _shorten(" ".join(p for p in (head, body, talk) if p), limit)


def _split(scene: Scene, split_shots: bool) -> list[_Part]:
    parts = [_Part([], None, scene.line)]
    for element in scene.elements:
        if split_shots and element.kind is ElementKind.SHOT:
            parts.append(_Part([element], element.text, element.line))
        else:
            parts[-1].elements.append(element)
    head = parts[0]
    has_content = any(e.kind in (ElementKind.ACTION, ElementKind.CHARACTER, ElementKind.DIALOGUE,
                                 ElementKind.LYRIC) for e in head.elements)
    if len(parts) > 1 and not has_content:
        parts[1].elements[:0] = head.elements
        parts.pop(0)
    return parts


def _directive_of(elements: Sequence[Element], script: Script, rate: float) -> Directive:
    found = Directive()
    for element in elements:
        if element.kind is not ElementKind.NOTE:
            continue
        try:
            directive = parse_directive(element.text, rate=rate)
        except ValueError as exc:
            raise AdapterError(f"script note [[{element.text}]]: {exc}",
                               where=where(script.where, element.line, script.position),
                               hint="write e.g. [[GEN duration: 4s]] or [[GEN duration: 96f]]"
                               ) from None
        if directive is not None:
            found = merge(found, directive)
    return found


def _infer_kind(heading: str | None, shot_heading: str | None, action: str,
                speakers: Sequence[str], default: str) -> tuple[str, str]:
    if _STUNT.search(_NOT_STUNT.sub(" ", action)):
        return "stunt", "stunt words"
    shot_kind = kind_of_shot(shot_heading)
    if shot_kind:
        return shot_kind, "shot heading"
    if heading and _EXTERIOR.match(heading) and not speakers:
        return "establishing", "exterior without dialogue"
    return default, "default"


def _frames_of_eighths(eighths: float, options: SlotOptions) -> int:
    return max(1, round(eighths / 8 * options.seconds_per_page * options.rate))


def script_defaults(script: Script, options: SlotOptions) -> Directive:
    """What the notes before the first scene ask of every slot (style, duration)."""
    return _directive_of(script.preamble, script, options.rate)


def plan_slots(script: Script, options: SlotOptions) -> list[SlotPlan]:
    """Every slot of ``script``, in script order."""
    rate = options.rate
    globals_ = script_defaults(script, options)
    has_prologue = bool(script.scenes) and script.scenes[0].heading is None
    if (globals_.kind or globals_.prompt or globals_.skip) and not has_prologue:
        script.warnings.append("a [[GEN kind/prompt/skip]] note before the first scene applies "
                               "to no scene and was ignored; put it inside a scene")
    plans: list[SlotPlan] = []
    for scene in script.scenes:
        if scene.heading is not None and _OMITTED.match(scene.heading.strip()):
            continue
        parts = _split(scene, options.split_shots)
        lines = [estimate_lines(p.elements) for p in parts]
        stated = None
        if scene.eighths is not None:
            total = _frames_of_eighths(scene.eighths, options)
            weights = [max(n, 1) for n in lines]
            stated = [max(1, math.floor(total * w / sum(weights))) for w in weights]
            stated[-1] = max(1, total - sum(stated[:-1]))
        for number, (part, part_lines) in enumerate(zip(parts, lines, strict=True)):
            local = _directive_of(part.elements, script, rate)
            directive = merge(Directive(duration=globals_.duration, style=globals_.style), local)
            speakers: list[str] = []
            actions: list[str] = []
            for element in part.elements:
                if element.kind is ElementKind.CHARACTER:
                    name = _speaker(element.text)
                    if name and name not in speakers:
                        speakers.append(name)
                elif element.kind is ElementKind.ACTION or (
                        element.kind is ElementKind.SHOT and element.text != part.shot_heading):
                    actions.append(element.text)
            if directive.kind:
                kind, kind_from = directive.kind, "note"
            else:
                kind, kind_from = _infer_kind(scene.heading, part.shot_heading,
                                              " ".join(actions), speakers, options.default_kind)
            prompt = directive.prompt or _prompt(scene.heading, part.shot_heading, actions,
                                                 speakers, options.max_prompt_chars)
            if directive.style:
                prompt = f"{_sentence(prompt)} Style: {_sentence(directive.style)}".strip()
            eighths = eighths_of_page(part_lines, options.lines_per_page)
            if local.duration is not None:
                frames, duration_from = local.duration.frames(rate), "note"
            elif globals_.duration is not None:
                frames, duration_from = globals_.duration.frames(rate), "script note"
            elif stated is not None:
                frames, duration_from = stated[number], "script page length"
            else:
                frames, duration_from = _frames_of_eighths(eighths, options), "page estimate"
            plans.append(SlotPlan(
                scene_number=scene.number or (str(scene.index) if scene.index else None),
                scene_index=scene.index,
                heading=scene.heading,
                shot=str(number + 1) if len(parts) > 1 else None,
                shot_heading=part.shot_heading,
                characters=tuple(speakers),
                kind=kind,
                kind_from=kind_from,
                prompt=prompt,
                frames=frames,
                eighths=eighths,
                duration_from=duration_from,
                marked=not directive.skip,
                line=part.line,
            ))
    return plans
