"""The EventBridge matcher ``strangler verify`` and the tests route with agrees with moto's
(a maintained implementation of the same language) on every operator strangler writes
into a pattern: lists of values, ``anything-but`` (values or a prefix), ``exists``,
``equals-ignore-case``, ``prefix`` and ``$or``. Our own matcher stays because it fails
loudly on an operator it does not know, where moto accepts it silently."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from moto.events.models import EventPattern

from strangler.verify.patterns import matches

TYPES = ["OrderPlaced", "OrderShipped", "orderplaced", "Refund"]
SOURCES = ["shop.orders", "shop.payments"]

leaf = st.one_of(
    st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True),
    st.lists(st.sampled_from(TYPES), min_size=1, max_size=2, unique=True).map(lambda v: [{"anything-but": v}]),
    st.sampled_from(["Order", "Ref"]).map(lambda p: [{"anything-but": {"prefix": p}}]),
    st.sampled_from(["Order", "Ref"]).map(lambda p: [{"prefix": p}]),
    st.sampled_from(TYPES).map(lambda v: [{"equals-ignore-case": v}]),
    st.lists(st.sampled_from(TYPES), min_size=1, max_size=2, unique=True).map(lambda v: [*v, {"exists": False}]),
)
pattern = st.one_of(
    st.fixed_dictionaries({"source": st.just(SOURCES[:1]), "detail-type": leaf}),
    st.fixed_dictionaries({"detail-type": leaf}),
    st.tuples(leaf, leaf).map(lambda two: {"$or": [
        {"source": ["shop.orders"], "detail-type": two[0]}, {"source": ["shop.payments"], "detail-type": two[1]},
    ]}),
)
event = st.fixed_dictionaries({
    "source": st.sampled_from(SOURCES),
    "detail-type": st.sampled_from(TYPES),
    "detail": st.just({}),
}).flatmap(lambda e: st.sampled_from([e, {k: v for k, v in e.items() if k != "detail-type"}]))


@settings(max_examples=400, deadline=None)
@given(pattern, event)
def test_our_matcher_and_motos_agree_on_the_patterns_strangler_writes(rule: dict, sent: dict) -> None:
    assert matches(rule, sent) == EventPattern.load(json.dumps(rule)).matches_event(sent), (rule, sent)
