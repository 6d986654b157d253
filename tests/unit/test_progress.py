"""Progress: every long phase of a run is told to the ``Progress`` the stages are given
(analysis, slicing and rendering counted per action, assembling the template, checking,
writing or committing counted per step; scan's analysis and its actions), and the
terminal's rendering of it shows each phase on a terminal, nothing elsewhere, and leaves no
escape code open at the end of a line."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from strangler import pipeline
from strangler.apply import changeset, sink
from strangler.apply.sink import WriteOptions
from strangler.cliout import TerminalProgress
from strangler.load.project import load
from strangler.model import FileChange
from strangler.render import render
from strangler.scan import scan_function
from tests.support.apps import copy_app
from tests.support.hostile import repository

ACTIONS = ("OrderPlaced", "OrderCancelled", "OrderShipped", "PaymentFailed")  # eventbridge-orders, in order


class Recorder:
    """A Progress that remembers what it was told, and checks that a counted phase is
    advanced exactly ``total`` times before the next phase begins."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str, int]] = []
        self._left = 0

    def phase(self, text: str, total: int = 0) -> None:
        assert self._left == 0, f"a phase began with {self._left} items of the last one not done: {self.said}"
        self.said.append(("phase", text, total))
        self._left = total

    def advance(self, item: str) -> None:
        assert self._left > 0, f"{item!r} advanced outside a counted phase"
        self._left -= 1
        self.said.append(("advance", item, 0))

    def phases(self) -> list[tuple[str, int]]:
        return [(text, total) for kind, text, total in self.said if kind == "phase"]

    def items(self) -> list[str]:
        return [text for kind, text, _ in self.said if kind == "advance"]


# --- the stages tell their phases ----------------------------------------------------------------
@pytest.mark.parametrize("steps", [False, True], ids=["at-once", "stepwise"])
def test_a_migrate_tells_analysis_each_action_its_retirement_and_the_assembly(tmp_path: Path, steps: bool) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    told = Recorder()
    pipeline.run(app, None, None, None, retire=True, steps=steps, progress=told)
    assert told.phases() == [(pipeline.ANALYSING, 0), (render.RENDERING, len(ACTIONS) + 1), (render.ASSEMBLING, 0)]
    assert told.items() == [*ACTIONS, "retirement of OrdersFunction"]


def test_an_extract_counts_only_the_actions_it_takes(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    told = Recorder()
    pipeline.run(app, None, None, ("OrderShipped",), retire=False, progress=told)
    assert told.phases() == [(pipeline.ANALYSING, 0), (render.RENDERING, 1), (render.ASSEMBLING, 0)]
    assert told.items() == ["OrderShipped"]


def test_nothing_to_do_is_analysis_only(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    sink.write(pipeline.run(app, None, None, ("OrderShipped",), retire=False), WriteOptions(), say=lambda _: None)
    told = Recorder()
    outcome = pipeline.run(app, None, None, ("OrderShipped",), retire=False, progress=told)
    assert outcome.message is not None and told.phases() == [(pipeline.ANALYSING, 0)]


def test_writing_tells_the_check_then_the_files(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    outcome = pipeline.run(app, None, None, ("OrderShipped",), retire=False)
    told = Recorder()
    sink.write(outcome, WriteOptions(), say=lambda _: None, progress=told)
    count = len(outcome.changes.changes)
    assert told.phases() == [(sink.CHECKING, 0), (f"Writing {count} files", 0)]
    assert (app / "functions" / "order_shipped").is_dir()


def test_committing_counts_the_commits_one_per_step(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    repo = repository(app)
    outcome = pipeline.run(app, None, None, None, retire=True, steps=True)
    told = Recorder()
    sink.write(outcome, WriteOptions(commit=True), say=lambda _: None, progress=told)
    assert told.phases() == [(sink.CHECKING, 0), (sink.COMMITTING, len(ACTIONS) + 1)]
    assert told.items() == sink.step_titles(outcome)
    assert len(list(repo.iter_commits())) == len(ACTIONS) + 2


def test_scan_counts_the_actions_of_each_function(tmp_path: Path) -> None:
    project = load(copy_app("eventbridge-orders", tmp_path / "app"), None)
    (analysis,) = pipeline.survey(project, None).monoliths
    told = Recorder()
    scan_function(project, analysis, progress=told)
    assert told.phases() == [("Scanning OrdersFunction", len(ACTIONS))]
    assert told.items() == list(ACTIONS)


# --- the terminal shows them -------------------------------------------------------------------
class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# Select Graphic Rendition (colour, bold): \x1b[...m; the cursor hidden or shown (click's bar
# hides it while it draws).
SGR = re.compile(r"\x1b\[([0-9;]*)m")
CURSOR = re.compile(r"\x1b\[\?25([lh])")


def open_escapes(text: str) -> list[str]:
    """The lines of ``text`` that end with a colour or a style still on, or the cursor hidden."""
    left_on = []
    for line in re.split(r"\r?\n", text):
        codes, cursor = SGR.findall(line), CURSOR.findall(line)
        if (codes and codes[-1] not in ("", "0")) or (cursor and cursor[-1] == "l"):
            left_on.append(line)
    return left_on


def _show(progress: TerminalProgress) -> None:
    with progress:
        progress.phase(pipeline.ANALYSING)
        progress.phase(render.RENDERING, 3)
        for key in ("OrderPlaced", "OrderShipped", "retirement of OrdersFunction"):
            progress.advance(key)
        progress.phase(render.ASSEMBLING)
        progress.phase(sink.COMMITTING, 2)
        progress.advance("Extract OrderPlaced from OrdersFunction into OrderPlacedFunction")


def test_on_a_terminal_each_phase_shows_and_the_bars_count() -> None:
    screen = FakeTerminal()
    _show(TerminalProgress.on_terminal(True, screen))
    said = screen.getvalue()
    for phase in (f"{pipeline.ANALYSING}...\n", render.RENDERING, f"{render.ASSEMBLING}...\n", sink.COMMITTING):
        assert phase in said
    assert "3/3" in said and "retirement of OrdersFunction" in said
    assert "1/2" in said  # closed early (an interruption, a failure): the bar still ends its line
    assert "xtracted" not in said
    assert said.endswith("\n")


def test_no_escape_left_open_at_a_line_end() -> None:
    screen = FakeTerminal()
    _show(TerminalProgress.on_terminal(True, screen))
    said = screen.getvalue()
    assert CURSOR.search(said) and open_escapes(said) == []
    assert said.count("\x1b[?25h\n") == 2  # each bar shows the cursor again as it ends its line
    assert open_escapes("\r\x1b[?25lRendering [##--] 1/2\n") == ["\r\x1b[?25lRendering [##--] 1/2"]


@pytest.mark.parametrize("wanted, stream", [(True, io.StringIO()), (False, FakeTerminal())],
                         ids=["a-pipe", "quiet-on-a-terminal"])
def test_nothing_on_a_pipe_or_when_not_wanted(wanted: bool, stream: io.StringIO) -> None:
    _show(TerminalProgress.on_terminal(wanted, stream))
    assert stream.getvalue() == ""


def test_a_coloured_diff_ends_every_colour_before_the_line_ends() -> None:
    diff = changeset.unified_diff((FileChange("a.py", "x = 1\r\ny = 2\n", "x = 2\r\ny = 2\nz = 3\n"),))
    coloured = changeset.colour(diff)
    assert SGR.search(coloured) and open_escapes(coloured) == []
    assert SGR.sub("", coloured) == diff
    assert open_escapes("\x1b[32m+x\n\x1b[0m") == ["\x1b[32m+x"]  # what it used to write
