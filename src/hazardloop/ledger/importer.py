"""Ledger rows → register events, row by row, with every row accounted for.

Each data row ends as exactly one :class:`Outcome`: imported (a new hazard), updated (new stage
events appended to a hazard already held), rejected (with file, sheet, Excel row, column, value
and reason) or duplicate (held already, nothing new). ``imported + updated + rejected +
duplicates == data_rows`` always (:class:`ImportReport` checks it).

Identity (STANDARDS.md §8, issue 4): an explicit hazard code scoped to its unit, else unit +
location + description + date found; 序号 never. A row is rebuilt into the history it shows
(发现 → 交办 → 整改 → 督查 → 销号 as far as its columns go), every event marked with a
:class:`~hazardloop.records.Origin` naming file, sheet and row and the fields inferred; that
history is compared with what the register holds: a prefix means new events to append, the
same means duplicate, a contradiction the lifecycle forbids means rejected.

A dry run computes exactly the same outcomes, on the same working states, and stores nothing.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import enum
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import attrs
from attrs import field, frozen

from hazardloop.errors import HazardloopError
from hazardloop.ledger.history import (
    HISTORY_KINDS,
    UNSTATED,
    BuildCache,
    EventBuilder,
    RowRejected,
    Step,
    after_history,
    advance,
    event_key,
    fill_dates,
    fill_from,
    identity_text,
    ledger_actor,
    norm_text,
    person_actor,
    same_event,
    unchecked,
)
from hazardloop.ledger.options import ImportOptions
from hazardloop.ledger.reader import DataRow, LedgerFile, read_ledgers
from hazardloop.ledger.rows import RowFacts, SheetRows
from hazardloop.lifecycle import HazardState, apply, fold
from hazardloop.ledger.cells import Claim
from hazardloop.records import Event, EventKind
from hazardloop.register import NoHooks, Register

__all__ = [
    "Outcome",
    "RowResult",
    "ImportOptions",
    "ImportReport",
    "import_ledgers",
    "import_files",
    "ledger_actor",
    "person_actor",
    "UNSTATED",
    "HISTORY_KINDS",
]

K = EventKind


class Outcome(str, enum.Enum):
    """What became of one data row."""

    IMPORTED = "imported"
    UPDATED = "updated"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


@frozen
class RowResult:
    """The outcome of one data row; ``column``/``value``/``reason`` say why a row was rejected."""

    file: str
    sheet: str
    row: int
    outcome: Outcome
    hazard_id: str | None = None
    events: int = 0
    column: str = ""
    value: str = ""
    reason: str = ""
    cells: tuple[Any, ...] = field(default=(), eq=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the cells)."""
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "outcome": self.outcome.value,
            "hazard_id": self.hazard_id,
            "events": self.events,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
        }


@frozen
class ImportReport:
    """Every row's outcome, and the rows and sheets skipped as carrying no hazard."""

    results: tuple[RowResult, ...]
    skipped: tuple[tuple[str, str, int, str], ...] = ()
    skipped_sheets: tuple[tuple[str, str, str], ...] = ()
    dry_run: bool = False
    columns: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  #: (file, sheet, headers) for the error workbook
    meta: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = ()  #: (file, sheet, 填报单位/填报日期 lines)

    def __attrs_post_init__(self) -> None:
        # the reconciliation the issue demands; a failure here is a bug, never a user error
        if self.imported + self.updated + self.rejected + self.duplicates != self.data_rows:
            raise AssertionError("ledger import lost a row: the outcomes do not add up to the data rows")

    def count(self, outcome: Outcome) -> int:
        """Rows with that outcome."""
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def data_rows(self) -> int:
        """Rows that may carry a hazard (after blank, total, note, signature and header rows)."""
        return len(self.results)

    @property
    def imported(self) -> int:
        """Rows that became new hazards."""
        return self.count(Outcome.IMPORTED)

    @property
    def updated(self) -> int:
        """Rows that appended new events to a hazard already held."""
        return self.count(Outcome.UPDATED)

    @property
    def rejected(self) -> int:
        """Rows refused, each with its reason."""
        return self.count(Outcome.REJECTED)

    @property
    def duplicates(self) -> int:
        """Rows whose hazard was held already with nothing new."""
        return self.count(Outcome.DUPLICATE)

    def summary(self) -> dict[str, Any]:
        """The counts, JSON-ready."""
        return {
            "data_rows": self.data_rows,
            "imported": self.imported,
            "updated": self.updated,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "skipped_rows": len(self.skipped),
            "skipped_sheets": len(self.skipped_sheets),
            "dry_run": self.dry_run,
        }

    def as_dict(self) -> dict[str, Any]:
        """Counts, every row's outcome, skipped rows and sheets (JSON-ready)."""
        out = self.summary()
        out["rows"] = [r.as_dict() for r in self.results]
        out["skipped"] = [dict(file=f, sheet=s, row=r, reason=why) for f, s, r, why in self.skipped]
        out["skipped_sheet_list"] = [dict(file=f, sheet=s, reason=why) for f, s, why in self.skipped_sheets]
        return out

    def rejected_rows(self) -> list[RowResult]:
        """The rejected rows, in file, sheet and row order."""
        return [r for r in self.results if r.outcome is Outcome.REJECTED]


# ---------------------------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------------------------


class _Work:
    """The working states of one import: what the register holds plus what this import added."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self.index: dict[tuple[Any, ...], str] = {}
        self.states: dict[str, HazardState] = {}
        self.keys: dict[str, list[tuple[Any, ...]]] = {}
        self.loose: dict[tuple[Any, ...], list[tuple[str, str, str | None]]] = {}
        self.unkeyed: dict[str, list[Event]] = {}  # events committed whose keys nobody asked for yet
        for state in register:
            # kept: a re-import meets most of them again (a durable store would answer each
            # register.get() with a query)
            self.states[state.hazard_id] = state
            self._index(state)

    def _index(self, state: HazardState) -> None:
        if state.hazard_code:
            self.index.setdefault(("code", state.unit_code, state.hazard_code), state.hazard_id)
        location, description = norm_text(state.location), identity_text(state.description)
        facts = ("facts", state.unit_code, location, description, state.found_on)
        self.index.setdefault(facts, state.hazard_id)
        loose = ("loose", state.unit_code, description, state.found_on)
        self.loose.setdefault(loose, []).append((state.hazard_id, location, state.hazard_code))

    def find(self, facts: RowFacts) -> str | None:
        """The hazard a row stands for: by code within the unit, else by unit + location +
        description + date found; a sheet without a location column (or a blank location)
        matches on the other three when that names exactly one hazard."""
        hid = self.index.get(facts.key)
        if hid is not None:
            return hid
        d = facts.discovery
        found = facts.steps[0].on
        location, description = norm_text(d.location), identity_text(d.description)
        if facts.key[0] == "code":
            alt = self.index.get(("facts", facts.unit, location, description, found))
            if alt is not None and self.state(alt).hazard_code in (None, d.hazard_code):
                return alt
        candidates = [
            h for h, loc, code in self.loose.get(("loose", facts.unit, description, found), ())
            if (not loc or not location or loc == location) and code in (None, d.hazard_code)
        ]
        return candidates[0] if len(candidates) == 1 else None

    def state(self, hid: str) -> HazardState:
        if hid not in self.states:
            self.states[hid] = self.register.get(hid)
        return self.states[hid]

    def prefetch(self, hids: set[str]) -> None:
        """Read the stored events of ``hids`` at once (rows with a 办理过程 column compare them)."""
        # only the keys are kept: the events go chunk by chunk
        for hid, events in self.register.each_history(sorted(h for h in hids if h not in self.keys)):
            if events:
                self.keys[hid] = [event_key(e) for e in events if e.kind in HISTORY_KINDS]

    def history(self, hid: str) -> list[tuple[Any, ...]]:
        keys = self.keys.get(hid)
        if keys is None:
            keys = self.keys[hid] = [event_key(e) for e in self.register.history(hid) if e.kind in HISTORY_KINDS]
        pending = self.unkeyed.pop(hid, None)
        if pending:
            keys.extend(event_key(e) for e in pending)
        return keys

    def commit(self, hid: str, state: HazardState, events: Sequence[Event], new: bool) -> None:
        self.states[hid] = state
        if new:
            self.keys[hid] = []
        # event keys are made when a later row asks for them (:meth:`history`: the stored
        # events, then these), not for every row: most hazards are never met again in an import
        self.unkeyed.setdefault(hid, []).extend(events)
        if new:
            self._index(state)


def _diff(builder: EventBuilder, work: _Work, hid: str, facts: RowFacts) -> tuple[Outcome, list[Event]]:
    """Compare a row with a hazard already held: new events to append, nothing, or a contradiction."""
    state = work.state(hid)
    if state.level is not facts.discovery.level:
        raise RowRejected("隐患等级", facts.discovery.level.value,
                      f"等级与登记不符 (登记: {state.level.value}); 改变等级请用 重新定级")
    if not facts.history:
        steps = advance(state, facts.flat, facts.steps[0].on)
        if not steps:
            return Outcome.DUPLICATE, []
        return Outcome.UPDATED, builder.build(hid, state.version, fill_from(steps, state.last_event_on))
    # the row's steps, dated as they would be for a new hazard, then compared event by event
    held = work.history(hid)  # only here: on a durable store it is a query
    steps = fill_dates(facts.steps)
    # compare deadlines as the register computes them: rebuild the row alone to get them
    fresh = builder.build("(比较)", 0, steps)
    probe = [event_key(e) for e in fresh]
    p = 0
    while p < len(held) and p < len(probe) and same_event(held[p], probe[p]):
        p += 1
    if p == len(held) and p == len(probe):
        more = after_history(builder, state, [], facts)
        return (Outcome.UPDATED, more) if more else (Outcome.DUPLICATE, [])
    if p == len(held):
        # an inferred date was filled in (fill_dates) before: it is never None here
        tail = [attrs.evolve(s, on=max(cast(_dt.date, s.on), state.last_event_on) if "date" in s.inferred else s.on)
                for s in steps[p:]]
        events = builder.build(hid, state.version, tail)
        return Outcome.UPDATED, events + after_history(builder, state, events, facts)
    if p == len(probe):
        # the row says less than the register holds: only an explicit status word can move it back
        claim = facts.claim
        if claim in (Claim.RECTIFYING, Claim.FAILED) and state.stage.value == "督查" and not state.inspection_passed:
            step = Step(K.INSPECT_FAIL, state.last_event_on, inferred=("date",))
            return Outcome.UPDATED, builder.build(hid, state.version, [step])
        if claim is not None and state.stage.value == "销号" and claim.rank < Claim.CLOSED.rank and claim not in (
            Claim.WITHDRAWN, Claim.VOIDED, Claim.DISCOVERED):
            raise RowRejected("隐患状态", claim.value,
                          f"登记中已于 {state.closed_on} 销号; 台账显示为{claim.value}但没有回头看日期 (销号不能撤回)")
        return Outcome.DUPLICATE, []
    a, b = held[p], probe[p]
    if a[0] is b[0]:
        what = "排查日期" if a[0] is K.DISCOVER else f"{a[0].value}"
        if a[1] != b[1]:
            raise RowRejected(what, b[1], f"{what}与登记不符 (登记: {a[1]}, 台账: {b[1]})")
        raise RowRejected(what, b[2], f"{what}的期限与登记不符 (登记: {a[2]}, 台账: {b[2]})")
    if any(k[0] is K.CLOSE for k in held[p:]) and not any(k[0] is K.REOPEN for k in probe[p:]):
        raise RowRejected("隐患状态", b[0].value, f"登记中已于 {state.closed_on or state.first_closed_on} 销号; 台账记载与之矛盾 (销号不能撤回, 须经回头看)")
    raise RowRejected("办理过程", b[0].value, f"台账记载与登记的办理过程矛盾: 登记为 {a[0].value} ({a[1]}), 台账为 {b[0].value} ({b[1]})")


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a block, then restore it as it was.

    Reading and importing a ledger keep every row's records alive until the end (a few hundred
    thousand small objects, no reference cycles among them), so the collector would only scan
    them again and again (~15% of a large import). Nothing else changes: objects without
    references are freed at once as always, and cycles are collected later.

    At the end the objects the block made are moved to the oldest generation as they are
    (``gc.freeze()`` then ``gc.unfreeze()``) instead of being scanned by the next young and
    middle collections on their way there (another ~10% of a large import, paid on re-enabling).
    A host that freezes objects itself (before forking workers) keeps its freeze: then the
    objects are left to the collector as usual.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        gc.enable()


_new_result = unchecked(RowResult)


def _errmsg(exc: Exception) -> str:
    return getattr(exc, "reason", None) or str(exc)


def import_ledgers(
    register: Register,
    files: Sequence[LedgerFile],
    options: ImportOptions = ImportOptions(),
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ledgers already read (:func:`~hazardloop.ledger.reader.read_ledgers`) into ``register``.

    All rows are stored atomically at the end (one :meth:`Register.batch`); with ``dry_run``
    nothing is stored and the report is the one a real run would give. ``progress`` is called
    with the number of rows done every 500 rows and at the end.
    """
    units = list(register.units())
    units_by_name = {u.name: u.code for u in units}
    unit_towns = {u.code: u.town for u in units}
    work: _Work
    results: list[RowResult] = []
    skipped: list[tuple[str, str, int, str]] = []
    skipped_sheets: list[tuple[str, str, str]] = []
    headers: list[tuple[str, str, tuple[str, ...]]] = []
    metas: list[tuple[str, str, tuple[tuple[str, str], ...]]] = []
    dry_ids = iter(range(1, 1 << 62))
    done = 0
    shared = BuildCache()

    def run() -> None:
        nonlocal done
        for lf in files:
            for sheet in lf.sheets:
                if sheet.problem:
                    skipped_sheets.append((lf.path, sheet.sheet, sheet.problem))
                    continue
                headers.append((lf.path, sheet.sheet, tuple(c.header for c in sheet.columns)))
                if sheet.meta:
                    metas.append((lf.path, sheet.sheet, sheet.meta))
                skipped.extend((lf.path, sheet.sheet, s.row, s.reason) for s in sheet.skipped)
                reader = SheetRows(sheet, options, units_by_name, unit_towns)
                early = _facts_first(reader, sheet.rows) if work.states and reader.has_history else None
                for at, row in enumerate(sheet.rows):
                    results.append(_one(reader, row, at, lf.path, sheet.sheet, None if early is None else early[at]))
                    done += 1
                    if progress is not None and done % 500 == 0:
                        progress(done)
        if progress is not None:
            progress(done)

    def _facts_first(reader: SheetRows, rows: Sequence[DataRow]) -> list[RowFacts | Exception]:
        # an exported ledger (办理过程 column) met again: every row compares its history with the
        # stored one, so the stored events of the hazards the rows name are read in bulk first
        early: list[RowFacts | Exception] = []
        held: set[str] = set()
        for at, row in enumerate(rows):
            try:
                facts = reader.facts(row, at)
            except (RowRejected, HazardloopError) as exc:
                early.append(exc)
                continue
            early.append(facts)
            hid = work.find(facts) if facts.history else None
            if hid is not None:
                held.add(hid)
        work.prefetch(held)
        return early

    def _one(reader: SheetRows, row: DataRow, at: int, path: str, sheet_name: str,
             early: RowFacts | Exception | None = None) -> RowResult:
        try:
            if early is None:
                facts = reader.facts(row, at)
            elif isinstance(early, Exception):
                raise early
            else:
                facts = early
            builder = EventBuilder(register, facts, (path, sheet_name, row.row), shared)
            hid = work.find(facts)
            if hid is None:
                hid = f"(dry-run){next(dry_ids)}" if dry_run else register.store.next_hazard_id()
                events = builder.build(hid, 0, fill_dates(facts.steps))
                if facts.history:
                    events += after_history(builder, None, events, facts)
                outcome, before = Outcome.IMPORTED, None
            else:
                outcome, events = _diff(builder, work, hid, facts)
                before = work.state(hid)
            if events:
                if dry_run:
                    # what append_events does, without storing: the hooks' checks, then the lifecycle
                    state = before
                    if before is None and type(register.hooks) is NoHooks:
                        state = fold(events)  # as append_events: no hooks, the same checks and result
                    else:
                        for event in events:
                            register.hooks.validate(state, event)
                            state = apply(state, event)
                else:
                    state = register.append_events(events)[-1]
                assert state is not None
                work.commit(hid, state, events, outcome is Outcome.IMPORTED)
            # RowResult has no converters or validators: the same record as RowResult(...) makes
            return _new_result(path, sheet_name, row.row, outcome, hid, len(events), "", "", "", row.cells)
        except RowRejected as exc:
            return RowResult(path, sheet_name, row.row, Outcome.REJECTED, column=exc.column, value=exc.value,
                             reason=exc.reason, cells=row.cells)
        except HazardloopError as exc:
            return RowResult(path, sheet_name, row.row, Outcome.REJECTED, reason=_errmsg(exc), cells=row.cells)

    with _gc_paused():
        if dry_run:
            work = _Work(register)
            run()
        else:
            with register.batch():
                work = _Work(register)  # inside the batch: it remembers the states read
                run()
    return ImportReport(tuple(results), tuple(skipped), tuple(skipped_sheets), dry_run, tuple(headers), tuple(metas))


def import_files(
    register: Register,
    paths: Iterable[str | Path],
    options: ImportOptions = ImportOptions(),
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Read ledger files and import them; an unreadable file raises before anything is stored."""
    with _gc_paused():
        files = read_ledgers(paths, sheets=options.sheets, columns=options.columns)
    return import_ledgers(register, files, options, dry_run=dry_run, progress=progress)
