"""Resettlement in the database: the family's lifecycle, quota, matching, support, follow-ups, access and audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from koshi.analytics import kpi
from koshi.resettle.policy import policy
from koshi.store import labour
from koshi.store import resettle as rs
from koshi.store.cases import Actor
from koshi.store.db import make_sessionmaker, transaction
from koshi.store.models import AuditRecord, User
from koshi.store.monitoring import InterregionalMove, ResettlerFollowup
from koshi.store.resettle import ResettleError
from tests.labour_data import bin_, iin

T = TypeVar("T")

NOW = dt.datetime(2026, 3, 10, 6, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)
NORTH, PAVLODAR, KARAGANDA, TURKISTAN = "590000000", "550000000", "350000000", "610000000"
PETROPAVL, PAVLODAR_CITY, KARAGANDA_CITY = "591010000", "551010000", "351010000"


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC)


@dataclass
class World:
    sessions: sessionmaker[Session]
    actors: dict[str, Actor]

    def __getattr__(self, name: str) -> Actor:
        try:
            return self.actors[name]
        except KeyError:
            raise AttributeError(name) from None

    def do(self, fn: Callable[[Session], T]) -> T:
        with transaction(self.sessions) as session:
            return fn(session)

    def apply(self, actor: Actor | None = None, **changes: Any) -> rs.FamilyView:
        kwargs: dict[str, Any] = {
            "category": "resettler",
            "head_iin": iin(1),
            "head_surname": "Abenov",
            "head_given_names": "Marat",
            "citizen": True,
            "kandas_status": False,
            "employment_status": "unemployed",
            "origin_kato": TURKISTAN,
            "registered_since": dt.date(2024, 1, 15),
            "graduate_programme": None,
            "graduated_on": None,
            "size": 4,
            "able_bodied": 2,
            "isco": "7213",
            "preferences": (NORTH,),
            "housing_certificate": False,
            "applied_on": dt.date(2026, 3, 1),
            "now": NOW,
        } | changes
        return self.do(lambda s: rs.apply(s, actor or self.officer, **kwargs))

    def act(self, family_id: str, action: str, actor: Actor | None = None, **kwargs: Any) -> rs.FamilyView:
        who = actor or (self.akimat if action in ("confirm", "arrive") else self.officer)
        now = kwargs.pop("now", NOW)
        return self.do(lambda s: rs.act(s, who, family_id, action, now=now, **kwargs))

    def vacancy(self, ref: str, settlement: str, *, isco: str = "7212", housing: int | None = None) -> rs.VacancyView:
        def put(s: Session) -> rs.VacancyView:
            if housing is not None:
                rs.put_housing(s, self.admin, ref=f"H-{ref}", settlement_kato=settlement, capacity=housing,
                               kind="employer", now=NOW)  # fmt: skip
            return rs.put_vacancy(
                s, self.admin, ref=ref, employer_bin=bin_(1), employer_name="Qazaq Steel", isco=isco,
                title="Welder", wage=350_000, settlement_kato=settlement,
                housing_ref=f"H-{ref}" if housing is not None else None, posted_on=TODAY, now=NOW,
            )  # fmt: skip

        return self.do(put)


ROLES = {
    "applicant": "applicant",
    "other_applicant": "applicant",
    "officer": "officer",
    "akimat": "akimat",
    "akimat_pavlodar": "akimat",
    "admin": "admin",
    "analyst": "analyst",
}


@pytest.fixture
def world(engine: Engine) -> World:
    sessions = make_sessionmaker(engine)
    actors: dict[str, Actor] = {}
    with transaction(sessions) as session:
        for name, role in ROLES.items():
            user = User(username=name, full_name="", role=role, password_hash="x", created_at=NOW)
            session.add(user)
            session.flush()
            actors[name] = Actor(user.id, role)
        labour.bind_akimat(session, None, actors["akimat"].id, NORTH, NOW)
        labour.bind_akimat(session, None, actors["akimat_pavlodar"].id, PAVLODAR, NOW)
        for kato, name in ((PETROPAVL, "Petropavl"), (PAVLODAR_CITY, "Pavlodar"), (KARAGANDA_CITY, "Karaganda")):
            rs.put_settlement(session, actors["admin"], kato=kato, name=name, rent_mrp=20, now=NOW)
    return World(sessions, actors)


def audit_rows(w: World, case_id: str) -> list[AuditRecord]:
    return w.do(lambda s: list(s.scalars(select(AuditRecord).where(AuditRecord.case_id == case_id))))


def test_full_lifecycle_from_application_to_settlement(world: World) -> None:
    v = world.vacancy("V-1", PETROPAVL, housing=6)
    world.vacancy("V-2", KARAGANDA_CITY)  # not among the family's preferences
    f = world.apply(world.applicant, ref="web-1", housing_certificate=True)
    assert f.state == "submitted" and f.eligible and f.number == "RS-2026-000001"
    assert f.head_iin_masked.endswith(iin(1)[-2:]) and iin(1) not in f.head_iin_masked
    assert f.allowed_actions == ("withdraw",)
    assert world.apply(world.applicant, ref="web-1").id == f.id  # idempotent by ref
    with pytest.raises(ResettleError) as info:
        world.apply(world.other_applicant, ref="web-1")
    assert info.value.status == 409 and info.value.field == "ref"

    assert world.act(f.id, "approve", reason="documents checked").state == "approved"
    run = world.do(lambda s: rs.run_matching(s, world.officer, year=2026, apply=True, now=NOW, time_limit=10))
    assert (run.families, run.placed_families, run.placed_persons, run.applied) == (1, 1, 4, True)
    assert run.objective >= run.greedy_objective and run.unmatched == {}
    f = world.do(lambda s: rs.family(s, world.akimat, f.id, now=NOW))
    assert f.state == "proposed" and f.placement is not None
    assert (f.placement.vacancy.id, f.placement.run_id, f.placement.region_kato) == (v.id, run.id, NORTH)
    assert f.placement.housing is not None and f.placement.housing.taken and f.placement.score > 0
    usage = {(u.region_kato, u.category): u for u in world.do(lambda s: rs.quota_usage(s, world.analyst, year=2026))}
    quota = policy(TODAY).quota_for(NORTH, "resettler")
    assert usage[(NORTH, "resettler")] == rs.QuotaUse(2026, NORTH, "resettler", quota, 0, 4, quota - 4)

    f = world.act(f.id, "confirm", contract_signed=True)
    assert f.state == "confirmed" and f.contract_signed_on == TODAY and f.contract_end == dt.date(2031, 3, 10)
    lines = {x.item: x for x in f.support}
    assert set(lines) >= {"relocation", "employer"} and "rent" not in lines  # the employer houses the family
    assert lines["relocation"].tenge == policy(TODAY).tenge(70 * 4) and lines["employer"].payee == "employer"
    assert all(x.basis and x.state == "due" for x in f.support)
    assert f.support_total_tenge == sum(x.tenge for x in f.support)
    with pytest.raises(ResettleError) as info:  # payable after arrival only
        world.do(lambda s: rs.pay(s, world.officer, lines["relocation"].id, paid_on=TODAY, now=NOW))
    assert info.value.status == 409

    arrived_on = dt.date(2026, 3, 20)
    f = world.act(f.id, "arrive", on=arrived_on, now=at(arrived_on))
    assert f.state == "arrived" and f.placement is not None and f.placement.arrived_on == arrived_on
    assert [(x.month, x.due_on) for x in f.followups] == [
        (3, dt.date(2026, 6, 20)), (6, dt.date(2026, 9, 20)), (12, dt.date(2027, 3, 20))
    ]  # fmt: skip
    moves = world.do(lambda s: [(m.year, m.month, m.origin_region, m.destination_region, m.category, m.movers)
                                for m in s.scalars(select(InterregionalMove))])  # fmt: skip
    assert moves == [(2026, 3, TURKISTAN, NORTH, "citizen", 4)]
    paid = world.do(lambda s: rs.pay(s, world.akimat, lines["relocation"].id, paid_on=arrived_on, now=at(arrived_on)))
    assert (paid.state, paid.paid_on) == ("paid", arrived_on)

    family_id, due = f.id, {x.month: x.due_on for x in f.followups}
    for month, status, employed in ((3, "unemployed", 0), (6, "employed", 1), (12, "employed", 2)):
        f = world.do(
            lambda s, m=month, st=status, e=employed: rs.record_followup(
                s, world.akimat, family_id, month=m, observed_on=due[m], status=st, able_bodied=2, employed=e,
                now=at(due[m]),
            )
        )  # fmt: skip
    assert f.state == "settled" and f.placement is not None and f.placement.state == "settled"
    assert [(x.month, x.status, x.employed) for x in f.followups] == [
        (3, "unemployed", 0), (6, "employed", 1), (12, "employed", 2)
    ]  # fmt: skip
    refs = world.do(lambda s: sorted((r.person_ref, r.region, r.year_settled, r.employed)
                                     for r in s.scalars(select(ResettlerFollowup))))  # fmt: skip
    assert refs == [("RS-2026-000001-1", NORTH, 2026, True), ("RS-2026-000001-2", NORTH, 2026, True)]
    with world.sessions() as s:
        kpis = kpi.employment(s.connection(), kpi.Filters(year=2026, region=NORTH))
        north = kpi.north_share(s.connection(), kpi.Filters(year=2026))
    assert (kpis.able_bodied, kpis.employed) == (2, 2)
    assert north.movers == 4 and north.to_deficit == 4

    summary = world.do(lambda s: rs.followup_summary(s, world.analyst, year=2026))
    assert [(x.month, x.recorded, x.able_bodied, x.employed) for x in summary] == [
        (3, 1, 2, 0),
        (6, 1, 2, 1),
        (12, 1, 2, 2),
    ]
    totals = {t.item: t for t in world.do(lambda s: rs.support_totals(s, world.analyst, year=2026))}
    assert totals["relocation"].paid_tenge == lines["relocation"].tenge and totals["employer"].paid_tenge == 0
    assert [e.action for e in f.history] == ["apply", "approve", "place", "confirm", "arrive", "followup", "followup",
                                             "settle"]  # fmt: skip

    rows = audit_rows(world, f.id)
    assert {"resettle.apply", "resettle.approve", "resettle.place", "resettle.read", "resettle.confirm",
            "resettle.arrive", "resettle.pay", "resettle.followup"} <= {r.action for r in rows}  # fmt: skip
    for r in rows:
        assert iin(1) not in (r.detail or "") and "Abenov" not in (r.detail or "") and "Marat" not in (r.detail or "")


def test_a_kandas_leaving_before_the_contract_ends_owes_a_repayment(world: World) -> None:
    v = world.vacancy("V-P", PAVLODAR_CITY)
    kandas: dict[str, Any] = {
        "category": "kandas", "citizen": False, "kandas_status": True, "employment_status": "none",
        "origin_kato": None, "registered_since": None, "preferences": (PAVLODAR,), "head_iin": iin(7),
    }  # fmt: skip
    f = world.apply(**kandas)
    assert f.state == "submitted", [(c.key, c.reason) for c in f.checks if not c.passed]
    world.act(f.id, "approve")
    f = world.act(f.id, "place", vacancy_id=v.id)
    assert f.state == "proposed" and f.placement is not None and f.placement.housing is None
    # the akimat of another region cannot confirm, nor see it
    with pytest.raises(ResettleError) as info:
        world.act(f.id, "confirm", actor=world.akimat, contract_signed=True)
    assert info.value.status == 403
    with pytest.raises(ResettleError) as info:
        world.do(lambda s: rs.family(s, world.akimat, f.id, now=NOW))
    assert info.value.status == 404
    f = world.act(f.id, "confirm", actor=world.akimat_pavlodar, contract_signed=True)
    lines = {x.item: x for x in f.support}
    assert lines["rent"].mrp == 20 * 12 and f.withheld_reason is None
    world.act(f.id, "arrive", actor=world.akimat_pavlodar, on=TODAY)
    assert world.do(lambda s: s.scalar(select(InterregionalMove.id))) is None  # came from abroad: no internal move
    for line in f.support:
        if line.payee == "family":
            world.do(lambda s, i=line.id: rs.pay(s, world.officer, i, paid_on=TODAY, now=NOW))
    paid = sum(x.tenge for x in f.support if x.payee == "family")
    left_on = dt.date(2026, 9, 1)
    f = world.act(f.id, "leave", actor=world.akimat_pavlodar, on=left_on, now=at(left_on))
    assert f.state == "left" and f.repayment_tenge == paid
    repay = next(x for x in f.support if x.item == "repayment")
    assert repay.state == "repayment_due" and repay.payee == "family"
    done = world.do(lambda s: rs.pay(s, world.officer, repay.id, paid_on=left_on, now=at(left_on)))
    assert done.state == "repaid"
    with pytest.raises(ResettleError) as info:
        world.do(lambda s: rs.pay(s, world.officer, repay.id, paid_on=left_on, now=at(left_on)))
    assert info.value.status == 409
    # a kandas who signs no contract gets no support in 2026
    g = world.apply(**(kandas | {"head_iin": iin(8)}))
    world.act(g.id, "approve")
    world.act(g.id, "place", vacancy_id=world.vacancy("V-P2", PAVLODAR_CITY).id)
    g = world.act(g.id, "confirm", actor=world.admin)
    assert g.support == () and g.withheld_reason and "contract" in g.withheld_reason


def test_an_exhausted_quota_refuses_placement_and_leaves_the_family_unmatched(world: World) -> None:
    quota = policy(TODAY).quota_for(KARAGANDA, "resettler")
    assert 20 < quota < 40  # the 2026 order: 37 persons
    first = world.vacancy("V-K1", KARAGANDA_CITY)
    second = world.vacancy("V-K2", KARAGANDA_CITY)
    a = world.apply(size=20, able_bodied=10, preferences=(KARAGANDA,))
    b = world.apply(size=20, able_bodied=10, preferences=(KARAGANDA,), head_iin=iin(2))
    for f in (a, b):
        world.act(f.id, "approve")
    world.act(a.id, "place", vacancy_id=first.id)
    with pytest.raises(ResettleError) as info:
        world.act(b.id, "place", vacancy_id=second.id)
    message = info.value.message
    assert info.value.status == 409 and message.startswith("quota exhausted")
    assert KARAGANDA in message and f"{quota - 20} resettler place(s) left" in message and "20 person(s)" in message
    with pytest.raises(ResettleError) as info:  # the filled vacancy
        world.act(b.id, "place", vacancy_id=first.id)
    assert info.value.status == 409
    run = world.do(lambda s: rs.run_matching(s, world.officer, year=2026, apply=False, now=NOW, time_limit=10))
    assert (run.families, run.placed_families, run.applied) == (1, 0, False)
    reasons = world.do(lambda s: rs.unmatched(s, world.officer, run.id))
    assert len(reasons) == 1 and reasons[0][0] == b.number and "quota" in reasons[0][1]
    assert world.do(lambda s: rs.unmatched(s, world.analyst, run.id)) == [("", reasons[0][1])]
    assert world.do(lambda s: rs.family(s, world.officer, b.id, now=NOW)).state == "approved"
    # declining frees the quota and the vacancy
    world.act(a.id, "decline", actor=world.admin, reason="the employer withdrew the offer")
    assert world.act(b.id, "place", vacancy_id=first.id).state == "proposed"
    assert [r.id for r in world.do(lambda s: rs.match_runs(s, world.analyst, year=2026))] == [run.id]


def test_a_family_larger_than_any_housing_is_not_placed(world: World) -> None:
    v = world.vacancy("V-1", PETROPAVL, housing=6)
    f = world.apply(size=9, able_bodied=3)
    world.act(f.id, "approve")
    with pytest.raises(ResettleError) as info:
        world.act(f.id, "place", vacancy_id=v.id)
    assert info.value.status == 409
    assert info.value.message == "family of 9 does not fit the housing of this vacancy (takes 6)"
    run = world.do(lambda s: rs.run_matching(s, world.officer, year=2026, apply=True, now=NOW, time_limit=10))
    assert run.placed_families == 0 and sum(run.unmatched.values()) == 1
    (reason,) = run.unmatched
    assert "9" in reason and "6" in reason and "housing" in reason
    open_ = world.do(lambda s: rs.vacancies(s, world.akimat, region_kato=NORTH, open_only=True))
    assert [x.id for x in open_] == [v.id] and open_[0].housing is not None and not open_[0].housing.taken


def test_failed_checks_refusals_and_withdrawal(world: World) -> None:
    f = world.apply(registered_since=dt.date(2025, 9, 1))
    assert f.state == "checks_failed" and not f.eligible
    assert [c.key for c in f.checks if not c.passed] == ["registration"]
    with pytest.raises(ResettleError) as info:
        world.act(f.id, "approve")
    assert info.value.status == 409 and info.value.allowed == ("refuse", "recheck", "withdraw")
    with pytest.raises(ResettleError) as info:
        world.act(f.id, "refuse", reason="  ")
    assert (info.value.status, info.value.field) == (422, "reason")
    with pytest.raises(ResettleError) as info:
        world.act(f.id, "confirm", actor=world.akimat)
    assert info.value.status in (404, 403)  # an unplaced family is not the bound akimat's
    f = world.act(f.id, "refuse", reason="registered in the origin region for less than 12 months")
    assert f.state == "refused" and f.decision_reason and f.allowed_actions == ()
    g = world.apply(world.applicant, head_iin=iin(3))
    assert world.act(g.id, "withdraw", actor=world.applicant).state == "withdrawn"
    with pytest.raises(ResettleError) as info:
        world.act(g.id, "frobnicate")
    assert (info.value.status, info.value.field) == (422, "action")


def test_an_applicant_sees_only_its_own_families(world: World) -> None:
    mine = world.apply(world.applicant)
    other = world.apply(world.other_applicant, head_iin=iin(4))
    assert mine.id != other.id
    own, total = world.do(lambda s: rs.families(s, world.applicant))
    assert ([x.id for x in own], total) == ([mine.id], 1)
    with pytest.raises(ResettleError) as info:
        world.do(lambda s: rs.family(s, world.applicant, other.id, now=NOW))
    assert info.value.status == 404 and iin(4) not in info.value.message
    with pytest.raises(ResettleError) as info:
        world.act(other.id, "withdraw", actor=world.applicant)
    assert info.value.status == 404
    everyone, total = world.do(lambda s: rs.families(s, world.officer, year=2026, state="submitted"))
    assert total == 2 and [x.number for x in everyone] == [mine.number, other.number]
    with pytest.raises(ResettleError) as info:
        world.do(lambda s: rs.families(s, world.analyst))
    assert info.value.status == 403
    bound, total = world.do(lambda s: rs.families(s, world.akimat))  # nothing placed in its region yet
    assert (bound, total) == ([], 0)


def test_bad_input_names_the_field_and_never_the_iin(world: World) -> None:
    bad = iin(5)[:-1] + str((int(iin(5)[-1]) + 1) % 10)
    with pytest.raises(ResettleError) as info:
        world.apply(head_iin=bad)
    assert (info.value.status, info.value.field) == (422, "head_iin") and bad not in info.value.message
    for field, value in (("category", "tourist"), ("origin_kato", "123"), ("isco", "72"), ("size", 0),
                         ("preferences", ("999999999",)), ("applied_on", dt.date(2023, 6, 1))):  # fmt: skip
        with pytest.raises(ResettleError) as info:
            world.apply(**{field: value})
        assert (info.value.status, info.value.field) == (422, field), field
    with pytest.raises(ResettleError) as info:  # a bound akimat registers only in its region
        world.do(lambda s: rs.put_settlement(s, world.akimat, kato=KARAGANDA_CITY, name="K", rent_mrp=20, now=NOW))
    assert info.value.status == 403
    with pytest.raises(ResettleError) as info:
        world.do(lambda s: rs.put_settlement(s, world.akimat, kato=PETROPAVL, name="P", rent_mrp=99, now=NOW))
    assert (info.value.status, info.value.field) == (422, "rent_mrp")
    again = world.vacancy("V-1", PETROPAVL)
    assert world.vacancy("V-1", PETROPAVL).id == again.id  # upsert by ref
    assert [s.kato for s in world.do(lambda s: rs.settlements(s, world.analyst, open_only=True))] == [PETROPAVL]


def test_a_family_that_returns_home_has_left_and_without_a_contract_owes_nothing(world: World) -> None:
    v = world.vacancy("V-1", PETROPAVL)
    f = world.apply(size=3, able_bodied=3)
    world.act(f.id, "approve")
    world.act(f.id, "place", vacancy_id=v.id, actor=world.akimat)
    f = world.act(f.id, "confirm")
    assert f.contract_signed_on is None and {x.item for x in f.support} >= {"relocation", "rent"}
    world.act(f.id, "arrive", on=TODAY)
    with pytest.raises(ResettleError) as info:
        world.do(lambda s: rs.record_followup(s, world.akimat, f.id, month=4, observed_on=TODAY, status="employed",
                                              able_bodied=3, employed=1, now=NOW))  # fmt: skip
    assert (info.value.status, info.value.field) == (422, "month")
    day = dt.date(2026, 6, 10)
    f = world.do(lambda s: rs.record_followup(s, world.akimat, f.id, month=3, observed_on=day, status="returned",
                                              able_bodied=2, employed=0, now=at(day)))  # fmt: skip
    assert f.state == "left" and f.repayment_tenge == 0 and f.placement is not None and f.placement.state == "left"
    rows = world.do(lambda s: sorted((r.person_ref, r.able_bodied) for r in s.scalars(select(ResettlerFollowup))))
    assert rows == [("RS-2026-000001-1", True), ("RS-2026-000001-2", True)]
    assert world.do(lambda s: rs.vacancies(s, world.officer, open_only=True))[0].id == v.id  # the job is free again
    summary = world.do(lambda s: rs.followup_summary(s, world.akimat, year=2026))
    assert [(x.month, x.due, x.recorded, x.returned, x.breaches) for x in summary] == [
        (3, 1, 1, 1, 0), (6, 1, 0, 0, 0), (12, 1, 0, 0, 0)
    ]  # fmt: skip
