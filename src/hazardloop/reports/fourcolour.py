"""The four-colour map (四色图): every unit and every town coloured 红/橙/黄/蓝.

The unit colours come in as an argument (a mapping unit code → :class:`~hazardloop.records.Colour`,
with optional reasons), so that any grading — the domain plugins' risk methods, a dynamic rule,
a colour typed in by an office — can feed the map. A town takes the worst colour of its units
and carries the count of each colour.

A unit given no colour is **未评估 (not assessed)** by default, drawn grey, and does not colour
its town (a town with no assessed unit is itself 未评估). Showing it as 蓝 would tell a reader a
unit is low-risk when nobody has graded it; :class:`UnassessedPolicy` ``BLUE`` does so anyway for
an office whose rule is that an ungraded unit is low-risk (the unit is still flagged
``assessed=False``).

Outputs: :func:`write_map_sheet` (a coloured sheet), :func:`map_geojson` (the user's town
geometries with colour properties), :func:`write_map` (by the output's suffix: ``.png``,
``.xlsx``, ``.geojson``/``.json``); the picture itself is drawn by :mod:`hazardloop.reports.mapplot`.
"""

from __future__ import annotations

import copy
import enum
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pandas as pd

from hazardloop.records import Colour, Unit
from hazardloop.reports._common import ReportError
from hazardloop.reports._excel import formats, write_frame

__all__ = [
    "UNASSESSED",
    "COLOUR_HEX",
    "COLOUR_NAMES",
    "UnassessedPolicy",
    "FourColourMap",
    "MapOutput",
    "four_colour_map",
    "colours_and_reasons",
    "load_geometries",
    "town_name_of",
    "map_geojson",
    "write_map_sheet",
    "write_map_workbook",
    "write_map",
]

UNASSESSED = "未评估"
"""The label of a unit (or town) nobody has graded."""

COLOUR_HEX: Mapping[str, str] = {
    Colour.RED.value: "#FF0000",
    Colour.ORANGE.value: "#FF9900",
    Colour.YELLOW.value: "#FFFF00",
    Colour.BLUE.value: "#0070C0",
    UNASSESSED: "#BFBFBF",
}
"""The fill of each colour label (the usual 四色图 red, orange, yellow and blue; grey for 未评估)."""

COLOUR_NAMES: tuple[str, ...] = (*(c.value for c in sorted(Colour, key=lambda c: -c.rank)), UNASSESSED)
"""The labels from worst to 未评估: 红, 橙, 黄, 蓝, 未评估."""

_ASCII = {Colour.RED.value: "red", Colour.ORANGE.value: "orange", Colour.YELLOW.value: "yellow",
          Colour.BLUE.value: "blue", UNASSESSED: "n/a"}


class UnassessedPolicy(str, enum.Enum):
    """How a unit with no colour given is shown."""

    SHOW = UNASSESSED  #: grey, 未评估; it does not colour its town (the default)
    BLUE = Colour.BLUE.value  #: as 蓝 (low risk), still flagged as not assessed


@attrs.frozen(eq=False)
class FourColourMap:
    """The colours of the map.

    ``units``: ``unit_code``, ``unit_name``, ``town``, ``colour`` (红/橙/黄/蓝/未评估),
    ``risk_name``, ``assessed``, ``reason``, and ``lon``/``lat`` (NaN unless the unit register
    gives the unit those attributes). ``towns``: ``town``, ``colour``, one count column per
    label of :data:`COLOUR_NAMES` and ``units``. ``unknown_codes``: codes given a colour that
    are not in the unit register (left off the map).
    """

    units: pd.DataFrame
    towns: pd.DataFrame
    policy: UnassessedPolicy
    unknown_codes: tuple[str, ...] = ()


def _colour(value: Colour | str) -> Colour:
    if isinstance(value, Colour):
        return value
    try:
        return Colour(value)
    except ValueError:
        if isinstance(value, str) and value.upper() in Colour.__members__:
            return Colour[value.upper()]
        raise ReportError(f"{value!r} is not a colour (红/橙/黄/蓝)") from None


def _coordinate(unit: Unit, name: str) -> float:
    value = unit.attribute(name)
    try:
        return float(value) if value is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


def four_colour_map(
    units: Iterable[Unit],
    colours: Mapping[str, Colour | str],
    reasons: Mapping[str, str] | None = None,
    *,
    unassessed: UnassessedPolicy = UnassessedPolicy.SHOW,
) -> FourColourMap:
    """Colour every unit from ``colours`` and every town as the worst of its assessed units."""
    reasons = reasons or {}
    unit_list = sorted(units, key=lambda u: (u.town, u.code))
    known = {u.code for u in unit_list}
    rows = []
    for u in unit_list:
        given = colours.get(u.code)
        if given is not None:
            c = _colour(given)
            rows.append((u.code, u.name, u.town, c.value, c.risk_name, True, reasons.get(u.code, "")))
        elif unassessed is UnassessedPolicy.BLUE:
            rows.append((u.code, u.name, u.town, Colour.BLUE.value, Colour.BLUE.risk_name, False,
                         reasons.get(u.code, "未评估, 按低风险显示")))
        else:
            rows.append((u.code, u.name, u.town, UNASSESSED, UNASSESSED, False, reasons.get(u.code, "")))
    unit_frame = pd.DataFrame(
        rows, columns=["unit_code", "unit_name", "town", "colour", "risk_name", "assessed", "reason"]
    )
    unit_frame["lon"] = [_coordinate(u, "lon") for u in unit_list]
    unit_frame["lat"] = [_coordinate(u, "lat") for u in unit_list]
    unit_frame["assessed"] = unit_frame["assessed"].astype(bool)
    town_rows = []
    for town, part in unit_frame.groupby("town", sort=True):
        counts = {name: int((part["colour"] == name).sum()) for name in COLOUR_NAMES}
        graded = [Colour(c) for c in part["colour"] if c != UNASSESSED]
        worst = max(graded, key=lambda c: c.rank).value if graded else UNASSESSED
        town_rows.append({"town": town, "colour": worst, **counts, "units": len(part)})
    town_frame = pd.DataFrame(town_rows, columns=["town", "colour", *COLOUR_NAMES, "units"])
    unknown = tuple(sorted(set(colours) - known))
    return FourColourMap(unit_frame, town_frame, unassessed, unknown)


def colours_and_reasons(graded: Iterable[Any]) -> tuple[dict[str, Colour], dict[str, str]]:
    """Split graded units into the two arguments of :func:`four_colour_map`.

    ``graded`` holds records with ``unit_code``, ``colour`` (a Colour or None: not assessed)
    and ``reasons`` — such as the plugins' :class:`~hazardloop.riskmethods.DynamicColour`.
    """
    colours: dict[str, Colour] = {}
    reasons: dict[str, str] = {}
    for item in graded:
        why = "; ".join(getattr(item, "reasons", ()) or ())
        if why:
            reasons[item.unit_code] = why
        if item.colour is not None:
            colours[item.unit_code] = _colour(item.colour)
    return colours, reasons


# ---------------------------------------------------------------------------------------------
# GeoJSON
# ---------------------------------------------------------------------------------------------

_NAME_KEYS = ("town", "name", "乡镇", "乡镇街道", "NAME", "Name")


def load_geometries(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of town shapes, from a file or an already-parsed mapping."""
    if isinstance(source, Mapping):
        data = dict(source)
    else:
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ReportError(f"{source}: not a readable GeoJSON file: {exc}") from exc
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ReportError("town geometries must be a GeoJSON FeatureCollection")
    return data


def town_name_of(feature: Mapping[str, Any], name_property: str | None = None) -> str | None:
    """The town a feature stands for: its ``name_property``, else the first of town/name/乡镇…."""
    props = feature.get("properties") or {}
    keys = (name_property,) if name_property else _NAME_KEYS
    for key in keys:
        value = props.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def map_geojson(
    fcmap: FourColourMap, geometries: str | Path | Mapping[str, Any], *, name_property: str | None = None
) -> dict[str, Any]:
    """The town geometries with colour properties added to each feature.

    Added: ``colour`` (红/橙/黄/蓝/未评估, or None for a shape with no unit), ``colour_hex``,
    ``risk_name``, one count per label of :data:`COLOUR_NAMES` and ``units``. Units with a
    position (``lon``/``lat`` attributes in the unit register) are added as Point features with
    ``unit_code``, ``unit_name``, ``town``, ``colour`` and ``colour_hex``.
    """
    data = copy.deepcopy(load_geometries(geometries))
    towns = fcmap.towns.set_index("town")
    for feature in data["features"]:
        props = dict(feature.get("properties") or {})
        name = town_name_of(feature, name_property)
        if name is not None and name in towns.index:
            row = towns.loc[name]
            colour = str(row["colour"])
            props.update(
                town=name,
                colour=colour,
                colour_hex=COLOUR_HEX[colour],
                risk_name=Colour(colour).risk_name if colour != UNASSESSED else UNASSESSED,
                **{k: int(row[k]) for k in (*COLOUR_NAMES, "units")},
            )
        else:
            props.update(colour=None, colour_hex=None, risk_name=None, units=0)
        feature["properties"] = props
    for rec in fcmap.units.dropna(subset=["lon", "lat"]).to_dict("records"):
        data["features"].append(
            {
                "type": "Feature",
                "properties": {
                    "unit_code": rec["unit_code"],
                    "unit_name": rec["unit_name"],
                    "town": rec["town"],
                    "colour": rec["colour"],
                    "colour_hex": COLOUR_HEX[rec["colour"]],
                },
                "geometry": {"type": "Point", "coordinates": [float(rec["lon"]), float(rec["lat"])]},
            }
        )
    return data


# ---------------------------------------------------------------------------------------------
# the coloured sheet
# ---------------------------------------------------------------------------------------------

_TITLES = {"town": "乡镇(街道)", "colour": "颜色", "units": "单位数", "unit_code": "单位代码",
           "unit_name": "单位名称", "risk_name": "风险等级", "assessed": "已评估", "reason": "依据",
           "lon": "经度", "lat": "纬度"}


def write_map_sheet(fcmap: FourColourMap, workbook: Any, name: str = "四色图") -> Any:
    """Add the map as a sheet to an open xlsxwriter workbook: towns, then units, each row's
    colour cell filled with its colour. Returns the worksheet."""
    fmt = formats(workbook)
    fills = {k: workbook.add_format({"bg_color": v, "border": 1, "align": "center",
                                     "font_color": "#FFFFFF" if k in ("红", "蓝") else "#000000"})
             for k, v in COLOUR_HEX.items()}
    ws = workbook.add_worksheet(name)
    ws.write(0, 0, "乡镇四色图 (乡镇取其单位最高风险等级)", fmt.title)
    towns = fcmap.towns
    nxt = write_frame(ws, towns, fmt, first_row=2, headers=_TITLES)
    col = list(towns.columns).index("colour")
    for i, colour in enumerate(towns["colour"], start=3):
        ws.write(i, col, colour, fills[colour])
    start = nxt + 2
    ws.write(start - 1, 0, "单位四色图", fmt.title)
    units = fcmap.units
    if units["lon"].isna().all() and units["lat"].isna().all():
        units = units.drop(columns=["lon", "lat"])
    write_frame(ws, units, fmt, first_row=start, headers=_TITLES)
    col = list(units.columns).index("colour")
    for i, colour in enumerate(units["colour"], start=start + 1):
        ws.write(i, col, colour, fills[colour])
    return ws


def write_map_workbook(fcmap: FourColourMap, path: str | Path) -> Path:
    """Write the coloured sheet as its own workbook."""
    import xlsxwriter

    out = Path(path)
    wb = xlsxwriter.Workbook(str(out))
    try:
        write_map_sheet(fcmap, wb)
    finally:
        wb.close()
    return out


@attrs.frozen
class MapOutput:
    """What :func:`write_map` wrote, and anything the user should be told (e.g. no CJK font)."""

    path: Path
    kind: str
    warnings: tuple[str, ...] = ()


def write_map(
    fcmap: FourColourMap,
    path: str | Path,
    *,
    geometries: str | Path | Mapping[str, Any] | None = None,
    font: Any = None,
    name_property: str | None = None,
    title: str | None = None,
) -> MapOutput:
    """Write the map by the output's suffix: ``.png`` (picture), ``.xlsx`` (coloured sheet),
    ``.geojson`` / ``.json`` (needs ``geometries``). ``font``: a path, a family name or a
    :class:`~hazardloop.reports.fonts.FontChoice`. Returns the path and any warnings."""
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix == ".png":
        from hazardloop.reports.mapplot import save_map_png

        picture = save_map_png(fcmap, out, geometries=geometries, font=font, name_property=name_property,
                               title=title)
        return MapOutput(out, "png", picture.warnings)
    warnings = tuple(f"colour given for a unit not in the unit register: {c}" for c in fcmap.unknown_codes)
    if suffix == ".xlsx":
        write_map_workbook(fcmap, out)
        return MapOutput(out, "xlsx", warnings)
    if suffix in (".geojson", ".json"):
        if geometries is None:
            raise ReportError("a GeoJSON map needs the town geometries (a GeoJSON file of town shapes)")
        data = map_geojson(fcmap, geometries, name_property=name_property)
        out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        missing = sorted(set(fcmap.towns["town"]) - {town_name_of(f, name_property) for f in data["features"]})
        if missing:
            warnings += (f"no geometry for town(s): {', '.join(missing)}",)
        return MapOutput(out, "geojson", warnings)
    raise ReportError(f"cannot write a map as {suffix or 'a file without suffix'} (use .png, .xlsx or .geojson)")


def ascii_colour(label: str) -> str:
    """An ASCII name of a colour label, for pictures drawn without a CJK font."""
    return _ASCII.get(label, label)
