"""A fake MiniMax API (v1): video_generation, query/video_generation, files/retrieve, with
errors as HTTP 200 and a non-zero ``base_resp.status_code``, as MiniMax answers them."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.fakes.base import FakeAPI, Reply

_OK = {"status_code": 0, "status_msg": "success"}


class MiniMaxFake(FakeAPI):
    expired_status = 403

    def classify(self, method: str, path: str) -> str:
        if path.startswith("/files/"):
            return "download"
        return {"/v1/video_generation": "submit", "/v1/query/video_generation": "poll",
                "/v1/files/retrieve": "file"}.get(path, "other")

    def error_body(self, status: int, message: str) -> Any:
        return {"base_resp": {"status_code": 1000, "status_msg": message}}

    def moderation_reply(self) -> Reply:
        return Reply(200, {"task_id": "", "base_resp": {
            "status_code": 1026, "status_msg": "input new_sensitive"}})

    def route(self, method: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str], body: bytes) -> Reply:
        if not self.authorized(headers):
            return Reply(200, {"base_resp": {"status_code": 1004,
                                             "status_msg": "login fail: Please carry the API "
                                             "secret key in the 'Authorization' field"}})
        if path == "/v1/video_generation" and method == "POST":
            data = json.loads(body or b"{}")
            problems = [k for k in ("model", "prompt") if not data.get(k)]
            if data.get("model") != "MiniMax-Hailuo-02":
                problems.append("model")
            if data.get("duration") not in (6, 10):
                problems.append("duration")
            if data.get("resolution") not in ("768P", "1080P") or (
                    data.get("resolution") == "1080P" and data.get("duration") != 6):
                problems.append("resolution")
            for key in ("first_frame_image", "last_frame_image"):
                if key in data and not str(data[key]).startswith(("data:image/", "https://")):
                    problems.append(key)
            if "last_frame_image" in data and "first_frame_image" not in data:
                problems.append("last_frame_image without first_frame_image")
            unknown = set(data) - {"model", "prompt", "duration", "resolution",
                                   "prompt_optimizer", "first_frame_image", "last_frame_image"}
            problems += sorted(unknown)
            if problems:
                return Reply(200, {"task_id": "", "base_resp": {
                    "status_code": 2013, "status_msg": f"invalid params: {', '.join(problems)}"}})
            if "forbidden" in str(data.get("prompt")):
                return self.moderation_reply()
            job = self.new_job(request=data)
            return Reply(200, {"task_id": job["id"], "base_resp": _OK})
        if path == "/v1/query/video_generation":
            job = self.jobs.get((query.get("task_id") or [""])[0])
            if job is None:
                return Reply(200, {"base_resp": {"status_code": 2013,
                                                 "status_msg": "task not found"}})
            phase = self.phase(job)
            status = {"queued": "Queueing", "running": "Processing", "failed": "Fail",
                      "moderated": "Fail", "cancelled": "Fail"}.get(phase, "Success")
            answer: dict[str, Any] = {"task_id": job["id"], "status": status,
                                      "base_resp": _OK}
            if status == "Success":
                answer.update(file_id=int(job["id"].replace("-", "")[:12], 16),
                              video_width=1366, video_height=768)
            return Reply(200, answer)
        if path == "/v1/files/retrieve":
            file_id = (query.get("file_id") or [""])[0]
            return Reply(200, {"file": {"file_id": int(file_id), "bytes": len(self.video),
                                        "filename": "output.mp4", "purpose": "video_generation",
                                        "download_url": self.url(f"/files/{file_id}.mp4")},
                               "base_resp": _OK})
        return Reply(404, {"base_resp": {"status_code": 404, "status_msg": "not found"}})
