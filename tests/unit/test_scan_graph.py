"""scan --format mermaid|dot: the application before and after the split, as a picture.

Snapshots under tests/unit/snapshots/ are the reviewed pictures; regenerate them with
STRANGLER_REGENERATE=1 and read the diff. Every picture is also read back by a strict
structural check (tests/support/graphs.py), and by Graphviz when it is installed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from strangler.model import ActionNeeds, Decision
from strangler.scan import ActionScan, FunctionScan, Gain
from strangler.scan_graph import (
    Access,
    Entry,
    Wiring,
    dot,
    mermaid,
    mermaid_text,
    node_id_for,
)
from tests.support.apps import FIXTURES, strangler
from tests.support.graphs import parse_dot, parse_mermaid

SNAPSHOTS = Path(__file__).parent / "snapshots"
SNAPSHOT_APPS = ("eventbridge-orders", "multi-source-orders")
# Apps with other kinds of routes: resources outside Events, filters, APIs, refusals.
MORE_APPS = ("standalone-rule-payments", "sns-notifications", "http-api-catalog", "appsync-blog", "cfn-rest-inventory",
             "kinesis-clickstream", "direct-invoke-billing")


def _scan(app: str, *args: str) -> str:
    result = strangler(FIXTURES / app / "before", "scan", *args)
    assert result.exit_code == 0, result.output
    return result.output


def _matches_snapshot(path: Path, text: str) -> None:
    if os.environ.get("STRANGLER_REGENERATE"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path.relative_to(SNAPSHOTS.parent)}"


# --- snapshots ------------------------------------------------------------------------------
@pytest.mark.parametrize("app", SNAPSHOT_APPS)
@pytest.mark.parametrize("fmt,suffix", [("mermaid", "mmd"), ("dot", "dot")])
def test_picture_matches_the_reviewed_snapshot(app: str, fmt: str, suffix: str):
    _matches_snapshot(SNAPSHOTS / "scan_graph" / f"{app}.{suffix}", _scan(app, "--format", fmt))


def _without_groups(text: str) -> str:
    return text.replace("".join(f"{line}\n" for line in _group_lines(text)), "")


def _group_lines(text: str) -> list[str]:
    lines = text.splitlines()
    found = [i for i, line in enumerate(lines) if line.startswith("  could share a function: ")]
    return [lines[i] for i in found] + ([""] if found else [])


@pytest.mark.parametrize("app", SNAPSHOT_APPS)
def test_text_and_json_are_what_they_were_before_the_picture(app: str):
    """The snapshots are scan's output from before the picture, the groups and the code's
    location: they only add. (Regenerated once since: a route's notes are a row each, and
    a list in --json, instead of parentheses inside the route.)"""
    text, as_json = _scan(app), _scan(app, "--json")
    assert _scan(app, "--format", "text") == text
    assert _group_lines(text), "the fixture has actions that keep the same privileges"
    assert _without_groups(text) == (SNAPSHOTS / "scan" / f"{app}.txt").read_text(encoding="utf-8")
    data = json.loads(as_json)
    for function in data["functions"]:
        assert function.pop("groups")
        assert function.pop("code")["deployed_from"] is None  # local code: only its folder
    assert json.dumps(data, indent=2) + "\n" == (SNAPSHOTS / "scan" / f"{app}.json").read_text(encoding="utf-8")
    assert "wiring" not in as_json  # the picture's data stays out of --json


def test_json_and_a_picture_are_alternatives():
    result = strangler(FIXTURES / "eventbridge-orders" / "before", "scan", "--json", "--format", "mermaid")
    assert result.exit_code == 2
    assert "--json" in result.output and "--format" in result.output


# --- what the picture says -------------------------------------------------------------------
def test_eventbridge_before_all_routes_reach_every_resource_after_each_only_its_own():
    graph = parse_mermaid(_scan("eventbridge-orders", "--format", "mermaid"))
    assert set(graph.clusters) == {"before", "after"}
    before, after = graph.clusters["before"], graph.clusters["after"]
    assert before["b_fn_OrdersFunction"] == ["OrdersFunction", "4 actions"]
    assert before["b_route_OrdersFunction_OrderLifecycle"] == [
        "EventBridgeRule OrderLifecycle", "detail-type: OrderPlaced, OrderCancelled, OrderShipped, PaymentFailed"]
    edges = {(start, end) for start, end, _ in graph.edges}
    for table in ("OrdersTable", "ShipmentTopic", "PaymentAuditBucket"):
        assert ("b_fn_OrdersFunction", f"b_res_{table}") in edges
    # the monolith is retired: every action has a route of its own
    assert not any(node.startswith("a_fn_OrdersFunction") for node in after)
    reached = {end for start, end, _ in graph.edges if start == "a_fn_OrderPlacedFunction"}
    assert reached == {"a_res_OrdersTable"}
    reached = {end for start, end, _ in graph.edges if start == "a_fn_OrderShippedFunction"}
    assert reached == {"a_res_OrdersTable", "a_res_ShipmentTopic"}
    assert after["a_route_OrderShippedFunction_OrderLifecycle"] == [
        "EventBridgeRule OrderLifecycle", "detail-type: OrderShipped"]
    assert ("a_src_ShopEventBus", "a_route_OrderShippedFunction_OrderLifecycle", "") in graph.edges
    assert ("a_fn_PaymentFailedFunction", "a_res_PaymentAuditBucket", "S3WritePolicy") in graph.edges


def test_multi_source_routes_keep_their_http_paths_and_the_implicit_api():
    graph = parse_mermaid(_scan("multi-source-orders", "--format", "mermaid"))
    after = graph.clusters["after"]
    assert after["a_route_HttpApiFunction_GetOrder"] == ["HttpApi GetOrder", "GET /orders/{order_id}"]
    assert ("a_src_ServerlessHttpApi", "a_route_HttpApiFunction_GetOrder", "") in graph.edges
    assert ("a_src_IntakeQueue", "a_route_SqsFunction_Intake", "") in graph.edges


def test_dot_says_what_mermaid_says():
    for app in SNAPSHOT_APPS:
        drawn = parse_mermaid(_scan(app, "--format", "mermaid"))
        same = parse_dot(_scan(app, "--format", "dot"))
        assert same.clusters == drawn.clusters
        assert same.edges == drawn.edges


@pytest.mark.parametrize("app", SNAPSHOT_APPS + MORE_APPS)
def test_every_picture_is_well_formed(app: str):
    for graph in (parse_mermaid(_scan(app, "--format", "mermaid")), parse_dot(_scan(app, "--format", "dot"))):
        assert set(graph.clusters) == {"before", "after"}
        assert graph.clusters["before"] and graph.clusters["after"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("app", SNAPSHOT_APPS + MORE_APPS)
def test_graphviz_renders_the_dot(app: str):
    done = subprocess.run(["dot", "-Tsvg"], check=False, input=_scan(app, "--format", "dot"), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "<svg" in done.stdout and not done.stderr.strip(), done.stderr


MERMAID = Path(__file__).parents[1] / "support" / "mermaid"


@pytest.mark.slow
def test_mermaid_itself_reads_every_picture_and_the_readme_sample():
    """Mermaid's own parser (with a DOM from jsdom), installed from npm on first use."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (MERMAID / "node_modules" / "mermaid").is_dir():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed")
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-package-lock"], cwd=MERMAID,
                              check=False, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.skip(f"mermaid could not be installed from npm: {done.stderr.strip()[-300:]}")
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    samples = [block.split("```", 1)[0] for block in readme.split("```mermaid\n")[1:]]
    assert samples, "the README shows a Mermaid sample"
    pictures = {app: _scan(app, "--format", "mermaid") for app in SNAPSHOT_APPS + MORE_APPS}
    pictures.update({f"README sample {i}": sample for i, sample in enumerate(samples)})
    pictures["hostile labels"] = mermaid([_scan_of((_action('GET /o/{id} "q" [x] #1 <b> `t`', "F", (API,), (TABLE,)),))])
    for name, text in pictures.items():
        done = subprocess.run(["node", "parse.mjs"], cwd=MERMAID, input=text, check=False, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0 and done.stdout.startswith("ok flowchart"), f"{name}: {done.stdout}{done.stderr}"
    broken = subprocess.run(["node", "parse.mjs"], cwd=MERMAID, input='flowchart LR\n  a["x"] -->\n', check=False,
                            capture_output=True, text=True, timeout=120)
    assert broken.returncode == 1  # the check can fail


def test_resources_outside_events_are_routes_with_their_key_filter():
    graph = parse_mermaid(_scan("standalone-rule-payments", "--format", "mermaid"))
    before, after = graph.clusters["before"], graph.clusters["after"]
    assert before["b_route_PaymentsFunction_PaymentEventsRule"][1].startswith("detail-type: PaymentAuthorized, ")
    assert after["a_route_PaymentCapturedFunction_PaymentEventsRule"] == [
        "Events::Rule PaymentEventsRule", "detail-type: PaymentCaptured"]
    # a permission grants, it does not route
    assert not any("Permission" in node for node in before)


def test_a_stream_filter_reads_as_the_field_it_matches():
    graph = parse_mermaid(_scan("kinesis-clickstream", "--format", "mermaid"))
    assert graph.clusters["before"]["b_route_ClickstreamFunction_Clicks"] == ["Kinesis Clicks", "data.event_type: any"]
    assert graph.clusters["after"]["a_route_PageViewFunction_Clicks"] == ["Kinesis Clicks", "data.event_type: page_view"]


def test_a_function_invoked_by_name_is_reached_by_its_callers():
    graph = parse_mermaid(_scan("direct-invoke-billing", "--format", "mermaid"))
    assert graph.clusters["before"]["b_route_BillingFunction_callers"] == ["direct invoke", "by its callers"]
    assert ("a_route_ChargeFunction_callers", "a_fn_ChargeFunction", "") in graph.edges


# --- labels that Mermaid and dot would misread ---------------------------------------------------
def _action(key: str, function_id: str, entries: tuple[Entry, ...], reaches: tuple[Access, ...],
            refusal: str | None = None, leaving: tuple[str, ...] = ()) -> ActionScan:
    gain = Gain((), (), (), {}, 0, 0)
    return ActionScan(key, "handler", 1, None, ActionNeeds((), (), (), ()), "refused" if refusal else "route", refusal,
                      gain, Wiring(function_id, entries, reaches, leaving))


TABLE = Access("OrdersTable", "AWS::DynamoDB::Table", ("DynamoDBCrudPolicy",))
AUDIT = Access("Audit", "AWS::S3::Bucket", ("S3WritePolicy",))
API = Entry("Orders", "Api", "ServerlessRestApi", "ANY /{proxy+}", ())


def _scan_of(actions: tuple[ActionScan, ...]) -> FunctionScan:
    wiring = Wiring("OrdersFunction", (API, Entry("Queue", "SQS", "Q", None, ())), (TABLE, AUDIT))
    return FunctionScan("OrdersFunction", "app.handler", "app.py", "table", "HANDLERS", 1, "event", actions, (), wiring)


def test_hostile_labels_are_escaped_and_read_back_the_same():
    key = 'GET /orders/{id} "quoted" [x] #1 <b> `tick` a\\b'
    action = _action(key, "GetOrdersIdFunction", (Entry("Orders", "Api", None, key, ()),), (TABLE,))
    scan = _scan_of((action,))
    drawn = parse_mermaid(mermaid([scan]))
    assert drawn.clusters["after"]["a_fn_GetOrdersIdFunction"] == ["GetOrdersIdFunction", key]
    assert drawn.clusters["after"]["a_route_GetOrdersIdFunction_Orders"] == ["Api Orders", key]
    same = parse_dot(dot([scan]))
    assert same.clusters == drawn.clusters
    if shutil.which("dot"):
        assert subprocess.run(["dot", "-Tsvg"], check=False, input=dot([scan]), capture_output=True, text=True).returncode == 0


def test_mermaid_text_uses_entity_codes():
    assert mermaid_text('say "hi" #1 <b>') == "say #quot;hi#quot; #35;1 #lt;b#gt;"
    assert mermaid_text("GET /orders/{id}") == "GET /orders/{id}"  # quoted labels keep slashes and braces


def test_ids_are_stable_safe_and_distinct():
    assert node_id_for("a", "fn", "OrderPlacedFunction") == "a_fn_OrderPlacedFunction"
    assert node_id_for("a", "route", "F", "GET /x") != node_id_for("a", "route", "F", "GET_x")
    assert node_id_for("a", "route", "F", "GET /x").replace("_", "").isalnum()


def test_the_monolith_stays_for_the_actions_that_refuse():
    routed = _action("OrderPlaced", "OrderPlacedFunction", (API,), (TABLE,), leaving=("Orders",))
    refused = _action("Audit", "AuditFunction", (), (TABLE, AUDIT), refusal="no route")
    graph = parse_mermaid(mermaid([_scan_of((routed, refused))]))
    after = graph.clusters["after"]
    assert after["a_fn_OrdersFunction"] == ["OrdersFunction", "kept for Audit"]
    assert "a_fn_AuditFunction" not in after
    into_monolith = {start for start, end, _ in graph.edges if end == "a_fn_OrdersFunction"}
    assert into_monolith == {"a_route_OrdersFunction_Queue"}  # the API event left with OrderPlaced
    reached = {end for start, end, _ in graph.edges if start == "a_fn_OrdersFunction"}
    assert reached == {"a_res_OrdersTable", "a_res_Audit"}
    reached = {end for start, end, _ in graph.edges if start == "a_fn_OrderPlacedFunction"}
    assert reached == {"a_res_OrdersTable"}


def test_json_of_a_scan_leaves_the_wiring_out():
    data = _scan_of((_action("A", "AFunction", (API,), (TABLE,)),)).to_json()
    assert "wiring" not in data and "wiring" not in data["actions"][0]
    json.dumps(data)


# --- groups: actions that could share a function ------------------------------------------------
def test_scan_lists_actions_that_keep_the_same_privileges_together():
    text = _scan("eventbridge-orders")
    assert ("  could share a function: OrderPlaced, OrderCancelled (same resources: OrdersTable; same policies and "
            "environment): 1 function fewer, no wider privilege") in text.splitlines()
    (function,) = json.loads(_scan("eventbridge-orders", "--json"))["functions"]
    assert function["groups"] == [{
        "actions": ["OrderPlaced", "OrderCancelled"], "policies": ["DynamoDBCrudPolicy(OrdersTable)"],
        "environment": ["ORDERS_TABLE"], "resources": ["OrdersTable"],
    }]


def test_every_action_of_one_resource_is_one_group():
    (function,) = json.loads(_scan("multi-source-orders", "--json"))["functions"]
    assert [group["actions"] for group in function["groups"]] == [["SQS", "SNS", "EventBridgeRule", "HttpApi"]]
    assert "3 functions fewer" in _scan("multi-source-orders")


def _kept(*flags: bool) -> tuple[Decision, ...]:
    return tuple(Decision(f"P{i}", kept, "") for i, kept in enumerate(flags))


def _with_gain(key: str, policies: tuple[Decision, ...], refusal: str | None = None) -> ActionScan:
    action = _action(key, f"{key}Function", (API,), (TABLE,), refusal=refusal)
    return dataclasses.replace(action, gain=dataclasses.replace(action.gain, policies=policies))


def test_a_group_needs_the_same_kept_items_and_no_refusal():
    scan = _scan_of((
        _with_gain("A", _kept(True, False)), _with_gain("B", _kept(True, False)), _with_gain("C", _kept(True, True)),
        _with_gain("D", _kept(True, False), refusal="no route"), _with_gain("E", _kept(False, True)),
    ))
    assert [group.actions for group in scan.groups()] == [("A", "B")]
    assert scan.groups()[0].policies == ("P0",)
    # alone, an action is no group
    assert _scan_of((_with_gain("A", _kept(True)), _with_gain("B", _kept(False)))).groups() == ()
