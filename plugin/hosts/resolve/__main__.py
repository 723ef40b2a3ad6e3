"""``python -m pickup.hosts.resolve install|uninstall|open|send|fill``: ``pickup resolve ...``."""

from __future__ import annotations

import sys

from pickup.cli import main

sys.exit(main(["resolve", *sys.argv[1:]]))
