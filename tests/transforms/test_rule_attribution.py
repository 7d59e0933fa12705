"""Which rules made a hunk: by the names of their match in the removed lines, by their
imports for an import hunk, else every rule that rewrote the file."""
from __future__ import annotations

from runner.playbook.spec import TaskTypeSpec, canonical_json
from runner.transforms.rewrite.accounting import RuleInfo, attribute_hunk, missing_needles, rule_catalogue

EQUAL = RuleInfo(0, "replace", "self.assertEqual($a, $b)", 3, 11, ("self", "assertEqual"), "assert $a == $b", ())
RAISES = RuleInfo(1, "replace", "self.assertRaises($e)", 5, 11, ("self", "assertRaises"), "pytest.raises($e)", ("pytest",))
ALIAS = RuleInfo(2, "replace", "self.assertEquals", 7, 11, ("self", "assertEquals"), "self.assertEqual", ())
INFOS = (EQUAL, RAISES, ALIAS)


def test_a_hunk_names_the_rules_whose_names_it_removes() -> None:
    assert attribute_hunk("    self.assertEqual(a, 1)\n", "    assert a == 1\n", INFOS, [0, 1]) == (0,)
    # a chain: assertEquals -> assertEqual -> assert; both rules rewrote the site
    assert attribute_hunk("    self.assertEquals(a, 1)\n", "    assert a == 1\n", INFOS, [0, 2]) == (0, 2)


def test_an_import_hunk_names_the_rules_whose_imports_it_edits() -> None:
    assert attribute_hunk("", "import pytest\n", INFOS, [0, 1]) == (1,)


def test_a_hunk_no_rule_explains_belongs_to_every_rule_that_rewrote_the_file() -> None:
    assert attribute_hunk("\n", "    pass\n", INFOS, [0, 1]) == (0, 1)
    assert attribute_hunk("    self.assertEqual(a, 1)\n", "", INFOS, []) == ()


def test_the_catalogue_labels_and_places_each_rule() -> None:
    rules = [{"match": "self.assertEqual($a, $b)\n", "replace": "assert $a == $b"},
             {"id": "raises", "match": "self.assertRaises($e)", "replace": "pytest.raises($e)",
              "imports": {"add": ["import pytest"]}},
             {"match": "compat.text($x)", "flag": "no replacement"}]
    spec = TaskTypeSpec("t", "rewrite", canonical_json({"rules": rules}), rule_positions=((4, 11), (6, 11), (9, 11)))
    infos = rule_catalogue(spec)
    assert [(i.label, i.kind, i.line, i.column, i.imports) for i in infos] == [
        ("self.assertEqual($a, $b)", "replace", 4, 11, ()), ("raises", "replace", 6, 11, ("pytest",)),
        ("compat.text($x)", "flag", 9, 11, ())]
    assert rule_catalogue(TaskTypeSpec("c", "command", canonical_json({"run": "true"}))) == ()


def test_a_rule_cannot_match_when_a_name_of_its_match_is_in_no_file() -> None:
    texts = ["self.assertEqual(1, 1)\n", "x = 1\n"]
    assert missing_needles(INFOS, texts) == {1: ("assertRaises",), 2: ("assertEquals",)}
    # a name a replacement of the task produces may be matched by a later rule: never listed
    alias = RuleInfo(0, "replace", "self.failUnless", 3, 11, ("self", "failUnless"), "self.assertTrue", ())
    true = RuleInfo(1, "replace", "self.assertTrue($x)", 4, 11, ("self", "assertTrue"), "assert $x", ())
    assert missing_needles((alias, true), ["self.failUnless(x)\n"]) == {}
    assert missing_needles((true,), ["self.failUnless(x)\n"]) == {1: ("assertTrue",)}


def test_many_unmatched_rules_of_one_task_type_are_one_warning_line():
    from runner.planning.accounting import UnmatchedRule, render_unmatched

    few = [UnmatchedRule("asserts", i, f"rule {i}", 10 + i, 11, 30) for i in range(3)]
    many = [UnmatchedRule("six", i, f"six.r{i}", 40 + i, 11, 1) for i in range(93)]
    lines = render_unmatched([*few, *many], "pb.yaml")
    assert lines[:3] == [f"pb.yaml:{10 + i}:11: warning: rule 'rule {i}' of task type asserts matched no site in 30 files"
                         for i in range(3)]
    assert lines[3:] == ["pb.yaml:40:11: warning: 93 rules of task type six matched no site in 1 file "
                         "(the first here; all listed under unmatched_rules in `plan --json`)"]
