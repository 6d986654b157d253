"""``strangler verify``: every fixture's events replayed before and after a split agree, and
a split broken on purpose is caught, naming the event and the difference."""

from __future__ import annotations

import json
import re
from pathlib import Path

import git
import pytest

from tests.e2e.test_fixture_apps import CASES
from tests.support.apps import copy_app, scenario, strangler
from tests.support.hostile import edit, repository

# Each fixture's migrate as the end-to-end cases run it (some keep the monolith).
MIGRATES = {fixture: args for fixture, args in CASES if args[0] == "migrate"}
QUICK = {"eventbridge-orders", "direct-invoke-billing"}


def app_with_events(fixture: str, tmp_path: Path) -> Path:
    """The fixture in a repository, with its scenario's events in ``events/``, as a team
    that keeps ``sam local generate-event`` output would have them."""
    app = copy_app(fixture, tmp_path / fixture)
    events = [event for _, event in scenario(fixture).EVENTS]
    (app / "events").mkdir(exist_ok=True)
    (app / "events" / "scenario.json").write_text(json.dumps(events, indent=2))
    repository(app)
    return app


def verify(app: Path, *args: str):
    return strangler(app, "verify", *args)


@pytest.mark.parametrize("fixture", [
    pytest.param(name, marks=() if name in QUICK else pytest.mark.slow) for name in sorted(MIGRATES)
])
def test_after_migrate_every_event_behaves_as_before(tmp_path: Path, fixture: str) -> None:
    app = app_with_events(fixture, tmp_path)
    assert strangler(app, *MIGRATES[fixture]).exit_code == 0
    result = verify(app)
    assert result.exit_code == 0, result.output
    count = len(scenario(fixture).EVENTS)
    assert f"{count} of {count} events behave the same." in result.output


@pytest.mark.slow
@pytest.mark.parametrize(("fixture", "action"), [
    ("http-api-catalog", "GET /products/{id}"), ("nested-fulfilment", "shop.warehouse/ParcelPacked"),
    ("powertools-tickets", "PUT /tickets/{ticket_id}/status"), ("sns-notifications", "invoice_ready"),
])
def test_after_extract_every_event_behaves_as_before(tmp_path: Path, fixture: str, action: str) -> None:
    app = app_with_events(fixture, tmp_path)
    assert strangler(app, "extract", action).exit_code == 0
    result = verify(app)
    assert result.exit_code == 0, result.output


def test_after_commits_it_compares_with_the_commit_before_them(tmp_path: Path) -> None:
    app = app_with_events("eventbridge-orders", tmp_path)
    monolith = git.Repo(app).head.commit.hexsha[:12]
    assert strangler(app, "extract", "OrderShipped", "OrderPlaced", "--commit").exit_code == 0
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert f"before: {monolith} (the commit before the 2 strangler commits ending at HEAD)" in result.output


def test_json_lists_every_event_with_both_routes(tmp_path: Path) -> None:
    app = app_with_events("eventbridge-orders", tmp_path)
    assert strangler(app, "extract", "OrderShipped").exit_code == 0
    data = json.loads(verify(app, "--json").output)
    assert data["passed"] is True
    shipped = [e for e in data["events"] if e["after"]["functions"] == ["OrderShippedFunction"]]
    assert len(shipped) == 3 and all(e["before"]["functions"] == ["OrdersFunction"] for e in shipped)


def test_without_events_it_writes_one_sample_per_action_and_says_so(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    repository(app)
    assert strangler(app, "extract", "OrderShipped").exit_code == 0
    result = verify(app)
    assert "4 sample events written from the dispatch, one per action" in result.output
    assert re.search(r"✓ sample for OrderShipped +OrdersFunction -> OrderShippedFunction", result.output)
    assert result.exit_code == 0, result.output


# --- splits broken on purpose -------------------------------------------------------------------
@pytest.fixture
def split(tmp_path: Path) -> Path:
    app = app_with_events("eventbridge-orders", tmp_path)
    assert strangler(app, "extract", "OrderPlaced").exit_code == 0
    return app


def test_an_event_routed_to_two_functions_is_caught(split: Path) -> None:
    edit(split / "template.yaml", "                - OrderCancelled\n", "                - OrderCancelled\n                - OrderPlaced\n")
    result = verify(split)
    assert result.exit_code == 1
    assert "after the split it reaches OrderPlacedFunction, OrdersFunction" in result.output


def test_an_event_routed_nowhere_is_caught(split: Path) -> None:
    edit(split / "template.yaml", "                - OrderPlaced\n", "                - OrderPlacedV9\n")
    result = verify(split)
    assert result.exit_code == 1
    assert "after the split it reaches no function" in result.output


def test_a_dropped_environment_variable_is_caught(split: Path) -> None:
    template = (split / "template.yaml").read_text()
    new_function = template[template.index("  OrderPlacedFunction:"):]
    line = re.search(r"\n( +)ORDERS_TABLE: !Ref OrdersTable\n", new_function).group(0)
    (split / "template.yaml").write_text(template.replace(new_function, new_function.replace(line, "\n", 1)))
    result = verify(split)
    assert result.exit_code == 1
    assert re.search(r"✗ events/scenario.json#1 +OrdersFunction -> OrderPlacedFunction", result.output)
    assert "table orders-dev:" in result.output  # the item the monolith wrote is missing


def test_a_dropped_module_level_statement_is_caught(split: Path) -> None:
    code = split / "functions/order_placed/app.py"
    text = code.read_text()
    constant = re.search(r"\nFRAUD_REVIEW_THRESHOLD_CENTS = .*\n", text).group(0)
    code.write_text(text.replace(constant, "\n", 1))
    result = verify(split)
    assert result.exit_code == 1
    assert "NameError" in result.output


def test_a_changed_return_value_is_caught(split: Path) -> None:
    code = split / "functions/order_placed/app.py"
    edit(code, '{"status": "ok"', '{"status": "OK"')
    result = verify(split)
    assert result.exit_code == 1
    assert "result:" in result.output and '"OK"' in result.output


def test_ignored_fields_are_left_out_of_the_comparison(split: Path) -> None:
    code = split / "functions/order_placed/app.py"
    edit(code, '{"status": "ok"', '{"status": "OK"')
    (split / "strangler.toml").write_text('[verify]\nignore = ["status"]\n')
    result = verify(split)
    assert "result:" not in result.output, result.output


# --- bad input ----------------------------------------------------------------------------------
def test_outside_a_repository_it_says_what_to_do(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    result = verify(app)
    assert result.exit_code == 1
    assert "not in a git repository" in result.output and "Traceback" not in result.output


def test_an_unreadable_event_file_is_named(tmp_path: Path) -> None:
    app = app_with_events("eventbridge-orders", tmp_path)
    (app / "events" / "broken.json").write_text("{not json")
    result = verify(app)
    assert result.exit_code == 1
    assert "events/broken.json is not a JSON event" in result.output


def test_an_unknown_ref_is_named(tmp_path: Path) -> None:
    app = app_with_events("eventbridge-orders", tmp_path)
    result = verify(app, "--before", "no-such-branch")
    assert result.exit_code == 1
    assert "no commit 'no-such-branch'" in result.output


def test_without_its_dependencies_it_says_how_to_install_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from strangler.verify import command

    monkeypatch.setattr(command, "_importable", lambda name: name != "moto")
    app = app_with_events("eventbridge-orders", tmp_path)
    result = verify(app)
    assert result.exit_code == 1
    assert 'verify needs moto' in result.output and 'pip install "strangler[verify]"' in result.output


def test_a_template_outside_the_application_is_named(tmp_path: Path) -> None:
    app = app_with_events("eventbridge-orders", tmp_path)
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text((app / "template.yaml").read_text())
    result = verify(app, "--template", str(elsewhere))
    assert result.exit_code == 1
    assert "is not inside the application folder" in result.output and "Traceback" not in result.output


def test_a_resource_moto_refuses_is_reported_and_the_rest_stands() -> None:
    from strangler.verify.world import standing

    cfn = {"Resources": {
        "Broken": {"Type": "AWS::DynamoDB::Table", "Properties": {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
    }}
    with standing(cfn) as world:
        assert world.tables == () and len(world.buckets) == 1
        assert any(item.startswith("Broken could not be created in moto") for item in world.names.unresolved)


def test_code_in_s3_is_read_from_the_folder_code_names_in_both_versions(tmp_path: Path) -> None:
    app = copy_app("eventbridge-orders", tmp_path / "app")
    edit(app / "template.yaml", "CodeUri: src/", "CodeUri: s3://artifacts-bucket/orders.zip")
    events = [event for _, event in scenario("eventbridge-orders").EVENTS]
    (app / "events").mkdir()
    (app / "events" / "scenario.json").write_text(json.dumps(events))
    repository(app)
    assert strangler(app, "extract", "OrderShipped", "--code", "src").exit_code == 0

    without = verify(app)
    assert without.exit_code == 1 and "--code" in without.output
    result = verify(app, "--code", "src")
    assert result.exit_code == 0, result.output
    assert f"{len(events)} of {len(events)} events behave the same." in result.output
