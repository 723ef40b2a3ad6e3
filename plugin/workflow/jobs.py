"""Cancel jobs so that it sticks, from any face.

A cancel is written to the journal first (what ``pickup jobs``, the panel and the
next ``pickup fill`` read), so it holds even if the process running the job is
ended a moment later; then the provider is asked to cancel the jobs it was given
(where its API has a cancel).  The engine running the job sees its cancel event at
its next step and stops there; a take already downloaded stays resumable.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from pickup.config import Config, load_config
from pickup.engine.journal import Journal
from pickup.errors import PickupError
from pickup.project import Project
from pickup.providers.base import JobHandle
from pickup.workflow.engines import make_provider

__all__ = ["cancel_at_providers", "cancel_jobs"]

#: states in which the provider holds the job (its cancel is worth calling)
_AT_PROVIDER = ("submitting", "submitted", "running")


def cancel_jobs(project: Project, job_ids: Iterable[int], *, config: Config | None = None,
                call_provider: bool = True) -> list[int]:
    """Mark every unfinished job of ``job_ids`` cancelled in the journal, then (with
    ``call_provider``) ask each provider to cancel the jobs it holds.  Jobs whose
    take is already downloaded (``succeeded``, ``fetched``) are left to finish.
    Returns the job ids cancelled."""
    journal = Journal.open_existing(project.journal_path)
    if journal is None:
        return []
    cancelled: list[int] = []
    at_provider: list[tuple[str, JobHandle]] = []
    try:
        for job_id in job_ids:
            try:
                row = journal.get(job_id)
            except (KeyError, LookupError, PickupError):
                continue
            if not row.unfinished or row.state in ("succeeded", "fetched"):
                continue
            journal.set_state(row.id, "cancelled", detail="cancelled by the user",
                              error="cancelled by the user", error_kind="cancelled")
            cancelled.append(row.id)
            if row.handle and row.state in _AT_PROVIDER:
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    at_provider.append((row.provider, JobHandle.from_json(row.handle)))
    finally:
        journal.close()
    if call_provider and at_provider:
        _cancel_handles(at_provider, config)
    return cancelled


def cancel_at_providers(project: Project, job_ids: Iterable[int], *,
                        config: Config | None = None) -> int:
    """Ask the providers to cancel jobs the journal already marks cancelled (best
    effort; for a face that wrote the journal first and must not wait on a provider).
    Returns how many cancels were sent."""
    journal = Journal.open_existing(project.journal_path)
    if journal is None:
        return 0
    wanted = set(job_ids)
    try:
        rows = [r for r in journal.all() if r.id in wanted and r.handle
                and r.state == "cancelled"]
    finally:
        journal.close()
    handles: list[tuple[str, JobHandle]] = []
    for row in rows:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            handles.append((row.provider, JobHandle.from_json(str(row.handle))))
    return _cancel_handles(handles, config)


def _cancel_handles(handles: list[tuple[str, JobHandle]], config: Config | None) -> int:
    config = config if config is not None else load_config()
    sent = 0
    for name, handle in handles:
        with contextlib.suppress(PickupError, OSError, ValueError):
            make_provider(name, config).cancel(handle)
            sent += 1
    return sent
