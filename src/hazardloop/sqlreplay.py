"""The register as it stood on a past date, replayed from the durable store.

Two paths, held equal to the event-by-event fold (:func:`hazardloop.lifecycle.fold_until`)
by a property test (``tests/test_store_replay.py``):

- :func:`states_as_of` returns :class:`~hazardloop.lifecycle.HazardState` objects: the projection
  for every hazard with no event after the date, the fold of its events up to the date for the
  others. Exact by construction; its cost is the decoding of the states and events it touches.
- :func:`frame_as_of` returns the frame :meth:`Register.frame <hazardloop.register.Register.frame>`
  returns, replayed column-wise: it reads the projection's frame columns and, for the hazards
  that changed after the date, recomputes the columns events change (stage, dates, deadlines,
  inspection, closure, counters) with pandas over the narrow event columns; free-text columns
  come from the projection unless an event after the date rewrote them, in which case only that
  hazard's text-bearing events are decoded. Both reads are column-wise (one JSON array per column,
  built by the database), and only the events of the changed hazards are read.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
from collections.abc import Iterator
from typing import Any

import pandas as pd

from hazardloop.lifecycle import HazardState, fold_until
from hazardloop.records import EventKind, Level, Source, Stage
from hazardloop.register import FRAME_COLUMNS, typed_frame
from hazardloop.serialize import decode_value, event_from_dict
from hazardloop.sqlrows import STATE_CELLS, state_from_projection
from hazardloop.sqlschema import PROJECTION_COLUMNS

try:  # orjson decodes long arrays about twice as fast as json.loads
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is a dependency
    _loads = json.loads  # type: ignore[assignment]

__all__ = ["states_as_of", "frame_as_of", "STAGE_TARGETS"]

K = EventKind
S = Stage

STAGE_TARGETS: dict[str, str] = {
    K.DISCOVER.value: S.DISCOVERED.value,
    K.WITHDRAW.value: S.WITHDRAWN.value,
    K.ASSIGN.value: S.ASSIGNED.value,
    K.START.value: S.RECTIFYING.value,
    K.SUBMIT.value: S.INSPECTING.value,
    K.INSPECT_FAIL.value: S.RECTIFYING.value,
    K.CLOSE.value: S.CLOSED.value,
    K.REOPEN.value: S.RECTIFYING.value,
    K.VOID.value: S.VOIDED.value,
}
"""The stage each stage-changing event kind leads to (the others leave the stage as it is)."""

_TEXT_KINDS = (K.DISCOVER, K.ASSIGN, K.START, K.CORRECT, K.REGRADE, K.DETERMINE)
_OPT_BOOL = ("inspection_passed", "first_closed_on_time")
_BOOL = ("deadline_provisional", "from_ledger")


def _in_list(values: list[str], ph: str) -> str:
    return ", ".join([ph] * len(values))


def states_as_of(store: Any, day: _dt.date) -> Iterator[HazardState]:
    """Every hazard as it stood at the end of ``day`` (those found by then), in store order."""
    iso = day.isoformat()
    sql = store._sql
    with store._read() as conn:
        rows = conn.exec_driver_sql(
            sql(f"SELECT hazard_id, last_event_on, state, {', '.join(STATE_CELLS)} FROM hl_hazards "
                "WHERE found_on <= ? ORDER BY first_gseq"),
            (iso,),
        ).all()
        changed_events = conn.exec_driver_sql(
            sql(
                "SELECT e.hazard_id, e.body FROM hl_events e JOIN hl_hazards h ON h.hazard_id = e.hazard_id "
                "WHERE h.last_event_on > ? AND e.occurred_on <= ? ORDER BY e.hazard_id, e.seq"
            ),
            (iso, iso),
        ).all()
    histories: dict[str, list[Any]] = {}
    for hid, body in changed_events:
        histories.setdefault(hid, []).append(event_from_dict(json.loads(body)))
    for hid, last_on, state_json, *cells in rows:
        if last_on <= iso:
            yield state_from_projection(cells, state_json)
        else:
            state = fold_until(histories.get(hid, ()), day)
            if state is not None:
                yield state


def _tuples(result: Any) -> list[tuple[Any, ...]]:
    """The rows of a result as plain tuples, straight from the driver (pandas reads them fastest)."""
    rows = result.cursor.fetchall()
    result.close()
    return rows


def _last(ev: pd.DataFrame, mask: pd.Series, column: str) -> pd.Series:
    """The value of ``column`` on each hazard's last row where ``mask`` holds (nulls kept)."""
    sub = ev.loc[mask, ["hazard_id", column]].drop_duplicates("hazard_id", keep="last")
    return sub.set_index("hazard_id")[column]


def _text_fold(store: Any, day: str, hazard_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The free-text columns of some hazards as of ``day``, folded from their text-bearing events."""
    out: dict[str, dict[str, Any]] = {}
    if not hazard_ids:
        return out
    sql = store._sql
    kinds = [k.value for k in _TEXT_KINDS]
    with store._read() as conn:
        rows = []
        for i in range(0, len(hazard_ids), 500):
            chunk = hazard_ids[i : i + 500]
            rows += conn.exec_driver_sql(
                sql(
                    f"SELECT hazard_id, kind, body FROM hl_events WHERE occurred_on <= ? "
                    f"AND kind IN ({_in_list(kinds, '?')}) AND hazard_id IN ({_in_list(chunk, '?')}) "
                    "ORDER BY hazard_id, seq"
                ),
                (day, *kinds, *chunk),
            ).all()
    for hid, kind, body in rows:
        p = json.loads(body)["payload"]
        t = out.setdefault(hid, {"responsible_unit": None, "supervising_department": None,
                                 "measures": None, "plan": None, "funds": None})
        if kind == K.DISCOVER.value:
            for c in ("hazard_code", "town", "description", "location", "source", "level"):
                t[c] = p[c]
        elif kind == K.ASSIGN.value:
            t["responsible_unit"] = p["responsible_unit"]
            t["supervising_department"] = p["supervising_department"]
        elif kind == K.START.value:
            t["measures"], t["plan"] = p["measures"], p["plan"]
            t["funds"] = decode_value(p["funds"]) if p["funds"] is not None else None
            if isinstance(t["funds"], dict):  # pragma: no cover - non-finite funds are refused upstream
                t["funds"] = float(t["funds"]["$float"])
        elif kind == K.CORRECT.value:
            for key, value in p["fields"]:
                value = decode_value(value)
                if key == "source":
                    value = Source(value).value
                elif key == "funds" and value is not None:
                    value = float(value)
                t[key] = value
        else:  # 重新定级 / 人工判定
            t["level"] = Level(p["level"]).value
    return out


def _column_lists(store: Any, conn: Any, columns: list[str], rest: str, params: tuple[Any, ...]) -> list[list[Any]]:
    """``SELECT columns <rest>`` read column-wise: one JSON array per column, aggregated by the
    database and decoded in C (orjson), instead of one driver object per row and per cell: for the
    50k × 35 cells of a 100k-hazard register that alone took sqlite3 about a second.

    Every array of one aggregate query sees the rows in the same order, so the lists line up
    (their common order is arbitrary: sort them afterwards if it matters). JSON keeps text,
    integers and NULL exactly; so do PostgreSQL's floats, but not SQLite's (15 digits).
    """
    agg = "json_group_array({})" if store.dialect == "sqlite" else "json_agg({})::text"
    sql = store._sql(f"SELECT {', '.join(agg.format(c) for c in columns)} {rest}")
    cursor = conn.exec_driver_sql(sql, params).cursor
    row = cursor.fetchone()
    cursor.close()
    return [[] if text is None else _loads(text) for text in row]  # json_agg of no rows is NULL


def _projection(store: Any, conn: Any, iso: str) -> dict[str, list[Any]]:
    """The projection's frame columns of the hazards found by ``iso``, in store (``first_gseq``) order."""
    sqlite = store.dialect == "sqlite"
    # funds, the only float, goes through JSON only on PostgreSQL (shortest exact text); SQLite's
    # JSON prints REAL to 15 digits, so there it is read apart (one more scan, cheap on SQLite)
    names = ["hazard_id", "last_event_on", *(c for c in PROJECTION_COLUMNS if c != "funds" or not sqlite)]
    where = "FROM hl_hazards WHERE found_on <= ?"
    if not sqlite:  # shortest exact float text (PostgreSQL 12+) whatever the server's setting
        conn.exec_driver_sql("SET LOCAL extra_float_digits = 3")
    order, *lists = _column_lists(store, conn, ["first_gseq", *names], where, (iso,))
    data = dict(zip(names, lists))
    if sqlite:  # the same scan usually yields the same order
        rows = _tuples(conn.exec_driver_sql(f"SELECT first_gseq, funds {where}", (iso,)))
        if [g for g, _ in rows] == order:
            data["funds"] = [f for _, f in rows]
        else:
            funds = dict(rows)
            data["funds"] = [funds[g] for g in order]
    if any(a > b for a, b in itertools.pairwise(order)):
        perm = sorted(range(len(order)), key=order.__getitem__)
        for name, column in data.items():
            data[name] = [column[i] for i in perm]
    return data


def _events_of(store: Any, conn: Any, hazard_ids: list[str]) -> dict[str, list[Any]]:
    """The narrow event columns (:data:`_EV_COLUMNS`) of every event of these hazards, in no order."""
    param: str | list[str]
    if store.dialect == "sqlite":
        where, param = "IN (SELECT value FROM json_each(?))", json.dumps(hazard_ids)
    else:
        where, param = "= ANY(?)", hazard_ids
    lists = _column_lists(store, conn, list(_EV_COLUMNS), f"FROM hl_events WHERE hazard_id {where}", (param,))
    return dict(zip(_EV_COLUMNS, lists))


def frame_as_of(store: Any, day: _dt.date, *, with_status: bool = True, due_soon_days: int = 7) -> pd.DataFrame:
    """The register's frame as it stood at the end of ``day``, replayed column-wise.

    Equal to ``Register(store=...).frame(day)`` (same columns, dtypes and row order).
    """
    iso = day.isoformat()
    with store._read() as conn:
        data = _projection(store, conn, iso)
        changed = [i for i, last in enumerate(data["last_event_on"]) if last > iso]
        # every event of the hazards changed after the day (those after it only say which kinds came later)
        ev_cols = _events_of(store, conn, [data["hazard_id"][i] for i in changed]) if changed else None
    if ev_cols is not None:
        _replay_changed(store, data, changed, ev_cols, iso)
    return _finish(data, day if with_status else None, due_soon_days)


_EV_COLUMNS = ("hazard_id", "seq", "kind", "occurred_on", "deadline", "provisional", "actor", "origin")


def _replay_changed(
    store: Any,
    data: dict[str, list[Any]],
    changed: list[int],
    ev_cols: dict[str, list[Any]],
    iso: str,
) -> None:
    """Overwrite, in ``data``, the columns of the hazards at ``changed`` with their values as of ``iso``."""
    every = pd.DataFrame(ev_cols, columns=list(_EV_COLUMNS)).sort_values(["hazard_id", "seq"], kind="stable")
    after = every["occurred_on"] > iso
    text_kinds = [k.value for k in _TEXT_KINDS]
    later_text = set(every.loc[after & every["kind"].isin(text_kinds), "hazard_id"])
    ev = every.loc[~after].reset_index(drop=True)
    kind = ev["kind"]
    hid = ev["hazard_id"]
    ids = [data["hazard_id"][i] for i in changed]
    idx = pd.Index(ids)
    cols: dict[str, list[Any]] = {}

    def put(name: str, values: pd.Series, default: Any = None) -> None:
        """One replayed column, in ``changed`` order, nulls replaced by ``default``."""
        series = values.reindex(idx).astype(object)
        cols[name] = series.where(series.notna(), default).tolist()

    target = kind.map(STAGE_TARGETS)
    put("stage", _last(ev.assign(t=target), target.notna(), "t"))
    put("assigned_on", _last(ev, kind == K.ASSIGN.value, "occurred_on"))
    has_deadline = ev["deadline"].notna()
    put("effective_deadline", _last(ev, has_deadline, "deadline"))
    put("deadline_provisional", _last(ev, has_deadline, "provisional").astype(object).map(bool), False)
    ext_or_reopen = kind.isin([K.EXTEND.value, K.REOPEN.value]).astype("int64")
    before = ext_or_reopen.groupby(hid).cumsum() - ext_or_reopen
    sets_original = has_deadline & (
        kind.isin([K.ASSIGN.value, K.REGRADE.value, K.DETERMINE.value])
        | ((kind == K.RECOMPUTE.value) & (before == 0))
    )
    put("original_deadline", _last(ev, sets_original, "deadline"))
    verdict = kind.map({K.SUBMIT.value: "none", K.INSPECT_PASS.value: "pass", K.INSPECT_FAIL.value: "fail",
                        K.REOPEN.value: "none"})
    passed = _last(ev.assign(v=verdict), verdict.notna(), "v").map({"pass": True, "fail": False, "none": None})
    put("inspection_passed", passed)
    inspected = kind.isin([K.INSPECT_PASS.value, K.INSPECT_FAIL.value])
    put("inspected_on", _last(ev, inspected, "occurred_on"))
    put("inspector", _last(ev, inspected, "actor"))
    closing = ev.assign(c=ev["occurred_on"].where(kind == K.CLOSE.value, None))
    put("closed_on", _last(closing, kind.isin([K.CLOSE.value, K.REOPEN.value]), "c"))
    for name, k in (("reopen_count", K.REOPEN), ("extension_count", K.EXTEND), ("failed_inspections", K.INSPECT_FAIL)):
        counted = (kind == k.value).astype("int64").groupby(hid).sum()
        cols[name] = counted.reindex(idx).fillna(0).astype("int64").tolist()
    put("withdrawn_on", _last(ev, kind == K.WITHDRAW.value, "occurred_on"))
    put("voided_on", _last(ev, kind == K.VOID.value, "occurred_on"))
    from_ledger = ev["origin"].fillna(0).astype("int64").groupby(hid).max()
    cols["from_ledger"] = from_ledger.reindex(idx).fillna(0).astype("int64").tolist()

    for name, values in cols.items():
        column = data[name]
        for i, value in zip(changed, values):
            column[i] = value
    first_on, first_time = data["first_closed_on"], data["first_closed_on_time"]
    listing, person, assigned = data["listing_level"], data["responsible_person"], data["assigned_on"]
    for i in changed:
        # set once at the first close: the projection's values hold as of any day after it
        if first_on[i] is not None and first_on[i] > iso:
            first_on[i] = first_time[i] = None
        # fixed at 交办
        if assigned[i] is None:
            listing[i] = person[i] = None
    position = {data["hazard_id"][i]: i for i in changed}
    rewritten = [h for h in ids if h in later_text]
    for h, texts in _text_fold(store, iso, rewritten).items():
        i = position[h]
        for name, value in texts.items():  # every hazard here has its 发现 (so every column) by the day
            data[name][i] = value


def _finish(data: dict[str, list[Any]], as_of: _dt.date | None, due_soon_days: int) -> pd.DataFrame:
    """Build the frame exactly as :func:`hazardloop.register.states_frame` does from states."""
    columns: dict[str, list[Any]] = {}
    for c in FRAME_COLUMNS:
        values = data[c]
        if c in _BOOL:
            values = [bool(v) for v in values]
        elif c in _OPT_BOOL:
            values = [None if v is None else bool(v) for v in values]
        elif c == "funds":
            values = [None if v is None else float(v) for v in values]
        columns[c] = values
    return typed_frame(columns, as_of, due_soon_days)

