"""A standalone AWS::SNS::Subscription to the monolith is split like an SNS event: the new
function gets a filtered copy and a permission for the topic, the monolith's subscription
excludes the action or goes (with its permission), and what cannot be split refuses."""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path

import pytest

from strangler.model import DELETE, EACH, JSON, EventPath
from strangler.sources.base import Refusal
from strangler.sources.resources.permission import PERMISSIONS
from strangler.sources.resources.sns_subscription import SNS_SUBSCRIPTIONS
from strangler.template.document import TemplateDocument, intended
from strangler.template.invokers import invokers_of

ATTRIBUTE = EventPath(("Records", EACH, "Sns", "MessageAttributes", "notice", "Value"))
BODY = EventPath(("Records", EACH, "Sns", "Message", JSON, "kind"))
TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Monolith:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
  Subscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: lambda
      Endpoint: !GetAtt Monolith.Arn
      RedrivePolicy:
        deadLetterTargetArn: arn:aws:sqs:eu-west-1:123456789012:dlq
      FilterPolicy:
        notice: [receipt, refund_receipt]
  TopicPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Monolith
      Principal: sns.amazonaws.com
      SourceArn: !Ref Topic
"""


def load(tmp_path: Path, text: str = TEMPLATE) -> TemplateDocument:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return TemplateDocument.load(path)


def invoker(doc: TemplateDocument, logical_id: str = "Subscription"):
    return next(i for i in invokers_of(doc.data, "Monolith") if i.logical_id == logical_id)


def split(doc: TemplateDocument, key: str = "refund_receipt", path: EventPath = ATTRIBUTE, logical_id: str = "Subscription"):
    route = SNS_SUBSCRIPTIONS if logical_id == "Subscription" else PERMISSIONS
    return route.split(doc, invoker(doc, logical_id), key, path, "RefundFunction", f"template.yaml: Resources.{logical_id}")


def test_the_new_function_gets_a_filtered_copy_and_a_permission(tmp_path: Path) -> None:
    doc = load(tmp_path)
    before = copy.deepcopy(intended(doc.data))
    result = split(doc)
    assert intended(doc.data) == before
    (sub_id, subscription), (permission_id, permission) = result.added
    assert (sub_id, permission_id) == ("RefundFunctionSubscription", "RefundFunctionSubscriptionPermission")
    new = intended(subscription)["Properties"]
    assert new["FilterPolicy"] == {"notice": ["refund_receipt"]}
    assert new["Endpoint"] == {"Fn::GetAtt": ["RefundFunction", "Arn"]}
    assert new["RedrivePolicy"] == {"deadLetterTargetArn": "arn:aws:sqs:eu-west-1:123456789012:dlq"}
    assert intended(permission)["Properties"]["SourceArn"] == {"Ref": "Topic"}
    assert intended(permission)["Properties"]["Principal"] == "sns.amazonaws.com"
    assert intended(result.replacement)["Properties"]["FilterPolicy"] == {"notice": ["receipt"]}
    # the monolith's own permission is the subscription's: not copied, kept while it stays
    assert split(doc, logical_id="TopicPermission").replacement is None


def test_the_last_value_deletes_the_subscription_and_its_permission(tmp_path: Path) -> None:
    doc = load(tmp_path, TEMPLATE.replace("[receipt, refund_receipt]", "[refund_receipt]"))
    assert split(doc).replacement is DELETE
    assert split(doc, logical_id="TopicPermission").replacement is DELETE


def test_a_subscription_without_a_filter_excludes_the_action(tmp_path: Path) -> None:
    doc = load(tmp_path, TEMPLATE.replace("      FilterPolicy:\n        notice: [receipt, refund_receipt]\n", ""))
    result = split(doc, key="welcome", path=BODY)
    assert intended(result.replacement)["Properties"]["FilterPolicy"] == {
        "kind": [{"anything-but": ["welcome"]}, {"exists": False}]}
    assert intended(result.replacement)["Properties"]["FilterPolicyScope"] == "MessageBody"
    assert intended(result.added[0][1])["Properties"]["FilterPolicyScope"] == "MessageBody"
    assert "not a JSON object" in result.note


def test_a_value_the_filter_does_not_let_through_is_left_alone(tmp_path: Path) -> None:
    result = split(load(tmp_path), key="newsletter")
    assert result.replacement is None and not result.added and not result.delivers


def test_a_filter_policy_written_as_a_string_refuses(tmp_path: Path) -> None:
    doc = load(tmp_path, TEMPLATE.replace("      FilterPolicy:\n        notice: [receipt, refund_receipt]\n",
                                          "      FilterPolicy: '{\"notice\": [\"receipt\", \"refund_receipt\"]}'\n"))
    with pytest.raises(Refusal) as raised:
        split(doc)
    assert "string" in raised.value.message and "Subscription" in raised.value.message


def test_an_endpoint_through_an_alias_refuses(tmp_path: Path) -> None:
    doc = load(tmp_path, TEMPLATE.replace("!GetAtt Monolith.Arn", "!Ref Live") + """
  Live:
    Type: AWS::Lambda::Alias
    Properties:
      FunctionName: !Ref Monolith
      FunctionVersion: "$LATEST"
      Name: live
""")
    with pytest.raises(Refusal) as raised:
        split(doc)
    assert "Endpoint" in raised.value.message


def test_a_key_sns_cannot_filter_on_refuses(tmp_path: Path) -> None:
    with pytest.raises(Refusal) as raised:
        split(load(tmp_path), path=EventPath(("action",)))
    assert "Subscription (AWS::SNS::Subscription)" in raised.value.message


def test_retiring_deletes_the_subscription(tmp_path: Path) -> None:
    doc = load(tmp_path)
    assert SNS_SUBSCRIPTIONS.retire(doc, invoker(doc), "here").replacement is DELETE
