"""Histories the store tests replay: a scripted one touching every verb, and random ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hazardloop.calendar import YearTable
from hazardloop.errors import HazardloopError
from hazardloop.records import EvidencePhase
from hazardloop.register import Register
from hazardloop.testing import (
    APPROVER,
    ASSIGNER,
    FINDER,
    INSPECTOR,
    RESPONSIBLE,
    FixedClock,
    make_evidence,
    make_unit,
)

D = dt.date
UNITS = (make_unit("U1"), make_unit("U2", town="新城街道", domains=("mines",), storage_t=12.5))


def scripted(register: Register, clock: FixedClock) -> dict[str, str]:
    """Drive a register through every verb of the loop; return the ids by role."""
    for unit in UNITS:
        register.add_unit(unit)
    ids: dict[str, str] = {}
    major = register.discover(
        unit_code="U1", domain="hazchem", description="储罐区未设紧急切断", on="2026-01-05", source="县级核查",
        level="重大", actor=FINDER, location="罐区", hazard_code="HC-1", criteria=("GB 18218",),
        measurements={"储量t": 120.5}, extra={"批次": 3, "日期": D(2026, 1, 4), "备注": None},
        evidence=(make_evidence("before.jpg", EvidencePhase.BEFORE),),
    )
    ids["major"] = hid = major.hazard_id
    register.report_dual(hid, on="2026-01-05", actor=FINDER, recipient="监管部门")
    register.assign(hid, on="2026-01-06", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                    supervising_department="县应急管理局", listing_level="县级")
    register.start_rectification(hid, on="2026-01-08", actor=RESPONSIBLE, measures="加装切断阀", plan="方案A", funds=12000.0)
    register.attach_evidence(hid, on="2026-01-09", actor=RESPONSIBLE, evidence=(make_evidence("after.jpg"),), note="照片")
    register.submit(hid, on="2026-01-10", actor=RESPONSIBLE, report="已完成")
    register.inspect(hid, on="2026-01-11", inspector=INSPECTOR, passed=False, comments="未验收")
    register.submit(hid, on="2026-01-12", actor=RESPONSIBLE, report="再次提交")
    register.pass_and_strike_off(hid, on="2026-01-13", inspector=INSPECTOR)
    register.reopen(hid, on="2026-02-01", actor=ASSIGNER, reason="回头看发现复发", deadline="2026-03-01")
    register.extend(hid, on="2026-02-10", approver=APPROVER, reason="设备到货延迟", deadline="2026-03-20")
    register.correct(hid, on="2026-02-11", actor=ASSIGNER, fields={"description": "储罐区未设紧急切断装置", "source": "执法检查", "funds": 15000}, reason="笔误")

    general = register.discover(unit_code="U2", domain="mines", description="巷道支护不足", on="2026-01-07",
                                source="企业自查", level="一般", actor=FINDER)
    ids["general"] = g = general.hazard_id
    register.assign(g, on="2026-01-08", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                    supervising_department="县应急管理局", deadline="2026-01-20")
    register.regrade(g, on="2026-01-09", actor=ASSIGNER, level="重大", reason="复核", criteria=("条款3",))
    register.determine(g, on="2026-01-10", actor=ASSIGNER, level="一般", clause="第三条", reason="专家判定")
    register.escalations("2026-01-01", "2026-02-15")

    withdrawn = register.discover(unit_code="U1", domain="hazchem", description="误报", on="2026-01-09",
                                  source="举报", level="一般", actor=FINDER)
    ids["withdrawn"] = withdrawn.hazard_id
    register.withdraw(withdrawn.hazard_id, on="2026-01-10", actor=ASSIGNER, reason="核实不存在")
    voided = register.discover(unit_code="U2", domain="mines", description="重复录入", on="2026-01-09",
                               source="属地排查", level="一般", actor=FINDER)
    ids["voided"] = voided.hazard_id
    register.void(voided.hazard_id, on="2026-01-11", actor=ASSIGNER, reason="重复")
    fixed = register.fix_on_spot(unit_code="U1", domain="hazchem", description="灭火器过期", on="2026-01-15",
                                 source="企业自查", actor=FINDER, responsible_person=RESPONSIBLE,
                                 supervising_department="县应急管理局", measures="更换", inspector=INSPECTOR)
    ids["fixed"] = fixed.hazard_id
    with register.batch():
        for n in range(3):
            h = register.discover(unit_code="U2", domain="mines", description=f"批量{n}", on="2026-01-16",
                                  source="属地排查", level="一般", actor=FINDER)
            register.assign(h.hazard_id, on="2026-01-17", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                            supervising_department="县应急管理局", deadline="2026-02-01")
    return ids


VERBS = ("discover", "assign", "start", "submit", "fail", "pass", "close", "reopen", "extend", "correct",
         "regrade", "void", "withdraw", "fix", "evidence", "escalate", "recompute", *["next"] * 8)
"""Verbs of :func:`random_ops`; ``next`` moves a hazard one step along the loop, so histories get far."""

_NEXT = {"发现": "assign", "交办": "start", "整改": "submit", "督查": "pass", "销号": "reopen"}


def random_ops(register: Register, clock: FixedClock, ops: list[tuple[str, int, int]]) -> None:
    """Apply ``(verb, hazard index, days forward)`` operations, ignoring those the rules refuse."""
    for unit in UNITS:
        register.add_unit(unit)
    day = D(2026, 1, 5) if not ops or ops[0][2] % 2 == 0 else D(2026, 11, 20)  # late starts reach 2027 (provisional)
    hids: list[str] = []
    for verb, index, step in ops:
        day += dt.timedelta(days=step)
        clock.set(day)
        hid = hids[index % len(hids)] if hids else None
        try:
            _one(register, verb, hid, day, hids)
        except HazardloopError:
            pass


def _one(register: Register, verb: str, hid: str | None, day: D, hids: list[str]) -> Any:
    if verb == "discover" or hid is None:
        state = register.discover(unit_code="U1", domain="hazchem", description=f"隐患{len(hids)}", on=day,
                                  source="企业自查", level="重大" if len(hids) % 3 == 0 else "一般", actor=FINDER)
        hids.append(state.hazard_id)
        return state
    if verb == "next":
        state = register.get(hid)
        verb = _NEXT.get(state.stage.value, "evidence")
        if verb == "pass" and state.inspection_passed:
            verb = "close"
    if verb == "escalate":
        return register.escalations(day - dt.timedelta(days=40), day)
    if verb == "recompute":
        if not register.calendar.covers(D(2027, 6, 1)):
            register.calendar = register.calendar.with_year(YearTable(2027, [D(2027, 1, 1), D(2027, 2, 5)], [D(2027, 2, 13)]))
        return register.recompute_provisional(on=day)
    if verb == "fix":
        state = register.fix_on_spot(unit_code="U2", domain="mines", description="即改", on=day, source="企业自查",
                                     actor=FINDER, responsible_person=RESPONSIBLE,
                                     supervising_department="县应急管理局", measures="更换", inspector=INSPECTOR)
        hids.append(state.hazard_id)
        return state
    if verb == "assign":
        listing = ("县级", "市级", "未挂牌")[len(hid) % 3]
        deadline = None if listing != "未挂牌" else day + dt.timedelta(days=10)
        return register.assign(hid, on=day, actor=ASSIGNER, responsible_person=RESPONSIBLE,
                               supervising_department="县应急管理局", listing_level=listing, deadline=deadline)
    if verb == "start":
        return register.start_rectification(hid, on=day, actor=RESPONSIBLE, measures="整改措施", plan="方案", funds=100.0)
    if verb == "submit":
        return register.submit(hid, on=day, actor=RESPONSIBLE, evidence=(make_evidence(f"{hid}.jpg"),))
    if verb in ("fail", "pass"):
        return register.inspect(hid, on=day, inspector=INSPECTOR, passed=verb == "pass")
    if verb == "close":
        return register.strike_off(hid, on=day, actor=INSPECTOR)
    if verb == "reopen":
        return register.reopen(hid, on=day, actor=ASSIGNER, reason="回头看", deadline=day + dt.timedelta(days=20))
    if verb == "extend":
        current = register.get(hid).effective_deadline or day
        return register.extend(hid, on=day, approver=APPROVER, reason="延期", deadline=max(current, day) + dt.timedelta(days=15))
    if verb == "correct":
        return register.correct(hid, on=day, actor=ASSIGNER, fields={"description": f"更正{day}", "measures": "新措施", "hazard_code": f"HC{day}", "source": "执法检查", "funds": 5.5, "location": "新址"}, reason="更正")
    if verb == "regrade":
        level = "一般" if register.get(hid).is_major else "重大"
        return register.regrade(hid, on=day, actor=ASSIGNER, level=level, reason="复核")
    if verb == "void":
        return register.void(hid, on=day, actor=ASSIGNER, reason="误录")
    if verb == "withdraw":
        return register.withdraw(hid, on=day, actor=ASSIGNER, reason="误报")
    if verb == "evidence":
        return register.attach_evidence(hid, on=day, actor=RESPONSIBLE, evidence=(make_evidence(f"{hid}-{day}.jpg"),))
    raise AssertionError(verb)
