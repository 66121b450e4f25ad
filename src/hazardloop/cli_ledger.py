"""``hazardloop import`` and ``hazardloop export``: ledgers (台账) in and out of a register.

The commands only call :mod:`hazardloop.ledger`; the register comes from
:func:`hazardloop.cli.open_register`. A rich progress bar shows on long runs when stderr is a
terminal.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from hazardloop.cli_loop import DB_OPTION
from hazardloop.errors import HazardloopError
from hazardloop.ledger.cells import CellError, load_level_map, load_status_map
from hazardloop.ledger.columns import DEFAULT_COLUMNS
from hazardloop.ledger.errors_book import write_error_workbook
from hazardloop.ledger.exporter import export_ledger, export_to_template
from hazardloop.ledger.importer import ImportOptions, import_ledgers
from hazardloop.ledger.reader import read_ledgers
from hazardloop.records import Level, to_date

__all__ = ["import_command", "export_command", "attach", "PROGRESS_MIN_ROWS"]

PROGRESS_MIN_ROWS = 2000
"""Below this many rows no progress bar is drawn (it would only flicker)."""


@contextlib.contextmanager
def _progress(total: int, what: str) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on a terminal for long runs; None (no callback) otherwise."""
    if total < PROGRESS_MIN_ROWS or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:
        task = bar.add_task(what, total=total)
        yield lambda done: bar.update(task, completed=done)


def _open(db: str | None) -> Any:
    from hazardloop import cli

    return cli.open_register(db)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@DB_OPTION
@click.option("--sheet", "sheets", multiple=True, help="Only this sheet (repeatable); default all sheets.")
@click.option("--errors", "errors_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write rejected rows to this workbook (fix them and import it again).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the counts and every row's outcome.")
@click.option("--dry-run", is_flag=True, help="Report what would happen, row by row; store nothing.")
@click.option("--level-map", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="File mapping the ledger's level words to 一般/重大 (JSON, or lines '3级 = 一般').")
@click.option("--status-map", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="File mapping the ledger's status words to stages (JSON, or lines '已处理 = 销号').")
@click.option("--default-level", type=click.Choice([lv.value for lv in Level]), default=None,
              help="Level for rows whose level cell is blank.")
@click.option("--town", default=None, help="所属乡镇 for rows and units that do not give one.")
@click.option("--unit", default=None, help="Unit for rows that name none (and no 填报单位 line).")
@click.option("--domain", default="general", show_default=True, help="Domain for rows without a 行业领域 column.")
def import_command(
    files: tuple[Path, ...],
    db: str | None,
    sheets: tuple[str, ...],
    errors_out: Path | None,
    as_json: bool,
    dry_run: bool,
    level_map: Path | None,
    status_map: Path | None,
    default_level: str | None,
    town: str | None,
    unit: str | None,
    domain: str,
) -> None:
    """Import ledger files (.xlsx .xlsm .xls .csv) into the register.

    Every data row ends as imported, updated, rejected (with its reason) or duplicate; the
    counts add up to the data rows. Nothing is stored if a file cannot be read.
    """
    try:
        mapping = load_level_map(level_map) if level_map else None
        statuses = load_status_map(status_map) if status_map else None
    except CellError as exc:
        raise click.ClickException(str(exc)) from exc
    from hazardloop.plugins import load_hooks

    options = (
        ImportOptions(sheets=sheets or None, default_town=town, default_unit=unit, default_domain=domain)
        .with_levels(mapping, default_level)
        .with_statuses(statuses)
        .with_domains(load_hooks().domains)  # 行业领域 names and the domains' extra ledger columns
    )
    try:
        ledgers = read_ledgers(files, sheets=options.sheets, columns=options.columns)
    except HazardloopError as exc:
        raise click.ClickException(str(exc)) from exc
    register = _open(db)
    total = sum(len(s.rows) for f in ledgers for s in f.sheets)
    with _progress(total, "导入台账") as progress:
        report = import_ledgers(register, ledgers, options, dry_run=dry_run, progress=progress)
    if errors_out is not None and report.rejected:
        write_error_workbook(report, errors_out)
    if as_json:
        out = report.as_dict()
        if errors_out is not None and report.rejected:
            out["errors_workbook"] = str(errors_out)
        click.echo(json.dumps(out, ensure_ascii=False, default=str))
        return
    s = report.summary()
    head = "试运行 (未写入): " if dry_run else ""
    click.echo(
        f"{head}数据行 {s['data_rows']}: 导入 {s['imported']}, 更新 {s['updated']}, "
        f"拒绝 {s['rejected']}, 重复 {s['duplicates']} (跳过非数据行 {s['skipped_rows']}, 跳过工作表 {s['skipped_sheets']})"
    )
    for file, sheet, why in report.skipped_sheets:
        click.echo(f"  跳过工作表 {Path(file).name} / {sheet}: {why}", err=True)
    for r in report.rejected_rows()[:50]:
        col = f" [{r.column}]" if r.column else ""
        click.echo(f"  拒绝 {Path(r.file).name} / {r.sheet} / 第{r.row}行{col}: {r.reason}", err=True)
    if report.rejected > 50:
        click.echo(f"  … 另有 {report.rejected - 50} 行被拒绝" + ("" if errors_out else " (用 --errors 写出全部)"), err=True)
    if errors_out is not None and report.rejected:
        click.echo(f"被拒绝的行已写入 {errors_out}")


def _colours(register: Any, day: _dt.date) -> dict[str, Any]:
    """Unit colours from the installed plugins, if any unit is registered; else none."""
    if not register.units():
        return {}
    from hazardloop.plugins import load_hooks, unit_colours

    return {c.unit_code: c.colour for c in unit_colours(register, load_hooks(), on=day) if c.colour is not None}


@click.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@DB_OPTION
@click.option("--as-of", "as_of", default=None, help="Ledger as of this date (YYYY-MM-DD); default today.")
@click.option("--template", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Fill this template workbook instead of writing a new one.")
@click.option("--map", "mapping", multiple=True, help="Template column mapping 'TEMPLATE HEADER=字段或表头' (repeatable).")
def export_command(out: Path, db: str | None, as_of: str | None, template: Path | None, mapping: tuple[str, ...]) -> None:
    """Export the register as a ledger workbook (or into a template).

    The events themselves, as JSON lines for archiving: hazardloop export-events
    (export without a workbook argument hands over to it).
    """
    register = _open(db)
    try:
        day = to_date(as_of) if as_of else register.clock.today()
    except HazardloopError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from exc
    colours = _colours(register, day)
    from hazardloop.plugins import load_hooks

    # the domains' extra ledger fields get their Chinese headers (场所类别 …)
    columns = DEFAULT_COLUMNS.with_domain_fields((f.name, f.label) for d in load_hooks().domains for f in d.ledger_fields)
    try:
        if template is not None:
            pairs = {}
            for item in mapping:
                if "=" not in item:
                    raise click.BadParameter(f"{item!r}: expected 'HEADER=FIELD'", param_hint="--map")
                k, v = item.split("=", 1)
                pairs[k.strip()] = v.strip()
            table = export_to_template(register, template, out, mapping=pairs, as_of=day, colours=colours, columns=columns)
        else:
            with _progress(len(register), "导出台账") as progress:
                table = export_ledger(register, out, as_of=day, colours=colours, columns=columns, progress=progress)
    except HazardloopError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已导出 {len(table.rows)} 条隐患到 {out} (统计日期 {day})")
    if table.cut_cells:
        where = ", ".join(f"第{r}行 {h}" for r, h in table.cut_cells[:5]) + (" …" if len(table.cut_cells) > 5 else "")
        click.echo(f"注意: {len(table.cut_cells)} 个单元格超过 Excel 单元格上限 32,767 字符, 已截断写出 ({where}); "
                   "重新导入时仍按前 16,384 字识别为同一隐患", err=True)
    from hazardloop.sqlstore import chain_head_of

    if (chain := chain_head_of(register)) is not None:  # issue 5: every export prints the chain head
        click.echo(f"台账哈希链头 head {chain[0]} ({chain[1]} events)")


_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_LEDGER_OPTIONS = ("--template", "--as-of", "--map")


class _ExportDispatch(click.Command):
    """``hazardloop export``: the ledger export when given a workbook, else the command it shadows.

    Issue 4 names ``hazardloop export OUT.xlsx``; the durable store (issue 5) also offers an
    ``export`` of its events as JSON lines. Rather than one silently replacing the other, this
    command hands ``export OUT.xlsx`` (or ``--template``/``--as-of``/``--map``) to the ledger
    export and any other arguments to the command that held the name before.
    """

    def __init__(self, ledger: click.Command, other: click.Command | None) -> None:
        super().__init__(
            "export",
            help=f"{ledger.help}\n\nWithout an .xlsx/.xlsm file: {other.help if other else ''}",
            params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
            context_settings={"ignore_unknown_options": True, "help_option_names": []},
            add_help_option=False,
        )
        self.ledger = ledger
        self.other = other

    def target(self, args: list[str]) -> click.Command:
        """The command these arguments are for."""
        if self.other is None or args == ["--help"]:
            return self.ledger  # the help a user asking `export --help` is after; it names the other
        for a in args:
            if a.lower().endswith(_EXCEL_SUFFIXES) or a.split("=", 1)[0] in _LEDGER_OPTIONS:
                return self.ledger
        return self.other

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any) -> click.Context:
        """Build the chosen command's context, so that the group invokes that command."""
        return self.target(list(args)).make_context(info_name, args, parent=parent, **extra)


def attach(group: click.Group) -> None:
    """Add ``import`` and ``export`` to the ``hazardloop`` group (see :class:`_ExportDispatch`)."""
    group.add_command(import_command, "import")
    other = group.commands.get("export")
    if other is not None and other is not export_command and not isinstance(other, _ExportDispatch):
        group.add_command(_ExportDispatch(export_command, other), "export")
    else:
        group.add_command(export_command, "export")
