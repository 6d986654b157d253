"""DynamoDB and Kinesis streams (``DynamoDB``, ``Kinesis``): each new function gets its own
event source mapping on the stream with ``FilterCriteria`` admitting only its action's key;
the monolith's mapping gets the complementary filter.

Every mapping of a stream reads every record of it; a record a mapping's filter rejects is
skipped by that mapping, not deleted, so complementary filters deliver each record to
exactly one function (unlike SQS, where a rejected message is deleted for every consumer).

The filter is a Lambda event filter pattern on the record (``{"eventName": ["INSERT"]}``,
``{"dynamodb": {"NewImage": {"type": {"S": ["refund"]}}}}``), written as a JSON string in
``FilterCriteria.Filters[].Pattern``. The filters of a mapping are alternatives: each
pattern is split on its own, like an EventBridge rule's detail-type list.

A Kinesis mapping filters only on ``data``: the record's base64 data decoded as JSON, so a
key read as ``json.loads(base64.b64decode(record["kinesis"]["data"]))["kind"]`` becomes
``{"data": {"kind": ["X"]}}``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from strangler.model import ANY_CASE, BASE64, DELETE, EACH, JSON, THEN, EventPath
from strangler.sources.base import (
    EventSource,
    EventSplit,
    Refusal,
    map_like,
    plain,
    seq_like,
)
from strangler.template import document
from strangler.template.intrinsics import intrinsic_name

# What a DynamoDB stream names its records: a filter excluding all three admits nothing.
EVENT_NAMES = ("INSERT", "MODIFY", "REMOVE")
# Fields every DynamoDB stream record carries: their complement needs no "exists: false".
_ALWAYS_PRESENT = {("eventName",), ("eventID",), ("eventSource",), ("eventVersion",), ("awsRegion",), ("eventSourceARN",)}
# The attribute value types of a DynamoDB image whose value is a string the code can compare.
_SCALAR_TYPES = {"S", "N", "B", "BOOL", "NULL"}
_IMAGES = {"NewImage", "OldImage", "Keys"}
PATTERN_LIMIT = 4096  # characters of one Pattern (Lambda API Filter.Pattern)
READERS_PER_SHARD = 2  # DynamoDB streams throttle beyond about two readers per shard
# Kinesis: 5 GetRecords calls per second per shard, shared by every standard (polling)
# consumer; Lambda polls each shard about once a second per mapping.
KINESIS_READS_PER_SHARD = 5
# Where a Kinesis record's JSON data is read: the filter names it ``data``.
_KINESIS_DATA = ("Records", EACH, "kinesis", "data", BASE64, JSON)
# A response type whose meaning spans the records of every action in a batch.
_BATCH_RESPONSE = "ReportBatchItemFailures"


class DynamoDBStreams(EventSource):
    types = ("DynamoDB",)

    def split(self, name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
        field, value = _field_and_value(path, key, where)
        properties = event.get("Properties") or {}
        _refuse_batch_semantics(name, properties, where)
        patterns = _patterns(properties.get("FilterCriteria"), where)
        return _split(name, event, field, value, patterns, where)

    def listed_keys(self, event: Any, path: EventPath) -> frozenset[str] | None:
        """The values the mapping lets through for the key's field, when it names them all:
        the lists its filters give, and for ``eventName`` the names a DynamoDB stream sends
        (INSERT, MODIFY, REMOVE) less those it excludes."""
        try:
            field, _ = _field_and_value(path, "", "")
            patterns = _patterns(((event or {}).get("Properties") or {}).get("FilterCriteria"), "")
            rules = [_Rule.of(pattern, field) for pattern in patterns] or [_Rule("all")]
        except Refusal:
            return None
        listed: set[str] = set()
        for rule in rules:
            if rule.kind == "only":
                listed.update(rule.values)
            elif field == ("eventName",) and not rule.absent:
                listed.update(name for name in EVENT_NAMES if rule.admits(name))
            else:
                return None
        return frozenset(listed)


DYNAMODB = DynamoDBStreams()


class KinesisStreams(EventSource):
    """A Kinesis data stream: the same split, on the fields of the record's decoded data."""

    types = ("Kinesis",)

    def split(self, name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
        field = _data_field(path, where)
        properties = event.get("Properties") or {}
        _refuse_batch_semantics(name, properties, where, "Kinesis")
        _refuse_consumer(name, stream_of(properties), where)
        patterns = _patterns(properties.get("FilterCriteria"), where)
        return _split(name, event, field, key, patterns, where, "Kinesis")

    def listed_keys(self, event: Any, path: EventPath) -> frozenset[str] | None:
        """The values the mapping's filters list for the key's field, when every filter lists them."""
        try:
            field = _data_field(path, "")
            patterns = _patterns(((event or {}).get("Properties") or {}).get("FilterCriteria"), "")
            rules = [_Rule.of(pattern, field) for pattern in patterns]
        except Refusal:
            return None
        if not rules or any(rule.kind != "only" for rule in rules):
            return None
        return frozenset(value for rule in rules for value in rule.values)


KINESIS = KinesisStreams()


def _data_field(path: EventPath, where: str) -> tuple[str, ...]:
    """``("data", "kind")`` for ``Records[*].kinesis.data(base64)(json).kind``."""
    parts = path.parts
    rest = parts[len(_KINESIS_DATA):]
    if parts[: len(_KINESIS_DATA)] != _KINESIS_DATA or not rest:
        raise Refusal(
            f"the dispatch key comes from {path}; a Kinesis mapping filters records only on their data, "
            "decoded as JSON (Records[*].kinesis.data decoded from base64, then a field of the JSON)",
            where=where,
            hint="read the key as json.loads(base64.b64decode(record['kinesis']['data']))['<field>'] inside "
                 "`for record in event['Records']`",
        )
    if any(part in (EACH, JSON, BASE64, THEN, ANY_CASE) for part in rest):
        raise Refusal(
            f"the dispatch key comes from {path}: it is computed from the record's data (decoded again, taken "
            "from a list or case-folded), which a Lambda event filter cannot express",
            where=where,
            hint="dispatch on a field of the data as the producer writes it, or leave the handler whole",
        )
    return ("data", *rest)


def _refuse_consumer(name: str, stream: Any, where: str) -> None:
    """An enhanced fan-out consumer serves one subscription per shard at a time: a copy of the
    mapping on the same consumer would compete with the monolith's for it."""
    text = json.dumps(plain(stream)) if stream is not None else ""
    if "ConsumerARN" in text or "ConsumerArn" in text or ":consumer/" in text or "/consumer/" in text:
        raise Refusal(
            f"event {name} (Kinesis) reads through an enhanced fan-out consumer ({_shown(stream)}); a consumer "
            "serves one subscription per shard at a time, so a second mapping on it would compete with the first",
            where=where,
            hint="give each action's mapping its own AWS::Kinesis::StreamConsumer (or read the stream itself), "
                 "then run strangler again",
        )


# --- which field of the record, and what value ------------------------------------------
def _field_and_value(path: EventPath, key: str, where: str) -> tuple[tuple[str, ...], str]:
    """The record field a filter names (``("dynamodb", "NewImage", "type", "S")``) and the
    value it must hold for ``key``."""
    parts = path.parts
    if parts[:2] != ("Records", EACH) or len(parts) < 3:
        raise Refusal(
            f"the dispatch key comes from {path}; a DynamoDB stream mapping filters each record "
            "(Records[*].eventName, or a field of Records[*].dynamodb such as NewImage.<attribute>.S)",
            where=where,
            hint="read the key from the record inside `for record in event['Records']`",
        )
    field = parts[2:]
    any_case = field[-1:] == (ANY_CASE,)
    if any_case:
        field = field[:-1]
    if any(part in (EACH, JSON, THEN, ANY_CASE) for part in field):
        raise Refusal(
            f"the dispatch key comes from {path}: it is computed from the record (decoded or taken from a list), "
            "which a Lambda event filter cannot express",
            where=where,
            hint="dispatch on a field of the record itself, or leave the handler whole",
        )
    in_image = field[:1] == ("dynamodb",) and len(field) >= 2 and field[1] in _IMAGES
    if in_image and (len(field) != 4 or field[3] not in _SCALAR_TYPES):
        raise Refusal(
            f"the dispatch key comes from {path}: a DynamoDB image holds typed values ({{\"S\": ...}}), "
            "so a filter names the attribute and its type, e.g. dynamodb.NewImage.<attribute>.S",
            where=where,
        )
    if field == ("eventName",):
        # The code compares the upper- or lower-cased name: a key in one case stands for the
        # name the stream sends; a key in mixed case matches no record.
        value = key.upper() if any_case and key in (key.lower(), key.upper()) else key
        if key and value not in EVENT_NAMES:
            raise Refusal(
                f"DynamoDB streams name their records {', '.join(EVENT_NAMES)}; no record is named {key!r}, "
                "so a new function would get nothing",
                where=where,
                hint="leave this action in the monolith",
            )
        return field, value
    if any_case:
        raise Refusal(
            f"the code compares {path} in any case; strangler filters stream records on the exact value",
            where=where,
            hint="compare the value as the record carries it",
        )
    return field, key


def _refuse_batch_semantics(name: str, properties: Mapping[str, Any], where: str, kind: str = "DynamoDB") -> None:
    """A mapping whose batches mean something across records: a filter would change it."""
    responses = properties.get("FunctionResponseTypes")
    listed = responses if isinstance(responses, list) else [responses]
    if responses is not None and (intrinsic_name(responses) or _BATCH_RESPONSE in listed):
        raise Refusal(
            f"event {name} ({kind}) reports batch item failures: the handler answers for the records of every "
            "action, and Lambda retries the shard from the first failed record, so a failure of one action holds "
            "back the records of the others after it. With one filtered mapping per action that order is lost, "
            "which strangler cannot prove harmless",
            where=where,
            hint="keep the handler whole, or split it by hand once the actions no longer depend on each other's "
                 "order (each function then reports only its own records' failures)",
        )
    if properties.get("TumblingWindowInSeconds") is not None:
        raise Refusal(
            f"event {name} ({kind}) aggregates a tumbling window: the state the handler returns spans the "
            "records of every action, and one mapping per action would split it",
            where=where,
            hint="keep the aggregating handler whole",
        )


# --- the filters --------------------------------------------------------------------------
def _patterns(criteria: Any, where: str) -> list[dict[str, Any]]:
    """The mapping's filter patterns, parsed; [] when it has none (it takes every record)."""
    if criteria is None:
        return []
    filters = criteria.get("Filters") if isinstance(criteria, Mapping) and not intrinsic_name(criteria) else None
    if not isinstance(filters, list) or intrinsic_name(filters) or not filters:
        raise Refusal(
            f"FilterCriteria is {json.dumps(plain(criteria))}; strangler splits a list of Filters with a Pattern each",
            where=where,
        )
    patterns = []
    for index, entry in enumerate(filters):
        text = entry.get("Pattern") if isinstance(entry, Mapping) else None
        try:
            pattern = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            pattern = None
        if not isinstance(pattern, dict):
            raise Refusal(
                f"FilterCriteria.Filters[{index}].Pattern is not a JSON object written as a string, so strangler "
                "cannot read what it admits",
                where=where,
                hint="write the pattern as a literal JSON string",
            )
        patterns.append(pattern)
    return patterns


@dataclass(frozen=True)
class _Rule:
    """What one pattern admits of the key's field: everything (``all``), ``only`` some
    values, or everything ``except`` some (``absent``: records without the field too)."""

    kind: str
    values: tuple[str, ...] = ()
    absent: bool = False

    @classmethod
    def of(cls, pattern: Mapping[str, Any], field: tuple[str, ...]) -> _Rule:
        node: Any = pattern
        for part in field:
            if not isinstance(node, Mapping):
                raise Refusal(f"the filter pattern {json.dumps(node)} cannot be split on {'.'.join(field)}")
            if part not in node:
                return cls("all")
            node = node[part]
        items = node if isinstance(node, list) else None
        if items and all(isinstance(item, str) for item in items):
            return cls("only", tuple(items))
        if items and isinstance(items[0], Mapping) and set(items[0]) == {"anything-but"}:
            excluded = items[0]["anything-but"]
            excluded = excluded if isinstance(excluded, list) else [excluded]
            absent = items[1:] == [{"exists": False}]
            if all(isinstance(value, str) for value in excluded) and (absent or len(items) == 1):
                return cls("except", tuple(excluded), absent)
        raise Refusal(f"the filter on {'.'.join(field)} ({json.dumps(node)}) cannot be split safely")

    def admits(self, value: str) -> bool:
        return value in self.values if self.kind == "only" else value not in self.values

    def without(self, value: str, field: tuple[str, ...]) -> _Rule | None:
        """The rule once ``value`` goes elsewhere; None when it admits nothing any more."""
        if self.kind == "only":
            rest = tuple(v for v in self.values if v != value)
            return _Rule("only", rest) if rest else None
        excluded = (*self.values, value)
        absent = self.absent if self.kind == "except" else field not in _ALWAYS_PRESENT
        if field == ("eventName",) and set(EVENT_NAMES) <= set(excluded) and not absent:
            return None
        return _Rule("except", excluded, absent)

    def written(self) -> list:
        if self.kind == "only":
            return list(self.values)
        return [{"anything-but": list(self.values)}, *([{"exists": False}] if self.absent else [])]


def _with_rule(pattern: Mapping[str, Any], field: tuple[str, ...], rule: _Rule) -> dict[str, Any]:
    new = copy.deepcopy(dict(pattern))
    node = new
    for part in field[:-1]:
        node = node.setdefault(part, {})
    node[field[-1]] = rule.written()
    return new


def _split(
    name: str, event: Any, field: tuple[str, ...], value: str, patterns: list[dict[str, Any]], where: str,
    kind: str = "DynamoDB",
) -> EventSplit:
    rules = [_rule(pattern, field, where) for pattern in patterns] if patterns else [_Rule("all")]
    bases = patterns or [{}]
    admitting = [i for i, rule in enumerate(rules) if rule.admits(value)]
    if not admitting:
        return EventSplit()
    mine = _Rule("only", (value,))
    new_patterns = [_with_rule(bases[i], field, mine) for i in admitting]
    kept: list[dict[str, Any] | None] = []
    for base, rule in zip(bases, rules, strict=True):
        if not rule.admits(value):
            kept.append(base)
            continue
        rest = rule.without(value, field)
        kept.append(None if rest is None else _with_rule(base, field, rest))
    new_event = _with_filters(event, [(i, new_patterns[n]) for n, i in enumerate(admitting)], where)
    remaining = [(i, pattern) for i, pattern in enumerate(kept) if pattern is not None]
    monolith = DELETE if not remaining else _with_filters(event, remaining, where)
    readers = _readers(rules[0], kept[0] is not None) if len(bases) == 1 else None
    return EventSplit(new_event, monolith, _note(name, event, value, readers, kind))


def _rule(pattern: Mapping[str, Any], field: tuple[str, ...], where: str) -> _Rule:
    try:
        return _Rule.of(pattern, field)
    except Refusal as exc:
        raise Refusal(exc.message, where=where, hint="list the values (or use anything-but) in the pattern") from None


def _with_filters(event: Any, patterns: list[tuple[int, dict[str, Any]]], where: str) -> Any:
    """A copy of ``event`` whose FilterCriteria holds ``patterns``; each replaces the filter
    at its index (keeping the entry's other keys and formatting), or is new."""
    new = copy.deepcopy(event)
    properties = new["Properties"]
    criteria = properties.get("FilterCriteria")
    old = criteria["Filters"] if criteria is not None else None
    entries = []
    for index, pattern in patterns:
        text = json.dumps(pattern)
        if len(text) > PATTERN_LIMIT:
            raise Refusal(
                f"the filter pattern would be {len(text)} characters long; Lambda allows {PATTERN_LIMIT}",
                where=where,
                hint="group actions so fewer keys are excluded, or split the stream by hand",
            )
        entry = old[index] if old is not None else map_like(properties)
        entry["Pattern"] = text
        entries.append(entry)
    if criteria is None:
        # The blank line (or comment) after the event's last property stays after the event.
        after = document.trailing_comment(properties) if hasattr(properties, "ca") else None
        if after is not None:
            inline, after = document.inline_and_rest(after)
            document.set_trailing_comment(properties, inline)
        criteria = map_like(properties)
        criteria["Filters"] = _block_seq(properties, entries)
        properties["FilterCriteria"] = criteria
        if after is not None:
            document.set_trailing_comment(properties, after)
        return new
    criteria["Filters"] = seq_like(old, entries)
    return new


def _block_seq(sibling: Any, items: list) -> Any:
    """A block list beside ruamel nodes (so comments can hang on its last item)."""
    if not hasattr(sibling, "ca"):
        return list(items)
    from ruamel.yaml.comments import CommentedSeq

    return CommentedSeq(items)


def _readers(rule: _Rule, monolith_reads: bool) -> int | None:
    """How many mappings read the stream once this action has its own, when the monolith's
    one filter tells: it excludes one key per action taken out so far (or none yet). A
    list of names (``only``) does not say how many functions took the others."""
    if rule.kind == "all":
        return 1 + monolith_reads
    if rule.kind == "except":
        return len(rule.values) + 1 + monolith_reads
    return None


def _note(name: str, event: Any, value: str, readers: int | None, kind: str = "DynamoDB") -> str:
    properties = event.get("Properties") or {}
    stream = _shown(stream_of(properties))
    start = str(properties.get("StartingPosition", "LATEST"))
    lines = [
        (f"{name}: a mapping of its own on {stream} takes the {value} records, the monolith's skips them "
         "(every mapping reads the whole stream; filtered records are skipped, not deleted); records of different "
         "actions are no longer handled in order with each other"),
        _start_note(start, value, kind),
    ]
    if kind == "Kinesis":
        lines.extend(_kinesis_notes(stream, readers))
    elif readers is not None and readers > READERS_PER_SHARD:
        lines.append(
            f"warning: {stream} now has {readers} readers per shard; DynamoDB streams allow about "
            f"{READERS_PER_SHARD} before they throttle (IteratorAge grows): group actions in one function, or "
            "fan the stream out once through EventBridge Pipes (to a bus with one rule per action) or a Kinesis "
            "data stream"
        )
    return "; ".join(lines)


def _start_note(start: str, value: str, kind: str = "DynamoDB") -> str:
    held = "up to 24 hours" if kind == "DynamoDB" else "its retention period, 24 hours by default"
    if start == "TRIM_HORIZON":
        return (f"starting at TRIM_HORIZON, the new mapping first reads what the stream still holds ({held}): "
                f"{value} records the monolith already handled are handled again")
    if start == "AT_TIMESTAMP":
        return (f"starting at AT_TIMESTAMP, the new mapping first reads from the copied StartingPositionTimestamp: "
                f"{value} records the monolith already handled since then are handled again")
    return f"starting at {start}, {value} records written while the stack updates may reach neither function"


def _kinesis_notes(stream: str, readers: int | None) -> list[str]:
    """What more mappings cost a Kinesis stream: each polls every shard, and standard
    consumers share a shard's read budget."""
    lines = [
        (f"each mapping polls every shard of {stream}: standard consumers share 5 GetRecords calls and 2 MB "
         "per second per shard; the filters read each record's data as JSON, as the handler does, so records whose "
         "data is not JSON are not matched like the others: check that every producer writes JSON")
    ]
    if readers is not None and readers >= KINESIS_READS_PER_SHARD:
        lines.append(
            f"warning: {stream} now has {readers} mappings polling each shard; Kinesis allows "
            f"{KINESIS_READS_PER_SHARD} GetRecords calls per second per shard for all standard consumers together "
            "(ReadProvisionedThroughputExceeded, IteratorAge grows): group actions in one function, or give each "
            "mapping an enhanced fan-out consumer (AWS::Kinesis::StreamConsumer)"
        )
    return lines


def stream_of(properties: Mapping[str, Any]) -> Any:
    """The stream a SAM event (``Stream``) or an ``AWS::Lambda::EventSourceMapping``
    (``EventSourceArn``) reads: the mapping route hands its own properties to these sources."""
    return properties.get("Stream", properties.get("EventSourceArn"))


def _shown(stream: Any) -> str:
    """``OrdersTable.StreamArn`` for ``!GetAtt OrdersTable.StreamArn`` (either spelling)."""
    name = intrinsic_name(stream)
    if name in ("GetAtt", "Ref"):
        inner = stream.get("Ref" if name == "Ref" else "Fn::GetAtt") if isinstance(stream, dict) else stream
        inner = getattr(inner, "value", inner)
        return ".".join(str(part) for part in inner) if isinstance(inner, list) else str(inner)
    return stream if isinstance(stream, str) else json.dumps(plain(stream))
