"""The closed loop 发现→交办→整改→督查→销号 as a transition table, and the pure fold over events.

The table is data (:data:`TRANSITIONS`), checked when this module loads: one initial stage,
every stage reachable, and the terminal stages leave only by the exits the rules allow.
:func:`apply` is a pure function: it returns the new :class:`HazardState` or raises a
:class:`~hazardloop.errors.TransitionError` naming the hazard, its stage, the event and the reason.
:func:`fold` replays a history; a hazard's state is always the fold of its events.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from hazardloop.errors import TransitionError
from hazardloop.records import (
    Actor,
    Assignment,
    Correction,
    DeadlineRecompute,
    Discovery,
    DualReport,
    Escalation,
    Event,
    EventKind,
    Evidence,
    EvidencePhase,
    Extension,
    Inspection,
    Level,
    ListingLevel,
    Rectification,
    Regrading,
    Reopening,
    ReportRecipient,
    Source,
    Stage,
    Submission,
    Voiding,
    Withdrawal,
)

__all__ = [
    "Transition",
    "TRANSITIONS",
    "TERMINAL_EXITS",
    "HazardState",
    "apply",
    "fold",
    "fold_until",
    "allowed_kinds",
]

S = Stage
K = EventKind
_MAJOR_LEVEL = Level.MAJOR


@attrs.frozen
class Transition:
    """One row of the table: in stage ``source`` an event of ``kind`` leads to ``target``.

    ``source`` None is the initial edge; ``target`` None means the stage does not change
    (the event annotates the hazard: an extension, evidence, a correction…).
    """

    source: Stage | None
    kind: EventKind
    target: Stage | None


_OPEN = (S.DISCOVERED, S.ASSIGNED, S.RECTIFYING, S.INSPECTING)
_ASSIGNED_OPEN = (S.ASSIGNED, S.RECTIFYING, S.INSPECTING)
_LIVE = (*_OPEN, S.CLOSED)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(None, K.DISCOVER, S.DISCOVERED),
    Transition(S.DISCOVERED, K.WITHDRAW, S.WITHDRAWN),
    Transition(S.DISCOVERED, K.ASSIGN, S.ASSIGNED),
    Transition(S.ASSIGNED, K.START, S.RECTIFYING),
    Transition(S.RECTIFYING, K.SUBMIT, S.INSPECTING),
    Transition(S.INSPECTING, K.INSPECT_PASS, None),  # stays in 督查, marked passed
    Transition(S.INSPECTING, K.INSPECT_FAIL, S.RECTIFYING),
    Transition(S.INSPECTING, K.CLOSE, S.CLOSED),
    Transition(S.CLOSED, K.REOPEN, S.RECTIFYING),
    *(Transition(s, K.VOID, S.VOIDED) for s in _LIVE),
    *(Transition(s, K.EXTEND, None) for s in _ASSIGNED_OPEN),
    # a hazard closed since may still be caught up on a tier it entered while open
    *(Transition(s, K.ESCALATE, None) for s in (*_ASSIGNED_OPEN, S.CLOSED)),
    *(Transition(s, K.RECOMPUTE, None) for s in _ASSIGNED_OPEN),
    *(Transition(s, K.REGRADE, None) for s in _OPEN),
    *(Transition(s, K.DETERMINE, None) for s in _OPEN),
    *(Transition(s, K.EVIDENCE, None) for s in _LIVE),
    *(Transition(s, K.DUAL_REPORT, None) for s in _LIVE),
    *(Transition(s, K.CORRECT, None) for s in _LIVE),
)
"""The whole lifecycle. Everything not listed here is refused."""

TERMINAL_EXITS: Mapping[Stage, frozenset[EventKind]] = {
    S.CLOSED: frozenset({K.REOPEN, K.VOID}),  # 回头看 may reopen; a mistaken entry may be voided
    S.WITHDRAWN: frozenset(),
    S.VOIDED: frozenset(),
}
"""The only stage-changing events the rules allow out of a terminal stage."""

_TABLE: dict[tuple[Stage | None, EventKind], Stage | None] = {}


def _check_table(table: Iterable[Transition]) -> dict[tuple[Stage | None, EventKind], Stage | None]:
    """Validate the table; raise AssertionError (at import) if it breaks a structural rule."""
    index: dict[tuple[Stage | None, EventKind], Stage | None] = {}
    for t in table:
        key = (t.source, t.kind)
        if key in index:
            raise AssertionError(f"duplicate transition {key}")
        index[key] = t.target
    initial = {t.target for t in table if t.source is None}
    if len(initial) != 1:
        raise AssertionError(f"exactly one initial stage expected, found {initial}")
    (start,) = initial
    reached = {start}
    frontier = [start]
    while frontier:
        stage = frontier.pop()
        for (src, _kind), tgt in index.items():
            if src is stage and tgt is not None and tgt not in reached:
                reached.add(tgt)
                frontier.append(tgt)
    missing = set(Stage) - reached
    if missing:
        raise AssertionError(f"stages unreachable from {start}: {missing}")
    for stage, exits in TERMINAL_EXITS.items():
        actual = {k for (src, k), tgt in index.items() if src is stage and tgt is not None}
        if actual != set(exits):
            raise AssertionError(f"terminal stage {stage} has exits {actual}, rules allow {set(exits)}")
    for stage in Stage:
        if stage not in TERMINAL_EXITS and stage.is_open is False:
            raise AssertionError(f"stage {stage} is neither open nor a known terminal stage")
    return index


_TABLE.update(_check_table(TRANSITIONS))


_ALLOWED: dict[Stage | None, frozenset[EventKind]] = {
    stage: frozenset(k for (src, k) in _TABLE if src is stage) for stage in (None, *Stage)
}


def allowed_kinds(stage: Stage | None) -> frozenset[EventKind]:
    """The event kinds the table allows in ``stage`` (before the rules are checked)."""
    return _ALLOWED[stage]


# ---------------------------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------------------------


@attrs.frozen(slots=False)
class HazardState:
    """What a hazard's events fold to. Derived, never edited; build it with :func:`fold`."""

    hazard_id: str
    version: int
    stage: Stage
    last_event_on: _dt.date
    # 发现
    unit_code: str
    town: str
    domain: str
    description: str
    location: str
    found_on: _dt.date
    source: Source
    level: Level
    hazard_code: str | None
    criteria: tuple[str, ...]
    measurements: tuple[tuple[str, float], ...]
    extra: tuple[tuple[str, Any], ...]
    found_by: Actor
    # 交办
    assigned_on: _dt.date | None = None
    responsible_unit: str | None = None
    responsible_person: Actor | None = None
    supervising_department: str | None = None
    listing_level: ListingLevel | None = None
    original_deadline: _dt.date | None = None
    effective_deadline: _dt.date | None = None
    deadline_provisional: bool = False
    deadline_rule: str = ""
    # 整改
    started_on: _dt.date | None = None
    measures: str | None = None
    plan: str | None = None
    funds: float | None = None
    # 督查
    submitted_on: _dt.date | None = None
    inspection_passed: bool | None = None
    inspected_on: _dt.date | None = None
    inspector: Actor | None = None
    inspection_comments: str = ""
    failed_inspections: int = 0
    # 销号
    closed_on: _dt.date | None = None
    closed_by: Actor | None = None
    first_closed_on: _dt.date | None = None
    first_closed_on_time: bool | None = None
    reopen_count: int = 0
    last_reopened_on: _dt.date | None = None
    extension_count: int = 0
    # terminal
    withdrawn_on: _dt.date | None = None
    voided_on: _dt.date | None = None
    end_reason: str = ""
    # annotations
    dual_reports: tuple[tuple[ReportRecipient, _dt.date], ...] = ()
    evidence: tuple[Evidence, ...] = ()
    escalations: tuple[tuple[str, _dt.date], ...] = ()
    correction_count: int = 0
    regrade_count: int = 0
    determination: str = ""
    from_ledger: bool = False

    @property
    def is_open(self) -> bool:
        """True while the hazard awaits closure (发现, 交办, 整改 or 督查)."""
        return self.stage.is_open

    @property
    def is_major(self) -> bool:
        """True for a major hazard (重大事故隐患)."""
        return self.level is _MAJOR_LEVEL

    def measurement(self, name: str, default: float | None = None) -> float | None:
        """One measured value given with the hazard (quantities, counts, factors)."""
        for key, val in self.measurements:
            if key == name:
                return val
        return default

    def _replace(self, **changes: Any) -> HazardState:
        # attrs.evolve re-runs __init__ over ~60 fields; a dict copy is ~10x faster on the hot path
        new = object.__new__(HazardState)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new


_STATE_DEFAULTS = {a.name: a.default for a in attrs.fields(HazardState) if a.default is not attrs.NOTHING}
assert not any(isinstance(v, attrs.Factory) for v in _STATE_DEFAULTS.values())  # type: ignore[arg-type]
assert [a.name for a in attrs.fields(HazardState) if a.default is attrs.NOTHING] == [
    "hazard_id", "version", "stage", "last_event_on", "unit_code", "town", "domain", "description", "location",
    "found_on", "source", "level", "hazard_code", "criteria", "measurements", "extra", "found_by",
], "_on_discover sets the required fields in declaration order"


# ---------------------------------------------------------------------------------------------
# Applying one event
# ---------------------------------------------------------------------------------------------


def _refuse(state: HazardState | None, event: Event, reason: str) -> TransitionError:
    return TransitionError(event.hazard_id, state.stage if state else None, event.kind, reason)


def _on_discover(state: HazardState | None, e: Event) -> HazardState:
    p: Discovery = e.payload  # type: ignore[assignment]
    # HazardState(...) without attrs' __init__ (a fold starts here for every hazard; the class has
    # no converters or validators): the same fields, in declaration order, defaults from the class
    new = object.__new__(HazardState)
    fields = new.__dict__
    fields.update(
        hazard_id=e.hazard_id,
        version=e.seq,
        stage=S.DISCOVERED,
        last_event_on=e.occurred_on,
        unit_code=p.unit_code,
        town=p.town,
        domain=p.domain,
        description=p.description,
        location=p.location,
        found_on=e.occurred_on,
        source=p.source,
        level=p.level,
        hazard_code=p.hazard_code,
        criteria=p.criteria,
        measurements=p.measurements,
        extra=p.extra,
        found_by=e.actor,
    )
    fields.update(_STATE_DEFAULTS)
    fields["evidence"] = e.evidence
    fields["from_ledger"] = e.origin is not None
    return new


def _on_assign(s: HazardState, e: Event) -> dict[str, Any]:
    p: Assignment = e.payload  # type: ignore[assignment]
    if p.deadline < e.occurred_on:
        raise _refuse(s, e, f"deadline {p.deadline} is before the 交办 date {e.occurred_on}")
    return dict(
        assigned_on=e.occurred_on,
        responsible_unit=p.responsible_unit,
        responsible_person=p.responsible_person,
        supervising_department=p.supervising_department,
        listing_level=p.listing_level,
        original_deadline=p.deadline,
        effective_deadline=p.deadline,
        deadline_provisional=p.provisional,
        deadline_rule=p.rule,
    )


def _on_start(s: HazardState, e: Event) -> dict[str, Any]:
    p: Rectification = e.payload  # type: ignore[assignment]
    if s.is_major and p.plan is None and e.origin is None:
        raise _refuse(s, e, "a major hazard needs a rectification plan (治理方案) to start 整改")
    return dict(started_on=e.occurred_on, measures=p.measures, plan=p.plan, funds=p.funds)


def _on_submit(s: HazardState, e: Event) -> dict[str, Any]:
    _: Submission = e.payload  # type: ignore[assignment]
    if s.is_major and e.origin is None:
        has_after = any(ev.phase is not EvidencePhase.BEFORE for ev in (*s.evidence, *e.evidence))
        if not has_after:
            raise _refuse(
                s, e, "a major hazard needs at least one piece of rectification evidence to be submitted"
            )
    return dict(submitted_on=e.occurred_on, inspection_passed=None)


def _check_inspector(s: HazardState, e: Event) -> None:
    if (
        e.origin is None
        and s.responsible_person is not None
        and e.actor.id == s.responsible_person.id
    ):
        raise _refuse(
            s, e, f"the inspector {e.actor} is the person responsible for the rectification"
        )


def _on_inspect_pass(s: HazardState, e: Event) -> dict[str, Any]:
    p: Inspection = e.payload  # type: ignore[assignment]
    if s.inspection_passed:
        raise _refuse(s, e, "the inspection has already passed; strike the hazard off (销号)")
    _check_inspector(s, e)
    return dict(
        inspection_passed=True, inspected_on=e.occurred_on, inspector=e.actor, inspection_comments=p.comments
    )


def _on_inspect_fail(s: HazardState, e: Event) -> dict[str, Any]:
    p: Inspection = e.payload  # type: ignore[assignment]
    if s.inspection_passed:
        raise _refuse(s, e, "the inspection has already passed")
    _check_inspector(s, e)
    # back to 整改; the deadline does not restart
    return dict(
        stage=S.RECTIFYING,
        inspection_passed=False,
        inspected_on=e.occurred_on,
        inspector=e.actor,
        inspection_comments=p.comments,
        failed_inspections=s.failed_inspections + 1,
    )


def _on_close(s: HazardState, e: Event) -> dict[str, Any]:
    if not s.inspection_passed:
        raise _refuse(s, e, "a hazard is struck off (销号) only after a passed inspection")
    if s.is_major and not s.plan and e.origin is None:
        raise _refuse(s, e, "a major hazard cannot be struck off without a rectification plan (治理方案)")
    changes: dict[str, Any] = dict(closed_on=e.occurred_on, closed_by=e.actor)
    if s.first_closed_on is None:
        changes["first_closed_on"] = e.occurred_on
        changes["first_closed_on_time"] = (
            s.effective_deadline is None or e.occurred_on <= s.effective_deadline
        )
    return changes


def _on_reopen(s: HazardState, e: Event) -> dict[str, Any]:
    p: Reopening = e.payload  # type: ignore[assignment]
    if p.deadline <= e.occurred_on:
        raise _refuse(s, e, f"the new deadline {p.deadline} must be after the reopening date")
    return dict(
        reopen_count=s.reopen_count + 1,
        last_reopened_on=e.occurred_on,
        closed_on=None,
        closed_by=None,
        inspection_passed=None,
        effective_deadline=p.deadline,
        deadline_provisional=p.provisional,
        end_reason=p.reason,
    )


def _on_withdraw(s: HazardState, e: Event) -> dict[str, Any]:
    p: Withdrawal = e.payload  # type: ignore[assignment]
    return dict(withdrawn_on=e.occurred_on, end_reason=p.reason)


def _on_extend(s: HazardState, e: Event) -> dict[str, Any]:
    p: Extension = e.payload  # type: ignore[assignment]
    assert s.effective_deadline is not None
    if p.deadline <= s.effective_deadline:
        raise _refuse(
            s, e, f"an extension must give more time than the effective deadline {s.effective_deadline}"
        )
    return dict(
        effective_deadline=p.deadline,
        deadline_provisional=p.provisional,
        extension_count=s.extension_count + 1,
    )


def _on_evidence(s: HazardState, e: Event) -> dict[str, Any]:
    if not e.evidence:
        raise _refuse(s, e, "no evidence attached")
    return {}


def _on_dual_report(s: HazardState, e: Event) -> dict[str, Any]:
    p: DualReport = e.payload  # type: ignore[assignment]
    if not s.is_major:
        raise _refuse(s, e, "双报告 applies to major hazards only")
    return dict(dual_reports=(*s.dual_reports, (p.recipient, e.occurred_on)))


def _on_correct(s: HazardState, e: Event) -> dict[str, Any]:
    p: Correction = e.payload  # type: ignore[assignment]
    changes: dict[str, Any] = dict(p.fields)
    if "source" in changes:
        changes["source"] = Source(changes["source"])
    if "funds" in changes and changes["funds"] is not None:
        changes["funds"] = float(changes["funds"])
    for key in ("description", "town", "responsible_unit", "supervising_department", "measures"):
        if key in changes and not (isinstance(changes[key], str) and changes[key].strip()):
            raise _refuse(s, e, f"{key} cannot be corrected to an empty value")
    changes["correction_count"] = s.correction_count + 1
    return changes


def _on_void(s: HazardState, e: Event) -> dict[str, Any]:
    p: Voiding = e.payload  # type: ignore[assignment]
    return dict(voided_on=e.occurred_on, end_reason=p.reason)


def _on_regrade(s: HazardState, e: Event) -> dict[str, Any]:
    p: Regrading = e.payload  # type: ignore[assignment]
    changes: dict[str, Any] = dict(
        level=p.level, criteria=p.criteria or s.criteria, regrade_count=s.regrade_count + 1
    )
    if e.kind is K.DETERMINE:
        changes["determination"] = f"{p.clause} ({e.actor}, {e.occurred_on})".strip()
    if p.deadline is not None:
        if s.assigned_on is None:
            raise _refuse(s, e, "no deadline can be re-derived before 交办")
        changes.update(
            original_deadline=p.deadline, effective_deadline=p.deadline, deadline_provisional=p.provisional
        )
    return changes


def _on_escalate(s: HazardState, e: Event) -> dict[str, Any]:
    p: Escalation = e.payload  # type: ignore[assignment]
    key = (p.tier, p.deadline)
    if key in s.escalations:
        raise _refuse(s, e, f"tier {p.tier} was already recorded for deadline {p.deadline}")
    return dict(escalations=(*s.escalations, key))


def _on_recompute(s: HazardState, e: Event) -> dict[str, Any]:
    p: DeadlineRecompute = e.payload  # type: ignore[assignment]
    if not s.deadline_provisional:
        raise _refuse(s, e, "the deadline is not provisional")
    changes: dict[str, Any] = dict(effective_deadline=p.deadline, deadline_provisional=p.provisional)
    if s.extension_count == 0 and s.reopen_count == 0:
        changes["original_deadline"] = p.deadline
    return changes


_HANDLERS: dict[EventKind, Callable[[HazardState, Event], dict[str, Any]]] = {
    K.ASSIGN: _on_assign,
    K.START: _on_start,
    K.SUBMIT: _on_submit,
    K.INSPECT_PASS: _on_inspect_pass,
    K.INSPECT_FAIL: _on_inspect_fail,
    K.CLOSE: _on_close,
    K.REOPEN: _on_reopen,
    K.WITHDRAW: _on_withdraw,
    K.EXTEND: _on_extend,
    K.EVIDENCE: _on_evidence,
    K.DUAL_REPORT: _on_dual_report,
    K.CORRECT: _on_correct,
    K.VOID: _on_void,
    K.REGRADE: _on_regrade,
    K.DETERMINE: _on_regrade,
    K.ESCALATE: _on_escalate,
    K.RECOMPUTE: _on_recompute,
}
assert set(_HANDLERS) | {K.DISCOVER} == set(EventKind)
# one lookup per event: the table's target and the handler that checks the rules
_RULES = {key: (target, _HANDLERS[key[1]]) for key, target in _TABLE.items() if key[0] is not None}


_DISCOVER = K.DISCOVER


def apply(state: HazardState | None, event: Event) -> HazardState:
    """Apply one event to a hazard's state and return the new state.

    ``state`` is None for a hazard's first event, which must be 发现. Raises
    :class:`~hazardloop.errors.TransitionError` when the table or a rule refuses the event:
    a wrong hazard or sequence number, an event dated before the hazard's latest event,
    a transition the table does not hold, or a rule of LIFECYCLE.md §1.
    """
    if state is None:
        return _first(event)
    return state._replace(**_changes(state, event))


def _first(event: Event) -> HazardState:
    if event.kind is not _DISCOVER:
        raise TransitionError(event.hazard_id, None, event.kind, "a hazard's first event must be 发现")
    if event.seq != 1:
        raise TransitionError(event.hazard_id, None, event.kind, f"first event has seq {event.seq}, not 1")
    return _on_discover(None, event)


def _changes(state: HazardState, event: Event) -> dict[str, Any]:
    # the fields ``event`` changes on ``state``, after every check; shared by apply and the folds
    if event.hazard_id != state.hazard_id:
        raise _refuse(state, event, f"event belongs to hazard {event.hazard_id}")
    if event.seq != state.version + 1:
        raise _refuse(state, event, f"event seq {event.seq} does not follow version {state.version}")
    if event.occurred_on < state.last_event_on:
        raise _refuse(
            state, event, f"dated {event.occurred_on}, before the hazard's latest event ({state.last_event_on})"
        )
    rule = _RULES.get((state.stage, event.kind))
    if rule is None:
        raise _refuse(state, event, f"not allowed from stage {state.stage.value}")
    target, handler = rule
    changes = handler(state, event)
    if target is not None and "stage" not in changes:
        changes["stage"] = target
    changes["version"] = event.seq
    changes["last_event_on"] = event.occurred_on
    if event.evidence:
        changes["evidence"] = (*state.evidence, *event.evidence)
    if event.origin is not None and not state.from_ledger:
        changes["from_ledger"] = True
    return changes


def fold(events: Iterable[Event]) -> HazardState:
    """The state a hazard's history folds to. Raises ValueError for an empty history."""
    it = iter(events)
    first = next(it, None)
    if first is None:
        raise ValueError("cannot fold an empty history")
    state = _first(first)
    # the state is private to this fold until it returns, so it is updated in place: the same
    # result as chaining apply(), without a copy of every intermediate state
    fields = state.__dict__
    for event in it:
        fields.update(_changes(state, event))
    return state


def fold_until(events: Iterable[Event], as_of: _dt.date) -> HazardState | None:
    """The state as it stood at the end of ``as_of``: the fold of the events that had happened.

    Returns None when the hazard had not been found yet. Events are in date order (the
    lifecycle refuses an event dated before the latest), so the fold stops at the first later one.
    """
    state: HazardState | None = None
    for event in events:
        if event.occurred_on > as_of:
            break
        if state is None:
            state = _first(event)
        else:
            state.__dict__.update(_changes(state, event))  # private until returned, as in fold()
    return state
