"""Funding calls, applications, grants and partner-search notices for the portal's tests, made
straight in the database (the apps' own tests check their services)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from stadtallianz.funding.models import Call, CallFollow, Deadline, Programme
from stadtallianz.partnering.models import Interest, Notice
from stadtallianz.proposals.models import Application, ApplicationMember, BudgetLine, Grant


def programme(slug="msc", **fields):
    fields.setdefault("funder", "Bundesministerium für Wohnen")
    fields.setdefault("level", Programme.Level.FEDERAL)
    fields.setdefault("name_de", "Modellprojekte Smart Cities")
    return Programme.objects.get_or_create(slug=slug, defaults=fields)[0]


def call(slug, *, title_de=None, title_en="", due_in_days=40, **fields):
    fields.setdefault("programme", programme())
    made = Call.objects.create(slug=slug, title_de=title_de or f"Aufruf {slug}",
                               title_en=title_en, **fields)
    if due_in_days is not None:
        Deadline.objects.create(call=made, due_at=timezone.now() + timedelta(days=due_in_days))
    return made


def follow(user, followed):
    return CallFollow.objects.create(user=user, call=followed)


def application(title, *, for_call, project, organisation, requested=Decimal("70000"),
                **fields):
    made = Application.objects.create(title=title, call=for_call, project=project, **fields)
    member = ApplicationMember.objects.create(application=made, organisation=organisation,
                                              role=ApplicationMember.Role.COORDINATOR)
    BudgetLine.objects.create(member=member, category=BudgetLine.Category.PERSONNEL,
                              amount=requested * 2, own_contribution=requested,
                              requested=requested)
    return made


def grant(granted_application, amount):
    today = timezone.localdate()
    return Grant.objects.create(application=granted_application, amount=Decimal(amount),
                                reference=f"FKZ-{granted_application.pk}", starts_on=today,
                                ends_on=today + timedelta(days=700))


def notice(organisation, title, *, by=None, for_call=None, project=None, **fields):
    if for_call is None and project is None and fields.get("idea") is None:
        for_call = call(f"fuer-{title.lower().replace(' ', '-')}")
    return Notice.objects.create(organisation=organisation, created_by=by, title_de=title,
                                 call=for_call, project=project, roles_sought=["partner"],
                                 **fields)


def interest(on, organisation, person=None, *, days_ago=0, **fields):
    made = Interest.objects.create(notice=on, organisation=organisation, person=person,
                                   message="Wir bringen Verkehrsdaten mit.", **fields)
    if days_ago:
        Interest.objects.filter(pk=made.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago))
    return made
