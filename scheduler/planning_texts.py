"""Planned texts rendered once and reused wherever the template's output is provably the
same: tens of thousands of planned posts share a few thousand distinct texts (a template
that reads no date gives one region the same text on every slot; issue 11).

A render is a function of the variables the template reads and nothing else: the
sandbox is immutable, every filter and global but Jinja's `random` is deterministic, and
a template that names another by an expression, or uses `random`, is rendered every time.
So the cache key is the file, whether the text is an Instagram caption (PostRenderer
rewrites its links), and, for each variable the template (with what it includes or
imports with context; scheduler.template_vars) may read, a hashable stand-in that is
equal exactly when the value is: the value itself for plain values (with its type, so
1 and True differ; with its zone and fold for an instant), or for a variable built from
content the names it was built from (a region's variables from its key and election).
A template that only ever compares `platform` with constant texts
(scheduler.template_platforms) is keyed on the answers to those comparisons instead:
Facebook and Telegram then share a render of NAME.j2.
"""

from datetime import date, datetime, time
from typing import Any

from scheduler.platforms import links_clickable
from scheduler.rendering import PostRenderer

Key = tuple[object, ...]
LIMIT = 5_000  # texts remembered (memory stays flat at national size; hits are recent)
# Filters whose output is not a function of their input.
IMPURE_FILTERS = frozenset({"random"})
_PLAIN = (str, int, float, bool, type(None), date, time)


def plain(value: Any) -> object:
    """A hashable stand-in for a plain value, equal exactly when the values render alike:
    the type is part of it (1, 1.0 and True are equal in Python, not on the page), and an
    instant keeps its zone and fold (equal instants in two zones show two wall times)."""
    if type(value) is datetime:
        return (datetime, value, value.tzinfo, value.fold)
    if type(value) in _PLAIN:
        return (type(value), value)
    if type(value) in (tuple, list):
        return (type(value), *map(plain, value))
    raise TypeError(f"no cache key for a {type(value).__name__}")


class PlannedTexts:
    """PostRenderer.render for one planning run, remembering texts by what they depend on.

    `parts` (given with each context) holds one stand-in for each variable of the context,
    under the same names; only the stand-ins of the variables the template reads go into
    the key."""

    def __init__(self, renderer: PostRenderer) -> None:
        self.renderer = renderer
        self._names: dict[str, tuple[str, ...] | None] = {}  # file -> names in its key
        # file -> the texts its `platform` is only ever compared with
        self._tests: dict[str, tuple[str, ...]] = {}
        self._texts: dict[Key, str] = {}
        self.renders = 0  # how many texts were rendered (the rest were reused)

    def text(self, file: str, context: dict[str, Any], parts: dict[str, object]) -> str:
        try:
            names = self._names[file]
        except KeyError:
            names = self._names[file] = self._key_names(file, context, parts)
        if names is None:
            return self._render(file, context)
        platform = context.get("platform")
        # Rendering leaves links bare where a platform does not make them clickable.
        clickable = links_clickable(platform) if isinstance(platform, str) else True
        tests = self._tests.get(file)
        if tests is None:
            key = (file, clickable, *[parts[n] for n in names])
        else:  # `platform` only compared with constants: which of them it equals
            answers = tuple(platform == text for text in tests)
            key = (file, clickable, *[answers if n == "platform" else parts[n] for n in names])
        text = self._texts.get(key)
        if text is None:
            text = self._render(file, context)
            if len(self._texts) >= LIMIT:
                self._texts.clear()
            self._texts[key] = text
        return text

    def _render(self, file: str, context: dict[str, Any]) -> str:
        self.renders += 1
        return self.renderer.render(file, context)

    def _key_names(self, file: str, context: dict[str, Any],
                   parts: dict[str, object]) -> tuple[str, ...] | None:
        """The context's variables `file` may read (None: render it every time)."""
        if parts.keys() != context.keys():  # a variable without a stand-in would be ignored
            raise ValueError(f"stand-ins {sorted(parts)} for variables {sorted(context)}")
        filters, reads = self.renderer.filters(file), self.renderer.reads(file)
        if filters is None or filters & IMPURE_FILTERS or reads is None:
            return None
        tests = self.renderer.platform_tests(file)
        if tests is not None:
            self._tests[file] = tuple(sorted(tests))
        return tuple(sorted(name for name in context if name in reads))
