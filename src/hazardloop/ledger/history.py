"""Rebuilding a hazard's history from a ledger row, and moving a held hazard to where a row says.

:class:`Step` is one event a row shows (kind, date, deadline, what was inferred);
:class:`EventBuilder` turns steps into register events marked with their
:class:`~hazardloop.records.Origin`; :func:`advance` finds the events that take a hazard already
held to where a row without 办理过程 says it stands (forward moves, the backward moves the
lifecycle allows, refusals with a reason). Internal to :mod:`hazardloop.ledger`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
from attrs import frozen

from hazardloop.deadlines import assignment_deadline
from hazardloop.ledger.cells import RESULT_WORDS, Claim, clean_text
from hazardloop.lifecycle import HazardState, apply
from hazardloop.records import (
    PAYLOAD_TYPES,
    Actor,
    Assignment,
    Closure,
    Event,
    EventKind,
    Extension,
    Inspection,
    ListingLevel,
    Origin,
    Payload,
    Rectification,
    Reopening,
    Submission,
    Voiding,
    Withdrawal,
)
from hazardloop.register import Register

if TYPE_CHECKING:
    from hazardloop.ledger.rows import RowFacts

__all__ = [
    "UNSTATED",
    "HISTORY_KINDS",
    "RowRejected",
    "Step",
    "ledger_actor",
    "person_actor",
    "norm_text",
    "identity_text",
    "IDENTITY_CHARS",
    "fill_dates",
    "fill_from",
    "event_key",
    "same_event",
    "EventBuilder",
    "position",
    "advance",
    "after_history",
]

K = EventKind
UNSTATED = "（台账未载明）"
"""Text recorded where the lifecycle needs a value the ledger does not give (marked inferred)."""

HISTORY_KINDS = frozenset(
    {K.DISCOVER, K.ASSIGN, K.START, K.SUBMIT, K.INSPECT_PASS, K.INSPECT_FAIL, K.CLOSE, K.REOPEN, K.WITHDRAW, K.EXTEND, K.VOID}
)
"""The event kinds a ledger can show; other events (escalations, corrections…) are not compared."""


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------


def ledger_actor(file: str, sheet: str, row: int) -> Actor:
    """The actor recorded where a ledger names nobody: the ledger row itself."""
    name = file.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return Actor(f"ledger:{name}#{sheet}!{row}", f"台账{name}[{sheet}]第{row}行", "台账导入")


# ---------------------------------------------------------------------------------------------
# Unchecked constructors (the import's hot path)
# ---------------------------------------------------------------------------------------------


def unchecked(cls: type) -> Any:
    """A constructor for the frozen attrs class ``cls`` that stores its arguments as given.

    It skips the converters and validators, so it is only for values already in the form
    they would convert to (stripped non-empty text, enum members, dates, tuples): the callers
    below check that cheaply, or build the value so that it holds, and fall back to the
    validated constructor otherwise. ``tests/test_ledger_fast.py`` checks that the records it
    makes equal the validated ones. The fields are positional, in attrs order, all required.
    """
    names = [a.name for a in attrs.fields(cls)]
    ns: dict[str, Any] = {"_new": object.__new__, "cls": cls}
    src = f"def make({', '.join(names)}):\n    self = _new(cls)\n"
    for i, n in enumerate(names):
        slot: Any = cls.__dict__.get(n)
        if type(slot).__name__ == "member_descriptor":  # a slotted class: set the slot directly
            ns[f"_s{i}"] = slot.__set__
            src += f"    _s{i}(self, {n})\n"
        else:
            ns["_set"] = object.__setattr__
            src += f"    _set(self, {n!r}, {n})\n"
    src += "    return self\n"
    exec(src, ns)  # noqa: S102 - generated from the class's own field names, as attrs does
    return ns["make"]


_new_event = unchecked(Event)
_new_origin = unchecked(Origin)
_new_actor = unchecked(Actor)
_new_assignment = unchecked(Assignment)
_PAYLOAD_TYPES = PAYLOAD_TYPES
_DATE = _dt.date


def _clean(text: Any) -> bool:
    """True for text a ``_strip`` + non-empty field keeps as it is."""
    return text.__class__ is str and bool(text) and text.strip() == text


def fast_ledger_actor(file: str, sheet: str, row: int) -> Actor:
    """:func:`ledger_actor`, without the validators: its id starts with ``ledger:`` and ends
    with the row number and its name starts with 台账 and ends with 行, so both are stripped
    and non-empty; the organisation is a constant."""
    if row.__class__ is not int:
        return ledger_actor(file, sheet, row)
    name = _file_name(file)
    return _new_actor(f"ledger:{name}#{sheet}!{row}", f"台账{name}[{sheet}]第{row}行", "台账导入")


@functools.lru_cache(maxsize=64)  # one per file of an import, asked for every row
def _file_name(file: str) -> str:
    return file.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]


def person_actor(name: str, organisation: str = "") -> Actor:
    """A person a ledger names; the id is derived from the name and organisation."""
    return Actor(f"ledger-person:{organisation}:{name}", name, organisation)


class RowRejected(Exception):
    """A row refused: the column, the value (shortened) and the reason, for the report."""

    def __init__(self, column: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.value = "" if value is None else clean_text(value)[:200]
        self.reason = reason



@frozen
class Step:
    """One event a row shows: kind, date (None: inferred later), deadline, inferred fields."""

    kind: EventKind
    on: _dt.date | None
    deadline: _dt.date | None = None
    inferred: tuple[str, ...] = ()


_new_step = unchecked(Step)  # Step has no converters or validators: the same records, faster

_FOLD = re.compile(r"[\s。.;；,，]+")


@functools.lru_cache(maxsize=1 << 16)  # a row's texts are folded several times (index, lookups)
def norm_text(text: str) -> str:
    """Text as identities compare it: NFKC (full-width → half-width), no whitespace or ,.; marks."""
    return _FOLD.sub("", unicodedata.normalize("NFKC", text))


IDENTITY_CHARS = 16_384
"""How much of a normalised description an identity compares. Excel holds at most 32,767
characters in a cell, so a longer description comes back from an exported ledger cut short; its
first 16,384 normalised characters (half the limit: normalising drops spaces and marks) still
name the same hazard, and no two real hazards of one unit, place and day share that many."""


def identity_text(text: str) -> str:
    """:func:`norm_text` of a description, cut to :data:`IDENTITY_CHARS` (see there)."""
    return norm_text(text)[:IDENTITY_CHARS]



# ---------------------------------------------------------------------------------------------
# Building events
# ---------------------------------------------------------------------------------------------

_NEXT_DATED = {K.SUBMIT, K.INSPECT_PASS, K.INSPECT_FAIL, K.CLOSE}


def fill_dates(steps: Sequence[Step]) -> list[Step]:
    """Give inferred steps a date: completion steps the next known date, others the previous."""
    out = list(steps)
    prev = None  # the date of the nearest step before, as filled
    for i, s in enumerate(out):
        if s.on is None:
            nxt = next((t.on for t in out[i + 1 :] if t.on is not None), None) if s.kind in _NEXT_DATED else None
            day = nxt if nxt is not None and (prev is None or nxt >= prev) else prev
            s = out[i] = _new_step(s.kind, day, s.deadline, s.inferred)  # attrs.evolve(s, on=day), faster
        if s.on is not None:
            prev = s.on
    return out


def event_key(event: Event) -> tuple[EventKind, _dt.date, _dt.date | None, bool]:
    inferred = event.origin is not None and "date" in event.origin.inferred
    return (event.kind, event.occurred_on, getattr(event.payload, "deadline", None), inferred)


def same_event(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return a[0] is b[0] and (a[1] == b[1] or a[3] or b[3]) and a[2] == b[2]


class BuildCache:
    """What the event builders of one import share (they are made once per row).

    Deadlines computed by the limit table per (level, listing, 交办 date, requested deadline)
    (the register's config and calendar do not change during an import), payloads that repeat
    (immutable records: one instance serves every event that carries an equal one), and which
    file/sheet names and inferred-field tuples may go into an :class:`Origin` unchecked.
    """

    def __init__(self) -> None:
        self.deadlines: dict[tuple[Any, ...], tuple[Any, str, bool]] = {}
        self.payloads: dict[tuple[Any, ...], Payload] = {}
        self.places: dict[tuple[str, str], bool] = {}
        self.inferred: dict[tuple[str, ...], bool] = {}


class EventBuilder:
    """Builds one row's events on a hazard's working state."""

    def __init__(
        self, register: Register, facts: RowFacts, origin_base: tuple[str, str, int], cache: BuildCache | None = None
    ) -> None:
        self.register = register
        self.facts = facts
        self.file, self.sheet, self.row = origin_base
        self.cache = cache = cache if cache is not None else BuildCache()
        self.ledger = fast_ledger_actor(*origin_base)
        place = cache.places.get((self.file, self.sheet))
        if place is None:
            place = cache.places[(self.file, self.sheet)] = _clean(self.file) and (
                self.sheet.__class__ is str and self.sheet.strip() == self.sheet)
        self._unchecked_origin = place and self.row.__class__ is int  # file, sheet and row as Origin keeps them

    def origin(self, inferred: Iterable[str]) -> Origin:
        key = tuple(inferred)
        known = self.cache.inferred
        ok = known.get(key)
        if ok is None:
            ok = known[key] = all(_clean(x) for x in key)
        if ok and self._unchecked_origin:
            return _new_origin(self.file, self.sheet, self.row, key)
        return Origin(self.file, self.sheet, self.row, inferred=key)

    def _deadline(self, level: Any, listing: ListingLevel, on: _dt.date, requested: _dt.date | None) -> tuple[Any, str, bool]:
        """The limit table's deadline, rule text and provisional flag for a 交办 (cached)."""
        key = (level, listing, on, requested)
        hit = self.cache.deadlines.get(key)
        if hit is None:
            result = assignment_deadline(
                self.register.config, self.register.calendar, level=level, listing=listing,
                assigned_on=on, requested=requested,
            )
            hit = self.cache.deadlines[key] = (result.deadline, f"台账: {result.rule}", result.provisional)
        return hit

    def payload(self, step: Step) -> tuple[Payload, Actor, tuple[str, ...]]:
        """The payload and actor of ``step``'s event, and the fields inferred for it."""
        f = self.facts
        t, p = f.texts, f.people
        inferred = step.inferred
        k = step.kind
        key: tuple[Any, ...] | None
        payload: Payload | None
        if k is K.DISCOVER:
            inferred += f.inferred_text
            if "finder" not in p:
                inferred += ("actor",)
            return f.discovery, p.get("finder", self.ledger), inferred
        if k is K.ASSIGN:
            assert step.deadline is not None and step.on is not None
            dept = t["supervising_department"]
            if not dept:
                dept = UNSTATED
                inferred += ("supervising_department",)
            listing = ListingLevel.NONE
            if t["listing_level"]:
                try:
                    listing = ListingLevel(t["listing_level"])
                except ValueError as exc:
                    raise RowRejected("挂牌督办级别", t["listing_level"], "挂牌督办级别应为 省级/市级/县级/未挂牌") from exc
            deadline, rule, provisional = self._deadline(f.discovery.level, listing, step.on, step.deadline)
            person = p.get("responsible_person")
            if person is None:
                inferred += ("responsible_person",)
            who = person or self.ledger
            unit = t["responsible_unit"]
            requested = step.deadline
            if (_clean(unit) and who.__class__ is Actor and _clean(dept) and deadline.__class__ is _DATE
                    and requested.__class__ is _DATE and _clean(rule) and provisional.__class__ is bool):
                payload = _new_assignment(unit, who, dept, listing, deadline, requested, rule, provisional)
            else:
                payload = Assignment(
                    responsible_unit=unit,
                    responsible_person=who,
                    supervising_department=dept,
                    listing_level=listing,
                    deadline=deadline,
                    requested_deadline=requested,
                    rule=rule,
                    provisional=provisional,
                )
            return payload, p.get("supervisor", self.ledger), inferred
        payloads = self.cache.payloads
        if k is K.START:
            measures = t["measures"]
            if not measures:
                measures = UNSTATED
                inferred += ("measures",)
            funds = t["funds"]
            # a zero is left out of the cache: 0.0 and -0.0 are equal keys but print differently
            key = (K.START, measures, t["plan"], funds.__class__, funds) if funds is None or funds else None
            payload = payloads.get(key) if key is not None else None
            if payload is None:
                payload = Rectification(measures=measures, plan=t["plan"], funds=funds)
                if key is not None:
                    payloads[key] = payload
            return payload, p.get("responsible_person", self.ledger), inferred
        if k is K.SUBMIT:
            key = (K.SUBMIT, t["report"])
            payload = payloads.get(key)
            if payload is None:
                payload = payloads[key] = Submission(report=t["report"])
            return payload, p.get("responsible_person", self.ledger), inferred
        if k is K.INSPECT_PASS or k is K.INSPECT_FAIL:
            key = (K.INSPECT_PASS, t["comments"])
            payload = payloads.get(key)
            if payload is None:
                comments = t["comments"] if norm_text(t["comments"]) not in RESULT_WORDS else ""
                payload = payloads[key] = Inspection(comments=comments)
            return payload, p.get("inspector", self.ledger), inferred
        if k is K.CLOSE:
            payload = payloads.get((K.CLOSE,))
            if payload is None:
                payload = payloads[(K.CLOSE,)] = Closure()
            return payload, p.get("inspector", self.ledger), inferred
        if k is K.REOPEN:
            if step.deadline is None:
                raise RowRejected("回头看日期", step.on, "回头看需要新的整改期限 (延期后期限)")
            return Reopening(reason="回头看 (台账记载)", deadline=step.deadline), self.ledger, inferred
        if k is K.EXTEND:
            assert step.deadline is not None
            return Extension(reason="延期 (台账记载)", approver=self.ledger, deadline=step.deadline), self.ledger, inferred
        if k is K.WITHDRAW:
            return Withdrawal(reason=t["end_reason"] or "撤销 (台账记载)"), self.ledger, inferred
        if k is K.VOID:
            return Voiding(reason=t["end_reason"] or "作废 (台账记载)"), self.ledger, inferred
        raise AssertionError(k)  # pragma: no cover

    def build(self, hazard_id: str, version: int, steps: Sequence[Step]) -> list[Event]:
        """Events for ``steps`` following ``version``; the lifecycle checks them when they are applied."""
        events: list[Event] = []
        now = self.register.clock.now()
        origins: dict[tuple[str, ...], Origin] = {}
        payload_of = self.payload
        # what Event's converters and validators would check once per row, not once per event
        fast = _clean(hazard_id) and version.__class__ is int and version >= 0 and isinstance(now, _dt.datetime)
        for n, step in enumerate(steps, version + 1):
            payload, actor, inferred = payload_of(step)
            assert step.on is not None
            origin = origins.get(inferred)
            if origin is None:
                origin = origins[inferred] = self.origin(inferred)
            kind, on = step.kind, step.on
            if (fast and kind.__class__ is K and on.__class__ is _DATE and actor.__class__ is Actor
                    and payload.__class__ is _PAYLOAD_TYPES[kind]):
                events.append(_new_event(hazard_id, n, kind, on, now, actor, payload, "", (), origin))
            else:
                events.append(Event(
                    hazard_id=hazard_id, seq=n, kind=kind, occurred_on=on, recorded_at=now,
                    actor=actor, payload=payload, origin=origin,
                ))
        return events


# ---------------------------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------------------------


_OPEN_RANK = {"发现": 0, "交办": 1, "整改": 2, "督查": 3, "销号": 5}


def position(state: HazardState) -> int:
    """How far along the loop a hazard stands, on the scale of :attr:`Claim.rank`."""
    rank = _OPEN_RANK.get(state.stage.value, -1)
    if rank == 3 and state.inspection_passed:
        rank = 4
    return rank


def fill_from(steps: Sequence[Step], start: _dt.date) -> list[Step]:
    """Date inferred steps as :func:`fill_dates` does, never before ``start`` (the latest event held)."""
    filled = fill_dates([Step(K.DISCOVER, start), *steps])[1:]
    return [attrs.evolve(s, on=max(s.on, start)) if "date" in s.inferred and s.on is not None else s for s in filled]


def step_of(kind: EventKind, on: _dt.date | None, deadline: _dt.date | None = None) -> Step:
    return Step(kind, on, deadline, inferred=() if on is not None else ("date",))


def advance(state: HazardState, flat: dict[str, Any], found: _dt.date | None) -> list[Step]:
    """The events that take a held hazard to where a row without 办理过程 says it stands.

    Forward moves use the row's dates; the backward moves the lifecycle allows (a failed
    inspection, a reopening with its date) are appended as what they are; anything else that
    contradicts the history is refused with the reason.
    """
    if found is not None and found != state.found_on:
        raise RowRejected("排查日期", found, f"排查日期与登记不符 (登记: {state.found_on}, 台账: {found})")
    d = flat["d"]
    stage = state.stage.value
    if flat["withdrawn"]:
        if stage == "撤销":
            return []
        if stage == "发现":
            return [step_of(K.WITHDRAW, d["withdrawn_on"])]
        raise RowRejected("撤销日期", d["withdrawn_on"], f"登记中已{stage}, 不能撤销 (撤销只在交办前)")
    if stage in ("撤销", "作废"):
        if flat["rank"] > 0 and not (stage == "作废" and flat["voided"]):
            raise RowRejected("隐患状态", (flat["claim"] or Claim.ASSIGNED).value, f"登记中该隐患已{stage}")
        return []
    steps: list[Step] = []
    pos = position(state)
    target = flat["rank"]
    closed, deadline, effective = flat["closed"], flat["deadline"], flat["effective"]
    # deadlines: the same, or later (an extension the ledger shows); never earlier
    if state.assigned_on is not None and deadline is not None:
        shown = effective or deadline
        if deadline not in (state.original_deadline, state.effective_deadline) and effective is None:
            if state.is_open and state.effective_deadline is not None and deadline > state.effective_deadline:
                steps.append(step_of(K.EXTEND, None, deadline))
            else:
                raise RowRejected("整改期限", deadline, f"整改期限与登记不符 (登记: {state.original_deadline})")
        elif effective is not None and shown != state.effective_deadline and not flat["d"]["reopened_on"]:
            if state.is_open and state.effective_deadline is not None and shown > state.effective_deadline:
                steps.append(step_of(K.EXTEND, None, shown))
            else:
                raise RowRejected("延期后期限", shown, f"期限与登记不符 (登记: {state.effective_deadline})")
    if stage == "销号" and closed is not None and state.closed_on is not None and closed != state.closed_on and not d["reopened_on"]:
        raise RowRejected("销号日期", closed, f"销号日期与登记不符 (登记已于 {state.closed_on} 销号)")

    def forward(frm: int, to: int, close_on: _dt.date | None) -> None:
        for r in range(frm + 1, to + 1):
            if r == 1:
                if deadline is None:
                    raise RowRejected("整改期限", None, "台账显示已交办或整改, 但缺少整改期限")
                steps.append(Step(K.ASSIGN, d["assigned_on"] or found, deadline, () if d["assigned_on"] else ("date",)))
            elif r == 2:
                steps.append(step_of(K.START, d["started_on"]))
            elif r == 3:
                steps.append(step_of(K.SUBMIT, d["submitted_on"] or d["rectified_on"]))
            elif r == 4:
                steps.append(step_of(K.INSPECT_PASS, d["inspected_on"] if flat["passed"] is not False else None))
            elif r == 5:
                steps.append(step_of(K.CLOSE, close_on))

    reopened = d["reopened_on"]
    if reopened is not None and reopened != state.last_reopened_on:
        if pos < 5:
            forward(pos, 5, flat["first_closed"])
        elif flat["first_closed"] is not None and flat["first_closed"] != state.closed_on:
            raise RowRejected("销号日期", flat["first_closed"], f"销号日期与登记不符 (登记: {state.closed_on})")
        steps.append(Step(K.REOPEN, reopened, effective or deadline))
        pos = 2
    if flat["failed"]:
        if pos > 3 or stage == "销号":
            if stage == "销号":
                raise RowRejected("隐患状态", Claim.FAILED.value, f"登记中已于 {state.closed_on} 销号; 验收不通过须先经回头看")
            raise RowRejected("验收结果", "不通过", "登记中验收已通过, 不能改为不通过")
        if not (stage == "整改" and state.inspection_passed is False and pos == 2):
            forward(pos, 3, None)
            steps.append(step_of(K.INSPECT_FAIL, d["inspected_on"]))
    elif target > pos:
        forward(pos, target, closed)
    elif target < pos:
        claim = flat["claim"]
        if claim is not None and pos == 3 and target == 2:
            steps.append(step_of(K.INSPECT_FAIL, d["inspected_on"]))  # 督查 → 整改: the inspection failed
        elif claim is not None and pos == 5 and claim.rank < 5:
            raise RowRejected("隐患状态", claim.value,
                          f"登记中已于 {state.closed_on} 销号; 台账显示为{claim.value}但没有回头看日期 (销号不能撤回)")
    if flat["voided"]:
        steps.append(step_of(K.VOID, d["voided_on"]))
    return steps


def after_history(builder: EventBuilder, state: HazardState | None, events: list[Event], facts: RowFacts) -> list[Event]:
    """Events the row's columns add beyond its 办理过程 (an exported ledger filled in by hand)."""
    for event in events:
        state = apply(state, event)
    assert state is not None
    steps = advance(state, facts.flat, facts.steps[0].on)
    if not steps:
        return []
    return builder.build(state.hazard_id, state.version, fill_from(steps, state.last_event_on))


