"""The shape of the code: no circle between files and no loop between apps.

Every import counts, the ones inside functions too (an import placed in a function to dodge a
loop is still a loop); only imports under ``if TYPE_CHECKING:`` are left out, since they never
run. Tests and migrations are left out. The pure rules package ``endorsement.rules`` is a unit
of its own: every app may read it, and it imports nothing from Django or from the apps.
"""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
RULES = "attunement.endorsement.rules"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if "tests" in parts or "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(module: str, path: Path) -> Iterable[str]:
    """Every module name ``module`` imports, at any depth, except under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for n in ast.walk(node)}
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _graph() -> dict[str, set[str]]:
    modules = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        for name in _imported(module, path):
            if name.startswith("attunement") and (target := resolve(name)) and target != module:
                graph[module].add(target)
    return graph


def unit(module: str) -> str:
    """The app (or the rules package, or the project's root modules) a module belongs to."""
    if module == RULES or module.startswith(RULES + "."):
        return "endorsement.rules"
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()) else "(root)"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    nodes = sorted(set(graph) | {t for ts in graph.values() for t in ts})
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def shortest_cycle(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One shortest way round a strongly connected component, first member and back."""
    members = set(component)
    best: list[str] = []
    for start in component:
        paths = {start: [start]}
        frontier = [start]
        found = None
        while frontier and found is None:
            step = []
            for node in frontier:
                for child in sorted(graph.get(node, set()) & members):
                    if child == start:
                        found = [*paths[node], start]
                        break
                    if child not in paths:
                        paths[child] = [*paths[node], child]
                        step.append(child)
                if found:
                    break
            frontier = step
        if found and (not best or len(found) < len(best)):
            best = found
    return best


def test_no_circle_between_files() -> None:
    graph = _graph()
    found = cycles(graph)
    assert not found, "files that import each other:\n" + "\n".join(
        "  " + " -> ".join(shortest_cycle(c, graph)) for c in found
    )


def test_no_loop_between_apps() -> None:
    graph = _graph()
    apps: dict[str, set[str]] = defaultdict(set)
    why: dict[tuple[str, str], list[str]] = defaultdict(list)
    for module, targets in graph.items():
        for target in targets:
            a, b = unit(module), unit(target)
            if a != b:
                apps[a].add(b)
                why[a, b].append(f"{module} -> {target}")
    found = cycles(apps)
    lines = []
    for component in found:
        loop = shortest_cycle(component, apps)
        lines.append("  " + " -> ".join(loop))
        for a, b in itertools.pairwise(loop):
            lines.append(f"    {a} -> {b}: " + ", ".join(why[a, b][:3]))
    assert not found, "apps that depend on each other (one loop each, with the imports behind it):\n" + "\n".join(lines)


def test_the_rules_package_is_pure() -> None:
    modules = _modules()
    for module, path in modules.items():
        if unit(module) != "endorsement.rules":
            continue
        for name in _imported(module, path):
            assert not name.startswith("django"), f"{module} imports {name}"
            if name.startswith("attunement"):
                assert name == RULES or name.startswith(RULES + "."), f"{module} imports {name}"


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert shortest_cycle(["a", "b", "c"], {"a": {"b", "c"}, "b": {"c"}, "c": {"a"}}) == ["a", "c", "a"]
