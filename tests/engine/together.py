"""Run one call in several threads released at the same instant."""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["all_at_once"]


def all_at_once(n: int, call: Callable[[], object]) -> list[BaseException]:
    """``call()`` in ``n`` threads that start together; what they raised."""
    start = threading.Barrier(n)
    failures: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            call()
        except BaseException as exc:  # collected for the caller to assert on
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures
