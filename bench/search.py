"""Benchmark: the search with 100,000 searchable items (national scale).

Runs standalone and in-process, on a database of its own:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stadtallianz_bench_search \
        .venv/bin/python bench/search.py                    # PostgreSQL (the target)
    .venv/bin/python bench/search.py                        # SQLite, var/bench-search.sqlite3

It migrates, then writes synthetic partners, working groups, discussion threads with posts,
events, articles and documents with German texts generated from word lists, mixed visibility
(bulk_create, so no signals), and builds the index with `rebuild_search_index`: the path a first
installation takes. A second run reuses the data. Then it times the search service, the code the
search page and the API call (ranked page of 20 with snippets, and the count), for typical
queries as a visitor, a member of three working groups and the coordination office.
"""

import random
import sys
import time
from datetime import timedelta

from common import (
    describe_run,
    first_focus_area,
    measure,
    parse_arguments,
    say,
    say_load_average,
    setup,
    time_request,
)

PREFIX = "bench-search-"
BATCH = 2000

NOUNS = """
Mobilitätskonzept Radweg Ladesäule Quartier Wärmeplanung Solardach Stadtwerk Busspur Haltestelle
Lastenrad Carsharing Verkehrsversuch Parkhaus Sensor Datenplattform Messstelle Luftqualität
Lärmkarte Straßenbeleuchtung Baumkataster Regenwasser Hitzeschutz Stadtgrün Bürgerbeteiligung
Sprechstunde Verwaltung Schule Kita Bibliothek Sporthalle Wochenmarkt Innenstadt Hafen Bahnhof
Kreuzung Zebrastreifen Fußweg Spielplatz Nahwärme Wärmepumpe Photovoltaik Stromnetz Speicher
Wasserstoff Abfall Wertstoffhof Recycling Reparaturcafé Digitalisierung Breitband Glasfaser
Funknetz Förderprogramm Pilotprojekt Reallabor Testfeld Schnittstelle Open-Data-Portal Dashboard
Zählstelle Pendlerstrom Lieferverkehr Mikrodepot Klimaanpassung Starkregen Gründach Fassade
Sanierung Mietwohnung Nachbarschaft Ehrenamt Hochschule Start-up Handwerk Einzelhandel Tourismus
Kulturzentrum Museum Stadtteil
""".split()  # noqa: SIM905 - reads as prose
ADJECTIVES = """
neue offene digitale gemeinsame nachhaltige sichere barrierefreie städtische regionale kommunale
smarte klimaneutrale bezahlbare grüne schnelle leise
""".split()  # noqa: SIM905 - reads as prose
VERBS = """
planen testen bauen vernetzen messen fördern verbessern erproben beschließen prüfen erweitern
vorstellen diskutieren auswerten veröffentlichen
""".split()  # noqa: SIM905 - reads as prose
PLACES = """
Kreuzviertel Hiltrup Gievenbeck Mauritz Kinderhaus Coerde Roxel Wolbeck Amelsbüren Nienberge
Handorf Angelmodde Sprakel Albachten Gremmendorf Berg-Fidel
""".split()  # noqa: SIM905 - reads as prose
# Found in about one item in five thousand: the rare-word query.
RARE = "Quartiersgaragenkonzept"

QUERIES = [
    ("single word", "Quartier", {}, "visitor"),
    ("stemmed word (plural finds singular)", "Mobilitätskonzepte", {}, "visitor"),
    ("two words", "Radweg Schule", {}, "visitor"),
    ("phrase", '"digitale Zählstelle"', {}, "visitor"),
    ("rare word", RARE, {}, "visitor"),
    ("with type filter (events)", "Wärmeplanung", {"type": "event"}, "visitor"),
    ("with focus-area filter", "Sensor", {"focus_area": "FOCUS"}, "visitor"),
    ("member of 3 groups", "Mobilitätskonzept", {}, "member"),
    ("member, two words, threads", "Ladesäule Quartier", {"type": "thread"}, "member"),
    ("coordination office", "Photovoltaik", {}, "coordinator"),
    ("page 5 (offset 80)", "Quartier", {"page": 5}, "visitor"),
    # Issue 14: compounds by their parts and the parts by the compound, -s plurals, "oder".
    ("part of compounds (Mobilitätskonzept …)", "Konzept", {}, "visitor"),
    ("compound or its parts", "Datenplattformen", {}, "visitor"),
    ("compound of three parts", "Radverkehrszählstellen", {}, "visitor"),
    ("-s plural (Kitas: Kita)", "Kitas", {}, "visitor"),
    ("oder", "Radweg oder Busspur", {}, "visitor"),
    ("oder, member of 3 groups", "Lastenrad oder Carsharing", {}, "member"),
]


def sentence(rng: random.Random) -> str:
    noun, other = rng.sample(NOUNS, 2)
    plural = "e" if rng.random() < 0.3 and not noun.endswith("e") else ""
    return (f"Wir {rng.choice(VERBS)} {rng.choice(ADJECTIVES)} {noun}{plural} in "
            f"{rng.choice(PLACES)} und {rng.choice(VERBS)} die {other}.")


def text(rng: random.Random, sentences: tuple[int, int]) -> str:
    parts = [sentence(rng) for _ in range(rng.randint(*sentences))]
    if rng.random() < 1 / 5000:
        parts.append(f"Ein {RARE} ist in Arbeit.")
    return " ".join(parts)


def title(rng: random.Random) -> str:
    return f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)} {rng.choice(PLACES)}"


def populate(total: int, stdout) -> None:
    """About `total` indexable items: 20 % partners, 40 % threads, 25 % events, 10 % articles,
    4.5 % documents, 0.5 % working groups; a fifth of the group content members-only."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from stadtallianz.core.models import FocusArea
    from stadtallianz.discussions.models import Post, Thread
    from stadtallianz.events.models import Event
    from stadtallianz.knowledge.models import Article, Document
    from stadtallianz.partners.models import Organisation
    from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

    if Organisation.objects.filter(slug__startswith=PREFIX).exists():
        stdout(f"data from an earlier run reused ({PREFIX}*)")
        return
    rng = random.Random(2030)
    now = timezone.now()
    areas = list(FocusArea.objects.values_list("pk", flat=True))
    counts = {"partners": total // 5, "groups": max(10, total // 200), "threads": total * 2 // 5,
              "events": total // 4, "articles": total // 10, "documents": total * 9 // 200}

    def batches(name, count, make, model, links=None):
        started = time.perf_counter()
        for start in range(0, count, BATCH):
            objects = [make(number) for number in range(start, min(start + BATCH, count))]
            model.objects.bulk_create(objects)
            if links:
                links(objects)
            stdout(f"  {name}: {start + len(objects)} / {count}")
        stdout(f"  {name}: {time.perf_counter() - started:.1f} s")

    def focus_links(through, field):
        def add(objects):
            through.objects.bulk_create([
                through(**{field: obj.pk, "focusarea_id": area})
                for obj in objects for area in rng.sample(areas, rng.randint(1, 2))])
        return add

    # Every twentieth is not public (not in the index): 21,053 organisations, 20,000 public.
    batches("partners", -(-counts["partners"] * 20 // 19), lambda n: Organisation(
        slug=f"{PREFIX}{n}", name=f"{title(rng)} {n} GmbH", type=Organisation.Type.COMPANY,
        status=Organisation.Status.PARTNER if n % 20 else Organisation.Status.PENDING,
        partner_since=now, description_de=text(rng, (2, 5))), Organisation,
        focus_links(Organisation.focus_areas.through, "organisation_id"))
    batches("working groups", counts["groups"], lambda n: WorkingGroup(
        slug=f"{PREFIX}{n}", name_de=f"AG {title(rng)} {n}", description_de=text(rng, (3, 6))),
        WorkingGroup, focus_links(WorkingGroup.focus_areas.through, "workinggroup_id"))
    groups = list(WorkingGroup.objects.filter(slug__startswith=PREFIX).values_list("pk",
                                                                                    flat=True))

    def members_only() -> bool:
        return rng.random() < 0.2

    def add_posts(threads):
        Post.objects.bulk_create([Post(thread=thread, body=text(rng, (1, 4)))
                                  for thread in threads for _ in range(rng.randint(1, 3))])

    batches("threads (with 1-3 posts)", counts["threads"], lambda n: Thread(
        group_id=rng.choice(groups), title=title(rng), last_activity_at=now,
        visibility=Thread.Visibility.MEMBERS if members_only() else Thread.Visibility.PUBLIC),
        Thread, add_posts)
    start = now - timedelta(days=365)
    batches("events", counts["events"], lambda n: Event(
        group_id=rng.choice(groups) if n % 10 else None, slug=f"{PREFIX}{n}",
        title_de=f"Treffen: {title(rng)}", description_de=text(rng, (1, 4)),
        starts_at=start + timedelta(hours=n % 17000), ends_at=start + timedelta(hours=n % 17000,
                                                                                  minutes=90),
        state=Event.State.CANCELLED if n % 25 == 0 else Event.State.SCHEDULED,
        visibility=Event.Visibility.MEMBERS if members_only() else Event.Visibility.PUBLIC),
        Event)

    def article(n):
        secret = members_only()
        return Article(slug=f"{PREFIX}{n}", title=f"Bericht: {title(rng)}",
                       summary=sentence(rng), body=text(rng, (5, 15)),
                       state=Article.State.PUBLISHED, published_at=now,
                       group_id=rng.choice(groups) if secret or n % 2 else None,
                       visibility=Article.Visibility.MEMBERS if secret
                       else Article.Visibility.PUBLIC)

    batches("articles", counts["articles"], article, Article,
            focus_links(Article.focus_areas.through, "article_id"))
    batches("documents", counts["documents"], lambda n: Document(
        group_id=rng.choice(groups), title=f"Protokoll {title(rng)}",
        description=sentence(rng),
        visibility=Document.Visibility.MEMBERS if members_only() else Document.Visibility.PUBLIC),
        Document)

    User = get_user_model()
    member = User.objects.create_user(f"{PREFIX}member@example.org", None,
                                      full_name="Bench Member")
    GroupMembership.objects.bulk_create([GroupMembership(group_id=group, user=member)
                                         for group in groups[:3]])
    User.objects.create_user(f"{PREFIX}coordinator@example.org", None,
                             full_name="Bench Coordinator", is_coordinator=True)


def main() -> int:
    per = "searches per query"
    arguments = parse_arguments(__doc__, {
        "--items": (100_000, "searchable items"),
        "--rebuild": (False, "rebuild the index even if it exists (after a change of the "
                             "indexers)")}, per=per, smoke={"items": 500})
    # The 100,000 items go into a database of their own, so that `make bench` with the
    # directory benchmark's database does not change that benchmark's figures.
    started = setup("search", smoke=arguments.smoke)
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.test import Client

    from stadtallianz.accounts.models import User
    from stadtallianz.search.models import SearchEntry
    from stadtallianz.search.services import search

    populate(arguments.items, say)
    say(f"data: {time.perf_counter() - started:.1f} s")
    if arguments.rebuild or not SearchEntry.objects.exists():
        started = time.perf_counter()
        call_command("rebuild_search_index")
        say(f"index built in {time.perf_counter() - started:.1f} s")
    entries = SearchEntry.objects.count()
    members_only = SearchEntry.objects.filter(members_only=True).count()
    describe_run(arguments, f"{entries} index entries ({members_only} members-only)", per=per)

    users = {"visitor": AnonymousUser(),
             "member": User.objects.get(email=f"{PREFIX}member@example.org"),
             "coordinator": User.objects.get(email=f"{PREFIX}coordinator@example.org")}
    focus = first_focus_area()

    def run(q, filters, user):
        filters = dict(filters)
        page = filters.pop("page", 1)
        if filters.get("focus_area") == "FOCUS":
            filters["focus_area"] = focus
        results = search(user=user, q=q, **filters)
        count = results.count()
        items = results[(page - 1) * 20:page * 20]  # the page of 20 with snippets
        return f"{count}{'+' if results.more else ''}", items

    rows = []
    for label, q, filters, role in QUERIES:
        timing = measure(lambda q=q, filters=filters, user=users[role]: run(q, filters, user),
                         requests=arguments.requests, warmup=arguments.warmup)
        count, _items = timing.result
        rows.append((label, q, role, count, timing))
    # --smoke: a word in about every item must be found (the index was built and is searched).
    if arguments.smoke and rows[0][3] in ("0", "0+"):
        sys.exit(f"no results for {rows[0][1]!r} in {entries} index entries")

    # The same through HTTP, as a visitor: the whole middleware stack, template or JSON.
    client = Client()
    for label, url in [("search page (HTTP)", "/de/search/?q=Mobilit%C3%A4tskonzept"),
                       ("API (HTTP)", "/api/v1/search?q=Mobilit%C3%A4tskonzept")]:
        rows.append((label, url, "visitor", "", time_request(client, url, arguments)))

    say(f"{'query':<40} {'as':<12} {'results':>7} {'median ms':>9} {'p95 ms':>7} "
        f"{'queries':>7}  q")
    for label, q, role, count, timing in rows:
        say(f"{label:<40} {role:<12} {count:>7} {timing.median:>9.1f} {timing.p95:>7.1f} "
            f"{timing.queries:>7}  {q}")
    say_load_average()
    return 0


if __name__ == "__main__":
    sys.exit(main())
