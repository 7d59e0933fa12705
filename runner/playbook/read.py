"""Read a playbook's YAML with positions: plain data plus a map from JSON path to line:col."""
from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from runner.adapters.workspace import read_bytes_prefix
from runner.errors import Diagnostic, InputError, PlaybookError
from runner.playbook.bounds import MAX_BYTES, MAX_DEPTH, expansion_too_big, nesting_too_deep

PathKey = tuple[str | int, ...]


@dataclass(slots=True)
class SourceMap:
    """1-based positions of every value (and mapping key) in the playbook file."""

    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: PathKey, *, key: bool = False) -> tuple[int, int]:
        """The position of ``path`` (its key when ``key``), else of its nearest ancestor."""
        table = self.keys if key else self.values
        if path in table:
            return table[path]
        while path:
            path = path[:-1]
            if path in self.values:
                return self.values[path]
        return (1, 1)


def format_json_path(path: PathKey) -> str:
    """``("phases", 1, "name")`` → ``$.phases[1].name`` (the form every diagnostic shows)."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


@dataclass(frozen=True, slots=True)
class RawPlaybook:
    """A playbook file as read: its bytes' sha256, the plain data and where each value is."""

    path: str
    sha256: str
    data: Any  #: plain Python data (dict/list/str/int/float/bool/None)
    source_map: SourceMap


def read_playbook(path: str) -> RawPlaybook:
    """Read and parse a playbook file; malformed YAML raises PlaybookError with position."""
    try:
        raw = read_bytes_prefix(path, MAX_BYTES + 1)  # a bigger file is refused below, unread
    except FileNotFoundError:
        raise InputError(f"{path}: no such playbook file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a playbook file; name the .yaml file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the playbook: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise PlaybookError([Diagnostic(path, 1, 1, f"the playbook is {len(raw):,} bytes; batchmod reads playbooks of up to {MAX_BYTES:,} bytes")])
    try:
        text = (raw[3:] if raw.startswith(codecs.BOM_UTF8) else raw).decode("utf-8")  # utf-8-sig, without its codec's import
    except UnicodeDecodeError as exc:
        raise PlaybookError([Diagnostic(path, 1, 1, f"the playbook is not UTF-8 text (byte {exc.start})")]) from None
    deep = nesting_too_deep(text)
    if deep:
        raise PlaybookError([Diagnostic(path, *deep, f"nested deeper than {MAX_DEPTH} levels; flatten the playbook")])
    node = _load_yaml(path, text)
    too_big = expansion_too_big(node)
    if too_big:
        raise PlaybookError([Diagnostic(path, *too_big[1], too_big[0])])
    source_map = SourceMap()
    source_map.values[()] = (1, 1)
    data = _to_plain(node, (), source_map)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise PlaybookError(
            [Diagnostic(path, 1, 1, f"a playbook must be a mapping (version, name, task_types, phases), got {kind}")]
        )
    return RawPlaybook(path, hashlib.sha256(raw).hexdigest(), data, source_map)


def _load_yaml(path: str, text: str) -> Any:
    """ruamel's round-trip load (positions kept); malformed YAML is a PlaybookError."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(str(exc.problem or exc.context or "malformed YAML").split())
        if exc.context and exc.problem and "duplicate" not in problem:
            problem = f"{' '.join(str(exc.context).split())}: {problem}"
        raise PlaybookError([Diagnostic(path, line, col, f"malformed YAML: {problem}")]) from None
    except YAMLError as exc:
        raise PlaybookError([Diagnostic(path, 1, 1, f"malformed YAML: {exc}")]) from None
    except RecursionError:  # nesting the text estimate missed
        raise PlaybookError([Diagnostic(path, 1, 1, f"nested deeper than {MAX_DEPTH} levels; flatten the playbook")]) from None


def _to_plain(node: Any, path: PathKey, smap: SourceMap) -> Any:
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key, value in node.items():
            k = str(key)
            child = (*path, k)
            if key in node.lc.data:
                kl, kc = node.lc.key(key)
                vl, vc = node.lc.value(key)
                smap.keys[child] = (kl + 1, kc + 1)
                smap.values[child] = (vl + 1, vc + 1)
            else:  # a key merged in with `<<: *anchor`: it is where the mapping is
                smap.keys[child] = smap.values[child] = smap.values.get(path, (1, 1))
            out[k] = _to_plain(value, child, smap)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            line, col = node.lc.item(i)
            smap.values[(*path, i)] = (line + 1, col + 1)
            items.append(_to_plain(value, (*path, i), smap))
        return items
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return str(node)  # dates and other YAML scalars: the schema then says what it expects
