"""逐月对账: properties over random event streams driven through the Register's verbs."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from hazardloop.reports._common import ReportError, months_between
from hazardloop.reports.reconciliation import (
    FLOW_COLUMNS,
    RECONCILIATION_COLUMNS,
    VoidPolicy,
    dynamic_zeroing,
    monthly_reconciliation,
)
from hazardloop.testing import ASSIGNER, FINDER, RESPONSIBLE, make_register
from reports_support import UNITS, VERBS, drive, replay_until

op = st.tuples(st.sampled_from(VERBS), st.integers(0, 999), st.integers(0, 999), st.integers(0, 4))
streams = st.lists(op, min_size=5, max_size=120)

FIRST, LAST = "2025-01", "2025-06"
END = "2025-06-30"  # the report date: explicit, since a random stream may stop before it


def _identity(frame: pd.DataFrame) -> pd.Series:
    return (
        frame["opening"] + frame["new"] - frame["struck_off"] + frame["reopened"] - frame["withdrawn"]
        - frame["voided"] - frame["closing"]
    )


@settings(max_examples=40)
@given(streams, st.sampled_from(["town", "domain", "unit_code", None]), st.sampled_from(list(VoidPolicy)))
def test_identity_holds_and_months_chain(ops, by, policy):
    register, _ = drive(ops)
    frame = monthly_reconciliation(register, FIRST, LAST, by=by, voided=policy, as_of=END)
    assert (_identity(frame) == 0).all(), frame[_identity(frame) != 0]
    if policy is VoidPolicy.EXCLUDE:
        assert (frame["voided"] == 0).all() and (frame["voided_closed"] == 0).all()
    group = by or "group"
    months = [m.label for m in months_between(FIRST, LAST)]
    assert frame["month"].drop_duplicates().tolist() == months  # every month, even with no hazard
    wide = frame.set_index(["month", group])
    for prev, nxt in zip(months, months[1:]):
        assert (wide.loc[prev, "closing"] == wide.loc[nxt, "opening"]).all()
    # a reconciliation started in a later month opens on what the earlier one closed
    later = monthly_reconciliation(register, months[3], LAST, by=by, voided=policy, as_of=END)
    later = later.set_index(["month", group])
    pd.testing.assert_series_equal(
        later.loc[months[3], "opening"], wide.loc[months[2], "closing"], check_names=False
    )


@settings(max_examples=40)
@given(streams, st.sampled_from(["town", "domain", "unit_code"]), st.sampled_from(list(VoidPolicy)))
def test_groups_sum_to_the_total(ops, by, policy):
    register, _ = drive(ops)
    parts = monthly_reconciliation(register, FIRST, LAST, by=by, voided=policy, as_of=END)
    total = monthly_reconciliation(register, FIRST, LAST, by=None, voided=policy, as_of=END).set_index("month")
    counts = [c for c in RECONCILIATION_COLUMNS if not c.startswith("on_time_rate")]
    summed = parts.groupby("month")[counts].sum()
    pd.testing.assert_frame_equal(summed, total[counts], check_dtype=False)


@settings(max_examples=30)
@given(streams, st.integers(0, 5))
def test_replay_equals_the_live_register_on_that_date(ops, month_index):
    """The reconciliation of the full register, as of a month end, equals that of the register
    holding only the events up to then — and its closing balance is the live open count."""
    register, _ = drive(ops)
    month = months_between(FIRST, LAST)[month_index]
    live = replay_until(register, month.last)
    full = monthly_reconciliation(register, FIRST, month.label, by="town", as_of=month.last)
    then = monthly_reconciliation(live, FIRST, month.label, by="town")  # the live register's own default date
    pd.testing.assert_frame_equal(full, then)
    open_by_town = Counter(s.town for s in live if s.is_open)
    closing = full[full["month"] == month.label].set_index("town")["closing"]
    assert {t: n for t, n in closing.items() if n} == dict(open_by_town)
    # the same count, read through the register's own as-of path on the full register
    as_of = Counter(s.town for s in register.states_as_of(month.last) if s.is_open)
    assert as_of == open_by_town or any(
        e.kind.value == "更正" for s in register for e in register.history(s.hazard_id) if e.occurred_on > month.last
    )


@settings(max_examples=25)
@given(streams)
def test_flows_match_the_events_and_balances_match_the_states(ops):
    """Check each column against an independent count: the events' kinds and the as-of states."""
    register, _ = drive(ops)
    frame = monthly_reconciliation(register, FIRST, LAST, by=None, as_of=END).set_index("month")
    for month in months_between(FIRST, LAST):
        kinds = Counter(
            e.kind.value for s in register for e in register.history(s.hazard_id) if e.occurred_on in month
        )
        row = frame.loc[month.label]
        assert row["new"] == kinds["发现"]
        assert row["struck_off"] == kinds["销号"]
        assert row["reopened"] == kinds["回头看"]
        assert row["withdrawn"] == kinds["撤销"]
        assert row["voided"] + row["voided_closed"] == kinds["作废"]
        states = list(register.states_as_of(month.last))
        assert row["closing"] == sum(s.is_open for s in states)
        assert row["open_major"] == sum(s.is_open and s.is_major for s in states)
        frame_then = register.frame(month.last)
        assert row["overdue"] == int((frame_then["status"].astype(str) == "超期").sum())


def test_a_worked_month():
    """A hand-made month: every column is what the events say."""
    register, clock = make_register("2025-03-01", units=UNITS)

    def found(day: str, level: str = "一般") -> str:
        return register.discover(unit_code="U01", domain="hazchem", description="d", on=day, source="企业自查",
                                 level=level, actor=FINDER).hazard_id

    def close(hid: str, day: str) -> None:
        register.assign(hid, on=day, actor=ASSIGNER, responsible_person=RESPONSIBLE,
                        supervising_department="应急局", deadline=day)
        register.start_rectification(hid, on=day, actor=RESPONSIBLE, measures="m", plan="p")
        register.submit(hid, on=day, actor=RESPONSIBLE, evidence=[])
        register.pass_and_strike_off(hid, on=day, inspector=FINDER)

    a = found("2025-02-10")  # open at the start of March
    b = found("2025-03-02")  # found and struck off in March
    c = found("2025-03-03")  # withdrawn in March
    d = found("2025-03-04")  # voided while open in March
    e = found("2025-02-11")  # struck off in Feb, reopened in March
    f = found("2025-03-05", "重大")  # stays open: a major hazard
    close(b, "2025-03-10")
    register.withdraw(c, on="2025-03-11", actor=ASSIGNER, reason="误报")
    register.void(d, on="2025-03-12", actor=ASSIGNER, reason="录错")
    close(e, "2025-02-20")
    register.reopen(e, on="2025-03-15", actor=ASSIGNER, reason="反弹", deadline="2025-03-20")
    g = found("2025-02-12")  # struck off in Feb, voided in March: the balance does not move
    close(g, "2025-02-21")
    register.void(g, on="2025-03-16", actor=ASSIGNER, reason="重复录入")
    row = monthly_reconciliation(register, "2025-03", by=None, as_of="2025-03-31").iloc[0]
    assert (row["opening"], row["new"], row["struck_off"], row["reopened"], row["withdrawn"], row["voided"],
            row["closing"]) == (1, 4, 1, 1, 1, 1, 3)
    assert row["voided_closed"] == 1
    assert row["overdue"] == 1 and row["open_major"] == 1  # e: deadline 03-20 passed; f
    assert row["closed_in_month"] == 1 and row["on_time_rate"] == 1.0  # b closed on 03-10, its deadline day
    excluded = monthly_reconciliation(register, "2025-03", by=None, voided=VoidPolicy.EXCLUDE,
                                      as_of="2025-03-31").iloc[0]
    assert (excluded["new"], excluded["voided"], excluded["closing"]) == (3, 0, 3)
    assert {a, f, e} == {s.hazard_id for s in register if s.is_open}
    zero = dynamic_zeroing(register, "2025-02", "2025-03")
    assert list(zero["open_major"]) == [0, 1] and list(zero["cleared"]) == [True, False]
    # by default a month not yet over is read as of today: the clock's date or the latest event
    today = monthly_reconciliation(register, "2025-03", by=None).iloc[0]
    assert today["overdue"] == 0  # e's deadline of 03-20 had not passed on 03-15, its reopening day
    with pytest.raises(ReportError):  # a month that has not begun
        monthly_reconciliation(register, "2025-04", by=None)


def test_bad_arguments_are_refused():
    register, _ = make_register("2025-03-01", units=UNITS)
    with pytest.raises(ReportError):
        monthly_reconciliation(register, "2025-13")
    with pytest.raises(ReportError):
        monthly_reconciliation(register, "2025-05", "2025-03")
    with pytest.raises(ReportError):
        monthly_reconciliation(register, "2025-05", by="colour")
    # towns of the unit register appear, with zeros, even without hazards
    frame = monthly_reconciliation(register, "2025-03", by="town")
    assert set(frame["town"]) == {u.town for u in UNITS}
    assert (frame[list(FLOW_COLUMNS)] == 0).all().all()
