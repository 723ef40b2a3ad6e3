"""A base for providers that render on this machine, synchronously, in ``submit``.

``submit`` renders into the job's work folder (once: a resumed job finds its file),
``poll`` reports it done, ``fetch`` moves it where the engine wants it.  Subclasses
say what they can make (``capabilities``), check a request (``validate``), describe
what they will do (``describe``, shown in the plan) and render (``render``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import threading
from pathlib import Path
from typing import Any

from av.error import FFmpegError

from pickup.atomic import atomic_path
from pickup.errors import CancelledError, ConfigError, MediaError, ProviderError
from pickup.providers.base import Capabilities, JobHandle, JobStatus, ShotRequest, State
from pickup.timeline.names import safe_component

__all__ = ["LocalRenderer"]


class LocalRenderer:
    """Shared ``submit``/``poll``/``fetch``/``cancel`` of a local renderer."""

    name = "local"
    suffix = ".nut"

    def __init__(self) -> None:
        self._cancels: dict[str, threading.Event] = {}

    # -- what subclasses provide -----------------------------------------------------
    def capabilities(self, model: str | None) -> Capabilities:
        return Capabilities(cancel=True, price_per_second=0.0, local=True)

    def validate(self, req: ShotRequest) -> None:
        raise NotImplementedError

    def describe(self, req: ShotRequest) -> list[str]:
        return []

    def render(self, req: ShotRequest, dest: Path, cancel: threading.Event) -> None:
        raise NotImplementedError

    def settings(self, req: ShotRequest) -> dict[str, Any]:
        """What besides the request changes the output (part of the job id, and kept
        in the job's handle)."""
        return {}

    def output_suffix(self, req: ShotRequest) -> str:
        """The render's file suffix (its container)."""
        return self.suffix

    # -- the Provider protocol -------------------------------------------------------
    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        self.validate(req)
        settings = self.settings(req)
        blob = json.dumps({"key": req.cache_key(self.name), **settings},
                          sort_keys=True, default=str)
        job_id = hashlib.sha256(blob.encode()).hexdigest()[:24]
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        out = (workdir / f"{self.name}_{safe_component(req.slot_id)}_{job_id[:12]}"
                         f"{self.output_suffix(req)}")
        event = self._cancels.setdefault(job_id, threading.Event())
        data: dict[str, Any] = {"output": str(out), **settings}
        try:
            if not out.is_file():
                self.render(req, out, event)
        except CancelledError:
            data["cancelled"] = True
        except (MediaError, ConfigError) as exc:
            raise ProviderError(exc.message, provider=self.name,
                                where=f"slot {req.slot_id}") from None
        except (OSError, FFmpegError) as exc:
            raise ProviderError(f"rendering failed: {exc}", provider=self.name,
                                where=f"slot {req.slot_id}") from None
        finally:
            self._cancels.pop(job_id, None)
        return JobHandle(provider=self.name, job_id=job_id, data=data)

    def poll(self, handle: JobHandle) -> JobStatus:
        if handle.data.get("cancelled"):
            return JobStatus(state=State.CANCELLED, error="cancelled")
        out = Path(str(handle.data.get("output", "")))
        if out.is_file():
            return JobStatus(state=State.SUCCEEDED, progress=1.0, outputs=(str(out),))
        return JobStatus(state=State.FAILED, error=f"the render is missing: {out}",
                         error_code="missing_output", retryable=True)

    def fetch(self, handle: JobHandle, status: JobStatus, dest: Path) -> list[Path]:
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        paths: list[Path] = []
        for output in status.outputs or (str(handle.data.get("output", "")),):
            src = Path(output)
            if not src.is_file():
                raise ProviderError(f"the render is missing: {src}", provider=self.name,
                                    retryable=True)
            target = dest / src.name
            if src.resolve() != target.resolve():
                with atomic_path(target) as tmp:
                    shutil.copyfile(src, tmp)
                with contextlib.suppress(OSError):
                    src.unlink()
            paths.append(target)
        return paths

    def cancel(self, handle: JobHandle) -> bool:
        event = self._cancels.get(handle.job_id)
        if event is None:
            return False
        event.set()
        return True

    def estimate_cost(self, req: ShotRequest) -> float:
        return 0.0
