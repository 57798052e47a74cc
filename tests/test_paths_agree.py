"""The vectorised path and the one-profile path give identical results (property test)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koshi.rules.engine import column_name, output_variables, public_table, score_profile, score_table
from koshi.rules.system import packs
from koshi.synth.applicants import generate_applicants
from tests.factories import ON, profiles

PACKS = list(packs().values())
DATES = st.dates(dt.date(2026, 2, 13), dt.date(2027, 12, 31))


@pytest.mark.parametrize("pack", PACKS, ids=[p.id for p in PACKS])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_vectorised_equals_one_profile(pack: Any, data: st.DataObject) -> None:
    batch = data.draw(st.lists(profiles(pack), min_size=1, max_size=6))
    on = data.draw(DATES)
    result = score_table(pack, pa.Table.from_pylist(batch), on)
    assert result.errors == []
    rows = public_table(result).to_pylist()
    for profile, row in zip(batch, rows, strict=True):
        ex = score_profile(pack, profile, on)
        assert row["total"] == ex.total
        assert row["decision"] == ex.decision
        assert row["parameters_hash"] == ex.parameters_hash
        for c in ex.criteria:
            assert row[f"{c.key}_points"] == c.points
        for g in ex.gates:
            assert row[("ko_" if g.kind == "knockout" else "review_") + g.key] == g.fired
    assert result.explanations() == [score_profile(pack, p, on) for p in batch]


def test_every_output_variable_has_a_column() -> None:
    for pack in PACKS:
        names = [column_name(pack, v) for v in output_variables(pack)]
        assert len(names) == len(set(names)), pack.id


@pytest.mark.parametrize("pack_id", ["kz.permanent_residence", "kz.kandas_status"])
def test_paths_agree_on_a_synthetic_batch(pack_id: str) -> None:
    # Hundreds of rows take code paths a handful does not (np.isin switches algorithm with size).
    pack = packs()[pack_id]
    table = generate_applicants(300, 11)
    rows = public_table(score_table(pack, table, ON)).to_pylist()
    for profile, row in zip(table.to_pylist(), rows, strict=True):
        ex = score_profile(pack, profile, ON)
        assert (row["total"], row["decision"]) == (ex.total, ex.decision), profile["id"]
