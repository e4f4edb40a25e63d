"""Pages of living labs (placeholder until the pages land)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .models import LivingLab


def lab_list(request):
    return HttpResponse("\n".join(lab.name for lab in LivingLab.objects.all()))


def lab_detail(request, slug):
    return HttpResponse(get_object_or_404(LivingLab, slug=slug).name)
