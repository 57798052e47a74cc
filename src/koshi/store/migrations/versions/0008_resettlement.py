"""Internal migration (resettlement): receiving settlements, vacancies and housing, families, matching runs,
placements, support payments, follow-ups and the families' history.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _fk(table: str, column: str, target: str, key: str = "id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.{key}"], name=op.f(f"fk_{table}_{column}_{target}"))


def _family(table: str) -> tuple[sa.Column[str], sa.ForeignKeyConstraint]:
    return (
        sa.Column("family_id", sa.String(length=36), nullable=False),
        _fk(table, "family_id", "resettle_families"),
    )


def _stamps() -> tuple[sa.Column[object], sa.Column[object]]:
    return (
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def upgrade() -> None:
    op.create_table(
        "resettle_settlements",
        sa.Column("kato", sa.String(length=9), nullable=False),
        sa.Column("region_kato", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("rent_mrp", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kato", name=op.f("pk_resettle_settlements")),
    )
    with op.batch_alter_table("resettle_settlements", schema=None) as batch_op:
        batch_op.create_index("ix_resettle_settlements_region", ["region_kato"], unique=False)

    op.create_table(
        "resettle_vacancies",
        _id(),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("employer_bin", sa.String(length=12), nullable=False),
        sa.Column("employer_name", sa.String(length=200), nullable=False),
        sa.Column("isco", sa.String(length=4), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("wage", sa.Integer(), nullable=False),
        sa.Column("region_kato", sa.String(length=9), nullable=False),
        sa.Column("settlement_kato", sa.String(length=9), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        *_stamps(),
        _fk("resettle_vacancies", "settlement_kato", "resettle_settlements", "kato"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resettle_vacancies")),
        sa.UniqueConstraint("ref", name=op.f("uq_resettle_vacancies_ref")),
    )
    with op.batch_alter_table("resettle_vacancies", schema=None) as batch_op:
        batch_op.create_index("ix_resettle_vacancies_region", ["region_kato", "isco"], unique=False)

    op.create_table(
        "resettle_housing",
        _id(),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("settlement_kato", sa.String(length=9), nullable=False),
        sa.Column("region_kato", sa.String(length=9), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=True),
        *_stamps(),
        _fk("resettle_housing", "settlement_kato", "resettle_settlements", "kato"),
        _fk("resettle_housing", "vacancy_id", "resettle_vacancies"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resettle_housing")),
        sa.UniqueConstraint("ref", name=op.f("uq_resettle_housing_ref")),
        sa.UniqueConstraint("vacancy_id", name=op.f("uq_resettle_housing_vacancy_id")),
    )
    with op.batch_alter_table("resettle_housing", schema=None) as batch_op:
        batch_op.create_index("ix_resettle_housing_settlement", ["settlement_kato"], unique=False)

    op.create_table(
        "resettle_families",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=True),
        sa.Column("applicant_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("head_iin", sa.String(length=12), nullable=False),
        sa.Column("head_surname", sa.String(length=80), nullable=False),
        sa.Column("head_given_names", sa.String(length=80), nullable=True),
        sa.Column("citizen", sa.Boolean(), nullable=False),
        sa.Column("kandas_status", sa.Boolean(), nullable=False),
        sa.Column("employment_status", sa.String(length=20), nullable=False),
        sa.Column("origin_kato", sa.String(length=9), nullable=True),
        sa.Column("registered_since", sa.Date(), nullable=True),
        sa.Column("graduate_programme", sa.String(length=40), nullable=True),
        sa.Column("graduated_on", sa.Date(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("able_bodied", sa.Integer(), nullable=False),
        sa.Column("isco", sa.String(length=4), nullable=False),
        sa.Column("preferences", JSON, nullable=False),
        sa.Column("housing_certificate", sa.Boolean(), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("checks", JSON, nullable=False),
        sa.Column("policy_version", sa.Date(), nullable=False),
        sa.Column("parameters_hash", sa.String(length=80), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("withheld_reason", sa.Text(), nullable=True),
        sa.Column("contract_signed_on", sa.Date(), nullable=True),
        sa.Column("contract_end", sa.Date(), nullable=True),
        *_stamps(),
        _fk("resettle_families", "applicant_id", "users"),
        _fk("resettle_families", "decided_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resettle_families")),
        sa.UniqueConstraint("number", name=op.f("uq_resettle_families_number")),
        sa.UniqueConstraint("ref", name=op.f("uq_resettle_families_ref")),
    )
    with op.batch_alter_table("resettle_families", schema=None) as batch_op:
        batch_op.create_index("ix_resettle_families_queue", ["year", "state", "applied_on"], unique=False)
        batch_op.create_index("ix_resettle_families_applicant", ["applicant_id"], unique=False)

    op.create_table(
        "resettle_match_runs",
        _id(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("families", sa.Integer(), nullable=False),
        sa.Column("vacancies", sa.Integer(), nullable=False),
        sa.Column("pairs", sa.Integer(), nullable=False),
        sa.Column("placed_families", sa.Integer(), nullable=False),
        sa.Column("placed_persons", sa.Integer(), nullable=False),
        sa.Column("objective", sa.Integer(), nullable=False),
        sa.Column("greedy_objective", sa.Integer(), nullable=False),
        sa.Column("greedy_persons", sa.Integer(), nullable=False),
        sa.Column("bound", sa.Integer(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("unmatched", JSON, nullable=False),
        sa.Column("unmatched_families", JSON, nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("quality", JSON, nullable=False),
        _fk("resettle_match_runs", "actor_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resettle_match_runs")),
    )
    with op.batch_alter_table("resettle_match_runs", schema=None) as batch_op:
        batch_op.create_index("ix_resettle_match_runs_year", ["year", "id"], unique=False)

    op.create_table(
        "resettle_placements",
        _id(),
        *_family("resettle_placements"),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("housing_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("region_kato", sa.String(length=9), nullable=False),
        sa.Column("settlement_kato", sa.String(length=9), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("parts", JSON, nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("arrived_on", sa.Date(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        *_stamps(),
        _fk("resettle_placements", "vacancy_id", "resettle_vacancies"),
        _fk("resettle_placements", "housing_id", "resettle_housing"),
        _fk("resettle_placements", "run_id", "resettle_match_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resettle_placements")),
    )
    with op.batch_alter_table("resettle_placements", schema=None) as batch_op:
        batch_op.create_index("ix_resettle_placements_family", ["family_id"], unique=False)
        batch_op.create_index(
            "ix_resettle_placements_quota", ["year", "region_kato", "category", "state"], unique=False
        )
        batch_op.create_index("ix_resettle_placements_vacancy", ["vacancy_id", "state"], unique=False)

    op.create_table(
        "resettle_payments",
        _id(),
        *_family("resettle_payments"),
        sa.Column("item", sa.String(length=20), nullable=False),
        sa.Column("payee", sa.String(length=10), nullable=False),
        sa.Column("mrp", sa.Integer(), nullable=False),
        sa.Column("tenge", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("basis", JSON, nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resettle_payments")),
    )
    with op.batch_alter_table("resettle_payments", schema=None) as batch_op:
        batch_op.create_index("ix_resettle_payments_family", ["family_id"], unique=False)

    op.create_table(
        "resettle_followups",
        _id(),
        *_family("resettle_followups"),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("able_bodied", sa.Integer(), nullable=False),
        sa.Column("employed", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        _fk("resettle_followups", "recorded_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resettle_followups")),
        sa.UniqueConstraint("family_id", "month", name=op.f("uq_resettle_followups_family_id")),
    )

    op.create_table(
        "resettle_events",
        _id(),
        *_family("resettle_events"),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("before", sa.String(length=20), nullable=True),
        sa.Column("after", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _fk("resettle_events", "actor_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resettle_events")),
    )
    with op.batch_alter_table("resettle_events", schema=None) as batch_op:
        batch_op.create_index("ix_resettle_events_family", ["family_id", "id"], unique=False)


TABLES = (
    "resettle_events",
    "resettle_followups",
    "resettle_payments",
    "resettle_placements",
    "resettle_match_runs",
    "resettle_families",
    "resettle_housing",
    "resettle_vacancies",
    "resettle_settlements",
)
"""Children first, so each foreign key goes before the table it points at."""


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)  # dropping a table drops its indexes
