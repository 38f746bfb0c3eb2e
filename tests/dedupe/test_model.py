"""The probabilistic model: estimation, labels, levels, model files."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.compare import OTHER_DATE, jaccard, number_tokens, numbers, prepare
from dedupe.engine import Engine
from dedupe.model import Model, ModelError, estimate, unique_rows
from dedupe.spec import SpecError, from_dict, listing_spec
from hub.cli import cli
from tests.dedupe.conftest import sample_listings
from tests.dedupe.test_engine import SOFA, listing


def test_em_recovers_known_m_and_u_from_comparison_vectors():
    rng = np.random.default_rng(3)
    m_true = [np.array([0.7, 0.2, 0.1]), np.array([0.9, 0.1]), np.array([0.5, 0.3, 0.15, 0.05])]
    u_true = [np.array([0.05, 0.15, 0.8]), np.array([0.3, 0.7]), np.array([0.02, 0.08, 0.3, 0.6])]
    n, share = 40000, 0.2
    match = rng.random(n) < share
    levels = np.empty((n, 3), dtype=np.int8)
    for f in range(3):
        levels[match, f] = rng.choice(len(m_true[f]), size=match.sum(), p=m_true[f])
        levels[~match, f] = rng.choice(len(u_true[f]), size=(~match).sum(), p=u_true[f])
    levels[rng.random(n) < 0.1, 1] = -1  # some values missing: they count for nothing
    names = [["a", "b", "else"], ["same", "else"], ["1", "2", "3", "else"]]
    model = estimate(["x", "y", "z"], names, levels, levels[rng.choice(n, 2000)], n * 10, n)
    assert model.prior == pytest.approx(share, abs=0.01)
    for f in range(3):
        assert np.abs(np.array(model.fields[f].m) - m_true[f]).max() < 0.03
        assert np.abs(np.array(model.fields[f].u) - u_true[f]).max() < 0.03
    # the same data give the same model
    assert json.dumps(estimate(["x", "y", "z"], names, levels, levels[:2000], n * 10, n).as_dict()) == \
        json.dumps(estimate(["x", "y", "z"], names, levels, levels[:2000], n * 10, n).as_dict())


def test_estimation_is_deterministic_for_the_same_data(sample_model):
    engine = Engine(listing_spec())
    assert engine.fit(engine.prepare(sample_listings())).as_dict() == sample_model.as_dict()


def test_a_field_that_does_not_separate_gets_a_weight_near_zero():
    """Matches and non-matches alike spread over the levels of `noise`: it weighs ~0 without any tuning."""
    rng = np.random.default_rng(5)
    n = 20000
    match = rng.random(n) < 0.3
    levels = np.empty((n, 3), dtype=np.int8)
    for f in (0, 1):
        levels[:, f] = np.where(match, rng.choice(2, n, p=[0.9, 0.1]), rng.choice(2, n, p=[0.1, 0.9]))
    levels[:, 2] = rng.choice(4, n, p=[0.2, 0.3, 0.3, 0.2])
    model = estimate(["title", "text", "posted"], [["same", "else"], ["same", "else"], ["1", "7", "62", "else"]],
                     levels, levels[:1000], n, n)
    assert all(abs(w) < 0.15 for w in model.fields[2].weights)
    assert model.fields[0].weights[0] > 2.5 and model.fields[0].weights[1] < -2.5


def test_a_level_no_pair_reached_weighs_no_more_than_the_better_level_before_it():
    """An organisation '>= 0.92' that no candidate pair reached weighed +6 (the prior set against ten times
    more non-matches than matches), 'exact' +0.04: one letter misspelt made two wardrobes of one family
    centre one listing (probe helper-55). Levels pairs did reach keep their weights, in whatever order."""
    rng = np.random.default_rng(7)
    n = 6000
    match = rng.random(n) < 0.1
    levels = np.empty((n, 3), dtype=np.int8)
    levels[:, 0] = np.where(match, rng.choice(2, n, p=[0.95, 0.05]), rng.choice(2, n, p=[0.05, 0.95])) * 3
    levels[:, 1] = np.where(rng.random(n) < 0.3, 0, 3)  # an organisation: 'exact' or 'else', never between
    levels[:, 2] = np.where(match, rng.choice(2, n, p=[0.6, 0.4]), rng.choice(2, n, p=[0.75, 0.25]))
    names = [["exact", ">= 0.92", ">= 0.8", "else"], ["exact", ">= 0.92", ">= 0.8", "else"], ["same", "else"]]
    model = estimate(["text", "organisation", "category"], names, levels, levels[:500], n, n,
                     comparators=["text", "text", "exact"])
    exact, close, near, other = model.fields[1].weights
    assert model.fields[1].pairs[1:3] == [0, 0]
    assert close <= exact + 1e-9 and near <= close + 1e-9, model.fields[1].weights
    assert abs(exact) < 0.6  # it tells (almost) nothing here, and so does one letter less
    same, differs = model.fields[2].weights  # a category many pairs reached: 'else' says more, and keeps it
    assert differs > same + 0.3


def test_perfect_copies_weeks_apart_merge_and_the_same_call_on_two_dates_does_not(engine):
    first = listing("a", "helpto-potsdam", "Schlafsofa abzugeben", SOFA, published="2026-03-01T10:00:00+01:00")
    weeks_later = listing("b", "ichhelfejetzt", "Schlafsofa abzugeben", SOFA, published="2026-04-26T10:00:00+02:00")
    assert engine.run([first, weeks_later]) == [["a", "b"]]
    call = dict(kind="request", category="volunteering", starts_at="2026-03-07T10:00:00+01:00")
    saturday = listing("c", "goettingen", "Sortierhilfe Kleiderkammer", SOFA, **call)
    next_saturday = listing("d", "govolunteer", "Sortierhilfe Kleiderkammer", SOFA,
                            **{**call, "starts_at": "2026-03-14T10:00:00+01:00"})
    assert engine.run([saturday, next_saturday]) == [["c"], ["d"]]
    assert "starts disagrees" in engine.explain(saturday, next_saturday).reason


def test_an_operators_decision_changes_the_estimate_and_the_cluster():
    records = sample_listings()
    engine = Engine(listing_spec())
    prep = engine.prepare(records)
    pairs = engine.candidates(prep)
    plain = engine.fit(prep, pairs)
    scores = engine.score_pairs(prep, pairs)
    merged = tuple(int(x) for x in pairs[int(np.argmax(scores))])  # the surest match
    unsure = tuple(int(x) for x in pairs[int(np.argmin(np.abs(scores - engine.cut)))])  # the closest call
    clusters = engine.cluster(prep, pairs)
    assert any(set(merged) <= set(c) for c in clusters)

    taught = Engine(listing_spec())
    model = taught.fit(prep, pairs, together=[unsure], apart=[merged])
    assert (model.together, model.apart) == (1, 1)
    assert model.as_dict()["fields"] != plain.as_dict()["fields"]  # they inform m and u
    clusters = taught.cluster(prep, pairs, together=[unsure], apart=[merged])
    assert not any(set(merged) <= set(c) for c in clusters)
    assert any(set(unsure) <= set(c) for c in clusters)


def test_levels_and_model_settings_are_checked():
    base = {"threshold": 0.5, "blocking": [{"fields": ["name"]}]}
    with pytest.raises(SpecError) as info:
        from_dict({**base, "fields": [{"name": "name", "comparator": "text", "weight": 1},
                                      {"name": "born", "comparator": "date", "levels": [30, 1]},
                                      {"name": "score", "comparator": "text", "levels": [1.5, 0.9]}]})
    assert info.value.problems == [
        "fields[0].weight: fixed weights are only used with model = 'weights' (the probabilistic model estimates "
        "each level's weight)",
        "fields[1].levels: [30, 1] must be strictly increasing (km or days at most, closest first)",
        "fields[2].levels: a similarity is at most 1, not 1.5"]
    with pytest.raises(SpecError, match=r"fields\[0\].weight: required with model = 'weights'"):
        from_dict({**base, "model": "weights", "fields": [{"name": "name", "comparator": "text"}]})
    spec = from_dict({**base, "fields": [{"name": "born", "comparator": "date", "levels": [1, 30]}]})
    assert spec.fields[0].level_names == ["<= 1 days", "<= 30 days", "else"]


def test_estimate_writes_a_model_a_spec_loads(tmp_path):
    records = tmp_path / "people.jsonl"
    people = [{"id": str(i), "name": name, "zip": z} for i, (name, z) in enumerate(
        [("Anna Meier", "10115"), ("Meier Anna", "10115"), ("Jan Kowalski", "10115"), ("Jan Kowalsky", "10115"),
         ("Eva Braun", "80331"), ("Eva Brown", "80331"), ("Otto Krause", "80331"), ("Ida Krause", "80331")])]
    records.write_text("".join(json.dumps(p) + "\n" for p in people), encoding="utf-8")
    spec = tmp_path / "people.toml"
    spec.write_text('threshold = 0.5\n[[fields]]\nname = "name"\ncomparator = "text"\n'
                    '[[fields]]\nname = "zip"\ncomparator = "exact"\n[[blocking]]\nfields = ["zip"]\n', encoding="utf-8")
    out = CliRunner().invoke(cli, ["dedupe", "estimate", "--spec", str(spec), "--input", str(records),
                                   "--write", str(tmp_path / "model.json")])
    assert out.exit_code == 0, out.output
    assert "name" in out.output and "weight" in out.output and "prior" in out.output
    written = json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))
    assert [lv["level"] for lv in written["fields"][0]["levels"]] == ["exact", ">= 0.92", ">= 0.8", "else"]
    with_model = tmp_path / "with-model.toml"
    with_model.write_text('parameters = "model.json"\n' + spec.read_text(encoding="utf-8"), encoding="utf-8")
    from dedupe.spec import load

    engine = Engine(load(with_model))
    assert engine.model.as_dict() == Model.from_dict(written).as_dict()
    other = tmp_path / "other.toml"
    other.write_text('parameters = "model.json"\nthreshold = 0.5\n[[fields]]\nname = "name"\ncomparator = "text"\n'
                     'levels = [1, 0.5]\n[[blocking]]\nfields = ["name"]\n', encoding="utf-8")
    with pytest.raises(ModelError, match="not the specification's"):
        Engine(load(other))


def test_the_numbers_a_text_mentions_are_compared_in_one_writing():
    assert number_tokens("Samstag, 12.12. (09:00–13:00 Uhr) 2 Freiwillige") == ["12.12.", "9", "13", "2", "sa"]
    assert number_tokens("ab 9 Uhr, bis 16:30") == ["9", "16:30"]  # a time is no date
    assert number_tokens("ab 16.30 Uhr") == number_tokens("ab 16:30") == ["16:30"]  # nor one written with a dot
    assert number_tokens("am 01.01.2027, Friday, 1 January, Freitag, 1. Jan. und 1. Januar") == ["1.1.", "fr"]
    assert number_tokens("12.12.26") == ["12.12."]
    # a decimal, a version and "24/7" are numbers, not dates
    assert number_tokens("1.5 km mit Python 3.11, 24/7") == ["1.5", "3.11", "24.7"]
    def mentioned(text):
        prepared = prepare("numbers", text)
        return prepared and frozenset(prepared.split())

    twelfth, nineteenth = (mentioned((f"Kleiderkammer am {d}", "(10:00–14:00 Uhr) 5 Freiwillige")) for d in ("12.12.", "19.12."))
    assert numbers(twelfth, twelfth) == 1.0
    assert numbers(twelfth, nineteenth) == OTHER_DATE  # another date, and none the same: vetoed by the spec
    assert numbers(mentioned("um 16:30, 3 Kisten"), mentioned("um 16:45, 4 Kisten")) > OTHER_DATE  # other times: no veto
    assert numbers(mentioned("bis 12.12., dann 19.12."), nineteenth) != OTHER_DATE  # one date in common
    # times, decimals and versions are never taken for another date
    assert numbers(mentioned("Ausgabe ab 18.10 Uhr, 3 Helfende"), mentioned("Am 3.11. ab 18:10 Uhr, 3 Helfende")) > 0.8
    assert numbers(mentioned("Strecke 1.5 km, ab 9 Uhr"), mentioned("1,5 km am 12.12., ab 9 Uhr")) != OTHER_DATE
    assert numbers(mentioned("Kurs Python 3.11"), mentioned("Python, ab 5.2., 10 Uhr")) != OTHER_DATE
    assert numbers(mentioned("am 12.12.26"), mentioned("am 19.12.26")) == OTHER_DATE
    cut_short = mentioned("Kleiderkammer am 12.12., 10 Uhr")
    assert numbers(twelfth, cut_short) == 0.9  # a copy cut short mentions nothing the other does not
    assert prepare("numbers", ("Ohne Zahlen", None)) is None  # nothing to compare counts for nothing


CALL = ("Für die Kleiderkammer brauchen wir am Samstag, {}. (10:00–14:00 Uhr) 5 Freiwillige zum Sortieren von "
        "Winterjacken. Treffpunkt: Hinterhof, bitte festes Schuhwerk mitbringen.")


def test_the_same_call_on_two_dates_written_only_in_the_text_stays_two(engine):
    """One portal gives the call's time as a field, the other only in its text: the dates in the text decide."""
    call = dict(kind="request", category="volunteering")
    first = listing("a", "govolunteer", "Helfende für die Kleiderkammer", CALL.format("12.12"),
                    starts_at="2026-12-12T10:00:00+01:00", published="2026-12-05T09:00:00+01:00", **call)
    same = listing("b", "bringt-zusammen-gera", "Helfende für die Kleiderkammer",  # cut short, posted days later
                   CALL.format("12.12").split(" Treffpunkt")[0], published="2026-12-08T18:00:00+01:00", **call)
    next_week = listing("c", "bringt-zusammen-gera", "Helfende für die Kleiderkammer", CALL.format("19.12"),
                        published="2026-12-12T09:00:00+01:00", **call)  # posted a week later for the next Saturday
    assert engine.run([first, same]) == [["a", "b"]]
    assert engine.run([first, next_week]) == [["a"], ["c"]]
    fields = engine.explain(first, next_week).fields
    assert fields["numbers"]["level"] == "else" and fields["numbers"]["weight"] < -1


TOUR = ("Die Tafel holt jeden Morgen Lebensmittel bei Supermärkten und Bäckereien ab. Für unsere Touren suchen wir "
        "Fahrerinnen und Fahrer mit Führerschein Klasse B, die {} ab 8 Uhr etwa drei Stunden Zeit haben. Das Fahrzeug "
        "stellen wir, eine Einweisung gibt es vor der ersten Tour.")


def test_two_routes_on_other_weekdays_stay_two_and_one_weekday_written_otherwise_is_one(engine):
    """helper-55: one food bank's Tuesday and Friday routes differed only in the weekday and were merged
    (P 1.000); a weekday is compared like a date, in any of its spellings, and a copy without it is no other day."""
    def route(lid, portal, day):
        return listing(lid, portal, "Fahrer für Lebensmittelabholung gesucht", TOUR.format(day), postcode="04315",
                       ags="14713000", kind="request", category="volunteering", organisation={"name": "Tafel Leipzig"})

    tuesday, friday = route("a", "govolunteer", "dienstags"), route("b", "ichhelfejetzt", "freitags")
    explained = engine.explain(tuesday, friday)
    assert explained.fields["numbers"]["level"] == "else"
    assert explained.reason == "numbers disagrees too much: no match whatever else agrees"
    assert engine.run([tuesday, friday]) == [["a"], ["b"]]
    for spelling in ("Di.", "am Dienstag", "on Tuesdays", "يوم الثلاثاء"):
        same = route("c", "ichhelfejetzt", spelling)
        assert engine.explain(tuesday, same).fields["numbers"]["level"] == "exact", spelling
        assert engine.run([tuesday, same]) == [["a", "c"]], spelling
    no_day = route("d", "ichhelfejetzt", "")  # a copy that dropped the day: inside the other, no disagreement
    assert engine.explain(tuesday, no_day).fields["numbers"]["level"] == ">= 0.85"
    assert engine.run([tuesday, no_day]) == [["a", "d"]]
    weekdays = route("e", "ichhelfejetzt", "Mo.-Fr.")  # a range holds the Tuesday
    assert engine.explain(tuesday, weekdays).reason != "numbers disagrees too much: no match whatever else agrees"


def test_weekdays_are_read_in_their_spellings_and_not_in_other_words():
    tokens = lambda text: [t for t in number_tokens(text) if not t[0].isdigit()]  # noqa: E731
    assert tokens("dienstags") == tokens("Dienstag") == tokens("Di. ab 8 Uhr") == tokens("on Tuesdays") \
        == tokens("Tue 8:00") == tokens("الثلاثاء") == ["di"]
    assert tokens("Mo-Fr 9-12 Uhr") == tokens("Montag bis Freitag") == ["mo", "di", "mi", "do", "fr"]
    assert tokens("Sa/So") == tokens("samstags und sonntags") == tokens("Sonnabend, Sonntag") == ["sa", "so"]
    # a weekday's letters that are no weekday: Frau Müller, "so", an assembly, the sun
    assert tokens("Fr. Müller hilft. So, jetzt die Montage der Möbel. Do you see the Sun?") == []
    assert numbers(frozenset(["8", "sa"]), frozenset(["8", "so"])) == OTHER_DATE
    assert numbers(frozenset(["12.12.", "sa"]), frozenset(["12.12.", "so"])) != OTHER_DATE  # the same date decides
    assert numbers(frozenset(["8", "sa"]), frozenset(["8"])) == 0.85  # a copy without the day


def test_a_position_that_is_only_a_postcodes_centre_counts_as_missing(engine):
    """Both at their postcode's centre, the coordinates would agree for every pair of that postcode."""
    centre = {"postcode": "14482", "ags": "12054", "lat": 52.39, "lon": 13.12, "approximate": True}
    a = listing("a", "helpto-potsdam", "Schlafsofa abzugeben", SOFA, location=centre)
    b = listing("b", "ichhelfejetzt", "Kinderwagen abzugeben", SOFA, location=centre)
    assert engine.explain(a, b).fields["place"]["level"] == "missing"
    own = {**centre, "approximate": False}
    assert engine.explain({**a, "location": own}, {**b, "location": own}).fields["place"]["level"] == "<= 1 km"


def test_shared_rare_words_say_more_than_a_shared_template():
    """The words comparator weighs each word by how rare it is among the records: one donor's two things
    written in one template share the template's words, but not the thing, which is what counts."""
    from dedupe.vector import WordWeights

    template = "ich verschenke {} nach dem umzug uebrig bitte selbst abholen am besten abends"
    corpus = [template.format(thing) for thing in ("kuehlschrank", "bettwaesche", "kochtoepfe", "regal", "lampe",
                                                   "teppich", "sessel", "spielzeug", "winterjacke", "fahrrad")]
    corpus += ["gebrauchter kuehlschrank gut erhalten", "kuehlschrank abzugeben", "nach dem umzug uebrig"]
    texts = [corpus[0], corpus[1], "ich verschenke kuehlschrank nach dem umzug", corpus[0]]
    weights = WordWeights(texts, WordWeights(corpus).frequencies(least=1), len(corpus))
    left, right = np.array([0, 0, 0]), np.array([1, 2, 3])
    other_thing, cut_copy, same = weights.scores(left, right, "cover")
    assert same == 1.0 and 0.9 <= cut_copy < 1.0  # a copy found whole inside the other: just below 1
    assert other_thing < 0.8 < cut_copy  # the template's many words weigh less than the one thing
    assert np.isnan(WordWeights(["a b", None]).scores(np.array([0]), np.array([1]), "cover")[0])


def test_word_frequencies_go_with_the_model_so_a_few_records_are_weighed_as_the_whole_set(sample_model):
    """The unifier re-clusters a handful of records at a time: their words must weigh what they weigh among
    all the records the model was estimated from, not among the handful."""
    assert sample_model.documents > 1000 and len(sample_model.words["description"]) > 100
    stored = Model.from_dict(json.loads(json.dumps(sample_model.as_dict())))
    assert stored.words == sample_model.words and stored.documents == sample_model.documents
    records = sample_listings()
    whole = Engine(listing_spec(), stored)
    prep = whole.prepare(records)
    pairs = whole.candidates(prep)[:200]
    everywhere = whole.measures(prep, pairs)[:, 1]
    for (i, j), score in zip(pairs[:40], everywhere[:40]):  # the same pair, alone
        alone = Engine(listing_spec(), stored).explain(records[i], records[j]).fields["description"]["score"]
        assert alone == (None if np.isnan(score) else round(float(score), 4))


def test_a_words_field_takes_only_its_own_methods():
    spec = {"threshold": 0.5, "blocking": [{"fields": ["t"]}]}
    # with fixed weights, words weigh by frequencies counted among the records, or given to the engine
    assert from_dict({**spec, "model": "weights", "fields": [{"name": "t", "comparator": "words", "weight": 1}]})
    with pytest.raises(SpecError, match=r"fields\[0\].method: the words comparator scores by cover or cosine"):
        from_dict({**spec, "fields": [{"name": "t", "comparator": "words", "method": "token_sort"}]})
    with pytest.raises(SpecError, match=r"fields\[0\].method: 'cover' is a method of the words comparator"):
        from_dict({**spec, "fields": [{"name": "t", "comparator": "text", "method": "cover"}]})
    assert from_dict({**spec, "fields": [{"name": "t", "comparator": "words"}]}).fields[0].method == "cover"


def test_one_donors_two_things_in_one_template_stay_two(engine):
    """The same wording around two different things, posted by one person on two portals, are two offers."""
    words = "Ich verschenke {}. Ist nach dem Umzug übrig. Bitte selbst abholen, am besten abends. Viele Grüße, Dmitri"
    fridge = listing("a", "helpto-potsdam", "Kühlschrank zu verschenken", words.format("einen Kühlschrank (85 cm hoch)"))
    bedding = listing("b", "ichhelfejetzt", "Bettwäsche zu verschenken", words.format("Bettwäsche, frisch gewaschen"))
    assert engine.run([fridge, bedding]) == [["a"], ["b"]]
    fridge_again = listing("c", "ichhelfejetzt", "Kühlschrank abzugeben", words.format("einen Kühlschrank (85 cm hoch)"))
    assert engine.run([fridge, fridge_again]) == [["a", "c"]]


def test_a_model_estimated_for_another_comparison_does_not_fit(sample_model):
    """Same field names and levels, but the description compared another way: its m and u mean something else."""
    data = sample_model.as_dict()
    Model.from_dict(data, listing_spec())  # fits as written
    older = json.loads(json.dumps(data))
    next(f for f in older["fields"] if f["name"] == "description")["comparison"] = "text token_mean"
    with pytest.raises(ModelError, match=r"other comparisons of description \(text token_mean, now words cover\)"):
        Model.from_dict(older, listing_spec())
    del older["fields"][0]["comparison"]  # a model written before comparisons were recorded
    with pytest.raises(ModelError):
        Model.from_dict(older, listing_spec())


@pytest.mark.parametrize("short, longer", [
    (("Kinderwagen", "Kinderwagen zu verschenken."),
     ("Kinderwagen und Babyschale", "Kinderwagen (Bugaboo) und Maxi-Cosi Babyschale zu verschenken, Abholung in Babelsberg.")),
    (("Helfer gesucht", "Bitte meldet euch bei uns."),
     ("Helfer gesucht für die Kleiderkammer", "Die Kleiderkammer in Babelsberg sucht Helfer zum Sortieren von Spenden. "
                                              "Bitte meldet euch bei uns.")),
    (("Sofa", "Sofa abzugeben."), ("Sofa und Sessel abzugeben", "Großes Ecksofa und ein Sessel, Leder braun, abzugeben.")),
])
def test_a_few_words_found_inside_a_longer_listing_do_not_make_it_a_copy(engine, short, longer):
    """A stub ("Sofa abzugeben.") is inside many listings: being found in one is no sign of a copy."""
    a = listing("a", "helpto-potsdam", *short, published="2026-03-01T10:00:00+01:00")
    b = listing("b", "ichhelfejetzt", *longer, published="2026-03-05T10:00:00+01:00")
    assert engine.explain(a, b).total < 0.1
    assert engine.run([a, b]) == [["a"], ["b"]]


def test_a_failed_estimate_keeps_the_model_in_use(sample_model, monkeypatch):
    import dedupe.engine as engine_module

    engine = Engine(listing_spec(), sample_model)
    monkeypatch.setattr(engine_module, "estimate", lambda *a, **k: (_ for _ in ()).throw(MemoryError("out of memory")))
    with pytest.raises(MemoryError):
        engine.fit(engine.prepare(sample_listings()[:50]))
    assert engine.model is sample_model


def _sample_truth(records) -> set:
    from itertools import combinations
    from pathlib import Path

    from connectors.base import listing_id

    truth = json.loads((Path(__file__).resolve().parents[2] / "examples/ground_truth.json").read_text(encoding="utf-8"))
    present = {r["id"] for r in records}
    return {pair for cluster in truth["clusters"]
            for pair in combinations(sorted({listing_id(m["source"], m["id"]) for m in cluster} & present), 2)}


def test_estimation_does_not_take_listings_of_one_stock_title_for_copies():
    """Many different listings share a stock title in one town. Given a finer description scale, EM used to
    explain the candidates by 'same title or not' instead of 'same listing or not' (the sample's precision fell
    to 0.83). A record has at most one copy on each other portal: with that, it finds the copies."""
    import tomllib
    from importlib import resources
    from itertools import combinations

    from dedupe.spec import from_dict as spec_from_dict

    data = tomllib.loads(resources.files("dedupe").joinpath("listing.toml").read_text(encoding="utf-8"))
    next(f for f in data["fields"] if f["name"] == "description")["levels"] = [1, 0.8, 0.6, 0.4]
    next(f for f in data["fields"] if f["name"] == "title")["method"] = "token_sort"
    records = sample_listings()
    found = {tuple(sorted(p)) for c in Engine(spec_from_dict(data)).run(records) for p in combinations(c, 2)}
    truth = _sample_truth(records)
    precision = len(found & truth) / len(found)
    assert precision > 0.97 and len(found & truth) / len(truth) > 0.9


def test_one_record_has_at_most_one_copy_on_each_other_portal():
    from dedupe.model import one_to_one

    posterior = np.array([0.9, 0.8, 0.7, 0.2])
    # pairs 0-2 join record r to three records of one other portal (group 0 on r's side); pair 3 stands alone
    scaled = one_to_one(posterior, (np.array([0, 0, 0, 1]), np.array([2, 3, 4, 5])))
    assert scaled[:3].sum() == pytest.approx(1.0) and scaled[3] == 0.2
    assert np.allclose(scaled[:3] / posterior[:3], scaled[0] / posterior[0])  # scaled alike, order kept
    # record 1 (portal X) is the second of pair (0, 1) and the first of pair (1, 2), both partners on portal Y:
    # its group is one, whichever side of the pair it is on
    both_sides = one_to_one(np.array([0.9, 0.9]), (np.array([0, 1]), np.array([1, 2])))
    assert both_sides.sum() == pytest.approx(1.0)


def test_numbers_in_hostile_texts_never_fail_a_listing():
    """A digit run longer than Python converts to an int, other scripts' digits, odd punctuation."""
    assert number_tokens("1" * 5000 + ".12.") == ["1" * 5000 + ".12"]
    assert number_tokens("12." + "1" * 5000 + ".")[0].startswith("12.111")
    assert number_tokens("1" * 5000 + ".12 Uhr") == ["1" * 5000 + ".12"]
    assert number_tokens("١٢.١٢. ٩:٣٠") == number_tokens("12.12. 9:30") == ["12.12.", "9:30"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789١٢.:/ Uhrh-,") | st.characters(), max_size=80))
def test_number_tokens_takes_any_text(text):
    tokens = number_tokens(text)
    assert all(isinstance(t, str) and t for t in tokens)
    assert len(set(tokens)) == len(tokens)


_token = st.sampled_from(["1", "2", "9", "16:30", "12.12.", "1.5.", "24.12.", "200", "3", "x", "mo", "di", "sa"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.frozensets(_token, min_size=1, max_size=6), min_size=1, max_size=12),
       st.lists(st.tuples(st.integers(-1, 11), st.integers(-1, 11)), max_size=60))
def test_the_set_comparators_score_all_pairs_at_once_as_one_by_one(sets, picks):
    """Scoring every candidate pair at once (sparse rows of tokens) gives what compare.numbers and
    compare.jaccard give pair by pair: the same numbers, a copy cut short, other dates or weekdays, a missing
    side."""
    from dedupe.vector import TokenSets

    codes = [(a if a < len(sets) else -1, b if b < len(sets) else -1) for a, b in picks] or [(0, 0)]
    left, right = np.array([a for a, _ in codes]), np.array([b for _, b in codes])
    tokens = TokenSets([sorted(s) for s in sets])
    for name, compare in (("numbers", numbers), ("set", jaccard)):
        one_by_one = [np.nan if a < 0 or b < 0 else compare(sets[a], sets[b]) for a, b in codes]
        assert np.array_equal(tokens.scores(left, right, name), np.array(one_by_one), equal_nan=True)
    assert tokens.scores(np.array([0]), np.array([0]), "numbers")[0] == 1.0  # the same numbers


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 300), st.integers(1, 12), st.integers(1, 6), st.integers(0, 2 ** 32 - 1))
def test_level_patterns_are_counted_as_numpy_counts_rows(pairs, fields, levels, seed):
    """The distinct level patterns the EM runs over, found by reading each row as one integer, are
    numpy's unique rows: the same patterns in the same order, each pair's and their counts."""
    matrix = np.random.default_rng(seed).integers(-1, levels, size=(pairs, fields)).astype(np.int8)
    patterns, inverse, counts = np.unique(matrix, axis=0, return_inverse=True, return_counts=True)
    found = unique_rows(matrix)
    assert np.array_equal(found[0], patterns) and np.array_equal(found[1], inverse.reshape(-1))
    assert np.array_equal(found[2], counts)


def test_the_u_sample_takes_memory_in_proportion_to_the_pairs_not_the_records():
    """A national first sync: 120,000 listings of one portal make no pair (a portal's listings are
    never compared with each other); before, every pair of records was listed first (54 GB)."""
    engine = Engine(listing_spec())
    for sizes in ([120_000], [120_000, 3], [60, 1, 1, 40], [5]):
        codes = np.repeat(np.arange(len(sizes)), sizes)
        pairs = engine._every_pair(codes, np.bincount(codes))
        brute = sum(a * b for n, a in enumerate(sizes) for b in sizes[n + 1:])
        assert len(pairs) == brute
        assert (codes[pairs[:, 0]] != codes[pairs[:, 1]]).all() and (pairs[:, 0] < pairs[:, 1]).all()
        assert len({tuple(p) for p in pairs.tolist()}) == brute
    small = np.array([0, 1, 0, 2, 1])
    i, j = np.triu_indices(5, 1)
    keep = small[i] != small[j]
    assert engine._every_pair(small, np.bincount(small)).tolist() == np.stack([i[keep], j[keep]], 1).tolist()


def test_stock_sentences_and_typos_do_not_decide_whether_two_descriptions_are_one():
    """A portal's stock sentence ("Wer jemanden kennt, bitte Bescheid geben.") under one copy and another
    under the other, and a typo in a rare word, once made a cross-post's descriptions look different."""
    from dedupe import vector

    stock = [prepare("words", f"Biete Nachhilfe {n}. Wer jemanden kennt, bitte Bescheid geben.") for n in range(6)]
    a = prepare("words", "Ich bin Rentnerin und habe vormittags Zeit. Angebot: Begleitung zu Arztterminen. "
                         "Wer jemanden kennt, bitte Bescheid geben.")
    b = prepare("words", "Ich bin Renttnerin und habe vormittags Zeit. Hatte es schon woanders eingestellt.")
    more = [prepare("words", f"Die Rentnerin {n} sucht Hilfe.") for n in range(3)]
    others = [prepare("words", f"Hatte es schon woanders eingestellt. Sofa {n} abzugeben.") for n in range(5)]
    texts = [a, b, *stock, *more, *others]
    weights = vector.WordWeights(texts)
    assert "wer jemanden kennt bitte bescheid geben" in weights.stock
    assert "hatte es schon woanders eingestellt" in weights.stock
    assert "renttnerin" not in weights.texts[1] and "rentnerin" in weights.texts[1]  # read as the common word
    cover = weights.scores(np.array([0]), np.array([1]), "cover")[0]
    plain = vector.WordWeights(texts, stock=frozenset())
    assert cover > 0.95 > plain.scores(np.array([0]), np.array([1]), "cover")[0]
    only_stock = prepare("words", "Wer jemanden kennt, bitte Bescheid geben.")
    assert vector.without_stock(only_stock, weights.stock) == only_stock  # nothing else: compared as it is


def test_rare_words_are_read_as_typos_only_next_to_a_common_word():
    from dedupe.vector import typo_map

    texts = ["kinderwagen"] * 5 + ["kinderwagn", "kinderwaagen", "fahrrad", "fahrad", "12345", "12346"] + ["12345"] * 5
    found = typo_map(texts, None)
    assert found == {"kinderwagn": "kinderwagen", "kinderwaagen": "kinderwagen"}  # not fahrad: fahrrad is rare too
    assert typo_map(["fahrad"], {"fahrrad": 40})["fahrad"] == "fahrrad"  # a model's vocabulary counts too


_WORD = st.sampled_from(["kinderwagen", "kinderwagn", "kinderwaagen", "fahrrad", "fahrad", "zu", "12345", "umzug"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.none() | st.lists(st.lists(_WORD, min_size=1, max_size=6).map(" ".join), max_size=3)
                .map("\n".join), max_size=40),
       st.none() | st.dictionaries(_WORD, st.integers(1, 60), max_size=4))
def test_word_weights_hold_each_texts_words_as_the_rule_written_plainly(texts, known):
    """Each text's distinct words (a typo read as its word) with the weight of how many texts have them."""
    from dedupe.vector import WordWeights, typo_map, without_stock

    weights = WordWeights(texts, known, 50 if known else 0)
    kept = [without_stock(t, weights.stock) for t in texts]
    typos = typo_map(kept, known)
    words = [set(typos.get(w, w) for w in (t or "").split()) for t in kept]
    found = [{weights.words[k] for k in weights.present[i].indices} for i in range(len(texts))]
    assert found == words and list(weights.sizes) == [len(w) for w in words]
    if known is None:  # counted among the texts: in how many each word is
        assert weights.frequencies(least=1) == {w: sum(w in ws for ws in words) for w in set().union(*words)}
    assert weights.texts == ([" ".join(typos.get(w, w) for w in t.split()) if t else t for t in kept] if typos else kept)


def test_a_model_keeps_its_stock_sentences(sample_model):
    again = Model.from_dict(json.loads(json.dumps(sample_model.as_dict())), listing_spec())
    assert again.stock == sample_model.stock and "description" in again.stock
