"""The column type of every stored instant (ground: the model needs it, and it needs
nothing of the engine)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TIMESTAMP, TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, always timezone-aware UTC.

    PostgreSQL stores it as timestamptz. SQLite has no such type, so it is stored as
    fixed-width ISO 8601 text with an explicit +00:00 offset
    ("2024-02-14T02:00:00.000000+00:00"), which sorts chronologically as text.
    A naive datetime is refused: it could be in any zone.
    """

    impl = String(32)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TIMESTAMP(timezone=True))
        return dialect.type_descriptor(String(32))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime refused: {value!r}")
        value = value.astimezone(UTC)
        if dialect.name == "postgresql":
            return value
        return value.isoformat(timespec="microseconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return datetime.fromisoformat(value).astimezone(UTC)


def utc_text(value: datetime) -> str:
    """The SQLite storage form of an instant, for raw SQL and benchmarks."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")
