"""``hazardloop report``, ``map`` and ``demo`` through click's CliRunner, and the demo's plugins."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from hazardloop.cli import cli
from hazardloop.demo import (
    DEMO_AS_OF,
    demo_units,
    generate_register,
    grades_and_colours,
)
from hazardloop.plugins import load_hooks

SMALL = "250"  # hazards in the command-level demo runs: enough for every path of the loop, fast


def run(*args: str, ok: bool = True) -> Result:
    """Invoke the command; assert success (or failure when ``ok`` is False)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert (result.exit_code == 0) is ok, result.output
    return result


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A small demo, run once for the module: its directory and what it printed."""
    out = tmp_path_factory.mktemp("demo")
    result = run("demo", "--out", str(out), "--hazards", SMALL)
    return out, result.output


def test_demo_prints_and_writes_its_files(demo_dir: tuple[Path, str]) -> None:
    out, printed = demo_dir
    for name in ("台账.xlsx", "通报-2026-04.xlsx", "四色图.png", "demo.db"):
        assert (out / name).exists() and (out / name).stat().st_size > 0, name
    assert f"imported {SMALL} of {SMALL} ledger rows (0 rejected)" in printed
    assert "超期隐患 (overdue)" in printed and "通报 2026-04" in printed and "期末在办隐患" in printed
    for name in ("台账.xlsx", "通报-2026-04.xlsx", "四色图.png"):
        assert str(out / name) in printed
    book = openpyxl.load_workbook(out / "通报-2026-04.xlsx")
    assert any(ws._charts for ws in book.worksheets)  # the bulletin holds a native chart


def test_demo_prints_the_same_every_run(demo_dir: tuple[Path, str]) -> None:
    out, printed = demo_dir
    again = run("demo", "--out", str(out), "--hazards", SMALL).output
    assert again == printed


def test_demo_register_has_every_path_of_the_loop() -> None:
    register = generate_register(load_hooks(), hazards=1500)
    frame = register.frame(DEMO_AS_OF)
    assert len(frame) == 1500
    assert set(frame["domain"]) == {"hazchem", "mines", "gas", "fire"}
    assert frame["town"].nunique() == 10
    assert (frame["status"] == "超期").sum() > 0
    assert (frame["reopen_count"] > 0).sum() > 0 and (frame["extension_count"] > 0).sum() > 0
    assert (frame["stage"] == "撤销").sum() > 0
    assert frame["found_on"].min().date() >= DEMO_AS_OF.replace(year=2025, day=1)


def test_blocking_a_domain_plugin_changes_grades_and_colours() -> None:
    register = generate_register(load_hooks(), hazards=400)
    grades, colours = grades_and_colours(register, load_hooks())
    blocked_grades, blocked_colours = grades_and_colours(register, load_hooks(block=["mines"]))
    mines_units = {u.code for u in demo_units() if u.domains == ("mines",)}
    mines_hazards = {s.hazard_id for s in register.states_as_of(DEMO_AS_OF) if s.domain == "mines"}
    graded_mines = {h for h in mines_hazards if grades[h] is not None}
    assert graded_mines, "the mines plugin grades the tailings-dam hazards"
    assert all(blocked_grades[h] is None for h in graded_mines)
    assert all(colours[u] is not None for u in mines_units)
    assert all(blocked_colours[u] is None for u in mines_units)
    # the other domains are untouched
    others = set(colours) - mines_units
    assert {u: colours[u] for u in others} == {u: blocked_colours[u] for u in others}


def test_demo_with_a_blocked_plugin_prints_other_colours(tmp_path: Path, demo_dir: tuple[Path, str]) -> None:
    printed = run("demo", "--out", str(tmp_path), "--hazards", SMALL, "--block", "mines").output
    line = next(x for x in printed.splitlines() if x.startswith("定级"))
    full = next(x for x in demo_dir[1].splitlines() if x.startswith("定级"))
    assert line != full and "mines" not in printed.splitlines()[1]


# ---------------------------------------------------------------------------------------------
# report and map on the demo's database
# ---------------------------------------------------------------------------------------------


def _db(demo_dir: tuple[Path, str]) -> str:
    return f"sqlite:///{demo_dir[0] / 'demo.db'}"


def test_report_prints_the_summary_and_writes_the_workbook(demo_dir: tuple[Path, str], tmp_path: Path) -> None:
    out = tmp_path / "b.xlsx"
    printed = run("report", "--db", _db(demo_dir), "--month", "2026-03", "-o", str(out)).output
    assert "通报 2026-03" in printed and "期末在办隐患" in printed and str(out) in printed
    book = openpyxl.load_workbook(out)
    assert "四色图" in book.sheetnames
    data = json.loads(run("report", "--db", _db(demo_dir), "--month", "2026-03", "--json").output)
    assert data["month"] == "2026-03" and data["as_of"] == "2026-03-31"
    assert isinstance(data["summary"]["期末在办隐患"], int)


def test_report_bad_month(demo_dir: tuple[Path, str]) -> None:
    result = run("report", "--db", _db(demo_dir), "--month", "2026-13", ok=False)
    assert result.exit_code == 2 and "--month" in result.output


@pytest.mark.parametrize("suffix", [".png", ".xlsx"])
def test_map_writes_picture_and_sheet(demo_dir: tuple[Path, str], tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"map{suffix}"
    data = json.loads(run("map", "--db", _db(demo_dir), "-o", str(out), "--on", "2026-04-30", "--json").output)
    assert out.exists() and out.stat().st_size > 0
    assert data["on"] == "2026-04-30" and len(data["units"]) == 60 and len(data["towns"]) == 10
    red = {u["unit_code"] for u in data["units"] if u["colour"] == "红"}
    _, colours = grades_and_colours_from_db(demo_dir)
    assert red == {u for u, c in colours.items() if c == "红"}


def grades_and_colours_from_db(demo_dir: tuple[Path, str]) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """The plugins' view of the demo database, computed directly (the map must agree with it)."""
    from hazardloop.cli import open_register

    return grades_and_colours(open_register(_db(demo_dir)), load_hooks(), DEMO_AS_OF)


def test_map_geojson_with_geometries(demo_dir: tuple[Path, str], tmp_path: Path) -> None:
    from hazardloop.demo import TOWNS

    features = [{"type": "Feature", "properties": {"name": town},
                 "geometry": {"type": "Polygon", "coordinates": [[[i, 0], [i + 1, 0], [i + 1, 1], [i, 1], [i, 0]]]}}
                for i, town in enumerate(TOWNS)]
    shapes = tmp_path / "towns.geojson"
    shapes.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "map.geojson"
    run("map", "--db", _db(demo_dir), "-o", str(out), "--geometries", str(shapes), "--on", "2026-04-30")
    written = json.loads(out.read_text(encoding="utf-8"))
    towns = {f["properties"]["name"]: f["properties"]["colour"] for f in written["features"]
             if f["properties"].get("name") in TOWNS}
    data = json.loads(run("map", "--db", _db(demo_dir), "-o", str(tmp_path / "m.xlsx"), "--on", "2026-04-30", "--json").output)
    assert towns == {t["town"]: t["colour"] for t in data["towns"]}
    assert set(towns) == set(TOWNS) and all(c in ("红", "橙", "黄", "蓝") for c in towns.values())


def test_map_and_report_refuse_a_missing_database(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    for args in (("map", "-o", str(tmp_path / "m.png")), ("report", "--month", "2026-04")):
        result = run(*args, "--db", f"sqlite:///{missing}", ok=False)
        assert "no database" in result.output
    assert not missing.exists()


def test_map_bad_date(demo_dir: tuple[Path, str], tmp_path: Path) -> None:
    result = run("map", "--db", _db(demo_dir), "-o", str(tmp_path / "m.png"), "--on", "30/04/2026", ok=False)
    assert "not a date" in result.output


# ---------------------------------------------------------------------------------------------
# the whole command surface, the two exports, demo --json, bulk reads
# ---------------------------------------------------------------------------------------------

ISSUE_COMMANDS = {
    "list", "show", "add", "assign", "rectify", "submit", "inspect", "close", "reopen", "extend", "withdraw",
    "evidence", "report-dual", "determine", "regrade", "correct", "units", "report", "map", "plugins", "demo",
    "import", "export", "export-events", "verify",
}


def test_help_lists_every_command() -> None:
    from hazardloop.cli import cli as group

    assert ISSUE_COMMANDS <= set(group.commands)
    listed = {line.split()[0] for line in run("--help").output.split("Commands:")[1].splitlines() if line.strip()}
    assert ISSUE_COMMANDS <= listed


def test_ledger_export_and_event_export_are_both_reachable(demo_dir: tuple[Path, str], tmp_path: Path) -> None:
    from hazardloop.cli import open_register

    workbook = tmp_path / "ledger.xlsx"
    run("export", str(workbook), "--db", _db(demo_dir), "--as-of", "2026-04-30")
    sheet = openpyxl.load_workbook(workbook, read_only=True).worksheets[0]
    assert sheet.max_row > int(SMALL)  # a title/header block plus one row per hazard
    by_name = tmp_path / "events.jsonl"
    by_dispatch = tmp_path / "events2.jsonl"
    run("export-events", "--db", _db(demo_dir), "-o", str(by_name))
    run("export", "--db", _db(demo_dir), "-o", str(by_dispatch))
    lines = by_name.read_text(encoding="utf-8").splitlines()
    assert lines == by_dispatch.read_text(encoding="utf-8").splitlines()
    register = open_register(_db(demo_dir))
    assert len(lines) == sum(len(register.history(s.hazard_id)) for s in register)
    assert {json.loads(line)["event"]["hazard_id"] for line in lines} == {s.hazard_id for s in register}


def test_demo_json_agrees_with_list(tmp_path: Path) -> None:
    data = json.loads(run("demo", "--out", str(tmp_path), "--hazards", "120", "--json").output)
    db = data["files"]["database"]
    overdue = json.loads(run("list", "--db", db, "--overdue", "--as-of", "2026-04-30", "--json").output)
    assert data["overdue_count"] == overdue["count"]
    assert [h["hazard_id"] for h in data["overdue"]] == [h["hazard_id"] for h in overdue["hazards"]][: len(data["overdue"])]
    assert data["import"]["imported"] == 120 and data["summary"]["通报月份"] == "2026-04"
    for path in ("ledger", "bulletin", "map"):
        assert Path(data["files"][path]).exists()


class _NoBulk:
    """A store without its bulk replays: the register must then fold hazard by hazard."""

    def __init__(self, store: object) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        if name in ("states_as_of", "frame_as_of"):
            raise AttributeError(name)
        return getattr(self._store, name)


def test_reports_read_a_durable_store_in_bulk_as_hazard_by_hazard(demo_dir: tuple[Path, str]) -> None:
    import pandas as pd

    from hazardloop.cli import open_register
    from hazardloop.clock import FixedClock
    from hazardloop.register import Register
    from hazardloop.reports import build_bulletin, monthly_reconciliation
    from hazardloop.reports._common import histories

    bulk = open_register(_db(demo_dir), clock=FixedClock.on(DEMO_AS_OF))
    slow = Register(clock=bulk.clock, config=bulk.config, store=_NoBulk(bulk.store))  # type: ignore[arg-type]
    one_by_one = [(state.hazard_id, bulk.history(state.hazard_id)) for state in bulk]
    assert list(histories(bulk)) == one_by_one  # the one-pass read equals a query per hazard
    january = DEMO_AS_OF.replace(month=1, day=31)
    assert [h for h, _ in histories(bulk, until=january)] == [
        state.hazard_id for state in bulk if state.found_on <= january]
    pd.testing.assert_frame_equal(
        monthly_reconciliation(bulk, "2025-05", "2026-04", by="town", as_of=DEMO_AS_OF),
        monthly_reconciliation(slow, "2025-05", "2026-04", by="town", as_of=DEMO_AS_OF),
    )
    fast_b, slow_b = build_bulletin(bulk, "2026-03"), build_bulletin(slow, "2026-03")
    assert dict(fast_b.summary) == dict(slow_b.summary) | {k: v for k, v in fast_b.summary if k == "台账哈希链头"}
    pd.testing.assert_frame_equal(fast_b.new_major, slow_b.new_major)


def test_histories_of_an_in_memory_register_are_its_hazards_histories() -> None:
    from store_scenarios import scripted

    from hazardloop.reports._common import histories
    from hazardloop.testing import make_register

    register, clock = make_register("2026-01-05")
    scripted(register, clock)
    expected = [(state.hazard_id, register.history(state.hazard_id)) for state in register]
    assert len(expected) > 1 and list(histories(register)) == expected
