"""The SAM/cfn-lint oracle accepts good templates and rejects the broken shapes a split can produce."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.support import samcheck

HEADER = "Transform: AWS::Serverless-2016-10-31\n"


def write(tmp_path: Path, body: str, name: str = "template.yaml", dirs: tuple[str, ...] = ("src",)) -> Path:
    for folder in dirs:
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def function(name: str, handler: str, events: str = "", extra: str = "") -> str:
    text = f"""
      {name}:
        Type: AWS::Serverless::Function
        Properties:
          Handler: {handler}
          Runtime: python3.12
    """
    text = textwrap.dedent(text).rstrip("\n").replace("\n", "\n  ") + "\n"
    for line in (extra, events):
        if line:
            text += textwrap.indent(textwrap.dedent(line).strip("\n"), "      ") + "\n"
    return text


VALID = """
Globals:
  Function:
    CodeUri: src/
Resources:
  CreateOrder:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          TABLE: !Ref Table
      Events:
        Create:
          Type: HttpApi
          Properties: {Path: /orders, Method: post}
  GetOrder:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: ./get
      Layers: [!Ref Common]
      Events:
        Get:
          Type: HttpApi
          Properties: {Path: "/orders/{id}", Method: get}
  Common:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
"""


def test_valid_template_passes_and_local_paths_become_s3(tmp_path: Path) -> None:
    cfn = samcheck.assert_valid(write(tmp_path, VALID, dirs=("src", "get", "layer")))

    resources = cfn["Resources"]
    assert resources["CreateOrder"]["Properties"]["Code"] == {"S3Bucket": "bucket", "S3Key": "src.zip"}
    assert resources["GetOrder"]["Properties"]["Code"] == {"S3Bucket": "bucket", "S3Key": "get.zip"}
    layer = next(r for r in resources.values() if r["Type"] == "AWS::Lambda::LayerVersion")
    assert layer["Properties"]["Content"] == {"S3Bucket": "bucket", "S3Key": "layer.zip"}
    assert "Transform" not in cfn


def test_json_templates_are_read_too(tmp_path: Path) -> None:
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Handler": "app.handler", "Runtime": "python3.12", "CodeUri": "src"},
            }
        },
    }
    (tmp_path / "src").mkdir()
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template), encoding="utf-8")

    assert samcheck.assert_valid(path)["Resources"]["Fn"]["Type"] == "AWS::Lambda::Function"


def test_function_without_code_uri_packages_template_folder(tmp_path: Path) -> None:
    body = "Resources:\n" + function("Fn", "app.handler")

    cfn = samcheck.assert_valid(write(tmp_path, body, dirs=()))

    assert cfn["Resources"]["Fn"]["Properties"]["Code"]["S3Key"] == "root.zip"


def test_missing_code_folder_is_reported(tmp_path: Path) -> None:
    body = "Resources:\n" + function("Fn", "app.handler", extra="CodeUri: functions/fn/")

    with pytest.raises(AssertionError, match="functions/fn/"):
        samcheck.translate(write(tmp_path, body))
    assert samcheck.translate(write(tmp_path, body), require_paths=False)


def test_two_functions_claiming_one_http_route_fail(tmp_path: Path) -> None:
    events = """
    Events:
      Http:
        Type: HttpApi
        Properties: {Path: /orders, Method: post}
    """
    body = (
        "Resources:\n"
        + function("A", "app.a", events, "CodeUri: src/")
        + function("B", "app.b", events.replace("post", "POST"), "CodeUri: src/")
    )

    with pytest.raises(AssertionError) as failure:
        samcheck.assert_valid(write(tmp_path, body))

    assert "defined multiple times for path '/orders'" in str(failure.value)


def test_dangling_ref_fails_lint(tmp_path: Path) -> None:
    extra = """
    CodeUri: src/
    Environment:
      Variables:
        TABLE_NAME: !Ref NoSuchTable
    """
    body = "Resources:\n" + function("Fn", "app.handler", extra=extra)
    cfn = samcheck.translate(write(tmp_path, body))

    findings = samcheck.lint(cfn)

    assert len(findings) == 1
    assert findings[0].startswith("E1020 ") and "NoSuchTable" in findings[0]
    assert findings[0].endswith("@ Resources/Fn/Properties/Environment/Variables/TABLE_NAME/Ref")
    with pytest.raises(AssertionError, match="E1020"):
        samcheck.assert_valid(write(tmp_path, body))


def test_warnings_are_not_findings(tmp_path: Path) -> None:
    body = "Parameters:\n  Unused: {Type: String}\nResources:\n" + function(
        "Fn", "app.handler", extra="CodeUri: src/"
    )
    cfn = samcheck.translate(write(tmp_path, body))

    assert samcheck.lint(cfn) == []
    assert samcheck.lint(cfn, ignore_rules=()) == []


def test_date_dependent_runtime_rules_are_ignored_unless_asked(tmp_path: Path) -> None:
    body = "Resources:\n" + function("Fn", "app.handler", extra="CodeUri: src/").replace(
        "python3.12", "python2.7"
    )
    cfn = samcheck.translate(write(tmp_path, body))

    assert samcheck.lint(cfn) == []
    assert any(f.startswith(("E2531 ", "E2533 ")) for f in samcheck.lint(cfn, ignore_rules=()))


def test_function_code_merges_globals(tmp_path: Path) -> None:
    path = write(tmp_path, VALID, dirs=("src", "get", "layer"))

    code = samcheck.function_code(path)

    assert set(code) == {"CreateOrder", "GetOrder"}
    assert code["CreateOrder"].code_dir == tmp_path / "src"
    assert code["GetOrder"].code_dir == tmp_path / "get"
    assert code["CreateOrder"].handler == "app.handler"
    assert code["CreateOrder"].environment == {"TABLE": {"Ref": "Table"}}
