"""docs/: every key of the playbook schema is documented, and the pages link to pages that exist."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

from runner.playbook.schema import load_schema

DOCS = Path(__file__).resolve().parents[1] / "docs"


def schema_key_paths(schema: dict[str, Any]) -> list[str]:
    """Every property of the schema as a key path: ``phases[].gate.review``,
    ``task_types.<name>.with.rules[].where.<name>.kind`` (the ``then`` branches of
    ``allOf`` included: the built-in transforms' ``with:`` keys)."""
    defs = schema.get("$defs", {})

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = {**defs[node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def walk(node: dict[str, Any], path: str) -> Iterator[str]:
        node = resolve(node)
        for branch in node.get("allOf", ()):
            if "then" in branch:
                yield from walk(branch["then"], path)
        for key, sub in node.get("properties", {}).items():
            child = f"{path}.{key}" if path else key
            yield child
            yield from walk(sub, child)
        if isinstance(node.get("additionalProperties"), dict):
            yield from walk(node["additionalProperties"], f"{path}.<name>")
        if isinstance(node.get("items"), dict):
            yield from walk(node["items"], f"{path}[]")

    return list(dict.fromkeys(walk(schema, "")))


def test_every_schema_key_is_documented_in_the_playbook_reference() -> None:
    text = (DOCS / "playbook.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([^`\n]+)`", text))
    paths = schema_key_paths(load_schema())
    assert len(paths) > 60  # the walk reaches the nested keys (rules, where, checks...)
    missing = [p for p in paths if p not in documented]
    assert missing == [], "document these keys in docs/playbook.md (a `key.path` in backticks, best as a heading)"


def test_each_key_has_a_heading() -> None:
    text = (DOCS / "playbook.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^#+ `([^`]+)`$", text, re.MULTILINE))
    budget_keys = {p for p in schema_key_paths(load_schema()) if p.startswith("phases[].budget.")}
    missing = [p for p in schema_key_paths(load_schema()) if p not in headings and p not in budget_keys]
    assert missing == []


def test_the_walk_sees_a_key_added_to_the_schema() -> None:
    schema = load_schema()
    patched = {**schema, "properties": {**schema["properties"], "brand_new": {"type": "string"}}}
    assert "brand_new" in schema_key_paths(patched)
    assert "brand_new" not in set(re.findall(r"`([^`\n]+)`", (DOCS / "playbook.md").read_text(encoding="utf-8")))


def test_links_between_pages_and_from_the_readme_resolve() -> None:
    pages = sorted(DOCS.glob("*.md")) + [DOCS.parent / "README.md"]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not (page.parent / target).is_file():
                broken.append(f"{page.name} -> {target}")
    assert broken == []
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "docs/playbook.md" in readme and "docs/exit-codes.md" in readme
