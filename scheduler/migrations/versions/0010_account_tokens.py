"""connected accounts: credentials sealed with SIAR_SECRET_KEY

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import scheduler.coltypes

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounttoken",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.String(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("expires_at", scheduler.coltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("refresh_expires_at", scheduler.coltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("connected_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("connected_by", sa.String(length=64), nullable=False),
        sa.Column("refreshed_at", scheduler.coltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:
    op.drop_table("accounttoken")
