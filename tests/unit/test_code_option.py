"""``--code``: how its values read, which code counts as elsewhere (S3, an intrinsic), and
what load makes of a function whose source is in the folder it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.errors import StranglerError
from strangler.load.project import CodeDirs, code_dirs, load
from strangler.template import cfn, sam
from strangler.template.dialect import SAM_WITH_PLAIN_FUNCTIONS
from strangler.template.document import TemplateDocument


# --- the option's values ----------------------------------------------------------------
@pytest.mark.parametrize(("values", "expected"), [
    ((), CodeDirs()),
    (("build/src",), CodeDirs((), "build/src")),
    (("OrdersFunction=build/src/",), CodeDirs((("OrdersFunction", "build/src/"),), None)),
    (("A=a", "B=../b", "c"), CodeDirs((("A", "a"), ("B", "../b")), "c")),
    # not a logical id before "=": the whole value is the folder
    (("./a=b",), CodeDirs((), "./a=b")),
    (("my-dir=x",), CodeDirs((), "my-dir=x")),
])
def test_values_are_a_logical_id_and_a_folder_or_a_folder(values, expected) -> None:
    assert code_dirs(values) == expected
    assert bool(code_dirs(values)) is bool(values)


@pytest.mark.parametrize(("values", "said"), [
    (("a", "b"), "two folders without a logical id"),
    (("F=a", "F=b"), "names F twice"),
    (("F=",), "names no folder"),
    (("",), "names no folder"),
])
def test_values_that_cannot_be_meant_are_refused(values, said) -> None:
    with pytest.raises(StranglerError, match=said):
        code_dirs(values)


# --- which code is elsewhere --------------------------------------------------------------
def _sam(**properties):
    return {"Type": "AWS::Serverless::Function",
            "Properties": {"Runtime": "python3.12", "Handler": "app.handler", **properties}}


@pytest.mark.parametrize(("code_uri", "globals_", "expected"), [
    ("s3://b/k.zip", {}, "s3://b/k.zip"),
    ({"Bucket": "b", "Key": "k.zip", "Version": "3"}, {}, "s3://b/k.zip"),
    ({"Bucket": {"Ref": "Artifacts"}, "Key": "k.zip"}, {}, "CodeUri.Bucket/Key in S3"),
    ({"Fn::Sub": "s3://${Artifacts}/k.zip"}, {}, "CodeUri an intrinsic function (Fn::Sub)"),
    (None, {"CodeUri": "s3://b/global.zip"}, "s3://b/global.zip"),
    ("src/", {"CodeUri": "s3://b/global.zip"}, None),
    ("src/", {}, None),
    (None, {}, None),
])
def test_sam_code_elsewhere(code_uri, globals_, expected) -> None:
    resource = _sam(**({} if code_uri is None else {"CodeUri": code_uri}))
    assert sam.code_elsewhere(resource, globals_) == expected


def _plain(code):
    return {"Type": "AWS::Lambda::Function",
            "Properties": {"Runtime": "python3.12", "Handler": "app.handler", "Code": code}}


@pytest.mark.parametrize(("code", "expected"), [
    ({"S3Bucket": "b", "S3Key": "k.zip"}, "s3://b/k.zip"),
    ({"S3Bucket": "b", "S3Key": {"Fn::Sub": "${Version}.zip"}}, "Code.S3Bucket/S3Key in S3"),
    ("s3://b/k.zip", "s3://b/k.zip"),
    ({"Fn::If": ["C", "a", "b"]}, "Code an intrinsic function (Fn::If)"),
    ({"ZipFile": "def handler(e, c): pass"}, None),
    ({"ImageUri": "123.dkr.ecr/x:1"}, None),
    ("src/", None),
])
def test_cfn_code_elsewhere(code, expected) -> None:
    assert cfn.code_elsewhere(_plain(code), {}) == expected


def test_the_folder_given_stands_in_for_code_elsewhere_only() -> None:
    assert sam.declared_code(_sam(CodeUri="s3://b/k.zip"), {}, "lambda") == ("lambda", "app.handler")
    assert sam.declared_code(_sam(CodeUri="src/"), {}, "lambda") == ("src/", "app.handler")
    assert cfn.declared_code(_plain({"S3Bucket": "b", "S3Key": "k"}), {}, "lambda") == ("lambda", "app.handler")
    assert cfn.declared_code(_plain("src/"), {}, "lambda") == ("src/", "app.handler")
    # what the folder cannot change: another runtime, inline code
    assert "nodejs" in sam.declared_code(_sam(CodeUri="s3://b/k.zip", Runtime="nodejs20.x"), {}, "lambda")
    assert "ZipFile" in cfn.declared_code(_plain({"ZipFile": "x"}), {}, "lambda")
    # per function in a SAM template with plain functions
    assert SAM_WITH_PLAIN_FUNCTIONS.code_elsewhere(_plain({"S3Bucket": "b", "S3Key": "k"}), {}) == "s3://b/k"
    assert SAM_WITH_PLAIN_FUNCTIONS.declared_code(_plain("s3://b/k"), {}, "x") == ("x", "app.handler")


@pytest.mark.parametrize("resource", [_sam(CodeUri="s3://b/k.zip"), _plain({"S3Bucket": "b", "S3Key": "k.zip"})])
def test_without_the_option_the_reason_says_to_pass_it(resource) -> None:
    declared = (sam if resource["Type"].startswith("AWS::Serverless") else cfn).declared_code(resource, {})
    assert isinstance(declared, str) and "--code DIR" in declared and "s3://b/k.zip" in declared


# --- load ---------------------------------------------------------------------------------
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: pkg/app.handler
      CodeUri: {code_uri}
"""


def _app(tmp_path: Path, code_uri: str = "s3://b/k.zip", *, template_dir: str = "infra") -> Path:
    (tmp_path / template_dir).mkdir(parents=True)
    (tmp_path / template_dir / "template.yaml").write_text(TEMPLATE.format(code_uri=code_uri), encoding="utf-8")
    (tmp_path / "source" / "pkg").mkdir(parents=True)
    (tmp_path / "source" / "pkg" / "app.py").write_text("def handler(event, context):\n    return 1\n", encoding="utf-8")
    return tmp_path


def test_load_reads_the_function_from_the_folder_relative_to_the_project_folder(tmp_path: Path) -> None:
    app = _app(tmp_path)
    project = load(app, Path("infra/template.yaml"), code_dirs(["source/"]))
    function = project.function("Fn")
    assert function.code_dir == (app / "source").resolve()
    # as the template's folder sees it, with the trailing slash as given
    assert function.code_uri == "../source/"
    assert function.module_path == (app / "source" / "pkg" / "app.py").resolve()
    assert function.code_elsewhere == "s3://b/k.zip"
    assert (app / "source" / "pkg" / "app.py").resolve() in project.sources
    # the template is untouched: the CodeUri is still the S3 one
    assert TemplateDocument.load(app / "infra" / "template.yaml").data["Resources"]["Fn"]["Properties"]["CodeUri"] == "s3://b/k.zip"


def test_an_intrinsic_code_uri_is_taken_with_the_option(tmp_path: Path) -> None:
    app = _app(tmp_path, "!Sub s3://${AWS::AccountId}-artifacts/k.zip")
    function = load(app, Path("infra/template.yaml"), code_dirs(["Fn=source"])).function("Fn")
    assert function.code_elsewhere == "CodeUri an intrinsic function (!Sub)"
    assert function.code_uri == "../source"


def test_without_the_option_the_function_is_skipped_with_the_reason(tmp_path: Path) -> None:
    project = load(_app(tmp_path), Path("infra/template.yaml"))
    assert project.functions == ()
    assert "--code DIR" in project.skipped["Fn"]


def test_code_for_a_local_function_is_refused_and_without_it_it_loads_as_before(tmp_path: Path) -> None:
    app = _app(tmp_path, "../source/")
    with pytest.raises(StranglerError, match="not needed"):
        load(app, Path("infra/template.yaml"), code_dirs(["Fn=source"]))
    assert load(app, Path("infra/template.yaml")).function("Fn").code_elsewhere is None
