"""``koshi doc``: read and check identity documents (MRZ, IIN, BIN) and transliterate names.

Exit codes as everywhere in ``koshi``: 0 valid, 1 a check failed, 2 not an MRZ /
not a 12-digit number / bad option. Names, document numbers and IINs are shown
masked unless ``--reveal`` is given (MRZ) — the IIN is never shown in full.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from koshi.cli_io import fail, out
from koshi.documents import iin as iin_mod
from koshi.documents import mrz as mrz_mod
from koshi.documents import translit

app = typer.Typer(help="Identity documents: MRZ lines, IIN and BIN, name transliteration.", no_args_is_help=True)


JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def _on(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()  # the CLI is the edge: domain code never reads the clock
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"--on {value!r} is not a date in the form YYYY-MM-DD")


def _mrz_json(result: mrz_mod.Mrz, reveal: bool) -> dict[str, Any]:
    fields = mrz_mod.fields_of(result)
    if not reveal:
        for key in ("surname", "given_names", "document_number", "optional_data", "optional_data_2"):
            fields[key] = iin_mod.mask(str(fields[key]))
    return {
        "valid": result.valid,
        "masked": not reveal,
        **fields,
        "checks": [
            {
                "name": c.name,
                "line": c.line,
                "position": c.position,
                "expected": c.expected,
                "found": c.found,
                "ok": c.ok,
            }
            for c in result.checks
        ],
        "problems": [{"field": p.field, "reason": p.reason} for p in result.problems],
        "notices": [{"field": p.field, "reason": p.reason} for p in result.notices],
    }


@app.command("mrz")
def mrz(
    lines: Annotated[
        list[str],
        typer.Argument(metavar="LINE", help="The MRZ lines (quote them: '<' is special to the shell); - reads stdin."),
    ],
    as_json: JsonOpt = False,
    on: Annotated[
        str | None, typer.Option("--on", help="Reference date for the century of dates (YYYY-MM-DD); default today.")
    ] = None,
    reveal: Annotated[
        bool, typer.Option("--reveal", help="Show names, document number and optional data in full (personal data).")
    ] = False,
) -> None:
    """Parse an ICAO 9303 MRZ (TD1, TD2, TD3, MRV-A, MRV-B) and show its fields and every check digit."""
    text: list[str] = (
        sys.stdin.read().splitlines() if lines == ["-"] else [p for line in lines for p in line.splitlines()]
    )
    try:
        result = mrz_mod.parse_mrz(text, as_of=_on(on))
    except mrz_mod.InvalidMrz as exc:
        fail(f"not an MRZ: {exc}")
    doc = _mrz_json(result, reveal)
    if as_json:
        _print_json(doc)
    else:
        fields = Table(title=f"{result.format} MRZ", show_header=False)
        for key in ("document_code", "issuing_state", "surname", "given_names", "document_number", "nationality"):
            fields.add_row(key, str(doc[key]) or "—")
        for key in ("birth_date", "sex", "expiry_date", "optional_data", "optional_data_2"):
            value = doc[key]
            if key != "optional_data_2" or result.format == mrz_mod.MrzFormat.TD1:
                fields.add_row(key, "—" if value in (None, "") else str(value))
        if result.name_truncated:
            fields.add_row("name", "may be truncated")
        if result.long_document_number:
            fields.add_row("document number", "long (continues in the optional data)")
        out.print(fields)
        checks = Table(title="Check digits")
        for column in ("check", "line", "position", "expected", "found", "ok"):
            checks.add_column(column)
        for c in result.checks:
            checks.add_row(
                c.name, str(c.line), str(c.position), c.expected, c.found, "[green]ok[/]" if c.ok else "[red]FAIL[/]"
            )
        out.print(checks)
        for p in result.problems:
            out.print(f"[red]problem[/] {p.field}: {escape(p.reason)}", highlight=False)
        for p in result.notices:
            out.print(f"[yellow]notice[/] {p.field}: {escape(p.reason)}", highlight=False)
        out.print("[green]valid[/]" if result.valid else "[red]invalid[/]")
    if not result.valid:
        raise typer.Exit(1)


def _iin_json(value: iin_mod.Iin) -> dict[str, Any]:
    return {
        "kind": "iin",
        "valid": True,
        "number": iin_mod.mask(value.value),
        "birth_date": value.birth_date.isoformat(),
        "sex": value.sex,
        "century": value.century,
    }


def _bin_json(value: iin_mod.Bin) -> dict[str, Any]:
    return {
        "kind": "bin",
        "valid": True,
        "number": iin_mod.mask(value.value),
        "registration_year": value.registration_year,
        "registration_month": value.registration_month,
        "entity_type": value.entity_type,
        "entity_type_label": iin_mod.ENTITY_TYPE_LABELS[value.entity_type],
        "attribute": value.attribute,
        "attribute_label": iin_mod.ATTRIBUTE_LABELS[value.attribute],
    }


@app.command("iin")
def iin(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="A 12-digit IIN or BIN.")],
    as_json: JsonOpt = False,
    as_bin: Annotated[bool, typer.Option("--bin", help="Read it as a BIN whatever its 5th digit says.")] = False,
) -> None:
    """Check and decode an IIN (birth date, sex, century) or a BIN (registration, entity type, attribute).

    A BIN is recognised by its 5th digit (4, 5 or 6; an IIN's is 0-3). The number
    is only ever shown masked.
    """
    number = number.strip()
    kind = "bin" if as_bin else iin_mod.identifier_kind(number)
    try:
        doc = _bin_json(iin_mod.decode_bin(number)) if kind == "bin" else _iin_json(iin_mod.validate_iin(number))
    except (iin_mod.InvalidIin, iin_mod.InvalidBin) as exc:
        code = 2 if exc.problem == "format" else 1
        if as_json:
            _print_json(
                {
                    "kind": kind,
                    "valid": False,
                    "number": iin_mod.mask(number),
                    "problem": exc.problem,
                    "reason": exc.reason,
                }
            )
            raise typer.Exit(code) from None
        fail(f"{kind.upper()} {iin_mod.mask(number)} is not valid: {exc.reason}", code)
    if as_json:
        _print_json(doc)
        return
    table = Table(title=f"{kind.upper()} {doc['number']}", show_header=False)
    for key, value in doc.items():
        if key not in ("kind", "number", "valid", "entity_type", "attribute"):
            table.add_row(key.replace("_label", ""), str(value))
    out.print(table)
    out.print("[green]valid[/]")


@app.command("translit")
def translit_cmd(
    text: Annotated[list[str], typer.Argument(metavar="TEXT", help="A name, Cyrillic or Latin.")],
    as_json: JsonOpt = False,
) -> None:
    """Show a name's ICAO Latin forms (visual zone and MRZ) and its match key."""
    name = " ".join(text)
    try:
        doc = {"latin": translit.to_latin(name), "mrz": translit.to_mrz(name), "match_key": translit.match_key(name)}
    except translit.NotTransliterable as exc:
        fail(str(exc))
    if as_json:
        _print_json(doc)
        return
    table = Table(show_header=False)
    for key, value in doc.items():
        table.add_row(key, value)
    out.print(table)
