"""The one HTTP client every connector uses: timeouts, retries with exponential backoff and jitter on 429/5xx
honouring Retry-After (urllib3's Retry), a per-host rate limit, a User-Agent naming repwatch, a host allow-list
checked on every redirect hop, and a cap on response size."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pipeline.config import HttpConfig

REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A fetch that could not be completed; the message says what happened and what to check."""


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _HostPacer:
    """At most one request per `interval` seconds to each host."""

    interval: float
    _next: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            ready = max(now, self._next.get(host, now))
            self._next[host] = ready + self.interval
        if ready > now:
            time.sleep(ready - now)


class HttpClient:
    def __init__(self, config: HttpConfig) -> None:
        self.config = config
        self.allowed = {h.lower() for h in config.allowed_hosts}
        self._pacer = _HostPacer(1.0 / config.requests_per_second_per_host)
        retry = Retry(
            total=config.retries, connect=config.retries, read=config.retries, status=config.retries,
            backoff_factor=config.backoff.total_seconds(), backoff_jitter=config.backoff.total_seconds(),
            backoff_max=config.max_backoff.total_seconds(), status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=("GET", "HEAD"), respect_retry_after_header=True, raise_on_status=False,
            redirect=False,
        )
        self._session = requests.Session()
        self._session.mount("http://", HTTPAdapter(max_retries=retry))
        self._session.mount("https://", HTTPAdapter(max_retries=retry))
        self._session.headers["User-Agent"] = config.user_agent

    def check_allowed(self, url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"refusing {url}: only http(s) URLs are fetched")
        if host not in self.allowed:
            raise FetchError(
                f"refusing {url}: host {host!r} is not in http.allowed_hosts; add it to the config to allow it"
            )

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        for _hop in range(self.config.max_redirects + 1):
            self.check_allowed(url)
            self._pacer.wait(urlsplit(url).hostname or "")
            try:
                reply = self._session.get(url, headers=headers or {}, timeout=self.config.timeout.total_seconds(),
                                          stream=True, allow_redirects=False)
            except requests.exceptions.RetryError as error:
                raise FetchError(f"GET {url}: still failing after {self.config.retries} retries ({error})") from error
            except requests.exceptions.Timeout as error:
                raise FetchError(f"GET {url}: timed out after {self.config.timeout} (and {self.config.retries} "
                                 "retries); the server is slow or down") from error
            except requests.exceptions.RequestException as error:
                raise FetchError(f"GET {url}: {error}") from error
            with reply:
                if reply.status_code in REDIRECTS and "location" in reply.headers:
                    url = urljoin(url, reply.headers["location"])
                    continue
                body = self._read_capped(reply, url)
                response = Response(url=url, status=reply.status_code, headers=dict(reply.headers), body=body)
            if response.status >= 400:
                raise FetchError(f"GET {url}: HTTP {response.status} after retries")
            return response
        raise FetchError(f"GET {url}: more than {self.config.max_redirects} redirects")

    def _read_capped(self, reply: requests.Response, url: str) -> bytes:
        limit = self.config.max_response_bytes
        declared = reply.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(f"GET {url}: response of {int(declared):,} bytes exceeds http.max_response_bytes "
                             f"({limit:,}); raise the limit if this source is legitimately that large")
        chunks, size = [], 0
        for chunk in reply.iter_content(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise FetchError(f"GET {url}: response exceeds http.max_response_bytes ({limit:,}); "
                                 "raise the limit if this source is legitimately that large")
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self._session.close()
