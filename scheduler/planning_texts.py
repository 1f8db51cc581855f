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
Facebook and Telegram then share a render of NAME.j2. And a template whose slot values
(`today`, `days_to_voting`, ...) the analysis of scheduler.slot_keys can follow is keyed
on its SlotKey's result instead of those values: one render for every day of a stage
that gets the same text.
"""

from typing import Any

from scheduler.platforms import links_clickable
from scheduler.postcontext import SLOT_NAMES
from scheduler.rendering import PostRenderer
from scheduler.slot_keys import IMPURE_FILTERS, SlotKey

Key = tuple[object, ...]
LIMIT = 5_000  # texts remembered (memory stays flat at national size; hits are recent)


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
        # file -> its SlotKey and the names of its key that are not slot variables
        self._slots: dict[str, tuple[SlotKey, tuple[str, ...]]] = {}
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
        head: tuple[object, ...] = (file, clickable)
        slots = self._slots.get(file)
        if slots is not None:
            followed = slots[0].key(context)
            if followed is not None:  # the slot values as the text uses them
                head, names = (file, clickable, "slot", followed), slots[1]
        tests = self._tests.get(file)
        if tests is None:
            key = (*head, *[parts[n] for n in names])
        else:  # `platform` only compared with constants: which of them it equals
            answers = tuple(platform == text for text in tests)
            key = (*head, *[answers if n == "platform" else parts[n] for n in names])
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
        names = tuple(sorted(name for name in context if name in reads))
        program = self.renderer.slot_key(file)
        if program is not None:
            self._slots[file] = (program, tuple(n for n in names if n not in SLOT_NAMES))
        return names
