"""Safety nets of the architecture: what other servers, themes and scripts rely on does not
change by accident (the URL map, the names of queued tasks, the migrations), and the
dependencies between capabilities do not get worse.

The surface is compared with tests/snapshots/surface.txt. A deliberate change (a new route, a
new task, a new migration) updates it: `CHATON_UPDATE_SNAPSHOTS=1 .venv/bin/pytest
tests/test_boundaries.py`, then read the diff before committing it: a renamed endpoint breaks
themes that call url_for on it, a renamed task orphans the work already queued under its name.

The import rules (docs/architecture.md): `chaton/core` imports no capability, and the graph of
imports between capabilities has no cycle. The first holds; today's code still breaks the
second (what the capability registry removes, step by step): the known exceptions are listed
below, and the test fails on any new one, so the list can only shrink.
"""

import ast
import os
from pathlib import Path

import pytest

from chaton.core import migrations, tasks

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "chaton"
SNAPSHOT = Path(__file__).parent / "snapshots" / "surface.txt"
SHARED = {"core", "territory", "translations"}  # not capabilities: what every capability may use
CAPABILITIES = sorted(p.name for p in PACKAGE.iterdir()
                      if p.is_dir() and (p / "__init__.py").exists() and p.name not in SHARED)


def surface(app):
    lines = ["# routes: rule endpoint methods"]
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        methods = ",".join(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
        lines.append(f"{rule.rule} {rule.endpoint} {methods}")
    lines.append("# tasks: queue name")
    for queue, huey in sorted(tasks.QUEUES.items()):
        lines += [f"{queue} {name}" for name in sorted(huey._registry._registry)]
    lines.append("# migrations")
    lines += [f"{number:04d} {fn.__name__}" for number, fn in migrations.MIGRATIONS]
    return "\n".join(lines) + "\n"


def test_routes_tasks_and_migrations_do_not_change_by_accident(app):
    now = surface(app)
    if os.environ.get("CHATON_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(now)
    assert SNAPSHOT.exists(), "no snapshot yet: run with CHATON_UPDATE_SNAPSHOTS=1"
    expected = SNAPSHOT.read_text()
    if now != expected:
        old, new = set(expected.splitlines()), set(now.splitlines())
        pytest.fail("the public surface changed (CHATON_UPDATE_SNAPSHOTS=1 to accept):\n"
                    + "\n".join([f"- {line}" for line in sorted(old - new)]
                                + [f"+ {line}" for line in sorted(new - old)]))


def imports_of(path):
    """The chaton modules a file imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("chaton.")}
        elif (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
              and node.module.startswith("chaton.")):
            found.add(node.module)
    return found


def package_of(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def edges():
    """{(importing package, imported package): [files]} between different packages."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) < 2:
            continue  # chaton/__init__.py, cli.py, commandline.py: the composition root
        source = rel.parts[0]
        for module in imports_of(path):
            target = package_of(module)
            if target and target != source:
                found.setdefault((source, target), []).append(rel.as_posix())
    return found


def test_the_core_imports_no_capability():
    core = {edge: files for edge, files in edges().items()
            if edge[0] == "core" and edge[1] in CAPABILITIES}
    assert not core, f"chaton/core must not import capabilities: {core}"


def cycles(graph):
    """The strongly connected components of more than one package (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def capability_edges():
    return {edge for edge in edges() if edge[0] in CAPABILITIES and edge[1] in CAPABILITIES}


def test_no_cycle_between_capabilities():
    """Where one capability builds on another, the other does not build on it: a capability
    needing something of one above it asks the registry (page_context, alternate, a content
    kind, a signal) instead of importing it."""
    graph = {}
    for source, target in capability_edges():
        graph.setdefault(source, set()).add(target)
    found = [sorted(component) for component in cycles(graph)]
    edges_found = edges()
    detail = {(s, t): sorted(set(edges_found[(s, t)])) for component in cycles(graph)
              for s, t in capability_edges() if s in component and t in component}
    assert not found, f"imports closing a cycle between capabilities: {detail}"
