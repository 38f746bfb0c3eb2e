"""hub.toml: defaults, secrets from the environment, and one clear line per problem."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from connectors import Secret, registry
from hub.config import ConfigError, load, parse_interval

KNOWN = ", ".join(registry.available())

GOOD = """
[hub]
title = "Test-Hub"
database = "db/test.db"

[server]
port = 9090

[[sources]]
name = "helpto-potsdam"
type = "helpto"
url = "https://potsdam.helpto.de/"
interval = "1h30m"
trust = "moderated"
per_page = 50
"""


def write(tmp_path, text: str):
    path = tmp_path / "hub.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path, text: str, env=None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load(write(tmp_path, text), env=env or {})
    return info.value.problems


def test_a_good_config_is_read_into_typed_values(tmp_path):
    config = load(write(tmp_path, GOOD), env={})
    assert config.title == "Test-Hub"
    assert config.database == str(tmp_path / "db/test.db")  # relative to the config file
    assert (config.host, config.port) == ("127.0.0.1", 9090)
    assert config.allow_private_addresses is False
    source = config.source("helpto-potsdam")
    assert source.url == "https://potsdam.helpto.de"
    assert (source.interval, source.trust, source.enabled) == (5400, "moderated", True)
    assert dict(source.options) == {"per_page": 50}


def test_the_config_path_comes_from_the_environment(tmp_path, monkeypatch):
    path = write(tmp_path, GOOD)
    assert load(None, env={"HELFERHUB_CONFIG": str(path)}).title == "Test-Hub"
    monkeypatch.chdir(tmp_path)
    assert load(None, env={}).title == "Test-Hub"  # ./hub.toml


def test_every_problem_is_reported_with_its_key_path(tmp_path):
    found = problems(tmp_path, """
        [hub]
        titel = "typo"
        feed_items = "many"

        [server]
        port = 70000

        [[sources]]
        name = "a"
        type = "helpto"
        url = "https://a.helpto.de"
        interval = "soon"
        colour = "red"

        [[sources]]
        name = "a"
        type = "carrier-pigeon"
        url = "https://b.example.org"

        [[sources]]
        name = "c"
        type = "helpto"
        url = "ftp://c.example.org"
        per_page = 500

        [[sources]]
        name = "Bad Name"
        url = "https://d.example.org"
    """)
    assert found == [
        "hub.feed_items: 'many' is not of type 'integer'",
        "hub.titel: unknown key",
        "server.port: 70000 is greater than the maximum of 65535",
        "sources[0].interval: 'soon' is not an interval like '30m', '2h', '1d' or '1h30m'",
        "sources[3].name: 'Bad Name' is not a source name (lower-case letters, digits, '-' and '_'; at most 64)",
        "sources[3]: 'type' is a required property",
        "sources[0].colour: unknown key",  # (hidden by the interval's problem before: every problem at once)
        "sources[1].name: duplicate source name 'a'",
        f"sources[1].type: unknown connector type 'carrier-pigeon' (known: {KNOWN})",
        "sources[2].per_page: 500 is greater than the maximum of 100",
        "sources[2].url: only http and https URLs or local paths are allowed, not 'ftp://c.example.org'",
    ]


def test_a_source_named_by_an_array_or_a_table_is_a_problem_not_a_crash(tmp_path):
    """name = ["a"] crashed the check with 'TypeError: unhashable type' instead of naming the key (review
    helper-78)."""
    found = problems(tmp_path, """
        [[sources]]
        name = ["a"]
        type = "helpto"
        url = "https://a.helpto.de"

        [[sources]]
        name = { first = "b" }
        type = "helpto"
        url = "https://b.helpto.de"
    """)
    assert sorted(found) == ["sources[0].name: ['a'] is not of type 'string'",
                             "sources[1].name: {'first': 'b'} is not of type 'string'"]


def test_a_source_with_a_key_of_the_wrong_shape_has_its_other_keys_checked_too(tmp_path):
    """A wrong interval hid that the connector refuses per_page = 500 (and an unknown key): the operator mended one,
    and learned of the next at the next start (probe helper-54)."""
    found = problems(tmp_path, """
        [[sources]]
        name = "a"
        type = "helpto"
        url = "https://a.helpto.de"
        interval = "5 parsecs"
        request_timeout = -3
        per_page = 500
        farbe = "rot"
    """)
    assert sorted(found) == ["sources[0].farbe: unknown key",
                             "sources[0].interval: '5 parsecs' is not an interval like '30m', '2h', '1d' or '1h30m'",
                             "sources[0].per_page: 500 is greater than the maximum of 100",
                             "sources[0].request_timeout: -3 is not of type 'string'"]


def test_broken_toml_and_missing_files_are_named(tmp_path):
    assert problems(tmp_path, "[hub\n")[0].startswith("not valid TOML: ")
    with pytest.raises(ConfigError) as info:
        load(tmp_path / "nowhere.toml", env={})
    assert str(info.value) == f"{tmp_path / 'nowhere.toml'}: file not found"


def test_credentials_in_a_url_are_refused_with_the_form_a_token_takes(tmp_path):
    """(probe helper-68) the message showed doubled braces: token = {{ env = "VARIABLE" }}."""
    found = problems(tmp_path, GOOD.replace("https://potsdam.helpto.de/", "https://user:pw@potsdam.helpto.de/"))
    assert found == ["sources[0].url: credentials in the URL are not allowed (secrets never sit in the file; "
                     'a portal\'s token goes in token = { env = "VARIABLE" })']


def test_nan_and_infinity_are_no_numbers_for_the_config(tmp_path):
    """(probe helper-68) max_shrink = nan turned shrink protection off: every comparison with it is false."""
    found = problems(tmp_path, GOOD + "max_shrink = nan\n\n[dedupe]\nthreshold = inf\n")
    assert "sources[0].max_shrink: nan is not a number here (only finite numbers are)" in found
    assert "dedupe.threshold: inf is not a number here (only finite numbers are)" in found


def test_a_local_sample_path_must_exist(tmp_path):
    found = problems(tmp_path, """
        [[sources]]
        name = "local"
        type = "helpto"
        url = "samples/missing"
    """)
    assert found == [f"sources[0].url: local path '{tmp_path / 'samples/missing'}' does not exist"]


def test_secrets_come_from_the_environment_and_never_show(tmp_path, monkeypatch):
    from connectors.helpto import HelpToConnector

    monkeypatch.setitem(HelpToConnector.config_schema["properties"], "token", {"type": "string", "secret": True})
    text = """
        [[sources]]
        name = "p"
        type = "helpto"
        url = "https://p.helpto.de"
        token = { env = "HELPTO_TOKEN" }
    """
    assert problems(tmp_path, text) == ["sources[0].token: environment variable HELPTO_TOKEN is not set"]
    config = load(write(tmp_path, text), env={"HELPTO_TOKEN": "s3cret-value"})
    token = config.source("p").options["token"]
    assert isinstance(token, Secret) and token.reveal() == "s3cret-value"
    assert "s3cret" not in repr(config) and "s3cret" not in str(token)
    literal = text.replace('{ env = "HELPTO_TOKEN" }', '"s3cret-value"')
    assert problems(tmp_path, literal) == [
        'sources[0].token: secrets are never written into the file; use token = { env = "VARIABLE" }']


@pytest.mark.parametrize("text, seconds", [("30m", 1800), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), ("45s", 45)])
def test_intervals(text, seconds):
    assert parse_interval(text) == seconds


def test_the_cli_exits_2_with_one_line_per_problem(tmp_path):
    path = write(tmp_path, """
        [hub]
        colour = "red"

        [[sources]]
        name = "x"
        type = "nope"
        url = "https://x.example.org"
    """)
    proc = subprocess.run([sys.executable, "-m", "hub", "--config", str(path), "sync"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"config error: {path}: hub.colour: unknown key",
        f"config error: {path}: sources[0].type: unknown connector type 'nope' (known: {KNOWN})",
    ]


def test_a_sources_region_is_an_official_key_the_gazetteer_knows(tmp_path):
    source = '[[sources]]\nname = "g"\ntype = "goettingen"\nurl = "https://g.example.org"\nregion = "{}"\n'
    assert problems(tmp_path, source.format("99")) == ["sources[0].region: '99' is no German state, district or municipality"]
    assert problems(tmp_path, source.format("031")) == ["sources[0].region: '031' is not an official key (AGS) of 2, 5 or 8 digits"]
    for good in ("03", "03159", "03159029"):
        assert load(write(tmp_path, source.format(good)), env={}).sources[0].region == good


def test_a_missing_secret_stops_only_what_would_send_it(tmp_path, monkeypatch):
    """An operator reading the quarantine or runs needs no portal's token (probe helper-53: `quarantine`
    refused to start); a sync of every source syncs the others and names the source it could not."""
    from click.testing import CliRunner

    from hub.cli import cli

    examples = Path(__file__).resolve().parents[2] / "examples/portals"
    monkeypatch.delenv("PROBE_ICH_TOKEN", raising=False)
    path = write(tmp_path, f"""
        [hub]
        database = "hub.db"

        [[sources]]
        name = "potsdam"
        type = "helpto"
        url = "{examples / 'helpto-potsdam'}"

        [[sources]]
        name = "ich"
        type = "ichhelfejetzt"
        url = "{examples / 'ichhelfejetzt'}"
        token = {{ env = "PROBE_ICH_TOKEN" }}
    """)
    unset = f"config error: {path}: sources[1].token: environment variable PROBE_ICH_TOKEN is not set"
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--config", str(path), *args])

    for reading in (["quarantine"], ["runs"], ["sources"], ["review"], ["tokens", "list"]):
        assert run(*reading).exit_code == 0, reading
    named = run("sync", "ich")
    assert named.exit_code == 2 and named.stderr.splitlines() == [unset]
    every = run("sync")
    assert every.exit_code == 1 and every.stderr.splitlines()[0] == unset and "PROBE" not in every.stderr[len(unset):]
    assert every.stdout.startswith("potsdam: ") and "\nich" not in every.stdout
    assert "potsdam" in run("runs").stdout
    assert "ich:" not in run("runs").stdout.replace("potsdam", "")
    with pytest.raises(ConfigError) as info:  # what sends it (the worker, the web server) still checks at once
        load(path, env={})
    assert info.value.problems == [unset.split(": ", 2)[2]]
    monkeypatch.setenv("PROBE_ICH_TOKEN", "t0ken")
    assert run("sync", "ich").exit_code == 0


def test_an_unset_mail_password_holds_up_no_source_even_one_called_mail(tmp_path):
    text = """
        [mail]
        host = "smtp.example.org"
        from = "hub@example.org"
        password = { env = "PROBE_MAIL_PW" }

        [[sources]]
        name = "mail"
        type = "helpto"
        url = "https://mail.helpto.de"
    """
    config = load(write(tmp_path, text), env={}, secrets=False)
    assert config.secret_problems(["mail"]) == []  # (the mail server's was taken for the source's: helper-60)
    assert config.secret_problems() == ["mail.password: environment variable PROBE_MAIL_PW is not set"]


def test_an_unset_secret_read_without_it_cannot_be_sent(tmp_path):
    text = """
        [[sources]]
        name = "ich"
        type = "ichhelfejetzt"
        url = "https://ichhelfe.jetzt"
        token = { env = "PROBE_ICH_TOKEN" }
    """
    config = load(write(tmp_path, text), env={}, secrets=False)
    assert config.secret_problems() == ["sources[0].token: environment variable PROBE_ICH_TOKEN is not set"]
    assert config.secret_problems(["other"]) == [] and config.secrets() == []
    with pytest.raises(LookupError, match="PROBE_ICH_TOKEN is not set"):
        config.source("ich").options["token"].reveal()
    assert load(write(tmp_path, text), env={"PROBE_ICH_TOKEN": "x"}, secrets=False).secret_problems() == []


@pytest.mark.parametrize("value, problem", [("0", "worker.syncs: 0 is less than the minimum of 1"),
                                            ("17", "worker.syncs: 17 is greater than the maximum of 16"),
                                            ('"2"', "worker.syncs: '2' is not of type 'integer'")])
def test_the_syncs_a_worker_runs_at_once_are_checked(tmp_path, value, problem):
    assert problems(tmp_path, f"[worker]\nsyncs = {value}\n") == [problem]


def test_a_worker_syncs_three_sources_at_once_unless_told(tmp_path):
    path = tmp_path / "hub.toml"
    path.write_text("[worker]\nsyncs = 4\n")
    assert load(path).syncs == 4
    path.write_text("")
    assert load(path).syncs == 3


def test_a_url_that_is_no_url_does_not_stop_the_hub_from_loading_its_config(tmp_path):
    """The port check read the netloc of 'http://[::1/x' outside its guard: a bare ValueError stopped the hub
    from starting, where the file had loaded before (review helper-72)."""
    path = tmp_path / "hub.toml"
    path.write_text('[[sources]]\nname = "a"\ntype = "helpto"\nurl = "http://[::1/x"\n')
    assert load(path).source("a").url == "http://[::1/x"
