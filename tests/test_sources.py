"""geokit fetch acled against a local ACLED server (pytest-httpserver on 127.0.0.1), never the real one.

The fake server reproduces the requests and answers ACLED documents:
- https://acleddata.com/api-documentation/getting-started (OAuth: ``POST /oauth/token`` with
  ``username``, ``password``, ``grant_type=password``, ``client_id=acled``; the answer's
  ``access_token``, ``refresh_token`` and ``expires_in``; ``grant_type=refresh_token`` to refresh;
  requests carry ``Authorization: Bearer <token>``);
- https://acleddata.com/api-documentation/acled-endpoint (``GET /api/acled/read?_format=json``,
  ``country`` with ``|`` for several, ``event_date=A|B`` with ``event_date_where=BETWEEN``,
  ``timestamp`` with ``timestamp_where``; JSON ``{"status", "success", "count", "data": [...]}``);
- https://acleddata.com/api-documentation/elements-acleds-api (``limit`` and ``page``: pages of at most
  5,000 rows; 429 with ``Retry-After`` when rate limited);
- https://acleddata.com/api-documentation/deleted-endpoint (``GET /api/deleted/read``, rows of
  ``event_id_cnty`` and ``deleted_timestamp``, filtered by ``deleted_timestamp_where``).
"""

from __future__ import annotations

import json
import os
import time

import pandas as pd
import pytest

pytest.importorskip("pytest_httpserver")
from werkzeug.wrappers import Request, Response  # noqa: E402

import geokit  # noqa: E402
from geokit.cli import main  # noqa: E402
from geokit.sources import (ACLED_COLUMNS, AcledCredentials, FetchError, acled_credentials,  # noqa: E402
                            fetch_acled, manifest_path)

PASSWORD = "pa55-W0rd-never-shown"
CREDS = AcledCredentials("analyst@example.org", PASSWORD)


def event(n: int, day: str, *, stamp: int = 1_760_000_000, notes: str = "Ambush on a fuel convoy") -> dict:
    """One event as ACLED's JSON gives it (every value a string)."""
    row = {c: "" for c in ACLED_COLUMNS}
    row.update({"event_id_cnty": f"MLI{n}", "event_date": day, "year": day[:4], "time_precision": "1",
                "event_type": "Violence against civilians", "sub_event_type": "Attack",
                "actor1": "JNIM: Jama'at Nusrat al-Islam wal Muslimin", "country": "Mali", "iso": "466",
                "location": f"Place {n}", "latitude": f"{13.0 + n / 100:.4f}", "longitude": f"{-8.0 + n / 100:.4f}",
                "geo_precision": "1", "source": "Local partners", "notes": notes, "fatalities": str(n % 3),
                "timestamp": str(stamp)})
    return row


class FakeAcled:
    """ACLED's token, read and deleted endpoints, with faults to inject."""

    def __init__(self, server, events: list[dict]) -> None:
        self.events, self.deleted = list(events), []  # deleted: (event_id_cnty, deleted_timestamp)
        self.tokens: set[str] = set()
        self.issued = 0
        self.faults: list = []  # (path, callable(request) -> Response or None), used once each, in order
        self.token_forms: list[dict] = []
        self.reads: list[dict] = []
        server.expect_request("/oauth/token", method="POST").respond_with_handler(self.token)
        server.expect_request("/api/acled/read").respond_with_handler(self.read)
        server.expect_request("/api/deleted/read").respond_with_handler(self.deleted_read)
        self.url = server.url_for("").rstrip("/")

    def fault(self, path: str, answer) -> None:
        self.faults.append((path, answer))

    def _fault(self, request: Request) -> Response | None:
        for i, (path, answer) in enumerate(self.faults):
            if request.path == path:
                del self.faults[i]
                return answer(request)
        return None

    def token(self, request: Request) -> Response:
        form = dict(request.form)
        self.token_forms.append(form)
        if (hit := self._fault(request)) is not None:
            return hit
        ok = (form.get("grant_type") == "password" and form.get("username") == CREDS.email
              and form.get("password") == PASSWORD) or (form.get("grant_type") == "refresh_token"
                                                       and form.get("refresh_token", "").startswith("refresh-"))
        if form.get("client_id") != "acled" or not ok:
            return Response(json.dumps({"error": "invalid_grant"}), status=400, content_type="application/json")
        self.issued += 1
        token = f"token-{self.issued}-secret"
        self.tokens = {token}  # a new token replaces the old ones
        return Response(json.dumps({"token_type": "Bearer", "expires_in": 86400, "access_token": token,
                                    "refresh_token": f"refresh-{self.issued}"}), content_type="application/json")

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("Authorization", "").removeprefix("Bearer ") in self.tokens

    def read(self, request: Request) -> Response:
        if (hit := self._fault(request)) is not None:
            return hit
        if not self._authorised(request):
            return Response(json.dumps({"error": "expired token"}), status=401, content_type="application/json")
        args = request.args
        self.reads.append(dict(args))
        countries = set(args["country"].split("|"))
        first, last = args["event_date"].split("|")
        assert args["event_date_where"] == "BETWEEN" and args["_format"] == "json"
        rows = [e for e in self.events if e["country"] in countries and first <= e["event_date"] <= last]
        if "timestamp" in args:
            assert args["timestamp_where"] == ">"
            rows = [e for e in rows if int(e["timestamp"]) > int(args["timestamp"])]
        return self._page(rows, args)

    def deleted_read(self, request: Request) -> Response:
        if not self._authorised(request):
            return Response("{}", status=401, content_type="application/json")
        since = int(request.args["deleted_timestamp"])
        assert request.args["deleted_timestamp_where"] == ">"
        rows = [{"event_id_cnty": i, "deleted_timestamp": str(t)} for i, t in self.deleted if t > since]
        return self._page(rows, request.args)

    @staticmethod
    def _page(rows: list[dict], args) -> Response:
        limit, page = int(args["limit"]), int(args["page"])
        part = rows[(page - 1) * limit: page * limit]
        return Response(json.dumps({"status": 200, "success": True, "count": len(part), "data": part}),
                        content_type="application/json")


@pytest.fixture
def acled(httpserver):
    return FakeAcled(httpserver, [event(n, f"2025-09-{n + 1:02d}") for n in range(5)]
                     + [event(9, "2025-10-02")])


def fetch(acled, out, **kw):
    kw = {"countries": ["Mali"], "start": "2025-09-01", "end": "2025-09-30", "api_url": acled.url,
          "credentials": CREDS, "page_size": 2, "backoff_s": 0.01, "sleep": lambda s: None, **kw}
    return fetch_acled(out, **kw)


def test_pages_to_the_end_and_the_file_reads_as_acled_with_no_mapping(acled, tmp_path):
    out = tmp_path / "acled.csv"
    manifest = fetch(acled, out, countries=["Mali", "Burkina Faso"])
    assert manifest["rows_per_page"] == [2, 2, 1] and manifest["rows"] == 5  # 10 October is outside
    assert [r["page"] for r in acled.reads] == ["1", "2", "3"]
    assert acled.reads[0]["country"] == "Mali|Burkina Faso" and acled.reads[0]["event_date"] == "2025-09-01|2025-09-30"
    assert acled.token_forms == [{"username": CREDS.email, "password": PASSWORD, "grant_type": "password",
                                  "client_id": "acled"}]
    incidents = geokit.read_incidents(out)
    assert len(incidents) == 5
    assert incidents["date"].dt.strftime("%Y-%m-%d").tolist() == [f"2025-09-{d:02d}" for d in range(1, 6)]
    assert incidents.geometry.iloc[2].x == pytest.approx(-7.98) and incidents.geometry.iloc[2].y == pytest.approx(13.02)
    saved = json.loads(manifest_path(out).read_text())
    assert saved["source"] == "ACLED" and saved["query"]["countries"] == ["Mali", "Burkina Faso"]
    assert "Terms of Use" in saved["terms"] and saved["newest_timestamp"] == 1_760_000_000


def test_an_expired_token_is_refreshed_and_paging_goes_on(acled, tmp_path):
    def expire(request):
        acled.tokens = set()  # the token expires between page 1 and page 2
        return None

    acled.fault("/api/acled/read", lambda r: None)  # page 1 answers normally
    acled.fault("/api/acled/read", expire)
    manifest = fetch(acled, tmp_path / "a.csv")
    assert manifest["rows_per_page"] == [2, 2, 1]
    assert [f["grant_type"] for f in acled.token_forms] == ["password", "refresh_token"]
    assert acled.token_forms[1]["refresh_token"] == "refresh-1"


@pytest.mark.parametrize("answer, waits", [
    (lambda r: Response("slow down", status=429, headers={"Retry-After": "7"}), [7.0]),
    (lambda r: Response("oops", status=502), [0.01]),
    (lambda r: Response('{"status": 200, "data": [{"event_id_cnty": "MLI0", "ev', content_type="application/json"),
     [0.01]),  # a truncated body
    (lambda r: Response('{"status": 200, "success": true}', content_type="application/json"), [0.01]),  # no rows
])
def test_transient_faults_are_retried(acled, tmp_path, answer, waits):
    slept = []
    acled.fault("/api/acled/read", lambda r: None)
    acled.fault("/api/acled/read", answer)  # page 2 fails once
    manifest = fetch(acled, tmp_path / "a.csv", sleep=slept.append)
    assert manifest["rows_per_page"] == [2, 2, 1]
    assert slept == waits


def test_a_timeout_is_retried(acled, tmp_path):
    def slow(request):
        time.sleep(0.6)
        return Response("late", status=500)

    acled.fault("/api/acled/read", slow)
    manifest = fetch(acled, tmp_path / "a.csv", timeout_s=0.2)
    assert manifest["rows"] == 5


def test_a_server_that_stops_mid_paging_leaves_the_previous_file(acled, tmp_path):
    out = tmp_path / "a.csv"
    fetch(acled, out)
    before, before_manifest = out.read_bytes(), manifest_path(out).read_bytes()
    acled.fault("/api/acled/read", lambda r: None)
    for _ in range(3):
        acled.fault("/api/acled/read", lambda r: Response("down", status=503))
    with pytest.raises(FetchError, match=r"page 2 failed after 3 attempts: .*HTTP 503"):
        fetch(acled, out, attempts=3, full=True)
    assert out.read_bytes() == before and manifest_path(out).read_bytes() == before_manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.csv.manifest.json"]  # no half file


def test_bad_credentials_and_no_access_say_what_to_do(acled, tmp_path):
    with pytest.raises(FetchError, match="refused the email and password .*set ACLED_EMAIL and ACLED_PASSWORD"):
        fetch(acled, tmp_path / "a.csv", credentials=AcledCredentials(CREDS.email, "wrong"))
    acled.fault("/api/acled/read", lambda r: Response("forbidden", status=403))
    with pytest.raises(FetchError, match="HTTP 403.*no API access"):
        fetch(acled, tmp_path / "a.csv")
    assert not (tmp_path / "a.csv").exists()


def test_a_second_fetch_asks_for_changes_only_and_applies_edits_and_deletions(acled, tmp_path):
    out = tmp_path / "a.csv"
    fetch(acled, out)
    acled.events[1] = event(1, "2025-09-02", stamp=1_760_500_000, notes="Corrected: 3 tankers burned")
    acled.events.append(event(7, "2025-09-20", stamp=1_760_600_000))
    acled.events = [e for e in acled.events if e["event_id_cnty"] != "MLI3"]
    acled.deleted.append(("MLI3", 1_760_550_000))
    acled.reads.clear()
    manifest = fetch(acled, out)
    assert manifest["mode"] == "incremental" and manifest["since_timestamp"] == 1_760_000_000
    assert acled.reads[0]["timestamp"] == "1760000000"
    assert manifest["rows_received"] == 2 and manifest["deleted"] == 1 and manifest["rows"] == 5
    incidents = geokit.read_incidents(out)
    assert sorted(incidents["event_id"]) == ["MLI0", "MLI1", "MLI2", "MLI4", "MLI7"]
    assert incidents.set_index("event_id").loc["MLI1", "notes"] == "Corrected: 3 tankers burned"
    assert manifest["newest_timestamp"] == 1_760_600_000


def test_credentials_never_reach_logs_or_products(acled, tmp_path, monkeypatch, capsys, caplog):
    import logging

    monkeypatch.setenv("ACLED_EMAIL", CREDS.email)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    out = tmp_path / "a.csv"
    caplog.set_level(logging.DEBUG)
    acled.fault("/api/acled/read", lambda r: Response("busy", status=429, headers={"Retry-After": "0"}))
    assert main(["fetch", "acled", "--country", "Mali", "--start", "2025-09-01", "--end", "2025-09-30",
                 "--out", str(out), "--api-url", acled.url, "-vv"]) == 0
    seen = capsys.readouterr()
    text = seen.out + seen.err + caplog.text + out.read_text() + manifest_path(out).read_text()
    assert "5 ACLED events" in seen.out and "Terms of Use" in seen.out
    for secret in (PASSWORD, "token-1-secret", "refresh-1"):
        assert secret not in text
    assert PASSWORD not in repr(acled_credentials())


def test_cli_refusal_exits_1_with_the_fix(acled, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ACLED_EMAIL", CREDS.email)
    monkeypatch.setenv("ACLED_PASSWORD", "wrong")
    code = main(["fetch", "acled", "--country", "Mali", "--start", "2025-09-01", "--end", "2025-09-30",
                 "--out", str(tmp_path / "a.csv"), "--api-url", acled.url])
    assert code == 1
    assert "set ACLED_EMAIL and ACLED_PASSWORD" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["fetch", "acled", "--country", "Mali", "--start", "2025-09-01"])  # no --end, no --out
    assert exit_.value.code == 2


def test_the_credentials_file_must_be_private(tmp_path):
    file = tmp_path / "credentials.toml"
    file.write_text(f'[acled]\nemail = "{CREDS.email}"\npassword = "{PASSWORD}"\n')
    os.chmod(file, 0o644)
    with pytest.raises(FetchError, match="can be read by other users: run chmod 600"):
        acled_credentials({}, file)
    os.chmod(file, 0o600)
    assert acled_credentials({}, file) == CREDS
    with pytest.raises(FetchError, match="no ACLED credentials: set ACLED_EMAIL"):
        acled_credentials({}, tmp_path / "missing.toml")


def test_retries_back_off_exponentially_then_stop(acled, tmp_path):
    slept = []
    for _ in range(3):
        acled.fault("/api/acled/read", lambda r: Response("oops", status=502))
    fetch(acled, tmp_path / "a.csv", sleep=slept.append)
    assert slept == [0.01, 0.02, 0.04]
    acled.fault("/api/acled/read", lambda r: Response("oops", status=502))
    with pytest.raises(FetchError, match=r"ACLED events, page 1 failed after 1 attempts: .*HTTP 502"):
        fetch(acled, tmp_path / "b.csv", attempts=1)


# --- UCDP ---------------------------------------------------------------------------------------------------
# The fake server follows https://ucdp.uu.se/apidocs/ : GET /api/gedevents/<version>?pagesize=N&page=P
# (pages from 0, at most 1,000 events) with filters Country (Gleditsch-Ward codes, comma-separated),
# StartDate and EndDate, the token in the x-ucdp-access-token header, and answers
# {"TotalCount", "TotalPages", "PreviousPageUrl", "NextPageUrl", "Result": [...]}.

UCDP_TOKEN = "ucdp-token-never-shown"


def ged(n: int, day: str, *, version_note: str = "", country_id: int = 432) -> dict:
    return {"id": 900_000 + n, "relid": f"MLI-2025-1-{n}", "year": 2025, "active_year": True, "code_status": "Clear",
            "type_of_violence": 3, "conflict_name": "JNIM - Civilians", "dyad_name": "JNIM - Civilians",
            "side_a": "JNIM", "side_b": "Civilians", "number_of_sources": 2, "source_article": "Reuters",
            "source_headline": f"Fuel tankers attacked near Kayes {version_note}".strip(), "where_prec": 1,
            "where_coordinates": f"Place {n}", "where_description": "on the RN1", "adm_1": "Kayes region",
            "adm_2": "Kayes cercle", "latitude": 14.4 + n / 100, "longitude": -11.4 + n / 100, "country": "Mali",
            "country_id": country_id, "region": "Africa", "event_clarity": 1, "date_prec": 1,
            "date_start": f"{day}T00:00:00.000", "date_end": f"{day}T00:00:00.000", "deaths_a": 0, "deaths_b": 0,
            "deaths_civilians": n % 4, "deaths_unknown": 0, "best": n % 4, "high": n % 4 + 1, "low": n % 4}


class FakeUcdp:
    def __init__(self, server, releases: dict[str, list[dict]]) -> None:
        import re

        self.releases, self.requests, self.stop_after = releases, [], None
        server.expect_request(re.compile(r"^/api/gedevents/.+$")).respond_with_handler(self.read)
        self.url = server.url_for("").rstrip("/")

    def read(self, request: Request) -> Response:
        self.requests.append((request.path, dict(request.args)))
        if request.headers.get("x-ucdp-access-token") != UCDP_TOKEN:
            return Response('{"error": "token"}', status=401, content_type="application/json")
        version = request.path.rsplit("/", 1)[1]
        if version not in self.releases:
            return Response("not found", status=404)
        args = request.args
        codes = {int(c) for c in args["Country"].split(",")}
        rows = [e for e in self.releases[version] if e["country_id"] in codes
                and args["StartDate"] <= e["date_start"][:10] and e["date_end"][:10] <= args["EndDate"]]
        size, page = int(args["pagesize"]), int(args["page"])
        part = rows[page * size:(page + 1) * size]
        pages = -(-len(rows) // size)
        more = page + 1 < pages and (self.stop_after is None or page + 1 < self.stop_after)
        following = f"{self.url}{request.path}?pagesize={size}&page={page + 1}&Country={args['Country']}" \
            f"&StartDate={args['StartDate']}&EndDate={args['EndDate']}" if more else ""
        return Response(json.dumps({"TotalCount": len(rows), "TotalPages": pages, "PreviousPageUrl": "",
                                    "NextPageUrl": following, "Result": part}), content_type="application/json")


@pytest.fixture
def ucdp(httpserver):
    return FakeUcdp(httpserver, {"25.1": [ged(n, f"2024-12-{20 + n}") for n in range(3)],
                                 "25.0.9": [ged(n, f"2025-09-{10 + n}") for n in range(3, 8)]
                                 + [ged(20, "2025-09-12", country_id=439)]})


def fetch_ged(ucdp, out, **kw):
    from geokit.sources import fetch_ucdp

    kw = {"countries": ["Mali"], "start": "2024-12-01", "end": "2025-12-31", "versions": ["25.1", "25.0.9"],
          "api_url": ucdp.url, "token": UCDP_TOKEN, "page_size": 2, "backoff_s": 0.01, "sleep": lambda s: None,
          **kw}
    return fetch_ucdp(out, **kw)


def test_ucdp_follows_next_pages_of_each_version_and_the_file_reads_as_ged(ucdp, tmp_path):
    out = tmp_path / "ged.csv"
    manifest = fetch_ged(ucdp, out)
    assert manifest["rows_per_page"] == {"25.1": [2, 1], "25.0.9": [2, 2, 1]} and manifest["rows"] == 8
    assert [a.get("page") for _, a in ucdp.requests] == ["0", "1", "0", "1", "2"]
    assert ucdp.requests[0][1]["Country"] == "432"  # Mali by its Gleditsch-Ward code; Burkina Faso's 439 left out
    incidents = geokit.read_incidents(out)
    assert len(incidents) == 8
    assert incidents["date"].min() == pd.Timestamp("2024-12-20") and incidents["date"].max() == pd.Timestamp("2025-09-17")
    assert set(incidents["event_type"]) == {"One-sided violence"}
    assert incidents.set_index("event_id").loc["900005", "fatalities"] == 1


def test_ucdp_same_versions_again_sends_no_request_and_a_new_version_counts_changes(ucdp, tmp_path):
    out = tmp_path / "ged.csv"
    fetch_ged(ucdp, out)
    ucdp.requests.clear()
    assert fetch_ged(ucdp, out)["mode"] == "unchanged" and ucdp.requests == []
    ucdp.releases["25.0.10"] = [ged(n, f"2025-09-{10 + n}", version_note="(revised)" if n == 4 else "")
                                for n in range(4, 9)]  # 3 gone, 4 revised, 8 new
    manifest = fetch_ged(ucdp, out, versions=["25.1", "25.0.10"])
    assert manifest["changes_since_previous_file"] == {"added": 1, "removed": 1, "changed": 1}
    assert "(revised)" in geokit.read_incidents(out).set_index("event_id").loc["900004", "notes"]


def test_ucdp_a_short_answer_is_refused_and_the_old_file_stays(ucdp, tmp_path):
    out = tmp_path / "ged.csv"
    fetch_ged(ucdp, out)
    before = out.read_bytes()
    ucdp.stop_after = 1  # NextPageUrl empty after the first page although TotalCount says more
    with pytest.raises(FetchError, match="UCDP announced 3 events but its pages held 2"):
        fetch_ged(ucdp, out, full=True)
    assert out.read_bytes() == before


def test_ucdp_refusals_say_what_to_do(ucdp, tmp_path, monkeypatch, capsys):
    with pytest.raises(FetchError, match="refused the access token .*set UCDP_TOKEN"):
        fetch_ged(ucdp, tmp_path / "a.csv", token="wrong")
    with pytest.raises(FetchError, match="no /api/gedevents/99.9 .*check the GED version"):
        fetch_ged(ucdp, tmp_path / "a.csv", versions=["99.9"])
    with pytest.raises(geokit.InputError, match="'Atlantis' is not known by name here: give its Gleditsch-Ward"):
        fetch_ged(ucdp, tmp_path / "a.csv", countries=["Atlantis"])
    monkeypatch.setenv("UCDP_TOKEN", UCDP_TOKEN)
    assert main(["fetch", "ucdp", "--country", "Mali", "--country", "439", "--start", "2025-01-01", "--end",
                 "2025-12-31", "--version", "25.0.9", "--out", str(tmp_path / "b.csv"), "--api-url", ucdp.url,
                 "-vv"]) == 0
    seen = capsys.readouterr()
    assert "6 UCDP GED events" in seen.out and "Sundberg" in seen.out
    assert UCDP_TOKEN not in seen.out + seen.err + (tmp_path / "b.csv").read_text()
    assert not (tmp_path / "a.csv").exists()


# --- OpenStreetMap (Overpass) -------------------------------------------------------------------------------
# https://dev.overpass-api.de/overpass-doc/en/ and https://wiki.openstreetmap.org/wiki/Overpass_API : POST the
# Overpass QL query as the form field "data" to /api/interpreter; [out:json] answers
# {"version", "osm3s": {"timestamp_osm_base", ...}, "elements": [...]}, "out geom" gives each way's
# "geometry" as [{"lat", "lon"}, ...]; a query cut short still answers 200 with a "remark" naming the runtime
# error; 429 and 504 when the server is busy.

def way(n: int, ref: str, points: list[tuple[float, float]], highway: str = "trunk") -> dict:
    return {"type": "way", "id": 4_000_000 + n, "tags": {"highway": highway, "ref": ref, "name": f"Route {n}"},
            "geometry": [{"lat": lat, "lon": lon} for lon, lat in points]}


class FakeOverpass:
    def __init__(self, server) -> None:
        self.ways = [way(1, "RN1", [(-11.44, 14.45), (-10.5, 14.0), (-8.0, 12.65)]),
                     way(2, "RN3", [(-8.0, 12.65), (-7.0, 13.0)], "primary"),
                     {"type": "node", "id": 1, "lat": 12.6, "lon": -8.0}]
        self.queries, self.faults = [], []
        server.expect_request("/api/interpreter", method="POST").respond_with_handler(self.answer)
        self.url = server.url_for("/api/interpreter")

    def answer(self, request: Request) -> Response:
        self.queries.append(request.form["data"])
        if self.faults:
            return self.faults.pop(0)(request)
        return Response(json.dumps({"version": 0.6, "osm3s": {"timestamp_osm_base": "2026-11-20T10:00:00Z"},
                                    "elements": self.ways}), content_type="application/json")


def test_osm_roads_from_overpass_read_as_roads_with_ref_and_name(httpserver, tmp_path):
    from geokit.sources import fetch_osm

    osm = FakeOverpass(httpserver)
    out = tmp_path / "roads.geojson"
    osm.faults.append(lambda r: Response(json.dumps({"elements": osm.ways[:1], "remark": "runtime error: Query "
                                                     "timed out in \"query\" at line 1 after 180 seconds."}),
                                         content_type="application/json"))  # cut short: retried, never written
    osm.faults.append(lambda r: Response("busy", status=429, headers={"Retry-After": "3"}))
    slept = []
    manifest = fetch_osm(out, bbox="-12.5,10.0,4.5,25.0", highway=["trunk", "primary"], api_url=osm.url,
                         sleep=slept.append, backoff_s=0.5)
    assert slept == [0.5, 3.0]
    assert '["highway"~"^(trunk|primary)$"](10.0,-12.5,25.0,4.5)' in osm.queries[-1]  # south, west, north, east
    assert manifest["rows"] == 2 and manifest["osm_base"] == "2026-11-20T10:00:00Z" and "ODbL" in manifest["terms"]
    roads = geokit.read_roads(out)
    assert sorted(roads["ref"]) == ["RN1", "RN3"] and "name" in roads
    assert roads.set_index("ref").geometry["RN3"].coords[:] == [(-8.0, 12.65), (-7.0, 13.0)]
    osm.ways[1] = way(2, "RN3", [(-8.0, 12.65), (-7.5, 12.8), (-7.0, 13.0)], "primary")  # a better alignment
    osm.ways.append(way(3, "N7", [(-7.0, 13.0), (-6.0, 13.5)], "secondary"))
    again = fetch_osm(out, bbox=[-12.5, 10.0, 4.5, 25.0], highway=["trunk", "primary", "secondary"],
                      api_url=osm.url, sleep=lambda s: None)
    assert again["changes_since_previous_file"] == {"added": 1, "removed": 0, "changed": 1}


def test_osm_bad_boxes_and_classes_are_refused_before_any_request(httpserver, tmp_path, capsys):
    from geokit.sources import fetch_osm

    osm = FakeOverpass(httpserver)
    with pytest.raises(geokit.InputError, match="is not W,S,E,N with W < E and S < N"):
        fetch_osm(tmp_path / "r.geojson", bbox="25.0,4.5,10.0,-12.5", api_url=osm.url)
    with pytest.raises(geokit.InputError, match="give OpenStreetMap highway values"):
        fetch_osm(tmp_path / "r.geojson", bbox="-12.5,10,4.5,25", highway=['trunk"];out;'], api_url=osm.url)
    assert osm.queries == []
    assert main(["fetch", "osm", "--bbox", "-12.5,10.0,4.5,25.0", "--out", str(tmp_path / "r.geojson"),
                 "--api-url", osm.url]) == 0
    assert "2 OpenStreetMap ways (data of 2026-11-20T10:00:00Z)" in capsys.readouterr().out


# --- projects: [sources] and build --refresh ----------------------------------------------------------------

def _project_with_sources(folder, acled_url: str, ucdp_url: str, osm_url: str):
    from conftest import KAYES_PROJECT, copy_mali_layers

    text = KAYES_PROJECT.replace('incidents = "incidents.csv"', 'incidents = ["acled.csv", "sources/ucdp.csv"]') \
        + f"""
[sources.acled]
countries = ["Mali"]
start = "2025-09-01"
end = "2025-09-30"
out = "acled.csv"
api_url = "{acled_url}"

[sources.ucdp]
countries = ["Mali", 439]
start = "2025-09-01"
end = "2025-09-30"
versions = ["25.0.9"]
api_url = "{ucdp_url}"

[sources.osm]
bbox = [-12.5, 10.0, 4.5, 25.0]
highway = ["trunk", "primary"]
api_url = "{osm_url}"
"""
    return copy_mali_layers(folder, text=text)


def test_build_refresh_fetches_then_builds_and_the_products_cite_the_source(acled, ucdp, httpserver, tmp_path,
                                                                              monkeypatch, capsys):
    monkeypatch.setenv("ACLED_EMAIL", CREDS.email)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    monkeypatch.setenv("UCDP_TOKEN", UCDP_TOKEN)
    osm = FakeOverpass(httpserver)
    project = _project_with_sources(tmp_path, acled.url, ucdp.url, osm.url)
    out = tmp_path / "out"
    assert main(["build", str(project), "--out", str(out), "-q"]) == 1  # the fetched file is not there yet
    assert "[sources.acled] writes it: run geokit build --refresh" in capsys.readouterr().err
    trust = ["--trust-api-url", acled.url, "--trust-api-url", ucdp.url,  # the project chose them: the user agrees
             "--trust-api-url", osm.url]
    assert main(["build", str(project), "--out", str(out), "--refresh", *trust]) == 0
    printed = capsys.readouterr().out
    assert "acled.csv: 5 rows from ACLED (full fetch)" in printed
    assert "ucdp.csv: 6 rows from UCDP GED (full fetch)" in printed  # Mali's five and Burkina Faso's one
    assert "osm.geojson: 2 rows from OpenStreetMap (Overpass)" in printed
    assert (tmp_path / "sources" / "osm.geojson.manifest.json").is_file()
    assert "Sundberg" in (out / "brief.html").read_text()  # the UCDP layer is cited too
    log = (out / "build.log").read_text()
    assert f"acled.csv: fetched from ACLED ({acled.url}) at " in log and ", 5 rows" in log
    for product in ("map.html", "brief.html"):
        page = (out / product).read_text()
        assert "Armed Conflict Location &amp; Event Data (ACLED)" in page, product
        assert PASSWORD not in page and "token-1-secret" not in page
    brief = (out / "brief.html").read_text()  # ACLED's rows are counted, not re-published
    assert "5 ACLED events in the window" in brief and "Ambush on a fuel convoy" not in brief
    assert "Place 2" not in brief
    acled.events.append(event(8, "2025-09-25", stamp=1_760_700_000))
    assert main(["build", str(project), "--out", str(out), "--refresh", "--overwrite", *trust]) == 0
    assert "acled.csv: 6 rows from ACLED (incremental fetch)" in capsys.readouterr().out


@pytest.mark.parametrize("table, message", [
    ('[sources.acled]\ncountries = ["Mali"]\nstart = "2025-09-01"\nout = "a.csv"\n',
     r"\[sources.acled\] needs end; its keys are"),
    ('[sources.gdelt]\nout = "g.csv"\n', r"\[sources.gdelt\] is not a source geokit fetches"),
    ('[sources.osm]\nbbox = [-12.5, 10.0]\nout = "r.geojson"\n', r"sources.osm.bbox must be \[west, south, east"),
    ('[sources.acled]\ncountries = "Mali"\nstart = "2025-09-01"\nend = "2025-09-30"\nout = "a.csv"\n',
     r"sources.acled.countries must be a list"),
    ('[sources.ucdp]\ncountries = ["Mali"]\nstart = "2025-09-01"\nend = "2025-09-30"\nversions = ["25.1"]\n'
     'out = "../ged.csv"\n', "points outside the project folder"),
])
def test_source_tables_are_checked_when_the_project_is_read(tmp_path, table, message):
    from conftest import KAYES_PROJECT, copy_mali_layers

    from geokit.project import load_project

    project = copy_mali_layers(tmp_path, text=KAYES_PROJECT + table)
    with pytest.raises(geokit.ProjectError, match=message):
        load_project(project)


def test_refresh_without_sources_says_how_to_add_them(tmp_path):
    from conftest import KAYES_PROJECT, copy_mali_layers

    from geokit.build import refresh_sources

    with pytest.raises(geokit.ProjectError, match=r"--refresh needs a \[sources\] table"):
        refresh_sources(copy_mali_layers(tmp_path, text=KAYES_PROJECT))


def test_the_tests_cannot_reach_past_this_machine():
    import httpx

    with pytest.raises(httpx.ConnectError, match="the tests run without network"):
        httpx.get("https://acleddata.com/api/acled/read", timeout=2)


def test_acled_an_empty_page_ends_the_paging(acled, tmp_path):
    acled.events = acled.events[:4]  # four events, two a page: the third page is empty, the end of the data
    manifest = fetch(acled, tmp_path / "a.csv")
    assert manifest["rows_per_page"] == [2, 2, 0] and manifest["rows"] == 4
    assert len(geokit.read_incidents(tmp_path / "a.csv")) == 4


def test_a_source_without_out_writes_into_the_project_cache_folder(tmp_path):
    from conftest import KAYES_PROJECT, copy_mali_layers

    from geokit.project import load_project

    project = copy_mali_layers(tmp_path, text=KAYES_PROJECT + '[sources.osm]\nbbox = [-12.5, 10.0, 4.5, 25.0]\n')
    (source,) = load_project(project).sources
    assert source.out == (tmp_path / "sources" / "osm.geojson").resolve() and source.options["bbox"][0] == -12.5


def test_a_fault_between_the_file_and_its_manifest_makes_the_next_fetch_ask_again(acled, tmp_path, monkeypatch):
    """The data is replaced before its manifest: a crash in between can only make the next fetch ask for
    changes it already has (merged again, harmlessly), never skip changes."""
    import geokit._io as io

    out = tmp_path / "a.csv"
    fetch(acled, out)
    acled.events[0] = event(0, "2025-09-01", stamp=1_760_800_000, notes="Edited")
    real = io.os.replace

    def fail_on_manifest(src, dst):
        if str(dst).endswith(".manifest.json"):
            raise OSError("power cut")
        return real(src, dst)

    monkeypatch.setattr(io.os, "replace", fail_on_manifest)
    with pytest.raises(OSError, match="power cut"):
        fetch(acled, out)
    monkeypatch.setattr(io.os, "replace", real)
    assert json.loads(manifest_path(out).read_text())["newest_timestamp"] == 1_760_000_000  # the old one
    again = fetch(acled, out)
    assert again["mode"] == "incremental" and again["rows_received"] == 1 and again["rows"] == 5
    assert geokit.read_incidents(out).set_index("event_id").loc["MLI0", "notes"] == "Edited"


def test_an_address_with_credentials_in_it_is_refused(acled, tmp_path):
    with pytest.raises(geokit.InputError, match="holds a user name or password"):
        fetch(acled, tmp_path / "a.csv", api_url=acled.url.replace("http://", f"http://me:{PASSWORD}@"))
    with pytest.raises(geokit.InputError, match="is not an http"):
        fetch(acled, tmp_path / "a.csv", api_url="file:///etc/passwd")
