"""Seeded synthetic applicants that both Kazakhstan packs can score; no real person's data.

One row is a principal applicant and the family moving with them, with every input of
``kz.permanent_residence`` and ``kz.kandas_status`` plus descriptive columns (id, names,
sex, citizenship).  Everything is drawn column-wise with numpy from
``numpy.random.default_rng(seed)``, so the same ``(n, seed)`` gives the same table and a
million rows take a few seconds.

The distributions are illustrative, not estimates.  They are loosely calibrated on the
domain notes (``shared/domain/kazakhstan.md``) so that the decision mix looks plausible:

* origins blend the permanent-residence arrivals of 2023 (Russia 11 711, Uzbekistan 6 519,
  Turkmenistan 1 166; CIS 86% of arrivals, §8.1) with the kandas origins of 2024-2026
  (China ~46%, Uzbekistan ~40%, Turkmenistan and Mongolia ~5% each, Russia ~3%, §8.3);
  the share of ethnic Kazakhs per origin is an assumption (high where the diaspora lives);
* settlement regions lean on where people actually go (Almaty, Astana, the south; §8.2-8.3)
  with a share in the northern labour-deficit regions of the quota orders (§1.2-1.3); the
  kandas-quota regions are read from the ``kz.common.labour_deficit_kandas`` parameters;
* families of ethnic Kazakhs are larger (children 34% of kandas, §8.3);
* the in-demand list is read from the ``kz.common.in_demand_occupations`` parameters; about 40% of
  working applicants hold a listed occupation, the rest a common ISCO-08 occupation that
  fits their education (migrant labour: construction, trade, transport, farming);
* KAZTEST block shares follow the Kazakh level, so non-Turkic speakers without Kazakh
  mostly fall under the 30% block minimum (§1.5); proof of funds is log-normal around
  the reported 1 320 MRP threshold (§2.1, uncertain).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from koshi.reference.regions import REGIONS
from koshi.rules.system import system

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

REFERENCE_DATE = dt.date(2026, 3, 1)
"""Ages and the dated lists (in-demand occupations, quota regions) are taken on this day."""

CEFR = ("none", "a1", "a2", "b1", "b2", "c1", "c2")
ISCED = tuple(f"isced_{i}" for i in range(9))
EVIDENCE = ("documents", "commission", "none")

# --- names -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Names:
    """Given and family names of one naming tradition; female family names default to inflected."""

    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    inflect: bool = True

    def female_family(self) -> tuple[str, ...]:
        """Slavic-style surnames take the feminine ending (Ivanov → Ivanova); others do not change."""
        if not self.inflect:
            return self.family
        out = []
        for s in self.family:
            if s.endswith(("ov", "ev", "in", "yn")):
                out.append(s + "a")
            elif s.endswith("sky"):
                out.append(s.removesuffix("sky") + "skaya")
            else:
                out.append(s)
        return tuple(out)


def _names(male: str, female: str, family: str, *, inflect: bool = True) -> Names:
    """A :class:`Names` from space-separated lists (compact to read and to extend)."""
    return Names(tuple(male.split()), tuple(female.split()), tuple(family.split()), inflect)


NAMES: dict[str, Names] = {
    "kazakh": _names(
        "Nurlan Askar Yerlan Daniyar Arman Bauyrzhan Serik Yerzhan Timur Aidos",
        "Aigerim Aizhan Gulnara Dana Saule Ainur Zhanar Madina Asel Dinara",
        "Akhmetov Zhaksybekov Abenov Omarov Serikbayev Kassymov Suleimenov Sadykov Tulegenov Yessenov Amanov",
    ),
    # Kazakhs of China and Mongolia mostly carry the father's name without a Russian suffix
    "kazakh_east": _names(
        "Yerbol Nurdaulet Bolat Kadyr Zhenis Muratbek Serikbol Aibek Khanat Erlan",
        "Gulnur Aisulu Zhansaya Kunsulu Ardak Gulmira Nazgul Altynai Saltanat Aru",
        "Serikbai Khabdolla Zhaksylyk Amanbai Tursyn Nurdaulet Kadyrbek Akhmet Sultan",
        inflect=False,
    ),
    "slavic": _names(
        "Alexander Dmitry Sergey Andrey Alexey Maxim Ivan Mikhail Pavel Artem",
        "Anna Elena Olga Natalia Tatiana Irina Maria Yulia Anastasia Daria",
        "Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Morozov Volkov Kovalenko Bondarenko Karpovich Kovalsky",
    ),
    "uzbek": _names(
        "Otabek Jasur Sardor Bekzod Aziz Rustam Sherzod Dilshod Akmal Ulugbek",
        "Dilnoza Nilufar Gulnora Malika Shahnoza Feruza Nodira Kamola Mohira Sevara",
        "Karimov Rakhimov Yusupov Abdullayev Usmonov Nazarov Mirzayev Ergashev Tursunov",
    ),
    "tajik": _names(
        "Firdavs Behruz Shahrom Sorbon Farhod Daler Manuchehr Jamshed Bahrom Parviz",
        "Nigina Farangis Mehrangez Tahmina Sitora Zarina Manizha Gulruhsor Shabnam",
        "Rahimov Sharipov Safarov Qodirov Davlatov Rajabov Sharifzoda Nazarzoda",
    ),
    "kyrgyz": _names(
        "Aibek Bakyt Nurbek Ermek Talant Azamat Almazbek Chyngyz Bektur Emil",
        "Aizada Aigul Cholpon Nazgul Begimay Kanykei Aida Gulzat Aiperi Jyldyz",
        "Asanov Usenov Sadyrov Toktogulov Abdyldaev Mamytov Osmonov Alymkulov",
    ),
    "turkmen": _names(
        "Serdar Merdan Dovlet Batyr Maksat Annamurat Rustem Gurban Atajan Myrat",
        "Ogulgerek Aynur Jeren Maya Gulshat Ayna Selbi Enejan Bahar Leyli",
        "Annayev Berdiyev Orazov Durdyyev Atayev Gurbanov Hojayev Charyyev",
    ),
    "azerbaijani": _names(
        "Elvin Rashad Orkhan Farid Elchin Tural Anar Vugar Kamran Ramil",
        "Aynur Gunel Leyla Sevinj Nigar Aytan Narmin Gulnar Konul Lala",
        "Mammadov Aliyev Hasanov Huseynov Guliyev Ismayilov Abbasov Babayev",
    ),
    "chinese": _names(
        "Wei Jun Hao Lei Qiang Ming Jian Tao Yong Bo Chao Peng",
        "Fang Li Jing Yan Min Xiu Ying Hui Ling Na Xue Mei",
        "Wang Li Zhang Liu Chen Yang Zhao Huang Zhou Wu Xu Ma",
        inflect=False,
    ),
    "mongolian": _names(
        "Bat-Erdene Ganbold Batbayar Enkhbayar Tumur Erdenebat Gantulga Temuulen",
        "Oyuun Enkhjargal Narantuya Altantsetseg Solongo Tsetseg Anujin Khulan",
        "Batbold Ganbaatar Tsend Dorj Baatar Purev Luvsan Nyamdorj Ochir",
        inflect=False,
    ),
    "turkish": _names(
        "Mehmet Mustafa Ahmet Ali Emre Burak Murat Hasan Yusuf Ömer",
        "Ayşe Fatma Zeynep Elif Emine Merve Esra Hatice Büşra Özlem",
        "Yılmaz Kaya Demir Şahin Çelik Yıldız Aydın Öztürk Arslan Doğan",
        inflect=False,
    ),
    "indian": _names(
        "Rahul Amit Vikram Arjun Rohan Sanjay Ravi Anil Suresh Karthik",
        "Priya Anjali Neha Pooja Divya Kavya Sneha Lakshmi Meera Aishwarya",
        "Sharma Patel Singh Kumar Gupta Reddy Nair Iyer Rao Das",
        inflect=False,
    ),
    "persian": _names(
        "Reza Ali Mohammad Hossein Amir Mehdi Saeed Hamid Arash Babak",
        "Maryam Fatemeh Zahra Sara Narges Leila Shirin Parisa Nazanin Mina",
        "Hosseini Ahmadi Mohammadi Rezaei Karimi Moradi Jafari Rahimi Kazemi",
        inflect=False,
    ),
    "afghan": _names(
        "Ahmad Mohammad Abdul Farid Nasir Hamid Wahid Rahim Sayed Zabihullah",
        "Fatima Zainab Marzia Mariam Nasrin Shabnam Farzana Roya Parwana Malalai",
        "Ahmadzai Popal Safi Noori Hakimi Sultani Wardak Stanekzai Rahimi",
        inflect=False,
    ),
    "german": _names(
        "Thomas Michael Andreas Stefan Alexander Markus Jan Lukas Florian Daniel",
        "Anna Julia Sabine Katharina Laura Lena Claudia Sarah Lisa Maria",
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann",
        inflect=False,
    ),
}

# --- origins ---------------------------------------------------------------------------------

# Categorical profiles.  Education over ISCED 0..8; languages over none, A1..C2.
EDUCATION = {
    "european": (0, 0.005, 0.03, 0.17, 0.05, 0.17, 0.30, 0.22, 0.055),
    "central_asia": (0, 0.01, 0.08, 0.36, 0.08, 0.20, 0.19, 0.07, 0.01),
    "east_asia": (0.01, 0.04, 0.15, 0.35, 0.06, 0.16, 0.17, 0.05, 0.01),
    "middle_east": (0, 0.02, 0.06, 0.25, 0.05, 0.12, 0.32, 0.15, 0.03),
    "south_asia": (0, 0, 0.02, 0.08, 0.03, 0.07, 0.40, 0.32, 0.08),
    "afghanistan": (0.05, 0.10, 0.20, 0.35, 0.05, 0.10, 0.12, 0.03, 0),
}
RUSSIAN = {
    "native": (0, 0, 0, 0.01, 0.04, 0.15, 0.80),
    "post_soviet": (0.03, 0.07, 0.15, 0.30, 0.25, 0.15, 0.05),
    "weak": (0.45, 0.25, 0.15, 0.09, 0.04, 0.02, 0),
    "none": (0.55, 0.20, 0.12, 0.08, 0.04, 0.01, 0),
    "german": (0.35, 0.10, 0.10, 0.15, 0.12, 0.10, 0.08),
}
ENGLISH = {
    "low": (0.42, 0.22, 0.18, 0.11, 0.05, 0.02, 0),
    "middle": (0.25, 0.20, 0.20, 0.20, 0.10, 0.05, 0),
    "high": (0.02, 0.05, 0.13, 0.30, 0.30, 0.15, 0.05),
    "india": (0, 0.02, 0.05, 0.18, 0.35, 0.30, 0.10),
}
KAZAKH = {
    "diaspora_east": (0, 0, 0.01, 0.04, 0.15, 0.40, 0.40),  # ethnic Kazakhs of China and Mongolia
    "diaspora_south": (0, 0.01, 0.03, 0.08, 0.23, 0.35, 0.30),  # ethnic Kazakhs of Uzbekistan, Turkmenistan …
    "russified": (0.05, 0.15, 0.25, 0.25, 0.15, 0.10, 0.05),  # ethnic Kazakhs of Russia and Europe
    "turkic": (0.15, 0.30, 0.25, 0.17, 0.08, 0.04, 0.01),  # related language (Uzbek, Kyrgyz, Turkish …)
    "foreign": (0.30, 0.37, 0.20, 0.09, 0.03, 0.01, 0),
}


@dataclass(frozen=True, slots=True)
class Origin:
    """A country of citizenship with its weight and the profiles drawn for its applicants."""

    iso3: str
    weight: float
    p_ethnic_kazakh: float
    names: str
    education: str
    russian: str
    english: str
    kazakh_ethnic: str
    kazakh_other: str
    funds_shift: float = 0.0  # on the log scale of proof of funds


# iso3, weight, P(ethnic Kazakh), names, education, Russian, English, Kazakh if ethnic Kazakh, Kazakh otherwise,
# shift of funds.  Weights blend PR arrivals (2023) and kandas origins (2024-2026); P(ethnic Kazakh) is assumed.
ORIGINS: tuple[Origin, ...] = (
    Origin("RUS", 0.33, 0.12, "slavic", "european", "native", "low", "russified", "foreign", 0.2),
    Origin("UZB", 0.22, 0.50, "uzbek", "central_asia", "post_soviet", "low", "diaspora_south", "turkic", -0.2),
    Origin("CHN", 0.13, 0.85, "chinese", "east_asia", "weak", "low", "diaspora_east", "foreign", 0.0),
    Origin("TKM", 0.05, 0.65, "turkmen", "central_asia", "post_soviet", "low", "diaspora_south", "turkic", -0.3),
    Origin("MNG", 0.04, 0.90, "mongolian", "east_asia", "weak", "low", "diaspora_east", "foreign", -0.3),
    Origin("KGZ", 0.05, 0.15, "kyrgyz", "central_asia", "post_soviet", "low", "diaspora_south", "turkic", -0.3),
    Origin("TJK", 0.03, 0.03, "tajik", "central_asia", "post_soviet", "low", "diaspora_south", "foreign", -0.5),
    Origin("TUR", 0.03, 0.05, "turkish", "middle_east", "none", "middle", "diaspora_south", "turkic", 0.3),
    Origin("IND", 0.02, 0.0, "indian", "south_asia", "none", "india", "russified", "foreign", 0.2),
    Origin("AFG", 0.015, 0.25, "afghan", "afghanistan", "none", "low", "diaspora_south", "foreign", -0.6),
    Origin("IRN", 0.015, 0.20, "persian", "middle_east", "none", "middle", "diaspora_south", "foreign", 0.0),
    Origin("BLR", 0.02, 0.01, "slavic", "european", "native", "low", "russified", "foreign", 0.0),
    Origin("UKR", 0.02, 0.02, "slavic", "european", "native", "middle", "russified", "foreign", 0.0),
    Origin("DEU", 0.01, 0.02, "german", "european", "german", "high", "russified", "foreign", 0.8),
    Origin("AZE", 0.02, 0.01, "azerbaijani", "central_asia", "post_soviet", "low", "diaspora_south", "turkic", 0.0),
)

# Kazakhs of China and Mongolia are named in their own tradition; other ethnic Kazakhs in the Kazakh one.
EAST_DIASPORA = frozenset({"CHN", "MNG"})

# --- settlement ------------------------------------------------------------------------------

# Weights by region slug: most people go to the cities and the south (§8.2-8.3), a share north.
# fmt: off
REGION_WEIGHTS: dict[str, dict[str, float]] = {
    "other": {
        "almaty": 20, "astana": 17, "shymkent": 4, "almaty_region": 8, "karaganda": 6, "aktobe": 3,
        "atyrau": 3, "west_kazakhstan": 2, "mangystau": 3, "kyzylorda": 1, "turkistan": 3, "zhambyl": 2,
        "zhetisu": 2, "ulytau": 1, "pavlodar": 5, "north_kazakhstan": 5, "kostanay": 4,
        "east_kazakhstan": 4, "abai": 3, "akmola": 4,
    },
    "kazakh": {
        "almaty_region": 14, "turkistan": 8, "mangystau": 7, "zhambyl": 5, "almaty": 10, "astana": 8,
        "shymkent": 5, "zhetisu": 3, "kyzylorda": 2, "pavlodar": 8, "north_kazakhstan": 4, "kostanay": 3,
        "east_kazakhstan": 5, "abai": 5, "akmola": 4, "atyrau": 3, "west_kazakhstan": 1, "karaganda": 2,
        "aktobe": 2, "ulytau": 1,
    },
}
# fmt: on

# --- occupations -----------------------------------------------------------------------------

# Common ISCO-08 unit groups outside the in-demand list, by skill tier (0 = tertiary jobs,
# 1 = technicians and clerks, 2 = trades and elementary work), with relative weights.
COMMON_OCCUPATIONS: tuple[tuple[str, int, float], ...] = (
    ("2341", 0, 3),  # primary school teacher
    ("2330", 0, 3),  # secondary school teacher
    ("2221", 0, 3),  # nursing professional
    ("2142", 0, 3),  # civil engineer
    ("2411", 0, 3),  # accountant
    ("2421", 0, 2),  # management and organisation analyst
    ("2611", 0, 1),  # lawyer
    ("2431", 0, 2),  # advertising and marketing professional
    ("1120", 0, 1),  # managing director
    ("2166", 0, 1),  # graphic designer
    ("3313", 1, 3),  # accounting associate
    ("3112", 1, 2),  # civil engineering technician
    ("3221", 1, 2),  # nursing associate
    ("3322", 1, 2),  # commercial sales representative
    ("4110", 1, 2),  # general office clerk
    ("4311", 1, 1),  # accounting and bookkeeping clerk
    ("9313", 2, 6),  # building construction labourer
    ("5223", 2, 5),  # shop sales assistant
    ("8322", 2, 4),  # car, taxi and van driver
    ("6111", 2, 3),  # field crop and vegetable grower
    ("6121", 2, 3),  # livestock and dairy producer
    ("7112", 2, 3),  # bricklayer
    ("7115", 2, 2),  # carpenter and joiner
    ("7212", 2, 2),  # welder
    ("7126", 2, 2),  # plumber
    ("7411", 2, 2),  # building electrician
    ("7231", 2, 3),  # motor vehicle mechanic
    ("7233", 2, 1),  # agricultural and industrial machinery mechanic
    ("8332", 2, 3),  # heavy truck driver
    ("5120", 2, 3),  # cook
    ("5131", 2, 2),  # waiter
    ("9112", 2, 3),  # cleaner
    ("9333", 2, 2),  # freight handler
    ("7512", 2, 1),  # baker
    ("5141", 2, 1),  # hairdresser
)

# Relative weights among the listed in-demand codes (a listed code not named here weighs 1).
IN_DEMAND_WEIGHTS = {"2512": 6, "2511": 3, "2211": 4, "2212": 2, "2310": 2, "2144": 2, "2151": 2, "2146": 2}

# Chance of holding a listed occupation by ISCED level: the list is of graduate professions.
P_IN_DEMAND = (0, 0, 0.01, 0.07, 0.18, 0.40, 0.75, 0.85, 0.90)

# --- ages, tests, money ----------------------------------------------------------------------

# Age bands (inclusive) and weights: mostly of working age, a few minors so the minimum-age gate shows.
AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    (16, 17, 0.003),
    (18, 24, 0.16),
    (25, 29, 0.19),
    (30, 34, 0.19),
    (35, 39, 0.15),
    (40, 44, 0.11),
    (45, 49, 0.08),
    (50, 54, 0.06),
    (55, 59, 0.04),
    (60, 67, 0.017),
)
CAREER_START = (16, 16, 17, 18, 19, 20, 22, 24, 27)  # age at which work in the occupation starts, by ISCED
KAZTEST_MEAN = (18.0, 43.0, 52.0, 64.0, 75.0, 84.0, 90.0)  # block share (%) by Kazakh level
FUNDS_MEDIAN_KZT = 9_000_000.0  # above the reported 1 320 MRP × 4 325 tenge ≈ 5.7 million threshold


def _listed(path: str, on: dt.date) -> list[str]:
    """Keys of a boolean parameter node that are true on ``on``, read from the rules' own parameter tree."""
    node = system().parameters(on.isoformat())
    for part in path.split("."):
        node = node[part]
    return [key for key in node if bool(node[key])]


IN_DEMAND: tuple[str, ...] = tuple(
    k.removeprefix("isco_") for k in _listed("kz.common.in_demand_occupations", REFERENCE_DATE)
)
KANDAS_QUOTA_REGIONS = frozenset(_listed("kz.common.labour_deficit_kandas", REFERENCE_DATE))


# --- helpers ---------------------------------------------------------------------------------


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
    """Category index with a different distribution per group (a loop over groups, not rows)."""
    out = np.zeros(len(u), dtype=np.int64)
    for g in np.unique(group):
        rows = group == g
        out[rows] = _pick(cdfs[g], u[rows])
    return out


def _table(profiles: Mapping[str, Sequence[float]]) -> tuple[dict[str, int], FloatArray]:
    """Profile name → row index, and the stacked cumulative distributions."""
    names = list(profiles)
    return {k: i for i, k in enumerate(names)}, np.stack([_cdf(profiles[k]) for k in names])


def _strings(values: Sequence[str], idx: IntArray) -> pa.Array:
    """A string column from a small vocabulary and an index per row."""
    return pc.take(pa.array(list(values), pa.string()), pa.array(idx, pa.int64()))


def _name_index() -> tuple[tuple[str, ...], dict[str, int], IntArray, IntArray, IntArray, IntArray]:
    """Flat vocabulary of names and, per (tradition, sex), the offset and count of given and family names."""
    vocab: list[str] = []
    groups = list(NAMES)
    shape = (len(groups), 2)
    g_off, g_len = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    f_off, f_len = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    for gi, key in enumerate(groups):
        tradition = NAMES[key]
        # sex index 0 = female, 1 = male
        for si, (given, family) in enumerate(
            ((tradition.female, tradition.female_family()), (tradition.male, tradition.family))
        ):
            g_off[gi, si], g_len[gi, si] = len(vocab), len(given)
            vocab.extend(given)
            f_off[gi, si], f_len[gi, si] = len(vocab), len(family)
            vocab.extend(family)
    return tuple(vocab), {k: i for i, k in enumerate(groups)}, g_off, g_len, f_off, f_len


NAME_VOCAB, NAME_GROUP, _GIVEN_OFF, _GIVEN_LEN, _FAMILY_OFF, _FAMILY_LEN = _name_index()
EDU_INDEX, EDU_CDF = _table(EDUCATION)
RUS_INDEX, RUS_CDF = _table(RUSSIAN)
ENG_INDEX, ENG_CDF = _table(ENGLISH)
KAZ_INDEX, KAZ_CDF = _table(KAZAKH)
REGION_KATO = tuple(r.kato for r in REGIONS)
REGION_CDF = np.stack([_cdf([REGION_WEIGHTS[k][r.slug] for r in REGIONS]) for k in ("other", "kazakh")])
_QUOTA_REGION = np.array([r.slug in KANDAS_QUOTA_REGIONS for r in REGIONS])

_COMMON = tuple(code for code, _, _ in COMMON_OCCUPATIONS if code not in IN_DEMAND)
_COMMON_CDF = np.stack(
    [_cdf([w if tier == t else 0.0 for code, tier, w in COMMON_OCCUPATIONS if code not in IN_DEMAND]) for t in range(3)]
)
# Without a degree only the IT and technician codes of the list are open (no doctor or scientist).
_SUB_DEGREE = np.array([code.startswith(("25", "3")) for code in IN_DEMAND])
_IN_DEMAND_W = np.array([IN_DEMAND_WEIGHTS.get(code, 1) for code in IN_DEMAND], dtype=np.float64)
_IN_DEMAND_CDF = np.stack([_cdf(_IN_DEMAND_W * _SUB_DEGREE if _SUB_DEGREE.any() else _IN_DEMAND_W), _cdf(_IN_DEMAND_W)])
_OCCUPATIONS = IN_DEMAND + _COMMON


def _origin_array(attr: str, index: dict[str, int] | None = None) -> npt.NDArray[Any]:
    values = [getattr(o, attr) for o in ORIGINS]
    return np.array([index[v] for v in values] if index is not None else values)


# --- the generator ---------------------------------------------------------------------------


def _birth_dates(age: IntArray, u: FloatArray) -> npt.NDArray[np.datetime64]:
    """A birth date giving exactly ``age`` whole years on :data:`REFERENCE_DATE` (1 March)."""
    year = REFERENCE_DATE.year - age - 1 - 1970
    first = year.astype("datetime64[Y]").astype("datetime64[M]") + np.timedelta64(2, "M")
    start = first.astype("datetime64[D]") + np.timedelta64(1, "D")  # 2 March, a year before the birthday
    end = (year + 1).astype("datetime64[Y]").astype("datetime64[M]") + np.timedelta64(2, "M")
    span = (end.astype("datetime64[D]") - start).astype(np.int64) + 1  # 2 March .. 1 March inclusive
    return np.asarray(start + (u * span).astype(np.int64).astype("timedelta64[D]"), dtype="datetime64[D]")


def generate_applicants(n: int, seed: int) -> pa.Table:
    """``n`` synthetic applicants; the same ``(n, seed)`` always gives the same table.

    Ages are on 1 March 2026.  ``seed`` is any non-negative integer (numpy's ``default_rng``).
    """
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    rng = np.random.default_rng(seed)

    # who: origin, ethnicity, sex, age
    origin = _pick(_cdf([o.weight for o in ORIGINS]), rng.random(n))
    ethnic = rng.random(n) < _origin_array("p_ethnic_kazakh")[origin]
    male = rng.random(n) < 0.57
    band = _pick(_cdf([w for _, _, w in AGE_BANDS]), rng.random(n))
    lo = np.array([b[0] for b in AGE_BANDS], np.int64)[band]
    hi = np.array([b[1] for b in AGE_BANDS], np.int64)[band]
    age = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)
    birth = _birth_dates(age, rng.random(n))

    # names: ethnic Kazakhs in the Kazakh tradition of their diaspora, others in their country's
    east = np.isin(_origin_array("iso3")[origin], list(EAST_DIASPORA))
    tradition = np.where(
        ethnic,
        np.where(east, NAME_GROUP["kazakh_east"], NAME_GROUP["kazakh"]),
        np.array([NAME_GROUP[o.names] for o in ORIGINS])[origin],
    )
    sex_i = male.astype(np.int64)
    given = _GIVEN_OFF[tradition, sex_i] + (rng.random(n) * _GIVEN_LEN[tradition, sex_i]).astype(np.int64)
    family = _FAMILY_OFF[tradition, sex_i] + (rng.random(n) * _FAMILY_LEN[tradition, sex_i]).astype(np.int64)

    # education, capped by age (no doctorate at 22)
    edu = _pick_grouped(EDU_CDF, _origin_array("education", EDU_INDEX)[origin], rng.random(n))
    edu = np.minimum(edu, np.select([age < 19, age < 21, age < 22, age < 24, age < 27], [3, 4, 5, 6, 7], 8))

    # languages: Kazakh by diaspora and ethnicity, Russian by origin, English by origin and education
    kaz_profile = np.where(
        ethnic, _origin_array("kazakh_ethnic", KAZ_INDEX)[origin], _origin_array("kazakh_other", KAZ_INDEX)[origin]
    )
    kazakh = _pick_grouped(KAZ_CDF, kaz_profile, rng.random(n))
    russian = _pick_grouped(RUS_CDF, _origin_array("russian", RUS_INDEX)[origin], rng.random(n))
    english = _pick_grouped(ENG_CDF, _origin_array("english", ENG_INDEX)[origin], rng.random(n))
    english = np.minimum(english + ((edu >= 6) & (age < 40) & (rng.random(n) < 0.35)), 6)

    # KAZTEST blocks share one ability draw, so listening and reading move together
    ability = rng.normal(0.0, 10.0, n)
    mean = np.array(KAZTEST_MEAN)[kazakh] + ability
    listening = np.round(np.clip(mean + rng.normal(0.0, 6.0, n), 0.0, 100.0), 1)
    reading = np.round(np.clip(mean - 2.0 + rng.normal(0.0, 6.0, n), 0.0, 100.0), 1)

    # occupation: listed ones for graduates mostly; others by skill tier, some graduates work below it
    listed = rng.random(n) < np.array(P_IN_DEMAND)[edu]
    tier = np.select([edu >= 6, edu >= 4], [0, 1], 2)
    tier = np.minimum(tier + (rng.random(n) < 0.2), 2)
    common = len(IN_DEMAND) + _pick_grouped(_COMMON_CDF, tier, rng.random(n))
    graduate = (edu >= 6).astype(np.int64)
    occupation = np.where(listed, _pick_grouped(_IN_DEMAND_CDF, graduate, rng.random(n)), common)

    # experience in that occupation: a share of the career so far, never more than age − 16
    career = np.maximum(age - np.array(CAREER_START)[edu], 0)
    experience = career * rng.beta(5.0, 2.0, n)
    experience = np.where(rng.random(n) < 0.04, 0.0, experience)  # newly qualified or changing trade
    experience = np.floor(np.minimum(experience, np.minimum(age - 16, 60)) * 10.0) / 10.0

    # checks and money
    health = rng.random(n) >= 0.08
    criminal = rng.random(n) < 0.02
    deported = rng.random(n) < 0.01
    former_citizen = rng.random(n) < np.where(ethnic & ~east, 0.08, 0.01)
    ties = rng.random(n) < np.where(former_citizen, 0.8, np.where(ethnic, 0.45, 0.15))
    mu = np.log(FUNDS_MEDIAN_KZT) + 0.18 * (edu - 3) + _origin_array("funds_shift")[origin]
    funds = np.round(np.exp(rng.normal(mu, 1.0)))
    funds = np.where(rng.random(n) < 0.03, 0.0, funds)  # no bank statement

    # kandas evidence: documents for most ethnic Kazakhs, the commission for some
    evidence_cdf = np.stack([_cdf((0.02, 0.01, 0.97)), _cdf((0.78, 0.17, 0.05))])
    evidence = _pick_grouped(evidence_cdf, ethnic.astype(np.int64), rng.random(n))

    # family: ethnic Kazakhs move with larger families; working-age members exclude the principal
    lam = np.where(ethnic, 2.6, 1.3) * np.where(age < 25, 0.5, 1.0)
    family_size = np.minimum(1 + rng.poisson(lam), 30)
    working_age = rng.binomial(family_size - 1, 0.45)

    # settlement and support: support is asked for mostly where the kandas quota is
    region = _pick_grouped(REGION_CDF, ethnic.astype(np.int64), rng.random(n))
    quota = _QUOTA_REGION[region]
    support = rng.random(n) < np.where(ethnic, np.where(quota, 0.75, 0.25), 0.10)
    signed = rng.random(n) < np.where(support, np.where(quota, 0.88, 0.25), 0.03)

    ids = pc.cast(pa.array(np.arange(1, n + 1, dtype=np.int64)), pa.string())
    columns: dict[str, pa.Array] = {
        "id": pc.binary_join_element_wise("A", pc.utf8_lpad(ids, max(7, len(str(n))), "0"), ""),
        "given_name": _strings(NAME_VOCAB, given),
        "family_name": _strings(NAME_VOCAB, family),
        "sex": _strings(("F", "M"), sex_i),
        "birth_date": pa.array(birth, pa.date32()),
        "citizenship": _strings([o.iso3 for o in ORIGINS], origin),
        "ethnic_kazakh": pa.array(ethnic, pa.bool_()),
        "origin_evidence": _strings(EVIDENCE, evidence),
        "former_kz_citizen": pa.array(former_citizen, pa.bool_()),
        "education_level": _strings(ISCED, edu),
        "occupation_isco": _strings(_OCCUPATIONS, occupation),
        "experience_years": pa.array(experience, pa.float64()),
        "kazakh_level": _strings(CEFR, kazakh),
        "russian_level": _strings(CEFR, russian),
        "english_level": _strings(CEFR, english),
        "kaztest_listening_pct": pa.array(listening, pa.float64()),
        "kaztest_reading_pct": pa.array(reading, pa.float64()),
        "health_clearance": pa.array(health, pa.bool_()),
        "criminal_record": pa.array(criminal, pa.bool_()),
        "prior_deportation": pa.array(deported, pa.bool_()),
        "family_ties_kz": pa.array(ties, pa.bool_()),
        "proof_of_funds_kzt": pa.array(funds, pa.float64()),
        "settlement_region": _strings(REGION_KATO, region),
        "family_size": pa.array(family_size, pa.int64()),
        "working_age_members": pa.array(working_age, pa.int64()),
        "support_requested": pa.array(support, pa.bool_()),
        "social_contract_signed": pa.array(signed, pa.bool_()),
    }
    return pa.table(columns)
