"""Handlers load in isolation: same-named modules in two folders never leak into each other."""

from __future__ import annotations

import os
import sys
import textwrap
import types
from pathlib import Path

import pytest

from strangler.verify.lambdaload import FakeContext, invoke, load, parse_handler


def make_function(root: Path, name: str, value: str) -> Path:
    """A code folder whose ``app`` answers with its own ``shared.VALUE``."""
    folder = root / name
    folder.mkdir()
    (folder / "shared.py").write_text(f"VALUE = {value!r}\n")
    (folder / "app.py").write_text(textwrap.dedent("""\
        import os
        import shared

        def lambda_handler(event, context):
            import lazy  # imported during the call, must be isolated as well
            return {"value": shared.VALUE, "lazy": lazy.VALUE, "event": event,
                    "env": os.environ.get("TABLE"), "request": context.aws_request_id}
    """))
    (folder / "lazy.py").write_text(f"VALUE = {value + '-lazy'!r}\n")
    return folder


@pytest.mark.parametrize("order", [("one", "two", "one"), ("two", "one", "two")])
def test_two_folders_with_same_module_names_stay_apart(tmp_path: Path, order: tuple[str, ...]) -> None:
    folders = {name: make_function(tmp_path, name, name.upper()) for name in ("one", "two")}

    for name in order:
        result = invoke(folders[name], "app.lambda_handler", {"n": 1}, {"TABLE": name})
        assert result == {"value": name.upper(), "lazy": name.upper() + "-lazy",
                          "event": {"n": 1}, "env": name, "request": "req-1"}


def test_state_is_restored_afterwards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_function(tmp_path, "one", "ONE")
    outsider = types.ModuleType("shared")
    monkeypatch.setitem(sys.modules, "shared", outsider)
    monkeypatch.setenv("TABLE", "outer")
    monkeypatch.delenv("ADDED", raising=False)
    path_before = list(sys.path)

    assert invoke(folder, "app.lambda_handler", {}, {"TABLE": "inner", "ADDED": "x"})["value"] == "ONE"

    assert sys.modules["shared"] is outsider
    assert "app" not in sys.modules and "lazy" not in sys.modules
    assert sys.path == path_before
    assert os.environ["TABLE"] == "outer" and "ADDED" not in os.environ
    assert not (folder / "__pycache__").exists()


def test_handler_exceptions_propagate_and_still_clean_up(tmp_path: Path) -> None:
    folder = tmp_path / "boom"
    folder.mkdir()
    (folder / "app.py").write_text(
        "import os\n"
        "def handler(event, context):\n"
        "    os.environ['LEAK'] = '1'\n"
        "    raise KeyError(event['missing'])\n"
    )
    path_before = list(sys.path)

    with pytest.raises(KeyError):
        invoke(folder, "app.handler", {}, {})

    assert "app" not in sys.modules and "LEAK" not in os.environ and sys.path == path_before


@pytest.mark.parametrize("handler", ["handlers/orders.create", "handlers.orders.create"])
def test_package_handlers(tmp_path: Path, handler: str) -> None:
    package = tmp_path / "fn" / "handlers"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "orders.py").write_text("def create(event, context):\n    return context.function_name\n")

    assert invoke(tmp_path / "fn", handler, {}, {}, context=FakeContext(function_name="create")) == "create"
    assert not any(name == "handlers" or name.startswith("handlers.") for name in sys.modules)


def test_load_yields_the_callable(tmp_path: Path) -> None:
    folder = make_function(tmp_path, "one", "ONE")

    with load(folder, "app.lambda_handler", {"TABLE": "t"}) as handler:
        assert handler({}, FakeContext())["env"] == "t"
    assert "app" not in sys.modules


def test_parse_handler_and_errors(tmp_path: Path) -> None:
    assert parse_handler("app.lambda_handler") == ("app", "lambda_handler")
    assert parse_handler("pkg/mod.fn") == ("pkg.mod", "fn")
    with pytest.raises(ValueError):
        parse_handler("lambda_handler")
    (tmp_path / "app.py").write_text("x = 1\n")
    with pytest.raises(AttributeError, match="no callable 'handler'"):
        invoke(tmp_path, "app.handler", {}, {})


def test_fake_context() -> None:
    context = FakeContext(function_name="orders-create")

    assert context.aws_request_id == "req-1"
    assert context.invoked_function_arn.endswith(":function:orders-create")
    assert context.memory_limit_in_mb == 128
    assert context.get_remaining_time_in_millis() > 0
