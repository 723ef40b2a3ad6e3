"""The hardening tests reuse the take tests' tiny cuts and quiet config."""

from tests.takes.conftest import _quiet_config, edl_cut, otio_cut, xml_cut  # noqa: F401
