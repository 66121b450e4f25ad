"""hazardloop: registers of work-safety hidden hazards (事故隐患) and their closed loop.

发现 (found) → 交办 (assigned) → 整改 (rectifying) → 督查 (inspected) → 销号 (struck off).

The core (records, lifecycle, deadlines, register) does no I/O and reads no clock of its own:
the host passes a clock, and may pass a calendar, a deadline configuration, a store and plugins.
"""

from __future__ import annotations

import logging

from hazardloop.calendar import ChinaCalendar, HolidayCalendar, YearTable, load_year_table
from hazardloop.clock import Clock, FixedClock, SystemClock
from hazardloop.deadlines import (
    DEFAULT_LIMIT_TABLE,
    DEFAULT_TIERS,
    DayCount,
    DeadlineConfig,
    EscalationTier,
    HazardStatus,
    LimitRule,
    LimitTable,
    Status,
    status_frame,
    status_of,
)
from hazardloop.errors import (
    ConcurrencyError,
    DeadlineError,
    HazardloopError,
    InvalidRecordError,
    TransitionError,
    UnknownHazardError,
    UnknownUnitError,
)
from hazardloop.lifecycle import HazardState, apply, fold, fold_until
from hazardloop.records import (
    SYSTEM,
    Actor,
    Colour,
    Event,
    EventKind,
    Evidence,
    EvidencePhase,
    Level,
    ListingLevel,
    Origin,
    ReportRecipient,
    Source,
    Stage,
    Unit,
)
from hazardloop.register import Register
from hazardloop.store import EventStore, MemoryStore

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Actor",
    "ChinaCalendar",
    "Clock",
    "Colour",
    "ConcurrencyError",
    "DEFAULT_LIMIT_TABLE",
    "DEFAULT_TIERS",
    "DayCount",
    "DeadlineConfig",
    "DeadlineError",
    "EscalationTier",
    "Event",
    "EventKind",
    "EventStore",
    "Evidence",
    "EvidencePhase",
    "FixedClock",
    "HazardState",
    "HazardStatus",
    "HazardloopError",
    "HolidayCalendar",
    "InvalidRecordError",
    "Level",
    "LimitRule",
    "LimitTable",
    "ListingLevel",
    "MemoryStore",
    "Origin",
    "Register",
    "ReportRecipient",
    "SYSTEM",
    "Source",
    "Stage",
    "Status",
    "SystemClock",
    "TransitionError",
    "Unit",
    "UnknownHazardError",
    "UnknownUnitError",
    "YearTable",
    "__version__",
    "apply",
    "fold",
    "fold_until",
    "load_year_table",
    "status_frame",
    "status_of",
]
