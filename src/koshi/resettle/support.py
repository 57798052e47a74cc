"""The state support a family receives when it settles, line by line, in MRP and tenge.

Amounts are set in MRP and converted at the MRP of the policy's year, so a plan names the
parameters it used and is reproduced exactly later. From 2026 a kandas gets support only under
the 5-year social contract; leaving the region before it ends means repaying what was paid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from koshi.resettle.followup import breach, contract_end
from koshi.resettle.policy import Category, PolicyError, ResettlePolicy, basis
from koshi.resettle.policy import category as parse_category

S = "kz.resettlement.support"


@dataclass(frozen=True, slots=True)
class SupportLine:
    """One payment: what, to whom, how much, why and under which rule."""

    item: str  # relocation | rent | employer | housing_certificate
    payee: str  # family | employer
    mrp: int
    tenge: int
    reason: str
    basis: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SupportPlan:
    """Every support line of one family with the totals, or why support is withheld."""

    lines: tuple[SupportLine, ...]
    total_mrp: int
    total_tenge: int
    family_tenge: int
    employer_tenge: int
    withheld_reason: str | None
    contract_years: int | None
    policy_version: dt.date
    parameters_hash: str
    notes: tuple[str, ...] = ()  # support asked for but not available (no line), one sentence each


def _line(item: str, payee: str, mrp: int, what: str, path: str, p: ResettlePolicy) -> SupportLine:
    tenge = p.tenge(mrp)
    reason = f"{what}: {mrp} MRP at {p.mrp} tenge per MRP in {p.year} = {tenge} tenge"
    return SupportLine(item, payee, mrp, tenge, reason, basis(path))


def plan(
    *,
    category: str,
    size: int,
    rent_mrp: int | None,
    employer_helped: bool,
    housing_certificate: bool,
    contract_signed: bool,
    p: ResettlePolicy,
) -> SupportPlan:
    """The support of a family of ``size`` under ``p``.

    ``rent_mrp`` is the settlement's monthly rent subsidy (None: housing is provided, no rent).

    Raises:
        koshi.resettle.policy.PolicyError: an unknown category, a size below 1, or a rent outside the range.

    Examples:
        >>> import datetime as dt
        >>> from koshi.resettle.policy import policy
        >>> s = plan(category="resettler", size=4, rent_mrp=20, employer_helped=True,
        ...          housing_certificate=False, contract_signed=False, p=policy(dt.date(2026, 3, 1)))
        >>> [(line.item, line.tenge) for line in s.lines]
        [('relocation', 1211000), ('rent', 1038000), ('employer', 1730000)]
        >>> s.family_tenge, s.employer_tenge
        (2249000, 1730000)
    """
    c = parse_category(category)
    if size < 1:
        raise PolicyError(f"family size {size} is below 1: a family has at least its head")
    if rent_mrp is not None and not p.rent_min_mrp <= rent_mrp <= p.rent_max_mrp:
        raise PolicyError(
            f"monthly rent subsidy of {rent_mrp} MRP is outside the range of {p.rent_min_mrp} to {p.rent_max_mrp} MRP"
        )
    years = p.contract_years if c is Category.kandas and p.kandas_contract_required else None
    if c is Category.kandas and p.kandas_contract_required and not contract_signed:
        reason = (
            f"support is withheld: from 2026 a kandas receives state support only under a {p.contract_years}-year "
            "social contract in a labour-deficit region, and none is signed"
        )
        return SupportPlan((), 0, 0, 0, 0, reason, years, p.version_date, p.parameters_hash)
    lines = [
        _line(
            "relocation",
            "family",
            p.relocation_per_member_mrp * size,
            f"relocation subsidy of {p.relocation_per_member_mrp} MRP per family member, head included, for {size}",
            f"{S}.relocation_per_member",
            p,
        )
    ]
    if rent_mrp is not None:
        what = (
            f"rent subsidy of {rent_mrp} MRP a month for {p.rent_months} months "
            f"(range {p.rent_min_mrp} to {p.rent_max_mrp} MRP)"
        )
        lines.append(_line("rent", "family", rent_mrp * p.rent_months, what, f"{S}.rent", p))
    if employer_helped:
        what = "subsidy to the employer that helped the family relocate"
        lines.append(_line("employer", "employer", p.employer_subsidy_mrp, what, f"{S}.employer_subsidy", p))
    notes: tuple[str, ...] = ()
    if housing_certificate:
        path = f"{S}.housing_certificate"
        if p.housing_certificate_mrp is None:
            notes = (f"no housing certificate is available in {p.year}",)
        else:
            what = "economic mobility certificate towards a home, at most"
            lines.append(_line("housing_certificate", "family", p.housing_certificate_mrp, what, path, p))
    return SupportPlan(
        lines=tuple(lines),
        total_mrp=sum(line.mrp for line in lines),
        total_tenge=sum(line.tenge for line in lines),
        family_tenge=sum(line.tenge for line in lines if line.payee == "family"),
        employer_tenge=sum(line.tenge for line in lines if line.payee == "employer"),
        withheld_reason=None,
        contract_years=years,
        policy_version=p.version_date,
        parameters_hash=p.parameters_hash,
        notes=notes,
    )


def repayment(
    *,
    paid_tenge: int,
    category: str,
    contract_signed_on: dt.date | None,
    left_on: dt.date,
    p: ResettlePolicy,
) -> tuple[int, str]:
    """Tenge to repay when a family leaves the receiving region, and the reason.

    A family repays ``repay_share`` of what it was paid when it leaves before its social contract
    ends; without a signed contract nothing is repaid.

    Raises:
        koshi.resettle.policy.PolicyError: an unknown category or a negative amount paid.

    Examples:
        >>> import datetime as dt
        >>> from koshi.resettle.policy import policy
        >>> p = policy(dt.date(2026, 3, 1))
        >>> repayment(paid_tenge=1_000_000, category="kandas", contract_signed_on=dt.date(2026, 3, 1),
        ...           left_on=dt.date(2027, 1, 10), p=p)[0]
        1000000
    """
    parse_category(category)
    if paid_tenge < 0:
        raise PolicyError(f"amount paid {paid_tenge} is negative")
    if contract_signed_on is None or p.contract_years is None:
        return 0, f"left the region on {left_on.isoformat()} without a social contract; nothing is repaid"
    end = contract_end(contract_signed_on, p.contract_years)
    facts = (
        f"left the region on {left_on.isoformat()}, the {p.contract_years}-year social contract signed on "
        f"{contract_signed_on.isoformat()} ends on {end.isoformat()}"
    )
    if not breach(
        category=category, contract_signed_on=contract_signed_on, contract_years=p.contract_years, left_on=left_on
    ):
        return 0, f"{facts}; nothing is repaid after the contract ends"
    owed = round(paid_tenge * p.repay_share)
    return owed, f"{facts}; {round(p.repay_share * 100)}% of the {paid_tenge} tenge paid is repaid: {owed} tenge"
