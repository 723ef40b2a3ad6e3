"""A fake Gemini API: Gemini Omni on the Interactions API (create, get, cancel; the video
delivered by URI) and Veo's predictLongRunning + operations, key-guarded file download.

The Interactions side is written from google-genai 3.6.1's Interactions types
(``CreateModelInteraction``, ``VideoResponseFormat``, ``Interaction``): what it refuses is
what those types and the Omni docs refuse (a duration outside 3-10 s or not ``"<n>s"``, an
aspect ratio or resolution the types do not list, an unknown model)."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.providers.fakes.base import FakeAPI, Reply

_SUBMIT = re.compile(r"^/v1beta/models/([\w.\-]+):predictLongRunning$")
_OP = re.compile(r"^/v1beta/models/([\w.\-]+)/operations/([\w\-]+)$")
_DURATIONS = {"veo-3.1-generate-preview": (4, 6, 8), "veo-3.1-fast-generate-preview": (4, 6, 8),
              "veo-3.0-generate-001": (8,), "veo-2.0-generate-001": (5, 6, 7, 8)}
_INTERACTION = re.compile(r"^/v1beta/interactions/([\w\-]+)$")
_CANCEL = re.compile(r"^/v1beta/interactions/([\w\-]+)/cancel$")
#: Omni models and their longest take (s): 1.1 makes 3-10 s, 1.2 3-15 s
_OMNI = {"gemini-omni-1.1-flash": 10, "gemini-omni-1.2-flash": 15}
_STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
           429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


class VeoFake(FakeAPI):
    expired_status = 404

    def classify(self, method: str, path: str) -> str:
        if path.startswith("/v1beta/files/"):
            return "download"
        if _SUBMIT.match(path) or (path == "/v1beta/interactions" and method == "POST"):
            return "submit"
        if _CANCEL.match(path):
            return "cancel"
        if _OP.match(path) or _INTERACTION.match(path):
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
        if path == "/v1beta/interactions" and method == "POST":
            return self._interact(json.loads(body or b"{}"))
        match = _CANCEL.match(path)
        if match and method == "POST":
            job = self.jobs.get(match.group(1))
            if job is None:
                return Reply(400, self.error_body(400, "Invalid interaction name"))
            job["cancelled"] = True
            return Reply(200, self._interaction(job, advance=False))
        match = _INTERACTION.match(path)
        if match and method == "GET":
            job = self.jobs.get(match.group(1))
            if job is None:
                return Reply(400, self.error_body(400, "Invalid interaction name"))
            return Reply(200, self._interaction(job))
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

    # -- Gemini Omni: the Interactions API ----------------------------------------------------
    def _interact(self, data: dict[str, Any]) -> Reply:
        model = data.get("model")
        if model not in _OMNI:
            return Reply(404, self.error_body(404, f"models/{model} is not found for API "
                                              "version v1beta, or is not supported for "
                                              "interactions"))
        if data.get("background") is not True:
            return Reply(400, self.error_body(400, "video generation needs background: true "
                                              "in this fake"))
        content = data.get("input")
        items = content if isinstance(content, list) else [{"type": "text", "text": content}]
        if not any(isinstance(i, dict) and i.get("type") == "text" and i.get("text")
                   for i in items) and not any(isinstance(i, dict) and i.get("type") == "image"
                                               for i in items):
            return Reply(400, self.error_body(400, "input is required"))
        for item in items:
            if item.get("type") == "image" and not (item.get("data") and item.get("mime_type")):
                return Reply(400, self.error_body(400, "an image needs data and mime_type"))
        fmt = data.get("response_format") or {}
        if fmt.get("type") != "video":
            return Reply(400, self.error_body(400, "response_format.type must be video"))
        duration = re.fullmatch(r"(\d+)s", str(fmt.get("duration", "8s")))
        if duration is None:
            return Reply(400, self.error_body(400, "Invalid value at 'response_format.duration' "
                                              "(type.googleapis.com/google.protobuf.Duration)"))
        if not 3 <= int(duration.group(1)) <= _OMNI[model]:
            return Reply(400, self.error_body(400, f"duration must be between 3s and "
                                              f"{_OMNI[model]}s"))
        if fmt.get("aspect_ratio", "16:9") not in ("16:9", "9:16"):
            return Reply(400, self.error_body(400, "aspect_ratio must be 16:9 or 9:16"))
        if fmt.get("resolution", "720p") not in ("360p", "720p", "1080p", "4k"):
            return Reply(400, self.error_body(400, "unsupported resolution"))
        job = self.new_job(model=model, request=data)
        return Reply(200, self._interaction(job, advance=False))

    def _interaction(self, job: dict[str, Any], *, advance: bool = True) -> dict[str, Any]:
        phase = self.phase(job, advance=advance)
        it: dict[str, Any] = {"id": job["id"], "object": "interaction", "model": job["model"],
                              "created": "2026-12-04T10:00:00Z",
                              "updated": "2026-12-04T10:00:10Z"}
        status = {"queued": "queued", "running": "in_progress", "cancelled": "cancelled",
                  "failed": "failed"}.get(phase, "completed")
        it["status"] = status
        if phase == "failed":
            it["error"] = {"code": "internal", "message": "Internal error while generating."}
        if status != "completed":
            return it
        user = {"type": "user_input", "content": [{"type": "text", "text": "..."}]}
        if phase == "moderated":  # a refusal is a completed text-only answer
            it["steps"] = [user, {"type": "model_output", "content": [
                {"type": "text", "text": "I can't generate that video: it may violate the "
                 "safety policy."}]}]
            return it
        uri = self.url(f"/v1beta/files/{job['id']}:download")
        it["steps"] = [user, {"type": "thought", "signature": "c2ln"},
                       {"type": "model_output", "content": [
                           {"type": "video", "uri": uri, "mime_type": "video/mp4"}]}]
        it["usage"] = {"output_tokens_by_modality": [{"modality": "video", "tokens": 46336}]}
        return it

    # -- Veo: predictLongRunning --------------------------------------------------------------
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
