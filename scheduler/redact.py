"""Keep secrets out of logs, errors, the database and the outbox."""

import re
from collections.abc import Iterable
from typing import TypeVar

E = TypeVar("E", bound=Exception)

MASK = "***"
SHORTEST = 4  # a known secret value shorter than this is not masked (it would mask words)
# Query or form parameters that carry credentials (Graph API tokens travel in URLs).
_SECRET_PARAMS = re.compile(
    r"(?i)\b(access_token|input_token|client_secret|fb_exchange_token|token|secret|password)"
    r"=([^&\s\"']+)"
)
# Telegram puts the bot token in the path: /bot123456:ABC-DEF/sendMessage
_BOT_PATH = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")


class SecretSet:
    """Known secret values, indexed once for masking many texts: a worker's log filter
    knows every account's credentials (thousands at national size), and trying each one
    on every log line would cost milliseconds a line. Indexed by their first SHORTEST
    characters, a text is searched only for the few values that may occur in it; the
    result is the one masking every value in turn, longest first, would give."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.ordered = tuple(sorted({s for s in secrets if s and len(s) >= SHORTEST},
                                    key=lambda s: (-len(s), s)))
        self._by_prefix: dict[str, list[int]] = {}
        for rank, secret in enumerate(self.ordered):
            self._by_prefix.setdefault(secret[:SHORTEST], []).append(rank)

    def mask(self, text: str) -> str:
        after = -1  # values up to this rank are dealt with
        while True:
            for rank in self._ranks_in(text, after):
                secret = self.ordered[rank]
                if secret in text:
                    # Masking may join pieces into another value: look again after it.
                    text, after = text.replace(secret, MASK), rank
                    break
            else:
                return text

    def _ranks_in(self, text: str, after: int) -> list[int]:
        """The ranks above `after` of the values whose first characters occur in `text`."""
        if not self._by_prefix:
            return []
        found: set[int] = set()
        for start in range(len(text) - SHORTEST + 1):
            ranks = self._by_prefix.get(text[start:start + SHORTEST])
            if ranks is not None:
                found.update(r for r in ranks if r > after)
        return sorted(found)


def redact(text: str, secrets: Iterable[str] | SecretSet = ()) -> str:
    """Mask every known secret value and every credential-looking URL part in `text`."""
    known = secrets if isinstance(secrets, SecretSet) else SecretSet(secrets)
    text = known.mask(text)
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
