"""``packaging/make_resolve_bundle.py`` writes a zip with the launcher and instructions."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from tests.packaging.conftest import ROOT  # type: ignore[import-not-found]


def test_bundle_contents(tmp_path, built):
    run = subprocess.run([sys.executable, str(ROOT / "packaging" / "make_resolve_bundle.py"),
                          "--out", str(tmp_path), "--wheel", str(built.wheel)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    version = built.wheel.name.split("-")[1]
    dest = tmp_path / f"pickup-resolve-{version}.zip"
    assert run.stdout.strip() == str(dest)
    top = f"pickup-resolve-{version}/"
    with zipfile.ZipFile(dest) as archive:
        names = set(archive.namelist())
        assert names == {top + n for n in ("INSTALL.md", "install.sh", "install.ps1",
                                           "Pickup.py.in", f"wheels/{built.wheel.name}")}
        install = archive.read(top + "INSTALL.md").decode()
        assert "Workspace > Scripts > Pickup" in install and "External scripting" in install
        template = archive.read(top + "Pickup.py.in").decode()
        mode = archive.getinfo(top + "install.sh").external_attr >> 16
        assert archive.read(top + f"wheels/{built.wheel.name}") == built.wheel.read_bytes()
    text = template.replace("@PYTHON@", "'/x/python'").replace("@HANDOFF@", "'/x'")
    compile(text, "Pickup.py", "exec")
    assert mode & 0o111


def test_bundle_rejects_a_missing_wheel(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "packaging" / "make_resolve_bundle.py"),
                          "--out", str(tmp_path), "--wheel", str(tmp_path / "nope.whl")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "no such wheel" in run.stderr
    assert list(tmp_path.iterdir()) == []
