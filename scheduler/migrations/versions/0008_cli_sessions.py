"""cli sessions: `siar login` keeps a hashed token for some hours

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import scheduler.coltypes

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clisession",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("created_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("expires_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_clisession_user_name"), "clisession", ["user_name"])


def downgrade() -> None:
    op.drop_index(op.f("ix_clisession_user_name"), table_name="clisession")
    op.drop_table("clisession")
