"""统计分析表 (16号令 第十四条): quarterly and annual statistics per unit and per town."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from hazardloop.reports._common import ReportError, parse_period
from hazardloop.reports.statistics import STATISTICS_COLUMNS, statistics_table, write_statistics
from reports_support import UNITS, VERBS, drive, june_register


def test_periods_parse():
    q = parse_period("2025Q2")
    assert (q.label, q.first.isoformat(), q.last.isoformat()) == ("2025Q2", "2025-04-01", "2025-06-30")
    assert parse_period("2025-q4").last.isoformat() == "2025-12-31"
    y = parse_period("2025")
    assert (y.first.isoformat(), y.last.isoformat()) == ("2025-01-01", "2025-12-31")
    assert parse_period("2025-02").last.isoformat() == "2025-02-28"
    with pytest.raises(ReportError):
        parse_period("2025Q5")


def test_quarter_per_unit_and_town():
    register, h = june_register()
    units = statistics_table(register, "2025Q2").set_index("unit_code")
    # U01: found 05-05 (open, overdue) and 06-02 (struck off 06-10, 2.5 万元)
    u1 = units.loc["U01"]
    assert (u1["found"], u1["found_general"], u1["found_major"], u1["rectified"], u1["open"], u1["overdue"]) == (
        2, 2, 0, 1, 1, 1)
    assert u1["funds"] == 2.5 and u1["rectification_rate"] == 0.5
    # U03: two hazards, both major by the quarter's end (one regraded), none rectified
    u3 = units.loc["U03"]
    assert (u3["found"], u3["found_major"], u3["rectified"], u3["open_major"]) == (2, 2, 0, 2)
    # U05: the hazard of 04-01, struck off late in June; the withdrawn report is left out
    u5 = units.loc["U05"]
    assert (u5["found"], u5["rectified"], u5["funds"], u5["rectification_rate"]) == (1, 1, 2.5, 1.0)
    assert pd.isna(units.loc["U06", "rectification_rate"])  # nothing found: no rate
    assert units.loc["U06", "found"] == 0 and units.loc["U06", "town"] == "北岭街道"
    towns = statistics_table(register, "2025Q2", by="town").set_index("town")
    ints = [c for c in STATISTICS_COLUMNS if c not in ("rectification_rate",)]
    by_unit_town = units.groupby("town")[ints].sum()
    pd.testing.assert_frame_equal(towns[ints], by_unit_town.loc[towns.index], check_dtype=False)
    # the first quarter had no hazard; at the end of April one was found and open
    q1 = statistics_table(register, "2025Q1")
    assert (q1[["found", "rectified", "open"]] == 0).all().all()
    april = statistics_table(register, "2025-04").set_index("unit_code")
    assert (april.loc["U05", "found"], april.loc["U05", "rectified"], april.loc["U05", "open"]) == (1, 0, 1)
    year = statistics_table(register, "2025").set_index("unit_code")
    assert year["found"].sum() == 5 and year["rectified"].sum() == 2 and year["funds"].sum() == 5.0
    with pytest.raises(ReportError):
        statistics_table(register, "2025", by="domain")


op = st.tuples(st.sampled_from(VERBS), st.integers(0, 999), st.integers(0, 999), st.integers(0, 4))


@settings(max_examples=15)
@given(st.lists(op, min_size=5, max_size=100))
def test_quarters_add_up_to_the_year(ops):
    """What was found and what was struck off (and stayed so) in each quarter adds up to the year
    when nothing is reopened later; 'found' always adds up."""
    register, _ = drive(ops)
    year = statistics_table(register, "2025", by="town").set_index("town")
    quarters = [statistics_table(register, f"2025Q{q}", by="town").set_index("town") for q in range(1, 5)]
    found = sum(q["found"] for q in quarters)
    # a hazard voided or withdrawn after its quarter ended is left out of the year but not the quarter
    dropped_later = 0
    for state in register.states_as_of(parse_period("2025").last):
        if state.stage.value in ("撤销", "作废"):
            dropped_later += 1
    assert (found >= year["found"]).all()
    assert found.sum() - year["found"].sum() <= dropped_later
    assert set(year.index) >= {u.town for u in UNITS}


def test_workbook(tmp_path: Path):
    register, _ = june_register()
    wb = openpyxl.load_workbook(write_statistics(register, "2025Q2", tmp_path / "stats.xlsx"))
    assert wb.sheetnames == ["按单位", "按乡镇"]
    header = [c.value for c in wb["按单位"][1]]
    assert header[:4] == ["统计期", "单位代码", "单位名称", "乡镇(街道)"] and "整改资金(万元)" in header
    assert wb["按单位"].max_row == len(UNITS) + 1
