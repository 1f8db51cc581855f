"""The limits one render of a post template must stay within, and the cheap checks that
enforce them.

A post is at most 63,206 characters (Facebook's limit, the largest), so a template that
builds far more than that, loops for seconds, or computes enormous numbers is broken or
hostile. The checks run inside the render (see environment.py), so each failure is a
RenderLimitError raised at the template line that caused it.
"""

from collections.abc import Iterable
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from time import monotonic
from typing import Any

from jinja2.exceptions import SecurityError

from scheduler.labels import thousands
from scheduler.textfiles import MAX_TEMPLATE_BYTES as MAX_TEMPLATE_BYTES  # the sandbox's too

MAX_TEXT = 256 * 1024  # characters of output, and of any one value a template builds
MAX_RANGE = 2_000  # items one range() may produce
MAX_INT_BITS = 4_096  # size of a number (about 1,200 digits)
TIME_LIMIT = 2.0  # seconds one render may take

_CHECK_EVERY = 64  # ticks between two looks at the clock
_SCALARS = frozenset({int, float, bool, type(None), date, datetime, timedelta})


class RenderLimitError(SecurityError):
    """A template went past one of the limits; the message is for the template's author."""


class RenderTimeout(RenderLimitError):
    """A render ran out of time (the costly failure: callers remember it)."""


def too_long(what: str, size: int | None = None) -> RenderLimitError:
    actual = f" ({thousands(size)} karakter)" if size is not None else ""
    return RenderLimitError(
        f"{what} terlalu panjang{actual}: batasnya {thousands(MAX_TEXT)} karakter")


class Budget:
    """The clock of one render. `tick` is called at every loop step and call, and looks
    at the clock only every few ticks, since monotonic() costs as much as the check."""

    __slots__ = ("deadline", "inputs", "ticks")

    def __init__(self, seconds: float, inputs: Iterable[Any] = ()) -> None:
        self.deadline = monotonic() + seconds
        self.ticks = _CHECK_EVERY
        # The identities of the render's own variables (region, election, ...): alive for
        # the whole render (the context holds them) and never changed by a template (the
        # sandbox is immutable), so a macro argument that is one of them was not grown by
        # the template and need not be measured again at every call.
        self.inputs = frozenset(id(value) for value in inputs)

    def tick(self) -> None:
        self.ticks -= 1
        if self.ticks <= 0:
            self.ticks = _CHECK_EVERY
            if self.expired():
                raise timeout()

    def expired(self) -> bool:
        return monotonic() > self.deadline


def timeout() -> RenderTimeout:
    return RenderTimeout(
        f"templat berjalan lebih dari {TIME_LIMIT:g} detik dan dihentikan "
        "(perulangan bersarang atau terlalu banyak?)")


# The budget of the render running in this thread (or task), None outside a render.
# A context variable, because planning may render in several threads at once.
BUDGET: ContextVar[Budget | None] = ContextVar("siar_render_budget", default=None)


def text_size(value: Any, limit: int = MAX_TEXT) -> int:
    """Roughly len(str(value)), without building that string: a list of a thousand
    references to one long string is small in memory but enormous as text. Stops
    counting once past `limit`, so a deeply shared structure costs at most `limit` steps."""
    if isinstance(value, str):
        return len(value)
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item) + 2  # quotes in the repr
        elif isinstance(item, dict):
            total += 2 + 2 * len(item)
            if total <= limit:
                stack.extend(item.keys())
                stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            if total <= limit:
                stack.extend(item)
        else:
            total += 8  # a number, date, macro or undefined: short as text
    return total


def require_small(value: Any, what: str = "nilai") -> None:
    """Refuse a value whose text would be longer than MAX_TEXT."""
    if type(value) in _SCALARS:
        return
    size = text_size(value)
    if size > MAX_TEXT:
        raise too_long(what, size if isinstance(value, str) else None)


def bounded_items(items: Iterable[Any], separator: int = 0, what: str = "hasil join") -> list[Any]:
    """The items of an iterable that is about to be joined, read one at a time and
    refused as soon as their text (plus a separator of `separator` characters between
    them) would be too long: a generator of long strings is never held whole."""
    kept: list[Any] = []
    size = 0
    for item in items:
        size += text_size(item) + separator
        if size > MAX_TEXT:
            raise too_long(what)
        kept.append(item)
    return kept


def require_size(size: int, what: str = "teks") -> None:
    """Refuse a result whose estimated length exceeds MAX_TEXT."""
    if size > MAX_TEXT:
        raise too_long(what, size)


def require_width(width: Any, what: str = "lebar") -> None:
    """Refuse a padding width or repeat count that alone exceeds MAX_TEXT."""
    if isinstance(width, int) and width > MAX_TEXT:
        raise RenderLimitError(
            f"{what} {thousands(width)} terlalu besar: batasnya {thousands(MAX_TEXT)}")


def require_int_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise RenderLimitError(
            f"angka terlalu besar (sekitar {thousands(bits)} bit): batasnya "
            f"{thousands(MAX_INT_BITS)} bit")


def limited_range(*args: int) -> range:
    """range() for templates: at most MAX_RANGE items (Jinja's own sandbox allows 100,000
    and fails with an OverflowError instead of a template error)."""
    numbers = range(*args)
    count = _length(numbers)
    if count > MAX_RANGE:
        raise RenderLimitError(
            f"range() terlalu besar: {thousands(count)} butir, batasnya {thousands(MAX_RANGE)}")
    return numbers


def _length(numbers: range) -> int:
    try:
        return len(numbers)
    except OverflowError:  # more items than fit in a machine word; near enough
        return (numbers.stop - numbers.start) // numbers.step


def bounded_concat(parts: Iterable[str]) -> str:
    """Environment.concat: joins a macro's, block's or {% set %} block's output, after
    checking the total (a buffer holds references, the joined text is the copy)."""
    if isinstance(parts, list):
        size = sum(map(len, parts))
        if size > MAX_TEXT:
            raise too_long("teks yang dirangkai", size)
        return "".join(parts)
    text = "".join(parts)
    if len(text) > MAX_TEXT:
        raise too_long("teks yang dirangkai", len(text))
    return text
