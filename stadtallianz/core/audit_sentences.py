"""Audit entries read as sentences in the reader's language, and their changes as a list of
fields with old and new values (the back office's audit log and its exports).

`SENTENCES` holds one sentence per action code that a service passes to `audit_log`:
`%(actor)s` is the person (their name, else what the entry kept of them) and `%(object)s` what
the entry names. An action without a sentence still reads as a sentence (`FALLBACKS`, chosen by
the code's last word), never as the code. core/tests/test_audit_sentences.py scans the source
for every `audit_log(action=...)` and fails when a code has no sentence here, so a new action
comes with its sentence. Apps added later register theirs from their own code
(`register_sentences`, in AppConfig.ready).
"""

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import localize
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "account.api_token.created": _("%(actor)s created an API token for %(object)s."),
    "account.api_token.revoked": _("%(actor)s revoked an API token of %(object)s."),
    "account.deleted": _("%(actor)s deleted the account %(object)s."),
    "account.email_confirmed": _("%(actor)s confirmed the e-mail address of %(object)s."),
    "account.password_changed": _("%(actor)s changed the password of %(object)s."),
    "account.password_reset": _("%(actor)s reset the password of %(object)s."),
    "account.profile.changed": _("%(actor)s changed the profile of %(object)s."),
    "account.registered": _("%(actor)s registered the account %(object)s."),
    "account.registration_attempted": _(
        "Someone tried to register again with the e-mail address of %(object)s."),
    "assessment.accepted": _("%(actor)s accepted and published the assessment %(object)s."),
    "assessment.changes_requested": _("%(actor)s asked for changes to the assessment %(object)s."),
    "assessment.created": _("%(actor)s started the assessment %(object)s."),
    "assessment.scores_saved": _("%(actor)s saved scores in the assessment %(object)s."),
    "assessment.submitted": _("%(actor)s submitted the assessment %(object)s for review."),
    "core.focus_area.changed": _("%(actor)s changed the focus area %(object)s."),
    "core.focus_area.created": _("%(actor)s added the focus area %(object)s."),
    "demo.loaded": _("%(actor)s loaded the demo data."),
    "discussion.post.created": _("%(actor)s wrote the post %(object)s."),
    "discussion.post.edited": _("%(actor)s edited the post %(object)s."),
    "discussion.post.hidden": _("%(actor)s hid the post %(object)s."),
    "discussion.post.reported": _("%(actor)s reported a post (%(object)s)."),
    "discussion.report.closed": _("%(actor)s closed the report %(object)s on a post."),
    "discussion.thread.created": _("%(actor)s started the thread %(object)s."),
    "discussion.thread.pinned": _("%(actor)s pinned the thread %(object)s."),
    "discussion.thread.unpinned": _("%(actor)s unpinned the thread %(object)s."),
    "event.cancelled": _("%(actor)s cancelled the event %(object)s."),
    "event.changed": _("%(actor)s changed the event %(object)s."),
    "event.created": _("%(actor)s created the event %(object)s."),
    "event.feed.created": _("%(actor)s created a calendar feed for %(object)s."),
    "event.feed.renewed": _("%(actor)s renewed the calendar feed of %(object)s."),
    "event.feed.revoked": _("%(actor)s revoked the calendar feed of %(object)s."),
    "event.registration.cancelled": _(
        "%(actor)s cancelled the registration for the event %(object)s."),
    "event.registration.moved_up": _(
        "%(actor)s moved someone up from the waiting list of the event %(object)s."),
    "event.registration.registered": _("%(actor)s registered for the event %(object)s."),
    "event.registration.waiting": _(
        "%(actor)s took a place on the waiting list of the event %(object)s."),
    "event.reminder.sent": _("%(actor)s sent the reminders for the event %(object)s."),
    "idea.changed": _("%(actor)s changed the idea %(object)s."),
    "idea.coauthor_accepted": _("%(actor)s became a co-author of the idea %(object)s."),
    "idea.coauthor_declined": _("%(actor)s declined to co-author the idea %(object)s."),
    "idea.coauthor_invited": _("%(actor)s invited a co-author to the idea %(object)s."),
    "idea.coauthor_removed": _("%(actor)s removed a co-author from the idea %(object)s."),
    "idea.comment.created": _("%(actor)s commented (%(object)s)."),
    "idea.comment.edited": _("%(actor)s edited a comment (%(object)s)."),
    "idea.comment.hidden": _("%(actor)s hid a comment (%(object)s)."),
    "idea.comment.unhidden": _("%(actor)s showed a hidden comment again (%(object)s)."),
    "idea.created": _("%(actor)s submitted the idea %(object)s."),
    "idea.follow.added": _("%(actor)s followed the idea %(object)s."),
    "idea.follow.removed": _("%(actor)s stopped following the idea %(object)s."),
    "idea.hidden": _("%(actor)s hid the idea %(object)s."),
    "idea.image_added": _("%(actor)s added an image to the idea %(object)s."),
    "idea.image_removed": _("%(actor)s removed an image from the idea %(object)s."),
    "idea.report.closed": _("%(actor)s closed a report (%(object)s)."),
    "idea.report.created": _("%(actor)s reported content (%(object)s)."),
    "idea.state_changed": _("%(actor)s changed the status of the idea %(object)s."),
    "idea.support.added": _("%(actor)s supported the idea %(object)s."),
    "idea.support.withdrawn": _("%(actor)s withdrew their support for the idea %(object)s."),
    "idea.unhidden": _("%(actor)s showed the hidden idea %(object)s again."),
    "knowledge.article.changed": _("%(actor)s changed the article %(object)s."),
    "knowledge.article.created": _("%(actor)s wrote the article %(object)s."),
    "knowledge.article.deleted": _("%(actor)s deleted the article %(object)s."),
    "knowledge.article.published": _("%(actor)s published the article %(object)s."),
    "knowledge.article.unpublished": _(
        "%(actor)s withdrew the article %(object)s from publication."),
    "knowledge.document.created": _("%(actor)s uploaded the document %(object)s."),
    "knowledge.document.deleted": _("%(actor)s deleted the document %(object)s."),
    "knowledge.document.version_added": _(
        "%(actor)s uploaded a new version of the document %(object)s."),
    "legal.consent.given": _("%(actor)s accepted the privacy notice (%(object)s)."),
    "legal.page.saved": _("%(actor)s saved a new version of the legal page %(object)s."),
    "letter.version.changed": _("%(actor)s changed the draft of the letter of intent %(object)s."),
    "letter.version.created": _("%(actor)s drafted the letter of intent %(object)s."),
    "letter.version.published": _("%(actor)s published the letter of intent %(object)s."),
    "livinglab.changed": _("%(actor)s changed the living lab %(object)s."),
    "livinglab.created": _("%(actor)s created the living lab %(object)s."),
    "livinglab.privacy_changed": _(
        "%(actor)s changed the privacy settings of the living lab %(object)s."),
    "livinglab.token_issued": _("%(actor)s issued a device token for the living lab %(object)s."),
    "livinglab.token_revoked": _("%(actor)s revoked a device token of the living lab %(object)s."),
    "notification.settings.changed": _(
        "%(actor)s changed the notification settings of %(object)s."),
    "partner.created": _("%(actor)s registered the organisation %(object)s."),
    "partner.invitation.accepted": _("%(actor)s accepted the invitation to %(object)s."),
    "partner.invitation.cancelled": _("%(actor)s cancelled an invitation to %(object)s."),
    "partner.invitation.resent": _("%(actor)s sent an invitation to %(object)s again."),
    "partner.member.invited": _("%(actor)s invited a person to %(object)s."),
    "partner.member.removed": _("%(actor)s removed a member from %(object)s."),
    "partner.member.role_changed": _("%(actor)s changed the role of a member of %(object)s."),
    "partner.need.changed": _("%(actor)s changed a need of %(object)s."),
    "partner.need.created": _("%(actor)s added a need of %(object)s."),
    "partner.need.deleted": _("%(actor)s deleted a need of %(object)s."),
    "partner.offer.changed": _("%(actor)s changed an offer of %(object)s."),
    "partner.offer.created": _("%(actor)s added an offer of %(object)s."),
    "partner.offer.deleted": _("%(actor)s deleted an offer of %(object)s."),
    "partner.profile.changed": _("%(actor)s changed the profile of %(object)s."),
    "partner.signature.confirmed": _("%(actor)s confirmed the letter of intent of %(object)s."),
    "partner.signature.rejected": _("%(actor)s rejected the letter of intent of %(object)s."),
    "partner.signature.submitted": _("%(actor)s submitted the letter of intent for %(object)s."),
    "partner.status.resign_required": _(
        "%(actor)s asked %(object)s to sign the new letter of intent."),
    "partner.withdrawn": _("%(actor)s withdrew %(object)s from the alliance."),
    "privacy.export.ready": _("%(actor)s prepared the data export for %(object)s."),
    "privacy.export.requested": _("%(actor)s requested a data export for %(object)s."),
    "project.budget_line.added": _("%(actor)s added a budget line to the project %(object)s."),
    "project.budget_line.changed": _("%(actor)s changed a budget line of the project %(object)s."),
    "project.budget_line.deleted": _("%(actor)s deleted a budget line of the project %(object)s."),
    "project.changed": _("%(actor)s changed the project %(object)s."),
    "project.consortium.accepted": _(
        "%(actor)s accepted a place in the consortium of the project %(object)s."),
    "project.consortium.declined": _(
        "%(actor)s declined a place in the consortium of the project %(object)s."),
    "project.consortium.invited": _(
        "%(actor)s invited an organisation to the consortium of the project %(object)s."),
    "project.consortium.removed": _(
        "%(actor)s removed an organisation from the consortium of the project %(object)s."),
    "project.created": _("%(actor)s started the project %(object)s."),
    "project.created_from_idea": _("%(actor)s made the accepted idea into the project %(object)s."),
    "project.milestone.added": _("%(actor)s added a milestone to the project %(object)s."),
    "project.milestone.changed": _("%(actor)s changed a milestone of the project %(object)s."),
    "project.milestone.deleted": _("%(actor)s deleted a milestone of the project %(object)s."),
    "project.phase_period.added": _("%(actor)s added a phase period to the project %(object)s."),
    "project.phase_period.changed": _(
        "%(actor)s changed a phase period of the project %(object)s."),
    "project.phase_period.deleted": _(
        "%(actor)s deleted a phase period of the project %(object)s."),
    "project.place.added": _("%(actor)s added a place to the project %(object)s."),
    "project.place.changed": _("%(actor)s changed a place of the project %(object)s."),
    "project.place.deleted": _("%(actor)s deleted a place of the project %(object)s."),
    "project.result.added": _("%(actor)s added a result to the project %(object)s."),
    "project.result.changed": _("%(actor)s changed a result of the project %(object)s."),
    "project.result.deleted": _("%(actor)s deleted a result of the project %(object)s."),
    "project.sdg.added": _(
        "%(actor)s linked a sustainable development goal to the project %(object)s."),
    "project.sdg.changed": _(
        "%(actor)s changed a sustainable development goal of the project %(object)s."),
    "project.sdg.deleted": _(
        "%(actor)s removed a sustainable development goal from the project %(object)s."),
    "project.update.added": _("%(actor)s posted news of the project %(object)s."),
    "project.update.changed": _("%(actor)s changed news of the project %(object)s."),
    "project.update.deleted": _("%(actor)s deleted news of the project %(object)s."),
    "workinggroup.archived": _("%(actor)s archived the working group %(object)s."),
    "workinggroup.changed": _("%(actor)s changed the working group %(object)s."),
    "workinggroup.created": _("%(actor)s created the working group %(object)s."),
    "workinggroup.invitation.accepted": _(
        "%(actor)s accepted the invitation to the working group %(object)s."),
    "workinggroup.invitation.declined": _(
        "%(actor)s declined the invitation to the working group %(object)s."),
    "workinggroup.member.invited": _("%(actor)s invited a person to the working group %(object)s."),
    "workinggroup.member.joined": _("%(actor)s joined the working group %(object)s."),
    "workinggroup.member.left": _("%(actor)s left the working group %(object)s."),
    "workinggroup.member.removed": _(
        "%(actor)s removed a member from the working group %(object)s."),
    "workinggroup.member.requested": _("%(actor)s asked to join the working group %(object)s."),
    "workinggroup.member.role_changed": _(
        "%(actor)s changed the role of a member of the working group %(object)s."),
    "workinggroup.organisation.added": _(
        "%(actor)s added an organisation to the working group %(object)s."),
    "workinggroup.organisation.removed": _(
        "%(actor)s removed an organisation from the working group %(object)s."),
    "workinggroup.reactivated": _("%(actor)s reactivated the working group %(object)s."),
    "workinggroup.request.approved": _(
        "%(actor)s approved a request to join the working group %(object)s."),
    "workinggroup.request.declined": _(
        "%(actor)s declined a request to join the working group %(object)s."),
}

# An unknown action (a code newer than this registry, or gone from the code) still reads as a
# sentence, chosen by its last word.
FALLBACKS = {
    "created": _("%(actor)s created %(object)s."),
    "added": _("%(actor)s added something to %(object)s."),
    "deleted": _("%(actor)s deleted something of %(object)s."),
    "removed": _("%(actor)s removed something from %(object)s."),
}
FALLBACK = _("%(actor)s changed %(object)s.")
WITHOUT_OBJECT = _("%(actor)s made a change.")

# Labels of keys that entries keep besides the target's own fields (or instead of them).
FIELD_LABELS = {
    "organisation_status": _("Organisation status"),
    "organisation": _("Organisation"),
    "version": _("Version"),
    "user": _("Person"),
    "email": _("E-mail address"),
    "role": _("Role"),
    "state": _("Status"),
    "message": _("Message"),
    "reason": _("Reason"),
    "position": _("Position"),
    "category": _("Category"),
    "text": _("Text"),
    "name": _("Name"),
    "title": _("Title"),
    "id": _("Number"),
}

# Values longer than this are cut (with "…"); the full value stays in the entry.
VALUE_LENGTH = 80


def actor_name(entry) -> str:
    """The person who acted: their name while the account exists (select_related("actor")),
    else the e-mail address the entry kept; the system for entries without a person."""
    if entry.actor_id and entry.actor is not None:
        return entry.actor.full_name or entry.actor.email
    if not entry.actor_repr or entry.actor_repr == "system":
        return gettext("The system")
    return pseudonym_name(entry.actor_repr)


# accounts.services.account_delete stores the pseudonym of an erased person in English, the same
# in every language; it is translated when shown.
DELETED_ACCOUNT = re.compile(r"^deleted account #(\d+)$")


def pseudonym_name(text: str) -> str:
    """A stored "deleted account #12" in the active language; any other text as it is."""
    match = DELETED_ACCOUNT.match(text or "")
    if match:
        return gettext("deleted account #%(number)s") % {"number": match.group(1)}
    return text


def register_sentences(sentences: dict) -> None:
    """Adds an app's sentences (action code -> lazy translated sentence with %(actor)s and
    %(object)s), called from its AppConfig.ready: an app above core keeps its sentences, and
    their translations, in its own files. A code may be registered once."""
    taken = sorted(set(sentences) & set(SENTENCES))
    if taken:
        raise ValueError(f"audit sentences registered twice: {taken}")
    SENTENCES.update(sentences)


def has_sentence(action: str) -> bool:
    return action in SENTENCES


def sentence(entry) -> str:
    """The entry as one sentence in the active language."""
    template = SENTENCES.get(entry.action)
    if template is None:
        if not entry.object_repr:
            template = WITHOUT_OBJECT
        else:
            template = FALLBACKS.get(entry.action.rsplit(".", 1)[-1].rsplit("_", 1)[-1],
                                     FALLBACK)
    values = {"actor": actor_name(entry),
              "object": pseudonym_name(entry.object_repr) or gettext("something")}
    return str(template) % values


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


def _model_field(entry, name: str):
    model = entry.content_type.model_class() if entry.content_type_id else None
    if model is None:
        return None
    # "organisation_status" kept on an organisation's entry is its field "status".
    for candidate in (name, name.rsplit("_", 1)[-1]):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def _label(entry, name: str) -> str:
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    field = _model_field(entry, name)
    if field is not None and getattr(field, "verbose_name", None):
        label = str(field.verbose_name)
        return label[:1].upper() + label[1:]
    return name.replace("_", " ").capitalize()


def _value(entry, name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        text = ", ".join(_value(entry, name, item) for item in value)
    elif isinstance(value, dict):
        text = "; ".join(f"{_label(entry, key)}: {_value(entry, key, item)}"
                         for key, item in value.items())
    else:
        field = _model_field(entry, name)
        choices = dict(field.flatchoices) if field is not None and field.choices else {}
        text = str(choices.get(value, localize(value) if isinstance(value, (int, float))
                               else value))
    return Truncator(text).chars(VALUE_LENGTH)


def changes(entry) -> list[Change]:
    """The fields the entry recorded, each with its old and new value ("—" for none), in the
    order the entry wrote them: before's keys first, then keys only after has."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    names = list(before) + [name for name in after if name not in before]
    rows = [Change(_label(entry, name), _value(entry, name, before.get(name)),
                   _value(entry, name, after.get(name))) for name in names]
    if before and after:  # a change: what stayed the same (an id) says nothing
        rows = [row for row in rows if row.old != row.new] or rows
    return rows


def changes_text(entry) -> str:
    """The changes on one line, for exports: "Status: Entwurf → Eingereicht; …"."""
    return "; ".join(f"{change.field}: {change.old} → {change.new}" for change in changes(entry))
