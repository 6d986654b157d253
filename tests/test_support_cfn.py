"""The test support for plain CloudFormation: packaging Code, routing REST events through
AWS::ApiGateway::Method resources, finding the handlers of AWS::Lambda::Function."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from strangler.verify import routing
from tests.support import samcheck
from tests.support.apps import FIXTURES, scenario

APP = FIXTURES / "cfn-rest-inventory" / "before"


def test_a_plain_template_is_packaged_and_linted_not_translated() -> None:
    cfn = samcheck.assert_valid(APP / "template.yaml")
    assert cfn["Resources"]["InventoryFunction"]["Properties"]["Code"] == {"S3Bucket": "bucket", "S3Key": "src.zip"}
    assert "Transform" not in cfn and cfn["Resources"]["InventoryApiDeployment"]["Type"] == "AWS::ApiGateway::Deployment"


def test_a_code_folder_that_is_missing_fails_packaging(tmp_path: Path) -> None:
    template = samcheck.load_template(APP / "template.yaml")
    with pytest.raises(AssertionError, match="src/"):
        samcheck.package(template, tmp_path)


def test_the_handler_of_a_plain_function_is_found_without_globals() -> None:
    code = samcheck.function_code(APP / "template.yaml")
    assert code["InventoryFunction"].code_dir == APP / "src"
    assert code["InventoryFunction"].handler == "app.lambda_handler"
    assert set(code["InventoryFunction"].environment) == {"TABLE_NAME", "LOW_STOCK_THRESHOLD", "LOG_LEVEL"}


def test_method_routes_follow_the_resource_chain() -> None:
    cfn = samcheck.translate(APP / "template.yaml")
    routes = {(r.method, r.path): r.function for r in routing.method_routes(cfn, "InventoryApi")}
    assert routes == {
        ("GET", "/items"): "InventoryFunction", ("POST", "/items"): "InventoryFunction",
        ("GET", "/items/{sku}"): "InventoryFunction", ("DELETE", "/items/{sku}"): "InventoryFunction",
        ("POST", "/items/{sku}/stock"): "InventoryFunction",  # through its !Join URI
    }


def test_every_scenario_event_reaches_the_monolith_and_unrouted_ones_nothing() -> None:
    cfn = samcheck.translate(APP / "template.yaml")
    story = scenario("cfn-rest-inventory")
    assert all(routing.targets(cfn, event) == {"InventoryFunction"} for _, event in story.EVENTS)
    assert all(routing.targets(cfn, event) == set() for event in story.UNROUTED_EVENTS)


def test_a_method_the_served_deployment_does_not_wait_for_is_not_served() -> None:
    cfn = copy.deepcopy(samcheck.translate(APP / "template.yaml"))
    cfn["Resources"]["InventoryApiDeployment"]["DependsOn"].remove("GetItemMethod")
    event = next(e for key, e in scenario("cfn-rest-inventory").EVENTS if key == "GET /items/{sku}")
    assert routing.targets(cfn, event) == set()
