"""A seeded fuzz-and-fault run over Pickup's faces (issue 13's "done when").

Four parts, each counting what it tried and what went wrong:

- malformed inputs: real timelines (OTIO, EDL, FCP7 XML, FCPXML) mutated at random —
  truncated, bytes flipped, non-UTF-8 bytes, numbers swapped for 0/-1/NaN/1e9, chunks
  deleted or repeated, blank files — read by ``pickup scan --json``.  Each must end in
  exit 0 with a sane result or exit 2 with one line: a traceback is a *crash*, more
  than 10 s a *hang*, exit 0 with slots that make no sense a *wrong success*;
- write faults: ``place --in-place`` and the atomic writers under a random file-size
  limit (RLIMIT_FSIZE, SIGXFSZ ignored).  A failed write must exit 1 with the old file
  byte-identical and no temp file left; anything else is *data lost*;
- keys: each redirect code to another host, another port and the same origin, for API
  calls and downloads, and random ambiguous URL shapes; a credential reaching the other
  server is a *key leaked*;
- paying twice: runs killed at each step of the journal and run again, and two runs at
  once; more creates at the provider than takes is a *double create*.

The counts are printed (``pytest -s``) and must be zero for every kind of failure.
``PICKUP_FUZZ_SEED`` and ``PICKUP_FUZZ_CASES`` change the seed and the number of
malformed inputs.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pickup.atomic import atomic_write_bytes
from pickup.cli import main
from pickup.errors import ConfigError, WriteError
from tests.conftest import FIXTURES
from tests.hardening.helpers import file_size_limit, make_demo

SEED = int(os.environ.get("PICKUP_FUZZ_SEED", "1313"))
CASES = int(os.environ.get("PICKUP_FUZZ_CASES", "240"))
HANG_S = 10
COUNTS: Counter[str] = Counter()
FINDINGS: list[str] = []

BASES = ["simple_cut.otio", "multitrack.otio", "transition.otio", "nested_example.otio",
         "25fps.edl", "gap_test.edl", "dissolve_test.edl", "premiere_example.edl",
         "premiere_example.xml", "sample_just_track.xml", "fcpx_example.fcpxml",
         "fcpx_clips.fcpxml"]
WEIRD_NUMBERS = [b"0", b"-1", b"-24", b"NaN", b"1e9", b"1e308", b"99999999999999999999",
                 b"0.0000001", b"-0", b"Infinity"]


class _Hang(Exception):
    pass


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def alarm(_signum: int, _frame: object) -> None:
        raise _Hang

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _cli(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------ malformed inputs
def _mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(["truncate", "flip", "non_utf8", "number", "number", "delete",
                       "repeat", "blank", "garbage", "flip"])
    n = len(data)
    if kind == "truncate":
        return kind, data[:rng.randrange(0, n)]
    if kind == "flip":
        buf = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(n)] = rng.randrange(256)
        return kind, bytes(buf)
    if kind == "non_utf8":
        at = rng.randrange(n)
        return kind, data[:at] + bytes([rng.choice([0x80, 0xC3, 0xFF, 0xFE])]) + data[at:]
    if kind == "number":
        digits = [i for i, b in enumerate(data) if 48 <= b <= 57]
        if not digits:
            return kind, data
        at = rng.choice(digits)
        end = at
        while end < n and (48 <= data[end] <= 57 or data[end] == 46):
            end += 1
        while at > 0 and 48 <= data[at - 1] <= 57:
            at -= 1
        return kind, data[:at] + rng.choice(WEIRD_NUMBERS) + data[end:]
    if kind == "delete":
        at = rng.randrange(n)
        return kind, data[:at] + data[at + rng.randint(1, 400):]
    if kind == "repeat":
        at = rng.randrange(n)
        chunk = data[at:at + rng.randint(1, 400)]
        return kind, data[:at] + chunk * rng.randint(2, 5) + data[at:]
    if kind == "blank":
        return kind, rng.choice([b"", b" ", b"\n\n\t  \n", b"\xef\xbb\xbf"])
    return kind, bytes(rng.randrange(256) for _ in range(rng.randint(1, 2000)))


def _sane(out: str) -> bool:
    try:
        data = json.loads(out)
    except ValueError:
        return False
    slots = data.get("slots")
    if not isinstance(slots, list):
        return False
    ids = [s.get("id") for s in slots]
    return all(isinstance(s.get("duration"), int) and s["duration"] > 0
               and isinstance(s.get("start"), int) and s["start"] >= 0
               and isinstance(s.get("id"), str) and "/" not in s["id"] and ".." not in s["id"]
               for s in slots) and len(ids) == len(set(ids))


def test_malformed_inputs_end_in_one_line_or_sane_success(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    sources = {name: (FIXTURES / name).read_bytes() for name in BASES}
    for index in range(CASES):
        base = rng.choice(BASES)
        kind, data = _mutate(sources[base], rng)
        path = tmp_path / f"case{index:04d}{Path(base).suffix}"
        path.write_bytes(data)
        COUNTS["input tried"] += 1
        label = f"input case {index} ({kind} of {base}, seed {SEED})"
        try:
            with _deadline(HANG_S):
                code, out, err = _cli("scan", path, "--json", "--all-gaps")
        except _Hang:
            COUNTS["input hang"] += 1
            FINDINGS.append(f"{label}: hang")
            continue
        except BaseException as exc:
            COUNTS["input crash"] += 1
            FINDINGS.append(f"{label}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        errors = [line for line in err.splitlines() if line.startswith("pickup: error:")]
        if code == 0 and _sane(out):
            COUNTS["input clean"] += 1
        elif code == 0:
            COUNTS["input wrong success"] += 1
            FINDINGS.append(f"{label}: exit 0 with {out[:120]!r}")
        elif code == 2 and len(errors) == 1 and "Traceback" not in err:
            COUNTS["input clean"] += 1
        else:
            COUNTS["input crash"] += 1
            FINDINGS.append(f"{label}: exit {code}: {err.strip()[-200:]}")
        path.unlink()
    assert not [f for f in FINDINGS if f.startswith("input")], "\n".join(FINDINGS)


# ------------------------------------------------------------------ write faults


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if ".pickup-" in p.name]


def test_write_faults_keep_the_old_file(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    demo = make_demo(tmp_path / "project")
    media = demo.parent / "media" / "ready_made_insert.mp4"
    original = demo.read_bytes()
    code, _, err = _cli("place", demo, "V1-01000200", media, "-o", tmp_path / "probe.otio",
                        "--project", tmp_path / "probe")
    assert code == 0, err
    full = (tmp_path / "probe.otio").stat().st_size
    for index in range(24):
        demo.write_bytes(original)
        limit = rng.randrange(0, full + 2048)
        COUNTS["write tried"] += 1
        with file_size_limit(limit):
            code, _, err = _cli("place", demo, "V1-01000200", media, "--in-place",
                                "--project", tmp_path / f"p{index}")
        label = f"write case {index} (place --in-place, limit {limit} of {full} bytes)"
        backup = demo.with_name(demo.name + ".bak")
        if code == 0:
            written = demo.read_bytes()
            ok = json.loads(written) is not None and backup.read_bytes() == original
            COUNTS["write clean" if ok else "write data lost"] += 1
            if not ok:
                FINDINGS.append(f"{label}: exit 0 but the file or its backup is wrong")
        elif code == 1 and demo.read_bytes() == original and not _temps(demo.parent):
            COUNTS["write clean"] += 1
        else:
            COUNTS["write data lost"] += 1
            FINDINGS.append(f"{label}: exit {code}, input same: "
                            f"{demo.read_bytes() == original}, temps {_temps(demo.parent)}; "
                            f"{err.strip()[-160:]}")
        for extra in demo.parent.glob(demo.name + ".bak*"):
            extra.unlink()
    for index in range(24):
        dest = tmp_path / f"state{index}.json"
        old = os.urandom(rng.randrange(1, 3000))
        dest.write_bytes(old)
        new = os.urandom(rng.randrange(1, 30000))
        limit = rng.randrange(0, len(new) + 100)
        COUNTS["write tried"] += 1
        try:
            with file_size_limit(limit):
                atomic_write_bytes(dest, new, backup=True)
            ok = dest.read_bytes() == new and limit >= len(new)
        except WriteError:
            ok = dest.read_bytes() == old and not _temps(tmp_path)
        COUNTS["write clean" if ok else "write data lost"] += 1
        if not ok:
            FINDINGS.append(f"write case atomic {index}: limit {limit}, {len(new)} bytes")
    assert not [f for f in FINDINGS if f.startswith("write")], "\n".join(FINDINGS)


# ------------------------------------------------------------------ keys
KEY = "sk-fuzz-0123456789abcdef"


def _server(host: str, respond: Callable[..., None], seen: list[dict[str, str]]
            ) -> tuple[str, Callable[[], None]]:
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _any(self) -> None:
            seen.append({k.lower(): v for k, v in self.headers.items()} | {":path": self.path})
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            respond(self)

        do_GET = do_POST = _any

    httpd = http.server.ThreadingHTTPServer((host, 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01},
                     daemon=True).start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()

    return f"http://{host}:{httpd.server_address[1]}", stop


def _reply(h: object, status: int, body: bytes, headers: dict[str, str]) -> None:
    h.send_response(status)  # type: ignore[attr-defined]
    for k, v in headers.items():
        h.send_header(k, v)  # type: ignore[attr-defined]
    h.send_header("Content-Length", str(len(body)))  # type: ignore[attr-defined]
    h.end_headers()  # type: ignore[attr-defined]
    h.wfile.write(body)  # type: ignore[attr-defined]


def test_no_key_leaves_its_origin(tmp_path: Path) -> None:
    from pickup.providers.http import HttpClient, check_url

    rng = random.Random(SEED + 2)
    other_seen: list[dict[str, str]] = []
    try:
        other_url, stop_other = _server(
            "127.0.0.2", lambda h: _reply(h, 200, b'{"ok": true}',
                                          {"Content-Type": "video/mp4"}), other_seen)
    except OSError:
        pytest.skip("127.0.0.2 is not usable here")
    port_seen: list[dict[str, str]] = []
    port_url, stop_port = _server(
        "127.0.0.1", lambda h: _reply(h, 200, b'{"ok": true}', {"Content-Type": "video/mp4"}),
        port_seen)
    headers_sets = [{"Authorization": f"Bearer {KEY}"}, {"x-goog-api-key": KEY},
                    {"X-Key": KEY, "Authorization": f"Key {KEY}"}]
    try:
        for code in (301, 302, 303, 307, 308):
            for target in (other_url + "/steal", port_url + "/steal",
                           other_url.replace("http://", "https://") + "/tls"):
                for headers in headers_sets:
                    for how in ("api", "download"):
                        COUNTS["keys tried"] += 1
                        seen: list[dict[str, str]] = []
                        api_url, stop_api = _server(
                            "127.0.0.1", lambda h, t=target, c=code: _reply(
                                h, c, b"", {"Location": t}), seen)
                        client = HttpClient("fuzz", api_url,
                                            headers=lambda hs=headers: dict(hs),
                                            secrets=lambda: [KEY], timeout_s=3)
                        before = len(other_seen) + len(port_seen)
                        with contextlib.suppress(Exception):
                            if how == "api":
                                client.request("POST", "tasks", json={"p": 1})
                            else:
                                client.download(api_url + "/out.mp4", tmp_path / "o.mp4")
                        stop_api()
                        hops = (other_seen + port_seen)[before:] if before < len(
                            other_seen) + len(port_seen) else []
                        leaked = [h for h in other_seen + port_seen if KEY in json.dumps(h)]
                        if leaked:
                            COUNTS["keys leaked"] += 1
                            FINDINGS.append(f"keys: {code} to {target} via {how} with "
                                            f"{list(headers)} leaked")
                            other_seen.clear()
                            port_seen.clear()
                        else:
                            COUNTS["keys clean"] += 1
                        del hops
        pieces = ["user:pw@", "127.0.0.2\\@", "\\", " ", "\t", "%40", "@", "..", "\u3002",
                  "[::1]", "%2F", "#@", "?@", ";", "0x7f.1", "127.1"]
        for index in range(60):
            host = "127.0.0.1"
            shape = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 3)))
            at = rng.choice(["pre", "post", "path"])
            port = rng.choice([":1", ":80", ""])
            url = (f"http://{shape}{host}{port}/v1" if at == "pre" else
                   f"http://{host}{port}{shape}/v1" if at == "post" else
                   f"http://{host}{port}/{shape}")
            if rng.random() < 0.5:
                url = url.replace("http://", "https://", 1)
            COUNTS["keys tried"] += 1
            try:
                checked = check_url(url, provider="fuzz")
            except ConfigError:
                COUNTS["keys clean"] += 1
                continue
            # Accepted: the host the check approved is the host urllib3 connects to, no
            # credentials ride in the URL, and plain http only reaches this machine.
            import urllib.parse

            import urllib3.util

            ours = urllib.parse.urlsplit(checked)
            theirs = urllib3.util.parse_url(checked)
            loopback = (theirs.host or "") in ("127.0.0.1", "localhost", "::1", "[::1]")
            if ((theirs.host or "").lower() != (ours.hostname or "").lower() or theirs.auth
                    or ours.username or (theirs.scheme == "http" and not loopback)):
                COUNTS["keys leaked"] += 1
                FINDINGS.append(f"keys: URL case {index} {url!r} accepted, connects to "
                                f"{theirs.host!r} (checked as {ours.hostname!r})")
            else:
                COUNTS["keys clean"] += 1
    finally:
        stop_other()
        stop_port()
    assert not [f for f in FINDINGS if f.startswith("keys")], "\n".join(FINDINGS)


# ------------------------------------------------------------------ paying twice
def _submits(env: dict[str, str]) -> int:
    folder = Path(env["FAKE_PROVIDER_DIR"]) / "jobs"
    return len(list(folder.glob("*.json"))) if folder.is_dir() else 0


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pickup", *args], capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=90)


def test_each_job_is_created_once(tmp_path: Path, make_video: Callable[..., Path]) -> None:
    from tests.engine.conftest import HERE

    sys.path.insert(0, str(HERE.parents[1]))
    from tests.engine.conftest import write_cut

    media = make_video(24)
    cases = [("crash", "submitting:1"), ("crash", "submit-returned:1"),
             ("crash", "submitted:1"), ("crash", "fetched:1"), ("concurrent", "")]
    for index, (how, point) in enumerate(cases):
        folder = tmp_path / f"c{index}"
        folder.mkdir()
        cut = write_cut(folder, media)
        (folder / "server").mkdir()
        env = {"PICKUP_PROVIDER_MODULES": "fake=tests.engine.fakeprov:FakeProvider",
               "FAKE_PROVIDER_DIR": str(folder / "server"), "FAKE_LATENCY": "0.3",
               "PICKUP_CONFIG": str(folder / "none.toml"),
               "PYTHONPATH": os.pathsep.join([str(HERE.parents[1]),
                                              os.environ.get("PYTHONPATH", "")])}
        args = ["fill", str(cut), "--provider", "fake", "--size", "64x36", "--concurrency",
                "1", "-o", str(folder / "out.otio")]
        COUNTS["create tried"] += 1
        if how == "crash":
            _run(args, {**env, "PICKUP_TEST_CRASH_AT": point})
            again = _run(args, env)
            ok_exit = again.returncode == 0
            why = again.stderr.strip()[-200:]
        else:
            start = time.monotonic()
            procs = [subprocess.Popen([sys.executable, "-m", "pickup", *args[:-1],
                                       str(folder / f"out{n}.otio"), "--wait"],
                                      env={**os.environ, **env}, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                     for n in range(2)]
            results = [p.communicate(timeout=90) for p in procs]
            ok_exit = all(p.returncode == 0 for p in procs)
            why = " | ".join(err.strip().splitlines()[-1] for _, err in results if err.strip()
                             and not ok_exit)
            del start
        creates = _submits(env)
        if creates > 2:
            COUNTS["double creates"] += creates - 2
            FINDINGS.append(f"create case {how} {point}: {creates} creates for 2 takes")
        elif not ok_exit:
            COUNTS["create failed"] += 1
            FINDINGS.append(f"create case {how} {point}: the rerun did not finish: {why}")
        else:
            COUNTS["create clean"] += 1
    assert not [f for f in FINDINGS if f.startswith("create")], "\n".join(FINDINGS)


def teardown_module() -> None:
    tried = sum(v for k, v in COUNTS.items() if k.endswith("tried"))
    clean = sum(v for k, v in COUNTS.items() if k.endswith("clean"))
    print(f"\nfuzz-and-fault (seed {SEED}): tried {tried} / clean {clean} / "
          f"crash {COUNTS['input crash']} / hang {COUNTS['input hang']} / "
          f"wrong success {COUNTS['input wrong success']} / "
          f"data lost {COUNTS['write data lost']} / keys leaked {COUNTS['keys leaked']} / "
          f"double creates {COUNTS['double creates']}; " + ", ".join(
              f"{k} {v}" for k, v in sorted(COUNTS.items())))
