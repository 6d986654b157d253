"""End to end: a monolith whose code is in S3 (SAM ``CodeUri: s3://...`` or ``{Bucket, Key}``,
plain ``Code: {S3Bucket, S3Key}``), split with ``--code DIR`` naming the folder its package is
built from.

Each case copies a fixture app, moves its code folder elsewhere and points the monolith's
CodeUri/Code at S3. The run must then
- translate and lint, keep the monolith's CodeUri/Code as written, give every new function a
  local code folder, write the monolith's trimmed handler into DIR;
- deliver each scenario event to exactly one function, which behaves like the monolith did
  (moto), the monolith's remaining code read from DIR;
- produce what the same command produces on the app with local code (the monolith's folder
  aside), change nothing when run again, and be the same stepwise as at once.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from strangler.verify import lambdaload, routing
from tests.support import samcheck
from tests.support.apps import copy_app, scenario, snapshot, strangler
from tests.support.samcheck import FunctionCode


@dataclass(frozen=True)
class Elsewhere:
    """A fixture whose monolith's code folder ``src`` moves to ``folder`` (relative to the
    app; ``../x`` is outside it) and whose code property becomes ``written``."""

    fixture: str
    monolith: str
    local: str  # the property as the fixture writes it
    written: str  # what replaces it: the code in S3
    folder: str
    option: str  # the --code value
    extract: tuple[str, ...]
    actions: tuple[str, ...]  # every action, in dispatch order


SAM_S3 = Elsewhere(
    "eventbridge-orders", "OrdersFunction", "      CodeUri: src/\n",
    "      CodeUri: s3://orders-artifacts-123456789012/orders/v42.zip\n", "lambda", "lambda/",
    ("OrderShipped",), ("OrderPlaced", "OrderCancelled", "OrderShipped", "PaymentFailed"),
)
SAM_MAP_OUTSIDE = Elsewhere(
    "eventbridge-orders", "OrdersFunction", "      CodeUri: src/\n",
    "      CodeUri:\n        Bucket: orders-artifacts-123456789012\n        Key: orders/v42.zip\n",
    "../orders-src", "OrdersFunction=../orders-src/",
    ("OrderPlaced", "PaymentFailed"), ("OrderPlaced", "OrderCancelled", "OrderShipped", "PaymentFailed"),
)
CFN_S3 = Elsewhere(
    "cfn-rest-inventory", "InventoryFunction", "      Code: src/\n",
    "      Code:\n        S3Bucket: inventory-artifacts-123456789012\n        S3Key: inventory/v7.zip\n",
    "build/inventory", "InventoryFunction=build/inventory/",
    ("GET /items/{sku}",), ("GET /items", "POST /items", "GET /items/{sku}", "DELETE /items/{sku}", "POST /items/{sku}/stock"),
)
CASES = {"sam-s3-uri": SAM_S3, "sam-s3-mapping-outside": SAM_MAP_OUTSIDE, "cfn-s3": CFN_S3}


def s3_app(case: Elsewhere, workdir: Path) -> Path:
    """The fixture with its monolith's code in S3 and its source in ``case.folder``."""
    app = copy_app(case.fixture, workdir / "app")
    folder = (app / case.folder).resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(app / "src", folder)
    template = app / "template.yaml"
    text = template.read_text(encoding="utf-8")
    assert text.count(case.local) == 1
    template.write_text(text.replace(case.local, case.written), encoding="utf-8")
    return app


def tree(app: Path, case: Elsewhere) -> dict[str, str]:
    """The app and, when it is outside, the code folder."""
    found = snapshot(app)
    if case.folder.startswith("../"):
        outside = (app / case.folder).resolve()
        found.update({f"{case.folder}/{name}": text for name, text in snapshot(outside).items()})
    return found


@pytest.fixture(params=[(name, command) for name in CASES for command in ("extract", "migrate")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def done(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Elsewhere, Path, tuple[str, ...]]:
    name, command = request.param
    case = CASES[name]
    app = s3_app(case, tmp_path / "s3")
    args = ("extract", *case.extract) if command == "extract" else ("migrate",)
    result = strangler(app, *args, "--code", case.option)
    assert result.exit_code == 0, result.output
    assert "strangler cannot touch S3" in result.output
    return case, app, args


def test_the_template_translates_lints_and_keeps_the_monoliths_code_in_s3(done) -> None:
    case, app, args = done
    samcheck.assert_valid(app / "template.yaml")
    text = (app / "template.yaml").read_text(encoding="utf-8")
    resources = samcheck.load_template(app / "template.yaml")["Resources"]
    if args[0] == "extract":
        assert case.written in text
        properties = resources[case.monolith]["Properties"]
        assert (properties.get("CodeUri") or properties.get("Code")) not in (None, "src/")
    else:
        assert case.monolith not in resources and case.written not in text
    new = {i: r for i, r in resources.items() if "ExtractedFrom" in ((r.get("Metadata") or {}).get("Strangler") or {})}
    assert new
    for resource in new.values():
        code = resource["Properties"].get("CodeUri") or resource["Properties"]["Code"]
        assert isinstance(code, str) and code.startswith("functions/") and (app / code).is_dir()


def test_the_result_is_what_the_same_run_makes_of_local_code(done, tmp_path: Path) -> None:
    """Moving the code to S3 changes only where the monolith's code is: its code property
    stays as written, its folder is DIR; everything else is what a local run writes."""
    case, app, args = done
    local = copy_app(case.fixture, tmp_path / "local")
    result = strangler(local, *args)
    assert result.exit_code == 0, result.output
    # The new modules say where they were extracted from: the monolith's folder.
    said = ("extracted by strangler from src/", f"extracted by strangler from {case.folder}/")
    expected = {name: text.replace(*said) for name, text in snapshot(local).items() if not name.startswith("src/")}
    expected.update({f"{case.folder}/{name[4:]}": text for name, text in snapshot(local).items() if name.startswith("src/")})
    if args[0] == "extract":
        expected["template.yaml"] = expected["template.yaml"].replace(case.local, case.written)
    assert tree(app, case) == expected


def test_events_reach_one_function_that_behaves_like_the_monolith(done, tmp_path: Path) -> None:
    case, app, _ = done
    story = scenario(case.fixture)
    before_dir = copy_app(case.fixture, tmp_path / "original")
    before = samcheck.translate(before_dir / "template.yaml")
    after = samcheck.translate(app / "template.yaml")
    code_before = samcheck.function_code(before_dir / "template.yaml")
    declared = set(code_before[case.monolith].environment)
    expected = _play(story, code_before, lambda key, event: case.monolith, declared)
    code_after = _with_monolith(app, case, samcheck.function_code(app / "template.yaml"))

    def target(key: str, event: dict[str, Any]) -> str:
        assert routing.targets(before, event) == {case.monolith}
        reached = routing.targets(after, event)
        assert len(reached) == 1, f"{key} reaches {reached}"
        return next(iter(reached))

    assert _play(story, code_after, target, declared) == expected


def test_running_again_changes_nothing(done) -> None:
    case, app, args = done
    before = tree(app, case)
    again = strangler(app, *args, "--code", case.option)
    assert again.exit_code == 0, again.output
    assert "already" in again.output
    assert tree(app, case) == before


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_run_per_action_then_migrate_equals_migrate(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    stepwise = s3_app(case, tmp_path / "stepwise")
    for action in case.actions:
        result = strangler(stepwise, "extract", action, "--code", case.option)
        assert result.exit_code == 0, result.output
    result = strangler(stepwise, "migrate", "--code", case.option)
    assert result.exit_code == 0, result.output
    at_once = s3_app(case, tmp_path / "at-once")
    assert strangler(at_once, "migrate", "--code", case.option).exit_code == 0
    assert tree(stepwise, case) == tree(at_once, case)


def test_the_dry_run_writes_nothing_and_its_diff_is_the_change(tmp_path: Path) -> None:
    app = s3_app(SAM_S3, tmp_path / "dry")
    before = snapshot(app)
    dry = strangler(app, "migrate", "--code", SAM_S3.option, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert snapshot(app) == before
    assert "strangler cannot touch S3" in dry.output
    patch = tmp_path / "change.diff"
    patch.write_text(dry.stdout, encoding="utf-8")
    subprocess.run(["git", "apply", "-p1", str(patch)], cwd=app, check=True)
    ran = s3_app(SAM_S3, tmp_path / "ran")
    assert strangler(ran, "migrate", "--code", SAM_S3.option).exit_code == 0
    assert snapshot(app) == snapshot(ran)


# --- helpers --------------------------------------------------------------------------
def _with_monolith(app: Path, case: Elsewhere, code: dict[str, FunctionCode]) -> dict[str, FunctionCode]:
    """The function code of the template, and the monolith's from its --code folder."""
    template = samcheck.load_template(app / "template.yaml")
    resource = template["Resources"].get(case.monolith)
    if resource is None:
        return code
    properties = resource["Properties"]
    defaults = (template.get("Globals") or {}).get("Function") or {}
    env = {**((defaults.get("Environment") or {}).get("Variables") or {}),
           **((properties.get("Environment") or {}).get("Variables") or {})}
    return {**code, case.monolith: FunctionCode((app / case.folder).resolve(), properties["Handler"], env)}


def _play(story, code: dict[str, FunctionCode], choose: Callable[[str, dict[str, Any]], str],
          declared: set[str]) -> tuple[list[Any], Any]:
    results = []
    with mock_aws():
        story.setup_aws()
        for key, event in story.EVENTS:
            function = code[choose(key, event)]
            env = {k: v for k, v in story.ENV.items() if k in function.environment or k not in declared}
            try:
                outcome = ("returned", json.loads(json.dumps(
                    lambdaload.invoke(function.code_dir, function.handler, copy.deepcopy(event), env), default=str)))
            except Exception as exc:  # noqa: BLE001  (the monolith lets some errors escape for retries)
                outcome = ("raised", type(exc).__name__, str(exc))
            results.append(outcome)
        state = story.aws_state()
    return results, state
