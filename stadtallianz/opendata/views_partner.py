"""Pages of the partners' own datasets: my datasets (per organisation), registering and editing
one with its links, submitting it for review and withdrawing it; and the coordination office's
review queue and review page. Every object is authorised here and again in the services
(permissions.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.markdown import render_markdown
from stadtallianz.core.office import with_office
from stadtallianz.partners.models import Organisation

from . import permissions, services
from .forms import DatasetForm, DistributionFormSet, ReviewForm, distributions_of
from .models import Dataset, Distribution
from .vocabularies import FREQUENCIES, LICENCES, THEMES


def _partner_dataset(request, slug) -> Dataset:
    """A partner's dataset the person may see (others: 404, so nobody learns it exists)."""
    dataset = get_object_or_404(Dataset.objects.select_related("publisher", "created_by"),
                                slug=slug, kind=Dataset.Kind.PARTNER)
    if not permissions.can_see(request.user, dataset):
        raise Http404
    return dataset


@login_required
def my_datasets(request):
    organisations = list(permissions.organisations_for(request.user).filter(
        memberships__user=request.user).distinct().prefetch_related(Prefetch(
            "datasets", queryset=Dataset.objects.filter(kind=Dataset.Kind.PARTNER)
            .order_by("title_de", "pk"), to_attr="own_datasets")))
    return render(request, "opendata/partner_list.html", {
        "organisations": organisations,
        "can_register": permissions.can_register(request.user),
        "can_review": permissions.can_review_any(request.user)})


def _form_page(request, *, dataset: Dataset | None):
    organisations = permissions.organisations_for(request.user) if dataset is None else None
    initial = DatasetForm.initial_of(dataset) if dataset else {}
    if dataset is None and organisations is not None:
        chosen = request.GET.get("organisation")
        if chosen and chosen.isdigit():
            initial["organisation"] = int(chosen)
    form = DatasetForm(request.POST or None, initial=initial, organisations=organisations)
    links = [{"title_de": d.title_de, "title_en": d.title_en, "access_url": d.access_url,
              "file_type": d.file_type} for d in dataset.distributions.all()] if dataset else []
    formset = DistributionFormSet(request.POST or None, initial=links, prefix="links")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            if dataset is None:
                dataset = services.create_dataset(
                    actor=request.user, organisation=form.cleaned_data["organisation"],
                    data=form.data_for_service(), distributions=distributions_of(formset))
                messages.success(request, _("The dataset has been saved as a draft. Submit it "
                                            "for review when it is complete."))
            else:
                services.update_dataset(dataset=dataset, actor=request.user,
                                        data=form.data_for_service(),
                                        distributions=distributions_of(formset))
                messages.success(request, _("The dataset has been saved."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("opendata:mine")
    return render(request, "opendata/partner_form.html",
                  {"form": form, "formset": formset, "dataset": dataset,
                   "error_forms": [form, formset],
                   "can_submit": dataset is not None
                   and permissions.can_submit(request.user, dataset)},
                  status=400 if request.method == "POST" else 200)


@login_required
def dataset_create(request):
    if not permissions.can_register(request.user):
        raise PermissionDenied(_("Only the people of a confirmed partner organisation register "
                                 "datasets."))
    return _form_page(request, dataset=None)


@login_required
def dataset_edit(request, slug):
    dataset = _partner_dataset(request, slug)
    if not permissions.can_edit(request.user, dataset):
        raise PermissionDenied(_("Only the organisation's admins and the person who registered "
                                 "the dataset change it."))
    return _form_page(request, dataset=dataset)


@login_required
@require_POST
def dataset_submit(request, slug):
    dataset = _partner_dataset(request, slug)
    if not permissions.can_submit(request.user, dataset):
        raise PermissionDenied
    try:
        services.submit_dataset(dataset=dataset, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("opendata:edit", slug=dataset.slug)
    messages.success(request, with_office(_("The dataset has been submitted. The %(office)s "
                                            "reviews it before it appears in the catalogue.")))
    return redirect("opendata:mine")


@login_required
@require_POST
def dataset_withdraw(request, slug):
    dataset = _partner_dataset(request, slug)
    if not permissions.can_withdraw(request.user, dataset):
        raise PermissionDenied
    services.withdraw_dataset(dataset=dataset, actor=request.user)
    messages.success(request, _("The dataset has been withdrawn from the catalogue."))
    if request.user.is_coordination_office and not permissions.can_edit(request.user, dataset):
        return redirect("opendata:review_queue")
    return redirect("opendata:mine")


@login_required
def review_queue(request):
    if not permissions.can_review_any(request.user):
        raise PermissionDenied(with_office(_("Only the %(office)s reviews datasets.")))
    return render(request, "opendata/review_queue.html",
                  {"datasets": services.waiting_for_review()})


@login_required
def dataset_review(request, slug):
    if not permissions.can_review_any(request.user):
        raise PermissionDenied(with_office(_("Only the %(office)s reviews datasets.")))
    dataset = get_object_or_404(Dataset.objects.select_related("publisher", "created_by"),
                                slug=slug, kind=Dataset.Kind.PARTNER)
    if not permissions.can_review(request.user, dataset):
        messages.info(request, _("This dataset does not wait for review."))
        return redirect("opendata:review_queue")
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "publish"
        try:
            services.review_dataset(dataset=dataset, actor=request.user, approve=approve,
                                    note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The dataset has been published.") if approve
                             else _("The dataset has been returned to the partner."))
            return redirect("opendata:review_queue")
    distributions = list(Distribution.objects.filter(dataset=dataset))
    return render(request, "opendata/review_detail.html",
                  {"dataset": dataset, "distributions": distributions, "form": form,
                   "licence": LICENCES.get(dataset.licence),
                   "frequency": FREQUENCIES.get(dataset.accrual_periodicity),
                   "themes": [THEMES[key] for key in dataset.themes if key in THEMES],
                   "description_de_html": render_markdown(dataset.description_de),
                   "description_en_html": render_markdown(dataset.description_en),
                   "publisher": dataset.publisher if isinstance(dataset.publisher, Organisation)
                   else None},
                  status=400 if request.method == "POST" else 200)
