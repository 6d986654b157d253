"""The event source registry: every event Type has at most one source, found by its Type."""

from __future__ import annotations

from collections import Counter

from strangler.sources.registry import SOURCES, source_for


def test_no_event_type_is_claimed_by_two_sources():
    claimed = Counter(event_type for source in SOURCES for event_type in source.types)
    assert [event_type for event_type, count in claimed.items() if count > 1] == []


def test_each_type_finds_the_source_that_recognises_it():
    for source in SOURCES:
        for event_type in source.types:
            assert source_for(event_type) is source
    assert source_for("NoSuchSource") is None
    assert source_for("None") is None  # an event without a Type
