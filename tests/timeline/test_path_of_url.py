"""The one reading of a media URL as a local file (timeline refs, relink, repath, the
project's media folder, the Resolve hand-off all go through it)."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.timeline.refs import media_path_of, path_of_url


@pytest.mark.parametrize(("url", "path"), [
    ("file:///media/a%20b.mov", Path("/media/a b.mov")),
    ("file://localhost/media/x.mov", Path("/media/x.mov")),
    ("file://server/share/x.mov", Path("//server/share/x.mov")),
    ("file:///C:/Media/x.mov", Path("C:/Media/x.mov")),
    ("file:/media/x.mov", Path("/media/x.mov")),
    ("/media/x.mov", Path("/media/x.mov")),
    ("media/x.mov", Path("media/x.mov")),
    ("https://example.com/x.mov", None),
    ("", None),
    (None, None),
])
def test_path_of_url(url: str | None, path: Path | None) -> None:
    assert path_of_url(url) == path


def test_media_path_of_reads_the_reference() -> None:
    ref = otio.schema.ExternalReference(target_url="file:///media/take%2001.mov")
    assert media_path_of(ref) == Path("/media/take 01.mov")
    assert media_path_of(otio.schema.MissingReference()) is None
