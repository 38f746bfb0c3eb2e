"""The web layer: the application factory; one blueprint per concern beside it (`api`, `feeds`,
`openapi`, `pages`), the request's database connection in `db`, HTTP caching and answers in `responses`."""
from __future__ import annotations

import logging
import time

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from hub import config as hub_config, logs
from hub.query import BadParameter
from hub.storage import Storage
from hub.web import admin_api, api, dashboard, db, feeds, limits, openapi, ops, pages, subscribe
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
    ops.init_app(app)
    limits.init_app(app)
    app.before_request(_registered_sources)
    for module in (api, feeds, openapi, pages, admin_api, subscribe):
        app.register_blueprint(module.bp)
    dashboard.init_app(app)
    app.after_request(cors)
    db.init_app(app)
    app.register_error_handler(BadParameter, _bad_parameter)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    return app


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


def _bad_parameter(exc):
    return jsonify(error="Bad Request", parameter=exc.name, message=str(exc), status=400), 400


def _http_error(exc: HTTPException):
    response = jsonify(error=exc.name, message=exc.description, status=exc.code)
    for name, value in exc.get_headers():  # e.g. Allow on a 405, Retry-After on a 503
        if name.lower() != "content-type":
            response.headers[name] = value
    return response, exc.code


def _server_error(exc: Exception):
    logging.getLogger(__name__).exception("unhandled error")
    return jsonify(error="Internal Server Error", message="the hub failed to answer; see its log", status=500), 500
