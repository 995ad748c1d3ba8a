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

Faults: a timeout or dropped connection, HTTP 429 (waiting ``Retry-After``)
and 5xx are retried a bounded number of times with exponential backoff
(tenacity); 401 on the token says the credentials were refused and how to
set them; 403 says the account lacks API access; a body that is not the
JSON the API documents (truncated, or without ``data``) is retried, then
refused. No partial file is ever written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import stat
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pandas as pd
import tenacity

from geokit._errors import GeokitError, InputError
from geokit._io import atomic_path, manifest_path

__all__ = ["ACLED_URL", "ACLED_TERMS", "ACLED_COLUMNS", "AcledCredentials", "FetchError", "fetch_acled",
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
    return str(table["token"])


def _secret_table(name: str, how: str, env: dict[str, str], path: str | Path | None) -> tuple[dict, Path]:
    """The ``[name]`` table of the private credentials file, refused when others can read the file."""
    file = Path(path or env.get("GEOKIT_CREDENTIALS") or Path.home() / ".config" / "geokit" / "credentials.toml")
    how = how.format(file=file)
    if not file.is_file():
        raise FetchError(f"no {name.upper()} credentials: {how}")
    if file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise FetchError(f"{file} can be read by other users: run chmod 600 {file} (it holds secrets)")
    try:
        table = tomllib.loads(file.read_text(encoding="utf-8")).get(name, {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FetchError(f"{file} is not valid TOML ({exc}); {how}") from None
    return (table if isinstance(table, dict) else {}), file


class _Retry(Exception):
    """A transient fault worth another attempt (timeout, 429, 5xx, a broken body)."""

    def __init__(self, message: str, wait_s: float | None = None) -> None:
        super().__init__(message)
        self.wait_s = wait_s


class _Http:
    """Requests to one API, retried on transient faults (timeouts, 429 with ``Retry-After``, 5xx, a
    broken body) a bounded number of times with exponential backoff."""

    name = "the API"

    def __init__(self, client: httpx.Client, api_url: str, *, attempts: int, backoff_s: float, max_wait_s: float,
                 sleep: Callable[[float], None]) -> None:
        self.client, self.api_url = client, api_url  # checked by _api_url before any client exists
        self.attempts, self.backoff_s, self.max_wait_s, self.sleep = attempts, backoff_s, max_wait_s, sleep
        self.requests = 0

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retry) and exc.wait_s is not None:  # the server's Retry-After
            return min(exc.wait_s, self.max_wait_s)
        return min(self.backoff_s * 2 ** (state.attempt_number - 1), self.max_wait_s)

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

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.requests += 1
        try:
            return self.client.request(method, url if "://" in url else self.api_url + url, **kwargs)
        except httpx.TimeoutException:
            raise _Retry(f"no answer from {self.api_url} in time") from None
        except httpx.TransportError as exc:
            raise _Retry(f"cannot reach {self.api_url} ({type(exc).__name__})") from None

    def _check(self, response: httpx.Response, what: str) -> None:
        code = response.status_code
        if code == 429:
            after = response.headers.get("Retry-After", "")
            raise _Retry(f"{what}: too many requests (HTTP 429)",
                         float(after) if after.replace(".", "", 1).isdigit() else None)
        if code >= 500:
            raise _Retry(f"{what}: the server failed (HTTP {code})")
        if code == 403:
            raise FetchError(f"{what}: {self.name} refused access (HTTP 403): {self.no_access}")

    no_access = "check the account's access"

    @staticmethod
    def _json(response: httpx.Response, what: str, key: str) -> dict[str, Any]:
        """The answer's JSON object, which must hold a list under ``key``; else a fault worth retrying."""
        try:
            body = response.json()
        except ValueError:
            raise _Retry(f"{what}: the answer is not complete JSON (truncated?)") from None
        if not isinstance(body, dict) or not isinstance(body.get(key), list):
            raise _Retry(f"{what}: the answer has no list of rows ({key!r})")
        if not all(isinstance(row, dict) for row in body[key]):
            raise FetchError(f"{what}: rows are not JSON objects")
        return body


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
            response = self._send("POST", "/oauth/token", data=form)
            self._check(response, "ACLED token")
            if response.status_code in (400, 401):
                return {}
            if response.status_code != 200:
                raise FetchError(f"ACLED token: unexpected HTTP {response.status_code}")
            try:
                body = response.json()
            except ValueError:
                raise _Retry("ACLED token: the answer is not JSON") from None
            if not isinstance(body, dict) or not body.get("access_token"):
                raise _Retry("ACLED token: the answer has no access_token")
            return body

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
                response = self._send("GET", path, params=params, headers=headers)
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
              progress: Callable[[int, int], None] | None = None) -> tuple[list[dict], list[int]]:
        """Every row of a paged endpoint: pages until one comes back shorter than ``page_size``."""
        rows: list[dict] = []
        counts: list[int] = []
        page = 1
        while True:
            body = self.get(path, {**params, "limit": page_size, "page": page}, f"{what}, page {page}")
            data = body["data"]
            rows += data
            counts.append(len(data))
            if progress is not None:
                progress(page, len(rows))
            if len(data) < page_size:
                return rows, counts
            page += 1


def _api_url(url: str) -> str:
    """An API's address, checked: http(s) with a host, and no user name or password in it (it is written to
    the manifest and build.log)."""
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"--api-url {url!r} is not an http(s) address")
    if parts.username or parts.password:
        raise InputError("--api-url holds a user name or password: give credentials through the environment "
                         "or the credentials file, never in the address")
    return str(url).rstrip("/")


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
    with httpx.Client(timeout=timeout_s, follow_redirects=True) as own:
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
        ACLED's API, or a mirror or test server.
    credentials : AcledCredentials, optional
        :func:`acled_credentials` by default.
    page_size : int
        Rows per page (ACLED gives at most 5,000).
    full : bool
        Fetch everything even when a manifest allows an incremental fetch.
    attempts, backoff_s, max_wait_s, timeout_s : number
        Retries of transient faults: attempts per request, the first wait
        (doubled each time), the longest wait (also caps ``Retry-After``),
        and the time allowed for each answer.
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
    api_url = _api_url(api_url)
    previous = _previous(out, query) if not full else None
    credentials = credentials or acled_credentials()
    params: dict[str, Any] = {"_format": "json", "country": "|".join(names),
                              "event_date": f"{first.isoformat()}|{last.isoformat()}", "event_date_where": "BETWEEN"}
    with _client(client, timeout_s) as http:
        session = _AcledSession(http, api_url, credentials, attempts=attempts, backoff_s=backoff_s,
                                max_wait_s=max_wait_s, sleep=sleep or time.sleep)
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
                                    "ACLED deletions since the last fetch", page_size)
            deleted = sorted({str(r.get("event_id_cnty", "")) for r in gone} - {""})
            table = _merge(pd.read_csv(out, dtype=str, keep_default_na=False), _table(rows), deleted)
    stamps = pd.to_numeric(table["timestamp"], errors="coerce")
    manifest = {
        "source": "ACLED", "api_url": api_url, "endpoint": "/api/acled/read", "query": query,
        "fetched_at": _now(),
        "mode": "incremental" if previous is not None else "full",
        "since_timestamp": previous["newest_timestamp"] if previous is not None else None,
        "rows_per_page": counts, "rows_received": int(sum(counts)), "deleted": len(deleted),
        "rows": len(table), "newest_timestamp": int(stamps.max()) if stamps.notna().any() else 0,
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
    try:
        old = manifest["query"]
        fetched = dt.date.fromisoformat(str(manifest["fetched_at"])[:10])
        stamp = int(manifest["newest_timestamp"])
    except (ValueError, KeyError, TypeError):
        return None
    if not stamp or old.get("countries") != query["countries"] or old.get("start") != query["start"]:
        return None
    if old.get("end") == query["end"] or (old.get("end", "") < query["end"] and old.get("end", "") >= str(fetched)):
        return manifest
    return None


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
        rows: list[dict] = []
        counts: list[int] = []
        url, query = path, dict(params)  # then the NextPageUrl as given (its own query string)
        while True:
            page = len(counts) + 1

            def attempt() -> dict[str, Any]:
                response = self._send("GET", url, params=query or None, headers=self.headers)
                if response.status_code == 401:
                    raise FetchError(f"{what}: UCDP refused the access token (HTTP 401): set UCDP_TOKEN (ask UCDP "
                                     "for one: https://ucdp.uu.se/apidocs) or [ucdp] token in the credentials file")
                if response.status_code == 404:
                    raise FetchError(f"{what}: UCDP has no {path} (HTTP 404): check the GED version "
                                     "(e.g. 25.1, or a candidate release such as 25.0.10)")
                self._check(response, what)
                if response.status_code != 200:
                    raise FetchError(f"{what}: unexpected HTTP {response.status_code}")
                return self._json(response, what, "Result")

            body = self.call(attempt, f"{what}, page {page}")
            rows += body["Result"]
            counts.append(len(body["Result"]))
            total = body.get("TotalCount")
            if progress is not None:
                progress(page, len(rows))
            following = body.get("NextPageUrl") or ""
            if not following or not body["Result"]:
                if isinstance(total, int) and total != len(rows):  # the server stopped before the end
                    raise FetchError(f"{what}: UCDP announced {total} events but its pages held {len(rows)}; "
                                     "nothing was written, try again later")
                return rows, counts
            if not following.startswith(self.api_url + "/"):
                raise FetchError(f"{what}: the next page is on another server ({following.split('?')[0]})")
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
        UCDP's API, or a mirror or test server.
    token : str, optional
        The access token; :func:`ucdp_token` by default.
    page_size : int
        Events per page (UCDP gives at most 1,000).
    full : bool
        Fetch again even when the manifest says the same versions were fetched.
    attempts, backoff_s, max_wait_s, timeout_s, client, sleep, progress
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
    api_url = _api_url(api_url)
    previous = None if full else _previous_of(out, "UCDP GED", query)
    if previous is not None:
        log.info("UCDP: %s already holds versions %s of this query; nothing to fetch", out, ", ".join(chosen))
        return {**previous, "mode": "unchanged"}
    token = token or ucdp_token()
    rows: list[dict] = []
    counts: dict[str, list[int]] = {}
    with _client(client, timeout_s) as http:
        session = _UcdpSession(http, api_url, token, attempts=attempts, backoff_s=backoff_s, max_wait_s=max_wait_s,
                               sleep=sleep or time.sleep)
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
            response = self._send("POST", self.api_url, data={"data": text})
            if response.status_code == 400:
                raise FetchError(f"{what}: Overpass rejected the query (HTTP 400): {response.text[:200]}")
            self._check(response, what)
            if response.status_code != 200:
                raise FetchError(f"{what}: unexpected HTTP {response.status_code}")
            body = self._json(response, what, "elements")
            remark = str(body.get("remark") or "")
            if "error" in remark.lower():  # Overpass stops mid-query (timeout, memory) and says so here
                raise _Retry(f"{what}: Overpass stopped before the end ({remark.strip()[:160]})")
            return body

        return self.call(attempt, what)


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
    attempts, backoff_s, max_wait_s, timeout_s, client, sleep
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
        body = _Overpass(http, api_url, attempts=attempts, backoff_s=backoff_s, max_wait_s=max_wait_s,
                         sleep=sleep or time.sleep).query(text, "Overpass roads")
    ways = [el for el in body["elements"] if el.get("type") == "way" and len(el.get("geometry") or []) >= 2]
    coords = [[(float(p["lon"]), float(p["lat"])) for p in way["geometry"]] for way in ways]
    tags = [way.get("tags") or {} for way in ways]
    frame = gpd.GeoDataFrame({
        "osm_id": [int(way["id"]) for way in ways],
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
