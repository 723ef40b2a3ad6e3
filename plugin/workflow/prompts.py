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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pickup.atomic import atomic_path
from pickup.errors import InputError
from pickup.project import Project
from pickup.timeline import LoadedTimeline, Slot

__all__ = ["KIND_PROMPTS", "check_prompts", "kind_prompt", "missing_prompts", "save_prompt",
           "saved_prompt"]

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


def check_prompts(loaded: LoadedTimeline, *, slot_ids: Sequence[str] = (),
                  all_gaps: bool = False, prompt: str | None = None,
                  negative: str | None = None, provider: str = "previz",
                  project: Path | None = None, tags: Sequence[str] | None = None,
                  say: Callable[[str], None] = lambda _m: None,
                  chosen: tuple[Project, Sequence[Slot]] | None = None
                  ) -> tuple[tuple[str, str, str], ...]:
    """Before anything is made: refuse a ``prompt`` for several slots and (for a
    generating provider) a slot with nothing to generate from; say when a slot
    generates from a prompt the project state kept or from its kind's default.
    Returns (slot id, prompt, negative) of the slots whose kept prompt serves again
    (:attr:`pickup.workflow.FillOptions.slot_prompts`).  ``chosen``: the project and
    the chosen slots when the caller has them already (else they are looked up)."""
    from pickup.workflow.fill import select_slots

    given = prompt is not None or negative is not None
    if given and len(slot_ids) != 1:
        raise InputError("--prompt and --negative set the prompt of one slot",
                         where=str(loaded.path), hint="name it with --slots ID; "
                         "`pickup scan --all-gaps` lists the ids")
    if prompt is not None and not prompt.strip():
        raise InputError("--prompt is empty", hint="say what the shot shows")
    if chosen is None:
        found_in = Project.find(loaded.path, project, loaded.timeline)
        slots: Sequence[Slot] = select_slots(loaded, slot_ids=slot_ids, all_gaps=all_gaps,
                                             tags=tags, project=found_in)
    else:
        found_in, slots = chosen
    empty = missing_prompts(slots, prompt)
    kept: list[tuple[str, str, str]] = []
    if empty:  # a prompt fill --prompt kept for the slot before serves again
        kept = [(s.id, *found) for s in empty
                if (found := saved_prompt(found_in, s.id)) is not None]
        for slot_id, text, _negative in kept:
            say(f"slot {slot_id}: generating from the prompt kept in the project state: "
                f"\"{text}\"")
        empty = [s for s in empty if s.id not in {k[0] for k in kept}]
    if empty:
        ids = ", ".join(s.id for s in empty)
        gaps = all(s.mark == "unmarked" for s in empty)
        if len(empty) == 1:
            what = f"slot {ids} is {'an unmarked gap' if gaps else 'marked without a prompt'}"
        else:
            what = f"slots {ids} are {'unmarked gaps' if gaps else 'marked without a prompt'}"
        hint = (f"pass --slots {empty[0].id} --prompt TEXT, or mark the slot in the cut: "
                "GEN kind: prompt")
        if provider != "previz":
            raise InputError(f"{what}: nothing to generate from, so nothing was submitted",
                             where=str(loaded.path), hint=hint)
        say(f"pickup: warning: {what} with no prompt: previz draws a placeholder card from "
            f"the neighbouring shots; a generating provider will need a prompt ({hint})")
    if prompt is None:
        for slot in slots:
            if not (slot.prompt or "").strip() and slot.kind:
                say(f"slot {slot.id}: no prompt; generating from the {slot.kind} default "
                    f"\"{kind_prompt(slot.kind)}\" (pass --prompt to say more)")
    return tuple(kept)
