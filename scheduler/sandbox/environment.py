"""PostSandbox: Jinja's immutable sandbox with limits on time, size and loops, and a
loader that reads templates as UTF-8 (with or without a byte-order mark)."""

import os
import posixpath
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from types import BuiltinMethodType, MethodType
from typing import Any, NoReturn

from jinja2 import FileSystemLoader, Template, TemplateNotFound, TemplateSyntaxError
from jinja2.environment import Environment, TemplateModule
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.runtime import Context, Macro
from jinja2.sandbox import (
    ImmutableSandboxedEnvironment,
    is_internal_attribute,
    modifies_known_mutable,
)

from scheduler.sandbox.codegen import GuardedCodeGenerator
from scheduler.sandbox.filters import guarded_filters
from scheduler.sandbox.limits import (
    BUDGET,
    MAX_TEMPLATE_BYTES,
    MAX_TEXT,
    TIME_LIMIT,
    Budget,
    RenderLimitError,
    bounded_concat,
    limited_range,
    require_size,
    require_small,
    too_long,
)
from scheduler.sandbox.operations import check_binop, check_str_method, limited_str_format
from scheduler.textfiles import TextFileError, read_text

# str methods that turn a short text into a long one and have no use in a post.
_GROWING_STR_METHODS = frozenset({"expandtabs", "translate", "maketrans"})
# Every method the immutable sandbox refuses on some built-in list, dict, set or deque
# (jinja2.sandbox._mutable_spec; a test checks that this list covers it).
MUTATING_METHODS = frozenset({
    "add", "append", "appendleft", "clear", "difference_update", "discard", "extend",
    "extendleft", "insert", "pop", "popitem", "popleft", "remove", "reverse", "rotate",
    "setdefault", "sort", "symmetric_difference_update", "update",
})


# A dict's attributes: exactly the names getattr() finds on one (it has no __dict__).
_DICT_ATTRIBUTES = frozenset(dir(dict))


class TemplateFileError(TemplateSyntaxError):
    """A template file that is not UTF-8 or is too large; the message is for its author."""


class TemplateLoader(FileSystemLoader):
    """FileSystemLoader for one folder that strips a byte-order mark, refuses files over
    MAX_TEMPLATE_BYTES, and reports bytes that are not UTF-8 with their line and offset
    (FileSystemLoader raises a bare UnicodeDecodeError)."""

    def __init__(self, root: Path) -> None:
        super().__init__(str(root))

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        filename = posixpath.join(self.searchpath[0], *split_template_path(template))
        if not os.path.isfile(filename):
            raise TemplateNotFound(template)
        filename = os.path.normpath(filename)
        try:
            source = read_text(Path(filename), MAX_TEMPLATE_BYTES)
        except TextFileError as exc:
            raise TemplateFileError(exc.message, exc.line or 1, template, filename) from None
        mtime = os.path.getmtime(filename)

        def uptodate() -> bool:
            try:
                return os.path.getmtime(filename) == mtime
            except OSError:
                return False

        return source, filename, uptodate


class LimitedTemplate(Template):
    """A template whose render() runs under a time budget and an output limit."""

    _global_names: frozenset[str] | None = None

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        # Jinja compares the importer's globals with this template's on every import of
        # every render (a set difference against a ChainMap: a few microseconds each, a
        # tenth of planning's rendering). Post templates all share the environment's
        # globals, so the answer is always "none new": the same check, against a frozen
        # copy of this template's global names taken once.
        names = self._global_names
        if names is None:
            names = self._global_names = frozenset(self.globals)
        if ctx is not None and not ctx.globals_keys <= names:
            return super()._get_default_module(ctx)
        return super()._get_default_module()

    def render(self, *args: Any, **kwargs: Any) -> str:
        # Template.render, with the budget set and the output measured as it comes
        variables = dict(*args, **kwargs)
        context = self.new_context(variables)
        token = BUDGET.set(Budget(TIME_LIMIT, variables.values()))
        try:
            # root_render_func is typed as returning an Iterator; it is a generator
            return _collect(self.root_render_func(context))  # type: ignore[arg-type]
        except Exception:
            self.environment.handle_exception()  # re-raises, pointing into the template
        finally:
            BUDGET.reset(token)


_OUTPUT_BATCH = 64  # chunks of output between two checks of its size


def _collect(chunks: Generator[str, None, None]) -> str:
    """Join the output, refusing it once it is too long. (The clock is watched by the
    loops and macro calls: output without them is as short as the template.)"""
    parts: list[str] = []
    size = 0
    while True:  # a post is usually one batch
        batch = list(islice(chunks, _OUTPUT_BATCH))
        parts += batch
        size += sum(map(len, batch))
        if size > MAX_TEXT:
            _raise_inside(chunks, too_long("teks hasil templat", size))
        if len(batch) < _OUTPUT_BATCH:
            return "".join(parts)


def _raise_inside(chunks: Generator[str, None, None], error: RenderLimitError) -> NoReturn:
    """Raise `error` at the template line that produced the last chunk: thrown into the
    suspended generator, the traceback leads through the template's code, which is how
    the caller finds the file and line."""
    chunks.throw(error)
    raise error  # not reached: the template's generator does not swallow errors


class PostSandbox(ImmutableSandboxedEnvironment):
    """The environment for post templates. On top of Jinja's immutable sandbox (no
    template can change a list or dict it is given, so renders cannot affect each other):
    range() is capped, output and every value built are limited in size, and each
    render stops after TIME_LIMIT seconds, each with a RenderLimitError at the template
    line responsible."""

    code_generator_class = GuardedCodeGenerator
    template_class = LimitedTemplate
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    concat = staticmethod(bounded_concat)

    def __init__(self, templates_dir: Path, **options: Any) -> None:
        super().__init__(loader=TemplateLoader(templates_dir), **options)
        self.globals.pop("lipsum", None)  # lorem ipsum of any length: no use in a post
        self.globals["range"] = limited_range
        self.filters.update(guarded_filters())

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # The immutable sandbox's rules, with its costly check (isinstance against four
        # abstract classes) only for the few names that could mutate: every attribute
        # a template reads comes through here.
        if attr.startswith("_") or is_internal_attribute(obj, attr):
            return False
        if attr in MUTATING_METHODS:
            return not modifies_known_mutable(obj, attr)
        return not (attr in _GROWING_STR_METHODS and isinstance(obj, str | bytes))

    def getattr(self, obj: Any, attribute: str) -> Any:
        # `region.name` on a context's dict: Jinja first tries the attribute, which fails
        # with an exception for every name a dict has no attribute of (nearly all of a
        # render's lookups); the same answer, asked the cheap way.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if not isinstance(value, MethodType | BuiltinMethodType):
            return None  # the usual case, decided cheaply
        limited = limited_str_format(self, value)
        return limited if limited is not None else super().wrap_str_format(value)

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        if type(obj) is Macro:
            # Recursion and repetition happen through macros: tick the clock, and refuse
            # arguments that would let a macro double a text on every call.
            budget = BUDGET.get()
            if budget is not None:
                budget.tick()
            if args or kwargs:
                _check_arguments(args, kwargs, budget)
        elif type(obj) is BuiltinMethodType and isinstance(obj.__self__, str | bytes):
            args = tuple(check_str_method(obj, args))
        elif not self.is_safe_callable(obj):  # what SandboxedEnvironment.call checks
            raise SecurityError(f"{obj!r} is not safely callable")
        result = context.call(obj, *args, **kwargs)
        if type(result) is str:
            if len(result) > MAX_TEXT:
                raise too_long("hasil panggilan", len(result))
        else:
            require_small(result, "hasil panggilan")
        return result

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    # -- called by the code GuardedCodeGenerator writes

    def guard_loop(self, iterable: Iterable[Any], buffer: list[str] | None) -> Iterator[Any]:
        return _guarded_loop(iterable, buffer, BUDGET.get())

    def guard_value(self, value: Any) -> Any:
        require_small(value)
        return value

    def join_values(self, values: tuple[Any, ...]) -> str:
        texts = [str(value) for value in values]
        require_size(sum(map(len, texts)), "teks yang dirangkai dengan ~")
        return "".join(texts)


def _check_arguments(args: tuple[Any, ...], kwargs: Mapping[str, Any],
                     budget: Budget | None) -> None:
    """A macro called with a doubled argument, again and again, would double it forever.
    The render's own variables, passed as they are (`p.penutup(region, ...)`), are not
    measured: a template cannot have grown them."""
    inputs = budget.inputs if budget is not None else frozenset()
    for value in args:
        if id(value) not in inputs:
            require_small(value, "argumen")
    for name, value in kwargs.items():
        if name not in ("_loop_vars", "_block_vars") and id(value) not in inputs:
            require_small(value, "argumen")


def _guarded_loop(iterable: Iterable[Any], buffer: list[str] | None,
                  budget: Budget | None) -> Iterator[Any]:
    """Each step ticks the clock; inside a macro or {% set %} block, where the body
    appends to `buffer` instead of yielding, also count what the loop has written."""
    measured = len(buffer) if buffer is not None else 0
    written = 0
    for item in iterable:
        if budget is not None:
            budget.tick()
        if buffer is not None and len(buffer) > measured:
            written += sum(map(len, buffer[measured:]))
            measured = len(buffer)
            if written > MAX_TEXT:
                raise too_long("teks yang dibuat perulangan", written)
        yield item

