"""helferhub tokens, audit: admin tokens for partners, moderators and operators, and who did what."""
from __future__ import annotations

import click

from hub.cli.common import EXIT_USAGE, actor, load_config, open_storage


@click.group()
def tokens() -> None:
    """Admin API tokens: create (the secret is shown once), list, revoke."""


@tokens.command("create")
@click.argument("partner")
@click.option("--operator", "role", flag_value="operator", help="May see and do everything.")
@click.option("--moderator", "role", flag_value="moderator", help="Reads everything, approves and rejects listings, "
              "decides on duplicates.")
@click.option("--expires", default=None, metavar="DURATION", help="Valid for this long (e.g. 90d, 12h); default: until revoked.")
@click.pass_context
def create(ctx: click.Context, partner: str, role: str | None, expires: str | None) -> None:
    """Create a token for PARTNER (a partner token by default: its own sources only)."""
    from datetime import timedelta

    from hub import partners
    from hub.clock import utcnow
    from hub.config import parse_interval

    config = load_config(ctx, secrets=False)
    until = None
    if expires:
        try:
            until = utcnow() + timedelta(seconds=parse_interval(expires))
        except ValueError as exc:
            click.echo(f"--expires: {exc}", err=True)
            ctx.exit(EXIT_USAGE)
    with open_storage(ctx, config) as storage:
        try:
            secret, row = partners.create_token(storage, partner, role or "partner", until, actor())
        except ValueError as exc:
            click.echo(f"tokens create: {exc}", err=True)
            ctx.exit(EXIT_USAGE)
    click.echo(secret)
    click.echo(f"token {row['id']} for {partner} ({row['role']}"
               f"{', expires ' + row['expires_at'][:16].replace('T', ' ') + ' UTC' if row['expires_at'] else ''}); "
               "the secret above is shown only now: only its hash is kept", err=True)


@tokens.command("list")
@click.pass_context
def list_tokens(ctx: click.Context) -> None:
    """Every token: id, partner, role, created, expires, last used, revoked."""
    from hub import partners

    config = load_config(ctx, secrets=False)
    with open_storage(ctx, config) as storage:
        rows = partners.tokens(storage)
    if not rows:
        click.echo("no tokens yet: helferhub tokens create PARTNER")
    for r in rows:
        state = f"revoked {r['revoked_at'][:10]}" if r["revoked_at"] else \
            f"expires {r['expires_at'][:10]}" if r["expires_at"] else "valid"
        click.echo(f"{r['id']} {r['partner']} {r['role']} created {r['created_at'][:10]}, {state}, "
                   f"last used {r['last_used_at'][:16].replace('T', ' ') if r['last_used_at'] else 'never'}")


@tokens.command("revoke")
@click.argument("token_id")
@click.pass_context
def revoke(ctx: click.Context, token_id: str) -> None:
    """Revoke a token by its id (from `tokens list`); it stops working at once."""
    from hub import partners

    config = load_config(ctx, secrets=False)
    with open_storage(ctx, config) as storage:
        try:
            row = partners.revoke_token(storage, token_id, actor())
        except LookupError as exc:
            click.echo(f"tokens revoke: {exc.args[0]}", err=True)
            ctx.exit(EXIT_USAGE)
    click.echo(f"token {token_id} of {row['partner']} revoked")


@click.command()
@click.option("--target", default=None, help="Only entries about this source, listing or token.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@click.pass_context
def audit(ctx: click.Context, target: str | None, limit: int) -> None:
    """The audit log: who changed what, and when, newest first."""
    from hub import partners

    config = load_config(ctx, secrets=False)
    with open_storage(ctx, config) as storage:
        rows = partners.audit_log(storage, target, limit)
    if not rows:
        click.echo("the audit log is empty" + (f" for {target}" if target else ""))
    for r in rows:
        detail = f" {r['detail']}" if r["detail"] else ""
        click.echo(f"{r['at'][:19].replace('T', ' ')} {r['actor']}: {r['action']} {r['target'] or ''}{detail}")


@click.command("new-connector")
@click.argument("name")
@click.option("--dir", "folder", type=click.Path(file_okay=False), default=None,
              help="Where to write the package (default: ./helferhub-NAME-connector).")
def new_connector(name: str, folder: str | None) -> None:
    """Write a connector package for type NAME: pyproject with the entry point, a connector skeleton,
    recorded sample payloads and a test running the conformance kit (it installs and passes as written)."""
    from pathlib import Path

    from hub.connector_kit import create

    target = Path(folder or f"helferhub-{name}-connector")
    try:
        create(name, target)
    except (ValueError, FileExistsError) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{target}/: connector type {name!r}; next: cd {target} && pip install -e '.[test]' && python -m pytest")
