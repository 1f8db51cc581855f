"""Keep credentials out of log output.

Tokens travel in URLs (Graph `access_token=…`, Telegram `/bot<token>/…`), and those URLs
end up in log lines: urllib3's own DEBUG lines, and exception texts from requests.

    handler.addFilter(RedactingFilter(secrets=known_tokens))
    quiet_http_loggers()

Attach the filter to *handlers*: a filter on a logger does not see records that
propagate up from its child loggers.
"""

import logging
from collections.abc import Iterable

from scheduler.redact import SecretSet, redact

# Their DEBUG lines show every request URL in full, token included.
HTTP_LOGGERS = ("urllib3", "requests")


class RedactingFilter(logging.Filter):
    """Rewrites each record so its message, arguments and traceback are redacted.

    The message is formatted here (msg % args), redacted, and stored back with the
    arguments cleared: a redacted template alone would let a secret through its args.
    """

    def __init__(self, secrets: Iterable[str] = (), name: str = "") -> None:
        super().__init__(name)
        # Known secret values, masked on top of the patterns; indexed once, not per record.
        self.secrets = SecretSet(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(_message(record), self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is redacted once.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def quiet_http_loggers(level: int = logging.WARNING) -> None:
    """Raise the HTTP libraries' loggers above DEBUG, where they print full URLs."""
    for name in HTTP_LOGGERS:
        logging.getLogger(name).setLevel(level)


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a bad format string must neither crash the caller nor hide the args
        return f"{record.msg} {record.args!r}"
