"""Registers for the report tests: random event streams driven through the Register's verbs."""

from __future__ import annotations

import datetime as _dt
import random
from collections.abc import Iterable, Sequence

from hazardloop.errors import HazardloopError
from hazardloop.records import Level, ListingLevel, Source, Unit
from hazardloop.register import Register
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

UNITS: tuple[Unit, ...] = (
    make_unit("U01", "城关镇", ("hazchem",)),
    make_unit("U02", "城关镇", ("fire",)),
    make_unit("U03", "东山乡", ("mines",)),
    make_unit("U04", "东山乡", ("hazchem", "gas")),
    make_unit("U05", "西河镇", ("gas",)),
    make_unit("U06", "北岭街道", ("fire",)),  # a town that may see no hazard at all
)
DOMAINS = ("hazchem", "fire", "mines", "gas")
VERBS = (
    "discover", "discover", "discover", "advance", "advance", "advance", "advance", "advance", "advance",
    "advance", "advance", "rush", "rush", "fail", "reopen", "withdraw", "void", "void", "extend",
    "correct_town", "regrade",
)
_NEXT = {"发现": "assign", "交办": "start", "整改": "submit", "督查": "close"}
START = _dt.date(2025, 1, 1)


def apply_op(register: Register, ids: list[str], op: tuple[str, int, int, int], day: _dt.date) -> bool:
    """Try one verb on one hazard on ``day``; return False when the register refuses it."""
    verb, idx, choice, _ = op
    try:
        if verb == "discover" or not ids:
            unit = UNITS[choice % (len(UNITS) - 1)]
            state = register.discover(
                unit_code=unit.code,
                domain=unit.domains[choice % len(unit.domains)],
                description=f"隐患{len(ids)} 描述{choice % 5}",
                on=day,
                source=list(Source)[choice % len(Source)],
                level=Level.MAJOR if choice % 4 == 0 else Level.GENERAL,
                actor=FINDER,
                hazard_code=f"C{choice % 7}",
            )
            ids.append(state.hazard_id)
            return True
        hid = ids[idx % len(ids)]
        state = register.get(hid)
        if verb == "advance":
            verb = _NEXT.get(state.stage.value, "reopen")
        if verb == "rush":  # every remaining step on the same day, up to 销号
            done = False
            while (step := _NEXT.get(register.get(hid).stage.value)) is not None:
                done = apply_op(register, ids, (step, idx, choice, 0), day) or done
                if not done:
                    break
            return done
        if verb == "assign":
            listing = ListingLevel.COUNTY if state.level is Level.MAJOR and choice % 2 else ListingLevel.NONE
            deadline = None if listing is ListingLevel.COUNTY else day + _dt.timedelta(days=3 + choice % 40)
            register.assign(hid, on=day, actor=ASSIGNER, responsible_person=RESPONSIBLE,
                            supervising_department=f"监管部门{choice % 3}", listing_level=listing, deadline=deadline)
        elif verb == "start":
            register.start_rectification(hid, on=day, actor=RESPONSIBLE, measures="整改措施", plan="治理方案",
                                         funds=float(choice % 9))
        elif verb == "submit":
            register.submit(hid, on=day, actor=RESPONSIBLE, evidence=[make_evidence(f"{hid}-{day}.jpg")])
        elif verb in ("pass", "fail"):
            register.inspect(hid, on=day, inspector=INSPECTOR, passed=verb == "pass")
        elif verb == "close":
            if state.stage.value == "督查" and not state.inspection_passed:
                register.inspect(hid, on=day, inspector=INSPECTOR, passed=True)
            register.strike_off(hid, on=day, actor=INSPECTOR)
        elif verb == "reopen":
            register.reopen(hid, on=day, actor=INSPECTOR, reason="回头看发现反弹",
                            deadline=day + _dt.timedelta(days=5 + choice % 20))
        elif verb == "withdraw":
            register.withdraw(hid, on=day, actor=ASSIGNER, reason="误报")
        elif verb == "void":
            register.void(hid, on=day, actor=ASSIGNER, reason="录入错误")
        elif verb == "extend":
            base = state.effective_deadline or day
            register.extend(hid, on=day, approver=APPROVER, reason="工程量大",
                            deadline=max(base, day) + _dt.timedelta(days=1 + choice % 15))
        elif verb == "correct_town":
            register.correct(hid, on=day, actor=ASSIGNER, fields={"town": UNITS[choice % len(UNITS)].town},
                             reason="乡镇填错")
        elif verb == "regrade":
            level = Level.GENERAL if state.level is Level.MAJOR else Level.MAJOR
            register.regrade(hid, on=day, actor=ASSIGNER, level=level, reason="复核定级")
        return True
    except HazardloopError:
        return False


def drive(
    ops: Sequence[tuple[str, int, int, int]], start: _dt.date = START, *, escalate: bool = False
) -> tuple[Register, list[_dt.date]]:
    """A register fed ``ops`` (verb, hazard index, choice, days to move on) from ``start``.

    With ``escalate`` the escalation tiers are recorded each day before its operations, as a
    host's daily job would. Returns the register and the date of every accepted operation.
    """
    register, clock = make_register(start, units=UNITS)
    ids: list[str] = []
    day = start
    days = []
    for op in ops:
        nxt = day + _dt.timedelta(days=op[3])
        if escalate and nxt > day:
            register.escalations(day + _dt.timedelta(days=1), nxt)
        day = nxt
        clock.set(day)
        if apply_op(register, ids, op, day):
            days.append(day)
    return register, days


def random_ops(seed: int, n: int, max_step: int = 3) -> list[tuple[str, int, int, int]]:
    """A reproducible random stream of ``n`` operations."""
    rng = random.Random(seed)
    return [(rng.choice(VERBS), rng.randrange(1000), rng.randrange(1000), rng.randrange(max_step + 1))
            for _ in range(n)]


def replay_until(register: Register, day: _dt.date, units: Iterable[Unit] = UNITS) -> Register:
    """A new register holding only the events that had happened by ``day``: the live register then."""
    live, _ = make_register(day, units=tuple(units))
    for state in register:
        events = [e for e in register.history(state.hazard_id) if e.occurred_on <= day]
        if events:
            live.append_events(events)
    return live


# ---------------------------------------------------------------------------------------------
# a hand-made month (June 2025) for the bulletin and statistics tests
# ---------------------------------------------------------------------------------------------


def _found(register, unit, day, level="一般", source="属地排查"):
    return register.discover(unit_code=unit, domain="hazchem", description=f"{unit}隐患{day}", on=day,
                             source=source, level=level, actor=FINDER).hazard_id


def _assign(register, hid, day, deadline=None, listing="未挂牌", dept="乡镇安监所"):
    register.assign(hid, on=day, actor=ASSIGNER, responsible_person=RESPONSIBLE, supervising_department=dept,
                    listing_level=listing, deadline=deadline)


def _close(register, hid, day):
    register.start_rectification(hid, on=day, actor=RESPONSIBLE, measures="整改", plan="方案", funds=2.5)
    register.submit(hid, on=day, actor=RESPONSIBLE, evidence=[make_evidence(f"{hid}.jpg")])
    register.pass_and_strike_off(hid, on=day, inspector=INSPECTOR)


def june_register() -> tuple[Register, dict[int, str]]:
    """Three towns in June 2025: one overdue, two new major hazards, closures on time and late."""
    register, _ = make_register("2025-07-01", units=UNITS)
    h = {}
    h[1] = _found(register, "U01", "2025-05-05")  # 城关镇: open, overdue since 05-20
    _assign(register, h[1], "2025-05-06", "2025-05-20", dept="城关镇安监所")
    h[2] = _found(register, "U01", "2025-06-02")  # 城关镇: struck off on time
    _assign(register, h[2], "2025-06-03", "2025-06-15")
    _close(register, h[2], "2025-06-10")
    h[3] = _found(register, "U03", "2025-06-03", level="重大")  # 东山乡: new major, county-listed
    _assign(register, h[3], "2025-06-04", listing="县级")
    h[4] = _found(register, "U03", "2025-05-01")  # 东山乡: regraded to major in June
    register.regrade(h[4], on="2025-06-12", actor=ASSIGNER, level="重大", reason="复核")
    h[5] = _found(register, "U05", "2025-04-01")  # 西河镇: struck off late
    _assign(register, h[5], "2025-04-02", "2025-04-30")
    _close(register, h[5], "2025-06-05")
    h[6] = _found(register, "U05", "2025-06-20")  # 西河镇: withdrawn
    register.withdraw(h[6], on="2025-06-21", actor=ASSIGNER, reason="误报")
    return register, h
