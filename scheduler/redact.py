"""Keep secrets out of logs, errors, the database and the outbox."""

import re
from collections.abc import Iterable
from typing import TypeVar

E = TypeVar("E", bound=Exception)

MASK = "***"
# Query or form parameters that carry credentials (Graph API tokens travel in URLs).
_SECRET_PARAMS = re.compile(
    r"(?i)\b(access_token|input_token|client_secret|fb_exchange_token|token|secret|password)"
    r"=([^&\s\"']+)"
)
# Telegram puts the bot token in the path: /bot123456:ABC-DEF/sendMessage
_BOT_PATH = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask every known secret value and every credential-looking URL part in `text`."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _BOT_PATH.sub(f"/bot{MASK}", text)
    return _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)


def redact_error(error: E, secrets: Iterable[str] = ()) -> E:
    """`error` itself, its message and its `platform_message` (where it has one) masked
    like `redact`: for errors built before every secret of a request was known (an OAuth
    code, an app secret a platform echoes back)."""
    hidden = tuple(secrets)
    error.args = tuple(redact(a, hidden) if isinstance(a, str) else a for a in error.args)
    platform = getattr(error, "platform_message", None)
    if isinstance(platform, str):
        error.platform_message = redact(platform, hidden)  # type: ignore[attr-defined]
    return error
