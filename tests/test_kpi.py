"""Policy KPIs on a hand-built dataset (SQLite and PostgreSQL), the reference figures, synthetic monitoring data."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow.compute as pc
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, func, insert, inspect, select, text

from koshi.analytics import kpi, labour_deficit
from koshi.analytics.reference import PRODUCT_BRIEF, REFERENCE, TARGETS, YEARS, Indicator, figure, series
from koshi.reference.regions import BY_SLUG, KATO_CODES
from koshi.store import migrate
from koshi.store.audit import verify
from koshi.store.db import make_sessionmaker
from koshi.store.models import Base, Case, User
from koshi.store.monitoring import (
    ExternalMigration,
    InterregionalMove,
    ResettlerFollowup,
    seed_monitoring,
)
from koshi.synth.decisions import generate_monitoring, plan_decisions, route_probabilities

PAVLODAR = BY_SLUG["pavlodar"].kato
ALMATY = BY_SLUG["almaty"].kato
ASTANA = BY_SLUG["astana"].kato
TURKISTAN = BY_SLUG["turkistan"].kato
ATYRAU = BY_SLUG["atyrau"].kato
NORTH = BY_SLUG["north_kazakhstan"].kato
SHYMKENT = BY_SLUG["shymkent"].kato
ZHAMBYL = BY_SLUG["zhambyl"].kato
KOSTANAY = BY_SLUG["kostanay"].kato
PR, KANDAS = "kz.permanent_residence", "kz.kandas_status"
UTC = dt.UTC


def _utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


FLOWS = [  # year, month, region, arrivals, departures, qualified
    (2024, 1, PAVLODAR, 100, 40, 60),
    (2024, 2, PAVLODAR, 50, 70, 20),
    (2024, 1, ALMATY, 200, 10, 190),
    (2025, 3, PAVLODAR, 300, 100, 285),
    (2025, 3, ASTANA, 500, 250, 400),
]
MOVES = [  # year, month, origin, destination, category, movers
    (2024, 1, TURKISTAN, PAVLODAR, "citizen", 30),  # to a deficit region
    (2024, 1, TURKISTAN, ASTANA, "citizen", 70),
    (2024, 6, ALMATY, ATYRAU, "citizen", 50),  # Atyrau is not on the 2024 list …
    (2025, 6, ALMATY, ATYRAU, "citizen", 50),  # … but is on the 2025 one
    (2025, 6, TURKISTAN, NORTH, "kandas", 25),
    (2025, 7, SHYMKENT, ALMATY, "citizen", 125),
    (2022, 5, ZHAMBYL, KOSTANAY, "citizen", 10),  # 2022: no list of its own, the 2024 one stands in
    (2022, 5, ZHAMBYL, SHYMKENT, "citizen", 30),
]
FOLLOWUPS = [  # category, year settled, region, able-bodied, employed, how many
    ("kandas", 2024, PAVLODAR, True, True, 3),
    ("kandas", 2024, PAVLODAR, True, False, 1),
    ("resettler", 2024, NORTH, True, True, 2),
    ("resettler", 2024, NORTH, False, False, 5),  # not able-bodied: outside the KPI
    ("resettler", 2025, PAVLODAR, True, False, 2),
    ("resettler", 2025, PAVLODAR, True, True, 2),
]
CASES = [  # pack, submitted_at, region, status, outcome
    (PR, _utc(2025, 1, 15, 10), PAVLODAR, "approved", "approved"),
    (PR, _utc(2025, 1, 31, 23, 30), PAVLODAR, "refused", "refused"),  # February already in Almaty time
    (KANDAS, _utc(2025, 1, 20, 9), ALMATY, "approved", "approved"),
    (PR, _utc(2025, 2, 1, 0, 30), PAVLODAR, "in_review", None),
    (KANDAS, _utc(2024, 12, 31, 23, 59), PAVLODAR, "approved", "approved"),  # 2025 in Almaty time
    (PR, None, PAVLODAR, "draft", None),  # never filed: not an application
    (PR, _utc(2025, 2, 10, 12), None, "refused", "refused"),
]


def load(engine: Engine) -> None:
    """The hand-built dataset: a few rows per table whose KPIs are worked out by hand below."""
    now = _utc(2026, 1, 1)
    with engine.begin() as conn:
        conn.execute(
            insert(ExternalMigration),
            [
                dict(zip(("year", "month", "region", "arrivals", "departures", "arrivals_qualified"), r, strict=True))
                for r in FLOWS
            ],
        )
        conn.execute(
            insert(InterregionalMove),
            [
                dict(
                    zip(("year", "month", "origin_region", "destination_region", "category", "movers"), r, strict=True)
                )
                for r in MOVES
            ],
        )
        people = []
        for category, year, region, able, employed, n in FOLLOWUPS:
            for _ in range(n):
                people.append(
                    {
                        "person_ref": f"T{len(people):05d}",
                        "category": category,
                        "year_settled": year,
                        "region": region,
                        "able_bodied": able,
                        "employed": employed,
                        "observed_on": dt.date(2026, 1, 1),
                    }
                )
        conn.execute(insert(ResettlerFollowup), people)
        uid = conn.execute(
            insert(User)
            .values(
                username="kpi-owner", full_name="", role="applicant", password_hash="!", active=False, created_at=now
            )
            .returning(User.id)
        ).scalar_one()
        conn.execute(
            insert(Case),
            [
                {
                    "id": str(uuid.uuid4()),
                    "pack": pack,
                    "applicant_id": uid,
                    "status": status,
                    "profile": {},
                    "region": region,
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": submitted,
                    "outcome": outcome,
                    "version": 1,
                }
                for pack, submitted, region, status, outcome in CASES
            ],
        )


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection to the hand-built dataset; PostgreSQL's session zone is set far from UTC on purpose."""
    load(engine)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET TIME ZONE 'Asia/Almaty'"))
        yield connection


F = kpi.Filters


def test_net_external_migration(conn: Connection) -> None:
    every = kpi.net_external_migration(conn, F())
    assert (every.arrivals, every.departures, every.net) == (1150, 470, 680)
    assert [(r.year, r.month, r.arrivals, r.departures, r.net) for r in every.rows] == [
        (2024, None, 350, 120, 230),
        (2025, None, 800, 350, 450),
    ]
    year = kpi.net_external_migration(conn, F(2024))
    assert [(r.month, r.arrivals, r.departures, r.net) for r in year.rows] == [(1, 300, 50, 250), (2, 50, 70, -20)]
    assert year.net == 230
    assert kpi.net_external_migration(conn, F(2024, PAVLODAR)).net == 40
    assert kpi.net_external_migration(conn, F(None, PAVLODAR)).net == 240
    empty = kpi.net_external_migration(conn, F(2023))
    assert (empty.arrivals, empty.net, empty.rows) == (0, 0, ())


def test_qualified_share_against_the_2030_target(conn: Connection) -> None:
    q = kpi.qualified_share(conn, F(2025))
    assert (q.qualified, q.arrivals) == (685, 800)
    assert q.share == pytest.approx(0.85625)
    assert q.target.value == 0.95 and q.target.year == 2030
    assert q.gap_points == pytest.approx(-9.375)
    pav = kpi.qualified_share(conn, F(2024, PAVLODAR))
    assert pav.share == pytest.approx(80 / 150)
    assert [r.qualified_share for r in pav.rows] == [pytest.approx(0.6), pytest.approx(0.4)]
    assert kpi.qualified_share(conn, F(2023)).share is None
    assert kpi.qualified_share(conn, F(2023)).gap_points is None


def test_north_share_uses_each_years_labour_deficit_list(conn: Connection) -> None:
    every = kpi.north_share(conn, F())
    assert (every.movers, every.to_deficit) == (390, 115)
    assert [(r.year, r.movers, r.to_deficit) for r in every.rows] == [(2022, 40, 10), (2024, 150, 30), (2025, 200, 75)]
    y2024 = kpi.north_share(conn, F(2024))
    assert y2024.share == pytest.approx(0.2)
    assert [(r.month, r.movers, r.to_deficit) for r in y2024.rows] == [(1, 100, 30), (6, 50, 0)]
    from_almaty = kpi.north_share(conn, F(2025, ALMATY))  # region = where they left
    assert (from_almaty.movers, from_almaty.to_deficit, from_almaty.share) == (50, 50, 1.0)
    assert kpi.north_share(conn, F(2025, PAVLODAR)).share is None  # nobody left Pavlodar
    (l2022,) = kpi.north_share(conn, F(2022)).lists
    assert l2022.substituted and l2022.as_of == dt.date(2024, 1, 1)
    assert ATYRAU not in labour_deficit(2024).regions and ATYRAU in labour_deficit(2025).regions
    assert not labour_deficit(2025).substituted


def test_employment_of_able_bodied_resettlers_and_kandas(conn: Connection) -> None:
    every = kpi.employment(conn, F())
    assert (every.able_bodied, every.employed) == (10, 7)
    assert every.rate == pytest.approx(0.7) and every.gap_points == pytest.approx(-30.0)
    assert every.target.value == 1.0
    assert [(r.year, r.category, r.able_bodied, r.employed) for r in every.rows] == [
        (2024, "kandas", 4, 3),
        (2024, "resettler", 2, 2),
        (2025, "resettler", 4, 2),
    ]
    resettlers = every.by_category("resettler")
    assert (resettlers.able_bodied, resettlers.employed) == (6, 4)
    pav = kpi.employment(conn, F(None, PAVLODAR))
    assert (pav.able_bodied, pav.employed) == (8, 5)
    y2024 = kpi.employment(conn, F(2024))
    assert (y2024.able_bodied, y2024.employed) == (6, 5)
    assert kpi.employment(conn, F(2023)).rate is None


def test_applications_and_approval_rates_by_month_pack_and_region(conn: Connection) -> None:
    a = kpi.applications(conn, F(2025))
    assert [(r.key, r.pack, r.applications, r.decided, r.approved) for r in a.by_month] == [
        ("2025-01", KANDAS, 1, 1, 1),
        ("2025-01", PR, 2, 2, 1),
        ("2025-02", PR, 2, 1, 0),
    ]
    assert (a.applications, a.decided, a.approved) == (5, 4, 2)
    assert a.approval_rate == pytest.approx(0.5)
    assert [(r.key, r.pack, r.applications, r.decided, r.approved, r.refused) for r in a.by_region] == [
        ("", PR, 1, 1, 0, 1),
        (PAVLODAR, PR, 3, 2, 1, 1),
        (ALMATY, KANDAS, 1, 1, 1, 0),
    ]
    pav = kpi.applications(conn, F(2025, PAVLODAR))
    assert [(r.key, r.applications, r.decided, r.approved) for r in pav.by_month] == [
        ("2025-01", 2, 2, 1),
        ("2025-02", 1, 0, 0),
    ]
    assert pav.pack_total(PR).approval_rate == pytest.approx(0.5)
    assert [(r.key, r.pack) for r in kpi.applications(conn, F(2024)).by_month] == [("2024-12", KANDAS)]
    assert kpi.applications(conn, F()).applications == 6  # the draft is not an application
    assert kpi.applications(conn, F(2023)).approval_rate is None


def test_available_years_and_the_whole_dashboard(conn: Connection) -> None:
    assert kpi.available_years(conn) == (2025, 2024, 2022)
    d = kpi.dashboard(conn, F(2024, PAVLODAR))
    assert d.filters == F(2024, PAVLODAR)
    assert (d.net_migration.net, d.qualified.qualified, d.employment.employed) == (40, 80, 3)
    assert d.north.movers == 0 and d.applications.applications == 1


# --- reference figures --------------------------------------------------------------------------


def test_reference_figures_are_the_notes_figures_with_their_sources() -> None:
    net = {f.year: f for f in series(Indicator.net_external_migration)}
    assert {y: f.value for y, f in net.items()} == {2022: -6946, 2023: 9293, 2024: 16550, 2025: 16153}
    assert net[2022].sources == ("https://liter.kz/skolko-kazakhstantsev-uekhali-iz-strany-v-2022-godu-1676002468/amp",)
    assert "https://rus.baq.kz/saldo-vneshney-migratsii-v-kazahstane-vyroslo-do-161-tys-chelovek-320015900/" in (
        net[2025].sources
    )
    for year in YEARS:  # arrivals − departures = net, as published
        arrivals, departures = figure(Indicator.external_arrivals, year), figure(Indicator.external_departures, year)
        assert arrivals and departures and arrivals.value and departures.value
        assert arrivals.value - departures.value == net[year].value
    for indicator in Indicator:  # one figure per year and indicator, absent ones included
        assert [f.year for f in series(indicator)] == list(YEARS)
    assert all(f.absent for f in series(Indicator.qualified_share) + series(Indicator.resettler_employment))
    north = figure(Indicator.north_share, 2025)
    assert north and north.value == 0.147 and north.sources == (PRODUCT_BRIEF,) and not north.published
    assert all(f.published for f in REFERENCE if f.value is not None and f.indicator is not Indicator.north_share)
    assert TARGETS[Indicator.qualified_share].sources == (
        "https://caspianpost.com/kazakhstan/what-kazakhstan-s-new-migration-strategy-focuses-on",
    )


# --- synthetic monitoring data --------------------------------------------------------------------

UNTIL = dt.date(2026, 5, 20)


@pytest.fixture(scope="module")
def data() -> Any:
    return generate_monitoring(42, years=range(2022, 2027), until=UNTIL)


def test_generated_monitoring_is_seeded(data: Any) -> None:
    again = generate_monitoring(42, years=range(2022, 2027), until=UNTIL)
    assert again.flows.equals(data.flows) and again.moves.equals(data.moves)
    assert again.followups.equals(data.followups)
    other = generate_monitoring(43, years=range(2022, 2027), until=UNTIL)
    assert not other.flows.equals(data.flows)


def test_generated_monitoring_is_calibrated_on_the_notes(data: Any) -> None:
    flows = data.flows
    for year in YEARS:
        rows = flows.filter(pc.equal(flows["year"], year))
        net = pc.sum(rows["arrivals"]).as_py() - pc.sum(rows["departures"]).as_py()
        official = figure(Indicator.net_external_migration, year)
        assert official and official.value is not None
        assert abs(net - official.value) < 0.1 * abs(official.value) + 500, year
    assert pc.all(pc.less_equal(flows["arrivals_qualified"], flows["arrivals"])).as_py()
    this_year = flows.filter(pc.equal(flows["year"], 2026))
    assert pc.max(this_year["month"]).as_py() == 5  # nothing after the follow-up date
    assert set(flows["region"].to_pylist()) == set(KATO_CODES)

    moves = data.moves.filter(pc.equal(data.moves["year"], 2025))
    deficit = pc.is_in(moves["destination_region"], value_set=pa_strings(labour_deficit(2025).regions))
    north = pc.sum(pc.if_else(deficit, moves["movers"], 0)).as_py() / pc.sum(moves["movers"]).as_py()
    assert north == pytest.approx(0.147, abs=0.003)
    assert pc.sum(data.moves.filter(pc.equal(data.moves["year"], 2024))["movers"]).as_py() == pytest.approx(
        689_500, rel=0.08
    )
    assert not pc.any(pc.equal(data.moves["origin_region"], data.moves["destination_region"])).as_py()

    people = data.followups
    assert not pc.any(pc.and_(pc.invert(people["able_bodied"]), people["employed"])).as_py()
    assert len(set(people["person_ref"].to_pylist())) == people.num_rows
    settled = set(people["region"].to_pylist())
    assert settled <= set(labour_deficit(2025).regions) | set(labour_deficit(2025, kandas=True).regions)


def pa_strings(values: tuple[str, ...]) -> Any:
    import pyarrow as pa

    return pa.array(values, pa.string())


def test_route_probabilities_hit_the_share_and_never_stay() -> None:
    p = route_probabilities(2025, 0.2)
    assert p.sum() == pytest.approx(1.0)
    assert np.all(np.diag(p) == 0)
    deficit = np.isin(np.array(KATO_CODES), labour_deficit(2025).regions)
    assert p[:, deficit].sum() == pytest.approx(0.2, abs=1e-6)


def test_the_plan_files_nothing_before_a_pack_starts_or_after_now() -> None:
    now = _utc(2026, 6, 30, 12)
    starts = {PR: dt.date(2026, 2, 13)}
    packs = [PR] * 50 + [KANDAS] * 50
    plan = plan_decisions(packs, 5, year=2026, now=now, starts=starts)
    when = plan["submitted_at"].to_pylist()
    assert all(_utc(2026, 2, 13) <= t < now for t in when[:50])
    assert all(_utc(2026, 1, 1) <= t < now for t in when[50:])
    assert plan.equals(plan_decisions(packs, 5, year=2026, now=now, starts=starts))
    before = plan_decisions([PR], 5, year=2025, now=now, starts=starts)  # the pack did not exist in 2025
    assert before["submitted_at"].to_pylist() == [None]


# --- the demo seed and the migration ------------------------------------------------------------


def test_seed_monitoring_is_idempotent_and_replays_decisions_through_the_service(engine: Engine) -> None:
    sessions = make_sessionmaker(engine)
    now = _utc(2026, 4, 15, 12)
    first = seed_monitoring(sessions, seed=3, year=2026, now=now, cases=12)
    assert first["migration_flows"] == 20 * (12 * 4 + 4)
    history = sum(v for k, v in first.items() if k.startswith("history "))
    assert history == 12
    counts = {m: _count(engine, m) for m in (ExternalMigration, InterregionalMove, ResettlerFollowup, Case)}
    again = seed_monitoring(sessions, seed=3, year=2026, now=now, cases=12)
    assert again == {"monitoring rows already present": 20 * 52, "decided history already present": 12}
    assert {m: _count(engine, m) for m in counts} == counts
    with sessions() as session:
        assert verify(session).ok  # every replayed step went through the audit chain
        submitted = session.execute(select(func.min(Case.submitted_at), func.max(Case.submitted_at))).one()
        assert submitted[0].year == 2026 and submitted[1].replace(tzinfo=UTC) <= now
    with engine.connect() as conn:
        assert kpi.applications(conn, F(2026)).applications == 12
        assert kpi.net_external_migration(conn, F(2025)).net == pytest.approx(16_153, rel=0.1)


def _count(engine: Engine, model: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_migration_0002_matches_the_models_and_downgrades(engine: Engine) -> None:
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    cfg = migrate.config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    tables = set(inspect(engine).get_table_names())
    assert not tables & {"migration_flows", "interregional_moves", "resettler_followups"}
    assert "cases" in tables
    migrate.upgrade(engine)
    assert {"migration_flows", "interregional_moves", "resettler_followups"} <= set(inspect(engine).get_table_names())
