"""Import of calls from CSV, XLSX, or the JSON of the EU Funding & Tenders portal's search
(the SEDIA search API: `results[]`, each with `metadata` lists such as identifier, title,
status, startDate, deadlineDate, deadlineModel, keywords and the JSON string budgetOverview).

Two steps: the preview reads the file, turns each row into a call and checks it exactly as the
service will (services.validate_call), and lists every problem with its row number and field,
saving nothing; the rows are kept in the session. Confirming saves them all in one transaction
through the services (so each call is audited as created or changed) or, should anything fail
now, none. A row whose (source, source identifier) exists updates that call instead of adding
a second one. Coordination office only (permissions.can_import)."""

import csv
import io
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stadtallianz.core.audit import audit_log
from stadtallianz.core.models import FocusArea
from stadtallianz.partners.models import Organisation

from . import permissions, services
from .models import Call, Deadline, Programme

MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
SESSION_KEY = "funding_import"

COLUMNS = ("source", "source_id", "programme", "title_de", "title_en", "summary_de",
           "summary_en", "state", "opens_on", "deadline", "deadline_first", "deadline_second",
           "total_budget", "min_amount", "max_amount", "expected_grants", "funding_type",
           "funding_rate", "rates", "eligible_types", "focus_areas", "region", "keywords",
           "legal_basis", "contact", "url", "links", "checklist")

# The EU portal's status codes (metadata.status).
EU_STATUS = {"31094501": Call.State.FORTHCOMING, "31094502": Call.State.OPEN,
             "31094503": Call.State.CLOSED}


@dataclass
class Row:
    number: int
    values: dict
    errors: list = field(default_factory=list)  # [(field, message)]
    action: str = ""  # "new" or "update"
    title: str = ""

    def add(self, field_name: str, messages_) -> None:
        for message in messages_ if isinstance(messages_, list | tuple) else [messages_]:
            self.errors.append((field_name, str(message)))


# ---------------------------------------------------------------------------------------------
# Reading files into rows of strings


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(name) -> str:
    return re.sub(r"[^a-z0-9_]", "", str(name or "").strip().lower().replace(" ", "_"))


def _table(rows) -> list[tuple[int, dict]]:
    """Rows of a table (header first) as (row number, {column: text}); the header row is 1."""
    iterator = iter(rows)
    try:
        header = [_header(name) for name in next(iterator)]
    except StopIteration:
        raise ValidationError(_("The file is empty.")) from None
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise ValidationError(_("Unknown columns: %(columns)s. Known are: %(known)s.")
                              % {"columns": ", ".join(unknown), "known": ", ".join(COLUMNS)})
    if "title_de" not in header and "source_id" not in header:
        raise ValidationError(_("The file needs at least the columns title_de or source_id."))
    table = []
    for number, cells in enumerate(iterator, start=2):
        # Every row read counts, blank ones too: a small compressed workbook can hold millions.
        if number - 1 > MAX_ROWS:
            raise ValidationError(_("At most %(count)s rows at a time.") % {"count": MAX_ROWS})
        values = {name: _cell(cell) for name, cell in zip(header, cells, strict=False) if name}
        if any(values.values()):
            table.append((number, values))
    return table


def read_csv(raw: bytes):
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" on Windows; the five bytes cp1252 leaves undefined become U+FFFD.
        text = raw.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count) if any(d in first for d in ";,\t") else ","
    try:
        return _table(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ValidationError(_("The file cannot be read as CSV: %(error)s")
                              % {"error": error}) from None


def read_xlsx(raw: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is no workbook
        raise ValidationError(_("The file cannot be read as an XLSX workbook.")) from None
    try:
        return _table(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def _first(metadata: dict, key: str) -> str:
    value = metadata.get(key)
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value).strip()


def _eu_budget(metadata: dict) -> dict:
    """Budget, amounts and expected grants from the JSON string budgetOverview."""
    try:
        overview = json.loads(_first(metadata, "budgetOverview") or "{}")
    except ValueError:
        return {}
    actions = [action for entries in (overview.get("budgetTopicActionMap") or {}).values()
               for action in entries or []]
    if not actions:
        return {}
    action = actions[0]
    if not isinstance(action, dict) or not isinstance(action.get("budgetYearMap") or {}, dict):
        return {}
    try:
        total = sum(Decimal(str(amount)) for amount in (action.get("budgetYearMap") or {})
                    .values() if amount not in (None, ""))
    except InvalidOperation:
        total = None  # not a number: the row's budget stays empty, the rest is imported
    values = {"total_budget": str(total) if total else "",
              "min_amount": _cell(action.get("minContribution")),
              "max_amount": _cell(action.get("maxContribution")),
              "expected_grants": _cell(action.get("expectedGrants"))}
    return {key: value for key, value in values.items() if value}


def read_eu_json(raw: bytes):
    """The EU Funding & Tenders search results, or a plain list of rows with our columns."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValidationError(_("The file cannot be read as JSON: %(error)s")
                              % {"error": error}) from None
    items = data if isinstance(data, list) else (
        data.get("results") if isinstance(data, dict) else None)
    if not isinstance(items, list):
        raise ValidationError(_("Expected the search results of the EU Funding & Tenders "
                                "portal (an object with results) or a list of rows."))
    if len(items) > MAX_ROWS:
        raise ValidationError(_("At most %(count)s rows at a time.") % {"count": MAX_ROWS})
    if any(not isinstance(item, dict) for item in items):
        raise ValidationError(_("Each result must be an object."))
    if isinstance(data, list):
        return [(number, {key: _cell(value) for key, value in item.items() if key in COLUMNS})
                for number, item in enumerate(data, start=1)]
    rows = []
    for number, result in enumerate(items, start=1):
        metadata = result.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise ValidationError(_("Result %(number)s: its metadata must be an object.")
                                  % {"number": number})
        identifier = _first(metadata, "identifier") or str(result.get("title") or "")
        deadlines = [str(value) for value in metadata.get("deadlineDate") or [] if value]
        model = _first(metadata, "deadlineModel")
        values = {
            "source": Call.Source.EU_FT, "source_id": identifier,
            "title_en": _first(metadata, "title") or str(result.get("summary") or ""),
            "summary_en": re.sub(r"<[^>]+>", " ", _first(metadata, "descriptionByte")
                                 or str(result.get("content") or "")).strip()[:5000],
            "state": EU_STATUS.get(_first(metadata, "status"), _first(metadata, "status")),
            "opens_on": _first(metadata, "startDate")[:10],
            "keywords": ", ".join(str(word) for word in metadata.get("keywords") or []),
            "url": ("https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/"
                    f"opportunities/topic-details/{identifier.lower()}") if identifier else "",
            "region": "EU", "funding_type": Call.FundingType.GRANT,
            **_eu_budget(metadata),
        }
        if model == "two-stage" and len(deadlines) >= 2:
            values["deadline_first"], values["deadline_second"] = deadlines[0], deadlines[1]
        elif deadlines:
            values["deadline"] = deadlines[-1] if model == "multiple cut-off" else deadlines[0]
        rows.append((number, {key: value for key, value in values.items() if value}))
    return rows


def read_file(upload) -> tuple[str, list[tuple[int, dict]]]:
    """(format, rows) of an uploaded file, by its name's ending."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."))
    raw = upload.read()
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        return "xlsx", read_xlsx(raw)
    if name.endswith(".json"):
        return "json", read_eu_json(raw)
    if name.endswith((".csv", ".txt")):
        return "csv", read_csv(raw)
    raise ValidationError(_("Upload a CSV, XLSX or JSON file."))


# ---------------------------------------------------------------------------------------------
# Rows into calls


def _decimal(text: str) -> Decimal:
    text = text.replace("€", "").replace("EUR", "").replace("%", "").replace("\u00a0", "")
    text = text.replace(" ", "")
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") \
            else text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".") if len(text.rsplit(",", 1)[1]) != 3 \
            else text.replace(",", "")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    elif "." in text:
        whole, fraction = text.rsplit(".", 1)
        if len(fraction) == 3 and whole.lstrip("-") not in ("", "0"):
            text = whole + fraction  # German thousands: 250.000
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Enter a number.")) from None


def _date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    raise ValueError(_("Enter a date as YYYY-MM-DD or DD.MM.YYYY."))


def _moment(text: str) -> datetime:
    """A deadline: ISO 8601 with offset (as the EU portal writes it), a local date and time
    (Germany), or a date alone, which means 17:00 Brussels time as in EU calls."""
    text = text.strip()
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?"
                         r"([+-]\d{2}:?\d{2}|Z)", text)
    if match:
        offset = match.group(3).replace("Z", "+00:00")
        if ":" not in offset:
            offset = offset[:3] + ":" + offset[3:]
        return datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}{offset}")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"):
        try:
            return timezone.make_aware(datetime.strptime(text, pattern), services.BERLIN)
        except ValueError:
            continue
    return services.eu_deadline(_date(text))


def _choice(text: str, choices) -> str:
    lowered = text.strip().lower()
    for value, label in choices:
        if lowered in (str(value).lower(), str(label).lower()):
            return value
    return text.strip()


def _list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;|]", text or "") if part.strip()]


class Context:
    """What every row looks up, read once per import."""

    def __init__(self, default_programme: Programme | None):
        self.default_programme = default_programme
        self.programmes = {}
        for programme in Programme.objects.all():
            for key in (programme.slug, programme.name_de, programme.name_en):
                if key:
                    self.programmes[key.lower()] = programme
        self.areas = {area.slug: area for area in FocusArea.objects.all()}
        for area in list(self.areas.values()):
            self.areas[area.name_de.lower()] = area
        self.type_labels = {}
        for language in ("de", "en"):
            with translation.override(language):
                self.type_labels.update({str(label).lower(): value
                                         for value, label in Organisation.Type.choices})


def build(row: Row, context: Context, seen: set):
    """The row's call (unsaved: a new one, or the existing one of the same source and source
    identifier with the row's values set), with its service arguments; problems go to
    row.errors."""
    values = row.values
    data: dict = {}
    arguments: dict = {"rates": None, "deadlines": None, "focus_areas": None}

    def convert(name, function):
        text = values.get(name, "")
        if text == "":
            return None
        try:
            return function(text)
        except ValueError as error:
            row.add(name, str(error))
            return None

    for name in ("title_de", "title_en", "summary_de", "summary_en", "region", "keywords",
                 "legal_basis", "contact", "url", "links", "checklist", "source_id"):
        if name in values:
            data[name] = values[name]
    data["source"] = _choice(values.get("source") or Call.Source.MANUAL, Call.Source.choices)
    if "state" in values:
        data["state"] = _choice(values["state"], Call.State.choices)
    if "funding_type" in values:
        data["funding_type"] = _choice(values["funding_type"], Call.FundingType.choices)
    for name in ("total_budget", "min_amount", "max_amount", "funding_rate"):
        if name in values:
            data[name] = convert(name, _decimal)
    if "expected_grants" in values:
        grants = convert("expected_grants", _decimal)
        data["expected_grants"] = int(grants) if grants is not None else None
    if "opens_on" in values:
        data["opens_on"] = convert("opens_on", _date)
    if "eligible_types" in values:
        data["eligible_types"] = [context.type_labels.get(item.lower(), item)
                                  for item in _list(values["eligible_types"])]
    if "rates" in values:
        rates = {}
        for item in _list(values["rates"]):
            applicant_type, _sep, rate = item.partition(":")
            applicant_type = context.type_labels.get(applicant_type.strip().lower(),
                                                     applicant_type.strip())
            try:
                rates[applicant_type] = _decimal(rate)
            except ValueError as error:
                row.add("rates", str(error))
        arguments["rates"] = rates
    stages = {"deadline": Deadline.Stage.SINGLE, "deadline_first": Deadline.Stage.FIRST,
              "deadline_second": Deadline.Stage.SECOND}
    if any(values.get(name) for name in stages):
        deadlines = []
        for name, stage in stages.items():
            moment = convert(name, _moment)
            if moment is not None:
                deadlines.append({"stage": stage, "due_at": moment})
        arguments["deadlines"] = deadlines
    if "focus_areas" in values:
        areas = []
        for item in _list(values["focus_areas"]):
            area = context.areas.get(item) or context.areas.get(item.lower())
            if area is None:
                row.add("focus_areas", _("Unknown focus area: %(area)s.") % {"area": item})
            else:
                areas.append(area)
        arguments["focus_areas"] = areas
    programme = context.default_programme
    if values.get("programme"):
        programme = context.programmes.get(values["programme"].lower())
        if programme is None:
            row.add("programme", _("Unknown programme: %(name)s.") % {"name": values["programme"]})
    data["programme"] = programme
    if not data.get("title_de") and data.get("title_en"):
        data["title_de"] = data["title_en"]  # the portal is in English; German follows by hand

    key = (data["source"], data.get("source_id") or "")
    call = None
    if key[1]:
        if key in seen:
            row.add("source_id", _("The file holds this source identifier twice."))
        seen.add(key)
        call = Call.objects.filter(source=key[0], source_id=key[1]).first()
    row.action = "update" if call else "new"
    if call is None:
        call = Call(slug="import-preview")
    for name, value in data.items():
        setattr(call, name, value)
    if call.eligible_types is None:
        call.eligible_types = []
    row.title = call.title_de or call.title_en
    return call, {"data": data, **arguments}


def check(rows: list[Row], context: Context) -> None:
    """Fills each row's errors by the service's own validation; saves nothing."""
    seen: set = set()
    for row in rows:
        call, arguments = build(row, context, seen)
        rates = arguments["rates"]
        deadlines = arguments["deadlines"]
        if call.pk:
            if rates is None:
                rates = {rate.applicant_type: rate.rate for rate in call.rates.all()}
            if deadlines is None:
                deadlines = [{"stage": d.stage, "due_at": d.due_at} for d in call.deadlines.all()]
        try:
            services.validate_call(call, rates=rates, deadlines=deadlines)
        except ValidationError as error:
            for name, messages_ in error.message_dict.items():
                if name == "slug":
                    continue
                if not any(existing == name for existing, _m in row.errors):
                    row.add(name, messages_)


def save(rows: list[Row], context: Context, *, actor, filename: str) -> tuple[int, int]:
    """Creates or updates every row's call, all or none. Returns (created, updated)."""
    if not permissions.can_import(actor):
        raise PermissionDenied
    created = updated = 0
    with transaction.atomic():
        seen: set = set()
        for row in rows:
            call, arguments = build(row, context, seen)
            if row.errors:
                raise ValidationError({row.errors[0][0]: row.errors[0][1]})
            try:
                if call.pk:
                    services.update_call(call=call, actor=actor, verified=True, **arguments)
                    updated += 1
                else:
                    arguments["focus_areas"] = arguments["focus_areas"] or []
                    services.create_call(actor=actor, verified=True, **arguments)
                    created += 1
            except ValidationError as error:
                for name, messages_ in error.message_dict.items():
                    row.add(name, messages_)
                raise
        audit_log(actor=actor, action="funding.call.imported", target=None,
                  object_repr=filename[:200],
                  after={"file": filename[:200], "created": created, "updated": updated})
    return created, updated


# ---------------------------------------------------------------------------------------------
# The page


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV or XLSX with a header row (columns as in the example "
                               "below), or the JSON of a search in the EU Funding & Tenders "
                               "portal."))
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme for rows that name none"), required=False,
        queryset=Programme.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.order_by("name_de")


def _rows(table) -> list[Row]:
    return [Row(number=number, values=values) for number, values in table]


@login_required
def import_view(request):
    if not permissions.can_import(request.user):
        raise PermissionDenied
    form = ImportForm()
    rows, status = None, 200
    if request.method == "POST" and request.POST.get("action") == "confirm":
        stored = request.session.get(SESSION_KEY)
        if not stored or stored.get("token") != request.POST.get("token"):
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("funding:import")
        programme = Programme.objects.filter(pk=stored.get("programme")).first()
        rows = _rows(stored["rows"])
        try:
            created, updated = save(rows, Context(programme), actor=request.user,
                                    filename=stored["filename"])
        except ValidationError:
            status = 400
            messages.error(request, _("Nothing has been saved: the calls have changed since "
                                      "the preview."))
        else:
            del request.session[SESSION_KEY]
            messages.success(request, _("Imported: %(created)s new, %(updated)s updated.")
                             % {"created": created, "updated": updated})
            return redirect("funding:call_list")
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                _format, table = read_file(upload)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                rows = _rows(table)
                programme = form.cleaned_data["programme"]
                check(rows, Context(programme))
                if not rows:
                    form.add_error("file", _("The file holds no rows."))
                elif not any(row.errors for row in rows):
                    request.session[SESSION_KEY] = {
                        "token": secrets.token_urlsafe(16), "rows": table,
                        "programme": programme.pk if programme else None,
                        "filename": upload.name or ""}
        if form.errors or (rows and any(row.errors for row in rows)):
            status = 400
    return render(request, "funding/import.html", {
        "form": form, "rows": rows, "columns": COLUMNS,
        "has_errors": bool(rows) and any(row.errors for row in rows),
        "token": (request.session.get(SESSION_KEY) or {}).get("token")
        if rows and not any(row.errors for row in rows) else None,
    }, status=status)
