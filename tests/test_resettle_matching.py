"""Resettlement matching: feasibility, the quota, the reasons, and optimality against exact solvers."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from koshi.resettle import matching, pairs
from koshi.resettle.matching import Family, Problem, Result, Vacancy, greedy, score_parts, solve

PAV, SKO, KOS, TURK = "550000000", "590000000", "390000000", "610000000"
RECEIVING = {"resettler": frozenset({PAV, SKO, KOS}), "kandas": frozenset({PAV, KOS})}


def vac(key: str, region: str, isco: str, housing: int | None = None) -> Vacancy:
    return Vacancy(key, region, region[:2] + "1010000", isco, 300_000, housing)


def fam(
    key: str,
    size: int,
    isco: str,
    prefs: tuple[str, ...] = (),
    *,
    category: str = "resettler",
    origin: str | None = TURK,
) -> Family:
    return Family(key, category, size, isco, origin, prefs)


def quota(value: int) -> dict[tuple[str, str], int]:
    return {(r, c): value for c, regions in RECEIVING.items() for r in regions}


def check_feasible(problem: Problem, result: Result) -> None:
    """Independent check of a plan: one vacancy per family and family per vacancy, feasible pairs,
    quotas kept, scores and totals right, every family either placed or given a reason."""
    families = {f.key: f for f in problem.families}
    vacancies = {v.key: v for v in problem.vacancies}
    assert len({p.family for p in result.placements}) == len(result.placements)
    assert len({p.vacancy for p in result.placements}) == len(result.placements)
    used: Counter[tuple[str, str]] = Counter()
    for p in result.placements:
        f, v = families[p.family], vacancies[p.vacancy]
        parts = score_parts(f, v, problem.receiving)
        assert parts is not None
        assert dict(p.parts) == parts and p.score == sum(parts.values())
        used[(v.region_kato, f.category)] += f.size
    for key, persons in used.items():
        assert persons <= problem.quota.get(key, 0), key
    assert result.objective == sum(p.score for p in result.placements)
    assert result.persons == sum(families[p.family].size for p in result.placements)
    placed = {p.family for p in result.placements}
    assert set(result.unmatched) == set(families) - placed


def exact_cpsat(problem: Problem) -> int:
    """The optimum by CP-SAT, written here from score_parts alone (independent of the solver's model)."""
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    score: dict[tuple[int, int], int] = {}
    for i, f in enumerate(problem.families):
        for j, v in enumerate(problem.vacancies):
            parts = score_parts(f, v, problem.receiving)
            if parts is not None and problem.quota.get((v.region_kato, f.category), 0) >= f.size:
                x[i, j] = model.new_bool_var(f"x{i}_{j}")
                score[i, j] = sum(parts.values())
    for i in range(len(problem.families)):
        model.add(sum(var for (a, _), var in x.items() if a == i) <= 1)
    for j in range(len(problem.vacancies)):
        model.add(sum(var for (_, b), var in x.items() if b == j) <= 1)
    for key, q in problem.quota.items():
        model.add(
            sum(
                problem.families[i].size * var
                for (i, j), var in x.items()
                if (problem.vacancies[j].region_kato, problem.families[i].category) == key
            )
            <= q
        )
    model.maximize(sum(score[k] * var for k, var in x.items()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


def brute_force(problem: Problem) -> int:
    """The optimum by trying every assignment (tiny problems only)."""
    options: list[list[tuple[int, int] | None]] = []
    for f in problem.families:
        opts: list[tuple[int, int] | None] = [None]
        for j, v in enumerate(problem.vacancies):
            parts = score_parts(f, v, problem.receiving)
            if parts is not None:
                opts.append((j, sum(parts.values())))
        options.append(opts)
    best = 0
    for choice in itertools.product(*options):
        taken = [c[0] for c in choice if c is not None]
        if len(taken) != len(set(taken)):
            continue
        used: Counter[tuple[str, str]] = Counter()
        for f, c in zip(problem.families, choice, strict=True):
            if c is not None:
                used[(problem.vacancies[c[0]].region_kato, f.category)] += f.size
        if all(n <= problem.quota.get(k, 0) for k, n in used.items()):
            best = max(best, sum(c[1] for c in choice if c is not None))
    return best


# --- scores and pairs ------------------------------------------------------------------------


def test_score_parts_terms() -> None:
    f = fam("f", 4, "7212", (SKO, PAV))
    assert score_parts(f, vac("v", PAV, "7212", 4)) == {
        "persons": 400,
        "occupation": 60,
        "preference": 20,
        "housing": 20,
    }
    assert score_parts(f, vac("v", SKO, "7219", 6))["occupation"] == 40  # type: ignore[index]
    assert score_parts(f, vac("v", SKO, "7231", None)) == {
        "persons": 400,
        "occupation": 20,
        "preference": 30,
        "housing": 0,
    }
    assert score_parts(f, vac("v", SKO, "9211", 8))["housing"] == 0  # type: ignore[index]
    assert score_parts(f, vac("v", SKO, "9211", None))["occupation"] == 0  # type: ignore[index]


@pytest.mark.parametrize(
    ("family", "vacancy", "why"),
    [
        (fam("f", 3, "7212", (SKO,)), vac("v", PAV, "7212"), "not a preferred region"),
        (fam("f", 3, "7212", origin=PAV), vac("v", PAV, "7212"), "origin region"),
        (fam("f", 3, "7212"), vac("v", PAV, "2341"), "other occupation, not elementary"),
        (fam("f", 5, "7212"), vac("v", PAV, "7212", 4), "housing too small"),
        (fam("f", 2, "7212", category="kandas"), vac("v", SKO, "7212"), "region does not receive kandas"),
    ],
)
def test_infeasible_pairs(family: Family, vacancy: Vacancy, why: str) -> None:
    assert score_parts(family, vacancy, RECEIVING) is None, why
    _, built = pairs.build([family], [vacancy], quota(100), RECEIVING)
    assert len(built) == 0


ISCO = ("7212", "7213", "7231", "7411", "2341", "9211", "9312")
REGIONS = (PAV, SKO, KOS, TURK)


@st.composite
def problems(draw: st.DrawFn, max_families: int = 6, max_vacancies: int = 5) -> Problem:
    n_f = draw(st.integers(0, max_families))
    n_v = draw(st.integers(0, max_vacancies))
    families = [
        Family(
            f"F{i}",
            draw(st.sampled_from(("resettler", "kandas"))),
            draw(st.integers(1, 6)),
            draw(st.sampled_from(ISCO)),
            draw(st.sampled_from((None, TURK, PAV))),
            tuple(draw(st.lists(st.sampled_from(REGIONS), max_size=3, unique=True))),
        )
        for i in range(n_f)
    ]
    vacancies = [
        vac(
            f"V{j}",
            draw(st.sampled_from((PAV, SKO, KOS))),
            draw(st.sampled_from(ISCO)),
            draw(st.one_of(st.none(), st.integers(1, 7))),
        )
        for j in range(n_v)
    ]
    q = {(r, c): draw(st.integers(0, 9)) for c, regions in RECEIVING.items() for r in sorted(regions)}
    return Problem(families, vacancies, q, RECEIVING)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_families=12, max_vacancies=10))
def test_vectorised_pairs_match_score_parts(problem: Problem) -> None:
    """Every pair the columns build is feasible with the same points, and none is missing."""
    _, built = pairs.build(problem.families, problem.vacancies, problem.quota, problem.receiving)
    got = {
        (int(f), int(v)): (int(p), int(o), int(r), int(h))
        for f, v, p, o, r, h in zip(
            built.family, built.vacancy, built.persons, built.occupation, built.preference, built.housing, strict=True
        )
    }
    want = {}
    for i, f in enumerate(problem.families):
        for j, v in enumerate(problem.vacancies):
            parts = score_parts(f, v, problem.receiving)
            if parts is not None and problem.quota.get((v.region_kato, f.category), 0) >= f.size:
                want[i, j] = (parts["persons"], parts["occupation"], parts["preference"], parts["housing"])
    assert got == want
    assert (built.score == built.persons + built.occupation + built.preference + built.housing).all()
    groups = tuple(sorted(problem.quota))
    net = pairs.network(problem.families, problem.vacancies, problem.quota, problem.receiving, groups)
    assert net.pairs == len(want)


# --- optimality against exact solvers ----------------------------------------------------------


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_tiny_problems_against_brute_force(problem: Problem) -> None:
    best = brute_force(problem)
    result = solve(problem, time_limit=20)
    check_feasible(problem, result)
    assert result.bound is not None and result.bound >= best >= result.objective
    assert result.objective == best  # small problems are closed exactly (CP-SAT)
    assert result.gap == 0.0
    base = greedy(problem)
    check_feasible(problem, base)
    assert base.objective <= result.objective


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(problem=problems(max_families=10, max_vacancies=8))
def test_lagrangian_bound_is_valid_without_the_exact_finish(problem: Problem, monkeypatch_exact: None) -> None:
    """With CP-SAT switched off the plan is still feasible, never worse than greedy, and the reported bound
    really bounds the optimum (bound ≥ optimum ≥ objective; gap as reported)."""
    best = exact_cpsat(problem)
    result = solve(problem, time_limit=20)
    check_feasible(problem, result)
    assert result.bound is not None and result.gap is not None
    assert result.bound >= best >= result.objective
    assert result.objective >= greedy(problem).objective
    if result.bound:
        assert result.gap == pytest.approx((result.bound - result.objective) / result.bound)


@pytest.fixture
def monkeypatch_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching, "EXACT_PAIRS", -1)


def random_problem(n_families: int, n_vacancies: int, seed: int, quota_per_region: int) -> Problem:
    rng = random.Random(seed)
    iscos = ("7212", "7213", "7231", "7233", "8332", "8341", "2341", "2330", "2221", "6121", "9211", "9312")
    families = []
    for i in range(n_families):
        category = "kandas" if rng.random() < 0.3 else "resettler"
        regions = sorted(RECEIVING[category])
        prefs = tuple(rng.sample(regions, rng.choice((0, 1, 1, 2))))
        families.append(
            Family(f"F{i:05d}", category, rng.choice((1, 2, 3, 3, 4, 4, 5, 6, 8)), rng.choice(iscos), TURK, prefs)
        )
    vacancies = [
        vac(
            f"V{j:05d}",
            rng.choice((PAV, SKO, KOS)),
            rng.choice(iscos[:-2] * 4 + iscos[-2:]),
            rng.choice((None, 2, 3, 4, 5, 6)),
        )
        for j in range(n_vacancies)
    ]
    q = dict.fromkeys(quota(0), quota_per_region)
    q[(SKO, "resettler")] = 10 * quota_per_region  # this one never binds
    return Problem(families, vacancies, q, RECEIVING)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_small_problems_against_cpsat(seed: int) -> None:
    problem = random_problem(60, 40, seed, quota_per_region=25)
    best = exact_cpsat(problem)
    result = solve(problem, time_limit=20)
    check_feasible(problem, result)
    assert result.objective == best and result.bound == best and result.gap == 0.0
    base = greedy(problem)
    check_feasible(problem, base)
    assert base.objective <= best


def test_medium_problem_gap_is_small_and_honest(monkeypatch_exact: None) -> None:
    """A few thousand families (the store's size) without the exact finish: the Lagrangian plan is feasible,
    beats the queue, and its certified gap is small; the queue stays within the bound too."""
    problem = random_problem(3000, 1500, 7, quota_per_region=900)
    result = solve(problem, time_limit=20)
    check_feasible(problem, result)
    base = greedy(problem)
    check_feasible(problem, base)
    assert result.bound is not None and result.gap is not None
    assert base.objective <= result.objective <= result.bound
    assert result.gap < 0.01
    assert result.pairs == len(pairs.build(problem.families, problem.vacancies, problem.quota, RECEIVING)[1])


# --- behaviour -----------------------------------------------------------------------------------


def test_no_binding_quota_is_proven_optimal_by_the_first_flow() -> None:
    problem = Problem(
        [fam("a", 3, "7212", (PAV,)), fam("b", 2, "7212", (PAV, SKO)), fam("c", 4, "2341")],
        [vac("v1", PAV, "7212", 3), vac("v2", SKO, "7212"), vac("v3", KOS, "2341", 4)],
        quota(100),
        RECEIVING,
    )
    result = solve(problem)
    check_feasible(problem, result)
    assert result.gap == 0.0 and result.bound == result.objective and result.iterations == 1
    assert "no quota binds" in result.note
    assert {(p.family, p.vacancy) for p in result.placements} == {("a", "v1"), ("b", "v2"), ("c", "v3")}


def test_quota_exhausted_leaves_the_family_unmatched_with_the_reason() -> None:
    q = quota(100)
    q[(PAV, "resettler")] = 5
    problem = Problem(
        [fam("a", 4, "7212", (PAV,)), fam("b", 3, "7212", (PAV,))],
        [vac("v1", PAV, "7212"), vac("v2", PAV, "7212")],
        q,
        RECEIVING,
    )
    for result in (solve(problem), greedy(problem)):
        check_feasible(problem, result)
        assert len(result.placements) == 1
        (left_out,) = result.unmatched
        assert result.unmatched[left_out].startswith("quota exhausted")
    assert [p.family for p in solve(problem).placements] == ["a"]  # more persons placed
    q[(PAV, "resettler")] = 0
    problem = Problem([fam("a", 4, "7212", (PAV,))], [vac("v1", PAV, "7212")], q, RECEIVING)
    assert solve(problem).unmatched == {"a": "no receiving region has quota left for resettler"}
    q[(PAV, "resettler")] = 3
    assert greedy(problem).unmatched["a"] == (
        "no receiving region has quota left for a family of 4 (resettler: at most 3 persons left)"
    )


def test_family_larger_than_any_housing() -> None:
    problem = Problem(
        [fam("big", 9, "7212", (PAV,)), fam("small", 2, "7212", (PAV,))],
        [vac("v1", PAV, "7212", 6), vac("v2", PAV, "9211", 4)],
        quota(100),
        RECEIVING,
    )
    result = solve(problem)
    check_feasible(problem, result)
    assert result.unmatched == {"big": "family of 9 is larger than any housing offered (largest takes 6)"}


def test_other_reasons() -> None:
    problem = Problem(
        [
            fam("nojob", 2, "2341", (PAV,)),
            fam("norecv", 2, "7212", (TURK,)),
            fam("kandas", 2, "7212", (SKO,), category="kandas"),
            fam("first", 2, "7212", (KOS,)),
            fam("second", 2, "7212", (KOS,)),
        ],
        [vac("v1", PAV, "7212"), vac("v2", KOS, "7212")],
        quota(100),
        RECEIVING,
    )
    result = solve(problem)
    check_feasible(problem, result)
    assert result.unmatched["nojob"] == "no vacancy in occupation group 23 in an acceptable region"
    assert result.unmatched["norecv"] == "none of the regions the family prefers receives resettler this year"
    assert result.unmatched["kandas"] == "none of the regions the family prefers receives kandas this year"
    assert result.unmatched["second"] == "every fitting vacancy went to a better-fitting family"
    assert greedy(problem).unmatched["second"] == "every fitting vacancy was taken by a family earlier in the queue"


def test_preferences_origin_and_occupation_are_respected() -> None:
    """The better-scoring vacancies are in a region the family did not choose, its origin, or another
    occupation: the plan must not use them."""
    family = fam("f", 3, "7212", (KOS,), origin=PAV)
    problem = Problem(
        [family, fam("g", 3, "7212", origin=PAV)],
        [vac("pav", PAV, "7212", 3), vac("sko", SKO, "7212", 3), vac("kos", KOS, "9211"), vac("kos2", KOS, "2341", 3)],
        quota(100),
        RECEIVING,
    )
    for result in (solve(problem), greedy(problem)):
        check_feasible(problem, result)
        placed = {p.family: p.vacancy for p in result.placements}
        assert placed["f"] == "kos"  # elementary, the only fitting job in its one region
        assert placed["g"] == "sko"  # any region but its origin


def test_optimal_beats_the_queue_when_the_queue_is_short_sighted() -> None:
    """The first family in the queue takes the only vacancy the second can use; the optimum swaps them."""
    problem = Problem(
        [fam("early", 3, "7212"), fam("late", 3, "7212", (PAV,))],
        [vac("pav", PAV, "7212", 3), vac("sko", SKO, "7213", None)],
        quota(100),
        RECEIVING,
    )
    opt, base = solve(problem), greedy(problem)
    assert {p.family: p.vacancy for p in base.placements} == {"early": "pav"}
    assert {p.family: p.vacancy for p in opt.placements} == {"early": "sko", "late": "pav"}
    assert opt.objective > base.objective


def test_same_input_same_plan(monkeypatch_exact: None) -> None:
    problem = random_problem(2000, 1000, 11, quota_per_region=600)
    first, second = solve(problem, time_limit=10), solve(problem, time_limit=10)
    assert first.placements == second.placements and first.unmatched == second.unmatched
    assert (first.objective, first.bound) == (second.objective, second.bound)
    assert greedy(problem).placements == greedy(problem).placements


def test_same_input_same_plan_with_the_exact_finish() -> None:
    problem = random_problem(60, 40, 5, quota_per_region=20)
    first, second = solve(problem), solve(problem)
    assert first.placements == second.placements and first.gap == second.gap == 0.0


def test_empty_problem() -> None:
    problem = Problem([], [], quota(10), RECEIVING)
    result = solve(problem)
    assert result.placements == () and result.objective == 0 and result.gap == 0.0
    problem = Problem([fam("a", 2, "7212")], [], quota(10), RECEIVING)
    assert solve(problem).unmatched == {"a": "no vacancy in occupation group 72 in an acceptable region"}
    assert greedy(problem).placements == ()


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        (Problem([fam("RS-1", 0, "7212")], [], quota(1), RECEIVING), "family RS-1: size must be at least 1"),
        (Problem([fam("RS-2", 2, "72")], [], quota(1), RECEIVING), "family RS-2: isco must be a 4-digit"),
        (Problem([], [vac("V-1", PAV, "72a2")], quota(1), RECEIVING), "vacancy V-1: isco must be a 4-digit"),
        (Problem([], [vac("V-2", PAV, "7212", 0)], quota(1), RECEIVING), "vacancy V-2: housing_capacity"),
        (Problem([], [], {(PAV, "kandas"): -1}, RECEIVING), "quota 550000000/kandas: persons must not be negative"),
    ],
)
def test_bad_input_is_refused_with_the_record_and_field(problem: Problem, message: str) -> None:
    for run in (solve, greedy):
        with pytest.raises(ValueError, match=message):
            run(problem)


def test_region_names_for_messages() -> None:
    assert matching.region_names([SKO]) == "North Kazakhstan Region"
