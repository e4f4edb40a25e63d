"""Every action code the services write has a sentence, in German and English; unknown codes
still read as sentences; changes read as fields with old and new values."""

import ast
import re
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from stadtallianz.core import audit_sentences
from stadtallianz.core.audit import audit_log
from stadtallianz.core.models import AuditEntry
from stadtallianz.events.models import Registration
from stadtallianz.partners.models import Offer, Organisation
from stadtallianz.projects.models import ConsortiumMember
from stadtallianz.projects.services import CHILD_ACTIONS

SOURCE = Path(audit_sentences.__file__).resolve().parent.parent
CODE = re.compile(r"^[a-z]+(\.[a-z_]+)+$")
# Functions (and classes) that pass their arguments on to audit_log(action=...).
PASSING_ON = {"_log", "_set_state", "SecretFeedKeys"}

# The codes an f-string in a service can make, from the choices it is made of. A new f-string
# fails the test until it is listed here (and its codes have sentences).
CONSORTIUM_STATES = [state for state in ConsortiumMember.State.values]
EXPANSIONS = {
    r"event\.registration\.[a-z_]+": [f"event.registration.{state}"
                                        for state in Registration.State.values
                                        if state != Registration.State.CANCELLED],
    r"partner\.[a-z_]+\.created": [f"partner.{kind}.created" for kind in Offer.Kind.values],
    r"partner\.[a-z_]+\.changed": [f"partner.{kind}.changed" for kind in Offer.Kind.values],
    r"partner\.[a-z_]+\.deleted": [f"partner.{kind}.deleted" for kind in Offer.Kind.values],
    r"project\.[a-z_]+\.[a-z_]+": [f"project.{kind}.{verb}" for kind in CHILD_ACTIONS.values()
                                   for verb in ("added", "changed")],
    r"project\.[a-z_]+\.deleted": [f"project.{kind}.deleted" for kind in CHILD_ACTIONS.values()],
    r"project\.consortium\.[a-z_]+": [f"project.consortium.{state}"
                                      for state in CONSORTIUM_STATES],
}


def _strings(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield "code", node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)
    elif isinstance(node, ast.JoinedStr):
        yield "pattern", "".join(re.escape(part.value) if isinstance(part, ast.Constant)
                                 else "[a-z_]+" for part in node.values)


def actions_in_source():
    """The action codes (and the patterns of f-strings) the code base passes to audit_log."""
    codes, patterns = set(), set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            values = [keyword.value for keyword in node.keywords if keyword.arg == "action"]
            if name in PASSING_ON:
                values += node.args
            for value in values:
                for kind, text in _strings(value):
                    if kind == "pattern":
                        patterns.add(text)
                    elif CODE.match(text):
                        codes.add(text)
    return codes, patterns


def test_the_scan_finds_the_actions_it_must():
    codes, patterns = actions_in_source()
    assert {"partner.signature.submitted", "workinggroup.archived",
            "workinggroup.member.joined", "event.feed.renewed", "demo.loaded"} <= codes
    assert r"event\.registration\.[a-z_]+" in patterns
    assert len(codes) > 90


def test_every_action_in_the_code_base_has_a_sentence():
    codes, patterns = actions_in_source()
    unlisted = patterns - set(EXPANSIONS)
    assert not unlisted, f"f-string action codes not listed in EXPANSIONS: {unlisted}"
    for pattern in patterns:
        codes |= {code for code in EXPANSIONS[pattern] if re.fullmatch(pattern, code)}
    missing = sorted(code for code in codes if code not in audit_sentences.SENTENCES)
    assert not missing, f"audit actions without a sentence in core/audit_sentences.py: {missing}"


@pytest.mark.parametrize("code", sorted(audit_sentences.SENTENCES))
def test_every_sentence_is_translated_and_formats(code):
    template = audit_sentences.SENTENCES[code]
    values = {"actor": "Anna", "object": "X"}
    with translation.override("en"):
        english = str(template) % values
    with translation.override("de"):
        german = str(template) % values
    assert english != german, f"{code} has no German sentence"
    assert "%" not in german and code not in german


@pytest.fixture
def signed(db, make_user, make_organisation):
    anna = make_user("anna@example.org", full_name="Anna Beispiel")
    organisation = make_organisation("Stadtwerke Münster", status=Organisation.Status.DRAFT)
    return audit_log(actor=anna, action="partner.signature.submitted", target=organisation,
                     before={"organisation_status": "draft"},
                     after={"organisation_status": "pending", "version": 1})


def _entry(pk):
    return AuditEntry.objects.select_related("actor", "content_type").get(pk=pk)


def test_a_sentence_in_german_and_english(signed):
    entry = _entry(signed.pk)
    with translation.override("de"):
        assert audit_sentences.sentence(entry) == (
            "Anna Beispiel hat die Absichtserklärung für Stadtwerke Münster eingereicht.")
    with translation.override("en"):
        assert audit_sentences.sentence(entry) == (
            "Anna Beispiel submitted the letter of intent for Stadtwerke Münster.")


def test_changes_are_fields_with_old_and_new_values_in_the_readers_language(signed):
    entry = _entry(signed.pk)
    with translation.override("de"):
        rows = audit_sentences.changes(entry)
    assert [(row.field, row.old, row.new) for row in rows] == [
        ("Status der Organisation", "Nicht unterzeichnet", "Unterzeichnung wird geprüft"),
        ("Version", "—", "1")]
    with translation.override("en"):
        assert audit_sentences.changes_text(entry) == (
            "Organisation status: Not signed → Signature awaiting review; Version: — → 1")


def test_long_values_are_cut_and_unchanged_ones_left_out(db, organisation):
    entry = audit_log(actor=None, action="partner.offer.changed", target=organisation,
                      before={"id": 3, "text": "kurz"}, after={"id": 3, "text": "lang " * 40})
    rows = audit_sentences.changes(_entry(entry.pk))
    assert [row.field for row in rows] == ["Text"]
    assert len(rows[0].new) == audit_sentences.VALUE_LENGTH and rows[0].new.endswith("…")


def test_an_unknown_action_still_reads_as_a_sentence_without_its_code(db, organisation):
    entry = AuditEntry.objects.create(
        actor_repr="former@example.org", action="partner.logo.frobnicated",
        content_type=ContentType.objects.get_for_model(organisation),
        object_id=str(organisation.pk), object_repr="Stadtwerke", after={"x": {"y": 1}})
    with translation.override("de"):
        text = audit_sentences.sentence(_entry(entry.pk))
    assert text == "former@example.org hat Stadtwerke geändert."
    created = AuditEntry.objects.create(actor_repr="system", action="thing.created",
                                        object_repr="Ding")
    with translation.override("en"):
        assert audit_sentences.sentence(_entry(created.pk)) == "The system created Ding."
    bare = AuditEntry.objects.create(actor_repr="system", action="x.y")
    with translation.override("de"):
        assert audit_sentences.sentence(_entry(bare.pk)) == (
            "Das System hat eine Änderung vorgenommen.")


def test_the_pseudonym_of_a_deleted_account_reads_in_the_readers_language(db, make_user):
    """account_delete stores "deleted account #12" once; the log shows it translated."""
    from stadtallianz.accounts.services import account_delete

    person = make_user("gone@example.org", full_name="Gerd Gone")
    audit_log(actor=person, action="account.profile.changed", target=person)
    number = person.pk
    account_delete(user=person, by=person)
    entry = AuditEntry.objects.filter(action="account.profile.changed").get()
    assert entry.actor_repr == f"deleted account #{number}"
    with translation.override("de"):
        assert audit_sentences.actor_name(entry) == f"gelöschtes Konto #{number}"
        assert "deleted account" not in audit_sentences.sentence(entry)
    with translation.override("en"):
        assert audit_sentences.actor_name(entry) == f"deleted account #{number}"


def test_an_app_registers_its_sentences_once():
    code = "example.thing.tested"
    audit_sentences.register_sentences({code: "%(actor)s tested %(object)s."})
    try:
        assert audit_sentences.has_sentence(code)
        with pytest.raises(ValueError, match=code):
            audit_sentences.register_sentences({code: "%(actor)s tested %(object)s again."})
    finally:
        del audit_sentences.SENTENCES[code]
