"""Two takes of a slot start at once and both open a journal that does not exist yet:
both must get it.  (The panel lost a take to "cannot open the job journal: database is
locked" when the first connection was switching the new file to WAL as the second came.)"""

from __future__ import annotations

import threading
from pathlib import Path

from pickup.engine.journal import Journal


def test_many_first_opens_at_once_all_succeed(tmp_path: Path) -> None:
    failures: list[BaseException] = []
    for round_ in range(25):
        path = tmp_path / f"p{round_}" / "journal.sqlite"
        start = threading.Barrier(8)
        opened: list[Journal] = []

        def open_it(path: Path, start: threading.Barrier, opened: list[Journal]) -> None:
            start.wait()
            try:
                opened.append(Journal(path))
            except BaseException as exc:  # collected, asserted below
                failures.append(exc)

        threads = [threading.Thread(target=open_it, args=(path, start, opened))
                   for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for journal in opened:
            journal.close()
    assert failures == []
