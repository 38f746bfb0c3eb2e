"""Shared normalization: HTML to plain text, contact details masked, control characters gone."""
from __future__ import annotations

import pytest

from connectors.text import EMAIL_MASK, PHONE_MASK, html_to_text, mask_contacts, plain_text, tidy


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


@pytest.mark.parametrize("text", ["Wenn a<b und b>c", "Kinder im Alter <zehn Jahre und Jugendliche >14",
                                  "Treffpunkt: <Eingang Nord>", "Bitte <Name> eintragen"])
def test_plain_text_keeps_angle_brackets_that_are_no_html(text):
    """(review of afee3b5) every '<…>' was taken for a tag: 'Wenn a<b und b>c' was published as 'Wenn ac',
    'Bitte <Name> eintragen' as 'Bitte eintragen'; only HTML's elements, comments and CDATA are markup."""
    assert plain_text(text) == text


def test_plain_text_with_markup_removes_the_markup_and_keeps_the_other_brackets():
    assert plain_text("Treffpunkt <Eingang Nord>, <b>pünktlich</b><script>alert(1)</script>") == \
        "Treffpunkt <Eingang Nord>, pünktlich"


@pytest.mark.parametrize("markup, text", [("<p>Treffpunkt &lt;Eingang Nord&gt;. Gruppen</p>", "Treffpunkt <Eingang Nord>. Gruppen"),
                                          ("<p>Schreiben Sie &lt;b&gt; für fett</p>", "Schreiben Sie <b> für fett")])
def test_what_html_to_text_decoded_is_text_and_plain_text_leaves_it(markup, text):
    """HTML descriptions (HelpTo, HSDS, RSS) went through html_to_text and then plain_text: an escaped
    '&lt;Eingang Nord&gt;' was decoded and then removed as a tag."""
    assert plain_text(html_to_text(markup)) == text
