"""publishing: claim time, history and quota indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 18:36:29.014024
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import scheduler.coltypes

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_at", scheduler.coltypes.UTCDateTime(length=32), nullable=True)
        )
        batch_op.add_column(sa.Column("published_via", sa.String(length=32), nullable=True))
        batch_op.create_index(
            "ix_post_account_published", ["account_id", "published_at"], unique=False
        )
        batch_op.create_index("ix_post_status_scheduled", ["status", "scheduled_at"], unique=False)
        batch_op.create_index(
            "ix_post_region_scheduled", ["region_key", "scheduled_at"], unique=False
        )
        batch_op.create_index(
            "ix_post_stage_scheduled", ["stage_key", "scheduled_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("ix_post_stage_scheduled")
        batch_op.drop_index("ix_post_region_scheduled")
        batch_op.drop_index("ix_post_status_scheduled")
        batch_op.drop_index("ix_post_account_published")
        batch_op.drop_column("published_via")
        batch_op.drop_column("claimed_at")
