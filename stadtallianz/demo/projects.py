"""Demo projects for `stadtallianz demo` (runs after the ideas' demo): twenty German projects in
every phase. Ten come from the accepted demo ideas (the ideas' demo made them through
`create_from_idea`; here they get their consortium, dates, milestones, results, updates, budget
and places); ten more are started by partner organisations or working groups.

Idempotent: a project is enriched only while it has no consortium and no milestones, and a
standalone project is created only if its title is not there yet. Seed data, written with the ORM
(the progress computed by the service's own function).
"""

from datetime import timedelta
from decimal import Decimal

from stadtallianz.core.models import (
    FocusArea,
    Principle,
    SDGTarget,
    SustainableDevelopmentGoal,
)
from stadtallianz.core.slugs import unique_slug
from stadtallianz.partners.models import Organisation
from stadtallianz.portal import demo_data
from stadtallianz.workinggroups.models import WorkingGroup

from . import services
from .models import (
    BudgetLine,
    ConsortiumMember,
    Milestone,
    PhasePeriod,
    Project,
    ProjectPlace,
    ProjectSDG,
    ProjectUpdate,
    Result,
)

P = Project.Phase
PHASE_ORDER = [P.CONCEPT, P.PREPARATION, P.PILOT, P.EVALUATION, P.ROLLOUT, P.COMPLETED]
# How far the results are, by phase (percent of the first, second and third result).
PROGRESS = {P.CONCEPT: (10, 0, 0), P.PREPARATION: (60, 20, 0), P.PILOT: (100, 50, 20),
            P.EVALUATION: (100, 80, 40), P.ROLLOUT: (100, 100, 70),
            P.COMPLETED: (100, 100, 100), P.STOPPED: (100, 30, 0)}


def _square(street: int, size: float = 0.002) -> dict:
    """A small area (a closed ring) around a demo street."""
    _name, _code, lat, lon = demo_data.STREETS[street]
    ring = [[lon - size, lat - size], [lon + size, lat - size], [lon + size, lat + size],
            [lon - size, lat + size], [lon - size, lat - size]]
    return {"type": "Polygon", "coordinates": [ring]}


def _point(street: int) -> dict:
    _name, _code, lat, lon = demo_data.STREETS[street]
    return {"type": "Point", "coordinates": [lon, lat]}


# key (an idea's title, or the project's own), English title, summary, phase, lead
# organisation (slug or None), partners [(slug, role)], working group (standalone projects),
# focus areas and principles (standalone), SDG targets, places [(name, street, area?)], results,
# milestones, budget [(source, label, amount)]
PROJECTS = [
    ("Sichere Radwege an der Hammer Straße", "Safe cycle lanes on Hammer Straße",
     "Geschützte Radfahrstreifen auf 1,8 km, getrennt durch Poller und Bordsteine.",
     P.PILOT, "amt-mobilitaet-tiefbau", [("fahrradfreundliches-muenster", "partner"),
                                         ("radwerk-mobility", "associated")],
     None, [], [], ["11.2", "3.6"], [("Hammer Straße", 17, True)],
     ["Planung des Querschnitts", "Teststrecke Geiststraße bis Kolde-Ring",
      "Zählung vorher/nachher"],
     ["Bürgerwerkstatt", "Baubeginn Teststrecke", "Auswertung der Zählung"],
     [("own", "Eigenanteil Stadt", "180000"), ("funding", "Förderprogramm Radverkehr", "420000")]),
    ("Echtzeitanzeigen an allen Bushaltestellen", "Real-time displays at every bus stop",
     "E-Paper-Anzeigen mit Solarstrom an 120 kleinen Haltestellen, mit Vorlesefunktion.",
     P.PREPARATION, "verkehrsbetriebe-muenster-stadt", [("pflasterstein-apps", "partner"),
                                                         ("inklusion-digital", "associated")],
     None, [], [], ["11.2", "9.1"], [("Haltestelle Weseler Straße", 16, False)],
     ["Ausschreibung der Anzeigen", "Vorlesefunktion per Taster",
      "Schnittstelle zu den Fahrplandaten"],
     ["Ausschreibung veröffentlicht", "Erste 20 Anzeigen montiert"],
     [("own", "Eigenmittel Verkehrsbetriebe", "95000"), ("funding",
      "Landesförderung ÖPNV digital", "310000")]),
    ("Mikrodepots für die letzte Meile", "Micro depots for the last mile",
     "Zwei Mikrodepots in der Altstadt; Pakete gehen per Lastenrad statt Lieferwagen.",
     P.EVALUATION, "hafenkante-logistik", [("prinzipal-handelsgesellschaft", "partner"),
                                            ("radwerk-mobility", "partner")],
     None, [], [], ["11.6", "12.5"], [("Mikrodepot Prinzipalmarkt", 0, False),
            ("Mikrodepot Salzstraße", 1, False)],
     ["Standorte und Genehmigung", "Pilotbetrieb sechs Monate", "Auswertung Lieferfahrten"],
     ["Depot 1 in Betrieb", "Depot 2 in Betrieb", "Zwischenbericht"],
     [("own", "Eigenmittel Logistik", "60000"), ("other", "Beitrag Händlergemeinschaft", "15000")]),
    ("Solardächer auf allen Schulen", "Solar roofs on every school",
     "Photovoltaik auf 14 Schuldächern; die Schülerinnen und Schüler werten die Erträge aus.",
     P.ROLLOUT, "stadtwerke-muensterland-nord", [("buergerenergie-muensterland", "partner"),
                                                  ("institut-digitale-bildung", "associated")],
     None, [], [], ["7.2", "4.7", "13.3"], [("Gesamtschule Gievenbeck", 22, True)],
     ["Statik der Dächer prüfen", "Anlagen auf 14 Schulen", "Unterrichtsmaterial Energiedaten"],
     ["Erste Anlage am Netz", "Zehn Anlagen am Netz", "Alle Anlagen am Netz"],
     [("own", "Eigenkapital Stadtwerke", "900000"), ("funding", "Bürgerenergie-Genossenschaft",
      "350000"),
      ("funding", "Klimaschutzförderung", "250000")]),
    ("Luftqualität an Schulwegen messen", "Measuring air quality on the way to school",
     "Zwanzig LoRaWAN-Sensoren an Schulwegen; die Daten erscheinen offen auf einer Karte.",
     P.COMPLETED, "sensorik-lab-muenster", [("stadtwerke-muensterland-nord", "partner"),
                                             ("forschungsinstitut-stadtdaten", "partner")],
     None, [], [], ["3.9", "11.6"], [("Schulweg Corrensstraße", 13, True)],
     ["Sensoren kalibrieren", "Offene Datenplattform", "Bericht für die Schulen"],
     ["Sensoren installiert", "Daten öffentlich", "Abschlussbericht"],
     [("own", "Eigenleistung Sensorik Lab", "25000"), ("funding", "Forschungsförderung", "48000")]),
    ("Leerstand in der Innenstadt zwischennutzen", "Interim use of empty shops in the centre",
     "Leere Ladenlokale werden für drei Monate an junge Unternehmen vermittelt.",
     P.PILOT, "digitale-altstadt", [("haendlergemeinschaft-kreuzviertel", "partner"),
                                    ("wirtschaftskammer-westfalen-mitte", "associated")],
     None, [], [], ["8.3", "11.3"], [("Ludgeristraße", 2, False)],
     ["Leerstandskataster", "Musterverträge für Zwischennutzung", "Zehn Pop-up-Läden"],
     ["Kataster online", "Erster Pop-up-Laden eröffnet"],
     [("own", "Eigenmittel Verein", "8000"), ("funding", "Innenstadtfonds", "60000")]),
    ("Programmierkurse in der Stadtbücherei", "Coding courses at the city library",
     "Samstags-Kurse für Kinder und Jugendliche, mit Ehrenamtlichen aus den Partnerfirmen.",
     P.ROLLOUT, "stadtbuecherei-hafen", [("jugendwerkstatt-hafen", "partner"),
                                         ("westfalen-datenwerk", "partner")],
     None, [], [], ["4.4", "4.5"], [("Stadtbücherei am Hafen", 4, False)],
     ["Kurskonzept", "Ehrenamtliche schulen", "Kurse in allen Stadtteilen"],
     ["Erster Kurs", "100 Teilnehmende", "Kurse in vier Stadtteilen"],
     [("own", "Räume und Personal Bücherei", "12000"), ("other", "Spenden Laptops", "9000")]),
    ("Leichte Sprache auf der Stadt-Website", "Easy Language on the city website",
     "Die wichtigsten 200 Seiten der Stadt-Website in Leichter Sprache, geprüft von Betroffenen.",
     P.PREPARATION, "amt-stadtentwicklung-digitalisierung", [("inklusion-digital", "partner")],
     None, [], [], ["10.2", "16.7"], [],
     ["Auswahl der Seiten", "Prüfgruppe", "Redaktionsleitfaden"],
     ["Prüfgruppe gegründet", "Erste 50 Seiten"],
     [("own", "Redaktion Stadt", "30000")]),
    ("Baustoffbörse für gebrauchte Materialien", "Exchange for used building materials",
     "Eine Online-Börse und ein Lager am Hafen für wiederverwendbare Bauteile.",
     P.CONCEPT, "labor-nachhaltiges-bauen", [("handwerkskammer-muensterland-sued", "partner")],
     None, [], [], ["12.5", "11.6"], [("Lager Am Hawerkamp", 20, True)],
     ["Marktanalyse", "Konzept für das Lager"],
     ["Konzept vorgestellt"],
     [("funding", "Förderantrag Kreislaufwirtschaft (beantragt)", "120000")]),
    ("Repair-Café in jedem Stadtteil", "A repair café in every district",
     "Monatliche Repair-Cafés in sechs Stadtteilen, mit Werkzeug-Ausleihe.",
     P.COMPLETED, "repair-cafe-geist", [("nachbarschaftsnetz-kreuzviertel", "partner"),
                                        ("abfallwirtschaft-muensterland-mitte", "associated")],
     None, [], [], ["12.5", "12.8"], [("Repair-Café Geist", 23, False),
            ("Repair-Café Kreuzviertel", 27, False)],
     ["Sechs Standorte", "Werkzeugkisten", "Reparaturstatistik"],
     ["Drei Standorte", "Sechs Standorte", "1.000 Reparaturen"],
     [("own", "Ehrenamt (geschätzt)", "20000"), ("funding", "Abfallvermeidungsfonds", "18000")]),
    # Standalone projects
    ("Offene Ladesäulenkarte Münster", "Open map of charging points in Münster",
     "Alle öffentlichen Ladesäulen mit Echtzeit-Belegung als offene Daten.",
     P.PILOT, "stadtwerke-muensterland-nord", [("westfalen-datenwerk", "partner")],
     "offene-daten-und-sensorik", ["energy", "mobility"], [4, 7], ["7.1", "9.4"],
     [("Ladepark Albersloher Weg", 6, False)],
     ["Datenschnittstelle", "Kartenanwendung", "Belegungsdaten in Echtzeit"],
     ["Schnittstelle veröffentlicht", "Karte online"],
     [("own", "Eigenmittel Stadtwerke", "40000")]),
    ("Mieterstrom im Aasee-Quartier", "Tenant electricity in the Aasee quarter",
     "Solarstrom vom Dach direkt für 240 Wohnungen, mit transparenter Abrechnung.",
     P.EVALUATION, "aasee-quartiersentwicklung", [("quartiersstrom", "partner"),
                                                   ("buergerenergie-muensterland", "associated")],
     "energiewende-im-quartier", ["energy", "housing"], [1, 4], ["7.2", "11.1"],
     [("Aasee-Quartier", 26, True)],
     ["Messkonzept", "Abrechnungsplattform", "Zufriedenheitsbefragung"],
     ["Erste Abrechnung", "Befragung ausgewertet"],
     [("own", "Investition Quartiersentwicklung", "650000"), ("funding", "Mieterstromzuschlag",
      "80000")]),
    ("Digitale Schaufenster Altstadt", "Digital shop windows in the old town",
     "Die Läden der Altstadt zeigen ihr Sortiment online, mit Reservierung zur Abholung.",
     P.STOPPED, "prinzipal-handelsgesellschaft", [("digitale-altstadt", "partner")],
     "lebendige-innenstadt", ["retail"], [2], ["8.3"], [("Prinzipalmarkt", 0, True)],
     ["Plattform auswählen", "30 Läden gewinnen", "Reservierung"],
     ["Plattform gewählt", "Pilot mit 10 Läden"],
     [("own", "Eigenmittel Handel", "15000")]),
    ("Sensornetz Hochwasser Aa", "Flood sensor network on the Aa",
     "Pegelsensoren an der Aa warnen Anwohnende per App vor Hochwasser.",
     P.PREPARATION, "sensorik-lab-muenster", [("forschungsinstitut-stadtdaten", "partner")],
     "offene-daten-und-sensorik", ["energy"], [7, 8], ["11.5", "13.1"],
     [("Aa am Kolde-Ring", 23, False)],
     ["Messstellen festlegen", "Warn-App"],
     ["Messstellen genehmigt"],
     [("funding", "Klimaanpassung Förderung", "75000")]),
    ("Lastenrad-Verleih an Bibliotheken", "Cargo bike rental at libraries",
     "Zwölf Lastenräder, ausleihbar mit dem Bibliotheksausweis.",
     P.ROLLOUT, "radwerk-mobility", [("stadtbuecherei-hafen", "partner")],
     "radverkehr-und-mikromobilitaet", ["mobility"], [1, 3], ["11.2"],
     [("Stadtbücherei am Hafen", 4, False)],
     ["Räder beschaffen", "Ausleihsystem", "Ausweitung auf alle Zweigstellen"],
     ["Erste Ausleihe", "Alle Zweigstellen"],
     [("own", "Wartung Radwerk", "10000"), ("funding", "Lastenradförderung", "54000")]),
    ("Seniorinnen und Senioren online", "Senior citizens online",
     "Tablet-Sprechstunden in Stadtteiltreffs, begleitet von Jugendlichen.",
     P.COMPLETED, "seniorennetz-mitte", [("jugendwerkstatt-hafen", "partner")],
     "digitale-bildung", ["education"], [3], ["4.6", "10.2"],
     [("Stadtteiltreff Coerde", 11, False)],
     ["Sprechstunden", "Leihtablets"],
     ["Erste Sprechstunde", "Abschlussfest"],
     [("own", "Ehrenamt", "5000"), ("funding", "Seniorenförderung", "12000")]),
    ("Klimaneutrales Gewerbegebiet Loddenheide", "Climate-neutral business park Loddenheide",
     "Wärmenetz, Solardächer und gemeinsame Mobilität für 60 Betriebe.",
     P.CONCEPT, "stadtwerke-muensterland-nord", [("labor-nachhaltiges-bauen", "associated")],
     "energiewende-im-quartier", ["energy"], [4, 8], ["7.3", "9.4", "13.2"],
     [("Gewerbegebiet Loddenheide", 19, True)],
     ["Bestandsaufnahme Energie", "Konzept Wärmenetz"],
     ["Auftakt mit den Betrieben"],
     [("funding", "Machbarkeitsstudie (beantragt)", "90000")]),
    ("Barrierefreie Haltestellen-Navigation", "Accessible stop navigation",
     "Eine App führt blinde und sehbehinderte Menschen per Ansage zur richtigen Haltestelle.",
     P.PILOT, "pflasterstein-apps", [("inklusion-digital", "partner"),
                                     ("verkehrsbetriebe-muenster-stadt", "partner")],
     "inklusion-und-barrierefreiheit", ["mobility"], [3, 6], ["11.2", "10.2"],
     [("Hauptbahnhof", 3, False)],
     ["Prototyp", "Test mit 30 Nutzenden", "Veröffentlichung"],
     ["Prototyp fertig", "Testphase"],
     [("own", "Entwicklung Pflasterstein", "35000"), ("funding", "Inklusionsfonds", "45000")]),
    ("Holzbau-Kita Gievenbeck", "Timber-built day-care centre in Gievenbeck",
     "Eine Kita in Holzbauweise als Vorbild für klimafreundliches Bauen.",
     P.EVALUATION, "muensterlaender-bauwerk", [("labor-nachhaltiges-bauen", "partner")],
     "nachhaltig-bauen-und-wohnen", ["housing"], [4, 8], ["11.c", "12.2"],
     [("Kita Gievenbecker Weg", 22, True)],
     ["Planung", "Bau", "Monitoring Raumklima"],
     ["Richtfest", "Eröffnung"],
     [("own", "Bauherr", "1200000"), ("funding", "Holzbauförderung", "300000")]),
    ("Werkzeugbibliothek Kreuzviertel", "Tool library in the Kreuzviertel",
     "Bohrmaschine, Leiter, Nähmaschine: leihen statt kaufen.",
     P.PILOT, None, [], "reparieren-statt-wegwerfen", ["retail"], [1, 5], ["12.5"],
     [("Werkzeugbibliothek Gartenstraße", 27, False)],
     ["Ausleihsystem", "200 Werkzeuge"],
     ["Eröffnung"],
     [("other", "Spenden", "3500")]),
]


def _organisation(slug):
    return Organisation.objects.filter(slug=slug).first() if slug else None


def _enrich(project: Project, spec, *, now) -> None:
    (_key, title_en, summary, phase, lead, partners, _group, _areas, _principles, targets,
     places, results, milestones, budget) = spec
    project.title_en, project.summary_de, project.phase = title_en, summary, phase
    project.save(update_fields=["title_en", "summary_de", "phase"])
    lead_org = _organisation(lead)
    if lead_org is not None:
        ConsortiumMember.objects.create(project=project, organisation=lead_org,
                                        role=ConsortiumMember.Role.LEAD,
                                        state=ConsortiumMember.State.ACCEPTED, responded_at=now)
    for index, (slug, role) in enumerate(partners):
        organisation = _organisation(slug)
        if organisation is None:
            continue
        # The last partner of a project in its first phases has not answered yet.
        invited = index == len(partners) - 1 and phase in (P.CONCEPT, P.PREPARATION)
        ConsortiumMember.objects.create(
            project=project, organisation=organisation, role=role,
            state=ConsortiumMember.State.INVITED if invited else ConsortiumMember.State.ACCEPTED,
            responded_at=None if invited else now)
    # Phase dates: each phase up to the current one took about four months.
    reached = PHASE_ORDER.index(phase) if phase in PHASE_ORDER else 2
    start = (now - timedelta(days=120 * (reached + 1))).date()
    for step in range(reached + 1):
        phase_here = PHASE_ORDER[step] if step < reached or phase != P.STOPPED else P.STOPPED
        end = start + timedelta(days=119) if step < reached else None
        PhasePeriod.objects.update_or_create(project=project, phase=phase_here,
                                             defaults={"start": start, "end": end})
        start += timedelta(days=120)
    shares = PROGRESS[phase]
    for position, title in enumerate(results):
        progress = shares[position] if position < len(shares) else 0
        state = (Result.State.COMPLETED if progress == 100 else Result.State.IN_PROGRESS
                 if progress else Result.State.PLANNED)
        if phase == P.STOPPED and progress < 100:
            state = Result.State.CANCELLED
        Result.objects.create(project=project, title=title, progress=progress, state=state,
                              position=position)
    for index, title in enumerate(milestones):
        due = (now + timedelta(days=90 * (index - len(milestones) // 2 - reached // 2))).date()
        done = due < now.date()
        Milestone.objects.create(
            project=project, title=title, due=due,
            state=(Milestone.State.DONE if done else Milestone.State.OPEN) if phase != P.STOPPED
            or not done else Milestone.State.MISSED,
            done_at=due if done and phase != P.STOPPED else None)
    for source, label, amount in budget:
        BudgetLine.objects.create(project=project, source=source, label=label,
                                  amount=Decimal(amount))
    for name, street, area in places:
        ProjectPlace.objects.get_or_create(
            project=project, name=name,
            defaults={"geometry": _square(street) if area else _point(street)})
    for code in targets:
        target = SDGTarget.objects.filter(code=code).select_related("goal").first()
        if target is not None:
            ProjectSDG.objects.filter(project=project, goal=target.goal,
                                      target__isnull=True).delete()
            ProjectSDG.objects.get_or_create(project=project, goal=target.goal, target=target)
    author = None
    if lead_org is not None:
        first = lead_org.memberships.select_related("user").first()
        author = first.user if first else None
    ProjectUpdate.objects.create(
        project=project, author=author, title="Projektstart",
        body=f"Das Projekt **{project.title_de}** ist gestartet. {summary}",
        published_at=now - timedelta(days=120 * reached + 30))
    if reached:
        ProjectUpdate.objects.create(
            project=project, author=author, title=f"Jetzt in der Phase „{P(phase).label}“",
            body="Wir haben die nächste Phase erreicht. Danke an alle Beteiligten!",
            published_at=now - timedelta(days=20))
    services.refresh_progress(project)


def load(*, now) -> int:
    """Creates what is missing and returns how many projects it created."""
    created = 0
    for spec in PROJECTS:
        key = spec[0]
        project = (Project.objects.filter(origin_idea__title=key).first()
                   or Project.objects.filter(title_de=key).first())
        if project is None:
            group = WorkingGroup.objects.filter(slug=spec[6]).first() if spec[6] else None
            if group is None and spec[4] is None:
                continue
            project = Project.objects.create(
                title_de=key, slug=unique_slug(Project.objects.all(), key, fallback="projekt",
                                               reserved=services.RESERVED_SLUGS),
                description_de=f"## Worum es geht\n\n{spec[2]}\n\n## Wie wir vorgehen\n\n"
                               "Wir arbeiten in Phasen und berichten hier über jeden Schritt.",
                working_group=group)
            project.focus_areas.set(FocusArea.objects.filter(slug__in=spec[7]))
            project.principles.set(Principle.objects.filter(number__in=spec[8]))
            ProjectSDG.objects.bulk_create(
                ProjectSDG(project=project, goal=goal) for goal in
                SustainableDevelopmentGoal.objects.filter(
                    number__in={int(code.split(".")[0]) for code in spec[9]}))
            created += 1
        if project.consortium.exists() or project.milestones.exists():
            continue
        _enrich(project, spec, now=now)
    return created
