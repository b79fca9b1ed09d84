"""The layer order of the package (docs/architecture.md, "Layers"), checked on every import.

    core → audit (the trail) → core.states/core.jobs → reference → identity → organisations
         → dossier
         → domains (imports, faces, learning, assessment, certificates, …)
         → policy, claims, insights → api, web

A module may import its own app and anything in a lower layer, never a higher one; apps in the same
layer may use each other only without a cycle. Domain apps never import `jineng.web` or
`jineng.api`. Imports under `if TYPE_CHECKING:` do not load anything at run time and are not
counted; tests, migrations and test scaffolding (`testing.py`, `conftest.py`) are not checked.
Reading the trail scoped (`jineng.audit.access`) needs people and facts, so that one module sits
with the domains while the rest of `jineng.audit` sits at the bottom: every layer writes to it.
The workflow machinery of core (`core.states`, `core.jobs`) audits every transition, so it sits
just above the trail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"core"}),
    frozenset({"audit"}),
    frozenset({"core.workflow"}),
    frozenset({"reference"}),
    frozenset({"identity"}),
    frozenset({"organisations"}),
    frozenset({"dossier"}),
    frozenset(
        {
            "imports",
            "faces",
            "learning",
            "assessment",
            "certificates",
            "competitions",
            "talent",
            "jobs",
            "audit.access",
        }
    ),
    frozenset({"policy", "claims", "insights", "demo"}),
    frozenset({"api", "web"}),
)
RANK = {unit: i for i, layer in enumerate(LAYERS) for unit in layer}
PRESENTATION = {"api", "web"}
# Modules that belong to a different unit than their app (see the docstring).
UNIT_OF_MODULE = {
    "jineng.audit.access": "audit.access",
    "jineng.core.states": "core.workflow",
    "jineng.core.jobs": "core.workflow",
}


def _unit(module: str) -> str | None:
    """`jineng.policy.engine.model` → "policy"; None outside the package."""
    parts = module.split(".")
    if parts[0] != "jineng" or len(parts) < 2:
        return None
    for prefix, unit in UNIT_OF_MODULE.items():
        if module == prefix or module.startswith(prefix + "."):
            return unit
    return parts[1]


def _checked_files() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent)
        parts = rel.parts
        if "tests" in parts or "migrations" in parts or path.name in ("testing.py", "conftest.py"):
            continue
        if len(parts) < 3:  # jineng/__init__.py, jineng/__main__.py
            continue
        yield ".".join(rel.with_suffix("").parts).removesuffix(".__init__"), path


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
            if name == "TYPE_CHECKING":
                skipped.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return skipped


def imports_of(path: Path, module: str) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every run-time import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            for alias in node.names:  # `from jineng import web` imports jineng.web
                if base == "jineng":
                    yield node.lineno, f"jineng.{alias.name}"


def _edges() -> list[tuple[str, int, str, str, str]]:
    """(module, line, imported, from unit, to unit) for every import between two units."""
    edges = []
    for module, path in _checked_files():
        src = _unit(module)
        for line, imported in imports_of(path, module):
            dst = _unit(imported)
            if src is None or dst is None or dst == src:
                continue
            edges.append((module, line, imported, src, dst))
    return edges


def test_every_app_has_a_layer() -> None:
    apps = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert apps - set(RANK) == set(), "add the new app to LAYERS (and docs/architecture.md)"


def test_no_import_goes_up_a_layer() -> None:
    wrong = [
        f"{module}:{line} imports {imported} ({src} may not depend on {dst})"
        for module, line, imported, src, dst in _edges()
        if RANK[dst] > RANK[src]
    ]
    assert wrong == []


def test_domain_apps_never_import_web_or_api() -> None:
    wrong = [
        f"{module}:{line} imports {imported}"
        for module, line, imported, src, dst in _edges()
        if dst in PRESENTATION and src not in PRESENTATION
    ]
    assert wrong == []


def test_apps_in_one_layer_have_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for _, _, _, src, dst in _edges():
        graph.setdefault(src, set()).add(dst)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                if reaches(nxt, goal, seen):
                    return True
        return False

    cycles = sorted(f"{a} ↔ {b}" for a in graph for b in graph[a] if a < b and reaches(b, a, {b}))
    assert cycles == []


@pytest.mark.parametrize(
    ("source", "imported"),
    [
        ("from jineng.web.guards import page\n", "jineng.web.guards"),
        ("from jineng import api\n", "jineng.api"),
        ("def f():\n    from jineng.web import nav\n", "jineng.web"),
        ("from .. import views\n", "jineng.policy"),
    ],
)
def test_the_checker_sees_every_kind_of_import(tmp_path: Path, source: str, imported: str) -> None:
    # A domain module importing the presentation layer in each way a file can: the checker must
    # see each one, or the tests above could pass on a package that breaks the order.
    module_dir = tmp_path / "jineng" / "policy" / "sub"
    module_dir.mkdir(parents=True)
    path = module_dir / "mod.py"
    path.write_text(source, encoding="utf-8")
    found = {name for _, name in imports_of(path, "jineng.policy.sub.mod")}
    assert imported in found


def test_type_checking_imports_are_not_counted(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from jineng.web import nav\n",
        encoding="utf-8",
    )
    assert "jineng.web" not in {name for _, name in imports_of(path, "jineng.policy.mod")}
