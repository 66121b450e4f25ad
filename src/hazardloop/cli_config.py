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
from typing import TYPE_CHECKING

import click

from hazardloop.cli_loop import DB_OPTION
from hazardloop.errors import HazardloopError

if TYPE_CHECKING:  # the store (and SQLAlchemy) load when a command runs, not with the command line
    from hazardloop.sqlstore import ConfigRecord

__all__ = ["config_group", "parse_config_file", "attach"]

_KEYS = ("limit_table", "tiers", "due_soon_days", "holidays", "workdays", "colour_bands", "settings")


def parse_config_file(path: Path, effective_from: str) -> list[ConfigRecord]:
    """The configuration records a file asks for (see :mod:`hazardloop.sqlstore`'s ``*_record``).

    Every value is read through the library's own typed records first, so a bad value raises a
    :class:`click.ClickException` naming the file and the key before anything is stored.
    """
    from hazardloop.records import to_date
    from hazardloop.serialize import limit_table_from_dict, tier_from_dict
    from hazardloop.sqlstore import (
        bands_from_value,
        calendar_days_record,
        colour_bands_record,
        due_soon_record,
        limit_table_record,
        setting_record,
        tiers_record,
    )

    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path}: not a readable JSON file ({exc})") from exc
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: expected one JSON object with the keys {', '.join(_KEYS)}")
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise click.ClickException(f"{path}: unknown key {', '.join(unknown)} (known: {', '.join(_KEYS)})")
    out: list[ConfigRecord] = []
    key = ""
    try:
        day = to_date(effective_from).isoformat()
        for key in data:
            value = data[key]
            if key == "limit_table":
                out.append(limit_table_record(limit_table_from_dict(value)))
            elif key == "tiers":
                out.append(tiers_record([tier_from_dict(t) for t in value], day))
            elif key == "due_soon_days":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"a whole number of days ≥ 0, not {value!r}")
                out.append(due_soon_record(value, day))
            elif key == "colour_bands":
                out.extend(colour_bands_record(method, bands_from_value(spec), day) for method, spec in value.items())
            elif key == "settings":
                out.extend(setting_record(name, setting, day) for name, setting in value.items())
        if "holidays" in data or "workdays" in data:  # the local days off and worked days: one record
            key = "holidays/workdays"
            out.append(calendar_days_record(data.get("holidays", ()), data.get("workdays", ()), day))
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
