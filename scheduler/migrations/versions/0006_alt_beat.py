"""image descriptions (alt text) and the workers' heartbeat

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import scheduler.coltypes

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_alt", sa.String(), nullable=True))
    op.create_table(
        "workerbeat",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("started_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("last_beat", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("workerbeat")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("image_alt")
