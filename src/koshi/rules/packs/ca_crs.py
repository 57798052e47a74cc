"""``ca.crs``: Canada's Express Entry Comprehensive Ranking System (reference pack).

The grid in force from 2025-03-25 and the versions before it back to 2020-10-27:
core human capital (A), spouse factors (B), skill transferability (C, each group
capped at 50 and the section at 100), additional points (D, capped at 600), 1,200
in all.  Raw test scores are converted to CLB/NCLC levels per ability by dated
tables.  CRS ranks candidates: it has no pass mark, so the decision is
``eligible`` (ranked) unless a knock-out or a review trigger fires.

Source of every value: ``shared/domain/points-systems.md`` §1 and the references
in ``parameters/ca/crs``.  ``birth_date`` and ``age`` are the shared variables of
:mod:`koshi.rules.packs.kz_common`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DAY, ETERNITY
from openfisca_core.variables import Variable

from koshi.rules._lookup import lookup
from koshi.rules.entities import Applicant, Family
from koshi.rules.pack import Columns, Criterion, Gate, InputField, PolicyPack, Role, RowCheck
from koshi.rules.packs.kz_permanent_residence import Decision

ROOT = "ca.crs"
ABILITIES = ("listening", "reading", "writing", "speaking")
CLB_LEVELS = np.arange(4, 11)


class Education(Enum):
    """Level of education as the CRS grid names it (Canadian credential or an assessed foreign one)."""

    less_than_secondary = "Less than secondary school (high school)"
    secondary = "Secondary diploma (high school graduation)"
    one_year = "One-year post-secondary programme"
    two_year = "Two-year post-secondary programme"
    bachelors = "Bachelor's degree or a post-secondary programme of three years or more"
    two_or_more = "Two or more credentials, one of them of three years or more"
    masters = "Master's degree, or an entry-to-practice professional degree"
    doctoral = "Doctoral (PhD) degree"


class CanadianEducation(Enum):
    """Post-secondary education completed in Canada."""

    none = "None"
    one_or_two_year = "Credential of one or two years"
    three_year_or_more = "Credential of three years or more, or a master's, professional or doctoral degree"


class LanguageTest(Enum):
    """Designated language test; ``none`` when no (second) test was taken."""

    none = "No test"
    ielts = "IELTS General Training (English)"
    celpip = "CELPIP-General (English)"
    pte = "PTE Core (English)"
    tef = "TEF Canada (French)"
    tcf = "TCF Canada (French)"


class ArrangedEmployment(Enum):
    """A qualifying job offer, by NOC 2021 TEER."""

    none = "No qualifying job offer"
    teer_0_major_group_00 = "NOC TEER 0, Major Group 00 (senior management)"
    teer_1_3_or_other = "NOC TEER 1, 2 or 3, or TEER 0 outside Major Group 00"


EDUCATION = tuple(Education.__members__)
TEST_CHOICES = tuple(name for name in LanguageTest.__members__ if name != "none")
FRENCH_TESTS = ("tef", "tcf")
_TEST_INDEX = {name: i for i, name in enumerate(LanguageTest.__members__)}  # OpenFisca indexes members in order


# --- inputs --------------------------------------------------------------------------------------


class education(Variable):
    value_type = Enum
    possible_values = Education
    default_value = Education.less_than_secondary
    entity = Applicant
    definition_period = ETERNITY
    label = "Level of education (CRS categories)"


class canadian_education(Variable):
    value_type = Enum
    possible_values = CanadianEducation
    default_value = CanadianEducation.none
    entity = Applicant
    definition_period = ETERNITY
    label = "Post-secondary education completed in Canada"


class first_language_test(Variable):
    value_type = Enum
    possible_values = LanguageTest
    default_value = LanguageTest.none
    entity = Applicant
    definition_period = ETERNITY
    label = "Test of the first official language (its language is the first official language)"


def _score_input(language: str, ability: str) -> type[Variable]:
    """Input variable ``<language>_language_<ability>``: the raw score of one ability on the named test."""
    attrs = {
        "value_type": float,
        "entity": Applicant,
        "definition_period": ETERNITY,
        "label": f"{language.capitalize()}-language test, {ability} score",
    }
    return type(f"{language}_language_{ability}", (Variable,), attrs)


FIRST_SCORES = tuple(_score_input("first", a) for a in ABILITIES)


class second_language_test(Variable):
    value_type = Enum
    possible_values = LanguageTest
    default_value = LanguageTest.none
    entity = Applicant
    definition_period = ETERNITY
    label = "Test of the second official language, if any"


SECOND_SCORES = tuple(_score_input("second", a) for a in ABILITIES)


class canadian_work_years(Variable):
    value_type = float
    entity = Applicant
    definition_period = ETERNITY
    label = "Years of skilled work experience in Canada in the last 10 years"


class foreign_work_years(Variable):
    value_type = float
    entity = Applicant
    definition_period = ETERNITY
    label = "Years of skilled work experience outside Canada in the last 10 years"


class certificate_of_qualification(Variable):
    value_type = bool
    entity = Applicant
    definition_period = ETERNITY
    label = "Holds a certificate of qualification in a trade from a Canadian province or territory"


class provincial_nomination(Variable):
    value_type = bool
    entity = Applicant
    definition_period = ETERNITY
    label = "Holds a provincial or territorial nomination"


class sibling_in_canada(Variable):
    value_type = bool
    entity = Applicant
    definition_period = ETERNITY
    label = "A brother or sister (of the applicant or the spouse) lives in Canada as a citizen or permanent resident"


class arranged_employment(Variable):
    value_type = Enum
    possible_values = ArrangedEmployment
    default_value = ArrangedEmployment.none
    entity = Applicant
    definition_period = ETERNITY
    label = "Qualifying job offer (arranged employment)"


class spouse_accompanying(Variable):
    value_type = bool
    entity = Family
    definition_period = ETERNITY
    label = "A spouse or common-law partner who is not a Canadian citizen or permanent resident comes to Canada"


# --- language levels (per person: the principal and an accompanying spouse) ---------------------


def _clb(applicant, period, parameters, language: str, ability: str):
    """CLB/NCLC level (4–10; 0 below CLB 4) of one ability, from the test's dated minimum scores."""
    tables = parameters(period).ca.crs.clb
    test = applicant(f"{language}_language_test", period)
    score = applicant(f"{language}_language_{ability}", period)
    level = np.zeros(applicant.count, dtype=np.int64)
    for name in TEST_CHOICES:
        rows = np.flatnonzero(test == _TEST_INDEX[name])
        if rows.size == 0:
            continue
        table = tables[name][ability]
        minima = np.array([table[f"clb_{n}"] for n in CLB_LEVELS])
        reached = score[rows, None] >= minima[None, :]
        level[rows] = np.max(np.where(reached, CLB_LEVELS[None, :], 0), axis=1)
    return level


def _is_french(test):
    return np.isin(np.asarray(test), [_TEST_INDEX[name] for name in FRENCH_TESTS])


def _clb_variable(language: str, ability: str) -> type[Variable]:
    """Variable ``<language>_language_clb_<ability>``: the CLB/NCLC level of one ability, by date."""

    def formula(applicant, period, parameters):
        return _clb(applicant, period, parameters, language, ability)

    what = "First official language" if language == "first" else "Second official language"
    below = "0 below CLB 4" if language == "first" else "0 below CLB 4 or no test"
    attrs = {
        "value_type": int,
        "entity": Applicant,
        "definition_period": DAY,
        "label": f"{what}, {ability}: CLB/NCLC level ({below})",
        "formula": formula,
    }
    return type(f"{language}_language_clb_{ability}", (Variable,), attrs)


CLB_VARIABLES = tuple(_clb_variable(language, a) for language in ("first", "second") for a in ABILITIES)


class first_language_clb_min(Variable):
    value_type = int
    entity = Applicant
    definition_period = DAY
    label = "First official language: lowest CLB/NCLC across the four abilities"

    def formula(applicant, period, parameters):
        return np.min([applicant(f"first_language_clb_{a}", period) for a in ABILITIES], axis=0)


class second_language_clb_min(Variable):
    value_type = int
    entity = Applicant
    definition_period = DAY
    label = "Second official language: lowest CLB/NCLC across the four abilities"

    def formula(applicant, period, parameters):
        return np.min([applicant(f"second_language_clb_{a}", period) for a in ABILITIES], axis=0)


class second_language_scored(Variable):
    value_type = bool
    entity = Applicant
    definition_period = ETERNITY
    label = "A second test was taken in the other official language (so it counts as the second language)"

    def formula(applicant, period, parameters):
        first = applicant("first_language_test", period)
        second = applicant("second_language_test", period)
        taken = second != LanguageTest.none
        return taken & (_is_french(first) != _is_french(second))


class english_clb_min(Variable):
    value_type = int
    entity = Applicant
    definition_period = DAY
    label = "English: lowest CLB across the four abilities (0 when below CLB 4 or no English test)"

    def formula(applicant, period, parameters):
        first_french = _is_french(applicant("first_language_test", period))
        first_english = np.logical_not(first_french)
        second_english = applicant("second_language_scored", period) & first_french
        return np.select(
            [first_english, second_english],
            [applicant("first_language_clb_min", period), applicant("second_language_clb_min", period)],
            0,
        )


class french_nclc_min(Variable):
    value_type = int
    entity = Applicant
    definition_period = DAY
    label = "French: lowest NCLC across the four abilities (0 when below NCLC 4 or no French test)"

    def formula(applicant, period, parameters):
        first_french = _is_french(applicant("first_language_test", period))
        second_french = applicant("second_language_scored", period) & np.logical_not(first_french)
        return np.select(
            [first_french, second_french],
            [applicant("first_language_clb_min", period), applicant("second_language_clb_min", period)],
            0,
        )


# --- A. core / human capital ---------------------------------------------------------------------


def _p(period, parameters):
    return parameters(period).ca.crs


def _by_spouse(family, period, node, values):
    """``node.with_spouse`` or ``node.without_spouse`` applied to ``values``, by the family's spouse status."""
    accompanying = family("spouse_accompanying", period)
    return np.where(accompanying, node.with_spouse.calc(values), node.without_spouse.calc(values))


class ca_crs_age_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "A. Points for age"

    def formula(family, period, parameters):
        return _by_spouse(family, period, _p(period, parameters).age, family.principal("age", period))


class ca_crs_education_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "A. Points for level of education"

    def formula(family, period, parameters):
        table = _p(period, parameters).education
        level = family.principal("education", period)
        accompanying = family("spouse_accompanying", period)
        return np.where(accompanying, lookup(table.with_spouse, level), lookup(table.without_spouse, level))


class ca_crs_first_language_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "A. Points for the first official language (per ability, summed)"

    def formula(family, period, parameters):
        node = _p(period, parameters).first_language
        return sum(
            _by_spouse(family, period, node, family.principal(f"first_language_clb_{a}", period)) for a in ABILITIES
        )


class ca_crs_second_language_uncapped(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "A. Points for the second official language, before the cap"

    def formula(family, period, parameters):
        scale = _p(period, parameters).second_language.per_ability
        total = sum(scale.calc(family.principal(f"second_language_clb_{a}", period)) for a in ABILITIES)
        return np.where(family.principal("second_language_scored", period), total, 0.0)


class ca_crs_second_language_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "A. Points for the second official language"

    def formula(family, period, parameters):
        cap = _p(period, parameters).second_language.cap
        limit = np.where(family("spouse_accompanying", period), cap.with_spouse, cap.without_spouse)
        return np.minimum(family("ca_crs_second_language_uncapped", period), limit)


class ca_crs_canadian_work_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "A. Points for Canadian work experience"

    def formula(family, period, parameters):
        node = _p(period, parameters).canadian_work
        return _by_spouse(family, period, node, family.principal("canadian_work_years", period))


CORE = (
    "ca_crs_age_points",
    "ca_crs_education_points",
    "ca_crs_first_language_points",
    "ca_crs_second_language_points",
    "ca_crs_canadian_work_points",
)


class ca_crs_core_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "A. Core / human capital factors"

    def formula(family, period, parameters):
        return sum(family(name, period) for name in CORE)


# --- B. spouse factors ---------------------------------------------------------------------------


class ca_crs_spouse_education_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "B. Points for the spouse's level of education"

    def formula(family, period, parameters):
        points = lookup(_p(period, parameters).spouse.education, family.spouse("education", period))
        return np.where(family("spouse_accompanying", period), points, 0.0)


class ca_crs_spouse_language_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "B. Points for the spouse's first official language (per ability, summed)"

    def formula(family, period, parameters):
        scale = _p(period, parameters).spouse.first_language
        points = sum(scale.calc(family.spouse(f"first_language_clb_{a}", period)) for a in ABILITIES)
        return np.where(family("spouse_accompanying", period), points, 0.0)


class ca_crs_spouse_canadian_work_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "B. Points for the spouse's Canadian work experience"

    def formula(family, period, parameters):
        points = _p(period, parameters).spouse.canadian_work.calc(family.spouse("canadian_work_years", period))
        return np.where(family("spouse_accompanying", period), points, 0.0)


SPOUSE = ("ca_crs_spouse_education_points", "ca_crs_spouse_language_points", "ca_crs_spouse_canadian_work_points")


class ca_crs_spouse_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "B. Spouse or common-law partner factors"

    def formula(family, period, parameters):
        return sum(family(name, period) for name in SPOUSE)


# --- C. skill transferability --------------------------------------------------------------------


def _tier(value, middle, high, middle_points, high_points):
    """``high_points`` from ``high`` up, ``middle_points`` from ``middle`` up, else 0."""
    return np.select([value >= high, value >= middle], [high_points, middle_points], 0.0)


class ca_crs_education_transferability_uncapped(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "C. Education with language and with Canadian work, before the cap"

    def formula(family, period, parameters):
        t = _p(period, parameters).transferability
        level = family.principal("education", period)
        clb = family.principal("first_language_clb_min", period)
        years = family.principal("canadian_work_years", period)
        with_language = _tier(
            clb,
            t.language_middle_clb,
            t.language_high_clb,
            lookup(t.education_with_language.middle, level),
            lookup(t.education_with_language.high, level),
        )
        with_work = _tier(
            years,
            t.canadian_work_middle_years,
            t.canadian_work_high_years,
            lookup(t.education_with_canadian_work.middle, level),
            lookup(t.education_with_canadian_work.high, level),
        )
        return with_language + with_work


class ca_crs_education_transferability_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "C. Education with language and with Canadian work"

    def formula(family, period, parameters):
        cap = _p(period, parameters).transferability.group_cap
        return np.minimum(family("ca_crs_education_transferability_uncapped", period), cap)


class ca_crs_foreign_work_transferability_uncapped(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "C. Foreign work with language and with Canadian work, before the cap"

    def formula(family, period, parameters):
        t = _p(period, parameters).transferability
        foreign = family.principal("foreign_work_years", period)
        clb = family.principal("first_language_clb_min", period)
        years = family.principal("canadian_work_years", period)
        with_language = _tier(
            clb,
            t.language_middle_clb,
            t.language_high_clb,
            t.foreign_work_with_language.middle.calc(foreign),
            t.foreign_work_with_language.high.calc(foreign),
        )
        with_work = _tier(
            years,
            t.canadian_work_middle_years,
            t.canadian_work_high_years,
            t.foreign_work_with_canadian_work.middle.calc(foreign),
            t.foreign_work_with_canadian_work.high.calc(foreign),
        )
        return with_language + with_work


class ca_crs_foreign_work_transferability_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "C. Foreign work with language and with Canadian work"

    def formula(family, period, parameters):
        cap = _p(period, parameters).transferability.group_cap
        return np.minimum(family("ca_crs_foreign_work_transferability_uncapped", period), cap)


class ca_crs_certificate_transferability_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "C. Certificate of qualification (trades) with language"

    def formula(family, period, parameters):
        t = _p(period, parameters).transferability
        points = t.certificate_with_language.calc(family.principal("first_language_clb_min", period))
        held = family.principal("certificate_of_qualification", period)
        return np.minimum(np.where(held, points, 0.0), t.group_cap)


TRANSFERABILITY = (
    "ca_crs_education_transferability_points",
    "ca_crs_foreign_work_transferability_points",
    "ca_crs_certificate_transferability_points",
)


class ca_crs_transferability_uncapped(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "C. Skill transferability, sum of the capped groups before the section cap"

    def formula(family, period, parameters):
        return sum(family(name, period) for name in TRANSFERABILITY)


class ca_crs_transferability_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "C. Skill transferability factors"

    def formula(family, period, parameters):
        cap = _p(period, parameters).transferability.cap
        return np.minimum(family("ca_crs_transferability_uncapped", period), cap)


# --- D. additional points ------------------------------------------------------------------------


class ca_crs_provincial_nomination_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "D. Points for a provincial or territorial nomination"

    def formula(family, period, parameters):
        points = _p(period, parameters).additional.provincial_nomination
        return np.where(family.principal("provincial_nomination", period), points, 0.0)


class ca_crs_french_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "D. Points for French-language skills"

    def formula(family, period, parameters):
        p = _p(period, parameters).additional.french
        french = family.principal("french_nclc_min", period) >= p.minimum_nclc
        english = family.principal("english_clb_min", period) >= p.minimum_english_clb
        return np.where(french, np.where(english, p.points.bilingual, p.points.french_only), 0.0)


class ca_crs_canadian_study_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "D. Points for post-secondary education in Canada"

    def formula(family, period, parameters):
        table = _p(period, parameters).additional.canadian_study
        return lookup(table, family.principal("canadian_education", period))


class ca_crs_sibling_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "D. Points for a brother or sister in Canada"

    def formula(family, period, parameters):
        points = _p(period, parameters).additional.sibling
        return np.where(family.principal("sibling_in_canada", period), points, 0.0)


class ca_crs_arranged_employment_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "D. Points for arranged employment (removed from 2025-03-25)"

    def formula(family, period, parameters):
        table = _p(period, parameters).additional.arranged_employment
        return lookup(table, family.principal("arranged_employment", period))


ADDITIONAL = (
    "ca_crs_provincial_nomination_points",
    "ca_crs_french_points",
    "ca_crs_canadian_study_points",
    "ca_crs_sibling_points",
    "ca_crs_arranged_employment_points",
)


class ca_crs_additional_uncapped(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "D. Additional points before the cap"

    def formula(family, period, parameters):
        return sum(family(name, period) for name in ADDITIONAL)


class ca_crs_additional_points(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "D. Additional points"

    def formula(family, period, parameters):
        cap = _p(period, parameters).additional.cap
        return np.minimum(family("ca_crs_additional_uncapped", period), cap)


SECTIONS = ("ca_crs_core_points", "ca_crs_spouse_points", "ca_crs_transferability_points", "ca_crs_additional_points")


class ca_crs_total(Variable):
    value_type = float
    entity = Family
    definition_period = DAY
    label = "Comprehensive Ranking System score"

    def formula(family, period, parameters):
        return np.minimum(sum(family(name, period) for name in SECTIONS), _p(period, parameters).maximum)


# --- principal's CLB levels, reported with the score ---------------------------------------------


def _principal_level(variable: str, label: str) -> type[Variable]:
    """Family variable ``ca_crs_<variable>``: the principal's language level, reported with the score."""

    def formula(family, period, parameters):
        return family.principal(variable, period)

    attrs = {"value_type": int, "entity": Family, "definition_period": DAY, "label": label, "formula": formula}
    return type(f"ca_crs_{variable}", (Variable,), attrs)


PRINCIPAL_LEVELS = (
    *(
        _principal_level(f"first_language_clb_{a}", f"Principal's first official language, {a}: CLB/NCLC")
        for a in ABILITIES
    ),
    _principal_level(
        "second_language_clb_min", "Principal's second official language: lowest CLB/NCLC across the four abilities"
    ),
    _principal_level(
        "english_clb_min", "Principal's English: lowest CLB across the four abilities (0 when no English test)"
    ),
    _principal_level(
        "french_nclc_min", "Principal's French: lowest NCLC across the four abilities (0 when no French test)"
    ),
)


# --- gates and decision --------------------------------------------------------------------------


class ca_crs_ko_minor(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Principal applicant under 18"

    def formula(family, period, parameters):
        return family.principal("age", period) < _p(period, parameters).minimum_age


class ca_crs_rv_low_language(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "First-language result below CLB 4 in an ability"

    def formula(family, period, parameters):
        return family.principal("first_language_clb_min", period) < _p(period, parameters).minimum_clb


class ca_crs_rv_same_language(Variable):
    value_type = bool
    entity = Family
    definition_period = DAY
    label = "Second test in the same official language as the first (not scored)"

    def formula(family, period, parameters):
        taken = family.principal("second_language_test", period) != LanguageTest.none
        return taken & np.logical_not(family.principal("second_language_scored", period))


KNOCKOUTS = ("ca_crs_ko_minor",)
REVIEWS = ("ca_crs_rv_low_language", "ca_crs_rv_same_language")


class ca_crs_decision(Variable):
    value_type = Enum
    possible_values = Decision
    default_value = Decision.refused
    entity = Family
    definition_period = DAY
    label = "Recommended decision (CRS ranks: eligible means ranked in the pool)"

    def formula(family, period, parameters):
        knocked_out = np.any([family(v, period) for v in KNOCKOUTS], axis=0)
        review = np.any([family(v, period) for v in REVIEWS], axis=0)
        return np.select([knocked_out, review], [Decision.refused, Decision.manual_review], Decision.eligible)


VARIABLES: list[type[Variable]] = [
    education,
    canadian_education,
    first_language_test,
    *FIRST_SCORES,
    second_language_test,
    *SECOND_SCORES,
    canadian_work_years,
    foreign_work_years,
    certificate_of_qualification,
    provincial_nomination,
    sibling_in_canada,
    arranged_employment,
    spouse_accompanying,
    *CLB_VARIABLES,
    first_language_clb_min,
    second_language_clb_min,
    second_language_scored,
    english_clb_min,
    french_nclc_min,
    ca_crs_age_points,
    ca_crs_education_points,
    ca_crs_first_language_points,
    ca_crs_second_language_uncapped,
    ca_crs_second_language_points,
    ca_crs_canadian_work_points,
    ca_crs_core_points,
    ca_crs_spouse_education_points,
    ca_crs_spouse_language_points,
    ca_crs_spouse_canadian_work_points,
    ca_crs_spouse_points,
    ca_crs_education_transferability_uncapped,
    ca_crs_education_transferability_points,
    ca_crs_foreign_work_transferability_uncapped,
    ca_crs_foreign_work_transferability_points,
    ca_crs_certificate_transferability_points,
    ca_crs_transferability_uncapped,
    ca_crs_transferability_points,
    ca_crs_provincial_nomination_points,
    ca_crs_french_points,
    ca_crs_canadian_study_points,
    ca_crs_sibling_points,
    ca_crs_arranged_employment_points,
    ca_crs_additional_uncapped,
    ca_crs_additional_points,
    ca_crs_total,
    *PRINCIPAL_LEVELS,
    ca_crs_ko_minor,
    ca_crs_rv_low_language,
    ca_crs_rv_same_language,
    ca_crs_decision,
]

_FIRST = tuple(f"first_language_{a}" for a in ABILITIES)
_SECOND = tuple(f"second_language_{a}" for a in ABILITIES)
_SCORE = "Score (IELTS band 0–9, CELPIP level 1–12, PTE 10–90, TEF 0–699, TCF 0–699 or 0–20 for writing and speaking)"


def _scores(
    prefix: str, what: str, *, role: Role = "principal", required_when: str | None = None
) -> tuple[InputField, ...]:
    optional = prefix == "second_language"
    return tuple(
        InputField(
            f"{prefix}_{a}",
            "float",
            f"{what}, {a}. {_SCORE}",
            role=role,
            required=not optional,
            required_when=required_when,
            minimum=0,
            maximum=699,
            default=0 if optional else None,
        )
        for a in ABILITIES
    )


_SPOUSE_FLAG = "spouse_accompanying"

# Highest score each test reports, per ability: a fact about the test, not a rule of the grid.
SCALE_MAXIMUM: dict[str, dict[str, float]] = {
    "ielts": dict.fromkeys(ABILITIES, 9.0),
    "celpip": dict.fromkeys(ABILITIES, 12.0),
    "pte": dict.fromkeys(ABILITIES, 90.0),
    "tef": dict.fromkeys(ABILITIES, 699.0),
    "tcf": {"listening": 699.0, "reading": 699.0, "writing": 20.0, "speaking": 20.0},
}


def _scale_check(prefix: str, ability: str) -> RowCheck:
    """A score above its test's scale is a typing error (IELTS 65 for 6.5), not a CLB 10."""
    column = f"{prefix}_{ability}"

    def bad(columns: Columns) -> np.ndarray:
        test = np.asarray(columns[f"{prefix}_test"])
        score = np.asarray(columns[column], dtype=float)
        limit = np.zeros(len(score))
        for name, maxima in SCALE_MAXIMUM.items():
            limit[test == name] = maxima[ability]
        over = (limit > 0) & (score > limit)
        if prefix.startswith("spouse_"):  # a non-accompanying spouse's stale scores are ignored, not checked
            over &= np.asarray(columns[_SPOUSE_FLAG], dtype=bool)
        return over

    reason = (
        f"is above the scale of the test named in '{prefix}_test' "
        "(IELTS 9, CELPIP 12, PTE 90, TEF 699, TCF 699, or 20 for TCF writing and speaking)"
    )
    return RowCheck(column, reason, bad)


CHECKS = tuple(
    _scale_check(prefix, a)
    for prefix in ("first_language", "second_language", "spouse_first_language")
    for a in ABILITIES
)

FIELDS: tuple[InputField, ...] = (
    InputField("birth_date", "date", "Date of birth (YYYY-MM-DD)"),
    InputField(
        "education", "enum", "Level of education (CRS categories, foreign credentials assessed)", choices=EDUCATION
    ),
    InputField(
        "canadian_education",
        "enum",
        "Post-secondary education in Canada",
        choices=tuple(CanadianEducation.__members__),
    ),
    InputField(
        "first_language_test",
        "enum",
        "Test of the first official language (IELTS, CELPIP, PTE: English; TEF, TCF: French)",
        choices=TEST_CHOICES,
    ),
    *_scores("first_language", "First-language test"),
    InputField(
        "second_language_test",
        "enum",
        "Test of the other official language, or none",
        required=False,
        default="none",
        choices=("none", *TEST_CHOICES),
    ),
    *_scores("second_language", "Second-language test (0 or empty when none)"),
    InputField("canadian_work_years", "float", "Years of skilled work in Canada, last 10 years", minimum=0, maximum=10),
    InputField("foreign_work_years", "float", "Years of skilled work abroad, last 10 years", minimum=0, maximum=10),
    InputField("certificate_of_qualification", "bool", "Certificate of qualification in a trade (Canadian)"),
    InputField("provincial_nomination", "bool", "Provincial or territorial nomination"),
    InputField("sibling_in_canada", "bool", "Brother or sister in Canada, citizen or permanent resident"),
    InputField(
        "arranged_employment",
        "enum",
        "Qualifying job offer, by NOC 2021 TEER (no points from 2025-03-25)",
        choices=tuple(ArrangedEmployment.__members__),
    ),
    InputField(
        "spouse_accompanying",
        "bool",
        "A spouse or partner comes to Canada and is not a Canadian citizen or permanent resident",
        role="family",
    ),
    InputField(
        "education",
        "enum",
        "Spouse's level of education (CRS categories)",
        role="spouse",
        required_when=_SPOUSE_FLAG,
        choices=EDUCATION,
    ),
    InputField(
        "first_language_test",
        "enum",
        "Spouse's first-language test",
        role="spouse",
        required_when=_SPOUSE_FLAG,
        choices=TEST_CHOICES,
    ),
    *_scores("first_language", "Spouse's first-language test", role="spouse", required_when=_SPOUSE_FLAG),
    InputField(
        "canadian_work_years",
        "float",
        "Spouse's years of skilled work in Canada, last 10 years",
        role="spouse",
        required_when=_SPOUSE_FLAG,
        minimum=0,
        maximum=10,
    ),
)

P = ROOT
T = f"{ROOT}.transferability"
D = f"{ROOT}.additional"
_LANG = (*_FIRST, "first_language_test")

PACK = PolicyPack(
    id="ca.crs",
    title="Canada: Express Entry Comprehensive Ranking System (CRS)",
    description=(
        "Reference pack: the CRS grid (core, spouse, skill transferability with its 50/100 caps, additional "
        "points; 1,200 maximum) with CLB/NCLC conversion from IELTS, CELPIP, PTE, TEF and TCF. A ranking, not "
        "a pass mark: profiles are eligible (ranked) unless a knock-out or a review trigger fires."
    ),
    jurisdiction="CAN",
    effective_from=dt.date(2020, 10, 27),
    parameter_roots=(ROOT,),
    fields=FIELDS,
    criteria=(
        Criterion(
            "core",
            "A. Core / human capital",
            "ca_crs_core_points",
            500,
            ("spouse_accompanying",),
            (),
            group="section",
        ),
        Criterion(
            "age",
            "Age",
            "ca_crs_age_points",
            f"{P}.age",
            ("birth_date", "spouse_accompanying"),
            (f"{P}.age",),
            group="component",
        ),
        Criterion(
            "education",
            "Level of education",
            "ca_crs_education_points",
            f"{P}.education",
            ("education", "spouse_accompanying"),
            (f"{P}.education",),
            group="component",
        ),
        Criterion(
            "first_language",
            "First official language",
            "ca_crs_first_language_points",
            136,
            (*_LANG, "spouse_accompanying"),
            (f"{P}.first_language", f"{P}.clb"),
            group="component",
        ),
        Criterion(
            "second_language",
            "Second official language",
            "ca_crs_second_language_points",
            f"{P}.second_language.cap",
            ("second_language_test", *_SECOND, "first_language_test", "spouse_accompanying"),
            (f"{P}.second_language", f"{P}.clb"),
            group="component",
            uncapped="ca_crs_second_language_uncapped",
            cap=f"{P}.second_language.cap",
        ),
        Criterion(
            "canadian_work",
            "Canadian work experience",
            "ca_crs_canadian_work_points",
            f"{P}.canadian_work",
            ("canadian_work_years", "spouse_accompanying"),
            (f"{P}.canadian_work",),
            group="component",
        ),
        Criterion(
            "spouse",
            "B. Spouse or common-law partner factors",
            "ca_crs_spouse_points",
            40,
            ("spouse_accompanying",),
            (),
            group="section",
        ),
        Criterion(
            "spouse_education",
            "Spouse's level of education",
            "ca_crs_spouse_education_points",
            f"{P}.spouse.education",
            ("spouse_accompanying", "spouse_education"),
            (f"{P}.spouse.education",),
            group="component",
        ),
        Criterion(
            "spouse_language",
            "Spouse's first official language",
            "ca_crs_spouse_language_points",
            20,
            ("spouse_accompanying", "spouse_first_language_test", *(f"spouse_{c}" for c in _FIRST)),
            (f"{P}.spouse.first_language", f"{P}.clb"),
            group="component",
        ),
        Criterion(
            "spouse_canadian_work",
            "Spouse's Canadian work experience",
            "ca_crs_spouse_canadian_work_points",
            f"{P}.spouse.canadian_work",
            ("spouse_accompanying", "spouse_canadian_work_years"),
            (f"{P}.spouse.canadian_work",),
            group="component",
        ),
        Criterion(
            "transferability",
            "C. Skill transferability",
            "ca_crs_transferability_points",
            f"{T}.cap",
            (),
            (f"{T}.cap",),
            group="section",
            uncapped="ca_crs_transferability_uncapped",
            cap=f"{T}.cap",
        ),
        Criterion(
            "education_transferability",
            "Education with language and with Canadian work",
            "ca_crs_education_transferability_points",
            f"{T}.group_cap",
            ("education", *_LANG, "canadian_work_years"),
            (
                f"{T}.education_with_language",
                f"{T}.education_with_canadian_work",
                f"{T}.language_middle_clb",
                f"{T}.language_high_clb",
                f"{T}.canadian_work_middle_years",
                f"{T}.canadian_work_high_years",
                f"{T}.group_cap",
            ),
            group="component",
            uncapped="ca_crs_education_transferability_uncapped",
            cap=f"{T}.group_cap",
        ),
        Criterion(
            "foreign_work_transferability",
            "Foreign work with language and with Canadian work",
            "ca_crs_foreign_work_transferability_points",
            f"{T}.group_cap",
            ("foreign_work_years", *_LANG, "canadian_work_years"),
            (
                f"{T}.foreign_work_with_language",
                f"{T}.foreign_work_with_canadian_work",
                f"{T}.language_middle_clb",
                f"{T}.language_high_clb",
                f"{T}.canadian_work_middle_years",
                f"{T}.canadian_work_high_years",
                f"{T}.group_cap",
            ),
            group="component",
            uncapped="ca_crs_foreign_work_transferability_uncapped",
            cap=f"{T}.group_cap",
        ),
        Criterion(
            "certificate_transferability",
            "Certificate of qualification with language",
            "ca_crs_certificate_transferability_points",
            f"{T}.certificate_with_language",
            ("certificate_of_qualification", *_LANG),
            (f"{T}.certificate_with_language", f"{T}.group_cap"),
            group="component",
        ),
        Criterion(
            "additional",
            "D. Additional points",
            "ca_crs_additional_points",
            f"{D}.cap",
            (),
            (f"{D}.cap",),
            group="section",
            uncapped="ca_crs_additional_uncapped",
            cap=f"{D}.cap",
        ),
        Criterion(
            "provincial_nomination",
            "Provincial or territorial nomination",
            "ca_crs_provincial_nomination_points",
            f"{D}.provincial_nomination",
            ("provincial_nomination",),
            (f"{D}.provincial_nomination",),
            group="component",
        ),
        Criterion(
            "french",
            "French-language skills",
            "ca_crs_french_points",
            f"{D}.french.points",
            ("first_language_test", *_FIRST, "second_language_test", *_SECOND),
            (f"{D}.french", f"{P}.clb"),
            group="component",
        ),
        Criterion(
            "canadian_study",
            "Post-secondary education in Canada",
            "ca_crs_canadian_study_points",
            f"{D}.canadian_study",
            ("canadian_education",),
            (f"{D}.canadian_study",),
            group="component",
        ),
        Criterion(
            "sibling",
            "Brother or sister in Canada",
            "ca_crs_sibling_points",
            f"{D}.sibling",
            ("sibling_in_canada",),
            (f"{D}.sibling",),
            group="component",
        ),
        Criterion(
            "arranged_employment",
            "Arranged employment",
            "ca_crs_arranged_employment_points",
            f"{D}.arranged_employment",
            ("arranged_employment",),
            (f"{D}.arranged_employment",),
            group="component",
        ),
    ),
    total="ca_crs_total",
    total_maximum=f"{ROOT}.maximum",
    decision="ca_crs_decision",
    knockouts=(
        Gate("minor", "Principal applicant under 18", "ca_crs_ko_minor", ("birth_date",), (f"{ROOT}.minimum_age",)),
    ),
    reviews=(
        Gate(
            "low_language",
            "First-language result below CLB 4 in an ability",
            "ca_crs_rv_low_language",
            _LANG,
            (f"{ROOT}.minimum_clb", f"{P}.clb"),
        ),
        Gate(
            "same_language",
            "Second test in the same official language as the first (not scored)",
            "ca_crs_rv_same_language",
            ("first_language_test", "second_language_test"),
        ),
    ),
    extra_outputs=(
        "ca_crs_first_language_clb_listening",
        "ca_crs_first_language_clb_reading",
        "ca_crs_first_language_clb_writing",
        "ca_crs_first_language_clb_speaking",
        "ca_crs_second_language_clb_min",
        "ca_crs_english_clb_min",
        "ca_crs_french_nclc_min",
    ),
    legal_basis=(
        "Ministerial Instructions Respecting the Express Entry System, ss. 8–29 (CRS; transferability ss. 21–24); "
        "IRCC Comprehensive Ranking System criteria"
    ),
    spouse_flag=_SPOUSE_FLAG,
    checks=CHECKS,
    notes=(
        "Values are dated 2020-10-27, the first modelled version; several were in force earlier "
        "(points-systems.md §1.7).",
        "French bonus 25/50: announced 2020-10-27, several sources say it applies from 2020-10-20; Koshi "
        "dates it 2020-10-27 and models nothing earlier.",
        "Arranged-employment points (200 for NOC TEER 0 Major Group 00, 50 for the others) apply up to "
        "2025-03-24 and are removed from 2025-03-25 (described as temporary).",
        "TEF Canada and PTE Core conversion tables come from one source only (provenance 'secondary'); TEF "
        "results on the scales used before the 0–699 scale are not modelled.",
        "A first-language result below CLB 4 in any ability sends the profile to review, not a refusal: the grid "
        "gives 0 points there and programme eligibility (FSW, CEC, FST) is not modelled.",
        "A second test in the same official language as the first is not scored and sends the profile to review.",
        "Language results are taken as valid on the evaluation date (their 2-year validity is not checked).",
    ),
)
