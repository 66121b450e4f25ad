"""Form-style sheets (STANDARDS.md §8.2): one 重大隐患 laid out as labels beside their values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ledger_support import write_csv, write_xlsx

from hazardloop.ledger import ImportOptions, Outcome, import_files, read_ledger, write_error_workbook
from hazardloop.ledger.columns import DEFAULT_COLUMNS
from hazardloop.ledger.reader import FORM_MAX_ROWS
from hazardloop.records import Level
from hazardloop.testing import make_register

TITLE = "重大事故隐患治理情况表"
FORM: list[list[Any]] = [
    [TITLE],
    ["填报单位：甲化工有限公司", None, "填报日期：2025年3月1日"],
    ["事故隐患内容", "储罐区可燃气体报警器失效"],
    ["可能造成后果", "火灾爆炸"],
    ["防控措施", "停用储罐区动火作业"],
    ["治理责任人", "张三", "治理期限", dt.date(2025, 4, 30)],
    ["治理方案", "更换报警器"],
    ["隐患治理计划资金(万元)", 5, "累计落实治理资金(万元)", 5],
    ["负责人", "李四", "签字日期", dt.date(2025, 4, 20)],
    ["验收组织单位", "县应急管理局", "验收意见", "合格"],
    ["验收日期", dt.date(2025, 4, 25), "是否消除", "是"],
    ["评估负责人签名", "王五"],
]
MERGES = [(0, 0, 0, 3, TITLE), (2, 1, 2, 3, "储罐区可燃气体报警器失效")]
OPTIONS = ImportOptions(default_town="城关镇")


def form_book(path: Path, rows: list[list[Any]] = FORM, *, more: dict[str, list[list[Any]]] | None = None) -> Path:
    sheets = {"隐患1": rows, **(more or {})}
    return write_xlsx(path, sheets, merges={"隐患1": MERGES} if rows is FORM else None)


def test_a_form_is_read_as_one_row_whose_columns_are_its_labels(tmp_path: Path) -> None:
    book = read_ledger(form_book(tmp_path / "f.xlsx", more={"基础数据": [["单位名称", "甲化工有限公司"], ["地址", "某路1号"]]}))
    form, basics = book.sheets
    assert form.form and not form.problem and not basics.form and basics.problem
    assert len(form.rows) == 1 and form.rows[0].row == 3  # the Excel row of 事故隐患内容
    got = {c.header: form.rows[0].cells[c.index] for c in form.columns}
    expected = {row[i]: row[i + 1] for row in FORM[2:] for i in range(0, len(row), 2)}
    expected["事故隐患内容"] = "储罐区可燃气体报警器失效"
    for label, value in expected.items():
        assert got[label] == value, label
    # the title says what the form holds; a form without 隐患等级 takes its level from there
    assert got["隐患等级(据表题)"] == "重大事故隐患"
    assert dict(form.meta) == {"填报单位": "甲化工有限公司", "填报日期": "2025年3月1日"}
    fields = {c.header: (c.field, c.shadowed) for c in form.columns}
    assert fields["负责人"] == ("responsible_person", True) and fields["治理责任人"] == ("responsible_person", False)


def test_a_form_imports_as_a_major_hazard_with_its_history_and_again_as_a_duplicate(tmp_path: Path) -> None:
    path = form_book(tmp_path / "f.xlsx")
    register, _ = make_register("2025-12-31")
    dry = import_files(register, [path], OPTIONS, dry_run=True)
    report = import_files(register, [path], OPTIONS)
    assert [r.outcome for r in report.results] == [r.outcome for r in dry.results] == [Outcome.IMPORTED]
    (state,) = list(register)
    assert state.level is Level.MAJOR and state.found_on == dt.date(2025, 3, 1)  # 填报日期 stands in
    assert state.stage.value == "销号" and state.closed_on == dt.date(2025, 4, 25)
    assert state.effective_deadline == dt.date(2025, 4, 30)
    history = register.history(state.hazard_id)
    assert all(e.origin is not None and e.origin.sheet == "隐患1" and e.origin.row == 3 for e in history)
    again = import_files(register, [path], OPTIONS)
    assert [r.outcome for r in again.results] == [Outcome.DUPLICATE] and len(list(register)) == 1


def test_labels_with_their_value_in_the_same_cell(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["隐患整改通知"],
        ["隐患描述：配电箱无门", None, "排查日期：2025-05-06"],
        ["被检查单位：乙公司", None, "隐患等级：", "一般隐患"],
        ["整改期限", 15],
    ]
    sheet = read_ledger(write_xlsx(tmp_path / "c.xlsx", rows)).sheets[0]
    got = {c.field: sheet.rows[0].cells[c.index] for c in sheet.columns}
    assert sheet.form and got == {"description": "配电箱无门", "found_on": "2025-05-06", "unit": "乙公司",
                                  "level": "一般隐患", "deadline": 15}
    report = import_files(make_register("2025-12-31")[0], [tmp_path / "c.xlsx"], OPTIONS)
    assert report.imported == 1 and report.data_rows == 1


def test_a_form_without_a_level_is_rejected_with_the_reason_and_fixed_from_the_error_workbook(tmp_path: Path) -> None:
    rows = [[row[0].replace("重大事故隐患", "事故隐患")] if i == 0 else row for i, row in enumerate(FORM)]
    path = write_xlsx(tmp_path / "n.xlsx", rows)
    register, _ = make_register("2025-12-31")
    report = import_files(register, [path], OPTIONS)
    (row,) = report.results
    assert row.outcome is Outcome.REJECTED and "--default-level" in row.reason and not list(register)
    assert write_error_workbook(report, tmp_path / "errors.xlsx") == 1
    # a title naming both levels says nothing of this one
    both = write_xlsx(tmp_path / "both.xlsx", [["一般和重大事故隐患整改表"]] + FORM[1:])
    assert "隐患等级(据表题)" not in [c.header for c in read_ledger(both).sheets[0].columns]
    again = import_files(register, [tmp_path / "errors.xlsx"], OPTIONS.with_levels(default="重大"))
    assert again.imported == 1 and next(iter(register)).level is Level.MAJOR


def test_two_hazards_on_one_form_are_refused_with_the_reason(tmp_path: Path) -> None:
    rows = FORM + [["事故隐患内容", "二号罐区防火堤破损"], ["治理期限", dt.date(2025, 5, 30)]]
    sheet = read_ledger(write_xlsx(tmp_path / "two.xlsx", rows)).sheets[0]
    assert not sheet.rows and "2 个隐患描述" in sheet.problem
    report = import_files(make_register("2025-12-31")[0], [tmp_path / "two.xlsx"], OPTIONS)
    assert report.data_rows == 0 and report.skipped_sheets == ((str(tmp_path / "two.xlsx"), "Sheet1", sheet.problem),)


def test_a_table_whose_header_was_not_found_is_never_read_as_a_form(tmp_path: Path) -> None:
    header = ["序号", "被检查单位", "隐患描述", "排查日期", "隐患等级", "整改期限"]
    data = [[i, "甲公司", f"灭火器过期{i}", "2025-01-02", "一般", 10] for i in range(1, 4)]
    late = [[f"说明第{i}行"] for i in range(17)] + [header] + data  # the header below row 15
    sheet = read_ledger(write_xlsx(tmp_path / "t.xlsx", late)).sheets[0]
    assert not sheet.form and sheet.problem and not sheet.rows
    # a sheet longer than a form is no form either, even if it starts like one
    long = FORM + [["备注", f"第{i}条"] for i in range(FORM_MAX_ROWS)]
    sheet = read_ledger(write_xlsx(tmp_path / "l.xlsx", long)).sheets[0]
    assert not sheet.form and sheet.problem and not sheet.rows
    # nor is a list of labels with nothing beside them
    blank = [["隐患描述"], ["排查日期"], ["隐患等级"], ["整改期限"]]
    sheet = read_ledger(write_csv(tmp_path / "b.csv", blank)).sheets[0]
    assert not sheet.form and sheet.problem


# every label the generated forms use: one per field, with a value of the field's kind
LABELS: dict[str, Any] = {
    "被检查单位": st.sampled_from(["甲公司", "乙化工有限公司"]),
    "隐患部位": st.sampled_from(["罐区", "二号车间"]),
    "排查日期": st.dates(dt.date(2020, 1, 1), dt.date(2025, 12, 31)),
    "隐患等级": st.sampled_from(["一般隐患", "重大事故隐患"]),
    "整改措施": st.sampled_from(["更换", "立即整改并加强巡查"]),
    "整改责任人": st.sampled_from(["张三", "李四"]),
    "整改期限": st.integers(1, 60),
    "整改资金": st.sampled_from([0.5, 3.0]),
}


@st.composite
def forms(draw: st.DrawFn) -> tuple[list[list[Any]], dict[str, Any]]:
    chosen = draw(st.lists(st.sampled_from(sorted(LABELS)), min_size=2, unique=True))
    pairs = [("隐患描述", draw(st.sampled_from(["灭火器过期", "安全出口锁闭"])))]
    pairs += [(label, draw(LABELS[label])) for label in chosen]
    pairs = draw(st.permutations(pairs))
    rows: list[list[Any]] = [[TITLE]] * draw(st.integers(0, 1)) + [[]] * draw(st.integers(0, 2))
    i = 0
    while i < len(pairs):
        per_row = draw(st.integers(1, 2))
        row: list[Any] = [None] * draw(st.integers(0, 1))
        for label, value in pairs[i : i + per_row]:
            row += [label, value] + [None] * draw(st.integers(0, 1))
        rows.append(row)
        i += per_row
    return rows, dict(pairs)


@settings(max_examples=40)
@given(forms())
def test_generated_forms_read_back_label_for_label(tmp_path_factory: Any, form: tuple[list[list[Any]], dict[str, Any]]) -> None:
    rows, pairs = form
    path = write_xlsx(tmp_path_factory.mktemp("g") / "g.xlsx", rows)
    sheet = read_ledger(path).sheets[0]
    assert sheet.form, sheet.problem
    got = {c.header: sheet.rows[0].cells[c.index] for c in sheet.columns}
    for label, value in pairs.items():
        assert got[label] == value
        assert DEFAULT_COLUMNS.lookup(label) == next(c.field for c in sheet.columns if c.header == label)
    assert ("隐患等级(据表题)" in got) == ("隐患等级" not in pairs and rows[0] == [TITLE])
