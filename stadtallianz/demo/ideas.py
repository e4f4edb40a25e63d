"""Demo ideas for `stadtallianz demo`: about sixty German ideas in every state, by the demo
accounts and people of the demo organisations, with tags, places in Münster, co-authors, a few
versions, comments, replies and supports. Accepted ones become projects.

Idempotent: an idea whose title exists is left alone. Seed data, so it writes with the ORM
(the counters set to match the rows written) rather than through the services; accepting goes
through `create_from_idea` so each accepted idea has its project.
"""

import random
from datetime import timedelta
from decimal import Decimal

from stadtallianz.accounts.models import User
from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.portal import demo_data
from stadtallianz.workinggroups.models import WorkingGroup

from .models import CoAuthor, Comment, Follow, Idea, IdeaVersion, Support

DOMAIN = "demo.stadtallianz.de"
S = Idea.State
SUB, DIS, ACC, DEC, MER = S.SUBMITTED, S.DISCUSSION, S.ACCEPTED, S.DECLINED, S.MERGED

# title, text, focus areas, principles, SDGs, working group, street (index into
# demo_data.STREETS) or None, state
IDEAS = [
    (
        "Sichere Radwege an der Hammer Straße",
        "Die Hammer Straße braucht durchgehend geschützte Radwege, getrennt vom Autoverkehr.",
        ["mobility"],
        [1, 4],
        [11],
        "radverkehr-und-mikromobilitaet",
        17,
        ACC,
    ),
    (
        "Fahrradparkhaus am Hauptbahnhof erweitern",
        "Die Radstation ist jeden Morgen voll. Ein zweites Parkhaus an der Ostseite würde helfen.",
        ["mobility"],
        [4],
        [11],
        "radverkehr-und-mikromobilitaet",
        3,
        DIS,
    ),
    (
        "Lastenräder zum Ausleihen in jedem Stadtteil",
        "Kostenlose Lastenräder, ausleihbar über die Stadtteilbüchereien.",
        ["mobility"],
        [1, 3],
        [11, 13],
        "radverkehr-und-mikromobilitaet",
        None,
        DIS,
    ),
    (
        "Grüne Welle für Radfahrende auf dem Ring",
        "Ampeln auf dem Ring auf 20 km/h für den Radverkehr abstimmen.",
        ["mobility"],
        [4],
        [11],
        "radverkehr-und-mikromobilitaet",
        10,
        SUB,
    ),
    (
        "Reparaturstationen für Fahrräder an Schulen",
        "Werkzeug und Luftpumpe an jeder weiterführenden Schule, frei zugänglich.",
        ["mobility", "education"],
        [3],
        [4, 11],
        None,
        None,
        SUB,
    ),
    (
        "Echtzeitanzeigen an allen Bushaltestellen",
        "Auch kleine Haltestellen sollen Abfahrten in Echtzeit anzeigen.",
        ["mobility"],
        [6, 7],
        [9, 11],
        "oepnv-digital",
        16,
        ACC,
    ),
    (
        "Offene Schnittstelle für Busfahrpläne",
        "Die Fahrplandaten als GTFS offen bereitstellen, damit alle Apps sie nutzen können.",
        ["mobility"],
        [7, 8],
        [9],
        "oepnv-digital",
        None,
        DIS,
    ),
    (
        "Nachtbus in die Außenstadtteile",
        "Am Wochenende stündlich Nachtbusse nach Gievenbeck, Hiltrup und Roxel.",
        ["mobility"],
        [3],
        [10, 11],
        "oepnv-digital",
        22,
        DEC,
    ),
    (
        "Barrierefreie Fahrplan-App",
        "Die Fahrplan-App soll vollständig mit Screenreader bedienbar sein.",
        ["mobility", "education"],
        [3],
        [10],
        "oepnv-digital",
        None,
        SUB,
    ),
    (
        "Bus-Spuren auf der Weseler Straße",
        "Eigene Busspuren verkürzen die Fahrzeit im Berufsverkehr deutlich.",
        ["mobility"],
        [4],
        [11],
        "oepnv-digital",
        26,
        DIS,
    ),
    (
        "Mikrodepots für die letzte Meile",
        "Paketzustellung aus Mikrodepots per Lastenrad statt Lieferwagen in der Altstadt.",
        ["mobility", "retail"],
        [4, 5],
        [11, 12],
        "urbane-logistik",
        0,
        ACC,
    ),
    (
        "Lieferzonen digital buchen",
        "Lieferzonen in der Innenstadt per App für Zeitfenster reservieren.",
        ["mobility", "retail"],
        [6],
        [9, 11],
        "urbane-logistik",
        1,
        SUB,
    ),
    (
        "Paketstationen aller Anbieter zusammenlegen",
        "Eine gemeinsame Paketstation pro Quartier statt fünf verschiedener.",
        ["retail"],
        [5],
        [11, 12],
        "urbane-logistik",
        19,
        DIS,
    ),
    (
        "Solardächer auf allen Schulen",
        "Jede Schule bekommt eine Photovoltaikanlage; die Schülerinnen und Schüler "
        "werten die Daten aus.",
        ["energy", "education"],
        [4, 8],
        [7, 4],
        "energiewende-im-quartier",
        23,
        ACC,
    ),
    (
        "Mieterstrom für Genossenschaftswohnungen",
        "Die Wohnungsgenossenschaften bieten Strom vom eigenen Dach an.",
        ["energy", "housing"],
        [4],
        [7, 11],
        "energiewende-im-quartier",
        20,
        DIS,
    ),
    (
        "Wärmenetz im Hansaviertel",
        "Ein Nahwärmenetz mit Abwärme aus dem Hafen für das Hansaviertel.",
        ["energy", "housing"],
        [4],
        [7, 13],
        "energiewende-im-quartier",
        7,
        SUB,
    ),
    (
        "Balkonkraftwerke fördern",
        "Ein städtischer Zuschuss von 200 Euro für steckerfertige Solaranlagen.",
        ["energy"],
        [3],
        [7, 13],
        "energiewende-im-quartier",
        None,
        DEC,
    ),
    (
        "Energiesparberatung in der Stadtteilbibliothek",
        "Einmal im Monat kostenlose Beratung zum Energiesparen.",
        ["energy", "education"],
        [3],
        [7, 12],
        None,
        24,
        SUB,
    ),
    (
        "Stromspeicher im Quartier teilen",
        "Ein gemeinsamer Batteriespeicher für ein Wohnquartier statt vieler kleiner.",
        ["energy", "housing"],
        [5],
        [7],
        "energiewende-im-quartier",
        None,
        MER,
    ),
    (
        "Luftqualität an Schulwegen messen",
        "Sensoren an Schulwegen zeigen, wo die Luft am schlechtesten ist.",
        ["mobility", "education"],
        [7, 8],
        [3, 11],
        "offene-daten-und-sensorik",
        13,
        ACC,
    ),
    (
        "Offenes Datenportal für Parkplätze",
        "Freie Parkplätze in Parkhäusern als offene Daten in Echtzeit.",
        ["mobility"],
        [7],
        [9, 11],
        "offene-daten-und-sensorik",
        2,
        DIS,
    ),
    (
        "Lärmkarte aus Bürgersensoren",
        "Bürgerinnen und Bürger messen Lärm mit einfachen Sensoren; eine Karte zeigt "
        "die Ergebnisse.",
        ["housing"],
        [1, 7],
        [3, 11],
        "offene-daten-und-sensorik",
        11,
        SUB,
    ),
    (
        "Pegelstände der Aa als offene Daten",
        "Die Pegelstände der Aa öffentlich und maschinenlesbar bereitstellen.",
        ["housing"],
        [7],
        [6, 13],
        "offene-daten-und-sensorik",
        None,
        DIS,
    ),
    (
        "Bodenfeuchte-Sensoren für Stadtbäume",
        "Sensoren zeigen, welche Stadtbäume Wasser brauchen; Paten bekommen eine Nachricht.",
        ["housing"],
        [7, 8],
        [13, 15],
        "offene-daten-und-sensorik",
        12,
        SUB,
    ),
    (
        "Sensoren für Luftqualität zusammenführen",
        "Die vielen Luftsensoren verschiedener Projekte in einem Datensatz zusammenführen.",
        ["mobility"],
        [7],
        [3, 11],
        "offene-daten-und-sensorik",
        None,
        MER,
    ),
    (
        "Leerstand in der Innenstadt zwischennutzen",
        "Leere Ladenlokale für Pop-up-Läden junger Unternehmen öffnen.",
        ["retail"],
        [2, 5],
        [8, 11],
        "lebendige-innenstadt",
        4,
        ACC,
    ),
    (
        "Digitaler Marktplatz für lokale Händler",
        "Eine gemeinsame Plattform, auf der Münsteraner Geschäfte online verkaufen.",
        ["retail"],
        [5, 6],
        [8, 9],
        "lebendige-innenstadt",
        None,
        DIS,
    ),
    (
        "Kostenloses WLAN in der Altstadt",
        "Offenes WLAN rund um den Prinzipalmarkt für Besucherinnen und Besucher.",
        ["retail"],
        [6],
        [9],
        "lebendige-innenstadt",
        0,
        DEC,
    ),
    (
        "Wochenmarkt am Abend",
        "Einmal pro Woche ein Feierabendmarkt auf dem Domplatz.",
        ["retail"],
        [1],
        [8, 12],
        "lebendige-innenstadt",
        25,
        SUB,
    ),
    (
        "Bänke und Schatten in der Fußgängerzone",
        "Mehr Sitzgelegenheiten und Bäume in der Ludgeristraße.",
        ["retail", "housing"],
        [3],
        [11],
        "lebendige-innenstadt",
        2,
        DIS,
    ),
    (
        "Gemeinsame Kundenkarte für den Einzelhandel",
        "Eine Kundenkarte, die in allen teilnehmenden Geschäften gilt.",
        ["retail"],
        [5],
        [8],
        None,
        None,
        SUB,
    ),
    (
        "Programmierkurse in der Stadtbücherei",
        "Kostenlose Programmierkurse für Kinder und Jugendliche an Samstagen.",
        ["education"],
        [3],
        [4],
        "digitale-bildung",
        24,
        ACC,
    ),
    (
        "Leihgeräte für Schülerinnen und Schüler",
        "Laptops zum Ausleihen für Familien, die sich keine leisten können.",
        ["education"],
        [3],
        [4, 10],
        "digitale-bildung",
        None,
        DIS,
    ),
    (
        "Medienkompetenz für Seniorinnen und Senioren",
        "Smartphone-Sprechstunden in den Begegnungszentren.",
        ["education"],
        [3],
        [4, 10],
        "digitale-bildung",
        14,
        SUB,
    ),
    (
        "Makerspace in jeder Schule",
        "3D-Drucker und Elektronik-Bausätze für den Unterricht.",
        ["education"],
        [8],
        [4, 9],
        "digitale-bildung",
        None,
        DEC,
    ),
    (
        "Offene Lernplattform für Volkshochschulen",
        "Kurse der Volkshochschule als offene Lernmaterialien online stellen.",
        ["education"],
        [7],
        [4],
        "digitale-bildung",
        None,
        SUB,
    ),
    (
        "Barrierefreie Stadtpläne",
        "Ein Stadtplan, der barrierefreie Wege, Toiletten und Eingänge zeigt.",
        ["mobility", "housing"],
        [3, 7],
        [10, 11],
        "inklusion-und-barrierefreiheit",
        None,
        DIS,
    ),
    (
        "Leichte Sprache auf der Stadt-Website",
        "Alle wichtigen Informationen der Stadt auch in Leichter Sprache.",
        ["education"],
        [3],
        [10, 16],
        "inklusion-und-barrierefreiheit",
        None,
        ACC,
    ),
    (
        "Taktile Leitsysteme an Haltestellen",
        "Bodenleitsysteme an allen Bushaltestellen für blinde Menschen.",
        ["mobility"],
        [3],
        [10, 11],
        "inklusion-und-barrierefreiheit",
        5,
        SUB,
    ),
    (
        "Rampen-Kataster für Geschäfte",
        "Ein Verzeichnis, welche Geschäfte stufenlos erreichbar sind.",
        ["retail"],
        [3, 7],
        [10],
        "inklusion-und-barrierefreiheit",
        None,
        MER,
    ),
    (
        "Holzbau für neue Kitas",
        "Neue Kitas in Holzbauweise errichten, als Vorbild für die Stadt.",
        ["housing", "education"],
        [4],
        [9, 11, 13],
        "nachhaltig-bauen-und-wohnen",
        27,
        DIS,
    ),
    (
        "Dachbegrünung für städtische Gebäude",
        "Alle flachen Dächer städtischer Gebäude begrünen.",
        ["housing", "energy"],
        [4],
        [11, 13],
        "nachhaltig-bauen-und-wohnen",
        None,
        SUB,
    ),
    (
        "Wohnungstausch-Börse",
        "Ältere Menschen in großen Wohnungen tauschen mit Familien in kleinen.",
        ["housing"],
        [1, 5],
        [11],
        "nachhaltig-bauen-und-wohnen",
        None,
        DIS,
    ),
    (
        "Baustoffbörse für gebrauchte Materialien",
        "Gebrauchte Fenster, Türen und Ziegel weitergeben statt entsorgen.",
        ["housing"],
        [5],
        [12],
        "nachhaltig-bauen-und-wohnen",
        18,
        ACC,
    ),
    (
        "Tiny Houses auf Brachflächen",
        "Kleine Häuser auf ungenutzten Flächen als bezahlbarer Wohnraum.",
        ["housing"],
        [2],
        [11],
        None,
        18,
        DEC,
    ),
    (
        "Repair-Café in jedem Stadtteil",
        "Regelmäßige Reparaturtreffen mit Ehrenamtlichen in jedem Stadtteil.",
        ["retail", "education"],
        [1, 5],
        [12],
        "reparieren-statt-wegwerfen",
        21,
        ACC,
    ),
    (
        "Reparaturbonus für Elektrogeräte",
        "Die Stadt übernimmt die Hälfte der Reparaturkosten bis 100 Euro.",
        ["retail"],
        [5],
        [12],
        "reparieren-statt-wegwerfen",
        None,
        DIS,
    ),
    (
        "Werkzeug-Bibliothek",
        "Bohrmaschine, Leiter und Säge ausleihen statt kaufen.",
        ["retail", "housing"],
        [5],
        [12],
        "reparieren-statt-wegwerfen",
        9,
        SUB,
    ),
    (
        "Second-Hand-Kaufhaus in der Innenstadt",
        "Ein Kaufhaus nur für gebrauchte Waren in einem leeren Warenhaus.",
        ["retail"],
        [5],
        [12],
        "reparieren-statt-wegwerfen",
        1,
        DIS,
    ),
    (
        "Reparaturanleitungen als offene Daten",
        "Anleitungen aus den Repair-Cafés gesammelt und frei veröffentlicht.",
        ["education"],
        [7],
        [12],
        "reparieren-statt-wegwerfen",
        None,
        SUB,
    ),
    (
        "Carsharing-Stationen in Wohngebieten",
        "Mehr Carsharing-Stationen in Wohngebieten statt neuer Parkplätze.",
        ["mobility", "housing"],
        [4, 5],
        [11],
        None,
        15,
        SUB,
    ),
    (
        "Schulstraßen ohne Elterntaxis",
        "Straßen vor Grundschulen zu Schulbeginn für Autos sperren.",
        ["mobility", "education"],
        [1],
        [3, 11],
        "radverkehr-und-mikromobilitaet",
        13,
        DIS,
    ),
    (
        "E-Scooter-Parkzonen",
        "Feste Abstellflächen für E-Scooter, damit Gehwege frei bleiben.",
        ["mobility"],
        [3],
        [11],
        "radverkehr-und-mikromobilitaet",
        3,
        SUB,
    ),
    (
        "Quartiersgärten auf Parkplätzen",
        "Einzelne Parkplätze werden zu Gemeinschaftsgärten.",
        ["housing"],
        [1],
        [11, 15],
        None,
        8,
        DEC,
    ),
    (
        "Digitale Bürgersprechstunde",
        "Sprechstunden der Verwaltung auch per Video.",
        ["education"],
        [6],
        [16],
        None,
        None,
        SUB,
    ),
    (
        "Energiemonitor für Vereinsheime",
        "Vereine sehen ihren Energieverbrauch und sparen gemeinsam.",
        ["energy"],
        [7],
        [7, 12],
        "energiewende-im-quartier",
        None,
        SUB,
    ),
    (
        "Hafen-Wasserbus",
        "Ein kleiner elektrischer Wasserbus zwischen Hafen und Innenstadt.",
        ["mobility"],
        [4],
        [11, 14],
        None,
        5,
        DEC,
    ),
    (
        "Offene Werkstatt für Jugendliche",
        "Eine offene Werkstatt, in der Jugendliche bauen, löten und programmieren.",
        ["education"],
        [1, 8],
        [4],
        "digitale-bildung",
        20,
        DIS,
    ),
    (
        "Gemeinschaftliche Solarparks auf Lärmschutzwänden",
        "Photovoltaik auf Lärmschutzwänden entlang der Umgehungsstraße.",
        ["energy"],
        [4],
        [7],
        "energiewende-im-quartier",
        19,
        SUB,
    ),
    (
        "Stadtteil-Apps zusammenlegen",
        "Statt vieler Quartiers-Apps eine gemeinsame App mit offenen Schnittstellen.",
        ["education", "retail"],
        [6, 7],
        [9],
        None,
        None,
        SUB,
    ),
]
# merged idea → the idea it went into
MERGES = {
    "Stromspeicher im Quartier teilen": "Mieterstrom für Genossenschaftswohnungen",
    "Sensoren für Luftqualität zusammenführen": "Luftqualität an Schulwegen messen",
    "Rampen-Kataster für Geschäfte": "Barrierefreie Stadtpläne",
}
DECLINE_REASON = (
    "Die Koordinierungsstelle hat die Idee mit dem Arbeitskreis geprüft. Sie ist "
    "derzeit nicht umsetzbar, weil weder Fläche noch Mittel bereitstehen. Wir "
    "nehmen sie in die nächste Haushaltsplanung auf."
)
COMMENTS = [
    "Gute Idee, das würde ich sofort nutzen!",
    "Wie soll das finanziert werden?",
    "In Osnabrück gibt es so etwas schon, mit guten Erfahrungen.",
    "Bitte auch an Menschen mit Rollstuhl denken.",
    "Ich würde gern mitmachen. Gibt es schon ein Treffen?",
    "Das ist längst überfällig.",
    "Man sollte das erst in einem Stadtteil ausprobieren.",
]
REPLIES = [
    "Danke für den Hinweis, das nehmen wir auf.",
    "Ein Förderprogramm des Landes könnte passen.",
    "Gute Frage – der Arbeitskreis klärt das beim nächsten Treffen.",
]


def _people() -> tuple[dict, list]:
    accounts = {
        user.email.split("@")[0]: user for user in User.objects.filter(email__endswith=f"@{DOMAIN}")
    }
    others = list(
        User.objects.filter(email__endswith=".example", is_active=True).order_by("pk")[:40]
    )
    return accounts, others


def load(*, now) -> int:
    """Creates what is missing and returns how many ideas it created."""
    existing = set(
        Idea.objects.filter(title__in=[row[0] for row in IDEAS]).values_list("title", flat=True)
    )
    if len(existing) == len(IDEAS):
        return 0
    accounts, others = _people()
    coordinator = accounts.get("koordination")
    if coordinator is None:
        return 0  # the demo command makes the accounts first
    authors = [accounts[key] for key in ("buerger", "mitglied", "admin") if key in accounts]
    authors += others[:12]
    crowd = list(accounts.values()) + others
    focus = {area.slug: area for area in FocusArea.objects.all()}
    principles = {p.number: p for p in Principle.objects.all()}
    sdgs = {goal.number: goal for goal in SustainableDevelopmentGoal.objects.all()}
    groups = {group.slug: group for group in WorkingGroup.objects.all()}
    rng = random.Random(4711)
    by_title = {idea.title: idea for idea in Idea.objects.filter(title__in=existing)}
    created = 0
    for index, row in enumerate(IDEAS):
        title, text, areas, principle_numbers, sdg_numbers, group, street, state = row
        if title in existing:
            continue
        author = authors[index % len(authors)]
        place = {}
        if street is not None:
            name, _code, latitude, longitude = demo_data.STREETS[street % len(demo_data.STREETS)]
            place = {
                "place_name": f"{name}, Münster",
                "latitude": Decimal(f"{latitude + rng.uniform(-0.001, 0.001):.6f}"),
                "longitude": Decimal(f"{longitude + rng.uniform(-0.0015, 0.0015):.6f}"),
            }
        description = (
            f"{text}\n\n## Warum\n\nDas macht Münster lebenswerter und zeigt, was "
            f"die Allianz gemeinsam erreichen kann.\n\n## Erste Schritte\n\n"
            f"- Gespräch mit dem Arbeitskreis\n- Kosten schätzen\n- Einen Ort für "
            f"einen Versuch finden"
        )
        idea = Idea.objects.create(
            title=title,
            description=description,
            author=author,
            working_group=groups.get(group) if group else None,
            **place,
        )
        idea.focus_areas.set([focus[a] for a in areas if a in focus])
        idea.principles.set([principles[n] for n in principle_numbers if n in principles])
        idea.sdgs.set([sdgs[n] for n in sdg_numbers if n in sdgs])
        details = {
            "focus_areas": sorted(a for a in areas if a in focus),
            "principles": sorted(principle_numbers),
            "sdgs": sorted(sdg_numbers),
            "working_group": group,
            "place_name": place.get("place_name", ""),
            "latitude": str(place["latitude"]) if place else None,
            "longitude": str(place["longitude"]) if place else None,
        }
        IdeaVersion.objects.create(
            idea=idea, number=1, title=title, description=text, details=details, author=author
        )
        if index % 5 == 0:
            # A second version: the author added the reasons and the first steps.
            IdeaVersion.objects.create(
                idea=idea,
                number=2,
                title=title,
                description=description,
                details=details,
                author=author,
            )
            idea.version = 2
        else:
            IdeaVersion.objects.filter(idea=idea, number=1).update(description=description)
        Follow.objects.get_or_create(idea=idea, user=author)
        if index % 4 == 1:
            coauthor = authors[(index + 3) % len(authors)]
            if coauthor.pk != author.pk:
                CoAuthor.objects.create(
                    idea=idea,
                    user=coauthor,
                    email=coauthor.email.lower(),
                    invited_by=author,
                    state=CoAuthor.State.ACCEPTED,
                    accepted_at=now,
                )
                Follow.objects.get_or_create(idea=idea, user=coauthor)
        supporters = rng.sample(crowd, min(len(crowd), rng.randint(0, 25)))
        Support.objects.bulk_create(
            [Support(idea=idea, user=user) for user in supporters], ignore_conflicts=True
        )
        comments = 0
        for position in range(rng.randint(0, 5)):
            comment = Comment.objects.create(
                idea=idea,
                author=rng.choice(crowd),
                body=COMMENTS[(index + position) % len(COMMENTS)],
            )
            comments += 1
            if rng.random() < 0.4:
                Comment.objects.create(
                    idea=idea,
                    parent=comment,
                    author=rng.choice(crowd),
                    body=REPLIES[(index + position) % len(REPLIES)],
                )
                comments += 1
        idea.support_count = idea.supports.count()
        idea.comment_count = comments
        idea.save()
        # Spread over half a year; set on the instance too, as later saves write every field.
        idea.created_at = now - timedelta(days=180 - index * 3)
        Idea.objects.filter(pk=idea.pk).update(created_at=idea.created_at)
        by_title[title] = idea
        created += 1
        if state in (DIS, ACC, DEC):
            _decide(idea, state, coordinator, now)
    for title, target in MERGES.items():
        idea = by_title.get(title)
        if idea is not None and idea.state != MER and target in by_title:
            idea.state, idea.merged_into = MER, by_title[target]
            idea.state_reason = "Zusammengeführt, weil beide Ideen dasselbe Ziel haben."
            idea.state_changed_at = now
            idea.save()
    return created


def _decide(idea: Idea, state: str, coordinator, now) -> None:
    from stadtallianz.projects.services import create_from_idea

    idea.state = state
    idea.state_changed_at = now - timedelta(days=10)
    if state == DEC:
        idea.state_reason = DECLINE_REASON
    idea.save()
    if state == ACC:
        create_from_idea(idea, coordinator)
