"""Write the independent matching data set: listings.jsonl and truth.json.

    python benchmarks/data/matching/make.py

Deterministic (fixed seed), standard library only, no network. Written without looking at the
matcher: every listing is drawn from hand-written texts, each text labelled with the need(s)
it answers, and the truth follows from those labels by one rule (see README.md):

    a request and an offer (or service) fit when the offer answers the request's need,
    is still current on NOW, and lies within MAX_KM of the request.

Places near the MAX_KM line are avoided on purpose: no request/offer pair that answers the
same need lies between SAFE_KM and UNSAFE_KM, so the labels do not hinge on a kilometre.
"""
from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

SEED = 20261130
HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("UTC"))  # the benchmark's clock
BERLIN = ZoneInfo("Europe/Berlin")
MAX_KM = 25.0
SAFE_KM, UNSAFE_KM = 22.0, 28.0  # no same-need pair lies in between
MAX_FITS = 3                      # no request gets more fitting offers than this
N_OFFERS = 220                    # offers and services together

# --------------------------------------------------------------------------------------------
# Places: postcode-area centres (approximate), real postcodes and district keys (AGS).
# role: "city" places host requests and offers; "near" places (other district, < 22 km)
# host fitting offers; "far" places (>= 28 km) host the far-away hard negatives.
# --------------------------------------------------------------------------------------------
STATES = {"14": "Sachsen", "03": "Niedersachsen", "12": "Brandenburg", "11": "Berlin"}


def place(group, role, postcode, ort, city, ags, lat, lon):
    return {"group": group, "role": role, "postcode": postcode, "ort": ort, "city": city,
            "ags": ags, "region": STATES[ags[:2]], "lat": lat, "lon": lon}


PLACES = [
    # Leipzig (14713)
    place("L", "city", "04109", "Zentrum", "Leipzig", "14713", 51.3397, 12.3731),
    place("L", "city", "04315", "Volkmarsdorf", "Leipzig", "14713", 51.3456, 12.4115),
    place("L", "city", "04277", "Connewitz", "Leipzig", "14713", 51.3066, 12.3807),
    place("L", "city", "04177", "Lindenau", "Leipzig", "14713", 51.3389, 12.3328),
    place("L", "city", "04229", "Plagwitz", "Leipzig", "14713", 51.3265, 12.3365),
    place("L", "city", "04209", "Grünau", "Leipzig", "14713", 51.3157, 12.2795),
    place("L", "city", "04155", "Gohlis", "Leipzig", "14713", 51.3652, 12.3672),
    place("L", "city", "04347", "Schönefeld", "Leipzig", "14713", 51.3636, 12.4239),
    place("L", "near", "04416", "Markkleeberg", "Markkleeberg", "14729", 51.2786, 12.3711),
    place("L", "near", "04425", "Taucha", "Taucha", "14730", 51.3821, 12.4923),
    place("L", "far", "04680", "Colditz", "Colditz", "14729", 51.1300, 12.8050),
    place("L", "far", "04860", "Torgau", "Torgau", "14730", 51.5600, 13.0050),
    # Dresden (14612)
    place("D", "city", "01067", "Altstadt", "Dresden", "14612", 51.0510, 13.7330),
    place("D", "city", "01097", "Innere Neustadt", "Dresden", "14612", 51.0640, 13.7470),
    place("D", "city", "01099", "Äußere Neustadt", "Dresden", "14612", 51.0680, 13.7560),
    place("D", "city", "01139", "Pieschen", "Dresden", "14612", 51.0800, 13.7200),
    place("D", "city", "01219", "Strehlen", "Dresden", "14612", 51.0260, 13.7660),
    place("D", "city", "01239", "Prohlis", "Dresden", "14612", 51.0010, 13.7990),
    place("D", "city", "01277", "Striesen", "Dresden", "14612", 51.0470, 13.7900),
    place("D", "city", "01159", "Löbtau", "Dresden", "14612", 51.0420, 13.7000),
    place("D", "city", "01169", "Gorbitz", "Dresden", "14612", 51.0420, 13.6650),
    place("D", "near", "01445", "Radebeul", "Radebeul", "14627", 51.1060, 13.6600),
    place("D", "near", "01705", "Freital", "Freital", "14628", 51.0010, 13.6510),
    place("D", "far", "01587", "Riesa", "Riesa", "14627", 51.3080, 13.2940),
    place("D", "far", "01855", "Sebnitz", "Sebnitz", "14628", 50.9700, 14.2700),
    # Göttingen (03159, Landkreis): Osterode and Bad Lauterberg are in the same district, yet far
    place("G", "city", "37073", "Innenstadt", "Göttingen", "03159", 51.5330, 9.9350),
    place("G", "city", "37075", "Weende", "Göttingen", "03159", 51.5550, 9.9350),
    place("G", "city", "37079", "Grone", "Göttingen", "03159", 51.5370, 9.9000),
    place("G", "city", "37081", "Weststadt", "Göttingen", "03159", 51.5320, 9.9120),
    place("G", "city", "37083", "Geismar", "Göttingen", "03159", 51.5140, 9.9500),
    place("G", "city", "37085", "Ostviertel", "Göttingen", "03159", 51.5300, 9.9550),
    place("G", "near", "37124", "Rosdorf", "Rosdorf", "03159", 51.5000, 9.9000),
    place("G", "near", "37120", "Bovenden", "Bovenden", "03159", 51.5880, 9.9230),
    place("G", "near", "37154", "Northeim", "Northeim", "03155", 51.7060, 9.9990),
    place("G", "far", "37520", "Osterode am Harz", "Osterode am Harz", "03159", 51.7280, 10.2520),
    place("G", "far", "37431", "Bad Lauterberg im Harz", "Bad Lauterberg im Harz", "03159", 51.6320, 10.4700),
    # Potsdam (12054)
    place("P", "city", "14467", "Innenstadt", "Potsdam", "12054", 52.4010, 13.0590),
    place("P", "city", "14469", "Bornstedt", "Potsdam", "12054", 52.4180, 13.0280),
    place("P", "city", "14471", "Potsdam West", "Potsdam", "12054", 52.3920, 13.0300),
    place("P", "city", "14473", "Schlaatz", "Potsdam", "12054", 52.3780, 13.0760),
    place("P", "city", "14478", "Waldstadt", "Potsdam", "12054", 52.3620, 13.0900),
    place("P", "city", "14480", "Drewitz", "Potsdam", "12054", 52.3690, 13.1380),
    place("P", "city", "14482", "Babelsberg", "Potsdam", "12054", 52.3920, 13.1000),
    place("P", "near", "14542", "Werder (Havel)", "Werder (Havel)", "12069", 52.3790, 12.9350),
    place("P", "near", "14532", "Kleinmachnow", "Kleinmachnow", "12069", 52.4070, 13.2240),
    place("P", "near", "14163", "Zehlendorf", "Berlin", "11000", 52.4330, 13.2590),
    place("P", "far", "14806", "Bad Belzig", "Bad Belzig", "12069", 52.1420, 12.5950),
    place("P", "far", "14770", "Brandenburg an der Havel", "Brandenburg an der Havel", "12051", 52.4120, 12.5560),
    # Braunschweig (03101)
    place("B", "city", "38100", "Innenstadt", "Braunschweig", "03101", 52.2640, 10.5230),
    place("B", "city", "38102", "Östliches Ringgebiet", "Braunschweig", "03101", 52.2610, 10.5460),
    place("B", "city", "38106", "Schunteraue", "Braunschweig", "03101", 52.2860, 10.5380),
    place("B", "city", "38118", "Westliches Ringgebiet", "Braunschweig", "03101", 52.2680, 10.5030),
    place("B", "city", "38120", "Weststadt", "Braunschweig", "03101", 52.2460, 10.4850),
    place("B", "city", "38126", "Heidberg", "Braunschweig", "03101", 52.2330, 10.5480),
    place("B", "city", "38108", "Querum", "Braunschweig", "03101", 52.2960, 10.5690),
    place("B", "city", "38116", "Lehndorf", "Braunschweig", "03101", 52.2720, 10.4680),
    place("B", "near", "38300", "Wolfenbüttel", "Wolfenbüttel", "03158", 52.1620, 10.5370),
    place("B", "near", "38162", "Cremlingen", "Cremlingen", "03158", 52.2490, 10.6540),
    place("B", "far", "38350", "Helmstedt", "Helmstedt", "03154", 52.2270, 11.0090),
    # Wolfsburg (03103)
    place("W", "city", "38440", "Stadtmitte", "Wolfsburg", "03103", 52.4230, 10.7870),
    place("W", "city", "38442", "Fallersleben", "Wolfsburg", "03103", 52.4140, 10.7190),
    place("W", "city", "38444", "Detmerode", "Wolfsburg", "03103", 52.3970, 10.7420),
    place("W", "city", "38446", "Kreuzheide", "Wolfsburg", "03103", 52.4380, 10.8030),
    place("W", "city", "38448", "Vorsfelde", "Wolfsburg", "03103", 52.4360, 10.8420),
    place("W", "near", "38554", "Weyhausen", "Weyhausen", "03151", 52.4630, 10.7230),
    place("W", "far", "29378", "Wittingen", "Wittingen", "03151", 52.7270, 10.7380),
]
# Braunschweig and Wolfsburg are ~25 km apart: one region for "another city" negatives.
REGION_OF = {"L": "L", "D": "D", "G": "G", "P": "P", "B": "BW", "W": "BW"}

# Portals: a = district portals (HelpTo-like), b = municipal CSV portal (Wolfsburg,
# Braunschweig), c = national goods/time donations feed (offers only), d = Göttingen's
# volunteer calendar, e = a national JSON list that joined later.
CITY_PORTAL = {"L": "portal-a", "D": "portal-a", "P": "portal-a", "G": "portal-d",
               "B": "portal-b", "W": "portal-b"}

# --------------------------------------------------------------------------------------------
# Needs: the hidden label. Category is the taxonomy code a portal would file it under; the
# tag is the portal's own sub-rubric (only portals b and c send one).
# --------------------------------------------------------------------------------------------
NEEDS = {
    "kinderwagen": ("goods", "Kinder"), "fahrrad": ("goods", "Fahrräder"),
    "kinderfahrrad": ("goods", "Fahrräder"), "kuehlschrank": ("goods", "Haushalt"),
    "waschmaschine": ("goods", "Haushalt"), "bett": ("goods", "Möbel"),
    "kinderbett": ("goods", "Kinder"), "sofa": ("goods", "Möbel"),
    "kleiderschrank": ("goods", "Möbel"), "schreibtisch": ("goods", "Möbel"),
    "kinderkleidung_winter": ("goods", "Kleidung"), "babykleidung": ("goods", "Kleidung"),
    "laptop": ("goods", "Sonstiges"), "kochgeschirr": ("goods", "Haushalt"),
    "naehmaschine": ("goods", "Haushalt"), "umzugskartons": ("goods", "Sonstiges"),
    "kleidung_damen": ("goods", "Kleidung"), "bettwaesche": ("goods", "Haushalt"),
    "fussballschuhe": ("goods", "Kleidung"), "klavier": ("goods", "Sonstiges"),
    "wohnungsaufloesung": ("goods", "Möbel"), "spielzeug": ("goods", "Kinder"),
    "umzug": ("volunteering", "Sonstiges"), "moebelaufbau": ("volunteering", "Sonstiges"),
    "renovierung": ("volunteering", "Sonstiges"), "kinderbetreuung": ("volunteering", "Kinderbetreuung"),
    "einkaufshilfe": ("volunteering", "Sonstiges"), "garten": ("volunteering", "Sonstiges"),
    "deutsch": ("language", "Sprachhilfe"),
    "nachhilfe_mathe": ("education", "Sonstiges"), "hausaufgaben": ("education", "Kinderbetreuung"),
    "pc_kurs": ("education", "Sonstiges"), "fuehrerschein": ("education", "Sonstiges"),
    "radfahrkurs": ("education", "Freizeit"),
    "bewerbung": ("jobs", "Arbeit & Ausbildung"), "job_lager": ("jobs", "Arbeit & Ausbildung"),
    "job_erzieher": ("jobs", "Arbeit & Ausbildung"),
    "behoerden": ("counselling", "Begleitung bei Behördengängen"),
    "arztbegleitung": ("health", "Begleitung bei Behördengängen"),
    "fahrdienst": ("mobility", "Sonstiges"), "moebeltransport": ("mobility", "Sonstiges"),
    "fahrradreparatur": ("mobility", "Fahrräder"),
    "wohnung_familie": ("housing", "Wohnraum"), "wg_zimmer": ("housing", "Wohnraum"),
    "fussball_kinder": ("leisure", "Freizeit"), "kinderwagen_treff": ("leisure", "Freizeit"),
    "begegnung": ("leisure", "Freizeit"), "gitarre": ("leisure", "Freizeit"),
    "dolmetschen_ar": ("translation", "Sprachhilfe"), "dolmetschen_ru": ("translation", "Sprachhilfe"),
    "uebersetzung_dok": ("translation", "Sprachhilfe"),
    "reparaturcafe": ("other", "Sonstiges"),
}


# Closing phrases people add; appended to some German texts for variety.
CLOSINGS = {
    "request": ["Danke!", "Vielen Dank im Voraus.", "Wir freuen uns über jede Hilfe.", "LG"],
    "goods": ["Bei Interesse einfach melden.", "Nur Abholung.", "Gern an Bedürftige.", "Bitte nur ernst gemeinte Anfragen."],
    "time": ["Meldet euch gern über die Plattform.", "Am besten abends erreichbar.", "Ich freue mich auf eure Nachricht."],
}


def req(lang, title, desc):
    return {"lang": lang, "title": title, "desc": desc}


def off(lang, title, desc, also=(), kind="offer", org=None, category=None, languages=None, skills=None):
    """An offer text; `also` names further needs it answers, `category` overrides the need's."""
    return {"lang": lang, "title": title, "desc": desc, "also": tuple(also), "kind": kind, "org": org,
            "category": category, "languages": languages, "skills": skills}



# --------------------------------------------------------------------------------------------
# Hand-written texts. {ort} is the part of town, {stadt} the town. Typos are intended.
# --------------------------------------------------------------------------------------------
REQUESTS = {
    "kinderwagen": [
        req("de", "Familie sucht Kinderwagen", "Wir bekommen im Dezember unser zweites Kind und suchen einen gebrauchten Kinderwagen, gerne mit Babywanne. Wir wohnen in {ort} und können ihn abholen."),
        req("de", "Kinderwagen gesucht", "Hallo, suche dringend einen Kinderwagen oder Buggy für meine Tochter (8 Monate). Danke!"),
        req("de", "suche kinderwagn", "brauche kinderwagen für baby, kann abholen"),
        req("ar", "أبحث عن عربة أطفال", "عائلة مع طفل رضيع تبحث عن عربة أطفال مستعملة بحالة جيدة. نسكن في {ort}. شكراً جزيلاً."),
        req("en", "Looking for a pram / stroller", "Young mother in {ort}, baby born in October. Any working pram or stroller would help a lot."),
    ],
    "fahrrad": [
        req("de", "Suche Fahrrad", "Ich brauche ein Fahrrad für den Weg zur Arbeit. Es muss nicht schön sein, nur fahren."),
        req("de", "Fahrrad für Erwachsenen gesucht", "Suche für mich (1,75 m) ein gebrauchtes Rad, gern 28 Zoll. Kleinere Reparaturen kann ich selbst machen."),
        req("de", "Wer hat ein Rad übrig?", "Ich fange im Januar einen Sprachkurs an und brauche ein Rad, um hinzukommen. Vielen Dank!"),
        req("de", "suche fahhrad", "brauche fahrad für arbeit, danke"),
        req("en", "Looking for a bike", "I need a bicycle to get to my language course in {stadt}. Any adult bike that works is fine."),
        req("ar", "أبحث عن دراجة هوائية", "أحتاج دراجة هوائية للذهاب إلى دورة اللغة. أي دراجة للكبار تعمل تكفي."),
    ],
    "kinderfahrrad": [
        req("de", "Kinderfahrrad für 6-Jährigen gesucht", "Unser Sohn (6, ca. 120 cm) möchte Radfahren lernen. Wir suchen ein Kinderfahrrad, 18 oder 20 Zoll."),
        req("de", "Suche Kinderrad", "Für meine Tochter (7 Jahre) suche ich ein Kinderrad, 20 Zoll."),
    ],
    "kuehlschrank": [
        req("de", "Kühlschrank gesucht", "Wir sind gerade in eine leere Wohnung in {stadt} gezogen und haben keinen Kühlschrank. Wer hat einen übrig?"),
        req("de", "Suche Kühlgerät", "Suche kleinen Kühlschrank oder Kühl-Gefrier-Kombi, gerne gebraucht. Transport kann ich organisieren."),
        req("de", "kühlschrnak dringend", "brauche einen kühlschrank für die neue wohnung. familie mit 3 kindern"),
        req("en", "Need a fridge", "We just moved into an unfurnished flat and have no fridge. Does anyone have one they no longer need? We can pick it up."),
    ],
    "waschmaschine": [
        req("de", "Waschmaschine gesucht", "Familie mit zwei kleinen Kindern sucht eine funktionierende Waschmaschine. Wir können sie selbst abholen."),
        req("de", "Suche Waschmaschiene", "hallo, suche waschmaschiene, gebraucht ist ok"),
        req("de", "Wer hat eine Waschmaschine übrig?", "Wir waschen seit Wochen mit der Hand. Eine gebrauchte Waschmaschine wäre eine große Hilfe für uns (5 Personen)."),
        req("ar", "نحتاج غسالة ملابس", "عائلة تحتاج غسالة ملابس مستعملة تعمل بشكل جيد. يمكننا الاستلام بأنفسنا."),
    ],
    "bett": [
        req("de", "Suche Bett", "Ich suche ein Bett (90x200 oder 140x200), gern mit Lattenrost. Zurzeit schlafe ich auf einer Luftmatratze."),
        req("de", "Bett für Jugendlichen gesucht", "Für unseren Sohn (15) suchen wir ein Bett mit Matratze."),
        req("en", "Need a bed", "I have just moved into a flat and need a bed frame, single or double."),
    ],
    "kinderbett": [
        req("de", "Babybett gesucht", "Wir erwarten im Januar unser Baby und suchen ein Babybett (Gitterbett) 60x120."),
        req("de", "Suche Kinderbett", "Suche Gitterbett oder Reisebett für Kleinkind (1 Jahr)."),
    ],
    "sofa": [
        req("de", "Sofa gesucht", "Suche ein Sofa oder eine Couch für unser Wohnzimmer. Zustand egal, Hauptsache sauber."),
        req("de", "Suche Couch/Schlafsofa", "Wir haben oft Besuch von Verwandten und suchen ein Schlafsofa. Abholung möglich."),
        req("de", "Couch für Familie gesucht", "Familie mit 3 Kindern sucht eine große Couch, gern Ecksofa."),
    ],
    "kleiderschrank": [
        req("de", "Kleiderschrank gesucht", "Suche einen Kleiderschrank, gern 2- oder 3-türig. Meine Kleidung liegt noch in Kartons."),
    ],
    "schreibtisch": [
        req("de", "Schreibtisch für Schulkind gesucht", "Unsere Tochter kommt in die 5. Klasse und braucht einen Schreibtisch für die Hausaufgaben."),
        req("de", "Suche Schreibtisch", "Wir brauchen einen Schreibtisch, Größe egal. Kann abholen."),
    ],
    "kinderkleidung_winter": [
        req("de", "Winterkleidung für Kinder gesucht", "Wir suchen warme Winterjacken, Schneehosen und Stiefel für unsere Kinder (4 und 7 Jahre, Gr. 104–128)."),
        req("de", "Suche Winterjacke für Kind", "Mein Sohn (6) braucht eine Winterjacke, ca. Gr. 116/122, und Handschuhe."),
    ],
    "babykleidung": [
        req("de", "Suche Babykleidung", "Unser Baby kommt bald. Wir suchen Babykleidung Gr. 50–68 (Bodys, Strampler, Mützchen)."),
        req("de", "Babysachen gesucht Gr. 62-74", "Alleinerziehende Mutter sucht Babysachen für den Winter, Gr. 62–74."),
    ],
    "laptop": [
        req("de", "Laptop für Schüler gesucht", "Mein Sohn (Klasse 9) braucht für die Schule einen Laptop. Wir können uns keinen leisten."),
        req("de", "Suche Notebook/PC", "Suche gebrauchten Laptop oder PC für Bewerbungen und meinen Online-Sprachkurs."),
        req("en", "Looking for a laptop", "Student looking for a used laptop for online classes. Older models are fine."),
    ],
    "kochgeschirr": [
        req("de", "Töpfe und Pfannen gesucht", "Erste eigene Wohnung: Ich suche Töpfe, Pfannen und etwas Geschirr."),
        req("de", "Suche Küchensachen", "Suche Geschirr, Besteck und Kochtöpfe für Familie mit 4 Kindern."),
    ],
    "naehmaschine": [
        req("de", "Nähmaschine gesucht", "Ich habe in meiner Heimat als Schneiderin gearbeitet und suche eine Nähmaschine, um wieder nähen zu können."),
    ],
    "klavier": [
        req("de", "Suche Klavier oder E-Piano", "Meine Tochter hat Klavierunterricht und wir suchen ein gebrauchtes E-Piano zum Üben."),
    ],
    "umzug": [
        req("de", "Wer kann beim Umzug helfen?", "Wir ziehen am Samstag innerhalb von {stadt} um (3. OG, kein Aufzug). Wir suchen zwei, drei kräftige Leute zum Tragen für ca. 4 Stunden. Für Essen und Getränke ist gesorgt."),
        req("de", "Umzugshelfer gesucht", "Suche Helfer für meinen Umzug nach {ort}. Ein Transporter ist gemietet, es fehlen nur Hände."),
        req("de", "Hilfe bei umzg", "brauche hilfe beim umzug nächste woche, möbel tragen"),
        req("de", "Helfer für Umzug am 5.12. gesucht", "Ziehe von {ort} in eine andere Wohnung in {stadt}. Wer kann 2–3 Stunden mit anpacken? Viele Kisten, ein Schrank, ein Sofa."),
        req("de", "Umzug – brauche starke Hände", "Alleinerziehende Mutter, Umzug Anfang Dezember, es fehlen Helfer zum Tragen."),
        req("en", "Help with moving needed", "We are moving flats on the 12th and need 2–3 people to help carry furniture. Pizza and drinks provided!"),
    ],
    "moebelaufbau": [
        req("de", "Hilfe beim Möbelaufbau", "Ich habe Möbel von Ikea bekommen (Schrank, Bett) und schaffe den Aufbau nicht allein. Wer hilft?"),
        req("de", "Wer kann Schrank aufbauen?", "Suche jemanden mit Akkuschrauber, der mir hilft, einen Kleiderschrank aufzubauen."),
    ],
    "renovierung": [
        req("de", "Hilfe beim Streichen gesucht", "Unsere neue Wohnung muss gestrichen werden (2 Zimmer). Wer hat Erfahrung und Zeit?"),
    ],
    "kinderbetreuung": [
        req("de", "Kinderbetreuung während Deutschkurs", "Ich besuche vormittags den Integrationskurs und suche jemanden, der zwei- bis dreimal pro Woche auf meine Tochter (2) aufpasst."),
        req("de", "Suche Babysitter (ehrenamtlich)", "Alleinerziehend, suche jemanden, der ab und zu nachmittags auf meine Kinder (3 und 5) aufpasst."),
    ],
    "einkaufshilfe": [
        req("de", "Einkaufshilfe für Seniorin", "Meine Mutter (84) kann nicht mehr selbst einkaufen. Wer geht einmal pro Woche für sie einkaufen?"),
        req("de", "Suche Hilfe beim Einkaufen", "Nach meiner Hüft-OP brauche ich für ein paar Wochen jemanden, der mir die Einkäufe bringt."),
    ],
    "deutsch": [
        req("de", "Sprachpartner gesucht", "Ich lerne Deutsch (B1) und suche jemanden, mit dem ich einmal pro Woche sprechen kann. Gerne im Café."),
        req("de", "Wer übt mit mir Deutsch?", "Ich war im Integrationskurs und möchte mehr sprechen üben. Dafür kann ich Arabisch oder Kochen beibringen."),
        req("de", "Suche Deutschunterricht", "Suche Hilfe beim Deutschlernen für meine Frau und mich, wir sind Anfänger."),
        req("de", "Deutsch sprechen üben – wer hat Zeit?", "Ich habe die B1-Prüfung bestanden, aber im Alltag fehlt mir die Übung. Wer trifft sich mit mir zum Reden?"),
        req("de", "Suche Tandempartner Deutsch", "Biete Englisch oder Französisch, suche Deutsch. Am liebsten abends."),
        req("en", "German conversation partner wanted", "I am learning German (A2) and would like to practise speaking. Happy to help with English in return."),
        req("ar", "أبحث عن شخص للتحدث بالألمانية", "أتعلم اللغة الألمانية (مستوى A2) وأريد أن أتدرب على المحادثة مرة في الأسبوع."),
    ],
    "nachhilfe_mathe": [
        req("de", "Mathe-Nachhilfe gesucht", "Unser Sohn (Klasse 7, Oberschule) hat Probleme in Mathe. Wir suchen ehrenamtliche Nachhilfe, einmal pro Woche."),
        req("de", "Suche Nachhilfe in Mathematik", "Ich mache meinen Realschulabschluss nach und brauche Hilfe in Mathe."),
    ],
    "hausaufgaben": [
        req("de", "Hausaufgabenhilfe für Grundschüler", "Meine Kinder (2. und 4. Klasse) brauchen Unterstützung bei den Hausaufgaben, besonders beim Lesen."),
    ],
    "radfahrkurs": [
        req("de", "Ich möchte Fahrradfahren lernen", "Ich bin 35 und habe nie Radfahren gelernt. Wer kann es mir beibringen?"),
    ],
    "bewerbung": [
        req("de", "Hilfe bei Bewerbung gesucht", "Ich suche Unterstützung beim Schreiben von Bewerbungen und Lebenslauf für eine Ausbildung als Kfz-Mechatroniker."),
        req("de", "Wer hilft mir mit Lebenslauf?", "Ich brauche Hilfe beim Lebenslauf und Anschreiben auf Deutsch."),
        req("en", "Help with CV and job applications", "Can anyone help me write a German CV and cover letter? I am a trained nurse from Syria."),
    ],
    "behoerden": [
        req("de", "Begleitung zum Jobcenter", "Ich habe einen Termin beim Jobcenter und verstehe die Briefe nicht gut. Wer kann mich begleiten und beim Antrag helfen?"),
        req("de", "Hilfe bei Formularen", "Suche jemanden, der mir beim Ausfüllen von Anträgen hilft (Kindergeld, Wohngeld)."),
        req("de", "Behördengänge – wer hilft?", "Ich bin neu in {stadt} und muss zum Bürgeramt und zur Ausländerbehörde. Ich brauche Begleitung."),
        req("ar", "مساعدة في ملء الاستمارات", "أحتاج مساعدة في فهم رسائل مركز العمل (Jobcenter) وملء الاستمارات."),
    ],
    "arztbegleitung": [
        req("de", "Begleitung zum Arzt gesucht", "Meine Oma (89) muss regelmäßig zum Facharzt und braucht jemanden, der sie begleitet."),
        req("de", "Suche Begleitperson für Krankenhaustermin", "Ich habe im Dezember eine ambulante OP und darf danach nicht allein nach Hause. Wer begleitet mich?"),
    ],
    "fahrdienst": [
        req("de", "Fahrdienst zur Dialyse gesucht", "Mein Mann muss dreimal pro Woche zur Dialyse. Wer kann ihn ab und zu fahren?"),
        req("de", "Wer fährt mich zum Krankenhaus?", "Ich habe am 14.12. einen Termin im Klinikum und habe kein Auto. Wer kann mich hinfahren?"),
        req("de", "Fahrt zum Amt gesucht", "Suche jemanden mit Auto, der mich zur Ausländerbehörde fährt, mit Kinderwagen ist es mit dem Bus schwierig."),
    ],
    "moebeltransport": [
        req("de", "Transport für Sofa gesucht", "Ich habe ein Sofa geschenkt bekommen und brauche jemanden mit Transporter, der es zu mir nach {ort} bringt."),
        req("de", "Wer kann einen Schrank transportieren?", "Suche jemanden mit großem Auto oder Anhänger für einen Kleiderschrank, ca. 5 km."),
    ],
    "fahrradreparatur": [
        req("de", "Fahrrad reparieren – wer hilft?", "Mein Fahrrad hat einen Platten und die Bremsen gehen schlecht. Wer kann mir zeigen, wie man das repariert?"),
    ],
    "wohnung_familie": [
        req("de", "Familie sucht 3-Zimmer-Wohnung", "Wir (2 Erwachsene, 3 Kinder) suchen eine 3- oder 4-Zimmer-Wohnung in {stadt}. Das Jobcenter übernimmt die Miete."),
        req("de", "Wohnung gesucht", "Junges Paar mit Baby sucht Wohnung, 2–3 Zimmer, gern mit Balkon."),
        req("ar", "عائلة تبحث عن شقة", "نحن عائلة من خمسة أشخاص ونبحث عن شقة بثلاث غرف في {stadt}."),
    ],
    "wg_zimmer": [
        req("en", "Looking for a room in a shared flat", "International student (24) looking for a WG room from January, max. 400 € warm."),
        req("de", "Suche WG-Zimmer", "Azubi (19) sucht ein Zimmer in einer WG, ab sofort."),
    ],
    "fussball_kinder": [
        req("de", "Fußballverein für meinen Sohn", "Mein Sohn (9) spielt gern Fußball. Wo kann er kostenlos oder günstig mittrainieren?"),
        req("de", "Sportverein für Tochter gesucht", "Meine Tochter (10) möchte Fußball spielen. Gibt es ein Training für Mädchen oder gemischte Gruppen?"),
    ],
    "gitarre": [
        req("de", "Suche jemanden zum Gitarre spielen", "Ich spiele seit einem Jahr Gitarre und suche jemanden zum gemeinsamen Üben."),
    ],
    "dolmetschen_ar": [
        req("de", "Dolmetscher Arabisch für Arzttermin gesucht", "Mein Vater hat am Dienstag einen Termin im Klinikum und spricht kaum Deutsch. Wer kann Arabisch–Deutsch dolmetschen?"),
        req("de", "Suche Übersetzer arabisch", "Brauche jemand der beim Termin in der Ausländerbehörde übersetzt (arabisch - deutsch)."),
        req("ar", "أحتاج مترجماً إلى موعد الطبيب", "لدي موعد عند طبيب الأسنان الأسبوع القادم وأحتاج شخصاً يترجم من العربية إلى الألمانية."),
    ],
    "dolmetschen_ru": [
        req("de", "Dolmetscher Ukrainisch/Russisch gesucht", "Für einen Termin beim Jobcenter suche ich jemanden, der Ukrainisch oder Russisch und Deutsch spricht."),
        req("de", "Suche Begleitung mit Russischkenntnissen", "Meine Nachbarin aus der Ukraine braucht Hilfe beim Arztbesuch, sie spricht Russisch und Ukrainisch, kaum Deutsch."),
    ],
    "uebersetzung_dok": [
        req("de", "Übersetzung von Zeugnissen", "Ich brauche eine Übersetzung meiner Schulzeugnisse aus dem Arabischen für die Anerkennung. Beglaubigt wäre gut, muss aber nicht."),
    ],
}

OFFERS = {
    "kinderwagen": [
        off("de", "Kinderwagen zu verschenken", "Kombi-Kinderwagen (Wanne + Sportsitz), gut erhalten, Regenschutz dabei. Abholung in {ort}."),
        off("de", "Buggy abzugeben", "Leichter Buggy, zusammenklappbar, kleine Gebrauchsspuren. Für Kinder ab ca. 6 Monaten."),
        off("de", "Biete Kinderwagen", "Unser Kinderwagen wird nicht mehr gebraucht. Gerne an eine Familie, die ihn braucht. Er hat uns drei Jahre treu begleitet, die Räder laufen leicht, der Bezug ist gewaschen, nur der Korb unten hat einen kleinen Riss. Wir wohnen in {ort}, Abholung am besten abends oder am Wochenende."),
        off("de", "Kinderwagen + Babyschale", "Gebe Kinderwagen mit passender Babyschale kostenlos ab. Bitte selbst abholen ({ort})."),
        off("en", "Free stroller", "Stroller in good condition, free to a family in need. Pick-up in {ort}."),
        off("ar", "عربة أطفال مجانية", "أقدم عربة أطفال بحالة جيدة مجاناً. الاستلام من {ort}."),
        off("de", "Kinderwagen, fast neu", "Wurde nur wenige Monate benutzt. Sportwagen-Aufsatz und Fußsack für den Winter dabei.", category="other"),
        off("de", "Baby-Erstausstattung abzugeben", "Kinderwagen, Babybett (Gitterbett 60x120) und eine Kiste Babykleidung Gr. 50–68. Am liebsten alles zusammen an eine Familie.", also=("kinderbett", "babykleidung")),
    ],
    "fahrrad": [
        off("de", "Fahrrad zu verschenken", "Damenrad 28 Zoll, 7-Gang, Licht funktioniert. Abholung in {ort}."),
        off("de", "Herrenrad abzugeben", "Trekkingrad, Rahmenhöhe 56 cm, Reifen neu. Kostenlos an jemanden, der es braucht."),
        off("de", "Biete Rad", "Altes Stadtrad, fährt gut, Klingel fehlt."),
        off("en", "Free bike", "Adult bike (26 inch), some rust but rides fine. Lock included."),
        off("de", "Mountainbike zu verschenken", "MTB, 21 Gänge, für Erwachsene oder große Jugendliche. Bremsen vor kurzem eingestellt."),
        off("de", "Drahtesel sucht neuen Besitzer", "Mein altes Hollandrad steht nur rum. Wer es braucht, kann es in {ort} abholen."),
        off("de", "Fahrräder für Geflüchtete", "Wir geben gespendete, verkehrssichere Fahrräder für Erwachsene kostenlos an Geflüchtete und Menschen mit wenig Geld ab. Ausgabe nach Terminabsprache.",
            org="Rückenwind Fahrradspenden e.V.", category="mobility"),
        off("ar", "دراجة هوائية مجاناً", "دراجة للكبار بحالة جيدة، مجاناً. الاستلام من {ort}."),
        off("de", "Bike abzugeben", "Citybike, 3-Gang-Nabe, Sattel neu. Einfach melden.", category="mobility"),
    ],
    "kinderfahrrad": [
        off("de", "Kinderfahrrad 20 Zoll", "Kinderfahrrad 20 Zoll, 3-Gang, für ca. 6–9 Jahre. Zu verschenken."),
        off("de", "Kinderrad zu verschenken", "18-Zoll-Kinderrad, blau, Stützräder können dran bleiben oder ab. Abholung {ort}."),
        off("de", "Kinder-Fahrrad abzugeben", "Unsere Kinder sind rausgewachsen: Mädchenrad 20\", Licht und Klingel ok."),
        off("en", "Children's bike, free", "20 inch kids' bike, suits age 6–9. Pick up in {ort}."),
    ],
    "kuehlschrank": [
        off("de", "Kühlschrank zu verschenken", "Kühlschrank mit Gefrierfach, 85 cm hoch, funktioniert einwandfrei. Abholung in {ort}, 1. OG."),
        off("de", "Kühl-Gefrierkombination abzugeben", "Kühl-Gefrier-Kombi, ca. 10 Jahre alt, läuft. Muss bis Ende des Monats weg."),
        off("de", "Biete Kühlgerät", "Kleiner Tischkühlschrank, ideal für ein WG-Zimmer oder einen Single-Haushalt."),
        off("en", "Free fridge", "Fridge-freezer, works fine, a few scratches. Free to anyone who can collect from {ort}."),
        off("de", "Kühlschrank", "Zu verschenken. Nur Abholung."),
        off("ar", "ثلاجة مجانية", "ثلاجة تعمل بشكل جيد، مجاناً لمن يحتاجها. الاستلام من {ort}."),
    ],
    "waschmaschine": [
        off("de", "Waschmaschine zu verschenken", "Waschmaschine (Frontlader, 6 kg), läuft, etwas laut beim Schleudern. Abholung {ort}, Keller."),
        off("de", "Biete Waschautomat", "Gebe meinen Waschautomaten ab, da ich einen neuen habe. Funktioniert gut."),
        off("de", "Waschmaschine, gebraucht", "Alte, aber zuverlässige Maschine. Ihr müsst sie selbst aus dem 2. Stock tragen."),
        off("en", "Washing machine free to collect", "Working washing machine, 7 kg. Needs to go this month."),
    ],
    "bett": [
        off("de", "Bett 140x200 zu verschenken", "Doppelbett aus Kiefer mit Lattenrost, die Matratze kann auf Wunsch dazu. Muss abgebaut werden."),
        off("de", "Einzelbett abzugeben", "Bett 90x200 inkl. Lattenrost, weiß. Abholung in {ort}."),
        off("de", "Jugendbett mit Matratze", "Jugendbett 100x200, Matratze 2 Jahre alt. Gerne an eine Familie."),
        off("en", "Free bed frame", "Single bed frame with slats. You need to collect and dismantle it."),
    ],
    "kinderbett": [
        off("de", "Gitterbett zu verschenken", "Babybett 60x120, Buche, höhenverstellbar, mit Matratze. Abholung in {ort}."),
        off("de", "Kinderbett abzugeben", "Kinderbett 70x140 mit herausnehmbaren Sprossen, gut erhalten."),
        off("de", "Reisebett", "Reisebett für Babys und Kleinkinder, zusammenklappbar, wenig benutzt."),
    ],
    "sofa": [
        off("de", "Sofa zu verschenken", "3-Sitzer-Sofa, grau, Stoff, keine Flecken, Nichtraucherhaushalt. Abholung {ort}."),
        off("de", "Couch abzugeben", "Ecksofa, muss bis 15.12. raus. Bitte mit 2 Personen zum Tragen kommen."),
        off("de", "Schlafcouch", "Schlafcouch mit Bettkasten zu verschenken, Liegefläche 140x200."),
        off("en", "Free sofa", "Two-seater sofa, clean, pick up from {ort}."),
    ],
    "kleiderschrank": [
        off("de", "Kleiderschrank abzugeben", "Gut erhaltener Kleiderschrank, 2-türig, 100 cm breit. Abholung in {ort}."),
        off("de", "Schrank zu verschenken", "Dreitüriger Kleiderschrank mit Spiegel, zerlegt, alle Schrauben vorhanden."),
        off("de", "Kleiderschrank (Pax)", "Pax-Kleiderschrank 150 cm, weiß, muss selbst abgebaut werden."),
    ],
    "schreibtisch": [
        off("de", "Schreibtisch zu verschenken", "Schreibtisch 120x60 cm, Buche-Optik, mit Schublade. Abholung {ort}."),
        off("de", "Kinderschreibtisch, höhenverstellbar", "Mitwachsender Schreibtisch, passt von der Grundschule bis ins Jugendalter."),
        off("en", "Desk for free", "Simple desk 100x50, collect in {ort}."),
    ],
    "kinderkleidung_winter": [
        off("de", "Kinder-Winterjacken abzugeben", "Zwei Winterjacken Gr. 116 und 122, ein Schneeanzug Gr. 110. Alles sauber."),
        off("de", "Kinderkleidung Paket Winter", "Großes Paket Winterkleidung für Jungen, Größe 110–128: Pullis, Matschhosen, Mütze, Schal."),
        off("de", "Schneestiefel + Winterjacke Kind", "Schneestiefel Gr. 30 und Winterjacke Gr. 122, gut erhalten."),
        off("ar", "ملابس شتوية للأطفال مجاناً", "ملابس شتوية للأطفال مقاس ١١٠–١٢٨، نظيفة وبحالة جيدة، مجاناً. الاستلام من {ort}."),
        off("de", "Kinderkleiderkammer geöffnet", "Unsere Kinderkleiderkammer gibt kostenlos Kleidung für Kinder von 0 bis 14 Jahren aus, jetzt vor allem Winterkleidung. Di und Do 15–18 Uhr.",
            also=("babykleidung",), org="Familienzentrum Regenbogen"),
    ],
    "babykleidung": [
        off("de", "Babykleidung Gr. 56-68", "Karton mit Babykleidung: Bodys, Strampler, Jäckchen. Unisex, gewaschen."),
        off("de", "Babysachen zu verschenken", "Babysachen Gr. 62–74, viel für den Winter, Abholung in {ort}."),
        off("en", "Baby clothes bundle", "Bag of baby clothes 0–6 months, free."),
    ],
    "laptop": [
        off("de", "Laptop zu verschenken", "ThinkPad, 8 GB RAM, frisch aufgesetzt mit Linux. Ladegerät dabei."),
        off("de", "Notebook abzugeben", "Älteres Notebook, Windows 10, Akku hält ca. 2 Stunden. Für Schule und Office reicht es."),
        off("de", "Computer für Schüler/innen", "Wir bereiten gespendete Laptops auf und geben sie kostenlos an Schüler/innen aus Familien mit wenig Geld.",
            org="Digitalbrücke e.V."),
        off("en", "Free laptop", "Old but working laptop (Windows 10), free to a student."),
    ],
    "kochgeschirr": [
        off("de", "Kochtopf-Set zu verschenken", "3 Töpfe mit Deckeln und eine Pfanne, für Induktion geeignet."),
        off("de", "Geschirr und Besteck", "Kiste mit Tellern, Tassen und Besteck für 6 Personen."),
        off("de", "Küchenausstattung komplett", "Wir lösen den Haushalt meiner Oma auf: Töpfe, Pfannen, Geschirr, Küchenhelfer. Alles abzugeben."),
    ],
    "naehmaschine": [
        off("de", "Nähmaschine zu verschenken", "Nähmaschine, funktioniert, Anleitung und Nadeln dabei."),
        off("de", "Biete Nähmaschine", "Ältere, zuverlässige Nähmaschine. Abholung in {ort}."),
    ],
    "umzugskartons": [
        off("de", "Umzugskartons zu verschenken", "Ca. 20 Umzugskartons, einmal benutzt. Abholung {ort}."),
        off("de", "Kartons für den Umzug", "Stabile Kartons und Luftpolsterfolie nach unserem Umzug abzugeben."),
    ],
    "kleidung_damen": [
        off("de", "Damen-Wintermantel Gr. 40", "Warmer Wintermantel für Damen, Größe 40, dunkelblau."),
        off("de", "Damenkleidung abzugeben", "Tüte mit Damenkleidung Gr. 38/40: Pullover, Jeans, Blusen."),
        off("de", "Kleider und Röcke zu verschenken", "Verschiedene Kleider, Gr. M, teilweise kaum getragen."),
    ],
    "bettwaesche": [
        off("de", "Bettwäsche und Decken abzugeben", "Mehrere Bettbezüge 135x200, zwei Bettdecken und Kopfkissen, gewaschen."),
        off("de", "Bettdecken zu verschenken", "Zwei warme Winterbettdecken, kaum benutzt."),
    ],
    "fussballschuhe": [
        off("de", "Fußballschuhe Gr. 33", "Kinder-Fußballschuhe mit Nocken, Gr. 33, einmal getragen."),
        off("de", "Fußballsachen für Kinder", "Fußballschuhe Gr. 35, Schienbeinschoner, Trikot. Zu verschenken."),
    ],
    "wohnungsaufloesung": [
        off("de", "Wohnungsauflösung: alles muss raus", "Wegen Wohnungsauflösung zu verschenken: Sofa, Kleiderschrank, Kühlschrank, Küchensachen. Nur am 19. und 20.12.",
            also=("sofa", "kleiderschrank", "kuehlschrank", "kochgeschirr")),
    ],
    "spielzeug": [
        off("de", "Spielzeugkiste", "Kiste mit Duplo, Puzzles und Kuscheltieren zu verschenken."),
        off("de", "Lego abzugeben", "Ca. 3 kg gemischtes Lego, gewaschen."),
        off("en", "Toys for kids", "Board games and toys for kids aged 4–8, free."),
    ],
    "umzug": [
        off("de", "Biete Hilfe beim Umzug", "Ich bin Student, kräftig und habe am Wochenende Zeit. Helfe gerne beim Tragen."),
        off("de", "Umzugshilfe", "Wir sind eine Gruppe von 4 Ehrenamtlichen und helfen bei Umzügen, auch beim Ab- und Aufbau von Möbeln.", also=("moebelaufbau",)),
        off("de", "Helfe beim Umzug, habe Transporter", "Ich kann mit meinem Transporter (3,5 t) und zwei Händen beim Umzug helfen. Nur Spritkosten.", also=("moebeltransport",)),
        off("en", "Offering moving help", "I'm happy to help carry boxes and furniture on weekends."),
        off("de", "Packe mit an!", "Rentner, noch fit, hilft bei Umzügen und beim Kistenpacken."),
        off("ar", "أساعد في الانتقال وحمل الأثاث", "أستطيع المساعدة في الانتقال وحمل الأثاث في عطلة نهاية الأسبوع."),
    ],
    "moebelaufbau": [
        off("de", "Handwerklich begabt – baue Möbel auf", "Ich helfe beim Aufbau von Möbeln, Lampen anbringen, kleine Reparaturen. Werkzeug bringe ich mit."),
        off("de", "Biete Hilfe bei Möbelmontage", "Ehrenamtlicher Handwerker im Ruhestand hilft beim Zusammenbauen von Möbeln."),
    ],
    "renovierung": [
        off("de", "Helfe beim Renovieren", "Maler im Ruhestand hilft beim Streichen und Tapezieren, das Material müsst ihr stellen."),
        off("de", "Streichen, Tapezieren, Laminat", "Biete Hilfe bei Renovierungsarbeiten am Wochenende."),
    ],
    "kinderbetreuung": [
        off("de", "Biete Kinderbetreuung", "Erfahrene Oma (3 Enkel) passt stundenweise auf Kinder auf, gern auch regelmäßig."),
        off("de", "Leihoma gesucht? Hier!", "Ich (pensionierte Erzieherin) möchte einer Familie als Leihoma helfen."),
        off("en", "Babysitting for free", "Student (education) offers free babysitting a few afternoons a week."),
    ],
    "job_erzieher": [
        off("de", "Erzieher/in (m/w/d) gesucht", "Unsere Kita in {ort} sucht ab sofort Erzieher/innen in Voll- oder Teilzeit für die Kinderbetreuung."),
        off("de", "Minijob Kinderbetreuung im Hort", "Hort sucht Aushilfe für die Nachmittagsbetreuung, 10 Std./Woche, bezahlt."),
    ],
    "einkaufshilfe": [
        off("de", "Biete Einkaufshilfe", "Ich gehe gern für ältere oder kranke Menschen einkaufen, ein- bis zweimal pro Woche."),
        off("de", "Einkaufsdienst der Nachbarschaftshilfe", "Unsere Nachbarschaftshilfe erledigt Einkäufe für Menschen, die nicht mehr selbst gehen können.",
            org="Nachbarschaftshilfe {stadt}"),
    ],
    "garten": [
        off("de", "Helfe bei der Gartenarbeit", "Rasen mähen, Hecke schneiden, Laub harken – ich helfe gern."),
        off("de", "Gartenhilfe für Senioren", "Wir helfen älteren Menschen im Garten, einmal im Monat."),
    ],
    "deutsch": [
        off("de", "Biete Deutschunterricht", "Pensionierte Lehrerin gibt kostenlos Deutschunterricht, ein- bis zweimal pro Woche, für alle Niveaus."),
        off("de", "Sprachcafé jeden Mittwoch", "Im Sprachcafé üben wir in lockerer Runde Deutsch sprechen. Mittwochs 17–19 Uhr, ohne Anmeldung.",
            kind="service", org="Stadtbibliothek {stadt}"),
        off("de", "Deutsch-Tandem", "Ich möchte Arabisch lernen und helfe dir dafür beim Deutschlernen. Treffen einmal pro Woche."),
        off("de", "Deutschnachhilfe", "Helfe bei Grammatik, Aussprache und Prüfungsvorbereitung, alle Niveaus."),
        off("en", "German lessons offered", "Native speaker offering free German conversation practice, all levels."),
        off("de", "Gesprächspartnerin für Deutsch", "Ich (Studentin) treffe mich gern mit jemandem, der Deutsch üben will – spazieren gehen, Kaffee trinken, quatschen."),
    ],
    "nachhilfe_mathe": [
        off("de", "Biete Mathenachhilfe", "Mathestudent gibt kostenlos Nachhilfe für die Klassen 5–10 und beim Nachholen von Schulabschlüssen."),
        off("de", "Nachhilfe Mathe & Physik", "Ingenieur im Ruhestand hilft Schülern und Erwachsenen bei Mathe und Physik, auch Prüfungsvorbereitung."),
        off("en", "Maths tutoring", "I can tutor maths for secondary school students and adults, online or in person."),
    ],
    "hausaufgaben": [
        off("de", "Hausaufgabenhilfe", "Ich unterstütze Grundschulkinder bei den Hausaufgaben, beim Lesen und Rechnen, montags und mittwochs."),
        off("de", "Lernpatenschaft Grundschule", "Als Lernpatin begleite ich ein Grundschulkind einmal pro Woche beim Lernen."),
        off("de", "Hausaufgabenbetreuung im Stadtteiltreff", "Di–Do 14–16 Uhr Hausaufgabenbetreuung für Kinder der Klassen 1–6, kostenlos.",
            org="Stadtteiltreff {ort}"),
    ],
    "pc_kurs": [
        off("de", "PC-Kurs für Anfänger", "Lernen Sie den Umgang mit Computer, E-Mail und Internet. Kleine Gruppen, kostenlos."),
        off("de", "Computer-Grundlagen", "Ich zeige Ihnen geduldig, wie Laptop und Smartphone funktionieren."),
    ],
    "fuehrerschein": [
        off("de", "Führerschein-Theorie auf Arabisch", "Ich helfe beim Lernen für die Theorieprüfung, die Fragen gibt es auch auf Arabisch."),
        off("de", "Fahrschul-Theorie üben", "Gemeinsam für die Führerscheinprüfung lernen, jeden Freitag."),
    ],
    "radfahrkurs": [
        off("de", "Radfahrkurs für Frauen", "In unserem Kurs lernen erwachsene Frauen Fahrradfahren, Räder werden gestellt."),
        off("de", "Fahrradfahren lernen – für Erwachsene", "Ich bringe Erwachsenen das Radfahren bei, geduldig und auf einem ruhigen Platz."),
    ],
    "bewerbung": [
        off("de", "Bewerbungshilfe", "Ich helfe beim Erstellen von Lebenslauf und Anschreiben und übe Vorstellungsgespräche mit dir."),
        off("de", "Bewerbungscafé", "Jeden Donnerstag 16–18 Uhr: Hilfe bei Bewerbungen, Lebenslauf und Anschreiben. Laptop und Drucker sind vorhanden.",
            kind="service", org="Diakonie {stadt}"),
        off("en", "CV and application help", "HR professional offering to review CVs and cover letters, in German or English."),
    ],
    "job_lager": [
        off("de", "Minijob im Lager", "Wir suchen Aushilfen für unser Lager, auch mit wenig Deutschkenntnissen. Bewerbung einfach per Telefon."),
        off("de", "Helfer/in Logistik (m/w/d)", "Vollzeit, Schichtarbeit. Bewerbung mit kurzem Lebenslauf."),
    ],
    "behoerden": [
        off("de", "Begleitung zu Behörden", "Ich begleite Sie zu Ämtern (Jobcenter, Ausländerbehörde, Bürgeramt) und helfe beim Verstehen von Briefen."),
        off("de", "Hilfe bei Anträgen und Formularen", "Ehrenamtliche helfen beim Ausfüllen von Anträgen (Wohngeld, Kindergeld, Jobcenter). Sprechstunde Mo 10–12 Uhr.",
            kind="service", org="Migrationsberatung {stadt}"),
        off("de", "Papierkram? Ich helfe!", "Verwaltungsfachangestellte im Ruhestand hilft bei Briefen von Ämtern und beim Ausfüllen von Formularen."),
        off("en", "Help with paperwork and appointments", "I can accompany you to public offices and help with German forms."),
    ],
    "arztbegleitung": [
        off("de", "Begleitung zu Arztterminen", "Ich begleite ältere Menschen zu Ärzten und Therapien, warte mit und bringe sie wieder nach Hause."),
        off("de", "Besuchs- und Begleitdienst", "Unser Besuchsdienst begleitet Seniorinnen und Senioren zu Arztbesuchen und Spaziergängen.",
            kind="service", org="Besuchsdienst St. Marien"),
    ],
    "fahrdienst": [
        off("de", "Fahrdienst", "Ich fahre Menschen ohne Auto zu Terminen, z. B. zum Arzt oder ins Krankenhaus, vormittags und nachmittags. Einfach anfragen.", also=("arztbegleitung",)),
        off("de", "Fahrten zu Terminen", "Habe ein Auto und Zeit: fahre dich zu deinen Terminen und begleite dich auf Wunsch auch hinein.", also=("arztbegleitung",)),
        off("en", "Driving service", "Retired, own car, can drive people to medical and other appointments on weekdays.", also=("arztbegleitung",)),
    ],
    "moebeltransport": [
        off("de", "Transporter mit Fahrer", "Ich helfe mit meinem Transporter bei Möbeltransporten (Sofa, Schrank, Waschmaschine) innerhalb von {stadt}, nur gegen Spritgeld."),
        off("de", "Biete Anhänger + Auto für Transporte", "Kleine Transporte (Möbel, Waschmaschine) mit PKW-Anhänger möglich."),
    ],
    "fahrradreparatur": [
        off("de", "Fahrradwerkstatt zum Selbermachen", "Offene Fahrradwerkstatt: Wir helfen beim Reparieren eurer Räder, Werkzeug ist da. Samstags 10–14 Uhr.",
            kind="service", org="Offene Fahrradwerkstatt {stadt}"),
        off("de", "Repariere Fahrräder", "Ich repariere ehrenamtlich Fahrräder – Schlauch, Bremsen, Licht. Ersatzteile bitte selbst zahlen."),
        off("en", "Bike repair help", "I can fix flat tyres, brakes and gears and show you how. Bring your bike on Sundays."),
    ],
    "wohnung_familie": [
        off("de", "3-Zimmer-Wohnung frei ab Januar", "3 Zimmer, Küche, Bad, 72 m², 2. OG, in {ort}. Familien willkommen, Jobcenter-Mieter möglich."),
        off("de", "Wohnung für Familie", "Vermiete 4-Zimmer-Wohnung (85 m²) an Familie mit Kindern. Warmmiete nach Absprache."),
    ],
    "wg_zimmer": [
        off("de", "WG-Zimmer frei", "In unserer 3er-WG in {ort} wird ein 14-m²-Zimmer frei, 360 € warm."),
        off("en", "Room available in shared flat", "Furnished room in a friendly WG, 390 € all-in, from 1 January."),
        off("de", "Zimmer zur Untermiete", "Möbliertes Zimmer in meiner Wohnung, Küche und Bad zur Mitbenutzung, 300 € warm."),
    ],
    "fussball_kinder": [
        off("de", "Offenes Fußballtraining für Kinder", "Jeden Freitag 16 Uhr offenes Training für Kinder von 8 bis 12 Jahren auf dem Sportplatz in {ort}. Kostenlos."),
        off("de", "Kinder kicken mit", "Unser Verein nimmt Kinder aus geflüchteten Familien beitragsfrei auf, die Ausrüstung wird gestellt.", org="SV Blau-Weiß {stadt}"),
    ],
    "kinderwagen_treff": [
        off("de", "Kinderwagen-Treff", "Eltern mit Babys treffen sich dienstags zum Kinderwagen-Spaziergang durch den Park, danach gibt es Kaffee."),
    ],
    "begegnung": [
        off("de", "Wandergruppe", "Wir wandern jeden zweiten Sonntag in der Umgebung, Anfänger willkommen."),
        off("de", "Gemeinsam kochen", "Wir kochen einmal im Monat Gerichte aus aller Welt und essen zusammen."),
        off("en", "Board game evening", "Open board game night every Thursday, everyone welcome."),
    ],
    "dolmetschen_ar": [
        off("de", "Dolmetsche Arabisch–Deutsch", "Ich spreche fließend Arabisch und Deutsch und begleite zu Ärzten und Behörden, abends und am Wochenende.",
            languages=["ar", "de"], skills=["Arabisch", "Deutsch"]),
        off("ar", "أترجم من العربية إلى الألمانية", "أتكلم العربية والألمانية بطلاقة. أستطيع المرافقة إلى الطبيب أو إلى الدوائر الحكومية مساءً.",
            languages=["ar", "de"]),
        off("de", "Sprachmittlung Arabisch, Kurdisch, Farsi", "Ehrenamtliche Sprachmittler/innen begleiten zu Terminen. Bitte eine Woche vorher anfragen.",
            kind="service", org="Sprachmittlerpool {stadt}", languages=["ar", "ku", "fa", "de"]),
        off("en", "Arabic interpreter (volunteer)", "I can interpret Arabic–German for appointments, weekday mornings.", languages=["ar", "de", "en"]),
    ],
    "dolmetschen_ru": [
        off("de", "Übersetze Russisch/Ukrainisch – Deutsch", "Muttersprachlerin (Russisch, Ukrainisch), begleite zu Terminen und helfe bei Briefen.", languages=["ru", "uk", "de"]),
        off("de", "Dolmetschen Ukrainisch", "Ich spreche Ukrainisch und Deutsch und kann bei Behörden oder Ärzten dolmetschen.", languages=["uk", "de"]),
    ],
    "uebersetzung_dok": [
        off("de", "Übersetze Dokumente Arabisch → Deutsch", "Ich übersetze Zeugnisse, Briefe und Urkunden (nicht beglaubigt) aus dem Arabischen ins Deutsche.", languages=["ar", "de"]),
        off("de", "Schriftliche Übersetzungen Arabisch/Deutsch", "Studentin übersetzt Schreiben und Dokumente, kostenlos.", languages=["ar", "de"]),
    ],
    "reparaturcafe": [
        off("de", "Repair-Café", "Kaputte Elektrogeräte, Kleidung oder Spielzeug? Im Repair-Café reparieren wir gemeinsam. Jeden 1. Samstag im Monat.",
            org="Repair-Café {stadt}"),
        off("de", "Reparatur von Haushaltsgeräten", "Elektriker im Ruhestand schaut sich kaputte Waschmaschinen, Kühlschränke und Herde an."),
    ],
}

# Offers whose words overlap a need they do NOT answer (the "overlap" hard negative).
OVERLAP = {
    "kinderwagen": ["kinderwagen_treff"], "fahrrad": ["fahrradreparatur", "radfahrkurs"],
    "kinderfahrrad": ["fahrrad"], "kuehlschrank": ["reparaturcafe"], "waschmaschine": ["reparaturcafe"],
    "bett": ["bettwaesche"], "kinderbett": ["bett"], "sofa": ["moebeltransport"],
    "kleiderschrank": ["kleidung_damen"], "kinderkleidung_winter": ["kleidung_damen"],
    "laptop": ["pc_kurs"], "umzug": ["umzugskartons"], "moebelaufbau": ["kleiderschrank"],
    "kinderbetreuung": ["job_erzieher"], "deutsch": ["dolmetschen_ar"],
    "dolmetschen_ru": ["dolmetschen_ar", "arztbegleitung"],
    "nachhilfe_mathe": ["deutsch"], "bewerbung": ["job_lager"], "arztbegleitung": ["behoerden"],
    "fahrdienst": ["fuehrerschein"], "fahrradreparatur": ["fahrrad"],
    "wohnung_familie": ["wohnungsaufloesung", "wg_zimmer"], "wg_zimmer": ["wohnung_familie"],
    "fussball_kinder": ["fussballschuhe"], "radfahrkurs": ["fahrrad"],
}

# Offer needs that a coordinator might or might not forward for a request need (optionally only
# when the request is written in that language). No such pair is placed within UNSAFE_KM, so the
# labels never have to decide them.
AMBIGUOUS = {
    ("dolmetschen_ar", "uebersetzung_dok"): None, ("uebersetzung_dok", "dolmetschen_ar"): None,
    ("moebeltransport", "umzug"): None, ("fahrdienst", "einkaufshilfe"): None,
    ("dolmetschen_ar", "behoerden"): "ar", ("uebersetzung_dok", "behoerden"): "ar",
    ("dolmetschen_ar", "arztbegleitung"): "ar",
}

# --------------------------------------------------------------------------------------------
# The requests: (town, need, language, fitting offers to place, hard negatives to place).
# Hard negatives: "overlap" (see OVERLAP), "expired" (same need, same town, valid_until in
# 2025), "other_city" (same need in another region), "far" (same need, >= 28 km away, in a
# neighbouring district or, for Göttingen, the far end of the same district).
# 0 fitting offers: the request must end with none.
# --------------------------------------------------------------------------------------------
PLAN = [
    ("L", "kinderwagen", "de", 2, ["overlap"]), ("L", "fahrrad", "de", 3, ["other_city"]),
    ("L", "kuehlschrank", "de", 1, ["expired"]), ("L", "umzug", "de", 2, ["overlap"]),
    ("L", "deutsch", "ar", 2, ["overlap"]), ("L", "dolmetschen_ar", "de", 1, ["other_city"]),
    ("L", "wohnung_familie", "de", 1, ["overlap"]), ("L", "nachhilfe_mathe", "de", 2, []),
    ("L", "bewerbung", "en", 1, ["overlap"]), ("L", "kinderkleidung_winter", "de", 2, ["overlap"]),
    ("L", "laptop", "de", 1, ["overlap"]),
    ("L", "waschmaschine", "de", 0, ["far"]), ("L", "kinderbett", "de", 0, ["expired", "overlap"]),

    ("D", "fahrrad", "ar", 2, []), ("D", "waschmaschine", "de", 2, ["overlap"]),
    ("D", "sofa", "de", 1, ["overlap"]), ("D", "behoerden", "de", 2, ["other_city"]),
    ("D", "kinderbetreuung", "de", 1, ["overlap"]), ("D", "deutsch", "en", 2, []),
    ("D", "dolmetschen_ru", "de", 1, ["overlap"]), ("D", "fahrradreparatur", "de", 1, ["overlap"]),
    ("D", "babykleidung", "de", 2, ["other_city"]), ("D", "moebeltransport", "de", 1, []),
    ("D", "uebersetzung_dok", "de", 1, []),
    ("D", "kuehlschrank", "de", 0, ["far"]), ("D", "wohnung_familie", "ar", 0, ["overlap", "other_city"]),
    ("D", "fussball_kinder", "de", 0, ["overlap"]),

    ("G", "kinderwagen", "ar", 1, ["other_city"]), ("G", "bett", "de", 2, ["overlap"]),
    ("G", "umzug", "de", 3, []), ("G", "deutsch", "de", 3, ["overlap"]),
    ("G", "nachhilfe_mathe", "de", 1, ["overlap"]), ("G", "hausaufgaben", "de", 2, []),
    ("G", "arztbegleitung", "de", 1, ["overlap"]), ("G", "dolmetschen_ar", "ar", 2, []),
    ("G", "kleiderschrank", "de", 1, ["overlap"]), ("G", "fahrdienst", "de", 1, ["overlap"]),
    ("G", "fahrrad", "de", 0, ["far"]), ("G", "laptop", "en", 0, ["expired"]),
    ("G", "waschmaschine", "de", 0, ["far", "expired"]),

    ("P", "fahrrad", "de", 2, ["overlap"]), ("P", "kinderfahrrad", "de", 2, ["overlap"]),
    ("P", "kuehlschrank", "en", 2, []), ("P", "behoerden", "ar", 2, []),
    ("P", "wohnung_familie", "de", 1, []), ("P", "wg_zimmer", "en", 2, ["overlap"]),
    ("P", "umzug", "de", 1, ["overlap"]), ("P", "deutsch", "de", 2, []),
    ("P", "schreibtisch", "de", 1, []), ("P", "einkaufshilfe", "de", 2, []),
    ("P", "radfahrkurs", "de", 1, ["overlap"]),
    ("P", "sofa", "de", 0, ["far"]), ("P", "kinderbetreuung", "de", 0, ["overlap", "expired"]),
    ("P", "gitarre", "de", 0, []),

    ("B", "kinderwagen", "de", 3, []), ("B", "fahrrad", "en", 1, ["expired"]),
    ("B", "waschmaschine", "ar", 1, []), ("B", "moebelaufbau", "de", 2, ["overlap"]),
    ("B", "bewerbung", "de", 2, ["overlap"]), ("B", "deutsch", "de", 1, ["other_city"]),
    ("B", "kochgeschirr", "de", 2, []), ("B", "dolmetschen_ar", "de", 2, []),
    ("B", "renovierung", "de", 1, []), ("B", "fahrdienst", "de", 2, []),
    ("B", "naehmaschine", "de", 1, ["other_city"]),
    ("B", "umzug", "de", 0, ["expired", "overlap"]), ("B", "bett", "en", 0, ["far"]),

    ("W", "kinderkleidung_winter", "de", 2, ["overlap"]), ("W", "fahrrad", "de", 2, []),
    ("W", "kuehlschrank", "de", 2, []), ("W", "umzug", "en", 2, []),
    ("W", "behoerden", "de", 1, ["other_city"]), ("W", "deutsch", "de", 2, []),
    ("W", "laptop", "de", 2, []), ("W", "kochgeschirr", "de", 1, []),
    ("W", "fussball_kinder", "de", 1, ["overlap"]), ("W", "sofa", "de", 1, []),
    ("W", "schreibtisch", "de", 1, ["other_city", "expired"]),
    ("W", "kinderbett", "de", 0, ["far"]), ("W", "dolmetschen_ru", "de", 0, ["overlap"]),
]


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------
def km(a: dict, b: dict) -> float:
    """Great-circle distance between two {lat, lon} points."""
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dp, dl = p2 - p1, math.radians(b["lon"] - a["lon"])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def is_current(valid_until: str | None) -> bool:
    return valid_until is None or datetime.fromisoformat(valid_until) > NOW


class Builder:
    """Places requests, then fitting offers, hard negatives and background noise."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.ids: set[str] = set()
        self.serial: dict[str, int] = {}
        self.cursor: dict[tuple, list] = {}
        self.requests: list[dict] = []   # {"listing", "need", "at", "fits", "none"}
        self.offers: list[dict] = []     # {"listing", "needs", "at", "current"}

    # -- small helpers ----------------------------------------------------------------------
    def new_id(self) -> str:
        while True:
            lid = f"l_{self.rng.getrandbits(64):016x}"
            if lid not in self.ids:
                self.ids.add(lid)
                return lid

    def places(self, group: str, *roles: str) -> list[dict]:
        return [p for p in PLACES if p["group"] == group and p["role"] in roles]

    def text(self, pools: dict, need: str, lang: str | None = None) -> dict:
        """Next text of a need's pool (in a language), cycling through a shuffled order."""
        pool = pools[need]
        if lang is None:
            langs = sorted({t["lang"] for t in pool})
            weights = [{"de": 8, "en": 1.5, "ar": 1.5}[x] for x in langs]
            lang = self.rng.choices(langs, weights)[0]
        key = (id(pools), need, lang)
        if not self.cursor.get(key):
            order = [t for t in pool if t["lang"] == lang]
            assert order, f"no {lang} text for {need}"
            self.rng.shuffle(order)
            self.cursor[key] = order
        return self.cursor[key].pop()

    def stamp(self) -> tuple[str, str]:
        published = datetime(2026, 11, self.rng.randint(1, 26), self.rng.randint(7, 22),
                             self.rng.randrange(60), tzinfo=BERLIN)
        updated = published + timedelta(minutes=self.rng.choice([0, 0, 0, 17, 95, 1440, 2890]))
        return published.isoformat(), updated.isoformat()

    def until(self, expired: bool = False, share_null: float = 0.45) -> str | None:
        if expired:
            day = datetime(2025, 1, 15, 23, 59, tzinfo=BERLIN) + timedelta(days=self.rng.randrange(330))
            return day.isoformat()
        if self.rng.random() < share_null:
            return None
        day = datetime(2027, 1, 10, 23, 59, tzinfo=BERLIN) + timedelta(days=self.rng.randrange(260))
        return day.isoformat()

    def portal(self, group: str, kind: str) -> str:
        own = CITY_PORTAL[group]
        if kind == "service":
            return self.rng.choice([own, "portal-e"])
        if kind == "request":
            return self.rng.choices([own, "portal-e"], [3, 1])[0]
        return self.rng.choices([own, "portal-c", "portal-e"], [55, 20, 25])[0]

    def source(self, portal: str, at: dict) -> dict:
        n = self.serial[portal] = self.serial.get(portal, 0) + self.rng.randint(1, 37)
        if portal == "portal-a":
            district = {"L": "leipzig", "D": "dresden", "P": "potsdam"}[at["group"]]
            sid = str(48000 + n)
            url = f"https://{district}.portal-a.example/eintrag/{sid}"
        elif portal == "portal-b":
            kommune = "wolfsburg" if at["group"] == "W" else "braunschweig"
            sid, url = str(2100 + n), f"https://{kommune}.portal-b.example/inserat/{2100 + n}"
        elif portal == "portal-c":
            sid, url = f"ihj-{77000 + n}", f"https://portal-c.example/angebot/{77000 + n}"
        elif portal == "portal-d":
            sid, url = f"evt-{n:05d}", f"https://portal-d.example/termine/evt-{n:05d}"
        else:
            sid = f"{self.rng.getrandbits(48):012x}"
            url = f"https://portal-e.example/listings/{sid}" if self.rng.random() < 0.8 else None
        fetched = datetime(2026, 11, 30, 5, "abcde".index(portal[-1]) * 7, tzinfo=BERLIN)
        return {"portal": portal, "id": sid, "url": url, "fetched_at": fetched.isoformat()}

    def location(self, at: dict, portal: str) -> dict:
        lat, lon, approximate = at["lat"], at["lon"], True
        if portal == "portal-c":  # GeoRSS points: the donor's position, not the postcode centre
            lat += self.rng.uniform(-0.006, 0.006)
            lon += self.rng.uniform(-0.009, 0.009)
            approximate = False
        city = at["city"]
        if portal == "portal-a" and at["ort"] != at["city"]:  # HelpTo style: "Potsdam-Babelsberg"
            city = at["ort"] if at["ort"].startswith(at["city"]) else f"{at['city']}-{at['ort']}"
        return {"ags": at["ags"], "region": at["region"], "postcode": at["postcode"], "city": city,
                "lat": round(lat, 4), "lon": round(lon, 4), "approximate": approximate}

    def closing(self, t: dict, kind: str, category: str) -> str:
        """The description, sometimes with a closing phrase (German texts by private people only)."""
        if t["lang"] != "de" or t.get("org") or self.rng.random() < 0.6:
            return t["desc"]
        pool = CLOSINGS["request" if kind == "request" else "goods" if category == "goods" else "time"]
        return f"{t['desc']} {self.rng.choice(pool)}"

    def listing(self, kind: str, need: str, t: dict, at: dict, valid_until: str | None) -> dict:
        category, rubric = NEEDS[need]
        category = t.get("category") or category
        portal = self.portal(at["group"], kind)
        fill = {"ort": at["ort"], "stadt": at["city"]}
        published, updated = self.stamp()
        doc = {
            "id": self.new_id(), "source": self.source(portal, at), "kind": kind, "category": category,
            "title": t["title"].format(**fill), "description": self.closing(t, kind, category).format(**fill),
            "language": t["lang"], "languages": t.get("languages") or [t["lang"]],
            "location": self.location(at, portal), "published_at": published, "updated_at": updated,
            "valid_until": valid_until,
            "organisation": {"name": t["org"].format(**fill), "url": None} if t.get("org") else None,
        }
        if portal in ("portal-b", "portal-c"):
            tags = [rubric] if portal == "portal-b" else [
                "Sachspende" if category == "goods" else "Zeitspende", rubric]
            doc["tags"] = list(dict.fromkeys(tags))
        if t.get("skills"):
            doc["skills"] = t["skills"]
        if kind == "request" and category == "volunteering":
            doc["volunteers_needed"] = self.rng.randint(1, 3)
        return doc

    # -- requests ---------------------------------------------------------------------------
    def add_requests(self) -> None:
        for group, need, lang, n_fit, negatives in PLAN:
            at = self.rng.choice(self.places(group, "city"))
            t = self.text(REQUESTS, need, lang)
            doc = self.listing("request", need, t, at, self.until(share_null=0.6))
            self.requests.append({"listing": doc, "need": need, "at": doc["location"], "group": group,
                                  "plan": n_fit, "negatives": negatives, "fits": 0, "none": n_fit == 0})

    # -- offers -----------------------------------------------------------------------------
    def fits_of(self, needs: set[str], at: dict) -> list[dict] | None:
        """Requests an offer answering `needs` at `at` would fit; None if a label would be unsure."""
        hits = []
        for r in self.requests:
            d = km(r["at"], at)
            if r["need"] in needs:
                if SAFE_KM < d < UNSAFE_KM:
                    return None  # too close to the MAX_KM line
                if d <= SAFE_KM:
                    hits.append(r)
            elif d < UNSAFE_KM and any(AMBIGUOUS.get((n, r["need"]), "-") in (None, r["listing"]["language"])
                                       for n in needs):
                return None  # a need a coordinator might or might not forward
        return hits

    def try_offer(self, need: str, spots: list[dict], *, target: dict | None = None, fit_target: bool = False,
                  expired: bool = False, background: bool = False, tries: int = 40) -> bool:
        """Place one offer of `need` at one of `spots`, keeping the data set's promises.

        fit_target: it must fit `target`; otherwise it must not. background: it must fit nobody.
        """
        for _ in range(tries):
            t = self.text(OFFERS, need)
            if background and t["kind"] == "service" and self.rng.random() < 0.8:
                continue  # services stay few: most of the noise is people's own offers
            at = self.rng.choice(spots)
            if any(o["group"] == at["group"] and o["title"] == t["title"] for o in self.offers):
                continue  # the same text twice in one town would look like a cross-post
            valid_until = self.until(expired=expired)
            doc = self.listing(t["kind"], need, t, at, valid_until)
            needs = {need, *t["also"]}
            hits = self.fits_of(needs, doc["location"])
            if hits is None:
                continue
            if is_current(valid_until):
                if (target in hits) != fit_target or (background and hits):
                    continue
                if any(r["none"] or r["fits"] >= MAX_FITS for r in hits):
                    continue
                for r in hits:
                    r["fits"] += 1
            self.offers.append({"listing": doc, "needs": needs, "at": doc["location"], "group": at["group"],
                                "title": t["title"], "current": is_current(valid_until)})
            return True
        return False

    def add_negatives(self) -> None:
        """The hard negatives each request asks for in PLAN."""
        for r in self.requests:
            for kind in r["negatives"]:
                needs, expired, spots = [r["need"]], False, self.places(r["group"], "city")
                if kind == "overlap":
                    k = len(self.offers) % len(OVERLAP[r["need"]])  # vary which near-miss comes first
                    needs = OVERLAP[r["need"]][k:] + OVERLAP[r["need"]][:k]
                elif kind == "expired":
                    expired = True
                elif kind == "other_city":
                    others = [g for g in "LDGPBW" if REGION_OF[g] != REGION_OF[r["group"]]]
                    spots = [p for g in others for p in self.places(g, "city")]
                elif kind == "far":
                    spots = [p for p in self.places(r["group"], "far") if km(p, r["at"]) >= UNSAFE_KM + 2]
                if not any(self.try_offer(n, spots, target=r, expired=expired) for n in needs):
                    raise SystemExit(f"could not place a {kind} negative for {r['need']} in {r['group']}")

    def add_fitting(self) -> None:
        """Top every request up to its planned number of fitting offers."""
        for r in self.requests:
            while r["fits"] < r["plan"]:
                # a quarter across the district border (but near); the town itself if that fails
                if self.rng.random() < 0.25 and self.try_offer(
                        r["need"], self.places(r["group"], "near"), target=r, fit_target=True):
                    continue
                if not self.try_offer(r["need"], self.places(r["group"], "city"), target=r, fit_target=True):
                    raise SystemExit(f"could not place a fitting offer for {r['need']} in {r['group']}")

    def add_background(self) -> None:
        """Noise offers that fit no request, until there are N_OFFERS offers."""
        spots = [p for p in PLACES if p["role"] in ("city", "near")]
        needs = sorted(OFFERS)
        while len(self.offers) < N_OFFERS:
            self.try_offer(self.rng.choice(needs), spots, expired=self.rng.random() < 0.06,
                           background=True, tries=1)

    # -- truth ------------------------------------------------------------------------------
    def truth(self) -> list[list[str]]:
        """Recompute every pair from the labels alone and check the promises."""
        pairs = []
        for r in self.requests:
            found = 0
            for o in self.offers:
                if not (o["current"] and r["need"] in o["needs"]):
                    continue
                d = km(r["at"], o["at"])
                assert not SAFE_KM < d < UNSAFE_KM, (r["need"], d)
                if d <= MAX_KM:
                    pairs.append([r["listing"]["id"], o["listing"]["id"]])
                    found += 1
            assert found == r["fits"] and found <= MAX_FITS and (found == 0) == r["none"], (r["need"], found)
        return sorted(pairs)


def main() -> None:
    b = Builder()
    b.add_requests()
    b.add_negatives()  # first: a near-miss for one request may be a fitting offer for another
    b.add_fitting()
    b.add_background()
    pairs = b.truth()
    listings = sorted([r["listing"] for r in b.requests] + [o["listing"] for o in b.offers], key=lambda d: d["id"])
    with open(HERE / "listings.jsonl", "w", encoding="utf-8") as f:
        for doc in listings:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    (HERE / "truth.json").write_text(json.dumps({"pairs": pairs}, indent=1) + "\n", encoding="utf-8")

    kinds = {k: sum(d["kind"] == k for d in listings) for k in ("request", "offer", "service")}
    per_request = [r["fits"] for r in b.requests]
    print(f"listings {len(listings)}: {kinds}; truth pairs {len(pairs)}")
    print("requests by fitting offers:", {n: per_request.count(n) for n in sorted(set(per_request))})
    print("languages:", {x: sum(d["language"] == x for d in listings) for x in ("de", "en", "ar")})
    print("portals:", {p: sum(d["source"]["portal"] == p for d in listings) for p in sorted({d["source"]["portal"] for d in listings})})
    print("towns:", {g: sum(r["group"] == g for r in b.requests) for g in "LDGPBW"}, "(requests)")
    print("offers expired:", sum(not o["current"] for o in b.offers))
    negatives = [k for *_, ks in PLAN for k in ks]
    print("hard negatives planned:", {k: negatives.count(k) for k in ("overlap", "expired", "other_city", "far")})
    by_id = {d["id"]: d for d in listings}
    fits = [(by_id[r], by_id[o]) for r, o in pairs]
    print("fitting pairs across a district border:", sum(r["location"]["ags"] != o["location"]["ags"] for r, o in fits),
          "| in another category:", sum(r["category"] != o["category"] for r, o in fits),
          "| in another language:", sum(r["language"] != o["language"] for r, o in fits),
          "| offer is a service:", sum(o["kind"] == "service" for _, o in fits))


if __name__ == "__main__":
    main()
