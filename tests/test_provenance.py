"""Parameters as law: dated values, provenance marks, references and the reproducibility hash."""

from __future__ import annotations

import datetime as dt

import pytest

from koshi.rules import provenance
from koshi.rules.system import packs

PACKS = list(packs().values())


@pytest.mark.parametrize("pack", PACKS, ids=[p.id for p in PACKS])
def test_every_parameter_has_a_reference_and_a_provenance(pack: object) -> None:
    snap = provenance.snapshot(pack, dt.date(2026, 6, 1))  # type: ignore[arg-type]
    assert snap.leaves
    for leaf in snap.leaves:
        assert provenance.references(leaf.path), leaf.path
        assert leaf.provenance in {"official", "designed", "secondary"}, leaf.path


def test_designed_values_are_marked_as_such() -> None:
    snap = provenance.snapshot(packs()["kz.permanent_residence"], dt.date(2026, 6, 1))
    by_path = {leaf.path: leaf for leaf in snap.leaves}
    assert by_path["kz.permanent_residence.points.education.isced_6"].provenance == "designed"
    assert by_path["kz.permanent_residence.pass_mark"].provenance == "official"


def test_hash_is_stable_within_a_version_and_changes_across_versions() -> None:
    kandas = packs()["kz.kandas_status"]
    a = provenance.snapshot(kandas, dt.date(2024, 3, 1))
    b = provenance.snapshot(kandas, dt.date(2024, 11, 30))
    c = provenance.snapshot(kandas, dt.date(2025, 3, 1))
    assert a.parameters_hash == b.parameters_hash
    assert a.version_date == b.version_date == dt.date(2024, 1, 1)
    assert c.parameters_hash != a.parameters_hash
    assert c.version_date == dt.date(2025, 1, 1)


def test_mrp_by_year() -> None:
    assert [provenance.value("kz.common.mrp", dt.date(y, 6, 1)) for y in (2023, 2024, 2025, 2026)] == [
        3450,
        3692,
        3932,
        4325,
    ]


def test_policy_not_in_force_before_its_first_version() -> None:
    with pytest.raises(provenance.PolicyNotInForce, match="starts 2026-02-13"):
        provenance.snapshot(packs()["kz.permanent_residence"], dt.date(2026, 2, 12))


def test_maximum_of_a_points_table() -> None:
    on = dt.date(2026, 3, 1)
    assert provenance.maximum("kz.permanent_residence.points.kazakh", on) == 150
    assert provenance.maximum("kz.permanent_residence.points.age", on) == 100
    assert provenance.maximum(1200, on) == 1200
