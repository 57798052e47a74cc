"""Synthetic private employment agencies with their reports, complaints, inspections, violations and sanctions.

The MLSP once counted 74 registered agencies, about half in Astana (domain notes 4); the
default here is 110, half in Astana, a quarter placing people abroad. Most agencies behave;
some are sloppy (late or missing reports); a few are bad actors (fees taken from job seekers,
documents withheld, sanctions, one or two suspended or revoked); some are new. So the
inspection ranking has something to rank, and each profile is known (``profile``) for tests.

:func:`generate` is pure (a seed and a date in, plain rows out); :func:`seed` writes them
through the registry's service functions as the system, so every row is checked and audited
like an import.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from koshi.agencies import rules
from koshi.documents.iin import check_digit

ASTANA, ALMATY, SHYMKENT = "710000000", "750000000", "790000000"
OTHER_REGIONS = (
    "100000000",
    "110000000",
    "150000000",
    "190000000",
    "230000000",
    "310000000",
    "390000000",
    "470000000",
    "550000000",
)
_FIRST = ("Kadr", "Eurasia", "Steppe", "Nomad", "Bereke", "Jol", "Talent", "Atameken", "Orda", "Sapa", "Qazyna", "Alem")
_SECOND = ("Personnel", "Staffing", "Career", "Recruitment", "Work Abroad", "Job Centre", "HR Partners", "Global Staff")
_FORMS = ("LLP", "LLP", "LLP", "JSC")
_GIVEN = ("Aigul", "Nurlan", "Dana", "Yerlan", "Aliya", "Timur", "Saule", "Askar", "Madina", "Bolat", "Zhanna", "Marat")
_FAMILY = ("Akhmetov", "Seitkali", "Omarov", "Zhaksylyk", "Bekov", "Tulegen", "Nurpeis", "Kassym", "Ismail", "Sadyk")
_STREETS = ("Abay ave", "Kabanbay batyr ave", "Respublika ave", "Turan ave", "Dostyk st", "Tole bi st", "Satpayev st")

SUMMARIES: dict[str, tuple[str, ...]] = {
    "fee_charged": (
        "Asked to pay a registration fee before any interview was arranged",
        "Paid for 'document processing' for a job abroad; no contract followed",
        "Charged for a place on a list of vacancies that turned out to be public",
    ),
    "no_contract": ("Sent to an employer without any written contract", "Placed on a verbal promise only"),
    "false_vacancy": ("The advertised vacancy did not exist at the employer", "Pay and hours not as advertised"),
    "documents_withheld": ("Passport kept by the agency 'for the visa' and not returned",),
    "abroad_conditions": ("Sent abroad on a tourist visa; work and housing not as promised",),
    "other": ("Agency stopped answering calls after the first meeting", "Rude treatment at the office"),
}


@dataclass(frozen=True, slots=True)
class SynthAgencies:
    """Rows for the registry, each table keyed by the agency's BIN (violations and sanctions by ``ref``)."""

    on: dt.date
    agencies: list[dict[str, Any]]
    reports: list[dict[str, Any]]
    complaints: list[dict[str, Any]]
    inspections: list[dict[str, Any]]
    violations: list[dict[str, Any]]
    sanctions: list[dict[str, Any]]
    profile: dict[str, str] = field(default_factory=dict)  # BIN -> good / sloppy / bad / new

    def summary(self) -> dict[str, int]:
        """Rows per table."""
        return {
            "agencies": len(self.agencies),
            "reports": len(self.reports),
            "complaints": len(self.complaints),
            "inspections": len(self.inspections),
            "violations": len(self.violations),
            "sanctions": len(self.sanctions),
        }


def synthetic_bin(rng: random.Random, registered: dt.date) -> str:
    """A valid BIN of a resident head office registered in ``registered``'s month.

    Examples:
        >>> from koshi.documents.iin import validate_bin
        >>> b = synthetic_bin(random.Random(1), dt.date(2019, 3, 1))
        >>> b[:6], validate_bin(b) == b
        ('190340', True)
    """
    while True:
        first = f"{registered:%y%m}40{rng.randrange(100000):05d}"
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)


def synthetic_iin(rng: random.Random) -> str:
    """A valid IIN of an adult born 1960-1999.

    Examples:
        >>> from koshi.documents.iin import validate_iin
        >>> validate_iin(synthetic_iin(random.Random(2))).birth_date.year >= 1960
        True
    """
    while True:
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 40))
        first = f"{born:%y%m%d}{rng.choice('34')}{rng.randrange(10000):04d}"
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)


def _region(rng: random.Random) -> str:
    x = rng.random()
    if x < 0.5:
        return ASTANA
    if x < 0.7:
        return ALMATY
    if x < 0.78:
        return SHYMKENT
    return rng.choice(OTHER_REGIONS)


def _profile(rng: random.Random) -> str:
    x = rng.random()
    return "good" if x < 0.66 else "sloppy" if x < 0.8 else "bad" if x < 0.9 else "new"


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def generate(seed: int = 7, on: dt.date | None = None, count: int = 110, *, report_quarters: int = 12) -> SynthAgencies:
    """``count`` agencies and their records up to ``on`` (default today), reproducible from ``seed``.

    Reports cover at most the last ``report_quarters`` quarters of each agency.

    Examples:
        >>> data = generate(3, dt.date(2026, 6, 1), 40)
        >>> len(data.agencies), sum(a["region_kato"] == ASTANA for a in data.agencies) > 10
        (40, True)
        >>> generate(3, dt.date(2026, 6, 1), 40) == data
        True
    """
    on = on or dt.date.today()
    rng = random.Random(seed)
    out = SynthAgencies(on, [], [], [], [], [], [])
    bins: set[str] = set()
    n_complaint = n_violation = 0
    for k in range(count):
        profile = _profile(rng) if k >= 4 else ("good", "sloppy", "bad", "new")[k]
        if profile == "new":
            notified = _day(rng, on - dt.timedelta(days=330), on - dt.timedelta(days=10))
        else:
            notified = _day(rng, dt.date(2017, 1, 10), on - dt.timedelta(days=400))
        number = synthetic_bin(rng, notified - dt.timedelta(days=rng.randrange(30, 2000)))
        while number in bins:
            number = synthetic_bin(rng, notified)
        bins.add(number)
        out.profile[number] = profile
        x = rng.random()
        activity = "domestic" if x < 0.55 else "abroad" if x < 0.75 else "both"
        region = _region(rng)
        founders = [
            {
                "name": f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}",
                "iin": synthetic_iin(rng),
                "share": share,
            }
            for share in ((100.0,) if rng.random() < 0.6 else (60.0, 40.0))
        ]
        addresses = [
            {"kind": "legal", "address": f"{rng.choice(_STREETS)} {rng.randrange(1, 120)}", "region_kato": region}
        ]
        if rng.random() < 0.3:
            addresses.append(
                {
                    "kind": "office",
                    "address": f"{rng.choice(_STREETS)} {rng.randrange(1, 120)}, office {rng.randrange(1, 40)}",
                    "region_kato": region,
                }
            )
        activated = (
            None if profile == "new" and rng.random() < 0.5 else notified + dt.timedelta(days=rng.randrange(3, 25))
        )
        if activated is not None and activated >= on:
            activated = None
        ends: dt.date | None = None
        end_status: str | None = None
        if profile == "good" and rng.random() < 0.05 and activated is not None:
            ends, end_status = _day(rng, activated + dt.timedelta(days=200), on - dt.timedelta(days=30)), "expired"
            if ends <= activated:
                ends, end_status = None, None
        out.agencies.append(
            {
                "bin": number,
                "name": f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {rng.choice(_FORMS)}",
                "activity": activity,
                "region_kato": region,
                "notified_on": notified,
                "activated_on": activated,
                "ended_on": ends,
                "end_status": end_status,
                "founders": founders,
                "addresses": addresses,
            }
        )
        # reports, for each quarter due while operating
        last = rules.previous(rules.quarter_of(min(on, ends or on)))
        first = rules.quarter_of(notified)
        quarters = [q for q in rules.quarters(first, last) if rules.quarter_end(q) < on][-report_quarters:]
        miss, late, fees = {"good": (0.02, 0.05, 0.0), "sloppy": (0.25, 0.45, 0.0), "bad": (0.3, 0.4, 0.25)}.get(
            profile, (0.1, 0.2, 0.0)
        )
        for q in quarters:
            due = rules.due_on(q, 20)
            if rng.random() < miss:
                continue
            delay = rng.randrange(21, 70) if rng.random() < late else rng.randrange(1, 21)
            filed = rules.quarter_end(q) + dt.timedelta(days=delay)
            if filed > on:
                continue
            abroad_share = {"domestic": 0.0, "abroad": 0.9, "both": 0.45}[activity]
            placed = rng.randrange(3, 60)
            abroad = round(placed * abroad_share * rng.uniform(0.7, 1.1)) if abroad_share else 0
            abroad = min(abroad, placed)
            out.reports.append(
                {
                    "bin": number,
                    "year": q[0],
                    "quarter": q[1],
                    "placed_domestic": placed - abroad,
                    "placed_abroad": abroad,
                    "job_seekers_served": placed + rng.randrange(0, placed * 2 + 1),
                    "seeker_fees_tenge": rng.randrange(5, 60) * 5000 if rng.random() < fees else 0,
                    "filed_on": filed,
                    "late": filed > due,
                }
            )
        # complaints
        n = {"good": rng.choice((0, 0, 0, 1)), "sloppy": rng.choice((0, 1, 2)), "bad": rng.randrange(3, 8)}.get(
            profile, rng.choice((0, 1))
        )
        since = activated or notified
        for _ in range(n):
            if profile == "bad":
                kind = rng.choice(
                    ("fee_charged", "fee_charged", "documents_withheld", "abroad_conditions", "false_vacancy")
                )
            else:
                kind = rng.choice(("no_contract", "false_vacancy", "other", "other", "fee_charged"))
            received = _day(rng, since, on - dt.timedelta(days=1))
            paid = (
                rng.randrange(2, 100) * 5000
                if kind == "fee_charged" or (profile == "bad" and rng.random() < 0.4)
                else None
            )
            if received > on - dt.timedelta(days=60):
                status = "open"
            elif profile == "bad":
                status = rng.choice(("substantiated", "substantiated", "unfounded", "open"))
            else:
                status = rng.choice(("unfounded", "unfounded", "substantiated", "open"))
            n_complaint += 1
            out.complaints.append(
                {
                    "ref": f"SYN-C-{seed}-{n_complaint:05d}",
                    "bin": number,
                    "received_on": received,
                    "kind": kind,
                    "paid_amount_tenge": paid,
                    "summary": rng.choice(SUMMARIES[kind]),
                    "status": status,
                }
            )
        # inspections, violations, sanctions
        if activated is None:
            continue
        inspected = activated + dt.timedelta(days=rng.randrange(200, 900))
        while inspected < (ends or on) - dt.timedelta(days=20):
            bad_visit = profile == "bad" and rng.random() < 0.7
            sloppy_visit = profile == "sloppy" and rng.random() < 0.3
            out.inspections.append(
                {
                    "bin": number,
                    "done_on": inspected,
                    "reason": "complaint" if bad_visit else "scheduled",
                    "outcome": "violations" if bad_visit or sloppy_visit else "compliant",
                    "findings": "Violations found; see the list"
                    if bad_visit or sloppy_visit
                    else "No violations found",
                }
            )
            if bad_visit or sloppy_visit:
                code = (
                    rng.choice(("seeker_fee", "documents_withheld", "no_contract")) if bad_visit else "report_missing"
                )
                n_violation += 1
                remedied = inspected + dt.timedelta(days=rng.randrange(20, 120))
                ref = f"SYN-V-{seed}-{n_violation:05d}"
                out.violations.append(
                    {
                        "ref": ref,
                        "bin": number,
                        "code": code,
                        "found_on": inspected,
                        "description": f"Found at the inspection of {inspected.isoformat()}: {code.replace('_', ' ')}",
                        "remedied_on": remedied if remedied < on and rng.random() < 0.6 else None,
                    }
                )
                if bad_visit:
                    x = rng.random()
                    kind = "fine" if x < 0.6 else "warning" if x < 0.8 else "suspension"
                    out.sanctions.append(
                        {
                            "violation": ref,
                            "kind": kind,
                            "amount_mrp": rng.choice((30, 50, 100, 200)) if kind == "fine" else None,
                            "imposed_on": inspected + dt.timedelta(days=rng.randrange(1, 15)),
                            "until": inspected + dt.timedelta(days=rng.randrange(90, 400))
                            if kind == "suspension"
                            else None,
                        }
                    )
            inspected += dt.timedelta(days=rng.randrange(400, 1400))
    _revoke_one(rng, out)
    return out


def _revoke_one(rng: random.Random, data: SynthAgencies) -> None:
    """The worst cases: one bad actor suspended now (until after ``on``), another's right to place people
    revoked, each after its last sanction."""
    bad = [b for b, p in data.profile.items() if p == "bad"]
    rng.shuffle(bad)
    kinds = ["revocation", "suspension"]
    for number in bad:
        found = [v for v in data.violations if v["bin"] == number]
        refs = {v["ref"] for v in found}
        earlier = [s for s in data.sanctions if s["violation"] in refs]
        if not found or any(s["kind"] == "suspension" for s in earlier):
            continue
        day = max([v["found_on"] for v in found] + [s["imposed_on"] for s in earlier]) + dt.timedelta(days=10)
        if day >= data.on:
            continue
        kind = kinds.pop()
        until = data.on + dt.timedelta(days=60) if kind == "suspension" else None
        data.sanctions.append(
            {"violation": found[-1]["ref"], "kind": kind, "amount_mrp": None, "imposed_on": day, "until": until}
        )
        if not kinds:
            return


def seed(
    session: Session,
    now: dt.datetime,
    seed: int = 7,
    *,
    count: int = 110,
    on: dt.date | None = None,
    owner_id: int | None = None,
    seeker_id: int | None = None,
) -> dict[str, int]:
    """Write :func:`generate`'s agencies through the registry's service (as the system), unless some exist.

    ``owner_id`` (an agency account) is bound to the first sloppy agency, so its page has late
    reports to show; ``seeker_id`` (an applicant account) becomes the filer of a few complaints.
    """
    from koshi.store import agencies as store

    if session.scalar(select(func.count()).select_from(store.Agency)):
        return {"agencies already present": int(session.scalar(select(func.count()).select_from(store.Agency)) or 0)}
    data = generate(seed, on or store.today(now), count)
    ids: dict[str, str] = {}
    counts = {"agencies": 0, "reports": 0, "complaints": 0, "inspections": 0, "violations": 0, "sanctions": 0}
    suspended: dict[str, dt.date] = {}
    for a in data.agencies:
        view = store.notify(
            session,
            None,
            bin=a["bin"],
            name=a["name"],
            activity=a["activity"],
            region_kato=a["region_kato"],
            founders=a["founders"],
            addresses=a["addresses"],
            now=now,
            notified_on=a["notified_on"],
        )
        ids[a["bin"]] = view.id
        counts["agencies"] += 1
        if a["activated_on"] is not None:
            store.change_status(session, None, view.id, "activate", now=now, on=a["activated_on"])
    for r in data.reports:
        store.file_report(
            session,
            None,
            ids[r["bin"]],
            **{k: r[k] for k in ("year", "quarter", "placed_domestic", "placed_abroad", "job_seekers_served")},
            seeker_fees_tenge=r["seeker_fees_tenge"],
            now=now,
            filed_on=r["filed_on"],
        )
        counts["reports"] += 1
    seekers_left = 3 if seeker_id is not None else 0
    for c in data.complaints:
        filer = None
        if seekers_left and data.profile[c["bin"]] in ("bad", "sloppy"):
            filer, seekers_left = seeker_id, seekers_left - 1
        store.add_complaint(
            session,
            None,
            ids[c["bin"]],
            received_on=c["received_on"],
            kind=c["kind"],
            paid_amount_tenge=c["paid_amount_tenge"],
            summary=c["summary"],
            now=now,
            ref=c["ref"],
            status=c["status"],
            filed_by=filer,
        )
        counts["complaints"] += 1
    inspections: dict[tuple[str, dt.date], int] = {}
    for i in data.inspections:
        got = store.record_inspection(
            session,
            None,
            ids[i["bin"]],
            done_on=i["done_on"],
            outcome=i["outcome"],
            findings=i["findings"],
            reason=i["reason"],
            now=now,
        )
        inspections[(i["bin"], i["done_on"])] = got.id
        counts["inspections"] += 1
    violations: dict[str, int] = {}
    for v in data.violations:
        got_v = store.add_violation(
            session,
            None,
            ids[v["bin"]],
            code=v["code"],
            found_on=v["found_on"],
            description=v["description"],
            inspection_id=inspections.get((v["bin"], v["found_on"])),
            now=now,
        )
        violations[v["ref"]] = got_v.id
        counts["violations"] += 1
    for s in data.sanctions:
        if s["kind"] == "suspension":
            bin_of = next(v["bin"] for v in data.violations if v["ref"] == s["violation"])
            if bin_of in suspended:  # suspended already: a fine instead
                s = {**s, "kind": "fine", "amount_mrp": 100, "until": None}
            else:
                suspended[bin_of] = s["until"]
        try:
            store.impose_sanction(
                session,
                None,
                violations[s["violation"]],
                kind=s["kind"],
                amount_mrp=s["amount_mrp"],
                until=s["until"],
                now=now,
                imposed_on=s["imposed_on"],
            )
        except store.AgencyError:  # a suspension of an agency not active (expired meanwhile): skipped
            continue
        counts["sanctions"] += 1
    day = store.today(now)
    for number, until in suspended.items():  # suspensions over by now: reinstated on their last day
        if until < day:
            row = session.get(store.Agency, ids[number])
            if row is not None and row.status == "suspended":
                store.change_status(
                    session, None, ids[number], "reinstate", reason="suspension period over", now=now, on=until
                )
    for a in data.agencies:
        if a["end_status"] == "expired":
            row = session.get(store.Agency, ids[a["bin"]])
            if row is not None and row.status in ("active", "suspended"):
                store.change_status(session, None, ids[a["bin"]], "expire", now=now, on=a["ended_on"])
    if owner_id is not None:
        sloppy = next((b for b, p in data.profile.items() if p == "sloppy"), next(iter(ids)))
        store.bind_owner(session, None, ids[sloppy], owner_id, now)
    return counts
