"""The self-assessment form (eight principles, each with score, justification and evidence), the
review form and the portfolio filters."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import choice_label
from stadtallianz.knowledge.models import Document
from stadtallianz.projects.models import Project

from .models import MAX_SCORE, MIN_SCORE, score_words, signed
from .services import MAX_EVIDENCE

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


class EvidenceRowForm(forms.Form):
    """One piece of evidence: a label and one source (a web address, a document of the
    knowledge base or a datastream of a living lab). Results of the project are chosen as
    check boxes below the rows."""

    label = forms.CharField(label=_("Label"), required=False, max_length=200)
    url = forms.CharField(label=_("Web address"), required=False, max_length=500,
                          widget=forms.URLInput(attrs={"inputmode": "url"}))
    document = forms.TypedChoiceField(label=_("or a document of the knowledge base"),
                                      required=False, coerce=int, empty_value=None)
    datastream = forms.TypedChoiceField(label=_("or a datastream of a living lab"),
                                        required=False, coerce=int, empty_value=None)

    def __init__(self, *args, documents=(), datastreams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [("", _("No document")), *documents]
        self.fields["datastream"].choices = [("", _("No datastream")), *datastreams]
        if "DELETE" in self.fields:
            self.fields["DELETE"].label = _("Remove this evidence")

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in ("label", "url", "document", "datastream"))


EvidenceFormSet = forms.formset_factory(EvidenceRowForm, extra=0, can_delete=True,
                                        max_num=MAX_EVIDENCE, validate_max=True,
                                        absolute_max=MAX_EVIDENCE + 5)


def evidence_rows(score) -> list[dict]:
    """The score's evidence as rows of the form (results are check boxes, not rows; evidence
    whose source was deleted has nothing to rest on: a save drops it)."""
    rows = []
    for item in (score.evidence.all() if score else []):
        if item.result_id or item.source_removed:
            continue
        rows.append({"label": item.label, "url": item.url, "document": item.document_id,
                     "datastream": item.datastream_id})
    return rows


def principle_data(number: int, score, field: str) -> dict:
    """The form data of one field of principle `number` as `score` (stored) has it: `score`,
    `justification` or `evidence` (the rows with their management data and the results). For
    taking over the stored value of that field after a conflict."""
    if field == "score":
        return {f"score_{number}": str(score.score) if score else ""}
    if field == "justification":
        return {f"justification_{number}": score.justification if score else ""}
    prefix = f"evidence_{number}"
    rows = evidence_rows(score)
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": str(MAX_EVIDENCE)}
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{i}-{name}"] = "" if value is None else str(value)
    data[f"results_{number}"] = [str(e.result_id) for e in (score.evidence.all() if score else [])
                                 if e.result_id]
    return data


def with_field_taken(data, number: int, score, field: str):
    """`data` (a QueryDict) with one field of principle `number` replaced by the stored one."""
    data = data.copy()
    if field == "evidence":
        for key in [k for k in data if k.startswith(f"evidence_{number}-")]:
            del data[key]
    for key, value in principle_data(number, score, field).items():
        if isinstance(value, list):
            data.setlist(key, value)
        else:
            data[key] = value
    return data


def with_row_added(data, number: int):
    """`data` with one more (empty) evidence row for principle `number`: the "Add evidence"
    button without script."""
    data = data.copy()
    key = f"evidence_{number}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "0"))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, MAX_EVIDENCE))
    return data


def _with_management_data(data, numbers):
    """`data` with the evidence formsets' management data where a post lacks it: a form
    opened before evidence became rows sends `evidence_<n>` as lines "label | address" (they
    become rows), any other post no evidence rows."""
    if all(f"evidence_{n}-TOTAL_FORMS" in data for n in numbers):
        return data
    data = data.copy()
    for n in numbers:
        prefix = f"evidence_{n}"
        if f"{prefix}-TOTAL_FORMS" in data:
            continue
        lines = [line.strip() for line in str(data.get(prefix, "")).splitlines()
                 if line.strip()][:MAX_EVIDENCE + 1]
        for i, line in enumerate(lines):
            label, _bar, url = line.rpartition("|") if "|" in line else ("", "", line)
            data[f"{prefix}-{i}-label"], data[f"{prefix}-{i}-url"] = label.strip(), url.strip()
        data[f"{prefix}-TOTAL_FORMS"], data[f"{prefix}-INITIAL_FORMS"] = str(len(lines)), "0"
    return data


class AssessmentForm(forms.Form):
    """Per principle `score_<n>`, `justification_<n>`, the evidence rows (a formset with the
    prefix `evidence_<n>`: label and web address, document or datastream) and `results_<n>`
    (results of the project)."""

    # Required (checked in clean() so that the message appears at the top, not at a hidden
    # field): a save without the version it started from could overwrite someone else's.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, principles, results, scores=None, version=None, documents=(),
                 datastreams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version
        self.principles = principles
        scores = {score.principle_id: score for score in (scores or [])}
        result_choices = [(str(r.pk), r.title) for r in results]
        self.results = {r.pk: r for r in results}
        self.documents = {d.pk: d for d in documents}
        self.datastreams = {d.pk: d for d in datastreams}
        document_choices = [(d.pk, d.title) for d in documents]
        datastream_choices = [(d.pk, f"{d.lab} – {d.name}") for d in datastreams]
        self.sections, self.formsets = [], {}
        if self.is_bound:
            self.data = _with_management_data(self.data, [p.number for p in principles])
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
            rows = evidence_rows(existing)
            formset = EvidenceFormSet(
                self.data if self.is_bound else None, prefix=f"evidence_{n}",
                initial=None if self.is_bound else rows,
                form_kwargs={"documents": document_choices, "datastreams": datastream_choices})
            if not self.is_bound and not rows:
                formset.extra = 1  # an empty row to start with
            self.formsets[n] = formset
            if result_choices:
                self.fields[f"results_{n}"] = forms.MultipleChoiceField(
                    label=_("Results of the project as evidence"), required=False,
                    choices=result_choices, widget=forms.CheckboxSelectMultiple,
                    initial=[str(e.result_id) for e in (existing.evidence.all() if existing
                                                        else []) if e.result_id])
            self.sections.append({
                "principle": principle,
                "fields": [self[f"score_{n}"], self[f"justification_{n}"]],
                "evidence": formset,
                "results": self[f"results_{n}"] if result_choices else None})
        self.index = {}
        self.rows = {}

    def is_valid(self):
        valid = super().is_valid()
        # Every formset is checked (not only up to the first invalid one): all errors show.
        formsets = [formset.is_valid() for formset in self.formsets.values()]
        return valid and all(formsets)

    @property
    def formset_list(self) -> list:
        """The evidence formsets, for the error summary at the top of the form."""
        return list(self.formsets.values())

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(
            formset.total_error_count() for formset in self.formsets.values())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version") is None:
            raise forms.ValidationError(
                _("The form lacks the version of the assessment it was opened at; reload the "
                  "page and enter your changes again."), code="version")
        return cleaned

    def evidence_items(self, n: int) -> list[dict]:
        """The evidence of principle `n` in the services' format; `self.rows[n]` maps an item's
        position to its row of the formset (for putting errors back on the row)."""
        items, rows = [], {}
        for i, row in enumerate(self.formsets[n].forms):
            data = getattr(row, "cleaned_data", None)
            if not data or data.get("DELETE") or row.is_blank():
                continue
            label, url = data.get("label", "").strip(), data.get("url", "").strip()
            item = {"label": label}
            if url:
                document = _document_for(url)  # a link to a document becomes a reference
                if document is not None:
                    item["document"] = document
                else:
                    item["url"] = url
            if data.get("document"):
                item["document"] = self.documents[data["document"]]  # one of the choices
            if data.get("datastream"):
                item["datastream"] = self.datastreams.get(data["datastream"])
            rows[len(items)] = i
            items.append(item)
        self.rows[n] = rows
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
        """Puts the service's `scores[i].<field>` errors next to the fields (and evidence
        rows) they concern."""
        pattern = re.compile(r"^scores\[(\d+)\]\.(score|justification|principle|evidence)"
                             r"(?:\[(\d+)\](?:\.(\w+))?)?")
        for key, messages in error.message_dict.items():
            match = pattern.match(key)
            if not match or int(match.group(1)) not in self.index:
                for message in messages:
                    self.add_error(None, message)
                continue
            n = self.index[int(match.group(1))]
            kind = match.group(2)
            if kind == "evidence" and match.group(3) is not None:
                position = int(match.group(3))
                row = self.rows.get(n, {}).get(position)
                if row is not None:
                    form = self.formsets[n].forms[row]
                    name = match.group(4) if match.group(4) in form.fields else "url"
                    for message in messages:
                        form.add_error(name, message)
                    continue
                name = f"results_{n}" if f"results_{n}" in self.fields else f"score_{n}"
                for message in messages:
                    self.add_error(name, message)
                continue
            name = {"score": "score", "justification": "justification",
                    "principle": "score"}.get(kind, "score")
            for message in messages:
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
            (area.slug, choice_label(area, "name")) for area in focus_areas]
