"""Rows of the durable register: what an event and a hazard state become in the tables.

Shared by the store (:mod:`hazardloop.sqlstore`), the migrations (:mod:`hazardloop.sqlschema`)
and the vectorised replay (:mod:`hazardloop.sqlreplay`), so that all three derive the same cells.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from hazardloop import records
from hazardloop.lifecycle import HazardState
from hazardloop.records import Event, EventKind
from hazardloop.serialize import _ISO_DATES, actor_texts, iso_date, state_from_dict, state_json_writer
from hazardloop.sqlschema import PROJECTION_COLUMNS

__all__ = [
    "DEADLINE_KINDS",
    "DEADLINE_VALUES",
    "STATE_CELLS",
    "deadline_columns",
    "event_columns",
    "projection_cells",
    "projection_json",
    "state_from_projection",
]

K = EventKind

DEADLINE_KINDS = frozenset({K.ASSIGN, K.REOPEN, K.EXTEND, K.RECOMPUTE, K.REGRADE, K.DETERMINE})
"""The kinds whose payload ``deadline`` becomes the effective deadline (an escalation's does not)."""
DEADLINE_VALUES = frozenset(k.value for k in DEADLINE_KINDS)
"""Their values: testing ``kind._value_`` against these skips Enum.__hash__, a Python-level call."""


def event_columns(event: Event) -> tuple[str | None, int | None, str, int]:
    """The narrow replay columns of an event: deadline set, its provisional flag, actor, from a ledger."""
    return (*deadline_columns(event), actor_texts(event.actor)[1], 0 if event.origin is None else 1)


def deadline_columns(event: Event) -> tuple[str | None, int | None]:
    """The first two of :func:`event_columns`: the deadline an event sets (ISO) and its provisional flag."""
    if event.kind._value_ in DEADLINE_VALUES:
        d = event.payload.deadline  # type: ignore[union-attr]
        if d is not None:
            return iso_date(d), int(event.payload.provisional)  # type: ignore[union-attr]
    return None, None


def _iso(v: Any) -> Any:
    return None if v is None else iso_date(v)


def _actor_text(v: Any) -> Any:
    return None if v is None else actor_texts(v)[1]


def _flag(v: Any) -> Any:
    return None if v is None else int(v)


def _plan() -> tuple[tuple[str, Any], ...]:
    fields = {f.name: str(f.type) for f in attrs.fields(HazardState)}
    plan: list[tuple[str, Callable[[Any], Any] | None]] = []
    for c in PROJECTION_COLUMNS:
        t = fields[c]
        if t in ("_dt.date", "_dt.date | None"):
            plan.append((c, _iso))
        elif t.split(" ")[0] in ("Stage", "Source", "Level", "ListingLevel"):
            enum_type = getattr(records, t.split(" ")[0])
            # a dict lookup, not the (slow) enum ``.value`` descriptor; None maps to None
            plan.append((c, {None: None, **{m: m.value for m in enum_type}}.__getitem__))
        elif t.startswith("Actor"):
            plan.append((c, _actor_text))
        elif t.startswith("bool"):
            plan.append((c, _flag))
        else:
            plan.append((c, None))
    return tuple(plan)


_PLAN = _plan()  # (column, converter or None) chosen once from HazardState's field types


def _projection_loop(state: HazardState) -> tuple[Any, ...]:
    """:func:`projection_cells` as a loop over the plan (the reference of the generated writer)."""
    d = state.__dict__
    return tuple([d[c] if conv is None else conv(d[c]) for c, conv in _PLAN])


def _projection_writer() -> Any:
    """:func:`_projection_loop` unrolled into one tuple expression, compiled once (3x faster: the
    append path calls it for every hazard it writes)."""
    namespace: dict[str, Any] = {"_iso_get": _ISO_DATES.get, "_iso_date": iso_date}
    cells = []
    for i, (c, conv) in enumerate(_PLAN):
        if conv is None:
            cells.append(f"d[{c!r}]")
        elif conv is _iso:  # inlined: most of a state's cells are dates, most of them remembered
            cells.append(f"(None if (v{i} := d[{c!r}]) is None else _iso_get(v{i}) or _iso_date(v{i}))")
        else:
            namespace[f"_c{i}"] = conv
            cells.append(f"_c{i}(d[{c!r}])")
    exec(f"def cells(state):\n    d = state.__dict__\n    return ({', '.join(cells)},)\n", namespace)  # noqa: S102
    return namespace["cells"]


_projection = _projection_writer()


def projection_cells(state: HazardState) -> tuple[Any, ...]:
    """The projection columns (:data:`~hazardloop.sqlschema.PROJECTION_COLUMNS`) of a state."""
    return _projection(state)  # type: ignore[no-any-return]


STATE_CELLS: tuple[str, ...] = tuple(c for c, conv in _PLAN if conv is not _actor_text and c != "funds")
"""The projection columns that give their state field back exactly (text, dates, enums, counts,
flags): the projection's state JSON leaves these out. Not the actors (a cell holds only their
display text) nor ``funds`` (SQLite stores a NaN as NULL)."""

_FLAG_CELLS = tuple(c for c, conv in _PLAN if conv is _flag and c in STATE_CELLS)

projection_json = state_json_writer(STATE_CELLS)
"""The state JSON a projection row stores beside its cells: the state less :data:`STATE_CELLS`
(a third of the whole, and a third of the time to write)."""


def state_from_projection(cells: Sequence[Any], text: str) -> HazardState:
    """The state a projection row holds: its :data:`STATE_CELLS` cells (in that order) and its
    state JSON. A row written before schema v5 holds the whole state in its JSON, which then
    has the last word, so old and new rows read the same way."""
    data: dict[str, Any] = dict(zip(STATE_CELLS, cells))
    for c in _FLAG_CELLS:
        if data[c] is not None:
            data[c] = bool(data[c])
    data.update(json.loads(text))
    return state_from_dict(data)
