"""Private employment agencies: the registry (founders, addresses, status history), quarterly reports,
job seekers' complaints, inspections, violations and sanctions.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _agency(table: str) -> tuple[sa.Column[str], sa.ForeignKeyConstraint]:
    return (
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f(f"fk_{table}_agency_id_agencies")),
    )


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"))


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("bin", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("activity", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("status_since", sa.Date(), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=False),
        sa.Column("region_kato", sa.String(length=9), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("agencies", "owner_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("bin", name=op.f("uq_agencies_bin")),
        sa.UniqueConstraint("owner_id", name=op.f("uq_agencies_owner_id")),
    )
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.create_index("ix_agencies_status", ["status", "region_kato"], unique=False)

    op.create_table(
        "agency_founders",
        _id(),
        *_agency("agency_founders"),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("iin", sa.String(length=12), nullable=True),
        sa.Column("share", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_founders")),
    )
    with op.batch_alter_table("agency_founders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_founders_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_founders_iin"), ["iin"], unique=False)

    op.create_table(
        "agency_addresses",
        _id(),
        *_agency("agency_addresses"),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("region_kato", sa.String(length=9), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_addresses")),
    )
    with op.batch_alter_table("agency_addresses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_addresses_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "agency_status_events",
        _id(),
        *_agency("agency_status_events"),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("before", sa.String(length=10), nullable=True),
        sa.Column("after", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _user_fk("agency_status_events", "actor_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_status_events")),
    )
    with op.batch_alter_table("agency_status_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_status_events_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "agency_reports",
        _id(),
        *_agency("agency_reports"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("placed_domestic", sa.Integer(), nullable=False),
        sa.Column("placed_abroad", sa.Integer(), nullable=False),
        sa.Column("job_seekers_served", sa.Integer(), nullable=False),
        sa.Column("seeker_fees_tenge", sa.Integer(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("filed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("agency_reports", "filed_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_reports")),
        sa.UniqueConstraint("agency_id", "year", "quarter", name=op.f("uq_agency_reports_agency_id")),
    )

    op.create_table(
        "agency_complaints",
        _id(),
        *_agency("agency_complaints"),
        sa.Column("ref", sa.String(length=64), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("paid_amount_tenge", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=15), nullable=False),
        sa.Column("filed_by", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        _user_fk("agency_complaints", "filed_by"),
        _user_fk("agency_complaints", "recorded_by"),
        _user_fk("agency_complaints", "resolved_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_complaints")),
        sa.UniqueConstraint("ref", name=op.f("uq_agency_complaints_ref")),
    )
    with op.batch_alter_table("agency_complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_complaints_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_complaints_filed_by"), ["filed_by"], unique=False)

    op.create_table(
        "agency_inspections",
        _id(),
        *_agency("agency_inspections"),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("agency_inspections", "inspector_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_inspections")),
    )
    with op.batch_alter_table("agency_inspections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_inspections_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "agency_violations",
        _id(),
        *_agency("agency_violations"),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("remedied_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["agency_inspections.id"],
            name=op.f("fk_agency_violations_inspection_id_agency_inspections"),
        ),
        _user_fk("agency_violations", "recorded_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_violations")),
    )
    with op.batch_alter_table("agency_violations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_violations_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "agency_sanctions",
        _id(),
        *_agency("agency_sanctions"),
        sa.Column("violation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("amount_mrp", sa.Integer(), nullable=True),
        sa.Column("imposed_on", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("imposed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["violation_id"], ["agency_violations.id"], name=op.f("fk_agency_sanctions_violation_id_agency_violations")
        ),
        _user_fk("agency_sanctions", "imposed_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_sanctions")),
    )
    with op.batch_alter_table("agency_sanctions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_sanctions_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_sanctions_violation_id"), ["violation_id"], unique=False)


TABLES = (
    "agency_sanctions",
    "agency_violations",
    "agency_inspections",
    "agency_complaints",
    "agency_reports",
    "agency_status_events",
    "agency_addresses",
    "agency_founders",
    "agencies",
)
"""Children first, so each foreign key goes before the table it points at."""


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)  # dropping a table drops its indexes
