"""Load: which functions are local Python code strangler can take apart, and why not."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.errors import StranglerError
from strangler.load.project import _split_handler, load


def app(tmp_path: Path, properties: str, globals_: str = "    Runtime: python3.12\n") -> Path:
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return None\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n" + globals_
        + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n" + properties
    )
    return tmp_path


@pytest.mark.parametrize(
    ("handler", "expected"),
    [("app.handler", ("app.py", "handler")), ("pkg/mod.handler", ("pkg/mod.py", "handler")), ("pkg.mod.handler", ("pkg/mod.py", "handler"))],
)
def test_a_handler_names_a_module_file(tmp_path: Path, handler: str, expected: tuple[str, str]) -> None:
    path, name = _split_handler(tmp_path, handler)
    assert (path.relative_to(tmp_path).as_posix(), name) == expected


@pytest.mark.parametrize("handler", ["handler", "", "app.", ".handler", "app..handler", "my-app.handler", "app.handler()"])
def test_a_handler_that_is_not_module_function_says_so(tmp_path: Path, handler: str) -> None:
    assert "is not module.function" in _split_handler(tmp_path, handler)


def test_a_local_python_function_is_loaded(tmp_path: Path) -> None:
    project = load(app(tmp_path, "      CodeUri: src/\n      Handler: app.handler\n"))
    assert [f.logical_id for f in project.functions] == ["Fn"] and project.skipped == {}


@pytest.mark.parametrize(
    ("properties", "globals_", "reason"),
    [
        ("      CodeUri: src/\n      Handler: app.handler\n", "    Runtime: java21\n", "Runtime java21 is not Python"),
        ("      CodeUri: src/\n      Handler: app.handler\n", "    Timeout: 3\n", "no Runtime"),
        ("      CodeUri: src/\n", "    Runtime: python3.12\n", "no Handler"),
        ("      Handler: app.handler\n", "    Runtime: python3.12\n    CodeUri: s3://b/k.zip\n", "in S3"),
        ("      InlineCode: x\n      Handler: index.handler\n", "    Runtime: python3.12\n", "InlineCode"),
        ("      ImageUri: repo:latest\n", "    Timeout: 3\n", "container image"),
    ],
)
def test_functions_that_are_not_local_python_are_set_aside_with_the_reason(tmp_path: Path, properties: str, globals_: str, reason: str) -> None:
    project = load(app(tmp_path, properties, globals_))
    assert project.functions == () and reason in project.skipped["Fn"]
    with pytest.raises(StranglerError) as caught:
        project.function("Fn")
    assert caught.value.where == "template.yaml: Resources.Fn" and reason in caught.value.message


def test_code_uri_is_read_from_the_template_folder(tmp_path: Path) -> None:
    infra = tmp_path / "infra"
    infra.mkdir()
    app(tmp_path, "      CodeUri: ../src/\n      Handler: app.handler\n")
    (tmp_path / "template.yaml").rename(infra / "template.yaml")
    project = load(tmp_path, Path("infra/template.yaml"))
    assert project.root == infra.resolve()
    (function,) = project.functions
    assert function.code_dir == (tmp_path / "src").resolve()
    assert project.relative(function.module_path) == "../src/app.py"
