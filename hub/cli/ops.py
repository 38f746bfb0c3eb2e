"""helferhub sources, migrate, backup, restore: what an operator runs the hub with."""
from __future__ import annotations

import logging
from pathlib import Path

import click

from hub.cli.common import EXIT_USAGE, actor, load_config, open_storage


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of the lines.")
@click.pass_context
def sources(ctx: click.Context, as_json: bool) -> None:
    """Every source the config or the database knows, with its state and health.

    States: active; degraded (its last [hub] degraded_after syncs failed: it keeps its last good
    listings); paused (enabled = false); removed (no longer in the config). The listings of a
    paused or removed source leave the feed after [hub] retire_after, or at once with `purge`.
    """
    if ctx.invoked_subcommand:
        return
    import json

    from hub import lifecycle

    config = load_config(ctx, secrets=False)
    with open_storage(ctx, config) as storage:  # reads only: the worker's housekeeping keeps the clocks
        entries = lifecycle.overview(config, storage)
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=1))
        return
    if not entries:
        click.echo(f"no sources: {config.path} has no [[sources]] and the database knows none")
        return
    for e in entries:
        listed = e["listings"].get("active", 0)
        extra = [f"{n} {status}" for status, n in sorted(e["listings"].items()) if status != "active" and n]
        line = (f"{e['name']}: {e['state']}, {listed} listed{' (' + ', '.join(extra) + ')' if extra else ''}; "
                f"last success {_when(e['last_success_at'])}")
        if e["failures"]:
            line += f"; {e['failures']} failed in a row"
        if e.get("warning"):
            line += "; last sync suspicious"
        if e.get("next_run_at"):
            line += f"; next run {_when(e['next_run_at'])}"
        if e.get("retires_at"):
            line += f"; its listings leave the feed {_when(e['retires_at'])} (or now: helferhub sources purge {e['name']})"
        elif e["state"] in ("paused", "removed") and _listed(e):
            line += (f"; its listings leave the feed {config.retire_after // 86400 or 1}d after the next housekeeping "
                     f"notes it (or now: helferhub sources purge {e['name']})")
        click.echo(line)
        if e["failures"] and e["last_error"]:
            click.echo(f"    last error ({_when(e['last_error_at'])}): {e['last_error']}")
        if e.get("warning"):
            click.echo(f"    suspicious ({_when(e['last_run_at'])}): {e['warning']}")


@sources.command("purge")
@click.argument("name")
@click.pass_context
def purge(ctx: click.Context, name: str) -> None:
    """Withdraw a paused or removed source's listings now (readers get 410 for their ids)."""
    from hub import lifecycle

    config = load_config(ctx, secrets=False)
    with open_storage(ctx, config) as storage:
        try:
            n = lifecycle.purge(config, storage, name)
        except lifecycle.LifecycleError as exc:
            click.echo(f"purge: {exc}", err=True)
            ctx.exit(EXIT_USAGE)
        from hub import partners

        with storage.transaction():
            partners.audit(storage, actor(), "source.purge", name, {"withdrawn": n})
    click.echo(f"{name}: {n} listings withdrawn" if n else f"{name}: nothing listed; nothing to withdraw")


@click.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Bring the database to this hub's schema (the worker does it when it starts)."""
    from hub.storage import SCHEMA_VERSION

    config = load_config(ctx, secrets=False)
    with open_storage(ctx, config):
        pass
    click.echo(f"{config.database}: schema v{SCHEMA_VERSION}")


@click.command("publish")
@click.option("--force", is_flag=True, help="Write a new snapshot even if nothing changed since the current one.")
@click.pass_context
def publish_now(ctx: click.Context, force: bool) -> None:
    """Publish the static snapshots of the feeds now ([publish]; the worker does it after each sync)."""
    from hub import publish

    config = load_config(ctx, secrets=False)
    logging.getLogger("hub.publish").setLevel(max(logging.WARNING, logging.getLogger().level))  # the line below says it
    if not config.publish_folder:
        click.echo("publishing is off: set [publish] folder in the config", err=True)
        ctx.exit(EXIT_USAGE)
    with open_storage(ctx, config) as storage:
        done = publish.publish(config, storage, force=force)
    target = Path(config.publish_folder) / "current"
    if done.written:
        click.echo(f"published {done.files} files to {target.resolve()} in {done.seconds:.1f} s")
    else:
        click.echo(f"nothing changed since the current snapshot ({target.resolve()})")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--keep", type=click.IntRange(min=1), default=None,
              help="Then remove all but the newest KEEP hub backups in FILE's folder (with FILE's suffix).")
@click.pass_context
def backup(ctx: click.Context, file: str, keep: int | None) -> None:
    """Copy the live database to FILE (SQLite's online backup API: syncs and readers go on)."""
    from hub.storage.backup import BackupError, backup as make_backup, prune

    config = load_config(ctx, secrets=False)
    try:
        info = make_backup(config.database, file)
    except BackupError as exc:
        click.echo(f"backup: {exc}", err=True)
        ctx.exit(1)
    click.echo(f"{info.path}: {info.bytes} bytes, schema v{info.schema_version}, {info.listings} listings, "
               f"{info.unified} unified listings")
    if keep is not None:
        try:
            removed = prune(file, keep, config.database)
        except OSError as exc:
            click.echo(f"backup: made, but older backups could not be removed: {exc}", err=True)
            ctx.exit(1)
        for path in removed:
            click.echo(f"removed the older backup {path}")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Even while a worker holds the scheduler lease.")
@click.pass_context
def restore(ctx: click.Context, file: str, force: bool) -> None:
    """Replace the database's content with a backup made by `helferhub backup` (one of an older hub is migrated first).

    Stop the worker first (its syncs would write into the restored database); the web servers may
    keep running and serve the restored listings from their next request.
    """
    import time

    from hub.storage.backup import BackupError, restorable, restore as do_restore
    from hub.storage.leases import describe

    config = load_config(ctx, secrets=False)
    try:
        restorable(file, config.database)
    except BackupError as exc:
        click.echo(f"restore: {exc}", err=True)
        ctx.exit(1)
    with open_storage(ctx, config) as storage:
        held = [dict(zip(("name", "holder", "host", "pid", "acquired_at", "expires_at"), row)) for row in
                storage.db.execute("select name, holder, host, pid, acquired_at, expires_at from leases "
                                   "where expires_at > ?", [time.time()])]
    if held and not force:
        busy = "; ".join(f"{'a worker holds the scheduler lease' if h['name'] == 'scheduler' else h['name'] + ' runs'} "
                         f"({describe(h)})" for h in held)
        click.echo(f"restore: {busy}; stop it first (or give --force)", err=True)
        ctx.exit(1)
    try:
        info = do_restore(file, config.database)
    except BackupError as exc:
        click.echo(f"restore: {exc}", err=True)
        ctx.exit(1)
    click.echo(f"{config.database}: restored from {info.path} ({info.listings} listings, {info.unified} unified)")


def _listed(entry: dict) -> int:
    return entry["listings"].get("active", 0) + entry["listings"].get("pending", 0)


def _when(value: str | None) -> str:
    if not value:
        return "never"
    return value[:19].replace("T", " ") + " UTC"
