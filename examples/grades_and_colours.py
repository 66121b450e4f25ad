"""Grades and four colours from the installed domain plugins (run: python examples/grades_and_colours.py).

Loads every plugin through its entry point, records a few hazards, grades them against the
catalog in force on the date found (flagging where the plugins differ from the recorded
level), and colours the units: inherent colour from their risk inputs, raised while a major
hazard is open, red while one is overdue.
"""

from __future__ import annotations

import datetime as _dt

from hazardloop import DeadlineConfig, FixedClock, Register, Unit
from hazardloop.grading import grade_register
from hazardloop.plugins import load_hooks, town_colours, unit_colours
from hazardloop.testing import ASSIGNER, FINDER, RESPONSIBLE


def main() -> None:
    """Build a small register and print its grades and unit colours."""
    hooks = load_hooks()
    print("plugins:", ", ".join(f"{p.name} {p.version}" for p in hooks.plugins()))
    register = Register(clock=FixedClock.on("2026-03-20"), config=hooks.deadline_config(DeadlineConfig()), hooks=hooks)
    for unit in (
        Unit("HC01", "某化工有限公司", "城关镇", ("hazchem",),
             {"gb18218": [{"name": "氯", "q": 10}], "people_500m": 60}),
        Unit("MN01", "某尾矿库", "东山镇", ("mines",),
             {"tailings_stability_ratio": 0.97, "tailings_freeboard_ok": True, "tailings_beach_ok": True,
              "tailings_drainage": "normal", "tailings_shaft": "upright", "tailings_seepage_ok": True}),
        Unit("FR01", "某商场", "城关镇", ("fire",), {"lec_l": 3, "lec_e": 6, "lec_c": 7}),
        Unit("GS01", "某燃气公司", "西岭镇", ("gas",), {"ls_l": 2, "ls_s": 4}),
    ):
        register.add_unit(unit)
    found = [
        ("HC01", "hazchem", "2026-02-02", "一般", ["HC121-07"], {}, "液氯充装未使用万向管道充装系统"),
        ("FR01", "fire", "2026-02-03", "一般", ["GB35181-2017-7.3.1"], {"place_category": "人员密集场所"}, "避难间被占用"),
        ("GS01", "gas", "2026-02-04", "重大", ["JC2023-9.2", "JC2023-9.0"], {}, "立管设置在卫生间内, 未书面告知"),
        ("MN01", "mines", "2026-02-05", "重大", ["KA88-TL-b"], {}, "堆积子坝外坡比陡于设计"),
    ]
    for code, domain, on, level, criteria, extra, text in found:
        state = register.discover(unit_code=code, domain=domain, description=text, on=on, source="执法检查",
                                  level=level, actor=FINDER, criteria=criteria, extra=extra)
        if level == "重大":
            register.assign(state.hazard_id, on=on, actor=ASSIGNER, responsible_person=RESPONSIBLE,
                            supervising_department="县应急管理局", listing_level="县级")
    print("\n定级 (grades):")
    for result in grade_register(register, hooks):
        row = result.row()
        flag = "  ← 需复核" if result.needs_review else ""
        print(f"  {row['hazard_id']} 记录={row['recorded']} 插件={row['computed'] or row['status']} "
              f"{row['criteria']}{flag}")
    day = _dt.date(2026, 3, 20)
    colours = unit_colours(register, hooks, on=day)
    print(f"\n四色 (colours) on {day}:")
    for c in colours:
        print(f"  {c.unit_code} {c.colour.value if c.colour else '—'}  {' | '.join(c.reasons)}")
    print("\n乡镇 (towns):", {t: c.colour.value if c.colour else "—" for t, c in town_colours(colours, register.units()).items()})


if __name__ == "__main__":
    main()
