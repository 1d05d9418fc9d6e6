"""Reading users' tables (CSV in any usual dialect, XLSX) into rows numbered as in a spreadsheet.

CSV files are decoded as UTF-8 (a byte-order mark is dropped; cp1252 is tried when the file is
not UTF-8, as Excel on Windows writes), and the delimiter (``,`` ``;`` tab or ``|``) is sniffed
on a sample with :class:`csv.Sniffer`, falling back to counting candidates on the header line.
XLSX files are read with openpyxl: the first sheet, or the one named by ``sheet``.

Row numbers are those a user sees in a spreadsheet: the header is row 1, the first data row is
row 2 (a CSV record spanning several lines because of a quoted newline is still one row).
Header names are normalised (case, spaces, hyphens, accents) so ``Partita IVA`` matches
``partita_iva``; numbers written the Italian way (``1.234,5``) are parsed by :func:`parse_number`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from itskg.graph.errors import DataError, Problem

__all__ = ["Table", "norm_header", "norm_text", "parse_number", "read_table"]

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"


@dataclass
class Table:
    """A table read from a file: normalised header names and rows keyed by them."""

    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    raw_header: list[str] = field(default_factory=list)
    delimiter: str | None = None
    sheet: str | None = None

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def norm_text(value: str) -> str:
    """Case-, accent- and punctuation-insensitive key: ``"Forlì-Cesena"`` -> ``"forli cesena"``."""
    s = unicodedata.normalize("NFKD", value)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"[’'`´\-_/.,;:()\"]+", " ", s)
    return " ".join(s.split())


def norm_header(name: str) -> str:
    """Header key: ``" Partita IVA "`` -> ``"partita_iva"``; ``"EQF level"`` -> ``"eqf_level"``."""
    return norm_text(name.replace("\ufeff", "")).replace(" ", "_")


def read_table(path: Path, *, sheet: str | None = None) -> Table:
    """Read a CSV or XLSX file; raise DataError (located at the file) if it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found.", [Problem("no such file", file=str(path))])
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        raise DataError(
            f"{path.name}: old Excel .xls files are not supported.",
            [Problem("save the sheet as .xlsx or .csv and import that", file=path.name)],
        )
    if sheet is not None:
        raise DataError(
            f"{path.name}: --sheet applies to .xlsx files only.",
            [Problem(f"sheet {sheet!r} given for a CSV file", file=path.name)],
        )
    return _read_csv(path)


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as err:
            raise DataError(
                f"{name}: not UTF-8 text.",
                [Problem(f"cannot decode the file ({err}); save it as CSV UTF-8", file=name)],
            ) from err


def _sniff_delimiter(sample: str) -> str:
    first = sample.split("\n", 1)[0]
    try:
        d = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
        if d in first:
            return d
    except csv.Error:
        pass
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path) -> Table:
    text = _decode(path.read_bytes(), path.name)
    if not text.strip():
        raise DataError(f"{path.name}: the file is empty.",
                        [Problem("no header row", file=path.name, row=1)])
    delimiter = _sniff_delimiter(text[:SNIFF_BYTES])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as err:
        raise DataError(f"{path.name}: not a readable CSV file.",
                        [Problem(str(err), file=path.name, row=reader.line_num)]) from err
    return _table(path.name, records, delimiter=delimiter)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises several unrelated types for broken files
        raise DataError(f"{path.name}: not a readable .xlsx workbook.",
                        [Problem(str(err), file=path.name)]) from err
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise DataError(
                f"{path.name}: no sheet named {sheet!r}.",
                [Problem(f"sheets in this workbook: {', '.join(wb.sheetnames)}", file=path.name)],
            )
        records = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        return _table(path.name, records, sheet=ws.title)
    finally:
        wb.close()


def _table(name: str, records: list[list[str]], *, delimiter: str | None = None,
           sheet: str | None = None) -> Table:
    if not records or not any(c.strip() for c in records[0]):
        raise DataError(f"{name}: the first row must be the header row.",
                        [Problem("row 1 is empty", file=name, row=1)])
    raw = [c.strip() for c in records[0]]
    while raw and not raw[-1]:
        raw.pop()
    header = [norm_header(c) for c in raw]
    problems = [
        Problem(f"column {raw[i]!r} appears twice", file=name, row=1, column=raw[i])
        for i, h in enumerate(header) if h and h in header[:i]
    ]
    if problems:
        raise DataError(f"{name}: the header row has duplicate columns.", problems)
    table = Table(file=name, header=header, raw_header=raw, delimiter=delimiter, sheet=sheet)
    for i, rec in enumerate(records[1:], start=2):
        if not any(c.strip() for c in rec):
            continue
        row = {h: (rec[j].strip() if j < len(rec) else "") for j, h in enumerate(header) if h}
        table.rows.append((i, row))
    return table


_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(text: str, *, integer: bool = False) -> int | Decimal:
    """Parse ``"1.234,5"``, ``"1234,5"``, ``"1,234.5"``, ``"12"``; raise ValueError if not a number.

    A lone comma is a decimal comma (Italian style); ``"1.234"`` is one thousand two hundred
    thirty-four when an integer is expected. ``integer=True`` rejects fractional values.
    """
    s = text.strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    if not s:
        raise ValueError("empty")
    if _THOUSANDS_DOT.match(s) and (integer or "," in s):
        s = s.replace(".", "").replace(",", ".")
    elif _THOUSANDS_COMMA.match(s) and "." in s:
        s = s.replace(",", "")
    elif "," in s and "." not in s and s.count(",") == 1:
        s = s.replace(",", ".")
    try:
        d = Decimal(s)
    except InvalidOperation as err:
        raise ValueError(f"{text!r} is not a number") from err
    if not d.is_finite():
        raise ValueError(f"{text!r} is not a number")
    if integer:
        if d != d.to_integral_value():
            raise ValueError(f"{text!r} is not a whole number")
        return int(d)
    return d
