"""The take cache: the same request (same :meth:`ShotRequest.cache_key`) is made once.

The cache is the journal itself: a job whose request hashes to the same key and
whose conformed media is still on disk is reused instead of generating again.
``--force`` (or ``--new-seed``, which changes the key) makes a new take anyway.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

from pickup.engine.journal import DONE, TERMINAL_BAD, JobRow, Journal

__all__ = ["CacheLookup", "lookup"]


@dataclass(frozen=True)
class CacheLookup:
    """What the journal knows about a request: a usable take, a job to resume, or
    a job to try again (failed, cancelled, or its media was deleted)."""

    hit: JobRow | None = None
    resume: JobRow | None = None
    retry: JobRow | None = None
    reconform: JobRow | None = None


def _exists(path: str | None) -> bool:
    return bool(path) and Path(str(path)).is_file()


def lookup(journal: Journal | None, provider: str, cache_key: str, *,
           force: bool = False, exclude: Container[int] = ()) -> CacheLookup:
    """Look ``cache_key`` up; rows whose id is in ``exclude`` are already taken."""
    if journal is None:
        return CacheLookup()
    rows = [r for r in journal.by_cache_key(provider, cache_key) if r.id not in exclude]
    for row in rows:
        if row.unfinished:
            return CacheLookup(resume=row)
    if not force:
        for row in rows:
            if row.state in DONE and _exists(row.media_path):
                return CacheLookup(hit=row)
        for row in rows:
            if row.state in DONE and _exists(row.raw_path):
                return CacheLookup(reconform=row)
    for row in rows:
        if row.state in TERMINAL_BAD or (row.state in DONE and not force):
            return CacheLookup(retry=row)
    return CacheLookup()
