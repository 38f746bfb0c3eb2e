"""helferhub dedupe: the deduplicator from the command line."""
from __future__ import annotations

import json
import sys

import click

from hub.cli import cli, load_config, open_storage


@cli.group(invoke_without_command=True)
@click.option("--input", "input_path", type=click.File("r", encoding="utf-8"), help="JSON lines to deduplicate offline.")
@click.option("--output", "output_path", type=click.File("w", encoding="utf-8"), default="-", show_default=True)
@click.option("--spec", "spec_path", type=click.Path(exists=True, dir_okay=False),
              help="A field specification (TOML): deduplicate any records with an id, one line per cluster out.")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True), help="Override the threshold.")
@click.pass_context
def dedupe(ctx, input_path, output_path, spec_path, threshold) -> None:
    """Deduplicate offline: --input listings.jsonl --output unified.jsonl (no database or server).

    With --spec SPEC.toml, any JSON records (each with an `id`) are deduplicated by that field
    specification and each output line is one cluster: {"cluster": n, "members": [ids]}.
    """
    if ctx.invoked_subcommand:
        return
    if input_path is None:
        raise click.UsageError("give --input (or a subcommand: explain, apart, together, forget, overrides, rebuild)")
    from dedupe.spec import SpecError, load
    from hub.dedupe_ops import offline

    try:
        spec = load(spec_path) if spec_path else None
    except SpecError as exc:
        for problem in exc.problems:
            click.echo(f"spec error: {spec_path}: {problem}", err=True)
        ctx.exit(2)
    try:
        count = offline(input_path, output_path, spec, threshold)
    except (ValueError, KeyError) as exc:
        click.echo(f"input error: {exc}", err=True)
        ctx.exit(2)
    click.echo(f"{count} clusters", err=True)


def _with_storage(ctx, fn):
    config = load_config(ctx)
    storage = open_storage(ctx, config)
    try:
        return fn(config, storage)
    finally:
        storage.close()


@dedupe.command()
@click.argument("first")
@click.argument("second", required=False)
@click.pass_context
def explain(ctx, first: str, second: str | None) -> None:
    """Why a unified listing's members were merged, or (with two ids) why two listings are or are not one."""
    from hub.dedupe_ops import NotFound, explain_pair, explain_unified

    def run(config, storage):
        try:
            result = (explain_pair(storage, first, second, config.dedupe_threshold) if second
                      else explain_unified(storage, first, config.dedupe_threshold))
        except NotFound as exc:
            click.echo(exc.args[0], err=True)
            ctx.exit(1)
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))

    _with_storage(ctx, run)


def _decision(decision: str | None, help_text: str):
    @click.argument("first")
    @click.argument("second")
    @click.option("--note", default=None, help="Why (kept with the decision).")
    @click.pass_context
    def command(ctx, first: str, second: str, note: str | None) -> None:
        from hub.dedupe_ops import NotFound, decide

        def run(config, storage):
            try:
                click.echo(decide(storage, first, second, decision, note, config.dedupe_threshold,
                                  config.dedupe_prefer))
            except NotFound as exc:
                click.echo(exc.args[0], err=True)
                ctx.exit(1)

        _with_storage(ctx, run)

    command.__doc__ = help_text
    return command


dedupe.command("apart")(_decision("apart", "Keep two listings apart for good, whatever their scores."))
dedupe.command("together")(_decision("together", "Keep two listings together for good, whatever their scores."))
dedupe.command("forget")(_decision(None, "Forget an operator's decision about two listings."))


@dedupe.command()
@click.pass_context
def overrides(ctx) -> None:
    """List the operators' decisions."""
    def run(config, storage):
        for o in storage.overrides():
            click.echo(f"{o['a']} {o['b']} {o['decision']} {o['created_at']} {o['note'] or ''}".rstrip())

    _with_storage(ctx, run)


@dedupe.command()
@click.pass_context
def rebuild(ctx) -> None:
    """Re-cluster every listing (after changing the threshold or the specification)."""
    from hub.dedupe_ops import rebuild as run_rebuild

    _with_storage(ctx, lambda config, storage: click.echo(
        f"{run_rebuild(storage, config.dedupe_threshold, config.dedupe_prefer)} unified listings written"))


