"""Test only: ``pickup`` with a crash injected, for the crash-and-resume tests.

``python -m tests.engine.crashing ARGS...`` runs ``pickup ARGS`` with
``PICKUP_TEST_CRASH_AT=state:n`` read here, not by the product: the process SIGKILLs
itself right after the n-th journal transition to ``state`` (``planned`` counts jobs
added to the journal) or after the n-th provider create returned
(``submit-returned``, before the journal records the handle).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any


def install(spec: str) -> None:
    """Wrap the journal and the provider registry so the crash point kills us."""
    from pickup.engine.journal import Journal
    from pickup.providers import registry

    point, _, count = spec.partition(":")
    point, wanted = point.strip(), int(count or 1)
    seen: dict[str, int] = {}
    lock = threading.Lock()

    def hit(name: str) -> None:
        if name != point:
            return
        with lock:
            seen[name] = seen.get(name, 0) + 1
            if seen[name] == wanted:
                os.kill(os.getpid(), signal.SIGKILL)

    real_set, real_add = Journal.set_state, Journal.add

    def set_state(self: Journal, job_id: int, state: str, **kwargs: Any) -> None:
        real_set(self, job_id, state, **kwargs)
        hit(state)

    def add(self: Journal, **kwargs: Any) -> Any:
        row = real_add(self, **kwargs)
        hit("planned")
        return row

    real_get = registry.get_provider

    def get_provider(name: str, **options: Any) -> Any:
        provider = real_get(name, **options)
        submit = provider.submit

        def submitted(*args: Any, **kwargs: Any) -> Any:
            handle = submit(*args, **kwargs)
            hit("submit-returned")
            return handle

        provider.submit = submitted  # type: ignore[method-assign]
        return provider

    Journal.set_state = set_state  # type: ignore[method-assign]
    Journal.add = add  # type: ignore[method-assign]
    registry.get_provider = get_provider  # type: ignore[assignment]


def main(argv: list[str]) -> int:
    spec = os.environ.get("PICKUP_TEST_CRASH_AT")
    if spec:
        install(spec)
    from pickup.cli import main as pickup_main

    return int(pickup_main(argv) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
