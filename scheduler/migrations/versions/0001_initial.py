"""initial schema: regions, accounts, plan runs, posts, post events

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 18:13:10.752475
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import scheduler.coltypes

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "planrun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("date_from", sa.String(length=10), nullable=False),
        sa.Column("date_to", sa.String(length=10), nullable=False),
        sa.Column("started_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("finished_at", scheduler.coltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("existing", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "region",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("area", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("province_key", sa.String(length=64), nullable=False),
        sa.Column("website", sa.String(), nullable=False),
        sa.Column("hashtag", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("synced_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_region_province_key"), ["province_key"], unique=False)

    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_key", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("handle", sa.String(), nullable=False),
        sa.Column("placeholder", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("credential_names", sa.JSON(), nullable=True),
        sa.Column("paused_at", scheduler.coltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("paused_reason", sa.String(), nullable=True),
        sa.Column("synced_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_key"],
            ["region.key"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_key", "platform", name="uq_account_region_platform"),
    )
    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("region_key", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("election_key", sa.String(length=64), nullable=True),
        sa.Column("stage_key", sa.String(length=64), nullable=True),
        sa.Column("template", sa.String(length=64), nullable=True),
        sa.Column("rule_key", sa.String(length=64), nullable=True),
        sa.Column("batch", sa.String(length=128), nullable=True),
        sa.Column("plan_key", sa.String(length=200), nullable=True),
        sa.Column("plan_run_id", sa.Integer(), nullable=True),
        sa.Column("scheduled_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("due_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("image", sa.String(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("edited_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_at", scheduler.coltypes.UTCDateTime(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("platform_id", sa.String(), nullable=True),
        sa.Column("platform_url", sa.String(), nullable=True),
        sa.Column("platform_ref", sa.JSON(), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("published_at", scheduler.coltypes.UTCDateTime(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_run_id"],
            ["planrun.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_key"),
    )
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.create_index("ix_post_batch", ["batch"], unique=False)
        batch_op.create_index("ix_post_plan_run", ["plan_run_id"], unique=False)
        batch_op.create_index(
            "ix_post_region_platform_time", ["region_key", "platform", "scheduled_at"], unique=False
        )
        batch_op.create_index("ix_post_scheduled", ["scheduled_at"], unique=False)
        batch_op.create_index("ix_post_status_due", ["status", "due_at"], unique=False)

    op.create_table(
        "postevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("at", scheduler.coltypes.UTCDateTime(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("postevent", schema=None) as batch_op:
        batch_op.create_index("ix_postevent_at", ["at"], unique=False)
        batch_op.create_index("ix_postevent_post", ["post_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("postevent", schema=None) as batch_op:
        batch_op.drop_index("ix_postevent_post")
        batch_op.drop_index("ix_postevent_at")

    op.drop_table("postevent")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("ix_post_status_due")
        batch_op.drop_index("ix_post_scheduled")
        batch_op.drop_index("ix_post_region_platform_time")
        batch_op.drop_index("ix_post_plan_run")
        batch_op.drop_index("ix_post_batch")

    op.drop_table("post")
    op.drop_table("account")
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_region_province_key"))

    op.drop_table("region")
    op.drop_table("planrun")
