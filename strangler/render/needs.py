"""What one action's code is and needs: its module, statements, local files and facts."""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from strangler.analyse.dispatch import Analysis
from strangler.analyse.dispatch.layout import Route, RouteLayout, RouterModule
from strangler.analyse.dispatch.routers import absolute_module
from strangler.analyse.facts import (
    FactCache,
    Facts,
    Import,
    Walk,
    combined,
    facts_of,
    walk,
)
from strangler.analyse.localmods import LocalModules
from strangler.errors import StranglerError
from strangler.render import codegen


@dataclass(frozen=True)
class Slice:
    key: str
    code: str  # the new handler module
    statements: frozenset[int]  # monolith statements it keeps
    names: frozenset[str]  # module-level names it keeps
    local_files: tuple[Path, ...]  # local modules it imports, transitively
    env_vars: tuple[str, ...]
    dynamic_env: bool
    services: frozenset[str]  # AWS services of the clients/resources it creates
    top_modules: frozenset[str]  # top-level names of every module it imports
    rewritten: Mapping[Path, str] = field(default_factory=dict)  # local modules it gets trimmed (a router's)
    # Variables some code of the monolith (its module and the local modules it imports)
    # reads by name; None when unknown. A variable outside it is read by a library.
    named_env: frozenset[str] | None = None
    imports: frozenset[str] = frozenset()  # absolute modules it imports, dotted; ``from m import x`` adds m and m.x
    kept_code: tuple[str, ...] = ()  # module-level statements kept because they may have effects: "text (file:line)"

    def symbols(self, analysis: Analysis) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(module-level code names, imported names) it keeps, sorted."""
        graph = analysis.graph
        defined = {n for n in self.names if n in graph.definers}
        return tuple(sorted(defined - graph.imported)), tuple(sorted(defined & graph.imported))


def function_files(analysis: Analysis, piece: Slice, requirements: str | None, sources: Mapping[Path, str]) -> dict[str, str]:
    """The new function's folder, relative to it: its module, the local modules it imports
    and its requirements. What render writes and what scan measures."""
    code_dir = analysis.function.code_dir
    files = {analysis.function.module_file: piece.code}
    files.update({
        path.relative_to(code_dir).as_posix(): piece.rewritten.get(path, sources[path]) for path in piece.local_files
    })
    if requirements is not None:
        files["requirements.txt"] = requirements
    return files


def slice_action(analysis: Analysis, key: str, modules: LocalModules, facts: FactCache) -> Slice:
    """One action's slice, computed once per analysis (``--commit`` renders every step
    cumulatively and would otherwise slice the first action once per step)."""
    cached = analysis.cache.get(("slice", key))
    if cached is None:
        cached = analysis.cache[("slice", key)] = _slice_action(analysis, key, modules, facts)
    return cached


def _slice_action(analysis: Analysis, key: str, modules: LocalModules, facts: FactCache) -> Slice:
    docstring = f'"""{key}: extracted by strangler from {analysis.path} ({analysis.function.logical_id})."""'
    code, statements, names, entry_parts = codegen.extracted_module(analysis, key, docstring)
    # The entrypoint as specialised: imports made only in other branches do not count.
    graph = analysis.graph
    # A specialised entrypoint is a new node per action, written into its module already:
    # its text is taken from there, not printed again.
    kept: list[Facts] = [facts.of(part, text=functools.partial(codegen.statement_code, analysis.module, part))
                         for part in entry_parts]
    trimmed = codegen.trimmed_imports(graph, statements, names)
    kept += [
        facts.of(trimmed[i]) if i in trimmed else facts.of(graph.statements[i], graph.trees[i])
        for i in sorted(statements) if i not in (analysis.entry_index, analysis.helper_index)
    ]
    local, rewritten, overrides = _local_files(analysis, key, kept, modules)
    if analysis.function.module_path in local:
        raise StranglerError(
            "a local module the action needs imports the monolith module back",
            where=analysis.path,
            hint="move what that module takes from the monolith into the module itself",
        )
    kept_code = tuple(
        f"{graph.descriptions[index]} ({analysis.path}:{graph.trees[index].body[0].lineno})"
        for index in graph.kept_for_effect(statements)
    )
    named = monolith_env(analysis, modules, facts)
    return _slice(key, code, statements, names, kept, local, modules, rewritten, overrides, named, kept_code)


def monolith_env(analysis: Analysis, modules: LocalModules, facts: FactCache | None = None) -> frozenset[str]:
    """Every variable the monolith's code reads by name: its module as loaded (every
    action) and the local modules it imports, transitively."""
    cached = analysis.cache.get("monolith env")
    if cached is None:
        facts = facts or FactCache()
        graph = analysis.graph
        found = [facts.of(statement, tree) for statement, tree in zip(graph.statements, graph.trees)]
        imports = [item for fact in found for item in fact.imports]
        found += [modules.facts_of(path) for path in modules.files(imports, analysis.function.package)]
        cached = analysis.cache["monolith env"] = frozenset(var for fact in found for var in fact.env_vars)
    return cached


def _local_files(
    analysis: Analysis, key: str, kept: list[Facts], modules: LocalModules
) -> tuple[tuple[Path, ...], dict[Path, str], dict[Path, Facts]]:
    """The local files the action needs, with included routers' modules trimmed: the
    route's own module to the route, every router module to what the function's other
    modules import from it. That is found by growing the wanted names until the files
    stop changing; so a copy never depends on which routes earlier runs took out."""
    imports = [item for fact in kept for item in fact.imports]
    package = analysis.function.package
    layout = analysis.layout
    if not isinstance(layout, RouteLayout) or not layout.routers:
        return modules.files(imports, package), {}, {}
    route = layout.route(key)
    wanted = {router: _taken_from(router, imports, package, analysis.function.code_dir) for router in layout.routers}
    while True:
        rewritten = {r.path: _router_code(analysis, r, route, wanted[r]) for r in layout.routers}
        overrides = {path: _facts_of_code(analysis, text) for path, text in rewritten.items()}
        local = modules.files(imports, package, overrides)
        grown = {r: r.imported_by(local) for r in layout.routers}
        if all(_covers(wanted[r], grown[r]) for r in layout.routers):
            return local, {p: t for p, t in rewritten.items() if p in local}, overrides
        wanted = {r: None if wanted[r] is None or grown[r] is None else wanted[r] | grown[r] for r in layout.routers}


def _taken_from(router: RouterModule, imports: list[Import], package: str, code_dir: Path) -> frozenset[str] | None:
    """Names the new handler module's own imports take from a router's module."""
    dotted = ".".join(router.path.relative_to(code_dir).with_suffix("").parts).removesuffix(".__init__")
    names: set[str] = set()
    for item in imports:
        if absolute_module(item.module, item.level, package) == dotted:
            if "*" in item.names:
                return None
            names.update(item.names)
    return frozenset(names)


def _covers(have: frozenset[str] | None, need: frozenset[str] | None) -> bool:
    return have is None or (need is not None and need <= have)


def _router_code(analysis: Analysis, router: RouterModule, route: Route, wanted: frozenset[str] | None) -> str:
    """A router's module for one function; the same for every action that wants the same
    of it, so rendered once per analysis."""
    own = (route.index,) if route.router is router else ()
    cache_key = ("router module", router.path, own, wanted)
    cached = analysis.cache.get(cache_key)
    if cached is None:
        cached = analysis.cache[cache_key] = codegen.router_module(router, own, wanted)
    return cached


def _facts_of_code(analysis: Analysis, text: str) -> Facts:
    cached = analysis.cache.get(("facts of", text))
    if cached is None:
        cached = analysis.cache[("facts of", text)] = facts_of(ast.parse(text))
    return cached


def monolith_slice(analysis: Analysis, code: str, modules: LocalModules, rewritten: Mapping[Path, str] | None = None) -> Slice:
    """What the monolith's module, once trimmed to ``code`` (and its router modules to
    ``rewritten``), still needs."""
    rewritten = dict(rewritten or {})
    overrides = {path: facts_of(ast.parse(text)) for path, text in rewritten.items()}
    kept = [_module_facts(analysis, code)]
    local = modules.files(kept[0].imports, analysis.function.package, overrides)
    named = monolith_env(analysis, modules)
    return _slice("(monolith)", code, frozenset(), frozenset(), kept, local, modules, rewritten, overrides, named)


def _module_facts(analysis: Analysis, code: str) -> Facts:
    """The facts of the trimmed monolith ``code``: combined from its statements' when
    codegen says which they are, so each step walks only what it rewrote (the unchanged
    statements' walks are kept for the run, from the analysis' own ``ast``); else from the
    whole text."""
    statements = codegen.monolith_statements(analysis, code)
    if statements is None:
        return facts_of(ast.parse(code))
    trees = analysis.graph.trees
    unchanged: dict[int, Walk] = analysis.cache.setdefault("statement walks", {})
    # A rewritten statement (the dispatcher, a trimmed import) is kept one step only: the
    # dispatcher differs after every action, the rest repeats from one step to the next.
    before: dict[str, Walk] = analysis.cache.get("rewritten walks", {})
    rewritten: dict[str, Walk] = {}
    found = []
    for index, statement in statements:
        if index is not None:
            one = unchanged.get(index)
            if one is None:
                one = unchanged[index] = walk(trees[index])
        else:
            text = codegen.statement_code(analysis.module, statement)
            one = rewritten.get(text) or before.get(text) or walk(ast.parse(text))
            rewritten[text] = one
        found.append(one)
    analysis.cache["rewritten walks"] = rewritten
    return combined(found)


def _slice(
    key, code, statements, names, kept: list[Facts], local, modules: LocalModules,
    rewritten: Mapping[Path, str], overrides: Mapping[Path, Facts],
    named_env: frozenset[str] | None = None, kept_code: tuple[str, ...] = (),
) -> Slice:
    kept = kept + [overrides.get(path) or modules.facts_of(path) for path in local]
    imports = {
        dotted
        for fact in kept for item in fact.imports if item.module and not item.level
        for dotted in (item.module, *(f"{item.module}.{name}" for name in item.names))
    }
    return Slice(
        key=key,
        code=code,
        statements=statements,
        names=names,
        local_files=local,
        rewritten=rewritten,
        env_vars=tuple(dict.fromkeys(var for fact in kept for var in fact.env_vars)),
        dynamic_env=any(fact.dynamic_env for fact in kept),
        services=frozenset(service for fact in kept for service in fact.services),
        top_modules=frozenset(
            item.module.split(".")[0] for fact in kept for item in fact.imports if item.module and not item.level
        ),
        named_env=named_env,
        imports=frozenset(imports),
        kept_code=kept_code,
    )
