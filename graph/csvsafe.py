"""CSV formula neutralisation (OWASP "CSV Injection"), used by every CSV itskg writes.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some,
a tab or carriage return) as a formula, so a label such as ``=HYPERLINK(...)`` in the data
would become live in a policy officer's Excel. OWASP recommends prefixing such cells with a
single quote, which spreadsheets display as text. Numbers (``-5``, ``+3.2e4``) are left as
they are: they cannot be formulas and analysts need them numeric.

Written everywhere CSV leaves itskg: SPARQL results in CSV (``/sparql``, ``/api/queries``,
``itskg query -f csv``), network exports (``nodes.csv``, ``edges.csv``) and
``itskg network -f csv``. TSV results are not changed: SPARQL TSV writes literals in quotes
and IRIs in angle brackets, so no cell starts with a formula character.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

__all__ = ["FORMULA_START", "neutralise_csv", "safe_cell", "safe_row"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_RISKY = re.compile(rb'(?:^|[,\n])"?[=+\-@\t\r]')


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when a spreadsheet would read it as a formula.

    >>> safe_cell("=1+1"), safe_cell("@SUM(A1)"), safe_cell("-12.5"), safe_cell("Bologna")
    ("'=1+1", "'@SUM(A1)", '-12.5', 'Bologna')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(
            value):
        return "'" + value
    return value


def safe_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row (dict) with every cell passed through ``safe_cell``."""
    return {k: safe_cell(v) for k, v in row.items()}


def neutralise_csv(body: bytes) -> bytes:
    """CSV bytes with every risky cell neutralised; unchanged (same object) when none is.

    The header row is kept as is. Line ends become CRLF (RFC 4180) when a rewrite happens.
    """
    if not _RISKY.search(body):
        return body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    for i, row in enumerate(rows):
        w.writerow(row if i == 0 else [safe_cell(c) for c in row])
    return out.getvalue().encode("utf-8")
