"""Small templates for unit tests of the event sources and resource routes."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from strangler.model import DELETE
from strangler.sources.base import Refusal
from strangler.template.document import TemplateDocument


def resources_doc(tmp_path: Path, resources_yaml: str) -> TemplateDocument:
    """A template of just ``Resources`` (given dedented, as in the test), loaded."""
    template = tmp_path / "template.yaml"
    template.write_text("Resources:\n" + textwrap.indent(textwrap.dedent(resources_yaml), "  "))
    return TemplateDocument.load(template)


def function_events(tmp_path: Path, function_id: str, events_yaml: str) -> Any:
    """The ``Events`` of a SAM function declaring ``events_yaml``, as loaded nodes."""
    doc = resources_doc(tmp_path, f"{function_id}:\n  Type: AWS::Serverless::Function\n  Properties:\n    Events:\n"
                        + textwrap.indent(textwrap.dedent(events_yaml), " " * 6))
    return doc.data["Resources"][function_id]["Properties"]["Events"]


def plain(value: Any) -> Any:
    """ruamel containers as plain dicts and lists; the DELETE marker as "DELETE"."""
    return json.loads(json.dumps(value, default=lambda o: "DELETE" if o is DELETE else str(o)))


def refusal(call: Callable[..., Any], *args: Any) -> str:
    """The message of the Refusal ``call(*args)`` raises (the test fails if none)."""
    with pytest.raises(Refusal) as caught:
        call(*args)
    return str(caught.value)


def sam_app(folder: Path, template: str, handler_module: str) -> Path:
    """A one-function SAM app: ``template.yaml`` and ``src/app.py`` in ``folder``."""
    (folder / "src").mkdir(parents=True)
    (folder / "template.yaml").write_text(template, encoding="utf-8")
    (folder / "src" / "app.py").write_text(handler_module, encoding="utf-8")
    return folder
