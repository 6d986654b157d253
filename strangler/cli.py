"""Command line: ``strangler scan | extract | migrate``. Parses, calls the pipeline, prints."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from strangler import __version__, deep, scan_graph
from strangler.apply import changeset, interrupts, sink
from strangler.apply.sink import WriteOptions
from strangler.cliout import TerminalProgress, next_steps
from strangler.errors import StranglerError
from strangler.load.project import code_dirs, load
from strangler.model import Report
from strangler.pipeline import ANALYSING, Outcome, dispatching, run, survey
from strangler.plan.plan import DEFAULT_FUNCTIONS_DIR
from strangler.progress import SILENT, Progress
from strangler.scan import FunctionScan, Gain, group_lines, scan_function


def _project_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("-C", "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
                     default=None, help="The SAM application folder (default: the current one)."),
        # Not checked by click: like -C in git, a relative path is relative to -C, not here.
        click.option("-t", "--template", type=click.Path(path_type=Path), default=None,
                     help="The template, when the folder has several (template.yaml|yml|json); relative to -C."),
        click.option("--function", "function_id", metavar="LOGICAL_ID", default=None,
                     help="The monolith's logical id, when several functions dispatch."),
        click.option("--no-color", is_flag=True, default=False, help="No colour (also off when NO_COLOR is set or output is not a terminal)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _verbosity_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("-v", "--verbose", is_flag=True, help="List everything, however long."),
        click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors (and what was asked for: the diff, the JSON)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


QUIET, SHORT, VERBOSE = -1, 0, 1


def _verbosity(verbose: bool, quiet: bool) -> int:
    if verbose and quiet:
        raise click.UsageError("-v/--verbose and -q/--quiet say opposite things: choose one")
    return VERBOSE if verbose else QUIET if quiet else SHORT


def _code_option(command: Callable[..., Any]) -> Callable[..., Any]:
    # Not checked by click either: relative to -C, and checked against the template by load.
    return click.option(
        "--code", "code", multiple=True, metavar="[LOGICAL_ID=]DIR",
        help="The folder holding the source of a monolith whose CodeUri/Code is in S3; relative to -C. "
             "LOGICAL_ID=DIR when several functions need one (repeatable).")(command)


def _change_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--json", "as_json", is_flag=True,
                     help="Print what was (or, with --dry-run, would be) done as JSON instead of the summary and the diff."),
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
@_verbosity_options
@click.option("--json", "as_json", is_flag=True, help="Print the scan as JSON.")
@click.option("--format", "fmt", type=click.Choice(["text", "mermaid", "dot"]), default="text", show_default=True,
              help="mermaid or dot: draw the application before and after the split (routes, functions, "
                   "the resources each reaches).")
@click.option("--import-time", is_flag=True,
              help="Also import each new handler module and the monolith's in a fresh interpreter and time it "
                   "(runs their module-level code, with placeholder environment values).")
def scan(project_dir: Path | None, template: Path | None, function_id: str | None, no_color: bool,
         code: tuple[str, ...], verbose: bool, quiet: bool, as_json: bool, fmt: str, import_time: bool) -> None:
    """Show the dispatching functions, their actions, what each needs, how it will be
    routed, and what its function would keep of the monolith's policies, environment,
    requirements and package.

    A long list of actions is shortened (the first ones and every refused one in full,
    then counts): -v lists every action, -q prints one line per function."""
    if as_json and fmt != "text":
        raise click.UsageError(f"--json and --format {fmt} are alternatives: choose one")
    verbosity = _verbosity(verbose, quiet)
    progress = TerminalProgress.on_terminal(verbosity > QUIET and not as_json and fmt == "text")
    with _errors(), progress:
        progress.phase(ANALYSING)
        project = load(project_dir or Path.cwd(), template, code_dirs(code))
        # On a large stack: see strangler/deep.py (deep syntax trees)
        scans, not_split = deep.call(_scan_all, project, function_id, import_time, progress)
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
        _print_scan(result, _colour(no_color), verbosity)
        if verbosity > QUIET:
            for line in group_lines(result):
                click.echo(line)
    for name, why in not_split:
        # Functions that are not local Python code (images, other runtimes) are only in
        # --json: the text lists what strangler could have split and why it did not.
        if name not in project.skipped:
            click.echo(f"{name}  not split: {why}")
            if why.startswith("refused: ") and scans:
                click.echo(f"  migrate of the whole template would be refused: {name} cannot be split")


def _scan_all(project, function_id: str | None, import_time: bool,
              progress: Progress = SILENT) -> tuple[list[FunctionScan], list[tuple[str, str]]]:
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
            scans.append(scan_function(project, analysis, import_time=import_time, progress=progress))
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
@_verbosity_options
@click.option("--into", metavar="NAME", help="Put the ACTIONs into one new function, NAMEFunction (a group).")
@click.argument("actions", nargs=-1, required=True, metavar="ACTION...")
def extract(project_dir, template, function_id, no_color, as_json, dry_run, functions_dir, commit, branch, allow_dirty,
            code, verbose, quiet, into, actions) -> None:
    """Move ACTION(s) into functions of their own; the monolith keeps serving the rest.

    Each ACTION is a key of the dispatch, as `strangler scan` lists it: "OrderPlaced",
    "GET /orders/{id}", or "shop.orders/OrderPlaced" for a source and a detail-type;
    or the name of a [groups.NAME] of strangler.toml. With --into NAME they all go into
    one function that keeps a dispatch of just them.
    Running it again for an action already extracted does nothing.
    """
    _change(project_dir, template, function_id, tuple(actions), retire=False, dry_run=dry_run,
            functions_dir=functions_dir, code=code, colour=_colour(no_color), verbosity=_verbosity(verbose, quiet),
            options=WriteOptions(allow_dirty, commit, branch), as_json=as_json, into=into)


@main.command()
@_project_options
@_change_options
@_code_option
@_verbosity_options
@click.option("--keep-monolith", is_flag=True, help="Keep the monolith (with an empty table) for events no action claims.")
def migrate(project_dir, template, function_id, no_color, as_json, dry_run, functions_dir, commit, branch, allow_dirty,
            code, verbose, quiet, keep_monolith) -> None:
    """Move every action into a function of its own and retire the monolith.

    Retiring removes the monolith's resource and code from the template and its folder,
    and the Outputs that pointed at it; a resource that still refers to it stops the run.
    """
    _change(project_dir, template, function_id, None, retire=not keep_monolith, dry_run=dry_run,
            functions_dir=functions_dir, code=code, colour=_colour(no_color), verbosity=_verbosity(verbose, quiet),
            options=WriteOptions(allow_dirty, commit, branch), as_json=as_json)


def _change(project_dir: Path | None, template: Path | None, function_id: str | None, keys: tuple[str, ...] | None, *,
            retire: bool, dry_run: bool, functions_dir: str, code: tuple[str, ...], colour: bool, verbosity: int,
            options: WriteOptions, as_json: bool = False, into: str | None = None) -> None:
    """extract and migrate: run the pipeline (with progress on a terminal), then write or show."""
    progress = TerminalProgress.on_terminal(verbosity > QUIET and not as_json)
    with _errors(), progress:
        outcome = run(project_dir or Path.cwd(), template, function_id, keys, retire=retire,
                      functions_dir=functions_dir, steps=options.commit, progress=progress,
                      code=code_dirs(code), into=into)
    if as_json:
        _finish_json(outcome, dry_run, options)
    else:
        _finish(outcome, dry_run, colour, options, verbosity, progress)


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


def _colour(no_color: bool) -> bool:
    return not no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def _finish(outcome: Outcome, dry_run: bool, colour: bool, options: WriteOptions, verbosity: int = SHORT,
            progress: TerminalProgress | None = None) -> None:
    progress = progress or TerminalProgress(False)
    if outcome.message:
        if verbosity > QUIET:
            click.echo(outcome.message)
        return
    assert outcome.changes is not None and outcome.plan is not None
    if verbosity > QUIET:
        for line in shortened(outcome.already, verbosity):
            click.echo(line)
    if dry_run:
        diff = changeset.unified_diff(outcome.changes.changes)
        click.echo(changeset.colour(diff) if colour else diff, nl=False)
        if verbosity > QUIET:
            _print_report(outcome.changes.report, colour, "Would", verbosity)
        return
    say = progress.say if verbosity > QUIET else (lambda line: None)
    with _errors(), progress:
        sink.write(outcome, options, say=say, progress=progress)
    if verbosity > QUIET:
        _print_report(outcome.changes.report, colour, "", verbosity)
        click.echo(f"{len(outcome.changes.changes)} files written.")
        for line in next_steps(outcome, options):
            click.echo(line)


def _finish_json(outcome: Outcome, dry_run: bool, options: WriteOptions) -> None:
    """--json: write (unless a dry run), then print the report as JSON on stdout, alone
    there so that a tool can read it; warnings stay on stderr."""
    if outcome.changes is not None and not dry_run:
        with _errors():
            sink.write(outcome, options, say=lambda line: click.echo(line, err=True))
    click.echo(json.dumps(run_json(outcome, dry_run), indent=2))


def run_json(outcome: Outcome, dry_run: bool) -> dict[str, Any]:
    """What a run did (or would do) for tools, in scan --json's style (snake_case keys,
    logical ids, paths relative to the project): the functions created with their action,
    folder and route, the report's lines per kind, the files and the next steps' facts."""
    report = outcome.changes.report if outcome.changes is not None else Report()
    routed = {r.logical_id: r for r in outcome.changes.routed} if outcome.changes is not None else {}
    created = []
    for plan in outcome.plans:
        for action in plan.actions:
            route = routed.get(action.logical_id)
            created.append({"key": action.key, "logical_id": action.logical_id, "folder": action.folder,
                            "extracted_from": plan.monolith.logical_id,
                            **({"actions": list(action.group)} if action.group else {}),
                            "route": route.route if route is not None else None,
                            "direct_invoke": route is not None and route.direct})
    changes = outcome.changes.changes if outcome.changes is not None else ()
    return {
        "dry_run": dry_run,
        "written": bool(changes) and not dry_run,
        "message": outcome.message,
        "already": list(outcome.already),
        "retired": [plan.monolith.logical_id for plan in outcome.plans if plan.retire],
        "created": created,
        **{kind: list(lines) for kind, lines in report.sections() if kind != "created"},
        "files": [{"path": change.path,
                   "change": "added" if change.old is None else "removed" if change.new is None else "modified"}
                  for change in changes],
    }


# A section of the summary longer than LONG lines shows its first SHOWN by default (never
# "... and 1 more": a line saying so would be as long as the line it hides).
SHOWN = 5
LONG = 8

_TITLES = {
    "created": ("Created", "create"),
    "narrowed": ("Narrowed to what the code uses", "narrow to what the code uses"),
    "changed": ("Changed", "change"),
    "removed": ("Removed", "remove"),
    "manual": ("To do by hand", "need doing by hand"),
}


def shortened(lines: Sequence[str], verbosity: int, *, always: bool = False) -> list[str]:
    """``lines`` as the default output shows them: the first few of a long list and how many
    more there are; all of them with -v, or when they are ``always`` worth reading."""
    if verbosity >= VERBOSE or always or len(lines) <= LONG:
        return list(lines)
    return [*lines[:SHOWN], f"... and {len(lines) - SHOWN} more (-v to list all)"]


def report_lines(report: Report, heading: str, verbosity: int) -> list[tuple[str, bool]]:
    """The summary of a run as (text, is_title) lines: a title with its count per kind of
    change, then its lines (shortened unless -v; what needs doing by hand always in full).
    ``heading`` is "Would" for a dry run, "" for a real one."""
    said: list[tuple[str, bool]] = []
    for kind, lines in report.sections():
        if not lines:
            continue
        done, planned = _TITLES[kind]
        said.append((f"{heading} {planned} ({len(lines)}):" if heading else f"{done} ({len(lines)}):", True))
        for line in shortened(lines, verbosity, always=kind == "manual"):
            said.append((f"  {line}" if line.startswith("... and ") else f"  - {line}", False))
    return said


def _print_report(report: Report, colour: bool, heading: str, verbosity: int) -> None:
    out = sys.stderr if heading else sys.stdout
    for text, is_title in report_lines(report, heading, verbosity):
        click.echo(click.style(text, bold=True) if colour and is_title else text, file=out)


@main.command()
@click.option("-C", "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The SAM application folder (default: the current one).")
@click.option("-t", "--template", type=click.Path(path_type=Path), default=None,
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
@_code_option
def verify(project_dir, template, before_ref, event_paths, ignored, as_json, no_color, code) -> None:
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
        done = run_verify(project_dir or Path.cwd(), template, before_ref, event_paths, (*settings_ignore, *ignored),
                          code_dirs(code))
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


# The scan of a function with more than SCAN_LONG actions shows the first SCAN_SHOWN (and
# every refused one) in full by default, then counts the rest.
SCAN_SHOWN = 10
SCAN_LONG = 15


def migrate_refusal(result: FunctionScan) -> str | None:
    """Why ``strangler migrate`` would refuse this function, before anyone runs it: an
    action that cannot be routed stops the whole run (migrate is all or nothing)."""
    refused = [action for action in result.actions if action.refusal is not None]
    if not refused:
        return None
    first = refused[0]
    more = f" (and {len(refused) - 1} more action{'s' if len(refused) > 2 else ''})" if len(refused) > 1 else ""
    return f"migrate would be refused: {first.key!r} cannot be routed{more}: {first.refusal}"


def _scan_headline(result: FunctionScan) -> str:
    refused = sum(1 for action in result.actions if action.refusal is not None)
    direct = sum(1 for action in result.actions if action.refusal is None and action.route.startswith("direct invoke"))
    parts = [f"{len(result.actions)} action{'' if len(result.actions) == 1 else 's'} to extract"]
    if result.extracted:
        parts.append(f"{len(result.extracted)} extracted")
    if direct:
        parts.append(f"{direct} invoked directly")
    parts.append(f"{refused} refused" if refused else "none refused")
    return ", ".join(parts)


def _print_scan(result: FunctionScan, colour: bool, verbosity: int = SHORT) -> None:
    bold = (lambda t: click.style(t, bold=True)) if colour else (lambda t: t)
    dim = (lambda t: click.style(t, dim=True)) if colour else (lambda t: t)
    refusal = migrate_refusal(result)
    if verbosity == QUIET:
        click.echo(f"{bold(result.logical_id)}  {_scan_headline(result)}")
        if refusal:
            click.echo(f"  {refusal}")
        return
    click.echo(bold(result.logical_id) + f"  Handler {result.handler}")
    click.echo(f"  dispatch  {result.shape} {result.table} at {result.module}:{result.line}, key read from event {result.event_path}")
    if result.code is not None and result.code.deployed_from:
        click.echo(f"  code      deployed from {result.code.deployed_from}, read from {result.code.folder}/ as --code says: "
                   "after a split, build that folder and upload it there")
    extracted = [f"  extracted {key} -> {function}" for key, function in result.extracted]
    for line in shortened(extracted, verbosity):
        click.echo(line if line.startswith("  ") else f"  {line}")
    if not result.actions:
        click.echo("  no action left in the table")
    long = verbosity < VERBOSE and len(result.actions) > SCAN_LONG
    shown = [a for i, a in enumerate(result.actions) if not long or i < SCAN_SHOWN or a.refusal is not None]
    for action in shown:
        click.echo()
        click.echo("  " + bold(action.key) + dim(f"  {action.handler} ({action.module or result.module}:{action.line})"))
        route = action.route if action.refusal is None else f"REFUSED: {action.refusal}"
        rows = [
            ("route", route),
            *(("note", note) for note in action.notes),
            ("code", ", ".join(action.needs.symbols)),
            ("imports", ", ".join(action.needs.imports)),
            ("modules", ", ".join(action.needs.local_modules)),
            ("env", ", ".join(action.needs.env_vars)),
        ]
        rows += _gain_rows(action.gain)
        for label, value in rows:
            if value:
                click.echo(f"    {label:<9}{value}")
    if long:
        rest = [a for a in result.actions if a not in shown]
        direct = sum(1 for a in rest if a.route.startswith("direct invoke"))
        how = f"{len(rest) - direct} routed at their event source" + (f", {direct} invoked directly" if direct else "")
        click.echo()
        click.echo(f"  ... and {len(rest)} more actions, {how} (-v to list all): "
                   + ", ".join(a.key for a in rest[:SHOWN]) + (", ..." if len(rest) > SHOWN else ""))
    click.echo()
    click.echo(f"  {_scan_headline(result)}")
    if refusal:
        click.echo(f"  {refusal}")
    click.echo()


# --- check ------------------------------------------------------------------------------
@main.command()
@click.argument("paths", nargs=-1, type=click.Path(file_okay=False, path_type=Path), metavar="[PATHS]...")
@click.option("-C", "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The SAM application folder (default: the current one); the same as one PATH.")
@click.option("-t", "--template", type=click.Path(path_type=Path), default=None,
              help="The template, when the folder has several; relative to the application folder.")
@click.option("--select", "select", multiple=True, metavar="CODES",
              help="Only these rule codes or prefixes (STR1, STR101, ALL); comma-separated or repeated.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
              help="json: a list of findings; sarif: SARIF 2.1.0 for code scanning in CI.")
@click.option("--fix", is_flag=True, help="Fix what can be fixed safely, as one change (written all or nothing).")
@click.option("--dry-run", is_flag=True, help="With --fix: print the change as a unified diff and write nothing.")
@click.option("--allow-dirty", is_flag=True, help="With --fix: write even if files it touches have uncommitted changes.")
@_verbosity_options
@click.option("--no-color", is_flag=True, default=False, help="No colour (also off when NO_COLOR is set or output is not a terminal).")
def check(paths, project_dir, template, select, fmt, fix, dry_run, allow_dirty, verbose, quiet, no_color) -> None:
    """Find the Lambda pitfalls in the application(s) at PATHS (default: the current folder).

    \b
    STR100  a monolith: one handler dispatching many actions (strangler scan tells how to split it)
    STR101  a Lambda waits for another Lambda and ignores its answer (fixable: a queue between them)
    STR102  a Lambda waits for another Lambda and uses its answer (advice: Step Functions)
    STR2xx  a handler behind an at-least-once source that writes without a guard

    Exit 0 when nothing is found, 1 when something is (after --fix: when something remains).
    """
    from strangler.check import output
    from strangler.check.command import (
        CheckOptions,
        every_info,
        merged_report,
        selected_codes,
        under,
    )
    from strangler.check.command import check as run_check

    if dry_run and not fix:
        raise click.UsageError("--dry-run shows what --fix would change: use --fix --dry-run")
    if project_dir is not None and paths:
        raise click.UsageError("-C and PATHS both name the application: give one of them")
    verbosity = _verbosity(verbose, quiet)
    options = CheckOptions(tuple(select), fix, dry_run, allow_dirty)
    say = (lambda line: click.echo(line, err=True)) if verbosity > QUIET else (lambda line: None)
    folders = [(project_dir or Path.cwd(), "")] if not paths else [(path, path.as_posix()) for path in paths]
    with _errors():
        infos = every_info()
        chosen = [info for info in infos if info.code in selected_codes(options.select, infos)]
        results = [(prefix, run_check(folder, template, options, say)) for folder, prefix in folders]
    for prefix, result in results:
        for path in result.unread:
            _say_error(f"strangler: warning: {prefix + '/' if prefix else ''}{path} cannot be read or parsed: not checked")
    found = [f for prefix, result in results for f in under(prefix, result.found)]
    remaining = [f for prefix, result in results for f in under(prefix, result.remaining)]
    if fmt == "json":
        click.echo(json.dumps(output.as_json(remaining, chosen), indent=2))
    elif fmt == "sarif":
        click.echo(json.dumps(output.as_sarif(remaining, chosen), indent=2))
    colour = _colour(no_color)
    if fix and dry_run:
        diff = changeset.unified_diff([c for _, r in results if r.changes is not None for c in r.changes.changes])
        click.echo(changeset.colour(diff) if colour and fmt == "text" else diff, nl=False, err=fmt != "text")
    if fmt == "text":
        # A dry run's stdout is the diff alone (a patch to apply); what would remain goes to stderr.
        aside = fix and dry_run
        for line in output.text_lines(remaining, quiet=verbosity == QUIET, style=_check_style if colour else None):
            click.echo(line, err=aside)
        if fix and verbosity > QUIET:
            _print_report(merged_report(r for _, r in results), colour, "Would" if dry_run else "", verbosity)
        if verbosity > QUIET or remaining:
            fixed = sum(r.fixed for _, r in results) if fix else None
            click.echo(output.summary(len(found), remaining, fixed), err=aside)
    # A module that could not be checked is not a pass (as a linter fails on a syntax error).
    sys.exit(1 if remaining or any(result.unread for _, result in results) else 0)


def _check_style(kind: str, text: str) -> str:
    colours = {"where": {"bold": True}, "code": {"fg": "red", "bold": True}, "fix": {"fg": "green"},
               "advice": {"fg": "yellow"}}
    return click.style(text, **colours.get(kind, {}))
