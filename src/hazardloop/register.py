"""The register: the façade a host uses to drive hazards around the loop.

A :class:`Register` holds no global state: the host gives it a clock, and may give it a
calendar, a deadline configuration, a store (in memory by default; SQLite or PostgreSQL
through :mod:`hazardloop.sqlstore`) and hooks (plugins). Every verb builds one event, checks
it against the lifecycle (:func:`hazardloop.lifecycle.apply`) and the hooks, and appends it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import pandas as pd

from hazardloop.calendar import ChinaCalendar, HolidayCalendar
from hazardloop.clock import Clock
from hazardloop.deadlines import (
    DeadlineConfig,
    HazardStatus,
    assignment_deadline,
    status_frame,
    status_of,
)
from hazardloop.errors import TransitionError, UnknownHazardError, UnknownUnitError
from hazardloop.lifecycle import HazardState, allowed_kinds, apply, fold, fold_until
from hazardloop.records import (
    SYSTEM,
    Actor,
    Assignment,
    Attachment,
    Closure,
    Correction,
    DeadlineRecompute,
    Discovery,
    DualReport,
    Escalation,
    Event,
    EventKind,
    Evidence,
    Extension,
    Inspection,
    Level,
    ListingLevel,
    Origin,
    Payload,
    Rectification,
    Regrading,
    Reopening,
    ReportRecipient,
    Source,
    Stage,
    Submission,
    Unit,
    Voiding,
    Withdrawal,
    to_date,
)
from hazardloop.store import Append, EventStore, MemoryStore

__all__ = ["Register", "RegisterHooks", "NoHooks", "FRAME_COLUMNS"]

K = EventKind


class RegisterHooks(Protocol):
    """What a register asks of its plugins (see :mod:`hazardloop.plugins` for the pluggy façade)."""

    def validate(self, state: HazardState | None, event: Event) -> None:
        """Called before an event is applied; raise a HazardloopError to refuse it."""
        ...

    def observe(self, before: HazardState | None, after: HazardState, event: Event) -> None:
        """Called after an event has been stored (notifications; escalations included)."""
        ...


class NoHooks:
    """Hooks that accept everything and observe nothing."""

    def validate(self, state: HazardState | None, event: Event) -> None:
        """Accept."""

    def observe(self, before: HazardState | None, after: HazardState, event: Event) -> None:
        """Ignore."""


FRAME_COLUMNS = (
    "hazard_id",
    "hazard_code",
    "unit_code",
    "town",
    "domain",
    "description",
    "location",
    "source",
    "level",
    "stage",
    "found_on",
    "assigned_on",
    "responsible_unit",
    "responsible_person",
    "supervising_department",
    "listing_level",
    "original_deadline",
    "effective_deadline",
    "deadline_provisional",
    "measures",
    "plan",
    "funds",
    "inspection_passed",
    "inspected_on",
    "inspector",
    "closed_on",
    "first_closed_on",
    "first_closed_on_time",
    "reopen_count",
    "extension_count",
    "failed_inspections",
    "withdrawn_on",
    "voided_on",
    "from_ledger",
)
"""The state columns of :meth:`Register.frame`, before the derived status columns."""

_DATE_COLUMNS = (
    "found_on",
    "assigned_on",
    "original_deadline",
    "effective_deadline",
    "inspected_on",
    "closed_on",
    "first_closed_on",
    "withdrawn_on",
    "voided_on",
)


class Register:
    """A register of hazards (隐患台账) and the verbs of the closed loop.

    Every verb takes the date the step happened (``on``) and who took it; the time it was
    recorded comes from ``clock``. Verbs return the hazard's new state.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        calendar: HolidayCalendar | None = None,
        config: DeadlineConfig | None = None,
        store: EventStore | None = None,
        hooks: RegisterHooks | None = None,
    ) -> None:
        self.clock = clock
        self.calendar: HolidayCalendar = calendar if calendar is not None else ChinaCalendar.default()
        self.config = config if config is not None else DeadlineConfig()
        self.store: EventStore = store if store is not None else MemoryStore()
        self.hooks: RegisterHooks = hooks if hooks is not None else NoHooks()
        self._pending: dict[str, Append] | None = None
        # inside a batch, the stored states read so far (None: no such hazard): read once
        self._seen: dict[str, HazardState | None] = {}

    # -----------------------------------------------------------------------------------------
    # appending
    # -----------------------------------------------------------------------------------------

    def _current(self, hazard_id: str) -> HazardState | None:
        if self._pending is None:
            return self.store.state(hazard_id)
        item = self._pending.get(hazard_id)
        if item is not None:
            return item.state
        # a batch reads each stored state once (a durable store answers with a query); what
        # changes underneath it meanwhile is caught when it is stored (expected versions)
        seen = self._seen
        if hazard_id not in seen:
            seen[hazard_id] = self.store.state(hazard_id)
        return seen[hazard_id]

    def _require(self, hazard_id: str) -> HazardState:
        state = self._current(hazard_id)
        if state is None:
            raise UnknownHazardError(f"no hazard {hazard_id!r} in the register")
        return state

    @staticmethod
    def _check_allowed(state: HazardState, kind: EventKind) -> None:
        if kind not in allowed_kinds(state.stage):
            raise TransitionError(state.hazard_id, state.stage, kind, f"not allowed from stage {state.stage.value}")

    def _build(
        self,
        state: HazardState | None,
        hazard_id: str,
        kind: EventKind,
        on: _dt.date,
        actor: Actor,
        payload: Payload,
        *,
        comment: str = "",
        evidence: Sequence[Evidence] = (),
        origin: Origin | None = None,
    ) -> Event:
        return Event(
            hazard_id=hazard_id,
            seq=(state.version if state else 0) + 1,
            kind=kind,
            occurred_on=on,
            recorded_at=self.clock.now(),
            actor=actor,
            payload=payload,
            comment=comment,
            evidence=tuple(evidence),
            origin=origin,
        )

    def append_events(self, events: Sequence[Event]) -> list[HazardState]:
        """Apply ready-made events (one or more hazards, in order) and store them atomically.

        This is the low-level path the verbs, ledger imports and store replays use. Nothing
        is stored if any event is refused.
        """
        if len(events) == 1 and self._pending is None:
            # the verbs' common case, without the grouping below
            event = events[0]
            state = self._current(event.hazard_id)
            self.hooks.validate(state, event)
            new_state = apply(state, event)
            self.store.append([Append(event.hazard_id, state.version if state else 0, (event,), new_state)])
            self.hooks.observe(state, new_state, event)
            return [new_state]
        if events and type(self.hooks) is NoHooks:
            first = events[0].hazard_id
            if all(e.hazard_id == first for e in events) and self._current(first) is None:
                # a new hazard's whole history (a ledger row) and no hooks to show the states
                # in between: fold it in place, the same checks and final state as chaining
                # apply() (lifecycle.fold), without a copy of every intermediate state; stored
                # as the grouping below would store it (nothing is pending for it: _current)
                item = Append(first, 0, tuple(events), fold(events))
                if self._pending is not None:
                    self._pending[first] = item
                else:
                    self.store.append([item])
                return [item.state]
        work: dict[str, tuple[int, list[Event], HazardState | None]] = {}
        observed: list[tuple[HazardState | None, HazardState, Event]] = []
        for event in events:
            hid = event.hazard_id
            if hid not in work:
                start = self._current(hid)
                work[hid] = (start.version if start else 0, [], start)
            version, evs, state = work[hid]
            self.hooks.validate(state, event)
            new = apply(state, event)
            evs.append(event)
            work[hid] = (version, evs, new)
            observed.append((state, new, event))
        batch = [
            Append(hid, version, tuple(evs), state)  # type: ignore[arg-type]
            for hid, (version, evs, state) in work.items()
        ]
        if self._pending is not None:
            for item in batch:
                prior = self._pending.get(item.hazard_id)
                if prior is not None:
                    item = Append(item.hazard_id, prior.expected_version, prior.events + item.events, item.state)
                self._pending[item.hazard_id] = item
        else:
            self.store.append(batch)
        for b, a, e in observed:
            self.hooks.observe(b, a, e)
        return [item.state for item in batch]

    def _record(
        self,
        hazard_id: str,
        kind: EventKind,
        on: _dt.date | str,
        actor: Actor,
        payload: Payload,
        **extra: Any,
    ) -> HazardState:
        state = self._require(hazard_id)
        event = self._build(state, hazard_id, kind, to_date(on), actor, payload, **extra)
        return self.append_events([event])[0]

    @contextlib.contextmanager
    def batch(self) -> Iterator[Register]:
        """Collect every event recorded inside the block and store them atomically at its end.

        If the block raises, nothing of it is stored. Batches do not nest. Inside the block each
        stored state is read once and remembered (iterating the register remembers them all):
        what other writers change meanwhile is not seen, and is caught when the block's events
        are stored (:class:`~hazardloop.errors.ConcurrencyError`, nothing stored).
        """
        if self._pending is not None:
            raise RuntimeError("batches do not nest")
        self._pending = {}
        try:
            yield self
            pending = list(self._pending.values())
            self._pending = None
            if pending:
                self.store.append(pending)
        finally:
            self._pending = None
            self._seen = {}

    # -----------------------------------------------------------------------------------------
    # units
    # -----------------------------------------------------------------------------------------

    def add_unit(self, unit: Unit) -> Unit:
        """Add a unit to the unit register (or replace the one with the same code)."""
        self.store.put_unit(unit)
        return unit

    def unit(self, code: str) -> Unit:
        """The unit with that code; raises UnknownUnitError."""
        unit = self.store.get_unit(code)
        if unit is None:
            raise UnknownUnitError(f"no unit {code!r} in the unit register")
        return unit

    def units(self) -> list[Unit]:
        """Every unit, in code order."""
        return list(self.store.units())

    # -----------------------------------------------------------------------------------------
    # the verbs of the loop
    # -----------------------------------------------------------------------------------------

    def discover(
        self,
        *,
        unit_code: str,
        domain: str,
        description: str,
        on: _dt.date | str,
        source: Source | str,
        level: Level | str,
        actor: Actor,
        town: str | None = None,
        location: str = "",
        hazard_code: str | None = None,
        criteria: Iterable[str] = (),
        measurements: Mapping[str, float] | None = None,
        extra: Mapping[str, Any] | None = None,
        evidence: Sequence[Evidence] = (),
        comment: str = "",
        origin: Origin | None = None,
    ) -> HazardState:
        """发现: report a hazard. ``town`` defaults to the unit's town in the unit register."""
        if town is None:
            town = self.unit(unit_code).town
        payload = Discovery(
            unit_code=unit_code,
            town=town,
            domain=domain,
            description=description,
            source=source,
            level=level,
            location=location,
            hazard_code=hazard_code,
            criteria=tuple(criteria),
            measurements=measurements,
            extra=extra,
        )
        hid = self.store.next_hazard_id()
        event = self._build(
            None, hid, K.DISCOVER, to_date(on), actor, payload, comment=comment, evidence=evidence, origin=origin
        )
        return self.append_events([event])[0]

    def _assignment(
        self,
        state: HazardState,
        *,
        on: _dt.date,
        responsible_unit: str | None,
        responsible_person: Actor,
        supervising_department: str,
        listing_level: ListingLevel | str,
        deadline: _dt.date | str | None,
    ) -> Assignment:
        listing = ListingLevel(listing_level) if not isinstance(listing_level, ListingLevel) else listing_level
        result = assignment_deadline(
            self.config,
            self.calendar,
            level=state.level,
            listing=listing,
            assigned_on=on,
            requested=None if deadline is None else to_date(deadline),
        )
        return Assignment(
            responsible_unit=responsible_unit or state.unit_code,
            responsible_person=responsible_person,
            supervising_department=supervising_department,
            listing_level=listing,
            deadline=result.deadline,
            requested_deadline=deadline,
            rule=result.rule,
            provisional=result.provisional,
        )

    def assign(
        self,
        hazard_id: str,
        *,
        on: _dt.date | str,
        actor: Actor,
        responsible_person: Actor,
        supervising_department: str,
        listing_level: ListingLevel | str = ListingLevel.NONE,
        deadline: _dt.date | str | None = None,
        responsible_unit: str | None = None,
        comment: str = "",
        origin: Origin | None = None,
    ) -> HazardState:
        """交办: hand the hazard to the enterprise and the supervising department (双重交办).

        The deadline comes from the limit table in force on ``on``; ``deadline`` is the
        assigner's date, required where the table leaves it to them and refused where it is
        later than the table allows. ``responsible_unit`` defaults to the hazard's unit.
        """
        state = self._require(hazard_id)
        self._check_allowed(state, K.ASSIGN)
        day = to_date(on)
        payload = self._assignment(
            state,
            on=day,
            responsible_unit=responsible_unit,
            responsible_person=responsible_person,
            supervising_department=supervising_department,
            listing_level=listing_level,
            deadline=deadline,
        )
        return self._record(hazard_id, K.ASSIGN, day, actor, payload, comment=comment, origin=origin)

    def start_rectification(
        self,
        hazard_id: str,
        *,
        on: _dt.date | str,
        actor: Actor,
        measures: str,
        plan: str | None = None,
        funds: float | None = None,
        comment: str = "",
        evidence: Sequence[Evidence] = (),
        origin: Origin | None = None,
    ) -> HazardState:
        """整改: work starts with its measures; a major hazard also needs its plan (治理方案)."""
        payload = Rectification(measures=measures, plan=plan, funds=funds)
        return self._record(
            hazard_id, K.START, on, actor, payload, comment=comment, evidence=evidence, origin=origin
        )

    def submit(
        self,
        hazard_id: str,
        *,
        on: _dt.date | str,
        actor: Actor,
        report: str = "",
        evidence: Sequence[Evidence] = (),
        comment: str = "",
        origin: Origin | None = None,
    ) -> HazardState:
        """提交验收: report the work done and ask for inspection (major hazards need evidence)."""
        return self._record(
            hazard_id, K.SUBMIT, on, actor, Submission(report=report), comment=comment, evidence=evidence, origin=origin
        )

    def inspect(
        self,
        hazard_id: str,
        *,
        on: _dt.date | str,
        inspector: Actor,
        passed: bool,
        comments: str = "",
        evidence: Sequence[Evidence] = (),
        origin: Origin | None = None,
    ) -> HazardState:
        """督查: the inspection's conclusion. Passed stays in 督查 (marked); failed returns to 整改."""
        kind = K.INSPECT_PASS if passed else K.INSPECT_FAIL
        return self._record(
            hazard_id, kind, on, inspector, Inspection(comments=comments), evidence=evidence, origin=origin
        )

    def strike_off(
        self,
        hazard_id: str,
        *,
        on: _dt.date | str,
        actor: Actor,
        note: str = "",
        origin: Origin | None = None,
    ) -> HazardState:
        """销号: strike the hazard off after a passed inspection."""
        return self._record(hazard_id, K.CLOSE, on, actor, Closure(note=note), origin=origin)

    def pass_and_strike_off(
        self,
        hazard_id: str,
        *,
        on: _dt.date | str,
        inspector: Actor,
        comments: str = "",
        closed_by: Actor | None = None,
    ) -> HazardState:
        """Record a passed inspection and the 销号 in one call (two events, stored together)."""
        state = self._require(hazard_id)
        self._check_allowed(state, K.INSPECT_PASS)
        day = to_date(on)
        e1 = self._build(state, hazard_id, K.INSPECT_PASS, day, inspector, Inspection(comments=comments))
        s1 = apply(state, e1)
        e2 = self._build(s1, hazard_id, K.CLOSE, day, closed_by or inspector, Closure())
        return self.append_events([e1, e2])[-1]

    def fix_on_spot(
        self,
        *,
        unit_code: str,
        domain: str,
        description: str,
        on: _dt.date | str,
        source: Source | str,
        actor: Actor,
        responsible_person: Actor,
        supervising_department: str,
        measures: str,
        inspector: Actor,
        town: str | None = None,
        location: str = "",
        hazard_code: str | None = None,
        evidence: Sequence[Evidence] = (),
    ) -> HazardState:
        """即查即改 (16号令 第十五条): a general hazard fixed on the spot.

        Records every stage — found, assigned (deadline the same day), rectifying, submitted,
        inspected and struck off — with the same date, atomically.
        """
        day = to_date(on)
        if town is None:
            town = self.unit(unit_code).town
        hid = self.store.next_hazard_id()
        discovery = Discovery(
            unit_code=unit_code,
            town=town,
            domain=domain,
            description=description,
            source=source,
            level=Level.GENERAL,
            location=location,
            hazard_code=hazard_code,
        )
        events: list[Event] = []
        state: HazardState | None = None

        def step(kind: EventKind, who: Actor, payload: Payload, **extra: Any) -> None:
            nonlocal state
            event = self._build(state, hid, kind, day, who, payload, **extra)
            state = apply(state, event)
            events.append(event)

        step(K.DISCOVER, actor, discovery, comment="即查即改")
        assert state is not None
        step(
            K.ASSIGN,
            actor,
            Assignment(
                responsible_unit=unit_code,
                responsible_person=responsible_person,
                supervising_department=supervising_department,
                listing_level=ListingLevel.NONE,
                deadline=day,
                requested_deadline=day,
                rule="即查即改",
            ),
        )
        step(K.START, responsible_person, Rectification(measures=measures))
        step(K.SUBMIT, responsible_person, Submission(report="即查即改"), evidence=evidence)
        step(K.INSPECT_PASS, inspector, Inspection(comments="即查即改"))
        step(K.CLOSE, inspector, Closure(note="即查即改"))
        return self.append_events(events)[-1]

    def reopen(
        self,
        hazard_id: str,
        *,
        on: _dt.date | str,
        actor: Actor,
        reason: str,
        deadline: _dt.date | str,
        origin: Origin | None = None,
    ) -> HazardState:
        """回头看: reopen a struck-off hazard into 整改 with a new deadline (counted)."""
        payload = Reopening(reason=reason, deadline=deadline)
        return self._record(hazard_id, K.REOPEN, on, actor, payload, origin=origin)

    def withdraw(
        self, hazard_id: str, *, on: _dt.date | str, actor: Actor, reason: str, origin: Origin | None = None
    ) -> HazardState:
        """撤销: withdraw a false report before 交办, with a reason. Nothing is deleted."""
        return self._record(hazard_id, K.WITHDRAW, on, actor, Withdrawal(reason=reason), origin=origin)

    def extend(
        self,
        hazard_id: str,
        *,
        on: _dt.date | str,
        approver: Actor,
        reason: str,
        deadline: _dt.date | str,
        origin: Origin | None = None,
    ) -> HazardState:
        """延期: a later effective deadline, approved and with a reason; the original is kept."""
        payload = Extension(reason=reason, approver=approver, deadline=deadline)
        return self._record(hazard_id, K.EXTEND, on, approver, payload, origin=origin)

    def attach_evidence(
        self,
        hazard_id: str,
        *,
        on: _dt.date | str,
        actor: Actor,
        evidence: Sequence[Evidence],
        note: str = "",
    ) -> HazardState:
        """Attach photos or documents (before or after rectification)."""
        return self._record(hazard_id, K.EVIDENCE, on, actor, Attachment(note=note), evidence=evidence)

    def report_dual(
        self,
        hazard_id: str,
        *,
        on: _dt.date | str,
        actor: Actor,
        recipient: ReportRecipient | str,
        evidence: Sequence[Evidence] = (),
    ) -> HazardState:
        """双报告: record a major hazard's report to the authority or to the workers' congress."""
        return self._record(
            hazard_id, K.DUAL_REPORT, on, actor, DualReport(recipient=recipient), evidence=evidence
        )

    def correct(
        self,
        hazard_id: str,
        *,
        on: _dt.date | str,
        actor: Actor,
        fields: Mapping[str, Any],
        reason: str,
    ) -> HazardState:
        """更正: supersede named fields with a reason; the old values stay in the history."""
        return self._record(hazard_id, K.CORRECT, on, actor, Correction(fields=fields, reason=reason))

    def void(self, hazard_id: str, *, on: _dt.date | str, actor: Actor, reason: str) -> HazardState:
        """作废: mark a hazard entered by mistake; it stays in the history, counted apart."""
        return self._record(hazard_id, K.VOID, on, actor, Voiding(reason=reason))

    def _regrade_payload(
        self, state: HazardState, level: Level, reason: str, criteria: Iterable[str], clause: str
    ) -> Regrading:
        deadline = None
        provisional = False
        if state.assigned_on is not None and level is not state.level and state.listing_level is not None:
            table = self.config.table_for(state.assigned_on)
            rule = table.rule_for(level, state.listing_level)
            if rule is not None and rule.days is not None:
                result = assignment_deadline(
                    self.config,
                    self.calendar,
                    level=level,
                    listing=state.listing_level,
                    assigned_on=state.assigned_on,
                    requested=None,
                )
                deadline, provisional = result.deadline, result.provisional
        return Regrading(
            level=level, reason=reason, criteria=tuple(criteria), clause=clause, deadline=deadline, provisional=provisional
        )

    def regrade(
        self,
        hazard_id: str,
        *,
        on: _dt.date | str,
        actor: Actor,
        level: Level | str,
        reason: str,
        criteria: Iterable[str] = (),
    ) -> HazardState:
        """重新定级: a new level. After 交办 a level change re-derives the deadline from the table."""
        state = self._require(hazard_id)
        self._check_allowed(state, K.REGRADE)
        payload = self._regrade_payload(state, Level(level), reason, criteria, "")
        return self._record(hazard_id, K.REGRADE, on, actor, payload)

    def determine(
        self,
        hazard_id: str,
        *,
        on: _dt.date | str,
        actor: Actor,
        level: Level | str,
        clause: str,
        reason: str,
    ) -> HazardState:
        """人工判定: a manual determination naming who decided, when and under which clause."""
        state = self._require(hazard_id)
        self._check_allowed(state, K.DETERMINE)
        payload = self._regrade_payload(state, Level(level), reason, (), clause)
        return self._record(hazard_id, K.DETERMINE, on, actor, payload)

    # -----------------------------------------------------------------------------------------
    # escalations and provisional deadlines
    # -----------------------------------------------------------------------------------------

    def escalations(
        self, since: _dt.date | str, until: _dt.date | str, *, actor: Actor = SYSTEM
    ) -> list[Event]:
        """Record every escalation tier a hazard entered between ``since`` and ``until``.

        A tier is entered on effective deadline + offset if the hazard was still open (and had
        that deadline) at the end of that day. Each (tier, deadline) is recorded once, as an
        event, so calling this again, or over overlapping windows, records nothing twice, and a
        day missed is caught up. An extension or reopening gives a new deadline and fresh tiers.
        The event is dated on the day the tier was entered, or on the hazard's latest event if
        that is later (events never go back in time); ``entered_on`` keeps the day itself.
        """
        start, end = to_date(since), to_date(until)
        tiers = self.config.tiers
        recorded: list[Event] = []
        # the states in one read and the histories 2,000 hazards at a time: a durable store
        # answers each read with a query, and a county register holds tens of thousands
        candidates = []
        for state in list(self):  # in a batch, the states read are remembered for the appends
            if self._pending is not None and state.hazard_id in self._pending:
                state = self._pending[state.hazard_id].state
            # a voided hazard was entered by mistake: nothing to catch up on
            if state.assigned_on is not None and K.ESCALATE in allowed_kinds(state.stage):
                candidates.append(state)
        for state, (hid, events) in zip(candidates, self.each_history(s.hazard_id for s in candidates)):
            deadlines = sorted(
                {
                    d
                    for ev in events
                    if (d := getattr(ev.payload, "deadline", None)) is not None and isinstance(d, _dt.date)
                }
            )
            due: list[tuple[_dt.date, str, int, _dt.date]] = []
            for d in deadlines:
                for tier in tiers:
                    entered = d + _dt.timedelta(days=tier.offset_days)
                    if start <= entered <= end and (tier.name, d) not in state.escalations:
                        due.append((entered, tier.name, tier.offset_days, d))
            if not due:
                continue
            due.sort()
            new_events: list[Event] = []
            current = state
            for entered, name, offset, d in due:
                then = fold_until(events, entered)
                if then is None or then.stage not in (Stage.ASSIGNED, Stage.RECTIFYING, Stage.INSPECTING):
                    continue
                if then.effective_deadline != d:
                    continue
                day = max(entered, current.last_event_on)
                payload = Escalation(tier=name, offset_days=offset, entered_on=entered, deadline=d)
                event = Event(
                    hazard_id=hid,
                    seq=current.version + 1,
                    kind=K.ESCALATE,
                    occurred_on=day,
                    recorded_at=self.clock.now(),
                    actor=actor,
                    payload=payload,
                )
                current = apply(current, event)
                new_events.append(event)
            if new_events:
                self.append_events(new_events)
                recorded.extend(new_events)
        return recorded

    def recompute_provisional(self, *, on: _dt.date | str, actor: Actor = SYSTEM) -> list[Event]:
        """Recompute, once, every open table deadline counted past the holiday data.

        Call it after giving the register a calendar with the new year's table. A deadline
        that is still provisional (its year still unknown) is left as it is.
        """
        day = to_date(on)
        recorded: list[Event] = []
        for state in list(self):  # in a batch, the states read are remembered for the appends
            if not (state.is_open and state.deadline_provisional and state.assigned_on and state.listing_level):
                continue
            if state.extension_count or state.reopen_count:
                continue
            result = assignment_deadline(
                self.config,
                self.calendar,
                level=state.level,
                listing=state.listing_level,
                assigned_on=state.assigned_on,
                requested=None,
            )
            if result.provisional:
                continue
            payload = DeadlineRecompute(
                deadline=result.deadline, provisional=False, reason="节假日安排公布后重算期限"
            )
            recorded.append(self._build_and_append(state, K.RECOMPUTE, max(day, state.last_event_on), actor, payload))
        return recorded

    def _build_and_append(
        self, state: HazardState, kind: EventKind, day: _dt.date, actor: Actor, payload: Payload
    ) -> Event:
        event = self._build(state, state.hazard_id, kind, day, actor, payload)
        self.append_events([event])
        return event

    # -----------------------------------------------------------------------------------------
    # queries
    # -----------------------------------------------------------------------------------------

    def get(self, hazard_id: str) -> HazardState:
        """The current state of a hazard; raises UnknownHazardError."""
        return self._require(hazard_id)

    def history(self, hazard_id: str) -> tuple[Event, ...]:
        """Every event of a hazard, in order."""
        self._require(hazard_id)
        return tuple(self.store.events(hazard_id))

    def histories(self, hazard_ids: Iterable[str]) -> dict[str, tuple[Event, ...]]:
        """Every event of each of ``hazard_ids`` that the store holds, in order (stored events
        only: not those of a batch still open). Unknown ids are left out; a durable store reads
        them all in a few queries instead of one per hazard."""
        ids = list(dict.fromkeys(hazard_ids))
        bulk = getattr(self.store, "events_of", None)
        if bulk is not None:
            return dict(bulk(ids))
        out = {}
        for hid in ids:
            events = tuple(self.store.events(hid))
            if events:
                out[hid] = events
        return out

    def each_history(self, hazard_ids: Iterable[str], *, at_once: int = 2000) -> Iterator[tuple[str, tuple[Event, ...]]]:
        """``(hazard_id, events)`` for each of ``hazard_ids`` in the order given (no events for an
        unknown id), read through :meth:`histories` ``at_once`` hazards at a time: a register's
        worth of histories in a few queries, never all of them in memory at once."""
        ids = list(hazard_ids)
        for at in range(0, len(ids), at_once):
            part = ids[at : at + at_once]
            found = self.histories(part)
            for hid in part:
                yield hid, found.get(hid, ())

    def __contains__(self, hazard_id: object) -> bool:
        return isinstance(hazard_id, str) and self._current(hazard_id) is not None

    def __len__(self) -> int:
        return self.store.count()

    def __iter__(self) -> Iterator[HazardState]:
        if self._pending is None:
            return iter(self.store.states())
        return self._iter_seen()

    def _iter_seen(self) -> Iterator[HazardState]:
        # inside a batch the states read are remembered, as _current() remembers them (a ledger
        # import reads them all first, then meets most of them again)
        seen = self._seen
        for state in self.store.states():
            seen.setdefault(state.hazard_id, state)
            yield state

    def state_as_of(self, hazard_id: str, as_of: _dt.date | str) -> HazardState | None:
        """The hazard as it stood at the end of ``as_of`` (None if not yet found)."""
        day = to_date(as_of)
        state = self._require(hazard_id)
        if state.last_event_on <= day:
            return state
        return fold_until(self.store.events(hazard_id), day)

    def states_as_of(self, as_of: _dt.date | str) -> Iterator[HazardState]:
        """Every hazard as it stood at the end of ``as_of`` (those found by then)."""
        day = to_date(as_of)
        faster = getattr(self.store, "states_as_of", None)  # a durable store replays in bulk
        if faster is not None:
            yield from faster(day)
            return
        for state in self.store.states():
            if state.last_event_on <= day:
                yield state
            elif state.found_on <= day:
                then = fold_until(self.store.events(state.hazard_id), day)
                if then is not None:
                    yield then

    def status(self, hazard_id: str, on: _dt.date | str) -> HazardStatus:
        """The derived status of one hazard on a date (per-hazard path)."""
        day = to_date(on)
        state = self.state_as_of(hazard_id, day)
        if state is None:
            raise UnknownHazardError(f"hazard {hazard_id!r} had not been found on {day}")
        return status_of(state, day, self.config.due_soon_days)

    def frame(self, as_of: _dt.date | str, *, with_status: bool = True) -> pd.DataFrame:
        """All hazards as of a date, one row each, with the derived status columns.

        Dates are ``datetime64`` columns (NaT where absent); ``stage`` is a categorical of
        the Stage values; status columns come from the vectorised
        :func:`~hazardloop.deadlines.status_frame`.
        """
        day = to_date(as_of)
        faster = getattr(self.store, "frame_as_of", None)  # a durable store replays column-wise
        if faster is not None:
            return faster(day, with_status=with_status, due_soon_days=self.config.due_soon_days)
        return states_frame(self.states_as_of(day), day if with_status else None, self.config.due_soon_days)


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (Stage, Level, Source, ListingLevel)):
        return value.value
    if isinstance(value, Actor):
        return str(value)
    return value


def states_frame(
    states: Iterable[HazardState], as_of: _dt.date | None = None, due_soon_days: int = 7
) -> pd.DataFrame:
    """A frame of hazard states (columns :data:`FRAME_COLUMNS`), with statuses if ``as_of``."""
    columns: dict[str, list[Any]] = {c: [] for c in FRAME_COLUMNS}
    for state in states:
        d = state.__dict__
        for c in FRAME_COLUMNS:
            columns[c].append(_cell(d[c]))
    return typed_frame(columns, as_of, due_soon_days)


def typed_frame(
    columns: dict[str, list[Any]], as_of: _dt.date | None = None, due_soon_days: int = 7
) -> pd.DataFrame:
    """The frame of :data:`FRAME_COLUMNS` from plain column lists (dates, Stage/Level values,
    numbers), typed as :meth:`Register.frame` returns it, with statuses if ``as_of``.

    Shared by the in-memory register and the store's column-wise replay, so both give one dtype set.
    """
    frame = pd.DataFrame(columns, columns=list(FRAME_COLUMNS))
    for c in _DATE_COLUMNS:
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[s]")
    frame["stage"] = pd.Categorical(frame["stage"], categories=[s.value for s in Stage])
    frame["level"] = pd.Categorical(frame["level"], categories=[lv.value for lv in Level])
    for c in ("reopen_count", "extension_count", "failed_inspections"):
        frame[c] = frame[c].astype("int64")
    frame["funds"] = frame["funds"].astype("float64")
    if as_of is not None:
        status = status_frame(frame, as_of, due_soon_days)
        for c in status.columns:
            frame[c] = status[c]
    return frame
