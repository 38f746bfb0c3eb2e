"""Logging: plain lines, or one JSON object per line (`log_format = "json"`) that log shippers read.

Code that works for one source binds it (`with logs.context(source=..., run_id=...)`), and every
line logged meanwhile carries it; a line may add fields of its own with `extra={"event": ...}`.
"""
from __future__ import annotations

import contextvars
import json
import logging
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

_context: contextvars.ContextVar[dict] = contextvars.ContextVar("hub_log_context", default={})
#: Fields a line may carry besides its message (given with `extra=`).
FIELDS = ("source", "run_id", "event", "status", "counts", "method", "path", "bytes", "duration_ms", "remote",
          "holder", "problems")
_HANDLER_NAME = "helferhub"


@contextmanager
def context(**fields) -> Iterator[None]:
    """Every line logged inside (in this thread) carries these fields."""
    token = _context.set({**_context.get(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields) -> None:
    """Add fields to the innermost context (they end with it)."""
    _context.set({**_context.get(), **fields})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the bound context and the line's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        line.update(_context.get())
        for name in FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        line.setdefault("event", record.name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A plain line; the bound source and run id in brackets when there are any."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        bound = _context.get()
        if bound.get("run_id") is not None:
            text += f" [run {bound['run_id']}]"
        return text


class _Stderr(logging.StreamHandler):
    """A handler on whatever sys.stderr is when a line is written (not the one at setup)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def setup(level: str = "INFO", fmt: str = "text") -> None:
    """Send the hub's log to stderr in the chosen format (again on reload: one handler, replaced)."""
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = _Stderr()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    # APScheduler logs at INFO every job it adds, starts and finishes: beside the hub's own line per
    # sync, noise. Its warnings (a run missed or skipped, a job that raised) stay; at DEBUG, all of it.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if root.level <= logging.DEBUG
                                              else max(root.level, logging.WARNING))
