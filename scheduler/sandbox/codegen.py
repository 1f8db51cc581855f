"""Compiled templates that check themselves: every for-loop steps through
`environment.guard_loop`, every `{% set %}` and `{% with %}` value passes
`environment.guard_value`, and `~` joins through `environment.join_values`.

Loops are where a template spends unbounded time without calling anything (nested
loops over a list), and assignments are where it can double a value again and again,
so these are the places that must look at the clock and at sizes. The sandbox's call
and operator hooks (environment.py) cover the rest.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst

RECURSIVE_LOOP = "perulangan rekursif (for ... recursive) tidak didukung di templat unggahan"
_LOOP, _VALUE = "loop", "value"


class GuardedCodeGenerator(CodeGenerator):
    """CodeGenerator that wraps loops' iterables, assigned values and `~` in calls to
    the environment's checks.

    Jinja does not allow new node types, so instead of rewriting the tree, the
    statement's visitor marks the child expression to wrap, and `visit` writes the
    wrapper around that child when Jinja's own code for the statement visits it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wrap: dict[int, str] = {}  # id(expression node) -> _LOOP or _VALUE

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        kind = self._wrap.pop(id(node), None)
        if kind is None:
            return super().visit(node, *args, **kwargs)
        frame: Frame = args[0]
        self.write(f"environment.guard_{kind}(")
        super().visit(node, *args, **kwargs)
        # A loop's body appends to frame.buffer (a list) inside a macro or {% set %}
        # block, and yields when it is None; guard_loop measures what the list gains.
        self.write(f", {frame.buffer or 'None'})" if kind == _LOOP else ")")
        return None

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        if node.recursive:
            # A recursive loop iterates inside a nested function that the guard cannot
            # reach; posts have no tree-shaped data, so it is simply not offered.
            self.fail(RECURSIVE_LOOP, node.lineno)
        with self._wrapping([node.iter], _LOOP):
            super().visit_For(node, frame)

    def visit_Assign(self, node: nodes.Assign, frame: Frame) -> None:
        with self._wrapping([node.node], _VALUE):
            super().visit_Assign(node, frame)

    def visit_With(self, node: nodes.With, frame: Frame) -> None:
        with self._wrapping(list(node.values), _VALUE):
            super().visit_With(node, frame)

    @optimizeconst  # constant parts are still joined at compile time
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile or frame.eval_ctx.autoescape:
            super().visit_Concat(node, frame)  # posts never autoescape; keep Jinja's code
            return
        self.write("environment.join_values((")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write("))")

    @contextmanager
    def _wrapping(self, expressions: list[nodes.Node], kind: str) -> Iterator[None]:
        for expression in expressions:
            self._wrap[id(expression)] = kind
        try:
            yield
        finally:  # never leave a mark behind for a later node that reuses the id
            for expression in expressions:
                self._wrap.pop(id(expression), None)
