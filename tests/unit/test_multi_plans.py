"""Plans of several monoliths in one run: names that clash across them are refused with both."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.errors import StranglerError
from strangler.model import FunctionRef
from strangler.plan.plan import ActionPlan, Plan, check_across


def _plan(monolith: str, *actions: ActionPlan) -> Plan:
    ref = FunctionRef(monolith, "src/", Path("/app/src"), "app.lambda_handler", Path("/app/src/app.py"), "lambda_handler")
    return Plan(ref, actions, (), retire=True)


def test_different_names_pass() -> None:
    check_across([
        _plan("ProductsFunction", ActionPlan("GET /products", "GetProductsFunction", "functions/get_products")),
        _plan("OrdersFunction", ActionPlan("GET /orders", "GetOrdersFunction", "functions/get_orders")),
    ], {})


@pytest.mark.parametrize(("second", "clash"), [
    (ActionPlan("POST /items", "PostItemsFunction", "functions/other"), "PostItemsFunction"),
    (ActionPlan("post_items", "PostItems2Function", "functions/post_items"), "functions/post_items"),
    (ActionPlan("other", "OtherFunction", "functions/other", "shop-post-items"), "shop-post-items"),
])
def test_a_name_two_monoliths_would_make_is_refused_with_both(second: ActionPlan, clash: str) -> None:
    first = ActionPlan("POST /items", "PostItemsFunction", "functions/post_items", "shop-post-items")
    with pytest.raises(StranglerError) as caught:
        check_across([_plan("ProductsFunction", first), _plan("OrdersFunction", second)],
                     {"OrdersFunction": "orders/app.py:12"})
    message = str(caught.value)
    assert "ProductsFunction" in message and "OrdersFunction" in message and clash in message
    assert caught.value.where == "orders/app.py:12"
