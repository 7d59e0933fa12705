"""Typed, frozen records of a validated playbook (the boundary between YAML and code).

Nothing downstream sees the raw YAML: ``build_playbook`` turns the validated data into
these records. Arbitrary JSON-like values (a codemod's ``with:`` arguments) are kept as
canonical JSON text so records stay hashable and picklable; ``args()`` returns a copy.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runner.playbook.read import SourceMap


def canonical_json(value: Any) -> str:
    """``value`` as compact JSON with sorted keys: equal values give equal text (hashable, cache keys)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Budget:
    """Limits of the whole playbook or one phase; None is no limit."""

    max_files: int | None = None
    max_lines: int | None = None
    max_model_calls: int | None = None
    max_model_tokens: int | None = None
    max_cost_usd: float | None = None


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """The ``model:`` section: provider, model ids per role, concurrency, token and attempt limits."""

    provider: str = "anthropic"  #: anthropic | replay | none
    name: str = "claude-sonnet-4-5"  #: the default model id of every role
    worker: str | None = None  #: fills gaps (default: name)
    reviewer: str | None = None  #: reviews diffs (default: name)
    cassette: str | None = None  #: relative to the playbook's folder
    concurrency: int = 4
    max_tokens: int = 4096
    max_attempts: int = 3
    reviewer_max_tokens: int | None = None  #: output tokens per reviewer call (review, fix); default max_tokens
    batch: bool = False  #: first attempts of a phase's gap fills as one Message Batch
    prices_json: str = "{}"  #: model id → {input, output, cache_write, cache_read} $/MTok, over the shipped table
    params_json: str = "{}"  #: sampling parameters the playbook sets (only those are sent)

    @property
    def worker_model(self) -> str:
        """The model id that fills gaps: ``worker``, else ``name``."""
        return self.worker or self.name

    @property
    def reviewer_model(self) -> str:
        """The model id that reviews diffs: ``reviewer``, else ``name``."""
        return self.reviewer or self.name

    @property
    def reviewer_tokens(self) -> int:
        """Output tokens per reviewer call: ``reviewer_max_tokens``, else ``max_tokens``."""
        return self.reviewer_max_tokens or self.max_tokens

    def prices(self) -> dict[str, dict[str, float]]:
        """The playbook's price overrides (a copy)."""
        return json.loads(self.prices_json)

    def params(self) -> dict[str, Any]:
        """The optional request parameters (``temperature``, ``top_p``, ``top_k``) the playbook sets."""
        return json.loads(self.params_json)


@dataclass(frozen=True, slots=True)
class Example:
    """One example of a task type: ``before`` must become ``after`` in a file at ``path``."""

    before: str
    after: str
    name: str = ""
    path: str = "example.py"
    #: the gaps expected in ``after``, in order: (line, text their reason contains);
    #: None: no gap may remain
    gaps: tuple[tuple[int, str], ...] | None = None


@dataclass(frozen=True, slots=True)
class TaskTypeSpec:
    """An entry of ``task_types:``: which transform, its arguments, and what a gap does."""

    name: str
    transform: str  #: a registry name, a dotted codemod path, or python:file.py:Class
    with_json: str = "{}"  #: canonical JSON of the ``with:`` mapping
    needles: tuple[str, ...] = ()
    expect_absent: tuple[str, ...] = ()
    on_gap: str = "report"  #: report | model | fail
    instructions: str = ""
    examples: tuple[Example, ...] = ()
    description: str = ""
    context: tuple[str, ...] = ()  #: globs of read-only files the model may read for a gap
    language: str | None = None  #: python | text | toml | yaml | ini; None: from each file's extension
    #: (line, column) in the playbook file of each entry of ``with: rules:`` (1-based), for messages
    rule_positions: tuple[tuple[int, int], ...] = ()
    scope: str = "file"  #: file | statement: parse only the statements holding a needle

    def args(self) -> dict[str, Any]:
        """The ``with:`` mapping, decoded afresh (the caller may change it)."""
        return json.loads(self.with_json)


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A task of a phase: a declared task type applied to the files its globs select."""

    type: str
    files: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    per: str = "file"  #: file | directory | task
    needles: tuple[str, ...] | None = None  #: overrides the task type's needles


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A check of a phase: a shell command run after the phase writes, judged against the baseline."""

    name: str
    run: str  #: a shell command; Jinja sees vars, ``changed_files`` and ``shquote``
    timeout: float = 900.0
    junit: str | None = None
    must_pass: bool = False  #: a goal: may fail before the migration, must pass after it (no baseline excuse)


@dataclass(frozen=True, slots=True)
class GateSpec:
    """A phase's gate: model review, approval, and what a rejection does."""

    review: str = "none"  #: none | model
    approval: str = "auto"  #: auto | manual
    review_on: str = "all"  #: all | model-edits: which subtasks the model reviews
    review_sample: float = 1.0  #: fraction of those, chosen by subtask id (stable)
    on_reject: str = "stop"  #: stop | continue: after a review rejected subtasks


@dataclass(frozen=True, slots=True)
class PhaseSpec:
    """A phase: its tasks, budget, checks, formatter, gate and failure policy."""

    name: str
    tasks: tuple[TaskSpec, ...]
    budget: Budget = Budget()
    checks: tuple[CheckSpec, ...] = ()
    format: str | None = None
    gate: GateSpec = GateSpec()
    on_failure: str = "stop"  #: stop | rollback | bisect | fix
    after_fix: str = "stop"  #: with ``on_failure: [fix, X]``: stop | rollback | bisect once the fix rounds are spent
    on_error: str = "stop"  #: stop | continue: whether later phases run after a failed subtask
    commit: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class SelectSpec:
    """The ``select:`` section: files left out of every task (globs, generated files) and the size limit."""

    exclude: tuple[str, ...] = ()
    include_generated: bool = False
    max_file_bytes: int = 2 * 1024 * 1024  #: bigger files are skipped (libcst's cost grows fast with size)


DEFAULT_SELECT = SelectSpec()


@dataclass(frozen=True, slots=True)
class Playbook:
    """A validated playbook as frozen records (what every later stage reads)."""

    path: str  #: as given by the user (used in messages)
    sha256: str  #: of the playbook file's bytes
    name: str
    description: str
    vars: tuple[tuple[str, str | int | float | bool], ...]
    select: SelectSpec
    budget: Budget
    model: ModelSpec | None
    task_types: tuple[TaskTypeSpec, ...]
    phases: tuple[PhaseSpec, ...]

    def task_type(self, name: str) -> TaskTypeSpec:
        """The task type called ``name``; KeyError when none is declared."""
        for spec in self.task_types:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def phase(self, name: str) -> PhaseSpec:
        """The phase called ``name``; KeyError when there is none."""
        for spec in self.phases:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def folder(self) -> str:
        """The absolute folder of the playbook file (cassettes and lock files are relative to it)."""
        import os

        return os.path.dirname(os.path.abspath(self.path))


def build_gate(raw: dict[str, Any]) -> GateSpec:
    """``gate:`` as a record; ``review: {on, sample}`` is a model review limited to some subtasks."""
    review = raw.get("review", "none")
    limits = review if isinstance(review, dict) else {}
    return GateSpec(
        review="model" if isinstance(review, dict) else review,
        approval=raw.get("approval", "auto"),
        review_on=limits.get("on", "all"),
        review_sample=float(limits.get("sample", 1.0)),
        on_reject=raw.get("on_reject", "stop"),
    )


def _first(value: str | list[str]) -> str:
    return value[0] if isinstance(value, list) else value


def build_playbook(path: str, sha256: str, data: dict[str, Any], positions: SourceMap | None = None) -> Playbook:
    """Build the frozen records from schema-valid data (defaults applied here).

    ``data`` must already be valid against the playbook schema: a missing required key
    raises KeyError. ``positions`` (the reader's SourceMap) places each rule of a task
    type's ``with: rules:``. Pure: reads nothing, writes nothing.
    """
    select = data.get("select", {})
    return Playbook(
        path=path,
        sha256=sha256,
        name=data["name"],
        description=data.get("description", ""),
        vars=tuple(sorted(data.get("vars", {}).items())),
        select=SelectSpec(
            exclude=tuple(select.get("exclude", ())),
            include_generated=bool(select.get("include_generated", False)),
            max_file_bytes=select.get("max_file_bytes", DEFAULT_SELECT.max_file_bytes),
        ),
        budget=Budget(**(data.get("budget") or {})),
        model=build_model_spec(data["model"]) if "model" in data else None,
        task_types=tuple(build_task_type(name, raw, positions) for name, raw in data["task_types"].items()),
        phases=tuple(build_phase(raw) for raw in data["phases"]),
    )


def build_task_type(name: str, raw: dict[str, Any], positions: SourceMap | None = None) -> TaskTypeSpec:
    """One entry of ``task_types:`` (schema-valid) as a record, its examples numbered from 1."""
    return TaskTypeSpec(
        name=name,
        transform=raw["transform"],
        with_json=canonical_json(raw.get("with", {})),
        needles=tuple(raw.get("needles", ())),
        expect_absent=tuple(raw.get("expect_absent", ())),
        on_gap=raw.get("on_gap", "report"),
        instructions=raw.get("instructions", ""),
        language=raw.get("language"),
        scope=raw.get("scope", "file"),
        examples=tuple(build_example(i, ex) for i, ex in enumerate(raw.get("examples", ()))),
        description=raw.get("description", ""),
        context=tuple(raw.get("context", ())),
        rule_positions=_rule_positions(positions, name, raw),
    )


def _rule_positions(positions: SourceMap | None, name: str, raw: dict[str, Any]) -> tuple[tuple[int, int], ...]:
    rules = raw.get("with", {}).get("rules") if isinstance(raw.get("with"), dict) else None
    if positions is None or not isinstance(rules, list):
        return ()
    return tuple(positions.position(("task_types", name, "with", "rules", i)) for i in range(len(rules)))


def build_example(index: int, raw: dict[str, Any]) -> Example:
    """The ``index``-th (0-based) example of a task type; unnamed, it is "example N" (1-based)."""
    return Example(
        before=raw["before"],
        after=raw["after"],
        name=raw.get("name", f"example {index + 1}"),
        path=raw.get("path", "example.py"),
        gaps=tuple((g["line"], g.get("contains", "")) for g in raw["gaps"]) if "gaps" in raw else None,
    )


def build_phase(raw: dict[str, Any]) -> PhaseSpec:
    """One entry of ``phases:`` (schema-valid) as a record; ``on_failure: [fix, X]`` sets ``after_fix`` to X."""
    return PhaseSpec(
        name=raw["name"],
        tasks=tuple(build_task(t) for t in raw["tasks"]),
        budget=Budget(**(raw.get("budget") or {})),
        checks=tuple(build_check(c) for c in raw.get("checks", ())),
        format=raw.get("format"),
        gate=build_gate(raw.get("gate", {})),
        on_failure=_first(raw.get("on_failure", "stop")),
        after_fix=raw["on_failure"][1] if isinstance(raw.get("on_failure"), list) else "stop",
        on_error=raw.get("on_error", "stop"),
        commit=raw.get("commit", "none") == "phase",
        description=raw.get("description", ""),
    )


def build_task(raw: dict[str, Any]) -> TaskSpec:
    """One entry of a phase's ``tasks:``; ``needles`` stays None when the task does not set it."""
    return TaskSpec(
        type=raw["type"],
        files=tuple(raw["files"]),
        exclude=tuple(raw.get("exclude", ())),
        per=raw.get("per", "file"),
        needles=tuple(raw["needles"]) if "needles" in raw else None,
    )


def build_check(raw: dict[str, Any]) -> CheckSpec:
    """One entry of a phase's ``checks:`` (timeout 900 s unless set)."""
    return CheckSpec(
        name=raw["name"], run=raw["run"], timeout=float(raw.get("timeout", 900)), junit=raw.get("junit"),
        must_pass=bool(raw.get("must_pass", False)),
    )


SAMPLING_PARAMS = ("temperature", "top_p", "top_k")


def build_model_spec(raw: dict[str, Any]) -> ModelSpec:
    """The ``model:`` section as a record; sampling parameters are kept only when set."""
    plain = {k: v for k, v in raw.items() if k not in ("prices", *SAMPLING_PARAMS)}
    params = {k: raw[k] for k in SAMPLING_PARAMS if k in raw}
    return ModelSpec(**plain, prices_json=canonical_json(raw.get("prices", {})), params_json=canonical_json(params))
