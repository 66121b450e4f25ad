"""``hazardloop config``: the configuration stored with a register (limit tables, escalation
tiers, the due-soon window, local calendar days, colour bands, free settings), so that every
user of a shared database computes the same deadlines and colours.

``config set FILE.json`` stores what the file holds, in one transaction, after checking all of it;
``config show`` prints what is in force on a day. The file is one JSON object; every key is
optional::

    {
      "limit_table": {"name": "本市期限表", "effective_from": "2027-01-01", "roll_over": true,
                      "rules": [{"level": "重大", "listing": "市级", "days": 45, "cap_days": null, "count": "自然日"}]},
      "tiers": [{"name": "超期1天", "offset_days": 1}],
      "due_soon_days": 5,
      "holidays": ["2027-05-06"], "workdays": ["2027-05-09"],
      "colour_bands": {"LEC": {"name": "本市 LEC 色带", "floor": "蓝", "bands": [[240, "红"], [120, "橙"], [50, "黄"]]}},
      "settings": {"index_weights": {"closure": 0.5, "on_time": 0.5}}
    }

A limit table applies from its own ``effective_from`` (chosen by each hazard's 交办 date); the
rest applies from ``--effective-from``.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

import click

from hazardloop.cli_loop import DB_OPTION
from hazardloop.errors import HazardloopError

__all__ = ["config_group", "parse_config_file", "attach"]

_KEYS = ("limit_table", "tiers", "due_soon_days", "holidays", "workdays", "colour_bands", "settings")


def parse_config_file(path: Path, effective_from: str) -> list[tuple[str, str, Any, str]]:
    """The ``(kind, name, value, effective_from)`` records a configuration file asks for.

    Every value is read through the library's own typed records first, so a bad value raises a
    :class:`click.ClickException` naming the file and the key before anything is stored.
    """
    from hazardloop.records import to_date
    from hazardloop.riskmethods import Band, Bands
    from hazardloop.serialize import limit_table_from_dict, limit_table_to_dict, tier_from_dict, tier_to_dict

    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path}: not a readable JSON file ({exc})") from exc
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: expected one JSON object with the keys {', '.join(_KEYS)}")
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise click.ClickException(f"{path}: unknown key {', '.join(unknown)} (known: {', '.join(_KEYS)})")
    out: list[tuple[str, str, Any, str]] = []
    calendar: dict[str, list[str]] = {}  # the local days off and worked days: one record for both
    key = ""
    try:
        day = to_date(effective_from).isoformat()
        for key in data:
            value = data[key]
            if key == "limit_table":
                table = limit_table_from_dict(value)
                out.append(("limit_table", "limit_table", limit_table_to_dict(table), table.effective_from.isoformat()))
            elif key == "tiers":
                out.append(("tiers", "tiers", [tier_to_dict(tier_from_dict(t)) for t in value], day))
            elif key == "due_soon_days":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"a whole number of days ≥ 0, not {value!r}")
                out.append(("due_soon_days", "due_soon_days", value, day))
            elif key in ("holidays", "workdays"):
                calendar[key] = sorted(to_date(d).isoformat() for d in value)
            elif key == "colour_bands":
                for method, spec in value.items():
                    bands = Bands(tuple(Band(lower, colour) for lower, colour in spec["bands"]),
                                  spec.get("floor", "蓝"), spec.get("name", ""))
                    out.append(("colour_bands", method, {"name": bands.name, "floor": bands.floor.value,
                                                         "bands": [[b.lower, b.colour.value] for b in bands.bands]}, day))
            elif key == "settings":
                for name, setting in value.items():
                    out.append(("setting", name, setting, day))
        if calendar:
            key = "holidays/workdays"
            out.append(("calendar_days", "local", {"holidays": calendar.get("holidays", []),
                                                   "workdays": calendar.get("workdays", [])}, day))
    except (HazardloopError, ValueError, TypeError, KeyError, AttributeError) as exc:
        where = f"{path}: {key}" if key else str(path)
        raise click.ClickException(f"{where}: {exc}") from exc
    return out


@click.group("config")
def config_group() -> None:
    """The configuration stored with the register (limit tables, tiers, calendar, colour bands, settings)."""


@config_group.command("set")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DB_OPTION
@click.option("--effective-from", default=None, metavar="DATE",
              help="The day the tiers, due-soon window, calendar days, bands and settings apply from (default: today).")
def set_command(file: Path, db: str | None, effective_from: str | None) -> None:
    """Store the configuration FILE.json holds: all of it, or nothing if any part is wrong."""
    from hazardloop.cli import resolve_db
    from hazardloop.sqlstore import open_store

    records = parse_config_file(file, effective_from or _dt.date.today().isoformat())
    with open_store(resolve_db(db)) as store:
        store.put_configs(records)
    click.echo(f"已保存 {len(records)} 项配置 ({', '.join(sorted({k for k, *_ in records}))})")


@config_group.command("show")
@DB_OPTION
@click.option("--as-of", default=None, metavar="DATE", help="What is in force on this day (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def show_command(db: str | None, as_of: str | None, as_json: bool) -> None:
    """Print the configuration in force."""
    from hazardloop.cli import resolve_db
    from hazardloop.sqlstore import open_store

    with open_store(resolve_db(db)) as store:
        data = {
            "limit_tables": [v for _, _, v in store.config_versions("limit_table")],
            "tiers": store.config_as_of("tiers", "tiers", as_of),
            "due_soon_days": store.config_as_of("due_soon_days", "due_soon_days", as_of),
            "calendar_days": store.config_as_of("calendar_days", "local", as_of),
            "colour_bands": {m: store.config_as_of("colour_bands", m, as_of)
                             for m in sorted({n for _, n, _ in store.config_versions("colour_bands")})},
            "settings": {n: store.setting(n, as_of) for n in sorted({n for _, n, _ in store.config_versions("setting")})},
        }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, sort_keys=True))
        return
    for name, value in data.items():
        click.echo(f"{name}: {json.dumps(value, ensure_ascii=False)}")


def attach(group: click.Group) -> None:
    """Add ``config`` to the ``hazardloop`` group."""
    group.add_command(config_group, "config")
