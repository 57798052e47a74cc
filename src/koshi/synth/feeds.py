"""A seeded, realistic year of registry feeds, with the ground truth kept aside.

:func:`generate_feeds` draws a population of foreign travellers and a year of their
movements, and returns the four feeds of :mod:`koshi.registry.schema` (QazETA
authorizations, border events, registrations at the place of stay, permits) exactly as
the sending systems would write them, plus the truth the registry must rediscover:
who each record belongs to, every real stay (including the exits the border feed
lost), and the anomalies injected on purpose. Everything is drawn column-wise with numpy
from one seed, so 2,000,000 people and 10,000,000 border events take seconds, and the
same ``(people, seed, year, events, rates)`` always gives the same tables.
:func:`write_feeds` writes them (the only I/O here).

Why compliance is built in, not checked after: the stay rules (``kz.stay``, read from
:func:`koshi.registry.stay.policy`) must find **exactly** the injected overstays in the
truth. Every other person's year is laid out so that no rule can break:

- *visitors* (short stays, 1 to ``per entry`` days; 30 or 14 for visa-free nationals,
  at most 42 for EAEU citizens) are followed by an absence of at least twice the stay,
  which keeps any 180-day window at or below 60 + 2/3 × the longest stay ≤ 90 days;
- *long EAEU stays* (30-90 days) are at least 90 days apart, so no window holds two;
- *visa nationals* travel only on an approved e-visa (valid 90 days, 30 days of stay)
  that covers the whole stay;
- *permit holders* are in the country only while a permit covers them, plus a few
  days before it starts (at most 20 for EAEU citizens, 7 or 5 for visa-free, none for
  visa nationals), and leave by the day before a permit is revoked;
- from 1 Jul 2026 every EAEU stay longer than 30 days is registered within 30 days.

The injected **overstays** (``overstay_rate`` of all people, default 2%) are a visitor's
last stay in the year stretched ``d`` days past its lawful end (per entry, the 90-day
window, or the e-visa); the 180 days before that stay are kept empty, so the overstay
is exactly ``d`` days (counted to 31 December if the person is still there). The
**dropped exits** (``dropped_exit_rate`` of exits, default 0.3%) are missing from the
border feed only; the truth keeps them.

Assumptions (calibrated on ``shared/domain/kazakhstan.md`` §3 and §5; illustrative,
not estimates):

- *Nationality mix* of people crossing: about 90% CIS (Uzbekistan 34%, Russia 24%,
  Kyrgyzstan 16%, Tajikistan 7%, then Azerbaijan, Turkmenistan, Belarus, Armenia,
  Ukraine, Georgia, Moldova), then China 3.5%, Türkiye, Mongolia, India, Germany,
  Korea, the USA, Iran and a few others; 0.1% stateless residents (nationality XXA,
  travel document issued by Kazakhstan). §5.2 reports 90% of 7.5 million half-year
  entries from the CIS.
- *Who they are* (share of people by nationality): short-stay visitors (most),
  frequent travellers (traders, drivers: 2 to dozens of short trips), transit
  passengers, EAEU citizens on long visa-free stays, and a minority (about 10%) on
  permits: EAEU workers on a temporary residence permit for their contract (§3.1),
  household labour immigrants and employer work permits (Uzbekistan, Tajikistan,
  China, Türkiye, India...), permanent residents (some long-stay visas) and students.
  Permit holders have an IIN (§3.1: foreign employees must); 2% of the others too. The
  permits and registrations feeds carry it; border events and QazETA applications do not.
- *Documents*: a passport in each nationality's number format; 40-50% of Russian and
  Kyrgyz citizens (fewer Armenians, Belarusians) also cross land borders with an
  identity card (a Russian internal passport has no expiry). 3% of visitors with two
  trips or more renew their passport between two of them and travel on the new number.
  Germans' documents carry ``D``, as their MRZ does; the truth keeps ``DEU``.
- *Crossings*: airports by IATA code (ALA, NQZ, CIT, SCO, GUW, AKX, KGF, ...) and land,
  rail and sea points by name (ZHIBEK-ZHOLY, KAZYGURT, KORDAI, NUR-ZHOLY, DOSTYK, KAIRAK,
  TEMIRBABA, AKTAU-PORT, ...; see :data:`CROSSING_POINTS`), by nationality (Uzbeks mostly
  over the Uzbek land border, Kyrgyz over the Kyrgyz one, Russians half by road). Times
  carry ``+05:00`` (one time zone since 1 Mar 2024); land points work 07:00-21:00.
- *Year boundary*: stays that began up to 90 days before 1 January (a year before, for
  permit holders) are in the feed with their entry; stays still going on 31 December
  have no exit in the feed and none in the truth (``exit_at`` null). Everyone in the
  truth has at least one stay in the year.
- *QazETA* (pilot from 1 Jan 2026, §5.3): ``eta_share`` (10%) of visa-free travellers
  apply, at least 72 hours before a trip; one ETA, valid 180 days, serves the trips of
  the next 175 days. 3% refused (they travel visa-free anyway: the pilot is voluntary),
  1.5% later revoked, and a few pending at year end for trips in the next year.
  E-visas for visa nationals: one per trip, decided up to 35 days ahead, valid 90 days
  from the decision, 30 days of stay; 4% of them also have a refused application.
- *Registrations* (§5.2): most stays of 4 days or more are registered by a host
  (an individual's IIN or a hotel's, employer's or university's BIN), mostly within 3
  working days, 8% late; long stays sometimes move address. Channel: E-Qonaq (or
  vmp.gov.kz, or at a counter) before 1 Jul 2026, then mostly IS "Migration Police".
- *Permits*: TRPs and work permits for 1 year (household permits 1-12 months), half
  renewed; permanent residence without end (8% obtained in the year after a TRP);
  study permits by academic year (25 Aug); 1% revoked, 0.3% annulled and re-issued.

*Identity corruption* (``corruption``, off by default): with a
:class:`~koshi.synth.corrupt.FeedCorruption`, each feed's identity fields are corrupted
as the people who type them would (:mod:`koshi.synth.corrupt`): QazETA applicants,
hosts and migration officers type names, birth dates, sex and document numbers; border
events are read from the MRZ, except crossings on a Russian internal passport (no MRZ),
whose names and dates the officer types; border events' document numbers are never
touched. Only identity fields change, never a time, date or id, so the stays and the
truth of who each record belongs to are the same as without corruption; the truth gains
``corruptions`` (which record got what, and the true number behind a mistyped one).
Corruption draws from its own random stream: the clean parts of the feeds are the same
with or without it, and without it the feeds are exactly those of earlier versions.

Not modelled: seasons (trips are spread evenly over the year), dual citizens, lost
documents, Belarusian and Moldovan national spellings (Russian ones are used), and,
unless ``corruption`` is given, any disagreement between systems about a person: every
system then writes a person's names, birth date and documents the same way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from koshi.reference.regions import REGIONS
from koshi.registry import stay
from koshi.registry.schema import FEEDS, RECORD_ID, FeedKind
from koshi.synth.corrupt import FeedCorruption, corrupt_identities
from koshi.synth.names import TRADITIONS, Ranked, vocabulary

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Progress = Callable[[str], None]

EPOCH = dt.date(1970, 1, 1)
KZ_OFFSET_S = 5 * 3600
KZ_TZ = dt.timezone(dt.timedelta(hours=5))
DAY_S = 86_400
TIMESTAMP = pa.timestamp("s", tz="+05:00")
"""Feed datetimes: Kazakhstan time (UTC+5 everywhere since 1 Mar 2024)."""

ETA_PILOT_START = dt.date(2026, 1, 1)
"""QazETA pilot (kazakhstan.md §5.3): no ETA before this day."""
ONLINE_REGISTRATION_FROM = dt.date(2026, 7, 1)
"""IS "Migration Police" online registration (kazakhstan.md §5.2)."""
FIRST_YEAR, LAST_YEAR = 2024, 2089
"""Stay rules are in force from 27 Jan 2023 and a year of feeds reaches a year back; documents run ten years ahead."""

NO_END = 10**7
"""Day number of a permit without an end (permanent residence)."""

FORMATS = ("parquet", "csv", "jsonl")

# --- who travels ---------------------------------------------------------------------------------

SEGMENTS = ("visitor", "frequent", "transit", "eaeu_long", "visa_visitor", "worker", "resident", "student")
VISITOR, FREQUENT, TRANSIT, EAEU_LONG, VISA_VISITOR, WORKER, RESIDENT, STUDENT = range(8)
PRESENCE_FROM = WORKER
"""Segments from here on live in the country under a permit; the others visit."""

EAEU, VISA_FREE, VISA = 0, 1, 2
REGIMES = ("eaeu", "visa_free", "visa")

SEGMENT_PROFILES: dict[str, str] = {
    "uzb": "visitor:55 frequent:34 transit:1 worker:6 resident:3 student:1",
    "tjk": "visitor:64 frequent:18 transit:2 worker:12 resident:2 student:2",
    "kgz": "visitor:48 frequent:32 eaeu_long:11 worker:6 resident:2 student:1",
    "rus": "visitor:60 frequent:17 eaeu_long:14 worker:3 resident:5 student:1",
    "eaeu": "visitor:66 frequent:12 eaeu_long:12 worker:5 resident:4 student:1",
    "cis": "visitor:72 frequent:16 transit:3 worker:5 resident:3 student:1",
    "chn": "visitor:52 frequent:23 transit:6 worker:15 resident:2 student:2",
    "tur": "visitor:64 frequent:12 transit:6 worker:15 resident:2 student:1",
    "south_asia": "visitor:66 frequent:6 transit:12 worker:8 student:8",
    "west": "visitor:73 frequent:6 transit:14 worker:5 resident:2",
    "mng": "visitor:66 frequent:16 worker:5 student:6 resident:3",
    "visa": "visitor:83 student:10 worker:4 resident:3",
    "stateless": "resident:100",
}
"""Shares of segments by nationality profile (visa nationals' visits become ``visa_visitor``)."""

# fmt: off
REGION_PROFILES: dict[str, dict[str, float]] = {
    "south": {"turkistan": 15, "shymkent": 20, "almaty": 25, "astana": 15, "almaty_region": 8, "zhambyl": 5,
              "mangystau": 4, "kyzylorda": 3, "karaganda": 2, "aktobe": 1, "atyrau": 2},
    "kgz": {"almaty": 40, "almaty_region": 15, "zhambyl": 15, "astana": 15, "shymkent": 5, "zhetisu": 4,
            "karaganda": 3, "turkistan": 3},
    "north": {"astana": 20, "almaty": 20, "kostanay": 8, "north_kazakhstan": 8, "pavlodar": 8,
              "east_kazakhstan": 8, "karaganda": 6, "aktobe": 5, "west_kazakhstan": 5, "akmola": 4, "abai": 3,
              "atyrau": 3, "ulytau": 1, "mangystau": 1},
    "east": {"almaty": 35, "astana": 20, "almaty_region": 10, "zhetisu": 8, "abai": 5, "east_kazakhstan": 5,
             "shymkent": 4, "karaganda": 4, "atyrau": 4, "mangystau": 3, "aktobe": 2},
    "cities": {"astana": 35, "almaty": 40, "atyrau": 10, "mangystau": 5, "shymkent": 3, "karaganda": 3,
               "aktobe": 2, "west_kazakhstan": 2},
}
# fmt: on
"""Where people stay, by profile (region slugs of :mod:`koshi.reference.regions`)."""


@dataclass(frozen=True, slots=True)
class CrossingPoint:
    """A border crossing point: code (IATA for airports), mode of transport, group, relative traffic."""

    code: str
    transport: str
    group: str
    weight: float
    pedestrians: float = 0.0  # share of people crossing on foot at a road point


# fmt: off
CROSSING_POINTS: tuple[CrossingPoint, ...] = (
    *(CrossingPoint(c, "air", "air", w) for c, w in (
        ("ALA", 50), ("NQZ", 30), ("CIT", 6), ("SCO", 3), ("GUW", 3), ("AKX", 2), ("KGF", 2), ("UKK", 1),
        ("PWQ", 1), ("KSN", 1), ("PPK", 0.5), ("URA", 0.5), ("HSA", 1), ("PLX", 0.5), ("KZO", 0.5), ("DMB", 0.5),
    )),
    CrossingPoint("ZHIBEK-ZHOLY", "road", "uzb_land", 45, 0.35),
    CrossingPoint("KAZYGURT", "road", "uzb_land", 15, 0.2),
    CrossingPoint("ATAMEKEN", "road", "uzb_land", 10, 0.1),
    CrossingPoint("KONYSBAYEV", "road", "uzb_land", 10, 0.1),
    CrossingPoint("TAZHEN", "road", "uzb_land", 5),
    CrossingPoint("SARYAGASH-RAIL", "rail", "uzb_land", 10),
    CrossingPoint("KORDAI", "road", "kgz_land", 45, 0.3),
    CrossingPoint("AK-ZHOL", "road", "kgz_land", 25, 0.2),
    CrossingPoint("KARASU", "road", "kgz_land", 15, 0.1),
    CrossingPoint("KEGEN", "road", "kgz_land", 5),
    CrossingPoint("SARTOBE", "road", "kgz_land", 10, 0.1),
    CrossingPoint("NUR-ZHOLY", "road", "chn_land", 45),
    CrossingPoint("ALTYNKOL-RAIL", "rail", "chn_land", 10),
    CrossingPoint("DOSTYK-RAIL", "rail", "chn_land", 15),
    CrossingPoint("BAKHTY", "road", "chn_land", 15),
    CrossingPoint("MAIKAPSHAGAI", "road", "chn_land", 10),
    CrossingPoint("KALZHAT", "road", "chn_land", 5),
    *(CrossingPoint(c, "road", "rus_land", w) for c, w in (
        ("KAIRAK", 10), ("ZHAISAN", 12), ("SYRYM", 10), ("KURMANGAZY", 10), ("ZHANA-ZHOL", 10), ("KYZYL-ZHAR", 8),
        ("SHARBAKTY", 10), ("AUYL", 10), ("TASKALA", 5), ("ALIMBET", 5),
    )),
    CrossingPoint("PETROPAVL-RAIL", "rail", "rus_rail", 50),
    CrossingPoint("ORAL-RAIL", "rail", "rus_rail", 30),
    CrossingPoint("SEMEY-RAIL", "rail", "rus_rail", 20),
    CrossingPoint("TEMIRBABA", "road", "tkm_land", 100),
    CrossingPoint("AKTAU-PORT", "sea", "sea", 70),
    CrossingPoint("KURYK-PORT", "sea", "sea", 30),
)
# fmt: on
"""Crossing points. Airports by IATA code; the other codes are this generator's (named after the checkpoint)."""

CROSSING_GROUPS = tuple(dict.fromkeys(p.group for p in CROSSING_POINTS))
LAND_GROUPS = frozenset(g for g in CROSSING_GROUPS if g not in ("air", "sea"))


@dataclass(frozen=True, slots=True)
class DocFormat:
    """A document number: one of ``prefixes`` (equal lengths) followed by ``digits`` digits."""

    prefixes: tuple[str, ...]
    digits: int


def _fmt(spec: str) -> DocFormat:
    """``"FA,AD/7"`` → prefixes FA or AD, then 7 digits (an empty prefix list: digits only)."""
    prefixes, digits = spec.split("/")
    return DocFormat(tuple(prefixes.split(",")) if prefixes else ("",), int(digits))


@dataclass(frozen=True, slots=True)
class Origin:
    """A nationality: its weight among travellers and how its people are named, travel and stay."""

    iso3: str
    weight: float
    traditions: str  # "uzbek:86 kazakh:7": naming traditions and weights
    segments: str  # key of SEGMENT_PROFILES
    crossings: str  # "uzb_land:75 air:25": crossing groups and weights
    regions: str  # key of REGION_PROFILES
    passport: DocFormat
    id_card: DocFormat | None = None
    id_share: float = 0.0  # EAEU citizens who also cross land borders with an identity card
    icao: str | None = None  # the code the document prints, when not ``iso3`` (Germany: D)
    issuer: str | None = None  # the state issuing the document, when not the nationality (stateless: KAZ)


# fmt: off
ORIGINS: tuple[Origin, ...] = (
    Origin("UZB", 34, "uzbek:86 kazakh:7 tajik:4 russian:3", "uzb", "uzb_land:75 air:25", "south",
           _fmt("FA,AD,AB,AC/7")),
    Origin("RUS", 24, "russian:86 kazakh:6 armenian:2 azerbaijani:2 ukrainian:2 uzbek:1 kyrgyz:1", "rus",
           "rus_land:48 air:45 rus_rail:7", "north", _fmt("75,76,77/7"),
           _fmt("4509,4512,4614,4017,5010,6515,7102/6"), 0.45),
    Origin("KGZ", 16, "kyrgyz:86 uzbek:8 russian:5 kazakh:1", "kgz", "kgz_land:80 air:20", "kgz", _fmt("AC,PE/7"),
           _fmt("ID/7"), 0.5),
    Origin("TJK", 7, "tajik:95 uzbek:5", "tjk", "uzb_land:50 air:50", "south", _fmt("40,41,50/7")),
    Origin("AZE", 2.5, "azerbaijani:100", "cis", "air:70 sea:10 rus_land:20", "cities", _fmt("C/8")),
    Origin("TKM", 1.5, "turkmen:90 kazakh:6 uzbek:4", "visa", "tkm_land:50 air:40 sea:10", "south", _fmt("A/7")),
    Origin("BLR", 1.2, "russian:100", "eaeu", "air:70 rus_land:25 rus_rail:5", "north", _fmt("MP,KH,AB/7"),
           _fmt("ID/7"), 0.1),
    Origin("ARM", 1.2, "armenian:100", "eaeu", "air:95 rus_land:5", "cities", _fmt("AT,AR,AS/7"), _fmt("00/7"), 0.3),
    Origin("UKR", 0.8, "ukrainian:85 russian:15", "cis", "air:70 rus_land:25 rus_rail:5", "north",
           _fmt("FE,FF,GA,FH/6")),
    Origin("GEO", 0.5, "georgian:100", "cis", "air:95 rus_land:5", "cities", _fmt("1/8")),
    Origin("MDA", 0.3, "moldovan:80 russian:20", "cis", "air:70 rus_land:30", "north", _fmt("AB,AC/7")),
    Origin("CHN", 3.5, "chinese:85 kazakh:15", "chn", "chn_land:55 air:45", "east", _fmt("E/8")),
    Origin("TUR", 1.5, "turkish:100", "tur", "air:100", "cities", _fmt("U/8")),
    Origin("MNG", 0.6, "mongolian:60 kazakh:40", "mng", "air:85 rus_land:15", "east", _fmt("E/7")),
    Origin("IND", 0.8, "indian:100", "south_asia", "air:100", "cities", _fmt("K,L,M,N,P,R,S,T,U,V,W,Z/7")),
    Origin("IRN", 0.4, "persian:100", "south_asia", "air:75 sea:15 tkm_land:10", "cities", _fmt("K/8")),
    Origin("DEU", 0.5, "german:100", "west", "air:97 rus_land:3", "cities", _fmt("C/8"), icao="D"),
    Origin("USA", 0.4, "english:100", "west", "air:100", "cities", _fmt("/9")),
    Origin("KOR", 0.5, "korean:100", "west", "air:100", "cities", _fmt("M/8")),
    Origin("GBR", 0.2, "english:100", "west", "air:100", "cities", _fmt("/9")),
    Origin("FRA", 0.2, "french:100", "west", "air:100", "cities", _fmt("19AK,20CF,21DH/5")),
    Origin("ITA", 0.1, "italian:100", "west", "air:100", "cities", _fmt("YA,YB,YC/7")),
    Origin("JPN", 0.2, "japanese:100", "west", "air:100", "cities", _fmt("TK,TR,TS/7")),
    Origin("PAK", 0.2, "pakistani:100", "visa", "air:100", "cities", _fmt("AB,BM,CK/7")),
    Origin("AFG", 0.2, "afghan:100", "visa", "air:90 uzb_land:10", "south", _fmt("P0/7")),
    Origin("XXA", 0.1, "russian:40 kazakh:20 uzbek:20 kyrgyz:10 tajik:10", "stateless",
           "air:60 rus_land:20 uzb_land:20", "north", _fmt("N/8"), issuer="KAZ"),
)
# fmt: on
"""Nationalities of travellers, weights in % of people (assumptions, see the module docstring)."""
_DOC_NATIONALITY = pa.array([o.icao or o.iso3 for o in ORIGINS], pa.string())
_ISSUERS = pa.array([o.issuer or o.icao or o.iso3 for o in ORIGINS], pa.string())

AGE_BANDS: dict[int, tuple[tuple[int, int, float], ...]] = {
    VISITOR: ((1, 17, 12), (18, 29, 24), (30, 44, 32), (45, 59, 22), (60, 85, 10)),
    FREQUENT: ((20, 29, 20), (30, 44, 45), (45, 64, 35)),
    TRANSIT: ((18, 29, 25), (30, 44, 40), (45, 75, 35)),
    EAEU_LONG: ((18, 29, 30), (30, 44, 35), (45, 70, 35)),
    VISA_VISITOR: ((18, 29, 25), (30, 44, 45), (45, 70, 30)),
    WORKER: ((18, 29, 35), (30, 44, 45), (45, 60, 20)),
    RESIDENT: ((3, 17, 8), (18, 44, 50), (45, 64, 30), (65, 90, 12)),
    STUDENT: ((17, 22, 70), (23, 30, 30)),
}
"""Age bands (years, inclusive) and weights by segment."""
P_MALE = (0.52, 0.65, 0.6, 0.6, 0.6, 0.78, 0.48, 0.55)
"""Share of men by segment."""

PURPOSES: dict[int, str] = {
    VISITOR: "tourism:55 private:30 business:10 medical:2 other:3",
    FREQUENT: "business:60 private:30 other:10",
    TRANSIT: "transit:90 tourism:10",
    EAEU_LONG: "private:50 work:30 tourism:20",
    VISA_VISITOR: "tourism:50 business:30 private:15 medical:5",
}

STREETS = (
    "Abai Ave", "Tole Bi St", "Dostyk Ave", "Satpayev St", "Zheltoksan St", "Kabanbay Batyr Ave", "Auezov St",
    "Baitursynov St", "Seifullin Ave", "Kenesary St", "Turan Ave", "Respublika Ave", "Bogenbay Batyr St",
    "Zhambyl St", "Mangilik El Ave", "Al-Farabi Ave", "Raiymbek Ave", "Gogol St", "Pushkin St", "Kunaev St",
)  # fmt: skip

PERMIT_KINDS = ("temporary_residence", "permanent_residence", "work_permit", "long_stay_visa", "study")
TRP, PR, WORK, LONG_STAY, STUDY = range(5)
PERMIT_STATUSES = ("valid", "revoked", "annulled")

# --- small helpers -------------------------------------------------------------------------------


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days


def _cdf(weights: Sequence[float] | FloatArray) -> FloatArray:
    """Cumulative distribution of ``weights``, ending exactly at 1."""
    w = np.asarray(weights, dtype=np.float64)
    c = np.cumsum(w / w.sum())
    c[-1] = 1.0
    return c


def _pick(cdf: FloatArray, u: FloatArray) -> IntArray:
    """Category index for uniforms ``u`` under ``cdf``."""
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(cdf) - 1).astype(np.int64)


def _pick_grouped(cdfs: FloatArray, group: IntArray, u: FloatArray) -> IntArray:
    """Category index with one distribution per group, in one search.

    Group ``g``'s cumulative distribution is shifted to ``(g, g + 1]``, so that ``u + g``
    falls among its own categories only (a zero-weight category is never picked).
    """
    groups, k = cdfs.shape
    shifted = (cdfs + np.arange(groups, dtype=np.float64)[:, None]).ravel()
    idx = np.searchsorted(shifted, u + group, side="right") - group * k
    return np.asarray(np.minimum(idx, k - 1), dtype=np.int64)


def _weights(spec: str, keys: Sequence[str]) -> FloatArray:
    """``"a:3 b:1"`` as a weight vector over ``keys`` (keys not named weigh 0)."""
    index = {k: i for i, k in enumerate(keys)}
    w = np.zeros(len(keys))
    for part in spec.split():
        key, value = part.split(":")
        w[index[key]] = float(value)
    return w


def _uniform_int(rng: np.random.Generator, lo: IntArray | int, hi: IntArray | int, n: int) -> IntArray:
    """Integers uniform in ``[lo, hi]`` (inclusive, per row)."""
    lo_a = np.broadcast_to(np.asarray(lo, dtype=np.int64), (n,))
    hi_a = np.broadcast_to(np.asarray(hi, dtype=np.int64), (n,))
    return lo_a + np.floor(rng.random(n) * (hi_a - lo_a + 1)).astype(np.int64)


_DIGITS4 = np.frombuffer("".join(f"{i:04d}" for i in range(10_000)).encode(), dtype=np.uint8).reshape(10_000, 4)


_DIGITS4_WORDS = _DIGITS4.view(np.uint32).ravel()


def _digit_bytes(values: IntArray, width: int) -> npt.NDArray[np.uint8]:
    """``(n, width)`` ASCII digits of non-negative ``values``, zero-padded (four digits per lookup)."""
    n = len(values)
    out = np.empty((n, width), dtype=np.uint8)
    v = np.asarray(values, dtype=np.int64).copy()
    pos = width
    while pos > 0:
        take = min(4, pos)
        words = _DIGITS4_WORDS[v % 10_000].view(np.uint8).reshape(n, 4)
        out[:, pos - take : pos] = words[:, 4 - take :]
        v //= 10_000
        pos -= take
    return out


def _text_bytes(text: str, n: int) -> npt.NDArray[np.uint8]:
    """``text`` repeated on ``n`` rows, as bytes (a read-only view)."""
    return np.broadcast_to(np.frombuffer(text.encode(), dtype=np.uint8), (n, len(text.encode())))


def _fixed_strings(*parts: npt.NDArray[np.uint8]) -> pa.Array:
    """A string array whose rows are the byte matrices ``parts`` side by side (all rows one width)."""
    matrix = np.ascontiguousarray(np.concatenate(parts, axis=1)) if len(parts) > 1 else np.ascontiguousarray(parts[0])
    n, width = matrix.shape
    if n * width < 2**31:
        offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
        return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(matrix)])
    offsets64 = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    big = pa.Array.from_buffers(pa.large_string(), n, [None, pa.py_buffer(offsets64), pa.py_buffer(matrix)])
    return pc.cast(big, pa.string())


def record_ids(prefix: str, n: int, width: int = 9, numbers: IntArray | None = None) -> pa.Array:
    """``PREFIX000000001`` … for ``n`` records (the sending system's ids), or for the given ``numbers``.

    >>> record_ids("BE-2026-", 2).to_pylist()
    ['BE-2026-000000001', 'BE-2026-000000002']
    """
    values = np.arange(1, n + 1, dtype=np.int64) if numbers is None else np.maximum(numbers, 0)
    return _fixed_strings(_text_bytes(prefix, n), _digit_bytes(values, width))


def _take(vocab: pa.Array, idx: IntArray, null: BoolArray | None = None) -> pa.Array:
    """Rows of ``vocab`` by index; null where ``null``."""
    return pc.take(vocab, pa.array(idx, type=pa.int64(), mask=null))


def _dates(days: IntArray, null: BoolArray | None = None) -> pa.Array:
    """Day numbers as ``date32``."""
    return pa.array(np.asarray(days, dtype=np.int64).astype("datetime64[D]"), type=pa.date32(), mask=null)


def _times(local_seconds: IntArray, null: BoolArray | None = None) -> pa.Array:
    """Kazakhstan local seconds since 1970 as instants in ``+05:00``."""
    return pa.array(np.asarray(local_seconds, dtype=np.int64) - KZ_OFFSET_S, type=TIMESTAMP, mask=null)


def _choice(values: Sequence[str], idx: IntArray) -> pa.Array:
    """A string column from a small vocabulary and an index per row."""
    return _take(pa.array(list(values), pa.string()), idx)


# --- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SynthFeeds:
    """Four feeds (columns of :mod:`koshi.registry.schema`) and the ground truth behind them.

    Truth tables:

    - ``persons``: ``person_id``, names (Latin MRZ form and Cyrillic where there is one),
      nationality (ISO alpha-3), birth date, sex, IIN, segment, naming tradition, region;
    - ``documents``: every travel document of every person;
    - ``stays``: every real stay (``exit_at`` null while still in the country on 31
      December), with the border event ids of its entry and exit (``exit_event_id`` null
      when the exit was dropped from the feed: ``exit_dropped``);
    - ``records``: ``feed``, ``record_id``, ``person_id``, ``stay_id`` for every feed row;
    - ``injected``: ``overstay`` rows (days, lawful last day, the limit broken) and
      ``dropped_exit`` rows;
    - ``corruptions`` (only when generated with ``corruption``): ``feed``, ``record_id``,
      ``person_id``, one boolean per kind of :data:`koshi.synth.corrupt.KINDS`, and
      ``true_doc_number`` where the document number was mistyped; one row per corrupted record.
    """

    year: int
    seed: int
    authorizations: pa.Table
    border_events: pa.Table
    registrations: pa.Table
    permits: pa.Table
    persons: pa.Table
    documents: pa.Table
    stays: pa.Table
    records: pa.Table
    injected: pa.Table
    corruptions: pa.Table | None = None

    def feeds(self) -> dict[FeedKind, pa.Table]:
        """The four feeds by kind."""
        return {
            FeedKind.AUTHORIZATIONS: self.authorizations,
            FeedKind.BORDER_EVENTS: self.border_events,
            FeedKind.REGISTRATIONS: self.registrations,
            FeedKind.PERMITS: self.permits,
        }

    def known_on(self, day: dt.date) -> SynthFeeds:
        """The feeds as the sending systems would have sent them by the end of ``day`` (Kazakhstan time).

        Records made later are dropped (crossings, filed applications, registrations, issued
        permits); the truth is kept whole, so a demo can run on a year up to today.
        """
        end = pa.scalar(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), KZ_TZ), TIMESTAMP)
        last = pa.scalar(day, pa.date32())
        return dataclasses.replace(
            self,
            authorizations=self.authorizations.filter(pc.less(self.authorizations["applied_at"], end)),
            border_events=self.border_events.filter(pc.less(self.border_events["occurred_at"], end)),
            registrations=self.registrations.filter(pc.less_equal(self.registrations["registered_on"], last)),
            permits=self.permits.filter(pc.less_equal(self.permits["issued_on"], last)),
        )

    def truth(self) -> dict[str, pa.Table]:
        """The ground-truth tables by name (``corruptions`` only for corrupted feeds)."""
        tables = {
            "persons": self.persons,
            "documents": self.documents,
            "stays": self.stays,
            "records": self.records,
            "injected": self.injected,
        }
        if self.corruptions is not None:
            tables["corruptions"] = self.corruptions
        return tables

    def summary(self) -> dict[str, int]:
        """Counts for a report: rows per feed, people, stays, injected overstays, dropped exits."""
        kinds = self.injected.column("kind")
        counts = {
            **{k.value: t.num_rows for k, t in self.feeds().items()},
            "people": self.persons.num_rows,
            "stays": self.stays.num_rows,
            "injected_overstays": pc.sum(pc.equal(kinds, "overstay")).as_py() or 0,
            "dropped_exits": pc.sum(pc.equal(kinds, "dropped_exit")).as_py() or 0,
        }
        if self.corruptions is not None:
            counts["corrupted_records"] = self.corruptions.num_rows
        return counts


# --- people --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _People:
    """Everyone, column-wise: index arrays into the tables above, and the names."""

    n: int
    origin: IntArray
    segment: IntArray
    regime: IntArray
    per_entry: IntArray  # days per entry (0: none, EAEU and visa nationals)
    male: BoolArray
    birth: IntArray  # day numbers
    region: IntArray  # index into REGIONS
    home_group: IntArray  # index into CROSSING_GROUPS
    has_iin: BoolArray
    tradition: IntArray
    count_u: FloatArray  # uniform behind the number of trips (kept apart for calibration)
    surname: pa.Array
    given_names: pa.Array
    surname_cyr: pa.Array
    given_cyr: pa.Array
    surname_code: IntArray  # index into surname_vocab
    given_code: IntArray  # index into given_vocab, -1: no given names
    surname_vocab: pa.Array
    given_vocab: pa.Array

    def slice(self, n: int) -> _People:
        """The first ``n`` people (calibration runs on a sample)."""
        arrays: dict[str, Any] = {
            name: getattr(self, name)[:n]
            for name in (
                "origin", "segment", "regime", "per_entry", "male", "birth", "region", "home_group", "has_iin",
                "tradition", "count_u", "surname_code", "given_code",
            )
        }  # fmt: skip
        texts = {
            name: getattr(self, name).slice(0, n) for name in ("surname", "given_names", "surname_cyr", "given_cyr")
        }
        return _People(n=n, **arrays, **texts, surname_vocab=self.surname_vocab, given_vocab=self.given_vocab)


def _encode(values: pa.Array) -> tuple[IntArray, pa.Array]:
    """Codes (-1 for null) into the distinct values: rows are then built from a small, cache-friendly vocabulary."""
    enc = pc.dictionary_encode(values)
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    return codes, enc.dictionary


TRADITION_KEYS = tuple(TRADITIONS)


@dataclass(frozen=True, slots=True)
class _NameIndex:
    """Every tradition's names in one flat vocabulary, in groups (tradition, sex, kind) with alias tables.

    Walker's alias method draws a name of group ``g`` in constant time from one uniform:
    slot ``start[g] + k`` (``k`` uniform below ``size[g]``) keeps its own name with
    probability ``prob`` and otherwise gives its ``alias``; the shares are exactly the names'.
    """

    latin: pa.Array
    cyrillic: pa.Array
    prob: FloatArray
    alias: IntArray  # index into the vocabulary
    start: IntArray  # per group
    size: IntArray
    given: IntArray  # (tradition, sex) → group
    family: IntArray
    patronym: IntArray  # the fathers' names + UULU / KYZY (-ULY / -KYZY); the family group where there are none


def _alias_table(shares: FloatArray) -> tuple[FloatArray, IntArray]:
    """Vose's alias table for ``shares`` (which sum to 1): per slot, the probability of keeping it and its alias."""
    n = len(shares)
    scaled = (np.asarray(shares, dtype=np.float64) * n).tolist()
    prob, alias = [1.0] * n, list(range(n))
    small = [i for i, x in enumerate(scaled) if x < 1.0]
    large = [i for i, x in enumerate(scaled) if x >= 1.0]
    while small and large:
        s, big = small.pop(), large.pop()
        prob[s], alias[s] = scaled[s], big
        scaled[big] += scaled[s] - 1.0
        (small if scaled[big] < 1.0 else large).append(big)
    return np.array(prob, np.float64), np.array(alias, np.int64)


@functools.cache
def _name_index() -> _NameIndex:
    """Flatten every tradition's :func:`~koshi.synth.names.vocabulary`: names are drawn by index for millions."""
    latin: list[str] = []
    cyr: list[str | None] = []
    probs: list[FloatArray] = []
    aliases: list[IntArray] = []
    starts: list[int] = []
    shape = (len(TRADITION_KEYS), 2)
    given, family, patronym = (np.zeros(shape, np.int64) for _ in range(3))

    def add(group: Ranked) -> int:
        start = len(latin)
        for lat, c in group.names:
            latin.append(lat)
            cyr.append(c)
        prob, alias = _alias_table(group.shares)
        probs.append(prob)
        aliases.append(start + alias)
        starts.append(start)
        return len(starts) - 1

    for t, key in enumerate(TRADITION_KEYS):
        vocab = vocabulary(key)
        for s, sex in enumerate(("F", "M")):  # sex index 0 = female, 1 = male
            given[t, s] = add(vocab.given[sex])
            family[t, s] = add(vocab.surnames[sex])
            fathers = vocab.patronymics.get(sex)
            patronym[t, s] = add(fathers) if fathers is not None else family[t, s]
    return _NameIndex(
        pa.array(latin, pa.string()),
        pa.array(cyr, pa.string()),
        np.concatenate(probs),
        np.concatenate(aliases),
        np.array(starts, np.int64),
        np.asarray(np.diff(np.array([*starts, len(latin)], np.int64)), dtype=np.int64),
        given,
        family,
        patronym,
    )


def _draw_names(index: _NameIndex, group: IntArray, u: FloatArray) -> IntArray:
    """One name per row from its ``group``, by frequency (``u`` uniform in [0, 1)): indices into the vocabulary.

    ``u`` gives both the slot (its scaled integer part) and the coin (the fraction left).
    """
    size = index.size[group]
    scaled = u * size
    k = np.minimum(scaled.astype(np.int64), size - 1)
    slot = index.start[group] + k
    return np.asarray(np.where(scaled - k < index.prob[slot], slot, index.alias[slot]), dtype=np.int64)


def _origin_cdfs(attr: str, keys: Sequence[str]) -> FloatArray:
    """Per nationality, the distribution over ``keys`` written in its ``attr`` (``"a:3 b:1"``)."""
    return np.stack([_cdf(_weights(getattr(o, attr), keys)) for o in ORIGINS])


def _people(rng: np.random.Generator, n: int, year: int, rules: stay.StayPolicy) -> _People:
    """Who travels: nationality, segment, age, sex, region, names; regimes read from the stay rules."""
    origin = _pick(_cdf([o.weight for o in ORIGINS]), rng.random(n))
    profiles = tuple(SEGMENT_PROFILES)
    seg_cdf = np.stack([_cdf(_weights(SEGMENT_PROFILES[p], SEGMENTS)) for p in profiles])
    profile_of = np.array([profiles.index(o.segments) for o in ORIGINS])
    segment = _pick_grouped(seg_cdf, profile_of[origin], rng.random(n))
    regime_of = np.array([REGIMES.index(rules.regime(o.iso3)) for o in ORIGINS])
    per_entry_of = np.array([rules.per_entry_days(o.iso3) or 0 for o in ORIGINS])
    regime = regime_of[origin]
    per_entry = per_entry_of[origin]
    visiting = segment < PRESENCE_FROM
    segment = np.where(visiting & (regime == VISA), VISA_VISITOR, segment)
    segment = np.where((segment == EAEU_LONG) & (regime != EAEU), VISITOR, segment)

    male = rng.random(n) < np.array(P_MALE)[segment]
    birth = np.zeros(n, dtype=np.int64)
    mid_year = day_number(dt.date(year, 7, 1))
    u_band, u_age, u_day = rng.random(n), rng.random(n), rng.random(n)
    for seg, bands in AGE_BANDS.items():
        rows = segment == seg
        band = _pick(_cdf([w for _, _, w in bands]), u_band[rows])
        lo = np.array([b[0] for b in bands])[band]
        hi = np.array([b[1] for b in bands])[band]
        age = lo + np.floor(u_age[rows] * (hi - lo + 1)).astype(np.int64)
        birth[rows] = mid_year - np.round(age * 365.25).astype(np.int64) - np.floor(u_day[rows] * 365).astype(np.int64)
    birth = np.minimum(birth, day_number(dt.date(year - 1, 1, 1)) - 1)  # born before anything in the feeds

    region_keys = tuple(REGION_PROFILES)
    slugs = [r.slug for r in REGIONS]
    region_cdf = np.stack([_cdf([REGION_PROFILES[k].get(s, 0.0) for s in slugs]) for k in region_keys])
    region = _pick_grouped(region_cdf, np.array([region_keys.index(o.regions) for o in ORIGINS])[origin], rng.random(n))
    home_group = _pick_grouped(_origin_cdfs("crossings", CROSSING_GROUPS), origin, rng.random(n))
    has_iin = (segment >= PRESENCE_FROM) | (rng.random(n) < 0.02)

    tradition = _pick_grouped(_origin_cdfs("traditions", TRADITION_KEYS), origin, rng.random(n))
    surname, given, surname_cyr, given_cyr = _names(rng, tradition, male)
    surname_code, surname_vocab = _encode(surname)
    given_code, given_vocab = _encode(given)
    return _People(
        n=n,
        origin=origin,
        segment=segment,
        regime=regime,
        per_entry=per_entry,
        male=male,
        birth=birth,
        region=region,
        home_group=home_group,
        has_iin=has_iin,
        tradition=tradition,
        count_u=rng.random(n),
        surname=surname,
        given_names=given,
        surname_cyr=surname_cyr,
        given_cyr=given_cyr,
        surname_code=surname_code,
        given_code=given_code,
        surname_vocab=surname_vocab,
        given_vocab=given_vocab,
    )


def _names(
    rng: np.random.Generator, tradition: IntArray, male: BoolArray
) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """Surname and given names, Latin and Cyrillic, by tradition and sex, each name drawn by its frequency."""
    n = len(tradition)
    idx = _name_index()
    sex = male.astype(np.int64)
    trs = [TRADITIONS[k] for k in TRADITION_KEYS]
    second = rng.random(n) < np.array([t.second_given for t in trs])[tradition]
    single = rng.random(n) < np.array([t.single_name for t in trs])[tradition]
    patronymic = rng.random(n) < np.array([t.patronymic for t in trs])[tradition]
    g1 = _draw_names(idx, idx.given[tradition, sex], rng.random(n))
    g2 = _draw_names(idx, idx.given[tradition, sex], rng.random(n))
    second &= g2 != g1
    family = _draw_names(idx, idx.family[tradition, sex], rng.random(n))
    father = _draw_names(idx, idx.patronym[tradition, sex], rng.random(n))
    family = np.where(patronymic, father, family)

    surname = _take(idx.latin, family)
    surname_cyr = _take(idx.cyrillic, family)
    first = _take(idx.latin, g1, single)
    # not null_handling="skip": pyarrow 26 drops the rows where every input is null
    both = pc.binary_join_element_wise(first, _take(idx.latin, g2), " ")
    given = pc.if_else(pa.array(second & ~single), both, first)
    given_cyr = _take(idx.cyrillic, g1, single | second)  # the Cyrillic traditions have one given name
    return surname, given, surname_cyr, given_cyr


# --- permits -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Permits:
    """Permit rows (one person may have several: renewals, a TRP before permanent residence, annulments)."""

    person: IntArray
    kind: IntArray
    valid_from: IntArray
    valid_to: IntArray  # NO_END: none
    issued_on: IntArray
    status: IntArray  # index into PERMIT_STATUSES
    revoked_on: IntArray  # -1: none
    # per person: the days a permit covers, end exclusive of a revocation (NO_END: open)
    cover_from: IntArray
    cover_to: IntArray

    def rows(self, idx: IntArray | BoolArray, people: int | None = None) -> _Permits:
        """The permit rows ``idx`` (and the covers of the first ``people`` people, default all)."""
        return _Permits(
            self.person[idx],
            self.kind[idx],
            self.valid_from[idx],
            self.valid_to[idx],
            self.issued_on[idx],
            self.status[idx],
            self.revoked_on[idx],
            self.cover_from[:people],
            self.cover_to[:people],
        )


def _permits(rng: np.random.Generator, p: _People, year: int) -> _Permits:
    """Permits of the permit segments, chained so that one unbroken cover runs through the person's stay."""
    y0, ye = day_number(dt.date(year, 1, 1)), day_number(dt.date(year, 12, 31))
    holders = np.flatnonzero(p.segment >= PRESENCE_FROM)
    m = len(holders)
    seg = p.segment[holders]
    regime = p.regime[holders]
    iso = np.array([o.iso3 for o in ORIGINS])[p.origin[holders]]
    household_nat = np.isin(iso, ["UZB", "TJK", "AZE"])
    west_nat = np.isin(iso, ["DEU", "USA", "GBR", "FRA", "ITA", "JPN", "KOR", "TUR", "CHN", "IND"])

    kind1 = np.full(m, WORK, dtype=np.int64)
    start1 = np.zeros(m, dtype=np.int64)
    dur1 = np.full(m, 365, dtype=np.int64)
    kind2 = np.full(m, -1, dtype=np.int64)  # a second permit continuing the first (renewal or next kind)
    dur2 = np.zeros(m, dtype=np.int64)

    # workers: EAEU citizens get a TRP for their contract; household labour permits 1-12 months; others a year
    worker = seg == WORKER
    household = worker & household_nat & (rng.random(m) < 0.6)
    kind1 = np.where(worker & (regime == EAEU), TRP, kind1)
    dur1 = np.where(household, 30 * _uniform_int(rng, 1, 12, m), dur1)
    dur1 = np.where(worker & (regime == EAEU), _uniform_int(rng, 180, 365, m), dur1)
    dur1 = np.where(worker & ~household & (regime != EAEU) & (rng.random(m) < 0.1), 730, dur1)
    start1 = np.where(worker, _uniform_int(rng, y0 - 330, ye - 60, m), start1)
    renew = worker & ((start1 + dur1 - 1 < y0 + 60) | ((start1 + dur1 - 1 <= ye) & (rng.random(m) < 0.5)))
    kind2 = np.where(renew, kind1, kind2)
    dur2 = np.where(renew, np.maximum(_uniform_int(rng, 180, 365, m), y0 + 60 - (start1 + dur1 - 1)), dur2)

    # residents: permanent residence for years (or a long-stay visa), some obtained this year after a TRP
    resident = seg == RESIDENT
    long_stay = resident & west_nat & (rng.random(m) < 0.3)
    new_pr = resident & ~long_stay & (rng.random(m) < 0.08)
    old_pr = resident & ~long_stay & ~new_pr
    kind1 = np.where(long_stay, LONG_STAY, np.where(new_pr, TRP, np.where(old_pr, PR, kind1)))
    pr_day = _uniform_int(rng, y0 + 30, ye - 30, m)
    start1 = np.where(old_pr, _uniform_int(rng, y0 - 3650, y0 - 60, m), start1)
    start1 = np.where(new_pr, pr_day - 365, start1)
    start1 = np.where(long_stay, _uniform_int(rng, y0 - 700, y0 + 60, m), start1)
    dur1 = np.where(old_pr, NO_END, dur1)
    dur1 = np.where(new_pr, 365, dur1)
    dur1 = np.where(long_stay, np.maximum(365 * _uniform_int(rng, 1, 5, m), y0 + 90 - start1), dur1)
    kind2 = np.where(new_pr, PR, kind2)
    dur2 = np.where(new_pr, NO_END, dur2)

    # students: academic years from 25 August; continuing, graduating or new
    student = seg == STUDENT
    aug_prev = day_number(dt.date(year - 1, 8, 25))
    aug_this = day_number(dt.date(year, 8, 25))
    u = rng.random(m)
    new_student = student & (u < 0.15)
    graduating = student & (u >= 0.15) & (u < 0.40)
    kind1 = np.where(student, STUDY, kind1)
    start1 = np.where(student, np.where(new_student, aug_this, aug_prev), start1)
    dur1 = np.where(student, aug_this - aug_prev, dur1)
    continuing = student & ~new_student & ~graduating
    kind2 = np.where(continuing, STUDY, kind2)
    dur2 = np.where(continuing, day_number(dt.date(year + 1, 8, 25)) - aug_this, dur2)

    birth = p.birth[holders]
    start1 = np.maximum(start1, birth + 60)  # nobody gets a permit before birth
    end1 = np.where(dur1 >= NO_END, NO_END, start1 + dur1 - 1)
    has2 = kind2 >= 0
    start2 = end1 + 1
    end2 = np.where(dur2 >= NO_END, NO_END, start2 + dur2 - 1)

    # 1% of workers lose the permit running in the year; they leave the day before
    last_from = np.where(has2, start2, start1)
    last_to = np.where(has2, end2, end1)
    lo = np.maximum(last_from, y0) + 10
    hi = np.minimum(last_to, ye) - 1
    revoked = worker & (rng.random(m) < 0.01) & (hi > lo)
    revoked_on = np.where(revoked, _uniform_int(rng, lo, np.maximum(hi, lo), m), -1)
    cover_from = start1
    cover_to = np.where(revoked, revoked_on - 1, np.where(has2, end2, end1))

    issued1 = np.where(kind1 == PR, start1, start1 - _uniform_int(rng, 0, 20, m))
    issued1 = np.maximum(issued1, birth + 30)
    issued2 = np.where(kind2 == PR, start2, start2 - _uniform_int(rng, 1, 15, m))

    # 0.3% of holders had their first permit annulled (an error) and re-issued the same day
    annulled = rng.random(m) < 0.003
    annul_issued = issued1 - _uniform_int(rng, 1, 10, m)

    parts = [
        (
            np.ones(m, bool),
            kind1,
            start1,
            end1,
            issued1,
            np.where(revoked & ~has2, 1, 0),
            np.where(~has2, revoked_on, -1),
        ),
        (has2, kind2, start2, end2, issued2, np.where(revoked, 1, 0), revoked_on),
        (annulled, kind1, start1, end1, annul_issued, np.full(m, 2), issued1),
    ]
    cols: list[list[IntArray]] = [[] for _ in range(7)]
    for mask, *values in parts:
        cols[0].append(holders[mask])
        for j, v in enumerate(values):
            cols[j + 1].append(np.asarray(v, dtype=np.int64)[mask])
    person, kind, vfrom, vto, issued, status, rev = (np.concatenate(c) for c in cols)
    full_from = np.full(p.n, NO_END, dtype=np.int64)
    full_to = np.full(p.n, -1, dtype=np.int64)
    full_from[holders] = cover_from
    full_to[holders] = cover_to
    return _Permits(person, kind, vfrom, vto, issued, status, rev, full_from, full_to)


# --- stays ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Stays:
    """Every stay overlapping the year, sorted by person then entry; days are day numbers."""

    person: IntArray
    entry: IntArray
    exit: IntArray  # the last day in the country (after 31 December when ``open``)
    planned: IntArray  # the exit the person planned (an overstayer's lawful last day)

    @property
    def size(self) -> int:
        return len(self.person)

    def take(self, keep: BoolArray | IntArray) -> _Stays:
        return _Stays(self.person[keep], self.entry[keep], self.exit[keep], self.planned[keep])


def _layout(
    start: IntArray,
    span: IntArray,
    n: IntArray,
    stay_fixed: IntArray,
    stay_w: FloatArray,
    gap_fixed: IntArray,
    gap_w: FloatArray,
    head_w: FloatArray,
) -> tuple[IntArray, IntArray]:
    """Entry day and length of every stay: per person ``head, stay, gap, stay, gap…`` laid end to end from ``start``.

    Each piece has a fixed length and a weight; the ``span`` left over is shared by
    weight (pieces of fixed length have weight 0). Arrays are per stay (the gap is the
    one after the stay), sorted by person.
    """
    first = np.cumsum(n) - n
    pid = np.repeat(np.arange(len(n)), n)
    slack = span - np.add.reduceat(stay_fixed + gap_fixed, first)
    total_w = head_w + np.add.reduceat(stay_w + gap_w, first)
    share = np.where(total_w > 0, slack / np.where(total_w > 0, total_w, 1.0), 0.0)
    per_stay = share[pid]
    stay_len = stay_fixed + np.floor(per_stay * stay_w).astype(np.int64)
    cycle = stay_len + gap_fixed + np.floor(per_stay * gap_w).astype(np.int64)
    ends = np.cumsum(cycle)
    head = np.floor(share * head_w).astype(np.int64)
    before = ends - cycle - (ends[first] - cycle[first])[pid]
    return start[pid] + head[pid] + before, stay_len


def _trip_counts(p: _People, scale: float, span: IntArray) -> IntArray:
    """Stays per person: a floor by segment plus ``scale`` × an exponential share (heavy-tailed, like travel)."""
    base = np.array([1, 2, 1, 1, 1, 1, 1, 1])[p.segment]
    rate = np.array([0.9, 9.0, 0.3, 0.0, 0.4, 0.0, 0.0, 0.0])[p.segment]
    extra = np.floor(scale * rate * -np.log1p(-p.count_u)).astype(np.int64)
    n = base + extra
    n = np.where(p.segment == VISA_VISITOR, np.minimum(n, 4), n)
    n = np.where(p.segment == EAEU_LONG, 1 + (p.count_u < 0.5), n)
    long_rule = p.segment == EAEU_LONG
    cap = np.where(long_rule, (span + 90) // 91, (span + 2) // 3)
    return np.asarray(np.maximum(1, np.minimum(n, cap)), dtype=np.int64)


def _stays(rng: np.random.Generator, p: _People, permits: _Permits, year: int, scale: float) -> _Stays:
    """Lay out every person's stays; only the ones overlapping the year are kept."""
    y0, ye = day_number(dt.date(year, 1, 1)), day_number(dt.date(year, 12, 31))
    n_people = p.n
    presence = p.segment >= PRESENCE_FROM

    # the stretch of time each person's stays are laid in
    t_start = y0 - np.where(presence, _uniform_int(rng, 0, 365, n_people), _uniform_int(rng, 0, 90, n_people))
    t_end = ye + _uniform_int(rng, 0, 60, n_people)
    before = np.select(
        [p.regime == VISA, p.regime == EAEU, p.per_entry == 14], [0, 20, 5], 7
    )  # days a permit holder may arrive before the permit starts
    pre = np.floor(rng.random(n_people) * (before + 1)).astype(np.int64)
    w_start = np.where(presence, np.maximum(t_start, permits.cover_from - pre), t_start)
    w_end = np.where(presence, np.minimum(t_end, np.where(permits.cover_to >= NO_END, t_end, permits.cover_to)), t_end)
    span = np.maximum(w_end - w_start + 1, 1)

    # visitors: counts scale with ``scale``; permit holders: stays between a few trips abroad
    absences = np.select(
        [p.segment == WORKER, p.segment == RESIDENT, p.segment == STUDENT],
        [rng.poisson(1.3, n_people), rng.poisson(2.5, n_people), 1 + rng.poisson(0.8, n_people)],
        0,
    )
    n = np.where(presence, np.minimum(1 + absences, 1 + (span - 1) // 2), _trip_counts(p, scale, span))
    n = np.asarray(np.maximum(n, 1), dtype=np.int64)
    total = int(n.sum())
    pid = np.repeat(np.arange(n_people), n)
    seg = p.segment[pid]
    last = np.zeros(total, dtype=bool)
    last[np.cumsum(n) - 1] = True

    # stay lengths (visitors) and absences abroad (permit holders), drawn per segment
    length = np.ones(total, dtype=np.int64)
    away = np.ones(total, dtype=np.int64)
    draws: dict[int, Callable[[int], IntArray]] = {
        VISITOR: lambda k: np.round(rng.lognormal(np.log(5.0), 0.75, k)).astype(np.int64),
        FREQUENT: lambda k: np.minimum(1 + rng.poisson(1.0, k), 6),
        EAEU_LONG: lambda k: _uniform_int(rng, 30, 90, k),
        VISA_VISITOR: lambda k: np.round(rng.lognormal(np.log(7.0), 0.6, k)).astype(np.int64),
    }
    away_draws: dict[int, Callable[[int], IntArray]] = {
        WORKER: lambda k: _uniform_int(rng, 7, 30, k),
        RESIDENT: lambda k: np.clip(np.round(rng.lognormal(np.log(12.0), 0.7, k)), 2, 60).astype(np.int64),
        STUDENT: lambda k: _uniform_int(rng, 10, 60, k),
    }
    for code, draw in draws.items():
        rows = np.flatnonzero(seg == code)
        length[rows] = np.maximum(draw(len(rows)), 1)
    for code, draw in away_draws.items():
        rows = np.flatnonzero(seg == code)
        away[rows] = draw(len(rows))
    cap = np.select([p.regime == EAEU, p.regime == VISA], [42, 30], p.per_entry)[pid]
    length = np.where(seg == EAEU_LONG, length, np.minimum(length, cap))
    presence_t = presence[pid]

    # shrink until everyone's pieces fit their span (stays of 1 day, absences of 1 day always do)
    rows = np.arange(total)
    for _ in range(40):
        r_seg, r_last, r_presence = seg[rows], last[rows], presence_t[rows]
        min_gap = np.where(r_seg == EAEU_LONG, 90, 2 * length[rows])
        fixed = np.where(r_presence, 1 + np.where(r_last, 0, away[rows]), length[rows] + np.where(r_last, 0, min_gap))
        need = np.bincount(pid[rows], weights=fixed, minlength=n_people)
        over = need > span
        rows = rows[over[pid[rows]]]
        if not len(rows):
            break
        length[rows] = np.where(presence_t[rows], length[rows], np.maximum(1, (length[rows] * 3) // 4))
        away[rows] = np.where(presence_t[rows], np.maximum(1, (away[rows] * 3) // 4), away[rows])
    min_gap = np.where(seg == EAEU_LONG, 90, 2 * length)
    weight = rng.exponential(1.0, total)
    entry, days = _layout(
        w_start,
        span,
        n,
        stay_fixed=np.where(presence_t, 1, length),
        stay_w=np.where(presence_t, weight, 0.0),
        gap_fixed=np.where(last, 0, np.where(presence_t, away, min_gap)),
        gap_w=np.where(presence_t, 0.0, rng.exponential(1.0, total)),
        head_w=np.where(presence, 0.0, rng.exponential(1.0, n_people)),
    )
    exit_day = entry + days - 1
    # a visitor whose stays all fell before or after the year travels within it instead
    inside = (exit_day >= y0) & (entry <= ye)
    outside = np.bincount(pid[inside], minlength=n_people) == 0
    first = np.cumsum(n) - n
    shift = np.where(outside, _uniform_int(rng, y0, ye - 30, n_people) - entry[first], 0)
    entry += shift[pid]
    exit_day += shift[pid]
    keep = (exit_day >= y0) & (entry <= ye)
    return _Stays(pid[keep], entry[keep], exit_day[keep], exit_day[keep].copy())


def _calibrate(
    seeds: tuple[np.random.SeedSequence, np.random.SeedSequence],
    p: _People,
    permits: _Permits,
    year: int,
    target: float,
    rates: tuple[float, float],
) -> float:
    """The trip scale giving ``target`` border events per person, found on a sample by the secant method.

    The sample goes through the same steps as everyone (overstays injected, ``rates[1]`` of exits lost).
    """
    sample = min(p.n, 100_000)
    sp = p.slice(sample)
    sub = permits.rows(permits.person < sample, sample)
    ye = day_number(dt.date(year, 12, 31))
    overstay_rate, dropped_rate = rates

    def rate(scale: float) -> float:
        stays = _stays(np.random.default_rng(seeds[0]), sp, sub, year, scale)
        stays, _ = _inject_overstays(np.random.default_rng(seeds[1]), sp, stays, year, overstay_rate)
        exits = np.count_nonzero(stays.exit <= ye)
        return (stays.size + exits * (1 - dropped_rate)) / sample

    a, fa = 0.0, rate(0.0) - target
    if fa >= 0:
        return 0.0
    b, fb = 1.0, rate(1.0) - target
    for _ in range(8):
        if abs(fb) <= 0.002 * target or fb == fa:
            break
        c = min(max(b - fb * (b - a) / (fb - fa), 0.0), 200.0)
        a, fa = b, fb
        b, fb = c, rate(c) - target
    return b


# --- anomalies -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Overstays:
    """The injected overstays: which stay, its lawful last day, the days beyond it, the limit broken."""

    stay: IntArray  # index into the final stays
    lawful_until: IntArray
    days: IntArray  # overstay days up to 31 December
    limit: IntArray  # 0 per_entry, 1 window, 2 no_visa


LIMITS = ("per_entry", "window", "no_visa")


def _inject_overstays(
    rng: np.random.Generator, p: _People, s: _Stays, year: int, rate: float
) -> tuple[_Stays, _Overstays]:
    """Stretch the last stay of ``rate`` × people visitors past its lawful end; clear the 180 days before it."""
    y0, ye = day_number(dt.date(year, 1, 1)), day_number(dt.date(year, 12, 31))
    lawful = np.select([p.regime == EAEU, p.regime == VISA], [90, 30], p.per_entry)
    eligible = np.isin(p.segment, [VISITOR, FREQUENT, EAEU_LONG, VISA_VISITOR]) & (lawful > 0)
    lmax = lawful[s.person]
    cand = np.flatnonzero(eligible[s.person] & (s.entry >= y0) & (s.entry <= ye - lmax))
    last_of_person = np.r_[s.person[cand][1:] != s.person[cand][:-1], True] if len(cand) else np.zeros(0, bool)
    cand = cand[last_of_person]
    k = min(round(rate * p.n), len(cand))
    chosen = np.sort(rng.choice(cand, size=k, replace=False)) if k else np.zeros(0, dtype=np.int64)
    band = _pick(_cdf([55, 25, 12, 8]), rng.random(k))
    lo = np.array([1, 6, 16, 46])[band]
    hi = np.array([5, 15, 45, 150])[band]
    d = _uniform_int(rng, lo, hi, k)

    person = s.person[chosen]
    entry = s.entry[chosen]
    lawful_until = entry + lmax[chosen] - 1
    chosen_of = np.full(p.n, -1, dtype=np.int64)
    chosen_of[person] = chosen
    entry_of = np.zeros(p.n, dtype=np.int64)
    entry_of[person] = entry
    idx = np.arange(s.size)
    mine = chosen_of[s.person]
    drop = (mine >= 0) & ((idx > mine) | ((idx < mine) & (s.exit >= entry_of[s.person] - 180)))
    exit_day = s.exit.copy()
    exit_day[chosen] = lawful_until + d
    planned = s.planned.copy()
    planned[chosen] = np.minimum(planned[chosen], lawful_until)
    out = _Stays(s.person, s.entry, exit_day, planned)
    keep = ~drop
    new_index = np.cumsum(keep) - 1
    regime = p.regime[person]
    limit = np.select([regime == EAEU, regime == VISA], [1, 2], 0)
    days = np.minimum(lawful_until + d, ye) - lawful_until
    return out.take(keep), _Overstays(new_index[chosen], lawful_until, days, limit)


# --- documents -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Documents:
    """Up to three documents per person: passport, renewed passport, identity card (slot -1 = none)."""

    doc_type: pa.Array
    doc_country: pa.Array
    doc_number: pa.Array
    doc_expiry: pa.Array
    is_card: BoolArray
    origin: IntArray
    expiry: IntArray
    no_expiry: BoolArray
    person: IntArray
    slot: IntArray  # 0 passport, 1 renewed passport, 2 identity card
    index: IntArray  # (people, 3): row of each person's document in these arrays, -1 if none
    renewed_on: IntArray  # per person: first day of the renewed passport (NO_END: never)
    has_id: BoolArray


def _documents(rng: np.random.Generator, p: _People, s: _Stays, year: int) -> _Documents:
    """Everyone's passport, the renewed passports and the EAEU identity cards, with distinct numbers."""
    ye = day_number(dt.date(year, 12, 31))
    n = p.n
    # 3% of visitors with two stays or more renew their passport between two of them
    first = np.r_[True, s.person[1:] != s.person[:-1]] if s.size else np.zeros(0, bool)
    renewing = (rng.random(n) < 0.03) & (p.segment < PRESENCE_FROM)
    later = np.flatnonzero(~first & renewing[s.person])  # stays after another stay of a renewing person
    later = later[np.lexsort((rng.random(len(later)), s.person[later]))]
    pick = later[np.r_[True, s.person[later][1:] != s.person[later][:-1]]] if len(later) else later
    gap_lo = s.exit[pick - 1] + 1
    gap_hi = np.maximum(s.entry[pick] - 1, gap_lo)
    renewed_on = np.full(n, NO_END, dtype=np.int64)
    renewed_on[s.person[pick]] = _uniform_int(rng, gap_lo, gap_hi, len(pick))
    renewed = renewed_on < NO_END

    eaeu_card = np.array([o.id_share for o in ORIGINS])[p.origin]
    has_id = (rng.random(n) < eaeu_card) & (p.segment < PRESENCE_FROM)

    slots = [np.arange(n), np.flatnonzero(renewed), np.flatnonzero(has_id)]
    person = np.concatenate(slots)
    slot = np.concatenate([np.full(len(x), j, dtype=np.int64) for j, x in enumerate(slots)])
    index = np.full((n, 3), -1, dtype=np.int64)
    index[person, slot] = np.arange(len(person))
    origin = p.origin[person]

    # expiry: passports valid past the year; a renewed one's predecessor expires soon after the renewal
    expiry = _uniform_int(rng, ye + 1, ye + 3650, len(person))
    old = (slot == 0) & renewed[person]
    expiry = np.where(old, renewed_on[person] + _uniform_int(rng, 0, 120, len(person)), expiry)
    expiry = np.where(slot == 1, renewed_on[person] + 3652, expiry)
    iso = np.array([o.iso3 for o in ORIGINS])
    no_expiry = (slot == 2) & (iso[origin] == "RUS")  # a Russian internal passport has no expiry date
    is_card = slot == 2

    parts: list[pa.Array] = []
    rows_in_parts: list[IntArray] = []
    for o_idx, o in enumerate(ORIGINS):
        for card in (False, True):
            fmt = o.id_card if card else o.passport
            rows = np.flatnonzero((origin == o_idx) & (is_card == card))
            if fmt is None or not len(rows):
                continue
            parts.append(_doc_numbers(rng, fmt, len(rows)))
            rows_in_parts.append(rows)
    where = np.empty(len(person), dtype=np.int64)
    where[np.concatenate(rows_in_parts)] = np.arange(len(person))
    numbers = pc.take(pa.concat_arrays(parts), pa.array(where))
    return _Documents(
        doc_type=_choice(("P", "ID"), is_card.astype(np.int64)),
        doc_country=_take(_ISSUERS, origin),
        doc_number=numbers,
        doc_expiry=_dates(expiry, no_expiry),
        is_card=is_card,
        origin=origin,
        expiry=expiry,
        no_expiry=no_expiry,
        person=person,
        slot=slot,
        index=index,
        renewed_on=renewed_on,
        has_id=has_id,
    )


def _unique_sorted(values: IntArray) -> IntArray:
    """``np.unique(values)`` by sorting (numpy 2's hash-based unique is several times slower here)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def _doc_numbers(rng: np.random.Generator, fmt: DocFormat, k: int) -> pa.Array:
    """``k`` distinct document numbers in ``fmt`` (the digits are distinct; prefixes vary on top)."""
    space = 10**fmt.digits
    if k > space // 2:
        raise ValueError(f"{k} documents do not fit numbers of {fmt.digits} digits")
    values = _unique_sorted(rng.integers(0, space, size=int(k * 1.05) + 8))
    while len(values) < k:
        values = _unique_sorted(np.concatenate([values, rng.integers(0, space, size=k)]))
    values = rng.permutation(values)[:k]
    width = len(fmt.prefixes[0])
    table = np.frombuffer("".join(fmt.prefixes).encode(), dtype=np.uint8).reshape(len(fmt.prefixes), width)
    prefix = table[np.floor(rng.random(k) * len(fmt.prefixes)).astype(np.int64)]
    return _fixed_strings(prefix, _digit_bytes(values, fmt.digits))


def _doc_at(d: _Documents, person: IntArray, day: IntArray, card: BoolArray | None = None) -> IntArray:
    """The document row a person uses on ``day``: the identity card where asked, else the passport then in use."""
    passport = np.where(day >= d.renewed_on[person], d.index[person, 1], d.index[person, 0])
    if card is None:
        return np.asarray(passport, dtype=np.int64)
    return np.asarray(np.where(card & (d.index[person, 2] >= 0), d.index[person, 2], passport), dtype=np.int64)


# --- identifiers ---------------------------------------------------------------------------------

_W1 = np.arange(1, 12, dtype=np.int64)
_W2 = np.array([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], dtype=np.int64)


def _check_digits(first11: IntArray) -> IntArray:
    """The IIN/BIN check digit of 11-digit numbers; -1 where none exists (never issued)."""
    c1 = np.zeros(len(first11), dtype=np.int64)
    c2 = np.zeros(len(first11), dtype=np.int64)
    rest = np.asarray(first11, dtype=np.int64).copy()
    for position in range(10, -1, -1):  # last digit first
        digit = rest % 10
        rest //= 10
        c1 += digit * _W1[position]
        c2 += digit * _W2[position]
    c1 %= 11
    c2 %= 11
    return np.asarray(np.where(c1 != 10, c1, np.where(c2 != 10, c2, -1)), dtype=np.int64)


def _unique_numbers(rng: np.random.Generator, head: IntArray, serial_digits: int) -> IntArray:
    """12-digit numbers ``head`` + a random serial + check digit, all distinct and all with a check digit."""
    k = len(head)
    space = 10**serial_digits
    serial = rng.integers(0, space, size=k)
    todo = np.ones(k, dtype=bool)
    first11 = np.zeros(k, dtype=np.int64)
    check = np.zeros(k, dtype=np.int64)
    for _ in range(100):
        first11 = head * space + serial
        check = _check_digits(first11)
        _, first_seen = np.unique(first11, return_index=True)
        dup = np.ones(k, dtype=bool)
        dup[first_seen] = False
        todo = (check < 0) | dup
        if not todo.any():
            break
        serial[todo] = rng.integers(0, space, size=int(todo.sum()))
    if todo.any():  # pragma: no cover - needs more people than serials
        raise ValueError("too many identification numbers for one birth date")
    return np.asarray(first11 * 10 + check, dtype=np.int64)


def _iins(rng: np.random.Generator, birth: IntArray, male: BoolArray) -> pa.Array:
    """Valid IINs: birth date YYMMDD, century and sex digit, 4-digit serial, check digit; all distinct."""
    d = birth.astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = (d.astype("datetime64[M]").astype(np.int64) % 12) + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    century = np.where(year >= 2000, 5, 3) + (~male).astype(np.int64)
    head = ((year % 100) * 10_000 + month * 100 + day) * 10 + century
    return _fixed_strings(_digit_bytes(_unique_numbers(rng, head, 4), 12))


def _bins(rng: np.random.Generator, k: int) -> pa.Array:
    """Valid BINs of resident legal entities: registration YYMM, type 4, attribute 0-2, serial, check digit."""
    yy = _uniform_int(rng, 95, 125, k) % 100
    mm = _uniform_int(rng, 1, 12, k)
    attribute = _pick(_cdf([85, 10, 5]), rng.random(k))
    head = (yy * 100 + mm) * 100 + 40 + attribute
    return _fixed_strings(_digit_bytes(_unique_numbers(rng, head, 5), 12))


# --- hosts ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Hosts:
    """Hosts by region: individuals (IIN) first, then legal entities (BIN)."""

    host_id: pa.Array
    address: pa.Array
    kind: IntArray  # 0 individual, 1 legal entity
    region: IntArray
    offset: IntArray  # (2, regions): first host of each kind in each region
    count: IntArray


def host_counts(n_people: int) -> tuple[int, int]:
    """How many individual hosts and legal entities receive ``n_people`` travellers."""
    return max(20 * len(REGIONS), n_people // 12), max(5 * len(REGIONS), n_people // 120)


def _hosts(rng: np.random.Generator, n_people: int, host_iins: pa.Array) -> _Hosts:
    """Private hosts and legal entities (hotels, employers, universities) across the regions, with addresses."""
    n_regions = len(REGIONS)
    individuals, entities = host_counts(n_people)
    weights = _cdf(
        [REGION_PROFILES["north"].get(r.slug, 0) + REGION_PROFILES["south"].get(r.slug, 0) + 1 for r in REGIONS]
    )
    kind = np.r_[np.zeros(individuals, np.int64), np.ones(entities, np.int64)]
    region = _pick(weights, rng.random(len(kind)))
    order = np.lexsort((region, kind))
    kind, region = kind[order], region[order]
    ids = pa.concat_arrays([host_iins, _bins(rng, entities)])
    n = len(kind)
    centre = _take(pa.array([r.centre for r in REGIONS]), region)
    street = _take(pa.array(STREETS), np.floor(rng.random(n) * len(STREETS)).astype(np.int64))
    house = pc.cast(pa.array(_uniform_int(rng, 1, 250, n)), pa.string())
    apt = pc.cast(pa.array(_uniform_int(rng, 1, 180, n)), pa.string())
    flat = pc.binary_join_element_wise(pa.scalar("apt"), apt, " ")
    building = pc.binary_join_element_wise(centre, pc.binary_join_element_wise(street, house, " "), ", ")
    address = pc.if_else(pa.array(kind == 0), pc.binary_join_element_wise(building, flat, ", "), building)
    offset = np.zeros((2, n_regions), dtype=np.int64)
    count = np.zeros((2, n_regions), dtype=np.int64)
    for k in (0, 1):
        counts = np.bincount(region[kind == k], minlength=n_regions)
        count[k] = counts
        offset[k] = (0 if k == 0 else individuals) + np.cumsum(counts) - counts
    # regions without a host of a kind borrow the first host of that kind
    empty = count == 0
    offset[empty] = np.broadcast_to(np.array([[0], [individuals]]), offset.shape)[empty]
    count[empty] = 1
    return _Hosts(ids, address, kind, region, offset, count)


# --- feed tables ---------------------------------------------------------------------------------


_CODES = pa.array([pt.code for pt in CROSSING_POINTS], pa.string())
TRANSPORTS = ("air", "road", "rail", "sea", "pedestrian")
_TRANSPORT_OF = np.array([TRANSPORTS.index(pt.transport) for pt in CROSSING_POINTS])


def _traveller(p: _People, d: _Documents, person: IntArray, doc: IntArray, iin: pa.Array | None) -> dict[str, pa.Array]:
    """The traveller columns of a feed, for rows of ``person`` travelling on document row ``doc``."""
    n = len(person)
    given = p.given_code[person]
    return {
        "doc_type": _choice(("P", "ID"), d.is_card[doc].astype(np.int64)),
        "doc_country": _take(_ISSUERS, d.origin[doc]),
        "doc_number": _take(d.doc_number, doc),
        "doc_expiry": _dates(d.expiry[doc], d.no_expiry[doc]),
        "nationality": _take(_DOC_NATIONALITY, p.origin[person]),
        "surname": _take(p.surname_vocab, p.surname_code[person]),
        "given_names": _take(p.given_vocab, np.maximum(given, 0), given < 0),
        "birth_date": _dates(p.birth[person]),
        "sex": _choice(("F", "M"), p.male[person].astype(np.int64)),
        "iin": _take(iin, person, ~p.has_iin[person]) if iin is not None else pa.nulls(n, pa.string()),
    }


def _feed_table(kind: FeedKind, columns: Mapping[str, pa.Array]) -> pa.Table:
    """The columns in the feed's order (:data:`koshi.registry.schema.FEEDS`)."""
    return pa.table({c.name: columns[c.name] for c in FEEDS[kind]})


@dataclass(slots=True)
class _Built:
    """A feed table and, per row, the true person and stay (index; -1 when none) behind it."""

    table: pa.Table
    person: IntArray
    stay: IntArray  # -1: none


def _numbered(kind: FeedKind, prefix: str, columns: dict[str, pa.Array]) -> pa.Table:
    """The feed table of ``columns`` (rows already in time order), record ids numbered in that order."""
    n = len(next(iter(columns.values())))
    return _feed_table(kind, {**columns, RECORD_ID[kind]: record_ids(prefix, n)})


def _crossings(rng: np.random.Generator, p: _People, person: IntArray) -> tuple[IntArray, IntArray]:
    """Entry and exit crossing point of each stay: mostly the person's usual group, often the same point."""
    k = len(person)
    groups = np.array([CROSSING_GROUPS.index(pt.group) for pt in CROSSING_POINTS])
    within = np.stack(
        [_cdf(np.where(groups == g, [pt.weight for pt in CROSSING_POINTS], 0.0)) for g in range(len(CROSSING_GROUPS))]
    )
    group_cdf = _origin_cdfs("crossings", CROSSING_GROUPS)
    group = p.home_group[person]
    elsewhere = np.flatnonzero(rng.random(k) < 0.2)
    group[elsewhere] = _pick_grouped(group_cdf, p.origin[person[elsewhere]], rng.random(len(elsewhere)))
    entry_point = _pick_grouped(within, group, rng.random(k))
    exit_point = entry_point.copy()
    other = np.flatnonzero(rng.random(k) < 0.3)
    other_group = _pick_grouped(group_cdf, p.origin[person[other]], rng.random(len(other)))
    exit_point[other] = _pick_grouped(within, other_group, rng.random(len(other)))
    return entry_point, exit_point


def _clock(rng: np.random.Generator, point: IntArray) -> IntArray:
    """Seconds after midnight: airports around the clock (many night flights), land points 07:00-21:00."""
    air = np.array([pt.transport == "air" for pt in CROSSING_POINTS])[point]
    k = len(point)
    night = rng.random(k) < 0.4
    air_s = np.where(night, rng.random(k) * 6 * 3600, 6 * 3600 + rng.random(k) * 18 * 3600)
    land_s = 7 * 3600 + rng.random(k) * 14 * 3600
    return np.asarray(np.where(air, air_s, land_s), dtype=np.int64)


@dataclass(slots=True)
class _Border:
    """The border events feed and what the truth needs per stay: times, event ids, the document used."""

    built: _Built
    entry_seconds: IntArray  # per stay, local
    exit_seconds: IntArray
    entry_event: pa.Array  # per stay, event id
    exit_event: pa.Array  # per stay, event id or null (open or dropped)
    doc: IntArray  # per stay


def _border_events(
    rng: np.random.Generator, p: _People, d: _Documents, s: _Stays, dropped: BoolArray, year: int
) -> _Border:
    """An entry for every stay and an exit for every stay that ended in the year (except the dropped ones).

    A stay crosses on one document (an EAEU identity card at land borders, 75% of the
    time, else the passport in use); events are ordered by time and numbered in that order.
    """
    ye = day_number(dt.date(year, 12, 31))
    k = s.size
    entry_point, exit_point = _crossings(rng, p, s.person)
    land = np.array([pt.group in LAND_GROUPS for pt in CROSSING_POINTS])
    card = land[entry_point] & (rng.random(k) < 0.75)
    doc = _doc_at(d, s.person, s.entry, card)
    t_in = _clock(rng, entry_point)
    t_out = _clock(rng, exit_point)
    same_day = s.entry == s.exit
    lo, hi = np.minimum(t_in, t_out), np.maximum(t_in, t_out)
    t_in = np.where(same_day, lo, t_in)
    t_out = np.where(same_day, np.maximum(hi, lo + 600), t_out)
    t_out = np.minimum(t_out, DAY_S - 1)
    t_in = np.where(same_day, np.minimum(t_in, t_out - 1), t_in)
    entry_s = s.entry * DAY_S + t_in
    exit_s = s.exit * DAY_S + t_out

    has_exit = (s.exit <= ye) & ~dropped
    rows_stay = np.r_[np.arange(k), np.flatnonzero(has_exit)]
    is_exit = np.r_[np.zeros(k, bool), np.ones(int(has_exit.sum()), bool)]
    when = np.where(is_exit, exit_s[rows_stay], entry_s[rows_stay])
    stay_bits = max(int(k).bit_length(), 1)
    key = ((when - when.min()) << (stay_bits + 1)) | (rows_stay << 1) | is_exit if k else when
    order = np.argsort(key)  # keys are unique: any sort gives this order
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    rows_stay, is_exit, when = rows_stay[order], is_exit[order], when[order]
    point = np.where(is_exit, exit_point[rows_stay], entry_point[rows_stay])
    person = s.person[rows_stay]
    ped = np.array([pt.pedestrians for pt in CROSSING_POINTS])[point]
    transport = np.where(rng.random(len(point)) < ped, TRANSPORTS.index("pedestrian"), _TRANSPORT_OF[point])
    cols = {
        **_traveller(p, d, person, doc[rows_stay], None),
        "crossing_point": _take(_CODES, point),
        "direction": _choice(("entry", "exit"), is_exit.astype(np.int64)),
        "occurred_at": _times(when),
        "transport": _choice(TRANSPORTS, transport),
    }
    prefix = f"BE-{year}-"
    table = _numbered(FeedKind.BORDER_EVENTS, prefix, cols)
    entry_event = record_ids(prefix, k, numbers=position[:k] + 1)
    exit_pos = np.full(k, -1, dtype=np.int64)
    exit_pos[has_exit] = position[k:]
    exit_event = pc.if_else(
        pa.array(exit_pos >= 0), record_ids(prefix, k, numbers=exit_pos + 1), pa.scalar(None, pa.string())
    )
    return _Border(_Built(table, person, rows_stay), entry_s, exit_s, entry_event, exit_event, doc)


def _authorizations(
    rng: np.random.Generator,
    p: _People,
    d: _Documents,
    s: _Stays,
    b: _Border,
    overstay_stays: IntArray,
    year: int,
    eta_share: float,
) -> _Built:
    """QazETA: ETAs of visa-free travellers (pilot from 2026) and e-visas of visa nationals."""
    ye = day_number(dt.date(year, 12, 31))
    pilot = day_number(ETA_PILOT_START)
    region_kato = pa.array([r.kato for r in REGIONS], pa.string())
    purposes_cdf = {seg: _cdf(_weights(spec, _PURPOSE_KEYS)) for seg, spec in PURPOSES.items()}

    # ETA: adopters' trips at least 3 days after the pilot start, one application per 175 days of travel
    visiting = p.segment < PRESENCE_FROM
    adopter = visiting & (p.regime != VISA) & (rng.random(p.n) < eta_share)
    trip = np.flatnonzero(adopter[s.person] & (s.entry >= pilot + 3))
    person = s.person[trip]
    first = np.r_[True, person[1:] != person[:-1]] if len(trip) else np.zeros(0, bool)
    first_entry = (
        np.maximum.accumulate(np.where(first, np.arange(len(trip)), 0)) if len(trip) else np.zeros(0, np.int64)
    )
    bucket = (s.entry[trip] - s.entry[trip][first_entry]) // 175
    new_bucket = first | np.r_[True, bucket[1:] != bucket[:-1]] if len(trip) else first
    eta_stay = trip[new_bucket]
    m = len(eta_stay)
    entry_s = b.entry_seconds[eta_stay]
    applied = np.maximum(entry_s - (72 * 3600 + np.floor(rng.random(m) * 27 * DAY_S)).astype(np.int64), pilot * DAY_S)
    decided = applied + (300 + np.floor(rng.random(m) * 47.9 * 3600)).astype(np.int64)
    decision = _pick(_cdf([95.5, 3.0, 1.5]), rng.random(m))  # approved, refused, revoked
    eta = {
        "stay": eta_stay,
        "person": s.person[eta_stay],
        "kind": np.zeros(m, np.int64),
        "applied": applied,
        "decided": decided,
        "decision": np.array([1, 2, 3])[decision],  # index into DECISIONS
        "trip_from": s.entry[eta_stay],
        "trip_to": s.planned[eta_stay],
        "valid_days": np.full(m, 180),
    }

    # pending: applied in the last days of the year for a trip in the next one
    if ye >= pilot:
        pend_people = np.flatnonzero(adopter & (rng.random(p.n) < 0.08))
        q = len(pend_people)
        applied_p = (ye + 1) * DAY_S - 1 - np.floor(rng.random(q) * 2.9 * DAY_S).astype(np.int64)
        trip_from = ye + _uniform_int(rng, 4, 40, q)
        pending = {
            "stay": np.full(q, -1),
            "person": pend_people,
            "kind": np.zeros(q, np.int64),
            "applied": applied_p,
            "decided": np.full(q, -1),
            "decision": np.zeros(q, np.int64),
            "trip_from": trip_from,
            "trip_to": trip_from + _uniform_int(rng, 2, 20, q),
            "valid_days": np.zeros(q, np.int64),
        }
    else:
        pending = {k: np.zeros(0, np.int64) for k in eta}

    # e-visas: one per trip of a visa national; an overstayer's e-visa ends on the stay's 30th day
    ev_stay = np.flatnonzero(p.segment[s.person] == VISA_VISITOR)
    r = len(ev_stay)
    entry_s = b.entry_seconds[ev_stay]
    decided_ev = entry_s - (3600 + np.floor(rng.random(r) * 35 * DAY_S)).astype(np.int64)
    late = np.isin(ev_stay, overstay_stays)
    decided_ev = np.where(
        late, (s.entry[ev_stay] - 60) * DAY_S + (9 * 3600 + rng.random(r) * 8 * 3600).astype(np.int64), decided_ev
    )
    applied_ev = decided_ev - (3600 + np.floor(rng.random(r) * 5 * DAY_S)).astype(np.int64)
    evisa = {
        "stay": ev_stay,
        "person": s.person[ev_stay],
        "kind": np.ones(r, np.int64),
        "applied": applied_ev,
        "decided": decided_ev,
        "decision": np.ones(r, np.int64),
        "trip_from": s.entry[ev_stay],
        "trip_to": s.planned[ev_stay],
        "valid_days": np.full(r, 90),
    }
    refused_people = np.flatnonzero((p.segment == VISA_VISITOR) & (rng.random(p.n) < 0.04))
    f = len(refused_people)
    applied_f = day_number(dt.date(year, 1, 1)) * DAY_S + np.floor(rng.random(f) * 360 * DAY_S).astype(np.int64)
    trip_f = applied_f // DAY_S + _uniform_int(rng, 10, 40, f)
    refused = {
        "stay": np.full(f, -1),
        "person": refused_people,
        "kind": np.ones(f, np.int64),
        "applied": applied_f,
        "decided": applied_f + (3600 + np.floor(rng.random(f) * 4 * DAY_S)).astype(np.int64),
        "decision": np.full(f, 2),
        "trip_from": trip_f,
        "trip_to": trip_f + _uniform_int(rng, 3, 20, f),
        "valid_days": np.zeros(f, np.int64),
    }

    parts = (eta, pending, evisa, refused)
    a = {k: np.concatenate([np.asarray(part[k], dtype=np.int64) for part in parts]) for k in eta}
    order = np.lexsort((a["person"], a["applied"]))
    a = {k: v[order] for k, v in a.items()}
    n = len(a["person"])
    decided_ok = a["decided"] >= 0
    valid = np.isin(a["decision"], [1, 3])  # approved, revoked
    valid_from = np.where(decided_ok, a["decided"] // DAY_S, 0)
    seg = p.segment[a["person"]]
    purpose = _pick_grouped(
        np.stack([purposes_cdf.get(g, purposes_cdf[VISITOR]) for g in range(len(SEGMENTS))]), seg, rng.random(n)
    )
    doc = np.where(a["stay"] >= 0, b.doc[np.maximum(a["stay"], 0)], _doc_at(d, a["person"], a["applied"] // DAY_S))
    cols = {
        **_traveller(p, d, a["person"], doc, None),
        "kind": _choice(("eta", "evisa"), a["kind"]),
        "purpose": _choice(_PURPOSE_KEYS, purpose),
        "applied_at": _times(a["applied"]),
        "trip_from": _dates(a["trip_from"]),
        "trip_to": _dates(a["trip_to"]),
        "region_kato": _take(region_kato, p.region[a["person"]]),
        "decision": _choice(("pending", "approved", "refused", "revoked"), a["decision"]),
        "decided_at": _times(a["decided"], ~decided_ok),
        "valid_from": _dates(valid_from, ~valid),
        "valid_to": _dates(valid_from + a["valid_days"] - 1, ~valid),
        "stay_days": pa.array(np.full(n, 30), pa.int64(), mask=a["kind"] == 0),
    }
    table = _numbered(FeedKind.AUTHORIZATIONS, f"ETA-{year}-", cols)
    return _Built(table, a["person"], a["stay"])


_PURPOSE_KEYS = ("tourism", "business", "private", "transit", "study", "work", "medical", "other")


def _working_days_after(day: IntArray, k: IntArray, holidays: npt.NDArray[np.datetime64]) -> IntArray:
    """The ``k``-th working day after ``day`` (the day itself for ``k`` = 0), as the stay rules count them."""
    start = day.astype("datetime64[D]")
    out = np.busday_offset(start, k, roll="backward", holidays=holidays)
    return np.asarray(np.maximum(out.astype(np.int64), day), dtype=np.int64)


def _holidays(rules: stay.StayPolicy, year: int) -> npt.NDArray[np.datetime64]:
    """The public holidays of the stay rules, as days around ``year``."""
    days = [f"{y}-{md}" for y in range(year - 2, year + 2) for md in sorted(rules.holidays)]
    return np.array(days, dtype="datetime64[D]")


def _registrations(
    rng: np.random.Generator,
    p: _People,
    d: _Documents,
    s: _Stays,
    b: _Border,
    hosts: _Hosts,
    iins: pa.Array,
    rules: stay.StayPolicy,
    year: int,
) -> _Built:
    """Host notifications for most stays of 4 days or more (every EAEU stay over 30 days); some move address."""
    ye = day_number(dt.date(year, 12, 31))
    online = day_number(ONLINE_REGISTRATION_FROM)
    planned_len = s.planned - s.entry + 1
    seg = p.segment[s.person]
    p_reg = np.array([0.75, 0.5, 0.0, 1.0, 0.95, 1.0, 1.0, 1.0])[seg]
    eaeu_long_stay = (p.regime[s.person] == EAEU) & (planned_len > 30)
    registered = ((planned_len >= 4) & (rng.random(s.size) < p_reg)) | eaeu_long_stay
    first = np.flatnonzero(registered)
    moved = first[(planned_len[first] > 120) & (rng.random(len(first)) < 0.25)]
    stay_idx = np.r_[first, moved]
    k = len(stay_idx)
    is_move = np.r_[np.zeros(len(first), bool), np.ones(len(moved), bool)]
    entry = s.entry[stay_idx]
    arrival = np.where(
        is_move,
        entry + _uniform_int(rng, 30, np.maximum(30, planned_len[stay_idx] - 10), k),
        entry + (rng.random(k) < 0.12),
    )
    delay = np.where(rng.random(k) < 0.92, _pick(_cdf([35, 30, 15, 12]), rng.random(k)), _uniform_int(rng, 4, 15, k))
    registered_on = _working_days_after(arrival, delay, _holidays(rules, year))
    keep = np.flatnonzero(registered_on <= ye)
    keep = keep[np.lexsort((s.person[stay_idx[keep]], arrival[keep], registered_on[keep]))]
    stay_idx, arrival, registered_on = stay_idx[keep], arrival[keep], registered_on[keep]
    k = len(stay_idx)
    person = s.person[stay_idx]
    seg = p.segment[person]

    # host: an individual or a legal entity of the person's region (10% elsewhere, in a hotel)
    p_legal = np.array([0.5, 0.6, 0.5, 0.3, 0.7, 0.7, 0.1, 0.8])[seg]
    away = rng.random(k) < 0.1
    legal = (rng.random(k) < p_legal) | away
    region = np.where(away, np.floor(rng.random(k) * len(REGIONS)).astype(np.int64), p.region[person])
    kind = legal.astype(np.int64)
    host = hosts.offset[kind, region] + np.floor(rng.random(k) * hosts.count[kind, region]).astype(np.int64)
    host_kind = hosts.kind[host]
    planned = s.planned[stay_idx]
    valid_to_missing = rng.random(k) < 0.15
    channel = np.where(
        registered_on < online,
        _pick(_cdf([78, 17, 0, 5]), rng.random(k)),
        _pick(_cdf([15, 7, 75, 3]), rng.random(k)),
    )
    cols = {
        **_traveller(p, d, person, b.doc[stay_idx], iins),
        "host_kind": _choice(("individual", "legal_entity"), host_kind),
        "host_id": _take(hosts.host_id, host),
        "address": _take(hosts.address, host),
        "region_kato": _take(pa.array([r.kato for r in REGIONS], pa.string()), hosts.region[host]),
        "arrival_date": _dates(arrival),
        "registered_on": _dates(registered_on),
        "valid_to": _dates(np.maximum(planned, arrival), valid_to_missing),
        "channel": _choice(("e_qonaq", "vmp", "is_mp", "counter"), channel),
    }
    table = _numbered(FeedKind.REGISTRATIONS, f"REG-{year}-", cols)
    return _Built(table, person, stay_idx)


def _permit_feed(p: _People, d: _Documents, permits: _Permits, iins: pa.Array, year: int) -> _Built:
    """The permits feed: every permit row, by day of issue, with the passport in use then."""
    order = np.lexsort((permits.person, permits.issued_on))
    permits = permits.rows(order)
    person = permits.person
    doc = _doc_at(d, person, permits.issued_on)
    region_kato = pa.array([r.kato for r in REGIONS], pa.string())
    no_end = permits.valid_to >= NO_END
    cols = {
        **_traveller(p, d, person, doc, iins),
        "kind": _choice(PERMIT_KINDS, permits.kind),
        "issued_on": _dates(permits.issued_on),
        "valid_from": _dates(permits.valid_from),
        "valid_to": _dates(np.where(no_end, 0, permits.valid_to), no_end),
        "region_kato": _take(region_kato, p.region[person]),
        "status": _choice(PERMIT_STATUSES, permits.status),
        "revoked_on": _dates(np.maximum(permits.revoked_on, 0), permits.revoked_on < 0),
    }
    table = _numbered(FeedKind.PERMITS, f"PRM-{year}-", cols)
    return _Built(table, person, np.full(len(person), -1, dtype=np.int64))


# --- the generator -------------------------------------------------------------------------------

STEPS = ("people", "permits", "calibration", "stays", "documents", "border events", "authorizations",
         "registrations", "permits feed", "corruption", "truth")  # fmt: skip
"""The phases :func:`generate_feeds` reports to ``progress``, in order."""


def generate_feeds(
    people: int,
    seed: int,
    year: int = 2026,
    events: int | None = None,
    *,
    overstay_rate: float = 0.02,
    dropped_exit_rate: float = 0.003,
    eta_share: float = 0.10,
    corruption: FeedCorruption | None = None,
    progress: Progress | None = None,
) -> SynthFeeds:
    """A year of feeds for ``people`` travellers, about ``events`` border events (default 5 per person).

    The same arguments always give the same tables. ``events`` sets how often the
    visitors travel; below about 2 per person the floor of one trip each wins.
    ``corruption`` corrupts the identity fields of each feed (see the module docstring);
    None keeps them as the documents print them.

    Raises:
        ValueError: ``people`` below 1, ``events`` below ``people``, a year outside
            2024-2100, a rate outside [0, 1] or a negative seed.
    """
    if people < 1:
        raise ValueError(f"people must be at least 1, got {people}")
    if events is not None and events < people:
        raise ValueError(f"events must be at least the number of people ({people}), got {events}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year must be between {FIRST_YEAR} and {LAST_YEAR}, got {year}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    for name, value in (
        ("overstay_rate", overstay_rate),
        ("dropped_exit_rate", dropped_exit_rate),
        ("eta_share", eta_share),
    ):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, got {value}")
    step = progress or (lambda _: None)
    rules = stay.policy(dt.date(year, 7, 1))
    streams = np.random.SeedSequence([seed, year]).spawn(10)
    rngs = [np.random.default_rng(x) for x in streams]

    step("people")
    p = _people(rngs[0], people, year, rules)
    step("permits")
    permits = _permits(rngs[1], p, year)
    step("calibration")
    target = (events if events is not None else 5 * people) / people
    scale = _calibrate((streams[2], streams[3]), p, permits, year, target, (overstay_rate, dropped_exit_rate))
    step("stays")
    s = _stays(np.random.default_rng(streams[2]), p, permits, year, scale)
    s, over = _inject_overstays(rngs[3], p, s, year, overstay_rate)
    ye = day_number(dt.date(year, 12, 31))
    dropped = (s.exit <= ye) & (rngs[3].random(s.size) < dropped_exit_rate)

    step("documents")
    d = _documents(rngs[4], p, s, year)
    individuals, _ = host_counts(people)
    host_birth = day_number(dt.date(year - 1, 1, 1)) - _uniform_int(rngs[4], 18 * 365, 75 * 365, individuals)
    holders = np.flatnonzero(p.has_iin)
    all_iins = _iins(
        rngs[4], np.r_[p.birth[holders], host_birth], np.r_[p.male[holders], rngs[4].random(individuals) < 0.5]
    )
    iins = _take(all_iins, np.cumsum(p.has_iin) - 1, ~p.has_iin)  # one per person, null without an IIN
    step("border events")
    border = _border_events(rngs[5], p, d, s, dropped, year)
    step("authorizations")
    auth = _authorizations(rngs[6], p, d, s, border, over.stay, year, eta_share)
    step("registrations")
    hosts = _hosts(rngs[7], people, all_iins.slice(len(holders)))
    regs = _registrations(rngs[7], p, d, s, border, hosts, iins, rules, year)
    step("permits feed")
    perm = _permit_feed(p, d, permits, iins, year)
    built = (auth, border.built, regs, perm)
    corruptions = None
    if corruption is not None:
        step("corruption")
        # a stream of its own (the eleventh child of the seed), so the clean parts do not move
        corruption_seq = np.random.SeedSequence([seed, year], spawn_key=(10,))
        built, corruptions = _corrupt(corruption_seq, p, d, built, corruption)
    step("truth")
    truth = _truth(p, d, s, border, over, dropped, iins, year, built)
    return SynthFeeds(
        year=year,
        seed=seed,
        authorizations=built[0].table,
        border_events=built[1].table,
        registrations=built[2].table,
        permits=built[3].table,
        **truth,
        corruptions=corruptions,
    )


_FEED_ORDER = (FeedKind.AUTHORIZATIONS, FeedKind.BORDER_EVENTS, FeedKind.REGISTRATIONS, FeedKind.PERMITS)
_IDENTITY = ("surname", "given_names", "birth_date", "sex", "doc_number")


def _corrupt(
    seq: np.random.SeedSequence,
    p: _People,
    d: _Documents,
    built: tuple[_Built, _Built, _Built, _Built],
    corruption: FeedCorruption,
) -> tuple[tuple[_Built, _Built, _Built, _Built], pa.Table]:
    """Each feed with its identity fields corrupted by its profile, and the truth of what was done.

    Border events are corrupted only on documents without an MRZ (Russian identity cards).
    A mistyped document number never equals a real document's or another mistyped one's.
    """
    rates = (corruption.authorizations, corruption.border_events, corruption.registrations, corruption.permits)
    reserved = [d.doc_number]
    out: list[_Built] = []
    truth: list[pa.Table] = []
    for kind, b, rate, child in zip(_FEED_ORDER, built, rates, seq.spawn(len(_FEED_ORDER)), strict=True):
        table = b.table
        if kind == FeedKind.BORDER_EVENTS:
            typed = pc.and_(pc.equal(table["doc_type"], "ID"), pc.equal(table["doc_country"], "RUS"))
            rows = np.flatnonzero(np.asarray(typed.to_numpy(), dtype=bool))
        else:
            rows = np.arange(table.num_rows)
        person = b.person[rows]
        sub = table.take(pa.array(rows, pa.int64()))
        res = corrupt_identities(
            sub,
            rate,
            np.random.default_rng(child),
            surname_cyrillic=p.surname_cyr.take(pa.array(person)),
            given_names_cyrillic=p.given_cyr.take(pa.array(person)),
            reserved_doc_numbers=pa.concat_arrays(reserved),
        )
        mask = np.zeros(table.num_rows, dtype=bool)
        mask[rows] = True
        for name in _IDENTITY:
            i = table.column_names.index(name)
            values = pc.replace_with_mask(
                table[name].combine_chunks(), pa.array(mask), res.table[name].combine_chunks()
            )
            table = table.set_column(i, table.schema.field(name), values)
        out.append(_Built(table, b.person, b.stay))
        hit = np.flatnonzero(res.any)
        typo = res.applied("doc_number_typo")[hit]
        reserved.append(res.table["doc_number"].combine_chunks().take(pa.array(hit[typo], pa.int64())))
        truth.append(
            pa.table(
                {
                    "feed": pa.array([kind.value] * len(hit), pa.string()),
                    "record_id": sub[RECORD_ID[kind]].combine_chunks().take(pa.array(hit, pa.int64())),
                    "person_id": pa.array(person[hit] + 1, pa.int64()),
                    **res.flag_columns(hit),
                    "true_doc_number": pc.if_else(
                        pa.array(typo),
                        sub["doc_number"].combine_chunks().take(pa.array(hit, pa.int64())),
                        pa.scalar(None, pa.string()),
                    ),
                }
            )
        )
    corrupted = pa.concat_tables(truth)
    feed_type = pa.dictionary(pa.int8(), pa.string())
    corrupted = corrupted.set_column(0, pa.field("feed", feed_type), corrupted["feed"].cast(feed_type))
    a, b_, r, m = out
    return (a, b_, r, m), corrupted


def _truth(
    p: _People,
    d: _Documents,
    s: _Stays,
    b: _Border,
    over: _Overstays,
    dropped: BoolArray,
    iins: pa.Array,
    year: int,
    built: tuple[_Built, _Built, _Built, _Built],
) -> dict[str, pa.Table]:
    """The truth tables (see :class:`SynthFeeds`)."""
    ye = day_number(dt.date(year, 12, 31))
    person_id = np.arange(1, p.n + 1, dtype=np.int64)
    persons = pa.table(
        {
            "person_id": person_id,
            "nationality": _choice([o.iso3 for o in ORIGINS], p.origin),
            "surname": p.surname,
            "given_names": p.given_names,
            "surname_cyrillic": p.surname_cyr,
            "given_names_cyrillic": p.given_cyr,
            "birth_date": _dates(p.birth),
            "sex": _choice(("F", "M"), p.male.astype(np.int64)),
            "iin": iins,
            "segment": _choice(SEGMENTS, p.segment),
            "name_tradition": _choice(TRADITION_KEYS, p.tradition),
            "region_kato": _take(pa.array([r.kato for r in REGIONS], pa.string()), p.region),
        }
    )
    documents = pa.table(
        {
            "person_id": person_id[d.person],
            "document": _choice(("passport", "renewed_passport", "identity_card"), d.slot),
            "doc_type": d.doc_type,
            "doc_country": d.doc_country,
            "doc_number": d.doc_number,
            "doc_expiry": d.doc_expiry,
            "first_used_on": _dates(d.renewed_on[d.person], d.slot != 1),
        }
    )
    stay_id = np.arange(1, s.size + 1, dtype=np.int64)
    open_ = s.exit > ye
    stays = pa.table(
        {
            "stay_id": stay_id,
            "person_id": person_id[s.person],
            "entry_at": _times(b.entry_seconds),
            "exit_at": _times(b.exit_seconds, open_),
            "entry_event_id": b.entry_event,
            "exit_event_id": b.exit_event,
            "exit_dropped": pa.array(dropped),
        }
    )
    feeds = (FeedKind.AUTHORIZATIONS, FeedKind.BORDER_EVENTS, FeedKind.REGISTRATIONS, FeedKind.PERMITS)
    records = pa.table(
        {
            "feed": pa.chunked_array(
                [
                    pa.DictionaryArray.from_arrays(
                        pa.array(np.full(x.table.num_rows, i, np.int8)), [f.value for f in feeds]
                    )
                    for i, (f, x) in enumerate(zip(feeds, built, strict=True))
                ],
                type=pa.dictionary(pa.int8(), pa.string()),
            ),
            "record_id": pa.chunked_array(
                [c for f, x in zip(feeds, built, strict=True) for c in x.table.column(RECORD_ID[f]).chunks],
                type=pa.string(),
            ),
            "person_id": pa.chunked_array([pa.array(person_id[x.person]) for x in built]),
            "stay_id": pa.chunked_array([pa.array(np.maximum(x.stay, 0) + 1, mask=x.stay < 0) for x in built]),
        }
    )
    drop_idx = np.flatnonzero(dropped)
    k, q = len(over.stay), len(drop_idx)
    injected = pa.table(
        {
            "kind": _choice(("overstay", "dropped_exit"), np.r_[np.zeros(k, np.int64), np.ones(q, np.int64)]),
            "person_id": pa.array(person_id[s.person[np.r_[over.stay, drop_idx].astype(np.int64)]]),
            "stay_id": pa.array(stay_id[np.r_[over.stay, drop_idx].astype(np.int64)]),
            "overstay_days": pa.array(
                np.r_[over.days, np.zeros(q, np.int64)], mask=np.r_[np.zeros(k, bool), np.ones(q, bool)]
            ),
            "lawful_until": _dates(
                np.r_[over.lawful_until, np.zeros(q, np.int64)], np.r_[np.zeros(k, bool), np.ones(q, bool)]
            ),
            "limit": _take(
                pa.array(LIMITS), np.r_[over.limit, np.zeros(q, np.int64)], np.r_[np.zeros(k, bool), np.ones(q, bool)]
            ),
            "ongoing": pa.array(np.r_[open_[over.stay], np.zeros(q, bool)]),
            "exit_at": _times(
                np.r_[b.exit_seconds[over.stay], b.exit_seconds[drop_idx]], np.r_[open_[over.stay], np.zeros(q, bool)]
            ),
        }
    )
    return {"persons": persons, "documents": documents, "stays": stays, "records": records, "injected": injected}


# --- travellers for linkage tests ----------------------------------------------------------------


def draw_travellers(rng: np.random.Generator, n: int, year: int = 2026) -> pa.Table:
    """``n`` people drawn as :func:`generate_feeds` draws them, with their documents, without any travel.

    Same nationality mix, naming traditions, ages, sexes and IIN holders as the feeds
    (for linkage data, :mod:`koshi.synth.linkage`). Columns: ``nationality`` (as the
    documents print it: ``D`` for Germany), ``surname``, ``given_names``,
    ``surname_cyrillic``, ``given_names_cyrillic`` (null where none), ``birth_date``,
    ``sex``, ``iin`` (null without one), ``doc_country`` (the issuing state),
    ``passport``, ``renewed_passport`` (the next passport's number, for people who
    renew) and ``identity_card`` (null where the country issues none or the person has
    none). Every document number is distinct within its country's format.

    >>> t = draw_travellers(np.random.default_rng(1), 3)
    >>> t.num_rows, t.column_names[:3]
    (3, ['nationality', 'surname', 'given_names'])
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year must be between {FIRST_YEAR} and {LAST_YEAR}, got {year}")
    p = _people(rng, n, year, stay.policy(dt.date(year, 7, 1)))
    holders = np.flatnonzero(p.has_iin)
    iins = _take(_iins(rng, p.birth[holders], p.male[holders]), np.cumsum(p.has_iin) - 1, ~p.has_iin)
    has_id = rng.random(n) < np.array([o.id_share for o in ORIGINS])[p.origin]
    passport: list[pa.Array] = []
    renewed: list[pa.Array] = []
    cards: list[pa.Array] = []
    rows: list[IntArray] = []
    card_rows: list[IntArray] = []
    for o_idx, o in enumerate(ORIGINS):
        mine = np.flatnonzero(p.origin == o_idx)
        if len(mine):
            both = _doc_numbers(rng, o.passport, 2 * len(mine))
            passport.append(both.slice(0, len(mine)))
            renewed.append(both.slice(len(mine)))
            rows.append(mine)
        carded = mine[has_id[mine]]
        if o.id_card is not None and len(carded):
            cards.append(_doc_numbers(rng, o.id_card, len(carded)))
            card_rows.append(carded)
    where = np.empty(n, dtype=np.int64)
    where[np.concatenate(rows)] = np.arange(n)
    card_where = np.full(n, -1, dtype=np.int64)
    if card_rows:
        all_cards = np.concatenate(card_rows)
        card_where[all_cards] = np.arange(len(all_cards))
    card_numbers = pa.concat_arrays(cards) if cards else pa.array([], pa.string())
    given = p.given_code
    return pa.table(
        {
            "nationality": _take(_DOC_NATIONALITY, p.origin),
            "surname": _take(p.surname_vocab, p.surname_code),
            "given_names": _take(p.given_vocab, np.maximum(given, 0), given < 0),
            "surname_cyrillic": p.surname_cyr,
            "given_names_cyrillic": p.given_cyr,
            "birth_date": _dates(p.birth),
            "sex": _choice(("F", "M"), p.male.astype(np.int64)),
            "iin": iins,
            "doc_country": _take(_ISSUERS, p.origin),
            "passport": pc.take(pa.concat_arrays(passport), pa.array(where)),
            "renewed_passport": pc.take(pa.concat_arrays(renewed), pa.array(where)),
            "identity_card": _take(card_numbers, np.maximum(card_where, 0), card_where < 0),
        }
    )


# --- writing -------------------------------------------------------------------------------------

WriteProgress = Callable[[str, int], None]
"""Called with a table name and the rows just written."""
BATCH_ROWS = 500_000


def write_feeds(
    feeds: SynthFeeds, directory: Path, fmt: str = "parquet", progress: WriteProgress | None = None
) -> dict[str, Path]:
    """Write the four feeds as ``directory/<feed>.<fmt>`` and the truth as ``directory/truth/<table>.parquet``.

    CSV and JSON lines carry dates as ``YYYY-MM-DD`` and times as ``2026-03-01T10:15:00+05:00``;
    Parquet keeps the types (date32, timestamp with the ``+05:00`` zone). Returns the paths by table name.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    report = progress or (lambda _name, _rows: None)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "truth").mkdir(exist_ok=True)
    paths: dict[str, Path] = {}
    for kind, table in feeds.feeds().items():
        path = directory / f"{kind.value}.{fmt}"
        _write(table, path, fmt, kind.value, report)
        paths[kind.value] = path
    for name, table in feeds.truth().items():
        path = directory / "truth" / f"{name}.parquet"
        _write(table, path, "parquet", name, report)
        paths[f"truth/{name}"] = path
    return paths


def _write(table: pa.Table, path: Path, fmt: str, name: str, report: WriteProgress) -> None:
    def done(rows: int) -> None:
        report(name, rows)

    batches = table.to_batches(max_chunksize=BATCH_ROWS) or [pa.RecordBatch.from_pylist([], schema=table.schema)]
    if fmt == "parquet":
        with pq.ParquetWriter(path, table.schema) as writer:
            for batch in batches:
                writer.write_batch(batch, row_group_size=BATCH_ROWS)
                done(batch.num_rows)
        return
    text_schema = pa.schema([(f.name, _text_type(f.type)) for f in table.schema])
    if fmt == "csv":
        with pacsv.CSVWriter(path, text_schema) as csv_writer:
            for batch in batches:
                csv_writer.write_batch(_as_text(batch, text_schema))
                done(batch.num_rows)
        return
    with path.open("wb") as fh:
        for batch in batches:
            fh.write(_json_lines(_as_text(batch, text_schema)))
            done(batch.num_rows)


def _text_type(t: pa.DataType) -> pa.DataType:
    """Integers stay numbers in text files; everything else is written as text."""
    return pa.int64() if pa.types.is_integer(t) else pa.string()


def format_times(values: pa.Array) -> pa.Array:
    """Instants as Kazakhstan local time ``YYYY-MM-DDTHH:MM:SS+05:00`` (fixed width, fast)."""
    seconds = pc.cast(pc.cast(values, pa.timestamp("s", tz="UTC")), pa.int64())
    raw = np.asarray(pc.fill_null(seconds, 0).to_numpy(zero_copy_only=False), dtype=np.int64) + KZ_OFFSET_S
    day = raw // DAY_S
    sec = raw % DAY_S
    dates = pc.cast(_dates(day), pa.string())
    date_bytes = np.frombuffer(dates.buffers()[2], dtype=np.uint8)[: 10 * len(dates)].reshape(-1, 10)
    text = _fixed_strings(
        date_bytes,
        _text_bytes("T", len(sec)),
        _digit_bytes(sec // 3600, 2),
        _text_bytes(":", len(sec)),
        _digit_bytes((sec // 60) % 60, 2),
        _text_bytes(":", len(sec)),
        _digit_bytes(sec % 60, 2),
        _text_bytes("+05:00", len(sec)),
    )
    return pc.if_else(pc.is_valid(values), text, pa.scalar(None, pa.string()))


def _as_text(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """A batch with dates as ``YYYY-MM-DD`` and times as ISO 8601 with ``+05:00``."""
    cols: list[pa.Array] = []
    for field, col in zip(batch.schema, batch.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            cols.append(format_times(col))
        elif pa.types.is_dictionary(field.type):
            cols.append(pc.cast(col, pa.string()))
        elif pa.types.is_integer(field.type):
            cols.append(pc.cast(col, pa.int64()))
        else:
            cols.append(pc.cast(col, pa.string()))
    return pa.RecordBatch.from_arrays(cols, schema=schema)


def _json_lines(batch: pa.RecordBatch) -> bytes:
    """One JSON object per row, built column-wise (values are plain text: escaped quotes and backslashes)."""
    pieces: list[pa.Array | pa.Scalar] = []
    for i, (field, col) in enumerate(zip(batch.schema, batch.columns, strict=True)):
        if pa.types.is_integer(field.type):
            value = pc.cast(col, pa.string())
        else:
            escaped = pc.replace_substring(pc.replace_substring(col, "\\", "\\\\"), '"', '\\"')
            value = pc.binary_join_element_wise(pa.scalar('"'), escaped, pa.scalar('"'), "")
        pieces += [pa.scalar(("{" if i == 0 else ",") + json.dumps(field.name) + ":"), pc.fill_null(value, "null")]
    pieces.append(pa.scalar("}\n"))
    return _string_data(pc.binary_join_element_wise(*pieces, ""))


def _string_data(arr: pa.Array) -> bytes:
    """The concatenated bytes of a string array (no nulls)."""
    if len(arr) == 0:
        return b""
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    return bytes(memoryview(data)[int(offsets[0]) : int(offsets[-1])])


def read_truth(directory: Path) -> dict[str, pa.Table]:
    """The truth tables written by :func:`write_feeds` (for evaluation and tests); ``corruptions`` if written."""
    names = ["persons", "documents", "stays", "records", "injected"]
    if (directory / "truth" / "corruptions.parquet").exists():
        names.append("corruptions")
    return {name: pq.read_table(directory / "truth" / f"{name}.parquet") for name in names}


__all__ = [
    "CROSSING_POINTS",
    "FIRST_YEAR",
    "FORMATS",
    "LAST_YEAR",
    "ORIGINS",
    "STEPS",
    "SynthFeeds",
    "draw_travellers",
    "format_times",
    "generate_feeds",
    "read_truth",
    "record_ids",
    "write_feeds",
]
