"""Resettlement matching at scale: 100,000 families × 50,000 vacancies, optimal against the greedy queue.

Run with ``make bench-resettle`` (or ``.venv/bin/python benchmarks/bench_resettle.py``).

The synthetic year (seeded, numpy) follows the 2026 order (``shared/domain/kazakhstan.md`` §1.2-1.3):
kandas go to Pavlodar, North Kazakhstan, Kostanay, East Kazakhstan, Abai, Akmola, Atyrau and West
Kazakhstan; resettlers to Pavlodar, North Kazakhstan, Kostanay, East Kazakhstan, Abai, Ulytau and
Karaganda, from the southern labour-surplus regions. The 2026 person quotas are scaled by one factor
(``--quota-scale``) so that they bind where vacancies are plentiful and not where they are scarce.
Occupations are real ISCO-08 unit groups. The vacancies lean to the jobs these regions post
(engineering, health, teaching, machine and farm work). The applicants lean to clerical, sales, service and
elementary work. Few vacancies are elementary (0.1%), because each one fits every family heading to its
region and so drives the pair count. 80% of the vacancies offer housing for 2-8 persons. Families are a
quarter kandas, of size 1-10 (mean about 3.4), and 88% name one region. With these settings 100,000 × 50,000
give about 5.5M feasible pairs.

Timed: building the feasible pairs (vectorised), :func:`koshi.resettle.matching.solve` (the pairs are
built again inside; its seconds include them) and :func:`~koshi.resettle.matching.greedy`. Reported:
pairs, objective, bound and gap, persons and families placed, first-preference and exact-occupation
shares, binding quotas, peak RSS (``ru_maxrss``, generation included). Results go to
``benchmarks/out/resettle.json``; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import time
from pathlib import Path

import numpy as np
import ortools

from koshi.resettle import matching
from koshi.resettle import pairs as pairs_
from koshi.resettle.matching import Family, Problem, Result, Vacancy, greedy, solve

OUT = Path(__file__).parent / "out"

# 2026 order (persons), kazakhstan.md §1.2.
QUOTA_2026 = {
    ("550000000", "kandas"): 977,
    ("590000000", "kandas"): 200,
    ("390000000", "kandas"): 200,
    ("630000000", "kandas"): 200,
    ("100000000", "kandas"): 264,
    ("110000000", "kandas"): 285,
    ("230000000", "kandas"): 125,
    ("270000000", "kandas"): 30,
    ("550000000", "resettler"): 1655,
    ("590000000", "resettler"): 2820,
    ("390000000", "resettler"): 485,
    ("630000000", "resettler"): 600,
    ("100000000", "resettler"): 275,
    ("620000000", "resettler"): 125,
    ("350000000", "resettler"): 37,
}
# Share of the vacancies posted per receiving region (illustrative: the big northern regions first).
VACANCY_SHARE = {
    "550000000": 0.12,
    "590000000": 0.10,
    "390000000": 0.10,
    "630000000": 0.12,
    "100000000": 0.09,
    "110000000": 0.10,
    "350000000": 0.12,
    "620000000": 0.06,
    "230000000": 0.11,
    "270000000": 0.08,
}
# How families rank regions (first choice), by category.
PREFERRED = {
    "resettler": {
        "590000000": 0.34,
        "550000000": 0.26,
        "390000000": 0.10,
        "630000000": 0.11,
        "100000000": 0.08,
        "620000000": 0.05,
        "350000000": 0.06,
    },
    "kandas": {
        "550000000": 0.30,
        "110000000": 0.14,
        "100000000": 0.13,
        "630000000": 0.12,
        "390000000": 0.10,
        "590000000": 0.09,
        "230000000": 0.08,
        "270000000": 0.04,
    },
}
ORIGINS = {
    "610000000": 0.40,
    "310000000": 0.15,
    "430000000": 0.12,
    "470000000": 0.10,
    "190000000": 0.08,
    "330000000": 0.07,
    "790000000": 0.08,
}
# ISCO-08 sub-major groups (2 digits) with their unit groups, and weights: what the receiving regions post
# (vacancies) and what the job seekers of the south did last (family heads). The two mixes differ on purpose
# (the skills mismatch the programme deals with): the north asks for engineers, health, teaching, machine
# and farm work; the applicants are more often clerks, sales and service workers and labourers.
OCCUPATIONS: dict[str, tuple[float, float, tuple[str, ...]]] = {  # group: (vacancy weight, family weight, units)
    "12": (0.5, 0.3, ("1211", "1219")),
    "13": (1, 0.3, ("1311", "1321")),
    "14": (0.3, 0.5, ("1412",)),
    "21": (4, 0.2, ("2142", "2144", "2146", "2151")),
    "22": (4, 0.15, ("2211", "2212", "2221")),
    "23": (4, 0.4, ("2330", "2341", "2342")),
    "24": (0.5, 3, ("2411", "2421")),
    "25": (0.8, 0.8, ("2512", "2522")),
    "26": (0.3, 3, ("2611", "2635", "2642")),
    "31": (4, 0.2, ("3112", "3113", "3115", "3123")),
    "32": (3, 0.2, ("3213", "3221", "3256")),
    "33": (0.5, 3, ("3312", "3313", "3322")),
    "34": (0.4, 1.5, ("3422", "3432")),
    "35": (0.6, 0.6, ("3512", "3513")),
    "41": (0.4, 4, ("4110", "4120")),
    "42": (0.4, 2.5, ("4211", "4225")),
    "43": (0.6, 2, ("4311", "4321")),
    "44": (0.2, 1, ("4411",)),
    "51": (0.8, 4, ("5120", "5131", "5141")),
    "52": (0.4, 6, ("5223", "5230")),
    "53": (1.2, 2, ("5311", "5321")),
    "54": (0.4, 4, ("5411", "5414")),
    "61": (4, 0.6, ("6111", "6121", "6130")),
    "62": (1, 0.3, ("6210", "6221")),
    "63": (0.1, 2, ("6310",)),
    "71": (2, 1, ("7112", "7115", "7126", "7131")),
    "72": (6, 0.4, ("7212", "7223", "7231", "7233")),
    "73": (0.3, 1, ("7318", "7322")),
    "74": (4, 0.3, ("7411", "7412", "7421")),
    "75": (1.5, 2, ("7512", "7513", "7531")),
    "81": (4, 0.15, ("8111", "8113", "8160", "8182")),
    "82": (0.5, 0.5, ("8219",)),
    "83": (4, 0.8, ("8322", "8331", "8332", "8341", "8342")),
    # Elementary occupations (major group 9): their vacancies fit every family (see --elementary-share).
    "91": (1, 3, ("9111", "9112")),
    "92": (1, 4, ("9211", "9212", "9214")),
    "93": (1, 5, ("9311", "9312", "9313", "9321", "9333")),
    "94": (0.3, 1, ("9412",)),
    "96": (0.5, 2, ("9613", "9622")),
}


def synthetic(n_families: int, n_vacancies: int, seed: int, quota_scale: float, elementary_share: float) -> Problem:
    """A seeded synthetic year of families and vacancies with the 2026 receiving regions and scaled quotas."""
    rng = np.random.default_rng(seed)
    receiving: dict[str, frozenset[str]] = {}
    for kato, category in QUOTA_2026:
        receiving.setdefault(category, frozenset())
        receiving[category] = receiving[category] | {kato}
    quota = {k: round(v * quota_scale) for k, v in QUOTA_2026.items()}

    def draw(weights: dict[str, float] | dict[str, int], n: int) -> list[str]:
        keys = list(weights)
        p = np.array([weights[k] for k in keys], dtype=float)
        return [keys[i] for i in rng.choice(len(keys), size=n, p=p / p.sum())]

    def unit(group: str) -> str:
        units = OCCUPATIONS[group][2]
        return units[int(rng.integers(len(units)))]

    regions = draw(VACANCY_SHARE, n_vacancies)
    n_elem = round(n_vacancies * elementary_share)
    skilled = {g: w for g, (w, _, _) in OCCUPATIONS.items() if g[0] != "9"}
    elementary = {g: w for g, (w, _, _) in OCCUPATIONS.items() if g[0] == "9"}
    iscos = [unit(g) for g in draw(skilled, n_vacancies - n_elem) + draw(elementary, n_elem)]
    rng.shuffle(iscos)  # type: ignore[arg-type]
    housing = rng.random(n_vacancies) < 0.8
    capacity = rng.choice([2, 3, 4, 5, 6, 8], size=n_vacancies, p=[0.25, 0.25, 0.2, 0.15, 0.1, 0.05])
    settlement = rng.integers(1, 40, n_vacancies)
    wage = rng.integers(150, 600, n_vacancies) * 1000
    vacancies = [
        Vacancy(
            f"V{i:06d}",
            regions[i],
            f"{regions[i][:2]}{int(settlement[i]):03d}0000",
            iscos[i],
            int(wage[i]),
            int(capacity[i]) if housing[i] else None,
        )
        for i in range(n_vacancies)
    ]

    kandas = rng.random(n_families) < 0.25
    size = np.minimum(10, 1 + rng.poisson(2.4, n_families))
    f_isco = [unit(g) for g in draw({g: w for g, (_, w, _) in OCCUPATIONS.items()}, n_families)]
    n_prefs = rng.choice(4, size=n_families, p=[0.01, 0.88, 0.09, 0.02])
    origins = draw(ORIGINS, n_families)
    families = []
    for i in range(n_families):
        category = "kandas" if kandas[i] else "resettler"
        weights = PREFERRED[category]
        keys = list(weights)
        p = np.array([weights[k] for k in keys])
        k = int(n_prefs[i])
        prefs = tuple(keys[j] for j in rng.choice(len(keys), size=k, replace=False, p=p / p.sum())) if k else ()
        origin = None if category == "kandas" and rng.random() < 0.8 else origins[i]
        families.append(Family(f"F{i:06d}", category, int(size[i]), f_isco[i], origin, prefs))
    return Problem(families, vacancies, quota, receiving)


def _rss_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def cpu() -> str:
    """The processor's model name (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def quality(problem: Problem, result: Result) -> dict[str, float | int]:
    """Objective, persons and families placed, and the shares of first preferences and exact occupations."""
    q = matching.quality(result)
    return {
        "objective": result.objective,
        "persons_placed": result.persons,
        "families_placed": q["families"],
        "first_preference_share": q["first_choice_share"],
        "exact_occupation_share": q["exact_occupation_share"],
        "seconds": round(result.seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=100_000)
    parser.add_argument("--vacancies", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--quota-scale", type=float, default=14.0)
    parser.add_argument("--elementary-share", type=float, default=0.001)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--target-gap", type=float, default=0.0, help="stop once the proven gap is this small")
    args = parser.parse_args()
    load = os.getloadavg()[0]

    t0 = time.perf_counter()
    problem = synthetic(args.families, args.vacancies, args.seed, args.quota_scale, args.elementary_share)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    cols, pairs = pairs_.build(problem.families, problem.vacancies, problem.quota, problem.receiving)
    t_pairs = time.perf_counter() - t0
    print(
        f"generated {args.families:,} families, {args.vacancies:,} vacancies in {t_gen:.1f} s; "
        f"{len(pairs):,} feasible pairs built in {t_pairs:.1f} s",
        flush=True,
    )
    del cols, pairs

    optimal = solve(problem, time_limit=args.time_limit, target_gap=args.target_gap)
    print(
        f"optimal: objective {optimal.objective:,}, bound {optimal.bound:,}, gap {optimal.gap:.6%}, "
        f"{optimal.seconds:.1f} s, {optimal.iterations} flows ({optimal.note})",
        flush=True,
    )
    base = greedy(problem)
    print(f"greedy: objective {base.objective:,}, {base.seconds:.1f} s", flush=True)
    binding = sorted(f"{k[0]}/{k[1]}" for k, used in optimal.placed_by_group.items() if problem.quota[k] - used < 10)
    opt_q, greedy_q = quality(problem, optimal), quality(problem, base)
    figures = {
        "date": dt.date.today().isoformat(),
        "machine": f"{cpu()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"OR-Tools {ortools.__version__}",
        "load_average_before": round(load, 2),
        "families": args.families,
        "vacancies": args.vacancies,
        "persons_applying": sum(f.size for f in problem.families),
        "quota_persons": sum(problem.quota.values()),
        "seed": args.seed,
        "quota_scale": args.quota_scale,
        "pairs": optimal.pairs,
        "generation_seconds": round(t_gen, 2),
        "pairs_seconds": round(t_pairs, 2),
        "optimal": {
            **opt_q,
            "bound": optimal.bound,
            "gap": optimal.gap,
            "flows": optimal.iterations,
            "note": optimal.note,
        },
        "greedy": greedy_q,
        "gain": {
            "objective": optimal.objective - base.objective,
            "objective_share": round((optimal.objective - base.objective) / base.objective, 4),
            "persons": optimal.persons - base.persons,
            "families": len(optimal.placements) - len(base.placements),
            "greedy_gap_to_bound": round((optimal.bound or 0) - base.objective) / (optimal.bound or 1),
        },
        "quotas_full_in_optimal": binding,
        "peak_rss_mib": _rss_mib(),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "resettle.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
