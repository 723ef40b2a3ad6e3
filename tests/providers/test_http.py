"""HTTP rules shared by the backends: HTTPS only, base-URL override, Retry-After, auth scope."""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import replace
from pathlib import Path

import pytest

from pickup.errors import ConfigError
from pickup.providers import catalog as catalog_module
from pickup.providers.base import ShotRequest, State
from pickup.providers.http import check_url, nearest_ratio, parse_retry_after, safe_url
from pickup.providers.registry import get_provider
from tests.providers.fakes import KEY, RunwayFake, VeoFake


@pytest.mark.parametrize("url", ["http://api.example.com", "ftp://api.example.com",
                                 "http://10.0.0.5:8188", "file:///etc/passwd", "api.example.com"])
def test_plain_http_to_other_hosts_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="HTTPS only"):
        check_url(url, provider="runway")


@pytest.mark.parametrize("url", ["https://api.example.com/x", "http://127.0.0.1:9/",
                                 "http://localhost:8188", "http://[::1]:8188/"])
def test_https_and_loopback_are_allowed(url: str) -> None:
    assert check_url(url, provider="runway") == url


def test_hosted_provider_refuses_an_http_base_url() -> None:
    with pytest.raises(ConfigError, match="HTTPS only"):
        get_provider("runway", api_key=KEY, base_url="http://gateway.example.com")


def test_comfyui_takes_an_explicit_http_lan_url() -> None:
    provider = get_provider("comfyui", base_url="http://192.168.1.20:8188")
    assert provider.servers == ["http://192.168.1.20:8188"]
    assert provider.capabilities(None).local is False
    with pytest.raises(ConfigError):
        get_provider("comfyui", base_url="ftp://192.168.1.20")


def test_base_url_override_from_env_and_config(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path, video_bytes: bytes,
                                               frame_png: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[providers.runway]\nbase_url = "https://gateway.studio.example/rw"\n'
                      'model = "gen4.5"\n', encoding="utf-8")
    monkeypatch.setenv("PICKUP_CONFIG", str(config))
    provider = get_provider("runway", api_key=KEY)
    assert provider.base_url == "https://gateway.studio.example/rw"
    assert provider.model == "gen4.5"
    with RunwayFake(video_bytes) as fake:
        monkeypatch.setenv("PICKUP_RUNWAY_BASE_URL", fake.base_url)
        provider = get_provider("runway", api_key=KEY)
        req = ShotRequest(slot_id="s", prompt="p", kind=None, frames=24, rate=24, width=1280,
                          height=720, first_frame=frame_png)
        handle = provider.submit(req, tmp_path)
        assert fake.jobs[handle.job_id]["request"]["model"] == "gen4.5"
        assert fake.jobs[handle.job_id]["request"]["ratio"] == "1280:720"


def test_retry_after_forms() -> None:
    assert parse_retry_after({"Retry-After": "12"}) == 12.0
    date = email.utils.formatdate(1_000_060, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=1_000_000) == pytest.approx(60)
    assert parse_retry_after({"Retry-After": date}, now=2_000_000) == 0.0
    assert parse_retry_after({"retry-after-ms": "250", "Retry-After": "3"}) == 0.25
    assert parse_retry_after({"Retry-After": "soon"}) is None
    assert parse_retry_after({}) is None


def test_safe_url_drops_credentials_and_query() -> None:
    assert safe_url("https://user:pw@h.example:8443/p/x?key=SECRET#f") == \
        "https://h.example:8443/p/x"


def test_nearest_ratio() -> None:
    assert nearest_ratio(1920, 1080, ("1280:720", "720:1280", "960:960")) == "1280:720"
    assert nearest_ratio(1080, 1920, ("16:9", "9:16")) == "9:16"
    assert nearest_ratio(2048, 858, ("1280:720", "1584:672")) == "1584:672"


def test_veo_download_sends_the_key_header_not_a_query(video_bytes: bytes, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with VeoFake(video_bytes) as fake:
        provider = get_provider("veo", api_key=KEY, base_url=fake.base_url)
        req = ShotRequest(slot_id="s", prompt="p", kind=None, frames=48, rate=24, width=1920,
                          height=1080, seed=5)
        handle = provider.submit(req, tmp_path)  # Gemini Omni, the default
        status = provider.poll(handle)
        while not status.state.terminal:
            status = provider.poll(handle)
        assert status.state is State.SUCCEEDED
        provider.fetch(handle, status, tmp_path / "out")
        download = fake.requests_of("download")[-1]
        assert download.headers.get("x-goog-api-key") == KEY
        assert "key" not in download.query and download.query["alt"] == ["media"]
        # a Veo model re-enabled in the config still speaks predictLongRunning: 1080p
        # needs 8 s, and the Gemini API refused a seed, so neither is sent for 4 s
        monkeypatch.setattr(catalog_module, "today", lambda: dt.date(2026, 10, 1))
        veo = replace(req, model="veo-3.1-generate-preview")
        sent = fake.jobs[provider.submit(veo, tmp_path).job_id.rsplit("/", 1)[1]]["request"]
        assert sent["parameters"] == {"aspectRatio": "16:9", "durationSeconds": 4}
        long = provider.submit(replace(veo, frames=24 * 7), tmp_path)
        sent = fake.jobs[long.job_id.rsplit("/", 1)[1]]["request"]
        assert sent["parameters"] == {"aspectRatio": "16:9", "durationSeconds": 8,
                                      "resolution": "1080p"}


def test_auth_headers_are_not_sent_to_another_origin(video_bytes: bytes,
                                                     tmp_path: Path) -> None:
    with RunwayFake(video_bytes) as api, RunwayFake(video_bytes) as cdn:
        provider = get_provider("runway", api_key=KEY, base_url=api.base_url)
        target = tmp_path / "v.mp4"
        provider.client.download(cdn.url("/files/x.mp4"), target)
        assert target.read_bytes() == video_bytes
        assert "authorization" not in cdn.requests_of("download")[-1].headers
