"""helferhub export FORMAT: the web's searches, written to a file."""
from __future__ import annotations

import csv
import io
import json

import pytest

from hub.cli import main
from hub.storage import Storage
from tests.listings import doc, publish


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "hub.toml"
    path.write_text(f'[hub]\ndatabase = "{tmp_path / "hub.db"}"\nbase_url = "https://hub.example.org"\n\n'
                    '[[sources]]\nname = "potsdam"\ntype = "helpto"\nurl = "https://potsdam.helpto.de"\n',
                    encoding="utf-8")
    with Storage(tmp_path / "hub.db") as store:
        publish(store, doc(1, title="Sofa", category="goods"), doc(2, title="Deutschkurs", category="language"),
                doc(3, title="Tisch", category="goods", location={"ags": "03159", "postcode": "37073"}))
    return path


def test_export_writes_every_match_in_the_format(config_file, tmp_path, capsys):
    out = tmp_path / "goods.csv"
    assert main(["--config", str(config_file), "export", "csv-plain", "--category", "goods", "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["title"] for r in rows] == ["Tisch", "Sofa"]
    assert rows[0]["link"] == "https://hub.example.org/listings/u_0000000000000003"  # the page people read
    assert "2 listings matched" in capsys.readouterr().err


def test_export_to_stdout_takes_the_same_filters_as_the_web(config_file, capsys):
    assert main(["--config", str(config_file), "export", "json", "--ags", "03", "--lang", "en"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert [item["title"] for item in body["listings"]] == ["Tisch"]
    assert body["meta"]["language"] == "en"


def test_a_bad_filter_names_its_option(config_file, capsys):
    assert main(["--config", str(config_file), "export", "rss", "--ags", "17"]) == 2
    assert capsys.readouterr().err.strip() == "error: --ags: ags '17' is no German state or district"
    assert main(["--config", str(config_file), "export", "pdf"]) == 2


def test_a_source_a_partner_registered_is_a_source_to_export_too(config_file, tmp_path, capsys):
    """The web's searches know the sources partners registered; so does the export (it answered '--source: source
    must be one of potsdam' for one: helper-42's probe)."""
    from hub import config as hub_config, partners

    config = hub_config.load(str(config_file))
    with Storage(tmp_path / "hub.db") as store:
        token = partners.authenticate(store, partners.create_token(store, "kiez")[0])
        partners.register(config, store, token, {"name": "kiez-portal", "type": "helpto", "url": "https://kiez.helpto.de"})
        publish(store, doc(4, title="Kinderwagen", category="goods", source="kiez-portal"))
    assert main(["--config", str(config_file), "export", "json", "--source", "kiez-portal"]) == 0
    assert [item["title"] for item in json.loads(capsys.readouterr().out)["listings"]] == ["Kinderwagen"]
    assert main(["--config", str(config_file), "export", "json", "--source", "nowhere"]) == 2
    assert "source must be one of kiez-portal, potsdam" in capsys.readouterr().err
