"""The formula-safe exports and the formula check of uploaded CSV files (core/exports.py)."""

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from stadtallianz.core.exports import (
    check_csv_upload,
    csv_response,
    is_formula,
    safe_cell,
    xlsx_response,
)


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+49", "'+49"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tab", "'\tab"), ("Münster", "Münster"), ("a=b", "a=b"), (17, 17), (None, None),
])
def test_safe_cell_defuses_formulas(value, expected):
    assert safe_cell(value) == expected


def test_csv_and_xlsx_responses_defuse_every_text_cell():
    rows = [["=HYPERLINK(\"http://evil.example\")", 3, None], ["ok", -2, "@x"]]
    response = csv_response("a b.csv", ["=Kopf", "Zahl", "Leer"], rows)
    assert response["Content-Disposition"] == 'attachment; filename="a b.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["'=Kopf", "Zahl", "Leer"], ["'=HYPERLINK(\"http://evil.example\")", "3", ""],
        ["ok", "-2", "'@x"]]
    response = xlsx_response("a.xlsx", "Blatt", ["=Kopf"], [["+1+1", 5]])
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["'=Kopf", None], ["'+1+1", 5]]


@pytest.mark.parametrize("cell,formula", [
    ("=A1", True), ("+A1", True), ("-A1", True), ("@SUM(A1:A2)", True), ("\t=1", True),
    ("\r=1", True), ("-1+2", True), ("+49 251 1234", True),
    ("-3", False), ("-3,5", False), ("+1.25e3", False), ("-.5", False), ("Münster", False),
    ("", False), ("a=b", False),
])
def test_is_formula_leaves_signed_numbers_alone(cell, formula):
    assert is_formula(cell) is formula


def _upload(text: str, encoding="utf-8"):
    return SimpleUploadedFile("daten.csv", text.encode(encoding), content_type="text/csv")


@pytest.mark.parametrize("text,row,column", [
    ("Jahr;Wert\n2024;=1+1\n", 2, 2),
    ("Jahr,Wert,Ort\n2024,17,Münster\n2025,18,@cmd\n", 3, 3),
    ('a;b\n"=HYPERLINK(""http://evil.example"")";1\n', 2, 1),
    ('a;b\n"mehr\nzeilig";1\n1;"\t=1"\n', 3, 2),      # a quoted line break is one row
    ("=SUMME(A1)\n", 1, 1),
])
def test_csv_upload_with_a_formula_is_refused_naming_the_cell(text, row, column):
    upload = _upload(text)
    with pytest.raises(ValidationError) as refused:
        check_csv_upload(upload, encoding="utf-8")
    error = refused.value
    assert error.code == "csv_formula"
    assert error.params == {"row": row, "column": column}
    assert f"Zeile {row}, Spalte {column}" in error.messages[0]
    assert upload.tell() == 0


@pytest.mark.parametrize("text,encoding", [
    ("Jahr;Wert\n2024;-3,5\n2025;+17\n", "utf-8"),
    ("\ufeffmonat;pm10\n2025-01;21.4\n", "utf-8"),
    ("Ort;Wert\nMünster;a=b\n", "windows-1252"),
    ("", "utf-8"),
])
def test_csv_upload_without_formulas_passes(text, encoding):
    check_csv_upload(_upload(text, encoding), encoding=encoding)
