"""helferhub review: the listings of moderated sources waiting for a decision."""
from __future__ import annotations

import click

from hub.cli.common import actor, load_config, open_storage


@click.group(invoke_without_command=True)
@click.option("--source", default=None, help="Only this source's listings.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="Listings to show (the oldest first).")
@click.pass_context
def review(ctx: click.Context, source: str | None, limit: int) -> None:
    """List the listings of moderated sources that wait for review."""
    if ctx.invoked_subcommand:
        return
    from hub.review import pending

    import textwrap

    config = load_config(ctx, secrets=False)
    with open_storage(ctx, config) as storage:
        rows = pending(storage, source)
    if not rows:
        click.echo(f"nothing awaits review{' from ' + source if source else ''}")
        return
    for row in rows[:limit]:
        data = row["data"]
        place = ", ".join(filter(None, (data["location"].get("postcode"), data["location"].get("city"))))
        click.echo(f"{row['public_id']}  {data['kind']}/{data['category']}: {data['title']}")
        click.echo(f"    source: {row['source']} record {row['record_id']} <{data['source'].get('url') or 'no link'}>"
                   f"{'; ' + place if place else ''}")
        click.echo(f"    waiting because: {'; '.join(row['reasons'])}")
        text = data.get("description") or "(no description)"
        for line in textwrap.wrap(text, 96)[:12] or [""]:
            click.echo(f"    | {line}")
        if len(textwrap.wrap(text, 96)) > 12:
            click.echo(f"    | … ({len(text)} characters in all)")
        click.echo("")
    more = f" (the first {limit} shown: --limit for more)" if len(rows) > limit else ""
    click.echo(f"{len(rows)} awaiting review{more}: helferhub review approve ID... / "
               "helferhub review reject --reason WHY ID...")


def _decide(decision: str):
    @click.argument("ids", nargs=-1, required=True)
    @click.option("--reason", default=None, help="Why (kept with the decision and in the audit log)"
                  + ("; required to reject" if decision == "reject" else "") + ".")
    @click.pass_context
    def command(ctx: click.Context, ids: tuple[str, ...], reason: str | None) -> None:
        from hub.review import decide

        config = load_config(ctx, secrets=False)
        if decision == "reject" and not reason:
            click.echo("reject: say why with --reason (it is kept with the decision)", err=True)
            ctx.exit(2)
        failed = False
        with open_storage(ctx, config) as storage:
            for listing_id in ids:
                try:
                    click.echo(decide(storage, listing_id, decision, config.dedupe, reason=reason, actor=actor()))
                except (LookupError, ValueError) as exc:
                    click.echo(f"{decision}: {exc.args[0]}", err=True)
                    failed = True
        ctx.exit(1 if failed else 0)

    command.__doc__ = f"{decision.capitalize()} listings awaiting review (by the u_ id `review` shows, or the l_ id)."
    return command


review.command("approve")(_decide("approve"))
review.command("reject")(_decide("reject"))


class _Kilometres(click.FloatRange):
    """0.1-200 km as the API takes it: click's FloatRange lets nan through (no comparison holds for it)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail(f"{value!r} is not a number of kilometres (0.1-200)", param, ctx)
        return number


_KM = _Kilometres(0.1, 200)


@click.command()
@click.argument("listing_id")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100), help="Matches to show (as the API: 1-100).")
@click.option("--radius-km", default=25.0, show_default=True, type=_KM,
              help="How far a match may be (besides the same district; as the API: 0.1-200).")
@click.pass_context
def matches(ctx: click.Context, listing_id: str, limit: int, radius_km: float) -> None:
    """Listings on any portal that could fill LISTING_ID (a u_ id), or that it could fill, best first."""
    from hub.clock import now_utc
    from hub.matching import NotMatchable, matches as find

    config = load_config(ctx, secrets=False)
    with open_storage(ctx, config) as storage:
        try:
            found = find(storage, listing_id, now_utc(), limit=limit, radius_km=radius_km)
        except NotMatchable as exc:
            click.echo(f"matches: {exc}", err=True)
            ctx.exit(1)
    if not found:
        click.echo(f"no matches for {listing_id} (same category, opposite kind, within {radius_km:g} km or the district)")
    for m in found:
        reasons = ", ".join(f"{k} {v}" for k, v in m.reasons.items() if v not in (None, ""))
        click.echo(f"{m.score:.2f} {m.id} {m.kind}: {m.title} ({m.place or '?'}; {', '.join(m.portals)})")
        click.echo(f"     {reasons}")


@click.command()
@click.pass_context
def notify(ctx: click.Context) -> None:
    """One round of notifications now: new listings to subscribers, the next waves of open calls,
    every delivery that is due (the worker does this every [notify] every)."""
    from hub import partners, subscriptions

    from hub.storage.leases import Lease, describe

    config = load_config(ctx)
    with open_storage(ctx, config) as storage:
        lease = Lease(storage, "notify", ttl=900)  # the worker's round takes the same: never two at once
        if not lease.acquire():
            click.echo(f"notify: a round is running ({describe(lease.current())}); not another at once", err=True)
            ctx.exit(1)
        try:
            counts = subscriptions.notify(partners.effective(config, storage), storage)
        finally:
            lease.release()
    click.echo(f"{counts['queued']} digests queued, {counts['calls']} subscribers asked for calls, "
               f"{counts['sent']} deliveries made, {counts['failed']} failed (retried later)")


@click.group("subscriptions", invoke_without_command=True)
@click.pass_context
def list_subscriptions(ctx: click.Context) -> None:
    """Every subscription: topic, channel, state, deliveries (addresses are shown masked); `resume ID`
    resumes a paused one."""
    if ctx.invoked_subcommand is not None:
        return
    config = load_config(ctx, secrets=False)
    with open_storage(ctx, config) as storage:
        rows = list(storage.db["subscriptions"].rows_where(order_by="created_at"))
        counts = dict(storage.db.execute("select subscription_id || ' ' || status, count(*) from deliveries "
                                         "group by subscription_id, status").fetchall())
    if not rows:
        click.echo("no subscriptions yet")
    for r in rows:
        target = r["target"]
        shown = target.split("@")[0][:1] + "…@" + target.split("@")[1] if r["channel"] == "email" else \
            target.split("?")[0]
        what = f"search {r['search']!r}" if r["topic"] == "search" else f"matches of {r['listing_id']}"
        made = ", ".join(f"{n} {status}" for status in ("delivered", "due", "failed", "dropped")
                         if (n := counts.get(f"{r['id']} {status}")))
        click.echo(f"{r['id']} {r['status']} {r['channel']} {shown}: {what}; asked for calls {r['asked_count']}x"
                   f"{'; ' + made if made else ''}{'; ' + str(r['failures']) + ' failed in a row' if r['failures'] else ''}")


@list_subscriptions.command("resume")
@click.argument("subscription_id")
@click.pass_context
def resume_subscription(ctx: click.Context, subscription_id: str) -> None:
    """Resume SUBSCRIPTION_ID, paused after its deliveries failed: what waits for it goes in the next round."""
    from hub import subscriptions

    config = load_config(ctx, secrets=False)
    with open_storage(ctx, config) as storage:
        try:
            waiting = subscriptions.resume(storage, subscription_id)
        except LookupError as exc:
            click.echo(f"subscriptions resume: {exc}", err=True)
            ctx.exit(1)
    click.echo(f"{subscription_id} resumed; {waiting} deliveries go in the next round")
