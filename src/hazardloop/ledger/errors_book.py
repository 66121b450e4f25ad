"""The error workbook: rejected rows in the ledger's own columns plus the reason, to fix and re-import."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from hazardloop.ledger.importer import ImportReport

__all__ = ["write_error_workbook", "REASON_HEADER", "WHERE_HEADER"]

REASON_HEADER = "错误原因"
WHERE_HEADER = "原位置"
"""Both headers are known to the column table as derived columns, so a fixed error workbook
imports again without them becoming extra fields."""


def _sheet_name(n: int, sheet: str, used: set[str]) -> str:
    bad = '[]:*?/\\'
    base = "".join("_" if ch in bad else ch for ch in sheet)[:25] or f"表{n}"
    name, i = base, 1
    while name in used:
        i += 1
        name = f"{base[:22]}_{i}"
    used.add(name)
    return name


def write_error_workbook(report: ImportReport, path: str | Path) -> int:
    """Write every rejected row to ``path``, one sheet per source sheet; return the rows written.

    Each sheet has the source sheet's 填报单位/填报日期 lines (when it had them: rows may rely on
    them for their unit or date found), its headers (a two-row header flattened to ``组-列``),
    then 错误原因 (column, value and reason) and 原位置 (file, sheet, Excel row). Text is written
    as text, dates as dates.
    """
    import xlsxwriter

    rejected = report.rejected_rows()
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False})
    try:
        head = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        used: set[str] = set()
        headers = {(f, s): h for f, s, h in report.columns}
        metas = {(f, s): m for f, s, m in report.meta}
        groups: dict[tuple[str, str], list[Any]] = {}
        for r in rejected:
            groups.setdefault((r.file, r.sheet), []).append(r)
        if not groups:
            book.add_worksheet("无错误").write_string(0, 0, "没有被拒绝的行")
        for n, ((file, sheet), rows) in enumerate(groups.items(), 1):
            ws = book.add_worksheet(_sheet_name(n, sheet, used))
            cols = list(headers.get((file, sheet), ()))
            # the 填报单位/填报日期 lines the rows relied on (a unit or date found they did not repeat)
            top = 0
            for key, value in metas.get((file, sheet), ()):
                ws.write_string(top, 0, f"{key}：{value}")
                top += 1
            for c, h in enumerate([*cols, REASON_HEADER, WHERE_HEADER]):
                ws.write_string(top, c, h, head)
                ws.set_column(c, c, 14)
            ws.freeze_panes(top + 1, 0)
            for i, r in enumerate(rows, top + 1):
                for c, v in enumerate(r.cells[: len(cols)]):
                    if v is None:
                        continue
                    if isinstance(v, _dt.datetime):
                        ws.write_datetime(i, c, v, date_fmt)
                    elif isinstance(v, _dt.date):
                        ws.write_datetime(i, c, _dt.datetime(v.year, v.month, v.day), date_fmt)
                    elif isinstance(v, bool):
                        ws.write_boolean(i, c, v)
                    elif isinstance(v, (int, float)):
                        ws.write_number(i, c, v)
                    else:
                        ws.write_string(i, c, str(v))
                why = r.reason
                if r.column:
                    why = f"[{r.column}] {why}" + (f" (值: {r.value})" if r.value else "")
                ws.write_string(i, len(cols), why)
                ws.write_string(i, len(cols) + 1, f"{Path(r.file).name} / {r.sheet} / 第{r.row}行")
    finally:
        book.close()
    return len(rejected)
