"""The generation engine: plan, submit, poll, fetch, conform; journal, cache, budget.

``Engine(project, provider, EngineOptions(...)).run(shots, on_event=..., cancel=...)``
is the one entry point; the CLI (``pickup fill``, ``pickup jobs``) and the panel
both drive it.  Qt-free.
"""

from __future__ import annotations

from pickup.engine.budget import DEFAULT_PRICES, Budget, estimate_cost, price_per_second
from pickup.engine.events import EventCallback, JobEvent
from pickup.engine.journal import JobRow, Journal
from pickup.engine.plan import FittedRequest, OutputSpec, Shot, aspect_label, fit_request
from pickup.engine.redact import redact
from pickup.engine.retry import Clock, RetryPolicy, SystemClock
from pickup.engine.scheduler import (
    Engine,
    EngineOptions,
    Plan,
    PlannedJob,
    TakeResult,
    media_suffix,
    request_from_json,
)
from pickup.engine.states import JobState

__all__ = [
    "DEFAULT_PRICES",
    "Budget",
    "Clock",
    "Engine",
    "EngineOptions",
    "EventCallback",
    "FittedRequest",
    "JobEvent",
    "JobRow",
    "JobState",
    "Journal",
    "OutputSpec",
    "Plan",
    "PlannedJob",
    "RetryPolicy",
    "Shot",
    "SystemClock",
    "TakeResult",
    "aspect_label",
    "estimate_cost",
    "fit_request",
    "media_suffix",
    "price_per_second",
    "redact",
    "request_from_json",
]
