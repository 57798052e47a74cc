"""Feed validation (pure): batch-level errors, every kind of value check, cross-field rules, duplicates, speed.

The sample rows here are hand-written and shared with the store, API and CLI tests.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koshi.registry.feeds import (
    FeedError,
    RowError,
    check_columns,
    columns_markdown,
    output_schema,
    rows_table,
    validate,
)
from koshi.registry.schema import FEEDS, RECORD_ID, FeedKind, columns

IIN = "791028302728"  # valid: born 1979-10-28, male
HOST_IIN = "061211600012"  # valid: born 2006-12-11, female
BIN = "971240001315"  # valid BIN of a resident legal entity

TRAVELLER: dict[str, Any] = {
    "doc_type": "P",
    "doc_country": "RUS",
    "doc_number": "AB1234567",
    "doc_expiry": "2031-05-20",
    "nationality": "RUS",
    "surname": "IVANOV",
    "given_names": "IVAN PETROVICH",
    "birth_date": "1979-10-28",
    "sex": "M",
    "iin": None,
}

SAMPLES: dict[str, dict[str, Any]] = {
    "authorizations": {
        "application_id": "QZ-2026-000001",
        **TRAVELLER,
        "kind": "evisa",
        "purpose": "tourism",
        "applied_at": "2026-02-01T09:00:00+05:00",
        "trip_from": "2026-03-01",
        "trip_to": "2026-03-20",
        "region_kato": "750000000",
        "decision": "approved",
        "decided_at": "2026-02-03T12:00:00+05:00",
        "valid_from": "2026-03-01",
        "valid_to": "2026-05-30",
        "stay_days": "30",
    },
    "border_events": {
        "event_id": "BE-2026-000001",
        **TRAVELLER,
        "crossing_point": "ALA-AIR",
        "direction": "entry",
        "occurred_at": "2026-03-01T10:15:00+05:00",
        "transport": "air",
    },
    "registrations": {
        "registration_id": "REG-2026-000001",
        **TRAVELLER,
        "host_kind": "individual",
        "host_id": HOST_IIN,
        "address": "Almaty, Abai avenue 10, flat 5",
        "region_kato": "750000000",
        "arrival_date": "2026-03-01",
        "registered_on": "2026-03-03",
        "valid_to": "2026-03-30",
        "channel": "e_qonaq",
    },
    "permits": {
        "permit_id": "WP-2026-000001",
        **TRAVELLER,
        "kind": "work_permit",
        "issued_on": "2026-01-10",
        "valid_from": "2026-01-15",
        "valid_to": "2026-12-31",
        "region_kato": "750000000",
        "status": "valid",
        "revoked_on": None,
    },
}
KINDS = list(SAMPLES)


def sample(kind: str, /, **changes: Any) -> dict[str, Any]:
    """A valid row of ``kind`` with ``changes``."""
    return {**SAMPLES[kind], **changes}


def errors_of(kind: str, *rows: dict[str, Any], **kwargs: Any) -> list[tuple[int, str, str]]:
    v = validate(kind, rows_table(list(rows)), **kwargs)
    return [(e.row, e.field, e.reason) for e in v.errors]


# --- batch-level problems -------------------------------------------------------------------------


def test_the_samples_are_valid_and_cover_every_column() -> None:
    for kind in KINDS:
        assert list(SAMPLES[kind]) == [c.name for c in columns(kind)]
        v = validate(kind, [SAMPLES[kind]])
        assert v.errors == ()
        assert v.table.num_rows == 1
        assert v.table.schema == output_schema(kind)
        assert v.rows.tolist() == [1]


def test_an_unknown_feed_is_a_batch_error() -> None:
    with pytest.raises(FeedError, match="unknown feed 'visas'; known: authorizations, border_events"):
        validate("visas", [SAMPLES["permits"]])


def test_missing_required_columns_are_named_together() -> None:
    row = sample("border_events")
    del row["surname"], row["occurred_at"], row["transport"]  # transport is optional
    with pytest.raises(FeedError) as exc:
        validate("border_events", [row])
    assert str(exc.value) == "border_events: missing required column(s): surname, occurred_at"


def test_a_column_required_only_for_some_rows_may_be_absent() -> None:
    row = sample("permits")
    del row["revoked_on"]
    assert validate("permits", [row]).errors == ()
    assert errors_of("permits", {**row, "status": "revoked"}) == [
        (1, "revoked_on", "is required when status is revoked/annulled")
    ]


def test_a_column_named_twice_is_a_batch_error() -> None:
    with pytest.raises(FeedError, match="named more than once: surname"):
        check_columns("permits", [*SAMPLES["permits"], "surname"])


def test_unknown_columns_are_ignored_and_listed() -> None:
    v = validate("permits", [sample("permits", note="x")])
    assert v.errors == ()
    assert v.ignored == ("note",)
    assert "note" not in v.table.column_names


def test_an_empty_batch_is_valid() -> None:
    table = pa.table({c.name: pa.array([], pa.string()) for c in columns("border_events")})
    v = validate("border_events", table)
    assert (v.total, v.table.num_rows, v.errors) == (0, 0, ())


# --- value checks ---------------------------------------------------------------------------------

BAD_VALUES = [
    ("border_events", "event_id", "BE 1", "may hold only letters A-Z, digits, '-' and '_'"),
    ("border_events", "event_id", "E" * 41, "is longer than 40 characters"),
    ("border_events", "crossing_point", "ALA/AIR", "may hold only letters A-Z, digits, '-' and '_'"),
    ("border_events", "doc_country", "RU", "is not an ICAO 9303 three-letter code"),
    ("border_events", "nationality", "R1S", "is not an ICAO 9303 three-letter code"),
    ("border_events", "doc_number", "AB-123", "must be 1-20 letters A-Z or digits"),
    ("border_events", "doc_number", "A" * 21, "must be 1-20 letters A-Z or digits"),
    ("border_events", "iin", "79102830272", "is not a valid IIN: it must be exactly 12 digits"),
    ("border_events", "iin", "791028302729", "is not a valid IIN: the check digit (12th digit) is wrong"),
    ("border_events", "iin", "791328302728", "is not a valid IIN: the birth date in digits 1-6"),
    ("border_events", "doc_type", "X", "is not one of P, PD, PS, PO, ID, AC, V"),
    ("border_events", "sex", "male", "is not one of M, F, X"),
    ("border_events", "direction", "sideways", "is not one of entry, exit"),
    ("border_events", "occurred_at", "2026-04-02T10:15:00", "has no UTC offset"),
    ("border_events", "occurred_at", "2026-03-01 10:15", "has no UTC offset"),
    ("border_events", "occurred_at", "2026-04-02", "is not an ISO 8601 date and time with a UTC offset"),
    ("border_events", "occurred_at", "2026-02-30T10:15:00Z", "is not an ISO 8601 date and time"),
    ("border_events", "occurred_at", "2026-03-01T24:00:00Z", "is not an ISO 8601 date and time"),
    ("border_events", "occurred_at", "2026-03-01T10:15:00+15:00", "is not an ISO 8601 date and time"),
    ("border_events", "occurred_at", "1899-12-31T10:15:00Z", "is not a plausible date (years 1900-2100)"),
    ("border_events", "birth_date", "1979-02-29", "is not a date in the form YYYY-MM-DD"),
    ("border_events", "birth_date", "28.10.1979", "is not a date in the form YYYY-MM-DD"),
    ("border_events", "birth_date", "1979-10-28T00:00:00Z", "is not a date in the form YYYY-MM-DD"),
    ("border_events", "doc_expiry", "2131-05-20", "is not a plausible date (years 1900-2100)"),
    ("border_events", "surname", "I" * 81, "is longer than 80 characters"),
    ("border_events", "surname", "IVA\nNOV", "contains control characters"),
    ("border_events", "surname", "   ", "is required"),
    ("border_events", "surname", None, "is required"),
    ("authorizations", "stay_days", "30.5", "is not a whole number"),
    ("authorizations", "stay_days", "thirty", "is not a whole number"),
    ("authorizations", "stay_days", "0", "is below the minimum 1"),
    ("authorizations", "stay_days", "366", "is above the maximum 365"),
    ("authorizations", "stay_days", "9" * 30, "is not a whole number"),
    ("authorizations", "region_kato", "75000000", "is not a KATO code: it must be 9 digits"),
    ("authorizations", "region_kato", "990000000", "does not start with the two digits of a region's KATO code"),
    ("authorizations", "decided_at", None, "is required when decision is approved/refused/revoked"),
    ("authorizations", "valid_to", None, "is required when decision is approved/revoked"),
    ("registrations", "host_id", BIN, "is not a valid IIN of an individual host"),
    ("registrations", "host_id", "12345", "is not a valid IIN of an individual host: it must be exactly 12 digits"),
    ("registrations", "channel", "fax", "is not one of e_qonaq, vmp, is_mp, counter"),
    ("registrations", "address", "A" * 301, "is longer than 300 characters"),
    ("permits", "kind", "golden_visa", "is not one of temporary_residence, permanent_residence"),
]


@pytest.mark.parametrize(("kind", "field", "value", "reason"), BAD_VALUES)
def test_a_bad_value_rejects_its_row_with_field_and_reason(kind: str, field: str, value: Any, reason: str) -> None:
    good = sample(kind, **{RECORD_ID[FeedKind(kind)]: "R-1"})
    bad = sample(kind, **{RECORD_ID[FeedKind(kind)]: "R-2", field: value})
    v = validate(kind, [good, bad])
    assert [(e.row, e.field) for e in v.errors] == [(2, field)]
    assert v.errors[0].reason.startswith(reason)
    assert v.table.num_rows == 1
    assert v.rows.tolist() == [1]
    if value is not None and len(str(value).strip()) >= 4:
        assert str(value) not in v.errors[0].reason  # reasons never echo a value


def test_every_bad_value_of_a_row_is_reported() -> None:
    row = sample("border_events", doc_country="R", direction="in", occurred_at="yesterday", sex="?")
    assert [f for _, f, _ in errors_of("border_events", row)] == ["doc_country", "sex", "direction", "occurred_at"]


GOOD_VALUES = [
    ("doc_country", " d<< ", "D"),
    ("doc_country", "kaz", "KAZ"),
    ("doc_type", "pd", "PD"),
    ("doc_number", " n1234567 ", "N1234567"),
    ("crossing_point", "ala-air", "ALA-AIR"),
    ("direction", "EXIT", "exit"),
    ("sex", "f", "F"),
    ("surname", "  O'NEIL  ", "O'NEIL"),
    ("given_names", "", None),
    ("transport", None, None),
    ("iin", IIN, IIN),
    ("occurred_at", "2026-03-01T10:15:00Z", dt.datetime(2026, 3, 1, 10, 15, tzinfo=dt.UTC)),
    ("occurred_at", "2026-03-01 10:15+05", dt.datetime(2026, 3, 1, 5, 15, tzinfo=dt.UTC)),
    ("occurred_at", "2026-03-01T10:15:00.123-0330", dt.datetime(2026, 3, 1, 13, 45, 0, 123000, tzinfo=dt.UTC)),
    ("birth_date", " 1979-10-28 ", dt.date(1979, 10, 28)),
]


@pytest.mark.parametrize(("field", "value", "normalised"), GOOD_VALUES)
def test_good_values_are_normalised(field: str, value: Any, normalised: Any) -> None:
    v = validate("border_events", [sample("border_events", **{field: value})])
    assert v.errors == ()
    assert v.table.column(field).to_pylist() == [normalised]


def test_kato_codes_of_settlements_and_every_region_pass() -> None:
    from koshi.reference.regions import REGIONS

    rows = [sample("permits", permit_id=f"P-{i}", region_kato=r.kato) for i, r in enumerate(REGIONS)]
    rows.append(sample("permits", permit_id="P-X", region_kato="751110000"))
    assert validate("permits", rows).errors == ()


def test_a_host_id_is_checked_as_an_iin_or_a_bin_by_host_kind() -> None:
    ok = sample("registrations", registration_id="R-1", host_kind="legal_entity", host_id=BIN)
    iin_as_bin = sample("registrations", registration_id="R-2", host_kind="legal_entity", host_id=HOST_IIN)
    assert errors_of("registrations", ok, iin_as_bin) == [
        (2, "host_id", "is not a valid BIN of a legal entity: the 5th digit (entity type) must be 4, 5 or 6")
    ]


def test_a_decision_still_pending_needs_no_decision_date() -> None:
    row = sample("authorizations", decision="pending", decided_at=None, valid_from=None, valid_to=None)
    assert errors_of("authorizations", row) == []


# --- cross-field rules ----------------------------------------------------------------------------

CROSS = [
    ("authorizations", {"trip_to": "2026-02-28"}, "trip_to", "is before trip_from"),
    ("authorizations", {"valid_to": "2026-02-28"}, "valid_to", "is before valid_from"),
    ("authorizations", {"decided_at": "2026-02-01T03:59:59Z"}, "decided_at", "is before applied_at"),
    ("authorizations", {"birth_date": "2026-02-02"}, "birth_date", "is after applied_at"),
    ("registrations", {"registered_on": "2026-02-28"}, "registered_on", "is before arrival_date"),
    ("registrations", {"valid_to": "2026-02-28"}, "valid_to", "is before arrival_date"),
    ("permits", {"valid_to": "2026-01-14"}, "valid_to", "is before valid_from"),
    ("permits", {"status": "revoked", "revoked_on": "2026-01-09"}, "revoked_on", "is before issued_on"),
    ("permits", {"birth_date": "2026-01-11"}, "birth_date", "is after issued_on"),
    ("border_events", {"birth_date": "2026-03-02"}, "birth_date", "is after occurred_at"),
    ("border_events", {"doc_expiry": "1979-10-27"}, "doc_expiry", "is before birth_date"),
    ("border_events", {"iin": IIN, "birth_date": "1979-10-29"}, "iin", "encodes a birth date that differs"),
]


@pytest.mark.parametrize(("kind", "changes", "field", "reason"), CROSS)
def test_cross_field_rules(kind: str, changes: dict[str, Any], field: str, reason: str) -> None:
    errors = errors_of(kind, sample(kind, **changes))
    assert len(errors) == 1
    assert errors[0][:2] == (1, field)
    assert errors[0][2].startswith(reason)


def test_a_baby_crossing_on_its_birthday_is_fine_in_any_time_zone() -> None:
    """Born on 1 March in Almaty, carried over the border at 00:30 local time (still 28 February in UTC)."""
    row = sample("border_events", birth_date="2026-03-01", occurred_at="2026-03-01T00:30:00+05:00", doc_expiry=None)
    assert errors_of("border_events", row) == []


def test_a_birth_date_after_today_is_refused_when_today_is_given() -> None:
    row = sample("permits", birth_date="2026-01-01", issued_on="2026-02-01", valid_from="2026-02-01")
    assert errors_of("permits", row) == []
    assert errors_of("permits", row, today=dt.date(2025, 12, 31)) == [(1, "birth_date", "is in the future")]


def test_cross_field_rules_skip_values_that_are_bad_themselves() -> None:
    row = sample("authorizations", trip_from="soon", trip_to="2026-02-28")
    assert errors_of("authorizations", row) == [(1, "trip_from", "is not a date in the form YYYY-MM-DD")]


# --- duplicates -----------------------------------------------------------------------------------


def test_a_record_id_repeated_in_a_batch_keeps_only_the_first() -> None:
    rows = [
        sample("border_events", event_id="E-1"),
        sample("border_events", event_id="E-2"),
        sample("border_events", event_id="e-1", direction="exit"),  # ids are codes: upper-cased first
        sample("border_events", event_id="E-1"),
    ]
    v = validate("border_events", rows, offset=100)
    assert [(e.row, e.field, e.reason) for e in v.errors] == [
        (103, "event_id", "repeats the record id of row 101 (only the first is kept)"),
        (104, "event_id", "repeats the record id of row 101 (only the first is kept)"),
    ]
    assert v.table.column("event_id").to_pylist() == ["E-1", "E-2"]
    assert v.rows.tolist() == [101, 102]
    assert v.rejected == 2


# --- personal data never in a reason --------------------------------------------------------------

PERSONAL = [c.name for c in FEEDS[FeedKind.REGISTRATIONS] if c.personal]


def test_the_personal_columns_are_the_identifiers() -> None:
    assert PERSONAL == ["doc_number", "surname", "given_names", "iin", "host_id", "address"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(PERSONAL), value=st.text(min_size=4, max_size=400))
def test_no_reason_echoes_a_personal_value(field: str, value: str) -> None:
    v = validate("registrations", [sample("registrations", **{field: value})])
    for e in v.errors:
        assert value.strip() not in e.reason
        assert value.strip().upper() not in e.reason


# --- typed input (Parquet) ------------------------------------------------------------------------


def test_typed_columns_from_parquet_are_accepted() -> None:
    n = 3
    table = pa.table(
        {
            **{k: pa.array([v] * n, pa.string()) for k, v in SAMPLES["authorizations"].items() if isinstance(v, str)},
            "application_id": pa.array(["A-1", "A-2", "A-3"]).dictionary_encode(),
            "birth_date": pa.array([dt.date(1979, 10, 28)] * n),
            "iin": pa.array([int(IIN), None, None], pa.int64()),
            "applied_at": pa.array(
                [dt.datetime(2026, 2, 1, 4, tzinfo=dt.UTC)] * n, pa.timestamp("ms", tz="Asia/Almaty")
            ),
            "trip_from": pa.array([dt.date(2026, 3, 1)] * n, pa.date64()),
            "decided_at": pa.array([dt.datetime(2026, 2, 3, 7, tzinfo=dt.UTC)] * n, pa.timestamp("us", tz="UTC")),
            "stay_days": pa.array([30, 30.0, 31.5], pa.float64()),
        }
    )
    v = validate("authorizations", table)
    assert [(e.row, e.field, e.reason) for e in v.errors] == [(3, "stay_days", "is not a whole number")]
    row = v.table.to_pylist()[0]
    assert row["applied_at"] == dt.datetime(2026, 2, 1, 4, tzinfo=dt.UTC)
    assert row["iin"] == IIN
    assert row["stay_days"] == 30
    assert row["application_id"] == "A-1"


def test_an_iin_written_as_a_number_keeps_its_leading_zero() -> None:
    table = rows_table([sample("border_events", iin=None, birth_date="2006-12-11", sex="F")])
    table = table.set_column(table.schema.get_field_index("iin"), "iin", pa.array([int(HOST_IIN)], pa.int64()))
    v = validate("border_events", table)
    assert v.errors == ()
    assert v.table.column("iin").to_pylist() == [HOST_IIN]


def test_a_naive_parquet_timestamp_is_refused() -> None:
    table = rows_table([sample("border_events")]).drop_columns(["occurred_at"])
    table = table.append_column("occurred_at", pa.array([dt.datetime(2026, 3, 1, 10)], pa.timestamp("us")))
    assert [e.reason for e in validate("border_events", table).errors] == [
        "has no UTC offset: write it as 2026-03-01T10:15:00+05:00 or with Z for UTC"
    ]


@pytest.mark.parametrize(
    "column", [pa.array([30.0, float("inf"), float("nan"), 1e300]), pa.array([30, 2**64 - 1], pa.uint64())]
)
def test_numbers_from_parquet_that_are_no_whole_number_in_range_are_row_errors(column: pa.Array) -> None:
    rows = [sample("authorizations", application_id=f"A-{i}") for i in range(len(column))]
    table = rows_table(rows).drop_columns(["stay_days"]).append_column("stay_days", column)
    v = validate("authorizations", table)
    assert v.table.column("stay_days").to_pylist() == [30]
    assert {e.field for e in v.errors} == {"stay_days"}
    assert [e.row for e in v.errors] == list(range(2, len(column) + 1))


def test_json_values_other_than_text_are_read_as_text() -> None:
    row = sample("authorizations", stay_days=30, surname=["IVANOV"], given_names=True)
    assert errors_of("authorizations", row) == []
    v = validate("authorizations", [row])
    assert v.table.column("stay_days").to_pylist() == [30]
    assert v.table.column("surname").to_pylist() == ['["IVANOV"]']  # text is text: the sender's problem


# --- parsers under hypothesis -----------------------------------------------------------------------

PLAUSIBLE_DATES = st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2099, 12, 31))


@given(day=PLAUSIBLE_DATES)
def test_any_iso_date_parses_back(day: dt.date) -> None:
    v = validate("border_events", [sample("border_events", doc_expiry=day.isoformat(), birth_date=None)])
    assert v.table.column("doc_expiry").to_pylist() == [day]


@given(
    at=st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2099, 12, 31)),
    minutes=st.integers(min_value=-12 * 60, max_value=14 * 60),
    sep=st.sampled_from(["T", " "]),
    precision=st.sampled_from(["seconds", "milliseconds", "microseconds", "minutes"]),
)
def test_any_time_with_an_offset_parses_to_the_same_instant(
    at: dt.datetime, minutes: int, sep: str, precision: str
) -> None:
    local = at.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes)))
    text = local.isoformat(sep=sep, timespec=precision)
    v = validate("authorizations", [sample("authorizations", applied_at=text, decided_at=text, birth_date=None)])
    expected = dt.datetime.fromisoformat(text).astimezone(dt.UTC)
    assert v.errors == ()
    assert v.table.column("applied_at").to_pylist() == [expected]


@given(value=st.from_regex(r"[a-zA-Z0-9_-]{1,40}", fullmatch=True))
def test_any_code_is_accepted_upper_cased(value: str) -> None:
    v = validate("border_events", [sample("border_events", crossing_point=value[:20])])
    assert v.table.column("crossing_point").to_pylist() == [value[:20].upper()]


GARBLE = [
    "event_id",
    "doc_type",
    "doc_country",
    "doc_number",
    "doc_expiry",
    "birth_date",
    "sex",
    "iin",
    "crossing_point",
    "direction",
    "occurred_at",
    "transport",
]


@settings(max_examples=200, deadline=None)
@given(field=st.sampled_from(GARBLE), value=st.one_of(st.text(max_size=40), st.from_regex(r"[0-9 :T+.Z-]{1,30}")))
def test_garbage_gives_a_row_error_never_an_exception(field: str, value: str) -> None:
    v = validate("border_events", [sample("border_events", **{field: value})])
    assert all(isinstance(e, RowError) and e.row == 1 for e in v.errors)
    assert {e.field for e in v.errors} <= {field, "birth_date", "doc_expiry"}  # a garbled date may break an order
    assert v.table.num_rows + v.rejected == 1


@settings(max_examples=100, deadline=None)
@given(value=st.one_of(st.integers(), st.floats(allow_nan=True), st.text(max_size=25)))
def test_any_int_input_is_a_number_in_range_or_an_error(value: Any) -> None:
    v = validate("authorizations", [sample("authorizations", stay_days=value)])
    if v.errors:
        assert [e.field for e in v.errors] == ["stay_days"]
    elif isinstance(value, str) and not value.strip():
        assert v.table.column("stay_days").to_pylist() == [None]  # blank: the column is optional
    else:
        assert 1 <= v.table.column("stay_days").to_pylist()[0] <= 365


# --- speed ------------------------------------------------------------------------------------------


def test_a_hundred_thousand_border_events_validate_in_about_a_second() -> None:
    n = 100_000
    base = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    row = sample("border_events")
    table = pa.table({k: pa.array([v] * n, pa.string()) for k, v in row.items()})
    table = table.set_column(0, "event_id", pa.array([f"E-{i}" for i in range(n)]))
    table = table.set_column(
        table.schema.get_field_index("occurred_at"),
        "occurred_at",
        pa.array([(base + dt.timedelta(minutes=i)).isoformat() for i in range(n)]),
    )
    start = time.perf_counter()
    v = validate("border_events", table)
    elapsed = time.perf_counter() - start
    assert v.table.num_rows == n
    assert elapsed < 2.0, f"{n / elapsed:,.0f} rows/s"  # ~200,000 rows/s on one core; 50,000 is the alarm


# --- documentation ------------------------------------------------------------------------------------


def test_docs_list_every_feed_column() -> None:
    """docs/registry.md embeds columns_markdown() of each feed: regenerate it when schema.py changes."""
    doc = (Path(__file__).parents[1] / "docs" / "registry.md").read_text(encoding="utf-8")
    assert columns_markdown() in doc, "docs/registry.md: the traveller table is out of date"
    for kind in FeedKind:
        assert columns_markdown(kind) in doc, f"docs/registry.md: the {kind.value} table is out of date"
