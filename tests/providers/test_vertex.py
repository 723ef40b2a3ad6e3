"""Veo on Vertex AI: a service account's JWT grant through google-auth against a loopback
token endpoint, predictLongRunning / fetchPredictOperation, Cloud Storage and inline
outputs, and every body checked against google-genai's Vertex converter."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from pickup.errors import ConfigError
from pickup.media.probe import probe
from pickup.providers.base import ShotRequest, State
from pickup.providers.registry import get_provider
from pickup.providers.vertex import gcs_download_url
from tests.providers.fakes.vertex import TOKEN, VertexFake
from tests.providers.shots import finish as _finish
from tests.providers.shots import harbour

pytest.importorskip("google.auth")
genai_types = pytest.importorskip("google.genai.types")


@pytest.fixture(scope="module")
def private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _service_account(tmp_path: Path, token_uri: str, pem: str) -> Path:
    path = tmp_path / "sa.json"
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "pickup-test",
        "private_key_id": "k1", "private_key": pem,
        "client_email": "pickup@pickup-test.iam.gserviceaccount.com", "client_id": "1",
        "token_uri": token_uri}), encoding="utf-8")
    return path


def _req(**changes: Any) -> ShotRequest:
    return harbour(6, **changes)


def _provider(fake: VertexFake, sa: Path, **options: object):
    return get_provider("vertex", credentials_file=str(sa), base_url=fake.base_url,
                        storage_base_url=fake.base_url, use_config=False, **options)


def test_service_account_to_cloud_storage_output(video_bytes: bytes, frame_png: Path,
                                                 tmp_path: Path, private_key_pem: str) -> None:
    from google.genai import models as genai_models

    with VertexFake(video_bytes) as fake:
        sa = _service_account(tmp_path, fake.url("/token"), private_key_pem)
        provider = _provider(fake, sa, storage_uri="gs://studio-bucket/pickup")
        assert provider.is_configured()
        handle = provider.submit(_req(first_frame=frame_png), tmp_path)
        (grant,) = fake.grants  # one JWT grant, scoped to cloud-platform
        assert grant["iss"] == "pickup@pickup-test.iam.gserviceaccount.com"
        submit = fake.requests_of("submit")[-1]
        assert submit.path == ("/v1/projects/pickup-test/locations/us-central1/publishers/"
                               "google/models/veo-3.1-generate-001:predictLongRunning")
        body = json.loads(submit.body)
        # exactly what google-genai sends in Vertex mode for the same parameters
        instance = body["instances"][0]
        params = genai_types._GenerateVideosParameters(
            prompt=instance["prompt"],
            image=genai_types.Image(
                image_bytes=base64.b64decode(instance["image"]["bytesBase64Encoded"]),
                mime_type=instance["image"]["mimeType"]),
            config=genai_types.GenerateVideosConfig(
                aspect_ratio="16:9", duration_seconds=6, seed=42,
                output_gcs_uri="gs://studio-bucket/pickup"))
        expected = genai_models._GenerateVideosParameters_to_vertex(None, params)
        expected.pop("_url", None)
        assert body == expected
        status = _finish(provider, handle)
        assert status.state is State.SUCCEEDED
        (url,) = status.outputs
        assert url.startswith(fake.url("/download/storage/v1/b/studio-bucket/o/pickup%2F"))
        assert fake.requests_of("poll")[-1].headers["authorization"] == f"Bearer {TOKEN}"
        (path,) = provider.fetch(handle, status, tmp_path / "out")
        assert probe(path).frames > 0
        assert fake.requests_of("download")[-1].headers["authorization"] == f"Bearer {TOKEN}"
        assert TOKEN not in handle.to_json()
        # the operation the fake answered parses as google-genai's Vertex operation
        from google.genai import _operations_converters as conv

        raw = provider._operation(handle)
        operation = genai_types.GenerateVideosOperation._from_response(
            response=conv._GenerateVideosOperation_from_vertex(raw), kwargs={})
        assert operation.done and operation.response.generated_videos[0].video.uri.startswith(
            "gs://studio-bucket/pickup/")


def test_inline_output_moderation_and_failure(video_bytes: bytes, tmp_path: Path,
                                              private_key_pem: str) -> None:
    with VertexFake(video_bytes) as fake:
        sa = _service_account(tmp_path, fake.url("/token"), private_key_pem)
        provider = _provider(fake, sa, model="veo-3.1-fast-generate-001")
        handle = provider.submit(_req(frames=24 * 3), tmp_path)
        status = _finish(provider, handle)
        assert status.state is State.SUCCEEDED and status.outputs == ("vertex-inline:0",)
        (path,) = provider.fetch(handle, status, tmp_path / "inline")
        assert path.read_bytes() == video_bytes and probe(path).frames > 0
        fake.outcome = "moderated"
        status = _finish(provider, provider.submit(_req(), tmp_path))
        assert status.state is State.FAILED and status.moderated
        assert "unsafe content" in str(status.error)
        fake.outcome = "failed"
        status = _finish(provider, provider.submit(_req(), tmp_path))
        assert status.state is State.FAILED and status.retryable and status.error_code == "13"
        assert provider.estimate_cost(_req(frames=24 * 5)) == pytest.approx(6 * 0.15)


def test_without_credentials_or_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        private_key_pem: str) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    provider = get_provider("vertex", use_config=False)
    assert not provider.is_configured()
    with pytest.raises(ConfigError, match="cannot read the service-account file"):
        get_provider("vertex", credentials_file=str(tmp_path / "missing.json"),
                     use_config=False).submit(_req(), tmp_path)
    assert gcs_download_url("gs://b/a b/c.mp4") == (
        "https://storage.googleapis.com/download/storage/v1/b/b/o/a%20b%2Fc.mp4?alt=media")
