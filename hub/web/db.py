"""The request's database connection: opened on first use, closed when the request ends."""
from __future__ import annotations

from flask import Flask, current_app, g

from hub.storage import Storage


def storage() -> Storage:
    """The request's database connection, opened on first use."""
    if "storage" not in g:
        g.storage = Storage(current_app.config["HUB"].database, migrate=False)  # the app factory or worker migrates
    return g.storage


def close(_exc: BaseException | None = None) -> None:
    """Close the request's connection, if it opened one."""
    store = g.pop("storage", None)
    if store is not None:
        store.close()


def init_app(app: Flask) -> None:
    """Close every request's connection when its app context ends."""
    app.teardown_appcontext(close)
