"""The three-way merge that writes a template back: the file's bytes where strangler
changed nothing, the serializer's lines where it did."""

from __future__ import annotations

from strangler.template.textmerge import BOM, SourceText, merge, split_lines


def test_nothing_edited_gives_the_file_back_byte_for_byte():
    content = BOM + "A: True\r\nB:   x   \r\n   \r\n"

    assert merge(SourceText.of(content), "A: true\nB: x\n\n", "A: true\nB: x\n\n") == content


def test_a_normalised_line_strangler_did_not_touch_keeps_its_bytes():
    original = "A: True\nB: 1\nC: [ a,b ]\n"
    base = "A: true\nB: 1\nC: [a, b]\n"
    edited = "A: true\nB: 2\nC: [a, b]\n"

    assert merge(SourceText.of(original), base, edited) == "A: True\nB: 2\nC: [ a,b ]\n"


def test_a_changed_line_that_the_serializer_also_normalised_is_the_serializers():
    original = "A: [ a,b ]\nB: 1\n"
    base = "A: [a, b]\nB: 1\n"
    edited = "A: [a]\nB: 1\n"

    assert merge(SourceText.of(original), base, edited) == "A: [a]\nB: 1\n"


def test_lines_inserted_next_to_a_normalised_line_leave_it_alone():
    original = "R:\n  X: True   \n# end\n"
    base = "R:\n  X: true\n# end\n"
    edited = "R:\n  X: true\n  Y: new\n# end\n"

    assert merge(SourceText.of(original), base, edited) == "R:\n  X: True   \n  Y: new\n# end\n"


def test_an_insertion_inside_a_normalised_region_takes_the_serializers_region():
    original = "D: >\n    one\n    two\nE: 1\n"
    base = "D: >\n  one\n  two\nE: 1\n"
    edited = "D: >\n  one\n  middle\n  two\nE: 1\n"

    assert merge(SourceText.of(original), base, edited) == edited


def test_a_deleted_block_goes_and_its_normalised_neighbours_stay():
    original = "A: yes \nB:\n  c: 1\n  d: 2\nE: True\n"
    base = "A: yes\nB:\n  c: 1\n  d: 2\nE: true\n"
    edited = "A: yes\nE: true\n"

    assert merge(SourceText.of(original), base, edited) == "A: yes \nE: True\n"


def test_lines_only_the_file_has_stay_when_nothing_around_them_changes():
    original = "A: 1\n\n\n\nB: 2\nC: 3\n"
    base = "A: 1\n\nB: 2\nC: 3\n"
    edited = "A: 1\n\nB: 2\nC: 4\n"

    assert merge(SourceText.of(original), base, edited) == "A: 1\n\n\n\nB: 2\nC: 4\n"


def test_crlf_files_get_crlf_lines_and_keep_their_bom():
    content = BOM + "A: True\r\nB: 1\r\n"
    source = SourceText.of(content)

    assert source.text == "A: True\nB: 1\n" and source.bom and source.newline == "\r\n"
    assert merge(source, "A: true\nB: 1\n", "A: true\nB: 1\nC: 2\n") == BOM + "A: True\r\nB: 1\r\nC: 2\r\n"


def test_mixed_line_endings_stay_line_by_line():
    content = "A: 1\r\nB: 2\nC: 3\r\nD: 4\r\n"
    source = SourceText.of(content)
    base = "A: 1\nB: 2\nC: 3\nD: 4\n"

    assert merge(source, base, "A: 1\nB: 2\nC: 3\nD: 5\n") == "A: 1\r\nB: 2\nC: 3\r\nD: 5\r\n"


def test_a_file_without_a_final_newline_keeps_it_missing():
    assert merge(SourceText.of("A: True\nB: 1"), "A: true\nB: 1", "A: true\nB: 2") == "A: True\nB: 2"


def test_lines_split_on_line_feeds_only():
    assert split_lines("a\u2028b\r\nc\x0cd\ne") == ["a\u2028b\r\n", "c\x0cd\n", "e"]
