"""A fake Gemini API for Veo: predictLongRunning, operations, key-guarded file download."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.providers.fakes.base import FakeAPI, Reply

_SUBMIT = re.compile(r"^/v1beta/models/([\w.\-]+):predictLongRunning$")
_OP = re.compile(r"^/v1beta/models/([\w.\-]+)/operations/([\w\-]+)$")
_DURATIONS = {"veo-3.1-generate-preview": (4, 6, 8), "veo-3.1-fast-generate-preview": (4, 6, 8),
              "veo-3.0-generate-001": (8,), "veo-2.0-generate-001": (5, 6, 7, 8)}
_STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
           429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


class VeoFake(FakeAPI):
    expired_status = 404

    def classify(self, method: str, path: str) -> str:
        if path.startswith("/v1beta/files/"):
            return "download"
        if _SUBMIT.match(path):
            return "submit"
        if _OP.match(path):
            return "poll"
        return "other"

    def error_body(self, status: int, message: str) -> Any:
        return {"error": {"code": status, "message": message,
                          "status": _STATUS.get(status, "UNKNOWN")}}

    def _key_ok(self, headers: dict[str, str]) -> Reply | None:
        key = headers.get("x-goog-api-key")
        if not key:
            return Reply(403, self.error_body(403, "Method doesn't allow unregistered callers "
                                              "(callers without established identity)."))
        if key != self.key:
            return Reply(400, self.error_body(400, "API key not valid. Please pass a valid API "
                                              "key."))
        return None

    def route(self, method: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str], body: bytes) -> Reply:
        refused = self._key_ok(headers)
        if refused:
            return refused
        if "key" in query:
            return Reply(400, self.error_body(400, "the key must not be in the URL in this fake"))
        match = _SUBMIT.match(path)
        if match and method == "POST":
            return self._create(match.group(1), json.loads(body or b"{}"))
        match = _OP.match(path)
        if match and method == "GET":
            job = self.jobs.get(match.group(2))
            if job is None:
                return Reply(404, self.error_body(404, "Operation not found"))
            return Reply(200, self._operation(job))
        return Reply(404, self.error_body(404, "Not found"))

    def _create(self, model: str, data: dict[str, Any]) -> Reply:
        if model not in _DURATIONS:
            return Reply(404, self.error_body(404, f"models/{model} is not found"))
        instances = data.get("instances")
        params = data.get("parameters") or {}
        if not isinstance(instances, list) or len(instances) != 1 or \
                not instances[0].get("prompt"):
            return Reply(400, self.error_body(400, "instances[0].prompt is required"))
        for key in ("image", "lastFrame"):
            image = instances[0].get(key)
            if image is not None and not (image.get("bytesBase64Encoded") and
                                          image.get("mimeType")):
                return Reply(400, self.error_body(400, f"`{key}` needs bytesBase64Encoded and "
                                                  "mimeType"))
        if params.get("durationSeconds") not in _DURATIONS[model]:
            return Reply(400, self.error_body(400, "durationSeconds is out of bounds"))
        if params.get("aspectRatio") not in ("16:9", "9:16"):
            return Reply(400, self.error_body(400, "aspectRatio must be 16:9 or 9:16"))
        job = self.new_job(model=model, request=data)
        return Reply(200, {"name": f"models/{model}/operations/{job['id']}"})

    def _operation(self, job: dict[str, Any]) -> dict[str, Any]:
        name = f"models/{job['model']}/operations/{job['id']}"
        phase = self.phase(job)
        if phase in ("queued", "running"):
            return {"name": name}
        if phase == "failed":
            return {"name": name, "done": True,
                    "error": {"code": 13, "message": "Internal error while generating."}}
        response: dict[str, Any] = {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta."
                     "PredictLongRunningResponse"}
        if phase == "moderated":
            response["generateVideoResponse"] = {
                "raiMediaFilteredCount": 1,
                "raiMediaFilteredReasons": ["The video was filtered for violating the safety "
                                            "policy."]}
        else:
            uri = self.url(f"/v1beta/files/{job['id']}:download?alt=media")
            response["generateVideoResponse"] = {"generatedSamples": [{"video": {"uri": uri}}]}
        return {"name": name, "done": True, "response": response}

    def moderation_reply(self) -> Reply:
        return Reply(400, self.error_body(400, "The prompt could not be submitted: it violates "
                                          "the usage guidelines (safety)."))
