"""The Workspace > Scripts launcher: where it goes per OS, install/uninstall, what it runs."""

from __future__ import annotations

import stat
import subprocess
import sys
import time

import pytest

from pickup.cli import main
from pickup.errors import InputError
from pickup.hosts.resolve.install import launcher_text, scripts_dir


@pytest.mark.parametrize(("platform", "scope", "env", "expected"), [
    ("darwin", "user", {"HOME": "/Users/ed"}, "/Users/ed/Library/Application Support/"
     "Blackmagic Design/DaVinci Resolve/Fusion/Scripts/Utility"),
    ("darwin", "system", {"HOME": "/Users/ed"}, "/Library/Application Support/"
     "Blackmagic Design/DaVinci Resolve/Fusion/Scripts/Utility"),
    ("win32", "user", {"APPDATA": "C:/Users/ed/AppData/Roaming"}, "C:/Users/ed/AppData/"
     "Roaming/Blackmagic Design/DaVinci Resolve/Support/Fusion/Scripts/Utility"),
    ("win32", "system", {"PROGRAMDATA": "C:/ProgramData"}, "C:/ProgramData/Blackmagic Design/"
     "DaVinci Resolve/Fusion/Scripts/Utility"),
    ("linux", "user", {"HOME": "/home/ed"},
     "/home/ed/.local/share/DaVinciResolve/Fusion/Scripts/Utility"),
])
def test_scripts_dir_per_os(platform, scope, env, expected):
    assert scripts_dir(scope, platform, env).as_posix() == expected


def test_scripts_dir_override_and_bad_scope(tmp_path):
    assert scripts_dir("user", "linux", {"PICKUP_RESOLVE_SCRIPTS_DIR": str(tmp_path)}) == (
        tmp_path)
    with pytest.raises(InputError):
        scripts_dir("everyone", "linux", {"HOME": "/x"})


@pytest.mark.skipif(sys.platform != "linux", reason="the default user folder is Linux's here")
def test_install_and_uninstall_in_temp_home(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("PICKUP_RESOLVE_SCRIPTS_DIR", raising=False)
    target = tmp_path / ".local/share/DaVinciResolve/Fusion/Scripts/Utility/Pickup.py"
    assert main(["resolve", "install", "--user"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(target) and "installed" in err
    text = target.read_text()
    compile(text, str(target), "exec")
    assert repr(sys.executable) in text and "pickup.hosts.resolve" in text
    assert main(["resolve", "install"]) == 0
    assert "updated" in capsys.readouterr().err
    assert main(["resolve", "uninstall", "--user"]) == 0
    assert not target.exists()
    assert main(["resolve", "uninstall"]) == 0
    assert "was not installed" in capsys.readouterr().err


def test_uninstall_leaves_a_foreign_file(tmp_path, capsys):
    (tmp_path / "Pickup.py").write_text("print('someone else')\n")
    assert main(["resolve", "uninstall", "--dest", str(tmp_path)]) == 2
    assert (tmp_path / "Pickup.py").exists()


def test_module_entry_point_installs(tmp_path):
    run = subprocess.run([sys.executable, "-m", "pickup.hosts.resolve", "install", "--dest",
                          str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(tmp_path / "Pickup.py")


def test_launcher_exports_and_starts_pickup(fake, tmp_path):
    """Run the launcher as Resolve would (``resolve`` is a global) with a stub Python."""
    record = tmp_path / "argv.txt"
    stub = tmp_path / "python-stub"
    stub.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    text = launcher_text(python=str(stub), handoff=tmp_path / "handoff")
    exec(compile(text, "Pickup.py", "exec"), {"__name__": "__main__",
                                               "resolve": fake._APP[0]})
    exported = tmp_path / "handoff" / "Feature" / "Cut_1.otio"
    assert exported.is_file()
    deadline = time.monotonic() + 10
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert record.read_text().split() == ["-m", "pickup.hosts.resolve", "open", "--file",
                                          str(exported)]


def test_open_file_no_panel(tmp_path, capsys):
    path = tmp_path / "cut.otio"
    path.write_text("{}")
    assert main(["resolve", "open", "--file", str(path), "--no-panel"]) == 0
    assert capsys.readouterr().out.strip() == str(path)
    assert main(["resolve", "open", "--file", str(tmp_path / "nope.otio")]) == 2
