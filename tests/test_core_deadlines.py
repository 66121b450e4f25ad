"""Deadlines: the limit table, 民法典 counting, working days and 调休, statuses, escalations."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import hazardloop as hl
from hazardloop.calendar import weekday_only
from hazardloop.deadlines import (
    DayCount,
    DeadlineConfig,
    LimitRule,
    LimitTable,
    assignment_deadline,
    count_deadline,
)
from hazardloop.errors import CalendarError, ConfigError, DeadlineError
from hazardloop.records import EventKind, Level, ListingLevel, Stage
from hazardloop.testing import APPROVER, ASSIGNER, FINDER, INSPECTOR, RESPONSIBLE, make_register, make_unit

D = dt.date
CAL = hl.ChinaCalendar.default()


# --- the calendar cases the issue names -----------------------------------------------------


def test_national_day_2026_rolls_over_to_october_8() -> None:
    # 2026-09-01 + 30 natural days = 2026-10-01, inside the 10-01..10-07 holiday
    last, provisional = count_deadline(D(2026, 9, 1), 30, calendar=CAL, roll_over=True)
    assert (last, provisional) == (D(2026, 10, 8), False)
    last, _ = count_deadline(D(2026, 9, 1), 30, calendar=CAL, roll_over=False)
    assert last == D(2026, 10, 1)
    for day in range(1, 8):
        assert not CAL.is_workday(D(2026, 10, day))


def test_saturday_2026_10_10_is_a_working_day() -> None:
    assert D(2026, 10, 10).weekday() == 5
    assert CAL.is_workday(D(2026, 10, 10))
    # so a deadline landing on it does not roll
    last, _ = count_deadline(D(2026, 9, 10), 30, calendar=CAL)
    assert last == D(2026, 10, 10)


def test_working_days_across_the_2026_spring_festival() -> None:
    # off 02-15..02-23, worked Saturdays 02-14 and 02-28
    assert CAL.is_workday(D(2026, 2, 14)) and CAL.is_workday(D(2026, 2, 28))
    assert not any(CAL.is_workday(D(2026, 2, d)) for d in range(15, 24))
    # from Thu 02-12: 13 Fri(1) 14 Sat-worked(2) 24 Tue(3) 25(4) 26(5)
    last, provisional = count_deadline(D(2026, 2, 12), 5, count=DayCount.WORKING, calendar=CAL)
    assert (last, provisional) == (D(2026, 2, 26), False)
    # 10 working days: ... 26(5) 27 Fri(6) 28 Sat-worked(7) Mar 2(8) 3(9) 4(10)
    last, _ = count_deadline(D(2026, 2, 12), 10, count=DayCount.WORKING, calendar=CAL)
    assert last == D(2026, 3, 4)


def test_start_day_is_not_counted() -> None:
    last, _ = count_deadline(D(2026, 3, 2), 1, calendar=CAL)
    assert last == D(2026, 3, 3)
    last, _ = count_deadline(D(2026, 3, 2), 1, count=DayCount.WORKING, calendar=CAL)
    assert last == D(2026, 3, 3)


def test_beyond_the_data_is_provisional_then_recomputed_once(tmp_path) -> None:
    register, clock = make_register("2026-12-20", units=(make_unit(),))
    h = register.discover(unit_code="U001", domain="fire", description="d", on="2026-12-20",
                          source="县级核查", level="重大", actor=FINDER)
    h = register.assign(h.hazard_id, on="2026-12-20", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                        supervising_department="县消防救援大队", listing_level="县级")
    # 2026-12-20 + 30 = 2027-01-19 (Tue): weekday-only, marked provisional
    assert h.effective_deadline == D(2027, 1, 19) and h.deadline_provisional
    assert register.recompute_provisional(on="2026-12-21") == []  # nothing known yet
    table = {"year": 2027, "holidays": ["2027-01-19", "2027-01-20"], "workdays": ["2027-01-23"]}
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(table), encoding="utf-8")
    register.calendar = CAL.with_year(hl.load_year_table(path))
    events = register.recompute_provisional(on="2026-12-22")
    assert len(events) == 1 and events[0].kind is EventKind.RECOMPUTE
    state = register.get(h.hazard_id)
    assert state.effective_deadline == D(2027, 1, 21) and not state.deadline_provisional
    assert register.recompute_provisional(on="2026-12-23") == []  # once


def test_bad_year_tables_are_refused(tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"year": 2027, "holidays": ["2028-01-01"]}', encoding="utf-8")
    with pytest.raises(CalendarError, match="another year"):
        hl.load_year_table(path)
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(CalendarError, match="bad.json"):
        hl.load_year_table(path)


def test_host_days_override_the_tables() -> None:
    cal = CAL.with_days(holidays=[D(2026, 3, 3)], workdays=[D(2026, 3, 7)])
    assert not cal.is_workday(D(2026, 3, 3)) and cal.is_workday(D(2026, 3, 7))
    assert weekday_only().covers(D(2026, 1, 1)) is False


# --- the limit table ------------------------------------------------------------------------


def _deadline(level: Level, listing: ListingLevel, on: dt.date, requested=None, config=None, calendar=CAL):
    return assignment_deadline(
        config or DeadlineConfig(), calendar, level=level, listing=listing, assigned_on=on, requested=requested
    )


def test_city_60_county_30() -> None:
    city = _deadline(Level.MAJOR, ListingLevel.CITY, D(2026, 3, 2))
    county = _deadline(Level.MAJOR, ListingLevel.COUNTY, D(2026, 3, 2))
    assert city.deadline == D(2026, 5, 6)  # 03-02 + 60 = 05-01 (劳动节 05-01..05-05) -> 05-06
    assert county.deadline == D(2026, 4, 1)
    assert "60" in city.rule and "30" in county.rule


def test_assigner_dates_against_the_table() -> None:
    on = D(2026, 3, 2)
    with pytest.raises(DeadlineError):
        _deadline(Level.MAJOR, ListingLevel.COUNTY, on, requested=D(2026, 4, 2))
    assert _deadline(Level.MAJOR, ListingLevel.COUNTY, on, requested=D(2026, 3, 20)).deadline == D(2026, 3, 20)
    with pytest.raises(DeadlineError, match="give one"):
        _deadline(Level.GENERAL, ListingLevel.NONE, on)
    assert _deadline(Level.MAJOR, ListingLevel.PROVINCE, on, requested=D(2026, 12, 1)).deadline == D(2026, 12, 1)
    capped = DeadlineConfig(tables=[LimitTable("cap", D(2000, 1, 1), [LimitRule(Level.GENERAL, None, cap_days=15)])])
    assert _deadline(Level.GENERAL, ListingLevel.NONE, on, D(2026, 3, 17), capped).deadline == D(2026, 3, 17)
    with pytest.raises(DeadlineError, match="cap"):
        _deadline(Level.GENERAL, ListingLevel.NONE, on, D(2026, 3, 18), capped)


def test_locality_can_change_numbers_and_count_working_days() -> None:
    table = LimitTable(
        "某市2026细则",
        D(2026, 1, 1),
        [LimitRule(Level.MAJOR, ListingLevel.COUNTY, days=20, count=DayCount.WORKING),
         LimitRule(Level.MAJOR, ListingLevel.PROVINCE, days=90)],
        roll_over=False,
    )
    config = DeadlineConfig().with_table(table)
    # 2026-02-12 + 20 working days across the Spring Festival
    result = _deadline(Level.MAJOR, ListingLevel.COUNTY, D(2026, 2, 12), config=config)
    expected, _ = count_deadline(D(2026, 2, 12), 20, count=DayCount.WORKING, calendar=CAL)
    assert result.deadline == expected == D(2026, 3, 18)
    # before the new table's effective date the default applies
    assert _deadline(Level.MAJOR, ListingLevel.COUNTY, D(2025, 12, 1), config=config).deadline == D(2025, 12, 31)
    with pytest.raises(ConfigError):
        DeadlineConfig(tables=[])
    with pytest.raises(ConfigError, match="two rows"):
        LimitTable("x", D(2000, 1, 1), [LimitRule(Level.MAJOR), LimitRule(Level.MAJOR)])


def test_hazards_assigned_before_a_new_table_keep_their_deadline() -> None:
    register, _ = make_register("2026-03-02", units=(make_unit(),))
    h1 = register.discover(unit_code="U001", domain="gas", description="a", on="2026-03-02",
                           source="执法检查", level="重大", actor=FINDER)
    h1 = register.assign(h1.hazard_id, on="2026-03-02", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                         supervising_department="县住建局", listing_level="县级")
    register.config = register.config.with_table(
        LimitTable("新规", D(2026, 4, 1), [LimitRule(Level.MAJOR, ListingLevel.COUNTY, days=15)])
    )
    h2 = register.discover(unit_code="U001", domain="gas", description="b", on="2026-04-01",
                           source="执法检查", level="重大", actor=FINDER)
    h2 = register.assign(h2.hazard_id, on="2026-04-01", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                         supervising_department="县住建局", listing_level="县级")
    assert register.get(h1.hazard_id).effective_deadline == D(2026, 4, 1)
    assert h2.effective_deadline == D(2026, 4, 16)


def test_regrade_after_assignment_rederives_the_deadline() -> None:
    register, _ = make_register("2026-03-02", units=(make_unit(),))
    h = register.discover(unit_code="U001", domain="gas", description="a", on="2026-03-02",
                          source="执法检查", level="一般", actor=FINDER)
    h = register.assign(h.hazard_id, on="2026-03-02", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                        supervising_department="县住建局", listing_level="县级", deadline="2026-06-30")
    h = register.regrade(h.hazard_id, on="2026-03-05", actor=ASSIGNER, level="重大", reason="复核")
    assert h.level is Level.MAJOR and h.effective_deadline == D(2026, 4, 1)
    assert register.history(h.hazard_id)[-1].payload.deadline == D(2026, 4, 1)


# --- extensions, on-time, statuses -----------------------------------------------------------


def _loop(register: hl.Register, on: str = "2026-03-02", deadline: str = "2026-03-20") -> hl.HazardState:
    h = register.discover(unit_code="U001", domain="fire", description="d", on=on,
                          source="属地排查", level="一般", actor=FINDER)
    h = register.assign(h.hazard_id, on=on, actor=ASSIGNER, responsible_person=RESPONSIBLE,
                        supervising_department="县消防救援大队", deadline=deadline)
    return register.start_rectification(h.hazard_id, on=on, actor=RESPONSIBLE, measures="m")


def test_extension_keeps_the_original_and_on_time_judged_both_ways() -> None:
    register, _ = make_register("2026-03-02", units=(make_unit(),))
    h = _loop(register)
    with pytest.raises(hl.TransitionError, match="more time"):
        register.extend(h.hazard_id, on="2026-03-10", approver=APPROVER, reason="r", deadline="2026-03-19")
    h = register.extend(h.hazard_id, on="2026-03-10", approver=APPROVER, reason="材料未到", deadline="2026-04-10")
    assert h.original_deadline == D(2026, 3, 20) and h.effective_deadline == D(2026, 4, 10)
    assert h.extension_count == 1
    register.submit(h.hazard_id, on="2026-04-01", actor=RESPONSIBLE)
    h = register.pass_and_strike_off(h.hazard_id, on="2026-04-02", inspector=INSPECTOR)
    st = register.status(h.hazard_id, "2026-04-30")
    assert st.status is hl.Status.CLOSED_ON_TIME and st.on_time_original is False


def test_statuses_day_by_day() -> None:
    register, _ = make_register("2026-03-02", units=(make_unit(),))
    h = _loop(register, deadline="2026-03-20")
    expect = {
        D(2026, 3, 12): (hl.Status.OPEN, 8, 0),
        D(2026, 3, 13): (hl.Status.DUE_SOON, 7, 0),
        D(2026, 3, 19): (hl.Status.DUE_SOON, 1, 0),
        D(2026, 3, 20): (hl.Status.DUE_TODAY, 0, 0),
        D(2026, 3, 21): (hl.Status.OVERDUE, -1, 1),
        D(2026, 4, 19): (hl.Status.OVERDUE, -30, 30),
    }
    for day, (status, left, overdue) in expect.items():
        st = register.status(h.hazard_id, day)
        assert (st.status, st.days_left, st.days_overdue) == (status, left, overdue), day
    register.submit(h.hazard_id, on="2026-04-20", actor=RESPONSIBLE)
    register.pass_and_strike_off(h.hazard_id, on="2026-04-21", inspector=INSPECTOR)
    st = register.status(h.hazard_id, "2026-05-01")
    assert st.status is hl.Status.CLOSED_LATE and st.days_overdue == 32
    assert register.status(h.hazard_id, "2026-03-21").status is hl.Status.OVERDUE  # as of the past


def test_reopening_keeps_the_first_closure_result() -> None:
    register, _ = make_register("2026-03-02", units=(make_unit(),))
    h = _loop(register)
    register.submit(h.hazard_id, on="2026-03-10", actor=RESPONSIBLE)
    register.pass_and_strike_off(h.hazard_id, on="2026-03-11", inspector=INSPECTOR)
    h = register.reopen(h.hazard_id, on="2026-04-01", actor=ASSIGNER, reason="回头看", deadline="2026-04-10")
    register.submit(h.hazard_id, on="2026-04-20", actor=RESPONSIBLE)
    h = register.pass_and_strike_off(h.hazard_id, on="2026-04-20", inspector=INSPECTOR)
    assert h.first_closed_on_time is True
    assert register.status(h.hazard_id, "2026-04-30").status is hl.Status.CLOSED_LATE


# --- escalations ----------------------------------------------------------------------------


def test_escalations_are_recorded_once_and_caught_up() -> None:
    register, _ = make_register("2026-03-02", units=(make_unit(),))
    h = _loop(register, deadline="2026-03-20")
    first = register.escalations("2026-03-01", "2026-03-15")
    assert [e.payload.tier for e in first] == ["临期7天"]
    assert first[0].payload.entered_on == D(2026, 3, 13)
    assert register.escalations("2026-03-01", "2026-03-15") == []  # idempotent
    # a missed fortnight is caught up in order
    caught = register.escalations("2026-03-10", "2026-04-30")
    assert [e.payload.tier for e in caught] == ["到期当日", "超期7天", "超期30天"]
    assert [e.payload.entered_on for e in caught] == [D(2026, 3, 20), D(2026, 3, 27), D(2026, 4, 19)]
    assert register.get(h.hazard_id).escalations == (
        ("临期7天", D(2026, 3, 20)),
        ("到期当日", D(2026, 3, 20)),
        ("超期7天", D(2026, 3, 20)),
        ("超期30天", D(2026, 3, 20)),
    )


def test_no_escalation_for_hazards_closed_before_the_tier() -> None:
    register, _ = make_register("2026-03-02", units=(make_unit(),))
    h = _loop(register, deadline="2026-03-20")
    register.submit(h.hazard_id, on="2026-03-18", actor=RESPONSIBLE)
    register.pass_and_strike_off(h.hazard_id, on="2026-03-19", inspector=INSPECTOR)
    events = register.escalations("2026-03-01", "2026-05-01")
    assert [e.payload.tier for e in events] == ["临期7天"]  # entered on 03-13 while still open
    assert events[0].occurred_on == D(2026, 3, 19)  # recorded after the hazard's latest event
    assert register.get(h.hazard_id).stage is Stage.CLOSED


def test_extension_gives_fresh_tiers() -> None:
    register, _ = make_register("2026-03-02", units=(make_unit(),))
    h = _loop(register, deadline="2026-03-20")
    register.escalations("2026-03-01", "2026-03-25")
    register.extend(h.hazard_id, on="2026-03-25", approver=APPROVER, reason="r", deadline="2026-04-30")
    events = register.escalations("2026-03-25", "2026-05-01")
    # the old deadline's 超期7天 (03-27) is not entered: on 03-27 the deadline was already 04-30
    assert [(e.payload.tier, e.payload.deadline) for e in events] == [
        ("临期7天", D(2026, 4, 30)),
        ("到期当日", D(2026, 4, 30)),
    ]


def test_voided_hazards_are_not_caught_up() -> None:
    register, _ = make_register("2026-03-02", units=(make_unit(),))
    h = _loop(register, deadline="2026-03-20")
    register.void(h.hazard_id, on="2026-04-01", actor=ASSIGNER, reason="重复录入")
    assert register.escalations("2026-03-01", "2026-05-01") == []
    assert register.get(h.hazard_id).stage is Stage.VOIDED
