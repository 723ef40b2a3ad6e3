"""A slot's prompt as the editor set it, kept in the project state the panel reads.

``pickup fill --prompt TEXT --negative TEXT`` and the panel's inspector both keep a
slot's prompt and negative prompt in ``<project>/panel.json``
(``{"version": 1, "slots": {slot id: {"prompt": ..., "negative": ...}}}``), so the
panel shows what the command line generated from.  Slots without a prompt of their
own generate from their kind's default prompt (:func:`kind_prompt`); a slot with
neither (an unmarked gap, a bare ``GEN``) needs a prompt.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pickup.atomic import atomic_path
from pickup.project import Project
from pickup.timeline import Slot

__all__ = ["KIND_PROMPTS", "kind_prompt", "missing_prompts", "save_prompt", "saved_prompt"]

#: what a slot marked with only a kind (``GEN establishing``) generates from
KIND_PROMPTS: dict[str, str] = {
    "establishing": "an establishing wide shot of the location, slow camera move",
    "stunt": "a stunt action shot, dynamic camera",
    "insert": "a close-up insert shot of a detail",
    "cutaway": "a cutaway shot of the surroundings",
    "broll": "b-roll footage of the setting",
    "plate": "a clean background plate, static camera, no people",
    "extend": "a continuation of the neighbouring shot",
}


def kind_prompt(kind: str | None) -> str | None:
    """The default prompt of a shot kind (a free-text kind is its own prompt)."""
    if not kind:
        return None
    return KIND_PROMPTS.get(kind.lower(), f"a {kind} shot")


def missing_prompts(slots: Sequence[Slot], prompt: str | None = None) -> list[Slot]:
    """The slots with nothing to generate from: no ``prompt`` given, none marked,
    no kind."""
    if prompt and prompt.strip():
        return []
    return [s for s in slots if not (s.prompt or "").strip() and not s.kind]


def _read(project: Project) -> dict[str, Any]:
    path = project.panel_path
    if not path.is_file():
        return {"version": 1, "slots": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"version": 1, "slots": {}}
    if not isinstance(data, dict) or not isinstance(data.get("slots"), dict):
        return {"version": 1, "slots": {}}
    return data


def saved_prompt(project: Project, slot_id: str) -> tuple[str, str] | None:
    """(prompt, negative) the project state holds for ``slot_id``, if any."""
    saved = _read(project)["slots"].get(slot_id)
    if not isinstance(saved, dict) or not saved.get("prompt"):
        return None
    return str(saved["prompt"]), str(saved.get("negative") or "")


def save_prompt(project: Project, slot_id: str, prompt: str, negative: str = "") -> Path:
    """Keep ``slot_id``'s prompt and negative prompt in the project state (atomically,
    one writer at a time); every other setting of the panel stays as it was."""
    from pickup.workflow.state import locked_state

    with locked_state(project):
        data = _read(project)
        entry = data["slots"].setdefault(slot_id, {})
        entry["prompt"], entry["negative"] = prompt, negative
        dest = project.panel_path
        with atomic_path(dest) as tmp:
            tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    return dest
