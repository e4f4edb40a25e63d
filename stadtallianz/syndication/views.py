"""The feeds, the widgets for other sites' iframes and the page that lists them."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from stadtallianz.core.context_processors import site as site_context
from stadtallianz.impact.figures import key_figures
from stadtallianz.livinglabs import readings
from stadtallianz.livinglabs.charts import value_text
from stadtallianz.livinglabs.models import LivingLab
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import ConsortiumMember, Project
from stadtallianz.sensorthings.auth import Caller

from . import maps
from .embedding import WIDGETS, badge_title, embeddable, iframe, lab_title, project_title
from .feeds import FEEDS, AtomFeed, RssFeed

# The figures widget shows the first this many key figures.
KEY_FIGURES = 6
# A lab widget shows at most this many datastreams (a frame has little room).
LAB_STREAMS = 6


@require_GET
def feed(request, kind: str, fmt: str):
    if kind not in FEEDS:
        raise Http404
    return FEEDS[kind](AtomFeed if fmt == "atom" else RssFeed)(request)


@require_GET
def feed_list(request):
    """Every feed in both formats, for readers to subscribe to."""
    feeds = [{"kind": kind, "title": feed_class().title(),
              "description": feed_class().description(),
              "rss": reverse("syndication:feed_rss", kwargs={"kind": kind}),
              "atom": reverse("syndication:feed_atom", kwargs={"kind": kind})}
             for kind, feed_class in FEEDS.items()]
    return render(request, "syndication/feeds.html", {"feeds": feeds})


@require_GET
def widget_list(request):
    """The widgets partners may embed, each with an example and its snippet."""
    partner = (Organisation.objects.public().exclude(partner_since=None)
               .order_by("-partner_since", "-pk").only("slug", "name").first())
    project = Project.objects.order_by("-created_at", "-pk").only(
        "slug", "title_de", "title_en").first()
    lab = LivingLab.objects.order_by("name_de", "pk").only("slug", "name_de", "name_en").first()
    examples = [("figures", _("Key figures of %(site)s") % {"site": settings.SITE_NAME}, {}),
                ("map", _("Map of the projects of %(site)s") % {"site": settings.SITE_NAME}, {})]
    if partner:
        examples.insert(1, ("badge", badge_title(partner), {"slug": partner.slug}))
    if project:
        examples.append(("project", project_title(project), {"slug": project.slug}))
    if lab:
        examples.append(("lab", lab_title(lab), {"slug": lab.slug}))
    widgets = [{"widget": WIDGETS[key], "title": title, "snippet": iframe(key, title, **kwargs),
                "src": reverse(WIDGETS[key].url_name, kwargs=kwargs or None)}
               for key, title, kwargs in examples]
    return render(request, "syndication/widgets.html", {"widgets": widgets})


def _widget(template: str, title: str, **context) -> HttpResponse:
    """A widget page rendered without the request: nothing personal can reach it."""
    # The site's context without a request: name, theme, map tiles' attribution.
    context.update(site_context(None))
    context.update({"title": title, "LANGUAGE_CODE": get_language(),
                    "site_url": reverse("portal:home")})
    return HttpResponse(render_to_string(template, context))


@require_GET
@embeddable
def embed_badge(request, slug: str):
    """"Partner der Allianz Smart City Münster" with the date the partner joined: for public,
    confirmed partners only."""
    organisation = get_object_or_404(
        Organisation.objects.public().exclude(partner_since=None)
        .only("slug", "name", "partner_since", "status"), slug=slug)
    return _widget("syndication/embed/badge.html", badge_title(organisation),
                   organisation=organisation)


@require_GET
@embeddable
def embed_project(request, slug: str):
    project = get_object_or_404(Project.objects.only(
        "slug", "title_de", "title_en", "summary_de", "summary_en", "phase", "progress"),
        slug=slug)
    consortium = list(ConsortiumMember.objects.of_public_organisations()
                      .filter(project=project, state=ConsortiumMember.State.ACCEPTED)
                      .select_related("organisation").order_by("role", "organisation__name")
                      .values_list("organisation__name", flat=True)[:6])
    return _widget("syndication/embed/project.html", project_title(project), project=project,
                   consortium=consortium)


@require_GET
@embeddable
def embed_map(request):
    """Every project's places as points on a drawn map (no map library: the widget stays
    small), with the same projects as a list of links."""
    drawn = maps.project_map()
    return _widget("syndication/embed/map.html",
                   _("Map of the projects of %(site)s") % {"site": settings.SITE_NAME},
                   map=drawn)


@require_GET
@embeddable
def embed_lab(request, slug: str):
    """The newest value of each of the lab's public and aggregated datastreams (as a visitor
    reads them: aggregated ones only as closed windows, restricted ones never)."""
    lab = get_object_or_404(LivingLab.objects.only("slug", "name_de", "name_en"), slug=slug)
    caller = Caller(AnonymousUser())
    streams = list(readings.visible_datastreams(caller, lab)[:LAB_STREAMS])
    latest = readings.latest_observations(streams)
    rows = []
    for stream in streams:
        newest = latest.get(stream.pk)
        rows.append({"stream": stream, "latest": newest,
                     "text": value_text(newest.result) if newest else "",
                     "window_hours": (stream.aggregation_window or 0) // 3600})
    return _widget("syndication/embed/lab.html", lab_title(lab), lab=lab, rows=rows)


@require_GET
@embeddable
def embed_figures(request):
    """The first of the alliance's public key figures (impact.figures, cached there), each
    linking to the list behind it."""
    figures = [figure for figure in key_figures() if figure.value is not None][:KEY_FIGURES]
    return _widget("syndication/embed/figures.html",
                   _("Key figures of %(site)s") % {"site": settings.SITE_NAME},
                   figures=figures)
