"""What every command shares: the checked config, the database, the exit status for usage errors."""
from __future__ import annotations

import sqlite3
import sys
import time
from contextlib import contextmanager
from typing import Iterator, TextIO

import click

from hub import config as hub_config, logs
from hub.storage import Storage

EXIT_USAGE = 2


@contextmanager
def open_storage(ctx: click.Context, config: hub_config.Config) -> Iterator[Storage]:
    """The database for the length of a `with` block, or exit 2 naming it and what is wrong (a
    folder, no permission, not SQLite)."""
    try:
        storage = Storage(config.database)
    except (sqlite3.Error, OSError) as exc:
        click.echo(f"database error: {config.database}: {exc}", err=True)
        ctx.exit(EXIT_USAGE)
        raise  # unreachable: exit raises
    with storage:
        yield storage


def load_config(ctx: click.Context, secrets: bool = True) -> hub_config.Config:
    """The checked config, or exit 2 with one line per problem. secrets=False: for a command that sends
    nothing to a portal or mail server, whose secrets' variables need not be set (hub_config.load)."""
    try:
        config = hub_config.load(ctx.find_root().obj["config_path"], secrets=secrets)
    except hub_config.ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"config error: {exc.path}: {problem}", err=True)
        ctx.exit(EXIT_USAGE)
    logs.setup(config.log_level, config.log_format)
    return config


class Progress:
    """A line on the terminal that counts long work as it goes: "helpto-potsdam: 1,200 records"
    or "clustering: 4,000/9,000 (44%)". Redrawn at most ten times a second; ends with a clean line."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.drawn = 0.0
        self.visible = False

    def __call__(self, label: str, done: int, total: int | None = None, unit: str = "records") -> None:
        now = time.monotonic()
        if now - self.drawn < 0.1 and (total is None or done < total):
            return
        self.drawn = now
        unit = unit.removesuffix("s") if done == 1 and not total else unit
        shown = f"{done:,}/{total:,} {unit} ({done / total:.0%})" if total else f"{done:,} {unit}"
        self.stream.write(f"\r\x1b[K{label}: {shown}")
        self.stream.flush()
        self.visible = True

    def phase(self, label: str) -> None:
        """Say which step of the work runs now."""
        self.stream.write(f"\r\x1b[K{label} …")
        self.stream.flush()
        self.visible = True
        self.drawn = time.monotonic()

    def end(self) -> None:
        """Clear the line (what was done is then said by the command's own output)."""
        if self.visible:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.visible = False


def progress_line(stream: TextIO | None = None) -> Progress | None:
    """A Progress on stderr when it is a terminal; None (quiet) when piped or redirected."""
    stream = stream or sys.stderr
    return Progress(stream) if stream.isatty() else None


def actor() -> str:
    """How the audit log names whoever runs a command: the system user, on the command line."""
    import getpass

    try:
        return f"{getpass.getuser()} (command line)"
    except Exception:  # noqa: BLE001 - no user name (a container without passwd entry)
        return "command line"
