"""A standalone AWS::Events::Rule targeting the monolith is split like an EventBridgeRule
event: the new function gets a narrowed copy and a permission, the monolith's rule is
narrowed or deleted, and what cannot be split safely refuses."""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path

import pytest

from strangler.model import DELETE, THEN, EventPath
from strangler.sources.base import Refusal
from strangler.sources.resources.events_rule import EVENT_RULES
from strangler.sources.resources.permission import PERMISSIONS
from strangler.template.document import TemplateDocument, intended
from strangler.template.invokers import invokers_of

DETAIL_TYPE = EventPath(("detail-type",))
HEAD = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: payments
  Monolith:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
"""
RULE = """
  Rule:
    Type: AWS::Events::Rule
    Properties:
      Name: payments-ledger
      EventBusName: !Ref Bus
      State: DISABLED
      EventPattern:
        source: [payments.gateway]
        detail-type: [Authorized, Captured]
      Targets:
        - Id: ledger
          Arn: !GetAtt Monolith.Arn
          RetryPolicy:
            MaximumRetryAttempts: 2
{extra}"""
PERMISSION = """
  RulePermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Monolith
      Principal: events.amazonaws.com
      SourceArn: !GetAtt Rule.Arn
"""


def load(tmp_path: Path, resources: str) -> TemplateDocument:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(HEAD).lstrip() + resources, encoding="utf-8")
    return TemplateDocument.load(path)


def rule_doc(tmp_path: Path, extra: str = "", detail_types: str = "[Authorized, Captured]") -> TemplateDocument:
    return load(tmp_path, RULE.format(extra=extra).replace("[Authorized, Captured]", detail_types))


def invoker(doc: TemplateDocument, logical_id: str = "Rule"):
    return next(i for i in invokers_of(doc.data, "Monolith") if i.logical_id == logical_id)


def split(doc: TemplateDocument, key: str = "Captured", path: EventPath = DETAIL_TYPE, logical_id: str = "Rule"):
    return EVENT_RULES.split(doc, invoker(doc, logical_id), key, path, "CapturedFunction", f"template.yaml: Resources.{logical_id}")


def test_the_new_function_gets_a_copy_of_the_rule_for_its_detail_type(tmp_path: Path) -> None:
    doc = rule_doc(tmp_path)
    before = copy.deepcopy(intended(doc.data))
    result = split(doc)
    assert intended(doc.data) == before, "a route never changes the template itself"
    assert result.delivers and result.logical_id == "Rule"
    (rule_id, rule), (permission_id, permission) = result.added
    assert rule_id == "CapturedFunctionRule" and permission_id == "CapturedFunctionRulePermission"
    new = intended(rule)
    assert "Name" not in new["Properties"], "a physical name cannot be created twice"
    assert new["Properties"]["EventPattern"] == {"source": ["payments.gateway"], "detail-type": ["Captured"]}
    assert new["Properties"]["EventBusName"] == {"Ref": "Bus"} and new["Properties"]["State"] == "DISABLED"
    assert new["Properties"]["Targets"] == [{"Id": "ledger", "Arn": {"Fn::GetAtt": ["CapturedFunction", "Arn"]},
                                             "RetryPolicy": {"MaximumRetryAttempts": 2}}]
    assert new["Metadata"]["Strangler"] == {"SplitFrom": "Rule", "Action": "Captured"}
    assert intended(permission)["Properties"] == {
        "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "CapturedFunction"},
        "Principal": "events.amazonaws.com", "SourceArn": {"Fn::GetAtt": ["CapturedFunctionRule", "Arn"]}}
    narrowed = intended(result.replacement)["Properties"]
    assert narrowed["EventPattern"]["detail-type"] == ["Authorized"] and narrowed["Name"] == "payments-ledger"


def test_the_last_detail_type_deletes_the_monolith_rule_and_its_permission(tmp_path: Path) -> None:
    doc = load(tmp_path, RULE.format(extra="").replace("[Authorized, Captured]", "[Captured]") + PERMISSION)
    assert split(doc).replacement is DELETE
    permission = invoker(doc, "RulePermission")
    answer = PERMISSIONS.split(doc, permission, "Captured", DETAIL_TYPE, "CapturedFunction", "template.yaml: Resources.RulePermission")
    assert answer.replacement is DELETE and not answer.added, "never left naming a deleted rule"


def test_the_monolith_permission_for_a_narrowed_rule_stays_and_is_not_copied(tmp_path: Path) -> None:
    doc = load(tmp_path, RULE.format(extra="") + PERMISSION)
    permission = invoker(doc, "RulePermission")
    answer = PERMISSIONS.split(doc, permission, "Captured", DETAIL_TYPE, "CapturedFunction", "here")
    assert answer.replacement is None and not answer.added


def test_a_rule_without_the_detail_type_is_left_alone(tmp_path: Path) -> None:
    result = split(rule_doc(tmp_path), key="Refunded")
    assert result.replacement is None and not result.added and not result.delivers


def test_a_rule_that_does_not_filter_the_detail_type_excludes_it(tmp_path: Path) -> None:
    doc = load(tmp_path, RULE.format(extra="").replace("        detail-type: [Authorized, Captured]\n", ""))
    result = split(doc)
    assert intended(result.replacement)["Properties"]["EventPattern"]["detail-type"] == [{"anything-but": ["Captured"]}]
    assert intended(result.added[0][1])["Properties"]["EventPattern"]["detail-type"] == ["Captured"]


def test_nested_dispatch_on_source_and_detail_type(tmp_path: Path) -> None:
    doc = rule_doc(tmp_path)
    path = EventPath(("source", THEN, "detail-type"))
    result = split(doc, key="payments.gateway/Captured", path=path)
    assert intended(result.added[0][1])["Properties"]["EventPattern"] == {
        "source": ["payments.gateway"], "detail-type": ["Captured"]}


def test_several_targets_refuse_naming_the_others(tmp_path: Path) -> None:
    other = """        - Id: audit
          Arn: arn:aws:sqs:eu-west-1:123456789012:audit
"""
    with pytest.raises(Refusal) as raised:
        split(rule_doc(tmp_path, other))
    assert "2 targets" in raised.value.message and "audit" in raised.value.message
    assert "rule of its own" in raised.value.hint


def test_several_targets_are_no_matter_when_the_rule_does_not_carry_the_action(tmp_path: Path) -> None:
    other = """        - Id: audit
          Arn: arn:aws:sqs:eu-west-1:123456789012:audit
"""
    result = split(rule_doc(tmp_path, other), key="Refunded")
    assert result.replacement is None and not result.added


@pytest.mark.parametrize(("setting", "named"), [
    ("          Input: '{\"detail-type\": \"Captured\"}'\n", "constant Input"),
    ("          InputPath: $.detail\n", "$.detail"),
    (("          InputTransformer:\n            InputPathsMap:\n              id: $.detail.id\n"
      "            InputTemplate: '{\"id\": <id>}'\n"), "InputTransformer"),
])
def test_a_target_that_rewrites_the_event_refuses(tmp_path: Path, setting: str, named: str) -> None:
    with pytest.raises(Refusal) as raised:
        split(rule_doc(tmp_path, setting))
    assert named in raised.value.message and raised.value.where == "template.yaml: Resources.Rule"


def test_an_input_transformer_that_passes_the_detail_type_through_is_split(tmp_path: Path) -> None:
    setting = ("          InputTransformer:\n            InputPathsMap:\n              kind: $.detail-type\n"
               "              id: $.detail.id\n"
               "            InputTemplate: '{\"detail-type\": <kind>, \"detail\": {\"id\": <id>}}'\n")
    result = split(rule_doc(tmp_path, setting))
    target = intended(result.added[0][1])["Properties"]["Targets"][0]
    assert target["InputTransformer"]["InputPathsMap"]["kind"] == "$.detail-type"


def test_a_target_through_an_alias_refuses(tmp_path: Path) -> None:
    doc = load(tmp_path, """
  Live:
    Type: AWS::Lambda::Alias
    Properties:
      FunctionName: !Ref Monolith
      FunctionVersion: "$LATEST"
      Name: live
""" + RULE.format(extra="").replace("!GetAtt Monolith.Arn", "!Ref Live"))
    with pytest.raises(Refusal) as raised:
        split(doc)
    assert "Targets[0].Arn" in raised.value.message and "!GetAtt Monolith.Arn" in raised.value.hint


def test_a_schedule_refuses(tmp_path: Path) -> None:
    doc = load(tmp_path, """
  Rule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 day)
      Targets:
        - Id: nightly
          Arn: !GetAtt Monolith.Arn
""")
    with pytest.raises(Refusal) as raised:
        split(doc)
    assert "no EventPattern" in raised.value.message and "schedule" in raised.value.message


def test_retiring_deletes_a_rule_that_only_targets_the_monolith(tmp_path: Path) -> None:
    doc = rule_doc(tmp_path)
    assert EVENT_RULES.retire(doc, invoker(doc), "here").replacement is DELETE


def test_retiring_keeps_the_other_targets_of_a_rule(tmp_path: Path) -> None:
    other = """        - Id: audit
          Arn: arn:aws:sqs:eu-west-1:123456789012:audit
"""
    doc = rule_doc(tmp_path, other)
    answer = EVENT_RULES.retire(doc, invoker(doc), "here")
    assert [t["Id"] for t in intended(answer.replacement)["Properties"]["Targets"]] == ["audit"]


def test_retiring_refuses_a_rule_that_names_it_by_a_physical_arn_too(tmp_path: Path) -> None:
    other = """        - Id: by-name
          Arn: arn:aws:lambda:eu-west-1:123456789012:function:payments-monolith
"""
    doc = load(tmp_path, RULE.format(extra=other))
    doc.data["Resources"]["Monolith"]["Properties"]["FunctionName"] = "payments-monolith"
    assert EVENT_RULES.retire(doc, invoker(doc), "here") is None


def test_a_json_template_gets_long_forms(tmp_path: Path) -> None:
    yaml_doc = rule_doc(tmp_path)
    path = tmp_path / "template.json"
    path.write_text(json.dumps(intended(yaml_doc.data), indent=2), encoding="utf-8")
    doc = TemplateDocument.load(path)
    result = split(doc)
    assert result.added[0][1]["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": ["CapturedFunction", "Arn"]}
    assert result.added[1][1]["Properties"]["SourceArn"] == {"Fn::GetAtt": ["CapturedFunctionRule", "Arn"]}
