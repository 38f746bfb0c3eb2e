"""/api/v1/changes as a consumer keeping a copy of the hub's listings sees it: across real syncs, its copy
is the public listings, content and all, and nothing readers may not see ever reaches it."""
from __future__ import annotations

import base64
from datetime import datetime

import pytest
import responses

from connectors.base import listing_id
from dedupe.merge import cluster_id
from hub.review import decide
from hub.storage import Storage
from hub.sync import sync
from hub.web import create_app
from tests.listings import doc, publish
from tests.portals import HelpToPortal, entry

A, B, M = "https://potsdam.helpto.de", "https://berlin.helpto.de", "https://gera.helpto.de"
HUB = "https://hub.example.org"
SOFA = "<p>Dreisitzer, grauer Stoff, gut erhalten. Abholung in Babelsberg, zweiter Stock. Am besten abends.</p>"
TEXTS = {
    2: ("Damenfahrrad abzugeben", "<p>Damenrad, 28 Zoll, neue Reifen und Licht. Schloss ist dabei.</p>"),
    3: ("Nachhilfe in Mathematik", "<p>Ich gebe Nachhilfe für Schüler der Klassen 5 bis 10, montags und mittwochs.</p>"),
    4: ("Kinderbücher zu verschenken", "<p>Eine Kiste Bilderbücher und erste Lesebücher, alles gut erhalten.</p>"),
    10: ("Begleitung zum Arzt gesucht", "<p>Ältere Dame sucht Begleitung zu Arztterminen in Mitte, etwa zweimal im Monat.</p>"),
    11: ("Sessel aus Leder", "<p>Brauner Ledersessel mit Hocker, etwas abgenutzt, aus Nichtraucherhaushalt.</p>"),
    20: ("Deutschkurs für Anfänger", "<p>Ehrenamtlicher Deutschkurs für Geflüchtete, dienstags im Gemeindehaus.</p>"),
    21: ("Geheimer Entwurf", "<p>Dieser Eintrag wartet auf Prüfung und darf nie erscheinen.</p>"),
}


def item(eid: int, base: str, **fields) -> dict:
    title, text = TEXTS.get(eid, ("Schlafsofa abzugeben", SOFA))
    return entry(eid, **{"titel": title, "beschreibung": text, "url": f"{base}/eintrag/{eid}", **fields})


def uid(source: str, eid: int) -> str:
    return cluster_id(listing_id(source, str(eid)))


class Consumer:
    """Keeps a copy of the hub's listings by /api/v1/changes alone, as the README tells: no since at first,
    then meta.next_since; each change applied in order. Records every change it was told."""

    def __init__(self, client, limit: int = 100):
        self.client, self.limit = client, limit
        self.copy: dict[str, dict] = {}
        self.since: str | None = None
        self.told: list[dict] = []

    def follow(self) -> list[dict]:
        """Ask until the hub says there is no more; the changes of this round, each id once."""
        round_: list[dict] = []
        while True:
            response = self.client.get("/api/v1/changes", query_string={
                "limit": self.limit, **({"since": self.since} if self.since else {})})
            assert response.status_code == 200, response.get_json()
            assert response.headers["Access-Control-Allow-Origin"] == "*" and response.headers["ETag"]
            body = response.get_json()
            assert len(body["changes"]) <= self.limit
            for change in body["changes"]:
                if change["change"] == "upsert":
                    self.copy[change["id"]] = change["listing"]
                else:
                    self.copy.pop(change["id"], None)
            round_ += body["changes"]
            assert body["links"]["next"] == f"{HUB}/api/v1/changes?limit={self.limit}&since={body['meta']['next_since']}"
            self.since = body["meta"]["next_since"]
            if not body["meta"]["more"]:
                break
        ids = [c["id"] for c in round_]
        assert len(ids) == len(set(ids)), ids  # each listing once, as it is now
        self.told += round_
        return round_


def public_listings(client) -> dict[str, dict]:
    """Every listing of /api/v1/listings, paged through by its next links."""
    found: dict[str, dict] = {}
    address = "/api/v1/listings?limit=3"
    while address:
        page = client.get(address).get_json()
        found.update((listing["id"], listing) for listing in page["listings"])
        address = page["links"].get("next", "").removeprefix(HUB)
    return found


def in_step(consumer: Consumer, client) -> list[dict]:
    """Follow the changes; the copy is then exactly the public listings, and every listing the hub sent
    is one readers see now, as they see it."""
    told = consumer.follow()
    public = public_listings(client)
    assert consumer.copy == public
    for change in told:
        if change["change"] == "upsert":
            assert client.get(f"/api/v1/listings/{change['id']}").get_json() == change["listing"]
    return told


@pytest.fixture
def federation(make_config):
    portals = {A: HelpToPortal([]), B: HelpToPortal([]), M: HelpToPortal([])}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for base, portal in portals.items():
            portal.register(rsps, base)
        config = make_config([{"name": "a", "type": "helpto", "url": A}, {"name": "b", "type": "helpto", "url": B},
                              {"name": "m", "type": "helpto", "url": M, "trust": "moderated"}], base_url=HUB)
        yield portals, config


def test_a_consumer_following_the_changes_keeps_an_exact_copy_across_syncs(federation):
    portals, config = federation

    def synced():
        with Storage(config.database) as storage:
            assert all(r.ok for r in sync(config, storage, full=True))

    portals[A].entries = [item(1, A), item(2, A), item(3, A)]
    portals[B].entries = [item(10, B)]
    portals[M].entries = [item(20, M), item(21, M)]
    synced()
    client = create_app(config).test_client()
    consumer = Consumer(client)
    told = in_step(consumer, client)
    assert {c["id"] for c in told} == {uid("a", 1), uid("a", 2), uid("a", 3), uid("b", 10)}  # nothing waiting for review
    assert in_step(consumer, client) == []  # nothing new: nothing told

    # the portal changes a text but not its date: the hub's listing changes, and the consumer hears of it
    portals[A].entries[1] = item(2, A, beschreibung="<p>Damenrad, 28 Zoll, jetzt mit Korb und Kindersitz.</p>")
    synced()
    assert uid("a", 2) in [c["id"] for c in in_step(consumer, client)]  # (and its neighbours, written again)
    assert "Kindersitz" in consumer.copy[uid("a", 2)]["description"]

    # new to the hub with an old date (updated_since would never show it)
    portals[A].entries.append(item(4, A, erstellt="2019-01-01T10:00:00+01:00", aktualisiert="2019-01-02T10:00:00+01:00"))
    synced()
    assert uid("a", 4) in [c["id"] for c in in_step(consumer, client)]

    # withdrawn by its portal
    portals[A].entries = [e for e in portals[A].entries if e["id"] != 3]
    synced()
    assert {"id": uid("a", 3), "change": "removed"} in in_step(consumer, client)
    assert client.get(f"/api/v1/listings/{uid('a', 3)}").status_code == 410

    # a second portal's listing becomes a cross-post of the first's: merged into it
    portals[B].entries.append(item(11, B))
    synced()
    assert uid("b", 11) in [c["id"] for c in in_step(consumer, client)]
    portals[B].entries[1] = item(11, B, titel="Schlafsofa abzugeben!", beschreibung=SOFA,
                                 aktualisiert="2026-03-05T08:00:00+01:00")
    synced()
    told = in_step(consumer, client)
    assert {"id": uid("b", 11), "change": "merged", "merged_into": uid("a", 1)} in told
    assert sorted(s["portal"] for s in consumer.copy[uid("a", 1)]["sources"]) == ["a", "b"]
    assert uid("b", 11) not in consumer.copy

    # and apart again: the second gets its own listing back
    portals[B].entries[1] = item(11, B, aktualisiert="2026-03-06T08:00:00+01:00")
    synced()
    told = in_step(consumer, client)
    assert {c["id"]: c["change"] for c in told if c["id"] in (uid("a", 1), uid("b", 11))} == {
        uid("a", 1): "upsert", uid("b", 11): "upsert"}
    assert [s["portal"] for s in consumer.copy[uid("a", 1)]["sources"]] == ["a"]

    # moderation: approved, shown; changed by its portal, back in review (hidden); rejected (stays hidden)
    with Storage(config.database) as storage:
        decide(storage, uid("m", 20), "approve", config.dedupe)
    assert {c["id"]: c["change"] for c in in_step(consumer, client)}[uid("m", 20)] == "upsert"
    portals[M].entries[0] = item(20, M, beschreibung="<p>Neuer Text, noch ungeprüft: nie zu sehen.</p>",
                                 aktualisiert="2026-03-07T08:00:00+01:00")
    synced()
    assert {"id": uid("m", 20), "change": "removed"} in in_step(consumer, client)
    with Storage(config.database) as storage:
        decide(storage, uid("m", 20), "reject", config.dedupe, reason="Werbung")
        decide(storage, uid("m", 21), "reject", config.dedupe, reason="Test")
    assert {"id": uid("m", 20), "change": "removed"} in in_step(consumer, client)
    assert uid("m", 20) not in public_listings(client)

    # nothing readers could not see was ever told: no text under review, no listing never shown
    everything = str(consumer.told)
    assert "nie zu sehen" not in everything and "Geheimer Entwurf" not in everything
    assert uid("m", 21) not in {c["id"] for c in consumer.told}

    # a consumer starting now gets the same copy in one go, each listing once
    late = Consumer(client, limit=2)
    in_step(late, client)
    assert late.copy == consumer.copy


@pytest.fixture
def hub(make_config):
    config = make_config([{"name": "potsdam", "type": "helpto", "url": A}], base_url=HUB)
    with Storage(config.database) as storage:
        publish(storage, *(doc(n) for n in range(1, 8)))
        for n in (2, 5):  # written again: they move to the end of the sequence
            publish(storage, doc(n, title=f"Angebot {n}, neu"))
    return config, create_app(config).test_client()


@pytest.mark.parametrize("limit", [1, 2, 3, 1000])
def test_pages_of_any_size_give_each_change_once_in_the_order_written(hub, limit):
    _, client = hub
    consumer = Consumer(client, limit=limit)
    told = consumer.follow()
    assert [c["id"] for c in told] == [f"u_{n:016x}" for n in (1, 3, 4, 6, 7, 2, 5)]
    assert consumer.copy[f"u_{2:016x}"]["title"] == "Angebot 2, neu"
    assert consumer.copy == public_listings(client)


def test_a_write_while_paging_moves_the_listing_to_the_end(hub):
    config, client = hub
    first = client.get("/api/v1/changes?limit=3").get_json()
    assert [c["id"] for c in first["changes"]] == [f"u_{n:016x}" for n in (1, 3, 4)] and first["meta"]["more"]
    with Storage(config.database) as storage:
        publish(storage, doc(3, title="Angebot 3, neu"), doc(6, title="Angebot 6, neu"))
    rest = client.get(f"/api/v1/changes?since={first['meta']['next_since']}&limit=100").get_json()
    assert [c["id"] for c in rest["changes"]] == [f"u_{n:016x}" for n in (7, 2, 5, 3, 6)]
    assert rest["changes"][-1]["listing"]["title"] == "Angebot 6, neu" and not rest["meta"]["more"]
    again = client.get(f"/api/v1/changes?since={rest['meta']['next_since']}").get_json()
    assert again["changes"] == [] and again["meta"]["next_since"] == rest["meta"]["next_since"]
    assert not again["meta"]["more"]


def _token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("since", ["", "AAAA", "%%%", "not-a-token", _token("xyz.1"), _token("0123456789abcdef"),
                                   _token("0123456789abcdef.-1"), "A" * 100])
def test_a_damaged_since_is_a_400_naming_it(hub, since):
    _, client = hub
    response = client.get("/api/v1/changes", query_string={"since": since})
    assert response.status_code == 400
    assert response.get_json()["parameter"] == "since" and "since is damaged" in response.get_json()["message"]


def test_a_since_of_another_database_asks_to_start_again(hub):
    config, client = hub
    with Storage(config.database) as storage:
        instance, newest = storage.write_position()
    gone = client.get(f"/api/v1/changes?since={_token('0' * 16 + '.1')}")
    assert gone.status_code == 410 and gone.get_json()["parameter"] == "since"
    assert "without since" in gone.get_json()["message"]
    assert client.get(f"/api/v1/changes?since={_token(f'{instance}.{newest + 1}')}").status_code == 410
    assert client.get(f"/api/v1/changes?since={_token(f'{instance}.{newest}')}").get_json()["changes"] == []
    for bad in ("limit=0", "limit=1001", "limit=x", "cursor=abc", "kind=offer"):
        answer = client.get(f"/api/v1/changes?{bad}")
        assert answer.status_code == 400 and answer.get_json()["parameter"] == bad.split("=")[0]


def test_changes_are_cached_like_every_answer_until_the_hub_writes(hub):
    config, client = hub
    first = client.get("/api/v1/changes?lang=en")
    assert first.headers["Content-Language"] == "en" and first.headers["Cache-Control"].startswith("public")
    tag = first.headers["ETag"]
    assert client.get("/api/v1/changes?lang=en", headers={"If-None-Match": tag}).status_code == 304
    preflight = client.options("/api/v1/changes", headers={"Origin": "https://example.org",
                                                           "Access-Control-Request-Method": "GET"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    with Storage(config.database) as storage:
        publish(storage, doc(8))
    fresh = client.get("/api/v1/changes?lang=en", headers={"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.get_json()["changes"][-1]["id"] == f"u_{8:016x}"


def test_a_listing_past_its_valid_until_leaves_the_copy_as_it_leaves_the_feed(make_config, monkeypatch):
    """Expiry is no write: a consumer drops a listing once its valid_until has passed (it is in the listing),
    and one asking after that is told `expired` instead of the listing."""
    config = make_config([{"name": "potsdam", "type": "helpto", "url": A}], base_url=HUB)
    with Storage(config.database) as storage:
        publish(storage, doc(1, valid_until="2030-01-01T00:00:00+01:00"), doc(2))
    client = create_app(config).test_client()
    early = Consumer(client)
    early.follow()
    assert early.copy[f"u_{1:016x}"]["valid_until"] == "2030-01-01T00:00:00+01:00"
    import hub.web.api
    import hub.web.responses

    for module in (hub.web.api, hub.web.responses):
        monkeypatch.setattr(module, "now_utc", lambda: "2031-01-01T00:00:00Z")
    assert early.follow() == []  # nothing was written ...
    now = datetime.fromisoformat("2031-01-01T00:00:00+00:00")  # ... so it drops what expired itself
    kept = {k: v for k, v in early.copy.items() if not v.get("valid_until") or datetime.fromisoformat(v["valid_until"]) >= now}
    assert kept == public_listings(client)
    late = Consumer(client)
    assert {c["id"]: c["change"] for c in late.follow()} == {f"u_{1:016x}": "expired", f"u_{2:016x}": "upsert"}
    assert late.copy == public_listings(client)
