"""Changes to partner-search notices and interests. Each is one transaction that checks the
permission (permissions.py), validates (ValidationError naming the field; Conflict when the
state forbids it), writes, logs (`partnering.*`) and notifies through notifications.notify,
whose texts show only what reveal.py lets the recipient see.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.audit import audit_log, snapshot
from stadtallianz.core.exceptions import Conflict
from stadtallianz.notifications.services import notify
from stadtallianz.partners.models import Membership, Organisation

from . import permissions, reveal
from .models import DEFAULT_VALIDITY, MAX_VALIDITY, Interest, Notice, Role

TEXT_FIELDS = ["title_de", "title_en", "description_de", "description_en",
               "capabilities_sought_de", "capabilities_sought_en"]
NOTICE_FIELDS = [*TEXT_FIELDS, "project", "idea", "call", "roles_sought", "wanted_types",
                 "deadline", "expires_on"]
SNAPSHOT_FIELDS = [name if name not in ("project", "idea", "call") else f"{name}_id"
                   for name in NOTICE_FIELDS] + ["state"]


def today() -> date:
    return timezone.localdate()


def default_expiry() -> date:
    return today() + DEFAULT_VALIDITY


# ---------------------------------------------------------------------------------------------
# Validation


def validate_dates(*, deadline: date | None, expires_on: date | None,
                   today: date | None = None) -> dict:
    """The errors of a notice's dates, by field: the expiry neither past nor more than a year
    ahead, the deadline for answers neither past nor after the expiry."""
    today = today or timezone.localdate()
    errors: dict = {}
    if expires_on is None:
        errors["expires_on"] = [_("Give the date until which the notice is shown.")]
    elif expires_on < today:
        errors["expires_on"] = [_("The notice cannot expire in the past.")]
    elif expires_on > today + MAX_VALIDITY:
        errors["expires_on"] = [_("A notice is shown for at most a year; choose an earlier "
                                  "date and renew it later.")]
    if deadline is not None:
        if deadline < today:
            errors["deadline"] = [_("The deadline for answers cannot be in the past.")]
        elif expires_on is not None and deadline > expires_on:
            errors["deadline"] = [_("The deadline for answers cannot be after the date the "
                                    "notice expires.")]
    return errors


def _validate(actor, data: dict, *, organisation: Organisation, instance: Notice | None) -> None:
    errors: dict = {}
    if not (data.get("title_de") or "").strip():
        errors["title_de"] = [_("Give the notice a German title.")]
    roles = data.get("roles_sought") or []
    if not roles:
        errors["roles_sought"] = [_("Choose at least one role you are looking for.")]
    elif any(role not in Role.values for role in roles):
        errors["roles_sought"] = [_("Choose roles from the list.")]
    if any(value not in Organisation.Type.values for value in data.get("wanted_types") or []):
        errors["wanted_types"] = [_("Choose organisation types from the list.")]
    project, idea, call = data.get("project"), data.get("idea"), data.get("call")
    if project is not None and idea is not None:
        errors["idea"] = [_("A notice is for a project or for an idea, not both.")]
    elif project is None and idea is None and call is None:
        errors["project"] = [_("Choose the project, the idea or the call the notice is for.")]
    # What the notice was for before may stay even if the person has since left its team.
    if project is not None and (instance is None or instance.project_id != project.pk) \
            and not permissions.can_post_for_project(actor, project):
        errors["project"] = [_("You can post notices only for projects whose team you are in.")]
    if idea is not None and (instance is None or instance.idea_id != idea.pk) \
            and not permissions.can_post_for_idea(actor, idea):
        errors["idea"] = [_("You can post notices only for open ideas you wrote.")]
    deadline, expires_on = data.get("deadline"), data.get("expires_on")
    unchanged_deadline = instance is not None and instance.deadline == deadline
    for field, messages in validate_dates(deadline=deadline, expires_on=expires_on).items():
        # An edit may keep a deadline that has passed since; it may not set a new past one.
        if field == "deadline" and unchanged_deadline and deadline < today() \
                and (expires_on is None or deadline <= expires_on):
            continue
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _deny_manage(actor, notice: Notice) -> None:
    if not permissions.can_manage(actor, notice):
        raise PermissionDenied(_("Only the organisation that posted the notice changes it."))


def _locked(notice: Notice) -> Notice:
    """The notice as stored now, locked; 404 when it was deleted meanwhile."""
    locked = Notice.objects.select_for_update(of=("self",)).filter(pk=notice.pk).first()
    if locked is None:
        raise Http404
    return locked


# ---------------------------------------------------------------------------------------------
# Notices


@transaction.atomic
def notice_create(*, actor, organisation: Organisation, data: dict,
                  focus_areas=None) -> Notice:
    """Posts a notice for `organisation` (one of `actor`'s signed partner organisations).
    `data` holds NOTICE_FIELDS (project, idea, call as objects or None). Without focus areas
    given, the notice takes those of its project, idea or call."""
    if not permissions.can_post(actor):
        raise PermissionDenied(_("Only people of signed partner organisations post notices."))
    if organisation is None or not permissions.postable_organisations(actor).filter(
            pk=organisation.pk).exists():
        raise ValidationError({"organisation": [_(
            "You can post notices only for a signed partner organisation you belong to.")]})
    data = {name: data.get(name) for name in NOTICE_FIELDS}
    data["roles_sought"] = list(dict.fromkeys(data["roles_sought"] or []))
    data["wanted_types"] = list(dict.fromkeys(data["wanted_types"] or []))
    for name in TEXT_FIELDS:
        data[name] = (data[name] or "").strip()
    if data["expires_on"] is None:
        data["expires_on"] = today() + DEFAULT_VALIDITY
    _validate(actor, data, organisation=organisation, instance=None)
    notice = Notice.objects.create(organisation=organisation, created_by=actor, **data)
    if focus_areas is None:
        focus_areas = _subject_focus_areas(notice)
    notice.focus_areas.set(focus_areas)
    audit_log(actor=actor, action="partnering.notice.created", target=notice,
              after=snapshot(notice, SNAPSHOT_FIELDS))
    return notice


def _subject_focus_areas(notice: Notice) -> list:
    for subject in (notice.project, notice.idea, notice.call):
        if subject is not None:
            areas = list(subject.focus_areas.all())
            if areas:
                return areas
    return []


@transaction.atomic
def notice_update(*, actor, notice: Notice, data: dict, focus_areas=None) -> Notice:
    """Changes the fields given in `data` (NOTICE_FIELDS); a closed notice is renewed first."""
    notice = _locked(notice)
    _deny_manage(actor, notice)
    if notice.state == Notice.State.CLOSED:
        raise Conflict(_("The notice is closed. Renew it to change it."), code="closed")
    before = snapshot(notice, SNAPSHOT_FIELDS)
    merged = {name: getattr(notice, name) for name in NOTICE_FIELDS}
    merged.update({name: value for name, value in data.items() if name in NOTICE_FIELDS})
    for name in TEXT_FIELDS:
        merged[name] = (merged[name] or "").strip()
    merged["roles_sought"] = list(dict.fromkeys(merged["roles_sought"] or []))
    merged["wanted_types"] = list(dict.fromkeys(merged["wanted_types"] or []))
    _validate(actor, merged, organisation=notice.organisation, instance=notice)
    for name, value in merged.items():
        setattr(notice, name, value)
    notice.save()
    if focus_areas is not None:
        notice.focus_areas.set(focus_areas)
    after = snapshot(notice, SNAPSHOT_FIELDS)
    changed = [key for key in after if before[key] != after[key]]
    audit_log(actor=actor, action="partnering.notice.changed", target=notice,
              before={key: before[key] for key in changed},
              after={key: after[key] for key in changed})
    return notice


@transaction.atomic
def notice_close(*, actor, notice: Notice) -> Notice:
    """The owner found partners (or gave up): the notice takes no more answers."""
    notice = _locked(notice)
    _deny_manage(actor, notice)
    if notice.state == Notice.State.CLOSED:
        raise Conflict(_("The notice is closed already."), code="closed")
    before = notice.state
    notice.state = Notice.State.CLOSED
    notice.closed_at = timezone.now()
    notice.save(update_fields=["state", "closed_at", "updated_at"])
    audit_log(actor=actor, action="partnering.notice.closed", target=notice,
              before={"state": before}, after={"state": notice.state})
    return notice


@transaction.atomic
def notice_renew(*, actor, notice: Notice, expires_on: date | None = None,
                 deadline: date | None | object = ...) -> Notice:
    """Opens the notice again (archived, closed or still open) until `expires_on` (by default
    DEFAULT_VALIDITY from today). `deadline` replaces the deadline for answers when given; a
    deadline that has passed must be replaced or removed (None)."""
    notice = _locked(notice)
    _deny_manage(actor, notice)
    expires_on = expires_on or today() + DEFAULT_VALIDITY
    if deadline is ...:
        deadline = notice.deadline
    errors = validate_dates(deadline=deadline, expires_on=expires_on)
    if errors:
        raise ValidationError(errors)
    before = snapshot(notice, ["state", "expires_on", "deadline"])
    notice.state = Notice.State.OPEN
    notice.expires_on = expires_on
    notice.deadline = deadline
    notice.renewed_at = timezone.now()
    notice.closed_at = None
    notice.save(update_fields=["state", "expires_on", "deadline", "renewed_at", "closed_at",
                               "updated_at"])
    audit_log(actor=actor, action="partnering.notice.renewed", target=notice, before=before,
              after=snapshot(notice, ["state", "expires_on", "deadline"]))
    return notice


def owners_to_tell(notice: Notice) -> list:
    """The people told about a notice: the person who posted it (while still in the
    organisation) and the organisation's admins."""
    memberships = Membership.objects.filter(organisation_id=notice.organisation_id).filter(
        role=Membership.Role.ADMIN) | Membership.objects.filter(
        organisation_id=notice.organisation_id, user_id=notice.created_by_id)
    return [membership.user for membership in memberships.select_related("user").order_by("pk")]


def archive_expired(*, today: date | None = None) -> int:
    """The daily job: archives the open notices whose expiry has passed and asks their owners
    to renew them. Running it twice archives and tells nobody twice (the notification's key
    names the notice and the expiry, so a renewed notice that expires again is told anew).
    Returns how many notices it archived."""
    today = today or timezone.localdate()
    archived = 0
    for pk in Notice.objects.filter(state=Notice.State.OPEN, expires_on__lt=today).values_list(
            "pk", flat=True):
        with transaction.atomic():
            notice = Notice.objects.select_for_update(of=("self",)).select_related(
                "organisation").filter(pk=pk, state=Notice.State.OPEN,
                                       expires_on__lt=today).first()
            if notice is None:
                continue  # renewed or archived meanwhile
            notice.state = Notice.State.ARCHIVED
            notice.save(update_fields=["state", "updated_at"])
            audit_log(actor=None, action="partnering.notice.archived", target=notice,
                      before={"state": Notice.State.OPEN}, after={"state": notice.state})
            for user in owners_to_tell(notice):
                notify(user, kind="partnering-expired",
                       key=f"partnering-expired:{notice.pk}:{notice.expires_on.isoformat()}",
                       template="partnering/notifications/expired",
                       context={"notice": notice},
                       url=lambda notice=notice: notice.get_absolute_url() + "renew/")
            archived += 1
    return archived


# ---------------------------------------------------------------------------------------------
# Interests


@transaction.atomic
def interest_create(*, actor, notice: Notice, organisation: Organisation | None,
                    message: str) -> Interest:
    """`actor` expresses interest in `notice` for `organisation`, one of their signed partner
    organisations other than the notice's. The notice's owners are told: which organisation,
    and its message, not who wrote it."""
    notice = Notice.objects.select_for_update(of=("self",)).select_related(
        "organisation", "created_by").filter(pk=notice.pk).first()
    if notice is None:
        raise Http404
    if not permissions.can_view(actor, notice):
        raise PermissionDenied(_("This notice is not available."))
    if not actor.is_authenticated or not Organisation.objects.public().filter(
            memberships__user=actor).exclude(pk=notice.organisation_id).exists():
        raise PermissionDenied(_("Only people of another signed partner organisation express "
                                 "interest in a notice."))
    if not notice.accepts_interest:
        raise Conflict(_("The notice takes no more answers: it is closed, expired or past its "
                         "deadline."), code="not_open")
    if organisation is None or not Organisation.objects.public().filter(
            pk=organisation.pk, memberships__user=actor).exists():
        raise ValidationError({"organisation": [_(
            "Choose a signed partner organisation you belong to.")]})
    if organisation.pk == notice.organisation_id:
        raise ValidationError({"organisation": [_(
            "Your organisation posted this notice; it cannot answer it.")]})
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": [_("Write a few words on what your organisation "
                                             "offers.")]})
    if Interest.objects.filter(notice=notice, organisation=organisation).exists():
        raise Conflict(_("Your organisation has already expressed interest in this notice."),
                       code="duplicate")
    try:
        with transaction.atomic():
            interest = Interest.objects.create(notice=notice, organisation=organisation,
                                               person=actor, message=message)
    except IntegrityError:
        raise Conflict(_("Your organisation has already expressed interest in this notice."),
                       code="duplicate") from None
    audit_log(actor=actor, action="partnering.interest.created", target=interest)
    for user in owners_to_tell(notice):
        _notify(user, "interest", interest, key=f"partnering-interest:{interest.pk}:{user.pk}")
    return interest


def _notify(user, template: str, interest: Interest, *, key: str) -> None:
    """Tells `user` about `interest` with what reveal.py lets them see of it, in their
    language; nothing when they may see nothing of it."""
    shown = reveal.shown(user, interest)
    if shown is None:
        return
    notify(user, kind=f"partnering-{template}", key=key,
           template=f"partnering/notifications/{template}",
           context={"notice": interest.notice, "shown": shown},
           url=interest.notice.get_absolute_url)


@transaction.atomic
def interest_answer(*, actor, interest: Interest, accept: bool) -> Interest:
    """The notice's owner accepts (both sides then see each other's contact person) or
    declines an interest; the person who expressed it is told."""
    interest = Interest.objects.select_for_update(of=("self",)).select_related(
        "notice", "notice__organisation", "notice__created_by", "organisation", "person").filter(
        pk=interest.pk).first()
    if interest is None:
        raise Http404
    if not permissions.can_answer(actor, interest):
        raise PermissionDenied(_("Only the organisation that posted the notice answers "
                                 "interests."))
    if interest.state != Interest.State.PENDING:
        raise Conflict(_("This interest has been answered already."), code="answered")
    interest.state = Interest.State.ACCEPTED if accept else Interest.State.DECLINED
    interest.responded_at = timezone.now()
    interest.save(update_fields=["state", "responded_at"])
    audit_log(actor=actor, action=("partnering.interest.accepted" if accept
                                   else "partnering.interest.declined"), target=interest,
              before={"state": Interest.State.PENDING}, after={"state": interest.state})
    if interest.person is not None:
        _notify(interest.person, "answered", interest,
                key=f"partnering-answered:{interest.pk}")
    return interest
