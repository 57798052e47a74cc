"""What a policy pack declares: its inputs, criteria, gates and outputs.

A pack is data about an OpenFisca model: which input columns become which
variables, which family variables hold points, knock-outs and the decision, and
which parameter subtrees are "the policy" (hashed and shown).  The engine and the
explanation builder work from this description only, so adding a country's
points system is variables + YAML + one ``PolicyPack``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

FieldKind = Literal["int", "float", "bool", "enum", "date", "str"]
Role = Literal["principal", "spouse", "family"]


@dataclass(frozen=True, slots=True)
class InputField:
    """One input column of a profile.

    ``role`` says where the value lands: on the principal applicant, on the spouse
    (column ``spouse_<variable>``) or on the family.  ``required_when`` names a
    boolean column that makes an otherwise optional field required when true.
    """

    variable: str
    kind: FieldKind
    description: str
    role: Role = "principal"
    required: bool = True
    required_when: str | None = None
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    default: object = None

    @property
    def column(self) -> str:
        """The column name in an input table."""
        return f"spouse_{self.variable}" if self.role == "spouse" else self.variable


@dataclass(frozen=True, slots=True)
class Criterion:
    """A scored criterion: a family variable holding its points.

    ``maximum`` is a parameter path (relative to the parameter root) or a number;
    ``uncapped`` names a variable with the points before a cap, so an explanation
    can say that a cap bound.
    """

    key: str
    label: str
    variable: str
    maximum: str | float
    inputs: tuple[str, ...]
    parameters: tuple[str, ...]
    group: str = "points"
    uncapped: str | None = None
    cap: str | None = None


@dataclass(frozen=True, slots=True)
class Gate:
    """A knock-out (refuses) or a review trigger (sends to an officer).

    ``variable`` is a boolean family variable that is true when the gate fires.
    """

    key: str
    label: str
    variable: str
    inputs: tuple[str, ...]
    parameters: tuple[str, ...] = ()


Columns = Mapping[str, npt.NDArray[np.generic]]


@dataclass(frozen=True, slots=True)
class RowCheck:
    """A check across fields that one field alone cannot express (a score against its test's scale).

    ``bad`` takes the parsed columns and returns a mask of rows whose ``column``
    value is wrong; ``reason`` says why, in the words of an error message.
    """

    column: str
    reason: str
    bad: Callable[[Columns], npt.NDArray[np.bool_]]


@dataclass(frozen=True, slots=True)
class PolicyPack:
    """A versioned points system: one id, its inputs and its outputs.

    ``encodings`` map an input column's public codes to the model's enum names
    (KATO codes to region slugs); ``spouse_flag`` names the boolean family column
    that says a spouse person is part of the profile.
    """

    id: str
    title: str
    description: str
    jurisdiction: str
    effective_from: dt.date
    parameter_roots: tuple[str, ...]
    fields: tuple[InputField, ...]
    criteria: tuple[Criterion, ...]
    total: str
    total_maximum: str | float  # a parameter path, a number, or "sum" of the criteria maxima
    decision: str
    knockouts: tuple[Gate, ...] = ()
    reviews: tuple[Gate, ...] = ()
    extra_outputs: tuple[str, ...] = ()
    pass_mark: str | None = None
    legal_basis: str = ""
    encodings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    spouse_flag: str | None = None
    notes: tuple[str, ...] = ()
    checks: tuple[RowCheck, ...] = ()

    def field(self, column: str) -> InputField:
        """The input field for a column name."""
        for f in self.fields:
            if f.column == column:
                return f
        raise KeyError(column)


DECISIONS: tuple[str, ...] = ("eligible", "manual_review", "refused")
