"""Erasure of a person (GDPR Art. 17), the part beyond the account row: answered to
accounts.signals.account_erasing inside the deleting transaction.

The foreign keys take care of themselves (memberships, supports, registrations, tokens,
notifications to the person go with the account; contributions keep an empty author, shown as
"former participant"). This removes what names the person as text in other rows: the name
copied into a signature, the stored texts of notifications and kept e-mails to others, audit
entries' before/after values, invitations to the address, mentions in others' posts (only
posts with a Mention of the person, only notifications about what the person did; the
display name only in the audit entries about the person: it is copied nowhere else); and, when
the person chose so, their comments and posts that nobody answered. docs/privacy.md lists it.
"""

import json
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stadtallianz.core.models import AuditEntry, KeptMail
from stadtallianz.discussions.models import Post, Thread
from stadtallianz.ideas.models import CoAuthor, Comment, Idea, IdeaVersion, Support
from stadtallianz.letter_of_intent.models import Signature
from stadtallianz.notifications.models import Notification
from stadtallianz.opendata.models import Dataset
from stadtallianz.partnering import queries as partnering_queries
from stadtallianz.partnering.models import Interest, Notice
from stadtallianz.partners.models import Invitation
from stadtallianz.workinggroups.models import GroupMembership

from .services import delete_files_of


def former_participant(language: str | None = None) -> str:
    with translation.override(language or settings.LANGUAGE_CODE):
        return _("former participant")


def replacer(strings: list[str], replacement: str):
    """A function that replaces every occurrence of the strings (any case) in a text, and in
    the strings inside a JSON value."""
    # Whole words only: a display name "Anna" must not turn "Johanna" into "Joh…".
    alternatives = "|".join(re.escape(s) for s in sorted(strings, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def replace(value):
        if isinstance(value, str):
            return pattern.sub(replacement, value)
        if isinstance(value, list):
            return [replace(item) for item in value]
        if isinstance(value, dict):
            return {key: replace(item) for key, item in value.items()}
        return value
    return replace


def containing(strings: list[str], *fields: str, json_fields: tuple[str, ...] = ()) -> Q:
    """Rows where any text field, or the JSON text of any JSON field, holds one of the strings
    (JSON as stored may escape non-ASCII letters: both spellings are looked for)."""
    query = Q()
    for string in strings:
        for field in fields:
            query |= Q(**{f"{field}__icontains": string})
        escaped = json.dumps(string)[1:-1]
        for field in json_fields:
            query |= Q(**{f"{field}_text__icontains": string})
            if escaped != string:
                query |= Q(**{f"{field}_text__icontains": escaped})
    return query


def _scrub(queryset, strings, replacement, fields, json_fields=()):
    """Replaces the strings in the matching rows; returns the changed primary keys."""
    queryset = queryset.annotate(**{f"{f}_text": Cast(f, TextField()) for f in json_fields})
    replace = replacer(strings, replacement)
    changed = []
    for row in queryset.filter(containing(strings, *fields, json_fields=json_fields)):
        for field in (*fields, *json_fields):
            setattr(row, field, replace(getattr(row, field)))
        row.save(update_fields=[*fields, *json_fields])
        changed.append(row.pk)
    return changed


def delete_unanswered_contributions(user) -> None:
    """The person's idea comments without replies and discussion posts that no one else wrote
    after in the same thread; a thread only they wrote in goes whole. Ideas without others'
    comments, supports, co-authors, project or merged ideas go too."""
    Comment.objects.filter(author=user).exclude(
        Exists(Comment.objects.filter(parent=OuterRef("pk")))).delete()
    answered = Post.objects.filter(thread=OuterRef("thread"), created_at__gt=OuterRef("created_at")
                                   ).exclude(author=user)
    Thread.objects.filter(author=user).exclude(
        Exists(Post.objects.filter(thread=OuterRef("pk")).exclude(author=user))).delete()
    Post.objects.filter(author=user).exclude(Exists(answered)).delete()
    others = ~Q(author=user)
    Idea.objects.filter(author=user).exclude(
        Exists(Comment.objects.filter(others, idea=OuterRef("pk")))
    ).exclude(
        Exists(Support.objects.filter(idea=OuterRef("pk")))
    ).exclude(
        Exists(CoAuthor.objects.filter(idea=OuterRef("pk")).exclude(user=user))
    ).filter(project__isnull=True, merged_ideas__isnull=True).delete()


def _count(model, **filters):
    return Coalesce(Subquery(
        model.objects.filter(idea=OuterRef("pk"), **filters).order_by()
        .values("idea").annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


def recount(idea_ids) -> None:
    """The counters on the ideas (supports, visible comments) after the person's supports and
    comments went, so lists, cards and exports show the right numbers at once."""
    Idea.objects.filter(pk__in=idea_ids).update(
        support_count=_count(Support), comment_count=_count(Comment, hidden_at=None))


def keys_about(user) -> list[str]:
    """The keys of the notifications that tell others about something the person did, so
    name them: their comments and replies, posts and mentions, idea edits, co-author
    invitations and answers, requests to join a working group. Notifications keep no link to
    the person who acted; the key names the thing, and the thing names its author."""
    keys = []
    for pk in Comment.objects.filter(author=user).values_list("pk", flat=True):
        keys += [f"idea-reply:{pk}", f"idea-comment:{pk}"]
    for pk in Post.objects.filter(author=user).values_list("pk", flat=True):
        keys += [f"mention:post:{pk}", f"reply:post:{pk}"]
    for idea, number in IdeaVersion.objects.filter(author=user).values_list("idea", "number"):
        keys.append(f"idea-changed:{idea}:{number}")
    for pk in CoAuthor.objects.filter(invited_by=user).values_list("pk", flat=True):
        keys.append(f"idea-coauthor-invited:{pk}")
    for pk in GroupMembership.objects.filter(user=user).values_list("pk", flat=True):
        keys.append(f"membership-request:{pk}")
    keys += Notification.objects.filter(
        key__startswith="idea-coauthor-answered:", key__contains=f":{user.pk}:"
    ).values_list("key", flat=True)
    # An accepted interest tells the interested side who posted the notice.
    keys += partnering_queries.notification_keys_about(user)
    return keys


def erase(sender, *, user, strings, pseudonym, delete_contributions=False, **kwargs):
    delete_files_of(user)
    touched = set(Support.objects.filter(user=user).values_list("idea_id", flat=True))
    Support.objects.filter(user=user).delete()
    if delete_contributions:
        touched |= set(Comment.objects.filter(author=user).values_list("idea_id", flat=True))
        delete_unanswered_contributions(user)
    recount(touched)
    # The display name is a pseudonym, often a plain word ("Radweg"): only the audit entries
    # about the person (their profile changes) and the notifications about what they did keep
    # it. Looked for everywhere, it would rewrite what others wrote and did.
    display = (user.display_name or "").casefold()
    names = {(user.full_name or "").casefold(), (user.email or "").casefold()}
    # Notifications to others about what the person did name them as the recipient may see
    # them (accounts.names.shown_name): by the display name too.
    about = [*strings, user.display_name] if display and display not in names else strings
    if display and display not in names:
        _scrub(AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(user),
                                         object_id=str(user.pk)),
               [user.display_name], pseudonym, [], json_fields=("before", "after"))
        strings = [s for s in strings if s.casefold() != display]
    if not strings:
        return
    default = former_participant()
    Signature.objects.filter(signed_by=user).update(signatory_name=default)
    Invitation.objects.filter(email__iexact=user.email).delete()
    CoAuthor.objects.filter(email__iexact=user.email).exclude(user=user).delete()
    KeptMail.objects.filter(to__icontains=user.email).delete()
    _scrub(KeptMail.objects.all(), strings, default, ["subject", "body"])
    # Only notifications about the person: a common name ("Anna Müller") in a notification
    # about someone else's comment must stay as it is.
    others = Notification.objects.exclude(recipient=user).filter(key__in=keys_about(user))
    languages = [code for code, _name in settings.LANGUAGES]
    for language in languages:
        _scrub(others.filter(recipient__preferred_language=language),
               about, former_participant(language), ["subject", "body"])
    _scrub(others.exclude(recipient__preferred_language__in=languages), about, default,
           ["subject", "body"])
    # What the person wrote to other partners (a signed interest, a notice naming its contact).
    _scrub(Interest.objects.filter(person=user), strings, default, ["message"])
    _scrub(Notice.objects.filter(created_by=user), strings, default,
           [f"{name}_{language}" for name in ("title", "description", "capabilities_sought")
            for language in ("de", "en")])
    # A dataset whose contact is the person names its publisher's public contact instead (or
    # the alliance's address): DCAT-AP.de requires a contact point with an e-mail address.
    for dataset in (Dataset.objects.filter(contact_email__iexact=user.email)
                    .select_related("publisher")):
        publisher = dataset.publisher
        dataset.contact_email = ((publisher and publisher.contact_email)
                                 or settings.DEFAULT_FROM_EMAIL)
        dataset.contact_name = (publisher and publisher.name) or settings.SITE_NAME
        # Changed metadata: harvesters (GovData) take the new contact on their next run.
        dataset.modified = timezone.now()
        dataset.save(update_fields=["contact_email", "contact_name", "modified"])
    _scrub(Dataset.objects.filter(created_by=user), strings, default,
           ["contact_name", "description_de", "description_en"])
    _scrub(AuditEntry.objects.all(), strings, pseudonym, ["actor_repr", "object_repr"],
           json_fields=("before", "after"))
    # Only others' posts that mention the person (discussions.Mention, still there inside the
    # deleting transaction): another member who merely shares the name is left alone.
    # Saved one by one: post_save tells the search index, as for any edit.
    _scrub(Post.objects.exclude(author=user).filter(mentions__user=user).distinct(),
           strings, default, ["body"])
