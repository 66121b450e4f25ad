"""Reading one ledger row into what it says: identity, the 发现 facts, the steps it shows.

:class:`SheetRows` knows a sheet's columns and the import's options; it normalises each
distinct cell value once (cells repeat down a column) and raises :class:`RowRejected` naming
the column, the value and the reason. Internal to :mod:`hazardloop.ledger`.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from attrs import frozen

from hazardloop.errors import HazardloopError
from hazardloop.ledger.cells import (
    RESULT_WORDS,
    CellError,
    Claim,
    Vocabulary,
    clean_text,
    deadline_days,
    is_blank,
    parse_date,
    parse_number,
)
from hazardloop.ledger.history import HISTORY_KINDS, RowRejected, Step, norm_text, person_actor, unchecked
from hazardloop.ledger.options import ImportOptions
from hazardloop.ledger.reader import DataRow, SheetTable
from hazardloop.records import Actor, Discovery, EventKind, Level, Source

__all__ = ["RowFacts", "SheetRows", "NATIONAL_LEVEL_WORDS"]

K = EventKind

_HIST = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s+(\S+?)(?:\s*期限\s*(\d{4}-\d{1,2}-\d{1,2}))?$")
_KIND_WORDS = {k.value: k for k in HISTORY_KINDS}
_CRITERIA_SPLIT = re.compile(r"[、,，;；\s]+")
_new_discovery = unchecked(Discovery)
_new_actor = unchecked(Actor)
_new_step = unchecked(Step)  # Step and RowFacts have no converters or validators: the same records


def _step(kind: EventKind, on: _dt.date | None, deadline: _dt.date | None = None, inferred: tuple[str, ...] = ()) -> Step:
    """``Step(kind, on, deadline, inferred)`` without attrs' ``__init__`` (a few per row)."""
    return _new_step(kind, on, deadline, inferred)


def _person(name: str, organisation: str) -> Actor:
    """:func:`person_actor`, unchecked when the name is stripped non-empty text and the
    organisation stripped text (the id then starts with ``ledger-person:`` and ends with the name)."""
    if _clean(name) and organisation.__class__ is str and organisation.strip() == organisation:
        return _new_actor(f"ledger-person:{organisation}:{name}", name, organisation)
    return person_actor(name, organisation)


def _clean(text: Any) -> bool:
    """True for text a stripped, non-empty record field keeps as it is."""
    return text.__class__ is str and bool(text) and text.strip() == text


def _discovery(unit: Any, town: Any, domain: Any, description: Any, source: Any, level: Any, location: Any,
               code: Any, criteria: tuple[str, ...], extra: dict[str, Any]) -> Discovery:
    """``Discovery(...)`` for a row: unchecked when every field is already in its converted form
    (stripped non-empty text, enum members, stripped keys), else the validated constructor."""
    if (_clean(unit) and _clean(town) and _clean(domain) and _clean(description) and source.__class__ is Source
            and level.__class__ is Level and location.__class__ is str and location.strip() == location
            and (code is None or _clean(code)) and all(_clean(c) for c in criteria)
            and all(k.__class__ is str and k.strip() == k for k in extra)):
        return _new_discovery(unit, town, domain, description, source, level, location, code, criteria, (),
                              tuple(sorted(extra.items())))
    return Discovery(unit_code=unit, town=town, domain=domain, description=description, source=source,
                     level=level, location=location, hazard_code=code, criteria=criteria, extra=extra)



@frozen
class RowFacts:
    """One row read: its identity key, discovery, the steps it shows, people, texts, columns."""

    key: tuple[Any, ...]
    unit: str
    discovery: Discovery
    steps: tuple[Step, ...]
    claim: Claim | None
    people: dict[str, Actor]
    texts: dict[str, Any]
    inferred_text: tuple[str, ...]
    flat: dict[str, Any]  #: what the row's columns say, for updates
    history: bool  #: the steps come from its 办理过程 column


_new_facts = unchecked(RowFacts)
_STEP_DATES = ("assigned_on", "started_on", "rectified_on", "submitted_on", "inspected_on", "closed_on",
               "first_closed_on", "reopened_on", "withdrawn_on", "voided_on")

NATIONAL_LEVEL_WORDS = frozenset({"一般", "重大", "一般隐患", "重大隐患", "一般事故隐患", "重大事故隐患"})


_MISSING = object()


class SheetRows:
    """Reads the rows of one sheet into facts: knows the sheet's columns and the options."""

    def __init__(self, sheet: SheetTable, options: ImportOptions, units_by_name: dict[str, str], unit_towns: dict[str, str]) -> None:
        self.sheet = sheet
        self.options = options
        self.units_by_name = units_by_name
        self.unit_towns = unit_towns
        self.cols: dict[str, int] = {}
        self._texts: dict[Any, str] = {}
        self._values: dict[tuple[type, Any], str] = {}
        self._people: dict[tuple[str, str], Actor] = {}
        self._words: dict[tuple[str, type, Any], Any] = {}
        self._dates: dict[tuple[type, Any], Any] = {}
        self._days: dict[tuple[type, Any], int | None] = {}
        self._level_notes: dict[tuple[type, Any], str | None] = {}
        self._criteria: dict[str, tuple[str, ...]] = {}
        self.headers: dict[str, str] = {}
        self.extras: list[tuple[int, str, bool]] = []  # (index, key, is date-ish)
        table = options.columns
        for col in sheet.columns:
            if col.field is None or col.shadowed:
                self.extras.append((col.index, col.header, False))
                continue
            spec = table.spec(col.field)
            if spec.kind == "derived":
                continue
            if spec.extra:
                self.extras.append((col.index, spec.extra_key, False))
            else:
                self.cols[col.field] = col.index
                self.headers[col.field] = col.header
        self.level_field = "level"
        if "level" not in self.cols:
            # 隐患类别 often holds 一般/重大: read it as the level when every value is a level word
            for name in ("category",):
                idx = next((c.index for c in sheet.columns if c.field == name and not c.shadowed), None)
                if idx is None:
                    continue
                values = [r.cells[idx] for r in sheet.rows if not is_blank(r.cells[idx])]
                if values and all(options.levels.knows(v) for v in values):
                    self.cols["level"] = idx
                    self.headers["level"] = next(c.header for c in sheet.columns if c.index == idx)
                    self.extras = [e for e in self.extras if e[0] != idx]

    def raw(self, row: DataRow, name: str) -> Any:
        idx = self.cols.get(name)
        return None if idx is None else row.cells[idx]

    def text(self, row: DataRow, name: str) -> str:
        idx = self.cols.get(name)
        if idx is None:
            return ""
        v = row.cells[idx]
        if v is None:
            return ""
        # a column's values repeat (towns, units, status words): normalise each distinct value once
        if v.__class__ is not str:
            key = (v.__class__, v)  # 1, 1.0 and True are equal keys but print differently
            try:
                return self._values[key]
            except KeyError:
                out = self._values[key] = "" if is_blank(v) else clean_text(v)
                return out
            except TypeError:  # unhashable: a reader never gives one, but stay safe
                return "" if is_blank(v) else clean_text(v)
        out = self._texts.get(v)  # not try/except: unique values (descriptions) miss every time
        if out is None:
            out = self._texts[v] = clean_text(v)
        return out

    def header(self, name: str) -> str:
        return self.headers.get(name, self.options.columns.label(name))

    def date(self, row: DataRow, name: str) -> _dt.date | None:
        idx = self.cols.get(name)
        if idx is None:
            return None
        v = row.cells[idx]
        if v is None:
            return None
        hit = self._parsed_date(v)
        if isinstance(hit, CellError):
            raise RowRejected(self.header(name), v, str(hit))
        return hit

    def _parsed_date(self, value: Any) -> _dt.date | None | CellError:
        # parse_date once per distinct cell value (keyed by type: 1 and 1.0 print differently);
        # an unreadable value is remembered as its error, which each caller raises its own way
        key = (value.__class__, value)
        hit = self._dates.get(key, _MISSING)
        if hit is _MISSING:
            try:
                hit = parse_date(value)
            except CellError as exc:
                hit = exc
            self._dates[key] = hit
        return hit  # type: ignore[no-any-return]

    def deadline(self, value: Any, start: _dt.date | None) -> _dt.date | None:
        """``parse_deadline(value, start)[0]``, classifying each distinct cell value once."""
        if is_blank(value):
            return None
        key = (value.__class__, value)
        days = self._days.get(key, _MISSING)
        if days is _MISSING:
            days = self._days[key] = deadline_days(value)
        if days is None:
            hit = self._parsed_date(value)
            if isinstance(hit, CellError):
                raise CellError(str(hit))
            return hit
        if start is None:  # as parse_deadline says it
            raise CellError(f"期限写作天数 ({value!r}) 但没有排查日期可起算")
        return start + _dt.timedelta(days=days)

    def number(self, row: DataRow, name: str) -> float | None:
        v = self.raw(row, name)
        try:
            return parse_number(v)
        except CellError as exc:
            raise RowRejected(self.header(name), v, str(exc)) from exc

    def word(self, vocab: Vocabulary, value: Any) -> Any:
        """``vocab.get(value)``, once per distinct value of this sheet (cells repeat)."""
        key = (vocab.name, value.__class__, value)
        hit = self._words.get(key, _MISSING)
        if hit is _MISSING:
            try:
                hit = vocab.get(value)
            except CellError as exc:
                hit = exc
            self._words[key] = hit
        if isinstance(hit, CellError):
            raise hit
        return hit

    def knows(self, vocab: Vocabulary, value: Any) -> bool:
        """True when ``value`` is a word of ``vocab``."""
        if is_blank(value):
            return False
        try:
            self.word(vocab, value)
        except CellError:
            return False
        return True

    def domain(self, row: DataRow) -> str:
        """The row's domain code: its 行业领域 cell through the domain vocabulary, else the default."""
        raw = self.raw(row, "domain")
        if is_blank(raw):
            return self.options.default_domain
        if self.options.domains is None or clean_text(raw) == self.options.default_domain:
            return clean_text(raw)
        try:
            return self.word(self.options.domains, raw)
        except CellError as exc:
            raise RowRejected(self.header("domain"), raw, str(exc)) from exc

    def claim_of(self, row: DataRow, name: str) -> Claim | None:
        v = self.raw(row, name)
        if is_blank(v):
            return None
        if name == "status":
            try:
                return self.word(self.options.statuses, v)
            except CellError as exc:
                raise RowRejected(self.header(name), v, str(exc)) from exc
        # 完成情况 / 销号情况 are often free text: only a known word is a claim
        return self.word(self.options.statuses, v) if self.knows(self.options.statuses, v) else None

    # -----------------------------------------------------------------------------------------

    def facts(self, row: DataRow) -> RowFacts:
        """What one row says: identity, the 发现 facts, the steps it shows, people and texts."""
        sheet = self.sheet
        description = self.text(row, "description")
        if not description:
            raise RowRejected(self.header("description"), None, "缺少隐患描述")
        inferred_text: list[str] = []
        # the unit: the inspected unit, the enterprise, the responsible unit, the 填报单位, a default
        unit_name = ""
        for name in ("unit", "unit_code", "unit_name", "responsible_unit"):
            unit_name = self.text(row, name)
            if unit_name:
                break
        if not unit_name:
            unit_name = sheet.meta_value("填报单位") or self.options.default_unit or ""
        if not unit_name:
            raise RowRejected(self.header("unit"), None, "缺少单位 (被检查单位/责任单位), 也没有 --unit 默认值")
        unit = self.units_by_name.get(unit_name, unit_name)
        town = self.text(row, "town") or self.unit_towns.get(unit) or self.options.default_town or ""
        if not town:
            raise RowRejected(self.header("town"), None, "缺少所属乡镇, 单位也不在单位库中; 请给出 --town")
        found = self.date(row, "found_on")
        if found is None:
            filled = sheet.meta_value("填报日期")
            try:
                found = parse_date(filled) if filled else None
            except CellError:
                found = None
            if found is None:
                raise RowRejected(self.header("found_on"), None, "缺少排查日期")
            inferred_text.append("found_on")
        lv_raw = self.raw(row, "level")
        try:
            level = self.options.levels.get(lv_raw) if is_blank(lv_raw) else self.word(self.options.levels, lv_raw)
        except CellError as exc:
            raise RowRejected(self.header("level"), lv_raw, str(exc) + " (可用 --level-map 或 --default-level)") from exc
        extra: dict[str, Any] = {}
        src_raw = self.raw(row, "source")
        if is_blank(src_raw):
            source = self.options.default_source
        elif self.knows(self.options.sources, src_raw):
            source = self.word(self.options.sources, src_raw)
        else:
            source = self.options.default_source
            extra["原隐患来源"] = clean_text(src_raw)
        if not is_blank(lv_raw):
            lv_key = (lv_raw.__class__, lv_raw)
            note = self._level_notes.get(lv_key, _MISSING)
            if note is _MISSING:
                note = self._level_notes[lv_key] = (
                    None if norm_text(clean_text(lv_raw)) in NATIONAL_LEVEL_WORDS else clean_text(lv_raw))
            if note is not None:
                extra["原隐患等级"] = note  # 较大, 一般隐患A, 3级…: keep what the ledger said
        for idx, key, _ in self.extras:
            v = row.cells[idx]
            if is_blank(v):
                continue
            if isinstance(v, (_dt.datetime, _dt.date)):
                v = v.isoformat()[:10] if not isinstance(v, _dt.datetime) or not v.time() else v.isoformat()
            elif isinstance(v, float) and v.is_integer():
                v = int(v)
            elif v.__class__ is str:
                hit = self._texts.get(v)  # the same clean_text(v), once per distinct value
                v = hit if hit is not None else self._texts.setdefault(v, clean_text(v))
            elif isinstance(v, str):
                v = clean_text(v)
            extra.setdefault(key, v)
        code_raw = self.raw(row, "hazard_code")
        code = None if is_blank(code_raw) else clean_text(code_raw, fold=True)
        location = self.text(row, "location")
        criteria_text = self.text(row, "criteria")
        criteria = self._criteria.get(criteria_text)
        if criteria is None:
            criteria = self._criteria[criteria_text] = tuple(c for c in _CRITERIA_SPLIT.split(criteria_text) if c)
        try:
            discovery = _discovery(unit, town, self.domain(row), description, source, level, location, code, criteria, extra)
        except HazardloopError as exc:
            raise RowRejected("", None, str(exc)) from exc
        if code:
            key: tuple[Any, ...] = ("code", unit, code)
        else:
            key = ("facts", unit, norm_text(location), norm_text(description), found)
        org = self.text(row, "responsible_unit") or unit
        people = {}
        for name, organisation in (("finder", unit), ("supervisor", ""), ("responsible_person", org), ("inspector", "")):
            who = self.text(row, name)
            if not who and name == "finder":
                who = clean_text(extra.get("填表人", "")) if "填表人" in extra else ""
            if who:
                actor = self._people.get((who, organisation))
                if actor is None:
                    actor = self._people[(who, organisation)] = _person(who, organisation)
                people[name] = actor
        texts = {
            "responsible_unit": self.text(row, "responsible_unit") or unit,
            "supervising_department": self.text(row, "supervising_department"),
            "listing_level": self.text(row, "listing_level"),
            "measures": self.text(row, "measures"),
            "plan": self.text(row, "plan") or None,
            "funds": self.number(row, "funds"),
            "report": "",
            "comments": self.text(row, "inspection_result"),
            "end_reason": self.text(row, "end_reason"),
        }
        flat: dict[str, Any] = {}
        steps, claim = self.steps(row, found, texts, flat)
        has_history = bool(self.text(row, "history"))
        return _new_facts(key, unit, discovery, steps, claim, people, texts, tuple(inferred_text), flat, has_history)

    def steps(
        self, row: DataRow, found: _dt.date, texts: dict[str, Any], flat: dict[str, Any]
    ) -> tuple[tuple[Step, ...], Claim | None]:
        """The events the row shows, in order; dates None where they must be inferred."""
        Step = _step  # the same records as the class makes, without attrs' __init__
        deadline_raw = self.raw(row, "deadline")
        try:
            deadline = self.deadline(deadline_raw, found)
        except CellError as exc:
            raise RowRejected(self.header("deadline"), deadline_raw, str(exc)) from exc
        effective = self.date(row, "effective_deadline")
        if deadline is None and effective is not None and not self.number(row, "extension_count"):
            deadline = effective
        claim = self.claim_of(row, "status")
        for name in ("closure_status", "progress"):
            c = self.claim_of(row, name)
            if c is not None and (claim is None or c.rank > claim.rank):
                claim = c
            elif c is None and name == "progress" and self.text(row, name):
                texts["report"] = self.text(row, name)
        result_text = self.text(row, "inspection_passed")
        passed: bool | None = None
        if result_text:
            passed = RESULT_WORDS.get(norm_text(result_text))
            if passed is None:
                raise RowRejected(self.header("inspection_passed"), result_text, "验收结果应为 通过 或 不通过")
        elif texts["comments"] and norm_text(texts["comments"]) in RESULT_WORDS:
            passed = RESULT_WORDS[norm_text(texts["comments"])]
        # an exported ledger carries its history (办理过程); the flat columns may add to it
        history = self.text(row, "history")
        cols = self.cols  # a date column the sheet lacks is None without a call
        d = {n: (self.date(row, n) if n in cols else None) for n in _STEP_DATES}
        steps: list[Step] = [Step(K.DISCOVER, found)]
        if d["withdrawn_on"] or claim is Claim.WITHDRAWN:
            steps.append(Step(K.WITHDRAW, d["withdrawn_on"], inferred=() if d["withdrawn_on"] else ("date",)))
            if d["voided_on"] or claim is Claim.VOIDED:
                raise RowRejected(self.header("voided_on"), d["voided_on"], "已撤销的隐患不能再作废")
            flat.update(d=d, withdrawn=True, claim=claim)
            return (self._history_steps(history) if history else tuple(steps)), claim
        # how far the row goes: the furthest of its status words and its dates
        rank = claim.rank if claim is not None and claim is not Claim.VOIDED else 0
        if passed is False and rank < 5:
            claim, rank = Claim.FAILED, max(rank, 2)
        implied = [
            (d["closed_on"] or d["first_closed_on"], 5),
            (d["inspected_on"] if passed else None, 4),
            (d["submitted_on"] or d["rectified_on"] or d["inspected_on"], 3),
            (d["started_on"], 2),
            (d["reopened_on"], 2),
            (d["assigned_on"], 1),
            (deadline, 1),
        ]
        for value, r in implied:
            if value is not None:
                rank = max(rank, r)
        if (claim is not None and claim.rank < 5 and claim is not Claim.VOIDED and d["closed_on"] is not None
                and d["reopened_on"] is None):
            raise RowRejected(self.header("status"), claim.value,
                          f"隐患状态为{claim.value}, 但填有销号日期 {d['closed_on']} (销号后重新整改须填回头看日期)")
        if rank >= 1 and deadline is None:
            raise RowRejected(self.header("deadline"), None, "台账显示已交办或整改, 但缺少整改期限")
        if rank >= 1:
            steps.append(Step(K.ASSIGN, d["assigned_on"] or found, deadline,
                               inferred=() if d["assigned_on"] else ("date",)))
            if effective is not None and effective != deadline and not d["reopened_on"]:
                steps.append(Step(K.EXTEND, None, effective, inferred=("date",)))
        if rank >= 2:
            steps.append(Step(K.START, d["started_on"], inferred=() if d["started_on"] else ("date",)))
        closed = d["closed_on"]
        first_closed = d["first_closed_on"] or closed
        if d["reopened_on"]:
            if first_closed is None:
                raise RowRejected(self.header("reopened_on"), d["reopened_on"], "有回头看日期但没有销号日期")
            reopen_deadline = effective or deadline
            steps += [
                Step(K.SUBMIT, None, inferred=("date",)),
                Step(K.INSPECT_PASS, None, inferred=("date",)),
                Step(K.CLOSE, first_closed),
                Step(K.REOPEN, d["reopened_on"], reopen_deadline),
            ]
            # 销号日期 is the closing after the reopening when a separate 首次销号日期 is given
            if closed is not None and (closed < d["reopened_on"] or (closed == d["reopened_on"] and d["first_closed_on"] is None)):
                closed = None
            # after a reopening only the status word and the dates after it say how far it went
            after = claim.rank if claim is not None and claim not in (Claim.VOIDED, Claim.WITHDRAWN) else 2
            rank = max(2, after, 5 if closed is not None else 0)
            if rank == 3 and passed:
                rank = 4
            if closed is None and claim is Claim.CLOSED:
                raise RowRejected(self.header("closed_on"), None, "回头看之后显示已销号, 但没有新的销号日期")
        if rank >= 3 or claim is Claim.FAILED:
            steps.append(Step(K.SUBMIT, d["submitted_on"] or d["rectified_on"],
                               inferred=() if (d["submitted_on"] or d["rectified_on"]) else ("date",)))
        if claim is Claim.FAILED:
            steps.append(Step(K.INSPECT_FAIL, d["inspected_on"], inferred=() if d["inspected_on"] else ("date",)))
        elif rank >= 4:
            on = d["inspected_on"] or closed
            steps.append(Step(K.INSPECT_PASS, on, inferred=() if d["inspected_on"] else ("date",)))
        if rank >= 5 and claim is not Claim.FAILED:
            steps.append(Step(K.CLOSE, closed, inferred=() if closed else ("date",)))
        voided = bool(d["voided_on"] or claim is Claim.VOIDED)
        if voided:
            steps.append(Step(K.VOID, d["voided_on"], inferred=() if d["voided_on"] else ("date",)))
        flat.update(d=d, withdrawn=False, claim=claim, rank=rank, failed=claim is Claim.FAILED, passed=passed,
                    deadline=deadline, effective=effective, closed=closed, first_closed=first_closed, voided=voided)
        return (self._history_steps(history) if history else tuple(steps)), claim

    def _history_steps(self, text: str) -> tuple[Step, ...]:
        steps = []
        for line in re.split(r"[\n;；]+", text):
            line = line.strip()
            if not line:
                continue
            m = _HIST.match(line)
            kind = _KIND_WORDS.get(m[2]) if m else None
            if m is None or kind is None:
                raise RowRejected(self.header("history"), line, "办理过程每行应为 '日期 事件[ 期限 日期]'")
            try:
                on = parse_date(m[1])
                dl = parse_date(m[3]) if m[3] else None
            except CellError as exc:
                raise RowRejected(self.header("history"), line, str(exc)) from exc
            steps.append(Step(kind, on, dl))
        if not steps or steps[0].kind is not K.DISCOVER:
            raise RowRejected(self.header("history"), text, "办理过程应从 发现 开始")
        return tuple(steps)


