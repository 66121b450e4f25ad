"""Every error hazardloop raises on purpose derives from :class:`HazardloopError`.

A host can catch the base class at its boundary and show ``str(error)``: each message
names what was refused and why, so that it can be shown to a user as it is.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "HazardloopError",
    "InvalidRecordError",
    "TransitionError",
    "DeadlineError",
    "CalendarError",
    "ConfigError",
    "UnknownHazardError",
    "UnknownUnitError",
    "ConcurrencyError",
]


class HazardloopError(Exception):
    """Base class of every error raised by hazardloop."""


class InvalidRecordError(HazardloopError, ValueError):
    """A record was built from values that break its rules (raised at the boundary)."""


class TransitionError(HazardloopError):
    """An event was refused by the lifecycle.

    Carries the hazard, the stage it was in, the event tried and why it was refused,
    so that a ledger import or a command line can report it row by row.
    """

    def __init__(self, hazard_id: str, stage: Any, event: Any, reason: str) -> None:
        self.hazard_id = hazard_id
        self.stage = stage
        self.event = event
        self.reason = reason
        stage_txt = getattr(stage, "value", stage) if stage is not None else "(none)"
        event_txt = getattr(event, "value", event)
        super().__init__(
            f"hazard {hazard_id}: {event_txt} refused in stage {stage_txt}: {reason}"
        )


class DeadlineError(HazardloopError):
    """A deadline asked for breaks the limit table (e.g. later than the 60/30-day rule)."""


class CalendarError(HazardloopError):
    """A holiday table could not be loaded or contradicts itself."""


class ConfigError(HazardloopError):
    """A configuration (limit table, escalation tiers, colour bands…) is inconsistent."""


class UnknownHazardError(HazardloopError, KeyError):
    """No hazard with that id in the register."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown hazard"


class UnknownUnitError(HazardloopError, KeyError):
    """No unit with that code in the unit register."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown unit"


class ConcurrencyError(HazardloopError):
    """Another writer appended to the same hazard first (optimistic concurrency)."""

    def __init__(self, hazard_id: str, expected: int, actual: int) -> None:
        self.hazard_id = hazard_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"hazard {hazard_id}: expected version {expected} but the store holds "
            f"version {actual}; reload the hazard and try again"
        )
