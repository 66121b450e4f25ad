"""Fixture builders for the ledger tests: small workbooks and CSV files written on the spot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from hazardloop.ledger import ImportOptions
from hazardloop.testing import make_register

Merge = tuple[int, int, int, int, Any]  # first_row, first_col, last_row, last_col, value (0-based)


def write_xlsx(
    path: Path,
    sheets: dict[str, Sequence[Sequence[Any]]] | Sequence[Sequence[Any]],
    merges: dict[str, Iterable[Merge]] | None = None,
) -> Path:
    """A workbook with one sheet per entry; dates as real Excel dates, text always as text."""
    if not isinstance(sheets, dict):
        sheets = {"Sheet1": sheets}
    merges = merges or {}
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        covered = set()
        for r0, c0, r1, c1, value in merges.get(name, ()):
            ws.merge_range(r0, c0, r1, c1, value)
            covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None or (r, c) in covered:
                    continue
                if isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, v, date)
                elif isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date)
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, str(v))
    book.close()
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> Path:
    """A CSV file in ``encoding`` (``utf-8-sig`` writes a BOM)."""
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def fresh_register(day: str = "2021-06-01"):  # type: ignore[no-untyped-def]
    """An empty register on a fixed clock."""
    register, _ = make_register(day)
    return register


OPTIONS = ImportOptions(default_town="城关镇")
"""Options for ledgers without a 所属乡镇 column."""
