"""The privacy gate on its own: the contact-detail corpus, benign texts, links, every field, hypothesis."""
from __future__ import annotations

import re
import string
import sys
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from schema import privacy, validate
from schema.privacy import EMAIL_MASK, PHONE_MASK, clean_text, clean_url, gate, normalise
from tests.privacy_check import benign, contacts, leaks, survives

CORPUS = contacts()


@pytest.mark.parametrize("entry", CORPUS, ids=[e["note"][:40] for e in CORPUS])
def test_no_contact_detail_of_the_corpus_survives(entry):
    out = clean_text(entry["text"])
    assert [t for t in entry["tells"] if survives(t, out)] == [], (entry["text"], out)
    assert EMAIL_MASK in out or PHONE_MASK in out


def test_every_tell_of_the_corpus_is_found_in_its_own_text_and_in_generated_details():
    """The check itself: a tell it could never find would let its detail through unnoticed."""
    assert [(e["text"], t) for e in CORPUS for t in e["tells"] if not survives(t, e["text"])] == []
    for text, tell in [("Threema: AB3CD2EF", "AB3CD2EF"), ("Telegram · @Anna_W", "anna_w"), ("0151 1234 5678", "015112345678")]:
        assert survives(tell, text)


@pytest.mark.parametrize("text", benign())
def test_texts_without_contact_details_stay_as_they_are(text):
    assert clean_text(text) == text


@pytest.mark.parametrize("text", [
    # what the messenger rules must not take: their names, dots and slashes in ordinary text
    "Wir sind bei Signal und Telegram erreichbar, Kontakt über die Website.", "Nicht über WhatsApp/Telegram!",
    "Threema: auf Anfrage", "Threema-Gruppe: AUSVERKAUFT", "Element: Wasser / Luft", "Treffen 10:30 @Mitte",
    "Aktion @ Bürgerhaus: 10:30.Uhr", "Sport.me/Du", "Das Signal: Team/Gruppe",
    "Matrix: siehe Website", "Termine / Orte: siehe unten", "Telegram-Kanal: @ Rathaus",
    "Discord-Server der Schule", "Wire: Kabel und Stecker gesucht",
    # (review) times, dates and places after a messenger's name, a sentence's end between, a map's link
    "Signal-Kurs @10:30 Uhr im Bürgerhaus", "Matrix-Treff @19:00", "Signal @2026-12-01", "Telegram @10.12.",
    "Matrix-Kurs @VHS Potsdam", "Ein Signal setzen @Marktplatz", "Element-Gruppe @Gemeindehaus", "ورشة Signal @المركز",
    "Anmeldung per Signal. Start @Rathaus", "Kein WhatsApp! Info @Jugendclub", "Signal: z.B. Gruppen",
    "Telegram: u.a. Gruppen", "Signal: Version 7", "Threema: Anfragen bitte per Mail",
    "https://www.google.com/maps/place/Signal+Iduna+Park/@51.4926,7.4519,17z",
    # (second review) a year, capitals and names after Threema, places beside a messenger's name, a car park
    "Wir nutzen Threema seit 2024.", "Threema Work 2024 ist gut", "THREEMA, TELEGRAM", "KONTAKT PER THREEMA ODER WIRE",
    "Threema: KEIN MUSS", "Wir treffen uns @Bahnhof (Telegram-Gruppe folgt)",
    "Parken in der TG: Ebene_2", "Matrix: A4-Blatt mitbringen", "Die Line ist lang", "Telegram ist ein Messenger",
    "Signal: Version 7.2 nötig",
    # (third review) numbers, versions and dates after Signal, words after a label, Skype's abbreviations,
    # 'Skype:' and 'Live:' before a word, a new paragraph after a list
    "Signal-Kurs, Raum Nr.12", "Signal Desktop v7.12", "Signal-Workshop Jan.2025", "Threema-ID: folgt per Mail",
    "Telegram-Nick: folgt", "Signal-ID: keine", "Skype: z.B. abends", "Skype: Mo.-Fr. 9-12 Uhr", "Skype:ja, Zoom:nein",
    "Live:Musik im Park", "Signal Iduna Park", "Skype for Business",
    # (stop 32) a sentence's end before an '@', years and words near Threema, a number after a word and a
    # time after a colon near Discord and Matrix
    "Kein Telegram. @Jugendclub lädt ein", "KW 2024 (Threema)", "BAHN 2024 auf Threema", "Threema seit 2024, 2025 neu",
    "Raum #1234 ohne Discord", "Discord-Kurs, Raum 1#2024", "Discord-Server #1234", "Matrix: Uhrzeit:10.30", "Element: Wasser:Feuer",
    "Telegram · Signal · WhatsApp", "ANMELDEN PER THREEMA",
    # (review of stop 32's rules) plural labels after ordinary words, files and times after Matrix, years, codes
    # and postcodes before Threema, numbered things near Discord, a middle dot before another service's name
    "Chemie-Nachhilfe: Element-Namen: Wasserstoff, Helium, Lithium", "The Element handles: water",
    "Discord: Namen: Anna, Bob", "Element: Datei:Foto.jpg", "Matrix: Tabelle:Blatt1.xlsx", "Element\nOrt:Haus.Am",
    "Saison 2024-2025 per Threema-Gruppe", "Schuljahr 2024 2025 via Threema", "Ticket 2024-0815 per Threema",
    "PLZ 1234 5678 per Threema", "Discord-Server, Ticket#1234", "Im Discord ist Raum#1024 frei", "Discord: Gruppe#2024/25",
    "Discordia e.V.: Spende#2024", "Treffen per Telegram · Treffpunkt @Hauptbahnhof",
    "Kontakt: WhatsApp · Instagram @jugendtreff_mitte", "WhatsApp · Facebook · @helfer_allianz", "Threema unter DRINGEND melden",
    # (second review) numbered events after Discord, an ellipsis, privacy notes after plural labels, words before
    # a domain after Matrix, course codes and hashtags before Threema, numbered things near Discord
    "Discord: Event #2024 am Samstag", "Discord: Termin #2024 verschoben", "Infos per Telegram ... @Jugendclub lädt ein",
    "Signal ... @vhs_kurs", "Telegram-Namen: werden nicht veröffentlicht", "Telegram-IDs: nur intern", "Skype-Namen: Gruppenleitung",
    "Element: Info:www.helfer.de", "Matrix: Kontakt:info.de", "Element: Kurs:Python.in Berlin",
    "Deutschkurs B1 · KURS B1B2 per Threema anmelden", "Anmeldung bis KW12 2024 per Threema oder E-Mail", "Infos zu #FEST2024 per Threema",
    "CAMP2025 (Threema-Gruppe)", "Sprachkurs DE24 2025 via Threema", "Infos: https://wiki.example.org/faq#2024 und im Discord",
    "Siehe github issue#1234 im Discord", "Fehler bug#2024 bitte im Discord melden", "Discord-Server: kurs#2024 ab Montag",
])
def test_messenger_rules_leave_ordinary_texts(text):
    assert clean_text(text) == text


@pytest.mark.parametrize("text, expected", [
    ("anna@exam\u0090ple.org", EMAIL_MASK),  # the old cleaner stripped U+0090 after masking: a clean address came out
    ("anna@exam\ufffeple.org", EMAIL_MASK),
    ("an\u00adna@ex\u200bam\u2060ple.org", EMAIL_MASK),
    ("Mail: x@müller-hilfe.de", f"Mail: {EMAIL_MASK}"),
    ("x {at} example {dot} org", EMAIL_MASK),
    ("anna&#64;example.org", EMAIL_MASK),
    ("Tel.0151-03024711", f"Tel.{PHONE_MASK}"),
    ("0151 12014711Uhr", f"{PHONE_MASK}Uhr"),
    ("tel:%2B4915112345678", f"tel:{PHONE_MASK}"),
    ("0151\u201312345678 oder 0151\u221287654321", f"{PHONE_MASK} oder {PHONE_MASK}"),
    ("Tel 0331 1234567, 14482 Potsdam", f"Tel {PHONE_MASK}, 14482 Potsdam"),
    # a messenger link by user name has no digit to give it away
    ("Telegram: t.me/anna_weiss", f"Telegram: {PHONE_MASK}"), ("https://T.ME/annaweiss", f"https://{PHONE_MASK}"),
    ("chat.whatsapp.com/AbCdEf oder signal.me/#eu/abc", f"{PHONE_MASK} oder {PHONE_MASK}"),
    # (review) a host's trailing dot or port, Turkish and Cyrillic letters, look-alike slashes, more hosts
    ("t.me./anna", PHONE_MASK), ("t.me:443/anna", PHONE_MASK), ("wa.me./4915112345678", PHONE_MASK),
    ("sıgnal.me/#eu/abc", PHONE_MASK), ("SİGNAL.ME/#eu/abc", PHONE_MASK), ("t.\u041ce/anna", PHONE_MASK),
    ("\u051da.me/anna", PHONE_MASK), ("t.me\u2571anna", PHONE_MASK), ("telegram.dog/anna", PHONE_MASK),
    ("signal.group/#abc", PHONE_MASK), ("wa.link/xyz", PHONE_MASK), ("m.me/anna", PHONE_MASK),
    ("tg://resolve?domain=anna", PHONE_MASK),
    # ... and no more than the link: not the next line's first word, not the word after a comma
    ("Kontakt t.me/anna\u2028Wir freuen uns", f"Kontakt {PHONE_MASK}\u2028Wir freuen uns"),
    ("t.me/anna,bitte melden", f"{PHONE_MASK},bitte melden"), ("Aktivität.me/Woche", "Aktivität.me/Woche"),
    # invisible characters that are no format characters (default-ignorable), between the digits
    ("0151\u034f1234\u034f5678", PHONE_MASK), ("0151\u180b12345678", PHONE_MASK), ("t\u034f.me/anna", PHONE_MASK),
    ("0151\u31641234\uffa05678", PHONE_MASK), ("0151\u20651234\U000e00415678", PHONE_MASK),
    # a messenger link spelled out or spaced as addresses are, and more messengers
    ("Telegram: t dot me/anna_weiss", f"Telegram: {PHONE_MASK}"), ("t (dot) me / anna", PHONE_MASK),
    ("t[.]me/anna", PHONE_MASK), ("wa punkt me slash 4915112345678", PHONE_MASK), ("t.me / anna_weiss", PHONE_MASK),
    ("signal . me/#eu/abc", PHONE_MASK), ("t-dot-me(slash)anna bitte", f"{PHONE_MASK} bitte"),
    ("T PUNKT ME/anna", PHONE_MASK), ("threema.id/ABCD2345", PHONE_MASK), ("line.me/ti/p/~anna", PHONE_MASK),
    ("https://matrix.to/#/@anna:matrix.org", f"https://{PHONE_MASK}"), ("ig.me/m/anna_w", PHONE_MASK),
    ("invite.viber.com/?g2=AQBx", PHONE_MASK), ("viber://chat?number=%2B4915112345678", PHONE_MASK),
    ("sgnl://signal.me/#p/+4915112345678", PHONE_MASK),
    # a user name or id after the messenger's name, a Matrix id anywhere
    ("Telegram: @anna_weiss", f"Telegram: {PHONE_MASK}"), ("Signal @anna.42.", f"Signal {PHONE_MASK}."),
    ("Threema-ID: ABCD2345", f"Threema-ID: {PHONE_MASK}"), ("threema ABCD2345, abends", f"threema {PHONE_MASK}, abends"),
    ("Schreib mir bei Element: @anna:matrix.org", f"Schreib mir bei Element: {PHONE_MASK}"),
    ("(@anna.weiss:tchncs.de)", f"({PHONE_MASK})"), ("WhatsApp/Telegram - @annaw", f"WhatsApp/Telegram - {PHONE_MASK}"),
    ("Skype: @anna.w", f"Skype: {PHONE_MASK}"), ("TELEGRAM:@Anna_W", f"TELEGRAM:{PHONE_MASK}"),
    # (review) ids one after another, a line break, labels, other spellings and scripts, the name after,
    # a list, no '@', ids in any case or spaced, spaced numbers after a link
    ("Threema ABCD2345 Threema EFGH6789", f"Threema {PHONE_MASK} Threema {PHONE_MASK}"),
    ("Kontakt:\nTelegram:\n@anna_w", f"Kontakt:\nTelegram:\n{PHONE_MASK}"), ("Threema-ID:\nABCD2345", f"Threema-ID:\n{PHONE_MASK}"),
    ("Telegram (Benutzername): @anna_w", f"Telegram (Benutzername): {PHONE_MASK}"),
    ("Signal (bevorzugt): @anna.42", f"Signal (bevorzugt): {PHONE_MASK}"),
    ("Telegram unter dem Namen @anna_w", f"Telegram unter dem Namen {PHONE_MASK}"),
    ("Telegrammkanal @anna_w", f"Telegrammkanal {PHONE_MASK}"), ("TG: @anna_w", f"TG: {PHONE_MASK}"),
    ("Телеграм: @anna_w", f"Телеграм: {PHONE_MASK}"), ("ВАЙБЕР @anna_w", f"ВАЙБЕР {PHONE_MASK}"),
    ("تواصل عبر تلغرام: @anna_w", f"تواصل عبر تلغرام: {PHONE_MASK}"),
    ("@anna_w auf Telegram", f"{PHONE_MASK} auf Telegram"), ("Kontakt: @anna_w (Telegram/Signal)", f"Kontakt: {PHONE_MASK} (Telegram/Signal)"),
    ("Telegram: @anna / @bob", f"Telegram: {PHONE_MASK}"), ("Signal: @anna.01 oder @bob.02", f"Signal: {PHONE_MASK}"),
    ("Signal-Username: anna.42", f"Signal-Username: {PHONE_MASK}"), ("Telegram: anna_w", f"Telegram: {PHONE_MASK}"),
    ("Threema ID abcd2345", f"Threema ID {PHONE_MASK}"), ("Threema (ID: ABCD 2345)", f"Threema (ID: {PHONE_MASK})"),
    ("wa.me/49 151 1234 5678", PHONE_MASK), ("wa.me/(49)15112345678", PHONE_MASK),
    ("@_anna:matrix.org", PHONE_MASK), ("Skype-Name: live:anna.w", f"Skype-Name: {PHONE_MASK}"),
    # (second review) arrows, emoji, quotes and bullets between; lists over lines; labels without '@' or
    # colon; Signal's own form; Skype's ids and links; more messengers
    ("Telegram 👉 @annaw", f"Telegram 👉 {PHONE_MASK}"), ("Telegram → @annaw", f"Telegram → {PHONE_MASK}"),
    ("Telegram: „@anna_w“", f"Telegram: „{PHONE_MASK}“"), ("Viber | @annaw", f"Viber | {PHONE_MASK}"),
    ("Telegram=>@annaw", f"Telegram=>{PHONE_MASK}"), ("Telegram: @annaw @bobx", f"Telegram: {PHONE_MASK}"),
    ("Telegram:\n- @annaw\n- @bobx", f"Telegram:\n- {PHONE_MASK}"), ("Telegram:\n\n@annaw", f"Telegram:\n\n{PHONE_MASK}"),
    ("Telegram-Benutzername: annaweiss", f"Telegram-Benutzername: {PHONE_MASK}"),
    ("Mein Telegram-Name ist anna_weiss", f"Mein Telegram-Name ist {PHONE_MASK}"),
    ("per Signal (anna.42)", f"per Signal ({PHONE_MASK})"), ("Threema-ID lautet ABCD2345", f"Threema-ID lautet {PHONE_MASK}"),
    ("Skype: anna.weiss", f"Skype: {PHONE_MASK}"), ("skype:anna.weiss?chat", f"{PHONE_MASK}?chat"),
    ("live:.cid.1234abcd", PHONE_MASK), ("Telegram & Signal @annaw", f"Telegram & Signal {PHONE_MASK}"),
    ("LINE ID: anna_w", f"LINE ID: {PHONE_MASK}"), ("Snapchat: anna_w", f"Snapchat: {PHONE_MASK}"),
    # (third review) a plain name before the messenger's name, bracketed or not, with a label after it; an id
    # glued to the name or on the next line; colons after the word-like names; spaced ids after a colon
    ("@annaweiss (Telegram)", f"{PHONE_MASK} (Telegram)"), ("@annaweiss via Telegram", f"{PHONE_MASK} via Telegram"),
    ("@anna_w (Telegram-ID)", f"{PHONE_MASK} (Telegram-ID)"), ("@annaweiss (Telegram-Kontakt)", f"{PHONE_MASK} (Telegram-Kontakt)"),
    ("Threema-ABCD2345", f"Threema-{PHONE_MASK}"), ("Threema\nABCD2345", f"Threema\n{PHONE_MASK}"),
    ("Signal\nanna.42", f"Signal\n{PHONE_MASK}"), ("Discord: anna_w", f"Discord: {PHONE_MASK}"),
    ("TG: anna.42", f"TG: {PHONE_MASK}"), ("Signal = anna_w", f"Signal = {PHONE_MASK}"),
    ("Threema: abcd 2345", f"Threema: {PHONE_MASK}"), ("Threema-ID: ABCD 2019", f"Threema-ID: {PHONE_MASK}"),
    ("Telegram isabella_92", f"Telegram {PHONE_MASK}"), ("Telegram-Name isolde_1", f"Telegram-Name {PHONE_MASK}"),
    # (stop 32, from the noticed list) a middle dot before the name; more Threema ids in a list, and one
    # before the name; labels in the plural; a Matrix id without its '@'; a Discord name with its number
    ("Telegram · @anna_w", f"Telegram · {PHONE_MASK}"), ("Schreib mir auf Telegram · @anna", f"Schreib mir auf Telegram · {PHONE_MASK}"),
    ("Threema: ABCD2345, EFGH6789", f"Threema: {PHONE_MASK}, {PHONE_MASK}"),
    ("Threema-IDs: ABCD2345 / EFGH6789 und XYZW1234", f"Threema-IDs: {PHONE_MASK} / {PHONE_MASK} und {PHONE_MASK}"),
    ("Threema: ABCD2345, und dann", f"Threema: {PHONE_MASK}, und dann"),
    ("Threema: ABCD2345, SONNTAGS", f"Threema: {PHONE_MASK}, SONNTAGS"),
    ("ABCD2345 (Threema)", f"{PHONE_MASK} (Threema)"), ("ABCD 2345 auf Threema", f"{PHONE_MASK} auf Threema"),
    ("Telegram-Namen: @anna_w, @bob", f"Telegram-Namen: {PHONE_MASK}"), ("Signal-Namen: anna.42", f"Signal-Namen: {PHONE_MASK}"),
    ("Element: anna:matrix.org", f"Element: {PHONE_MASK}"), ("Matrix-ID anna.w:tchncs.de", f"Matrix-ID {PHONE_MASK}"),
    ("Discord: anna#1234", f"Discord: {PHONE_MASK}"),
    ("Discord anna#1234 oder Telegram @bob_1", f"Discord {PHONE_MASK} oder Telegram {PHONE_MASK}"),
])
def test_disguises_found_in_the_wild(text, expected):
    assert clean_text(text) == expected


@pytest.mark.parametrize("text, tells, kept", [
    # (review of stop 32's rules) lists after a middle dot, uneven dots, lists of Threema ids in every form
    # people write them, a word before the id; what follows a list stays
    ("Telegram: @anna_w · @bob_k", ["anna_w", "bob_k"], "Telegram: "), ("Telegram · @anna_w · @bob_k", ["anna_w", "bob_k"], "Telegram"),
    ("Telegram ·@anna_w", ["anna_w"], "Telegram"), ("Telegram ·\n@anna_w", ["anna_w"], "Telegram"),
    ("Threema: ABCD2345 UND EFGH6789", ["ABCD2345", "EFGH6789"], "UND"), ("Threema: ABCD2345 + EFGH6789", ["ABCD2345", "EFGH6789"], "+"),
    ("Threema: ABCD2345 · EFGH6789", ["ABCD2345", "EFGH6789"], "Threema"), ("Threema: ABCD2345 - EFGH6789", ["ABCD2345", "EFGH6789"], "-"),
    ("Threema-IDs:\n- ABCD2345\n- EFGH6789", ["ABCD2345", "EFGH6789"], "Threema-IDs:"),
    ("Threema: ABCD2345 sowie EFGH6789", ["ABCD2345", "EFGH6789"], "sowie"), ("ثريما Threema: ABCD2345، EFGH6789", ["ABCD2345", "EFGH6789"], "ثريما"),
    ("Threema an AB1CDEFG", ["AB1CDEFG"], "Threema an "), ("ABCD2345 [Threema]", ["ABCD2345"], "[Threema]"),
    ("Discord: anna #1234", ["anna #1234", "1234"], "Discord: "), ("Discord: Anna#1234", ["anna#1234"], "Discord: "),
    ("im Discord: anna-w#1234", ["anna-w#1234"], "im Discord"), ("Telegram-Namen: anna_w", ["anna_w"], "Telegram-Namen: "),
    ("Threema-ID ABCD2345 und Raum 1234", ["ABCD2345"], "und Raum 1234"), ("Threema: ABCD2345; room 1234", ["ABCD2345"], "; room 1234"),
    ("Threema: ABCD2345, Kurs B1B2", ["ABCD2345"], ", Kurs B1B2"), ("Threema: ABCD2345 und 2024 2025", ["ABCD2345"], "und 2024 2025"),
    # (second review) Discord names next to its name in every case and in lists, Threema lists written as their
    # first id (lower case, spaced), ids alone on their lines, Matrix ids after a space or dash, plural labels
    ("Discord-Tag: Anna#1234", ["Anna#1234"], "Discord-Tag: "), ("Discord (Anna#1234)", ["Anna#1234"], "Discord ("),
    ("Anna#1234 auf Discord", ["Anna#1234"], " auf Discord"), ("Discord: Anna#1234, Bob#5678", ["Anna#1234", "Bob#5678"], "Discord: "),
    ("Threema: abcd2345, efgh6789", ["abcd2345", "efgh6789"], "Threema: "), ("Threema: ABCD 2345, EFGH 6789", ["ABCD 2345", "EFGH 6789"], ", "),
    ("Threema: ABCD-2345 / EFGH-6789", ["ABCD-2345", "EFGH-6789"], " / "), ("Threema: ABCD2345\nEFGH6789", ["ABCD2345", "EFGH6789"], "\n"),
    ("Threema: ABCD2345\nRAUM2024 ist reserviert", ["ABCD2345"], "RAUM2024 ist reserviert"),
    ("Matrix anna:tchncs.de", ["anna:tchncs.de"], "Matrix "), ("Matrix – anna:matrix.org", ["anna:matrix.org"], "Matrix – "),
    ("Matrix: anna:1312.media", ["anna:1312.media"], "Matrix: "), ("Element-Namen: Anna_W", ["Anna_W"], "Element-Namen: "),
    ("ABCD2345 (Threema-ID)", ["ABCD2345"], "(Threema-ID)"),
    ("تلغرام: @anna_w، @bob_k", ["anna_w", "bob_k"], "تلغرام: "), ("Telegram: @anna_w ؛ @bob_k", ["anna_w", "bob_k"], "Telegram: "),
])
def test_messenger_ids_in_lists_and_loose_forms_never_survive(text, tells, kept):
    out = clean_text(text)
    assert [t for t in tells if survives(t, out)] == [] and kept in out, out


def _removed_plainly(cp: int) -> bool:
    """The rule for what normalising removes, one code point at a time."""
    ch = chr(cp)
    if ch in "\n\t\u200c\u200d":  # tab and newline; the joiners go only where no script needs them
        return False
    return (0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF
            or any(a <= cp <= b for a, b in privacy._IGNORABLE)
            or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Me"))


def test_every_code_point_is_removed_or_kept_by_the_rule():
    # the class is built at C speed at every start; a slip in its ranges would let a character hide a number
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    removed = {ord(ch) for ch in privacy._INVISIBLE.findall(everything)}
    assert removed == set(filter(_removed_plainly, range(sys.maxunicode + 1)))
    assert {0x00AD, 0x034F, 0x2065, 0xFFFF, 0x10FFFF, 0xE0041, 0xD800} <= removed
    assert not {0x0A, 0x09, 0x200C, 0x20, 0x41, 0x0663} & removed


def _probed_plainly(cp: int) -> str:
    """The rule for what detection reads a code point as (the look-alikes aside)."""
    ch = chr(cp)
    if cp >= 0x80 and unicodedata.category(ch) == "Nd":
        return str(unicodedata.digit(ch))
    if cp >= 0x80 and (unicodedata.category(ch) == "Pd" or ch in "\u2212\u2043\u02d7\u2796\ufe63\uff0d"):
        return "-"
    return " " if cp >= 0x80 and unicodedata.category(ch) == "Zs" else ch


def test_every_code_point_is_read_by_the_probe_as_the_rule_says():
    # the probe's table is filled as characters are met (the whole of it took every process 0.3 s to
    # start): every digit of every script is still a digit, every dash a dash, every space a space,
    # read in one text or one character at a time, and nothing is dropped
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    lookalikes = {cp: folded for cp, folded in privacy._ProbeTable().items()}
    expected = "".join(lookalikes.get(cp) or _probed_plainly(cp) for cp in range(sys.maxunicode + 1))
    assert everything.translate(privacy._ProbeTable()) == expected
    one_by_one = privacy._ProbeTable()
    assert "".join(ch.translate(one_by_one) for ch in everything) == expected
    assert privacy.probe("\u0660\u0661\u2012\u0665\u3000\u0417\u0430\uff10\U0001D7D9") == "01-5 \u0417a01"
    assert len(lookalikes) < 200  # nothing else is looked up before it is met
    assert len(one_by_one) <= privacy._PROBE_KEPT  # a text of every character does not keep them all
    "Fahrrad 0151".translate(one_by_one)  # and what is met after it is kept again, not looked up each time
    assert {ord(ch) for ch in "Fahrrad 0151"} <= set(one_by_one)


def test_normalising_keeps_what_a_reader_needs():
    assert normalise("Ａｒａｂｉｓｃｈ\u00a0–\u00a0Deutsch") == "Arabisch – Deutsch"
    assert normalise("mi\u200cخواهم") == "miخواهم"  # a joiner between Latin and Arabic: gone
    assert normalise("می\u200cخواهم") == "می\u200cخواهم"  # between Persian letters it shapes the word: kept
    assert normalise("Zeile 1\r\nZeile 2\u202e") == "Zeile 1\nZeile 2"
    assert normalise("Tom &amp; Jerry") == "Tom & Jerry"
    assert normalise("bad \ud800 surrogate") == "bad  surrogate"


@pytest.mark.parametrize("url, expected", [
    ("https://potsdam.helpto.de/eintrag/48213", "https://potsdam.helpto.de/eintrag/48213"),
    ("https://müller-hilfe.de/über?x=1", "https://xn--mller-hilfe-thb.de/%C3%BCber?x=1"),
    ("https://x.example.org/a\u202e", None), ("https://x.example.org/\r\nSet-Cookie: x", None),
    ("https://x.example.org/a\u0001", None), ("javascript:alert(1)", None), ("mailto:anna@example.org", None),
    ("https://user:pw@x.example.org/", None), ("https://x.example.org/k?mail=anna%40example.org", None),
    ("https://x.example.org/k?tel=0151%2012345678", None), ("https://wa.me/4915112345678", None),
    ("https://t.me./anna_weiss", None), ("https://wa.me:443/4915112345678", None), ("https://T.ME.:443/anna", None),
    ("https://signal.me./#eu/abcDEF", None), ("https://t.me", None), ("https://stadt.me/x", "https://stadt.me/x"),
    ("https://threema.id/ABCD2345", None), ("https://matrix.to/#/@anna:matrix.org", None),
    ("https://invite.viber.com/?g2=AQBx", None), ("https://x.example.org/weg/t.me/anna", None),
    ("https://x.example.org/blog/threema-seit-2024", "https://x.example.org/blog/threema-seit-2024"),
    ("https://x.example.org/kontakt/threema-ABCD2345", None),
    ("https://x.example.org/projekt/0157123456", "https://x.example.org/projekt/0157123456"),  # an id in a path
    ("https://fluechtlingshilfe-goettingen.de/aufruf/22961_5f8bfc56e18212b5",  # '_' joins no number
     "https://fluechtlingshilfe-goettingen.de/aufruf/22961_5f8bfc56e18212b5"),
    ("https://x.example.org/a/123_4567890", "https://x.example.org/a/123_4567890"),
    ("https://x.example.org/careers/working-at-vodafone", "https://x.example.org/careers/working-at-vodafone"),
    ("https://x.example.org/events/volunteering-2025-at-gmx", "https://x.example.org/events/volunteering-2025-at-gmx"),
])
def test_links_are_published_only_when_safe(url, expected):
    assert clean_url(url) == expected


_PATH_PART = st.one_of(st.from_regex(r"\A[0-9]{1,14}\Z"), st.sampled_from(["tel", "fon", "Handy", "id", "eintrag", "00", "+49",
                                                                      "-", ".", "_", "(0)", "%20", "x", "aufruf"]))


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_PATH_PART, max_size=8), separators=st.lists(st.sampled_from(["/", "", "-", ":", " "]), max_size=8))
@example(parts=["projekt", "0157123456"], separators=["/", "/"])
@example(parts=["tel", "1512345678"], separators=["/", ":"])
@example(parts=["1200345678"], separators=["/"])
def test_a_link_path_is_judged_the_same_when_ids_are_not_read_by_libphonenumber(parts, separators):
    """The short cut for a path's ids (privacy._is_id) decides every link as reading each run would."""
    from schema import privacy

    url = "https://x.example.org/" + "".join(p + (separators[n] if n < len(separators) else "/") for n, p in enumerate(parts))
    fast = clean_url(url)
    real = privacy._is_id
    privacy._is_id = lambda *a: False  # every run read, as before the short cut
    try:
        assert clean_url(url) == fast, url
    finally:
        privacy._is_id = real


def listing(**fields) -> dict:
    base = {"id": "l_0123456789abcdef", "source": {"portal": "p", "id": "7", "url": "https://p.example.org/7",
                                                  "fetched_at": "2026-11-01T09:00:00+00:00"},
            "kind": "offer", "category": "goods", "title": "Sofa", "description": "", "language": "de",
            "languages": ["de"], "location": {"postcode": "14482", "city": "Potsdam"},
            "published_at": "2026-11-01T09:00:00+01:00", "updated_at": "2026-11-01T09:00:00+01:00"}
    return {**base, **fields}


def test_every_string_of_the_record_is_gated_whatever_its_field():
    doc = gate(listing(organisation={"name": "Verein +49 151 0103 4711", "url": "mailto:x@example.org"},
                       location={"postcode": "14482", "city": "Potsdam x01ci@example.org", "region": "Tel 0331 2345678"},
                       tags=["Möbel", "anna@example.org", "anna@example.org"], skills=["Handy 0176 9876543"],
                       translations={"en": {"title": "call 0151 23456789", "description": "anna (at) example.org"}},
                       future_field={"nested": ["mail zq@example.org"]}))
    assert doc["organisation"] == {"name": f"Verein {PHONE_MASK}", "url": None}
    assert doc["location"]["city"] == f"Potsdam {EMAIL_MASK}" and doc["location"]["region"] == f"Tel {PHONE_MASK}"
    assert doc["tags"] == ["Möbel", EMAIL_MASK] and doc["skills"] == [f"Handy {PHONE_MASK}"]
    assert doc["translations"]["en"] == {"title": f"call {PHONE_MASK}", "description": EMAIL_MASK}
    assert doc["future_field"] == {"nested": [f"mail {EMAIL_MASK}"]}
    assert (doc["published_at"], doc["location"]["postcode"], doc["id"]) == \
        ("2026-11-01T09:00:00+01:00", "14482", "l_0123456789abcdef")  # structural fields are not masked
    del doc["future_field"]
    assert validate(doc) == []


def test_a_portal_id_shaped_like_an_address_stays_only_at_the_portal_own_domain(monkeypatch):
    monkeypatch.setattr(privacy, "_ID_KEY", b"this hub's key")
    own = gate(listing(source={"portal": "g", "id": "aufruf-2231@fluechtlingshilfe-goettingen.de",
                               "url": "https://fluechtlingshilfe-goettingen.de/aufruf/2231", "fetched_at": "2026-11-01T09:00:00+00:00"}))
    other = gate(listing(source={"portal": "g", "id": "anna.k@example.net", "url": "https://p.example.org/1",
                                 "fetched_at": "2026-11-01T09:00:00+00:00"}))
    assert own["source"]["id"] == "aufruf-2231@fluechtlingshilfe-goettingen.de"
    assert other["source"]["id"].startswith("masked:") and "anna" not in other["source"]["id"]


# -- properties: generated contact details in generated text never survive -------------------

WORDS = st.sampled_from(["Biete", "Sofa", "für", "Familie", "in", "Potsdam", "ab", "sofort", "Kontakt", "bitte",
                         "Uhr", "am", "Wochenende", "مرحبا", "help", "with", "call", "oder", "und", "2-türig",
                         "14482", "01.03.2016", "10:00", "–", "•", "(", ")", ":", ",", ".", "!"])
FILLER = st.lists(WORDS, max_size=8).map(" ".join)
INVISIBLE = st.sampled_from(["", "\u200b", "\u00ad", "\u2060", "\ufeff", "\u200e", "\u0090", "\ufffe", "\ufe0f"])
LOCAL = st.text(string.ascii_lowercase, min_size=3, max_size=8).map(lambda s: "zq" + s)
LABEL = st.text(string.ascii_lowercase + string.digits + "äöü", min_size=2, max_size=10).filter(lambda s: s[0].isalpha())
TLD = st.sampled_from(["de", "org", "com", "net", "eu", "info", "berlin"])
AT = st.sampled_from(["@", " @ ", "＠", " (at) ", "[at]", " {at} ", " [ät] ", "(a)", " -at- ", " at ", "&#64;", "%40"])
DOT = st.sampled_from([".", " (dot) ", "[dot]", " {punkt} ", " punkt ", " dot ", "．"])
SEP = st.sampled_from([" ", "-", "/", ".", "\u2013", "\u2212", "\u2011", " / ", ""])


LOCAL_DOT = st.sampled_from(["", "", ".", " (dot) ", "[punkt]", " punkt ", " dot ", " . ", "-dot-"])


@st.composite
def emails(draw) -> tuple[str, str]:
    """An address, perhaps disguised, and the part of it that must not survive (its first part, where
    its user name has two: 'zqanna punkt zqweiss at ...')."""
    local, at, dot, joint = draw(LOCAL), draw(AT), draw(DOT), draw(LOCAL_DOT)
    dot = "." if at in ("@", "＠", "&#64;", "%40") and dot not in (".", "．") else dot
    labels = draw(st.lists(LABEL, min_size=1, max_size=2))
    junk = draw(INVISIBLE)
    second = joint + draw(LOCAL) if joint else ""
    text = local[:3] + junk + local[3:] + second + at + dot.join(labels) + dot + draw(TLD)
    return text, local


@st.composite
def phones(draw) -> tuple[str, str]:
    prefix = draw(st.sampled_from(["0", "+49 ", "0049 ", "+49 (0)", "+44 ", "+90 ", "+963 "]))
    area = draw(st.sampled_from(["151", "160", "171", "176", "30", "331", "551", "5331", "40", "89"]))
    subscriber = draw(st.text("0123456789", min_size=7, max_size=8).filter(lambda s: len(set(s)) > 2))
    cut = draw(st.integers(2, 5))
    sep = draw(SEP)
    glue = draw(st.sampled_from(["", "Tel.", "Tel: ", "Handy", "Mobil ", "☎ "]))
    tail = draw(st.sampled_from(["", "Uhr", " ab 17 Uhr", "!", ")"]))
    text = f"{glue}{prefix}{area}{sep}{subscriber[:cut]}{draw(INVISIBLE)}{sep}{subscriber[cut:]}{tail}"
    return text, subscriber


MESSENGER_NAMES = st.sampled_from(["Telegram", "TELEGRAM", "telegram", "Telegramm", "WhatsApp", "Signal", "Threema",
                                   "Discord", "Skype", "Viber", "Wire", "Snapchat", "Matrix", "Element", "TG",
                                   "تلغرام", "Телеграм"])
BETWEEN = st.sampled_from([": ", " - ", " · ", " 👉 ", ":\n", " (", "-Name: ", "-ID: ", " Benutzername: ", " – ",
                           "-Kontakt: ", " an ", ": ", " "])


@st.composite
def messengers(draw) -> tuple[str, str]:
    """A user name or id with a messenger's name before or after it, as people write them; the tell is
    the user name without its '@'."""
    name = draw(MESSENGER_NAMES)
    user = draw(st.from_regex(r"[a-z]{3,8}(_[a-z0-9]{1,4}|[0-9]{2,3}|\.[0-9]{2,3})", fullmatch=True))
    if draw(st.booleans()):  # '@anna_w' before or after the name, or a Signal-like 'anna.42' after it
        handle = "@" + user
        if draw(st.booleans()):
            return f"{handle} ({name})", user
        return f"{name}{draw(BETWEEN)}{handle}", user
    if name == "Threema":
        user = draw(st.from_regex(r"[A-Z]{2}[0-9][A-Z0-9]{5}", fullmatch=True))
        return f"{name}{draw(BETWEEN)}{user}", user
    return f"{name}{draw(st.sampled_from([': ', '-Name: ', '-ID: ', ' Benutzername: ', ' = ']))}{user}", user


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(before=FILLER, detail=st.one_of(emails(), phones(), messengers()), after=FILLER)
@example(before="Abholung", detail=("anna@exam\u0090ple.org", "anna"), after="")
def test_generated_contact_details_in_generated_text_never_survive(before, detail, after):
    text, tell = detail
    out = clean_text(f"{before} {text} {after}")
    assert not survives(tell, out), (text, out)
    assert leaks(out, [{"tells": [tell]}]) == []


def test_a_uuid_record_id_is_kept_as_it_is():
    """GoVolunteer's and HSDS's ids are UUIDs; their digit runs once came out as '[Telefon entfernt]'
    (found by the independent cross-post federation), which broke matching records by id."""
    for rid in ("0f029898-9914-4584-ab7f-1c2d3e4f5a6b", "12345678-1234-4234-8234-123456789012"):
        gated = gate(listing(source={"portal": "g", "id": rid, "url": "https://p.example.org/1",
                                     "fetched_at": "2026-11-01T09:00:00+00:00"}))
        assert gated["source"]["id"] == rid
    phone = gate(listing(source={"portal": "g", "id": "0331 1234567", "url": "https://p.example.org/1",
                                 "fetched_at": "2026-11-01T09:00:00+00:00"}))
    assert "1234567" not in phone["source"]["id"]


def test_a_record_id_shaped_as_a_contact_becomes_a_pseudonym_of_its_own(monkeypatch):
    """(probe helper-49) Google's and other calendars' UIDs look like addresses: masked, many records of
    one portal shared the id '[E-Mail entfernt]'; Outlook's hex UIDs came out as '[Telefon entfernt]E000…'.
    The pseudonym is keyed by the hub's secret (helper-51: unkeyed, a phone number was found again by trying
    numbers); without a key, a masked id is a placeholder."""
    import hashlib

    monkeypatch.setattr(privacy, "_ID_KEY", b"this hub's key")

    def gated(rid: str) -> str:
        return gate(listing(source={"portal": "g", "id": rid, "url": "https://p.example.org/1",
                                    "fetched_at": "2026-11-01T09:00:00+00:00"}))["source"]["id"]

    google = [gated(f"6ep37v{n}k3c4@google.com") for n in range(3)]
    assert len(set(google)) == 3 and all(re.fullmatch(r"masked:[0-9a-f]{16}", rid) for rid in google)
    assert gated("6ep37v0k3c4@google.com") == google[0]  # stable: the same record, the same id
    assert "anna" not in gated("anna.weiss@gmx.de") and "1234567" not in gated("0331 1234567")
    outlook = "040000008200E00074C5B7101A82E00800000000D0A5F6E3C5B4D901000000000000000010000000"
    assert gated(outlook) == outlook
    assert gated("0331 1234567") != "masked:" + hashlib.sha256(b"0331 1234567").hexdigest()[:16]
    for n in range(2000):  # gated again (a connector's own normalize() is gated twice), a pseudonym stays itself:
        once = gated(f"+49151000{n:05d}")  # one in fifty held digits read as a phone number (helper-52)
        assert once.startswith("masked:") and gated(once) == once
    monkeypatch.setattr(privacy, "_ID_KEY", b"another hub's key")
    assert gated("6ep37v0k3c4@google.com") != google[0]
    monkeypatch.setattr(privacy, "_ID_KEY", None)
    assert gated("6ep37v0k3c4@google.com") == EMAIL_MASK
    assert gated("aufruf-1@p.example.org") == "aufruf-1@p.example.org" and gated("ihj-77120") == "ihj-77120"


def test_an_international_host_stays_the_same_domain():
    """IDNA 2008 as browsers resolve it: fußball.de is its own domain, not fussball.de (IDNA 2003)."""
    assert clean_url("https://fußball.de/Verein/Möbel?q=Schränke") == \
        "https://xn--fuball-cta.de/Verein/M%C3%B6bel?q=Schr%C3%A4nke"
    assert clean_url("https://www.wolfenbüttel.de/a") == "https://www.xn--wolfenbttel-zhb.de/a"


# -- the quick paths give what the plain forms give ---------------------------------------------

#: Pieces the quick paths decide on: number words (with the letters re and RE2 fold apart), digits
#: and the letter O beside them, dates, invisible and removable characters, joiners, references.
_PIECES = st.sampled_from([
    "eins", "EINS", "EİNS", "eınş", "ſechs", "seven", "Vereins", "one", "someone", "_one_", "1one", "oneß",
    "null", "ZWO", "acht", "Nacht", "واحد", "تسع", "خمسة", "fünf", "oh",
    "0", "7", "٣", "①", "²", "o", "O", "0o", "o1", "O151", "1o1", "oo1", "l", "I", "|", "0I5I", "l2", "5l",
    "1 ", " l ", " I ", "\tI", "0 1 5 1 l 2 3 4 5 6 7", "1 I 2 I 3", "\u01c0", "\u04cf", "\u2113",
    "12.03.2024", "1.2.", "2024-03-12", "3-4", ".", "-", " ", "\t", "\n", "\r\n", "\r",
    "\u200b", "\u00ad", "\u200d", "\u200c", "\ufeff", "\U000e0041", "\ufffe", "\ud800", "\x07", "\x85",
    "&#64;", "&amp;", "&#8203;", "&shy;", "%40", "%2e", "ﬁ", "Ａ", "ä", "م", "🙂", "K", "a", "x", "@", "/", "_",
])
_MIXED = st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=12).map("".join)


def _ones_plainly(text: str) -> str:
    ones = (lambda m: "1" * len(m.group()))
    text = privacy._SPACED_ONES.sub(privacy._spaced_ones, text)
    return privacy._ONE_LETTERS_AFTER.sub(ones, privacy._ONE_LETTERS.sub(ones, text))


def _probe_plainly(text: str) -> str:
    folded = text.translate(privacy._PROBE)
    return privacy._O_NEAR_DIGIT.sub("0", folded)


@settings(max_examples=600, deadline=None)
@given(text=_MIXED)
def test_the_quick_paths_give_what_the_plain_forms_give(text):
    """probe() folds only what is not ASCII and touches only an O beside a digit; _has_invisible looks each
    character up once; _maybe_spelled searches on RE2 and checks re's word boundaries itself. Each must
    answer as the plain form does, for any text."""
    assert privacy.probe(text) == _probe_plainly(text)
    assert privacy._has_invisible(text) == bool(privacy._INVISIBLE.search(text))
    assert privacy._maybe_spelled(text) == bool(privacy._HAS_DIGIT_WORD.search(text))
    assert privacy._key(text) == normalise(text)
    assert privacy._ones(text) == _ones_plainly(text)  # its quick checks: no l, I or i touching a digit, no digits spaced
    # what a quick search rules out, the full search does not find: a date needs a digit and a dot or
    # dash, spelled-out numbers need letters, and a blank link tail holds no number
    if not privacy._DATE_SIGN.search(text):
        assert not privacy._DATE.search(text)
    if not any(map(str.isalpha, text)) and not any("\ud800" <= c <= "\udfff" for c in text):
        assert not list(privacy._SPELLED.finditer(text))


@pytest.mark.parametrize("text", ["EİNS zwei", "ſechs", "eınş", "one", "someone", "x_one", "٣one", "one²",
                                  "خمسة", "Nacht", "\ud800 eins", "1o1", "O151", "a\u200db", "&#64;",
                                  "0 1 5 1 l 2 3 4 5 6 7", "l 0 1 5 1 2 3 4", "0 1 5 1 2 3 4 I", "1 l 2 3 l 4 5 l 6"])
def test_the_quick_paths_on_the_cases_that_tell_them_apart(text):
    assert privacy.probe(text) == _probe_plainly(text)
    assert privacy._ones(text) == _ones_plainly(text)
    assert privacy._maybe_spelled(text) == bool(privacy._HAS_DIGIT_WORD.search(text))
    assert privacy._has_invisible(text) == bool(privacy._INVISIBLE.search(text))


def _normalise_plainly(text: str) -> str:
    import html
    text = privacy._INVISIBLE.sub("", privacy._CRLF.sub("\n", text))
    for _ in range(3):
        decoded = privacy._PERCENT.sub(lambda m: chr(int(m.group(1), 16)), html.unescape(privacy._unref(text)))
        if decoded == text:
            break
        text = decoded
    kept, run = [], 0
    for ch in text:  # at most 16 combining marks in a row
        run = run + 1 if unicodedata.category(ch) in ("Mn", "Me") else 0
        if run <= 16:
            kept.append(ch)
    text = privacy._INVISIBLE.sub("", unicodedata.normalize("NFKC", privacy._CIRCLED_AT.sub("@", "".join(kept))))
    kept, after_digit = [], False
    for ch in text:  # the marks on a digit read as one space
        mark = unicodedata.category(ch) in ("Mn", "Me")
        if mark and after_digit:
            if kept[-1] != " ":
                kept.append(" ")
            continue
        kept.append(ch)
        after_digit = unicodedata.category(ch) == "Nd"
    return privacy._JOINER_OUT.sub("", "".join(kept))


@settings(max_examples=600, deadline=None)
@given(text=_MIXED)
def test_normalise_skips_only_what_would_change_nothing(text):
    """normalise() leaves out a removal where nothing is to be removed and a joiner's rule where no joiner
    is; what it gives is what every step taken in turn gives."""
    assert normalise(text) == _normalise_plainly(text)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.one_of(_PIECES, st.sampled_from(["0151 1234567", "Tel. 0341 6150", "030 12345678",
                                                         "Handy: 0151 4000000", "100000", "@anna_w"])),
                     max_size=8).map(" ".join))
def test_a_remembered_text_or_number_is_masked_as_the_first_time(text):
    """clean_text and libphonenumber's answers are remembered (a portal repeats its towns and numbers): the
    second time gives what the first gave, which is what masking the text afresh gives."""
    privacy.forget()
    fresh = privacy.published(text)
    assert clean_text(text) == fresh
    assert clean_text(text) == fresh
    privacy._CLEANED.clear()  # the numbers remembered, the text not
    assert clean_text(text) == fresh


def test_what_is_remembered_stays_bounded():
    """At most REMEMBERED texts are kept, and none whose cleaned form grew long (a placeholder is longer than
    the short address it stands for): a sync of any number of distinct short texts holds a few MB at most."""
    privacy.forget()
    for n in range(privacy.REMEMBERED + 10):
        clean_text(f"Ort {n}")
    assert 0 < len(privacy._CLEANED) <= privacy.REMEMBERED
    privacy.forget()
    long_one = ("a@b.de " * privacy.SHORT)[:privacy.SHORT]
    assert len(clean_text(long_one)) > 2 * privacy.SHORT
    assert long_one not in privacy._CLEANED
    assert clean_text("Göttingen") == "Göttingen" and "Göttingen" in privacy._CLEANED


@pytest.mark.parametrize("view, read", [
    ("o151-l234567", "o151-1234567"), ("0I5I 1234567", "0151 1234567"), ("015l 12345678", "0151 12345678"),
    ("l2", "12"), ("handy 0i5i 7392", "handy 0151 7392"), ("Handy ll23456", "Handy 1123456"), ("7lI23456", "71123456"),
    ("portal08", "portal08"), ("Hall23", "Hall23"), ("37222Ich", "37222Ich"), ("level 12345lx", "level 12345lx"),
    ("5l Milch", "5l Milch"), ("0.5l 1l 1.5l 2l", "0.5l 1l 1.5l 2l"), ("1|2", "1|2"), ("05.03.2025|10:00", "05.03.2025|10:00"),
    # digits written one by one: up to three letters among six digits or more
    ("Tel 0 1 5 1 l 2 3 4 5 6 7", "Tel 0 1 5 1 1 2 3 4 5 6 7"), ("0 I 5 I 7 3 9 2 6 5 1 4", "0 1 5 1 7 3 9 2 6 5 1 4"),
    ("l\t5 1 2 3 4 5", "1\t5 1 2 3 4 5"), ("Kapitel 1 I 2 I 3 I 4", "Kapitel 1 I 2 I 3 I 4"),
    ("1 I 2 I 3 I 4 I 5 I 6 I 7", "1 I 2 I 3 I 4 I 5 I 6 I 7"), ("2 l Milch, 1 l Saft", "2 l Milch, 1 l Saft"),
    ("Reihe l 2 3 4 5 6", "Reihe l 2 3 4 5 6"), ("ab1 l 2 3 4 5 6 7cd", "ab1 l 2 3 4 5 6 7cd"),
])
def test_letters_for_a_one_are_read_where_they_touch_a_digit_and_no_other_letter(view, read):
    """'0I5I', '015l' and 'o151-l234567' are read as ones too (besides the probe itself, so that nothing
    masked before goes unmasked); an l or I glued to a word ('portal08', '12Ich') is a letter, so are the
    litres of '0.5l 1l' (after fewer than three digits), and a | separates cells (helper-29)."""
    assert privacy._ones(view) == read


@pytest.mark.parametrize("text, expected", [
    # a phone's number word with a few words between it and the number, then a colon or a verb
    ("Telefonnummer (Büro): 551 3926514", "Telefonnummer (Büro): " + PHONE_MASK),
    ("Unsere Telefonnummern sind 1517 3926514", "Unsere Telefonnummern sind " + PHONE_MASK),
    ("Tel.-Nr. (mobil): 1517 3926514", "Tel.-Nr. (mobil): " + PHONE_MASK),
    ("Telefonnummer nötig. Kurs-Nr.: 1234567", "Telefonnummer nötig. Kurs-Nr.: 1234567"),  # a sentence ends between
    ("Telefonnummer, Name und Anschrift der Helferin und ihres Vereins: 1234567",  # too far
     "Telefonnummer, Name und Anschrift der Helferin und ihres Vereins: 1234567"),
    ("Kontaktnummer des Vereins: 2048113", "Kontaktnummer des Vereins: 2048113"),  # 'Kontakt' only right before
    # the next number of a list: seven digits or more after a number found, only a comma or 'und' between
    ("Tel 0151 73926514, 1516 7654321, 1517 1112223", f"Tel {PHONE_MASK}, {PHONE_MASK}, {PHONE_MASK}"),
    ("Tel.: 0151 73926514, 123456 Teilnehmer", f"Tel.: {PHONE_MASK}, 123456 Teilnehmer"),
    ("Tel.: 0151 73926514, Spendenkonto 1234567", f"Tel.: {PHONE_MASK}, Spendenkonto 1234567"),
    ("Tel 0151 73926514 Spendenkonto 1234567", f"Tel {PHONE_MASK} Spendenkonto 1234567"),
    ("Signal-Nummer 1517 3926514", "Signal-Nummer " + PHONE_MASK), ("Signal-Nr. 1517392", "Signal-Nr. 1517392"),
    # coordinates: decimals, no number (helper-75; they were '52.[Telefon entfernt], 10.540912'), and no list after them
    ("Position 52.1645, 10.540912", "Position 52.1645, 10.540912"),
    ("Treffpunkt 52.1645, 10.5409", "Treffpunkt 52.1645, 10.5409"),
    # the country's code without + or 00, glued to no word
    ("Erreichbar: 4915173926514", "Erreichbar: " + PHONE_MASK),
    ("Charge b6b9e5687f49 2026-09-09", "Charge b6b9e5687f49 2026-09-09"),
    # helper-30's review: labels further on, lists, 49 and look-alikes, each way
    ("Kontaktnummer für Rückfragen: 1517 3926514", "Kontaktnummer für Rückfragen: " + PHONE_MASK),
    ("Tel 0151 73926514 / 1516 7654321", f"Tel {PHONE_MASK} / {PHONE_MASK}"),
    ("Tel 0151 73926514 - 1516 7654321", f"Tel {PHONE_MASK} - {PHONE_MASK}"),
    ("Tel 0151 73926514\n1516 7654321", f"Tel {PHONE_MASK}\n{PHONE_MASK}"),  # one under the other
    ("Tel 0551 3926514-12", f"Tel {PHONE_MASK}"), ("Tel 0151 73926514\n2024 2025", f"Tel {PHONE_MASK}\n2024 2025"),
    ("Tel. 0551 3926514\n37073 Göttingen", f"Tel. {PHONE_MASK}\n37073 Göttingen"),
    ("هاتف 0151 73926514 او 1516 7654321", f"هاتف {PHONE_MASK} او {PHONE_MASK}"),
    ("Tel. 030 1234567, 1.250.000 Euro gesammelt", f"Tel. {PHONE_MASK}, 1.250.000 Euro gesammelt"),
    ("Tel 030 1234567 und 1234 5678 Euro", f"Tel {PHONE_MASK} und 1234 5678 Euro"),  # an amount
    ("Tel: 0621 1234567 / 2024 2025", f"Tel: {PHONE_MASK} / 2024 2025"),  # years
    ("Telefonnummer für die Anmeldung ist 2024 2025 neu", "Telefonnummer für die Anmeldung ist 2024 2025 neu"),
    ("Kontakt-Nr. für Spenden: 123 456 789", "Kontakt-Nr. für Spenden: 123 456 789"),
    ("Termine: 05.03.2025\u01c010:00\u01c012:00", "Termine: 05.03.2025\u01c010:00\u01c012:00"),  # U+01C0 looks like a |
    ("Hotline 0800 1234567; 2024 2025 2026 2027", f"Hotline {PHONE_MASK}; 2024 2025 2026 2027"),
    ("GPS 51.07618203, 14.14790", "GPS 51.[Telefon entfernt], 14.14790"),
    ("Tel. 0151 73926514" + " " * 40 + "1516 7654321", f"Tel. {PHONE_MASK}" + " " * 40 + "1516 7654321"),  # no list so far apart
    ("l030l234567", "l" + PHONE_MASK), ("\u04cf030\u04cf234567", "\u04cf" + PHONE_MASK),  # a letter before the 0 is no 1 there
    ("Bestellcode ab4915173926514", "Bestellcode ab4915173926514"),
    ("Sendungsnummer 491234567890123456", "Sendungsnummer 491234567890123456"),
    # no phone word: where someone is reached, or 'my number', right before seven digits or more
    ("erreichbar unter 1517 3926514", "erreichbar unter " + PHONE_MASK),
    ("Erreichen Sie uns unter 1517 3926514!", f"Erreichen Sie uns unter {PHONE_MASK}!"),
    ("Zu erreichen unter: 15173926514", "Zu erreichen unter: " + PHONE_MASK),
    ("Unsere Nr. lautet 1517 3926514", "Unsere Nr. lautet " + PHONE_MASK), ("Meine Nummer 1517 3926514", "Meine Nummer " + PHONE_MASK),
    ("Erreichen Sie mich unter: 1517 3926514", "Erreichen Sie mich unter: " + PHONE_MASK), ("my number: 7911 123456", "my number: " + PHONE_MASK),
    ("Telefonnummer vom Büro: 551 3926514", "Telefonnummer vom Büro: " + PHONE_MASK),
    ("Telefonnummer ist wie folgt 1517 3926514", "Telefonnummer ist wie folgt " + PHONE_MASK),
    ("Hotline erreichbar unter 116 117", "Hotline erreichbar unter 116 117"),  # six digits: a public service's
    ("erreichbar unter 2024 2025", "erreichbar unter 2024 2025"), ("erreichbar unter 1234 5678 Euro", "erreichbar unter 1234 5678 Euro"),
    ("Unsere Nummer im Register ist 12345678", "Unsere Nummer im Register ist 12345678"),  # words between
    ("Kundennummer von Frau Müller: 12345678", "Kundennummer von Frau Müller: 12345678"),  # no phone's number
    # helper-33's review: more ways to say it (each leaked), and times, coordinates, amounts and file numbers
    ("Ich bin unter 1517 3926514 erreichbar", f"Ich bin unter {PHONE_MASK} erreichbar"),
    ("Ich bin tagsüber unter 1517 3926514 zu erreichen", f"Ich bin tagsüber unter {PHONE_MASK} zu erreichen"),
    ("Sie erreichen mich unter der Nummer 1517 3926514", "Sie erreichen mich unter der Nummer " + PHONE_MASK),
    ("Sie erreichen Frau Dr. Müller tagsüber unter 1517 3926514", "Sie erreichen Frau Dr. Müller tagsüber unter " + PHONE_MASK),
    ("Du erreichst mich unter 1517 3926514", "Du erreichst mich unter " + PHONE_MASK),
    ("Meine neue Nummer: 1517 3926514", "Meine neue Nummer: " + PHONE_MASK), ("Meine Nummer ist die 1517 3926514", "Meine Nummer ist die " + PHONE_MASK),
    ("Erreichbar: 1517 3926514", "Erreichbar: " + PHONE_MASK), ("Kontakt: 1517 3926514", "Kontakt: " + PHONE_MASK),
    ("Telefonnummer von Frau Dr. Anna Müller: 1517 3926514", "Telefonnummer von Frau Dr. Anna Müller: " + PHONE_MASK),
    ("Melde dich unter 1517 3926514", "Melde dich unter " + PHONE_MASK), ("Bitte anrufen unter 1517 3926514", "Bitte anrufen unter " + PHONE_MASK),
    ("Call me at 7911 123456", "Call me at " + PHONE_MASK), ("I can be reached at 7911 123456", "I can be reached at " + PHONE_MASK),
    ("My number’s 7911 123456", "My number’s " + PHONE_MASK), ("Text me on 7911 123456", "Text me on " + PHONE_MASK),
    ("رقمي هو 1517 3926514", "رقمي هو " + PHONE_MASK), ("تواصل معي على 1517 3926514", "تواصل معي على " + PHONE_MASK),
    ("للتواصل: 1517 3926514", "للتواصل: " + PHONE_MASK), ("رقم التواصل: ١٥١٧٣٩٢٦٥١٤", "رقم التواصل: " + PHONE_MASK),
    ("Treffpunkt erreichbar unter 52.5163 13.3777", "Treffpunkt erreichbar unter 52.5163 13.3777"),
    ("Das Büro ist erreichbar unter: 9.00-12.00 / 13.00-16.00 Uhr", "Das Büro ist erreichbar unter: 9.00-12.00 / 13.00-16.00 Uhr"),
    ("Unsere Nr.: 2024/081512 (bitte angeben)", "Unsere Nr.: 2024/081512 (bitte angeben)"),
    ("Our number: 1 250 000 meals served", "Our number: 1 250 000 meals served"),
    ("Erreichbar unter 1.200.000 Haushalte", "Erreichbar unter 1.200.000 Haushalte"),
    ("Erreichbar unter 1234567 Tonnen CO2", "Erreichbar unter 1234567 Tonnen CO2"),
    ("phone number of volunteers: 1 250 000", "phone number of volunteers: 1 250 000"),
    ("Wir haben unter 1234567 Einträgen gesucht", "Wir haben unter 1234567 Einträgen gesucht"),
    ("Das Ziel ist unter 1234567 Euro zu erreichen", "Das Ziel ist unter 1234567 Euro zu erreichen"),
    ("Kontakt: Raum 1234567", "Kontakt: Raum 1234567"), ("Erreichbar unter 123456789012345678", "Erreichbar unter 123456789012345678"),
    # helper-34's review: dates with slashes or spaces, times, and more ways to say it
    ("Open call for volunteers closes on 31/03/2025", "Open call for volunteers closes on 31/03/2025"),
    ("closes on 31 03 2025", "closes on 31 03 2025"), ("Call for entries ends on 2025/03/31", "Call for entries ends on 2025/03/31"),
    ("تواصل معنا على 15/03/2025", "تواصل معنا على 15/03/2025"), ("Kontakt: 1000-1800 Uhr", "Kontakt: 1000-1800 Uhr"),
    ("Erreichbar: 800-1600", "Erreichbar: 800-1600"), ("Contact on 1200 1500 days", "Contact on 1200 1500 days"),
    ("Sie erreichen mich ab 18 Uhr unter 1517 3926514", "Sie erreichen mich ab 18 Uhr unter " + PHONE_MASK),
    ("Kontaktieren Sie uns unter 1517 3926514", "Kontaktieren Sie uns unter " + PHONE_MASK),
    ("Ich bin unter 1517 3926514 telefonisch erreichbar", f"Ich bin unter {PHONE_MASK} telefonisch erreichbar"),
    ("Ich bin unter der Nummer 1517 3926514 erreichbar", f"Ich bin unter der Nummer {PHONE_MASK} erreichbar"),
    ("Kontakt (Frau Müller): 1517 3926514", "Kontakt (Frau Müller): " + PHONE_MASK),
    ("Meine Nummer für Rückfragen: 1517 3926514", "Meine Nummer für Rückfragen: " + PHONE_MASK),
    ("Contact Sarah (coordinator) on 7911 123456", "Contact Sarah (coordinator) on " + PHONE_MASK),
    ("تواصل معي على الرقم 1517 3926514", "تواصل معي على الرقم " + PHONE_MASK), ("للتواصل مع أحمد: 1517 3926514", "للتواصل مع أحمد: " + PHONE_MASK),
    # a list's next number after 'oder auch', 'alternativ(:)', 'und/oder', ', oder', 'or alternatively'
    ("Tel 0151 73926514 oder auch 1516 7654321", f"Tel {PHONE_MASK} oder auch {PHONE_MASK}"),
    ("Tel 0151 73926514, alternativ: 1516 7654321", f"Tel {PHONE_MASK}, alternativ: {PHONE_MASK}"),
    ("Tel 0151 73926514 und/oder 1516 7654321", f"Tel {PHONE_MASK} und/oder {PHONE_MASK}"),
    ("Tel 0151 73926514, oder 1516 7654321", f"Tel {PHONE_MASK}, oder {PHONE_MASK}"),
    ("Call 0151 73926514 or alternatively 1516 7654321", f"Call {PHONE_MASK} or alternatively {PHONE_MASK}"),
    ("Tel 0151 73926514, alternativ 2024 2025", f"Tel {PHONE_MASK}, alternativ 2024 2025"),
    ("Tel 0151 73926514, alternativ Raum 1234567", f"Tel {PHONE_MASK}, alternativ Raum 1234567"),
    # 'Rufen ... unter ... an' and up to eight words between the verb and 'unter'
    ("Rufen Sie mich unter 73926514 an", f"Rufen Sie mich unter {PHONE_MASK} an"),
    ("Ruf uns unter 7392 6514 jederzeit an!", f"Ruf uns unter {PHONE_MASK} jederzeit an!"),
    ("Rufen Sie unter 1234567 an, die Zentrale ist besetzt", f"Rufen Sie unter {PHONE_MASK} an, die Zentrale ist besetzt"),
    ("Rufen Sie den Bescheid unter 2024 081512 ab", "Rufen Sie den Bescheid unter 2024 081512 ab"),
    ("Senden Sie es unter 1234567 an uns", "Senden Sie es unter 1234567 an uns"),
    ("Melde dich gerne jederzeit per WhatsApp oder SMS unter 73926514", f"Melde dich gerne jederzeit per WhatsApp oder SMS unter {PHONE_MASK}"),
    ("Die Spenden erreichten im letzten Jahr insgesamt einen Wert unter 1250000 Euro",
     "Die Spenden erreichten im letzten Jahr insgesamt einen Wert unter 1250000 Euro"),
    ("Melden Sie sich für den Kurs unter Angabe der Nummer 12345678 an", "Melden Sie sich für den Kurs unter Angabe der Nummer 12345678 an"),
    # helper-35's review: not past a sentence's or clause's end, not the preposition 'an' ('an der Kasse ab'), not a date
    ("Melde dich bei uns! Das Förderprojekt ist registriert unter 20240815", "Melde dich bei uns! Das Förderprojekt ist registriert unter 20240815"),
    ("Melden Sie sich an, der Verein ist eingetragen unter 12345678", "Melden Sie sich an, der Verein ist eingetragen unter 12345678"),
    ("Contact us today. The project was registered in 2019 at 12345678", "Contact us today. The project was registered in 2019 at 12345678"),
    ("Text of the new volunteer guideline was published on 20250315", "Text of the new volunteer guideline was published on 20250315"),
    ("Ruft die Spendenquittung unter 12345678 an der Kasse ab", "Ruft die Spendenquittung unter 12345678 an der Kasse ab"),
    ("Rufen Sie den Vorgang unter Nr. 12345678 an unserem Schalter ab", "Rufen Sie den Vorgang unter Nr. 12345678 an unserem Schalter ab"),
    ("Wir danken dem Aufruf" + "x" * 40 + " Leute, bitte unter 12345678 an", "Wir danken dem Aufruf" + "x" * 40 + " Leute, bitte unter 12345678 an"),
    # a name after 'Kontakt:' or 'Ansprechpartner(in)': a title and a name, or two names
    ("Kontakt: Frau Müller, 73926514", f"Kontakt: Frau Müller, {PHONE_MASK}"),
    ("Kontakt: Anna Weiss 73926514", f"Kontakt: Anna Weiss {PHONE_MASK}"),
    ("Ansprechpartnerin: Frau Dr. Anna Weiss - 7392 6514", f"Ansprechpartnerin: Frau Dr. Anna Weiss - {PHONE_MASK}"),
    ("Contact: Mrs. Smith, 5551234567", f"Contact: Mrs. Smith, {PHONE_MASK}"),
    ("Kontakt: Raum 1234567", "Kontakt: Raum 1234567"), ("Kontakt: Zimmer B 1234567", "Kontakt: Zimmer B 1234567"),
    ("Kontakt: Frau Müller, 2024 2025", "Kontakt: Frau Müller, 2024 2025"),
    # '*' between a prefixed number's digits; an id with '_' in a link stays
    ("0151*73926514", PHONE_MASK), ("Handy 0151*7392*6514", f"Handy {PHONE_MASK}"),
    ("https://fluechtlingshilfe-goettingen.de/aufruf/22961_5f8bfc56e18212b5", "https://fluechtlingshilfe-goettingen.de/aufruf/22961_5f8bfc56e18212b5"),
    ("IMG_20240315_123456.jpg", "IMG_20240315_123456.jpg"), ("Größe 2*3*4 m, Spende 10*20 Euro", "Größe 2*3*4 m, Spende 10*20 Euro"),
    # helper-36's review: a street, an office, a number's word or a date after the name; 'an' in the next sentence
    ("Kontakt: Frau Weiss Lindenstraße 12 04109 Leipzig", "Kontakt: Frau Weiss Lindenstraße 12 04109 Leipzig"),
    ("Kontakt: Frau Müller (Büro) 12 04109 Leipzig", "Kontakt: Frau Müller (Büro) 12 04109 Leipzig"),
    ("Kontakt: Frau Müller Steuernummer 231/5678/9012", "Kontakt: Frau Müller Steuernummer 231/5678/9012"),
    ("Kontakt: Sparkasse Leipzig, 1100 5566 77", "Kontakt: Sparkasse Leipzig, 1100 5566 77"),
    ("Kontakt: Raum EG 1234567", "Kontakt: Raum EG 1234567"), ("Kontakt: Frau Müller, 15032025", "Kontakt: Frau Müller, 15032025"),
    ("Rufen Sie den Bescheid unter 2024 081512 ab. Dann melden Sie sich an.",
     "Rufen Sie den Bescheid unter 2024 081512 ab. Dann melden Sie sich an."),
    ("Telefonnummern (Büro Leipzig, Mo-Fr) für Rückfragen zum Projekt: 7392 6514",  # a label the window cuts
     f"Telefonnummern (Büro Leipzig, Mo-Fr) für Rückfragen zum Projekt: {PHONE_MASK}"),
    ("Kontakt: Amtsgericht Leipzig VR 1234567", "Kontakt: Amtsgericht Leipzig VR 1234567"),
    # helper-37's review: a house number and postcode only after a name given after 'Kontakt:'; surnames that end
    # like a street's or are words; a capitalised word after a provider that is no word
    ("Ruf mich an: 7392 65148 Danke", f"Ruf mich an: {PHONE_MASK} Danke"),
    ("Du erreichst mich unter 7392 65148 Montags", f"Du erreichst mich unter {PHONE_MASK} Montags"),
    ("Kontakt: Anna Weiss 7392 65148 Bitte abends anrufen", f"Kontakt: Anna Weiss {PHONE_MASK} Bitte abends anrufen"),
    ("Kontakt: Frau Döring 7392 6514", f"Kontakt: Frau Döring {PHONE_MASK}"), ("Kontakt: Herr Haus 7392 6514", f"Kontakt: Herr Haus {PHONE_MASK}"),
    ("Kontakt: Herr Hellweg, 7392 6514", f"Kontakt: Herr Hellweg, {PHONE_MASK}"),
    # the window before a run takes a word it cuts whole: not 'ruf' of 'Aufruf', all of 'Handynummer'
    ("Danke für den Aufruf und das Konto der Kleiderkammer steht " + "y" * 15 + " unter 12345678 an.",
     "Danke für den Aufruf und das Konto der Kleiderkammer steht " + "y" * 15 + " unter 12345678 an."),
    ("Handynummer (Büro Leipzig, Mo-Fr) für alle Rückfragen zum Projekte: 7392 6514",
     f"Handynummer (Büro Leipzig, Mo-Fr) für alle Rückfragen zum Projekte: {PHONE_MASK}"),
    # 'an' after 'auf'/'ab' or past a sentence's end is another verb's
    ("Rufen Sie den Vorgang unter 12345678 auf und schauen Sie ihn an.", "Rufen Sie den Vorgang unter 12345678 auf und schauen Sie ihn an."),
    ("Rufen Sie das Formular unter 12345678 herunter. Dann melden Sie sich an.",
     "Rufen Sie das Formular unter 12345678 herunter. Dann melden Sie sich an."),
    ("Bei Fragen einfach anrufen 7392 6514", f"Bei Fragen einfach anrufen {PHONE_MASK}"),
    ("Anrufe bitte unter 7392 6514", f"Anrufe bitte unter {PHONE_MASK}"),
    # and its leaks
    ("Ansprechpartner*in: Dr. Anna Maria Weiss - 7392 6514", f"Ansprechpartner*in: Dr. Anna Maria Weiss - {PHONE_MASK}"),
    ("Kontaktperson: Jean-Luc Picard (Büro) 7392 6514", f"Kontaktperson: Jean-Luc Picard (Büro) {PHONE_MASK}"),
    ("Rufen Sie uns gerne unter 7392 6514 montags bis freitags zwischen 9 und 17 Uhr an.",
     f"Rufen Sie uns gerne unter {PHONE_MASK} montags bis freitags zwischen 9 und 17 Uhr an."),
    ("Rufen Sie mich unter 7392*6514 an", f"Rufen Sie mich unter {PHONE_MASK} an"), ("Telefonisch: 7392 6514", f"Telefonisch: {PHONE_MASK}"),
    # and its leaks
    ("Rufen Sie mich unter 1234567 zwischen 9 und 17 Uhr an", f"Rufen Sie mich unter {PHONE_MASK} zwischen 9 und 17 Uhr an"),
    ("Ruf mich gerne an unter 1234567", f"Ruf mich gerne an unter {PHONE_MASK}"), ("Ruf einfach an: 1234567", f"Ruf einfach an: {PHONE_MASK}"),
    ("Anrufen: 1234567", f"Anrufen: {PHONE_MASK}"), ("Meld dich gerne unter 1234567", f"Meld dich gerne unter {PHONE_MASK}"),
    ("Bitte rufen Sie mich nach achtzehn Uhr gerne am Wochenende unter 1234567 an",
     f"Bitte rufen Sie mich nach achtzehn Uhr gerne am Wochenende unter {PHONE_MASK} an"),
    ("Kummernummer: 12345678", "Kummernummer: 12345678"), ("Gemeine Nummer ist 12345678", "Gemeine Nummer ist 12345678"), ("erreichbar unterm Dach 1234567", "erreichbar unterm Dach 1234567"),
])
def test_labels_further_away_lists_and_a_bare_country_code(text, expected):
    """helper-29's list: a label with words between it and the number, the second number of a list after
    one label, and 49 without + or 00 (each leaked before); and what stays as it is beside them."""
    assert privacy.mask(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("annaATwebDOTde", EMAIL_MASK), ("Mail: a.weiss_2ATposteoPUNKTde!", f"Mail: {EMAIL_MASK}!"),
    ("DATENSCHUTZ und STATT-Party", "DATENSCHUTZ und STATT-Party"), ("NATO-DOTierung", "NATO-DOTierung"),
    ("Mail: anna\u00b7at\u00b7gmx\u00b7de.", f"Mail: {EMAIL_MASK}."),
    ("anna\u30fbat\u30fbgmx\u30fbdot\u30fbnet", EMAIL_MASK),
    ("events.at.example.org", "events.at.example.org"),  # plain dots: a host's name
    ("Kochen \u00b7 at \u00b7 home", "Kochen \u00b7 at \u00b7 home"),
    ("Adresse: a n n a @ w e b . d e, danke", f"Adresse: {EMAIL_MASK}, danke"),
    ("U S A @ 1 2 3", "U S A @ 1 2 3"),  # no domain's dot
    ("AnnaATwebDOTde", EMAIL_MASK), ("annaATwebDOTDE", EMAIL_MASK), ("ProjektATelier.de", "ProjektATelier.de"),  # a plain dot: a brand's name
    ("anna\u2022at\u2022gmx\u2022de", EMAIL_MASK), ("anna\uff0eat\uff0egmx\uff0ede", EMAIL_MASK),  # NFKC: plain dots, a provider
    ("a  n  n  a  @  w e b . d e", EMAIL_MASK), ("anna @ w e b . d e", EMAIL_MASK), ("a n n a @\nw e b . d e", EMAIL_MASK),
    ("2 x @ 3 . 5 0 \u20ac", "2 x @ 3 . 5 0 \u20ac"),  # no letters at its end
    ("Mail: anna bei web.de", f"Mail: {EMAIL_MASK}"), ("A.Weiss bei web.de", EMAIL_MASK), ("max_m auf gmx.de", EMAIL_MASK),
    ("anna92 bei web.de", EMAIL_MASK), ("Meine E-Mail-Adresse lautet anna bei gmx", f"Meine E-Mail-Adresse lautet {EMAIL_MASK}"),
    ("anna bei gmx.de", EMAIL_MASK), ("anna bei gmail", "anna bei gmail"),  # no domain: only after a word for mail
    # helper-32's ordinary texts: verbs and small words before 'bei'/'auf'
    ("Wir helfen Senioren, eine E-Mail-Adresse anzulegen bei gmx.de", "Wir helfen Senioren, eine E-Mail-Adresse anzulegen bei gmx.de"),
    ("Kontakt: mehr Infos auch auf web.de", "Kontakt: mehr Infos auch auf web.de"),
    ("Sprechzeiten per Mail: anmelden bei outlook.com", "Sprechzeiten per Mail: anmelden bei outlook.com"),
    ("Schreibe uns eine E-Mail oder frag bei gmail nach", "Schreibe uns eine E-Mail oder frag bei gmail nach"),
    # helper-31's ordinary texts
    ("Wir helfen Ihnen, eine E-Mail-Adresse bei gmx.de anzulegen.", "Wir helfen Ihnen, eine E-Mail-Adresse bei gmx.de anzulegen."),
    ("Unterstützung: Postfach bei t-online.de einrichten", "Unterstützung: Postfach bei t-online.de einrichten"),
    ("Ich arbeite bei Yahoo. Es macht Spaß.", "Ich arbeite bei Yahoo. Es macht Spaß."),
    ("Wir warten auf Mail. Es kommt bestimmt.", "Wir warten auf Mail. Es kommt bestimmt."),
    ("Tickets gibt es auf web.de", "Tickets gibt es auf web.de"), ("Ihr findet uns auch auf live.de", "Ihr findet uns auch auf live.de"),
    ("Hilfe bei E-Mail und Kalender bei Outlook", "Hilfe bei E-Mail und Kalender bei Outlook"),
    ("E-Mail: Einrichtung bei GMX", "E-Mail: Einrichtung bei GMX"),
    ("Schreibwerkstatt: Geschichten auf Yahoo", "Schreibwerkstatt: Geschichten auf Yahoo"),
    ("Hotmail: einloggen bei gmx.de", "Hotmail: einloggen bei gmx.de"),  # a word for mail is a word of its own
    ("Mail: anna bei Yahoo. Es geht", f"Mail: {EMAIL_MASK}. Es geht"),  # a sentence's end is no domain's dot
    ("Bilder bei web.de hochladen", "Bilder bei web.de hochladen"),  # web.de is a site too: a name needed
    ("Anmeldung bei helfer-allianz.de", "Anmeldung bei helfer-allianz.de"),  # no mail provider
    ("Mail an anna.weiss at gmail", f"Mail an {EMAIL_MASK}"), ("E-Mail: anna_w bei gmx", f"E-Mail: {EMAIL_MASK}"),
    ("Ich arbeite bei Yahoo", "Ich arbeite bei Yahoo"),  # without its domain: only after a word for mail
    # a local part joined by a spelled or spaced dot (its first name leaked), a bracketed 'at' before a provider alone
    ("anna punkt mueller at gmx punkt de", EMAIL_MASK), ("Mail an anna dot mueller at gmail dot com", f"Mail an {EMAIL_MASK}"),
    ("anna . mueller @ gmx . de", EMAIL_MASK), ("anna -dot- mueller -at- gmx -dot- de", EMAIL_MASK),
    ("anna punkt mueller@gmx.de", EMAIL_MASK), ("Bitte per Mail. anna@gmx.de", f"Bitte per Mail. {EMAIL_MASK}"),
    ("Wir treffen uns Punkt 12 Uhr. anna@gmx.de", f"Wir treffen uns Punkt 12 Uhr. {EMAIL_MASK}"),
    ("anna.m(at)gmx", EMAIL_MASK), ("Schreib an anna [ät] web", f"Schreib an {EMAIL_MASK}"),
    ("kontakt (at) hotmail!", f"{EMAIL_MASK}!"), ("anna -at- posteo", EMAIL_MASK),
    ("Treffen (at) home", "Treffen (at) home"), ("Kochen (at) Webseite", "Kochen (at) Webseite"),
    # helper-35's review: ordinary words before an address, and words after an '(a)', '(bei)' or '(at)' that are
    # no user name and provider, stay
    ("Anmeldung bis Freitag . info@verein.de", f"Anmeldung bis Freitag . {EMAIL_MASK}"),
    ("Fragen gern per E-Mail . info@verein.de", f"Fragen gern per E-Mail . {EMAIL_MASK}"),
    ("Start ist um 10 Uhr Punkt info@verein.de", f"Start ist um 10 Uhr Punkt {EMAIL_MASK}"),
    ("Anmeldung bis 12 . 03 . info@verein.de", f"Anmeldung bis 12 . 03 . {EMAIL_MASK}"),
    ("Meet us on the dot info@example.org", f"Meet us on the dot {EMAIL_MASK}"),
    ("https://p.de/angebote/kurs-c047bb . info@verein.de", f"https://p.de/angebote/kurs-c047bb . {EMAIL_MASK}"),
    ("Thema 1: Sicher surfen (a) Web, (b) E-Mail", "Thema 1: Sicher surfen (a) Web, (b) E-Mail"),
    ("Wir bieten\n(a) Web-Design\n(b) Social Media", "Wir bieten\n(a) Web-Design\n(b) Social Media"),
    ("Hilfe (bei) Outlook-Problemen", "Hilfe (bei) Outlook-Problemen"),
    ("Workshop (at) Web Summit 2025", "Workshop (at) Web Summit 2025"), ("Lernen \"at\" Web", "Lernen \"at\" Web"),
    ("Wir sind dabei (at) gmx-Arena", "Wir sind dabei (at) gmx-Arena"),
    # and its leaks: a joined user name before a provider alone, other brackets and providers
    ("anna punkt weiss at gmail", EMAIL_MASK), ("Mail: anna . weiss at gmx", f"Mail: {EMAIL_MASK}"),
    ("anna PUNKT weiss AT gmx PUNKT de", EMAIL_MASK), ("anna.w (at) GMX", EMAIL_MASK), ("anna <at> gmx", EMAIL_MASK),
    ("anna.w(at)gmx.", f"{EMAIL_MASK}."), ("anna.w(at)vodafone", EMAIL_MASK),
    # helper-36's review: middle dots and Markdown are no dot or @, a link's slug is no address, a time no user name
    ("04109 Leipzig · www.tafel-leipzig.de · info@tafel-leipzig.de", f"04109 Leipzig · www.tafel-leipzig.de · {EMAIL_MASK}"),
    ("Treffpunkt: hauptbahnhof · kontakt@tafel.de", f"Treffpunkt: hauptbahnhof · {EMAIL_MASK}"),
    ("Kontakt: auch . info@tafel.de", f"Kontakt: auch . {EMAIL_MASK}"),
    ("Meet our volunteers *at* online events", "Meet our volunteers *at* online events"),
    ("Find the team *at* Web Summit", "Find the team *at* Web Summit"), ("Treffen: 18:00 (at) web", "Treffen: 18:00 (at) web"),
    ("volunteers (at) Magenta Sport events", "volunteers (at) Magenta Sport events"),
    # and its leaks: a capitalised first part, a bracketed dot
    ("Anna punkt weiss ät gmx punkt de", EMAIL_MASK), ("anna (punkt) weiss ät gmx", EMAIL_MASK),
    ("anna.w(at)gmx b.x(at)gmx c.y(at)gmx", f"{EMAIL_MASK} {EMAIL_MASK} {EMAIL_MASK}"),  # one right after another
    ("a.w at gmail b.x at gmail", f"{EMAIL_MASK} {EMAIL_MASK}"), ("anna.w(at)gmx Bitte melden", f"{EMAIL_MASK} Bitte melden"),
    ("Mail: anna (at) gmx Bitte melden", f"Mail: {EMAIL_MASK} Bitte melden"), ("anna -at- gmx Danke", f"{EMAIL_MASK} Danke"),
    ("Schreib uns bei Outlook", "Schreib uns bei Outlook"), ("E-Mail-Konto bei gmx einrichten", "E-Mail-Konto bei gmx einrichten"),
])
def test_addresses_in_capitals_middle_dots_spaced_letters_and_provider_names(text, expected):
    """helper-29's list of addresses that leaked: 'AT'/'DOT' in capitals inside a word, a middle dot for
    every separator, letters spaced one by one, 'bei'/'auf' for the @ before a free mail provider, and a
    provider's name alone after a word for mail; beside each, ordinary text that reads alike."""
    assert privacy.mask(normalise(text)) == expected


@pytest.mark.parametrize("url, kept", [
    ("https://portal.example.de/kontakt/annaATwebDOTde", False), ("https://portal.example.de/a?mail=anna%C2%B7at%C2%B7gmx%C2%B7de", False),
    ("https://portal.example.de/k?m=anna_w%20bei%20web.de", False), ("https://events.at.example.org/termine", True),
    ("https://www.stadt.de/suche?text=Konto%20auf%20t-online.de", True), ("https://example.org/?q=arbeiten%20bei%20Yahoo.%20Es", True),
    ("https://portal.example.de/DATENSCHUTZ", True), ("https://portal.example.de/hilfe-bei-web-seminaren", True),
])
def test_a_link_holding_such_an_address_is_dropped(url, kept):
    assert (clean_url(url) == url) is kept


@pytest.mark.parametrize("url, kept", [
    ("https://portal.example.org/eintrag/Sie%20erreichen%20mich%20unter%2015173926514.", False),
    ("https://portal.example.org/unter%2015173926514%20erreichbar", False),
    ("https://portal.example.org/Telefonnummer%20(B%C3%BCro):%205513926514", False),
    ("https://portal.example.org/eintrag/15173926514", True), ("https://portal.example.org/kontakt/15173926514", True),
    ("https://portal.example.org/erreichbar/unter/2024/15173926514", True),  # another number between
    ("https://example.org/ar/%D9%84%D9%84%D8%AA%D9%88%D8%A7%D8%B5%D9%84/1234567", True),  # the words in another segment
    ("https://example.org/melde%20dich%20unter/1234567", True), ("https://example.org/my%20number/1234567", True),
])
def test_a_bare_number_in_a_link_said_to_reach_someone_is_no_id(url, kept):
    """A link's bare digits are a record's id, unless words before or after say they reach someone, as
    mask() reads them in text (the end-to-end corpus test found such a link in Atom's output)."""
    assert (clean_url(url) == url) is kept


@pytest.mark.parametrize("text, expected", [
    # a spelled dot before the provider's domain, after 'bei'/'auf'/'at'
    ("annaweiss bei gmx punkt de", EMAIL_MASK), ("anna.weiss bei web punkt de", EMAIL_MASK),
    ("anna punkt weiss bei gmx punkt de", EMAIL_MASK), ("annaweiss auf web (punkt) de", EMAIL_MASK),
    ("Mail gerne an annaweiss bei gmx dot net!", f"Mail gerne an {EMAIL_MASK}!"),
    ("Konto anlegen bei gmx punkt de", "Konto anlegen bei gmx punkt de"),
    ("Tickets gibt es auf web punkt de", "Tickets gibt es auf web punkt de"),
    ("mehr Infos bei web punkt de", "mehr Infos bei web punkt de"), ("Schreib uns bei gmx punkt de", "Schreib uns bei gmx punkt de"),
    # 'pkt' and 'point' for the dot; the domain after a space where the provider is no word
    ("anna pkt weiss at gmx pkt de", EMAIL_MASK), ("anna point weiss at gmail point com", EMAIL_MASK),
    ("anna unterstrich weiss at gmx punkt de", EMAIL_MASK), ("anna minus weiss at gmx punkt de", EMAIL_MASK),
    ("Preis 10 Euro minus info@tafel.de", f"Preis 10 Euro minus {EMAIL_MASK}"),
    ("anna at tafel-leipzig pkt de", EMAIL_MASK), ("anna (pkt) weiss (at) gmx (pkt) de", EMAIL_MASK), ("annaweiss ät gmx de", EMAIL_MASK), ("anna bei web de", EMAIL_MASK),
    ("anna bei online de", "anna bei online de"), ("Look at our web point of sale", "Look at our web point of sale"),
    ("At this point we need help", "At this point we need help"), ("Abfahrt 10 Uhr pkt", "Abfahrt 10 Uhr pkt"),
    # a verb before 'bei' is no user name
    ("Ich arbeite bei web.de", "Ich arbeite bei web.de"), ("Ich bin bei gmx.de", "Ich bin bei gmx.de"),
    ("Sie ist bei gmx.de angestellt", "Sie ist bei gmx.de angestellt"),
    # 'ruf ... an' right before the number, without ':' or 'unter'
    ("Ruf mich an 7392 65148", f"Ruf mich an {PHONE_MASK}"), ("Rufen Sie uns an 7392 65148", f"Rufen Sie uns an {PHONE_MASK}"),
    ("Ruf einfach an 7392 65148.", f"Ruf einfach an {PHONE_MASK}."),
    ("Rufen Sie uns an 2 Tagen der Woche an", "Rufen Sie uns an 2 Tagen der Woche an"),
    ("Der Aufruf an 1500000 Helfer", "Der Aufruf an 1500000 Helfer"),
    # 'call me', 'text me', 'call or text' without 'at' or 'on'
    ("Call me 555 123 4567", f"Call me {PHONE_MASK}"), ("Text me: 555 123 4567", f"Text me: {PHONE_MASK}"),
    ("Call or text 555 123 4567", f"Call or text {PHONE_MASK}"), ("Text HELP to 81999", "Text HELP to 81999"),
    ("Call us 24/7, we read every message", "Call us 24/7, we read every message"),
    # 'über' after 'erreichbar' or 'erreichen' and 'mich'/'uns'/'euch' ('more than' elsewhere)
    ("Du erreichst mich über 7392 65148", f"Du erreichst mich über {PHONE_MASK}"),
    ("Sie erreichen uns telefonisch über 7392 65148", f"Sie erreichen uns telefonisch über {PHONE_MASK}"),
    ("Ich bin erreichbar über 7392 65148", f"Ich bin erreichbar über {PHONE_MASK}"),
    ("Damit erreichen Sie über 1500000 Leserinnen und Leser", "Damit erreichen Sie über 1500000 Leserinnen und Leser"),
    ("Mit dem Projekt erreichen wir über 1250000 Kinder im Jahr", "Mit dem Projekt erreichen wir über 1250000 Kinder im Jahr"),
    # a line break inside the phrase (not a blank line: a paragraph)
    ("Sie erreichen mich telefonisch\nunter 7392 65148", f"Sie erreichen mich telefonisch\nunter {PHONE_MASK}"),
    ("Sie erreichen mich\ntelefonisch unter 7392 65148", f"Sie erreichen mich\ntelefonisch unter {PHONE_MASK}"),
    ("Rufen Sie mich\nunter 7392 65148 an", f"Rufen Sie mich\nunter {PHONE_MASK} an"),
    ("Ruf mich\nan 7392 65148", f"Ruf mich\nan {PHONE_MASK}"),
    ("Melde dich bei uns!\n\nDas Projekt ist registriert unter 20240815",
     "Melde dich bei uns!\n\nDas Projekt ist registriert unter 20240815"),
    ("Hier melden\n\nVereinsregister unter 2048113", "Hier melden\n\nVereinsregister unter 2048113"),
    # a single name after 'Kontakt:' with a comma, a colon or a dash before the number
    ("Kontakt: Anna, 7392 65148", f"Kontakt: Anna, {PHONE_MASK}"), ("Ansprechpartnerin: Anna - 7392 65148",
                                                                    f"Ansprechpartnerin: Anna - {PHONE_MASK}"),
    ("Kontakt: Anna, Lindenstraße 12 04109 Leipzig", "Kontakt: Anna, Lindenstraße 12 04109 Leipzig"),
    ("Kontakt: Sparkasse, 1100 5566 77", "Kontakt: Sparkasse, 1100 5566 77"), ("Kontakt: Raum: 1234567", "Kontakt: Raum: 1234567"),
    ("Kontakt: Mitgliedsausweis 12345678", "Kontakt: Mitgliedsausweis 12345678"),  # one name: a comma, colon or dash after
    # helper-38's review: a line break only inside a sentence, 'über' only before a number in groups, the bare
    # 'an' right before the number, 'Ruf' after an article a noun, more forms of 'call me' and of a single name
    ("Melde dich bei uns\nVR unter 2048113", "Melde dich bei uns\nVR unter 2048113"),
    ("Meldet euch!\nSteuernummer unter 2023 4455 66", "Meldet euch!\nSteuernummer unter 2023 4455 66"),
    ("Open Call\nApplications close on 2025 0630", "Open Call\nApplications close on 2025 0630"),
    ("Ruf mich\u2028an 7392 65148", f"Ruf mich\u2028an {PHONE_MASK}"), ("Call\nme 555 123 4567", f"Call\nme {PHONE_MASK}"),
    ("Du erreichst\nmich über 7392 65148", f"Du erreichst\nmich über {PHONE_MASK}"),
    ("Kontakt:\nAnna, 7392 65148", f"Kontakt:\nAnna, {PHONE_MASK}"),
    ("Jedes Jahr erreichen uns über 1500000 Anfragen aus ganz Deutschland",
     "Jedes Jahr erreichen uns über 1500000 Anfragen aus ganz Deutschland"),
    ("Die Tafel ist erreichbar für über 1500000 Bedürftige", "Die Tafel ist erreichbar für über 1500000 Bedürftige"),
    ("Zu erreichen über 7392 65148", f"Zu erreichen über {PHONE_MASK}"),
    ("Du kannst mich über 7392 65148 erreichen", f"Du kannst mich über {PHONE_MASK} erreichen"),
    ("Wir wollen über 1500000 Kinder erreichen", "Wir wollen über 1500000 Kinder erreichen"),
    ("Wir rufen Sie an!\n1234 5678 ist Ihr Vorgang", "Wir rufen Sie an!\n1234 5678 ist Ihr Vorgang"),
    ("Bitte rufen Sie vorher an. 2024 1234567 ist die Vorgangsnummer", "Bitte rufen Sie vorher an. 2024 1234567 ist die Vorgangsnummer"),
    ("Der Ruf des Vereins hängt an 1200000 Freiwilligen", "Der Ruf des Vereins hängt an 1200000 Freiwilligen"),
    ("Rufen Sie mich gerne jederzeit einfach an 7392 65148", f"Rufen Sie mich gerne jederzeit einfach an {PHONE_MASK}"),
    ("Ruf mich an - 7392 65148", f"Ruf mich an - {PHONE_MASK}"), ("Call me any time 555 123 4567", f"Call me any time {PHONE_MASK}"),
    ("Call/text 555 123 4567", f"Call/text {PHONE_MASK}"), ("Phone or text 555 123 4567", f"Phone or text {PHONE_MASK}"),
    ("Call me back 555 123 4567", f"Call me back {PHONE_MASK}"),
    ("Kontakt: Anna (Büro), 7392 65148", f"Kontakt: Anna (Büro), {PHONE_MASK}"), ("Kontakt: Anna • 7392 65148", f"Kontakt: Anna • {PHONE_MASK}"),
    ("Kontakt: Élodie, 7392 65148", f"Kontakt: Élodie, {PHONE_MASK}"), ("Kontakt: Łukasz - 7392 65148", f"Kontakt: Łukasz - {PHONE_MASK}"),
    ("Kontakt: Referenz: 20251234", "Kontakt: Referenz: 20251234"), ("Kontakt: Projekt-ID: 1234567", "Kontakt: Projekt-ID: 1234567"),
    ("Kontakt: Spendenkonto, 1234 5678", "Kontakt: Spendenkonto, 1234 5678"),
    # helper-39's review: an article before 'Ruf' only as a word, punctuation after the bare 'an', a line break after a
    # bracket or comma or before a title, '/' and '-' after a single name, odd joins only after a word for a phone
    ("Schreib mir oder ruf mich an 7392 65148", f"Schreib mir oder ruf mich an {PHONE_MASK}"),
    ("Trotzdem ruf mich an 7392 65148", f"Trotzdem ruf mich an {PHONE_MASK}"),
    ("Unser Ruf bei Spendern und Partnern hängt an 7392 65148", "Unser Ruf bei Spendern und Partnern hängt an 7392 65148"),
    ("Ruf mich an, 7392 65148", f"Ruf mich an, {PHONE_MASK}"), ("Ruf mich einfach an! 7392 65148", f"Ruf mich einfach an! {PHONE_MASK}"),
    ("Sie erreichen mich (telefonisch)\nunter 7392 65148", f"Sie erreichen mich (telefonisch)\nunter {PHONE_MASK}"),
    ("Sie erreichen\nFrau Müller unter 7392 65148", f"Sie erreichen\nFrau Müller unter {PHONE_MASK}"),
    ("Kontakt: Anna / 7392 65148", f"Kontakt: Anna / {PHONE_MASK}"), ("Kontakt: Anna-7392 65148", f"Kontakt: Anna-{PHONE_MASK}"),
    ("Kontakt: Geschäftsstelle (Büro) 1234 5678", "Kontakt: Geschäftsstelle (Büro) 1234 5678"),
    ("Kontakt: Spendenkonto; 1234 5678", "Kontakt: Spendenkonto; 1234 5678"),
    # helper-40's review: a single word that names a building, an office or a weekday is no name
    ("Kontakt: Stadtteilzentrum, 1234 5678 Besuche", "Kontakt: Stadtteilzentrum, 1234 5678 Besuche"),
    ("Kontakt: Gemeindehaus - 2024 0815", "Kontakt: Gemeindehaus - 2024 0815"),
    ("Kontakt: Mittwochs / 1800 2000", "Kontakt: Mittwochs / 1800 2000"),
    ("| Kapitel | 01|02|03|04 |", "| Kapitel | 01|02|03|04 |"), ("Hotel 0815|2024|11 Nächte", "Hotel 0815|2024|11 Nächte"),
    ("Telefonzeiten: Tel 08|09|10|11 Uhr", "Telefonzeiten: Tel 08|09|10|11 Uhr"), ("Aufruf 0001 • 2025 • 0042", "Aufruf 0001 • 2025 • 0042"),
    ("Meine Handynummer lautet 0151|7392|6514", f"Meine Handynummer lautet {PHONE_MASK}"),
    ("Handy (privat): 0151|7392|6514", f"Handy (privat): {PHONE_MASK}"), ("Mobiltelefon: 0151|7392|6514", f"Mobiltelefon: {PHONE_MASK}"),
    # 'Call me tomorrow', right before the number; a phone's word alone in brackets after odd joins (helper-41's review)
    ("Call me tomorrow 7392 65148", f"Call me tomorrow {PHONE_MASK}"), ("Call me, 7392 65148", f"Call me, {PHONE_MASK}"),
    ("Call me later. 2024 0815 is my room code", "Call me later. 2024 0815 is my room code"),
    ("Text us later; 2025 1130 tickets sold", "Text us later; 2025 1130 tickets sold"),
    ("0151|7392|6514 (Handy)", f"{PHONE_MASK} (Handy)"), ("| 0151 | 2024 | 0042 (Telefonie-Kosten)", "| 0151 | 2024 | 0042 (Telefonie-Kosten)"),
    ("Flug LH 0686 | 2024 | 1130 (Tel Aviv)", "Flug LH 0686 | 2024 | 1130 (Tel Aviv)"), ("Tarif 0815|2024|1130 (SMS-Paket)", "Tarif 0815|2024|1130 (SMS-Paket)"),
    ("Kontakt: 01|08|2024 bis 31|08|2024", "Kontakt: 01|08|2024 bis 31|08|2024"), ("| Kontakt: | 01 | 02 | 03 | 04 |", "| Kontakt: | 01 | 02 | 03 | 04 |"),
    ("Reach the venue via 2024 0815", "Reach the venue via 2024 0815"),
    ("annaweiss bei mail punkt de", EMAIL_MASK), ("annaweiss bei proton punkt me", EMAIL_MASK),
    ("annaweiss bei gmx . de", EMAIL_MASK), ("annaweiss bei gmx -punkt- de", EMAIL_MASK), ('annaweiss bei gmx "punkt" de', EMAIL_MASK),
    ("Wir sind auf web . de zu finden", "Wir sind auf web . de zu finden"), ("Mehr dazu auf web (punkt) de", "Mehr dazu auf web (punkt) de"),
    ("Mail: annaweiss bei gmx. Es geht um Hilfe", f"Mail: {EMAIL_MASK}. Es geht um Hilfe"),
    # groups joined by a bar, tilde, underscore, hash, bullet, semicolon or backslash after a phone's word
    ("Handy 0151|7392|6514", f"Handy {PHONE_MASK}"), ("Handy 0151_7392_6514", f"Handy {PHONE_MASK}"),
    ("Tel. 0151 # 7392 6514", f"Tel. {PHONE_MASK}"), ("Mobil: +49~151~7392~6514", f"Mobil: {PHONE_MASK}"),
    ("Tel 0151;7392;6514", f"Tel {PHONE_MASK}"), ("Handy 0151 \\ 7392 \\ 6514", f"Handy {PHONE_MASK}"),
    ("Handy: 0151 \u2022 7392 \u2022 6514", f"Handy: {PHONE_MASK}"),
    ("Tel. 0341 | 2345678 | Fax 0341 | 2345679", f"Tel. {PHONE_MASK} | Fax {PHONE_MASK}"),
    ("Handy 0151 | 7392 | 6514 | Mo-Fr", f"Handy {PHONE_MASK} | Mo-Fr"),
    ("Raum 12 | 14 Tel. 08:00 12:00 13:00 17:00", "Raum 12 | 14 Tel. 08:00 12:00 13:00 17:00"),
    ("Gruppe 1 | 2 Telefon 08, 09, 10, 11 Uhr", "Gruppe 1 | 2 Telefon 08, 09, 10, 11 Uhr"),
    ("Preise | 0151 | 7392 | 6514", "Preise | 0151 | 7392 | 6514"), ("Tel | 1151 | 7392 | 6514", "Tel | 1151 | 7392 | 6514"),
])
def test_spelled_domains_bare_calls_line_breaks_and_single_names(text, expected):
    """Disguises that leaked through the rules above (a spelled dot before a provider's domain, 'Ruf mich an'
    right before the number, 'call me', 'über', a line break inside the phrase, a single first name after
    'Kontakt:'); beside each, ordinary text that reads alike."""
    assert privacy.mask(normalise(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # a user name with a free mail provider's name for its label: the address without its '@' and domain
    ("Gmail: anna.weiss1987", f"Gmail: {EMAIL_MASK}"), ("gmail: annaweiss87", f"gmail: {EMAIL_MASK}"),
    ("Anna Weiss, gmail: anna.weiss1987", f"Anna Weiss, gmail: {EMAIL_MASK}"),
    ("Meine Gmail-Adresse ist annaweiss", f"Meine Gmail-Adresse ist {EMAIL_MASK}"),
    ("Meine Gmail-Adresse lautet annaweiss", f"Meine Gmail-Adresse lautet {EMAIL_MASK}"),
    ("GMX-Adresse: anna_w", f"GMX-Adresse: {EMAIL_MASK}"), ("GMX-Adresse: annaweiss", f"GMX-Adresse: {EMAIL_MASK}"),
    ("web.de-Adresse: anna.w", f"web.de-Adresse: {EMAIL_MASK}"), ("Outlook-Adresse: anna.w87", f"Outlook-Adresse: {EMAIL_MASK}"),
    ("Gmail-Konto: annaweiss", f"Gmail-Konto: {EMAIL_MASK}"), ("Gmail-Konto ist anna.w87", f"Gmail-Konto ist {EMAIL_MASK}"),
    ("gmail = anna.w87", f"gmail = {EMAIL_MASK}"), ("posteo: anna.w", f"posteo: {EMAIL_MASK}"),
    ("gmail anna_w87", f"gmail {EMAIL_MASK}"), ("gmail annaweiss87", f"gmail {EMAIL_MASK}"),
    ("Meine Gmail lautet annaweiss", f"Meine Gmail lautet {EMAIL_MASK}"),
    ("Kurs Gmail Grundlagen.pdf", "Kurs Gmail Grundlagen.pdf"), ("Ein Gmail-Konto ist hilfreich", "Ein Gmail-Konto ist hilfreich"),
    ("Mail: anna.weiss1987 (gmail)", f"Mail: {EMAIL_MASK} (gmail)"), ("anna.weiss1987 [GMX]", f"{EMAIL_MASK} [GMX]"),
    # an '@' with a space beside it before a provider's name alone
    ("anna.weiss1987 @gmail", EMAIL_MASK), ("anna.weiss1987 @ gmail", EMAIL_MASK), ("annaweiss @ gmx", EMAIL_MASK),
    ("anna_w @ outlook", EMAIL_MASK),
    # a name and surname written as one word before 'bei', 'auf' or an '@' and a provider
    ("Schreib an AnnaWeiss bei gmx.de", f"Schreib an {EMAIL_MASK}"), ("Mail: AnnaWeiss bei gmx", f"Mail: {EMAIL_MASK}"),
    ("AnnaWeiss @ gmail", EMAIL_MASK), ("McDonald bei gmx.de", "McDonald bei gmx.de"), ("Hilfe bei gmx.de", "Hilfe bei gmx.de"),
    ("Treffen im GoetheInstitut bei gmx", "Treffen im GoetheInstitut bei gmx"),  # helper-44: no domain, no word for mail
    # helper-44's review: no user names
    ("Kinder 3-6 (gmx)", "Kinder 3-6 (gmx)"), ("Termin 2025 (gmail)", "Termin 2025 (gmail)"), ("Version 2.1 (Outlook)", "Version 2.1 (Outlook)"),
    ("Yahoo: Q3.2025", "Yahoo: Q3.2025"), ("Gmail: v2.1", "Gmail: v2.1"), ("Gmail: Termine_2025", "Gmail: Termine_2025"),
    ("Hotmail: Nutzung_verboten", "Hotmail: Nutzung_verboten"), ("GMX-Adresse: unbedingt angeben", "GMX-Adresse: unbedingt angeben"),
    ("Gmail: Anna.Weiss87", f"Gmail: {EMAIL_MASK}"), ("Anna.Weiss1987 (gmail)", f"{EMAIL_MASK} (gmail)"),  # helper-45
    # other signs between the provider and the user name (stop 39's list)
    ("Gmail - anna.weiss1987", f"Gmail - {EMAIL_MASK}"), ("Gmail → anna.weiss1987", f"Gmail → {EMAIL_MASK}"),
    ('Gmail: "anna.weiss1987"', f'Gmail: "{EMAIL_MASK}"'), ("Gmail, anna.weiss1987", f"Gmail, {EMAIL_MASK}"),
    ("GMX – anna_w87", f"GMX – {EMAIL_MASK}"), ("GMX-Adresse – annaweiss", f"GMX-Adresse – {EMAIL_MASK}"),
    ("Gmail - Anleitung", "Gmail - Anleitung"), ("Gmail – 15 GB frei", "Gmail – 15 GB frei"),
    ("GMX, web.de, Outlook: alles geht", "GMX, web.de, Outlook: alles geht"), ("Gmail, yahoo.de und web.de", "Gmail, yahoo.de und web.de"),
    ("Outlook - Kalender 2024", "Outlook - Kalender 2024"),
    ("GMX Adresse anna.weiss", f"GMX Adresse {EMAIL_MASK}"), ("Gmail Konto anna.w", f"Gmail Konto {EMAIL_MASK}"),
    ("Mein GMX Konto wurde gehackt", "Mein GMX Konto wurde gehackt"), ("GMX Konto erstellen", "GMX Konto erstellen"),
    ("Gmail Konto z.B. privat", "Gmail Konto z.B. privat"), ("GMX Adresse Web.de", "GMX Adresse Web.de"),
    ("anna.weiss1987 (Gmail-Adresse)", f"{EMAIL_MASK} (Gmail-Adresse)"), ("anna_w87 [GMX Konto]", f"{EMAIL_MASK} [GMX Konto]"),
    ("Kurs 3-6 (Gmail-Konto)", "Kurs 3-6 (Gmail-Konto)"), ("Version 2.1 (Outlook-Konto)", "Version 2.1 (Outlook-Konto)"), ("Kurs: Gmail - v2.1", "Kurs: Gmail - v2.1"), ("Gmail, anmelden", "Gmail, anmelden"),
    # kept: the providers named in ordinary sentences, versions, hosts, abbreviations, words that say how it is
    ("Gmail: anmelden", "Gmail: anmelden"), ("GMX-Konto: einrichten", "GMX-Konto: einrichten"),
    ("Outlook: Q3.2025", "Outlook: Q3.2025"), ("Outlook: Kalender.xlsx", "Outlook: Kalender.xlsx"),
    ("Yahoo: z.B. Fotos", "Yahoo: z.B. Fotos"), ("Web.de: www.web.de", "Web.de: www.web.de"), ("Gmail: gmail.com", "Gmail: gmail.com"),
    ("Gmail: 15 GB frei", "Gmail: 15 GB frei"), ("GMX: Version 7.2", "GMX: Version 7.2"), ("GMX: 2.4 Mio Nutzer", "GMX: 2.4 Mio Nutzer"),
    ("Gmail-Adresse: folgt", "Gmail-Adresse: folgt"), ("Gmail-Konto ist nötig", "Gmail-Konto ist nötig"),
    ("Gmail-Adresse ist nötig", "Gmail-Adresse ist nötig"), ("Gmail-Adresse: optional", "Gmail-Adresse: optional"),
    ("Einführung in Gmail: google.com/gmail", "Einführung in Gmail: google.com/gmail"),
    ("Gmail: Einstellungen > Konten", "Gmail: Einstellungen > Konten"), ("Yahoo: e.V. Gründung", "Yahoo: e.V. Gründung"),
    ("Posteo: gut und günstig", "Posteo: gut und günstig"), ("Kurs: Gmail, Outlook, web.de", "Kurs: Gmail, Outlook, web.de"),
    ("Outlook 2019 Schulung", "Outlook 2019 Schulung"), ("Kurs Gmail 2.0 Einsteiger", "Kurs Gmail 2.0 Einsteiger"),
    ("GMX Kurs.de", "GMX Kurs.de"), ("Kurs (gmail) am Montag", "Kurs (gmail) am Montag"),
    ("Folgt uns @gmx", "Folgt uns @gmx"), ("Instagram @gmx", "Instagram @gmx"), ("Treffen 18 Uhr @ web", "Treffen 18 Uhr @ web"),
    ("Kurs @ Outlook", "Kurs @ Outlook"), ("Hilfe @ gmx", "Hilfe @ gmx"), ("anmelden @ gmx", "anmelden @ gmx"),
])
def test_a_user_name_labelled_with_its_mail_provider(text, expected):
    """'Gmail: anna.weiss1987', 'GMX-Adresse: anna_w', 'anna.weiss1987 (gmail)', 'annaweiss @ gmx': an address with
    its '@' and domain left out; beside each, ordinary text about the providers."""
    assert privacy.mask(normalise(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("Ruf an: null eins fünf eins 23456789", f"Ruf an: {PHONE_MASK}"), ("null-eins-fünf-eins 23456789", PHONE_MASK),
    ("Nummer: null eins fünf eins - 2345 6789", f"Nummer: {PHONE_MASK}"), ("null eins fünf eins, 23456789", PHONE_MASK),
    ("Ruf an: null eins fünf eins / 23 45 67 89", f"Ruf an: {PHONE_MASK}"), ("Tel: 0151 sieben drei neun zwei 6514", f"Tel: {PHONE_MASK}"),
    ("zero one five one 23456789 call me", f"{PHONE_MASK} call me"), ("plus vier neun eins fünf eins 2345 6789", PHONE_MASK),
    ("+49 eins fünf eins 2345 6789", PHONE_MASK), ("Handy null 151 23456789", f"Handy {PHONE_MASK}"),
    ("Melde dich bei WhatsApp unter null eins fünf eins 2345 6789", f"Melde dich bei WhatsApp unter {PHONE_MASK}"),
    # kept: one number word without a phone's word, too few or too many digits, dates and times
    ("Stunde null 2024 bis 2025", "Stunde null 2024 bis 2025"), ("Team null 2024 2025 2026", "Team null 2024 2025 2026"),
    ("Raum 0 eins 12345", "Raum 0 eins 12345"), ("Zimmer null drei, 1. Stock", "Zimmer null drei, 1. Stock"),
    ("Gruppe null, eins und zwei: 2024 2025", "Gruppe null, eins und zwei: 2024 2025"),
    ("Start 12.03.2024 null eins Uhr", "Start 12.03.2024 null eins Uhr"),
    ("null eins zwei 2026-07-19T20:00", "null eins zwei 2026-07-19T20:00"),
    ("Version 2.0 eins zwei 2024", "Version 2.0 eins zwei 2024"), ("Folge null eins zwei 12.03.2024", "Folge null eins zwei 12.03.2024"),
    ("Raum null eins 2345", "Raum null eins 2345"),
    # helper-44's review: two number words without a phone's word, or too few digits for a number with its prefix
    ("Tisch null eins 12345", "Tisch null eins 12345"), ("Sitzung null eins 2025 0312", "Sitzung null eins 2025 0312"),
    ("zwei null null zwei 2024", "zwei null null zwei 2024"),
    ("null eins 51 2345 6789", PHONE_MASK),  # helper-45: two number words in a whole mobile number
])
def test_a_number_partly_spelled_out(text, expected):
    """Number words and digit groups in one number ('null eins fünf eins 2345 6789', helper-42's probe): masked as
    a whole where there are two number words, or one after a phone's word."""
    assert privacy.mask(normalise(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("Klasse 5 01512345678", f"Klasse 5 {PHONE_MASK}"), ("Größe 38 0151 23456789", f"Größe 38 {PHONE_MASK}"),
    ("Bus 42 0151 2345 6789", f"Bus 42 {PHONE_MASK}"), ("Abholung ab 18 0151 2345 6789", f"Abholung ab 18 {PHONE_MASK}"),
    ("Jacke Gr. 146 0151 2345 6789", f"Jacke Gr. 146 {PHONE_MASK}"), ("Haus Nr 7 0531 123456", f"Haus Nr 7 {PHONE_MASK}"),
    ("Jahr 2016 0151 2345 6789", f"Jahr 2016 {PHONE_MASK}"), ("Tisch 80x120 0151 2345 6789", f"Tisch 80x120 {PHONE_MASK}"),
    ("Schrank P1 0151 2345 6789", f"Schrank P1 {PHONE_MASK}"), ("PLZ 37073 0551 123456", f"PLZ 37073 {PHONE_MASK}"),
    ("Nr. 12 +49 151 2345 6789", f"Nr. 12 {PHONE_MASK}"), ("Stand 3 0341 2345678 Fax", f"Stand 3 {PHONE_MASK} Fax"),
    # kept: zeros of an amount, an account's, short numbers after another, dates and ids with dashes
    ("IBAN DE12 3456 0000 1234 5678 90", "IBAN DE12 3456 0000 1234 5678 90"), ("1 000 000 000 Euro", "1 000 000 000 Euro"),
    ("Bus 42 0815", "Bus 42 0815"), ("Kto 123 0045 678", "Kto 123 0045 678"), ("Liste 2024 / 0042 / 1234", "Liste 2024 / 0042 / 1234"),
    ("id c933-47c2-bca9-0818047672a7", "id c933-47c2-bca9-0818047672a7"), ("Stand 2026-05-31 2026-10-14", "Stand 2026-05-31 2026-10-14"),
    ("Ticket 42 0151234567890a", "Ticket 42 0151234567890a"), ("Vorgang 12-0815 123456", "Vorgang 12-0815 123456"),
    # helper-44's review: an IBAN's groups, a date and a time, a timetable, sizes, numbers of a file or a register
    ("Spenden an IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX", "Spenden an IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX"),
    ("Termin am 3 01 2025 1400 Uhr", "Termin am 3 01 2025 1400 Uhr"), ("Linie 5 0600 0630 0700 0730 0800", "Linie 5 0600 0630 0700 0730 0800"),
    ("Kleidergrößen 86 092 098 104 110", "Kleidergrößen 86 092 098 104 110"), ("Kurs 101 0815 4711", "Kurs 101 0815 4711"),
    ("Vereinsregister VR 12 0345 678", "Vereinsregister VR 12 0345 678"), ("Gruppe 3 05 06 07 08 09", "Gruppe 3 05 06 07 08 09"),
])
def test_a_number_right_after_another_is_read_from_its_prefix(text, expected):
    """libphonenumber reads '42 0151 2345 6789' as one run, which is no number, so nothing of it was masked (helper-43's
    probe: through every connector and format)."""
    assert privacy.mask(normalise(text)) == expected


@pytest.mark.parametrize("text, shown", [
    ("Wohnung 65 m² für ½ Jahr™", "Wohnung 65 m² für ½ Jahr™"),
    ("Café´s … ª º ¹²³ µ", "Café´s … ª º ¹²³ µ"),
    # a text with a contact detail is published as detection read it (NFKC), exactly as masked
    ("ﬁnde mich unter ａｎｎａ＠ｇｍｘ．ｄｅ, 2½ Zimmer", "finde mich unter [E-Mail entfernt], 21⁄2 Zimmer"),
    ("Tel. ０１５１ ２３４５ ６７８９ – 3 km²", "Tel. [Telefon entfernt] – 3 km2"),
    ("\u200d".join("🄰🄽🄽🄰@🄴🅇🄰🄼🄿🄻🄴.🄳🄴"), "[E-Mail entfernt]"),  # helper-51: 'ANN' and 'XAMPLE.DE' were shown
    ("Tel ٠\u200d١٥١٢٣٤٥٦٧٨٩", "Tel [Telefon entfernt]"),  # a joiner between Arabic-Indic digits hid the number
    ("Kontakt: 0\u03011\u03017\u03011 2345678", "Kontakt: [Telefon entfernt]"),  # helper-52: marks on digits hid it
    ("s2014\u030105331 81958", "s2014 [Telefon entfernt]"), ("Zimmer 2\u0301", "Zimmer 2 "),  # a break, read as a space
])
def test_what_is_published_keeps_the_characters_it_was_written_in(text, shown):
    """(probe helper-49) The gate published its NFKC reading: '65 m²' became '65 m2', '½ Jahr™' '1⁄2 JahrTM',
    'Café´s' 'Café ́s'. Detection still reads NFKC (fullwidth addresses and digits are masked); a text it
    masks something in is published as it read it (helper-51: mapped back, a piece of an address could stay)."""
    assert privacy.published(text) == shown == clean_text(text)


@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.one_of(_PIECES, st.sampled_from(["0151 1234567", "Tel. 0341 6150", "anna@gmx.de", "m²",
                                                         "½", "™", "ａｎｎａ＠ｇｍｘ．ｄｅ", "０１５１ ２３４５６７８"])),
                     max_size=8).map(" ".join))
@example(text="0151 1234567 ½ 0151 1234567")  # two numbers share '½' (NFKC '1⁄2'): the second leaked once
@example(text="\u200d".join("🄰🄽🄽🄰@🄴🅇🄰🄼🄿🄻🄴.🄳🄴"))  # joiners kept between symbols split the view (helper-51)
def test_what_is_published_masks_what_the_nfkc_reading_masks(text):
    """A text the NFKC reading masks something in is published exactly as masked in that reading; any other
    keeps its own characters (NFC), and reads as that reading did."""
    read, shown = privacy.mask(normalise(text)), privacy.published(text)
    if read != normalise(text):
        assert shown == read
    else:  # read again, it reads as the text did (composed alike: 'í' and 'i' with its accent are one letter)
        assert shown == normalise(text, "NFC")
        assert unicodedata.normalize("NFC", normalise(shown)) == unicodedata.normalize("NFC", read)


def test_a_run_of_thousands_of_combining_marks_is_cut_not_sorted_for_seconds():
    """(helper-51) Normalising 'ａ' and 80,000 marks took 25 s (Unicode's canonical ordering sorts a run in
    square time): runs are cut to 16 marks first. What it counts, not how long: the text that is published."""
    text = "ａ" + "\u0301\u0327" * 40_000 + " Kontakt: anna@gmx.de"
    shown = clean_text(text)
    assert shown.endswith(" Kontakt: [E-Mail entfernt]") and len(shown) < 50
    assert clean_text("Zoë und Ṩ̈ bleiben") == "Zoë und Ṩ̈ bleiben"  # a few marks are as written


@pytest.mark.parametrize("text, expected", [
    ("Wir treffen uns am 01.05.2026.", "Wir treffen uns am 01.05.2026."),
    ("Anmeldeschluss ist der 09.01.2027. Danach geht nichts mehr.", "Anmeldeschluss ist der 09.01.2027. Danach geht nichts mehr."),
    ("Termin am 03.01.26. Bitte pünktlich.", "Termin am 03.01.26. Bitte pünktlich."), ("am 11.05.2026.", "am 11.05.2026."),
    ("Abgabe bis 25.09. möglich, danach am 04.04.28.", "Abgabe bis 25.09. möglich, danach am 04.04.28."),
    # still numbers: a digit after the dot, dots between every group
    ("Tel. 01.12.45.67.89.", f"Tel. {PHONE_MASK}."), ("Fax 06.02.2024.12345", f"Fax {PHONE_MASK}"),
    ("Tel. 0151.2345.6789.", f"Tel. {PHONE_MASK}."),
])
def test_a_date_that_ends_a_sentence_stays_a_date(text, expected):
    """(probe helper-53) A date with a day 01-09 and a full stop after its year was read as a number with its 0 prefix:
    'Wir treffen uns am 01.05.2026.' was published as 'Wir treffen uns am [Telefon entfernt].'."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Spendenkonto: DE02120300000000202051", "Spendenkonto: DE02120300000000202051"),
    ("Spendenkonto: DE02 1203 0000 0000 2020 51.", "Spendenkonto: DE02 1203 0000 0000 2020 51."),
    ("Spenden bitte an: DE05826097999952182011, BIC JANBDEJL7FA", "Spenden bitte an: DE05826097999952182011, BIC JANBDEJL7FA"),
    ("IBAN: GB29 NWBK 6016 1331 9268 19", "IBAN: GB29 NWBK 6016 1331 9268 19"),
    ("IBAN DE02 1203 0000 0000 2020 51, Tel 0151 23456789", f"IBAN DE02 1203 0000 0000 2020 51, Tel {PHONE_MASK}"),
    # no IBAN: its check digits do not hold, a digit is missing; a number behind letters
    ("Konto DE02120300000000202052", f"Konto DE{PHONE_MASK}"), ("IBAN DE02 1203 0000 0000 2020 5", f"IBAN DE{PHONE_MASK}"),
    ("Tel DE0151234567890", f"Tel DE{PHONE_MASK}"),
])
def test_a_valid_iban_is_a_bank_account_whatever_its_check_digits_begin_with(text, expected):
    """(probe helper-53) An IBAN whose check digits begin with 0 was read from that 0 as a phone number:
    'Spendenkonto: DE02120300000000202051' was published as 'Spendenkonto: DE[Telefon entfernt]'."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Einsatzgebiet: 04109 04177 04315", "Einsatzgebiet: 04109 04177 04315"),
    ("Einsatzgebiet PLZ 78820 16871 64862", "Einsatzgebiet PLZ 78820 16871 64862"),
    ("Einsatzgebiet PLZ 04340 21778 25930", "Einsatzgebiet PLZ 04340 21778 25930"), ("PLZ 04109 04177 04315 04317", "PLZ 04109 04177 04315 04317"),
    # numbers: an area code and a subscriber's (even one no subscriber has), a list a phone's word names, a group no
    # postcode begins with
    ("Einsatzgebiet 03641 12345", f"Einsatzgebiet {PHONE_MASK}"), ("Fragen? 01785 04922 (abends)", f"Fragen? {PHONE_MASK} (abends)"), ("Tel. 04109 04177 04315", f"Tel. {PHONE_MASK}"),
    ("Meldet euch unter 15173 92651", f"Meldet euch unter {PHONE_MASK}"), ("PLZ 00109 04177 04315", f"PLZ {PHONE_MASK}"),
])
def test_postcodes_one_space_apart_are_a_list_of_places(text, expected):
    """(probe helper-53) A list of postcodes with spaces between was read as one number from its 0 (or libphonenumber
    found one inside it): 'Einsatzgebiet: 04109 04177 04315' was published as 'Einsatzgebiet: [Telefon entfernt]'."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Bisher 368 929 Euro gesammelt.", "Bisher 368 929 Euro gesammelt."), ("Bisher 412 350 Euro gesammelt.", "Bisher 412 350 Euro gesammelt."),
    ("Noch 332 611 € bis zum Ziel", "Noch 332 611 € bis zum Ziel"), ("Bisher 164 240 Stück verteilt", "Bisher 164 240 Stück verteilt"),
    # numbers: with a prefix before a unit, thousands a phone's word names with no unit after them
    ("Tel 0368 929 Euro", f"Tel {PHONE_MASK} Euro"), ("Tel. 368 929", f"Tel. {PHONE_MASK}"),
])
def test_thousands_before_a_currency_or_unit_are_an_amount(text, expected):
    """(probe helper-53) Where libphonenumber took thousands for a valid number, its finding was published before the
    unit after them was looked at: 'Bisher 368 929 Euro gesammelt.' became 'Bisher [Telefon entfernt] Euro gesammelt.'."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Meldet euch unter 530 788 526.", f"Meldet euch unter {PHONE_MASK}."), ("Ruft mich gerne an: 530 788 526", f"Ruft mich gerne an: {PHONE_MASK}"),
    ("erreichbar unter 530 788 526 (abends)", f"erreichbar unter {PHONE_MASK} (abends)"),
    # amounts: a unit after them, no words of reaching right before, round thousands
    ("Meldet euch unter 530 788 526 Euro", "Meldet euch unter 530 788 526 Euro"),
    ("Meldet euch! Wir haben 530 788 526 Personen erreicht", "Meldet euch! Wir haben 530 788 526 Personen erreicht"),
    ("Wir erreichen 530 788 526 Menschen", "Wir erreichen 530 788 526 Menschen"), ("Meldet euch unter 250 000 000", "Meldet euch unter 250 000 000"),
])
def test_three_groups_of_three_said_to_reach_someone_are_a_number(text, expected):
    """(probe helper-53) A Polish number written 3-3-3 was read as thousands even where words said someone is reached
    at it: 'Meldet euch unter 530 788 526.' was published as it was."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Ruft mich gerne an: 8 (914) 177-76-31", f"Ruft mich gerne an: {PHONE_MASK}"),
    ("Meldet euch unter 8-914-177-76-31", f"Meldet euch unter {PHONE_MASK}"),
    ("Ruft mich gerne an: 8 914 177 76 31", f"Ruft mich gerne an: {PHONE_MASK}"),
    # not said to reach anyone, or a unit after it
    ("Termine: 8 914 177 76 31", "Termine: 8 914 177 76 31"), ("Wir haben 8 914 177 76 31 Stück", "Wir haben 8 914 177 76 31 Stück"),
])
def test_a_number_with_the_trunk_prefix_8_in_five_groups_said_to_reach_someone(text, expected):
    """(probe helper-53) A Russian number with its trunk prefix 8 has five groups, its area code in brackets: the shape
    of a number said to reach someone allowed four, a bracket only first, and 'Ruft mich gerne an: 8 (914) 177-76-31'
    was published as it was."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Contact: 1517 3926514", f"Contact: {PHONE_MASK}"), ("Anrufen oder SMS an 1517 3926518", f"Anrufen oder SMS an {PHONE_MASK}"),
    ("SMS an 1517 3926518", f"SMS an {PHONE_MASK}"), ("يرجى الاتصال على الرقم 1517 3926519", f"يرجى الاتصال على الرقم {PHONE_MASK}"),
    ("للاستفسار ١٥١٧ ٣٩٢٦٥٢٠", f"للاستفسار {PHONE_MASK}"), ("Call Sarah: (712) 422-0297", f"Call Sarah: {PHONE_MASK}"),
    # years, amounts and counts after the same words
    ("Contact: 2024 2025", "Contact: 2024 2025"), ("SMS an 1234567 Mitglieder verschickt", "SMS an 1234567 Mitglieder verschickt"),
    ("Call for papers: 2024 0815", "Call for papers: 2024 0815"), ("الاتصال على مدار 2024 2025", "الاتصال على مدار 2024 2025"),
])
def test_more_words_that_say_someone_is_reached(text, expected):
    """(probe helper-53) 'Kontakt:' was read as saying a number reaches someone, 'Contact:' was not; nor 'Anrufen oder SMS
    an', the noun الاتصال ('calling') before على, للاستفسار ('for enquiries') or 'Call Sarah:': each was published as it was."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Contact: +1 350-727-3900 ext. 00954", f"Contact: {PHONE_MASK}"), ("Tel. 0341 1234567 Durchwahl 12", f"Tel. {PHONE_MASK}"),
    ("Call me on (712) 422-0297 x123", f"Call me on {PHONE_MASK}"),
    # what follows a number and is none of its extensions
    ("Tel. 0341 1234567 x 2 Stunden", f"Tel. {PHONE_MASK} x 2 Stunden"), ("Tel. 0341 1234567 extra 5", f"Tel. {PHONE_MASK} extra 5"),
    ("Tel 0341 1234567 ext. 12.03.2025", f"Tel {PHONE_MASK} ext. 12.03.2025"), ("Maße 120 x80", "Maße 120 x80"),
])
def test_an_extension_is_masked_with_its_number(text, expected):
    """(probe helper-53) 'Contact: +1 350-727-3900 ext. 00954' was published as '... [Telefon entfernt] ext. 00954'."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Telegram: lkazakova", f"Telegram: {PHONE_MASK}"), ("Skype: cschneider", f"Skype: {PHONE_MASK}"),
    ("DM on Telegram: annaweiss", f"DM on Telegram: {PHONE_MASK}"), ("سكايب: qshtry", f"سكايب: {PHONE_MASK}"),
    ("Telegram: annaweiss (abends)", f"Telegram: {PHONE_MASK} (abends)"), ("Threema: annaweiss, Mail folgt", f"Threema: {PHONE_MASK}, Mail folgt"),
    ("Threema/Telegram: kevingriffith", f"Threema/Telegram: {PHONE_MASK}"), ("Телеграм: jkondratev", f"Телеграм: {PHONE_MASK}"),
    ("Skype: hans-georghentschel", f"Skype: {PHONE_MASK}"), ("Telegram: grswly", f"Telegram: {PHONE_MASK}"),
    ("Skype me: klauslindner", f"Skype me: {PHONE_MASK}"), ("Skype me: liliana60", f"Skype me: {PHONE_MASK}"),
    # words: answers, capitals, umlauts, verbs, participles, a sentence, no user names (WhatsApp), a space before the colon
    ("Telegram: nein", "Telegram: nein"), ("Skype: gerne", "Skype: gerne"), ("Telegram: Gruppe", "Telegram: Gruppe"),
    ("Telegram: ja, bitte", "Telegram: ja, bitte"), ("Telegram: gerne per Mail", "Telegram: gerne per Mail"),
    ("Telegram: vorhanden", "Telegram: vorhanden"), ("Telegram: anfragen", "Telegram: anfragen"), ("Telegram: beitreten", "Telegram: beitreten"),
    ("Signal: erwünscht", "Signal: erwünscht"), ("Telegram: geplant", "Telegram: geplant"), ("Telegram: gruppe", "Telegram: gruppe"),
    ("Signal: gelb", "Signal: gelb"), ("Skype: available", "Skype: available"), ("Skype: möglich", "Skype: möglich"),
    ("Telegram: freiwillig", "Telegram: freiwillig"), ("WhatsApp: annaweiss", "WhatsApp: annaweiss"),
    ("Telegram : Infos folgen", "Telegram : Infos folgen"), ("Telegram: e-mail", "Telegram: e-mail"), ("Signal: täglich", "Signal: täglich"),
    ("Telegram: weekly", "Telegram: weekly"),
])
def test_a_plain_user_name_right_after_a_messenger_and_its_colon(text, expected):
    """(probe helper-53) A user name of letters alone after 'Telegram:' or 'Skype:' was published (a user name needed a
    digit, '_' or '.'): 'Telegram: lkazakova', 'Skype: cschneider', 'سكايب: qshtry'."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Artikel EAN 0267917569963", "Artikel EAN 0267917569963"),
    ("EAN-13: 0805817020209, ISBN 978-1-264-23953-5", "EAN-13: 0805817020209, ISBN 978-1-264-23953-5"),
    # its check digit wrong, no article's name before it
    ("Artikel EAN 0267917569964", f"Artikel EAN {PHONE_MASK}"), ("Tel 0267917569963", f"Tel {PHONE_MASK}"),
])
def test_an_article_number_after_ean_or_gtin_with_its_check_digit_right(text, expected):
    """(probe helper-53) 'Artikel EAN 0267917569963' was published as 'Artikel EAN [Telefon entfernt]'."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    # leaks the rules of VERSION 16 opened, found by review helper-61: masked again
    ("Frau Meier 03641 12345 03641 67890", f"Frau Meier {PHONE_MASK}"),  # an area code and a number, twice: no postcodes
    ("Büro 03641 12345 67890", f"Büro {PHONE_MASK}"),
    ("Frau Meier, 01511 23456 78901", f"Frau Meier, {PHONE_MASK}"),
    ("Tel.: 0341 12.11.45. Wir freuen uns auf dich!", f"Tel.: {PHONE_MASK}. Wir freuen uns auf dich!"),  # no date
    ("Telefon: 0221 / 24.11.86.", f"Telefon: {PHONE_MASK}."),
    ("Handy: 0151 12.12.2012.", f"Handy: {PHONE_MASK}."),
    ("Tel. 372 838 Tage", f"Tel. {PHONE_MASK} Tage"),  # a unit after it, but a phone's word before
    ("Call me on (712) 422-0297 x123", f"Call me on {PHONE_MASK}"),
    # and what they must still keep
    ("Einsatzgebiet: 04109 04177 04315", "Einsatzgebiet: 04109 04177 04315"),
    ("Einsatzgebiet PLZ 04340 21778 25930", "Einsatzgebiet PLZ 04340 21778 25930"),
    ("Wir treffen uns am 01.05.2026.", "Wir treffen uns am 01.05.2026."),
    ("Bisher 368 929 Euro gesammelt.", "Bisher 368 929 Euro gesammelt."),
    # ordinary words VERSION 16 masked: kept
    ("Signal: good", "Signal: good"), ("Wire: copper", "Wire: copper"), ("Discord: server", "Discord: server"),
    ("Telegram: fehlt", "Telegram: fehlt"), ("Skype: teams", "Skype: teams"), ("Treffen per Skype: montags", "Treffen per Skype: montags"),
    ("Call For Papers: 2025 0301 0430", "Call For Papers: 2025 0301 0430"), ("Ring Road: 1234 5678", "Ring Road: 1234 5678"),
    ("Tel 030 1234567 x2 pro Woche", f"Tel {PHONE_MASK} x2 pro Woche"),
    ("Ruf an: 030 1234567, App 2 herunterladen", f"Ruf an: {PHONE_MASK}, App 2 herunterladen"),
    ("SMS an 1500 2000 Empfänger", "SMS an 1500 2000 Empfänger"),
    ("Meldet euch unter 250 100 999 Stimmen", "Meldet euch unter 250 100 999 Stimmen"),
])
def test_what_the_review_of_version_16_found(text, expected):
    assert privacy.published(text) == expected


# -- probe helper-75: numbers that no word names, written as only phone numbers are ------------------------------


@pytest.mark.parametrize("text, expected", [
    ("Fragen? (712) 422-0297 (abends)", f"Fragen? {PHONE_MASK} (abends)"), ("(591)341-7776", PHONE_MASK),
    ("Meldet euch: 769-669-1674", f"Meldet euch: {PHONE_MASK}"), ("Anna, 386.213.3594", f"Anna, {PHONE_MASK}"),
    ("Звоните 8 (914) 123-45-67", f"Звоните {PHONE_MASK}"), ("Вопросы? 8 (177) 603-3358 (вечером)", f"Вопросы? {PHONE_MASK} (вечером)"),
    ("Телефон 8 142 619 6252", f"Телефон {PHONE_MASK}"), ("ТЕЛ.: 8 142 619 6252", f"ТЕЛ.: {PHONE_MASK}"),
    ("89209416713", PHONE_MASK),
    ("Abholung nach Absprache, 6376233548337", f"Abholung nach Absprache, {PHONE_MASK}"),  # Faker's msisdn()
    ("0151_2345_6789", PHONE_MASK), ("Datei 0151_2345_6789", f"Datei {PHONE_MASK}"),
    ("Gr. 40 01 51 2345 6789", f"Gr. 40 {PHONE_MASK}"),
    ("Tel. 0341 1234567 Durchwahl 1234567", f"Tel. {PHONE_MASK}"),
    # what stays: amounts, years, dates and ids in the same shapes, an EAN with its check digit or after its word
    ("Bisher 8 260 181 Euro", "Bisher 8 260 181 Euro"), ("Вопросов 8 260 181 59", "Вопросов 8 260 181 59"), ("Artikel 4901234567894", "Artikel 4901234567894"),
    ("EAN 4952251348917", "EAN 4952251348917"), ("4006381333931", "4006381333931"), ("Zeitraum 2024-2025", "Zeitraum 2024-2025"),
    ("/aufruf/22961_5f8bfc56e18212b5", "/aufruf/22961_5f8bfc56e18212b5"), ("2024_01_15_bericht.pdf", "2024_01_15_bericht.pdf"),
    ("Größen 38 01 02 03 04", "Größen 38 01 02 03 04"), ("ISBN 978-1-264-23953-5", "ISBN 978-1-264-23953-5"),
    ("Version 1.234.5678", "Version 1.234.5678"), ("Bestand 123-045-6789", "Bestand 123-045-6789"),
])
def test_a_number_written_as_only_a_phone_number_is(text, expected):
    """(probe helper-75, with Faker's numbers) A North American number, a Russian one with its trunk 8, an MSISDN, a mobile
    number joined by underscores or with its prefix split after another number were published where no word named them,
    and an extension of seven digits was left beside its number's mask."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text", [
    "Referenznummer: 498372590 bitte bei der Überweisung angeben.", "Preis 97 € (Art.-Nr. 01878011)",
    "Eingetragen beim Amtsgericht Sonneberg, VR 54582, Steuernummer 97/499/16919", "St.-Nr. 201/123/45678",
    "Bestellnummer 2024-784655, Aktenzeichen 35 F 1647/25", "Az. 11 C 3684/25",
    "Rechnungs-Nr.: 0341123456", "Sendungsnummer 00340434161094012345",
    "Spenden: NO93 8601 1117 947", "IBAN NO9386011117947", "Spenden: GB93PHFO49288595568822", "GB50OZAP08851035354504",
])
def test_a_number_its_word_names_as_no_phone_and_an_iban_with_an_o_stay(text):
    """(probe helper-75) Order, reference, article and tax numbers and a file number were masked as phone numbers; so were
    IBANs with an O beside a digit (Norway's 'NO', a British bank code 'PHFO'), which the probe reads as 0."""
    assert privacy.published(text) == text


@pytest.mark.parametrize("text, expected", [
    ("Tel 0341 1234567, Kundennummer 12345678", f"Tel {PHONE_MASK}, Kundennummer 12345678"),
    ("Kundennummer 1234, Tel. 0151 23456789", f"Kundennummer 1234, Tel. {PHONE_MASK}"),
    ("Handy (nicht die Kundennummer): 0151 23456789", f"Handy (nicht die Kundennummer): {PHONE_MASK}"),
    ("N093 8601 1117 948 anrufen", f"N{PHONE_MASK} anrufen"),  # no IBAN, its check digits wrong either way
])
def test_a_number_word_names_only_the_run_right_after_it(text, expected):
    assert privacy.published(text) == expected


def _iban(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(country=st.sampled_from(["NO", "GB", "NL", "DE", "RO"]), letters=st.text("ABCDOZ", min_size=4, max_size=4),
       digits=st.text("0123456789", min_size=14, max_size=14), spaced=st.booleans(), before=FILLER)
def test_a_valid_iban_stays_whatever_o_it_holds(country, letters, digits, spaced, before):
    """Generated IBANs (their check digits right) with O among their letters and 0 among their digits stay as they are."""
    bban = {"NO": digits[:11], "GB": letters + digits, "NL": letters + digits[:10], "DE": digits[:14] + digits[:4],
            "RO": letters + letters + digits[:12]}[country]
    iban = _iban(country, bban)
    if spaced:
        iban = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
    text = f"{before} IBAN: {iban}"
    assert privacy.published(text) == privacy.published(before + " IBAN: ") + iban


@settings(max_examples=200, deadline=None, derandomize=True)
@given(before=FILLER, after=FILLER, area=st.from_regex(r"[2-9][0-9]{2}", fullmatch=True),
       exchange=st.from_regex(r"[2-9][0-9]{2}", fullmatch=True), line=st.from_regex(r"[0-9]{4}", fullmatch=True),
       form=st.sampled_from(["({a}) {e}-{l}", "({a}){e}-{l}", "{a}-{e}-{l}", "{a}.{e}.{l}", "8 ({a}) {e}-{l2}-{l3}",
                             "Тел. 8 {a} {e} {l}", "8 ({a}) {e}-{l}"]))
def test_generated_north_american_and_russian_numbers_never_survive(before, after, area, exchange, line, form):
    number = form.format(a=area, e=exchange, l=line, l2=line[:2], l3=line[2:])
    out = clean_text(f"{before} {number} {after}")
    assert not survives(exchange + line, out), (number, out)


@pytest.mark.parametrize("text, expected", [
    ("Telegram: ludwig", f"Telegram: {PHONE_MASK}"), ("Telegram: hedwig", f"Telegram: {PHONE_MASK}"),
    ("Skype: carlos", f"Skype: {PHONE_MASK}"), ("Telegram: bassam", f"Telegram: {PHONE_MASK}"),
    ("Telegram: Lkazakova", f"Telegram: {PHONE_MASK}"), ("Skype: Mschulz", f"Skype: {PHONE_MASK}"),
    ("Telegram : lkazakova", f"Telegram : {PHONE_MASK}"), ("Telegram :lkazakova", f"Telegram :{PHONE_MASK}"),
    ("Gmail: anna", f"Gmail: {EMAIL_MASK}"), ("GMX: annaweiss", f"GMX: {EMAIL_MASK}"), ("Gmail: Lschulz", f"Gmail: {EMAIL_MASK}"),
    ("Gmail: Anna_Weiss", f"Gmail: {EMAIL_MASK}"), ("Gmail: Anna.Weiss", f"Gmail: {EMAIL_MASK}"),
    ("anna.weiss1987 – gmail", f"{EMAIL_MASK} – gmail"), ("laurierobinson - gmx", f"{EMAIL_MASK} - gmx"),
    ("E-Mail (Gmail): anna.weiss1987", f"E-Mail (Gmail): {EMAIL_MASK}"), ("E-Mail (Gmail): anna", f"E-Mail (Gmail): {EMAIL_MASK}"),
    ("bei Gmail als anna.weiss1987", f"bei Gmail als {EMAIL_MASK}"), ("Anna.Weiss87 (gmail)", f"{EMAIL_MASK} (gmail)"),
    ("AnnaMariaLuiseWeiss bei gmx", EMAIL_MASK), ("AnnaWeiss bei gmail", EMAIL_MASK), ("Anna: AnnaWeiss auf gmx", f"Anna: {EMAIL_MASK}"),
    ("Rsaserfat (gmail)", f"{EMAIL_MASK} (gmail)"),
    # words after the same labels: answers, capitals, verbs, adjectives, a sentence; words before a provider's name
    ("Telegram: Gruppe", "Telegram: Gruppe"), ("Telegram: Schmidt", "Telegram: Schmidt"), ("Telegram: wichtig", "Telegram: wichtig"),
    ("Telegram: ewig", "Telegram: ewig"), ("Skype: kostenlos", "Skype: kostenlos"), ("Telegram: langsam", "Telegram: langsam"),
    ("Telegram : Infos folgen", "Telegram : Infos folgen"), ("Telegram : nein", "Telegram : nein"),
    ("Gmail: nein", "Gmail: nein"), ("Gmail: kostenlos", "Gmail: kostenlos"), ("Gmail: anmelden", "Gmail: anmelden"),
    ("Gmail: Anleitung", "Gmail: Anleitung"), ("Outlook: anna", "Outlook: anna"), ("Gmail: gut und schnell", "Gmail: gut und schnell"),
    ("Gmail: Termine_2025", "Gmail: Termine_2025"), ("Hotmail: Nutzung_verboten", "Hotmail: Nutzung_verboten"),
    ("bei Gmail als Nutzer", "bei Gmail als Nutzer"), ("Gmail als Standard", "Gmail als Standard"),
    ("Treffen im GoetheInstitut bei gmx", "Treffen im GoetheInstitut bei gmx"), ("Kurs - gmail", "Kurs - gmail"),
    ("Hilfe – gmail", "Hilfe – gmail"), ("bitte – gmail", "bitte – gmail"), ("Version 2.1 – Outlook", "Version 2.1 – Outlook"),
])
def test_user_names_after_a_label_or_beside_a_provider_that_earlier_rules_missed(text, expected):
    """(probe helper-75) A user name of letters alone that ends as a German word does ('ludwig'), is capitalised
    ('Lkazakova'), or follows a space before the colon, after a messenger's name; a user name after a mail provider's name
    and a colon ('Gmail: anna', which an earlier test kept as a word), in brackets ('E-Mail (Gmail): ...'), after 'als',
    before a dash and the provider, a name and surname in one word of up to four parts, or without a domain: all published."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("a.n.n.a at g.m.x dot d.e", EMAIL_MASK), ("Mail: anna at g.m.x dot de", f"Mail: {EMAIL_MASK}"),
    ("anna (at) g.m.x.de", EMAIL_MASK), ("a.n.n.a [at] w.e.b [dot] d.e bitte", f"{EMAIL_MASK} bitte"),
    ("anna Ⓐ gmx.de", EMAIL_MASK), ("annaⓐgmx.de", EMAIL_MASK), ("Kontakt: anna ⓐ web.de!", f"Kontakt: {EMAIL_MASK}!"),
    # abbreviations and a circled letter that marks a list's item
    ("Wir treffen uns u.a. at d.h. dot z.B", "Wir treffen uns u.a. at d.h. dot z.B"), ("z.B. at home, d.h. at work.", "z.B. at home, d.h. at work."),
    ("Die U.S. at war. Dot com", "Die U.S. at war. Dot com"), ("Ⓐ Option A, Ⓑ Option B", "Ⓐ Option A, Ⓑ Option B"),
    ("Abends z.B. bei gmx.de anmelden", "Abends z.B. bei gmx.de anmelden"),
])
def test_an_address_spelled_letter_by_letter_or_with_a_circled_a(text, expected):
    """(probe helper-75) 'a.n.n.a at g.m.x dot d.e' and 'anna Ⓐ gmx.de' (NFKC reads Ⓐ as 'A') were published."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("xpeukert bei gmail", EMAIL_MASK), ("Cneal bei gmx", EMAIL_MASK), ("bei Gmail als xpohl", f"bei Gmail als {EMAIL_MASK}"),
    ("Wilhelm82 (gmail)", f"{EMAIL_MASK} (gmail)"), ("Gmail: Dagmar93", f"Gmail: {EMAIL_MASK}"),
    ("Gmail: Wilhelm1987", f"Gmail: {EMAIL_MASK}"),
    # words: an abbreviation, a surname or a word before 'bei', a word glued to a year
    ("bzgl bei gmx", "bzgl bei gmx"), ("Schmidt bei gmail", "Schmidt bei gmail"), ("Hilfe bei gmx", "Hilfe bei gmx"),
    ("Termin2025 (gmail)", "Termin2025 (gmail)"), ("Gmail: Termine2025", "Gmail: Termine2025"), ("Gmail als Standard", "Gmail als Standard"),
])
def test_user_names_made_of_an_initial_and_a_surname_or_a_name_and_a_year(text, expected):
    """(probe helper-75, Faker's user names) 'xpeukert bei gmail', 'bei Gmail als xpohl', 'Dagmar93 (gmail)' were published:
    an initial before a surname begins with two consonants that begin no word, a name with two digits is a user name."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Contact: 77 69 01 89 55", f"Contact: {PHONE_MASK}"), ("رقمي 48 63 66 61 76", f"رقمي {PHONE_MASK}"),
    ("Wer helfen kann, bitte unter 577 603 137 melden!", f"Wer helfen kann, bitte unter {PHONE_MASK} melden!"),
    ("Kontakt: Frau Müller, 662 791 805", f"Kontakt: Frau Müller, {PHONE_MASK}"),
    ("يرجى الاتصال على الرقم 8 (731) 322 8171", f"يرجى الاتصال على الرقم {PHONE_MASK}"), ("رقمي (260)181 5908", f"رقمي {PHONE_MASK}"),
    # pairs, groups of three and a bracket where no one is said to be reached, or with a unit
    ("Spielstand 12 10 08 06 04", "Spielstand 12 10 08 06 04"), ("Ergebnis: 577 603 137 Stimmen", "Ergebnis: 577 603 137 Stimmen"),
    ("Kontakt: Frau Müller, 250 100 000", "Kontakt: Frau Müller, 250 100 000"), ("Seite (12) 3 von 4", "Seite (12) 3 von 4"),
])
def test_pairs_groups_of_three_and_bracketed_area_codes_where_words_say_someone_is_reached(text, expected):
    """(probe helper-75, the numbers of helper-61's Faker set) Digits in pairs after 'Contact:', three groups of three
    between 'unter' and 'melden' or after a contact's name, an area code in brackets before groups joined by a space."""
    assert privacy.published(text) == expected


@settings(max_examples=200, deadline=None, derandomize=True)
@given(lat=st.floats(-89.99999, 89.99999), lon=st.floats(-179.99999, 179.99999), before=FILLER)
def test_coordinates_stay(lat, lon, before):
    """(probe helper-75) 'Koordinaten: 35.80002, 0.69554' was published as 'Koordinaten: 35.80002, [Telefon entfernt]'."""
    text = f"{before} Koordinaten: {lat:.5f}, {lon:.5f}"
    assert privacy.published(text) == privacy.published(before + " Koordinaten: ") + f"{lat:.5f}, {lon:.5f}"


@pytest.mark.parametrize("text, expected", [
    ("please ring 826 8018159 if you can help", f"please ring {PHONE_MASK} if you can help"),
    ("Infos bei Herrn Yilmaz 503 062 611", f"Infos bei Herrn Yilmaz {PHONE_MASK}"),
    ("Infos bei Herrn Yilmaz 7047743957", f"Infos bei Herrn Yilmaz {PHONE_MASK}"),
    ("Fragen an Frau Weiss: 7392 65148", f"Fragen an Frau Weiss: {PHONE_MASK}"),
    # years, amounts and counts after the same words
    ("Infos bei Herrn Yilmaz 2024 2025", "Infos bei Herrn Yilmaz 2024 2025"),
    ("Infos bei Frau Weiss 250 000 Euro", "Infos bei Frau Weiss 250 000 Euro"),
    ("Anmeldung bei Caritas Leipzig 1234567 Mitglieder", "Anmeldung bei Caritas Leipzig 1234567 Mitglieder"),
    ("Ring Road: 1234 5678", "Ring Road: 1234 5678"),
])
def test_please_ring_and_infos_from_a_named_person_say_someone_is_reached(text, expected):
    """(probe helper-75, helper-61's Faker templates) 'please ring 826 8018159' and 'Infos bei Herrn Yilmaz 503 062 611'
    were published."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text", ["Aktenzeichen: +49 172 1234567", "Kundennummer +49 30 12345678",
                                  "Bestellnummer: +43 664 1234567 anrufen", "Referenznummer (+49) 172 1234567",
                                  # (review helper-79) a mobile number's shape, or 00 and a country's code
                                  "Bestellnummer 0049 172 1234567", "Kundennummer 0172 1234567 (das ist meine Handynummer)",
                                  "Steuernummer 0172 1234567 Anrufen!", "Rechnungsnummer 0172-1234567 oder WhatsApp",
                                  "Auftragsnummer 0172/1234567", "Vorgangsnummer 0172 1234567", "Kundennummer 0151 2345 6789"])
def test_a_number_with_a_countrys_code_is_a_phone_number_whatever_word_names_it(text):
    """(review helper-79) v17 kept a run after 'Kundennummer', 'Aktenzeichen' … as that other number, so a phone number
    with its country's code ('+49 172 1234567') was published whole behind such a word (v16 masked it). No order, file
    or customer number begins with '+'."""
    published = privacy.published(text)
    assert PHONE_MASK in published and "1234567" not in published


@pytest.mark.parametrize("text", ["Öffnungszeiten: 08.30-12.30 Uhr", "Uhrzeit: 09.30 - 11.30 Uhr",
                                  "Mo–Fr 8.30–12.30 und 14:00-17:30", "Ausgabe 10:00 – 12:00 Uhr"])
def test_opening_hours_written_with_dots_or_colons_stay(text):
    """(review helper-79) 'Öffnungszeiten: 08.30-12.30 Uhr' was published as '[Telefon entfernt] Uhr' (since v16):
    libphonenumber read the eight digits of a span of time as a number."""
    assert privacy.published(text) == text


@pytest.mark.parametrize("text", ["Tel. 08.30-12.30", "Handy: 0830-1230 56"])
def test_a_span_of_time_named_as_a_phone_is_still_masked(text):
    assert PHONE_MASK in privacy.published(text)


# -- helper-80: numbers a question or a time to call names, dotted groups, counting rows, Russian postcodes ----------


@pytest.mark.parametrize("text, expected", [
    ("Questions? 7023627218 (evenings)", f"Questions? {PHONE_MASK} (evenings)"),
    ("Fragen? ۷۰۲۳۶۲۷۲۱۸ (abends)", f"Fragen? {PHONE_MASK} (abends)"),  # Persian digits
    ("Fragen? ٧٠٢٣٦٢٧٢١٨ (abends)", f"Fragen? {PHONE_MASK} (abends)"),  # Arabic-Indic digits
    ("Fragen? 7023627218", f"Fragen? {PHONE_MASK}"), ("Ruf gern an, 7023627218 (ab 18 Uhr)", f"Ruf gern an, {PHONE_MASK} (ab 18 Uhr)"),
    ("Fragen? 826-8018159 (abends)", f"Fragen? {PHONE_MASK} (abends)"), ("Fragen? 704/7743957 (abends)", f"Fragen? {PHONE_MASK} (abends)"),
    ("Fragen? 6979352570421 (abends)", f"Fragen? {PHONE_MASK} (abends)"),  # an MSISDN whose EAN-13 check digit holds
    ("Вопросы? 8 142 619 6252 (вечером)", f"Вопросы? {PHONE_MASK} (вечером)"),
    ("Infos bei Herrn Yilmaz 17 67 69 24 70 8", f"Infos bei Herrn Yilmaz {PHONE_MASK}"),  # pairs and a last digit
    # what stays: no question or time to call, years, amounts, counts, dates and times after the same words
    ("Termine: 8 914 177 76 31", "Termine: 8 914 177 76 31"), ("Questions? 2024 2025 (evenings)", "Questions? 2024 2025 (evenings)"),
    ("Fragen? 1234567 Mitglieder (abends)", "Fragen? 1234567 Mitglieder (abends)"), ("Fragen? 12.03.2024 (abends)", "Fragen? 12.03.2024 (abends)"),
    ("Sprechzeiten 08.30-12.30 (werktags)", "Sprechzeiten 08.30-12.30 (werktags)"), ("Fragen? 1.200.000 (abends)", "Fragen? 1.200.000 (abends)"),
    ("Kurs 2024 2025 (abends)", "Kurs 2024 2025 (abends)"), ("Ausgabe 1000-1800 (werktags)", "Ausgabe 1000-1800 (werktags)"),
    ("4006381333931", "4006381333931"), ("Bestellnummer 7023627218 (abends)", "Bestellnummer 7023627218 (abends)"),
])
def test_a_question_before_a_number_or_a_time_to_call_after_it_says_someone_is_reached(text, expected):
    """(helper-80) 'Questions? 7023627218 (evenings)', in Persian or Arabic-Indic digits too, an MSISDN whose EAN-13 check digit
    happens to hold and 'Вопросы? 8 142 619 6252 (вечером)' were published: no word said someone is reached at them."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Call me on 1400.463.9436", f"Call me on {PHONE_MASK}"), ("Reach us at 1753.966.3062.", f"Reach us at {PHONE_MASK}."),
    ("Ich bin unter der Nummer 85513.137.353 erreichbar.", f"Ich bin unter der Nummer {PHONE_MASK} erreichbar."),
    ("للتواصل: 1241.597.9237", f"للتواصل: {PHONE_MASK}"), ("Telefonnummer: 1400.463.9436", f"Telefonnummer: {PHONE_MASK}"),
    # dots where no one is reached, or no group of four digits: times, dates, thousands, versions, coordinates, addresses
    ("Version 1.234.5678", "Version 1.234.5678"), ("Öffnungszeiten: 08.30-12.30 Uhr", "Öffnungszeiten: 08.30-12.30 Uhr"),
    ("Call me on 12.03.2024", "Call me on 12.03.2024"), ("Meldet euch unter 1.200.000", "Meldet euch unter 1.200.000"),
    ("Call me on 192.168.100.1", "Call me on 192.168.100.1"), ("Version 10.2.1234 (abends)", "Version 10.2.1234 (abends)"),
    ("Fragen? Artikel 4006381333931 (abends)", "Fragen? Artikel 4006381333931 (abends)"), ("Kontakt: 52.5200, 13.4050", "Kontakt: 52.5200, 13.4050"),
    ("Meldet euch bis 12.03.2024 unter 08.30", "Meldet euch bis 12.03.2024 unter 08.30"), ("1400.463.9436", "1400.463.9436"),
])
def test_groups_joined_by_dots_where_words_say_someone_is_reached(text, expected):
    """(helper-80) 'Call me on 1400.463.9436' was published: a dot ruled any run out of the shape of a number said to reach."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Zahlen 0 1 2 3 4 5 6 7 8 9", "Zahlen 0 1 2 3 4 5 6 7 8 9"), ("Countdown 9 8 7 6 5 4 3 2 1 0", "Countdown 9 8 7 6 5 4 3 2 1 0"),
    ("г. Москва, 101000, ул. Тверская 7", "г. Москва, 101000, ул. Тверская 7"),
    ("Адрес: 382028 Москва, ул. Тверская 7", "Адрес: 382028 Москва, ул. Тверская 7"),
    ("Russland, 350005 Krasnodar", "Russland, 350005 Krasnodar"),
    # a number all the same: digits spaced one by one that do not count, a word for a phone, no address
    ("Tel 0 1 2 3 4 5 6 7 8 9", f"Tel {PHONE_MASK}"), ("Zahlen 0 1 5 1 2 3 4 5 6 7 8", f"Zahlen {PHONE_MASK}"),
    ("Тел. 382028, г. Москва", f"Тел. {PHONE_MASK}, г. Москва"), ("Rufnummer 0 1 2 3 4 5 6 7", f"Rufnummer {PHONE_MASK}"),
])
def test_a_counting_row_and_a_russian_postcode_are_no_number(text, expected):
    """(helper-80) 'Zahlen 0 1 2 3 4 5 6 7 8 9' was published as 'Zahlen [Telefon entfernt]' (its 0 read as a trunk prefix), and
    the postcode of 'г. Москва, 382028, ул. Тверская 7' masked: libphonenumber reads six digits from 16, 22 or 33-39 as a German
    number without its area code's 0."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Michaelrichardson (gmail)", f"{EMAIL_MASK} (gmail)"), ("Telegram: Justinpeters", f"Telegram: {PHONE_MASK}"),
    ("Telegram : Justinpeters", f"Telegram : {PHONE_MASK}"), ("carstenlinke bei gmail", EMAIL_MASK),
    ("Skype: tracyfleming", f"Skype: {PHONE_MASK}"), ("Gmail: Michaelrichardson", f"Gmail: {EMAIL_MASK}"),
    ("Skype me: edoering", f"Skype me: {PHONE_MASK}"), ("DM on Telegram: edoering", f"DM on Telegram: {PHONE_MASK}"),
    ("Skype me: livkung", f"Skype me: {PHONE_MASK}"), ("Skype me: Edoering", f"Skype me: {PHONE_MASK}"), ("Schreib mir auf Telegram: eking", f"Schreib mir auf Telegram: {PHONE_MASK}"),
    ("Telegram : name annaweiss", f"Telegram : name {PHONE_MASK}"), ("Telegram-Name annaweiss", f"Telegram-Name {PHONE_MASK}"),
    # words: compounds that begin with a given name, a genitive's s, answers after 'Skype me:', a label's plural, Threema's words
    ("Martinshorn (gmail)", "Martinshorn (gmail)"), ("Telegram: Ludwigshafen", "Telegram: Ludwigshafen"),
    ("Andreaskreuz bei gmx.de", "Andreaskreuz bei gmx.de"), ("Telegram: Petersilie", "Telegram: Petersilie"),
    ("Veranstaltung bei web.de", "Veranstaltung bei web.de"), ("Lisakurs (gmail)", "Lisakurs (gmail)"),
    ("Telegram: Christkind", "Telegram: Christkind"), ("Telegram: Annaberg", "Telegram: Annaberg"),
    ("Skype me: anytime", "Skype me: anytime"), ("DM on Telegram: Bitte", "DM on Telegram: Bitte"), ("DM on Telegram: gerne", "DM on Telegram: gerne"), ("Skype: meeting", "Skype: meeting"),
    ("Telegram-Name oder Nummer", "Telegram-Name oder Nummer"), ("Telegram-Name folgt", "Telegram-Name folgt"),
    ("Telegram-Namen anna", "Telegram-Namen anna"), ("Threema id after", "Threema id after"), ("Telegram : Infos folgen", "Telegram : Infos folgen"),
])
def test_a_given_name_and_surname_in_one_word_and_a_user_name_after_skype_me(text, expected):
    """(helper-80) 'Michaelrichardson (gmail)', 'Telegram: Justinpeters', 'carstenlinke bei gmail' (a given name and a surname in
    one word), 'Skype me: edoering' and 'DM on Telegram: edoering' (read as an English -ing word though the words before ask to
    be contacted there) and 'Telegram : name annaweiss' were published."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Anna 8 142 619 6252", f"Anna {PHONE_MASK}"), ("8\u00a0142\u00a0619\u00a06252", PHONE_MASK), ("８ １４２ ６１９ ６２５２", PHONE_MASK),
    # its trunk 8 before other groups: dates and times in twos, thousands in threes, a unit after it, a word naming another number
    ("Termine: 8 914 177 76 31", "Termine: 8 914 177 76 31"), ("Bisher 8 260 181 Euro", "Bisher 8 260 181 Euro"),
    ("Wir haben 8 142 619 6252 Euro", "Wir haben 8 142 619 6252 Euro"), ("Bestellnummer 8 142 619 6252", "Bestellnummer 8 142 619 6252"),
])
def test_russias_trunk_8_before_ten_digits_spaced_three_three_four_is_a_number(text, expected):
    """(helper-80) 'Вопросы? 8 142 619 6252 (вечером)' was published: spaced, the trunk 8 counted only where words said phone,
    as 'Termine: 8 914 177 76 31' must stay; its 3-3-4 grouping is a phone number's alone."""
    assert privacy.published(text) == expected


@pytest.mark.parametrize("text", [
    "Fragen? 2026.05.01 (abends)", "Questions? The event is 2026.05.01 (evenings)", "Call me on 2026.05.01 for details",
    "Du erreichst mich über 2025.10.01", "Fragen? 1999.12.31",
])
def test_a_date_written_year_first_with_dots_stays_where_someone_is_reached(text):
    """(review helper-82) Helper-80's groups joined by dots ('Call me on 1400.463.9436') took a date written year first,
    as many write it ('2026.05.01'), for a phone number after 'Fragen?' or 'Call me on', or before '(abends)'."""
    assert privacy.published(text) == text


@pytest.mark.parametrize("text", [
    "Fragen? Kleidergröße 38 40 42 44 (abends)", "Fragen? Startnummern 12 14 16 18 20 (vormittags)",
    "Fragen? 10 20 30 40 50 (abends)", "Fragen? 90 80 70 60", "Fragen? Hosen in 98 104 110 116 (nachmittags)",
])
def test_a_row_of_numbers_each_the_same_step_from_the_one_before_stays_after_a_question(text):
    """(review helper-82) Sizes or numbers in a row ('38 40 42 44', '10 20 30 40 50') after 'Fragen?' or before '(abends)'
    were masked as a phone number written in pairs; like a counting row, a row going by one step is no number."""
    assert privacy.published(text) == text


@pytest.mark.parametrize("text", ["Fragen? 77 69 01 89 55 (abends)", "Contact: 10 20 30 40 50", "Fragen? 0551 2345 6789"])
def test_pairs_not_in_a_row_or_named_as_a_phone_are_still_masked(text):
    assert PHONE_MASK in privacy.published(text)
