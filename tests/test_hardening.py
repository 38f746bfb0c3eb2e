"""The findings of the hostile-portal and hostile-reader probes, each as a test that failed before its fix."""
from __future__ import annotations

import csv
import io
import json
import logging

import feedparser
import pytest
from click.testing import CliRunner

from connectors.guard import why_forbidden
from hub import config as hub_config
from hub.cli import cli
from hub.storage import Storage
from hub.sync import scrub, sync
from hub.web import create_app
from tests.listings import doc, publish
from tests.portals import entry


def helpto_folder(folder, entries):
    path = folder / "api/v1/entries/page=1&per_page=100"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"entries": entries, "meta": {"page": 1, "pages": 1, "total": len(entries)}}))


# -- 4: one record never takes a feed down ---------------------------------------------------

@pytest.mark.parametrize("url", ["https://p.example.org/1\u0001", "https://p.example.org/1\ufffe",
                                 "https://p.example.org/1\r\nX-Evil: 1", "https://p.example.org/\u202egnp.exe"])
def test_a_portal_url_with_broken_characters_leaves_every_feed_up(url, tmp_path, make_config):
    helpto_folder(tmp_path, [entry(1, url=url), entry(2)])
    config = make_config([{"name": "p", "type": "helpto", "url": str(tmp_path)}])
    with Storage(config.database) as storage:
        sync(config, storage)
    client = create_app(config).test_client()
    for path in ("/feed.rss", "/feed.atom", "/export/rss", "/events.ics", "/feed.json", "/export.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert url not in response.get_data(as_text=True) and "\u202e" not in response.get_data(as_text=True)
    items = feedparser.parse(client.get("/feed.rss").data).entries
    assert len(items) == 2  # both listings, the one with the broken link pointing at the hub instead


def test_an_item_that_cannot_be_rendered_is_left_out_not_the_feed(make_config, caplog):
    config = make_config()
    with Storage(config.database) as storage:  # damaged as an older hub (or a partner's tool) might leave it
        publish(storage, doc(1, title="bad \x01 title \ufffe", starts_at="2027-01-01T10:00:00+01:00"), doc(2), check=False)
        storage.db.execute("update unified set data = json_set(data, '$.published_at', 'yesterday', "
                           "'$.starts_at', 'soon') where id = 'u_0000000000000001'")
    client = create_app(config).test_client()
    for path in ("/feed.rss", "/feed.atom", "/feed.json", "/events.ics", "/export.csv", "/listings.geojson"):
        assert client.get(path).status_code == 200, path
    assert [e.title for e in feedparser.parse(client.get("/feed.atom").data).entries] == ["Angebot 2"]
    assert [i["title"] for i in client.get("/feed.json").get_json()["items"]] == ["Angebot 2", "bad  title "]


# -- 5: requests that got a 500 ---------------------------------------------------------------

@pytest.mark.parametrize("query, parameter", [
    ("limit=%C2%B2", "limit"), ("updated_since=0001-01-01T00:00:00%2B01:00", "updated_since"),
    ("updated_since=9999-12-31T23:59:59-01:00", "updated_since"), ("lang=", "lang"), ("cursor=" + "W" * 300, "cursor"),
])
def test_odd_parameters_get_a_400_naming_them(client, query, parameter):
    response = client.get(f"/api/v1/listings?{query}")
    assert response.status_code == 400 and response.get_json()["parameter"] == parameter


def test_a_cursor_of_deeply_nested_lists_is_a_400(client):
    import base64

    deep = base64.urlsafe_b64encode(("[" * 5000 + "]" * 5000).encode()).decode().rstrip("=")
    response = client.get(f"/api/v1/listings?cursor={deep[:190]}")
    assert response.status_code == 400 and response.get_json()["parameter"] == "cursor"


def test_a_wrong_method_gets_405_with_allow(client):
    response = client.post("/feed.rss")
    assert response.status_code == 405 and set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}


# -- 6: one bad record never fails its source ------------------------------------------------

def test_a_lone_surrogate_in_a_title_quarantines_nothing_else(tmp_path, make_config):
    path = tmp_path / "api/v1/entries/page=1&per_page=100"
    path.parent.mkdir(parents=True)
    good = json.dumps(entry(2))
    path.write_text('{"entries": [' + json.dumps(entry(1)).replace('"Kleiderschrank', '"\\ud800 Kleiderschrank') +
                    "," + good + '], "meta": {"page": 1, "pages": 1, "total": 2}}')
    config = make_config([{"name": "p", "type": "helpto", "url": str(tmp_path)}])
    with Storage(config.database) as storage:
        result, = sync(config, storage)
        titles = sorted(r["data"]["title"] for r in storage.listings_in("active"))
    assert result.ok and result.new == 2, result.line()
    assert len(titles) == 2 and "Kleiderschrank abzugeben 2" in titles and not any("\ud800" in t for t in titles)


def test_a_csv_cell_over_the_csv_module_limit_fails_only_its_row(tmp_path, make_config):
    columns = ["Inserat-Nr", "Art", "Rubrik", "Titel", "Beschreibung", "PLZ", "Ort", "Kommune", "Erstellt", "Status", "Link"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for n, text in ((1, "x " * 100_000), (2, "Gut erhalten.")):
        writer.writerow([str(n), "Hilfsangebot", "Möbel", f"Schrank {n}", text, "07545", "Gera", "gera",
                         "01.11.2026 10:00", "freigegeben", f"https://gera.bringt-zusammen.de/{n}"])
    (tmp_path / "export").mkdir()
    (tmp_path / "export/inserate.csv").write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode())
    config = make_config([{"name": "gera", "type": "bringt-zusammen", "url": str(tmp_path)}])
    with Storage(config.database) as storage:
        result, = sync(config, storage)
        reasons = storage.quarantined("gera")
    assert result.ok and (result.new, result.quarantined) == (1, 1), result.line()
    assert "description" in reasons[0]["errors"][0]


# -- 8: an emptied source withdraws nothing ----------------------------------------------------

def test_a_calendar_that_suddenly_has_no_events_withdraws_nothing(tmp_path, make_config):
    helpto_folder(tmp_path, [entry(i) for i in range(1, 16)])
    config = make_config([{"name": "p", "type": "helpto", "url": str(tmp_path)}])
    with Storage(config.database) as storage:
        sync(config, storage)
        helpto_folder(tmp_path, [])
        result, = sync(config, storage, full=True)
        assert result.status == "suspicious" and result.withdrawn == 0
        assert "--accept-shrink p" in result.notes[0]
        assert len(storage.listings_in("active")) == 15
        confirmed, = sync(config, storage, full=True, accept_shrink=True)
        assert confirmed.ok and confirmed.withdrawn == 15


def test_the_cli_confirms_a_shrink_and_exits_1_while_suspicious(tmp_path):
    folder = tmp_path / "portal"
    helpto_folder(folder, [entry(i) for i in range(1, 6)])
    cfg = tmp_path / "hub.toml"
    cfg.write_text(f'[hub]\ndatabase = "{tmp_path}/hub.db"\n[[sources]]\nname = "p"\ntype = "helpto"\nurl = "{folder}"\n')
    runner = CliRunner()
    assert runner.invoke(cli, ["--config", str(cfg), "sync"]).exit_code == 0
    helpto_folder(folder, [])
    suspicious = runner.invoke(cli, ["--config", str(cfg), "sync", "--full"])
    assert suspicious.exit_code == 1 and "suspicious" in suspicious.output and "--accept-shrink p" in suspicious.output
    confirmed = runner.invoke(cli, ["--config", str(cfg), "sync", "--full", "--accept-shrink", "p"])
    assert confirmed.exit_code == 0 and "withdrawn=5" in confirmed.output


# -- 10: secrets never in errors ----------------------------------------------------------------

def test_a_token_with_a_trailing_newline_is_refused_at_load_without_showing_it():
    with pytest.raises(hub_config.ConfigError) as info:
        hub_config.from_dict({"sources": [{"name": "gv", "type": "govolunteer", "url": "https://govolunteer.com",
                                           "token": {"env": "T"}}]}, env={"T": "tok-4711-secret\n"})
    assert "environment variable T" in str(info.value) and "tok-4711" not in str(info.value)


def test_credentials_in_a_source_url_are_refused():
    with pytest.raises(hub_config.ConfigError, match="credentials in the URL are not allowed"):
        hub_config.from_dict({"sources": [{"name": "p", "type": "helpto", "url": "https://user:pw@p.helpto.de"}]})


def test_every_error_text_is_scrubbed_of_secrets_and_url_credentials():
    text = "InvalidHeader: Invalid return character in header value: 'Bearer tok-4711\\n' at https://u:pw@x.example.org/a"
    out = scrub(text, ["tok-4711\n"])
    assert "tok-4711" not in out and "u:pw" not in out and "https://***@x.example.org/a" in out


# -- the rest ------------------------------------------------------------------------------------

@pytest.mark.parametrize("source, message", [
    ({"interval": ""}, "interval"), ({"interval": "0s"}, "at least 1s"), ({"interval": "99999999999999d"}, "interval"),
    ({"request_timeout": "soon"}, "request_timeout"), ({"max_shrink": 2}, "max_shrink"),
])
def test_bad_intervals_are_config_errors(source, message):
    with pytest.raises(hub_config.ConfigError, match=message):
        hub_config.from_dict({"sources": [{"name": "p", "type": "helpto", "url": "https://p.helpto.de", **source}]})


def test_misshapen_configs_are_errors_not_tracebacks(tmp_path):
    (tmp_path / "var").mkdir()
    for data, message in (({"sources": ["x"]}, r"sources\[0\]"), ({"hub": "x"}, "hub"),
                          ({"hub": {"database": "var"}}, "is a folder"),
                          ({"dedupe": {"prefer": ["nobody"]}, "sources": [{"name": "p", "type": "helpto",
                                                                            "url": "https://p.helpto.de"}]}, "no source")):
        with pytest.raises(hub_config.ConfigError, match=message):
            hub_config.from_dict(data, base_dir=tmp_path)


@pytest.mark.parametrize("address", ["2002:7f00:1::1", "2002:0a00:0001::1", "64:ff9b::7f00:1", "::7f00:1",
                                     "2001:0:4136:e378:8000:63bf:80ff:fffe"])
def test_ipv4_inside_ipv6_is_judged_as_that_ipv4_address(address):
    assert why_forbidden(address) is not None


def test_explain_answers_only_for_listings_readers_see(make_config):
    config = make_config()
    with Storage(config.database) as storage:
        publish(storage, doc(1), doc(2))
        storage.set_unified_status("u_0000000000000002", "withdrawn")
        storage.db.execute("update listings set status = 'pending' where id = 'l_0000000000000002'")
    client = create_app(config).test_client()
    gone = client.get("/api/v1/listings/u_0000000000000002/explain")  # as the listing itself answers: gone, no more
    assert gone.status_code == 410 and set(gone.get_json()) == {"error", "status", "message"}
    assert client.get("/api/v1/listings/u_0000000000000002").status_code == 410
    assert client.get("/api/v1/dedupe/explain?a=u_0000000000000001&b=l_0000000000000002").status_code == 404
    shown = client.get("/api/v1/listings/u_0000000000000001/explain").get_json()
    assert "status" not in shown


def test_raw_category_names_cannot_forge_log_lines(tmp_path, make_config, caplog):
    helpto_folder(tmp_path, [entry(1, kategorie="Sonderposten\r\n2026-01-01 ERROR hub: forged", unterkategorie=None)])
    config = make_config([{"name": "p", "type": "helpto", "url": str(tmp_path)}])
    caplog.set_level(logging.INFO)
    with Storage(config.database) as storage:
        result, = sync(config, storage)
    assert all("\n" not in r.getMessage() and "\r" not in r.getMessage() for r in caplog.records)
    assert "\\u000d\\u000a2026-01-01 ERROR" in result.notes[0]


def test_a_killed_run_is_closed_as_interrupted(storage):
    run_id = storage.start_run("p", "full", "2026-11-01T00:00:00+00:00")
    storage.db.execute("update sync_runs set pid = 999999999 where id = ?", [run_id])
    assert storage.close_interrupted_runs("2026-11-01T01:00:00+00:00") == 1
    assert storage.runs("p")[0]["status"] == "interrupted"
