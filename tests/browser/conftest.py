"""A real Chromium (Debian's package) driven by Playwright, with axe-core from npm."""

import os
from pathlib import Path

import pytest
from django.db import connections

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


# One Playwright and one Chromium for the whole run: tests outside this folder import the
# `browser` fixture, which makes it a second session fixture, and Playwright's synchronous API
# cannot start twice in one thread. Each instance counts itself in; the last one out closes.
_shared = {"users": 0}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is required for the browser tests and missing at {CHROMIUM}")
    if not _shared["users"]:
        # Playwright's synchronous API keeps an event loop running in this thread for the rest
        # of the session; the ORM calls the tests make around it are still synchronous and safe.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        # Django keeps a thread's connection in an asgiref Local, which follows the context
        # Playwright's event loop runs the tests in from now on: a connection opened before
        # would be out of reach, never closed, and keep the test database open at its drop.
        connections.close_all()
        _shared["playwright"] = sync_playwright().start()
        _shared["browser"] = _shared["playwright"].chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    _shared["users"] += 1
    yield _shared["browser"]
    _shared["users"] -= 1
    if not _shared["users"]:
        connections.close_all()
        _shared.pop("browser").close()
        _shared.pop("playwright").stop()


@pytest.fixture
def page(browser, settings):
    # No map tiles from the internet in tests: the map shows its marker on a blank ground.
    settings.MAP_TILE_URL = ""
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text
            and page.csp_violations.append(message.text))
    yield page
    context.close()


ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def axe_violations(page, impacts=ALL_IMPACTS) -> list[dict]:
    """Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page; returns the violations found, of
    any impact unless `impacts` names fewer (issue 14: no violation of any impact)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate() runs in the page without counting as inline script, so CSP stays strict.
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [node["target"] for node in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in impacts
    ]


def login(page, live_server, email: str, password: str, language: str = "de") -> None:
    page.goto(f"{live_server.url}/{language}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


PASSWORD = "correct-horse-battery-staple"


def _reference_data() -> None:
    """The principles, focus areas, SDGs and version 1 of the letter come with the migrations;
    a transactional test empties every table afterwards, so each test loads them again."""
    from importlib import import_module

    from django.apps import apps

    import_module("stadtallianz.core.migrations.0002_reference_data").load(apps, None)
    import_module("stadtallianz.letter_of_intent.migrations.0002_first_version").load(apps, None)


@pytest.fixture
def alliance(transactional_db, settings):
    """A small believable alliance: 30 public partners (two directory pages) with focus areas,
    offers and map coordinates; version 2 of the letter is current; the admin's organisation is
    asked to re-sign it; one organisation's signature awaits review; some audit history.
    Returns a namespace with the people (password PASSWORD) and the objects the tests visit."""
    from datetime import timedelta
    from decimal import Decimal
    from types import SimpleNamespace

    from django.utils import timezone

    from stadtallianz.accounts.models import User
    from stadtallianz.core.models import FocusArea
    from stadtallianz.letter_of_intent import services as letter_services
    from stadtallianz.letter_of_intent.models import Signature, Version
    from stadtallianz.partners import services as partner_services
    from stadtallianz.partners.models import Membership, Offer, Organisation

    _reference_data()
    now = timezone.now()
    v1 = Version.objects.get(number=1)
    Version.objects.filter(pk=v1.pk).update(published_at=now - timedelta(days=700))
    v2 = Version.objects.create(
        number=2, title_de=v1.title_de, title_en=v1.title_en,
        text_de=v1.text_de + "\n\nDie Partner teilen ihre Ergebnisse als offene Daten.",
        text_en=v1.text_en + "\n\nThe partners share their results as open data.",
        published_at=now - timedelta(days=30),
    )

    def person(email, name, **fields):
        return User.objects.create_user(email, PASSWORD, full_name=name,
                                        email_confirmed_at=now, **fields)

    coordinator = person("koordination@example.org", "Katrin Vogt", is_coordinator=True)
    admin = person("admin@example.org", "Andreas Lammers")
    member = person("mitglied@example.org", "Miriam Schulte")
    citizen = person("buerger@example.org", "Bernd Terhorst")
    applicant = person("antrag@example.org", "Daniel Kröger")

    areas = list(FocusArea.objects.order_by("position"))
    types = list(Organisation.Type.values)
    categories = list(Offer.Category.values)
    partners = Organisation.objects.bulk_create([
        Organisation(
            slug=f"partner-{index:02d}", name=f"Partner {index:02d} Münster",
            type=types[index % len(types)], status=Organisation.Status.PARTNER,
            description_de=f"Partner {index} arbeitet an **Mobilität** und Energie.",
            description_en=f"Partner {index} works on **mobility** and energy.",
            website=f"https://partner-{index}.example", street=f"Prinzipalmarkt {index}",
            postal_code="48143", city="Münster",
            latitude=Decimal("51.9620") + Decimal(index) / 1000,
            longitude=Decimal("7.6280") + Decimal(index) / 1000,
            partner_since=now - timedelta(days=400 - index),
        )
        for index in range(1, 31)
    ])
    for index, organisation in enumerate(partners):
        organisation.focus_areas.set(areas[index % len(areas):index % len(areas) + 2])
    Offer.objects.bulk_create([
        Offer(organisation=organisation, kind=kind, category=categories[(index + shift) % 7],
              text=f"{kind} {index}: Messdaten, Testflächen und Beratung.")
        for index, organisation in enumerate(partners)
        for kind, shift in ((Offer.Kind.OFFER, 0), (Offer.Kind.NEED, 3))
    ])
    Signature.objects.bulk_create([
        Signature(organisation=organisation, version=v2, signatory_name="Vorstand",
                  signatory_function="Geschäftsführung", authority_confirmed=True,
                  state=Signature.State.CONFIRMED, reviewed_by=coordinator, reviewed_at=now)
        for organisation in partners
    ])

    # The admin's organisation signed version 1 and is asked to re-sign version 2.
    home = Organisation.objects.create(
        slug="stadtwerke", name="Stadtwerke Münster", type=Organisation.Type.MUNICIPAL,
        status=Organisation.Status.RESIGN_REQUIRED, description_de="Energie und Mobilität.",
        description_en="Energy and mobility.", website="https://stadtwerke.example",
        street="Hafenplatz 1", postal_code="48155", city="Münster",
        latitude=Decimal("51.9500"), longitude=Decimal("7.6400"),
        partner_since=now - timedelta(days=600),
    )
    home.focus_areas.set(areas[:3])
    Membership.objects.create(organisation=home, user=admin, role=Membership.Role.ADMIN)
    Membership.objects.create(organisation=home, user=member, role=Membership.Role.MEMBER)
    Signature.objects.create(
        organisation=home, version=v1, signed_by=admin, signatory_name=admin.full_name,
        signatory_function="Geschäftsführer", authority_confirmed=True,
        state=Signature.State.CONFIRMED, reviewed_by=coordinator, reviewed_at=now)
    partner_services.offer_create(organisation=home, by=admin, kind=Offer.Kind.OFFER,
                                  category=Offer.Category.DATA, text="Ladesäulen-Daten.")
    partner_services.offer_create(organisation=home, by=admin, kind=Offer.Kind.NEED,
                                  category=Offer.Category.TEST_SITE, text="Eine Testfläche.")
    partner_services.membership_invite(organisation=home, by=admin, email="neu@example.org",
                                       role=Membership.Role.MEMBER)

    # A new organisation whose signature awaits the coordination office's review.
    applying = partner_services.organisation_create(
        by=applicant, name="Parkplatzpilot", type=Organisation.Type.STARTUP,
        data={"description_de": "Freie Parkplätze in Echtzeit.",
              "description_en": "Free parking spaces in real time."})
    pending = letter_services.signature_create(
        organisation=applying, version=v2, by=applicant, signatory_name=applicant.full_name,
        signatory_function="Gründer", authority_confirmed=True)

    return SimpleNamespace(
        coordinator=coordinator, admin=admin, member=member, citizen=citizen,
        applicant=applicant, partners=partners, home=home, applying=applying,
        pending=pending, v1=v1, v2=v2, focus_area=areas[0],
    )


def page_problems(page, url: str, *, expect_status: int = 200) -> dict:
    """Opens url and returns what is wrong with it: an unexpected status, CSP violations, and
    axe's findings of any impact (empty when the page is fine)."""
    page.csp_violations.clear()
    response = page.goto(url)
    page.wait_for_load_state("load")
    problems = problems_here(page, status=response.status if response else None,
                             expect_status=expect_status)
    if page.url != url:  # a redirect (to the login page, say) would check the wrong page
        problems["redirected to"] = page.url
    return problems


def problems_here(page, *, status: int | None = None, expect_status: int = 200) -> dict:
    """The same checks for the page as it is now (after a form was submitted, say)."""
    problems = {}
    if status is not None and status != expect_status:
        problems["status"] = status
    headings = page.locator("h1").count()
    if headings != 1:
        problems["h1 count"] = headings
    if page.csp_violations:
        problems["csp"] = list(page.csp_violations)
    if violations := axe_violations(page):
        problems["axe"] = violations
    return problems


def sweep(page, base_url: str, language: str, paths: list[str]) -> dict:
    """page_problems for each path under /<language>/; maps each failing path to its problems."""
    found = {}
    for path in paths:
        if problems := page_problems(page, f"{base_url}/{language}{path}"):
            found[path] = problems
    return found


def unlinked_errors(page, names: list[str]) -> dict:
    """For each field name, what is missing for a screen reader to hear its error with it: the
    input must be aria-invalid and name, in aria-describedby, a visible element with the error
    text. Returns {name: problem} for the fields that fail (empty when all are linked)."""
    found = {}
    for name in names:
        field = page.locator(f"main [name={name}]").first
        if field.count() == 0:
            found[name] = "no such field"
            continue
        if field.get_attribute("aria-invalid") != "true":
            found[name] = f"aria-invalid is {field.get_attribute('aria-invalid')!r}"
            continue
        described_by = (field.get_attribute("aria-describedby") or "").split()
        errors = [page.locator(f"[id='{id_}']") for id_ in described_by]
        texts = [error.inner_text().strip() for error in errors
                 if error.count() == 1 and error.is_visible() and "errorlist" in
                 (error.get_attribute("class") or "")]
        if not any(texts):
            found[name] = f"aria-describedby {described_by} names no visible error"
    return found
