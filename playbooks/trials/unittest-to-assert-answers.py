"""Answers written by hand for unittest-to-assert-model.sh (a stand-in for the model).

The local test server (python -m tests.model_server --answers THIS_FILE) answers the
gap worker's requests with these: the one convertible gap of simplejson 3.19.3 (an
assertEqual whose first operand is implicitly concatenated strings over two lines) is
edited with replace_in_file and finished with done; the project's own helpers
(self.assertRoundTrip) are left alone with a done and no edit, as the task intends.
"""
from tests.model_server import reply, tool_block

OLD = '''        self.assertEqual(
            r'"\\u003c/script\\u003e\\u003cscript\\u003e'
            r'alert(\\"gotcha\\")\\u003c/script\\u003e"',
            self.encoder.encode(bad_string))'''
NEW = '''        assert (
            r'"\\u003c/script\\u003e\\u003cscript\\u003e'
            r'alert(\\"gotcha\\")\\u003c/script\\u003e"'
        ) == self.encoder.encode(bad_string)'''


def answer(body):
    opening = body["messages"][0]["content"][0]["text"]
    path = opening.split("`")[1].split("/", 2)[2]
    turns = len(body["messages"])
    if path.endswith("test_encode_for_html.py"):
        if turns == 1:
            return reply(tool_block("replace_in_file", {"path": path, "old": OLD, "new": NEW}))
        return reply(tool_block("done", {"summary": "parenthesised the concatenated strings; plain assert"}))
    return reply(tool_block("done", {"summary": "assertRoundTrip is this project's own helper: left as it is"}))
