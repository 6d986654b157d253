"""Command line: ``strangler scan | extract | migrate``. Parses, calls the pipeline, prints."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from strangler import __version__, deep, scan_graph
from strangler.apply import changeset, interrupts, sink
from strangler.apply.sink import WriteOptions
from strangler.errors import StranglerError
from strangler.load.project import code_dirs, load
from strangler.model import Report
from strangler.pipeline import Outcome, dispatching, run, survey
from strangler.plan.plan import DEFAULT_FUNCTIONS_DIR
from strangler.scan import FunctionScan, Gain, group_lines, scan_function


def _project_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("-C", "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
                     default=None, help="The SAM application folder (default: the current one)."),
        # Not checked by click: like -C in git, a relative path is relative to -C, not here.
        click.option("--template", type=click.Path(path_type=Path), default=None,
                     help="The template, when the folder has several (template.yaml|yml|json); relative to -C."),
        click.option("--function", "function_id", metavar="LOGICAL_ID", default=None,
                     help="The monolith's logical id, when several functions dispatch."),
        click.option("--no-color", is_flag=True, default=False, help="No colour (also off when NO_COLOR is set or output is not a terminal)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _code_option(command: Callable[..., Any]) -> Callable[..., Any]:
    # Not checked by click either: relative to -C, and checked against the template by load.
    return click.option(
        "--code", "code", multiple=True, metavar="[LOGICAL_ID=]DIR",
        help="The folder holding the source of a monolith whose CodeUri/Code is in S3; relative to -C. "
             "LOGICAL_ID=DIR when several functions need one (repeatable).")(command)


def _change_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--dry-run", is_flag=True, help="Print the complete change as a unified diff and write nothing."),
        click.option("--functions-dir", default=DEFAULT_FUNCTIONS_DIR, show_default=True, metavar="DIR",
                     help="Where the new function folders go, relative to the template."),
        click.option("--commit", is_flag=True, help="One git commit per extracted action (and one for retiring the monolith)."),
        click.option("--branch", metavar="NAME", default=None, help="Create and switch to branch NAME first."),
        click.option("--allow-dirty", is_flag=True, help="Write even if files the run touches have uncommitted changes."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


class _Strangler(click.Group):
    """The command group, with what every command shares: signals, exit codes, a closed pipe."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with interrupts.handled():
                return super().invoke(ctx)
        except interrupts.SIGNALS as signal:
            _quiet_pipe(sys.stdout)
            if interrupts.was_written():
                said = "interrupted after the change was written in full"
            else:
                said = "interrupted; nothing was changed"
            _say_error(f"strangler: {said}")
            sys.exit(interrupts.exit_code(signal))
        except BrokenPipeError:
            # `strangler scan | head`: the reader has gone, nothing more to say to it.
            _quiet_pipe(sys.stdout)
            sys.exit(141)


def _quiet_pipe(stream: Any) -> None:
    """Point a closed pipe's descriptor at /dev/null, so that the last flush at exit cannot
    fail again ("Exception ignored ... BrokenPipeError")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def _say_error(line: str) -> None:
    try:
        click.echo(line, err=True)
    except OSError:
        pass


@click.group(cls=_Strangler, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="strangler")
def main() -> None:
    """Take an AWS Lambda monolith apart, one action at a time.

    A monolith is a SAM function whose handler dispatches many event types: through a
    table (HANDLERS = {"OrderPlaced": on_order_placed, ...}), an if/elif chain (also
    one that falls through to a shared tail), a match, a dispatch on the source and then
    the detail-type, on the HTTP method, on the kind of event ("Records" in event), in a
    helper the handler calls, or a Powertools router (with routers included from other
    modules). strangler gives every action its own function folder, its own
    AWS::Serverless::Function and its own route at the event source (never a Lambda
    calling a Lambda), and trims the monolith to what it still serves. A template may
    hold several monoliths.

    \b
    Typical session, inside the folder that holds template.yaml:
      strangler scan                      # what would move, and how it is routed
      strangler extract OrderPlaced --dry-run
      strangler extract OrderPlaced       # the strangler-fig step
      strangler migrate                   # everything, and retire the monolith
    """


@main.command()
@_project_options
@_code_option
@click.option("--json", "as_json", is_flag=True, help="Print the scan as JSON.")
@click.option("--format", "fmt", type=click.Choice(["text", "mermaid", "dot"]), default="text", show_default=True,
              help="mermaid or dot: draw the application before and after the split (routes, functions, "
                   "the resources each reaches).")
@click.option("--import-time", is_flag=True,
              help="Also import each new handler module and the monolith's in a fresh interpreter and time it "
                   "(runs their module-level code, with placeholder environment values).")
def scan(project_dir: Path | None, template: Path | None, function_id: str | None, no_color: bool,
         code: tuple[str, ...], as_json: bool, fmt: str, import_time: bool) -> None:
    """Show the dispatching functions, their actions, what each needs, how it will be
    routed, and what its function would keep of the monolith's policies, environment,
    requirements and package."""
    if as_json and fmt != "text":
        raise click.UsageError(f"--json and --format {fmt} are alternatives: choose one")
    with _errors():
        project = load(project_dir or Path.cwd(), template, code_dirs(code))
        # On a large stack: see strangler/deep.py (deep syntax trees)
        scans, not_split = deep.call(_scan_all, project, function_id, import_time)
    if fmt != "text":
        click.echo(scan_graph.draw(scans, fmt), nl=False)
        return
    if as_json:
        click.echo(json.dumps({"functions": [s.to_json() for s in scans],
                               "not_split": [{"function": name, "why": why} for name, why in not_split]}, indent=2))
        return
    if not scans:
        click.echo("No function of the template dispatches.")
    for result in scans:
        _print_scan(result, _colour(no_color))
        for line in group_lines(result):
            click.echo(line)
        function = project.function(result.logical_id)
        if function.code_elsewhere:
            click.echo(f"  (its code is {function.code_elsewhere}: read from {project.relative(function.code_dir) or '.'}/ "
                       "as --code says; after a split, build that folder and upload it there)\n")
    for name, why in not_split:
        # Functions that are not local Python code (images, other runtimes) are only in
        # --json: the text lists what strangler could have split and why it did not.
        if name not in project.skipped:
            click.echo(f"{name}  not split: {why}")


def _scan_all(project, function_id: str | None, import_time: bool) -> tuple[list[FunctionScan], list[tuple[str, str]]]:
    """Every monolith scanned, and why each other function is not split: a function that
    refuses or whose handler cannot be analysed is reported, not the end of the scan."""
    found = survey(project, function_id)
    if not found.monoliths and function_id is None:
        dispatching(project, None)  # nothing at all to scan: the refusal says why
    scans, not_split = [], list(found.not_split)
    for name, error in found.refused:
        not_split.append((name, f"refused: {error}"))
    for analysis in found.monoliths:
        try:
            scans.append(scan_function(project, analysis, import_time=import_time))
        except StranglerError as error:
            if function_id is not None:
                raise
            not_split.append((analysis.function.logical_id, f"refused: {error}"))
    order = {name: index for index, name in enumerate(project.resources)}
    not_split.sort(key=lambda item: order.get(item[0], len(order)))
    return scans, not_split


@main.command()
@_project_options
@_change_options
@_code_option
@click.argument("actions", nargs=-1, required=True, metavar="ACTION...")
def extract(project_dir, template, function_id, no_color, dry_run, functions_dir, commit, branch, allow_dirty, code,
            actions) -> None:
    """Move ACTION(s) into functions of their own; the monolith keeps serving the rest.

    Each ACTION is a key of the dispatch, as `strangler scan` lists it: "OrderPlaced",
    "GET /orders/{id}", or "shop.orders/OrderPlaced" for a source and a detail-type.
    Running it again for an action already extracted does nothing.
    """
    with _errors():
        outcome = run(project_dir or Path.cwd(), template, function_id, tuple(actions), retire=False,
                      functions_dir=functions_dir, steps=commit, progress=_progress(), code=code_dirs(code))
    _finish(outcome, dry_run, _colour(no_color), WriteOptions(allow_dirty, commit, branch))


@main.command()
@_project_options
@_change_options
@_code_option
@click.option("--keep-monolith", is_flag=True, help="Keep the monolith (with an empty table) for events no action claims.")
def migrate(project_dir, template, function_id, no_color, dry_run, functions_dir, commit, branch, allow_dirty, code,
            keep_monolith) -> None:
    """Move every action into a function of its own and retire the monolith.

    Retiring removes the monolith's resource and code from the template and its folder,
    and the Outputs that pointed at it; a resource that still refers to it stops the run.
    """
    with _errors():
        outcome = run(project_dir or Path.cwd(), template, function_id, None, retire=not keep_monolith,
                      functions_dir=functions_dir, steps=commit, progress=_progress(), code=code_dirs(code))
    _finish(outcome, dry_run, _colour(no_color), WriteOptions(allow_dirty, commit, branch))


# --- output ---------------------------------------------------------------------------
class _errors:
    """Turn refusals into a message on stderr and exit code 1."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, StranglerError):
            click.echo(f"strangler: error: {error}", err=True)
            sys.exit(1)
        if isinstance(error, BrokenPipeError):
            return False  # the reader of the output went away: handled by the command group
        if isinstance(error, Exception) and not isinstance(error, click.exceptions.Exit):
            # The last line of defence: a bug must not show a user a traceback. Nothing
            # has been written when the pipeline fails; the sink rolls back on its own.
            click.echo(f"strangler: error: internal error ({type(error).__name__}: {error}); nothing was changed\n"
                       "  hint: this is a bug in strangler; please report it with the command you ran", err=True)
            sys.exit(1)
        return False


def _progress() -> Callable[[str], None] | None:
    """A one-line counter on a terminal's stderr; silent when piped."""
    if not sys.stderr.isatty():
        return None
    count = {"n": 0}

    def tick(key: str) -> None:
        count["n"] += 1
        click.echo(f"\r\033[Kextracted {count['n']}: {key}", err=True, nl=False)

    return tick


def _colour(no_color: bool) -> bool:
    return not no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def _finish(outcome: Outcome, dry_run: bool, colour: bool, options: WriteOptions) -> None:
    if outcome.message:
        click.echo(outcome.message)
        return
    assert outcome.changes is not None and outcome.plan is not None
    if sys.stderr.isatty():
        click.echo("\r\033[K", err=True, nl=False)
    for line in outcome.already:
        click.echo(line)
    if dry_run:
        diff = changeset.unified_diff(outcome.changes.changes)
        click.echo(changeset.colour(diff) if colour else diff, nl=False)
        _print_report(outcome.changes.report, colour, heading="Would")
        return
    with _errors():
        sink.write(outcome, options, say=lambda line: click.echo(line, err=True))
    _print_report(outcome.changes.report, colour, heading="")
    click.echo(f"{len(outcome.changes.changes)} files written.")


def _print_report(report: Report, colour: bool, heading: str) -> None:
    def title(done: str, planned: str) -> str:
        text = f"{heading} {planned}" if heading else done
        return click.style(text, bold=True) if colour else text

    out = sys.stderr if heading else sys.stdout
    sections = (
        (("Created", "create"), report.created),
        (("Narrowed to what the code uses", "narrow to what the code uses"), report.narrowed),
        (("Changed", "change"), report.changed),
        (("Removed", "remove"), report.removed),
        (("To do by hand", "need doing by hand"), report.manual),
    )
    for (done, planned), lines in sections:
        if lines:
            click.echo(title(done, planned) + ":", file=out)
            for line in lines:
                click.echo(f"  - {line}", file=out)


@main.command()
@click.option("-C", "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The SAM application folder (default: the current one).")
@click.option("--template", type=click.Path(path_type=Path), default=None,
              help="The template, when the folder has several; relative to -C.")
@click.option("--before", "before_ref", metavar="REF", default=None,
              help="The version before the split (default: HEAD with uncommitted changes, else the commit "
                   "before strangler's commits).")
@click.option("--events", "event_paths", multiple=True, type=click.Path(exists=False, path_type=Path),
              metavar="PATH", help="Event files (one event or a list) or folders of them, besides events/.")
@click.option("--ignore", "ignored", multiple=True, metavar="FIELD",
              help="A field to leave out of results and side effects (detail.timestamp); repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the verification as JSON.")
@click.option("--no-color", is_flag=True, default=False, help="No colour.")
def verify(project_dir, template, before_ref, event_paths, ignored, as_json, no_color) -> None:
    """Replay events against the application before and after the split, and compare.

    Each event goes to the functions each template delivers it to (as AWS routes it);
    each handler runs in its own interpreter against moto, with the template's tables,
    buckets, queues and topics. Exit 0 when every event reaches exactly one function
    after the split and returns and writes what it did before.
    """
    from strangler.verify import report
    from strangler.verify.command import verify as run_verify

    with _errors():
        settings_ignore = _verify_ignores(project_dir or Path.cwd())
        done = run_verify(project_dir or Path.cwd(), template, before_ref, event_paths, (*settings_ignore, *ignored))
    if as_json:
        click.echo(json.dumps(report.as_json(done), indent=2, default=str))
    else:
        for line in report.lines(done):
            click.echo(line)
    sys.exit(0 if report.passed(done) else 1)


def _verify_ignores(project_dir: Path) -> tuple[str, ...]:
    """``[verify] ignore = [...]`` in strangler.toml."""
    from strangler.load.settings import verify_ignores

    return verify_ignores(project_dir)


def _gain_rows(gain: Gain) -> list[tuple[str, str]]:
    def decided(decisions) -> str:
        kept = [d.item for d in decisions if d.kept]
        dropped = [f"{d.item} ({d.reason})" for d in decisions if not d.kept]
        text = f"keeps {', '.join(kept) or 'none'}"
        return text + (f"; drops {', '.join(dropped)}" if dropped else "") if decisions else ""

    package = f"{gain.package_bytes / 1024:.1f} KiB of code, against {gain.monolith_package_bytes / 1024:.1f} KiB for the monolith"
    rows = [
        ("policies", decided(gain.policies)),
        ("envvars", decided(gain.environment)),
        ("requires", decided(gain.requirements)),
        ("effects", f"kept module-level code {', '.join(d.item for d in gain.code)} (may have side effects)" if gain.code else ""),
        ("settings", ", ".join(f"{k} {v}" for k, v in gain.settings.items())),
        ("package", package),
    ]
    if gain.import_seconds is not None or gain.monolith_import_seconds is not None:
        def ms(value: float | None) -> str:
            return "n/a" if value is None else f"{value * 1000:.0f} ms"

        rows.append(("import", f"{ms(gain.import_seconds)}, against {ms(gain.monolith_import_seconds)} for the monolith"))
    return rows


def _print_scan(result: FunctionScan, colour: bool) -> None:
    bold = (lambda t: click.style(t, bold=True)) if colour else (lambda t: t)
    dim = (lambda t: click.style(t, dim=True)) if colour else (lambda t: t)
    click.echo(bold(result.logical_id) + f"  Handler {result.handler}")
    click.echo(f"  dispatch  {result.shape} {result.table} at {result.module}:{result.line}, key read from event {result.event_path}")
    for key, function in result.extracted:
        click.echo(f"  extracted {key} -> {function}")
    if not result.actions:
        click.echo("  no action left in the table")
    for action in result.actions:
        click.echo()
        click.echo("  " + bold(action.key) + dim(f"  {action.handler} ({action.module or result.module}:{action.line})"))
        route = action.route if action.refusal is None else f"REFUSED: {action.refusal}"
        rows = [
            ("route", route),
            ("code", ", ".join(action.needs.symbols)),
            ("imports", ", ".join(action.needs.imports)),
            ("modules", ", ".join(action.needs.local_modules)),
            ("env", ", ".join(action.needs.env_vars)),
        ]
        rows += _gain_rows(action.gain)
        for label, value in rows:
            if value:
                click.echo(f"    {label:<9}{value}")
    click.echo()
