"""Time strangler on generated monoliths of growing size, against a parse-and-scope floor.

    python -m benchmarks.run [--sizes 50,200,500,1000] [--shapes table,chain,...] [--repeat 3] [--budget SECONDS]
                             [--ops scan,migrate,extract,migrate-write,migrate-commit] [--traced] [--in-process] [--json FILE]
    python -m benchmarks.run --profile {floor,parse,scan,migrate,extract,migrate-write,migrate-commit} N [--shapes chain]
                             [--sort cumulative|tottime] [--top 25] [--save FILE]

``--shapes`` picks how the generated monolith dispatches (``benchmarks.generate``
``DISPATCH_SHAPES``: table, chain, sequence, match, nested, routes); every shape is measured
at every size, and each row of the table names its shape.

Every operation is called in-process through the functions the CLI calls (see
``strangler/cli.py``), so interpreter start-up and click are excluded:

* ``scan``: ``project.load`` + ``pipeline.dispatching`` + ``scan.scan_function`` per function.
* ``migrate --dry-run``: ``pipeline.run(..., keys=None, retire=True)`` (render, nothing
  written) + ``changeset.unified_diff`` of the result, the text the CLI prints.
* ``extract``: ``pipeline.run(..., keys=(one key,), retire=False)`` + ``changeset.apply`` to
  a fresh copy of the app (the copy is made before the clock starts), without git.
* ``migrate-write`` and ``migrate-commit`` (only when named in ``--ops``): ``strangler migrate``
  and ``strangler migrate --commit`` in a fresh git repository holding a copy of the app (made
  and committed before the clock starts): ``pipeline.run(..., steps=commit)`` + ``sink.write``,
  git's own work included. Printed in a table of their own.
* the floor: one ``libcst.parse_module`` of ``src/app.py`` and one
  ``MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)``, the least
  any analysis of that module has to do with LibCST's scope provider.
* ``parse only``: ``libcst.parse_module`` alone, a reference below the floor (strangler
  rewrites the module with LibCST, so it parses it at least once); printed in a table of
  its own under the main one.

Each figure is the best of ``--repeat`` runs (gc enabled, ``gc.collect()`` before each),
after a warm-up on a 5-action app so lazy imports are not timed.

Memory: by default every (size, operation) runs in a child interpreter of its own and
reports its peak RSS (``ru_maxrss``), so the figure is that operation's alone (plus the
~45 MB every such process has before it starts, reported as the baseline). tracemalloc is
not used for the timings: it slows libcst-heavy code 3-5x. ``--traced`` adds one untimed
run per operation under tracemalloc (peak of Python allocations). ``--in-process`` skips
the children; RSS is then the running maximum of the whole process.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import libcst
from libcst.metadata import MetadataWrapper, ScopeProvider

from benchmarks.generate import DISPATCH_SHAPES, generate, keys_of
from strangler import deep
from strangler.apply import changeset, sink
from strangler.load.project import load
from strangler.pipeline import dispatching, run
from strangler.plan.plan import DEFAULT_FUNCTIONS_DIR
from strangler.scan import scan_function

REPO = Path(__file__).resolve().parents[1]
OPERATIONS = ("floor", "parse", "scan", "migrate", "extract")
# Timed only when named in --ops: they write a git repository per run (seconds each at N=200).
WRITING = ("migrate-write", "migrate-commit")
LABELS = {"floor": "floor", "parse": "parse only", "scan": "scan", "migrate": "migrate --dry-run", "extract": "extract",
          "migrate-write": "migrate", "migrate-commit": "migrate --commit"}
DEFAULT_SIZES = (50, 200, 500, 1000)


# --- the operations, as the CLI runs them ------------------------------------------------
def op_floor(app: Path) -> Any:
    source = (app / "src" / "app.py").read_text(encoding="utf-8")

    def floor() -> Any:
        module = libcst.parse_module(source)
        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)

    # An elif chain is a tree as deep as it is long: LibCST recurses per level, as it does
    # under strangler, which runs it on a thread with room for that (``strangler.deep``).
    return lambda: deep.call(floor)


def op_parse(app: Path) -> Any:
    """A reference below the floor: ``libcst.parse_module`` alone (strangler needs at least that)."""
    source = (app / "src" / "app.py").read_text(encoding="utf-8")
    return lambda: deep.call(libcst.parse_module, source)


def op_scan(app: Path) -> Any:
    """``strangler scan -C app``."""
    def scan() -> list[Any]:
        project = load(app, None)
        return [scan_function(project, analysis) for analysis in dispatching(project, None)]

    return deep.call(scan)  # as the CLI's scan runs it


def op_migrate(app: Path) -> str:
    """``strangler migrate --dry-run -C app``: render, then the diff the CLI prints."""
    outcome = run(app, None, None, None, retire=True, functions_dir=DEFAULT_FUNCTIONS_DIR, steps=False)
    if outcome.message or outcome.changes is None:
        raise RuntimeError(f"migrate did nothing: {outcome.message}")
    return changeset.unified_diff(outcome.changes.changes)


def op_extract(app: Path, key: str) -> int:
    """``strangler extract KEY -C app`` outside git: render, then write the change."""
    outcome = run(app, None, None, (key,), retire=False, functions_dir=DEFAULT_FUNCTIONS_DIR, steps=False)
    if outcome.message or outcome.changes is None:
        raise RuntimeError(f"extract did nothing: {outcome.message}")
    changeset.apply(outcome.project.root, outcome.changes.changes)
    return len(outcome.changes.changes)


def op_migrate_write(app: Path, commit: bool) -> int:
    """``strangler migrate [--commit] -C app`` in a git repository: render (one step per
    action with ``commit``), then the sink writes the files, or one commit per step."""
    outcome = run(app, None, None, None, retire=True, functions_dir=DEFAULT_FUNCTIONS_DIR, steps=commit)
    if outcome.message or outcome.changes is None:
        raise RuntimeError(f"migrate did nothing: {outcome.message}")
    sink.write(outcome, sink.WriteOptions(commit=commit), say=lambda line: None)
    return len(outcome.steps)


def git_copy(source: Path, target: Path) -> Path:
    """``source`` copied to ``target`` as a git repository with one commit, an identity of
    its own and no signing, so that ``--commit`` can run there."""
    shutil.copytree(source, target)
    for command in (
        ["init", "--quiet"], ["config", "user.name", "Bench"], ["config", "user.email", "bench@example.com"],
        ["config", "commit.gpgsign", "false"], ["add", "--all"], ["commit", "--quiet", "-m", "before"],
    ):
        subprocess.run(["git", *command], cwd=target, check=True, capture_output=True)
    return target


# --- measuring ------------------------------------------------------------------------------
@dataclass
class Measurement:
    actions: int
    lines: int
    seconds: dict[str, float]  # best of the repeats, per operation
    runs: dict[str, int] = field(default_factory=dict)  # how many runs the best was taken from
    rss_mb: dict[str, float] = field(default_factory=dict)  # peak RSS of a process that ran only that operation
    traced_mb: dict[str, float] = field(default_factory=dict)  # tracemalloc peak, per operation (--traced)
    base_rss_mb: float | None = None  # RSS of such a process before its operation (interpreter, imports, warm-up)
    repeat: int = 1
    extract_key: str = ""
    shape: str = "table"

    def ratio(self, operation: str) -> float:
        return self.seconds[operation] / self.seconds["floor"]

    def peak_mb(self) -> str:
        parts = []
        if self.rss_mb:
            parts.append(f"{max(self.rss_mb.values()):.0f}")
        if self.traced_mb:
            parts.append(f"{max(self.traced_mb.values()):.0f} traced")
        return " / ".join(parts) or "-"


class App:
    """A generated app and the calls that run each operation on it (setup excluded)."""

    def __init__(self, root: Path, actions: int, seed: int = 0, shape: str = "table"):
        self.root = root
        self.actions = actions
        self.shape = shape
        self.keys = keys_of(actions, seed, shape)
        self.extract_key = self.keys[len(self.keys) // 2]
        self._scratch = Path(tempfile.mkdtemp(prefix="strangler-bench-copy-", dir=root.parent))
        self._copies = 0

    @classmethod
    def create(cls, parent: Path, actions: int, seed: int = 0, shape: str = "table") -> App:
        return cls(generate(parent / f"app{actions}-{shape}", actions, seed, shape), actions, seed, shape)

    @property
    def lines(self) -> int:
        return (self.root / "src" / "app.py").read_text(encoding="utf-8").count("\n")

    def fresh_copy(self) -> Path:
        self._copies += 1
        target = self._scratch / f"copy{self._copies}"
        shutil.copytree(self.root, target)
        return target

    def prepare(self, operation: str) -> Callable[[], Any]:
        """The zero-argument call to time; its setup (a copy of the app to write to) is done here."""
        if operation == "floor":
            return op_floor(self.root)
        if operation == "parse":
            return op_parse(self.root)
        if operation == "scan":
            return lambda: op_scan(self.root)
        if operation == "migrate":
            return lambda: op_migrate(self.root)
        if operation == "extract":
            target = self.fresh_copy()
            return lambda: op_extract(target, self.extract_key)
        if operation in WRITING:
            self._copies += 1
            repo = git_copy(self.root, self._scratch / f"copy{self._copies}")
            return lambda: op_migrate_write(repo, commit=operation == "migrate-commit")
        raise ValueError(f"unknown operation {operation!r}; one of {', '.join(OPERATIONS + WRITING)}")

    def check(self, scan: Any) -> None:
        """The operations measure the real work, not a refusal: fail loudly otherwise."""
        (found,) = scan
        if len(found.actions) != self.actions:
            raise RuntimeError(f"scan found {len(found.actions)} actions, expected {self.actions}")
        refused = [a.key for a in found.actions if a.refusal]
        if refused:
            raise RuntimeError(f"scan refuses {refused[:5]}")


def time_once(call: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def best_of(app: App, operation: str, repeat: int, budget: float | None = None) -> tuple[float, int]:
    """The best of ``repeat`` runs, and how many ran: with ``budget``, no new run starts
    once the runs so far took that many seconds (one run always happens)."""
    best, spent, runs = None, 0.0, 0
    while runs < max(1, repeat) and (budget is None or runs == 0 or spent < budget):
        seconds, result = time_once(app.prepare(operation))
        if operation == "scan":
            app.check(result)
        best = seconds if best is None else min(best, seconds)
        spent += seconds
        runs += 1
    assert best is not None
    return best, runs


def traced_peak_mb(app: App, operation: str) -> float:
    call = app.prepare(operation)
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def rss_mb() -> float:
    """This process's peak resident set so far (``ru_maxrss``)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


_warmed = False


def warm_up() -> None:
    """Run every operation once on a tiny app: lazy imports and caches are not measured."""
    global _warmed
    if _warmed:
        return
    with tempfile.TemporaryDirectory(prefix="strangler-bench-warm-") as temp:
        app = App.create(Path(temp), 5)
        for operation in OPERATIONS + WRITING:
            app.prepare(operation)()
    _warmed = True


def measure(
    actions: int,
    repeat: int = 3,
    *,
    seed: int = 0,
    operations: tuple[str, ...] = OPERATIONS,
    traced: bool = False,
    budget: float | None = None,
    workdir: Path | None = None,
    shape: str = "table",
) -> Measurement:
    """Generate an app of ``actions`` actions and time ``operations`` on it, in this process.

    ``rss_mb`` is this process's peak RSS after the timed runs, under every operation
    measured (a per-operation figure needs one process per operation: ``measure_in_children``).
    With ``traced``, each operation then runs once more under tracemalloc.
    """
    warm_up()
    base = rss_mb()
    with tempfile.TemporaryDirectory(prefix="strangler-bench-", dir=workdir) as temp:
        app = App.create(Path(temp), actions, seed, shape)
        timed = {operation: best_of(app, operation, repeat, budget) for operation in operations}
        peak = rss_mb()
        result = Measurement(
            actions, app.lines, {op: t for op, (t, _) in timed.items()}, {op: n for op, (_, n) in timed.items()},
            {op: peak for op in operations}, base_rss_mb=base, repeat=repeat, extract_key=app.extract_key,
            shape=shape,
        )
        if traced:
            result.traced_mb = {operation: traced_peak_mb(app, operation) for operation in operations}
    return result


def measure_in_children(
    actions: int,
    repeat: int,
    *,
    seed: int = 0,
    operations: tuple[str, ...] = OPERATIONS,
    traced: bool = False,
    budget: float | None = None,
    shape: str = "table",
) -> Measurement:
    """``measure`` each operation in a fresh interpreter, so each peak RSS is that operation's alone."""
    merged: Measurement | None = None
    for operation in operations:
        command = [
            sys.executable, "-m", "benchmarks.run", "--child", str(actions), operation,
            "--repeat", str(repeat), "--seed", str(seed), "--shapes", shape,
        ]
        if traced:
            command.append("--traced")
        if budget is not None:
            command += ["--budget", str(budget)]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"N={actions} {shape} {operation} failed:\n{done.stderr}")
        part = Measurement(**json.loads(done.stdout.strip().splitlines()[-1]))
        if merged is None:
            merged = part
        else:
            merged.seconds.update(part.seconds)
            merged.runs.update(part.runs)
            merged.rss_mb.update(part.rss_mb)
            merged.traced_mb.update(part.traced_mb)
            merged.base_rss_mb = max(merged.base_rss_mb or 0, part.base_rss_mb or 0)
    assert merged is not None
    return merged


# --- reporting -----------------------------------------------------------------------------
def code_version() -> str:
    """Which strangler is measured: its commit (and whether strangler/ has uncommitted
    changes) when it is imported from a git checkout, else the folder it comes from."""
    import strangler

    package = Path(strangler.__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=package, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "."], cwd=package, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return f"strangler from {package} (not a git checkout)"
    return f"strangler {head.stdout.strip()}" + (" + uncommitted changes in strangler/" if dirty.stdout.strip() else "")


def _markdown(rows: list[list[str]]) -> str:
    rows = [rows[0], ["---:"] * len(rows[0]), *rows[1:]]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def format_table(results: list[Measurement]) -> str:
    head = [
        "N", "shape", "app.py lines", "floor s", "scan s (x floor)", "migrate --dry-run s (x floor)",
        "extract s (x floor)", "peak MB",
    ]
    rows = [head]
    for r in results:
        def cell(op: str, r: Measurement = r) -> str:
            return f"{r.seconds[op]:.3f} ({r.ratio(op):.2f}x)" if op in r.seconds else "-"

        rows.append([str(r.actions), r.shape, str(r.lines), f"{r.seconds['floor']:.3f}", cell("scan"), cell("migrate"), cell("extract"), r.peak_mb()])
    return _markdown(rows)


def format_reference(results: list[Measurement]) -> str:
    """The operations against the parse alone, the least any tool that rewrites the module with LibCST does."""
    if not all("parse" in r.seconds for r in results):
        return ""
    ops = [op for op in ("floor", "scan", "migrate", "extract") if all(op in r.seconds for r in results)]
    rows = [["N", "shape", "parse only s", *(f"{LABELS[op]} (x parse)" for op in ops)]]
    for r in results:
        rows.append([str(r.actions), r.shape, f"{r.seconds['parse']:.3f}", *(f"{r.seconds[op] / r.seconds['parse']:.2f}x" for op in ops)])
    return "Against the parse alone (libcst.parse_module of src/app.py):\n\n" + _markdown(rows)


def format_writing(results: list[Measurement]) -> str:
    """``migrate`` against ``migrate --commit`` (one commit per action), both writing to git."""
    if not any(op in r.seconds for r in results for op in WRITING):
        return ""
    rows = [["N", "shape", "migrate --dry-run s", "migrate s", "migrate --commit s", "--commit (x migrate)"]]
    for r in results:
        def cell(op: str, r: Measurement = r) -> str:
            return f"{r.seconds[op]:.3f}" if op in r.seconds else "-"

        both = all(op in r.seconds for op in WRITING)
        ratio = f"{r.seconds['migrate-commit'] / r.seconds['migrate-write']:.2f}x" if both else "-"
        rows.append([str(r.actions), r.shape, cell("migrate"), cell("migrate-write"), cell("migrate-commit"), ratio])
    return "Writing, in a git repository (git's own work included):\n\n" + _markdown(rows)


def format_memory(results: list[Measurement]) -> str:
    kinds = [(name, attr) for name, attr in (("RSS", "rss_mb"), ("traced", "traced_mb")) if any(getattr(r, attr) for r in results)]
    if not kinds:
        return ""
    ops = [op for op in OPERATIONS + WRITING if op in OPERATIONS or any(op in r.seconds for r in results)]
    head = ["N", "shape", *(f"{LABELS[op]} MB {name}" for name, _ in kinds for op in ops)]
    rows = [head]
    for r in results:
        values = [getattr(r, attr).get(op) for _, attr in kinds for op in ops]
        rows.append([str(r.actions), r.shape, *("-" if v is None else f"{v:.0f}" for v in values)])
    base = max((r.base_rss_mb or 0 for r in results), default=0)
    return f"Peak memory per operation (RSS includes ~{base:.0f} MB of interpreter, imports and warm-up):\n\n" + _markdown(rows)


def scaling(results: list[Measurement]) -> str:
    """Per shape, time ratios between the largest size and the one half its size (else the next largest)."""
    lines = []
    for shape in dict.fromkeys(r.shape for r in results):
        by_size = {r.actions: r for r in results if r.shape == shape}
        if len(by_size) < 2:
            continue
        big = max(by_size)
        small = big // 2 if big // 2 in by_size else max(n for n in by_size if n != big)
        a, b = by_size[big], by_size[small]
        parts = [f"{LABELS[op]} {a.seconds[op] / b.seconds[op]:.2f}" for op in OPERATIONS + WRITING if op in a.seconds and op in b.seconds]
        line = f"Ratios {big}/{small} {shape} (size ratio {big / small:.1f}, app.py lines {a.lines / b.lines:.2f}): " + ", ".join(parts)
        if a.rss_mb and b.rss_mb:
            line += f"; peak RSS {max(a.rss_mb.values()) / max(b.rss_mb.values()):.2f}"
        lines.append(line)
    return "\n".join(lines)


def profile(
    operation: str, actions: int, *, seed: int = 0, sort: str = "cumulative", top: int = 25, save: Path | None = None,
    shape: str = "table",
) -> str:
    """cProfile of one run of ``operation`` (after a warm-up run), top entries by ``sort``.

    ``save`` keeps the raw profile for ``pstats``/snakeviz (``print_callees`` and friends).
    """
    warm_up()
    with tempfile.TemporaryDirectory(prefix="strangler-bench-") as temp:
        app = App.create(Path(temp), actions, seed, shape)
        app.prepare(operation)()  # warm: the profiled run is not a first run
        call = app.prepare(operation)
        gc.collect()
        profiler = cProfile.Profile()
        started = time.perf_counter()
        # The profiler runs on the thread with the deep stack (cProfile sees only the thread it
        # was enabled on; the calls strangler makes through deep.call then stay on it), so a long
        # elif chain is profiled as it runs, not ended by the default recursion limit.
        deep.call(profiler.runcall, call)
        elapsed = time.perf_counter() - started
        if save is not None:
            profiler.dump_stats(str(save))
        out = io.StringIO()
        # strangler's own functions first (the generic libcst visitor frames crowd them
        # out of a plain listing), then everything.
        own = io.StringIO()
        pstats.Stats(profiler, stream=own).sort_stats(sort).print_stats(rf"{os.sep}strangler{os.sep}", top)
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(sort).print_stats(top)
    heading = f"{LABELS[operation]} at N={actions} ({shape}): {elapsed:.3f}s under cProfile"
    return f"{heading}\n\n--- strangler's functions ---\n{_short_paths(own.getvalue())}\n--- all functions ---\n{out.getvalue()}"


def _short_paths(text: str) -> str:
    """``/any/where/strangler/sources/route.py:12(f)`` -> ``strangler/sources/route.py:12(f)``."""
    marker = f"{os.sep}strangler{os.sep}"
    return "\n".join(
        line[: line.rfind(" ", 0, line.find(marker)) + 1] + line[line.find(marker) + 1 :] if marker in line and ".py:" in line else line
        for line in text.splitlines()
    )


# --- command line --------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="comma-separated action counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per operation; the best is kept")
    parser.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                        help="start no further run of an operation once its runs took SECONDS (at least one runs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shapes", default="table",
                        help=f"comma-separated dispatch shapes of the generated app, of {', '.join(DISPATCH_SHAPES)} (or 'all')")
    parser.add_argument("--ops", default=",".join(OPERATIONS),
                        help=f"comma-separated operations to time, of {', '.join(OPERATIONS + WRITING)} (floor is always timed; "
                             "the last two only when named)")
    parser.add_argument("--traced", action="store_true",
                        help="also run each operation once under tracemalloc (slow: 3-5x the operation)")
    parser.add_argument("--in-process", action="store_true",
                        help="measure every size in this process (RSS is then the running maximum)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to FILE")
    parser.add_argument("--profile", nargs=2, metavar=("OP", "N"), help=f"profile one operation ({', '.join(OPERATIONS + WRITING)})")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key for --profile")
    parser.add_argument("--top", type=int, default=25, help="entries --profile prints")
    parser.add_argument("--save", type=Path, default=None, metavar="FILE", help="with --profile: also write the raw profile to FILE")
    parser.add_argument("--child", nargs=2, metavar=("N", "OP"), default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    shapes = list(DISPATCH_SHAPES) if args.shapes.strip() == "all" else [s.strip() for s in args.shapes.split(",") if s.strip()]
    wrong = [s for s in shapes if s not in DISPATCH_SHAPES]
    if wrong or not shapes:
        parser.error(f"unknown shape(s) {', '.join(wrong)}; one of {', '.join(DISPATCH_SHAPES)}")

    if args.profile:
        operation, size = args.profile
        if operation not in OPERATIONS + WRITING:
            parser.error(f"OP must be one of {', '.join(OPERATIONS + WRITING)}")
        if len(shapes) != 1:
            parser.error("--profile measures one shape: give --shapes one of them")
        print(profile(operation, int(size), seed=args.seed, sort=args.sort, top=args.top, save=args.save, shape=shapes[0]))
        return 0
    if args.child is not None:
        size, operation = args.child
        result = measure(
            int(size), args.repeat, seed=args.seed, operations=(operation,), traced=args.traced, budget=args.budget, shape=shapes[0]
        )
        print(json.dumps(asdict(result)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    operations = tuple(dict.fromkeys(["floor", *(op.strip() for op in args.ops.split(",") if op.strip())]))
    unknown = [op for op in operations if op not in OPERATIONS + WRITING]
    if unknown:
        parser.error(f"unknown operation(s) {', '.join(unknown)}; one of {', '.join(OPERATIONS + WRITING)}")
    results = []
    for shape in shapes:
        for size in sizes:
            result = _measure_one(args, size, operations, shape)
            results.append(result)
            print(f"N={size} {shape}: " + ", ".join(f"{LABELS[op]} {s:.3f}s ({result.runs.get(op, 1)} runs)" for op, s in result.seconds.items()),
                  file=sys.stderr, flush=True)
    budget = f" (no new run after {args.budget:g}s of runs)" if args.budget is not None else ""
    print(f"{code_version()}; best of {args.repeat}{budget}, seed {args.seed}, Python {sys.version.split()[0]}, libcst {metadata.version('libcst')}, "
          f"ruamel.yaml {metadata.version('ruamel.yaml')}\n")
    print(format_table(results))
    reference = format_reference(results)
    if reference:
        print("\n" + reference)
    writing = format_writing(results)
    if writing:
        print("\n" + writing)
    memory = format_memory(results)
    if memory:
        print("\n" + memory)
    cut = [f"N={r.actions} {r.shape} {LABELS[op]} {n}" for r in results for op, n in r.runs.items() if n < r.repeat]
    if cut:
        print("\nFewer runs (budget): " + ", ".join(cut))
    ratios = scaling(results)
    if ratios:
        print("\n" + ratios)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    return 0


def _measure_one(args: argparse.Namespace, size: int, operations: tuple[str, ...], shape: str) -> Measurement:
    measure_size = measure if args.in_process else measure_in_children
    return measure_size(
        size, args.repeat, seed=args.seed, operations=operations, traced=args.traced, budget=args.budget, shape=shape
    )


if __name__ == "__main__":
    sys.exit(main())
