"""THE test of erasure: after a person who had a display name, a real name and an address,
ideas, comments, posts, a registration, a signature and notifications to others deletes their
account, neither name nor address appears anywhere: every page reachable from the site's
entrances (crawled as a visitor, as another participant, as a group lead and as the
coordination office, in both languages), every GET of the API (from its OpenAPI document),
search, the sitemap, the iCalendar feeds, the back office's CSV/XLSX exports, the stored texts
of others' notifications, and every text column of every table. The same sweep run before the
deletion finds the person, so the sweep itself is shown to look in the right places."""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from stadtallianz.accounts.models import User
from stadtallianz.accounts.services import account_delete
from stadtallianz.events.feeds import feed_create
from stadtallianz.notifications.models import Notification

from .conftest import PERSONAL

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"#]+)"')
SKIP = ("/openapi.json", "/logout/", "/admin/", "/static/", "/media/", "/i18n/", "/delete/",
        "/leave/", "/unregister/", "/read-all/", "/unsubscribe/", "/cancel/", "/withdraw/",
        "/revoke/")
MAX_PAGES = 400
OPENAPI = {}


def _leaks(text: str) -> set[str]:
    lowered = text.lower()
    return {s for s in PERSONAL if s.lower() in lowered}


def _decoded(response) -> str:
    content = (b"".join(response.streaming_content) if response.streaming
               else response.content)
    if content[:2] == b"PK":  # XLSX: a ZIP of XML
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace")
                           for n in archive.namelist())
    return content.decode("utf-8", "replace")


def crawl(client: Client, seeds: list[str], *, follow: bool = True) -> dict[str, set[str]]:
    """GETs the seeds and (`follow`) every page of this site they link to, breadth first, and
    returns {url: leaked strings} for the answers that contain any."""
    found, seen, queue = {}, set(), list(seeds)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or any(part in url for part in SKIP):
            continue
        seen.add(url)
        response = client.get(url, HTTP_HOST="testserver")
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        if response.status_code != 200:
            continue
        text = _decoded(response)
        leaks = _leaks(text)
        if leaks:
            found[url] = leaks
        if follow and "html" in response.get("Content-Type", ""):
            for href in HREF.findall(text):
                target = urljoin(url, href.replace("&amp;", "&"))
                parts = urlsplit(target)
                # Links with a query (filters, sorting, pages, ?next= of the login) show
                # the same rows again; the seeds hold the queries that matter.
                # English pages are the seeds' (the German ones are followed: names do not
                # depend on the language, and each page once is enough).
                if (parts.netloc in ("", "testserver") and not parts.query
                        and not parts.path.startswith("/en/")):
                    queue.append(parts.path)
    return found


def api_gets(client: Client, ids: dict) -> list[str]:
    """Every GET path of the API from its OpenAPI document, with path parameters filled in from
    `ids` (a path whose parameter is unknown is skipped), plus search for the person."""
    if not OPENAPI:
        OPENAPI.update(client.get("/api/v1/openapi.json").json())
    document = OPENAPI
    urls = []
    for path, operations in document["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", path)
        prefix = path.split("/")[3]
        values = [ids.get(f"{prefix}:{name}", ids.get(name)) for name in names]
        if any(v is None for v in values):
            continue
        for combination in _combinations(names, values):
            urls.append(path.format(**combination))
    return urls


def _combinations(names, values):
    if not names:
        return [{}]
    rest = _combinations(names[1:], values[1:])
    return [{names[0]: value, **other} for value in values[0] for other in rest]


def text_columns_naming(strings) -> dict[str, int]:
    """{table.column: rows} of every text-like column of every table holding one of the
    strings (JSON as text, with or without escaped letters)."""
    import json

    from django.db.models.functions import Cast

    hits = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)):
                column = field.name
                queryset = model._base_manager.all()
            elif isinstance(field, models.JSONField):
                column = f"{field.name}__as_text"
                queryset = model._base_manager.annotate(
                    **{column: Cast(field.name, models.TextField())})
            else:
                continue
            query = models.Q()
            for string in strings:
                query |= models.Q(**{f"{column}__icontains": string})
                query |= models.Q(**{f"{column}__icontains": json.dumps(string)[1:-1]})
            count = queryset.filter(query).count()
            if count:
                hits[f"{model._meta.db_table}.{field.name}"] = count
    return hits


def sweep(scenario, *, people: dict, ids: dict, follow: bool = True) -> dict:
    """Everything the channels show of the person, as {channel: findings}."""
    thread, own_idea = scenario["thread"], scenario["own_idea"]
    others_idea = scenario["others_idea"]
    event, organisation = scenario["event"], scenario["organisation"]
    group = thread.group
    seeds = []
    for language in ("de", "en"):
        seeds += [f"/{language}/", f"/{language}/ideas/", f"/{language}/events/",
                  f"/{language}/partners/", f"/{language}/working-groups/",
                  f"/{language}/ideas/{own_idea.pk}/", f"/{language}/ideas/{others_idea.pk}/",
                  f"/{language}/ideas/{own_idea.pk}/versions/",
                  f"/{language}/search/?q=Radweg", f"/{language}/search/?q=Sitzbänke",
                  f"/{language}/search/?q=Gedanke",
                  f"/{language}/notifications/", f"/{language}/backoffice/",
                  f"/{language}/backoffice/audit/", f"/{language}/backoffice/applications/",
                  f"/{language}/letter-of-intent/"]
    with_language = lambda name, **kw: reverse(name, kwargs=kw or None)  # noqa: E731
    seeds += [thread.get_absolute_url(), scenario["own_thread"].get_absolute_url(),
              with_language("partners:detail", slug=organisation.slug),
              with_language("partners:members", slug=organisation.slug),
              with_language("workinggroups:detail", slug=group.slug),
              with_language("workinggroups:manage", slug=group.slug),
              with_language("events:detail", slug=event.slug),
              with_language("events:attendance", slug=event.slug),
              with_language("events:ics", slug=event.slug), with_language("events:feed"),
              with_language("events:group_feed", slug=group.slug),
              with_language("ideas:export_csv"), with_language("ideas:export_json"),
              with_language("backoffice:partners_export"),
              with_language("backoffice:partners_export") + "?format=xlsx",
              with_language("backoffice:audit_export"),
              with_language("backoffice:audit_export") + "?format=xlsx",
              with_language("events:personal_feed", key=scenario["lead_feed"]), "/sitemap.xml",
              # Open data (issue 16): a dataset naming the person as its contact, in every
              # channel: its page, the DCAT-AP.de RDF, CKAN's API and the feed.
              with_language("opendata:catalogue"),
              with_language("opendata:dataset", slug=scenario["dataset"].slug),
              "/dcat/catalog.ttl", "/dcat/catalog.jsonld",
              f"/dcat/datasets/{scenario['dataset'].slug}.rdf",
              f"/api/3/action/package_show?id={scenario['dataset'].slug}",
              "/api/3/action/package_search?q=quartiersdaten",
              "/api/action/current_package_list_with_resources",
              with_language("syndication:feed_rss", kind="datasets"),
              with_language("syndication:feed_atom", kind="datasets")]
    found = {}
    for role, user in people.items():
        client = Client()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for url, leaks in crawl(client, seeds + api_gets(client, ids), follow=follow).items():
            found[f"{role} {url}"] = leaks
    for name in ("Xylander", "Zebrafink"):
        # Search must not find the person by name (the page repeats the query, so count).
        response = Client().get("/api/v1/search", {"q": name})
        if response.json()["count"]:
            found[f"search {name}"] = {name}
    stored = [n.subject + n.body for n in Notification.objects.all()]
    if any(_leaks(text) for text in stored):
        found["stored notifications"] = set().union(*(_leaks(t) for t in stored))
    columns = text_columns_naming(PERSONAL)
    if columns:
        found["database"] = columns
    return found


def test_after_erasure_the_person_appears_nowhere(scenario, quirin, writer, lead, coordinator,
                                                  settings):
    settings.ALLOWED_HOSTS = ["*"]
    # The lead's personal calendar feed lists the meeting quirin registered for.
    scenario["lead_feed"] = feed_create(user=lead)[1]
    people = {"visitor": None, "participant": writer, "lead": lead,
              "coordination office": coordinator}
    group = scenario["thread"].group.slug
    ids = {"working-groups:slug": [group], "discussions:slug": [group],
           "events:slug": [scenario["event"].slug],
           "partners:slug": [scenario["organisation"].slug],
           "idea_id": [scenario["own_idea"].pk, scenario["others_idea"].pk],
           "thread_id": [scenario["thread"].pk, scenario["own_thread"].pk],
           "post_id": [scenario["reply"].pk],
           "comment_id": [scenario["answered"].pk]}
    # Before: the entrances and the API alone (the crawl after the deletion goes further).
    before = sweep(scenario, people=people, ids=ids, follow=False)
    # The sweep sees the person where they are shown today: to visitors by their display name,
    # to members by their name, in others' notifications, the signature, the audit log.
    assert any("visitor" in key and "Zebrafink" in leaks for key, leaks in before.items())
    assert any(key.startswith("coordination office") and "Quirin Xylander" in leaks
               for key, leaks in before.items())
    assert "stored notifications" in before and "database" in before
    # The dataset naming the person as its contact, in each open-data channel that shows a
    # contact (issue 16; the feeds name none).
    for channel in ("/dcat/catalog.ttl", "/dcat/datasets/quartiersdaten.rdf",
                    "/api/3/action/package_show", "/data/datasets/quartiersdaten/"):
        assert any(channel in key and "quirin.xylander@example.org" in leaks
                   for key, leaks in before.items()), channel

    account_delete(user=quirin, by=quirin)
    assert not User.objects.filter(email=quirin.email).exists()
    after = sweep(scenario, people=people, ids=ids)
    assert after == {}, after
