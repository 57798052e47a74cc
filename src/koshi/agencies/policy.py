"""The agency rules in force on one date, read from the dated ``kz.agencies`` parameters.

No Kazakh deadline, weight or cap was found in public sources, so every value is Koshi's
own (``provenance: designed``) or secondary, and marked as an assumption to confirm with
the ministry; a changed value is a YAML edit with a date, and each risk score names the
version and hash of the parameters it used.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from koshi.rules import provenance

EFFECTIVE_FROM = dt.date(2016, 4, 6)
"""Law No. 482-V on Employment of the Population (6 Apr 2016): the rules start here; earlier dates are refused."""

ROOTS = ("kz.agencies",)

REASONS = (
    "fee_complaint_substantiated",
    "open_complaint",
    "late_report",
    "missing_report",
    "open_violation",
    "recent_sanction",
    "abroad_share",
    "new_agency",
    "no_inspection",
    "seeker_fees_declared",
)
"""Every risk reason, in the order the parameters list them."""


@dataclass(frozen=True, slots=True)
class AgencyPolicy:
    """The agency parameters in force on ``as_of``, with the version they come from."""

    as_of: dt.date
    version_date: dt.date
    parameters_hash: str
    report_due_days: int
    report_window_quarters: int
    max_seeker_fee_tenge: int
    points: dict[str, float]  # reason -> points per occurrence
    caps: dict[str, float]  # reason -> most points (count-based reasons only)
    sanction_years: int
    new_agency_months: int
    no_inspection_years: int


def policy(on: dt.date) -> AgencyPolicy:
    """The rules in force on ``on``.

    Raises:
        koshi.rules.provenance.PolicyNotInForce: before 6 April 2016.

    Examples:
        >>> p = policy(dt.date(2026, 6, 1))
        >>> p.report_due_days, p.max_seeker_fee_tenge, p.points["fee_complaint_substantiated"]
        (20, 0, 25.0)
    """
    return _policy(on)


def _tree(leaves: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {path[len(prefix) :]: value for path, value in leaves.items() if path.startswith(prefix)}


@functools.cache
def _policy(on: dt.date) -> AgencyPolicy:
    snap = provenance.snapshot_roots("kz.agencies", ROOTS, EFFECTIVE_FROM, on)
    v = {leaf.path: leaf.value for leaf in snap.leaves}
    return AgencyPolicy(
        as_of=on,
        version_date=snap.version_date,
        parameters_hash=snap.parameters_hash,
        report_due_days=int(v["kz.agencies.reporting.due_days"]),
        report_window_quarters=int(v["kz.agencies.reporting.window_quarters"]),
        max_seeker_fee_tenge=int(v["kz.agencies.seeker_fees.max_tenge"]),
        points={k: float(p) for k, p in _tree(v, "kz.agencies.risk.points.").items()},
        caps={k: float(p) for k, p in _tree(v, "kz.agencies.risk.caps.").items()},
        sanction_years=int(v["kz.agencies.risk.sanction_years"]),
        new_agency_months=int(v["kz.agencies.risk.new_agency_months"]),
        no_inspection_years=int(v["kz.agencies.risk.no_inspection_years"]),
    )


def basis(path: str) -> tuple[str, ...]:
    """The references of a parameter as short strings (title, and the address when there is one)."""
    return tuple(f"{r.title} ({r.href})" if r.href else r.title for r in provenance.references(path))
