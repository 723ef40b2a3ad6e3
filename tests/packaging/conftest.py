"""Build the sdist and wheel once per session from a clean copy of the source, and
install the wheel into a fresh venv whose dependencies come from the project venv."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("plugin", "ui", "otio_adapters")
TOP_FILES = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "NOTICE", "MANIFEST.in")


@dataclass(frozen=True)
class Built:
    src: Path
    sdist: Path
    wheel: Path
    venv: Path

    def bin(self, name: str) -> Path:
        folder = "Scripts" if sys.platform.startswith("win") else "bin"
        return self.venv / folder / name


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in ("__pycache__", ".pytest_cache") or n.endswith(".pyc")}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in SOURCES:
        shutil.copytree(ROOT / name, src / name, ignore=_ignore)
    for name in TOP_FILES:
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, src / name)
    dist = work / "dist"
    # `python -m build` makes the sdist, then the wheel *from the sdist*: a file missing
    # from the sdist is then missing from the wheel too, and the tests see it.
    run = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir",
                          str(dist), str(src)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (sdist,) = dist.glob("pickup_shots-*.tar.gz")
    (wheel,) = dist.glob("pickup_shots-*.whl")
    target = work / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    site = subprocess.run([str(_python(target)), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # Dependencies (OTIO, PyAV, PySide6 ...) come from the project venv; a plain path
    # line, so the project's editable-install hook (a .pth there) is not run.
    Path(site, "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run = subprocess.run([sys.executable, "-m", "pip", "--python", str(_python(target)),
                          "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return Built(src=src, sdist=sdist, wheel=wheel, venv=target)


def _python(target: Path) -> Path:
    folder = "Scripts" if sys.platform.startswith("win") else "bin"
    return target / folder / ("python.exe" if sys.platform.startswith("win") else "python")
