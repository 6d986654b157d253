"""Stepwise template dumps: each step serializes again only what it edited, and says the
same as a whole dump after every step."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml.comments import CommentedSeq

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


def _rule_template(types: list[str], prefix: str = "") -> str:
    listed = ", ".join(types)
    return (
        "Resources:\n"
        "  Monolith:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Handler: app.handler\n"
        "      Events:\n"
        "        Rule:\n"
        "          Type: EventBridgeRule\n"
        "          Properties:\n"
        "            Pattern:\n"
        f"              {prefix}detail-type: [{listed}]\n"
        "  Other:\n"
        "    Type: AWS::SNS::Topic\n"
    )


def test_long_one_line_lists_keep_their_text_from_step_to_step_and_say_what_a_whole_dump_says(monkeypatch) -> None:
    """A list unchanged since the last step is not dumped again; an edited one is."""
    from strangler.template import document

    made: list[int] = []
    real = document._FlowLists._text

    def counted(self, data):
        known = self._texts.get(id(data))
        text = real(self, data)
        remade = known is None or known[0] is not data or len(known[1]) != len(data) \
            or any(a is not b for a, b in zip(known[1], data))
        if text is not None and remade:
            made.append(len(data))
        return text

    monkeypatch.setattr(document._FlowLists, "_text", counted)
    types = [f"Type{i}" for i in range(30)] + ["'yes'", '"on"', "Order Placed"]
    doc = TemplateDocument.parse(Path("template.yaml"), _rule_template(types))
    dumper = StepDump(doc)
    assert dumper.enabled and made == [33]
    rule = doc.data["Resources"]["Monolith"]["Properties"]["Events"]["Rule"]["Properties"]["Pattern"]
    for step in range(3):
        doc.data["Resources"]["Monolith"]["Properties"]["Timeout"] = 10 + step  # the list itself unchanged
        assert dumper.dump({"Monolith"}, meant=False) == doc.dump()
        dumper.verify()
    assert made == [33], "the unchanged list was dumped again"
    rule["detail-type"].pop(0)  # edited in place: its text is made again
    assert dumper.dump({"Monolith"}, meant=False) == doc.dump()
    dumper.verify()
    assert made == [33, 32]
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    rule["detail-type"][0] = DoubleQuotedScalarString(rule["detail-type"][0])  # equal, but written quoted
    assert '["Type1", Type2' in dumper.dump({"Monolith"}, meant=False)
    dumper.verify()
    assert made == [33, 32, 32]


def test_a_long_list_that_would_be_wrapped_where_it_stands_is_dumped_in_place(monkeypatch) -> None:
    """The dump wraps a one-line list that runs past its width (4096) where it stands: its
    text on its own (4,094 characters) would not say that."""
    from strangler.template import document

    fills: list[bool] = []
    real = document._FlowLists.fill
    monkeypatch.setattr(document._FlowLists, "fill", lambda self, dumped: fills.append(bool(r := real(self, dumped))) or r)
    types = [f"SomethingHappened{i:04d}" for i in range(178)]
    doc = TemplateDocument.parse(Path("template.yaml"), _rule_template(types))
    dumper = StepDump(doc)
    assert dumper.enabled
    assert "\n" in _whole(doc).split("detail-type: [", 1)[1].split("]", 1)[0], "the list is not wrapped: nothing tested"
    doc.data["Resources"]["Monolith"]["Properties"]["Timeout"] = 3
    assert dumper.dump({"Monolith"}, meant=False) == doc.dump()
    dumper.verify()
    assert False in fills, "no placeholder was refused: the fallback was not tested"


def test_a_long_list_followed_on_its_line_is_dumped_in_place(monkeypatch) -> None:
    """What follows a list on its line (the rest of a flow mapping) was placed after the
    placeholder, not after the list: such a piece is dumped as it is."""
    from strangler.template import document

    fills: list[bool] = []  # for each dump with a placeholder: whether it was filled
    real = document._FlowLists.fill

    def spy(self, dumped: str):
        placed, filled = bool(self._placed), real(self, dumped)
        if placed:
            fills.append(filled is not None)
        return filled

    monkeypatch.setattr(document._FlowLists, "fill", spy)
    types = ", ".join(f"Type{i}" for i in range(20))
    text = _rule_template([]).replace("Pattern:\n              detail-type: []", f"Pattern: {{detail-type: [{types}], source: [shop]}}")
    doc = TemplateDocument.parse(Path("template.yaml"), text)
    dumper = StepDump(doc)
    assert dumper.enabled
    doc.data["Resources"]["Monolith"]["Properties"]["Timeout"] = 3
    assert dumper.dump({"Monolith"}, meant=False) == doc.dump()
    dumper.verify()
    assert fills and not any(fills), "the list was replaced in the middle of its line"


@pytest.mark.parametrize("quote", ["'", '"'])
def test_a_lists_text_from_its_items_is_what_the_dump_writes_for_the_whole_list(quote: str) -> None:
    """Strings YAML 1.1 would read otherwise, flow indicators, quotes of both kinds, a
    template's own plain and quoted scalars: joined item by item as the dump joins them."""
    import io

    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    from strangler.template.document import _FlowLists, _yaml

    template = f"a: [x, 'y', \"z\", plain value]\nb: {quote}q{quote}\n"
    doc = TemplateDocument.parse(Path("template.yaml"), template)
    items = ["yes", "on", "null", "", "a: b", "#x", "ünï", "123", "1e3", "2024-01-01", "a,b", "[x]", "{y}", "x y",
             "-", "- x", "*a", "&b", "!t", "%p", "@q", "`r", "'s'", '"t"', "~", "=", "<<", "12:30", "0x1F", "+1",
             ".inf", "Off", "y", "a\\b", "tab\there", DoubleQuotedScalarString("dq"), SingleQuotedScalarString("sq"),
             *doc.data["a"]]
    lists, dump = _FlowLists(template), _yaml(template)
    dump.explicit_start = False
    for count in range(_FlowLists.SHORTEST, len(items) + 1):
        data = CommentedSeq(items[:count])
        data.fa.set_flow_style()
        stream = io.StringIO()
        dump.dump(data, stream)
        assert lists._text(data) == stream.getvalue().rstrip("\n")
