"""The reminder digest: due soon, due today, overdue and new escalation tiers, as JSON and workbook."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings, strategies as st

from hazardloop.reports._common import ReportError
from hazardloop.reports.digest import DigestCategory, digest_dict, digest_json, reminder_digest, write_digest
from hazardloop.testing import ASSIGNER, FINDER, INSPECTOR, RESPONSIBLE, make_evidence, make_register
from reports_support import UNITS, VERBS, drive

D = _dt.date(2025, 6, 16)


def _hazard(register, unit, deadline, *, assigned=D - _dt.timedelta(days=30), dept="城关镇安监所", resp=None):
    hid = register.discover(unit_code=unit, domain="fire", description=f"{unit}-{deadline}", on=assigned,
                            source="属地排查", level="一般", actor=FINDER).hazard_id
    if deadline is not None:
        register.assign(hid, on=assigned, actor=ASSIGNER, responsible_person=RESPONSIBLE,
                        supervising_department=dept, deadline=deadline, responsible_unit=resp)
    return hid


@pytest.fixture
def day_register():
    register, _ = make_register(D, units=UNITS)
    days = _dt.timedelta
    h = {
        "soon": _hazard(register, "U01", D + days(3)),
        "today": _hazard(register, "U01", D),
        "late": _hazard(register, "U01", D - days(10)),
        "week": _hazard(register, "U01", D + days(7)),  # due soon, and enters 临期7天 today
        "other": _hazard(register, "U03", D - days(1), dept="东山乡安监所", resp="U04"),
        "closed": _hazard(register, "U01", D - days(5)),
        "unassigned": _hazard(register, "U01", None),
        "far": _hazard(register, "U01", D + days(30)),
    }
    register.start_rectification(h["closed"], on=D - days(20), actor=RESPONSIBLE, measures="m")
    register.submit(h["closed"], on=D - days(20), actor=RESPONSIBLE, evidence=[make_evidence()])
    register.pass_and_strike_off(h["closed"], on=D - days(20), inspector=INSPECTOR)
    register.escalations(D - days(40), D)
    return register, h


def _categories(digest) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for hid, cat in zip(digest.items["hazard_id"], digest.items["category"]):
        out.setdefault(hid, set()).add(cat)
    return out


def test_categories(day_register):
    register, h = day_register
    digest = reminder_digest(register, D)
    cats = _categories(digest)
    assert cats == {
        h["soon"]: {"临期"},
        h["today"]: {"今日到期", "升级提醒"},
        h["late"]: {"超期"},
        h["week"]: {"临期", "升级提醒"},
        h["other"]: {"超期"},
    }
    # a wider window catches the tiers entered in the last days (超期7天 of "late" on D−3)
    wide = _categories(reminder_digest(register, D, since=D - _dt.timedelta(days=3)))
    assert "升级提醒" in wide[h["late"]]
    # "soon" entered 临期7天 on D+3−7 = D−4: outside that window, inside one a day wider
    assert "升级提醒" not in wide[h["soon"]]
    assert "升级提醒" in _categories(reminder_digest(register, D, since=D - _dt.timedelta(days=4)))[h["soon"]]
    with pytest.raises(ReportError):
        reminder_digest(register, D, since=D + _dt.timedelta(days=1))


def test_json_is_grouped_by_unit_and_department(day_register):
    register, h = day_register
    data = json.loads(digest_json(reminder_digest(register, D)))
    assert data == digest_dict(reminder_digest(register, D))
    assert data["date"] == D.isoformat()
    assert data["totals"] == {"due_soon": 2, "due_today": 1, "overdue": 2, "escalated": 2}
    units = {g["unit"]: g for g in data["by_responsible_unit"]}
    assert set(units) == {"U01", "U04"}
    assert units["U04"]["name"] == "单位U04" and units["U04"]["counts"]["overdue"] == 1
    assert units["U04"]["overdue"][0]["hazard_id"] == h["other"]
    assert units["U04"]["overdue"][0]["days_overdue"] == 1
    assert units["U04"]["overdue"][0]["deadline"] == (D - _dt.timedelta(days=1)).isoformat()
    escalated = {i["hazard_id"]: i["tier"] for i in units["U01"]["escalated"]}
    assert escalated == {h["today"]: "到期当日", h["week"]: "临期7天"}
    depts = {g["department"]: g["counts"] for g in data["by_supervising_department"]}
    assert depts["东山乡安监所"] == {"due_soon": 0, "due_today": 0, "overdue": 1, "escalated": 0}
    assert sum(c["due_soon"] for c in depts.values()) == 2


def test_workbook(day_register, tmp_path: Path):
    register, _ = day_register
    digest = reminder_digest(register, D)
    wb = openpyxl.load_workbook(write_digest(digest, tmp_path / "digest.xlsx"))
    assert wb.sheetnames == ["概况", "按责任单位", "按监管部门"]
    for name in ("按责任单位", "按监管部门"):
        assert wb[name].max_row == len(digest.items) + 1
    counts = {r[0]: r[1] for r in wb["概况"].iter_rows(min_row=3, values_only=True)}
    assert counts == {c.value: int((digest.items["category"] == c.value).sum()) for c in DigestCategory}


op = st.tuples(st.sampled_from(VERBS), st.integers(0, 999), st.integers(0, 999), st.integers(0, 4))


@settings(max_examples=15)
@given(st.lists(op, min_size=5, max_size=80), st.integers(0, 120))
def test_digest_agrees_with_the_per_hazard_status(ops, offset):
    register, days = drive(ops, escalate=True)
    day = _dt.date(2025, 1, 1) + _dt.timedelta(days=offset)
    digest = reminder_digest(register, day)
    listed = {(hid, cat) for hid, cat in zip(digest.items["hazard_id"], digest.items["category"])}
    status_cats = {"临期", "今日到期", "超期"}
    want = set()
    for state in register.states_as_of(day):
        status = register.status(state.hazard_id, day).status.value
        if status in status_cats:
            want.add((state.hazard_id, status))
    assert {x for x in listed if x[1] in status_cats} == want
    escalated = {
        e.hazard_id for s in register for e in register.history(s.hazard_id)
        if e.kind.value == "升级提醒" and e.payload.entered_on == day and e.occurred_on <= day
    }
    assert {hid for hid, cat in listed if cat == "升级提醒"} == escalated
