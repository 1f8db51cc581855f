"""Size checks for the operations that can make a large value out of a small one:
repetition (`'x' * n`), powers, padding and replacement, and %- and {}-formatting.
Each check estimates the result before it is built, so nothing huge is ever allocated."""

import re
from collections.abc import Callable, Mapping, Sequence
from types import BuiltinMethodType
from typing import Any

from jinja2.sandbox import SandboxedFormatter
from markupsafe import Markup

from scheduler.sandbox.limits import (
    MAX_TEXT,
    RenderLimitError,
    bounded_items,
    require_int_bits,
    require_size,
    require_width,
    text_size,
    too_long,
)

# %-format conversions: optional (key), flags, width, precision, length modifier, type.
_PERCENT_SPEC = re.compile(r"%(\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.?)")
_DIGITS = re.compile(r"\d+")
_FORMAT_METHODS = ("format", "format_map")


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse `left operator right` when its result would be too large."""
    if operator == "*":
        _check_multiply(left, right)
    elif operator == "**":
        _check_power(left, right)
    elif operator == "+":
        if not isinstance(left, int | float) and not isinstance(right, int | float):
            require_size(text_size(left) + text_size(right), "hasil penjumlahan")
    elif operator == "%" and isinstance(left, str):
        check_percent_format(left, right)


def _check_multiply(left: Any, right: Any) -> None:
    if _is_int(left) and _is_int(right):
        require_int_bits(left.bit_length() + right.bit_length())
    elif _is_int(right):
        _check_repeat(left, right)
    elif _is_int(left):
        _check_repeat(right, left)


def _check_repeat(sequence: Any, times: int) -> None:
    if isinstance(sequence, str | bytes | list | tuple) and times > 0:
        require_size(times * text_size(sequence), "hasil perkalian teks atau daftar")


def _check_power(base: Any, exponent: Any) -> None:
    if _is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1:
        require_int_bits(base.bit_length() * min(exponent, 1 << 32))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_percent_format(template: str, values: Any) -> None:
    """`template % values`: widths and precisions plus the values' text must fit."""
    widths, fields, star = 0, 0, False
    for match in _PERCENT_SPEC.finditer(template):
        if match.group(4) == "%":
            continue
        fields += 1
        for number in (match.group(2), match.group(3)):
            if number == "*":
                star = True
            elif number:
                require_width(int(number))
                widths += int(number)
    if isinstance(values, Mapping):  # "%(a)s%(a)s": a key may be used many times
        longest = max((text_size(v) for v in values.values()), default=0)
        size = fields * longest
    else:
        items = values if isinstance(values, tuple) else (values,)
        size = sum(text_size(v) for v in items)
        if star:
            widths += sum(v for v in items if _is_int(v) and v > 0)
    require_size(len(template) + widths + size, "hasil format")


def check_str_method(method: Any, args: Sequence[Any]) -> Sequence[Any]:
    """Check a call of a str or bytes method that can grow text; returns the arguments
    to call it with (an iterable given to join() is read once, into a list)."""
    name = method.__name__
    owner = method.__self__
    if name in ("center", "ljust", "rjust", "zfill") and args:
        require_width(args[0])
    elif name == "join" and args:
        return (bounded_items(args[0], len(owner)), *args[1:])
    elif name == "replace" and len(args) >= 2:
        require_size(replaced_size(owner, args[0], args[1], *args[2:3]), "hasil replace")
    elif name in ("format", "format_map"):  # only ever reached unwrapped by mistake
        raise RenderLimitError(f"{name}() tidak boleh dipanggil langsung")
    return args


def replaced_size(text: Any, old: Any, new: Any, count: Any = -1) -> int:
    """len(text.replace(old, new, count)) without doing the replacement."""
    if isinstance(text, str) and isinstance(old, str):
        found = text.count(old) if old else len(text) + 1  # "" matches between chars
    elif isinstance(text, bytes) and isinstance(old, bytes):
        found = text.count(old) if old else len(text) + 1
    else:
        return 0  # replace() refuses mixed types itself
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * (text_size(new) - len(old))


class LimitedFormatter(SandboxedFormatter):
    """str.format for templates: refuses huge widths and stops once the text built so
    far is too long ('{0}' repeated thousands of times with a long argument)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.size = 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        for number in _DIGITS.findall(format_spec):
            require_width(int(number), "lebar atau presisi format")
        text = super().format_field(value, format_spec)
        self.size += len(text)
        if self.size > MAX_TEXT:
            raise too_long("hasil format", self.size)
        return text


def limited_str_format(env: Any, value: Any) -> Callable[..., str] | None:
    """The sandbox's wrapper for `"...".format` and `.format_map`, with LimitedFormatter
    (a copy of SandboxedEnvironment.wrap_str_format, which hard-codes its formatter)."""
    if not isinstance(value, BuiltinMethodType) or value.__name__ not in _FORMAT_METHODS:
        return None
    name, owner = value.__name__, value.__self__
    if not isinstance(owner, str) or isinstance(owner, Markup):
        return None  # Markup keeps Jinja's escaping formatter
    text_type = type(owner)

    def wrapper(*args: Any, **kwargs: Any) -> str:
        if name == "format_map":
            if kwargs or len(args) != 1:
                raise TypeError("format_map() takes exactly one argument")
            kwargs, args = args[0], ()
        return text_type(LimitedFormatter(env).vformat(owner, args, kwargs))

    return wrapper

