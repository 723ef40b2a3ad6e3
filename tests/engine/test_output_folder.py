"""`fill -o` into a folder that does not exist yet makes it (as `make demo` does with
examples/project/out), and a fill refused before spending leaves no folder behind."""

from __future__ import annotations

from pathlib import Path

from tests.engine.engine_helpers import run_cli, submits


def test_fill_makes_the_output_folder(cut: Path, fake_env: dict[str, str]) -> None:
    out = cut.parent / "out" / "reel1" / "cut.filled.otio"
    done = run_cli("fill", str(cut), "--provider", "fake", "--size", "64x36", "-o", str(out),
                   env=fake_env)
    assert done.returncode == 0, done.stderr
    assert out.is_file()


def test_a_refused_fill_leaves_no_new_folder(cut: Path, fake_env: dict[str, str]) -> None:
    out = cut.parent / "new" / "cut.filled.xyz"  # no writer for .xyz
    refused = run_cli("fill", str(cut), "--provider", "fake", "--size", "64x36", "-o",
                      str(out), env=fake_env)
    assert refused.returncode == 2, refused.stderr
    assert not (cut.parent / "new").exists()
    assert submits(fake_env) == []


def test_a_file_in_the_way_is_bad_input(cut: Path, fake_env: dict[str, str]) -> None:
    (cut.parent / "blocker").write_text("not a folder")
    refused = run_cli("fill", str(cut), "--provider", "fake", "--size", "64x36", "-o",
                      str(cut.parent / "blocker" / "cut.otio"), env=fake_env)
    assert refused.returncode == 2, refused.stderr
    assert "in the way" in refused.stderr and "Traceback" not in refused.stderr
    assert submits(fake_env) == []
