"""The self-assessment form (eight principles, each with score, justification and evidence), the
review form and the portfolio filters."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from stadtallianz.knowledge.models import Document
from stadtallianz.projects.models import Project

from .models import MAX_SCORE, MIN_SCORE, score_words, signed

# A link to a document of the knowledge base (on this site) becomes a reference to the document.
DOCUMENT_PATH = re.compile(r"^(?:/[a-z]{2})?/knowledge/documents/(\d+)/?$")


def score_choices():
    return [("", _("not yet assessed"))] + [
        (str(value), f"{signed(value)} {score_words(value)}")
        for value in range(MAX_SCORE, MIN_SCORE - 1, -1)]


def _document_for(url: str):
    path = url
    site = settings.SITE_URL.rstrip("/")
    if path.startswith(site + "/"):
        path = path[len(site):]
    match = DOCUMENT_PATH.match(path)
    return Document.objects.filter(pk=int(match.group(1))).first() if match else None


class AssessmentForm(forms.Form):
    """Per principle `score_<n>`, `justification_<n>`, `evidence_<n>` (one link per line,
    "label | address") and `results_<n>` (results of the project)."""

    # Required (checked in clean() so that the message appears at the top, not at a hidden
    # field): a save without the version it started from could overwrite someone else's.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, principles, results, scores=None, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version
        self.principles = principles
        scores = {score.principle_id: score for score in (scores or [])}
        result_choices = [(str(r.pk), r.title) for r in results]
        self.results = {r.pk: r for r in results}
        self.sections = []
        for principle in principles:
            n = principle.number
            existing = scores.get(principle.pk)
            self.fields[f"score_{n}"] = forms.ChoiceField(
                label=_("Score"), choices=score_choices(), required=False,
                initial=str(existing.score) if existing else "")
            self.fields[f"justification_{n}"] = forms.CharField(
                label=_("Justification"), required=False, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=existing.justification if existing else "",
                help_text=_("Required with every score: why this score?"))
            lines, chosen = [], []
            for item in (existing.evidence.all() if existing else []):
                if item.result_id:
                    chosen.append(str(item.result_id))
                elif item.source_removed:
                    continue  # deleted since: nothing to rest on; a save drops it
                elif item.document_id:
                    lines.append(f"{item.label} | {settings.SITE_URL.rstrip('/')}"
                                 f"{item.document.get_absolute_url()}")
                else:
                    lines.append(f"{item.label} | {item.url}")
            self.fields[f"evidence_{n}"] = forms.CharField(
                label=_("Evidence (links)"), required=False, max_length=6000,
                widget=forms.Textarea(attrs={"rows": 2}), initial="\n".join(lines),
                help_text=_("One per line: a label, a vertical bar and the web address, e.g. "
                            "“Evaluation report | https://example.org/report.pdf”. Links to "
                            "documents of the knowledge base are recognised."))
            if result_choices:
                self.fields[f"results_{n}"] = forms.MultipleChoiceField(
                    label=_("Results of the project as evidence"), required=False,
                    choices=result_choices, widget=forms.CheckboxSelectMultiple,
                    initial=chosen)
            self.sections.append({
                "principle": principle,
                "fields": [self[f"score_{n}"], self[f"justification_{n}"], self[f"evidence_{n}"],
                           *([self[f"results_{n}"]] if result_choices else [])]})
        self.index = {}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version") is None:
            raise forms.ValidationError(
                _("The form lacks the version of the assessment it was opened at; reload the "
                  "page and enter your changes again."), code="version")
        return cleaned

    def evidence_items(self, n: int) -> list[dict]:
        items = []
        for line in self.cleaned_data.get(f"evidence_{n}", "").splitlines():
            line = line.strip()
            if not line:
                continue
            label, _bar, url = line.rpartition("|") if "|" in line else ("", "", line)
            label, url = label.strip(), url.strip()
            document = _document_for(url)
            items.append({"label": label, "document": document} if document
                         else {"label": label, "url": url})
        for pk in self.cleaned_data.get(f"results_{n}", []):
            result = self.results[int(pk)]
            items.append({"label": result.title, "result": result})
        return items

    def scores_data(self) -> list[dict]:
        """The principles with anything entered, in the services' format; `self.index` maps an
        item's position to its principle number (for putting errors back on the fields)."""
        data = []
        for principle in self.principles:
            n = principle.number
            score = self.cleaned_data.get(f"score_{n}", "")
            justification = self.cleaned_data.get(f"justification_{n}", "")
            evidence = self.evidence_items(n)
            if score == "" and not justification.strip() and not evidence:
                continue
            self.index[len(data)] = n
            data.append({"principle": n, "score": int(score) if score != "" else None,
                         "justification": justification, "evidence": evidence})
        return data

    def add_service_errors(self, error) -> None:
        """Puts the service's `scores[i].<field>` errors next to the fields they concern."""
        pattern = re.compile(r"^scores\[(\d+)\]\.(score|justification|principle|evidence)"
                             r"(?:\[(\d+)\])?")
        for key, messages in error.message_dict.items():
            match = pattern.match(key)
            if not match or int(match.group(1)) not in self.index:
                for message in messages:
                    self.add_error(None, message)
                continue
            n = self.index[int(match.group(1))]
            name = {"score": "score", "justification": "justification",
                    "principle": "score"}.get(match.group(2), "evidence")
            for message in messages:
                if match.group(3) is not None:
                    message = _("Line %(line)s: %(message)s") % {
                        "line": int(match.group(3)) + 1, "message": message}
                self.add_error(f"{name}_{n}", message)


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("What should the team change?"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 4}))


class PortfolioFilterForm(forms.Form):
    focus_area = forms.ChoiceField(label=_("Focus area"), required=False)
    phase = forms.ChoiceField(label=_("Phase"), required=False,
                              choices=[("", _("All phases")), *Project.Phase.choices])
    harms = forms.BooleanField(label=_("Only projects that harm a principle"), required=False)

    def __init__(self, *args, focus_areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].choices = [("", _("All focus areas"))] + [
            (area.slug, area.name) for area in focus_areas]
