"""Issue #26, feeds: credentials go only where the user sent them; feeds and files from others never hang,
blow memory or crash.

Every server here is a :mod:`fakeserver` on 127.0.0.1 (a second one on another port, or the same one named
``localhost``, is "another origin"). Each case asserts the exact outcome: a :class:`FetchError` (exit 1 at
the command line) whose one line names the field, the row or the hosts; nothing written (the previous file
and manifest byte for byte as they were); no credential in any output; and, for redirects, zero requests at
the other origin. Limits are small so that the whole module runs in seconds.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import os
import time
from pathlib import Path

import pytest
from fakeserver import (ACLED_TOKEN, EMAIL, PASSWORD, UCDP_TOKEN, FakeServer, Reply, acled_app, acled_event,
                        ged_event, gzip_bomb, json_reply, osm_way, overpass_app, raw_json, redirect, servers,
                        ucdp_app)

from geokit.cli import main
from geokit.sources import (AcledCredentials, FetchError, FetchLimits, InputError, _retry_after, fetch_acled,
                            fetch_osm, fetch_ucdp, manifest_path, trusted_source_options, ucdp_token)

CREDS = AcledCredentials(EMAIL, PASSWORD)
SECRETS = (PASSWORD, ACLED_TOKEN, UCDP_TOKEN, "refresh-never-shown")
LIMITS = FetchLimits(max_bytes=100_000, request_deadline_s=2.0, fetch_deadline_s=6.0, max_pages=20, max_rows=200,
                     max_redirects=2)


@pytest.fixture
def two():
    """Two fake servers: two origins (127.0.0.1 on two ports)."""
    with servers(2) as fakes:
        yield fakes


@pytest.fixture
def folder(tmp_path):
    """A folder holding the previous fetch's file and manifest, which a failed fetch must leave alone."""
    for name in ("a.csv", "g.csv", "r.geojson"):
        (tmp_path / name).write_text(f"previous {name}\n")
        manifest_path(tmp_path / name).write_text('{"previous": true}\n')
    return tmp_path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def acled(url: str, out: Path, **kw):
    kw = {"countries": ["Mali"], "start": "2025-09-01", "end": "2025-09-30", "api_url": url, "credentials": CREDS,
          "page_size": 2, "attempts": 1, "backoff_s": 0.01, "sleep": lambda s: None, "limits": LIMITS, **kw}
    return fetch_acled(out, **kw)


def ucdp(url: str, out: Path, **kw):
    kw = {"countries": ["Mali"], "start": "2025-09-01", "end": "2025-09-30", "versions": ["25.1"], "api_url": url,
          "token": UCDP_TOKEN, "page_size": 2, "attempts": 1, "backoff_s": 0.01, "sleep": lambda s: None,
          "limits": LIMITS, **kw}
    return fetch_ucdp(out, **kw)


def osm(url: str, out: Path, **kw):
    kw = {"bbox": "-12.5,10.0,4.5,25.0", "api_url": url + "/api/interpreter", "attempts": 1, "backoff_s": 0.01,
          "sleep": lambda s: None, "limits": LIMITS, **kw}
    return fetch_osm(out, **kw)


def refused(folder: Path, fetch, match: str) -> str:
    """Run ``fetch``; it must raise a one-line FetchError matching ``match``, write nothing, quote no secret."""
    before = snapshot(folder)
    with pytest.raises(FetchError, match=match) as caught:
        fetch()
    message = str(caught.value)
    assert "\n" not in message
    assert not any(secret in message for secret in SECRETS), message
    assert snapshot(folder) == before
    return message


def cli(argv: list[str], capsys) -> tuple[int, str]:
    code = main(argv)
    seen = capsys.readouterr()
    return code, seen.out + seen.err


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("ACLED_EMAIL", EMAIL)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    monkeypatch.setenv("UCDP_TOKEN", UCDP_TOKEN)


EVENTS = [acled_event(n) for n in range(5)]
GED = [ged_event(n) for n in range(3)]


# --- credentials go only where the user sent them: redirects ------------------------------------------------

def _install(api: str, fake: FakeServer) -> None:
    {"acled": lambda: acled_app(fake, EVENTS), "ucdp": lambda: ucdp_app(fake, GED),
     "osm": lambda: overpass_app(fake, [osm_way(1)])}[api]()


@pytest.mark.parametrize("api, path, status", [
    ("acled", "/oauth/token", 307),  # would re-POST the email and password
    ("acled", "/oauth/token", 302),
    ("acled", "/oauth/token", 308),
    ("acled", "/api/acled/read", 302),  # would send the Bearer token
    ("acled", "/api/acled/read", 301),
    ("ucdp", "/api/gedevents/25.1", 302),  # would send x-ucdp-access-token
    ("ucdp", "/api/gedevents/25.1", 307),
    ("osm", "/api/interpreter", 307),
    ("osm", "/api/interpreter", 301),
])
def test_a_redirect_to_another_origin_is_refused_and_the_other_origin_receives_nothing(two, folder, api, path,
                                                                                         status):
    home, other = two
    _install(api, home)
    _install(api, other)
    home.once(path, redirect(status, other.url + path + "?page=1"))
    fetch = {"acled": lambda: acled(home.url, folder / "a.csv"), "ucdp": lambda: ucdp(home.url, folder / "g.csv"),
             "osm": lambda: osm(home.url, folder / "r.geojson")}[api]
    message = refused(folder, fetch, "redirected")
    assert f"{home.url} redirected (HTTP {status}) to another origin, {other.url}" in message
    assert other.requests == []


def test_localhost_is_another_origin_than_127_0_0_1(folder):
    with FakeServer() as home:
        acled_app(home, EVENTS)
        home.once("/oauth/token", redirect(307, f"http://localhost:{home.port}/oauth/token"))
        message = refused(folder, lambda: acled(home.url, folder / "a.csv"), "another origin")
        assert f"http://localhost:{home.port}" in message
        assert len(home.requests) == 1  # the token request, never repeated under the other name


def test_a_redirect_within_the_origin_is_followed(folder):
    with FakeServer() as home:
        acled_app(home, EVENTS)
        home.route("/v2/api/acled/read", home.routes["/api/acled/read"])
        home.once("/api/acled/read", lambda seen: redirect(307, "/v2/api/acled/read?" + "&".join(
            f"{k}={v}" for k, v in seen.query.items())))
        manifest = acled(home.url, folder / "a.csv")
        assert manifest["rows"] == 5 and home.requests[2].path == "/v2/api/acled/read"


@pytest.mark.parametrize("reply, match", [
    (redirect(302, "/oauth/token"), "more than 2 redirects within"),
    (Reply(302, b"moved"), "HTTP 302 with no Location"),
])
def test_redirect_loops_and_redirects_to_nowhere_end(folder, reply, match):
    with FakeServer() as home:
        home.route("/oauth/token", lambda seen: reply)
        refused(folder, lambda: acled(home.url, folder / "a.csv"), match)
        assert len(home.requests) <= 3


def test_userinfo_in_a_redirect_or_a_next_page_is_not_followed(folder):
    with FakeServer() as home:
        acled_app(home, EVENTS)
        home.once("/oauth/token", redirect(307, f"http://me:pw@127.0.0.1:{home.port}/oauth/token"))
        refused(folder, lambda: acled(home.url, folder / "a.csv"), "to an address with a user name or password")
        home.route("/api/gedevents/25.1", lambda seen: json_reply({
            "TotalCount": 3, "NextPageUrl": f"http://me:pw@127.0.0.1:{home.port}/api/gedevents/25.1?page=1",
            "Result": GED[:2]}))
        refused(folder, lambda: ucdp(home.url, folder / "g.csv"), "page 1: NextPageUrl holds a user name")
        assert len(home.requests) == 2


@pytest.mark.parametrize("change", [
    {"query": ["Mali"]}, {"newest_timestamp": 1e999}, {"newest_timestamp": "1760000000"},
    {"newest_timestamp": True}, {"fetched_at": 5}, {"query": {"countries": ["Mali"], "start": "2025-09-01", "end": 7}},
])
def test_a_tampered_manifest_means_a_full_fetch_never_a_crash(tmp_path, change):
    out = tmp_path / "a.csv"
    with FakeServer() as fake:
        acled_app(fake, EVENTS)
        acled(fake.url, out)
        manifest = json.loads(manifest_path(out).read_text())
        manifest_path(out).write_text(json.dumps({**manifest, **change}).replace("Infinity", "1e999"))
        again = acled(fake.url, out)
    assert again["mode"] == "full" and again["rows"] == 5


def test_a_next_page_on_another_origin_never_receives_the_token(two, folder):
    home, other = two
    ucdp_app(other, GED)

    def first(seen):
        return json_reply({"TotalCount": 3, "NextPageUrl": f"{other.url}/api/gedevents/25.1?page=1&pagesize=2",
                           "Result": GED[:2]})

    home.route("/api/gedevents/25.1", first)
    message = refused(folder, lambda: ucdp(home.url, folder / "g.csv"), "NextPageUrl leads to another origin")
    assert other.url in message and other.requests == []


def test_a_redirect_at_the_command_line_exits_1_naming_both_hosts(two, folder, env, capsys):
    home, other = two
    acled_app(home, EVENTS)
    home.once("/oauth/token", redirect(307, other.url + "/oauth/token"))
    before = snapshot(folder)
    code, text = cli(["fetch", "acled", "--country", "Mali", "--start", "2025-09-01", "--end", "2025-09-30",
                      "--out", str(folder / "a.csv"), "--api-url", home.url], capsys)
    assert code == 1 and home.url in text and other.url in text and other.requests == []
    assert not any(secret in text for secret in SECRETS) and snapshot(folder) == before


# --- credentials go only where the user sent them: addresses -------------------------------------------------

@pytest.mark.parametrize("source, url", [
    ("acled", "http://acled-mirror.example.org"),
    ("ucdp", "http://10.1.2.3:8080"),
])
def test_plain_http_to_another_machine_is_refused_before_any_request(folder, env, capsys, source, url):
    argv = ["fetch", source, "--country", "Mali", "--start", "2025-09-01", "--end", "2025-09-30",
            "--out", str(folder / "x.csv"), "--api-url", url] + (["--version", "25.1"] if source == "ucdp" else [])
    code, text = cli(argv, capsys)
    assert code == 1 and "is plain http" in text and "use https" in text
    assert not (folder / "x.csv").exists()


@pytest.mark.parametrize("url, match", [
    ("http://me:secret@127.0.0.1:1", "holds a user name or password"),
    ("http://127.0.0.1:1/api?key=1", "without a query"),
    ("http://127.0.0.1:1/api/../../etc", "'..'"),
    ("http://127.0.0.1:1/%2e%2e/x", "'..'"),
    ("http://127.0.0.1:1/a b", "spaces"),
    ("http://127.0.0.1:99999", "no valid port"),
    ("ftp://127.0.0.1/", "is not an http"),
])
def test_unfit_api_addresses_are_refused_before_any_request(folder, url, match):
    with pytest.raises(InputError, match=match) as caught:
        acled(url, folder / "a.csv")
    assert "secret" not in str(caught.value)


def _project(folder: Path, kind: str, url: str) -> Path:
    from conftest import KAYES_PROJECT, copy_mali_layers

    folder.mkdir(exist_ok=True)
    table = {"acled": '[sources.acled]\ncountries = ["Mali"]\nstart = "2025-09-01"\nend = "2025-09-30"\n',
             "ucdp": '[sources.ucdp]\ncountries = ["Mali"]\nstart = "2025-09-01"\nend = "2025-09-30"\n'
                     'versions = ["25.1"]\n'}[kind]
    return copy_mali_layers(folder, text=KAYES_PROJECT + table + f'api_url = "{url}"\n'
                            + f'[sources.osm]\nbbox = [-12.5, 10.0, 4.5, 25.0]\napi_url = "{url}/api/interpreter"\n')


@pytest.mark.parametrize("kind", ["acled", "ucdp"])
def test_a_project_cannot_choose_where_credentials_go(tmp_path, env, capsys, kind):
    with FakeServer() as fake:
        project = _project(tmp_path / "p", kind, fake.url)
        code, text = cli(["build", str(project), "--out", str(tmp_path / "out"), "--refresh", "-q"], capsys)
        assert code == 1 and f"[sources.{kind}] api_url {fake.url} would receive your" in text
        assert f"--trust-api-url {fake.url}" in text
        # every refused table is named at once: trusting the Overpass address (told first or alone) must not
        # send the credentials of another table with the same address there unseen
        assert "[sources.osm] api_url" in text and "would receive requests from your machine" in text
        assert fake.requests == []  # not even the Overpass table of the same project was fetched
        assert not (tmp_path / "out").exists()


def test_a_trusted_project_address_must_still_not_be_plain_http_to_another_machine(tmp_path, env, capsys):
    project = _project(tmp_path / "p", "acled", "http://acled-mirror.example.org")
    code, text = cli(["build", str(project), "--out", str(tmp_path / "out"), "--refresh",
                      "--trust-api-url", "http://acled-mirror.example.org"], capsys)
    assert code == 1 and "is plain http" in text


def test_the_official_apis_need_no_trust_flag():
    assert trusted_source_options("acled", {"api_url": "https://acleddata.com/"})["api_url"] == "https://acleddata.com/"
    assert trusted_source_options("ucdp", {"countries": ["Mali"]}) == {"countries": ["Mali"]}
    assert trusted_source_options("osm", {"api_url": "https://overpass-api.de/api/interpreter"})
    assert trusted_source_options("osm", {"api_url": "http://127.0.0.1:9/api"}, ["http://127.0.0.1:9/api"])
    assert trusted_source_options("ucdp", {"api_url": "http://127.0.0.1:9"}, ["http://127.0.0.1:9/"])


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/api", "http://10.0.0.5:8080/admin", "https://intranet.local/x"])
def test_a_project_cannot_choose_where_overpass_requests_go(url):
    """No credentials go there, but a received project must not make the user's machine send requests to a
    host of its choosing (one on the user's own network): the Overpass address needs the flag too."""
    with pytest.raises(FetchError, match=r"\[sources.osm\] api_url .* would receive requests from your machine.*"
                                         r"--trust-api-url"):
        trusted_source_options("osm", {"api_url": url})


# --- credentials never appear in output ---------------------------------------------------------------------

@pytest.mark.parametrize("api, path, reply, match", [
    ("acled", "/oauth/token", Reply(500, f"error for {EMAIL} / {PASSWORD}".encode()), r"HTTP 500"),
    ("acled", "/api/acled/read", Reply(418, f"bad token Bearer {ACLED_TOKEN}".encode()), r"unexpected HTTP 418"),
    ("acled", "/api/acled/read", Reply(200, f"<html>token {ACLED_TOKEN}</html>".encode(),
                                       {"Content-Type": "text/html"}), "an HTML page, not JSON"),
    ("ucdp", "/api/gedevents/25.1", Reply(400, f"token {UCDP_TOKEN} refused".encode()), r"unexpected HTTP 400"),
    ("ucdp", "/api/gedevents/25.1", raw_json(f'{{"error": "{UCDP_TOKEN}"}}'), r"no list of rows \('Result'\)"),
])
def test_an_answer_echoing_a_secret_is_never_printed_or_logged(folder, caplog, capsys, api, path, reply, match):
    caplog.set_level(logging.DEBUG)
    with FakeServer() as fake:
        _install(api, fake)
        fake.route(path, lambda seen: reply)
        fetch = (lambda: acled(fake.url, folder / "a.csv", attempts=2)) if api == "acled" else \
            (lambda: ucdp(fake.url, folder / "g.csv", attempts=2))
        refused(folder, fetch, match)
    seen = capsys.readouterr()
    assert not any(secret in caplog.text + seen.out + seen.err for secret in SECRETS)


# --- never hang ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, reply, match", [
    ("/api/acled/read", Reply(200, json.dumps({"data": []}).encode() + b" " * 200, trickle_s=0.2),
     r"no complete answer within 1 s"),  # each byte resets httpx's read timeout: the deadline stops it
    ("/oauth/token", Reply(200, b"{}", trickle_s=0.2, trickle_head=True), r"no complete answer within 1 s"),
])
def test_a_trickling_server_is_stopped_by_the_request_deadline(folder, path, reply, match):
    limits = FetchLimits(request_deadline_s=1.0, fetch_deadline_s=10.0)
    with FakeServer() as fake:
        acled_app(fake, EVENTS)
        fake.route(path, lambda seen: reply)
        started = time.monotonic()
        refused(folder, lambda: acled(fake.url, folder / "a.csv", limits=limits, timeout_s=30), match)
        assert time.monotonic() - started < 4


def test_the_request_deadline_also_stops_a_trickle_over_https(folder, tmp_path):
    """Over TLS the socket the deadline shuts is the TLS one (httpcore's start_tls), not the bare TCP one."""
    import shutil
    import ssl
    import subprocess

    import httpx

    if not shutil.which("openssl"):
        pytest.skip("no openssl to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    limits = FetchLimits(request_deadline_s=1.0, fetch_deadline_s=10.0)
    with FakeServer(tls=(str(cert), str(key))) as fake, \
            httpx.Client(verify=ssl.create_default_context(cafile=str(cert))) as client:
        acled_app(fake, EVENTS)
        fake.route("/api/acled/read", lambda seen: Reply(200, b" " * 100, trickle_s=0.2, trickle_head=True))
        started = time.monotonic()
        refused(folder, lambda: acled(fake.url, folder / "a.csv", limits=limits, client=client, timeout_s=30),
                r"no complete answer within 1 s")
        assert time.monotonic() - started < 4 and fake.url.startswith("https://")


def test_the_fetch_deadline_covers_every_request_and_retry(folder):
    limits = FetchLimits(request_deadline_s=5.0, fetch_deadline_s=1.0)
    with FakeServer() as fake:
        acled_app(fake, EVENTS)
        fake.route("/api/acled/read", lambda seen: Reply(200, b" " * 100, trickle_s=0.2))
        started = time.monotonic()
        refused(folder, lambda: acled(fake.url, folder / "a.csv", limits=limits, attempts=5),
                r"the fetch passed its deadline \(1 s\)")
        assert time.monotonic() - started < 4


def test_a_retry_after_beyond_the_deadline_stops_at_once(folder):
    slept: list[float] = []
    with FakeServer() as fake:
        acled_app(fake, EVENTS)
        fake.route("/api/acled/read", lambda seen: Reply(429, b"", {"Retry-After": "100"}))
        refused(folder, lambda: acled(fake.url, folder / "a.csv", attempts=5, sleep=slept.append),
                r"HTTP 429.*would pass the fetch's deadline")
    assert slept == []


@pytest.mark.parametrize("after, waits", [
    ("1e9", [3.0, 3.0, 3.0]),  # capped by max_wait_s
    ("-5", [0.0, 0.0, 0.0]),
    ("soon", [0.01, 0.02, 0.04]),  # unreadable: the backoff
])
def test_an_endless_429_is_bounded_and_its_waits_capped(folder, after, waits):
    slept: list[float] = []
    with FakeServer() as fake:
        acled_app(fake, EVENTS)
        fake.route("/api/acled/read", lambda seen: Reply(429, b"", {"Retry-After": after}))
        refused(folder, lambda: acled(fake.url, folder / "a.csv", attempts=4, max_wait_s=3.0, sleep=slept.append),
                r"failed after 4 attempts: .*HTTP 429")
        assert slept == waits and len(fake.requests) == 5  # the token, then four attempts


@pytest.mark.parametrize("value, expected", [
    ("7", 7.0), ("1e9", 60.0), ("-5", 0.0), ("inf", 60.0), ("nan", None), ("", None), ("soon", None),
    (email.utils.format_datetime(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1), usegmt=True), 0.0),
])
def test_retry_after_is_read_as_seconds_or_a_date_within_bounds(value, expected):
    assert _retry_after(value, 60.0) == expected


def test_retry_after_as_a_future_date():
    when = email.utils.format_datetime(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30), usegmt=True)
    assert 25 <= _retry_after(when, 60.0) <= 30


# --- never blow memory --------------------------------------------------------------------------------------

@pytest.mark.parametrize("reply, match", [
    (gzip_bomb(5_000_000), r"larger than the limit of 100,000 bytes once decompressed"),
    (Reply(200, b'{"data": []}', length=10 ** 9, cut_after=12), r"Content-Length 1,000,000,000"),
    (Reply(200, b'{"data": [' + b" " * 150_000 + b"]}"), r"larger than the limit of 100,000 bytes"),
])
def test_answers_past_the_byte_cap_are_refused(folder, reply, match):
    with FakeServer() as fake:
        acled_app(fake, EVENTS)
        fake.route("/api/acled/read", lambda seen: reply)
        refused(folder, lambda: acled(fake.url, folder / "a.csv", attempts=3), match)
        assert len(fake.requests) == 2  # not retried


@pytest.mark.parametrize("reply", [
    Reply(200, b'{"data": [], "status": 200}', length=500),  # the Content-Length lies: fewer bytes come
    Reply(200, json.dumps({"data": EVENTS}).encode(), cut_after=300),  # the server closes mid-body
])
def test_a_body_cut_short_is_retried_then_refused(folder, reply):
    with FakeServer() as fake:
        acled_app(fake, EVENTS)
        fake.route("/api/acled/read", lambda seen: reply)
        refused(folder, lambda: acled(fake.url, folder / "a.csv", attempts=2), r"failed after 2 attempts: .*broke off")


def _endless_acled(seen):
    page = int(seen.query["page"])
    return json_reply({"data": [acled_event(2 * page), acled_event(2 * page + 1)]})


@pytest.mark.parametrize("handler, kw, match", [
    (_endless_acled, {}, r"more than 20 pages \(the server keeps sending full pages\)"),
    (_endless_acled, {"limits": FetchLimits(max_rows=5)}, r"more than 5 rows"),
    (lambda seen: json_reply({"data": EVENTS[:2]}), {}, r"page 2 repeats page 1"),
    (lambda seen: json_reply({"data": EVENTS}), {}, r"page 1: 5 rows where at most 2 were asked for"),
])
def test_acled_paging_is_bounded(folder, handler, kw, match):
    with FakeServer() as fake:
        acled_app(fake, EVENTS)
        fake.route("/api/acled/read", handler)
        refused(folder, lambda: acled(fake.url, folder / "a.csv", **kw), match)


def _ucdp_pages(total, rows_per_page=2, loop=False, totals=None):
    def answer(seen):
        page = int(seen.query.get("page", 0))
        url = f"/api/gedevents/25.1?pagesize=2&page={0 if loop else page + 1}"
        count = total if totals is None else totals[min(page, len(totals) - 1)]
        return json_reply({"TotalCount": count, "NextPageUrl": url,
                           "Result": [ged_event(page * 2 + i) for i in range(rows_per_page)]})
    return answer


@pytest.mark.parametrize("handler, match", [
    (_ucdp_pages(100, loop=True), r"page 2: NextPageUrl repeats an address already fetched \(a loop\)"),
    (_ucdp_pages(10 ** 6), r"more than 20 pages"),  # full pages forever
    (_ucdp_pages(6, rows_per_page=1), r"page 4: NextPageUrl goes on past the 3 pages TotalCount 6 needs"),
    (_ucdp_pages(3), r"page 2: 4 events received, more than the TotalCount of 3"),
    (_ucdp_pages(0, totals=[10, 12]), r"page 2: TotalCount changed from 10 to 12 between pages"),
])
def test_ucdp_paging_is_bounded_and_checked_against_total_count(folder, handler, match):
    with FakeServer() as fake:
        fake.route("/api/gedevents/25.1", handler)
        refused(folder, lambda: ucdp(fake.url, folder / "g.csv"), match)
        assert len(fake.requests) <= 21


# --- malformed answers: one clear error naming the field and the row ----------------------------------------

@pytest.mark.parametrize("changes, match", [
    ({"timestamp": "1e999"}, r"row 2 \(event_id_cnty 'MLI1'\): timestamp '1e999' is not a whole number"),
    ({"timestamp": "-1"}, r"row 2 \(event_id_cnty 'MLI1'\): timestamp '-1' is not a whole number"),
    ({"latitude": "abc"}, r"row 2 \(event_id_cnty 'MLI1'\): latitude 'abc' is missing or not a number"),
    ({"longitude": "200"}, r"longitude '200' is not a finite number between -180 and 180"),
    ({"latitude": "NaN"}, r"latitude 'NaN' is not a finite number between -90 and 90"),
    ({"event_date": "yesterday"}, r"event_date 'yesterday' is missing or not a date"),
    ({"event_id_cnty": ""}, r"row 2: event_id_cnty '' is missing or not an identifier"),
    ({"event_id_cnty": True}, r"event_id_cnty True is missing or not an identifier"),
    ({"notes": ["a", "list"]}, r"row 2 \(event_id_cnty 'MLI1'\): notes is a JSON list, not a value"),
    ({"fatalities": "many"}, r"row 2 \(event_id_cnty 'MLI1'\): fatalities 'many' is not a whole number"),
])
def test_malformed_acled_events_exit_1_naming_the_field_and_the_row(folder, env, capsys, changes, match):
    import re

    events = [acled_event(0), acled_event(1, **changes)]
    with FakeServer() as fake:
        acled_app(fake, events)
        before = snapshot(folder)
        code, text = cli(["fetch", "acled", "--country", "Mali", "--start", "2025-09-01", "--end", "2025-09-30",
                          "--out", str(folder / "a.csv"), "--api-url", fake.url], capsys)
    assert code == 1 and "ACLED events, page 1, row 2" in text and re.search(match, text), text
    assert snapshot(folder) == before and not any(secret in text for secret in SECRETS)


def test_a_malformed_acled_deletion_is_refused_and_the_file_stays(tmp_path):
    with FakeServer() as fake:
        acled_app(fake, EVENTS)
        acled(fake.url, tmp_path / "a.csv")
        fake.route("/api/deleted/read", lambda seen: json_reply({"data": [{"event_id_cnty": "MLI1"}]}))
        refused(tmp_path, lambda: acled(fake.url, tmp_path / "a.csv"),
                r"ACLED deletions since the last fetch, page 1, row 1 \(event_id_cnty 'MLI1'\): deleted_timestamp "
                r"None is not a whole number")


@pytest.mark.parametrize("text, match", [
    (json.dumps({"TotalCount": 1, "Result": [{k: v for k, v in ged_event(0).items() if k != "date_start"}]}),
     r"row 1 \(id 900000\): date_start None is missing or not a date"),
    (json.dumps({"TotalCount": "1", "Result": [ged_event(0)]}), r": TotalCount '1' is not a whole number"),
    (json.dumps({"TotalCount": 1, "Result": [ged_event(0)]}).replace('"latitude": 14.4', '"latitude": NaN'),
     r"row 1 \(id 900000\): latitude nan is not a finite number"),
    (json.dumps({"TotalCount": 1, "Result": [ged_event(0)]}).replace('"longitude": -11.4', '"longitude": 1e999'),
     r"row 1 \(id 900000\): longitude inf is not a finite number"),
    (json.dumps({"TotalCount": 1, "Result": [ged_event(0, id="abc")]}),
     r"row 1 \(id 'abc'\): id 'abc' is not a whole number"),
    (json.dumps({"TotalCount": 1, "NextPageUrl": 5, "Result": [ged_event(0)]}), r"NextPageUrl 5 is not an address"),
    (json.dumps({"TotalCount": 1, "Result": [[1, 2]]}), r"row 1 of 'Result' is not a JSON object"),
    (json.dumps({"TotalCount": 1, "Result": [ged_event(0, best=-3)]}), r"row 1 \(id 900000\): best -3 is not a whole"),
    (json.dumps({"TotalCount": 1, "Result": [ged_event(0, type_of_violence=9)]}),
     r"type_of_violence 9 is not a whole number between 1 and 3"),
])
def test_malformed_ucdp_answers_are_refused_naming_the_field_and_the_row(folder, text, match):
    with FakeServer() as fake:
        fake.route("/api/gedevents/25.1", lambda seen: raw_json(text))
        refused(folder, lambda: ucdp(fake.url, folder / "g.csv"), r"UCDP GED 25.1, page 1.*" + match)


W2 = osm_way(2, geometry=[{"lat": 11.5, "lon": -9.5}, {"lat": 11.25, "lon": -9.25}])


def _way_text(way: dict, **replace: str) -> str:
    text = json.dumps({"osm3s": {"timestamp_osm_base": "2026-11-20T10:00:00Z"}, "elements": [osm_way(1), way]})
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("text, match", [
    (_way_text(osm_way(2, geometry=[{"lat": 14.0}, {"lat": 13.0, "lon": -8.0}])),
     r"element 2 \(id 4000002\): geometry\[0\].lon None is not a finite number"),
    (_way_text(osm_way(2, id="abc")), r"element 2 \(id 'abc'\): id 'abc' is not a positive whole number"),
    (_way_text(osm_way(2, tags=["highway", "trunk"])), r"element 2 \(id 4000002\): tags \['highway', 'trunk'\] is not"),
    (_way_text(osm_way(2, tags={"highway": "trunk", "ref": 7})), r"tags .* is not an object of texts"),
    (_way_text(osm_way(2, geometry="LINESTRING(0 0, 1 1)")), r"geometry 'LINESTRING\(0 0, 1 1\)' is not a list"),
    (_way_text(osm_way(2, geometry=[[14.0, -8.0], [13.0, -8.0]])), r"geometry\[0\] \[14.0, -8.0\] is not a point"),
    (_way_text(W2, **{'"lat": 11.25': '"lat": NaN'}), r"geometry\[1\].lat nan is not a finite number"),
    (_way_text(W2, **{'"lon": -9.5': '"lon": -Infinity'}), r"geometry\[0\].lon -inf is not a finite"),
    (_way_text(W2, **{'"lat": 11.25': '"lat": 95'}), r"geometry\[1\].lat 95 is not a finite number "
                                                     r"between -90 and 90"),
    (_way_text(W2, **{'"lat": 11.25': '"lat": "11.25"'}), r"geometry\[1\].lat '11.25' is not a finite"),
    (json.dumps({"osm3s": ["2026"], "elements": []}), r"osm3s \['2026'\] is not an object"),
    (json.dumps({"remark": ["error"], "elements": []}), r"remark \['error'\] is not a text"),
])
def test_malformed_overpass_answers_are_refused_never_written_as_null_geometry(folder, text, match):
    with FakeServer() as fake:
        fake.route("/api/interpreter", lambda seen: raw_json(text))
        refused(folder, lambda: osm(fake.url, folder / "r.geojson"), r"Overpass roads.*" + match)


@pytest.mark.parametrize("body, match", [
    (b"[1, 2, 3]", r"the answer is a JSON list, not an object"),
    (b"<!DOCTYPE html><html><body>Maintenance</body></html>", r"an HTML page, not JSON"),
    (b'{"data": ["\xff\xfe"]}', r"not complete JSON"),  # not UTF-8
    (b"[" * 200_00 + b"]" * 200_00, r"nested too deeply"),
    (b'"just a string"', r"a JSON str, not an object"),
])
def test_bodies_that_are_not_the_documented_json_are_refused(folder, body, match):
    with FakeServer() as fake:
        acled_app(fake, EVENTS)
        fake.route("/api/acled/read", lambda seen: Reply(200, body, {"Content-Type": "application/json"}))
        refused(folder, lambda: acled(fake.url, folder / "a.csv", attempts=2,
                                      limits=FetchLimits(max_bytes=1_000_000)), match)


@pytest.mark.parametrize("token, match", [
    ({"token_type": "Bearer"}, r"failed after 2 attempts: ACLED token: the answer has no access_token"),
    ({"access_token": "t", "expires_in": -1}, r"expires_in -1 is not a number of seconds"),
    ({"access_token": "t", "expires_in": 1e12}, r"expires_in 1000000000000.0 is not a number of seconds"),
    ({"access_token": "t", "expires_in": "soon"}, r"expires_in 'soon' is not a number of seconds"),
    ({"access_token": "t\r\nX-Evil: 1"}, r"access_token is not a token"),
    ({"access_token": ["t"]}, r"access_token is not a token"),
    ({"access_token": "t", "refresh_token": 5}, r"refresh_token is not a token"),
])
def test_malformed_token_answers_are_refused(folder, token, match):
    with FakeServer() as fake:
        acled_app(fake, EVENTS)
        fake.route("/oauth/token", lambda seen: json_reply(token))
        refused(folder, lambda: acled(fake.url, folder / "a.csv", attempts=2), match)
        assert all(r.path == "/oauth/token" for r in fake.requests)  # no data request with a bad token


# --- files from others: a re-saved ACLED file, the credentials file ------------------------------------------

@pytest.mark.parametrize("sep, encoding", [(";", "utf-8"), ("\t", "utf-8-sig"), (",", "utf-8-sig"), (";", "cp1252")])
def test_an_incremental_fetch_reads_a_file_a_spreadsheet_re_saved(tmp_path, sep, encoding):
    import pandas as pd

    out = tmp_path / "a.csv"
    with FakeServer() as fake:
        events = [acled_event(n, notes="Attaque près de Kayes") for n in range(5)]
        acled_app(fake, events)
        acled(fake.url, out)
        pd.read_csv(out, dtype=str, keep_default_na=False).to_csv(out, sep=sep, index=False, encoding=encoding)
        events.append(acled_event(7, stamp=1_760_600_000))
        manifest = acled(fake.url, out)
    assert manifest["mode"] == "incremental" and manifest["rows_received"] == 1 and manifest["rows"] == 6
    again = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert set(again["event_id_cnty"]) == {"MLI0", "MLI1", "MLI2", "MLI3", "MLI4", "MLI7"}
    assert again.loc[0, "notes"] == "Attaque près de Kayes"


@pytest.mark.parametrize("content", [b"id;date\n1;2025-09-01\n", b"\x00\x01\x02 not a csv \xff" * 50, b""])
def test_a_previous_file_that_cannot_be_continued_from_means_a_full_fetch(tmp_path, caplog, content):
    caplog.set_level(logging.WARNING, logger="geokit")
    out = tmp_path / "a.csv"
    with FakeServer() as fake:
        acled_app(fake, EVENTS)
        acled(fake.url, out)
        out.write_bytes(content)
        manifest = acled(fake.url, out)
    assert manifest["mode"] == "full" and manifest["rows"] == 5
    assert "fetching everything again" in caplog.text


def _credentials(folder: Path) -> Path:
    file = folder / "credentials.toml"
    file.write_text(f'[acled]\nemail = "{EMAIL}"\npassword = "{PASSWORD}"\n[ucdp]\ntoken = "{UCDP_TOKEN}"\n')
    file.chmod(0o600)
    return file


def test_a_credentials_file_that_is_a_link_is_refused(tmp_path):
    link = tmp_path / "link.toml"
    link.symlink_to(_credentials(tmp_path))
    with pytest.raises(FetchError, match="is a symbolic link: point GEOKIT_CREDENTIALS at the file itself"):
        ucdp_token({}, link)


def test_a_credentials_file_that_is_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(FetchError, match="is not a regular file"):
        ucdp_token({}, fifo)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_credentials_file_others_can_read_is_refused(tmp_path, mode):
    file = _credentials(tmp_path)
    file.chmod(mode)
    with pytest.raises(FetchError, match="can be read by other users: run chmod 600") as caught:
        ucdp_token({}, file)
    assert UCDP_TOKEN not in str(caught.value)


def test_a_credentials_file_that_is_huge_or_not_toml_is_refused_without_quoting_it(tmp_path):
    file = _credentials(tmp_path)
    file.write_text("x" * 70_000)
    with pytest.raises(FetchError, match="is larger than 64 KiB"):
        ucdp_token({}, file)
    file.write_text(f'[ucdp]\ntoken = "{UCDP_TOKEN}\n')  # an unterminated string: the parser would quote it
    with pytest.raises(FetchError, match="is not valid UTF-8 TOML") as caught:
        ucdp_token({}, file)
    assert UCDP_TOKEN not in str(caught.value)
    assert ucdp_token({}, _credentials(tmp_path)) == UCDP_TOKEN


@pytest.mark.parametrize("text, match", [
    ('[ucdp]\ntoken = 12345\n', "token must be a text in quotes"),
    ('[ucdp]\ntoken = "abc\\r\\nX-Evil: 1"\n', "token must be a text in quotes, without spaces"),
    ('[acled]\nemail = ["a"]\npassword = "p"\n', "email and password must be texts"),
])
def test_credentials_of_the_wrong_type_are_refused(tmp_path, text, match):
    from geokit.sources import acled_credentials

    file = tmp_path / "credentials.toml"
    file.write_text(text)
    file.chmod(0o600)
    with pytest.raises(FetchError, match=match):
        (acled_credentials if "acled" in text else ucdp_token)({}, file)


def test_a_token_with_a_line_break_is_refused_before_any_request(folder):
    with FakeServer() as fake:
        refused(folder, lambda: ucdp(fake.url, folder / "g.csv", token=UCDP_TOKEN + "\r\nX-Evil: 1"),
                "holds spaces or control characters")
        assert fake.requests == []


@pytest.mark.parametrize("name, value", [
    ("max_bytes", 0), ("max_pages", -1), ("request_deadline_s", float("nan")), ("max_redirects", -1),
    ("max_rows", True),
])
def test_fetch_limits_are_checked(name, value):
    with pytest.raises(InputError, match=f"FetchLimits.{name} must be"):
        FetchLimits(**{name: value})
