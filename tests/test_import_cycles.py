"""No import circle in gateway/ (issue 22): modules import one way, so each can be read, loaded and
tested after the ones it uses.

Counted: every import at a module's top level, those under `if TYPE_CHECKING:` included (a circle
for the type checker is a circle for the reader). Not counted: an import inside a function, which
runs when the function is called, after both modules have loaded (the Redis client is loaded so, only
by a gateway that uses it); and a TYPE_CHECKING import of a module that the same module names in
`strawberry.lazy("...")`, the way Strawberry lets two types refer to each other. Importing a
submodule from outside its package also imports the package (its `__init__`), so that is an arrow too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _lazy_types(tree: ast.Module) -> set[str]:
    """The modules named in `strawberry.lazy("...")` calls."""
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "lazy"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def _top_level_imports(tree: ast.Module, package: str) -> list[tuple[str, bool]]:
    """(each name a top-level import may load, whether it is under TYPE_CHECKING)."""
    found: list[tuple[str, bool]] = []

    def visit(statements: list[ast.stmt], type_checking: bool) -> None:
        for node in statements:
            if isinstance(node, ast.If):
                guarded = type_checking or "TYPE_CHECKING" in ast.unparse(node.test)
                visit(node.body, guarded)
                visit(node.orelse, type_checking)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                    visit(block, type_checking)
            elif isinstance(node, ast.Import):
                found.extend((alias.name, type_checking) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                found.append((base, type_checking))
                found.extend((f"{base}.{alias.name}", type_checking) for alias in node.names)

    visit(tree.body, False)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    paths = {_name(path, root): path for path in sorted((root / "gateway").rglob("*.py"))}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        lazy = _lazy_types(tree)
        for target, type_checking in _top_level_imports(tree, package):
            if target not in paths or target == name or (type_checking and target in lazy):
                continue
            graph[name].add(target)
            parts = target.split(".")
            for end in range(2, len(parts)):  # its packages, when this module is outside them
                parent = ".".join(parts[:end])
                if parent in paths and parent != name and not name.startswith(parent + "."):
                    graph[name].add(parent)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
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


def test_gateway_has_no_import_circle() -> None:
    graph = import_graph(ROOT)
    assert graph.get("gateway.core.config")  # the walk reads the imports
    assert not circles(graph), "import circles in gateway/:\n" + "\n".join(" <-> ".join(c) for c in circles(graph))


def test_the_check_finds_a_circle_and_lets_lazy_types_pass(tmp_path: Path) -> None:
    package = tmp_path / "gateway"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from gateway.b import B\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from gateway.a import A\n")
    (package / "c.py").write_text(
        'import strawberry\nif TYPE_CHECKING:\n    from gateway.d import D\nX = strawberry.lazy("gateway.d")\n'
    )
    (package / "d.py").write_text("from gateway.c import X\n")
    (package / "e.py").write_text("def late():\n    from gateway.a import A\n")
    assert circles(import_graph(tmp_path)) == [["gateway.a", "gateway.b"]]
