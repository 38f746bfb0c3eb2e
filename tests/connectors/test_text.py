"""Shared normalization: HTML to plain text, contact details masked, control characters gone."""
from __future__ import annotations

import pytest

from connectors.text import EMAIL_MASK, PHONE_MASK, html_to_text, mask_contacts, tidy


def test_html_becomes_plain_text_with_line_breaks():
    html = ('<p>Gut erhaltener <b>Kleiderschrank</b>, 2-türig.</p><p>Abholung in Babelsberg<br>ab Montag</p>'
            '<ul><li>Höhe 2 m</li><li>Breite 1 m</li></ul><script>alert(1)</script>Preis: 0&nbsp;&euro; &amp; gratis')
    assert html_to_text(html) == ("Gut erhaltener Kleiderschrank, 2-türig.\nAbholung in Babelsberg\nab Montag\n"
                                  "• Höhe 2 m\n• Breite 1 m\nPreis: 0 € & gratis")


def test_tidy_drops_control_and_bidi_override_characters():
    assert tidy("Kinder\x00wagen \u202eabzugeben\u202c\r\n\r\n\r\nmehr   Text") == "Kinderwagen abzugeben\n\nmehr Text"


@pytest.mark.parametrize("text, expected", [
    ("Tel. 0331 1234567", f"Tel. {PHONE_MASK}"),
    ("Ruf an: +49 176 12345678!", f"Ruf an: {PHONE_MASK}!"),
    ("Handy 0176/123 45 67", f"Handy {PHONE_MASK}"),
    ("Mail: sami.k@example.net", f"Mail: {EMAIL_MASK}"),
    ("anna (at) example (dot) org", EMAIL_MASK),
    ("Erreichbar unter 0151 2345678 oder anna@example.org", f"Erreichbar unter {PHONE_MASK} oder {EMAIL_MASK}"),
])
def test_contact_details_are_masked(text, expected):
    assert mask_contacts(text) == expected


@pytest.mark.parametrize("text", [
    "Am 01.03.2016 um 10:15 in 14482 Potsdam",
    "Bettgestell 140 × 200 cm, 2-türig, Klasse 3 bis 7",
    "Deutsch B1, Module 1 bis 6, seit 2015",
])
def test_dates_postcodes_and_measurements_are_not_taken_for_phone_numbers(text):
    assert mask_contacts(text) == text


@pytest.mark.parametrize("text, language", [
    ("Gut erhaltener Kleiderschrank, Abholung in Babelsberg", "de"),
    ("Free German conversation group, beginners welcome", "en"),
    ("أقدم دروساً خصوصية في الرياضيات لطلاب المدارس", "ar"),
    ("Helfer fuer Fahrradwerkstatt gesucht", "de"),  # umlauts written out
    ("Jobcafé", "de"),  # too short to tell: the portals' default
    ("", "de"),
])
def test_the_language_of_a_text(text, language):
    from connectors.language import detect

    assert detect(text) == language
