"""Clocks. The core never reads the wall: a host passes a clock in.

:class:`SystemClock` is for hosts and the command line; tests use :class:`FixedClock`
(also in :mod:`hazardloop.testing`). Dates are local dates, in the clock's time zone.
"""

from __future__ import annotations

import datetime as _dt
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import attrs

__all__ = ["Clock", "SystemClock", "FixedClock", "CHINA"]

CHINA = ZoneInfo("Asia/Shanghai")
"""China Standard Time: the zone whose local dates the regulations count in."""


@runtime_checkable
class Clock(Protocol):
    """Tells the register when an event is recorded and what today is."""

    def now(self) -> _dt.datetime:
        """The current moment, time-zone aware."""
        ...

    def today(self) -> _dt.date:
        """The current local date."""
        ...


@attrs.frozen
class SystemClock:
    """The wall clock in a time zone (default China Standard Time). For hosts, not the core."""

    zone: _dt.tzinfo = CHINA

    def now(self) -> _dt.datetime:
        """The wall-clock moment in ``zone``."""
        return _dt.datetime.now(self.zone)

    def today(self) -> _dt.date:
        """Today's local date in ``zone``."""
        return self.now().date()


@attrs.define
class FixedClock:
    """A clock that stands still until moved: for tests, replays and reproducible demos."""

    current: _dt.datetime

    @classmethod
    def on(cls, day: _dt.date | str, zone: _dt.tzinfo = CHINA) -> FixedClock:
        """A clock at 09:00 local time on ``day``."""
        if isinstance(day, str):
            day = _dt.date.fromisoformat(day)
        return cls(_dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=zone))

    def now(self) -> _dt.datetime:
        """The moment the clock stands at."""
        return self.current

    def today(self) -> _dt.date:
        """The date the clock stands at."""
        return self.current.date()

    def advance(self, days: int = 0, seconds: float = 0) -> None:
        """Move the clock forward."""
        self.current += _dt.timedelta(days=days, seconds=seconds)

    def set(self, day: _dt.date) -> None:
        """Move the clock to 09:00 on ``day`` (forward or back)."""
        self.current = self.current.replace(year=day.year, month=day.month, day=day.day)
