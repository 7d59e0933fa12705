"""``report --merge``: one report from the reports of N shard runs (``--shard K/N``).

Each shard's report stands alone; the merged one lists the shards, sums what adds up
(files, lines, subtask counts, per-rule figures, budgets used, model figures), concatenates per-phase
subtasks and hunks (sorted by subtask id, so the order does not depend on which shard
finished first), and is only as good as its worst shard: ``done`` when every shard is.
"""
from __future__ import annotations

from typing import Any

_STATUS_ORDER = ("done", "rolled_back", "running", "stopped", "rolling_back")


def merge_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The merged report JSON of ``reports`` (each a ``report --format json`` document)."""
    names = {r["playbook"]["sha256"] for r in reports}
    phases: dict[str, dict[str, Any]] = {}
    for report in reports:
        for phase in report["phases"]:
            merged = phases.setdefault(phase["name"], {"name": phase["name"], "shards": [], "subtasks": [],
                                                         "hunks": [], "subtask_counts": {}})
            merged["shards"].append({"run_id": report["run_id"], "state": phase["state"], "gate": phase["gate"],
                                     "checks": phase["checks"]})
            merged["subtasks"] += phase["subtasks"]
            merged["hunks"] += phase["hunks"]
            for key, n in phase["subtask_counts"].items():
                merged["subtask_counts"][key] = merged["subtask_counts"].get(key, 0) + n
            merged["rules"] = _sum_rules(merged.get("rules", []), phase.get("rules", []))
    for merged in phases.values():
        merged["subtasks"].sort(key=lambda s: s["id"])
        merged["hunks"].sort(key=lambda h: (h["subtask"], h["file"]))
    return {
        "merged": [r["run_id"] for r in reports],
        "shards": [{"run_id": r["run_id"], "shard": r.get("shard"), "status": r["status"], "root": r["root"],
                    "branch": r.get("branch")} for r in reports],
        "status": max((r["status"] for r in reports), key=_status_rank),
        "playbook": reports[0]["playbook"] if len(names) == 1 else {"name": "(several playbooks)", "sha256": sorted(names)},
        "figures": _sum_figures([r["figures"] for r in reports]),
        "phases": list(phases.values()),
        "budget": _sum_budget([r["budget"] for r in reports]),
        "model": _sum_numbers([r["model"] for r in reports if r.get("model")]) or None,
    }


def _sum_rules(into: list[dict[str, Any]], more: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-rule figures of two shards added up, rule by rule (by task and index)."""
    out = {(r["task"], r["index"]): dict(r) for r in into}
    for r in more:
        mine = out.setdefault((r["task"], r["index"]), {**r, **{k: 0 for k in _RULE_COUNTS}})
        for key in _RULE_COUNTS:
            mine[key] += r[key]
    return list(out.values())


_RULE_COUNTS = ("matches", "changes", "gaps", "files", "searched")


def _status_rank(status: str) -> int:
    return _STATUS_ORDER.index(status) if status in _STATUS_ORDER else len(_STATUS_ORDER)


def _sum_figures(figures: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "planned": _sum_numbers([f["planned"] for f in figures]),
        "touched": _sum_numbers([f["touched"] for f in figures]),
        "gaps": sorted(g for f in figures for g in f["gaps"]),
        "failed": sorted(x for f in figures for x in f["failed"]),
        "reverted": sorted(x for f in figures for x in f["reverted"]),
    }


def _sum_budget(budgets: list[Any]) -> Any:
    """Budgets used add up; limits are the playbook's, the same in every shard."""
    if not budgets or not isinstance(budgets[0], dict):
        return budgets[0] if budgets else {}
    out: dict[str, Any] = {}
    for name, first in budgets[0].items():
        entries = [b[name] for b in budgets if name in b]
        if isinstance(first, dict):
            out[name] = {k: (sum(e[k] for e in entries if isinstance(e.get(k), (int, float)))
                             if k != "limit" and isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                         for k, v in first.items()}
        else:
            out[name] = first
    return out


def _sum_numbers(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Key-wise sums of numbers (nested mappings summed too); other values from the first item."""
    out: dict[str, Any] = {}
    for item in items:
        for key, value in item.items():
            if isinstance(value, bool) or not isinstance(value, (int, float, dict)):
                out.setdefault(key, value)
            elif isinstance(value, dict):
                out[key] = _sum_numbers([out[key], value]) if isinstance(out.get(key), dict) else _sum_numbers([value])
            else:
                out[key] = out.get(key, 0) + value
    return out


def render_merged_md(merged: dict[str, Any]) -> str:
    """The merged report as Markdown: the shards, the totals, each phase's subtasks."""
    out = [f"# batchmod: {merged['playbook']['name']} — {len(merged['shards'])} shards merged", "",
           f"Overall: **{merged['status'].replace('_', ' ')}**", "", "| shard | run | status | branch |", "|---|---|---|---|"]
    out += [f"| {s['shard'] or '-'} | `{s['run_id']}` | {s['status'].replace('_', ' ')} | {s['branch'] or '-'} |"
            for s in merged["shards"]]
    f = merged["figures"]
    out += ["", "## Figures", "", "| figure | value |", "|---|---|",
            f"| planned scope | {f['planned'].get('files', 0)} files, {f['planned'].get('lines', 0)} lines |",
            f"| files actually touched | {f['touched'].get('files', 0)} ({f['touched'].get('lines', 0)} lines kept) |",
            f"| subtasks left as gaps | {len(f['gaps'])} |", f"| subtasks failed | {len(f['failed'])} |",
            f"| subtasks reverted | {len(f['reverted'])} |"]
    for phase in merged["phases"]:
        counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in phase["subtask_counts"].items() if n) or "none"
        out += ["", f"## Phase `{phase['name']}`", "", f"Subtasks: {counts}", ""]
        out += [f"- shard run `{s['run_id']}`: {s['state'].replace('_', ' ')}" for s in phase["shards"]]
        if phase["subtasks"]:
            out += ["", "| subtask | state | + | - |", "|---|---|---|---|"]
            out += [f"| `{s['id']}` | {s['state']} | {s['lines_added']} | {s['lines_removed']} |" for s in phase["subtasks"]]
        for hunk in phase["hunks"]:
            out += ["", f"<details><summary><code>{hunk['file']}</code> — {hunk['subtask']} ({hunk['made_by']})</summary>",
                    "", "```diff", hunk["text"].rstrip("\n"), "```", "", "</details>"]
    return "\n".join(out).rstrip("\n") + "\n"
