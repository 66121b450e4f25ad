"""Importing ledgers: every data row accounted for, identities, re-imports, dry runs, error workbooks."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings, strategies as st
from ledger_support import OPTIONS, fresh_register, write_csv, write_xlsx

from hazardloop.ledger import ImportOptions, Outcome, import_files, read_ledger, write_error_workbook
from hazardloop.ledger.importer import UNSTATED, ledger_actor
from hazardloop.ledger.reader import LedgerReadError
from hazardloop.records import EventKind as K, Level, Stage, Unit

DATA = Path(__file__).parent / "data"

TITLE = "城关镇2021年4月事故隐患排查治理台账"
TOP = ["序号", "所属乡镇", "被检查单位", "隐患编号", "隐患部位", "隐患描述", "隐患等级", "排查日期",
       "整改情况", None, None, "隐患状态", "销号日期", "备注", "风险分析对象编码"]
SUB = [None] * 8 + ["整改措施", "整改责任人", "整改时限"] + [None] * 4
HEADER_MERGES = [(2, c, 3, c, TOP[c]) for c in range(15) if c not in (8, 9, 10)] + [(2, 8, 2, 10, "整改情况")]


def april_rows() -> list[list[object]]:
    """The April ledger: 6 data rows (3 hazards, 2 invalid, 1 repeated) and rows carrying none."""
    return [
        [TITLE],
        ["填报单位：城关镇安监站", None, None, None, None, None, None, None, None, None, None, "填报日期：2021年4月30日"],
        TOP,
        SUB,
        [1, "城关镇", "甲化工有限公司", "A-001", "储罐区", "静电接地断开", "一般隐患", "2021年4月2日", "恢复接地", "张三", 30, "整改中", None, None, "RA-1"],
        [2, "城关镇", "乙烟花厂", None, "药物总库", "超量储存", "重大事故隐患", 44294, "清理超量药物", "李四", "2021/04/30", "待整改", None, None, None],
        [3, "东镇", "丙加油站", None, "卸油口", "消防沙不足", "一般", "2021.4.15", "补充消防沙", "王五", "2021-4-25", "已整改", dt.date(2021, 4, 20), None, None],
        [],
        [4, "东镇", "丙加油站", None, "配电间", "配电箱无门", "3级", "2021-04-16", "装门", "王五", 10, "待整改", None, None, None],
        [5, "东镇", "丁商场", None, "疏散通道", "通道堵塞", "一般", "明天", "清理", "赵六", 5, "待整改", None, None, None],
        [6, "城关镇", "甲化工有限公司", "A-001", "储罐区", "静电接地断开", "一般隐患", "2021年4月2日", "恢复接地", "张三", 30, "整改中", None, "重复填报", "RA-1"],
        ["合计", None, None, None, None, "6项"],
        ["注：整改时限为天数的, 自排查日期起算。"],
        ["填表人：孙七", None, None, None, None, None, None, None, "审核人：周八"],
    ]


MAJOR_SHEET = [["隐患描述", "被检查单位", "排查日期", "隐患级别", "所属乡镇", "隐患部位"],
               ["超量储存", "乙烟花厂", dt.date(2021, 4, 8), "重大", "城关镇", "药物总库"]]


def april_book(path: Path) -> Path:
    return write_xlsx(path, {"4月台账": april_rows(), "重大隐患": MAJOR_SHEET}, {"4月台账": [(0, 0, 0, 14, TITLE), *HEADER_MERGES]})


def may_rows() -> list[list[object]]:
    """The same ledger a month later: progress filled in, the invalid row fixed, one new hazard."""
    rows = april_rows()
    rows[4][11:13] = ["已销号", "2021-05-06"]  # A-001 struck off
    rows[10][11:13] = ["已销号", "2021-05-06"]  # and its repeated row says the same
    rows[5][11] = "整改中"  # 乙烟花厂 started
    rows[8][6] = "一般"  # the 3级 row fixed
    rows[9][7] = "2021-04-18"  # the bad date fixed
    rows.insert(10, [7, "城关镇", "戊物流", None, "仓库", "叉车无证驾驶", "一般", "2021-05-03", "培训取证", "吴九", 15, "待整改", None, None, None])
    return rows


def may_book(path: Path) -> Path:
    return write_xlsx(path, {"5月台账": may_rows()}, {"5月台账": [(0, 0, 0, 14, TITLE), *HEADER_MERGES]})


def outcomes(report) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    return [(r.sheet, r.row, r.outcome.value) for r in report.results]


def test_the_april_ledger_reconciles_exactly(tmp_path: Path) -> None:
    register = fresh_register()
    report = import_files(register, [april_book(tmp_path / "april.xlsx")])
    assert outcomes(report) == [
        ("4月台账", 5, "imported"), ("4月台账", 6, "imported"), ("4月台账", 7, "imported"),
        ("4月台账", 9, "rejected"), ("4月台账", 10, "rejected"), ("4月台账", 11, "duplicate"),
        ("重大隐患", 2, "duplicate"),
    ]
    s = report.summary()
    assert (s["data_rows"], s["imported"], s["updated"], s["rejected"], s["duplicates"]) == (7, 3, 0, 2, 2)
    assert s["imported"] + s["updated"] + s["rejected"] + s["duplicates"] == s["data_rows"]
    assert [(x[2], x[3]) for x in report.skipped] == [(12, "合计/小计行"), (13, "注释行"), (14, "签字行")]
    bad = {r.row: r for r in report.rejected_rows()}
    assert (bad[9].column, bad[9].value) == ("隐患等级", "3级") and "未知的隐患等级" in bad[9].reason
    assert (bad[10].column, bad[10].value) == ("排查日期", "明天")
    assert len(register) == 3
    by_desc = {s.description: s for s in register}
    a = by_desc["静电接地断开"]
    assert (a.hazard_code, a.unit_code, a.town, a.level, a.stage) == ("A-001", "甲化工有限公司", "城关镇", Level.GENERAL, Stage.RECTIFYING)
    assert a.found_on == dt.date(2021, 4, 2) and a.original_deadline == dt.date(2021, 5, 2)  # 30 days from found
    assert dict(a.extra) == {"风险分析对象编码": "RA-1"}
    b = by_desc["超量储存"]
    assert (b.level, b.stage, b.found_on, b.original_deadline) == (Level.MAJOR, Stage.ASSIGNED, dt.date(2021, 4, 8), dt.date(2021, 4, 30))
    c = by_desc["消防沙不足"]
    assert (c.stage, c.closed_on, c.town) == (Stage.CLOSED, dt.date(2021, 4, 20), "东镇")


def test_history_rebuilt_from_a_row_is_marked_with_its_origin(tmp_path: Path) -> None:
    register = fresh_register()
    path = april_book(tmp_path / "april.xlsx")
    import_files(register, [path])
    closed = next(s for s in register if s.description == "消防沙不足")
    events = register.history(closed.hazard_id)
    assert [e.kind for e in events] == [K.DISCOVER, K.ASSIGN, K.START, K.SUBMIT, K.INSPECT_PASS, K.CLOSE]
    assert all(e.origin is not None and e.origin.file == str(path) and e.origin.sheet == "4月台账" and e.origin.row == 7 for e in events)
    assign = events[1]
    assert assign.occurred_on == closed.found_on and "date" in assign.origin.inferred  # no 交办 column
    assert "supervising_department" in assign.origin.inferred and assign.payload.supervising_department == UNSTATED
    assert assign.payload.responsible_person.name == "王五"
    # nobody named for the finding, the inspection or the closure: the ledger row stands in
    assert events[0].actor == ledger_actor(str(path), "4月台账", 7) and "actor" in events[0].origin.inferred
    assert events[4].actor == events[0].actor
    assert closed.from_ledger and closed.closed_on == dt.date(2021, 4, 20)


def test_importing_the_same_file_twice_imports_nothing_new(tmp_path: Path) -> None:
    register = fresh_register()
    path = april_book(tmp_path / "april.xlsx")
    import_files(register, [path])
    before = {s.hazard_id: s.version for s in register}
    again = import_files(register, [path])
    assert (again.imported, again.updated, again.rejected, again.duplicates) == (0, 0, 2, 5)
    assert {s.hazard_id: s.version for s in register} == before


def test_a_month_later_only_new_stage_events_are_appended(tmp_path: Path) -> None:
    register = fresh_register()
    import_files(register, [april_book(tmp_path / "april.xlsx")])
    ids = {s.description: s.hazard_id for s in register}
    report = import_files(register, [may_book(tmp_path / "may.xlsx")])
    assert outcomes(report) == [
        ("5月台账", 5, "updated"), ("5月台账", 6, "updated"), ("5月台账", 7, "duplicate"),
        ("5月台账", 9, "imported"), ("5月台账", 10, "imported"), ("5月台账", 11, "imported"),
        ("5月台账", 12, "duplicate"),
    ]
    assert len(register) == 6  # never a second copy
    a = register.get(ids["静电接地断开"])
    assert a.stage is Stage.CLOSED and a.closed_on == dt.date(2021, 5, 6)
    kinds = [e.kind for e in register.history(a.hazard_id)]
    assert kinds == [K.DISCOVER, K.ASSIGN, K.START, K.SUBMIT, K.INSPECT_PASS, K.CLOSE]
    assert register.get(ids["超量储存"]).stage is Stage.RECTIFYING
    # and the May file a second time: nothing new at all
    again = import_files(register, [may_book(tmp_path / "may2.xlsx")])
    assert again.duplicates == again.data_rows == 7


def test_a_dry_run_reports_exactly_what_the_real_run_does_and_writes_nothing(tmp_path: Path) -> None:
    register = fresh_register()
    import_files(register, [april_book(tmp_path / "april.xlsx")])
    may = may_book(tmp_path / "may.xlsx")
    before = {s.hazard_id: s.version for s in register}
    dry = import_files(register, [may], dry_run=True)
    assert {s.hazard_id: s.version for s in register} == before and len(register) == 3
    real = import_files(register, [may])

    def key(rep):  # type: ignore[no-untyped-def]
        return [(r.file, r.sheet, r.row, r.outcome, r.events, r.column, r.value, r.reason) for r in rep.results]

    assert key(dry) == key(real)
    assert dry.dry_run and not real.dry_run and real.imported == 3


def test_rejected_rows_go_to_an_error_workbook_that_imports_again_once_fixed(tmp_path: Path) -> None:
    register = fresh_register()
    report = import_files(register, [april_book(tmp_path / "april.xlsx")])
    errors = tmp_path / "errors.xlsx"
    assert write_error_workbook(report, errors) == 2
    sheet = read_ledger(errors).sheets[0]
    headers = [c.header for c in sheet.columns]
    assert headers[:3] == ["序号", "所属乡镇", "被检查单位"] and headers[-2:] == ["错误原因", "原位置"]
    assert "整改时限" in headers  # the two-row header flattened to its children
    assert [r.cells[6] for r in sheet.rows] == ["3级", "一般"] and [r.cells[7] for r in sheet.rows][1] == "明天"
    assert sheet.meta_value("填报单位") == "城关镇安监站" and sheet.header_rows == (3,)  # the lines above the header kept
    book = openpyxl.load_workbook(errors)
    ws = book.worksheets[0]
    assert ws.cell(4, 7).value == "3级" and "未知的隐患等级" in ws.cell(4, len(headers) - 1).value
    assert "april.xlsx / 4月台账 / 第9行" == ws.cell(4, len(headers)).value
    ws.cell(4, 7).value = "一般"  # the user fixes the level
    ws.cell(5, 8).value = "2021-04-18"  # and the date
    book.save(errors)
    fixed = import_files(register, [errors])
    assert (fixed.imported, fixed.rejected) == (2, 0)
    new = [s for s in register if s.description in ("配电箱无门", "通道堵塞")]
    assert len(new) == 2 and all("错误原因" not in dict(s.extra) and "原位置" not in dict(s.extra) for s in new)


def test_a_fixed_error_workbook_keeps_the_report_lines_its_rows_rely_on(tmp_path: Path) -> None:
    rows = [["XX镇隐患台账"], ["填报单位：丁化工厂", None, "填报日期：2021年4月30日"],
            ["隐患描述", "隐患等级", "所属乡镇"], ["阀门泄漏", "较重", "东镇"], ["管道锈蚀", "一般", "东镇"]]
    register = fresh_register()
    report = import_files(register, [write_xlsx(tmp_path / "t.xlsx", rows)])
    assert [r.outcome for r in report.results] == [Outcome.REJECTED, Outcome.IMPORTED]
    ok = next(iter(register))
    assert (ok.unit_code, ok.found_on) == ("丁化工厂", dt.date(2021, 4, 30))  # from the lines above the header
    errors = tmp_path / "errors.xlsx"
    write_error_workbook(report, errors)
    book = openpyxl.load_workbook(errors)
    ws = book.worksheets[0]
    assert (ws["A1"].value, ws["A2"].value, ws["A3"].value, ws["B4"].value) == ("填报单位：丁化工厂", "填报日期：2021年4月30日", "隐患描述", "较重")
    ws["B4"].value = "一般"
    book.save(errors)
    fixed = import_files(register, [errors])
    assert (fixed.imported, fixed.rejected) == (1, 0)
    new = next(s for s in register if s.description == "阀门泄漏")
    assert (new.unit_code, new.found_on, new.town) == ("丁化工厂", dt.date(2021, 4, 30), "东镇")


def test_a_bad_file_among_several_changes_nothing(tmp_path: Path) -> None:
    register = fresh_register()
    good = april_book(tmp_path / "april.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"\x89PNG not a workbook")
    with pytest.raises(LedgerReadError, match="bad.xlsx"):
        import_files(register, [good, bad])
    assert len(register) == 0


HEAD = ["隐患编号", "被检查单位", "隐患描述", "排查日期", "隐患等级", "整改期限", "隐患状态", "验收日期", "销号日期", "回头看日期", "延期后期限"]


def one_row(tmp_path: Path, name: str, *row: object) -> Path:
    return write_xlsx(tmp_path / name, [HEAD, list(row)])


def test_backward_moves_the_lifecycle_allows_are_imported_as_what_they_are(tmp_path: Path) -> None:
    register = fresh_register()
    import_files(register, [one_row(tmp_path, "1.xlsx", "X1", "甲", "护栏缺失", "2021-04-01", "一般", "2021-05-01", "已整改待审核")], OPTIONS)
    (hid,) = [s.hazard_id for s in register]
    assert register.get(hid).stage is Stage.INSPECTING
    # the next month's ledger says 整改中 again: the inspection failed
    rep = import_files(register, [one_row(tmp_path, "2.xlsx", "X1", "甲", "护栏缺失", "2021-04-01", "一般", "2021-05-01", "整改中")], OPTIONS)
    assert rep.updated == 1
    state = register.get(hid)
    assert state.stage is Stage.RECTIFYING and state.failed_inspections == 1
    assert register.history(hid)[-1].kind is K.INSPECT_FAIL
    # struck off, then a look-back reopens it with a new deadline
    import_files(register, [one_row(tmp_path, "3.xlsx", "X1", "甲", "护栏缺失", "2021-04-01", "一般", "2021-05-01", "已销号", "2021-04-28", "2021-04-28")], OPTIONS)
    assert register.get(hid).stage is Stage.CLOSED
    rep = import_files(register, [one_row(tmp_path, "4.xlsx", "X1", "甲", "护栏缺失", "2021-04-01", "一般", "2021-05-01", "整改中",
                                          "2021-04-28", "2021-04-28", "2021-05-10", "2021-06-10")], OPTIONS)
    assert rep.updated == 1, rep.results
    state = register.get(hid)
    assert (state.stage, state.reopen_count, state.effective_deadline) == (Stage.RECTIFYING, 1, dt.date(2021, 6, 10))


def test_contradictions_the_lifecycle_forbids_are_rejected_with_the_reason(tmp_path: Path) -> None:
    register = fresh_register()
    import_files(register, [one_row(tmp_path, "1.xlsx", "X1", "甲", "护栏缺失", "2021-04-01", "一般", "2021-05-01", "已销号", None, "2021-04-20")], OPTIONS)
    before = {s.hazard_id: s.version for s in register}
    undone = import_files(register, [one_row(tmp_path, "2.xlsx", "X1", "甲", "护栏缺失", "2021-04-01", "一般", "2021-05-01", "整改中")], OPTIONS)
    assert undone.rejected == 1 and "销号" in undone.results[0].reason and "回头看" in undone.results[0].reason
    moved = import_files(register, [one_row(tmp_path, "3.xlsx", "X1", "甲", "护栏缺失", "2021-04-03", "一般", "2021-05-01", "已销号", None, "2021-04-20")], OPTIONS)
    assert moved.rejected == 1 and "排查日期与登记不符" in moved.results[0].reason
    assert "2021-04-01" in moved.results[0].reason and moved.results[0].column == "排查日期"
    other_close = import_files(register, [one_row(tmp_path, "4.xlsx", "X1", "甲", "护栏缺失", "2021-04-01", "一般", "2021-05-01", "已销号", None, "2021-04-25")], OPTIONS)
    assert other_close.rejected == 1 and "销号" in other_close.results[0].reason
    regraded = import_files(register, [one_row(tmp_path, "5.xlsx", "X1", "甲", "护栏缺失", "2021-04-01", "重大", "2021-05-01")], OPTIONS)
    assert regraded.rejected == 1 and "等级" in regraded.results[0].reason
    assert {s.hazard_id: s.version for s in register} == before


def test_identity_is_the_code_within_its_unit_never_the_row_number(tmp_path: Path) -> None:
    rows = [
        ["序号", "隐患编号", "被检查单位", "隐患描述", "排查日期", "隐患等级"],
        [1, "001", "甲", "灭火器过期", "2021-04-01", "一般"],
        [1, "001", "乙", "灭火器过期", "2021-04-01", "一般"],  # same code, other unit: another hazard
        [1, None, "甲", "灭火器过期", "2021-04-02", "一般"],  # same 序号, no code, other date: another hazard
        [2, None, "甲", "灭火器 过期", "2021-04-02", "一般"],  # same facts (whitespace aside): the same hazard
        [3, "００１", "甲", "灭火器过期", "2021-04-01", "一般"],  # full-width code: the same hazard as row 2
    ]
    report = import_files(fresh_register(), [write_xlsx(tmp_path / "i.xlsx", rows)], OPTIONS)
    assert [r.outcome for r in report.results] == [Outcome.IMPORTED] * 3 + [Outcome.DUPLICATE] * 2


def test_unit_and_town_come_from_columns_the_unit_register_or_defaults(tmp_path: Path) -> None:
    register = fresh_register()
    register.add_unit(Unit(code="U9", name="甲化工有限公司", town="西镇"))
    rows = [["隐患描述", "排查日期", "隐患等级", "厂商名称"], ["a", "2021-04-01", "一般", "甲化工有限公司"], ["b", "2021-04-01", "一般", "无名公司"]]
    report = import_files(register, [write_xlsx(tmp_path / "u.xlsx", rows)])
    assert [r.outcome for r in report.results] == [Outcome.IMPORTED, Outcome.REJECTED]
    assert "所属乡镇" in report.results[1].reason
    assert {(s.unit_code, s.town) for s in register} == {("U9", "西镇")}
    with_default = import_files(register, [write_xlsx(tmp_path / "u2.xlsx", rows)], ImportOptions(default_town="北镇"))
    assert [r.outcome for r in with_default.results] == [Outcome.DUPLICATE, Outcome.IMPORTED]
    no_unit = [["隐患描述", "排查日期", "隐患等级"], ["c", "2021-04-01", "一般"]]
    assert import_files(register, [write_xlsx(tmp_path / "u3.xlsx", no_unit)], OPTIONS).rejected == 1
    unit_default = import_files(register, [write_xlsx(tmp_path / "u4.xlsx", no_unit)], ImportOptions(default_town="北镇", default_unit="丙"))
    assert unit_default.imported == 1


def test_level_maps_and_default_levels_extend_the_vocabulary_per_import(tmp_path: Path) -> None:
    rows = [["隐患描述", "被检查单位", "排查日期", "隐患等级(1-6)"], ["a", "甲", "2021-04-01", "3级"], ["b", "甲", "2021-04-01", "1级"],
            ["c", "甲", "2021-04-01", None], ["d", "甲", "2021-04-01", "7级"]]
    path = write_xlsx(tmp_path / "lv.xlsx", rows)
    plain = import_files(fresh_register(), [path], OPTIONS)
    assert [r.outcome for r in plain.results] == [Outcome.REJECTED] * 4
    opts = OPTIONS.with_levels({"1级": Level.MAJOR, "3级": Level.GENERAL}, "一般")
    register = fresh_register()
    mapped = import_files(register, [path], opts)
    assert [r.outcome for r in mapped.results] == [Outcome.IMPORTED] * 3 + [Outcome.REJECTED]
    assert {s.description: s.level for s in register} == {"a": Level.GENERAL, "b": Level.MAJOR, "c": Level.GENERAL}
    assert dict(next(s for s in register if s.description == "a").extra)["原隐患等级"] == "3级"


def test_a_category_column_holding_levels_is_read_as_the_level(tmp_path: Path) -> None:
    rows = [["隐患描述", "被检查单位", "排查日期", "隐患类别"], ["a", "甲", "2021-04-01", "一般隐患"], ["b", "甲", "2021-04-01", "重大隐患"]]
    register = fresh_register()
    assert import_files(register, [write_xlsx(tmp_path / "c.xlsx", rows)], OPTIONS).imported == 2
    assert {s.description: s.level for s in register} == {"a": Level.GENERAL, "b": Level.MAJOR}
    rows2 = [["隐患描述", "被检查单位", "排查日期", "隐患类别", "隐患等级"], ["x", "甲", "2021-04-01", "设备设施", "一般"]]
    register2 = fresh_register()
    import_files(register2, [write_xlsx(tmp_path / "c2.xlsx", rows2)], OPTIONS)
    assert dict(next(iter(register2)).extra) == {"隐患类别": "设备设施"}


def test_legacy_xls_and_gbk_csv_import(tmp_path: Path) -> None:
    register = fresh_register()
    xls = import_files(register, [DATA / "ledger_legacy.xls"], OPTIONS)
    assert (xls.data_rows, xls.imported) == (3, 3)
    assert {s.unit_code for s in register} == {"甲化工有限公司", "乙烟花厂"}
    first = next(s for s in register if s.description == "储罐区静电接地断开")
    assert first.original_deadline == dt.date(2021, 5, 2)
    csv_rows = [["被检查单位", "隐患描述", "排查日期", "隐患等级", "整改期限"], ["甲化工有限公司", "消防通道堵塞", "2021年4月15日", "一般", "2021年4月25日"],
                ["乙烟花厂", "新隐患", "２０２１年５月１日", "一般", "10天"]]
    rep = import_files(register, [write_csv(tmp_path / "gbk.csv", csv_rows, "gbk")], OPTIONS)
    assert [r.outcome for r in rep.results] == [Outcome.DUPLICATE, Outcome.IMPORTED]
    new = next(s for s in register if s.description == "新隐患")
    assert new.original_deadline == dt.date(2021, 5, 11)


def test_rows_that_show_progress_but_no_deadline_are_rejected(tmp_path: Path) -> None:
    rows = [["隐患描述", "被检查单位", "排查日期", "隐患等级", "销号日期"], ["a", "甲", "2021-04-01", "一般", "2021-04-10"], ["b", "甲", "2021-04-01", "一般", None]]
    rep = import_files(fresh_register(), [write_xlsx(tmp_path / "n.xlsx", rows)], OPTIONS)
    assert [r.outcome for r in rep.results] == [Outcome.REJECTED, Outcome.IMPORTED]
    assert "整改期限" in rep.results[0].reason


# ---------------------------------------------------------------------------------------------
# generated ledgers: random title rows, column orders and header synonyms
# ---------------------------------------------------------------------------------------------

SYN = {
    "description": ["隐患描述", "隐患内容", "存在问题", "问题描述", "事故隐患内容"],
    "unit": ["被检查单位", "被检查部门"],
    "found_on": ["排查日期", "检查日期", "发现时间", "检查时间"],
    "level": ["隐患等级", "隐患级别", "等级", "严重程度"],
    "deadline": ["整改期限", "整改时限", "治理期限", "计划完成日期"],
    "person": ["整改责任人", "责任人", "整改负责人"],
    "measures": ["整改措施", "整改要求", "控制措施"],
    "town": ["所属乡镇"],
    "row_no": ["序号"],
}
DATE_STYLES = [lambda d: d, lambda d: d.strftime("%Y年%m月%d日"), lambda d: f"{d.year}.{d.month}.{d.day}",
               lambda d: d.strftime("%Y/%m/%d"), lambda d: int(d.strftime("%Y%m%d")), lambda d: (d - dt.date(1899, 12, 30)).days]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), titles=st.integers(0, 8), n=st.integers(1, 12))
def test_generated_ledgers_reconcile(tmp_path_factory, seed: int, titles: int, n: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    fields = list(SYN)
    rng.shuffle(fields)
    header = [rng.choice(SYN[f]) for f in fields]
    rows: list[list[object]] = [[f"第{i}行标题"] for i in range(titles)]
    rows.append(header)
    expected = []
    for i in range(n):
        found = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(300))
        fact = {"description": f"隐患{i}号", "unit": rng.choice(["甲", "乙"]), "found_on": rng.choice(DATE_STYLES)(found),
                "level": rng.choice(["一般", "重大隐患", "一般隐患"]), "deadline": rng.choice([rng.randrange(1, 60), found + dt.timedelta(days=20)]),
                "person": "张三", "measures": "整改", "town": rng.choice(["城关镇", "东镇"]), "row_no": i + 1}
        rows.append([fact[f] for f in fields])
        expected.append((f"隐患{i}号", fact["unit"], fact["town"], found))
    if rng.random() < 0.5:
        rows.append(["合计"])
    path = write_xlsx(tmp_path_factory.mktemp("gen") / "g.xlsx", rows)
    register = fresh_register()
    report = import_files(register, [path])
    assert report.data_rows == n and report.imported == n, report.results
    assert sorted((s.description, s.unit_code, s.town, s.found_on) for s in register) == sorted(expected)


def test_progress_is_reported_while_importing(tmp_path: Path) -> None:
    from hazardloop.ledger import import_ledgers, read_ledgers

    rows = [["隐患描述", "被检查单位", "排查日期", "隐患等级"]] + [[f"隐患{i}", "甲", "2021-04-01", "一般"] for i in range(1200)]
    seen: list[int] = []
    report = import_ledgers(fresh_register(), read_ledgers([write_xlsx(tmp_path / "p.xlsx", rows)]), OPTIONS, progress=seen.append)
    assert seen == [500, 1000, 1200] and report.imported == 1200


def test_three_sheets_describing_the_same_hazards_make_one_hazard_each(tmp_path: Path) -> None:
    # the mining-company layout of STANDARDS.md §8.2: 6, 11 and 14 columns over the same hazards
    base = ["序号", "所属乡镇", "被检查单位", "排查日期", "隐患描述", "隐患等级"]
    plan = ["隐患部位", "整改措施", "整改责任人", "时限", "整改资金"]
    done = ["复查人", "复查时间", "销号日期"]
    facts = [(1, "东镇", "矿A", "2021-03-01", "巷道支护不到位", "一般"), (2, "东镇", "矿A", "2021-03-02", "通风设施损坏", "一般隐患")]
    sheets = {
        "隐患清单": [base] + [list(f) for f in facts],
        "整改计划": [base + plan] + [list(f) + ["一号巷", "加固", "王工", 20, 1.2] for f in facts],
        "销号台账": [base + plan + done] + [list(f) + ["一号巷", "加固", "王工", 20, 1.2, "李检", "2021-03-15", "2021-03-16"] for f in facts],
    }
    register = fresh_register()
    report = import_files(register, [write_xlsx(tmp_path / "mine.xlsx", sheets)])
    assert [(r.sheet, r.outcome.value) for r in report.results] == [
        ("隐患清单", "imported"), ("隐患清单", "imported"), ("整改计划", "updated"), ("整改计划", "updated"),
        ("销号台账", "updated"), ("销号台账", "updated"),
    ]
    assert len(register) == 2
    for state in register:
        assert (state.stage, state.measures, state.funds, state.inspector.name) == (Stage.CLOSED, "加固", 1.2, "李检")
        assert state.closed_on == dt.date(2021, 3, 16) and state.inspected_on == dt.date(2021, 3, 15)
    # and the same workbook again: every row a duplicate
    assert import_files(register, [tmp_path / "mine.xlsx"]).duplicates == 6


def test_domains_from_the_plugins_name_the_domain_and_add_their_ledger_columns(tmp_path: Path) -> None:
    from hazardloop.catalog import Domain, LedgerField

    fire = Domain(code="fire", name="消防", ledger_fields=(LedgerField("place_category", "场所类别"),))
    options = OPTIONS.with_domains([fire])
    rows = [["隐患描述", "被检查单位", "排查日期", "隐患等级", "行业领域", "场所类别"],
            ["通道堵塞", "甲", "2021-04-01", "一般", "消防", "人员密集场所"],
            ["照明不足", "甲", "2021-04-01", "一般", "fire", None],
            ["护栏缺失", "甲", "2021-04-01", "一般", None, None],
            ["漏气", "甲", "2021-04-01", "一般", "燃气", None]]
    register = fresh_register()
    report = import_files(register, [write_xlsx(tmp_path / "d.xlsx", rows)], options)
    assert [r.outcome for r in report.results] == [Outcome.IMPORTED] * 3 + [Outcome.REJECTED]
    assert report.results[3].column == "行业领域" and "燃气" in report.results[3].reason
    got = {s.description: (s.domain, dict(s.extra)) for s in register}
    assert got == {"通道堵塞": ("fire", {"place_category": "人员密集场所"}), "照明不足": ("fire", {}), "护栏缺失": ("general", {})}


def test_an_import_into_the_sql_store_is_one_transaction(tmp_path: Path) -> None:
    from hazardloop.errors import ConcurrencyError
    from hazardloop.sqlstore import open_store
    from hazardloop.testing import RESPONSIBLE, make_register

    url = f"sqlite:///{tmp_path / 'register.db'}"
    register, _ = make_register("2021-06-01", store=open_store(url))
    import_files(register, [april_book(tmp_path / "april.xlsx")])
    assert len(register) == 3
    ids = {s.description: s.hazard_id for s in register}
    before = {s.hazard_id: s.version for s in register}
    # another writer changes a hazard the May ledger updates while the import is running:
    # the whole import (three new hazards, two updates) is refused, not half stored
    other, _ = make_register("2021-06-01", store=open_store(url))

    def meddle(done: int) -> None:
        if done == 7:  # the last progress call, before the batch is stored
            other.start_rectification(ids["超量储存"], on="2021-05-01", actor=RESPONSIBLE, measures="清理", plan="方案")

    from hazardloop.ledger import import_ledgers, read_ledgers

    with pytest.raises(ConcurrencyError):
        import_ledgers(register, read_ledgers([may_book(tmp_path / "may.xlsx")]), progress=meddle)
    fresh, _ = make_register("2021-06-01", store=open_store(url))
    after = {s.hazard_id: s.version for s in fresh}
    assert len(fresh) == 3 and after[ids["静电接地断开"]] == before[ids["静电接地断开"]]
    assert after[ids["超量储存"]] == before[ids["超量储存"]] + 1  # only the other writer's event
    # run again, it goes through as one batch
    report = import_files(fresh, [may_book(tmp_path / "may.xlsx")])
    assert (report.imported, report.rejected) == (3, 0) and len(fresh) == 6


# messy cells of every kind under a random header: what offices' ledgers hold when they go wrong
MESSY_HEADERS = ["序号", "所属乡镇", "被检查单位", "隐患编号", "隐患部位", "隐患描述", "隐患等级", "排查日期", "整改措施",
                 "整改责任人", "整改期限", "整改资金", "整改完成日期", "验收人", "验收日期", "销号日期", "隐患状态", "备注",
                 "交办日期", "延期后期限", "回头看日期", "撤销日期", "挂牌督办级别", "督办单位", "隐患来源", "行业领域", "延期次数"]
MESSY_WORDS = ["合计", "注：见说明", "签字", "一般", "重大", "重大事故隐患", "已销号", "整改中", "待整改", "已整改待审核",
               "=SUM(A1)", "-1", "2021年4月2日", "2021.4.2", "2021/04/02", "20210402", "２０２１年４月２日", "30", "0", "市级",
               "县级", "甲公司", "城关镇", "隐患描述", "排查日期", " ", "明天", "3级", "撤销", "作废", "回头看", "1e9", "nan", "-0"]
MESSY_CELL = st.one_of(st.none(), st.sampled_from(MESSY_WORDS), st.text(max_size=6), st.integers(-10**6, 10**9),
                       st.floats(allow_nan=False, allow_infinity=False), st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
                       st.booleans())
MESSY_OPTIONS = ImportOptions(default_town="城关镇", default_unit="默认单位")


def _dry_real_again(path: Path) -> None:
    """A dry run says what the real run does, row by row, and the same file again adds nothing."""
    register = fresh_register()
    dry = import_files(register, [path], MESSY_OPTIONS, dry_run=True)
    real = import_files(register, [path], MESSY_OPTIONS)  # ImportReport checks the outcomes add up
    assert [(r.row, r.outcome, r.reason) for r in dry.results] == [(r.row, r.outcome, r.reason) for r in real.results]
    assert len(register) == real.imported
    again = import_files(register, [path], MESSY_OPTIONS)
    assert again.imported == again.updated == 0, [r.as_dict() for r in again.results]


@given(st.lists(st.sampled_from(MESSY_HEADERS), min_size=2, max_size=12, unique=True), st.data())
def test_messy_cells_never_break_the_import(tmp_path_factory, header: list[str], data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    if "隐患描述" not in header:
        header = [*header, "隐患描述"]
    rows: list[list[object]] = [header] + [[data.draw(MESSY_CELL) for _ in header] for _ in range(data.draw(st.integers(1, 8)))]
    if data.draw(st.booleans()):
        rows += rows[1:]  # the same rows twice in one sheet
    _dry_real_again(write_xlsx(tmp_path_factory.mktemp("messy") / "m.xlsx", rows))


GRID_CELL = st.one_of(
    st.none(), st.sampled_from(MESSY_WORDS + MESSY_HEADERS + [f"{h}：" for h in MESSY_HEADERS] + [f"{h}：甲" for h in MESSY_HEADERS]),
    st.text(max_size=4), st.integers(-5, 10**8), st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)))


@given(st.lists(st.lists(GRID_CELL, max_size=6), min_size=1, max_size=12), st.sampled_from(["隐患1", "重大隐患表", "Sheet1"]))
def test_any_small_sheet_reads_as_a_table_a_form_or_a_skipped_sheet(tmp_path_factory, grid: list[list[object]], name: str) -> None:  # type: ignore[no-untyped-def]
    path = write_xlsx(tmp_path_factory.mktemp("grid") / "g.xlsx", {name: grid})
    (sheet,) = read_ledger(path).sheets
    assert bool(sheet.problem) != bool(sheet.columns) and (not sheet.form or len(sheet.rows) == 1)
    _dry_real_again(path)
