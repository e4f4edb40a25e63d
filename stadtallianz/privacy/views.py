"""The "my data" page: the exports asked for and their state, a button to ask for one, the
download, and the way to delete the account (accounts:delete)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .models import DataExport


@never_cache
@login_required
def overview(request):
    exports = DataExport.objects.filter(user=request.user)[:5]
    return render(request, "privacy/overview.html", {
        "exports": exports,
        "preparing": any(e.state == DataExport.State.REQUESTED for e in exports),
        "valid_days": services.valid_for().days,
    })


@require_POST
@login_required
def export_request(request):
    services.export_request(user=request.user)
    messages.success(request, _("We are preparing your data. You will get an e-mail with a "
                                "download link when it is ready."))
    return redirect("privacy:overview")


@never_cache
@login_required
def download(request, token: str):
    try:
        export = services.export_for_download(token=token, user=request.user)
    except services.ExportNotAvailable:
        raise Http404 from None
    name = f"my-data-{export.ready_at:%Y-%m-%d}.zip"
    return FileResponse(services.export_path(export).open("rb"), as_attachment=True,
                        filename=name, content_type="application/zip")
