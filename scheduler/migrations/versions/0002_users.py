"""users with roles and region scope

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 18:20:04.625876
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import scheduler.coltypes

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("region_key", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("updated_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_key"],
            ["region.key"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("app_user")
