"""The foreign-labour rules in force on one date, read from the dated ``kz.labour`` parameters.

Everything the permit checks and the fee need comes from here, so a changed order
(a new quota, a new fee table) is a YAML edit with a date, and a decision names the
version and hash of the parameters it used.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from koshi.rules import provenance

EFFECTIVE_FROM = dt.date(2017, 1, 1)
"""The fee for foreign labour and the 2017 permit rules start here; earlier dates are refused."""

ROOTS = ("kz.labour", "kz.common.mrp")


class Category(StrEnum):
    """Permit category (order No. 279): four fee-based categories, seasonal work, intra-corporate transfer."""

    category_1 = "category_1"  # heads and their deputies
    category_2 = "category_2"  # heads of structural subdivisions
    category_3 = "category_3"  # specialists
    category_4 = "category_4"  # skilled workers
    seasonal = "seasonal"
    ict = "ict"  # intra-corporate transfer: outside the quota, no fee

    @property
    def fee_based(self) -> bool:
        """Categories 1-4: the sector fee, the yearly quota and the local-content shares apply."""
        return self in FEE_BASED

    @property
    def in_quota(self) -> bool:
        """Counted against the yearly quota (everything but intra-corporate transfers)."""
        return self is not Category.ict


FEE_BASED = frozenset({Category.category_1, Category.category_2, Category.category_3, Category.category_4})
SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")
"""OKED sections (as NACE Rev. 2): the level the fee groups are defined on."""

SEASONAL_BANDS = (90, 180, 270, 365)
"""Seasonal permit lengths with their own rate: up to 90, 180, 270 and 365 days."""


class PolicyError(ValueError):
    """A value the rules do not define (an unknown sector or category, no quota for the year)."""


@dataclass(frozen=True, slots=True)
class LabourPolicy:
    """The foreign-labour parameters in force on ``as_of``, with the version they come from."""

    as_of: dt.date
    version_date: dt.date
    parameters_hash: str
    mrp: int
    sector_rates: dict[str, dict[str, int]]  # group -> category -> MRP for one year
    sector_group: dict[str, str]  # OKED section letter -> group
    category_1_per_year: float
    seasonal_rates: dict[int, int]  # up-to days -> MRP
    payment_working_days: int
    quota_share: float | None
    quota_by_category: dict[str, int]  # category -> permits in the year's quota (empty when not set)
    share_1_2: float
    share_3_4: float
    exempt_branch_max_staff: int
    ict_max_share: float
    vacancy_posting_days: int
    max_months: dict[str, int]
    max_extensions: dict[str, int]  # fee_based / seasonal / ict
    extension_months: dict[str, int]
    business_trip_days: int

    def group_of(self, section: str) -> str:
        """The fee group of an OKED section letter.

        Raises:
            PolicyError: not a section A-U.
        """
        group = self.sector_group.get(section.strip().upper()[:1])
        if group is None or len(section.strip()) != 1:
            raise PolicyError(f"unknown OKED section {section!r}: expected one letter A-U")
        return group

    def extension_kind(self, category: Category) -> str:
        """Which extension limit applies: ``fee_based``, ``seasonal`` or ``ict``."""
        return "fee_based" if category.fee_based else category.value


def policy(on: dt.date) -> LabourPolicy:
    """The rules in force on ``on``.

    Raises:
        koshi.rules.provenance.PolicyNotInForce: before 1 January 2017.
    """
    return _policy(on)


def _tree(leaves: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {path[len(prefix) :]: value for path, value in leaves.items() if path.startswith(prefix)}


@functools.cache
def _policy(on: dt.date) -> LabourPolicy:
    snap = provenance.snapshot_roots("kz.labour", ROOTS, EFFECTIVE_FROM, on)
    v = {leaf.path: leaf.value for leaf in snap.leaves}
    rates: dict[str, dict[str, int]] = {}
    for key, amount in _tree(v, "kz.labour.fees.sector_rates.group_").items():
        group, category = key.split(".")
        rates.setdefault(group, {})[category] = int(amount)
    seasonal = {int(k.split("_")[0]): int(a) for k, a in _tree(v, "kz.labour.fees.seasonal.up_to_").items()}
    return LabourPolicy(
        as_of=on,
        version_date=snap.version_date,
        parameters_hash=snap.parameters_hash,
        mrp=int(v["kz.common.mrp"]),
        sector_rates=rates,
        sector_group={k.upper(): str(g) for k, g in _tree(v, "kz.labour.sector_group.").items()},
        category_1_per_year=float(v.get("kz.labour.fees.category_1_years.per_year", 1.0)),  # none before Apr 2018
        seasonal_rates=dict(sorted(seasonal.items())),
        payment_working_days=int(v["kz.labour.fees.payment_working_days"]),
        quota_share=v.get("kz.labour.quota.share_of_labour_force"),
        quota_by_category={k: int(n) for k, n in _tree(v, "kz.labour.quota.by_category.").items()},
        share_1_2=float(v["kz.labour.local_content.citizens_share_categories_1_2"]),
        share_3_4=float(v["kz.labour.local_content.citizens_share_categories_3_4"]),
        exempt_branch_max_staff=int(v["kz.labour.local_content.exempt_branch_max_staff"]),
        ict_max_share=float(v["kz.labour.local_content.ict_max_share_of_citizens"]),
        vacancy_posting_days=int(v["kz.labour.terms.vacancy_posting_days"]),
        max_months={k: int(n) for k, n in _tree(v, "kz.labour.terms.max_months.").items()},
        max_extensions={k: int(n) for k, n in _tree(v, "kz.labour.terms.max_extensions.").items()},
        extension_months={k: int(n) for k, n in _tree(v, "kz.labour.terms.extension_months.").items()},
        business_trip_days=int(v["kz.labour.terms.business_trip_days"]),
    )


def basis(path: str) -> tuple[str, ...]:
    """The legal references of a parameter as short strings (title, and the address when there is one)."""
    return tuple(f"{r.title} ({r.href})" if r.href else r.title for r in provenance.references(path))
