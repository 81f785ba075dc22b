"""The house's rules (docs/ARCHITECTURE.md), checked over the import graph of the source tree."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.registry import DOMAINS

ROOT = Path(__file__).resolve().parent.parent
TOPS = ("bot", "handlers", "storage", "schedules")
COMPOSITION_ROOT = {"bot.registry", "bot.app", "bot.cli", "bot.cli_org", "bot.demo", "bot.sweeprun"}
FRAMEWORK_SCHEDULES = {"schedules.context", "schedules.config", "schedules.digest", "schedules.jobqueue", "schedules.pushes",
                       "schedules.lock", "schedules.quiet", "schedules.runner"}
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for top in TOPS:
        for path in (ROOT / top).rglob("*.py"):
            if "versions" in path.parts:  # migration scripts (env.py is checked like any module)
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str) -> Iterator[str]:
    """Every module ``module`` imports at run time (function-level imports included, TYPE_CHECKING not)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]

    def walk(nodes: list[ast.stmt]) -> Iterator[str]:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                continue
            if isinstance(node, ast.Import):
                yield from (a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                for a in node.names:
                    yield f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from walk([child])
                elif hasattr(child, "body") and isinstance(getattr(child, "body"), list):
                    yield from walk(child.body)  # type: ignore[arg-type]

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for name in walk(tree.body):
        if name.split(".")[0] in TOPS:
            # the nearest module of ours ("storage.deeds.Item" -> "storage.deeds")
            while name and name not in MODULES:
                name = name.rsplit(".", 1)[0] if "." in name else ""
            if name and name != module:
                yield name


GRAPH = {m: set(_imports(m)) for m in MODULES}


def _top(module: str) -> str:
    return module.split(".")[0]


def _domain(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in DOMAINS else None


def _violations(rule) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f"{m} imports {d}" for m, deps in GRAPH.items() for d in deps if rule(m, d))


def test_storage_imports_nothing_above_it() -> None:
    assert _violations(lambda m, d: _top(m) == "storage" and _top(d) != "storage") == []


def test_handlers_and_schedules_do_not_import_each_other() -> None:
    assert _violations(lambda m, d: {_top(m), _top(d)} == {"handlers", "schedules"}) == []


def test_only_the_composition_root_imports_handlers_and_schedules() -> None:
    assert _violations(lambda m, d: _top(m) == "bot" and _top(d) in ("handlers", "schedules")
                       and m not in COMPOSITION_ROOT) == []


def test_a_domain_does_not_reach_into_another_domains_handlers_or_schedules() -> None:
    def crosses(m: str, d: str) -> bool:
        if _top(m) != _top(d) or _top(m) not in ("handlers", "schedules"):
            return False
        if d in FRAMEWORK_SCHEDULES or d in ("handlers", "schedules"):
            return False
        return _domain(d) != _domain(m)
    assert _violations(crosses) == []


def test_only_the_conversation_mechanism_touches_conversation_rows() -> None:
    assert _violations(lambda m, d: d == "storage.conversations" and m != "bot.fsm") == []


def test_there_is_no_import_cycle() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            # a package importing its own submodules is not a cycle of ideas
            if len(component) > 1 and not all(c.startswith(min(component, key=len)) for c in component):
                cycles.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert cycles == []


@pytest.mark.parametrize("name", DOMAINS)
def test_every_domain_has_its_places(name: str) -> None:
    assert (ROOT / "handlers" / name / "__init__.py").is_file()
    assert (ROOT / "schedules" / f"{name}.py").is_file()
    assert (ROOT / "storage" / name / "__init__.py").is_file()


def test_no_module_holds_two_ideas() -> None:
    """A module over ~400 lines usually holds two ideas (migrations and tests aside)."""
    long = sorted(f"{m} ({n} lines)" for m, path in MODULES.items()
                  if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES)
    assert long == []
