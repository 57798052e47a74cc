"""JSON Schema (draft 2020-12) of a pack's input profile, generated from its fields."""

from __future__ import annotations

from typing import Any

from koshi.rules.pack import InputField, PolicyPack

_TYPES = {"int": "integer", "float": "number", "bool": "boolean", "enum": "string", "date": "string", "str": "string"}


def _property(f: InputField) -> dict[str, Any]:
    prop: dict[str, Any] = {"type": _TYPES[f.kind], "description": f.description}
    if f.kind == "date":
        prop["format"] = "date"
    if f.choices is not None:
        prop["enum"] = list(f.choices)
    if f.minimum is not None:
        prop["minimum"] = f.minimum
    if f.maximum is not None:
        prop["maximum"] = f.maximum
    if f.pattern is not None:
        prop["pattern"] = f.pattern
    if f.default is not None:
        prop["default"] = f.default
    return prop


def input_schema(pack: PolicyPack) -> dict[str, Any]:
    """The schema of one profile (one row of an input table)."""
    properties: dict[str, Any] = {"id": {"type": "string", "description": "Optional identifier, copied to the output"}}
    properties.update({f.column: _property(f) for f in pack.fields})
    required = [f.column for f in pack.fields if f.required and f.required_when is None]
    conditional: dict[str, list[str]] = {}
    for f in pack.fields:
        if f.required_when is not None:
            conditional.setdefault(f.required_when, []).append(f.column)
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:koshi:policy:{pack.id}:input",
        "title": f"{pack.title} — input profile",
        "type": "object",
        "properties": properties,
        "required": required,
    }
    if conditional:
        schema["allOf"] = [
            {"if": {"properties": {flag: {"const": True}}, "required": [flag]}, "then": {"required": cols}}
            for flag, cols in conditional.items()
        ]
    return schema
