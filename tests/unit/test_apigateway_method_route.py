"""AWS::ApiGateway::Method: which method carries an action, how it is re-pointed, and the
deployment made again so the stage serves the change."""

from __future__ import annotations

from pathlib import Path

import pytest
from samtranslator.yaml_helper import yaml_parse

from strangler.model import EventPath
from strangler.sources.base import Refusal
from strangler.sources.resources.apigateway_method import METHODS, resource_path
from strangler.template.document import TemplateDocument
from strangler.template.invokers import invokers_of
from strangler.template.resources import apply_resources
from tests.support import samcheck
from tests.support.hostile import accepted, app_copy, edit, refused

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "fixtures" / "cfn-rest-inventory" / "before" / "template.yaml"
ROUTE = EventPath(("method+path",))
METHOD_ONLY = EventPath(("httpMethod",))
RESOURCE_ONLY = EventPath(("resource",))
WHERE = "template.yaml: Resources.InventoryFunction"


def _doc(text: str | None = None, tmp_path: Path | None = None) -> TemplateDocument:
    if text is None:
        return TemplateDocument.load(TEMPLATE)
    assert tmp_path is not None
    path = tmp_path / "template.yaml"
    path.write_text(text)
    return TemplateDocument.load(path)


def _invoker(doc: TemplateDocument, logical_id: str):
    return next(i for i in invokers_of(doc.data, "InventoryFunction") if i.logical_id == logical_id)


def test_every_method_of_the_monolith_is_an_invoker_the_route_knows() -> None:
    doc = _doc()
    kinds = {i.logical_id: i.kind for i in invokers_of(doc.data, "InventoryFunction")}
    assert [k for k, kind in kinds.items() if kind == "AWS::ApiGateway::Method"] == [
        "ListItemsMethod", "CreateItemMethod", "GetItemMethod", "DeleteItemMethod", "AdjustStockMethod"]
    assert all(METHODS.recognises(kind) for kind in kinds.values() if kind.startswith("AWS::ApiGateway"))


@pytest.mark.parametrize(("method", "path"), [
    ("ListItemsMethod", "/items"), ("GetItemMethod", "/items/{sku}"), ("AdjustStockMethod", "/items/{sku}/stock"),
])
def test_the_path_is_the_chain_of_path_parts_up_to_the_root(method, path) -> None:
    doc = _doc()
    assert resource_path(doc, doc.data["Resources"][method]["Properties"], method, WHERE) == path


def test_the_method_of_the_route_moves_and_no_other() -> None:
    doc = _doc()
    moved = METHODS.split(doc, _invoker(doc, "GetItemMethod"), "GET /items/{sku}", ROUTE, "GetItemFunction", WHERE)
    assert moved.delivers and moved.replacement["Properties"]["Integration"]["Uri"].value.endswith(
        "${GetItemFunction.Arn}/invocations")
    # the template itself is not touched by the route
    assert "${InventoryFunction.Arn}" in doc.data["Resources"]["GetItemMethod"]["Properties"]["Integration"]["Uri"].value
    for other in ("ListItemsMethod", "DeleteItemMethod", "AdjustStockMethod"):
        unchanged = METHODS.split(doc, _invoker(doc, other), "GET /items/{sku}", ROUTE, "GetItemFunction", WHERE)
        assert unchanged.replacement is None and not unchanged.added and not unchanged.delivers


def test_a_join_uri_is_re_pointed_in_its_own_syntax() -> None:
    doc = _doc()
    moved = METHODS.split(doc, _invoker(doc, "AdjustStockMethod"), "POST /items/{sku}/stock", ROUTE, "StockFunction", WHERE)
    parts = moved.replacement["Properties"]["Integration"]["Uri"][1]
    assert parts[3].tag.value == "!GetAtt" and parts[3].value == "StockFunction.Arn"


def test_a_method_only_key_moves_that_method_of_every_path() -> None:
    doc = _doc()
    moved = [i for i in ("ListItemsMethod", "CreateItemMethod", "GetItemMethod", "DeleteItemMethod", "AdjustStockMethod")
             if METHODS.split(doc, _invoker(doc, i), "POST", METHOD_ONLY, "PostFunction", WHERE).delivers]
    assert moved == ["CreateItemMethod", "AdjustStockMethod"]


def test_a_resource_only_key_moves_every_method_of_that_path() -> None:
    doc = _doc()
    moved = [i for i in ("ListItemsMethod", "CreateItemMethod", "GetItemMethod", "DeleteItemMethod", "AdjustStockMethod")
             if METHODS.split(doc, _invoker(doc, i), "/items/{sku}", RESOURCE_ONLY, "ItemFunction", WHERE).delivers]
    assert moved == ["GetItemMethod", "DeleteItemMethod"]


def test_an_any_method_gets_the_explicit_method_beside_it(tmp_path: Path) -> None:
    text = TEMPLATE.read_text().replace("      ResourceId: !Ref ItemResource\n      HttpMethod: DELETE\n",
                                        "      ResourceId: !Ref ItemResource\n      HttpMethod: ANY\n")
    doc = _doc(text, tmp_path)
    split = METHODS.split(doc, _invoker(doc, "DeleteItemMethod"), "DELETE /items/{sku}", ROUTE, "DeleteFunction", WHERE)
    assert split.replacement is None and split.delivers
    (added_id, added), = split.added
    assert added_id == "DeleteItemMethodDelete" and added["Properties"]["HttpMethod"] == "DELETE"
    assert added["Metadata"]["Strangler"] == {"SplitFrom": "DeleteItemMethod", "Action": "DELETE /items/{sku}"}
    assert "${DeleteFunction.Arn}" in added["Properties"]["Integration"]["Uri"].value


def test_a_key_that_is_no_route_is_refused() -> None:
    doc = _doc()
    with pytest.raises(Refusal, match="not a route of the form"):
        METHODS.split(doc, _invoker(doc, "GetItemMethod"), "items", ROUTE, "F", WHERE)
    with pytest.raises(Refusal, match="routes on method and resource path only"):
        METHODS.split(doc, _invoker(doc, "GetItemMethod"), "x", EventPath(("body", "op")), "F", WHERE)


def test_applying_a_changed_method_replaces_the_deployment_and_re_points_the_stage() -> None:
    doc = _doc()
    split = METHODS.split(doc, _invoker(doc, "GetItemMethod"), "GET /items/{sku}", ROUTE, "GetItemFunction", WHERE)
    apply_resources(doc, [split])
    resources = doc.data["Resources"]
    assert "InventoryApiDeployment" not in resources
    (new_id,) = [i for i, r in resources.items() if r["Type"] == "AWS::ApiGateway::Deployment"]
    assert new_id.startswith("InventoryApiDeployment") and len(new_id) == len("InventoryApiDeployment") + 10
    assert list(resources[new_id]["DependsOn"]) == [
        "ListItemsMethod", "CreateItemMethod", "GetItemMethod", "DeleteItemMethod", "AdjustStockMethod"]
    assert resources["InventoryApiStage"]["Properties"]["DeploymentId"].value == new_id
    assert resources[new_id]["Metadata"]["Strangler"] == {"RedeployOf": "InventoryApiDeployment"}
    # the deployment stays where it was, with the comment above it
    order = list(resources)
    assert order.index(new_id) == order.index("InventoryApiStage") - 1
    assert "# a deployment is a snapshot" in doc.dump()


def test_a_deployment_that_lists_no_method_is_made_to_wait_for_every_one(tmp_path: Path) -> None:
    text = TEMPLATE.read_text()
    start = text.index("    DependsOn:\n      - ListItemsMethod")
    end = text.index("    Properties:\n      RestApiId: !Ref InventoryApi\n      Description: inventory-api")
    # Outputs is the last section: one more output names the deployment
    text = text[:start] + text[end:] + "  ApiDeploymentId:\n    Value: !Ref InventoryApiDeployment\n"
    doc = _doc(text, tmp_path)
    split = METHODS.split(doc, _invoker(doc, "ListItemsMethod"), "GET /items", ROUTE, "ListFunction", WHERE)
    apply_resources(doc, [split])
    (new_id,) = [i for i, r in doc.data["Resources"].items() if r["Type"] == "AWS::ApiGateway::Deployment"]
    assert list(doc.data["Resources"][new_id]["DependsOn"]) == [
        "ListItemsMethod", "CreateItemMethod", "GetItemMethod", "DeleteItemMethod", "AdjustStockMethod"]
    assert doc.data["Outputs"]["ApiDeploymentId"]["Value"].value == new_id


def test_one_run_each_ends_with_the_deployment_of_one_run_for_all(tmp_path: Path) -> None:
    stepwise = app_copy("cfn-rest-inventory", tmp_path / "stepwise")
    accepted(stepwise, "extract", "GET /items")
    first = yaml_parse((stepwise / "template.yaml").read_text())["Resources"]
    accepted(stepwise, "extract", "DELETE /items/{sku}")
    at_once = app_copy("cfn-rest-inventory", tmp_path / "at-once")
    accepted(at_once, "extract", "GET /items", "DELETE /items/{sku}")
    ids = [
        sorted(i for i, r in yaml_parse((app / "template.yaml").read_text())["Resources"].items()
               if r["Type"] == "AWS::ApiGateway::Deployment")
        for app in (stepwise, at_once)
    ]
    assert ids[0] == ids[1] and len(ids[0]) == 1
    # each run deployed again: the id after one action is neither the original nor the last
    (middle,) = [i for i, r in first.items() if r["Type"] == "AWS::ApiGateway::Deployment"]
    assert middle not in ("InventoryApiDeployment", ids[0][0])
    samcheck.assert_valid(stepwise / "template.yaml")


def test_retiring_with_a_method_left_on_the_monolith_refuses(tmp_path: Path) -> None:
    app = app_copy("cfn-rest-inventory", tmp_path)
    # a catch-all method no action claims: it would call nothing once the monolith is gone
    edit(app / "template.yaml", "  # a deployment is a snapshot", (
        "  HealthMethod:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref InventoryApi\n"
        "      ResourceId: !GetAtt InventoryApi.RootResourceId\n      HttpMethod: GET\n      AuthorizationType: NONE\n"
        "      Integration:\n        Type: AWS_PROXY\n        IntegrationHttpMethod: POST\n"
        "        Uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
        "${InventoryFunction.Arn}/invocations\n\n  # a deployment is a snapshot"))
    refused(app, "migrate", names=("HealthMethod", "InventoryFunction"))


def test_a_deployment_that_makes_its_own_stage_is_replaced_with_its_stage_name(tmp_path: Path) -> None:
    text = TEMPLATE.read_text()
    stage = text.index("  InventoryApiStage:")
    text = text[:stage] + text[text.index("Outputs:"):]
    text = text.replace("      Description: inventory-api\n", "      Description: inventory-api\n      StageName: !Ref Stage\n\n")
    doc = _doc(text, tmp_path)
    apply_resources(doc, [METHODS.split(doc, _invoker(doc, "ListItemsMethod"), "GET /items", ROUTE, "ListFunction", WHERE)])
    (new_id,) = [i for i, r in doc.data["Resources"].items() if r["Type"] == "AWS::ApiGateway::Deployment"]
    assert new_id != "InventoryApiDeployment"
    assert doc.data["Resources"][new_id]["Properties"]["StageName"].value == "Stage"


def test_a_json_template_is_split_and_deployed_again_in_json(tmp_path: Path) -> None:
    import json

    app = app_copy("cfn-rest-inventory", tmp_path)
    data = samcheck.load_template(app / "template.yaml")
    (app / "template.yaml").unlink()
    (app / "template.json").write_text(json.dumps(data, indent=2) + "\n")
    accepted(app, "extract", "GET /items/{sku}")
    written = json.loads((app / "template.json").read_text())
    resources = written["Resources"]
    (new_id,) = [i for i, r in resources.items() if r["Type"] == "AWS::ApiGateway::Deployment"]
    assert resources["InventoryApiStage"]["Properties"]["DeploymentId"] == {"Ref": new_id}
    assert resources["GetItemMethod"]["Properties"]["Integration"]["Uri"]["Fn::Sub"].endswith(
        "${GetItemsSkuFunction.Arn}/invocations")
    assert resources["GetItemsSkuFunction"]["Properties"]["Role"] == {"Fn::GetAtt": ["GetItemsSkuFunctionRole", "Arn"]}
    assert "RoleName" not in resources["GetItemsSkuFunctionRole"]["Properties"]
    samcheck.assert_valid(app / "template.json")
