"""Plain CloudFormation that strangler must refuse, or take with a report: code that is not
a local folder, a URI it cannot re-point, a name that would be created twice."""

from __future__ import annotations

from pathlib import Path

from samtranslator.yaml_helper import yaml_parse

from strangler.verify import routing
from tests.support import samcheck
from tests.support.apps import scenario
from tests.support.hostile import accepted, app_copy, edit, refused

APP = "cfn-rest-inventory"
KEY = "GET /items/{sku}"
CODE = "      Code: src/\n"


def inventory(tmp_path: Path) -> Path:
    return app_copy(APP, tmp_path)


def test_inline_zipfile_code_is_refused_with_what_to_do(tmp_path: Path) -> None:
    app = inventory(tmp_path)
    edit(app / "template.yaml", CODE, "      Code:\n        ZipFile: |\n          def lambda_handler(event, context):\n            return {}\n")
    output = refused(app, "extract", KEY, names=("InventoryFunction", "ZipFile", "Code: src/"))
    assert "Traceback" not in output


def test_code_in_s3_is_refused(tmp_path: Path) -> None:
    app = inventory(tmp_path)
    edit(app / "template.yaml", CODE, "      Code:\n        S3Bucket: artifacts-123456789012\n        S3Key: inventory/src.zip\n")
    refused(app, "extract", KEY, names=("InventoryFunction", "S3", "aws cloudformation package"))


def test_an_s3_uri_string_is_refused(tmp_path: Path) -> None:
    app = inventory(tmp_path)
    edit(app / "template.yaml", CODE, "      Code: s3://artifacts-123456789012/inventory/src.zip\n")
    refused(app, "extract", KEY, names=("InventoryFunction", "s3://artifacts-123456789012/inventory/src.zip"))


def test_a_code_folder_that_does_not_exist_names_code(tmp_path: Path) -> None:
    app = inventory(tmp_path)
    edit(app / "template.yaml", CODE, "      Code: build/inventory/\n")
    refused(app, "extract", KEY, names=("InventoryFunction", "Code build/inventory/", "does not exist"))


def test_a_method_whose_uri_is_a_literal_arn_is_refused(tmp_path: Path) -> None:
    app = inventory(tmp_path)
    old = ("${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${InventoryFunction.Arn}/invocations")
    literal = ("aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
               "arn:aws:lambda:us-east-1:123456789012:function:inventory-api-${Stage}/invocations")
    # the third method with that URI is GetItemMethod: only it names the function by its name
    text = (app / "template.yaml").read_text()
    first = text.index(old)
    second = text.index(old, first + 1)
    third = text.index(old, second + 1)
    (app / "template.yaml").write_text(text[:third] + literal + text[third + len(old):])
    refused(app, "extract", KEY, names=("GetItemMethod", "cannot re-point", "InventoryFunction.Arn"))


def test_a_method_on_a_resource_of_another_stack_is_refused(tmp_path: Path) -> None:
    app = inventory(tmp_path)
    edit(app / "template.yaml", "      ResourceId: !Ref ItemResource\n      HttpMethod: GET\n",
         "      ResourceId: !ImportValue shared-api-item-resource\n      HttpMethod: GET\n")
    refused(app, "extract", KEY, names=("GetItemMethod", "RootResourceId", "cannot tell its path"))


def test_the_function_name_is_never_created_twice(tmp_path: Path) -> None:
    app = inventory(tmp_path)
    result = accepted(app, "extract", KEY)
    assert "FunctionName of InventoryFunction not copied" in result.output
    assert "without its RoleName" in result.output
    resources = yaml_parse((app / "template.yaml").read_text())["Resources"]
    names = [r["Properties"].get("FunctionName") for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]
    assert names == [{"Fn::Sub": "inventory-api-${Stage}"}, None]
    roles = [r["Properties"].get("RoleName") for r in resources.values() if r["Type"] == "AWS::IAM::Role"]
    assert roles == [{"Fn::Sub": "inventory-api-${Stage}-lambda"}, None]
    samcheck.assert_valid(app / "template.yaml")


def test_a_resource_named_like_the_new_role_refuses(tmp_path: Path) -> None:
    app = inventory(tmp_path)
    edit(app / "template.yaml", "  InventoryFunction:\n", "  GetItemsSkuFunctionRole:\n    Type: AWS::SNS::Topic\n\n  InventoryFunction:\n")
    refused(app, "extract", KEY, names=("GetItemsSkuFunctionRole", "already has a resource of that name"))


def test_a_role_with_an_attached_policy_is_shared_and_reported(tmp_path: Path) -> None:
    app = inventory(tmp_path)
    edit(app / "template.yaml", "  InventoryFunction:\n", (
        "  AuditPolicy:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: audit\n"
        "      Roles: [!Ref InventoryFunctionRole]\n      PolicyDocument:\n        Version: \"2012-10-17\"\n"
        "        Statement:\n          - Effect: Allow\n            Action: cloudtrail:LookupEvents\n"
        "            Resource: \"*\"\n\n  InventoryFunction:\n"))
    result = accepted(app, "extract", KEY)
    assert "shares the role InventoryFunctionRole" in result.output and "AuditPolicy" in result.output
    resources = yaml_parse((app / "template.yaml").read_text())["Resources"]
    assert "GetItemsSkuFunctionRole" not in resources
    assert resources["GetItemsSkuFunction"]["Properties"]["Role"] == {"Fn::GetAtt": ["InventoryFunctionRole", "Arn"]}
    samcheck.assert_valid(app / "template.yaml")


def test_a_plain_function_in_a_sam_template_is_split_as_plain_cloudformation(tmp_path: Path) -> None:
    app = inventory(tmp_path)
    edit(app / "template.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\n',
         'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31\n')
    accepted(app, "extract", KEY)
    resources = yaml_parse((app / "template.yaml").read_text())["Resources"]
    new = resources["GetItemsSkuFunction"]
    assert new["Type"] == "AWS::Lambda::Function" and new["Properties"]["Code"] == "functions/get_items_sku/"
    assert new["Properties"]["Role"] == {"Fn::GetAtt": ["GetItemsSkuFunctionRole", "Arn"]}
    cfn = samcheck.assert_valid(app / "template.yaml")  # through the SAM transform this time
    event = scenario(APP).EVENTS[4][1]
    assert event["resource"] == "/items/{sku}" and routing.targets(cfn, event) == {"GetItemsSkuFunction"}


def test_a_sam_function_beside_a_plain_one_keeps_sam_s_ways(tmp_path: Path) -> None:
    app = app_copy("eventbridge-orders", tmp_path)
    text = (app / "template.yaml").read_text()
    anchor = "Resources:\n"
    edit(app / "template.yaml", anchor, anchor + (
        "  HelperFunction:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs20.x\n"
        "      Handler: index.handler\n      Role: arn:aws:iam::123456789012:role/helper\n"
        "      Code:\n        ZipFile: exports.handler = async () => ({})\n\n"))
    assert "Transform: AWS::Serverless-2016-10-31" in text
    accepted(app, "extract", "OrderShipped")
    resources = yaml_parse((app / "template.yaml").read_text())["Resources"]
    assert resources["OrderShippedFunction"]["Type"] == "AWS::Serverless::Function"
    assert "OrderShippedFunctionRole" not in resources
    samcheck.assert_valid(app / "template.yaml")


def test_a_route_only_a_proxy_method_serves_is_refused_with_how_to_route_it(tmp_path: Path) -> None:
    app = inventory(tmp_path)
    # /items/{sku} is served by ANY /items/{proxy+} instead of its own methods
    edit(app / "template.yaml", '      PathPart: "{sku}"\n', '      PathPart: "{proxy+}"\n')
    refused(app, "extract", KEY, names=("GetItemMethod", "AWS::ApiGateway::Method", "{proxy+}"))
