"""The EventBridge source copies a rule's YAML lists once per item, not once per item per item."""

from __future__ import annotations

import copy
import io

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq

from strangler.template.document import list_copies as _list_copies

RULE = """\
Type: EventBridgeRule
Properties:
  Pattern:
    source:
      - shop.orders   # the storefront
      - shop.payments
    detail-type:
      - OrderPlaced
      - OrderCancelled  # rare
      - PaymentCaptured
    # replays must not reach the handlers
    detail:
      channel: [web, app]
      empty: []
"""


def _dump(data) -> str:
    out = io.StringIO()
    YAML().dump(data, out)
    return out.getvalue()


def test_copies_read_and_dump_as_ruamels_own_copy() -> None:
    event = YAML().load(RULE)
    ours = copy.deepcopy(event, _list_copies(event))
    theirs = copy.deepcopy(event)
    assert _dump(ours) == _dump(theirs) == _dump(event)
    pattern, original = ours["Properties"]["Pattern"], event["Properties"]["Pattern"]
    for field in ("source", "detail-type"):
        assert isinstance(pattern[field], CommentedSeq) and pattern[field] is not original[field]
    pattern["detail-type"].append("Extra")
    pattern["detail"]["channel"].append("kiosk")
    assert "Extra" not in original["detail-type"] and "kiosk" not in original["detail"]["channel"]


def test_a_long_list_costs_one_attribute_copy() -> None:
    event = YAML().load("detail-type:\n" + "".join(f"  - Type{i}\n" for i in range(2000)))
    seq = event["detail-type"]
    calls = []
    original = CommentedSeq.copy_attributes

    def counting(self, target, memo=None):
        calls.append(self)
        return original(self, target, memo)

    CommentedSeq.copy_attributes = counting
    try:
        copied = copy.deepcopy(event, _list_copies(event))
    finally:
        CommentedSeq.copy_attributes = original
    assert list(copied["detail-type"]) == list(seq)
    assert len([c for c in calls if c is seq]) == 1  # ruamel's own copy: 2000


def test_deep_copy_of_a_template_equals_deepcopy_and_shares_nothing() -> None:
    from strangler.template.document import deep_copy

    data = YAML().load(io.StringIO("Resources:\n  R:\n    Type: X\n    Properties:\n      L: [a, b]\n      M:\n        - c  # why\n        - d\n"))
    copied = deep_copy(data)
    assert copied == copy.deepcopy(data)
    copied["Resources"]["R"]["Properties"]["M"].append("e")
    assert data["Resources"]["R"]["Properties"]["M"] == ["c", "d"]
