"""Example ComfyUI workflows in API format, shipped as package data.

``wan22_ti2v_5b.json``: Wan 2.2 TI2V 5B text/image-to-video with Pickup's
``{{placeholders}}``; see docs/providers.md for the model files it expects.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["WORKFLOWS", "workflow_path"]

#: workflow name -> file in this folder
WORKFLOWS: dict[str, str] = {"wan2.2-ti2v-5b": "wan22_ti2v_5b.json"}


def workflow_path(name: str) -> Path | None:
    """The shipped workflow file called ``name``, if there is one."""
    file = WORKFLOWS.get(name)
    return Path(__file__).with_name(file) if file else None
