"""Foreign labour: employers, their staff and vacancies, quota allocations, work permits and their history,
akimat accounts bound to a region.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "employers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bin", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("oked_section", sa.String(length=1), nullable=False),
        sa.Column("region_kato", sa.String(length=9), nullable=False),
        sa.Column("branch", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["users.id"], name=op.f("fk_employers_account_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employers")),
        sa.UniqueConstraint("account_id", name=op.f("uq_employers_account_id")),
        sa.UniqueConstraint("bin", name=op.f("uq_employers_bin")),
    )
    op.create_table(
        "employer_staff",
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("citizens_1_2", sa.Integer(), nullable=False),
        sa.Column("foreigners_1_2", sa.Integer(), nullable=False),
        sa.Column("citizens_3_4", sa.Integer(), nullable=False),
        sa.Column("foreigners_3_4", sa.Integer(), nullable=False),
        sa.Column("ict", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_employer_staff_employer_id_employers")
        ),
        sa.PrimaryKeyConstraint("employer_id", name=op.f("pk_employer_staff")),
    )
    op.create_table(
        "vacancies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("isco", sa.String(length=4), nullable=False),
        sa.Column("region_kato", sa.String(length=9), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("wage", sa.Integer(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["employer_id"], ["employers.id"], name=op.f("fk_vacancies_employer_id_employers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancies")),
    )
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.create_index("ix_vacancies_lookup", ["employer_id", "isco", "region_kato", "posted_on"], unique=False)
    op.create_table(
        "quota_allocations",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region_kato", sa.String(length=9), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["set_by"], ["users.id"], name=op.f("fk_quota_allocations_set_by_users")),
        sa.PrimaryKeyConstraint("year", "region_kato", "category", name=op.f("pk_quota_allocations")),
    )
    op.create_table(
        "work_permits",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("worker_iin", sa.String(length=12), nullable=True),
        sa.Column("worker_surname", sa.String(length=80), nullable=False),
        sa.Column("worker_given_names", sa.String(length=80), nullable=True),
        sa.Column("worker_nationality", sa.String(length=3), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("isco", sa.String(length=4), nullable=False),
        sa.Column("oked_section", sa.String(length=1), nullable=False),
        sa.Column("region_kato", sa.String(length=9), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("extends_id", sa.String(length=36), nullable=True),
        sa.Column("extension_no", sa.Integer(), nullable=False),
        sa.Column("fee_mrp", sa.Float(), nullable=True),
        sa.Column("fee_tenge", sa.Integer(), nullable=True),
        sa.Column("fee_band", sa.String(length=80), nullable=True),
        sa.Column("fee_group", sa.String(length=1), nullable=True),
        sa.Column("fee_parameters", JSON, nullable=True),
        sa.Column("fee_due_on", sa.Date(), nullable=True),
        sa.Column("paid_ref", sa.String(length=64), nullable=True),
        sa.Column("checks", JSON, nullable=False),
        sa.Column("policy_version", sa.Date(), nullable=False),
        sa.Column("parameters_hash", sa.String(length=80), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name=op.f("fk_work_permits_decided_by_users")),
        sa.ForeignKeyConstraint(["employer_id"], ["employers.id"], name=op.f("fk_work_permits_employer_id_employers")),
        sa.ForeignKeyConstraint(
            ["extends_id"], ["work_permits.id"], name=op.f("fk_work_permits_extends_id_work_permits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_permits")),
        sa.UniqueConstraint("number", name=op.f("uq_work_permits_number")),
    )
    with op.batch_alter_table("work_permits", schema=None) as batch_op:
        batch_op.create_index("ix_work_permits_quota", ["region_kato", "category", "state"], unique=False)
        batch_op.create_index("ix_work_permits_employer", ["employer_id"], unique=False)
        batch_op.create_index("ix_work_permits_state", ["state"], unique=False)
    op.create_table(
        "permit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("permit_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("before", sa.String(length=20), nullable=True),
        sa.Column("after", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_permit_events_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["permit_id"], ["work_permits.id"], name=op.f("fk_permit_events_permit_id_work_permits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_events")),
    )
    with op.batch_alter_table("permit_events", schema=None) as batch_op:
        batch_op.create_index("ix_permit_events_permit", ["permit_id", "id"], unique=False)
    op.create_table(
        "akimat_regions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("region_kato", sa.String(length=9), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["set_by"], ["users.id"], name=op.f("fk_akimat_regions_set_by_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_akimat_regions_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_akimat_regions")),
    )


def downgrade() -> None:
    op.drop_table("akimat_regions")
    with op.batch_alter_table("permit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_permit_events_permit")
    op.drop_table("permit_events")
    with op.batch_alter_table("work_permits", schema=None) as batch_op:
        batch_op.drop_index("ix_work_permits_state")
        batch_op.drop_index("ix_work_permits_employer")
        batch_op.drop_index("ix_work_permits_quota")
    op.drop_table("work_permits")
    op.drop_table("quota_allocations")
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.drop_index("ix_vacancies_lookup")
    op.drop_table("vacancies")
    op.drop_table("employer_staff")
    op.drop_table("employers")
