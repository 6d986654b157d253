"""What the routes of standalone resources share: finding where a resource names the
monolith, writing the same reference to the new function, and the resources every new
function gets beside a copied route (its Metadata, its invoke permission).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ruamel.yaml.comments import TaggedScalar

from strangler.sources.base import Refusal
from strangler.template import document
from strangler.template.document import TemplateDocument, copy_node
from strangler.template.intrinsics import intrinsic, referenced_ids
from strangler.template.invokers import Invoker

_LONG = {"Ref": "Ref", "Fn::GetAtt": "GetAtt", "Fn::Sub": "Sub"}


def names_directly(value: Any, function_id: str) -> bool:
    """``value`` is a Ref, GetAtt or Sub that names the function itself and nothing else
    (not an alias, not a physical name, not one branch of an ``!If``)."""
    found = intrinsic(value)
    tag = getattr(getattr(value, "tag", None), "value", getattr(value, "tag", None))
    joined = tag == "!Join" or (isinstance(value, dict) and list(value) == ["Fn::Join"])
    if not joined and (found is None or found[0] not in ("Ref", "GetAtt", "Sub")):
        return False
    named = {name.split(".", 1)[0] for name in referenced_ids(value)}
    return {name for name in named if not name.startswith("AWS::")} == {function_id}


def sub(doc: TemplateDocument, text: str) -> Any:
    """``!Sub text`` in the template's own syntax."""
    if doc.is_json:
        return {"Fn::Sub": text}
    return TaggedScalar(value=text, tag="!Sub")


def refuse_indirect(invoker: Invoker, field: str, where: str) -> Refusal:
    return Refusal(
        f"{invoker.describe()}, but its {field} names {invoker.function_id} otherwise than by !GetAtt, "
        "!Ref or !Sub of the function itself (an alias, a physical ARN, a condition): strangler cannot "
        "tell what to write for the new function",
        where=where,
        hint=f"write {field} as !GetAtt {invoker.function_id}.Arn, then run again",
    )


def repointed(value: Any, old: str, new: str) -> Any:
    """A copy of ``value`` written the same way, with every reference to ``old`` (Ref, GetAtt,
    ``${old}``/``${old.Attr}`` in a Sub) naming ``new`` instead."""
    return _rewrite(copy_node(value), old, new)


def _rewrite(node: Any, old: str, new: str) -> Any:
    tag = getattr(getattr(node, "tag", None), "value", getattr(node, "tag", None))
    if isinstance(node, TaggedScalar) and isinstance(tag, str):
        if tag == "!Ref" and node.value == old:
            node.value = new
        elif tag == "!GetAtt" and str(node.value).split(".", 1)[0] == old:
            node.value = new + str(node.value)[len(old):]
        elif tag == "!Sub":
            node.value = _sub_text(str(node.value), old, new)
        return node
    if isinstance(node, list):
        if tag == "!GetAtt" and node and node[0] == old:
            node[0] = new
            return node
        if tag == "!Sub" and node and isinstance(node[0], str):
            node[0] = _sub_text(node[0], old, new)
            for index in range(1, len(node)):
                node[index] = _rewrite(node[index], old, new)
            return node
        for index, item in enumerate(node):
            node[index] = _rewrite(item, old, new)
        return node
    if isinstance(node, dict):
        if len(node) == 1 and next(iter(node)) in _LONG:
            (key, arg), = node.items()
            if key == "Ref" and arg == old:
                node[key] = new
            elif key == "Fn::GetAtt" and isinstance(arg, list) and arg and arg[0] == old:
                arg[0] = new
            elif key == "Fn::GetAtt" and isinstance(arg, str) and arg.split(".", 1)[0] == old:
                node[key] = new + arg[len(old):]
            elif key == "Fn::Sub" and isinstance(arg, str):
                node[key] = _sub_text(arg, old, new)
            elif key == "Fn::Sub" and isinstance(arg, list) and arg and isinstance(arg[0], str):
                arg[0] = _sub_text(arg[0], old, new)
                for index in range(1, len(arg)):
                    arg[index] = _rewrite(arg[index], old, new)
            return node
        for key in list(node):
            node[key] = _rewrite(node[key], old, new)
        return node
    return node


def _sub_text(text: str, old: str, new: str) -> str:
    rewritten = re.sub(r"\$\{" + re.escape(old) + r"(\.[^}]*)?\}", lambda m: "${" + new + (m.group(1) or "") + "}", text)
    return text if rewritten == text else rewritten


def ending_like(original: Any, replacement: Any, added: bool) -> Any:
    """``replacement`` ending as the original would once the dialect has written the split:
    the resources added after it take what followed the original (a blank line, the next
    resource's comment) and leave a blank line after it; without them it keeps its own. A
    narrowed last property (a filter policy) would otherwise lose the line break."""
    if hasattr(replacement, "ca"):
        token = document.blank_line_token() if added else copy.copy(document.trailing_comment(original))
        document.set_trailing_comment(replacement, token)
    return replacement


def metadata(doc: TemplateDocument, original: Any, split_from: str, key: str) -> Any:
    """The original's Metadata (but its Strangler entry) plus where the copy came from."""
    found = doc.new_map()
    for name, value in ((original.get("Metadata") if hasattr(original, "get") else None) or {}).items():
        if name != "Strangler":
            found[name] = copy_node(value)
    found["Strangler"] = doc.new_map({"SplitFrom": split_from, "Action": key})
    return found


def copied_resource(doc: TemplateDocument, original: Any, split_from: str, key: str) -> Any:
    """A new resource of the original's Type, Condition and DependsOn, with its Metadata
    (marked as split from ``split_from`` for ``key``) and a copy of its Properties."""
    resource = doc.new_map({"Type": original["Type"]})
    for attribute in ("Condition", "DependsOn"):
        if attribute in original:
            resource[attribute] = copy_node(original[attribute])
    resource["Metadata"] = metadata(doc, original, split_from, key)
    resource["Properties"] = copy_node(original.get("Properties") or doc.new_map())
    return resource


def invoke_permission(
    doc: TemplateDocument, new_id: str, principal: str, source_arn: Any, split_from: str, key: str,
    condition: Any = None,
) -> Any:
    """An ``AWS::Lambda::Permission`` letting ``principal`` invoke the new function from
    ``source_arn``: what SAM writes for an event of the same kind."""
    permission = doc.new_map({"Type": "AWS::Lambda::Permission"})
    if condition is not None:
        permission["Condition"] = copy_node(condition)
    permission["Metadata"] = doc.new_map({"Strangler": doc.new_map({"SplitFrom": split_from, "Action": key})})
    permission["Properties"] = doc.new_map({
        "Action": "lambda:InvokeFunction",
        "FunctionName": doc.ref(new_id),
        "Principal": principal,
        "SourceArn": source_arn,
    })
    return permission
