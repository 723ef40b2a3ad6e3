"""A fake Vertex AI (Veo) plus Google's OAuth token endpoint and Cloud Storage downloads.

- ``POST /token``: the service-account JWT grant (``grant_type`` jwt-bearer, a signed
  ``assertion`` whose claims carry the scope and Google's token audience), answered
  with an access token, as oauth2.googleapis.com does.
- ``POST /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:predictLongRunning``
  and ``...:fetchPredictOperation`` (``{"operationName"}``), as google-genai calls them
  in Vertex mode; outputs as ``gcsUri`` (``storageUri`` given) or ``bytesBase64Encoded``.
- ``GET /download/storage/v1/b/{bucket}/o/{object}?alt=media``: the video, bearer only.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any
from urllib.parse import parse_qs

from tests.providers.fakes.base import FakeAPI, Reply

TOKEN = "ya29.fake-access-token-0123456789"
_MODEL = re.compile(r"^/v1/projects/([^/]+)/locations/([^/]+)/publishers/google/models/"
                    r"([^/:]+):(predictLongRunning|fetchPredictOperation)$")


def _claims(assertion: str) -> dict[str, Any]:
    payload = assertion.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class VertexFake(FakeAPI):
    expired_status = 404

    def __init__(self, video: bytes, **kwargs: Any) -> None:
        super().__init__(video, **kwargs)
        self.grants: list[dict[str, Any]] = []

    def classify(self, method: str, path: str) -> str:
        if path.startswith("/download/storage/"):
            return "download"
        if path == "/token":
            return "token"
        match = _MODEL.match(path)
        if match:
            return "submit" if match.group(4) == "predictLongRunning" else "poll"
        return "other"

    def error_body(self, status: int, message: str) -> Any:
        return {"error": {"code": status, "message": message, "status": "INVALID_ARGUMENT"}}

    def route(self, method: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str], body: bytes) -> Reply:
        if path == "/token" and method == "POST":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
                return Reply(400, {"error": "unsupported_grant_type"})
            claims = _claims(form.get("assertion", ""))
            self.grants.append(claims)
            # google-auth signs for Google's token audience whatever token_uri says
            if claims.get("aud") != "https://oauth2.googleapis.com/token" or \
                    "cloud-platform" not in str(claims.get("scope")):
                return Reply(400, {"error": "invalid_grant"})
            return Reply(200, {"access_token": TOKEN, "expires_in": 3600,
                               "token_type": "Bearer"})
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return Reply(401, {"error": {"code": 401, "status": "UNAUTHENTICATED",
                                         "message": "Request had invalid authentication "
                                         "credentials."}})
        match = _MODEL.match(path)
        if not match or method != "POST":
            return Reply(404, self.error_body(404, "not found"))
        project, location, model, verb = match.groups()
        data = json.loads(body or b"{}")
        if verb == "predictLongRunning":
            params = data.get("parameters") or {}
            if not data.get("instances") or params.get("aspectRatio") not in ("16:9", "9:16"):
                return Reply(400, self.error_body(400, "invalid instances or aspectRatio"))
            job = self.new_job(request=data, model=model)
            name = (f"projects/{project}/locations/{location}/publishers/google/models/"
                    f"{model}/operations/{job['id']}")
            return Reply(200, {"name": name})
        name = str(data.get("operationName", ""))
        job = self.jobs.get(name.rsplit("/", 1)[-1])
        if job is None or f"/models/{model}/operations/" not in name:
            return Reply(404, self.error_body(404, "operation not found"))
        phase = self.phase(job)
        if phase in ("queued", "running"):
            return Reply(200, {"name": name, "done": False})
        if phase == "failed":
            return Reply(200, {"name": name, "done": True,
                               "error": {"code": 13, "message": "internal error"}})
        if phase == "moderated":
            return Reply(200, {"name": name, "done": True, "response": {
                "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                "raiMediaFilteredCount": 1,
                "raiMediaFilteredReasons": ["unsafe content"]}})
        storage = (job["request"].get("parameters") or {}).get("storageUri")
        if storage:
            video = {"gcsUri": f"{storage.rstrip('/')}/{uuid.uuid4().hex}/sample_0.mp4",
                     "mimeType": "video/mp4"}
        else:
            video = {"bytesBase64Encoded": base64.b64encode(self.video).decode(),
                     "mimeType": "video/mp4"}
        return Reply(200, {"name": name, "done": True, "response": {
            "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
            "videos": [video]}})
