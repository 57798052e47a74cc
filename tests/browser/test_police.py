"""The migration police's journey in a real browser, in kk, ru and en, against the live server.

A police officer recomputes everyone's stay status, finds an Uzbek traveller who entered 40 days
ago and never left in "Overstaying now" (11 days over the 30 days per entry), sees a Russian
traveller who passes 90 days in 180 in five days under "Soon to overstay", opens the overstayer's
page (control figures, timeline), records a reason: first "Other" without a note (refused next to
the note field and in the error summary), then "In hospital" with a note, which the list shows.

The list and the person page are checked with axe-core and for console errors and CSP violations;
screenshots ``police-overstays-<lang>.png`` and ``police-person-<lang>.png`` go where
:func:`~tests.browser.conftest.screenshot_dir` says (``make screenshots``: ``docs/screenshots``).

Expected words come from the app's own catalogues (:func:`tr`), so a word the test relies on
that is not translated fails the test.  The live database is shared by the whole browser session
(and by the three languages of this test): every run seeds travellers with document numbers of
its own and finds them by those numbers, never by position or by count.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from koshi.registry import stay
from koshi.store import registry_import
from koshi.store.db import transaction
from koshi.store.registry import TravelDocument
from koshi.web import i18n, police
from tests.browser.axe import assert_accessible
from tests.browser.conftest import Account, Console, ensure_account, screenshot_dir
from tests.registry_data import crossing, traveller
from tests.service import PASSWORD

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, SignIn

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()
POLICE = Account("police-yerlan", PASSWORD, "police", "Ерлан Жақсыбеков")
OVERSTAY_ENTRY_DAYS_AGO = 40  # an Uzbek: 30 days per entry, so 41 counted days are 11 over
SOON_ENTRY_DAYS_AGO = 85  # a Russian (EAEU): 90 days in 180, so 86 used today and the 91st in 5 days

# per language, so that the screenshots of the three runs (one shared database) show different people
PEOPLE = {
    "kk": (("TOSHMATOV", "JASUR"), ("SMIRNOVA", "OLGA")),
    "ru": (("KARIMOVA", "DILNOZA"), ("IVANOV", "SERGEI")),
    "en": (("RAKHIMOV", "BOBUR"), ("PETROVA", "ANNA")),
}
NOTES = {
    "kk": "Алматы қалалық №7 аурухана: анықтама 12/4, пациент шығуға жарамсыз.",
    "ru": "Городская больница №7 Алматы: справка 12/4, пациент нетранспортабелен.",
    "en": "Almaty City Hospital No. 7: certificate 12/4, the patient is not fit to travel.",
}


def tr(lang: str, msgid: str, **values: Any) -> str:
    """``msgid`` as the app shows it in ``lang``; fails when it has no translation there."""
    text = i18n.translations(lang).gettext(msgid)
    if lang != "en":
        assert text != msgid, f"{msgid!r} is not translated into {lang}"
    return text % values if values else text


def trn(lang: str, singular: str, plural: str, n: int, **values: Any) -> str:
    """The plural form of a message for ``n``, as the page shows it (``num`` formatted for ``lang``)."""
    text = i18n.translations(lang).ngettext(singular, plural, n)
    if lang != "en":
        assert text not in (singular, plural), f"{singular!r} is not translated into {lang}"
    return text % {"num": i18n.format_number(n, lang), **values}


def day(lang: str, value: dt.date) -> str:
    return i18n.format_date(value, lang)


def only_status_error(console: Console, status: int, url: str) -> None:
    """The page came with an error status: Chromium logs exactly that, and nothing else may be logged."""
    reason = {422: "Unprocessable Entity"}[status]
    assert console.errors == [
        f"Failed to load resource: the server responded with a status of {status} ({reason}) [{url}]"
    ]
    assert console.csp_violations() == []
    console.errors.clear()


def checked_page(page: Page, console: Console) -> None:
    """The page as it is now passes axe and logged nothing."""
    assert_accessible(page)
    console.assert_clean()


# --- data --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """The two travellers of one run: their document numbers and person ids, and the day counted on."""

    today: dt.date
    over_name: str
    over_doc: str
    over_id: int
    over_entry: dt.date
    soon_name: str
    soon_doc: str
    soon_id: int
    soon_entry: dt.date


@pytest.fixture(scope="module")
def police_user(live_server: LiveServer) -> Account:
    """A police officer of the live server (the session's accounts have no police role)."""
    return ensure_account(live_server, POLICE)


def unique_number(prefix: str) -> str:
    """A document number no other test uses (1-20 upper-case letters and digits)."""
    return prefix + uuid.uuid4().hex[:10].upper()


def seed(live_server: LiveServer, kind: str, rows: list[dict[str, Any]]) -> None:
    now = dt.datetime.now(dt.UTC)
    with transaction(live_server.app.state.sessions) as session:
        report = registry_import.import_batch(
            session, kind, rows, f"browser-police-{uuid.uuid4().hex}", registry_import.SYSTEM, now, "browser test"
        )
    assert report.rejected == 0 and report.inserted == len(rows), report.errors


@pytest.fixture
def seeded(live_server: LiveServer, lang: str) -> Seeded:
    """An Uzbek overstaying now (entered 40 days ago, registered, no exit), a Russian overstaying in 5 days."""
    today = police.today()
    (over_surname, over_given), (soon_surname, soon_given) = PEOPLE[lang]
    over = traveller(unique_number("UZ"), "UZB", over_surname, over_given)
    soon = traveller(unique_number("RU"), "RUS", soon_surname, soon_given)
    over_entry = today - dt.timedelta(days=OVERSTAY_ENTRY_DAYS_AGO)
    soon_entry = today - dt.timedelta(days=SOON_ENTRY_DAYS_AGO)

    def entry(who: dict[str, Any], on: dt.date) -> dict[str, Any]:
        # event ids of our own: the module counter of tests.registry_data restarts with every process
        return {**crossing(who, on, "entry"), "event_id": f"BE-{uuid.uuid4().hex}", "transport": "air"}

    seed(live_server, "border_events", [entry(over, over_entry), entry(soon, soon_entry)])
    seed(
        live_server,
        "registrations",
        [
            {
                **over,
                "registration_id": f"REG-{uuid.uuid4().hex}",
                "host_kind": "individual",
                "host_id": "791028302728",
                "address": "Abay Ave 10, Almaty",
                "region_kato": "750000000",
                "arrival_date": over_entry.isoformat(),
                "registered_on": (over_entry + dt.timedelta(days=1)).isoformat(),
                "channel": "e_qonaq",
            }
        ],
    )
    with transaction(live_server.app.state.sessions) as session:
        ids = {
            d.doc_number: d.person_id
            for d in session.scalars(
                select(TravelDocument).where(TravelDocument.doc_number.in_([over["doc_number"], soon["doc_number"]]))
            )
        }
    return Seeded(
        today,
        f"{over_surname}, {over_given}",
        over["doc_number"],
        ids[over["doc_number"]],
        over_entry,
        f"{soon_surname}, {soon_given}",
        soon["doc_number"],
        ids[soon["doc_number"]],
        soon_entry,
    )


# --- the journey -------------------------------------------------------------------------------------


def list_row(page: Page, person_id: int) -> Locator:
    return page.locator(f"#list tbody tr[data-person='{person_id}']")


def cells(row: Locator) -> list[str]:
    """A row's cells as read (visually hidden words included), the markup's white space collapsed.

    Only ASCII white space: the no-break spaces Babel puts in dates and numbers stay as they are.
    """
    return [re.sub(r"[ \t\r\n]+", " ", t).strip() for t in row.locator("th, td").all_text_contents()]


def submit_reason(page: Page, lang: str, key: str, code: str, note: str) -> None:
    section = page.locator(f"#overstay-{key}")
    section.locator(f"#code-{key}").select_option(code)
    section.locator(f"#note-{key}").fill(note)
    with page.expect_navigation():
        section.get_by_role("button", name=tr(lang, "Record the reason"), exact=True).click()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_police_find_an_overstayer_and_record_why(
    page: Page,
    console: Console,
    live_url: str,
    sign_in: SignIn,
    police_user: Account,
    seeded: Seeded,
    lang: str,
) -> None:
    rules = stay.policy(seeded.today)
    per_entry = rules.per_entry["UZB"]
    counted = OVERSTAY_ENTRY_DAYS_AGO + 1  # the day of entry and today both count
    days_over = counted - per_entry
    since = seeded.over_entry + dt.timedelta(days=per_entry)  # the first unlawful day
    assert stay.fine_band(days_over, rules).band == "fine_and_expulsion", "the fine bands of art. 517 changed"
    exceeds_on = seeded.soon_entry + dt.timedelta(days=rules.window_limit)  # the first day past 90 in 180
    key = seeded.over_entry.isoformat()
    note = NOTES[lang]
    person_url = f"/police/persons/{seeded.over_id}"
    sign_in(page, police_user, lang=lang)

    # the lists: recompute, and the overstayer is there with the days over
    page.goto("/police/overstays")
    expect(page.locator("h1")).to_have_text(tr(lang, "Overstays"))
    with page.expect_navigation():
        page.get_by_role("button", name=tr(lang, "Recompute now"), exact=True).click()
    assert urlsplit(page.url).path == "/police/overstays", page.url
    expect(page.locator("#refresh-message")).to_have_text(
        tr(lang, "Stay status recomputed as of %(date)s", date=day(lang, seeded.today))
    )
    expect(page.locator("#as-of")).to_contain_text(day(lang, seeded.today))
    current = page.locator(".koshi-police-tabs a[aria-current='page']")
    expect(current).to_have_text(tr(lang, "Overstaying now"))
    expect(page.locator("#list-caption")).to_contain_text(tr(lang, "Overstaying now"))
    row = list_row(page, seeded.over_id)
    expect(row).to_have_count(1)
    expect(row.locator(".koshi-police-doc")).to_have_text(f"UZB {seeded.over_doc}")
    expect(row.locator("th a")).to_have_attribute("href", person_url)
    assert cells(row) == [
        seeded.over_name,
        f"UZB {seeded.over_doc}",
        "UZB",
        tr(lang, "Visa-free"),
        day(lang, seeded.over_entry),
        day(lang, since),
        i18n.format_number(days_over, lang),
        tr(lang, "Days per entry"),
        tr(lang, "Fine and expulsion"),
        f"{tr(lang, 'Not set')}–",  # the visually hidden words, then the dash shown
    ], cells(row)
    expect(list_row(page, seeded.soon_id)).to_have_count(0)  # not overstaying yet
    page.screenshot(path=str(SCREENSHOTS / f"police-overstays-{lang}.png"), full_page=True)
    checked_page(page, console)

    # soon to overstay: the EAEU traveller, five days to go
    with page.expect_navigation():
        page.locator(".koshi-police-tabs").get_by_role("link", name=tr(lang, "Soon to overstay"), exact=True).click()
    assert urlsplit(page.url).query == "kind=soon", page.url
    expect(current).to_have_text(tr(lang, "Soon to overstay"))
    soon = list_row(page, seeded.soon_id)
    expect(soon).to_have_count(1)
    assert cells(soon) == [
        seeded.soon_name,
        f"RUS {seeded.soon_doc}",
        "RUS",
        tr(lang, "EAEU citizen"),
        day(lang, seeded.soon_entry),
        day(lang, exceeds_on),
        i18n.format_number((exceeds_on - seeded.today).days, lang),
        i18n.format_number(SOON_ENTRY_DAYS_AGO + 1, lang),
    ], cells(soon)
    expect(list_row(page, seeded.over_id)).to_have_count(0)
    checked_page(page, console)

    # back to those overstaying now, and the overstayer's page
    with page.expect_navigation():
        page.locator(".koshi-police-tabs").get_by_role("link", name=tr(lang, "Overstaying now"), exact=True).click()
    with page.expect_navigation():
        list_row(page, seeded.over_id).get_by_role("link", name=seeded.over_name, exact=True).click()
    assert urlsplit(page.url).path == person_url, page.url
    expect(page.locator("#person-name")).to_have_text(seeded.over_name)
    expect(page.locator("#control-on")).to_contain_text(f"{day(lang, seeded.today)} ({tr(lang, 'today')})")
    expect(page.locator("#control-regime")).to_have_text(tr(lang, "Visa-free"))
    expect(page.locator("#control-present")).to_have_text(
        tr(lang, "Yes, entered on %(date)s", date=day(lang, seeded.over_entry))
    )
    expect(page.locator("#control-stay")).to_have_text(
        trn(lang, "%(num)s counted day", "%(num)s counted days", counted)
        + " "
        + tr(lang, "(at most %(n)s per entry)", n=per_entry)
    )
    expect(page.locator("#control-used")).to_have_text(
        tr(
            lang,
            "%(used)s of %(limit)s",
            used=i18n.format_number(counted, lang),
            limit=i18n.format_number(rules.window_limit, lang),
        )
    )
    overstay = page.locator("#control-overstay")
    expect(overstay.locator("strong")).to_have_text(
        trn(lang, "%(num)s day over the limit", "%(num)s days over the limit", days_over)
    )
    expect(overstay).to_contain_text(tr(lang, "since %(date)s", date=day(lang, since)))
    expect(overstay).to_contain_text(tr(lang, "Rule broken: %(rule)s", rule=tr(lang, "Days per entry")))
    expect(page.locator("#control-fine .koshi-police-band")).to_have_text(tr(lang, "Fine and expulsion"))
    expect(page.locator("#control-missing")).to_have_text(tr(lang, "None"))
    expect(page.locator("#control-registration .govuk-tag")).to_have_count(0)  # registered the next day
    expect(page.locator("#control-exceeds")).to_have_count(0)  # already over
    # the overstays table: the current one, no reason yet
    overstays_row = page.locator("#overstays-table tbody tr")
    expect(overstays_row).to_have_count(1)
    expect(overstays_row.locator("td").nth(1)).to_have_text(i18n.format_number(days_over, lang))
    # the timeline: the entry at the airport, then the registration, oldest first
    timeline = page.locator("#timeline-table tbody tr")
    expect(page.locator("#timeline-caption")).to_have_text(
        trn(lang, "%(num)s record from the feeds, oldest first", "%(num)s records from the feeds, oldest first", 2)
    )
    expect(timeline).to_have_count(2)
    crossing_row = page.locator("#timeline-table tr.koshi-police-timeline__border_event")
    expect(crossing_row.locator("th")).to_have_text(day(lang, seeded.over_entry))
    expect(crossing_row.locator("time")).to_have_text("10:00")
    expect(crossing_row).to_contain_text(tr(lang, "Border crossing"))
    expect(crossing_row).to_contain_text(f"{tr(lang, 'Direction')}: {tr(lang, 'Entry')}")
    expect(crossing_row).to_contain_text("ALA-AIR")
    expect(crossing_row).to_contain_text(f"UZB {seeded.over_doc}")
    registration = page.locator("#timeline-table tr.koshi-police-timeline__registration")
    expect(registration).to_contain_text(tr(lang, "Registration at the place of stay"))
    expect(registration).to_contain_text("Abay Ave 10, Almaty")
    expect(registration).to_contain_text("E-Qonaq")  # a name: the same in every language
    checked_page(page, console)

    # "Other" without a note is refused: next to the note, in the summary, and the choice is kept
    submit_reason(page, lang, key, "other", "")
    reason_url = f"{person_url}/overstays/{key}/reason"
    assert urlsplit(page.url).path == reason_url, page.url
    message = tr(lang, "Enter a note saying what happened: the reason “Other” needs one")
    note_error = page.locator(f"#note-{key}-error")
    expect(note_error).to_contain_text(message)
    note_field = page.locator(f"#note-{key}")
    expect(note_field).to_have_attribute("aria-describedby", re.compile(rf"\bnote-{key}-error\b"))
    error_group = page.locator(".govuk-form-group--error")
    expect(error_group).to_have_count(1)  # the reason itself was fine
    expect(error_group.locator(f"#note-{key}-error + textarea#note-{key}")).to_have_count(1)
    expect(page.locator(f"#code-{key}")).to_have_value("other")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(tr(lang, "There is a problem"))
    link = summary.get_by_role("link")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", f"#note-{key}")
    expect(link).to_have_text(message)
    assert page.title().startswith(tr(lang, "Error:")), page.title()
    assert_accessible(page)
    only_status_error(console, 422, f"{live_url}{reason_url}")
    link.click()
    expect(note_field).to_be_focused()

    # "In hospital" with a note is recorded
    submit_reason(page, lang, key, "hospital", note)
    assert urlsplit(page.url).path == person_url and "done=reason" in page.url, page.url
    expect(page.locator("#done-message")).to_have_text(
        tr(lang, "Reason recorded for the overstay of the stay entered on %(date)s", date=day(lang, seeded.over_entry))
    )
    hospital = tr(lang, "In hospital or too ill to travel")
    expect(page.locator(f"#latest-{key}")).to_contain_text(tr(lang, "Reason now: %(reason)s", reason=hospital))
    expect(page.locator(f"#latest-{key}")).to_contain_text(note)
    expect(overstays_row.locator("td").last).to_have_text(hospital)
    history = page.locator("#reason-history tbody tr")
    expect(history).to_have_count(1)  # the refused "Other" left nothing behind
    expect(history).to_contain_text(note)
    expect(history.locator(".koshi-police-you")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / f"police-person-{lang}.png"), full_page=True)
    checked_page(page, console)

    # and the list shows the reason
    with page.expect_navigation():
        page.get_by_role("link", name=tr(lang, "Overstay lists"), exact=True).click()
    reason_cell = list_row(page, seeded.over_id).locator("td").last
    expect(reason_cell).to_contain_text(hospital)
    expect(reason_cell.locator(".koshi-police-note")).to_have_text(note)
    console.assert_clean()
