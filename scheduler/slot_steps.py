"""The steps a SlotKey (scheduler.slot_keys) is made of, and how they run: each
appends exactly one entry to the key, so equal keys mean the same branches were taken and
the same slot values were recorded."""

from collections.abc import Callable, Mapping
from typing import Any

from scheduler.postcontext import plain

# Values by name, the names holding slot values, and the steps the key may still take.
Scope = tuple[Mapping[str, Any], frozenset[str], list[int]]
Step = Callable[[Scope, list[object]], None]
Value = Callable[[Scope], Any]


STEP_LIMIT = 10_000  # steps one key may take (macros calling macros can multiply them)


class Unevaluable(Exception):
    """This context's values cannot be followed (a name without a value, an error)."""


class TooManySteps(Unevaluable):
    """The key took more than STEP_LIMIT steps: the post is rendered (under the render's
    own time limit) instead."""


class Macro:
    """A macro's program: its parameters, and the steps of its body."""

    def __init__(self, params: tuple[str, ...], steps: list[Step]) -> None:
        self.params, self.steps = params, steps


def load(name: str) -> Value:
    def load(scope: Scope) -> Any:
        try:
            return scope[0][name]
        except KeyError:
            raise Unevaluable(name) from None
    return load


def compare(first: Value, ops: list[tuple[Callable[[Any, Any], Any], Value]]) -> Value:
    """Python's chained comparison (what Jinja compiles `a < b <= c` to): each operand
    evaluated once, the first false result or the last."""
    def compare(scope: Scope) -> Any:
        left = first(scope)
        result: Any = True
        for function, operand in ops:
            right = operand(scope)
            result = function(left, right)
            if not result:
                return result
            left = right
        return result
    return compare


def observe(names: tuple[str, ...]) -> Step:
    """Record the values of those of `names` that hold slot values here."""
    def observe(scope: Scope, out: list[object]) -> None:
        values, slot, _ = scope
        try:
            out.append(tuple(plain(values[n]) if n in slot else None for n in names))
        except (KeyError, TypeError):
            raise Unevaluable(names) from None
    return observe


def run(steps: list[Step], scope: Scope) -> tuple[object, ...]:
    """The entries `steps` add, counted against the key's steps."""
    budget = scope[2]
    budget[0] -= len(steps)
    if budget[0] < 0:
        raise TooManySteps(len(steps))
    out: list[object] = []
    for step in steps:
        step(scope, out)
    return tuple(out)


def branch(test: Value, then: list[Step], other: list[Step]) -> Step:
    def branch(scope: Scope, out: list[object]) -> None:
        try:
            answer = bool(test(scope))
        except Unevaluable:
            raise
        except Exception:  # the render raises it too, with its file and line
            raise Unevaluable("test") from None
        out.append((answer, run(then if answer else other, scope)))
    return branch


def both(then: list[Step], other: list[Step]) -> Step:
    """Both branches of a test whose answer is not computed (what the test reads is
    recorded before this, so equal records mean equal answers)."""
    def both(scope: Scope, out: list[object]) -> None:
        out.append((run(then, scope), run(other, scope)))
    return both


def call(macro: Macro, args: list[Value | None], named: list[tuple[str, ...]],
          fallback: Step) -> Step:
    """A macro call: with no slot value among its arguments, nothing (its text is then a
    function of the other variables); else the macro's program on its parameters, or the
    slot values the call names when this context's arguments cannot be followed."""
    def call(scope: Scope, out: list[object]) -> None:
        slot = scope[1]
        hot = [bool(slot.intersection(names)) for names in named]
        if not any(hot):
            out.append(None)
            return
        bound: dict[str, Any] = {}
        inner: set[str] = set()
        try:
            for param, argument, is_slot in zip(macro.params, args, hot, strict=False):
                if argument is None:
                    if is_slot:
                        raise Unevaluable(param)
                    continue
                try:
                    bound[param] = argument(scope)
                except Unevaluable:
                    if is_slot:
                        raise
                    continue
                except Exception:
                    raise Unevaluable(param) from None
                if is_slot:
                    inner.add(param)
            out.append((True, run(macro.steps, (bound, frozenset(inner), scope[2]))))
        except TooManySteps:
            raise
        except Unevaluable:
            fallen: list[object] = []
            fallback(scope, fallen)
            out.append((False, *fallen))
    return call
