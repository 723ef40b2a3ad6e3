"""A fake Kling API: HS256 JWT bearer checked against the access/secret key pair,
text2video / image2video tasks, Kling's error codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from tests.providers.fakes.base import FakeAPI, Reply

ACCESS, SECRET = "ak-test-0123456789", "sk-test-abcdefghijklmnop"
_RATIOS = {"16:9", "9:16", "1:1"}


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class KlingFake(FakeAPI):
    expired_status = 403

    def classify(self, method: str, path: str) -> str:
        if path.startswith("/files/"):
            return "download"
        if method == "POST" and path in ("/v1/videos/text2video", "/v1/videos/image2video"):
            return "submit"
        if method == "GET" and path in ("/v1/videos/text2video", "/v1/videos/image2video"):
            return "list"
        if method == "GET" and path.startswith("/v1/videos/"):
            return "poll"
        return "other"

    def error_body(self, status: int, message: str) -> Any:
        return {"code": 5000, "message": message, "request_id": "r"}

    def moderation_reply(self) -> Reply:
        return Reply(400, {"code": 1301, "message": "Trigger the content security policy",
                           "request_id": "r"})

    def _jwt_ok(self, headers: dict[str, str]) -> bool:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        try:
            header, claims, signature = token.split(".")
        except ValueError:
            return False
        expected = hmac.new(SECRET.encode(), f"{header}.{claims}".encode(),
                            hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            return False
        data = json.loads(_unb64(claims))
        head = json.loads(_unb64(header))
        now = time.time()
        return (head.get("alg") == "HS256" and data.get("iss") == ACCESS
                and data.get("nbf", now + 1) <= now < data.get("exp", 0))

    def route(self, method: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str], body: bytes) -> Reply:
        if not self._jwt_ok(headers):
            return Reply(401, {"code": 1004, "message": "Authorization is invalid",
                               "request_id": "r"})
        if method == "POST":
            data = json.loads(body or b"{}")
            problems = []
            kind = path.rsplit("/", 1)[1]
            if data.get("duration") not in ("5", "10"):
                problems.append("duration")
            if data.get("mode") not in ("std", "pro"):
                problems.append("mode")
            if kind == "text2video":
                if data.get("aspect_ratio") not in _RATIOS or "image" in data:
                    problems.append("aspect_ratio/image")
                if data.get("model_name") != "kling-v2-1-master":
                    problems.append("model_name")
            else:
                for key in ("image", "image_tail"):
                    if key in data:
                        try:
                            base64.b64decode(data[key], validate=True)
                        except ValueError:
                            problems.append(f"{key} (bare base64, no data: prefix)")
                if "image" not in data or "aspect_ratio" in data:
                    problems.append("image/aspect_ratio")
                if "image_tail" in data and data.get("mode") != "pro":
                    problems.append("image_tail needs mode pro")
            if problems:
                return Reply(400, {"code": 1201, "message": f"invalid: {', '.join(problems)}",
                                   "request_id": "r"})
            if "forbidden" in str(data.get("prompt")):
                return self.moderation_reply()
            job = self.new_job(request=data, kind=kind)
            return Reply(200, {"code": 0, "message": "SUCCEED", "request_id": "r", "data": {
                "task_id": job["id"], "task_status": "submitted",
                "task_info": {"external_task_id": data.get("external_task_id", "")},
                "created_at": 1, "updated_at": 1}})
        if path in ("/v1/videos/text2video", "/v1/videos/image2video"):
            # Query Task (List): newest first, pageNum from 1, pageSize 1-500 (default 30)
            kind = path.rsplit("/", 1)[1]
            number = int(query.get("pageNum", ["1"])[0])
            size = int(query.get("pageSize", ["30"])[0])
            if not (1 <= number <= 1000 and 1 <= size <= 500):
                return Reply(400, {"code": 1201, "message": "invalid: pageNum/pageSize",
                                   "request_id": "r"})
            tasks = [j for j in reversed(list(self.jobs.values())) if j["kind"] == kind]
            page = tasks[(number - 1) * size:number * size]
            return Reply(200, {"code": 0, "message": "SUCCEED", "request_id": "r", "data": [
                {"task_id": j["id"], "task_status": "submitted", "created_at": 1,
                 "updated_at": 1,
                 "task_info": {"external_task_id": j["request"].get("external_task_id", "")}}
                for j in page]})
        kind, task_id = path.split("/")[-2:]
        job = self.jobs.get(task_id)
        if job is None or job["kind"] != kind:
            return Reply(404, {"code": 1203, "message": "task not found", "request_id": "r"})
        phase = self.phase(job)
        data: dict[str, Any] = {"task_id": task_id, "created_at": 1, "updated_at": 2}
        if phase == "queued":
            data["task_status"] = "submitted"
        elif phase == "running":
            data["task_status"] = "processing"
        elif phase in ("failed", "moderated", "cancelled"):
            data.update(task_status="failed", task_status_msg="Failure to pass the risk "
                        "control system" if phase == "moderated" else "internal error")
        else:
            data.update(task_status="succeed", task_result={"videos": [
                {"id": "v1", "url": self.url(f"/files/{task_id}.mp4"),
                 "duration": job["request"]["duration"]}]})
        return Reply(200, {"code": 0, "message": "SUCCEED", "request_id": "r", "data": data})
