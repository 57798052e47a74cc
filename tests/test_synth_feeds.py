"""Synthetic feeds: the columns of the registry schema, reproducible, and a ground truth that explains every row."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from koshi.cli import app
from koshi.documents.iin import InvalidBin, InvalidIin, validate_bin, validate_iin
from koshi.documents.translit import to_latin
from koshi.reference.regions import KATO_CODES
from koshi.registry import feeds as feed_validation
from koshi.registry import stay_sql
from koshi.registry.inputs import COVERS, EVENTS, StayInputs
from koshi.registry.schema import FEEDS, RECORD_ID, Column, FeedKind
from koshi.synth.corrupt import FeedCorruption
from koshi.synth.feeds import FORMATS, SynthFeeds, generate_feeds, read_truth, write_feeds
from koshi.synth.names import TRADITIONS, feminine_surname
from koshi.tabular import read_table

YEAR = 2026
Y0, YE = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
PEOPLE = 20_000
runner = CliRunner()


@pytest.fixture(scope="module")
def feeds() -> SynthFeeds:
    return generate_feeds(PEOPLE, 11, year=YEAR, events=5 * PEOPLE)


@pytest.fixture(scope="module")
def con(feeds: SynthFeeds) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    c.execute("CREATE MACRO local_day(t) AS CAST(t + INTERVAL 5 HOUR AS DATE)")  # Kazakhstan's calendar day
    for kind, table in feeds.feeds().items():
        c.register(kind.value, table)
    for name, table in feeds.truth().items():
        c.register(name, table)
    return c


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.sql(sql).fetchall()


def one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return con.sql(sql).fetchall()[0][0]


# --- schema conformance (our own small checker, then the registry's validator) ----------------------

PATTERNS = {
    "code": r"^[A-Z0-9_-]+$",
    "country": r"^(?:[A-Z]{3}|D)$",
    "doc_number": r"^[A-Z0-9]{1,20}$",
    "kato": r"^\d{9}$",
    "iin": r"^\d{12}$",
    "host_id": r"^\d{12}$",
    "str": r"^[^\x00-\x1f\x7f]*$",
}


def all_true(mask: pa.Array | pa.ChunkedArray) -> bool:
    return bool(pc.all(pc.fill_null(mask, True)).as_py())


def check_column(c: Column, col: pa.ChunkedArray, table: pa.Table) -> None:
    if c.required and c.required_when is None:
        assert col.null_count == 0, f"{c.name} is required"
    if c.required_when is not None:
        other, values = c.required_when
        needed = pc.is_in(table.column(other), pa.array(values))
        assert all_true(pc.or_(pc.invert(needed), pc.is_valid(col))), f"{c.name} required when {other} in {values}"
    if c.kind == "date":
        assert col.type == pa.date32(), c.name
    elif c.kind == "datetime":
        assert pa.types.is_timestamp(col.type) and col.type.tz == "+05:00", c.name
    elif c.kind == "int":
        assert pa.types.is_integer(col.type), c.name
        if c.minimum is not None:
            assert all_true(pc.greater_equal(col, c.minimum)), c.name
        if c.maximum is not None:
            assert all_true(pc.less_equal(col, c.maximum)), c.name
    else:
        assert col.type == pa.string(), c.name
        if c.kind == "enum":
            assert all_true(pc.is_in(col, pa.array(c.choices))), c.name
        if c.kind in PATTERNS:
            assert all_true(pc.match_substring_regex(col, PATTERNS[c.kind])), c.name
        if c.kind == "kato":
            assert all_true(pc.is_in(col, pa.array(KATO_CODES))), c.name
        if c.max_length is not None:
            assert all_true(pc.less_equal(pc.utf8_length(col), c.max_length)), c.name


@pytest.mark.parametrize("kind", list(FeedKind))
def test_every_feed_has_the_schema_columns_in_order_with_values_of_their_kinds(
    feeds: SynthFeeds, kind: FeedKind
) -> None:
    table = feeds.feeds()[kind]
    assert table.num_rows > 0
    assert table.column_names == [c.name for c in FEEDS[kind]]
    for c in FEEDS[kind]:
        check_column(c, table.column(c.name), table)
    ids = table.column(RECORD_ID[kind])
    assert pc.count_distinct(ids).as_py() == table.num_rows


@pytest.mark.parametrize("kind", list(FeedKind))
def test_the_registry_validator_accepts_every_row(feeds: SynthFeeds, kind: FeedKind) -> None:
    checked = feed_validation.validate(kind, feeds.feeds()[kind])
    assert checked.errors == ()
    assert checked.ignored == ()


def test_iins_are_valid_and_agree_with_birth_date_and_sex(feeds: SynthFeeds) -> None:
    people = feeds.persons.filter(pc.is_valid(feeds.persons.column("iin"))).to_pylist()
    assert 0.05 < len(people) / PEOPLE < 0.25  # residents and workers: a minority
    for person in people:
        iin = validate_iin(person["iin"])
        assert (iin.birth_date, iin.sex) == (person["birth_date"], person["sex"])
    assert len({p["iin"] for p in people}) == len(people)


def test_hosts_are_individuals_with_an_iin_or_entities_with_a_bin(feeds: SynthFeeds) -> None:
    regs = feeds.registrations.select(["host_kind", "host_id"]).group_by(["host_kind", "host_id"]).aggregate([])
    kinds = set()
    for kind, host in zip(regs.column("host_kind").to_pylist(), regs.column("host_id").to_pylist(), strict=True):
        kinds.add(kind)
        try:
            validate_iin(host) if kind == "individual" else validate_bin(host)
        except (InvalidIin, InvalidBin) as exc:  # pragma: no cover - the assertion explains
            pytest.fail(f"host of kind {kind}: {exc}")
    assert kinds == {"individual", "legal_entity"}


def test_rows_are_in_time_order(feeds: SynthFeeds) -> None:
    for kind, column in (
        (FeedKind.BORDER_EVENTS, "occurred_at"),
        (FeedKind.AUTHORIZATIONS, "applied_at"),
        (FeedKind.REGISTRATIONS, "registered_on"),
        (FeedKind.PERMITS, "issued_on"),
    ):
        values = feeds.feeds()[kind].column(column)
        assert all_true(pc.greater_equal(values.slice(1), values.slice(0, len(values) - 1))), kind


# --- reproducibility -------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_tables_and_another_seed_others() -> None:
    a, b, c = generate_feeds(600, 3), generate_feeds(600, 3), generate_feeds(600, 4)
    for name, table in {**a.truth(), **{k.value: t for k, t in a.feeds().items()}}.items():
        other = {**b.truth(), **{k.value: t for k, t in b.feeds().items()}}[name]
        assert table.equals(other), name
    assert not a.border_events.equals(c.border_events)
    assert not a.persons.column("surname").equals(c.persons.column("surname"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_seed_writes_byte_identical_files(tmp_path: Path, fmt: str) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    paths = write_feeds(generate_feeds(400, 8), first, fmt)
    write_feeds(generate_feeds(400, 8), second, fmt)
    assert len(paths) == 9
    for path in paths.values():
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes(), path.name


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_text_files_carry_iso_dates_and_times_with_offset_and_validate(tmp_path: Path, fmt: str) -> None:
    feeds = generate_feeds(500, 2)
    write_feeds(feeds, tmp_path, fmt)
    events = read_table(tmp_path / f"border_events.{fmt}")
    assert all_true(pc.match_substring_regex(events.column("occurred_at"), r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:00$"))
    assert all_true(pc.match_substring_regex(events.column("birth_date"), r"^\d{4}-\d\d-\d\d$"))
    assert events.column("event_id").to_pylist() == feeds.border_events.column("event_id").to_pylist()
    for kind in FeedKind:
        table = read_table(tmp_path / f"{kind.value}.{fmt}")
        assert table.num_rows == feeds.feeds()[kind].num_rows
        assert feed_validation.validate(kind, table).errors == ()
    if fmt == "jsonl":
        first = json.loads((tmp_path / "authorizations.jsonl").read_text().splitlines()[0])
        assert first["application_id"].startswith("ETA-")


def test_parquet_keeps_types_and_the_truth_reads_back(tmp_path: Path) -> None:
    feeds = generate_feeds(300, 1)
    write_feeds(feeds, tmp_path, "parquet")
    events = read_table(tmp_path / "border_events.parquet")
    assert events.schema.field("occurred_at").type.tz == "+05:00"
    assert events.column("occurred_at").equals(
        feeds.border_events.column("occurred_at").cast(events.schema.field("occurred_at").type)
    )
    truth = read_truth(tmp_path)
    assert truth["stays"].num_rows == feeds.stays.num_rows
    assert truth["records"].column("record_id").to_pylist() == feeds.records.column("record_id").to_pylist()


# --- ground truth ----------------------------------------------------------------------------------


def test_every_feed_row_maps_to_one_true_person_with_the_same_identity(
    feeds: SynthFeeds, con: duckdb.DuckDBPyConnection
) -> None:
    total = sum(t.num_rows for t in feeds.feeds().values())
    assert feeds.records.num_rows == total
    assert one(con, "SELECT count(DISTINCT (feed, record_id)) FROM records") == total
    assert one(con, "SELECT count(*) FROM records r ANTI JOIN persons USING (person_id)") == 0
    assert one(con, "SELECT count(*) FROM persons ANTI JOIN stays USING (person_id)") == 0  # nobody is a ghost
    for kind in FeedKind:
        mismatched = one(
            con,
            f"""
            SELECT count(*) FROM {kind.value} f
            JOIN records r ON r.feed = '{kind.value}' AND r.record_id = f.{RECORD_ID[kind]}
            JOIN persons p USING (person_id)
            LEFT JOIN documents d ON d.person_id = p.person_id AND d.doc_number = f.doc_number
            WHERE f.surname <> p.surname OR f.given_names IS DISTINCT FROM p.given_names
               OR f.birth_date <> p.birth_date OR f.sex <> p.sex
               OR f.nationality <> CASE p.nationality WHEN 'DEU' THEN 'D' ELSE p.nationality END
               OR (f.iin IS NOT NULL AND f.iin IS DISTINCT FROM p.iin)
               OR d.doc_number IS NULL OR d.doc_country <> f.doc_country OR d.doc_type <> f.doc_type
               OR d.doc_expiry IS DISTINCT FROM f.doc_expiry
            """,
        )
        assert mismatched == 0, kind
        joined = one(con, f"SELECT count(*) FROM {kind.value} f JOIN records r ON r.record_id = f.{RECORD_ID[kind]}")
        assert joined == feeds.feeds()[kind].num_rows


def test_every_border_event_is_the_entry_or_exit_of_a_true_stay(
    feeds: SynthFeeds, con: duckdb.DuckDBPyConnection
) -> None:
    unexplained = one(
        con,
        """
        WITH ends AS (
            SELECT stay_id, person_id, 'entry' AS direction, entry_event_id AS event_id, entry_at AS at FROM stays
            UNION ALL
            SELECT stay_id, person_id, 'exit', exit_event_id, exit_at FROM stays WHERE exit_event_id IS NOT NULL)
        SELECT count(*) FROM border_events e
        LEFT JOIN ends s USING (event_id)
        LEFT JOIN records r ON r.feed = 'border_events' AND r.record_id = e.event_id
        WHERE s.stay_id IS NULL OR s.direction <> e.direction OR s.at <> e.occurred_at
           OR r.person_id <> s.person_id OR r.stay_id <> s.stay_id
        """,
    )
    assert unexplained == 0
    referenced = one(con, "SELECT count(*) + count(exit_event_id) FROM stays")
    assert referenced == feeds.border_events.num_rows


def test_the_dropped_exits_are_exactly_the_exits_missing_from_the_feed(
    feeds: SynthFeeds, con: duckdb.DuckDBPyConnection
) -> None:
    missing = {r[0] for r in rows(con, "SELECT stay_id FROM stays WHERE exit_at IS NOT NULL AND exit_event_id IS NULL")}
    flagged = {r[0] for r in rows(con, "SELECT stay_id FROM stays WHERE exit_dropped")}
    injected = {r[0] for r in rows(con, "SELECT stay_id FROM injected WHERE kind = 'dropped_exit'")}
    assert missing == flagged == injected
    closed = one(con, "SELECT count(exit_at) FROM stays")
    assert 0.001 < len(missing) / closed < 0.006  # 0.3% by default
    assert one(con, "SELECT count(*) FROM stays WHERE exit_at IS NULL AND exit_event_id IS NOT NULL") == 0


def test_true_stays_do_not_overlap_and_entries_and_exits_alternate(con: duckdb.DuckDBPyConnection) -> None:
    bad = one(
        con,
        """
        SELECT count(*) FROM (
            SELECT person_id, entry_at, exit_at,
                   lead(entry_at) OVER (PARTITION BY person_id ORDER BY entry_at) AS next_entry
            FROM stays)
        WHERE exit_at < entry_at OR (next_entry IS NOT NULL AND (exit_at IS NULL OR exit_at >= next_entry))
        """,
    )
    assert bad == 0
    alternating = one(
        con,
        """
        WITH ev AS (
            SELECT person_id, entry_at AS t, 'entry' AS d FROM stays
            UNION ALL SELECT person_id, exit_at, 'exit' FROM stays WHERE exit_at IS NOT NULL),
        seq AS (SELECT person_id, d, lag(d) OVER (PARTITION BY person_id ORDER BY t) AS prev FROM ev)
        SELECT count(*) FROM seq WHERE d = coalesce(prev, 'exit')
        """,
    )
    assert alternating == 0


def truth_inputs(feeds: SynthFeeds, con: duckdb.DuckDBPyConnection) -> StayInputs:
    """The stay-rule inputs of the truth: real stays, valid permits, approved e-visas, by true person."""
    events = con.sql(
        """
        SELECT person_id, entry_at AS occurred_at, 'entry' AS direction FROM stays
        UNION ALL SELECT person_id, exit_at, 'exit' FROM stays WHERE exit_at IS NOT NULL
        """
    ).to_arrow_table()
    covers = con.sql(
        """
        SELECT r.person_id, 'permit' AS kind, p.valid_from,
               CASE WHEN p.status = 'valid' THEN p.valid_to
                    ELSE least(coalesce(p.valid_to, p.revoked_on - 1), p.revoked_on - 1) END AS valid_to
        FROM permits p JOIN records r ON r.feed = 'permits' AND r.record_id = p.permit_id
        WHERE p.status = 'valid' OR p.revoked_on > p.valid_from
        UNION ALL
        SELECT r.person_id, 'visa', a.valid_from, a.valid_to
        FROM authorizations a JOIN records r ON r.feed = 'authorizations' AND r.record_id = a.application_id
        WHERE a.kind = 'evisa' AND a.decision = 'approved'
        """
    ).to_arrow_table()
    return StayInputs(feeds.persons.select(["person_id", "nationality"]), events.cast(EVENTS), covers.cast(COVERS))


def overstays_found(feeds: SynthFeeds, con: duckdb.DuckDBPyConnection) -> dict[int, int]:
    """Person → overstay days on 31 December by the registry's own stay rules, run on the truth."""
    c = duckdb.connect()
    stay_sql.register(c, truth_inputs(feeds, con))
    status = stay_sql.status(c, YE).to_pylist()
    assert all(s["past_overstays"] <= 1 for s in status)
    return {
        s["person_id"]: s["overstay_days"] + (s["last_overstay_days"] or 0)
        for s in status
        if s["overstay_days"] or s["past_overstays"]
    }


def test_the_stay_rules_find_exactly_the_injected_overstays_in_the_truth(
    feeds: SynthFeeds, con: duckdb.DuckDBPyConnection
) -> None:
    injected = dict(rows(con, "SELECT person_id, overstay_days FROM injected WHERE kind = 'overstay'"))
    assert len(injected) == round(0.02 * PEOPLE)
    assert overstays_found(feeds, con) == injected
    # visitors only, a few days to months, some still there on 31 December
    segments = rows(con, "SELECT DISTINCT segment FROM injected JOIN persons USING (person_id) WHERE kind = 'overstay'")
    assert {s for (s,) in segments} <= {"visitor", "frequent", "eaeu_long", "visa_visitor"}
    days = sorted(injected.values())
    assert days[0] >= 1 and days[len(days) // 2] <= 10 and days[-1] > 45
    assert one(con, "SELECT count(*) FROM injected WHERE kind = 'overstay' AND ongoing") > 0
    wrong = one(
        con,
        f"""SELECT count(*) FROM injected i JOIN stays s USING (stay_id) WHERE i.kind = 'overstay'
            AND i.lawful_until + CAST(i.overstay_days AS INTEGER)
                <> least(coalesce(local_day(s.exit_at), DATE '{YE}'), DATE '{YE}')""",
    )
    assert wrong == 0


# --- realism ---------------------------------------------------------------------------------------


def test_scale_and_mix_are_realistic(feeds: SynthFeeds, con: duckdb.DuckDBPyConnection) -> None:
    assert abs(feeds.border_events.num_rows / (5 * PEOPLE) - 1) < 0.05  # ``events`` drives the trips
    cis = one(
        con,
        """SELECT avg((nationality IN ('UZB','RUS','KGZ','TJK','AZE','BLR','ARM','TKM','UKR','MDA','GEO'))::INT)
           FROM persons""",
    )
    assert 0.86 < float(cis) < 0.94
    assert one(con, "SELECT count(DISTINCT nationality) FROM persons") >= 20
    ids = one(con, "SELECT avg((doc_type = 'ID')::INT) FROM border_events WHERE nationality IN ('RUS', 'KGZ')")
    assert 0.05 < float(ids) < 0.6
    # people already in the country on 1 January (entered last year) and still there on 31 December
    assert one(con, f"SELECT count(*) FROM stays WHERE entry_at < TIMESTAMPTZ '{Y0} 00:00:00+05'") > 0.02 * PEOPLE
    assert one(con, "SELECT count(*) FROM stays WHERE exit_at IS NULL") > 0.02 * PEOPLE
    assert one(con, "SELECT count(*) FROM border_events WHERE occurred_at > TIMESTAMPTZ '2027-01-01 00:00:00+05'") == 0
    short = one(con, "SELECT median(date_diff('day', entry_at, exit_at)) FROM stays JOIN persons USING (person_id) "
                     "WHERE segment = 'visitor'")  # fmt: skip
    long = one(con, "SELECT median(date_diff('day', entry_at, exit_at)) FROM stays JOIN persons USING (person_id) "
                    "WHERE segment = 'worker'")  # fmt: skip
    assert float(short) < 10 < 40 < float(long)


def test_authorizations_follow_the_qazeta_rules(con: duckdb.DuckDBPyConnection) -> None:
    eta = rows(con, "SELECT decision, count(*) FROM authorizations WHERE kind = 'eta' GROUP BY 1")
    assert {d for d, _ in eta} == {"approved", "refused", "pending", "revoked"}
    assert one(con, "SELECT min(applied_at) FROM authorizations WHERE kind = 'eta'") >= dt.datetime(
        2025, 12, 31, 19, tzinfo=dt.UTC
    )
    late = one(
        con,
        """SELECT count(*) FROM authorizations a JOIN records r ON r.record_id = a.application_id
           JOIN stays s USING (stay_id) WHERE a.kind = 'eta' AND a.applied_at + INTERVAL 72 HOUR > s.entry_at""",
    )
    assert late == 0
    assert rows(
        con, "SELECT DISTINCT valid_to - valid_from FROM authorizations WHERE kind = 'eta' AND valid_to IS NOT NULL"
    ) == [(179,)]
    assert rows(
        con,
        "SELECT DISTINCT valid_to - valid_from, stay_days FROM authorizations "
        "WHERE kind = 'evisa' AND decision = 'approved'",
    ) == [(89, 30)]
    outside = one(
        con,
        """SELECT count(*) FROM authorizations a JOIN records r ON r.record_id = a.application_id
           JOIN stays s USING (stay_id) ANTI JOIN injected i ON i.stay_id = s.stay_id
           WHERE a.kind = 'evisa' AND (local_day(s.entry_at) < a.valid_from OR local_day(s.exit_at) > a.valid_to)""",
    )
    assert outside == 0
    visa_free = one(
        con, "SELECT count(*) FROM authorizations WHERE kind = 'eta' AND nationality IN ('TKM', 'AFG', 'PAK')"
    )
    assert visa_free == 0


def test_no_eta_before_the_pilot() -> None:
    feeds = generate_feeds(3000, 5, year=2025)
    kinds = set(feeds.authorizations.column("kind").to_pylist())
    assert kinds == {"evisa"}


def test_registrations_are_mostly_on_time_and_change_channel_in_july(con: duckdb.DuckDBPyConnection) -> None:
    on_time = one(
        con,
        "SELECT avg((registered_on - arrival_date <= 5)::INT) FROM registrations",
    )
    assert 0.8 < float(on_time) < 0.99
    before = dict(
        rows(con, "SELECT channel, count(*) FROM registrations WHERE registered_on < DATE '2026-07-01' GROUP BY 1")
    )
    after = dict(
        rows(con, "SELECT channel, count(*) FROM registrations WHERE registered_on >= DATE '2026-07-01' GROUP BY 1")
    )
    assert "is_mp" not in before and max(before, key=before.__getitem__) == "e_qonaq"
    assert max(after, key=after.__getitem__) == "is_mp"
    assert one(con, "SELECT count(*) FROM registrations WHERE registered_on > DATE '2026-12-31'") == 0


def test_permit_holders_stay_long_and_never_overstay(con: duckdb.DuckDBPyConnection) -> None:
    kinds = {r[0] for r in rows(con, "SELECT DISTINCT kind FROM permits")}
    assert kinds == {"temporary_residence", "permanent_residence", "work_permit", "long_stay_visa", "study"}
    assert (
        one(
            con,
            "SELECT count(*) FROM injected i JOIN records r USING (person_id) "
            "WHERE i.kind = 'overstay' AND r.feed = 'permits'",
        )
        == 0
    )
    revoked = one(con, "SELECT count(*) FROM permits WHERE status = 'revoked' AND revoked_on IS NOT NULL")
    assert revoked > 0


def test_documents_are_valid_on_every_crossing(con: duckdb.DuckDBPyConnection) -> None:
    expired = one(con, "SELECT count(*) FROM border_events WHERE doc_expiry < local_day(occurred_at)")
    assert expired == 0
    renewed = one(con, "SELECT count(*) FROM documents WHERE document = 'renewed_passport'")
    assert renewed > 0
    germans = rows(con, "SELECT DISTINCT doc_country, nationality FROM border_events WHERE doc_country = 'D'")
    assert germans == [("D", "D")]  # as the MRZ prints it; the truth keeps DEU


@pytest.mark.parametrize("tradition", ["russian", "kazakh"])
def test_icao_traditions_print_the_cyrillic_names_in_the_icao_latin_form(tradition: str) -> None:
    t = TRADITIONS[tradition]
    pairs = [*t.male, *t.female, *t.surnames, *(feminine_surname(*s) for s in t.surnames)]
    assert [to_latin(c or "") for _, c in pairs] == [latin for latin, _ in pairs]


def test_every_latin_name_is_in_the_mrz_alphabet() -> None:
    for t in TRADITIONS.values():
        for latin, _ in (*t.male, *t.female, *t.surnames):
            assert latin.isascii() and latin.isalpha() and latin.isupper(), latin


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.integers(1, 300), seed=st.integers(0, 2**32), year=st.sampled_from([2024, 2026, 2027]))
def test_small_populations_keep_every_invariant(people: int, seed: int, year: int) -> None:
    feeds = generate_feeds(people, seed, year=year, overstay_rate=0.1, dropped_exit_rate=0.05)
    assert feeds.persons.num_rows == people
    for kind, table in feeds.feeds().items():
        assert feed_validation.validate(kind, table).errors == ()
    c = duckdb.connect()
    for name, table in {**feeds.truth(), **{k.value: t for k, t in feeds.feeds().items()}}.items():
        c.register(name, table)
    c2 = duckdb.connect()
    stay_sql.register(c2, truth_inputs(feeds, c))
    status = stay_sql.status(c2, dt.date(year, 12, 31)).to_pylist()
    found = {
        s["person_id"]: s["overstay_days"] + (s["last_overstay_days"] or 0)
        for s in status
        if s["overstay_days"] or s["past_overstays"]
    }
    injected = {r["person_id"]: r["overstay_days"] for r in feeds.injected.to_pylist() if r["kind"] == "overstay"}
    assert found == injected


def test_bad_arguments_are_refused_with_the_reason() -> None:
    for kwargs, text in (
        ({"people": 0, "seed": 1}, "people"),
        ({"people": 10, "seed": 1, "events": 5}, "events"),
        ({"people": 10, "seed": 1, "year": 2023}, "year"),
        ({"people": 10, "seed": -1}, "seed"),
        ({"people": 10, "seed": 1, "overstay_rate": 1.5}, "overstay_rate"),
    ):
        with pytest.raises(ValueError, match=text):
            generate_feeds(**kwargs)


# --- the command -----------------------------------------------------------------------------------


def test_cli_writes_the_feeds_and_the_truth_reproducibly(tmp_path: Path) -> None:
    outputs = []
    for run in ("one", "two"):
        out = tmp_path / run
        result = runner.invoke(
            app,
            ["synth", "feeds", "--people", "400", "--seed", "5", "--year", "2026", "-o", str(out), "--format", "csv"],
        )
        assert result.exit_code == 0, result.stderr
        assert "border_events.csv" in result.stdout and "injected overstays" in result.stdout
        outputs.append(out)
    names = sorted(p.relative_to(outputs[0]).as_posix() for p in outputs[0].rglob("*") if p.is_file())
    assert names == [
        "authorizations.csv", "border_events.csv", "permits.csv", "registrations.csv", "truth/documents.parquet",
        "truth/injected.parquet", "truth/persons.parquet", "truth/records.parquet", "truth/stays.parquet",
    ]  # fmt: skip
    for name in names:
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name


def test_cli_json_summary_counts_what_it_wrote(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["synth", "feeds", "--people", "300", "--events", "1500", "-o", str(tmp_path), "--json"]
    )
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["people"] == 300 and summary["format"] == "parquet"
    assert read_table(tmp_path / "border_events.parquet").num_rows == summary["border_events"]
    assert read_truth(tmp_path)["injected"].num_rows == summary["injected_overstays"] + summary["dropped_exits"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--people", "0"], "--people must be at least 1"),
        (["--people", "10", "--events", "3"], "--events must be at least --people"),
        (["--people", "10", "--year", "2019"], "--year must be between"),
        (["--people", "10", "--format", "xml"], "--format must be one of parquet, csv, jsonl"),
        (["--people", "10", "--seed", "-4"], "--seed must be a non-negative integer"),
        (["--people", "10", "--overstay-rate", "2"], "--overstay-rate must be between 0 and 1"),
    ],
)
def test_cli_bad_options_give_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["synth", "feeds", *args, "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_cli_refuses_a_file_as_output_directory(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = runner.invoke(app, ["synth", "feeds", "--people", "10", "-o", str(target)])
    assert result.exit_code == 2 and "is not a directory" in result.stderr


def test_record_days_are_numbers_of_the_feed_year(feeds: SynthFeeds) -> None:
    ids = feeds.registrations.column("registration_id")
    assert all_true(pc.starts_with(ids, "REG-2026-"))
    assert np.all(np.diff([int(i[-9:]) for i in ids.to_pylist()]) == 1)


# --- corrupted identities ----------------------------------------------------------------------------

IDENTITY = ("surname", "given_names", "birth_date", "sex", "doc_number")


@pytest.fixture(scope="module")
def corrupted() -> SynthFeeds:
    return generate_feeds(PEOPLE, 11, year=YEAR, events=5 * PEOPLE, corruption=FeedCorruption())


@pytest.fixture(scope="module")
def ccon(corrupted: SynthFeeds) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    for kind, table in corrupted.feeds().items():
        c.register(kind.value, table)
    for name, table in corrupted.truth().items():
        c.register(name, table)
    return c


@pytest.mark.parametrize("kind", list(FeedKind))
def test_corrupted_feeds_still_pass_validation_row_by_row(
    feeds: SynthFeeds, corrupted: SynthFeeds, kind: FeedKind
) -> None:
    table = corrupted.feeds()[kind]
    checked = feed_validation.validate(kind, table)
    assert checked.errors == () and checked.table.num_rows == table.num_rows
    assert table.schema == feeds.feeds()[kind].schema


def test_corruption_changes_identity_fields_only_and_keeps_the_truth(feeds: SynthFeeds, corrupted: SynthFeeds) -> None:
    for kind, clean in feeds.feeds().items():
        dirty = corrupted.feeds()[kind]
        assert dirty.drop_columns(list(IDENTITY)).equals(clean.drop_columns(list(IDENTITY))), kind
        assert not dirty.select(list(IDENTITY)).equals(clean.select(list(IDENTITY))), kind
    for name, table in feeds.truth().items():
        assert corrupted.truth()[name].equals(table), name  # stays, records, persons... unchanged
    assert set(corrupted.truth()) == {*feeds.truth(), "corruptions"}


def test_uncorrupted_records_carry_the_true_identity_and_corrupted_ones_are_flagged(
    ccon: duckdb.DuckDBPyConnection,
) -> None:
    for kind in FeedKind:
        clean, flagged = rows(
            ccon,
            f"""
            SELECT count(*) FILTER (WHERE c.record_id IS NULL AND (
                       f.surname <> p.surname OR f.given_names IS DISTINCT FROM p.given_names
                       OR f.birth_date IS DISTINCT FROM p.birth_date OR f.sex IS DISTINCT FROM p.sex
                       OR d.doc_number IS NULL)),
                   count(*) FILTER (WHERE c.record_id IS NOT NULL AND
                       f.surname = p.surname AND f.given_names IS NOT DISTINCT FROM p.given_names
                       AND f.birth_date IS NOT DISTINCT FROM p.birth_date AND f.sex IS NOT DISTINCT FROM p.sex
                       AND d.doc_number IS NOT NULL)
            FROM {kind.value} f
            JOIN records r ON r.feed = '{kind.value}' AND r.record_id = f.{RECORD_ID[kind]}
            JOIN persons p USING (person_id)
            LEFT JOIN documents d ON d.person_id = p.person_id AND d.doc_number = f.doc_number
            LEFT JOIN corruptions c ON c.feed = '{kind.value}' AND c.record_id = f.{RECORD_ID[kind]}
            """,
        )[0]
        assert clean == 0, kind  # a record not in truth/corruptions is exactly the person's
        assert flagged == 0, kind  # a record in it differs
    assert one(ccon, "SELECT count(*) FROM corruptions c ANTI JOIN records r USING (record_id)") == 0
    assert one(ccon, "SELECT count(*) FROM corruptions c JOIN records r USING (record_id) "
                     "WHERE c.person_id <> r.person_id") == 0  # fmt: skip


def test_a_mistyped_document_number_is_a_new_document_of_the_right_person(ccon: duckdb.DuckDBPyConnection) -> None:
    typed = one(ccon, "SELECT count(*) FROM corruptions WHERE doc_number_typo")
    assert typed > 50
    for kind in (FeedKind.AUTHORIZATIONS, FeedKind.REGISTRATIONS, FeedKind.PERMITS):
        bad = one(
            ccon,
            f"""
            SELECT count(*) FROM corruptions c
            JOIN {kind.value} f ON f.{RECORD_ID[kind]} = c.record_id
            JOIN records r ON r.feed = c.feed AND r.record_id = c.record_id
            LEFT JOIN documents mine ON mine.doc_number = c.true_doc_number AND mine.person_id = r.person_id
            LEFT JOIN documents other ON other.doc_number = f.doc_number
            WHERE c.feed = '{kind.value}' AND c.doc_number_typo
              AND (mine.doc_number IS NULL OR other.doc_number IS NOT NULL OR f.doc_number = c.true_doc_number
                   OR length(f.doc_number) <> length(c.true_doc_number))
            """,
        )
        assert bad == 0, kind
    # no two people share a mistyped number
    assert one(ccon, """
        SELECT count(*) FROM (
            SELECT f.doc_number FROM (
                SELECT doc_number, application_id AS id FROM authorizations UNION ALL
                SELECT doc_number, registration_id FROM registrations UNION ALL
                SELECT doc_number, permit_id FROM permits) f
            JOIN records r ON r.record_id = f.id
            GROUP BY f.doc_number HAVING count(DISTINCT r.person_id) > 1)
        """) == 0  # fmt: skip


def test_border_events_are_corrupted_only_on_documents_without_an_mrz(
    feeds: SynthFeeds, corrupted: SynthFeeds, ccon: duckdb.DuckDBPyConnection
) -> None:
    assert corrupted.border_events.column("doc_number").equals(feeds.border_events.column("doc_number"))
    on = rows(ccon, """
        SELECT DISTINCT b.doc_type, b.doc_country FROM corruptions c JOIN border_events b ON b.event_id = c.record_id
        """)  # fmt: skip
    assert on == [("ID", "RUS")]
    assert one(ccon, "SELECT count(*) FROM corruptions WHERE feed = 'border_events' AND translit_variant") > 100


def test_each_feed_is_corrupted_as_its_typists_would(ccon: duckdb.DuckDBPyConnection) -> None:
    share = {
        (feed, kind): value
        for feed, kind, value in rows(
            ccon,
            """
            UNPIVOT (SELECT feed, avg(translit_variant::INT) AS translit_variant, avg(typo::INT) AS typo,
                            avg(swap_names::INT) AS swap_names, avg(missing_birth_date::INT) AS missing_birth_date,
                            avg(doc_number_typo::INT) AS doc_number_typo
                     FROM (SELECT r.feed, coalesce(c.translit_variant, false) AS translit_variant,
                                  coalesce(c.typo, false) AS typo, coalesce(c.swap_names, false) AS swap_names,
                                  coalesce(c.missing_birth_date, false) AS missing_birth_date,
                                  coalesce(c.doc_number_typo, false) AS doc_number_typo
                           FROM records r LEFT JOIN corruptions c USING (feed, record_id))
                     GROUP BY feed)
            ON COLUMNS(* EXCLUDE (feed)) INTO NAME kind VALUE share
            """,
        )
    }
    assert share["registrations", "translit_variant"] > 5 * share["authorizations", "translit_variant"]
    assert share["authorizations", "swap_names"] > 3 * share["permits", "swap_names"]
    assert share["authorizations", "missing_birth_date"] == 0  # a required field of the QazETA form
    assert share["registrations", "missing_birth_date"] > 0.01
    assert share["border_events", "doc_number_typo"] == 0
    assert 0.005 < share["authorizations", "doc_number_typo"] < 0.02


def test_corrupted_feeds_are_reproducible_to_the_byte(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    paths = write_feeds(generate_feeds(600, 8, corruption=FeedCorruption()), first, "csv")
    write_feeds(generate_feeds(600, 8, corruption=FeedCorruption()), second, "csv")
    assert len(paths) == 10 and "truth/corruptions" in paths
    for path in paths.values():
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes(), path.name
    assert read_truth(first)["corruptions"].num_rows > 0


def test_cli_corrupts_on_request_only(tmp_path: Path) -> None:
    dirty, clean = tmp_path / "dirty", tmp_path / "clean"
    result = runner.invoke(app, ["synth", "feeds", "--people", "300", "--corrupt", "-o", str(dirty), "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["corrupt"] is True
    assert summary["corrupted_records"] == read_truth(dirty)["corruptions"].num_rows > 0
    result = runner.invoke(app, ["synth", "feeds", "--people", "300", "-o", str(clean)])
    assert result.exit_code == 0, result.stderr
    assert not (clean / "truth" / "corruptions.parquet").exists() and "corrupted" not in result.stdout
    result = runner.invoke(app, ["synth", "feeds", "--people", "300", "--corrupt", "-o", str(tmp_path / "t")])
    assert "records with corrupted identities" in result.stdout
