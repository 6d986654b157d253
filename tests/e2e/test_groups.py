"""Groups end to end: ``[groups.NAME]`` in strangler.toml honoured by migrate, a group taken
apart again, ``--commit`` steps, ``extract NAME``, and the JSON report.

Each result is checked as the fixture cases are: the reviewed tree, translation and lint,
every scenario event routed to one function that behaves like the monolith, a second run
that changes nothing, and a dry run whose diff is the change.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import git
import pytest

from strangler.load.settings import load_settings
from tests.e2e import test_fixture_apps as checks
from tests.support import samcheck
from tests.support.apps import FIXTURES, ROOT, Run, copy_app, snapshot, strangler
from tests.support.hostile import repository

SETTINGS = {
    "eventbridge-orders": '[groups.Lifecycle]\nactions = ["OrderPlaced", "OrderCancelled"]\n',
    # two groups and one action on its own, in one run
    "chain-payments": '[groups.Gateway]\nactions = ["PaymentAuthorized", "ChargebackOpened"]\n\n'
                      '[groups.Settlement]\nactions = ["PaymentCaptured", "PaymentSettled"]\n',
    "table-in-handler-users": '[groups.UserRecords]\nactions = ["GET /users", "POST /users"]\n',
}


def _app(fixture: str, folder: Path) -> Path:
    app = copy_app(fixture, folder)
    (app / "strangler.toml").write_text(SETTINGS[fixture], encoding="utf-8")
    return app


@pytest.fixture(scope="module", params=sorted(SETTINGS))
def migrated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    fixture = request.param
    work = tmp_path_factory.mktemp(fixture)
    original, app = _app(fixture, work / "original"), _app(fixture, work / "app")
    result = strangler(app, "migrate")
    assert result.exit_code == 0, result.output
    return Run(fixture, ("migrate",), original, app, result)


def test_migrate_with_groups_is_the_reviewed_tree(migrated: Run) -> None:
    expected = FIXTURES / migrated.fixture / "expected" / "migrate-with-groups"
    if os.environ.get("STRANGLER_REGENERATE"):
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(migrated.app, expected, ignore=shutil.ignore_patterns("__pycache__"))
    assert snapshot(migrated.app) == snapshot(expected)


def test_migrate_with_groups_makes_one_function_per_group(migrated: Run) -> None:
    template = samcheck.load_template(migrated.app / "template.yaml")
    marks = {logical_id: r["Metadata"]["Strangler"] for logical_id, r in template["Resources"].items()
             if "ExtractedFrom" in ((r.get("Metadata") or {}).get("Strangler") or {})}
    settings = SETTINGS[migrated.fixture]
    groups = {m["Action"]: m["Actions"] for m in marks.values() if "Actions" in m}
    assert groups and all(f'[groups.{name}]' in settings for name in groups)
    for name, actions in groups.items():
        assert f"{name}Function" in marks and all(json.dumps(action) in settings for action in actions)
    assert "Created" in migrated.result.output and "group of" in migrated.result.output


def test_migrate_with_groups_translates_and_routes_each_event_to_one_function(migrated: Run) -> None:
    samcheck.assert_valid(migrated.app / "template.yaml")
    checks.test_events_reach_their_function_which_behaves_like_the_monolith(migrated)
    checks.test_events_no_action_claims_never_reach_an_extracted_function(migrated)


def test_migrate_with_groups_again_changes_nothing(migrated: Run) -> None:
    checks.test_running_again_changes_nothing(migrated)


def test_migrate_with_groups_dry_run_diff_is_the_change(migrated: Run, tmp_path: Path) -> None:
    app = _app(migrated.fixture, tmp_path / "dry")
    before = snapshot(app)
    dry = strangler(app, "migrate", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert snapshot(app) == before
    (tmp_path / "change.diff").write_text(dry.stdout, encoding="utf-8")
    subprocess.run(["git", "apply", "-p1", str(tmp_path / "change.diff")], cwd=app, check=True)
    assert snapshot(app) == snapshot(migrated.app)


# --- a group taken apart again ------------------------------------------------------------
def _run(app: Path, *args: str) -> None:
    result = strangler(app, *args)
    assert result.exit_code == 0, result.output


def test_an_action_taken_out_of_its_group_is_found_in_the_group_function(tmp_path: Path) -> None:
    original = copy_app("eventbridge-orders", tmp_path / "original")
    app = copy_app("eventbridge-orders", tmp_path / "app")
    _run(app, "extract", "OrderPlaced", "OrderCancelled", "--into", "Lifecycle")
    _run(app, "extract", "OrderPlaced")  # no --function: the group's function is found
    template = samcheck.load_template(app / "template.yaml")
    resources = template["Resources"]
    assert resources["LifecycleFunction"]["Metadata"]["Strangler"]["Actions"] == ["OrderCancelled"]
    assert resources["OrderPlacedFunction"]["Metadata"]["Strangler"]["ExtractedFrom"] == "LifecycleFunction"
    group_code = (app / "functions/lifecycle/app.py").read_text()
    assert '"OrderCancelled": on_order_cancelled' in group_code and "on_order_placed" not in group_code
    run = Run("eventbridge-orders", ("extract", "OrderPlaced"), original, app, None)  # type: ignore[arg-type]
    samcheck.assert_valid(app / "template.yaml")
    checks.test_events_reach_their_function_which_behaves_like_the_monolith(run)
    before = snapshot(app)
    for again in (("extract", "OrderPlaced"), ("extract", "OrderPlaced", "OrderCancelled", "--into", "Lifecycle")):
        result = strangler(app, *again)
        assert result.exit_code == 0 and "already" in result.output, result.output
        assert snapshot(app) == before


def test_an_action_taken_out_of_a_group_with_function_equals_it_found(tmp_path: Path) -> None:
    named, found = copy_app("eventbridge-orders", tmp_path / "named"), copy_app("eventbridge-orders", tmp_path / "found")
    for app in (named, found):
        _run(app, "extract", "OrderPlaced", "OrderCancelled", "--into", "Lifecycle")
    _run(named, "extract", "OrderCancelled", "--function", "LifecycleFunction")
    _run(found, "extract", "OrderCancelled")
    assert snapshot(named) == snapshot(found)
    _run(found, "migrate")  # the original monolith's other actions, then it retires
    samcheck.assert_valid(found / "template.yaml")
    assert "OrdersFunction" not in samcheck.load_template(found / "template.yaml")["Resources"]


# --- stepwise == at once ---------------------------------------------------------------------
@pytest.mark.parametrize("fixture", sorted(SETTINGS))
def test_each_group_extracted_with_commit_then_migrate_equals_migrate(tmp_path: Path, fixture: str) -> None:
    stepwise = _app(fixture, tmp_path / "stepwise")
    repository(stepwise)
    for name, actions in _groups(fixture).items():
        _run(stepwise, "extract", *actions, "--into", name, "--commit")
    _run(stepwise, "migrate", "--commit")
    at_once = _app(fixture, tmp_path / "at-once")
    _run(at_once, "migrate")
    assert snapshot(stepwise) == snapshot(at_once)
    titles = git.Repo(stepwise).git.log("--format=%s").splitlines()
    for name, actions in _groups(fixture).items():  # a group's commit names what moved
        assert any(title.startswith(f"Extract {name} ({', '.join(actions)}) from ") for title in titles), titles


def test_extract_of_a_group_name_equals_into(tmp_path: Path) -> None:
    by_name = _app("chain-payments", tmp_path / "by-name")
    _run(by_name, "extract", "Settlement")
    into = _app("chain-payments", tmp_path / "into")
    _run(into, "extract", "PaymentSettled", "PaymentCaptured", "--into", "Settlement")
    assert snapshot(by_name) == snapshot(into)


def test_extract_of_one_action_of_a_configured_group_takes_it_alone_and_says_so(tmp_path: Path) -> None:
    app = _app("chain-payments", tmp_path / "app")
    result = strangler(app, "extract", "PaymentSettled")
    assert result.exit_code == 0, result.output
    assert "'PaymentSettled' is in group Settlement (strangler.toml:4)" in result.output
    assert "PaymentSettledFunction" in samcheck.load_template(app / "template.yaml")["Resources"]
    _run(app, "migrate")  # the group gets what is left of it
    template = samcheck.load_template(app / "template.yaml")
    assert template["Resources"]["SettlementFunction"]["Metadata"]["Strangler"]["Actions"] == ["PaymentCaptured"]
    samcheck.assert_valid(app / "template.yaml")


def test_into_wins_over_the_settings_and_says_so(tmp_path: Path) -> None:
    app = _app("chain-payments", tmp_path / "app")
    result = strangler(app, "extract", "PaymentAuthorized", "PaymentCaptured", "--into", "Mixed")
    assert result.exit_code == 0, result.output
    assert "'PaymentAuthorized' is in group Gateway (strangler.toml:1); --into Mixed wins" in result.output
    _run(app, "migrate")  # Gateway and Settlement get the rest of their actions
    resources = samcheck.load_template(app / "template.yaml")["Resources"]
    assert resources["GatewayFunction"]["Metadata"]["Strangler"]["Actions"] == ["ChargebackOpened"]
    assert resources["SettlementFunction"]["Metadata"]["Strangler"]["Actions"] == ["PaymentSettled"]


def test_into_with_one_action_names_its_function(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    _run(app, "extract", "PaymentFailed", "--into", "Audit")
    resources = samcheck.load_template(app / "template.yaml")["Resources"]
    assert resources["AuditFunction"]["Metadata"]["Strangler"]["Actions"] == ["PaymentFailed"]
    samcheck.assert_valid(app / "template.yaml")


def test_json_lists_the_group_function_with_its_actions(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    app = copy_app("eventbridge-orders", tmp_path / "app")
    result = strangler(app, "extract", "OrderPlaced", "OrderCancelled", "--into", "Lifecycle", "--json", "--dry-run")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, json.loads((ROOT / "strangler/schemas/run.schema.json").read_text(encoding="utf-8")))
    (created,) = document["created"]
    assert created["key"] == "Lifecycle" and created["logical_id"] == "LifecycleFunction"
    assert created["actions"] == ["OrderPlaced", "OrderCancelled"]
    assert created["route"] == "EventBridgeRule event OrderLifecycle"


def _groups(fixture: str) -> dict[str, tuple[str, ...]]:
    return dict(load_settings(FIXTURES / fixture / "before").groups) or {
        name: keys for name, keys in _parsed(SETTINGS[fixture]).items()
    }


def _parsed(text: str) -> dict[str, tuple[str, ...]]:
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"strangler-groups-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    (folder / "strangler.toml").write_text(text, encoding="utf-8")
    return dict(load_settings(folder).groups)


# --- every kind of route ------------------------------------------------------------------
# The first actions of each of these apps' monolith into one group: SNS filter policies, a
# Kinesis stream's and an event source mapping's FilterCriteria, a nested dispatch, a
# Powertools resolver, plain CloudFormation methods, an included OpenAPI file, Cognito
# triggers, AppSync resolvers, direct invoke, schedules, the kind of event.
SHAPES = {
    "sns-notifications": 2, "kinesis-clickstream": 2, "dynamodb-mapping-orders": 2, "nested-fulfilment": 3,
    "powertools-tickets": 3, "cfn-rest-inventory": 2, "openapi-pets": 2, "cognito-triggers": 2,
    "appsync-blog": 3, "direct-invoke-billing": 2, "scheduled-jobs": 2, "multi-source-orders": 2,
}


@pytest.mark.parametrize("fixture", sorted(SHAPES))
def test_a_group_of_the_first_actions_routes_each_event_to_one_function(tmp_path: Path, fixture: str) -> None:
    original = copy_app(fixture, tmp_path / "original")
    app = copy_app(fixture, tmp_path / "app")
    monolith = checks.MONOLITHS[fixture]
    scanned = json.loads(strangler(app, "scan", "--json", "--function", monolith).stdout)
    keys = [action["key"] for action in scanned["functions"][0]["actions"]][: SHAPES[fixture]]
    args = ("extract", *keys, "--into", "Grouped")
    _run(app, *args)
    samcheck.assert_valid(app / "template.yaml")
    run = Run(fixture, args, original, app, None)  # type: ignore[arg-type]
    checks.test_events_reach_their_function_which_behaves_like_the_monolith(run)
    checks.test_running_again_changes_nothing(run)
