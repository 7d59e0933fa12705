"""transform: fstring — golden conversions, gaps with reasons, and eval(before) == eval(after)."""
from __future__ import annotations

import ast

import libcst as cst
import pytest

from runner.transforms.base import FileContext
from runner.transforms.fstring import FstringTransform

CTX = FileContext("/nonexistent", "pkg/mod.py", "pkg.mod", "pkg")


def convert(source: str, **options: object) -> tuple[str, list[str]]:
    result = FstringTransform(**options).transform_module(cst.parse_module(source), CTX)  # type: ignore[arg-type]
    return result.module.code, [f"{g.line}:{g.column}: {g.reason}" for g in result.gaps]


GOLDEN = [
    ('"%s=%s" % (k, val)', 'f"{k!s}={val!s}"'),
    ('"%-8s|%5d|%.2f" % (name, len(x), float(price))', 'f"{name!s:<8}|{len(x):5d}|{float(price):.2f}"'),
    ('"%(a)s and %(b)r" % {"a": x, "b": y}', 'f"{x!s} and {y!r}"'),
    ('"%(a)s and %(b)r" % d', "f\"{d['a']!s} and {d['b']!r}\""),
    ('"%(n)d" % dict(n=1)', '"1"'),
    ('"%(n)d %(m)s" % dict(n=1, m=x)', 'f"1 {x!s}"'),
    ('"%s%%" % str(n)', 'f"{str(n)}%"'),
    ('"%s" % (x,)', 'f"{x!s}"'),
    ('"%s %s %s" % (len(x), 2.5 * len(x), "a" * len(x))', 'f"{len(x)} {2.5 * len(x)} {\'a\' * len(x)}"'),
    ('"%r, %a" % (x, y)', 'f"{x!r}, {y!a}"'),
    ('"%x %o %#x %05.1f %+d %X %E %G" % (id(a), len(b), 255, 2.5 * len(d), 3, -len(e), 1.0, len(g) / 2)',
     'f"{id(a):x} {len(b):o} {255:#x} {2.5 * len(d):05.1f} {3:+d} {-len(e):X} {1.0:E} {len(g) / 2:G}"'),
    ('"%c" % 65', 'f"{65:c}"'),
    ('"{} {!r:>10} {}".format(a, b, c)', 'f"{a} {b!r:>10} {c}"'),
    ('"{0} {1} {0}".format(a, b)', 'f"{a} {b} {a}"'),
    ('"{x.y} {x[0]} {x[key]}".format(x=o)', "f\"{o.y} {o[0]} {o['key']}\""),
    ('"{:{w}.{p}f}".format(val, w=5, p=2)', 'f"{val:5.2f}"'),
    ('"{:{w}}".format(val, w=width)', 'f"{val:{width}}"'),
    ('"a {{b}} {}".format(x)', 'f"a {{b}} {x}"'),
    ('"{}".format(d["k"])', 'f"{d[\'k\']}"'),
    ('"{}".format({1: 2})', 'f"{({1: 2})}"'),
    ('"{}".format(lambda: 1)', 'f"{(lambda: 1)}"'),
    ('"{0.real}".format(1 + 2)', 'f"{(1 + 2).real}"'),
    ('u"%s" % "x"', 'u"x"'),
    ('"it\'s %s" % (a,)', 'f"it\'s {a!s}"'),
    ("'say \"%s\"' % (d['k'],)", "f'say \"{d[\"k\"]!s}\"'"),
    ('("abc %s "\n     "def %s" % (a, b))', '(f"abc {a!s} "\n     f"def {b!s}")'),
    ('("100%% " "of %s" % (a,))', '("100% " f"of {a!s}")'),
    ('"{}{}".format(\n    a,\n    b,\n)', 'f"{a}{b}"'),
    ('"{}".format(\n    f(a,\n      b)\n)', 'f"{f(a, b)}"'),
    ('"%s" % ("{}".format(x),)', 'f"{f\'{x}\'}"'),
    ("r'(?:%s)\\b' % r'|'.join(KEYWORDS)", "rf'(?:{r\"|\".join(KEYWORDS)})\\b'"),
    ('r"a\'b %s" % ("|".join(xs),)', 'rf"a\'b {\'|\'.join(xs)}"'),
    ('"it\'s %s" % ("|".join(xs),)', 'f"it\'s {\'|\'.join(xs)}"'),
]


@pytest.mark.parametrize("before, after", GOLDEN, ids=[b for b, _ in GOLDEN])
def test_golden_conversion(before: str, after: str) -> None:
    code, gaps = convert(f"v = {before}\n")
    assert (code, gaps) == (f"v = {after}\n", [])


GAPS = [
    ('"%s" % name', "not a tuple literal and not provably a single non-tuple value"),
    ('"%d" % (count,)', "%d of an operand not provably an int"),
    ('"%.3d" % (len(x),)', "precision on %d"),
    ('"%*d" % (5, len(x))', "`*` width or precision"),
    ('"%c" % (x,)', "%c of an operand not provably an int or a str"),
    ('"%(a)s %s" % (x,)', "mixes %(name)s and positional"),
    ('"%(a)s" % {"b": 1}', "no value for %(a)s"),
    ('"%(a)s" % locals()', "not a dict literal"),
    ('"%s %s" % (a,)', "2 directive(s) for 1 value(s)"),
    ('"%s %s" % (*a,)', "*args in the operand tuple"),
    ('"{0} {0}".format(f())', "`f()` may have side effects and is used 2 times"),
    ('"{}".format(a, f())', "`f()` may have side effects and is not used"),
    ('"{1}{0}".format(f(), g())', "another order"),
    ('"{} {}".format(*xs)', "*args or **kwargs"),
    ('"{x}".format(**kw)', "*args or **kwargs"),
    ('"{} {0}".format(a)', "mixes automatic and manual"),
    ('"{2}".format(a)', "no argument for field {2}"),
    ('"{".format(a)', "invalid format string"),
    ('"{}".format(\n    a,  # why\n)', "comment inside the call"),
    ('"%s" % ("\\n".join(a),)', "backslash inside an expression"),
    ('r"\\d \'%s\'" % (d["it\'s"],)', 'the string\'s quote " inside an expression'),
    ('"it\'s %s" % (d["it\'s"],)', 'the string\'s quote'),
    ('\'{0["k"]}\'.format(d)', "index key '\"k\"' cannot be quoted"),
    ('"\\x25s" % (a,)', "escape sequence spells a format character"),
    ('"%s" % ()', "1 directive(s) for 0 value(s)"),
    ('"%y" % (a,)', "unsupported or invalid %-directive"),
    ('("a " + str(b)) % (x,)', "the format string is not a plain string literal"),
    ('str(t).format(x)', "the format string is not a plain string literal"),
    ('f"{a} %s" % (x,)', "the format string is not a plain string literal"),
    ('"%.2f" % (price,)', "%f of an operand not provably an int or a float"),
    ('"%x" % (2.5 * n,)', "%x of an operand not provably an int"),
]


@pytest.mark.parametrize("before, reason", GAPS, ids=[b for b, _ in GAPS])
def test_gap_leaves_the_site_unchanged_with_the_reason(before: str, reason: str) -> None:
    source = f"v = {before}\n"
    code, gaps = convert(source)
    assert code == source
    assert len(gaps) == 1 and reason in gaps[0], gaps
    assert gaps[0].startswith("1:5: ")


def test_a_local_len_is_not_the_builtin() -> None:
    source = "def f(len):\n    return '%d' % (len(x),)\n"
    code, gaps = convert(source)
    assert code == source and "not provably an int" in gaps[0]


def test_local_names_are_inferred_from_every_binding_in_their_scope() -> None:
    source = (
        "def f(xs, p):\n"
        "    n = 0\n"
        "    n += 1\n"
        "    for i, c in enumerate(xs):\n"
        "        out = ['%d' % j for j in range(i)] + ['%d|%s' % (i, c)]\n"
        "    try:\n"
        "        s = str(p)\n"
        "    except ValueError as e:\n"
        "        return 'failed: %s' % e\n"
        "    k = 1\n"
        "    k = 2.5\n"
        "    return '%d %s %s' % (n, s, p), '%d' % (k,), '%s' % k, '%s' % p\n"
    )
    code, gaps = convert(source)
    assert code.splitlines()[4] == "        out = [f'{j}' for j in range(i)] + [f'{i}|{c!s}']"
    assert code.splitlines()[8] == "        return f'failed: {e!s}'"
    assert code.splitlines()[11] == "    return f'{n} {s} {p!s}', '%d' % (k,), f'{k}', '%s' % p"
    assert [g.split(": ", 2)[1:] for g in gaps] == [
        ["%-format left as is", "%d of an operand not provably an int (a float would be truncated)"],
        ["%-format left as is", "the operand is not a tuple literal and not provably a single non-tuple value"],
    ]


def test_one_bad_site_is_a_gap_and_the_rest_of_the_file_converts() -> None:
    source = 'a = "%s" % (x,)\nb = "{0}{0}".format(f())\nc = "{}".format(y)\n'
    code, gaps = convert(source)
    assert code == 'a = f"{x!s}"\nb = "{0}{0}".format(f())\nc = f"{y}"\n'
    assert gaps == ["2:5: .format() left as is: argument `f()` may have side effects and is used 2 times"]


def test_target_312_reuses_quotes_and_backslashes() -> None:
    code, gaps = convert("a = '%s' % ('\\n'.join(x),)\nb = \"{0[key]} {1}\".format(d, 'x\"y')\n", target="3.12")
    assert code == "a = f'{'\\n'.join(x)}'\nb = f\"{d['key']} {'x\"y'}\"\n" and gaps == []


def test_max_line_length_leaves_long_results() -> None:
    source = 'msg = "{0}: {0}, {0}".format(some_long_name.attribute)\n'
    code, gaps = convert(source, max_line_length=60)
    assert code == source and "would be 91 characters long (max_line_length 60)" in gaps[0]
    assert convert(source, max_line_length=100)[0] != source


def test_assume_not_tuple_converts_unknown_single_operands_with_a_warning() -> None:
    source = 'a = "%s" % name\nb = "%d" % count\nc = "%s=%s" % pair\n'
    result = FstringTransform(assume_not_tuple=True).transform_module(cst.parse_module(source), CTX)
    assert result.module.code == 'a = f"{name!s}"\nb = "%d" % count\nc = "%s=%s" % pair\n'
    assert result.warnings == ("1:5: converted assuming `name` is never a tuple (assume_not_tuple)",)
    assert [g.line for g in result.gaps] == [2, 3]


def test_bad_target_is_refused() -> None:
    with pytest.raises(ValueError, match="not a Python 3 version"):
        FstringTransform(target="2.7")


# eval(before) == eval(after) on sample values ------------------------------------

PROPERTY = [
    '"%s|%r|%a" % (a, b, c)', '"%5s|%-5s|%.2s|%5.1s" % (a, b, c, a)', '"%-6r|%8a" % (a, b)',
    '"%d|%5d|%-5d|%05d|%+d|% d|%i|%u" % (len(a), -3, 7, -42, 5, 6, int(8.9), 9)',
    '"%x|%X|%#x|%#o|%o|%08x|%-6X" % (255, 255, 255, 8, 8, 4096, 10)',
    '"%f|%.2f|%10.3f|%-10.1f|%+.1f|%e|%.3E|%g|%G|%#g|%.f|%F" % (1.5, 2.345, -3.14159, 2.5, 1.25, 12345.678, 0.00012, 1e20, 1e-20, 2.0, 2.5, 3)',
    '"%c%c|%3c|%-3c|" % (65, "b", 67, "d")', '"%(x)s-%(y)05.1f-%(x)r" % {"x": a, "y": 2.25}',
    '"100%% %s" % (a,)', '"{}|{!r}|{!s:>9}|{!a}".format(a, b, c, "é")',
    '"{0}{1}{0}|{k}|{k!r:^12}".format(a, b, k=c)', '"{:>{w}}|{:{f}{w}.{p}f}".format(a, 3.14159, w=10, f="*", p=2)',
    '"{0.real}|{1.imag:+.1f}|{2[0]}|{3[x]}".format(3, 4j, [9, 8], {"x": "X"})',
    '"{{}}|{{{}}}|}}{{".format(a)', '"{:,}|{:_}|{:%}|{:.1%}|{:#b}|{:c}".format(1234567, 7654321, 0.25, 0.125, 5, 97)',
    '"%s and %s" % ([1, 2], {"k": (1, 2)})', '"%s" % (None,)', '"%s" % ((1, 2),)',
    '("a=%s "\n "b=%r" % (a, b))', '"%s" % str(a)', '"%s" % len(a)', '"%5s" % repr(b)',
    '"%s" % f"{a}"', '"%(n)s" % dict(n=b)', '"{}={}".format(\n    a,\n    b,\n)',
    "'%s' % (d['k'],)", '"%s" % (d["k"],)', '"it\'s %s" % ("|".join([a, "b"]),)',
    "r'\\d+%s' % ('|'.join([a, 'x']),)", "'%s' % ('%s' % ('x',),)",
]
ENVS = [
    {"a": "text", "b": 12, "c": 2.5, "d": {"k": "v"}},
    {"a": "", "b": None, "c": [1, (2, 3)], "d": {"k": 0}},
    {"a": "naïve", "b": "quote'\"", "c": -0.0, "d": {"k": (1,)}},
]


def _evaluate(expression: str, env: dict[str, object]) -> object:
    try:
        return eval(compile(ast.parse(expression, mode="eval"), "<case>", "eval"), {}, dict(env))
    except Exception as exc:
        return type(exc)


@pytest.mark.parametrize("before", PROPERTY)
def test_converted_expression_evaluates_to_the_same_string(before: str) -> None:
    code, gaps = convert(f"v = ({before})\n")
    after = code.removeprefix("v = ").rstrip("\n")
    assert gaps == [], gaps
    assert ".format(" not in after and "\" % " not in after and "' % " not in after, after
    for env in ENVS:
        assert _evaluate(after, env) == _evaluate(before, env), (after, env)


# Operands proved not tuples by local reasoning (every binding in the scope) -----------

INFERRED = [
    ("def f():\n    column = 7\n    if x:\n        column = 13\n    return '%s^' % (' ' * (column - 1))\n",
     "def f():\n    column = 7\n    if x:\n        column = 13\n    return f'{\" \" * (column - 1)}^'\n"),
    ("def f():\n    chars = ['<', '>', '#']\n    for c in chars:\n        print('no %s' % c)\n",
     "def f():\n    chars = ['<', '>', '#']\n    for c in chars:\n        print(f'no {c}')\n"),
    ("for c in 'ab':\n    print('%s' % c)\nfor k in ('a', 1):\n    print('%s' % k)\n",
     "for c in 'ab':\n    print(f'{c}')\nfor k in ('a', 1):\n    print(f'{k}')\n"),
    ("def f(xs):\n    nums = range(1, 3)\n    for i, x in zip(nums, xs):\n        print('%d: %s' % (i, x))\n",
     "def f(xs):\n    nums = range(1, 3)\n    for i, x in zip(nums, xs):\n        print(f'{i}: {x!s}')\n"),
    ("def f(xs):\n    for i, c in enumerate('abc', 1):\n        print('%d%s' % (i, c))\n",
     "def f(xs):\n    for i, c in enumerate('abc', 1):\n        print(f'{i}{c}')\n"),
    ("dd = {'a': 1}\nprint('keys: %s' % dd.keys())\n", "dd = {'a': 1}\nprint(f'keys: {dd.keys()}')\n"),
    ("import os.path\nimport time\np = os.path.join('a', 'b')\nv = '-I%s' % p, '%s' % time.strftime('%H')\n",
     "import os.path\nimport time\np = os.path.join('a', 'b')\nv = f'-I{p}', f'{time.strftime(\"%H\")}'\n"),
    ("from os.path import dirname as up\nv = '%s' % up(x)\n", "from os.path import dirname as up\nv = f'{up(x)}'\n"),
    ("r = 1.5\nv = '%s|%.1f|%e' % (r, r, r * 2), '%s' % (r / 2 if x else 0)\n",
     "r = 1.5\nv = f'{r}|{r:.1f}|{r * 2:e}', f'{r / 2 if x else 0}'\n"),
    ("def f(self, names):\n    nvlist = [(n, getattr(self, n)) for n in names]\n"
     "    return ', '.join('%s=%s' % nv for nv in nvlist), '%s-%r' % pair\npair = (1, 2)\n",
     "def f(self, names):\n    nvlist = [(n, getattr(self, n)) for n in names]\n"
     "    return ', '.join(f'{nv[0]!s}={nv[1]!s}' for nv in nvlist), f'{pair[0]!s}-{pair[1]!r}'\npair = (1, 2)\n"),
    ("s = 'a,b'\nv = '%s' % s.split(','), '%d' % s.count(',')\n",
     "s = 'a,b'\nv = f'{s.split(\",\")}', '%d' % s.count(',')\n"),
]


@pytest.mark.parametrize("before, after", INFERRED)
def test_operands_proved_by_local_reasoning_convert(before: str, after: str) -> None:
    code, gaps = convert(before)
    assert code == after
    assert gaps == [] or all("%d of" in g for g in gaps), gaps


NOT_PROVED = [
    "def f():\n    chars = ['<']\n    chars.append((1, 2))\n    for c in chars:\n        print('%s' % c)\n",
    "chars = ['<']\nfor c in chars:\n    print('%s' % c)\n",  # module level: another module may append
    "def f(xs):\n    for c in xs:\n        print('%s' % c)\n",
    "def f(xs):\n    for i, c in zip(xs, range(3)):\n        print('%s' % i)\n",
    "def f(n):\n    print('%s' % (n + 'x'))\n",
    "def strftime(f):\n    return (f,)\nv = '%s' % strftime('x')\n",
    "import time as os\nv = '%s' % os.path.join('a')\n",
    "d = {}\nd = (1, 2)\nv = '%s' % d.keys()\n",
    "v = '%x' % 2.5\n",
    "def f():\n    lst = [(1, 2)]\n    lst.append((1, 2, 3))\n    return ['%s=%s' % nv for nv in lst]\n",
    "def f(p):\n    pair = (1, 2)\n    if p:\n        pair = p\n    return '%s=%s' % pair\n",
]


@pytest.mark.parametrize("before", NOT_PROVED)
def test_operands_that_may_be_tuples_stay_gaps(before: str) -> None:
    code, gaps = convert(before)
    assert code == before and len(gaps) == 1, gaps


def _run(code: str) -> object:
    env: dict[str, object] = {}
    exec(compile(code, "<case>", "exec"), env)
    return env["out"]


MODULE_PROPERTY = [
    "out = []\nfor c in 'a{b':\n    out.append('<%s>' % c)\n",
    "def f():\n    r = []\n    for c in ['x', 'y%']:\n        r.append('%s|%5s|%-3s' % (c, c, c))\n    return r\nout = f()\n",
    "out = []\nfor i, w in zip(range(3), [1.5, 'w', (1,)]):\n    out.append('%d %03d %x %s' % (i, i, i, w))\n",
    "n = 7\nm = n * 2.5\nout = ['%s' % (' ' * (n - 1)), '%.2f %e %g %s' % (m, m, m / 3, m)]\n",
    "dd = {'k': (1, 2)}\nout = ['%s' % dd.keys(), '%s' % dd.values(), '%s' % dd.items()]\n",
    "def f(names):\n    nvs = [(n, (n,)) for n in names]\n    return ['%s=%r' % nv for nv in nvs]\nout = f('ab')\n",
]


@pytest.mark.parametrize("before", MODULE_PROPERTY)
def test_converted_module_computes_the_same_strings(before: str) -> None:
    after, gaps = convert(before)
    assert gaps == [] and after != before and " % " not in after, (after, gaps)
    assert _run(after) == _run(before)


def test_plain_s_of_an_unknown_type_keeps_str_before_311() -> None:
    # before 3.11, format(C.A, "") of `class C(str, Enum)` is its value, str(C.A) its name
    source = 'a = "%s|%s|%s" % (x, len(x), [x])\n'
    assert convert(source)[0] == 'a = f"{x!s}|{len(x)}|{[x]}"\n'
    assert convert(source, target="3.11")[0] == 'a = f"{x}|{len(x)}|{[x]}"\n'


def test_assume_numbers_keeps_the_type_letter_and_warns() -> None:
    source = 'a = "%s:%d" % (f, n)\nb = "%5.1f|%x" % (p, m)\nc = "%.2f" % price\nd = "%s" % name\n'
    result = FstringTransform(assume_numbers=True).transform_module(cst.parse_module(source), CTX)
    assert result.module.code == ('a = f"{f!s}:{n:d}"\nb = f"{p:5.1f}|{m:x}"\nc = f"{price:.2f}"\n'
                                  'd = "%s" % name\n')
    assert result.warnings == (
        "1:5: converted assuming `n` is an int (assume_numbers)",
        "2:5: converted assuming `p` is an int or a float (assume_numbers), `m` is an int (assume_numbers)",
        "3:5: converted assuming `price` is an int or a float (assume_numbers)",
    )
    assert [g.line for g in result.gaps] == [4]
    # a float given to %d: the f-string raises where % would truncate (never a silent change)
    with pytest.raises(ValueError):
        eval(result.module.code.splitlines()[0].removeprefix("a = "), {"f": "x", "n": 2.5})


def test_runtime_format_strings_are_gaps_only_when_provably_str() -> None:
    source = ('def f(width, s, record, n):\n    fmt = "{0:>%ds}" % (width,)\n'
              '    return fmt.format(s), record.format(), n % 3, "%s" % ("{}".format(s),)\n')
    code, gaps = convert(source)
    assert code.splitlines()[2] == '    return fmt.format(s), record.format(), n % 3, f"{f\'{s}\'}"'
    assert [g.split(": ", 1)[0] for g in gaps] == ["2:11", "3:12"], gaps
    assert "%d of an operand not provably an int" in gaps[0] and "not a plain string literal" in gaps[1]
