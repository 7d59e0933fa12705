"""Editable regions: the smallest statement around each gap, following the edits."""
from __future__ import annotations

from runner.model.scope import gap_regions, import_violations, region_of, shift_after_edit
from runner.transforms.base import Gap

SOURCE = '''import compat

@register(
    compat.ensure_text("x"))
def load(raw):
    if compat.ensure_text(raw):
        # compat.ensure_text is gone
        return 1
    values = [
        compat.ensure_text(raw),
    ]
    try:
        pass
    except compat.Error:
        pass
'''


def _regions(*lines: int) -> list[tuple[int, int]]:
    gaps = tuple(Gap("a.py", line, 1, "r") for line in lines)
    return [(r.start, r.end) for r in gap_regions("a.py", SOURCE, gaps) if r.kind == "gap"]


def test_a_simple_statement_is_allowed_whole():
    assert _regions(10) == [(9, 11)]


def test_a_compound_statement_only_its_header():
    assert _regions(6) == [(6, 6)]
    assert _regions(14) == [(14, 14)]  # the except clause's header


def test_a_decorator_is_its_own_unit():
    assert _regions(4) == [(3, 4)]


def test_a_comment_in_a_body_is_only_its_line():
    assert _regions(7) == [(7, 7)]


def test_regions_merge_and_follow_edits():
    regions = [r for r in gap_regions("a.py", SOURCE, tuple(Gap("a.py", n, 1, "r") for n in (6, 7, 10))) if r.kind == "gap"]
    assert [(r.start, r.end) for r in regions] == [(6, 7), (9, 11)]
    shift_after_edit(regions, regions[0], +2)
    assert [(r.start, r.end, r.touched) for r in regions] == [(6, 9, True), (11, 13, False)]
    assert region_of(regions, 11, 13) is regions[1] and region_of(regions, 10, 11) is None


def test_an_unparsable_file_allows_the_gap_lines_only():
    assert [(r.start, r.end) for r in gap_regions("b.py", "def (:\n  x\n", (Gap("b.py", 2, 1, "r"),))] == [(2, 2)]


def test_the_import_block_is_a_region_for_imports_only():
    source = '"""Doc."""\nfrom __future__ import annotations\n\nimport os\nfrom six.moves import urllib\n\nx = urllib.parse.quote(os.sep)\n'
    regions = gap_regions("a.py", source, (Gap("a.py", 7, 5, "six.moves"),))
    assert [(r.start, r.end, r.kind) for r in regions] == [(2, 5, "imports"), (7, 7, "gap")]
    assert regions[0].render() == "a.py:2-5 (import statements only)"
    added = source.replace("import os\n", "import os\nimport urllib.parse\n")
    shift_after_edit(regions, regions[0], 1)
    assert import_violations("a.py", added, regions) == []
    sneaked = source.replace("import os\n", "import os\nos.system('x')\n")
    assert import_violations("a.py", sneaked, regions) == [
        "a.py:5: only import statements may be added to lines 2-6 (the imports)"]


def test_no_import_region_when_a_gap_meets_the_imports_or_the_module_opens_with_code():
    assert [r.kind for r in gap_regions("a.py", "import six\nx = six.u('a')\n", (Gap("a.py", 2, 5, "r"),))] == ["gap"]
    assert [r.kind for r in gap_regions("a.py", "x = 1\nimport six\ny = six.u('a')\n", (Gap("a.py", 3, 5, "r"),))] == ["gap"]
