"""Two takes of a slot start at once and both open a journal that does not exist yet:
both must get it.  (The panel lost a take to "cannot open the job journal: database is
locked" when the first connection was switching the new file to WAL as the second came.)"""

from __future__ import annotations

from pathlib import Path

from pickup.engine.journal import Journal
from tests.engine.together import all_at_once


def test_many_first_opens_at_once_all_succeed(tmp_path: Path) -> None:
    for round_ in range(25):
        path = tmp_path / f"p{round_}" / "journal.sqlite"
        opened: list[Journal] = []

        def open_it(path: Path = path, opened: list[Journal] = opened) -> None:
            opened.append(Journal(path))

        assert all_at_once(8, open_it) == []
        for journal in opened:
            journal.close()
