"""ComfyUI live progress over the websocket (``/ws?clientId=``), and the HTTP fallback.

The loopback websocket server replays the messages a real ComfyUI 0.8.0 (CPU) sent for a
four-node prompt (EmptyImage -> ImageScale -> CreateVideo -> SaveVideo), trimmed."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from pickup.providers.base import ShotRequest, State
from pickup.providers.comfyui_ws import ProgressListener, ws_url
from pickup.providers.registry import get_provider
from tests.providers.fakes import ComfyUIFake

ws_server = pytest.importorskip("websockets.sync.server")

PID = "a06f94b5-59a0-4422-9fc5-def019d71f87"


def _node(node: str, value: float, state: str) -> dict[str, Any]:
    return {"value": value, "max": 1.0, "state": state, "node_id": node, "prompt_id": PID}


#: (message, fraction of the 4 nodes expected after it, or None to skip the check)
SCRIPT: list[tuple[dict[str, Any], float | None]] = [
    ({"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 1}}}}, None),
    ({"type": "execution_start", "data": {"prompt_id": PID, "timestamp": 1}}, None),
    ({"type": "progress_state", "data": {"prompt_id": PID,
                                         "nodes": {"1": _node("1", 0.0, "running")}}}, 0.0),
    ({"type": "executing", "data": {"node": "1", "display_node": "1", "prompt_id": PID}},
     0.0),
    ({"type": "progress_state", "data": {"prompt_id": PID, "nodes": {
        "1": _node("1", 1.0, "finished"), "4": _node("4", 0.5, "running")}}}, 0.375),
    ({"type": "progress", "data": {"value": 10, "max": 20, "prompt_id": PID, "node": "4"}},
     0.375),
    ({"type": "progress_state", "data": {"prompt_id": PID, "nodes": {
        "1": _node("1", 1.0, "finished"), "4": _node("4", 1.0, "finished"),
        "2": _node("2", 1.0, "finished")}}}, 0.75),
    ({"type": "execution_success", "data": {"prompt_id": PID, "timestamp": 2}}, 1.0),
    ({"type": "executing", "data": {"node": None, "prompt_id": PID}}, 1.0),
]


@contextmanager
def _ws_fake(script: list[tuple[dict[str, Any], float | None]],
             step: threading.Semaphore) -> Iterator[tuple[str, list[str]]]:
    paths: list[str] = []

    def handler(connection: Any) -> None:
        paths.append(connection.request.path)
        connection.send(b"\x00\x00\x00\x01preview")  # a binary preview frame: ignored
        for message, _ in script:
            if not step.acquire(timeout=10):
                return
            connection.send(json.dumps(message))
        time.sleep(0.2)

    with ws_server.serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        host, port = server.socket.getsockname()[:2]
        try:
            yield f"http://{host}:{port}", paths
        finally:
            for _ in script:  # let the handler finish its script
                step.release()
            server.shutdown()


def _wait(check: Any, limit_s: float = 5.0) -> Any:
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("timed out")


def test_ws_url() -> None:
    assert ws_url("http://127.0.0.1:8188", "c 1") == "ws://127.0.0.1:8188/ws?clientId=c+1"
    assert ws_url("https://gpu.example/comfy/", "c") == "wss://gpu.example/comfy/ws?clientId=c"


def test_listener_follows_progress_and_node_states() -> None:
    step = threading.Semaphore(0)
    with _ws_fake(SCRIPT, step) as (server, paths):
        listener = ProgressListener(server, "client-7").start()
        try:
            assert listener.connected.wait(5)
            for index, (_, expected) in enumerate(SCRIPT):
                step.release()
                if expected is None:
                    continue
                state = _wait(lambda: listener.progress(PID))
                want = expected

                def reached(want: float = want) -> bool:
                    found = listener.progress(PID)
                    return found is not None and found.fraction(4) == pytest.approx(want)

                assert _wait(reached), (index, listener.progress(PID))
            final = listener.progress(PID)
            assert final is not None and final.finished and final.fraction(4) == 1.0
            assert final.value == 10 and final.max == 20  # the sampler-style event
            assert state is not None
        finally:
            listener.stop()
        assert paths == ["/ws?clientId=client-7"]


def test_poll_reports_websocket_progress_while_running(video_bytes: bytes,
                                                       tmp_path: Path) -> None:
    step = threading.Semaphore(0)
    with ComfyUIFake(video_bytes) as fake, _ws_fake(SCRIPT, step) as (ws_server_url, _):
        fake.running_polls = 50
        provider = get_provider("comfyui", base_url=fake.base_url, use_config=False)
        provider._listeners[fake.base_url] = ProgressListener(ws_server_url,
                                                              provider.client_id).start()
        req = ShotRequest(slot_id="s", prompt="p", kind=None, frames=12, rate=Fraction(24),
                          width=64, height=36, seed=1)
        handle = provider.submit(req, tmp_path)
        fake.jobs[PID] = fake.jobs.pop(handle.job_id)  # the ws script speaks of PID
        fake.jobs[PID]["id"] = PID
        handle = type(handle)(provider="comfyui", job_id=PID,
                              data={**handle.data, "nodes": 4})
        while provider.poll(handle).state is not State.RUNNING:
            pass
        assert provider.poll(handle).progress is None  # nothing heard yet
        for _ in range(5):
            step.release()

        def progressed() -> float | None:
            status = provider.poll(handle)
            return status.progress if status.progress and status.progress > 0.3 else None

        assert _wait(progressed) == pytest.approx(0.375)
        provider.close()


def test_http_fallback_when_the_websocket_is_refused(video_bytes: bytes,
                                                     tmp_path: Path) -> None:
    with ComfyUIFake(video_bytes) as fake:  # answers 404 to /ws: no websocket
        provider = get_provider("comfyui", base_url=fake.base_url, use_config=False)
        req = ShotRequest(slot_id="s", prompt="p", kind=None, frames=12, rate=Fraction(24),
                          width=64, height=36, seed=1)
        handle = provider.submit(req, tmp_path)
        listener = provider.listener(fake.base_url)
        assert listener is not None
        _wait(lambda: listener.error)
        status = provider.poll(handle)
        while not status.state.terminal:
            status = provider.poll(handle)
        assert status.state is State.SUCCEEDED and not listener.connected.is_set()
        provider.close()
    off = get_provider("comfyui", base_url="http://127.0.0.1:9", websocket=False,
                       use_config=False)
    assert off.listener("http://127.0.0.1:9") is None
