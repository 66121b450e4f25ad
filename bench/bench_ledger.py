"""Ledger benchmark (issue 4): import and export of a 100,000-row × 21-column ledger.

Prints figures; asserts nothing about time. Each phase runs in its own process so that its peak
memory (max RSS) is its own:

- ``parse``: a bare fastexcel parse of the generated ledger (the baseline for import);
- ``import``: :func:`hazardloop.ledger.import_files` into an in-memory register;
- ``import-parts`` (on request only): the same import as reading the file and importing its rows,
  each timed;
- ``read-many`` (on request only): four copies of the ledger read one by one, then together by
  :func:`hazardloop.ledger.read_ledgers`;
- ``pandas``: plain ``DataFrame.to_excel(engine="xlsxwriter")`` of the ledger rows (the baseline
  for export);
- ``export``: the styled :func:`hazardloop.ledger.export_ledger` of the same register;
- ``floor``: what no import into this register can avoid, timed alone: making the records the
  register holds after importing the ledger (every event, each distinct payload once, one origin
  per row, one state per hazard), with every value already at hand and no check. Added to the bare parse, it
  is a lower bound for the import that leaves out reading cells into Python, normalising,
  identity and every check;
- ``tall``: reading two full-height sheets holding 3 rows each (kept out of CI): one whose
  declared dimension reaches row 1,048,576 through a formatted blank cell, one with a stray
  space written on row 1,048,576 (calamine then builds the whole 1M-row range).

Targets from the issue: import ≤ 1.5 × the bare parse; export ≤ 1.0 × the plain pandas export.
The run also prints (bare parse + floor) / bare parse: the import can be no faster than that.

    python bench/bench_ledger.py [--rows 100000] [--dir /tmp/hazardloop-bench]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HEADERS = [
    "序号", "所属乡镇", "被检查单位", "隐患编号", "隐患部位", "隐患描述", "隐患等级", "隐患类别", "排查日期", "排查人",
    "整改措施", "整改责任人", "整改期限", "整改资金", "整改完成日期", "验收人", "验收日期", "销号日期", "隐患状态",
    "备注", "风险分析对象编码",
]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A ledger like the ones offices send: title rows, 21 columns, every stage, mixed dates."""
    import xlsxwriter

    rng = random.Random(seed)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    ws = book.add_worksheet("隐患台账")
    ws.write_string(0, 0, "XX县2025年度事故隐患排查治理台账")
    ws.write_string(1, 0, "填报单位：XX县应急管理局")
    ws.write_string(1, 10, "填报日期：2025年12月31日")
    for c, h in enumerate(HEADERS):
        ws.write_string(2, c, h)
    towns = [f"{n}镇" for n in "东南西北中上下左右前"]
    words = ["灭火器过期", "消防通道堵塞", "配电箱无门", "静电接地断开", "安全出口锁闭", "气瓶未固定", "护栏缺失", "警示标志缺失"]
    base = dt.date(2025, 1, 1)
    for i in range(rows):
        r = i + 3
        found = base + dt.timedelta(days=rng.randrange(300))
        progress = rng.random()
        town = rng.choice(towns)
        unit = f"{town}企业{rng.randrange(2000):04d}"
        ws.write_number(r, 0, i + 1)
        ws.write_string(r, 1, town)
        ws.write_string(r, 2, unit)
        ws.write_string(r, 3, f"YH{i:06d}")
        ws.write_string(r, 4, rng.choice(["仓库", "车间", "配电室", "罐区", "办公楼"]))
        ws.write_string(r, 5, f"{rng.choice(words)}（第{i}处）")
        ws.write_string(r, 6, "重大事故隐患" if rng.random() < 0.03 else rng.choice(["一般隐患", "一般"]))
        ws.write_string(r, 7, rng.choice(["设备设施", "作业行为", "管理缺陷", "消防安全"]))
        ws.write_datetime(r, 8, dt.datetime(found.year, found.month, found.day), date)
        ws.write_string(r, 9, f"检查员{rng.randrange(50)}")
        ws.write_string(r, 10, "立即整改并加强巡查")
        ws.write_string(r, 11, f"负责人{rng.randrange(500)}")
        if rng.random() < 0.5:
            ws.write_number(r, 12, rng.choice([7, 15, 30]))  # a number of days
        else:
            dl = found + dt.timedelta(days=30)
            ws.write_string(r, 12, f"{dl.year}年{dl.month}月{dl.day}日")
        ws.write_number(r, 13, rng.choice([0.5, 1, 2.5]))
        status = "整改中"
        if progress > 0.4:
            done = found + dt.timedelta(days=rng.randrange(1, 20))
            ws.write_datetime(r, 14, dt.datetime(done.year, done.month, done.day), date)
            status = "已整改待审核"
            if progress > 0.6:
                ws.write_string(r, 15, f"验收员{rng.randrange(30)}")
                ws.write_string(r, 16, done.isoformat())
                ws.write_string(r, 17, done.strftime("%Y.%m.%d"))
                status = "已销号"
        ws.write_string(r, 18, status)
        if rng.random() < 0.2:
            ws.write_string(r, 19, "回头看复查")
        ws.write_string(r, 20, f"RA-{rng.randrange(9999)}")
    book.close()


def generate_tall(path: Path, stray_value: bool) -> None:
    """Three ledger rows on a sheet whose used range reaches Excel's last row."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("台账")
    ws.write_row(0, 0, HEADERS)
    for i in range(3):
        ws.write_row(i + 1, 0, [i + 1, "东镇", "甲企业", f"T{i}", "仓库", f"灭火器过期{i}", "一般"])
    if stray_value:
        ws.write_string(1_048_575, len(HEADERS) - 1, " ")
    else:
        ws.write_blank(1_048_575, len(HEADERS) - 1, None, book.add_format({"bg_color": "#FFFF00"}))
    book.close()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase(name: str, path: Path, out_dir: Path) -> dict[str, float]:
    """Run one phase in this process; return its time and peak RSS."""
    if name == "parse":
        import fastexcel

        t = time.perf_counter()
        # load_sheet parses every cell into Arrow arrays (in Rust); converting them to pyarrow or
        # pandas would need pyarrow, which is not a dependency, so the bare parse stops there
        sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None)
        return {"seconds": time.perf_counter() - t, "rows": sheet.height, "peak_mb": _rss_mb()}
    if name == "read-many":
        # four copies of the ledger read one after another, then by read_ledgers (READ_THREADS at once)
        import gc
        import shutil

        from hazardloop.ledger import read_ledger, read_ledgers

        copies = []
        for n in range(4):
            copies.append(out_dir / f"copy{n}_{path.name}")
            shutil.copyfile(path, copies[-1])
        gc.disable()  # as the import reads
        t = time.perf_counter()
        alone = [read_ledger(c) for c in copies]
        t_alone = time.perf_counter() - t
        del alone
        t = time.perf_counter()
        together = read_ledgers(copies)
        t_together = time.perf_counter() - t
        return {"seconds": t_together, "one_by_one": round(t_alone, 2), "ratio": round(t_together / t_alone, 2),
                "rows": sum(len(s.rows) for lf in together for s in lf.sheets), "peak_mb": _rss_mb()}
    if name.startswith("tall"):
        from hazardloop.ledger import read_ledger

        tall = out_dir / f"{name}.xlsx"
        generate_tall(tall, stray_value=name == "tall-stray")
        t = time.perf_counter()
        rows = len(read_ledger(tall).sheets[0].rows)
        return {"seconds": time.perf_counter() - t, "rows": rows, "peak_mb": _rss_mb()}
    from hazardloop.ledger import ImportOptions, export_ledger, import_files, ledger_rows
    from hazardloop.testing import make_register

    register, _ = make_register("2025-12-31")
    if name == "import-parts":
        # the import's breakdown (not in the default run): what import_files does, step by step
        from hazardloop.ledger import import_ledgers, read_ledgers
        from hazardloop.ledger.importer import _gc_paused

        t = time.perf_counter()
        with _gc_paused():
            files = read_ledgers([path])
        t_read = time.perf_counter() - t
        t = time.perf_counter()
        report = import_ledgers(register, files, ImportOptions())
        t_rows = time.perf_counter() - t
        return {"seconds": t_read + t_rows, "read": round(t_read, 2), "rows_to_register": round(t_rows, 2),
                "rows": report.data_rows, "peak_mb": _rss_mb()}
    t = time.perf_counter()
    report = import_files(register, [path], ImportOptions())
    t_import = time.perf_counter() - t
    if name == "floor":
        return _floor(register)
    if name == "import":
        return {"seconds": t_import, "rows": report.data_rows, "imported": report.imported,
                "rejected": report.rejected, "peak_mb": _rss_mb()}
    if name == "pandas":
        import pandas as pd

        table = ledger_rows(register, "2025-12-31")
        frame = pd.DataFrame(list(table.rows), columns=list(table.headers))
        t = time.perf_counter()
        frame.to_excel(out_dir / "plain.xlsx", engine="xlsxwriter", index=False)
        return {"seconds": time.perf_counter() - t, "rows": len(frame), "peak_mb": _rss_mb()}
    if name == "export":
        t = time.perf_counter()
        table = export_ledger(register, out_dir / "styled.xlsx", as_of="2025-12-31")
        return {"seconds": time.perf_counter() - t, "rows": len(table.rows), "peak_mb": _rss_mb()}
    raise SystemExit(f"unknown phase {name}")


def _floor(register: Any) -> dict[str, float]:
    """Time making, without checks, the records ``register`` holds (see the module's ``floor``)."""
    import gc

    import attrs

    from hazardloop.ledger.history import unchecked
    from hazardloop.lifecycle import HazardState
    from hazardloop.records import Event, Origin

    makers: dict[type, Any] = {}

    def maker(cls: type) -> Any:
        if cls not in makers:
            makers[cls] = unchecked(cls)
        return makers[cls]

    def values(obj: Any) -> tuple[Any, ...]:
        return tuple(getattr(obj, a.name) for a in attrs.fields(type(obj)))

    # every constructor's arguments gathered first (untimed). Each payload object the register
    # holds is made once (the import shares equal payloads: one Closure() for all), and one origin
    # per ledger row (the import makes one per row and set of inferred fields): the cheapest the
    # records could be made
    states = list(register)
    payloads: dict[int, int] = {}
    payload_args: list[tuple[Any, tuple[Any, ...]]] = []
    origin_args: list[tuple[Any, ...]] = []
    events: list[tuple[tuple[Any, ...], int, int]] = []
    for state in states:
        for e in register.history(state.hazard_id):
            if len(origin_args) == 0 or e.seq == 1:
                origin_args.append((e.origin.file, e.origin.sheet, e.origin.row, ()))
            if id(e.payload) not in payloads:
                payloads[id(e.payload)] = len(payload_args)
                payload_args.append((maker(type(e.payload)), values(e.payload)))
            events.append((values(e)[:6], payloads[id(e.payload)], len(origin_args) - 1))
    state_args = [values(s) for s in states]
    new_event, new_origin = unchecked(Event), unchecked(Origin)
    gc.disable()  # as the import runs
    t = time.perf_counter()
    made = [make(*args) for make, args in payload_args]
    origins = [new_origin(*args) for args in origin_args]
    for head, p, o in events:
        new_event(*head, made[p], "", (), origins[o])
    t_events = time.perf_counter() - t
    names = [a.name for a in attrs.fields(HazardState)]
    blank = object.__new__
    t = time.perf_counter()
    for args in state_args:
        # HazardState keeps a __dict__: one update is the cheapest way to fill its ~40 fields
        state = blank(HazardState)
        state.__dict__.update(zip(names, args))
    t_states = time.perf_counter() - t
    return {"seconds": t_events + t_states, "events": round(t_events, 2), "states": round(t_states, 2),
            "event_records": len(events), "payloads": len(payload_args), "hazards": len(states), "peak_mb": _rss_mb()}


def main() -> None:
    """Generate the ledger, run every phase in a child process, print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/hazardloop-bench"))
    ap.add_argument("--phase", default=None)
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"ledger_{args.rows}.xlsx"
    if args.phase:
        print(json.dumps(phase(args.phase, path, args.dir)))
        return
    if not path.exists():
        t = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {path} ({args.rows} rows × {len(HEADERS)} columns) in {time.perf_counter() - t:.1f} s")
    results = {}
    for name in ("parse", "import", "floor", "pandas", "export", "tall-blank", "tall-stray"):
        out = subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--dir", str(args.dir), "--phase", name],
                             capture_output=True, text=True, check=True)
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[name]
        print(f"{name:7s} {r['seconds']:7.2f} s   peak RSS {r['peak_mb']:7.0f} MB   " + ", ".join(
            f"{k}={v}" for k, v in r.items() if k not in ("seconds", "peak_mb")))
    imp = results["import"]["seconds"] / results["parse"]["seconds"]
    parse = results["parse"]["seconds"]
    floor = (parse + results["floor"]["seconds"]) / parse
    events_only = (parse + results["floor"]["events"]) / parse
    exp = results["export"]["seconds"] / results["pandas"]["seconds"]
    print(f"import / bare fastexcel parse = {imp:.2f}× (target ≤ 1.5×)")
    print(f"(bare parse + floor) / bare parse = {floor:.2f}×: no import into this register can be faster "
          f"({events_only:.2f}× with the events alone, states left out)")
    print(f"styled export / plain pandas to_excel = {exp:.2f}× (target ≤ 1.0×)")


if __name__ == "__main__":
    main()
