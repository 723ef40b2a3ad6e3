"""Providers use the Config the face already read (passed down by the workflow and the
engine); they read the config file themselves only when built on their own."""

from __future__ import annotations

from pathlib import Path

import pytest

import pickup.config
from pickup.config import Config
from pickup.engine import Engine, EngineOptions
from pickup.project import Project
from pickup.workflow.engines import make_provider

KEY = "sk-test-config-0123456789"


@pytest.fixture()
def no_file_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object, **_k: object) -> Config:
        raise AssertionError("the config file was read again")

    monkeypatch.setattr(pickup.config, "load_config", refuse)


def test_workflow_hands_its_config_to_a_hosted_provider(no_file_reads: None) -> None:
    config = Config(providers={"runway": {"base_url": "https://gateway.studio.example/rw",
                                          "timeout_s": 7}})
    provider = make_provider("runway", config, {"api_key": KEY})
    assert provider.base_url == "https://gateway.studio.example/rw"
    assert provider.client.limits.timeout_s == 7.0
    assert provider.options.get("config") is None  # the Config is no provider option


def test_engine_hands_its_config_down(no_file_reads: None, tmp_path: Path) -> None:
    config = Config(providers={"luma": {"base_url": "https://luma.studio.example"}})
    engine = Engine(Project(tmp_path / "p"), "luma", EngineOptions(config=config))
    assert engine.provider.base_url == "https://luma.studio.example"  # type: ignore[attr-defined]


def test_local_providers_never_see_the_config(no_file_reads: None) -> None:
    provider = make_provider("previz", Config())
    assert "config" not in getattr(provider, "options", {})
