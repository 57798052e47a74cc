"""``kz.kandas_status``: eligibility for kandas status and priority for the regional quota.

Eligibility follows the Law on Population Migration (art. 1): a person of Kazakh
nationality who was never a citizen of Kazakhstan.  Priority points rank eligible
families for the regional quota, favouring settlement in labour-deficit regions.
From 2026 state support needs a 5-year social contract in such a region.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DAY, ETERNITY
from openfisca_core.variables import Variable

from koshi.reference.regions import KATO_CODES
from koshi.rules._lookup import lookup
from koshi.rules.entities import Applicant, Family
from koshi.rules.pack import Criterion, Gate, InputField, PolicyPack
from koshi.rules.packs import kz_common
from koshi.rules.packs.kz_permanent_residence import REGION_CODES, Decision

ROOT = "kz.kandas_status"


class OriginEvidence(Enum):
    """What proves Kazakh nationality."""

    documents = "Birth certificate, passport or similar documents"
    commission = "Recommendation of the commission on Kazakh nationality"
    none = "No evidence"


class Priority(Enum):
    """Queue band for the regional quota."""

    high = "High"
    medium = "Medium"
    standard = "Standard"


class ethnic_kazakh(Variable):
    value_type = bool
    entity = Applicant
    definition_period = ETERNITY
    label = "Declares Kazakh nationality (ethnic Kazakh)"


class origin_evidence(Variable):
    value_type = Enum
    possible_values = OriginEvidence
    default_value = OriginEvidence.none
    entity = Applicant
    definition_period = ETERNITY
    label = "Evidence of Kazakh nationality"


class former_kz_citizen(Variable):
    value_type = bool
    entity = Applicant
    definition_period = ETERNITY
    label = "Has been a citizen of Kazakhstan"


class support_requested(Variable):
    value_type = bool
    entity = Family
    definition_period = ETERNITY
    label = "Applies for state support (relocation subsidy, housing)"


class social_contract_signed(Variable):
    value_type = bool
    entity = Family
    definition_period = ETERNITY
    label = "Has signed the social contract to stay in the region"


class working_age_members(Variable):
    value_type = int
    entity = Family
    definition_period = ETERNITY
    label = "Family members of working age moving with the principal"


def _pts(period, parameters):
    return parameters(period).kz.kandas_status.points


class kz_kd_deficit_region(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Settlement region has a kandas quota (labour-deficit)"

    def formula(family, period, parameters):
        return lookup(parameters(period).kz.common.labour_deficit_kandas, family("settlement_region", period))


class kz_kd_settlement_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for settling in a labour-deficit region"

    def formula(family, period, parameters):
        return np.where(family("kz_kd_deficit_region", period), _pts(period, parameters).settlement, 0.0)


class kz_kd_age_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for working age"

    def formula(family, period, parameters):
        return _pts(period, parameters).working_age.calc(family.principal("age", period))


class kz_kd_education_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for education"

    def formula(family, period, parameters):
        return lookup(_pts(period, parameters).education, family.principal("education_level", period))


class kz_kd_in_demand_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for an in-demand occupation"

    def formula(family, period, parameters):
        listed = family.principal("in_demand_occupation", period)
        years = family.principal("experience_years", period)
        return np.where(listed & (years >= 1), _pts(period, parameters).in_demand, 0.0)


class kz_kd_kazakh_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for Kazakh"

    def formula(family, period, parameters):
        return lookup(_pts(period, parameters).kazakh, family.principal("kazakh_level", period))


class kz_kd_family_uncapped(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for working-age family members, before the cap"

    def formula(family, period, parameters):
        return family("working_age_members", period) * _pts(period, parameters).family_size.per_member


class kz_kd_family_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for working-age family members"

    def formula(family, period, parameters):
        cap = _pts(period, parameters).family_size.cap
        return np.minimum(family("kz_kd_family_uncapped", period), cap)


CRITERIA_VARIABLES = (
    "kz_kd_settlement_points",
    "kz_kd_age_points",
    "kz_kd_education_points",
    "kz_kd_in_demand_points",
    "kz_kd_kazakh_points",
    "kz_kd_family_points",
)


class kz_kd_total(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Priority score"

    def formula(family, period, parameters):
        return sum(family(name, period) for name in CRITERIA_VARIABLES)


class kz_kd_ko_not_ethnic(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Not of Kazakh nationality"

    def formula(family, period, parameters):
        return np.logical_not(family.principal("ethnic_kazakh", period))


class kz_kd_ko_no_evidence(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "No evidence of Kazakh nationality"

    def formula(family, period, parameters):
        return family.principal("origin_evidence", period) == OriginEvidence.none


class kz_kd_ko_former_citizen(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Was a citizen of Kazakhstan (kandas status is for those who never were)"

    def formula(family, period, parameters):
        return family.principal("former_kz_citizen", period)


class kz_kd_rv_commission(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Nationality rests on a commission recommendation"

    def formula(family, period, parameters):
        return family.principal("origin_evidence", period) == OriginEvidence.commission


class kz_kd_rv_criminal_record(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Criminal record to be assessed by an officer"

    def formula(family, period, parameters):
        return family.principal("criminal_record", period)


class kz_kd_support_eligible(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Meets the conditions for state support"

    def formula(family, period, parameters):
        contract_needed = parameters(period).kz.kandas_status.support_contract
        deficit = family("kz_kd_deficit_region", period)
        signed = family("social_contract_signed", period)
        conditions = deficit & (signed | np.logical_not(contract_needed))
        return family("support_requested", period) & conditions


class kz_kd_rv_support(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Support requested without meeting its conditions"

    def formula(family, period, parameters):
        requested = family("support_requested", period)
        return requested & np.logical_not(family("kz_kd_support_eligible", period))


KNOCKOUTS = ("kz_kd_ko_not_ethnic", "kz_kd_ko_no_evidence", "kz_kd_ko_former_citizen")
REVIEWS = ("kz_kd_rv_commission", "kz_kd_rv_criminal_record", "kz_kd_rv_support")


class kz_kd_decision(Variable):
    value_type = Enum
    possible_values = Decision
    default_value = Decision.refused
    entity = Family
    definition_period = DAY
    label = "Recommended decision on kandas status"

    def formula(family, period, parameters):
        knocked_out = np.any([family(v, period) for v in KNOCKOUTS], axis=0)
        review = np.any([family(v, period) for v in REVIEWS], axis=0)
        return np.select([knocked_out, review], [Decision.refused, Decision.manual_review], Decision.eligible)


class kz_kd_priority(Variable):
    value_type = Enum
    possible_values = Priority
    default_value = Priority.standard
    entity = Family
    definition_period = DAY
    label = "Priority band for the regional quota"

    def formula(family, period, parameters):
        bands = parameters(period).kz.kandas_status.priority_bands
        total = family("kz_kd_total", period)
        return np.select(
            [total >= bands.high, total >= bands.medium], [Priority.high, Priority.medium], Priority.standard
        )


VARIABLES: list[type[Variable]] = [
    ethnic_kazakh,
    origin_evidence,
    former_kz_citizen,
    support_requested,
    social_contract_signed,
    working_age_members,
    kz_kd_deficit_region,
    kz_kd_settlement_points,
    kz_kd_age_points,
    kz_kd_education_points,
    kz_kd_in_demand_points,
    kz_kd_kazakh_points,
    kz_kd_family_uncapped,
    kz_kd_family_points,
    kz_kd_total,
    kz_kd_ko_not_ethnic,
    kz_kd_ko_no_evidence,
    kz_kd_ko_former_citizen,
    kz_kd_rv_commission,
    kz_kd_rv_criminal_record,
    kz_kd_support_eligible,
    kz_kd_rv_support,
    kz_kd_decision,
    kz_kd_priority,
]

P = f"{ROOT}.points"
FIELDS: tuple[InputField, ...] = (
    InputField("birth_date", "date", "Date of birth (YYYY-MM-DD)"),
    InputField("ethnic_kazakh", "bool", "Declares Kazakh nationality"),
    InputField("origin_evidence", "enum", "Evidence of Kazakh nationality", choices=tuple(OriginEvidence.__members__)),
    InputField("former_kz_citizen", "bool", "Has been a citizen of Kazakhstan"),
    InputField(
        "education_level",
        "enum",
        "Highest completed education, ISCED 2011",
        choices=tuple(kz_common.EducationLevel.__members__),
    ),
    InputField("experience_years", "float", "Years of work experience", minimum=0, maximum=60),
    InputField("occupation_isco", "str", "ISCO-08 unit group of that experience (4 digits)", pattern=r"^[0-9]{4}$"),
    InputField("kazakh_level", "enum", "Kazakh level (CEFR)", choices=tuple(kz_common.CefrLevel.__members__)),
    InputField("criminal_record", "bool", "Unexpunged criminal record"),
    InputField(
        "settlement_region",
        "enum",
        "Intended region of settlement, KATO code (9 digits)",
        role="family",
        choices=KATO_CODES,
    ),
    InputField("family_size", "int", "Family members moving, principal included", role="family", minimum=1, maximum=30),
    InputField(
        "working_age_members", "int", "Other family members of working age", role="family", minimum=0, maximum=29
    ),
    InputField("support_requested", "bool", "Applies for state support", role="family"),
    InputField("social_contract_signed", "bool", "Has signed the social contract", role="family"),
)

PACK = PolicyPack(
    id="kz.kandas_status",
    title="Kazakhstan: kandas status, eligibility and quota priority",
    description=(
        "Eligibility for kandas status (Kazakh nationality, never a citizen) and a priority score "
        "for the regional quota favouring labour-deficit regions; support conditions from 2026."
    ),
    jurisdiction="KAZ",
    effective_from=dt.date(2024, 1, 1),
    parameter_roots=("kz.kandas_status", "kz.common"),
    fields=FIELDS,
    criteria=(
        Criterion(
            "settlement",
            "Settlement in a labour-deficit region",
            "kz_kd_settlement_points",
            f"{P}.settlement",
            ("settlement_region",),
            (f"{P}.settlement", "kz.common.labour_deficit_kandas"),
        ),
        Criterion("age", "Working age", "kz_kd_age_points", f"{P}.working_age", ("birth_date",), (f"{P}.working_age",)),
        Criterion(
            "education",
            "Education",
            "kz_kd_education_points",
            f"{P}.education",
            ("education_level",),
            (f"{P}.education",),
        ),
        Criterion(
            "in_demand",
            "In-demand occupation",
            "kz_kd_in_demand_points",
            f"{P}.in_demand",
            ("occupation_isco", "experience_years"),
            (f"{P}.in_demand", "kz.common.in_demand_occupations"),
        ),
        Criterion(
            "kazakh", "Kazakh language", "kz_kd_kazakh_points", f"{P}.kazakh", ("kazakh_level",), (f"{P}.kazakh",)
        ),
        Criterion(
            "family",
            "Working-age family members",
            "kz_kd_family_points",
            f"{P}.family_size.cap",
            ("working_age_members",),
            (f"{P}.family_size",),
            uncapped="kz_kd_family_uncapped",
            cap=f"{P}.family_size.cap",
        ),
    ),
    total="kz_kd_total",
    total_maximum="sum",
    decision="kz_kd_decision",
    knockouts=(
        Gate("not_ethnic_kazakh", "Not of Kazakh nationality", "kz_kd_ko_not_ethnic", ("ethnic_kazakh",)),
        Gate("no_evidence", "No evidence of Kazakh nationality", "kz_kd_ko_no_evidence", ("origin_evidence",)),
        Gate("former_citizen", "Was a citizen of Kazakhstan", "kz_kd_ko_former_citizen", ("former_kz_citizen",)),
    ),
    reviews=(
        Gate(
            "commission",
            "Nationality rests on a commission recommendation",
            "kz_kd_rv_commission",
            ("origin_evidence",),
        ),
        Gate("criminal_record", "Criminal record to be assessed", "kz_kd_rv_criminal_record", ("criminal_record",)),
        Gate(
            "support_conditions",
            "Support requested without its conditions",
            "kz_kd_rv_support",
            ("support_requested", "social_contract_signed", "settlement_region"),
            (f"{ROOT}.support_contract", "kz.common.labour_deficit_kandas"),
        ),
    ),
    extra_outputs=("kz_kd_priority", "kz_kd_support_eligible"),
    legal_basis=(
        "Law on Population Migration No. 477-IV, art. 1 (as amended by Law No. 327-VI of 13 May 2020); "
        "MLSP rules on the regional quota (V1600013334)"
    ),
    encodings={"settlement_region": REGION_CODES},
)
