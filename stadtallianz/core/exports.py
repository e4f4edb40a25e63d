"""CSV and XLSX: the exports every app streams, and the check of uploaded CSV files.

Spreadsheet programs run a cell starting with =, +, -, @, a tab or a carriage return as a
formula (OWASP "CSV injection"). Every text cell an export writes is therefore defused with a
leading apostrophe, and an uploaded CSV file with such a cell is refused, naming the cell.
"""

import csv
import io
import re

from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from .text import attachment_header, without_controls

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A signed number ("-3,5", "+1.2e3") starts like a formula but is read as a number.
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)*|[.,]\d+)([eE][+-]?\d+)?")
_DELIMITERS = (";", ",", "\t", "|")


def safe_cell(value):
    """A cell as spreadsheet programs may read it: no control characters (XLSX cannot hold
    them; core/text.py), and a text that would start a formula defused."""
    if not isinstance(value, str):
        return value
    value = without_controls(value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    """A file for csv.writer that hands each line back instead of keeping it."""

    def write(self, value):
        return value


def _csv_text(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ", timespec="seconds")
    return safe_cell(value)


def csv_lines(headers: list[str], rows):
    """The lines of a CSV file, one at a time, every cell made safe."""
    writer = csv.writer(_Echo())
    # A byte-order mark, so spreadsheet programs read the UTF-8 umlauts correctly.
    yield "\ufeff" + writer.writerow([safe_cell(header) for header in headers])
    for row in rows:
        yield writer.writerow([_csv_text(value) for value in row])


def csv_response(filename: str, headers: list[str], rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(headers, rows),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment_header(filename)
    return response


def xlsx_response(filename: str, title: str, headers: list[str], rows) -> HttpResponse:
    # Write-only mode keeps only the current row in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([safe_cell(header) for header in headers])
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = attachment_header(filename)
    return response


def is_formula(cell: str) -> bool:
    """Whether a spreadsheet program would run `cell` as a formula (a signed number it reads
    as a number)."""
    return cell.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(cell)


def _delimiter(text: str) -> str:
    """The delimiter of the file: the one its first line holds most often (German spreadsheet
    programs write ";", others ","); "," when the line holds none."""
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def check_csv_upload(upload, *, encoding: str) -> None:
    """A ValidationError naming the first cell of the uploaded CSV file that a spreadsheet
    program would run as a formula (row and column counted from 1, the header being row 1)."""
    upload.seek(0)
    raw = upload.read()
    upload.seek(0)
    try:
        # The charset comes from content sniffing: it may be missing or name no codec Python has.
        text = raw.decode(encoding or "utf-8").removeprefix("\ufeff")
    except (LookupError, UnicodeDecodeError):
        raise ValidationError(_("The file cannot be read as CSV (near row %(row)s)."),
                              code="csv_unreadable", params={"row": 1}) from None
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for row_number, row in enumerate(rows, start=1):
            for column_number, cell in enumerate(row, start=1):
                if is_formula(cell):
                    raise ValidationError(
                        _("The CSV file holds a formula in row %(row)s, column %(column)s "
                          "(a cell starting with =, +, -, @, a tab or a line break). "
                          "Spreadsheet programs would run it; remove it or put an apostrophe "
                          "before it."),
                        code="csv_formula", params={"row": row_number, "column": column_number})
    except csv.Error:
        raise ValidationError(_("The file cannot be read as CSV (near row %(row)s)."),
                              code="csv_unreadable", params={"row": rows.line_num}) from None
