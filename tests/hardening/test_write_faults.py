"""Write faults beyond tests/faults: the take store through `approve`, media through
`conform`, adapters' own writes, and `.otioz` output (which always failed)."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.atomic import atomic_path, atomic_write_bytes
from pickup.errors import WriteError
from tests.hardening.helpers import file_size_limit, make_demo, one_line_error, run_cli

SLOT = "V1-01000200"


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    return make_demo(tmp_path / "project")


def _media(demo: Path) -> Path:
    return demo.parent / "media" / "ready_made_insert.mp4"




def test_approve_under_file_size_limit_keeps_take_store(otio_cut: Path) -> None:
    filled = run_cli(["fill", otio_cut, "--size", "64x36", "--profile", "prores_hq"])
    assert filled.returncode == 0, filled.stderr
    written = Path(filled.stdout.strip().splitlines()[-1])
    store = otio_cut.with_name("cut.pickup") / "takes.otio"
    before = store.read_bytes()
    result = run_cli(["approve", written, "V1-01000012", "T01"], fsize=len(before) // 2)
    assert result.returncode == 1, result.stderr
    assert "nothing was changed" not in result.stdout
    assert store.read_bytes() == before
    otio.adapters.read_from_file(str(store))  # still readable


def test_otio_writer_short_write_is_an_error(tmp_path: Path) -> None:
    # OTIO's own file writer returns success on a truncated file; ours must not.
    from pickup.timeline.otiofile import write_otio

    timeline = otio.schema.Timeline(name="x" * 20000)
    dest = tmp_path / "t.otio"
    dest.write_text("old")
    with pytest.raises(WriteError), file_size_limit(4096), atomic_path(dest) as tmp:
        write_otio(timeline, tmp)
    assert dest.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.otio"]


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if ".pickup-" in p.name and p.name.startswith(".")]


def test_atomic_write_bytes_efbig_keeps_old(tmp_path: Path) -> None:
    dest = tmp_path / "state.json"
    dest.write_bytes(b"old state")
    with pytest.raises(WriteError, match="size limit"), file_size_limit(1000):
        atomic_write_bytes(dest, b"x" * 5000, backup=True)
    assert dest.read_bytes() == b"old state"
    assert not (tmp_path / "state.json.bak").exists()


def test_expect_size_catches_a_writer_that_lost_bytes(tmp_path: Path) -> None:
    dest = tmp_path / "a.bin"
    dest.write_bytes(b"keep")
    with pytest.raises(WriteError, match="5 of 10 bytes"), atomic_path(dest, expect_size=10) as tmp:
        tmp.write_bytes(b"12345")  # a writer that "succeeded" with half the bytes
    assert dest.read_bytes() == b"keep"


def test_write_into_a_folder_name_is_a_write_error(tmp_path: Path) -> None:
    (tmp_path / "out.otio").mkdir()
    with pytest.raises(WriteError, match="folder"):
        atomic_write_bytes(tmp_path / "out.otio", b"x")


def test_enospc_message() -> None:
    from pickup.atomic import _explain

    assert "disk is full" in str(_explain(OSError(errno.ENOSPC, "x"), Path("a")))


def test_conform_media_under_file_size_limit_exits_1(tmp_path: Path,
                                                      make_video: Callable[..., Path]) -> None:
    src = make_video(48, size=(320, 180))
    out = tmp_path / "c.mov"
    out.write_bytes(b"old take")
    result = run_cli(["conform", src, "-o", out, "--frames", "48", "--rate", "24", "--size",
                      "320x180", "--profile", "prores_hq"], fsize=20000)
    assert result.returncode == 1 and one_line_error(result.stderr), result.stderr
    assert out.read_bytes() == b"old take"
    assert not _temps(tmp_path)


def test_otioz_output_is_written(demo: Path) -> None:
    out = demo.with_name("cut.pickup.otioz")
    result = run_cli(["place", demo, SLOT, _media(demo), "-o", out])
    assert result.returncode == 0, result.stderr
    import zipfile

    with zipfile.ZipFile(out) as bundle:
        names = bundle.namelist()
    assert "content.otio" in names and "media/ready_made_insert.mp4" in names
    timeline = otio.adapters.read_from_file(str(out))
    placed = [c for c in timeline.find_clips()
              if getattr(c.media_reference, "target_url", "").endswith("ready_made_insert.mp4")]
    assert placed, "the placed clip keeps its media inside the bundle"
