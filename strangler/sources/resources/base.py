"""What every route outside ``Events`` answers: a resource of the template that delivers
events to the monolith (a standalone rule, a subscription, an OpenAPI integration, an
AppSync data source...) and how one action leaves it.

A resource route reads the template as it is now (earlier actions of the same run may
have narrowed the resource) and answers with a :class:`ResourceSplit`: what the resource
becomes, which resources the new function gets beside it, and which files other than the
template change (an ``AWS::Include`` definition). Like the event sources, routes never
touch the template: the template dialect applies their answer.

A new kind is a module with one :class:`ResourceRoute` and one line in ``registry.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from strangler.model import EventPath, ResourceSplit
from strangler.template.document import TemplateDocument
from strangler.template.invokers import Invoker


class ResourceRoute(ABC):
    """One kind of resource that delivers events to a function from outside its Events."""

    kinds: tuple[str, ...] = ()  # the resource Types it routes

    def recognises(self, kind: str) -> bool:
        return kind in self.kinds

    @abstractmethod
    def split(
        self, doc: TemplateDocument, invoker: Invoker, key: str, path: EventPath, new_id: str, where: str
    ) -> ResourceSplit:
        """The action ``key``, read from ``path``, carved out of what ``invoker`` delivers to the
        monolith, for the new function ``new_id``. ``ResourceSplit(invoker.logical_id)``: the
        resource does not carry the action. Raise :class:`~strangler.sources.base.Refusal`
        when it carries it but cannot be split safely.

        ``doc.data`` is the template as it is now; never change it (scan passes the loaded
        one): answer with new values, built with ``doc.new_map``/``doc.ref``/``doc.get_att``
        so they are written in the template's own syntax."""

    def retire(self, doc: TemplateDocument, invoker: Invoker, where: str) -> ResourceSplit | None:
        """What becomes of the resource when the monolith is retired with every action gone;
        None when it would still deliver events to the retired function (refused)."""
        return None


def resource_where(where: str, logical_id: str) -> str:
    """``template.yaml: Resources.<logical_id>`` from the monolith's ``where``."""
    prefix = where.partition("Resources.")[0] if "Resources." in where else ""
    return f"{prefix}Resources.{logical_id}"
