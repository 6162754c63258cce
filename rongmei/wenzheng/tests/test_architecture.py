"""The shape of the code: no import cycles inside 问政 (a deferred import inside a function
counts), unit scope asked of ``rongmei.units.access`` and never worked out here, and the
notices platform app importing no capability."""

from __future__ import annotations

import ast
from pathlib import Path

import rongmei

ROOT = Path(rongmei.__file__).parent
CAPABILITIES = {"news", "outlets", "media", "push", "engage", "wenzheng", "points", "mall",
                "vouchers", "merchants", "wordgate"}


def _modules(package: str) -> dict[str, Path]:
    base = ROOT / package
    found = {}
    for path in base.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports, at the top or inside a function."""
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = here[:len(here) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            targets.add(module)
            targets |= {f"{module}.{alias.name}" for alias in node.names}
    return targets


def _graph(package: str) -> dict[str, set[str]]:
    modules = _modules(package)
    return {name: {t for t in _imports(name, path) if t in modules and t != name}
            for name, path in modules.items()}


def test_no_import_cycles_inside_wenzheng():
    graph = _graph("wenzheng")
    # A package's own __init__ re-exporting its modules is not a cycle back into it.
    for name in graph:
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    state, cycles = {}, []

    def visit(node, trail):
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(" → ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_unit_scope_is_asked_of_the_access_module():
    """No path prefixes, membership lookups or role-scope sets worked out in 问政 itself."""
    forbidden = ("unit_scope_paths", "path.startswith", "path__startswith", "UnitMembership",
                 "_rongmei_unit_paths", "rongmei.core.access")
    offenders = [f"{path.relative_to(ROOT)}: {word}"
                 for path in _modules("wenzheng").values()
                 if path.name != "demo.py"  # seeds the demo's people; not a staff path
                 for word in forbidden if word in path.read_text()]
    assert offenders == []


def test_the_notices_platform_imports_no_capability():
    offenders = []
    for name, path in _modules("notices").items():
        for target in _imports(name, path):
            parts = target.split(".")
            if parts[0] == "rongmei" and len(parts) > 1 and parts[1] in CAPABILITIES:
                offenders.append(f"{name} imports {target}")
    assert offenders == []
