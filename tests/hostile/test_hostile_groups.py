"""Groups given wrong: each refused with exit 1, a message naming the file, the group and
the action, and no file touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.hostile import accepted, app_copy, refused

APP = "chain-payments"


def _with_settings(tmp_path: Path, text: str) -> Path:
    app = app_copy(APP, tmp_path)
    (app / "strangler.toml").write_text(text, encoding="utf-8")
    return app


@pytest.mark.parametrize("command", [("migrate",), ("extract", "PaymentRefunded")])
def test_an_unknown_action_in_a_group_is_refused_with_did_you_mean(tmp_path: Path, command) -> None:
    app = _with_settings(tmp_path, '# payments\n\n[groups.Settlement]\nactions = ["PaymentCaptured", "PaymentSetled"]\n')
    refused(app, *command, names=("strangler.toml:3", "group Settlement", "'PaymentSetled'", "PaymentSettled"))


def test_an_action_in_two_groups_is_refused(tmp_path: Path) -> None:
    app = _with_settings(tmp_path, '[groups.A]\nactions = ["PaymentCaptured"]\n[groups.B]\nactions = ["PaymentCaptured"]\n')
    refused(app, "migrate", names=("strangler.toml", "'PaymentCaptured'", "two groups", "A", "B"))


@pytest.mark.parametrize("name", ["9lives", "has space", "dot.ted", "x" * 65])
def test_a_group_name_that_cannot_name_a_function_is_refused(tmp_path: Path, name: str) -> None:
    app = _with_settings(tmp_path, f'[groups."{name}"]\nactions = ["PaymentCaptured"]\n')
    refused(app, "migrate", names=("strangler.toml", name, "group name"))


@pytest.mark.parametrize("body", ['actions = []', 'actions = "PaymentCaptured"', 'members = ["PaymentCaptured"]'])
def test_a_group_without_a_list_of_actions_is_refused(tmp_path: Path, body: str) -> None:
    app = _with_settings(tmp_path, f"[groups.Settlement]\n{body}\n")
    refused(app, "migrate", names=("strangler.toml", "Settlement", "actions"))


def test_a_group_across_two_monoliths_is_refused(tmp_path: Path) -> None:
    app = app_copy("standalone-rule-payments", tmp_path)
    (app / "strangler.toml").write_text('[groups.Mixed]\nactions = ["PaymentCaptured", "receipt"]\n', encoding="utf-8")
    refused(app, "migrate", names=("strangler.toml:1", "group Mixed", "'PaymentCaptured'", "receipt", "one monolith"))


@pytest.mark.parametrize("into", ["1st", "a b", ""])
def test_into_a_name_that_cannot_name_a_function_is_refused(tmp_path: Path, into: str) -> None:
    app = app_copy(APP, tmp_path)
    refused(app, "extract", "PaymentCaptured", "PaymentSettled", "--into", into, names=("--into", "group name"))


def test_into_an_unknown_action_is_refused_with_did_you_mean(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path)
    refused(app, "extract", "PaymentCaptured", "PaymentSetled", "--into", "Settlement",
            names=("'PaymentSetled'", "PaymentSettled"))


def test_into_a_name_the_template_already_uses_is_refused(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path)
    refused(app, "extract", "PaymentCaptured", "PaymentSettled", "--into", "Payments",
            names=("PaymentsFunction", "already has a resource"))


def test_into_an_existing_group_with_new_actions_is_refused(tmp_path: Path) -> None:
    app = app_copy(APP, tmp_path)
    accepted(app, "extract", "PaymentCaptured", "--into", "Settlement")
    refused(app, "extract", "PaymentSettled", "--into", "Settlement", names=("SettlementFunction",))


def test_into_actions_of_two_monoliths_is_refused(tmp_path: Path) -> None:
    app = app_copy("standalone-rule-payments", tmp_path)
    refused(app, "extract", "PaymentCaptured", "receipt", "--into", "Mixed", names=("MixedFunction", "PaymentsFunction"))


def test_settings_for_a_group_set_its_function(tmp_path: Path) -> None:
    app = _with_settings(tmp_path, '[groups.Settlement]\nactions = ["PaymentCaptured", "PaymentSettled"]\n\n'
                                   '[actions.Settlement]\nMemorySize = 1024\n')
    accepted(app, "migrate")
    template = (app / "template.yaml").read_text(encoding="utf-8")
    settlement = template[template.index("  SettlementFunction:"):]
    assert "MemorySize: 1024" in settlement[: settlement.index("\n  PaymentRefundedFunction:")]


def test_a_group_whose_actions_need_one_data_source_each_in_a_graphql_api_is_refused(tmp_path: Path) -> None:
    # SAM's GraphQLApi keeps its data sources inside the API: the second action's copy would
    # need the id the first one's took.
    app = app_copy("graphql-notes", tmp_path)
    refused(app, "extract", "getNote", "notesByTag", "--into", "Reads",
            names=("group Reads", "'notesByTag'", "NotesApi", "separate functions"))


def test_settings_for_an_action_a_group_took_are_not_a_typo_on_the_next_run(tmp_path: Path) -> None:
    app = _with_settings(tmp_path, '[actions.PaymentCaptured]\nTimeout = 30\n')
    made = accepted(app, "extract", "PaymentCaptured", "PaymentSettled", "--into", "Settlement")
    assert "strangler.toml:1 ([actions.PaymentCaptured]) are not applied" in made.output
    assert "[actions.Settlement]" in made.output
    accepted(app, "extract", "PaymentRefunded")
