"""helferhub sync, runs, quarantine: syncing the sources and what their runs left."""
from __future__ import annotations

import logging

import click

from hub.cli.common import EXIT_USAGE, load_config, open_storage, progress_line
from hub.sync import COUNTS


@click.command()
@click.argument("names", nargs=-1)
@click.option("--full", is_flag=True, help="Fetch everything and withdraw what the portal no longer lists.")
@click.option("--accept-shrink", is_flag=True,
              help="With --full: withdraw what is missing even if the list shrank suspiciously (see max_shrink).")
@click.pass_context
def sync(ctx: click.Context, names: tuple[str, ...], full: bool, accept_shrink: bool) -> None:
    """Sync the named sources (default: every enabled one) once.

    Exit status 0 if all synced, 1 if any failed or shrank suspiciously (the others still synced),
    2 for usage or config errors.
    """
    from hub.sync import sync as run_sync

    from hub import partners

    config = load_config(ctx, secrets=False)  # a source whose secret is unset holds up no other (below)
    logging.getLogger("hub.sync").setLevel(max(logging.WARNING, logging.getLogger().level))  # the lines below say it
    with open_storage(ctx, config) as storage:
        config = partners.effective(config, storage)  # sources registered by partners too
    known = {s.name for s in config.sources}
    unknown = [n for n in names if n not in known]
    if unknown:
        click.echo(f"unknown source(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}", err=True)
        ctx.exit(EXIT_USAGE)
    if accept_shrink and not full:
        click.echo("--accept-shrink confirms what a full sync withdraws: give --full too", err=True)
        ctx.exit(EXIT_USAGE)
    chosen = list(names) or [s.name for s in config.sources if s.enabled]
    lacking = config.secret_problems(chosen)  # a secret's variable unset: that source cannot sync, the others do
    for problem in lacking:
        click.echo(f"config error: {config.path}: {problem}", err=True)
    if lacking and names:
        ctx.exit(EXIT_USAGE)
    every = not names
    if lacking:
        unset = {owner for owner, _ in config.unset_secrets}
        names = tuple(n for n in chosen if n not in unset)
        if not names:
            ctx.exit(1)
    from hub import lifecycle

    with open_storage(ctx, config) as storage:
        results = run_sync(config, storage, list(names) or None, full=full, accept_shrink=accept_shrink,
                           progress=progress_line(), each=lambda result: click.echo(result.line()))
        idle = [] if not every else [e for e in lifecycle.overview(config, storage) if e["state"] in ("paused", "removed")]
    from hub import publish

    logging.getLogger("hub.publish").setLevel(max(logging.WARNING, logging.getLogger().level))  # the line below says it
    published = publish.after_sync(config)
    if published is not None and published.written:
        click.echo(f"published {published.files} files to {published.folder} in {published.seconds:.1f} s")
    for entry in idle:  # not synced: say so, and what becomes of their listings
        listed = entry["listings"].get("active", 0) + entry["listings"].get("pending", 0)
        why = "paused (enabled = false)" if entry["state"] == "paused" else "removed from the config"
        fate = (f"; its {listed} listings leave the feed at {entry['retires_at'][:16].replace('T', ' ')} UTC "
                f"(retire_after), or now with: helferhub sources purge {entry['name']}") if entry.get("retires_at") else ""
        click.echo(f"{entry['name']}: not synced, {why}{fate}")
    ctx.exit(0 if all(r.ok for r in results) and not lacking else 1)


@click.command()
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1), help="Runs to show per source.")
@click.pass_context
def runs(ctx: click.Context, limit: int) -> None:
    """Show the latest sync runs of every source, with their counts and errors."""
    from hub import partners

    config = load_config(ctx, secrets=False)
    shown = 0
    from hub import lifecycle

    with open_storage(ctx, config) as storage:
        names = [s.name for s in partners.effective(config, storage).sources]
        names += sorted(lifecycle.known(storage) - set(names))  # removed sources keep their history
        for name in names:
            for r in storage.runs(name, limit):
                shown += 1
                counts = " ".join(f"{k}={r[k] or 0}" for k in COUNTS)
                tail = f" error: {r['error']}" if r["error"] else ""
                notes = f" ({r['notes']})" if r["notes"] else ""
                where = f" [{(r.get('host') or '?').split('/')[0]} pid {r['pid']}]" if r.get("pid") else ""
                click.echo(f"#{r['id']} {r['started_at']} {name}: {r['status']} {r['mode']} {counts}{notes}{tail}{where}")
    if not shown:
        click.echo("no sync runs yet: helferhub sync runs one now")


@click.command()
@click.option("--source", default=None, help="Only this source's records.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.pass_context
def quarantine(ctx: click.Context, source: str | None, limit: int) -> None:
    """Show records that failed validation, with the reasons."""
    from hub import lifecycle

    config = load_config(ctx, secrets=False)
    with open_storage(ctx, config) as storage:
        if source and source not in lifecycle.known(storage) and source not in {s.name for s in config.sources}:
            click.echo(f"quarantine: no source {source!r} (known: {', '.join(sorted(lifecycle.known(storage)))})",
                       err=True)
            ctx.exit(EXIT_USAGE)
        rows = storage.quarantined(source, limit)
    if not rows:
        click.echo(f"quarantine is empty{' for ' + source if source else ''}: every record synced was usable")
    for row in rows:
        click.echo(f"#{row['id']} {row['created_at']} {row['source']} record {row['record_id']}:")
        for error in row["errors"]:
            click.echo(f"    {error}")
