"""publishing leases: a claim's lease, the per-account in-flight index, the leader lease

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import scheduler.coltypes

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lease_until", scheduler.coltypes.UTCDateTime(length=32), nullable=True)
        )
        batch_op.create_index("ix_post_account_status", ["account_id", "status"], unique=False)
    op.create_table(
        "leaderlease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("lease_until", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("leaderlease")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("ix_post_account_status")
        batch_op.drop_column("lease_until")
