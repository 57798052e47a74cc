"""Record linkage pages: the review queue, a pair side by side, decisions, runs, roles (SQLite and PostgreSQL).

The registry is :mod:`tests.linkage_data`: 88 travellers in three feeds, whose QazETA records on a
renewed passport the model mostly links, except the "dual" (another state's passport) and "sex"
(the other sex) variants, which it leaves for an officer.
"""

from __future__ import annotations

import datetime as dt
import html as markup
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from koshi.linkage import model
from koshi.linkage.run import Options
from koshi.store import linkage as store
from koshi.store import registry_import
from koshi.store.db import transaction
from koshi.store.models import AuditRecord
from koshi.store.registry import TravelDocument
from koshi.web import linkage as pages
from tests import linkage_data
from tests.linkage_data import Traveller
from tests.service import Api
from tests.test_web import csrf
from tests.test_web_officer import sign_in_as

_names = itertools.count(1)
_MODEL: dict[str, Any] = {}  # the model the first run of the session trained on this seed (the same every time)


@dataclass
class Seeded:
    api: Api
    people: list[Traveller]


def _load(api: Api, people: list[Traveller]) -> None:
    rows = linkage_data.feed_rows(people, dt.date.today())
    now = dt.datetime.now(dt.UTC)
    with transaction(api.client.app.state.sessions) as session:
        for kind in ("border_events", "registrations", "authorizations"):
            report = registry_import.import_batch(
                session, kind, rows[kind], f"web-linkage-{kind}", registry_import.SYSTEM, now, "test"
            )
            assert report.rejected == 0, report.errors


@pytest.fixture
def seeded(api: Api) -> Seeded:
    """The registry, not linked yet."""
    people = linkage_data.travellers("L")
    _load(api, people)
    return Seeded(api, people)


@pytest.fixture
def linked(seeded: Seeded) -> Seeded:
    """The registry linked once by the system (as ``koshi link run``): the review queue is filled.

    Training is the slow part of a run, and the seed is always the same: the session's first run
    trains, later ones start from a run that left that model (so theirs is an incremental run of
    every record, which scores the same pairs).
    """
    now = dt.datetime.now(dt.UTC)
    with transaction(seeded.api.client.app.state.sessions) as session:
        if _MODEL:
            options = Options()
            session.add(
                store.LinkRun(
                    started_at=now,
                    finished_at=now,
                    actor_id=None,
                    mode="full",
                    backend="duckdb",
                    model=_MODEL,
                    threshold=options.threshold,
                    review_from=options.review_from,
                    counts={},
                    seconds={},
                )
            )
            session.flush()
        report = store.run(session, None, now)
        _MODEL.update(session.get_one(store.LinkRun, report.run_id).model)
    assert report.counts["queued"] >= 2, report.counts
    return seeded


@contextmanager
def browser(api: Api, role: str) -> Iterator[TestClient]:
    """A web client with its own cookies, signed in as a new user with ``role``."""
    name = f"{role}-linkage-web-{next(_names)}"
    api.user(role, name)
    with TestClient(api.client.app) as client:
        sign_in_as(client, name)
        yield client


def text(html: str) -> str:
    """The page's words, tags removed and entities decoded."""
    return re.sub(r"\s+", " ", markup.unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def part(html: str, marker: str, end: str = "</table>") -> str:
    """The markup from ``marker`` to the next ``end``."""
    assert marker in html, f"{marker!r} is not on the page"
    return html.split(marker, 1)[1].split(end, 1)[0]


def queued(html: str) -> dict[int, str]:
    """The queue's rows: review id → the row's words."""
    rows = re.findall(r'<tr class="govuk-table__row" data-review="(\d+)">(.*?)</tr>', html, flags=re.S)
    return {int(i): text(row) for i, row in rows}


def review_of(html: str, traveller: Traveller) -> int | None:
    """The review in the queue whose records include the traveller's passport."""
    for review_id, words in queued(html).items():
        if linkage_data.passport(traveller) in words:
            return review_id
    return None


def reviews_by_variant(web: TestClient, people: list[Traveller]) -> dict[str, list[int]]:
    """The open reviews of the designed pairs, by variant."""
    html = web.get("/police/linkage?lang=en").text
    out: dict[str, list[int]] = {}
    for t in linkage_data.for_review(people):
        found = review_of(html, t)
        if found is not None:
            out.setdefault(str(t.variant), []).append(found)
    return out


def persons_of(api: Api, review_id: int) -> tuple[int, int]:
    """The persons holding the two records of a review now."""
    with transaction(api.client.app.state.sessions) as session:
        r = session.get_one(store.LinkReview, review_id)
        found = []
        for identity in (r.identity_l, r.identity_r):
            document = session.get_one(store.DocumentIdentity, identity).document_id
            found.append(session.get_one(TravelDocument, document).person_id)
    return found[0], found[1]


# --- the queue and a run ------------------------------------------------------------------------------


def test_link_now_fills_the_queue_and_recomputes_the_lists(seeded: Seeded) -> None:
    api = seeded.api
    with browser(api, "police") as web:
        entry = web.get("/police/overstays?lang=en")
        assert 'href="/police/linkage"' in part(entry.text, 'id="linkage-entry"', "</p>")
        empty = web.get("/police/linkage?lang=en")
        assert empty.status_code == 200 and 'id="queue-empty"' in empty.text
        assert "Link new records now" in empty.text
        assert web.post("/police/linkage/run", data={"csrf_token": "forged"}).status_code == 400

        done = web.post("/police/linkage/run", data={"csrf_token": csrf(empty.text)}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/police/linkage"
        page = web.get("/police/linkage?lang=en")
        with transaction(api.client.app.state.sessions) as session:
            run = session.scalars(select(store.LinkRun)).one()
        assert run.actor_id is not None and run.mode == "full"  # as the signed-in officer
        _MODEL.update(run.model)  # the model of this seed: later fixtures start from it
        counts = text(part(page.text, 'id="run-counts"', "</ul>"))
        assert f"Linkage run #{run.id} finished" in page.text
        assert f"{run.counts['new_records']} new records linked" in counts
        assert f"{run.counts['merges']} persons merged into others" in counts
        assert f"{run.counts['queued']} pairs queued for review" in counts
        rows = queued(page.text)
        assert len(rows) == run.counts["queued"] >= 2
        assert list(rows) == sorted(rows)  # oldest first
        assert "Run #" not in web.get("/police/linkage?lang=en").text  # the banner is shown once
        designed = reviews_by_variant(web, seeded.people)
        assert designed.get("dual") and designed.get("sex"), designed
        # the overstay lists were recomputed after the merges (the whole registry counted)
        lists = web.get("/police/overstays?lang=en")
        assert "has not been computed yet" not in lists.text

        again = web.post("/police/linkage/run", data={"csrf_token": csrf(page.text)}, follow_redirects=False)
        assert again.status_code == 303
        nothing = text(part(web.get("/police/linkage?lang=en").text, 'id="run-counts"', "</ul>"))
        assert "0 new records linked" in nothing and "0 pairs queued for review" in nothing


def test_link_now_on_an_empty_registry_says_so(api: Api) -> None:
    with browser(api, "police") as web:
        empty = web.get("/police/linkage?lang=en")
        done = web.post("/police/linkage/run", data={"csrf_token": csrf(empty.text)}, follow_redirects=False)
        assert done.status_code == 303
        banner = part(web.get("/police/linkage?lang=en").text, 'id="run-message"', "</p>")
        assert "There are no records to link yet: import feed batches first." in banner
    with transaction(api.client.app.state.sessions) as session:
        assert session.scalar(select(func.count()).select_from(store.LinkRun)) == 0


# --- a pair side by side ------------------------------------------------------------------------------


def test_review_shows_the_two_records_and_the_evidence(linked: Seeded) -> None:
    api = linked.api
    with browser(api, "police") as web:
        by_variant = reviews_by_variant(web, linked.people)
        sex = by_variant["sex"][0]
        r = web.get(f"/police/linkage/{sex}?lang=en")
        assert r.status_code == 200
        html = r.text
        with transaction(api.client.app.state.sessions) as session:
            review = session.get_one(store.LinkReview, sex)
            run = session.get_one(store.LinkRun, review.run_id)

        # side by side: every field a row, the differences said in words
        verdicts = dict(re.findall(r'id="field-(\w+)" data-verdict="(\w*)"', html))
        assert verdicts == {
            "feed": "",
            "doc_type": "same",
            "doc_country": "same",
            "doc_number": "differs",
            "surname": "same",
            "given_names": "same",
            "birth_date": "same",
            "sex": "differs",
            "nationality": "same",
            "iin": "unknown",
            "person": "differs",
        }, verdicts
        sex_row = text(part(html, 'id="field-sex"', "</tr>"))
        assert "Male" in sex_row and "Female" in sex_row and "Differs" in sex_row
        feeds = text(part(html, 'id="field-feed"', "</tr>"))
        assert "Travel authorization" in feeds
        left, right = persons_of(api, sex)
        assert f'href="/police/persons/{left}"' in html and f'href="/police/persons/{right}"' in html

        # the waterfall: prior, comparisons strongest for first, name frequency, final
        steps = re.findall(r'data-step="(\w+)"(?: data-comparison="(\w+)")?', html)
        kinds = [k for k, _ in steps]
        assert kinds[0] == "prior" and kinds[-2:] == ["tf", "final"]
        order = [c for k, c in steps if k == "comparison"]
        weights = {c["comparison"]: c["match_weight"] for c in review.comparisons}
        assert sorted(order) == sorted(model.COMPARISONS)
        assert [weights[c] for c in order] == sorted(weights.values(), reverse=True)
        sex_step = text(part(html, 'data-comparison="sex"', "</tr>"))
        assert "Different sex" in sex_step and pages.signed(weights["sex"], "en") in sex_step
        assert weights["sex"] < 0
        assert pages.signed(review.match_weight, "en") in part(html, 'id="final-weight"', "</td>")
        prior = store.prior_weight(run.model)
        running = prior + sum(weights.values()) + review.tf_adjustment
        assert abs(running - review.match_weight) < 0.05  # the lines add up to the final weight
        assert pages.signed(running, "en") in text(part(html, 'data-step="tf"', "</tr>"))
        top = max(weights, key=lambda c: abs(weights[c]))
        driver = text(part(html, 'id="driver"', "</div>"))
        assert f"Weighed most: {pages.COMPARISON_LABELS[top]}" in driver
        assert "Strongest against: Sex, “Different sex”" in driver
        assert "Probability of the same person" in html and 'id="history-empty"' in html
        assert 'name="decision"' in html and 'id="note"' in html

        dual = web.get(f"/police/linkage/{by_variant['dual'][0]}?lang=en").text
        assert 'id="field-nationality" data-verdict="differs"' in dual
        assert 'id="field-doc_country" data-verdict="differs"' in dual


# --- decisions ----------------------------------------------------------------------------------------


def test_decisions_are_validated_applied_and_shown(linked: Seeded) -> None:
    api = linked.api
    with browser(api, "police") as web:
        by_variant = reviews_by_variant(web, linked.people)
        first, other = by_variant["sex"][0], by_variant["dual"][0]
        form = web.get(f"/police/linkage/{first}?lang=en")
        token = csrf(form.text)
        url = f"/police/linkage/{first}/decision"

        nothing = web.post(url + "?lang=en", data={"csrf_token": token, "note": "Checked the passport copy"})
        assert nothing.status_code == 422
        assert 'id="decision-error"' in nothing.text and 'href="#decision-same"' in nothing.text
        assert "Select whether the two records are the same person" in nothing.text
        assert "Checked the passport copy" in part(nothing.text, 'id="note"', "</textarea>")  # kept
        too_long = web.post(
            url + "?lang=en", data={"csrf_token": token, "decision": "same", "note": "x" * (pages.MAX_NOTE + 1)}
        )
        assert too_long.status_code == 422
        note_group = part(too_long.text, 'govuk-form-group govuk-form-group--error">', "</textarea>")
        assert 'id="note-error"' in note_group and "The note must be 2,000 characters or fewer" in note_group
        assert 'id="decision-error"' not in too_long.text
        assert 'value="same" aria-describedby="decision-same-hint" checked' in too_long.text
        assert web.post(url, data={"csrf_token": "forged", "decision": "same"}).status_code == 400
        assert web.post(url, data={"decision": "same"}).status_code == 400
        assert web.get(url, follow_redirects=False).headers["location"] == f"/police/linkage/{first}"
        assert persons_of(api, first)[0] != persons_of(api, first)[1]  # nothing was applied

        # the same person: the newer person is merged into the older one
        gone, kept = sorted(persons_of(api, first), reverse=True)
        same = web.post(
            url, data={"csrf_token": token, "decision": "same", "note": "Same photo"}, follow_redirects=False
        )
        assert same.status_code == 303 and same.headers["location"] == "/police/linkage"
        banner = web.get("/police/linkage?lang=en")
        assert f"Pair #{first} decided: the same person." in banner.text
        assert f"Person #{gone} was merged into person #{kept}." in text(banner.text)
        assert first not in queued(banner.text)
        assert first in queued(web.get("/police/linkage?status=accepted&lang=en").text)
        assert persons_of(api, first) == (kept, kept)

        # the person page: the old id says where its documents went; the survivor shows the merge
        old = web.get(f"/police/persons/{gone}?lang=en")
        assert old.status_code == 200 and 'id="merged-notice"' in old.text
        assert f'id="survivor-link" href="/police/persons/{kept}"' in old.text
        survivor = web.get(f"/police/persons/{kept}?lang=en")
        links = text(part(survivor.text, 'id="links-table"'))
        assert f"Person #{gone} was merged into this person." in links and "An officer's decision" in links

        decided = web.get(f"/police/linkage/{first}?lang=en").text
        history = text(part(decided, 'id="history-table"'))
        assert "Same person" in history and "Same photo" in history and "(you)" in history
        assert "Change the decision" in decided

        # deciding again replaces: different people now splits the person
        split = web.post(url, data={"csrf_token": token, "decision": "different"}, follow_redirects=False)
        assert split.status_code == 303
        outcome = text(web.get("/police/linkage?lang=en").text)
        assert f"Pair #{first} decided: different people." in outcome
        assert f"Person #{kept} was split: 1 new person holds the records set apart." in outcome
        apart = persons_of(api, first)
        assert apart[0] != apart[1] and kept in apart
        assert "was split off" in text(part(web.get(f"/police/persons/{kept}?lang=en").text, 'id="links-table"'))

        # different people on records already apart: no change
        web.post(
            f"/police/linkage/{other}/decision",
            data={"csrf_token": token, "decision": "different"},
            follow_redirects=False,
        )
        assert "The records were already two persons: no change." in web.get("/police/linkage?lang=en").text
        assert other in queued(web.get("/police/linkage?status=rejected&lang=en").text)

    with transaction(api.client.app.state.sessions) as session:
        actions = list(
            session.scalars(
                select(AuditRecord.action).where(AuditRecord.action.in_(("linkage.decision", "registry.refresh")))
            )
        )
    assert actions.count("linkage.decision") == 3  # the refused ones left nothing behind
    assert actions.count("registry.refresh") == 2  # after the merge and the split, not after "no change"


# --- access -------------------------------------------------------------------------------------------


def test_roles_sign_in_and_unknown_pairs(linked: Seeded) -> None:
    api = linked.api
    assert api.client.get("/police/linkage", follow_redirects=False).headers["location"] == "/sign-in"
    assert api.client.get("/police/linkage/1", follow_redirects=False).status_code == 303
    with browser(api, "police") as web:
        some = next(iter(queued(web.get("/police/linkage").text)))
        missing = web.get("/police/linkage/999999?lang=en")
        assert missing.status_code == 404 and 'id="not-found"' in missing.text
        assert web.get("/police/linkage/pair").status_code == 404
        token = csrf(missing.text)
        assert (
            web.post("/police/linkage/999999/decision", data={"csrf_token": token, "decision": "same"}).status_code
            == 404
        )
    for role in ("officer", "applicant"):
        with browser(api, role) as web:
            refused = web.get("/police/linkage?lang=en")
            assert refused.status_code == 403 and 'id="forbidden"' in refused.text, role
            assert web.get(f"/police/linkage/{some}").status_code == 403, role
            assert web.get("/police/linkage/999999").status_code == 403, role  # no probing for what exists
            token = csrf(refused.text)
            url = f"/police/linkage/{some}/decision"
            assert web.post(url, data={"csrf_token": token, "decision": "same"}).status_code == 403, role
            assert web.post("/police/linkage/run", data={"csrf_token": token}).status_code == 403, role
    with browser(api, "supervisor") as web:
        listing = web.get("/police/linkage?lang=en")
        assert listing.status_code == 200 and some in queued(listing.text)
        assert "Link new records now" not in listing.text
        pair = web.get(f"/police/linkage/{some}?lang=en")
        assert pair.status_code == 200 and 'id="decision-readonly"' in pair.text and 'name="decision"' not in pair.text
        token = csrf(pair.text)
        url = f"/police/linkage/{some}/decision"
        assert web.post(url, data={"csrf_token": token, "decision": "same"}).status_code == 403
        assert web.post("/police/linkage/run", data={"csrf_token": token}).status_code == 403
    with transaction(api.client.app.state.sessions) as session:
        assert session.scalar(select(func.count()).select_from(store.LinkDecision)) == 0


def test_pages_render_in_every_language_and_are_paged(linked: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    with browser(linked.api, "police") as web:
        listed = queued(web.get("/police/linkage").text)
        some = next(iter(listed))
        for lang, word in (("kk", "Шығу"), ("ru", "Выйти"), ("en", "Sign out")):
            for url in (
                f"/police/linkage?lang={lang}",
                f"/police/linkage?status=accepted&lang={lang}",
                f"/police/linkage/{some}?lang={lang}",
            ):
                r = web.get(url)
                assert r.status_code == 200, url
                assert f'<html lang="{lang}"' in r.text and word in r.text, url

        monkeypatch.setattr(pages, "PAGE_SIZE", 2)
        first = web.get("/police/linkage?lang=en")
        assert list(queued(first.text)) == list(listed)[:2] and 'class="govuk-pagination"' in first.text
        second = web.get("/police/linkage?page=2&lang=en")
        assert list(queued(second.text)) == list(listed)[2:4]
        beyond = web.get("/police/linkage?page=99", follow_redirects=False)
        pages_count = (len(listed) + 1) // 2
        assert beyond.status_code == 303 and beyond.headers["location"] == f"/police/linkage?page={pages_count}"
        wrong = web.get("/police/linkage?status=loud&page=x&lang=en")
        assert wrong.status_code == 200 and list(queued(wrong.text)) == list(listed)[:2]  # the defaults


# --- without a database -------------------------------------------------------------------------------


def test_every_level_of_the_model_has_words() -> None:
    settings = model.settings().create_settings_dict("duckdb")
    for comparison in settings["comparisons"]:
        assert comparison["output_column_name"] in pages.COMPARISON_LABELS
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                assert level["label_for_charts"] in pages.LEVEL_LABELS, level["label_for_charts"]


def test_statuses_are_the_services() -> None:
    assert tuple(pages.STATUS_LABELS) == store.STATUSES == pages.TABS
    assert tuple(pages.DECISION_LABELS) == store.DECISIONS
