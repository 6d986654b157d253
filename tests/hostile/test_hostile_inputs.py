"""Hostile inputs: templates, handlers, code folders, options and settings a real app may have.

Every case is an app (a fixture copy, broken on purpose), a command and an expectation:
exit 1 with a message naming the file and line or the template resource and the tree as it
was, or exit 0 with the result checked (files inside the app, a template that translates).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import git
import pytest

from tests.support.hostile import accepted, app_copy, edit, refused
from tests.support.samcheck import assert_valid, load_template

ORDERS = "eventbridge-orders"
T = "template.yaml"
MONOLITH = "  OrdersFunction:\n    Type: AWS::Serverless::Function\n"
ENVIRONMENT = (
    "      Environment:\n        Variables:\n          ORDERS_TABLE: !Ref OrdersTable\n"
    "          SHIPMENTS_TOPIC_ARN: !Ref ShipmentTopic\n          PAYMENT_AUDIT_BUCKET: !Ref PaymentAuditBucket\n"
)
POLICIES = (
    "      Policies:\n        - DynamoDBCrudPolicy:\n            TableName: !Ref OrdersTable\n"
    "        # only OrderShipped publishes\n        - SNSPublishMessagePolicy:\n"
    "            TopicName: !GetAtt ShipmentTopic.TopicName\n        # only PaymentFailed writes audit records\n"
    "        - S3WritePolicy:\n            BucketName: !Ref PaymentAuditBucket\n"
)
ACTIONS = ("OrderPlaced", "OrderCancelled", "OrderShipped", "PaymentFailed")


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    return app_copy(ORDERS, tmp_path, git_repo=True)


def with_condition(app: Path) -> None:
    edit(app / T, "Resources:\n", "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\n\nResources:\n")


def committed(app: Path) -> Path:
    """The user commits their edit before running strangler (the dirty guard wants it)."""
    repo = git.Repo(app)
    repo.git.add(A=True)
    repo.index.commit("the edit")
    return app


def new_functions(app: Path) -> dict[str, dict]:
    resources = load_template(app / T)["Resources"]
    return {k: v for k, v in resources.items() if (v.get("Metadata") or {}).get("Strangler")}


# --- intrinsic functions in the monolith -------------------------------------------------
@pytest.mark.parametrize("command", [("scan",), ("extract", "OrderPlaced"), ("migrate",)])
def test_environment_that_is_an_if_is_refused_by_name(orders: Path, command: tuple[str, ...]) -> None:
    with_condition(orders)
    edit(orders / T, ENVIRONMENT, "      Environment: !If [IsProd, {Variables: {A: b}}, !Ref AWS::NoValue]\n")
    refused(orders, *command, names=("template.yaml: Resources.OrdersFunction.Properties.Environment", "!If"))


def test_a_json_template_names_the_intrinsic_as_written(orders: Path) -> None:
    template = load_template(orders / T)
    template["Conditions"] = {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}}
    template["Resources"]["OrdersFunction"]["Properties"]["Environment"] = {"Fn::If": ["IsProd", {"Variables": {"A": "b"}}, {"Ref": "AWS::NoValue"}]}
    (orders / T).unlink()
    (orders / "template.json").write_text(json.dumps(template, indent=2) + "\n")
    refused(orders, "migrate", names=("template.json: Resources.OrdersFunction.Properties.Environment", "(Fn::If)"))


def test_variables_that_are_an_if_are_refused_by_name(orders: Path) -> None:
    with_condition(orders)
    edit(orders / T, ENVIRONMENT, "      Environment:\n        Variables: !If [IsProd, {A: b}, {A: c}]\n")
    refused(orders, "migrate", names=("Resources.OrdersFunction.Properties.Environment.Variables",))


def test_flow_style_intrinsic_values_are_split_like_any_value(orders: Path) -> None:
    with_condition(orders)
    edit(orders / T, "          PAYMENT_AUDIT_BUCKET: !Ref PaymentAuditBucket\n",
         "          PAYMENT_AUDIT_BUCKET: !If [IsProd, !Ref PaymentAuditBucket, !Join ['-', [a, !Sub '${AWS::Region}']]]\n")
    accepted(committed(orders), "migrate")
    assert_valid(orders / T)
    text = (orders / T).read_text()
    # Only PaymentFailed reads the bucket: its function keeps the value as written.
    assert text.count("PAYMENT_AUDIT_BUCKET: !If [IsProd, !Ref PaymentAuditBucket, !Join ['-', [a, !Sub '${AWS::Region}']]]") == 1
    variables = new_functions(orders)["PaymentFailedFunction"]["Properties"]["Environment"]["Variables"]
    assert "Fn::If" in variables["PAYMENT_AUDIT_BUCKET"]


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("      CodeUri: src/\n", "      CodeUri: !If [IsProd, src/, src/]\n", "CodeUri is an intrinsic function (!If)"),
        ("      Handler: app.lambda_handler\n", "      Handler: !Sub app.lambda_handler\n", "Handler is an intrinsic function (!Sub)"),
        ("      Handler: app.lambda_handler\n", "      Handler: app.lambda_handler\n      Runtime: !Ref Stage\n",
         "Runtime is an intrinsic function (!Ref)"),
    ],
    ids=["CodeUri-If", "Handler-Sub", "Runtime-Ref"],
)
def test_code_chosen_by_an_intrinsic_is_explained(orders: Path, old: str, new: str, named: str) -> None:
    with_condition(orders)
    edit(orders / T, old, new)
    refused(orders, "migrate", names=("template.yaml", "OrdersFunction", named))
    refused(orders, "scan", "--function", "OrdersFunction", names=("template.yaml: Resources.OrdersFunction", named))


def test_policies_that_are_an_if_are_copied_whole(orders: Path) -> None:
    with_condition(orders)
    edit(orders / T, POLICIES, "      Policies: !If [IsProd, AmazonDynamoDBReadOnlyAccess, AmazonS3ReadOnlyAccess]\n")
    accepted(committed(orders), "migrate")
    assert_valid(orders / T)
    made = new_functions(orders)
    assert sorted(made) == sorted(f"{a}Function" for a in ACTIONS)
    assert all(f["Properties"]["Policies"] == {"Fn::If": ["IsProd", "AmazonDynamoDBReadOnlyAccess", "AmazonS3ReadOnlyAccess"]}
               for f in made.values())


def test_a_policy_that_is_an_if_inside_the_list_is_kept(orders: Path) -> None:
    with_condition(orders)
    edit(orders / T, "      Policies:\n", "      Policies:\n        - !If [IsProd, AmazonSQSReadOnlyAccess, !Ref AWS::NoValue]\n")
    accepted(committed(orders), "extract", "OrderPlaced")
    assert_valid(orders / T)
    policies = new_functions(orders)["OrderPlacedFunction"]["Properties"]["Policies"]
    assert {"Fn::If": ["IsProd", "AmazonSQSReadOnlyAccess", {"Ref": "AWS::NoValue"}]} in policies


def test_events_that_are_an_if_are_refused_by_name(orders: Path) -> None:
    with_condition(orders)
    edit(orders / T, "      Events:\n        OrderLifecycle:\n", "      Events: !If [IsProd, {}, {}]\n      XEvents:\n        OrderLifecycle:\n")
    refused(orders, "scan", names=("Resources.OrdersFunction.Properties.Events", "!If"))


def test_an_event_that_is_not_a_mapping_is_refused_by_name(orders: Path) -> None:
    edit(orders / T, "      Events:\n", "      Events:\n        Odd: !Ref Stage\n")
    refused(orders, "extract", "OrderPlaced", names=("Resources.OrdersFunction.Properties.Events.Odd",))


def test_memory_size_from_a_map_is_copied(orders: Path) -> None:
    edit(orders / T, "Resources:\n", "Mappings:\n  Sizes:\n    dev: {Memory: 512}\n    prod: {Memory: 1024}\n\nResources:\n")
    edit(orders / T, "      CodeUri: src/\n", "      CodeUri: src/\n      MemorySize: !FindInMap [Sizes, !Ref Stage, Memory]\n")
    accepted(committed(orders), "extract", "OrderPlaced")
    assert_valid(orders / T)
    assert new_functions(orders)["OrderPlacedFunction"]["Properties"]["MemorySize"] == {"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}


def test_globals_with_intrinsic_values_are_accepted(tmp_path: Path) -> None:
    # The billing fixture's Globals already choose LOG_LEVEL and BILLING_MODE with !If.
    app = app_copy("direct-invoke-billing", tmp_path, git_repo=True)
    edit(app / T, "    Timeout: 20\n", "    Timeout: !If [IsProd, 10, 20]\n")
    result = accepted(committed(app), "extract", "charge")
    assert_valid(app / T)
    assert "ChargeFunction" in result.output or "ChargeFunction" in (app / T).read_text()


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("Globals:\n  Function:\n", "Globals: hello\nXGlobals:\n  Function:\n", "template.yaml: Globals"),
        ("  Function:\n    Runtime", "  Function: !If [IsProd, {}, {}]\n  XFunction:\n    Runtime", "template.yaml: Globals.Function"),
        ("    Environment:\n      Variables:\n        LOG_LEVEL: INFO\n", "    Environment: !If [IsProd, {}, {}]\n    XEnvironment:\n      Variables:\n        LOG_LEVEL: INFO\n",
         "template.yaml: Globals.Function.Environment"),
    ],
    ids=["Globals-scalar", "Function-If", "Environment-If"],
)
def test_globals_that_are_not_mappings_are_refused_by_name(orders: Path, old: str, new: str, named: str) -> None:
    with_condition(orders)
    edit(orders / T, old, new)
    refused(orders, "migrate", names=(named,))


@pytest.mark.parametrize(
    ("properties", "named"),
    [("", "Properties is missing"), ("    Properties:\n", "Properties is missing or empty"), ("    Properties: hello\n", "Properties is a string ('hello')")],
    ids=["missing", "null", "scalar"],
)
def test_a_function_without_properties_is_refused_by_name(orders: Path, properties: str, named: str) -> None:
    edit(orders / T, MONOLITH, "  SideFunction:\n    Type: AWS::Serverless::Function\n" + properties + MONOLITH)
    refused(orders, "scan", names=("template.yaml: Resources.SideFunction.Properties", named))


@pytest.mark.parametrize("metadata", ["    Metadata: hello\n", "    Metadata:\n      Strangler: yes-please\n"], ids=["Metadata", "Strangler"])
def test_metadata_that_is_a_string_is_refused_by_name(orders: Path, metadata: str) -> None:
    edit(orders / T, MONOLITH, MONOLITH + metadata)
    refused(orders, "migrate", names=("template.yaml: Resources.OrdersFunction.Metadata",))


# --- functions that are not local Python code --------------------------------------------
OTHERS = {
    "InlineCode": "      Handler: index.handler\n      InlineCode: 'def handler(event, context): return 1'\n",
    "s3-string": "      CodeUri: s3://artifacts/other.zip\n      Handler: app.handler\n",
    "s3-mapping": "      CodeUri: {Bucket: artifacts, Key: other.zip}\n      Handler: app.handler\n",
    "nodejs": "      CodeUri: src/\n      Handler: app.handler\n      Runtime: nodejs20.x\n",
}


@pytest.mark.parametrize("kind", sorted(OTHERS))
def test_other_functions_that_are_not_local_python_are_left_alone(orders: Path, kind: str) -> None:
    edit(orders / T, MONOLITH, "  OtherFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n" + OTHERS[kind] + "\n" + MONOLITH)
    before = load_template(orders / T)["Resources"]["OtherFunction"]
    accepted(committed(orders), "migrate")
    assert_valid(orders / T, require_paths=False)
    resources = load_template(orders / T)["Resources"]
    assert resources["OtherFunction"] == before and "OrdersFunction" not in resources
    assert sorted(new_functions(orders)) == sorted(f"{a}Function" for a in ACTIONS)


def test_an_image_function_beside_the_monolith_is_left_alone(orders: Path) -> None:
    edit(orders / T, MONOLITH, "  ImageFunction:\n    Type: AWS::Serverless::Function\n    Metadata:\n      DockerContext: ./image\n"
                               "      Dockerfile: Dockerfile\n    Properties:\n      PackageType: Image\n\n" + MONOLITH)
    result = accepted(orders, "scan")
    assert "OrdersFunction" in result.output and "ImageFunction" not in result.output


MONOLITH_CODE = "      CodeUri: src/\n      Handler: app.lambda_handler\n"


@pytest.mark.parametrize(
    ("code", "named"),
    [
        ("      Handler: index.handler\n      InlineCode: 'def handler(event, context): return 1'\n", "InlineCode"),
        ("      PackageType: Image\n      ImageUri: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:latest\n", "PackageType: Image"),
        ("      CodeUri: s3://artifacts/orders.zip\n      Handler: app.lambda_handler\n", "s3://artifacts/orders.zip"),
        ("      CodeUri: {Bucket: artifacts, Key: orders.zip}\n      Handler: app.lambda_handler\n", "CodeUri is a mapping"),
        ("      CodeUri: src/\n      Handler: app.lambda_handler\n      Runtime: nodejs20.x\n", "Runtime nodejs20.x is not Python"),
    ],
    ids=["InlineCode", "Image", "s3-string", "s3-mapping", "nodejs"],
)
def test_a_monolith_that_is_not_local_python_is_explained(orders: Path, code: str, named: str) -> None:
    edit(orders / T, MONOLITH_CODE, code)
    refused(orders, "extract", "OrderPlaced", "--function", "OrdersFunction", names=("template.yaml: Resources.OrdersFunction", named))


def test_an_image_monolith_with_a_docker_context_is_explained(orders: Path) -> None:
    edit(orders / T, MONOLITH + "    Properties:\n", MONOLITH + "    Metadata:\n      DockerContext: ./src\n      Dockerfile: Dockerfile\n"
                                                              "    Properties:\n      PackageType: Image\n")
    edit(orders / T, MONOLITH_CODE, "")
    refused(orders, "migrate", names=("template.yaml", "OrdersFunction", "PackageType: Image"))


def test_a_runtime_given_only_in_globals_decides_too(orders: Path) -> None:
    edit(orders / T, "    Runtime: python3.12\n", "    Runtime: nodejs20.x\n")
    refused(orders, "scan", names=("template.yaml", "OrdersFunction: its Runtime nodejs20.x is not Python"))


# --- handlers that name no module file ---------------------------------------------------
@pytest.mark.parametrize("handler", ["handler", "''", "app.", "app.lambda handler"], ids=["no-module", "empty", "trailing-dot", "space"])
def test_a_handler_that_is_not_module_function_is_explained(orders: Path, handler: str) -> None:
    edit(orders / T, "Handler: app.lambda_handler", f"Handler: {handler}")
    refused(orders, "migrate", names=("template.yaml", "OrdersFunction", "is not module.function"))


def test_a_handler_naming_a_package_folder_is_explained(orders: Path) -> None:
    (orders / "src" / "orders").mkdir()
    (orders / "src" / "orders" / "__init__.py").write_text("from app import lambda_handler\n")
    edit(orders / T, "Handler: app.lambda_handler", "Handler: orders.lambda_handler")
    refused(orders, "scan", "--function", "OrdersFunction", names=("Resources.OrdersFunction", "names the package orders/"))


# --- code folders and template paths ----------------------------------------------------
def _template_in(app: Path, folder: str) -> Path:
    """Move the template to ``app/folder`` and point its CodeUri back at ``../src/``."""
    edit(app / T, "CodeUri: src/", "CodeUri: ../src/")
    (app / folder).mkdir()
    shutil.move(app / T, app / folder / T)
    return app / folder


def test_a_code_uri_outside_the_template_folder_resolves_like_sam(orders: Path) -> None:
    infra = _template_in(orders, "infra")
    committed(orders)
    accepted(orders / "infra", "extract", "OrderPlaced")
    assert (infra / "functions" / "order_placed" / "app.py").is_file()
    assert not (orders / "functions").exists()
    assert_valid(infra / T)
    assert load_template(infra / T)["Resources"]["OrderPlacedFunction"]["Properties"]["CodeUri"] == "functions/order_placed/"
    assert '"OrderPlaced"' not in (orders / "src" / "app.py").read_text()


def test_a_relative_template_is_read_from_the_project_folder(orders: Path) -> None:
    # Like git -C and make -C: -C app --template template.yaml.
    accepted(orders, "scan", "--template", "template.yaml")
    refused(orders, "scan", "--template", f"{orders.name}/template.yaml", cwd=orders.parent,
            names=(f"template {orders.name}/template.yaml not found", f"try --template {orders / T}"))


def test_a_template_in_another_folder_is_its_own_application(orders: Path, tmp_path: Path) -> None:
    infra = _template_in(orders, "infra")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    committed(orders)
    accepted(elsewhere, "extract", "OrderPlaced", "--template", str(infra / T))
    assert list(elsewhere.iterdir()) == []
    assert (infra / "functions" / "order_placed" / "app.py").is_file()
    assert_valid(infra / T)


@pytest.mark.parametrize(("code_uri", "named"), [("nope/", "CodeUri nope/ does not exist"), ("code.zip", "CodeUri code.zip is a file")],
                         ids=["missing", "zip"])
def test_a_code_uri_that_is_not_a_folder_is_explained(orders: Path, code_uri: str, named: str) -> None:
    (orders / "code.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    edit(orders / T, "CodeUri: src/", f"CodeUri: {code_uri}")
    refused(orders, "extract", "OrderPlaced", "--function", "OrdersFunction", names=("Resources.OrdersFunction", named))


# --- --functions-dir -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "named"),
    [("", "is empty"), (" ", "is empty"), ("/tmp/strangler-elsewhere", "is outside the application"),
     ("../out", "is outside the application"), ("functions/../../out", "is outside the application"),
     (".aws-sam/build", "inside .aws-sam/"), (".git/functions", "inside .git/"), ("f" * 256, "bytes"),
     ("src/app.py/", "could not write")],
    ids=["empty", "blank", "absolute-outside", "dotdot", "dotdot-nested", "aws-sam", "git", "too-long", "a-file"],
)
def test_a_functions_dir_outside_the_application_code_is_refused(orders: Path, value: str, named: str) -> None:
    names = ("src/app.py", named, "nothing was changed") if named == "could not write" else ("--functions-dir", named)
    refused(orders, "extract", "OrderPlaced", "--functions-dir", value, names=names)


@pytest.mark.parametrize(("value", "folder"), [(".", "order_placed"), ("lambdas/../handlers/", "handlers/order_placed"), ("ABS", "fns/order_placed")],
                         ids=["dot", "normalised", "absolute-inside"])
def test_a_functions_dir_inside_the_application_is_accepted(orders: Path, value: str, folder: str) -> None:
    value = str(orders / "fns") if value == "ABS" else value
    accepted(orders, "extract", "OrderPlaced", "--functions-dir", value)
    assert (orders / folder / "app.py").is_file()
    assert load_template(orders / T)["Resources"]["OrderPlacedFunction"]["Properties"]["CodeUri"] == f"{folder}/"
    assert_valid(orders / T)


# --- names too long for CloudFormation or the file system -----------------------------
def test_a_logical_id_longer_than_cloudformation_allows_is_refused(orders: Path) -> None:
    long = "Orders" + "Function" * 40
    edit(orders / T, "  OrdersFunction:\n", f"  {long}:\n")
    edit(orders / T, "!GetAtt OrdersFunction.Arn", f"!GetAtt {long}.Arn")
    refused(orders, "scan", names=("template.yaml: Resources.OrdersFunctionFunction", "326 characters long"))


def test_a_long_action_key_gives_short_stable_names(orders: Path) -> None:
    key = "Order" + "Placed" * 50
    edit(orders / "src" / "app.py", '"OrderPlaced": on_order_placed', f'"{key}": on_order_placed')
    edit(orders / T, "                - OrderPlaced\n", f"                - {key}\n")
    accepted(committed(orders), "extract", key)
    made = new_functions(orders)
    (logical_id, function), = made.items()
    assert len(logical_id) <= 100 and logical_id.startswith("OrderPlacedPlaced") and logical_id.endswith("Function")
    folder = function["Properties"]["CodeUri"].rstrip("/")
    assert len(Path(folder).name) <= 100 and (orders / folder / "app.py").is_file()
    assert_valid(orders / T)


# --- settings --------------------------------------------------------------------------
def test_settings_for_an_action_that_does_not_exist_list_the_actions(orders: Path) -> None:
    (orders / "strangler.toml").write_text("[actions.OrderPlaced]\nMemorySize = 512\n\n[actions.Nope]\nMemorySize = 512\n")
    refused(orders, "migrate", names=("strangler.toml:4", "'Nope'", "OrderPlaced, OrderCancelled, OrderShipped, PaymentFailed"))


def test_pyproject_settings_for_an_action_that_does_not_exist_name_the_line(orders: Path) -> None:
    (orders / "pyproject.toml").write_text('[project]\nname = "orders"\n\n[tool.strangler.actions."Nope"]\nTimeout = 3\n')
    refused(orders, "extract", "OrderPlaced", names=("pyproject.toml:4", "'Nope'", "OrderShipped"))


def test_settings_for_an_action_already_extracted_still_apply_to_the_next_run(orders: Path) -> None:
    (orders / "strangler.toml").write_text("[actions.OrderPlaced]\nMemorySize = 512\n[actions.OrderShipped]\nMemorySize = 1024\n")
    accepted(committed(orders), "extract", "OrderPlaced")
    accepted(committed(orders), "extract", "OrderShipped")
    made = new_functions(orders)
    assert made["OrderPlacedFunction"]["Properties"]["MemorySize"] == 512
    assert made["OrderShippedFunction"]["Properties"]["MemorySize"] == 1024


def test_malformed_settings_name_the_file_and_line(orders: Path) -> None:
    (orders / "strangler.toml").write_text("[actions.OrderPlaced]\nMemorySize = 512\n[actions\n")
    refused(orders, "scan", names=("strangler.toml:3", "not valid TOML"))


# --- templates that are not templates ---------------------------------------------------
@pytest.mark.parametrize(
    ("text", "named"),
    [("", "template.yaml: the template is not a mapping"), ("null\n", "template.yaml: the template is not a mapping"),
     ("- Resources\n", "template.yaml: the template is not a mapping"), ("Resources:\n", "template.yaml: the template has no Resources"),
     ("Resources:\n  Fn: hello\n", "template.yaml: Resources.Fn: the resource is not a mapping"),
     ("Resources:\n  Fn:\n    Properties: {}\n", "template.yaml: Resources.Fn: the resource has no Type")],
    ids=["empty", "null", "list", "Resources-null", "scalar-resource", "no-Type"],
)
def test_a_template_that_is_not_a_template_is_refused(orders: Path, text: str, named: str) -> None:
    (orders / T).write_text(text)
    refused(orders, "scan", names=(named,))


def test_two_templates_ask_which(orders: Path) -> None:
    shutil.copy(orders / T, orders / "template.yml")
    refused(orders, "migrate", names=("several templates (template.yaml, template.yml)", "--template"))


def test_a_template_that_is_a_directory_is_refused(orders: Path) -> None:
    (orders / T).unlink()
    (orders / T).mkdir()
    (orders / T / "keep").write_text("")
    refused(orders, "scan", names=("template.yaml is a directory",))
    refused(orders, "scan", "--template", "template.yaml", names=("template template.yaml is a directory",))
    # Read from -C, not from the current folder: one with a template.yaml folder does not matter.
    refused(orders, "scan", "--template", "template.yaml", cwd=orders, names=("template template.yaml is a directory",))


# --- values of the wrong kind where CloudFormation expects names ------------------------
@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("  OrdersFunction:\n", "  0x10:\n", "template.yaml: Resources.16: the logical id 16 reads as a HexInt"),
        (MONOLITH, MONOLITH + "    DependsOn: 5\n", "template.yaml: Resources.OrdersFunction.DependsOn"),
        (MONOLITH, MONOLITH + "    Condition: [IsProd]\n", "template.yaml: Resources.OrdersFunction.Condition"),
        ("    Type: AWS::SNS::Topic\n", "    Type: 5\n", "template.yaml: Resources.ShipmentTopic: the resource has a Type that is a number ('5')"),
        (MONOLITH, MONOLITH + "    Metadata:\n      Strangler: {Action: [OrderPlaced], ExtractedFrom: OrdersFunction}\n",
         "template.yaml: Resources.OrdersFunction.Metadata.Strangler"),
        ("          Type: EventBridgeRule\n", "          Type: !Ref Stage\n", "Resources.OrdersFunction.Properties.Events.OrderLifecycle"),
        ("          Type: EventBridgeRule\n          Properties:\n",
         "          Type: EventBridgeRule\n          Properties: !If [IsProd, {}, {}]\n          XProperties:\n",
         "Resources.OrdersFunction.Properties.Events.OrderLifecycle"),
    ],
    ids=["numeric-id", "DependsOn", "Condition", "Type", "Strangler-Action", "event-Type", "event-Properties"],
)
def test_a_value_of_the_wrong_kind_is_refused_by_name(orders: Path, old: str, new: str, named: str) -> None:
    with_condition(orders)
    edit(orders / T, old, new)
    refused(orders, "migrate", names=(named,))


def test_migrate_retires_a_monolith_whose_code_is_beside_the_template_folder(orders: Path) -> None:
    infra = _template_in(orders, "infra")
    committed(orders)
    accepted(infra, "migrate", "--commit")
    assert not (orders / "src").exists()  # the monolith's code, as its CodeUri named it
    assert sorted(p.name for p in (infra / "functions").iterdir()) == ["order_cancelled", "order_placed", "order_shipped", "payment_failed"]
    assert_valid(infra / T)
    assert git.Repo(orders).git.status("--porcelain") == ""


def test_one_settings_file_serves_every_monolith_of_the_template(orders: Path) -> None:
    shutil.copytree(orders / "src", orders / "returns")
    edit(orders / "returns" / "app.py", '"OrderPlaced": on_order_placed', '"ReturnOpened": on_order_placed')
    edit(orders / T, MONOLITH, "  ReturnsFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                               "      CodeUri: returns/\n      Handler: app.lambda_handler\n\n" + MONOLITH)
    (orders / "strangler.toml").write_text("[actions.ReturnOpened]\nMemorySize = 512\n[actions.OrderPlaced]\nMemorySize = 1024\n")
    accepted(committed(orders), "extract", "OrderPlaced", "--function", "OrdersFunction")
    assert new_functions(orders)["OrderPlacedFunction"]["Properties"]["MemorySize"] == 1024
