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
