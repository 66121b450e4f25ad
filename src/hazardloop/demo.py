"""The county of ``hazardloop demo``: a reproducible ledger of a few thousand hazards.

Everything is drawn from a seeded :class:`random.Random` on fixed dates inside the holiday
calendar's data (2025-05-01 … 2026-04-30), on a :class:`~hazardloop.clock.FixedClock`, so the
demo prints the same every run. The hazards are driven round the loop (发现→交办→整改→督查→销号)
in a memory register, written as an Excel ledger (台账) with the ledger exporter, and imported
into the durable store with the ledger importer — the path a real office takes.
"""

from __future__ import annotations

import datetime as _dt
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from hazardloop.clock import FixedClock
from hazardloop.deadlines import DeadlineConfig
from hazardloop.records import Actor, Evidence, Stage, Unit
from hazardloop.register import Register

__all__ = [
    "DEMO_AS_OF",
    "DEMO_MONTH",
    "DEMO_START",
    "TOWNS",
    "DemoResult",
    "build_demo",
    "demo_units",
    "generate_register",
    "grades_and_colours",
]

D = _dt.date
DEMO_START = D(2025, 5, 1)
DEMO_AS_OF = D(2026, 4, 30)  #: the demo's "today": the end of its year, inside the 2026 holiday data
DEMO_MONTH = "2026-04"
TOWNS = ("城关镇", "东山镇", "西岭镇", "南湖镇", "北塘镇", "青石镇", "白马镇", "金桥镇", "柳溪乡", "龙泉乡")
DOMAINS = ("hazchem", "mines", "gas", "fire")
_KIND = {"hazchem": ("HC", "化工有限公司"), "mines": ("MN", "尾矿库"), "gas": ("GS", "燃气公司"), "fire": ("FR", "商场")}

# (description 描述, criteria 判定依据, recorded level 等级, extra) per domain; the criteria are the
# domain plugins' codes, so their grades really come from the plugins
_HAZARDS: dict[str, tuple[tuple[str, tuple[str, ...], str, dict[str, Any]], ...]] = {
    "hazchem": (
        ("液氯充装未使用万向管道充装系统", ("HC121-07",), "一般", {}),
        ("储罐区可燃气体报警器失效", (), "一般", {}),
        ("动火作业票证填写不全", (), "一般", {}),
        ("装卸区静电接地不良", (), "一般", {}),
    ),
    "mines": (
        ("堆积子坝外坡比陡于设计", ("KA88-TL-b",), "重大", {}),
        ("排洪设施局部堵塞", (), "一般", {}),
        ("坝体位移监测数据未按时上传", (), "一般", {}),
    ),
    "gas": (
        ("立管设置在卫生间内, 未书面告知用户", ("JC2023-9.2", "JC2023-9.0"), "重大", {}),
        ("调压箱锈蚀未及时维护", (), "一般", {}),
        ("用户软管老化", (), "一般", {}),
    ),
    "fire": (
        ("避难间被占用", ("GB35181-2017-7.3.1",), "一般", {"place_category": "人员密集场所"}),
        ("疏散指示标志损坏", ("GB35181-2017-7.3.6",), "一般", {"place_category": "人员密集场所"}),
        ("灭火器压力不足", (), "一般", {"place_category": "人员密集场所"}),
        ("消防通道堆放杂物", (), "一般", {"place_category": "人员密集场所"}),
    ),
}

FINDERS = tuple(Actor(f"f-{i:02d}", f"{n}排查员", f"{t}安监站") for i, (n, t) in enumerate(zip("赵钱孙李周吴郑王冯陈", TOWNS)))
ASSIGNER = Actor("a-01", "钱交办", "县应急管理局")
INSPECTOR = Actor("i-01", "李督查", "县应急管理局")
APPROVER = Actor("p-01", "周审批", "县安委办")
DEPARTMENTS = {"hazchem": "县应急管理局", "mines": "县应急管理局", "gas": "县住建局", "fire": "县消防救援大队"}
_TITLE = {"hazchem": "厂长", "mines": "矿长", "gas": "站长", "fire": "经理"}  # the responsible person (责任人)
SOURCES = ("企业自查", "属地排查", "县级核查", "执法检查", "举报")


def _unit_attributes(domain: str, rng: random.Random) -> dict[str, Any]:
    """The risk inputs each domain plugin reads (see examples/loop_demo.py)."""
    if domain == "hazchem":
        return {"gb18218": [{"name": "氯", "q": rng.choice([5, 8, 10, 20, 40])}],
                "people_500m": rng.choice([10, 30, 60, 200, 600])}
    if domain == "mines":
        return {"tailings_stability_ratio": rng.choice([0.97, 1.05, 1.15, 1.3]),
                "tailings_freeboard_ok": rng.random() > 0.2, "tailings_beach_ok": rng.random() > 0.2,
                "tailings_drainage": "normal", "tailings_shaft": "upright", "tailings_seepage_ok": rng.random() > 0.1}
    if domain == "fire":
        return {"lec_l": rng.choice([1, 3, 6]), "lec_e": rng.choice([2, 3, 6]), "lec_c": rng.choice([3, 7, 15])}
    return {"ls_l": rng.randint(1, 5), "ls_s": rng.randint(1, 5)}


def demo_units(seed: int = 2026, per_town: int = 6) -> list[Unit]:
    """Units (生产经营单位) of the ten towns, the four domains in turn, with their risk inputs."""
    rng = random.Random(seed * 7919)
    units = []
    for t, town in enumerate(TOWNS):
        for k in range(per_town):
            domain = DOMAINS[(t + k) % len(DOMAINS)]
            prefix, kind = _KIND[domain]
            units.append(Unit(f"{prefix}{t:02d}{k}", f"{town}第{k + 1}{kind}", town, (domain,),
                              _unit_attributes(domain, rng)))
    return units


def hash_code(code: str) -> int:
    """A stable small number from a unit code (Python's own ``hash`` of a str changes per run)."""
    return sum(ord(ch) * (i + 1) for i, ch in enumerate(code))


def _evidence(name: str) -> Evidence:
    import hashlib

    return Evidence(f"file:///evidence/{name}", hashlib.sha256(name.encode()).hexdigest(), name)


def _drive_one(register: Register, unit: Unit, n: int, rng: random.Random, as_of: _dt.date) -> None:
    """Report one hazard and take it as far round the loop as its dates (≤ ``as_of``) allow."""
    domain = unit.domains[0]
    text, criteria, level, extra = rng.choice(_HAZARDS[domain])
    day = DEMO_START + _dt.timedelta(days=rng.randint(0, (as_of - DEMO_START).days))
    finder = FINDERS[TOWNS.index(unit.town)]
    owner = Actor(f"r-{unit.code}", f"{'孙吴郑王冯陈褚卫蒋沈'[hash_code(unit.code) % 10]}{_TITLE[domain]}", unit.name)
    state = register.discover(unit_code=unit.code, domain=domain, description=f"{text}(#{n})", on=day,
                              source=rng.choice(SOURCES), level=level, actor=finder, criteria=criteria, extra=extra)
    hid = state.hazard_id

    def later(lo: int, hi: int) -> _dt.date | None:
        nonlocal day
        nxt = day + _dt.timedelta(days=rng.randint(lo, hi))
        if nxt > as_of:
            return None
        day = nxt
        return day

    roll = rng.random()
    if roll < 0.04:  # 核查不实: withdrawn before 交办
        on = later(1, 5)
        if on is not None:
            register.withdraw(hid, on=on, actor=ASSIGNER, reason="核查不实")
        return
    on = later(0, 3)
    if on is None:
        return
    if level == "重大":
        register.assign(hid, on=on, actor=ASSIGNER, responsible_person=owner, supervising_department=DEPARTMENTS[domain],
                        listing_level=rng.choice(["县级", "市级"]))
    else:
        register.assign(hid, on=on, actor=ASSIGNER, responsible_person=owner, supervising_department=DEPARTMENTS[domain],
                        deadline=on + _dt.timedelta(days=rng.randint(10, 45)))
    on = later(1, 5)
    if on is None:
        return
    register.start_rectification(hid, on=on, actor=owner, measures=f"针对{text[:6]}落实整改", plan="治理方案",
                                 funds=round(rng.uniform(0.2, 8.0), 1) if level == "重大" else None)
    for _round in range(3):
        deadline = register.get(hid).effective_deadline
        slow = rng.random() < 0.10  # some units drag past their deadline
        if rng.random() < 0.06 and deadline is not None:  # 延期 approved before the deadline
            ext = later(1, max(1, (deadline - day).days - 1))
            if ext is None:
                return
            if ext < deadline:
                register.extend(hid, on=ext, approver=APPROVER, reason="设备到货延迟",
                                deadline=deadline + _dt.timedelta(days=rng.randint(10, 30)))
                deadline = register.get(hid).effective_deadline
        span = max(1, (deadline - day).days) if deadline is not None else 20
        on = later(span + 3, span + 60) if slow else later(1, max(1, span - 1))
        if on is None:
            return
        register.submit(hid, on=on, actor=owner, evidence=[_evidence(f"{hid}-after.jpg")])
        on = later(1, 4)
        if on is None:
            return
        if rng.random() < 0.06:  # 督查不合格: back to 整改
            register.inspect(hid, on=on, inspector=INSPECTOR, passed=False, comments="整改不到位")
            continue
        register.pass_and_strike_off(hid, on=on, inspector=INSPECTOR)
        if rng.random() < 0.05:  # 回头看: reopened
            on = later(15, 60)
            if on is None:
                return
            register.reopen(hid, on=on, actor=ASSIGNER, reason="回头看发现问题反弹",
                            deadline=on + _dt.timedelta(days=rng.randint(7, 20)))
            on = later(1, 3)
            if on is None or register.get(hid).stage is not Stage.RECTIFYING and not _restart(register, hid, on, owner):
                return
            continue
        return


def _restart(register: Register, hid: str, on: _dt.date, owner: Actor) -> bool:
    """After a reopening, restart rectification if the lifecycle asks for it."""
    if register.get(hid).stage is Stage.ASSIGNED:
        register.start_rectification(hid, on=on, actor=owner, measures="再次整改")
    return register.get(hid).stage is Stage.RECTIFYING


def generate_register(
    hooks: Any, *, hazards: int = 3000, seed: int = 2026, as_of: _dt.date = DEMO_AS_OF
) -> Register:
    """A memory register of ``hazards`` hazards over the demo's year, drawn from ``seed``.

    ``hooks`` (a :class:`~hazardloop.plugins.PluginHooks`) validates every event and gives the
    deadline configuration, as in a real office.
    """
    rng = random.Random(seed)
    register = Register(clock=FixedClock.on(as_of), config=hooks.deadline_config(DeadlineConfig()), hooks=hooks)
    units = demo_units(seed)
    for unit in units:
        register.add_unit(unit)
    # some units are visited far more than others: weight them
    weights = [rng.choice([1, 1, 2, 3, 6]) for _ in units]
    for n, unit in enumerate(rng.choices(units, weights=weights, k=hazards), start=1):
        _drive_one(register, unit, n, rng, as_of)
    return register


def grades_and_colours(register: Register, hooks: Any, on: _dt.date = DEMO_AS_OF) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """What the plugins make of a register: each hazard's computed grade (定级) and each unit's
    dynamic colour (四色), as plain values keyed by hazard id and unit code."""
    from hazardloop.grading import grade_register
    from hazardloop.plugins import unit_colours

    grades = {g.hazard_id: (g.computed.value if g.computed else None) for g in grade_register(register, hooks, as_of=on)}
    colours = {c.unit_code: (c.colour.value if c.colour else None) for c in unit_colours(register, hooks, on=on)}
    return grades, colours


@attrs.frozen
class DemoResult:
    """The demo's register on the store, and the files it wrote."""

    register: Register
    hooks: Any
    db: str
    ledger: Path
    import_summary: dict[str, Any]


def build_demo(
    out: Path,
    *,
    db: str | None = None,
    hazards: int = 3000,
    seed: int = 2026,
    block: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Generate the county, write its ledger to ``out``/台账.xlsx and import it into ``db``.

    ``db`` defaults to a fresh SQLite file ``out``/demo.db (an old one is removed first, so
    the demo prints the same every run). ``block`` names plugins not to load.
    """
    from hazardloop.ledger import export_ledger, import_files
    from hazardloop.plugins import load_hooks
    from hazardloop.sqlstore import open_store

    out.mkdir(parents=True, exist_ok=True)
    hooks = load_hooks(block=block)
    source = generate_register(hooks, hazards=hazards, seed=seed)
    ledger = out / "台账.xlsx"
    export_ledger(source, ledger, as_of=DEMO_AS_OF)
    if db is None:
        path = out / "demo.db"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db = f"sqlite:///{path}"
    register = Register(clock=FixedClock.on(DEMO_AS_OF), config=hooks.deadline_config(DeadlineConfig()),
                        store=open_store(db), hooks=hooks)
    for unit in source.units():  # the importer finds units by name in the unit register
        register.add_unit(unit)
    report = import_files(register, [ledger], progress=progress)
    return DemoResult(register, hooks, db, ledger, report.summary())
