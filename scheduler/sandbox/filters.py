"""Jinja's built-in filters that can grow text, each preceded by a size check.

Filters are called directly by compiled templates (not through the sandbox's call hook),
so these are the only place to check them. Each wrapper keeps the original's pass_*
marker, and `map('center', ...)` finds the wrapper too, since it looks filters up by
name.
"""

from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import pass_environment, pass_eval_context
from jinja2.filters import FILTERS as DEFAULT_FILTERS
from jinja2.nodes import EvalContext

from scheduler.sandbox.limits import (
    MAX_RANGE,
    RenderLimitError,
    bounded_items,
    require_size,
    require_small,
    require_width,
)
from scheduler.sandbox.operations import check_percent_format, replaced_size

_MAX_JSON_INDENT = 8


def guarded_filters() -> dict[str, Callable[..., Any]]:
    """Replacements for the growing built-in filters, by name."""
    return {
        "center": _center,
        "indent": _indent,
        "wordwrap": _wordwrap,
        "replace": _replace,
        "join": _join,
        "format": _format,
        "slice": _slice,
        "batch": _batch,
        "tojson": _tojson,
    }


def _builtin(name: str) -> Callable[..., Any]:
    return DEFAULT_FILTERS[name]  # type: ignore[no-any-return]


def _center(value: Any, width: int = 80) -> str:
    require_width(width)
    return _builtin("center")(value, width)  # type: ignore[no-any-return]


def _indent(s: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    text = str(s)
    per_line = len(width) if isinstance(width, str) else width
    require_width(per_line)
    require_size(len(text) + (text.count("\n") + 1) * per_line, "hasil indent")
    return _builtin("indent")(text, width, first, blank)  # type: ignore[no-any-return]


@pass_environment
def _wordwrap(environment: Any, s: Any, width: int = 79, break_long_words: bool = True,
              wrapstring: str | None = None, break_on_hyphens: bool = True) -> str:
    text = str(s)
    breaks = len(text) // max(width, 1) + text.count("\n") + 1
    require_size(len(text) + breaks * len(wrapstring or "\n"), "hasil wordwrap")
    return _builtin("wordwrap")(  # type: ignore[no-any-return]
        environment, text, width, break_long_words, wrapstring, break_on_hyphens)


@pass_eval_context
def _replace(eval_ctx: EvalContext, s: Any, old: Any, new: Any, count: int | None = None) -> str:
    size = replaced_size(str(s), str(old), str(new), -1 if count is None else count)
    require_size(size, "hasil replace")
    return _builtin("replace")(eval_ctx, s, old, new, count)  # type: ignore[no-any-return]


@pass_eval_context
def _join(eval_ctx: EvalContext, value: Iterable[Any], d: str = "",
          attribute: str | int | None = None) -> str:
    items = bounded_items(value, len(str(d)))
    return _builtin("join")(eval_ctx, items, d, attribute)  # type: ignore[no-any-return]


def _format(value: Any, *args: Any, **kwargs: Any) -> str:
    check_percent_format(str(value), kwargs or args)
    return _builtin("format")(value, *args, **kwargs)  # type: ignore[no-any-return]


def _slice(value: Any, slices: int, fill_with: Any = None) -> Any:
    _require_count(slices, "slice")
    return _builtin("slice")(value, slices, fill_with)


def _batch(value: Any, linecount: int, fill_with: Any = None) -> Any:
    _require_count(linecount, "batch")
    return _builtin("batch")(value, linecount, fill_with)


@pass_eval_context
def _tojson(eval_ctx: EvalContext, value: Any, indent: int | None = None) -> Any:
    if isinstance(indent, int) and indent > _MAX_JSON_INDENT:
        raise RenderLimitError(f"indent tojson paling besar {_MAX_JSON_INDENT}")
    require_small(value, "data tojson")
    return _builtin("tojson")(eval_ctx, value, indent)


def _require_count(count: Any, name: str) -> None:
    if isinstance(count, int) and count > MAX_RANGE:
        raise RenderLimitError(f"{name}({count}) terlalu besar: batasnya {MAX_RANGE}")
