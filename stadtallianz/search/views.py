"""The search page: a GET form, ranked results with snippets, pagination; htmx updates the
results region only."""

from django.core.paginator import Paginator
from django.shortcuts import render

from stadtallianz.core.models import FocusArea

from . import services
from .forms import SEARCHED_TYPES, SearchForm

RESULTS_PER_PAGE = 20


def search(request):
    focus_areas = list(FocusArea.objects.active().only("slug", "name_de", "name_en"))
    form = SearchForm(request.GET or None, focus_areas=focus_areas)
    page = None
    q = ""
    if form.is_bound and form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            results = services.search(user=request.user, q=q, type=form.cleaned_data["type"],
                                      focus_area=form.cleaned_data["focus"])
            page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "q": q,
        "page": page,
        "searched_types": SEARCHED_TYPES.values(),
    }
    template = "search/search.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)
