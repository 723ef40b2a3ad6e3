"""Write ``dist/pickup-resolve-<version>.zip``: the Resolve launcher, installers, instructions.

Usage: python packaging/make_resolve_bundle.py [--out DIR] [--wheel WHEEL ...]

The zip holds one folder ``pickup-resolve-<version>/`` with ``INSTALL.md``,
``install.sh``, ``install.ps1``, the launcher template ``Pickup.py.in`` (the
installer renders it with the path of Pickup's Python) and ``wheels/`` with the
given wheels (by default the newest ``dist/pickup_shots-<version>-*.whl``, if any).
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
__all__ = ["bundle", "main", "version"]


def version(root: Path = ROOT) -> str:
    """The version in ``plugin/__init__.py`` (read, not imported)."""
    text = (root / "plugin" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("make_resolve_bundle: no __version__ in plugin/__init__.py")
    return match.group(1)


def bundle(out_dir: Path, wheels: list[Path] | None = None, root: Path = ROOT) -> Path:
    """Write the zip into ``out_dir``; returns its path."""
    ver = version(root)
    top = f"pickup-resolve-{ver}"
    if wheels is None:
        wheels = sorted((root / "dist").glob(f"pickup_shots-{ver}-*.whl"))[-1:]
    files = {
        "INSTALL.md": root / "packaging" / "resolve" / "INSTALL.md",
        "install.sh": root / "packaging" / "resolve" / "install.sh",
        "install.ps1": root / "packaging" / "resolve" / "install.ps1",
        "Pickup.py.in": root / "plugin" / "hosts" / "resolve" / "Pickup.py.in",
    }
    files.update({f"wheels/{w.name}": w for w in wheels})
    out_dir.mkdir(parents=True, exist_ok=True)
    dest = out_dir / f"{top}.zip"
    tmp = dest.with_name(dest.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, src in files.items():
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name.endswith(".sh") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, src.read_bytes())
    tmp.replace(dest)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (dist)")
    parser.add_argument("--wheel", type=Path, action="append", default=None,
                        help="wheel to ship (repeatable; default: the newest in dist/)")
    args = parser.parse_args(argv)
    for wheel in args.wheel or []:
        if not wheel.is_file():
            print(f"make_resolve_bundle: no such wheel: {wheel}", file=sys.stderr)
            return 2
    print(bundle(args.out, args.wheel))
    return 0


if __name__ == "__main__":
    sys.exit(main())
