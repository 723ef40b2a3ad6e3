"""The take tests' tiny cuts, CLI runner and quiet config serve the workflow tests too."""

from tests.takes.conftest import (  # noqa: F401 - fixtures
    _quiet_config,
    aaf_cut,
    edl_cut,
    otio_cut,
    xml_cut,
)
