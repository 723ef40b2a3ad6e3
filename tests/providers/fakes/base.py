"""The loopback fake-server base: a ThreadingHTTPServer on 127.0.0.1:0 with scripted faults.

Each API fake subclasses :class:`FakeAPI` and implements ``route`` (its paths,
bodies and status flow) and ``classify`` (which kind of call a request is, so a
test can inject a fault into, say, the next ``poll``).  The base serves output
files with the download faults the contract suite needs (expired link, reset,
truncation, wrong type, chunked, stalls) and records every request.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["KEY", "FakeAPI", "Recorded", "Reply"]

#: the API key every fake accepts (tests grep for it in handles, errors and logs)
KEY = "sk-test-SECRET-5f1e2d3c4b5a69788796a5b4"


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON, bytes/str -> as is
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    kind: str


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _any(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        kind = fake.classify(self.command, parts.path)
        fake.log.append(Recorded(self.command, parts.path, parse_qs(parts.query), headers, body,
                                 kind))
        delay = fake.delay.pop(kind, 0.0)
        if delay:
            fake.stopping.wait(delay)
        injected = fake.injected.get(kind)
        if injected:
            self._send(injected.pop(0))
            return
        if kind == "download":
            self._download(parts.path)
            return
        try:
            reply = fake.route(self.command, parts.path, parse_qs(parts.query), headers, body)
        except Exception as exc:  # a bug in a fake must show, not hang the client
            reply = Reply(500, {"error": f"fake crashed: {exc!r}"})
        self._send(reply)

    do_GET = do_POST = do_PUT = do_DELETE = _any

    def _send(self, reply: Reply) -> None:
        body = reply.body
        headers = dict(reply.headers)
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            data = body.encode()
            headers.setdefault("Content-Type", "text/plain")
        else:
            data = body or b""
        self.send_response(reply.status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _download(self, path: str) -> None:
        fake = self.server.fake
        mode = fake.download_mode
        video = fake.video
        if mode == "expired":
            self._send(fake.expired_reply())
            return
        if mode == "html":
            self._send(Reply(200, "<html><body>Sign in</body></html>",
                             {"Content-Type": "text/html; charset=utf-8"}))
            return
        if mode == "chunked":
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(video), 4096):
                piece = video[start:start + 4096]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_response(200)
        self.send_header("Content-Type", fake.video_type)
        self.send_header("Content-Length", str(len(video)))
        self.end_headers()
        if mode in ("reset", "truncated"):
            self.wfile.write(video[: len(video) // 2])
            self.wfile.flush()
            self.close_connection = True
            if mode == "reset":  # RST instead of FIN
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_WR)
            return
        if mode == "stall":
            self.wfile.write(video[:1024])
            self.wfile.flush()
            fake.stopping.wait(fake.stall_s)
            self.close_connection = True
            return
        self.wfile.write(video)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeAPI

    def handle_error(self, request: Any, client_address: Any) -> None:  # quiet on resets
        pass


class FakeAPI:
    """Base of the API fakes: start/stop, recording, faults, job bookkeeping."""

    #: how each fake reports an expired output link (CloudFront/GCS answer 403, others 404/410)
    expired_status = 410

    def __init__(self, video: bytes, *, key: str = KEY) -> None:
        self.video = video
        self.video_type = "video/mp4"
        self.key = key
        self.log: list[Recorded] = []
        self.injected: dict[str, list[Reply]] = {}
        self.delay: dict[str, float] = {}
        self.download_mode = "ok"
        self.stall_s = 2.0
        #: "success", "moderated" or "failed"
        self.outcome = "success"
        #: polls that report the job queued (throttled for APIs that have it) before running
        self.queued_polls = 1
        self.throttled = False
        self.running_polls = 1
        self.jobs: dict[str, dict[str, Any]] = {}
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- faults ------------------------------------------------------------------------------
    def inject(self, kind: str, status: int, body: Any = None,
               headers: dict[str, str] | None = None) -> None:
        """The next ``kind`` request answers ``status`` with ``body`` (default: the API's)."""
        if body is None:
            body = self.error_body(status, "injected failure")
        self.injected.setdefault(kind, []).append(Reply(status, body, headers or {}))

    def error_body(self, status: int, message: str) -> Any:
        return {"error": message}

    def moderation_reply(self) -> Reply:
        """How the API refuses a prompt at submission for content policy."""
        return Reply(400, self.error_body(400, "prompt rejected by content moderation"))

    def expired_reply(self) -> Reply:
        return Reply(self.expired_status, "<Error><Code>AccessDenied</Code>"
                     "<Message>Request has expired</Message></Error>",
                     {"Content-Type": "application/xml"})

    # -- jobs --------------------------------------------------------------------------------
    def new_job(self, **data: Any) -> dict[str, Any]:
        job = {"id": str(uuid.uuid4()), "polls": 0, "cancelled": False, **data}
        self.jobs[job["id"]] = job
        return job

    def phase(self, job: dict[str, Any], *, advance: bool = True) -> str:
        """``queued``, ``running``, ``cancelled`` or the outcome, advancing on each poll."""
        if job["cancelled"]:
            return "cancelled"
        n = job["polls"]
        if advance:
            job["polls"] += 1
        if n < self.queued_polls:
            return "queued"
        if n < self.queued_polls + self.running_polls:
            return "running"
        return self.outcome

    def authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.key}"

    def requests_of(self, kind: str) -> list[Recorded]:
        return [r for r in self.log if r.kind == kind]

    # -- to implement -------------------------------------------------------------------------
    def classify(self, method: str, path: str) -> str:
        raise NotImplementedError

    def route(self, method: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str], body: bytes) -> Reply:
        raise NotImplementedError
