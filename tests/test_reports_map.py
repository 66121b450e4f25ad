"""四色图: the colours, the picture's patches, the fallback without a CJK font, sheet and GeoJSON."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import openpyxl
import pytest
from hypothesis import given, settings, strategies as st
from matplotlib.colors import to_rgba
from matplotlib.patches import Patch

from hazardloop.records import Colour
from hazardloop.reports import mapplot
from hazardloop.reports._common import ReportError
from hazardloop.reports.fonts import FontChoice, find_cjk_font, font_covers
from hazardloop.reports.fourcolour import (
    COLOUR_HEX,
    UNASSESSED,
    UnassessedPolicy,
    colours_and_reasons,
    four_colour_map,
    map_geojson,
    write_map,
)
from hazardloop.testing import make_unit

UNITS = (
    make_unit("A1", "城关镇"),
    make_unit("A2", "城关镇"),
    make_unit("A3", "城关镇"),
    make_unit("B1", "东山乡"),
    make_unit("B2", "东山乡"),
    make_unit("C1", "西河镇"),
    make_unit("D1", "北岭街道"),
)
COLOURS = {"A1": Colour.YELLOW, "A2": Colour.RED, "A3": "蓝", "B1": "BLUE", "B2": Colour.ORANGE, "C1": "黄"}

GEOMETRIES = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"name": "城关镇"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}},
        {"type": "Feature", "properties": {"name": "东山乡"},
         "geometry": {"type": "MultiPolygon", "coordinates": [[[[2, 0], [4, 0], [4, 2], [2, 2], [2, 0]]],
                                                               [[[4.5, 0], [5, 0], [5, 1], [4.5, 0]]]]}},
        {"type": "Feature", "properties": {"name": "西河镇"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 2], [4, 2], [4, 4], [0, 4], [0, 2]]]}},
        {"type": "Feature", "properties": {"name": "南湖新区"},  # a shape with no unit
         "geometry": {"type": "Polygon", "coordinates": [[[4, 2], [5, 2], [5, 4], [4, 4], [4, 2]]]}},
    ],
}
NO_FONT = FontChoice(None, None, False, "no CJK font (test)")


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend the system has no CJK font, as on a bare CI machine."""
    monkeypatch.setattr(mapplot, "find_cjk_font", lambda preferred=None: NO_FONT)


def _patch_colours(figure, prefix: str) -> dict[str, tuple[float, ...]]:
    """The face colour of every patch whose gid starts with ``prefix`` (legend excluded)."""
    out = {}
    for artist in figure.findobj(Patch):
        gid = artist.get_gid()
        if gid and gid.startswith(prefix):
            key = gid[len(prefix):]
            assert key not in out, f"two patches for {gid}"
            out[key] = tuple(artist.get_facecolor())
    return out


def test_towns_take_the_worst_colour_with_counts():
    fcmap = four_colour_map(UNITS, COLOURS, {"A2": "重大危险源一级"})
    towns = fcmap.towns.set_index("town")
    assert towns.loc["城关镇", "colour"] == "红"
    assert (towns.loc["城关镇", "红"], towns.loc["城关镇", "黄"], towns.loc["城关镇", "蓝"]) == (1, 1, 1)
    assert towns.loc["东山乡", "colour"] == "橙"
    assert towns.loc["西河镇", "colour"] == "黄"
    # a town whose only unit nobody graded is not assessed, and not blue
    assert towns.loc["北岭街道", "colour"] == UNASSESSED and towns.loc["北岭街道", UNASSESSED] == 1
    units = fcmap.units.set_index("unit_code")
    assert units.loc["A2", "reason"] == "重大危险源一级" and units.loc["A2", "risk_name"] == "重大风险"
    assert not units.loc["D1", "assessed"]
    blue = four_colour_map(UNITS, COLOURS, unassessed=UnassessedPolicy.BLUE)
    assert blue.towns.set_index("town").loc["北岭街道", "colour"] == "蓝"
    assert not blue.units.set_index("unit_code").loc["D1", "assessed"]


def test_unknown_codes_and_bad_colours():
    fcmap = four_colour_map(UNITS, {**COLOURS, "ZZ": "红"})
    assert fcmap.unknown_codes == ("ZZ",)
    with pytest.raises(ReportError):
        four_colour_map(UNITS, {"A1": "紫"})


@settings(max_examples=15, deadline=None)
@given(st.dictionaries(st.sampled_from([u.code for u in UNITS]), st.sampled_from(list(Colour))))
def test_tile_picture_patches_carry_the_data_colours(colours):
    fcmap = four_colour_map(UNITS, colours)
    picture = mapplot.draw_map(fcmap, font=NO_FONT)
    units = _patch_colours(picture.figure, "unit:")
    towns = _patch_colours(picture.figure, "town:")
    expected_units = {code: to_rgba(COLOUR_HEX[c]) for code, c in zip(fcmap.units["unit_code"], fcmap.units["colour"])}
    expected_towns = {t: to_rgba(COLOUR_HEX[c]) for t, c in zip(fcmap.towns["town"], fcmap.towns["colour"])}
    assert units == expected_units
    assert towns == expected_towns
    # the worst colour, checked from the input rather than from the frame
    for town in expected_towns:
        given_here = [Colour(colours[u.code]) for u in UNITS if u.town == town and u.code in colours]
        want = max(given_here, key=lambda c: c.rank).value if given_here else UNASSESSED
        assert towns[town] == to_rgba(COLOUR_HEX[want])


def test_png_is_written_and_legend_is_apart(tmp_path: Path):
    fcmap = four_colour_map(UNITS, COLOURS)
    out = tmp_path / "map.png"
    result = write_map(fcmap, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.kind == "png"
    picture = mapplot.draw_map(fcmap)
    legend = _patch_colours(picture.figure, "legend:")
    assert set(legend) == {"红", "橙", "黄", "蓝", UNASSESSED}
    assert picture.figure.canvas.__class__.__name__ == "FigureCanvasAgg"


def test_without_a_cjk_font_labels_fall_back_to_ascii(no_cjk_font, tmp_path: Path):
    fcmap = four_colour_map(UNITS, COLOURS)
    picture = mapplot.save_map_png(fcmap, tmp_path / "map.png")
    assert picture.fallback
    assert any("no CJK font" in w for w in picture.warnings)
    assert any("T1=" in w for w in picture.warnings)  # the key from label to town is given
    texts = [t.get_text() for t in picture.figure.findobj(matplotlib.text.Text)]
    assert texts and all(ch.isascii() for text in texts for ch in text)
    assert set(picture.labels) == set(fcmap.towns["town"])
    # the colours do not depend on the font
    assert _patch_colours(picture.figure, "town:")["城关镇"] == to_rgba(COLOUR_HEX["红"])
    assert (tmp_path / "map.png").stat().st_size > 1000


def test_a_named_font_is_used_when_it_draws_chinese(tmp_path: Path):
    from matplotlib import font_manager

    dejavu = font_manager.findfont("DejaVu Sans")
    assert not font_covers(dejavu)  # matplotlib's own font has no Chinese glyphs
    choice = find_cjk_font(dejavu)
    assert "not found or cannot draw Chinese" in choice.note
    if choice.cjk:  # a CJK font exists here: naming it by path uses it
        again = find_cjk_font(choice.path)
        assert again.cjk and again.path == choice.path and "given" in again.note
        picture = mapplot.draw_map(four_colour_map(UNITS, COLOURS), font=choice.path)
        assert not picture.fallback and picture.labels["城关镇"] == "城关镇"
    else:
        assert choice.path is None


def test_real_map_from_geometries(no_cjk_font, tmp_path: Path):
    fcmap = four_colour_map(UNITS, COLOURS)
    picture = mapplot.save_map_png(fcmap, tmp_path / "geo.png", geometries=GEOMETRIES,
                                   unit_points={"C1": (1.0, 3.0)})
    towns = _patch_colours(picture.figure, "town:")
    assert towns == {
        "城关镇": to_rgba(COLOUR_HEX["红"]),
        "东山乡": to_rgba(COLOUR_HEX["橙"]),
        "西河镇": to_rgba(COLOUR_HEX["黄"]),
    }
    units = _patch_colours(picture.figure, "unit:")
    # 北岭街道 has no shape, so its unit is not drawn; the others are, in their colours
    assert set(units) == {"A1", "A2", "A3", "B1", "B2", "C1"}
    assert units["A2"] == to_rgba(COLOUR_HEX["红"]) and units["B1"] == to_rgba(COLOUR_HEX["蓝"])
    assert any("北岭街道" in w for w in picture.warnings)
    empty = [a for a in picture.figure.findobj(Patch) if (a.get_gid() or "").startswith("town-empty:")]
    assert len(empty) == 1


def test_geojson_and_sheet(tmp_path: Path):
    fcmap = four_colour_map(UNITS, COLOURS)
    data = map_geojson(fcmap, GEOMETRIES)
    props = {f["properties"]["name"]: f["properties"] for f in data["features"]}
    assert props["城关镇"]["colour"] == "红" and props["城关镇"]["colour_hex"] == COLOUR_HEX["红"]
    assert (props["城关镇"]["红"], props["城关镇"]["黄"], props["城关镇"]["蓝"], props["城关镇"]["units"]) == (1, 1, 1, 3)
    assert props["南湖新区"]["colour"] is None
    assert "colour" not in GEOMETRIES["features"][0]["properties"]  # the input is not changed
    out = write_map(fcmap, tmp_path / "map.geojson", geometries=GEOMETRIES)
    assert json.loads(out.path.read_text(encoding="utf-8")) == data
    assert any("北岭街道" in w for w in out.warnings)
    with pytest.raises(ReportError):
        write_map(fcmap, tmp_path / "map.geojson")
    with pytest.raises(ReportError):
        write_map(fcmap, tmp_path / "map.pdf")
    sheet = write_map(fcmap, tmp_path / "map.xlsx")
    ws = openpyxl.load_workbook(sheet.path)["四色图"]
    fills: dict[str, set[str]] = {}
    colour_col = None
    seen = []
    for row in ws.iter_rows():
        titles = [c.value for c in row]
        if "颜色" in titles:  # a table starts: its colour column
            colour_col = titles.index("颜色")
            continue
        if colour_col is None or colour_col >= len(row) or row[colour_col].value is None:
            colour_col = None
            continue
        cell = row[colour_col]
        seen.append(cell.value)
        fills.setdefault(cell.value, set()).add(str(cell.fill.fgColor.rgb)[-6:])
    for label, colours in fills.items():
        assert colours == {COLOUR_HEX[label][1:].upper()}
    # every town row, then every unit row, in the data's order
    assert seen == list(fcmap.towns["colour"]) + list(fcmap.units["colour"])


def test_units_with_positions(no_cjk_font):
    units = (*UNITS, make_unit("P1", "城关镇", lon=1.5, lat=0.5))
    fcmap = four_colour_map(units, {**COLOURS, "P1": "红"})
    data = map_geojson(fcmap, GEOMETRIES)
    points = [f for f in data["features"] if f["geometry"]["type"] == "Point"]
    assert [(p["properties"]["unit_code"], p["properties"]["colour"], p["geometry"]["coordinates"]) for p in points] == [
        ("P1", "红", [1.5, 0.5])]
    picture = mapplot.draw_map(fcmap, geometries=GEOMETRIES)
    p1 = [a for a in picture.figure.findobj(Patch) if a.get_gid() == "unit:P1"]
    assert len(p1) == 1 and p1[0].get_facecolor() == to_rgba(COLOUR_HEX["红"])
    x, y = p1[0].get_xy()
    assert abs(x + p1[0].get_width() / 2 - 1.5) < 1e-9 and abs(y + p1[0].get_height() / 2 - 0.5) < 1e-9


def test_colours_from_the_dynamic_risk_rules():
    from hazardloop.riskmethods import dynamic_colour

    graded = [
        dynamic_colour("A1", [], open_major=["H1"], overdue_major=["H1"]),  # not assessed, but overdue major
        dynamic_colour("B1", []),  # not assessed at all
    ]
    colours, reasons = colours_and_reasons(graded)
    assert colours == {"A1": Colour.RED} and "B1" not in colours
    assert "H1" in reasons["A1"] and reasons["B1"] == "未评估"
    fcmap = four_colour_map(UNITS, colours, reasons)
    units = fcmap.units.set_index("unit_code")
    assert units.loc["A1", "colour"] == "红" and units.loc["B1", "colour"] == UNASSESSED
