"""The two OpenFisca entities every policy pack is written against.

An *applicant* is a person: the principal applicant and, where a pack uses it, an
accompanying spouse.  A *family* is the unit an application is decided for; points,
knock-outs and the decision live on it, reading its members through their roles.
"""

from __future__ import annotations

from openfisca_core.entities import build_entity

Applicant = build_entity(
    key="applicant",
    plural="applicants",
    label="A person named in an application",
    doc="The principal applicant or a member of the principal's family.",
    is_person=True,
)

Family = build_entity(
    key="family",
    plural="families",
    label="The family an application is decided for",
    doc="One application: a principal, an optional spouse and dependants.",
    roles=[
        {"key": "principal", "max": 1, "label": "Principal applicant"},
        {"key": "spouse", "max": 1, "label": "Spouse or partner"},
        {"key": "dependant", "plural": "dependants", "label": "Dependants"},
    ],
)

entities = [Applicant, Family]
