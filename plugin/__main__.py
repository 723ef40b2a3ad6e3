"""``python -m pickup`` runs the command line."""

from __future__ import annotations

import sys

from pickup.cli import main

sys.exit(main())
