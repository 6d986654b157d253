"""Check a rendered ChangeSet before anything is written.

Every Python file must compile and the template must translate with aws-sam-translator
offline, as ``sam build`` and ``sam package`` would leave it (local code uploaded, images
built). A failure the split brought is strangler's own bug, so the message says so and
carries the details for a report; a failure the original template already had is the
user's to fix and is reported without stopping the run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import Any

from strangler import deep
from strangler.errors import StranglerError
from strangler.model import FileChange

_LOCAL_CODE = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}
_BUG = "this is a bug in strangler; please report it with the template and module"


class Untranslatable(StranglerError):
    """aws-sam-translator refused the template; ``causes`` are its reasons, each with the
    logical id it names (None for the template as a whole)."""

    def __init__(self, message: str, causes: tuple[tuple[str | None, str], ...], *, where: str, hint: str | None = None):
        super().__init__(message, where=where, hint=hint)
        self.causes = causes


def check(changes: Iterable[FileChange], template_path: str, say: Callable[[str], None] | None = None) -> None:
    """Refuse a change that does not compile or translate. Translation problems the original
    template already had are not the split's: they are reported through ``say`` and do not
    stop the run; only new ones do."""
    for change in changes:
        if change.new is None:
            continue
        if change.path.endswith(".py"):
            _compiles(change)
        elif change.path == template_path:
            is_json = change.path.endswith(".json")
            try:
                translated = translate(change.new, is_json=is_json, where=change.path)
            except Untranslatable as failure:
                known = _original_causes(change.old, is_json, change.path)
                if known is None:
                    raise
                _compare(failure, known, change.new, is_json, change.path, say)
                continue
            if say is not None:
                for line in stream_readers(translated, change, is_json):
                    say(line)


def _original_causes(text: str | None, is_json: bool, where: str) -> frozenset[tuple[str | None, str]] | None:
    """What the template failed with before the run; None when it translated (or is new)."""
    if text is None:
        return None
    try:
        translate(text, is_json=is_json, where=where)
    except Untranslatable as failure:
        return frozenset(failure.causes)
    except StranglerError:
        return None
    return None


def _compare(
    failure: Untranslatable, known: frozenset[tuple[str | None, str]], text: str, is_json: bool, where: str,
    say: Callable[[str], None] | None,
) -> None:
    """Raise with the causes the split brought; report those the template already had."""
    origins = _extracted_from(text, is_json, where)
    new = [cause for cause in failure.causes if not _already(cause, known, origins)]
    if new:
        causes = "; ".join(_shown(cause) for cause in new)
        raise Untranslatable(f"the new template does not translate: {causes}", tuple(new), where=where, hint=_BUG)
    if say is not None:
        causes = "; ".join(_shown(cause) for cause in failure.causes)
        say(f"{where} did not translate before this run either, for reasons the split leaves as they were "
            f"(fix them before deploying): {causes}")


def _already(cause: tuple[str | None, str], known: frozenset[tuple[str | None, str]], origins: dict[str, str]) -> bool:
    """The original had this problem: on the same resource, or on the monolith a new
    function was copied from (its reason then names the monolith where it names the copy)."""
    if cause in known:
        return True
    logical_id, reason = cause
    origin = origins.get(logical_id or "")
    return origin is not None and (origin, reason.replace(str(logical_id), origin)) in known


def _extracted_from(text: str, is_json: bool, where: str) -> dict[str, str]:
    template = json.loads(text.removeprefix("\ufeff")) if is_json else _parse_as_sam(text, where)
    found = {}
    for logical_id, resource in ((template or {}).get("Resources") or {}).items():
        marker = ((resource or {}).get("Metadata") or {}).get("Strangler") if isinstance(resource, dict) else None
        if isinstance(marker, dict) and isinstance(marker.get("ExtractedFrom"), str):
            found[str(logical_id)] = marker["ExtractedFrom"]
    return found


# --- readers of a DynamoDB stream ------------------------------------------------------------
READERS_PER_SHARD = 2  # "More than 2 processes are reading from the same streams shard" throttles


def stream_readers(translated: dict[str, Any], change: FileChange, is_json: bool) -> list[str]:
    """A warning for each DynamoDB stream the run gave more than two readers, when some of
    them are functions the split did not make or split: the stream source counts only the
    monolith and its extracts, these are the other consumers it cannot see."""
    after = _mappings_by_stream(translated)
    crowded = {stream: readers for stream, readers in after.items() if len(readers) > READERS_PER_SHARD}
    if not crowded or change.old is None or change.new is None:
        return []
    origins = _extracted_from(change.new, is_json, change.path)
    family = set(origins) | set(origins.values())
    try:
        before = _mappings_by_stream(translate(change.old, is_json=is_json, where=change.path))
    except StranglerError:
        return []
    lines = []
    for stream, readers in crowded.items():
        others = sorted(set(readers) - family)
        if others and len(readers) > len(before.get(stream, [])):
            lines.append(
                f"warning: {stream} is read by {len(readers)} event source mappings ({', '.join(sorted(readers))}), "
                f"{', '.join(others)} among them; DynamoDB streams allow about {READERS_PER_SHARD} readers per shard "
                "before they throttle: group actions in one function, or fan the stream out once through "
                "EventBridge Pipes (to a bus with one rule per action) or a Kinesis data stream"
            )
    return lines


def _mappings_by_stream(cfn: dict[str, Any]) -> dict[str, list[str]]:
    """The functions of the event source mappings on each DynamoDB stream (``Table.StreamArn``)."""
    found: dict[str, list[str]] = {}
    for resource in (cfn.get("Resources") or {}).values():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::Lambda::EventSourceMapping":
            continue
        properties = resource.get("Properties") or {}
        stream = _stream_of(properties.get("EventSourceArn"))
        function = properties.get("FunctionName")
        name = _function_of(cfn, function)
        if stream is not None and name is not None:
            found.setdefault(stream, []).append(name)
    return found


def _function_of(cfn: dict[str, Any], reference: Any) -> str | None:
    """The function a mapping's ``FunctionName`` names, through an alias or version
    (``AutoPublishAlias``) to the SAM function's own id."""
    for _ in range(3):
        name = reference.get("Ref") if isinstance(reference, dict) else None
        if not isinstance(name, str):
            return None
        resource = (cfn.get("Resources") or {}).get(name) or {}
        if resource.get("Type") not in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            return name
        reference = (resource.get("Properties") or {}).get("FunctionName")
    return None


def _stream_of(arn: Any) -> str | None:
    target = arn.get("Fn::GetAtt") if isinstance(arn, dict) else None
    parts = target.split(".", 1) if isinstance(target, str) else target
    if isinstance(parts, list) and len(parts) == 2 and parts[1] == "StreamArn":
        return f"{parts[0]}.StreamArn"
    if isinstance(arn, str) and ":dynamodb:" in arn and "/stream/" in arn:
        return arn
    return None


def _shown(cause: tuple[str | None, str]) -> str:
    logical_id, reason = cause
    return f"Resource with id [{logical_id}] is invalid. {reason}" if logical_id is not None else reason


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
        causes = tuple(_cause(cause) for cause in exc.causes)
        shown = "; ".join(_shown(cause) for cause in causes)
        raise Untranslatable(f"the new template does not translate: {shown}", causes, where=where, hint=_BUG) from None


def _cause(exc: Exception) -> tuple[str | None, str]:
    """(logical id, reason) of one of SAM's causes: the id apart, so that the same reason
    on a copy of a resource can be recognised."""
    logical_id = getattr(exc, "_logical_id", None)
    if isinstance(logical_id, str):
        return logical_id, str(getattr(exc, "_message", getattr(exc, "message", exc)))
    return None, str(getattr(exc, "message", exc))


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
    """Local code paths become S3 URIs, as ``sam package`` would leave them; a function that
    names no code at all gets the template's folder, which is what SAM CLI builds for it."""
    globals_ = (template.get("Globals") or {}).get("Function") or {}
    if not isinstance(globals_, dict):
        globals_ = {}
    if isinstance(globals_.get("CodeUri"), str):
        globals_["CodeUri"] = f"s3://bucket/{globals_['CodeUri']}"
    defaults = any(key in globals_ for key in _CODE_KEYS)
    for resource in (template.get("Resources") or {}).values():
        if not isinstance(resource, dict):
            continue
        key = _LOCAL_CODE.get(resource.get("Type"))
        properties = resource.get("Properties")
        if not key or not isinstance(properties, dict):
            continue
        if key == "CodeUri" and not defaults and _names_no_code(properties, globals_):
            properties[key] = "."
        if key == "CodeUri" and _awaits_image(properties, globals_):
            properties["ImageUri"] = _BUILT_IMAGE
        if isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
            properties[key] = f"s3://bucket/{properties[key]}"


_CODE_KEYS = ("CodeUri", "InlineCode", "ImageUri")
_BUILT_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/built-by-sam:latest"


def _awaits_image(properties: dict[str, Any], globals_: dict[str, Any]) -> bool:
    """An image function with no ImageUri yet: ``sam build`` builds it from its Metadata
    (Dockerfile, DockerContext) and writes the ImageUri into the built template."""
    package_type = properties.get("PackageType", globals_.get("PackageType"))
    return package_type == "Image" and "ImageUri" not in properties and "ImageUri" not in globals_


def _names_no_code(properties: dict[str, Any], globals_: dict[str, Any]) -> bool:
    """A zip function with neither CodeUri, InlineCode nor ImageUri: SAM CLI builds and
    uploads the template's folder for it."""
    package_type = properties.get("PackageType", globals_.get("PackageType"))
    return package_type != "Image" and not any(key in properties for key in _CODE_KEYS)


@contextmanager
def _region():
    previous = os.environ.get("AWS_DEFAULT_REGION")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
