"""`stadtallianz demo`: loads a believable, fictional alliance; `--scale N` adds N synthetic
organisations for benchmarks. Seed data, so it writes with the ORM directly (no services, no
per-object audit entries) in one transaction; running it again changes nothing."""

import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from stadtallianz.accounts.models import User
from stadtallianz.core.audit import audit_log
from stadtallianz.core.models import FocusArea
from stadtallianz.demo import assessments as assessments_demo
from stadtallianz.demo import datafiles
from stadtallianz.demo import funding as funding_demo
from stadtallianz.demo import ideas as ideas_demo
from stadtallianz.demo import impact as impact_demo
from stadtallianz.demo import knowledge as knowledge_demo
from stadtallianz.demo import livinglabs as livinglabs_demo
from stadtallianz.demo import opendata as opendata_demo
from stadtallianz.demo import partnering as partnering_demo
from stadtallianz.demo import projects as projects_demo
from stadtallianz.demo import proposals as proposals_demo
from stadtallianz.demo.accounts import DEMO_DOMAIN, DEMO_PASSWORD, real_accounts
from stadtallianz.discussions.models import Post, Thread
from stadtallianz.events.models import Event, Registration
from stadtallianz.letter_of_intent.models import Signature, Version
from stadtallianz.partners.avatars import logo_svg
from stadtallianz.partners.models import Membership, Offer, Organisation
from stadtallianz.search import signals as search_signals
from stadtallianz.workinggroups.models import GroupMembership, GroupOrganisation, WorkingGroup

HOME_ORGANISATION = "stadtwerke-muensterland-nord"
DRAFT_ORGANISATION = "parkplatzpilot"
SYNTHETIC_PREFIX = "synthetic-"
BATCH = 1000

# data/alliance.json, the fictional Münster-like alliance. Every organisation and person is
# invented; streets are real Münster streets so the map looks right, with coordinates near them.
# "streets" [{name, postal_code, latitude, longitude}] (others refer to them by index);
# "organisations" [{slug, name, summary (German), summary_en, type, status, street, focus_areas,
# description_de/_en}]
# (each gets a logo generated from its name, partners/avatars.py);
# "offers" and "needs" {category: a German text partners might write}; "first_names",
# "last_names" of the generated people; "signatory_function" by organisation type;
# "synthetic_words", "synthetic_stems", "synthetic_forms" (by type): the parts of the synthetic
# organisations' names for benchmarks; "working_groups" [{slug, name_de/_en, focus_areas,
# join_policy, state, organisations (their first person leads, the others are members),
# description_de/_en}].
ALLIANCE = datafiles.load("alliance")

# (e-mail local part, name, role shown in the table, user fields, organisation slug, membership)
DEMO_ACCOUNTS = [
    ("koordination", "Katrin Vogt", "coordinator", {"is_coordinator": True}, None, None),
    ("admin", "Andreas Lammers", "partner admin", {}, HOME_ORGANISATION, Membership.Role.ADMIN),
    ("mitglied", "Miriam Schulte", "partner member", {}, HOME_ORGANISATION, Membership.Role.MEMBER),
    ("entwurf", "Daniel Kröger", "partner admin (not signed)", {}, DRAFT_ORGANISATION,
     Membership.Role.ADMIN),
    ("buerger", "Bernd Terhorst", "citizen", {}, None, None),
    ("superuser", "Sabine Hölscher", "superuser",
     {"is_superuser": True, "is_staff": True, "is_coordinator": True}, None, None),
]

# The public contact person's role on the profile, by organisation type.
CONTACT_ROLES = {
    "company": "Innovation und Kooperationen",
    "startup": "Gründung und Geschäftsführung",
    "research": "Wissenstransfer",
    "association": "Vorstand",
    "chamber": "Digitalisierung und Innovation",
    "civil_society": "Koordination Ehrenamt",
    "municipal": "Smart City und Beteiligung",
}

V2_SENTENCE_DE = (
    "\n\nDie Allianzpartner machen ihre Ergebnisse, wo immer möglich, als offene Daten und "
    "offene Software für alle Menschen in Münster zugänglich."
)
V2_SENTENCE_EN = (
    "\n\nWherever possible, the alliance partners make their results accessible to everyone in "
    "Münster as open data and open-source software."
)


def _email_part(text: str) -> str:
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.lower().replace(umlaut, plain)
    return slugify(text).replace("-", "")


class Command(BaseCommand):
    help = "Loads a fictional demo alliance (idempotent); --scale N adds N synthetic organisations."

    def refuse_real_data(self) -> None:
        """The demo publishes a Münster letter of intent, signs it for fictional partners and
        back-dates versions: in an alliance that is running it would ask real partners to sign
        again and mix fiction into their data. So it runs only where nobody real has an
        account (a new instance for a trial, a development or benchmark database)."""
        real = real_accounts()
        count = real.count()
        if count:
            raise CommandError(
                f"This database holds {count} real account(s) (e.g. {real.first().email}); "
                "the demo would publish a new version of the letter of intent and fictional "
                "partners into it. Load the demo only into an empty database, e.g. a new "
                "instance for a trial (docs/deployment.md, \"Install\").")

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0, metavar="N",
                            help="Also make sure N synthetic organisations exist (benchmarks).")

    def handle(self, *args, scale: int = 0, **options):
        self.refuse_real_data()
        self.now = timezone.now()
        self.random = random.Random(2030)
        self.created = {"accounts": 0, "organisations": 0, "people": 0, "offers": 0,
                        "signatures": 0, "working_groups": 0, "events": 0, "threads": 0,
                        "synthetic": 0}
        # The index is rebuilt once at the end (bulk writes need it anyway) instead of after
        # each of the demo's saves.
        with transaction.atomic(), search_signals.deferred():
            self.focus_areas = {area.slug: area for area in FocusArea.objects.all()}
            self.stage("Letter of intent")
            self.v1, self.current = self.letter_versions()
            self.stage("Demo accounts")
            self.accounts = self.demo_accounts()
            self.stage("Partner organisations")
            self.organisations()
            self.memberships_of_demo_accounts()
            self.stage("Working groups")
            self.working_groups()
            self.stage("Meetings and discussions")
            self.meetings_and_discussions()
            self.stage("Knowledge exchange")
            self.created["articles"] = knowledge_demo.load(
                now=self.now, alliance_author=self.accounts["admin"])
            self.stage("Ideas")
            self.created["ideas"] = ideas_demo.load(now=self.now)
            self.stage("Projects")
            self.created["projects"] = projects_demo.load(now=self.now)
            self.stage("Assessments")
            self.created["assessments"] = assessments_demo.load(now=self.now)
            self.stage("Living labs (sensors fed through the SensorThings API)")
            self.created["living_labs"] = livinglabs_demo.load(now=self.now)
            self.stage("Funding programmes and calls")
            self.created["funding_calls"] = funding_demo.load(now=self.now)
            self.stage("Joint funding applications")
            self.created["funding_applications"] = proposals_demo.load(now=self.now)
            self.stage("Partner searches")
            self.created["partner_searches"] = partnering_demo.load(now=self.now)
            self.stage("Open data catalogue")
            self.created["datasets"] = opendata_demo.create_open_data(self.stdout)
            self.stage("Targets of the impact dashboard")
            self.created["impact_targets"] = impact_demo.load(
                coordinator=self.accounts["koordination"])
            if scale:
                self.synthetic(scale)
            if any(self.created.values()):
                audit_log(actor=None, action="demo.loaded", after=dict(self.created))
        summary = ", ".join(f"{count} {name}" for name, count in self.created.items())
        self.stdout.write(self.style.SUCCESS(f"Done: {summary} created."))
        # Every run, as the demo's saves were not indexed one by one (search.signals.deferred)
        # and a run that creates nothing may still update what it made before.
        self.stage("Search index")
        call_command("rebuild_search_index", stdout=self.stdout)
        self.credentials()

    def stage(self, name: str) -> None:
        self.stdout.write(f"· {name} …")

    def letter_versions(self) -> tuple[Version, Version]:
        """Version 1 comes with the migrations; version 2 adds one sentence, so the demo has
        partners that are asked to re-sign."""
        v1 = Version.objects.get(number=1)
        v2, created = Version.objects.get_or_create(number=2, defaults={
            "title_de": v1.title_de, "title_en": v1.title_en,
            "text_de": v1.text_de.rstrip() + V2_SENTENCE_DE,
            "text_en": v1.text_en.rstrip() + V2_SENTENCE_EN,
            "published_at": self.now - timedelta(days=60),
        })
        if created and v1.published_at and v1.published_at > v2.published_at:
            # The migration published version 1 "now"; the demo's history needs it first.
            v1.published_at = v2.published_at - timedelta(days=730)
            v1.save(update_fields=["published_at"])
        self.stdout.write(f"  version 2 {'published' if created else 'already there'}")
        return v1, v2

    def demo_accounts(self) -> dict[str, User]:
        accounts = {}
        for local, name, _role, fields, _org, _membership in DEMO_ACCOUNTS:
            email = f"{local}@{DEMO_DOMAIN}"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User(email=email, full_name=name, email_confirmed_at=self.now, **fields)
                # A password anyone can read in the source must not open a production site.
                if settings.DEBUG:
                    user.set_password(DEMO_PASSWORD)
                else:
                    user.set_unusable_password()
                user.save()
                self.created["accounts"] += 1
            accounts[local] = user
        self.stdout.write(f"  {self.created['accounts']} of {len(DEMO_ACCOUNTS)} created")
        return accounts

    def organisations(self) -> None:
        rows = ALLIANCE["organisations"]
        existing = set(Organisation.objects.filter(
            slug__in=[row["slug"] for row in rows]).values_list("slug", flat=True))
        for index, row in enumerate(rows):
            slug, name, type_, status = row["slug"], row["name"], row["type"], row["status"]
            if slug in existing:
                continue
            street = ALLIANCE["streets"][row["street"]]
            street_name, postal_code = street["name"], street["postal_code"]
            latitude, longitude = street["latitude"], street["longitude"]
            rng = random.Random(slug)
            public = status in Organisation.PUBLIC_STATUSES
            joined = self.now - timedelta(days=700 - index * 12)
            organisation = Organisation(
                slug=slug, name=name, type=type_, status=status, summary_de=row["summary"],
                summary_en=row["summary_en"],
                description_de=row["description_de"], description_en=row["description_en"],
                website=f"https://www.{slug}.example",
                street=f"{street_name} {rng.randint(1, 120)}", postal_code=postal_code,
                city="Münster",
                latitude=Decimal(f"{latitude + rng.uniform(-0.0015, 0.0015):.6f}"),
                longitude=Decimal(f"{longitude + rng.uniform(-0.0025, 0.0025):.6f}"),
                partner_since=joined + timedelta(days=2) if public else None,
                contact_email=f"kontakt@{slug}.example",
                phone=f"+49 251 {rng.randint(200, 999)} {rng.randint(10, 99)}-{rng.randint(0, 9)}",
            )
            self.logo(organisation)
            organisation.save()
            organisation.focus_areas.set(
                [self.focus_areas[a] for a in row["focus_areas"] if a in self.focus_areas])
            people = self.people(organisation, rng)
            if people:
                organisation.contact_name = people[0].full_name
                organisation.contact_role = CONTACT_ROLES[type_]
                organisation.save(update_fields=["contact_name", "contact_role"])
            self.offers(organisation, index)
            self.signatures(organisation, people[0], joined)
            self.created["organisations"] += 1
        self.logos_and_summaries_of_earlier_runs(rows, existing)
        self.stdout.write(f"  {self.created['organisations']} of {len(rows)} "
                          f"created, {self.created['people']} people, {self.created['offers']} "
                          f"offers and needs, {self.created['signatures']} signatures")

    @staticmethod
    def logo(organisation: Organisation) -> None:
        """A logo generated from the name (a geometric mark, initials, the name; SVG), stored
        as the organisation's logo file like an upload. Not saved: the caller saves."""
        organisation.logo.save(f"{organisation.slug}.svg",
                               ContentFile(logo_svg(organisation.name).encode()), save=False)

    def logos_and_summaries_of_earlier_runs(self, rows, existing) -> None:
        """A database loaded before logos and summaries existed gets them now (and nothing else
        changes): `make run` on an old demo database looks like a fresh one."""
        summaries = {row["slug"]: {"summary_de": row["summary"], "summary_en": row["summary_en"]}
                     for row in rows}
        for organisation in Organisation.objects.filter(slug__in=existing):
            fields = []
            if not organisation.logo:
                self.logo(organisation)
                fields.append("logo")
            for field, text in summaries[organisation.slug].items():
                if not getattr(organisation, field):
                    setattr(organisation, field, text)
                    fields.append(field)
            if fields:
                organisation.save(update_fields=fields)

    def people(self, organisation: Organisation, rng: random.Random) -> list[User]:
        people = []
        for position in range(rng.randint(1, 4)):
            first = rng.choice(ALLIANCE["first_names"])
            last = rng.choice(ALLIANCE["last_names"])
            email = f"{_email_part(first)}.{_email_part(last)}@{organisation.slug}.example"
            user, created = User.objects.get_or_create(email=email, defaults={
                "full_name": f"{first} {last}", "email_confirmed_at": self.now,
                "password": "!",  # fictional people never log in: an unusable password
            })
            if created:
                self.created["people"] += 1
            _membership, created = Membership.objects.get_or_create(
                organisation=organisation, user=user,
                defaults={"role": Membership.Role.MEMBER if position else Membership.Role.ADMIN},
            )
            if created:
                people.append(user)
        return people

    def offers(self, organisation: Organisation, index: int) -> None:
        categories = list(ALLIANCE["offers"])
        # Rotating through the categories gives every category offers and needs.
        chosen = [
            (Offer.Kind.OFFER, categories[index % len(categories)]),
            (Offer.Kind.OFFER, categories[(index + 3) % len(categories)]),
            (Offer.Kind.NEED, categories[(index + 5) % len(categories)]),
        ]
        texts = {Offer.Kind.OFFER: ALLIANCE["offers"], Offer.Kind.NEED: ALLIANCE["needs"]}
        Offer.objects.bulk_create([
            Offer(organisation=organisation, kind=kind, category=category,
                  text=texts[kind][category])
            for kind, category in chosen
        ])
        self.created["offers"] += len(chosen)

    def signatures(self, organisation: Organisation, admin: User, joined) -> None:
        """The signature history that leads to the organisation's status."""
        coordinator = self.accounts["koordination"]
        signatory = {
            "signed_by": admin, "signatory_name": admin.full_name, "authority_confirmed": True,
            "signatory_function": ALLIANCE["signatory_function"][organisation.type],
        }
        reviewed = {"reviewed_by": coordinator}
        status = organisation.status
        S = Organisation.Status
        history = []  # (version, state, signed at, extra fields)
        if status == S.PARTNER:
            history.append((self.v1, Signature.State.SUPERSEDED, joined, reviewed))
            history.append((self.current, Signature.State.CONFIRMED,
                            self.current.published_at + timedelta(days=5), reviewed))
        elif status == S.RESIGN_REQUIRED:
            history.append((self.v1, Signature.State.CONFIRMED, joined, reviewed))
        elif status == S.PENDING:
            history.append(
                (self.current, Signature.State.PENDING, self.now - timedelta(days=3), {}))
        elif status == S.REJECTED:
            history.append((self.current, Signature.State.REJECTED, self.now - timedelta(days=20), {
                **reviewed, "rejection_reason": (
                    "Die unterzeichnende Person ist nicht zeichnungsberechtigt; bitte lassen Sie "
                    "die Erklärung von Vorstand oder Geschäftsführung unterzeichnen."),
            }))
        elif status == S.WITHDRAWN:
            history.append((self.v1, Signature.State.WITHDRAWN, joined, {
                **reviewed, "withdrawn_at": self.now - timedelta(days=90)}))
        for version, state, signed_at, extra in history:
            signature = Signature.objects.create(
                organisation=organisation, version=version, state=state, **signatory, **extra,
                reviewed_at=signed_at + timedelta(days=2) if "reviewed_by" in extra else None,
            )
            # signed_at is set on insert; the demo backdates it to tell a history.
            Signature.objects.filter(pk=signature.pk).update(signed_at=signed_at)
            self.created["signatures"] += 1

    def memberships_of_demo_accounts(self) -> None:
        for local, _name, _role, _fields, slug, role in DEMO_ACCOUNTS:
            if slug is None:
                continue
            Membership.objects.get_or_create(
                organisation=Organisation.objects.get(slug=slug), user=self.accounts[local],
                defaults={"role": role},
            )

    def working_groups(self) -> None:
        """About ten groups along the focus areas. The people of each member organisation take
        part (the first one leads); the demo partner admin leads the first group, the demo
        member and citizen are members, so every role sees a group from the inside."""
        rows = ALLIANCE["working_groups"]
        existing = set(WorkingGroup.objects.filter(
            slug__in=[row["slug"] for row in rows]).values_list("slug", flat=True))
        for index, row in enumerate(rows):
            if row["slug"] in existing:
                continue
            policy = row["join_policy"]
            group = WorkingGroup.objects.create(
                slug=row["slug"], name_de=row["name_de"], name_en=row["name_en"],
                description_de=row["description_de"], description_en=row["description_en"],
                join_policy=policy, state=row["state"])
            group.focus_areas.set(
                [self.focus_areas[a] for a in row["focus_areas"] if a in self.focus_areas])
            people = {}  # user -> role; the first person of the group leads
            member_organisations = Organisation.objects.filter(slug__in=row["organisations"])
            for organisation in member_organisations.order_by("slug"):
                GroupOrganisation.objects.create(group=group, organisation=organisation)
                for membership in organisation.memberships.select_related("user").order_by("pk"):
                    people.setdefault(membership.user, GroupMembership.Role.LEAD if not people
                                      else GroupMembership.Role.MEMBER)
            if index == 0:
                people[self.accounts["admin"]] = GroupMembership.Role.LEAD
            if index in (0, 3):
                people.setdefault(self.accounts["mitglied"], GroupMembership.Role.MEMBER)
                people.setdefault(self.accounts["buerger"], GroupMembership.Role.MEMBER)
            GroupMembership.objects.bulk_create([
                GroupMembership(group=group, user=user, role=role, decided_at=self.now)
                for user, role in people.items()])
            if policy == WorkingGroup.JoinPolicy.REQUEST and index == 1:
                # A waiting request, so the manage page has something to decide.
                GroupMembership.objects.get_or_create(
                    group=group, user=self.accounts["buerger"], defaults={
                        "state": GroupMembership.State.REQUESTED,
                        "message": "Ich fahre täglich Bus und teste gern neue Apps."})
            self.created["working_groups"] += 1
        self.stdout.write(f"  {self.created['working_groups']} of "
                          f"{len(rows)} created")

    def meetings_and_discussions(self) -> None:
        """Each active group without meetings gets a past meeting with minutes, an upcoming one
        (hybrid; every other one with a small capacity so the waiting list shows, the others
        with free places) and a thread with replies;
        every other group's thread is for its members only."""
        groups = (WorkingGroup.objects.active()
                  .exclude(events__isnull=False).order_by("slug"))
        for index, group in enumerate(groups):
            people = [m.user for m in group.memberships.active().select_related("user")
                      .order_by("role", "pk")]
            lead = people[0] if people else None
            day = self.now.replace(hour=16, minute=0, second=0, microsecond=0)
            past = day - timedelta(days=21 + index)
            upcoming = day + timedelta(days=7 + index)
            Event.objects.create(
                group=group, slug=f"{group.slug}-treffen-{past:%Y-%m-%d}",
                title_de=f"Treffen: {group.name_de}", title_en=f"Meeting: {group.name_en}",
                description_de="Austausch über den Stand der Vorhaben.",
                description_en="Exchange on where the plans stand.",
                address="Stadthaus 3, Albersloher Weg 33, 48155 Münster",
                latitude=Decimal("51.951730"), longitude=Decimal("7.639420"),
                accessibility_notes="Stufenloser Zugang, Aufzug vorhanden.",
                starts_at=past, ends_at=past + timedelta(hours=2), created_by=lead,
                agenda="1. Begrüßung\n2. Berichte aus den Projekten\n3. Nächste Schritte",
                minutes="- Zählstellen-Daten werden ab Herbst offen veröffentlicht.\n"
                        "- Nächstes Treffen hybrid.",
            )
            meeting = Event.objects.create(
                group=group, slug=f"{group.slug}-treffen-{upcoming:%Y-%m-%d}",
                title_de=f"Treffen: {group.name_de}", title_en=f"Meeting: {group.name_en}",
                description_de="Offenes Arbeitstreffen, Gäste willkommen.",
                description_en="Open working meeting, guests welcome.",
                format=Event.Format.HYBRID,
                address="Digitalhub, Hafenweg 16, 48155 Münster",
                latitude=Decimal("51.949210"), longitude=Decimal("7.641530"),
                online_link="https://meet.example.org/" + group.slug,
                starts_at=upcoming, ends_at=upcoming + timedelta(hours=2),
                capacity=3 if index % 2 == 0 else 20,
                created_by=lead, agenda="1. Ziele für das Quartal\n2. Förderaufrufe",
            )
            for position, person in enumerate(people[:5]):
                waiting = position >= meeting.capacity
                Registration.objects.create(
                    event=meeting, user=person,
                    state=Registration.State.WAITING if waiting else Registration.State.REGISTERED,
                    position=position - meeting.capacity + 1 if waiting else None)
            self.created["events"] += 2
            thread = Thread.objects.create(
                group=group, author=lead, title=f"Ideen für {group.name_de}",
                visibility=Thread.Visibility.MEMBERS if index % 2 else Thread.Visibility.PUBLIC,
                pinned=index == 0, last_activity_at=self.now - timedelta(days=index))
            Post.objects.create(thread=thread, author=lead, body=(
                "Welche Daten oder Testflächen könnten eure Organisationen **beisteuern**?"))
            for person in people[1:3]:
                Post.objects.create(thread=thread, author=person, body=(
                    "Wir können Messdaten und einen Raum für ein Pilotprojekt anbieten."))
            self.created["threads"] += 1
        self.stdout.write(f"  {self.created['events']} meetings, "
                          f"{self.created['threads']} threads created")

    def synthetic(self, scale: int) -> None:
        """N generated organisations, written in batches with bulk_create."""
        self.stage(f"Synthetic organisations ({scale})")
        existing = Organisation.objects.filter(slug__startswith=SYNTHETIC_PREFIX).count()
        types = list(Organisation.Type.values)
        areas = list(self.focus_areas.values())
        categories = list(ALLIANCE["offers"])
        words, stems = ALLIANCE["synthetic_words"], ALLIANCE["synthetic_stems"]
        streets = ALLIANCE["streets"]
        for start in range(existing, scale, BATCH):
            numbers = range(start + 1, min(start + BATCH, scale) + 1)
            organisations = []
            for number in numbers:
                rng = random.Random(number)
                type_ = types[number % len(types)]
                roll = rng.random()
                status = (Organisation.Status.PARTNER if roll < 0.9 else
                          Organisation.Status.RESIGN_REQUIRED if roll < 0.94 else
                          Organisation.Status.PENDING if roll < 0.97 else
                          Organisation.Status.DRAFT)
                place = rng.choice(streets)
                street, postal_code = place["name"], place["postal_code"]
                latitude, longitude = place["latitude"], place["longitude"]
                name = (f"{words[number % len(words)]}{stems[(number // len(words)) % len(stems)]} "
                        f"{number} {ALLIANCE['synthetic_forms'][type_]}")
                organisations.append(Organisation(
                    slug=f"{SYNTHETIC_PREFIX}{number:06d}", name=name, type=type_, status=status,
                    description_de=f"{name} ist ein erfundener Partner für Lasttests.",
                    description_en=f"{name} is a made-up partner for load tests.",
                    street=f"{street} {rng.randint(1, 200)}", postal_code=postal_code,
                    city="Münster",
                    latitude=Decimal(f"{latitude + rng.uniform(-0.01, 0.01):.6f}"),
                    longitude=Decimal(f"{longitude + rng.uniform(-0.015, 0.015):.6f}"),
                    partner_since=(self.now - timedelta(days=rng.randint(1, 1500))
                                   if status in Organisation.PUBLIC_STATUSES else None),
                ))
            Organisation.objects.bulk_create(organisations)
            ids = dict(Organisation.objects.filter(
                slug__in=[o.slug for o in organisations]).values_list("slug", "id"))
            through, links, offers, signatures = Organisation.focus_areas.through, [], [], []
            for organisation in organisations:
                pk = ids[organisation.slug]
                rng = random.Random(pk)
                for area in rng.sample(areas, k=min(len(areas), rng.randint(1, 3))):
                    links.append(through(organisation_id=pk, focusarea_id=area.pk))
                category = categories[pk % len(categories)]
                offers.append(Offer(organisation_id=pk, kind=Offer.Kind.OFFER, category=category,
                                    text=ALLIANCE["offers"][category]))
                state = {
                    Organisation.Status.PARTNER: (self.current, Signature.State.CONFIRMED),
                    Organisation.Status.RESIGN_REQUIRED: (self.v1, Signature.State.CONFIRMED),
                    Organisation.Status.PENDING: (self.current, Signature.State.PENDING),
                }.get(organisation.status)
                if state:
                    signatures.append(Signature(
                        organisation_id=pk, version=state[0], state=state[1],
                        signatory_name="Demo", signatory_function="Geschäftsführung",
                        authority_confirmed=True))
            through.objects.bulk_create(links)
            Offer.objects.bulk_create(offers)
            Signature.objects.bulk_create(signatures)
            self.created["synthetic"] += len(organisations)
            self.stdout.write(f"  {numbers[-1]} / {scale}")
        if existing >= scale:
            self.stdout.write(f"  {existing} already there")

    def credentials(self) -> None:
        if not settings.DEBUG:
            self.stdout.write(
                "DEBUG is off: demo accounts have no usable password and none is shown. "
                "Set one with `stadtallianz changepassword <e-mail>`."
            )
            return
        self.stdout.write("\nDemo accounts (development only):")
        self.stdout.write(f"  {'role':<28} {'e-mail':<36} password")
        for local, _name, role, _fields, _org, _membership in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<28} {local + '@' + DEMO_DOMAIN:<36} {DEMO_PASSWORD}")
