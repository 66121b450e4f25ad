"""The report commands of ``hazardloop``: ``report`` (通报), ``map`` (四色图) and ``demo``."""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from hazardloop.cli_loop import DB_OPTION, friendly, open_existing, parse_day
from hazardloop.errors import HazardloopError

__all__ = ["attach", "colour_map_for"]

OVERDUE_TOP = 15  #: how many overdue hazards ``demo`` prints


def colour_map_for(register: Any, hooks: Any, day: _dt.date) -> Any:
    """The four-colour map of ``register`` on ``day``: the plugins' dynamic unit colours."""
    from hazardloop.plugins import unit_colours
    from hazardloop.reports import colours_and_reasons, four_colour_map

    colours, reasons = colours_and_reasons(unit_colours(register, hooks, on=day))
    return four_colour_map(register.units(), colours, reasons)


@contextlib.contextmanager
def _bar(total: int, what: str) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr when it is a terminal (silent otherwise, e.g. under tests)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task(what, total=total)
        yield lambda done: bar.update(task, completed=done)


@click.command("report")
@DB_OPTION
@click.option("--month", required=True, metavar="YYYY-MM", help="The month of the bulletin (通报).")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the bulletin workbook (.xlsx) here.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@friendly
def report_command(db: str | None, month: str, out: Path | None, as_json: bool) -> None:
    """The month's 通报: print its summary and optionally write the workbook (with the four-colour sheet)."""
    from hazardloop.reports import build_bulletin, parse_month, write_bulletin

    try:
        period = parse_month(month)
    except (ValueError, HazardloopError) as exc:  # the library's message names the bad value
        raise click.BadParameter(str(exc), param_hint="--month") from None
    register = open_existing(db)
    bulletin = build_bulletin(register, month)
    if out is not None:
        write_bulletin(bulletin, out, colour_map=colour_map_for(register, register.hooks, period.last))
    if as_json:
        click.echo(json.dumps({"month": bulletin.month, "as_of": bulletin.as_of.isoformat(),
                               "summary": dict(bulletin.summary), "workbook": None if out is None else str(out)},
                              ensure_ascii=False, indent=2, default=str))
        return
    click.echo(f"通报 {bulletin.month} (as of {bulletin.as_of})")
    click.echo(bulletin.summary_text())
    if out is not None:
        click.echo(f"bulletin workbook: {out}")


@click.command("map")
@DB_OPTION
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("四色图.png"), show_default=True,
              help="Output: .png (picture), .xlsx (coloured sheet) or .geojson (needs --geometries).")
@click.option("--geometries", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="GeoJSON of town shapes (a real map instead of tiles).")
@click.option("--font", default=None, help="A CJK font (family name or file) for the labels.")
@click.option("--on", default=None, metavar="DATE", help="Colours as of this date (default: today).")
@click.option("--block", multiple=True, help="A plugin name not to load, repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print each town's and unit's colour as JSON.")
@friendly
def map_command(db: str | None, out: Path, geometries: Path | None, font: str | None, on: str | None,
                block: tuple[str, ...], as_json: bool) -> None:
    """The four-colour map (四色图) from the plugins' dynamic unit colours."""
    from hazardloop.reports import write_map

    day = parse_day(on, "--on")
    register = open_existing(db, block=block)
    day = day or register.clock.today()
    fcmap = colour_map_for(register, register.hooks, day)
    result = write_map(fcmap, out, geometries=geometries, font=font)
    if as_json:  # the warnings travel inside the JSON
        click.echo(json.dumps({"on": day.isoformat(), "path": str(result.path), "kind": result.kind,
                               "warnings": list(result.warnings), "units": _colours_of(fcmap, "units"),
                               "towns": _colours_of(fcmap, "towns")}, ensure_ascii=False, indent=2, default=str))
        return
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"四色图 ({day}): {result.path}")


def _colours_of(fcmap: Any, which: str) -> Any:
    """A JSON-ready view of the map's units or towns (whatever shape the library gives)."""
    value = getattr(fcmap, which, None)
    if value is None:
        return None
    if hasattr(value, "to_dict"):
        return value.to_dict("records")
    return value


@click.command("demo")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("hazardloop-demo"),
              show_default=True, help="Directory for the demo's files.")
@click.option("--db", default=None, help="Database URL (default: a fresh SQLite file in the output directory).")
@click.option("--hazards", type=click.IntRange(1, 100_000), default=3000, show_default=True, help="How many hazards.")
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--block", multiple=True, help="A plugin name not to load, repeatable (e.g. --block mines).")
@click.option("--top", type=int, default=OVERDUE_TOP, show_default=True, help="How many overdue hazards to print.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (import counts, overdue list, colours, bulletin summary, files).")
@friendly
def demo_command(out: Path, db: str | None, hazards: int, seed: int, block: tuple[str, ...], top: int,
                 as_json: bool) -> None:
    """Generate a county's ledger, import it, and print and write its reports (reproducible)."""
    from hazardloop import __version__
    from hazardloop.deadlines import Status
    from hazardloop.demo import DEMO_AS_OF, DEMO_MONTH, build_demo, grades_and_colours
    from hazardloop.reports import build_bulletin, write_bulletin, write_map

    say = (lambda *a, **k: None) if as_json else click.echo  # with --json, one JSON object at the end
    say(f"hazardloop {__version__} demo · {hazards} hazards · seed {seed} · as of {DEMO_AS_OF}")
    with _bar(hazards, "导入台账") as progress:
        result = build_demo(out, db=db, hazards=hazards, seed=seed, block=block, progress=progress)
    register, hooks = result.register, result.hooks
    s = result.import_summary
    units = register.units()
    say(f"plugins: {', '.join(f'{p.name} {p.version}' for p in hooks.plugins())}")
    say(f"imported {s['imported']} of {s['data_rows']} ledger rows ({s['rejected']} rejected) "
        f"into {result.db}, {len(units)} units in {len({u.town for u in units})} towns")

    frame = register.frame(DEMO_AS_OF)
    overdue = frame[frame["status"] == Status.OVERDUE.value].sort_values(["days_overdue", "hazard_id"],
                                                                         ascending=[False, True])
    say(f"\n超期隐患 (overdue) as of {DEMO_AS_OF}: {len(overdue)}; top {min(top, len(overdue))}:")
    for r in overdue.head(top).itertuples():
        say(f"  {r.hazard_id}  {r.town:4} {r.unit_code:6} {r.level:2} 期限 {r.effective_deadline.date()} "
            f"超期{int(r.days_overdue):>3}天  {r.description}")

    grades, colours = grades_and_colours(register, hooks, DEMO_AS_OF)
    graded = sum(1 for g in grades.values() if g is not None)
    tally: dict[str, int] = {}
    for c in colours.values():
        tally[c or "未评估"] = tally.get(c or "未评估", 0) + 1
    say(f"\n定级: the plugins graded {graded} of {len(grades)} hazards; "
        f"四色 units: {', '.join(f'{k} {v}' for k, v in sorted(tally.items()))}")

    bulletin = build_bulletin(register, DEMO_MONTH)
    say(f"\n通报 {bulletin.month} (as of {bulletin.as_of})")
    say(bulletin.summary_text())

    fcmap = colour_map_for(register, hooks, DEMO_AS_OF)
    bulletin_path = write_bulletin(bulletin, out / f"通报-{DEMO_MONTH}.xlsx", colour_map=fcmap)
    picture = write_map(fcmap, out / "四色图.png")
    for warning in picture.warnings:
        say(f"warning: {warning}")
    files = {"ledger": str(result.ledger), "bulletin": str(bulletin_path), "map": str(picture.path), "database": result.db}
    say("\nfiles:")
    say(f"  ledger (台账):       {files['ledger']}")
    say(f"  bulletin (通报):     {files['bulletin']}")
    say(f"  map (四色图):        {files['map']}")
    say(f"  database:            {files['database']}")
    if as_json:
        rows = overdue.head(top)
        click.echo(json.dumps({
            "as_of": DEMO_AS_OF.isoformat(), "hazards": hazards, "seed": seed,
            "plugins": [p.name for p in hooks.plugins()], "import": dict(s),
            "overdue_count": len(overdue),
            "overdue": [{"hazard_id": r.hazard_id, "town": r.town, "unit_code": r.unit_code, "level": r.level,
                         "effective_deadline": r.effective_deadline.date().isoformat(),
                         "days_overdue": int(r.days_overdue), "description": r.description} for r in rows.itertuples()],
            "graded": graded, "unit_colours": colours, "month": bulletin.month,
            "summary": dict(bulletin.summary), "warnings": list(picture.warnings), "files": files,
        }, ensure_ascii=False, indent=2, default=str))


COMMANDS = (report_command, map_command, demo_command)


def attach(group: click.Group) -> None:
    """Add the report commands to the ``hazardloop`` group."""
    for command in COMMANDS:
        group.add_command(command)
