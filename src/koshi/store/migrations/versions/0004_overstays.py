"""Stay status of everyone (refreshed by the stay rules) and officers' reasons for overstays.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 21:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stay_status",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=False),
        sa.Column("regime", sa.String(length=10), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("current_entry", sa.Date(), nullable=True),
        sa.Column("days_used", sa.Integer(), nullable=False),
        sa.Column("days_left", sa.Integer(), nullable=True),
        sa.Column("overstay_days", sa.Integer(), nullable=False),
        sa.Column("overstay_since", sa.Date(), nullable=True),
        sa.Column("overstay_limit", sa.String(length=10), nullable=True),
        sa.Column("exceeds_on", sa.Date(), nullable=True),
        sa.Column("under_permit", sa.Boolean(), nullable=False),
        sa.Column("covered_until", sa.Date(), nullable=True),
        sa.Column("past_overstays", sa.Integer(), nullable=False),
        sa.Column("last_overstay_entry", sa.Date(), nullable=True),
        sa.Column("last_overstay_start", sa.Date(), nullable=True),
        sa.Column("last_overstay_days", sa.Integer(), nullable=True),
        sa.Column("last_overstay_limit", sa.String(length=10), nullable=True),
        sa.Column("last_fine_band", sa.String(length=20), nullable=False),
        sa.Column("missing_exits", sa.Integer(), nullable=False),
        sa.Column("fine_band", sa.String(length=20), nullable=False),
        sa.Column("fine_mrp", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["registry_persons.id"], name=op.f("fk_stay_status_person_id_registry_persons")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_stay_status")),
    )
    with op.batch_alter_table("stay_status", schema=None) as batch_op:
        batch_op.create_index("ix_stay_status_overstay", ["overstay_days"], unique=False)
        batch_op.create_index("ix_stay_status_exceeds", ["exceeds_on"], unique=False)
    op.create_table(
        "overstay_reasons",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("stay_entry", sa.Date(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("set_by", sa.Integer(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["registry_persons.id"], name=op.f("fk_overstay_reasons_person_id_registry_persons")
        ),
        sa.ForeignKeyConstraint(["set_by"], ["users.id"], name=op.f("fk_overstay_reasons_set_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overstay_reasons")),
    )
    with op.batch_alter_table("overstay_reasons", schema=None) as batch_op:
        batch_op.create_index("ix_overstay_reasons_person", ["person_id", "stay_entry", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("overstay_reasons", schema=None) as batch_op:
        batch_op.drop_index("ix_overstay_reasons_person")
    op.drop_table("overstay_reasons")
    with op.batch_alter_table("stay_status", schema=None) as batch_op:
        batch_op.drop_index("ix_stay_status_exceeds")
        batch_op.drop_index("ix_stay_status_overstay")
    op.drop_table("stay_status")
