"""The Kling backend: Kling's own API (``api-singapore.klingai.com``).

Contract: every call carries ``Authorization: Bearer <JWT>``, a JWT signed HS256 with the
secret key whose claims are ``iss`` = the access key, ``exp`` (30 min) and ``nbf`` (5 s
back).  ``POST /v1/videos/text2video`` (``model_name``, ``prompt``, ``negative_prompt``,
``mode`` ``std``/``pro``, ``aspect_ratio``, ``duration`` ``"5"``/``"10"``,
``external_task_id``) or ``POST /v1/videos/image2video`` (``image`` and ``image_tail`` as
bare base64, no ratio) answer ``{"code": 0, "data": {"task_id", "task_status"}}``; ``GET
/v1/videos/{kind}/{task_id}`` reports ``task_status`` (``submitted``, ``processing``,
``succeed``, ``failed`` with ``task_status_msg``) and ``task_result.videos[].url``.
Errors carry Kling's ``code``: 1000-1004 authentication, 1101-1103 account / balance,
1300-1301 content policy, 1302-1304 rate limits, 5000+ server.  The key is stored as one
secret, ``ACCESS_KEY:SECRET_KEY`` (``KLING_API_KEY`` or ``pickup auth set kling``).
There is no cancel.  ``external_task_id`` carries the engine's idempotency key, and
``find_existing`` looks for it in the newest tasks of the kind (``GET /v1/videos/{kind}
?pageNum=1&pageSize=500``, each task's ``task_info.external_task_id``), so a job created
just before a crash is found again instead of paid twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import requests

from pickup.errors import ConfigError
from pickup.providers.base import JobHandle, JobStatus, ShotRequest, State
from pickup.providers.http import HttpProvider, frame_base64, nearest_ratio

__all__ = ["KlingProvider", "kling_jwt"]

_STATES = {"submitted": State.QUEUED, "processing": State.RUNNING,
           "succeed": State.SUCCEEDED, "failed": State.FAILED}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def kling_jwt(access_key: str, secret_key: str, *, now: float | None = None) -> str:
    """The HS256 JWT Kling's API takes as the bearer token."""
    now = time.time() if now is None else now
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = _b64(json.dumps({"iss": access_key, "exp": int(now) + 1800,
                              "nbf": int(now) - 5}, separators=(",", ":")).encode())
    signing = f"{header}.{claims}".encode("ascii")
    signature = hmac.new(secret_key.encode(), signing, hashlib.sha256).digest()
    return f"{header}.{claims}.{_b64(signature)}"


def _classify(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
        code = int(body["code"]) if isinstance(body, dict) else None
    except (ValueError, TypeError, KeyError):
        return {}
    if code is None:
        return {}
    if code in (1300, 1301):
        return {"moderated": True, "retryable": False, "code": "moderated"}
    if 1000 <= code <= 1004:
        return {"retryable": False, "code": "unauthorized"}
    if 1101 <= code <= 1103:
        return {"retryable": False, "code": "payment_required"}
    if 1302 <= code <= 1304:
        return {"retryable": True, "code": "rate_limited"}
    if code >= 5000:
        return {"retryable": True, "code": f"kling_{code}"}
    return {"code": f"kling_{code}"}


class KlingProvider(HttpProvider):
    """Kling through Kling's own API (``KLING_API_KEY`` = ``ACCESS:SECRET``;
    catalog/kling.json)."""

    name = "kling"
    key_env = "KLING_API_KEY"
    default_base_url = "https://api-singapore.klingai.com"
    default_model = "kling-v2-1"
    poll_after_s = 10.0

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.client.classify = _classify
        self._token: tuple[str, float] | None = None

    def _keys(self) -> tuple[str, str]:
        access, sep, secret = self.api_key().partition(":")
        if not sep or not access or not secret:
            raise ConfigError("the Kling key must be ACCESS_KEY:SECRET_KEY", where="provider "
                              "kling", hint="printf %s 'AK:SK' | pickup auth set kling")
        return access, secret

    def _known_secrets(self) -> tuple[str, ...]:
        found = list(super()._known_secrets())
        if self._api_key and ":" in self._api_key:
            found += [part for part in self._api_key.split(":", 1) if len(part) >= 4]
        if self._token:
            found.append(self._token[0])
        return tuple(found)

    def _auth_headers(self) -> dict[str, str]:
        now = time.time()
        if self._token is None or self._token[1] - now < 300:
            access, secret = self._keys()
            self._token = (kling_jwt(access, secret, now=now), now + 1800)
        return {"Authorization": f"Bearer {self._token[0]}"}

    def billing_mode(self, req: ShotRequest) -> tuple[str | None, str | None]:
        return None, self._mode(req)

    def _mode(self, req: ShotRequest) -> str:
        if req.last_frame is not None:
            return "pro"  # Kling takes an end frame only in pro mode
        return str(self.options.get("mode") or "std")

    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        self.validate(req)
        model = self.resolve_model(req)
        caps = self.capabilities_for(req)
        entry = self.model_entry(model)
        body: dict[str, Any] = {"model_name": model, "prompt": req.prompt[:2500],
                                "mode": self._mode(req),
                                "duration": str(int(self.pick_duration(req, caps)))}
        if req.negative_prompt:
            body["negative_prompt"] = req.negative_prompt[:2500]
        key = req.extra.get("idempotency_key")
        if key:
            body["external_task_id"] = str(key)[:64]
        if req.first_frame is not None:
            kind = "image2video"
            body["image"] = frame_base64(req.first_frame)[0]
            if req.last_frame is not None:
                body["image_tail"] = frame_base64(req.last_frame)[0]
        else:
            kind = "text2video"
            body["aspect_ratio"] = nearest_ratio(req.width, req.height,
                                                 caps.aspects or ("16:9", "9:16", "1:1"))
        path = f"/v1/videos/{kind}"
        if entry is not None and kind == "text2video" and not entry.text_endpoint:
            raise ConfigError(f"kling {model} needs a first frame", where=f"provider kling, "
                              f"slot {req.slot_id}")
        answer = self.client.json("POST", path, json=body)
        data = answer.get("data") or {}
        if not data.get("task_id"):
            raise self.client.error("the answer has no data.task_id", code="bad_response")
        return JobHandle(provider=self.name, job_id=str(data["task_id"]),
                         data={"model": model, "kind": kind})

    def find_existing(self, req: ShotRequest, idempotency_key: str) -> JobHandle | None:
        """The task created earlier with ``external_task_id`` = ``idempotency_key``, among
        the newest 500 of its kind; None when there is none."""
        kind = "image2video" if req.first_frame is not None else "text2video"
        wanted = str(idempotency_key)[:64]
        answer = self.client.json("GET", f"/v1/videos/{kind}",
                                  params={"pageNum": 1, "pageSize": 500})
        tasks = answer.get("data") if isinstance(answer, dict) else None
        for task in tasks if isinstance(tasks, list) else []:
            if not isinstance(task, dict):
                continue
            info = task.get("task_info") or {}
            if (isinstance(info, dict) and info.get("external_task_id") == wanted
                    and task.get("task_id")):
                return JobHandle(provider=self.name, job_id=str(task["task_id"]),
                                 data={"model": self.resolve_model(req), "kind": kind})
        return None

    def poll(self, handle: JobHandle) -> JobStatus:
        answer = self.client.json("GET", f"/v1/videos/{handle.data['kind']}/{handle.job_id}")
        data = answer.get("data") or {}
        raw = str(data.get("task_status", "")).lower()
        state = _STATES.get(raw)
        if state is None:
            raise self.client.error(f"unknown task status {raw!r}", code="bad_response")
        if state is State.FAILED:
            message = str(data.get("task_status_msg") or "the task failed")
            low = message.lower()
            moderated = "risk" in low or "content security" in low or "policy" in low
            return JobStatus(state=state, error=self.client.redact(message),
                             error_code="moderated" if moderated else "failed",
                             moderated=moderated, retryable=False)
        if state is State.SUCCEEDED:
            videos = (data.get("task_result") or {}).get("videos") or []
            urls = tuple(str(v["url"]) for v in videos if isinstance(v, dict) and v.get("url"))
            return JobStatus(state=state, progress=1.0, outputs=urls)
        return JobStatus(state=state, poll_after_s=self.poll_after_s)

    def cancel(self, handle: JobHandle) -> bool:
        return False
