"""The pages' languages: German, English and Arabic. The reader's language comes from `lang`, else
from Accept-Language; Arabic is written right to left. Dates, times and the kinds of listings are
written as the feeds write them (exports/texts.py: Berlin time, Babel's CLDR data)."""
from __future__ import annotations

from babel.numbers import format_decimal
from flask import request

from exports import texts
from hub.query import LANGUAGES

RTL = {"ar"}
NAMES = {"de": "Deutsch", "en": "English", "ar": "العربية"}

MESSAGES: dict[str, dict[str, str]] = {
    "site": {"de": "Helfer-Allianz", "en": "Helfer-Allianz", "ar": "تحالف المساعدين"},
    "tagline": {"de": "Angebote und Gesuche aller Portale der Helfer-Allianz",
                "en": "Offers and requests from every portal of the Helfer-Allianz",
                "ar": "العروض والطلبات من جميع بوابات تحالف المساعدين"},
    "skip": {"de": "Zum Inhalt springen", "en": "Skip to content", "ar": "انتقل إلى المحتوى"},
    "listings": {"de": "Einträge", "en": "Listings", "ar": "الإعلانات"},
    "map": {"de": "Karte", "en": "Map", "ar": "الخريطة"},
    "search": {"de": "Suchen", "en": "Search", "ar": "بحث"},
    "filters": {"de": "Suche eingrenzen", "en": "Narrow the search", "ar": "تضييق البحث"},
    "q": {"de": "Suchbegriff", "en": "Search words", "ar": "كلمات البحث"},
    "kind": {"de": "Art", "en": "Kind", "ar": "النوع"},
    "category": {"de": "Bereich", "en": "Category", "ar": "الفئة"},
    "region": {"de": "Region", "en": "Region", "ar": "المنطقة"},
    "postcode": {"de": "Postleitzahl (Anfang)", "en": "Postcode (start)", "ar": "الرمز البريدي (بدايته)"},
    "language": {"de": "Sprache", "en": "Language", "ar": "اللغة"},
    "any": {"de": "alle", "en": "any", "ar": "الكل"},
    "radius": {"de": "Umkreis um die Postleitzahl", "en": "Distance from the postcode", "ar": "المسافة من الرمز البريدي"},
    "radius_none": {"de": "nur diese Postleitzahl", "en": "this postcode only", "ar": "هذا الرمز البريدي فقط"},
    "km": {"de": "{n} km", "en": "{n} km", "ar": "{n} كم"},
    "germany": {"de": "ganz Deutschland", "en": "all of Germany", "ar": "كل ألمانيا"},
    "none": {"de": "Nichts gefunden. Versuchen Sie weniger Filter.", "en": "Nothing found. Try fewer filters.",
             "ar": "لم يتم العثور على شيء. جرّب عوامل تصفية أقل."},
    "next": {"de": "Ältere Einträge", "en": "Older listings", "ar": "إعلانات أقدم"},
    "first": {"de": "Zu den neuesten", "en": "Back to the newest", "ar": "العودة إلى الأحدث"},
    "helpers": {"de": "Helfende", "en": "Helpers", "ar": "المتطوعون"},
    "full": {"de": "keine Helfenden mehr gesucht", "en": "no more helpers needed", "ar": "لا حاجة لمزيد من المتطوعين"},
    "on": {"de": "auf", "en": "on", "ar": "على"},
    "portals": texts.WORDS["portals"],  # as the feeds say it
    "contact": {"de": "Kontakt nur über das Portal: Die Helfer-Allianz gibt keine Kontaktdaten weiter.",
                "en": "Contact through the portal only: the Helfer-Allianz passes on no contact details.",
                "ar": "التواصل عبر البوابة فقط: لا ينشر تحالف المساعدين أي بيانات اتصال."},
    "open": {"de": "Beim Portal öffnen", "en": "Open on the portal", "ar": "فتح في البوابة"},
    "when": {"de": "Wann", "en": "When", "ar": "متى"},
    "where": {"de": "Wo", "en": "Where", "ar": "أين"},
    "until": {"de": "Gültig bis", "en": "Valid until", "ar": "صالح حتى"},
    "published": {"de": "Veröffentlicht", "en": "Published", "ar": "نُشر"},
    "updated": {"de": "Zuletzt geändert", "en": "Last changed", "ar": "آخر تعديل"},
    "organisation": {"de": "Organisation", "en": "Organisation", "ar": "المنظمة"},
    "skills": {"de": "Gefragt", "en": "Skills", "ar": "المهارات"},
    "languages": {"de": "Sprachen", "en": "Languages", "ar": "اللغات"},
    "history": {"de": "Verlauf", "en": "History", "ar": "السجل"},
    "matches_offer": {"de": "Angebote, die passen könnten", "en": "Offers that could fit",
                      "ar": "عروض قد تناسب"},
    "matches_request": {"de": "Gesuche, die dazu passen könnten", "en": "Requests this could fill",
                        "ar": "طلبات قد يلبيها هذا"},
    "new": {"de": "neu auf {portal}", "en": "new on {portal}", "ar": "جديد على {portal}"},
    "changed": {"de": "geändert auf {portal}", "en": "changed on {portal}", "ar": "عُدّل على {portal}"},
    "withdrawn": {"de": "zurückgezogen auf {portal}", "en": "withdrawn on {portal}", "ar": "سُحب من {portal}"},
    "feeds": {"de": "Diese Suche abonnieren", "en": "Subscribe to this search", "ar": "الاشتراك في هذا البحث"},
    "back": {"de": "Zurück zur Übersicht", "en": "Back to all listings", "ar": "العودة إلى كل الإعلانات"},
    "map_note": {"de": "Orte sind ungefähr (Ort oder Postleitzahl, nie eine Adresse). Ohne Karte: die Liste unten.",
                 "en": "Places are approximate (town or postcode, never an address). Without the map: the list below.",
                 "ar": "المواقع تقريبية (المدينة أو الرمز البريدي، وليس العنوان أبدًا). بدون الخريطة: القائمة أدناه."},
    "gone": {"de": "Dieser Eintrag wurde von seinem Portal zurückgezogen.",
             "en": "This listing was withdrawn by its portal.", "ar": "سحبت البوابة هذا الإعلان."},
    "expired": {"de": "Dieser Eintrag ist abgelaufen (gültig bis {until}).",
                "en": "This listing has expired (valid until {until}).",
                "ar": "انتهت صلاحية هذا الإعلان (كان صالحًا حتى {until})."},
    "failed": {"de": "Das hat bei uns nicht geklappt. Bitte versuchen Sie es gleich noch einmal.",
               "en": "Something went wrong on our side. Please try again in a moment.",
               "ar": "حدث خطأ من جهتنا. يُرجى المحاولة مرة أخرى بعد قليل."},
    "bad_ags": {"de": "„{value}“ ist kein deutsches Bundesland und kein Kreis, den die Helfer-Allianz kennt.",
                "en": "“{value}” is no German state or district the Helfer-Allianz knows.",
                "ar": "«{value}» ليست ولاية ألمانية ولا دائرة يعرفها تحالف المساعدين."},
    "bad_postcode": {"de": "Die Postleitzahl {value} kennt die Helfer-Allianz nicht: Von ihr aus lässt sich kein "
                           "Umkreis messen.",
                     "en": "The Helfer-Allianz does not know the postcode {value}, so it cannot measure a distance "
                           "from it.",
                     "ar": "لا يعرف تحالف المساعدين الرمز البريدي {value}، لذلك لا يمكن قياس المسافة منه."},
    "bad_centre": {"de": "Ein Umkreis braucht eine ganze Postleitzahl (5 Ziffern), von der aus er gemessen wird.",
                   "en": "A distance needs a whole postcode (5 digits) to measure from.",
                   "ar": "تحتاج المسافة إلى رمز بريدي كامل (5 أرقام) لقياسها منه."},
    "bad_radius": {"de": "Der Umkreis muss eine Zahl von Kilometern über 0 bis {most} sein.",
                   "en": "The distance must be a number of kilometres above 0 up to {most}.",
                   "ar": "يجب أن تكون المسافة عددًا من الكيلومترات أكبر من 0 وحتى {most}."},
    "bad_q_long": {"de": "Der Suchbegriff ist {n} Zeichen lang; höchstens 200 gehen.",
                   "en": "The search words are {n} characters long; at most 200 will do.",
                   "ar": "طول كلمات البحث {n} حرفًا؛ الحد الأقصى 200 حرف."},
    "bad_q_word": {"de": "Der Suchbegriff muss ein Wort enthalten.", "en": "The search words must contain a word.",
                   "ar": "يجب أن تحتوي كلمات البحث على كلمة."},
    "bad_field": {"de": "Die Angabe „{field}“ geht so nicht. Die genaue Meldung (auf Englisch):",
                  "en": "“{field}” does not work like this. The exact message:",
                  "ar": "القيمة «{field}» غير صالحة بهذا الشكل. الرسالة الدقيقة (بالإنجليزية):"},
    "no_page_hint": {"de": "Vielleicht ist die Adresse falsch geschrieben oder veraltet.",
                     "en": "The address may be mistyped or out of date.",
                     "ar": "ربما كُتب العنوان خطأً أو لم يعد صالحًا."},
    "no_method": {"de": "Diese Adresse lässt sich so nicht aufrufen.", "en": "This address cannot be used this way.",
                  "ar": "لا يمكن استخدام هذا العنوان بهذه الطريقة."},
    "http_error": {"de": "Die Anfrage wurde nicht beantwortet (Fehler {code}).",
                   "en": "The request was not answered (error {code}).",
                   "ar": "لم تتم الإجابة على الطلب (خطأ {code})."},
    "missing": {"de": "Diesen Eintrag gibt es nicht.", "en": "There is no such listing.", "ar": "هذا الإعلان غير موجود."},
    "no_page": {"de": "Diese Seite gibt es nicht.", "en": "There is no such page.", "ar": "هذه الصفحة غير موجودة."},
    "refused": {"de": "Das ging so nicht", "en": "This did not work", "ar": "لم ينجح هذا الطلب"},
    "bad": {"de": "Diese Suche geht so nicht", "en": "This search does not work", "ar": "هذا البحث غير صالح"},
    "title_search": {"de": "Suche nach „{q}“", "en": "Search for “{q}”", "ar": "البحث عن «{q}»"},
    "title_page": {"de": ", Seite {n}", "en": ", page {n}", "ar": "، الصفحة {n}"},
}

#: Messages with a count, a form for each plural category (exports.texts.plural) the language has;
#: "other" stands in for a category not written out.
COUNTED: dict[str, dict[str, dict[str, str]]] = {
    "found": {"de": {"one": "{n} Eintrag gefunden", "other": "{n} Einträge gefunden"},
              "en": {"one": "{n} listing found", "other": "{n} listings found"},
              "ar": {"zero": "لم يتم العثور على أي إعلان", "one": "تم العثور على إعلان واحد",
                     "two": "تم العثور على إعلانين", "few": "تم العثور على {n} إعلانات",
                     "many": "تم العثور على {n} إعلانًا", "other": "تم العثور على {n} إعلان"}},
    "list_page": {"de": {"one": "Diese Seite der Liste zeigt {n} Eintrag.",
                         "other": "Diese Seite der Liste zeigt {n} Einträge."},
                  "en": {"one": "This page of the list shows {n} listing.",
                         "other": "This page of the list shows {n} listings."},
                  "ar": {"zero": "لا تعرض هذه الصفحة من القائمة أي إعلان.",
                         "one": "تعرض هذه الصفحة من القائمة إعلانًا واحدًا.",
                         "two": "تعرض هذه الصفحة من القائمة إعلانين.",
                         "few": "تعرض هذه الصفحة من القائمة {n} إعلانات.",
                         "many": "تعرض هذه الصفحة من القائمة {n} إعلانًا.",
                         "other": "تعرض هذه الصفحة من القائمة {n} إعلان."}},
    "on_map": {"de": {"one": "{n} davon hat einen Ort auf der Karte.",
                      "other": "{n} davon haben einen Ort auf der Karte."},
               "en": {"one": "{n} of them has a place on the map.", "other": "{n} of them have a place on the map."},
               "ar": {"zero": "لا يوجد لأي منها موقع على الخريطة.", "one": "لواحد منها موقع على الخريطة.",
                      "two": "لاثنين منها موقع على الخريطة.", "few": "لـ{n} منها مواقع على الخريطة.",
                      "many": "لـ{n} منها مواقع على الخريطة.", "other": "لـ{n} منها مواقع على الخريطة."}},
    "needed": {"de": {"one": "noch {n} helfende Person gesucht", "other": "noch {n} Helfende gesucht"},
               "en": {"one": "{n} helper still needed", "other": "{n} helpers still needed"},
               "ar": {"one": "مطلوب متطوع واحد", "two": "مطلوب متطوعان", "few": "مطلوب {n} متطوعين",
                      "many": "مطلوب {n} متطوعًا", "other": "مطلوب {n} متطوع"}},
}


def language() -> str:
    """The reader's language: `lang` if it is one of ours, else the best of Accept-Language, else German."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES) or "de"


def translate(lang: str) -> Messages:
    """t(key, **values) for one language."""
    return Messages(lang)


class Messages:
    """The messages of one language: t(key, **values) is one (of COUNTED in the form its count `n`
    takes; a fraction, a distance, with the language's decimal sign); t.languages(codes) names languages."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, key: str, **values) -> str:
        if key in COUNTED:
            text = texts.counted(COUNTED[key].get(self.lang) or COUNTED[key]["de"], values["n"], self.lang)
        else:
            text = MESSAGES[key].get(self.lang) or MESSAGES[key]["de"]
        return text.format(**{k: self._number(v) for k, v in values.items()}) if values else text

    def _number(self, value):
        return format_decimal(value, "0.0", locale=self.lang) if isinstance(value, float) else value

    @staticmethod
    def direction(code: str | None) -> str:
        """dir for a text in the language `code` (a listing's title, its description): rtl, ltr or auto."""
        return texts.direction(code)

    def languages(self, codes) -> str:
        """Languages by their names in the reader's language, as a list."""
        return ", ".join(texts.language_name(code, self.lang) for code in codes)


def when(value: str | None, lang: str, with_time: bool = True) -> str:
    """A listing's time in Berlin time, written as the feeds write it (exports/texts.py): the same
    in every format; with_time=False: a deadline, its day alone where it ends the day."""
    if not value:
        return ""
    return texts.span(value, None, lang) if with_time else texts.day_or_moment(value, lang)
