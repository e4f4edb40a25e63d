"""Pages of ideas: list, map, detail, the forms and the state changes."""

from django.shortcuts import get_object_or_404, render

from .models import Idea


def idea_list(request):
    return render(request, "ideas/list.html", {"ideas": Idea.objects.filter(hidden_at=None)})


def idea_detail(request, pk: int):
    idea = get_object_or_404(Idea, pk=pk, hidden_at=None)
    return render(request, "ideas/detail.html", {"idea": idea})
