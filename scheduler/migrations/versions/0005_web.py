"""web: browser sessions and the sign-in throttle

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import scheduler.coltypes

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "websession",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("last_seen", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("expires_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_websession_user_name"), "websession", ["user_name"])
    op.create_table(
        "loginthrottle",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("locked_until", scheduler.coltypes.UTCDateTime(length=32), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("loginthrottle")
    op.drop_index(op.f("ix_websession_user_name"), table_name="websession")
    op.drop_table("websession")
