"""The checks before a work permit is issued: each passes or fails with a reason and its legal basis.

Pure: the caller gathers the facts (the vacancy, the quota used, the employer's staff, what the
registry knows of the worker) and gets every check's result, so an employer sees all that is
wrong at once rather than one refusal at a time. Order No. 279 (as amended by No. 93, in force
1 Sep 2025) replaced the commission with such automatic checks against the state's systems.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from koshi.documents.iin import InvalidIin, validate_iin
from koshi.labour.policy import Category, LabourPolicy

CheckKey = Literal[
    "employer", "term", "vacancy_posted", "quota_available", "local_content", "worker_iin", "worker_no_violation"
]
CHECKS: tuple[CheckKey, ...] = (
    "employer",
    "term",
    "vacancy_posted",
    "quota_available",
    "local_content",
    "worker_iin",
    "worker_no_violation",
)
"""Every check, in the order a page lists them."""

LOCAL_CONTENT_NOTE = (
    "Koshi applies the shares to categories 1-4 only: seasonal workers are not in the published conditions (assumption)"
)


@dataclass(frozen=True, slots=True)
class Check:
    """One check's outcome: ``reason`` says why it passed or failed, in words an employer can act on."""

    key: CheckKey
    passed: bool
    reason: str
    parameters: tuple[str, ...] = ()  # parameter paths (legal basis via koshi.rules.provenance.references)
    applies: bool = True  # False: not applicable to this category (passed with the reason why)


@dataclass(frozen=True, slots=True)
class Staff:
    """The employer's staff by category group (from the labour-contract system, ESUTD), before this permit.

    Foreign workers include those on permits already issued or pending; outstaffed workers count.
    """

    citizens_1_2: int = 0
    foreigners_1_2: int = 0
    citizens_3_4: int = 0
    foreigners_3_4: int = 0
    ict: int = 0  # workers on intra-corporate transfer (not in the four categories above)

    @property
    def total(self) -> int:
        """Everyone on the staff."""
        return self.citizens_1_2 + self.foreigners_1_2 + self.citizens_3_4 + self.foreigners_3_4


@dataclass(frozen=True, slots=True)
class Application:
    """What the employer asks for."""

    category: Category
    isco: str
    region_kato: str
    valid_from: dt.date
    valid_to: dt.date
    applied_on: dt.date
    worker_iin: str | None
    extension: bool = False
    extensions_so_far: int = 0


@dataclass(frozen=True, slots=True)
class Facts:
    """What the state's systems say (gathered by the store, never by this module)."""

    employer_active: bool
    employer_branch: bool  # a branch or representative office (BIN attribute 1 or 2)
    vacancy_posted_on: dt.date | None  # the earliest posting of this occupation in this region, if any
    quota_allocated: int | None  # the region's quota for the category and year; None: not distributed
    quota_used: int  # permits issued or reserved against it, not counting this one
    staff: Staff
    worker_found: bool  # the registry knows the worker (by IIN)
    open_violations: Sequence[str] = ()  # e.g. "overstay since 2026-03-01" (no identifiers)


def _months(valid_from: dt.date, valid_to: dt.date) -> float:
    return ((valid_to - valid_from).days + 1) / (365.25 / 12)


def _employer(facts: Facts) -> Check:
    if facts.employer_active:
        return Check("employer", True, "the employer is registered and active")
    return Check("employer", False, "the employer is not active in the register of legal entities")


def _term(app: Application, p: LabourPolicy) -> Check:
    if app.valid_to < app.valid_from:
        return Check("term", False, "the permit ends before it starts")
    kind = p.extension_kind(app.category)
    if app.extension:
        limit = p.max_extensions.get(kind, 0)
        path = f"kz.labour.terms.max_extensions.{kind}"
        if app.extensions_so_far >= limit:
            return Check(
                "term",
                False,
                f"this permit was already extended {app.extensions_so_far} time(s); the limit is {limit}",
                (path,),
            )
        months_limit = p.extension_months.get(kind, 0)
        if _months(app.valid_from, app.valid_to) > months_limit + 0.5:
            return Check(
                "term",
                False,
                f"an extension may run at most {months_limit} months",
                (path, f"kz.labour.terms.extension_months.{kind}"),
            )
        return Check("term", True, f"extension {app.extensions_so_far + 1} of at most {limit}", (path,))
    limit = p.max_months[app.category.value]
    path = f"kz.labour.terms.max_months.{app.category.value}"
    if _months(app.valid_from, app.valid_to) > limit + 0.5:
        return Check(
            "term", False, f"a {app.category.value.replace('_', ' ')} permit runs at most {limit} months", (path,)
        )
    return Check("term", True, f"within the longest term of {limit} months", (path,))


def _vacancy(app: Application, facts: Facts, p: LabourPolicy) -> Check:
    path = ("kz.labour.terms.vacancy_posting_days",)
    if app.category is Category.ict or app.extension:
        why = "intra-corporate transfers" if app.category is Category.ict else "extensions"
        return Check("vacancy_posted", True, f"not required for {why}", path, applies=False)
    need = p.vacancy_posting_days
    if facts.vacancy_posted_on is None:
        return Check(
            "vacancy_posted",
            False,
            f"no vacancy for occupation {app.isco} in this region was posted on the labour exchange; "
            f"post it and apply {need} calendar days later",
            path,
        )
    ready = facts.vacancy_posted_on + dt.timedelta(days=need)
    if app.applied_on < ready:
        return Check(
            "vacancy_posted",
            False,
            f"the vacancy was posted on {facts.vacancy_posted_on.isoformat()}, "
            f"{(app.applied_on - facts.vacancy_posted_on).days} days before the application; "
            f"{need} calendar days are required (apply from {ready.isoformat()})",
            path,
        )
    return Check(
        "vacancy_posted",
        True,
        f"posted on {facts.vacancy_posted_on.isoformat()}, at least {need} calendar days before the application",
        path,
    )


def _quota(app: Application, facts: Facts) -> Check:
    year = app.valid_from.year
    if not app.category.in_quota:
        return Check("quota_available", True, "intra-corporate transfers are outside the quota", (), applies=False)
    path = (f"kz.labour.quota.by_category.{app.category.value}", "kz.labour.quota.share_of_labour_force")
    if facts.quota_allocated is None:
        return Check(
            "quota_available", False, f"no quota for this category is distributed to this region for {year}", path
        )
    left = facts.quota_allocated - facts.quota_used
    if left <= 0:
        return Check(
            "quota_available",
            False,
            f"the region's {year} quota for this category is exhausted "
            f"({facts.quota_used} of {facts.quota_allocated} used)",
            path,
        )
    return Check(
        "quota_available", True, f"{left} of {facts.quota_allocated} permits left in the region's {year} quota", path
    )


def _local_content(app: Application, facts: Facts, p: LabourPolicy) -> Check:
    s = facts.staff
    base: tuple[str, ...] = ("kz.labour.local_content.exempt_branch_max_staff",)
    if app.category is Category.seasonal:
        return Check("local_content", True, LOCAL_CONTENT_NOTE, (), applies=False)
    if facts.employer_branch and s.total <= p.exempt_branch_max_staff:
        return Check(
            "local_content",
            True,
            f"a branch or representative office with {s.total} staff (at most {p.exempt_branch_max_staff}) is exempt",
            base,
        )
    if app.category is Category.ict:
        ict_path = ("kz.labour.local_content.ict_max_share_of_citizens",)
        # Simplified: the order compares transfers with citizens "in the same category"; the staff figures
        # Koshi receives are by category group, so all citizens on the staff are the base.
        citizens = s.citizens_1_2 + s.citizens_3_4
        ict = s.ict + 1
        if ict > p.ict_max_share * citizens:
            return Check(
                "local_content",
                False,
                f"with this transfer, {ict} workers on intra-corporate transfer exceed {p.ict_max_share:.0%} "
                f"of the {citizens} citizens on the staff",
                ict_path,
            )
        return Check(
            "local_content",
            True,
            f"{ict} transferred workers, at most {p.ict_max_share:.0%} of {citizens} citizens",
            ict_path,
        )
    if app.category in (Category.category_1, Category.category_2):
        citizens, foreigners, least, path = (
            s.citizens_1_2,
            s.foreigners_1_2 + 1,
            p.share_1_2,
            "citizens_share_categories_1_2",
        )
        label = "categories 1-2"
    else:
        citizens, foreigners, least, path = (
            s.citizens_3_4,
            s.foreigners_3_4 + 1,
            p.share_3_4,
            "citizens_share_categories_3_4",
        )
        label = "categories 3-4"
    share = citizens / (citizens + foreigners)
    paths = (f"kz.labour.local_content.{path}", *base)
    if share + 1e-12 < least:
        need = _citizens_needed(foreigners, least)
        return Check(
            "local_content",
            False,
            f"with this permit, citizens would be {share:.1%} of the staff in {label} "
            f"({citizens} of {citizens + foreigners}); "
            f"at least {least:.0%} is required, i.e. {need} citizens for {foreigners} foreign workers",
            paths,
        )
    return Check(
        "local_content",
        True,
        f"citizens are {share:.1%} of the staff in {label} with this permit (at least {least:.0%})",
        paths,
    )


def _citizens_needed(foreigners: int, least: float) -> int:
    """Least citizens so that citizens / (citizens + foreigners) >= least."""
    n = int(least * foreigners / (1 - least))
    while n / (n + foreigners) + 1e-12 < least:
        n += 1
    return n


def _worker_iin(app: Application) -> Check:
    path = ("kz.labour",)
    if not app.worker_iin:
        return Check(
            "worker_iin", False, "the worker has no IIN: foreign workers must obtain one before the permit", path
        )
    try:
        validate_iin(app.worker_iin)
    except InvalidIin as exc:
        return Check("worker_iin", False, f"the worker's IIN is not valid: {exc.reason}", path)
    return Check("worker_iin", True, "the worker has a valid IIN", path)


def _violations(facts: Facts) -> Check:
    if facts.open_violations:
        listed = "; ".join(facts.open_violations)
        return Check("worker_no_violation", False, f"the migration police registry holds an open violation: {listed}")
    if not facts.worker_found:
        return Check(
            "worker_no_violation", True, "the worker is not in the migration police registry: no violation on record"
        )
    return Check("worker_no_violation", True, "no open violation in the migration police registry")


def evaluate(app: Application, facts: Facts, p: LabourPolicy) -> tuple[Check, ...]:
    """Every check, in :data:`CHECKS` order."""
    return (
        _employer(facts),
        _term(app, p),
        _vacancy(app, facts, p),
        _quota(app, facts),
        _local_content(app, facts, p),
        _worker_iin(app),
        _violations(facts),
    )


def passed(checks: Sequence[Check]) -> bool:
    """True when every check passed."""
    return all(c.passed for c in checks)
