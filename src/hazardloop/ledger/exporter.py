"""Writing ledgers people can hand up: a new styled workbook, or a user's own template.

:func:`ledger_rows` turns a register into ledger rows (Chinese headers from the one column
table, :mod:`hazardloop.ledger.columns`); :func:`export_ledger` writes them with xlsxwriter
(frozen header, autofilter, widths, real dates, the risk colour column filled, overdue rows
highlighted, dropdown validation on level and stage, a summary sheet); :func:`export_to_template`
fills a user's template with openpyxl given a column mapping.

Text is always written as text: a description beginning with = + - or @ is never a formula.
The 办理过程 column holds the hazard's stage events one per line, so that importing the
ledger back rebuilds the same history (extensions, reopenings and failed inspections included).
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from attrs import evolve, frozen

from hazardloop.deadlines import status_of
from hazardloop.errors import HazardloopError
from hazardloop.ledger.columns import DEFAULT_COLUMNS, ColumnTable
from hazardloop.ledger.history import HISTORY_KINDS
from hazardloop.lifecycle import HazardState
from hazardloop.records import Actor, Colour, Event, EventKind, Level, Stage, to_date
from hazardloop.register import Register

__all__ = [
    "EXPORT_FIELDS",
    "LedgerTable",
    "ledger_rows",
    "history_text",
    "export_ledger",
    "export_to_template",
    "ExportError",
    "EXCEL_CELL_CHARS",
    "excel_cut",
]

K = EventKind


class ExportError(HazardloopError):
    """A ledger could not be written (a template unreadable, a mapping naming no column…)."""


EXPORT_FIELDS: tuple[str, ...] = (
    "row_no", "hazard_code", "town", "unit", "domain", "source", "location", "description", "level",
    "criteria", "found_on", "finder", "assigned_on", "supervisor", "supervising_department",
    "listing_level", "responsible_unit", "responsible_person", "deadline", "effective_deadline",
    "extension_count", "measures", "plan", "funds", "started_on", "submitted_on", "inspector",
    "inspected_on", "inspection_passed", "inspection_result", "failed_inspections", "closed_on",
    "first_closed_on", "reopen_count", "reopened_on", "withdrawn_on", "voided_on", "end_reason",
    "status", "overdue_status", "overdue_days", "colour", "history",
)
"""The fields a new ledger holds, in column order; the hazards' extra fields follow."""

_DATES = {
    "found_on", "assigned_on", "deadline", "effective_deadline", "started_on", "submitted_on",
    "inspected_on", "closed_on", "first_closed_on", "reopened_on", "withdrawn_on", "voided_on",
}


@frozen
class LedgerTable:
    """Ledger rows ready to write: headers, field names (None for extra columns), rows, and
    which rows are overdue."""

    headers: tuple[str, ...]
    fields: tuple[str | None, ...]
    rows: tuple[tuple[Any, ...], ...]
    overdue: tuple[bool, ...]
    as_of: _dt.date
    chain_head: str | None = None  #: the store's hash-chain head when exported (issue 5), written on 汇总
    #: cells longer than Excel's 32,767 characters, written cut: (the row Excel shows, header)
    cut_cells: tuple[tuple[int, str], ...] = ()


EXCEL_CELL_CHARS = 32_767
"""The most characters (UTF-16 code units) an Excel cell holds."""


def excel_cut(text: str) -> str | None:
    """``text`` cut to what an Excel cell holds, or None if it fits (the count is in UTF-16
    units, as Excel counts: a character beyond U+FFFF takes two; a pair is never split)."""
    if len(text) <= EXCEL_CELL_CHARS // 2:
        return None
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > EXCEL_CELL_CHARS:
            return text[:i]
    return None


def _person(actor: Actor | None) -> str:
    if actor is None or actor.id.startswith("ledger:"):
        return ""  # the ledger row itself stood in for a person: nobody is named
    return actor.name


def history_text(events: Iterable[Event]) -> str:
    """The stage events of a hazard, one per line: ``2026-01-05 交办 期限 2026-02-04``."""
    lines = []
    for e in events:
        if e.kind not in HISTORY_KINDS:
            continue
        line = f"{e.occurred_on.isoformat()} {e.kind.value}"
        deadline = getattr(e.payload, "deadline", None)
        if e.kind in (K.ASSIGN, K.EXTEND, K.REOPEN) and deadline is not None:
            line += f" 期限 {deadline.isoformat()}"
        lines.append(line)
    return "\n".join(lines)


def _values(
    state: HazardState, events: Sequence[Event], as_of: _dt.date, colours: Mapping[str, Any], unit_names: Mapping[str, str],
    due_soon: int,
) -> dict[str, Any]:
    status = status_of(state, as_of, due_soon)
    supervisor = next((e.actor for e in events if e.kind is K.ASSIGN), None)
    reopened = state.last_reopened_on
    colour = colours.get(state.unit_code)
    colour_text = "" if colour is None else (colour.value if isinstance(colour, Colour) else str(colour))
    return {
        "hazard_code": state.hazard_code or "",
        "town": state.town,
        "unit": unit_names.get(state.unit_code, state.unit_code),
        "domain": state.domain,
        "source": state.source.value,
        "location": state.location,
        "description": state.description,
        "level": state.level.value,
        "criteria": "、".join(state.criteria),
        "found_on": state.found_on,
        "finder": _person(state.found_by),
        "assigned_on": state.assigned_on,
        "supervisor": _person(supervisor),
        "supervising_department": state.supervising_department or "",
        "listing_level": state.listing_level.value if state.listing_level else "",
        "responsible_unit": state.responsible_unit or "",
        "responsible_person": _person(state.responsible_person),
        "deadline": state.original_deadline,
        "effective_deadline": state.effective_deadline if state.effective_deadline != state.original_deadline or reopened else None,
        "extension_count": state.extension_count or None,
        "measures": state.measures or "",
        "plan": state.plan or "",
        "funds": state.funds,
        "started_on": state.started_on,
        "submitted_on": state.submitted_on,
        "inspector": _person(state.inspector),
        "inspected_on": state.inspected_on,
        "inspection_passed": "" if state.inspection_passed is None else ("通过" if state.inspection_passed else "不通过"),
        "inspection_result": state.inspection_comments,
        "failed_inspections": state.failed_inspections or None,
        "closed_on": state.closed_on,
        "first_closed_on": state.first_closed_on if state.first_closed_on != state.closed_on or state.reopen_count else None,
        "reopen_count": state.reopen_count or None,
        "reopened_on": reopened,
        "withdrawn_on": state.withdrawn_on,
        "voided_on": state.voided_on,
        "end_reason": state.end_reason if state.stage in (Stage.WITHDRAWN, Stage.VOIDED) else "",
        "status": state.stage.value,
        "overdue_status": status.status.value,
        "overdue_days": status.days_overdue or None,
        "colour": colour_text,
        "history": history_text(events),
    }


def ledger_rows(
    register: Register,
    as_of: _dt.date | str | None = None,
    *,
    colours: Mapping[str, Colour | str] | None = None,
    columns: ColumnTable = DEFAULT_COLUMNS,
    states: Iterable[HazardState] | None = None,
) -> LedgerTable:
    """The register as ledger rows on ``as_of`` (default: the register clock's today).

    ``colours`` maps unit codes to their risk colour (红/橙/黄/蓝), e.g. from
    :func:`hazardloop.plugins.unit_colours`; without it the colour column stays blank.
    """
    day = to_date(as_of) if as_of is not None else register.clock.today()
    colours = colours or {}
    unit_names = {u.code: u.name for u in register.units()}
    chosen = list(states) if states is not None else list(register.states_as_of(day))
    extra_keys: list[str] = []
    seen: set[str] = set()
    for st in chosen:
        for key, _ in st.extra:
            if key not in seen:
                seen.add(key)
                extra_keys.append(key)
    by_key = {f.extra_key: f for f in columns.fields if f.extra}
    headers = [columns.label(f) for f in EXPORT_FIELDS] + [by_key[k].label if k in by_key else k for k in extra_keys]
    fields: list[str | None] = list(EXPORT_FIELDS) + [None] * len(extra_keys)
    rows = []
    overdue = []
    due_soon = register.config.due_soon_days
    # the histories in bulk: a durable store answers each read with a query
    histories = register.each_history(st.hazard_id for st in chosen)
    for (n, st), (_, history) in zip(enumerate(chosen, 1), histories):
        events = [e for e in history if e.occurred_on <= day]
        vals = _values(st, events, day, colours, unit_names, due_soon)
        vals["row_no"] = n
        extra = dict(st.extra)
        rows.append(tuple(vals[f] for f in EXPORT_FIELDS) + tuple(extra.get(k) for k in extra_keys))
        overdue.append(vals["overdue_status"] == "超期")
    return LedgerTable(tuple(headers), tuple(fields), tuple(rows), tuple(overdue), day)


_FILL = {"红": "#FF0000", "橙": "#FFA500", "黄": "#FFFF00", "蓝": "#0070C0"}
_FONT = {"红": "#FFFFFF", "橙": "#000000", "黄": "#000000", "蓝": "#FFFFFF"}


def _width(header: str, sample: Iterable[Any]) -> float:
    def w(v: Any) -> int:
        if v is None:
            return 0
        if isinstance(v, _dt.date):
            return 11
        s = str(v).split("\n")[0]
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s[:40])

    return max(8, min(50, max([w(header) + 2, *(w(v) + 1 for v in sample)])))


def export_ledger(
    register: Register,
    path: str | Path,
    *,
    as_of: _dt.date | str | None = None,
    colours: Mapping[str, Colour | str] | None = None,
    columns: ColumnTable = DEFAULT_COLUMNS,
    progress: Callable[[int], None] | None = None,
) -> LedgerTable:
    """Write the register as a styled ledger workbook (sheet 隐患台账 plus a 汇总 summary sheet).

    Rows are written one by one in xlsxwriter's constant-memory mode. Returns the table written.
    """
    import xlsxwriter

    table = ledger_rows(register, as_of, colours=colours, columns=columns)
    from hazardloop.sqlstore import chain_head_of  # a durable register: the export carries its chain head

    if (chain := chain_head_of(register)) is not None:
        table = evolve(table, chain_head=f"{chain[0]} ({chain[1]} 条事件)")
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_urls": False, "strings_to_numbers": False})
    try:
        cut = _write_book(book, table, progress)
    finally:
        book.close()
    return evolve(table, cut_cells=cut) if cut else table


def _write_book(book: Any, table: LedgerTable, progress: Callable[[int], None] | None) -> tuple[tuple[int, str], ...]:
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                            "valign": "vcenter", "align": "center"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    wrap = book.add_format({"text_wrap": False})
    colour_fmt = {k: book.add_format({"bg_color": v, "font_color": _FONT[k], "align": "center"}) for k, v in _FILL.items()}
    overdue_fmt = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    ws = book.add_worksheet("隐患台账")
    n_rows, n_cols = len(table.rows), len(table.headers)
    sample = table.rows[:200]
    for c, h in enumerate(table.headers):
        ws.set_column(c, c, _width(h, (r[c] for r in sample)))
    ws.set_row(0, 30)
    ws.freeze_panes(1, 0)
    for c, h in enumerate(table.headers):
        ws.write_string(0, c, h, head)
    fields = table.fields
    colour_col = fields.index("colour")
    kinds = []
    for f in fields:
        kinds.append("date" if f in _DATES else ("colour" if f == "colour" else "any"))
    write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
    cut: list[tuple[int, str]] = []
    for r, row in enumerate(table.rows, 1):
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, str):
                if kinds[c] == "colour" and v in colour_fmt:
                    write_string(r, c, v, colour_fmt[v])
                elif write_string(r, c, v) == -2:  # never a formula; -2: xlsxwriter cut it to Excel's limit
                    cut.append((r + 1, table.headers[c]))
            elif isinstance(v, bool):
                write_string(r, c, "是" if v else "否")
            elif isinstance(v, (int, float)):
                write_number(r, c, v)
            elif isinstance(v, _dt.date):
                write_datetime(r, c, _dt.datetime(v.year, v.month, v.day), date_fmt)
            else:
                write_string(r, c, str(v))
        if progress is not None and r % 1000 == 0:
            progress(r)
    if n_rows:
        ws.autofilter(0, 0, n_rows, n_cols - 1)
        status_col = fields.index("overdue_status")
        letter = _col_letter(status_col)
        ws.conditional_format(1, 0, n_rows, n_cols - 1, {
            "type": "formula", "criteria": f'=${letter}2="超期"', "format": overdue_fmt})
        ws.data_validation(1, fields.index("level"), max(n_rows, 1) + 1000, fields.index("level"),
                           {"validate": "list", "source": [lv.value for lv in Level]})
        ws.data_validation(1, fields.index("status"), max(n_rows, 1) + 1000, fields.index("status"),
                           {"validate": "list", "source": [s.value for s in Stage]})
    del wrap, colour_col
    _summary(book, table, head)
    if progress is not None:
        progress(n_rows)
    return tuple(cut)


def _col_letter(index: int) -> str:
    s = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


def _summary(book: Any, table: LedgerTable, head: Any) -> None:
    ws = book.add_worksheet("汇总")
    f = table.fields
    stage_i, level_i, town_i, st_i = f.index("status"), f.index("level"), f.index("town"), f.index("overdue_status")
    ws.set_column(0, 0, 16)
    ws.set_column(1, 12, 10)
    ws.write_string(0, 0, "统计日期", head)
    ws.write_string(0, 1, table.as_of.isoformat())
    ws.write_string(1, 0, "隐患总数", head)
    ws.write_number(1, 1, len(table.rows))
    if table.chain_head is not None:
        ws.write_string(2, 0, "台账哈希链头", head)
        ws.write_string(2, 1, table.chain_head)
    row = 3
    for title, idx, cats in (
        ("按状态", stage_i, [s.value for s in Stage]),
        ("按等级", level_i, [lv.value for lv in Level]),
        ("按超期状态", st_i, None),
    ):
        counts = Counter(r[idx] for r in table.rows)
        ws.write_string(row, 0, title, head)
        ws.write_string(row, 1, "数量", head)
        row += 1
        for cat in cats or sorted(counts):
            ws.write_string(row, 0, str(cat))
            ws.write_number(row, 1, counts.get(cat, 0))
            row += 1
        row += 1
    towns = sorted({r[town_i] for r in table.rows})
    ws.write_string(row, 0, "按乡镇", head)
    for c, name in enumerate(("总数", "在办", "超期", "重大", "销号"), 1):
        ws.write_string(row, c, name, head)
    row += 1
    for t in towns:
        rs = [r for r in table.rows if r[town_i] == t]
        ws.write_string(row, 0, t)
        ws.write_number(row, 1, len(rs))
        ws.write_number(row, 2, sum(1 for r in rs if r[stage_i] in ("发现", "交办", "整改", "督查")))
        ws.write_number(row, 3, sum(1 for r in rs if r[st_i] == "超期"))
        ws.write_number(row, 4, sum(1 for r in rs if r[level_i] == "重大"))
        ws.write_number(row, 5, sum(1 for r in rs if r[stage_i] == "销号"))
        row += 1


def export_to_template(
    register: Register,
    template: str | Path,
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    sheet: str | None = None,
    as_of: _dt.date | str | None = None,
    colours: Mapping[str, Colour | str] | None = None,
    columns: ColumnTable = DEFAULT_COLUMNS,
) -> LedgerTable:
    """Fill a user's template workbook (openpyxl) and save it as ``path``.

    The template's header row is found as on import (the row within the first 15 whose cells
    name the most known fields); each template column gets the field its header names, or the
    one ``mapping`` gives (template header → field name or our Chinese header). Rows are
    written below the header, in the style of the template's first row below it.
    """
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise ExportError("defusedxml is not installed: refusing to open a template workbook")
    table = ledger_rows(register, as_of, colours=colours, columns=columns)
    # a macro-enabled template written to a macro-enabled file keeps its macros (openpyxl drops
    # them unless asked); written to .xlsx they are left out, as Excel requires of that format
    macros = {".xlsm", ".xltm"}
    keep_vba = Path(template).suffix.lower() in macros and Path(path).suffix.lower() in macros
    try:
        book = openpyxl.load_workbook(str(template), keep_vba=keep_vba)
    except Exception as exc:
        raise ExportError(f"{template}: 模板无法打开 ({type(exc).__name__}: {exc})") from exc
    ws = book[sheet] if sheet else book.worksheets[0]
    labels = {columns.label(fn): fn for fn in EXPORT_FIELDS}
    wanted = dict(mapping or {})
    best: tuple[int, int, dict[int, int]] | None = None
    for r in range(1, min(ws.max_row, 15) + 1):
        cols: dict[int, int] = {}
        for c in range(1, ws.max_column + 1):
            v = ws.cell(r, c).value
            if v is None:
                continue
            text = str(v).strip()
            target = wanted.get(text)
            name = (labels.get(target, target) if target else None) or columns.lookup(text)
            if name is not None and name in table.fields:
                cols[c] = table.fields.index(name)  # type: ignore[arg-type]
            elif text in table.headers:
                cols[c] = table.headers.index(text)
        if cols and (best is None or len(cols) > len(best[2])):
            best = (len(cols), r, cols)
    if best is None:
        raise ExportError(f"{template}: 模板前15行中没有可识别的表头")
    _, header_row, colmap = best
    missing = [h for h in wanted if h not in {str(ws.cell(header_row, c).value).strip() for c in colmap}]
    if missing:
        raise ExportError(f"{template}: 模板表头中没有 {', '.join(missing)}")
    styles = {c: ws.cell(header_row + 1, c)._style for c in colmap}
    from copy import copy

    cut: list[tuple[int, str]] = []
    for i, row in enumerate(table.rows):
        r = header_row + 1 + i
        for c, src in colmap.items():
            v = row[src]
            cell = ws.cell(r, c)
            cell._style = copy(styles[c])
            if isinstance(v, _dt.date):
                cell.value = v
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(v, str):
                short = excel_cut(v)  # openpyxl would write it whole, and Excel then "repairs" the file
                if short is not None:
                    v = short
                    cut.append((r, str(ws.cell(header_row, c).value).strip()))
                cell.value = v
                cell.data_type = "s"  # text stays text: "=..." is not a formula
            else:
                cell.value = v
    book.save(str(path))
    return evolve(table, cut_cells=tuple(cut)) if cut else table
