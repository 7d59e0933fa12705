"""Answers written by hand for isodate-unittest-to-assert-model.sh (a stand-in for the model).

unittest-to-assert leaves four gaps in isodate 0.6.1's tests: assertions whose operands
span lines outside brackets (implicitly concatenated strings, a `!=` or a `%` continued
on the next line), which the rewrite rules refuse to convert because moving them into an
`assert` could change how they parse. Each answer parenthesises the operand and writes
the plain assert, one replace_in_file per gap, then done.

The rules have since learned to parenthesise such operands and convert all four, so the
trial asks nothing today; the answers stay for a rule set that leaves them again.
"""
from tests.model_server import reply, tool_block

EDITS = {
    "test_duration.py": [
        ("""        self.assertEqual('isodate.duration.Duration(10, 10, 0,'
                         ' years=10, months=10)', repr(dur))""",
         """        assert (
            'isodate.duration.Duration(10, 10, 0,'
            ' years=10, months=10)'
        ) == repr(dur)"""),
        ("""        self.assertFalse(Duration(years=1, months=1) !=
                         Duration(years=1, months=1))""",
         """        assert not (Duration(years=1, months=1) !=
                    Duration(years=1, months=1))"""),
        ("""        self.assertTrue(Duration(years=1, months=2) !=
                        Duration(years=1, months=1))""",
         """        assert (Duration(years=1, months=2) !=
                Duration(years=1, months=1))"""),
    ],
    "test_pickle.py": [
        ("""        self.assertEqual(len(failed), 0, "pickle protos failed: %s" %
                         str(failed))""",
         """        assert len(failed) == 0, ("pickle protos failed: %s" %
                                  str(failed))"""),
    ],
}


def answer(body):
    opening = body["messages"][0]["content"][0]["text"]
    path = opening.split("`")[1].split("/", 2)[2]
    edits = EDITS[path.rsplit("/", 1)[-1]]
    turn = (len(body["messages"]) - 1) // 2
    if turn < len(edits):
        old, new = edits[turn]
        return reply(tool_block("replace_in_file", {"path": path, "old": old, "new": new}))
    return reply(tool_block("done", {"summary": f"converted {len(edits)} multi-line assertion(s) to plain asserts"}))
