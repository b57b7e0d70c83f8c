"""The shape of the code (issue 20): no import cycles (imports inside functions count,
type-checking-only imports do not: they never run), no use of another module's private
names, no function over 80 lines outside migrations.

Checked over ``PACKAGES``; adding ``"ui"`` there extends every check to the views.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["qualdesk", "ui"]
MAX_FUNCTION_LINES = 80
# Known and owned elsewhere, to be fixed by their owners (each entry names why it waits):
# work in progress of the import-dialog helper (not committed when this test was written).
KNOWN_PRIVATE_USES: set[str] = set()
# Being split this turn (issue 20): each entry goes once its function is under the limit,
# and a stale entry fails the test so the list only shrinks.
KNOWN_LONG: set[str] = set()
KNOWN_CYCLES: list[list[str]] = []
EXEMPT_FROM_LENGTH = ("qualdesk/db/migrations/",)


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


MODULES = _modules()
TREES = {name: ast.parse(path.read_text(encoding="utf-8"), str(path))
         for name, path in MODULES.items()}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers of the statements under ``if TYPE_CHECKING:``."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return lines


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    is_pkg = MODULES[module].name == "__init__.py"
    base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_pkg else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(module: str) -> Iterator[tuple[str, list[str], int]]:
    """(imported module, names imported from it, line) for every runtime import."""
    tree = TREES[module]
    skip = _type_checking_only(tree)
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            yield target, [a.name for a in node.names], node.lineno


def _edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for m in MODULES:
        for target, names, _ in _imports(m):
            for name in names:  # ``from pkg import module`` imports that module
                if f"{target}.{name}" in MODULES:
                    graph[m].add(f"{target}.{name}")
            if target in MODULES and not (names and all(f"{target}.{n}" in MODULES for n in names)):
                graph[m].add(target)
    for m in graph:  # a package's own __init__ importing its modules is not a cycle
        graph[m].discard(m)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles() -> None:
    assert _cycles(_edges()) == KNOWN_CYCLES


def _private_uses() -> list[str]:
    found = []
    for m in MODULES:
        aliases: dict[str, str] = {}  # local name -> module it stands for
        for target, names, line in _imports(m):
            for name in names:
                if name.startswith("_") and not name.startswith("__") and target in MODULES:
                    found.append(f"{m}:{line} imports {target}.{name}")
        for node in ast.walk(TREES[m]):
            if isinstance(node, ast.ImportFrom):
                target = _resolve(m, node)
                for a in node.names:
                    if f"{target}.{a.name}" in MODULES:
                        aliases[a.asname or a.name] = f"{target}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname and a.name in MODULES:
                        aliases[a.asname] = a.name
        for node in ast.walk(TREES[m]):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__") and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and aliases[node.value.id] != m):
                found.append(f"{m}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    return found


def test_no_private_names_across_modules() -> None:
    import re

    uses = {re.sub(r":\d+ ", " ", f) for f in _private_uses()}
    assert sorted(uses - KNOWN_PRIVATE_USES) == []
    assert sorted(KNOWN_PRIVATE_USES - uses) == [], "fixed: take it off KNOWN_PRIVATE_USES"


def _long_functions() -> list[str]:
    found = []
    for m, path in MODULES.items():
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(EXEMPT_FROM_LENGTH):
            continue
        for node in ast.walk(TREES[m]):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    found.append(f"{rel}:{node.lineno} {node.name} ({n} lines)")
    return found


def test_no_function_over_80_lines() -> None:
    import re

    found = {re.sub(r":\d+ (\w+) \(\d+ lines\)", r" \1", f) for f in _long_functions()}
    assert sorted(found - KNOWN_LONG) == [], _long_functions()
    assert sorted(KNOWN_LONG - found) == [], "split: take it off KNOWN_LONG"


def test_the_checks_can_fail() -> None:
    """Each check sees what it forbids (a cycle, a private name, a long function)."""
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
    tree = ast.parse("import qualdesk.services.queue as q\nq._x()\n")
    assert any(isinstance(n, ast.Attribute) and n.attr == "_x" for n in ast.walk(tree))
    assert "qualdesk.services.queue" in MODULES and "qualdesk.db.engine" in MODULES
