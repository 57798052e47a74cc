"""Pages for the applicant: their cases, the application as a multi-step form, the review, the case and appeal.

Every page calls the same service functions as the API (:mod:`koshi.store.cases`)
with the signed-in user as :class:`~koshi.store.cases.Actor`, so access rules are
the API's: another applicant's case is "not found", wrong roles are refused.

The form's steps come from the pack's input fields, grouped by a small mapping
per pack.  Each step is validated with the pack's own validator (the same code
that checks a submitted profile) and saved to the draft at once, valid answers
only, so progress is never lost and the stored profile never holds junk.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from koshi.cases.states import MIN_REASON, Action, Status
from koshi.documents.iin import InvalidIin, validate_iin
from koshi.reference.regions import BY_KATO
from koshi.rules.engine import UnknownPack, get_pack
from koshi.rules.pack import InputField, PolicyPack
from koshi.rules.validation import profile_table, validate_table
from koshi.store import cases
from koshi.store.db import transaction
from koshi.store.models import Case, CaseEvent
from koshi.web import i18n
from koshi.web.labels import N_
from koshi.web.pages import Stop as _Stop
from koshi.web.pages import signed_in
from koshi.web.render import env, locale_of, page
from koshi.web.security import csrf_ok

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
MAX_REASON = 5000
IIN = "applicant_iin"


# --- words shown from data (all translated in the templates with _()) -------------------------------

PACK_NAMES: dict[str, str] = {
    "kz.permanent_residence": N_("Permanent residence permit"),
    "kz.kandas_status": N_("Kandas status"),
}
PACK_HINTS: dict[str, str] = {
    "kz.permanent_residence": N_(
        "For foreign nationals who want to live in Kazakhstan permanently. Points are given "
        "for age, education, work experience, languages and settlement."
    ),
    "kz.kandas_status": N_(
        "For ethnic Kazakhs who move to Kazakhstan. Priority for the regional quota depends on "
        "settlement, age, education, occupation, Kazakh language and family."
    ),
}

STATUS_LABELS: dict[str, str] = {
    Status.draft: N_("Draft"),
    Status.submitted: N_("Submitted"),
    Status.scored: N_("Scored"),
    Status.in_review: N_("In review"),
    Status.refusal_proposed: N_("Refusal proposed"),
    Status.approved: N_("Approved"),
    Status.refused: N_("Refused"),
    Status.appealed: N_("Appealed"),
    Status.appeal_decided: N_("Appeal decided"),
    Status.withdrawn: N_("Withdrawn"),
}
STATUS_TAGS: dict[str, str] = {
    Status.draft: "govuk-tag--grey",
    Status.submitted: "govuk-tag--blue",
    Status.scored: "govuk-tag--blue",
    Status.in_review: "govuk-tag--yellow",
    Status.refusal_proposed: "govuk-tag--orange",
    Status.approved: "govuk-tag--green",
    Status.refused: "govuk-tag--red",
    Status.appealed: "govuk-tag--purple",
    Status.appeal_decided: "govuk-tag--pink",
    Status.withdrawn: "govuk-tag--grey",
}
DECISION_LABELS: dict[str, str] = {
    "eligible": N_("Eligible"),
    "manual_review": N_("Needs a manual review"),
    "refused": N_("Not eligible"),
}
EVENT_LABELS: dict[str, str] = {
    "create": N_("Application started"),
    "edit": N_("Draft saved"),
    Action.submit: N_("Application submitted"),
    "score": N_("Application scored"),
    Action.take: N_("Taken for review by an officer"),
    Action.approve: N_("Approved"),
    Action.propose_refusal: N_("Refusal proposed"),
    Action.confirm_refusal: N_("Refusal confirmed"),
    Action.return_to_review: N_("Returned for review"),
    Action.appeal: N_("Appeal lodged"),
    Action.decide_appeal: N_("Appeal decided"),
    Action.withdraw: N_("Application withdrawn"),
    Action.override: N_("Decision changed by a supervisor"),
}
# reasons of internal deliberation are not shown to the applicant; final decisions and appeals are
PRIVATE_REASONS = frozenset({Action.propose_refusal.value, Action.return_to_review.value})

# question wording and hint of each input column (falls back to the pack's description)
FIELD_TEXT: dict[str, tuple[str, str | None]] = {
    "birth_date": (N_("Date of birth"), N_("Use the format YYYY-MM-DD, for example 1992-05-01")),
    "education_level": (N_("Highest completed level of education"), None),
    "experience_years": (N_("Years of work experience"), N_("In years, for example 6 or 2.5")),
    "occupation_isco": (
        N_("Occupation code (ISCO-08)"),
        N_("The 4-digit ISCO-08 code of the occupation you have that experience in, for example 2512"),
    ),
    "kazakh_level": (N_("Level of Kazakh"), N_("Common European Framework (CEFR) level")),
    "russian_level": (N_("Level of Russian"), N_("Common European Framework (CEFR) level")),
    "english_level": (N_("Level of English"), N_("Common European Framework (CEFR) level")),
    "kaztest_listening_pct": (N_("KAZTEST listening score, %"), N_("A number from 0 to 100")),
    "kaztest_reading_pct": (N_("KAZTEST reading score, %"), N_("A number from 0 to 100")),
    "health_clearance": (N_("Do you have a medical clearance?"), None),
    "criminal_record": (N_("Do you have an unexpunged criminal record?"), None),
    "prior_deportation": (N_("Have you ever been deported or expelled from Kazakhstan?"), None),
    "family_ties_kz": (N_("Is a close relative of yours a citizen of Kazakhstan?"), None),
    "proof_of_funds_kzt": (N_("Funds on your bank account, in tenge"), N_("For example 6000000")),
    "settlement_region": (N_("Region where you intend to settle"), None),
    "family_size": (
        N_("How many family members are moving, including you?"),
        N_("A whole number from 1 to 30"),
    ),
    "ethnic_kazakh": (N_("Are you of Kazakh nationality?"), None),
    "origin_evidence": (N_("What evidence of Kazakh nationality do you have?"), None),
    "former_kz_citizen": (N_("Have you ever been a citizen of Kazakhstan?"), None),
    "working_age_members": (
        N_("How many of the other family members moving with you are of working age?"),
        N_("A whole number; 0 if none"),
    ),
    "support_requested": (N_("Are you applying for state support?"), None),
    "social_contract_signed": (N_("Have you signed the social contract?"), None),
    IIN: (N_("Individual identification number (IIN), if you have one"), N_("12 digits. Leave empty if you have none")),
}

_CEFR = {
    "none": N_("No knowledge"),
    "a1": N_("A1 (beginner)"),
    "a2": N_("A2 (elementary)"),
    "b1": N_("B1 (intermediate)"),
    "b2": N_("B2 (upper intermediate)"),
    "c1": N_("C1 (advanced)"),
    "c2": N_("C2 (proficient)"),
}
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "education_level": {
        "isced_0": N_("Early childhood education (ISCED 0)"),
        "isced_1": N_("Primary education (ISCED 1)"),
        "isced_2": N_("Lower secondary education (ISCED 2)"),
        "isced_3": N_("Upper secondary education (ISCED 3)"),
        "isced_4": N_("Post-secondary non-tertiary education (ISCED 4)"),
        "isced_5": N_("Short-cycle tertiary education (ISCED 5)"),
        "isced_6": N_("Bachelor's degree or equivalent (ISCED 6)"),
        "isced_7": N_("Master's degree or equivalent (ISCED 7)"),
        "isced_8": N_("Doctoral degree or equivalent (ISCED 8)"),
    },
    "kazakh_level": _CEFR,
    "russian_level": _CEFR,
    "english_level": _CEFR,
    "origin_evidence": {
        "documents": N_("Documents that confirm Kazakh nationality"),
        "commission": N_("A recommendation of the commission"),
        "none": N_("No evidence"),
    },
}

# criterion and check labels of the packs with cases, and their extra outputs (shown in explanations)
RULE_LABELS = (
    N_("Kazakhstan: permanent residence permit, points assessment"),
    N_("Kazakhstan: kandas status, eligibility and quota priority"),
    N_("Age"),
    N_("Education"),
    N_("Work experience"),
    N_("In-demand occupation"),
    N_("Kazakh language"),
    N_("Russian language"),
    N_("English language"),
    N_("Family ties in Kazakhstan"),
    N_("Settlement in a labour-deficit region"),
    N_("Working age"),
    N_("Working-age family members"),
    N_("KAZTEST A1 not passed"),
    N_("Unexpunged criminal record"),
    N_("Prior deportation or expulsion"),
    N_("Principal applicant under 18"),
    N_("Medical clearance missing"),
    N_("Funds below the threshold"),
    N_("Score just under the pass mark"),
    N_("Not of Kazakh nationality"),
    N_("No evidence of Kazakh nationality"),
    N_("Was a citizen of Kazakhstan"),
    N_("Nationality rests on a commission recommendation"),
    N_("Criminal record to be assessed"),
    N_("Support requested without its conditions"),
)
OUTPUT_LABELS: dict[str, str] = {
    "kz_pr_funds_threshold_kzt": N_("Funds required, tenge"),
    "kz_kd_priority": N_("Priority for the regional quota"),
    "kz_kd_support_eligible": N_("Eligible for state support"),
}
OUTPUT_VALUES: dict[str, str] = {"high": N_("High"), "medium": N_("Medium"), "standard": N_("Standard")}

# which fields go on which step, per pack; fields not listed follow, five to a step
STEP_PLAN: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "kz.permanent_residence": (
        (N_("About you"), ("birth_date", "settlement_region", "family_size", "family_ties_kz")),
        (N_("Education and work"), ("education_level", "experience_years", "occupation_isco", "proof_of_funds_kzt")),
        (
            N_("Languages"),
            ("kazakh_level", "russian_level", "english_level", "kaztest_listening_pct", "kaztest_reading_pct"),
        ),
        (N_("Checks"), ("health_clearance", "criminal_record", "prior_deportation")),
    ),
    "kz.kandas_status": (
        (N_("About you"), ("birth_date", "ethnic_kazakh", "origin_evidence", "former_kz_citizen")),
        (
            N_("Education, work and language"),
            ("education_level", "experience_years", "occupation_isco", "kazakh_level"),
        ),
        (N_("Family and settlement"), ("settlement_region", "family_size", "working_age_members")),
        (N_("Checks and support"), ("criminal_record", "support_requested", "social_contract_signed")),
    ),
}
MORE_QUESTIONS = N_("More questions")
FIELDS_PER_STEP = 5


@dataclass(frozen=True, slots=True)
class Step:
    """One page of the application form."""

    number: int
    title: str
    fields: tuple[InputField, ...]


def steps_for(pack: PolicyPack) -> tuple[Step, ...]:
    """The pack's fields grouped into pages (by :data:`STEP_PLAN`, then five at a time)."""
    by_column = {f.column: f for f in pack.fields}
    steps: list[Step] = []
    placed: set[str] = set()
    for title, columns in STEP_PLAN.get(pack.id, ()):
        fields = tuple(by_column[c] for c in columns if c in by_column)
        if fields:
            steps.append(Step(len(steps) + 1, title, fields))
            placed.update(f.column for f in fields)
    rest = [f for f in pack.fields if f.column not in placed]
    for i in range(0, len(rest), FIELDS_PER_STEP):
        steps.append(Step(len(steps) + 1, MORE_QUESTIONS, tuple(rest[i : i + FIELDS_PER_STEP])))
    return tuple(steps)


def step_of(steps: Sequence[Step], column: str) -> int | None:
    """The step number asking for ``column``."""
    for s in steps:
        if any(f.column == column for f in s.fields):
            return s.number
    return 1 if column == IIN else None


# --- values: from the form, to the profile, to the page ----------------------------------------------


def _typed(f: InputField, value: Any) -> Any:
    """A parsed numpy value of ``f`` as the JSON value stored in the profile."""
    if f.kind == "bool":
        return bool(value)
    if f.kind == "int":
        return int(value)
    if f.kind == "float":
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if f.kind == "date":
        return str(np.datetime64(value, "D"))
    return str(value)


def form_text(f: InputField | None, value: Any) -> str:
    """A stored value as the text of its form control."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def region_name(kato: str, locale: str) -> str:
    region = BY_KATO.get(str(kato))
    if region is None:
        return str(kato)
    return {"ru": region.name_ru, "kk": region.name_kk}.get(locale, region.name_en)


def display(column: str, value: Any, locale: str) -> str:
    """A stored input value for people: translated choices, region names, local dates and numbers."""
    gettext = i18n.translations(locale).gettext
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if column == "settlement_region":
        return region_name(str(value), locale)
    labels = CHOICE_LABELS.get(column)
    if labels is not None and str(value) in labels:
        return gettext(labels[str(value)])
    if isinstance(value, int | float):
        number = float(value)
        return i18n.format_number(number, locale, 0 if number.is_integer() else 2)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return i18n.format_date(dt.date.fromisoformat(value), locale)
        except ValueError:
            return value
    if isinstance(value, list):
        return gettext("a table of %(n)s rows") % {"n": len(value)}
    return str(value)


def _number(value: float | None, locale: str) -> str:
    if value is None:
        return ""
    return i18n.format_number(value, locale, 0 if float(value).is_integer() else 2)


def error_text(f: InputField | None, reason: str, locale: str) -> str:
    """The validator's English reason as a translated GOV.UK-style instruction."""
    _ = i18n.translations(locale).gettext
    if reason == "is required":
        if f is not None and (f.kind in ("bool", "enum")):
            return _("Select an answer")
        return _("Enter an answer")
    if reason in ("is not a number", "is not a finite number"):
        return _("Enter a number")
    if reason in ("is not an integer", "is not a whole number"):
        return _("Enter a whole number")
    if reason.startswith("is below the minimum") and f is not None:
        return _("Enter a number of at least %(n)s") % {"n": _number(f.minimum, locale)}
    if reason.startswith("is above the maximum") and f is not None:
        return _("Enter a number no greater than %(n)s") % {"n": _number(f.maximum, locale)}
    if reason.startswith("is not a date"):
        return _("Enter a real date in the format YYYY-MM-DD")
    if reason.startswith("is not one of") or reason.startswith("is not a boolean"):
        return _("Select one of the options")
    if reason.startswith("does not match the pattern"):
        if f is not None and f.pattern == "^[0-9]{4}$":
            return _("Enter exactly 4 digits")
        return _("Enter the answer in the format shown")
    return _(reason)


@dataclass(frozen=True, slots=True)
class FieldError:
    """A message next to a field and in the error summary."""

    column: str
    label: str  # msgid of the question
    message: str  # translated
    href: str


def label_of(pack: PolicyPack | None, column: str) -> str:
    """The msgid of a column's question (the pack's description when there is no wording for it)."""
    if column in FIELD_TEXT:
        return FIELD_TEXT[column][0]
    if pack is not None:
        for f in pack.fields:
            if f.column == column:
                return f.description
    return column


def _field(pack: PolicyPack, column: str) -> InputField | None:
    return next((f for f in pack.fields if f.column == column), None)


def check_step(
    pack: PolicyPack, step: Step, profile: Mapping[str, Any], typed: Mapping[str, str], locale: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate a step's answers in the context of the whole profile.

    Returns the parsed values of the answered, valid fields of the step and the
    error message of each invalid field (by column).
    """
    row: dict[str, Any] = {f.column: profile.get(f.column) for f in pack.fields}
    for f in step.fields:
        row[f.column] = typed.get(f.column, "").strip() or None
    checked = validate_table(pack, profile_table(row))
    ours = {f.column for f in step.fields}
    errors: dict[str, str] = {}
    for e in checked.errors:
        if e.field in ours and e.field not in errors:
            errors[e.field] = error_text(_field(pack, e.field), e.reason, locale)
    values: dict[str, Any] = {}
    for f in step.fields:
        if f.column not in errors and row[f.column] is not None:
            values[f.column] = _typed(f, checked.columns[f.column][0])
    return values, errors


# --- the signed-in applicant --------------------------------------------------------------------------


def _problem(request: Request, status: int, message: str | None = None) -> Response:
    return page(request, "applicant_problem.html", status_code=status, problem=status, message=message)


def _applicant(request: Request) -> cases.Actor:
    user = signed_in(request, ("applicant",), lambda: _problem(request, 403))
    return cases.Actor(user.id, user.role)


def _case_error(request: Request, exc: cases.CaseError) -> Response:
    if exc.status in (403, 404):
        return _problem(request, exc.status)
    return _problem(request, exc.status, exc.message)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sessions(request: Request) -> Any:
    return request.app.state.sessions


def _guard(request: Request, work: Callable[[], Response]) -> Response:
    try:
        return work()
    except _Stop as stop:
        return stop.response
    except cases.CaseError as exc:
        return _case_error(request, exc)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _csrf_then_applicant(request: Request, form: Mapping[str, str]) -> cases.Actor:
    if request.state.user is None:
        raise _Stop(RedirectResponse("/sign-in", status_code=303))
    if not csrf_ok(request, form.get("csrf_token")):
        raise _Stop(_problem(request, 400))
    return _applicant(request)


def pack_name(pack_id: str) -> str:
    if pack_id in PACK_NAMES:
        return PACK_NAMES[pack_id]
    try:
        return get_pack(pack_id).title
    except UnknownPack:  # an unknown pack id in old data: show the id
        return pack_id


def _common() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "status_tags": STATUS_TAGS,
        "decision_labels": DECISION_LABELS,
        "pack_name": pack_name,
    }


# --- 1. the applicant's cases -------------------------------------------------------------------------


@router.get("/my/cases")
def my_cases(request: Request, page_no: Annotated[str, Query(alias="page")] = "1") -> Response:
    def work() -> Response:
        actor = _applicant(request)
        number = int(page_no) if page_no.isdigit() and len(page_no) <= 5 and int(page_no) > 0 else 1
        f = cases.QueueFilter(sort="-updated_at", page=number, page_size=PAGE_SIZE)
        with transaction(_sessions(request)) as session:
            items, total = cases.listing(session, actor, f, now=_now())
        pages = max(1, math.ceil(total / PAGE_SIZE))
        return page(
            request,
            "applicant_cases.html",
            items=items,
            total=total,
            page_no=number,
            pages=pages,
            **_common(),
        )

    return _guard(request, work)


# --- 2. a new application: the procedure, then the steps ----------------------------------------------


@router.get("/my/cases/new")
def new_case_form(request: Request) -> Response:
    def work() -> Response:
        _applicant(request)
        return _new_page(request, None, 200)

    return _guard(request, work)


def _new_page(request: Request, error: str | None, status: int, chosen: str = "") -> Response:
    packs = [(p, PACK_NAMES.get(p, p), PACK_HINTS.get(p)) for p in cases.PACKS_WITH_CASES]
    return page(request, "applicant_new.html", status_code=status, packs=packs, error=error, chosen=chosen)


@router.post("/my/cases/new")
async def new_case(request: Request) -> Response:
    form = await _form(request)

    def work() -> Response:
        actor = _csrf_then_applicant(request, form)
        pack = form.get("pack", "")
        if pack not in cases.PACKS_WITH_CASES:
            return _new_page(request, N_("Select the procedure you are applying for"), 422)
        with transaction(_sessions(request)) as session:
            case = cases.create(session, actor, pack=pack, profile={}, applicant_iin=None, now=_now())
            case_id = case.id
        return RedirectResponse(f"/my/cases/{case_id}/steps/1", status_code=303)

    return await run_in_threadpool(_guard, request, work)


def _step_page(
    request: Request,
    case: Case,
    steps: Sequence[Step],
    step: Step,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    back_to_review: bool,
    status: int = 200,
) -> Response:
    locale = locale_of(request)
    pack = get_pack(case.pack)
    summary = [
        FieldError(c, label_of(pack, c), m, f"#{c}")
        for c in [f.column for f in step.fields] + ([IIN] if step.number == 1 else [])
        if (m := errors.get(c))
    ]
    regions = sorted(
        ((kato, region_name(kato, locale)) for kato in BY_KATO),
        key=lambda kv: kv[1],
    )
    back = (
        f"/my/cases/{case.id}/review"
        if back_to_review
        else (f"/my/cases/{case.id}/steps/{step.number - 1}" if step.number > 1 else "/my/cases")
    )
    return page(
        request,
        "applicant_step.html",
        status_code=status,
        case=case,
        step=step,
        steps=steps,
        values=values,
        errors=errors,
        summary=summary,
        field_text=FIELD_TEXT,
        choice_labels=CHOICE_LABELS,
        regions=regions,
        back=back,
        back_to_review=back_to_review,
        iin=IIN,
        **_common(),
    )


def _draft_or_redirect(case: Case) -> None:
    if case.status != Status.draft.value:
        raise _Stop(RedirectResponse(f"/my/cases/{case.id}", status_code=303))


def _the_step(case: Case, number: str) -> tuple[tuple[Step, ...], Step]:
    steps = steps_for(get_pack(case.pack))
    if not (number.isdigit() and 1 <= int(number) <= len(steps)):
        raise cases.not_found(case.id)
    return steps, steps[int(number) - 1]


@router.get("/my/cases/{case_id}/steps/{number}")
def step_form(request: Request, case_id: str, number: str, back: str = "") -> Response:
    def work() -> Response:
        actor = _applicant(request)
        with transaction(_sessions(request)) as session:
            case = cases.read(session, actor, case_id, now=_now())
        _draft_or_redirect(case)
        steps, step = _the_step(case, number)
        values = {f.column: form_text(f, case.profile.get(f.column)) for f in step.fields}
        values[IIN] = case.applicant_iin or ""
        return _step_page(request, case, steps, step, values, {}, back == "review")

    return _guard(request, work)


@router.post("/my/cases/{case_id}/steps/{number}")
async def step_save(request: Request, case_id: str, number: str) -> Response:
    form = await _form(request)

    def work() -> Response:
        actor = _csrf_then_applicant(request, form)
        locale = locale_of(request)
        back_to_review = form.get("back") == "review"
        with transaction(_sessions(request)) as session:
            case = cases.read(session, actor, case_id, now=_now())
            _draft_or_redirect(case)
            steps, step = _the_step(case, number)
            pack = get_pack(case.pack)
            typed = {f.column: form.get(f.column, "") for f in step.fields}
            values, errors = check_step(pack, step, case.profile, typed, locale)
            profile = dict(case.profile)
            for f in step.fields:
                profile.pop(f.column, None)
            profile.update(values)
            iin: str | None = None
            if step.number == 1:
                typed[IIN] = form.get(IIN, "").strip()
                iin = typed[IIN].replace(" ", "")
                if iin:
                    try:
                        validate_iin(iin)
                    except InvalidIin:
                        errors[IIN] = i18n.translations(locale).gettext(
                            "Enter a valid IIN: 12 digits, as on your identity document"
                        )
                        iin = None  # keep the stored one
            case = cases.update_draft(session, actor, case.id, profile=profile, applicant_iin=iin, now=_now())
        if errors:
            return _step_page(request, case, steps, step, typed, errors, back_to_review, status=422)
        if form.get("later"):
            return RedirectResponse("/my/cases", status_code=303)
        if back_to_review or step.number == len(steps):
            return RedirectResponse(f"/my/cases/{case.id}/review", status_code=303)
        return RedirectResponse(f"/my/cases/{case.id}/steps/{step.number + 1}", status_code=303)

    return await run_in_threadpool(_guard, request, work)


# --- 3. check your answers, submit --------------------------------------------------------------------


def _review_page(request: Request, case: Case, errors: Sequence[FieldError], status: int = 200) -> Response:
    locale = locale_of(request)
    pack = get_pack(case.pack)
    steps = steps_for(pack)
    sections = []
    for step in steps:
        rows = []
        if step.number == 1:
            rows.append((IIN, label_of(pack, IIN), case.applicant_iin or "", bool(case.applicant_iin)))
        for f in step.fields:
            value = case.profile.get(f.column)
            rows.append((f.column, label_of(pack, f.column), display(f.column, value, locale), value is not None))
        sections.append((step, rows))
    return page(
        request,
        "applicant_review.html",
        status_code=status,
        case=case,
        sections=sections,
        errors=errors,
        **_common(),
    )


@router.get("/my/cases/{case_id}/review")
def review(request: Request, case_id: str) -> Response:
    def work() -> Response:
        actor = _applicant(request)
        with transaction(_sessions(request)) as session:
            case = cases.read(session, actor, case_id, now=_now())
        _draft_or_redirect(case)
        return _review_page(request, case, [])

    return _guard(request, work)


def profile_errors(pack: PolicyPack, profile: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The problems submission would find, as the service reports them (unanswered questions included)."""
    row = {f.column: profile.get(f.column) for f in pack.fields}
    checked = validate_table(pack, profile_table(row))
    return [{"field": f"profile.{e.field}", "message": e.reason} for e in checked.errors]


def _submit_errors(case: Case, problems: Sequence[Mapping[str, Any]], locale: str) -> list[FieldError]:
    pack = get_pack(case.pack)
    steps = steps_for(pack)
    order = {f.column: i for i, f in enumerate(f for s in steps for f in s.fields)}
    out: list[tuple[int, FieldError]] = []
    for e in problems:
        column = str(e.get("field") or "").removeprefix("profile.")
        number = step_of(steps, column)
        message = error_text(_field(pack, column), str(e.get("message", "")), locale)
        href = f"/my/cases/{case.id}/steps/{number}?back=review#{column}" if number else "#submit"
        out.append((order.get(column, -1), FieldError(column, label_of(pack, column) if number else "", message, href)))
    return [e for _, e in sorted(out, key=lambda pair: pair[0])]


@router.post("/my/cases/{case_id}/submit")
async def submit(request: Request, case_id: str) -> Response:
    form = await _form(request)

    def work() -> Response:
        actor = _csrf_then_applicant(request, form)
        try:
            with transaction(_sessions(request)) as session:
                case = cases.read(session, actor, case_id, now=_now())
                _draft_or_redirect(case)
                # checked here too: the service raises for a profile with whole questions missing
                problems = profile_errors(get_pack(case.pack), case.profile)
                if not problems:
                    cases.submit(session, actor, case_id, now=_now())
        except cases.CaseError as exc:
            if exc.status == 409:
                return RedirectResponse(f"/my/cases/{case_id}", status_code=303)
            if exc.status != 422:
                raise
            with transaction(_sessions(request)) as session:
                case = cases.read(session, actor, case_id, now=_now())
            problems = exc.errors or [{"field": None, "message": exc.message}]
        if problems:
            return _review_page(request, case, _submit_errors(case, problems, locale_of(request)), status=422)
        return RedirectResponse(f"/my/cases/{case_id}?done=submitted", status_code=303)

    return await run_in_threadpool(_guard, request, work)


# --- 4. the case: status, history, score and explanation, appeal, withdraw ----------------------------


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of the case's history as the applicant sees it."""

    label: str
    at: dt.datetime
    role: str
    reason: str | None
    times: int = 1


def timeline(events: Sequence[CaseEvent]) -> list[TimelineEntry]:
    """Newest first; consecutive draft saves are one entry."""
    out: list[TimelineEntry] = []
    for e in events:
        reason = None if e.action in PRIVATE_REASONS else e.reason
        label = EVENT_LABELS.get(e.action, e.action)
        if out and e.action == "edit" and out[-1].label == label:
            last = out[-1]
            out[-1] = TimelineEntry(label, e.at, e.actor_role, None, last.times + 1)
            continue
        out.append(TimelineEntry(label, e.at, e.actor_role, reason))
    return out[::-1]


def _case_page(
    request: Request,
    actor: cases.Actor,
    case_id: str,
    *,
    appeal_error: str | None = None,
    reason: str = "",
    status: int = 200,
) -> Response:
    with transaction(_sessions(request)) as session:
        case = cases.read(session, actor, case_id, now=_now())
        history = cases.events(session, actor, case_id, now=_now())
        allowed = cases.allowed_for(session, actor, case)
    done = request.query_params.get("done")
    return page(
        request,
        "applicant_case.html",
        status_code=status,
        case=case,
        timeline=timeline(history),
        allowed=allowed,
        explanation=case.explanation,
        appeal_error=appeal_error,
        reason=reason,
        done=done if done in ("submitted", "appealed", "withdrawn") else None,
        min_reason=MIN_REASON,
        **_common(),
    )


@router.get("/my/cases/{case_id}")
def case_page(request: Request, case_id: str) -> Response:
    def work() -> Response:
        return _case_page(request, _applicant(request), case_id)

    return _guard(request, work)


@router.post("/my/cases/{case_id}/appeal")
async def appeal(request: Request, case_id: str) -> Response:
    form = await _form(request)

    def work() -> Response:
        actor = _csrf_then_applicant(request, form)
        _ = i18n.translations(locale_of(request)).gettext
        reason = form.get("reason", "").strip()
        error = None
        if len(reason) < MIN_REASON:
            error = _("Explain why you appeal, in at least %(n)s characters") % {"n": MIN_REASON}
        elif len(reason) > MAX_REASON:
            error = _("Your reason must be %(n)s characters or fewer") % {
                "n": i18n.format_number(MAX_REASON, locale_of(request))
            }
        if error is None:
            try:
                with transaction(_sessions(request)) as session:
                    cases.transition(
                        session, actor, case_id, action=Action.appeal, reason=reason, outcome=None, now=_now()
                    )
            except cases.CaseError as exc:
                if exc.status == 409:
                    error = _("This case cannot be appealed now")
                elif exc.status == 422:
                    error = _("Explain why you appeal, in at least %(n)s characters") % {"n": MIN_REASON}
                else:
                    raise
        if error is not None:
            return _case_page(request, actor, case_id, appeal_error=error, reason=reason, status=422)
        return RedirectResponse(f"/my/cases/{case_id}?done=appealed", status_code=303)

    return await run_in_threadpool(_guard, request, work)


@router.get("/my/cases/{case_id}/withdraw")
def withdraw_form(request: Request, case_id: str) -> Response:
    def work() -> Response:
        actor = _applicant(request)
        with transaction(_sessions(request)) as session:
            case = cases.read(session, actor, case_id, now=_now())
            allowed = cases.allowed_for(session, actor, case)
        if Action.withdraw.value not in allowed:
            return RedirectResponse(f"/my/cases/{case.id}", status_code=303)
        return page(request, "applicant_withdraw.html", case=case, **_common())

    return _guard(request, work)


@router.post("/my/cases/{case_id}/withdraw")
async def withdraw(request: Request, case_id: str) -> Response:
    form = await _form(request)

    def work() -> Response:
        actor = _csrf_then_applicant(request, form)
        try:
            with transaction(_sessions(request)) as session:
                cases.transition(session, actor, case_id, action=Action.withdraw, reason=None, outcome=None, now=_now())
        except cases.CaseError as exc:
            if exc.status != 409:
                raise
            return RedirectResponse(f"/my/cases/{case_id}", status_code=303)
        return RedirectResponse(f"/my/cases/{case_id}?done=withdrawn", status_code=303)

    return await run_in_threadpool(_guard, request, work)


# --- the explanation include: helpers it needs wherever it is rendered ---------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """A numbered legal or documentary source of an explanation."""

    number: int
    title: str
    href: str | None


class ExplanationHelpers:
    """Available to every template as ``koshi_explain`` (``explanation.html`` uses it)."""

    @staticmethod
    def label(column: str) -> str:
        """The msgid naming an input column."""
        return FIELD_TEXT[column][0] if column in FIELD_TEXT else column

    @staticmethod
    def value(column: str, value: Any, locale: str) -> str:
        return display(column, value, locale)

    @staticmethod
    def decision(value: str) -> str:
        """The msgid of the rules' recommendation."""
        return DECISION_LABELS.get(value, value)

    @staticmethod
    def output_label(key: str) -> str:
        return OUTPUT_LABELS.get(key, key)

    @staticmethod
    def output_value(value: Any, locale: str) -> str:
        gettext = i18n.translations(locale).gettext
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, int | float):
            return _number(float(value), locale)
        return gettext(OUTPUT_VALUES[value]) if value in OUTPUT_VALUES else str(value)

    @staticmethod
    def number(value: float | None, locale: str) -> str:
        return _number(value, locale)

    @staticmethod
    def date(value: str | dt.date | None) -> dt.date | None:
        if value is None or isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(value)

    @staticmethod
    def sources(explanation: Mapping[str, Any]) -> list[Source]:
        """Every distinct reference of the criteria and checks, numbered in order of first use."""
        seen: dict[tuple[str, str | None], Source] = {}
        for item in list(explanation.get("criteria", [])) + list(explanation.get("gates", [])):
            for ref in item.get("references", []):
                key = (str(ref.get("title", "")), ref.get("href"))
                seen.setdefault(key, Source(len(seen) + 1, key[0], key[1]))
        return list(seen.values())

    @staticmethod
    def source_numbers(sources: Sequence[Source], references: Sequence[Mapping[str, Any]]) -> list[int]:
        index = {(s.title, s.href): s.number for s in sources}
        return [index[(str(r.get("title", "")), r.get("href"))] for r in references]


env.globals["koshi_explain"] = ExplanationHelpers()

__all__ = ["ExplanationHelpers", "Step", "check_step", "display", "router", "steps_for"]
