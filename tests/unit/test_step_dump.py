"""Stepwise template dumps: each step serializes again only what it edited, and says the
same as a whole dump after every step."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.errors import StranglerError
from strangler.pipeline import run
from strangler.plan.plan import DEFAULT_FUNCTIONS_DIR
from strangler.render import render
from strangler.template.document import (
    StaleDump,
    StepDump,
    TemplateDocument,
    _serialize,
    _source,
)
from tests.support.apps import MONOLITH_APPS, copy_app

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
APPS = MONOLITH_APPS


def _whole(doc: TemplateDocument) -> str:
    return _serialize(doc.data, _source(doc.text).text, doc.is_json, doc.json_indent)


def _migrate(app: Path):
    """Every action's step and the retirement's; only the actions' where retiring is refused."""
    try:
        return run(app, None, None, None, retire=True, functions_dir=DEFAULT_FUNCTIONS_DIR, steps=True)
    except StranglerError:
        return run(app, None, None, None, retire=False, functions_dir=DEFAULT_FUNCTIONS_DIR, steps=True)


def _steps(app: Path, monkeypatch: pytest.MonkeyPatch, stepwise: bool):
    with monkeypatch.context() as patch:
        if not stepwise:
            patch.setattr(render, "StepDump", lambda doc, _stepwise=True: StepDump(doc, False))
        return _migrate(app)


@pytest.mark.parametrize("name", APPS)
def test_every_step_of_a_migrate_is_what_whole_dumps_give(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = copy_app(name, tmp_path / "app")
    dumped: list[StepDump] = []
    real = render.StepDump

    def spy(doc: TemplateDocument, stepwise: bool = True) -> StepDump:
        dumper = real(doc, stepwise)
        dumped.append(dumper)
        return dumper

    monkeypatch.setattr(render, "StepDump", spy)
    stepwise = _migrate(app)
    monkeypatch.undo()
    whole = _steps(app, monkeypatch, stepwise=False)
    assert stepwise.message == whole.message
    assert stepwise.steps == whole.steps
    if stepwise.steps and not name.startswith("cfn-"):
        assert dumped[-1].enabled, "the stepwise dump was not used: this test compares nothing"


def test_the_pieces_are_the_whole_dump_and_a_step_that_names_its_edits_matches_it() -> None:
    doc = TemplateDocument.load(FIXTURES / "eventbridge-orders" / "before" / "template.yaml")
    dumper = StepDump(doc)
    assert dumper.enabled
    monolith = next(k for k, r in doc.data["Resources"].items() if r["Type"] == "AWS::Serverless::Function")
    doc.data["Resources"][monolith]["Properties"]["Timeout"] = 99
    named = dumper.dump({monolith}, meant=False)
    dumper.verify()
    assert named == doc.dump()


def test_an_edit_a_step_did_not_name_is_found_by_verify() -> None:
    doc = TemplateDocument.load(FIXTURES / "eventbridge-orders" / "before" / "template.yaml")
    dumper = StepDump(doc)
    monolith = next(k for k, r in doc.data["Resources"].items() if r["Type"] == "AWS::Serverless::Function")
    doc.data["Resources"][monolith]["Properties"]["Timeout"] = 99
    dumper.dump(set(), meant=False)
    with pytest.raises(StaleDump):
        dumper.verify()
    assert "99" in _whole(doc)


def test_a_run_whose_steps_do_not_name_their_edits_is_rendered_again_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    whole = _steps(app, monkeypatch, stepwise=False)
    with monkeypatch.context() as patch:
        patch.setattr(render._Draft, "edit", lambda self, *ids: None)
        silent = run(app, None, None, None, retire=True, functions_dir=DEFAULT_FUNCTIONS_DIR, steps=True)
    assert silent.steps == whole.steps
    assert silent.changes.changes[0].new is not None
