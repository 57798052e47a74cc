"""Inputs and derived facts shared by the Kazakhstan packs.

Variable classes are named after the legal concept in snake_case, as OpenFisca
country packages do (hence ``noqa: N801``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DAY, ETERNITY
from openfisca_core.variables import Variable

from koshi.reference.regions import REGIONS
from koshi.rules._dates import age_in_years
from koshi.rules.entities import Applicant, Family


class EducationLevel(Enum):
    """Highest completed level, ISCED 2011."""

    isced_0 = "Early childhood / none"
    isced_1 = "Primary"
    isced_2 = "Lower secondary"
    isced_3 = "Upper secondary"
    isced_4 = "Post-secondary non-tertiary"
    isced_5 = "Short-cycle tertiary"
    isced_6 = "Bachelor's or equivalent"
    isced_7 = "Master's or equivalent"
    isced_8 = "Doctoral or equivalent"


class CefrLevel(Enum):
    """Language level on the Common European Framework of Reference."""

    none = "No knowledge / not tested"
    a1 = "A1"
    a2 = "A2"
    b1 = "B1"
    b2 = "B2"
    c1 = "C1"
    c2 = "C2"


RegionSlug = Enum("RegionSlug", {r.slug: r.name_en for r in REGIONS})


class birth_date(Variable):
    value_type = dt.date
    entity = Applicant
    definition_period = ETERNITY
    label = "Date of birth"


class age(Variable):
    value_type = int
    entity = Applicant
    definition_period = DAY
    label = "Age in whole years on the evaluation date"

    def formula(applicant, period, parameters):
        return age_in_years(applicant("birth_date", period), period.start.date)


class education_level(Variable):
    value_type = Enum
    possible_values = EducationLevel
    default_value = EducationLevel.isced_0
    entity = Applicant
    definition_period = ETERNITY
    label = "Highest completed level of education (ISCED 2011)"


class experience_years(Variable):
    value_type = float
    entity = Applicant
    definition_period = ETERNITY
    label = "Years of work experience in the stated occupation"


class occupation_isco(Variable):
    value_type = str
    max_length = 4
    entity = Applicant
    definition_period = ETERNITY
    label = "Occupation of that experience, ISCO-08 unit group (4 digits)"


class in_demand_occupation(Variable):
    value_type = bool
    entity = Applicant
    definition_period = DAY
    label = "The occupation is on the in-demand list in force"

    def formula(applicant, period, parameters):
        listed = parameters(period).kz.common.in_demand_occupations
        codes = np.array([key.removeprefix("isco_") for key in listed if bool(listed[key])], dtype=str)
        # OpenFisca stores str variables as bytes; compare as text (bytes never equal str in np.isin's sort path)
        return np.isin(applicant("occupation_isco", period).astype(str), codes)


class kazakh_level(Variable):
    value_type = Enum
    possible_values = CefrLevel
    default_value = CefrLevel.none
    entity = Applicant
    definition_period = ETERNITY
    label = "Kazakh language level (CEFR)"


class russian_level(Variable):
    value_type = Enum
    possible_values = CefrLevel
    default_value = CefrLevel.none
    entity = Applicant
    definition_period = ETERNITY
    label = "Russian language level (CEFR)"


class english_level(Variable):
    value_type = Enum
    possible_values = CefrLevel
    default_value = CefrLevel.none
    entity = Applicant
    definition_period = ETERNITY
    label = "English language level (CEFR, proven by IELTS or TOEFL)"


class criminal_record(Variable):
    value_type = bool
    entity = Applicant
    definition_period = ETERNITY
    label = "Has an unexpunged criminal record"


class settlement_region(Variable):
    value_type = Enum
    possible_values = RegionSlug
    default_value = RegionSlug.astana
    entity = Family
    definition_period = ETERNITY
    label = "Region where the family intends to settle (KATO)"


class family_size(Variable):
    value_type = int
    default_value = 1
    entity = Family
    definition_period = ETERNITY
    label = "Number of family members moving, the principal included"


VARIABLES: list[type[Variable]] = [
    birth_date,
    age,
    education_level,
    experience_years,
    occupation_isco,
    in_demand_occupation,
    kazakh_level,
    russian_level,
    english_level,
    criminal_record,
    settlement_region,
    family_size,
]
