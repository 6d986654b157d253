"""A table's default as an action, on a real monolith: the default handles the one
detail-type the rule lists and the table does not, unless a guard before it (``key not
in TABLE``) answers that key first: then the guard is its action."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from tests.support.hostile import accepted, app_copy, edit
from tests.support.samcheck import assert_valid, load_template

ORDERS = "eventbridge-orders"
APP = "src/app.py"


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    app = app_copy(ORDERS, tmp_path, git_repo=True)
    edit(app / APP, '    "PaymentFailed": on_payment_failed,\n', "")
    edit(app / APP, "HANDLERS[detail_type](detail, meta)", "HANDLERS.get(detail_type, on_payment_failed)(detail, meta)")
    return app


def _commit(app: Path) -> None:
    repo = git.Repo(app)
    repo.git.add(A=True)
    repo.index.commit("the edit")


def test_a_guard_before_the_lookup_serves_the_key_instead_of_the_default(orders: Path) -> None:
    # ``if detail_type not in HANDLERS: ... return`` answers PaymentFailed before the
    # lookup's default could: the guard's body is PaymentFailed's action, on_payment_failed is not.
    _commit(orders)
    out = accepted(orders, "scan").output
    assert "OrderShipped  handle_order_shipped" in out
    assert "PaymentFailed  default: if detail_type not in HANDLERS (src/app.py:" in out
    accepted(orders, "extract", "PaymentFailed")
    code = next((orders / "functions").glob("payment_failed/app.py")).read_text()
    assert 'return {"status": "ignored", "detail_type": detail_type}' in code
    assert "on_payment_failed" not in code and "HANDLERS" not in code
    assert_valid(orders / "template.yaml")


def test_without_the_guard_the_default_is_payment_failed_and_migrate_takes_it(orders: Path) -> None:
    text = (orders / APP).read_text()
    start = text.index("    if detail_type not in HANDLERS:")
    end = text.index("    meta = EventMeta(")
    (orders / APP).write_text(text[:start] + text[end:])
    _commit(orders)
    out = accepted(orders, "scan").output
    assert "PaymentFailed  default: on_payment_failed (src/app.py:" in out
    accepted(orders, "migrate")
    resources = load_template(orders / "template.yaml")["Resources"]
    assert "PaymentFailedFunction" in resources and "OrdersFunction" not in resources
    code = next((orders / "functions").glob("payment_failed/app.py")).read_text()
    assert "on_payment_failed(detail, meta)" in code and "HANDLERS" not in code
    assert_valid(orders / "template.yaml")
