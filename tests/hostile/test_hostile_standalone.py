"""Standalone routes (a rule, a subscription, raw HTTP API routes) that cannot be split
safely refuse, name the resource and leave the tree untouched; the safe ones work in a JSON
template too, and no permission is left naming a resource that is gone."""

from __future__ import annotations

import json
from pathlib import Path

from samtranslator.yaml_helper import yaml_parse

from strangler.verify import routing
from tests.support import samcheck
from tests.support.hostile import accepted, app_copy, edit, refused

APP = "standalone-rule-payments"


def test_a_rule_with_another_target_refuses(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path, git_repo=True)
    edit(app / "template.yaml", "            MaximumEventAgeInSeconds: 3600\n", """            MaximumEventAgeInSeconds: 3600
        - Id: audit-log
          Arn: !Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/payments/audit
""")
    message = refused(app, "extract", "PaymentCaptured", names=("PaymentEventsRule", "AWS::Events::Rule", "audit-log"))
    assert "Resources.PaymentEventsRule" in message and "rule of its own" in message


def test_a_rule_sending_a_constant_input_refuses(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path)
    edit(app / "template.yaml", "          Arn: !GetAtt PaymentsFunction.Arn\n",
         "          Arn: !GetAtt PaymentsFunction.Arn\n          Input: '{\"detail-type\": \"PaymentCaptured\"}'\n")
    refused(app, "migrate", names=("PaymentEventsRule", "constant Input"))


def test_a_default_route_that_serves_the_action_refuses(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path)
    edit(app / "template.yaml", "      RouteKey: GET /health", "      RouteKey: $default")
    refused(app, "extract", "GET /health", names=("AdminIntegration", "HealthRoute", "$default"))


def test_an_api_deployed_by_a_snapshot_refuses(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path)
    edit(app / "template.yaml", "  AdminIntegration:\n", """  AdminDeployment:
    Type: AWS::ApiGatewayV2::Deployment
    DependsOn: [GetPaymentRoute, RefundPaymentRoute, HealthRoute]
    Properties:
      ApiId: !Ref AdminApi

  AdminIntegration:
""")
    refused(app, "extract", "GET /health", names=("AdminIntegration", "AdminDeployment", "AutoDeploy"))


def test_a_subscription_with_a_string_filter_policy_refuses(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path)
    edit(app / "template.yaml", """      FilterPolicy:
        notice:
          - receipt
          - refund_receipt
          - dispute_letter
""", """      FilterPolicy: '{"notice": ["receipt", "refund_receipt", "dispute_letter"]}'
""")
    refused(app, "extract", "receipt", names=("ReceiptsSubscription", "FilterPolicy", "string"))


def test_scan_says_why(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path)
    edit(app / "template.yaml", "      RouteKey: GET /health", "      RouteKey: $default")
    output = accepted(app, "scan").output
    assert "REFUSED: AdminIntegration (AWS::ApiGatewayV2::Integration)" in output
    assert "PaymentCaptured" in output and "PaymentEventsRule" in output


def test_a_json_template_migrates_with_long_forms(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path)
    data = yaml_parse((app / "template.yaml").read_text(encoding="utf-8"))
    (app / "template.yaml").unlink()
    (app / "template.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    accepted(app, "migrate")
    result = json.loads((app / "template.json").read_text(encoding="utf-8"))["Resources"]
    assert result["PaymentCapturedFunctionPaymentEventsRule"]["Properties"]["Targets"][0]["Arn"] == {
        "Fn::GetAtt": ["PaymentCapturedFunction", "Arn"]}
    assert result["HealthRoute"]["Properties"]["Target"] == {
        "Fn::Join": ["/", ["integrations", {"Ref": "GetHealthFunctionAdminIntegration"}]]}
    gone = {"PaymentEventsRule", "PaymentEventsPermission", "ReceiptsSubscription", "ReceiptsTopicPermission",
            "AdminIntegration", "AdminApiPermission"}
    assert not gone & set(result)
    samcheck.assert_valid(app / "template.json")
    assert routing.unpermitted(samcheck.translate(app / "template.json")) == []


def test_every_split_resource_is_let_in_and_nothing_names_what_is_gone(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path)
    accepted(app, "extract", "PaymentCaptured", "dispute_letter", "GET /health")
    cfn = samcheck.translate(app / "template.yaml")
    assert routing.unpermitted(cfn) == []
    accepted(app, "migrate")
    cfn = samcheck.translate(app / "template.yaml")
    assert routing.unpermitted(cfn) == []
    permissions = [r for r in cfn["Resources"].values() if r["Type"] == "AWS::Lambda::Permission"]
    assert all(
        not isinstance(p["Properties"].get("SourceArn"), dict)
        or "Fn::GetAtt" not in p["Properties"]["SourceArn"]
        or p["Properties"]["SourceArn"]["Fn::GetAtt"][0] in cfn["Resources"]
        for p in permissions
    )
