"""A fake Replicate API: model predictions with Prefer: wait, urls.get / urls.cancel."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.providers.fakes.base import FakeAPI, Reply

_CREATE = re.compile(r"^/v1/models/([\w\-.]+)/([\w\-.]+)/predictions$")
_PRED = re.compile(r"^/v1/predictions/([\w\-]+)(/cancel)?$")


class ReplicateFake(FakeAPI):
    expired_status = 404

    def classify(self, method: str, path: str) -> str:
        if path.startswith("/files/"):
            return "download"
        if _CREATE.match(path) or path == "/v1/predictions":
            return "submit"
        match = _PRED.match(path)
        if match:
            return "cancel" if match.group(2) else "poll"
        return "other"

    def error_body(self, status: int, message: str) -> Any:
        return {"title": message, "detail": message, "status": status}

    def route(self, method: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str], body: bytes) -> Reply:
        if not self.authorized(headers):
            return Reply(401, {"title": "Unauthenticated", "detail": "You did not pass a valid "
                               "authentication token", "status": 401})
        match = _CREATE.match(path)
        if (match or path == "/v1/predictions") and method == "POST":
            data = json.loads(body or b"{}")
            if not isinstance(data.get("input"), dict) or not data["input"].get("prompt"):
                return Reply(422, {"title": "Input validation failed",
                                   "detail": "- input: prompt is required", "status": 422})
            model = f"{match.group(1)}/{match.group(2)}" if match else data.get("version")
            job = self.new_job(model=model, request=data, prefer=headers.get("prefer"))
            return Reply(201, self._prediction(job, advance=False))
        match = _PRED.match(path)
        if match:
            job = self.jobs.get(match.group(1))
            if job is None:
                return Reply(404, {"title": "Not found", "detail": "Not found.", "status": 404})
            if match.group(2) and method == "POST":
                if self.phase(job, advance=False) in ("queued", "running"):
                    job["cancelled"] = True
                return Reply(200, self._prediction(job, advance=False))
            if method == "GET":
                return Reply(200, self._prediction(job))
        return Reply(404, {"title": "Not found", "detail": "Not found.", "status": 404})

    def _prediction(self, job: dict[str, Any], *, advance: bool = True) -> dict[str, Any]:
        phase = self.phase(job, advance=advance)
        base = self.url(f"/v1/predictions/{job['id']}")
        pred: dict[str, Any] = {
            "id": job["id"], "model": job["model"], "input": job["request"]["input"],
            "output": None, "error": None, "logs": "",
            "urls": {"get": base, "cancel": base + "/cancel",
                     "web": f"https://replicate.com/p/{job['id']}"}}
        if phase == "queued":
            pred["status"] = "starting"
        elif phase == "running":
            pred.update(status="processing", logs="Loading model\n 50%|█████     | 15/30 "
                        "[00:05<00:05]\n")
        elif phase == "cancelled":
            pred["status"] = "canceled"
        elif phase == "moderated":
            pred.update(status="failed", error="The input or output was flagged as sensitive. "
                        "Please try again with different inputs. (E005)")
        elif phase == "failed":
            pred.update(status="failed", error="CUDA out of memory")
        else:
            pred.update(status="succeeded", output=self.url(f"/files/{job['id']}.mp4"))
        return pred
