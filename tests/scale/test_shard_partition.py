"""The shard partition itself: stable, disjoint, complete, directories kept whole."""
from __future__ import annotations

import pytest

from runner.errors import InputError
from runner.planning.shard import Shard, parse_shard, select_shard

FILES = tuple(f"pkg/d{d}/m{i}.py" for d in range(7) for i in range(9)) + ("setup.py",)


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_shards_are_disjoint_and_complete(count: int) -> None:
    parts = [select_shard(FILES, Shard(k, count), by_directory=False) for k in range(1, count + 1)]
    assert sorted(f for part in parts for f in part) == sorted(FILES)
    assert sum(len(p) for p in parts) == len(FILES)
    if count > 1:
        assert all(parts), "with 64 files every shard gets some"


def test_by_directory_keeps_each_directory_in_one_shard() -> None:
    for k in (1, 2, 3):
        part = select_shard(FILES, Shard(k, 3), by_directory=True)
        for f in part:
            folder = f.rpartition("/")[0]
            assert all(g in part for g in FILES if g.rpartition("/")[0] == folder)


def test_the_partition_does_not_depend_on_the_other_files() -> None:
    alone = select_shard(("pkg/d1/m1.py",), Shard(1, 2), False) + select_shard(("pkg/d1/m1.py",), Shard(2, 2), False)
    together = [f for k in (1, 2) for f in select_shard(FILES, Shard(k, 2), False) if f == "pkg/d1/m1.py"]
    assert list(alone) == together == ["pkg/d1/m1.py"]


@pytest.mark.parametrize("text", ["0/3", "4/3", "a/b", "3", "1/0", ""])
def test_bad_shard_text_is_input_error(text: str) -> None:
    with pytest.raises(InputError, match="expected K/N"):
        parse_shard(text)


def test_parse_round_trips() -> None:
    assert str(parse_shard("2/4")) == "2/4"
