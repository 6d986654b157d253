"""Faults leave nothing behind: a signal or an error at any phase of a write, a second
signal during the rollback, a real SIGINT/SIGTERM in a real process, a closed pipe, a
second run at the same time.

The phase sweep: a first run records every phase the writer goes through
(``strangler.interrupts.hook``); then, for each phase and each kind of fault, a run is
stopped there and must leave the tree and the repository exactly as before (files,
folders, HEAD, branches, index, status), exit 130/143/1 saying nothing was changed, and
a rerun must then give what an uninterrupted run gives. The sweep reuses one analysis
(the writer is what is under test); a few cases run the whole command afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import git
import pytest

from strangler import cli as cli_module
from strangler.apply import interrupts, lock
from strangler.pipeline import Outcome, run
from tests.support.apps import ROOT
from tests.support.hostile import TreeState, accepted, app_copy, cli

FIXTURE = "eventbridge-orders"
MODES = {
    "migrate": ("migrate",),
    "migrate-commit-branch": ("migrate", "--commit", "--branch", "strangle"),
    "extract-branch": ("extract", "OrderShipped", "PaymentFailed", "--branch", "strangle"),
}
# What each mode asks of the pipeline (pipeline.run's keys and flags).
PLANS = {
    "migrate": dict(keys=None, retire=True, steps=False),
    "migrate-commit-branch": dict(keys=None, retire=True, steps=True),
    "extract-branch": dict(keys=("OrderShipped", "PaymentFailed"), retire=False, steps=False),
}
KINDS = ("SIGINT", "SIGTERM", "OSError")
EXIT = {"SIGINT": 130, "SIGTERM": 143, "OSError": 1}


# --- recording and faults -----------------------------------------------------------------
def _phases_of(mode: str, tmp: Path) -> list[str]:
    """Every phase of an uninterrupted run, the n-th repetition of a name marked ``#n``."""
    app = app_copy(FIXTURE, tmp, git_repo=True)
    names: list[str] = []
    _with_hook(names.append, lambda: accepted(app, *MODES[mode]))
    seen: Counter[str] = Counter()
    marked = []
    for name in names:
        seen[name] += 1
        marked.append(f"{name}#{seen[name]}")
    # After "written" the change is complete: a signal there is another case (below).
    return marked[: marked.index("written#1")]


def _with_hook(hook: Callable[[str], None], body: Callable[[], object]) -> object:
    interrupts.hook = hook
    try:
        return body()
    finally:
        interrupts.hook = None


def _fault(kind: str) -> None:
    if kind == "OSError":
        raise OSError(28, "No space left on device")
    signal.raise_signal(getattr(signal, kind))


def _at(target: str, action: Callable[[], None]) -> Callable[[str], None]:
    """A hook doing ``action`` when the phase ``name#n`` comes."""
    name, _, nth = target.rpartition("#")
    seen: Counter[str] = Counter()

    def hook(phase: str) -> None:
        seen[phase] += 1
        if phase == name and seen[phase] == int(nth):
            action()

    return hook


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "swept" in metafunc.fixturenames:
        import tempfile

        cases = []
        with tempfile.TemporaryDirectory() as temp:
            for mode in MODES:
                for number, phase in enumerate(_phases_of(mode, Path(temp) / mode)):
                    # Every phase once, the kinds of fault in turn (all three at every
                    # phase would triple the time and find nothing the turn does not).
                    kind = KINDS[number % len(KINDS)]
                    cases.append(pytest.param((mode, phase, kind, number), id=f"{mode}:{phase}:{kind}"))
        metafunc.parametrize("swept", cases)


@dataclass
class Sweep:
    """One analysis per mode, reused for every faulty run, and what a clean run gives."""

    base: Path
    pristine: Path
    outcomes: dict[str, Outcome]
    reference: dict[str, tuple[dict[str, bytes], frozenset[str], list[str]]]

    def fresh_app(self) -> Path:
        app = self.base / FIXTURE
        if app.exists():
            shutil.rmtree(app)
        shutil.copytree(self.pristine, app, symlinks=True)  # the repository included
        return app

    def run(self, mode: str, monkeypatch: pytest.MonkeyPatch, app: Path):
        monkeypatch.setattr(cli_module, "run", lambda *args, **kwargs: self.outcomes[mode])
        return cli(app, *MODES[mode])


def _result_of(app: Path) -> tuple[dict[str, bytes], frozenset[str], list[str]]:
    state = TreeState.of(app)
    repo = git.Repo(app)
    return state.files, state.folders, [c.summary for c in repo.iter_commits(repo.head.commit)]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sweep]:
    base = tmp_path_factory.mktemp("sweep")
    outcomes, reference = {}, {}
    for mode, args in MODES.items():
        app = app_copy(FIXTURE, base / f"clean-{mode}", git_repo=True)
        accepted(app, *args)  # the whole command, analysis included
        reference[mode] = _result_of(app)
    pristine = app_copy(FIXTURE, base / "pristine", git_repo=True)
    sweep = Sweep(base, pristine, outcomes, reference)
    for mode, args in MODES.items():
        plan = PLANS[mode]
        outcomes[mode] = run(sweep.fresh_app(), None, None, plan["keys"], retire=plan["retire"], steps=plan["steps"])
    yield sweep


# --- the sweep ------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_fault_at_any_phase_leaves_everything_as_it_was(swept, sweep: Sweep, monkeypatch) -> None:
    mode, phase, kind, number = swept
    app = sweep.fresh_app()
    before = TreeState.of(app)
    result = _with_hook(_at(phase, lambda: _fault(kind)), lambda: sweep.run(mode, monkeypatch, app))
    assert result.exit_code == EXIT[kind], result.output
    assert "nothing was changed" in result.output
    after = TreeState.of(app)
    assert after.litter() == []
    assert after == before
    assert not (Path(git.Repo(app).git_dir) / lock.NAME_IN_GIT).exists()
    # The state is the one before the run, so a rerun is a first run; run one now and then
    # to see that nothing outside the tree (a lock, a ref) stops it.
    if number % 6:
        return
    again = sweep.run(mode, monkeypatch, app)
    assert again.exit_code == 0, again.output
    assert _result_of(app)[:2] == sweep.reference[mode][:2]
    assert _result_of(app)[2] == sweep.reference[mode][2]


def _undo_phases(mode: str, trigger: str, tmp: Path) -> list[str]:
    app = app_copy(FIXTURE, tmp, git_repo=True)
    names: list[str] = []

    def hook(phase: str) -> None:
        names.append(phase)
        if phase == trigger:
            raise KeyboardInterrupt

    _with_hook(hook, lambda: cli(app, *MODES[mode]))
    start = names.index(trigger)
    seen: Counter[str] = Counter()
    found = []
    for position, name in enumerate(names):
        seen[name] += 1
        if position > start and name.startswith("restore "):
            found.append(f"{name}#{seen[name]}")
    return found


UNDO_TRIGGERS = {"migrate": "swapped", "migrate-commit-branch": "commit 2 after", "extract-branch": "swapped"}


@pytest.mark.slow
@pytest.mark.parametrize("mode", list(MODES))
def test_a_second_signal_during_the_rollback_waits_for_it(mode: str, sweep: Sweep, tmp_path: Path, monkeypatch) -> None:
    """Interrupted at the last phase, then SIGINT and SIGTERM at every step of the undo."""
    undo = _undo_phases(mode, UNDO_TRIGGERS[mode], tmp_path / "record")
    assert len(undo) >= 5
    for step in undo:
        app = sweep.fresh_app()
        before = TreeState.of(app)
        first = _at(f"{UNDO_TRIGGERS[mode]}#1", lambda: _fault("SIGINT"))
        second = _at(step, lambda: (_fault("SIGTERM"), _fault("SIGINT")))

        def hook(phase: str) -> None:
            first(phase)
            second(phase)

        result = _with_hook(hook, lambda: sweep.run(mode, monkeypatch, app))
        assert result.exit_code in (130, 143), (step, result.output)
        assert "nothing was changed" in result.output
        assert TreeState.of(app) == before, step


# --- whole commands -------------------------------------------------------------------------
def test_an_interrupted_run_then_a_whole_rerun_gives_the_clean_result(tmp_path: Path) -> None:
    clean = app_copy(FIXTURE, tmp_path / "clean", git_repo=True)
    accepted(clean, "migrate", "--commit")
    app = app_copy(FIXTURE, tmp_path / "app", git_repo=True)
    before = TreeState.of(app)
    result = _with_hook(_at("commit 3 after#1", lambda: _fault("SIGINT")), lambda: cli(app, "migrate", "--commit"))
    assert result.exit_code == 130
    assert result.output.strip().endswith("strangler: interrupted; nothing was changed")
    assert TreeState.of(app) == before
    accepted(app, "migrate", "--commit")
    assert _result_of(app)[:2] == _result_of(clean)[:2]
    assert _result_of(app)[2] == _result_of(clean)[2]


def test_ctrl_c_during_the_analysis_exits_130_without_a_traceback(tmp_path: Path, monkeypatch) -> None:
    app = app_copy(FIXTURE, tmp_path, git_repo=True)
    before = TreeState.of(app)

    def interrupted(*args, **kwargs):
        signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(cli_module, "run", interrupted)
    result = cli(app, "migrate")
    assert result.exit_code == 130
    assert result.output == "strangler: interrupted; nothing was changed\n"
    assert TreeState.of(app) == before


def test_sigterm_during_a_scan_exits_143(tmp_path: Path, monkeypatch) -> None:
    app = app_copy(FIXTURE, tmp_path)
    monkeypatch.setattr(cli_module, "scan_function", lambda *a, **k: signal.raise_signal(signal.SIGTERM))
    result = cli(app, "scan")
    assert result.exit_code == 143
    assert "interrupted; nothing was changed" in result.output


def test_signal_handlers_are_given_back_after_a_run(tmp_path: Path) -> None:
    app = app_copy(FIXTURE, tmp_path)
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    accepted(app, "scan")
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


def test_a_signal_after_the_change_is_complete_says_so(tmp_path: Path) -> None:
    """Past the point of no return the run finishes; the exit status still tells of the signal."""
    clean = app_copy(FIXTURE, tmp_path / "clean", git_repo=True)
    accepted(clean, "migrate", "--commit")
    app = app_copy(FIXTURE, tmp_path / "app", git_repo=True)
    result = _with_hook(_at("written#1", lambda: _fault("SIGTERM")), lambda: cli(app, "migrate", "--commit"))
    assert result.exit_code == 143
    assert result.output.strip().splitlines()[-1] == "strangler: interrupted after the change was written in full"
    assert _result_of(app)[:2] == _result_of(clean)[:2]
    assert TreeState.of(app).litter() == []


def test_a_failure_outside_git_rolls_back_without_a_lock_left(tmp_path: Path) -> None:
    app = app_copy(FIXTURE, tmp_path)
    before = TreeState.of(app)
    result = _with_hook(_at("place template.yaml#1", lambda: _fault("OSError")), lambda: cli(app, "migrate"))
    assert result.exit_code == 1
    assert "No space left on device" in result.output and "nothing was changed" in result.output
    assert TreeState.of(app) == before  # includes no .strangler.lock beside the template


# --- a real process -------------------------------------------------------------------------
def _strangler_process(app: Path, *args: str, signal_at: str | None = None, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests" / "support" / "signalhook")])}
    if signal_at:
        env["STRANGLER_TEST_SIGNAL_AT"] = signal_at
    return subprocess.run([sys.executable, "-m", "strangler", *args, "-C", str(app)], cwd=ROOT, env=env,
                          stdout=stdout, stderr=subprocess.PIPE, timeout=120, check=False)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "phase", "name", "code"),
    [
        (("migrate",), "place functions/order_shipped/app.py", "SIGINT", 130),
        (("migrate", "--commit", "--branch", "strangle"), "commit 2 after", "SIGTERM", 143),
        (("extract", "OrderShipped"), "stage template.yaml", "SIGTERM", 143),
    ],
    ids=["migrate-SIGINT-mid-swap", "commit-SIGTERM-after-2nd-commit", "extract-SIGTERM-staging"],
)
def test_a_real_signal_to_a_real_process_leaves_the_tree_untouched(tmp_path: Path, args, phase, name, code) -> None:
    app = app_copy(FIXTURE, tmp_path, git_repo=True)
    before = TreeState.of(app)
    done = _strangler_process(app, *args, signal_at=f"{phase}@{name}")
    stderr = done.stderr.decode()
    assert done.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == "strangler: interrupted; nothing was changed"
    assert TreeState.of(app) == before


@pytest.mark.parametrize("args", [("scan",), ("migrate", "--dry-run"), ("scan", "--json")])
def test_a_closed_pipe_ends_quietly(tmp_path: Path, args) -> None:
    """``strangler scan | head -1``: the reader is gone before strangler writes."""
    app = app_copy("powertools-tickets", tmp_path)
    before = TreeState.of(app)
    read, write = os.pipe()
    os.close(read)
    try:
        done = _strangler_process(app, *args, stdout=write)
    finally:
        os.close(write)
    stderr = done.stderr.decode()
    assert done.returncode == 141, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr and "BrokenPipe" not in stderr
    assert TreeState.of(app) == before


# --- one run at a time ----------------------------------------------------------------------
def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_live_lock_refuses_naming_the_pid_and_the_file(tmp_path: Path) -> None:
    app = app_copy(FIXTURE, tmp_path, git_repo=True)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        where = Path(git.Repo(app).git_dir) / lock.NAME_IN_GIT
        where.write_text(f"{holder.pid} {__import__('socket').gethostname()}\n")
        before = TreeState.of(app)
        result = cli(app, "extract", "OrderShipped")
        assert result.exit_code == 1
        assert f"pid {holder.pid}" in result.output and str(where) in result.output
        assert TreeState.of(app) == before
        assert where.read_text().startswith(str(holder.pid))  # not ours to remove
    finally:
        holder.kill()
        holder.wait()


def test_a_stale_lock_of_a_dead_process_is_taken_over_and_removed(tmp_path: Path) -> None:
    app = app_copy(FIXTURE, tmp_path, git_repo=True)
    where = Path(git.Repo(app).git_dir) / lock.NAME_IN_GIT
    where.write_text(f"{_dead_pid()} {__import__('socket').gethostname()}\n")
    accepted(app, "extract", "OrderShipped", "--commit")
    assert (app / "functions" / "order_shipped" / "app.py").is_file()
    assert not where.exists()
    assert "strangler.lock" not in git.Repo(app).git.show("--stat", "HEAD")


def test_outside_git_the_lock_sits_beside_the_template_and_goes_away(tmp_path: Path) -> None:
    app = app_copy(FIXTURE, tmp_path)
    seen = []
    _with_hook(_at("swapped#1", lambda: seen.append((app / lock.NAME_IN_TREE).read_text())),
               lambda: accepted(app, "extract", "OrderShipped"))
    assert seen and seen[0].split()[0] == str(os.getpid())
    assert not (app / lock.NAME_IN_TREE).exists()


def test_a_live_lock_outside_git_refuses_too(tmp_path: Path) -> None:
    app = app_copy(FIXTURE, tmp_path)
    (app / lock.NAME_IN_TREE).write_text(f"{os.getppid()} {__import__('socket').gethostname()}\n")
    result = cli(app, "migrate")
    assert result.exit_code == 1
    assert f"pid {os.getppid()}" in result.output and lock.NAME_IN_TREE in result.output
    assert not (app / "functions").exists()


def test_dry_runs_and_scans_take_no_lock(tmp_path: Path) -> None:
    app = app_copy(FIXTURE, tmp_path, git_repo=True)
    holder = Path(git.Repo(app).git_dir) / lock.NAME_IN_GIT
    holder.write_text(f"{os.getppid()} {__import__('socket').gethostname()}\n")
    assert accepted(app, "scan").exit_code == 0
    assert "diff --git" in accepted(app, "migrate", "--dry-run").output


def test_two_runs_at_once_do_not_interleave(tmp_path: Path) -> None:
    """While one run writes (held at a phase), a second one on the same app is refused."""
    app = app_copy(FIXTURE, tmp_path, git_repo=True)
    second: list = []

    def meanwhile() -> None:
        done = _strangler_process(app, "extract", "PaymentFailed")
        second.append(done)

    _with_hook(_at("swapped#1", meanwhile), lambda: accepted(app, "extract", "OrderShipped", "--commit"))
    refused_run = second[0]
    assert refused_run.returncode == 1
    assert f"another strangler run (pid {os.getpid()})" in refused_run.stderr.decode()
    assert not (app / "functions" / "payment_failed").exists()
    assert (app / "functions" / "order_shipped" / "app.py").is_file()
    assert not git.Repo(app).is_dirty(untracked_files=True)
