"""What "the policy in force on date D" was: its values, version date, hash and references.

The hash covers every parameter value under the pack's roots as of D, in canonical
JSON, so two results with the same hash were computed from the same law.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from openfisca_core.parameters import Parameter, ParameterNode, ParameterScale

from koshi.rules.pack import PolicyPack
from koshi.rules.system import packs, system


class PolicyNotInForce(ValueError):
    """The pack has no version in force on the requested date."""


@dataclass(frozen=True, slots=True)
class Reference:
    """A legal or documentary source of a parameter value."""

    title: str
    href: str | None


@dataclass(frozen=True, slots=True)
class LeafValue:
    """One parameter's value on a date and the date that value took effect."""

    path: str
    value: Any
    since: dt.date
    description: str
    unit: str | None
    provenance: str | None


@dataclass(frozen=True, slots=True)
class PolicySnapshot:
    """Every parameter of a pack as of one date."""

    pack: str
    as_of: dt.date
    version_date: dt.date
    parameters_hash: str
    leaves: tuple[LeafValue, ...]


def node(path: str) -> Parameter | ParameterNode | ParameterScale:
    """The parameter object at a dotted path."""
    current: Any = system().parameters
    for part in path.split("."):
        current = current.children[part] if isinstance(current, ParameterNode) else getattr(current, part)
    return current


def _value_at(p: Parameter, on: dt.date) -> tuple[Any, dt.date] | None:
    """The value in force and its start date, or None when not in force."""
    for at in p.values_list:  # newest first
        start = dt.date.fromisoformat(at.instant_str)
        if start <= on:
            return (None, start) if at.value is None else (at.value, start)
    return None


def _meta(obj: Any, key: str) -> Any:
    while obj is not None:
        meta = getattr(obj, "metadata", None) or {}
        if key in meta:
            return meta[key]
        obj = getattr(obj, "_parent", None)
    return None


def _leaves(path: str, obj: Any, on: dt.date) -> list[LeafValue]:
    if isinstance(obj, ParameterScale):
        brackets = []
        since = dt.date.min
        for b in obj.brackets:
            row = {}
            for key in ("threshold", "amount", "rate"):
                p = getattr(b, key, None)
                if isinstance(p, Parameter):
                    got = _value_at(p, on)
                    if got is not None:
                        row[key] = got[0]
                        since = max(since, got[1])
            if row:
                brackets.append(row)
        if not brackets:
            return []
        return [
            LeafValue(path, brackets, since, obj.description or "", _meta(obj, "amount_unit"), _meta(obj, "provenance"))
        ]
    if isinstance(obj, Parameter):
        got = _value_at(obj, on)
        if got is None or got[0] is None:
            return []
        return [LeafValue(path, got[0], got[1], obj.description or "", _meta(obj, "unit"), _meta(obj, "provenance"))]
    out: list[LeafValue] = []
    for name, child in obj.children.items():
        out.extend(_leaves(f"{path}.{name}", child, on))
    return out


def _parentise(obj: Any, parent: Any = None) -> None:
    """Give every parameter object a back-link so metadata can be inherited."""
    obj._parent = parent
    if isinstance(obj, ParameterNode):
        for child in obj.children.values():
            _parentise(child, obj)
    elif isinstance(obj, ParameterScale):
        for b in obj.brackets:
            for key in ("threshold", "amount", "rate"):
                p = getattr(b, key, None)
                if p is not None:
                    p._parent = obj


@functools.cache
def _linked() -> bool:
    _parentise(system().parameters)
    return True


def snapshot(pack: PolicyPack, on: dt.date) -> PolicySnapshot:
    """The pack's parameters in force on ``on``.

    Raises:
        PolicyNotInForce: before the pack's first effective date.
    """
    return _snapshot(pack.id, on)


@functools.cache
def _snapshot(pack_id: str, on: dt.date) -> PolicySnapshot:
    pack = packs()[pack_id]
    return snapshot_roots(pack.id, pack.parameter_roots, pack.effective_from, on)


@functools.cache
def snapshot_roots(name: str, roots: tuple[str, ...], effective_from: dt.date, on: dt.date) -> PolicySnapshot:
    """The parameters under ``roots`` in force on ``on``: rules that are not a points pack (stay rules, fees).

    Raises:
        PolicyNotInForce: before ``effective_from``.
    """
    if on < effective_from:
        raise PolicyNotInForce(
            f"{name} is not in force on {on.isoformat()}: its first version starts {effective_from.isoformat()}"
        )
    _linked()
    leaves: list[LeafValue] = []
    for root in roots:
        leaves.extend(_leaves(root, node(root), on))
    canonical = json.dumps(
        {leaf.path: leaf.value for leaf in leaves}, sort_keys=True, separators=(",", ":"), default=str
    )
    digest = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    version = max(max((leaf.since for leaf in leaves), default=effective_from), effective_from)
    return PolicySnapshot(name, on, version, digest, tuple(leaves))


def references(path: str) -> list[Reference]:
    """Legal references of a parameter, inherited from its nearest ancestor that has them."""
    _linked()
    refs = _meta(node(path), "reference")
    if refs is None:
        return []
    if isinstance(refs, str):
        return [Reference(refs, refs if refs.startswith("http") else None)]
    if isinstance(refs, dict):
        refs = [refs]
    return [Reference(str(r.get("title", r.get("href", ""))), r.get("href")) for r in refs]


def maximum(path_or_value: str | float, on: dt.date) -> float:
    """The largest value a points table can give on ``on`` (a leaf's value, or the max over a table)."""
    if not isinstance(path_or_value, str):
        return float(path_or_value)
    values: list[float] = []
    for leaf in _leaves(path_or_value, node(path_or_value), on):
        if isinstance(leaf.value, list):
            values.extend(float(b.get("amount", 0)) for b in leaf.value)
        elif isinstance(leaf.value, int | float) and not isinstance(leaf.value, bool):
            values.append(float(leaf.value))
    return max(values, default=0.0)


def value(path: str, on: dt.date) -> Any:
    """One leaf's value on ``on``."""
    leaves = _leaves(path, node(path), on)
    if len(leaves) != 1 or leaves[0].path != path:
        raise KeyError(f"{path} is not a single parameter in force on {on.isoformat()}")
    return leaves[0].value
