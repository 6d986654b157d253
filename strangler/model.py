"""The plain data every stage speaks: functions, dispatches, actions, plans, changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Marks in an event path: ``*`` is every element of a list, ``(json)`` a json.loads(),
# ``(base64)`` a base64.b64decode() (a Kinesis record's data).
EACH = "*"
JSON = "(json)"
BASE64 = "(base64)"
ANY_CASE = "(any case)"  # the code upper- or lower-cases the value before comparing
# Nested dispatch: the key is ``outer/inner``, read from the path before THEN, then after it.
THEN = "(then)"
NESTED_SEPARATOR = "/"
# Dispatch on the kind of event (``"Records" in event``, ``"routeKey" in event``): the path is
# BY_TYPE followed by one ``Action=Type+Type`` part per action, the SAM event Types it serves.
BY_TYPE = "(event type)"


@dataclass(frozen=True)
class EventPath:
    """Where in the event the dispatch key is read, e.g. ``Records[*].Sns.Message(json).kind``."""

    parts: tuple[str, ...]

    def __str__(self) -> str:
        if self.parts[:1] == (BY_TYPE,):
            return f"{BY_TYPE} " + ", ".join(part.partition("=")[0] for part in self.parts[1:])
        if THEN in self.parts:
            outer, inner = self.levels
            return f"{outer} {NESTED_SEPARATOR} {inner}"
        text = ""
        for part in self.parts:
            if part == EACH:
                text += "[*]"
            elif part in (JSON, BASE64, ANY_CASE):
                text += part
            else:
                text += ("." if text else "") + part
        return text or "<event>"

    def startswith(self, *prefix: str) -> bool:
        return self.parts[: len(prefix)] == prefix

    def after(self, *prefix: str) -> tuple[str, ...]:
        return self.parts[len(prefix) :]

    @classmethod
    def nested(cls, outer: "EventPath", inner: "EventPath") -> "EventPath":
        """The path of a dispatch on ``outer`` and then, inside each branch, on ``inner``."""
        return cls((*outer.parts, THEN, *inner.parts))

    @property
    def levels(self) -> tuple["EventPath", "EventPath"]:
        """The outer and inner paths of a nested dispatch's path."""
        split = self.parts.index(THEN)
        return EventPath(self.parts[:split]), EventPath(self.parts[split + 1 :])

    @property
    def is_nested(self) -> bool:
        return THEN in self.parts


@dataclass(frozen=True)
class FunctionRef:
    """One ``AWS::Serverless::Function`` of the template and where its handler lives."""

    logical_id: str
    code_uri: str
    code_dir: Path
    handler: str
    module_path: Path
    function_name: str
    is_strangler: bool = False
    strangler_action: str | None = None
    extracted_from: str | None = None
    # A group's function (Metadata.Strangler.Actions): the actions it serves; its
    # ``strangler_action`` is then the group's name.
    strangler_actions: tuple[str, ...] = ()
    # Where the deployed code is when it is not a local folder (``s3://bucket/key.zip``):
    # then ``code_dir`` is the folder ``--code`` gave, and CodeUri/Code stays as written.
    code_elsewhere: str | None = None

    @property
    def actions(self) -> tuple[str, ...]:
        """The actions strangler made this function for: a group's, or its one action."""
        if self.strangler_actions:
            return self.strangler_actions
        return (self.strangler_action,) if self.strangler_action is not None else ()

    @property
    def has_local_code(self) -> bool:
        return self.module_path.is_file()

    @property
    def module_file(self) -> str:
        """The handler module inside the code folder, ``pkg/mod.py``."""
        return self.module_path.relative_to(self.code_dir).as_posix()

    @property
    def module_name(self) -> str:
        """The handler module's dotted name, ``pkg.mod``."""
        return ".".join(self.module_path.relative_to(self.code_dir).with_suffix("").parts)

    @property
    def package(self) -> str:
        """The package the handler module is in (``""`` at the top of the code folder)."""
        return self.module_name.rpartition(".")[0]


@dataclass(frozen=True)
class Action:
    """One entry of a dispatch: the key the event carries and the code that handles it."""

    key: str
    handler: str
    line: int
    module: str | None = None  # where the handler is, when not in the handler module


@dataclass(frozen=True)
class Dispatch:
    """What a detector found in a handler module."""

    shape: str
    table: str
    line: int
    entrypoint: str
    event_path: EventPath
    actions: tuple[Action, ...]

    def action(self, key: str) -> Action | None:
        return next((a for a in self.actions if a.key == key), None)


@dataclass(frozen=True)
class ActionNeeds:
    """What the code of one action needs from the monolith's module and folder."""

    symbols: tuple[str, ...]  # module-level code: functions, classes, constants, clients
    imports: tuple[str, ...]  # names bound by import statements
    local_modules: tuple[str, ...]
    env_vars: tuple[str, ...]


@dataclass(frozen=True)
class FileChange:
    """A whole-file change, relative to the project directory. ``None`` = absent."""

    path: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Report:
    """What a run did, for people: lines grouped by heading."""

    created: tuple[str, ...] = ()
    narrowed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    manual: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()

    def sections(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The lines under each kind of change, in the order people read them (what is new,
        then what shrank or changed, then what went, then what is left to them)."""
        return tuple((kind, getattr(self, kind)) for kind in REPORT_KINDS)


# The kinds of Report lines, in the order they are printed (and their JSON keys).
REPORT_KINDS = ("created", "narrowed", "changed", "removed", "manual")


@dataclass(frozen=True)
class Routed:
    """How a new function of the run gets its action's events, as data: what comes after a
    run (the deploy order for direct-invoke callers, --json) reads this, not the report."""

    key: str
    logical_id: str
    route: str  # RoutePlan.summary(): "EventBridgeRule event OrderLifecycle", "direct invoke"
    direct: bool  # invoked directly (RoutePlan.direct): its callers must switch to the new function


@dataclass(frozen=True)
class ChangeSet:
    changes: tuple[FileChange, ...]
    report: Report = field(default_factory=Report)
    routed: tuple[Routed, ...] = ()  # every action the change (so far) gave a function, in order

    @property
    def direct(self) -> tuple[Routed, ...]:
        """The actions whose callers invoke the monolith directly and must switch."""
        return tuple(routed for routed in self.routed if routed.direct)


@dataclass(frozen=True)
class Decision:
    item: str
    kept: bool
    reason: str


@dataclass(frozen=True)
class Narrowing:
    """What one action keeps of the monolith's environment, policies and requirements."""

    env: tuple[Decision, ...]
    policies: tuple[Decision, ...]
    requirements: tuple[Decision, ...]
    env_keep: frozenset[str]
    policy_keep: tuple[int, ...]  # indexes into the monolith's Policies list
    requirements_text: str | None
    code: tuple[Decision, ...] = ()  # module-level code kept because it may have effects


DELETE = object()  # a route's answer for a monolith event: the monolith loses it


@dataclass(frozen=True)
class ResourceSplit:
    """How one resource outside the monolith's Events changes for one action (or when the
    monolith retires): its replacement (DELETE, or None: unchanged), the resources added
    after it for the new function, and files other than the template that change (an
    included definition: path relative to the project, new text)."""

    logical_id: str
    replacement: Any = None
    added: tuple[tuple[str, Any], ...] = ()
    files: tuple[tuple[str, str], ...] = ()
    note: str = ""
    delivers: bool = False  # the new function now gets some of the action's events through it
    # Values set in other resources (a path from the resource's id, e.g. ``(resolver,
    # "Properties", "DataSourceName")``), or DELETE: what routes through the resource
    # re-pointed at what was added for the new function (an AppSync resolver at its new
    # data source), or gone with it at retirement (the data source's service role).
    edits: tuple[tuple[tuple[str | int, ...], Any], ...] = ()


@dataclass(frozen=True)
class RoutePlan:
    """How one action leaves a function: the events of the new function, the replacements
    (or DELETE) of the monolith's events, the resources outside Events that change, and
    notes for people."""

    kind: str
    new_events: dict[str, Any] = field(default_factory=dict)
    monolith_events: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    resources: tuple[ResourceSplit, ...] = ()
    # Notes on what becomes of the monolith's own events only: left out when the run
    # retires the monolith (nothing is said about a function the same run removes).
    monolith_notes: tuple[str, ...] = ()

    @property
    def direct(self) -> bool:
        return self.kind == "direct invoke"

    def summary(self, compact: bool = False) -> str:
        """``EventBridgeRule event OrderLifecycle`` (``compact``: without the word event),
        ``through BlogDataSource``, or both."""
        if self.direct:
            return "direct invoke"
        through = [split.logical_id for split in self.resources if split.delivers]
        said = []
        if self.new_events:
            word = "" if compact else f" event{'s' if len(self.new_events) > 1 else ''}"
            said.append(f"{self.kind}{word} {', '.join(self.new_events)}")
        if through:
            said.append(f"through {', '.join(through)}")
        return " and ".join(said)
