"""Groups: their settings, the request of a run, and how their actions' routes combine."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from strangler.errors import StranglerError
from strangler.load.settings import Settings, load_settings
from strangler.model import RoutePlan
from strangler.plan import groups
from strangler.render.grouping import combined, differences, merge_into


def _settings(tmp_path: Path, text: str) -> Settings:
    (tmp_path / "strangler.toml").write_text(text, encoding="utf-8")
    return load_settings(tmp_path)


# --- settings ---------------------------------------------------------------------------
def test_groups_are_read_with_their_place(tmp_path: Path) -> None:
    settings = _settings(tmp_path, '[defaults]\nTimeout = 5\n\n[groups.Orders]  # reads\nactions = ["A", "B", "A"]\n')
    assert settings.groups == {"Orders": ("A", "B")}
    assert settings.group_place("Orders") == "strangler.toml:4"
    assert settings.group_of("B") == "Orders" and settings.group_of("C") is None


def test_groups_in_pyproject_are_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.strangler.groups.Orders]\nactions = ["A"]\n', encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.groups == {"Orders": ("A",)} and settings.group_place("Orders") == "pyproject.toml:1"


@pytest.mark.parametrize("text, said", [
    ('[groups.A]\nactions = ["x"]\n[groups.B]\nactions = ["x"]\n', "'x' is in two groups, A and B"),
    ('[groups."a.b"]\nactions = ["x"]\n', "group name"),
    ('[groups.A]\nactions = []\n', "at least one"),
    ('[groups.A]\nactions = ["x", 1]\n', "list of action keys"),
    ('[groups.A]\nactions = ["x"]\nfolder = "f"\n', "one setting"),
    ('groups = ["A"]\n', "table of [groups.<name>] tables"),
])
def test_bad_groups_are_refused(tmp_path: Path, text: str, said: str) -> None:
    with pytest.raises(StranglerError) as raised:
        _settings(tmp_path, text)
    assert said in raised.value.message and raised.value.where == "strangler.toml"


# --- the request of a run ----------------------------------------------------------------
SETTINGS = Settings(groups={"Money": ("B", "C")})


def test_into_makes_one_group_of_the_keys() -> None:
    assert groups.request(SETTINGS, ("A", "B"), "Mixed") == groups.Request(("A", "B"), {"Mixed": ("A", "B")}, "Mixed")


def test_migrate_takes_the_settings_groups() -> None:
    assert groups.request(SETTINGS, None, None) == groups.Request(None, {"Money": ("B", "C")})


def test_a_group_name_among_the_keys_is_its_actions() -> None:
    assert groups.request(SETTINGS, ("A", "Money"), None) == groups.Request(("A", "B", "C"), {"Money": ("B", "C")})


def test_into_without_keys_or_with_a_bad_name_is_refused() -> None:
    with pytest.raises(StranglerError):
        groups.request(SETTINGS, None, "Money")
    with pytest.raises(StranglerError, match="group name"):
        groups.request(SETTINGS, ("A",), "no good")


# --- combining routes --------------------------------------------------------------------
def _yaml(text: str):
    return YAML().load(text)


def test_copies_that_differ_in_one_list_become_one_with_both() -> None:
    mine = _yaml("Pattern:\n  source: [shop]\n  detail-type:\n    - A\n  # the rest\n  detail: {x: [1]}\n")
    theirs = _yaml("Pattern:\n  source: [shop]\n  detail-type:\n    - B\n  detail: {x: [1]}\n")
    assert differences(mine, theirs) == [("Pattern", "detail-type")]
    assert merge_into(mine, theirs)
    assert mine["Pattern"]["detail-type"] == ["A", "B"]
    written = io.StringIO()
    YAML().dump(mine, written)
    assert "- A\n  - B\n  # the rest\n" in written.getvalue()  # the comment still introduces what follows
    assert merge_into(mine, theirs) and mine["Pattern"]["detail-type"] == ["A", "B"]  # nothing twice


@pytest.mark.parametrize("theirs", [
    "Pattern:\n  source: [other]\n  detail-type: [B]\n",  # two lists differ: a cross product
    "Pattern:\n  source: shop\n  detail-type: [A]\n",  # a scalar differs
    "Pattern:\n  source: [shop]\n",  # keys differ
])
def test_copies_that_differ_otherwise_are_not_combined(theirs: str) -> None:
    mine = _yaml("Pattern:\n  source: [shop]\n  detail-type: [A]\n")
    assert not merge_into(mine, _yaml(theirs))
    assert mine["Pattern"]["detail-type"] == ["A"]


def test_intrinsics_are_compared_by_what_they_mean() -> None:
    assert differences(_yaml("a: !Ref X\n"), _yaml("a: !Ref X\n")) == []
    assert differences(_yaml("a: !Ref X\n"), _yaml("a: !GetAtt X.Arn\n")) == [("a",)]


def _route(events: dict) -> RoutePlan:
    return RoutePlan("Api", {name: _yaml(text) for name, text in events.items()})


def test_events_that_cannot_combine_stay_apart_named_after_their_action() -> None:
    route = combined([_route({"Orders": "Type: Api\nProperties: {Path: /a, Method: GET}\n"}),
                      _route({"Orders": "Type: Api\nProperties: {Path: /b, Method: GET}\n"})], ["GET /a", "GET /b"], "t")
    assert list(route.new_events) == ["Orders", "OrdersGetB"]


def test_mapped_events_that_cannot_combine_are_refused() -> None:
    sqs = "Type: SQS\nProperties: {Queue: q, BatchSize: %d}\n"
    with pytest.raises(StranglerError, match="one function cannot have two of them"):
        combined([_route({"Q": sqs % 1}), _route({"Q": sqs % 2})], ["a", "b"], "t")
