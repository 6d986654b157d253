"""A template that is not valid YAML is refused in words: no parser token names
(``<block end>``, ``<block mapping start>``) in the message, and a hint for the usual
causes (indentation, a tab, an unquoted ': ' in a value)."""

from __future__ import annotations

from pathlib import Path

import pytest

from strangler.errors import StranglerError
from strangler.template.document import TemplateDocument

HEAD = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"


def refusal(text: str) -> StranglerError:
    with pytest.raises(StranglerError) as caught:
        TemplateDocument.parse(Path("template.yaml"), text)
    return caught.value


@pytest.mark.parametrize("tail, line, said, hint", [
    ("   Odd: 1\n  Even: 2\n", 4, ("expected the end of the indented block, but found a key indented as if it "
                                   "began a new mapping"), "indented deeper or shallower"),
    ("  Odd: 1\n - x\n", 5, "but found a list item indented as if it began a new list", "line it up"),
    ("  Flow: {a: b\n", 5, "expected ',' or '}', but got the end of the file", None),
    ("  Tab:\t1\n", 4, "found character '\\t' that cannot start any token", "spaces only: replace the tab"),
    ("  Note: a: b\n", 4, "mapping values are not allowed here", "quote the value"),
], ids=["indented-key", "indented-item", "unclosed-flow", "tab", "colon-in-value"])
def test_a_yaml_error_is_said_in_words(tail: str, line: int, said: str, hint: str | None) -> None:
    error = refusal(HEAD + tail)
    assert error.where == f"template.yaml:{line}"
    assert said in error.message and "<" not in error.message
    assert (hint in error.hint) if hint else error.hint is None
