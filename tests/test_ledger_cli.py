"""``hazardloop import`` and ``hazardloop export`` on a SQLite register (and an in-memory one)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from ledger_support import fresh_register, write_xlsx

from hazardloop import cli as cli_module
from hazardloop.cli import cli

HEAD = ["隐患描述", "被检查单位", "排查日期", "隐患等级", "整改期限", "隐患状态"]
ROWS = [
    HEAD,
    ["=cmd|' /C calc'!A0 配电箱无门", "甲公司", "2021-04-01", "一般", 10, "整改中"],
    ["消防通道堵塞", "乙公司", "2021-04-02", "3级", 10, "待整改"],
    ["合计"],
]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'register.db'}"


def test_import_json_export_and_reimport(tmp_path: Path, db: str) -> None:
    ledger = write_xlsx(tmp_path / "april.xlsx", ROWS)
    errors = tmp_path / "errors.xlsx"
    code, out = run("import", str(ledger), "--db", db, "--town", "城关镇", "--json", "--errors", str(errors))
    assert code == 0, out
    got = json.loads(out)
    assert {k: got[k] for k in ("data_rows", "imported", "updated", "rejected", "duplicates")} == {
        "data_rows": 2, "imported": 1, "updated": 0, "rejected": 1, "duplicates": 0}
    assert got["rows"][1]["column"] == "隐患等级" and got["rows"][1]["row"] == 3
    assert errors.exists() and got["errors_workbook"] == str(errors)
    out_xlsx = tmp_path / "ledger.xlsx"
    code, out = run("export", str(out_xlsx), "--db", db, "--as-of", "2021-04-30")
    assert code == 0, out
    ws = openpyxl.load_workbook(out_xlsx)["隐患台账"]
    assert ws.max_row == 2 and ws.cell(2, 8).value.startswith("=cmd") and ws.cell(2, 8).data_type == "s"
    code, out = run("import", str(out_xlsx), "--db", db, "--json")
    assert json.loads(out)["duplicates"] == 1


def test_level_map_and_default_level_options(tmp_path: Path, db: str) -> None:
    levels = tmp_path / "levels.txt"
    levels.write_text("3级 = 一般\n", encoding="utf-8")
    ledger = write_xlsx(tmp_path / "a.xlsx", ROWS)
    code, out = run("import", str(ledger), "--db", db, "--town", "城关镇", "--level-map", str(levels), "--default-level", "一般", "--json")
    assert code == 0 and json.loads(out)["imported"] == 2


def test_a_status_map_option(tmp_path: Path, db: str) -> None:
    rows = [HEAD, ["护栏缺失", "甲公司", "2021-04-01", "一般", 10, "处理中"]]
    ledger = write_xlsx(tmp_path / "s.xlsx", rows)
    code, out = run("import", str(ledger), "--db", db, "--town", "城关镇", "--json", "--dry-run")
    assert code == 0 and json.loads(out)["rows"][0]["reason"].startswith("未知的隐患状态")
    statuses = tmp_path / "statuses.txt"
    statuses.write_text("处理中 = 整改\n", encoding="utf-8")
    code, out = run("import", str(ledger), "--db", db, "--town", "城关镇", "--status-map", str(statuses), "--json")
    assert code == 0 and json.loads(out)["imported"] == 1
    assert next(iter(cli_module.open_register(db))).stage.value == "整改"


def test_skipped_sheets_are_named_with_their_reason(tmp_path: Path, db: str) -> None:
    ledger = write_xlsx(tmp_path / "b.xlsx", {"台账": ROWS, "汇总": [["乡镇", "企业数"], ["城关镇", 3]]})
    code, out = run("import", str(ledger), "--db", db, "--town", "城关镇")
    assert code == 0 and "跳过工作表 1" in out
    assert "跳过工作表 b.xlsx / 汇总: 未找到含隐患描述列的表头" in out


def test_dry_run_writes_nothing(tmp_path: Path, db: str) -> None:
    ledger = write_xlsx(tmp_path / "a.xlsx", ROWS)
    code, out = run("import", str(ledger), "--db", db, "--town", "城关镇", "--dry-run")
    assert code == 0 and "试运行" in out and "导入 1" in out and "拒绝 1" in out
    assert len(cli_module.open_register(db)) == 0
    code, out = run("import", str(ledger), "--db", db, "--town", "城关镇")
    assert code == 0 and "导入 1" in out
    assert len(cli_module.open_register(db)) == 1


def test_a_bad_file_is_one_clear_error_and_changes_nothing(tmp_path: Path, db: str) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", ROWS)
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"this is not a workbook")
    result = CliRunner().invoke(cli, ["import", str(good), str(bad), "--db", db, "--town", "城关镇"])
    assert result.exit_code != 0 and "broken.xlsx" in result.output
    assert len(cli_module.open_register(db)) == 0


def test_commands_on_an_in_memory_register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    register = fresh_register()
    monkeypatch.setattr(cli_module, "open_register", lambda db, **kw: register)
    code, out = run("import", str(write_xlsx(tmp_path / "a.xlsx", ROWS)), "--town", "城关镇", "--json")
    assert code == 0 and json.loads(out)["imported"] == 1 and len(register) == 1
    code, out = run("export", str(tmp_path / "out.xlsx"), "--as-of", "2021-05-01")
    assert code == 0 and "已导出 1 条" in out and (tmp_path / "out.xlsx").exists()


def test_export_into_a_template(tmp_path: Path, db: str) -> None:
    run("import", str(write_xlsx(tmp_path / "a.xlsx", ROWS)), "--db", db, "--town", "城关镇")
    template = tmp_path / "t.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["问题描述", "检查日期", "镇街"])
    book.save(template)
    code, out = run("export", str(tmp_path / "filled.xlsx"), "--db", db, "--template", str(template), "--map", "镇街=town")
    assert code == 0, out
    ws = openpyxl.load_workbook(tmp_path / "filled.xlsx").active
    assert [c.value for c in ws[2]][0].startswith("=cmd") and ws["C2"].value == "城关镇"


def test_export_shares_its_name_with_an_earlier_export_command(tmp_path: Path) -> None:
    import click

    from hazardloop.cli_ledger import _ExportDispatch, attach, export_command

    calls: list[str] = []

    @click.group()
    def group() -> None:
        """A group that already has an export command (as the durable store adds one)."""

    @group.command("export")
    @click.option("-o", "--output", default="-")
    def events(output: str) -> None:
        """Events as JSON lines."""
        calls.append(output)

    attach(group)
    cmd = group.commands["export"]
    assert isinstance(cmd, _ExportDispatch) and cmd.ledger is export_command and cmd.other is events
    assert cmd.target([str(tmp_path / "x.xlsx")]) is export_command
    assert cmd.target(["--as-of", "2021-01-01", "out"]) is export_command
    result = CliRunner().invoke(group, ["export", "-o", "events.jsonl"])
    assert result.exit_code == 0 and calls == ["events.jsonl"]
    assert set(group.commands) == {"export", "import"}


def test_export_fills_the_colour_column_from_the_plugins_when_units_are_registered(tmp_path: Path, db: str) -> None:
    from hazardloop.testing import make_unit

    cli_module.open_register(db).add_unit(make_unit("甲公司", "城关镇"))
    ledger = write_xlsx(tmp_path / "a.xlsx", [HEAD[:5], ["配电箱无门", "甲公司", "2021-04-01", "重大", 10]])
    assert run("import", str(ledger), "--db", db)[0] == 0
    code, out = run("export", str(tmp_path / "out.xlsx"), "--db", db, "--as-of", "2021-06-01")
    assert code == 0, out
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["隐患台账"]
    headers = [c.value for c in ws[1]]
    assert ws.cell(2, headers.index("风险颜色") + 1).value in ("红", "橙", "黄", "蓝")
    assert ws.cell(2, headers.index("所属乡镇") + 1).value == "城关镇"  # the unit register's town


def test_a_progress_bar_only_on_a_terminal_and_only_for_long_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from hazardloop import cli_ledger

    with cli_ledger._progress(10**6, "导入") as bar:
        assert bar is None  # not a terminal under pytest
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with cli_ledger._progress(10, "导入") as bar:
        assert bar is None  # too short to be worth a bar
    with cli_ledger._progress(cli_ledger.PROGRESS_MIN_ROWS, "导入") as bar:
        assert callable(bar)
        bar(cli_ledger.PROGRESS_MIN_ROWS // 2)


def test_only_the_named_sheets_and_several_files(tmp_path: Path, db: str) -> None:
    book = write_xlsx(tmp_path / "two.xlsx", {"一月": ROWS[:2], "二月": [HEAD, ["护栏缺失", "丙公司", "2021-02-01", "一般", 5, "待整改"]]})
    other = write_xlsx(tmp_path / "other.xlsx", {"二月": [HEAD, ["照明不足", "丁公司", "2021-02-02", "一般", 5, "待整改"]]})
    code, out = run("import", str(book), str(other), "--db", db, "--town", "东镇", "--sheet", "二月", "--json")
    got = json.loads(out)
    assert code == 0 and (got["data_rows"], got["imported"]) == (2, 2)
    assert {(Path(r["file"]).name, r["sheet"]) for r in got["rows"]} == {("two.xlsx", "二月"), ("other.xlsx", "二月")}
    code, out = run("import", str(book), "--db", db, "--sheet", "三月")
    assert code != 0 and "三月" in out


def test_domain_fields_travel_under_their_chinese_headers(tmp_path: Path, db: str) -> None:
    rows = [HEAD[:5] + ["行业领域", "场所类别"], ["通道堵塞", "甲公司", "2021-04-01", "一般", 10, "消防", "人员密集场所"]]
    code, out = run("import", str(write_xlsx(tmp_path / "a.xlsx", rows)), "--db", db, "--town", "东镇", "--json")
    assert code == 0 and json.loads(out)["imported"] == 1, out
    (state,) = list(cli_module.open_register(db))
    assert state.domain == "fire" and dict(state.extra) == {"place_category": "人员密集场所"}
    assert run("export", str(tmp_path / "out.xlsx"), "--db", db, "--as-of", "2021-05-01")[0] == 0
    headers = [c.value for c in openpyxl.load_workbook(tmp_path / "out.xlsx")["隐患台账"][1]]
    assert "场所类别" in headers and "place_category" not in headers
    assert json.loads(run("import", str(tmp_path / "out.xlsx"), "--db", db, "--json")[1])["duplicates"] == 1


def test_export_help_is_the_ledger_export_and_names_the_event_export() -> None:
    code, out = run("export", "--help")
    assert code == 0
    assert "--template" in out and "--as-of" in out  # the ledger export's own options
    assert "export-events" in out


def test_export_says_which_cells_excel_could_not_hold(tmp_path: Path, db: str) -> None:
    """A description beyond Excel's 32,767 characters is cut on export, and the command says where."""
    from hazardloop.ledger import ImportOptions, import_files
    from hazardloop.sqlstore import register_on
    from hazardloop.testing import FixedClock

    # from CSV: an .xlsx fixture could not hold such a cell either
    csv = tmp_path / "a.csv"
    csv.write_text(",".join(HEAD) + "\n" + ",".join(["配电箱无门" * 7000, "甲公司", "2021-04-01", "一般", "10", "整改中"]) + "\n",
                   encoding="utf-8")
    code, out = run("import", str(csv), "--db", db, "--town", "城关镇", "--json")
    assert code == 0 and json.loads(out)["imported"] == 1
    code, out = run("export", str(tmp_path / "out.xlsx"), "--db", db, "--as-of", "2021-05-01")
    assert code == 0 and "1 个单元格超过 Excel 单元格上限 32,767 字符" in out and "第2行 隐患描述" in out
    # the cut description in the exported ledger is still the hazard the register holds
    register = register_on(db, clock=FixedClock("2021-05-01"))
    try:
        report = import_files(register, [tmp_path / "out.xlsx"], ImportOptions())
        assert (report.imported, report.duplicates) == (0, 1) and len(register) == 1
    finally:
        register.store.close()
