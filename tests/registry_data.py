"""Small hand-written registry records for tests: travellers, border crossings, permits, e-visas."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from koshi.store import registry_import
from koshi.store.db import make_sessionmaker, transaction

_ids = itertools.count(1)


def traveller(
    number: str, nationality: str = "UZB", surname: str = "KARIMOV", given: str = "ALISHER"
) -> dict[str, Any]:
    """The traveller columns of a feed row (document issued by the nationality's state)."""
    return {
        "doc_type": "P",
        "doc_country": nationality,
        "doc_number": number,
        "nationality": nationality,
        "surname": surname,
        "given_names": given,
        "birth_date": "1990-04-01",
        "sex": "M",
    }


def crossing(who: dict[str, Any], day: dt.date, direction: str, hour: int = 10) -> dict[str, Any]:
    """A border event at ``hour`` o'clock Kazakhstan time."""
    return {
        **who,
        "event_id": f"BE-{next(_ids)}",
        "crossing_point": "ALA-AIR",
        "direction": direction,
        "occurred_at": f"{day.isoformat()}T{hour:02d}:00:00+05:00",
    }


def permit(
    who: dict[str, Any], start: dt.date, end: dt.date | None, kind: str = "temporary_residence"
) -> dict[str, Any]:
    return {
        **who,
        "permit_id": f"PRM-{next(_ids)}",
        "kind": kind,
        "issued_on": start.isoformat(),
        "valid_from": start.isoformat(),
        "valid_to": end.isoformat() if end else None,
        "status": "valid",
    }


def load(engine: Engine, kind: str, rows: Sequence[dict[str, Any]]) -> registry_import.ImportReport:
    """Import rows as one batch (as the command line does)."""
    with transaction(make_sessionmaker(engine)) as session:
        return registry_import.import_batch(
            session, kind, list(rows), f"test-{next(_ids)}", registry_import.SYSTEM, dt.datetime.now(dt.UTC), "test"
        )
