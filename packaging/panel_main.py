"""Entry script for the PyInstaller build: run the Pickup panel (``pickup-panel``)."""

from __future__ import annotations

import sys

from pickup.ui.app import main

sys.exit(main())
