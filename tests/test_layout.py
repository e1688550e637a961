"""The layout is the architecture: each layer imports only the layers below it, and no
module imports itself back through a cycle.

The check reads ``import`` statements (including those inside functions) with :mod:`ast`,
so a lazy import cannot hide an upward edge.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "payconform"

#: Layer of each top-level unit of the package, lowest first. A module may import a unit of
#: a strictly lower layer, or a module of its own unit. Units of the same layer are
#: independent of each other.
LAYERS: dict[str, int] = {
    "model": 0,
    "simulator": 1,
    "rules": 2,
    "reporting": 3,
    "adapters": 3,
    "lanes": 4,
    "cassettes": 5,
    "properties": 5,
    "audit": 5,
    "wiring": 6,
    # The faces: nothing inside the package imports them.
    "plugin": 7,
    "cli": 7,
    "contract": 7,
    "__main__": 8,
}


def _module_name(root: Path, path: Path) -> str:
    parts = ["payconform", *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> payconform modules it imports (anywhere in its body)."""
    modules = {_module_name(root, p): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # "from payconform.x import y" may name a submodule y or an attribute of x.
                targets = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layering_violations(graph: dict[str, set[str]]) -> list[str]:
    """Every edge that goes up a layer, across units of one layer, or to an unknown unit."""
    out = []
    for module, targets in sorted(graph.items()):
        unit = _unit(module)
        for target in sorted(targets):
            other = _unit(target)
            if not unit or not other or other == unit:
                continue
            if unit not in LAYERS or other not in LAYERS:
                out.append(f"{module} -> {target}: unit missing from LAYERS")
            elif LAYERS[other] >= LAYERS[unit]:
                out.append(f"{module} (layer {LAYERS[unit]}) imports {target} (layer {LAYERS[other]})")
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            # A package's __init__ is imported implicitly with its submodules: not an edge.
            if v.startswith(w + "."):
                continue
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
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_unit_of_the_package_has_a_layer() -> None:
    units = {p.stem if p.is_file() else p.name for p in SRC.iterdir()
             if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}
    assert units <= set(LAYERS), f"give these a layer in LAYERS: {sorted(units - set(LAYERS))}"


def test_no_module_imports_upward() -> None:
    assert layering_violations(import_graph(SRC)) == []


def test_there_are_no_import_cycles() -> None:
    assert cycles(import_graph(SRC)) == []


@pytest.mark.parametrize(
    ("module", "planted", "expected"),
    [
        ("model/registry.py", "from payconform.simulator.core import Simulator\n",
         "payconform.model.registry (layer 0) imports payconform.simulator.core (layer 1)"),
        ("rules/engine.py", "def _planted() -> None:\n    from payconform.rules.catalog import RULES\n",
         "cycle"),
        ("cassettes/lint.py", "import payconform.properties.profiles\n",
         "payconform.cassettes.lint (layer 5) imports payconform.properties.profiles (layer 5)"),
    ],
)
def test_a_planted_upward_import_or_cycle_is_caught(
    tmp_path: Path, module: str, planted: str, expected: str
) -> None:
    copy = tmp_path / "payconform"
    shutil.copytree(SRC, copy)
    target = copy / module
    text = target.read_text("utf-8")
    if planted.startswith("def "):
        text += "\n\n" + planted  # a lazy import inside a function counts too
    else:
        text = text.replace("from __future__ import annotations\n",
                            "from __future__ import annotations\n" + planted, 1)
    target.write_text(text, "utf-8")
    graph = import_graph(copy)
    if expected == "cycle":
        assert any("payconform.rules.engine" in c and "payconform.rules.catalog" in c for c in cycles(graph))
    else:
        assert expected in layering_violations(graph)


def test_contract_modules_import_only_the_public_contract_module() -> None:
    contracts = Path(__file__).resolve().parents[1] / "contracts"
    for path in sorted(contracts.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("payconform"):
                assert node.module == "payconform.contract", f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("payconform") for a in node.names), path.name


def test_the_public_contract_module_exports_what_the_model_declares() -> None:
    import payconform.contract as public
    import payconform.model.contract as model

    assert set(model.__all__) - {"Frozen"} <= set(public.__all__)
    assert {"Evidence", "Outcome", "StatusKind"} <= set(public.__all__)
