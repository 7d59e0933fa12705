"""Typed, frozen records of a validated playbook (the boundary between YAML and code).

Nothing downstream sees the raw YAML: ``build_playbook`` turns the validated data into
these records. Arbitrary JSON-like values (a codemod's ``with:`` arguments) are kept as
canonical JSON text so records stay hashable and picklable; ``args()`` returns a copy.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Budget:
    max_files: int | None = None
    max_lines: int | None = None
    max_model_calls: int | None = None
    max_model_tokens: int | None = None
    max_cost_usd: float | None = None


@dataclass(frozen=True, slots=True)
class ModelSpec:
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
        return self.worker or self.name

    @property
    def reviewer_model(self) -> str:
        return self.reviewer or self.name

    @property
    def reviewer_tokens(self) -> int:
        return self.reviewer_max_tokens or self.max_tokens

    def prices(self) -> dict[str, dict[str, float]]:
        """The playbook's price overrides (a copy)."""
        return json.loads(self.prices_json)

    def params(self) -> dict[str, Any]:
        """The optional request parameters (``temperature``, ``top_p``, ``top_k``) the playbook sets."""
        return json.loads(self.params_json)


@dataclass(frozen=True, slots=True)
class Example:
    before: str
    after: str
    name: str = ""
    path: str = "example.py"
    #: the gaps expected in ``after``, in order: (line, text their reason contains);
    #: None: no gap may remain
    gaps: tuple[tuple[int, str], ...] | None = None


@dataclass(frozen=True, slots=True)
class TaskTypeSpec:
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

    def args(self) -> dict[str, Any]:
        return json.loads(self.with_json)


@dataclass(frozen=True, slots=True)
class TaskSpec:
    type: str
    files: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    per: str = "file"  #: file | directory | task
    needles: tuple[str, ...] | None = None  #: overrides the task type's needles


@dataclass(frozen=True, slots=True)
class CheckSpec:
    name: str
    run: str  #: a shell command; Jinja sees vars, ``changed_files`` and ``shquote``
    timeout: float = 900.0
    junit: str | None = None
    must_pass: bool = False  #: a goal: may fail before the migration, must pass after it (no baseline excuse)


@dataclass(frozen=True, slots=True)
class GateSpec:
    review: str = "none"  #: none | model
    approval: str = "auto"  #: auto | manual
    review_on: str = "all"  #: all | model-edits: which subtasks the model reviews
    review_sample: float = 1.0  #: fraction of those, chosen by subtask id (stable)
    on_reject: str = "stop"  #: stop | continue: after a review rejected subtasks


@dataclass(frozen=True, slots=True)
class PhaseSpec:
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
    exclude: tuple[str, ...] = ()
    include_generated: bool = False
    max_file_bytes: int = 2 * 1024 * 1024  #: bigger files are skipped (libcst's cost grows fast with size)


DEFAULT_SELECT = SelectSpec()


@dataclass(frozen=True, slots=True)
class Playbook:
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
        for spec in self.task_types:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def phase(self, name: str) -> PhaseSpec:
        for spec in self.phases:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def folder(self) -> str:
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


def build_playbook(path: str, sha256: str, data: dict[str, Any]) -> Playbook:
    """Build the frozen records from schema-valid data (defaults applied here)."""

    def budget(raw: dict[str, Any] | None) -> Budget:
        return Budget(**(raw or {}))

    task_types = tuple(
        TaskTypeSpec(
            name=name,
            transform=raw["transform"],
            with_json=canonical_json(raw.get("with", {})),
            needles=tuple(raw.get("needles", ())),
            expect_absent=tuple(raw.get("expect_absent", ())),
            on_gap=raw.get("on_gap", "report"),
            instructions=raw.get("instructions", ""),
            language=raw.get("language"),
            examples=tuple(
                Example(
                    before=ex["before"],
                    after=ex["after"],
                    name=ex.get("name", f"example {i + 1}"),
                    path=ex.get("path", "example.py"),
                    gaps=tuple((g["line"], g.get("contains", "")) for g in ex["gaps"]) if "gaps" in ex else None,
                )
                for i, ex in enumerate(raw.get("examples", ()))
            ),
            description=raw.get("description", ""),
            context=tuple(raw.get("context", ())),
        )
        for name, raw in data["task_types"].items()
    )
    phases = tuple(
        PhaseSpec(
            name=raw["name"],
            tasks=tuple(
                TaskSpec(
                    type=t["type"],
                    files=tuple(t["files"]),
                    exclude=tuple(t.get("exclude", ())),
                    per=t.get("per", "file"),
                    needles=tuple(t["needles"]) if "needles" in t else None,
                )
                for t in raw["tasks"]
            ),
            budget=budget(raw.get("budget")),
            checks=tuple(
                CheckSpec(
                    name=c["name"], run=c["run"], timeout=float(c.get("timeout", 900)), junit=c.get("junit"),
                    must_pass=bool(c.get("must_pass", False)),
                )
                for c in raw.get("checks", ())
            ),
            format=raw.get("format"),
            gate=build_gate(raw.get("gate", {})),
            on_failure=_first(raw.get("on_failure", "stop")),
            after_fix=raw["on_failure"][1] if isinstance(raw.get("on_failure"), list) else "stop",
            on_error=raw.get("on_error", "stop"),
            commit=raw.get("commit", "none") == "phase",
            description=raw.get("description", ""),
        )
        for raw in data["phases"]
    )
    model = build_model_spec(data["model"]) if "model" in data else None
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
        budget=budget(data.get("budget")),
        model=model,
        task_types=task_types,
        phases=phases,
    )


SAMPLING_PARAMS = ("temperature", "top_p", "top_k")


def build_model_spec(raw: dict[str, Any]) -> ModelSpec:
    """The ``model:`` section as a record; sampling parameters are kept only when set."""
    plain = {k: v for k, v in raw.items() if k not in ("prices", *SAMPLING_PARAMS)}
    params = {k: raw[k] for k in SAMPLING_PARAMS if k in raw}
    return ModelSpec(**plain, prices_json=canonical_json(raw.get("prices", {})), params_json=canonical_json(params))
