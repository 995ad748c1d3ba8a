"""Hostile fake servers for geokit's live sources: stdlib ``http.server`` on 127.0.0.1, each in its own thread.

A :class:`FakeServer` answers by path with a function of the request that
returns a :class:`Reply`; every request is recorded (method, path, query,
headers, body), so a test can assert that a second server received nothing.
Replies can misbehave the ways a server on the internet does: redirect to
another origin, trickle a byte at a time (headers or body), unpack to far
more than they weigh (a gzip bomb), announce a ``Content-Length`` they do not
send, or close mid-body. Every misbehaviour is bounded in bytes and seconds,
so a fake always stops by itself, whatever the client does.

:func:`acled_app`, :func:`ucdp_app` and :func:`overpass_app` install the
endpoints of each API (as ``tests/test_sources.py`` documents them) with
valid answers; a test replaces one route to inject a fault.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

#: The longest any fake keeps a connection busy (trickles stop here even if the client never gives up).
MAX_BUSY_S = 6.0

PASSWORD = "pa55-W0rd-never-shown"
EMAIL = "analyst@example.org"
ACLED_TOKEN = "acled-token-never-shown"
UCDP_TOKEN = "ucdp-token-never-shown"


@dataclass
class Seen:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}


@dataclass
class Reply:
    """An answer, and how to misbehave while sending it.

    ``trickle_s``: send the body one byte at a time, this long apart; ``trickle_head``: the same for the
    status line and headers; ``length``: the Content-Length announced (the true one by default);
    ``cut_after``: close the connection after this many bytes of body.
    """

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    trickle_s: float = 0.0
    trickle_head: bool = False
    length: int | None = None
    cut_after: int | None = None


def json_reply(value: Any, status: int = 200, **kw: Any) -> Reply:
    """A JSON answer (``allow_nan``: NaN and Infinity are written as JavaScript would, as some servers do)."""
    return Reply(status, json.dumps(value).encode(), {"Content-Type": "application/json"}, **kw)


def raw_json(text: str, status: int = 200) -> Reply:
    """An answer of exactly this text, labelled JSON."""
    return Reply(status, text.encode("utf-8", "surrogateescape"), {"Content-Type": "application/json"})


def redirect(status: int, location: str) -> Reply:
    return Reply(status, b"moved", {"Location": location})


def gzip_bomb(unpacked: int) -> Reply:
    """A small gzip body that unpacks to ``unpacked`` bytes of JSON-looking text."""
    body = b'{"data": [' + b" " * (unpacked - 12) + b"]}"
    return Reply(200, gzip.compress(body, 9), {"Content-Type": "application/json", "Content-Encoding": "gzip"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        fake = self.server.fake
        size = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(size) if size else b""
        parts = urlsplit(self.path)
        seen = Seen(self.command, parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()},
                    dict(self.headers.items()), body)
        with fake.lock:
            fake.requests.append(seen)
            hit = next((i for i, (path, _) in enumerate(fake.queued) if path == parts.path), None)
            queued = fake.queued.pop(hit)[1] if hit is not None else None
        handler = fake.routes.get(parts.path) or fake.routes.get("*")
        if queued is not None:
            reply = queued(seen) if callable(queued) else queued
        else:
            reply = handler(seen) if handler else Reply(404, b"no such route")
        self._send(reply)

    do_GET = do_POST = _serve

    def _send(self, reply: Reply) -> None:
        started = time.monotonic()
        headers = {"Content-Length": str(len(reply.body) if reply.length is None else reply.length),
                   "Connection": "close", **reply.headers}
        head = (f"HTTP/1.1 {reply.status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                + "\r\n").encode("latin-1")
        self.close_connection = True
        try:
            if reply.trickle_head:
                self._trickle(head, reply.trickle_s or 0.2, started)
                return
            self.wfile.write(head)
            body = reply.body if reply.cut_after is None else reply.body[:reply.cut_after]
            if reply.trickle_s:
                self._trickle(body, reply.trickle_s, started)
            else:
                self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client hung up: what a guarded client does

    def _trickle(self, data: bytes, every_s: float, started: float) -> None:
        for i in range(len(data)):
            if time.monotonic() - started > MAX_BUSY_S:
                return
            self.wfile.write(data[i:i + 1])
            self.wfile.flush()
            time.sleep(every_s)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeServer


class FakeServer:
    """A server on ``host`` (127.0.0.1 by default) and a free port, answering ``routes``; a context manager.

    Examples
    --------
    >>> with FakeServer() as fake:
    ...     fake.route("/ping", lambda seen: json_reply({"ok": True}))
    ...     fake.url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(self, host: str = "127.0.0.1", tls: tuple[str, str] | None = None) -> None:
        self.host, self.scheme = host, "https" if tls else "http"
        self.routes: dict[str, Callable[[Seen], Reply]] = {}
        self.requests: list[Seen] = []
        self.queued: list[tuple[str, Reply | Callable[[Seen], Reply]]] = []
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self.port = self._server.server_address[1]
        if tls is not None:  # (certificate, key) files: https on the same terms
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def route(self, path: str, handler: Callable[[Seen], Reply]) -> None:
        self.routes[path] = handler

    def once(self, path: str, reply: Reply | Callable[[Seen], Reply]) -> None:
        """Answer the next request to ``path`` with ``reply`` (queued after earlier ones), then as before."""
        self.queued.append((path, reply))

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextlib.contextmanager
def servers(count: int = 2) -> Iterator[list[FakeServer]]:
    """``count`` fake servers on distinct ports (distinct origins), started and stopped together."""
    fakes = [FakeServer() for _ in range(count)]
    for fake in fakes:
        fake.__enter__()
    try:
        yield fakes
    finally:
        for fake in fakes:
            fake.__exit__()


# --- the three APIs ---------------------------------------------------------------------------------------

ACLED_FIELDS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                "fatalities", "tags", "timestamp"]


def acled_event(n: int, *, stamp: int = 1_760_000_000, **changes: Any) -> dict[str, Any]:
    """A valid ACLED event (every value a string, as the API gives them), with ``changes`` applied."""
    row: dict[str, Any] = {c: "" for c in ACLED_FIELDS}
    day = (dt.date(2025, 9, 1) + dt.timedelta(days=n)).isoformat()
    row.update({"event_id_cnty": f"MLI{n}", "event_date": day, "year": "2025",
                "event_type": "Battles", "sub_event_type": "Armed clash", "country": "Mali",
                "latitude": f"{13 + n / 100:.4f}", "longitude": f"{-8 + n / 100:.4f}", "geo_precision": "1",
                "notes": "Ambush on a fuel convoy", "fatalities": "1", "timestamp": str(stamp)})
    row.update(changes)
    return row


def acled_app(fake: FakeServer, events: list[dict[str, Any]]) -> None:
    """ACLED's token, read and deleted endpoints on ``fake``, serving ``events`` by ``limit`` and ``page``."""

    def token(seen: Seen) -> Reply:
        form = seen.form
        if form.get("grant_type") == "password" and (form.get("username"), form.get("password")) != (EMAIL, PASSWORD):
            return json_reply({"error": "invalid_grant"}, 400)
        return json_reply({"token_type": "Bearer", "expires_in": 86400, "access_token": ACLED_TOKEN,
                           "refresh_token": "refresh-never-shown"})

    def read(seen: Seen) -> Reply:
        if seen.headers.get("Authorization") != f"Bearer {ACLED_TOKEN}":
            return json_reply({"error": "token"}, 401)
        rows = [] if "deleted" in seen.path else events
        if "timestamp" in seen.query:
            rows = [e for e in rows if int(e["timestamp"]) > int(seen.query["timestamp"])]
        limit, page = int(seen.query.get("limit", 5000)), int(seen.query.get("page", 1))
        part = rows[(page - 1) * limit: page * limit]
        return json_reply({"status": 200, "success": True, "count": len(part), "data": part})

    fake.route("/oauth/token", token)
    fake.route("/api/acled/read", read)
    fake.route("/api/deleted/read", read)


def ged_event(n: int, **changes: Any) -> dict[str, Any]:
    """A valid UCDP GED event, with ``changes`` applied."""
    day = (dt.date(2025, 9, 1) + dt.timedelta(days=n)).isoformat()
    row: dict[str, Any] = {"id": 900_000 + n, "year": 2025, "type_of_violence": 3, "side_a": "JNIM",
                           "side_b": "Civilians", "latitude": 14.4 + n / 100, "longitude": -11.4 + n / 100,
                           "country": "Mali", "country_id": 432, "date_start": f"{day}T00:00:00.000",
                           "date_end": f"{day}T00:00:00.000", "best": 1, "high": 2, "low": 1,
                           "where_prec": 1, "source_headline": "Fuel tankers attacked"}
    row.update(changes)
    return row


def ucdp_app(fake: FakeServer, events: list[dict[str, Any]], version: str = "25.1") -> None:
    """UCDP's ``/api/gedevents/<version>`` on ``fake``: pages from 0 by ``pagesize``, ``NextPageUrl`` absolute."""

    def read(seen: Seen) -> Reply:
        if seen.headers.get("x-ucdp-access-token") != UCDP_TOKEN:
            return json_reply({"error": "token"}, 401)
        size, page = int(seen.query["pagesize"]), int(seen.query["page"])
        part = events[page * size:(page + 1) * size]
        more = (page + 1) * size < len(events)
        following = f"{fake.url}{seen.path}?pagesize={size}&page={page + 1}" if more else ""
        return json_reply({"TotalCount": len(events), "TotalPages": -(-len(events) // size),
                           "NextPageUrl": following, "Result": part})

    fake.route(f"/api/gedevents/{version}", read)


def osm_way(n: int, **changes: Any) -> dict[str, Any]:
    """A valid Overpass way with its geometry (``out tags geom``), with ``changes`` applied."""
    row: dict[str, Any] = {"type": "way", "id": 4_000_000 + n,
                           "tags": {"highway": "trunk", "ref": f"RN{n}", "name": f"Route {n}"},
                           "geometry": [{"lat": 14.45, "lon": -11.44}, {"lat": 12.65, "lon": -8.0 + n / 10}]}
    row.update(changes)
    return row


def overpass_app(fake: FakeServer, elements: list[dict[str, Any]]) -> None:
    """Overpass's ``/api/interpreter`` on ``fake``, answering ``elements`` to any query."""
    fake.route("/api/interpreter", lambda seen: json_reply(
        {"version": 0.6, "osm3s": {"timestamp_osm_base": "2026-11-20T10:00:00Z"}, "elements": elements}))
