"""The web layer: the application factory; one blueprint per concern beside it (`api`, `feeds`,
`openapi`, `pages`), the request's database connection in `db`, HTTP caching and answers in `responses`."""
from __future__ import annotations

import logging
import os
import re
import time
from datetime import datetime, timezone
from urllib.parse import unquote, unquote_to_bytes

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from hub import config as hub_config, logs
from hub.query import BadParameter
from hub.storage import Storage
from hub.web import admin_api, api, dashboard, db, feeds, limits, openapi, ops, pages, proxies, published, subscribe
from hub.web.responses import cors


def create_app(config: hub_config.Config | None = None, migrate: bool = True) -> Flask:
    """Build the web app for a config (default: ./hub.toml or $HELFERHUB_CONFIG).

    With migrate (the default, and `helferhub serve`), the database is created or migrated now.
    Without (`hub.web:create_app(migrate=False)` under gunicorn, where the worker migrates), the
    app answers 503 with Retry-After, and /readyz 503, until the database is at its version.
    """
    config = config or hub_config.load()
    app = Flask(__name__)
    app.config["HUB"] = config
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    if migrate:
        with Storage(config.database):  # create and migrate the database before the first request
            pass
    if config.log_format == "json" or not logging.getLogger().handlers:
        logs.setup(config.log_level, config.log_format)
    app.config["HUB_FILE"] = config
    app.config["HUB_STAMP"] = _stamp(config.path)
    ops.init_app(app)
    app.before_request(_config_file)
    app.before_request(_query_string)
    limits.init_app(app)
    app.before_request(_registered_sources)
    for module in (api, feeds, openapi, pages, admin_api, subscribe):
        app.register_blueprint(module.bp)
    dashboard.init_app(app)
    published.init_app(app, _looks)
    app.wsgi_app = proxies.ClientAddress(app.wsgi_app, hub_config.trusted_proxies())  # outermost: everything sees the client
    app.after_request(cors)
    db.init_app(app)
    app.register_error_handler(BadParameter, _bad_parameter)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    return app


def _stamp(path: str):
    try:
        info = os.stat(path)
        return info.st_mtime_ns, info.st_size
    except OSError:
        return None


def _config_file() -> None:
    """Re-read hub.toml when it changed (a look every 2 s per process): a good file is applied, a file
    with problems is logged once, problem by problem, and the running config stays. So every web
    process follows the file (gunicorn's workers too, and workers it forks anew from a master that
    loaded an older one), and a broken file never takes the web down."""
    from flask import current_app

    app = current_app
    now = time.monotonic()
    if now - app.config.get("HUB_FILE_LOOKED", 0.0) < 2.0:
        return
    app.config["HUB_FILE_LOOKED"] = now
    path = app.config["HUB_FILE"].path
    stamp = _stamp(path)
    if stamp is None or stamp == app.config.get("HUB_STAMP"):
        return
    app.config["HUB_STAMP"] = stamp
    log = logging.getLogger(__name__)
    try:
        new = hub_config.load(path)
    except hub_config.ConfigError as exc:
        for problem in exc.problems:
            log.error("config reload: %s: %s", exc.path, problem, extra={"event": "config.reload_refused"})
        log.error("config reload: %s has %d problem(s); this web process keeps its running config", exc.path,
                  len(exc.problems), extra={"event": "config.reload_refused"})
        # shown where operators look (/healthz, /metrics, the dashboard), not only in the log, until a good file
        app.config["HUB_REFUSED"] = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                     "path": str(exc.path), "problems": list(exc.problems)}
        return
    if new.database != app.config["HUB_FILE"].database:
        log.error("config reload: hub.database changed; a running web process keeps %s (restart to move it)",
                  app.config["HUB_FILE"].database, extra={"event": "config.reload_database"})
        from dataclasses import replace

        new = replace(new, database=app.config["HUB_FILE"].database)
    app.config.update(HUB_FILE=new, HUB=new, HUB_SIGNATURE=None, HUB_LOOKED=0.0, HUB_REFUSED=None)
    log.info("config reloaded from %s", path, extra={"event": "config.reloaded"})


#: A '%' that starts no escape of two hex digits.
_NO_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _query_string() -> None:
    """Refuse a query string that is no URL's, naming its parameter (400): a '%' that starts no escape ('q=%ZZ'),
    or bytes, escaped or not, that are no UTF-8 ('q=%C3', 'q=m\\xf6bel' as Latin-1 writes it). Decoded with
    replacement characters, it would be another search than the one asked for (and a feed's self link another URL)."""
    from flask import request

    raw = request.query_string
    if not raw or (b"%" not in raw and raw.isascii()) or request.path in ("/healthz", "/readyz", "/metrics"):
        return  # (the operators' probes read no query: a cache-busting one must not fail them)
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        shown = unquote(name.decode("latin-1").replace("+", " "), errors="replace")
        for part, what in ((name, "its name"), (value, "its value")):
            if _NO_ESCAPE.search(part):
                raise BadParameter(shown, f"{shown}: {what} holds a '%' that starts no escape (%XX): write '%' as %25")
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                raise BadParameter(shown, f"{shown}: {what} is not UTF-8 (percent-encode the UTF-8 bytes of "
                                          "every character outside ASCII)") from None


def _looks() -> None:
    """What every request to the app looks at first: hub.toml, and the sources partners registered
    (answers given in front of the app look too)."""
    _config_file()
    _registered_sources()


def _registered_sources() -> None:
    """Take in the sources partners registered (at most one look a second per process)."""
    from flask import current_app

    from hub import partners

    app = current_app
    now = time.monotonic()
    if now - app.config.get("HUB_LOOKED", 0.0) < 1.0 or not app.config.get("HUB_READY"):
        return
    app.config["HUB_LOOKED"] = now
    store = db.storage()
    signature = partners.signature(store)
    if signature != app.config.get("HUB_SIGNATURE"):
        app.config["HUB"] = partners.effective(app.config["HUB_FILE"], store)
        app.config["HUB_SIGNATURE"] = signature


#: Paths whose errors stay JSON whatever the client accepts: the API's, feeds' and exports' (a feed reader ranks
#: text/html above JSON too), the operators' and the OpenAPI document.
_MACHINE_PATHS = ("/api/", "/admin/api/", "/healthz", "/readyz", "/metrics", "/openapi.json", "/published/")
_MACHINE_ENDINGS = (".json", ".rss", ".atom", ".ics", ".csv", ".geojson", ".xml", ".txt")


def _negotiable() -> bool:
    """True if this request's error is a page for a reader's browser and JSON for others: on the pages, the
    dashboard, or no route at all (the API, the feeds and the exports keep their JSON errors)."""
    from flask import request

    return not (request.path.startswith(_MACHINE_PATHS) or request.path.endswith(_MACHINE_ENDINGS)) and (
        request.endpoint is None or request.endpoint.startswith(("pages.", "dashboard.")))


def _wants_html() -> bool:
    """True if the request is a reader's browser (which prefers HTML to JSON) on a page (_negotiable)."""
    from flask import request

    accept = request.accept_mimetypes
    return _negotiable() and accept["text/html"] > accept["application/json"]


def _error_page(code: int, description: str | None, problem: BadParameter | None = None):
    from flask import make_response, request

    back = "/admin/" if request.path.startswith("/admin") else None
    response = make_response(*pages.error_page(code, description, back, problem))
    response.vary.update(("Accept", "Accept-Language"))  # chosen by both: a cache must keep each apart
    response.headers.setdefault("Content-Language", pages.language())
    return response


def _bad_parameter(exc):
    if _wants_html():
        return _error_page(400, None, exc)
    response = jsonify(error="Bad Request", parameter=exc.name, message=str(exc), status=400)
    if _negotiable():
        response.vary.add("Accept")
    return response, 400


def _http_error(exc: HTTPException):
    own = exc.description if exc.description != type(exc).description else None  # Werkzeug's is English: not shown
    response = _error_page(exc.code, own) if (exc.code or 500) >= 400 and _wants_html() else None
    if response is None:
        response = jsonify(error=exc.name, message=exc.description, status=exc.code)
        if _negotiable():
            response.vary.add("Accept")
    for name, value in exc.get_headers():  # e.g. Allow on a 405, Retry-After on a 503
        if name.lower() != "content-type":
            response.headers[name] = value
    return response, exc.code


def _server_error(exc: Exception):
    logging.getLogger(__name__).exception("unhandled error")
    if _wants_html():  # a reader's browser: a page in their language, the details in the log only
        try:
            return _error_page(500, None)
        except Exception:  # the page itself failed: the JSON below still answers
            logging.getLogger(__name__).exception("the error page failed too")
    return jsonify(error="Internal Server Error", message="the hub failed to answer; see its log", status=500), 500
