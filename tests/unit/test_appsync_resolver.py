"""A Powertools AppSyncResolver: each resolver is an action keyed Type.field, read from
info.parentTypeName and info.fieldName; routers of other modules count too."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.analyse.dispatch import analyse
from strangler.analyse.dispatch.layout import RouteLayout
from strangler.analyse.dispatch.routers import Neighbours
from strangler.errors import StranglerError
from strangler.model import FunctionRef
from strangler.sources.resources.appsync import TYPE_AND_FIELD

CODE = Path("/app/src")
FUNCTION = FunctionRef("BlogFunction", "src/", CODE, "app.handler", CODE / "app.py", "handler")

APP = '''\
from aws_lambda_powertools.event_handler import AppSyncResolver

from resolvers import comments

GET_POST = "getPost"
app = AppSyncResolver()
app.include_router(comments.router)


@app.resolver(type_name="Query", field_name=GET_POST)
def get_post(id):
    return {"id": id}


@app.resolver("Mutation", "createPost")
def create_post(input):
    return input


@app.batch_resolver(type_name="Post", field_name="author")
def authors(events):
    return [None for _ in events]


@app.exception_handler(ValueError)
def bad_input(error):
    return {"error": str(error)}


def handler(event, context):
    return app(event, context)
'''
COMMENTS = '''\
from aws_lambda_powertools.event_handler.appsync import Router

router = Router()


@router.resolver(type_name="Post", field_name="comments")
def comments():
    return []
'''


def detected(app: str = APP, comments: str = COMMENTS):
    sources = {CODE / "app.py": app, CODE / "resolvers" / "comments.py": comments, CODE / "resolvers" / "__init__.py": ""}
    neighbours = Neighbours(sources, lambda p: str(p.relative_to("/app")))
    return analyse(FUNCTION, app, "src/app.py", neighbours=neighbours)


def test_each_resolver_is_an_action_keyed_type_and_field() -> None:
    analysis = detected()
    assert analysis.dispatch.event_path == TYPE_AND_FIELD
    assert [a.key for a in analysis.dispatch.actions] == ["Query.getPost", "Mutation.createPost", "Post.author", "Post.comments"]
    layout = analysis.layout
    assert isinstance(layout, RouteLayout)
    assert layout.route("Post.comments").router is not None and layout.route("Post.comments").router.display == "src/resolvers/comments.py"
    assert len(layout.hooks) == 1  # the exception handler goes with every new function


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('@app.resolver("Mutation", "createPost")', '@app.resolver(field_name="createPost")', "every type"),
        ('@app.resolver("Mutation", "createPost")', '@app.resolver(type_name="*", field_name="createPost")', "every type"),
        ('@app.resolver("Mutation", "createPost")', '@app.resolver(type_name="Mutation")', "not a literal"),
        ('@app.resolver("Mutation", "createPost")', '@app.resolver("Query", GET_POST)', "registered twice"),
    ],
)
def test_resolvers_whose_key_cannot_be_known_refuse(old: str, new: str, message: str) -> None:
    with pytest.raises(StranglerError, match=message):
        detected(APP.replace(old, new))


def test_a_resolver_the_handler_never_calls_is_no_dispatch() -> None:
    with pytest.raises(StranglerError, match="no dispatch found"):
        detected(APP.replace("return app(event, context)", "return {}"))
