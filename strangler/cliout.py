"""What the command line shows besides results: progress on a terminal, and the next steps
after a real run."""

from __future__ import annotations

import shlex
import sys
from typing import Any, TextIO

import click

from strangler.apply.gitops import Workspace
from strangler.apply.sink import WriteOptions
from strangler.pipeline import Outcome


class TerminalProgress:
    """The stages' ``Progress`` (strangler/progress.py) on stderr when it is a terminal: a
    line per phase, and click's progress bar through a counted phase. Silent on a pipe, in
    a file or when not ``wanted`` (-q, --json), so that nothing but the results reaches a
    log. The phases' words are the stages' own, true of a dry run ("Slicing and
    rendering", never "extracted").

    Used as a context manager: the bar is closed (its line ended, the cursor shown again)
    before an error or an interruption is reported, so that message starts a line of its
    own. No colour: the bar is plain text, so no escape code can outlive its line."""

    def __init__(self, shown: bool, stream: TextIO | None = None):
        self.shown = shown
        self.stream = stream
        self._bar: Any = None

    @classmethod
    def on_terminal(cls, wanted: bool, stream: TextIO | None = None) -> "TerminalProgress":
        stream = stream or sys.stderr
        return cls(wanted and stream.isatty(), stream)

    def phase(self, text: str, total: int = 0) -> None:
        self.close()
        if not self.shown:
            return
        if total:
            self._bar = click.progressbar(length=total, label=text, file=self._stream, show_pos=True,
                                          item_show_func=lambda item: item)
            self._bar.__enter__()
        else:
            click.echo(f"{text}...", file=self._stream)

    def advance(self, item: str) -> None:
        if self._bar is not None:
            self._bar.update(1, item)

    def say(self, line: str) -> None:
        """A line on stderr that is not progress (a warning, a commit made): the bar's line
        is ended first, so that the two never share one."""
        self.close()
        click.echo(line, file=self._stream)

    def close(self) -> None:
        if self._bar is not None:
            bar, self._bar = self._bar, None
            bar.__exit__(None, None, None)

    @property
    def _stream(self) -> TextIO:
        # Read when used, not when made: a test runner swaps sys.stderr per command.
        return self.stream or sys.stderr

    def __enter__(self) -> "TerminalProgress":  # noqa: PYI034 (Self is 3.11; this runs on 3.10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def next_steps(outcome: Outcome, options: WriteOptions) -> list[str]:
    """What to do after a real run, in the order to do it: review, verify, validate, deploy,
    and, when an action is invoked directly, the order that keeps its callers working."""
    assert outcome.changes is not None
    steps = outcome.steps or (outcome.changes,)
    if options.commit:
        review = f"git log -p -{len(steps)}   # the commits of this run"
    elif Workspace.find(outcome.project.root).versioned:
        review = "git status && git diff   # new folders are untracked until added"
    else:
        review = "compare the app with the copy kept before the run (not in a git repository)"
    template = outcome.project.relative(outcome.project.template.path)
    # sam finds template.yaml/.yml by itself; any other name is given as strangler was given it.
    option = f" -t {shlex.quote(template)}" if template not in ("template.yaml", "template.yml") else ""
    lines = [
        "Next steps:",
        f"  1. review:   {review}",
        f"  2. verify:   strangler verify{option}   # replays events before and after the split",
        f"  3. validate: sam validate --lint{option}",
        f"  4. deploy:   sam build{option} && sam deploy",
    ]
    order = deploy_order(outcome)
    if order:
        lines.append(f"  Deploy order: {order}")
    return lines


def deploy_order(outcome: Outcome) -> str | None:
    """The order of deploying and switching callers when the run gave a function to an
    action that is invoked directly (its callers name the monolith); None when none is."""
    assert outcome.changes is not None
    direct = outcome.changes.direct
    if not direct:
        return None
    count = "1 action is" if len(direct) == 1 else f"{len(direct)} actions are"
    if any(plan.retire for plan in outcome.plans):
        then = ("this run retires the monolith, so a caller still invoking it fails from that deploy on: "
                "run `strangler migrate --keep-monolith` instead, deploy, switch the callers, then migrate")
    else:
        then = "the monolith keeps serving them until then"
    return (f"{count} invoked directly. Deploy first, then switch the callers to the new functions "
            f"(their names are in the template's Outputs); {then}.")
