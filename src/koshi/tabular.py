"""Reading and writing tables as CSV, JSON lines or Parquet, chosen by file extension.

CSV and JSON lines are read as text so that a malformed value becomes a row
error in validation instead of failing the whole file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


class TableFileError(ValueError):
    """A file that cannot be read as a table at all (unknown format, unreadable, bad JSON line)."""


def file_format(path: Path) -> str:
    """``csv``, ``jsonl`` or ``parquet`` from the extension."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise TableFileError(
            f"{path}: unknown table format {path.suffix!r}; use .csv, .jsonl (or .ndjson) or .parquet"
        ) from None


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def read_table(path: Path) -> pa.Table:
    """Read a table; CSV and JSON lines come back as string columns."""
    fmt = file_format(path)
    if not path.exists():
        raise TableFileError(f"{path}: no such file")
    try:
        if fmt == "parquet":
            return pq.read_table(path)
        if fmt == "csv":
            names = pacsv.open_csv(path).schema.names
            return pacsv.read_csv(
                path,
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, strings_can_be_null=True, null_values=[""]
                ),
            )
    except (pa.ArrowInvalid, OSError) as exc:
        raise TableFileError(f"{path}: cannot be read as {fmt}: {exc}") from None
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TableFileError(f"{path}: line {lineno} is not valid JSON ({exc.msg})") from None
            if not isinstance(obj, dict):
                raise TableFileError(f"{path}: line {lineno} is not a JSON object")
            rows.append(obj)
    names = list(dict.fromkeys(k for r in rows for k in r))
    return pa.table({n: pa.array([_text(r.get(n)) for r in rows], type=pa.string()) for n in names})


def write_table(table: pa.Table, path: Path) -> None:
    """Write ``table`` in the format its extension names."""
    fmt = file_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        pq.write_table(table, path)
    elif fmt == "csv":
        pacsv.write_csv(table, path)
    else:
        with path.open("w", encoding="utf-8") as fh:
            for batch in table.to_batches(max_chunksize=65536):
                for row in batch.to_pylist():
                    fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
