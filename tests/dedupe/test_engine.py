"""The generic engine: blocking, scoring, clustering, explanations, specifications."""
from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.engine import Engine
from dedupe.spec import SpecError, from_dict, listing_spec


def listing(lid: str, portal: str, title: str, description: str, postcode="14482", ags="12054",
            kind="offer", category="goods", published="2026-03-01T10:00:00+01:00", **extra) -> dict:
    return {"id": lid, "source": {"portal": portal, "id": lid}, "kind": kind, "category": category, "title": title,
            "description": description, "location": {"postcode": postcode, "ags": ags}, "published_at": published,
            "updated_at": published, **extra}


SOFA = "Dreisitzer, grauer Stoff, gut erhalten. Abholung in Babelsberg, zweiter Stock ohne Aufzug. Am besten abends."


@pytest.mark.parametrize("title", [
    "Schlafsofa abzugeben",
    "Schlafsfoa abzugeben",              # a typo
    "Abzugeben: Schlafsofa",             # reordered
    "Schlafsofa abzugeben f. Familie",   # abbreviated and extended
])
def test_the_variations_people_make_are_found(engine, title):
    a = listing("a", "helpto-potsdam", "Schlafsofa abzugeben", SOFA)
    b = listing("b", "ichhelfejetzt", title, SOFA.replace("ö", "oe"), published="2026-03-02T08:00:00+01:00")
    assert engine.run([a, b]) == [["a", "b"]]


def test_a_shortened_description_and_another_category_still_match(engine):
    a = listing("a", "helpto-potsdam", "Schlafsofa abzugeben", SOFA)
    b = listing("b", "bringt-zusammen-gera", "Schlafsofa abzugeben", SOFA.split(". Abholung")[0] + ".", category="other")
    assert engine.run([a, b]) == [["a", "b"]]


def test_different_offers_are_not_merged(engine):
    a = listing("a", "helpto-potsdam", "Schlafsofa abzugeben", SOFA)
    other_text = listing("b", "ichhelfejetzt", "Schlafsofa abzugeben", "Ausziehbar, braun, etwas abgenutzt. Nur heute.",
                         published="2026-03-20T10:00:00+01:00")
    elsewhere = listing("c", "govolunteer", "Schlafsofa abzugeben", SOFA, postcode="01067", ags="14612")
    months_later = listing("d", "bringt-zusammen-gera", "Suche Schlafsofa", SOFA, kind="request")
    assert engine.run([a, other_text, elsewhere, months_later]) == [["a"], ["b"], ["c"], ["d"]]


def test_two_records_of_one_portal_are_never_merged(engine):
    a = listing("a", "helpto-potsdam", "Schlafsofa abzugeben", SOFA)
    b = listing("b", "helpto-potsdam", "Schlafsofa abzugeben", SOFA)
    assert engine.run([a, b]) == [["a"], ["b"]]
    assert engine.explain(a, b).reason == "same source.portal: such records are never merged"


def test_events_on_different_days_are_different_events(engine):
    a = listing("a", "goettingen", "Helfer für das Sommerfest", SOFA, kind="request", starts_at="2027-06-05T10:00:00+02:00")
    b = listing("b", "govolunteer", "Helfer für das Sommerfest", SOFA, kind="request", starts_at="2027-06-12T10:00:00+02:00")
    assert engine.run([a, b]) == [["a"], ["b"]]
    assert engine.explain(a, b).reason == "starts disagrees too much: no match whatever else agrees"


REPAIR = ("Kaputter Toaster, Loch in der Jacke? Im Repair Café reparieren ehrenamtliche Tüftler zusammen mit Ihnen, "
          "was sonst im Müll landen würde. Nächster Termin am 13.03.2027 ab 15 Uhr im Stadtteilzentrum.")


def test_an_event_given_by_its_date_only_is_the_same_event_at_a_time_that_day(engine):
    """helper-55: one portal gives only the date (stored as 00:00 in Berlin), the other the time: the starts
    field vetoed the pair though the texts were one. A start at 00:00 Berlin is a day, compared by day."""
    from connectors.dates import aware

    def event(lid, portal, starts):
        return listing(lid, portal, "Repair Café: Elektrogeräte und Textilien reparieren", REPAIR, postcode="34117",
                       ags="06611000", kind="event", category="leisure", starts_at=aware(starts, "starts_at"))

    timed, dated = event("a", "goettingen", "2027-03-13T15:00"), event("b", "govolunteer", "2027-03-13")
    explained = engine.explain(timed, dated)
    assert explained.fields["starts"]["level"] == "<= 0.05 days" and explained.fields["starts"]["days"] == 0
    assert engine.run([timed, dated]) == [["a", "b"]]
    assert engine.run([dated, event("c", "goettingen", "2027-03-13T23:30")]) == [["b", "c"]]  # late that evening
    # near misses keep their veto: the day before or after, and two real times half a day apart
    vetoed = "starts disagrees too much: no match whatever else agrees"
    assert engine.explain(event("d", "goettingen", "2027-03-14T09:00"), dated).reason == vetoed
    assert engine.explain(event("e", "goettingen", "2027-03-12T10:00"), dated).reason == vetoed
    assert engine.explain(event("f", "goettingen", "2027-03-13T07:00"), event("g", "govolunteer", "2027-03-13T20:00")
                          ).reason == vetoed
    assert engine.run([dated, event("h", "goettingen", "2027-03-14")]) == [["b"], ["h"]]  # two dates without times


def test_a_day_zone_is_checked():
    spec = {"threshold": 0.5, "blocking": [{"fields": ["t"]}]}
    with pytest.raises(SpecError, match=r"fields\[0\].day_zone: 'Europe/Potsdam' is no time zone"):
        from_dict({**spec, "fields": [{"name": "t", "comparator": "date", "day_zone": "Europe/Potsdam"}]})
    with pytest.raises(SpecError, match=r"fields\[0\].day_zone: only a date comparison reads days without a time"):
        from_dict({**spec, "fields": [{"name": "t", "comparator": "text", "day_zone": "Europe/Berlin"}]})


def test_weak_links_do_not_chain_unrelated_records():
    spec = from_dict({"model": "weights", "threshold": 0.6, "link_floor": 0.6, "fields": [{"name": "name", "comparator": "text",
                      "method": "ratio", "weight": 1}], "blocking": [{"fields": ["group"]}]})
    # 1~2 and 2~3 score 0.7 each; 1 and 3 only 0.4: one of the links is taken, the other is not
    records = [{"id": "1", "group": "g", "name": "abcdefghij"}, {"id": "2", "group": "g", "name": "abcdefgxyz"},
               {"id": "3", "group": "g", "name": "abcdxyzxyz"}]
    assert Engine(spec).run(records) == [["1", "2"], ["3"]]
    spec = from_dict({"model": "weights", "threshold": 0.6, "fields": [{"name": "name", "comparator": "text", "method": "ratio", "weight": 1}],
                      "blocking": [{"fields": ["group"]}]})
    assert Engine(spec).run(records) == [["1", "2", "3"]]  # without a floor, the chain closes


def test_operators_decisions_win(engine):
    a = listing("a", "helpto-potsdam", "Schlafsofa abzugeben", SOFA)
    b = listing("b", "ichhelfejetzt", "Schlafsofa abzugeben", SOFA)
    c = listing("c", "govolunteer", "Kinderwagen abzugeben", "Blau, mit Regenschutz.")
    assert engine.run([a, b, c]) == [["a", "b"], ["c"]]
    assert engine.run([a, b, c], apart=[("a", "b")]) == [["a"], ["b"], ["c"]]
    assert engine.run([a, c], together=[("a", "c")]) == [["a", "c"]]


def test_blocking_keys_survive_a_typo_in_one_word(engine):
    a = listing("a", "p", "Kinderwagen und Babyschale abzugeben", "x")
    b = listing("b", "q", "Kinderwgaen und Babyschale abzugeben", "y")
    assert set(engine.block_keys(a)) & set(engine.block_keys(b))
    c = listing("c", "q", "Kinderwagen und Babyschale abzugeben", "x", postcode="01067", ags="14612")
    assert not set(engine.block_keys(a)) & set(engine.block_keys(c))  # another place: another block


def test_blocks_too_common_to_tell_anything_are_skipped():
    spec = from_dict({"model": "weights", "threshold": 0.5, "max_block": 3, "fields": [{"name": "name", "comparator": "exact", "weight": 1}],
                      "blocking": [{"fields": ["group"]}]})
    few = [{"id": str(i), "group": "small", "name": "x"} for i in range(3)]
    many = [{"id": f"m{i}", "group": "big", "name": "x"} for i in range(4)]
    clusters = Engine(spec).run(few + many)
    assert ["0", "1", "2"] in clusters and all(len(c) == 1 for c in clusters if c[0].startswith("m"))


def _crowded(pair_keys: int) -> tuple[Engine, list[dict]]:
    """Five records of one group; each word but the last is in three of them, over max_block 2."""
    spec = from_dict({"model": "weights", "threshold": 0.5, "max_block": 2, "pair_keys": pair_keys,
                      "fields": [{"name": "name", "comparator": "text", "weight": 1}],
                      "blocking": [{"fields": ["group", "name"], "tokens": 4}]})
    names = ["sofa blau", "sofa blau", "sofa kueche", "blau kueche", "kueche tisch"]
    return Engine(spec), [{"id": str(i), "group": "g", "name": name} for i, name in enumerate(names)]


def test_where_every_key_is_too_common_two_keys_together_make_a_block():
    plain, records = _crowded(0)
    assert plain.candidates(plain.prepare(records)).tolist() == []
    engine, records = _crowded(4)
    # only the two that share two words meet; sharing one crowded word is not enough
    assert engine.candidates(engine.prepare(records)).tolist() == [[0, 1]]
    assert engine.run(records) == [["0", "1"], ["2"], ["3"], ["4"]]


def test_incremental_candidates_involve_only_the_changed_records(engine):
    records = [listing(str(i), f"p{i}", "Schlafsofa abzugeben", SOFA) for i in range(6)]
    prep = engine.prepare(records)
    everything = engine.candidates(prep)
    only_new = engine.candidates(prep, only={5})
    assert len(everything) == 15 and len(only_new) == 5 and all(5 in pair for pair in only_new.tolist())


def test_explain_names_each_field(engine):
    a = listing("a", "helpto-potsdam", "Schlafsofa abzugeben", SOFA)
    b = listing("b", "ichhelfejetzt", "Schlafsofa abzugeben", SOFA, category="other")
    x = engine.explain(a, b)
    title, category, starts = x.fields["title"], x.fields["category"], x.fields["starts"]
    assert title["score"] == 1.0 and title["level"] == "exact"
    assert category["score"] == 0.0 and category["level"] == "else"
    assert starts == {"score": None, "level": "missing", "weight": 0.0}  # missing on one side counts for nothing
    weights = [f["weight"] for f in x.fields.values()]
    assert x.match_weight == pytest.approx(x.prior_weight + sum(weights), abs=1e-3)
    assert x.total == pytest.approx(1 / (1 + 2 ** -x.match_weight)) and x.total >= x.threshold
    assert x.reason == "match probability at or above the threshold" and x.candidates
    assert x.as_dict()["probability"] == round(x.total, 6)


def test_a_specification_for_any_records():
    spec = from_dict({
        "model": "weights", "threshold": 0.85, "fields": [{"name": "name", "comparator": "text", "method": "token_sort", "weight": 2},
                                      {"name": "zip", "comparator": "exact", "weight": 1}],
        "blocking": [{"fields": ["zip", "name"], "tokens": 2}]})
    people = [{"id": "1", "name": "Meier, Anna", "zip": "10115"}, {"id": "2", "name": "Anna Meier", "zip": "10115"},
              {"id": "3", "name": "Anna Meier", "zip": "80331"}]
    assert Engine(spec).run(people) == [["1", "2"], ["3"]]


def test_specification_errors_name_the_key():
    with pytest.raises(SpecError) as info:
        from_dict({"model": "weights", "threshold": 2, "fields": [{"name": "x", "comparator": "soundex", "weight": 1}], "blocking": []})
    assert info.value.problems == [
        "blocking: [] should be non-empty",
        "fields[0].comparator: 'soundex' is not one of ['date', 'exact', 'geo', 'numbers', 'prefix', 'set', 'text', 'words']",
        "threshold: 2 is greater than the maximum of 1",
    ]


def test_preparing_in_worker_processes_gives_the_same_clusters(engine):
    records = [listing(f"r{i}", f"p{i % 3}", f"{w} abzugeben", f"{SOFA} {w}", postcode=f"1448{i % 2}")
               for i, w in enumerate(["Schlafsofa", "Kinderwagen", "Schlafsofa", "Fahrrad", "Kinderwagen", "Sessel"] * 3)]
    alone, parallel = engine.prepare(records, key_names=True), engine.prepare(records, workers=2, key_names=True)
    assert parallel.ids == alone.ids and parallel.columns == alone.columns
    assert [parallel.key_names_of(i) for i in range(len(records))] == [alone.key_names_of(i) for i in range(len(records))]
    assert alone.key_names_of(0) == engine.block_keys(records[0])  # as stored for incremental updates
    engine.workers = 2
    assert engine.run(records) == Engine(listing_spec(), engine.model).run(records)


def test_records_prepared_a_few_at_a_time_in_workers_are_numbered_as_in_one_process(engine):
    """Chunks put together in their order: every block key has the number it has in one process (the
    order decides which of two equally rare keys a record uses), and so the same clusters."""
    records = _varied(60)
    alone = engine.prepare(records, key_names=True)
    parallel = engine._prepare_parallel(records, 2, chunk=7, key_names=True)
    assert list(parallel.key_ids) == list(alone.key_ids) and list(parallel.starts) == list(alone.starts)
    assert parallel.key_names == alone.key_names and parallel.columns == alone.columns


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=3), unique=True, max_size=8), max_size=6))
def test_names_are_numbered_as_setdefault_numbers_them(chunks):
    """engine._numbered numbers each chunk's distinct names as the plain dict.setdefault loop does."""
    from dedupe.engine import _numbered

    index: dict[str, int] = {}
    plain: dict[str, int] = {}
    for names in chunks:
        assert _numbered(index, names).tolist() == [plain.setdefault(name, len(plain)) for name in names]
        assert index == plain


#: Texts that repeat (a distinct pair of texts is scored once), and any others.
_TEXTS = st.none() | st.sampled_from(["fahrrad abzugeben", "abzugeben fahrrad", "sofa", "Sofa"]) | \
    st.text(min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_TEXTS, _TEXTS, st.none() | st.text("0123456789äx\0", min_size=1, max_size=7),
                          st.sampled_from([None, "", "offer", "service", "request", "Offer", 7])), min_size=2, max_size=8))
def test_each_pair_measured_at_once_is_the_pair_compared_alone(values):
    """The batch measures of text, prefix and exact fields (texts gathered as arrays, postcodes as padded
    characters, values as numbers, equivalent values one number) are what each pair's comparison gives
    alone; NaN where either value is missing. A NUL in a postcode is a character like any other, not
    the padding."""
    import numpy as np
    from rapidfuzz import fuzz

    spec = from_dict({"model": "weights", "threshold": 0.5, "blocking": [{"fields": ["t"]}], "fields": [
        {"name": "t", "comparator": "text", "method": "token_mean", "weight": 1},
        {"name": "o", "comparator": "text", "method": "ratio", "weight": 1},
        {"name": "p", "comparator": "prefix", "weight": 1},
        {"name": "k", "comparator": "exact", "equivalent": [["offer", "service"]], "weight": 1}]})
    engine = Engine(spec)
    records = [{"id": str(k), "t": t, "o": o, "p": p, "k": kind} for k, (t, o, p, kind) in enumerate(values)]
    prep = engine.prepare(records)
    pairs = np.array([(i, j) for i in range(len(records)) for j in range(i + 1, len(records))], dtype=np.int64)
    measured = engine.measures(prep, pairs)
    same = {"offer": "service"}
    for (i, j), (t, o, p, k) in zip(pairs.tolist(), measured.tolist()):
        (ti, oi, pi, ki), (tj, oj, pj, kj) = prep.row(i), prep.row(j)
        expect_t = None if ti is None or tj is None else (fuzz.token_set_ratio(ti, tj) + fuzz.token_sort_ratio(ti, tj)) / 200
        expect_o = None if oi is None or oj is None else fuzz.ratio(oi, oj) / 100
        common = len(os.path.commonprefix([pi, pj])) if pi and pj else None
        expect_p = None if common is None else common / max(len(pi), len(pj))
        expect_k = None if ki is None or kj is None else float(same.get(ki, ki) == same.get(kj, kj))
        for got, expected in ((t, expect_t), (o, expect_o), (p, expect_p), (k, expect_k)):
            assert (np.isnan(got) if expected is None else got == pytest.approx(expected)), (i, j, got, expected)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_TEXTS, _TEXTS), min_size=2, max_size=9), st.sampled_from([0, 50, 70, 100]),
       st.integers(1, 5), st.data())
def test_the_prefilter_passes_the_pairs_scored_one_by_one(texts, cutoff, chunk, data):
    """A pair passes if any field's texts score the cutoff (and above 0), as rapidfuzz scores that pair
    alone, however the pairs are chunked and however often a pair of texts repeats."""
    import numpy as np
    from rapidfuzz import fuzz

    from dedupe.blocking import prefilter_mask

    everyone = [(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts))]
    pairs = np.array(data.draw(st.lists(st.sampled_from(everyone), min_size=1, max_size=30)), dtype=np.int64)
    columns = [[(t[f] or "") for t in texts] for f in (0, 1)]
    scorers = [fuzz.token_set_ratio, fuzz.ratio]
    expected = [any(scorer(column[i], column[j], score_cutoff=cutoff) >= max(cutoff, 1)
                    for column, scorer in zip(columns, scorers)) for i, j in pairs.tolist()]
    assert prefilter_mask(pairs, columns, scorers, cutoff, chunk=chunk).tolist() == expected



@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=30).flatmap(
    lambda above: st.tuples(st.just([min(a, k) for k, a in enumerate(above)]), st.permutations(range(len(above))))))
def test_clusters_are_read_off_the_forest_as_the_plain_rule_reads_them(forest):
    """engine._clusters: each tree's records ascending, the trees by their first record, as a loop
    following each record to its root and sorting writes it (a root need not be its tree's first)."""
    from dedupe.engine import _clusters

    tree, names = forest  # a forest of parents before their children, its records renamed
    parent = [0] * len(tree)
    for k, above in enumerate(tree):
        parent[names[k]] = names[above]

    def root(k: int) -> int:
        while parent[k] != k:
            k = parent[k]
        return k
    trees: dict[int, list[int]] = {}
    for k in range(len(parent)):
        trees.setdefault(root(k), []).append(k)
    assert _clusters(parent) == sorted((sorted(t) for t in trees.values()), key=lambda t: t[0])


_ANY = st.none() | st.just("") | st.just([]) | st.integers(0, 99999) | \
    st.sampled_from(["!!!", "Fahrrad-Reparatur 2026", "Straße 12", "Kinder\nwagen. Sofa!"]) | st.text(max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({"title": _ANY, "description": _ANY, "location": st.fixed_dictionaries(
    {"postcode": _ANY, "ags": _ANY, "city": _ANY})}), min_size=1, max_size=5))
def test_the_keys_prepare_stores_are_the_record_s_block_keys(records):
    """prepare() reuses its folded texts for the block keys: the same keys as block_keys() reading and
    folding the record itself (what an incremental update stores), for missing, empty, odd values;
    by words of the text (the listings' spec) and by the whole text."""
    whole = from_dict({"model": "weights", "threshold": 0.5, "blocking": [{"fields": [["location.city"], "title"]}],
                       "fields": [{"name": "title", "comparator": "text", "weight": 1}]})
    for engine in (Engine(listing_spec()), Engine(whole)):
        _same_keys(engine, records)


def _same_keys(engine: Engine, records: list[dict]) -> None:
    records = [{"id": str(k), **record} for k, record in enumerate(records)]
    prep = engine.prepare(records, key_names=True)
    assert [prep.key_names_of(i) for i in range(len(records))] == [engine.block_keys(r) for r in records]



def _clusters_plainly(engine: Engine, prep, pairs, together, apart) -> list[list[int]]:
    """Engine.cluster's rule written plainly: every record its own cluster, the operators' `together`
    joined first; then the links at or above the threshold, best first, each joining two clusters
    unless both hold one `distinct` value, a pair is kept `apart`, or a pair is below the link floor."""
    cluster_of = {i: frozenset([i]) for i in range(len(prep.ids))}

    def join(a: int, b: int) -> None:
        joined = cluster_of[a] | cluster_of[b]
        for member in joined:
            cluster_of[member] = joined
    for a, b in together:
        join(a, b)
    scores = engine.score_pairs(prep, pairs)
    links = sorted((-s, int(a), int(b)) for (a, b), s in zip(pairs.tolist(), scores.tolist()) if s >= engine.cut)
    kept_apart = {(min(a, b), max(a, b)) for a, b in apart}
    for _, a, b in links:
        left, right = cluster_of[a], cluster_of[b]
        if left == right:
            continue
        portals = [{prep.distinct[x] for x in side if prep.distinct[x] is not None} for side in (left, right)]
        if portals[0] & portals[1]:  # a portal on both sides (one the operators joined may hold it twice)
            continue
        if any((min(x, y), max(x, y)) in kept_apart for x in left for y in right):
            continue
        if all(engine.score(prep, x, y) >= engine.floor for x in left for y in right):
            join(a, b)
    return sorted(sorted(c) for c in set(cluster_of.values()))


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Sofa abzugeben", "Sofa grau abzugeben", "Sofa abzugeben Potsdam",
                                           "Kinderwagen abzugeben", "Sofa"]), st.sampled_from(["a", "b", "c", None])),
                min_size=2, max_size=9),
       st.sampled_from([0.0, 0.6, 0.8, 0.95]), st.data())
def test_clusters_follow_the_rule_written_plainly(records, floor, data):
    """Clustering (member lists kept only for clusters of more than one, read off the forest at the
    end) joins exactly what the plain rule joins: with a link floor, `distinct` portals, the
    operators' together and apart decisions."""
    spec = from_dict({"model": "weights", "threshold": 0.5, "link_floor": floor, "distinct": "portal",
                      "blocking": [{"fields": ["title"], "tokens": 2}],
                      "fields": [{"name": "title", "comparator": "text", "method": "token_sort", "weight": 1}]})
    engine = Engine(spec)
    prep = engine.prepare([{"id": str(k), "title": t, "portal": p} for k, (t, p) in enumerate(records)])
    pairs = engine.candidates(prep)
    everyone = [(i, j) for i in range(len(records)) for j in range(i + 1, len(records))]
    together = data.draw(st.lists(st.sampled_from(everyone), max_size=2))
    apart = data.draw(st.lists(st.sampled_from(everyone), max_size=3))
    assert sorted(engine.cluster(prep, pairs, together, apart)) == _clusters_plainly(engine, prep, pairs, together, apart)


def test_the_garbage_collector_is_on_again_after_clustering_also_when_it_fails(engine):
    """Clustering pauses the cyclic garbage collector (its links and scores form no cycles); the
    process gets it back however clustering ends."""
    import gc

    import numpy as np

    records = _varied(12)
    prep = engine.prepare(records)
    seen = []
    scores = engine.score_pairs
    engine.score_pairs = lambda *args: seen.append(gc.isenabled()) or scores(*args)  # asked while clustering
    assert gc.isenabled()
    assert engine.cluster(prep, engine.candidates(prep))
    assert seen and not any(seen)  # paused while clustering
    assert gc.isenabled()
    with pytest.raises(IndexError):
        engine.cluster(prep, np.array([[0, 99]], dtype=np.int64))  # a pair of a record that is not there
    assert gc.isenabled()

def _varied(count: int) -> list[dict]:
    words = ["Schlafsofa", "Kinderwagen", "Fahrrad", "Sessel", "Waschmaschine", "Laufrad", "Regal"]
    return [listing(f"r{i}", f"p{i % 3}", f"{words[i % 7]} {i // 7} abzugeben", f"{SOFA} {words[i % 7]} {i}",
                    postcode=f"1448{i % 4}") for i in range(count)]


def test_a_worker_killed_while_preparing_costs_time_not_records(engine, caplog):
    import multiprocessing
    import os
    import signal

    from dedupe import engine as module

    records = _varied(120)
    here = []
    prepared_here = module._prepare_part
    module_patch = pytest.MonkeyPatch()
    module_patch.setattr(module, "_prepare_part", lambda e, part: here.append(len(part)) or prepared_here(e, part))

    def killing(records):  # the workers die (the OOM killer, an operator) while the records are read
        for n, record in enumerate(records):
            if n == 40:
                for child in multiprocessing.active_children():
                    os.kill(child.pid, signal.SIGKILL)
            yield record

    try:
        parallel = engine._prepare_parallel(killing(records), 2, chunk=8, key_names=True)
    finally:
        module_patch.undo()
    alone = engine.prepare(records, workers=1, key_names=True)
    assert parallel.ids == alone.ids and parallel.columns == alone.columns
    assert [parallel.key_names_of(i) for i in range(len(records))] == [alone.key_names_of(i) for i in range(len(records))]
    assert 0 < sum(here) < len(records)  # the workers prepared the first chunks, this process the rest
    assert "the rest is prepared in this process" in caplog.text


def test_where_no_worker_can_start_the_records_are_prepared_in_process(engine, monkeypatch, caplog):
    from multiprocessing.context import SpawnProcess

    def refused(self):
        raise OSError(11, "Resource temporarily unavailable")  # as fork/spawn is refused: RLIMIT_NPROC, a sandbox

    monkeypatch.setattr(SpawnProcess, "start", refused)
    records = _varied(30)
    assert engine.prepare(records, workers=2, key_names=True).columns == engine.prepare(records, workers=1).columns
    assert "Resource temporarily unavailable); the rest is prepared in this process" in caplog.text
    engine.workers = 2
    assert engine.run(records) == Engine(listing_spec(), engine.model).run(records)


def _blocks_one_by_one(keys_of: list[list[int]], max_block: int, rare_keys: int, pair_keys: int) -> set:
    """The blocking rule written plainly, record by record: a record's keys held by more than max_block
    records pair up (its pair_keys rarest such keys, two by two); it then takes part through its
    rare_keys rarest keys held by 2 to max_block records (ties: single keys by id, then paired keys);
    two records sharing a key they take part through are a pair."""
    from collections import Counter
    from itertools import combinations

    held = Counter(k for keys in keys_of for k in set(keys))
    own = [sorted(set(keys)) for keys in keys_of]
    paired = []
    for keys in own:
        crowded = sorted((k for k in keys if held[k] > max_block), key=lambda k: (held[k], k))[:pair_keys]
        paired.append([(min(a, b), max(a, b)) for a, b in combinations(crowded, 2)] if pair_keys >= 2 else [])
    held_pairs = Counter(p for ps in paired for p in ps)
    through: dict = {}
    for record, (keys, pairs) in enumerate(zip(own, paired)):
        usable = [((held[k], 0, (k,)), k) for k in keys if 2 <= held[k] <= max_block]
        usable += [((held_pairs[p], 1, p), p) for p in pairs if 2 <= held_pairs[p] <= max_block]
        for _, key in sorted(usable)[:rare_keys]:
            through.setdefault(key, []).append(record)
    return {(a, b) for members in through.values() for a, b in combinations(sorted(members), 2)}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), max_size=7), min_size=2, max_size=60),
       st.integers(2, 6), st.integers(1, 4), st.sampled_from([0, 3, 4]))
def test_blocking_finds_the_pairs_of_the_rule_written_plainly(keys_of, max_block, rare_keys, pair_keys):
    """The array blocking (sorts of integer codes) gives exactly the pairs of the rule written record by record."""
    import numpy as np

    from dedupe import blocking

    flat = [k for keys in keys_of for k in sorted(set(keys))]
    starts = np.cumsum([0] + [len(set(keys)) for keys in keys_of])
    records, keys = blocking.chosen_keys(np.array(flat, dtype=np.int64), starts, max_block, rare_keys, pair_keys)
    found = {tuple(p) for p in blocking.block_pairs(records, keys).tolist()}
    assert found == _blocks_one_by_one(keys_of, max_block, rare_keys, pair_keys)
