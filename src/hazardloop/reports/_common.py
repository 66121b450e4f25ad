"""Shared pieces of the reports: periods (months, quarters, years) and hazard histories."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator, Sequence

import attrs

from hazardloop.errors import HazardloopError
from hazardloop.records import Event, to_date
from hazardloop.register import Register

__all__ = [
    "Period",
    "ReportError",
    "as_date",
    "histories",
    "months_between",
    "parse_month",
    "parse_period",
    "report_day",
]


class ReportError(HazardloopError, ValueError):
    """A report was asked for with arguments it cannot use (a bad month, an empty range…)."""


@attrs.frozen
class Period:
    """A reporting period: its label (``2026-03``, ``2026Q1``, ``2026``) and its first and last day."""

    label: str
    first: _dt.date
    last: _dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, _dt.date) and self.first <= day <= self.last

    @property
    def before(self) -> _dt.date:
        """The day before the period starts (its opening balance is taken at the end of it)."""
        return self.first - _dt.timedelta(days=1)


def _month(year: int, month: int) -> Period:
    first = _dt.date(year, month, 1)
    nxt = _dt.date(year + (month == 12), month % 12 + 1, 1)
    return Period(f"{year:04d}-{month:02d}", first, nxt - _dt.timedelta(days=1))


_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")


def parse_month(value: str | _dt.date | Period) -> Period:
    """A month from ``YYYY-MM``, or the month a date falls in."""
    if isinstance(value, Period):
        return value
    if isinstance(value, _dt.date):
        return _month(value.year, value.month)
    m = _MONTH.match(str(value))
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ReportError(f"not a month (YYYY-MM): {value!r}")
    return _month(int(m.group(1)), int(m.group(2)))


def parse_period(value: str | Period) -> Period:
    """A month (``2026-03``), a quarter (``2026Q1`` or ``2026-Q1``) or a year (``2026``)."""
    if isinstance(value, Period):
        return value
    text = str(value)
    if m := _QUARTER.match(text):
        year, q = int(m.group(1)), int(m.group(2))
        first = _month(year, 3 * q - 2)
        last = _month(year, 3 * q)
        return Period(f"{year}Q{q}", first.first, last.last)
    if m := _YEAR.match(text):
        year = int(m.group(1))
        return Period(str(year), _dt.date(year, 1, 1), _dt.date(year, 12, 31))
    return parse_month(text)


def months_between(start: str | _dt.date, end: str | _dt.date) -> list[Period]:
    """Every month from ``start``'s to ``end``'s, both included."""
    first, last = parse_month(start), parse_month(end)
    if last.first < first.first:
        raise ReportError(f"the range {first.label}…{last.label} runs backwards")
    out = [first]
    while out[-1].last < last.last:
        nxt = out[-1].last + _dt.timedelta(days=1)
        out.append(_month(nxt.year, nxt.month))
    return out


def histories(register: Register, until: _dt.date | None = None) -> Iterator[tuple[str, Sequence[Event]]]:
    """Every hazard's id and events, in register order (those found by ``until`` if given).

    Read in one pass (:meth:`~hazardloop.store.EventStore.all_events`) rather than with one
    query per hazard; each hazard's events come out in their own order.
    """
    grouped: dict[str, list[Event]] = {}
    for event in register.store.all_events():
        grouped.setdefault(event.hazard_id, []).append(event)
    for hid, events in grouped.items():  # first appearance = register order
        if until is not None and events[0].occurred_on > until:
            continue
        yield hid, tuple(events)


def report_day(register: Register, period_end: _dt.date) -> _dt.date:
    """The day a period's report is read as of by default: its last day, or today if the period
    is not over yet (today being the register clock's date, or the latest event's if later)."""
    latest = max((s.last_event_on for s in register), default=register.clock.today())
    return min(period_end, max(register.clock.today(), latest))


def as_date(value: str | _dt.date) -> _dt.date:
    """A date from a date or an ISO string (the records' converter)."""
    return to_date(value)
