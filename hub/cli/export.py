"""helferhub export FORMAT: any export of any search, written to a file or stdout."""
from __future__ import annotations

import click

import exports
from hub.cli.common import EXIT_USAGE, load_config, open_storage, progress_line
from hub.query import FILTERS, PAGING, BadParameter, parse

#: Where each built-in format is served, so links in the file point at the same search on the web.
PATHS = {"json": "/api/v1/listings", "jsonfeed": "/feed.json", "rss": "/feed.rss", "atom": "/feed.atom",
         "csv": "/export.csv", "csv-plain": "/export.csv", "ics": "/events.ics", "geojson": "/listings.geojson"}


def path_of(fmt: str) -> str:
    """The web address (path) of a format; a partner's formats are served under /export/NAME."""
    return PATHS.get(fmt, f"/export/{fmt}")


def _search_options(command):
    for param in reversed(FILTERS + PAGING):
        flag = "--" + param.name.replace("_", "-")
        command = click.option(flag, param.name, multiple=param.repeatable, help=param.description)(command)
    return command


@click.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted(exports.formats())))
@click.option("-o", "--output", type=click.File("wb"), default="-", help="File to write (default: stdout).")
@_search_options
@click.pass_context
def export(ctx: click.Context, fmt: str, output, **search) -> None:
    """Write every listing matching the search (the same parameters as the web's) in FORMAT.

    Example: helferhub export csv --category goods --ags 03 -o goods-niedersachsen.csv
    """
    from hub import partners
    from hub.clock import now_utc
    from hub.render import render, shown
    from hub.storage.snapshot import Result

    config = load_config(ctx, secrets=False)
    args = {name: list(value) if isinstance(value, tuple) else [value]
            for name, value in search.items() if value not in (None, ())}
    with open_storage(ctx, config) as storage:  # sources registered by partners too, as the web's searches know them
        names = [s.name for s in partners.effective(config, storage).sources]
    try:
        query = parse(args, sources=names)
    except BadParameter as exc:
        click.echo(f"error: --{exc.name.replace('_', '-')}: {exc}", err=True)
        ctx.exit(EXIT_USAGE)
    result = Result.open(config.database, shown(query, fmt), now_utc())
    body = render(config, fmt, path_of(fmt), result)
    # on a terminal, and only when the export goes to a file (not onto the same terminal)
    progress = progress_line() if getattr(output, "name", "<stdout>") != "<stdout>" else None
    written = 0
    for piece in [body] if isinstance(body, bytes) else body:
        output.write(piece)
        written += len(piece)
        if progress is not None:
            progress(f"{fmt} export", written, None, "bytes")
    if progress is not None:
        progress.end()
    output.flush()
    if getattr(output, "name", "<stdout>") != "<stdout>":
        click.echo(f"{result.total} listings matched; written to {output.name}", err=True)
