"""A small registry for record linkage pages: enough travellers to train the model, and pairs it cannot decide.

Every traveller crosses the border on a passport; most register at a host on the same passport (so
the model sees the same document from two feeds, which it trains on), every third host retyping the
given name.  Half of them also apply to QazETA on a renewed passport, with a variant that depends on
their place in the list (:data:`VARIANTS`): most are linked without review (a typo, swapped names, a
day and month swap...), two are for an officer:

- ``dual``: the same names and birth date on another state's passport (a dual citizen, or two people);
- ``sex``: the same names and birth date, but the other sex.

Numbers carry a prefix of the caller's, so that several seeds can share one database (the browser
tests' live server). The same arguments always give the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from koshi.synth.names import TRADITIONS, feminine_surname

NATIONALITY = {"russian": "RUS", "uzbek": "UZB", "kyrgyz": "KGZ", "tajik": "TJK"}
VARIANTS = (
    "same",
    "typo",
    "day_month",
    "swapped",
    "one_day",
    "given_typo",
    "other_given",
    "second_given",
    "dual",
    "sex",
    "transposed",
)
"""The QazETA variant of the k-th traveller's identity: ``VARIANTS[k % len(VARIANTS)]``."""
FOR_REVIEW = ("dual", "sex")
"""The variants the model leaves in the review band (the others it links, or keeps apart)."""
TRAVELLERS = 88


@dataclass(frozen=True)
class Traveller:
    """One person of the seed: the passport identity the border service read, and the QazETA variant."""

    index: int
    identity: dict[str, Any]
    variant: str | None  # None: not in QazETA
    renewed: dict[str, Any] | None  # the identity QazETA has (on another passport)


def _number(prefix: str, rng: random.Random, taken: set[str]) -> str:
    """A document number at least two characters away from the seed's others (a one-character difference is
    evidence for the model: "same state, number one character off")."""
    while True:
        number = f"{prefix}{rng.randrange(10**7):07d}"
        if all(sum(a != b for a, b in zip(number, other, strict=True)) > 1 for other in taken):
            taken.add(number)
            return number


def _people(n: int, prefix: str, rng: random.Random, numbers: set[str]) -> Iterator[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    while len(seen) < n:
        key = rng.choice(sorted(NATIONALITY))
        tradition = TRADITIONS[key]
        male = rng.random() < 0.5
        given = rng.choice(tradition.male if male else tradition.female)[0]
        surname = rng.choice(tradition.surnames)
        if not male and tradition.inflect:
            surname = feminine_surname(*surname)
        surname = surname[0]
        if (surname, given) in seen:
            continue
        seen.add((surname, given))
        nationality = NATIONALITY[key]
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15_000))
        yield {
            "doc_type": "P",
            "doc_country": nationality,
            "doc_number": _number(prefix, rng, numbers),
            "nationality": nationality,
            "surname": surname,
            "given_names": given,
            "birth_date": born.isoformat(),
            "sex": "M" if male else "F",
        }


def _variant(p: dict[str, Any], variant: str, number: str) -> dict[str, Any]:
    q = {**p, "doc_number": number}
    surname, given = str(p["surname"]), str(p["given_names"])
    born = dt.date.fromisoformat(p["birth_date"])
    if variant == "typo":
        q["surname"] = surname[:-1] + ("X" if surname[-1] != "X" else "Y")
    elif variant == "day_month" and born.day <= 12 and born.day != born.month:
        q["birth_date"] = dt.date(born.year, born.day, born.month).isoformat()
    elif variant == "swapped":
        q["surname"], q["given_names"] = given, surname
    elif variant == "one_day":
        q["birth_date"] = (born + dt.timedelta(days=1)).isoformat()
    elif variant == "given_typo":
        q["given_names"] = given[:-1] + ("Y" if given[-1] != "Y" else "I")
    elif variant == "other_given":
        q["given_names"] = "TIMUR" if p["sex"] == "M" else "ANNA"
    elif variant == "second_given":
        q["given_names"] = f"{given} MARAT"
    elif variant == "dual":
        q["nationality"] = q["doc_country"] = "KAZ"
    elif variant == "sex":
        q["sex"] = "F" if p["sex"] == "M" else "M"
    elif variant == "transposed" and len(surname) > 3:
        q["surname"] = surname[:-2] + surname[-1] + surname[-2]
    return q


def travellers(prefix: str, n: int = TRAVELLERS, seed: int = 7) -> list[Traveller]:
    """``n`` distinct travellers with passports ``<prefix>`` and seven digits; the first half also in QazETA."""
    rng = random.Random(seed)
    numbers: set[str] = set()
    out = []
    for k, identity in enumerate(_people(n, prefix, rng, numbers)):
        variant = VARIANTS[k % len(VARIANTS)] if k < n // 2 else None
        renewed = _variant(identity, variant, _number(prefix, rng, numbers)) if variant else None
        out.append(Traveller(k, identity, variant, renewed))
    return out


def feed_rows(people: list[Traveller], today: dt.date) -> dict[str, list[dict[str, Any]]]:
    """The rows of the three feeds (an entry ten days ago; registrations; approved travel authorizations)."""
    entered = today - dt.timedelta(days=10)
    border, hosts, qazeta = [], [], []
    for t in people:
        p, tag = t.identity, passport(t)
        border.append(
            {
                **p,
                "event_id": f"BE-{tag}",
                "crossing_point": "ALA-AIR",
                "direction": "entry",
                "occurred_at": f"{entered.isoformat()}T10:00:00+05:00",
                "transport": "air",
            }
        )
        if t.index % 10 < 7:
            host = dict(p)
            if t.index % 3 == 0:  # the host retyped the given name
                given = str(p["given_names"])
                host["given_names"] = given[:-1] + ("A" if given[-1] != "A" else "E")
            hosts.append(
                {
                    **host,
                    "registration_id": f"REG-{tag}",
                    "host_kind": "individual",
                    "host_id": "791028302728",
                    "address": "Abay Ave 10, Almaty",
                    "region_kato": "750000000",
                    "arrival_date": entered.isoformat(),
                    "registered_on": (entered + dt.timedelta(days=1)).isoformat(),
                    "channel": "e_qonaq",
                }
            )
        if t.renewed is not None:
            qazeta.append(
                {
                    **t.renewed,
                    "application_id": f"QZ-{tag}",
                    "kind": "eta",
                    "purpose": "tourism",
                    "applied_at": f"{(entered - dt.timedelta(days=10)).isoformat()}T09:00:00+05:00",
                    "trip_from": entered.isoformat(),
                    "trip_to": (today + dt.timedelta(days=5)).isoformat(),
                    "decision": "approved",
                    "decided_at": f"{(entered - dt.timedelta(days=9)).isoformat()}T09:00:00+05:00",
                    "valid_from": (entered - dt.timedelta(days=9)).isoformat(),
                    "valid_to": (today + dt.timedelta(days=60)).isoformat(),
                }
            )
    return {"border_events": border, "registrations": hosts, "authorizations": qazeta}


def passport(t: Traveller) -> str:
    """The traveller's passport number (unique per seed prefix)."""
    return str(t.identity["doc_number"])


def for_review(people: list[Traveller]) -> list[Traveller]:
    """The travellers whose two passports the model leaves for an officer."""
    return [t for t in people if t.variant in FOR_REVIEW]
