"""The import graph of `scheduler/` against the layers written down in
`scheduler/__init__.py` (issue 12, item 6): no arrow from a lower layer to a higher one,
every module in a layer, no import inside a function to dodge a cycle, and no module
over the size we keep."""

import ast
from pathlib import Path

import pytest

import scheduler

PACKAGE = Path(scheduler.__file__).resolve().parent
RANK = {name: rank for rank, (name, _) in enumerate(scheduler.LAYERS)}
# Imports inside a function that are there for speed, not for a cycle: the web server
# (FastAPI, uvicorn) is loaded only by the command that serves it; the application's
# parts (catalog, checks, templates, platforms) only by the commands that use them, the
# command modules only for the command word run, and Jinja not by `siar review list`
# (issue 11: a short command's start).
LAZY = {
    ("scheduler.cli.web_cmds", "scheduler.web.server"),
    ("scheduler.app", "scheduler.catalog_cache"),
    ("scheduler.app", "scheduler.checks.post_checks"),
    ("scheduler.app", "scheduler.rendering"),
    ("scheduler.app", "scheduler.publishing.factory"),
    ("scheduler.app", "scheduler.publishing.stored"),
    ("scheduler.cli_loading", "scheduler.cli.app"),
    ("scheduler.review_view", "scheduler.rendering"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str | None:
    """The layer of a module: that of its longest declared prefix."""
    inner = module.removeprefix("scheduler").removeprefix(".")
    matches = [(len(prefix), layer) for layer, prefixes in scheduler.LAYERS
               for prefix in prefixes if inner == prefix or inner.startswith(prefix + ".")]
    return max(matches)[1] if matches else None


def imported(tree: ast.Module, known: set[str]) -> list[tuple[str, int, bool]]:
    """(module, line, inside a function) for every import of a `scheduler` module;
    `from scheduler import localtime` counts as importing `scheduler.localtime`."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0 \
                    and child.module.split(".")[0] == "scheduler":
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    found.append((full if full in known else child.module, child.lineno,
                                  nested))
            elif isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, nested) for a in child.names
                             if a.name.split(".")[0] == "scheduler")
            visit(child, inner)

    visit(tree, False)
    return found


def graph() -> dict[str, list[tuple[str, int, bool]]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(files)
    return {name: imported(ast.parse(path.read_text(encoding="utf-8")), known)
            for name, path in sorted(files.items())}


def upward(edges: dict[str, list[tuple[str, int, bool]]]) -> list[str]:
    wrong: set[str] = set()
    for module, imports in edges.items():
        here = layer_of(module)
        for target, line, _ in imports:
            there = layer_of(target)
            if here and there and RANK[there] > RANK[here]:
                wrong.add(f"{module}:{line} ({here}) imports {target} ({there})")
    return sorted(wrong)


def test_every_module_is_in_a_layer() -> None:
    missing = [m for m in graph() if m != "scheduler" and layer_of(m) is None]
    assert not missing, f"not in scheduler.LAYERS: {missing}"


def test_no_import_points_from_a_lower_layer_to_a_higher_one() -> None:
    wrong = upward(graph())
    assert not wrong, "\n".join(wrong)


def test_no_import_inside_a_function_but_the_declared_lazy_ones() -> None:
    nested = [f"{module}:{line} imports {target}" for module, imports in graph().items()
              for target, line, inner in imports
              if inner and (module, target) not in LAZY]
    assert not nested, "\n".join(nested)


@pytest.mark.parametrize(("source", "expected"), [
    ("from scheduler.rendering import TemplateInfo", True),  # content -> rendering
    ("from scheduler import planning", True),  # content -> a service, by module name
    ("from scheduler.errors import Problem", False),
])
def test_the_check_sees_an_upward_arrow(source: str, expected: bool) -> None:
    """The test itself can fail: today's old `content -> rendering` arrow is caught."""
    known = set(graph())
    edges = {"scheduler.content.model": imported(ast.parse(source), known)}
    assert bool(upward(edges)) is expected


MAX_LINES = 300  # the size we keep a module under (issue 12, item 6)


def test_no_module_is_over_the_size_we_keep() -> None:
    long = {module_name(p): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"
