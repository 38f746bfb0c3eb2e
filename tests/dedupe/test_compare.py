"""Preparing values for comparison: the fast forms say exactly what the rules written plainly say."""
from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.compare import _SENTENCES, fold, fold_sentences
from dedupe.engine import Engine
from dedupe.spec import listing_spec
from schema.text import fold as fold_characters

# Letters, marks and punctuation where folding could go wrong: umlauts, capital sharp s, a combining
# diaeresis, Turkish dotted I, final sigma, ligatures, fullwidth and ellipsis punctuation (they fold to
# sentence ends), no-break and line separators, Arabic, digits of other scripts.
TRICKY = ("aAäÄöÖüÜßẞe\u0308İıΣσςﬁﬀ…！？．。 \u00a0\u2028\u2029\n\r\t\x85\x0b\x0c\x1c\x1d\x1e\x1f\u3000\u2024\ufe52"
          ".!?,;:-&@#0123٣٤ مرحبا")
texts = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(), max_size=80)
ABBREVIATIONS = {"str": "strasse", "&": "und", "f": "fuer", "ae": "a-e"}


def plain_fold_characters(text: str) -> str:
    """The fold as first written: a translation table for the umlauts, then accents dropped."""
    text = text.casefold().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    if not text.isascii():
        text = re.sub(r"[\u0300-\u036f]", "", unicodedata.normalize("NFKD", text))
    return text


@settings(max_examples=400, deadline=None)
@given(texts)
def test_folding_is_the_umlaut_table_and_accents_dropped(text):
    assert fold_characters(text) == plain_fold_characters(text)


@settings(max_examples=400, deadline=None)
@given(texts, st.sampled_from([None, ABBREVIATIONS]))
def test_sentences_folded_in_one_pass_are_each_sentence_folded(text, abbreviations):
    plain = "\n".join(filter(None, (fold(s, abbreviations) for s in _SENTENCES.split(text))))
    assert fold_sentences(text, abbreviations) == plain


def test_a_description_is_folded_sentence_by_sentence():
    text = "Wir suchen Helfer für die Kleiderkammer!  Bitte meldet euch … Danke.\n\nStr. 5 & mehr"
    assert fold_sentences(text, ABBREVIATIONS) == ("wir suchen helfer fuer die kleiderkammer\n"
                                                  "bitte meldet euch danke\nstrasse\n5 und mehr")


words = st.lists(st.text(alphabet="abcdeäß0123", min_size=1, max_size=9), max_size=30)


@settings(max_examples=300, deadline=None)
@given(words, words)
def test_block_keys_are_the_longest_words_ties_alphabetically(title, description):
    engine = Engine(listing_spec())
    record = {"id": "1", "title": " ".join(title), "description": " ".join(description),
              "location": {"postcode": "14482", "ags": "12054000"}}
    expected = []
    for n, blocking in enumerate(engine.spec.blocking):
        text = fold(record[blocking.fields[-1]], engine.spec.abbreviations)
        head = f"{n}|{'14482' if n == 0 else '12054000'}|"
        chosen = sorted({w for w in text.split() if len(w) >= 4 and not w.isdigit()}, key=lambda w: (-len(w), w))
        expected += [head + w for w in chosen[:blocking.tokens]]
    assert engine.block_keys(record) == expected
