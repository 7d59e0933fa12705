"""dumps_indented writes what json.dumps(value, indent=2) writes, for any value."""
from __future__ import annotations

import json
import random
from collections import OrderedDict

import pytest

from runner.reporting.indented_json import dumps_indented

_TEXTS = ["", "a", "é", "\u2028", "\x00\n\t\"\\", "日本", "\ud800", "😀", "key: [1, 2]"]
_SCALARS = [None, True, False, 0, -1, 2**70, 1.5, -0.0, 1e300, float("inf"), float("-inf"), float("nan"), *_TEXTS]


def _value(rng: random.Random, depth: int) -> object:
    roll = rng.random()
    if depth > 4 or roll < 0.45:
        return rng.choice(_SCALARS)
    if roll < 0.7:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if roll < 0.75:
        return tuple(_value(rng, depth + 1) for _ in range(rng.randrange(3)))
    return {rng.choice(_TEXTS) + str(i): _value(rng, depth + 1) for i in range(rng.randrange(4))}


def _same(value: object) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2)


def test_random_plain_values_are_encoded_as_json_encodes_them() -> None:
    rng = random.Random(20261202)
    for _ in range(3000):
        _same(_value(rng, 0))


class _Text(str):
    pass


class _Number(int):
    def __repr__(self) -> str:
        return "not json"


@pytest.mark.parametrize("value", [
    {1: "int key"}, {None: 1, True: 2, 1.5: 3}, {"a": _Text("sub")}, [_Number(3)], OrderedDict(a=1),
    {"a": [{"b": {}}, []], "c": ()}, [[[[[]]]]],
], ids=repr)
def test_what_the_fast_path_does_not_take_still_comes_out_as_json_dumps_gives_it(value: object) -> None:
    _same(value)


def test_what_json_refuses_is_refused_the_same_way() -> None:
    loop: list[object] = []
    loop.append(loop)
    for bad in (loop, {"a": {1, 2}}, [b"bytes"]):
        with pytest.raises((ValueError, TypeError)) as ours:
            dumps_indented(bad)
        with pytest.raises((ValueError, TypeError)) as theirs:
            json.dumps(bad, indent=2)
        assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)


def test_verbatim_text_is_written_at_its_place_and_its_plain_value_anywhere_else() -> None:
    from runner.reporting.indented_json import Verbatim

    plain = {"a": [1, "é"]}
    here = Verbatim(json.dumps([plain], indent=2)[4:-2], "\n  ", lambda: plain)
    assert dumps_indented([here]) == json.dumps([plain], indent=2)
    assert dumps_indented({"k": [here]}) == json.dumps({"k": [plain]}, indent=2)  # another indent: its plain value
    marked = Verbatim("WRONG", "\n  ", lambda: plain)
    assert "WRONG" in dumps_indented([marked])
    assert dumps_indented([{1: 2}, marked]) == json.dumps([{1: 2}, plain], indent=2)  # json.dumps' way: plain values
