"""The ten roles of Koshi and what each may do, in one place.

A role is stored on the user (``users.role``) and carried in the access token;
endpoints name the roles they admit (:func:`koshi.api.auth.require_roles`), so
every permission decision reads from this list rather than from string literals
scattered through the code.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal, get_args

Role = Literal[
    "applicant", "officer", "supervisor", "analyst", "police", "employer", "agency", "akimat", "inspector", "admin"
]

ROLES: tuple[str, ...] = get_args(Role)
"""Every role, in a fixed order (listings, demo accounts, the CLI's help)."""

STAFF_CASE_ROLES: tuple[str, ...] = ("officer", "supervisor")
"""Roles that work cases: they see the whole queue, not only their own applications."""

DESCRIPTIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        "applicant": "A foreigner or ethnic Kazakh applying for permanent residence or kandas status; "
        "sees only their own cases, with score, explanation and status.",
        "officer": "A migration officer: works the queue of cases, reviews scores and checks, decides with "
        "written reasons; an adverse decision needs a second officer.",
        "supervisor": "A supervisor or auditor: overrides decisions, audits every read and change, "
        "verifies the audit chain.",
        "analyst": "A policy analyst: KPIs by region and year, what-if simulation of rule changes, "
        "fairness of outcomes, reports; no access to individual cases.",
        "police": "Migration police: loads border events and registrations, sees overstays and people "
        "at risk of overstaying.",
        "employer": "An employer: posts vacancies, requests work permits for foreign workers, sees checks, "
        "quota and fee.",
        "agency": "A private employment agency: notifies its activity, files quarterly placement reports, "
        "sees its own complaints, inspections and sanctions.",
        "akimat": "A regional administration: issues, refuses and revokes work permits in its region; publishes "
        "vacancies and housing, follows resettled families.",
        "inspector": "A labour inspector: the registry of private employment agencies, complaints, inspections "
        "ranked by risk, violations and sanctions.",
        "admin": "A system administrator: manages accounts and configuration; no access to cases.",
    }
)
"""What each role does (for help texts and the API description)."""
