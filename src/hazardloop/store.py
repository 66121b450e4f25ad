"""Where a register keeps its events: the :class:`EventStore` interface and an in-memory store.

Events are appended, never changed or removed; the store also keeps each hazard's current
state (the fold of its events) as a projection for fast queries, and the unit register.
A durable store (SQLite, PostgreSQL) implements the same interface, so that opening a
register on a URL is all a host changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol, runtime_checkable

import attrs

from hazardloop.errors import ConcurrencyError
from hazardloop.lifecycle import HazardState
from hazardloop.records import Event, Unit

__all__ = ["EventStore", "Append", "MemoryStore"]


@attrs.frozen
class Append:
    """Events to append to one hazard, the version they expect to follow, and the new state."""

    hazard_id: str
    expected_version: int
    events: tuple[Event, ...]
    state: HazardState


@runtime_checkable
class EventStore(Protocol):
    """The storage a :class:`~hazardloop.register.Register` sits on."""

    def next_hazard_id(self) -> str:
        """A new hazard id, never handed out before."""
        ...

    def append(self, batch: Sequence[Append]) -> None:
        """Append every item of ``batch`` atomically: all or nothing.

        Raises :class:`~hazardloop.errors.ConcurrencyError` when a hazard's stored version is
        not the item's ``expected_version`` (another writer got there first).
        """
        ...

    def state(self, hazard_id: str) -> HazardState | None:
        """The current state of a hazard, or None if the store has no such hazard."""
        ...

    def events(self, hazard_id: str) -> Sequence[Event]:
        """A hazard's events in order (empty if unknown)."""
        ...

    def hazard_ids(self) -> Iterable[str]:
        """Every hazard id, in the order the hazards were first stored."""
        ...

    def all_events(self) -> Iterable[Event]:
        """Every event in one pass: each hazard's in order, hazards first met in the order they
        were first stored (events of different hazards may interleave)."""
        ...

    def states(self) -> Iterable[HazardState]:
        """Every hazard's current state, in :meth:`hazard_ids` order."""
        ...

    def count(self) -> int:
        """How many hazards the store holds."""
        ...

    def put_unit(self, unit: Unit) -> None:
        """Add a unit or replace the unit with the same code."""
        ...

    def get_unit(self, code: str) -> Unit | None:
        """The unit with that code, or None."""
        ...

    def units(self) -> Iterable[Unit]:
        """Every unit, in code order."""
        ...


class MemoryStore:
    """An event store in memory: the default for a :class:`Register` and for tests."""

    def __init__(self, id_prefix: str = "H") -> None:
        self._events: dict[str, list[Event]] = {}
        self._states: dict[str, HazardState] = {}
        self._units: dict[str, Unit] = {}
        self._next = 1
        self._prefix = id_prefix

    def next_hazard_id(self) -> str:
        """Sequential ids ``H000001``, ``H000002``…"""
        while True:
            hid = f"{self._prefix}{self._next:06d}"
            self._next += 1
            if hid not in self._events:
                return hid

    def append(self, batch: Sequence[Append]) -> None:
        """Check every expected version first, then append: all or nothing."""
        for item in batch:
            current = self._states.get(item.hazard_id)
            actual = current.version if current else 0
            if actual != item.expected_version:
                raise ConcurrencyError(item.hazard_id, item.expected_version, actual)
        for item in batch:
            self._events.setdefault(item.hazard_id, []).extend(item.events)
            self._states[item.hazard_id] = item.state

    def state(self, hazard_id: str) -> HazardState | None:
        """The current state, or None."""
        return self._states.get(hazard_id)

    def events(self, hazard_id: str) -> Sequence[Event]:
        """The events of one hazard, in order."""
        return tuple(self._events.get(hazard_id, ()))

    def hazard_ids(self) -> Iterator[str]:
        """Ids in insertion order."""
        return iter(list(self._events))

    def all_events(self) -> Iterator[Event]:
        """Every event, hazard by hazard in insertion order."""
        return (e for events in list(self._events.values()) for e in list(events))

    def states(self) -> Iterator[HazardState]:
        """States in insertion order."""
        return iter(list(self._states.values()))

    def count(self) -> int:
        """Number of hazards."""
        return len(self._states)

    def put_unit(self, unit: Unit) -> None:
        """Add or replace a unit."""
        self._units[unit.code] = unit

    def get_unit(self, code: str) -> Unit | None:
        """A unit by code."""
        return self._units.get(code)

    def units(self) -> Iterator[Unit]:
        """Units in code order."""
        return iter(sorted(self._units.values(), key=lambda u: u.code))
