"""A seeded year of foreign labour: employers, their staff and vacancies, work permits, and regions' quota needs.

:func:`generate_labour` draws everything column-wise with numpy from one seed, so a million
permits take seconds and the same ``(employers, permits, seed, year)`` always gives the same
tables, with exactly the columns the permit store imports (:data:`COLUMNS`).
:func:`write_labour` writes them (the only I/O here). Synthetic people and companies only.

Assumptions (calibrated on ``shared/domain/kazakhstan.md`` §3; illustrative, not estimates):

- *Categories*: the mix of the stock on 1 December 2025 (§3.4: category 1 537, category 2
  2 244, category 3 3 784, category 4 1 271, seasonal 2 299, intra-corporate transfers 3 970; they
  add up to 14 105, the source's total says 14 103), scaled to the number of permits by largest
  remainder, so the shares are exact.
- *Sectors*: construction leads, then agriculture, mining and manufacturing (§3.4, Dec 2025:
  about 4.9 k, 2.8-3.1 k, 1.2 k and 1.1 k of 14.1 k workers). Seasonal work is mostly
  agriculture; transfers go to construction, mining and manufacturing contractors.
- *Employers* (1 817 in Dec 2025): sizes are log-normal, so a few large contractors hold many
  permits. BINs are valid (registration YYMM, type 4 resident or 5 non-resident, attribute,
  serial, check digit); 12% are branches and 5% representative offices (attribute 1 and 2), every
  non-resident one of the two. Regions follow the sector: mining in the oil and ore regions
  (Atyrau, Mangystau, Aktobe...), agriculture in the south and north, the rest in Astana and
  Almaty first. Nine permits in ten are in the employer's own region.
- *Staff*: citizens are 96% of these employers' staff (§3.4); citizens outnumber the foreign
  workers enough for the local-content shares (70% in categories 1-2, 90% in 3-4, transfers at most
  half of the citizens) with every permit of the year counted, except in about 4% of the employers
  with category 1-4 permits, which fall short. Some small branches (at most 10 staff) are exempt.
- *Vacancies*: one per employer, occupation (ISCO-08) and region of a permit (transfers need
  none), posted on the labour exchange 15-60 days before the first application; 4% fewer than
  15 days before (the check fails), and 1% of those occupations never posted.
- *Workers*: nationality by category (overall China about 38%, Uzbekistan 16%, Türkiye 8%,
  India 7%, as in Dec 2025); no EAEU citizens (they need no permit, §3.1). Names from
  :mod:`koshi.synth.names` by the nationality's naming traditions; 85% men. Valid IINs (a
  foreigner's IIN has the same structure as a citizen's: birth date, century and sex, serial,
  check digit); 1.5% have none yet.
- *Terms*: categories 2-4 one year (15% shorter), category 1 one, two or three years, transfers up
  to three, seasonal work from 30 to 365 days, starting in spring. Permits start in the year;
  the application is 15-45 days before.
- *States* on the day the files describe (31 December of the year unless told; applications
  after it are left out): issued, or expired when the term ended. With ``all_states`` (not
  importable as past permits), also 1% revoked, 1.5% refused, 1% withdrawn, 1% failed checks
  never fixed, and the applications of the last 25 days still open (pending, fee due, failed checks).
- *Quota needs*: each region declares its permits of the year in the quota (not transfers) times
  1.05-1.4.

Examples:
    >>> data = generate_labour(20, 200, seed=1, year=2026)
    >>> data.permits.num_rows, data.employers.num_rows
    (200, 20)
    >>> data.permits.column_names == list(COLUMNS["permits"])
    True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from koshi.labour.quota import distribute
from koshi.reference.regions import REGIONS
from koshi.synth.feeds import (
    ORIGINS,
    TRADITION_KEYS,
    _cdf,
    _dates,
    _iins,
    _names,
    _origin_cdfs,
    _pick,
    _pick_grouped,
    _take,
    _uniform_int,
    _unique_numbers,
    day_number,
    record_ids,
)
from koshi.tabular import write_table

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

FIRST_YEAR, LAST_YEAR = 2017, 2035
"""Years with fee rules (from 2017); later years use the latest parameters."""
FORMATS = ("csv", "parquet")

COLUMNS: dict[str, tuple[str, ...]] = {
    "employers": ("bin", "name", "oked_section", "region_kato"),
    "staff": ("bin", "as_of", "citizens_1_2", "foreigners_1_2", "citizens_3_4", "foreigners_3_4", "ict"),
    "vacancies": ("bin", "isco", "region_kato", "title", "wage", "posted_on"),
    "permits": (
        "number", "bin", "worker_iin", "worker_surname", "worker_given_names", "worker_nationality", "category",
        "isco", "region_kato", "valid_from", "valid_to", "applied_on", "state",
    ),
    "quota_needs": ("region_kato", "need"),
}  # fmt: skip
"""The files and their columns, exactly as the permit store imports them."""

CATEGORIES = ("category_1", "category_2", "category_3", "category_4", "seasonal", "ict")
CAT1, CAT2, CAT3, CAT4, SEASONAL, ICT = range(6)
CATEGORY_MIX = {"category_1": 537, "category_2": 2244, "category_3": 3784, "category_4": 1271, "seasonal": 2299,
                "ict": 3970}  # fmt: skip
"""Foreign workers on akimat permits by category on 1 December 2025 (domain notes §3.4)."""

SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")
# fmt: off
SECTION_WEIGHTS: dict[str, dict[str, float]] = {  # profile -> OKED section -> weight
    "fee_based": {"F": 38, "A": 13, "G": 9, "M": 8, "C": 6.5, "B": 5, "H": 5, "J": 4, "I": 3, "D": 2.5, "K": 1.5,
                  "P": 1.5, "N": 1.5, "Q": 1, "E": 0.5, "L": 0.5, "R": 0.5, "S": 0.5},
    "seasonal": {"A": 80, "F": 15, "I": 3, "G": 2},
    "ict": {"F": 40, "B": 20, "C": 15, "M": 10, "J": 5, "H": 5, "D": 5},
}
REGION_WEIGHTS: dict[str, dict[str, float]] = {  # profile -> region slug -> weight
    "mining": {"atyrau": 30, "mangystau": 15, "aktobe": 12, "west_kazakhstan": 10, "karaganda": 8, "kyzylorda": 6,
               "ulytau": 5, "pavlodar": 5, "east_kazakhstan": 5, "abai": 2, "kostanay": 2},
    "agriculture": {"turkistan": 25, "almaty_region": 18, "zhambyl": 12, "zhetisu": 10, "kostanay": 8,
                    "north_kazakhstan": 7, "akmola": 7, "east_kazakhstan": 5, "abai": 3, "pavlodar": 3,
                    "kyzylorda": 2},
    "general": {"almaty": 24, "astana": 22, "atyrau": 10, "shymkent": 6, "karaganda": 5, "turkistan": 4,
                "mangystau": 4, "aktobe": 4, "almaty_region": 4, "pavlodar": 3, "east_kazakhstan": 3, "kostanay": 2,
                "west_kazakhstan": 2, "zhambyl": 2, "kyzylorda": 2, "akmola": 1, "abai": 1, "north_kazakhstan": 1,
                "zhetisu": 1, "ulytau": 1},
}
NATIONALITY_WEIGHTS: dict[str, dict[str, float]] = {  # profile -> ISO 3166 alpha-3 -> weight
    "fee_based": {"CHN": 38, "UZB": 14, "TUR": 9, "IND": 9, "TJK": 4, "PAK": 3, "AZE": 3, "UKR": 3, "KOR": 3,
                  "TKM": 2, "GEO": 2, "IRN": 2, "DEU": 2, "GBR": 1.5, "USA": 1.5, "ITA": 1.5, "FRA": 1, "JPN": 1,
                  "MNG": 1},
    "seasonal": {"UZB": 55, "TJK": 18, "CHN": 14, "TKM": 5, "MNG": 4, "AFG": 2, "AZE": 2},
    "ict": {"CHN": 52, "TUR": 10, "IND": 7, "KOR": 6, "DEU": 4, "GBR": 4, "USA": 4, "ITA": 4, "FRA": 3, "JPN": 3,
            "UZB": 2, "AZE": 1},
}
OCCUPATIONS: dict[str, tuple[tuple[str, str], ...]] = {  # ISCO-08 unit groups by kind of permit
    "category_1": (("1120", "Managing director"), ("1321", "Manufacturing manager"), ("1322", "Mining manager"),
                   ("1323", "Construction manager"), ("1311", "Agricultural production manager"),
                   ("1219", "Deputy director, business services")),
    "category_2": (("1211", "Finance manager"), ("1212", "Human resources manager"), ("1213", "Planning manager"),
                   ("1219", "Administration manager"), ("1324", "Supply and logistics manager"),
                   ("1330", "ICT services manager")),
    "category_3": (("2141", "Industrial engineer"), ("2142", "Civil engineer"), ("2144", "Mechanical engineer"),
                   ("2145", "Chemical engineer"), ("2146", "Mining and petroleum engineer"),
                   ("2151", "Electrical engineer"), ("2161", "Architect"), ("2411", "Accountant"),
                   ("2512", "Software developer"), ("3112", "Civil engineering technician"),
                   ("3113", "Electrical engineering technician"), ("3115", "Mechanical engineering technician"),
                   ("3117", "Mining technician"), ("3123", "Construction supervisor")),
    "category_4": (("7112", "Bricklayer"), ("7114", "Concrete placer"), ("7115", "Carpenter"),
                   ("7126", "Pipe fitter"), ("7212", "Welder"), ("7214", "Structural-metal preparer"),
                   ("7233", "Machinery mechanic"), ("7411", "Building electrician"), ("8111", "Miner"),
                   ("8113", "Well driller"), ("8342", "Earthmoving plant operator"), ("8343", "Crane operator")),
    "seasonal_farm": (("9211", "Crop farm labourer"), ("6111", "Field crop grower"),
                      ("6112", "Tree and shrub crop grower"), ("6121", "Livestock farm worker")),
    "seasonal_other": (("9312", "Civil engineering labourer"), ("9313", "Building construction labourer")),
    "ict": (("1120", "Managing director"), ("1321", "Manufacturing manager"), ("1323", "Construction manager"),
            ("2142", "Civil engineer"), ("2144", "Mechanical engineer"), ("2146", "Mining and petroleum engineer"),
            ("2151", "Electrical engineer"), ("2512", "Software developer"), ("3112", "Civil engineering technician"),
            ("3115", "Mechanical engineering technician")),
}
# fmt: on
WAGE_MEDIAN = (2_500_000, 1_400_000, 900_000, 450_000, 220_000, 1_200_000)
"""Monthly wage offered, tenge, by category (illustrative; the 2026 minimum wage is 85 000)."""
MIN_WAGE = 85_000
AGES = ((35, 60), (30, 58), (25, 55), (22, 55), (20, 50), (25, 58))
P_MALE = (0.88, 0.85, 0.82, 0.95, 0.8, 0.88)

_PROFILE_OF_CATEGORY = ("fee_based",) * 4 + ("seasonal", "ict")
_REGION_PROFILE_OF_SECTION = {"A": "agriculture", "B": "mining", "D": "mining"}
_OPEN_DAYS = 25  # applications this close to the year's end are still being decided

_NAME_HEADS = ("Altyn", "Kaz", "Arka", "Dala", "Tau", "Sary", "Ertis", "Zhaiyk", "Baiterek", "Samruk", "Nur",
               "Shygys", "Batys", "Ak", "Kok", "Zhasyl", "Aral", "Kaspi", "Ile", "Tobol", "Esil", "Ural", "Alatau",
               "Saryarka", "Kyran", "Tulpar", "Berkut", "Bereke", "Dostyk", "Orda")  # fmt: skip
_NAME_TRADES = {
    "A": ("Agro", "Agro Holding", "Astyk", "Dan", "Fruit"), "B": ("Mining", "Ken", "Oil Service", "Munai", "Drilling"),
    "C": ("Prom", "Steel", "Zavod", "Industrial", "Plast"), "D": ("Energy", "Power", "Energo"),
    "F": ("Stroy", "Construction", "Qurylys", "Building", "Engineering"), "G": ("Trade", "Sauda", "Market", "Import"),
    "H": ("Trans", "Logistics", "Cargo"), "I": ("Hotel", "Resort", "Catering"), "J": ("Tech", "Soft", "Telecom"),
    "K": ("Finance", "Capital", "Invest"), "M": ("Consulting", "Design", "Project", "Geo"),
}  # fmt: skip
_FOREIGN_HEADS = ("Huaxin", "Zhongtai", "Anadolu", "Deccan", "Hanbit", "Rhein", "Thames", "Po Valley", "Sakura",
                  "Yangtze", "Bosphorus", "Ganges", "Han River", "Danube")  # fmt: skip


@dataclass(frozen=True, slots=True)
class SynthLabour:
    """The five tables (:data:`COLUMNS`) of one synthetic year."""

    year: int
    employers: pa.Table
    staff: pa.Table
    vacancies: pa.Table
    permits: pa.Table
    quota_needs: pa.Table

    def tables(self) -> dict[str, pa.Table]:
        """File stem -> table."""
        return {name: getattr(self, name) for name in COLUMNS}

    def summary(self) -> dict[str, int]:
        """Rows per table, permits per category and per state."""
        out = {name: int(t.num_rows) for name, t in self.tables().items()}
        for column in ("category", "state"):
            counts = pc.value_counts(self.permits.column(column)).to_pylist()
            out |= {f"{column}:{c['values']}": int(c["counts"]) for c in sorted(counts, key=lambda c: c["values"])}
        out["workers_without_iin"] = int(self.permits.column("worker_iin").null_count)
        return out


def _vector(weights: Mapping[str, float], keys: Sequence[str]) -> FloatArray:
    return np.array([float(weights.get(k, 0.0)) for k in keys], dtype=np.float64)


def _cdfs(profiles: Sequence[Mapping[str, float]], keys: Sequence[str]) -> FloatArray:
    return np.stack([_cdf(_vector(p, keys)) for p in profiles])


def _plus_years(day: IntArray, years: IntArray) -> IntArray:
    """The same calendar day ``years`` later (29 February to 1 March), as day numbers."""
    d = day.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    dom = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + (12 * years).astype("timedelta64[M]")
    first = target.astype("datetime64[D]")
    length = ((target + 1).astype("datetime64[D]") - first).astype(np.int64)
    out = np.where(dom < length, first + dom.astype("timedelta64[D]"), (target + 1).astype("datetime64[D]"))
    return np.asarray(out.astype(np.int64), dtype=np.int64)


def _strings(values: Sequence[str], idx: IntArray) -> pa.Array:
    return _take(pa.array(list(values), pa.string()), idx)


def _employers(rng: np.random.Generator, k: int, year: int, weights: FloatArray) -> dict[str, object]:
    """Sections (every section with permits first, while there are employers), BINs, names, regions, sizes."""
    active = np.flatnonzero(weights > 0)
    section = _pick(_cdf(weights), rng.random(k))
    cover = min(k, len(active))
    section[:cover] = active[np.argsort(-weights[active], kind="stable")][:cover]
    section = section[rng.permutation(k)]

    non_resident = rng.random(k) < 0.08
    attribute = _pick(_cdf([83, 12, 5]), rng.random(k))
    attribute = np.where(non_resident, 1 + (rng.random(k) < 0.4).astype(np.int64), attribute)
    yy = _uniform_int(rng, 1995, year - 1, k) % 100
    mm = _uniform_int(rng, 1, 12, k)
    head = (yy * 100 + mm) * 100 + np.where(non_resident, 50, 40) + attribute
    bins = _unique_numbers(rng, head, 5)

    slugs = [r.slug for r in REGIONS]
    profiles = ("mining", "agriculture", "general")
    profile = np.array([profiles.index(_REGION_PROFILE_OF_SECTION.get(s, "general")) for s in SECTIONS])[section]
    region = _pick_grouped(_cdfs([REGION_WEIGHTS[p] for p in profiles], slugs), profile, rng.random(k))
    size = rng.lognormal(0.0, 1.2, k)
    size = np.where(attribute > 0, size * 0.4, size)
    return {"section": section, "bin": bins, "attribute": attribute, "non_resident": non_resident,
            "region": region, "size": size, "names": _company_names(rng, section, attribute, non_resident)}  # fmt: skip


def _company_names(
    rng: np.random.Generator, section: IntArray, attribute: IntArray, non_resident: BoolArray
) -> pa.Array:
    """``TOO "Altyn Stroy"``; branches and representative offices say so; non-residents have foreign names."""
    k = len(section)
    heads = _strings(_NAME_HEADS, rng.integers(0, len(_NAME_HEADS), k))
    foreign = _strings(_FOREIGN_HEADS, rng.integers(0, len(_FOREIGN_HEADS), k))
    trades = [_NAME_TRADES.get(s, ("Service", "Group", "Company")) for s in SECTIONS]
    longest = max(len(t) for t in trades)
    vocab = [t[i % len(t)] for t in trades for i in range(longest)]
    trade = _strings(vocab, section * longest + rng.integers(0, longest, k))
    local = pc.binary_join_element_wise(heads, trade, " ")
    form = _strings(("TOO", "AO"), (rng.random(k) < 0.15).astype(np.int64))
    resident = pc.binary_join_element_wise(form, pc.binary_join_element_wise('"', local, '"', ""), " ")
    abroad = pc.binary_join_element_wise('"', pc.binary_join_element_wise(foreign, trade, " "), ' Co., Ltd."', "")
    base = pc.if_else(pa.array(non_resident), abroad, resident)
    prefix = _strings(("", "Branch of ", "Representative office of "), attribute)
    return pc.binary_join_element_wise(prefix, base, "")


def generate_labour(
    employers: int,
    permits: int,
    seed: int = 0,
    year: int = 2026,
    as_of: dt.date | None = None,
    all_states: bool = False,
) -> SynthLabour:
    """A seeded synthetic year: ``employers`` employers and ``permits`` work permits starting in ``year``.

    ``as_of``: the day the files describe (default 31 December of ``year``): states are as on that
    day, and applications and postings after it are left out (so there are fewer permits).
    ``all_states``: besides issued and expired permits (the register of past permits the store
    imports), some revoked, refused, withdrawn, failed and still open ones.

    Raises:
        ValueError: fewer than one employer or permit, or a year without fee rules.
    """
    if employers < 1 or permits < 1:
        raise ValueError("need at least one employer and one permit")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"the year must be between {FIRST_YEAR} and {LAST_YEAR}")
    as_of_day = day_number(as_of or dt.date(year, 12, 31))
    rng = np.random.default_rng(seed)
    n = permits

    # categories: the Dec 2025 mix, exactly, in random order
    counts = distribute(n, CATEGORY_MIX)
    category = rng.permutation(np.repeat(np.arange(6), [counts[c] for c in CATEGORIES]))
    profile = np.array([("fee_based", "seasonal", "ict").index(p) for p in _PROFILE_OF_CATEGORY])[category]
    section_cdfs = _cdfs([SECTION_WEIGHTS[p] for p in ("fee_based", "seasonal", "ict")], SECTIONS)
    section = _pick_grouped(section_cdfs, profile, rng.random(n))

    # employers, and each permit's employer: within its section, by size
    overall = np.bincount(section, minlength=len(SECTIONS)).astype(np.float64)
    emp = _employers(rng, employers, year, overall)
    e_section = np.asarray(emp["section"], dtype=np.int64)
    order = np.argsort(e_section, kind="stable")
    size = np.asarray(emp["size"], dtype=np.float64)[order]
    cum = np.cumsum(size)
    per_section = np.bincount(e_section, minlength=len(SECTIONS))
    ends = np.cumsum(per_section)
    starts = ends - per_section
    lo = np.where(starts > 0, cum[np.maximum(starts - 1, 0)], 0.0)
    hi = cum[np.maximum(ends - 1, 0)]
    has = per_section[section] > 0
    lo_p = np.where(has, lo[section], 0.0)
    hi_p = np.where(has, hi[section], cum[-1])
    pos = np.searchsorted(cum, lo_p + rng.random(n) * (hi_p - lo_p), side="right")
    employer = order[np.minimum(pos, employers - 1)]

    # region: the employer's, one in ten elsewhere
    e_region = np.asarray(emp["region"], dtype=np.int64)
    slugs = [r.slug for r in REGIONS]
    elsewhere = _pick(_cdf(_vector(REGION_WEIGHTS["general"], slugs)), rng.random(n))
    region = np.where(rng.random(n) < 0.9, e_region[employer], elsewhere)

    # workers
    iso3 = sorted({c for w in NATIONALITY_WEIGHTS.values() for c in w})
    nationality = _pick_grouped(
        _cdfs([NATIONALITY_WEIGHTS[p] for p in ("fee_based", "seasonal", "ict")], iso3), profile, rng.random(n)
    )
    origin_of = np.array([[o.iso3 for o in ORIGINS].index(c) for c in iso3])
    tradition = _pick_grouped(_origin_cdfs("traditions", TRADITION_KEYS), origin_of[nationality], rng.random(n))
    male = rng.random(n) < np.array(P_MALE)[category]
    surname, given, _, _ = _names(rng, tradition, male)

    # dates: start in the year (seasonal work in spring), terms by category
    y0 = day_number(dt.date(year, 1, 1))
    span = day_number(dt.date(year + 1, 1, 1)) - y0
    valid_from = y0 + np.floor(rng.random(n) * span).astype(np.int64)
    spring = y0 + 45 + np.floor(rng.beta(2.0, 3.0, n) * 150).astype(np.int64)
    valid_from = np.where(category == SEASONAL, spring, valid_from)
    years = np.ones(n, dtype=np.int64)
    years = np.where(category == CAT1, 1 + _pick(_cdf([60, 25, 15]), rng.random(n)), years)
    years = np.where(category == ICT, 1 + _pick(_cdf([50, 25, 25]), rng.random(n)), years)
    valid_to = _plus_years(valid_from, years) - 1
    short = (category >= CAT2) & (category <= CAT4) & (rng.random(n) < 0.15)
    valid_to = np.where(short, valid_from + _uniform_int(rng, 180, 364, n) - 1, valid_to)
    band = _pick(_cdf([30, 40, 20, 10]), rng.random(n))
    season = np.array([30, 91, 181, 271])[band] + np.floor(rng.random(n) * np.array([61, 90, 90, 95])[band])
    valid_to = np.where(category == SEASONAL, valid_from + season.astype(np.int64) - 1, valid_to)
    applied_on = valid_from - _uniform_int(rng, 15, 45, n)

    # birth dates and IINs (a few workers without one yet)
    age_lo, age_hi = np.array([a[0] for a in AGES])[category], np.array([a[1] for a in AGES])[category]
    age = age_lo + np.floor(rng.random(n) * (age_hi - age_lo + 1)).astype(np.int64)
    birth = valid_from - np.round(age * 365.25).astype(np.int64) - np.floor(rng.random(n) * 365).astype(np.int64)
    iin = _iins(rng, birth, male)
    no_iin = rng.random(n) < 0.015

    # occupations
    kinds = ("category_1", "category_2", "category_3", "category_4", "seasonal_farm", "seasonal_other", "ict")
    kind = np.where(category == SEASONAL, np.where(section == 0, 4, 5), np.where(category == ICT, 6, category))
    widths = np.array([len(OCCUPATIONS[k]) for k in kinds])
    offsets = np.concatenate([[0], np.cumsum(widths)[:-1]])
    occupation = offsets[kind] + np.floor(rng.random(n) * widths[kind]).astype(np.int64)
    isco_vocab = [code for k in kinds for code, _ in OCCUPATIONS[k]]
    title_vocab = [title for k in kinds for _, title in OCCUPATIONS[k]]
    isco_code = np.array([int(c) for c in isco_vocab])[occupation]

    state = _states(rng, category, applied_on, valid_to, as_of_day, all_states)
    # number the permits in order of application (those made by the day the files describe)
    by_applied = np.lexsort((rng.random(n), applied_on))
    by_applied = by_applied[applied_on[by_applied] <= as_of_day]
    n_out = len(by_applied)
    width = max(6, len(str(n)))
    columns = {
        "number": record_ids(f"WP-{year}-", n_out, width),
        "bin": _digit_strings(np.asarray(emp["bin"], dtype=np.int64)[employer[by_applied]]),
        "worker_iin": pc.if_else(pa.array(no_iin[by_applied]), pa.scalar(None, pa.string()), iin.take(by_applied)),
        "worker_surname": surname.take(by_applied),
        "worker_given_names": given.take(by_applied),
        "worker_nationality": _strings(iso3, nationality[by_applied]),
        "category": _strings(CATEGORIES, category[by_applied]),
        "isco": _strings(isco_vocab, occupation[by_applied]),
        "region_kato": _strings([r.kato for r in REGIONS], region[by_applied]),
        "valid_from": _dates(valid_from[by_applied]),
        "valid_to": _dates(valid_to[by_applied]),
        "applied_on": _dates(applied_on[by_applied]),
        "state": _strings(STATES, state[by_applied]),
    }
    permit_table = pa.table(columns)

    katos = [r.kato for r in REGIONS]
    employer_table = pa.table(
        {
            "bin": _digit_strings(np.asarray(emp["bin"], dtype=np.int64)),
            "name": emp["names"],
            "oked_section": _strings(SECTIONS, e_section),
            "region_kato": _strings(katos, e_region),
        }
    )
    staff = _staff(rng, emp, employer, category, year)
    vacancies = _vacancies(
        rng, np.asarray(emp["bin"], dtype=np.int64), employer, category, isco_code, occupation, region, applied_on,
        (isco_vocab, title_vocab, katos),
        as_of_day,
    )  # fmt: skip
    in_quota = np.bincount(region[category != ICT], minlength=len(REGIONS)).astype(np.float64)
    need = np.round(in_quota * (1.05 + 0.35 * rng.random(len(REGIONS)))).astype(np.int64)
    quota_needs = pa.table({"region_kato": pa.array(katos, pa.string()), "need": pa.array(need, pa.int64())})
    return SynthLabour(year, employer_table, staff, vacancies, permit_table, quota_needs)


STATES = ("issued", "expired", "revoked", "refused", "withdrawn", "checks_failed", "pending", "fee_due")
_ISSUED, _EXPIRED, _REVOKED, _REFUSED, _WITHDRAWN, _CHECKS_FAILED, _PENDING, _FEE_DUE = range(8)


def _states(
    rng: np.random.Generator,
    category: IntArray,
    applied_on: IntArray,
    valid_to: IntArray,
    as_of: int,
    all_states: bool,
) -> IntArray:
    """Where each permit is on day ``as_of``: open when applied for lately, else mostly issued or expired.

    Without ``all_states``, only issued and expired (what a register of past permits holds); the
    random draws are the same either way, so the other columns do not change.
    """
    n = len(category)
    u = rng.random(n)
    v = rng.random(n)
    state = np.where(valid_to < as_of, _EXPIRED, _ISSUED)
    if not all_states:
        return np.asarray(state, dtype=np.int64)
    state = np.where(u < 0.045, _REVOKED, state)
    state = np.where(u < 0.035, _CHECKS_FAILED, state)
    state = np.where(u < 0.025, _WITHDRAWN, state)
    state = np.where(u < 0.015, _REFUSED, state)
    recent = applied_on > as_of - _OPEN_DAYS
    open_state = np.where(v < 0.4, _PENDING, np.where(v < 0.75, _FEE_DUE, _CHECKS_FAILED))
    open_state = np.where((category == ICT) & (open_state == _FEE_DUE), _ISSUED, open_state)  # transfers are free
    return np.asarray(np.where(recent, open_state, state), dtype=np.int64)


def _digit_strings(values: IntArray) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(values, pa.int64()), pa.string()), width=12, padding="0")


def _staff(
    rng: np.random.Generator, emp: Mapping[str, object], employer: IntArray, category: IntArray, year: int
) -> pa.Table:
    """Citizens enough for the local-content shares with every permit of the year counted, but for ~4%."""
    k = len(np.asarray(emp["bin"]))
    f12 = np.bincount(employer[category <= CAT2], minlength=k)
    f34 = np.bincount(employer[(category == CAT3) | (category == CAT4)], minlength=k)
    ict = np.bincount(employer[category == ICT], minlength=k)
    base = np.round(rng.lognormal(4.5, 1.0, k)).astype(np.int64)  # about 90 citizens at the median
    c12 = np.ceil((f12 + 1) * (0.7 / 0.3) * (1.1 + 2 * rng.random(k))).astype(np.int64) + base // 10
    c34 = np.ceil((f34 + 1) * 9 * (1.1 + 2 * rng.random(k))).astype(np.int64) + base
    short = 2 * (ict + 1) - (c12 + c34)
    c34 = c34 + np.maximum(short, 0) + np.where(short > 0, 5, 0)
    fails = ((f12 + f34) > 0) & (rng.random(k) < 0.04)
    c12 = np.where(fails & (f12 > 0), np.floor(f12 * (0.7 / 0.3) * rng.uniform(0.2, 0.8, k)), c12).astype(np.int64)
    c34 = np.where(fails & (f34 > 0), np.floor(f34 * 9 * rng.uniform(0.2, 0.8, k)), c34).astype(np.int64)
    attribute = np.asarray(emp["attribute"], dtype=np.int64)
    tiny = (attribute > 0) & (f12 + f34 + ict <= 2) & (rng.random(k) < 0.5)  # a small office, exempt
    c12 = np.where(tiny, 1, c12)
    c34 = np.where(tiny, np.maximum(0, 8 - f12 - f34 - 1 - rng.integers(0, 4, k)), c34)
    as_of = np.full(k, day_number(dt.date(year, 1, 1)), dtype=np.int64)
    return pa.table(
        {
            "bin": _digit_strings(np.asarray(emp["bin"], dtype=np.int64)),
            "as_of": _dates(as_of),
            "citizens_1_2": pa.array(c12, pa.int64()),
            "foreigners_1_2": pa.array(f12, pa.int64()),
            "citizens_3_4": pa.array(c34, pa.int64()),
            "foreigners_3_4": pa.array(f34, pa.int64()),
            "ict": pa.array(ict, pa.int64()),
        }
    )


def _vacancies(
    rng: np.random.Generator,
    bins: IntArray,
    employer: IntArray,
    category: IntArray,
    isco: IntArray,
    occupation: IntArray,
    region: IntArray,
    applied_on: IntArray,
    vocab: tuple[list[str], list[str], list[str]],
    as_of: int,
) -> pa.Table:
    """One posting per employer, occupation and region of a permit (not transfers), before the first application."""
    isco_vocab, title_vocab, katos = vocab
    need = np.flatnonzero(category != ICT)
    key = (employer[need] * 10_000 + isco[need]) * 100 + region[need]
    groups, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    m = len(groups)
    earliest = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(earliest, inverse.ravel(), applied_on[need])
    late = rng.random(m) < 0.04
    before = np.where(late, _uniform_int(rng, 1, 14, m), _uniform_int(rng, 15, 60, m))
    keep = (rng.random(m) >= 0.01) & (earliest - before <= as_of)
    rows = need[first][keep]
    cat = category[rows]
    wage = np.array(WAGE_MEDIAN, dtype=np.float64)[cat] * rng.lognormal(0.0, 0.25, len(rows))
    wage = np.maximum(MIN_WAGE, np.round(wage / 1000) * 1000).astype(np.int64)
    order = np.lexsort((rows, (earliest - before)[keep]))
    rows, wage = rows[order], wage[order]
    return pa.table(
        {
            "bin": _digit_strings(bins[employer[rows]]),
            "isco": _strings(isco_vocab, occupation[rows]),
            "region_kato": _strings(katos, region[rows]),
            "title": _strings(title_vocab, occupation[rows]),
            "wage": pa.array(wage, pa.int64()),
            "posted_on": _dates((earliest - before)[keep][order]),
        }
    )


def write_labour(data: SynthLabour, directory: Path, fmt: str = "csv") -> dict[str, Path]:
    """Write the tables into ``directory`` (``quota_needs`` always as CSV); file stem -> path.

    Raises:
        ValueError: an unknown format.
        OSError: the directory cannot be written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected {', '.join(FORMATS)}")
    directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, table in data.tables().items():
        path = directory / f"{name}.{'csv' if name == 'quota_needs' else fmt}"
        write_table(table, path)
        paths[name] = path
    return paths
