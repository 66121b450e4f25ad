"""The loop commands of ``hazardloop``: list, show, add, the transition verbs, units and plugins.

Actors are written ``ID:NAME[:ORG]`` (``--by a-01:钱交办:县应急管理局``); dates ``YYYY-MM-DD``
(``--on`` defaults to today on the system clock). Every library error becomes one clear line
and a non-zero exit. Commands that read or change existing hazards refuse a SQLite database
file that does not exist, rather than silently creating an empty one.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from hazardloop.errors import HazardloopError
from hazardloop.records import (
    Actor,
    Evidence,
    Level,
    ListingLevel,
    ReportRecipient,
    Source,
    Stage,
)

__all__ = ["DB_OPTION", "attach", "file_evidence", "friendly", "open_existing", "parse_actor", "parse_day"]

F = TypeVar("F", bound=Callable[..., Any])

ACTOR_HELP = "Actor as ID:NAME[:ORG], e.g. a-01:钱交办:县应急管理局."


# ---------------------------------------------------------------------------------------------
# edges: parsing, opening, errors
# ---------------------------------------------------------------------------------------------


def parse_day(value: str | None, what: str = "date") -> _dt.date | None:
    """A ``YYYY-MM-DD`` date, or None; a bad one is a usage error naming ``what``."""
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=what) from None


def parse_actor(value: str, what: str = "--by") -> Actor:
    """An actor from ``ID:NAME[:ORG]``."""
    parts = [p.strip() for p in value.split(":", 2)]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise click.BadParameter(f"{value!r}: write an actor as ID:NAME[:ORG]", param_hint=what)
    return Actor(parts[0], parts[1], parts[2] if len(parts) > 2 else "")


def _sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL, or None for memory databases and other engines."""
    if not url.startswith("sqlite:"):
        return None
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    rest = rest.split("?", 1)[0]
    if not rest or rest == ":memory:":
        return None
    return Path(rest)


def open_existing(db: str | None, *, create: bool = False, block: tuple[str, ...] = ()) -> Any:
    """Open the register at ``db`` on the system clock (see :func:`hazardloop.cli.open_register`),
    with the installed plugins as its hooks (less those in ``block``): they validate every step a
    verb takes and adjust the deadline policy, as they do for a host.

    ``open_store`` creates a missing SQLite file; a read, or a verb on a hazard that must
    already exist, must not, so unless ``create`` a missing file is an error.
    """
    from hazardloop import cli
    from hazardloop.plugins import load_hooks

    url = cli.resolve_db(db)
    path = _sqlite_path(url)
    if not create and path is not None and not path.exists():
        raise click.ClickException(f"no database at {path} (give --db URL or set HAZARDLOOP_DB; "
                                   "`hazardloop add`, `import` or `demo` create one)")
    try:
        hooks = load_hooks(block=block)
        register = cli.open_register(url, hooks=hooks)
        register.config = hooks.deadline_config(register.config)
        return register
    except HazardloopError as exc:
        raise click.ClickException(str(exc)) from exc


def friendly(func: F) -> F:
    """Turn library errors (unknown hazard, illegal transition, bad value) into one-line exits."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HazardloopError as exc:
            raise click.ClickException(str(exc)) from exc
        except (ValueError, TypeError) as exc:  # attrs validators on records raise these
            raise click.ClickException(f"invalid value: {exc}") from exc

    return wrapper  # type: ignore[return-value]


def file_evidence(path: Path, caption: str = "", phase: str = "整改后") -> Evidence:
    """Evidence for a local file: its URI and the sha256 of its bytes, computed here at the edge."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return Evidence(path.resolve().as_uri(), digest.hexdigest(), caption or path.name, phase)


def _today(register: Any, on: str | None) -> _dt.date:
    day = parse_day(on, "--on")
    return day if day is not None else register.clock.today()


def _json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _state_dict(state: Any) -> dict[str, Any]:
    from hazardloop.serialize import state_to_dict

    return state_to_dict(state)


def _echo_state(state: Any, as_json: bool, verb: str) -> None:
    if as_json:
        _json(_state_dict(state))
        return
    deadline = f", 期限 {state.effective_deadline}" if state.effective_deadline else ""
    click.echo(f"{state.hazard_id} {verb}: 阶段 {state.stage.value}, 等级 {state.level.value}{deadline}")


def _console() -> Any:
    from rich.console import Console

    return Console(width=160)


DB_OPTION = click.option(
    "--db", "db", default=None, help="Register database URL (default: HAZARDLOOP_DB or sqlite:///hazardloop.db)."
)
"""The ``--db`` option of every command that opens the register (one definition for all of them)."""
_on = click.option("--on", default=None, metavar="DATE", help="The date the step happened (default: today).")
_by = click.option("--by", "by", required=True, metavar="ID:NAME[:ORG]", help=ACTOR_HELP)
_js = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------

_LIST_COLUMNS = ("hazard_id", "unit_code", "town", "domain", "level", "stage", "effective_deadline", "status",
                 "days_overdue", "description")


@click.command("list")
@DB_OPTION
@click.option("--overdue", is_flag=True, help="Only overdue hazards (超期).")
@click.option("--due-soon", is_flag=True, help="Only hazards due soon or today (临期/今日到期).")
@click.option("--stage", default=None, type=click.Choice([s.value for s in Stage]),
              help="Only this stage.")
@click.option("--town", default=None, help="Only this town (乡镇).")
@click.option("--domain", default=None, help="Only this domain (hazchem, mines, gas, fire…).")
@click.option("--as-of", "as_of", default=None, metavar="DATE", help="The ledger as of this date (default: today).")
@click.option("--limit", type=int, default=None, help="Show at most this many rows.")
@_js
@friendly
def list_command(db: str | None, overdue: bool, due_soon: bool, stage: str | None, town: str | None,
                 domain: str | None, as_of: str | None, limit: int | None, as_json: bool) -> None:
    """List the hazards (隐患台账) as of a date, with their derived status."""
    from hazardloop.deadlines import Status

    day = parse_day(as_of, "--as-of")
    register = open_existing(db)
    day = day or register.clock.today()
    frame = register.frame(day)
    if overdue:
        frame = frame[frame["status"] == Status.OVERDUE.value]
    if due_soon:
        frame = frame[frame["status"].isin([Status.DUE_SOON.value, Status.DUE_TODAY.value])]
    if stage:
        frame = frame[frame["stage"] == stage]
    if town:
        frame = frame[frame["town"] == town]
    if domain:
        frame = frame[frame["domain"] == domain]
    if overdue:
        frame = frame.sort_values(["days_overdue", "hazard_id"], ascending=[False, True])
    if limit is not None:
        frame = frame.head(limit)
    rows = [{c: _plain(r[c]) for c in _LIST_COLUMNS} for r in frame.to_dict("records")]
    if as_json:
        _json({"as_of": day.isoformat(), "count": len(rows), "hazards": rows})
        return
    _table(rows, f"隐患台账 as of {day} ({len(rows)})")


def _plain(value: Any) -> Any:
    """A frame cell as a JSON-ready value (dates as ISO strings, NaN/NaT as None)."""
    import pandas as pd

    if value is None or (not isinstance(value, (str, list, tuple, dict)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _table(rows: list[dict[str, Any]], title: str) -> None:
    from rich.table import Table

    table = Table(title=title)
    for c in _LIST_COLUMNS:
        table.add_column(c, overflow="fold")
    for r in rows:
        style = "red" if r["status"] == "超期" else None
        table.add_row(*("" if r[c] is None else str(r[c]) for c in _LIST_COLUMNS), style=style)
    _console().print(table)


@click.command("show")
@click.argument("hazard_id")
@DB_OPTION
@click.option("--as-of", "as_of", default=None, metavar="DATE", help="Status as of this date (default: today).")
@_js
@friendly
def show_command(hazard_id: str, db: str | None, as_of: str | None, as_json: bool) -> None:
    """Show one hazard: its state, status and full history (every event)."""
    from hazardloop.serialize import event_to_dict

    day = parse_day(as_of, "--as-of")
    register = open_existing(db)
    state = register.get(hazard_id)
    events = register.history(hazard_id)
    day = day or register.clock.today()
    status = register.status(hazard_id, day) if day >= state.found_on else None
    if as_json:
        _json({"state": _state_dict(state), "status": None if status is None else status.status.value,
               "history": [event_to_dict(e) for e in events]})
        return
    click.echo(f"{state.hazard_id}  {state.unit_code} {state.town} {state.domain}  {state.level.value}  "
               f"阶段 {state.stage.value}  期限 {state.effective_deadline or '—'}  "
               f"状态 {status.status.value if status else '—'} ({day})")
    click.echo(f"  {state.description}")
    from rich.table import Table

    table = Table(title="history (履历)")
    for c in ("#", "date", "step", "by", "details"):
        table.add_column(c, overflow="fold")
    for e in events:
        payload = event_to_dict(e).get("payload", {})
        details = ", ".join(f"{k}={_brief(v)}" for k, v in payload.items() if v not in (None, "", [], {}))
        table.add_row(str(e.seq), e.occurred_on.isoformat(), e.kind.value, str(e.actor), details[:200])
    _console().print(table)


def _brief(value: Any) -> str:
    """A payload value for the history table: an actor as name(organisation)."""
    if isinstance(value, dict) and "name" in value:
        org = value.get("organisation")
        return f"{value['name']}({org})" if org else str(value["name"])
    return str(value)


# ---------------------------------------------------------------------------------------------
# writing: add and the verbs
# ---------------------------------------------------------------------------------------------


@click.command("add")
@DB_OPTION
@click.option("--unit", "unit_code", required=True, help="Unit code (must be in the unit register: `units add`).")
@click.option("--domain", required=True, help="Domain (hazchem, mines, gas, fire…).")
@click.option("--description", "-d", required=True, help="What the hazard is (隐患描述).")
@click.option("--level", type=click.Choice([lv.value for lv in Level]), default=Level.GENERAL.value, show_default=True)
@click.option("--source", type=click.Choice([s.value for s in Source]), default=Source.OTHER.value, show_default=True)
@click.option("--town", default=None, help="Town (default: the unit's town).")
@click.option("--location", default="", help="Where in the unit.")
@click.option("--code", "hazard_code", default=None, help="The office's own hazard code.")
@click.option("--criterion", "criteria", multiple=True, help="Criterion code (判定依据), repeatable.")
@_on
@_by
@_js
@friendly
def add_command(db: str | None, unit_code: str, domain: str, description: str, level: str, source: str,
                town: str | None, location: str, hazard_code: str | None, criteria: tuple[str, ...],
                on: str | None, by: str, as_json: bool) -> None:
    """Report a hazard (发现). Creates the database if there is none."""
    actor = parse_actor(by)
    register = open_existing(db, create=True)
    state = register.discover(unit_code=unit_code, domain=domain, description=description, on=_today(register, on),
                              source=source, level=level, actor=actor, town=town, location=location,
                              hazard_code=hazard_code, criteria=criteria)
    _echo_state(state, as_json, "发现")


def _verb(name: str) -> Callable[[Callable[..., None]], click.Command]:
    """Common decorators of a transition verb on one hazard (its help is the function's docstring)."""

    def deco(func: Callable[..., None]) -> click.Command:
        wrapped: Any = func
        for d in reversed((click.command(name), click.argument("hazard_id"), DB_OPTION, _on, _js)):
            wrapped = d(wrapped)
        assert isinstance(wrapped, click.Command)
        return wrapped

    return deco


@_verb("assign")
@_by
@click.option("--to", "to", required=True, metavar="ID:NAME[:ORG]", help="Responsible person (责任人). " + ACTOR_HELP)
@click.option("--department", required=True, help="Supervising department (监管部门).")
@click.option("--listing", type=click.Choice([x.value for x in ListingLevel]), default=ListingLevel.NONE.value, show_default=True)
@click.option("--deadline", default=None, metavar="DATE", help="The assigner's deadline where the table leaves it to them.")
@click.option("--responsible-unit", default=None, help="Responsible unit (default: the hazard's unit).")
@friendly
def assign_command(hazard_id: str, db: str | None, on: str | None, as_json: bool, by: str, to: str, department: str,
                   listing: str, deadline: str | None, responsible_unit: str | None) -> None:
    """交办: assign a hazard to a responsible person, with its deadline (from the limit table or --deadline)."""
    actor, person = parse_actor(by), parse_actor(to, "--to")
    due = parse_day(deadline, "--deadline")
    register = open_existing(db)
    state = register.assign(hazard_id, on=_today(register, on), actor=actor, responsible_person=person,
                            supervising_department=department, listing_level=listing, deadline=due,
                            responsible_unit=responsible_unit)
    _echo_state(state, as_json, "交办")


@_verb("rectify")
@_by
@click.option("--measures", required=True, help="Rectification measures (整改措施).")
@click.option("--plan", default=None, help="Treatment plan (治理方案), for major hazards.")
@click.option("--funds", type=float, default=None, help="Funds (万元).")
@friendly
def rectify_command(hazard_id: str, db: str | None, on: str | None, as_json: bool, by: str, measures: str,
                    plan: str | None, funds: float | None) -> None:
    """整改: start rectification with the measures taken."""
    actor = parse_actor(by)
    register = open_existing(db)
    state = register.start_rectification(hazard_id, on=_today(register, on), actor=actor, measures=measures,
                                         plan=plan, funds=funds)
    _echo_state(state, as_json, "整改")


_evidence_opt = click.option("--evidence", "evidence", multiple=True,
                             type=click.Path(exists=True, dir_okay=False, path_type=Path),
                             help="A file to attach (its sha256 is recorded), repeatable.")


@_verb("submit")
@_by
@click.option("--report", default="", help="Rectification report text.")
@_evidence_opt
@friendly
def submit_command(hazard_id: str, db: str | None, on: str | None, as_json: bool, by: str, report: str,
                   evidence: tuple[Path, ...]) -> None:
    """提交验收: submit the rectification for inspection, with evidence files."""
    actor = parse_actor(by)
    files = [file_evidence(p) for p in evidence]
    register = open_existing(db)
    state = register.submit(hazard_id, on=_today(register, on), actor=actor, report=report, evidence=files)
    _echo_state(state, as_json, "提交")


@_verb("inspect")
@_by
@click.option("--pass/--fail", "passed", required=True, help="Whether the rectification passed.")
@click.option("--comments", default="", help="Inspection comments.")
@click.option("--close", "close", is_flag=True, help="With --pass: strike the hazard off (销号) the same day.")
@_evidence_opt
@friendly
def inspect_command(hazard_id: str, db: str | None, on: str | None, as_json: bool, by: str, passed: bool,
                    comments: str, close: bool, evidence: tuple[Path, ...]) -> None:
    """督查: record the inspection, passed (--pass) or failed (--fail)."""
    actor = parse_actor(by)
    if close and not passed:
        raise click.UsageError("--close needs --pass")
    register = open_existing(db)
    day = _today(register, on)
    if close:
        state = register.pass_and_strike_off(hazard_id, on=day, inspector=actor, comments=comments)
    else:
        state = register.inspect(hazard_id, on=day, inspector=actor, passed=passed, comments=comments,
                                 evidence=[file_evidence(p) for p in evidence])
    _echo_state(state, as_json, "督查" + ("通过" if passed else "不通过"))


@_verb("close")
@_by
@click.option("--note", default="", help="Closing note.")
@friendly
def close_command(hazard_id: str, db: str | None, on: str | None, as_json: bool, by: str, note: str) -> None:
    """销号: strike off a hazard that passed inspection."""
    actor = parse_actor(by)
    register = open_existing(db)
    _echo_state(register.strike_off(hazard_id, on=_today(register, on), actor=actor, note=note), as_json, "销号")


@_verb("reopen")
@_by
@click.option("--reason", required=True)
@click.option("--deadline", required=True, metavar="DATE")
@friendly
def reopen_command(hazard_id: str, db: str | None, on: str | None, as_json: bool, by: str, reason: str,
                   deadline: str) -> None:
    """重新打开: reopen a closed hazard (回头看) with a new deadline."""
    actor, due = parse_actor(by), parse_day(deadline, "--deadline")
    register = open_existing(db)
    state = register.reopen(hazard_id, on=_today(register, on), actor=actor, reason=reason, deadline=due)  # type: ignore[arg-type]
    _echo_state(state, as_json, "重新打开")


@_verb("extend")
@_by
@click.option("--reason", required=True)
@click.option("--deadline", required=True, metavar="DATE", help="The new deadline.")
@friendly
def extend_command(hazard_id: str, db: str | None, on: str | None, as_json: bool, by: str, reason: str,
                   deadline: str) -> None:
    """延期: extend the deadline; --by is the approver."""
    actor, due = parse_actor(by), parse_day(deadline, "--deadline")
    register = open_existing(db)
    state = register.extend(hazard_id, on=_today(register, on), approver=actor, reason=reason, deadline=due)  # type: ignore[arg-type]
    _echo_state(state, as_json, "延期")


@_verb("withdraw")
@_by
@click.option("--reason", required=True)
@friendly
def withdraw_command(hazard_id: str, db: str | None, on: str | None, as_json: bool, by: str, reason: str) -> None:
    """撤销: withdraw a hazard, e.g. when 核查不实."""
    actor = parse_actor(by)
    register = open_existing(db)
    _echo_state(register.withdraw(hazard_id, on=_today(register, on), actor=actor, reason=reason), as_json, "撤销")


@_verb("evidence")
@_by
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default="")
@click.option("--phase", type=click.Choice(["整改前", "整改后", "文件"]), default="整改后", show_default=True)
@friendly
def evidence_command(hazard_id: str, db: str | None, on: str | None, as_json: bool, by: str, files: tuple[Path, ...],
                     note: str, phase: str) -> None:
    """Attach evidence files (photos, documents) to a hazard; the CLI records each file's sha256."""
    actor = parse_actor(by)
    items = [file_evidence(p, phase=phase) for p in files]
    register = open_existing(db)
    state = register.attach_evidence(hazard_id, on=_today(register, on), actor=actor, evidence=items, note=note)
    if not as_json:
        for item in items:
            click.echo(f"{item.caption}  sha256={item.sha256}")
    _echo_state(state, as_json, "附证据")


@_verb("report-dual")
@_by
@click.option("--to", "recipient", required=True, type=click.Choice([r.value for r in ReportRecipient]))
@friendly
def report_dual_command(hazard_id: str, db: str | None, on: str | None, as_json: bool, by: str, recipient: str) -> None:
    """双报告: record a major hazard's report to the regulator or the workers' congress."""
    actor = parse_actor(by)
    register = open_existing(db)
    _echo_state(register.report_dual(hazard_id, on=_today(register, on), actor=actor, recipient=recipient), as_json, "双报告")


@_verb("determine")
@_by
@click.option("--level", required=True, type=click.Choice([lv.value for lv in Level]))
@click.option("--clause", required=True, help="The clause the determination rests on.")
@click.option("--reason", required=True)
@friendly
def determine_command(hazard_id: str, db: str | None, on: str | None, as_json: bool, by: str, level: str,
                      clause: str, reason: str) -> None:
    """人工判定: a manual determination of the level, naming the clause."""
    actor = parse_actor(by)
    register = open_existing(db)
    state = register.determine(hazard_id, on=_today(register, on), actor=actor, level=level, clause=clause, reason=reason)
    _echo_state(state, as_json, "人工判定")


@_verb("regrade")
@_by
@click.option("--level", required=True, type=click.Choice([lv.value for lv in Level]))
@click.option("--reason", required=True)
@click.option("--criterion", "criteria", multiple=True, help="Criterion code, repeatable.")
@friendly
def regrade_command(hazard_id: str, db: str | None, on: str | None, as_json: bool, by: str, level: str, reason: str,
                    criteria: tuple[str, ...]) -> None:
    """重新定级: a new level (after 交办 the deadline is re-derived)."""
    actor = parse_actor(by)
    register = open_existing(db)
    state = register.regrade(hazard_id, on=_today(register, on), actor=actor, level=level, reason=reason, criteria=criteria)
    _echo_state(state, as_json, "重新定级")


@_verb("correct")
@_by
@click.option("--set", "sets", multiple=True, required=True, metavar="FIELD=VALUE")
@click.option("--reason", required=True)
@friendly
def correct_command(hazard_id: str, db: str | None, on: str | None, as_json: bool, by: str, sets: tuple[str, ...],
                    reason: str) -> None:
    """更正: correct recorded fields (--set FIELD=VALUE, repeatable) with a reason."""
    actor = parse_actor(by)
    fields: dict[str, Any] = {}
    for item in sets:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r}: write FIELD=VALUE", param_hint="--set")
        fields[key.strip()] = value
    register = open_existing(db)
    state = register.correct(hazard_id, on=_today(register, on), actor=actor, fields=fields, reason=reason)
    _echo_state(state, as_json, "更正")


# ---------------------------------------------------------------------------------------------
# units and plugins
# ---------------------------------------------------------------------------------------------


@click.group("units")
def units_group() -> None:
    """The unit register (生产经营单位): list and add units."""


@units_group.command("list")
@DB_OPTION
@_js
@friendly
def units_list(db: str | None, as_json: bool) -> None:
    """List the units, with their domains and risk inputs."""
    units = open_existing(db).units()
    if as_json:
        _json([{"code": u.code, "name": u.name, "town": u.town, "domains": list(u.domains),
                "attributes": dict(u.attributes)} for u in units])
        return
    from rich.table import Table

    table = Table(title=f"units ({len(units)})")
    for c in ("code", "name", "town", "domains", "attributes"):
        table.add_column(c, overflow="fold")
    for u in units:
        table.add_row(u.code, u.name, u.town, ",".join(u.domains), json.dumps(dict(u.attributes), ensure_ascii=False))
    _console().print(table)


@units_group.command("add")
@click.argument("code")
@click.argument("name")
@click.argument("town")
@DB_OPTION
@click.option("--domain", "domains", multiple=True, help="A domain of the unit, repeatable.")
@click.option("--attr", "attrs_", multiple=True, metavar="KEY=VALUE",
              help="A risk input (VALUE is JSON if it parses, else text), e.g. --attr lec_l=3.")
@friendly
def units_add(code: str, name: str, town: str, db: str | None, domains: tuple[str, ...], attrs_: tuple[str, ...]) -> None:
    """Add (or replace) a unit. Creates the database if there is none."""
    from hazardloop.records import Unit

    attributes: dict[str, Any] = {}
    for item in attrs_:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r}: write KEY=VALUE", param_hint="--attr")
        try:
            attributes[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            attributes[key.strip()] = value
    unit = open_existing(db, create=True).add_unit(Unit(code, name, town, domains, attributes))
    click.echo(f"unit {unit.code} {unit.name} ({unit.town}) saved")


@click.command("plugins")
@click.option("--block", multiple=True, help="A plugin name not to load, repeatable.")
@_js
@friendly
def plugins_command(block: tuple[str, ...], as_json: bool) -> None:
    """List the loaded plugins: name, version and the hooks each implements."""
    from hazardloop.plugins import load_hooks

    infos = load_hooks(block=block).plugins()
    if as_json:
        _json([{"name": p.name, "version": p.version, "distribution": p.distribution, "hooks": list(p.hooks)}
               for p in infos])
        return
    from rich.table import Table

    table = Table(title="plugins")
    for c in ("name", "version", "distribution", "hooks"):
        table.add_column(c, overflow="fold")
    for p in infos:
        table.add_row(p.name, p.version, p.distribution, ", ".join(h.removeprefix("hazardloop_") for h in p.hooks))
    _console().print(table)


COMMANDS = (list_command, show_command, add_command, assign_command, rectify_command, submit_command, inspect_command,
            close_command, reopen_command, extend_command, withdraw_command, evidence_command, report_dual_command,
            determine_command, regrade_command, correct_command, units_group, plugins_command)


def attach(group: click.Group) -> None:
    """Add the loop commands to the ``hazardloop`` group."""
    for command in COMMANDS:
        group.add_command(command)
