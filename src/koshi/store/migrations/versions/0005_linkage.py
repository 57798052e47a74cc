"""Record linkage: document identities per feed, runs, reviews, decisions, merges and splits of persons.

The identities of documents imported before this revision are backfilled: one row per
document and feed that has records, from the identity the document holds (the first
feed's), in the batch of its earliest record there.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
FEED_TABLES = ("authorizations", "border_events", "registrations", "permits")
"""The feed tables, named as the feeds are (``FeedKind`` values)."""


def _merged_into() -> None:
    """``registry_persons.merged_into``: SQLite adds a column with its reference in place (copying the
    table, as batch mode would, cannot drop a table that documents refer to)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE registry_persons ADD COLUMN merged_into INTEGER "
            "CONSTRAINT fk_registry_persons_merged_into_registry_persons REFERENCES registry_persons (id)"
        )
        return
    op.add_column("registry_persons", sa.Column("merged_into", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_registry_persons_merged_into_registry_persons"),
        "registry_persons",
        "registry_persons",
        ["merged_into"],
        ["id"],
    )


def upgrade() -> None:
    _merged_into()
    op.create_table(
        "link_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("backend", sa.String(length=12), nullable=False),
        sa.Column("model", JSON, nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("review_from", sa.Float(), nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("seconds", JSON, nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_link_runs_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_runs")),
    )
    op.create_table(
        "document_identities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=20), nullable=False),
        sa.Column("doc_type", sa.String(length=2), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=False),
        sa.Column("surname", sa.String(length=80), nullable=False),
        sa.Column("given_names", sa.String(length=80), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("iin", sa.String(length=12), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("linked_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["feed_batches.id"], name=op.f("fk_document_identities_batch_id_feed_batches")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["travel_documents.id"], name=op.f("fk_document_identities_document_id_travel_documents")
        ),
        sa.ForeignKeyConstraint(
            ["linked_run_id"], ["link_runs.id"], name=op.f("fk_document_identities_linked_run_id_link_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_identities")),
        sa.UniqueConstraint("document_id", "feed", name=op.f("uq_document_identities_document_id")),
    )
    with op.batch_alter_table("document_identities", schema=None) as batch_op:
        batch_op.create_index("ix_document_identities_linked", ["linked_run_id"], unique=False)
    op.create_table(
        "link_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("identity_l", sa.Integer(), nullable=False),
        sa.Column("identity_r", sa.Integer(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("comparisons", JSON, nullable=False),
        sa.Column("tf_adjustment", sa.Float(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name=op.f("fk_link_reviews_decided_by_users")),
        sa.ForeignKeyConstraint(
            ["identity_l"], ["document_identities.id"], name=op.f("fk_link_reviews_identity_l_document_identities")
        ),
        sa.ForeignKeyConstraint(
            ["identity_r"], ["document_identities.id"], name=op.f("fk_link_reviews_identity_r_document_identities")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["link_runs.id"], name=op.f("fk_link_reviews_run_id_link_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_reviews")),
    )
    with op.batch_alter_table("link_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_link_reviews_status", ["status", "id"], unique=False)
        batch_op.create_index("ix_link_reviews_pair", ["identity_l", "identity_r"], unique=False)
    op.create_table(
        "link_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("identity_l", sa.Integer(), nullable=False),
        sa.Column("identity_r", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_link_decisions_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["identity_l"], ["document_identities.id"], name=op.f("fk_link_decisions_identity_l_document_identities")
        ),
        sa.ForeignKeyConstraint(
            ["identity_r"], ["document_identities.id"], name=op.f("fk_link_decisions_identity_r_document_identities")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["link_reviews.id"], name=op.f("fk_link_decisions_review_id_link_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_decisions")),
    )
    with op.batch_alter_table("link_decisions", schema=None) as batch_op:
        batch_op.create_index("ix_link_decisions_pair", ["identity_l", "identity_r", "id"], unique=False)
    op.create_table(
        "person_merges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("from_person_id", sa.Integer(), nullable=False),
        sa.Column("into_person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evidence", JSON, nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_person_merges_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["link_decisions.id"], name=op.f("fk_person_merges_decision_id_link_decisions")
        ),
        sa.ForeignKeyConstraint(
            ["from_person_id"], ["registry_persons.id"], name=op.f("fk_person_merges_from_person_id_registry_persons")
        ),
        sa.ForeignKeyConstraint(
            ["into_person_id"], ["registry_persons.id"], name=op.f("fk_person_merges_into_person_id_registry_persons")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["link_runs.id"], name=op.f("fk_person_merges_run_id_link_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_merges")),
    )
    with op.batch_alter_table("person_merges", schema=None) as batch_op:
        batch_op.create_index("ix_person_merges_from", ["from_person_id"], unique=False)
        batch_op.create_index("ix_person_merges_into", ["into_person_id"], unique=False)
    op.create_table(
        "person_splits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("from_person_id", sa.Integer(), nullable=False),
        sa.Column("new_person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("documents", JSON, nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_person_splits_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["link_decisions.id"], name=op.f("fk_person_splits_decision_id_link_decisions")
        ),
        sa.ForeignKeyConstraint(
            ["from_person_id"], ["registry_persons.id"], name=op.f("fk_person_splits_from_person_id_registry_persons")
        ),
        sa.ForeignKeyConstraint(
            ["new_person_id"], ["registry_persons.id"], name=op.f("fk_person_splits_new_person_id_registry_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_splits")),
    )
    with op.batch_alter_table("person_splits", schema=None) as batch_op:
        batch_op.create_index("ix_person_splits_from", ["from_person_id"], unique=False)
        batch_op.create_index("ix_person_splits_new", ["new_person_id"], unique=False)
    _backfill()


def _backfill() -> None:
    """One identity per (document, feed) with records, as the document states it, in its earliest record's
    batch; numbered by document, then feed."""
    firsts = " UNION ALL ".join(
        f"SELECT document_id, '{feed}' AS feed, MIN(batch_id) AS batch_id FROM {feed} GROUP BY document_id"
        for feed in FEED_TABLES
    )
    op.execute(
        "INSERT INTO document_identities (document_id, feed, doc_type, nationality, surname, given_names, "
        "birth_date, sex, iin, batch_id, created_at) "
        "SELECT d.id, r.feed, d.doc_type, d.nationality, d.surname, d.given_names, d.birth_date, d.sex, d.iin, "
        f"r.batch_id, b.received_at FROM ({firsts}) r "
        "JOIN travel_documents d ON d.id = r.document_id JOIN feed_batches b ON b.id = r.batch_id "
        "ORDER BY d.id, r.feed"
    )


def downgrade() -> None:
    with op.batch_alter_table("person_splits", schema=None) as batch_op:
        batch_op.drop_index("ix_person_splits_new")
        batch_op.drop_index("ix_person_splits_from")
    op.drop_table("person_splits")
    with op.batch_alter_table("person_merges", schema=None) as batch_op:
        batch_op.drop_index("ix_person_merges_into")
        batch_op.drop_index("ix_person_merges_from")
    op.drop_table("person_merges")
    with op.batch_alter_table("link_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_link_decisions_pair")
    op.drop_table("link_decisions")
    with op.batch_alter_table("link_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_link_reviews_pair")
        batch_op.drop_index("ix_link_reviews_status")
    op.drop_table("link_reviews")
    with op.batch_alter_table("document_identities", schema=None) as batch_op:
        batch_op.drop_index("ix_document_identities_linked")
    op.drop_table("document_identities")
    op.drop_table("link_runs")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE registry_persons DROP COLUMN merged_into")
        return
    op.drop_constraint(op.f("fk_registry_persons_merged_into_registry_persons"), "registry_persons", type_="foreignkey")
    op.drop_column("registry_persons", "merged_into")
