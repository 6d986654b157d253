"""Check a rendered ChangeSet before anything is written.

Every Python file must compile and the template must translate with aws-sam-translator
offline. A failure here is strangler's own bug, so the message says so and carries the
details for a report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

from strangler import deep
from strangler.errors import StranglerError
from strangler.model import FileChange

_LOCAL_CODE = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}
_BUG = "this is a bug in strangler; please report it with the template and module"


def check(changes: Iterable[FileChange], template_path: str) -> None:
    for change in changes:
        if change.new is None:
            continue
        if change.path.endswith(".py"):
            _compiles(change)
        elif change.path == template_path:
            translate(change.new, is_json=change.path.endswith(".json"), where=change.path)


def _compiles(change: FileChange) -> None:
    try:
        # As Python imports it (bytes: BOM, coding line), on a large stack: a long elif
        # chain is as deep as it is long (strangler/deep.py).
        deep.call(compile, (change.new or "").encode("utf-8"), change.path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise StranglerError(f"the generated code does not compile: {exc.msg}", where=f"{change.path}:{exc.lineno}", hint=_BUG) from None


def translate(text: str, *, is_json: bool, where: str) -> dict[str, Any]:
    """Translate a SAM template offline; raise with every cause SAM gives."""
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.yaml_helper import yaml_parse

    template = json.loads(text) if is_json else yaml_parse(text)
    _as_packaged(template)
    try:
        with _region():
            return Translator(managed_policy_map={}, sam_parser=Parser()).translate(
                sam_template=template, parameter_values={}, passthrough_metadata=True
            )
    except InvalidDocumentException as exc:
        causes = "; ".join(cause.message for cause in exc.causes)
        raise StranglerError(f"the new template does not translate: {causes}", where=where, hint=_BUG) from None


def _as_packaged(template: dict[str, Any]) -> None:
    """Local code paths become S3 URIs, as ``sam package`` would leave them."""
    globals_ = (template.get("Globals") or {}).get("Function") or {}
    if isinstance(globals_.get("CodeUri"), str):
        globals_["CodeUri"] = f"s3://bucket/{globals_['CodeUri']}"
    for resource in (template.get("Resources") or {}).values():
        key = _LOCAL_CODE.get(resource.get("Type"))
        properties = resource.get("Properties") or {}
        if key and isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
            properties[key] = f"s3://bucket/{properties[key]}"


@contextmanager
def _region():
    previous = os.environ.get("AWS_DEFAULT_REGION")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
