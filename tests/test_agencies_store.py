"""The agency registry service on SQLite and PostgreSQL: who sees what, status, reports, complaints, sanctions,
risk, the audit chain, and synthetic data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from koshi.store import agencies as store
from koshi.store.agencies import AgencyError
from koshi.store.cases import Actor
from koshi.store.db import make_sessionmaker, transaction
from koshi.store.models import AuditRecord, User
from koshi.synth import agencies as synth

NOW = dt.datetime(2026, 6, 1, 6, tzinfo=dt.UTC)  # 11:00 in Astana
TODAY = dt.date(2026, 6, 1)
BIN = "971240001315"
FOUNDERS = [{"name": "Aigul Sadyk", "iin": "791028302728", "share": 60}, {"name": "Nurlan Omarov", "share": 40}]
ADDRESSES = [{"kind": "legal", "address": "Abay ave 1, Astana", "region_kato": "710000000"}]


@dataclass
class World:
    engine: Engine
    inspector: Actor
    supervisor: Actor
    analyst: Actor
    agency: Actor
    other_agency: Actor
    seeker: Actor
    other_seeker: Actor

    @contextmanager
    def session(self) -> Iterator[Session]:
        with transaction(make_sessionmaker(self.engine)) as session:
            yield session

    def do(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self.session() as session:
            return fn(session, *args, **kwargs)


@pytest.fixture
def world(engine: Engine) -> World:
    ids = {}
    with transaction(make_sessionmaker(engine)) as session:
        for name, role in (
            ("inspector", "inspector"),
            ("supervisor", "supervisor"),
            ("analyst", "analyst"),
            ("agency", "agency"),
            ("other_agency", "agency"),
            ("seeker", "applicant"),
            ("other_seeker", "applicant"),
        ):
            user = User(username=name.replace("_", "-"), full_name="", role=role, password_hash="x", created_at=NOW)
            session.add(user)
            session.flush()
            ids[name] = Actor(user.id, role)
    return World(engine, **ids)


def notify(w: World, actor: Actor | None, number: str = BIN, **changes: Any) -> store.AgencyView:
    values: dict[str, Any] = {
        "bin": number,
        "name": "Steppe Careers LLP",
        "activity": "both",
        "region_kato": "710000000",
        "founders": FOUNDERS,
        "addresses": ADDRESSES,
        **changes,
    }
    return w.do(store.notify, actor, **values, now=NOW)  # type: ignore[no-any-return]


def old_agency(w: World, notified_on: dt.date = dt.date(2024, 1, 15), owner: Actor | None = None) -> str:
    """An agency notified long ago by the system, activated, bound to ``owner``."""
    view = w.do(store.notify, None, bin=BIN, name="Steppe Careers LLP", activity="both", region_kato="710000000",
                founders=FOUNDERS, addresses=ADDRESSES, now=NOW, notified_on=notified_on)  # fmt: skip
    w.do(store.change_status, None, view.id, "activate", now=NOW, on=notified_on + dt.timedelta(days=5))
    if owner is not None:
        w.do(store.bind_owner, None, view.id, owner.id, NOW)
    return str(view.id)


def audit_actions(w: World) -> list[str]:
    with w.session() as session:
        return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)))


# --- notification --------------------------------------------------------------------------------------


def test_an_agency_notifies_itself_and_sees_only_its_own(world: World) -> None:
    view = notify(world, world.agency)
    assert (view.status, view.status_since, view.notified_on) == ("notified", TODAY, TODAY)
    assert [f.iin_masked for f in view.founders] == ["**********28", None]
    assert [e.action for e in view.history] == ["notify"]
    assert view.allowed_actions == ()
    assert [r.code for r in view.risk.reasons] == ["new_agency"]
    mine = world.do(store.my_agency, world.agency, NOW)
    assert mine is not None and mine.id == view.id
    assert world.do(store.my_agency, world.other_agency, NOW) is None
    with pytest.raises(AgencyError) as err:
        world.do(store.agency, world.other_agency, view.id, NOW)
    assert err.value.status == 403
    assert world.do(store.agency, world.inspector, view.id, NOW).allowed_actions == ("activate", "revoke")
    assert world.do(store.agency, world.supervisor, view.id, NOW).id == view.id
    for role in (world.analyst, world.seeker):
        with pytest.raises(AgencyError) as err:
            world.do(store.agency, role, view.id, NOW)
        assert err.value.status == 403
    assert audit_actions(world) == ["agency.notify", "agency.read", "agency.read", "agency.read"]


BAD_NOTIFICATIONS: list[tuple[dict[str, Any], str]] = [
    ({"bin": "971240001316"}, "bin"),
    ({"bin": "97124000131"}, "bin"),
    ({"name": " "}, "name"),
    ({"activity": "everywhere"}, "activity"),
    ({"region_kato": "999999999"}, "region_kato"),
    ({"founders": []}, "founders"),
    ({"founders": [{"name": "A B", "iin": "791028302729"}]}, "founders[0].iin"),
    ({"founders": [{"name": "A B", "share": 120}]}, "founders[0].share"),
    ({"founders": [{"name": "A B", "share": 70}, {"name": "C D", "share": 40}]}, "founders"),
    ({"addresses": [{"kind": "office", "address": "Abay ave 1", "region_kato": "710000000"}]}, "addresses"),
    ({"addresses": [{"kind": "legal", "address": "Abay ave 1", "region_kato": "1"}]}, "addresses[0].region_kato"),
]


def test_bad_notifications_name_the_field_and_never_the_iin(world: World) -> None:
    for changes, field in BAD_NOTIFICATIONS:
        with pytest.raises(AgencyError) as err:
            notify(world, world.agency, **changes)
        assert (err.value.status, err.value.field) == (422, field), changes
        assert "79102830272" not in err.value.message
    assert world.do(store.my_agency, world.agency, NOW) is None


def test_one_agency_per_bin_and_per_account(world: World) -> None:
    notify(world, world.agency)
    with pytest.raises(AgencyError) as err:
        notify(world, world.inspector)
    assert (err.value.status, err.value.field) == (409, "bin")
    with pytest.raises(AgencyError) as err:
        notify(world, world.agency, number="180440652228")
    assert err.value.status == 409
    inspector_made = notify(world, world.inspector, number="180440652228")
    assert world.do(store.my_agency, world.other_agency, NOW) is None
    with pytest.raises(AgencyError) as err:
        notify(world, world.seeker, number="190340000011")
    assert err.value.status == 403
    world.do(store.bind_owner, world.inspector, inspector_made.id, world.other_agency.id, NOW)
    assert world.do(store.my_agency, world.other_agency, NOW).id == inspector_made.id


# --- status ------------------------------------------------------------------------------------------


def test_status_changes_by_inspectors_with_history_and_refusals(world: World) -> None:
    aid = notify(world, world.agency).id
    with pytest.raises(AgencyError) as err:
        world.do(store.change_status, world.agency, aid, "activate", now=NOW)
    assert err.value.status == 403
    view = world.do(store.change_status, world.inspector, aid, "activate", now=NOW)
    assert view.status == "active"
    with pytest.raises(AgencyError) as err:
        world.do(store.change_status, world.inspector, aid, "suspend", reason="short", now=NOW)
    assert (err.value.status, err.value.field) == (422, "reason")
    view = world.do(
        store.change_status, world.inspector, aid, "suspend", reason="documents withheld from seekers", now=NOW
    )
    with pytest.raises(AgencyError) as err:
        world.do(store.change_status, world.inspector, aid, "activate", now=NOW)
    assert (err.value.status, err.value.allowed) == (409, ("reinstate", "revoke", "expire"))
    with pytest.raises(AgencyError) as err:
        world.do(store.change_status, world.inspector, aid, "explode", now=NOW)
    assert (err.value.status, err.value.field) == (422, "action")
    view = world.do(store.agency, world.inspector, aid, NOW)
    assert [(e.action, e.before, e.after) for e in view.history] == [
        ("notify", None, "notified"),
        ("activate", "notified", "active"),
        ("suspend", "active", "suspended"),
    ]
    assert view.history[-1].reason == "documents withheld from seekers"
    assert view.history[-1].at.tzinfo is not None
    assert "agency.suspend" in audit_actions(world)


# --- reports -----------------------------------------------------------------------------------------


def report(w: World, actor: Actor | None, aid: str, q: tuple[int, int], **changes: Any) -> store.ReportView:
    values = {"placed_domestic": 10, "placed_abroad": 5, "job_seekers_served": 40, "seeker_fees_tenge": 0, **changes}
    return w.do(store.file_report, actor, aid, year=q[0], quarter=q[1], **values, now=NOW)  # type: ignore[no-any-return]


def test_reports_late_at_the_boundary_and_refused_when_wrong(world: World) -> None:
    aid = old_agency(world, owner=world.agency)
    on_time = report(world, None, aid, (2025, 4), filed_on=dt.date(2026, 1, 20))
    late = report(world, None, aid, (2025, 3), filed_on=dt.date(2025, 10, 21))
    assert (on_time.late, on_time.due_on, late.late) == (False, dt.date(2026, 1, 20), True)
    mine = report(world, world.agency, aid, (2026, 1), filed_on=dt.date(2026, 4, 1))  # an agency cannot backdate
    assert (mine.filed_on, mine.late) == (TODAY, True)
    fee = report(world, world.agency, aid, (2025, 2), seeker_fees_tenge=15_000)
    assert fee.fee_flag
    bad = [
        ((2026, 2), {}, 422, "quarter"),  # still running on 1 June
        ((2023, 4), {}, 422, "quarter"),  # before the agency was notified
        ((2025, 4), {}, 409, "quarter"),  # already filed
        ((2025, 1), {"placed_domestic": -1}, 422, "placed_domestic"),
        ((2025, 1), {"placed_domestic": 50}, 422, "job_seekers_served"),
        ((2025, 5), {}, 422, "quarter"),
    ]
    for q, changes, status, field in bad:
        with pytest.raises(AgencyError) as err:
            report(world, world.agency, aid, q, **changes)
        assert (err.value.status, err.value.field) == (status, field), q
    with pytest.raises(AgencyError) as err:
        report(world, world.other_agency, aid, (2025, 1))
    assert err.value.status == 403
    view = world.do(store.agency, world.inspector, aid, NOW)
    assert [(r.year, r.quarter) for r in view.reports] == [(2026, 1), (2025, 4), (2025, 3), (2025, 2)]
    assert view.fee_rule_flag
    assert {r.code for r in view.risk.reasons} >= {"late_report", "seeker_fees_declared"}


# --- complaints --------------------------------------------------------------------------------------


def test_seekers_file_complaints_and_see_only_their_own(world: World) -> None:
    aid = old_agency(world, owner=world.agency)
    c = world.do(
        store.add_complaint, world.seeker, aid, received_on=dt.date(2020, 1, 1), kind="false_vacancy",
        paid_amount_tenge=40_000, summary="Paid for a job that did not exist", now=NOW,
    )  # fmt: skip
    assert (c.received_on, c.status, c.fee_flag, c.filed_by_seeker) == (TODAY, "open", True, True)
    other = world.do(
        store.add_complaint, world.inspector, aid, received_on=dt.date(2026, 5, 2), kind="no_contract",
        paid_amount_tenge=None, summary="Placed without a written contract", now=NOW,
    )  # fmt: skip
    assert (other.fee_flag, other.filed_by_seeker) == (False, False)
    assert [x.id for x in world.do(store.my_complaints, world.seeker, NOW)] == [c.id]
    assert world.do(store.my_complaints, world.other_seeker, NOW) == []
    assert world.do(store.complaint, world.seeker, c.id, NOW).id == c.id
    for actor, status in ((world.other_seeker, 403), (world.other_agency, 403)):
        with pytest.raises(AgencyError) as err:
            world.do(store.complaint, actor, c.id, NOW)
        assert err.value.status == status
    assert world.do(store.complaint, world.agency, c.id, NOW).id == c.id  # the agency sees complaints about it
    with pytest.raises(AgencyError) as err:
        world.do(store.add_complaint, world.agency, aid, received_on=TODAY, kind="other", paid_amount_tenge=None,
                 summary="complaining about myself", now=NOW)  # fmt: skip
    assert err.value.status == 403
    for kwargs, field in (
        ({"kind": "rude"}, "kind"),
        ({"summary": "short"}, "summary"),
        ({"paid_amount_tenge": -5}, "paid_amount_tenge"),
        ({"received_on": dt.date(2026, 6, 2)}, "received_on"),
    ):
        values: dict[str, Any] = {"received_on": TODAY, "kind": "other", "paid_amount_tenge": None,
                                  "summary": "A complaint long enough", **kwargs}  # fmt: skip
        with pytest.raises(AgencyError) as err:
            world.do(store.add_complaint, world.inspector, aid, **values, now=NOW)
        assert (err.value.status, err.value.field) == (422, field)
    with pytest.raises(AgencyError) as err:
        world.do(store.add_complaint, world.seeker, "no-such-agency", received_on=TODAY, kind="other",
                 paid_amount_tenge=None, summary="A complaint long enough", now=NOW)  # fmt: skip
    assert err.value.status == 404

    before = world.do(store.agency, world.inspector, aid, NOW).risk
    resolved = world.do(store.resolve_complaint, world.inspector, c.id, status="substantiated", now=NOW)
    assert resolved.status == "substantiated"
    after = world.do(store.agency, world.inspector, aid, NOW).risk
    assert after.score == before.score - 5 + 25  # one open complaint fewer, one substantiated fee more
    with pytest.raises(AgencyError) as err:
        world.do(store.resolve_complaint, world.inspector, c.id, status="substantiated", now=NOW)
    assert err.value.status == 409
    with pytest.raises(AgencyError) as err:
        world.do(store.resolve_complaint, world.seeker, c.id, status="unfounded", now=NOW)
    assert err.value.status == 403
    world.do(store.resolve_complaint, world.inspector, c.id, status="unfounded", now=NOW)
    assert not world.do(store.agency, world.inspector, aid, NOW).fee_rule_flag


# --- inspections, violations, sanctions ----------------------------------------------------------------


def test_inspections_violations_and_sanctions_change_status_and_risk(world: World) -> None:
    aid = old_agency(world)
    planned = world.do(
        store.plan_inspection, world.inspector, aid, planned_on=dt.date(2026, 6, 10), reason="risk", now=NOW
    )
    assert (planned.done_on, planned.outcome) == (None, None)
    with pytest.raises(AgencyError) as err:
        world.do(store.record_inspection, world.inspector, aid, done_on=dt.date(2026, 6, 2), outcome="violations",
                 inspection_id=planned.id, now=NOW)  # fmt: skip
    assert (err.value.status, err.value.field) == (422, "done_on")
    done = world.do(store.record_inspection, world.inspector, aid, done_on=TODAY, outcome="violations",
                    findings="Fees taken", inspection_id=planned.id, now=NOW)  # fmt: skip
    assert (done.id, done.done_on, done.reason) == (planned.id, TODAY, "risk")
    with pytest.raises(AgencyError) as err:
        world.do(store.record_inspection, world.inspector, aid, done_on=TODAY, outcome="compliant",
                 inspection_id=planned.id, now=NOW)  # fmt: skip
    assert err.value.status == 409
    v = world.do(store.add_violation, world.inspector, aid, code="seeker_fee", found_on=TODAY,
                 description="Took 50 000 tenge from seekers", inspection_id=done.id, now=NOW)  # fmt: skip
    with pytest.raises(AgencyError) as err:
        world.do(store.add_violation, world.inspector, aid, code="bad_code", found_on=TODAY,
                 description="Something went wrong", now=NOW)  # fmt: skip
    assert (err.value.status, err.value.field) == (422, "code")
    for kwargs, field in (
        ({"kind": "fine"}, "amount_mrp"),
        ({"kind": "fine", "amount_mrp": 0}, "amount_mrp"),
        ({"kind": "warning", "amount_mrp": 10}, "amount_mrp"),
        ({"kind": "suspension"}, "until"),
        ({"kind": "suspension", "until": TODAY}, "until"),
        ({"kind": "jail"}, "kind"),
    ):
        with pytest.raises(AgencyError) as err:
            world.do(store.impose_sanction, world.inspector, v.id, **kwargs, now=NOW)
        assert (err.value.status, err.value.field) == (422, field), kwargs
    fine = world.do(store.impose_sanction, world.inspector, v.id, kind="fine", amount_mrp=100, now=NOW)
    assert (fine.amount_mrp, fine.imposed_on) == (100, TODAY)
    world.do(store.impose_sanction, world.inspector, v.id, kind="suspension", until=dt.date(2026, 9, 1), now=NOW)
    view = world.do(store.agency, world.inspector, aid, NOW)
    assert view.status == "suspended"
    assert view.history[-1].reason is not None and "until 2026-09-01" in view.history[-1].reason
    with pytest.raises(AgencyError) as err:  # suspended already
        world.do(store.impose_sanction, world.inspector, v.id, kind="suspension", until=dt.date(2026, 9, 1), now=NOW)
    assert (err.value.status, err.value.allowed) == (409, ("reinstate", "revoke", "expire"))
    points = {r.code: r.points for r in view.risk.reasons}
    assert points["open_violation"] == 10 and points["recent_sanction"] == 24
    world.do(store.remedy_violation, world.inspector, v.id, remedied_on=TODAY, now=NOW)
    assert "open_violation" not in {r.code for r in world.do(store.agency, world.inspector, aid, NOW).risk.reasons}
    world.do(store.impose_sanction, world.inspector, v.id, kind="revocation", now=NOW)
    assert world.do(store.agency, world.inspector, aid, NOW).status == "revoked"
    with pytest.raises(AgencyError) as err:
        world.do(store.impose_sanction, world.agency, v.id, kind="warning", now=NOW)
    assert err.value.status == 403


# --- lists, ranking, audit -----------------------------------------------------------------------------


def test_list_and_ranking_for_staff_and_analysts_only(world: World) -> None:
    risky = old_agency(world)
    world.do(store.add_complaint, world.inspector, risky, received_on=dt.date(2026, 2, 1), kind="fee_charged",
             paid_amount_tenge=10_000, summary="Charged for placement", now=NOW, status="substantiated")  # fmt: skip
    fresh = notify(world, world.agency, number="180440652228", name="Alem Job Centre LLP", activity="domestic")
    page, total = world.do(store.agencies, world.analyst, now=NOW)
    assert total == 2 and [s.id for s in page] == [risky, fresh.id]
    assert page[0].top_reason is not None and page[0].fee_rule_flag and page[0].reasons
    by_name, _ = world.do(store.agencies, world.supervisor, order="name", now=NOW)
    assert [s.name for s in by_name] == ["Alem Job Centre LLP", "Steppe Careers LLP"]
    only, n = world.do(store.agencies, world.inspector, status="notified", activity="domestic", now=NOW)
    assert n == 1 and only[0].id == fresh.id
    assert world.do(store.agencies, world.inspector, limit=1, offset=1, now=NOW)[0][0].id == fresh.id
    for kwargs, field in (({"status": "gone"}, "status"), ({"order": "bin"}, "order"), ({"limit": 0}, "limit")):
        with pytest.raises(AgencyError) as err:
            world.do(store.agencies, world.inspector, **kwargs, now=NOW)
        assert err.value.field == field
    ranked = world.do(store.inspection_ranking, world.analyst, TODAY, 10, NOW)
    assert [s.id for s in ranked] == [risky, fresh.id]
    assert ranked[0].risk_score == sum(r.points for r in ranked[0].reasons)
    assert world.do(store.inspection_ranking, world.inspector, dt.date(2024, 3, 1), 10, NOW)[0].id == risky
    assert [s.id for s in world.do(store.inspection_ranking, world.inspector, dt.date(2024, 1, 1), 10, NOW)] == []
    with pytest.raises(AgencyError) as err:
        world.do(store.inspection_ranking, world.inspector, dt.date(2015, 1, 1), 10, NOW)
    assert (err.value.status, err.value.field) == (422, "on")
    for actor in (world.agency, world.seeker):
        with pytest.raises(AgencyError) as err:
            world.do(store.agencies, actor, now=NOW)
        assert err.value.status == 403
        with pytest.raises(AgencyError):
            world.do(store.inspection_ranking, actor, TODAY, 10, NOW)
    assert [b.id for b in world.do(store.active_agencies, world.seeker)] == [risky]
    assert [b.id for b in world.do(store.find, world.seeker, q="alem")] == [fresh.id]
    assert [b.id for b in world.do(store.find, world.seeker, q="180440652228")] == [fresh.id]
    assert {"agency.list", "agency.ranking"} <= set(audit_actions(world))


def test_every_read_and_change_is_audited_with_the_agency_id(world: World) -> None:
    aid = old_agency(world, owner=world.agency)
    with world.session() as session:
        before = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    world.do(store.agency, world.agency, aid, NOW)
    report(world, world.agency, aid, (2026, 1))
    with world.session() as session:
        rows = list(session.scalars(select(AuditRecord).where(AuditRecord.seq > before).order_by(AuditRecord.seq)))
    assert [(r.action, r.case_id, r.actor_role) for r in rows] == [
        ("agency.read", aid, "agency"),
        ("agency.report", aid, "agency"),
    ]
    assert all("791028302728" not in (r.detail or "") for r in rows)


def test_synthetic_agencies_load_and_rank_the_bad_actors_first(world: World) -> None:
    with world.session() as session:
        counts = synth.seed(session, NOW, 5, count=24, owner_id=world.agency.id, seeker_id=world.seeker.id)
    data = synth.generate(5, TODAY, 24)
    assert counts["agencies"] == 24 and counts["reports"] == len(data.reports) > 0
    assert counts["complaints"] == len(data.complaints)
    with world.session() as session:
        assert synth.seed(session, NOW, 5, count=24) == {"agencies already present": 24}
    ranked = world.do(store.inspection_ranking, world.inspector, TODAY, 24, NOW)
    profile = {s.bin: data.profile[s.bin] for s in ranked}
    top = [profile[s.bin] for s in ranked[:3]]
    assert "bad" in top
    assert all(s.risk_score == round(sum(r.points for r in s.reasons), 1) for s in ranked)
    assert world.do(store.my_agency, world.agency, NOW) is not None
    assert world.do(store.my_complaints, world.seeker, NOW)
