"""Apply a phase's tree tasks to one file: parse once, tasks in declared order.

``apply_file_job`` is the process-pool worker: it takes a picklable FileJob and
returns a FileResult; it never raises for a bad file or a failing transform.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace

from runner.lazy import lazy_module
from runner.playbook.spec import TaskTypeSpec
from runner.transforms.depth import RECURSION_LIMIT, deep_statements, too_deep_to_parse
from runner.transforms.gap_needles import with_gap_needles
from runner.transforms.base import Changed, FileContext, Outcome, TreeResult, Unchanged, Failed
from runner.transforms.validation import (  # re-exported: the engine's helpers live in a leaf module
    describe_parse_error, find_absent_violations, language_of, parse_lossless, parse_python, validation_error,
    whitespace_only,
)

GENERATED_MARKER = b"@" + b"generated"

cst = lazy_module("libcst")  # imported by the first file a transform parses with it


@dataclass(frozen=True, slots=True)
class Step:
    """One task's transform to apply to a file, in its phase's order."""

    task_index: int  #: position of the task in its phase
    spec: TaskTypeSpec  #: rendered (vars substituted)
    needles: tuple[str, ...] | None  #: the task's override, None = the transform's own


@dataclass(frozen=True, slots=True)
class FileJob:
    """One file's work for a worker: its bytes and the steps to apply, picklable for process pools."""

    root: str
    path: str
    source: bytes
    steps: tuple[Step, ...]
    include_generated: bool = False


@dataclass(frozen=True, slots=True)
class FileResult:
    """What a worker returns for a file: each step's outcome and the final bytes."""

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
    """The file's context: its module and package names when it lies under a Python package, else None for both."""
    abspath = os.path.join(root, *path.split("/"))
    try:
        name, package = module_and_package(root, abspath)
        return FileContext(root, path, name, package)
    except ValueError:
        return FileContext(root, path, None, None)


def module_and_package(root: str, filename: str) -> tuple[str, str]:
    """The dotted module and package names of ``filename`` below ``root``, as
    ``libcst.helpers.calculate_module_and_package(root, filename)`` names them (without
    importing libcst): the path relative to ``root`` without its last suffix, its parts
    joined by dots; an ``__init__`` or ``__main__`` module is named after its folder,
    which is also its package. Raises ``ValueError`` when ``filename`` is not below
    ``root`` (or is ``root`` itself)."""
    parts = _plain_parts(root, filename)
    if parts is None:  # a path pathlib would normalise, or not below the root: pathlib's answer
        from pathlib import PurePath

        parts = list(PurePath(filename).relative_to(root).with_suffix("").parts)
    else:
        parts[-1] = _without_suffix(parts[-1])
    if _without_suffix(parts[-1]) in ("__init__", "__main__"):
        name = ".".join(parts[:-1])
        return name, name
    return ".".join(parts), ".".join(parts[:-1])


def _plain_parts(root: str, filename: str) -> list[str] | None:
    """The parts of ``filename`` below ``root`` as ``PurePath.relative_to`` gives them, when
    both are spelled as pathlib spells them (POSIX, no empty or ``.`` part, no trailing
    slash, the last part not ending with a dot); None for every other case."""
    if os.sep != "/" or not root or root.endswith(("/", ".")) or not filename.startswith(root + "/") \
            or "//" in root or "/./" in root or root.startswith("./"):
        return None
    parts = filename[len(root) + 1:].split("/")
    if "" in parts or "." in parts or parts[-1].endswith("."):
        return None
    return parts


def _without_suffix(name: str) -> str:
    """``name`` without its last suffix, as ``PurePath.with_suffix("")`` and ``.stem`` cut it."""
    at = name.rfind(".")
    return name[:at] if 0 < at < len(name) - 1 else name


def needles_match(needles: tuple[str, ...], source: bytes) -> bool:
    """Some needle occurs in ``source`` (always True without needles): the file may change, so it is parsed."""
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
        if not needles_match(with_gap_needles(transform.needles(), step.spec.expect_absent), current):  # type: ignore[attr-defined]
            outcomes.append((step.task_index, Unchanged("no needle")))
            continue
        language = language_of(job.path, step.spec.language)
        if hasattr(transform, "transform_text") and (language != "python" or not hasattr(transform, "transform_module")):
            outcome = _apply_text_step(transform, step, current, ctx, language)
            outcomes.append((step.task_index, outcome))
            if isinstance(outcome, Changed):
                current, tree = outcome.after, None
            continue
        if language != "python":
            reason = f"`{step.spec.transform}` edits Python and {job.path} is {language}; use `replace` or `command`"
            outcomes.append((step.task_index, Failed(reason)))
            continue
        outcome, tree = _apply_python_step(transform, step, current, tree, ctx)
        outcomes.append((step.task_index, outcome))
        if isinstance(outcome, Changed):
            current = outcome.after
    return FileResult(job.path, tuple(outcomes), current)


def _apply_python_step(transform, step: Step, current: bytes, tree, ctx: FileContext, masked: bool = False):  # type: ignore[no-untyped-def]
    """One tree transform's step on ``current`` (``tree``: its libcst tree, or None):
    (the outcome, the tree of the file it leaves, or None). A statement nested too
    deeply for libcst (``depth``) is masked: found from the text before libcst parses
    the file, or once the transform hit RecursionError; it becomes a gap and the rest
    of the file is transformed (``masked``: this is that run)."""
    early = _precheck(transform, step, current, ctx)  # known without parsing the whole file
    if early is None and step.spec.scope == "statement":
        early = _apply_statement_step(transform, step, current, ctx)
    if early is not None:
        return early, (None if isinstance(early, Changed) else tree)
    if tree is None:
        deep = () if masked else too_deep_to_parse(_text_of(current))
        if deep:
            return _apply_masked(transform, step, current, ctx, deep), None
        try:
            tree = parse_lossless(current)
        except Exception as exc:
            return Failed(describe_parse_error(exc)), None
    try:
        outcome, new_tree = _apply_step(transform, step, tree, current, ctx)
    except RecursionError:
        deep = () if masked else deep_statements(_text_of(current), RECURSION_LIMIT)
        if not deep:
            return Failed(f"RecursionError in {step.spec.transform}: the file is nested too deeply"), tree
        return _apply_masked(transform, step, current, ctx, deep), None
    return outcome, (new_tree if isinstance(outcome, Changed) else tree)


def _text_of(source: bytes) -> str:
    return source.decode("utf-8", "surrogateescape")


def _apply_masked(transform, step: Step, current: bytes, ctx: FileContext, deep) -> Outcome:  # type: ignore[no-untyped-def]
    """The step on ``current`` with its ``deep`` statements masked (``masking``): each
    is one gap, the rest of the file is transformed; Failed when a statement cannot be
    masked or the transform would change it."""
    from runner.transforms.masking import deep_gaps, mask_statements, outside, unmask  # only for such a file

    reason = "expression nested too deeply for the parser/transform: " + ", ".join(f"line {d.first}" for d in deep)
    masked = mask_statements(_text_of(current), deep)
    if masked is None:
        return Failed(f"{reason}; the file cannot be transformed without that statement (a header, an import, a del)")
    source = masked.text.encode("utf-8", "surrogateescape")
    try:
        outcome, _ = _apply_python_step(transform, step, source, None, ctx, masked=True)
    except RecursionError:
        return Failed(f"{reason}; RecursionError in {step.spec.transform} on the rest of the file")
    after, spans = current, [(d.first, d.last) for d in deep]
    if isinstance(outcome, Changed):
        back = unmask(_text_of(outcome.after), masked)
        if back is None:
            return Failed(f"{reason}; the transform would change that statement, so the file is left as it was")
        after, spans = back[0].encode("utf-8", "surrogateescape"), back[1]
    gaps = tuple(sorted([*outside(outcome.gaps, spans), *deep_gaps(ctx.path, masked, spans)],
                        key=lambda g: (g.line, g.column)))
    if isinstance(outcome, Failed):
        return replace(outcome, gaps=gaps)
    if step.spec.on_gap == "fail":
        return Failed(f"{len(gaps)} gap(s) remain and on_gap is fail", outcome.warnings, gaps, outcome.rules)
    if isinstance(outcome, Changed):
        return Changed(current, after, outcome.warnings, gaps, outcome.rules)
    return replace(outcome, gaps=gaps)


def _precheck(transform, step: Step, current: bytes, ctx: FileContext) -> Outcome | None:  # type: ignore[no-untyped-def]
    """A transform's optional ``precheck(source, ctx)``: the outcome its tree path would
    give, known without parsing the whole file (an ``Unchanged``, or a ``Changed`` without
    gaps; with gaps too when the transform sets ``precheck_gaps``, and then ``on_gap:
    fail`` fails the file as the tree path does), or None. Not asked when the task checks
    ``expect_absent`` (that needs the tree); a precheck that raises, or answers anything
    else, counts as None."""
    if step.spec.expect_absent or not hasattr(transform, "precheck"):
        return None
    try:
        early = transform.precheck(current, ctx)
    except Exception:  # noqa: BLE001 - the tree path decides (and reports) instead
        return None
    if not isinstance(early, (Unchanged, Changed)):
        return None
    if early.gaps and not getattr(transform, "precheck_gaps", False):
        return None
    if early.gaps and step.spec.on_gap == "fail":
        return Failed(f"{len(early.gaps)} gap(s) remain and on_gap is fail", early.warnings, early.gaps, early.rules)
    return early


def _apply_text_step(transform, step: Step, current: bytes, ctx: FileContext, language: str) -> Outcome:  # type: ignore[no-untyped-def]
    """A text transform (``replace``) on any file; the result is validated in ``language``."""
    try:
        text = current.decode("utf-8")
    except UnicodeDecodeError:
        return Failed("not valid UTF-8: a text transform cannot edit it")
    try:
        result = transform.transform_text(text, ctx)
    except Exception as exc:
        return Failed(f"{type(exc).__name__} in {step.spec.transform}: {exc}")
    after = result.text.encode("utf-8")
    warnings = tuple(result.warnings)
    error = validation_error(language, after) if after != current else None
    if error:
        return Failed(f"the result does not re-parse: {error}", warnings)
    try:
        tree = parse_python(after) if language == "python" and step.spec.expect_absent else None
    except Exception as exc:  # the file as the step leaves it does not parse: expect_absent cannot be checked
        return Failed(f"expect_absent cannot be checked: {describe_parse_error(exc)}", warnings)
    gaps = find_absent_violations(step.spec, tree, after, ctx.path)
    if step.spec.on_gap == "fail" and gaps:
        return Failed(f"{len(gaps)} gap(s) remain and on_gap is fail", warnings, gaps)
    if after == current:
        return Unchanged("" if result.replacements else "no match", warnings, gaps)
    if language == "python" and whitespace_only(current, after):
        return Unchanged("whitespace-only change dropped", warnings, gaps)
    return Changed(current, after, warnings, gaps)


def _apply_statement_step(transform, step: Step, current: bytes, ctx: FileContext) -> Outcome | None:  # type: ignore[no-untyped-def]
    """``scope: statement``: the codemod on the statements holding its needles only; None
    when that cannot be exact (the caller runs the step on the whole file)."""
    if not _loaded_instance(transform, "runner.transforms.codemod", "CodemodTransform") or step.spec.expect_absent:
        return None
    from runner.transforms.statements import transform_statements  # a codemod's path only

    done = transform_statements(current, transform.needles(),
                                lambda module: transform.transform_module(module, ctx, statement_scope=True))
    if done is None:
        return None
    if step.spec.on_gap == "fail" and done.gaps:
        return Failed(f"{len(done.gaps)} gap(s) remain and on_gap is fail", done.warnings, done.gaps)
    if done.after == current:
        return Unchanged("", done.warnings, done.gaps)
    if whitespace_only(done.scoped_before, done.scoped_after):
        return Unchanged("whitespace-only change dropped", done.warnings, done.gaps)
    return Changed(current, done.after, done.warnings, done.gaps)


def _loaded_instance(obj: object, module: str, name: str) -> bool:
    """``obj`` is an instance of ``module.name``, looked up only when that module was imported:
    were it not, no instance of its class could exist (so libcst.codemod, whose matchers take
    a third of a second to import, is imported only by what uses it)."""
    loaded = sys.modules.get(module)
    cls = getattr(loaded, name, None) if loaded is not None else None
    return cls is not None and isinstance(obj, cls)


def _apply_step(transform, step: Step, tree: cst.Module, current: bytes, ctx: FileContext):  # type: ignore[no-untyped-def]
    try:
        result: TreeResult = transform.transform_module(tree, ctx)
    except RecursionError:
        raise  # (the caller masks the statements nested too deeply, or fails the file)
    except Exception as exc:
        if _loaded_instance(exc, "libcst.codemod", "SkipFile"):
            return Unchanged(f"skipped: {exc}" if str(exc) else "skipped by the transform"), tree
        return Failed(f"{type(exc).__name__} in {step.spec.transform}: {exc}"), tree
    warnings, rules = tuple(result.warnings), result.rules
    try:
        after = result.module.bytes if result.code is None else result.code.encode(result.module.encoding)
    except RecursionError:
        raise
    except Exception as exc:
        return Failed(f"the transform produced a tree that cannot be rendered: {exc}", warnings, rules=rules), tree
    new_tree = tree
    if after != current and result.checked:
        new_tree = result.module
    elif after != current:
        try:
            new_tree = cst.parse_module(after)
        except Exception as exc:
            return Failed(f"the result does not re-parse: {describe_parse_error(exc)}", warnings, rules=rules), tree
    gaps = tuple(result.gaps) + find_absent_violations(step.spec, new_tree, after, ctx.path)
    if step.spec.on_gap == "fail" and gaps:
        return Failed(f"{len(gaps)} gap(s) remain and on_gap is fail", warnings, gaps, rules), tree
    if after == current:
        return Unchanged("", warnings, gaps, rules), tree
    if whitespace_only(current, after):
        return Unchanged("whitespace-only change dropped", warnings, gaps, rules), tree
    return Changed(current, after, warnings, gaps, rules), new_tree
