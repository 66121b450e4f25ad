"""Drive a small county register around the loop and print the ledger with overdue flags.

The README's main job. On fixed dates (inside the holiday tables, so it prints the same every
run) it registers units of the four domains, reports hazards, takes them through 交办, 整改,
督查 and 销号 (one fails inspection, one is reopened by 回头看, one is extended, one withdrawn),
then prints the ledger as of a date, the grades the domain plugins compute, and the colours.

    python examples/loop_demo.py [--db sqlite:///demo.db]

By default the register lives in a fresh SQLite file (the embedded default store) under ./out/.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import hazardloop as hl
from hazardloop.grading import grade_register
from hazardloop.plugins import load_hooks, town_colours, unit_colours

D = dt.date
AS_OF = D(2026, 4, 20)

FINDER = hl.Actor("f-01", "赵排查", "城关镇安监站")
ASSIGNER = hl.Actor("a-01", "钱交办", "县应急管理局")
INSPECTOR = hl.Actor("i-01", "李督查", "县应急管理局")
APPROVER = hl.Actor("p-01", "周审批", "县安委办")
OWNERS = {
    "HC01": hl.Actor("r-hc", "孙厂长", "某化工有限公司"),
    "MN01": hl.Actor("r-mn", "吴矿长", "某尾矿库"),
    "FR01": hl.Actor("r-fr", "郑经理", "某商场"),
    "GS01": hl.Actor("r-gs", "王站长", "某燃气公司"),
}
UNITS = (
    hl.Unit("HC01", "某化工有限公司", "城关镇", ("hazchem",), {"gb18218": [{"name": "氯", "q": 10}], "people_500m": 60}),
    hl.Unit("MN01", "某尾矿库", "东山镇", ("mines",),
            {"tailings_stability_ratio": 0.97, "tailings_freeboard_ok": True, "tailings_beach_ok": True,
             "tailings_drainage": "normal", "tailings_shaft": "upright", "tailings_seepage_ok": True}),
    hl.Unit("FR01", "某商场", "城关镇", ("fire",), {"lec_l": 3, "lec_e": 6, "lec_c": 7}),
    hl.Unit("GS01", "某燃气公司", "西岭镇", ("gas",), {"ls_l": 2, "ls_s": 4}),
)


def _evidence(name: str) -> hl.Evidence:
    import hashlib

    return hl.Evidence(f"file:///evidence/{name}", hashlib.sha256(name.encode()).hexdigest(), name)


def open_demo_register(db: str | None, clock: hl.FixedClock, hooks: object) -> tuple[hl.Register, str]:
    """A register on a fresh SQLite file (the embedded default), or in memory if no store is installed."""
    try:
        from hazardloop.sqlstore import open_store
    except ImportError:
        return hl.Register(clock=clock, hooks=hooks), "memory"  # type: ignore[arg-type]
    if db is None:
        out = Path("out")
        out.mkdir(exist_ok=True)
        path = out / "loop-demo.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db = f"sqlite:///{path}"
    return hl.Register(clock=clock, store=open_store(db), hooks=hooks), db  # type: ignore[arg-type]


def drive(register: hl.Register, clock: hl.FixedClock) -> None:
    """Report hazards and take them round the loop on fixed dates."""
    for unit in UNITS:
        register.add_unit(unit)

    def found(unit: str, domain: str, on: str, level: str, text: str, criteria=(), extra=None) -> str:
        clock.set(D.fromisoformat(on))
        h = register.discover(unit_code=unit, domain=domain, description=text, on=on, source="县级核查",
                              level=level, actor=FINDER, criteria=criteria, extra=extra)
        return h.hazard_id

    def assign(hid: str, unit: str, on: str, listing: str = "未挂牌", deadline: str | None = None) -> None:
        register.assign(hid, on=on, actor=ASSIGNER, responsible_person=OWNERS[unit],
                        supervising_department="县应急管理局", listing_level=listing, deadline=deadline)

    # a major hazard listed at county level: 30 days, closed on time
    h1 = found("GS01", "gas", "2026-02-04", "重大", "立管设置在卫生间内, 未书面告知用户", ["JC2023-9.2", "JC2023-9.0"])
    assign(h1, "GS01", "2026-02-04", "县级")
    register.report_dual(h1, on="2026-02-05", actor=OWNERS["GS01"], recipient="监管部门")
    register.report_dual(h1, on="2026-02-06", actor=OWNERS["GS01"], recipient="职代会")
    register.start_rectification(h1, on="2026-02-06", actor=OWNERS["GS01"], measures="迁移立管", plan="治理方案(六项)", funds=3.5)
    register.submit(h1, on="2026-02-26", actor=OWNERS["GS01"], evidence=[_evidence("gs01-after.jpg")])
    register.pass_and_strike_off(h1, on="2026-02-27", inspector=INSPECTOR)

    # a major hazard listed at city level: 60 days, fails inspection once, still open (due soon)
    h2 = found("MN01", "mines", "2026-02-25", "重大", "堆积子坝外坡比陡于设计", ["KA88-TL-b"])
    assign(h2, "MN01", "2026-02-25", "市级")
    register.start_rectification(h2, on="2026-02-27", actor=OWNERS["MN01"], measures="削坡减载", plan="治理方案")
    register.submit(h2, on="2026-03-30", actor=OWNERS["MN01"], evidence=[_evidence("mn01-after.jpg")])
    register.inspect(h2, on="2026-04-02", inspector=INSPECTOR, passed=False, comments="坡比仍不满足设计")

    # a general hazard with an assigner's deadline, overdue
    h3 = found("FR01", "fire", "2026-03-02", "一般", "避难间被占用", ["GB35181-2017-7.3.1"], {"place_category": "人员密集场所"})
    assign(h3, "FR01", "2026-03-02", deadline="2026-03-31")
    register.start_rectification(h3, on="2026-03-03", actor=OWNERS["FR01"], measures="清理避难间")

    # a general hazard extended, then closed within the extension (on time, late against the original)
    h4 = found("HC01", "hazchem", "2026-03-02", "一般", "液氯充装未使用万向管道充装系统", ["HC121-07"])
    assign(h4, "HC01", "2026-03-02", deadline="2026-03-20")
    register.start_rectification(h4, on="2026-03-04", actor=OWNERS["HC01"], measures="加装万向管道充装系统")
    register.extend(h4, on="2026-03-18", approver=APPROVER, reason="设备到货延迟", deadline="2026-04-10")
    register.submit(h4, on="2026-04-07", actor=OWNERS["HC01"])
    register.pass_and_strike_off(h4, on="2026-04-08", inspector=INSPECTOR)

    # closed, then reopened by 回头看
    h5 = found("FR01", "fire", "2026-03-05", "一般", "疏散指示标志损坏", ["GB35181-2017-7.3.6"], {"place_category": "人员密集场所"})
    assign(h5, "FR01", "2026-03-05", deadline="2026-03-15")
    register.start_rectification(h5, on="2026-03-06", actor=OWNERS["FR01"], measures="更换标志")
    register.submit(h5, on="2026-03-10", actor=OWNERS["FR01"])
    register.pass_and_strike_off(h5, on="2026-03-11", inspector=INSPECTOR)
    register.reopen(h5, on="2026-04-10", actor=ASSIGNER, reason="回头看发现标志再次损坏", deadline="2026-04-17")

    # withdrawn before 交办, and one fixed on the spot (即查即改)
    h6 = found("HC01", "hazchem", "2026-03-10", "一般", "举报: 夜间违规动火")
    register.withdraw(h6, on="2026-03-12", actor=ASSIGNER, reason="核查不实")
    clock.set(D(2026, 4, 14))
    register.fix_on_spot(unit_code="HC01", domain="hazchem", description="灭火器压力不足", on="2026-04-14",
                         source="企业自查", actor=FINDER, responsible_person=OWNERS["HC01"],
                         supervising_department="县应急管理局", measures="更换灭火器", inspector=INSPECTOR)
    clock.set(AS_OF)
    register.escalations("2026-02-01", AS_OF)


def main() -> None:
    """Build the demo register and print the ledger, grades and colours."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file under ./out/)")
    args = parser.parse_args()

    hooks = load_hooks()
    clock = hl.FixedClock.on("2026-02-01")
    register, where = open_demo_register(args.db, clock, hooks)
    drive(register, clock)

    print(f"hazardloop {hl.__version__} · register: {where}")
    print("plugins:", ", ".join(f"{p.name} {p.version}" for p in hooks.plugins()))
    frame = register.frame(AS_OF)
    print(f"\n隐患台账 as of {AS_OF} ({len(frame)} hazards)")
    print(f"{'编号':8} {'单位':5} {'等级':3} {'阶段':4} {'期限':10} {'状态':6} {'超期天数':>4}  描述")
    for row in frame.itertuples():
        deadline = "" if row.effective_deadline != row.effective_deadline else str(row.effective_deadline.date())
        flag = "  ⚠ 超期" if row.status == hl.Status.OVERDUE.value else ""
        print(f"{row.hazard_id:8} {row.unit_code:5} {row.level:3} {row.stage:4} {deadline:10} {row.status:6} "
              f"{row.days_overdue:>4}  {row.description}{flag}")
    counts = frame["status"].value_counts()
    print("\n汇总:", ", ".join(f"{k} {v}" for k, v in counts.items() if v))

    print("\n定级 (plugin grades vs the recorded level):")
    for result in grade_register(register, hooks):
        row = result.row()
        flag = "  ← 需复核" if result.needs_review else ""
        print(f"  {row['hazard_id']} 记录={row['recorded']} 插件={row['computed'] or row['status']} {row['criteria']}{flag}")

    colours = unit_colours(register, hooks, on=AS_OF)
    print(f"\n四色 (unit colours) on {AS_OF}:")
    for c in colours:
        print(f"  {c.unit_code} {c.colour.value if c.colour else '—'}  {' | '.join(c.reasons)}")
    print("乡镇 (towns):", {t: c.colour.value if c.colour else "—" for t, c in town_colours(colours, register.units()).items()})


if __name__ == "__main__":
    main()
