"""The pages: list with filters, sorting and htmx, map and its GeoJSON, detail, the forms
(submission, edit with the lock conflict, images, co-authors, state), versions and exports."""

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from stadtallianz.accounts.models import public_name
from stadtallianz.core.models import FocusArea
from stadtallianz.core.testing import query_count
from stadtallianz.ideas import images, services
from stadtallianz.ideas.models import CoAuthor, Idea, IdeaImage

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
S = Idea.State
ROLES = [None, "citizen", "partner_member", "partner_admin", "member", "lead", "other_lead",
         "coordinator"]


def _many(submit, count, start=0, **data):
    return [submit(f"Idee {n}", **data) for n in range(start, start + count)]


# ---------------------------------------------------------------------------------------------
# List, map, exports


def test_the_list_shows_visible_ideas_with_filters_and_sorting(client, submit, coordinator,
                                                               group):
    energy = FocusArea.objects.get(slug="energy")
    first = submit("Solardach", focus_areas=[energy])
    second = submit("Radweg", working_group=group)
    Idea.objects.filter(pk=second.pk).update(support_count=5)
    hidden = submit("Versteckt")
    Idea.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    url = reverse("ideas:list")
    page = client.get(url).content.decode()
    assert "Solardach" in page and "Radweg" in page and "Versteckt" not in page
    assert "Solardach" not in client.get(url, {"group": group.slug}).content.decode()
    # The titles as links: every card's summary says "Ein sicherer Radweg." (the fixture's text).
    assert ">Radweg</a>" not in client.get(url, {"focus_area": "energy"}).content.decode()
    ordered = client.get(url, {"sort": "supported"}).content.decode()
    assert ordered.index(">Radweg</a>") < ordered.index(">Solardach</a>")
    assert client.get(url, {"state": "accepted"}).context["page"].paginator.count == 0
    # An invalid filter value is ignored, the others still apply.
    assert client.get(url, {"sdg": "99", "group": group.slug}).context[
        "page"].paginator.count == 1
    assert first.pk in [i.pk for i in client_for_coordinator_list(coordinator)]


def client_for_coordinator_list(coordinator):
    from django.test import Client

    client = Client()
    client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
    return client.get(reverse("ideas:list")).context["page"].object_list


def test_the_coordinator_sees_hidden_ideas_in_the_list(client_for, submit, coordinator):
    hidden = submit("Versteckt")
    Idea.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    page = client_for(coordinator).get(reverse("ideas:list")).content.decode()
    assert "Versteckt" in page and "Hidden" in page or "Verborgen" in page


def test_a_hidden_idea_is_not_listed_for_its_author_but_reachable(client_for, idea, writer):
    Idea.objects.filter(pk=idea.pk).update(hidden_at=timezone.now())
    client = client_for(writer)
    assert client.get(reverse("ideas:list")).context["page"].paginator.count == 0
    assert client.get(idea.get_absolute_url()).status_code == 200


def test_htmx_requests_get_only_the_results(client, submit):
    submit()
    response = client.get(reverse("ideas:list"), {"state": "submitted"},
                          headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="result-count"' in body and "<html" not in body


@pytest.mark.parametrize("params", [{}, {"sort": "supported"}, {"sort": "discussed"},
                                    {"focus_area": "mobility", "state": "submitted"}])
def test_the_list_query_count_does_not_grow(client, submit, group, params):
    url = reverse("ideas:list")
    _many(submit, 2, working_group=group)
    few = query_count(client.get, url, params)
    _many(submit, 25, start=2, working_group=group)
    assert query_count(client.get, url, params) == few


def test_the_map_geojson_lists_placed_ideas_capped(client, submit, monkeypatch):
    from stadtallianz.ideas import views

    submit("Ohne Ort")
    _many(submit, 3, latitude="51.96", longitude="7.62", place_name="Markt")
    data = json.loads(client.get(reverse("ideas:map_geojson")).content)
    assert len(data["features"]) == 3 and data["truncated"] is False
    feature = data["features"][0]
    assert feature["geometry"]["coordinates"] == [7.62, 51.96]
    assert feature["properties"]["url"].startswith("/de/ideas/")
    assert "Markt" in feature["properties"]["subtitle"]
    monkeypatch.setattr(views, "MAP_LIMIT", 2)
    data = json.loads(client.get(reverse("ideas:map_geojson")).content)
    assert len(data["features"]) == 2 and data["truncated"] is True


def test_the_map_query_count_does_not_grow(client, submit):
    url = reverse("ideas:map_geojson")
    _many(submit, 2, latitude="51.96", longitude="7.62")
    few = query_count(client.get, url, {"focus_area": "mobility"})
    _many(submit, 20, start=2, latitude="51.96", longitude="7.62")
    assert query_count(client.get, url, {"focus_area": "mobility"}) == few


def test_the_map_page_points_at_the_filtered_geojson(client):
    page = client.get(reverse("ideas:map"), {"state": "accepted"}).content.decode()
    assert 'data-src="/de/ideas/map.geojson?state=accepted"' in page
    assert "featuremap.js" in page


def test_the_csv_export_is_safe_against_formulas(client, submit):
    submit("=HYPERLINK(\"http://evil\")", description="+1 und mehr")
    submit("Normal")
    response = client.get(reverse("ideas:export_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content)
                                           .decode().lstrip("\ufeff"))))
    assert len(rows) == 2
    titles = {row["title"] for row in rows}
    assert "'=HYPERLINK(\"http://evil\")" in titles and "Normal" in titles
    assert {row["description"] for row in rows} >= {"'+1 und mehr"}


def test_the_json_export_follows_the_filters_and_leaves_hidden_ideas_out(client, submit,
                                                                         group):
    submit("Mit Gruppe", working_group=group)
    submit("Ohne")
    hidden = submit("Versteckt", working_group=group)
    Idea.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    response = client.get(reverse("ideas:export_json"), {"group": group.slug})
    data = json.loads(b"".join(response.streaming_content))
    assert [row["title"] for row in data] == ["Mit Gruppe"]
    assert data[0]["working_group"] == group.slug and "author" not in data[0]


# ---------------------------------------------------------------------------------------------
# Detail


def test_the_detail_page_shows_everything(client_for, idea, writer, citizen, png):
    images.image_add(idea=idea, by=writer, upload=png(), alt_text="Skizze")
    coauthor = services.coauthor_invite(idea=idea, by=writer, email=citizen.email)
    services.coauthor_respond(coauthor=coauthor, by=citizen, accept=True)
    Idea.objects.filter(pk=idea.pk).update(description="## Plan\n\n<script>x</script>**fett**",
                                           latitude=51.9, longitude=7.6, place_name="Domplatz")
    page = client_for(citizen).get(idea.get_absolute_url()).content.decode()
    assert "<strong>fett</strong>" in page and "<script>x" not in page
    assert 'alt="Skizze"' in page and "Domplatz" in page and 'data-lat="51.900000"' in page
    # The co-author sees their own real name, the author's display name (accounts.names).
    assert public_name(writer) in page and "Wanda Writer" not in page and "Clara Citizen" in page
    assert "Mobilität" in page or "Mobility" in page


def test_visitors_do_not_see_names(client, idea):
    assert "Wanda Writer" not in client.get(idea.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role", ROLES + ["writer"])
def test_a_hidden_idea_is_a_404_except_for_authors_and_the_coordinator(as_role, idea, role):
    Idea.objects.filter(pk=idea.pk).update(hidden_at=timezone.now(), hidden_reason="Spam?")
    response = as_role(role).get(idea.get_absolute_url())
    if role in ("writer", "coordinator"):
        assert response.status_code == 200
        assert "Spam?" in response.content.decode()
    else:
        assert response.status_code == 404


def test_merged_and_accepted_ideas_link_onwards(client, idea, submit, coordinator):
    target = submit("Ziel")
    services.change_state(idea=idea, by=coordinator, state=S.MERGED, merged_into=target)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert target.get_absolute_url() in page
    assert idea.get_absolute_url() in client.get(target.get_absolute_url()).content.decode()
    services.change_state(idea=target, by=coordinator, state=S.DISCUSSION)
    services.change_state(idea=target, by=coordinator, state=S.ACCEPTED)
    target.refresh_from_db()
    assert target.project.get_absolute_url() in client.get(
        target.get_absolute_url()).content.decode()


def test_a_declined_idea_shows_its_reason(client, idea, coordinator):
    services.change_state(idea=idea, by=coordinator, state=S.DECLINED, reason="Zu teuer.")
    assert "Zu teuer." in client.get(idea.get_absolute_url()).content.decode()


# ---------------------------------------------------------------------------------------------
# Forms


def test_submitting_on_the_form(client_for, citizen, png, group):
    response = client_for(citizen).post(reverse("ideas:create"), {
        "title": "Trinkbrunnen", "description": "Mehr **Wasser**.", "focus_areas": ["1"],
        "working_group": group.pk, "place_name": "Domplatz", "latitude": "51.9626",
        "longitude": "7.6256", "image": png(), "image_alt": "Ein Brunnen"})
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    assert idea.author == citizen and idea.images.get().alt_text == "Ein Brunnen"


@pytest.mark.parametrize("data, field", [
    ({"title": ""}, "title"),
    ({"latitude": "51"}, "longitude"),
    ({"latitude": "100", "longitude": "7"}, "latitude"),
    ({"image_alt": ""}, "image_alt"),
])
def test_form_errors_stand_next_to_the_field_and_nothing_is_saved(client_for, citizen, png,
                                                                  data, field):
    post = {"title": "Trinkbrunnen", "description": "Text", "image": png(), "image_alt": "x",
            **data}
    response = client_for(citizen).post(reverse("ideas:create"), post)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Idea.objects.exists() and not IdeaImage.objects.exists()


def test_a_fake_image_is_refused_on_the_form(client_for, citizen, png):
    response = client_for(citizen).post(reverse("ideas:create"), {
        "title": "T", "description": "D", "image": png("x.png", b"GIF89a nope"),
        "image_alt": "x"})
    assert response.status_code == 400 and "image" in response.context["form"].errors


@pytest.mark.parametrize("role, status", [(None, 302), ("unconfirmed", 403), ("citizen", 200)])
def test_who_opens_the_submission_form(as_role, role, status):
    assert as_role(role).get(reverse("ideas:create")).status_code == status


def _edit_post(idea, **changes):
    return {"title": idea.title, "description": idea.description, "focus_areas": [],
            "version": idea.version, **changes}


def test_editing_on_the_form_saves_a_version(client_for, idea, writer):
    response = client_for(writer).post(reverse("ideas:edit", kwargs={"pk": idea.pk}),
                                       _edit_post(idea, title="Neuer Titel"))
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.version == 2 and idea.title == "Neuer Titel"


def test_a_stale_edit_shows_the_difference_and_saves_nothing(client_for, idea, writer,
                                                             coordinator):
    stale = _edit_post(idea, description="Mein neuer Text")
    services.idea_update(idea=idea, by=coordinator, data={"description": "Text vom Büro"},
                         base_version=1)
    client = client_for(writer)
    url = reverse("ideas:edit", kwargs={"pk": idea.pk})
    response = client.post(url, stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "in the meantime" in page or "inzwischen" in page
    assert "<del>" in page and "<ins>" in page and "Mein neuer Text" in page
    idea.refresh_from_db()
    assert idea.description == "Text vom Büro" and idea.version == 2
    # The form now carries the stored version: saving again is a deliberate overwrite.
    assert response.context["form"].data["version"] == 2
    assert client.post(url, {**stale, "version": 2}).status_code == 302
    idea.refresh_from_db()
    assert idea.description == "Mein neuer Text" and idea.version == 3


def test_an_edit_without_its_version_is_refused(client_for, idea, writer):
    post = _edit_post(idea, title="Ohne Version")
    del post["version"]
    response = client_for(writer).post(reverse("ideas:edit", kwargs={"pk": idea.pk}), post)
    assert response.status_code == 400 and "version" in response.context["form"].errors
    assert "Open the idea" in response.content.decode() or "erneut" in \
        response.content.decode()
    idea.refresh_from_db()
    assert idea.title != "Ohne Version"


@pytest.mark.parametrize("role, status", [
    (None, 302), ("citizen", 403), ("member", 403), ("lead", 403), ("writer", 200),
    ("coordinator", 200)])
def test_who_opens_the_edit_form(as_role, idea, role, status):
    assert as_role(role).get(reverse("ideas:edit", kwargs={"pk": idea.pk})).status_code == status


def test_the_versions_page_shows_an_accessible_diff(client, idea, writer, group):
    services.idea_update(idea=idea, by=writer, data={
        "title": "Radweg an der <Promenade>", "description": "Ein **breiter** Radweg.",
        "working_group": None}, base_version=1)
    url = reverse("ideas:versions", kwargs={"pk": idea.pk})
    page = client.get(url).content.decode()
    assert ('<ins><span class="visually-hidden">[hinzugefügt: </span>**breiter**'
            '<span class="visually-hidden">]</span></ins>') in page
    assert '<del><span class="visually-hidden">[entfernt: </span>**sicherer**' in page
    assert "<del>" in page and "&lt;Promenade&gt;" in page
    assert group.name in page
    response = client.get(url, {"from": "2", "to": "1"})
    assert response.status_code == 200
    assert client.get(url, {"from": "99", "to": "x"}).status_code == 200


def test_images_page(client_for, idea, writer, citizen, png):
    url = reverse("ideas:images", kwargs={"pk": idea.pk})
    assert client_for(citizen).get(url).status_code == 403
    client = client_for(writer)
    assert client.post(url, {"image": png(), "alt_text": "Plan"}).status_code == 302
    response = client.post(url, {"image": png("a.png", b"nope"), "alt_text": "Plan"})
    assert response.status_code == 400
    image = idea.images.get()
    assert client_for(citizen).post(reverse("ideas:image_delete", kwargs={
        "pk": idea.pk, "image": image.pk})).status_code == 403
    client.post(reverse("ideas:image_delete", kwargs={"pk": idea.pk, "image": image.pk}))
    assert not idea.images.exists()


def test_co_author_pages(client_for, idea, writer, citizen, partner_member):
    url = reverse("ideas:coauthors", kwargs={"pk": idea.pk})
    assert client_for(citizen).get(url).status_code == 403
    response = client_for(writer).post(url, {"email": "kein-at"})
    assert response.status_code == 400 and "email" in response.context["form"].errors
    # Known and unknown addresses: the same answer, and no name until accepted.
    answers = [client_for(writer).post(url, {"email": email}, follow=True).content.decode()
               for email in ("nobody@example.org", citizen.email)]
    for page in answers:
        assert citizen.full_name not in page and "nobody@example.org" in page
        assert ("If a person with this address is registered, they have been invited." in page
                or "Falls eine Person mit dieser Adresse registriert ist" in page)
    assert citizen.email in answers[1]
    assert {c.email for c in CoAuthor.objects.all()} == {"nobody@example.org", citizen.email}
    CoAuthor.objects.filter(user=None).delete()
    coauthor = CoAuthor.objects.get()
    respond = coauthor.get_respond_url()
    assert client_for(partner_member).get(respond).status_code == 404
    assert "invitation" in client_for(citizen).get(idea.get_absolute_url()).content.decode() \
        or "Einladung" in client_for(citizen).get(idea.get_absolute_url()).content.decode()
    assert client_for(citizen).post(respond, {"answer": "accept"}).status_code == 302
    coauthor.refresh_from_db()
    assert coauthor.state == CoAuthor.State.ACCEPTED
    assert citizen.full_name in client_for(writer).get(url).content.decode()
    remove = reverse("ideas:coauthor_remove", kwargs={"pk": idea.pk, "coauthor": coauthor.pk})
    assert client_for(partner_member).post(remove).status_code == 403
    assert client_for(writer).post(remove).status_code == 302
    assert not CoAuthor.objects.exists()


@pytest.mark.parametrize("role, status", [
    (None, 302), ("citizen", 403), ("writer", 403), ("member", 403), ("other_lead", 403),
    ("lead", 200), ("coordinator", 200)])
def test_who_opens_the_state_form(as_role, idea, role, status):
    assert as_role(role).get(reverse("ideas:state", kwargs={"pk": idea.pk})).status_code == status


def test_changing_the_state_on_the_form(client_for, idea, lead, submit):
    url = reverse("ideas:state", kwargs={"pk": idea.pk})
    client = client_for(lead)
    response = client.post(url, {"state": "declined", "reason": ""})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    response = client.post(url, {"state": "merged", "merged_into": "999999"})
    assert response.status_code == 400 and "merged_into" in response.context["form"].errors
    response = client.post(url, {"state": "accepted"})  # not offered from "submitted"
    assert response.status_code == 400 and "state" in response.context["form"].errors
    assert client.post(url, {"state": "discussion"}).status_code == 302
    idea.refresh_from_db()
    assert idea.state == S.DISCUSSION


def test_the_sitemap_lists_visible_ideas(client, idea, submit):
    hidden = submit("Versteckt")
    Idea.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    body = client.get("/sitemap.xml").content.decode()
    assert f"/ideas/{idea.pk}/" in body and f"/ideas/{hidden.pk}/" not in body


def test_the_admin_lists_and_shows_ideas_read_only(client_for, superuser, idea):
    client = client_for(superuser)
    assert idea.title in client.get("/de/admin/ideas/idea/").content.decode()
    page = client.get(f"/de/admin/ideas/idea/{idea.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("name", ["edit", "images", "coauthors", "state"])
def test_visitors_are_sent_to_the_login_page(client, idea, name):
    response = client.post(reverse(f"ideas:{name}", kwargs={"pk": idea.pk}), {"title": "X"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    idea.refresh_from_db()
    assert idea.title != "X"


@pytest.mark.parametrize("name", ["edit", "versions", "images", "coauthors", "state"])
def test_every_page_of_a_hidden_idea_is_a_404_for_others(client_for, idea, lead, name):
    Idea.objects.filter(pk=idea.pk).update(hidden_at=timezone.now())
    assert client_for(lead).get(reverse(f"ideas:{name}",
                                        kwargs={"pk": idea.pk})).status_code == 404


def test_an_unknown_idea_is_a_404(client):
    assert client.get(reverse("ideas:detail", kwargs={"pk": 999999})).status_code == 404


def test_the_detail_and_versions_query_counts_do_not_grow(client_for, idea, writer, submit,
                                                          coordinator, png, make_user):
    client = client_for(writer)
    detail = idea.get_absolute_url()
    versions = reverse("ideas:versions", kwargs={"pk": idea.pk})

    def add(start, count):
        for n in range(start, start + count):
            person = make_user(f"co{n}@example.org")
            coauthor = services.coauthor_invite(idea=idea, by=writer, email=person.email)
            services.coauthor_respond(coauthor=coauthor, by=person, accept=True)
            images.image_add(idea=idea, by=writer, upload=png(), alt_text=f"Bild {n}")
            services.idea_update(idea=idea, by=writer, data={"title": f"Titel {n}"},
                                 base_version=Idea.objects.get(pk=idea.pk).version)
            services.change_state(idea=submit(f"Doppelt {n}"), by=coordinator,
                                  state=S.MERGED, merged_into=idea)

    add(0, 1)
    few = (query_count(client.get, detail), query_count(client.get, versions))
    add(1, 5)
    assert (query_count(client.get, detail), query_count(client.get, versions)) == few
