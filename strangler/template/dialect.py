"""The template dialect seam: what a template holds, whatever language declares it.

The stages above speak of functions, the routes that reach each function and the
resources that refer to one; a dialect says where its template keeps them and how a
change is written into it. SAM (``sam.py``) and plain CloudFormation (``cfn.py``) are the
dialects; :func:`dialect_of` chooses one per template, and nothing above this package
changes.

A dialect is any object with these members; a module of functions is one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from strangler.model import Narrowing, ResourceSplit, RoutePlan
from strangler.template import cfn, sam
from strangler.template.document import TemplateDocument
from strangler.template.invokers import Invoker


class Dialect(Protocol):
    FUNCTION_TYPE: str  # the resource Type of the functions this dialect takes apart

    # --- what the template holds ----------------------------------------------------------
    def function_globals(self, data: Mapping[str, Any], template: str) -> Mapping[str, Any]:
        """What every function of the template inherits (SAM's ``Globals.Function``)."""

    def declared_code(self, resource: Any, globals_: Mapping[str, Any], code: str | None = None) -> tuple[str, str] | str:
        """(code folder, handler) of a Python function with local code, or why it has none;
        ``code`` (``--code``) is the folder of a function whose code is elsewhere."""

    def code_elsewhere(self, resource: Any, globals_: Mapping[str, Any]) -> str | None:
        """Where a function's code is when it is in S3 or an intrinsic function; None otherwise."""

    def events_of(self, resource: Any) -> Mapping[str, Any] | None:
        """The events a function declares itself: the routes the event sources split."""

    def invokers_of(
        self, template: Mapping[str, Any], function_id: str, read: Callable[[str], str | None] | None = None,
    ) -> tuple[Invoker, ...]:
        """The resources that deliver events to the function from outside its own events
        (``read``: the files the template includes, as ``TemplateDocument.read_file``)."""

    def custom_resources_using(self, template: Any, function_id: str) -> tuple[str, ...]:
        """The custom resources whose ServiceToken is the function."""

    # --- how a change is written ----------------------------------------------------------
    def new_function(
        self, doc: TemplateDocument, monolith_id: str, monolith: Any, key: str, code_uri: str, handler: str
    ) -> tuple[Any, list[str]]:
        """The resource of one action's function, built from the monolith's, and notes for people."""

    def apply_narrowing(self, properties: Any, narrowing: Narrowing) -> None: ...

    def apply_settings(self, properties: Any, chosen: dict[str, Any]) -> None: ...

    def set_events(self, doc: TemplateDocument, function: Any, route: RoutePlan) -> None: ...

    def narrow_monolith(self, monolith: Any, route: RoutePlan) -> None: ...

    def apply_resources(self, doc: TemplateDocument, splits: Iterable[ResourceSplit]) -> None:
        """Write the answers of the routes outside Events (resources replaced, deleted, added)."""

    def place_new_functions(self, resources: Any, monolith_id: str, new: list[tuple[str, Any]]) -> None: ...

    def add_name_output(self, doc: TemplateDocument, logical_id: str, key: str) -> str: ...

    def retire(self, doc: TemplateDocument, monolith_id: str) -> list[str]: ...


SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


def dialect_of(data: Mapping[str, Any]) -> Dialect:
    """The dialect of a template's data: SAM when it declares the SAM transform (or, without
    it, SAM resources, which only the transform can deploy); plain CloudFormation otherwise.

    A SAM template may declare plain ``AWS::Lambda::Function`` resources too: then the
    dialect is chosen per function (``SamWithPlainFunctions``), since a plain function's
    code, role and routes are written as in plain CloudFormation whatever transform the
    template declares."""
    if not is_sam(data):
        return cfn  # type: ignore[return-value]  # a module with every member of Dialect
    resources = data.get("Resources")
    plain = isinstance(resources, Mapping) and any(
        isinstance(r, Mapping) and r.get("Type") == cfn.FUNCTION_TYPE for r in resources.values()
    )
    return SAM_WITH_PLAIN_FUNCTIONS if plain else sam  # type: ignore[return-value]


def is_sam(data: Mapping[str, Any]) -> bool:
    transform = data.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    if SAM_TRANSFORM in names:
        return True
    resources = data.get("Resources")
    return isinstance(resources, Mapping) and any(
        isinstance(r, Mapping) and str(r.get("Type", "")).startswith("AWS::Serverless::") for r in resources.values()
    )


class SamWithPlainFunctions:
    """A SAM template that also declares ``AWS::Lambda::Function`` resources: each function
    is read and written by the dialect of its own Type; what the template shares (its
    invokers, Outputs, the resources the routes change) is written once, as both do."""

    FUNCTION_TYPE = sam.FUNCTION_TYPE
    FUNCTION_TYPES = (sam.FUNCTION_TYPE, cfn.FUNCTION_TYPE)

    @staticmethod
    def _of(resource: Any) -> Any:
        return cfn if isinstance(resource, Mapping) and resource.get("Type") == cfn.FUNCTION_TYPE else sam

    function_globals = staticmethod(sam.function_globals)
    invokers_of = staticmethod(sam.invokers_of)
    custom_resources_using = staticmethod(sam.custom_resources_using)
    # SAM's narrowing drops Environment variables and Policies; a plain function has no Policies.
    apply_narrowing = staticmethod(sam.apply_narrowing)
    apply_settings = staticmethod(sam.apply_settings)
    apply_resources = staticmethod(cfn.apply_resources)
    # SAM's placement, then a role copy for each new plain function (cfn.place_new_functions).
    place_new_functions = staticmethod(cfn.place_new_functions)
    add_name_output = staticmethod(sam.add_name_output)

    def declared_code(self, resource: Any, globals_: Mapping[str, Any], code: str | None = None) -> tuple[str, str] | str:
        return self._of(resource).declared_code(resource, globals_, code)

    def code_elsewhere(self, resource: Any, globals_: Mapping[str, Any]) -> str | None:
        return self._of(resource).code_elsewhere(resource, globals_)

    def events_of(self, resource: Any) -> Mapping[str, Any] | None:
        return self._of(resource).events_of(resource)

    def new_function(
        self, doc: TemplateDocument, monolith_id: str, monolith: Any, key: str, code_uri: str, handler: str
    ) -> tuple[Any, list[str]]:
        return self._of(monolith).new_function(doc, monolith_id, monolith, key, code_uri, handler)

    def set_events(self, doc: TemplateDocument, function: Any, route: RoutePlan) -> None:
        self._of(function).set_events(doc, function, route)

    def narrow_monolith(self, monolith: Any, route: RoutePlan) -> None:
        self._of(monolith).narrow_monolith(monolith, route)

    def retire(self, doc: TemplateDocument, monolith_id: str) -> list[str]:
        return self._of(doc.data["Resources"][monolith_id]).retire(doc, monolith_id)


SAM_WITH_PLAIN_FUNCTIONS = SamWithPlainFunctions()
