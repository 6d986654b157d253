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

    template = json.loads(text.removeprefix("\ufeff")) if is_json else _parse_as_sam(text, where)
    meant = getattr(text, "meant", None)
    if meant is not None:
        reads_back(meant, template, where)
    _as_packaged(template)
    try:
        with _region():
            return Translator(managed_policy_map={}, sam_parser=Parser()).translate(
                sam_template=template, parameter_values={}, passthrough_metadata=True
            )
    except InvalidDocumentException as exc:
        causes = "; ".join(cause.message for cause in exc.causes)
        raise StranglerError(f"the new template does not translate: {causes}", where=where, hint=_BUG) from None


def _parse_as_sam(text: str, where: str) -> Any:
    """The template as SAM CLI and aws-sam-translator read it (YAML 1.1)."""
    import yaml
    from samtranslator.yaml_helper import yaml_parse

    try:
        return yaml_parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise StranglerError(
            f"SAM could not read the new template: {problem}; nothing was written", where=f"{where}{line}", hint=_BUG
        ) from None


def reads_back(meant: Any, parsed: Any, where: str) -> None:
    """Refuse a template that SAM would read otherwise than strangler meant it."""
    found = _difference(meant, parsed, ())
    if found is not None:
        path, expected, got = found
        raise StranglerError(
            f"SAM would read {'.'.join(str(p) for p in path) or 'the template'} as {got!r} instead of {expected!r} "
            "(YAML 1.1 reads some plain scalars as booleans, numbers or null); nothing was written",
            where=f"{where}: {'.'.join(str(p) for p in path[:2])}" if path else where,
            hint=_BUG,
        )


def _difference(meant: Any, parsed: Any, path: tuple) -> tuple[tuple, Any, Any] | None:
    from strangler.template.document import MERGE_KEY, UNCHECKED

    if meant is UNCHECKED:
        return None
    if isinstance(meant, dict):
        if not isinstance(parsed, dict):
            return path, meant, parsed
        merges = MERGE_KEY in meant
        for key, value in meant.items():
            if key is MERGE_KEY:
                continue
            if key not in parsed or _kind(key) != _kind(_same_key(parsed, key)):
                return (*path, key), value, "nothing (the key reads as something else)"
            found = _difference(value, parsed[key], (*path, key))
            if found is not None:
                return found
        if not merges and len(parsed) != len(meant):
            extra = [k for k in parsed if k not in meant]
            return path, sorted(meant, key=str), sorted(parsed, key=str) if not extra else f"the extra keys {extra}"
        return None
    if isinstance(meant, list):
        if not isinstance(parsed, list) or len(parsed) != len(meant):
            return path, meant, parsed
        for index, (item, got) in enumerate(zip(meant, parsed)):
            found = _difference(item, got, (*path, index))
            if found is not None:
                return found
        return None
    if _kind(meant) != _kind(parsed) or meant != parsed:
        return path, meant, parsed
    return None


def _same_key(parsed: dict, key: Any) -> Any:
    return next(k for k in parsed if k == key)


def _kind(value: Any) -> type:
    """bool and int compare equal in Python (True == 1): YAML tells them apart."""
    return type(value) if isinstance(value, (bool, str, type(None))) else object


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
