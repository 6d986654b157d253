"""``--code DIR`` for a monolith whose code is in S3: every way it cannot be right is refused
by name, with nothing written (a folder that is not there, one without the handler's module,
a function whose code is local already, an id the template does not have, several candidates
for one plain DIR), and a monolith in S3 without it says to pass it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support import samcheck
from tests.support.hostile import accepted, app_copy, edit, refused

SAM = "eventbridge-orders"
SAM_KEY = "OrderShipped"
SAM_CODE = "      CodeUri: src/\n"
SAM_S3 = "      CodeUri: s3://orders-artifacts-123456789012/orders/v42.zip\n"
CFN = "cfn-rest-inventory"
CFN_KEY = "GET /items/{sku}"
CFN_CODE = "      Code: src/\n"
CFN_S3 = "      Code:\n        S3Bucket: inventory-artifacts-123456789012\n        S3Key: inventory/v7.zip\n"
OTHER = ("  OtherFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n"
         "      CodeUri: s3://orders-artifacts-123456789012/other.zip\n      Handler: other.handler\n\n")
MONOLITH = "  OrdersFunction:\n"


def in_s3(tmp_path: Path, fixture: str = SAM, code: str = SAM_CODE, s3: str = SAM_S3, folder: str = "lambda") -> Path:
    """The fixture, its monolith's code in S3 and its source moved to ``folder``."""
    app = app_copy(fixture, tmp_path)
    shutil.move(app / "src", app / folder)
    edit(app / "template.yaml", code, s3)
    return app


def test_a_monolith_in_s3_without_code_says_to_pass_it(tmp_path: Path) -> None:
    app = in_s3(tmp_path)
    refused(app, "extract", SAM_KEY, names=("OrdersFunction", "s3://orders-artifacts-123456789012/orders/v42.zip", "--code DIR"))


def test_plain_cloudformation_in_s3_without_code_says_to_pass_it(tmp_path: Path) -> None:
    app = in_s3(tmp_path, CFN, CFN_CODE, CFN_S3)
    refused(app, "migrate", names=("InventoryFunction", "Code.S3Bucket/S3Key",
                                   "s3://inventory-artifacts-123456789012/inventory/v7.zip", "--code DIR"))


def test_a_folder_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    app = in_s3(tmp_path)
    refused(app, "extract", SAM_KEY, "--code", "build/orders", names=("--code build/orders", "does not exist",
                                                                       "Resources.OrdersFunction"))


def test_a_relative_folder_is_relative_to_the_project_folder_not_here(tmp_path: Path) -> None:
    app = in_s3(tmp_path)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    result = accepted(app, "scan", "--code", "lambda", cwd=elsewhere)
    assert "OrderShipped" in result.output


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    app = in_s3(tmp_path)
    (app / "orders.zip").write_bytes(b"PK\x03\x04")
    refused(app, "extract", SAM_KEY, "--code", "orders.zip", names=("--code orders.zip", "is a file"))


def test_a_folder_without_the_handlers_module_is_refused(tmp_path: Path) -> None:
    app = in_s3(tmp_path)
    (app / "empty").mkdir()
    (app / "empty" / "other.py").write_text("x = 1\n", encoding="utf-8")
    refused(app, "migrate", "--code", "empty", names=("--code empty has no app.py", "OrdersFunction", "app.lambda_handler"))


def test_code_for_a_function_whose_code_is_local_is_not_needed(tmp_path: Path) -> None:
    app = app_copy(SAM, tmp_path)
    refused(app, "extract", SAM_KEY, "--code", "OrdersFunction=src", names=("not needed", "OrdersFunction", "src/", "local folder"))


def test_a_plain_folder_when_every_code_is_local_is_not_needed(tmp_path: Path) -> None:
    app = app_copy(CFN, tmp_path)
    refused(app, "scan", "--code", "src", names=("--code src is not needed", "local folder"))


def test_an_unknown_logical_id_is_refused(tmp_path: Path) -> None:
    app = in_s3(tmp_path)
    refused(app, "extract", SAM_KEY, "--code", "OrderFunction=lambda",
            names=("--code OrderFunction=lambda", "no AWS::Serverless::Function OrderFunction", "OrdersFunction"))


def test_a_resource_that_is_not_a_function_is_refused(tmp_path: Path) -> None:
    app = in_s3(tmp_path)
    refused(app, "migrate", "--code", "OrdersTable=lambda", names=("OrdersTable", "no AWS::Serverless::Function"))


def test_a_plain_folder_for_several_functions_in_s3_asks_which(tmp_path: Path) -> None:
    app = in_s3(tmp_path)
    edit(app / "template.yaml", MONOLITH, OTHER + MONOLITH)
    refused(app, "migrate", "--code", "lambda", names=("several functions", "OtherFunction", "OrdersFunction",
                                                       "=DIR"))


def test_with_several_functions_in_s3_the_named_one_is_split_and_the_other_left_alone(tmp_path: Path) -> None:
    app = in_s3(tmp_path)
    edit(app / "template.yaml", MONOLITH, OTHER + MONOLITH)
    accepted(app, "migrate", "--code", "OrdersFunction=lambda")
    resources = samcheck.load_template(app / "template.yaml")["Resources"]
    assert "OrdersFunction" not in resources and "OtherFunction" in resources
    samcheck.assert_valid(app / "template.yaml")


def test_two_plain_folders_are_refused(tmp_path: Path) -> None:
    app = in_s3(tmp_path)
    refused(app, "extract", SAM_KEY, "--code", "lambda", "--code", "src", names=("two folders", "LOGICAL_ID=DIR"))


def test_one_id_twice_is_refused(tmp_path: Path) -> None:
    app = in_s3(tmp_path)
    refused(app, "extract", SAM_KEY, "--code", "OrdersFunction=lambda", "--code", "OrdersFunction=src",
            names=("OrdersFunction twice",))


def test_code_cannot_make_another_runtime_python(tmp_path: Path) -> None:
    app = in_s3(tmp_path)
    edit(app / "template.yaml", MONOLITH, OTHER.replace("other.handler", "index.handler\n      Runtime: nodejs20.x") + MONOLITH)
    refused(app, "migrate", "--code", "OtherFunction=lambda", "--code", "OrdersFunction=lambda",
            names=("--code cannot help OtherFunction", "nodejs20.x"))


@pytest.mark.parametrize("command", ["scan", "extract", "migrate"])
def test_the_option_is_taken_by_every_command(tmp_path: Path, command: str) -> None:
    app = in_s3(tmp_path)
    args = (command, SAM_KEY) if command == "extract" else (command,)
    result = accepted(app, *args, "--code", "lambda")
    assert "OrderShipped" in result.output
    said = "read from lambda/" if command == "scan" else "strangler cannot touch S3"
    assert said in result.output and "s3://orders-artifacts-123456789012/orders/v42.zip" in result.output
