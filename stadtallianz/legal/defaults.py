"""The first version of each legal page, made on first access: a sensible start in German and
English that the coordination office completes (addresses, names, dates) on the edit page.

`{site}` and `{office}` are filled in from the settings (SITE_NAME, COORDINATION_OFFICE_NAME)."""

IMPRINT_DE = """\
## Angaben gemäß § 5 DDG

{site}
vertreten durch die {office}

*Anschrift, vertretungsberechtigte Person, Telefon und E-Mail-Adresse bitte hier ergänzen.*

## Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV

*Name und Anschrift der verantwortlichen Person.*

## Inhalte der Partnerorganisationen und Beiträge von Personen

Profile, Ideen, Beiträge und Dokumente der Partnerorganisationen und der registrierten Personen
verantworten diese selbst. Hinweise auf rechtswidrige Inhalte nimmt die {office} entgegen; sie
entfernt sie, sobald sie davon erfährt.

## Software

Die Plattform läuft mit Stadtallianz, freier Software unter der Lizenz AGPL-3.0-or-later.
"""

IMPRINT_EN = """\
## Information according to § 5 DDG (German Digital Services Act)

{site}
represented by the {office}

*Please add the postal address, the person authorised to represent, telephone and e-mail.*

## Responsible for the content according to § 18 (2) MStV

*Name and address of the responsible person.*

## Content of partners and contributions of people

Partner organisations and registered people are responsible for their own profiles, ideas, posts
and documents. The {office} takes notices of unlawful content and removes it as soon as it
learns of it.

## Software

The platform runs on Stadtallianz, free software under the AGPL-3.0-or-later licence.
"""

PRIVACY_DE = """\
## Verantwortliche Stelle

Verantwortlich für die Verarbeitung personenbezogener Daten auf {site} ist die {office}
(Anschrift und Kontakt siehe Impressum).

*Kontakt der oder des Datenschutzbeauftragten bitte hier ergänzen.*

## Welche Daten wir verarbeiten und warum

- **Konto**: Name, E-Mail-Adresse, Sprache und Passwort (nur als Hash), damit Sie sich anmelden
  und mitwirken können (Art. 6 Abs. 1 lit. b DSGVO). Wir speichern, wann Sie dieser
  Datenschutzerklärung zugestimmt haben und welcher Fassung.
- **Mitwirkung**: Ideen, Kommentare, Beiträge, Anmeldungen zu Veranstaltungen und Mitgliedschaften
  in Arbeitsgruppen, wie Sie sie eingeben. Öffentlich sichtbar ist Ihr Anzeigename, nicht Ihre
  E-Mail-Adresse.
- **Absichtserklärung**: Wer für eine Organisation unterzeichnet, mit Funktion und Datum; dieser
  Nachweis wird aufbewahrt, solange die Organisation Partnerin der Allianz ist.
- **Benachrichtigungen**: In der Plattform und per E-Mail, wie Sie es in den Einstellungen wählen.
- **Protokoll**: Änderungen werden mit Person und Zeit protokolliert (Art. 6 Abs. 1 lit. c und f
  DSGVO), um Missbrauch aufzuklären.
- **Server**: Technisch notwendige Zugriffsdaten (IP-Adresse, Zeit, Seite) in Protokolldateien,
  höchstens 14 Tage lang. Es gibt keine Tracking- oder Werbe-Cookies; das Sitzungs-Cookie dient
  nur der Anmeldung.

## Empfänger

Daten werden nicht verkauft und nur an Auftragsverarbeiter (Hosting) weitergegeben, die an
Weisungen gebunden sind.

## Ihre Rechte

Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung,
Datenübertragbarkeit und Widerspruch (Art. 15–21 DSGVO). Ihre Daten laden Sie unter
„Mein Bereich“ herunter, dort löschen Sie auch Ihr Konto. Sie können sich bei einer
Datenschutzaufsichtsbehörde beschweren, in Nordrhein-Westfalen bei der Landesbeauftragten für
Datenschutz und Informationsfreiheit NRW.

## Änderungen

Ändert sich diese Erklärung wesentlich, bitten wir Sie bei der nächsten Anmeldung erneut um Ihre
Zustimmung.
"""

PRIVACY_EN = """\
## Controller

The controller of personal data on {site} is the {office} (address and contact: see the
imprint).

*Please add the contact of the data protection officer here.*

## What we process and why

- **Account**: name, e-mail address, language and password (only as a hash), so that you can log
  in and take part (Art. 6 (1) (b) GDPR). We record when you accepted this privacy notice and
  which version.
- **Participation**: ideas, comments, posts, registrations for meetings and memberships of
  working groups, as you enter them. Your display name is public, your e-mail address is not.
- **Letter of intent**: who signed for an organisation, with function and date; this record is
  kept as long as the organisation is an alliance partner.
- **Notifications**: in the platform and by e-mail, as you choose in the settings.
- **Audit log**: changes are logged with person and time (Art. 6 (1) (c) and (f) GDPR) to
  investigate abuse.
- **Server**: technically necessary access data (IP address, time, page) in log files for at
  most 14 days. There are no tracking or advertising cookies; the session cookie only keeps you
  logged in.

## Recipients

Data is never sold and only passed to processors (hosting) bound by instructions.

## Your rights

You have the right of access, rectification, erasure, restriction of processing, data
portability and objection (Art. 15–21 GDPR). Download your data under "My area", where you can
also delete your account. You may complain to a data protection supervisory authority, in North
Rhine-Westphalia the State Commissioner for Data Protection and Freedom of Information NRW.

## Changes

If this notice changes materially, we ask for your consent again when you next log in.
"""

ACCESSIBILITY_DE = """\
Die {office} ist bemüht, {site} im Einklang mit § 12a BGG und der
Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) barrierefrei zugänglich zu machen.
Diese Erklärung zur Barrierefreiheit gilt für diese Website.

## Stand der Vereinbarkeit mit den Anforderungen

Die Website ist mit den Anforderungen der BITV 2.0 (WCAG 2.1, Stufe AA, und EN 301 549)
**teilweise vereinbar**. Sie wird automatisiert mit axe-core und von Hand mit Tastatur und
Bildschirmleser geprüft.

## Nicht barrierefreie Inhalte

- Dokumente, die Partnerorganisationen und Personen hochladen (zum Beispiel PDF-Dateien), sind
  möglicherweise nicht barrierefrei.
- Karten zeigen Orte grafisch; die Adressen und Koordinaten stehen jeweils auch als Text auf der
  Seite.
- Diagramme von Messdaten der Reallabore haben eine Tabelle mit denselben Werten als Alternative.

## Erstellung dieser Erklärung

Diese Erklärung wurde am *Datum ergänzen* erstellt und zuletzt am *Datum ergänzen* überprüft.
Grundlage ist eine Selbstbewertung.

## Feedback und Kontakt

Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen? Schreiben Sie der {office}
(*E-Mail-Adresse und Telefon ergänzen*). Wir antworten innerhalb von zwei Wochen.

## Schlichtungsverfahren

Wenn Sie auf Ihre Rückmeldung keine zufriedenstellende Antwort erhalten, können Sie ein
Schlichtungsverfahren einleiten: bei der Schlichtungsstelle nach § 16 BGG beim Beauftragten der
Bundesregierung für die Belange von Menschen mit Behinderungen
([www.schlichtungsstelle-bgg.de](https://www.schlichtungsstelle-bgg.de)), für Stellen des Landes
Nordrhein-Westfalen und seiner Kommunen bei der Ombudsstelle für barrierefreie
Informationstechnik bei der Landesbeauftragten für Menschen mit Behinderung NRW
(*Kontakt ergänzen*). Das Verfahren ist kostenlos; Sie brauchen keinen Rechtsbeistand.
"""

ACCESSIBILITY_EN = """\
The {office} endeavours to make {site} accessible in accordance with § 12a of the German
Disability Equality Act (BGG) and the Barrier-Free Information Technology Ordinance (BITV 2.0).
This accessibility statement applies to this website.

## Compliance status

This website is **partially compliant** with BITV 2.0 (WCAG 2.1 level AA and EN 301 549). It is
tested automatically with axe-core and by hand with the keyboard and a screen reader.

## Non-accessible content

- Documents uploaded by partners and people (PDF files, for example) may not be accessible.
- Maps show places graphically; addresses and coordinates are also given as text on the page.
- Charts of living lab measurements have a table with the same values as an alternative.

## Preparation of this statement

This statement was prepared on *add the date* and last reviewed on *add the date*. It is based
on a self-assessment.

## Feedback and contact

Have you found barriers to accessing the website? Write to the {office} (*add e-mail address and
telephone*). We answer within two weeks.

## Enforcement procedure

If you do not receive a satisfactory answer, you may start a conciliation procedure: with the
conciliation body under § 16 BGG at the Federal Government Commissioner for Matters relating to
Persons with Disabilities ([www.schlichtungsstelle-bgg.de](https://www.schlichtungsstelle-bgg.de)),
for public bodies of North Rhine-Westphalia and its municipalities with the ombudsperson for
accessible information technology at the State Commissioner for People with Disabilities NRW
(*add contact*). The procedure is free of charge; you need no legal counsel.
"""

TEXTS = {
    "imprint": (IMPRINT_DE, IMPRINT_EN),
    "privacy": (PRIVACY_DE, PRIVACY_EN),
    "accessibility": (ACCESSIBILITY_DE, ACCESSIBILITY_EN),
}
