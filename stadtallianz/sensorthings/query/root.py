"""The service root (placeholder until the read side lands)."""

from django.http import JsonResponse


def service_root(request):
    return JsonResponse({"value": []})
