"""The ComfyUI backend: a self-hosted server (or a pool of them) running a workflow.

Contract (ComfyUI's HTTP server): ``POST /upload/image`` (multipart ``image``,
``type``, ``subfolder``, ``overwrite``) returns ``{"name", "subfolder", "type"}``;
``POST /prompt`` with ``{"prompt", "client_id", "prompt_id"}`` queues a graph
in API format (Pickup chooses the ``prompt_id``, so a resubmission after a crash
can find the job instead of queueing it twice) and answers ``{"prompt_id",
"number", "node_errors"}`` or HTTP 400 ``{"error", "node_errors"}``;
``GET /queue`` lists ``queue_running``/``queue_pending`` entries ``[number,
prompt_id, ...]``; ``GET /history/{id}`` holds a finished job's ``status``
(``status_str``, ``messages``) and ``outputs`` -- ``SaveVideo``/``SaveWEBM`` give
``images`` with ``animated``, ``VHS_VideoCombine`` gives ``gifs`` -- fetched from
``GET /view?filename=&subfolder=&type=``.  Cancel is ``POST /queue {"delete"}``
plus ``POST /interrupt {"prompt_id"}``.  Jobs go to the pool member with the
shortest queue.  Live progress comes from the websocket ``/ws?clientId=`` (``progress``
value/max and ``executing`` events, :mod:`pickup.providers.comfyui_ws`); without it, the
queue and history over HTTP still tell queued, running and done.

Workflow placeholders (string values, the whole value keeps its type):
``{{prompt}}``, ``{{negative}}``, ``{{seed}}``, ``{{width}}``, ``{{height}}``,
``{{frames}}``, ``{{fps}}``, ``{{first_image}}``, ``{{last_image}}``, ``{{slot}}``.
A node whose image placeholder has no image is dropped with every link to it,
so image inputs must be optional inputs of the nodes they feed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import random
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

from pickup.errors import ConfigError, ProviderError
from pickup.providers.base import Capabilities, JobHandle, JobStatus, ShotRequest, State
from pickup.providers.comfyui_ws import ProgressListener
from pickup.providers.http import HttpProvider, _is_loopback, check_url, safe_url
from pickup.providers.workflows import WORKFLOWS, workflow_path

__all__ = ["PLACEHOLDERS", "ComfyUIProvider", "fill_workflow"]

PLACEHOLDERS = ("prompt", "negative", "seed", "width", "height", "frames", "fps",
                "first_image", "last_image", "slot")
_IMAGE_KEYS = ("first_image", "last_image")
_VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv", ".m4v")
_NAMESPACE = uuid.UUID("5b0f6c1e-8d2a-4b8e-9a57-2f1c0e6d7a11")
_MODEL_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".sft", ".onnx")
_IDENTITY_KEY = "pickup_request"  # in the prompt's extra_data: which Pickup request it is


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"),
                                     default=str).encode()).hexdigest()[:32]


def model_files(graph: dict[str, Any]) -> list[str]:
    """The model files a workflow names: string inputs ending in a weights suffix, plus
    its ``_pickup.model_files`` notes."""
    found: set[str] = set()
    for node_id, node in graph.items():
        if node_id.startswith("_") or not isinstance(node, dict):
            continue
        for value in (node.get("inputs") or {}).values():
            if isinstance(value, str) and value.lower().endswith(_MODEL_SUFFIXES):
                found.add(value)
    notes = graph.get("_pickup", {}) if isinstance(graph.get("_pickup"), dict) else {}
    for item in notes.get("model_files") or ():
        found.add(str(item.get("file") if isinstance(item, dict) else item))
    return sorted(found)


def fill_workflow(graph: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``graph`` with placeholders filled; image nodes without an image dropped."""
    graph = {k: copy.deepcopy(v) for k, v in graph.items() if not k.startswith("_")}
    missing = {key for key in _IMAGE_KEYS if values.get(key) is None}
    dropped = {node_id for node_id, node in graph.items()
               if any(f"{{{{{key}}}}}" in json.dumps(node.get("inputs", {})) for key in missing)}
    for node_id in dropped:
        del graph[node_id]
    unknown: set[str] = set()

    def fill(value: Any) -> Any:
        if isinstance(value, str) and "{{" in value:
            stripped = value.strip()
            if stripped.startswith("{{") and stripped.endswith("}}") and \
                    stripped.count("{{") == 1:
                key = stripped[2:-2].strip()
                if key in values:
                    return values[key]
                unknown.add(key)
                return value
            for key, item in values.items():
                value = value.replace(f"{{{{{key}}}}}", "" if item is None else str(item))
            if "{{" in value:
                unknown.add(value)
            return value
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    for node in graph.values():
        inputs = node.get("inputs", {})
        for name in list(inputs):
            link = inputs[name]
            if isinstance(link, list) and len(link) == 2 and str(link[0]) in dropped:
                del inputs[name]
            else:
                inputs[name] = fill(link)
    if unknown:
        raise ConfigError(f"the workflow has unknown placeholders: {', '.join(sorted(unknown))}",
                          where="provider comfyui",
                          hint=f"use only {', '.join('{{' + p + '}}' for p in PLACEHOLDERS)}")
    return graph


class ComfyUIProvider(HttpProvider):
    """A self-hosted ComfyUI server, or a pool of them, running a workflow file."""

    name = "comfyui"
    key_env = None
    default_base_url = "http://127.0.0.1:8188"
    default_model = "wan2.2-ti2v-5b"
    allow_http = True  # a self-hosted URL the user configured explicitly
    open_models = True
    poll_after_s = 2.0
    MODELS: ClassVar[dict[str, Capabilities]] = {}

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        urls = self.options.get("urls") or [self.base_url]
        if isinstance(urls, str):
            urls = [u for u in urls.replace(",", " ").split() if u]
        self.servers = [check_url(str(u).rstrip("/"), provider=self.name, allow_http=True,
                                  what="ComfyUI URL") for u in urls]
        self.client_id = str(self.options.get("client_id") or uuid.uuid4())
        self._workflows: dict[str, dict[str, Any]] = {}
        self.use_websocket = bool(self.options.get("websocket", True))
        self._listeners: dict[str, ProgressListener] = {}

    # -- live progress ---------------------------------------------------------------------
    def listener(self, server: str, *, wait_s: float = 0.0) -> ProgressListener | None:
        """The websocket listener of ``server`` (started on first use), or None when the
        websocket is switched off (``websocket = false``)."""
        if not self.use_websocket:
            return None
        found = self._listeners.get(server)
        if found is None:
            found = self._listeners[server] = ProgressListener(
                server, self.client_id,
                connect_timeout_s=self.client.limits.connect_timeout_s).start()
        end = time.monotonic() + wait_s
        while found.error is None and not found.connected.is_set() and \
                time.monotonic() < end:
            found.connected.wait(0.02)
        return found

    def close(self) -> None:
        """Stop the websocket listeners."""
        for listener in self._listeners.values():
            listener.stop()
        self._listeners.clear()

    # -- workflows ---------------------------------------------------------------------------
    def models(self) -> list[str]:
        """The default model (the configured workflow, when one is set) first."""
        return [self.model] + [name for name in WORKFLOWS if name != self.model]

    def workflow_file(self, model: str | None = None) -> Path:
        """The workflow file ``model`` runs: the configured one for the default model."""
        return self._workflow_file(model or self.model)

    def _workflow_file(self, model: str) -> Path:
        configured = self.options.get("workflow")
        if configured and model == self.model:
            return Path(str(configured)).expanduser()
        shipped = workflow_path(model)
        if shipped is not None:
            return shipped
        path = Path(model).expanduser()
        if path.suffix == ".json":
            return path
        raise ConfigError(f"unknown workflow {model!r}", where="provider comfyui",
                          hint=f"choose {', '.join(WORKFLOWS)} or give a path to a workflow "
                          "JSON in ComfyUI's API format (option `workflow`)")

    def workflow(self, model: str | None = None) -> dict[str, Any]:
        """The workflow graph (with its ``_pickup`` notes) for ``model``."""
        name = model or self.model
        if name not in self._workflows:
            path = self._workflow_file(name)
            try:
                graph = json.loads(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise ConfigError(f"cannot read the workflow: {exc.strerror or exc}",
                                  where=str(path)) from None
            except json.JSONDecodeError as exc:
                raise ConfigError(f"the workflow is not JSON: {exc}", where=str(path)) from None
            if not isinstance(graph, dict) or not all(
                    isinstance(n, dict) and "class_type" in n
                    for k, n in graph.items() if not k.startswith("_")):
                raise ConfigError("not a workflow in ComfyUI's API format (a map of node id "
                                  "to {class_type, inputs})", where=str(path),
                                  hint="export it with 'Export (API)' in ComfyUI")
            self._workflows[name] = graph
        return self._workflows[name]

    def capabilities(self, model: str | None) -> Capabilities:
        name = model or self.model
        graph = self.workflow(name)
        meta = graph.get("_pickup", {})
        text = json.dumps({k: v for k, v in graph.items() if not k.startswith("_")})
        fps = tuple(float(f) for f in meta.get("fps", ())) or None
        max_frames = meta.get("max_frames")
        caps = Capabilities(
            max_duration_s=(max_frames / fps[0]) if (max_frames and fps) else None,
            fps=fps, first_frame="{{first_image}}" in text, last_frame="{{last_image}}" in text,
            cancel=True, price_per_second=0.0,
            local=all(_is_loopback(urlsplit(u).hostname) for u in self.servers),
            sizes=tuple(tuple(s) for s in meta.get("sizes", ())) or None)  # type: ignore[misc]
        price = self._config.price(self.name, name) if self._config else None
        return replace(caps, price_per_second=price) if price is not None else caps

    def request_identity(self, req: ShotRequest) -> dict[str, Any]:
        """What, beside the request, decides the output: the workflow's content (the
        template the placeholders are filled into, with its notes) and the model files it
        names.  The engine puts this in the request, so an edited workflow is a new request
        (cache key, idempotency key and ``prompt_id`` all change)."""
        graph = self.workflow(self.resolve_model(req))
        return {"workflow": _digest(graph), "model_files": model_files(graph)}

    # -- the pool ------------------------------------------------------------------------------
    def _queue(self, server: str) -> dict[str, Any]:
        return self.client.json("GET", f"{server}/queue")

    def pick_server(self) -> str:
        """The reachable pool member with the fewest running + pending jobs."""
        if len(self.servers) == 1:
            return self.servers[0]
        best: tuple[int, int, str] | None = None
        problems: list[str] = []
        for order, server in enumerate(self.servers):
            try:
                queue = self._queue(server)
            except ProviderError as exc:
                problems.append(f"{safe_url(server)}: {exc.message}")
                continue
            load = len(queue.get("queue_running") or []) + len(queue.get("queue_pending") or [])
            if best is None or (load, order) < best[:2]:
                best = (load, order, server)
        if best is None:
            raise ProviderError("no ComfyUI server in the pool answers: " + "; ".join(problems),
                                provider=self.name, retryable=True, code="connection",
                                hint="start the servers or fix [providers.comfyui] urls")
        return best[2]

    # -- jobs ----------------------------------------------------------------------------------
    def _prompt_id(self, req: ShotRequest) -> str:
        key = req.extra.get("idempotency_key")
        return str(uuid.uuid5(_NAMESPACE, str(key))) if key else str(uuid.uuid4())

    def _upload(self, server: str, path: Path) -> str:
        with open(path, "rb") as handle:
            answer = self.client.json(
                "POST", f"{server}/upload/image",
                files={"image": (Path(path).name, handle, "image/png")},
                data={"type": "input", "subfolder": "pickup", "overwrite": "true"})
        name = str(answer["name"])
        sub = str(answer.get("subfolder") or "")
        return f"{sub}/{name}" if sub else name

    def _values(self, req: ShotRequest, graph: dict[str, Any]) -> dict[str, Any]:
        meta = graph.get("_pickup", {})
        width, height = req.width, req.height
        sizes = meta.get("sizes")
        if sizes:
            target = math.log(req.width / req.height)
            width, height = min(sizes, key=lambda s: abs(math.log(s[0] / s[1]) - target))
        fps_choices = meta.get("fps") or [float(req.rate)]
        fps = min(fps_choices, key=lambda f: abs(float(f) - float(req.rate)))
        frames = max(1, math.ceil(req.frames * float(fps) / float(req.rate)))
        if meta.get("frames_rule") == "4n+1":
            frames = 4 * math.ceil((frames - 1) / 4) + 1
        if meta.get("max_frames"):
            frames = min(frames, int(meta["max_frames"]))
        seed = req.seed if req.seed is not None else random.SystemRandom().randrange(2**32)
        return {"prompt": req.prompt, "negative": req.negative_prompt or "", "seed": int(seed),
                "width": int(width), "height": int(height), "frames": int(frames),
                "fps": fps, "slot": "".join(c if c.isalnum() else "_" for c in req.slot_id),
                "first_image": None, "last_image": None}

    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        self.validate(req)
        model = self.resolve_model(req)
        graph = self.workflow(model)
        values = self._values(req, graph)
        server = self.pick_server()
        for key, path in (("first_image", req.first_frame), ("last_image", req.last_frame)):
            if path is not None:
                values[key] = self._upload(server, Path(path))
        prompt = fill_workflow(graph, values)
        prompt_id = self._prompt_id(req)
        identity = self._identity(req, graph)
        self.listener(server, wait_s=1.0)  # listen before queueing: progress goes to us
        response = self.client.request("POST", f"{server}/prompt", ok=(400,), json={
            "prompt": prompt, "client_id": self.client_id, "prompt_id": prompt_id,
            "extra_data": {_IDENTITY_KEY: identity}})
        try:
            answer = response.json() if response.content else {}
        except ValueError:
            answer = {}
        if response.status_code == 400 or (isinstance(answer, dict) and
                                            answer.get("node_errors")):
            raise ProviderError(
                "the server rejected the workflow: " + _rejection(answer),
                provider=self.name, where=f"provider comfyui, {safe_url(server)}",
                code="node_errors",
                hint="install the nodes and model files the workflow names, or fix the "
                "input named (docs/providers.md)")
        return JobHandle(provider=self.name, job_id=str(answer.get("prompt_id") or prompt_id),
                         data={"server": server, "model": model,
                               "number": answer.get("number"), "identity": identity,
                               "nodes": len(prompt)})

    def _identity(self, req: ShotRequest, graph: dict[str, Any]) -> str:
        """Names this request at the server (stored in the prompt's ``extra_data``)."""
        key = req.extra.get("idempotency_key")
        return _digest({"key": key, "workflow": _digest(graph),
                        "request": None if key else req.cache_key(self.name)})

    @staticmethod
    def _held_identity(entry: Any) -> str | None:
        """The Pickup identity a history or queue entry was queued with (None: not Pickup's)."""
        prompt = entry.get("prompt") if isinstance(entry, dict) else entry
        if isinstance(prompt, list) and len(prompt) > 3 and isinstance(prompt[3], dict):
            value = prompt[3].get(_IDENTITY_KEY)
            return str(value) if value else None
        return None

    def find_existing(self, req: ShotRequest, idempotency_key: str) -> JobHandle | None:
        """The job queued earlier under ``idempotency_key`` on any pool member, if any."""
        prompt_id = str(uuid.uuid5(_NAMESPACE, str(idempotency_key)))
        model = self.resolve_model(req)
        keyed = replace(req, extra={**dict(req.extra), "idempotency_key": idempotency_key})
        identity = self._identity(keyed, self.workflow(model))
        for server in self.servers:
            handle = JobHandle(provider=self.name, job_id=prompt_id,
                               data={"server": server, "model": model, "identity": identity})
            try:
                history = self.client.json("GET", f"{server}/history/{prompt_id}")
                if prompt_id in history:
                    # a prompt under this id that Pickup did not queue for this very request
                    # (another workflow, another tool) is never taken as the result
                    if self._held_identity(history[prompt_id]) == identity:
                        return handle
                    continue
                queue = self._queue(server)
            except ProviderError:
                continue
            for entry in (queue.get("queue_running") or []) + (queue.get("queue_pending") or []):
                if len(entry) > 1 and entry[1] == prompt_id and \
                        self._held_identity(entry) == identity:
                    return handle
        return None

    def poll(self, handle: JobHandle) -> JobStatus:
        server = handle.data["server"]
        pid = handle.job_id
        history = self.client.json("GET", f"{server}/history/{pid}")
        if pid in history:
            return self._finished(server, history[pid], handle)
        queue = self._queue(server)
        if any(len(e) > 1 and e[1] == pid for e in queue.get("queue_running") or []):
            listener = self.listener(server)
            live = listener.progress(pid) if listener is not None else None
            return JobStatus(state=State.RUNNING,
                             progress=live.fraction(handle.data.get("nodes"))
                             if live is not None else None,
                             poll_after_s=self.poll_after_s if live is None
                             else min(self.poll_after_s, 1.0))
        pending = sorted((e for e in queue.get("queue_pending") or [] if len(e) > 1),
                         key=lambda e: e[0])
        for position, entry in enumerate(pending):
            if entry[1] == pid:
                return JobStatus(state=State.QUEUED, queue_position=position,
                                 poll_after_s=self.poll_after_s)
        history = self.client.json("GET", f"{server}/history/{pid}")  # it may just have ended
        if pid in history:
            return self._finished(server, history[pid], handle)
        return JobStatus(state=State.FAILED, error_code="lost", retryable=True,
                         error="the server no longer knows the job (was it restarted?)")

    def _finished(self, server: str, entry: dict[str, Any],
                  handle: JobHandle | None = None) -> JobStatus:
        expected = handle.data.get("identity") if handle is not None else None
        if expected and self._held_identity(entry) != expected:
            return JobStatus(state=State.FAILED, error_code="foreign_prompt", retryable=False,
                             error="the server holds a different prompt under this job's id; "
                             "its output is not this request's")
        status = entry.get("status") or {}
        messages = status.get("messages") or []
        kinds = {m[0]: m[1] for m in messages if isinstance(m, list) and len(m) == 2}
        if "execution_interrupted" in kinds:
            return JobStatus(state=State.CANCELLED, error="interrupted")
        if status.get("status_str") == "error" or "execution_error" in kinds:
            info = kinds.get("execution_error") or {}
            text = str(info.get("exception_message") or "the workflow failed").strip()
            node = info.get("node_type")
            return JobStatus(state=State.FAILED, error=f"{node}: {text}" if node else text,
                             error_code=str(info.get("exception_type") or "execution_error"),
                             retryable="OutOfMemory" in str(info.get("exception_type")))
        urls: list[str] = []
        for output in (entry.get("outputs") or {}).values():
            files = list(output.get("gifs") or [])
            images = output.get("images") or []
            if any(output.get("animated") or ()):
                files += images
            else:
                files += [f for f in images
                          if str(f.get("filename", "")).lower().endswith(_VIDEO_SUFFIXES)]
            for item in files:
                query = urlencode({"filename": item.get("filename", ""),
                                   "subfolder": item.get("subfolder", ""),
                                   "type": item.get("type", "output")})
                urls.append(f"{server}/view?{query}")
        if not urls:
            return JobStatus(state=State.FAILED, error_code="no_output",
                             error="the workflow finished without a video output",
                             )
        return JobStatus(state=State.SUCCEEDED, progress=1.0, outputs=tuple(urls))

    def cancel(self, handle: JobHandle) -> bool:
        server = handle.data["server"]
        self.client.request("POST", f"{server}/queue", json={"delete": [handle.job_id]})
        queue = self._queue(server)
        if any(len(e) > 1 and e[1] == handle.job_id for e in queue.get("queue_running") or []):
            self.client.request("POST", f"{server}/interrupt", json={"prompt_id": handle.job_id})
        return True


def _rejection(answer: Any) -> str:
    """ComfyUI's reasons for refusing a prompt: every node, input and reason in
    ``node_errors`` (top level of the HTTP 400 body), else the ``error`` message."""
    parts: list[str] = []
    node_errors = answer.get("node_errors") if isinstance(answer, dict) else None
    for node_id, info in (node_errors or {}).items():
        if not isinstance(info, dict):
            continue
        for error in info.get("errors") or [{}]:
            extra = error.get("extra_info") or {}
            name = extra.get("input_name")
            details = str(error.get("details") or "").strip()
            reason = str(error.get("message") or "invalid").strip()
            if details and details != name:
                reason = f"{reason}: {details}"
            parts.append(f"node {node_id} {info.get('class_type', '?')}"
                         + (f", input {name}" if name else "") + f": {reason}")
    if parts:
        return "; ".join(parts)[:1000]
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict):
        text = str(error.get("message") or error.get("type") or "invalid prompt")
        return text + (f": {error['details']}" if error.get("details") else "")
    return str(error or "HTTP 400 without a reason")
