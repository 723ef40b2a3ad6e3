"""Fixtures for the adapter tests: the test scripts and a helper that parses Fountain text."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from pickup.otio_adapters._fountain_parser import parse_fountain
from pickup.otio_adapters._script import Script

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture()
def parse() -> Callable[[str], Script]:
    """``parse(text)``: the Script of dedented Fountain ``text``."""

    def run(text: str) -> Script:
        return parse_fountain(textwrap.dedent(text).lstrip("\n"), source="test.fountain")

    return run
