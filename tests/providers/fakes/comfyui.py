"""A fake ComfyUI server: /prompt, /queue, /history, /view, /upload/image, /interrupt."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.providers.fakes.base import FakeAPI, Reply


class ComfyUIFake(FakeAPI):
    expired_status = 404  # /view answers 404 once the output file is gone

    def __init__(self, video: bytes, **kwargs: Any) -> None:
        super().__init__(video, **kwargs)
        self.number = 0
        self.others_pending = 0  # jobs of other clients queued on this server
        self.uploads: list[str] = []
        self.interrupted: list[str | None] = []

    def classify(self, method: str, path: str) -> str:
        if path == "/view":
            return "download"
        if path == "/prompt" and method == "POST":
            return "submit"
        if path.startswith("/history/"):
            return "poll"
        if path in ("/interrupt",) or (path == "/queue" and method == "POST"):
            return "cancel"
        if path == "/queue":
            return "queue"
        if path == "/upload/image":
            return "upload"
        return "other"

    def error_body(self, status: int, message: str) -> Any:
        return {"error": {"type": "server_error", "message": message, "details": "",
                          "extra_info": {}}, "node_errors": {}}

    def route(self, method: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str], body: bytes) -> Reply:
        if path == "/prompt" and method == "POST":
            return self._prompt(json.loads(body or b"{}"))
        if path == "/queue" and method == "GET":
            return Reply(200, self._queue())
        if path == "/queue" and method == "POST":
            data = json.loads(body or b"{}")
            for pid in data.get("delete", []):
                job = self.jobs.get(pid)
                if job and self.phase(job, advance=False) == "queued":
                    job["cancelled"] = job["deleted"] = True
            return Reply(200, b"")
        if path == "/interrupt" and method == "POST":
            data = json.loads(body or b"{}")
            pid = data.get("prompt_id")
            self.interrupted.append(pid)
            job = self.jobs.get(pid) if pid else None
            if job and self.phase(job, advance=False) == "running":
                job["cancelled"] = True
            return Reply(200, b"")
        if path.startswith("/history/"):
            pid = path.rsplit("/", 1)[1]
            job = self.jobs.get(pid)
            if job is None or job.get("deleted"):
                return Reply(200, {})
            phase = self.phase(job, advance=False)
            if phase in ("queued", "running"):
                job["seen"] = True  # the client will look at /queue next; advance after that
                return Reply(200, {})
            return Reply(200, {pid: self._history(job, phase)})
        if path == "/upload/image" and method == "POST":
            if not headers.get("content-type", "").startswith("multipart/form-data") or \
                    b'name="image"' not in body:
                return Reply(400, b"")
            name = f"frame_{len(self.uploads)}.png"
            self.uploads.append(name)
            return Reply(200, {"name": name, "subfolder": "pickup", "type": "input"})
        return Reply(404, b"404: Not Found")

    def _prompt(self, data: dict[str, Any]) -> Reply:
        prompt = data.get("prompt")
        if not isinstance(prompt, dict) or not prompt:
            return Reply(400, {"error": {"type": "no_prompt", "message": "No prompt provided",
                                         "details": "", "extra_info": {}}, "node_errors": {}})
        bad = {nid: node for nid, node in prompt.items()
               if not isinstance(node, dict) or "class_type" not in node or
               "{{" in json.dumps(node) or nid.startswith("_")}
        if bad:
            return Reply(400, {"error": {"type": "prompt_outputs_failed_validation",
                                         "message": "Prompt outputs failed validation",
                                         "details": "", "extra_info": {}},
                               "node_errors": {nid: {"errors": [{
                                   "type": "invalid_input", "message": "bad node",
                                   "details": "", "extra_info": {}}],
                                   "dependent_outputs": [], "class_type": "?"} for nid in bad}})
        for node in prompt.values():
            for value in node.get("inputs", {}).values():
                if isinstance(value, list) and len(value) == 2 and str(value[0]) not in prompt:
                    return Reply(400, {"error": {"type": "prompt_outputs_failed_validation",
                                                 "message": "link to a missing node",
                                                 "details": "", "extra_info": {}},
                                       "node_errors": {}})
        pid = str(data.get("prompt_id") or uuid.uuid4())
        self.number += 1
        # as ComfyUI keeps it: extra_data plus the client id, in the queue and the history
        extra = {**(data.get("extra_data") or {}), "client_id": data.get("client_id")}
        self.new_job(prompt=prompt, client_id=data.get("client_id"), number=self.number,
                     extra_data=extra)
        job = self.jobs.pop(next(reversed(self.jobs)))
        job["id"] = pid
        self.jobs[pid] = job
        return Reply(200, {"prompt_id": pid, "number": self.number, "node_errors": {}})

    def _queue(self) -> dict[str, Any]:
        running, pending = [], []
        for pid, job in self.jobs.items():
            if job.get("deleted"):
                continue
            phase = self.phase(job, advance=False)
            entry = [job["number"], pid, job["prompt"], job["extra_data"], ["12"]]
            if phase == "queued":
                pending.append(entry)
            elif phase == "running":
                running.append(entry)
            if job.pop("seen", False):
                job["polls"] += 1
        others = [[-i - 1, f"other-{i}", {}, {}, []] for i in range(self.others_pending)]
        return {"queue_running": running, "queue_pending": others + pending}

    def _history(self, job: dict[str, Any], phase: str) -> dict[str, Any]:
        messages: list[list[Any]] = [["execution_start", {"prompt_id": job["id"]}]]
        outputs: dict[str, Any] = {}
        if phase == "cancelled":
            messages.append(["execution_interrupted", {"prompt_id": job["id"], "node_id": "9",
                                                       "node_type": "KSampler"}])
            status = {"status_str": "error", "completed": False, "messages": messages}
        elif phase in ("failed", "moderated"):
            messages.append(["execution_error", {
                "prompt_id": job["id"], "node_id": "9", "node_type": "KSampler",
                "exception_message": "Allocation on device", "exception_type":
                "torch.OutOfMemoryError", "traceback": []}])
            status = {"status_str": "error", "completed": False, "messages": messages}
        else:
            messages.append(["execution_success", {"prompt_id": job["id"]}])
            status = {"status_str": "success", "completed": True, "messages": messages}
            outputs = {"12": {"images": [{"filename": "pickup_00001_.mp4",
                                          "subfolder": "pickup", "type": "output"}],
                              "animated": [True]},
                       "9": {"images": [{"filename": "preview.png", "subfolder": "",
                                         "type": "temp"}]}}
        return {"prompt": [job["number"], job["id"], job["prompt"], job["extra_data"], ["12"]],
                "outputs": outputs, "status": status, "meta": {}}
