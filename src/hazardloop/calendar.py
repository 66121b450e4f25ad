"""Working days: China's public holidays and make-up working days (调休).

:class:`HolidayCalendar` is the small interface the deadline rules count with; a host can pass
its own. :class:`ChinaCalendar` is the default, backed by the tables of the ``chinesecalendar``
package (2004–2026 at version 1.11) plus any year tables and single days the host adds.

A date outside every table is never an error: it is counted weekday-only and the caller is told
the result is *provisional*, so that it can be recomputed once the State Council publishes that
year's schedule (usually in November) and the host loads it with :meth:`ChinaCalendar.with_year`.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import attrs

from hazardloop.errors import CalendarError

__all__ = ["HolidayCalendar", "ChinaCalendar", "YearTable", "load_year_table", "weekday_only"]


@runtime_checkable
class HolidayCalendar(Protocol):
    """What the deadline rules need from a calendar."""

    def is_workday(self, day: _dt.date) -> bool:
        """True when ``day`` is a working day (a make-up Saturday counts; a holiday does not)."""
        ...

    def covers(self, day: _dt.date) -> bool:
        """True when the calendar holds the official schedule for ``day``'s year."""
        ...


def _date_set(days: Iterable[_dt.date]) -> frozenset[_dt.date]:
    # a named converter: type checkers read its parameter as the field's __init__ type
    return frozenset(days)


def _year_set(years: Iterable[int]) -> frozenset[int]:
    return frozenset(years)


@attrs.frozen
class YearTable:
    """One year's official schedule: its days off (holidays) and its make-up working days."""

    year: int
    holidays: frozenset[_dt.date] = attrs.field(converter=_date_set)
    workdays: frozenset[_dt.date] = attrs.field(converter=_date_set)

    def __attrs_post_init__(self) -> None:
        for day in (*self.holidays, *self.workdays):
            if day.year != self.year:
                raise CalendarError(f"year table {self.year} lists {day}, which is in another year")
        both = self.holidays & self.workdays
        if both:
            raise CalendarError(f"year table {self.year} lists {sorted(both)[0]} both as holiday and workday")


def load_year_table(path: str | Path) -> YearTable:
    """Read a year table from JSON: ``{"year": 2027, "holidays": [...], "workdays": [...]}``.

    Dates are ISO strings. ``holidays`` lists every day off (weekends inside a holiday block
    included); ``workdays`` lists the weekend days that are worked (调休).
    """
    p = Path(path)
    try:
        data: Mapping[str, Any] = json.loads(p.read_text(encoding="utf-8"))
        year = int(data["year"])
        holidays = [_dt.date.fromisoformat(s) for s in data.get("holidays", [])]
        workdays = [_dt.date.fromisoformat(s) for s in data.get("workdays", [])]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CalendarError(f"{p}: not a valid year table: {exc}") from exc
    return YearTable(year, holidays, workdays)


def _chinesecalendar_tables() -> tuple[frozenset[_dt.date], frozenset[_dt.date], frozenset[int]]:
    from chinese_calendar import constants  # imported lazily: the core must load without it

    holidays = frozenset(constants.holidays)
    workdays = frozenset(constants.workdays)
    years = frozenset(range(min(holidays).year, max(holidays).year + 1))
    return holidays, workdays, years


@attrs.frozen
class ChinaCalendar:
    """China's working days: weekdays, minus public holidays, plus make-up working days.

    Immutable: :meth:`with_year` and :meth:`with_days` return a new calendar.
    """

    holidays: frozenset[_dt.date] = attrs.field(converter=_date_set, default=frozenset())
    workdays: frozenset[_dt.date] = attrs.field(converter=_date_set, default=frozenset())
    years: frozenset[int] = attrs.field(converter=_year_set, default=frozenset())

    @classmethod
    def default(cls) -> ChinaCalendar:
        """The calendar of the ``chinesecalendar`` package's tables."""
        holidays, workdays, years = _chinesecalendar_tables()
        return cls(holidays, workdays, years)

    def with_year(self, table: YearTable) -> ChinaCalendar:
        """A calendar that also holds (or replaces) one year's official schedule."""
        keep_h = {d for d in self.holidays if d.year != table.year}
        keep_w = {d for d in self.workdays if d.year != table.year}
        return ChinaCalendar(keep_h | table.holidays, keep_w | table.workdays, self.years | {table.year})

    def with_days(
        self, *, holidays: Iterable[_dt.date] = (), workdays: Iterable[_dt.date] = ()
    ) -> ChinaCalendar:
        """A calendar with a host's own extra days off or worked days (a local holiday…)."""
        h, w = frozenset(holidays), frozenset(workdays)
        return ChinaCalendar((self.holidays - w) | h, (self.workdays - h) | w, self.years)

    def is_workday(self, day: _dt.date) -> bool:
        """True when ``day`` is worked."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def covers(self, day: _dt.date) -> bool:
        """True when ``day``'s year has an official schedule in this calendar."""
        return day.year in self.years


@attrs.frozen
class _WeekdayOnly:
    def is_workday(self, day: _dt.date) -> bool:
        return day.weekday() < 5

    def covers(self, day: _dt.date) -> bool:
        return False


def weekday_only() -> HolidayCalendar:
    """A calendar that knows no holidays (every result counted with it is provisional)."""
    return _WeekdayOnly()
