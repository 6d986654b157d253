"""The plain CloudFormation dialect: which templates it reads, what code it takes, what a
new function copies of the monolith."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.load.project import load
from strangler.template import cfn, sam
from strangler.template.dialect import SAM_WITH_PLAIN_FUNCTIONS, dialect_of
from strangler.template.document import TemplateDocument

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "fixtures" / "cfn-rest-inventory" / "before"


@pytest.mark.parametrize(("data", "expected"), [
    ({"Transform": "AWS::Serverless-2016-10-31", "Resources": {}}, sam),
    ({"Transform": ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"], "Resources": {}}, sam),
    ({"Resources": {"F": {"Type": "AWS::Serverless::Function"}}}, sam),
    ({"Resources": {"F": {"Type": "AWS::Lambda::Function"}}}, cfn),
    ({"Transform": "AWS::LanguageExtensions", "Resources": {"F": {"Type": "AWS::Lambda::Function"}}}, cfn),
    # a SAM template with plain functions: each function by the dialect of its Type
    ({"Transform": "AWS::Serverless-2016-10-31", "Resources": {"F": {"Type": "AWS::Lambda::Function"}}},
     SAM_WITH_PLAIN_FUNCTIONS),
])
def test_the_dialect_follows_the_sam_transform(data, expected) -> None:
    assert dialect_of(data) is expected


def _function(**properties):
    return {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Handler": "app.handler", **properties}}


@pytest.mark.parametrize(("code", "expected"), [
    ("src/", ("src/", "app.handler")),
    ("./src", ("./src", "app.handler")),
])
def test_a_local_code_folder_is_the_function_s_code(code, expected) -> None:
    assert cfn.declared_code(_function(Code=code), {}) == expected


@pytest.mark.parametrize(("code", "said"), [
    ({"ZipFile": "def handler(e, c): pass"}, "Code.ZipFile"),
    ({"S3Bucket": "b", "S3Key": "k.zip"}, "S3"),
    ("s3://b/k.zip", "s3://b/k.zip"),
    ({"ImageUri": "123.dkr.ecr/x:1"}, "container image"),
    (None, "no Code"),
    ({"Fn::If": ["C", "a", "b"]}, "intrinsic"),
])
def test_code_that_is_not_a_local_folder_says_why(code, said) -> None:
    properties = {} if code is None else {"Code": code}
    reason = cfn.declared_code(_function(**properties), {})
    assert isinstance(reason, str) and said in reason


def test_a_runtime_that_is_not_python_says_so() -> None:
    reason = cfn.declared_code(_function(Code="src/", Runtime="nodejs20.x"), {})
    assert reason == "its Runtime nodejs20.x is not Python"


def test_load_finds_the_plain_functions_of_a_template_without_the_transform() -> None:
    project = load(APP)
    assert [f.logical_id for f in project.functions] == ["InventoryFunction"]
    assert project.functions[0].code_uri == "src/" and project.functions[0].module_file == "app.py"


def test_a_new_function_copies_the_monolith_but_its_unique_names(tmp_path: Path) -> None:
    doc = TemplateDocument.load(APP / "template.yaml")
    monolith = doc.data["Resources"]["InventoryFunction"]
    monolith["Properties"]["ReservedConcurrentExecutions"] = 5
    resource, notes = cfn.new_function(doc, "InventoryFunction", monolith, "GET /items", "functions/get_items/", "app.lambda_handler")
    properties = resource["Properties"]
    assert properties["Code"] == "functions/get_items/" and properties["Handler"] == "app.lambda_handler"
    assert "FunctionName" not in properties and "ReservedConcurrentExecutions" not in properties
    assert properties["Runtime"] == "python3.12" and properties["Timeout"] == 10
    assert resource["Metadata"]["Strangler"] == {"Action": "GET /items", "ExtractedFrom": "InventoryFunction"}
    assert any("FunctionName" in note for note in notes) and any("ReservedConcurrentExecutions" in note for note in notes)
    assert any("own copy of the role InventoryFunctionRole" in note for note in notes)


def test_each_new_function_gets_a_role_copy_without_its_name_after_the_role() -> None:
    doc = TemplateDocument.load(APP / "template.yaml")
    resources = doc.data["Resources"]
    made = []
    for key, logical_id in (("GET /items", "GetItemsFunction"), ("POST /items", "PostItemsFunction")):
        resource, _ = cfn.new_function(doc, "InventoryFunction", resources["InventoryFunction"], key, "f/", "app.h")
        made.append((logical_id, resource))
    cfn.place_new_functions(resources, "InventoryFunction", made)
    order = list(resources)
    role = order.index("InventoryFunctionRole")
    assert order[role + 1: role + 3] == ["GetItemsFunctionRole", "PostItemsFunctionRole"]
    copy = resources["GetItemsFunctionRole"]
    assert "RoleName" not in copy["Properties"] and "RoleName" in resources["InventoryFunctionRole"]["Properties"]
    assert copy["Metadata"]["Strangler"] == {"SplitFrom": "InventoryFunctionRole", "Action": "GET /items"}
    assert resources["PostItemsFunction"]["Properties"]["Role"].value == "PostItemsFunctionRole.Arn"
    # the same policies (TaggedScalar compares by identity: compare what they print)
    assert repr(copy["Properties"]["Policies"]) == repr(resources["InventoryFunctionRole"]["Properties"]["Policies"])


def test_narrowing_drops_unused_variables_only() -> None:
    from strangler.model import Narrowing

    properties = {"Environment": {"Variables": {"A": "1", "B": "2"}}}
    cfn.apply_narrowing(properties, Narrowing((), (), (), frozenset({"A"}), (), None))
    assert properties == {"Environment": {"Variables": {"A": "1"}}}
    cfn.apply_narrowing(properties, Narrowing((), (), (), frozenset(), (), None))
    assert properties == {}


def test_a_sam_template_with_plain_functions_reads_each_by_its_type() -> None:
    dialect = SAM_WITH_PLAIN_FUNCTIONS
    plain = _function(Code="src/")
    serverless = {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "app.h", "Events": {"E": {}}}}
    assert dialect.declared_code(plain, {"CodeUri": "elsewhere/", "Runtime": "python3.12"}) == ("src/", "app.handler")
    assert dialect.declared_code(serverless, {"CodeUri": "elsewhere/", "Runtime": "python3.12"}) == ("elsewhere/", "app.h")
    assert dialect.events_of(plain) is None and dialect.events_of(serverless) == {"E": {}}
