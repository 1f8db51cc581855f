"""history ordered by when things happened: an index on the post's last change

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 03:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_post_updated", "post", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_post_updated", table_name="post")
