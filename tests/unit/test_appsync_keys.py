"""Plain handlers of AppSync events: the key read from info (or from a payload's field)
becomes the path the AppSync routes understand."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.analyse.dispatch import analyse
from strangler.errors import StranglerError
from strangler.model import FunctionRef
from strangler.sources.resources.appsync import TYPE_AND_FIELD

CODE = Path("/app/src")
FUNCTION = FunctionRef("NotesFunction", "src/", CODE, "app.handler", CODE / "app.py", "handler")


def detected(source: str):
    return analyse(FUNCTION, source, "src/app.py")


def test_type_and_field_joined_with_a_dot_is_the_resolver_key() -> None:
    analysis = detected('''\
def handler(event, context):
    info = event["info"]
    key = f"{info['parentTypeName']}.{info['fieldName']}"
    if key == "Query.getNote":
        return {"id": 1}
    elif key == "Mutation.deleteNote":
        return None
    raise ValueError(key)
''')
    assert analysis.dispatch.event_path == TYPE_AND_FIELD
    assert [a.key for a in analysis.dispatch.actions] == ["Query.getNote", "Mutation.deleteNote"]


@pytest.mark.parametrize(
    ("read", "parts"),
    [('event["info"]["fieldName"]', ("info", "fieldName")), ('event["field"]', ("field",)),
     ('event.get("info", {}).get("parentTypeName")', ("info", "parentTypeName"))],
)
def test_a_field_or_type_alone_is_read_as_it_is(read: str, parts: tuple[str, ...]) -> None:
    analysis = detected(f'''\
def handler(event, context):
    match {read}:
        case "getNote":
            return 1
        case "Post":
            return 2
''')
    assert analysis.dispatch.event_path.parts == parts


def test_other_values_joined_with_a_dot_refuse() -> None:
    with pytest.raises(StranglerError, match="other than info.parentTypeName and info.fieldName"):
        detected('''\
def handler(event, context):
    key = f"{event['info']['fieldName']}.{event['arguments']['kind']}"
    if key == "a.b":
        return 1
    elif key == "c.d":
        return 2
''')
