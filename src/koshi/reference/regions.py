"""Kazakhstan's 17 oblasts and 3 cities of republican significance (2022 reform).

KATO region codes are the ISO 3166-2:KZ numeric prefix followed by ``0000000``.
They are derived (see ``shared/domain/kazakhstan.md`` §7) and must be checked
against the official KATO file of the Bureau of National Statistics before use in
production; the labour-market labels are *not* here, they are dated parameters.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Region:
    """One first-level administrative unit."""

    slug: str
    kato: str
    iso: str
    name_en: str
    name_ru: str
    name_kk: str
    centre: str


REGIONS: tuple[Region, ...] = (
    Region("abai", "100000000", "KZ-10", "Abai Region", "Абайская область", "Абай облысы", "Semey"),
    Region("akmola", "110000000", "KZ-11", "Akmola Region", "Акмолинская область", "Ақмола облысы", "Kokshetau"),
    Region("aktobe", "150000000", "KZ-15", "Aktobe Region", "Актюбинская область", "Ақтөбе облысы", "Aktobe"),
    Region("almaty_region", "190000000", "KZ-19", "Almaty Region", "Алматинская область", "Алматы облысы", "Konaev"),
    Region("atyrau", "230000000", "KZ-23", "Atyrau Region", "Атырауская область", "Атырау облысы", "Atyrau"),
    Region(
        "west_kazakhstan",
        "270000000",
        "KZ-27",
        "West Kazakhstan Region",
        "Западно-Казахстанская область",
        "Батыс Қазақстан облысы",
        "Oral",
    ),
    Region("zhambyl", "310000000", "KZ-31", "Zhambyl Region", "Жамбылская область", "Жамбыл облысы", "Taraz"),
    Region("zhetisu", "330000000", "KZ-33", "Zhetisu Region", "Область Жетісу", "Жетісу облысы", "Taldykorgan"),
    Region(
        "karaganda", "350000000", "KZ-35", "Karaganda Region", "Карагандинская область", "Қарағанды облысы", "Karaganda"
    ),
    Region("kostanay", "390000000", "KZ-39", "Kostanay Region", "Костанайская область", "Қостанай облысы", "Kostanay"),
    Region(
        "kyzylorda", "430000000", "KZ-43", "Kyzylorda Region", "Кызылординская область", "Қызылорда облысы", "Kyzylorda"
    ),
    Region("mangystau", "470000000", "KZ-47", "Mangystau Region", "Мангистауская область", "Маңғыстау облысы", "Aktau"),
    Region("pavlodar", "550000000", "KZ-55", "Pavlodar Region", "Павлодарская область", "Павлодар облысы", "Pavlodar"),
    Region(
        "north_kazakhstan",
        "590000000",
        "KZ-59",
        "North Kazakhstan Region",
        "Северо-Казахстанская область",
        "Солтүстік Қазақстан облысы",
        "Petropavl",
    ),
    Region(
        "turkistan", "610000000", "KZ-61", "Turkistan Region", "Туркестанская область", "Түркістан облысы", "Turkistan"
    ),
    Region("ulytau", "620000000", "KZ-62", "Ulytau Region", "Область Ұлытау", "Ұлытау облысы", "Zhezkazgan"),
    Region(
        "east_kazakhstan",
        "630000000",
        "KZ-63",
        "East Kazakhstan Region",
        "Восточно-Казахстанская область",
        "Шығыс Қазақстан облысы",
        "Oskemen",
    ),
    Region("astana", "710000000", "KZ-71", "Astana", "г. Астана", "Астана қаласы", "Astana"),
    Region("almaty", "750000000", "KZ-75", "Almaty", "г. Алматы", "Алматы қаласы", "Almaty"),
    Region("shymkent", "790000000", "KZ-79", "Shymkent", "г. Шымкент", "Шымкент қаласы", "Shymkent"),
)

BY_KATO: dict[str, Region] = {r.kato: r for r in REGIONS}
BY_SLUG: dict[str, Region] = {r.slug: r for r in REGIONS}
KATO_CODES: tuple[str, ...] = tuple(r.kato for r in REGIONS)
