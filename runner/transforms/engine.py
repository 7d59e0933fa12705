"""Apply a phase's tree tasks to one file: parse once, tasks in declared order.

``apply_file_job`` is the process-pool worker: it takes a picklable FileJob and
returns a FileResult; it never raises for a bad file or a failing transform.
"""
from __future__ import annotations

import io
import os
import tokenize
from dataclasses import dataclass

import libcst as cst
from libcst.codemod import SkipFile
from libcst.helpers import calculate_module_and_package

from runner.playbook.spec import TaskTypeSpec
from runner.transforms.base import Changed, FileContext, Gap, Outcome, TreeResult, Unchanged, Failed

GENERATED_MARKER = b"@" + b"generated"


@dataclass(frozen=True, slots=True)
class Step:
    task_index: int  #: position of the task in its phase
    spec: TaskTypeSpec  #: rendered (vars substituted)
    needles: tuple[str, ...] | None  #: the task's override, None = the transform's own


@dataclass(frozen=True, slots=True)
class FileJob:
    root: str
    path: str
    source: bytes
    steps: tuple[Step, ...]
    include_generated: bool = False


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    outcomes: tuple[tuple[int, Outcome], ...]  #: (task_index, outcome) in step order
    final: bytes


_TRANSFORMS: dict[tuple[str, TaskTypeSpec, tuple[str, ...] | None], object] = {}


def _transform_for(root: str, step: Step) -> object:
    from runner.transforms.registry import build_transform

    key = (root, step.spec, step.needles)
    if key not in _TRANSFORMS:
        _TRANSFORMS[key] = build_transform(step.spec, root, step.needles)
    return _TRANSFORMS[key]


def file_context(root: str, path: str) -> FileContext:
    abspath = os.path.join(root, *path.split("/"))
    try:
        names = calculate_module_and_package(root, abspath)
        return FileContext(root, path, names.name, names.package)
    except ValueError:
        return FileContext(root, path, None, None)


def needles_match(needles: tuple[str, ...], source: bytes) -> bool:
    return not needles or any(n.encode("utf-8") in source for n in needles)


def apply_file_job(job: FileJob) -> FileResult:
    """Run every step on the file; each step sees the previous step's output."""
    if not job.include_generated and GENERATED_MARKER in job.source:
        skipped = Unchanged("generated file (@generated); set select.include_generated: true to change it")
        return FileResult(job.path, tuple((s.task_index, skipped) for s in job.steps), job.source)
    ctx = file_context(job.root, job.path)
    current, tree = job.source, None
    outcomes: list[tuple[int, Outcome]] = []
    for step in job.steps:
        try:
            transform = _transform_for(job.root, step)
        except Exception as exc:
            outcomes.append((step.task_index, Failed(f"transform does not load: {exc}")))
            continue
        if not needles_match(transform.needles(), current):  # type: ignore[attr-defined]
            outcomes.append((step.task_index, Unchanged("no needle")))
            continue
        if tree is None:
            try:
                tree = cst.parse_module(current)
            except Exception as exc:
                outcomes.append((step.task_index, Failed(describe_parse_error(exc))))
                continue
        outcome, new_tree = _apply_step(transform, step, tree, current, ctx)
        outcomes.append((step.task_index, outcome))
        if isinstance(outcome, Changed):
            current, tree = outcome.after, new_tree
    return FileResult(job.path, tuple(outcomes), current)


def _apply_step(transform, step: Step, tree: cst.Module, current: bytes, ctx: FileContext):  # type: ignore[no-untyped-def]
    try:
        result: TreeResult = transform.transform_module(tree, ctx)
    except SkipFile as exc:
        return Unchanged(f"skipped: {exc}" if str(exc) else "skipped by the transform"), tree
    except Exception as exc:
        return Failed(f"{type(exc).__name__} in {step.spec.transform}: {exc}"), tree
    warnings = tuple(result.warnings)
    try:
        after = result.module.bytes
    except Exception as exc:
        return Failed(f"the transform produced a tree that cannot be rendered: {exc}", warnings), tree
    new_tree = tree
    if after != current:
        try:
            new_tree = cst.parse_module(after)
        except Exception as exc:
            return Failed(f"the result does not re-parse: {describe_parse_error(exc)}", warnings), tree
    gaps = tuple(result.gaps) + find_absent_violations(step.spec, new_tree, after, ctx.path)
    if step.spec.on_gap == "fail" and gaps:
        return Failed(f"{len(gaps)} gap(s) remain and on_gap is fail", warnings, gaps), tree
    if after == current:
        return Unchanged("", warnings, gaps), tree
    if whitespace_only(current, after):
        return Unchanged("whitespace-only change dropped", warnings, gaps), tree
    return Changed(current, after, warnings, gaps), new_tree


def find_absent_violations(spec: TaskTypeSpec, tree: cst.Module, source: bytes, path: str) -> tuple[Gap, ...]:
    """Sites of the task's ``expect_absent`` entries that remain after its transform.

    Patterns are searched in one walk of the tree, text entries in one pass over the lines.
    """
    if not spec.expect_absent:
        return ()
    patterns, texts = [], []
    for entry in spec.expect_absent:
        pattern = _pattern_for(entry)
        if pattern is not None:
            patterns.append((pattern, f"`{entry}` remains (expect_absent)"))
        else:
            texts.append(entry)
    gaps: list[Gap] = []
    if patterns:
        from runner.transforms.rewrite import find_patterns_sites

        gaps.extend(find_patterns_sites(tree, patterns, path))
    if texts:
        for lineno, line in enumerate(source.decode(tree.encoding, "replace").splitlines(), start=1):
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
    """True when the two sources differ only in layout (same tokens, same comments)."""
    key = _token_key(before)
    return key is not None and key == _token_key(after)


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


def describe_parse_error(exc: Exception) -> str:
    """One line saying why a file is not parseable Python."""
    if isinstance(exc, cst.ParserSyntaxError):
        message = exc.message.removeprefix("parser error: ")
        return f"not valid Python: {_clip(message)}"
    if isinstance(exc, UnicodeDecodeError) or (isinstance(exc, SyntaxError) and "encoding" in str(exc)):
        return "not valid UTF-8 (nor its declared encoding): the file cannot be decoded"
    if isinstance(exc, LookupError):
        return f"unknown source encoding: {exc}"
    return f"cannot parse: {_clip(' '.join(str(exc).split()))}"


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
