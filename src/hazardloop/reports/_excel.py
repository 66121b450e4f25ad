"""Writing frames into xlsxwriter sheets: headers, native dates, empty cells for NA."""

from __future__ import annotations

import datetime as _dt
import enum
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["Formats", "formats", "write_frame", "cell_value"]


class Formats:
    """The few cell formats the report workbooks share (one set per workbook)."""

    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.percent = workbook.add_format({"num_format": "0.0%"})
        self.number = workbook.add_format({"num_format": "0.00"})
        self.title = workbook.add_format({"bold": True, "font_size": 14})


def formats(workbook: Any) -> Formats:
    """The shared formats, added to ``workbook``."""
    return Formats(workbook)


def cell_value(value: Any) -> Any:
    """A value xlsxwriter can write: NA/NaN/NaT become None, timestamps dates, enums their value."""
    if value is None:
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, enum.Enum):
        return value.value
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (AttributeError, ValueError):
            return value
    return value


def write_frame(
    worksheet: Any,
    frame: pd.DataFrame,
    fmt: Formats,
    *,
    first_row: int = 0,
    headers: Mapping[str, str] | None = None,
    percent: tuple[str, ...] = (),
    number: tuple[str, ...] = (),
) -> int:
    """Write ``frame`` (a header row, then its rows) from ``first_row``; return the next free row.

    ``headers`` renames columns for display (English names → the Chinese column titles).
    Columns named in ``percent`` or ``number`` get those number formats.
    """
    headers = headers or {}
    for j, col in enumerate(frame.columns):
        worksheet.write(first_row, j, headers.get(col, col), fmt.header)
        width = max(8, min(40, len(str(headers.get(col, col))) * 2 + 2))
        worksheet.set_column(j, j, width)
    for i, row in enumerate(frame.itertuples(index=False), start=first_row + 1):
        for j, (col, raw) in enumerate(zip(frame.columns, row)):
            value = cell_value(raw)
            if value is None:
                worksheet.write_blank(i, j, None)
            elif isinstance(value, _dt.date):
                worksheet.write_datetime(i, j, _dt.datetime(value.year, value.month, value.day), fmt.date)
            elif isinstance(value, str):
                # never let ledger text turn into a formula or a hyperlink
                worksheet.write_string(i, j, value)
            elif isinstance(value, bool):
                worksheet.write_boolean(i, j, value)
            elif col in percent:
                worksheet.write_number(i, j, float(value), fmt.percent)
            elif col in number:
                worksheet.write_number(i, j, float(value), fmt.number)
            elif isinstance(value, (int, float)):
                worksheet.write_number(i, j, value)
            else:
                worksheet.write_string(i, j, str(value))
    return first_row + len(frame) + 1
