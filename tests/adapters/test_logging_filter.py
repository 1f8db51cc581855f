"""scheduler.adapters.logging_filter and scheduler.redact: no token reaches a log line."""

import io
import logging
import random
from collections.abc import Iterator

import pytest

from scheduler.adapters.logging_filter import HTTP_LOGGERS, RedactingFilter, quiet_http_loggers
from scheduler.redact import MASK, SHORTEST, SecretSet, redact

URL = "https://api.telegram.org/bot123:ABC/sendMessage?access_token=SECRET123"


@pytest.fixture
def output() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A private logger writing to a buffer through a redacting handler."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RedactingFilter(secrets=["planted-value-42"]))
    logger = logging.getLogger("siar.test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, buffer
    logger.removeHandler(handler)


def test_tokens_in_the_message_are_redacted(
        output: tuple[logging.Logger, io.StringIO]) -> None:
    logger, buffer = output
    logger.debug(f"POST {URL}")
    line = buffer.getvalue()
    assert "SECRET123" not in line
    assert "123:ABC" not in line
    assert "access_token=***" in line
    assert "/bot***/sendMessage" in line


def test_tokens_in_the_arguments_are_redacted(
        output: tuple[logging.Logger, io.StringIO]) -> None:
    logger, buffer = output
    logger.debug('%s "%s %s HTTP/1.1" 200', "https://graph.facebook.com:443", "POST", URL)
    assert "SECRET123" not in buffer.getvalue()
    assert "123:ABC" not in buffer.getvalue()
    assert '"POST https://api.telegram.org/bot***/sendMessage' in buffer.getvalue()


def test_known_secret_values_are_masked_too(
        output: tuple[logging.Logger, io.StringIO]) -> None:
    logger, buffer = output
    logger.info("header X-Signature: %s", "planted-value-42")
    assert "planted-value-42" not in buffer.getvalue()


def test_tracebacks_are_redacted(output: tuple[logging.Logger, io.StringIO]) -> None:
    logger, buffer = output
    try:
        raise ConnectionError(f"Max retries exceeded with url: {URL}")
    except ConnectionError:
        logger.exception("pengiriman gagal")
    text = buffer.getvalue()
    assert "Traceback" in text
    assert "SECRET123" not in text
    assert "123:ABC" not in text


def test_a_broken_format_neither_raises_nor_leaks(
        output: tuple[logging.Logger, io.StringIO]) -> None:
    logger, buffer = output
    logger.warning("two placeholders %s %s", URL)  # one argument short
    assert "SECRET123" not in buffer.getvalue()
    assert "two placeholders" in buffer.getvalue()


def test_the_record_itself_is_rewritten_for_every_later_handler() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "GET %s", (URL,), None)
    assert RedactingFilter().filter(record) is True
    assert record.args is None
    assert "SECRET123" not in record.getMessage()


@pytest.fixture
def http_logger_levels() -> Iterator[None]:
    saved = {name: logging.getLogger(name).level for name in HTTP_LOGGERS}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("http_logger_levels")
def test_quiet_http_loggers_hides_their_debug_lines() -> None:
    for name in ("urllib3", "requests"):
        logging.getLogger(name).setLevel(logging.DEBUG)

    quiet_http_loggers()

    assert logging.getLogger("urllib3").level == logging.WARNING
    assert logging.getLogger("requests").level == logging.WARNING
    assert not logging.getLogger("urllib3.connectionpool").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("urllib3.connectionpool").isEnabledFor(logging.WARNING)


def masked_one_by_one(text: str, secrets: list[str]) -> str:
    """What masking every value in turn, longest first, gives (the reference)."""
    for secret in sorted({s for s in secrets if len(s) >= SHORTEST}, key=lambda s: (-len(s), s)):
        text = text.replace(secret, MASK)
    return text


def test_an_indexed_secret_set_masks_as_one_value_after_another() -> None:
    # Values that nest, overlap, repeat, are too short, or form another once masked.
    secrets = ["abcdefgh", "cdef", "efghij", "zz", "xyz1", "q***w", "q1234", "1234w",
               "@kpukab-01-02", "@kpukab-01-02-x"]
    known = SecretSet(secrets)
    rng = random.Random(11)
    pieces = [*secrets, "abc", "ghij", "q", "w", "***", " ", "@kpukab-01-0", "1234"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert known.mask(text) == masked_one_by_one(text, secrets), text


def test_a_national_set_of_credentials_is_masked_in_a_log_line() -> None:
    secrets = [f"token-{n:05d}-{'x' * (n % 40)}" for n in range(6000)]
    line = f"gagal: {secrets[4321]} dan {secrets[17]}; unggahan #12 terbit"
    assert redact(line, SecretSet(secrets)) == "gagal: *** dan ***; unggahan #12 terbit"
