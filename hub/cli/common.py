"""What every command shares: the checked config, the database, the exit status for usage errors."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator

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


def load_config(ctx: click.Context) -> hub_config.Config:
    """The checked config, or exit 2 with one line per problem."""
    try:
        config = hub_config.load(ctx.find_root().obj["config_path"])
    except hub_config.ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"config error: {exc.path}: {problem}", err=True)
        ctx.exit(EXIT_USAGE)
    logs.setup(config.log_level, config.log_format)
    return config
