"""ComfyUI's websocket (``/ws?clientId=``): live progress for the comfyui provider.

The server pushes JSON messages to every client id: ``execution_start``, ``executing``
(``{"node", "prompt_id"}``; ``node: null`` when the prompt is done), ``progress``
(``{"value", "max", "prompt_id", "node"}``, e.g. sampler steps), ``progress_state``
(``{"prompt_id", "nodes": {id: {"value", "max", "state"}}}``, ComfyUI 0.4+), ``executed``,
``execution_success``, ``execution_error`` and ``execution_interrupted``; binary frames are
previews and are ignored.  :class:`ProgressListener` keeps one connection per server on a
daemon thread (websocket-client) and remembers the latest state of each prompt; ``poll``
reads it.  When the websocket cannot be opened (a proxy that blocks it), the listener says
so once and the provider keeps polling ``/history`` and ``/queue`` over HTTP.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

__all__ = ["ProgressListener", "PromptProgress", "ws_url"]

log = logging.getLogger(__name__)


@dataclass
class PromptProgress:
    """What the websocket said last about one prompt."""

    node: str | None = None  # the node executing now
    value: int = 0
    max: int = 0
    nodes_done: int = 0
    finished: bool = False
    updated: float = 0.0
    nodes: dict[str, float] | None = None  # node id -> done fraction (progress_state)

    def fraction(self, total_nodes: int | None = None) -> float | None:
        """How far the prompt is: over all its nodes when the server reports node states
        and ``total_nodes`` is known, else the current node's ``value / max``."""
        if self.finished:
            return 1.0
        if self.nodes and total_nodes:
            return max(0.0, min(0.99, sum(self.nodes.values()) / total_nodes))
        if self.max > 0:
            return max(0.0, min(1.0, self.value / self.max))
        return None


def ws_url(server: str, client_id: str) -> str:
    """``ws(s)://host:port/<base path>/ws?clientId=...`` for an ``http(s)`` server URL."""
    parts = urlsplit(server)
    scheme = "wss" if parts.scheme == "https" else "ws"
    path = parts.path.rstrip("/") + "/ws"
    return urlunsplit((scheme, parts.netloc, path, urlencode({"clientId": client_id}), ""))


class ProgressListener:
    """One websocket per ComfyUI server, read on a daemon thread."""

    def __init__(self, server: str, client_id: str, *, connect_timeout_s: float = 5.0) -> None:
        self.url = ws_url(server, client_id)
        self.connect_timeout_s = connect_timeout_s
        self.prompts: dict[str, PromptProgress] = {}
        self.error: str | None = None  # why the websocket is not used (HTTP fallback)
        self.connected = threading.Event()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._socket: Any = None

    def start(self) -> ProgressListener:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="comfyui-ws", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        socket = self._socket
        if socket is not None:
            with contextlib.suppress(Exception):  # closing a broken socket
                socket.close()

    def progress(self, prompt_id: str) -> PromptProgress | None:
        with self._lock:
            found = self.prompts.get(prompt_id)
            if found is None:
                return None
            copy = PromptProgress(**found.__dict__)
            copy.nodes = dict(found.nodes) if found.nodes is not None else None
            return copy

    # -- the reader ------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            import websocket  # websocket-client
        except ImportError as exc:  # pragma: no cover - a declared dependency
            self.error = f"websocket-client is not installed ({exc})"
            return
        failures = 0
        while not self._stop.is_set():
            try:
                self._socket = websocket.create_connection(self.url,
                                                           timeout=self.connect_timeout_s)
                self._socket.settimeout(1.0)
                self.connected.set()
                self.error = None
                failures = 0
                self._read(websocket)
            except Exception as exc:  # any failure means HTTP polling only
                self.connected.clear()
                failures += 1
                if self.error is None:
                    log.info("ComfyUI websocket %s unavailable (%s); polling over HTTP",
                             self.url.split("?")[0], exc)
                self.error = str(exc) or type(exc).__name__
            if self._stop.wait(min(30.0, 0.5 * 2 ** min(failures, 6))):
                break

    def _read(self, websocket: Any) -> None:
        while not self._stop.is_set():
            try:
                message = self._socket.recv()
            except websocket.WebSocketTimeoutException:
                continue
            if isinstance(message, bytes) or not message:
                continue  # previews
            try:
                self._handle(json.loads(message))
            except (ValueError, TypeError, AttributeError):
                continue

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        data = message.get("data") or {}
        pid = data.get("prompt_id")
        if not pid or kind not in ("execution_start", "executing", "progress",
                                   "progress_state", "executed",
                                   "execution_success", "execution_error",
                                   "execution_interrupted", "execution_cached"):
            return
        with self._lock:
            state = self.prompts.setdefault(str(pid), PromptProgress())
            state.updated = time.monotonic()
            if kind == "executing":
                node = data.get("node")
                if node is None:
                    state.finished = True
                else:
                    if state.node is not None and str(node) != state.node:
                        state.nodes_done += 1
                    state.node, state.value, state.max = str(node), 0, 0
            elif kind == "progress":
                state.node = str(data.get("node") or state.node)
                state.value, state.max = int(data.get("value") or 0), int(data.get("max") or 0)
            elif kind == "progress_state":
                nodes = data.get("nodes") or {}
                state.nodes = {
                    str(node_id): 1.0 if info.get("state") == "finished" else
                    (float(info.get("value") or 0) / float(info["max"])
                     if info.get("max") else 0.0)
                    for node_id, info in nodes.items() if isinstance(info, dict)}
            elif kind in ("execution_success", "execution_error", "execution_interrupted"):
                state.finished = True
