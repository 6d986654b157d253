"""Nested dispatch: a chain on the source whose branches dispatch on the detail-type."""

from __future__ import annotations

import textwrap

import pytest

from strangler.analyse.dispatch import analyse
from strangler.errors import StranglerError
from strangler.render import codegen
from tests.unit.test_branches import FUNCTION, HELPERS, PATH, analysed

NESTED = HELPERS + """\
def lambda_handler(event, context):
    source = event["source"]
    detail_type = event["detail-type"]
    detail = event["detail"]
    if source == "payments.gateway":
        payment_id = detail["id"]  # every gateway event names its payment
        if detail_type == "PaymentCaptured":
            return on_captured(detail)
        elif detail_type in ("PaymentRefunded", "PaymentReversed"):
            return on_refund(payment_id, detail["amount"])
    elif source == "payments.risk":
        match detail_type:
            case "PaymentFlagged":
                return {"flagged": audit(detail)}
            case "PaymentCleared":
                return {"cleared": detail["id"]}
    elif source == "payments.batch":
        if detail_type == "BatchClosed":
            return {"closed": detail["batch"]}
    return {"ignored": [source, detail_type]}
"""


def extracted(key: str) -> str:
    return codegen.extracted_module(analysed(NESTED), key, '"""extracted"""')[0]


def without(*keys: str) -> str:
    return codegen.monolith_module(analysed(NESTED), keys)[0]


def test_each_source_and_detail_type_pair_is_an_action() -> None:
    analysis = analysed(NESTED)
    assert analysis.dispatch.shape == "nested if/elif chain, then if/elif chain / match"
    assert str(analysis.dispatch.event_path) == "source / detail-type"
    assert [(a.key, a.handler) for a in analysis.dispatch.actions] == [
        ("payments.gateway/PaymentCaptured", "on_captured"),
        ("payments.gateway/PaymentRefunded", "on_refund"),
        ("payments.gateway/PaymentReversed", "on_refund"),
        ("payments.risk/PaymentFlagged", "inline code"),
        ("payments.risk/PaymentCleared", "inline code"),
        ("payments.batch/BatchClosed", "inline code"),
    ]


def test_the_new_entrypoint_keeps_the_outer_branch_code_and_the_inner_branch() -> None:
    code = extracted("payments.gateway/PaymentRefunded")
    assert textwrap.dedent("""\
        def lambda_handler(event, context):
            source = event["source"]
            detail_type = event["detail-type"]
            detail = event["detail"]
            payment_id = detail["id"]  # every gateway event names its payment
            return on_refund(payment_id, detail["amount"])
        """) in code
    assert "def on_refund" in code and "def on_captured" not in code and "def audit" not in code


def test_an_inner_match_is_specialised_too() -> None:
    code = extracted("payments.risk/PaymentFlagged")
    assert '    detail = event["detail"]\n    return {"flagged": audit(detail)}\n' in code
    assert "def audit" in code and "import json" in code and "match" not in code


def test_the_monolith_loses_one_inner_branch_and_keeps_the_rest_byte_for_byte() -> None:
    original = textwrap.dedent(NESTED)
    branch = '            case "PaymentCleared":\n                return {"cleared": detail["id"]}\n'
    assert without("payments.risk/PaymentCleared") == original.replace(branch, "")


def test_an_outer_branch_whose_actions_all_left_goes_when_nothing_else_is_in_it() -> None:
    code = without("payments.batch/BatchClosed", "payments.risk/PaymentFlagged", "payments.risk/PaymentCleared")
    assert "payments.batch" not in code and "payments.risk" not in code
    assert 'if source == "payments.gateway":' in code
    assert "def audit" not in code


def test_an_outer_branch_with_code_of_its_own_stays_with_that_code() -> None:
    code = without("payments.gateway/PaymentCaptured", "payments.gateway/PaymentRefunded", "payments.gateway/PaymentReversed")
    # the payment_id line may raise KeyError for other gateway events: it must still run
    assert 'if source == "payments.gateway":\n        payment_id = detail["id"]  # every gateway event names its payment\n    elif' in code


def test_an_outer_else_keeps_an_emptied_branch_so_its_events_do_not_reach_the_else() -> None:
    source = NESTED.replace('    return {"ignored": [source, detail_type]}\n', '    else:\n        raise ValueError(source)\n')
    code = codegen.monolith_module(analysed(source), ["payments.batch/BatchClosed"])[0]
    assert 'elif source == "payments.batch":\n        pass\n    else:' in code
    again = analyse(FUNCTION, code, PATH, earlier=["payments.batch/BatchClosed"])  # still the nested dispatch
    assert [a.key for a in again.dispatch.actions if a.key.startswith("payments.batch")] == []
    assert str(again.dispatch.event_path) == "source / detail-type"


def test_a_nested_dispatch_cut_down_by_earlier_runs_is_still_recognised() -> None:
    gone = [a.key for a in analysed(NESTED).dispatch.actions if a.key != "payments.risk/PaymentCleared"]
    again = analyse(FUNCTION, without(*gone), PATH, earlier=gone)
    assert [a.key for a in again.dispatch.actions] == ["payments.risk/PaymentCleared"]


def test_when_every_action_left_nothing_is_left_even_if_the_outer_chain_stays() -> None:
    source = NESTED.replace('    return {"ignored": [source, detail_type]}\n', '    else:\n        raise ValueError(source)\n')
    gone = [a.key for a in analysed(source).dispatch.actions]
    code = codegen.monolith_module(analysed(source), gone)[0]
    assert 'if source == "payments.gateway":' in code and 'elif source == "payments.risk":\n        pass' in code
    assert analyse(FUNCTION, code, PATH, earlier=gone).dispatch.actions == ()


def test_a_flat_chain_with_an_inner_if_is_not_taken_for_nested_on_a_rerun() -> None:
    from tests.unit.test_branches import CHAIN

    source = CHAIN.replace("        return on_captured(detail)\n", '        if detail["currency"] == "EUR":\n            detail["eur"] = True\n        return on_captured(detail)\n')
    analysis = analyse(FUNCTION, textwrap.dedent(source), PATH, earlier=("PaymentRefunded",))
    assert analysis.dispatch.shape == "if/elif chain"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('        if detail_type == "BatchClosed":\n            return {"closed": detail["batch"]}\n',
          '        return {"closed": detail["batch"]}\n'),
         "the branch for 'payments.batch' handles every detail_type itself"),
        (('elif source == "payments.batch":', 'elif source in ("payments.batch", "payments.eod"):'),
         "tests several values"),
        (('elif source == "payments.batch":', 'elif source == "payments/batch":'),
         "contains '/'"),
        (('            return {"closed": detail["batch"]}\n',
          '            if detail["kind"] == "a":\n                return 1\n            elif detail["kind"] == "b":\n                return 2\n'),
         "a third dispatch"),
    ],
    ids=["branch-without-inner-dispatch", "outer-branch-with-several-values", "separator-in-key", "three-levels"],
)
def test_refusals(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in NESTED
    with pytest.raises(StranglerError) as caught:
        analysed(NESTED.replace(old, new))
    assert message in caught.value.message
    assert caught.value.where.startswith(PATH + ":")


TUPLE_MATCH = HELPERS + """\
def lambda_handler(event, context):
    match (event["source"], event["detail-type"]):
        case ("payments.gateway", "PaymentCaptured") | ("payments.gateway", "PaymentSettled"):
            return on_captured(event["detail"])
        case ("payments.risk", "PaymentFlagged"):
            return {"flagged": audit(event["detail"])}
        case _:
            return {"ignored": event["detail-type"]}
"""


def test_a_match_on_source_and_detail_type_together_is_a_nested_dispatch() -> None:
    analysis = analysed(TUPLE_MATCH)
    assert str(analysis.dispatch.event_path) == "source / detail-type"
    assert [a.key for a in analysis.dispatch.actions] == [
        "payments.gateway/PaymentCaptured", "payments.gateway/PaymentSettled", "payments.risk/PaymentFlagged",
    ]
    code = codegen.monolith_module(analysis, ["payments.gateway/PaymentSettled"])[0]
    assert 'case ("payments.gateway", "PaymentCaptured"):' in code and "PaymentSettled" not in code
    assert 'return {"flagged": audit(event["detail"])}' in codegen.extracted_module(
        analysis, "payments.risk/PaymentFlagged", '"""x"""')[0]


def test_the_key_order_of_the_tuple_is_the_order_of_the_action_key() -> None:
    source = TUPLE_MATCH.replace('(event["source"], event["detail-type"])', '(event["detail-type"], event["source"])')
    source = source.replace('("payments.risk", "PaymentFlagged")', '("PaymentFlagged", "payments.risk")')
    source = source.replace('("payments.gateway", "PaymentCaptured") | ("payments.gateway", "PaymentSettled")', '("PaymentCaptured", "payments.gateway")')
    analysis = analysed(source)
    assert str(analysis.dispatch.event_path) == "detail-type / source"
    assert [a.key for a in analysis.dispatch.actions] == ["PaymentCaptured/payments.gateway", "PaymentFlagged/payments.risk"]


TABLE_OF_TABLES = HELPERS + """\
HANDLERS = {
    # the gateway publishes these
    "payments.gateway": {
        "PaymentCaptured": on_captured,  # and settled, see below
        "PaymentSettled": on_captured,
    },
    "payments.risk": {"PaymentFlagged": lambda detail: {"flagged": audit(detail)}},
}


def lambda_handler(event, context):
    handler = HANDLERS.get(event["source"], {}).get(event["detail-type"])
    if handler is None:
        return {"ignored": event["detail-type"]}
    return handler(event["detail"])
"""


def test_a_table_of_tables_looked_up_by_source_then_detail_type_is_a_nested_dispatch() -> None:
    analysis = analysed(TABLE_OF_TABLES)
    assert analysis.dispatch.shape == "table of tables"
    assert str(analysis.dispatch.event_path) == "source / detail-type"
    assert [(a.key, a.handler) for a in analysis.dispatch.actions] == [
        ("payments.gateway/PaymentCaptured", "on_captured"),
        ("payments.gateway/PaymentSettled", "on_captured"),
        ("payments.risk/PaymentFlagged", 'lambda detail: {"flagged": audit(detail)}'),
    ]


def test_the_new_entrypoint_calls_the_handler_of_the_pair() -> None:
    code = codegen.extracted_module(analysed(TABLE_OF_TABLES), "payments.gateway/PaymentSettled", '"""x"""')[0]
    assert "def lambda_handler(event, context):\n    handler = on_captured\n    return handler(event[\"detail\"])\n" in code
    assert "HANDLERS" not in code and "def audit" not in code


def test_the_monolith_table_loses_the_pair_and_keeps_an_emptied_inner_table() -> None:
    code = codegen.monolith_module(analysed(TABLE_OF_TABLES), ["payments.risk/PaymentFlagged", "payments.gateway/PaymentSettled"])[0]
    assert '    "payments.gateway": {\n        "PaymentCaptured": on_captured,  # and settled, see below\n    },\n' in code
    # HANDLERS["payments.risk"] must still be a table: a lookup in it fails as before
    assert '    "payments.risk": {},\n' in code
    assert "def audit" not in code and "import json" not in code
    again = analyse(FUNCTION, code, PATH, earlier=["payments.risk/PaymentFlagged"])
    assert [a.key for a in again.dispatch.actions] == ["payments.gateway/PaymentCaptured"]


def test_both_levels_subscripted_are_a_lookup_too() -> None:
    source = TABLE_OF_TABLES.replace('HANDLERS.get(event["source"], {}).get(event["detail-type"])', 'HANDLERS[event["source"]][event["detail-type"]]')
    code = codegen.extracted_module(analysed(source), "payments.gateway/PaymentCaptured", '"""x"""')[0]
    assert "    handler = on_captured\n" in code


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"payments.risk": {"PaymentFlagged": lambda detail: {"flagged": audit(detail)}},', '"payments.risk": audit,',
         "mixes tables and handlers"),
        ('handler = HANDLERS.get(event["source"], {}).get(event["detail-type"])',
         'handlers = HANDLERS[event["source"]]\n    handler = handlers.get(event["detail-type"])',
         "does not look up both levels in one expression"),
    ],
    ids=["mixed-values", "two-statements"],
)
def test_table_of_tables_refusals(old: str, new: str, message: str) -> None:
    assert old in TABLE_OF_TABLES
    with pytest.raises(StranglerError) as caught:
        analysed(TABLE_OF_TABLES.replace(old, new))
    assert message in caught.value.message
