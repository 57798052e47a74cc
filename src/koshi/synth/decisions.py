"""Seeded synthetic monitoring data and "a year of decisions"; illustrative, not estimates.

Two generators, both pure (no database, no clock: the caller passes ``until``/``now``)
and reproducible from ``seed``:

* :func:`generate_monitoring` — the three monitoring tables of :mod:`koshi.store.monitoring`:
  external migration by month and region, interregional moves by month and route, and a
  person-level follow-up of resettlers and kandas.  Counts are drawn with multinomial
  splits of yearly totals (vectorised over every cell), loosely calibrated on the domain
  notes (``shared/domain/kazakhstan.md``):

  - yearly arrivals and departures are the official 2022-2025 figures (§8.1, taken from
    :mod:`koshi.analytics.reference`) times a small noise, so net external migration is
    about +16.1 thousand in 2025; later years repeat the last official year;
  - interregional movers per year follow §8.2 (689.5 thousand in 2024, +27.5% in 2023 on
    2022, about +23% in 2025); the share that goes to the year's labour-deficit regions is
    tuned to :data:`NORTH_SHARE` (14.7% in 2025, as the product brief quotes);
  - resettlers and kandas settled per year are the regional quotas of §1.2 times a fill
    rate, spread over the quota regions of §1.2; working-age shares follow §8.3;
  - the qualified share of arrivals and the employment rates are assumptions (no figure
    is published): they rise slowly and stay well below the targets.

* :func:`plan_decisions` — applications spread over one calendar year, with the delays and
  random draws that decide how far each one got by ``now`` (taken, approved or refused with
  four eyes, appealed, withdrawn).  The store replays the plan through the real case
  service (``koshi.store.monitoring.seed_monitoring``), so every decision is scored,
  evented and audited like a real one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from koshi.analytics import labour_deficit
from koshi.analytics.reference import YEARS, Indicator, figure
from koshi.reference.regions import REGIONS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

KATO = tuple(r.kato for r in REGIONS)
SLUGS = tuple(r.slug for r in REGIONS)

# --- calibration (see the module docstring) --------------------------------------------------

MONTH_WEIGHTS = (0.70, 0.75, 0.90, 1.00, 1.05, 1.00, 1.10, 1.15, 1.10, 1.05, 0.95, 0.85)
"""Seasonality of moves and applications: fewer in winter, more in summer and early autumn."""

# fmt: off
ARRIVAL_WEIGHTS: dict[str, float] = {
    "almaty": 22, "astana": 18, "shymkent": 5, "almaty_region": 7, "karaganda": 6, "aktobe": 4, "atyrau": 4,
    "west_kazakhstan": 3, "mangystau": 5, "kyzylorda": 1, "turkistan": 5, "zhambyl": 2, "zhetisu": 2, "ulytau": 1,
    "pavlodar": 4, "north_kazakhstan": 3, "kostanay": 4, "east_kazakhstan": 4, "abai": 2, "akmola": 3,
}
DEPARTURE_WEIGHTS: dict[str, float] = {
    "almaty": 12, "astana": 8, "shymkent": 2, "almaty_region": 3, "karaganda": 12, "aktobe": 4, "atyrau": 2,
    "west_kazakhstan": 4, "mangystau": 2, "kyzylorda": 1, "turkistan": 2, "zhambyl": 2, "zhetisu": 2, "ulytau": 2,
    "pavlodar": 9, "north_kazakhstan": 8, "kostanay": 9, "east_kazakhstan": 9, "abai": 3, "akmola": 7,
}
QUALIFIED_OFFSET: dict[str, float] = {"almaty": 0.12, "astana": 0.12, "shymkent": 0.03, "atyrau": 0.06}
"""Regional offsets of the qualified share (cities and oil regions attract more graduates); others −0.04."""

ORIGIN_WEIGHTS: dict[str, float] = {
    "turkistan": 10, "almaty_region": 7, "zhambyl": 6, "kyzylorda": 4, "mangystau": 3, "shymkent": 6, "almaty": 8,
    "astana": 6, "karaganda": 6, "akmola": 7, "east_kazakhstan": 4, "pavlodar": 3, "kostanay": 4,
    "north_kazakhstan": 3, "aktobe": 3, "atyrau": 2, "west_kazakhstan": 2, "zhetisu": 4, "abai": 3, "ulytau": 1,
}
DESTINATION_WEIGHTS: dict[str, float] = {
    "astana": 30, "almaty": 25, "shymkent": 8, "almaty_region": 8, "karaganda": 3, "aktobe": 3, "atyrau": 2,
    "west_kazakhstan": 1.5, "mangystau": 2, "kyzylorda": 1, "turkistan": 2, "zhambyl": 1.5, "zhetisu": 2,
    "ulytau": 0.5, "pavlodar": 2, "north_kazakhstan": 1.5, "kostanay": 1.5, "east_kazakhstan": 2, "abai": 1.5,
    "akmola": 3,
}
# Regional quotas (kandas, resettlers) by year, §1.2 (2023: the original order; 2024: the revised one).
QUOTAS: dict[int, tuple[int, int]] = {
    2022: (1_499, 6_587), 2023: (1_925, 6_727), 2024: (3_033, 6_450), 2025: (2_309, 7_344), 2026: (2_281, 5_997),
}
# Where they are settled: the 2025 regional split of §1.2 (resettlers: the known regions, 2023 for the rest).
KANDAS_REGION_WEIGHTS: dict[str, float] = {
    "pavlodar": 1056, "north_kazakhstan": 175, "kostanay": 150, "east_kazakhstan": 269, "abai": 244, "akmola": 285,
    "atyrau": 100, "west_kazakhstan": 30,
}
RESETTLER_REGION_WEIGHTS: dict[str, float] = {
    "pavlodar": 3050, "north_kazakhstan": 2969, "kostanay": 535, "east_kazakhstan": 305, "abai": 238, "ulytau": 120,
    "karaganda": 33, "akmola": 100,
}
# fmt: on

INTERREGIONAL_TOTAL: dict[int, int] = {2022: 502_000, 2023: 640_000, 2024: 689_500, 2025: 846_000}
"""Interregional movers a year: 2024 official (§8.2); 2023 = 2024 level less a little; 2022 = 2023 / 1.275."""

NORTH_SHARE: dict[int, float] = {2022: 0.115, 2023: 0.125, 2024: 0.135, 2025: 0.147}
"""Share of interregional movers who go to the year's labour-deficit regions (2025: the brief's 14.7%)."""

QUALIFIED_SHARE: dict[int, float] = {2022: 0.58, 2023: 0.61, 2024: 0.64, 2025: 0.67}
"""Assumed national share of qualified arrivals (no published figure; the 2030 target is 95%)."""

KANDAS_SHARE_OF_MOVERS = 0.03
"""Assumed share of kandas among interregional movers."""

FILL_RATE = {"kandas": 0.80, "resettler": 0.70}
"""Assumed share of quota places filled (§1.2: 1 942 of 2 309 kandas places by November 2025)."""

ABLE_BODIED = {"kandas": 0.574, "resettler": 0.62}
"""Working-age share: kandas 57.4% on 1 Jan 2026 (§8.3); resettlers assumed a little higher."""


def _nearest(table: Mapping[int, float], year: int, step: float = 0.0) -> float:
    """``table[year]``, else the nearest year's value plus ``step`` per year beyond the last."""
    if year in table:
        return table[year]
    first, last = min(table), max(table)
    if year < first:
        return table[first]
    return table[last] + step * (year - last)


def _weights(table: Mapping[str, float], default: float = 0.0) -> FloatArray:
    """A weight per region, in :data:`KATO` order."""
    return np.array([table.get(s, default) for s in SLUGS], dtype=np.float64)


def _months(year: int, until: dt.date) -> int:
    """How many months of ``year`` have data on ``until`` (0 for a future year, 12 for a past one)."""
    if year < until.year:
        return 12
    if year > until.year:
        return 0
    return until.month


# --- monitoring ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonitoringData:
    """Rows for the three monitoring tables, as Arrow tables with the tables' column names."""

    flows: pa.Table
    moves: pa.Table
    followups: pa.Table


def _official(indicator: Indicator, year: int) -> float:
    """The official figure the synthetic series is calibrated on (present for every reference year)."""
    f = figure(indicator, year)
    if f is None or f.value is None:
        raise LookupError(f"no official {indicator.value} for {year} to calibrate on")
    return f.value


def _flows(rng: np.random.Generator, years: Sequence[int], until: dt.date) -> pa.Table:
    month_w = np.array(MONTH_WEIGHTS)
    arrive_w = _weights(ARRIVAL_WEIGHTS)
    depart_w = _weights(DEPARTURE_WEIGHTS)
    offset = np.array([QUALIFIED_OFFSET.get(s, -0.04) for s in SLUGS])
    cols: dict[str, list[IntArray]] = {k: [] for k in ("year", "month", "arrivals", "departures", "qualified")}
    regions: list[IntArray] = []
    for year in years:
        months = _months(year, until)
        if months == 0:
            continue
        ref_year = min(max(year, YEARS[0]), YEARS[-1])  # outside the official years: the nearest one
        part = month_w[:months].sum() / month_w.sum()
        cell = np.outer(month_w[:months], np.ones(len(KATO)))
        n_arr = round(_official(Indicator.external_arrivals, ref_year) * part * float(np.exp(rng.normal(0.0, 0.02))))
        n_dep = round(_official(Indicator.external_departures, ref_year) * part * float(np.exp(rng.normal(0.0, 0.02))))
        p_arr = (cell * arrive_w).ravel()
        p_dep = (cell * depart_w).ravel()
        arrivals = rng.multinomial(n_arr, p_arr / p_arr.sum())
        departures = rng.multinomial(n_dep, p_dep / p_dep.sum())
        share = np.clip(_nearest(QUALIFIED_SHARE, year, 0.03) + np.tile(offset, months), 0.05, 0.97)
        qualified = rng.binomial(arrivals, share)
        month_idx, region_idx = np.divmod(np.arange(months * len(KATO)), len(KATO))
        cols["year"].append(np.full(len(arrivals), year))
        cols["month"].append(month_idx + 1)
        cols["arrivals"].append(arrivals)
        cols["departures"].append(departures)
        cols["qualified"].append(qualified)
        regions.append(region_idx)
    region_idx = np.concatenate(regions) if regions else np.zeros(0, np.int64)
    return pa.table(
        {
            "year": pa.array(np.concatenate(cols["year"]) if regions else [], pa.int64()),
            "month": pa.array(np.concatenate(cols["month"]) if regions else [], pa.int64()),
            "region": pa.array([KATO[i] for i in region_idx], pa.string()),
            "arrivals": pa.array(np.concatenate(cols["arrivals"]) if regions else [], pa.int64()),
            "departures": pa.array(np.concatenate(cols["departures"]) if regions else [], pa.int64()),
            "arrivals_qualified": pa.array(np.concatenate(cols["qualified"]) if regions else [], pa.int64()),
        }
    )


def route_probabilities(year: int, share: float) -> FloatArray:
    """Origin × destination probabilities (no stays) where ``share`` of movers go to the year's deficit regions.

    Destination weights of the deficit regions are scaled by one factor, found by bisection.
    """
    origin = _weights(ORIGIN_WEIGHTS)
    dest = _weights(DESTINATION_WEIGHTS)
    deficit = np.isin(np.array(KATO), labour_deficit(year).regions)
    off_diagonal = 1.0 - np.eye(len(KATO))

    def matrix(k: float) -> FloatArray:
        w = dest * np.where(deficit, k, 1.0)
        rows = off_diagonal * w
        rows = rows / rows.sum(axis=1, keepdims=True)
        return np.asarray(origin[:, None] / origin.sum() * rows, dtype=np.float64)

    lo, hi = 1e-3, 1e3
    for _ in range(60):
        mid = (lo * hi) ** 0.5
        if matrix(mid)[:, deficit].sum() < share:
            lo = mid
        else:
            hi = mid
    return matrix((lo * hi) ** 0.5)


def _moves(rng: np.random.Generator, years: Sequence[int], until: dt.date) -> pa.Table:
    month_w = np.array(MONTH_WEIGHTS)
    n = len(KATO)
    parts: dict[str, list[IntArray]] = {k: [] for k in ("year", "month", "origin", "destination", "category", "n")}
    for year in years:
        months = _months(year, until)
        if months == 0:
            continue
        route = route_probabilities(year, _nearest(NORTH_SHARE, year, 0.005))
        part = month_w[:months].sum() / month_w.sum()
        total = round(_nearest(INTERREGIONAL_TOTAL, year) * part * float(np.exp(rng.normal(0.0, 0.02))))
        category = np.array([1.0 - KANDAS_SHARE_OF_MOVERS, KANDAS_SHARE_OF_MOVERS])
        p = (month_w[:months, None, None, None] * route[None, :, :, None] * category[None, None, None, :]).ravel()
        counts = rng.multinomial(total, p / p.sum())
        keep = np.flatnonzero(counts)
        month_i, rest = np.divmod(keep, n * n * 2)
        origin_i, rest = np.divmod(rest, n * 2)
        dest_i, cat_i = np.divmod(rest, 2)
        parts["year"].append(np.full(len(keep), year))
        parts["month"].append(month_i + 1)
        parts["origin"].append(origin_i)
        parts["destination"].append(dest_i)
        parts["category"].append(cat_i)
        parts["n"].append(counts[keep])
    cat = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in parts.items()}
    kato = np.array(KATO)
    return pa.table(
        {
            "year": pa.array(cat["year"], pa.int64()),
            "month": pa.array(cat["month"], pa.int64()),
            "origin_region": pa.array(kato[cat["origin"]], pa.string()),
            "destination_region": pa.array(kato[cat["destination"]], pa.string()),
            "category": pa.array(np.array(["citizen", "kandas"])[cat["category"]], pa.string()),
            "movers": pa.array(cat["n"], pa.int64()),
        }
    )


def _followups(rng: np.random.Generator, years: Sequence[int], until: dt.date) -> pa.Table:
    chunks: list[dict[str, npt.NDArray[np.generic]]] = []
    for year in years:
        months = _months(year, until)
        if months == 0:
            continue
        quota_kandas, quota_resettlers = QUOTAS[min(max(year, min(QUOTAS)), max(QUOTAS))]
        for category, quota, weights, kandas in (
            ("kandas", quota_kandas, KANDAS_REGION_WEIGHTS, True),
            ("resettler", quota_resettlers, RESETTLER_REGION_WEIGHTS, False),
        ):
            allowed = np.isin(np.array(KATO), labour_deficit(year, kandas=kandas).regions)
            w = _weights(weights) * allowed
            if not w.any():
                continue
            n = int(rng.binomial(round(quota * months / 12), FILL_RATE[category]))
            region = rng.choice(len(KATO), size=n, p=w / w.sum())
            able = rng.random(n) < ABLE_BODIED[category]
            settled_for = until.year - year  # whole years between settling and the follow-up
            p_employed = min(0.95, 0.70 + 0.06 * settled_for) - (0.07 if kandas else 0.0)
            employed = able & (rng.random(n) < p_employed)
            chunks.append(
                {
                    "category": np.full(n, category),
                    "year_settled": np.full(n, year),
                    "region": np.array(KATO)[region],
                    "able_bodied": able,
                    "employed": employed,
                }
            )

    def column(key: str) -> npt.NDArray[np.generic]:
        return np.concatenate([c[key] for c in chunks]) if chunks else np.zeros(0)

    total = sum(len(c["category"]) for c in chunks)
    refs = [f"F{i:07d}" for i in range(1, total + 1)]
    return pa.table(
        {
            "person_ref": pa.array(refs, pa.string()),
            "category": pa.array(column("category").astype(str) if total else [], pa.string()),
            "year_settled": pa.array(column("year_settled").astype(np.int64) if total else [], pa.int64()),
            "region": pa.array(column("region").astype(str) if total else [], pa.string()),
            "able_bodied": pa.array(column("able_bodied").astype(bool) if total else [], pa.bool_()),
            "employed": pa.array(column("employed").astype(bool) if total else [], pa.bool_()),
            "observed_on": pa.array([until] * total, pa.date32()),
        }
    )


def generate_monitoring(seed: int, *, years: Sequence[int], until: dt.date) -> MonitoringData:
    """Monitoring rows for ``years`` up to the month of ``until`` (the follow-up date); same seed, same rows."""
    rng = np.random.default_rng(seed)
    years = sorted(set(years))
    return MonitoringData(_flows(rng, years, until), _moves(rng, years, until), _followups(rng, years, until))


# --- a year of decisions ---------------------------------------------------------------------

P_APPROVE = {"eligible": 0.95, "manual_review": 0.55, "refused": 0.04}
"""Chance that the officer approves, by the engine's recommendation (else a refusal is proposed)."""
P_CONFIRM = 0.92
"""Chance that the second officer confirms a proposed refusal (else it goes back to review)."""
P_WITHDRAW = 0.02
P_APPEAL = 0.15
P_OVERTURN = 0.2
U_DRAWS = ("decision", "confirm", "withdraw", "appeal", "overturn")
MEAN_DAYS = {"take": 4.0, "decide": 12.0, "confirm": 3.0, "appeal": 10.0, "appeal_decide": 15.0}
"""Mean delays (days, exponential) between the steps of a case."""


def plan_decisions(
    packs: Sequence[str], seed: int, *, year: int, now: dt.datetime, starts: Mapping[str, dt.date]
) -> pa.Table:
    """When each application of ``year`` was submitted and how it would proceed; one row per entry of ``packs``.

    Row ``i`` files ``packs[i]``, submitted between the pack's first day (``starts``: its
    first effective date, or 1 January if later) and the earlier of 31 December and
    ``now``, more in summer than in winter (null when the pack is not in force in that
    window: nobody could file it).  Delays are in days (exponential); a step
    that would fall after ``now`` has not happened yet.  Columns: ``pack``,
    ``submitted_at``, the delays ``<step>_days`` and the uniform draws ``u_<choice>``
    that the replay compares with :data:`P_APPROVE` and the other chances.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rng = np.random.default_rng(seed)
    n = len(packs)
    pack = np.array(packs, dtype=object)
    end = min(dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC), now.astimezone(dt.UTC))
    submitted = np.empty(n, dtype="datetime64[s]")
    for pack_id in sorted(set(packs)):
        rows = np.flatnonzero(pack == pack_id)
        first = starts.get(pack_id, dt.date(year, 1, 1))
        start = max(dt.datetime(year, 1, 1, tzinfo=dt.UTC), dt.datetime.combine(first, dt.time(), dt.UTC))
        submitted[rows] = _seasonal_times(rng, len(rows), start, end)
    delays = {k: rng.exponential(m, n) for k, m in MEAN_DAYS.items()}
    return pa.table(
        {
            "pack": pa.array(list(packs), pa.string()),
            "submitted_at": pa.array(submitted, pa.timestamp("s", tz="UTC")),
            **{f"{k}_days": pa.array(v, pa.float64()) for k, v in delays.items()},
            **{f"u_{k}": pa.array(rng.random(n), pa.float64()) for k in U_DRAWS},
        }
    )


def _seasonal_times(
    rng: np.random.Generator, n: int, start: dt.datetime, end: dt.datetime
) -> npt.NDArray[np.datetime64]:
    """``n`` instants in ``[start, end)`` with the month weights of :data:`MONTH_WEIGHTS` (by rejection)."""
    if n == 0 or end <= start:  # the pack is not in force in the window: nobody could apply
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    lo = np.datetime64(start.replace(tzinfo=None), "s")
    span = int((end - start).total_seconds())
    out = np.empty(0, dtype="datetime64[s]")
    top = max(MONTH_WEIGHTS)
    while len(out) < n:
        t = lo + rng.integers(0, span, 2 * n).astype("timedelta64[s]")
        month = t.astype("datetime64[M]").astype(np.int64) % 12
        keep = rng.random(len(t)) < np.array(MONTH_WEIGHTS)[month] / top
        out = np.concatenate([out, t[keep]])
    return out[:n]


__all__ = ["MonitoringData", "generate_monitoring", "plan_decisions", "route_probabilities"]
