"""Keys compared with module-level string constants: names, sets of names, classes and
str Enums of constants, in chains, match and tables; and what is not a constant."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from strangler.analyse.dispatch import Analysis, analyse
from strangler.analyse.dispatch.eventpath import module_constants
from strangler.errors import StranglerError
from strangler.model import FunctionRef
from strangler.render import codegen

PATH = "src/app.py"
FUNCTION = FunctionRef("PostsFunction", "src/", Path("/app/src"), "app.lambda_handler", Path("/app/src/app.py"), "lambda_handler")

HEAD = '''\
from enum import Enum

import posts

# field names the resolver sends
GET_POST = "getPost"
LIST_POSTS = "listPosts"
CREATE_POST = "createPost"
UPDATE_POST = "updatePost"
WRITE_FIELDS = {CREATE_POST, UPDATE_POST}


class Field(str, Enum):
    GET_POST = "getPost"
    LIST_POSTS = "listPosts"


'''


def analysed(source: str) -> Analysis:
    return analyse(FUNCTION, source, PATH)


def keys(source: str) -> list[str]:
    return [action.key for action in analysed(source).dispatch.actions]


def test_what_counts_as_a_constant() -> None:
    found = module_constants(cst.parse_module(HEAD + '''\
TWICE = "a"
TWICE = "b"
LATER = "x"


def rebind():
    global LATER
    LATER = "y"


class Plain:
    NAME = "plain"


class Kind(Enum):
    NAME = "kind"  # Kind.NAME == "kind" is False: not a constant
'''))
    assert found["GET_POST"] == "getPost" and found["Field.GET_POST"] == "getPost" and found["Plain.NAME"] == "plain"
    assert found["WRITE_FIELDS"] == ("createPost", "updatePost")
    assert "TWICE" not in found and "LATER" not in found and "Kind.NAME" not in found


CHAIN = HEAD + '''\
def lambda_handler(event, context):
    field = event["info"]["fieldName"]
    if field == GET_POST:
        return posts.get(event["arguments"])
    elif field in (LIST_POSTS, "searchPosts"):
        return posts.list(event["arguments"])
    elif field in WRITE_FIELDS:
        return posts.write(field, event["arguments"])
    raise ValueError(field)
'''


def test_a_chain_on_constants_tuples_and_sets_of_them() -> None:
    analysis = analysed(CHAIN)
    assert [a.key for a in analysis.dispatch.actions] == ["getPost", "listPosts", "searchPosts", "createPost", "updatePost"]
    assert str(analysis.dispatch.event_path) == "info.fieldName"


def test_the_monolith_keeps_its_constants_and_narrows_a_set_to_the_names_left() -> None:
    code = codegen.monolith_module(analysed(CHAIN), ["getPost", "updatePost", "searchPosts"])[0]
    assert "if field in (LIST_POSTS,):" not in code
    assert "    if field == LIST_POSTS:\n" in code
    assert "    elif field == CREATE_POST:\n" in code
    assert 'GET_POST = "getPost"' in code  # no longer read, but a module-level name others may import


def test_the_new_module_keeps_a_constant_only_when_its_code_reads_it() -> None:
    code = codegen.extracted_module(analysed(CHAIN), "getPost", '"""extracted"""')[0]
    assert "posts.get" in code and "GET_POST" not in code
    write = codegen.extracted_module(analysed(CHAIN), "createPost", '"""extracted"""')[0]
    assert "posts.write(field" in write and "WRITE_FIELDS" not in write


def test_match_on_a_class_of_constants() -> None:
    source = HEAD + '''\
def lambda_handler(event, context):
    match event["info"]["fieldName"]:
        case Field.GET_POST:
            return posts.get(event["arguments"])
        case Field.LIST_POSTS | "searchPosts":
            return posts.list(event["arguments"])
        case _:
            raise ValueError("unknown field")
'''
    assert keys(source) == ["getPost", "listPosts", "searchPosts"]
    code = codegen.monolith_module(analysed(source), ["searchPosts"])[0]
    assert "case Field.LIST_POSTS:" in code and "case Field.GET_POST:" in code


def test_a_bare_name_in_a_case_captures_and_is_no_constant() -> None:
    source = HEAD + '''\
def lambda_handler(event, context):
    match event["info"]["fieldName"]:
        case "getPost":
            return posts.get(event["arguments"])
        case GET_POST:
            return posts.list(event["arguments"])
'''
    # case GET_POST binds any value: not a key, and not a branch strangler can name
    with pytest.raises(StranglerError):
        analysed(source)


def test_a_table_keyed_by_constants() -> None:
    source = HEAD + '''\
HANDLERS = {GET_POST: posts.get, Field.LIST_POSTS: posts.list, "deletePost": posts.delete}


def lambda_handler(event, context):
    return HANDLERS[event["info"]["fieldName"]](event["arguments"])
'''
    assert sorted(keys(source)) == ["deletePost", "getPost", "listPosts"]


def test_a_name_assigned_twice_is_not_a_constant_key() -> None:
    source = '''\
import posts

GET_POST = "getPost"
LIST_POSTS = "listPosts"
LIST_POSTS = "listAll"


def lambda_handler(event, context):
    field = event["info"]["fieldName"]
    if field == GET_POST:
        return posts.get(event)
    elif field == LIST_POSTS:
        return posts.list(event)
'''
    with pytest.raises(StranglerError):
        analysed(source)
