"""What would fail after paying is found before any provider call (engine/preflight.py)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.hardening.helpers import one_line_error, run_cli

SMALL = ("--size", "64x36", "--profile", "prores_hq")


def _nothing_generated(project: Path) -> bool:
    return not any(project.rglob("*.mov")) and not any(project.rglob("*.mxf"))


def test_fcp7_with_a_dtd_entity_is_refused_before_generating(xml_cut: Path) -> None:
    text = xml_cut.read_text()
    text = re.sub(r"<!DOCTYPE xmeml>\s*", "", text)
    text = text.replace("<xmeml", '<!DOCTYPE xmeml [<!ENTITY who "Editor">]>\n<xmeml', 1)
    text = text.replace("<name>roundtrip</name>", "<name>roundtrip &who;</name>", 1)
    xml_cut.write_text(text)
    result = run_cli(["fill", xml_cut, "--all-gaps", *SMALL])
    assert result.returncode == 2 and one_line_error(result.stderr), result.stderr
    assert "nothing was spent" in result.stderr or "before generating" in result.stderr
    assert _nothing_generated(xml_cut.with_name("cut.pickup"))


def test_dnxhr_at_a_size_it_cannot_encode_is_refused_before_generating(edl_cut: Path) -> None:
    result = run_cli(["fill", edl_cut, "--all-gaps", "--size", "160x90"])
    assert result.returncode == 2 and one_line_error(result.stderr), result.stderr
    assert "dnxhr_hq cannot encode 160x90" in result.stderr
    assert "avcodec_open2" not in result.stderr
    assert _nothing_generated(edl_cut.with_name("cut.pickup"))


def test_output_naming_a_folder_is_refused_before_generating(otio_cut: Path) -> None:
    folder = otio_cut.with_name("out.otio")
    folder.mkdir()
    result = run_cli(["fill", otio_cut, "-o", folder, *SMALL])
    assert result.returncode == 2 and "the output is a folder" in result.stderr
    assert _nothing_generated(otio_cut.with_name("cut.pickup"))


def test_read_only_output_folder_is_refused_before_generating(otio_cut: Path,
                                                             tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)],
                      capture_output=True).returncode:
        pytest.skip("cannot mount a read-only tmpfs here (needs root)")
    try:
        result = run_cli(["fill", otio_cut, "-o", ro / "out.otio", *SMALL])
        assert result.returncode == 2 and re.search("read-only", result.stderr), result.stderr
        assert _nothing_generated(otio_cut.with_name("cut.pickup"))
    finally:
        subprocess.run(["umount", str(ro)], capture_output=True)
