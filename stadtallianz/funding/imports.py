from django.http import Http404


def import_view(request):
    raise Http404
