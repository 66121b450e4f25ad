"""Reading ledger files: find the header, drop the rows that carry no hazard, keep the rest.

Workbooks (.xlsx, .xlsm, .xls, .xlsb, .ods) are parsed with python-calamine, which also gives
the merged ranges (a full openpyxl load costs ~30 s per 100k rows). CSV files are decoded as
UTF-8 (with or without BOM) or, failing that, GB18030 (a superset of GBK).

The header is found by itself within the first :data:`HEADER_SCAN_ROWS` rows: the row (or pair
of rows, for two-row headers with merged group cells) whose cells name the most known fields
and include a description column. Title rows and 填报单位/填报日期 lines above it are read as
the sheet's metadata. Rows that carry no hazard are skipped with a reason: blank rows,
合计/小计 rows, notes (注:…), signature rows and repeated header rows. Every other row below
the header is a data row.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import itertools
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from attrs import field, frozen

from hazardloop.errors import HazardloopError
from hazardloop.ledger.cells import clean_text, is_blank
from hazardloop.ledger.columns import DEFAULT_COLUMNS, MAX_HEADER_LENGTH, ColumnTable, normalise_header

__all__ = [
    "LedgerReadError",
    "Column",
    "DataRow",
    "SkippedRow",
    "SheetTable",
    "LedgerFile",
    "read_ledger",
    "read_ledgers",
    "HEADER_SCAN_ROWS",
    "READ_THREADS",
    "WORKBOOK_SUFFIXES",
]

HEADER_SCAN_ROWS = 15
"""How many rows from the top the header may sit below title rows (STANDARDS.md §8.2)."""

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")


class LedgerReadError(HazardloopError):
    """A ledger file could not be read at all (empty, corrupt, password-protected, not Excel)."""


@frozen
class Column:
    """One column of a sheet: its index, its header as shown, and the field it holds.

    ``field`` is None for a column the table does not know; its values are kept as extra
    fields under ``header``. ``shadowed`` marks a known column whose field another, more
    specific column of the same sheet already holds (also kept as an extra field).
    """

    index: int
    header: str
    field: str | None
    shadowed: bool = False


@frozen
class DataRow:
    """A row that may carry a hazard: its Excel row number (1-based) and its cells."""

    row: int
    cells: tuple[Any, ...]


@frozen
class SkippedRow:
    """A row below the header that carries no hazard, and why it was skipped."""

    row: int
    reason: str


@frozen
class SheetTable:
    """A sheet read as a table. ``header_rows`` are Excel row numbers; ``meta`` holds the
    填报单位/填报日期 found above the header; ``problem`` says why a sheet has no table.

    A form-style sheet (``form``) is one hazard laid out as labels with their values beside
    them; it is read as a table of one row whose columns are the labels, in the order met
    (``header_rows`` are then the rows the labels stand on)."""

    file: str
    sheet: str
    columns: tuple[Column, ...] = ()
    header_rows: tuple[int, ...] = ()
    rows: tuple[DataRow, ...] = ()
    skipped: tuple[SkippedRow, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()
    problem: str = ""
    form: bool = False  #: a form-style sheet (one hazard laid out as label–value pairs), read as one row

    def column_for(self, name: str) -> Column | None:
        """The column holding field ``name`` (not shadowed), or None."""
        for col in self.columns:
            if col.field == name and not col.shadowed:
                return col
        return None

    def meta_value(self, key: str) -> str | None:
        """A metadata value (填报单位, 填报日期) or None."""
        return dict(self.meta).get(key)


@frozen
class LedgerFile:
    """A file read as ledger sheets (the sheets with no header are kept with their ``problem``)."""

    path: str
    sheets: tuple[SheetTable, ...] = field(converter=lambda sheets: tuple(sheets))


# ---------------------------------------------------------------------------------------------
# Raw grids
# ---------------------------------------------------------------------------------------------

Merged = Sequence[tuple[tuple[int, int], tuple[int, int]]]
Grid = Iterable[list[Any]]


def _decode_csv(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with its byte-order mark: what Excel's "Unicode text" (*.txt, tab-separated) writes
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LedgerReadError(f"{name}: UTF-16 文本有损坏的字符 (第 {exc.start} 字节)") from None
    if b"\x00" in data[:4096]:  # any other text holds no NUL byte
        raise LedgerReadError(f"{name}: 不是 CSV 文本文件")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise LedgerReadError(f"{name}: 无法识别 CSV 的编码 (UTF-8 / GBK / GB18030)")


def _read_csv(path: Path) -> list[tuple[str, Grid, Merged]]:
    data = path.read_bytes()
    if not data.strip():
        raise LedgerReadError(f"{path}: 文件为空")
    text = _decode_csv(data, str(path))
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        # the sniffer gives up on short files and on title rows without a delimiter: take the
        # delimiter the sample holds most of (a comma when it holds none: max keeps the first)
        dialect, delimiter = csv.excel, max(",\t;", key=sample.count)
    csv.field_size_limit(1 << 30)  # a 1,000,000-character cell is legal
    grid = [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect, delimiter=delimiter)]
    return [(path.stem, grid, ())]


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _read_workbook(path: Path, sheets: Sequence[str] | None) -> list[tuple[str, Grid, Merged]]:
    import python_calamine as pc

    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise LedgerReadError(f"{path}: 文件为空")
    if head == _OLE_MAGIC and path.suffix.lower() in (".xlsx", ".xlsm", ".xlsb"):
        # an .xlsx wrapped in an OLE container is an encrypted (password-protected) workbook
        raise LedgerReadError(f"{path}: 工作簿受密码保护, 请先取消密码后再导入")
    try:
        book = pc.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types; all mean "cannot read"
        msg = str(exc)
        if "password" in msg.lower() or "encrypt" in msg.lower():
            raise LedgerReadError(f"{path}: 工作簿受密码保护, 请先取消密码后再导入") from exc
        raise LedgerReadError(f"{path}: 不是可读取的 Excel 文件 ({type(exc).__name__}: {msg})") from exc
    names = list(book.sheet_names)
    wanted = list(names) if not sheets else list(sheets)
    missing = [s for s in wanted if s not in names]
    if missing:
        raise LedgerReadError(f"{path}: 没有工作表 {', '.join(missing)} (有: {', '.join(names)})")
    out: list[tuple[str, Grid, Merged]] = []
    for name in wanted:
        try:
            sheet = book.get_sheet_by_name(name)
            try:
                merged = sheet.merged_cell_ranges or ()
            except Exception:  # merged ranges are a hint; a reader without them still works
                merged = ()
        except Exception as exc:
            raise LedgerReadError(f"{path}: 工作表 {name} 无法读取 ({type(exc).__name__}: {exc})") from exc
        out.append((name, _sheet_rows(path, name, sheet), tuple(merged)))
    return out


def _sheet_rows(path: Path, name: str, sheet: Any) -> Iterator[list[Any]]:
    """The rows of a calamine sheet one by one, from A1 (rows of a sheet whose used range
    reaches row 1,048,576 are never all held at once, as ``to_python`` would)."""
    start = getattr(sheet, "start", None)
    pad = [""] * (start[1] if start else 0)  # iter_rows starts at the first used column
    try:
        if start is None and not hasattr(sheet, "start"):  # an older python-calamine
            yield from sheet.to_python(skip_empty_area=False)
            return
        for row in sheet.iter_rows():
            yield pad + row if pad else row
    except Exception as exc:
        raise LedgerReadError(f"{path}: 工作表 {name} 无法读取 ({type(exc).__name__}: {exc})") from exc


# ---------------------------------------------------------------------------------------------
# Header finding
# ---------------------------------------------------------------------------------------------

_META = re.compile(r"(填报单位|填表单位|单位名称|企业名称|报送单位|填报日期|填表日期|报送日期|统计日期)\s*[:：]\s*")


def _text(v: Any) -> str:
    return "" if is_blank(v) else clean_text(v)


def _fill_merged_header(grid: list[list[Any]], merged: Merged, rows: range) -> dict[tuple[int, int], Any]:
    """Values of header cells covered by a merge, copied from the merge's top-left cell."""
    filled: dict[tuple[int, int], Any] = {}
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(grid) or r0 not in rows:
            continue
        value = grid[r0][c0] if c0 < len(grid[r0]) else None
        for r in range(r0, min(r1, rows.stop - 1) + 1):
            for c in range(c0, c1 + 1):
                filled[(r, c)] = value
    return filled


def _cell(grid: list[list[Any]], r: int, c: int, filled: dict[tuple[int, int], Any]) -> str:
    if (r, c) in filled:
        return _text(filled[(r, c)])
    row = grid[r] if r < len(grid) else []
    return _text(row[c]) if c < len(row) else ""


def _header_one(grid: list[list[Any]], r: int, width: int, filled: dict[tuple[int, int], Any]) -> list[str]:
    return [_cell(grid, r, c, filled) for c in range(width)]


def _header_two(
    grid: list[list[Any]], r: int, width: int, filled: dict[tuple[int, int], Any], table: ColumnTable, has_merges: bool
) -> list[str]:
    """Headers of a two-row header: the child cell, or group-child where that names a field."""
    top = _header_one(grid, r, width, filled)
    sub = _header_one(grid, r + 1, width, filled)
    if not has_merges:
        # no merge information (CSV, some .xls): a group cell spans the blanks to its right
        last = ""
        for c in range(width):
            if top[c]:
                last = top[c]
            elif sub[c]:
                top[c] = last
    out = []
    for c in range(width):
        group, child = top[c], sub[c]
        if not child or child == group:
            out.append(group)
            continue
        if not group:
            out.append(child)
            continue
        combined = f"{group}-{child}"
        if table.lookup(combined) is not None or table.lookup(group + child) is not None:
            out.append(combined if table.lookup(combined) is not None else group + child)
        elif table.lookup(child) is not None:
            out.append(child)
        else:
            out.append(combined)
    return out


def _score(headers: Sequence[str], table: ColumnTable) -> tuple[int, bool]:
    fields = {table.lookup(h) for h in headers if h}
    fields.discard(None)
    return len(fields), "description" in fields


def _find_header(
    grid: list[list[Any]], merged: Merged, table: ColumnTable
) -> tuple[list[str], tuple[int, ...]] | None:
    width = max((len(r) for r in grid[: HEADER_SCAN_ROWS + 1]), default=0)
    scan = range(0, min(HEADER_SCAN_ROWS + 1, len(grid)))
    filled = _fill_merged_header(grid, merged, scan)
    best: tuple[int, list[str], tuple[int, ...]] | None = None
    for r in range(min(HEADER_SCAN_ROWS, len(grid))):
        one = _header_one(grid, r, width, filled)
        score, has_desc = _score(one, table)
        if score < 2:
            continue
        cand: tuple[int, list[str], tuple[int, ...]] = (score, one, (r,))
        if r + 1 < len(grid):
            two = _header_two(grid, r, width, filled, table, bool(merged))
            s2, d2 = _score(two, table)
            sub = _header_one(grid, r + 1, width, filled)
            # the row below is a sub-header only if it names fields and holds no data-like cells
            if s2 >= score and d2 and _looks_like_header_row(sub, table):
                cand = (s2, two, (r, r + 1))
                has_desc = True
        if not has_desc:
            continue
        if best is None or cand[0] > best[0]:
            best = cand
    if best is None:
        return None
    return best[1], best[2]


def _looks_like_header_row(cells: Sequence[str], table: ColumnTable) -> bool:
    nonblank = [c for c in cells if c]
    if not nonblank:
        return False
    known = sum(1 for c in nonblank if table.lookup(c) is not None)
    return known >= 1 and all(len(c) <= 30 and not re.fullmatch(r"[\d.\-/ :]+", c) for c in nonblank)


def _columns(headers: Sequence[str], table: ColumnTable) -> tuple[Column, ...]:
    best: dict[str, tuple[int, int]] = {}
    for i, h in enumerate(headers):
        hit = table.match(h)
        if hit is None:
            continue
        name, rank = hit
        if name not in best or rank < best[name][0]:
            best[name] = (rank, i)
    cols = []
    for i, h in enumerate(headers):
        hit = table.match(h)
        if hit is None:
            cols.append(Column(i, h or f"列{i + 1}", None))
        else:
            cols.append(Column(i, h, hit[0], shadowed=best[hit[0]][1] != i))
    return tuple(cols)


# ---------------------------------------------------------------------------------------------
# Rows that carry no hazard
# ---------------------------------------------------------------------------------------------

_TOTAL = re.compile(r"^(合计|小计|总计|共计|累计)")
_SPACES = re.compile(r"\s+")
_NOTE = re.compile(r"^(注|说明|备注|填表说明|附注)\s*[:：\d一、.]")
_SIGNATURE = re.compile(
    r"(签字|签名|盖章|签发|签章|(填表|审核|制表|填报|审批|负责|检查)人\s*[:：]|(填报|填表|报送)(单位|日期)\s*[:：])"
)
# in the description column only the colon or bracket forms count: "…未经审批人签字" is a hazard
_SIGNATURE_STRICT = re.compile(r"((签字|签名|盖章|签发|签章|人)\s*[:：])|^[(（](签字|盖章|签名)[)）]$")


_PLAIN = (int, float, _dt.date)  # cells whose text is digits, a date or True/False: never 合计… or 注…


def _classify(
    cells: Sequence[Any], row_no_cols: frozenset[int], header_norm: Sequence[str], desc_index: int
) -> str | None:
    """Why a row carries no hazard (blank, total, note, signature, header), or None for data.

    Called for every row: the common case (a description that is plain prose) returns after
    looking at two cells; blanks are already None (see :func:`_table`).
    """
    first_i = -1
    only_row_no = True
    for i, v in enumerate(cells):
        if v is None:
            continue
        if first_i < 0:
            first_i = i
        if i not in row_no_cols or not (isinstance(v, (int, float)) or re.fullmatch(r"[\d.]+", str(v).strip())):
            only_row_no = False
            break
    if first_i < 0 or only_row_no:
        return "空行"  # nothing, or only a 序号 printed on an empty template row
    raw_desc = cells[desc_index] if desc_index < len(cells) else None
    desc = clean_text(raw_desc) if raw_desc.__class__ is str else _text(raw_desc)  # _text, for the usual cell
    if not isinstance(cells[first_i], _PLAIN):  # a row number or a date starts no total or note
        first = _text(cells[first_i])
        compact = _SPACES.sub("", first)
        if _TOTAL.match(compact):
            return "合计/小计行"
        if _NOTE.match(compact) and (not desc or desc == first):
            return "注释行"
    if not desc or _SIGNATURE_STRICT.search(desc[:30]):
        if any(_SIGNATURE.search(_text(v)) for v in cells if v is not None):
            return "签字行"
    if desc and len(desc) <= MAX_HEADER_LENGTH and desc_index < len(header_norm) and normalise_header(desc) == header_norm[desc_index]:
        texts = [(i, _text(v)) for i, v in enumerate(cells) if v is not None]
        same = sum(1 for i, t in texts if i < len(header_norm) and header_norm[i] and normalise_header(t) == header_norm[i])
        if same >= 2 and same * 2 >= len(texts):
            return "重复表头行"
    return None


# ---------------------------------------------------------------------------------------------
# Form-style sheets
# ---------------------------------------------------------------------------------------------

FORM_MAX_ROWS = 80
"""A form-style sheet (one 重大隐患 laid out as label–value pairs) fits in this many rows."""

_FORM_LOOKAHEAD = 1000  # blank rows looked through after FORM_MAX_ROWS for more content
_LABEL_VALUE = re.compile(r"^([^:：]{1,30})[:：]\s*(.*)$", re.S)
_MAJOR_TITLE = re.compile(r"重大(事故)?隐患")


def _form(file: str, sheet: str, grid: list[list[Any]], merged: Merged, table: ColumnTable) -> SheetTable | None:
    """The sheet ``grid`` (all its rows) read as a form of one row, or None when it is not one.

    A label is a cell the column table knows; its value is the next non-blank cell to its right
    (past the label's merge), or the text after a colon in the label's own cell
    (治理责任人：张三). A label whose next cell is another label has a blank value. A form has a
    description label with a value, at least three labels in all, and no row of three or more
    labels without values (that is a table's header: its rows are never read as one hazard).
    A form with two descriptions comes back with its ``problem`` (one hazard per form).
    """
    span = {(r0, c0): c1 for (r0, c0), (_r1, c1) in merged}
    labels: list[str] = []
    values: list[Any] = []
    label_rows: list[int] = []
    used: set[tuple[int, int]] = set()
    title = ""
    for r, row in enumerate(grid):
        texts = [_text(v) for v in row]
        lonely = 0  # labels of this row with no value
        for c, text in enumerate(texts):
            if not text or (r, c) in used:
                continue
            split = _LABEL_VALUE.match(text)
            value: Any = None
            if split and table.lookup(split[1].strip()) is not None:
                label, value = split[1].strip(), split[2].strip() or None
            elif len(text) <= MAX_HEADER_LENGTH and table.lookup(text) is not None:
                label = text
            else:
                if not labels and not title:
                    title = text  # the first text above the first label: the form's title
                continue
            if value is None:
                for c2 in range(span.get((r, c), c) + 1, len(row)):
                    if texts[c2]:
                        if table.lookup(texts[c2]) is None:
                            value = row[c2]
                            used.add((r, c2))
                        break
                if value is None:
                    lonely += 1
            labels.append(label)
            values.append(None if value.__class__ is str and not value.strip() else value)
            label_rows.append(r)
        if lonely >= 3:
            return None
    fields = [table.lookup(h) for h in labels]
    described = sum(1 for f, v in zip(fields, values) if f == "description" and not is_blank(v))
    if len(labels) < 3 or not described:
        return None
    if described > 1:
        # two hazards laid out on one sheet: which labels belong to which is anybody's guess
        return SheetTable(file, sheet, problem=f"表单式工作表中有 {described} 个隐患描述, 不能作为一个隐患读取; 请每个隐患一张表")
    heading = title or sheet
    if "level" not in fields and (major := _MAJOR_TITLE.search(heading)) and "一般" not in heading:
        # the form's title says what it holds (重大事故隐患治理情况表): that is its level
        labels.append("隐患等级(据表题)")
        values.append(major[0])
        label_rows.append(label_rows[-1])
    desc_row = label_rows[fields.index("description")]
    return SheetTable(
        file, sheet, columns=_columns(labels, table), header_rows=tuple(sorted({r + 1 for r in label_rows})),
        rows=(DataRow(desc_row + 1, tuple(values)),), meta=_meta(grid, len(grid)), form=True,
    )


def _meta(grid: list[list[Any]], above: int) -> tuple[tuple[str, str], ...]:
    """The 填报单位/填报日期 lines found in the first ``above`` rows."""
    meta: dict[str, str] = {}
    for r in range(above):
        for v in grid[r]:
            text = _text(v)
            hits = list(_META.finditer(text))
            for k, m in enumerate(hits):
                end = hits[k + 1].start() if k + 1 < len(hits) else len(text)
                key = "填报单位" if "单位" in m[1] or "企业" in m[1] else "填报日期"
                if text[m.end() : end].strip():
                    meta.setdefault(key, text[m.end() : end].strip())
    return tuple(meta.items())


def _table(
    file: str, sheet: str, rows: Grid, merged: Merged, table: ColumnTable
) -> SheetTable:
    stream = iter(rows)
    grid = list(itertools.islice(stream, HEADER_SCAN_ROWS + 1))  # the rows the header may be in
    found = _find_header(grid, merged, table)
    # a sheet of at most FORM_MAX_ROWS rows (and blank ones after them) may be a form instead
    grid += itertools.islice(stream, FORM_MAX_ROWS + _FORM_LOOKAHEAD - len(grid))
    filled = [any(v is not None and v != "" for v in row) for row in grid]
    if not any(filled[FORM_MAX_ROWS:]):
        form = _form(file, sheet, grid[:FORM_MAX_ROWS], merged, table)
        # a form's first rows of label–value pairs pass for a header; it is a form when it has
        # labels below that header too, or nothing below it at all (no table to read)
        if form is not None and (
            found is None
            or not form.problem
            and (not set(form.header_rows) <= {r + 1 for r in found[1]} or not any(filled[found[1][-1] + 1 :]))
        ):
            return form
    if found is None:
        return SheetTable(file, sheet, problem="未找到含隐患描述列的表头 (前15行), 也不是表单式的隐患表")
    headers, header_rows = found
    columns = _columns(headers, table)
    meta = _meta(grid, header_rows[0])
    width = len(columns)
    # data cells under a vertical merge (a town written once for several rows) get its value,
    # filled in when the stream reaches the merge's first row
    below: dict[tuple[int, int], Any] = {}
    start = header_rows[-1] + 1
    merges_at: dict[int, list[tuple[int, int, int]]] = {}
    for (r0, c0), (r1, c1) in merged:
        if r0 >= start:
            merges_at.setdefault(r0, []).append((c0, r1, c1))
    covered_to = -1  # the last row a merge met so far covers
    desc = next(c.index for c in columns if c.field == "description" and not c.shadowed)
    header_norm = [normalise_header(h) for h in headers]
    row_no_cols = frozenset(c.index for c in columns if c.field == "row_no")
    data_rows: list[DataRow] = []
    skipped: list[SkippedRow] = []
    for r, raw in enumerate(itertools.chain(grid[start:], stream), start):
        if merges_at and r in merges_at:
            for c0, r1, c1 in merges_at.pop(r):
                value = raw[c0] if c0 < len(raw) else None
                covered_to = max(covered_to, r1)
                for rr in range(r, r1 + 1):
                    for c in range(c0, c1 + 1):
                        below[(rr, c)] = value
        if r > covered_to and raw.count("") == len(raw):
            continue  # an empty row (a sheet whose used range reaches row 1,048,576 is mostly these)
        if below:
            cells = list(raw[:width]) + [None] * (width - len(raw))
            for c in range(width):
                if (r, c) in below:
                    cells[c] = below[(r, c)]
        else:
            cells = raw if len(raw) <= width else raw[:width]
        # blank text is None (only text equals ""); the row is padded to the header's width
        cells = [None if v.__class__ is str and not v.strip() else v for v in cells]
        if len(cells) < width:
            cells += [None] * (width - len(cells))
        why = _classify(cells, row_no_cols, header_norm, desc)
        if why is None:
            data_rows.append(DataRow(r + 1, tuple(cells)))
        elif why != "空行" or any(not is_blank(v) for v in cells):
            skipped.append(SkippedRow(r + 1, why))
    return SheetTable(
        file,
        sheet,
        columns=columns,
        header_rows=tuple(r + 1 for r in header_rows),
        rows=tuple(data_rows),
        skipped=tuple(skipped),
        meta=meta,
    )


def read_ledger(
    path: str | Path, *, sheets: Sequence[str] | None = None, columns: ColumnTable = DEFAULT_COLUMNS
) -> LedgerFile:
    """Read one ledger file: every sheet (or the ``sheets`` named) as a :class:`SheetTable`.

    Raises :class:`LedgerReadError` naming the file when it cannot be read at all.
    """
    p = Path(path)
    if not p.exists():
        raise LedgerReadError(f"{p}: 文件不存在")
    if p.is_dir():
        raise LedgerReadError(f"{p}: 是目录, 不是台账文件")
    suffix = p.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            grids = _read_csv(p)
        else:
            grids = _read_workbook(p, sheets)
    except LedgerReadError:
        raise
    except (OSError, ValueError, csv.Error) as exc:
        raise LedgerReadError(f"{p}: 无法读取 ({type(exc).__name__}: {exc})") from exc
    return LedgerFile(str(p), [_table(str(p), name, grid, merged, columns) for name, grid, merged in grids])


READ_THREADS = 2
"""How many files :func:`read_ledgers` reads at once."""


def read_ledgers(
    paths: Iterable[str | Path], *, sheets: Sequence[str] | None = None, columns: ColumnTable = DEFAULT_COLUMNS
) -> list[LedgerFile]:
    """Read several files, in their order; the first unreadable one (in that order) raises
    :class:`LedgerReadError` and nothing is returned.

    Files are read :data:`READ_THREADS` at a time: python-calamine parses a workbook without
    holding the GIL, so one file's parse runs beside another's rows (~25% off reading four
    20,000-row ledgers on two cores).
    """
    paths = list(paths)
    if len(paths) < 2:
        return [read_ledger(p, sheets=sheets, columns=columns) for p in paths]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(min(READ_THREADS, len(paths)), thread_name_prefix="hazardloop-read") as pool:
        futures = [pool.submit(read_ledger, p, sheets=sheets, columns=columns) for p in paths]
        try:
            return [f.result() for f in futures]
        finally:
            for f in futures:  # after an error, files not started yet are not read
                f.cancel()
