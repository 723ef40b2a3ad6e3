"""A write whose bytes do not all reach the disk fails (exit 1) and leaves the old file
byte for byte; symbolic links are written through; backups are never overwritten; temp
files a killed run left are recognised and removed.

Faults are real: a file-size limit (RLIMIT_FSIZE, as `ulimit -f` sets it) in a child
process, and a small tmpfs where the test may mount one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.atomic import atomic_path, atomic_write_bytes, backups, sweep_stale_temps
from pickup.errors import WriteError
from pickup.timeline.otiofile import write_otio

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import make_example
    finally:
        sys.path.pop(0)
    return make_example.build(tmp_path / "project")


def _under_fsize_limit(limit: int, code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a child Python whose files may not grow past ``limit`` bytes."""
    prelude = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
    """)
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_place_in_place_under_a_file_size_limit_keeps_the_input(demo: Path) -> None:
    before = demo.read_bytes()
    assert len(before) > 4096  # the limit below must cut the new file short
    media = demo.parent / "media" / "ready_made_insert.mp4"
    run = _under_fsize_limit(4096, f"""
        from pickup.cli import main
        sys.exit(main(["place", {str(demo)!r}, "V1-01000200", {str(media)!r}, "--in-place"]))
    """, demo.parent)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "cannot write" in run.stderr
    assert demo.read_bytes() == before
    assert not [p for p in demo.parent.iterdir() if ".pickup-" in p.name]


def test_place_to_new_file_under_a_file_size_limit_writes_nothing(demo: Path) -> None:
    media = demo.parent / "media" / "ready_made_insert.mp4"
    out = demo.with_name("out.otio")
    run = _under_fsize_limit(2048, f"""
        from pickup.cli import main
        sys.exit(main(["place", {str(demo)!r}, "V1-01000200", {str(media)!r}, "-o", {str(out)!r}]))
    """, demo.parent)
    assert run.returncode == 1, run.stderr
    assert not out.exists()


def test_take_store_survives_a_failed_save(tmp_path: Path) -> None:
    """`approve` used to truncate takes.otio: the store write is now checked."""
    store = tmp_path / "takes.otio"
    big = otio.schema.Timeline(name="x" * 10_000)
    write_otio(big, store)
    before = store.read_bytes()
    run = _under_fsize_limit(4096, f"""
        import opentimelineio as otio
        from pickup.atomic import atomic_path
        from pickup.errors import WriteError
        from pickup.timeline.otiofile import write_otio
        try:
            with atomic_path({str(store)!r}, backup=True) as tmp:
                write_otio(otio.schema.Timeline(name="y" * 10_000), tmp)
        except WriteError as exc:
            print(exc)
            sys.exit(1)
    """, tmp_path)
    assert run.returncode == 1
    assert "cannot write" in run.stdout
    assert store.read_bytes() == before


def test_a_writer_that_swallows_errors_is_caught(tmp_path: Path) -> None:
    """A writer that leaves an empty file (as OTIO's C++ JSON writer does on a full
    disk) never replaces the old file."""
    dest = tmp_path / "cut.otio"
    dest.write_bytes(b"old")
    with pytest.raises(WriteError, match="nothing reached the disk"), \
            atomic_path(dest) as tmp:
        tmp.write_bytes(b"")
    assert dest.read_bytes() == b"old"
    with pytest.raises(WriteError, match="only 2 of 5 bytes"), \
            atomic_path(dest, expect_size=5) as tmp:
        tmp.write_bytes(b"ab")
    assert dest.read_bytes() == b"old"


@pytest.fixture()
def small_tmpfs(tmp_path: Path):
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_full_disk_keeps_the_old_file(small_tmpfs: Path) -> None:
    dest = small_tmpfs / "cut.otio"
    atomic_write_bytes(dest, b"x" * 20_000)
    before = dest.read_bytes()
    with pytest.raises(WriteError, match="disk is full"):
        atomic_write_bytes(dest, b"y" * 60_000)
    assert dest.read_bytes() == before
    with pytest.raises(WriteError), atomic_path(dest) as tmp:
        write_otio(otio.schema.Timeline(name="z" * 60_000), tmp)
    assert dest.read_bytes() == before
    assert sorted(p.name for p in small_tmpfs.iterdir()) == ["cut.otio"]


def test_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "edits" / "cut.otio"
    real.parent.mkdir()
    real.write_bytes(b"v1")
    link = tmp_path / "cut.otio"
    link.symlink_to(real)
    atomic_write_bytes(link, b"v2", backup=True)
    assert link.is_symlink()
    assert real.read_bytes() == b"v2"
    assert (real.parent / "cut.otio.bak").read_bytes() == b"v1"
    assert not (tmp_path / "cut.otio.bak").exists()


def test_backups_rotate_and_keep_five(tmp_path: Path) -> None:
    dest = tmp_path / "cut.xml"
    for n in range(8):
        atomic_write_bytes(dest, f"v{n}".encode(), backup=True)
    kept = backups(dest)
    assert [p.read_bytes() for p in kept] == [b"v6", b"v5", b"v4", b"v3", b"v2"]
    assert [p.name for p in kept] == ["cut.xml.bak", "cut.xml.bak.1", "cut.xml.bak.2",
                                      "cut.xml.bak.3", "cut.xml.bak.4"]


def test_stale_temps_of_dead_processes_are_swept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".take.mov.pickup-{dead_pid}-abc123.mov"
    stale.write_bytes(b"partial")
    live = tmp_path / f".take.mov.pickup-{os.getpid()}-def456.mov"
    live.write_bytes(b"in progress")
    editors = tmp_path / ".cut.xml.swp"
    editors.write_bytes(b"not ours")
    removed = sweep_stale_temps([tmp_path])
    assert removed == [stale]
    assert live.exists() and editors.exists()


def test_the_next_run_sweeps_what_a_killed_run_left(demo: Path) -> None:
    from pickup.cli import main

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    beside = demo.parent / f".farmhouse.pickup.otio.pickup-{pid}-x1y2z3.otio"
    beside.write_bytes(b"{")
    media = demo.with_name("farmhouse.pickup") / "media"
    media.mkdir(parents=True)
    partial = media / f".previz_V1.mov.pickup-{pid}-a1b2c3.mov"
    partial.write_bytes(b"\0" * 1000)
    assert main(["scan", str(demo)]) == 0
    assert not beside.exists() and not partial.exists()
