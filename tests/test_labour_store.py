"""Work permits in the database: facts gathered for the checks, the workflow, quota, fees, access and audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from koshi.labour.checks import Staff
from koshi.labour.fees import RateTable, quote
from koshi.labour.policy import Category, policy
from koshi.store import labour
from koshi.store.labour import LabourError, WorkPermit
from koshi.store.models import AuditRecord
from koshi.store.overstays import OverstayReason, StayStatus
from koshi.store.registry import RegistryPerson, TravelDocument
from tests.labour_data import ALMATY, ASTANA, NOW, TODAY, World, bin_, iin, make_world


@pytest.fixture
def world(engine: Engine) -> World:
    return make_world(engine)


def checks(view: labour.PermitView) -> dict[str, labour.CheckView]:
    return {c.key: c for c in view.checks}


def failed(view: labour.PermitView) -> set[str]:
    return {c.key for c in view.checks if not c.passed}


def test_a_clean_application_is_pending_with_every_check_passed(world: World) -> None:
    p = world.apply()
    assert p.state == "pending", [(c.key, c.reason) for c in p.checks if not c.passed]
    assert p.number == "WP-2026-000001"
    assert p.worker_iin_masked == "**********" + iin(1)[-2:]
    assert all(c.basis for c in p.checks if c.key in ("term", "vacancy_posted", "local_content"))
    rules = policy(TODAY)
    assert (p.policy_version, p.parameters_hash) == (rules.version_date, rules.parameters_hash)
    expected = quote(Category.category_3, "F", p.valid_from, p.valid_to, RateTable.of(rules), rules.mrp)
    assert (p.fee.tenge, p.fee.band, p.fee.group, p.fee.due_on) == (expected.tenge, expected.band, "c", None)
    assert p.fee.basis and p.allowed_actions == ("withdraw",)
    assert [(e.action, e.before, e.after) for e in p.history] == [("apply", None, "pending")]
    assert world.apply(worker_iin=iin(2)).number == "WP-2026-000002"


def test_the_audit_names_the_permit_and_never_the_worker(world: World) -> None:
    p = world.apply()
    world.do(lambda s: labour.permit(s, world.akimat, p.id, NOW))
    rows = world.do(lambda s: list(s.scalars(select(AuditRecord).where(AuditRecord.case_id == p.id))))
    assert [r.action for r in rows] == ["permit.apply", "permit.read"]
    for r in rows:
        assert iin(1) not in (r.detail or "") and "Wang" not in (r.detail or "")


def test_failed_checks_are_all_listed_and_a_recheck_after_the_fix_passes(world: World) -> None:
    world.do(
        lambda s: labour.post_vacancy(
            s, world.employer, world.employer_id, isco="7212", region_kato=ASTANA, title="Welder", wage=400_000,
            posted_on=TODAY - dt.timedelta(days=14), now=NOW,
        )
    )  # fmt: skip
    p = world.apply(isco="7212", category="category_4", worker_iin=None, valid_to=dt.date(2027, 6, 30))
    assert p.state == "checks_failed"
    assert failed(p) == {"vacancy_posted", "worker_iin", "term"}
    assert "14 days before" in checks(p)["vacancy_posted"].reason
    assert p.allowed_actions == ("recheck", "withdraw")
    with pytest.raises(LabourError) as info:
        world.act(p.id, "approve")
    assert info.value.status == 409 and info.value.allowed == ("refuse",)
    # a day later the vacancy has been posted for 15 days; the IIN and the term still fail
    later = NOW + dt.timedelta(days=1)
    again = world.act(p.id, "recheck", now=later)
    assert again.state == "checks_failed" and failed(again) == {"worker_iin", "term"}
    assert again.applied_on == TODAY + dt.timedelta(days=1)


def test_the_quota_counts_reserved_places_and_frees_them_on_withdrawal(world: World) -> None:
    world.do(lambda s: labour.set_quota(s, world.admin, 2026, {(ASTANA, "category_3"): 1}, NOW))
    world.do(lambda s: labour.set_staff(s, world.employer, world.employer_id, Staff(0, 0, 900, 0), TODAY, NOW))
    first = world.apply()
    second = world.apply(worker_iin=iin(2))
    assert first.state == "pending"
    assert failed(second) == {"quota_available"}
    assert "exhausted (1 of 1 used)" in checks(second)["quota_available"].reason
    usage = world.do(lambda s: labour.quota_usage(s, world.analyst, 2026, ASTANA))
    cat3 = next(u for u in usage if u.category == "category_3")
    assert (cat3.allocated, cat3.reserved, cat3.issued, cat3.left) == (1, 1, 0, 0)
    world.act(first.id, "withdraw")
    assert world.act(second.id, "recheck").state == "pending"


def test_no_quota_distributed_fails_and_transfers_need_none(world: World) -> None:
    p = world.apply(region_kato=ALMATY)
    assert "no quota" in checks(p)["quota_available"].reason and not checks(p)["quota_available"].passed
    world.do(lambda s: labour.set_staff(s, world.employer, world.employer_id, Staff(10, 0, 90, 0, 0), TODAY, NOW))
    ict = world.apply(category="ict", region_kato=ALMATY, worker_iin=iin(3), isco="1120")
    assert ict.state == "pending" and not checks(ict)["quota_available"].applies


def test_local_content_counts_the_employers_permits_in_koshi(world: World) -> None:
    world.do(lambda s: labour.set_staff(s, world.employer, world.employer_id, Staff(0, 0, 9, 0), TODAY, NOW))
    first = world.apply()
    assert first.state == "pending"  # 9 citizens of 10 = 90%
    second = world.apply(worker_iin=iin(2))
    assert failed(second) == {"local_content"}  # 9 of 11 with the first permit counted
    assert "9 of 11" in checks(second)["local_content"].reason
    world.act(first.id, "withdraw")
    assert world.act(second.id, "recheck").state == "pending"


def test_a_branch_with_up_to_10_staff_is_exempt(world: World) -> None:
    branch = world.do(
        lambda s: labour.register_employer(
            s, world.other_employer, bin=bin_(2, attribute=1), name="Branch", oked_section="J", region_kato=ASTANA,
            now=NOW,
        )
    )  # fmt: skip
    assert branch.branch and branch.sector_group == "a"
    world.do(lambda s: labour.set_staff(s, world.other_employer, branch.id, Staff(0, 0, 2, 7), TODAY, NOW))
    p = world.apply(actor=world.other_employer, employer_id=branch.id, category="ict", isco="1120")
    assert "exempt" in checks(p)["local_content"].reason and checks(p)["local_content"].passed


def test_approval_sets_the_fee_due_in_10_working_days_and_payment_issues(world: World) -> None:
    p = world.apply()
    due = world.act(p.id, "approve")
    assert due.state == "fee_due" and due.fee.tenge > 0
    assert due.fee.due_on == dt.date(2026, 3, 24)  # 10 working days after Tuesday 10 March
    assert due.allowed_actions == ("pay",)
    with pytest.raises(LabourError) as info:
        world.act(p.id, "pay", payment_ref="  ")
    assert (info.value.status, info.value.field) == (422, "payment_ref")
    issued = world.act(p.id, "pay", payment_ref="KASPI-123")
    assert issued.state == "issued" and issued.fee.paid_ref == "KASPI-123"
    assert [e.action for e in issued.history] == ["apply", "approve", "pay"]
    audit = world.do(lambda s: [r.action for r in s.scalars(select(AuditRecord).where(AuditRecord.case_id == p.id))])
    assert audit == ["permit.apply", "permit.approve", "permit.pay"]


def test_a_free_transfer_is_issued_on_approval(world: World) -> None:
    p = world.apply(category="ict", isco="1120", valid_to=dt.date(2028, 3, 31))
    issued = world.act(p.id, "approve")
    assert issued.state == "issued" and issued.fee.tenge == 0 and issued.fee.due_on is None


def test_refusal_needs_a_reason(world: World) -> None:
    p = world.apply()
    with pytest.raises(LabourError) as info:
        world.act(p.id, "refuse", reason="no")
    assert (info.value.status, info.value.field) == (422, "reason")
    refused = world.act(p.id, "refuse", reason="the position is filled by a citizen")
    assert refused.state == "refused" and refused.decision_reason == "the position is filled by a citizen"
    with pytest.raises(LabourError) as unknown:
        world.act(p.id, "bless")
    assert unknown.value.status == 404


def test_an_employer_sees_only_its_own_permits(world: World) -> None:
    p = world.apply()
    with pytest.raises(LabourError) as info:
        world.do(lambda s: labour.permit(s, world.other_employer, p.id, NOW))
    assert info.value.status == 404
    assert world.do(lambda s: labour.permits(s, world.other_employer)) == ([], 0)
    items, total = world.do(lambda s: labour.permits(s, world.employer, now=NOW))
    assert total == 1 and items[0].id == p.id and items[0].failed_checks == 0
    listed = world.do(lambda s: s.scalar(select(AuditRecord.detail).where(AuditRecord.action == "permit.list")))
    assert listed == "1 of 1 (offset 0)"
    with pytest.raises(LabourError) as analyst:
        world.do(lambda s: labour.permits(s, world.analyst))
    assert analyst.value.status == 403


def test_a_bound_akimat_acts_only_in_its_region(world: World) -> None:
    p = world.apply()
    world.do(lambda s: labour.bind_akimat(s, world.admin, world.akimat.id, ALMATY, NOW))
    with pytest.raises(LabourError) as info:
        world.act(p.id, "approve")
    assert info.value.status == 404
    assert world.do(lambda s: labour.permits(s, world.akimat)) == ([], 0)
    world.do(lambda s: labour.bind_akimat(s, world.admin, world.akimat.id, ASTANA, NOW))
    assert world.act(p.id, "approve").state == "fee_due"
    with pytest.raises(LabourError) as not_akimat:
        world.do(lambda s: labour.bind_akimat(s, world.admin, world.employer.id, ASTANA, NOW))
    assert not_akimat.value.status == 422


def _overstayer(world: World, worker: str, code: str | None) -> None:
    def add(s: Session) -> None:
        person = RegistryPerson(created_at=NOW)
        s.add(person)
        s.flush()
        s.add(
            TravelDocument(
                person_id=person.id, doc_type="P", doc_country="CHN", doc_number="E1234567", nationality="CHN",
                surname="WANG", iin=worker, created_at=NOW,
            )
        )  # fmt: skip
        s.add(
            StayStatus(
                person_id=person.id, as_of=TODAY, computed_at=NOW, nationality="CHN", regime="visa_free",
                present=True, current_entry=dt.date(2025, 12, 1), days_used=99, days_left=0, overstay_days=9,
                overstay_since=dt.date(2026, 3, 1), under_permit=False, past_overstays=0, last_fine_band="none",
                missing_exits=0, fine_band="admin_fine",
            )
        )  # fmt: skip
        if code is not None:
            s.add(
                OverstayReason(
                    person_id=person.id, stay_entry=dt.date(2025, 12, 1), code=code, set_by=world.admin.id, set_at=NOW
                )
            )

    world.do(add)


def test_an_open_overstay_fails_the_worker_check_without_identifiers(world: World) -> None:
    _overstayer(world, iin(1), None)
    p = world.apply()
    c = checks(p)["worker_no_violation"]
    assert not c.passed and "overstay of 9 days since 2026-03-01" in c.reason
    assert "E1234567" not in c.reason and iin(1) not in c.reason


@pytest.mark.parametrize("code", ["data_error", "departed"])
def test_an_overstay_explained_as_a_record_error_or_a_departure_is_not_open(world: World, code: str) -> None:
    _overstayer(world, iin(1), code)
    c = checks(world.apply())["worker_no_violation"]
    assert c.passed and "no open violation" in c.reason


def test_a_worker_unknown_to_the_registry_passes(world: World) -> None:
    assert "not in the migration police registry" in checks(world.apply())["worker_no_violation"].reason


def _issue(world: World, **changes: Any) -> labour.PermitView:
    p = world.apply(**changes)
    world.act(p.id, "approve")
    return world.act(p.id, "pay", payment_ref="REF-1")


def test_extensions_skip_the_vacancy_test_and_stop_at_the_limit(world: World) -> None:
    for year in (2027, 2028, 2029):
        world.do(lambda s, y=year: labour.set_quota(s, world.admin, y, {(ASTANA, "category_3"): 5}, NOW))
    world.do(lambda s: labour.set_staff(s, world.employer, world.employer_id, Staff(0, 0, 900, 0), TODAY, NOW))
    first = _issue(world)
    ext: dict[str, Any] = {
        "valid_from": dt.date(2027, 4, 1),
        "valid_to": dt.date(2028, 3, 31),
        "extends_id": first.id,
        "isco": "9999",
    }
    one = world.apply(**ext)
    assert one.state == "pending" and one.extension_no == 1 and one.extends_id == first.id
    assert not checks(one)["vacancy_posted"].applies and "extension 1 of at most 2" in checks(one)["term"].reason
    world.act(one.id, "approve")
    world.act(one.id, "pay", payment_ref="REF-2")
    two = world.apply(valid_from=dt.date(2028, 4, 1), valid_to=dt.date(2029, 3, 31), extends_id=one.id, isco="9999")
    assert two.extension_no == 2 and checks(two)["term"].passed
    world.act(two.id, "approve")
    world.act(two.id, "pay", payment_ref="REF-3")
    three = world.apply(valid_from=dt.date(2029, 4, 1), valid_to=dt.date(2030, 3, 31), extends_id=two.id)
    assert not checks(three)["term"].passed and "limit is 2" in checks(three)["term"].reason


def test_an_extension_needs_an_issued_permit_of_the_same_worker(world: World) -> None:
    pending = world.apply()
    with pytest.raises(LabourError) as not_issued:
        world.apply(extends_id=pending.id, valid_from=dt.date(2027, 4, 1), valid_to=dt.date(2028, 3, 31))
    assert (not_issued.value.status, not_issued.value.field) == (422, "extends_id")
    world.act(pending.id, "approve")
    world.act(pending.id, "pay", payment_ref="REF")
    with pytest.raises(LabourError) as other_worker:
        world.apply(extends_id=pending.id, worker_iin=iin(2))
    assert other_worker.value.field == "worker_iin"
    with pytest.raises(LabourError) as other_category:
        world.apply(extends_id=pending.id, category="category_4")
    assert other_category.value.field == "category"


BAD_INPUT: tuple[tuple[str, Any], ...] = (
    ("category", "category_9"),
    ("isco", "21"),
    ("region_kato", "999999999"),
    ("worker_iin", "12345"),
    ("worker_nationality", "C1"),
    ("worker_surname", " "),
    ("applied_on", dt.date(2016, 12, 1)),
)


def test_bad_input_names_the_field(world: World) -> None:
    for field, value in BAD_INPUT:
        with pytest.raises(LabourError) as info:
            world.apply(**{field: value})
        assert (info.value.status, info.value.field) == (422, field)
        assert iin(1) not in info.value.message
    assert world.do(lambda s: labour.permits(s, world.supervisor)) == ([], 0)  # nothing half-written


def test_employer_registration_rules(world: World) -> None:
    with pytest.raises(LabourError) as taken:
        world.do(
            lambda s: labour.register_employer(
                s, world.admin, bin=bin_(1), name="Again", oked_section="F", region_kato=ASTANA, now=NOW
            )
        )
    assert (taken.value.status, taken.value.field) == (409, "bin")
    with pytest.raises(LabourError) as one_per_account:
        world.do(
            lambda s: labour.register_employer(
                s, world.employer, bin=bin_(3), name="Second", oked_section="F", region_kato=ASTANA, now=NOW
            )
        )
    assert one_per_account.value.status == 409
    bad_bin = bin_(4)[:11] + str((int(bin_(4)[11]) + 1) % 10)
    with pytest.raises(LabourError) as invalid:
        world.do(
            lambda s: labour.register_employer(
                s, world.admin, bin=bad_bin, name="X", oked_section="F", region_kato=ASTANA, now=NOW
            )
        )
    assert (invalid.value.status, invalid.value.field) == (422, "bin") and bad_bin not in invalid.value.message
    with pytest.raises(LabourError) as section:
        world.do(
            lambda s: labour.register_employer(
                s, world.admin, bin=bin_(5), name="X", oked_section="Z", region_kato=ASTANA, now=NOW
            )
        )
    assert section.value.field == "oked_section"
    with pytest.raises(LabourError) as analyst:
        world.do(
            lambda s: labour.register_employer(
                s, world.analyst, bin=bin_(5), name="X", oked_section="F", region_kato=ASTANA, now=NOW
            )
        )
    assert analyst.value.status == 403
    mine = world.do(lambda s: labour.my_employer(s, world.employer))
    assert mine is not None and mine.id == world.employer_id and mine.staff is not None
    assert world.do(lambda s: labour.my_employer(s, world.other_employer)) is None
    with pytest.raises(LabourError) as other:
        world.do(lambda s: labour.employer(s, world.other_employer, world.employer_id, NOW))
    assert other.value.status == 404


def test_distribution_stores_shares_that_add_up(world: World) -> None:
    out = world.do(lambda s: labour.distribute_quota(s, world.admin, 2026, {ASTANA: 3, ALMATY: 1}, NOW))
    assert sum(n for (_, c), n in out.items() if c == "category_3") == 5893
    assert out[(ASTANA, "category_1")] + out[(ALMATY, "category_1")] == 726
    usage = world.do(lambda s: labour.quota_usage(s, world.employer, 2026))
    assert {(u.region_kato, u.category): u.allocated for u in usage} == out
    with pytest.raises(LabourError) as no_quota:
        world.do(lambda s: labour.distribute_quota(s, world.admin, 2025, {ASTANA: 1}, NOW))
    assert no_quota.value.status == 422
    with pytest.raises(LabourError) as not_admin:
        world.do(lambda s: labour.distribute_quota(s, world.akimat, 2026, {ASTANA: 1}, NOW))
    assert not_admin.value.status == 403


def test_expiry_and_the_fee_report(world: World) -> None:
    p = _issue(world)
    assert world.do(lambda s: labour.expire_due(s, world.admin, dt.date(2027, 3, 31), NOW)) == 0
    assert world.do(lambda s: labour.expire_due(s, world.admin, dt.date(2027, 4, 1), NOW)) == 1
    assert world.do(lambda s: s.get(WorkPermit, p.id)).state == "expired"  # type: ignore[union-attr]
    report = world.do(lambda s: labour.fee_report(s, world.analyst, 2026))
    assert [(r.region_kato, r.sector_group, r.category, r.permits, r.fee_tenge) for r in report] == [
        (ASTANA, "c", "category_3", 1, p.fee.tenge)
    ]
    with pytest.raises(LabourError):
        world.do(lambda s: labour.fee_report(s, world.employer, 2026))
