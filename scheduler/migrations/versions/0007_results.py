"""results announced per region and stage

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import scheduler.coltypes

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resultrelease",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_key", sa.String(length=64), nullable=False),
        sa.Column("stage_key", sa.String(length=64), nullable=False),
        sa.Column("region_key", sa.String(length=64), nullable=False),
        sa.Column("announced_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("recorded_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_resultrelease_key", "resultrelease",
                    ["election_key", "stage_key", "region_key"])


def downgrade() -> None:
    op.drop_index("ix_resultrelease_key", table_name="resultrelease")
    op.drop_table("resultrelease")
