"""The resettlement rules in force on one date, read from the dated ``kz.resettlement`` parameters.

A new yearly quota order, a raised certificate or a changed origin list is a YAML edit with a
date; every check and support plan names the version and hash of the parameters it used. The
kandas receiving regions and the 2026 social contract are shared with the kandas-status rules
(``kz.common.labour_deficit_kandas``, ``kz.kandas_status``), so they are read from there.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from koshi.reference.regions import BY_SLUG
from koshi.rules import provenance

EFFECTIVE_FROM = dt.date(2024, 1, 1)
"""The first quota order modelled (order of 27 Dec 2023 for 2024); earlier dates are refused."""

ROOTS = (
    "kz.resettlement",
    "kz.common.mrp",
    "kz.common.labour_deficit_kandas",
    "kz.kandas_status.support_contract",
    "kz.kandas_status.contract_years",
)

R = "kz.resettlement"
"""Parameter root of this module, for :func:`basis` paths."""


class Category(StrEnum):
    """Who moves: a citizen from a labour-surplus region, or an ethnic-Kazakh returnee."""

    resettler = "resettler"
    kandas = "kandas"


class PolicyError(ValueError):
    """A value the rules do not allow (an unknown category, a rent outside the range)."""


class NotInForce(PolicyError, provenance.PolicyNotInForce):
    """No resettlement rules on the date: catchable as :class:`PolicyError` or as ``PolicyNotInForce``."""


@dataclass(frozen=True, slots=True)
class ResettlePolicy:
    """The resettlement parameters in force on ``as_of``, with the version they come from."""

    as_of: dt.date
    version_date: dt.date
    parameters_hash: str
    mrp: int
    year: int
    quota: dict[tuple[str, str], int]  # (region KATO, category) -> persons; only the regions the order lists
    quota_total: dict[str, int]  # category -> national total of the order
    receiving: dict[str, frozenset[str]]  # category -> receiving region KATOs
    origin_regions: frozenset[str]  # labour-surplus region KATOs (secondary source)
    min_registration_months: int
    seeker_statuses: frozenset[str]
    graduate_programmes: frozenset[str]
    graduate_window_months: int
    relocation_per_member_mrp: int
    rent_min_mrp: int
    rent_max_mrp: int
    rent_months: int
    employer_subsidy_mrp: int
    housing_certificate_mrp: int | None
    kandas_contract_required: bool
    contract_years: int | None
    repay_share: float
    max_family_size: int = 20

    def quota_for(self, region_kato: str, category: str) -> int:
        """Persons the year's order gives ``region_kato`` for ``category``; 0 when it is not listed.

        Examples:
            >>> p = policy(dt.date(2026, 3, 1))
            >>> p.quota_for("550000000", "kandas"), p.quota_for("610000000", "resettler")
            (977, 0)
        """
        return self.quota.get((region_kato, str(category)), 0)

    def tenge(self, mrp: int) -> int:
        """``mrp`` MRP in tenge at this year's MRP, rounded to whole tenge.

        Examples:
            >>> policy(dt.date(2026, 3, 1)).tenge(70)
            302750
        """
        return round(mrp * self.mrp)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months, clamped to the month's end (31 Jan + 1 = 28 or 29 Feb).

    Examples:
        >>> add_months(dt.date(2024, 2, 29), 12), add_months(dt.date(2026, 1, 31), 1)
        (datetime.date(2025, 2, 28), datetime.date(2026, 2, 28))
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end`` (negative when ``end`` is earlier).

    Examples:
        >>> start = dt.date(2025, 6, 1)
        >>> months_between(start, dt.date(2026, 5, 31)), months_between(start, dt.date(2026, 6, 1))
        (11, 12)
    """
    if end < start:
        return -months_between(end, start)
    n = (end.year - start.year) * 12 + end.month - start.month
    return n if add_months(start, n) <= end else n - 1


def category(value: str) -> Category:
    """The category named ``value``.

    Raises:
        PolicyError: not ``resettler`` or ``kandas``.
    """
    try:
        return Category(value)
    except ValueError:
        raise PolicyError(f"unknown category {value!r}: expected resettler or kandas") from None


def policy(on: dt.date) -> ResettlePolicy:
    """The rules in force on ``on``.

    Raises:
        NotInForce: (a PolicyError and a koshi.rules.provenance.PolicyNotInForce) before 1 January 2024.

    Examples:
        >>> p = policy(dt.date(2026, 3, 1))
        >>> p.quota_total, p.housing_certificate_mrp, p.contract_years
        ({'kandas': 2281, 'resettler': 5997}, 1625, 5)
        >>> policy(dt.date(2025, 3, 1)).kandas_contract_required
        False
    """
    try:
        return _policy(on)
    except provenance.PolicyNotInForce as exc:
        raise NotInForce(str(exc)) from None


def _tree(leaves: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {path[len(prefix) :]: value for path, value in leaves.items() if path.startswith(prefix)}


def _katos(flags: dict[str, Any]) -> frozenset[str]:
    return frozenset(BY_SLUG[slug].kato for slug, on in flags.items() if on)


@functools.cache
def _policy(on: dt.date) -> ResettlePolicy:
    snap = provenance.snapshot_roots("kz.resettlement", ROOTS, EFFECTIVE_FROM, on)
    v = {leaf.path: leaf.value for leaf in snap.leaves}
    quota: dict[tuple[str, str], int] = {}
    for c in Category:
        for slug, n in _tree(v, f"{R}.quota.{c.value}.").items():
            quota[(BY_SLUG[slug].kato, c.value)] = int(n)
    certificate = v.get(f"{R}.support.housing_certificate")
    years = v.get("kz.kandas_status.contract_years")
    return ResettlePolicy(
        as_of=on,
        version_date=snap.version_date,
        parameters_hash=snap.parameters_hash,
        mrp=int(v["kz.common.mrp"]),
        year=on.year,
        quota=quota,
        quota_total={k: int(n) for k, n in _tree(v, f"{R}.quota.total.").items()},
        receiving={
            Category.resettler.value: _katos(_tree(v, f"{R}.receiving.resettler.")),
            Category.kandas.value: _katos(_tree(v, "kz.common.labour_deficit_kandas.")),
        },
        origin_regions=_katos(_tree(v, f"{R}.origin.")),
        min_registration_months=int(v[f"{R}.eligibility.min_registration_months"]),
        seeker_statuses=frozenset(k for k, ok in _tree(v, f"{R}.eligibility.seeker_status.").items() if ok),
        graduate_programmes=frozenset(k for k, ok in _tree(v, f"{R}.eligibility.graduate.programme.").items() if ok),
        graduate_window_months=int(v[f"{R}.eligibility.graduate.window_months"]),
        relocation_per_member_mrp=int(v[f"{R}.support.relocation_per_member"]),
        rent_min_mrp=int(v[f"{R}.support.rent.min"]),
        rent_max_mrp=int(v[f"{R}.support.rent.max"]),
        rent_months=int(v[f"{R}.support.rent.months"]),
        employer_subsidy_mrp=int(v[f"{R}.support.employer_subsidy"]),
        housing_certificate_mrp=None if certificate is None else int(certificate),
        kandas_contract_required=bool(v.get("kz.kandas_status.support_contract", False)),
        contract_years=None if years is None else int(years),
        repay_share=float(v[f"{R}.support.repay_share"]),
        max_family_size=int(v[f"{R}.eligibility.max_family_size"]),
    )


def basis(path: str) -> tuple[str, ...]:
    """The legal references of a parameter as short strings (title, and the address when there is one).

    Examples:
        >>> basis("kz.resettlement.support.housing_certificate")[-1].startswith("From 1 Jan 2026: 1 625 MRP")
        True
    """
    return tuple(f"{r.title} ({r.href})" if r.href else r.title for r in provenance.references(path))
