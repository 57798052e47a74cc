"""A seeded year of internal migration: receiving settlements, employers' vacancies and housing, resettling families.

:func:`generate` draws everything from one seed with numpy, so the same ``(families, vacancies,
seed, year)`` always gives the same tables, with exactly the columns the resettlement import reads
(:data:`COLUMNS`). :func:`write` writes them (the only I/O here). Synthetic people and companies only.

Assumptions (from ``shared/domain/kazakhstan.md`` §1; illustrative, not estimates):

- *Settlements*: real towns and villages of the receiving regions of the year's order (north and east:
  North Kazakhstan, Pavlodar, Kostanay, East Kazakhstan, Abai, Akmola, Ulytau, Karaganda; for kandas
  also Atyrau and West Kazakhstan), each with a KATO code under its region's 2-digit prefix (region,
  district, rural district, settlement: the codes are made up, the structure is KATO's) and a monthly
  rent allowance of 15-30 MRP, towns dearer than villages. They depend on the seed only, so two years
  share them.
- *Vacancies* come from employers of the north: farms (field crops, livestock, tractor drivers, machinery
  mechanics), schools, hospitals and industry (welders, electricians, miners, truck drivers, labourers);
  wages 150 000-450 000 tenge a month by occupation (ISCO-08). More vacancies where the quota is larger
  (North Kazakhstan and Pavlodar first). Employers' BINs are valid. About a third of the vacancies come
  with employer housing for 2-7 persons; akimats also hold some service and rental flats (not tied to a
  vacancy).
- *Families* apply from the labour-surplus south and west (Turkistan first, then Zhambyl, Kyzylorda,
  Shymkent, Almaty Region, Zhetisu, Mangystau). Sizes 1-9, mean about 3.6 (head included); one or two
  able-bodied adults mostly. About a quarter are kandas, two in five of them still abroad (no Kazakh
  origin region). Preferences: 0-3 of the year's receiving regions, weighted by their quota. Most heads
  are registered as unemployed or job seekers; a few are employed, registered in the origin region for
  less than a year, kandas without the status, or graduates of a named programme past the window, so
  the officer's queue has failed checks to show. Kazakh names (:mod:`koshi.synth.names`) and valid IINs.

The demo (:func:`seed`) writes last year and this year through the store as the system, each step on its
own day: applications, decisions (some failed checks refused), a matching run every other month, confirmations
(kandas sign the social contract from 2026) and a few declines, arrivals 2-9 weeks later, support paid,
follow-ups at 3, 6 and 12 months (about 85-90% of able-bodied members at work; some 5% return, a little over
the programme's 6% over all years) and the departures and breaches they bring. Applications of the last weeks
are still waiting for a decision, the last run's proposals for confirmation, unmatched families for a vacancy.

Examples:
    >>> data = generate(40, 30, seed=1, year=2026)
    >>> data.families.num_rows, data.vacancies.num_rows
    (40, 30)
    >>> data.families.column_names == list(COLUMNS["families"])
    True
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from koshi.reference.regions import BY_SLUG
from koshi.resettle.policy import Category, ResettlePolicy, policy
from koshi.synth.feeds import TRADITION_KEYS, _bins, _iins, _names, day_number
from koshi.tabular import write_table

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.orm import Session

    from koshi.store.cases import Actor

FORMATS = ("csv", "jsonl", "parquet")
COLUMNS: dict[str, tuple[str, ...]] = {
    "settlements": ("kato", "name", "rent_mrp"),
    "housing": ("ref", "settlement_kato", "capacity", "kind"),
    "vacancies": (
        "ref", "employer_bin", "employer_name", "isco", "title", "wage", "settlement_kato", "housing_ref", "posted_on",
    ),
    "families": (
        "ref", "category", "head_iin", "head_surname", "head_given_names", "citizen", "kandas_status",
        "employment_status", "origin_kato", "registered_since", "graduate_programme", "graduated_on", "size",
        "able_bodied", "isco", "preferences", "housing_certificate", "applied_on",
    ),
}  # fmt: skip
"""The files (in import order) and their columns, exactly as :mod:`koshi.store.resettle_import` reads them."""

PREFERENCE_SEPARATOR = ";"
"""Preferences are written as one cell: receiving region KATO codes, best first, joined by this."""

# fmt: off
SETTLEMENTS: dict[str, tuple[str, ...]] = {  # region slug -> towns first, then villages
    "north_kazakhstan": ("Taiynsha", "Bulaevo", "Mamlyutka", "Sergeevka", "Timiryazevo", "Smirnovo", "Novoishimskoe",
                         "Kishkenekol", "Presnovka", "Saumalkol", "Yavlenka", "Beskol"),
    "pavlodar": ("Ekibastuz", "Aksu", "Sharbakty", "Irtyshsk", "Uspenka", "Zhelezinka", "Kashyr", "Bayanaul",
                 "Terenkol", "Akku", "Shiderty"),
    "kostanay": ("Rudny", "Lisakovsk", "Zhitikara", "Tobyl", "Karabalyk", "Fyodorovka", "Auliekol", "Kamysty",
                 "Sarykol", "Uzunkol"),
    "east_kazakhstan": ("Ridder", "Altai", "Shemonaikha", "Glubokoe", "Samarskoe", "Kurchum", "Zaisan",
                        "Katon-Karagai", "Bolshenarymskoe", "Tugyl"),
    "abai": ("Kurchatov", "Ayagoz", "Urzhar", "Borodulikha", "Makanshy", "Aksuat", "Karaul", "Beskaragai", "Kainar"),
    "akmola": ("Stepnogorsk", "Shchuchinsk", "Atbasar", "Esil", "Makinsk", "Akkol", "Derzhavinsk", "Balkashino",
               "Egindykol", "Zerenda"),
    "ulytau": ("Satpayev", "Karazhal", "Ulytau", "Zhezdy", "Terekti"),
    "karaganda": ("Temirtau", "Shakhtinsk", "Saran", "Abai", "Osakarovka", "Botakara", "Karkaraly", "Egindybulak"),
    "atyrau": ("Kulsary", "Makhambet", "Inderbor", "Akkystau", "Dossor", "Miyaly", "Makat"),
    "west_kazakhstan": ("Aksai", "Chapaev", "Zhanibek", "Peremetnoe", "Chingirlau", "Kaztalovka", "Zhympity",
                        "Taskala"),
}
TOWNS = 3
"""The first three names of each region are towns (dearer rent); the rest are villages."""

OCCUPATIONS: dict[str, tuple[str, str, int, int]] = {  # ISCO-08 -> (title, employer kind, wage low, wage high)
    "6111": ("Field crop grower", "agro", 170_000, 300_000),
    "6121": ("Livestock farm worker", "agro", 150_000, 260_000),
    "8341": ("Tractor driver (mobile farm machinery operator)", "agro", 220_000, 420_000),
    "7233": ("Agricultural machinery mechanic", "agro", 220_000, 400_000),
    "9211": ("Crop farm labourer", "agro", 150_000, 220_000),
    "8332": ("Heavy truck driver", "industry", 250_000, 450_000),
    "7212": ("Welder", "industry", 250_000, 450_000),
    "7411": ("Building electrician", "industry", 220_000, 380_000),
    "8111": ("Miner", "industry", 300_000, 450_000),
    "9312": ("Civil engineering labourer", "industry", 150_000, 240_000),
    "9329": ("Manufacturing labourer", "industry", 150_000, 230_000),
    "2341": ("Primary school teacher", "school", 180_000, 320_000),
    "2330": ("Secondary school teacher", "school", 190_000, 350_000),
    "5120": ("School canteen cook", "school", 150_000, 230_000),
    "2221": ("Nurse", "hospital", 180_000, 300_000),
    "3221": ("Nursing assistant", "hospital", 150_000, 260_000),
    "2211": ("General practitioner", "hospital", 300_000, 450_000),
}
EMPLOYER_KINDS: dict[str, float] = {"agro": 45, "industry": 25, "school": 15, "hospital": 15}
OCCUPATION_WEIGHTS: dict[str, float] = {
    "6111": 8, "6121": 8, "8341": 10, "7233": 6, "9211": 6, "8332": 7, "7212": 6, "7411": 4, "8111": 3, "9312": 4,
    "9329": 3, "2341": 6, "2330": 6, "5120": 2, "2221": 6, "3221": 4, "2211": 2,
}
FAMILY_OCCUPATIONS: dict[str, float] = {  # heads' own occupations: the vacancies' plus some that fit only labour
    **OCCUPATION_WEIGHTS, "8322": 5, "7115": 3, "5223": 4, "4110": 3, "5414": 2, "9313": 3,
}
ORIGINS: dict[str, float] = {  # labour-surplus regions, by their share of applications
    "turkistan": 35, "zhambyl": 15, "kyzylorda": 12, "shymkent": 12, "almaty_region": 10, "zhetisu": 8, "mangystau": 8,
}
KANDAS_ORIGINS: dict[str, float] = {"almaty_region": 30, "mangystau": 25, "turkistan": 25, "zhambyl": 10, "almaty": 10}
"""Where kandas who arrived earlier live (domain notes §8.3: mostly not in the deficit regions)."""
SIZES = (0.12, 0.17, 0.22, 0.21, 0.13, 0.08, 0.04, 0.02, 0.01)
"""P(family of 1..9 persons): mean 3.6."""
STATUSES = {"unemployed": 55.0, "job_seeker": 37.0, "employed": 5.0, "none": 3.0}
# fmt: on
_HEADS = ("Ertis", "Esil", "Tobol", "Sary", "Altyn", "Dala", "Kyzyl", "Ak", "Zhasyl", "Bereke", "Nur", "Arka", "Kokshe")
_TRADES = {"agro": ("Agro", "Astyk", "Dan", "Mal", "Zher"), "industry": ("Energo", "Service", "Stroy", "Ken", "Trans")}
KAZAKH = TRADITION_KEYS.index("kazakh")
P_KANDAS = 0.25
P_KANDAS_ABROAD = 0.4
P_SHORT_REGISTRATION = 0.06
P_GRADUATE = 0.05
P_NO_STATUS = 0.03
P_ODD_PREFERENCE = 0.02
P_EMPLOYER_HOUSING = 1 / 3


@dataclass(frozen=True, slots=True)
class SynthResettle:
    """The four tables (:data:`COLUMNS`) of one synthetic year."""

    year: int
    settlements: pa.Table
    housing: pa.Table
    vacancies: pa.Table
    families: pa.Table

    def tables(self) -> dict[str, pa.Table]:
        """File stem -> table, in import order."""
        return {name: getattr(self, name) for name in COLUMNS}

    def summary(self) -> dict[str, int]:
        """Rows per table, families per category, persons."""
        out = {name: int(t.num_rows) for name, t in self.tables().items()}
        categories = self.families.column("category").to_pylist()
        out |= {f"category:{c}": categories.count(c) for c in sorted(set(categories))}
        out["persons"] = int(sum(self.families.column("size").to_pylist()))
        return out


def _choose(rng: np.random.Generator, weights: dict[str, float], n: int) -> list[str]:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=np.float64)
    return [keys[i] for i in rng.choice(len(keys), size=n, p=p / p.sum())]


def settlement_kato(region_kato: str, index: int) -> str:
    """A KATO-shaped code for a region's ``index``-th settlement: region, district, rural district, settlement.

    >>> settlement_kato("590000000", 0)
    '592030100'
    """
    return f"{region_kato[:2]}{20 + 2 * index:02d}{30 + index:02d}100"


def _settlements(seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng([seed, 0])
    rows = []
    for slug, names in SETTLEMENTS.items():
        kato = BY_SLUG[slug].kato
        for i, name in enumerate(names):
            rent = int(rng.integers(22, 31) if i < TOWNS else rng.integers(15, 24))
            rows.append({"kato": settlement_kato(kato, i), "name": name, "rent_mrp": rent})
    return rows


def _receiving(p: ResettlePolicy) -> dict[str, dict[str, float]]:
    """Category -> receiving region KATO -> weight (its quota; a region without a split still gets some)."""
    return {
        c.value: {r: float(max(p.quota_for(r, c.value), 40)) for r in sorted(p.receiving.get(c.value, frozenset()))}
        for c in Category
    }


def _day(year: int, first: dt.date, last: dt.date, u: float) -> dt.date:
    span = max(0, (last - first).days)
    return first + dt.timedelta(days=int(u * (span + 1)) if span else 0)


def _employer_name(rng: np.random.Generator, kind: str, settlement: str) -> str:
    if kind == "school":
        return f'KGU "{settlement} secondary school No. {int(rng.integers(1, 9))}"'
    if kind == "hospital":
        return f'KGP "{settlement} district hospital"'
    head = _HEADS[int(rng.integers(len(_HEADS)))]
    trade = _TRADES[kind][int(rng.integers(len(_TRADES[kind])))]
    return f'TOO "{head} {trade}"'


def _vacancies(
    rng: np.random.Generator, n: int, year: int, seed: int, last: dt.date, regions: dict[str, float]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    by_region: dict[str, list[tuple[str, str]]] = {}
    for s in _settlements(seed):
        by_region.setdefault(s["kato"][:2] + "0000000", []).append((s["kato"], s["name"]))
    n_employers = max(3, n // 3)
    e_region = _choose(rng, regions, n_employers)
    e_kind = _choose(rng, EMPLOYER_KINDS, n_employers)
    e_bin = _bins(rng, n_employers).to_pylist()
    e_place = [by_region[r][int(rng.integers(len(by_region[r])))] for r in e_region]
    e_name = [_employer_name(rng, k, p[1]) for k, p in zip(e_kind, e_place, strict=True)]
    per_kind = {k: {o: OCCUPATION_WEIGHTS[o] for o, v in OCCUPATIONS.items() if v[1] == k} for k in EMPLOYER_KINDS}
    first = dt.date(year - 1, 12, 1)
    vacancies: list[dict[str, Any]] = []
    housing: list[dict[str, Any]] = []
    for i in range(n):
        e = int(rng.integers(n_employers))
        isco = _choose(rng, per_kind[e_kind[e]], 1)[0]
        title, _, low, high = OCCUPATIONS[isco]
        housing_ref = None
        if rng.random() < P_EMPLOYER_HOUSING:
            housing_ref = f"H{year}S{seed}-{len(housing) + 1:04d}"
            capacity = int(rng.choice([2, 3, 4, 4, 5, 5, 6, 7]))
            housing.append({"ref": housing_ref, "settlement_kato": e_place[e][0], "capacity": capacity,
                            "kind": "employer"})  # fmt: skip
        vacancies.append(
            {
                "ref": f"V{year}S{seed}-{i + 1:04d}",
                "employer_bin": e_bin[e],
                "employer_name": e_name[e],
                "isco": isco,
                "title": title,
                "wage": int(round(rng.uniform(low, high), -3)),
                "settlement_kato": e_place[e][0],
                "housing_ref": housing_ref,
                "posted_on": _day(year, first, last, float(rng.random())),
            }
        )
    for _ in range(max(1, n // 8)):  # akimats' service and rental flats, free for any family
        region = _choose(rng, regions, 1)[0]
        kato = by_region[region][int(rng.integers(len(by_region[region])))][0]
        kind = "service" if rng.random() < 0.6 else "rental"
        ref = f"H{year}S{seed}-{len(housing) + 1:04d}"
        housing.append({"ref": ref, "settlement_kato": kato, "capacity": int(rng.integers(2, 8)), "kind": kind})
    return vacancies, housing


def _families(
    rng: np.random.Generator, n: int, year: int, seed: int, last: dt.date, p: ResettlePolicy
) -> list[dict[str, Any]]:
    receiving = _receiving(p)
    kandas = rng.random(n) < P_KANDAS
    male = rng.random(n) < 0.78
    birth = np.array([day_number(dt.date(year - 58, 1, 1))] * n) + rng.integers(0, 365 * 38, n)
    iins = _iins(rng, birth, male).to_pylist()
    surnames, given, _, _ = _names(rng, np.full(n, KAZAKH, dtype=np.int64), male)
    surnames_l, given_l = surnames.to_pylist(), given.to_pylist()
    origins = _choose(rng, ORIGINS, n)
    kandas_origins = _choose(rng, KANDAS_ORIGINS, n)
    statuses = _choose(rng, STATUSES, n)
    occupations = _choose(rng, FAMILY_OCCUPATIONS, n)
    sizes = rng.choice(np.arange(1, 10), size=n, p=np.array(SIZES) / sum(SIZES))
    first = dt.date(year, 1, 10)
    days = sorted(_day(year, first, max(first, last), float(u)) for u in rng.random(n))
    rows = []
    for i in range(n):
        category = Category.kandas.value if kandas[i] else Category.resettler.value
        size = int(sizes[i])
        able = 1 if size == 1 else min(size, 1 + int(rng.random() < 0.8) + int(rng.binomial(max(0, size - 2), 0.1)))
        applied = days[i]
        origin: str | None = BY_SLUG[origins[i]].kato
        registered: dt.date | None = applied - dt.timedelta(days=int(rng.integers(400, 365 * 25)))
        if rng.random() < P_SHORT_REGISTRATION:
            registered = applied - dt.timedelta(days=int(rng.integers(60, 330)))
        programme: str | None = None
        graduated: dt.date | None = None
        status = statuses[i]
        if kandas[i]:
            abroad = rng.random() < P_KANDAS_ABROAD
            origin = None if abroad else BY_SLUG[kandas_origins[i]].kato
            registered = None if abroad else applied - dt.timedelta(days=int(rng.integers(120, 365 * 6)))
            status = "none" if abroad else ("job_seeker" if status == "employed" else status)
        elif rng.random() < P_GRADUATE:
            programme = "zharkyn_bolashak" if rng.random() < 0.6 else "serpin"
            months = int(rng.integers(0, 6)) if rng.random() < 0.8 else int(rng.integers(7, 12))
            graduated = applied - dt.timedelta(days=30 * months + int(rng.integers(0, 25)))
            origin = BY_SLUG["almaty" if rng.random() < 0.5 else "astana"].kato  # studied in a city
            registered = graduated - dt.timedelta(days=int(rng.integers(120, 900)))
            status = "job_seeker"
        regions = receiving[category]
        k = int(rng.choice([0, 1, 1, 2, 2, 3]))
        picks = list(rng.choice(list(regions), size=min(k, len(regions)), replace=False,
                                p=np.array(list(regions.values())) / sum(regions.values())))  # fmt: skip
        if picks and rng.random() < P_ODD_PREFERENCE:
            picks[-1] = BY_SLUG["astana"].kato  # not a receiving region: the destination check fails
        rows.append(
            {
                "ref": f"F{year}S{seed}-{i + 1:05d}",
                "category": category,
                "head_iin": iins[i],
                "head_surname": surnames_l[i].title(),
                "head_given_names": given_l[i].title() if given_l[i] else None,
                "citizen": not kandas[i],
                "kandas_status": bool(kandas[i]) and rng.random() >= P_NO_STATUS,
                "employment_status": status,
                "origin_kato": origin,
                "registered_since": registered,
                "graduate_programme": programme,
                "graduated_on": graduated,
                "size": size,
                "able_bodied": able,
                "isco": occupations[i],
                "preferences": PREFERENCE_SEPARATOR.join(str(r) for r in picks),
                "housing_certificate": bool(rng.random() < 0.2),
                "applied_on": applied,
            }
        )
    return rows


_TYPES: dict[str, pa.DataType] = {
    **dict.fromkeys(("rent_mrp", "capacity", "wage", "size", "able_bodied"), pa.int64()),
    **dict.fromkeys(("citizen", "kandas_status", "housing_certificate"), pa.bool_()),
    **dict.fromkeys(("posted_on", "registered_since", "graduated_on", "applied_on"), pa.date32()),
}
SCHEMAS: dict[str, pa.Schema] = {k: pa.schema([(c, _TYPES.get(c, pa.string())) for c in v]) for k, v in COLUMNS.items()}


def generate(
    families: int, vacancies: int, seed: int = 0, year: int = 2026, as_of: dt.date | None = None
) -> SynthResettle:
    """A seeded synthetic year: settlements, ``vacancies`` vacancies with their housing, ``families`` applications.

    ``as_of``: the day the files describe (default 31 December of ``year``): applications and postings
    fall on or before it (from 10 January; all on that day when it is earlier).

    Raises:
        ValueError: a negative count.
        koshi.resettle.policy.PolicyError: a year without resettlement rules (before 2024).
    """
    if families < 0 or vacancies < 0:
        raise ValueError("counts cannot be negative")
    last = min(as_of or dt.date(year, 12, 31), dt.date(year, 12, 31))
    p = policy(dt.date(year, 7, 1))
    rng = np.random.default_rng([seed, year])
    regions: dict[str, float] = {}
    for weights in _receiving(p).values():
        for r, w in weights.items():
            regions[r] = regions.get(r, 0.0) + w
    regions = {r: w for r, w in regions.items() if BY_SLUG_OF_KATO.get(r) in SETTLEMENTS}
    vacancy_rows, housing_rows = _vacancies(rng, vacancies, year, seed, last, regions)
    family_rows = _families(rng, families, year, seed, last, p)
    settlements = [s for s in _settlements(seed) if s["kato"][:2] + "0000000" in regions]
    rows = {"settlements": settlements, "housing": housing_rows, "vacancies": vacancy_rows, "families": family_rows}
    tables = {k: pa.Table.from_pylist(v, schema=SCHEMAS[k]) for k, v in rows.items()}
    return SynthResettle(year=year, **tables)


BY_SLUG_OF_KATO = {r.kato: slug for slug, r in BY_SLUG.items()}


def write(data: SynthResettle, directory: Path, fmt: str = "csv") -> dict[str, Path]:
    """Write the tables into ``directory``; file stem -> path.

    Raises:
        ValueError: an unknown format.
        OSError: the directory cannot be written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected {', '.join(FORMATS)}")
    directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, table in data.tables().items():
        path = directory / f"{name}.{fmt}"
        write_table(table, path)
        paths[name] = path
    return paths


# --- the demo: two years written through the store ---------------------------------------------------

KZ = dt.timezone(dt.timedelta(hours=5))
RUN_MONTHS = (2, 4, 6, 8, 10, 12)
"""Matching runs on the last day of every other month (approved families wait at most two months)."""
P_REFUSE_FAILED = 0.35
P_DECLINE = 0.05
P_PAID = 0.85
RETURNS = {3: 0.03, 6: 0.025, 12: 0.015}
"""P(a family has returned to its origin region by this follow-up), given it was still there before."""
MOVES = {3: 0.0, 6: 0.01, 12: 0.01}
EMPLOYED = {3: 0.92, 6: 0.94, 12: 0.96}
"""P(at least one member works at this follow-up); then all able-bodied members do in 85% of the families, all
but one in the rest: about 85% of able-bodied members employed at 3 months, 90% at 12."""
DECLINED = "the family turned the offer down: the settlement is too far from relatives"
REFUSED = "not eligible: the failed checks were confirmed with the applicant"
FORCED_BREACHES = 2
"""The first kandas under contract to reach a 3-month follow-up in the current year return, so the
demo shows breaches and repayments whatever the draw."""


def _at(day: dt.date, real_now: dt.datetime) -> dt.datetime:
    """10:00 in Kazakhstan on ``day``, never later than the real clock."""
    return min(dt.datetime.combine(day, dt.time(10), KZ), real_now)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


@dataclass(slots=True)
class _Family:
    id: str
    ref: str
    category: str
    size: int
    able: int
    applied_on: dt.date
    contract: bool  # signs the social contract at confirmation


class _Story:
    """One year of the demo as dated events, written in date order through the store's functions."""

    def __init__(
        self, session: Session, actor: Actor, real_now: dt.datetime, today: dt.date, rng: np.random.Generator
    ) -> None:
        self.session, self.actor, self.real_now, self.today, self.rng = session, actor, real_now, today, rng
        self.queue: list[tuple[dt.date, int, str, tuple[Any, ...]]] = []
        self.seq = 0
        self.families: dict[str, _Family] = {}
        self.counts: dict[str, int] = {}
        self.forced = FORCED_BREACHES

    def at(self, day: dt.date, kind: str, *args: Any) -> None:
        if day <= self.today:
            self.seq += 1
            heapq.heappush(self.queue, (day, self.seq, kind, args))

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def run(self) -> None:
        while self.queue:
            day, _, kind, args = heapq.heappop(self.queue)
            getattr(self, f"_{kind}")(day, *args)

    def now(self, day: dt.date) -> dt.datetime:
        return _at(day, self.real_now)

    def _act(self, day: dt.date, family_id: str, action: str, **kw: Any) -> Any:
        from koshi.store import resettle as store

        return store.act(self.session, self.actor, family_id, action, now=self.now(day), **kw)

    def _decide(self, day: dt.date, f: _Family, bound: bool) -> None:
        from koshi.store import resettle as store

        row = self.session.get(store.Family, f.id)
        state = None if row is None else row.state
        if state == "submitted":
            self._act(day, f.id, "approve")
            self.count("approved")
        elif state == "checks_failed" and not bound and self.rng.random() < P_REFUSE_FAILED:
            self._act(day, f.id, "refuse", reason=REFUSED)
            self.count("refused")

    def _match(self, day: dt.date, year: int) -> None:
        from sqlalchemy import select

        from koshi.store import resettle as store

        run = store.run_matching(self.session, self.actor, year=year, apply=True, now=self.now(day), time_limit=20.0)
        self.count("matching runs")
        placed = self.session.execute(
            select(store.Placement.family_id, store.Placement.housing_id, store.Placement.settlement_kato)
            .where(store.Placement.run_id == run.id, store.Placement.state == "proposed")
            .order_by(store.Placement.id)
        ).all()
        for family_id, housing_id, settlement in placed:
            f = self.families[family_id]
            self.count("proposed")
            if self.rng.random() < P_DECLINE:
                self.at(day + dt.timedelta(days=int(self.rng.integers(3, 15))), "decline", f)
            else:
                later = day + dt.timedelta(days=int(self.rng.integers(5, 35)))
                self.at(later, "confirm", f, housing_id is None, settlement)

    def _decline(self, day: dt.date, f: _Family) -> None:
        self._act(day, f.id, "decline", reason=DECLINED)
        self.count("declined")

    def _confirm(self, day: dt.date, f: _Family, needs_housing: bool, settlement: str) -> None:
        from koshi.store import resettle as store

        housing_id = None
        if needs_housing:  # the akimat offers free service or rental housing in the settlement, when it fits
            housing_id = self.session.scalar(
                free_housing(store).where(store.Housing.settlement_kato == settlement, store.Housing.capacity >= f.size)
            )
        self._act(day, f.id, "confirm", contract_signed=f.contract, housing_id=housing_id)
        self.count("confirmed")
        self.at(day + dt.timedelta(days=int(self.rng.integers(14, 60))), "arrive", f)

    def _arrive(self, day: dt.date, f: _Family) -> None:
        from koshi.resettle.followup import due_dates

        view = self._act(day, f.id, "arrive", on=day)
        self.count("arrived")
        for line in view.support:
            if line.state == "due" and self.rng.random() < P_PAID:
                self.at(day + dt.timedelta(days=int(self.rng.integers(5, 40))), "pay", line.id)
        for month, due in due_dates(day).items():
            self.at(due + dt.timedelta(days=int(self.rng.integers(0, 10))), "followup", f, month)

    def _pay(self, day: dt.date, line_id: int) -> None:
        from koshi.store import resettle as store

        store.pay(self.session, self.actor, line_id, paid_on=day, now=self.now(day))
        self.count("payments")

    def _followup(self, day: dt.date, f: _Family, month: int) -> None:
        from koshi.store import resettle as store

        row = self.session.get(store.Family, f.id)
        if row is None or row.state not in ("arrived", "settled"):
            return
        u = self.rng.random()
        employed = 0
        if month == 3 and self.forced and row.contract_signed_on is not None:
            status, self.forced = "returned", self.forced - 1
        elif u < RETURNS[month]:
            status = "returned"
        elif u < RETURNS[month] + MOVES[month]:
            status = "moved_on"
        elif self.rng.random() < EMPLOYED[month]:
            status = "employed"
            employed = f.able if self.rng.random() < 0.85 or f.able == 1 else f.able - 1
        else:
            status = "unemployed"
        store.record_followup(self.session, self.actor, f.id, month=month, observed_on=day, status=status,
                              able_bodied=f.able, employed=employed, now=self.now(day))  # fmt: skip
        self.count("follow-ups")
        if status in ("returned", "moved_on"):
            self.count("left")
            if row.contract_signed_on is not None:
                self.count("breaches")


def _seeded(session: Session, year: int, seed: int) -> bool:
    from sqlalchemy import select

    from koshi.store import resettle as store

    prefix = f"F{year}S{seed}-"
    return session.scalar(select(store.Family.id).where(store.Family.ref.like(prefix + "%")).limit(1)) is not None


def _bound_index(rows: list[dict[str, Any]]) -> int | None:
    """The applicant account's family: the first eligible resettler of the year applying from February (so a
    matching run has had time to place it)."""
    from koshi.resettle.eligibility import eligible, evaluate
    from koshi.store.resettle_import import applicant, family_values

    for i, r in enumerate(rows):
        if r["category"] != "resettler" or r["applied_on"].month < 2:
            continue
        values = family_values(r)
        if eligible(evaluate(applicant(values), policy(values["applied_on"]))):
            return i
    return None


def seed(
    session: Session,
    now: dt.datetime,
    seed: int = 7,
    *,
    actor: Actor,
    today: dt.date | None = None,
    applicant_id: int | None = None,
    families: int = 180,
    vacancies: int = 150,
) -> dict[str, int]:
    """Write last year and this year of resettlement through the store, as ``actor`` (the system), up to ``today``.

    Settlements, housing and vacancies go through the imports; every family applies on its day (the one
    of ``applicant_id``'s account as that applicant), is approved when its checks pass (some failed ones
    are refused), matched by a run every other month, confirmed (kandas sign the contract when it is
    required) or declined, arrives, is paid its support and followed up at 3, 6 and 12 months, only for
    days up to ``today``. Each step carries the time of its day, so histories read as they would have
    happened. A year already seeded (its families' refs are stored) is left alone.
    """
    from koshi.store import resettle as store
    from koshi.store import resettle_import
    from koshi.store.cases import Actor

    today = today or (now.astimezone(KZ)).date()
    totals: dict[str, int] = {}
    for year in (today.year - 1, today.year):
        if year < 2024:
            continue
        if _seeded(session, year, seed):
            totals["years already seeded"] = totals.get("years already seeded", 0) + 1
            continue
        data = generate(families, vacancies, seed, year, as_of=min(today, dt.date(year, 12, 31)))
        for kind in ("settlements", "housing", "vacancies"):
            report = resettle_import.IMPORTERS[kind](session, data.tables()[kind], now, actor=actor)
            totals[kind] = totals.get(kind, 0) + report.added
        story = _Story(session, actor, now, today, np.random.default_rng([seed, year, 1]))
        rows = data.families.to_pylist()
        bound = _bound_index(rows) if applicant_id is not None and year == today.year else None
        for i, r in enumerate(rows):
            who = Actor(applicant_id, "applicant") if i == bound and applicant_id is not None else actor
            prefs = tuple(x for x in r.pop("preferences").split(PREFERENCE_SEPARATOR) if x)
            view = store.apply(session, who, preferences=prefs, now=_at(r["applied_on"], now), **r)
            p = policy(r["applied_on"])
            f = _Family(view.id, r["ref"], r["category"], r["size"], r["able_bodied"], r["applied_on"],
                        r["category"] == Category.kandas.value and p.kandas_contract_required)  # fmt: skip
            story.families[view.id] = f
            story.count("families")
            story.at(r["applied_on"] + dt.timedelta(days=int(story.rng.integers(3, 21))), "decide", f, i == bound)
        for month in RUN_MONTHS:
            story.at(_month_end(year, month), "match", year)
        story.run()
        for k, v in story.counts.items():
            totals[k] = totals.get(k, 0) + v
    return totals


def free_housing(store: Any) -> Select[tuple[int]]:
    """Ids of service and rental housing no active placement holds, smallest first."""
    from sqlalchemy import select

    held = select(store.Placement.housing_id).where(
        store.Placement.housing_id.is_not(None), store.Placement.state.in_(sorted(store.ACTIVE))
    )
    return (
        select(store.Housing.id)
        .where(store.Housing.vacancy_id.is_(None), store.Housing.id.not_in(held))
        .order_by(store.Housing.capacity, store.Housing.id)
        .limit(1)
    )
