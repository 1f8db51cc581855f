"""One sandboxed Jinja environment for post templates, with Indonesian filters.

Templates live in templates/posts/NAME.j2, with platform variants NAME.PLATFORM.j2
(for example NAME.x.j2 for X's 280 weighted characters) and shared partials in
templates/partials/; their front matter is read by scheduler.content.templates.

StrictUndefined makes a missing variable an error, never an empty string. Templates run
in scheduler.sandbox.PostSandbox: whatever a template does (an endless loop, a huge
text, bytes that are not UTF-8), rendering fails with a ContentError naming its file
and line.
"""

import re
import traceback
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, Template

from scheduler import localtime
from scheduler.errors import ContentError, Problem
from scheduler.platforms import links_clickable
from scheduler.sandbox import (
    PostSandbox,
    RenderLimitError,
    RenderTimeout,
    TemplateFileError,
)
from scheduler.slot_keys import SlotKeys
from scheduler.template_platforms import PlatformUse
from scheduler.template_vars import TemplateVariables

_BLANK_LINES = re.compile(r"\n{3,}")
BASE_HASHTAGS = ("#TemanPemilih", "#KPUMelayani")


def render_text(template: Template, context: Mapping[str, Any]) -> str:
    """Render and tidy: trailing spaces and runs of blank lines removed."""
    return tidy(template.render(context))


def tidy(text: str) -> str:
    """Trailing spaces and runs of blank lines removed, and the ends trimmed."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines))


class PostRenderer:
    """One environment and its compiled templates; every failure (a template error, a
    limit of the sandbox, any exception a template's code raises) becomes a
    ContentError with the template's file and line."""

    def __init__(self, templates_dir: Path, timezone: ZoneInfo) -> None:
        self.templates_dir = templates_dir
        self.env = make_environment(templates_dir, timezone)
        self._compiled: dict[str, Template] = {}
        # Templates that ran out of time: rendering them again for the next account
        # would cost the same seconds and find the same line.
        self._timed_out: dict[str, Problem] = {}
        # The variables each template may read and the filters it applies
        # (scheduler.template_vars); None: it cannot be told.
        variables = TemplateVariables(self.env)
        self.reads, self.filters = variables.reads, variables.filters
        # The texts `platform` is only ever compared with (scheduler.template_platforms).
        self.platform_tests = PlatformUse(variables.facts).tests
        # What of a slot's values each template's text depends on (scheduler.slot_keys).
        self.slot_key = SlotKeys(self.env, variables.facts)

    def render(self, file: str, context: Mapping[str, Any]) -> str:
        known = self._timed_out.get(file)
        if known is not None:
            raise ContentError([known])
        try:
            template = self._compiled.get(file)
            if template is None:
                template = self._compiled[file] = self.env.get_template(file)
            text = render_text(template, context)
        except Exception as exc:  # a template's code may raise anything
            problem = template_problem(self.templates_dir, exc, file)
            if isinstance(exc, RenderTimeout):
                self._timed_out[file] = problem
            raise ContentError([problem]) from None
        return text if links_clickable(str(context.get("platform", ""))) else bare_links(text)


def make_environment(templates_dir: Path, timezone: ZoneInfo) -> PostSandbox:
    env = PostSandbox(
        templates_dir,
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    env.filters.update(
        tanggal=_date_filter(localtime.format_date),
        tanggal_pendek=_date_filter(localtime.format_date_short),
        jam=lambda instant: localtime.format_time(instant, instant.tzinfo or timezone),
        waktu=lambda instant: localtime.format_datetime(instant, instant.tzinfo or timezone),
        hitung_mundur=localtime.countdown,
        ribuan=_thousands,
        kurang_hari=lambda day, days: day - timedelta(days=days),
    )
    # The official links (`tautan`) come with each post's context, from content/links.yaml.
    env.globals.update(tagar=hashtags)
    return env


def bare_links(text: str) -> str:
    """An Instagram caption's links without "https://": Instagram does not make a caption's
    links clickable, so the address is written for reading and typing
    ("cekdptonline.kpu.go.id"), not as a dead link."""
    return _SCHEME.sub("", text)


_SCHEME = re.compile(r"\bhttps?://")


def hashtags(*extra: Any) -> str:
    """#TemanPemilih #KPUMelayani plus the given tags (or regions' own tags), no repeats."""
    tags: list[str] = list(BASE_HASHTAGS)
    for item in extra:
        tag = item.get("hashtag") if isinstance(item, Mapping) else item
        if tag and str(tag) not in tags:
            tags.append(str(tag))
    return " ".join(tags)


def template_problem(templates_dir: Path, exc: Exception, fallback: str) -> Problem:
    """Turn an error raised by compiling or rendering a template into a Problem naming
    the file and line.

    Syntax errors carry both. Runtime errors (an undefined variable, a limit of the
    sandbox, a division by zero) do not, but Jinja rewrites the traceback so that its
    frames point into the templates: the innermost such frame is where the error
    happened, possibly in a partial.
    """
    name: str | None = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line: int | None = getattr(exc, "lineno", None)
    if line is None:
        root = str(templates_dir.resolve())
        for frame in traceback.extract_tb(exc.__traceback__):
            if str(Path(frame.filename).resolve()).startswith(root):
                name, line = frame.filename, frame.lineno
    name = name or fallback
    source = name if str(name).startswith(str(templates_dir)) else f"{templates_dir}/{name}"
    return Problem(source, _error_message(exc), line)


def _error_message(exc: Exception) -> str:
    if isinstance(exc, RenderLimitError | TemplateFileError):
        return str(exc.message)  # written for the template's author already
    if isinstance(exc, RecursionError):
        return ("rekursi terlalu dalam: makro, include atau extends yang memanggil dirinya "
                "sendiri, atau ekspresi yang bersarang terlalu dalam?")
    if isinstance(exc, MemoryError):
        return "memori habis saat merender templat"
    return f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}"


def _date_filter(fmt: Any) -> Any:
    def apply(value: date | datetime) -> str:
        return str(fmt(value.date() if isinstance(value, datetime) else value))

    return apply


def _thousands(number: int) -> str:
    """31402838 -> 31.402.838 (Indonesian thousands separator)."""
    return f"{number:,}".replace(",", ".")
