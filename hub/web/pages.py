"""The pages people read: the start page (the listings, with the feeds' filters as a form), a
listing's page and a map, server-rendered, usable without JavaScript, in German, English and
Arabic. Every page offers its search as feeds and exports (links and <link rel="alternate">)."""
from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from exports import texts
from exports.common import clean_url, localized, place, text_languages
from hub.clock import now_utc
from hub.query import KINDS, LANGUAGES, BadParameter, Query, parse
from hub.storage.snapshot import Result
from hub.web.db import storage
from hub.web.i18n import NAMES, RTL, language, translate, when
from hub.web.responses import gzipped
from schema import category_label, gazetteer, taxonomy

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")

#: The feeds and exports every page offers for its search: (label, endpoint, media type).
ALTERNATES = (("JSON Feed", "feeds.feed_json", "application/feed+json"),
              ("RSS", "feeds.feed_rss", "application/rss+xml"),
              ("Atom", "feeds.feed_atom", "application/atom+xml"),
              ("iCalendar", "feeds.events_ics", "text/calendar"),
              ("CSV", "feeds.export_csv", "text/csv"))
#: Listings in one page of the map's list (the map itself draws every one of the search, from its GeoJSON).
MAP_PAGE = 500
#: Parameters a page passes on to its feeds and to its other pages (not its own position).
PASSED_ON = ("kind", "category", "ags", "postcode", "near", "radius_km", "q", "source", "lang")
#: Control characters (C0, DEL, C1): never echoed into a page (a NUL showed as � in the search field).
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _query(limit: int | None) -> Query:
    """The page's search from its URL (the feeds' parameters; empty form fields count as not given)."""
    config = current_app.config["HUB"]
    args = {name: [v for v in request.args.getlist(name) if v.strip()] for name in request.args}
    return parse({k: v for k, v in args.items() if v}, sources=[s.name for s in config.sources],
                 accept_lang=language(), default_limit=limit, max_limit=1000, extra=("page", "from"))


def _passed_on(query: Query | None) -> list[tuple[str, str]]:
    pairs = query.args if query else tuple(request.args.items(multi=True))
    return [(k, v) for k, v in pairs if k in PASSED_ON and v.strip()]


def _position(query: Query | None) -> list[tuple[str, str]]:
    """Where in its search's results the page is (its cursor and number; nothing on the first page): links to the
    same page in another language, and a listing's way back, keep it."""
    if query is None or query.after is None:
        return []
    return [(k, v) for k, v in query.args if k == "cursor"] + [("page", str(_page_number(query)))]


def _page_number(query: Query) -> int:
    """The number of the page of results (its next link counts on; a cursor alone, from an API's link: 2)."""
    if query.after is None:
        return 1
    given = request.args.get("page", "")  # (ASCII digits only: int() refuses '²' and 5,000 digits with a 500)
    return int(given) if re.fullmatch(r"[0-9]{1,6}", given) and int(given) > 1 else 2


def _echoed(args: MultiDict) -> MultiDict:
    """The request's arguments as a page may echo them back: without control characters."""
    return MultiDict([(k, CONTROLS.sub("", v)) for k, v in args.items(multi=True)])


def _one_line(text: str) -> str:
    """A text as a title shows it: one line, without control characters."""
    return " ".join(CONTROLS.sub(" ", text).split())


def _context(lang: str, query: Query | None, heading: list[str] | None = None, **extra) -> dict:
    """What every page's template needs: the language, its direction, messages, its title (`heading`, then the
    hub's name), the feeds of its search, and links to the same page (its search, its position) in each language."""
    config = current_app.config["HUB"]
    search = _passed_on(query)
    if not any(k == "lang" for k, _ in search):
        search.append(("lang", lang))
    position = _position(query) + _origin()
    unlanguaged = [p for p in search if p[0] != "lang"]
    return {  # a search the hub rejected (extra's error) is offered as no feed: each would answer 400 too
        "lang": lang, "dir": "rtl" if lang in RTL else "ltr", "t": translate(lang), "title": config.title,
        "page_title": " – ".join([*(_one_line(part) for part in heading or ()), config.title]),
        "languages": NAMES, "alternates": [] if extra.get("error") else [
            (label, url_for(endpoint) + "?" + urlencode(search), media) for label, endpoint, media in ALTERNATES],
        "search": search, "here": _here(), "carried": urlencode(search + position),
        "back_to": url_for("pages.map_page" if _origin() else "pages.index"),
        "switch": {code: _here() + "?" + urlencode(unlanguaged + [("lang", code)] + position) for code in NAMES},
        **extra,
    }


def _origin() -> list[tuple[str, str]]:
    """('from', 'map') on the map and on a page reached from it: a listing's way back leads to the map, not to the list
    of the same search."""
    return [("from", "map")] if request.endpoint == "pages.map_page" or request.args.get("from") == "map" else []


def _here() -> str:
    """This page's path as its own links name it: one leading slash (an error page at '/\\evil.example/x' linked its
    languages to '/\\evil.example/x?lang=en', which a browser reads as //evil.example, another site)."""
    return "/" + request.path.lstrip("/\\")


def _search_title(query: Query, lang: str) -> list[str]:
    """What a search looks for, as a page's title says it: its words, then its kinds, categories and region."""
    t = translate(lang)
    words = next((v for k, v in query.args if k == "q" and v.strip()), None)
    pieces = [t("title_search", q=_one_line(words))] if words else []
    pieces += [texts.kind({"kind": k}, lang) for k in query.kinds]
    pieces += [category_label(c, lang) for c in query.categories]
    if query.ags:
        pieces.append(_region_name(query.ags))
    return pieces


def _region_name(ags: str) -> str:
    if len(ags) == 2:
        return gazetteer.STATES.get(ags, ags)
    if len(ags) == 5:
        district = gazetteer.districts().get(ags)
        return district.name if district else ags
    place = gazetteer.municipalities().get(ags)
    return place.name if place else ags


def _results_title(query: Query, lang: str, what: str | None) -> list[str]:
    """The title of a page of results: the page (`what`: its message, as "map"; None: the listings), the search,
    the page's number."""
    t = translate(lang)
    pieces = ([t(what)] if what else []) + _search_title(query, lang)
    title = " · ".join(pieces or [t("listings")])
    number = _page_number(query)
    return [title + t("title_page", n=number) if number > 1 else title]


def _sentence(message: str) -> str:
    """The first sentence of a message, without its full stop: an error page's title."""
    return message.split(". ")[0].rstrip(".")


def _choices(lang: str) -> dict:
    """The form's choices: kinds, categories, states and districts (by name, their key behind)."""
    states = sorted(gazetteer.STATES.items(), key=lambda kv: kv[1])
    districts = sorted(gazetteer.districts().values(), key=lambda d: (d.state, d.name))
    return {"kinds": [(k, texts.kind({"kind": k}, lang)) for k in KINDS],
            "categories": [(c, category_label(c, lang)) for c in taxonomy()], "states": states, "districts": districts}


def _item(listing: dict, lang: str) -> dict:
    """One listing as a page shows it: kind, title, place, time, helpers still needed, portals."""
    t = translate(lang)
    needed = listing.get("volunteers_needed")
    return {
        "id": listing["id"], "kind": texts.kind(listing, lang), "kind_code": listing["kind"], "title": listing["title"],
        "category": category_label(listing["category"], lang), "place": place(listing),
        "time": texts.span(listing["starts_at"], listing.get("ends_at"), lang) if listing.get("starts_at") else "",
        "until": when(listing.get("valid_until"), lang, with_time=False),
        "published": when(listing.get("published_at"), lang), "updated": when(listing.get("updated_at"), lang),
        "needed": None if needed is None else (t("needed", n=needed) if needed > 0 else t("full")),
        "portals": [{"name": s["portal"], "url": clean_url(s.get("url"))} for s in listing["sources"]],
        "language": listing.get("language"), "description": _paragraphs(listing.get("description") or ""),
        "organisation": (listing.get("organisation") or {}).get("name"),
        "skills": listing.get("skills") or [], "languages": listing.get("languages") or [],
        "lat": listing["location"].get("lat"), "lon": listing["location"].get("lon"),
    }


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _results(template: str, limit: int, what: str | None = None, **extra):
    """A page of search results in a template, or the form with the problem (400). `what` is the message naming a
    page other than the listings (its title says it)."""
    lang = language()
    try:
        query = _query(limit)
    except BadParameter as exc:
        error, detail = explain(exc, lang)
        heading = [translate(lang)("bad")] + ([translate(lang)(what)] if what else [])  # (which page it is: the map)
        context = _context(lang, None, heading, **_choices(lang), error=error, detail=detail,
                           items=[], total=0, args=_echoed(request.args), **extra)
        return render_template(template, **context), 400
    lang = query.lang
    result = Result.open(current_app.config["HUB"].database, query, now_utc())
    try:
        listings, following = result.page()
    finally:
        result.close()
    items = [_item(listing, lang) for listing in listings]
    base = _passed_on(query)
    after = [("cursor", following), ("page", str(_page_number(query) + 1))] if following else None
    context = _context(lang, query, _results_title(query, lang, what), **_choices(lang), items=items,
                       total=result.total, args=_echoed(request.args),
                       next_url=f"{request.path}?{urlencode(base + after)}" if after else None,
                       first_url=f"{request.path}?{urlencode(base)}" if query.after else None, **extra)
    return render_template(template, **context)


#: The form's label of each search parameter, by which a page names the one at fault (others by their name).
LABELS = {"kind": "kind", "category": "category", "ags": "region", "postcode": "postcode", "radius_km": "radius",
          "q": "q", "lang": "language"}


def explain(problem: BadParameter, lang: str) -> tuple[str, str | None]:
    """A rejected parameter in the reader's language: its own message, else one naming the parameter, followed by
    the exact English detail (the API's message) to show marked as English."""
    t = translate(lang)
    if problem.key:
        return t(problem.key, **problem.values), None
    field = t(LABELS[problem.name]) if problem.name in LABELS else problem.name
    return t("bad_field", field=field), str(problem)


def error_page(code: int, description: str | None, back: str | None = None,
               problem: BadParameter | None = None) -> tuple[str, int]:
    """An error as a page for a reader's browser (clients of the API get JSON): in the reader's language, with what
    went wrong, and a way back (to `back`, else to the listings). `description` is a detail of the hub's own, in
    English (None: the status says it all); `problem` a rejected parameter."""
    lang = language()
    t = translate(lang)
    message = t({404: "no_page", 500: "failed"}.get(code, "refused"))
    if problem is not None:
        error, detail = explain(problem, lang)
    else:
        error = {404: t("no_page_hint"), 405: t("no_method"), 500: None}.get(code, t("http_error", code=code))
        detail = description or None
    context = _context(lang, None, [_sentence(message)], message=message, error=error, detail=detail, back=back)
    return render_template("gone.html", **context), code


@bp.after_request
def _negotiated(response):
    """A page's language may come from Accept-Language: caches must keep one copy per language, and say which.
    A page read whole carries validators (a strong ETag of its bytes) and may be kept `cache_max_age` seconds:
    a reader who has it current gets a 304."""
    if request.endpoint != "pages.static":
        response.vary.add("Accept-Language")
        response.headers.setdefault("Content-Language", language())
        if response.status_code == 200 and request.method in ("GET", "HEAD") and not response.is_streamed:
            response.headers.setdefault("Cache-Control", f"public, max-age={current_app.config['HUB'].cache_max_age}")
            response.add_etag()
            response.vary.add("Accept-Encoding")
            packed = request.accept_encodings["gzip"] > 0 and response.content_length and response.content_length >= 1024
            if packed:  # its own tag: a cache must not answer a gzip copy to a reader who cannot read it
                response.set_etag(response.get_etag()[0] + "-gz")
            response.make_conditional(request)
            if packed and response.status_code == 200:  # (the map page is 286 kB, 40 kB packed: probe helper-57)
                response.set_data(gzipped(response.get_data()))
                response.headers["Content-Encoding"] = "gzip"
    return response


@bp.get("/")
def index():
    """The start page: the newest listings of every portal, and the search form."""
    return _results("index.html", current_app.config["HUB"].page_size)


@bp.get("/map")
def map_page():
    """The current search's listings on a map (and, for readers without it, as a list)."""
    return _results("map.html", MAP_PAGE, "map")


@bp.get("/listings/<listing_id>")
def listing(listing_id: str):
    """One unified listing: every field, every portal that carries it, its history; its link from a page of results
    carries that page's search and position, which its way back, its feeds and its language links keep."""
    lang = language()
    t = translate(lang)
    asked = request.args.get("lang", "")
    if asked.strip() and asked not in LANGUAGES:  # as the start page and the API answer it (an empty field: not given)
        problem = BadParameter("lang", f"lang must be one of {', '.join(LANGUAGES)}, not {asked!r}")
        error, detail = explain(problem, lang)
        return render_template("gone.html", **_context(lang, None, [t("bad")], message=t("bad"), error=error,
                                                       detail=detail)), 400
    query = _came_from(lang)
    store = storage()
    row = store.unified(listing_id)
    if row is None or row["status"] in ("pending", "rejected"):
        return render_template("gone.html", **_context(lang, query, [_sentence(t("missing"))],
                                                       message=t("missing"))), 404
    if row["status"] == "merged" and row.get("merged_into"):
        target = url_for("pages.listing", listing_id=row["merged_into"])
        return redirect(target + ("?" + urlencode(list(request.args.items(multi=True))) if request.args else ""), 301)
    if row["status"] == "withdrawn":
        return render_template("gone.html", **_context(lang, query, [_sentence(t("gone"))], message=t("gone"))), 410
    doc = localized(row["data"], lang)
    history = []
    for source in doc["sources"]:
        for event in store.history(source.get("listing_id") or ""):
            action = {"new": "new", "updated": "changed", "withdrawn": "withdrawn"}.get(event["action"])
            if action:
                history.append((event["at"], when(event["at"], lang), t(action, portal=source["portal"])))
    history.sort()
    from hub.matching import NotMatchable, matches

    now = now_utc()
    expired = bool(row.get("valid_until_utc")) and row["valid_until_utc"] < now
    try:  # an expired listing is shown as the API shows it (200), saying so, and with no matches (the API: 404)
        found = [] if expired else matches(store, listing_id, now, limit=5, lang=lang)
    except NotMatchable:
        found = []
    return render_template("listing.html", **_context(lang, query, [doc["title"]], item=_item(doc, lang),
                                                      item_kind=doc["kind"], matches=found,
                                                      text_language=text_languages(row["data"], lang)[1],
                                                      expired=expired,
                                                      history=[(label, text) for _, label, text in history]))


def _came_from(lang: str) -> Query:
    """The search (and page of it) a listing's link carries, for the way back to it; a link whose search is not one
    the hub takes (damaged, or grown old) leads back to all listings."""
    try:
        return _query(None)
    except BadParameter:
        return parse({"lang": [lang]}, sources=(), accept_lang=lang)
