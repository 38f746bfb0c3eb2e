"""The language of a text whose portal does not say, mixed scripts included."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors import detect


@pytest.mark.parametrize("text, language", [
    ("Hausaufgabenhilfe für Kinder der Klassen 1 bis 6. أهلا وسهلا", "de"),  # a German text with an Arabic greeting
    ("Wir suchen Helfer für das Sprachcafé am Samstag. مرحبا بكم جميعا. Alle sind willkommen.", "de"),
    ("Hello, we are looking for volunteers for our café on Saturday. مرحبا", "en"),
    ("نحن عائلة من سوريا ونعيش في Gera منذ سنة. أتكلم العربية وقليلا من الألمانية", "ar"),  # Arabic naming a German town
    ("Wir suchen Helfende für die Kleiderkammer am Samstag.", "de"),
    ("Kurz", "de"),  # too short to tell: the portal's default
])
def test_the_script_most_letters_are_in_decides(text, language):
    assert detect(text) == language


# -- the languages a portal names ----------------------------------------------------------------

@pytest.mark.parametrize("named, code", [
    ("de", "de"), ("DE", "de"), (" en ", "en"),
    ("en-GB", "en"), ("de_DE", "de"), ("zh-Hant-TW", "zh"), ("ar-SY", "ar"),  # language tags (BCP 47, POSIX)
    ("ara", "ar"), ("deu", "de"), ("ger", "de"), ("ukr", "uk"), ("fas", "fa"), ("per", "fa"), ("tir", "ti"),  # ISO 639-2/3
    ("prs", "fa"), ("arz", "ar"), ("apc", "ar"), ("ckb", "ku"), ("kmr", "ku"), ("pbt", "ps"),  # varieties (ISO 639-3)
    ("iw", "he"), ("in", "id"),  # withdrawn ISO 639-1 codes
    ("Arabisch", "ar"), ("Persian", "fa"), ("Englisch", "en"), ("العربية", "ar"), ("الألمانية", "de"),  # in de, en, ar
    ("Farsi", "fa"), ("Dari", "fa"), ("Kurmancî", "ku"), ("Sorani", "ku"), ("Tigrinisch", "ti"),  # not CLDR's names
    ("Deutsch", "de"), ("Türkçe", "tr"), ("Русский", "ru"), ("Українська", "uk"), ("فارسی", "fa"), ("ትግርኛ", "ti"),
])
def test_a_language_however_a_portal_names_it_is_its_iso_639_1_code(named, code):
    from connectors.language import code as language_code

    assert language_code(named) == code


@pytest.mark.parametrize("named", ["xx", "qq", "und", "mul", "zxx", "Klingonisch", "", "   ", "d", "deutsch-englisch",
                                   "12", "de" * 40, None, 49, ["de"]])
def test_what_names_no_language_is_none(named):
    from connectors.language import code

    assert code(named) is None


def test_a_list_in_one_text_or_a_list_gives_each_language_once_and_what_it_could_not_read():
    from connectors.language import codes

    assert codes("ara, DE ,en-GB,xx") == (["ar", "de", "en"], ["xx"])
    assert codes("de; en / ar|fa") == (["de", "en", "ar", "fa"], [])
    assert codes(["Deutsch", "de", "deu", "DE-at", 7, None, "Elbisch"]) == (["de"], ["Elbisch"])
    assert codes(None) == codes("") == codes([]) == ([], [])


@given(st.one_of(st.text(max_size=30), st.lists(st.one_of(st.text(max_size=12), st.integers(), st.none()), max_size=6)))
@settings(max_examples=300, deadline=None)
def test_whatever_a_portal_sends_the_codes_are_what_the_schema_takes(value):
    """A listing whose portal wrote a language oddly is never quarantined for it: every code is two letters, once."""
    from connectors.language import codes

    found, _ = codes(value)
    assert all(re.fullmatch("[a-z]{2}", c) for c in found) and len(found) == len(set(found))
