"""What the commands print: short by default on a large app, complete with -v, silent with
-q; progress only on a terminal; the next steps after a real run; the conventions (did
you mean, -t, scan foretelling a refused migrate).

The snapshots in tests/e2e/snapshots/output/ are the spec of the output on a generated app
of SIZE actions; after a deliberate change, rewrite them with
``STRANGLER_REGENERATE=1 python3 -m pytest tests/e2e/test_output.py`` and read the diff."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from benchmarks.generate import generate
from strangler.apply.sink import CHECKING, COMMITTING
from strangler.cli import main
from strangler.errors import did_you_mean
from strangler.pipeline import ANALYSING
from strangler.render.render import ASSEMBLING, RENDERING
from tests.support.apps import copy_app, snapshot
from tests.support.hostile import edit, repository
from tests.unit.test_progress import open_escapes

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).parent / "snapshots" / "output"
SIZE = 60
ESCAPE = "\x1b"


def run(app: Path, *args: str) -> Result:
    command, *rest = args
    return CliRunner().invoke(main, [command, "-C", str(app), "--no-color", *rest], catch_exceptions=False)


def matches_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("STRANGLER_REGENERATE"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no snapshot {path.name}: write it with STRANGLER_REGENERATE=1 and review it"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated monolith of SIZE actions, never written to (dry runs and scans only)."""
    return generate(tmp_path_factory.mktemp("large") / "app", SIZE, seed=0)


# --- summary size: migrate ------------------------------------------------------------------
def test_a_dry_run_summary_is_short_by_default(large: Path) -> None:
    result = run(large, "migrate", "--dry-run")
    assert result.exit_code == 0, result.output
    matches_snapshot("migrate-dry-run-short", result.stderr)
    assert len(result.stderr.splitlines()) < 25  # 60 functions: not 240 lines
    assert "Would create (60):" in result.stderr and "... and 55 more (-v to list all)" in result.stderr
    assert result.stdout.startswith("diff --git")  # the diff, asked for, is complete


def test_a_dry_run_summary_is_complete_with_verbose(large: Path) -> None:
    short, verbose = run(large, "migrate", "--dry-run"), run(large, "migrate", "--dry-run", "-v")
    matches_snapshot("migrate-dry-run-verbose", verbose.stderr)
    assert "more (-v to list all)" not in verbose.stderr
    assert sum(line.startswith("  - ") and "for '" in line for line in verbose.stderr.splitlines()) == SIZE
    assert verbose.stdout == short.stdout


def test_a_quiet_dry_run_prints_the_diff_and_nothing_else(large: Path) -> None:
    quiet, short = run(large, "migrate", "--dry-run", "-q"), run(large, "migrate", "--dry-run")
    assert quiet.exit_code == 0
    assert quiet.stderr == ""
    assert quiet.stdout == short.stdout


def test_verbose_and_quiet_together_are_a_usage_error(large: Path) -> None:
    result = CliRunner().invoke(main, ["migrate", "-C", str(large), "--dry-run", "-v", "-q"])
    assert result.exit_code == 2
    assert "-v/--verbose and -q/--quiet" in result.output


def test_a_real_run_short_quiet_and_its_next_steps(tmp_path: Path) -> None:
    short_app = generate(tmp_path / "short", SIZE, seed=0)
    result = run(short_app, "migrate")
    assert result.exit_code == 0, result.output
    matches_snapshot("migrate-short", result.stdout)
    assert "Next steps:" in result.stdout
    quiet_app = generate(tmp_path / "quiet", SIZE, seed=0)
    quiet = run(quiet_app, "migrate", "-q")
    assert quiet.exit_code == 0
    assert (quiet.stdout, quiet.stderr) == ("", "")
    assert snapshot(quiet_app) == snapshot(short_app)  # -q changes what is said, not what is done


def test_what_needs_doing_by_hand_is_never_shortened(tmp_path: Path) -> None:
    """Billing's extract has four lines to do by hand; a long list would be kept whole too."""
    from strangler.cli import SHORT, shortened

    lines = [f"line {n}" for n in range(40)]
    assert shortened(lines, SHORT, always=True) == lines
    assert shortened(lines, SHORT) == [*lines[:5], "... and 35 more (-v to list all)"]
    assert shortened(lines[:8], SHORT) == lines[:8]  # never "... and 1 more"
    app = copy_app("direct-invoke-billing", tmp_path / "billing")
    result = run(app, "extract", "refund", "--dry-run")
    assert "Would need doing by hand (4):" in result.stderr


# --- summary size: scan ---------------------------------------------------------------------
def test_scan_is_short_by_default_complete_with_verbose_one_line_with_quiet(large: Path) -> None:
    short, verbose, quiet = run(large, "scan"), run(large, "scan", "-v"), run(large, "scan", "-q")
    matches_snapshot("scan-short", short.stdout)
    matches_snapshot("scan-quiet", quiet.stdout)
    assert len(short.stdout.splitlines()) < 150 < len(verbose.stdout.splitlines())
    assert "... and 50 more actions, 50 routed at their event source (-v to list all)" in short.stdout
    # -v is the scan as it always was: every action, in the table's order.
    assert len(re.findall(r"^    route ", verbose.stdout, re.MULTILINE)) == SIZE
    assert quiet.stdout == "MonolithFunction  60 actions to extract, none refused\n"


# --- progress -------------------------------------------------------------------------------
def test_no_progress_and_no_escape_codes_when_not_on_a_terminal(large: Path) -> None:
    for args in (("migrate", "--dry-run"), ("scan",)):
        result = run(large, *args)
        assert ESCAPE not in result.output
        assert "Rendering" not in result.output and "Analysing" not in result.output


def _on_a_terminal(app: Path, *args: str, signal_at: str | None = None,
                   interrupt_on: str | None = None, stdout_too: bool = False) -> tuple[int, str, str]:
    """Run strangler with stderr on a pseudo-terminal and stdout in a file (not a terminal
    either: the diff must come out plain), or on the terminal too with ``stdout_too``.
    ``signal_at`` arms the test hook of a real process (tests/support/signalhook);
    ``interrupt_on`` sends SIGINT as soon as the terminal shows that text."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests" / "support" / "signalhook")]),
           "COLUMNS": "100"}
    if signal_at:
        env["STRANGLER_TEST_SIGNAL_AT"] = signal_at
    out = app.parent / "stdout.txt"
    with out.open("wb") as stdout_file:
        process = subprocess.Popen([sys.executable, "-m", "strangler", *args, "-C", str(app)], cwd=ROOT, env=env,
                                   stdout=follower if stdout_too else stdout_file, stderr=follower,
                                   stdin=subprocess.DEVNULL)
    os.close(follower)
    said = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        said += chunk
        if interrupt_on and interrupt_on.encode() in said:
            process.send_signal(signal.SIGINT)
            interrupt_on = None
    process.wait(timeout=120)
    stdout = out.read_text(encoding="utf-8")
    os.close(leader)
    return process.returncode, stdout, said.decode(errors="replace")


def test_progress_on_a_terminal_never_says_extracted_in_a_dry_run(tmp_path: Path) -> None:
    app = generate(tmp_path / "app", 12, seed=0)
    code, stdout, terminal = _on_a_terminal(app, "migrate", "--dry-run")
    assert code == 0, terminal
    assert "Analysing the application" in terminal and "Slicing and rendering" in terminal and "13/13" in terminal
    assert "xtracted" not in terminal
    assert ESCAPE not in stdout  # the diff goes to a pipe: plain
    # Every line the bar drew ends with the cursor back on: nothing left switched off.
    assert terminal.rstrip().endswith("Would remove (5):\r\n  - Output MonolithFunctionArn (it pointed at MonolithFunction "
                                      "or what was removed with it)\r\n  - MonolithFunction (the monolith) from the "
                                      "template\r\n  - src/app.py\r\n  - src/requirements.txt\r\n  - src/shared.py")


def test_progress_on_a_terminal_shows_every_phase_of_a_real_run(tmp_path: Path) -> None:

    app = generate(tmp_path / "app", 12, seed=0)
    repository(app)
    code, _, terminal = _on_a_terminal(app, "migrate", "--commit", stdout_too=True)
    assert code == 0, terminal
    shown = [terminal.find(phase) for phase in (ANALYSING, RENDERING, ASSEMBLING, CHECKING, COMMITTING)]
    assert -1 not in shown and shown == sorted(shown), terminal  # every phase, in the order they run
    assert "13/13  retirement of MonolithFunction" in terminal
    assert "13/13  Retire MonolithFunction: every action has its own function" in terminal
    assert open_escapes(terminal) == []  # the bars, and the summary's bold titles on the same terminal


def test_scan_progress_on_a_terminal(tmp_path: Path) -> None:
    app = generate(tmp_path / "app", 12, seed=0)
    code, stdout, terminal = _on_a_terminal(app, "scan")
    assert code == 0, terminal
    assert terminal.index(ANALYSING) < terminal.index("Scanning MonolithFunction") < terminal.index("12/12")
    assert ESCAPE not in stdout and "Scanning" not in stdout  # the scan itself, plain, in the file
    _, _, quiet = _on_a_terminal(app, "scan", "-q")
    _, _, as_json = _on_a_terminal(app, "scan", "--json")
    assert ANALYSING not in quiet and ANALYSING not in as_json


def test_no_progress_from_a_real_run_on_a_pipe(tmp_path: Path) -> None:
    result = run(generate(tmp_path / "app", 12, seed=0), "migrate")
    assert result.exit_code == 0, result.output
    assert ESCAPE not in result.output and ANALYSING not in result.output and CHECKING not in result.output


@pytest.mark.parametrize("how", ["while-rendering", "while-writing", "while-committing", "while-scanning"])
def test_ctrl_c_on_a_terminal_ends_the_bar_and_says_one_line(tmp_path: Path, how: str) -> None:
    app = generate(tmp_path / "app", SIZE, seed=0)
    if how == "while-committing":
        import git

        repo = git.Repo.init(app)
        with repo.config_writer() as config:
            config.set_value("user", "name", "Test")
            config.set_value("user", "email", "test@example.com")
        repo.git.add(A=True)
        repo.index.commit("the monolith")
    before = snapshot(app)
    if how == "while-rendering":
        code, _, terminal = _on_a_terminal(app, "migrate", interrupt_on="Slicing and rendering  [")
    elif how == "while-writing":
        code, _, terminal = _on_a_terminal(app, "migrate", signal_at="locked@SIGINT")
        assert "Checking that the code compiles" in terminal
    elif how == "while-committing":
        code, _, terminal = _on_a_terminal(app, "migrate", "--commit", signal_at="commit 2 after@SIGINT")
        assert "Committing  [" in terminal
    else:
        code, _, terminal = _on_a_terminal(app, "scan", interrupt_on="Scanning MonolithFunction  [")
    assert code == 130, terminal
    assert "Traceback" not in terminal
    assert terminal.endswith("\nstrangler: interrupted; nothing was changed\r\n")  # a line of its own, the last
    assert terminal.count("\x1b[?25l") and terminal.rfind("\x1b[?25h") > terminal.rfind("\x1b[?25l")  # cursor back
    assert snapshot(app) == before


# --- next steps -----------------------------------------------------------------------------
def test_next_steps_after_a_real_run_only(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "orders")
    assert "Next steps" not in run(app, "extract", "OrderShipped", "--dry-run").output
    result = run(app, "extract", "OrderShipped")
    steps = result.stdout[result.stdout.index("Next steps:"):]
    for said in ("strangler verify", "sam validate --lint", "sam build && sam deploy", "not in a git repository"):
        assert said in steps
    assert "Deploy order" not in steps  # nothing is invoked directly


def test_next_steps_tell_the_deploy_order_for_direct_invoke_callers(tmp_path: Path) -> None:
    app = copy_app("direct-invoke-billing", tmp_path / "billing")
    extract = run(app, "extract", "refund")
    assert "Deploy order: 1 action is invoked directly" in extract.stdout
    assert "the monolith keeps serving" in extract.stdout
    migrate = run(copy_app("direct-invoke-billing", tmp_path / "kept"), "migrate", "--keep-monolith")
    assert "Deploy order: 4 actions are invoked directly" in migrate.stdout


def test_next_steps_in_git_review_the_diff_or_the_commits(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "orders")
    repo = repository(app)
    assert "git diff" in run(app, "extract", "OrderShipped").stdout
    repo.git.add(A=True)
    repo.index.commit("OrderShipped")
    assert "git log -p -2" in run(app, "extract", "PaymentFailed", "OrderPlaced", "--commit").stdout


# --- conventions ----------------------------------------------------------------------------
def test_did_you_mean() -> None:
    keys = ["OrderPlaced", "OrderShipped", "PaymentFailed"]
    assert did_you_mean("orderplaced", keys) == "did you mean 'OrderPlaced'?"
    assert did_you_mean("OrderShiped", keys) == "did you mean 'OrderShipped'?"
    assert did_you_mean("Refund", keys) is None


def test_an_unknown_action_suggests_the_close_ones(tmp_path: Path) -> None:
    app = copy_app("direct-invoke-billing", tmp_path / "billing")
    for typed in ("Refund", "refnd"):
        result = run(app, "extract", typed)
        assert result.exit_code == 1
        assert f"unknown action {typed!r}" in result.output and "hint: did you mean 'refund'?" in result.output
    assert "did you mean" not in run(app, "extract", "zzz").output
    result = run(app, "extract", "Refund", "--function", "BillingFunction")
    assert "the actions of BillingFunction are" in result.output and "did you mean 'refund'?" in result.output
    assert not (app / "functions").exists()


def test_an_unknown_function_or_template_suggests_the_close_ones(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "orders")
    for typed in ("ordersfunction", "OrdersFuncton"):
        result = run(app, "extract", "OrderShipped", "--function", typed)
        assert result.exit_code == 1 and "hint: did you mean 'OrdersFunction'?" in result.output
    for typed in ("templat.yaml", "Template.yaml"):
        result = run(app, "scan", "-t", typed)
        assert result.exit_code == 1 and "hint: did you mean 'template.yaml'?" in result.output
    assert "did you mean" not in run(app, "scan", "-t", "stack.yaml").output
    assert not (app / "functions").exists()


@pytest.mark.parametrize("command", ["scan", "extract", "migrate", "verify"])
def test_t_is_short_for_template_on_every_command(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert re.search(r"-t, --template", result.output), result.output


def test_t_chooses_the_template(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "orders")
    (app / "template.yaml").rename(app / "stack.yaml")
    result = run(app, "scan", "-t", "stack.yaml", "-q")
    assert result.exit_code == 0, result.output
    extract = run(app, "extract", "OrderShipped", "-t", "stack.yaml")
    assert extract.exit_code == 0, extract.output
    assert "sam validate --lint -t stack.yaml" in extract.stdout  # the next steps name it too


def test_scan_says_migrate_would_be_refused_and_why(tmp_path: Path) -> None:
    app = copy_app("standalone-rule-payments", tmp_path / "payments")
    edit(app / "template.yaml", "      RouteKey: GET /health", "      RouteKey: $default")
    scanned = run(app, "scan")
    (line,) = [line for line in scanned.stdout.splitlines() if "migrate would be refused" in line]
    assert "'GET /health' cannot be routed" in line and "AdminIntegration" in line
    assert "migrate would be refused" in run(app, "scan", "-q").stdout
    migrated = run(app, "migrate")
    assert migrated.exit_code == 1 and "AdminIntegration" in migrated.output
    assert "migrate would be refused" not in run(copy_app("eventbridge-orders", tmp_path / "orders"), "scan").stdout


# --- machine-readable results ---------------------------------------------------------------
SCHEMA = ROOT / "strangler" / "schemas" / "run.schema.json"


def _valid(document: dict) -> dict:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))
    return document


def test_json_of_a_dry_run_says_what_would_be_done_and_nothing_else(large: Path) -> None:
    result = run(large, "migrate", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    document = _valid(json.loads(result.stdout))  # stdout is the JSON alone: no diff, no summary
    assert result.stderr == ""
    assert document["dry_run"] is True and document["written"] is False
    assert len(document["created"]) == SIZE and document["retired"] == ["MonolithFunction"]
    first = document["created"][0]
    assert first == {"key": "OrderReopened", "logical_id": "OrderReopenedFunction", "folder": "functions/order_reopened",
                     "extracted_from": "MonolithFunction", "route": "EventBridgeRule event CoreEvents",
                     "direct_invoke": False}
    short = run(large, "migrate", "--dry-run", "-v")
    for kind in ("narrowed", "removed"):  # the same lines as the complete text summary
        assert all(f"  - {line}" in short.stderr for line in document[kind])
    assert {f["path"] for f in document["files"]} >= {"template.yaml", "src/app.py"}
    assert not (large / "functions").exists()


def test_json_of_a_real_run_and_of_a_rerun(tmp_path: Path) -> None:
    app = copy_app("direct-invoke-billing", tmp_path / "billing")
    done = run(app, "extract", "refund", "--json")
    document = _valid(json.loads(done.stdout))
    assert document["written"] is True and (app / "functions" / "refund" / "app.py").is_file()
    assert document["created"][0]["direct_invoke"] is True
    assert any("is invoked directly" in line for line in document["manual"])
    again = _valid(json.loads(run(app, "extract", "refund", "--json").stdout))
    assert again["written"] is False and again["created"] == [] and "already extracted" in again["message"]


def test_json_keys_are_in_the_style_of_scan_json(large: Path) -> None:
    scanned = json.loads(run(large, "scan", "--json").stdout)
    ran = json.loads(run(large, "migrate", "--dry-run", "--json").stdout)
    assert "logical_id" in scanned["functions"][0] and "logical_id" in ran["created"][0]
    assert {a["key"] for a in scanned["functions"][0]["actions"]} == {c["key"] for c in ran["created"]}


def test_scan_says_a_function_it_cannot_read_stops_a_migrate_of_the_template(tmp_path: Path) -> None:
    """migrate of the whole template is all or nothing: a monolith strangler cannot read
    refuses it, though the other one scans (and extracts) fine."""
    app = copy_app("multi-api-shop", tmp_path / "shop")
    edit(app / "orders/app.py", "    elif route_key == \"POST /orders\":\n", "    elif route_key == \"POST /orders\"\n")
    scanned = run(app, "scan").stdout
    assert "OrdersFunction  not split: refused:" in scanned
    assert "  migrate of the whole template would be refused: OrdersFunction cannot be split" in scanned
    migrated = run(app, "migrate")
    assert migrated.exit_code == 1 and "orders/app.py:" in migrated.output


@pytest.mark.parametrize("case", ["sam-s3-uri", "cfn-s3"])
def test_scan_says_where_code_that_is_not_local_is_deployed_from(tmp_path: Path, case: str) -> None:
    from tests.e2e.test_code_elsewhere import CASES, s3_app

    elsewhere = CASES[case]
    app = s3_app(elsewhere, tmp_path)
    location = "s3://" + re.search(r"(\w+-artifacts-\d+)", elsewhere.written).group(1) + "/" + re.search(
        r"(\w+/v\d+\.zip)", elsewhere.written).group(1)
    scanned = json.loads(run(app, "scan", "--json", "--code", elsewhere.option).stdout)
    (function,) = scanned["functions"]
    assert function["code"] == {"folder": elsewhere.folder, "deployed_from": location}
    text = run(app, "scan", "--code", elsewhere.option).stdout
    (line,) = [line for line in text.splitlines() if line.startswith("  code  ")]
    assert line == (f"  code      deployed from {location}, read from {elsewhere.folder}/ as --code says: "
                    "after a split, build that folder and upload it there")
    local = json.loads(run(copy_app(elsewhere.fixture, tmp_path / "local"), "scan", "--json").stdout)
    assert local["functions"][0]["code"] == {"folder": "src", "deployed_from": None}
    assert not any(line.startswith("  code  ") for line in run(tmp_path / "local", "scan").stdout.splitlines())


def _deepest_parentheses(line: str) -> int:
    depth = deepest = 0
    for char in line:
        depth += (char == "(") - (char == ")")
        deepest = max(deepest, depth)
    return deepest


# Apps whose routes carry notes (resources outside Events, events moved whole, filters,
# direct invokes): the notes used to be parenthesised inside the route, and nest.
NOTED_APPS = ("appsync-blog", "cfn-rest-inventory", "cognito-triggers", "direct-invoke-billing",
              "dynamodb-mapping-orders", "multi-source-orders", "openapi-pets", "scheduled-jobs",
              "standalone-rule-payments", "match-inventory")


@pytest.mark.parametrize("app", NOTED_APPS)
def test_messages_say_one_thing_each_no_nested_parentheses(app: str) -> None:
    before = ROOT / "fixtures" / app / "before"
    scanned = run(before, "scan", "-v")
    assert scanned.exit_code == 0, scanned.output
    assert [line for line in scanned.stdout.splitlines() if _deepest_parentheses(line) > 1] == []
    assert re.search(r"^    note     \S", scanned.stdout, re.MULTILINE)  # the notes are there, a row each
    report = run(before, "migrate", "--keep-monolith", "--dry-run", "-v").stderr
    assert [line for line in report.splitlines() if _deepest_parentheses(line) > 1] == []


def test_scan_json_lists_a_route_s_notes_apart_from_it() -> None:
    scanned = json.loads(run(ROOT / "fixtures" / "direct-invoke-billing" / "before", "scan", "--json").stdout)
    action = scanned["functions"][0]["actions"][0]
    assert action["route"] == "direct invoke"
    assert action["notes"] and action["notes"][0].startswith("no event source: callers invoke the function directly")


# Apps whose routes narrow the monolith's own event (a rule that now excludes the key, a
# route added beside ANY or in front of a catch-all): migrate retires that event with it.
NARROWING_APPS = {"nested-fulfilment": "shop.orders/OrderPlaced", "rest-method-orders": "GET",
                  "powertools-tickets": "GET /tickets", "powertools-routers-library": "GET /health",
                  "table-of-tables-security": None}


@pytest.mark.parametrize("app", NARROWING_APPS)
def test_nothing_is_reported_about_a_function_the_same_run_removes(app: str, tmp_path: Path) -> None:
    before = ROOT / "fixtures" / app / "before"
    migrated = json.loads(run(before, "migrate", "--dry-run", "--json").stdout)
    (monolith,) = migrated["retired"]
    said = [line for kind in ("narrowed", "changed", "manual") for line in migrated[kind]]
    assert [line for line in said if line.startswith(f"{monolith} ") or "the monolith's" in line] == []
    key = NARROWING_APPS[app] or json.loads(run(before, "scan", "--json").stdout)["functions"][0]["actions"][0]["key"]
    extracted = json.loads(run(before, "extract", key, "--dry-run", "--json").stdout)
    # An extract keeps the monolith: what becomes of its event is said.
    assert any(line.startswith(f"{monolith} event ") for line in extracted["changed"])


def test_a_commit_run_says_each_change_once(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "orders")
    repo = repository(app)
    result = run(app, "migrate", "--commit", "-v")
    assert result.exit_code == 0, result.output
    commits = [line for line in result.stderr.splitlines() if re.match(r"\[[0-9a-f]+\] ", line)]
    assert len(commits) == len(list(repo.iter_commits())) - 1 == 5  # four actions, then the retirement
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert [line for line in set(lines) if lines.count(line) > 1] == []  # no step's lines said again


@pytest.mark.parametrize("args", [("scan", "-v"), ("migrate", "--dry-run", "-v")])
def test_a_pipe_closed_mid_output_ends_quietly(large: Path, args: tuple[str, ...]) -> None:
    """``strangler scan -v | head -1``: the reader goes after the first line of a long output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "strangler", *args, "-C", str(large)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.run(["head", "-1"], stdin=process.stdout, capture_output=True, text=True, timeout=120, check=True)
    process.stdout.close()  # head alone holds the reading end: when it exits, the pipe is closed
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    assert head.stdout.startswith(("MonolithFunction", "diff --git"))
    # 141 when a write found the pipe closed; 0 when the pipe took the whole output before
    # head went (how much a pipe holds is the system's): quiet either way.
    assert process.returncode in (0, 141), stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr and "BrokenPipe" not in stderr
