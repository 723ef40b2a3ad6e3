"""Keys stay with their origin: ambiguous URLs are refused, credential headers never
follow a redirect to another host, port or to plain http, and answers are capped in
size and time.  Servers run on different loopback addresses (127.0.0.1 is the API,
127.0.0.2 stands for someone else's host)."""

from __future__ import annotations

import dataclasses
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pickup.errors import ConfigError, ProviderError
from pickup.providers.http import HttpClient, check_url

KEY = "sk-test-0123456789abcdef"


class _Server:
    """A loopback server whose handler is a function of (method, path, handler)."""

    def __init__(self, host: str, respond: Callable[[http.server.BaseHTTPRequestHandler],
                                                    None]) -> None:
        self.seen: list[dict[str, str]] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                owner.seen.append({k.lower(): v for k, v in self.headers.items()}
                                  | {":path": self.path, ":method": self.command})
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                respond(self)

            do_GET = do_POST = _any

        self.httpd = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _reply(status: int, body: bytes = b"{}", headers: dict[str, str] | None = None
           ) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    def respond(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return respond


@pytest.fixture()
def other_host() -> Iterator[_Server]:
    try:
        server = _Server("127.0.0.2", _reply(200, b'{"ok": true}',
                                            {"Content-Type": "video/mp4"}))
    except OSError:
        pytest.skip("127.0.0.2 is not usable here")
    with server:
        yield server


def _client(base: str) -> HttpClient:
    return HttpClient("veo", base, headers=lambda: {"x-goog-api-key": KEY,
                                                    "Authorization": f"Bearer {KEY}"},
                      secrets=lambda: [KEY], timeout_s=5)


@pytest.mark.parametrize("url", [
    "http://127.0.0.2:18082\\@127.0.0.1:18081",
    "http://127.0.0.2:18082\\@127.0.0.1:18081/v1",
    "https://user:pw@api.example.com/v1",
    "https://api.example.com@evil.example/",
    "https://api.example.com\\.evil.example/",
    "https://api.example.com /v1",
    "https://api.exa\tmple.com/",
])
def test_ambiguous_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="refusing"):
        check_url(url, provider="runway")


def test_fooled_base_url_is_refused_before_any_request(
        monkeypatch: pytest.MonkeyPatch, other_host: _Server) -> None:
    from pickup.providers.registry import get_provider

    port = other_host.url.rsplit(":", 1)[1]
    monkeypatch.setenv("PICKUP_RUNWAY_BASE_URL", f"http://127.0.0.2:{port}\\@127.0.0.1:9")
    with pytest.raises(ConfigError, match="refusing"):
        get_provider("runway", api_key=KEY)
    assert other_host.seen == []


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_api_call_redirected_to_another_host_drops_every_key(
        code: int, other_host: _Server) -> None:
    api = _Server("127.0.0.1", _reply(code, b"", {"Location": other_host.url + "/steal"}))
    with api:
        _client(api.url).request("POST", "tasks", json={"prompt": "x"})
    assert api.seen[0]["x-goog-api-key"] == KEY
    assert other_host.seen, "the redirect was followed"
    hop = other_host.seen[0]
    assert "x-goog-api-key" not in hop and "authorization" not in hop
    assert KEY not in json.dumps(other_host.seen)


def test_download_redirected_to_another_port_drops_the_key(tmp_path: Path) -> None:
    video = _Server("127.0.0.1", _reply(200, b"\0" * 1000, {"Content-Type": "video/mp4"}))
    with video:
        api = _Server("127.0.0.1", _reply(302, b"", {"Location": video.url + "/v.mp4"}))
        with api:
            client = _client(api.url)
            client.download(api.url + "/files/1", tmp_path / "v.mp4")
    assert api.seen[0]["x-goog-api-key"] == KEY
    assert "x-goog-api-key" not in video.seen[0]
    assert (tmp_path / "v.mp4").stat().st_size == 1000


def test_same_origin_redirect_keeps_the_key() -> None:
    state = {"n": 0}

    def respond(h: http.server.BaseHTTPRequestHandler) -> None:
        state["n"] += 1
        if state["n"] == 1:
            _reply(307, b"", {"Location": "/v1/moved"})(h)
        else:
            _reply(200, b'{"id": "t1"}', {"Content-Type": "application/json"})(h)

    with _Server("127.0.0.1", respond) as api:
        assert _client(api.url).json("POST", "v1/tasks", json={}) == {"id": "t1"}
    assert [s[":path"] for s in api.seen] == ["/v1/tasks", "/v1/moved"]
    assert all(s["x-goog-api-key"] == KEY for s in api.seen)


def test_output_url_with_a_fooling_shape_is_refused(tmp_path: Path,
                                                    other_host: _Server) -> None:
    port = other_host.url.rsplit(":", 1)[1]
    with _Server("127.0.0.1", _reply(200)) as api:
        client = _client(api.url)
        api_port = api.url.rsplit(":", 1)[1]
        with pytest.raises(ConfigError, match="refusing"):
            client.download(f"http://127.0.0.2:{port}\\@127.0.0.1:{api_port}/v.mp4",
                            tmp_path / "v.mp4")
    assert other_host.seen == []


def test_huge_json_answer_is_capped() -> None:
    body = b'{"x": "' + b"a" * (12 * 1024 * 1024) + b'"}'
    api = _Server("127.0.0.1", _reply(200, body, {"Content-Type": "application/json"}))
    with api, pytest.raises(ProviderError, match="cap") as info:
        _client(api.url).json("GET", "status")
    assert info.value.code == "too_large"


def test_dripping_answer_meets_the_total_deadline() -> None:
    def drip(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.end_headers()
        try:
            for _ in range(200):  # 1 byte every 50 ms: never a stall, never an end
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    with _Server("127.0.0.1", drip) as api:
        client = _client(api.url)
        client.limits = dataclasses.replace(client.limits, request_deadline_s=0.5)
        started = time.monotonic()
        with pytest.raises(ProviderError, match="longer than") as info:
            client.json("GET", "status")
        assert time.monotonic() - started < 8  # a hang guard, not a speed check
    assert info.value.retryable


def test_gzip_answers_are_decoded() -> None:
    import gzip

    body = gzip.compress(json.dumps({"id": "t" * 5000}).encode())
    with _Server("127.0.0.1", _reply(200, body, {"Content-Type": "application/json",
                                                 "Content-Encoding": "gzip"})) as api:
        assert _client(api.url).json("GET", "status") == {"id": "t" * 5000}


def test_a_port_that_is_not_a_number_is_refused_in_one_line() -> None:
    # found by tests/hardening/test_fuzz_faults.py: safe_url raised ValueError
    with pytest.raises(ConfigError, match="refusing"):
        check_url("http://127.0.0.1:1\u3002/v1", provider="runway", allow_http=True)
