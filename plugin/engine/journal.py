"""The job journal: one SQLite file in the project folder that survives any crash.

Every take's job is a row in ``jobs``; every change of state is a row in
``transitions``.  States, in order::

    planned -> submitting -> submitted -> running -> succeeded -> fetched -> conformed -> placed
                                                 \\-> failed | cancelled

``submitting`` is written *before* the provider's create call and ``submitted``
(with the JSON job handle) right after it, so a process killed in between knows
the create may have happened and checks with the provider before creating again.
WAL mode, one short transaction per change.  Nothing secret is stored: requests
hold prompts and file paths, handles are redacted, errors are redacted.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pickup.engine.redact import redact
from pickup.engine.states import DONE, JOURNAL_STATES, TERMINAL_BAD, UNFINISHED, JobState
from pickup.errors import WriteError

__all__ = ["DONE", "STATES", "TERMINAL_BAD", "UNFINISHED", "JobRow", "Journal"]

#: the journal's states, from the one vocabulary of :mod:`pickup.engine.states`
STATES = JOURNAL_STATES

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    slot_id TEXT NOT NULL,
    take INTEGER NOT NULL,
    provider TEXT NOT NULL,
    model TEXT,
    cache_key TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 1,
    state TEXT NOT NULL,
    handle TEXT,
    request TEXT NOT NULL,
    target TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '[]',
    est_cost REAL NOT NULL DEFAULT 0,
    cost REAL,
    error TEXT,
    error_kind TEXT,
    raw_path TEXT,
    media_path TEXT,
    output TEXT,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    UNIQUE (slot_id, take)
);
CREATE INDEX IF NOT EXISTS jobs_cache ON jobs (provider, cache_key);
CREATE TABLE IF NOT EXISTS transitions (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs (id),
    state TEXT NOT NULL,
    at REAL NOT NULL,
    detail TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
INSERT OR IGNORE INTO meta VALUES ('schema', '1');
"""

_COLUMNS = ("id", "slot_id", "take", "provider", "model", "cache_key", "idem_key", "attempt",
            "state", "handle", "request", "target", "notes", "est_cost", "cost", "error",
            "error_kind", "raw_path", "media_path", "output", "created", "updated")


@dataclass(frozen=True)
class JobRow:
    """One job as the journal holds it; ``state`` is a :class:`JobState` (a ``str``
    enum: it compares equal to its name, and a name given is turned into one)."""

    id: int
    slot_id: str
    take: int
    provider: str
    model: str | None
    cache_key: str
    idem_key: str
    attempt: int
    state: JobState
    handle: str | None
    request: dict[str, Any]
    target: dict[str, Any]
    notes: tuple[str, ...]
    est_cost: float
    cost: float | None
    error: str | None
    error_kind: str | None
    raw_path: str | None
    media_path: str | None
    output: str | None
    created: float
    updated: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", JobState(self.state))

    @property
    def unfinished(self) -> bool:
        return self.state in UNFINISHED


def _row(values: Sequence[Any]) -> JobRow:
    data = dict(zip(_COLUMNS, values, strict=False))
    data["request"] = json.loads(data["request"])
    data["target"] = json.loads(data["target"])
    data["notes"] = tuple(json.loads(data["notes"] or "[]"))
    return JobRow(**data)


#: how long opening waits for another connection (a second take, another process)
_OPEN_TIMEOUT_S = 30.0


def _connect(path: Path) -> sqlite3.Connection:
    """A connection to the journal at ``path``, in WAL mode with the schema in place.

    Switching a new file to WAL takes an exclusive lock, and SQLite answers "database is
    locked" at once (no busy wait) to a connection that comes in the middle of it or of
    the first schema write: two takes starting together both create the journal.  So the
    mode is only switched when it is not WAL yet, and a locked open is tried again, with
    backoff, for up to :data:`_OPEN_TIMEOUT_S`."""
    deadline = time.monotonic() + _OPEN_TIMEOUT_S
    delay = 0.005
    while True:
        conn = sqlite3.connect(str(path), timeout=_OPEN_TIMEOUT_S, isolation_level=None,
                               check_same_thread=False)
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()
            if not mode or str(mode[0]).lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            text = str(exc).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
        except BaseException:
            conn.close()
            raise
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


class Journal:
    """The project's job journal.  Thread-safe; every method is one short transaction."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = _connect(self.path)
        except (OSError, sqlite3.Error) as exc:
            raise WriteError(f"cannot open the job journal: {exc}", where=str(self.path),
                             hint="check the project folder is writable, or use --project DIR"
                             ) from None
        self._lock = threading.Lock()

    @classmethod
    def open_existing(cls, path: Path) -> Journal | None:
        """The journal at ``path`` if there is one (reading never creates it)."""
        return cls(path) if Path(path).is_file() else None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # -- reading -------------------------------------------------------------------
    def _select(self, where: str = "", params: Sequence[Any] = ()) -> list[JobRow]:
        sql = f"SELECT {', '.join(_COLUMNS)} FROM jobs {where}"
        with self._lock:
            return [_row(r) for r in self._conn.execute(sql, params).fetchall()]

    def get(self, job_id: int) -> JobRow:
        rows = self._select("WHERE id = ?", (job_id,))
        if not rows:
            raise KeyError(job_id)
        return rows[0]

    def all(self) -> list[JobRow]:
        return self._select("ORDER BY slot_id, take")

    def by_cache_key(self, provider: str, cache_key: str) -> list[JobRow]:
        """Jobs for the same request, newest first."""
        return self._select("WHERE provider = ? AND cache_key = ? ORDER BY id DESC",
                            (provider, cache_key))

    def for_slot(self, slot_id: str) -> list[JobRow]:
        return self._select("WHERE slot_id = ? ORDER BY take", (slot_id,))

    def max_take(self, slot_id: str) -> int:
        with self._lock:
            row = self._conn.execute("SELECT MAX(take) FROM jobs WHERE slot_id = ?",
                                     (slot_id,)).fetchone()
        return int(row[0] or 0)

    def transitions(self, job_id: int) -> list[tuple[str, float, str | None]]:
        with self._lock:
            return [(s, a, d) for s, a, d in self._conn.execute(
                "SELECT state, at, detail FROM transitions WHERE job_id = ? ORDER BY id",
                (job_id,))]

    # -- writing -------------------------------------------------------------------
    def add(self, *, slot_id: str, take: int, provider: str, model: str | None,
            cache_key: str, idem_key: str, request: dict[str, Any], target: dict[str, Any],
            notes: Sequence[str], est_cost: float) -> JobRow:
        """A new job in state ``planned``."""
        now = time.time()
        with self._tx() as conn:
            cur = conn.execute(
                "INSERT INTO jobs (slot_id, take, provider, model, cache_key, idem_key, "
                "attempt, state, request, target, notes, est_cost, created, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, 1, 'planned', ?, ?, ?, ?, ?, ?)",
                (slot_id, take, provider, model, cache_key, idem_key,
                 redact(json.dumps(request, sort_keys=True, default=str)),
                 json.dumps(target, sort_keys=True), json.dumps(list(notes)), est_cost,
                 now, now))
            job_id = int(cur.lastrowid or 0)
            conn.execute("INSERT INTO transitions (job_id, state, at, detail) "
                         "VALUES (?, 'planned', ?, NULL)", (job_id, now))
        return self.get(job_id)

    def set_state(self, job_id: int, state: str, *, detail: str | None = None,
                  **fields: Any) -> None:
        """Move a job to ``state`` and update ``fields`` (handle, cost, error, ...)."""
        if state not in STATES:
            raise ValueError(f"unknown job state {state!r}")
        now = time.time()
        allowed = set(_COLUMNS) - {"id", "slot_id", "take", "created", "updated", "state"}
        cols = ["state = ?", "updated = ?"]
        params: list[Any] = [state, now]
        for key, value in fields.items():
            if key not in allowed:
                raise ValueError(f"not a journal column: {key}")
            if key in ("handle", "error") and value is not None:
                value = redact(str(value))
            cols.append(f"{key} = ?")
            params.append(value)
        with self._tx() as conn:
            conn.execute(f"UPDATE jobs SET {', '.join(cols)} WHERE id = ?",
                         (*params, job_id))
            conn.execute("INSERT INTO transitions (job_id, state, at, detail) "
                         "VALUES (?, ?, ?, ?)", (job_id, state, now, redact(detail)))
