"""Demo articles and documents of the knowledge exchange, made by `stadtallianz demo`.

Idempotent: an article whose slug exists is left alone. Attached files are generated here (CSV
and plain text) and go through the same upload checks as a person's files.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.partners.models import Organisation
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

from . import services
from .models import Article

L, H, R = Article.Kind.LESSON, Article.Kind.HOWTO, Article.Kind.REPORT
PUBLIC, MEMBERS = Article.Visibility.PUBLIC, Article.Visibility.MEMBERS

# slug, group (None: alliance), kind, visibility, title, summary, body, focus areas,
# principle numbers, SDG numbers, attached file (name, text) or None
ARTICLES = [
    ("zaehlstellen-radverkehr-auswerten", "radverkehr-und-mikromobilitaet", H, PUBLIC,
     "Radverkehrszählstellen selbst auswerten",
     "Wie wir die offenen Daten der Dauerzählstellen mit einer Tabellenkalkulation auswerten.",
     "## Daten holen\n\nDie Zählstellen liefern Stundenwerte als CSV.\n\n## Auswerten\n\n"
     "1. Datei öffnen\n2. Nach Wochentag gruppieren\n3. Wetter dazunehmen\n\n"
     "Die Beispieldatei unten zeigt das Format.",
     ["mobility"], [4, 7], [11], ("zaehlstelle-beispiel.csv",
                                  "datum;stunde;richtung;anzahl\n2025-05-05;07;stadteinwaerts;412\n"
                                  "2025-05-05;08;stadteinwaerts;655\n"
                                  "2025-05-05;17;stadtauswaerts;598\n")),
    ("lastenrad-verleih-erfahrungen", "radverkehr-und-mikromobilitaet", L, PUBLIC,
     "Ein Jahr Lastenrad-Verleih im Quartier",
     "Was beim kostenlosen Verleih von Lastenrädern gut lief und was wir ändern würden.",
     "## Was gut lief\n\n- Buchung über die Stadtteilbücherei\n- Ehrenamtliche Pflege\n\n"
     "## Was wir ändern würden\n\nMehr Stellplätze mit Witterungsschutz einplanen.",
     ["mobility"], [1, 3], [11, 13], None),
    ("echtzeitdaten-busse", "oepnv-digital", R, PUBLIC,
     "Bericht: Echtzeitdaten an Haltestellen",
     "Stand der Ausstattung der Haltestellen mit Echtzeitanzeigen und offenen Schnittstellen.",
     "Im Berichtszeitraum wurden **42 Haltestellen** mit Anzeigen ausgestattet. Die Daten "
     "stehen als GTFS-Realtime zur Verfügung.",
     ["mobility"], [6, 7], [9, 11], None),
    ("app-barrierefreiheit-pruefen", "oepnv-digital", H, MEMBERS,
     "Apps auf Barrierefreiheit prüfen – unsere Checkliste",
     "Die interne Checkliste der Gruppe für Tests mit Screenreadern.",
     "## Checkliste\n\n- Alle Bedienelemente beschriftet?\n- Kontraste ausreichend?\n"
     "- Bedienung per Tastatur möglich?",
     ["mobility", "education"], [3], [10], ("checkliste.txt",
                                            "Checkliste Barrierefreiheit\n"
                                            "- Beschriftungen\n- Kontraste\n- Tastatur\n")),
    ("mikrodepots-innenstadt", "urbane-logistik", L, PUBLIC,
     "Mikrodepots in der Innenstadt: erste Erfahrungen",
     "Zustellung der letzten Meile per Lastenrad aus zwei Mikrodepots.",
     "Die Depots sparten im Pilotzeitraum rund **1.800 Lieferwagenfahrten**. Wichtig war die "
     "frühe Abstimmung mit dem Ordnungsamt.",
     ["mobility", "retail"], [4, 5], [11, 12], None),
    ("mieterstrom-modell", "energiewende-im-quartier", H, PUBLIC,
     "Mieterstrom Schritt für Schritt",
     "Von der Idee bis zum ersten Mieterstromvertrag in einem Mehrfamilienhaus.",
     "## Schritte\n\n1. Dachfläche prüfen\n2. Messkonzept mit dem Netzbetreiber klären\n"
     "3. Verträge mit Mieterinnen und Mietern schließen",
     ["energy", "housing"], [4], [7, 11], None),
    ("waermeplanung-beteiligung", "energiewende-im-quartier", L, MEMBERS,
     "Beteiligung an der Wärmeplanung – was wir gelernt haben",
     "Interne Notizen zu drei Quartiersveranstaltungen zur Wärmeplanung.",
     "Die Veranstaltungen waren gut besucht; Fragen zu Kosten überwogen. Nächstes Mal "
     "Beispielrechnungen mitbringen.",
     ["energy"], [3, 4], [7, 13], None),
    ("luftqualitaet-sensoren-bericht", "offene-daten-und-sensorik", R, PUBLIC,
     "Bericht: Ein Jahr Luftqualitätssensoren",
     "Messwerte, Ausfälle und Lehren aus dem Betrieb von 25 Feinstaubsensoren.",
     "Die Sensoren liefen zu **96 %** der Zeit. Die Monatsmittel stehen in der Datei unten.",
     ["energy", "mobility"], [7, 8], [3, 11], ("monatsmittel-pm10.csv",
                                               "monat;pm10_mittel\n2025-01;21.4\n"
                                               "2025-02;19.8\n2025-03;17.2\n")),
    ("datenschutz-bei-sensorik", "offene-daten-und-sensorik", H, PUBLIC,
     "Sensorik ohne Personenbezug planen",
     "Wie Messungen im öffentlichen Raum gelingen, ohne Personen zu erfassen.",
     "Keine Kameras, wo Zählungen genügen; Daten früh aggregieren; Schwellenwerte für "
     "kleine Zahlen festlegen.",
     ["mobility"], [7, 8], [16], None),
    ("leerstand-zwischennutzung", "lebendige-innenstadt", L, PUBLIC,
     "Zwischennutzung von Leerständen",
     "Drei Pop-up-Läden und was sie für die Straße bewirkt haben.",
     "Die Passantenfrequenz stieg in den Wochen der Zwischennutzung deutlich. Entscheidend: "
     "kurze Mietverträge und ein Ansprechpartner bei der Stadt.",
     ["retail"], [1, 5], [8, 11], None),
    ("medienkompetenz-workshops", "digitale-bildung", H, PUBLIC,
     "Workshops zur Medienkompetenz organisieren",
     "Ein Leitfaden für Bibliotheken und Jugendeinrichtungen.",
     "## Vorbereitung\n\nGeräte vorab testen, kleine Gruppen bilden.\n\n## Durchführung\n\n"
     "Mit einer Alltagsfrage beginnen, nicht mit der Technik.",
     ["education"], [2, 3], [4], None),
    ("senioren-digital-begleiten", "digitale-bildung", L, MEMBERS,
     "Seniorinnen und Senioren digital begleiten",
     "Erfahrungen aus der Sprechstunde in der Stadtteilbücherei (intern).",
     "Feste Termine und dieselben Ansprechpersonen schaffen Vertrauen.",
     ["education"], [3], [4, 10], None),
    ("barrierefreie-veranstaltungen", "inklusion-und-barrierefreiheit", H, PUBLIC,
     "Barrierefreie Veranstaltungen planen",
     "Worauf es bei Räumen, Einladungen und Online-Formaten ankommt.",
     "- Stufenloser Zugang und Ruheraum\n- Einladungen in Leichter Sprache\n"
     "- Untertitel bei Online-Teilen",
     ["education", "housing"], [2, 3], [10], None),
    ("holzbau-quartier-bericht", "nachhaltig-bauen-und-wohnen", R, PUBLIC,
     "Bericht: Holzbau im Quartier",
     "Baukosten, Bauzeit und Klimabilanz eines Mehrfamilienhauses in Holzbauweise.",
     "Die Bauzeit verkürzte sich um vier Monate; die graue Energie lag deutlich unter dem "
     "Vergleichsbau.",
     ["housing", "energy"], [4, 6], [9, 11, 12], None),
    ("smart-city-charta-anwenden", None, H, PUBLIC,
     "Die Leitprinzipien der Smart City Charta im Projekt anwenden",
     "Wie Projekte der Allianz sich an den acht Leitprinzipien messen.",
     "Für jedes Prinzip eine Frage stellen, eine Antwort begründen und einen Beleg nennen. "
     "So wird sichtbar, welche Prinzipien ein Projekt stärkt.",
     ["mobility", "energy", "retail", "education", "housing"], [1, 2, 3, 4, 5, 6, 7, 8],
     [11, 17], None),
]


def _author(group: WorkingGroup | None, fallback):
    if group is None:
        return fallback
    membership = (group.memberships.filter(state=GroupMembership.State.ACTIVE,
                                           role=GroupMembership.Role.LEAD)
                  .select_related("user").order_by("pk").first())
    return membership.user if membership else fallback


def load(*, now, alliance_author) -> int:
    """Creates the demo articles that are missing; returns how many. `alliance_author` (a
    person of a partner organisation) writes the alliance-wide ones."""
    existing = set(Article.objects.filter(slug__in=[row[0] for row in ARTICLES])
                   .values_list("slug", flat=True))
    groups = {group.slug: group for group in WorkingGroup.objects.all()}
    areas = {area.slug: area for area in FocusArea.objects.all()}
    principles = {p.number: p for p in Principle.objects.all()}
    sdgs = {goal.number: goal for goal in SustainableDevelopmentGoal.objects.all()}
    created = 0
    for index, row in enumerate(ARTICLES):
        (slug, group_slug, kind, visibility, title, summary, body, area_slugs, principle_numbers,
         sdg_numbers, attachment) = row
        group = groups.get(group_slug) if group_slug else None
        if slug in existing or (group_slug and (group is None or not group.is_active)):
            continue
        author = _author(group, alliance_author)
        article = services.article_create(by=author, group=group, publish=True, data={
            "title": title, "summary": summary, "body": body, "kind": kind,
            "language": Article.Language.DE, "visibility": visibility,
            "focus_areas": [areas[a] for a in area_slugs if a in areas],
            "principles": [principles[n] for n in principle_numbers if n in principles],
            "sdgs": [sdgs[n] for n in sdg_numbers if n in sdgs],
            "organisations": list(Organisation.objects.filter(memberships__user=author)),
        })
        # A fixed slug and a spread of dates, so the demo reads like a history.
        Article.objects.filter(pk=article.pk).update(
            slug=slug, published_at=now - timedelta(days=3 + 9 * index))
        article.refresh_from_db()
        if attachment:
            name, text = attachment
            services.document_create(
                by=author, article=article, upload=SimpleUploadedFile(name, text.encode()),
                data={"title": name.rsplit(".", 1)[0].replace("-", " ").capitalize(),
                      "description": "Beispieldatei zum Beitrag.",
                      "visibility": "public"})
        created += 1
    return created
