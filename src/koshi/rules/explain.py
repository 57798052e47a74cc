"""Explanations: every point, its maximum, the inputs behind it, caps and the law.

The same builder serves the vectorised and the one-profile paths, so an
explanation never depends on how the score was computed.  The JSON shape is
versioned (``schema_version``) because stored decisions keep it for years.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, Literal

from pydantic import BaseModel, Field
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

import koshi
from koshi.rules import provenance
from koshi.rules.pack import Gate, PolicyPack

SCHEMA_VERSION = "1"


class ReferenceOut(BaseModel):
    """A legal or documentary source."""

    title: str
    href: str | None = None


class CapOut(BaseModel):
    """A cap that applies to a criterion; ``applied`` is true when it bound."""

    limit: float
    uncapped: float
    applied: bool


class CriterionOut(BaseModel):
    """One criterion's points with what produced them."""

    key: str
    label: str
    group: str
    points: float
    maximum: float
    inputs: dict[str, Any]
    cap: CapOut | None = None
    parameters: dict[str, Any] = Field(description="Parameter values used, by dotted path")
    references: list[ReferenceOut]


class GateOut(BaseModel):
    """A knock-out or a review trigger and whether it fired."""

    key: str
    label: str
    kind: Literal["knockout", "review"]
    fired: bool
    inputs: dict[str, Any]
    parameters: dict[str, Any]
    references: list[ReferenceOut]


class Explanation(BaseModel):
    """A scored profile, reproducible from ``pack``, ``as_of`` and ``parameters_hash``."""

    schema_version: str = SCHEMA_VERSION
    pack: str
    title: str
    as_of: dt.date
    version_date: dt.date
    parameters_hash: str
    engine: dict[str, str]
    total: float
    maximum: float
    pass_mark: float | None
    decision: str
    criteria: list[CriterionOut]
    gates: list[GateOut]
    outputs: dict[str, Any]
    legal_basis: str


def _refs(paths: tuple[str, ...]) -> list[ReferenceOut]:
    seen: dict[tuple[str, str | None], ReferenceOut] = {}
    for path in paths:
        for r in provenance.references(path):
            seen.setdefault((r.title, r.href), ReferenceOut(title=r.title, href=r.href))
    return list(seen.values())


def _params(paths: tuple[str, ...], on: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in paths:
        for leaf in provenance._leaves(path, provenance.node(path), on):
            out[leaf.path] = leaf.value
    return out


def _gate(
    g: Gate, kind: Literal["knockout", "review"], inputs: dict[str, Any], outputs: dict[str, Any], on: dt.date
) -> GateOut:
    return GateOut(
        key=g.key,
        label=g.label,
        kind=kind,
        fired=bool(outputs[g.variable]),
        inputs={k: inputs.get(k) for k in g.inputs},
        parameters=_params(g.parameters, on),
        references=_refs(g.parameters),
    )


def build(pack: PolicyPack, on: dt.date, inputs: dict[str, Any], outputs: dict[str, Any]) -> Explanation:
    """An explanation from a profile's public inputs and its computed outputs (by variable name)."""
    snap = provenance.snapshot(pack, on)
    criteria: list[CriterionOut] = []
    for c in pack.criteria:
        cap = None
        if c.uncapped is not None and c.cap is not None:
            uncapped = float(outputs[c.uncapped])
            cap = CapOut(
                limit=provenance.maximum(c.cap, on), uncapped=uncapped, applied=uncapped > float(outputs[c.variable])
            )
        criteria.append(
            CriterionOut(
                key=c.key,
                label=c.label,
                group=c.group,
                points=float(outputs[c.variable]),
                maximum=provenance.maximum(c.maximum, on),
                inputs={k: inputs.get(k) for k in c.inputs},
                cap=cap,
                parameters=_params(c.parameters, on),
                references=_refs(c.parameters),
            )
        )
    if pack.total_maximum == "sum":
        maximum = sum(c.maximum for c in criteria if c.group != "component")
    else:
        maximum = provenance.maximum(pack.total_maximum, on)
    gates = [_gate(g, "knockout", inputs, outputs, on) for g in pack.knockouts]
    gates += [_gate(g, "review", inputs, outputs, on) for g in pack.reviews]
    return Explanation(
        pack=pack.id,
        title=pack.title,
        as_of=on,
        version_date=snap.version_date,
        parameters_hash=snap.parameters_hash,
        engine={"koshi": koshi.__version__, "openfisca_core": _openfisca_version()},
        total=float(outputs[pack.total]),
        maximum=maximum,
        pass_mark=None if pack.pass_mark is None else float(provenance.value(pack.pass_mark, on)),
        decision=str(outputs[pack.decision]),
        criteria=criteria,
        gates=gates,
        outputs={k: outputs[k] for k in pack.extra_outputs},
        legal_basis=pack.legal_basis,
    )


def _openfisca_version() -> str:
    from importlib.metadata import version

    return version("openfisca-core")


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, list):
        return f"table of {len(v)}"
    return str(v)


def render(ex: Explanation) -> Group:
    """A readable table of an explanation, for terminals and logs."""
    head = Text.assemble(
        (f"{ex.title}\n", "bold"),
        f"policy {ex.pack}, as of {ex.as_of}, version {ex.version_date}, parameters {ex.parameters_hash[:19]}…\n",
        ("decision: ", "bold"),
        (ex.decision, "bold green" if ex.decision == "eligible" else "bold yellow"),
        f"   total {_fmt(ex.total)} / {_fmt(ex.maximum)}",
        "" if ex.pass_mark is None else f"   pass mark {_fmt(ex.pass_mark)}",
    )
    t = Table(title="Points by criterion", show_lines=False)
    for col, just in (
        ("criterion", "left"),
        ("points", "right"),
        ("max", "right"),
        ("inputs", "left"),
        ("cap", "left"),
        ("legal basis", "left"),
    ):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    notes: dict[tuple[str, str | None], int] = {}
    for c in ex.criteria:
        cap = ""
        if c.cap is not None:
            cap = f"{_fmt(c.cap.uncapped)} → {_fmt(c.cap.limit)}" if c.cap.applied else f"≤ {_fmt(c.cap.limit)}"
        inputs = ", ".join(f"{k}={v}" for k, v in c.inputs.items())
        marks = " ".join(f"[{notes.setdefault((r.title, r.href), len(notes) + 1)}]" for r in c.references)
        t.add_row(c.label, _fmt(c.points), _fmt(c.maximum), inputs, cap, marks)
    g = Table(title="Checks")
    for col in ("check", "kind", "result", "inputs"):
        g.add_column(col)
    for gate in ex.gates:
        result = Text("FIRED", style="bold red") if gate.fired else Text("ok", style="green")
        g.add_row(gate.label, gate.kind, result, ", ".join(f"{k}={v}" for k, v in gate.inputs.items()))
    sources = "\n".join(f"[{n}] {title}" + (f" — {href}" if href else "") for (title, href), n in notes.items())
    parts: list[Any] = [head, t, g, Text("Legal basis\n" + sources)]
    if ex.outputs:
        parts.append(Text("outputs: " + ", ".join(f"{k}={_fmt(v)}" for k, v in ex.outputs.items())))
    return Group(*parts)


def to_text(ex: Explanation, width: int = 160) -> str:
    """The rendered table as plain text."""
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(render(ex))
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()
