"""Reading users' tables and the value parsers: no store needed."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from itskg.graph.errors import DataError
from itskg.graph.importers.kinds import KINDS, SPECS, columns_markdown, template_csv
from itskg.graph.importers.mapbase import normalise_company_id, parse_date, vat_check_ok
from itskg.graph.importers.tabular import norm_header, norm_text, parse_number, read_table

DATA = Path(__file__).resolve().parents[2] / "data" / "csv"


def test_semicolon_csv_with_bom_and_crlf() -> None:
    t = read_table(DATA / "memberships_good.csv")
    assert t.delimiter == ";"
    assert t.header[0] == "academy"  # the BOM is not part of the first header name
    assert [r for r, _ in t.rows] == [2, 3, 4, 5]
    assert t.rows[1][1]["member_name"] == "Università di Bologna"


def test_comma_csv_with_quotes_and_multiline_cell_keeps_spreadsheet_row_numbers(
        tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text('Name,Note\n"A, B","two\nlines"\n\nC,"say ""hi"""\n', encoding="utf-8")
    t = read_table(p)
    assert t.delimiter == ","
    assert t.rows == [(2, {"name": "A, B", "note": "two\nlines"}),
                      (4, {"name": "C", "note": 'say "hi"'})]


def test_tab_and_cp1252(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes("città\tprovincia\nForlì\tFC\n".encode("cp1252"))
    t = read_table(p)
    assert t.header == ["citta", "provincia"]
    assert t.rows == [(2, {"citta": "Forlì", "provincia": "FC"})]


def test_xlsx_first_sheet_or_named_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Notes"
    ws.append(["just notes"])
    ws2 = wb.create_sheet("Data")
    ws2.append(["ID", "Total hours", "Since"])
    ws2.append([1234567897, 2000.0, __import__("datetime").date(2014, 5, 1)])
    p = tmp_path / "x.xlsx"
    wb.save(p)
    assert read_table(p).header == ["just_notes"]
    t = read_table(p, sheet="Data")
    assert t.rows == [(2, {"id": "1234567897", "total_hours": "2000", "since": "2014-05-01"})]
    with pytest.raises(DataError, match="no sheet named 'Nope'") as exc:
        read_table(p, sheet="Nope")
    assert "Notes, Data" in str(exc.value)


def test_unreadable_inputs_are_located(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_table(tmp_path / "missing.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataError, match="empty"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "dup.csv").write_text("name,Name\na,b\n")
    with pytest.raises(DataError) as exc:
        read_table(tmp_path / "dup.csv")
    assert exc.value.problems[0].row == 1 and exc.value.problems[0].column == "Name"


@pytest.mark.parametrize(("text", "integer", "expected"), [
    ("12", True, 12), ("1.234", True, 1234), ("1 234", True, 1234), ("12,0", True, 12),
    ("0,85", False, Decimal("0.85")), ("1.234,5", False, Decimal("1234.5")),
    ("1,234.5", False, Decimal("1234.5")), ("0.85", False, Decimal("0.85")),
])
def test_parse_number_italian_and_english(text: str, integer: bool, expected: object) -> None:
    assert parse_number(text, integer=integer) == expected


@pytest.mark.parametrize("text", ["abc", "1,5", "", "nan"])
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text, integer=True)


def test_dates() -> None:
    assert parse_date("2014") == ("2014-01-01", True)
    assert parse_date("15/05/2014") == ("2014-05-15", False)
    assert parse_date("2014-05-15") == ("2014-05-15", False)
    with pytest.raises(ValueError, match="not a date"):
        parse_date("31/02/2020")


def test_vat_and_tax_code() -> None:
    assert vat_check_ok("01234567897") and not vat_check_ok("01234567890")
    assert normalise_company_id("IT 012.345.678.97") == ("vat", "01234567897", None)
    kind, key, warn = normalise_company_id("1234567897")  # leading zero lost by Excel
    assert (kind, key) == ("vat", "01234567897") and "leading zeros" in warn
    assert "check digit" in normalise_company_id("01234567890")[2]
    assert normalise_company_id("rssmra80a01h501u") == ("cf", "RSSMRA80A01H501U", None)
    with pytest.raises(ValueError, match="neither"):
        normalise_company_id("12345")


def test_header_and_text_normalisation() -> None:
    assert norm_header(" Partita IVA ") == "partita_iva"
    assert norm_header("\ufeffEQF-level") == "eqf_level"
    assert norm_text("Valle d’Aosta/Vallée d’Aoste") == "valle d aosta vallee d aoste"


def test_templates_have_every_column_and_one_example_row() -> None:
    for kind in KINDS:
        rows = list(csv.reader(io.StringIO(template_csv(kind))))
        assert rows[0] == [c.name for c in SPECS[kind].columns]
        assert len(rows) == 2 and len(rows[1]) == len(rows[0])
        assert all(c.example for c in SPECS[kind].columns if c.required), kind
    with pytest.raises(DataError, match="Unknown table kind") as exc:
        template_csv("pizzas")
    assert "companies" in str(exc.value)


def test_columns_markdown_documents_every_column() -> None:
    md = columns_markdown()
    for kind in KINDS:
        assert f"### `{kind}`" in md
        for c in SPECS[kind].columns:
            assert f"| `{c.name}` |" in md
    # a table cell must not contain an unescaped pipe, or the Markdown table breaks
    for line in md.splitlines():
        if line.startswith("| `"):
            assert line.count("|") == 7, line
