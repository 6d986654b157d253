"""AppSync fixtures, routed: every scenario event reaches exactly the function that owns
its resolver, before and after, read from the translated template.

The fixture-apps suite proves behaviour and the reviewed trees; its routing check reads
the monolith's Events, which an AppSync monolith has none of, so the resolvers are routed
here (strangler/verify/routing.py follows resolver -> data source -> function).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.verify import routing
from tests.support import samcheck
from tests.support.apps import copy_app, scenario, strangler

APP = "appsync-blog"
MONOLITH = "BlogFunction"


def _owners(app: Path) -> dict[str, str]:
    template = samcheck.load_template(app / "template.yaml")
    return {
        resource["Metadata"]["Strangler"]["Action"]: logical_id
        for logical_id, resource in template["Resources"].items()
        if "ExtractedFrom" in ((resource.get("Metadata") or {}).get("Strangler") or {})
    }


@pytest.mark.parametrize(
    ("fixture", "monolith", "args"),
    [
        (APP, MONOLITH, ("extract", "Query.getPost", "Mutation.addComment")),
        (APP, MONOLITH, ("migrate",)),
        ("graphql-notes", "NotesFunction", ("extract", "saveNote")),
        ("graphql-notes", "NotesFunction", ("migrate",)),
    ],
    ids=["blog-extract", "blog-migrate", "notes-extract", "notes-migrate"],
)
def test_each_resolver_event_reaches_the_function_of_its_field_alone(
    tmp_path: Path, fixture: str, monolith: str, args: tuple[str, ...]
) -> None:
    story = scenario(fixture)
    original = copy_app(fixture, tmp_path / "original")
    app = copy_app(fixture, tmp_path / "app")
    result = strangler(app, *args)
    assert result.exit_code == 0, result.output
    before = samcheck.translate(original / "template.yaml")
    after = samcheck.translate(app / "template.yaml")
    owners = _owners(app)
    assert set(owners) == (set(args[1:]) if args[0] == "extract" else {k for k, _ in story.EVENTS})
    for key, event in story.EVENTS:
        assert routing.targets(before, event) == {monolith}, key
        assert routing.targets(after, event) == {owners.get(key, monolith)}, key
    for event in story.UNROUTED_EVENTS:
        assert routing.targets(before, event) == set()
        assert routing.targets(after, event) == set()


def test_the_monolith_data_source_and_role_go_at_retirement_and_stay_before(tmp_path: Path) -> None:
    app = copy_app(APP, tmp_path / "app")
    assert strangler(app, "extract", "Query.getPost").exit_code == 0
    resources = samcheck.load_template(app / "template.yaml")["Resources"]
    assert {"BlogDataSource", "BlogDataSourceRole", "QueryGetPostBlogDataSource", "QueryGetPostBlogDataSourceRole"} <= set(resources)
    role = resources["QueryGetPostBlogDataSourceRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert role["Resource"] == [{"Fn::GetAtt": ["QueryGetPostFunction", "Arn"]}, {"Fn::Sub": "${QueryGetPostFunction.Arn}:*"}]
    assert strangler(app, "migrate").exit_code == 0
    resources = samcheck.load_template(app / "template.yaml")["Resources"]
    assert "BlogDataSource" not in resources and "BlogDataSourceRole" not in resources
    assert sum(1 for r in resources.values() if r["Type"] == "AWS::AppSync::DataSource") == 5
    samcheck.assert_valid(app / "template.yaml")
