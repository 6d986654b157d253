"""Property: every string strangler writes into a template reads back as that string
with SAM's own loader (aws-sam-translator's ``yaml_parse``, YAML 1.1); and every line
strangler does not change stays byte for byte, whatever the line endings."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from samtranslator.yaml_helper import yaml_parse

from strangler.apply import validate
from strangler.model import ANY_CASE, EACH, JSON, THEN, EventPath
from strangler.sources.route import plan_route
from strangler.template import document, sam as functions
from strangler.template.document import TemplateDocument

YAML11_SPECIALS = [
    "ON", "On", "on", "yes", "Yes", "YES", "no", "NO", "off", "Off", "y", "n", "true", "False",
    "null", "Null", "~", "", "123", "-1", "0x1F", "0o17", "017", "1_000", "1.0", ".5", "1e3", "-.inf", ".NaN",
    "12:30", "1:20:30", "2001-01-01", "2001-12-14t21:59:43.10-05:00", "=", "<<", "#x", "`a", "@a", "%a",
    "!a", "&a", "*a", "|", ">", "-", "- a", "? a", "a: b", "a #b", "a#b", "[a]", "{a: 1}", "'a'", '"a"',
    " lead", "trail ", "back\\slash", "tab\tin", "line\nbreak", "Ünïcødé", "😀", "a\u2028b", "\x85x",
    ",a", "a,", "...", "---", "a:", ":a",
]

keys = st.one_of(
    st.sampled_from(YAML11_SPECIALS),
    st.text(min_size=1, max_size=24),
    st.lists(st.sampled_from(YAML11_SPECIALS + ["x", " ", ": ", " #", "'", '"', "\\"]), min_size=1, max_size=4).map("".join),
)


EVENTBRIDGE_APP = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Runtime: python3.12
      Events:
        Orders:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [shop.orders]
"""

SNS_APP = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Topic:
    Type: AWS::SNS::Topic
  NotifierFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.lambda_handler
      Runtime: python3.12
      Events:
        Notification:
          Type: SNS
          Properties:
            Topic: !Ref Topic
"""


def _extract(tmp_path: Path, text: str, monolith: str, key: str, path: EventPath) -> str:
    """What ``extract`` does to the template for ``key``: route it, build the new
    function, narrow the monolith, and render the document."""
    template = tmp_path / "template.yaml"
    template.write_text(text, encoding="utf-8")
    doc = TemplateDocument.load(template)
    resource = doc.data["Resources"][monolith]
    route = plan_route(resource["Properties"]["Events"], key, path, monolith)
    function, _ = functions.new_function(doc, monolith, resource, key, "functions/new/", "app.lambda_handler")
    functions.set_events(doc, function, route)
    functions.narrow_monolith(resource, route)
    doc.data["Resources"]["NewFunction"] = function
    functions.add_name_output(doc, "NewFunction", key)
    rendered = doc.dump()
    validate.translate(rendered, is_json=False, where="template.yaml")  # the guard agrees
    return rendered


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=keys)
@example(key="yes")
@example(key="12:30")
@example(key="=")
def test_an_eventbridge_action_key_reads_back_as_itself(tmp_path, key):
    written = yaml_parse(_extract(tmp_path, EVENTBRIDGE_APP, "OrdersFunction", key, EventPath(("detail-type",))))

    resources = written["Resources"]
    assert resources["NewFunction"]["Properties"]["Events"]["Orders"]["Properties"]["Pattern"]["detail-type"] == [key]
    monolith_pattern = resources["OrdersFunction"]["Properties"]["Events"]["Orders"]["Properties"]["Pattern"]
    assert monolith_pattern["detail-type"] == [{"anything-but": [key]}]
    assert resources["NewFunction"]["Metadata"]["Strangler"]["Action"] == key
    assert written["Outputs"]["NewFunctionName"]["Description"] == f"Function that handles {key!r}: direct-invoke callers must use it"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=keys, field=keys)
@example(key="on", field="yes")
@example(key="~", field="<<")
def test_an_sns_filter_key_and_field_read_back_as_themselves(tmp_path, key, field):
    assume("\x00" not in field)
    # An event path spells "every element" and "json.loads" with these marks; a message
    # field literally named "*" cannot be told from them (a limit of EventPath, not of YAML).
    assume(field not in (EACH, JSON, ANY_CASE, THEN))
    path = EventPath(("Records", EACH, "Sns", "Message", JSON, field))
    written = yaml_parse(_extract(tmp_path, SNS_APP, "NotifierFunction", key, path))

    resources = written["Resources"]
    new = resources["NewFunction"]["Properties"]["Events"]["Notification"]["Properties"]
    assert new["FilterPolicy"] == {field: [key]}
    assert new["FilterPolicyScope"] == "MessageBody"
    monolith = resources["NotifierFunction"]["Properties"]["Events"]["Notification"]["Properties"]
    assert monolith["FilterPolicy"] == {field: [{"anything-but": [key]}, {"exists": False}]}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=keys)
def test_a_key_already_listed_in_the_template_keeps_its_meaning(tmp_path, key):
    """The rule lists the key as the user wrote it (JSON-style double quotes), next to a
    plain ``yes`` the user meant as YAML 1.1 wrote it: both keep what SAM read."""
    assume(key != "yes")
    text = EVENTBRIDGE_APP.replace("source: [shop.orders]", f"source: [shop.orders]\n              detail-type:\n                - {_double_quoted(key)}\n                - yes\n                - Other")
    written = yaml_parse(_extract(tmp_path, text, "OrdersFunction", key, EventPath(("detail-type",))))

    monolith_pattern = written["Resources"]["OrdersFunction"]["Properties"]["Events"]["Orders"]["Properties"]["Pattern"]
    assert monolith_pattern["detail-type"] == [True, "Other"]
    assert written["Resources"]["NewFunction"]["Properties"]["Events"]["Orders"]["Properties"]["Pattern"]["detail-type"] == [key]


def _double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, the way a user could have written it."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif re.match("[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]", char):
            out.append(char)
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


# --- line endings, BOM, whitespace ---------------------------------------------------------

padding = st.sampled_from(["", " ", "  ", "   "])


@st.composite
def templates(draw):
    """A template with odd bytes everywhere: line endings, BOM, trailing spaces,
    whitespace-only lines, comments at any indent, ``True``/``yes`` plain scalars."""
    newline = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    lines = ["Transform: AWS::Serverless-2016-10-31", "Resources:"]
    count = draw(st.integers(1, 4))
    for index in range(count):
        lines.append(f"  Queue{index}:{draw(padding)}")
        if draw(st.booleans()):
            lines.append(" " * draw(st.integers(0, 8)) + "# about queue " + str(index))
        lines.append("    Type: AWS::SQS::Queue" + draw(padding))
        lines.append("    Properties:")
        value = draw(st.sampled_from(["True", "yes", "'quoted'", '"dq"', "[ a,b ]", "{ x: 1 }", "12", "on"]))
        lines.append(f"      Tag{index}: {value}" + draw(padding))
        if draw(st.booleans()):
            lines.append(draw(padding))
    ends = []
    for _ in lines:
        ends.append(draw(st.sampled_from(["\n", "\r\n"])) if newline == "mixed" else newline)
    body = "".join(line + end for line, end in zip(lines, ends))
    bom = draw(st.booleans())
    return ("\ufeff" if bom else "") + body, count


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=templates(), key=keys)
def test_untouched_lines_stay_byte_for_byte(tmp_path, case, key):
    content, count = case
    template = tmp_path / "template.yaml"
    template.write_bytes(content.encode("utf-8"))
    doc = TemplateDocument.load(template)
    removed = f"Queue{count - 1}"
    document.delete_item(doc.data["Resources"], removed, (doc.data, "Resources"))
    doc.data["Resources"]["NewFunction"] = doc.new_map({"Type": "AWS::SNS::Topic", "Properties": doc.new_map({"TopicName": key})})

    written = doc.dump()

    assert written.startswith("\ufeff") == content.startswith("\ufeff")
    before = content.lstrip("\ufeff").split("\n")
    after = written.lstrip("\ufeff").split("\n")
    kept = before[: before.index(next(line for line in before if line.startswith(f"  {removed}:")))]
    while kept[-1].strip() in ("", "\r") or kept[-1].lstrip().startswith("#"):
        kept.pop()  # blank and comment lines above a resource go with it
    assert after[: len(kept)] == kept  # every line before the change, byte for byte
    new_lines = after[len(kept):-1]
    endings = {line.endswith("\r") for line in before[:-1]}
    if len(endings) == 1:  # a file with one line ending gets it on the new lines too
        crlf = endings.pop()
        assert all(line.endswith("\r") == crlf for line in new_lines), new_lines
    parsed = yaml_parse(written.lstrip("\ufeff"))
    assert parsed["Resources"]["NewFunction"]["Properties"]["TopicName"] == key
    assert set(parsed["Resources"]) == {f"Queue{i}" for i in range(count - 1)} | {"NewFunction"}
