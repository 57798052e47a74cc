"""Monitoring tables: external migration flows, interregional moves, resettler and kandas follow-up.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "migration_flows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=9), nullable=False),
        sa.Column("arrivals", sa.Integer(), nullable=False),
        sa.Column("departures", sa.Integer(), nullable=False),
        sa.Column("arrivals_qualified", sa.Integer(), nullable=False),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name=op.f("ck_migration_flows_month")),
        sa.CheckConstraint("arrivals >= 0 AND departures >= 0", name=op.f("ck_migration_flows_counts")),
        sa.CheckConstraint("arrivals_qualified BETWEEN 0 AND arrivals", name=op.f("ck_migration_flows_qualified")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_migration_flows")),
        sa.UniqueConstraint("year", "month", "region", name=op.f("uq_migration_flows_year")),
    )
    op.create_table(
        "interregional_moves",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("origin_region", sa.String(length=9), nullable=False),
        sa.Column("destination_region", sa.String(length=9), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("movers", sa.Integer(), nullable=False),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name=op.f("ck_interregional_moves_month")),
        sa.CheckConstraint("movers >= 0", name=op.f("ck_interregional_moves_movers")),
        sa.CheckConstraint("origin_region <> destination_region", name=op.f("ck_interregional_moves_route")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interregional_moves")),
        sa.UniqueConstraint(
            "year",
            "month",
            "origin_region",
            "destination_region",
            "category",
            name=op.f("uq_interregional_moves_year"),
        ),
    )
    with op.batch_alter_table("interregional_moves", schema=None) as batch_op:
        batch_op.create_index("ix_interregional_moves_destination", ["year", "destination_region"], unique=False)

    op.create_table(
        "resettler_followups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_ref", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("year_settled", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=9), nullable=False),
        sa.Column("able_bodied", sa.Boolean(), nullable=False),
        sa.Column("employed", sa.Boolean(), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resettler_followups")),
        sa.UniqueConstraint("person_ref", name=op.f("uq_resettler_followups_person_ref")),
    )
    with op.batch_alter_table("resettler_followups", schema=None) as batch_op:
        batch_op.create_index("ix_resettler_followups_year_region", ["year_settled", "region"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("resettler_followups", schema=None) as batch_op:
        batch_op.drop_index("ix_resettler_followups_year_region")

    op.drop_table("resettler_followups")
    with op.batch_alter_table("interregional_moves", schema=None) as batch_op:
        batch_op.drop_index("ix_interregional_moves_destination")

    op.drop_table("interregional_moves")
    op.drop_table("migration_flows")
