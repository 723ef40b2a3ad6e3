#!/bin/sh
# Install Pickup into ~/.pickup/venv and put the launcher into Resolve's Scripts folder.
# Usage: ./install.sh [--system]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SCOPE=${1:---user}
PY=${PYTHON:-python3}
VENV="$HOME/.pickup/venv"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
    echo "Pickup needs Python 3.10 or later ($PY is older)" >&2; exit 2; }
"$PY" -m venv "$VENV"
WHEEL=$(ls "$HERE"/wheels/pickup_shots-*.whl 2>/dev/null | tail -n 1 || true)
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "${WHEEL:-pickup-shots}"
"$VENV/bin/python" -m pickup.hosts.resolve install "$SCOPE"
echo "Restart DaVinci Resolve, then choose Workspace > Scripts > Pickup."
