"""Lists the app tests did not count: their queries do not grow with their rows."""

import pytest
from django.urls import reverse

from stadtallianz.core.testing import query_count
from stadtallianz.letter_of_intent import services as letter_services
from stadtallianz.letter_of_intent.models import Signature, Version
from stadtallianz.partners.models import Invitation, Membership, Offer

pytestmark = pytest.mark.django_db


def _add_people(organisation, make_user, inviter, start: int, count: int) -> None:
    for n in range(start, start + count):
        person = make_user(f"person-{n}@example.org")
        Membership.objects.create(organisation=organisation, user=person,
                                  role=Membership.Role.ADMIN if n % 2 else Membership.Role.MEMBER)
        Invitation.objects.create(organisation=organisation, email=f"invited-{n}@example.org",
                                  invited_by=inviter, token=f"token-{n}")


def test_the_member_page_query_count_does_not_grow(client_for, organisation, partner_admin,
                                                    make_user):
    """The member page of an organisation with many people and invitations costs as many
    queries as one with few."""
    client = client_for(partner_admin)
    url = reverse("partners:members", kwargs={"slug": organisation.slug})
    _add_people(organisation, make_user, partner_admin, 0, 2)
    few = query_count(client.get, url)
    _add_people(organisation, make_user, partner_admin, 2, 12)
    assert query_count(client.get, url) == few


def test_the_offers_page_query_count_does_not_grow(client_for, organisation, partner_admin):
    """The offers page costs the same with two entries as with twenty."""
    client = client_for(partner_admin)
    url = reverse("partners:offers", kwargs={"slug": organisation.slug})

    def add(count):
        for n in range(count):
            Offer.objects.create(organisation=organisation, kind=Offer.Kind.values[n % 2],
                                 category=Offer.Category.values[n % 7], text=f"Entry {n}")

    add(2)
    few = query_count(client.get, url)
    add(18)
    assert query_count(client.get, url) == few


def _sign_and_review(organisation, admin, coordinator, *, confirm: bool) -> Signature:
    signature = letter_services.signature_create(
        organisation=organisation, version=Version.objects.current(), by=admin,
        signatory_name="Anna", signatory_function="CEO", authority_confirmed=True)
    if confirm:
        return letter_services.signature_confirm(signature=signature, by=coordinator)
    return letter_services.signature_reject(signature=signature, by=coordinator, reason="No.")


def test_the_signature_history_query_count_does_not_grow(client_for, organisation,
                                                         partner_admin, coordinator):
    """The status page and the back office's application page list an organisation's earlier
    signatures with the same number of queries however many there are."""
    status_url = reverse("letter_of_intent:status", kwargs={"slug": organisation.slug})
    admin_client, office = client_for(partner_admin), client_for(coordinator)
    first = _sign_and_review(organisation, partner_admin, coordinator, confirm=False)
    _sign_and_review(organisation, partner_admin, coordinator, confirm=False)
    application_url = reverse("backoffice:application", kwargs={"pk": first.pk})
    few = (query_count(admin_client.get, status_url), query_count(office.get, application_url))
    for _ in range(6):
        _sign_and_review(organisation, partner_admin, coordinator, confirm=False)
    many = (query_count(admin_client.get, status_url), query_count(office.get, application_url))
    assert many == few


def test_the_api_signatory_list_query_count_does_not_grow(client, make_organisation,
                                                          make_user, coordinator):
    """The API's signatory list costs the same with two partners as with twelve."""

    def add(start, count):
        for n in range(start, start + count):
            organisation = make_organisation(f"Signatory {n}")
            admin = make_user(f"signatory-{n}@example.org")
            Membership.objects.create(organisation=organisation, user=admin,
                                      role=Membership.Role.ADMIN)
            organisation.status = organisation.Status.DRAFT
            organisation.save()
            _sign_and_review(organisation, admin, coordinator, confirm=True)

    add(0, 2)
    few = query_count(client.get, "/api/v1/letter-of-intent/signatories")
    add(2, 10)
    response = client.get("/api/v1/letter-of-intent/signatories")
    assert response.json()["count"] == 12
    assert query_count(client.get, "/api/v1/letter-of-intent/signatories") == few


def _add_partners(start: int, count: int) -> None:
    """Public partners with two focus areas and an offer each, written in bulk."""
    from django.utils import timezone

    from stadtallianz.core.models import FocusArea
    from stadtallianz.partners.models import Organisation

    now = timezone.now()
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Partner {n:04d}", slug=f"partner-{n:04d}",
                     type=Organisation.Type.COMPANY, status=Organisation.Status.PARTNER,
                     partner_since=now, description_de=f"Beschreibung {n}")
        for n in range(start, start + count)
    )
    areas = list(FocusArea.objects.all()[:2])
    Organisation.focus_areas.through.objects.bulk_create(
        Organisation.focus_areas.through(organisation=organisation, focusarea=area)
        for organisation in organisations for area in areas
    )
    Offer.objects.bulk_create(
        Offer(organisation=organisation, kind=Offer.Kind.OFFER, category=Offer.Category.DATA,
              text="Sensordaten")
        for organisation in organisations
    )


def test_directory_profile_and_api_list_cost_the_same_queries_with_10_or_1000_partners(client):
    """The issue's figure: the same query count with 10 and with 1,000 partners, for the
    directory (plain and filtered), a profile page and the API list."""
    pages = [
        ("/de/partners/", {}),
        ("/de/partners/", {"focus": "mobility", "category": "data", "page": "2"}),
        ("/de/partners/partner-0001/", {}),
        ("/api/v1/partners", {"limit": 100}),
    ]
    _add_partners(0, 10)
    few = [query_count(client.get, path, params) for path, params in pages]
    _add_partners(10, 990)
    for path, params in pages:
        assert client.get(path, params).status_code == 200
    many = [query_count(client.get, path, params) for path, params in pages]
    assert few == many


def _add_funding(start: int, count: int, organisation, other, project, user) -> None:
    """Per number a programme's call with a deadline, a rate and a focus area, a published
    application for it of a two-member consortium, and a partner search for it."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from stadtallianz.core.models import FocusArea
    from stadtallianz.funding.models import Call, CallRate, Deadline, Programme
    from stadtallianz.partnering.models import Notice
    from stadtallianz.proposals.models import Application, ApplicationMember

    area = FocusArea.objects.order_by("pk").first()
    for n in range(start, start + count):
        programme = Programme.objects.create(funder=f"Geber {n}", level="federal",
                                             name_de=f"Programm {n}", slug=f"programm-{n}")
        call = Call.objects.create(programme=programme, slug=f"aufruf-{n}",
                                   title_de=f"Aufruf {n}", funding_rate=Decimal("60"),
                                   max_amount=Decimal("500000"))
        call.focus_areas.add(area)
        CallRate.objects.create(call=call, applicant_type="research", rate=Decimal("100"))
        Deadline.objects.create(call=call, due_at=timezone.now() + timedelta(days=10 + n))
        application = Application.objects.create(
            call=call, project=project, title=f"Antrag {n}", published=True,
            state=Application.State.SUBMITTED, created_by=user)
        ApplicationMember.objects.create(application=application, organisation=organisation,
                                         role=ApplicationMember.Role.COORDINATOR)
        ApplicationMember.objects.create(application=application, organisation=other,
                                         role=ApplicationMember.Role.PARTNER)
        notice = Notice.objects.create(organisation=organisation, created_by=user,
                                       project=project, call=call, title_de=f"Gesucht {n}",
                                       roles_sought=["partner"], wanted_types=["research"])
        notice.focus_areas.add(area)


@pytest.mark.parametrize("who", ["visitor", "partner_admin", "coordinator"])
def test_the_funding_lists_cost_the_same_queries_with_2_or_14_entries(
        client_for, organisation, partner_admin, coordinator, make_organisation, who):
    """The calls, the calendar, the programmes, the applications (and the office's pipeline),
    the partner searches and their API lists: the same query count with two entries of each as
    with fourteen."""
    from stadtallianz.projects import services as project_services

    project = project_services.create_project(
        actor=partner_admin, organisation=organisation,
        data={"title_de": "Quartiersbus", "phase": "concept"})
    other = make_organisation("Forschung")
    person = {"visitor": None, "partner_admin": partner_admin, "coordinator": coordinator}[who]
    client = client_for(person)
    pages = [reverse("funding:call_list"), reverse("funding:call_list") + "?state=open&q=Aufruf",
             reverse("funding:calendar"), reverse("funding:programme_list"),
             reverse("proposals:list"), reverse("proposals:totals"),
             reverse("partnering:list"), reverse("partnering:list") + "?wanted_type=research",
             "/api/v1/funding/calls", "/api/v1/funding/programmes", "/api/v1/funding/deadlines",
             "/api/v1/funding/applications", "/api/v1/partner-search"]
    if who == "coordinator":
        pages += [reverse("proposals:pipeline"), reverse("partnering:mine")]
    if who == "partner_admin":
        pages += [reverse("partnering:mine"), reverse("portal:my_area")]
    _add_funding(0, 2, organisation, other, project, partner_admin)
    for page in pages:
        assert client.get(page).status_code == 200, page
    few = [query_count(client.get, page) for page in pages]
    _add_funding(2, 12, organisation, other, project, partner_admin)
    many = [query_count(client.get, page) for page in pages]
    assert dict(zip(pages, many, strict=True)) == dict(zip(pages, few, strict=True))
