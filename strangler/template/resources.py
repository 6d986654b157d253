"""Writing what the routes outside ``Events`` answered: resources replaced, deleted or added.

Shared by every dialect: the resources a route touches are plain CloudFormation whatever
declares the functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strangler.model import DELETE, ResourceSplit
from strangler.template import document, redeploy
from strangler.template.document import TemplateDocument


def apply_resources(doc: TemplateDocument, splits: Iterable[ResourceSplit]) -> None:
    """Replace or delete each split's resource, then add its new resources right after it
    (or after the resources added before them), in the order the splits give; then deploy
    again the REST APIs whose methods changed (``redeploy.py``)."""
    resources = doc.data["Resources"]
    splits = list(splits)
    apis = redeploy.apis_touched(doc, splits)
    for split in splits:
        # A later action of the run reads an included file as this one left it.
        doc.files.update(split.files)
        anchor = split.logical_id
        for logical_id, resource in split.added:
            _insert_after(resources, _last_added_after(resources, anchor), logical_id, resource)
        if split.replacement is DELETE:
            _delete(doc, split.logical_id)
        elif split.replacement is not None:
            resources[split.logical_id] = split.replacement
        for path, value in split.edits:
            _edit(doc, path, value)
    redeploy.redeploy(doc, apis)


def _edit(doc: TemplateDocument, path: tuple[str | int, ...], value: Any) -> None:
    """Set (or delete, for DELETE) the value at ``path`` under Resources (a list item by its
    index); only that node changes, so the rest of the resource keeps its text. A key added
    to a mapping goes last, before what followed the mapping (a blank line, a comment)."""
    *parents, last = path
    if not parents and value is DELETE:
        _delete(doc, str(last))
        return
    node = doc.data["Resources"]
    for step in parents:
        node = node[step]
    if value is DELETE:
        if isinstance(node, list) or last in node:
            del node[last]
        return
    if isinstance(node, dict) and last not in node and hasattr(node, "ca") and len(node):
        separator = document.trailing_comment(node)
        if separator is not None:
            document.set_trailing_comment(node, None)
        node[last] = value
        if separator is not None:
            document.set_trailing_comment(node, separator)
        return
    node[last] = value


def _last_added_after(resources: Any, anchor: str) -> str:
    """The resource after which one more sibling of ``anchor`` goes: after ``anchor`` and the
    siblings earlier actions added (they name it in ``Metadata.Strangler.SplitFrom``)."""
    keys = list(resources)
    if anchor not in resources:
        return keys[-1]
    last = anchor
    for logical_id in keys[keys.index(anchor) + 1:]:
        strangler = ((resources[logical_id] or {}).get("Metadata") or {}).get("Strangler") or {}
        if strangler.get("SplitFrom") != anchor:
            break
        last = logical_id
    return last


def _insert_after(resources: Any, anchor: str, logical_id: str, resource: Any) -> None:
    separator = document.trailing_comment(resources[anchor]) if hasattr(resources, "ca") else None
    if hasattr(resources, "insert"):
        resources.insert(list(resources).index(anchor) + 1, logical_id, resource)
    else:
        items = list(resources.items())
        position = [k for k, _ in items].index(anchor) + 1
        items.insert(position, (logical_id, resource))
        resources.clear()
        resources.update(items)
    if hasattr(resources, "ca"):
        # What followed the anchor (a blank line, the next resource's comment) now follows the new
        # one; a comment on the anchor's last line stays on that line.
        inline, separator = document.inline_and_rest(separator)
        if separator is not None:
            document.set_trailing_comment(resource, separator)
        blank = document.blank_line_token()
        if inline is not None:
            blank.value = inline.value + "\n"
        document.set_trailing_comment(resources[anchor], blank)


def _delete(doc: TemplateDocument, logical_id: str) -> None:
    """Remove a resource; its comments go with it, its neighbours' stay (ruamel hangs
    them on the item before)."""
    resources = doc.data["Resources"]
    if logical_id in resources:
        document.delete_item(resources, logical_id, (doc.data, "Resources"))
