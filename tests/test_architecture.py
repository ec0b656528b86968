"""Dependencies point one way: cli → commands → project → stages → core; no circles.

Every import of the package counts, function-level ones included; only ``if TYPE_CHECKING:``
blocks are left out, since they never run.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import chengbei_report

PACKAGE = Path(chengbei_report.__file__).parent
LAYERS = {"core": 0, "stage": 1, "project": 2, "commands": 3, "cli": 4}
STAGES = ("read", "validate", "compute", "render", "compare", "cycle")
FORBIDDEN = {("render", "compare"), ("compare", "render"), ("compute", "read")}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:``."""
    found: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            stack.extend(node.orelse)
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def imports_of(source: str, known: set[str]) -> set[str]:
    """Package modules a module imports, relative to the package (``compute.engine``).

    ``from chengbei_report import units`` imports the module ``units``; ``known`` tells modules
    from names.
    """
    names: set[str] = set()
    for node in _runtime_nodes(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            if target == "chengbei_report" or target.startswith("chengbei_report."):
                relative = target.removeprefix("chengbei_report").removeprefix(".")
                if relative in known:
                    names.add(relative)
    return names


def package_graph() -> dict[str, set[str]]:
    paths = list(PACKAGE.rglob("*.py"))
    known = {module_name(path) for path in paths}
    return {
        module_name(path): imports_of(path.read_text(encoding="utf-8"), known) - {""}
        for path in paths
    }


def layer(module: str) -> int:
    top = module.split(".")[0]
    if top in ("cli", "cli_i18n", "__main__"):
        return LAYERS["cli"]
    if top == "commands":
        return LAYERS["commands"]
    if top == "project":
        return LAYERS["project"]
    return LAYERS["stage"] if top in STAGES else LAYERS["core"]


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a chain of modules, or None."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        chain = _visit(graph, start, [], state)
        if chain:
            return chain
    return None


def _visit(
    graph: dict[str, set[str]], node: str, chain: list[str], state: dict[str, int]
) -> list[str] | None:
    if state.get(node) == 2:
        return None
    if state.get(node) == 1:
        return [*chain[chain.index(node) :], node]
    state[node] = 1
    for target in sorted(graph.get(node, ())):
        found = _visit(graph, target, [*chain, node], state)
        if found:
            return found
    state[node] = 2
    return None


def violations(graph: dict[str, set[str]]) -> list[str]:
    """Upward imports and forbidden sideways ones, as ``module → target``."""
    found = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            pair = (module.split(".")[0], target.split(".")[0])
            if layer(target) > layer(module) or (pair in FORBIDDEN and pair[0] != pair[1]):
                found.append(f"{module} → {target}")
    return found


def test_no_import_points_upward_or_sideways() -> None:
    assert violations(package_graph()) == []


def test_no_import_circle() -> None:
    assert find_cycle(package_graph()) is None


def test_checker_finds_a_circle_and_an_upward_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert violations({"read.x": {"commands.build"}, "render.y": {"compare.z"}}) == [
        "read.x → commands.build",
        "render.y → compare.z",
    ]


def test_function_level_imports_count_and_type_checking_does_not() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from chengbei_report.cli import app\n"
        "def f():\n    from chengbei_report.project import open_project\n"
    )
    assert imports_of(source, {"cli", "project"}) == {"project"}


def test_importing_a_module_from_its_package_counts() -> None:
    source = "from chengbei_report.compute import engine\nfrom chengbei_report import units\n"
    known = {"compute", "compute.engine", "units"}
    assert imports_of(source, known) == {"compute", "compute.engine", "units"}


ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"


def test_the_architecture_document_names_every_module() -> None:
    """docs/architecture.md's module map stays true: a new module is given its job there."""
    named = set(re.findall(r"`([\w/]+\.py|[\w]+/)`", ARCHITECTURE.read_text(encoding="utf-8")))
    missing = [
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "__init__.py"
        and path.relative_to(PACKAGE).as_posix() not in named
        and path.name not in named
    ]
    packages = {f"{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert missing == [] and packages <= named


def test_the_recipes_name_tests_that_exist() -> None:
    """Each recipe cites the test that exercises it; a renamed test must be renamed there too."""
    cited = re.findall(r"`(tests/\w+\.py)::(\w+)`", ARCHITECTURE.read_text(encoding="utf-8"))
    assert len(cited) >= 4
    for test_file, name in cited:
        path = PACKAGE.parent / test_file
        assert f"def {name}(" in path.read_text(encoding="utf-8"), f"{test_file}::{name}"
