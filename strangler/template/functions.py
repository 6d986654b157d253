"""A new function resource built from the monolith's: what every dialect does alike.

The dialect says which properties are its own (the code and handler it sets), which must
not be copied (names that must be unique, reservations that would multiply), and then
adds what only it knows (roles).
"""

from __future__ import annotations

from typing import Any

from strangler.template import document
from strangler.template.document import TemplateDocument

_UNIQUE = ("FunctionName",)


def function_from(
    doc: TemplateDocument, monolith_id: str, monolith: Any, key: str, function_type: str,
    code: dict[str, str], own: tuple[str, ...], not_multiplied: tuple[str, ...],
) -> tuple[Any, list[str]]:
    """The resource of ``key``'s function: ``code`` (its code and handler properties), then
    the monolith's other properties, attributes and metadata, marked with the action."""
    notes: list[str] = []
    properties = doc.new_map(code)
    for name, value in (monolith.get("Properties") or {}).items():
        if name in own:
            continue
        if name in _UNIQUE or name in not_multiplied:
            notes.append(f"{name} of {monolith_id} not copied (it must not be shared or multiplied)")
            continue
        properties[name] = document.copy_node(value)
    logging_config = properties.get("LoggingConfig")
    if isinstance(logging_config, dict) and "LogGroup" in logging_config:
        del logging_config["LogGroup"]
        notes.append(f"LoggingConfig.LogGroup of {monolith_id} not copied (one log group per function)")
    if "Description" in properties:
        # Lambda allows 256 characters; a long key is cut, the monolith's id kept.
        origin = f" (extracted from {monolith_id})"
        shown = key if len(key) + len(origin) <= 256 else key[: max(0, 255 - len(origin))] + "…"
        properties["Description"] = f"{shown}{origin}"
    resource = doc.new_map({"Type": function_type})
    for attribute in ("Condition", "DependsOn"):
        if attribute in monolith:
            resource[attribute] = document.copy_node(monolith[attribute])
    metadata = doc.new_map()
    for name, value in (monolith.get("Metadata") or {}).items():
        if name != "Strangler":
            metadata[name] = document.copy_node(value)
    metadata["Strangler"] = doc.new_map({"Action": key, "ExtractedFrom": monolith_id})
    resource["Metadata"] = metadata
    resource["Properties"] = properties
    return resource, notes


def mark_group(doc: TemplateDocument, resource: Any, keys: tuple[str, ...]) -> None:
    """Record the actions of a group's function (``Metadata.Strangler.Actions``) beside its
    ``Action``, the group's name: later runs know which actions it took."""
    listed: Any = list(keys)
    if not doc.is_json:
        from ruamel.yaml.comments import CommentedSeq

        listed = CommentedSeq(keys)
        listed.fa.set_flow_style()
    resource["Metadata"]["Strangler"]["Actions"] = listed


def set_group(resource: Any, keys: tuple[str, ...]) -> None:
    """A group's function after some of its actions left it: the ones it still serves."""
    marker = ((resource.get("Metadata") or {}).get("Strangler") or {})
    listed = marker.get("Actions")
    if isinstance(listed, list):
        listed[:] = [key for key in listed if key in keys]
