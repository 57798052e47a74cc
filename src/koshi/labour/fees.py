"""The fee for foreign labour: one permit's fee in MRP and tenge, with the parameters it came from.

The rates live in a :class:`RateTable` (sector group x category for one year, seasonal rates by
length) taken from the policy in force or from a reform file, so a quote and a reform simulation
run the same arithmetic.

    >>> import datetime as dt
    >>> from koshi.labour.policy import Category, policy
    >>> p = policy(dt.date(2026, 3, 1))
    >>> q = quote(Category.seasonal, "A", dt.date(2026, 4, 1), dt.date(2026, 8, 31), RateTable.of(p), p.mrp)
    >>> q.mrp, q.tenge, q.band
    (24.0, 103800, 'up to 180 days')
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from koshi.labour.policy import FEE_BASED, SEASONAL_BANDS, Category, LabourPolicy, PolicyError

GROUPS = ("a", "b", "c")


@dataclass(frozen=True, slots=True)
class RateTable:
    """Fee rates: ``sector`` group -> category -> MRP for a 1-year permit; ``seasonal`` up-to days -> MRP."""

    sector: Mapping[str, Mapping[str, float]]
    seasonal: Mapping[int, float]
    sector_group: Mapping[str, str]
    category_1_per_year: float = 1.0

    @classmethod
    def of(cls, p: LabourPolicy) -> RateTable:
        """The rates in force under a policy."""
        return cls(p.sector_rates, p.seasonal_rates, p.sector_group, p.category_1_per_year)

    def changed(self, reform: Mapping[str, Any]) -> RateTable:
        """These rates with a reform's changes applied (see :func:`parse_reform`)."""
        sector = {g: dict(c) for g, c in self.sector.items()}
        for group, cats in (reform.get("sector_rates") or {}).items():
            sector.setdefault(group, {}).update(cats)
        seasonal = dict(self.seasonal) | dict(reform.get("seasonal") or {})
        groups = dict(self.sector_group) | dict(reform.get("sector_group") or {})
        per_year = float(reform.get("category_1_per_year", self.category_1_per_year))
        return RateTable(sector, dict(sorted(seasonal.items())), groups, per_year)


@dataclass(frozen=True, slots=True)
class FeeQuote:
    """A permit's fee: MRP, tenge at the year's MRP, and how it was found."""

    mrp: float
    tenge: int
    band: str  # "1 year, group a", "up to 180 days", "free: intra-corporate transfer"
    group: str | None
    parameters: tuple[str, ...]  # parameter paths the amount comes from


def term_days(valid_from: dt.date, valid_to: dt.date) -> int:
    """Calendar days of a permit, both ends included."""
    return (valid_to - valid_from).days + 1


def _anniversary(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return dt.date(day.year + years, 3, 1)


def term_years(valid_from: dt.date, valid_to: dt.date) -> int:
    """Started years of a permit by the calendar (a 13-month permit is 2 years; a leap day adds nothing)."""
    years = 1
    while valid_to >= _anniversary(valid_from, years):
        years += 1
    return years


def seasonal_band(days: int, bands: Mapping[int, float]) -> int:
    """The smallest seasonal band (up-to days) that covers ``days``.

    Raises:
        PolicyError: longer than the longest band.
    """
    for up_to in sorted(bands):
        if days <= up_to:
            return up_to
    raise PolicyError(f"a seasonal permit of {days} days is longer than the longest rate ({max(bands)} days)")


def quote(
    category: Category,
    section: str,
    valid_from: dt.date,
    valid_to: dt.date,
    rates: RateTable,
    mrp: int,
) -> FeeQuote:
    """The fee of one permit (or one extension: the same rates apply to the extended term).

    Raises:
        PolicyError: an unknown sector section, a missing rate, or a seasonal term beyond 365 days.
    """
    if valid_to < valid_from:
        raise PolicyError("the permit ends before it starts")
    if category is Category.ict:
        return FeeQuote(0, 0, "free: intra-corporate transfer", None, ("kz.labour.fees",))
    if category is Category.seasonal:
        up_to = seasonal_band(term_days(valid_from, valid_to), rates.seasonal)
        amount = float(rates.seasonal[up_to])
        return FeeQuote(
            amount, round(amount * mrp), f"up to {up_to} days", None, (f"kz.labour.fees.seasonal.up_to_{up_to}_days",)
        )
    assert category in FEE_BASED
    group = rates.sector_group.get(section.strip().upper())
    if group is None or len(section.strip()) != 1:
        raise PolicyError(f"unknown OKED section {section!r}: expected one letter A-U")
    try:
        yearly = float(rates.sector[group][category.value])
    except KeyError:
        raise PolicyError(f"no fee rate for group {group}, {category.value}") from None
    paths = [
        f"kz.labour.fees.sector_rates.group_{group}.{category.value}",
        f"kz.labour.sector_group.{section.strip().lower()}",
    ]
    years = term_years(valid_from, valid_to)
    if category is Category.category_1 and years > 1:
        amount = yearly * (1 + (years - 1) * rates.category_1_per_year)
        paths.append("kz.labour.fees.category_1_years.per_year")
        band = f"{years} years, group {group}"
    else:
        amount = yearly
        band = f"1 year, group {group}"
    return FeeQuote(amount, round(amount * mrp), band, group, tuple(paths))


def parse_reform(data: Any, source: str = "reform") -> dict[str, Any]:
    """Check a reform file's contents: the rates it changes, in the parameters' shape.

    Accepted keys: ``sector_rates`` (group a/b/c -> category_1..4 -> MRP), ``seasonal``
    (90/180/270/365 -> MRP), ``sector_group`` (section letter -> a/b/c), ``category_1_per_year``.

    Raises:
        PolicyError: naming the key and why, for anything else.
    """
    if not isinstance(data, Mapping) or not data:
        raise PolicyError(f"{source}: expected a mapping with sector_rates, seasonal, sector_group")
    allowed = {"sector_rates", "seasonal", "sector_group", "category_1_per_year", "title", "description"}
    unknown = sorted(set(map(str, data)) - allowed)
    if unknown:
        raise PolicyError(f"{source}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
    out: dict[str, Any] = {}
    if "sector_rates" in data:
        rates: dict[str, dict[str, float]] = {}
        if not isinstance(data["sector_rates"], Mapping):
            raise PolicyError(f"{source}: sector_rates must map groups a/b/c to categories")
        for group, cats in data["sector_rates"].items():
            g = str(group).lower().removeprefix("group_")
            if g not in GROUPS or not isinstance(cats, Mapping):
                raise PolicyError(f"{source}: sector_rates.{group}: expected group a, b or c mapping categories")
            for cat, amount in cats.items():
                key = str(cat) if str(cat).startswith("category_") else f"category_{cat}"
                if key not in {c.value for c in FEE_BASED}:
                    raise PolicyError(f"{source}: sector_rates.{group}.{cat}: expected category_1..category_4")
                rates.setdefault(g, {})[key] = _amount(amount, f"{source}: sector_rates.{group}.{cat}")
        out["sector_rates"] = rates
    if "seasonal" in data:
        if not isinstance(data["seasonal"], Mapping):
            raise PolicyError(f"{source}: seasonal must map 90/180/270/365 days to MRP")
        seasonal: dict[int, float] = {}
        for days, amount in data["seasonal"].items():
            d = str(days).removeprefix("up_to_").removesuffix("_days")
            if not d.isdigit() or int(d) not in SEASONAL_BANDS:
                raise PolicyError(f"{source}: seasonal.{days}: expected one of {', '.join(map(str, SEASONAL_BANDS))}")
            seasonal[int(d)] = _amount(amount, f"{source}: seasonal.{days}")
        out["seasonal"] = seasonal
    if "sector_group" in data:
        groups: dict[str, str] = {}
        if not isinstance(data["sector_group"], Mapping):
            raise PolicyError(f"{source}: sector_group must map section letters A-U to groups a, b or c")
        for section, group in data["sector_group"].items():
            s, g = str(section).upper(), str(group).lower()
            if len(s) != 1 or not ("A" <= s <= "U") or g not in GROUPS:
                raise PolicyError(f"{source}: sector_group.{section}: expected a section A-U mapped to a, b or c")
            groups[s] = g
        out["sector_group"] = groups
    if "category_1_per_year" in data:
        out["category_1_per_year"] = _amount(data["category_1_per_year"], f"{source}: category_1_per_year")
    return out


def _amount(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise PolicyError(f"{where}: expected a number of MRP, zero or more")
    return float(value)
