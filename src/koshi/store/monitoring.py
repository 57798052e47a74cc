"""Monitoring tables: external migration flows, interregional moves, resettler and kandas follow-up.

These hold the statistics the policy KPIs are computed from (``koshi.analytics.kpi``)
until the registry of foreigners feeds them; in the demo they are synthetic
(``koshi.synth.decisions``).  Regions are KATO codes (``koshi.reference.regions``),
periods are calendar year and month; every count is a whole number of people.

The tables live on the same declarative ``Base`` as the case tables, so Alembic
sees them once this module is imported; migration ``0002_monitoring`` creates them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Boolean, CheckConstraint, Date, Index, Integer, String, UniqueConstraint, func, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from koshi.store.db import transaction
from koshi.store.models import Base, Case, User

MOVER_CATEGORIES = ("citizen", "kandas")
"""Who moved between regions: a citizen of Kazakhstan, or a kandas."""

SETTLER_CATEGORIES = ("resettler", "kandas")
"""Who was settled under the regional quota: an internal resettler, or a kandas."""


class ExternalMigration(Base):
    """Arrivals from and departures to other countries, for permanent residence, by month and region.

    ``arrivals_qualified`` counts the *qualified* arrivals: people with a post-secondary
    or higher education (ISCED 2011 level 4 or above) or, whatever their education,
    with an occupation on the in-demand list in force on the arrival date
    (``kz.common.in_demand_occupations``).  It is the numerator of the share that the
    Concept to 2030 wants at 95% (its wording is "skilled workers among incoming labour
    migrants"; arrivals for permanent residence are the series the statistics publish).
    ``region`` is the region of arrival (or of departure, for departures).
    """

    __tablename__ = "migration_flows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(9))
    arrivals: Mapped[int] = mapped_column(Integer)
    departures: Mapped[int] = mapped_column(Integer)
    arrivals_qualified: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("year", "month", "region"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month"),
        CheckConstraint("arrivals >= 0 AND departures >= 0", name="counts"),
        CheckConstraint("arrivals_qualified BETWEEN 0 AND arrivals", name="qualified"),
    )


class InterregionalMove(Base):
    """People who changed their region of permanent residence inside Kazakhstan, by month and route."""

    __tablename__ = "interregional_moves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    origin_region: Mapped[str] = mapped_column(String(9))
    destination_region: Mapped[str] = mapped_column(String(9))
    category: Mapped[str] = mapped_column(String(10))  # one of MOVER_CATEGORIES
    movers: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("year", "month", "origin_region", "destination_region", "category"),
        Index("ix_interregional_moves_destination", "year", "destination_region"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month"),
        CheckConstraint("movers >= 0", name="movers"),
        CheckConstraint("origin_region <> destination_region", name="route"),
    )


class ResettlerFollowup(Base):
    """One resettled person (resettler or kandas) at the follow-up: able to work, and employed or not.

    Person-level but pseudonymous: ``person_ref`` is a reference of the follow-up, not
    an identity number.  ``employed`` is only meaningful for the able-bodied; the KPI
    counts employed able-bodied people among the able-bodied.
    """

    __tablename__ = "resettler_followups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_ref: Mapped[str] = mapped_column(String(16), unique=True)
    category: Mapped[str] = mapped_column(String(10))  # one of SETTLER_CATEGORIES
    year_settled: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(9))
    able_bodied: Mapped[bool] = mapped_column(Boolean)
    employed: Mapped[bool] = mapped_column(Boolean)
    observed_on: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (Index("ix_resettler_followups_year_region", "year_settled", "region"),)


MONITORING_TABLES = (ExternalMigration, InterregionalMove, ResettlerFollowup)


# --- demo seed ---------------------------------------------------------------------------------

HISTORY_APPLICANTS = 24
"""Accounts that own the year of decisions (``history-applicant-NN``); they never sign in."""
NO_PASSWORD = "!history account: no password"
"""Not an Argon2 hash: verification of any password fails (and costs nothing to create)."""
HISTORY_OFFICERS = ("history-officer-1", "history-officer-2", "history-officer-3")
"""Who decides the year of decisions: 1 takes and proposes, 2 confirms, 3 decides appeals (four eyes)."""
FIRST_YEAR = 2022
"""The monitoring series start with the reference figures."""


def seed_monitoring(
    sessions: sessionmaker[Session],
    *,
    seed: int,
    year: int,
    now: dt.datetime,
    cases: int = 360,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Synthetic monitoring data for 2022 … ``year`` and a year of decided applications (idempotent).

    The monitoring tables are filled up to the month of ``now`` unless they hold rows
    already; ``cases`` applications filed during ``year`` (none before a pack's first
    effective date, none after ``now``) are replayed through the case service with
    the time of each step, unless the history accounts own cases already.  Call it
    after the demo's own cases are filed: the demo seed skips when any case exists.
    ``progress`` is called with the number of applications replayed so far.
    """
    from koshi.synth.decisions import generate_monitoring

    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    summary: dict[str, int] = {}
    with transaction(sessions) as session:
        present = session.execute(select(func.count()).select_from(ExternalMigration)).scalar_one()
        if present:
            summary["monitoring rows already present"] = present
        else:
            data = generate_monitoring(seed, years=range(FIRST_YEAR, year + 1), until=now.date())
            for model, table in (
                (ExternalMigration, data.flows),
                (InterregionalMove, data.moves),
                (ResettlerFollowup, data.followups),
            ):
                rows = table.to_pylist()
                for start in range(0, len(rows), 10_000):
                    session.execute(insert(model), rows[start : start + 10_000])
                summary[str(model.__tablename__)] = len(rows)
    summary.update(_seed_decisions(sessions, seed=seed, year=year, now=now, n=cases, progress=progress))
    return summary


def _account(session: Session, username: str, role: str, full_name: str, now: dt.datetime) -> int:
    """A history account: inactive and with no usable password hash, so it can never sign in."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        user = User(
            username=username, full_name=full_name, role=role, password_hash=NO_PASSWORD, active=False, created_at=now
        )
        session.add(user)
        session.flush()
    return user.id


def _seed_decisions(
    sessions: sessionmaker[Session],
    *,
    seed: int,
    year: int,
    now: dt.datetime,
    n: int,
    progress: Callable[[int], None] | None,
) -> dict[str, int]:
    from koshi.cases.states import Action
    from koshi.rules.engine import get_pack
    from koshi.store import cases as service
    from koshi.synth.applicants import generate_applicants
    from koshi.synth.decisions import P_APPEAL, P_APPROVE, P_CONFIRM, P_OVERTURN, P_WITHDRAW, plan_decisions

    with transaction(sessions) as session:
        owners = [
            _account(session, f"history-applicant-{i:02d}", "applicant", f"History applicant {i}", now)
            for i in range(1, HISTORY_APPLICANTS + 1)
        ]
        first, second, third = (
            _account(session, name, "officer", name.replace("-", " ").capitalize(), now) for name in HISTORY_OFFICERS
        )
        present = session.execute(
            select(func.count()).select_from(Case).where(Case.applicant_id.in_(owners))
        ).scalar_one()
    if present:
        return {"decided history already present": present}

    people = generate_applicants(n, seed + 1).to_pylist()
    packs = ["kz.kandas_status" if p["ethnic_kazakh"] else "kz.permanent_residence" for p in people]
    starts = {pack: get_pack(pack).effective_from for pack in set(packs)}
    plan = plan_decisions(packs, seed + 2, year=year, now=now, starts=starts).to_pylist()
    officer, confirmer, appeals = (service.Actor(i, "officer") for i in (first, second, third))
    counts: dict[str, int] = {}
    order = sorted(
        (i for i, p in enumerate(plan) if p["submitted_at"] is not None), key=lambda i: plan[i]["submitted_at"]
    )
    for done, i in enumerate(order, start=1):
        step, person = plan[i], people[i]
        pack = get_pack(step["pack"])
        fields = {f.column for f in pack.fields}
        profile = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in person.items() if k in fields}
        applicant = service.Actor(owners[i % len(owners)], "applicant")
        at: dt.datetime = step["submitted_at"]

        def later(days: float, since: dt.datetime) -> dt.datetime | None:
            when = since + dt.timedelta(days=days)
            return when if when <= now else None

        with transaction(sessions) as session:
            case = service.create(session, applicant, pack=pack.id, profile=profile, applicant_iin=None, now=at)
            case = service.submit(session, applicant, case.id, now=at)
            taken = later(step["take_days"], at)
            if step["u_withdraw"] < P_WITHDRAW and taken is not None:
                case = service.transition(
                    session, applicant, case.id, action=Action.withdraw, reason=None, outcome=None, now=taken
                )
            elif taken is not None:
                case = service.transition(
                    session, officer, case.id, action=Action.take, reason=None, outcome=None, now=taken
                )
                decided = later(step["decide_days"], taken)
                approve = step["u_decision"] < P_APPROVE.get(case.recommendation or "", 0.5)
                if decided is not None and approve:
                    case = service.transition(
                        session,
                        officer,
                        case.id,
                        action=Action.approve,
                        reason=f"checked; the engine recommended {case.recommendation}",
                        outcome=None,
                        now=decided,
                    )
                elif decided is not None:
                    case = service.transition(
                        session,
                        officer,
                        case.id,
                        action=Action.propose_refusal,
                        reason=f"engine recommendation {case.recommendation}; checks confirm it",
                        outcome=None,
                        now=decided,
                    )
                    confirmed = later(step["confirm_days"], decided)
                    if confirmed is not None and step["u_confirm"] < P_CONFIRM:
                        case = service.transition(
                            session,
                            confirmer,
                            case.id,
                            action=Action.confirm_refusal,
                            reason="second officer agrees with the refusal",
                            outcome=None,
                            now=confirmed,
                        )
                        appealed = later(step["appeal_days"], confirmed)
                        if appealed is not None and step["u_appeal"] < P_APPEAL:
                            case = service.transition(
                                session,
                                applicant,
                                case.id,
                                action=Action.appeal,
                                reason="I ask for the refusal to be reviewed again",
                                outcome=None,
                                now=appealed,
                            )
                            ruled = later(step["appeal_decide_days"], appealed)
                            if ruled is not None:
                                overturned = step["u_overturn"] < P_OVERTURN
                                case = service.transition(
                                    session,
                                    appeals,
                                    case.id,
                                    action=Action.decide_appeal,
                                    reason="the appeal was reviewed by an officer not involved",
                                    outcome="overturned" if overturned else "upheld",
                                    now=ruled,
                                )
                    elif confirmed is not None:
                        case = service.transition(
                            session,
                            confirmer,
                            case.id,
                            action=Action.return_to_review,
                            reason="the refusal needs another look at the evidence",
                            outcome=None,
                            now=confirmed,
                        )
            counts[case.status] = counts.get(case.status, 0) + 1
        if progress is not None:
            progress(done)
    return {f"history {k}": v for k, v in sorted(counts.items())}
