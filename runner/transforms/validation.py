"""Checks shared by the engine and the ``command`` transform (a leaf: imports no transform).

* :func:`language_of`: which parser validates a file (``.py``/``.pyi`` are always
  Python; else the task type's ``language``, else the extension: ``.toml``,
  ``.yaml``/``.yml``, ``.cfg``/``.ini``, anything else ``text``);
* :func:`validation_error`: why a result is not valid in its language (libcst for
  Python, tomllib/tomli, ruamel.yaml, configparser; ``text`` is never invalid);
* :func:`find_absent_violations`: a task's ``expect_absent`` sites;
* :func:`whitespace_only` / :func:`describe_parse_error` for Python sources.
"""
from __future__ import annotations

import io
import re
import sys
import tokenize

from runner.lazy import lazy_module
from runner.playbook.spec import TaskTypeSpec
from runner.transforms.base import Gap
from runner.transforms.depth import too_deep_to_parse

cst = lazy_module("libcst")

LANGUAGES = ("python", "text", "toml", "yaml", "ini")
_BY_EXTENSION = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".cfg": "ini", ".ini": "ini"}


def language_of(path: str, declared: str | None = None) -> str:
    """The language a file is validated as; Python files stay Python whatever is declared."""
    name = path.rsplit("/", 1)[-1].lower()
    if name.endswith((".py", ".pyi")):
        return "python"
    if declared:
        return declared
    dot = name.rfind(".")
    return _BY_EXTENSION.get(name[dot:], "text") if dot >= 0 else "text"


def validation_error(language: str, data: bytes) -> str | None:
    """One line saying why ``data`` is not valid ``language``, or None when it is."""
    if language == "python":
        try:
            parse_python(data)
        except Exception as exc:
            reason = describe_parse_error(exc)
            return f"cannot be checked: {reason}" if reason.startswith(TOO_DEEP) else reason
        return None
    if language == "text":
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "not valid UTF-8"
    try:
        _PARSERS[language](text)
    except Exception as exc:
        return f"not valid {language.upper() if language != 'yaml' else 'YAML'}: {_clip(' '.join(str(exc).split()))}"
    return None


def _parse_toml(text: str) -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    tomllib.loads(text)


def _parse_yaml(text: str) -> None:
    from ruamel.yaml import YAML

    list(YAML(typ="safe", pure=True).load_all(text))


def _parse_ini(text: str) -> None:
    import configparser  # ini files only: ~1.3 ms of import that a plan of Python files never needs

    configparser.ConfigParser(interpolation=None, strict=False).read_string(text)


_PARSERS = {"toml": _parse_toml, "yaml": _parse_yaml, "ini": _parse_ini}


def find_absent_violations(spec: TaskTypeSpec, tree: cst.Module | None, source: bytes, path: str) -> tuple[Gap, ...]:
    """Sites of the task's ``expect_absent`` entries that remain after its transform.

    Patterns are searched in one walk of the tree (Python only: ``tree`` None means the
    file is not Python and only text entries apply), text entries in one pass over the lines.
    """
    if not spec.expect_absent:
        return ()
    patterns, texts = [], []
    for entry in spec.expect_absent:
        pattern = _pattern_for(entry) if tree is not None else None
        if pattern is not None:
            patterns.append((pattern, f"`{entry}` remains (expect_absent)"))
        else:
            texts.append(entry)
    gaps: list[Gap] = []
    if patterns and tree is not None:
        from runner.transforms.rewrite import find_patterns_sites

        gaps.extend(find_patterns_sites(tree, patterns, path))
    if texts:
        for lineno, line in enumerate(source.decode(tree.encoding if tree is not None else "utf-8", "replace").splitlines(), start=1):
            for entry in texts:
                col = line.find(entry)
                if col >= 0:
                    gaps.append(Gap(path, lineno, col + 1, f"`{entry}` remains (expect_absent)", line.strip()))
    return tuple(sorted(gaps, key=lambda g: (g.line, g.column)))


_PATTERNS: dict[str, object] = {}


def _pattern_for(entry: str) -> object | None:
    try:
        from runner.transforms.rewrite import compile_pattern, looks_like_pattern
    except ImportError:
        return None
    if entry not in _PATTERNS:
        _PATTERNS[entry] = compile_pattern(entry) if looks_like_pattern(entry) else None
    return _PATTERNS[entry]


def whitespace_only(before: bytes, after: bytes) -> bool:
    """True when the two sources differ only in layout (same tokens, same comments).

    Sources with the same tokens have the same text once whitespace and line
    continuations are dropped, so when those texts differ (any real edit) the answer is
    False without tokenizing; tokenizing decides the rest.
    """
    if _squashed(before) != _squashed(after):
        return False
    key = _token_key(before)
    return key is not None and key == _token_key(after)


_LAYOUT = re.compile(rb"[\s\\]+")


def _squashed(source: bytes) -> bytes:
    return _LAYOUT.sub(b"", source.removeprefix(b"\xef\xbb\xbf"))  # (the BOM is not a token either)


def _token_key(source: bytes) -> list[tuple[int, str]] | None:
    skip_text = (tokenize.INDENT, tokenize.NEWLINE, tokenize.DEDENT)
    try:
        return [
            (tok.type, "" if tok.type in skip_text else tok.string)
            for tok in tokenize.tokenize(io.BytesIO(source).readline)
            if tok.type not in (tokenize.NL, tokenize.ENCODING)
        ]
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        return None


class LossyParse(ValueError):
    """libcst parsed the file but would not give its bytes back (see :func:`parse_lossless`)."""


def parse_lossless(source: bytes) -> "cst.Module":
    """``source`` parsed with libcst, whose tree renders back to exactly ``source``.

    libcst drops two things it parses: a carriage return that ends a file (``"x\\r"``
    renders as ``"x"``) and a form feed in the leading whitespace of a line that holds code
    (``"\\fdef f(): ..."`` renders without it). A file holding either would come
    back changed where no transform edits it, so it raises :class:`LossyParse` (described
    by :func:`describe_parse_error`, naming the line). Only files ending in ``\\r`` or
    holding a form feed are rendered again to check; any other parse error propagates as
    libcst raises it.
    """
    module = cst.parse_module(source)
    if (source.endswith(b"\r") or b"\x0c" in source) and module.bytes != source:
        raise LossyParse(_lossy_reason(source, module.bytes))
    return module


def _lossy_reason(source: bytes, rendered: bytes) -> str:
    """Why libcst's rendering of ``source`` differs from it: the first line that differs."""
    lines, back = source.splitlines(keepends=True), rendered.splitlines(keepends=True)
    line = next((i for i, (a, b) in enumerate(zip(lines, back)) if a != b), min(len(lines), len(back)))
    text = lines[line] if line < len(lines) else b""
    if b"\x0c" in text[: len(text) - len(text.lstrip(b" \t\x0c"))]:
        return (f"libcst drops the form feed in the indentation of line {line + 1}, so no edit of this file "
                f"would be lossless; put the form feed on a line of its own")
    if source.endswith(b"\r") and rendered == source[:-1]:
        return ("libcst drops the carriage return that ends this file, so no edit of it would be lossless; "
                "end the file with \\n or \\r\\n")
    return f"libcst does not render line {line + 1} back as written, so no edit of this file would be lossless"


#: how a refused parse (``parse_python``) begins its message
TOO_DEEP = "expression nested too deeply for the parser"


def parse_python(source: bytes | str) -> cst.Module:
    """``libcst.parse_module(source)``, except that a text holding a statement nested too
    deeply for libcst (``depth.too_deep_to_parse``: it would take seconds, or overflow the C
    stack and kill the process) raises ``libcst.ParserSyntaxError`` at once, its message
    naming the line; callers handle it as any file that does not parse."""
    text = source if isinstance(source, str) else source.decode("utf-8", "surrogateescape")
    deep = too_deep_to_parse(text)
    if deep:
        line = deep[0].first
        raise cst.ParserSyntaxError(f"{TOO_DEEP}: line {line}", lines=text.splitlines(keepends=True) or [""],
                                    raw_line=line, raw_column=0)
    return cst.parse_module(source)


def describe_parse_error(exc: Exception) -> str:
    """One line saying why a file is not parseable Python (or, for :class:`LossyParse`, why
    it cannot be edited losslessly)."""
    if isinstance(exc, LossyParse):
        return str(exc)
    if "libcst" in sys.modules and isinstance(exc, cst.ParserSyntaxError):  # no libcst, no libcst error
        message = exc.message.removeprefix("parser error: ")
        return _clip(message) if message.startswith(TOO_DEEP) else f"not valid Python: {_clip(message)}"
    if isinstance(exc, UnicodeDecodeError) or (isinstance(exc, SyntaxError) and "encoding" in str(exc)):
        return "not valid UTF-8 (nor its declared encoding): the file cannot be decoded"
    if isinstance(exc, LookupError):
        return f"unknown source encoding: {exc}"
    return f"cannot parse: {_clip(' '.join(str(exc).split()))}"


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
