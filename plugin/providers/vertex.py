"""Veo on Vertex AI: Google Cloud project, OAuth (service account or ADC) through google-auth.

Contract (as google-genai sends it in Vertex mode): ``POST
/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:predictLongRunning``
with the same ``instances`` / ``parameters`` as the Gemini API (``seed`` is accepted here,
``storageUri`` names a ``gs://`` folder for the outputs) returns an operation ``{"name"}``;
``POST .../models/{model}:fetchPredictOperation`` with ``{"operationName"}`` reports it:
``done``, ``error``, or ``response.videos[]`` with ``gcsUri`` or ``bytesBase64Encoded``
(+ ``mimeType``), or ``raiMediaFilteredCount`` / ``raiMediaFilteredReasons``.  Every call
carries ``Authorization: Bearer`` with an access token from google-auth (scope
``cloud-platform``): the service-account file named by ``credentials_file`` (or
``GOOGLE_APPLICATION_CREDENTIALS``), else Application Default Credentials.  Outputs in
Cloud Storage are downloaded through the JSON API with the same token; inline outputs are
written from the operation when fetched.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from pickup.atomic import atomic_path
from pickup.errors import ConfigError, MediaError, ProviderError
from pickup.providers.base import JobHandle, JobStatus, ShotRequest, State
from pickup.providers.veo import VeoProvider, no_video_status

__all__ = ["VertexVeoProvider", "gcs_download_url"]

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
_INLINE = "vertex-inline:"
_STORAGE = "https://storage.googleapis.com"


def gcs_download_url(uri: str, storage_base: str = _STORAGE) -> str:
    """``gs://bucket/a/b.mp4`` as a Cloud Storage JSON API media download URL."""
    parts = urlsplit(uri)
    if parts.scheme != "gs" or not parts.netloc:
        return uri
    return (f"{storage_base.rstrip('/')}/download/storage/v1/b/{parts.netloc}/o/"
            f"{quote(parts.path.lstrip('/'), safe='')}?alt=media")


class VertexVeoProvider(VeoProvider):
    """Google Veo through Vertex AI (models: catalog/vertex.json)."""

    name = "vertex"
    key_env = None
    default_base_url = ""
    default_model = "veo-3.1-generate-001"
    poll_after_s = 10.0

    def __init__(self, **options: Any) -> None:
        self.location = str(options.get("location") or "us-central1")
        if not options.get("base_url"):
            options["base_url"] = f"https://{self.location}-aiplatform.googleapis.com"
        super().__init__(**options)
        self.location = str(self.options.get("location") or self.location)
        self._credentials: Any = self.options.get("credentials")
        self._project: str | None = self.options.get("project") or os.environ.get(
            "GOOGLE_CLOUD_PROJECT")
        self.storage_base = str(self.options.get("storage_base_url") or _STORAGE).rstrip("/")

    # -- credentials -----------------------------------------------------------------------
    def credentials(self) -> Any:
        """google-auth credentials (refreshed when needed)."""
        if self._credentials is None:
            try:
                import google.auth
                from google.auth.exceptions import DefaultCredentialsError
                from google.oauth2 import service_account
            except ImportError:
                raise ConfigError("Veo on Vertex AI needs google-auth", where="provider vertex",
                                  hint="pip install 'pickup-shots[vertex]' (or google-auth)"
                                  ) from None
            path = self.options.get("credentials_file") or os.environ.get(
                "GOOGLE_APPLICATION_CREDENTIALS")
            try:
                if path:
                    creds = service_account.Credentials.from_service_account_file(
                        str(Path(str(path)).expanduser()), scopes=[SCOPE])
                    self._project = self._project or creds.project_id
                else:
                    creds, project = google.auth.default(scopes=[SCOPE])
                    self._project = self._project or project
            except (OSError, ValueError) as exc:
                raise ConfigError(f"cannot read the service-account file: {exc}",
                                  where=str(path), hint="point credentials_file at the JSON "
                                  "key of a service account") from None
            except DefaultCredentialsError:
                raise ConfigError("no Google Cloud credentials", where="provider vertex",
                                  hint="set credentials_file under [providers.vertex], or "
                                  "GOOGLE_APPLICATION_CREDENTIALS, or run `gcloud auth "
                                  "application-default login`") from None
            self._credentials = creds
        return self._credentials

    def _token(self) -> str:
        creds = self.credentials()
        if not getattr(creds, "valid", False):
            from google.auth.exceptions import RefreshError
            from google.auth.transport.requests import Request

            try:
                creds.refresh(Request())
            except RefreshError as exc:
                raise ProviderError(f"Google refused the credentials: {exc}",
                                    provider=self.name, code="unauthorized",
                                    hint="check the service account and its Vertex AI "
                                    "role") from None
        return str(creds.token)

    def _known_secrets(self) -> tuple[str, ...]:
        token = getattr(self._credentials, "token", None)
        return (str(token),) if token else ()

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token()}"}

    def api_key(self) -> str:  # no API key: OAuth
        return self._token()

    def is_configured(self) -> bool:
        """A credentials file (option, GOOGLE_APPLICATION_CREDENTIALS or gcloud's ADC
        file) and a project; checked without asking the network (no metadata probe)."""
        if self._credentials is not None:
            return bool(self._project)
        path = self.options.get("credentials_file") or os.environ.get(
            "GOOGLE_APPLICATION_CREDENTIALS")
        adc = Path(os.environ.get("CLOUDSDK_CONFIG") or Path.home() / ".config" / "gcloud"
                   ) / "application_default_credentials.json"
        found = Path(str(path)).expanduser().is_file() if path else adc.is_file()
        return found and bool(self._project or path)

    @property
    def project(self) -> str:
        self.credentials()
        if not self._project:
            raise ConfigError("no Google Cloud project", where="provider vertex",
                              hint="set project under [providers.vertex] or "
                              "GOOGLE_CLOUD_PROJECT")
        return self._project

    def download_headers(self, url: str) -> dict[str, str]:
        if url.startswith(self.storage_base + "/"):
            return {"Authorization": f"Bearer {self._token()}"}
        return {}

    # -- jobs ------------------------------------------------------------------------------
    def _model_path(self, model: str) -> str:
        return (f"/v1/projects/{self.project}/locations/{self.location}/publishers/google/"
                f"models/{model}")

    def create_path(self, model: str) -> str:
        return self._model_path(model) + ":predictLongRunning"

    def request_body(self, req: ShotRequest, model: str) -> dict[str, Any]:
        body = super().request_body(req, model)
        if self.options.get("storage_uri"):
            body["parameters"]["storageUri"] = str(self.options["storage_uri"])
        return body

    def _operation(self, handle: JobHandle) -> dict[str, Any]:
        model = handle.data["model"]
        return self.client.json("POST", self._model_path(model) + ":fetchPredictOperation",
                                json={"operationName": handle.job_id})

    def poll(self, handle: JobHandle) -> JobStatus:
        op = self._operation(handle)
        if not op.get("done"):
            return JobStatus(state=State.RUNNING, poll_after_s=self.poll_after_s)
        if op.get("error"):
            error = op["error"]
            code = error.get("code")
            return JobStatus(state=State.FAILED,
                             error=self.client.redact(str(error.get("message") or
                                                          "the operation failed")),
                             error_code=str(code) if code is not None else None,
                             retryable=code in (4, 8, 13, 14))
        response = op.get("response") or {}
        outputs: list[str] = []
        for index, video in enumerate(response.get("videos") or []):
            if not isinstance(video, dict):
                continue
            if video.get("gcsUri"):
                outputs.append(gcs_download_url(str(video["gcsUri"]), self.storage_base))
            elif video.get("bytesBase64Encoded"):
                outputs.append(f"{_INLINE}{index}")
        if outputs:
            return JobStatus(state=State.SUCCEEDED, progress=1.0, outputs=tuple(outputs))
        return no_video_status(response)

    def fetch(self, handle: JobHandle, status: JobStatus, dest_dir: Path) -> list[Path]:
        if not any(url.startswith(_INLINE) for url in status.outputs):
            return super().fetch(handle, status, dest_dir)
        from pickup.media.probe import probe

        videos = (self._operation(handle).get("response") or {}).get("videos") or []
        paths: list[Path] = []
        for url in status.outputs:
            index = int(url[len(_INLINE):])
            try:
                blob = base64.b64decode(videos[index]["bytesBase64Encoded"])
            except (IndexError, KeyError, ValueError):
                raise ProviderError("the operation no longer holds the video",
                                    provider=self.name, code="expired",
                                    hint="generate the shot again, or set storage_uri") from None
            dest = Path(dest_dir) / f"{handle.job_id.rsplit('/', 1)[-1]}_{index}.mp4"
            dest.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(dest) as tmp:
                Path(tmp).write_bytes(blob)
            try:
                probe(dest)
            except MediaError as exc:
                dest.unlink(missing_ok=True)
                raise ProviderError(f"the video is not readable ({exc.message})",
                                    provider=self.name, code="bad_output",
                                    hint="generate the shot again") from None
            paths.append(dest)
        return paths
