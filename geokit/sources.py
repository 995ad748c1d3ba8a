"""Live sources: fetch incidents from ACLED's and UCDP's APIs into files geokit reads as they are.

:func:`fetch_acled` follows ACLED's current API documentation
(https://acleddata.com/api-documentation/getting-started and the "ACLED
endpoint" and "Deleted endpoint" pages): an OAuth access token from the
account's email and password (``POST /oauth/token``, password grant, client
``acled``), refreshed with its refresh token when the API says it expired,
then ``GET /api/acled/read?_format=json`` page by page until a page comes back
short. The rows are written as ACLED's export (``event_id_cnty``,
``event_date``, ... ``timestamp``), so :func:`geokit.read_incidents` reads the
file with no mapping.

What it fetched is recorded in a manifest beside the file
(``FILE.manifest.json``: source, query, time, rows per page, the newest
``timestamp`` and the terms), and a second fetch with the same query asks
only for what changed since (``timestamp`` greater than the newest one it
has), applies the edits and removes the events ACLED deleted since
(``/api/deleted/read``). The file and its manifest are written atomically:
a fault leaves the previous ones as they were.

Credentials come from ``ACLED_EMAIL`` and ``ACLED_PASSWORD``, or from a
``[acled]`` table (``email``, ``password``) in ``~/.config/geokit/credentials.toml``
(``GEOKIT_CREDENTIALS`` names another file), which must not be readable by
other users. They are sent to the token endpoint only, and never printed,
logged or written.

:func:`fetch_ucdp` follows UCDP's API documentation (https://ucdp.uu.se/apidocs/):
``GET /api/gedevents/<version>`` with the access token in the
``x-ucdp-access-token`` header, filters ``Country`` (Gleditsch-Ward codes),
``StartDate`` and ``EndDate``, pages of at most 1,000 events followed through
``NextPageUrl`` until ``TotalCount`` events have come; the rows keep the GED's
columns. A yearly release and the current year's candidate release can be
fetched together. Releases never change once published, so a second fetch of
the same versions sends no request; a new version replaces the file and the
manifest counts the events added, removed and changed.

Faults: a timeout or dropped connection, HTTP 429 (waiting ``Retry-After``,
seconds or an HTTP date, capped by ``max_wait_s``) and 5xx are retried a
bounded number of times with exponential backoff (tenacity); 401 on the token
says the credentials were refused and how to set them; 403 says the account
lacks API access; a body that is not the JSON the API documents (truncated,
an HTML page, without ``data``) is retried, then refused. No partial file is
ever written.

Trust (issue #26): credentials go only where the user sent them. A redirect
is followed only within the API's origin (scheme, host, port; at most
:attr:`FetchLimits.max_redirects`): one to another origin, or a
``NextPageUrl`` there, is refused before anything is sent, naming both
hosts. ACLED's and UCDP's addresses must be https, or plain http to this
machine; a project file's ``api_url`` for them is used only when the user
also gives it (:func:`trusted_source_options`, ``--trust-api-url``). No
answer body is ever printed (Overpass's 400 explanation is shown stripped of
markup). Feeds are bounded (:class:`FetchLimits`: a deadline per request
that a trickling server cannot reset, one per fetch, bytes counted after
decompression, pages and rows), every field geokit uses is checked (type,
range, finite) and a malformed row is one error naming the field and the
row. A previous ACLED file re-saved by a spreadsheet is read whatever its
separator and encoding, or fetched again in full.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import ipaddress
import json
import logging
import math
import os
import socket
import stat
import threading
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import httpx
import pandas as pd
import tenacity

from geokit._errors import GeokitError, InputError
from geokit._io import atomic_path, manifest_path

__all__ = ["ACLED_URL", "ACLED_TERMS", "ACLED_COLUMNS", "AcledCredentials", "FetchError", "FetchLimits",
           "fetch_acled", "trusted_source_options",
           "acled_credentials", "manifest_path", "UCDP_URL", "UCDP_TERMS", "GLEDITSCH_WARD", "fetch_ucdp",
           "ucdp_token", "OVERPASS_URL", "OSM_TERMS", "fetch_osm"]

log = logging.getLogger(__name__)

#: ACLED's API (``--api-url`` replaces it: a mirror, or a test server).
ACLED_URL = "https://acleddata.com"

#: The terms every product that uses ACLED data cites (the brief cites ACLED; it never re-publishes its rows).
ACLED_TERMS = ("ACLED data, (c) Armed Conflict Location & Event Data (ACLED), https://acleddata.com; used under "
               "ACLED's Terms of Use: attribute ACLED, do not redistribute the raw data")

#: ACLED's export columns, in its order (the API's JSON rows carry these fields).
ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                 "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                 "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                 "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                 "fatalities", "tags", "timestamp"]

#: Rows per page (ACLED's default and maximum page size is 5,000).
PAGE_SIZE = 5000


class FetchError(GeokitError):
    """A source refused or failed a request; the message says what to do.

    Examples
    --------
    >>> isinstance(FetchError("ACLED refused access (HTTP 403)"), GeokitError)
    True
    """


@dataclass(frozen=True)
class AcledCredentials:
    """An ACLED account's email and password; ``repr`` never shows the password.

    Parameters
    ----------
    email, password : str
        The login of the account at https://acleddata.com.

    Examples
    --------
    >>> AcledCredentials("analyst@example.org", "s3cret")
    AcledCredentials(email='analyst@example.org', password=***)
    """

    email: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"AcledCredentials(email={self.email!r}, password=***)"


def acled_credentials(environ: dict[str, str] | None = None, path: str | Path | None = None) -> AcledCredentials:
    """The ACLED credentials from ``ACLED_EMAIL``/``ACLED_PASSWORD``, else from the credentials file.

    Parameters
    ----------
    environ : dict, optional
        The environment (``os.environ`` by default).
    path : path, optional
        The credentials file; ``GEOKIT_CREDENTIALS`` or ``~/.config/geokit/credentials.toml`` by default.

    Examples
    --------
    >>> acled_credentials({"ACLED_EMAIL": "analyst@example.org", "ACLED_PASSWORD": "s3cret"}).email
    'analyst@example.org'
    """
    env = dict(os.environ) if environ is None else environ
    if env.get("ACLED_EMAIL") and env.get("ACLED_PASSWORD"):
        return AcledCredentials(env["ACLED_EMAIL"], env["ACLED_PASSWORD"])
    table, file = _secret_table("acled", "set ACLED_EMAIL and ACLED_PASSWORD, or write them as email and password "
                                "under [acled] in {file} (chmod 600)", env, path)
    if not (table.get("email") and table.get("password")):
        raise FetchError(f"{file} has no [acled] email and password: set ACLED_EMAIL and ACLED_PASSWORD, or add them")
    if not (isinstance(table["email"], str) and isinstance(table["password"], str)):
        raise FetchError(f"{file}: [acled] email and password must be texts in quotes")
    return AcledCredentials(str(table["email"]), str(table["password"]))


def ucdp_token(environ: dict[str, str] | None = None, path: str | Path | None = None) -> str:
    """The UCDP API access token from ``UCDP_TOKEN``, else ``token`` under ``[ucdp]`` in the credentials file.

    Parameters
    ----------
    environ : dict, optional
        The environment (``os.environ`` by default).
    path : path, optional
        The credentials file; ``GEOKIT_CREDENTIALS`` or ``~/.config/geokit/credentials.toml`` by default.

    Examples
    --------
    >>> ucdp_token({"UCDP_TOKEN": "abc123"})
    'abc123'
    """
    env = dict(os.environ) if environ is None else environ
    if env.get("UCDP_TOKEN"):
        return env["UCDP_TOKEN"]
    table, file = _secret_table("ucdp", "set UCDP_TOKEN (ask UCDP for one: https://ucdp.uu.se/apidocs), or write it "
                                "as token under [ucdp] in {file} (chmod 600)", env, path)
    if not table.get("token"):
        raise FetchError(f"{file} has no [ucdp] token: set UCDP_TOKEN, or add it")
    if not isinstance(table["token"], str) or not all(33 <= ord(c) < 127 for c in table["token"]):
        raise FetchError(f"{file}: [ucdp] token must be a text in quotes, without spaces")
    return str(table["token"])


def _secret_table(name: str, how: str, env: dict[str, str], path: str | Path | None) -> tuple[dict, Path]:
    """The ``[name]`` table of the private credentials file: a regular file (not a link, FIFO or device) of
    this user's, that no other user can read, opened without following links and checked on the open file."""
    file = Path(path or env.get("GEOKIT_CREDENTIALS") or Path.home() / ".config" / "geokit" / "credentials.toml")
    how = how.format(file=file)
    if not os.path.lexists(file):
        raise FetchError(f"no {name.upper()} credentials: {how}")
    if file.is_symlink():
        raise FetchError(f"{file} is a symbolic link: point GEOKIT_CREDENTIALS at the file itself (it holds secrets)")
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise FetchError(f"{file} cannot be opened ({exc.strerror}); {how}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise FetchError(f"{file} is not a regular file; {how}")
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise FetchError(f"{file} can be read by other users: run chmod 600 {file} (it holds secrets)")
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise FetchError(f"{file} belongs to another user: use a credentials file of your own (chmod 600)")
        data = handle.read(_MAX_SECRET_BYTES + 1)
    if len(data) > _MAX_SECRET_BYTES:
        raise FetchError(f"{file} is larger than {_MAX_SECRET_BYTES // 1024} KiB: it is not a credentials file")
    try:
        table = tomllib.loads(data.decode("utf-8")).get(name, {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        raise FetchError(f"{file} is not valid UTF-8 TOML; {how}") from None  # the parser's text may quote a secret
    return (table if isinstance(table, dict) else {}), file


#: The largest credentials file read (a few lines of TOML).
_MAX_SECRET_BYTES = 64 * 1024


@dataclass(frozen=True)
class FetchLimits:
    """How much a fetch accepts from a server before it gives up, writing nothing.

    Every limit ends the fetch with a :class:`FetchError` naming it; the file
    and manifest of the previous fetch stay as they were. The defaults fit
    ACLED, UCDP and Overpass answers for a region such as West Africa.

    Parameters
    ----------
    max_bytes : int
        The largest answer, counted after decompression (a small gzip can
        unpack to gigabytes): 200 MB.
    request_deadline_s : float
        The longest time one request may take, headers and body together
        (a server sending one byte every few seconds never trips a read
        timeout): 15 minutes.
    fetch_deadline_s : float
        The longest time the whole fetch may take, retries and waits
        included: 2 hours.
    max_pages : int
        The most pages one listing may take (a server that always answers a
        full page): 2,000.
    max_rows : int
        The most rows one fetch may receive: 2,000,000.
    max_redirects : int
        Redirects followed within the API's own origin (``scheme://host:port``);
        a redirect to another origin is always refused: 3.

    Examples
    --------
    >>> FetchLimits().max_pages
    2000
    >>> FetchLimits(max_bytes=0)
    Traceback (most recent call last):
    ...
    geokit._errors.InputError: FetchLimits.max_bytes must be positive, not 0
    """

    max_bytes: int = 200_000_000
    request_deadline_s: float = 900.0
    fetch_deadline_s: float = 7200.0
    max_pages: int = 2000
    max_rows: int = 2_000_000
    max_redirects: int = 3

    def __post_init__(self) -> None:
        for name in ("max_bytes", "request_deadline_s", "fetch_deadline_s", "max_pages", "max_rows"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise InputError(f"FetchLimits.{name} must be positive, not {value!r}")
        if isinstance(self.max_redirects, bool) or not isinstance(self.max_redirects, int) or self.max_redirects < 0:
            raise InputError(f"FetchLimits.max_redirects must be 0 or more, not {self.max_redirects!r}")


class _Retry(Exception):
    """A transient fault worth another attempt (timeout, 429, 5xx, a broken body)."""

    def __init__(self, message: str, wait_s: float | None = None) -> None:
        super().__init__(message)
        self.wait_s = wait_s


@dataclass(frozen=True)
class _Answer:
    """One HTTP answer, read whole within the limits."""

    status_code: int
    headers: httpx.Headers
    content: bytes


class _Watchdog:
    """Shuts the request's socket down when its deadline passes: a read timeout restarts with every byte,
    so a server trickling bytes is stopped only this way (the sockets come from httpcore's trace)."""

    def __init__(self, seconds: float) -> None:
        self.streams: list[Any] = []
        self.fired = False
        self.timer = threading.Timer(max(seconds, 0.0), self._fire)
        self.timer.daemon = True

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            self.streams.append(info.get("return_value"))

    def _fire(self) -> None:
        self.fired = True
        for stream in self.streams:
            with contextlib.suppress(Exception):
                stream.get_extra_info("socket").shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()


def _origin(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of an address, the port made explicit (the unit a browser trusts)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or (443 if scheme == "https" else 80)


def _site(url: str) -> str:
    """An address shown in a message: its origin only (no path, no query that could carry anything)."""
    scheme, host, port = _origin(url)
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{port}"


def _is_loopback(host: str) -> bool:
    """Whether a host name is this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _retry_after(value: str | None, cap_s: float) -> float | None:
    """``Retry-After`` in seconds (a number or an HTTP date), within 0 and ``cap_s``; None when unreadable."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        seconds = (when - dt.datetime.now(dt.timezone.utc)).total_seconds()
    if not math.isfinite(seconds):
        return cap_s if seconds > 0 else None
    return min(max(seconds, 0.0), cap_s)


class _Http:
    """Requests to one API within :class:`FetchLimits`: redirects followed only within the API's origin,
    every answer read whole under a byte cap and a deadline, transient faults (timeouts, 429 with
    ``Retry-After``, 5xx, a broken body) retried a bounded number of times with exponential backoff."""

    name = "the API"

    def __init__(self, client: httpx.Client, api_url: str, *, attempts: int, backoff_s: float, max_wait_s: float,
                 sleep: Callable[[float], None], timeout_s: float = 120.0, limits: FetchLimits | None = None) -> None:
        self.client, self.api_url = client, api_url  # checked by _api_url before any client exists
        self.attempts, self.backoff_s, self.max_wait_s, self.sleep = attempts, backoff_s, max_wait_s, sleep
        self.timeout_s, self.limits = timeout_s, limits or FetchLimits()
        self.deadline = time.monotonic() + self.limits.fetch_deadline_s
        self.requests = 0

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retry) and exc.wait_s is not None:  # the server's Retry-After, already capped
            wait = min(exc.wait_s, self.max_wait_s)
        else:
            wait = min(self.backoff_s * 2 ** (state.attempt_number - 1), self.max_wait_s)
        if time.monotonic() + wait > self.deadline:
            raise FetchError(f"{exc}; waiting {wait:g} s more would pass the fetch's deadline "
                             f"({self.limits.fetch_deadline_s:g} s): nothing was written")
        return wait

    def call(self, fn: Callable[[], Any], what: str) -> Any:
        """``fn()`` with bounded retries of transient faults; the last fault is a :class:`FetchError`."""
        retrying = tenacity.Retrying(stop=tenacity.stop_after_attempt(self.attempts), wait=self._wait,
                                     retry=tenacity.retry_if_exception_type(_Retry), sleep=self.sleep,
                                     reraise=True,
                                     before_sleep=lambda s: log.warning("%s: %s; trying again", what,
                                                                        s.outcome.exception() if s.outcome else ""))
        try:
            return retrying(fn)
        except _Retry as exc:
            raise FetchError(f"{what} failed after {self.attempts} attempts: {exc}") from None

    def _send(self, method: str, url: str, what: str, **kwargs: Any) -> _Answer:
        """One request and its answer, following redirects only within the API's origin: a redirect
        elsewhere is refused before anything (credentials, token, query) is sent there."""
        target = url if "://" in url else self.api_url + url
        for _ in range(self.limits.max_redirects + 1):
            answer = self._once(method, target, what, **kwargs)
            if answer.status_code not in (301, 302, 303, 307, 308):
                return answer
            location = answer.headers.get("location", "").strip()
            if not location:
                raise FetchError(f"{what}: {self.name} answered HTTP {answer.status_code} with no Location")
            following = urljoin(target, location)
            if "@" in urlsplit(following).netloc:
                raise FetchError(f"{what}: {_site(self.api_url)} redirected (HTTP {answer.status_code}) to an address "
                                 "with a user name or password in it; geokit does not follow it")
            if _origin(following) != _origin(self.api_url):
                raise FetchError(f"{what}: {_site(self.api_url)} redirected (HTTP {answer.status_code}) to another "
                                 f"origin, {_site(following)}; geokit sends nothing there (credentials go only where "
                                 "you send them): give that address as --api-url if you trust it")
            if answer.status_code == 303:
                method, kwargs = "GET", {k: v for k, v in kwargs.items() if k != "data"}
            target, kwargs = following, {k: v for k, v in kwargs.items() if k != "params"}
        raise FetchError(f"{what}: more than {self.limits.max_redirects} redirects within {_site(self.api_url)}")

    def _once(self, method: str, url: str, what: str, **kwargs: Any) -> _Answer:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"{what}: the fetch passed its deadline ({self.limits.fetch_deadline_s:g} s); "
                             "nothing was written")
        budget = min(left, self.limits.request_deadline_s)
        self.requests += 1
        watchdog = _Watchdog(budget)
        headers = {**kwargs.pop("headers", {}), "Connection": "close"}  # a fresh socket the watchdog can see
        end = time.monotonic() + budget
        try:
            with watchdog, self.client.stream(method, url, headers=headers, follow_redirects=False,
                                              timeout=min(self.timeout_s, budget),
                                              extensions={"trace": watchdog.trace}, **kwargs) as response:
                return _Answer(response.status_code, response.headers,
                               self._body(response, what, end, lambda: self._late(what, budget, left), watchdog))
        except httpx.TimeoutException:
            if watchdog.fired:
                raise self._late(what, budget, left) from None
            raise _Retry(f"no answer from {_site(self.api_url)} in time") from None
        except httpx.DecodingError:
            raise _Retry(f"{what}: the answer's compressed body is broken") from None
        except httpx.TransportError as exc:
            if watchdog.fired:
                raise self._late(what, budget, left) from None
            raise _Retry(f"cannot reach {_site(self.api_url)} or it broke off ({type(exc).__name__})") from None

    def _late(self, what: str, budget: float, left: float) -> Exception:
        if budget >= left:
            return FetchError(f"{what}: the fetch passed its deadline ({self.limits.fetch_deadline_s:g} s); "
                              "nothing was written")
        return _Retry(f"{what}: no complete answer within {budget:g} s (the request deadline)")

    def _body(self, response: httpx.Response, what: str, end: float, late: Callable[[], Exception],
              watchdog: _Watchdog) -> bytes:
        """The decoded body, refused past ``max_bytes`` (counted after decompression) or the deadline."""
        cap = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(f"{what}: the answer is larger than the limit of {cap:,} bytes "
                             f"(Content-Length {int(declared):,}); nothing was written")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(f"{what}: the answer is larger than the limit of {cap:,} bytes once "
                                 "decompressed; nothing was written")
            if time.monotonic() > end or watchdog.fired:
                raise late()
            chunks.append(chunk)
        return b"".join(chunks)

    def _check(self, response: _Answer, what: str) -> None:
        code = response.status_code
        if code == 429:
            raise _Retry(f"{what}: too many requests (HTTP 429)",
                         _retry_after(response.headers.get("Retry-After"), self.max_wait_s))
        if code >= 500:
            raise _Retry(f"{what}: the server failed (HTTP {code})")
        if code == 403:
            raise FetchError(f"{what}: {self.name} refused access (HTTP 403): {self.no_access}")

    no_access = "check the account's access"

    @staticmethod
    def _json(response: _Answer, what: str, key: str) -> dict[str, Any]:
        """The answer's JSON object, which must hold a list of objects under ``key``; else a fault worth
        retrying (a page cut short, an HTML error page) or refused (rows that are not objects)."""
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind in ("text/html", "application/xhtml+xml") or response.content.lstrip()[:1] == b"<":
            raise _Retry(f"{what}: the answer is an HTML page, not JSON (an error page?)")
        try:
            body = json.loads(response.content)
        except RecursionError:
            raise FetchError(f"{what}: the answer's JSON is nested too deeply") from None
        except ValueError:  # also a body that is not UTF-8
            raise _Retry(f"{what}: the answer is not complete JSON (truncated?)") from None
        if not isinstance(body, dict):
            raise _Retry(f"{what}: the answer is a JSON {type(body).__name__}, not an object")
        if not isinstance(body.get(key), list):
            raise _Retry(f"{what}: the answer has no list of rows ({key!r})")
        for i, row in enumerate(body[key]):
            if not isinstance(row, dict):
                raise FetchError(f"{what}: row {i + 1} of {key!r} is not a JSON object")
        return body


def _api_url(url: str, *, secret: str | None = None) -> str:
    """An API's address, checked: http(s) with a host, no user name or password (it is written to the
    manifest and build.log), no query, fragment, ``..`` or control characters; and, when ``secret`` names
    what the server receives (credentials, a token), https, or plain http to this machine only."""
    text = str(url)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"--api-url {url!r} is not an http(s) address")
    if parts.username or parts.password or "@" in parts.netloc:
        raise InputError("--api-url holds a user name or password: give credentials through the environment "
                         "or the credentials file, never in the address")
    segments = unquote(parts.path).replace("\\", "/").split("/")
    if parts.query or parts.fragment or ".." in segments or any(ord(c) < 33 or ord(c) == 127 for c in text):
        raise InputError(f"--api-url {_site(text)}...: give the API's address only, without a query, "
                         "a fragment, '..' or spaces")
    try:
        parts.port
    except ValueError:
        raise InputError(f"--api-url {url!r} has no valid port") from None
    if secret and parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise InputError(f"--api-url {_site(text)} is plain http: {secret} would cross the network in clear "
                         "text; use https (plain http is allowed to this machine only: localhost, 127.0.0.1)")
    return text.rstrip("/")


def trusted_source_options(kind: str, options: dict[str, Any], trust_api_urls: Sequence[str] = ()) -> dict[str, Any]:
    """A project's ``[sources.<kind>]`` options, refused when they would send requests (and credentials) to
    a server the user did not choose.

    A project file comes from others: its ``api_url`` is used only when the
    user also typed it (``geokit build --refresh --trust-api-url URL``);
    otherwise the build stops before any request. That holds for ACLED and
    UCDP, which receive the user's password or token, and for Overpass too: a
    received project must not make the user's machine send requests to a
    server of its choosing (a host on the user's own network, say). The
    official addresses need no flag.

    Parameters
    ----------
    kind : str
        ``"acled"``, ``"ucdp"`` or ``"osm"``.
    options : dict
        The table's options (``api_url`` among them, or not).
    trust_api_urls : sequence of str
        The addresses the user trusts, from the command line.

    Returns
    -------
    dict
        The options, unchanged.

    Examples
    --------
    >>> trusted_source_options("acled", {"countries": ["Mali"], "api_url": "https://acleddata.com/"})["api_url"]
    'https://acleddata.com/'
    >>> try:
    ...     trusted_source_options("acled", {"api_url": "https://mirror.example.org"})
    ... except FetchError as exc:
    ...     print(str(exc).split(", and")[0])
    [sources.acled] api_url https://mirror.example.org:443 would receive your ACLED email and password
    """
    official = {"acled": ACLED_URL, "ucdp": UCDP_URL, "osm": OVERPASS_URL}
    if kind not in official or "api_url" not in options:
        return options
    url = str(options["api_url"])
    what = {"acled": "your ACLED email and password", "ucdp": "your UCDP token"}.get(kind)
    given = _api_url(url, secret=what)
    if given == official[kind].rstrip("/") or given in {str(u).rstrip("/") for u in trust_api_urls}:
        return options
    if what is None:
        raise FetchError(f"[sources.{kind}] api_url {_site(url)} would receive requests from your machine, and a "
                         f"project file does not choose where geokit sends requests: run with --trust-api-url "
                         f"{given} if you trust that server, or remove api_url to use the official Overpass API")
    raise FetchError(f"[sources.{kind}] api_url {_site(url)} would receive {what}, and a project file does not "
                     f"choose where credentials go: run with --trust-api-url {given} if you trust that server, "
                     "or remove api_url to use the official API")


def _where(what: str, index: int, row: dict[str, Any], key: str) -> str:
    """A row named in a message: its page, number and identifier when it has a printable one."""
    ident = row.get(key)
    shown = f" ({key} {ident!r})" if isinstance(ident, str | int) and not isinstance(ident, bool) \
        and 0 < len(str(ident).strip()) <= 40 and str(ident).isprintable() else ""
    return f"{what}, row {index + 1}{shown}"


def _shown(value: Any) -> str:
    """A value quoted in a message, short and printable."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _scalars(row: dict[str, Any], where: str) -> None:
    """Every value of a row is a JSON scalar (text, number, true/false, null), never a list or object."""
    for name, value in row.items():
        if isinstance(value, dict | list):
            raise FetchError(f"{where}: {name} is a JSON {type(value).__name__}, not a value; nothing was written")
        if isinstance(value, float) and not math.isfinite(value):
            raise FetchError(f"{where}: {name} {value} is not a finite number; nothing was written")


def _field_text(row: dict[str, Any], name: str, where: str) -> str:
    """A required identifier: non-empty text or a whole number."""
    value = row.get(name)
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise FetchError(f"{where}: {name} {_shown(value)} is missing or not an identifier; nothing was written")
    return str(value)


def _field_number(row: dict[str, Any], name: str, where: str, low: float, high: float) -> float:
    """A required finite number between ``low`` and ``high``, given as a number or as text."""
    value = row.get(name)
    try:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError
        number = float(value)
    except (ValueError, OverflowError):
        raise FetchError(f"{where}: {name} {_shown(value)} is missing or not a number; nothing was written") from None
    if not (math.isfinite(number) and low <= number <= high):
        raise FetchError(f"{where}: {name} {_shown(value)} is not a finite number between {low:g} and {high:g}; "
                         "nothing was written")
    return number


def _field_whole(row: dict[str, Any], name: str, where: str, low: int, high: int) -> int:
    """A required whole number between ``low`` and ``high``, given as a number or as digits."""
    value = row.get(name)
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 15 and low <= int(text) <= high):
        raise FetchError(f"{where}: {name} {_shown(value)} is not a whole number between {low} and {high}; "
                         "nothing was written")
    return int(text)


def _field_date(row: dict[str, Any], name: str, where: str) -> dt.date:
    """A required date, ``YYYY-MM-DD`` (a time may follow, as UCDP gives it)."""
    value = row.get(name)
    try:
        if not isinstance(value, str) or value[10:11] not in ("", "T", " "):
            raise ValueError
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise FetchError(f"{where}: {name} {_shown(value)} is missing or not a date (YYYY-MM-DD); "
                         "nothing was written") from None


#: The latest Unix time accepted in a feed (1 January 2100).
_LAST_STAMP = 4_102_444_800


def _check_acled_row(row: dict[str, Any], where: str) -> None:
    """The fields of an ACLED event geokit uses: its id, date, coordinates, ``timestamp`` and ``fatalities``."""
    _scalars(row, where)
    _field_text(row, "event_id_cnty", where)
    _field_date(row, "event_date", where)
    _field_number(row, "latitude", where, -90, 90)
    _field_number(row, "longitude", where, -180, 180)
    _field_whole(row, "timestamp", where, 0, _LAST_STAMP)
    if row.get("fatalities") not in (None, ""):
        _field_whole(row, "fatalities", where, 0, 1_000_000)


def _check_acled_deleted(row: dict[str, Any], where: str) -> None:
    """An ACLED deletion: the event's id and when it was deleted."""
    _scalars(row, where)
    _field_text(row, "event_id_cnty", where)
    _field_whole(row, "deleted_timestamp", where, 0, _LAST_STAMP)


def _check_ged_row(row: dict[str, Any], where: str) -> None:
    """The fields of a UCDP GED event geokit uses: its id, dates, coordinates, deaths (``best``) and
    ``type_of_violence``."""
    _scalars(row, where)
    _field_whole(row, "id", where, 0, 10 ** 15)
    _field_date(row, "date_start", where)
    if row.get("date_end") not in (None, ""):
        _field_date(row, "date_end", where)
    _field_number(row, "latitude", where, -90, 90)
    _field_number(row, "longitude", where, -180, 180)
    if row.get("best") not in (None, ""):
        _field_whole(row, "best", where, 0, 1_000_000)
    if row.get("type_of_violence") not in (None, ""):
        _field_whole(row, "type_of_violence", where, 1, 3)


class _AcledSession(_Http):
    """One ACLED session: the OAuth token, refreshed when the API says it expired."""

    name = "ACLED"
    no_access = "the account has no API access, or has not accepted ACLED's terms of use; check it at " \
        "https://acleddata.com"

    def __init__(self, client: httpx.Client, api_url: str, credentials: AcledCredentials, **kwargs: Any) -> None:
        super().__init__(client, api_url, **kwargs)
        self.credentials = credentials
        self.token: dict[str, Any] | None = None

    def _token(self, form: dict[str, str]) -> dict[str, Any]:
        def attempt() -> dict[str, Any]:
            response = self._send("POST", "/oauth/token", "ACLED token", data=form)
            self._check(response, "ACLED token")
            if response.status_code in (400, 401):
                return {}
            if response.status_code != 200:
                raise FetchError(f"ACLED token: unexpected HTTP {response.status_code}")
            try:
                body = json.loads(response.content)
            except (ValueError, RecursionError):
                raise _Retry("ACLED token: the answer is not JSON") from None
            if not isinstance(body, dict) or not body.get("access_token"):
                raise _Retry("ACLED token: the answer has no access_token")
            return _checked_token(body)

        return self.call(attempt, "ACLED token")

    def login(self) -> None:
        body = self._token({"username": self.credentials.email, "password": self.credentials.password,
                            "grant_type": "password", "client_id": "acled"})
        if not body:
            raise FetchError("ACLED refused the email and password (HTTP 401): set ACLED_EMAIL and ACLED_PASSWORD "
                             "(or [acled] in ~/.config/geokit/credentials.toml) to your ACLED account's login")
        self.token = body

    def refresh(self) -> None:
        refresh = (self.token or {}).get("refresh_token")
        body = self._token({"grant_type": "refresh_token", "refresh_token": str(refresh), "client_id": "acled"}) \
            if refresh else {}
        if body:
            self.token = body
        else:  # no refresh token, or it expired too: log in again
            self.login()

    def get(self, path: str, params: dict[str, Any], what: str) -> dict[str, Any]:
        """One JSON page; a 401 (token expired) refreshes the token once and asks again."""
        if self.token is None:
            self.login()

        def attempt() -> dict[str, Any]:
            for fresh in (False, True):
                headers = {"Authorization": f"Bearer {(self.token or {}).get('access_token', '')}"}
                response = self._send("GET", path, what, params=params, headers=headers)
                if response.status_code == 401 and not fresh:
                    log.info("%s: the ACLED token expired; refreshing it", what)
                    self.refresh()
                    continue
                if response.status_code == 401:
                    raise FetchError(f"{what}: ACLED refused a fresh token (HTTP 401); check the account")
                self._check(response, what)
                if response.status_code != 200:
                    raise FetchError(f"{what}: unexpected HTTP {response.status_code}")
                return self._json(response, what, "data")
            raise AssertionError("unreachable")

        return self.call(attempt, what)

    def pages(self, path: str, params: dict[str, Any], what: str, page_size: int,
              progress: Callable[[int, int], None] | None = None,
              check: Callable[[dict[str, Any], str], None] = _check_acled_row) -> tuple[list[dict], list[int]]:
        """Every row of a paged endpoint: pages until one comes back shorter than ``page_size``, each row
        checked, within the limits on pages and rows; a page repeating the one before is refused."""
        rows: list[dict] = []
        counts: list[int] = []
        before: list[str] | None = None
        page = 1
        while True:
            if page > self.limits.max_pages:
                raise FetchError(f"{what}: more than {self.limits.max_pages:,} pages (the server keeps sending "
                                 "full pages); nothing was written")
            label = f"{what}, page {page}"
            data = self.get(path, {**params, "limit": page_size, "page": page}, label)["data"]
            if len(data) > page_size:
                raise FetchError(f"{label}: {len(data)} rows where at most {page_size} were asked for; "
                                 "nothing was written")
            for i, row in enumerate(data):
                check(row, _where(label, i, row, "event_id_cnty"))
            ids = [str(row.get("event_id_cnty")) for row in data]
            if data and ids == before:
                raise FetchError(f"{label} repeats page {page - 1} (the server ignores the page asked for); "
                                 "nothing was written")
            before = ids
            rows += data
            counts.append(len(data))
            if len(rows) > self.limits.max_rows:
                raise FetchError(f"{what}: more than {self.limits.max_rows:,} rows; nothing was written")
            if progress is not None:
                progress(page, len(rows))
            if len(data) < page_size:
                return rows, counts
            page += 1


def _checked_token(body: dict[str, Any]) -> dict[str, Any]:
    """An OAuth token answer: an ``access_token`` fit for a header, an optional ``refresh_token`` and a
    sane ``expires_in``; anything else is refused without quoting the token."""
    token, refresh, expires = body.get("access_token"), body.get("refresh_token"), body.get("expires_in")
    if not isinstance(token, str) or len(token) > 8192 or not all(33 <= ord(c) < 127 for c in token):
        raise FetchError("ACLED token: the answer's access_token is not a token (text without spaces, "
                         "at most 8,192 characters)")
    if refresh is not None and not (isinstance(refresh, str) and len(refresh) <= 8192
                                    and all(33 <= ord(c) < 127 for c in refresh)):
        raise FetchError("ACLED token: the answer's refresh_token is not a token")
    if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int | float)
                                or not math.isfinite(expires) or not 0 < expires <= 400 * 86400):
        raise FetchError(f"ACLED token: expires_in {_shown(expires)} is not a number of seconds between 1 and "
                         f"{400 * 86400:,} (400 days)")
    return body


def _write(out: Path, write: Callable[[Path], object], manifest: dict) -> None:
    """The data, then its manifest, each replaced in one rename: a fault leaves both as they were, and a
    fault between the two leaves new data with the old manifest, so the next fetch asks again (never the
    reverse, which would skip changes)."""
    with atomic_path(manifest_path(out)) as tmp_manifest, atomic_path(out) as tmp:
        write(tmp)
        tmp_manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _dates(start: object, end: object) -> tuple[dt.date, dt.date]:
    """The first and last day of a fetch, checked."""
    first, last = _date(start, "start"), _date(end, "end")
    if first > last:
        raise InputError(f"start {first} is after end {last}")
    return first, last


def _now() -> str:
    """The time of a fetch, for its manifest (UTC, to the second)."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


@contextlib.contextmanager
def _client(client: httpx.Client | None, timeout_s: float) -> Iterator[httpx.Client]:
    """The caller's client as it is, or one of our own, closed afterwards."""
    if client is not None:
        yield client
        return
    with httpx.Client(timeout=timeout_s, follow_redirects=False) as own:  # redirects: _Http._send
        yield own


def _date(value: object, name: str) -> dt.date:
    """A date, or today for ``"today"`` (a weekly job's moving end)."""
    if str(value).strip().lower() == "today":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{name} {value!r} is not a date: use YYYY-MM-DD or today") from None


def fetch_acled(
    out: str | Path,
    *,
    countries: Sequence[str],
    start: str | dt.date,
    end: str | dt.date,
    api_url: str = ACLED_URL,
    credentials: AcledCredentials | None = None,
    page_size: int = PAGE_SIZE,
    full: bool = False,
    attempts: int = 5,
    backoff_s: float = 2.0,
    max_wait_s: float = 120.0,
    timeout_s: float = 120.0,
    limits: FetchLimits | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Fetch ACLED events of some countries and dates into a CSV that :func:`geokit.read_incidents` reads.

    With a manifest from an earlier fetch of the same countries and dates
    beside ``out``, only the events changed since (``timestamp``) are asked
    for, edits replace their rows and events deleted since are removed
    (``full=True`` fetches everything again). An end of ``"today"`` moves
    with each run and stays incremental.

    Parameters
    ----------
    out : path
        The CSV to write (with ``out.manifest.json`` beside it).
    countries : sequence of str
        ACLED country names (``"Mali"``, ``"Burkina Faso"``).
    start, end : str or date
        The event dates, both included (``YYYY-MM-DD``).
    api_url : str
        ACLED's API, or a mirror or test server: https, or plain http to this
        machine only (it receives the password).
    credentials : AcledCredentials, optional
        :func:`acled_credentials` by default.
    page_size : int
        Rows per page (ACLED gives at most 5,000).
    full : bool
        Fetch everything even when a manifest allows an incremental fetch.
    attempts, backoff_s, max_wait_s, timeout_s : number
        Retries of transient faults: attempts per request, the first wait
        (doubled each time), the longest wait (also caps ``Retry-After``),
        and the time allowed without a byte from the server.
    limits : FetchLimits, optional
        Deadlines and caps on bytes, pages, rows and redirects
        (:class:`FetchLimits`' defaults).
    client : httpx.Client, optional
        A client of your own (proxies, certificates).
    sleep : callable, optional
        Called to wait between attempts (``time.sleep``).
    progress : callable, optional
        Called with (page, rows so far) after each page.

    Returns
    -------
    dict
        The manifest written beside the file.

    Examples
    --------
    >>> fetch_acled("acled_mali.csv", countries=["Mali"], start="2025-09-01",  # doctest: +SKIP
    ...             end="2025-11-30")
    >>> try:  # what can be checked is checked before any request
    ...     fetch_acled("acled_mali.csv", countries=["Mali"], start="2025-11-30", end="2025-09-01")
    ... except InputError as exc:
    ...     print(exc)
    start 2025-11-30 is after end 2025-09-01
    """
    import time

    out = Path(out)
    first, last = _dates(start, end)
    names = [str(c).strip() for c in countries if str(c).strip()]
    if not names:
        raise InputError("give at least one country (--country Mali)")
    if page_size < 1:
        raise InputError(f"page_size must be at least 1, not {page_size}")
    query = {"countries": names, "start": first.isoformat(), "end": last.isoformat()}
    api_url = _api_url(api_url, secret="your ACLED email and password")
    previous = _previous(out, query) if not full else None
    old = _read_previous_acled(out) if previous is not None else None
    if previous is not None and old is None:
        previous = None  # the earlier file cannot be continued from: everything is fetched again
    credentials = credentials or acled_credentials()
    params: dict[str, Any] = {"_format": "json", "country": "|".join(names),
                              "event_date": f"{first.isoformat()}|{last.isoformat()}", "event_date_where": "BETWEEN"}
    with _client(client, timeout_s) as http:
        session = _AcledSession(http, api_url, credentials, attempts=attempts, backoff_s=backoff_s,
                                max_wait_s=max_wait_s, sleep=sleep or time.sleep, timeout_s=timeout_s,
                                limits=limits)
        if previous is None:
            rows, counts = session.pages("/api/acled/read", params, "ACLED events", page_size, progress)
            table = _table(rows)
            deleted: list[str] = []
        else:
            since = int(previous["newest_timestamp"])
            rows, counts = session.pages("/api/acled/read", {**params, "timestamp": since, "timestamp_where": ">"},
                                         "ACLED events changed since the last fetch", page_size, progress)
            gone, _ = session.pages("/api/deleted/read", {"_format": "json", "deleted_timestamp": since,
                                                          "deleted_timestamp_where": ">"},
                                    "ACLED deletions since the last fetch", page_size, check=_check_acled_deleted)
            deleted = sorted({str(r.get("event_id_cnty", "")) for r in gone} - {""})
            assert old is not None
            table = _merge(old, _table(rows), deleted)
    stamps = pd.to_numeric(table["timestamp"], errors="coerce")
    manifest = {
        "source": "ACLED", "api_url": api_url, "endpoint": "/api/acled/read", "query": query,
        "fetched_at": _now(),
        "mode": "incremental" if previous is not None else "full",
        "since_timestamp": previous["newest_timestamp"] if previous is not None else None,
        "rows_per_page": counts, "rows_received": int(sum(counts)), "deleted": len(deleted),
        "rows": len(table), "newest_timestamp": _newest(stamps),
        "terms": ACLED_TERMS, "file": out.name,
    }
    _write(out, lambda tmp: table.to_csv(tmp, index=False, lineterminator="\n"), manifest)
    log.info("ACLED: %d rows in %s (%s fetch, %d requests)", len(table), out, manifest["mode"], session.requests)
    return manifest


def _previous(out: Path, query: dict) -> dict | None:
    """The manifest of an earlier ACLED fetch this one can continue from a timestamp: the same countries
    and start, and the same end, or a later one when the earlier end was not before the earlier fetch
    (every event dated after it was then added later, so its timestamp is newer: a weekly job's moving end)."""
    manifest = _read_manifest(out)
    if manifest is None or manifest.get("source") != "ACLED":
        return None
    old, stamp = manifest.get("query"), manifest.get("newest_timestamp")
    try:
        fetched = dt.date.fromisoformat(str(manifest.get("fetched_at"))[:10])
    except ValueError:
        return None
    if not isinstance(old, dict) or isinstance(stamp, bool) or not isinstance(stamp, int) \
            or not 0 < stamp <= _LAST_STAMP:  # a manifest edited by hand or by others is not continued from
        return None
    if old.get("countries") != query["countries"] or old.get("start") != query["start"]:
        return None
    end = old.get("end")
    if end == query["end"] or (isinstance(end, str) and str(fetched) <= end < query["end"]):
        return manifest
    return None


def _newest(stamps: pd.Series) -> int:
    """The newest sane ``timestamp`` (a re-saved old file may hold anything), or 0."""
    sane = stamps[(stamps >= 0) & (stamps <= _LAST_STAMP)]
    return int(sane.max()) if len(sane) else 0


def _read_previous_acled(out: Path) -> pd.DataFrame | None:
    """The file of the earlier ACLED fetch, every value as text, whatever a spreadsheet made of it (``;`` or
    tab separators, a byte-order mark, Latin-1); None, with a warning, when it cannot be continued from."""
    import csv
    import io

    try:
        raw = out.read_bytes()
    except OSError as exc:
        log.warning("ACLED: %s cannot be read (%s); fetching everything again", out, exc.strerror)
        return None
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        table = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        log.warning("ACLED: %s does not read as CSV (%s); fetching everything again", out, str(exc)[:120])
        return None
    missing = [c for c in ("event_id_cnty", "event_date", "timestamp") if c not in table]
    if missing:
        log.warning("ACLED: %s has no %s column (re-saved by another program?); fetching everything again",
                    out, ", ".join(missing))
        return None
    return table


def _read_manifest(out: Path) -> dict | None:
    """The manifest beside ``out`` when both are there and it reads as a JSON object."""
    path = manifest_path(out)
    if not (out.is_file() and path.is_file()):
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _table(rows: list[dict]) -> pd.DataFrame:
    """Rows as ACLED's export: its columns first, in order, then any others; every value as text."""
    frame = pd.DataFrame(rows, dtype=object)
    extra = [c for c in frame.columns if c not in ACLED_COLUMNS]
    frame = frame.reindex(columns=[*ACLED_COLUMNS, *extra])
    return frame.astype("string").fillna("").astype(object)


def _merge(old: pd.DataFrame, new: pd.DataFrame, deleted: Sequence[str]) -> pd.DataFrame:
    """The earlier rows with edits replaced, new events added and deleted ones removed, by ``event_id_cnty``."""
    key = "event_id_cnty"
    columns = list(dict.fromkeys([*old.columns, *new.columns]))
    kept = old[~old[key].isin(set(new[key]))]
    merged = pd.concat([kept.reindex(columns=columns), new.reindex(columns=columns)], ignore_index=True)
    merged = merged[~merged[key].isin(set(deleted))].fillna("")  # deleted, whether old or just edited
    order = pd.to_datetime(merged["event_date"], errors="coerce")
    return merged.iloc[order.argsort(kind="stable")].reset_index(drop=True)


#: UCDP's API (``--api-url`` replaces it).
UCDP_URL = "https://ucdpapi.pcr.uu.se"

#: The attribution every product using UCDP GED events cites.
UCDP_TERMS = ("UCDP Georeferenced Event Dataset (GED), Uppsala Conflict Data Program, https://ucdp.uu.se; "
              "cite Sundberg & Melander (2013), Journal of Peace Research 50(4), as UCDP asks")

#: Gleditsch-Ward codes of Mali, its neighbours and the corridor countries (``--country`` also takes codes).
GLEDITSCH_WARD = {"Gambia": 420, "Guinea-Bissau": 404, "Mali": 432, "Senegal": 433, "Benin": 434,
                  "Mauritania": 435, "Niger": 436, "Côte d'Ivoire": 437, "Ivory Coast": 437, "Guinea": 438,
                  "Burkina Faso": 439, "Liberia": 450, "Sierra Leone": 451, "Ghana": 452, "Togo": 461,
                  "Cameroon": 471, "Nigeria": 475, "Chad": 483, "Morocco": 600, "Algeria": 615, "Libya": 620}

#: Rows per page of UCDP's API (its maximum).
UCDP_PAGE_SIZE = 1000


class _UcdpSession(_Http):
    """UCDP's API: the access token in the ``x-ucdp-access-token`` header; pages followed by ``NextPageUrl``."""

    name = "UCDP"
    no_access = "the token does not give access to this resource or version; ask UCDP (https://ucdp.uu.se/apidocs)"

    def __init__(self, client: httpx.Client, api_url: str, token: str, **kwargs: Any) -> None:
        super().__init__(client, api_url, **kwargs)
        self.headers = {"x-ucdp-access-token": token}

    def pages(self, path: str, params: dict[str, Any], what: str,
              progress: Callable[[int, int], None] | None = None) -> tuple[list[dict], list[int]]:
        """Every event of a version: pages followed by ``NextPageUrl`` (within the API's origin, never twice
        the same) until ``TotalCount`` events have come, each checked, within the limits."""
        rows: list[dict] = []
        counts: list[int] = []
        size = int(params["pagesize"])
        url, query = path, dict(params)  # then the NextPageUrl as given (its own query string)
        seen: set[str] = set()
        announced: int | None = None
        while True:
            page = len(counts) + 1
            label = f"{what}, page {page}"
            if page > self.limits.max_pages:
                raise FetchError(f"{what}: more than {self.limits.max_pages:,} pages; nothing was written")
            if announced is not None and page > max(1, -(-announced // size)):
                raise FetchError(f"{label}: NextPageUrl goes on past the {max(1, -(-announced // size))} pages "
                                 f"TotalCount {announced} needs; nothing was written")

            def attempt() -> dict[str, Any]:
                response = self._send("GET", url, label, params=query or None, headers=self.headers)
                if response.status_code == 401:
                    raise FetchError(f"{what}: UCDP refused the access token (HTTP 401): set UCDP_TOKEN (ask UCDP "
                                     "for one: https://ucdp.uu.se/apidocs) or [ucdp] token in the credentials file")
                if response.status_code == 404:
                    raise FetchError(f"{what}: UCDP has no {path} (HTTP 404): check the GED version "
                                     "(e.g. 25.1, or a candidate release such as 25.0.10)")
                self._check(response, label)
                if response.status_code != 200:
                    raise FetchError(f"{label}: unexpected HTTP {response.status_code}")
                return self._json(response, label, "Result")

            body = self.call(attempt, label)
            data, total, following = body["Result"], body.get("TotalCount"), body.get("NextPageUrl")
            if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= 10 ** 9:
                raise FetchError(f"{label}: TotalCount {_shown(total)} is not a whole number of events; "
                                 "nothing was written")
            if announced is not None and total != announced:
                raise FetchError(f"{label}: TotalCount changed from {announced} to {total} between pages; "
                                 "nothing was written, try again later")
            announced = total
            if following is not None and not isinstance(following, str):
                raise FetchError(f"{label}: NextPageUrl {_shown(following)} is not an address; nothing was written")
            if len(data) > size:
                raise FetchError(f"{label}: {len(data)} events where at most {size} were asked for; "
                                 "nothing was written")
            for i, row in enumerate(data):
                _check_ged_row(row, _where(label, i, row, "id"))
            rows += data
            counts.append(len(data))
            if len(rows) > min(total, self.limits.max_rows):
                raise FetchError(f"{label}: {len(rows):,} events received, more than the "
                                 + (f"TotalCount of {total}" if len(rows) > total else
                                    f"limit of {self.limits.max_rows:,} rows") + "; nothing was written")
            if progress is not None:
                progress(page, len(rows))
            if not following or not data:
                if total != len(rows):  # the server stopped before the end
                    raise FetchError(f"{what}: UCDP announced {total} events but its pages held {len(rows)}; "
                                     "nothing was written, try again later")
                return rows, counts
            following = urljoin(self.api_url + "/", following.strip())
            if "@" in urlsplit(following).netloc:
                raise FetchError(f"{label}: NextPageUrl holds a user name or password; nothing was written")
            if _origin(following) != _origin(self.api_url):
                raise FetchError(f"{label}: NextPageUrl leads to another origin, {_site(following)}, not "
                                 f"{_site(self.api_url)}; the token is not sent there, nothing was written")
            if following in seen:
                raise FetchError(f"{label}: NextPageUrl repeats an address already fetched (a loop); "
                                 "nothing was written")
            seen.add(following)
            url, query = following, {}


def _gw_codes(countries: Sequence[str | int]) -> list[int]:
    codes = []
    for country in countries:
        text = str(country).strip()
        if text.isdigit():
            codes.append(int(text))
        elif text in GLEDITSCH_WARD:
            codes.append(GLEDITSCH_WARD[text])
        else:
            raise InputError(f"UCDP country {text!r} is not known by name here: give its Gleditsch-Ward code "
                             f"(e.g. Mali 432), or one of {', '.join(sorted(GLEDITSCH_WARD))}")
    return sorted(set(codes))


def fetch_ucdp(
    out: str | Path,
    *,
    countries: Sequence[str | int],
    start: str | dt.date,
    end: str | dt.date,
    versions: Sequence[str],
    api_url: str = UCDP_URL,
    token: str | None = None,
    page_size: int = UCDP_PAGE_SIZE,
    full: bool = False,
    attempts: int = 5,
    backoff_s: float = 2.0,
    max_wait_s: float = 120.0,
    timeout_s: float = 120.0,
    limits: FetchLimits | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Fetch UCDP GED events into a CSV in the GED's columns, which :func:`geokit.read_incidents` reads.

    Each version is fetched in turn (``25.1`` the yearly release, ``25.0.10``
    a candidate release of the current year) and an event in several keeps
    its row from the last one given. UCDP's releases do not change once
    published: a second fetch of the same query and versions sends no request
    for events and says so (``mode: unchanged``); a new version replaces the
    file, the manifest counting events added, removed and changed since.

    Parameters
    ----------
    out : path
        The CSV to write (with ``out.manifest.json`` beside it).
    countries : sequence of str or int
        Country names (:data:`GLEDITSCH_WARD`) or Gleditsch-Ward codes.
    start, end : str or date
        The event dates, both included (``YYYY-MM-DD``).
    versions : sequence of str
        GED versions, e.g. ``["25.1", "25.0.10"]``.
    api_url : str
        UCDP's API, or a mirror or test server: https, or plain http to this
        machine only (it receives the token).
    token : str, optional
        The access token; :func:`ucdp_token` by default.
    page_size : int
        Events per page (UCDP gives at most 1,000).
    full : bool
        Fetch again even when the manifest says the same versions were fetched.
    attempts, backoff_s, max_wait_s, timeout_s, limits, client, sleep, progress
        As for :func:`fetch_acled`.

    Returns
    -------
    dict
        The manifest written beside the file.

    Examples
    --------
    >>> fetch_ucdp("ged_mali.csv", countries=["Mali", "Burkina Faso"],  # doctest: +SKIP
    ...            start="2025-01-01", end="2025-12-31", versions=["25.0.10"])
    >>> try:
    ...     fetch_ucdp("ged.csv", countries=["Mali"], start="2025-01-01", end="2025-12-31", versions=["latest"])
    ... except InputError as exc:
    ...     print(exc)
    give GED versions such as 25.1 or 25.0.10, not ['latest']
    """
    import time

    out = Path(out)
    first, last = _dates(start, end)
    codes = _gw_codes(countries)
    if not codes:
        raise InputError("give at least one country (--country Mali)")
    chosen = [str(v).strip() for v in versions if str(v).strip()]
    if not chosen or not all(part.isdigit() for v in chosen for part in v.split(".")):
        raise InputError(f"give GED versions such as 25.1 or 25.0.10, not {list(versions)!r}")
    query = {"countries": codes, "start": first.isoformat(), "end": last.isoformat(), "versions": chosen}
    api_url = _api_url(api_url, secret="your UCDP token")
    previous = None if full else _previous_of(out, "UCDP GED", query)
    if previous is not None:
        log.info("UCDP: %s already holds versions %s of this query; nothing to fetch", out, ", ".join(chosen))
        return {**previous, "mode": "unchanged"}
    token = token or ucdp_token()
    if not all(33 <= ord(c) < 127 for c in token):
        raise FetchError("the UCDP token holds spaces or control characters: check UCDP_TOKEN (it is not shown)")
    rows: list[dict] = []
    counts: dict[str, list[int]] = {}
    with _client(client, timeout_s) as http:
        session = _UcdpSession(http, api_url, token, attempts=attempts, backoff_s=backoff_s, max_wait_s=max_wait_s,
                               sleep=sleep or time.sleep, timeout_s=timeout_s, limits=limits)
        for version in chosen:
            got, counts[version] = session.pages(
                f"/api/gedevents/{version}", {"pagesize": page_size, "page": 0,
                                              "Country": ",".join(map(str, codes)),
                                              "StartDate": first.isoformat(), "EndDate": last.isoformat()},
                f"UCDP GED {version}", progress)
            rows += got
    table = pd.DataFrame(rows, dtype=object)
    if len(table):
        table = table.drop_duplicates("id", keep="last") if "id" in table else table
        table = table.iloc[pd.to_datetime(table["date_start"], errors="coerce").argsort(kind="stable")]
    table = table.astype("string").fillna("").astype(object).reset_index(drop=True)
    changes = _changes(out, table) if out.is_file() else None
    manifest = {
        "source": "UCDP GED", "api_url": api_url, "endpoint": "/api/gedevents/{version}", "query": query,
        "fetched_at": _now(), "mode": "full",
        "rows_per_page": counts, "rows_received": sum(map(sum, counts.values())), "rows": len(table),
        "changes_since_previous_file": changes, "terms": UCDP_TERMS, "file": out.name,
    }
    _write(out, lambda tmp: table.to_csv(tmp, index=False, lineterminator="\n"), manifest)
    log.info("UCDP: %d events in %s (%d requests)", len(table), out, session.requests)
    return manifest


def _previous_of(out: Path, source: str, query: dict) -> dict | None:
    """The manifest of an earlier fetch of the same source and query into ``out``, when both are there."""
    manifest = _read_manifest(out)
    return manifest if manifest is not None and manifest.get("source") == source and \
        manifest.get("query") == query else None


def _changes(out: Path, table: pd.DataFrame) -> dict[str, int] | None:
    """Events added, removed and changed since the file being replaced (by ``id``)."""
    try:
        old = pd.read_csv(out, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError):
        return None
    if "id" not in old or "id" not in table:
        return None
    before, after = old.set_index("id"), table.set_index("id")
    common = before.index.intersection(after.index)
    columns = [c for c in after.columns if c in before.columns]
    changed = (before.loc[common, columns].astype(str) != after.loc[common, columns].astype(str)).any(axis=1)
    return {"added": int(len(after.index.difference(before.index))),
            "removed": int(len(before.index.difference(after.index))), "changed": int(changed.sum())}


#: The Overpass API (``--api-url`` replaces it: another instance, or a test server).
OVERPASS_URL = "https://overpass-api.de/api/interpreter"

#: OpenStreetMap's attribution and licence.
OSM_TERMS = "(c) OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright): share derived " \
    "databases alike"


class _Overpass(_Http):
    name = "Overpass"
    no_access = "this Overpass instance refuses the query; try another instance with --api-url"

    def query(self, text: str, what: str) -> dict[str, Any]:
        def attempt() -> dict[str, Any]:
            response = self._send("POST", self.api_url, what, data={"data": text})
            if response.status_code == 400:
                raise FetchError(f"{what}: Overpass rejected the query (HTTP 400): {_printable(response.content)}")
            self._check(response, what)
            if response.status_code != 200:
                raise FetchError(f"{what}: unexpected HTTP {response.status_code}")
            body = self._json(response, what, "elements")
            remark = body.get("remark")
            if remark is not None and not isinstance(remark, str):
                raise FetchError(f"{what}: remark {_shown(remark)} is not a text; nothing was written")
            if "error" in (remark or "").lower():  # Overpass stops mid-query (timeout, memory) and says so here
                raise _Retry(f"{what}: Overpass stopped before the end ({_printable(str(remark).encode())})")
            osm3s = body.get("osm3s")
            if osm3s is not None and not (isinstance(osm3s, dict) and isinstance(
                    osm3s.get("timestamp_osm_base", ""), str)):
                raise FetchError(f"{what}: osm3s {_shown(osm3s)} is not an object with a timestamp_osm_base "
                                 "text; nothing was written")
            return body

        return self.call(attempt, what)


def _printable(content: bytes, length: int = 160) -> str:
    """The start of a server's text, shown in a message: markup and control characters removed."""
    import re

    text = re.sub(r"<[^>]*>", " ", content[:4096].decode("utf-8", "replace"))
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text[:length] + ("..." if len(text) > length else "")


def _overpass_ways(elements: list[dict[str, Any]], what: str, limits: FetchLimits
                   ) -> list[tuple[int, dict[str, str], list[tuple[float, float]]]]:
    """The ways of an Overpass answer with their geometry (two points or more), every field used checked:
    ``id`` a positive whole number, ``tags`` an object of texts, ``geometry`` a list of finite ``lon``/``lat``
    within range. Ways without geometry (not asked for) are left out."""
    ways = []
    for i, element in enumerate(elements):
        if element.get("type") != "way":
            continue
        where = _where(what, i, element, "id").replace(", row ", ", element ")
        ident = element.get("id")
        if isinstance(ident, bool) or not isinstance(ident, int) or not 0 < ident < 2 ** 63:
            raise FetchError(f"{where}: id {_shown(ident)} is not a positive whole number; nothing was written")
        tags = element.get("tags", {})
        if tags is None:
            tags = {}
        if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
            raise FetchError(f"{where}: tags {_shown(tags)} is not an object of texts; nothing was written")
        geometry = element.get("geometry")
        if geometry is None:
            continue
        if not isinstance(geometry, list):
            raise FetchError(f"{where}: geometry {_shown(geometry)} is not a list of points; nothing was written")
        points = []
        for j, point in enumerate(geometry):
            if not isinstance(point, dict):
                raise FetchError(f"{where}: geometry[{j}] {_shown(point)} is not a point; nothing was written")
            lon = _coordinate(point.get("lon"), f"{where}: geometry[{j}].lon", 180)
            lat = _coordinate(point.get("lat"), f"{where}: geometry[{j}].lat", 90)
            points.append((lon, lat))
        if len(points) >= 2:
            ways.append((ident, tags, points))
        if len(ways) > limits.max_rows:
            raise FetchError(f"{what}: more than {limits.max_rows:,} ways; nothing was written")
    return ways


def _coordinate(value: Any, where: str, bound: float) -> float:
    """A longitude or latitude as Overpass gives it: a JSON number, finite, within +-``bound``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not -bound <= value <= bound:
        raise FetchError(f"{where} {_shown(value)} is not a finite number between {-bound} and {bound}; "
                         "nothing was written")
    return float(value)


def _bbox(bbox: str | Sequence[float]) -> tuple[float, float, float, float]:
    parts = [p.strip() for p in bbox.split(",")] if isinstance(bbox, str) else list(bbox)
    try:
        w, s, e, n = (float(p) for p in parts)
    except (TypeError, ValueError):
        raise InputError(f"--bbox {bbox!r} is not W,S,E,N in degrees, e.g. -12.5,10.0,4.5,25.0") from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InputError(f"--bbox {bbox!r} is not W,S,E,N with W < E and S < N (longitude first)")
    return w, s, e, n


def fetch_osm(
    out: str | Path,
    *,
    bbox: str | Sequence[float],
    highway: Sequence[str] = ("trunk", "primary", "secondary"),
    api_url: str = OVERPASS_URL,
    attempts: int = 5,
    backoff_s: float = 5.0,
    max_wait_s: float = 300.0,
    timeout_s: float = 600.0,
    limits: FetchLimits | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Fetch OpenStreetMap roads of a bounding box from the Overpass API into a GeoJSON geokit reads.

    Each way of the chosen ``highway`` classes becomes a line with ``osm_id``,
    ``highway``, ``ref`` and ``name`` (:func:`geokit.read_roads` reads it as
    is). A fetch replaces the file; the manifest keeps the OpenStreetMap data's
    own timestamp and counts the ways added, removed and changed since the
    file it replaces. An answer Overpass marks as cut short (a ``remark``
    with a runtime error) is retried, never written.

    Parameters
    ----------
    out : path
        The GeoJSON to write (with ``out.manifest.json`` beside it).
    bbox : str or sequence of float
        West, south, east, north in degrees (``"-12.5,10.0,4.5,25.0"``).
    highway : sequence of str
        OpenStreetMap ``highway`` values to keep.
    api_url : str
        The Overpass interpreter, or a test server.
    attempts, backoff_s, max_wait_s, timeout_s, limits, client, sleep
        As for :func:`fetch_acled` (Overpass asks clients to wait longer between attempts).

    Returns
    -------
    dict
        The manifest written beside the file.

    Examples
    --------
    >>> fetch_osm("roads.geojson", bbox="-12.5,10.0,4.5,25.0")  # doctest: +SKIP
    >>> try:
    ...     fetch_osm("roads.geojson", bbox="4.5,10.0,-12.5,25.0")  # east and west swapped
    ... except InputError as exc:
    ...     print(exc)
    --bbox '4.5,10.0,-12.5,25.0' is not W,S,E,N with W < E and S < N (longitude first)
    """
    import time

    import geopandas as gpd
    import shapely

    out = Path(out)
    w, s, e, n = _bbox(bbox)
    classes = [str(h).strip() for h in highway if str(h).strip()]
    bad = [h for h in classes if not h.replace("_", "").isalpha() or not h.islower()]
    if not classes or bad:
        raise InputError(f"--highway {','.join(map(str, highway))!r}: give OpenStreetMap highway values such as "
                         "trunk,primary,secondary")
    api_url = _api_url(api_url)
    text = (f'[out:json][timeout:{int(min(timeout_s, 900))}];way["highway"~"^({"|".join(classes)})$"]'
            f"({s},{w},{n},{e});out tags geom;")
    with _client(client, timeout_s) as http:
        session = _Overpass(http, api_url, attempts=attempts, backoff_s=backoff_s, max_wait_s=max_wait_s,
                            sleep=sleep or time.sleep, timeout_s=timeout_s, limits=limits)
        body = session.query(text, "Overpass roads")
    ways = _overpass_ways(body["elements"], "Overpass roads", session.limits)
    coords = [points for _, _, points in ways]
    tags = [way_tags for _, way_tags, _ in ways]
    frame = gpd.GeoDataFrame({
        "osm_id": [ident for ident, _, _ in ways],
        "highway": [str(t.get("highway", "")) for t in tags],
        "ref": [str(t.get("ref", "")) for t in tags],
        "name": [str(t.get("name", "")) for t in tags],
    }, geometry=[shapely.LineString(c) for c in coords], crs="EPSG:4326")
    changes = None
    if out.is_file():
        try:
            from geokit.trust import check_layer_file, gdal_offline

            with gdal_offline():  # the file being replaced is read like any layer file
                old = gpd.read_file(check_layer_file(out), engine="pyogrio")
            before, after = set(old["osm_id"].astype(int)), set(frame["osm_id"])
            kept = frame.set_index("osm_id").loc[sorted(before & after)]
            was = old.set_index(old["osm_id"].astype(int)).loc[sorted(before & after)]
            moved = ~kept.geometry.geom_equals_exact(was.geometry, 1e-9) | (kept["ref"] != was["ref"].fillna("")) \
                | (kept["name"] != was["name"].fillna(""))
            changes = {"added": len(after - before), "removed": len(before - after), "changed": int(moved.sum())}
        except Exception as exc:  # noqa: BLE001 - an unreadable old file only loses the comparison
            log.info("OSM: the file being replaced could not be compared (%s)", exc)
    manifest = {
        "source": "OpenStreetMap (Overpass)", "api_url": api_url, "query": text,
        "bbox": [w, s, e, n], "highway": classes, "fetched_at": _now(),
        "osm_base": str((body.get("osm3s") or {}).get("timestamp_osm_base", "")),
        "rows": len(frame), "changes_since_previous_file": changes, "terms": OSM_TERMS, "file": out.name,
    }
    _write(out, lambda tmp: frame.to_file(tmp, driver="GeoJSON", engine="pyogrio"), manifest)
    log.info("OSM: %d ways in %s", len(frame), out)
    return manifest
