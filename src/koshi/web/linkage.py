"""Record linkage pages for the migration police: the clerical review queue, one pair side by side, decisions.

Pairs of records that the model could neither link nor keep apart (a match probability in the
review band) wait here for an officer.  Every page calls the same service functions as the
registry API (:mod:`koshi.store.linkage`) with the signed-in user as the actor, so who may read
(police, supervisors), decide (police) or run the linkage (police, admin) is decided there, and
its refusals come back as pages (403, 404) or as messages next to the form's fields (409, 422).

The review page shows the two records field by field, with the differences marked in words
(not by colour alone), and the evidence that gave the score as a waterfall: the prior, each
comparison's level and match weight (the strongest for the same person first, the strongest
against last), the name frequency adjustment, and the final weight with its probability.  A
decision overrides the model in every later run, so the queue says what it did: merged, split,
or no change.  The open queue is worked oldest first, as the service lists it: no pair waits
behind newer ones, and two records of one traveller left as two persons are the risk that
grows with time (a stay counted twice, an exit not seen).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from koshi.documents.iin import mask
from koshi.documents.translit import match_key
from koshi.store import linkage as store
from koshi.store import overstays
from koshi.store.cases import Actor
from koshi.store.db import transaction
from koshi.web import i18n
from koshi.web.labels import N_
from koshi.web.pages import WebUser
from koshi.web.paging import pagination
from koshi.web.police import DOC_TYPE_LABELS, SEX_LABELS, today
from koshi.web.police_common import actor_of, sessions_of, to_sign_in, user_of, utc_now
from koshi.web.render import locale_of, page
from koshi.web.security import csrf_ok

router = APIRouter(include_in_schema=False)

QUEUE_PATH = "/police/linkage"
PAGE_SIZE = 25
TABS = store.STATUSES
MAX_NOTE = store.MAX_NOTE
RUN_FLASH = "linkage_run"  # the session key carrying a run's counts to the queue it redirects to
DECISION_FLASH = "linkage_decision"  # ... and what a decision did
BAR_STEPS = 20  # a waterfall bar is 0..20 twentieths of its half of the cell (CSS classes: no inline style)

# --- words shown from data (translated where they are shown) ---------------------------------------

STATUS_LABELS: dict[str, str] = {
    "open": N_("To review"),
    "accepted": N_("Same person"),
    "rejected": N_("Different people"),
    "superseded": N_("Linked meanwhile"),
}
STATUS_TAGS: dict[str, str] = {
    "open": "govuk-tag--blue",
    "accepted": "govuk-tag--green",
    "rejected": "govuk-tag--orange",
    "superseded": "govuk-tag--grey",
}
DECISION_LABELS: dict[str, str] = {"same": N_("Same person"), "different": N_("Different people")}
FEED_LABELS: dict[str, str] = {  # the feed that first stated the identity, in the police pages' words
    "authorizations": N_("Travel authorization"),
    "border_events": N_("Border crossing"),
    "registrations": N_("Registration at the place of stay"),
    "permits": N_("Permit"),
}
COMPARISON_LABELS: dict[str, str] = {
    "name": N_("Names"),
    "dob": N_("Date of birth"),
    "sex": N_("Sex"),
    "nationality": N_("Nationality"),
    "document": N_("Travel document"),
    "iin": N_("IIN"),
}
LEVEL_LABELS: dict[str, str] = {  # the model's level labels (koshi.linkage.model) as the page says them
    "same names": N_("Same names"),
    "same names, another order": N_("Same names in another order"),
    "both names similar (Jaro-Winkler >= 0.92)": N_("Both names very similar (Jaro-Winkler 0.92 or more)"),
    "names swapped and similar (Jaro-Winkler >= 0.92)": N_(
        "Names swapped and very similar (Jaro-Winkler 0.92 or more)"
    ),
    "both names alike (Jaro-Winkler >= 0.8)": N_("Both names alike (Jaro-Winkler 0.8 or more)"),
    "one name word shared": N_("One name word shared"),
    "different names": N_("Different names"),
    "same date": N_("Same date"),
    "day and month swapped": N_("Day and month swapped"),
    "one digit off or two swapped": N_("One digit off or two digits swapped"),
    "different dates": N_("Different dates"),
    "same sex": N_("Same sex"),
    "different sex": N_("Different sex"),
    "same nationality": N_("Same nationality"),
    "different nationality": N_("Different nationality"),
    "same document": N_("Same document"),
    "same state, number one character off": N_("Same issuing state, number one character off"),
    "another document": N_("Another document"),
    "same IIN": N_("Same IIN"),
    "different IIN": N_("Different IIN"),
}
NOT_KNOWN_LEVEL = N_("Not known on one side: no evidence either way")
VERDICT_LABELS: dict[str, str] = {
    "same": N_("Same"),
    "alike": N_("Same when transliterated"),
    "swapped": N_("Same name words, another order"),
    "differs": N_("Differs"),
    "unknown": N_("Not known"),
}
VERDICT_TAGS: dict[str, str] = {
    "same": "govuk-tag--green",
    "alike": "govuk-tag--yellow",
    "swapped": "govuk-tag--yellow",
    "differs": "govuk-tag--red",
    "unknown": "govuk-tag--grey",
}
FIELD_LABELS: dict[str, str] = {
    "feed": N_("Source feed"),
    "doc_type": N_("Document type"),
    "doc_country": N_("Issuing state"),
    "doc_number": N_("Document number"),
    "surname": N_("Surname"),
    "given_names": N_("Given names"),
    "birth_date": N_("Date of birth"),
    "sex": N_("Sex"),
    "nationality": N_("Nationality"),
    "iin": N_("IIN"),
    "person": N_("Person now"),
}


# --- common ----------------------------------------------------------------------------------------


def _problem(request: Request, status: int) -> Response:
    return page(request, "police_linkage_problem.html", status_code=status, problem=status)


def _number(text: str) -> int:
    """The id in an address; 0 (nothing) when it is not a number, so the service answers 403 or 404."""
    return int(text) if text.isdigit() and len(text) <= 12 else 0


def signed(weight: float, locale: str) -> str:
    """A match weight with its sign, to one decimal (a minus sign, not a hyphen).

    >>> signed(11.78, "en"), signed(-1.84, "en"), signed(0.01, "en")
    ('+11.8', '−1.8', '0.0')
    """
    text = i18n.format_number(abs(weight), locale, 1)
    if round(weight, 1) == 0:
        return text
    return ("+" if weight > 0 else "−") + text


def _refresh(session: Any, user: WebUser) -> None:
    """Recompute everyone's stay status in the caller's transaction, as the API does after a run or a
    decision that changed persons: the overstay lists name persons."""
    overstays.refresh(session, actor_of(user), today(), utc_now())


def _kz_day(value: dt.datetime, locale: str) -> str:
    """The Kazakhstan date of a stored (UTC) time."""
    return i18n.format_date(value.astimezone(i18n.DISPLAY_TZ).date(), locale)


# --- 1. the queue ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueForm:
    """The queue's query: which tab and page (a wrong value falls back to the default, never a crash)."""

    status: str
    page: int


def parse_queue(params: Mapping[str, str]) -> QueueForm:
    """Read the queue's query leniently.

    >>> parse_queue({"status": "accepted", "page": "3"})
    QueueForm(status='accepted', page=3)
    >>> parse_queue({"status": "nope", "page": "-1"})
    QueueForm(status='open', page=1)
    """
    status = params.get("status", "open")
    number = params.get("page", "1")
    page_number = int(number) if number.isdigit() and len(number) <= 6 and int(number) > 0 else 1
    return QueueForm(status if status in TABS else "open", page_number)


def queue_url(status: str = "open", page_number: int = 1) -> str:
    """The address of a queue page (defaults left out).

    >>> queue_url(), queue_url("rejected", 2)
    ('/police/linkage', '/police/linkage?status=rejected&page=2')
    """
    values = {"status": status if status != "open" else None, "page": page_number if page_number != 1 else None}
    clean = {k: str(v) for k, v in values.items() if v is not None}
    return QUEUE_PATH + ("?" + urlencode(clean) if clean else "")


def _flash(request: Request, key: str) -> dict[str, Any] | None:
    """What a run or a decision of this session just did (shown once)."""
    flash = request.session.pop(key, None)
    return flash if isinstance(flash, dict) else None


@router.get(QUEUE_PATH)
def queue(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    locale = locale_of(request)
    form = parse_queue(request.query_params)
    try:
        with transaction(sessions_of(request)) as session:
            found = store.reviews(
                session, actor_of(user), status=form.status, page=form.page, per_page=PAGE_SIZE, now=utc_now()
            )
    except store.LinkageError as exc:
        return _problem(request, exc.status)
    if form.page > found.pages and found.total:
        return RedirectResponse(queue_url(form.status, found.pages), status_code=303)

    def href(n: int) -> str:
        return queue_url(form.status, n)

    return page(
        request,
        "police_linkage.html",
        form=form,
        found=found,
        rows=found.items,
        tabs=[(k, queue_url(k)) for k in TABS],
        status_labels=STATUS_LABELS,
        status_tags=STATUS_TAGS,
        feed_labels=FEED_LABELS,
        pages=found.pages,
        page_links=pagination(form.page, found.pages, href),
        prev_href=href(form.page - 1),
        next_href=href(form.page + 1),
        first=(form.page - 1) * PAGE_SIZE + 1,
        last=(form.page - 1) * PAGE_SIZE + len(found.items),
        can_run=user.role in store.RUNNERS,
        run_flash=_flash(request, RUN_FLASH),
        decision_flash=_flash(request, DECISION_FLASH),
        kz_day=lambda v: _kz_day(v, locale),
    )


@router.post(QUEUE_PATH + "/run")
def run(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    """Link the records that arrived since the last run, as the signed-in officer (and recompute the stays)."""
    user = user_of(request)
    if user is None:
        return to_sign_in()
    if not csrf_ok(request, csrf_token):
        return _problem(request, 400)
    try:
        with transaction(sessions_of(request)) as session:
            report = store.run(session, actor_of(user), utc_now())
            counts = report.counts
            if counts.get("merges") or counts.get("splits") or counts.get("persons_created"):
                _refresh(session, user)
    except overstays.RegistryError as exc:
        if not isinstance(exc, store.LinkageError) or exc.status != 422:
            return _problem(request, exc.status)
        # the registry is empty, or its records are malformed (the service's English, shown as such)
        request.session[RUN_FLASH] = {"error": "empty" if "no records" in exc.message else exc.message}
        return RedirectResponse(QUEUE_PATH, status_code=303)
    request.session[RUN_FLASH] = {
        "run_id": report.run_id,
        "mode": report.mode,
        **{k: int(counts.get(k, 0)) for k in ("new_records", "merges", "persons_created", "queued")},
    }
    return RedirectResponse(QUEUE_PATH, status_code=303)


# --- 2. one pair: the two records side by side -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One field of the two records, as shown side by side, and whether it agrees."""

    key: str
    label: str  # msgid
    left: str
    right: str
    verdict: str | None  # a VERDICT_LABELS key; None: not compared (the feed)


def _key(value: str | None) -> str:
    return match_key(value) if value else ""


def verdict(left: str | None, right: str | None) -> str:
    """Whether two values of a field agree: same, differs, or unknown (missing on a side).

    >>> verdict("UZB", "UZB"), verdict("UZB", "TJK"), verdict("UZB", None)
    ('same', 'differs', 'unknown')
    """
    if not left or not right:
        return "unknown"
    return "same" if left == right else "differs"


def name_verdict(left: str | None, right: str | None, full_left: str, full_right: str) -> str:
    """A name's verdict, which is also "alike" when the two are equal once transliterated, and "swapped"
    when the words of the whole names agree in another order.

    >>> name_verdict("KARIMOV", "Каримов", "KARIMOV ALISHER", "Каримов Алишер")
    'alike'
    >>> name_verdict("ALISHER", "KARIMOV", "ALISHER KARIMOV", "KARIMOV ALISHER")
    'swapped'
    >>> name_verdict("KARIMOV", "KARIMOVA", "KARIMOV ALISHER", "KARIMOVA ALISHER")
    'differs'
    """
    plain = verdict(left, right)
    if plain != "differs":
        return plain
    if _key(left) == _key(right):
        return "alike"
    words_left, words_right = sorted(_key(full_left).split()), sorted(_key(full_right).split())
    return "swapped" if words_left and words_left == words_right else "differs"


def field_rows(left: store.Identity, right: store.Identity, locale: str) -> list[FieldRow]:
    """The two records field by field, in the order an officer reads a passport; the IIN masked."""
    gettext = i18n.translations(locale).gettext

    def label(table: Mapping[str, str], value: str | None) -> str:
        return gettext(table.get(value, value)) if value else ""

    def day(value: dt.date | None) -> str:
        return i18n.format_date(value, locale) if value else ""

    def iso(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    full = (f"{left.surname} {left.given_names or ''}", f"{right.surname} {right.given_names or ''}")
    doc_type = (label(DOC_TYPE_LABELS, left.doc_type), label(DOC_TYPE_LABELS, right.doc_type))
    sex = (label(SEX_LABELS, left.sex), label(SEX_LABELS, right.sex))
    return [
        FieldRow("feed", FIELD_LABELS["feed"], label(FEED_LABELS, left.feed), label(FEED_LABELS, right.feed), None),
        FieldRow("doc_type", FIELD_LABELS["doc_type"], *doc_type, verdict(left.doc_type, right.doc_type)),
        FieldRow(
            "doc_country",
            FIELD_LABELS["doc_country"],
            left.doc_country,
            right.doc_country,
            verdict(left.doc_country, right.doc_country),
        ),
        FieldRow(
            "doc_number",
            FIELD_LABELS["doc_number"],
            left.doc_number,
            right.doc_number,
            verdict(left.doc_number, right.doc_number),
        ),
        FieldRow(
            "surname",
            FIELD_LABELS["surname"],
            left.surname,
            right.surname,
            name_verdict(left.surname, right.surname, *full),
        ),
        FieldRow(
            "given_names",
            FIELD_LABELS["given_names"],
            left.given_names or "",
            right.given_names or "",
            name_verdict(left.given_names, right.given_names, *full),
        ),
        FieldRow(
            "birth_date",
            FIELD_LABELS["birth_date"],
            day(left.birth_date),
            day(right.birth_date),
            verdict(iso(left.birth_date), iso(right.birth_date)),
        ),
        FieldRow("sex", FIELD_LABELS["sex"], *sex, verdict(left.sex, right.sex)),
        FieldRow(
            "nationality",
            FIELD_LABELS["nationality"],
            left.nationality,
            right.nationality,
            verdict(left.nationality, right.nationality),
        ),
        FieldRow(
            "iin",
            FIELD_LABELS["iin"],
            mask(left.iin) if left.iin else "",
            mask(right.iin) if right.iin else "",
            verdict(left.iin, right.iin),
        ),
        FieldRow(
            "person",
            FIELD_LABELS["person"],
            str(left.person_id),
            str(right.person_id),
            verdict(str(left.person_id), str(right.person_id)),
        ),
    ]


def other_documents(
    documents: Sequence[store.PersonDocumentRef], shown: Sequence[store.Identity], locale: str
) -> list[str]:
    """A person's documents other than the ones on the page, as "Passport UZB AB1234567"."""
    gettext = i18n.translations(locale).gettext
    on_page = {side.document_id for side in shown}
    return [
        f"{gettext(DOC_TYPE_LABELS.get(d.doc_type, d.doc_type))} {d.doc_country} {d.doc_number}"
        for d in documents
        if d.id not in on_page
    ]


# --- 3. one pair: the evidence -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One line of the waterfall: the evidence, the level seen, its weight and the total after it."""

    kind: str  # prior | comparison | tf | final
    comparison: str  # the comparison's key ("" for the other lines)
    label: str  # translated
    level: str  # translated, or the model's English (see ``level_lang``)
    level_lang: str | None
    weight: float
    total: float
    width: int  # the bar: 0..BAR_STEPS


def level_text(c: store.Comparison, locale: str) -> tuple[str, str | None]:
    """The level's words in ``locale``, and ``"en"`` when only the model's English is known.

    >>> level_text(store.Comparison("dob", "day and month swapped", 2, 8.1), "en")
    ('Day and month swapped', None)
    >>> level_text(store.Comparison("dob", "a level of a newer model", 2, 8.1), "ru")
    ('a level of a newer model', 'en')
    """
    gettext = i18n.translations(locale).gettext
    if c.gamma < 0:
        return gettext(NOT_KNOWN_LEVEL), None
    msgid = LEVEL_LABELS.get(c.level)
    if msgid is None:
        return c.level, None if locale == "en" else "en"
    return gettext(msgid), None


def _order(c: store.Comparison) -> tuple[float, int]:
    known = list(COMPARISON_LABELS)
    return (-c.match_weight, known.index(c.comparison) if c.comparison in known else len(known))


def waterfall(detail: store.ReviewDetail, locale: str) -> list[Step]:
    """From the prior to the final weight, the comparisons from the strongest for the same person to the
    strongest against; bars scaled to the largest weight of the page (the final line has none)."""
    gettext = i18n.translations(locale).gettext
    prior, tf = detail.prior_weight, detail.tf_adjustment
    scale = max([abs(prior), abs(tf), *(abs(c.match_weight) for c in detail.comparisons)]) or 1.0

    def width(weight: float) -> int:
        return round(abs(weight) / scale * BAR_STEPS)

    steps = [
        Step(
            "prior",
            "",
            gettext("Before comparing"),
            gettext("How likely two records picked at random are the same person"),
            None,
            prior,
            prior,
            width(prior),
        )
    ]
    total = prior
    for c in sorted(detail.comparisons, key=_order):
        total += c.match_weight
        level, lang = level_text(c, locale)
        name = gettext(COMPARISON_LABELS.get(c.comparison, c.comparison))
        steps.append(Step("comparison", c.comparison, name, level, lang, c.match_weight, total, width(c.match_weight)))
    total += tf
    steps.append(
        Step(
            "tf",
            "",
            gettext("Name frequency"),
            gettext("Rare names count for more, common names for less"),
            None,
            tf,
            total,
            width(tf),
        )
    )
    steps.append(Step("final", "", gettext("Match weight"), "", None, detail.final_weight, detail.final_weight, 0))
    return steps


def driver(comparisons: Sequence[store.Comparison], locale: str) -> list[str]:
    """Which comparison weighed most, in words, and the strongest evidence the other way, if any."""
    gettext = i18n.translations(locale).gettext
    moved = [c for c in comparisons if round(c.match_weight, 1) != 0]
    if not moved:
        return [gettext("No comparison moved the score.")]

    def words(c: store.Comparison) -> dict[str, str]:
        return {
            "comparison": gettext(COMPARISON_LABELS.get(c.comparison, c.comparison)),
            "level": level_text(c, locale)[0],
            "weight": signed(c.match_weight, locale),
        }

    top = max(moved, key=lambda c: abs(c.match_weight))
    if top.match_weight > 0:
        out = [gettext("Weighed most: %(comparison)s, “%(level)s” (%(weight)s), for the same person.") % words(top)]
        against = [c for c in moved if c.match_weight < 0]
        if against:
            worst = min(against, key=lambda c: c.match_weight)
            out.append(gettext("Strongest against: %(comparison)s, “%(level)s” (%(weight)s).") % words(worst))
        return out
    out = [gettext("Weighed most: %(comparison)s, “%(level)s” (%(weight)s), against the same person.") % words(top)]
    supporting = [c for c in moved if c.match_weight > 0]
    if supporting:
        best = max(supporting, key=lambda c: c.match_weight)
        out.append(gettext("Strongest for: %(comparison)s, “%(level)s” (%(weight)s).") % words(best))
    return out


# --- 4. the review page and the decision -------------------------------------------------------------


def decision_errors(exc: store.LinkageError, locale: str) -> dict[str, str]:
    """The service's refusal (409, 422) as a translated message on the field it concerns."""
    gettext = i18n.translations(locale).gettext
    if exc.field == "note":
        return {
            "note": gettext("The note must be %(n)s characters or fewer") % {"n": i18n.format_number(MAX_NOTE, locale)}
        }
    if exc.status == 409:
        return {
            "decision": gettext(
                "These two persons hold records that an officer decided are different people. "
                "Decide that pair again first, or choose “Different people”."
            )
        }
    return {"decision": gettext("Select whether the two records are the same person")}


def _thresholds(session: Any, actor: Actor) -> tuple[float, float]:
    """The review band of the latest run (the defaults before any)."""
    from koshi.linkage.run import Options

    latest, _ = store.runs(session, actor, limit=1)
    if latest:
        return latest[0].review_from, latest[0].threshold
    return Options().review_from, Options().threshold


def _review_page(
    request: Request,
    user: WebUser,
    review_id: int,
    *,
    typed: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    locale = locale_of(request)
    try:
        with transaction(sessions_of(request)) as session:
            detail = store.review(session, actor_of(user), review_id, utc_now())
            review_from, threshold = _thresholds(session, actor_of(user))
    except store.LinkageError as exc:
        return _problem(request, exc.status)
    shown = (detail.left, detail.right)
    errors = dict(errors or {})
    summary = [{"href": "#decision-same" if k == "decision" else f"#{k}", "message": m} for k, m in errors.items()]
    return page(
        request,
        "police_linkage_review.html",
        status_code=status,
        review=detail,
        rows=field_rows(detail.left, detail.right, locale),
        others_left=other_documents(detail.left_documents, shown, locale),
        others_right=other_documents(detail.right_documents, shown, locale) if not detail.same_person else [],
        steps=waterfall(detail, locale),
        driver=driver(detail.comparisons, locale),
        history=tuple(reversed(detail.history)),
        review_from=review_from,
        threshold=threshold,
        summary=summary,
        errors={k: errors.get(k, "") for k in ("decision", "note")},
        typed={"decision": "", "note": "", **(typed or {})},
        can_decide=user.role in store.DECIDERS,
        max_note=MAX_NOTE,
        back_href=queue_url(),
        status_labels=STATUS_LABELS,
        status_tags=STATUS_TAGS,
        verdict_labels=VERDICT_LABELS,
        verdict_tags=VERDICT_TAGS,
        decision_labels=DECISION_LABELS,
        signed=lambda w: signed(w, locale),
    )


@router.get(QUEUE_PATH + "/{review_id}")
def review_page(request: Request, review_id: str) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    return _review_page(request, user, _number(review_id))


@router.get(QUEUE_PATH + "/{review_id}/decision")
def decision_get(request: Request, review_id: str) -> Response:
    """The address of a page re-rendered after a refused decision: reloading it shows the pair."""
    return RedirectResponse(f"{QUEUE_PATH}/{_number(review_id)}", status_code=303)


@router.post(QUEUE_PATH + "/{review_id}/decision")
def decision_post(
    request: Request,
    review_id: str,
    csrf_token: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    if not csrf_ok(request, csrf_token):
        return _problem(request, 400)
    rid = _number(review_id)
    try:
        with transaction(sessions_of(request)) as session:
            report = store.decide(session, actor_of(user), rid, decision.strip(), note, utc_now())
            if report.outcome != "unchanged":
                _refresh(session, user)
    except overstays.RegistryError as exc:
        if not isinstance(exc, store.LinkageError) or exc.status not in (409, 422):
            return _problem(request, exc.status)
        errors = decision_errors(exc, locale_of(request))
        typed = {"decision": decision, "note": note}
        return _review_page(request, user, rid, typed=typed, errors=errors, status=exc.status)
    request.session[DECISION_FLASH] = {
        "review_id": report.review_id,
        "decision": report.decision,
        "outcome": report.outcome,
        "from_person": report.from_person,
        "into_person": report.into_person,
        "new_persons": list(report.new_persons),
    }
    return RedirectResponse(QUEUE_PATH, status_code=303)


__all__ = [
    "decision_errors",
    "driver",
    "field_rows",
    "name_verdict",
    "parse_queue",
    "queue_url",
    "router",
    "signed",
    "verdict",
    "waterfall",
]
