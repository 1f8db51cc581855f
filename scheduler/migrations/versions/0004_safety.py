"""safety: the adapter of each attempt, real time of events, the database's instance id

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 20:00:00.000000
"""

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import scheduler.coltypes

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempt_via", sa.String(length=32), nullable=True))
    with op.batch_alter_table("postevent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recorded_at", scheduler.coltypes.UTCDateTime(length=32), nullable=True)
        )
    instance = op.create_table(
        "instance",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(instance, [{"id": f"siar-{secrets.token_hex(4)}",
                               "created_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("instance")
    with op.batch_alter_table("postevent", schema=None) as batch_op:
        batch_op.drop_column("recorded_at")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("attempt_via")
