"""Demo data for ``make demo``: one account per role and synthetic applications at every stage.

Ethnic Kazakhs apply for kandas status, the others for permanent residence.  The
cases go through the real service functions (scored, audited), so the demo queue
looks like a working office: most cases waiting, some in review, some decided.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.progress import Progress, TaskID
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from koshi.accounts.roles import ROLES
from koshi.cases.states import Action
from koshi.rules.engine import get_pack
from koshi.store import cases as service
from koshi.store.db import transaction
from koshi.store.models import Case, User
from koshi.store.users import create_user, get_by_username
from koshi.synth.applicants import generate_applicants

DEMO_PASSWORD = "koshi-demo-{role}"
APPLICANTS_PER_ACCOUNT = 10


def _user(session: Session, username: str, role: str, full_name: str, now: dt.datetime) -> User:
    user = get_by_username(session, username)
    if user is None:
        user = create_user(
            session,
            username=username,
            password=DEMO_PASSWORD.format(role=role),
            role=role,
            full_name=full_name,
            now=now,
        )
    return user


def _profile(row: dict[str, Any], pack_id: str) -> dict[str, Any]:
    fields = {f.column for f in get_pack(pack_id).fields}
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items() if k in fields}


def seed_demo(
    sessions: sessionmaker[Session],
    *,
    cases: int,
    seed: int,
    now: dt.datetime,
    progress: Progress | None = None,
    task: TaskID | None = None,
) -> dict[str, int]:
    """Accounts ``demo-<role>`` for every role, then ``cases`` applications unless some exist already."""
    with transaction(sessions) as session:
        staff = {role: _user(session, f"demo-{role}", role, f"Demo {role}", now).id for role in ROLES}
        existing = session.execute(select(func.count()).select_from(Case)).scalar_one()
    if existing:
        return {"accounts": len(ROLES), "cases already present": existing}
    officer = service.Actor(staff["officer"], "officer")
    second = service.Actor(staff["supervisor"], "supervisor")
    rows = generate_applicants(cases, seed).to_pylist()
    counts: dict[str, int] = {}
    for i, row in enumerate(rows):
        pack_id = "kz.kandas_status" if row["ethnic_kazakh"] else "kz.permanent_residence"
        with transaction(sessions) as session:
            if i < 3:
                owner = staff["applicant"]
            else:
                name = f"applicant-{i // APPLICANTS_PER_ACCOUNT:04d}"
                owner = _user(session, name, "applicant", f"{row['given_name']} {row['family_name']}", now).id
            applicant = service.Actor(owner, "applicant")
            case = service.create(
                session, applicant, pack=pack_id, profile=_profile(row, pack_id), applicant_iin=None, now=now
            )
            stage = i % 20
            if stage != 19:  # one in twenty stays a draft
                case = service.submit(session, applicant, case.id, now=now)
            if stage < 8:
                case = service.transition(
                    session, officer, case.id, action=Action.take, reason=None, outcome=None, now=now
                )
            if stage < 3 and case.recommendation == "eligible":
                case = service.transition(
                    session,
                    officer,
                    case.id,
                    action=Action.approve,
                    reason="meets every criterion",
                    outcome=None,
                    now=now,
                )
            elif stage < 3:
                case = service.transition(
                    session,
                    officer,
                    case.id,
                    action=Action.propose_refusal,
                    reason=f"engine recommendation {case.recommendation}; checks confirm it",
                    outcome=None,
                    now=now,
                )
                if stage < 2:
                    case = service.transition(
                        session,
                        second,
                        case.id,
                        action=Action.confirm_refusal,
                        reason="second officer agrees with the refusal",
                        outcome=None,
                        now=now,
                    )
            counts[case.status] = counts.get(case.status, 0) + 1
        if progress is not None and task is not None:
            progress.advance(task)
    return {"accounts": len(ROLES), **dict(sorted(counts.items()))}
