"""A handler with one action beside real monoliths: one ``if`` on the event's method and a
default is not a monolith. scan says so, migrate splits the others and leaves it untouched;
one ``if`` on a setting (not the event) is no dispatch at all."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from tests.support.hostile import accepted, app_copy
from tests.support.samcheck import assert_valid, load_template

SHOP = "multi-api-shop"
T = "template.yaml"
HEALTH = "health/app.py"
ONE_BRANCH = '''def lambda_handler(event, context):
    if event["requestContext"]["http"]["method"] == "GET":
        return {"statusCode": 200, "headers": {"content-type": "application/json"},
                "body": json.dumps({"status": "ok"})}
    return {"statusCode": 405, "body": ""}
'''
ON_A_SETTING = '''import os

STAGE = os.environ.get("STAGE", "dev")


def lambda_handler(event, context):
    if STAGE == "prod":
        return {"statusCode": 200, "body": json.dumps({"status": "ok", "stage": STAGE})}
'''


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return app_copy(SHOP, tmp_path, git_repo=True)


def _rewrite_health(app: Path, head: str) -> int:
    text = (app / HEALTH).read_text()
    (app / HEALTH).write_text(text[:text.index("def lambda_handler")] + head)
    repo = git.Repo(app)
    repo.git.add(A=True)
    repo.index.commit("the edit")
    return next(n for n, line in enumerate((app / HEALTH).read_text().splitlines(), 1) if line.lstrip().startswith("if "))


def test_one_branch_on_the_event_is_one_action_and_migrate_leaves_it_alone(shop: Path) -> None:
    line = _rewrite_health(shop, ONE_BRANCH)
    out = accepted(shop, "scan").output
    assert f"HealthFunction  not split: one action only ('GET' at {HEALTH}:{line}): not a monolith" in out
    before = (shop / HEALTH).read_text()
    accepted(shop, "migrate")
    assert (shop / HEALTH).read_text() == before
    resources = load_template(shop / T)["Resources"]
    assert resources["HealthFunction"]["Properties"]["Handler"] == "app.lambda_handler"
    assert not any(
        ((r.get("Metadata") or {}).get("Strangler") or {}).get("ExtractedFrom") == "HealthFunction" for r in resources.values()
    )
    assert_valid(shop / T)


def test_one_if_on_a_setting_is_no_dispatch(shop: Path) -> None:
    _rewrite_health(shop, ON_A_SETTING)
    out = accepted(shop, "scan").output
    assert "HealthFunction  not split: no dispatch found" in out
