"""The "funding applications" sections this app adds to the pages of a project and of a call
(core.sections; registered in ProposalsConfig.ready): the applications the reader may know of
(`Application.objects.visible_to`), with the amounts granted, and for those who may start one a
link to do so. "" when there is nothing to show to this reader. One query for the list."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext

from . import permissions
from .models import Application
from .queries import with_sums


def _applications(user, **filters) -> list:
    return list(with_sums(Application.objects.visible_to(user).filter(**filters)
                          .select_related("call__programme")).order_by("-created_at", "-pk"))


def _render(request, applications, create_url, empty_message) -> str:
    if not applications and not create_url:
        return ""
    return render_to_string("proposals/includes/applications_section.html", {
        "applications": applications, "create_url": create_url,
        "empty_message": empty_message}, request=request)


def project_section(request, project) -> str:
    create_url = (f"{reverse('proposals:create')}?project={project.pk}"
                  if permissions.can_create(request.user) else "")
    return _render(request, _applications(request.user, project=project), create_url,
                   gettext("No funding application for this project yet."))


def call_section(request, call) -> str:
    create_url = (f"{reverse('proposals:create')}?call={call.pk}"
                  if permissions.can_create(request.user) else "")
    return _render(request, _applications(request.user, call=call), create_url,
                   gettext("No joint application to this call that you may see yet."))


def register() -> None:
    from stadtallianz.core import sections

    sections.register("projects.project", project_section, order=100)
    sections.register("funding.call", call_section, order=100)
