"""通报: the bulletin's figures on a hand-made month, the control index, and the workbook."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from hazardloop.errors import ConfigError
from hazardloop.reports.bulletin import OVERDUE_COLUMNS, build_bulletin, write_bulletin
from hazardloop.reports.control_index import DEFAULT_WEIGHTS, ControlIndexConfig, control_index
from hazardloop.reports.fourcolour import four_colour_map
from hazardloop.reports.reconciliation import monthly_reconciliation
from reports_support import june_register


def test_bulletin_figures():
    register, h = june_register()
    b = build_bulletin(register, "2025-06")
    assert list(b.overdue["hazard_id"]) == [h[1]]
    row = b.overdue.iloc[0]
    assert (row["responsible_unit"], row["responsible_unit_name"], row["supervising_department"]) == (
        "U01", "单位U01", "城关镇安监所")
    assert row["days_overdue"] == 41  # 05-20 → 06-30
    assert set(b.new_major["hazard_id"]) == {h[3], h[4]}
    listed = dict(zip(b.new_major["hazard_id"], b.new_major["listed_on"].dt.date.astype(str)))
    assert listed == {h[3]: "2025-06-03", h[4]: "2025-06-12"}
    summary = dict(b.summary)
    total = monthly_reconciliation(register, "2025-06", by=None).iloc[0]
    assert summary["本月新增隐患"] == total["new"] == 3
    assert summary["本月销号"] == total["struck_off"] == 2
    assert summary["期末在办隐患"] == total["closing"] == 3
    assert summary["超期未整改"] == 1
    assert summary["本月按期销号率"] == 0.5
    assert summary["在办重大隐患(动态清零)"] == 2
    assert "本月新增隐患: 3" in b.summary_text()
    # a month in progress is read as of the date given: on 06-02 one hazard had been found
    early = build_bulletin(register, "2025-06", as_of="2025-06-02")
    assert early.as_of.isoformat() == "2025-06-02" and dict(early.summary)["本月新增隐患"] == 1


def test_control_index_and_ranking():
    register, _ = june_register()
    ranking = control_index(register, "2025-06-30").set_index("town")
    w = dict(DEFAULT_WEIGHTS)
    # 城关镇: closure 1/2, on time 1/(1 closed + 1 overdue), overdue control 1 − 1/1, no reopen, no major
    expected = 100 * (w["closure_rate"] * 0.5 + w["on_time_rate"] * 0.5 + w["overdue_control"] * 0
                      + w["reopen_control"] * 1) / (1 - w["major_clearance"])
    assert ranking.loc["城关镇", "index"] == pytest.approx(expected, abs=0.01)
    # 西河镇: the withdrawn report is left out; its one hazard was struck off late
    assert ranking.loc["西河镇", "found"] == 1 and ranking.loc["西河镇", "on_time_rate"] == 0
    assert ranking.loc["东山乡", "major_clearance"] == 0
    order = list(control_index(register, "2025-06-30")["town"])
    indexed = ranking["index"].dropna().sort_values(ascending=False)
    assert order[: len(indexed)] == list(indexed.index)
    assert order[-1] == "北岭街道" and math.isnan(ranking.loc["北岭街道", "index"])
    assert ranking.loc["北岭街道", "rank"] is pd.NA
    # the weights drive the ranking: weigh overdue control alone and 东山乡 (nothing overdue) leads
    only_overdue = control_index(register, "2025-06-30", ControlIndexConfig({"overdue_control": 1}))
    assert only_overdue.iloc[0]["town"] == "东山乡" and only_overdue.iloc[0]["index"] == 100
    assert only_overdue.set_index("town").loc["城关镇", "index"] == 0


def test_control_index_config_is_checked():
    with pytest.raises(ConfigError):
        ControlIndexConfig({"closure_rate": 1, "popularity": 1})
    with pytest.raises(ConfigError):
        ControlIndexConfig({"closure_rate": 0})
    with pytest.raises(ConfigError):
        ControlIndexConfig({"closure_rate": -1, "on_time_rate": 2})
    config = ControlIndexConfig({"closure_rate": 3, "on_time_rate": 1})
    assert config.weight("closure_rate") == 0.75 and config.weight("overdue_control") == 0


def test_bulletin_workbook_opens_with_its_charts(tmp_path: Path):
    register, h = june_register()
    out = write_bulletin(build_bulletin(register, "2025-06"), tmp_path / "bulletin.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["概况", "超期隐患", "新增重大隐患", "亮晒排名", "逐月对账", "图表"]
    charts = wb["图表"]._charts
    assert len(charts) >= 1
    overdue = wb["超期隐患"]
    header = [c.value for c in overdue[1]]
    assert header == list(OVERDUE_COLUMNS.values())
    rows = list(overdue.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    record = dict(zip(header, rows[0]))
    assert record["隐患编号"] == h[1] and record["责任单位"] == "U01" and record["监管部门"] == "城关镇安监所"
    assert record["整改期限"].date().isoformat() == "2025-05-20"  # a real date cell
    assert len(list(wb["新增重大隐患"].iter_rows(min_row=2))) == 2
    towns = [r[1] for r in wb["亮晒排名"].iter_rows(min_row=2, values_only=True)]
    assert towns[0] == "西河镇" and towns[-1] == "北岭街道"
    # the four-colour map can travel in the same workbook
    fcmap = four_colour_map(register.units(), {"U01": "红"})
    with_map = openpyxl.load_workbook(
        write_bulletin(build_bulletin(register, "2025-06"), tmp_path / "b2.xlsx", colour_map=fcmap))
    assert with_map.sheetnames[-1] == "四色图" and len(with_map["图表"]._charts) >= 1


def test_ledger_text_is_never_a_formula(tmp_path: Path):
    import xlsxwriter

    from hazardloop.reports._excel import formats, write_frame

    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("t")
    frame = pd.DataFrame({"description": ["=1+1", "http://example.org"], "n": [1, 2],
                          "day": pd.to_datetime(["2025-06-01", None])})
    write_frame(ws, frame, formats(wb))
    wb.close()
    sheet = openpyxl.load_workbook(path)["t"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "=1+1"  # text, not a formula
    assert sheet["A3"].hyperlink is None
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][1] == 1 and rows[0][2].date().isoformat() == "2025-06-01" and rows[1][2] is None
