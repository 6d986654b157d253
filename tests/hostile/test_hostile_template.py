"""Hostile templates: the template is the user's.

Keys YAML 1.1 reads as something else, CRLF and BOM, ``True``/``yes``, odd comments,
trailing whitespace, duplicate keys, a rendered template that would not read back.
Each case: a fixture, a command, an expectation on the result's routing and bytes, or a
refusal that leaves the tree as it was.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from samtranslator.yaml_helper import yaml_parse

from strangler.template import yaml11
from strangler.verify import routing
from tests.support import samcheck
from tests.support.hostile import accepted, app_copy, edit, refused

ORDERS = "eventbridge-orders"
NOTIFY = "sns-notifications"
CATALOG = "http-api-catalog"


def _orders_with_key(tmp_path: Path, key: str, written: str) -> Path:
    """eventbridge-orders whose OrderPlaced is called ``key`` in the code and listed in
    the rule as ``written`` (the user's own quoting)."""
    app = app_copy(ORDERS, tmp_path, git_repo=False)
    edit(app / "src" / "app.py", '"OrderPlaced": on_order_placed', f"{key!r}: on_order_placed")
    edit(app / "template.yaml", "                - OrderPlaced\n", f"                - {written}\n")
    return app


def _bus_event(detail_type: str) -> dict:
    return {"source": "shop.orders", "detail-type": detail_type, "detail": {"channel": "web"}}


def _sam(app: Path, name: str = "template.yaml") -> dict:
    return yaml_parse((app / name).read_text(encoding="utf-8"))


def _new_function(app: Path, key: str) -> str:
    resources = _sam(app)["Resources"]
    found = [rid for rid, res in resources.items() if ((res.get("Metadata") or {}).get("Strangler") or {}).get("Action") == key]
    assert len(found) == 1, found
    return found[0]


# --- YAML 1.1 keys, end to end ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("key", "written"),
    [("yes", '"yes"'), ("off", "'off'"), ("null", '"null"'), ("12:30", '"12:30"'), ("=", '"="'), ("<<", "'<<'")],
    ids=["yes", "off", "null", "sexagesimal", "value-key", "merge-key"],
)
def test_an_eventbridge_key_yaml_1_1_reads_otherwise_is_routed_as_a_string(tmp_path, key, written):
    app = _orders_with_key(tmp_path, key, written)
    before = samcheck.translate(app / "template.yaml")

    accepted(app, "extract", key)

    new = _new_function(app, key)
    after = samcheck.translate(app / "template.yaml")
    assert routing.targets(before, _bus_event(key)) == {"OrdersFunction"}
    assert routing.targets(after, _bus_event(key)) == {new}
    assert routing.targets(after, _bus_event("OrderCancelled")) == {"OrdersFunction"}
    assert _sam(app)["Resources"][new]["Metadata"]["Strangler"]["Action"] == key


def test_a_key_with_colon_and_hash_is_routed_as_written(tmp_path):
    key = "Order: placed #1"
    app = _orders_with_key(tmp_path, key, json.dumps(key))

    accepted(app, "extract", key)

    after = samcheck.translate(app / "template.yaml")
    assert routing.targets(after, _bus_event(key)) == {_new_function(app, key)}
    assert routing.targets(after, _bus_event("Order: placed")) == set()


def test_an_sns_kind_yaml_1_1_reads_as_a_boolean_is_filtered_as_a_string(tmp_path):
    app = app_copy(NOTIFY, tmp_path)
    edit(app / "src" / "app.py", '"welcome_email": send_welcome', '"no": send_welcome')
    before = samcheck.translate(app / "template.yaml")

    accepted(app, "extract", "no")

    new = _new_function(app, "no")
    after = samcheck.translate(app / "template.yaml")

    def record(kind):
        return {"Records": [{"Sns": {"Message": json.dumps({"kind": kind}), "MessageAttributes": {}}}]}

    assert routing.targets(before, record("no")) == {"NotifierFunction"}
    assert routing.targets(after, record("no")) == {new}
    assert routing.targets(after, record("password_reset")) == {"NotifierFunction"}
    assert _sam(app)["Resources"][new]["Properties"]["Events"]["Notification"]["Properties"]["FilterPolicy"] == {"kind": ["no"]}


def test_an_http_route_carved_from_the_catch_all_keeps_a_path_yaml_reads_otherwise(tmp_path):
    app = app_copy(CATALOG, tmp_path)
    route = "GET /on #top"
    edit(app / "src" / "app.py", '    # catch-all: legacy /v1 URLs', f"    {route!r}: list_products,\n    # catch-all: legacy /v1 URLs")

    accepted(app, "extract", route)

    new = _new_function(app, route)
    events = _sam(app)["Resources"][new]["Properties"]["Events"]
    assert [e["Properties"]["Path"] for e in events.values()] == ["/on #top"]
    after = samcheck.translate(app / "template.yaml")

    def request(method, path):
        return {"rawPath": path, "requestContext": {"http": {"method": method, "path": path}}}

    assert routing.http_targets(after, request("GET", "/on #top"), "CatalogApi") == {new}
    assert routing.http_targets(after, request("POST", "/on #top"), "CatalogApi") == {"CatalogFunction"}


def test_quoting_follows_the_template(tmp_path):
    app = _orders_with_key(tmp_path, "yes", "'yes'")
    (app / "template.yaml").write_text((app / "template.yaml").read_text().replace('"2010-09-09"', "'2010-09-09'"))

    accepted(app, "extract", "yes")

    text = (app / "template.yaml").read_text()
    assert "Action: 'yes'" in text
    assert '"yes"' not in text


# --- bytes the user wrote ------------------------------------------------------------------

def _extract_both(tmp_path: Path, transform) -> tuple[bytes, bytes]:
    """Extract OrderPlaced from the fixture as is and from a copy whose template went
    through ``transform``: the two results, the plain one transformed likewise."""
    plain = app_copy(ORDERS, tmp_path / "plain")
    odd = app_copy(ORDERS, tmp_path / "odd")
    template = odd / "template.yaml"
    template.write_bytes(transform(template.read_bytes()))
    accepted(plain, "extract", "OrderPlaced")
    accepted(odd, "extract", "OrderPlaced")
    return transform((plain / "template.yaml").read_bytes()), template.read_bytes()


def test_a_crlf_template_with_a_bom_stays_crlf_with_its_bom(tmp_path):
    expected, got = _extract_both(tmp_path, lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n"))

    assert got.startswith(b"\xef\xbb\xbf")
    assert got == expected
    assert b"\n" not in got.replace(b"\r\n", b"")


def test_trailing_whitespace_and_whitespace_only_lines_stay(tmp_path):
    def odd(data: bytes) -> bytes:
        return (data.replace(b"Tracing: Active\n", b"Tracing: Active   \n")
                .replace(b"\n\nResources:", b"\n   \nResources:")
                .replace(b"BillingMode: PAY_PER_REQUEST\n", b"BillingMode: PAY_PER_REQUEST  \n"))

    expected, got = _extract_both(tmp_path, odd)

    assert b"Tracing: Active   \n" in got and b"\n   \nResources:" in got
    assert got == expected


def test_true_and_yes_and_odd_comments_are_left_as_written(tmp_path):
    def odd(data: bytes) -> bytes:
        return (data.replace(b"PointInTimeRecoveryEnabled: true", b"PointInTimeRecoveryEnabled: True")
                .replace(b"SSEEnabled: true", b"SSEEnabled: yes")
                .replace(b"  # Custom bus owned", b"       # Custom bus owned")
                .replace(b"# Settings shared by every function", b"   # Settings shared by every function"))

    expected, got = _extract_both(tmp_path, odd)

    assert got == expected
    for line in (b"PointInTimeRecoveryEnabled: True", b"SSEEnabled: yes", b"       # Custom bus owned", b"   # Settings shared"):
        assert line in got
    table = _sam(tmp_path / "odd" / ORDERS)["Resources"]["OrdersTable"]["Properties"]
    assert table["SSESpecification"]["SSEEnabled"] is True


def test_a_description_indented_deeper_than_the_mappings_stays(tmp_path):
    def odd(data: bytes) -> bytes:
        return data.replace(b"  orders-service - reacts", b"      orders-service - reacts").replace(
            b"\n  shipped, payment failed)", b"\n      shipped, payment failed)")

    expected, got = _extract_both(tmp_path, odd)

    assert b"\n      orders-service - reacts" in got
    assert got == expected


def test_migrate_keeps_a_crlf_template_crlf(tmp_path):
    app = app_copy(ORDERS, tmp_path)
    template = app / "template.yaml"
    template.write_bytes(template.read_bytes().replace(b"\n", b"\r\n"))

    accepted(app, "migrate")

    data = template.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    assert "OrdersFunction" not in _sam(app)["Resources"]


def test_a_plain_yes_copied_from_the_monolith_stays_a_boolean_and_a_quoted_one_a_string(tmp_path):
    app = app_copy(ORDERS, tmp_path)
    edit(app / "template.yaml", "      Tags:\n        component: orders-monolith",
         "      Tags:\n        component: orders-monolith\n        reviewed: 'yes'")
    edit(app / "template.yaml", "    Properties:\n      Description: Handles every",
         "    Metadata:\n      Audited: yes\n      Owner: 'no'\n    Properties:\n      Description: Handles every")

    accepted(app, "extract", "OrderPlaced")

    new = _sam(app)["Resources"][_new_function(app, "OrderPlaced")]
    assert new["Metadata"]["Audited"] is True
    assert new["Metadata"]["Owner"] == "no"
    assert new["Properties"]["Tags"]["reviewed"] == "yes"


# --- JSON templates ------------------------------------------------------------------------

def _orders_json(tmp_path: Path) -> Path:
    app = app_copy(ORDERS, tmp_path)
    data = _sam(app)
    text = json.dumps(data, indent=2) + "\n"
    text = re.sub(r'"source": \[\s+"shop.orders"\s+\]', '"source": [ "shop.orders" ]', text)
    text = text.replace('"Timeout": 15,', '"Timeout" : 15,')
    assert '[ "shop.orders" ]' in text
    (app / "template.json").write_text(text)
    (app / "template.yaml").unlink()
    return app


def test_a_json_template_keeps_inline_arrays_and_spacing(tmp_path):
    app = _orders_json(tmp_path)

    accepted(app, "extract", "OrderPlaced")

    text = (app / "template.json").read_text()
    assert '"Timeout" : 15,' in text
    assert text.count('"source": [ "shop.orders" ]') == 1  # the monolith's, untouched
    after = samcheck.translate(app / "template.json")
    assert routing.targets(after, _bus_event("OrderPlaced")) == {_new_function_json(app)}


def _new_function_json(app: Path) -> str:
    resources = json.loads((app / "template.json").read_text())["Resources"]
    return next(rid for rid, res in resources.items() if "Strangler" in (res.get("Metadata") or {}))


def test_a_json_template_with_crlf_and_bom_keeps_them(tmp_path):
    app = _orders_json(tmp_path)
    template = app / "template.json"
    template.write_bytes(b"\xef\xbb\xbf" + template.read_bytes().replace(b"\n", b"\r\n"))

    accepted(app, "extract", "OrderPlaced")

    data = template.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\n") == data.count(b"\r\n")
    assert b'"Timeout" : 15,\r\n' in data
    assert "OrderPlacedFunction" in json.loads(data.decode("utf-8-sig"))["Resources"]


def test_a_json_template_with_a_duplicate_key_is_refused_naming_it_and_both_lines(tmp_path):
    app = _orders_json(tmp_path)
    lines = (app / "template.json").read_text().split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip() == '"MemorySize": 256,') + 1
    lines.insert(first, '      "MemorySize": 512,')
    (app / "template.json").write_text("\n".join(lines))

    output = refused(app, "extract", "OrderPlaced", names=("template.json", '"MemorySize"', f"lines {first} and {first + 1}"))

    assert "ruamel" not in output and "Traceback" not in output


def test_a_yaml_template_with_a_duplicate_key_is_refused_naming_it_and_both_lines(tmp_path):
    app = app_copy(ORDERS, tmp_path, git_repo=True)
    lines = (app / "template.yaml").read_text().split("\n")
    first = lines.index("    MemorySize: 256") + 1
    lines.insert(first, "    MemorySize: 512")
    (app / "template.yaml").write_text("\n".join(lines))
    from tests.support.hostile import repository
    repository(app)

    output = refused(app, "extract", "OrderPlaced", names=("template.yaml", '"MemorySize"', f"lines {first} and {first + 1}"))

    assert "ruamel" not in output and "yaml.readthedocs" not in output


def test_a_template_that_is_not_utf8_is_refused_naming_it(tmp_path):
    app = app_copy(ORDERS, tmp_path, git_repo=True)
    template = app / "template.yaml"
    template.write_bytes(template.read_bytes().replace(b"Handles every", b"G\xe9re every"))
    from tests.support.hostile import repository
    repository(app)

    refused(app, "extract", "OrderPlaced", names=("template.yaml", "not UTF-8"))


# --- the last check before writing ------------------------------------------------------------

def test_a_template_whose_strings_would_not_read_back_is_refused(tmp_path, monkeypatch):
    """If the writer ever forgot to quote a key YAML 1.1 reads otherwise, the check that
    reads the rendered template back with SAM's loader refuses it and nothing is written."""
    app = _orders_with_key(tmp_path, "on", '"on"')
    from tests.support.hostile import repository
    repository(app)
    monkeypatch.setattr(yaml11, "reads_as_string", lambda text: True)

    refused(app, "extract", "on", names=("template.yaml", "SAM would read", "'on'"))
