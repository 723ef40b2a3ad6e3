"""The generation engine: plan, submit with bounded concurrency, poll, fetch, conform.

``Engine(project, provider, options).run(shots, on_event=..., cancel=event)`` makes
every take of every :class:`~pickup.engine.plan.Shot` and returns one
:class:`TakeResult` per take.  It is safe to call from a worker thread (the Qt
panel does); it never imports Qt and reports progress only through ``on_event``.

How a take is made (each step is a journal transition, so a killed process resumes
where it stopped and never creates a job twice):

1. plan: fit the request to the provider's capabilities, give it a stable seed,
   hash it (the cache key), and look the key up in the journal;
2. submit (at most ``concurrency`` jobs in flight per provider), with the stable
   idempotency key in ``req.extra["idempotency_key"]``;
3. poll at the provider's advised interval (``JobStatus.poll_after_s``);
4. fetch into ``<project>/downloads/``, verify with ``probe``;
5. conform to the slot (in a separate small pool, so provider slots are freed).

Transient provider errors are retried with backoff (:mod:`pickup.engine.retry`);
moderation and validation failures are final and reported per take.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import random
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from pickup.config import Config, load_config
from pickup.engine.budget import Budget, estimate_cost
from pickup.engine.cache import lookup
from pickup.engine.events import EventCallback, JobEvent
from pickup.engine.journal import JobRow, Journal
from pickup.engine.lock import project_lock
from pickup.engine.plan import OutputSpec, Shot, fit_request
from pickup.engine.preflight import check_slot_length
from pickup.engine.redact import redact
from pickup.engine.retry import Clock, RetryPolicy, SystemClock
from pickup.engine.states import JobState
from pickup.errors import MediaError, PickupError, ProviderError
from pickup.media.probe import MediaInfo, probe
from pickup.project import Project
from pickup.providers.base import (
    Capabilities,
    JobHandle,
    JobStatus,
    Provider,
    ShotRequest,
    State,
)
from pickup.timeline.names import safe_component

__all__ = ["Conformer", "Engine", "EngineOptions", "Plan", "PlannedJob", "TakeResult",
           "media_suffix", "request_from_json"]

_log = logging.getLogger(__name__)

#: ``conformer(src, output, dest, slot_id, cancel) -> MediaInfo`` of ``dest``.
Conformer = Callable[[Path, OutputSpec, Path, str, threading.Event], MediaInfo]

_RATE_LIMIT_CODES = {"429", "rate_limited", "rate_limit", "too_many_requests"}


@dataclass(frozen=True)
class EngineOptions:
    """How the engine runs.  ``clock`` and ``rng`` are injectable for tests."""

    model: str | None = None
    concurrency: int = 4
    conform_workers: int = 2
    budget: float | None = None
    seed: int | None = None
    new_seed: bool = False
    force: bool = False
    poll_interval_s: float = 2.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Clock = field(default_factory=SystemClock)
    rng: random.Random | None = None
    config: Config | None = None
    #: Wait for another process that is running this project's jobs (else refuse).
    wait_for_project: bool = False
    #: Create again a job whose create call an interrupted run may have made, at a
    #: provider that cannot be asked (else the job fails and says so).
    resubmit_unknown: bool = False


@dataclass(frozen=True)
class PlannedJob:
    """One take as the engine will make it.

    ``action``: ``new`` (a new job), ``cached`` (an earlier identical take is
    reused), ``resume`` (a job an earlier run started), ``retry`` (an earlier
    identical job failed or was cancelled: try again under the same take number),
    ``reconform`` (the download is there, the conformed file is not), ``invalid``
    (the provider refuses the request; ``error`` says why).
    """

    slot_id: str
    take: int
    action: str
    request: ShotRequest
    output: OutputSpec
    cache_key: str
    est_cost: float
    price_source: str
    notes: tuple[str, ...] = ()
    job_id: int | None = None
    state: str | None = None
    error: str | None = None

    @property
    def spends(self) -> bool:
        """True when running this job may cost money now."""
        return self.action in ("new", "retry") or (
            self.action == "resume" and self.state in ("planned", "submitting"))

    def to_json(self) -> dict[str, Any]:
        return {"slot": self.slot_id, "take": self.take, "action": self.action,
                "seconds": round(self.request.seconds, 3), "frames": self.request.frames,
                "width": self.request.width, "height": self.request.height,
                "seed": self.request.seed, "model": self.request.model,
                "est_cost": self.est_cost, "price_source": self.price_source,
                "notes": list(self.notes), "job_id": self.job_id, "error": self.error}


@dataclass(frozen=True)
class Plan:
    """Every take a run will make or reuse, and what the new work is estimated to cost."""

    provider: str
    model: str | None
    jobs: tuple[PlannedJob, ...]

    @property
    def cost(self) -> float:
        return round(sum(j.est_cost for j in self.jobs if j.spends), 4)

    def to_json(self) -> dict[str, Any]:
        return {"provider": self.provider, "model": self.model, "est_cost": self.cost,
                "jobs": [j.to_json() for j in self.jobs]}


@dataclass(frozen=True)
class TakeResult:
    """What became of one take: ``state`` (a :class:`~pickup.engine.states.JobState`) is
    conformed, failed, cancelled or refused."""

    slot_id: str
    take: int
    state: str
    job_id: int | None = None
    media: Path | None = None
    frames: int | None = None
    rate: Fraction | None = None
    width: int | None = None
    height: int | None = None
    handles: int = 0
    cost: float = 0.0
    cached: bool = False
    error: str | None = None
    error_kind: str | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", JobState(self.state))

    @property
    def ok(self) -> bool:
        return self.state == "conformed" and self.media is not None

    def to_json(self) -> dict[str, Any]:
        return {"slot": self.slot_id, "take": self.take, "state": self.state,
                "job_id": self.job_id, "media": str(self.media) if self.media else None,
                "frames": self.frames, "cost": self.cost, "cached": self.cached,
                "error": self.error, "error_kind": self.error_kind, "notes": list(self.notes)}


class _Terminal(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class _Cancelled(Exception):
    pass


def request_from_json(data: dict[str, Any]) -> ShotRequest:
    """The inverse of :meth:`ShotRequest.to_json`."""
    def path(value: Any) -> Path | None:
        return Path(value) if value else None
    return ShotRequest(
        slot_id=data["slot_id"], prompt=data.get("prompt") or "", kind=data.get("kind"),
        frames=int(data["frames"]), rate=Fraction(data["rate"]), width=int(data["width"]),
        height=int(data["height"]), seed=data.get("seed"),
        negative_prompt=data.get("negative_prompt"), first_frame=path(data.get("first_frame")),
        last_frame=path(data.get("last_frame")),
        references=tuple(Path(p) for p in data.get("references") or ()),
        model=data.get("model"), extra=dict(data.get("extra") or {}))


def media_suffix(profile: str) -> str:
    """The file suffix conform writes for ``profile`` (``.mov`` for ProRes)."""
    from pickup.media.conform import profile_suffix

    return str(profile_suffix(profile))


def _default_conformer(src: Path, out: OutputSpec, dest: Path, slot_id: str,
                       cancel: threading.Event) -> MediaInfo:
    from pickup.media.conform import ConformTarget, conform

    target = ConformTarget(frames=out.frames, rate=out.rate, width=out.width,
                           height=out.height, profile=out.profile, handles=out.handles,
                           timecode=out.timecode, reel=out.reel, slot_id=slot_id)
    return conform(src, target, dest, cancel=cancel)


def _stable_seed(slot_id: str, prompt: str, index: int) -> int:
    blob = f"{slot_id}\0{prompt}\0{index}".encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:4], "big") & 0x7FFFFFFF


def _idem_key(cache_key: str, take: int, attempt: int) -> str:
    blob = f"{cache_key}:{take}:{attempt}".encode()
    return "pickup-" + hashlib.sha256(blob).hexdigest()[:32]


def _plain(exc: BaseException) -> str:
    text = str(exc).strip()
    return redact(text or type(exc).__name__) or type(exc).__name__


class Engine:
    """Makes takes through one provider for one project.  See the module docstring."""

    def __init__(self, project: Project, provider: str | Provider,
                 options: EngineOptions | None = None, *,
                 conformer: Conformer | None = None) -> None:
        self.project = project
        self.options = options or EngineOptions()
        self.config = self.options.config if self.options.config is not None else load_config()
        if isinstance(provider, str):
            from pickup.providers.registry import get_provider
            provider = get_provider(provider, config=self.config,
                                    **self.config.provider_options(provider))
        self.provider: Provider = provider
        self.name = str(provider.name)
        self.conformer = conformer or _default_conformer
        self._rng = self.options.rng or random.Random()
        self._journal: Journal | None = None
        self._cancel = threading.Event()
        self._on_event: EventCallback | None = None
        self._budget = Budget(None)

    # -- public API --------------------------------------------------------------
    @property
    def journal(self) -> Journal:
        """The project's journal (created on first use)."""
        if self._journal is None:
            self.project.ensure()
            self._journal = Journal(self.project.journal_path)
        return self._journal

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def plan(self, shots: Sequence[Shot]) -> Plan:
        """What :meth:`run` would do.  Writes nothing (no project folder, no journal)."""
        journal = self._journal or Journal.open_existing(self.project.journal_path)
        caps = self.provider.capabilities(self.options.model)
        jobs: list[PlannedJob] = []
        taken: set[int] = set()
        next_take: dict[str, int] = {}
        limit = self.config.max_slot_seconds
        for shot in shots:
            req = shot.request
            check_slot_length(req.slot_id, shot.output.frames, shot.output.rate, limit)
            if self.options.model and not req.model:
                req = replace(req, model=self.options.model)
            req, shot_caps, chosen = self._choose(req, caps)
            fitted = fit_request(req, shot_caps, handles=shot.output.handles)
            if chosen:
                fitted = replace(fitted, notes=chosen + fitted.notes)
            fitted = replace(fitted, notes=fitted.notes + self._describe(fitted.request))
            slot = req.slot_id
            if slot not in next_take:
                next_take[slot] = (journal.max_take(slot) if journal else 0) + 1
            error = self._validate(fitted.request)

            def fresh(index: int, fitted_req: ShotRequest = fitted.request) -> ShotRequest:
                base = fitted_req.seed if fitted_req.seed is not None else self.options.seed
                seed = ((base + index - 1) & 0x7FFFFFFF if base is not None and
                        not self.options.new_seed else
                        _stable_seed(fitted_req.slot_id, fitted_req.prompt, index))
                return replace(fitted_req, seed=seed)

            def add(action: str, take: int, request: ShotRequest, row: JobRow | None = None,
                    shot: Shot = shot, notes: tuple[str, ...] = fitted.notes,
                    error: str | None = error, shot_caps: Capabilities = shot_caps) -> None:
                cost, source = estimate_cost(self.provider, request, shot_caps, self.config)
                if action in ("new", "retry") and error:
                    action = "invalid"
                jobs.append(PlannedJob(
                    slot_id=request.slot_id, take=take, action=action, request=request,
                    output=shot.output, cache_key=request.cache_key(self.name),
                    est_cost=cost, price_source=source, notes=notes,
                    job_id=row.id if row else None, state=row.state if row else None,
                    error=error if action == "invalid" else None))
                if row is not None:
                    taken.add(row.id)

            if self.options.new_seed:
                adopted = [r for r in (journal.for_slot(slot) if journal else [])
                           if r.unfinished and r.provider == self.name and r.id not in taken]
                for row in adopted[:shot.takes]:
                    add("resume", row.take, request_from_json(row.request), row,
                        notes=row.notes, error=None)
                for _ in range(shot.takes - min(len(adopted), shot.takes)):
                    take = next_take[slot]
                    next_take[slot] += 1
                    add("new", take, fresh(take))
                continue
            for index in range(1, shot.takes + 1):
                request = fresh(index)
                found = lookup(journal, self.name, request.cache_key(self.name),
                               force=self.options.force, exclude=taken)
                if found.resume is not None:
                    row = found.resume
                    add("resume", row.take, request_from_json(row.request), row,
                        notes=row.notes, error=None)
                elif found.hit is not None:
                    add("cached", found.hit.take, request, found.hit, error=None)
                elif found.reconform is not None:
                    add("reconform", found.reconform.take, request, found.reconform,
                        error=None)
                elif found.retry is not None:
                    add("retry", found.retry.take, request, found.retry)
                else:
                    take = next_take[slot]
                    next_take[slot] += 1
                    add("new", take, request)
        if journal is not None and journal is not self._journal:
            journal.close()
        return Plan(provider=self.name, model=self.options.model, jobs=tuple(jobs))

    def run(self, shots: Sequence[Shot] | Plan, *, on_event: EventCallback | None = None,
            cancel: threading.Event | None = None) -> list[TakeResult]:
        """Make every take; returns one result per planned take, in plan order."""
        plan = shots if isinstance(shots, Plan) else self.plan(shots)
        self._begin(on_event, cancel)
        self._budget = Budget(self.options.budget)
        results: dict[int, TakeResult] = {}
        to_run: list[tuple[int, int]] = []  # (plan index, job id)
        for index, pj in enumerate(plan.jobs):
            if pj.action == "cached":
                results[index] = self._cached_result(pj)
                continue
            if pj.action == "invalid":
                results[index] = TakeResult(pj.slot_id, pj.take, "failed",
                                            error=pj.error, error_kind="validation",
                                            notes=pj.notes)
                self._emit_raw(pj.slot_id, pj.take, "failed", message=pj.error or "")
                continue
            if self._cancel.is_set():
                results[index] = TakeResult(pj.slot_id, pj.take, "cancelled",
                                            job_id=pj.job_id, error="cancelled before it "
                                            "started", error_kind="cancelled")
                continue
            if pj.spends and not self._budget.reserve(pj.est_cost):
                message = (f"refused: ${pj.est_cost:.2f} would pass the budget of "
                           f"${self.options.budget:.2f} (${self._budget.spent:.2f} "
                           "already committed)")
                results[index] = TakeResult(pj.slot_id, pj.take, "refused",
                                            error=message, error_kind="budget",
                                            notes=pj.notes)
                self._emit_raw(pj.slot_id, pj.take, "refused", message=message)
                continue
            to_run.append((index, self._journal_job(pj)))
        for index, result in self._execute_owned([job_id for _, job_id in to_run]).items():
            plan_index = next(i for i, j in to_run if j == index)
            results[plan_index] = result
        return [results[i] for i in sorted(results)]

    def resume(self, *, on_event: EventCallback | None = None,
               cancel: threading.Event | None = None,
               job_ids: Sequence[int] | None = None) -> list[TakeResult]:
        """Finish the journal's unfinished jobs of this provider (``pickup jobs --resume``)."""
        self._begin(on_event, cancel)
        rows = [r for r in self.journal.all() if r.unfinished and r.provider == self.name
                and (job_ids is None or r.id in job_ids)]
        results = self._execute_owned([r.id for r in rows])
        return [results[r.id] for r in rows]

    def cancel_job(self, job_id: int) -> bool:
        """Cancel one journal job (at the provider too when it was submitted)."""
        row = self.journal.get(job_id)
        if not row.unfinished:
            return False
        handle = JobHandle.from_json(row.handle) if row.handle else None
        if handle is None and row.state == "submitting":  # the create may have happened
            with contextlib.suppress(_Terminal, _Cancelled):
                req = request_from_json(row.request)
                handle = self._find_existing(
                    replace(req, extra={**dict(req.extra), "idempotency_key": row.idem_key}),
                    row.idem_key)
        if handle is not None and row.state in ("submitting", "submitted", "running"):
            with contextlib.suppress(ProviderError, OSError):
                self.provider.cancel(handle)
        self._set(row, "cancelled", detail="cancelled by the user",
                  error="cancelled by the user", error_kind="cancelled")
        return True

    # -- internals: bookkeeping ----------------------------------------------------
    def _begin(self, on_event: EventCallback | None, cancel: threading.Event | None) -> None:
        self._on_event = on_event
        self._cancel = cancel if cancel is not None else threading.Event()

    def _choose(self, req: ShotRequest, caps: Capabilities
                ) -> tuple[ShotRequest, Capabilities, tuple[str, ...]]:
        """The request with the model that can make it (when the provider's default
        cannot, the provider names its best model that can), that model's capabilities in
        this request's mode, and the note saying so.  An explicit model is kept.  What the
        provider says decides its output beside the request (``request_identity``: ComfyUI's
        workflow content and model files) goes into the request, so into its cache key."""
        notes: tuple[str, ...] = ()
        choose: Callable[[ShotRequest], tuple[str, tuple[str, ...]]] | None = getattr(
            self.provider, "choose_model", None)
        if callable(choose) and not req.model:
            try:
                model, notes = choose(req)
            except PickupError:
                model, notes = None, ()
            if notes and model:
                req = replace(req, model=model)
        identity: Callable[[ShotRequest], dict[str, Any]] | None = getattr(
            self.provider, "request_identity", None)
        if callable(identity):  # e.g. ComfyUI's workflow content: part of the cache key
            with contextlib.suppress(PickupError):
                req = replace(req, extra={**dict(req.extra),
                                          "provider_identity": identity(req)})
        caps_for: Callable[[ShotRequest], Capabilities] | None = getattr(
            self.provider, "capabilities_for", None)
        if callable(caps_for):
            with contextlib.suppress(PickupError):
                caps = caps_for(req)
        return req, caps, tuple(notes)

    def _describe(self, req: ShotRequest) -> tuple[str, ...]:
        """What the provider says it will do (optional ``describe``: plan notes)."""
        describe = getattr(self.provider, "describe", None)
        if not callable(describe):
            return ()
        try:
            notes: Any = describe(req)
            return tuple(str(n) for n in notes)
        except PickupError:
            return ()

    def _validate(self, req: ShotRequest) -> str | None:
        check = getattr(self.provider, "validate", None)
        if not callable(check):
            return None
        try:
            check(req)
        except PickupError as exc:
            return _plain(exc)
        return None

    def _journal_job(self, pj: PlannedJob) -> int:
        journal = self.journal
        request_json = pj.request.to_json()
        if pj.action == "new":
            row = journal.add(slot_id=pj.slot_id, take=pj.take, provider=self.name,
                              model=pj.request.model, cache_key=pj.cache_key,
                              idem_key=_idem_key(pj.cache_key, pj.take, 1),
                              request=request_json, target=pj.output.to_json(),
                              notes=pj.notes, est_cost=pj.est_cost)
            self._emit(row, "planned", message="; ".join(pj.notes))
            return row.id
        assert pj.job_id is not None
        row = journal.get(pj.job_id)
        if pj.action == "retry":
            attempt = row.attempt + 1
            self._set(row, "planned", detail=f"attempt {attempt}", attempt=attempt,
                      idem_key=_idem_key(pj.cache_key, pj.take, attempt), handle=None,
                      error=None, error_kind=None, cost=None, raw_path=None,
                      media_path=None, est_cost=pj.est_cost,
                      target=_json(pj.output.to_json()))
        elif pj.action == "reconform":
            self._set(row, "fetched", detail="conformed media missing; conforming again",
                      media_path=None, target=_json(pj.output.to_json()))
        return row.id

    def _set(self, row: JobRow, state: str, *, detail: str | None = None,
             **fields: Any) -> None:
        self.journal.set_state(row.id, state, detail=detail, **fields)

    def _emit(self, row: JobRow, state: str, *, progress: float | None = None,
              message: str = "", cost: float | None = None,
              queue_position: int | None = None) -> None:
        self._emit_raw(row.slot_id, row.take, state, progress=progress, message=message,
                       cost=cost, job_id=row.id, queue_position=queue_position)

    def _emit_raw(self, slot_id: str, take: int, state: str, *, progress: float | None = None,
                  message: str = "", cost: float | None = None,
                  job_id: int | None = None, queue_position: int | None = None) -> None:
        if self._on_event is None:
            return
        event = JobEvent(slot_id=slot_id, take=take, state=state, progress=progress,
                         message=redact(message) or "", cost=cost, job_id=job_id,
                         provider=self.name, queue_position=queue_position)
        try:
            self._on_event(event)
        except Exception:
            _log.debug("event callback failed", exc_info=True)

    def _cached_result(self, pj: PlannedJob) -> TakeResult:
        row = self.journal.get(pj.job_id) if pj.job_id is not None else None
        media = Path(row.media_path) if row and row.media_path else None
        info = probe(media) if media else None
        self._emit_raw(pj.slot_id, pj.take, "cached", progress=1.0,
                       message=f"reused take {pj.take:02d} (same request)", cost=0.0,
                       job_id=pj.job_id)
        return TakeResult(pj.slot_id, pj.take, "conformed", job_id=pj.job_id, media=media,
                          frames=info.frames if info else None,
                          rate=info.rate if info else None,
                          width=info.width if info else None,
                          height=info.height if info else None, handles=pj.output.handles,
                          cost=0.0, cached=True, notes=pj.notes)

    # -- internals: scheduling -----------------------------------------------------
    def _execute_owned(self, job_ids: Sequence[int]) -> dict[int, TakeResult]:
        """:meth:`_execute` while holding the project's run lock (one process at a time
        submits a project's jobs), unless there is nothing to do."""
        if not job_ids:
            return {}
        with project_lock(self.project.root, wait=self.options.wait_for_project,
                          on_wait=_log.warning,
                          cancelled=self._cancel.is_set):
            return self._execute(job_ids)

    def _execute(self, job_ids: Sequence[int]) -> dict[int, TakeResult]:
        results: dict[int, TakeResult] = {}
        if not job_ids:
            return results
        workers = max(1, int(self.options.concurrency))
        with ThreadPoolExecutor(workers, thread_name_prefix=f"pickup-{self.name}") as jobs, \
                ThreadPoolExecutor(max(1, self.options.conform_workers),
                                   thread_name_prefix="pickup-conform") as conforms:
            pending: dict[Future[TakeResult | None], tuple[str, int]] = {
                jobs.submit(self._provider_stage, job_id): ("provider", job_id)
                for job_id in job_ids}
            while pending:
                done, _ = wait(list(pending), timeout=0.25, return_when=FIRST_COMPLETED)
                for fut in done:
                    stage, job_id = pending.pop(fut)
                    try:
                        result = fut.result()
                    except Exception as exc:
                        _log.debug("job %s crashed", job_id, exc_info=True)
                        result = self._fail(self.journal.get(job_id), "internal",
                                            f"internal error: {_plain(exc)}")
                    if result is None and stage == "provider":
                        conform: Future[TakeResult | None] = conforms.submit(
                            self._conform_stage, job_id)
                        pending[conform] = ("conform", job_id)
                    elif result is not None:
                        results[job_id] = result
        return results

    def _fail(self, row: JobRow, kind: str, message: str) -> TakeResult:
        message = redact(message) or kind
        self._set(row, "failed", detail=message, error=message, error_kind=kind)
        self._emit(row, "failed", message=message)
        return TakeResult(row.slot_id, row.take, "failed", job_id=row.id, error=message,
                          error_kind=kind, notes=row.notes)

    def _cancelled(self, row: JobRow, handle: JobHandle | None) -> TakeResult:
        row = self.journal.get(row.id)
        if handle is not None and row.state in ("submitting", "submitted", "running"):
            try:
                self.provider.cancel(handle)
            except (ProviderError, OSError) as exc:
                _log.warning("%s: could not cancel job of slot %s take %d: %s", self.name,
                             row.slot_id, row.take, _plain(exc))
        if row.state in ("fetched", "succeeded"):
            # The take exists: keep it resumable rather than throw it away.
            self._emit(row, "cancelled", message="stopped; the take is kept for next time")
            return TakeResult(row.slot_id, row.take, "cancelled", job_id=row.id,
                              error="cancelled", error_kind="cancelled")
        self._set(row, "cancelled", detail="cancelled by the user",
                  error="cancelled by the user", error_kind="cancelled")
        self._emit(row, "cancelled", message="cancelled")
        return TakeResult(row.slot_id, row.take, "cancelled", job_id=row.id,
                          error="cancelled by the user", error_kind="cancelled")

    def _provider_stage(self, job_id: int) -> TakeResult | None:
        """Submit, poll and fetch one job; None means 'ready to conform'."""
        row = self.journal.get(job_id)
        handle = JobHandle.from_json(row.handle) if row.handle else None
        try:
            while True:
                if self._cancel.is_set():
                    raise _Cancelled
                if row.state == "fetched":
                    return None
                req = request_from_json(row.request)
                if row.state in ("planned", "submitting"):
                    handle = self._submit(row, req)
                    row = self.journal.get(job_id)
                assert handle is not None
                status = self._wait(row, handle)
                row = self.journal.get(job_id)
                if status.state == State.SUCCEEDED:
                    self._fetch(row, handle, status)
                    return None
                if status.state == State.CANCELLED:
                    raise _Terminal("cancelled", "the provider cancelled the job")
                if status.moderated:
                    raise _Terminal("moderated", _moderated(status.error))
                if status.retryable and row.attempt < self.options.retry.max_job_attempts:
                    attempt = row.attempt + 1
                    why = redact(status.error) or "a transient failure"
                    self._set(row, "failed", detail=f"{why}; trying again", error=why,
                              error_kind="provider")
                    self._emit(row, "retrying", message=f"the job failed ({why}); "
                               f"submitting attempt {attempt}")
                    row = self.journal.get(job_id)
                    self._set(row, "planned", detail=f"attempt {attempt}", attempt=attempt,
                              idem_key=_idem_key(row.cache_key, row.take, attempt),
                              handle=None, error=None, error_kind=None)
                    row = self.journal.get(job_id)
                    handle = None
                    continue
                raise _Terminal(status.error_code or "provider",
                                f"the provider reports the job failed: "
                                f"{status.error or 'no reason given'}")
        except _Cancelled:
            return self._cancelled(row, handle)
        except _Terminal as exc:
            return self._fail(self.journal.get(job_id), exc.kind, exc.message)
        except MediaError as exc:
            return self._fail(self.journal.get(job_id), "media", _plain(exc))
        except ProviderError as exc:
            kind = "moderated" if exc.moderated else "provider"
            msg = _moderated(exc.message) if exc.moderated else _plain(exc)
            return self._fail(self.journal.get(job_id), kind, msg)

    def _sleep(self, seconds: float) -> None:
        if self.options.clock.sleep(seconds, self._cancel):
            raise _Cancelled

    def _retry_wait(self, row: JobRow, exc: BaseException, attempt: int, what: str) -> None:
        """Wait before retry ``attempt`` of ``what``, or raise if it should not retry."""
        retryable = isinstance(exc, (ConnectionError, TimeoutError)) or (
            isinstance(exc, ProviderError) and exc.retryable and not exc.moderated)
        if not retryable or attempt >= self.options.retry.max_retries:
            if isinstance(exc, ProviderError) and exc.moderated:
                raise _Terminal("moderated", _moderated(exc.message))
            kind = "validation" if isinstance(exc, ProviderError) and _is_validation(
                exc.code) else "provider"
            tries = f" after {attempt + 1} tries" if retryable else ""
            raise _Terminal(kind, f"{what} failed{tries}: {_plain(exc)}")
        after = exc.retry_after_s if isinstance(exc, ProviderError) else None
        delay = self.options.retry.delay(attempt, after, self._rng)
        self._emit(row, "retrying", message=f"{what}: {_plain(exc)}; retrying in {delay:.1f} s")
        self._sleep(delay)

    def _find_existing(self, req: ShotRequest, key: str) -> JobHandle | None:
        finder = getattr(self.provider, "find_existing", None)
        if not callable(finder):
            return None
        for attempt in range(self.options.retry.max_retries + 1):
            try:
                found = finder(req, key)
                return found if isinstance(found, JobHandle) else None
            except (ProviderError, ConnectionError, TimeoutError) as exc:
                if attempt >= self.options.retry.max_retries or not (
                        not isinstance(exc, ProviderError) or exc.retryable):
                    raise _Terminal("provider", "cannot tell whether the provider received "
                                    f"the job ({_plain(exc)}); check its dashboard, then "
                                    "run `pickup fill` again") from None
                self._sleep(self.options.retry.delay(attempt, getattr(
                    exc, "retry_after_s", None), self._rng))
        return None

    def _can_ask(self, req: ShotRequest) -> bool:
        """Whether an interrupted create can be settled without paying twice: the
        provider can look the job up, or it costs nothing to make again (local)."""
        if callable(getattr(self.provider, "find_existing", None)):
            return True
        try:
            return bool(self.provider.capabilities(req.model).local)
        except Exception:
            return False

    def _workdir(self, row: JobRow) -> Path:
        return self.project.ensure(f"work/{safe_component(row.slot_id)}_T{row.take:02d}")

    def _submit(self, row: JobRow, req: ShotRequest) -> JobHandle:
        req = replace(req, extra={**dict(req.extra), "idempotency_key": row.idem_key})
        if row.state == "submitting":
            # A previous process died during the create call: ask before creating again.
            found = self._find_existing(req, row.idem_key)
            if found is not None:
                self._set(row, "submitted", detail="found after an interrupted submit",
                          handle=found.to_json())
                self._emit(row, "submitted", message="found the job an earlier run created")
                return found
            if not self._can_ask(req) and not self.options.resubmit_unknown:
                raise _Terminal("unknown_submit", "an earlier run was stopped while "
                                f"creating this job at {self.name}, which cannot be asked "
                                "whether it received it (it may have made and billed it); "
                                "check the provider's dashboard, then pass "
                                "--resubmit-unknown to create it again")
        else:
            self._set(row, "submitting")
        self._emit(row, "submitting", cost=row.est_cost)
        attempt = 0
        while True:
            if self._cancel.is_set():
                raise _Cancelled
            try:
                handle = self.provider.submit(req, self._workdir(row))
                break
            except (ProviderError, ConnectionError, TimeoutError) as exc:
                self._retry_wait(row, exc, attempt, "submitting")
                attempt += 1
                if _ambiguous(exc):
                    found = self._find_existing(req, row.idem_key)
                    if found is not None:
                        handle = found
                        break
        self._set(row, "submitted", handle=handle.to_json(), cost=row.est_cost)
        self._emit(row, "submitted", message=f"job {redact(handle.job_id)}")
        return handle

    def _wait(self, row: JobRow, handle: JobHandle) -> JobStatus:
        running = row.state in ("running", "succeeded")
        errors = 0
        while True:
            if self._cancel.is_set():
                raise _Cancelled
            try:
                status = self.provider.poll(handle)
                errors = 0
            except (ProviderError, ConnectionError, TimeoutError) as exc:
                self._retry_wait(row, exc, errors, "polling")
                errors += 1
                continue
            if status.state == State.SUCCEEDED:
                if row.state != "succeeded":
                    self._set(row, "succeeded", cost=row.est_cost)
                self._emit(row, "succeeded", progress=1.0, cost=row.est_cost)
                return status
            if status.state.terminal:
                return status
            if status.state == State.RUNNING and not running:
                self._set(row, "running")
                running = True
            where = (f"queued (position {status.queue_position})"
                     if status.queue_position is not None else status.state.value)
            self._emit(row, "running" if status.state == State.RUNNING else "submitted",
                       progress=status.progress, message=where,
                       queue_position=status.queue_position)
            delay = status.poll_after_s if status.poll_after_s is not None else (
                self.options.poll_interval_s)
            self._sleep(max(0.0, delay))

    def _fetch(self, row: JobRow, handle: JobHandle, status: JobStatus) -> None:
        dest = self.project.ensure(
            f"downloads/{safe_component(row.slot_id)}_T{row.take:02d}_a{row.attempt}")
        attempt = 0
        while True:
            if self._cancel.is_set():
                raise _Cancelled
            try:
                paths = self.provider.fetch(handle, status, dest)
                break
            except ProviderError as exc:
                if exc.code == "expired" and attempt < self.options.retry.max_retries:
                    # Output links expire (Runway, Veo, Replicate): polling again gives a
                    # fresh one, at no cost.
                    self._emit(row, "retrying", message="download link expired; asking the "
                               "provider for a fresh one")
                    status = self.provider.poll(handle)
                    attempt += 1
                    continue
                self._retry_wait(row, exc, attempt, "downloading")
                attempt += 1
            except (ConnectionError, TimeoutError) as exc:
                self._retry_wait(row, exc, attempt, "downloading")
                attempt += 1
        problems: list[str] = []
        for path in paths:
            try:
                info = probe(path)
            except MediaError as exc:
                problems.append(_plain(exc))
                continue
            self._set(row, "fetched", detail=f"{info.frames} frames {info.width}x{info.height}",
                      raw_path=str(info.path))
            self._emit(row, "fetched", progress=1.0)
            return
        raise _Terminal("media", "the provider returned no readable video"
                        + (f" ({problems[0]})" if problems else "")
                        + "; run `pickup fill` again to retry the take")

    def _conform_stage(self, job_id: int) -> TakeResult:
        row = self.journal.get(job_id)
        if self._cancel.is_set():
            return self._cancelled(row, None)
        out = OutputSpec.from_json(row.target)
        dest = self.project.ensure("media") / (
            f"{safe_component(row.slot_id)}_T{row.take:02d}{media_suffix(out.profile)}")
        assert row.raw_path is not None
        try:
            info = self.conformer(Path(row.raw_path), out, dest, row.slot_id, self._cancel)
        except PickupError as exc:
            if self._cancel.is_set():
                return self._cancelled(row, None)
            return self._fail(row, "media", f"conform failed: {_plain(exc)}")
        expected = out.frames + 2 * out.handles
        if info.frames != expected:
            return self._fail(row, "media", f"conform made {info.frames} frames, the slot "
                              f"needs {expected}; report this as a bug")
        self._set(row, "conformed", media_path=str(dest))
        cost = float(row.cost if row.cost is not None else row.est_cost)
        self._emit(row, "conformed", progress=1.0, cost=cost, message=dest.name)
        return TakeResult(row.slot_id, row.take, "conformed", job_id=row.id, media=dest,
                          frames=info.frames, rate=out.rate, width=info.width,
                          height=info.height, handles=out.handles, cost=cost,
                          notes=row.notes)


def _json(data: Any) -> str:
    import json

    return json.dumps(data, sort_keys=True)


def _ambiguous(exc: BaseException) -> bool:
    """True when a failed create may still have created the job (not a 429)."""
    if isinstance(exc, ProviderError):
        return str(exc.code or "").lower() not in _RATE_LIMIT_CODES
    return True


def _moderated(reason: str | None) -> str:
    text = "the provider refused the prompt on content-policy grounds"
    if reason:
        text += f" ({redact(reason)})"
    return text + "; reword the prompt and run `pickup fill` again (not retried)"


def _is_validation(code: str | None) -> bool:
    """A request the provider refused as invalid (HTTP 400/422 or its own code): final."""
    return bool(code) and (code in ("validation", "invalid", "400", "422")
                           or code in ("http_400", "http_422"))
