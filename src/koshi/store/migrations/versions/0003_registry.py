"""Registry of foreigners: persons, travel documents, feed batches and the four feeds.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 21:01:12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_persons",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_persons")),
    )
    op.create_table(
        "feed_batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("batch_key", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.Integer(), nullable=True),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_updated", sa.Integer(), nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column(
            "errors", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(["received_by"], ["users.id"], name=op.f("fk_feed_batches_received_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_batches")),
        sa.UniqueConstraint("kind", "batch_key", name=op.f("uq_feed_batches_kind")),
    )
    op.create_table(
        "travel_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=2), nullable=False),
        sa.Column("doc_country", sa.String(length=3), nullable=False),
        sa.Column("doc_number", sa.String(length=20), nullable=False),
        sa.Column("nationality", sa.String(length=3), nullable=False),
        sa.Column("surname", sa.String(length=80), nullable=False),
        sa.Column("given_names", sa.String(length=80), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("doc_expiry", sa.Date(), nullable=True),
        sa.Column("iin", sa.String(length=12), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["registry_persons.id"], name=op.f("fk_travel_documents_person_id_registry_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_travel_documents")),
        sa.UniqueConstraint("doc_country", "doc_number", name=op.f("uq_travel_documents_doc_country")),
    )
    with op.batch_alter_table("travel_documents", schema=None) as batch_op:
        batch_op.create_index("ix_travel_documents_iin", ["iin"], unique=False)
        batch_op.create_index("ix_travel_documents_person", ["person_id"], unique=False)

    op.create_table(
        "authorizations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("row_digest", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trip_from", sa.Date(), nullable=False),
        sa.Column("trip_to", sa.Date(), nullable=False),
        sa.Column("region_kato", sa.String(length=9), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("stay_days", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["feed_batches.id"], name=op.f("fk_authorizations_batch_id_feed_batches")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["travel_documents.id"], name=op.f("fk_authorizations_document_id_travel_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorizations")),
        sa.UniqueConstraint("application_id", name=op.f("uq_authorizations_application_id")),
    )
    with op.batch_alter_table("authorizations", schema=None) as batch_op:
        batch_op.create_index("ix_authorizations_document", ["document_id", "applied_at"], unique=False)

    op.create_table(
        "border_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("row_digest", sa.String(length=32), nullable=False),
        sa.Column("crossing_point", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=5), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transport", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["feed_batches.id"], name=op.f("fk_border_events_batch_id_feed_batches")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["travel_documents.id"], name=op.f("fk_border_events_document_id_travel_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_border_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_border_events_event_id")),
    )
    with op.batch_alter_table("border_events", schema=None) as batch_op:
        batch_op.create_index("ix_border_events_document", ["document_id", "occurred_at"], unique=False)

    op.create_table(
        "permits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("permit_id", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("row_digest", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("region_kato", sa.String(length=9), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["feed_batches.id"], name=op.f("fk_permits_batch_id_feed_batches")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["travel_documents.id"], name=op.f("fk_permits_document_id_travel_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits")),
        sa.UniqueConstraint("permit_id", name=op.f("uq_permits_permit_id")),
    )
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.create_index("ix_permits_document", ["document_id", "valid_from"], unique=False)

    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("row_digest", sa.String(length=32), nullable=False),
        sa.Column("host_kind", sa.String(length=12), nullable=False),
        sa.Column("host_id", sa.String(length=12), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("region_kato", sa.String(length=9), nullable=False),
        sa.Column("arrival_date", sa.Date(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["feed_batches.id"], name=op.f("fk_registrations_batch_id_feed_batches")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["travel_documents.id"], name=op.f("fk_registrations_document_id_travel_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_registrations_registration_id")),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index("ix_registrations_document", ["document_id", "arrival_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_registrations_document")

    op.drop_table("registrations")
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.drop_index("ix_permits_document")

    op.drop_table("permits")
    with op.batch_alter_table("border_events", schema=None) as batch_op:
        batch_op.drop_index("ix_border_events_document")

    op.drop_table("border_events")
    with op.batch_alter_table("authorizations", schema=None) as batch_op:
        batch_op.drop_index("ix_authorizations_document")

    op.drop_table("authorizations")
    with op.batch_alter_table("travel_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_travel_documents_person")
        batch_op.drop_index("ix_travel_documents_iin")

    op.drop_table("travel_documents")
    op.drop_table("feed_batches")
    op.drop_table("registry_persons")
