"""Groups: several actions of a monolith in one new function.

A group comes from ``extract A B --into NAME`` or from ``[groups.NAME] actions = [...]`` in
the settings (``migrate`` and ``extract NAME``). Its function is named from NAME as an
action's is from its key. The command line wins over the settings: ``--into`` puts the
actions it is given into its group whatever the settings say, and ``extract A`` takes A
on its own; both say so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from strangler.errors import StranglerError, did_you_mean
from strangler.load.project import Project
from strangler.load.settings import Settings, group_name_problem
from strangler.plan import naming


@dataclass(frozen=True)
class Request:
    """What a run asks for: the action keys (None: every action) and the groups to make,
    by name, with the actions each takes (in the order they were asked for)."""

    keys: tuple[str, ...] | None
    groups: Mapping[str, tuple[str, ...]]
    into: str | None = None  # the group ``--into`` names


@dataclass(frozen=True)
class Unit:
    """One new function of a plan: an action on its own (``members`` empty), or a group."""

    name: str
    members: tuple[str, ...] = ()


def request(settings: Settings, keys: tuple[str, ...] | None, into: str | None) -> Request:
    """The groups of a run: ``--into``'s, else for ``migrate`` those of the settings, else
    those the keys name (``extract Orders`` takes the group ``Orders`` of the settings)."""
    if into is not None:
        problem = group_name_problem(into)
        if problem:
            raise StranglerError(f"--into {into!r}: {problem}", hint="e.g. --into Orders")
        if keys is None:
            raise StranglerError("--into needs the actions to put into the group")
        return Request(keys, {into: tuple(dict.fromkeys(keys))}, into)
    if keys is None:
        return Request(None, dict(settings.groups))
    named = {key: settings.groups[key] for key in keys if key in settings.groups}
    expanded = tuple(dict.fromkeys(k for key in keys for k in named.get(key, (key,))))
    return Request(expanded, named)


def check_members(project: Project, monolith_id: str, known: list[str], others: Callable[[], set[str]]) -> None:
    """Every action a settings group lists is an action of a monolith (or one an earlier
    run took); a group does not span monoliths. Refused naming the file, the group and
    the actions there are."""
    taken = {key for f in project.functions for key in f.actions}
    listed_here = {key for members in project.settings.groups.values() for key in members}
    # Other monoliths are analysed only when some listed action is not this one's.
    elsewhere = others() if listed_here - set(known) - taken else set()
    for name, members in project.settings.groups.items():
        here = [key for key in members if key in known]
        for key in members:
            if key not in known and key not in taken and key not in elsewhere:
                listed = ", ".join(known) or "none left"
                raise StranglerError(
                    f"group {name} lists action {key!r}, which {monolith_id} does not have; its actions are: {listed}",
                    where=project.settings.group_place(name),
                    hint=did_you_mean(key, known) or "write the key exactly as `strangler scan` lists it",
                )
        other = [key for key in members if key in elsewhere and key not in known and key not in taken]
        if here and other:
            raise StranglerError(
                f"group {name} has actions of {monolith_id} ({', '.join(map(repr, here))}) and of another function "
                f"({', '.join(map(repr, other))}): a group's actions come from one monolith",
                where=project.settings.group_place(name),
                hint="make one group per monolith",
            )


def units(project: Project, wanted: Request, chosen: list[str], known: list[str]) -> tuple[list[Unit], list[str]]:
    """The new functions for the ``chosen`` actions, in order (a group where its first
    action is, its actions in dispatch order), and what people should know about them."""
    notes: list[str] = []
    grouped: dict[str, str] = {}
    for name, members in wanted.groups.items():
        taking = [key for key in known if key in members and key in chosen]
        if not taking:
            continue
        if wanted.into is None and naming.logical_id(name) in project.resources:
            notes.append(f"group {name}: {naming.logical_id(name)} exists already (an earlier run made it); "
                         f"{', '.join(taking)} extracted on {'its' if len(taking) == 1 else 'their'} own "
                         "(strangler does not add actions to a function it made)")
            continue
        grouped.update((key, name) for key in taking)
        notes.extend(_overridden(project.settings, wanted, name, taking))
    if wanted.keys is not None and wanted.into is None:
        notes.extend(
            f"{key!r} is in group {project.settings.group_of(key)} ({project.settings.group_place(project.settings.group_of(key) or '')}): "
            f"extracted on its own as asked (`strangler extract {project.settings.group_of(key)}` takes the group)"
            for key in chosen if key not in grouped and project.settings.group_of(key) is not None
        )
    found: list[Unit] = []
    for key in chosen:
        name = grouped.get(key)
        if name is None:
            found.append(Unit(key))
        elif all(unit.name != name or not unit.members for unit in found):
            found.append(Unit(name, tuple(k for k in known if grouped.get(k) == name)))
    return found, notes


def _overridden(settings: Settings, wanted: Request, name: str, taking: list[str]) -> list[str]:
    """``--into`` over the settings: the actions it takes that the settings group elsewhere."""
    if wanted.into is None:
        return []
    return [
        f"{key!r} is in group {settings.group_of(key)} ({settings.group_place(settings.group_of(key) or '')}); "
        f"--into {name} wins"
        for key in taking if settings.group_of(key) not in (None, name)
    ]
