"""How SAM reads a plain scalar: YAML 1.1, PyYAML's resolver and safe constructor.

aws-sam-translator and SAM CLI parse templates with ``yaml.SafeLoader`` (YAML 1.1), where
``yes``/``on``/``off``, ``~``, ``12:30``, ``2001-01-01``, ``=`` and ``<<`` are not strings.
"""

from __future__ import annotations

import functools
from typing import Any

import yaml
from yaml.nodes import ScalarNode

STR = "tag:yaml.org,2002:str"
MERGE = "tag:yaml.org,2002:merge"


class Unreadable(Exception):
    """SAM's loader cannot build a value from this plain scalar (``=`` is such a one)."""


_resolver = yaml.resolver.Resolver()


@functools.lru_cache(maxsize=65536)
def plain_tag(text: str) -> str:
    """The tag YAML 1.1 gives ``text`` written as a plain scalar."""
    return _resolver.resolve(ScalarNode, text, (True, False))


def reads_as_string(text: str) -> bool:
    return plain_tag(text) == STR


def plain_value(text: str) -> Any:
    """What SAM reads from ``text`` written plain (a bool, None, a number, a date, a str).

    Raises :class:`Unreadable` where the safe loader has no constructor for the tag."""
    tag = plain_tag(text)
    if tag == STR:
        return text
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(ScalarNode(tag, text))
    except yaml.YAMLError as exc:
        raise Unreadable(str(exc)) from None
    finally:
        loader.dispose()
