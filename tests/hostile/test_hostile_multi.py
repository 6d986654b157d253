"""Several monoliths in one template: each is reported, found by its actions, and split
in one all-or-nothing run; a function that cannot be split is said why, not a failure."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest

from tests.support.hostile import accepted, app_copy, edit, refused
from tests.support.samcheck import assert_valid, load_template

SHOP = "multi-api-shop"
T = "template.yaml"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return app_copy(SHOP, tmp_path, git_repo=True)


def _commit(app: Path) -> None:
    repo = git.Repo(app)
    repo.git.add(A=True)
    repo.index.commit("the edit")


def _new_functions(app: Path) -> dict[str, str]:
    resources = load_template(app / T)["Resources"]
    return {k: v["Metadata"]["Strangler"]["ExtractedFrom"] for k, v in resources.items()
            if (v.get("Metadata") or {}).get("Strangler")}


def _break_orders(app: Path) -> None:
    """A handler strangler cannot read: a syntax error in the orders monolith."""
    edit(app / "orders/app.py", "    elif route_key == \"POST /orders\":\n", "    elif route_key == \"POST /orders\"\n")
    _commit(app)


def test_scan_reports_every_function_and_why_each_other_is_not_split(shop: Path) -> None:
    out = accepted(shop, "scan").output
    assert "ProductsFunction  Handler" in out and "OrdersFunction  Handler" in out
    assert "HealthFunction  not split: no dispatch found" in out
    assert "VersionFunction  not split: one action only ('GET /version' at version/app.py:" in out
    data = json.loads(accepted(shop, "scan", "--json").output)
    assert [f["logical_id"] for f in data["functions"]] == ["ProductsFunction", "OrdersFunction"]
    assert [n["function"] for n in data["not_split"]] == ["HealthFunction", "VersionFunction"]


def test_scan_reports_an_unanalysable_function_and_scans_the_others(shop: Path) -> None:
    _break_orders(shop)
    out = accepted(shop, "scan").output
    assert "ProductsFunction  Handler" in out and "GET /products/{sku}" in out
    assert "OrdersFunction  not split: refused:" in out and "orders/app.py:" in out


def test_extract_of_an_unanalysable_function_s_neighbour_still_works(shop: Path) -> None:
    _break_orders(shop)
    accepted(shop, "extract", "GET /products")
    assert _new_functions(shop) == {"GetProductsFunction": "ProductsFunction"}


def test_migrate_is_all_or_nothing_when_one_monolith_cannot_be_read(shop: Path) -> None:
    _break_orders(shop)
    refused(shop, "migrate", names=("orders/app.py:",))


def test_migrate_is_all_or_nothing_when_the_second_monolith_refuses(shop: Path) -> None:
    # OrdersFunction dispatches, but its Environment is chosen by a condition.
    edit(shop / T, "Resources:\n", "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\n\nResources:\n")
    edit(shop / T, "      Environment:\n        Variables:\n          ORDERS_TABLE: !Ref OrdersTable\n",
         "      Environment: !If\n        - IsProd\n        - Variables:\n            ORDERS_TABLE: !Ref OrdersTable\n"
         "        - Variables:\n            ORDERS_TABLE: !Ref OrdersTable\n")
    _commit(shop)
    refused(shop, "migrate", names=("OrdersFunction",))
    refused(shop, "migrate", "--commit", names=("OrdersFunction",))
    # The other monolith alone, asked for by name, is fine.
    accepted(shop, "migrate", "--function", "ProductsFunction")
    assert set(_new_functions(shop).values()) == {"ProductsFunction"}


def test_extract_finds_the_monolith_of_each_action(shop: Path) -> None:
    accepted(shop, "extract", "POST /orders", "GET /products")
    assert _new_functions(shop) == {"GetProductsFunction": "ProductsFunction", "PostOrdersFunction": "OrdersFunction"}
    assert_valid(shop / T)


def test_an_action_two_monoliths_have_asks_for_function(shop: Path) -> None:
    edit(shop / "products/app.py", '    "POST /products": create_product,\n',
         '    "POST /products": create_product,\n    "POST /orders": create_product,\n')
    _commit(shop)
    out = refused(shop, "extract", "POST /orders", names=("ProductsFunction, OrdersFunction", "--function"))
    assert "'POST /orders'" in out
    # migrate would make two functions PostOrdersFunction: refused with both monoliths named
    refused(shop, "migrate", names=("ProductsFunction", "OrdersFunction", "PostOrdersFunction"))
    accepted(shop, "extract", "POST /orders", "--function", "OrdersFunction")
    assert _new_functions(shop) == {"PostOrdersFunction": "OrdersFunction"}


def test_an_unknown_action_lists_the_actions_of_every_monolith(shop: Path) -> None:
    refused(shop, "extract", "GET /nope", names=("ProductsFunction: GET /products", "OrdersFunction: GET /orders/{order_id}"))


def test_migrate_commits_each_action_and_each_retirement(shop: Path) -> None:
    accepted(shop, "migrate", "--commit")
    titles = [c.summary for c in git.Repo(shop).iter_commits(max_count=8)][::-1]
    assert titles[0] == "Extract GET /products from ProductsFunction into GetProductsFunction"
    assert titles[3] == "Retire ProductsFunction: every action has its own function"
    assert titles[4] == "Extract GET /orders/{order_id} from OrdersFunction into GetOrdersOrderIdFunction"
    assert titles[7] == "Retire OrdersFunction: every action has its own function"


def test_a_template_whose_only_function_has_one_action_is_left_alone(shop: Path) -> None:
    resources = ("ProductsFunction", "OrdersFunction", "HealthFunction")
    text = (shop / T).read_text()
    for name in resources:
        start = text.index(f"  {name}:\n")
        end = text.index("\n\n", start)
        text = text[:start] + text[end + 2:]
    text = text[:text.index("Outputs:")]
    (shop / T).write_text(text)
    _commit(shop)
    out = accepted(shop, "migrate").output
    assert "nothing to split: VersionFunction: one action only" in out
