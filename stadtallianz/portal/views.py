"""The public portal: the home page that says what the alliance is and how to join it, and
"Mein Bereich", each person's own page."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import render

from stadtallianz.core.models import FocusArea, Principle
from stadtallianz.letter_of_intent.models import Signature
from stadtallianz.partners.models import Organisation
from stadtallianz.proposals.models import Grant

from . import dashboard

NEWEST_PARTNERS = 5


def funding_acquired():
    """The alliance's total funding acquired (proposals' Grant.objects.acquired, as the totals
    page sums it). Only amounts granted are public record; a consortium's budget and requested
    sums never are. One query."""
    return Grant.objects.acquired().aggregate(total=Sum("amount"))["total"] or 0


def home(request):
    public = Organisation.objects.public()
    # One grouped query for the counts by type, instead of one count per type.
    counts_by_type = dict(public.order_by().values_list("type").annotate(count=Count("id")))
    partner_types = [
        {"value": value, "label": label, "count": counts_by_type.get(value, 0)}
        for value, label in Organisation.Type.choices
    ]
    focus_areas = list(
        FocusArea.objects.active().annotate(
            partner_count=Count(
                "organisations",
                filter=Q(organisations__status__in=Organisation.PUBLIC_STATUSES),
            )
        )
    )
    context = {
        "funding_total": funding_acquired(),
        "principles": list(Principle.objects.all()),
        "partner_count": sum(counts_by_type.values()),
        "partner_types": partner_types,
        "focus_areas": focus_areas,
        "signature_count": Signature.objects.confirmed().count(),
        "newest_partners": list(
            public.order_by("-partner_since", "-id").only(
                "name", "slug", "type", "city", "partner_since", "logo", "summary_de", "summary_en",
                "status"
            )[:NEWEST_PARTNERS]
        ),
    }
    return render(request, "portal/home.html", context)


@login_required
def my_area(request):
    """"Mein Bereich": a person's organisations, groups, events, ideas, projects, invitations
    and tasks (portal/dashboard.py)."""
    return render(request, "portal/my_area.html", {"board": dashboard.build(request.user)})
