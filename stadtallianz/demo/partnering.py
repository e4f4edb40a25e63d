"""Demo partner searches for `stadtallianz demo` (runs after the projects', the ideas' and the
funding calls' demos): eleven notices of demo partners for their projects, ideas and calls, in
every state (open, one archived after its expiry, one closed), with interests of other partners
pending, accepted and declined. The demo accounts' organisation (Stadtwerke) has notices with
interests to answer and has itself expressed interest, so "admin@…" and "mitglied@…" see both
sides, one of them accepted (the contact persons shown).

A notice's call is the one named in the data (a slug), or with "auto" an open (else forthcoming)
demo call that shares a focus area with the notice, else none; a notice for a call alone is
skipped without demo calls. Idempotent: a notice is created only if its German title is not
there yet. Seed data, written with the ORM (no notifications, no audit entries).
"""

from datetime import timedelta

from django.utils import timezone

from stadtallianz.accounts.models import User
from stadtallianz.funding.models import Call
from stadtallianz.ideas.models import Idea
from stadtallianz.partnering.models import Interest, Notice
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.projects.models import Project

from . import datafiles
from .accounts import DEMO_DOMAIN

# data/partnering.json: "notices" [{organisation (slug), poster (a demo account's e-mail local
# part, else the organisation's first admin), project (German title) or idea (title) or neither,
# call (slug, "auto" or null), title_de/_en, description_de/_en, capabilities_sought_de/_en,
# roles_sought, wanted_types, deadline_in_days (or null), expires_in_days (negative: expired),
# state, created_days_ago, interests [{organisation (slug), person (demo account, else the
# organisation's first admin), state, days_ago, message}]}]
NOTICES = datafiles.load("partnering")["notices"]
TEXTS = ["title_de", "title_en", "description_de", "description_en", "capabilities_sought_de",
         "capabilities_sought_en"]


def _person(organisation: Organisation, local: str | None):
    if local:
        user = User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()
        if user is not None:
            return user
    # "admin" sorts before "member": the organisation's first admin.
    membership = (Membership.objects.filter(organisation=organisation)
                  .order_by("role", "pk").select_related("user").first())
    return membership.user if membership else None


def _call(spec, focus_area_ids: set[int], position: int):
    if spec.get("call") in (None, ""):
        return None
    if spec["call"] != "auto":
        return Call.objects.filter(slug=spec["call"]).first()
    for state in ("open", "forthcoming"):
        calls = list(Call.objects.filter(state=state).order_by("slug"))
        fitting = [call for call in calls
                   if focus_area_ids & set(call.focus_areas.values_list("pk", flat=True))]
        if fitting or calls:
            chosen = fitting or calls
            return chosen[position % len(chosen)]
    return None


def load(*, now=None, stdout=None) -> int:
    """Creates the demo notices and their interests that are not there yet; returns how many
    notices it created."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    existing = set(Notice.objects.values_list("title_de", flat=True))
    created = 0
    for position, spec in enumerate(NOTICES):
        if spec["title_de"] in existing:
            continue
        organisation = Organisation.objects.filter(slug=spec["organisation"]).first()
        if organisation is None:
            continue
        project = (Project.objects.filter(title_de=spec["project"]).first()
                   if spec.get("project") else None)
        idea = Idea.objects.filter(title=spec["idea"]).first() if spec.get("idea") else None
        subject = project or idea
        areas = list(subject.focus_areas.all()) if subject is not None else list(
            organisation.focus_areas.all())
        call = _call(spec, {area.pk for area in areas}, position)
        if subject is None and call is None:
            continue  # a notice for a call alone, without demo calls
        deadline = (today + timedelta(days=spec["deadline_in_days"])
                    if spec.get("deadline_in_days") is not None else None)
        notice = Notice.objects.create(
            organisation=organisation, created_by=_person(organisation, spec.get("poster")),
            project=project, idea=idea, call=call, roles_sought=spec["roles_sought"],
            wanted_types=spec["wanted_types"], deadline=deadline,
            expires_on=today + timedelta(days=spec["expires_in_days"]), state=spec["state"],
            closed_at=now if spec["state"] == Notice.State.CLOSED else None,
            **{name: spec.get(name, "") for name in TEXTS})
        # auto_now_add ignores a given value: the age is set afterwards.
        Notice.objects.filter(pk=notice.pk).update(
            created_at=now - timedelta(days=spec["created_days_ago"]))
        notice.focus_areas.set(areas)
        for answer in spec["interests"]:
            other = Organisation.objects.filter(slug=answer["organisation"]).first()
            if other is None or other.pk == organisation.pk:
                continue
            sent = now - timedelta(days=answer["days_ago"])
            interest = Interest.objects.create(
                notice=notice, organisation=other, person=_person(other, answer.get("person")),
                message=answer["message"], state=answer["state"],
                responded_at=(sent + timedelta(days=1)
                              if answer["state"] != Interest.State.PENDING else None))
            Interest.objects.filter(pk=interest.pk).update(created_at=sent)
        created += 1
    if stdout is not None:
        stdout.write(f"  {created} of {len(NOTICES)} partner searches created")
    return created
