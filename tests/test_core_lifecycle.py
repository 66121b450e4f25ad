"""The lifecycle rules of LIFECYCLE.md §1, one test per rule, through the register's verbs."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

import hazardloop as hl
from hazardloop import lifecycle
from hazardloop.errors import DeadlineError, InvalidRecordError, TransitionError
from hazardloop.lifecycle import Transition, _check_table
from hazardloop.records import Discovery, Event, EventKind, Inspection, Stage
from hazardloop.testing import (
    APPROVER,
    ASSIGNER,
    FINDER,
    INSPECTOR,
    RESPONSIBLE,
    make_evidence,
    make_register,
    make_unit,
)

D = dt.date


@pytest.fixture
def reg() -> hl.Register:
    register, _ = make_register("2026-03-02", units=(make_unit("U001"), make_unit("U002", town="新城街道")))
    return register


def found(reg: hl.Register, level: str = "一般", on: str = "2026-03-02", **kw) -> hl.HazardState:
    return reg.discover(
        unit_code=kw.pop("unit_code", "U001"),
        domain="hazchem",
        description=kw.pop("description", "消防通道堵塞"),
        on=on,
        source="属地排查",
        level=level,
        actor=FINDER,
        **kw,
    )


def assigned(reg: hl.Register, level: str = "一般", on: str = "2026-03-02", **kw) -> hl.HazardState:
    h = found(reg, level, on)
    listing = kw.pop("listing_level", "县级" if level == "重大" else "未挂牌")
    deadline = kw.pop("deadline", None if level == "重大" else "2026-03-20")
    return reg.assign(
        h.hazard_id,
        on=on,
        actor=ASSIGNER,
        responsible_person=RESPONSIBLE,
        supervising_department="县应急管理局",
        listing_level=listing,
        deadline=deadline,
        **kw,
    )


def to_inspection(reg: hl.Register, level: str = "一般") -> hl.HazardState:
    h = assigned(reg, level)
    plan = "治理方案: 目标、措施、经费、机构、时限、预案" if level == "重大" else None
    reg.start_rectification(h.hazard_id, on="2026-03-03", actor=RESPONSIBLE, measures="清理通道", plan=plan)
    return reg.submit(h.hazard_id, on="2026-03-05", actor=RESPONSIBLE, report="已清理", evidence=[make_evidence()])


# --- the table ------------------------------------------------------------------------------


def test_table_is_checked_at_load() -> None:
    assert lifecycle.allowed_kinds(None) == frozenset({EventKind.DISCOVER})
    assert lifecycle.allowed_kinds(Stage.WITHDRAWN) == frozenset()
    stage_changing_from_closed = {
        t.kind for t in lifecycle.TRANSITIONS if t.source is Stage.CLOSED and t.target is not None
    }
    assert stage_changing_from_closed == set(lifecycle.TERMINAL_EXITS[Stage.CLOSED])


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda t: t + (Transition(None, EventKind.ASSIGN, Stage.ASSIGNED),), "initial"),
        (lambda t: tuple(x for x in t if x.target is not Stage.WITHDRAWN), "unreachable"),
        (lambda t: t + (Transition(Stage.WITHDRAWN, EventKind.ASSIGN, Stage.ASSIGNED),), "terminal"),
        (lambda t: t + (t[0],), "duplicate"),
    ],
)
def test_broken_tables_are_refused(mutate, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        _check_table(mutate(lifecycle.TRANSITIONS))


# --- the loop -------------------------------------------------------------------------------


def test_full_loop_and_passed_inspection_stays_in_inspecting(reg: hl.Register) -> None:
    h = to_inspection(reg)
    assert h.stage is Stage.INSPECTING and h.inspection_passed is None
    h = reg.inspect(h.hazard_id, on="2026-03-06", inspector=INSPECTOR, passed=True, comments="合格")
    assert h.stage is Stage.INSPECTING and h.inspection_passed is True
    assert h.inspector == INSPECTOR and h.inspected_on == D(2026, 3, 6)
    h = reg.strike_off(h.hazard_id, on="2026-03-06", actor=ASSIGNER)
    assert h.stage is Stage.CLOSED and h.closed_on == D(2026, 3, 6)
    assert [e.kind for e in reg.history(h.hazard_id)] == [
        EventKind.DISCOVER,
        EventKind.ASSIGN,
        EventKind.START,
        EventKind.SUBMIT,
        EventKind.INSPECT_PASS,
        EventKind.CLOSE,
    ]


def test_strike_off_needs_a_passed_inspection(reg: hl.Register) -> None:
    h = to_inspection(reg)
    with pytest.raises(TransitionError, match="passed inspection") as info:
        reg.strike_off(h.hazard_id, on="2026-03-06", actor=ASSIGNER)
    assert info.value.hazard_id == h.hazard_id
    assert info.value.stage is Stage.INSPECTING
    assert info.value.event is EventKind.CLOSE
    assert reg.get(h.hazard_id).version == h.version  # nothing stored


def test_failed_inspection_returns_to_rectifying_and_keeps_the_deadline(reg: hl.Register) -> None:
    h = to_inspection(reg)
    deadline = h.effective_deadline
    h = reg.inspect(h.hazard_id, on="2026-03-06", inspector=INSPECTOR, passed=False, comments="未整改到位")
    assert h.stage is Stage.RECTIFYING
    assert h.failed_inspections == 1
    assert h.effective_deadline == deadline == h.original_deadline


def test_inspector_is_not_the_responsible_person(reg: hl.Register) -> None:
    h = to_inspection(reg)
    with pytest.raises(TransitionError, match="responsible"):
        reg.inspect(h.hazard_id, on="2026-03-06", inspector=RESPONSIBLE, passed=True)


def test_reopen_counts_and_needs_a_new_deadline(reg: hl.Register) -> None:
    h = to_inspection(reg)
    h = reg.pass_and_strike_off(h.hazard_id, on="2026-03-06", inspector=INSPECTOR)
    assert h.stage is Stage.CLOSED and h.first_closed_on_time is True
    h = reg.reopen(h.hazard_id, on="2026-04-01", actor=ASSIGNER, reason="回头看发现反弹", deadline="2026-04-15")
    assert h.stage is Stage.RECTIFYING and h.reopen_count == 1
    assert h.effective_deadline == D(2026, 4, 15)
    assert h.closed_on is None and h.first_closed_on == D(2026, 3, 6)
    with pytest.raises(TransitionError, match="after the reopening"):
        h2 = to_inspection(reg)
        h2 = reg.pass_and_strike_off(h2.hazard_id, on="2026-03-06", inspector=INSPECTOR)
        reg.reopen(h2.hazard_id, on="2026-04-01", actor=ASSIGNER, reason="x", deadline="2026-04-01")


def test_withdraw_only_before_assignment_and_with_reason(reg: hl.Register) -> None:
    h = found(reg)
    with pytest.raises(InvalidRecordError):
        reg.withdraw(h.hazard_id, on="2026-03-03", actor=ASSIGNER, reason="  ")
    h = reg.withdraw(h.hazard_id, on="2026-03-03", actor=ASSIGNER, reason="举报不实")
    assert h.stage is Stage.WITHDRAWN and h.end_reason == "举报不实"
    h2 = assigned(reg)
    with pytest.raises(TransitionError, match="not allowed"):
        reg.withdraw(h2.hazard_id, on="2026-03-03", actor=ASSIGNER, reason="举报不实")


def test_major_hazard_needs_a_plan_evidence_and_passed_inspection(reg: hl.Register) -> None:
    h = assigned(reg, "重大")
    with pytest.raises(TransitionError, match="治理方案"):
        reg.start_rectification(h.hazard_id, on="2026-03-03", actor=RESPONSIBLE, measures="停产整改")
    reg.start_rectification(h.hazard_id, on="2026-03-03", actor=RESPONSIBLE, measures="停产整改", plan="治理方案")
    with pytest.raises(TransitionError, match="evidence"):
        reg.submit(h.hazard_id, on="2026-03-10", actor=RESPONSIBLE)
    before_only = make_evidence("before.jpg", hl.EvidencePhase.BEFORE)
    with pytest.raises(TransitionError, match="evidence"):
        reg.submit(h.hazard_id, on="2026-03-10", actor=RESPONSIBLE, evidence=[before_only])
    h = reg.submit(h.hazard_id, on="2026-03-10", actor=RESPONSIBLE, evidence=[make_evidence("after.jpg")])
    assert len(h.evidence) == 1 and h.evidence[0].phase is hl.EvidencePhase.AFTER


def test_major_hazard_regraded_without_plan_cannot_be_struck_off(reg: hl.Register) -> None:
    h = to_inspection(reg, "一般")
    reg.regrade(h.hazard_id, on="2026-03-05", actor=ASSIGNER, level="重大", reason="复核认定", criteria=["HC-05"])
    reg.inspect(h.hazard_id, on="2026-03-06", inspector=INSPECTOR, passed=True)
    with pytest.raises(TransitionError, match="治理方案"):
        reg.strike_off(h.hazard_id, on="2026-03-06", actor=ASSIGNER)
    reg.correct(h.hazard_id, on="2026-03-06", actor=ASSIGNER, fields={"plan": "补充治理方案"}, reason="补录")
    assert reg.strike_off(h.hazard_id, on="2026-03-06", actor=ASSIGNER).stage is Stage.CLOSED


def test_assignment_records_both_parties(reg: hl.Register) -> None:
    h = assigned(reg)
    assert h.responsible_unit == "U001" and h.responsible_person == RESPONSIBLE
    assert h.supervising_department == "县应急管理局"
    with pytest.raises(InvalidRecordError):
        reg.assign(
            found(reg).hazard_id,
            on="2026-03-02",
            actor=ASSIGNER,
            responsible_person=RESPONSIBLE,
            supervising_department="",
            deadline="2026-03-20",
        )


def test_dual_reports_only_for_major_hazards(reg: hl.Register) -> None:
    major = assigned(reg, "重大")
    reg.report_dual(major.hazard_id, on="2026-03-03", actor=RESPONSIBLE, recipient="监管部门")
    h = reg.report_dual(major.hazard_id, on="2026-03-04", actor=RESPONSIBLE, recipient="职代会")
    assert [r for r, _ in h.dual_reports] == [hl.ReportRecipient.AUTHORITY, hl.ReportRecipient.WORKERS_CONGRESS]
    general = assigned(reg)
    with pytest.raises(TransitionError, match="major"):
        reg.report_dual(general.hazard_id, on="2026-03-03", actor=RESPONSIBLE, recipient="监管部门")


def test_events_cannot_go_back_in_time(reg: hl.Register) -> None:
    h = assigned(reg, on="2026-03-10", deadline="2026-03-30")
    with pytest.raises(TransitionError, match="before the hazard's latest event"):
        reg.start_rectification(h.hazard_id, on="2026-03-09", actor=RESPONSIBLE, measures="x")


def test_correction_and_void_stay_in_history(reg: hl.Register) -> None:
    h = found(reg, description="错别字")
    h = reg.correct(h.hazard_id, on="2026-03-02", actor=ASSIGNER, fields={"description": "正确描述"}, reason="笔误")
    assert h.description == "正确描述" and h.correction_count == 1
    with pytest.raises(InvalidRecordError, match="cannot be corrected"):
        reg.correct(h.hazard_id, on="2026-03-02", actor=ASSIGNER, fields={"stage": "销号"}, reason="x")
    h = reg.void(h.hazard_id, on="2026-03-03", actor=ASSIGNER, reason="重复录入")
    assert h.stage is Stage.VOIDED
    kinds = [e.kind for e in reg.history(h.hazard_id)]
    assert kinds == [EventKind.DISCOVER, EventKind.CORRECT, EventKind.VOID]
    first = reg.history(h.hazard_id)[0]
    assert first.payload.description == "错别字"  # the superseded value is still in the history


def test_fix_on_spot_records_every_stage_on_one_date(reg: hl.Register) -> None:
    h = reg.fix_on_spot(
        unit_code="U001",
        domain="hazchem",
        description="灭火器过期",
        on="2026-03-04",
        source="企业自查",
        actor=FINDER,
        responsible_person=RESPONSIBLE,
        supervising_department="县应急管理局",
        measures="更换灭火器",
        inspector=INSPECTOR,
    )
    events = reg.history(h.hazard_id)
    assert h.stage is Stage.CLOSED and h.level is hl.Level.GENERAL
    assert {e.occurred_on for e in events} == {D(2026, 3, 4)}
    assert [e.kind for e in events][0] is EventKind.DISCOVER and events[-1].kind is EventKind.CLOSE
    assert len(events) == 6
    assert reg.status(h.hazard_id, "2026-03-04").status is hl.Status.CLOSED_ON_TIME


def test_replay_gives_back_the_same_state(reg: hl.Register) -> None:
    h = to_inspection(reg, "重大")
    reg.inspect(h.hazard_id, on="2026-03-06", inspector=INSPECTOR, passed=False)
    reg.extend(h.hazard_id, on="2026-03-07", approver=APPROVER, reason="设备到货延迟", deadline="2026-05-30")
    state = reg.get(h.hazard_id)
    assert hl.fold(reg.history(h.hazard_id)) == state


def test_ledger_origin_exempts_document_rules(reg: hl.Register) -> None:
    origin = hl.Origin("台账.xlsx", "Sheet1", 7, inferred=("assigned_on",))
    h = reg.discover(
        unit_code="U001", domain="hazchem", description="x", on="2026-03-02", source="企业自查", level="重大",
        actor=FINDER, origin=origin,
    )
    reg.assign(h.hazard_id, on="2026-03-02", actor=ASSIGNER, responsible_person=RESPONSIBLE,
               supervising_department="县应急管理局", listing_level="县级", origin=origin)
    reg.start_rectification(h.hazard_id, on="2026-03-03", actor=RESPONSIBLE, measures="m", origin=origin)
    reg.submit(h.hazard_id, on="2026-03-04", actor=RESPONSIBLE, origin=origin)
    reg.inspect(h.hazard_id, on="2026-03-05", inspector=RESPONSIBLE, passed=True, origin=origin)
    h = reg.strike_off(h.hazard_id, on="2026-03-05", actor=RESPONSIBLE, origin=origin)
    assert h.stage is Stage.CLOSED and h.from_ledger


def test_apply_is_pure_and_names_everything_on_refusal() -> None:
    when = dt.datetime(2026, 3, 2, 9, tzinfo=hl.clock.CHINA)
    first = Event("H1", 1, EventKind.DISCOVER, D(2026, 3, 2), when, FINDER,
                  Discovery("U", "镇", "fire", "d", "举报", "一般"))
    s1 = hl.apply(None, first)
    bad = Event("H1", 2, EventKind.INSPECT_PASS, D(2026, 3, 3), when, INSPECTOR, Inspection())
    with pytest.raises(TransitionError) as info:
        hl.apply(s1, bad)
    assert "H1" in str(info.value) and "验收通过" in str(info.value) and "发现" in str(info.value)
    assert s1.stage is Stage.DISCOVERED and s1.version == 1  # unchanged
    with pytest.raises(TransitionError, match="first event"):
        hl.apply(None, bad)


def test_records_validate_at_the_boundary() -> None:
    with pytest.raises(InvalidRecordError, match="Level"):
        Discovery("U", "镇", "fire", "d", "举报", "较大")
    with pytest.raises(InvalidRecordError, match="sha256"):
        hl.Evidence("file:///a.jpg", "abc")
    with pytest.raises(InvalidRecordError, match="carries"):
        Event("H1", 1, EventKind.ASSIGN, D(2026, 1, 1), dt.datetime(2026, 1, 1), FINDER, Inspection())
    assert Discovery("U", "镇", "fire", "d", "PUBLIC_REPORT", "MAJOR").level is hl.Level.MAJOR
    assert hl.Actor(" a ", " 张三 ").id == "a"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        hl.Actor("a", "b").name = "c"  # type: ignore[misc]


def test_later_deadline_than_table_is_refused(reg: hl.Register) -> None:
    h = found(reg, "重大")
    with pytest.raises(DeadlineError, match="extension"):
        reg.assign(h.hazard_id, on="2026-03-02", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                   supervising_department="县应急管理局", listing_level="县级", deadline="2026-06-01")
    assert reg.get(h.hazard_id).stage is Stage.DISCOVERED
