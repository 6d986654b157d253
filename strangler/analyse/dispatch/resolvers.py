"""What the Powertools detectors share: a module-level resolver the entrypoint hands the
event to, handlers registered on it by decorators (in the handler's module or on routers
it includes from other modules), one action per key a handler is registered under.

A detector (``powertools.py`` for HTTP and REST routes, ``appsync.py`` for AppSync
resolvers) says which classes make a resolver, how a decorator registers keys, how an
included router's keys read, and what its dispatch is called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import libcst as cst
import libcst.helpers

from strangler.analyse import locate, slicing
from strangler.analyse.dispatch import Analysis
from strangler.analyse.dispatch.layout import Route, RouteLayout, RouterModule
from strangler.analyse.dispatch.routers import Included, Neighbours, included_routers
from strangler.analyse.dispatch.table import entrypoint_index
from strangler.errors import StranglerError, at
from strangler.model import Action, Dispatch, EventPath, FunctionRef

# (def, resolver name, path, source) -> the keys it registers, and whether it is another hook
Registrations = Callable[[cst.FunctionDef, str, str, str], tuple[list[str], bool]]


@dataclass(frozen=True)
class ResolverKind:
    classes: Mapping[str, str]  # class name -> what it resolves ("HTTP API", "AppSync")
    registrations: Registrations
    included_key: Callable[[Included, str], str]  # a key of an included router, as the app sees it
    shape: Callable[[str], str]  # the dispatch's name, from what the class resolves
    event_path: EventPath
    noun: str  # "route", "resolver": for a key registered twice
    kept: str  # which of two registrations Powertools uses: "first", "last"
    calls_itself: bool = False  # ``app(event, context)`` hands the event over too


def detect(
    kind: ResolverKind, function: FunctionRef, source: str, path: str, module: cst.Module,
    neighbours: Neighbours | None,
) -> Analysis | None:
    """The handlers of the resolver the entrypoint hands the event to, or None."""
    apps = dict(_resolvers(module, kind.classes))
    if not apps:
        return None
    entry_index = entrypoint_index(module, function, path)
    entry = module.body[entry_index]
    assert isinstance(entry, cst.FunctionDef)
    app = _resolved_app(entry, apps, kind.calls_itself)
    if app is None:
        return None
    routes, hooks = decorated(module, app, path, source, kind.registrations, skip=entry_index)
    for included in included_routers(module, app, function, path, source, neighbours):
        found, router_hooks = decorated(included.module, included.router, included.display, included.source,
                                        kind.registrations)
        router = RouterModule(
            included.path, included.display, included.source, included.module,
            slicing.build(included.module, source=included.source), included.router, included.index,
            tuple(router_hooks), included.importers,
        )
        routes += [Route(tuple(kind.included_key(included, key) for key in r.keys), r.index, router) for r in found]
    if not routes:
        return None
    routers = tuple(dict.fromkeys(route.router for route in routes if route.router is not None))
    layout = RouteLayout(app, tuple(routes), tuple(hooks), routers)
    graph = slicing.build(module, source=source)
    app_line = locate.top_level_line(source, app, "assign")
    actions = _actions(kind, routes, path, source, module)
    dispatch = Dispatch(kind.shape(apps[app]), app, app_line, entry.name.value, kind.event_path, actions)
    return Analysis(function, path, source, module, graph, dispatch, entry_index, layout)


def decorated(
    module: cst.Module, owner: str, path: str, source: str, registrations: Registrations, skip: int = -1
) -> tuple[list[Route], list[int]]:
    """The handlers registered on ``owner`` by decorated module-level defs, and its other hooks."""
    routes, hooks = [], []
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.FunctionDef) or index == skip:
            continue
        keys, is_hook = registrations(statement, owner, path, source)
        if keys:
            routes.append(Route(tuple(keys), index))
        elif is_hook:
            hooks.append(index)
    return routes, hooks


def _resolvers(module: cst.Module, classes: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """Module-level names bound to one of ``classes``, with what it resolves."""
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Assign):
            assign = statement.body[0]
            value = assign.value
            if len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name) and isinstance(value, cst.Call):
                name = cst.helpers.get_full_name_for_node(value.func) or ""
                resolved = classes.get(name.split(".")[-1])
                if resolved is not None:
                    yield assign.targets[0].target.value, resolved


def _resolved_app(entry: cst.FunctionDef, apps: Mapping[str, str], calls_itself: bool) -> str | None:
    """The resolver the entrypoint calls: ``app.resolve(event, context)`` (or ``app(...)``)."""
    found: list[str] = []

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value == "resolve" and isinstance(func.value, cst.Name):
                if func.value.value in apps:
                    found.append(func.value.value)
            elif calls_itself and isinstance(func, cst.Name) and func.value in apps:
                found.append(func.value)

    entry.body.visit(Calls())
    return found[0] if found else None


def _actions(kind: ResolverKind, routes: list[Route], path: str, source: str, module: cst.Module) -> tuple[Action, ...]:
    """One action per key; a key registered twice is refused (Powertools would silently
    use one of them)."""
    actions = []
    seen: set[str] = set()
    for route in routes:
        router = route.router
        where, text, code = (router.display, router.source, router.module) if router else (path, source, module)
        name = code.body[route.index].name.value  # type: ignore[attr-defined]
        line = locate.top_level_line(text, name, "def")
        for key in route.keys:
            if key in seen:
                raise StranglerError(f"{kind.noun} {key} is registered twice; Powertools uses the {kind.kept}",
                                     where=at(where, line))
            seen.add(key)
            actions.append(Action(key, name, line, router.display if router else None))
    return tuple(actions)
