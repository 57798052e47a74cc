"""Official figures for 2022-2025 and the policy targets, as published, with their sources.

Only figures that appear in the domain notes (``shared/domain/kazakhstan.md`` §2.3 and
§8, and the product brief for the two figures it alone quotes) are here, with the
source addresses exactly as the notes give them.  A year the notes have no figure
for is present with ``value=None`` (absent), never estimated.  The dashboard shows
these next to the figures computed from the database, labelled "official".

Shares are fractions (0.147 is 14.7%); counts are people.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Unit = Literal["people", "share"]

YEARS: tuple[int, ...] = (2022, 2023, 2024, 2025)
"""The years of the reference series."""

PRODUCT_BRIEF = "shared/BRIEF.md"
"""Where a figure comes from when the notes quote it without a published source."""


class Indicator(StrEnum):
    """The monitored indicators that have (or could have) an official figure."""

    net_external_migration = "net_external_migration"
    external_arrivals = "external_arrivals"
    external_departures = "external_departures"
    qualified_share = "qualified_share"
    interregional_migrants = "interregional_migrants"
    north_share = "north_share"
    resettler_employment = "resettler_employment"


@dataclass(frozen=True, slots=True)
class ReferenceFigure:
    """One official figure for one year; ``value`` is None when no figure was found (absent)."""

    year: int
    indicator: Indicator
    value: float | None
    unit: Unit
    sources: tuple[str, ...] = ()
    note: str = ""

    @property
    def absent(self) -> bool:
        """No published figure for this year in the notes."""
        return self.value is None

    @property
    def published(self) -> bool:
        """Backed by at least one public web source (not only the product brief)."""
        return any(s.startswith("http") for s in self.sources)


@dataclass(frozen=True, slots=True)
class Target:
    """A policy target: the value the indicator should reach by ``year``."""

    indicator: Indicator
    value: float
    unit: Unit
    year: int | None
    sources: tuple[str, ...]
    note: str = ""


_LITER_2022 = "https://liter.kz/skolko-kazakhstantsev-uekhali-iz-strany-v-2022-godu-1676002468/amp"
_MGOROD_2023 = "https://mgorod.kz/news/iz-kakih-stran-chashhe-vsego-pereezzhayut-v-kazahstan-na-pmzh"
_SOURCES_2024 = (
    "https://asb-media.info/en/immigrants-predominantly-hail-from-these-nations-and-choose-kazakhstan-as-their-new-abode",
    "https://en.orda.kz/kazakhstan-sees-net-migration-growth-for-second-consecutive-year-5473/",
    "https://www.enbekshiqazaq.kz/en/news/381291-a-ertaev-reported-on-the-implementation-of.html",
)
_SOURCES_2025 = (
    "https://astanatimes.com/2026/03/kazakhstans-new-migration-policy-what-will-change-through-2030/",
    "https://rus.baq.kz/saldo-vneshney-migratsii-v-kazahstane-vyroslo-do-161-tys-chelovek-320015900/",
)
_ENBEK_2024 = "https://www.enbekshiqazaq.kz/en/news/381291-a-ertaev-reported-on-the-implementation-of.html"
_INTERNAL_2025 = (
    "https://www.inform.kz/ru/skolko-pereselentsev-s-yuga-na-sever-kazahstana-vernulis-obratno-ffe31e",
    "https://mgorod.kz/news/za-9-mesyacev-v-kazahstan-pereehalo-bolee-16-tysyach-chelovek",
)
_CONCEPT_2030 = "https://caspianpost.com/kazakhstan/what-kazakhstan-s-new-migration-strategy-focuses-on"

I = Indicator  # noqa: E741 - short alias for the table below

# fmt: off
REFERENCE: tuple[ReferenceFigure, ...] = (
    # §8.1 external migration (permanent residence; Bureau of National Statistics)
    ReferenceFigure(2022, I.external_arrivals, 17_293, "people", (_LITER_2022,)),
    ReferenceFigure(2022, I.external_departures, 24_239, "people", (_LITER_2022,)),
    ReferenceFigure(2022, I.net_external_migration, -6_946, "people", (_LITER_2022,)),
    ReferenceFigure(2023, I.external_arrivals, 25_387, "people", (_MGOROD_2023,)),
    ReferenceFigure(2023, I.external_departures, 16_094, "people", (_MGOROD_2023,)),
    ReferenceFigure(2023, I.net_external_migration, 9_293, "people", (_MGOROD_2023,),
                    "first positive balance since 2011"),
    ReferenceFigure(2024, I.external_arrivals, 29_282, "people", _SOURCES_2024, "other sources: about 30 000"),
    ReferenceFigure(2024, I.external_departures, 12_732, "people", _SOURCES_2024, "other sources: about 12 800"),
    ReferenceFigure(2024, I.net_external_migration, 16_550, "people", _SOURCES_2024, "the ministry reports +17 200"),
    ReferenceFigure(2025, I.external_arrivals, 23_761, "people", _SOURCES_2025),
    ReferenceFigure(2025, I.external_departures, 7_608, "people", _SOURCES_2025),
    ReferenceFigure(2025, I.net_external_migration, 16_153, "people", _SOURCES_2025),
    # §2.3: only the 2030 target is published, no yearly share
    *(ReferenceFigure(y, I.qualified_share, None, "share", (), "no published figure") for y in YEARS),
    # §8.2 internal migration: one full-year figure of interregional migrants
    ReferenceFigure(2022, I.interregional_migrants, None, "people", (), "no published figure"),
    ReferenceFigure(2023, I.interregional_migrants, None, "people", (), "no published figure"),
    ReferenceFigure(2024, I.interregional_migrants, 689_500, "people", (_ENBEK_2024,)),
    ReferenceFigure(2025, I.interregional_migrants, None, "people", _INTERNAL_2025,
                    "only 9 months published: 619 000"),
    # the share that went north: quoted by the product brief for 2025, no published source in the notes
    ReferenceFigure(2022, I.north_share, None, "share", (), "no published figure"),
    ReferenceFigure(2023, I.north_share, None, "share", (), "no published figure"),
    ReferenceFigure(2024, I.north_share, None, "share", (), "no published figure"),
    ReferenceFigure(2025, I.north_share, 0.147, "share", (PRODUCT_BRIEF,),
                    "quoted in the product brief; no published source found"),
    # employment of resettlers and kandas: no figure in the notes
    *(ReferenceFigure(y, I.resettler_employment, None, "share", (), "no published figure") for y in YEARS),
)
# fmt: on

TARGETS: dict[Indicator, Target] = {
    I.qualified_share: Target(
        I.qualified_share,
        0.95,
        "share",
        2030,
        (_CONCEPT_2030,),
        "Concept to 2030: skilled workers are 95% of incoming labour migrants",
    ),
    I.resettler_employment: Target(
        I.resettler_employment,
        1.0,
        "share",
        None,
        (PRODUCT_BRIEF,),
        "every able-bodied resettler and kandas employed",
    ),
}


def series(indicator: Indicator) -> tuple[ReferenceFigure, ...]:
    """The reference figures of ``indicator``, one per year of :data:`YEARS` (absent ones included)."""
    return tuple(sorted((f for f in REFERENCE if f.indicator is indicator), key=lambda f: f.year))


def figure(indicator: Indicator, year: int | None) -> ReferenceFigure | None:
    """The reference figure for ``indicator`` in ``year`` (None when the year is outside the series)."""
    for f in REFERENCE:
        if f.indicator is indicator and f.year == year:
            return f
    return None
