"""The four registry feeds and their columns: one declaration shared by import, synthesis and docs.

Every feed row names the traveller by travel document (issuing state + number) and
carries the identity fields the sending system holds (names as written in the
document's Latin MRZ form, birth date, sex, nationality, IIN when the person has one),
so that records from different systems can later be linked to one person.

Each row also carries the sending system's own id for the record (``event_id``,
``application_id``...): re-sending a record is recognised by that id, which makes
imports idempotent row by row as well as batch by batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

ColumnKind = Literal[
    "str",  # free text, trimmed; ``max_length`` applies
    "code",  # upper-case letters, digits and '-', '_' (crossing points, record ids)
    "country",  # ICAO 9303 three-letter code (ISO 3166-1 alpha-3, plus D, XXA, XXB, XXC, XXX, UNO...)
    "doc_number",  # travel document number: 1-20 upper-case letters or digits
    "iin",  # Kazakh IIN (12 digits, check digit, birth date); never echoed in errors
    "host_id",  # IIN of a private host or BIN of a legal entity, by ``host_kind``
    "kato",  # 9-digit KATO code of a region or settlement
    "date",  # ISO 8601 date YYYY-MM-DD
    "datetime",  # ISO 8601 date and time WITH a UTC offset (or Z)
    "int",
    "enum",  # one of ``choices``
]


class FeedKind(StrEnum):
    """The feeds the registry accepts."""

    AUTHORIZATIONS = "authorizations"  # QazETA: electronic travel authorizations and e-visas
    BORDER_EVENTS = "border_events"  # entries and exits (border service, "Berkut")
    REGISTRATIONS = "registrations"  # registrations at the place of stay (E-Qonaq, IS "Migration Police")
    PERMITS = "permits"  # residence and work permits, long-stay visas


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a feed.

    ``required_when`` is ``(column, values)``: the column is required when that other
    column holds one of ``values`` (a decided application must say when it was decided).
    ``personal`` columns are personal identifiers: error messages never echo their values.
    """

    name: str
    kind: ColumnKind
    description: str
    required: bool = True
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    required_when: tuple[str, tuple[str, ...]] | None = None
    personal: bool = False


DOC_TYPES = ("P", "PD", "PS", "PO", "ID", "AC", "V")
"""Document type codes (first letters of the MRZ document code): passports, identity cards, crew cards, visas."""

TRAVELLER: tuple[Column, ...] = (
    Column("doc_type", "enum", "Travel document type (ICAO 9303 document code)", choices=DOC_TYPES),
    Column("doc_country", "country", "Issuing state or organisation of the document (ICAO three-letter code)"),
    Column("doc_number", "doc_number", "Document number as printed (letters and digits, no fillers)", personal=True),
    Column("doc_expiry", "date", "Document expiry date", required=False),
    Column("nationality", "country", "Nationality (ICAO three-letter code)"),
    Column("surname", "str", "Primary identifier (surname), Latin as in the MRZ", max_length=80, personal=True),
    Column(
        "given_names", "str", "Secondary identifier (given names), Latin", required=False, max_length=80, personal=True
    ),
    Column("birth_date", "date", "Date of birth", required=False),
    Column("sex", "enum", "Sex as in the document", choices=("M", "F", "X"), required=False),
    Column("iin", "iin", "Kazakh IIN, when the person has one", required=False, personal=True),
)
"""The traveller columns every feed carries, first in every row."""

AUTHORIZATION_KINDS = ("eta", "evisa")
DECISIONS = ("pending", "approved", "refused", "revoked")
PURPOSES = ("tourism", "business", "private", "transit", "study", "work", "medical", "other")

AUTHORIZATIONS: tuple[Column, ...] = (
    Column("application_id", "code", "QazETA application number", max_length=40),
    *TRAVELLER,
    Column("kind", "enum", "eta (travel authorization, visa-free nationals) or evisa", choices=AUTHORIZATION_KINDS),
    Column("purpose", "enum", "Declared purpose of the trip", choices=PURPOSES),
    Column("applied_at", "datetime", "When the application was filed"),
    Column("trip_from", "date", "Planned first day of the trip"),
    Column("trip_to", "date", "Planned last day of the trip"),
    Column("region_kato", "kato", "Region of stay (KATO)", required=False),
    Column("decision", "enum", "Decision on the application", choices=DECISIONS),
    Column(
        "decided_at",
        "datetime",
        "When the decision was taken",
        required=False,
        required_when=("decision", ("approved", "refused", "revoked")),
    ),
    Column(
        "valid_from",
        "date",
        "First day the authorization is valid",
        required=False,
        required_when=("decision", ("approved", "revoked")),
    ),
    Column(
        "valid_to",
        "date",
        "Last day the authorization is valid",
        required=False,
        required_when=("decision", ("approved", "revoked")),
    ),
    Column("stay_days", "int", "Days of stay allowed per entry (e-visas)", required=False, minimum=1, maximum=365),
)

DIRECTIONS = ("entry", "exit")
TRANSPORT = ("air", "road", "rail", "sea", "pedestrian")

BORDER_EVENTS: tuple[Column, ...] = (
    Column("event_id", "code", "Border service record id", max_length=40),
    *TRAVELLER,
    Column("crossing_point", "code", "Border crossing point code", max_length=20),
    Column("direction", "enum", "entry or exit", choices=DIRECTIONS),
    Column("occurred_at", "datetime", "Time of the crossing, with UTC offset"),
    Column("transport", "enum", "Mode of transport", required=False, choices=TRANSPORT),
)

HOST_KINDS = ("individual", "legal_entity")
CHANNELS = ("e_qonaq", "vmp", "is_mp", "counter")

REGISTRATIONS: tuple[Column, ...] = (
    Column("registration_id", "code", "Registration record id", max_length=40),
    *TRAVELLER,
    Column("host_kind", "enum", "Who hosts the foreigner", choices=HOST_KINDS),
    Column("host_id", "host_id", "IIN of a private host or BIN of a legal entity", personal=True),
    Column("address", "str", "Address of stay", max_length=300, personal=True),
    Column("region_kato", "kato", "Region of stay (KATO)"),
    Column("arrival_date", "date", "Day the foreigner arrived at the address"),
    Column("registered_on", "date", "Day the registration (host notification) was made"),
    Column("valid_to", "date", "Last day the registration covers", required=False),
    Column("channel", "enum", "How it was registered", choices=CHANNELS),
)

PERMIT_KINDS = (
    "temporary_residence",
    "permanent_residence",
    "work_permit",
    "long_stay_visa",
    "study",
)
PERMIT_STATUSES = ("valid", "revoked", "annulled")

PERMITS: tuple[Column, ...] = (
    Column("permit_id", "code", "Permit number", max_length=40),
    *TRAVELLER,
    Column("kind", "enum", "Kind of permit", choices=PERMIT_KINDS),
    Column("issued_on", "date", "Day of issue"),
    Column("valid_from", "date", "First day of validity"),
    Column("valid_to", "date", "Last day of validity (none for permanent residence)", required=False),
    Column("region_kato", "kato", "Region the permit is valid in", required=False),
    Column("status", "enum", "Current status", choices=PERMIT_STATUSES),
    Column(
        "revoked_on",
        "date",
        "Day it was revoked or annulled",
        required=False,
        required_when=("status", ("revoked", "annulled")),
    ),
)

FEEDS: dict[FeedKind, tuple[Column, ...]] = {
    FeedKind.AUTHORIZATIONS: AUTHORIZATIONS,
    FeedKind.BORDER_EVENTS: BORDER_EVENTS,
    FeedKind.REGISTRATIONS: REGISTRATIONS,
    FeedKind.PERMITS: PERMITS,
}
"""Every feed's columns, in the order files are written."""

RECORD_ID: dict[FeedKind, str] = {
    FeedKind.AUTHORIZATIONS: "application_id",
    FeedKind.BORDER_EVENTS: "event_id",
    FeedKind.REGISTRATIONS: "registration_id",
    FeedKind.PERMITS: "permit_id",
}
"""The column holding the sending system's id of each record."""


def columns(kind: FeedKind | str) -> tuple[Column, ...]:
    """The columns of a feed; raises ``ValueError`` naming the known feeds."""
    try:
        return FEEDS[FeedKind(kind)]
    except ValueError:
        raise ValueError(f"unknown feed {kind!r}; known: {', '.join(k.value for k in FeedKind)}") from None
