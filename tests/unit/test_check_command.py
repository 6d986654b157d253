"""The command around the rules: --select, order, what --fix gathers, exit codes, the
output formats and the pre-commit hook."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
import tomllib
import yaml
from click.testing import CliRunner

from strangler.check import output
from strangler.check.app import CheckedApp
from strangler.check.command import (
    CheckOptions,
    check,
    every_info,
    selected_codes,
    under,
)
from strangler.check.edits import Edits
from strangler.check.model import Finding, Location, RuleInfo
from strangler.cli import main
from strangler.errors import StranglerError

ROOT = Path(__file__).resolve().parents[2]
INFOS = (RuleInfo("STR101", "a", "A", "why a"), RuleInfo("STR102", "b", "B", "why b"), RuleInfo("STR201", "c", "C", "why c"))


class FakeRule:
    """Reports fixed findings out of order; its fix appends a line to the file it names."""

    def __init__(self, infos: tuple[RuleInfo, ...], findings: Sequence[Finding]) -> None:
        self.infos = infos
        self.findings = list(findings)

    def find(self, app: CheckedApp) -> Iterable[Finding]:
        marked = (app.root / "src" / "app.py").read_text()
        return [f for f in self.findings if f"# fixed {f.code}" not in marked]

    def fix(self, app: CheckedApp, findings: Sequence[Finding], edits: Edits) -> None:
        for finding in findings:
            if finding.fixable:
                text = edits.text(finding.location.path) or ""
                edits.replace(finding.location.path, text + f"# fixed {finding.code}\n")


def finding(code: str, path: str, line: int, fix: str | None = None) -> Finding:
    return Finding(code, f"{code} here", Location(path, line, 1), fix=fix)


@pytest.fixture
def app(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "fixtures" / "sync-chain-orders" / "before", tmp_path / "app")
    (tmp_path / "app" / "src").mkdir()
    (tmp_path / "app" / "src" / "app.py").write_text("x = 1\n")
    return tmp_path / "app"


def test_select_takes_prefixes_lists_and_all() -> None:
    assert selected_codes((), INFOS) == {"STR101", "STR102", "STR201"}
    assert selected_codes(("STR1",), INFOS) == {"STR101", "STR102"}
    assert selected_codes(("str201,STR101",), INFOS) == {"STR101", "STR201"}
    assert selected_codes(("ALL",), INFOS) == {"STR101", "STR102", "STR201"}


def test_an_unknown_code_is_refused_with_a_suggestion() -> None:
    with pytest.raises(StranglerError) as refused:
        selected_codes(("STR1O1",), INFOS)
    assert "--select STR1O1: no rule has this code" in str(refused.value)
    assert "did you mean 'STR101'?" in str(refused.value)


def test_findings_are_sorted_and_only_selected_ones_kept(app: Path) -> None:
    rule = FakeRule(INFOS, [finding("STR201", "b.py", 3), finding("STR102", "a.py", 9), finding("STR101", "a.py", 2)])
    done = check(app, None, CheckOptions(), rules=[rule])
    assert [(f.location.path, f.location.line) for f in done.found] == [("a.py", 2), ("a.py", 9), ("b.py", 3)]
    only = check(app, None, CheckOptions(select=("STR2",)), rules=[rule])
    assert [f.code for f in only.remaining] == ["STR201"]


def test_fix_writes_one_change_and_counts_what_remains(app: Path) -> None:
    rule = FakeRule(INFOS, [finding("STR101", "src/app.py", 1, fix="mark it"), finding("STR102", "src/app.py", 1)])
    dry = check(app, None, CheckOptions(fix=True, dry_run=True), rules=[rule])
    assert (app / "src" / "app.py").read_text() == "x = 1\n"
    assert dry.changes is not None and [c.path for c in dry.changes.changes] == ["src/app.py"]
    assert [f.code for f in dry.remaining] == ["STR102"] and dry.fixed == 1 and not dry.written
    done = check(app, None, CheckOptions(fix=True), rules=[rule])
    assert done.written and (app / "src" / "app.py").read_text() == "x = 1\n# fixed STR101\n"
    assert [f.code for f in done.remaining] == ["STR102"]
    again = check(app, None, CheckOptions(fix=True), rules=[rule])
    assert again.changes is None and (app / "src" / "app.py").read_text() == "x = 1\n# fixed STR101\n"


def test_paths_name_each_application_apart() -> None:
    [moved] = under("services/orders", [Finding("STR101", "m", Location("app.py", 3, 1), related=(Location("t.yaml"),))])
    assert moved.location.path == "services/orders/app.py" and moved.related[0].path == "services/orders/t.yaml"


def test_every_registered_code_is_documented_once() -> None:
    codes = [info.code for info in every_info()]
    assert len(codes) == len(set(codes)) and {"STR100", "STR101", "STR102"} <= set(codes)
    assert all(info.summary and info.explanation and info.name for info in every_info())


# --- output ---------------------------------------------------------------------------------
def test_text_lines_and_summary() -> None:
    fixable = Finding("STR101", "waits", Location("a.py", 3, 5), explanation="why", fix="a queue")
    advice = Finding("STR102", "uses it", Location("b.py", 1, 1), explanation="why", advice="Step Functions")
    assert output.text_lines([fixable, advice]) == [
        "a.py:3:5: STR101 waits", "  why", "  fix: a queue", "b.py:1:1: STR102 uses it", "  why", "  advice: Step Functions"]
    assert output.text_lines([fixable], quiet=True) == ["a.py:3:5: STR101 waits"]
    assert output.summary(2, [fixable, advice], None) == "Found 2 problems (1 fixable with --fix)."
    assert output.summary(2, [advice], 1) == "Found 2 problems (1 fixed, 1 remaining)."
    assert output.summary(0, [], None) == "All checks passed."


def test_json_and_sarif_follow_their_schemas() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    found = [Finding("STR101", "waits", Location("dir with space/a.py", 3, 5), "Caller", "why", "a queue",
                     related=(Location("template.yaml"),))]
    document = output.as_json(found, INFOS)
    jsonschema.validate(document, json.loads((ROOT / "strangler/schemas/check.schema.json").read_text()))
    assert document[0]["rule"] == "a" and document[0]["fixable"] is True
    sarif = output.as_sarif(found, INFOS)
    schema = json.loads((ROOT / "tests/support/schemas/sarif-2.1.0-subset.schema.json").read_text())
    jsonschema.validate(sarif, schema)
    jsonschema.validate(sarif, json.loads((ROOT / "tests/support/schemas/sarif-2.1.0-rtm.5.json").read_text()))
    result = sarif["runs"][0]["results"][0]
    assert result["ruleIndex"] == 0 and result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dir%20with%20space/a.py"
    assert "fixes" not in result
    with pytest.raises(jsonschema.ValidationError):  # the schema does bite
        jsonschema.validate({**sarif, "version": "2.0.0"}, schema)


def test_cli_exit_codes_and_usage_errors(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "fixtures" / "eventbridge-orders" / "before", tmp_path / "app")
    runner = CliRunner()
    found = runner.invoke(main, ["check", str(tmp_path / "app"), "--no-color"])
    assert found.exit_code == 1 and "STR100" in found.stdout
    assert found.stdout.split(":", 1)[0].startswith(f"{tmp_path.as_posix()}/app/")
    clean = runner.invoke(main, ["check", "-C", str(tmp_path / "app"), "--select", "STR101"])
    assert clean.exit_code == 0 and clean.stdout == "All checks passed.\n"
    assert runner.invoke(main, ["check", "-C", str(tmp_path / "app"), "--dry-run"]).exit_code == 2
    missing = runner.invoke(main, ["check", str(tmp_path / "nowhere")])
    assert missing.exit_code != 0 and "Traceback" not in missing.output


def test_pre_commit_hook_runs_the_installed_command() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "strangler-check" and hook["language"] == "python" and hook["pass_filenames"] is False
    program, command = hook["entry"].split()
    scripts = _scripts(ROOT / "pyproject.toml")
    assert scripts[program] == "strangler.cli:main" and command in main.commands
    assert re.search(hook["files"], "template.yaml") and re.search(hook["files"], "src/app.py")
    assert not re.search(hook["files"], "README.md")


def _scripts(pyproject: Path) -> dict[str, str]:
    return tomllib.loads(pyproject.read_text())["project"]["scripts"]
