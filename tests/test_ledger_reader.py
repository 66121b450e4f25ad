"""Reading ledger files: formats, encodings, header finding, rows without a hazard, bad input."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
import xlsxwriter
from ledger_support import write_csv, write_xlsx

from hazardloop.ledger.reader import LedgerReadError, read_ledger, read_ledgers

DATA = Path(__file__).parent / "data"
HEADER = ["序号", "被检查单位", "隐患描述", "排查日期", "隐患等级", "整改期限"]
ROW1 = [1, "甲化工有限公司", "储罐区静电接地断开", dt.date(2021, 4, 2), "一般隐患", 30]


def fields(sheet) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {c.header: c.field for c in sheet.columns}


def test_title_rows_and_report_lines_above_the_header(tmp_path: Path) -> None:
    rows = [
        ["2021年4月 事故隐患排查治理台账"],
        [],
        ["填报单位：城关镇安监站", None, None, "填报日期：2021年4月30日"],
        HEADER,
        ROW1,
    ]
    sheet = read_ledger(write_xlsx(tmp_path / "a.xlsx", rows, {"Sheet1": [(0, 0, 0, 5, rows[0][0])]})).sheets[0]
    assert sheet.header_rows == (4,)
    assert sheet.meta_value("填报单位") == "城关镇安监站"
    assert sheet.meta_value("填报日期") == "2021年4月30日"
    assert [r.row for r in sheet.rows] == [5]
    assert sheet.rows[0].cells[3] == dt.date(2021, 4, 2)


def test_two_row_header_with_merged_group_cells(tmp_path: Path) -> None:
    rows = [
        ["序号", "隐患描述", "排查日期", "整改情况", None, None, "隐患等级"],
        [None, None, None, "整改措施", "责任人", "完成时限", None],
        [1, "消防通道堵塞", "2021-4-15", "清理", "王五", "2021年4月25日", "一般"],
    ]
    merges = [(0, 0, 1, 0, "序号"), (0, 1, 1, 1, "隐患描述"), (0, 2, 1, 2, "排查日期"), (0, 3, 0, 5, "整改情况"), (0, 6, 1, 6, "隐患等级")]
    sheet = read_ledger(write_xlsx(tmp_path / "m.xlsx", rows, {"Sheet1": merges})).sheets[0]
    assert sheet.header_rows == (1, 2)
    assert fields(sheet) == {
        "序号": "row_no", "隐患描述": "description", "排查日期": "found_on", "整改措施": "measures",
        "责任人": "responsible_person", "完成时限": "deadline", "隐患等级": "level",
    }
    assert [r.row for r in sheet.rows] == [3]


def test_group_and_child_combine_when_only_together_they_name_a_field(tmp_path: Path) -> None:
    rows = [
        ["隐患描述", "排查日期", "整改责任单位", None, None],
        [None, None, "施工", "监理", "备注说明"],
        ["基坑未支护", "2021-04-01", "某建工", "某监理", "x"],
    ]
    merges = [(0, 0, 1, 0, "隐患描述"), (0, 1, 1, 1, "排查日期"), (0, 2, 0, 4, "整改责任单位")]
    sheet = read_ledger(write_xlsx(tmp_path / "g.xlsx", rows, {"Sheet1": merges})).sheets[0]
    f = fields(sheet)
    assert f["整改责任单位-施工"] == "responsible_unit"
    assert f["整改责任单位-监理"] == "responsible_unit"
    assert f["整改责任单位-备注说明"] is None  # unknown, kept as an extra column under this name
    assert [c.shadowed for c in sheet.columns] == [False, False, False, True, False]


def test_legacy_xls(tmp_path: Path) -> None:
    # tests/data/ledger_legacy.xls is made by tests/data/make_ledger_xls.py (xlwt)
    sheet = read_ledger(DATA / "ledger_legacy.xls").sheets[0]
    assert sheet.sheet == "隐患台账"
    assert sheet.header_rows == (3, 4)
    assert fields(sheet)["完成时限"] == "deadline"
    assert sheet.meta_value("填报单位") == "城关镇安监站"
    assert [r.row for r in sheet.rows] == [5, 6, 7]
    assert [(s.row, s.reason) for s in sheet.skipped] == [(8, "合计/小计行"), (9, "签字行")]
    assert sheet.rows[1].cells[6] == dt.date(2021, 4, 20)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_seen(tmp_path: Path, encoding: str) -> None:
    rows = [["填报单位：甲公司"], HEADER, [str(v) for v in ROW1[:3]] + ["2021/04/02", "一般", "30"]]
    sheet = read_ledger(write_csv(tmp_path / "a.csv", rows, encoding)).sheets[0]
    assert sheet.meta_value("填报单位") == "甲公司"
    assert sheet.rows[0].cells[2] == "储罐区静电接地断开"
    assert sheet.rows[0].row == 3


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_unicode_text_from_excel_is_read(tmp_path: Path, encoding: str) -> None:
    """Excel's "Unicode text" (*.txt): UTF-16 with a byte-order mark, tab-separated; a UTF-16 file
    without its mark is still refused as not text (nothing tells its byte order)."""
    rows = [["填报单位：甲公司"], HEADER, [str(v) for v in ROW1[:3]] + ["2021/04/02", "一般", "30"]]
    text = "\r\n".join("\t".join(map(str, r)) for r in rows) + "\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    (tmp_path / "a.txt").write_bytes(data)
    sheet = read_ledger(tmp_path / "a.txt").sheets[0]
    assert sheet.meta_value("填报单位") == "甲公司"
    assert sheet.rows[0].cells[2] == "储罐区静电接地断开"
    assert tuple(sheet.rows[0].cells[3:]) == ("2021/04/02", "一般", "30")  # tab-separated: six cells, as written
    assert sheet.rows[0].row == 3
    (tmp_path / "b.txt").write_bytes(text.encode("utf-16-le"))  # no mark
    with pytest.raises(LedgerReadError, match="不是 CSV"):
        read_ledger(tmp_path / "b.txt")


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_a_short_delimited_file_with_a_title_row_splits_on_its_own_delimiter(tmp_path: Path, delimiter: str) -> None:
    """The csv sniffer gives up on a title row without delimiters: the delimiter the file holds most of is taken."""
    rows = [["XX县隐患排查台账"], HEADER, [str(v) for v in ROW1[:3]] + ["2021/04/02", "一般", "30"]]
    (tmp_path / "a.csv").write_text("\n".join(delimiter.join(r) for r in rows) + "\n", encoding="utf-8")
    sheet = read_ledger(tmp_path / "a.csv").sheets[0]
    assert sheet.problem == "", sheet.problem
    assert tuple(sheet.rows[0].cells[2:]) == ("储罐区静电接地断开", "2021/04/02", "一般", "30")


def test_rows_without_a_hazard_are_skipped_with_their_reason(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ROW1,
        [2],  # an empty template row with only its 序号
        [],
        HEADER,  # the header repeated on a second printed page
        [3, "乙公司", "配电箱无门", "2021-04-03", "一般", 10],
        ["合计", None, "2项"],
        ["小计：", None, None, None, None, None],
        ["注：1. 本表一式两份"],
        ["企业负责人签字：", None, None, "安全检查人员签字："],
        [None, "填表人：赵六", None, "审核人：钱七"],
    ]
    sheet = read_ledger(write_xlsx(tmp_path / "s.xlsx", rows)).sheets[0]
    assert [r.row for r in sheet.rows] == [2, 6]
    assert [(s.row, s.reason) for s in sheet.skipped] == [
        (3, "空行"), (5, "重复表头行"), (7, "合计/小计行"), (8, "合计/小计行"), (9, "注释行"), (10, "签字行"), (11, "签字行"),
    ]


def test_a_description_that_mentions_signing_is_still_data(tmp_path: Path) -> None:
    rows = [HEADER, [1, "甲公司", "动火作业票未经审批人签字", "2021-04-03", "一般", 10]]
    sheet = read_ledger(write_xlsx(tmp_path / "d.xlsx", rows)).sheets[0]
    assert [r.row for r in sheet.rows] == [2]


def test_all_sheets_or_the_named_ones_and_sheets_without_a_table(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "w.xlsx", {"基础数据": [["乡镇", "企业数"], ["城关镇", 3]], "台账": [HEADER, ROW1], "台账2": [HEADER, ROW1]})
    book = read_ledger(path)
    assert [s.sheet for s in book.sheets] == ["基础数据", "台账", "台账2"]
    assert book.sheets[0].problem and not book.sheets[0].rows
    assert [s.sheet for s in read_ledger(path, sheets=["台账2"]).sheets] == ["台账2"]
    with pytest.raises(LedgerReadError, match="没有工作表 无此表"):
        read_ledger(path, sheets=["无此表"])


def test_unknown_columns_are_kept(tmp_path: Path) -> None:
    rows = [HEADER + ["风险分析对象编码"], ROW1 + ["RA-9"]]
    sheet = read_ledger(write_xlsx(tmp_path / "u.xlsx", rows)).sheets[0]
    col = sheet.columns[-1]
    assert (col.header, col.field) == ("风险分析对象编码", None)
    assert sheet.rows[0].cells[-1] == "RA-9"


def test_vertically_merged_data_cells_fill_every_row(tmp_path: Path) -> None:
    rows = [["所属乡镇"] + HEADER, ["东镇"] + ROW1, [None] + ROW1[:2] + ["另一隐患"] + ROW1[3:]]
    sheet = read_ledger(write_xlsx(tmp_path / "v.xlsx", rows, {"Sheet1": [(1, 0, 2, 0, "东镇")]})).sheets[0]
    assert [r.cells[0] for r in sheet.rows] == ["东镇", "东镇"]


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------


def test_empty_corrupt_protected_and_non_excel_files_give_one_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    png = tmp_path / "photo.xls"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    # an encrypted workbook is an OLE container holding EncryptedPackage, whatever its suffix
    protected = tmp_path / "protected.xlsx"
    protected.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    empty_csv = tmp_path / "empty.csv"
    empty_csv.write_bytes(b"  \n")
    for path, words in ((empty, "文件为空"), (corrupt, "不是可读取的 Excel"), (png, "不是可读取的 Excel"),
                        (protected, "密码"), (empty_csv, "文件为空"), (tmp_path / "none.xlsx", "不存在")):
        with pytest.raises(LedgerReadError) as info:
            read_ledger(path)
        assert str(path) in str(info.value) and words in str(info.value)


def test_a_bad_file_among_several_stops_before_anything_is_returned(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, ROW1])
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(LedgerReadError, match="bad.xlsx"):
        read_ledgers([good, bad])


def test_several_files_read_together_come_back_in_order_as_read_alone(tmp_path: Path) -> None:
    books = []
    for n in range(5):  # different sizes, so the threads finish out of order
        rows = [HEADER] + [ROW1[:2] + [f"{ROW1[2]}{n}-{i}"] + ROW1[3:] for i in range(1 + 40 * (4 - n))]
        books.append(write_xlsx(tmp_path / f"b{n}.xlsx", rows))
    together = read_ledgers(books)
    assert [lf.path for lf in together] == [str(b) for b in books]
    assert together == [read_ledger(b) for b in books]


def test_the_first_bad_file_in_order_is_the_one_named(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, ROW1])
    first, second = tmp_path / "first.xlsx", tmp_path / "second.csv"
    first.write_bytes(b"not a workbook")
    second.write_bytes(b"")
    for _ in range(3):
        with pytest.raises(LedgerReadError, match="first.xlsx"):
            read_ledgers([good, first, good, second])
    with pytest.raises(LedgerReadError, match="second.csv"):
        read_ledgers([good, second, first])


def test_a_million_character_cell(tmp_path: Path) -> None:
    import zipfile

    big = "隐" * 1_000_000
    # xlsxwriter and openpyxl both stop at Excel's 32,767 characters: patch the XML directly
    small = write_xlsx(tmp_path / "small.xlsx", [HEADER, ROW1[:2] + ["PLACEHOLDER"] + ROW1[3:]])
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(tmp_path / "big.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                data = data.replace(b"PLACEHOLDER", big.encode("utf-8"))
            dst.writestr(item, data)
    xlsx = read_ledger(tmp_path / "big.xlsx").sheets[0]
    assert len(xlsx.rows[0].cells[2]) == 1_000_000
    csvs = read_ledger(write_csv(tmp_path / "big.csv", [HEADER, [1, "甲", big, "2021-04-02", "一般", 3]])).sheets[0]
    assert len(csvs.rows[0].cells[2]) == 1_000_000


def test_a_sheet_whose_dimension_reaches_the_last_row_is_read_quickly(tmp_path: Path) -> None:
    path = tmp_path / "dim.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("台账")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, ROW1[:3] + ["2021-04-02", "一般", 30])
    fmt = book.add_format({"bg_color": "#FFFF00"})
    ws.write_blank(1_048_575, 20, None, fmt)  # a formatted cell on row 1,048,576: dimension A1:U1048576
    book.close()
    start = time.perf_counter()
    sheet = read_ledger(path).sheets[0]
    assert time.perf_counter() - start < 5
    assert len(sheet.rows) == 1


def _with_xml(src: Path, dst: Path, member: str, transform) -> Path:  # type: ignore[no-untyped-def]
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, transform(data) if item.filename == member else data)
    return dst


BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
        + b"]>")


def test_an_xml_bomb_is_refused_or_read_literally_never_expanded(tmp_path: Path) -> None:
    small = write_xlsx(tmp_path / "small.xlsx", [HEADER, ROW1[:2] + ["PLACEHOLDER"] + ROW1[3:]])

    def arm(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[1]
        return BOMB + body.replace(b"PLACEHOLDER", b"&lol9;")

    bomb = _with_xml(small, tmp_path / "bomb.xlsx", "xl/sharedStrings.xml", arm)
    start = time.perf_counter()
    try:
        sheet = read_ledger(bomb).sheets[0]
    except LedgerReadError as exc:
        assert "bomb.xlsx" in str(exc)
    else:
        assert all(len(str(v)) < 10_000 for r in sheet.rows for v in r.cells)  # 10**9 "lol"s never built
    assert time.perf_counter() - start < 5


def test_xlsm_workbooks(tmp_path: Path) -> None:
    sheet = read_ledger(write_xlsx(tmp_path / "macro.xlsm", [HEADER, ROW1])).sheets[0]
    assert [r.row for r in sheet.rows] == [2]


def test_a_table_that_starts_below_and_right_of_a1_keeps_its_excel_positions(tmp_path: Path) -> None:
    # calamine's used range starts at the first used cell; rows and columns must still count from A1
    rows = [[], [], [None, None, "隐患描述", "被检查单位", "排查日期"], [None, None, "护栏缺失", "甲", "2021-04-01"], [],
            [None, None, "照明不足", "乙", "2021-04-02"]]
    sheet = read_ledger(write_xlsx(tmp_path / "offset.xlsx", rows)).sheets[0]
    assert sheet.header_rows == (3,)
    assert [(c.index, c.field) for c in sheet.columns if c.field] == [(2, "description"), (3, "unit"), (4, "found_on")]
    assert [(r.row, r.cells[2:]) for r in sheet.rows] == [(4, ("护栏缺失", "甲", "2021-04-01")), (6, ("照明不足", "乙", "2021-04-02"))]
