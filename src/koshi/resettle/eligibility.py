"""Whether a family may be included in the regional quota: every rule as a named check with its reason.

Each check states the applicant's facts and the rule in one English sentence, so an officer
sees why without opening the rules; the sentence shapes are few and regular because the web
translates them through a pattern table. Checks that do not apply to the applicant pass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from koshi.reference.regions import BY_KATO
from koshi.resettle.policy import Category, ResettlePolicy, add_months, basis, category, months_between

CHECKS: tuple[str, ...] = (
    "status",
    "job_seeker",
    "origin",
    "registration",
    "graduate",
    "destination",
    "family",
    "contract",
)
"""Every check, in the order :func:`evaluate` returns them."""

EMPLOYMENT = {
    "unemployed": "registered as unemployed",
    "job_seeker": "registered as a job seeker",
    "employed": "employed",
    "none": "not registered with an employment centre",
}
"""How each employment status reads in a reason."""


@dataclass(frozen=True, slots=True)
class Applicant:
    """The facts the checks need about one family (its head, the family's size, where it wants to go)."""

    category: str
    citizen: bool
    kandas_status: bool
    employment_status: str  # unemployed | job_seeker | employed | none
    origin_kato: str | None
    registered_since: dt.date | None
    graduate_programme: str | None
    graduated_on: dt.date | None
    preferences: tuple[str, ...]  # receiving region KATOs, best first; empty = any
    size: int
    able_bodied: int
    applied_on: dt.date


@dataclass(frozen=True, slots=True)
class Check:
    """One rule's outcome for one applicant, with the reason and the legal basis."""

    key: str
    passed: bool
    applies: bool
    reason: str
    basis: tuple[str, ...]


def region_of(kato: str) -> str:
    """The region KATO of any KATO (a settlement's code starts with its region's two digits).

    Examples:
        >>> region_of("551010000")
        '550000000'
    """
    return kato[:2] + "0000000"


def region_name(kato: str) -> str:
    """The English name of the region of ``kato``, or the code itself when it is no Kazakh region.

    Examples:
        >>> region_name("610000000"), region_name("990000000")
        ('Turkistan Region', '990000000')
    """
    region = BY_KATO.get(region_of(kato))
    return kato if region is None else region.name_en


def programme_name(key: str) -> str:
    """A graduate programme key as it reads ("zharkyn_bolashak" → "Zharkyn Bolashak")."""
    return key.replace("_", " ").title()


def _names(katos: tuple[str, ...] | frozenset[str]) -> str:
    return ", ".join(region_name(k) for k in katos)


def _plural(c: Category) -> str:
    return "kandas" if c is Category.kandas else "resettlers"


def _skip(key: str, why: str, paths: tuple[str, ...]) -> Check:
    return Check(key, True, False, f"does not apply {why}", tuple(b for p in paths for b in basis(p)))


def _check(key: str, passed: bool, reason: str, paths: tuple[str, ...]) -> Check:
    return Check(key, passed, True, reason, tuple(b for p in paths for b in basis(p)))


def _status(a: Applicant, c: Category) -> Check:
    if c is Category.resettler:
        facts = "a citizen of Kazakhstan" if a.citizen else "not a citizen of Kazakhstan"
        return _check("status", a.citizen, f"{facts}; resettlers must be citizens", ("kz.resettlement.eligibility",))
    facts = "holds kandas status" if a.kandas_status else "does not hold kandas status"
    return _check("status", a.kandas_status, f"{facts}; kandas must hold the status", ("kz.kandas_status",))


def _job_seeker(a: Applicant, c: Category, p: ResettlePolicy) -> Check:
    path = ("kz.resettlement.eligibility.seeker_status",)
    if c is Category.kandas:
        return _skip("job_seeker", "to kandas", path)
    facts = EMPLOYMENT.get(a.employment_status, f"employment status {a.employment_status}")
    ok = a.employment_status in p.seeker_statuses
    return _check("job_seeker", ok, f"{facts}; resettlers must be registered as unemployed or as job seekers", path)


def _graduate_ok(a: Applicant, p: ResettlePolicy) -> bool:
    return (
        a.graduate_programme in p.graduate_programmes
        and a.graduated_on is not None
        and a.graduated_on <= a.applied_on <= add_months(a.graduated_on, p.graduate_window_months)
    )


def _programmes(p: ResettlePolicy) -> str:
    return " or ".join(programme_name(k) for k in sorted(p.graduate_programmes, reverse=True))


def _origin(a: Applicant, c: Category, p: ResettlePolicy, graduate: bool) -> Check:
    path = ("kz.resettlement.origin",)
    if c is Category.kandas:
        return _skip("origin", "to kandas", path)
    if graduate:
        return _skip("origin", f"to graduates of {_programmes(p)}", ("kz.resettlement.eligibility.graduate", *path))
    rule = "resettlers must come from a labour-surplus region"
    if a.origin_kato is None:
        return _check("origin", False, f"origin region not given; {rule}", path)
    ok = region_of(a.origin_kato) in p.origin_regions
    facts = f"moves from {region_name(a.origin_kato)}, {'a' if ok else 'not a'} labour-surplus region"
    return _check("origin", ok, f"{facts}; {rule}", path)


def _registration(a: Applicant, c: Category, p: ResettlePolicy, graduate: bool) -> Check:
    path = ("kz.resettlement.eligibility.min_registration_months",)
    if c is Category.kandas:
        return _skip("registration", "to kandas", path)
    if graduate:
        return _skip("registration", f"to graduates of {_programmes(p)}", ("kz.resettlement.eligibility.graduate",))
    need = p.min_registration_months
    if a.registered_since is None:
        return _check("registration", False, f"registration date not given; {need} months are required", path)
    where = "the origin region" if a.origin_kato is None else region_name(a.origin_kato)
    months = max(0, months_between(a.registered_since, a.applied_on))
    ok = add_months(a.registered_since, need) <= a.applied_on
    facts = f"registered in {where} since {a.registered_since.isoformat()}, {months} months before the application"
    rule = f"{need} months are required" + ("" if ok else f" (from {add_months(a.registered_since, need).isoformat()})")
    return _check("registration", ok, f"{facts}; {rule}", path)


def _graduate(a: Applicant, c: Category, p: ResettlePolicy) -> Check:
    path = ("kz.resettlement.eligibility.graduate",)
    if c is Category.kandas:
        return _skip("graduate", "to kandas", path)
    if a.graduate_programme is None:
        return _skip("graduate", "without a graduate programme", path)
    window = p.graduate_window_months
    rule = f"graduates of {_programmes(p)} must apply within {window} months of graduating"
    name = programme_name(a.graduate_programme)
    if a.graduate_programme not in p.graduate_programmes:
        return _check("graduate", False, f"{name} is not a named programme; {rule}", path)
    if a.graduated_on is None:
        return _check("graduate", False, f"graduation date not given; {rule}", path)
    months = months_between(a.graduated_on, a.applied_on)
    ok = _graduate_ok(a, p)
    if a.graduated_on > a.applied_on:
        facts = f"graduated from {name} on {a.graduated_on.isoformat()}, after the application"
    else:
        facts = f"graduated from {name} on {a.graduated_on.isoformat()}, {months} months before the application"
    if not ok and a.graduated_on <= a.applied_on:
        rule += f" (by {add_months(a.graduated_on, window).isoformat()})"
    return _check("graduate", ok, f"{facts}; {rule}", path)


def _destination(a: Applicant, c: Category, p: ResettlePolicy) -> Check:
    receiving = p.receiving.get(c.value, frozenset())
    path = ("kz.common.labour_deficit_kandas" if c is Category.kandas else "kz.resettlement.receiving",)
    who = _plural(c)
    rule = f"every preferred region must receive {who} in {p.year}"
    if not receiving:
        return _check("destination", False, f"no region receives {who} in {p.year}; {rule}", path)
    if not a.preferences:
        facts = f"any receiving region accepted; {len(receiving)} regions receive {who} in {p.year}"
        return _check("destination", True, facts, path)
    refused = tuple(k for k in a.preferences if region_of(k) not in receiving)
    if refused:
        verb = "does" if len(refused) == 1 else "do"
        return _check("destination", False, f"{_names(refused)} {verb} not receive {who} in {p.year}; {rule}", path)
    verb = "receives" if len(a.preferences) == 1 else "receive"
    return _check("destination", True, f"{_names(a.preferences)} {verb} {who} in {p.year}; {rule}", path)


def _family(a: Applicant, p: ResettlePolicy) -> Check:
    ok = 1 <= a.able_bodied <= a.size <= p.max_family_size
    facts = f"family of {a.size}, {a.able_bodied} able-bodied"
    rule = f"a family has 1 to {p.max_family_size} persons, at least one of them able-bodied"
    return _check("family", ok, f"{facts}; {rule}", ("kz.resettlement.eligibility.max_family_size",))


def _contract(c: Category, p: ResettlePolicy) -> Check:
    path = ("kz.kandas_status.support_contract", "kz.kandas_status.contract_years")
    if c is Category.resettler:
        return _skip("contract", "to resettlers", path)
    if not p.kandas_contract_required or p.contract_years is None:
        return _skip("contract", f"in {p.year}: no social contract is required", path)
    reason = (
        f"support requires a {p.contract_years}-year social contract in a labour-deficit region from 2026; "
        "signing is recorded at confirmation"
    )
    return _check("contract", True, reason, path)


def evaluate(a: Applicant, p: ResettlePolicy) -> tuple[Check, ...]:
    """Every check of ``a`` under ``p``, in :data:`CHECKS` order.

    Raises:
        koshi.resettle.policy.PolicyError: an unknown category.

    Examples:
        >>> import datetime as dt
        >>> from koshi.resettle.policy import policy
        >>> a = Applicant("resettler", True, False, "unemployed", "610000000", dt.date(2025, 6, 1),
        ...               None, None, ("590000000",), 4, 2, dt.date(2026, 2, 1))
        >>> checks = evaluate(a, policy(a.applied_on))
        >>> [c.key for c in checks if not c.passed], eligible(checks)
        (['registration'], False)
        >>> for part in checks[3].reason.split("; "):
        ...     print(part)
        registered in Turkistan Region since 2025-06-01, 8 months before the application
        12 months are required (from 2026-06-01)
    """
    c = category(a.category)
    graduate = c is Category.resettler and _graduate_ok(a, p)
    return (
        _status(a, c),
        _job_seeker(a, c, p),
        _origin(a, c, p, graduate),
        _registration(a, c, p, graduate),
        _graduate(a, c, p),
        _destination(a, c, p),
        _family(a, p),
        _contract(c, p),
    )


def eligible(checks: tuple[Check, ...] | list[Check]) -> bool:
    """True when every check that applies passed (checks that do not apply always pass)."""
    return all(c.passed or not c.applies for c in checks)
