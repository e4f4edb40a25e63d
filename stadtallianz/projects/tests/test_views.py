from datetime import date

import pytest
from django.urls import reverse

from stadtallianz.core.models import Principle, SDGTarget, SustainableDevelopmentGoal
from stadtallianz.core.testing import query_count
from stadtallianz.projects import services
from stadtallianz.projects.models import ConsortiumMember, Milestone, Project, ProjectPlace, Result

pytestmark = pytest.mark.django_db


def _url(name, project=None, **kwargs):
    if project is not None:
        kwargs["slug"] = project.slug
    return reverse(f"projects:{name}", kwargs=kwargs)


def _fill(project, actor, target="11.2", phase="preparation"):
    services.save_part(project=project, actor=actor, instance=Milestone(),
                       data={"title": "Auftakt", "due": date(2026, 3, 1)})
    services.save_part(project=project, actor=actor, instance=Result(),
                       data={"title": "App", "progress": 30})
    services.save_part(project=project, actor=actor, instance=ProjectPlace(), data={
        "name": "Domplatz", "geometry": {"type": "Point", "coordinates": [7.62, 51.96]}})
    services.save_part(project=project, actor=actor, instance=project.sdg_relations.model(),
                       data={"goal": SustainableDevelopmentGoal.objects.get(number=11),
                             "target": SDGTarget.objects.get(code=target)})
    services.save_part(project=project, actor=actor, instance=project.budget_lines.model(),
                       data={"label": "Eigenmittel", "amount": 1000, "currency": "EUR"})
    services.save_part(project=project, actor=actor, instance=project.phase_periods.model(),
                       data={"phase": phase, "start": date(2026, 1, 1)})
    services.save_part(project=project, actor=actor, instance=project.updates.model(),
                       data={"title": "Start", "body": "Es geht **los**."})


def test_the_project_page_shows_everything(client, project, partner_member):
    _fill(project, partner_member)
    response = client.get(project.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for text in ["Quartiersbus Kreuzviertel", "Stadtwerke Beispielstadt", "Auftakt",
                 'value="30" max="100"', "30 %", "Domplatz", "11.2", "1.000,00 EUR",
                 "Summe in EUR", "<strong>los</strong>", 'data-geojson="project-places"',
                 "Phasen", "Vorbereitung", "01.01.2026"]:
        assert text in html, text
    # The visitor sees no edit links.
    assert _url("edit", project) not in html


def test_the_page_of_a_project_from_an_idea_links_to_it(client, make_user, group):
    from stadtallianz.ideas.models import Idea

    idea = Idea.objects.create(title="Die Idee", description="x",
                               author=make_user("i@example.org"))
    project = services.create_from_idea(idea, idea.author)
    assert idea.get_absolute_url() in client.get(project.get_absolute_url()).content.decode()


def test_project_page_query_count_is_constant(client, project, partner_member):
    _fill(project, partner_member)
    few = query_count(client.get, project.get_absolute_url())
    _fill(project, partner_member, target="11.3", phase="pilot")
    Milestone.objects.create(project=project, title="x", due=date(2026, 1, 1))
    assert query_count(client.get, project.get_absolute_url()) == few


def test_list_filters_and_htmx(client, project, group_project, group, organisation):
    response = client.get(_url("list"))
    assert response.status_code == 200
    assert "2 Projekte" in response.content.decode()
    html = client.get(_url("list") + f"?organisation={organisation.slug}").content.decode()
    assert project.title_de in html and group_project.title_de not in html
    fragment = client.get(_url("list") + f"?group={group.slug}", HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert "<html" not in text and group_project.title_de in text
    assert project.title_de not in text


def test_list_query_count_does_not_grow(client, organisation, partner_admin):
    def make(count):
        for n in range(count):
            p = services.create_project(actor=partner_admin, organisation=organisation,
                                        data={"title_de": f"P {n} {Project.objects.count()}"})
            p.focus_areas.set([1, 2])
    make(2)
    few = query_count(client.get, _url("list"))
    filtered = query_count(client.get, _url("list") + "?phase=concept&sdg=11&focus_area=energy")
    make(25)
    assert query_count(client.get, _url("list")) == few
    assert query_count(client.get, _url("list") + "?page=2") == few
    assert query_count(client.get, _url("list") + "?phase=concept&sdg=11&focus_area=energy"
                       ) == filtered


def test_map_page_and_geojson(client, project, partner_member):
    _fill(project, partner_member)
    html = client.get(_url("map")).content.decode()
    assert 'data-src="' + _url("geojson") in html and project.title_de in html
    assert client.get(_url("geojson")).json()["features"][0]["properties"]["subtitle"] == \
        "Domplatz"


def test_create_form(client_for, partner_admin, partner_member, organisation, citizen):
    assert client_for(citizen).get(_url("create")).status_code == 403
    # A plain member of a partner (in no working group) cannot commit it as lead.
    assert client_for(partner_member).get(_url("create")).status_code == 403
    c = client_for(partner_admin)
    bad = c.post(_url("create"), {"title_de": ""})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'aria-invalid="true"' in html and "id_title_de_error" in html
    assert "id_organisation_error" in html
    ok = c.post(_url("create"), {"title_de": "Per Formular", "organisation": organisation.pk,
                                 "phase": "concept"})
    project = Project.objects.get(title_de="Per Formular")
    assert ok.status_code == 302 and ok.url == project.get_absolute_url()
    assert ConsortiumMember.objects.get(project=project).role == "lead"


def test_edit_form_conflict_shows_the_difference(client_for, project, partner_member,
                                                 partner_admin):
    first, second = client_for(partner_admin), client_for(partner_member)
    data = {"title_de": project.title_de, "title_en": "", "summary_de": "", "summary_en": "",
            "description_de": "", "description_en": "", "phase": "concept", "version": 1}
    assert first.post(_url("edit", project), {**data, "title_de": "Von Anna"}).status_code == 302
    response = second.post(_url("edit", project), {**data, "title_de": "Von Max"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Jemand anderes hat dieses Projekt" in html
    assert "-Von Anna" in html and "+Von Max" in html
    assert 'name="version" value="2"' in html
    assert Project.objects.get(pk=project.pk).title_de == "Von Anna"
    # Saving again from the shown form (now based on version 2) works.
    assert second.post(_url("edit", project), {**data, "title_de": "Von Max",
                                               "version": 2}).status_code == 302


@pytest.mark.parametrize("role", [None, "citizen", "other_admin"])
def test_outsiders_get_no_forms(as_role, project, role):
    client = as_role(role)
    milestone = Milestone.objects.create(project=project, title="M", due=date(2026, 1, 1))
    urls = [_url("edit", project), _url("part_create", project, kind="milestones"),
            _url("part_edit", project, kind="milestones", pk=milestone.pk),
            _url("part_delete", project, kind="milestones", pk=milestone.pk)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == (302 if role is None else 403), url
        assert client.post(url, {"title": "x"}).status_code in (302, 403)
    assert Milestone.objects.get().title == "M"


def test_part_forms(client_for, project, partner_member):
    c = client_for(partner_member)
    bad = c.post(_url("part_create", project, kind="places"),
                 {"name": "Ort", "geometry": '{"type": "Point", "coordinates": [7, 95]}'})
    assert bad.status_code == 400
    assert "Breitengrad 95" in bad.content.decode() or "latitude 95" in bad.content.decode()
    assert "id_geometry_error" in bad.content.decode()
    not_json = c.post(_url("part_create", project, kind="places"), {"name": "O", "geometry": "{"})
    assert not_json.status_code == 400
    target = SDGTarget.objects.get(code="7.2")
    bad = c.post(_url("part_create", project, kind="sdgs"),
                 {"goal": SustainableDevelopmentGoal.objects.get(number=11).pk,
                  "target": target.pk})
    assert bad.status_code == 400 and "id_target_error" in bad.content.decode()
    ok = c.post(_url("part_create", project, kind="milestones"),
                {"title": "M", "due": "2026-04-01", "state": "open"})
    assert ok.status_code == 302
    milestone = Milestone.objects.get()
    assert c.post(_url("part_edit", project, kind="milestones", pk=milestone.pk),
                  {"title": "M2", "due": "2026-04-01", "state": "open"}).status_code == 302
    assert Milestone.objects.get().title == "M2"
    assert c.post(_url("part_delete", project, kind="milestones", pk=milestone.pk)
                  ).status_code == 302
    assert not Milestone.objects.exists()
    assert c.get(_url("part_create", project, kind="nothing")).status_code == 404


def test_consortium_page(client_for, project, partner_admin, other_admin, other_organisation,
                         partner_member):
    page = client_for(partner_admin).get(_url("consortium", project))
    assert "Organisation einladen" in page.content.decode()
    assert "Organisation einladen" not in client_for(partner_member).get(
        _url("consortium", project)).content.decode()
    response = client_for(partner_admin).post(_url("consortium", project),
                                              {"organisation": other_organisation.pk,
                                               "role": "partner"})
    assert response.status_code == 302
    member = ConsortiumMember.objects.get(organisation=other_organisation)
    html = client_for(other_admin).get(_url("consortium", project)).content.decode()
    assert "Annehmen" in html
    assert client_for(partner_member).post(
        _url("consortium_action", project, pk=member.pk, action="accept")).status_code == 403
    client_for(other_admin).post(_url("consortium_action", project, pk=member.pk,
                                      action="accept"))
    assert ConsortiumMember.objects.get(pk=member.pk).state == "accepted"
    client_for(partner_admin).post(_url("consortium_action", project, pk=member.pk,
                                        action="remove"))
    assert not ConsortiumMember.objects.filter(pk=member.pk).exists()


def test_exports(client, project):
    csv_response = client.get(_url("export_csv"))
    assert csv_response["Content-Type"].startswith("text/csv")
    assert project.slug in b"".join(csv_response.streaming_content).decode()
    assert client.get(_url("export_json")).json()[0]["slug"] == project.slug


def test_sitemap_lists_projects_in_both_languages(client, project):
    xml = client.get("/sitemap.xml").content.decode()
    assert f"/de/projects/{project.slug}/" in xml and f"/en/projects/{project.slug}/" in xml
    assert "/de/projects/<" in xml or "/de/projects/</loc>" in xml


def test_admin_pages(client_for, superuser, project):
    client = client_for(superuser)
    assert client.get("/de/admin/projects/project/").status_code == 200
    assert client.get(f"/de/admin/projects/project/{project.pk}/change/").status_code == 200
    assert client.get("/de/admin/core/sdgtarget/").status_code == 200


def test_map_geojson_and_consortium_query_counts_do_not_grow(client, project, partner_member,
                                                             partner_admin, make_organisation,
                                                             organisation):
    def grow(n):
        for i in range(n):
            p = services.create_project(actor=partner_admin, organisation=organisation,
                                        data={"title_de": f"K {i} {n}"})
            services.save_part(project=p, actor=partner_member, instance=ProjectPlace(), data={
                "name": "Ort", "geometry": {"type": "Point", "coordinates": [7.6, 51.9]}})
            services.invite(project=project, actor=partner_admin,
                            organisation=make_organisation(f"Org {i} {n}"), role="partner")
    grow(1)
    urls = [_url("map"), _url("geojson"), _url("consortium", project), _url("export_json"),
            "/api/v1/projects/map.geojson", f"/api/v1/projects/{project.slug}/consortium"]
    counts = [query_count(client.get, url) for url in urls]
    grow(6)
    assert [query_count(client.get, url) for url in urls] == counts


def test_consortium_page_queries_for_an_admin_do_not_grow(client_for, project, partner_admin,
                                                          make_organisation, make_user):
    from stadtallianz.partners.models import Membership

    admin = client_for(partner_admin)

    def invite(n):
        for i in range(n):
            organisation = make_organisation(f"Eingeladen {n} {i}")
            Membership.objects.create(user=partner_admin, organisation=organisation,
                                      role=Membership.Role.ADMIN)
            services.invite(project=project, actor=partner_admin, organisation=organisation,
                            role="partner")
    invite(1)
    few = query_count(admin.get, _url("consortium", project))
    invite(5)
    assert query_count(admin.get, _url("consortium", project)) == few
    # The admin of the invited organisations sees the answer buttons for each.
    assert admin.get(_url("consortium", project)).content.decode().count(
        "/accept/") == 6


def test_api_part_lists_have_constant_queries(api, client, project, partner_member):
    for kind in ("milestones", "updates", "results", "budget-lines", "places", "sdgs"):
        assert client.get(f"/api/v1/projects/{project.slug}/{kind}").json() == []
    # The first phase's period starts with the project.
    assert [p["phase"] for p in client.get(f"/api/v1/projects/{project.slug}/phases").json()
            ] == ["concept"]
    _fill(project, partner_member)
    counts = [query_count(client.get, f"/api/v1/projects/{project.slug}/{kind}")
              for kind in ("milestones", "results", "sdgs")]
    _fill(project, partner_member, target="11.3", phase="pilot")
    assert [query_count(client.get, f"/api/v1/projects/{project.slug}/{kind}")
            for kind in ("milestones", "results", "sdgs")] == counts
    assert len(client.get(f"/api/v1/projects/{project.slug}/sdgs").json()) == 2


def test_german_words_of_projects_are_not_those_of_other_apps(client, project, partner_member):
    """'Lead', 'Places' and a cancelled result mean something else in working groups and
    events; the project page uses its own words (translation contexts)."""
    services.save_part(project=project, actor=partner_member, instance=Result(),
                       data={"title": "R", "state": "cancelled"})
    html = client.get(project.get_absolute_url()).content.decode()
    assert "Federführung" in html and ">Orte<" in html and "Abgebrochen" in html
    assert "Plätze" not in html


@pytest.mark.parametrize(("role", "own_project", "group_project_status"), [
    (None, 302, 302), ("citizen", 403, 403), ("partner_member", 200, 403),
    ("partner_admin", 200, 403), ("other_admin", 403, 403), ("lead", 403, 200),
    ("member", 403, 403), ("coordinator", 200, 200),
])
def test_who_may_open_the_edit_page(as_role, project, group_project, role, own_project,
                                    group_project_status):
    client = as_role(role)
    assert client.get(_url("edit", project)).status_code == own_project
    assert client.get(_url("edit", group_project)).status_code == group_project_status
    # Everyone reads both projects.
    assert client.get(project.get_absolute_url()).status_code == 200
    assert client.get(group_project.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("role", ["citizen", "partner_member", "other_admin"])
def test_only_the_leads_admins_invite_on_the_page(as_role, project, other_organisation, role):
    response = as_role(role).post(_url("consortium", project),
                                  {"organisation": other_organisation.pk, "role": "partner"})
    assert response.status_code == 403
    assert project.consortium.count() == 1


def test_starting_a_project_for_a_group(client_for, member, group, citizen):
    c = client_for(member)
    form = c.get(_url("create")).content.decode()
    assert group.name_de in form
    response = c.post(_url("create"), {"title_de": "Gruppenprojekt", "working_group": group.pk,
                                       "phase": "concept"})
    assert response.status_code == 302
    assert Project.objects.get(title_de="Gruppenprojekt").working_group == group


def test_an_invitation_to_lead_shows_withdraw_but_the_accepted_lead_does_not(
        client_for, project, partner_admin, group_project, lead, other_organisation):
    services.invite(project=group_project, actor=lead, organisation=other_organisation,
                    role="lead")
    assert "Einladung zurückziehen" in client_for(lead).get(
        _url("consortium", group_project)).content.decode()
    html = client_for(partner_admin).get(_url("consortium", project)).content.decode()
    assert "Entfernen" not in html and "Einladung zurückziehen" not in html


@pytest.mark.parametrize("geometry", [
    '{"type": "Point", "coordinates": [7, 51, NaN]}',
    '{"type": "Point", "coordinates": [Infinity, 51]}',
    '{"type": "Point", "coordinates": [7, 51, -Infinity]}',
    '{"type": "Point", "coordinates": [7, 51, 1%s]}' % ("0" * 400),
])
def test_a_place_with_a_coordinate_that_is_not_a_finite_number_is_refused(
        client_for, project, partner_member, geometry):
    response = client_for(partner_member).post(_url("part_create", project, kind="places"),
                                               {"name": "Ort", "geometry": geometry})
    assert response.status_code == 400
    assert "id_geometry_error" in response.content.decode()
    assert not ProjectPlace.objects.exists()


def test_a_stale_edit_of_the_principles_is_a_conflict_with_the_difference(
        client_for, project, partner_member, partner_admin):
    first, second = client_for(partner_admin), client_for(partner_member)
    principle = Principle.objects.order_by("number").first()
    data = {"title_de": project.title_de, "title_en": "", "summary_de": "", "summary_en": "",
            "description_de": "", "description_en": "", "phase": "concept", "version": 1}
    assert first.post(_url("edit", project), {**data, "principles": [principle.pk]}
                      ).status_code == 302
    response = second.post(_url("edit", project), data)
    assert response.status_code == 409
    assert f"-{principle}" in response.content.decode()
    assert list(Project.objects.get(pk=project.pk).principles.all()) == [principle]


def test_a_refused_phase_change_is_an_error_next_to_the_phase(client_for, project,
                                                             partner_member):
    Project.objects.filter(pk=project.pk).update(phase="rollout")
    data = {"title_de": project.title_de, "title_en": "", "summary_de": "", "summary_en": "",
            "description_de": "", "description_en": "", "phase": "concept", "version": 1}
    response = client_for(partner_member).post(_url("edit", project), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "id_phase_error" in html
    assert "von „Ausrollen“ nach „Konzept“" in html
    assert Project.objects.get(pk=project.pk).phase == "rollout"


def test_a_part_beyond_the_limit_is_refused_at_the_top_of_the_form(client_for, project,
                                                                   partner_member):
    Milestone.objects.bulk_create(Milestone(project=project, title=f"M {n}",
                                            due=date(2026, 1, 1)) for n in range(100))
    response = client_for(partner_member).post(_url("part_create", project, kind="milestones"),
                                               {"title": "Zu viel", "due": "2026-02-01",
                                                "state": "open"})
    assert response.status_code == 400
    assert "höchstens 100 Meilensteine" in response.content.decode()
    assert Milestone.objects.count() == 100


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1969-12-31", "2101-01-01"])
def test_an_implausible_milestone_date_is_an_error_next_to_the_field(client_for, project,
                                                                    partner_member, value):
    """Issue 11, item 3: the range of plans (2000 to 2100) in the web form too."""
    response = client_for(partner_member).post(
        _url("part_create", project, kind="milestones"),
        {"title": "M", "due": value, "state": "open"})
    assert response.status_code == 400
    assert "id_due_error" in response.content.decode()
    assert not Milestone.objects.exists()
