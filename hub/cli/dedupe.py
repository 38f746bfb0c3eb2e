"""helferhub dedupe: the deduplicator from the command line."""
from __future__ import annotations

import json

import click

from hub.cli.common import actor, load_config, open_storage, progress_line


@click.group(invoke_without_command=True)
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
    config = load_config(ctx, secrets=False)
    with open_storage(ctx, config) as storage:
        return fn(config, storage)


@dedupe.command()
@click.argument("first")
@click.argument("second", required=False)
@click.pass_context
def explain(ctx, first: str, second: str | None) -> None:
    """Why a unified listing's members were merged, or (with two ids) why two listings are or are not one."""
    from hub.dedupe_ops import NotFound, explain_pair, explain_unified

    def run(config, storage):
        try:
            result = (explain_pair(storage, first, second, config.dedupe) if second
                      else explain_unified(storage, first, config.dedupe))
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
        from hub.dedupe_ops import NotFound, SameListing, decide

        def run(config, storage):
            try:
                click.echo(decide(storage, first, second, decision, note, config.dedupe, decided_by=actor()))
            except (NotFound, SameListing) as exc:
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
    """Estimate the model again and re-cluster every listing by it (after decisions, or a changed threshold)."""
    from hub.dedupe_ops import rebuild as run_rebuild

    def run(config, storage):
        progress = progress_line()
        try:
            written, model = run_rebuild(storage, config.dedupe, progress)
        finally:
            if progress is not None:
                progress.end()
        source = f"from {config.dedupe.parameters}" if config.dedupe.parameters else \
            f"estimated from {model.records} listings, {model.together + model.apart} decisions"
        click.echo(f"{written} unified listings written; model {source}")

    _with_storage(ctx, run)


@dedupe.command()
@click.option("--spec", "spec_path", type=click.Path(exists=True, dir_okay=False),
              help="A field specification (TOML): estimate its model from --input records instead of the listings.")
@click.option("--input", "input_path", type=click.File("r", encoding="utf-8"),
              help="JSON lines (each with an `id`) to estimate from; with --spec.")
@click.option("--write", "write_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write the model as JSON: a spec's `parameters` or [dedupe] parameters loads it.")
@click.option("--json", "as_json", is_flag=True, help="Print the model as JSON instead of a table.")
@click.pass_context
def estimate(ctx, spec_path, input_path, write_path, as_json) -> None:
    """Estimate the deduplication model and print it: per field and level m, u, match weight and pairs.

    Without --spec: from the database's listings and the operators' decisions (nothing is changed;
    `dedupe rebuild` estimates and applies). With --spec SPEC --input FILE: from those records.
    """
    from pathlib import Path

    from dedupe.spec import SpecError, load

    if (spec_path is None) != (input_path is None):
        raise click.UsageError("--spec and --input go together")
    if spec_path:
        from dedupe.engine import Engine

        try:
            spec = load(spec_path)
        except SpecError as exc:
            for problem in exc.problems:
                click.echo(f"spec error: {spec_path}: {problem}", err=True)
            ctx.exit(2)
        if not spec.probabilistic:
            click.echo(f"spec error: {spec_path}: model = 'weights' has nothing to estimate", err=True)
            ctx.exit(2)
        try:
            records = [json.loads(line) for line in input_path if line.strip()]
            engine = Engine(spec)
            model = engine.fit(engine.prepare(records))
        except (ValueError, KeyError, TypeError) as exc:
            click.echo(f"input error: {exc}", err=True)
            ctx.exit(2)
    else:
        from hub.unify import estimate as run_estimate

        model = _with_storage(ctx, lambda config, storage: run_estimate(storage, config.dedupe))
    click.echo(json.dumps(model.as_dict(), indent=1) if as_json else model.describe())
    if write_path:
        Path(write_path).write_text(json.dumps(model.as_dict(), indent=1) + "\n", encoding="utf-8")
        click.echo(f"model written to {write_path}", err=True)


