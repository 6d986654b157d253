"""Raw HTTP API routes behind one AWS::ApiGatewayV2::Integration of the monolith: the route
whose key is the action is re-pointed at a new integration of the new function, with a
permission; a route that catches other requests too, a deployment snapshot or a key that
is not the route key refuses."""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path

import pytest

from strangler.model import DELETE, EventPath
from strangler.sources.base import Refusal
from strangler.sources.resources.http_integration import HTTP_INTEGRATIONS
from strangler.sources.resources.permission import PERMISSIONS
from strangler.template.document import TemplateDocument, intended
from strangler.template.invokers import invokers_of

ROUTE_KEY = EventPath(("routeKey",))
TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Monolith:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: admin
      ProtocolType: HTTP
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: $default
      AutoDeploy: true
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Join ["", ["arn:aws:apigateway:", !Ref AWS::Region, ":lambda:path/2015-03-31/functions/", !GetAtt Monolith.Arn, "/invocations"]]
      PayloadFormatVersion: "2.0"
  GetRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: GET /payments/{id}
      Target: !Join [/, [integrations, !Ref Integration]]
  RefundRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: POST /payments/{id}/refund
      Target: !Sub integrations/${Integration}
  ApiPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Monolith
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*
"""


def load(tmp_path: Path, text: str = TEMPLATE) -> TemplateDocument:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return TemplateDocument.load(path)


def invoker(doc: TemplateDocument, logical_id: str = "Integration"):
    return next(i for i in invokers_of(doc.data, "Monolith") if i.logical_id == logical_id)


def split(doc: TemplateDocument, key: str = "POST /payments/{id}/refund", path: EventPath = ROUTE_KEY):
    return HTTP_INTEGRATIONS.split(doc, invoker(doc), key, path, "RefundFunction", "template.yaml: Resources.Integration")


def test_the_route_of_the_action_gets_an_integration_of_the_new_function(tmp_path: Path) -> None:
    doc = load(tmp_path)
    before = copy.deepcopy(intended(doc.data))
    result = split(doc)
    assert intended(doc.data) == before
    assert result.logical_id == "RefundRoute" and result.delivers
    assert intended(result.replacement)["Properties"]["Target"] == {"Fn::Sub": "integrations/${RefundFunctionIntegration}"}
    (integration_id, integration), (permission_id, permission) = result.added
    assert (integration_id, permission_id) == ("RefundFunctionIntegration", "RefundFunctionIntegrationPermission")
    uri = intended(integration)["Properties"]["IntegrationUri"]
    assert uri["Fn::Join"][1][3] == {"Fn::GetAtt": ["RefundFunction", "Arn"]}
    assert uri["Fn::Join"][1][1] == {"Ref": "AWS::Region"}
    assert intended(permission)["Properties"]["SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*"}
    # the monolith's permission for the API is the integration's: kept, not copied
    answer = PERMISSIONS.split(doc, invoker(doc, "ApiPermission"), "POST /payments/{id}/refund", ROUTE_KEY,
                               "RefundFunction", "template.yaml: Resources.ApiPermission")
    assert answer.replacement is None and not answer.added


def test_a_join_target_is_re_pointed_in_its_own_form(tmp_path: Path) -> None:
    result = split(load(tmp_path), key="GET /payments/{id}")
    assert intended(result.replacement)["Properties"]["Target"] == {
        "Fn::Join": ["/", ["integrations", {"Ref": "RefundFunctionIntegration"}]]}


def test_an_action_no_route_serves_is_left_alone(tmp_path: Path) -> None:
    result = split(load(tmp_path), key="GET /health")
    assert result.logical_id == "Integration" and result.replacement is None and not result.delivers


@pytest.mark.parametrize("catch_all", ["$default", "ANY /health", "GET /{proxy+}"])
def test_a_route_that_serves_other_requests_too_refuses(tmp_path: Path, catch_all: str) -> None:
    doc = load(tmp_path, TEMPLATE.replace("RouteKey: GET /payments/{id}", f"RouteKey: {catch_all}"))
    with pytest.raises(Refusal) as raised:
        split(doc, key="GET /health")
    assert "GetRoute" in raised.value.message and "add a route 'GET /health'" in raised.value.hint


def test_a_deployment_snapshot_refuses(tmp_path: Path) -> None:
    doc = load(tmp_path, TEMPLATE + """
  Deployment:
    Type: AWS::ApiGatewayV2::Deployment
    Properties:
      ApiId: !Ref Api
""")
    with pytest.raises(Refusal) as raised:
        split(doc)
    assert "Deployment" in raised.value.message and "AutoDeploy" in raised.value.hint


@pytest.mark.parametrize(("stage", "named"), [
    ("      AutoDeploy: true\n", "Stage does not deploy"),
    ("", "no stage of this template"),
])
def test_a_stage_that_does_not_deploy_by_itself_refuses(tmp_path: Path, stage: str, named: str) -> None:
    text = TEMPLATE.replace("      AutoDeploy: true\n", "") if stage else TEMPLATE.replace(
        "  Stage:\n    Type: AWS::ApiGatewayV2::Stage\n    Properties:\n      ApiId: !Ref Api\n"
        "      StageName: $default\n      AutoDeploy: true\n", "")
    with pytest.raises(Refusal) as raised:
        split(load(tmp_path, text))
    assert named in raised.value.message and "AutoDeploy" in raised.value.hint


def test_a_key_that_is_not_the_route_key_refuses(tmp_path: Path) -> None:
    with pytest.raises(Refusal) as raised:
        split(load(tmp_path), path=EventPath(("body",)))
    assert "route key" in raised.value.message


def test_retiring_waits_for_every_route_to_leave(tmp_path: Path) -> None:
    doc = load(tmp_path)
    assert HTTP_INTEGRATIONS.retire(doc, invoker(doc), "here") is None
    for route in ("GetRoute", "RefundRoute"):
        del doc.data["Resources"][route]
    assert HTTP_INTEGRATIONS.retire(doc, invoker(doc), "here").replacement is DELETE
