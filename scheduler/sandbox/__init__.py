"""The sandbox post templates run in: Jinja's immutable sandbox, plus limits on time,
output size, loops and the values a template builds, so that a broken or hostile
template fails with an error at its own line instead of hanging or exhausting memory.

    limits.py       the limits, the per-render clock, size estimates
    operations.py   checks for operators, str methods and str.format
    filters.py      built-in filters that can grow text, with checks
    codegen.py      compiled templates that check their loops and assignments
    environment.py  PostSandbox, its template class and loader
"""

from scheduler.sandbox.environment import PostSandbox, TemplateFileError
from scheduler.sandbox.limits import (
    MAX_RANGE,
    MAX_TEMPLATE_BYTES,
    MAX_TEXT,
    TIME_LIMIT,
    RenderLimitError,
    RenderTimeout,
)

__all__ = [
    "MAX_RANGE",
    "MAX_TEMPLATE_BYTES",
    "MAX_TEXT",
    "TIME_LIMIT",
    "PostSandbox",
    "RenderLimitError",
    "RenderTimeout",
    "TemplateFileError",
]
