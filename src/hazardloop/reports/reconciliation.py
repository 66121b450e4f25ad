"""Monthly reconciliation (逐月对账) and the open major-hazard count over time (动态清零).

For every month and every group (town, domain or unit) the balance of open hazards
adds up exactly, replayed from the events as they stood at each month's end::

    opening + new − struck_off + reopened − withdrawn − voided = closing

- *opening* / *closing*: hazards in an open stage (发现, 交办, 整改, 督查) at the end of the day
  before the month / at the end of the month's last day.
- *new*: every hazard found in the month (发现 events), withdrawn and voided ones included.
- *struck_off*: 销号 events in the month; *reopened*: 回头看 events; *withdrawn*: 撤销 events.
- *voided* (作废, a hazard entered by mistake): how it counts is a choice, :class:`VoidPolicy`:

  ``SEPARATE`` (the default) keeps a voided hazard in every month it stood in the register and
  counts the voiding of an open hazard as a flow of its own, the ``voided`` column. Past months
  never change when a later month voids something, so a reconciliation sent to superiors stays
  true. A hazard voided after it was struck off leaves the balance untouched (it was no longer
  open) and shows only in ``voided_closed``.
  ``EXCLUDE`` drops every hazard voided by the report date from every month, as if it had never
  been entered; ``voided`` is then always 0 and the plans' five-term formula holds as written, at
  the price of restating past months when a mistake is found late.

  Either way the identity holds exactly; with ``SEPARATE`` the ``voided`` term is simply zero in a
  month without voiding, which is the plans' formula.

Groups are taken from each hazard's state on the report date (``as_of``): a town corrected by
更正 counts in the corrected town in every month, because a correction fixes a mistake; it is
not a transfer. So the towns always sum to the total.

The month's indicators come with it: overdue open hazards at the month end, hazards struck off
in the month and how many of them on time (against the effective deadline, and against the
original one, before extensions), reopenings (回头看), and the open major hazards at the month
end (动态清零: the goal is zero).
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Sequence

import numpy as np
import pandas as pd

from hazardloop.deadlines import Status, status_of
from hazardloop.lifecycle import HazardState, apply
from hazardloop.records import Event, EventKind, Stage
from hazardloop.register import Register
from hazardloop.reports._common import Period, ReportError, as_date, histories, months_between
from hazardloop.reports._common import report_day as default_day

__all__ = [
    "VoidPolicy",
    "GROUPINGS",
    "FLOW_COLUMNS",
    "RECONCILIATION_COLUMNS",
    "monthly_reconciliation",
    "dynamic_zeroing",
]

K = EventKind


class VoidPolicy(str, enum.Enum):
    """How voided hazards (作废) count in the reconciliation (see the module docstring)."""

    SEPARATE = "单列"
    EXCLUDE = "剔除"


GROUPINGS = ("town", "domain", "unit_code")
"""The columns a reconciliation can be grouped by (``by=None`` gives the whole register)."""

FLOW_COLUMNS = ("opening", "new", "struck_off", "reopened", "withdrawn", "voided", "closing")
"""The balance columns: opening + new − struck_off + reopened − withdrawn − voided = closing."""

RECONCILIATION_COLUMNS = (
    *FLOW_COLUMNS,
    "voided_closed",
    "overdue",
    "closed_in_month",
    "closed_on_time",
    "closed_on_time_original",
    "on_time_rate",
    "on_time_rate_original",
    "open_major",
)
"""Every count column of :func:`monthly_reconciliation`, after ``month`` and the group column."""

_COUNTS = tuple(c for c in RECONCILIATION_COLUMNS if not c.startswith("on_time_rate"))
_TOTAL = "全部"


def _month_end_facts(state: HazardState | None, month: Period, due_soon_days: int) -> dict[str, int]:
    """What one hazard adds to the month-end columns."""
    out = dict.fromkeys(("closing", "overdue", "open_major", "closed_in_month", "closed_on_time",
                         "closed_on_time_original"), 0)
    if state is None:
        return out
    if state.is_open:
        out["closing"] = 1
        out["open_major"] = int(state.is_major)
        out["overdue"] = int(status_of(state, month.last, due_soon_days).status is Status.OVERDUE)
    elif state.stage is Stage.CLOSED and state.closed_on is not None and state.closed_on in month:
        out["closed_in_month"] = 1
        dl, orig = state.effective_deadline, state.original_deadline
        out["closed_on_time"] = int(dl is None or state.closed_on <= dl)
        out["closed_on_time_original"] = int(orig is None or state.closed_on <= orig)
    return out


def monthly_reconciliation(
    register: Register,
    start: str | _dt.date,
    end: str | _dt.date | None = None,
    *,
    by: str | None = "town",
    as_of: str | _dt.date | None = None,
    voided: VoidPolicy = VoidPolicy.SEPARATE,
    _histories: Sequence[tuple[str, Sequence[Event]]] | None = None,
) -> pd.DataFrame:
    """逐月对账: one row per month and group, from ``start``'s month to ``end``'s (default: the same).

    ``by`` is ``"town"``, ``"domain"``, ``"unit_code"`` or None (one row per month, group
    ``全部``). ``as_of`` is the report date: events after it are ignored and groups are read
    from the hazards as they stood then; it defaults to the last month's end (or today, from the
    register's clock, while that month is not over), so a month's report reads the same
    whatever happened later. The towns, units and domains of the unit register get rows (of
    zeros, without hazards). Columns: ``month`` (``YYYY-MM``), the group column (``by``, or
    ``group`` for None) and :data:`RECONCILIATION_COLUMNS`; rates are NaN when nothing was
    struck off. The identity of the module docstring holds on every row.

    ``_histories`` (internal) lets a caller that builds several reports at once share one read
    of the events (:func:`~hazardloop.reports._common.histories`, read until at least the
    report date).
    """
    if by is not None and by not in GROUPINGS:
        raise ReportError(f"cannot group by {by!r} (one of: {', '.join(GROUPINGS)})")
    months = months_between(start, end if end is not None else start)
    report_day = as_date(as_of) if as_of is not None else default_day(register, months[-1].last)
    if report_day < months[-1].last:
        # a month not yet over is read as of the report date, never past it
        months[-1] = Period(months[-1].label, months[-1].first, report_day)
        if report_day < months[-1].first:
            raise ReportError(f"the report date {report_day} is before the month {months[-1].label}")
    due_soon = register.config.due_soon_days
    boundaries = [months[0].before] + [m.last for m in months]
    group_col = by or "group"
    counts: dict[tuple[int, str], dict[str, int]] = {}
    groups: set[str] = set()

    def cell(i: int, g: str) -> dict[str, int]:
        key = (i, g)
        if key not in counts:
            counts[key] = dict.fromkeys(_COUNTS, 0)
        return counts[key]

    for hid, events in (_histories if _histories is not None else histories(register, until=report_day)):
        if events[0].occurred_on > report_day:
            continue
        # one pass over the events: the state at every boundary, and the flows of each month
        snapshots: list[HazardState | None] = []
        flows: list[tuple[int, EventKind, Stage | None]] = []
        state: HazardState | None = None
        b = 0
        for ev in events:
            if ev.occurred_on > report_day:
                break
            while b < len(boundaries) and ev.occurred_on > boundaries[b]:
                snapshots.append(state)
                b += 1
            before = state.stage if state is not None else None
            state = apply(state, ev)
            if 0 < b <= len(months):
                flows.append((b - 1, ev.kind, before))
        snapshots.extend([state] * (len(boundaries) - len(snapshots)))
        final = state
        assert final is not None
        if voided is VoidPolicy.EXCLUDE and final.stage is Stage.VOIDED:
            continue
        g = getattr(final, by) if by is not None else _TOTAL
        groups.add(g)
        for i, month in enumerate(months):
            opening = snapshots[i]
            if opening is not None and opening.is_open:
                cell(i, g)["opening"] += 1
            facts = _month_end_facts(snapshots[i + 1], month, due_soon)
            if any(facts.values()):
                row = cell(i, g)
                for k, val in facts.items():
                    row[k] += val
        for i, kind, before in flows:
            row = cell(i, g)
            if kind is K.DISCOVER:
                row["new"] += 1
            elif kind is K.CLOSE:
                row["struck_off"] += 1
            elif kind is K.REOPEN:
                row["reopened"] += 1
            elif kind is K.WITHDRAW:
                row["withdrawn"] += 1
            elif kind is K.VOID:
                row["voided" if before is not None and before.is_open else "voided_closed"] += 1

    if by == "town":
        groups.update(u.town for u in register.units())
    elif by == "unit_code":
        groups.update(u.code for u in register.units())
    elif by == "domain":
        groups.update(d for u in register.units() for d in u.domains)
    elif by is None:
        groups.add(_TOTAL)
    ordered = sorted(groups)
    rows = []
    for i, month in enumerate(months):
        for g in ordered:
            row = counts.get((i, g)) or dict.fromkeys(_COUNTS, 0)
            rows.append({"month": month.label, group_col: g, **row})
    frame = pd.DataFrame(rows, columns=["month", group_col, *_COUNTS])
    for c in _COUNTS:
        frame[c] = frame[c].astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        closed = frame["closed_in_month"].to_numpy(dtype=float)
        frame["on_time_rate"] = np.where(closed > 0, frame["closed_on_time"] / np.where(closed > 0, closed, 1), np.nan)
        frame["on_time_rate_original"] = np.where(
            closed > 0, frame["closed_on_time_original"] / np.where(closed > 0, closed, 1), np.nan
        )
    return frame[["month", group_col, *RECONCILIATION_COLUMNS]]


def dynamic_zeroing(
    register: Register,
    start: str | _dt.date,
    end: str | _dt.date | None = None,
    *,
    by: str | None = None,
    as_of: str | _dt.date | None = None,
) -> pd.DataFrame:
    """动态清零: open major hazards at each month's end, and whether the count reached zero.

    Columns ``month``, the group column, ``open_major`` and ``cleared`` (True at zero). Voided
    hazards are excluded (a mistaken entry is not a major hazard to clear).
    """
    frame = monthly_reconciliation(register, start, end, by=by, as_of=as_of, voided=VoidPolicy.EXCLUDE)
    out = frame[["month", by or "group", "open_major"]].copy()
    out["cleared"] = out["open_major"] == 0
    return out

