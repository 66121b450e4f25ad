"""Drawing the four-colour map (四色图) with matplotlib, without pyplot and without global state.

Without town shapes the picture is a tile chart: one tile per town, its header band in the
town's colour, and one small square per unit in the unit's colour. With a GeoJSON file of town
shapes it is a real map: each town's polygons filled with its colour, and its units as small
squares — at their ``lon``/``lat`` attributes when the unit register has them, else in a small
grid at the middle of the town.

Every patch the data colours carries a ``gid``: ``town:<name>`` for a town, ``unit:<code>`` for a
unit (legend patches have ``legend:<label>``), so a test or a host can check the colours.
Labels are drawn in a CJK font when one is found (:mod:`hazardloop.reports.fonts`); otherwise
they fall back to ASCII — unit codes, ``T1``, ``T2``… for towns (the key is in
:attr:`MapPicture.labels`) — and the picture says so in :attr:`MapPicture.warnings`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from hazardloop.reports.fonts import FontChoice, find_cjk_font
from hazardloop.reports.fourcolour import (
    COLOUR_HEX,
    COLOUR_NAMES,
    UNASSESSED,
    FourColourMap,
    ascii_colour,
    load_geometries,
    town_name_of,
)

__all__ = ["MapPicture", "draw_map", "save_map_png"]


@attrs.frozen(eq=False)
class MapPicture:
    """A drawn map: the matplotlib Figure, the font used, the label shown for each town, warnings."""

    figure: Any
    font: FontChoice
    labels: Mapping[str, str]
    warnings: tuple[str, ...]

    @property
    def fallback(self) -> bool:
        """True when no CJK font was found and the labels are ASCII."""
        return not self.font.cjk


_COUNT_ASCII = {"红": "R", "橙": "O", "黄": "Y", "蓝": "B", UNASSESSED: "NA"}


def _is_ascii(text: str) -> bool:
    return all(ord(ch) < 128 for ch in text)


def _town_labels(towns: Sequence[str], cjk: bool) -> dict[str, str]:
    if cjk:
        return {t: t for t in towns}
    return {t: (t if _is_ascii(t) else f"T{i}") for i, t in enumerate(towns, start=1)}


def _unit_label(code: str, cjk: bool) -> str:
    return code if cjk or _is_ascii(code) else "?"


def _text_kwargs(font: FontChoice) -> dict[str, Any]:
    if font.path is None:
        return {}
    from matplotlib.font_manager import FontProperties

    return {"fontproperties": FontProperties(fname=font.path)}


def _legend(ax: Any, font: FontChoice, present: Sequence[str]) -> None:
    from matplotlib.patches import Patch

    shown = [label for label in COLOUR_NAMES if label in present]
    handles = [
        Patch(facecolor=COLOUR_HEX[label], edgecolor="black", label=label if font.cjk else ascii_colour(label))
        for label in shown
    ]
    kw = _text_kwargs(font)
    legend = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                       prop=kw.get("fontproperties"))
    # the legend draws copies of the handles: mark those, so they are never taken for map patches
    for patch, label in zip(legend.get_patches(), shown):
        patch.set_gid(f"legend:{label}")


def _tiles(ax: Any, fcmap: FourColourMap, labels: Mapping[str, str], font: FontChoice) -> None:
    from matplotlib.patches import Rectangle

    kw = _text_kwargs(font)
    towns = list(fcmap.towns["town"])
    cols = max(1, math.ceil(math.sqrt(len(towns))))
    by_town = {t: part for t, part in fcmap.units.groupby("town", sort=True)}
    tile_w, tile_h = 1.0, 1.0
    for i, town in enumerate(towns):
        row = fcmap.towns.iloc[i]
        x0, y0 = (i % cols) * (tile_w + 0.15), -(i // cols) * (tile_h + 0.15)
        ax.add_patch(Rectangle((x0, y0), tile_w, tile_h, facecolor="#F7F7F7", edgecolor="#404040", lw=1.0,
                               gid=f"townbody:{town}"))
        band = 0.2
        ax.add_patch(Rectangle((x0, y0 + tile_h - band), tile_w, band, facecolor=COLOUR_HEX[row["colour"]],
                               edgecolor="#404040", lw=1.0, gid=f"town:{town}"))
        ax.text(x0 + tile_w / 2, y0 + tile_h - band / 2, labels[town], ha="center", va="center",
                fontsize=9, color="white" if row["colour"] in ("红", "蓝") else "black", **kw)
        units = by_town.get(town)
        if units is None:
            continue
        n = len(units)
        per_row = max(1, math.ceil(math.sqrt(n)))
        cell = min(0.3, (tile_w - 0.1) / per_row, (tile_h - band - 0.1) / math.ceil(n / per_row))
        size = cell * 0.8
        for j, (code, colour) in enumerate(zip(units["unit_code"], units["colour"])):
            ux = x0 + 0.05 + (j % per_row) * cell + (cell - size) / 2
            uy = y0 + tile_h - band - 0.05 - (j // per_row + 1) * cell + (cell - size) / 2
            ax.add_patch(Rectangle((ux, uy), size, size, facecolor=COLOUR_HEX[colour], edgecolor="black",
                                   lw=0.5, gid=f"unit:{code}"))
            if n <= 36:
                ax.text(ux + size / 2, uy + size / 2, _unit_label(code, font.cjk), ha="center", va="center",
                        fontsize=max(4, min(8, 40 / per_row)),
                        color="white" if colour in ("红", "蓝") else "black", **kw)
        counts = "  ".join(
            f"{label if font.cjk else _COUNT_ASCII[label]}{int(row[label])}" for label in COLOUR_NAMES if row[label]
        )
        ax.text(x0 + tile_w / 2, y0 + 0.04, counts, ha="center", va="bottom", fontsize=7, **kw)
    rows = math.ceil(len(towns) / cols) if towns else 1
    ax.set_xlim(-0.1, cols * (tile_w + 0.15))
    ax.set_ylim(-(rows - 1) * (tile_h + 0.15) - 0.1, tile_h + 0.1)


def _rings(geometry: Mapping[str, Any]) -> list[list[list[tuple[float, float]]]]:
    """The polygons of a Polygon or MultiPolygon geometry, each a list of rings."""
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "Polygon":
        polys = [coords]
    elif kind == "MultiPolygon":
        polys = coords
    else:
        return []
    return [[[(float(p[0]), float(p[1])) for p in ring] for ring in poly] for poly in polys]


def _geo(
    ax: Any,
    fcmap: FourColourMap,
    geometries: Mapping[str, Any],
    labels: Mapping[str, str],
    font: FontChoice,
    name_property: str | None,
    unit_points: Mapping[str, tuple[float, float]],
) -> list[str]:
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MPath

    kw = _text_kwargs(font)
    towns = fcmap.towns.set_index("town")
    drawn: set[str] = set()
    centres: dict[str, tuple[float, float]] = {}
    xs: list[float] = []
    ys: list[float] = []
    for feature in geometries["features"]:
        name = town_name_of(feature, name_property)
        polys = _rings(feature.get("geometry") or {})
        if not polys:
            continue
        paths = [MPath(ring, closed=True) for poly in polys for ring in poly if len(ring) >= 3]
        path = MPath.make_compound_path(*paths)
        if name is not None and name in towns.index:
            colour = towns.loc[name, "colour"]
            patch = PathPatch(path, facecolor=COLOUR_HEX[colour], edgecolor="#404040", lw=0.8, gid=f"town:{name}")
            drawn.add(name)
        else:
            patch = PathPatch(path, facecolor="white", edgecolor="#A0A0A0", lw=0.5, gid=f"town-empty:{name}")
        ax.add_patch(patch)
        biggest = max(polys, key=lambda poly: len(poly[0]))[0]
        bx = [p[0] for p in biggest]
        by = [p[1] for p in biggest]
        centres.setdefault(name or "", ((min(bx) + max(bx)) / 2, (min(by) + max(by)) / 2))
        for poly in polys:
            xs.extend(p[0] for p in poly[0])
            ys.extend(p[1] for p in poly[0])
    if not xs:
        return sorted(towns.index)
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    size = span / 60
    for town, part in fcmap.units.groupby("town", sort=True):
        cx, cy = centres.get(town, (None, None))
        placed = 0
        per_row = max(1, math.ceil(math.sqrt(len(part))))
        for code, colour, lon, lat in zip(part["unit_code"], part["colour"], part["lon"], part["lat"]):
            if code in unit_points:
                ux, uy = unit_points[code]
            elif lon == lon and lat == lat:  # the unit register gives its position
                ux, uy = float(lon), float(lat)
            elif cx is not None and cy is not None:
                ux = cx + ((placed % per_row) - per_row / 2) * size * 1.3
                uy = cy - size * 1.5 - (placed // per_row) * size * 1.3
                placed += 1
            else:
                continue
            ax.add_patch(Rectangle((ux - size / 2, uy - size / 2), size, size, facecolor=COLOUR_HEX[colour],
                                   edgecolor="black", lw=0.4, gid=f"unit:{code}"))
        if cx is not None and town in drawn:
            ax.text(cx, cy, labels.get(town, town), ha="center", va="bottom", fontsize=8, **kw)
    pad = span * 0.03
    ax.set_xlim(min(xs) - pad, max(xs) + pad)
    ax.set_ylim(min(ys) - pad, max(ys) + pad)
    return sorted(set(towns.index) - drawn)


def draw_map(
    fcmap: FourColourMap,
    *,
    geometries: str | Path | Mapping[str, Any] | None = None,
    font: str | Path | FontChoice | None = None,
    name_property: str | None = None,
    unit_points: Mapping[str, tuple[float, float]] | None = None,
    title: str | None = None,
) -> MapPicture:
    """Draw the map on a new :class:`matplotlib.figure.Figure` (Agg canvas; pyplot untouched).

    ``font`` names a font (a file path or a family), or is a :class:`FontChoice` already
    resolved by :func:`~hazardloop.reports.fonts.find_cjk_font` (to draw many maps without
    searching the fonts each time); ``unit_points`` gives units' (lon, lat) on a real map,
    over the ``lon``/``lat`` attributes of the unit register. Returns the figure with the font
    used, the town labels and any warnings.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    choice = font if isinstance(font, FontChoice) else find_cjk_font(font)
    warnings: list[str] = []
    if not choice.cjk:
        warnings.append(choice.note)
    elif font is not None and "given" not in choice.note:
        warnings.append(choice.note)
    towns = list(fcmap.towns["town"])
    labels = _town_labels(towns, choice.cjk)
    fig = Figure(figsize=(11, 7.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.04, 0.8, 0.88))
    ax.set_aspect("equal")
    ax.set_axis_off()
    kw = _text_kwargs(choice)
    if geometries is not None:
        missing = _geo(ax, fcmap, load_geometries(geometries), labels, choice, name_property, unit_points or {})
        if missing:
            warnings.append(f"no geometry for town(s): {', '.join(missing)}")
    else:
        _tiles(ax, fcmap, labels, choice)
    present = sorted(set(fcmap.units["colour"]) | set(fcmap.towns["colour"]), key=COLOUR_NAMES.index)
    _legend(ax, choice, present or [UNASSESSED])
    heading = title or ("四色图" if choice.cjk else "Four-colour risk map")
    fig.text(0.02, 0.96, heading, fontsize=14, **kw)
    if not choice.cjk and any(labels[t] != t for t in towns):
        key = "; ".join(f"{labels[t]}={t}" for t in towns if labels[t] != t)
        warnings.append(f"town labels shown as codes: {key}")
    for code in fcmap.unknown_codes:
        warnings.append(f"colour given for a unit not in the unit register: {code}")
    return MapPicture(fig, choice, labels, tuple(warnings))


def save_map_png(
    fcmap: FourColourMap,
    path: str | Path,
    *,
    geometries: str | Path | Mapping[str, Any] | None = None,
    font: str | Path | FontChoice | None = None,
    name_property: str | None = None,
    unit_points: Mapping[str, tuple[float, float]] | None = None,
    title: str | None = None,
    dpi: int = 150,
) -> MapPicture:
    """Draw the map and save it as a PNG; return the picture (check its ``warnings``)."""
    picture = draw_map(fcmap, geometries=geometries, font=font, name_property=name_property,
                       unit_points=unit_points, title=title)
    picture.figure.savefig(str(path), format="png", dpi=dpi)
    return picture
