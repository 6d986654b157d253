"""Translate a template offline, the way ``sam deploy`` would see it.

``translate`` does what ``sam package`` does to local paths (every local
``CodeUri``/``ContentUri``/``DefinitionUri``/``Code`` becomes an S3 location), inlines
local ``AWS::Include`` files as CloudFormation would, and runs the real SAM translator
(the code of CloudFormation's ``AWS::Serverless-2016-10-31`` transform); a plain
CloudFormation template passes through. ``function_code`` says where each function's
code and handler are. Used by ``strangler verify`` and by the test suite.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

S3_BUCKET = "bucket"

# cfn-lint rules whose verdict depends on today's date (runtime deprecation
# calendars), not on the template: a fixture on python3.11 went from clean to
# "E2533" on 2026-08-31.  Ignored by default so tests do not rot.
_LOCAL_URI_PROPERTIES: Mapping[str, str] = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
}
_GLOBAL_URI_PROPERTIES: Mapping[str, str] = {
    "Function": "CodeUri",
    "Api": "DefinitionUri",
    "HttpApi": "DefinitionUri",
}


# --------------------------------------------------------------------------- loading


def load_template(template_path: Path) -> dict[str, Any]:
    """Parse YAML (with CloudFormation short tags) or JSON into a plain dict."""
    text = Path(template_path).read_text(encoding="utf-8")
    parsed: Any
    if Path(template_path).suffix.lower() == ".json":
        parsed = json.loads(text)
    else:
        from samtranslator.yaml_helper import yaml_parse

        parsed = yaml_parse(text)
    if not isinstance(parsed, dict):
        raise AssertionError(f"{template_path}: not a template mapping")
    return parsed


def is_local_uri(value: Any) -> bool:
    """A string that ``sam package`` would upload (anything not already in S3)."""
    return isinstance(value, str) and not value.startswith("s3://")


def s3_uri(local: str) -> str:
    """The stand-in S3 location for a local path, stable and readable in failures."""
    key = PurePosixPath(local.replace("\\", "/")).as_posix().strip("/")
    return f"s3://{S3_BUCKET}/{key if key not in ('', '.') else 'root'}.zip"


def package(template: Mapping[str, Any], base_dir: Path, *, require_paths: bool = True) -> dict[str, Any]:
    """A copy of ``template`` with local artifact paths replaced by S3 URIs.

    With ``require_paths`` every local path must exist relative to ``base_dir``
    (``sam build`` would fail otherwise), which catches a generated template pointing
    at a code folder that was never written.
    """
    packaged = copy.deepcopy(dict(template))
    _default_code_uris(packaged)
    slots = list(_global_slots(packaged)) + list(_resource_slots(packaged))
    missing = []
    for holder, key in slots:
        if require_paths and not (base_dir / holder[key]).exists():
            missing.append(holder[key])
        holder[key] = s3_uri(holder[key])
    for properties in _plain_code_slots(packaged):
        if require_paths and not (base_dir / properties["Code"]).exists():
            missing.append(properties["Code"])
        properties["Code"] = _s3_code(properties["Code"])
    if missing:
        raise AssertionError(f"local artifact paths do not exist under {base_dir}: {missing}")
    return packaged


def _default_code_uris(template: dict[str, Any]) -> None:
    """``sam package`` uploads the template's folder for a function with no code."""
    defaults = (template.get("Globals") or {}).get("Function") or {}
    code_keys = ("CodeUri", "InlineCode", "ImageUri")
    if any(key in defaults for key in code_keys):
        return
    for resource in (template.get("Resources") or {}).values():
        properties = resource.get("Properties")
        if resource.get("Type") != "AWS::Serverless::Function" or not isinstance(properties, dict):
            continue
        if properties.get("PackageType") != "Image" and not any(k in properties for k in code_keys):
            properties["CodeUri"] = "."


def _global_slots(template: dict[str, Any]) -> Iterable[tuple[dict[str, Any], str]]:
    for section, key in _GLOBAL_URI_PROPERTIES.items():
        holder = (template.get("Globals") or {}).get(section) or {}
        if is_local_uri(holder.get(key)):
            yield holder, key


def _resource_slots(template: dict[str, Any]) -> Iterable[tuple[dict[str, Any], str]]:
    for resource in (template.get("Resources") or {}).values():
        key = _LOCAL_URI_PROPERTIES.get(resource.get("Type", ""))
        properties = resource.get("Properties") or {}
        if key and is_local_uri(properties.get(key)):
            yield properties, key


def _plain_code_slots(template: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """Properties of ``AWS::Lambda::Function`` resources whose ``Code`` is a local path."""
    for resource in (template.get("Resources") or {}).values():
        properties = resource.get("Properties") or {}
        if resource.get("Type") == PLAIN_FUNCTION and is_local_uri(properties.get("Code")):
            yield properties


def _s3_code(local: str) -> dict[str, str]:
    """What ``aws cloudformation package`` writes for a local ``Code`` folder."""
    return {"S3Bucket": S3_BUCKET, "S3Key": s3_uri(local).removeprefix(f"s3://{S3_BUCKET}/")}


SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
PLAIN_FUNCTION = "AWS::Lambda::Function"


def is_sam(template: Mapping[str, Any]) -> bool:
    """A template the SAM transform deploys (it declares it, or holds SAM resources)."""
    transform = template.get("Transform")
    if SAM_TRANSFORM in (transform if isinstance(transform, list) else [transform]):
        return True
    return any(str(r.get("Type", "")).startswith("AWS::Serverless::") for r in (template.get("Resources") or {}).values())


# --------------------------------------------------------------------------- translate


def translate(template_path: Path, *, require_paths: bool = True) -> dict[str, Any]:
    """SAM template file -> the CloudFormation template CloudFormation would deploy.

    Raises ``AssertionError`` listing every reason SAM gives when the transform fails.
    """
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    template_path = Path(template_path)
    sam = package(load_template(template_path), template_path.parent, require_paths=require_paths)
    if not is_sam(sam):
        return sam  # plain CloudFormation: deployed as packaged
    try:
        with _default_region():
            translator = Translator(managed_policy_map={}, sam_parser=Parser())
            try:
                cfn: dict[str, Any] = translator.translate(
                    sam_template=sam, parameter_values={}, passthrough_metadata=True
                )
            finally:
                translator.metrics.publish()  # no-op publisher; silences a warning at GC
            return inline_includes(cfn, template_path.parent)
    except InvalidDocumentException as error:
        causes = "\n".join(f"  - {cause.message}" for cause in error.causes)
        raise AssertionError(f"SAM transform of {template_path} failed:\n{causes}") from error


def inline_includes(value: Any, base_dir: Path) -> Any:
    """``value`` with each ``Fn::Transform: AWS::Include`` of a local file replaced by the
    file's content: what ``sam deploy`` (which uploads the file) and CloudFormation (which
    inserts it after the SAM transform) make of it. An S3 location stays as it is."""
    if isinstance(value, dict):
        transform = value.get("Fn::Transform") if len(value) == 1 else None
        if isinstance(transform, dict) and transform.get("Name") == "AWS::Include":
            location = (transform.get("Parameters") or {}).get("Location")
            if is_local_uri(location) and "://" not in location:
                included = base_dir / location
                if not included.is_file():
                    raise AssertionError(f"AWS::Include of {location}: no such file under {base_dir}")
                return inline_includes(load_template(included), included.parent)
        return {key: inline_includes(item, base_dir) for key, item in value.items()}
    if isinstance(value, list):
        return [inline_includes(item, base_dir) for item in value]
    return value


@contextmanager
def _default_region() -> Iterator[None]:
    """SAM resolves ``AWS::Region``/partition through boto3, which needs a region.

    Set only while translating so the caller's environment is left as found.
    """
    if "AWS_DEFAULT_REGION" in os.environ:
        yield
        return
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    try:
        yield
    finally:
        os.environ.pop("AWS_DEFAULT_REGION", None)


# --------------------------------------------------------------------------- code


@dataclass(frozen=True)
class FunctionCode:
    """Where a SAM function's code lives locally, for ``lambdaload.invoke``."""

    code_dir: Path
    handler: str
    environment: Mapping[str, Any]


def function_code(template_path: Path) -> dict[str, FunctionCode]:
    """Logical id -> local code folder, handler and env vars (``Globals`` merged).

    Environment values are as written (intrinsics such as ``!Ref Table`` stay
    dicts); tests substitute what they need.  Inline-code and image functions are
    skipped.
    """
    template_path = Path(template_path)
    template = load_template(template_path)
    defaults = (template.get("Globals") or {}).get("Function") or {}
    found: dict[str, FunctionCode] = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") == PLAIN_FUNCTION:
            found.update(_plain_function_code(template_path, logical_id, resource.get("Properties") or {}))
            continue
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = {**defaults, **(resource.get("Properties") or {})}
        inline = "InlineCode" in props or "ImageUri" in props
        if not inline and is_local_uri(props.get("CodeUri", ".")) and "Handler" in props:
            env = {
                **((defaults.get("Environment") or {}).get("Variables") or {}),
                **(((resource.get("Properties") or {}).get("Environment") or {}).get("Variables") or {}),
            }
            code_dir = template_path.parent / props.get("CodeUri", ".")
            found[logical_id] = FunctionCode(code_dir, props["Handler"], env)
    return found


def _plain_function_code(template_path: Path, logical_id: str, props: Mapping[str, Any]) -> dict[str, FunctionCode]:
    """An ``AWS::Lambda::Function`` whose ``Code`` is a local folder (no Globals apply)."""
    if not is_local_uri(props.get("Code")) or "Handler" not in props:
        return {}
    env = (props.get("Environment") or {}).get("Variables") or {}
    return {logical_id: FunctionCode(template_path.parent / props["Code"], props["Handler"], env)}
