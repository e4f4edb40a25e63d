"""Changes to ideas: submission, edits (each a new version, optimistically locked),
co-authors and state changes; images are in images.py. Each is one transaction with an audit
entry (`idea.*`); each checks the permission itself, so pages and API cannot differ."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.accounts.models import User
from stadtallianz.core.audit import audit_log
from stadtallianz.core.exceptions import Conflict
from stadtallianz.core.models import AuditEntry
from stadtallianz.core.office import with_office
from stadtallianz.notifications.receipts import receipt
from stadtallianz.notifications.services import notify

from . import permissions
from .models import CoAuthor, Follow, Idea, IdeaVersion
from .participation.services import followers_of
from .signals import idea_accepted

FIELDS = ["title", "description", "working_group", "latitude", "longitude", "place_name"]
RELATIONS = ["focus_areas", "principles", "sdgs"]
DESCRIPTION_MAX = 20000
# Invitations go out as notifications to whoever has the address: limits against using them
# to spam people or to try addresses in bulk. Open ones per idea (answered or removed ones
# free a place), and invitations one person sends in 24 hours (counted in the audit log, so
# removing invitations does not reset it).
COAUTHOR_OPEN_MAX = 10
COAUTHOR_DAILY_MAX = 20
# The one answer to an invitation, whether or not the address has an account.
COAUTHOR_INVITED_MESSAGE = _("If a person with this address is registered, they have been "
                            "invited.")

S = Idea.State
# Where an idea may go from each state; accepted, declined and merged are final.
TRANSITIONS = {
    S.SUBMITTED: {S.DISCUSSION, S.DECLINED, S.MERGED},
    S.DISCUSSION: {S.ACCEPTED, S.DECLINED, S.MERGED},
}


def _invalid(field_name: str, message, code: str) -> ValidationError:
    """A refusal naming the field, with a code (the API's `type`)."""
    return ValidationError({field_name: ValidationError(message, code=code)})


def _deny(message) -> None:
    raise PermissionDenied(message)


@dataclass
class EditConflict(Exception):
    """The idea was saved by someone else since the editor loaded it (its version moved on).
    `idea` is the stored idea now; `fields` the submitted fields that differ from it."""

    idea: Idea
    fields: dict = field(default_factory=dict)

    def __str__(self):
        return str(_("Someone else has changed this idea in the meantime (it is now version "
                     "%(version)s).") % {"version": self.idea.version})


# ---------------------------------------------------------------------------------------------
# Snapshots: what a version keeps, what the audit log and the conflict compare


def details_of(idea: Idea) -> dict:
    """Tags, working group and place, JSON-safe (for IdeaVersion.details and comparisons)."""
    return {
        "focus_areas": sorted(idea.focus_areas.values_list("slug", flat=True)),
        "principles": sorted(idea.principles.values_list("number", flat=True)),
        "sdgs": sorted(idea.sdgs.values_list("number", flat=True)),
        "working_group": idea.working_group.slug if idea.working_group_id else None,
        "place_name": idea.place_name,
        "latitude": str(idea.latitude) if idea.latitude is not None else None,
        "longitude": str(idea.longitude) if idea.longitude is not None else None,
    }


def state_of(idea: Idea) -> dict:
    return {"title": idea.title, "description": idea.description, **details_of(idea)}


def _normalise(name: str, value):
    """A submitted value in the shape of `state_of`, to compare with the stored one."""
    if name in ("focus_areas",):
        return sorted(item.slug for item in value or [])
    if name in ("principles", "sdgs"):
        return sorted(item.number for item in value or [])
    if name == "working_group":
        return value.slug if value is not None else None
    if name in ("latitude", "longitude"):
        return str(Decimal(value).quantize(Decimal("0.000001"))) if value is not None else None
    return value or ""


def differing_fields(idea: Idea, data: dict) -> dict:
    """{field: {"yours": submitted, "current": stored}} for the submitted fields that differ."""
    current = state_of(idea)
    result = {}
    for name, value in data.items():
        if name not in current:
            continue
        yours = _normalise(name, value)
        if yours != current[name]:
            result[name] = {"yours": yours, "current": current[name]}
    return result


def _split(data: dict) -> tuple[dict, dict]:
    unknown = set(data) - set(FIELDS) - set(RELATIONS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} are not fields")
    return ({k: v for k, v in data.items() if k in FIELDS},
            {k: list(v) for k, v in data.items() if k in RELATIONS and v is not None})


def _check(idea: Idea, *, group_before: int | None = None) -> None:
    # The model's checks first: they also turn typed-in text into numbers.
    idea.full_clean(exclude=["author", "merged_into", "hidden_by"], validate_constraints=False)
    errors = {}
    if len(idea.description) > DESCRIPTION_MAX:
        errors["description"] = _("At most %(max)s characters.") % {"max": DESCRIPTION_MAX}
    if idea.latitude is not None and not -90 <= idea.latitude <= 90:
        errors["latitude"] = _("The latitude must lie between -90 and 90.")
    if idea.longitude is not None and not -180 <= idea.longitude <= 180:
        errors["longitude"] = _("The longitude must lie between -180 and 180.")
    if (idea.latitude is None) != (idea.longitude is None):
        errors["longitude" if idea.longitude is None else "latitude"] = _(
            "Give both latitude and longitude, or neither.")
    # An archived group takes no new ideas; one that already has the idea keeps it.
    if (idea.working_group_id and idea.working_group_id != group_before
            and not idea.working_group.is_active):
        errors["working_group"] = _("This working group is archived.")
    if errors:
        raise ValidationError(errors, code="invalid")


def _save_version(idea: Idea, by) -> IdeaVersion:
    return IdeaVersion.objects.create(idea=idea, number=idea.version, title=idea.title,
                                      description=idea.description, details=details_of(idea),
                                      author=by)


# ---------------------------------------------------------------------------------------------
# Submitting and editing


@transaction.atomic
def idea_create(*, by, data: dict) -> Idea:
    """Any registered person with a confirmed address. The author follows the idea; the
    submission is version 1."""
    if not permissions.can_submit(by):
        _deny(_("Log in with a confirmed e-mail address to submit an idea."))
    fields, relations = _split(data)
    idea = Idea(author=by, **fields)
    _check(idea)
    idea.save()
    for name, values in relations.items():
        getattr(idea, name).set(values)
    _save_version(idea, by)
    Follow.objects.get_or_create(idea=idea, user=by)
    audit_log(actor=by, action="idea.created", target=idea, after=state_of(idea))
    receipt(by, "idea_submitted", key=f"idea:{idea.pk}", context={"idea": idea},
            url=idea.get_absolute_url)
    return idea


@transaction.atomic
def idea_update(*, idea: Idea, by, data: dict, base_version: int) -> Idea:
    """Saves an edit made on `base_version`; if the idea has moved on since, nothing is saved and
    EditConflict names the stored idea and the fields that differ. The row is locked while the
    version is compared and raised, so two editors cannot both save on the same version."""
    idea = (Idea.objects.select_for_update(of=("self",)).select_related("working_group")
            .get(pk=idea.pk))
    if not permissions.can_edit(by, idea):
        _deny(with_office(_("Only the authors of an open idea and the %(office)s edit it.")))
    if idea.version != base_version:
        raise EditConflict(idea, differing_fields(idea, data))
    fields, relations = _split(data)
    before, group_before = state_of(idea), idea.working_group_id
    for name, value in fields.items():
        setattr(idea, name, value)
    _check(idea, group_before=group_before)
    if not differing_fields(Idea.objects.select_related("working_group").get(pk=idea.pk),
                            data):
        return idea
    idea.version += 1
    idea.save()
    for name, values in relations.items():
        getattr(idea, name).set(values)
    _save_version(idea, by)
    after = state_of(idea)
    changed = [key for key in after if before[key] != after[key]]
    audit_log(actor=by, action="idea.changed", target=idea,
              before={"version": base_version, **{key: before[key] for key in changed}},
              after={"version": idea.version, **{key: after[key] for key in changed}})
    _tell_followers(idea, by, "changed", key=f"idea-changed:{idea.pk}:{idea.version}",
                    editor=by)
    return idea


# ---------------------------------------------------------------------------------------------
# Co-authors


def _notify(user, template: str, idea: Idea, *, key: str, **context) -> None:
    """Tells `user` about `idea` once per `key`, unless they may not see it (hidden)."""
    if not permissions.can_see(user, idea):
        return
    notify(user, kind=f"idea-{template.replace('_', '-')}", key=key,
           template=f"ideas/notifications/{template}", context={"idea": idea, **context},
           url=idea.get_absolute_url)


@transaction.atomic
def coauthor_invite(*, idea: Idea, by, email: str) -> CoAuthor:
    """Invites whoever has the address. The invitation is stored (by its address) and answered
    the same whether or not the address has an account, so that inviting cannot tell who is
    registered nor their name; only a registered person is notified and can accept. An
    invitation does not pass to an account registered later with the address."""
    idea = Idea.objects.select_for_update(of=("self",)).select_related("author").get(pk=idea.pk)
    if not permissions.can_manage_coauthors(by, idea):
        _deny(with_office(_("Only the author of an open idea and the %(office)s invite "
                            "co-authors.")))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise _invalid("email", _("Enter a valid e-mail address."), "invalid") from error
    if idea.author is not None and email == idea.author.email.lower():
        raise _invalid("email", _("This is the idea's author."), "author")
    person = User.objects.filter(email__iexact=email, is_active=True).first()
    same = Q(email=email) | Q(user=person) if person else Q(email=email)
    if CoAuthor.objects.filter(same, idea=idea).exists():
        raise _invalid("email", _("This address has already been invited."), "duplicate")
    if idea.coauthors.filter(state=CoAuthor.State.INVITED).count() >= COAUTHOR_OPEN_MAX:
        raise _invalid("email", _("An idea has at most %(max)s open invitations; remove one "
                                  "or wait for an answer.") % {"max": COAUTHOR_OPEN_MAX},
                       "too_many_open")
    sent_today = AuditEntry.objects.filter(
        actor=by, action="idea.coauthor_invited",
        created_at__gte=timezone.now() - timedelta(days=1)).count()
    if sent_today >= COAUTHOR_DAILY_MAX:
        raise _invalid("email", _("You have sent %(max)s invitations in the last 24 hours; "
                                  "please try again later.") % {"max": COAUTHOR_DAILY_MAX},
                       "too_many_today")
    coauthor = CoAuthor.objects.create(idea=idea, user=person, email=email, invited_by=by)
    audit_log(actor=by, action="idea.coauthor_invited", target=idea,
              after={"coauthor": coauthor.pk, "user": person.pk if person else None})
    if person is not None:
        notify(person, kind="idea-coauthor-invited", key=f"idea-coauthor-invited:{coauthor.pk}",
               template="ideas/notifications/coauthor_invited",
               context={"idea": idea, "inviter": by},
               url=lambda: coauthor.get_respond_url())
    return coauthor


@transaction.atomic
def coauthor_respond(*, coauthor: CoAuthor, by, accept: bool) -> CoAuthor | None:
    """The invited person accepts (becomes a co-author and follows the idea) or declines (the
    invitation goes)."""
    # Locked and read again: declined or removed meanwhile, it is a 404 (not a server error).
    coauthor = get_object_or_404(
        CoAuthor.objects.select_for_update(of=("self",)).select_related("idea"), pk=coauthor.pk)
    if coauthor.user_id != by.pk:
        _deny(_("Only the invited person answers an invitation."))
    if coauthor.state != CoAuthor.State.INVITED:
        raise Conflict(_("You have already accepted this invitation."), code="answered")
    idea = coauthor.idea
    if accept:
        coauthor.state, coauthor.accepted_at = CoAuthor.State.ACCEPTED, timezone.now()
        coauthor.save(update_fields=["state", "accepted_at"])
        Follow.objects.get_or_create(idea=idea, user=by)
    else:
        coauthor.delete()
    audit_log(actor=by, action="idea.coauthor_accepted" if accept else "idea.coauthor_declined",
              target=idea, after={"user": by.pk})
    if idea.author is not None:
        _notify(idea.author, "coauthor_answered", idea, person=by, accepted=accept,
                key=f"idea-coauthor-answered:{idea.pk}:{by.pk}:{int(accept)}:"
                    f"{timezone.now().timestamp()}")
    return coauthor if accept else None


@transaction.atomic
def coauthor_remove(*, coauthor: CoAuthor, by) -> None:
    """The author and the coordination office remove a co-author (or an invitation); a
    co-author may also leave."""
    # Locked and read again: declined or removed meanwhile, it is a 404 (not a server error).
    coauthor = get_object_or_404(
        CoAuthor.objects.select_for_update(of=("self",)).select_related("idea"), pk=coauthor.pk)
    if coauthor.user_id != by.pk and not permissions.can_manage_coauthors(by, coauthor.idea):
        _deny(with_office(_("Only the author of an open idea and the %(office)s remove "
                            "co-authors.")))
    audit_log(actor=by, action="idea.coauthor_removed", target=coauthor.idea,
              before={"user": coauthor.user_id, "state": coauthor.state})
    coauthor.delete()


# ---------------------------------------------------------------------------------------------
# States


def allowed_transitions(idea: Idea) -> set:
    return TRANSITIONS.get(idea.state, set())


def decision_options(idea: Idea) -> list[tuple[str, str]]:
    """(state, label) of the states the idea may be moved to now, in the order of the states:
    the one rule that the state form's select, the state page's text (it promises accepting
    only when "accepted" is offered), the idea page's button and `change_state` (so the API)
    follow."""
    allowed = allowed_transitions(idea)
    return [(state.value, state.label) for state in S if state in allowed]


MERGE_SEARCH_MAX = 10


def merge_targets(idea: Idea):
    """The ideas `idea` may be merged into: any other idea that is neither merged itself nor
    hidden (so visible to everyone). `change_state` refuses any other target."""
    return (Idea.objects.exclude(pk=idea.pk).exclude(state=S.MERGED)
            .filter(hidden_at__isnull=True))


def search_merge_targets(idea: Idea, query: str) -> list[Idea]:
    """At most MERGE_SEARCH_MAX merge targets whose title contains every word of `query` (or
    whose number it is), newest first; nothing for an empty query."""
    words = (query or "").split()[:8]
    if not words:
        return []
    targets = merge_targets(idea).only("pk", "title", "state", "created_at")
    if len(words) == 1 and words[0].lstrip("#").isdecimal():
        number = int(words[0].lstrip("#"))
        return list(targets.filter(pk=number)) if number < 2**31 else []
    for word in words:
        targets = targets.filter(title__icontains=word[:100])
    return list(targets.order_by("-created_at", "-pk")[:MERGE_SEARCH_MAX])


def _tell_followers(idea: Idea, by, template: str, *, key: str, **context) -> None:
    """Followers, authors and co-authors hear of a change, except the person who made it."""
    for person in followers_of(idea):
        if person.pk != getattr(by, "pk", None):
            _notify(person, template, idea, key=key, **context)


@transaction.atomic
def change_state(*, idea: Idea, by, state: str, reason: str = "",
                 merged_into: Idea | None = None) -> Idea:
    """submitted → discussion → accepted | declined | merged; a declined idea needs a public
    reason, a merged one the idea it went into. Accepting makes the idea a project in the same
    transaction."""
    idea = (Idea.objects.select_for_update(of=("self",)).select_related("working_group", "author")
            .get(pk=idea.pk))
    if not permissions.can_decide(by, idea):
        _deny(with_office(_("Only the %(office)s and the leads of the idea's working group decide "
                            "on an idea.")))
    if state not in S.values:
        raise _invalid("state", _("Unknown state."), "invalid")
    if state not in allowed_transitions(idea):
        raise Conflict(
            _("An idea that is “%(current)s” cannot become “%(new)s”.")
            % {"current": idea.get_state_display(), "new": S(state).label},
            code="illegal_transition")
    reason = (reason or "").strip()
    if state == S.DECLINED and not reason:
        raise _invalid("reason", _("Give the public reason for declining the idea."), "required")
    if state == S.MERGED:
        if merged_into is None:
            raise _invalid("merged_into", _("Choose the idea it is merged into."), "required")
        if merged_into.pk == idea.pk:
            raise _invalid("merged_into", _("An idea cannot be merged into itself."), "self")
        if not merge_targets(idea).filter(pk=merged_into.pk).exists():
            raise _invalid("merged_into",
                           _("That idea is itself merged or hidden; choose another."),
                           "invalid_target")
    before = {"state": idea.state, "state_reason": idea.state_reason,
              "merged_into": idea.merged_into_id}
    idea.state, idea.state_reason = state, reason
    idea.merged_into = merged_into if state == S.MERGED else None
    idea.state_changed_at = timezone.now()
    idea.save(update_fields=["state", "state_reason", "merged_into", "state_changed_at",
                             "updated_at"])
    project = None
    if state == S.ACCEPTED:
        # The projects app makes the idea a project (signals.py).
        answers = idea_accepted.send(sender=Idea, idea=idea, by=by)
        project = next((answer for _receiver, answer in answers if answer is not None), None)
    audit_log(actor=by, action="idea.state_changed", target=idea, before=before,
              after={"state": idea.state, "state_reason": idea.state_reason,
                     "merged_into": idea.merged_into_id,
                     **({"project": project.pk} if project else {})})
    _tell_followers(idea, by, "state_changed", key=f"idea-state:{idea.pk}:{state}")
    return idea
