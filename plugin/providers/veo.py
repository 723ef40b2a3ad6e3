"""Google video through the Gemini API: Gemini Omni on the Interactions API (default) and
the retired Veo models on ``predictLongRunning``.

Gemini Omni (``gemini-omni-1.2-flash``, the Gemini API's video default; ``1.1``)
contract, from google-genai 3.6.1's Interactions types (``CreateModelInteractionParam``,
``VideoResponseFormatParam``, ``Interaction``):
``POST /v1beta/interactions`` with ``model``, ``input`` (the prompt, or a list of an
``image`` block ``{type, data, mime_type}`` and a ``text`` block), ``background: true``,
``generation_config`` (``seed``, ``video_config.task``) and ``response_format``
``{type: "video", aspect_ratio, resolution, duration: "<n>s", delivery: "uri"}`` returns
an interaction ``{id, status}``.  ``GET /v1beta/interactions/{id}`` reports ``status``
(``queued``, ``in_progress``, ``completed``, ``failed``, ``cancelled``, ``incomplete``,
...); a completed interaction holds the video as a ``model_output`` step's ``video``
content with a ``uri`` (downloaded with the key); ``completed`` without a video means the
model refused (safety).  ``POST /v1beta/interactions/{id}/cancel`` cancels.

Veo on the Gemini API (``veo-3.1-*-preview`` shut down 2026-10-22, 2.0/3.0 on
2026-06-30; see catalog/veo.json) keeps its ``predictLongRunning`` path for a model a
user re-enables in the config: ``instances`` (``prompt``, ``image``/``lastFrame`` as
``{bytesBase64Encoded, mimeType}``) and ``parameters``; ``GET /v1beta/{name}`` until
``done``; no ``seed`` (the SDK refused it in Gemini-API mode), ``1080p`` only at 8 s, no
cancel.

Every call, the video download included, carries the key in the ``x-goog-api-key``
header (never in the URL).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from pickup.providers.base import JobHandle, JobStatus, ShotRequest, State
from pickup.providers.google import classify_google_error
from pickup.providers.http import HttpProvider, frame_base64, nearest_ratio

__all__ = ["VeoProvider", "no_video_status"]

_ASPECTS = ("16:9", "9:16")
INTERACTIONS = "/v1beta/interactions"
#: Interaction statuses that end a job without a video, and whether trying again may help.
_ENDED = {"failed": True, "incomplete": True, "budget_exceeded": False,
          "requires_action": False}
#: the resolutions Gemini Omni renders (VideoResponseFormat.resolution), by short side.
_RESOLUTIONS = ((360, "360p"), (720, "720p"), (1080, "1080p"), (2160, "4k"))


def omni_resolution(width: int, height: int) -> str:
    """The smallest Omni resolution whose short side covers the slot's (conform scales)."""
    short = min(width, height)
    for side, name in _RESOLUTIONS:
        if short <= side:
            return name
    return _RESOLUTIONS[-1][1]


def no_video_status(response: dict[str, Any]) -> JobStatus:
    """A finished Veo operation (Gemini API or Vertex AI) that holds no video: removed by
    the safety filter (moderated, with Google's reasons), else failed and retryable."""
    reasons = response.get("raiMediaFilteredReasons") or []
    if response.get("raiMediaFilteredCount") or reasons:
        return JobStatus(state=State.FAILED, moderated=True, error_code="rai_filtered",
                         error="the safety filter removed the video: "
                         + ("; ".join(map(str, reasons)) or "no reason given"))
    return JobStatus(state=State.FAILED, error="the operation finished without a video",
                     error_code="no_output", retryable=True)


class VeoProvider(HttpProvider):
    """Video through the Gemini API (``GEMINI_API_KEY``; models: catalog/veo.json)."""

    name = "veo"
    key_env = "GEMINI_API_KEY"
    default_base_url = "https://generativelanguage.googleapis.com"
    default_model = "gemini-omni-1.2-flash"
    poll_after_s = 10.0

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.client.classify = classify_google_error  # RetryInfo's retryDelay

    def _auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.api_key()}

    def download_headers(self, url: str) -> dict[str, str]:
        return {}  # the client adds x-goog-api-key on the API's own origin only

    def is_interactions(self, model: str) -> bool:
        """True for models on the Interactions API (Gemini Omni), False for Veo's
        ``predictLongRunning``."""
        entry = self.model_entry(model)
        if entry is not None and entry.endpoint:
            return entry.endpoint.rstrip("/").endswith("/interactions")
        return not model.startswith("veo-")

    def _inline(self, path: Path) -> dict[str, str]:
        data, mime = frame_base64(path)
        return {"bytesBase64Encoded": data, "mimeType": mime}

    # -- request bodies --------------------------------------------------------------------
    def request_body(self, req: ShotRequest, model: str) -> dict[str, Any]:
        """The body for ``model``'s endpoint (Interactions or ``predictLongRunning``)."""
        if self.is_interactions(model):
            return self.interaction_body(req, model)
        return self.predict_body(req, model)

    def billing_mode(self, req: ShotRequest) -> tuple[str | None, str | None]:
        if self.is_interactions(self.resolve_model(req)):
            return omni_resolution(req.width, req.height), None
        return None, None

    def interaction_body(self, req: ShotRequest, model: str) -> dict[str, Any]:
        """``CreateModelInteraction`` for a video: background, delivered by URI."""
        caps = self.capabilities(model)
        prompt = req.prompt.strip()
        if req.negative_prompt:  # Omni has no negative-prompt field
            prompt = f"{prompt}\nAvoid: {req.negative_prompt.strip()}".strip()
        task = "text_to_video"
        content: Any = prompt
        if req.first_frame is not None:
            data, mime = frame_base64(req.first_frame)
            task = "image_to_video"
            content = [{"type": "image", "data": data, "mime_type": mime}]
            if prompt:
                content.append({"type": "text", "text": prompt})
        config: dict[str, Any] = {"video_config": {"task": task}}
        entry = self.model_entry(model)
        if req.seed is not None and (entry is None or entry.seed):
            config["seed"] = int(req.seed) % 2147483648
        return {
            "model": model,
            "input": content,
            "background": True,
            "generation_config": config,
            "response_format": {
                "type": "video",
                "aspect_ratio": nearest_ratio(req.width, req.height,
                                              caps.aspects or _ASPECTS),
                "resolution": omni_resolution(req.width, req.height),
                "duration": f"{int(self.pick_duration(req, caps))}s",
                "delivery": "uri",
            },
        }

    def predict_body(self, req: ShotRequest, model: str) -> dict[str, Any]:
        """``{"instances": [...], "parameters": {...}}`` for ``predictLongRunning``."""
        caps = self.capabilities(model)
        instance: dict[str, Any] = {"prompt": req.prompt}
        if req.first_frame is not None:
            instance["image"] = self._inline(req.first_frame)
        if req.last_frame is not None:
            instance["lastFrame"] = self._inline(req.last_frame)
        parameters: dict[str, Any] = {
            "aspectRatio": nearest_ratio(req.width, req.height, caps.aspects or _ASPECTS),
            "durationSeconds": int(self.pick_duration(req, caps)),
        }
        if req.negative_prompt:
            parameters["negativePrompt"] = req.negative_prompt
        entry = self.model_entry(model)
        if req.seed is not None and (entry is None or entry.seed):
            parameters["seed"] = int(req.seed) % 4294967296
        full_hd = entry.full_hd_lengths if entry is not None else None
        if full_hd and max(req.width, req.height) >= 1920 and \
                any(abs(parameters["durationSeconds"] - d) < 1e-6 for d in full_hd):
            parameters["resolution"] = "1080p"
        return {"instances": [instance], "parameters": parameters}

    def create_path(self, model: str) -> str:
        if self.is_interactions(model):
            return INTERACTIONS
        return f"/v1beta/models/{model}:predictLongRunning"

    # -- the job ---------------------------------------------------------------------------
    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        self.validate(req)
        model = self.resolve_model(req)
        answer = self.client.json("POST", self.create_path(model),
                                  json=self.request_body(req, model))
        if self.is_interactions(model):
            return JobHandle(provider=self.name, job_id=str(answer["id"]),
                             data={"model": model, "api": "interactions"})
        return JobHandle(provider=self.name, job_id=str(answer["name"]),
                         data={"model": model})

    def poll(self, handle: JobHandle) -> JobStatus:
        if handle.data.get("api") == "interactions":
            return self._poll_interaction(handle)
        return self._poll_operation(handle)

    def _poll_interaction(self, handle: JobHandle) -> JobStatus:
        it = self.client.json("GET", f"{INTERACTIONS}/{handle.job_id}")
        status = str(it.get("status") or "")
        if status in ("queued", "idle"):
            return JobStatus(state=State.QUEUED, poll_after_s=self.poll_after_s)
        if status in ("in_progress", "requires_continuation", ""):
            return JobStatus(state=State.RUNNING, poll_after_s=self.poll_after_s)
        if status == "cancelled":
            return JobStatus(state=State.CANCELLED)
        error = _interaction_error(it)
        if status == "completed":
            uris = tuple(self._media_url(u) for u in _video_uris(it))
            if uris:
                return JobStatus(state=State.SUCCEEDED, progress=1.0, outputs=uris)
            if _video_tokens(it):  # billed, but not where Pickup reads it
                return JobStatus(state=State.FAILED, error_code="no_output", retryable=False,
                                 error="the interaction made a video Pickup cannot find in "
                                 "its answer (steps[].content[] has no video uri)")
            said = " ".join(_texts(it)).strip()
            return JobStatus(state=State.FAILED, moderated=True, error_code="refused",
                             error=self.client.redact(
                                 "the model answered without a video (safety)"
                                 + (f": {said[:300]}" if said else "")))
        retryable = _ENDED.get(status, False)
        message = error or f"the interaction ended {status or 'without a status'}"
        return JobStatus(state=State.FAILED, error=self.client.redact(message),
                         error_code=status or "failed", retryable=retryable)

    def _media_url(self, uri: str) -> str:
        """The download URL: Google's file URIs need ``alt=media`` to give the bytes."""
        parts = urlsplit(uri)
        query = parse_qs(parts.query)
        if "alt" in query or parts.scheme not in ("http", "https"):
            return uri
        if not self.client._same_origin(uri):
            return uri  # another origin: a signed link, as given
        return urlunsplit(parts._replace(query=urlencode(
            [*((k, v) for k, vs in query.items() for v in vs), ("alt", "media")])))

    def _poll_operation(self, handle: JobHandle) -> JobStatus:
        op = self.client.json("GET", f"/v1beta/{handle.job_id}")
        if not op.get("done"):
            return JobStatus(state=State.RUNNING, poll_after_s=self.poll_after_s)
        if op.get("error"):
            error = op["error"]
            message = str(error.get("message") or "the operation failed")
            code = error.get("code")
            return JobStatus(state=State.FAILED, error=self.client.redact(message),
                             error_code=str(code) if code is not None else None,
                             retryable=code in (4, 8, 13, 14))  # deadline/exhausted/internal
        response = (op.get("response") or {}).get("generateVideoResponse") or {}
        samples = response.get("generatedSamples") or []
        uris = tuple(str(s["video"]["uri"]) for s in samples
                     if isinstance(s, dict) and (s.get("video") or {}).get("uri"))
        if uris:
            return JobStatus(state=State.SUCCEEDED, progress=1.0, outputs=uris)
        return no_video_status(response)

    def cancel(self, handle: JobHandle) -> bool:
        if handle.data.get("api") != "interactions":
            return False  # the Gemini API has no cancel for Veo operations
        self.client.json("POST", f"{INTERACTIONS}/{handle.job_id}/cancel")
        return True


def _steps(it: dict[str, Any]) -> list[dict[str, Any]]:
    steps = it.get("steps")
    return [s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else []


def _model_content(it: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for step in _steps(it):
        if step.get("type") == "model_output" and isinstance(step.get("content"), list):
            found.extend(c for c in step["content"] if isinstance(c, dict))
    return found


def _video_uris(it: dict[str, Any]) -> list[str]:
    return [str(c["uri"]) for c in _model_content(it) if c.get("type") == "video"
            and c.get("uri")]


def _texts(it: dict[str, Any]) -> list[str]:
    return [str(c.get("text") or "") for c in _model_content(it) if c.get("type") == "text"]


def _video_tokens(it: dict[str, Any]) -> bool:
    usage = it.get("usage")
    if not isinstance(usage, dict):
        return False
    for entry in usage.get("output_tokens_by_modality") or []:
        if isinstance(entry, dict) and str(entry.get("modality", "")).lower() == "video" \
                and (entry.get("tokens") or 0) > 0:
            return True
    return False


def _interaction_error(it: dict[str, Any]) -> str:
    error = it.get("error")
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    for item in it.get("errors") or []:
        if isinstance(item, dict) and item.get("message"):
            return str(item["message"])
    return ""
