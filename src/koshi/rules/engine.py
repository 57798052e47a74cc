"""Scoring: the vectorised path for whole tables and the one-profile path.

Both build an OpenFisca simulation of the same model: the vectorised path sets
numpy arrays for every row at once; the one-profile path goes through OpenFisca's
situation JSON, as an API request would.  A property test keeps them equal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from openfisca_core.indexed_enums import Enum, EnumArray
from openfisca_core.simulations import SimulationBuilder

from koshi.rules import explain, provenance
from koshi.rules.pack import InputField, PolicyPack
from koshi.rules.system import packs, system
from koshi.rules.validation import RowError, profile_table, validate_table


class UnknownPack(KeyError):
    """No pack with that id."""

    def __str__(self) -> str:
        return f"unknown policy pack {self.args[0]!r}; known packs: {', '.join(packs())}"


class InvalidProfile(ValueError):
    """A single profile failed validation."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(f"field '{e.field}': {e.reason}" for e in errors))
        self.errors = errors


def get_pack(pack_id: str) -> PolicyPack:
    """The pack with this id, or :class:`UnknownPack`."""
    try:
        return packs()[pack_id]
    except KeyError:
        raise UnknownPack(pack_id) from None


def output_variables(pack: PolicyPack) -> list[str]:
    """Every family variable a score reports, in a stable order."""
    names = [c.variable for c in pack.criteria]
    names += [c.uncapped for c in pack.criteria if c.uncapped]
    names += [g.variable for g in (*pack.knockouts, *pack.reviews)]
    names += [pack.total, pack.decision, *pack.extra_outputs]
    return list(dict.fromkeys(names))


def _variable_default(name: str) -> Any:
    v = system().variables[name]
    d = v.default_value
    return d.name if isinstance(d, Enum) else d


def _encode(pack: PolicyPack, f: InputField, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    mapping = pack.encodings.get(f.column)
    if mapping is None:
        return values
    keys = np.array(list(mapping))
    vals = np.array(list(mapping.values()))
    order = np.argsort(keys)
    idx = np.searchsorted(keys[order], values)
    idx = np.clip(idx, 0, len(keys) - 1)
    return np.asarray(vals[order][idx])


def _decode(value: Any) -> Any:
    if isinstance(value, EnumArray):
        return value.decode_to_str()
    return value


def simulate(pack: PolicyPack, columns: dict[str, npt.NDArray[Any]], on: dt.date) -> dict[str, npt.NDArray[Any]]:
    """Compute every output variable for already-validated columns (one row per family)."""
    tbs = system()
    n = len(next(iter(columns.values()))) if columns else 0
    spouse = np.asarray(columns[pack.spouse_flag], dtype=bool) if pack.spouse_flag else np.zeros(n, dtype=bool)
    spouse_rows = np.flatnonzero(spouse)
    n_persons = n + len(spouse_rows)
    sb = SimulationBuilder()
    sb.create_entities(tbs)
    sb.declare_person_entity("applicant", np.arange(n_persons))
    families = sb.declare_entity("family", np.arange(n))
    sb.join_with_persons(
        families,
        np.concatenate([np.arange(n), spouse_rows]),
        np.concatenate([np.zeros(n, dtype=np.int64), np.ones(len(spouse_rows), dtype=np.int64)]),
    )
    sim = sb.build(tbs)
    person_inputs: dict[str, npt.NDArray[Any]] = {}
    for f in pack.fields:
        values = _encode(pack, f, columns[f.column])
        if f.role == "family":
            sim.set_input(f.variable, "ETERNITY", values)
            continue
        if f.variable not in person_inputs:
            default = _variable_default(f.variable)
            person_inputs[f.variable] = np.concatenate([values[:0], values[:0]])  # typed placeholder
            person_inputs[f.variable] = np.full(
                n_persons, default, dtype=values.dtype if values.dtype != object else object
            )
        target = person_inputs[f.variable]
        if f.role == "principal":
            target[:n] = values
        else:
            target[n:] = values[spouse_rows]
    for name, arr in person_inputs.items():
        sim.set_input(name, "ETERNITY", arr)
    period = on.isoformat()
    return {name: _decode(sim.calculate(name, period)) for name in output_variables(pack)}


@dataclass(slots=True)
class ScoreResult:
    """Scores of the valid rows (``row`` is the 1-based source row) and the rejected values."""

    pack: PolicyPack
    on: dt.date
    snapshot: provenance.PolicySnapshot
    table: pa.Table
    errors: list[RowError]
    inputs: dict[str, npt.NDArray[Any]]

    def explanations(self) -> list[explain.Explanation]:
        """One explanation per scored row, from the same columns."""
        cols = {name: self.table.column(name).to_numpy(zero_copy_only=False) for name in output_variables(self.pack)}
        out = []
        for i in range(self.table.num_rows):
            inputs = {k: _public(v[i]) for k, v in self.inputs.items()}
            outputs = {k: _public(v[i]) for k, v in cols.items()}
            out.append(explain.build(self.pack, self.on, inputs, outputs))
        return out


def _public(v: Any) -> Any:
    if isinstance(v, np.datetime64):
        return str(v.astype("datetime64[D]"))
    if isinstance(v, np.generic):
        return v.item()
    return v


def column_name(pack: PolicyPack, variable: str) -> str:
    """The output column for a variable: criteria as ``<key>_points``, gates as ``ko_``/``review_`` keys."""
    for c in pack.criteria:
        if c.variable == variable:
            return f"{c.key}_points"
        if c.uncapped == variable:
            return f"{c.key}_uncapped"
    for g in pack.knockouts:
        if g.variable == variable:
            return f"ko_{g.key}"
    for g in pack.reviews:
        if g.variable == variable:
            return f"review_{g.key}"
    if variable == pack.total:
        return "total"
    if variable == pack.decision:
        return "decision"
    return variable


def score_table(
    pack: PolicyPack, table: pa.Table, on: dt.date, *, keep: tuple[str, ...] = ("id",), offset: int = 0
) -> ScoreResult:
    """Score every valid row of ``table``; rows with bad values are reported, not scored.

    ``keep`` lists pass-through columns (an applicant id) copied to the output when present;
    ``offset`` is added to row numbers when ``table`` is a slice of a larger file.
    """
    snap = provenance.snapshot(pack, on)
    checked = validate_table(pack, table)
    if offset:
        checked.errors = [RowError(e.row + offset, e.field, e.reason, e.value) for e in checked.errors]
    rows = np.flatnonzero(checked.valid)
    columns = {k: v[rows] for k, v in checked.columns.items()}
    results = simulate(pack, columns, on) if len(rows) else {k: np.array([]) for k in output_variables(pack)}
    out: dict[str, Any] = {"row": pa.array(rows + 1 + offset, type=pa.int64())}
    for name in keep:
        if name in table.column_names:
            out[name] = table.column(name).take(pa.array(rows))
    for name, values in results.items():
        out[name] = pa.array(values)
    for name, constant in (
        ("policy", pack.id),
        ("as_of", on.isoformat()),
        ("version_date", snap.version_date.isoformat()),
        ("parameters_hash", snap.parameters_hash),
    ):
        out[name] = pa.repeat(pa.scalar(constant, pa.string()), len(rows))
    result_table = pa.table(out)
    return ScoreResult(pack, on, snap, result_table, checked.errors, columns)


def public_table(result: ScoreResult) -> pa.Table:
    """The result table with readable column names (``age_points``, ``ko_kaztest``, ``total``…)."""
    return result.table.rename_columns([column_name(result.pack, c) for c in result.table.column_names])


def _situation(pack: PolicyPack, columns: dict[str, npt.NDArray[Any]]) -> dict[str, Any]:
    principal: dict[str, Any] = {}
    spouse: dict[str, Any] = {}
    family: dict[str, Any] = {"principal": ["principal"]}
    has_spouse = bool(columns[pack.spouse_flag][0]) if pack.spouse_flag else False
    for f in pack.fields:
        value = _public(_encode(pack, f, columns[f.column])[0])
        target = {"principal": principal, "spouse": spouse, "family": family}[f.role]
        target[f.variable] = {"ETERNITY": value}
    applicants = {"principal": principal}
    if has_spouse:
        applicants["spouse"] = spouse
        family["spouse"] = ["spouse"]
    return {"applicants": applicants, "families": {"family": family}}


def score_profile(pack: PolicyPack, profile: dict[str, Any], on: dt.date) -> explain.Explanation:
    """Score one profile through OpenFisca's situation API and explain it.

    Raises:
        InvalidProfile: naming each bad field.
        PolicyNotInForce: when the pack has no version on ``on``.
    """
    provenance.snapshot(pack, on)
    complete: dict[str, Any] = dict.fromkeys(f.column for f in pack.fields)  # absent fields: "is required"
    complete.update(profile)
    checked = validate_table(pack, profile_table(complete))
    if checked.errors:
        raise InvalidProfile(checked.errors)
    sim = SimulationBuilder().build_from_entities(system(), _situation(pack, checked.columns))
    period = on.isoformat()
    outputs = {name: _public(_decode(sim.calculate(name, period))[0]) for name in output_variables(pack)}
    inputs = {k: _public(v[0]) for k, v in checked.columns.items()}
    return explain.build(pack, on, inputs, outputs)
