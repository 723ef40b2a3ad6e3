"""The HTTP plumbing every hosted backend shares: one attempt per call, errors mapped.

:class:`HttpClient` wraps a :class:`requests.Session` with timeouts, HTTPS
enforcement (plain HTTP only to loopback, or to a URL the user configured
explicitly for a self-hosted server), error mapping to :class:`ProviderError`
(connection errors, 5xx and 429 are retryable, with ``retry_after_s`` from
``Retry-After`` or ``retry-after-ms``), key redaction, and streaming downloads
to a temp file with a size cap, content-type check and truncation detection.

:class:`HttpProvider` is the common base of the backends: options from the
config file (``[providers.NAME]``, ``PICKUP_<NAME>_BASE_URL``), the API key
from :mod:`pickup.secrets`, per-model capabilities, ``validate`` and
``estimate_cost``.  Nothing here retries: the engine does.
"""

from __future__ import annotations

import base64
import email.utils
import ipaddress
import logging
import math
import mimetypes
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

import requests
import urllib3
import urllib3.exceptions
import urllib3.util

from pickup.atomic import atomic_path
from pickup.errors import ConfigError, InputError, MediaError, ProviderError
from pickup.providers.base import JobHandle, JobStatus
from pickup.providers.models import CatalogModels

__all__ = [
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "HttpClient",
    "HttpProvider",
    "check_url",
    "data_uri",
    "frame_base64",
    "nearest_ratio",
    "parse_retry_after",
    "safe_url",
]

log = logging.getLogger(__name__)

#: Largest output Pickup downloads unless a provider is told otherwise (2 GiB).
DEFAULT_MAX_DOWNLOAD_BYTES = 2 * 1024**3
#: Largest API answer (JSON) Pickup reads (8 MiB); outputs are downloads, not answers.
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024**2
_VIDEO_TYPES = ("video/", "application/octet-stream", "binary/octet-stream",
                "application/mp4")
_MODERATION_WORDS = ("moderat", "safety", "nsfw", "content policy", "content_policy",
                     "flagged as sensitive", "prohibited content")
_CHUNK = 256 * 1024
_MAX_REDIRECTS = 5


def safe_url(url: str) -> str:
    """``url`` without credentials, query or fragment: safe to show and log."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:  # raises ValueError for a port that is not a number
            host = f"{host}:{parts.port}"
    except ValueError:
        return "<invalid URL>"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _ambiguity(url: str) -> str | None:
    """Why ``url`` could be read as two different hosts, or None when it is plain."""
    if any(ch == "\\" or ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "it holds a backslash, a space or a control character"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "it is not a valid URL"
    if "@" in parts.netloc:
        return "it carries a user name or password (user@host)"
    try:
        # What requests will really connect to: urllib3 parses the URL it is given.
        seen = urllib3.util.parse_url(url)
    except Exception:
        return "the HTTP library cannot parse it"
    host = (seen.host or "").strip("[]").lower()
    if host != (parts.hostname or "").lower() or (seen.port or None) != (port or None) \
            or (seen.scheme or "").lower() != parts.scheme.lower():
        return "the HTTP library would read another host from it"
    return None


def check_url(url: str, *, provider: str, allow_http: bool = False, what: str = "URL") -> str:
    """``url`` if it is HTTPS (or HTTP to loopback / when allowed) and names one host
    unambiguously (no ``user@``, no backslash, read alike by urllib and urllib3); else
    :class:`ConfigError`."""
    try:
        plain = urlsplit(url)
        scheme_ok = plain.scheme in ("http", "https") and bool(plain.netloc)
    except ValueError:
        scheme_ok = False
    problem = _ambiguity(url) if scheme_ok else None
    if problem:
        raise ConfigError(f"refusing {what} {safe_url(url)!r}: {problem}",
                          where=f"provider {provider}",
                          hint="write the URL as scheme://host[:port]/path; keys go in "
                          "`pickup auth set`, never in a URL")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname and (allow_http or _is_loopback(parts.hostname)):
        return url
    raise ConfigError(f"refusing {what} {safe_url(url)!r}: Pickup talks to hosted providers "
                      "over HTTPS only (plain HTTP only to this computer)",
                      where=f"provider {provider}",
                      hint="use an https:// base URL; plain http:// is allowed for loopback "
                      "and for a self-hosted ComfyUI URL you configure")


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms``, ``Retry-After`` (seconds or an HTTP date)."""
    lower = {k.lower(): v for k, v in headers.items()}
    raw_ms = lower.get("retry-after-ms")
    if raw_ms:
        try:
            value = float(raw_ms) / 1000.0
            if math.isfinite(value) and value >= 0:
                return value
        except ValueError:
            pass
    raw = lower.get("retry-after")
    if not raw:
        return None
    raw = raw.strip()
    try:
        value = float(raw)
        return value if math.isfinite(value) and value >= 0 else None
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = datetime.fromtimestamp(now if now is not None else time.time(), tz=timezone.utc)
    return max(0.0, (when - current).total_seconds())


def frame_base64(path: Path) -> tuple[str, str]:
    """(base64 of the bytes, MIME type) of a frame image; :class:`InputError` when it
    cannot be read."""
    path = Path(path)
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the frame image: {exc.strerror or exc}",
                         where=str(path)) from None
    return (base64.b64encode(blob).decode("ascii"),
            mimetypes.guess_type(path.name)[0] or "image/png")


def data_uri(path: Path, *, provider: str) -> str:
    """``data:image/png;base64,...`` for a frame image."""
    data, mime = frame_base64(path)
    return f"data:{mime};base64,{data}"


def nearest_ratio(width: int, height: int, choices: Iterable[str]) -> str:
    """The ``W:H`` choice whose aspect is closest (in log space) to ``width``/``height``."""
    target = math.log(max(width, 1) / max(height, 1))

    def distance(choice: str) -> float:
        w, _, h = choice.partition(":")
        return abs(math.log(float(w) / float(h)) - target)

    return min(choices, key=distance)


@dataclass(frozen=True)
class _Limits:
    timeout_s: float
    connect_timeout_s: float
    download_timeout_s: float
    max_download_bytes: int
    request_deadline_s: float = 120.0
    download_deadline_s: float = 3600.0
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES


class HttpClient:
    """One provider's HTTP session: every call is one attempt; failures are ProviderErrors."""

    def __init__(self, provider: str, base_url: str, *, headers: Callable[[], dict[str, str]]
                 | None = None, secrets: Callable[[], Iterable[str]] | None = None,
                 timeout_s: float = 60.0, connect_timeout_s: float = 10.0,
                 download_timeout_s: float | None = None,
                 max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
                 allow_http: bool = False,
                 moderation_words: tuple[str, ...] = _MODERATION_WORDS) -> None:
        self.provider = provider
        self.allow_http = allow_http
        self.base_url = check_url(base_url.rstrip("/") + "/", provider=provider,
                                  allow_http=allow_http, what="base URL")
        self._headers = headers or dict
        self._secrets = secrets or (lambda: ())
        self.limits = _Limits(timeout_s=float(timeout_s),
                              connect_timeout_s=float(connect_timeout_s),
                              download_timeout_s=float(download_timeout_s or timeout_s),
                              max_download_bytes=int(max_download_bytes))
        self.moderation_words = moderation_words
        #: a provider's own reading of an error answer: returns overrides for the
        #: ProviderError (``moderated``, ``retryable``, ``code``, ``retry_after_s``)
        self.classify: Callable[[requests.Response], dict[str, Any]] | None = None
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "pickup-shots"

    # -- helpers -------------------------------------------------------------------------
    def url(self, path_or_url: str) -> str:
        """An absolute URL: ``path_or_url`` itself, or joined onto the base URL."""
        if "://" in path_or_url:
            return check_url(path_or_url, provider=self.provider, allow_http=self.allow_http)
        return urljoin(self.base_url, path_or_url.lstrip("/"))

    def redact(self, text: str) -> str:
        """``text`` with every known secret replaced by ``***``."""
        for secret in self._secrets():
            if secret and len(secret) >= 4:
                text = text.replace(secret, "***")
        return text

    def error(self, message: str, *, url: str | None = None, **kwargs: Any) -> ProviderError:
        where = f"provider {self.provider}" + (f", {safe_url(url)}" if url else "")
        return ProviderError(self.redact(message), provider=self.provider, where=where, **kwargs)

    def _same_origin(self, url: str) -> bool:
        return _same_origin(url, self.base_url)

    # -- requests ------------------------------------------------------------------------
    def request(self, method: str, path_or_url: str, *, json: Any = None,
                data: Any = None, files: Any = None, params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None, auth: bool = True,
                ok: tuple[int, ...] = (), timeout_s: float | None = None) -> requests.Response:
        """One request; a 2xx (or a status in ``ok``) is returned, anything else raises."""
        url = self.url(path_or_url)
        timeout = (self.limits.connect_timeout_s, timeout_s or self.limits.timeout_s)
        log.debug("%s %s %s", self.provider, method, safe_url(url))
        response = self._send(method, url, extra=dict(headers or {}), send_auth=auth,
                              timeout=timeout, stream=True, json=json, data=data,
                              files=files, params=params)
        try:
            self._read_body(response, deadline_s=self.limits.request_deadline_s)
        finally:
            response.close()
        if response.ok or response.status_code in ok:
            return response
        raise self.status_error(response, url=url)

    def _send(self, method: str, url: str, *, extra: dict[str, str], send_auth: bool,
              timeout: tuple[float, float], stream: bool, **body: Any) -> requests.Response:
        """One request with redirects followed by hand: every hop is checked like a
        configured URL, and the provider's credential headers are dropped for good once a
        hop leaves the API's own origin (another host, port, or plain http)."""
        current = url
        for _ in range(_MAX_REDIRECTS + 1):
            hdrs = dict(self._headers()) if send_auth else {}
            hdrs.update(extra)
            try:
                response = self.session.request(method, current, headers=hdrs,
                                                timeout=timeout, stream=stream,
                                                allow_redirects=False, **body)
            except requests.Timeout:
                raise self.error(f"no answer within {timeout[1]:g} s", url=current,
                                 retryable=True, code="timeout",
                                 hint="the service is slow or unreachable; try again"
                                 ) from None
            except requests.ConnectionError as exc:
                raise self.error(f"cannot connect: {_reason(exc)}", url=current,
                                 retryable=True, code="connection",
                                 hint="check the network and the base URL") from None
            except requests.RequestException as exc:
                raise self.error(f"request failed: {_reason(exc)}", url=current,
                                 retryable=True, code="request") from None
            if not (response.is_redirect and response.headers.get("Location")):
                return response
            target = check_url(urljoin(current, response.headers["Location"]),
                               provider=self.provider, allow_http=self.allow_http,
                               what="redirect")
            response.close()
            if send_auth and not _same_origin(target, current):
                send_auth = False
            if response.status_code in (301, 302, 303) and method.upper() != "HEAD":
                method, body = "GET", {"params": None}
            current = target
        raise self.error("too many redirects", url=url, code="redirects")

    def _read_body(self, response: requests.Response, *, deadline_s: float) -> None:
        """Read an API answer with a size cap and a total deadline (a server that drips a
        byte a second, or sends 300 MB of JSON, is stopped)."""
        cap = self.limits.max_response_bytes
        length = _int(response.headers.get("Content-Length"))
        if length is not None and length > cap:
            raise self.error(f"the answer is {length} bytes, over the {cap}-byte cap for an "
                             "API response", url=response.url, code="too_large",
                             retryable=False)
        started = time.monotonic()
        chunks: list[bytes] = []
        received = 0
        try:
            for chunk in _chunks_as_they_come(response, 64 * 1024):
                received += len(chunk)
                if received > cap:
                    raise self.error(f"the answer passed the {cap}-byte cap for an API "
                                     "response", url=response.url, code="too_large")
                chunks.append(chunk)
                if time.monotonic() - started > deadline_s:
                    raise self.error(f"the answer took longer than {deadline_s:g} s to "
                                     "arrive", url=response.url, retryable=True,
                                     code="timeout")
        except requests.RequestException as exc:
            raise self.error(f"the answer broke off: {_reason(exc)}", url=response.url,
                             retryable=True, code="connection") from None
        response._content = b"".join(chunks)  # what .json()/.text read from now on

    def json(self, method: str, path_or_url: str, **kwargs: Any) -> Any:
        """:meth:`request` and decode a JSON body (an empty body gives ``{}``)."""
        response = self.request(method, path_or_url, **kwargs)
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise self.error(f"answered HTTP {response.status_code} with a body that is not "
                             "JSON", url=response.url, retryable=response.status_code >= 500,
                             code="bad_response") from None

    def status_error(self, response: requests.Response, *, url: str) -> ProviderError:
        """A :class:`ProviderError` for a non-2xx answer (refined by ``classify``)."""
        error = self._status_error(response, url=url)
        overrides = self.classify(response) if self.classify is not None else {}
        for key in ("moderated", "retryable", "code"):
            if key in overrides:
                setattr(error, key, overrides[key])
        if overrides.get("retry_after_s") is not None and error.retry_after_s is None:
            error.retry_after_s = float(overrides["retry_after_s"])
        if overrides.get("moderated"):
            error.hint = "rephrase the prompt or change the frames"
        return error

    def _status_error(self, response: requests.Response, *, url: str) -> ProviderError:
        status = response.status_code
        detail = _detail(response)
        text = f"HTTP {status}" + (f": {detail}" if detail else "")
        if status == 429:
            return self.error(f"rate limited ({text})", url=url, retryable=True,
                              code="rate_limited",
                              retry_after_s=parse_retry_after(response.headers),
                              hint="too many requests or out of quota; it will be retried")
        if status >= 500 or status in (408, 425):
            return self.error(f"server error ({text})", url=url, retryable=True,
                              code=f"http_{status}",
                              retry_after_s=parse_retry_after(response.headers))
        if status in (401, 403) or (status == 400 and "api key" in detail.lower()):
            return self.error(f"the API key was refused ({text})", url=url, code="unauthorized",
                              hint=f"run `pickup auth set {self.provider}` or set the "
                              "environment variable; check the account's access")
        if status == 402:
            return self.error(f"payment required ({text})", url=url, code="payment_required",
                              hint="add credits to the provider account")
        moderated = status in (400, 422, 451) and any(
            word in detail.lower() for word in self.moderation_words)
        return self.error(f"request rejected ({text})", url=url, moderated=moderated,
                          code="moderated" if moderated else f"http_{status}",
                          hint="rephrase the prompt or change the frames" if moderated else
                          "check the model and the options")

    # -- downloads -----------------------------------------------------------------------
    def download(self, url: str, dest: Path, *, headers: Mapping[str, str] | None = None,
                 accept: tuple[str, ...] = _VIDEO_TYPES, auth: bool | None = None) -> Path:
        """Stream ``url`` to ``dest`` atomically; auth headers only go to the API's own origin."""
        url = self.url(url)
        send_auth = self._same_origin(url) if auth is None else auth
        extra = dict(headers or {})
        timeout = (self.limits.connect_timeout_s, self.limits.download_timeout_s)
        response = self._send("GET", url, extra=extra, send_auth=send_auth, timeout=timeout,
                              stream=True)
        final = response.url or url
        try:
            status = response.status_code
            if status in (403, 404, 410):
                raise self.error(f"the output is gone (HTTP {status}); its link has expired or "
                                 "was removed", url=final, code="expired",
                                 hint="output links expire after a while; poll the job again for "
                                 "a fresh link or generate the shot again")
            if not response.ok:
                raise self.status_error(response, url=final)
            ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype and not ctype.startswith(accept):
                raise self.error(f"the output is {ctype!r}, not a video", url=final,
                                 code="bad_content_type",
                                 hint="the provider returned something other than the shot; "
                                 "generate it again or report it to the provider")
            length = _int(response.headers.get("Content-Length"))
            cap = self.limits.max_download_bytes
            if length is not None and length > cap:
                raise self.error(f"the output is {length} bytes, over the {cap}-byte cap",
                                 url=final, code="too_large",
                                 hint="raise max_download_bytes in [providers."
                                 f"{self.provider}] if this is expected")
            dest.parent.mkdir(parents=True, exist_ok=True)
            received = 0
            started = time.monotonic()
            deadline = self.limits.download_deadline_s
            with atomic_path(dest) as tmp, open(tmp, "wb") as out:
                try:
                    for chunk in _chunks_as_they_come(response, _CHUNK):
                        received += len(chunk)
                        if time.monotonic() - started > deadline:
                            raise self.error(f"the download took longer than {deadline:g} s "
                                             f"({received} bytes so far)", url=final,
                                             retryable=True, code="timeout")
                        if received > cap:
                            raise self.error(f"the output passed the {cap}-byte cap while "
                                             "downloading", url=final, code="too_large",
                                             hint="raise max_download_bytes in [providers."
                                             f"{self.provider}] if this is expected")
                        out.write(chunk)
                except (requests.RequestException, ConnectionError) as exc:
                    reason = _reason(exc)
                    if reason == "read timed out":
                        raise self.error(f"the download stalled for {timeout[1]:g} s after "
                                         f"{received} bytes", url=final, retryable=True,
                                         code="timeout") from None
                    if reason == "incompleteread":
                        expected = f" of {length}" if length is not None else ""
                        raise self.error(f"the download was cut short: the server closed the "
                                         f"connection before sending all{expected} bytes",
                                         url=final, retryable=True, code="truncated") from None
                    raise self.error(f"the connection broke after {received} bytes: "
                                     f"{reason}", url=final, retryable=True,
                                     code="connection") from None
                if length is not None and received < length:
                    raise self.error(f"the download was cut short: {received} of {length} "
                                     "bytes", url=final, retryable=True, code="truncated")
                if received == 0:
                    raise self.error("the output is empty", url=final, retryable=True,
                                     code="truncated")
        finally:
            response.close()
        return dest


def _chunks_as_they_come(response: requests.Response, size: int) -> Iterator[bytes]:
    """The body in pieces as the network delivers them (``read1``: a slow server
    cannot hold one read open until ``size`` bytes arrive, so deadlines are checked)."""
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    if read1 is None:  # not urllib3 2 (a test double): requests' own chunks
        yield from response.iter_content(size)
        return
    try:
        while True:
            chunk = read1(size, decode_content=True)
            if not chunk:
                return
            yield chunk
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.ConnectionError(f"Read timed out ({exc})") from exc
    except urllib3.exceptions.ProtocolError as exc:
        raise requests.ConnectionError(str(exc)) from exc


def _same_origin(a_url: str, b_url: str) -> bool:
    a, b = urlsplit(a_url), urlsplit(b_url)
    return (a.scheme, a.hostname, a.port or _PORTS.get(a.scheme)) == \
        (b.scheme, b.hostname, b.port or _PORTS.get(b.scheme))


_PORTS = {"http": 80, "https": 443}


def _reason(exc: BaseException) -> str:
    """A short cause for a requests exception (the innermost one, no URL repeat)."""
    inner: BaseException = exc
    while inner.__context__ is not None and inner.__context__ is not inner:
        inner = inner.__context__
    for candidate in (exc, inner):
        text = str(candidate)
        for marker in ("ConnectionResetError", "Connection refused", "Connection reset",
                       "Read timed out", "IncompleteRead", "Connection broken",
                       "RemoteDisconnected"):
            if marker in text:
                return marker.lower().replace("error", "").strip()
    return type(inner).__name__


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _detail(response: requests.Response) -> str:
    """The service's own error text from a JSON error body (or a short plain-text one)."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:200] if text and "<html" not in text.lower() else ""
    return _find_message(body)[:300]


def _find_message(body: Any) -> str:
    if isinstance(body, str):
        return body
    if isinstance(body, list):
        return "; ".join(filter(None, (_find_message(item) for item in body[:3])))
    if isinstance(body, dict):
        for key in ("error", "message", "detail", "msg", "failure", "failure_reason", "title"):
            if body.get(key):
                found = _find_message(body[key])
                if found:
                    return found
    return ""


class HttpProvider(CatalogModels):
    """Common base of the hosted backends: options, key, downloads; models, capabilities,
    validation and cost come from :class:`~pickup.providers.models.CatalogModels`."""

    name: ClassVar[str] = ""
    #: environment variable with the API key; None = the backend needs no key.
    key_env: ClassVar[str | None] = None
    default_base_url: ClassVar[str] = ""
    default_model: ClassVar[str] = ""
    allow_http: ClassVar[bool] = False
    poll_after_s: ClassVar[float] = 5.0

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None,
                 model: str | None = None, timeout_s: float | None = None,
                 connect_timeout_s: float | None = None,
                 download_timeout_s: float | None = None,
                 max_download_bytes: int | None = None, use_config: bool = True,
                 config: Any = None, **options: Any) -> None:
        if config is None and use_config:
            from pickup.config import load_config

            config = load_config()  # a caller that read the config passes it down
        merged: dict[str, Any] = dict(config.provider_options(self.name)) if config else {}
        explicit = {"base_url": base_url, "model": model, "timeout_s": timeout_s,
                    "connect_timeout_s": connect_timeout_s,
                    "download_timeout_s": download_timeout_s,
                    "max_download_bytes": max_download_bytes, **options}
        merged.update({k: v for k, v in explicit.items() if v is not None})
        self.options = merged
        self._config = config
        self._api_key = api_key
        self.model = str(merged.get("model") or self.default_model)
        self.base_url = str(merged.get("base_url") or self.default_base_url)
        self.client = HttpClient(
            self.name, self.base_url, headers=self._auth_headers, secrets=self._known_secrets,
            timeout_s=float(merged.get("timeout_s", 60.0)),
            connect_timeout_s=float(merged.get("connect_timeout_s", 10.0)),
            download_timeout_s=merged.get("download_timeout_s"),
            max_download_bytes=int(merged.get("max_download_bytes",
                                              DEFAULT_MAX_DOWNLOAD_BYTES)),
            allow_http=self.allow_http)

    # -- secrets ---------------------------------------------------------------------------
    def api_key(self) -> str:
        """The API key (argument, environment, or keyring); :class:`ConfigError` if none."""
        if self._api_key is None:
            from pickup.secrets import require_secret

            self._api_key = require_secret(self.name, env_var=self.options.get("key_env"))
        return self._api_key

    def _known_secrets(self) -> tuple[str, ...]:
        return (self._api_key,) if self._api_key else ()

    def _auth_headers(self) -> dict[str, str]:
        return {}

    def is_configured(self) -> bool:
        """True when the backend has what it needs to run (a key, for hosted ones)."""
        if self.key_env is None:
            return True
        if self._api_key:
            return True
        from pickup.secrets import secret_status

        return secret_status(self.name, env_var=self.options.get("key_env")).source is not None

    # -- fetch -----------------------------------------------------------------------------
    def download_headers(self, url: str) -> dict[str, str]:
        return {}

    def fetch(self, handle: JobHandle, status: JobStatus, dest_dir: Path) -> list[Path]:
        """Download every output of a finished job into ``dest_dir``; probe each one."""
        from pickup.media.probe import probe

        if not status.outputs:
            raise ProviderError("the job finished without an output", provider=self.name,
                                code="no_output", hint="generate the shot again")
        dest_dir = Path(dest_dir)
        paths: list[Path] = []
        for index, url in enumerate(status.outputs):
            parts = urlsplit(url)
            named = parse_qs(parts.query).get("filename", [""])[0]
            suffix = Path(named or parts.path).suffix.lower()
            if suffix not in (".mp4", ".mov", ".webm", ".mkv", ".m4v"):
                suffix = ".mp4"
            dest = dest_dir / f"{_slug(handle.job_id)}_{index}{suffix}"
            self.client.download(url, dest, headers=self.download_headers(url))
            try:
                probe(dest)
            except MediaError as exc:
                dest.unlink(missing_ok=True)
                raise ProviderError(f"the downloaded output is not a readable video "
                                    f"({exc.message})", provider=self.name,
                                    where=f"provider {self.name}, {safe_url(url)}",
                                    code="bad_output", retryable=False,
                                    hint="generate the shot again") from None
            paths.append(dest)
        return paths


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)[-80:] or "output"
