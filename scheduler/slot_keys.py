"""Which of a slot's values change a post template's text, found from its source.

A slot's variables (scheduler.postcontext.SLOT_NAMES: `today`, `days_to_voting`, ...)
differ on every day, but most texts change only when a day crosses a date: "akan
dilaksanakan" before a stage, "telah dilaksanakan" after it, the DPK paragraph once the
voter list is final. Keyed on the variables, planning rendered a text for every day of
every office's calendar; keyed on what the template does with them, it renders about one
per distinct text (scheduler.planning_texts).

A SlotKey is a small program that mirrors the template:

- an `if` whose test it can evaluate (names, constants, attributes, items, comparisons,
  and/or/not, tests and filters that need no context) records the answer and follows
  the branch the render takes; one it cannot evaluate records the slot values its test
  names and follows both branches;
- a call of a macro the source names (scheduler.template_facts; macros imported without
  context see only their arguments) with a slot value among its arguments runs the
  macro's own program with its parameters bound, or, where that cannot be done for
  these values, records the slot values the call names;
- anything else that names a slot variable records that variable's value.

Every step appends exactly one entry, so equal results mean the same branches were taken
and the same slot values reach the text: with the template's other variables equal
(planning_texts keys those), the texts are equal. A template whose slot values can reach
the text some other way gets no program (None: planning keys every slot value): a slot
value assigned to another name, a macro of the file itself or a `call` block that names
one, an include, extends, block, or import with context.
"""

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jinja2 import Environment, nodes

from scheduler import slot_steps
from scheduler.postcontext import SLOT_NAMES
from scheduler.slot_steps import STEP_LIMIT, Macro, Step, Unevaluable, Value
from scheduler.template_facts import Facts, FileFacts, macro_named

IMPURE_FILTERS = frozenset({"random"})  # filters whose output is not a function of their input
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gteq": operator.ge,
    "lt": operator.lt, "lteq": operator.le,
    "in": lambda a, b: a in b, "notin": lambda a, b: a not in b,
}
_DEPTH = 8  # macros calling macros: deeper than this is not followed
_MISSING = object()


class GiveUp(Exception):
    """The source does something the analysis does not follow."""


class SlotKey:
    """The program for one template file; `key(context)` is its result for a post's
    context, or None when this context cannot be followed (render it, key it fully)."""

    def __init__(self, steps: list[Step], reads: frozenset[str]) -> None:
        self.steps = steps
        self.reads = tuple(sorted(reads))  # every context variable the program reads
        # The last context's values (the very objects) and the result: the accounts of one
        # office in one slot share their variables' objects, so it is computed once.
        self._last: tuple[tuple[object, ...], tuple[object, ...] | None] | None = None

    def key(self, context: Mapping[str, Any]) -> tuple[object, ...] | None:
        values = tuple(context.get(name, _MISSING) for name in self.reads)
        last = self._last
        if last is not None and all(a is b for a, b in zip(last[0], values, strict=True)):
            return last[1]
        result: tuple[object, ...] | None
        try:
            result = slot_steps.run(self.steps, (context, SLOT_NAMES, [STEP_LIMIT]))
        except Unevaluable:
            result = None
        self._last = (values, result)
        return result


class SlotKeys:
    """The SlotKey of each template, each file's facts read once."""

    def __init__(self, env: Environment, file_facts: Facts) -> None:
        self.env = env
        self.file_facts = file_facts
        self._keys: dict[str, SlotKey | None] = {}
        self._macros: dict[tuple[str, str], Macro | None] = {}
        self._depth = 0
        self._loads: dict[int, tuple[nodes.Node, frozenset[str]]] = {}

    def names(self, node: nodes.Node) -> frozenset[str]:
        """The names `node` and the nodes below it read, found once per node (analysing a
        body asks again for each of its parts)."""
        found = self._loads.get(id(node))
        if found is None or found[0] is not node:
            names: set[str] = set()
            if isinstance(node, nodes.Name) and node.ctx == "load":
                names.add(node.name)
            for child in node.iter_child_nodes():
                names |= self.names(child)
            found = self._loads[id(node)] = (node, frozenset(names))
        return found[1]

    def __call__(self, file: str) -> SlotKey | None:
        if file not in self._keys:
            self._keys[file] = self._template(file)
        return self._keys[file]

    def _template(self, file: str) -> SlotKey | None:
        facts = self.file_facts(file)
        if facts is None:
            return None
        tree = facts.tree
        if facts.find(nodes.Include, nodes.Extends, nodes.Block):
            return None
        if facts.with_context:
            return None
        # The file's own macros and call blocks read the render's variables whenever they
        # are called: one that names a slot variable is not followed.
        if any(self.names(m) & SLOT_NAMES for m in facts.find(nodes.Macro, nodes.CallBlock)):
            return None
        try:
            unit = _Unit(self, file, facts, SLOT_NAMES, frozenset(facts.bound))
            steps = unit.body(tree.body)
            return SlotKey(steps, frozenset(unit.reads))
        except GiveUp:
            return None

    def macro(self, file: str, macro: nodes.Macro) -> "Macro | None":
        """The program of a macro (its parameters are what it reads), once per macro."""
        cache_key = (file, macro.name)
        if cache_key in self._macros:
            return self._macros[cache_key]
        facts = self.file_facts(file)
        if facts is None or self._depth >= _DEPTH:
            return None
        # While it is analysed, a call of it (recursion) is not followed: the call records
        # the slot values it names. (Without this, a macro calling itself ten times would
        # be analysed ten to the power _DEPTH times.)
        self._macros[cache_key] = None
        params = tuple(a.name for a in macro.args)
        # What its body binds (loop variables, assignments, a parameter assigned again): a
        # test naming one cannot be evaluated from the arguments.
        stored = {n.name for node in macro.body for n in _with_below(node)
                  if isinstance(n, nodes.Name) and n.ctx != "load"}
        self._depth += 1
        try:
            if any(self.names(node) & {"caller", "varargs", "kwargs"} for node in macro.body):
                raise GiveUp
            unit = _Unit(self, file, facts, frozenset(params), frozenset(stored))
            found: Macro | None = Macro(params, unit.body(macro.body))
        except GiveUp:
            found = None
        finally:
            self._depth -= 1
        self._macros[cache_key] = found
        return found


class _Unit:
    """One body being analysed: a template (tracking the slot names) or a macro
    (tracking its parameters: which of them hold slot values is known only per call)."""

    def __init__(self, keys: SlotKeys, file: str, facts: FileFacts, tracked: frozenset[str],
                 stored: frozenset[str]) -> None:
        self.keys, self.file, self.facts = keys, file, facts
        self.tracked = tracked
        self.stored = stored  # names the body binds: never evaluated
        self.reads: set[str] = set()  # the names its steps read

    def named(self, node: nodes.Node) -> tuple[str, ...]:
        """The tracked names `node` mentions."""
        return tuple(sorted(self.keys.names(node) & self.tracked))

    def observe(self, names: tuple[str, ...]) -> Step:
        self.reads.update(names)
        return slot_steps.observe(names)

    def body(self, body: Sequence[nodes.Node]) -> list[Step]:
        return [step for node in body for step in self.statement(node)]

    def statement(self, node: nodes.Node) -> list[Step]:
        names = self.named(node)
        if isinstance(node, nodes.Output):
            return [step for child in node.nodes for step in self.output(child)]
        if isinstance(node, nodes.If):
            return self.branch(node) if names else []
        if isinstance(node, nodes.Include | nodes.Extends | nodes.Block):
            raise GiveUp
        if isinstance(node, nodes.Import | nodes.FromImport):
            if node.with_context:
                raise GiveUp
            return []
        if isinstance(node, nodes.Assign | nodes.AssignBlock | nodes.Macro):
            # A slot value under another name, or read by a macro of this file whenever it
            # is called: not followed.
            if names:
                raise GiveUp
            return []
        return [self.observe(names)] if names else []

    def output(self, expr: nodes.Node) -> list[Step]:
        names = self.named(expr)
        if not names:
            return []
        if isinstance(expr, nodes.Call):
            step = self.call(expr)
            if step is not None:
                return [step]
        return [self.observe(names)]

    def branch(self, node: nodes.If) -> list[Step]:
        then = self.body(node.body)
        if node.elif_:
            first, *rest = node.elif_
            other = self.branch(nodes.If(first.test, first.body, rest, node.else_))
        else:
            other = self.body(node.else_)
        try:
            return [slot_steps.branch(self.value(node.test), then, other)]
        except GiveUp:
            pass
        if isinstance(node.test, nodes.Call):
            step = self.call(node.test)
            if step is not None:
                return [step, slot_steps.both(then, other)]
        return [self.observe(self.named(node.test)), slot_steps.both(then, other)]

    def call(self, call: nodes.Call) -> Step | None:
        """A call of a macro the source names, followed into the macro."""
        if call.kwargs or call.dyn_args or call.dyn_kwargs:
            return None
        found = macro_named(self.file, self.facts, call.node, self.keys.file_facts)
        if found is None:
            return None
        macro = self.keys.macro(*found)
        if macro is None or len(call.args) > len(macro.params):
            return None
        args: list[Value | None] = []
        for argument in call.args:
            try:
                args.append(self.value(argument))
            except GiveUp:
                args.append(None)
        fallback = self.observe(self.named(call))
        return slot_steps.call(macro, args, [self.named(a) for a in call.args], fallback)

    def value(self, node: nodes.Node) -> Value:
        """A function computing `node`'s value as the render would (GiveUp: not followed)."""
        env = self.keys.env
        if isinstance(node, nodes.Const):
            constant = node.value
            return lambda scope: constant
        if isinstance(node, nodes.Name):
            if node.name in self.stored:
                raise GiveUp
            self.reads.add(node.name)
            return slot_steps.load(node.name)
        if isinstance(node, nodes.Getattr):
            inner, attr = self.value(node.node), node.attr
            return lambda scope: env.getattr(inner(scope), attr)
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            inner, item = self.value(node.node), node.arg.value
            return lambda scope: env.getitem(inner(scope), item)
        if isinstance(node, nodes.Compare):
            return slot_steps.compare(self.value(node.expr),
                            [(_COMPARE[op.op], self.value(op.expr)) for op in node.ops])
        if isinstance(node, nodes.And | nodes.Or):
            left, right = self.value(node.left), self.value(node.right)
            if isinstance(node, nodes.And):
                return lambda scope: right(scope) if (value := left(scope)) else value
            return lambda scope: value if (value := left(scope)) else right(scope)
        if isinstance(node, nodes.Not):
            inner = self.value(node.node)
            return lambda scope: not inner(scope)
        if isinstance(node, nodes.List | nodes.Tuple):
            items, kind = [self.value(i) for i in node.items], type(node)
            if kind is nodes.List:
                return lambda scope: [item(scope) for item in items]
            return lambda scope: tuple(item(scope) for item in items)
        if isinstance(node, nodes.Test | nodes.Filter):
            return self._applied(node)
        raise GiveUp

    def _applied(self, node: nodes.Test | nodes.Filter) -> Value:
        env = self.keys.env
        table: Mapping[str, Any] = env.tests if isinstance(node, nodes.Test) else env.filters
        function: Callable[..., Any] | None = table.get(node.name)
        if (function is None or node.node is None or node.kwargs or node.dyn_args
                or node.dyn_kwargs or node.name in IMPURE_FILTERS
                or getattr(function, "jinja_pass_arg", None) is not None):
            raise GiveUp
        inner = self.value(node.node)
        args = [self.value(a) for a in node.args]
        return lambda scope: function(inner(scope), *[a(scope) for a in args])


def _with_below(node: nodes.Node) -> list[nodes.Node]:
    """`node` and every node below it (find_all leaves out the node itself)."""
    return [node, *node.find_all(nodes.Node)]
