"""What a fix of ``strangler check`` adds to a SAM function: an environment variable, a
policy, a list in the template's own syntax; and the variables a function sees. Shared by
the rules, so each addition keeps the template's comments and blank lines the same way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ruamel.yaml.comments import CommentedSeq

from strangler.template import document
from strangler.template.document import TemplateDocument


def variables(template: Mapping[str, Any], function_id: str) -> dict[str, Any]:
    """The function's environment variables, Globals merged under its own."""
    merged: dict[str, Any] = {}
    globals_ = template.get("Globals")
    shared = globals_.get("Function") if isinstance(globals_, Mapping) else None
    resource = (template.get("Resources") or {}).get(function_id)
    own = resource.get("Properties") if isinstance(resource, Mapping) else None
    for properties in (shared, own):
        environment = properties.get("Environment") if isinstance(properties, Mapping) else None
        found = environment.get("Variables") if isinstance(environment, Mapping) else None
        if isinstance(found, Mapping):
            merged.update(found)
    return merged


def seq(doc: TemplateDocument, items: list[Any]) -> Any:
    """A list in the template's own syntax (a block sequence in YAML)."""
    return list(items) if doc.is_json else CommentedSeq(items)


def set_variable(doc: TemplateDocument, properties: Any, name: str, value: Any) -> None:
    """An environment variable of the function, with the Environment/Variables it needs."""
    environment = properties.get("Environment")
    if not isinstance(environment, Mapping):
        add(properties, "Environment", doc.new_map({"Variables": doc.new_map({name: value})}))
    elif not isinstance(environment.get("Variables"), Mapping):
        add(environment, "Variables", doc.new_map({name: value}))
    else:
        add(environment["Variables"], name, value)


def add_policy(doc: TemplateDocument, properties: Any, policy: Any,
               present: Callable[[Any], bool] = lambda item: False) -> None:
    """Append ``policy`` to the function's ``Policies`` unless one there is ``present``; a
    single policy (a name, a statement) becomes a list, its end-of-line comment on its item."""
    policies = properties.get("Policies")
    if policies is None:
        add(properties, "Policies", seq(doc, [policy]))
    elif isinstance(policies, list):
        if not any(present(item) for item in policies):
            add(policies, None, policy)
    elif not present(policies):
        properties["Policies"] = seq(doc, [policies, policy])
        _move_end_comment(properties, "Policies", properties["Policies"])


def add(container: Any, key: str | None, value: Any) -> None:
    """Add ``value`` at the end of ``container`` (appended when ``key`` is None). The blank
    lines and comments that followed the container's last value move after the new one;
    a comment on that value's own line stays on it."""
    after = document.trailing_comment(container) if hasattr(container, "ca") else None
    if after is not None:
        inline, after = document.inline_and_rest(after)
        document.set_trailing_comment(container, inline)
    if key is None:
        container.append(value)
    else:
        container[key] = value
    if after is not None:
        document.set_trailing_comment(container, after)


def _move_end_comment(mapping: Any, key: str, items: Any) -> None:
    """The comment that ended ``key: value`` now ends the value's line, as the first item."""
    slots = getattr(mapping, "ca", None) and mapping.ca.items.get(key)
    if slots and len(slots) > 2 and slots[2] is not None and hasattr(items, "ca"):
        items.ca.items[0] = [slots[2], None]
        slots[2] = None
