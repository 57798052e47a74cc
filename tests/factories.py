"""Profiles for tests: a valid baseline per pack and a hypothesis strategy for any pack."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from koshi.rules.pack import InputField, PolicyPack
from koshi.rules.packs import ca_crs

ON = dt.date(2026, 3, 1)
IN_DEMAND_CODES = ("2511", "2512", "2211", "3155", "2146")  # on the kz in-demand list from 2023-02-28


def pr_profile(**changes: Any) -> dict[str, Any]:
    """A permanent-residence applicant who passes every gate (total 630 on 2026-03-01)."""
    base: dict[str, Any] = {
        "id": "T-1",
        "birth_date": "1992-05-01",
        "education_level": "isced_6",
        "experience_years": 6,
        "occupation_isco": "2512",
        "kazakh_level": "a2",
        "russian_level": "c1",
        "english_level": "b2",
        "kaztest_listening_pct": 55,
        "kaztest_reading_pct": 48,
        "health_clearance": True,
        "criminal_record": False,
        "prior_deportation": False,
        "family_ties_kz": False,
        "proof_of_funds_kzt": 6_000_000,
        "settlement_region": "550000000",
        "family_size": 3,
    }
    base.update(changes)
    return base


def kandas_profile(**changes: Any) -> dict[str, Any]:
    """An eligible kandas applicant settling in Pavlodar without support."""
    base: dict[str, Any] = {
        "id": "K-1",
        "birth_date": "1988-07-15",
        "ethnic_kazakh": True,
        "origin_evidence": "documents",
        "former_kz_citizen": False,
        "education_level": "isced_4",
        "experience_years": 4,
        "occupation_isco": "7233",
        "kazakh_level": "c1",
        "criminal_record": False,
        "settlement_region": "550000000",
        "family_size": 4,
        "working_age_members": 1,
        "support_requested": False,
        "social_contract_signed": False,
    }
    base.update(changes)
    return base


def crs_profile(**changes: Any) -> dict[str, Any]:
    """A single CRS candidate: 29 on 2026-03-01, bachelor's, IELTS CLB 9 in every ability, 3 years abroad (429)."""
    base: dict[str, Any] = {
        "id": "C-1",
        "birth_date": "1996-06-01",
        "education": "bachelors",
        "canadian_education": "none",
        "first_language_test": "ielts",
        "first_language_listening": 8.0,
        "first_language_reading": 7.0,
        "first_language_writing": 7.0,
        "first_language_speaking": 7.0,
        "second_language_test": "none",
        "canadian_work_years": 0,
        "foreign_work_years": 3,
        "certificate_of_qualification": False,
        "provincial_nomination": False,
        "sibling_in_canada": False,
        "arranged_employment": "none",
        "spouse_accompanying": False,
    }
    base.update(changes)
    return base


def _field_strategy(f: InputField) -> st.SearchStrategy[Any]:
    if f.kind == "bool":
        return st.booleans()
    if f.kind == "int":
        lo = int(f.minimum) if f.minimum is not None else 0
        hi = int(f.maximum) if f.maximum is not None else 1000
        return st.integers(lo, hi)
    if f.kind == "float":
        lo = f.minimum if f.minimum is not None else 0.0
        hi = f.maximum if f.maximum is not None else 1e8
        return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 2))
    if f.kind == "date":
        return st.dates(dt.date(1940, 1, 1), dt.date(2012, 12, 31)).map(dt.date.isoformat)
    if f.kind == "enum" and f.choices is not None:
        return st.sampled_from(f.choices)
    if f.variable == "occupation_isco":  # listed codes often, so the in-demand branch is exercised
        return st.one_of(st.sampled_from(IN_DEMAND_CODES), st.from_regex(f.pattern or "^[0-9]{4}$", fullmatch=True))
    if f.pattern is not None:
        return st.from_regex(f.pattern, fullmatch=True)
    return st.text(max_size=10)


def _on_test_scale(profile: dict[str, Any]) -> dict[str, Any]:
    """Turn the 0–1 fractions drawn for test scores into scores on the named test's scale (IELTS in halves)."""
    out = dict(profile)
    for prefix in ("first_language", "second_language", "spouse_first_language"):
        test = out.get(f"{prefix}_test")
        for ability in ca_crs.ABILITIES:
            column = f"{prefix}_{ability}"
            if column in out:
                limit = ca_crs.SCALE_MAXIMUM.get(test or "", {}).get(ability, 0.0)
                step = 0.5 if test == "ielts" else 1.0
                out[column] = round(out[column] * limit / step) * step
    return out


def profiles(pack: PolicyPack) -> st.SearchStrategy[dict[str, Any]]:
    """Any valid profile of ``pack`` (every field, spouse fields included)."""
    scored = {c.column for c in pack.checks}
    fields = {f.column: st.floats(0, 1) if f.column in scored else _field_strategy(f) for f in pack.fields}
    return st.fixed_dictionaries(fields).map(_on_test_scale if scored else dict)
