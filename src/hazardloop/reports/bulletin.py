"""The monthly bulletin (通报): summary, overdue list, new major hazards, town ranking, charts.

:func:`build_bulletin` gathers the figures as frames (a host or the command line can print
them); :func:`write_bulletin` writes them as a workbook with native Excel charts (xlsxwriter),
one sheet each: 概况 (summary), 超期隐患 (every overdue hazard with its responsible unit and its
supervising department), 新增重大隐患 (major hazards listed in the month), 亮晒排名 (the towns by
control index), 逐月对账 (the month's reconciliation by town) and 图表 (open vs struck off by
town; the index by town), and the four-colour map's sheet (四色图) when one is given.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path

import attrs
import pandas as pd

from hazardloop.deadlines import Status
from hazardloop.records import Event, EventKind, Level, Stage
from hazardloop.register import Register
from hazardloop.reports._common import Period, as_date, histories, parse_month, report_day
from hazardloop.reports._excel import formats, write_frame
from hazardloop.reports.fourcolour import FourColourMap, write_map_sheet
from hazardloop.reports.control_index import COMPONENTS, ControlIndexConfig, control_index_from_frame
from hazardloop.reports.reconciliation import monthly_reconciliation

__all__ = ["Bulletin", "build_bulletin", "write_bulletin", "OVERDUE_COLUMNS", "NEW_MAJOR_COLUMNS"]

OVERDUE_COLUMNS = {
    "hazard_id": "隐患编号",
    "town": "乡镇(街道)",
    "unit_code": "单位代码",
    "unit_name": "单位名称",
    "domain": "行业领域",
    "level": "隐患等级",
    "description": "隐患描述",
    "stage": "所处环节",
    "responsible_unit": "责任单位",
    "responsible_unit_name": "责任单位名称",
    "supervising_department": "监管部门",
    "listing_level": "挂牌督办",
    "original_deadline": "原定期限",
    "effective_deadline": "整改期限",
    "days_overdue": "超期天数",
}
"""The overdue list's columns and their titles."""

NEW_MAJOR_COLUMNS = {
    "hazard_id": "隐患编号",
    "town": "乡镇(街道)",
    "unit_code": "单位代码",
    "unit_name": "单位名称",
    "domain": "行业领域",
    "description": "隐患描述",
    "found_on": "发现日期",
    "listed_on": "列为重大日期",
    "stage": "所处环节",
    "responsible_unit": "责任单位",
    "supervising_department": "监管部门",
    "listing_level": "挂牌督办",
    "effective_deadline": "整改期限",
}
"""The new-major-hazards list's columns and their titles."""

_RECON_TITLES = {
    "month": "月份",
    "town": "乡镇(街道)",
    "opening": "期初在办",
    "new": "本月新增",
    "struck_off": "本月销号",
    "reopened": "回头看重新打开",
    "withdrawn": "本月撤销",
    "voided": "本月作废(在办)",
    "closing": "期末在办",
    "voided_closed": "本月作废(已销号)",
    "overdue": "超期未整改",
    "closed_in_month": "本月销号隐患数",
    "closed_on_time": "其中按期",
    "closed_on_time_original": "其中按原定期限",
    "on_time_rate": "按期销号率",
    "on_time_rate_original": "按原定期限销号率",
    "open_major": "在办重大隐患",
}

_RANK_TITLES = {
    "rank": "排名",
    "town": "乡镇(街道)",
    "index": "管控力指数",
    **COMPONENTS,
    "found": "累计发现",
    "open": "在办",
    "closed": "已销号",
    "closed_on_time": "按期销号",
    "overdue": "超期",
    "ever_closed": "曾销号",
    "ever_reopened": "曾被回头看打开",
    "major": "重大隐患",
    "open_major": "在办重大隐患",
}


@attrs.frozen(eq=False)
class Bulletin:
    """A month's bulletin: the figures, ready to print or write.

    ``summary`` is a tuple of (title, value) pairs; the frames use English column names
    (their Chinese titles are :data:`OVERDUE_COLUMNS` and :data:`NEW_MAJOR_COLUMNS`).
    """

    month: str
    as_of: _dt.date
    summary: tuple[tuple[str, object], ...]
    overdue: pd.DataFrame
    new_major: pd.DataFrame
    ranking: pd.DataFrame
    reconciliation: pd.DataFrame
    config: ControlIndexConfig

    def summary_text(self) -> str:
        """The summary as lines of ``title: value`` (rates as percentages)."""
        lines = []
        for title, value in self.summary:
            if isinstance(value, float):
                value = "—" if value != value else f"{value:.1%}"
            lines.append(f"{title}: {value}")
        return "\n".join(lines)


def _new_major(
    hist: Sequence[tuple[str, Sequence[Event]]], month: Period, frame: pd.DataFrame, day: _dt.date
) -> pd.DataFrame:
    """Major hazards on ``day`` (the report date, in the month) that became major in the month
    (found so, or regraded)."""
    listed: dict[str, _dt.date] = {}
    for hid, events in hist:
        level = None
        for ev in events:
            if ev.occurred_on > day:
                break
            new_level = None
            if ev.kind is EventKind.DISCOVER:
                new_level = ev.payload.level  # type: ignore[union-attr]
            elif ev.kind in (EventKind.REGRADE, EventKind.DETERMINE):
                new_level = ev.payload.level  # type: ignore[union-attr]
            if new_level is not None:
                if new_level is Level.MAJOR and level is not Level.MAJOR and ev.occurred_on in month:
                    listed[hid] = ev.occurred_on
                level = new_level
    rows = frame[frame["hazard_id"].isin(listed) & (frame["level"].astype(str) == Level.MAJOR.value)]
    rows = rows[~rows["stage"].isin([Stage.WITHDRAWN.value, Stage.VOIDED.value])].copy()
    rows["listed_on"] = pd.to_datetime(rows["hazard_id"].map(listed))
    return rows


def build_bulletin(
    register: Register,
    month: str | _dt.date,
    *,
    config: ControlIndexConfig | None = None,
    as_of: str | _dt.date | None = None,
) -> Bulletin:
    """通报 for a month, as of its last day (or ``as_of`` if earlier, or today — the register
    clock's date — while the month is not over)."""
    period = parse_month(month)
    day = min(as_date(as_of), period.last) if as_of is not None else report_day(register, period.last)
    if config is None:  # the index weights stored with a durable register (issue 5), else the defaults
        stored = getattr(register.store, "setting", None)
        weights = stored("index_weights", day) if callable(stored) else None
        config = ControlIndexConfig(weights) if weights else ControlIndexConfig()
    units = {u.code: u for u in register.units()}
    frame = register.frame(day)
    frame["unit_name"] = frame["unit_code"].map(lambda c: units[c].name if c in units else "")
    frame["responsible_unit_name"] = frame["responsible_unit"].map(
        lambda c: units[c].name if isinstance(c, str) and c in units else ""
    )
    overdue = frame[frame["status"].astype(str) == Status.OVERDUE.value]
    overdue = overdue.sort_values(["days_overdue", "hazard_id"], ascending=[False, True])
    overdue = overdue[list(OVERDUE_COLUMNS)].reset_index(drop=True)
    hist = list(histories(register, until=day))  # one read of the events for every part
    new_major = _new_major(hist, period, frame, day)[list(NEW_MAJOR_COLUMNS)].reset_index(drop=True)
    recon = monthly_reconciliation(register, period.label, by="town", as_of=day, _histories=hist)
    total = monthly_reconciliation(register, period.label, by=None, as_of=day, _histories=hist).iloc[0]
    ranking = control_index_from_frame(frame, config, towns=[u.town for u in units.values()])
    ranked = ranking.dropna(subset=["index"])
    summary: list[tuple[str, object]] = [
        ("通报月份", period.label),
        ("统计截至", day.isoformat()),
        ("期初在办隐患", int(total["opening"])),
        ("本月新增隐患", int(total["new"])),
        ("本月销号", int(total["struck_off"])),
        ("回头看重新打开", int(total["reopened"])),
        ("本月撤销", int(total["withdrawn"])),
        ("本月作废(在办)", int(total["voided"])),
        ("期末在办隐患", int(total["closing"])),
        ("超期未整改", int(total["overdue"])),
        ("本月按期销号率", float(total["on_time_rate"])),
        ("在办重大隐患(动态清零)", int(total["open_major"])),
        ("本月新增重大隐患", len(new_major)),
    ]
    if len(ranked):
        best, worst = ranked.iloc[0], ranked.iloc[-1]
        summary.append(("管控力指数最高", f"{best['town']} ({best['index']:.1f})"))
        summary.append(("管控力指数最低", f"{worst['town']} ({worst['index']:.1f})"))
    from hazardloop.sqlstore import chain_head_of  # a durable register: the bulletin quotes its chain head

    if (chain := chain_head_of(register)) is not None:
        summary.append(("台账哈希链头", f"{chain[0]} ({chain[1]} 条事件)"))
    return Bulletin(period.label, day, tuple(summary), overdue, new_major, ranking, recon, config)


def write_bulletin(bulletin: Bulletin, path: str | Path, *, colour_map: FourColourMap | None = None) -> Path:
    """Write the bulletin as an ``.xlsx`` workbook with native charts; return the path.

    With ``colour_map`` the four-colour map is added as a coloured sheet (四色图).
    """
    import xlsxwriter

    out = Path(path)
    wb = xlsxwriter.Workbook(str(out))
    try:
        fmt = formats(wb)
        ws = wb.add_worksheet("概况")
        ws.write(0, 0, f"{bulletin.month} 事故隐患排查治理情况通报", fmt.title)
        ws.set_column(0, 0, 28)
        ws.set_column(1, 1, 24)
        for i, (title, value) in enumerate(bulletin.summary, start=2):
            ws.write(i, 0, title, fmt.header)
            if isinstance(value, float):
                if value == value:
                    ws.write_number(i, 1, value, fmt.percent)
                else:
                    ws.write(i, 1, "—")
            else:
                ws.write(i, 1, value)
        row = len(bulletin.summary) + 3
        ws.write(row, 0, "管控力指数权重", fmt.header)
        for i, (name, _) in enumerate(bulletin.config.weights, start=row + 1):
            ws.write(i, 0, f"{COMPONENTS[name]} ({name})")
            ws.write_number(i, 1, bulletin.config.weight(name), fmt.percent)

        ws = wb.add_worksheet("超期隐患")
        write_frame(ws, bulletin.overdue, fmt, headers=OVERDUE_COLUMNS)
        ws.autofilter(0, 0, max(len(bulletin.overdue), 1), len(OVERDUE_COLUMNS) - 1)
        ws.freeze_panes(1, 0)

        ws = wb.add_worksheet("新增重大隐患")
        write_frame(ws, bulletin.new_major, fmt, headers=NEW_MAJOR_COLUMNS)
        ws.freeze_panes(1, 0)

        ranking = bulletin.ranking[["rank", "town", "index", *COMPONENTS, "found", "open", "closed", "overdue",
                                    "open_major"]]
        ws = wb.add_worksheet("亮晒排名")
        write_frame(ws, ranking, fmt, headers=_RANK_TITLES, percent=tuple(COMPONENTS), number=("index",))
        ws.freeze_panes(1, 2)

        recon = bulletin.reconciliation
        ws = wb.add_worksheet("逐月对账")
        write_frame(ws, recon, fmt, headers=_RECON_TITLES, percent=("on_time_rate", "on_time_rate_original"))
        ws.freeze_panes(1, 2)

        charts = wb.add_worksheet("图表")
        n = len(recon)
        if n:
            cols = list(recon.columns)
            town_c, open_c, off_c = cols.index("town"), cols.index("closing"), cols.index("struck_off")
            chart = wb.add_chart({"type": "column"})
            chart.add_series({"name": "期末在办", "categories": ["逐月对账", 1, town_c, n, town_c],
                              "values": ["逐月对账", 1, open_c, n, open_c], "fill": {"color": "#C00000"}})
            chart.add_series({"name": "本月销号", "categories": ["逐月对账", 1, town_c, n, town_c],
                              "values": ["逐月对账", 1, off_c, n, off_c], "fill": {"color": "#2E75B6"}})
            chart.set_title({"name": f"{bulletin.month} 各乡镇在办与销号"})
            chart.set_y_axis({"name": "隐患数"})
            chart.set_size({"width": 760, "height": 380})
            charts.insert_chart(1, 1, chart)
        m = len(ranking)
        if m:
            idx = wb.add_chart({"type": "bar"})
            idx.add_series({"name": "管控力指数", "categories": ["亮晒排名", 1, 1, m, 1],
                            "values": ["亮晒排名", 1, 2, m, 2], "fill": {"color": "#548235"}})
            idx.set_title({"name": "管控力指数 亮晒排名"})
            idx.set_x_axis({"min": 0, "max": 100})
            idx.set_y_axis({"reverse": True})
            idx.set_legend({"none": True})
            idx.set_size({"width": 760, "height": 380})
            charts.insert_chart(21, 1, idx)
        if colour_map is not None:
            write_map_sheet(colour_map, wb)
    finally:
        wb.close()
    return out
