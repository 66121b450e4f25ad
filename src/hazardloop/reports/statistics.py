"""Quarterly and annual statistics (统计分析表, 16号令 第十四条), per unit and per town.

16号令 第十四条 asks a unit to report its hazard checking and rectification every quarter and
year. For a period (a quarter ``2026Q1``, a year ``2026`` or a month ``2026-03``), read from the
register as it stood at the period's end:

- ``found`` / ``found_general`` / ``found_major``: hazards found in the period, by their level at
  the period's end; withdrawn (false reports) and voided (mistaken entries) ones are left out.
- ``rectified`` / ``rectified_general`` / ``rectified_major``: hazards struck off in the period and
  still struck off at its end (one reopened by 回头看 and not closed again is not rectified).
- ``rectification_rate``: of the hazards found in the period, the share struck off by its end.
- ``funds``: rectification funds (整改资金, 万元) of the hazards rectified in the period — money
  spent on work that was finished and accepted.
- ``open``, ``overdue``, ``open_major``: at the period's end (whenever found).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hazardloop.deadlines import Status
from hazardloop.records import Level, Stage
from hazardloop.register import Register
from hazardloop.reports._common import Period, ReportError, parse_period
from hazardloop.reports._excel import formats, write_frame

__all__ = ["STATISTICS_COLUMNS", "STATISTICS_TITLES", "statistics_table", "write_statistics"]

STATISTICS_COLUMNS = (
    "found",
    "found_general",
    "found_major",
    "rectified",
    "rectified_general",
    "rectified_major",
    "rectification_rate",
    "funds",
    "open",
    "overdue",
    "open_major",
)
"""The statistics columns, after the period and the group columns."""

STATISTICS_TITLES = {
    "period": "统计期",
    "unit_code": "单位代码",
    "unit_name": "单位名称",
    "town": "乡镇(街道)",
    "found": "排查隐患",
    "found_general": "其中一般隐患",
    "found_major": "其中重大隐患",
    "rectified": "已整改销号",
    "rectified_general": "其中一般隐患",
    "rectified_major": "其中重大隐患",
    "rectification_rate": "整改率",
    "funds": "整改资金(万元)",
    "open": "期末未销号",
    "overdue": "期末超期",
    "open_major": "期末在办重大隐患",
}
"""The Chinese column titles."""


def statistics_table(register: Register, period: str | Period, *, by: str = "unit_code") -> pd.DataFrame:
    """统计分析表 for a quarter, year or month, one row per unit (``by="unit_code"``) or town.

    Every unit (or town) of the unit register is listed, with zeros if it had no hazard.
    """
    if by not in ("unit_code", "town"):
        raise ReportError(f"statistics are per unit_code or town, not {by!r}")
    p = parse_period(period)
    frame = register.frame(p.last)
    frame = frame[~frame["stage"].isin([Stage.WITHDRAWN.value, Stage.VOIDED.value])]
    first, last = pd.Timestamp(p.first), pd.Timestamp(p.last)
    major = frame["level"].astype(str) == Level.MAJOR.value
    found = frame["found_on"].between(first, last)
    closed = (frame["stage"] == Stage.CLOSED.value) & frame["closed_on"].between(first, last)
    is_open = frame["stage"].isin([s.value for s in Stage if s.is_open])
    parts = pd.DataFrame(
        {
            by: frame[by].astype(str),
            "found": found.astype(int),
            "found_general": (found & ~major).astype(int),
            "found_major": (found & major).astype(int),
            "rectified": closed.astype(int),
            "rectified_general": (closed & ~major).astype(int),
            "rectified_major": (closed & major).astype(int),
            "_found_closed": (found & (frame["stage"] == Stage.CLOSED.value)).astype(int),
            "funds": frame["funds"].where(closed, 0.0).fillna(0.0),
            "open": is_open.astype(int),
            "overdue": (frame["status"].astype(str) == Status.OVERDUE.value).astype(int),
            "open_major": (is_open & major).astype(int),
        }
    )
    sums = parts.groupby(by).sum()
    units = register.units()
    keys = [u.code for u in units] if by == "unit_code" else [u.town for u in units]
    sums = sums.reindex(sorted(set(sums.index) | set(keys)), fill_value=0)
    found_n = sums["found"].astype(float)
    sums["rectification_rate"] = np.where(found_n > 0, sums["_found_closed"] / found_n.where(found_n > 0, 1.0), np.nan)
    out = sums.reset_index(names=by)
    for c in STATISTICS_COLUMNS:
        if c not in ("rectification_rate", "funds"):
            out[c] = out[c].astype("int64")
    out["funds"] = out["funds"].astype(float).round(4)
    out.insert(0, "period", p.label)
    lead = ["period", by]
    if by == "unit_code":
        names = {u.code: (u.name, u.town) for u in units}
        town_of = frame.drop_duplicates("unit_code").set_index("unit_code")["town"].to_dict()
        out["unit_name"] = out["unit_code"].map(lambda c: names.get(c, ("", ""))[0])
        out["town"] = out["unit_code"].map(lambda c: names[c][1] if c in names else town_of.get(c, ""))
        lead += ["unit_name", "town"]
    return out[[*lead, *STATISTICS_COLUMNS]]


def write_statistics(register: Register, period: str | Period, path: str | Path) -> Path:
    """Write the statistics of a period, per unit and per town, as an ``.xlsx`` workbook."""
    import xlsxwriter

    out = Path(path)
    wb = xlsxwriter.Workbook(str(out))
    try:
        fmt = formats(wb)
        for by, title in (("unit_code", "按单位"), ("town", "按乡镇")):
            table = statistics_table(register, period, by=by)
            ws = wb.add_worksheet(title)
            write_frame(ws, table, fmt, headers=STATISTICS_TITLES, percent=("rectification_rate",),
                        number=("funds",))
            ws.freeze_panes(1, 2)
    finally:
        wb.close()
    return out
