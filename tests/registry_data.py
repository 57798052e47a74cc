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


# --- record linkage: identities as the feeds state them, and a registry of corrupted synthetic feeds ---


def identity(
    number: str,
    nationality: str,
    surname: str,
    given: str | None,
    birth: str | None,
    sex: str | None = "M",
    doc_type: str = "P",
    iin: str | None = None,
) -> dict[str, Any]:
    """The traveller columns of a feed row with every identity field chosen (``traveller`` fixes most)."""
    return {
        "doc_type": doc_type,
        "doc_country": nationality,
        "doc_number": number,
        "nationality": nationality,
        "surname": surname,
        "given_names": given,
        "birth_date": birth,
        "sex": sex,
        "iin": iin,
    }


def registration(who: dict[str, Any], day: dt.date) -> dict[str, Any]:
    """A hotel's registration of ``who`` arriving on ``day``."""
    return {
        **who,
        "registration_id": f"REG-{next(_ids)}",
        "host_kind": "legal_entity",
        "host_id": "090741568999",
        "address": "Almaty, Abay Ave 10",
        "region_kato": "750000000",
        "arrival_date": day.isoformat(),
        "registered_on": day.isoformat(),
        "channel": "e_qonaq",
    }


def synthetic_registry(engine: Engine, people: int, seed: int = 3) -> Any:
    """Import a year of synthetic feeds for ``people`` travellers, their identities corrupted as each
    feed's typists would (:class:`koshi.synth.corrupt.FeedCorruption`); returns the feeds and their truth."""
    from koshi.synth.corrupt import FeedCorruption
    from koshi.synth.feeds import generate_feeds

    feeds = generate_feeds(people, seed, corruption=FeedCorruption())
    for kind, table in feeds.feeds().items():
        with transaction(make_sessionmaker(engine)) as session:
            report = registry_import.import_batch(
                session, kind, table, f"synth-{seed}-{kind}", registry_import.SYSTEM, dt.datetime.now(dt.UTC), "synth"
            )
        assert report.rejected == 0, (kind, report.errors[:3])
    return feeds


LINKAGE_CASES: dict[str, dict[str, Any]] = {
    # one woman, her passport at the border and her identity card at a hotel, in two transliterations
    "passport": identity("751234567", "RUS", "ZHUKOVSKAYA", "MILANA", "1987-06-23", "F"),
    "id_card": identity("4510123456", "RUS", "ZHUKOVSKAIA", "MILANA", "1987-06-23", "F", doc_type="ID"),
    # one man, his passport number mistyped by a hotel (two digits swapped): another document for the registry
    "scanned": identity("FA1234567", "UZB", "TOSHMATOV", "BEKZOD", "1993-02-17"),
    "mistyped": identity("FA1234576", "UZB", "TOSHMATOV", "BEKZOD", "1993-02-17"),
    # two brothers: alike names, other birth dates, other passports
    "rustam": identity("400123456", "TJK", "SAIDOV", "RUSTAM", "1988-05-17"),
    "ruslan": identity("400987654", "TJK", "SAIDOV", "RUSLAN", "1991-11-02"),
    # names swapped and the birth day one off: for an officer to decide
    "parviz": identity("JJ1112223", "TJK", "ODINAEV", "PARVIZ", "1989-07-24"),
    "swapped": identity("JJ9998887", "TJK", "PARVIZ", "ODINAEV", "1989-07-25", iin="890725301231"),
}
"""Hand-made identities whose linkage is known: the first of each pair crosses the border, the second is
registered by a hotel."""
AT_BORDER = ("passport", "scanned", "rustam", "ruslan", "parviz")


def linkage_registry(engine: Engine, people: int = 400) -> Any:
    """A registry for record linkage: corrupted synthetic feeds (:func:`synthetic_registry`) and
    :data:`LINKAGE_CASES`; returns the synthetic feeds."""
    feeds = synthetic_registry(engine, people)
    day = dt.date(2026, 1, 10)
    border = [crossing(LINKAGE_CASES[k], day, "entry") for k in AT_BORDER]
    hotel = [registration(v, day) for k, v in LINKAGE_CASES.items() if k not in AT_BORDER]
    assert load(engine, "border_events", border).rejected == 0
    assert load(engine, "registrations", hotel).rejected == 0
    return feeds


def link_options(**changes: Any) -> Any:
    """Linkage options for tests: a small training, pairs linked from 0.6 and reviewed from 0.001.

    The review band is wide so that the swapped-names case is queued whatever the model
    (still being tuned) makes of it; the clear cases score far above 0.6.
    """
    from koshi.linkage.engine import Training
    from koshi.linkage.run import Options

    values = {"threshold": 0.6, "review_from": REVIEW_FROM, "floor": REVIEW_FROM, **changes}
    return Options(**values, training=Training(u_pairs=1e5, em_pairs=1e5))


REVIEW_FROM = 0.001
"""Where the tests' review band starts (:func:`link_options`)."""
