"""Per-action settings: strangler.toml or [tool.strangler], validated with file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.errors import StranglerError
from strangler.load.settings import load_settings


def write(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text)
    return folder


def test_no_file_means_everything_comes_from_the_monolith(tmp_path: Path) -> None:
    assert load_settings(tmp_path).for_action("OrderPlaced").properties() == {}


def test_action_settings_win_over_defaults(tmp_path: Path) -> None:
    write(tmp_path, "strangler.toml", '[defaults]\nTimeout = 10\nMemorySize = 256\n\n[actions.OrderPlaced]\nMemorySize = 1024\nfolder = "lambdas/placing"\n')
    settings = load_settings(tmp_path)
    assert settings.for_action("OrderPlaced").properties() == {"MemorySize": 1024, "Timeout": 10}
    assert settings.for_action("OrderPlaced").folder == "lambdas/placing"
    assert settings.for_action("OrderShipped").properties() == {"MemorySize": 256, "Timeout": 10}


def test_pyproject_tool_table_is_read(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "orders"\n\n[tool.strangler.actions."GET /orders"]\nReservedConcurrentExecutions = 5\n')
    assert load_settings(tmp_path).for_action("GET /orders").properties() == {"ReservedConcurrentExecutions": 5}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[actions.A]\nMemorySize = 64\n", 'actions."A".MemorySize = 64: expected a whole number from 128 to 10240'),
        ("[actions.A]\nTimeout = \"ten\"\n", 'actions."A".Timeout = \'ten\': expected a whole number from 1 to 900'),
        ("[actions.A]\nMemory = 512\n", 'unknown setting actions."A".Memory'),
        ("[actions.A]\nfolder = \"../elsewhere\"\n", "expected a folder path relative to the template"),
        ("[defaults]\nFunctionName = \"x\"\n", "defaults cannot set folder or FunctionName"),
        ("[action.A]\nTimeout = 3\n", "unknown setting action"),
        ("[actions.A\n", "not valid TOML"),
    ],
)
def test_invalid_settings_are_rejected_with_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, "strangler.toml", text)
    with pytest.raises(StranglerError) as caught:
        load_settings(tmp_path)
    assert caught.value.where.split(":")[0] == "strangler.toml"
    assert message in caught.value.message


def test_malformed_toml_names_the_line(tmp_path: Path) -> None:
    write(tmp_path, "strangler.toml", "[actions.A]\nMemorySize = 512\n\n[actions.B\n")
    with pytest.raises(StranglerError) as caught:
        load_settings(tmp_path)
    assert caught.value.where == "strangler.toml:4"


def test_each_action_table_knows_its_line(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.strangler.actions."GET /a"]\nTimeout = 3\n[tool.strangler.actions.B]  # b\nTimeout = 4\n')
    settings = load_settings(tmp_path)
    assert settings.place("GET /a") == "pyproject.toml:4"
    assert settings.place("B") == "pyproject.toml:6"


@pytest.mark.parametrize("folder", [".aws-sam/build/a", ".git/a", "a/" + "x" * 101, ".", " "])
def test_a_folder_setting_stays_in_the_application_code(tmp_path: Path, folder: str) -> None:
    write(tmp_path, "strangler.toml", f'[actions.A]\nfolder = "{folder}"\n')
    with pytest.raises(StranglerError) as caught:
        load_settings(tmp_path)
    assert 'actions."A".folder' in caught.value.message


def test_verify_ignores_are_a_list_of_field_paths(tmp_path) -> None:
    from strangler.load.settings import load_settings

    (tmp_path / "strangler.toml").write_text('[verify]\nignore = ["detail.timestamp", "requestId"]\n')
    assert load_settings(tmp_path).verify_ignore == ("detail.timestamp", "requestId")


def test_verify_ignore_that_is_not_a_list_is_refused(tmp_path) -> None:
    import pytest

    from strangler.errors import StranglerError
    from strangler.load.settings import load_settings

    (tmp_path / "strangler.toml").write_text('[verify]\nignore = "detail.timestamp"\n')
    with pytest.raises(StranglerError, match="expected a list of field paths"):
        load_settings(tmp_path)
