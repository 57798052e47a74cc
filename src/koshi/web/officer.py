"""Pages for officers and supervisors: the case queue, the case page and the decisions.

Every page calls the same service functions as the API (:mod:`koshi.store.cases`)
with the signed-in user as :class:`~koshi.store.cases.Actor`: the queue is
:func:`~koshi.store.cases.listing` with a :class:`~koshi.store.cases.QueueFilter`
(an audited read), a decision is :func:`~koshi.store.cases.transition`, and the
buttons shown are exactly :func:`~koshi.store.cases.allowed_for`.  The four-eyes
rule, the reasons a decision needs and who may decide an appeal are the
service's: its refusals (403, 409, 422) come back to the page as messages next to
the form that caused them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from koshi.cases.states import APPEAL_OUTCOMES, MIN_REASON, OUTCOMES, Action, Status
from koshi.reference.regions import BY_KATO, REGIONS
from koshi.rules.engine import UnknownPack, get_pack
from koshi.store import cases
from koshi.store.db import transaction
from koshi.store.models import Case, CaseEvent
from koshi.web import i18n
from koshi.web.applicant import (
    DECISION_LABELS,
    EVENT_LABELS,
    STATUS_LABELS,
    STATUS_TAGS,
    display,
    pack_name,
)
from koshi.web.labels import N_
from koshi.web.pages import Stop as _Stop
from koshi.web.pages import signed_in
from koshi.web.paging import pagination
from koshi.web.render import locale_of, page
from koshi.web.security import csrf_ok

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
MAX_REASON = 5000  # as the API's TransitionIn
SORT_KEYS = ("submitted_at", "total", "updated_at")
DEFAULT_SORT = "submitted_at"  # oldest submission first: the order work arrives in


# The input descriptions of the packs with cases: the labels of the profile on the case page.
# (tests check this list covers every field, so a new field cannot go untranslated unnoticed)
FIELD_DESCRIPTIONS = (
    N_("Date of birth (YYYY-MM-DD)"),
    N_("Highest completed education, ISCED 2011"),
    N_("Years of work experience"),
    N_("ISCO-08 unit group of that experience (4 digits)"),
    N_("Kazakh level (CEFR)"),
    N_("Russian level (CEFR)"),
    N_("English level (CEFR)"),
    N_("KAZTEST listening block, %"),
    N_("KAZTEST reading block, %"),
    N_("Medical clearance obtained"),
    N_("Unexpunged criminal record"),
    N_("Deported or expelled from Kazakhstan before"),
    N_("Close relative is a citizen of Kazakhstan"),
    N_("Funds on a bank account, tenge"),
    N_("Intended region of settlement, KATO code (9 digits)"),
    N_("Family members moving, principal included"),
    N_("Declares Kazakh nationality"),
    N_("Evidence of Kazakh nationality"),
    N_("Has been a citizen of Kazakhstan"),
    N_("Other family members of working age"),
    N_("Applies for state support"),
    N_("Has signed the social contract"),
)

# the actions these pages offer, in the order their forms appear
STAFF_ACTIONS: tuple[Action, ...] = (
    Action.take,
    Action.approve,
    Action.propose_refusal,
    Action.confirm_refusal,
    Action.return_to_review,
    Action.decide_appeal,
    Action.override,
)
ACTION_TITLES: dict[str, str] = {
    Action.take: N_("Take the case"),
    Action.approve: N_("Approve"),
    Action.propose_refusal: N_("Propose a refusal"),
    Action.confirm_refusal: N_("Confirm the refusal"),
    Action.return_to_review: N_("Return to review"),
    Action.decide_appeal: N_("Decide the appeal"),
    Action.override: N_("Override the decision"),
}
ACTION_BUTTONS: dict[str, str] = {
    Action.take: N_("Take the case for review"),
    Action.approve: N_("Approve the application"),
    Action.propose_refusal: N_("Propose refusal"),
    Action.confirm_refusal: N_("Confirm refusal"),
    Action.return_to_review: N_("Return to review"),
    Action.decide_appeal: N_("Record the appeal decision"),
    Action.override: N_("Override"),
}
ACTION_HINTS: dict[str, str] = {
    Action.take: N_("The case is assigned to you and moves to review."),
    Action.approve: N_("The application is approved. This is the final decision unless it is overridden."),
    Action.propose_refusal: N_(
        "A refusal needs two people: after you propose it, a second officer or a supervisor must confirm it."
    ),
    Action.confirm_refusal: N_("You are the second officer: confirming makes the refusal final."),
    Action.return_to_review: N_("The proposed refusal is withdrawn and the case goes back to review."),
    Action.decide_appeal: N_("Upheld keeps the refusal. Overturned approves the application."),
    Action.override: N_("As a supervisor you can set the outcome directly. The reason is recorded."),
}
DONE_MESSAGES: dict[str, str] = {
    Action.take: N_("Case taken — it is now in review with you"),
    Action.approve: N_("Case approved"),
    Action.propose_refusal: N_("Refusal proposed — waiting for a second officer to confirm it"),
    Action.confirm_refusal: N_("Refusal confirmed — the case is refused"),
    Action.return_to_review: N_("Case returned to review"),
    Action.decide_appeal: N_("Appeal decided"),
    Action.override: N_("Decision overridden"),
}
OUTCOME_LABELS: dict[str, str] = {
    "approved": N_("Approved"),
    "refused": N_("Refused"),
    "upheld": N_("Upheld: the refusal stands"),
    "overturned": N_("Overturned: the application is approved"),
}
# the service's refusals of a person, as sentences the page translates
PERSON_MESSAGES: dict[str, str] = {
    "a refusal must be confirmed by a second officer, not the one who proposed it": N_(
        "A refusal must be confirmed by a second officer, not the one who proposed it"
    ),
    "an appeal must be decided by someone who took no part in the refusal": N_(
        "An appeal must be decided by someone who took no part in the refusal"
    ),
}
SORT_LABELS: dict[str, str] = {
    "submitted_at": N_("Submitted"),
    "total": N_("Score"),
    "updated_at": N_("Updated"),
}
# statuses an officer can filter by ("submitted" is transient: submission scores at once)
QUEUE_STATUSES = tuple(s.value for s in Status if s is not Status.submitted)


# --- the signed-in officer or supervisor -------------------------------------------------------------


def _problem(request: Request, status: int, message: str | None = None) -> Response:
    return page(request, "officer_problem.html", status_code=status, problem=status, message=message)


def _staff(request: Request) -> cases.Actor:
    user = signed_in(request, cases.STAFF, lambda: _problem(request, 403))
    return cases.Actor(user.id, user.role)


def _guard(request: Request, work: Callable[[], Response]) -> Response:
    try:
        return work()
    except _Stop as stop:
        return stop.response
    except cases.CaseError as exc:
        if exc.status in (403, 404):
            return _problem(request, exc.status)
        return _problem(request, exc.status, exc.message)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sessions(request: Request) -> Any:
    return request.app.state.sessions


def region_name(kato: str | None, locale: str) -> str:
    """The region of a KATO code in ``locale`` (the code itself when unknown)."""
    if kato is None:
        return ""
    region = BY_KATO.get(str(kato))
    if region is None:
        return str(kato)
    return {"ru": region.name_ru, "kk": region.name_kk}.get(locale, region.name_en)


def _common() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "status_tags": STATUS_TAGS,
        "decision_labels": DECISION_LABELS,
        "pack_name": pack_name,
    }


# --- 1. the queue --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueForm:
    """The queue's filters as typed (kept in the form) and as understood (given to the service)."""

    typed: dict[str, str]
    filter: cases.QueueFilter
    errors: dict[str, str] = field(default_factory=dict)  # field → msgid


def _score(text: str) -> float | None:
    """A score typed with either decimal mark and any spaces; None when it is not a number ≥ 0."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def parse_queue(params: Mapping[str, str]) -> QueueForm:
    """Read the queue's query string leniently: a wrong value is reported and ignored, never a crash."""
    typed = {k: params.get(k, "").strip()[:64] for k in ("status", "pack", "region", "score_min", "score_max")}
    errors: dict[str, str] = {}
    status = typed["status"] if typed["status"] in QUEUE_STATUSES else None
    if typed["status"] and status is None:
        errors["status"] = N_("Select a status from the list")
    pack = typed["pack"] if typed["pack"] in cases.PACKS_WITH_CASES else None
    if typed["pack"] and pack is None:
        errors["pack"] = N_("Select a procedure from the list")
    region = typed["region"] if typed["region"] in BY_KATO else None
    if typed["region"] and region is None:
        errors["region"] = N_("Select a region from the list")
    scores: dict[str, float | None] = {}
    for name in ("score_min", "score_max"):
        scores[name] = _score(typed[name]) if typed[name] else None
        if typed[name] and scores[name] is None:
            errors[name] = N_("Enter a score as a number, 0 or more")
    low, high = scores["score_min"], scores["score_max"]
    if low is not None and high is not None and low > high:
        errors["score_max"] = N_("The highest score must be the same as or more than the lowest")
        high = None
    sort = params.get("sort", DEFAULT_SORT)
    if sort.removeprefix("-") not in SORT_KEYS:
        sort = DEFAULT_SORT
    number_text = params.get("page", "1")
    number = int(number_text) if number_text.isdigit() and 0 < len(number_text) <= 6 and int(number_text) > 0 else 1
    typed["sort"] = sort
    f = cases.QueueFilter(
        status=status,
        pack=pack,
        region=region,
        score_min=low,
        score_max=high,
        sort=sort,
        page=number,
        page_size=PAGE_SIZE,
    )
    return QueueForm(typed, f, errors)


def _query(f: cases.QueueFilter, **changes: Any) -> str:
    """The query string of the queue with ``f``'s filters and ``changes`` (empty values left out)."""
    values: dict[str, Any] = {
        "status": f.status,
        "pack": f.pack,
        "region": f.region,
        "score_min": f.score_min,
        "score_max": f.score_max,
        "sort": f.sort if f.sort != DEFAULT_SORT else None,
        "page": f.page if f.page != 1 else None,
    }
    values.update(changes)
    clean = {k: _plain(v) for k, v in values.items() if v is not None and v != ""}
    return "/queue?" + urlencode(clean) if clean else "/queue"


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True, slots=True)
class SortColumn:
    """A sortable column header: its link and its aria-sort."""

    key: str
    label: str  # msgid
    href: str
    aria_sort: str  # ascending | descending | none
    next_direction: str  # msgid: what following the link does


def sort_columns(f: cases.QueueFilter) -> dict[str, SortColumn]:
    """Each sortable column's header: the current one flips its direction, others start ascending."""
    out: dict[str, SortColumn] = {}
    current = f.sort.removeprefix("-")
    descending = f.sort.startswith("-")
    for key in SORT_KEYS:
        if key == current:
            aria = "descending" if descending else "ascending"
            target = key if descending else "-" + key
        else:
            aria = "none"
            target = "-" + key if key == "total" else key  # the highest score first is what one wants
        direction = N_("sort descending") if target.startswith("-") else N_("sort ascending")
        out[key] = SortColumn(key, SORT_LABELS[key], _query(f, sort=target, page=None), aria, direction)
    return out


@router.get("/queue")
def queue(request: Request) -> Response:
    def work() -> Response:
        actor = _staff(request)
        locale = locale_of(request)
        form = parse_queue(request.query_params)
        with transaction(_sessions(request)) as session:
            items, total = cases.listing(session, actor, form.filter, now=_now())
        pages = max(1, math.ceil(total / PAGE_SIZE))
        if form.filter.page > pages and total:
            return RedirectResponse(_query(form.filter, page=pages), status_code=303)
        regions = sorted(((r.kato, region_name(r.kato, locale)) for r in REGIONS), key=lambda kv: kv[1])
        gettext = i18n.translations(locale).gettext
        summary = [{"href": f"#{name}", "message": gettext(message)} for name, message in form.errors.items()]
        return page(
            request,
            "officer_queue.html",
            items=items,
            total=total,
            typed=form.typed,
            f=form.filter,
            errors={k: form.errors.get(k, "") for k in ("status", "pack", "region", "score_min", "score_max")},
            invalid=bool(form.errors),
            summary=summary,
            pages=pages,
            page_links=pagination(form.filter.page, pages, lambda n: _query(form.filter, page=n if n != 1 else None)),
            prev_href=_query(form.filter, page=form.filter.page - 1 if form.filter.page > 2 else None),
            next_href=_query(form.filter, page=form.filter.page + 1),
            columns=sort_columns(form.filter),
            regions=regions,
            statuses=QUEUE_STATUSES,
            packs=cases.PACKS_WITH_CASES,
            region_name=lambda kato: region_name(kato, locale),
            first=(form.filter.page - 1) * PAGE_SIZE + 1,
            last=(form.filter.page - 1) * PAGE_SIZE + len(items),
            **_common(),
        )

    return _guard(request, work)


# --- 2. the case ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One event of the case's history as staff see it (every reason included)."""

    label: str  # msgid
    at: dt.datetime
    actor_id: int
    role: str
    from_status: str | None
    to_status: str
    reason: str | None
    outcome: str | None
    total: float | None


def history(events: Sequence[CaseEvent]) -> list[HistoryEntry]:
    """Newest first."""
    out = []
    for e in events:
        data = e.data or {}
        total = data.get("total") if e.action == "score" else None
        out.append(
            HistoryEntry(
                label=EVENT_LABELS.get(e.action, e.action),
                at=e.at,
                actor_id=e.actor_id,
                role=e.actor_role,
                from_status=e.from_status,
                to_status=e.to_status,
                reason=e.reason,
                outcome=data.get("outcome"),
                total=float(total) if isinstance(total, int | float) else None,
            )
        )
    return out[::-1]


def _assigned_role(case: Case, events: Sequence[CaseEvent]) -> str:
    """The role of the person the case is assigned to (who took it)."""
    for e in reversed(events):
        if e.action == Action.take.value and e.actor_id == case.assigned_to:
            return e.actor_role
    return "officer"


@dataclass(frozen=True, slots=True)
class Proposal:
    """The refusal waiting for a second officer: who proposed it, when and why."""

    by: int
    role: str
    at: dt.datetime | None
    reason: str | None


def _proposal(case: Case, events: Sequence[CaseEvent]) -> Proposal | None:
    if case.status != Status.refusal_proposed.value or case.refusal_proposed_by is None:
        return None
    for e in reversed(events):
        if e.action == Action.propose_refusal.value:
            return Proposal(e.actor_id, e.actor_role, e.at, e.reason)
    return Proposal(case.refusal_proposed_by, "officer", None, None)


@dataclass(frozen=True, slots=True)
class ActionError:
    """A refusal of the service, shown in the error summary and next to the form's field."""

    action: str
    field: str  # reason | outcome | action
    message: str  # translated


def error_target(error: ActionError, shown: Sequence[str]) -> str:
    """Where the error summary links: the field, else the action's form, else the actions heading."""
    if error.action not in shown:
        return "#actions"
    if error.field == "outcome" or (error.field == "reason" and error.action != Action.take.value):
        return f"#{error.field}-{error.action}"
    return f"#action-{error.action}"


def _checks(explanation: Mapping[str, Any] | None) -> dict[str, list[Mapping[str, Any]]]:
    gates = list((explanation or {}).get("gates", []))
    return {
        "all": gates,
        "knockouts": [g for g in gates if g.get("kind") == "knockout" and g.get("fired")],
        "reviews": [g for g in gates if g.get("kind") != "knockout" and g.get("fired")],
    }


def _case_page(
    request: Request,
    actor: cases.Actor,
    case_id: str,
    *,
    error: ActionError | None = None,
    typed: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    locale = locale_of(request)
    with transaction(_sessions(request)) as session:
        case = cases.read(session, actor, case_id, now=_now())
        events = cases.events(session, actor, case_id, now=_now())
        allowed = cases.allowed_for(session, actor, case)
    try:
        fields = get_pack(case.pack).fields
    except UnknownPack:  # an unknown pack in old data: show the stored answers as they are
        fields = ()
    known = {f.column for f in fields}
    profile_rows = [(f.column, f.description, _shown(f.column, case.profile.get(f.column), locale)) for f in fields]
    profile_rows += [(k, k, _shown(k, v, locale)) for k, v in sorted(case.profile.items()) if k not in known]
    done = request.query_params.get("done", "")
    shown = [a.value for a in STAFF_ACTIONS if a.value in allowed]
    summary = [{"href": error_target(error, shown), "message": error.message}] if error else []
    return page(
        request,
        "officer_case.html",
        status_code=status,
        case=case,
        profile_rows=profile_rows,
        region=region_name(case.region, locale),
        explanation=case.explanation,
        checks=_checks(case.explanation),
        history=history(events),
        proposal=_proposal(case, events),
        assigned_role=_assigned_role(case, events),
        actions=shown,
        reason_required=_reasons_required(case),
        action_titles=ACTION_TITLES,
        action_buttons=ACTION_BUTTONS,
        action_hints=ACTION_HINTS,
        outcomes={Action.decide_appeal.value: APPEAL_OUTCOMES, Action.override.value: OUTCOMES},
        outcome_labels=OUTCOME_LABELS,
        done=DONE_MESSAGES.get(done),
        error=error,
        error_shown=bool(error and error.action in shown),
        summary=summary,
        typed=typed or {},
        min_reason=MIN_REASON,
        max_reason=MAX_REASON,
        **_common(),
    )


def _shown(column: str, value: Any, locale: str) -> str:
    """An answer for the officer: as the applicant sees it, and a region with its KATO code too."""
    text = display(column, value, locale)
    if column == "settlement_region" and value is not None and str(value) in BY_KATO:
        return f"{text} ({value})"
    return text


def _reasons_required(case: Case) -> dict[str, bool]:
    """Which forms need a written reason (the service enforces it; the page says so up front)."""
    approve = case.recommendation not in (None, "eligible")
    return {a.value: (a is not Action.take and (a is not Action.approve or approve)) for a in STAFF_ACTIONS}


@router.get("/queue/cases/{case_id}")
def case_page(request: Request, case_id: str) -> Response:
    def work() -> Response:
        return _case_page(request, _staff(request), case_id)

    return _guard(request, work)


def action_error(exc: cases.CaseError, action: Action, locale: str, case_status: str | None) -> ActionError:
    """The service's refusal as a translated message attached to the field it concerns."""
    _ = i18n.translations(locale).gettext
    if exc.status == 422 and exc.field == "outcome":
        return ActionError(action.value, "outcome", _("Select an outcome"))
    if exc.status == 422 and exc.field == "reason":
        if action is Action.approve:
            text = _("Approving a case the rules do not recommend needs a written reason of at least %(n)s characters")
        else:
            text = _("Enter a reason of at least %(n)s characters")
        return ActionError(action.value, "reason", text % {"n": MIN_REASON})
    if exc.status == 409:
        label = _(STATUS_LABELS.get(case_status or "", case_status or ""))
        text = _("This action is no longer possible: the case is now “%(status)s”. The page shows what you can do.")
        return ActionError(action.value, "reason", text % {"status": label})
    if exc.status == 403:
        known = PERSON_MESSAGES.get(exc.message)
        return ActionError(action.value, "reason", _(known) if known else _("Your role may not take this action"))
    return ActionError(action.value, "reason", exc.message)


@router.get("/queue/cases/{case_id}/actions")
def actions_get(request: Request, case_id: str) -> Response:
    """The address of a page re-rendered after a refused action: reloading it, or a language switch, shows the case."""
    lang = request.query_params.get("lang")
    suffix = f"?lang={lang}" if lang in i18n.LOCALES else ""
    return RedirectResponse(f"/queue/cases/{case_id}{suffix}", status_code=303)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/queue/cases/{case_id}/actions")
async def act(request: Request, case_id: str) -> Response:
    form = await _form(request)

    def work() -> Response:
        if request.state.user is None:
            raise _Stop(RedirectResponse("/sign-in", status_code=303))
        if not csrf_ok(request, form.get("csrf_token")):
            raise _Stop(_problem(request, 400))
        actor = _staff(request)
        locale = locale_of(request)
        _ = i18n.translations(locale).gettext
        name = form.get("action", "")
        action = next((a for a in STAFF_ACTIONS if a.value == name), None)
        reason = form.get("reason", "")
        outcome = form.get("outcome", "") or None
        if action is None:
            error = ActionError(name, "action", _("Choose one of the actions on the page"))
            return _case_page(request, actor, case_id, error=error, status=422)
        typed = {"action": action.value, "reason": reason, "outcome": outcome or ""}
        if len(reason) > MAX_REASON:
            text = _("The reason must be %(n)s characters or fewer") % {"n": i18n.format_number(MAX_REASON, locale)}
            return _case_page(
                request, actor, case_id, error=ActionError(action.value, "reason", text), typed=typed, status=422
            )
        try:
            with transaction(_sessions(request)) as session:
                cases.transition(
                    session,
                    actor,
                    case_id,
                    action=action,
                    reason=reason.strip() or None,
                    outcome=outcome,
                    now=_now(),
                )
        except cases.CaseError as exc:
            if exc.status == 404:
                raise
            if exc.status == 403 and actor.role not in cases.STAFF:  # pragma: no cover - _staff stops these
                raise
            with transaction(_sessions(request)) as session:
                current = cases.read(session, actor, case_id, now=_now())
                current_status = current.status
            error = action_error(exc, action, locale, current_status)
            return _case_page(request, actor, case_id, error=error, typed=typed, status=exc.status)
        return RedirectResponse(f"/queue/cases/{case_id}?done={action.value}", status_code=303)

    return await run_in_threadpool(_guard, request, work)


__all__ = ["FIELD_DESCRIPTIONS", "action_error", "history", "parse_queue", "router", "sort_columns"]
