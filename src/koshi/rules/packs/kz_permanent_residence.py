"""``kz.permanent_residence``: the 2026 points assessment for a permanent residence permit.

Stages modelled: the KAZTEST gate (A1 Kazakh, at least 30% in each block), the
questionnaire score against the 400-point pass mark, and the knock-outs and review
triggers that the pilot's interagency checks stand for.  Points values are a
designed table (the official one is not public); the pass mark is official.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DAY, ETERNITY
from openfisca_core.variables import Variable

from koshi.reference.regions import BY_KATO, KATO_CODES
from koshi.rules._lookup import lookup
from koshi.rules.entities import Applicant, Family
from koshi.rules.pack import Criterion, Gate, InputField, PolicyPack
from koshi.rules.packs import kz_common

ROOT = "kz.permanent_residence"
CEFR = tuple(kz_common.CefrLevel.__members__)
ISCED = tuple(kz_common.EducationLevel.__members__)


class Decision(Enum):
    """Recommendation of the rules; adverse ones always go to an officer."""

    eligible = "Eligible"
    manual_review = "Manual review"
    refused = "Refused"


class kaztest_listening_pct(Variable):
    value_type = float
    entity = Applicant
    definition_period = ETERNITY
    label = "KAZTEST listening block, share of correct answers (%)"


class kaztest_reading_pct(Variable):
    value_type = float
    entity = Applicant
    definition_period = ETERNITY
    label = "KAZTEST reading block, share of correct answers (%)"


class health_clearance(Variable):
    value_type = bool
    entity = Applicant
    definition_period = ETERNITY
    label = "Medical certificate of no disqualifying disease"


class prior_deportation(Variable):
    value_type = bool
    entity = Applicant
    definition_period = ETERNITY
    label = "Has been deported or expelled from Kazakhstan"


class family_ties_kz(Variable):
    value_type = bool
    entity = Family
    definition_period = ETERNITY
    label = "A spouse, parent, child or sibling is a citizen of Kazakhstan"


class proof_of_funds_kzt(Variable):
    value_type = float
    entity = Family
    definition_period = ETERNITY
    label = "Funds shown on a bank account, tenge"


def _pts(period, parameters):
    return parameters(period).kz.permanent_residence.points


class kz_pr_age_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for age"

    def formula(family, period, parameters):
        return _pts(period, parameters).age.calc(family.principal("age", period))


class kz_pr_education_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for education"

    def formula(family, period, parameters):
        return lookup(_pts(period, parameters).education, family.principal("education_level", period))


class kz_pr_experience_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for work experience"

    def formula(family, period, parameters):
        return _pts(period, parameters).experience.calc(family.principal("experience_years", period))


class kz_pr_in_demand_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for an in-demand occupation"

    def formula(family, period, parameters):
        p = _pts(period, parameters).in_demand
        listed = family.principal("in_demand_occupation", period)
        years = family.principal("experience_years", period)
        return np.where(listed, np.where(years >= p.minimum_years, p.full, p.partial), 0.0)


class kz_pr_kazakh_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for Kazakh"

    def formula(family, period, parameters):
        return lookup(_pts(period, parameters).kazakh, family.principal("kazakh_level", period))


class kz_pr_russian_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for Russian"

    def formula(family, period, parameters):
        return lookup(_pts(period, parameters).russian, family.principal("russian_level", period))


class kz_pr_english_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for English"

    def formula(family, period, parameters):
        return lookup(_pts(period, parameters).english, family.principal("english_level", period))


class kz_pr_family_ties_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for family ties in Kazakhstan"

    def formula(family, period, parameters):
        return np.where(family("family_ties_kz", period), _pts(period, parameters).family_ties, 0.0)


class kz_pr_settlement_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Points for settling in a labour-deficit region"

    def formula(family, period, parameters):
        deficit = lookup(parameters(period).kz.common.labour_deficit, family("settlement_region", period))
        return np.where(deficit, _pts(period, parameters).settlement, 0.0)


CRITERIA_VARIABLES = (
    "kz_pr_age_points",
    "kz_pr_education_points",
    "kz_pr_experience_points",
    "kz_pr_in_demand_points",
    "kz_pr_kazakh_points",
    "kz_pr_russian_points",
    "kz_pr_english_points",
    "kz_pr_family_ties_points",
    "kz_pr_settlement_points",
)


class kz_pr_total(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Questionnaire score"

    def formula(family, period, parameters):
        return sum(family(name, period) for name in CRITERIA_VARIABLES)


class kz_pr_ko_kaztest(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "KAZTEST not passed (a block under the minimum share)"

    def formula(family, period, parameters):
        minimum = parameters(period).kz.permanent_residence.kaztest_min_block_share
        listening = family.principal("kaztest_listening_pct", period)
        reading = family.principal("kaztest_reading_pct", period)
        return (listening < minimum) | (reading < minimum)


class kz_pr_ko_criminal_record(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Unexpunged criminal record"

    def formula(family, period, parameters):
        return family.principal("criminal_record", period)


class kz_pr_ko_deportation(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Prior deportation or expulsion"

    def formula(family, period, parameters):
        return family.principal("prior_deportation", period)


class kz_pr_ko_minor(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Principal applicant under the minimum age"

    def formula(family, period, parameters):
        return family.principal("age", period) < parameters(period).kz.permanent_residence.minimum_age


class kz_pr_rv_health(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "No medical clearance yet"

    def formula(family, period, parameters):
        return np.logical_not(family.principal("health_clearance", period))


class kz_pr_funds_threshold_kzt(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Proof-of-funds threshold in tenge on the evaluation date"

    def formula(family, period, parameters):
        p = parameters(period)
        return np.full(family.count, p.kz.permanent_residence.funds_threshold_mrp * p.kz.common.mrp)


class kz_pr_rv_funds(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Funds below the threshold"

    def formula(family, period, parameters):
        return family("proof_of_funds_kzt", period) < family("kz_pr_funds_threshold_kzt", period)


class kz_pr_rv_borderline(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Score just under the pass mark"

    def formula(family, period, parameters):
        p = parameters(period).kz.permanent_residence
        total = family("kz_pr_total", period)
        return (total < p.pass_mark) & (total >= p.pass_mark - p.review_band)


KNOCKOUTS = ("kz_pr_ko_kaztest", "kz_pr_ko_criminal_record", "kz_pr_ko_deportation", "kz_pr_ko_minor")
REVIEWS = ("kz_pr_rv_health", "kz_pr_rv_funds", "kz_pr_rv_borderline")


class kz_pr_decision(Variable):
    value_type = Enum
    possible_values = Decision
    default_value = Decision.refused
    entity = Family
    definition_period = DAY
    label = "Recommended decision"

    def formula(family, period, parameters):
        p = parameters(period).kz.permanent_residence
        knocked_out = np.any([family(v, period) for v in KNOCKOUTS], axis=0)
        review = np.any([family(v, period) for v in REVIEWS], axis=0)
        passed = family("kz_pr_total", period) >= p.pass_mark
        return np.select(
            [knocked_out, review, passed],
            [Decision.refused, Decision.manual_review, Decision.eligible],
            Decision.refused,
        )


VARIABLES: list[type[Variable]] = [
    kaztest_listening_pct,
    kaztest_reading_pct,
    health_clearance,
    prior_deportation,
    family_ties_kz,
    proof_of_funds_kzt,
    kz_pr_age_points,
    kz_pr_education_points,
    kz_pr_experience_points,
    kz_pr_in_demand_points,
    kz_pr_kazakh_points,
    kz_pr_russian_points,
    kz_pr_english_points,
    kz_pr_family_ties_points,
    kz_pr_settlement_points,
    kz_pr_total,
    kz_pr_ko_kaztest,
    kz_pr_ko_criminal_record,
    kz_pr_ko_deportation,
    kz_pr_ko_minor,
    kz_pr_rv_health,
    kz_pr_funds_threshold_kzt,
    kz_pr_rv_funds,
    kz_pr_rv_borderline,
    kz_pr_decision,
]

REGION_CODES = {code: BY_KATO[code].slug for code in KATO_CODES}

FIELDS: tuple[InputField, ...] = (
    InputField("birth_date", "date", "Date of birth (YYYY-MM-DD)"),
    InputField("education_level", "enum", "Highest completed education, ISCED 2011", choices=ISCED),
    InputField("experience_years", "float", "Years of work experience", minimum=0, maximum=60),
    InputField(
        "occupation_isco",
        "str",
        "ISCO-08 unit group of that experience (4 digits)",
        pattern=r"^[0-9]{4}$",
    ),
    InputField("kazakh_level", "enum", "Kazakh level (CEFR)", choices=CEFR),
    InputField("russian_level", "enum", "Russian level (CEFR)", choices=CEFR),
    InputField("english_level", "enum", "English level (CEFR)", choices=CEFR),
    InputField("kaztest_listening_pct", "float", "KAZTEST listening block, %", minimum=0, maximum=100),
    InputField("kaztest_reading_pct", "float", "KAZTEST reading block, %", minimum=0, maximum=100),
    InputField("health_clearance", "bool", "Medical clearance obtained"),
    InputField("criminal_record", "bool", "Unexpunged criminal record"),
    InputField("prior_deportation", "bool", "Deported or expelled from Kazakhstan before"),
    InputField("family_ties_kz", "bool", "Close relative is a citizen of Kazakhstan", role="family"),
    InputField("proof_of_funds_kzt", "float", "Funds on a bank account, tenge", role="family", minimum=0),
    InputField(
        "settlement_region",
        "enum",
        "Intended region of settlement, KATO code (9 digits)",
        role="family",
        choices=KATO_CODES,
    ),
    InputField("family_size", "int", "Family members moving, principal included", role="family", minimum=1, maximum=30),
)

_P = "points"
PACK = PolicyPack(
    id="kz.permanent_residence",
    title="Kazakhstan: permanent residence permit, points assessment",
    description=(
        "KAZTEST A1 gate, questionnaire score against the 400-point pass mark, knock-outs and "
        "review triggers. Points table designed by Koshi (official table not public)."
    ),
    jurisdiction="KAZ",
    effective_from=dt.date(2026, 2, 13),
    parameter_roots=("kz.permanent_residence", "kz.common"),
    fields=FIELDS,
    criteria=(
        Criterion("age", "Age", "kz_pr_age_points", f"{ROOT}.{_P}.age", ("birth_date",), (f"{ROOT}.{_P}.age",)),
        Criterion(
            "education",
            "Education",
            "kz_pr_education_points",
            f"{ROOT}.{_P}.education",
            ("education_level",),
            (f"{ROOT}.{_P}.education",),
        ),
        Criterion(
            "experience",
            "Work experience",
            "kz_pr_experience_points",
            f"{ROOT}.{_P}.experience",
            ("experience_years",),
            (f"{ROOT}.{_P}.experience",),
        ),
        Criterion(
            "in_demand",
            "In-demand occupation",
            "kz_pr_in_demand_points",
            f"{ROOT}.{_P}.in_demand.full",
            ("occupation_isco", "experience_years"),
            (f"{ROOT}.{_P}.in_demand", "kz.common.in_demand_occupations"),
        ),
        Criterion(
            "kazakh",
            "Kazakh language",
            "kz_pr_kazakh_points",
            f"{ROOT}.{_P}.kazakh",
            ("kazakh_level",),
            (f"{ROOT}.{_P}.kazakh",),
            group="languages",
        ),
        Criterion(
            "russian",
            "Russian language",
            "kz_pr_russian_points",
            f"{ROOT}.{_P}.russian",
            ("russian_level",),
            (f"{ROOT}.{_P}.russian",),
            group="languages",
        ),
        Criterion(
            "english",
            "English language",
            "kz_pr_english_points",
            f"{ROOT}.{_P}.english",
            ("english_level",),
            (f"{ROOT}.{_P}.english",),
            group="languages",
        ),
        Criterion(
            "family_ties",
            "Family ties in Kazakhstan",
            "kz_pr_family_ties_points",
            f"{ROOT}.{_P}.family_ties",
            ("family_ties_kz",),
            (f"{ROOT}.{_P}.family_ties",),
            group="adaptation",
        ),
        Criterion(
            "settlement",
            "Settlement in a labour-deficit region",
            "kz_pr_settlement_points",
            f"{ROOT}.{_P}.settlement",
            ("settlement_region",),
            (f"{ROOT}.{_P}.settlement", "kz.common.labour_deficit"),
            group="adaptation",
        ),
    ),
    total="kz_pr_total",
    total_maximum="sum",
    decision="kz_pr_decision",
    pass_mark=f"{ROOT}.pass_mark",
    knockouts=(
        Gate(
            "kaztest",
            "KAZTEST A1 not passed",
            "kz_pr_ko_kaztest",
            ("kaztest_listening_pct", "kaztest_reading_pct"),
            (f"{ROOT}.kaztest_min_block_share",),
        ),
        Gate("criminal_record", "Unexpunged criminal record", "kz_pr_ko_criminal_record", ("criminal_record",)),
        Gate("deportation", "Prior deportation or expulsion", "kz_pr_ko_deportation", ("prior_deportation",)),
        Gate("minor", "Principal applicant under 18", "kz_pr_ko_minor", ("birth_date",), (f"{ROOT}.minimum_age",)),
    ),
    reviews=(
        Gate("health", "Medical clearance missing", "kz_pr_rv_health", ("health_clearance",)),
        Gate(
            "funds",
            "Funds below the threshold",
            "kz_pr_rv_funds",
            ("proof_of_funds_kzt",),
            (f"{ROOT}.funds_threshold_mrp", "kz.common.mrp"),
        ),
        Gate(
            "borderline",
            "Score just under the pass mark",
            "kz_pr_rv_borderline",
            (),
            (f"{ROOT}.pass_mark", f"{ROOT}.review_band"),
        ),
    ),
    extra_outputs=("kz_pr_funds_threshold_kzt",),
    legal_basis=(
        "Joint order MLSP No. 41, MVD No. 60, MAIDD No. 47 of 30 Jan 2026 (pilot); "
        "Law on Population Migration No. 477-IV, art. 7"
    ),
    encodings={"settlement_region": REGION_CODES},
)
