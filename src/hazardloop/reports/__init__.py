"""Reports over a register (issue 6): what an office shows its superiors every month.

- :mod:`~hazardloop.reports.reconciliation` — 逐月对账 and 动态清零, as frames.
- :mod:`~hazardloop.reports.control_index` — 管控力指数 and 亮晒排名 (weights are configuration).
- :mod:`~hazardloop.reports.bulletin` — the monthly 通报 workbook with native charts.
- :mod:`~hazardloop.reports.two_ledgers` — 两本账: what the authorities found that the
  enterprise's self-check ledger never recorded.
- :mod:`~hazardloop.reports.statistics` — quarterly and annual 统计分析表 (16号令 第十四条).
- :mod:`~hazardloop.reports.digest` — the reminder digest for a date, as a workbook and as JSON.
- :mod:`~hazardloop.reports.fourcolour` — the four-colour map (四色图): PNG, sheet, GeoJSON.

Every function reads the register through its public API and returns pandas frames or small
frozen records; the writers take a path. Plotting imports matplotlib only when called.
"""

from __future__ import annotations

from hazardloop.reports._common import Period, ReportError, months_between, parse_month, parse_period
from hazardloop.reports.bulletin import Bulletin, build_bulletin, write_bulletin
from hazardloop.reports.control_index import ControlIndexConfig, control_index, control_index_from_frame
from hazardloop.reports.digest import Digest, DigestCategory, digest_dict, digest_json, reminder_digest, write_digest
from hazardloop.reports.fonts import FontChoice, find_cjk_font
from hazardloop.reports.fourcolour import (
    FourColourMap,
    MapOutput,
    UnassessedPolicy,
    colours_and_reasons,
    four_colour_map,
    load_geometries,
    map_geojson,
    write_map,
    write_map_sheet,
    write_map_workbook,
)
from hazardloop.reports.mapplot import MapPicture, draw_map, save_map_png
from hazardloop.reports.reconciliation import VoidPolicy, dynamic_zeroing, monthly_reconciliation
from hazardloop.reports.statistics import statistics_table, write_statistics
from hazardloop.reports.two_ledgers import LedgerComparison, MatchConfig, compare_ledgers

__all__ = [
    "Bulletin",
    "ControlIndexConfig",
    "Digest",
    "DigestCategory",
    "FontChoice",
    "FourColourMap",
    "LedgerComparison",
    "MapOutput",
    "MapPicture",
    "MatchConfig",
    "Period",
    "ReportError",
    "UnassessedPolicy",
    "VoidPolicy",
    "build_bulletin",
    "colours_and_reasons",
    "compare_ledgers",
    "control_index",
    "control_index_from_frame",
    "digest_dict",
    "digest_json",
    "draw_map",
    "dynamic_zeroing",
    "find_cjk_font",
    "four_colour_map",
    "load_geometries",
    "map_geojson",
    "monthly_reconciliation",
    "months_between",
    "parse_month",
    "parse_period",
    "reminder_digest",
    "save_map_png",
    "statistics_table",
    "write_bulletin",
    "write_digest",
    "write_map",
    "write_map_sheet",
    "write_map_workbook",
    "write_statistics",
]
