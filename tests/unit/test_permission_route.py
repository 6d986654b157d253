"""A permission for a service declared in the template goes with every new function and
leaves with the monolith; a permission for a source the template does not show refuses."""

from __future__ import annotations

from pathlib import Path

from samtranslator.yaml_helper import yaml_parse

from tests.support import samcheck
from tests.support.hostile import accepted, app_copy, edit, refused

PERMISSION = """
  OrdersFromBusPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !GetAtt OrdersFunction.Arn
      Principal: events.amazonaws.com
      SourceArn: {source}

"""
ANCHOR = "  # Single-table design: pk = ORDER#<id>, sk = META\n"


def orders(tmp_path: Path, source: str) -> Path:
    app = app_copy("eventbridge-orders", tmp_path)
    edit(app / "template.yaml", ANCHOR, PERMISSION.format(source=source).lstrip("\n") + ANCHOR)
    return app


def resources(app: Path) -> dict:
    return yaml_parse((app / "template.yaml").read_text())["Resources"]


def test_each_new_function_gets_a_copy_named_after_it(tmp_path: Path) -> None:
    app = orders(tmp_path, "!GetAtt ShopEventBus.Arn")
    accepted(app, "extract", "OrderShipped")
    copy = resources(app)["OrderShippedFunctionOrdersFromBusPermission"]
    assert copy["Properties"]["FunctionName"] == {"Ref": "OrderShippedFunction"}
    assert copy["Properties"]["SourceArn"] == {"Fn::GetAtt": ["ShopEventBus", "Arn"]}
    assert copy["Metadata"]["Strangler"] == {"SplitFrom": "OrdersFromBusPermission", "Action": "OrderShipped"}
    assert "OrdersFromBusPermission" in resources(app)
    samcheck.assert_valid(app / "template.yaml")


def test_the_monolith_permission_leaves_with_the_monolith(tmp_path: Path) -> None:
    app = orders(tmp_path, "!GetAtt ShopEventBus.Arn")
    accepted(app, "migrate")
    left = resources(app)
    assert "OrdersFunction" not in left and "OrdersFromBusPermission" not in left
    assert sum(1 for r in left.values() if r["Type"] == "AWS::Lambda::Permission") == 4
    samcheck.assert_valid(app / "template.yaml")


def test_a_source_outside_the_template_refuses(tmp_path: Path) -> None:
    app = orders(tmp_path, "arn:aws:events:eu-west-1:123456789012:rule/other-stack")
    refused(app, "extract", "OrderShipped", names=("OrdersFromBusPermission", "names no resource of this template"))
