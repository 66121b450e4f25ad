"""Reading one ledger row into what it says: identity, the 发现 facts, the steps it shows.

:class:`SheetRows` knows a sheet's columns and the import's options; it normalises the sheet a
column at a time, each distinct cell value once (cells repeat down a column), and raises
:class:`RowRejected` naming the column, the value and the reason. Internal to
:mod:`hazardloop.ledger`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Callable, Sequence
from operator import itemgetter
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
from hazardloop.ledger.history import (
    HISTORY_KINDS,
    RowRejected,
    Step,
    identity_text,
    norm_text,
    person_actor,
    unchecked,
)
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
    # the checks of _clean, written out: this runs once per row
    if (unit.__class__ is str and town.__class__ is str and domain.__class__ is str and description.__class__ is str
            and location.__class__ is str and unit and town and domain and description
            and unit.strip() == unit and town.strip() == town and domain.strip() == domain
            and description.strip() == description and location.strip() == location
            and source.__class__ is Source and level.__class__ is Level
            and (code is None or _clean(code)) and (not criteria or all(map(_clean, criteria)))
            and (not extra or _stripped_keys(tuple(extra)))):
        return _new_discovery(unit, town, domain, description, source, level, location, code, criteria, (),
                              tuple(sorted(extra.items())))
    return Discovery(unit_code=unit, town=town, domain=domain, description=description, source=source,
                     level=level, location=location, hazard_code=code, criteria=criteria, extra=extra)


@functools.lru_cache(maxsize=1024)  # a sheet's rows share a handful of extra-field key sets
def _stripped_keys(keys: tuple[Any, ...]) -> bool:
    return all(k.__class__ is str and k.strip() == k for k in keys)


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
_NONE = type(None)
# a value of one of these types equals no value of another type a reader gives (1 == 1.0 == True do)
_PLAIN_TYPES = frozenset({str, _dt.date, _dt.datetime, _dt.time, _dt.timedelta})
_SKIP = object()  # a blank cell of an extra field: nothing to keep
_DATE = _dt.date

# the fields read as cleaned text and as dates (the others go through a vocabulary or a parser)
_TEXT_FIELDS = ("description", "unit", "unit_code", "unit_name", "responsible_unit", "town", "location", "criteria",
                "finder", "supervisor", "responsible_person", "inspector", "supervising_department", "listing_level",
                "measures", "plan", "inspection_result", "end_reason", "progress", "inspection_passed", "history")
_DATE_FIELDS = ("found_on", "effective_deadline", *_STEP_DATES)
_UNIT_FIELDS = ("unit", "unit_code", "unit_name", "responsible_unit")  # where a row names its unit, in order
_PEOPLE = ("finder", "supervisor", "responsible_person", "inspector")  # the people a row may name, in order


def _cell_text(value: Any) -> str:
    return "" if is_blank(value) else clean_text(value)


def _extra_value(value: Any) -> Any:
    """An extra field's cell as the discovery keeps it (_SKIP for a blank)."""
    if is_blank(value):
        return _SKIP
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()[:10] if not isinstance(value, _dt.datetime) or not value.time() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return clean_text(value)
    return value


def _hazard_code(value: Any) -> str | None:
    return None if is_blank(value) else clean_text(value, fold=True)


def _or_error(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert``, returning the CellError it raises instead (kept until the row is read)."""

    def safe(value: Any) -> Any:
        try:
            return convert(value)
        except CellError as exc:
            return exc.with_traceback(None)  # kept without the frames (they would tie it to the sheet)

    return safe


def _deadline_kind(value: Any) -> int | _dt.date | None:
    """A deadline cell classified: None (blank), a number of days (int) or a date; CellError otherwise."""
    if is_blank(value):
        return None
    days = deadline_days(value)
    return days if days is not None else parse_date(value)


class SheetRows:
    """Reads the rows of one sheet into facts: knows the sheet's columns and the options.

    The cells are normalised a column at a time when the sheet is taken on: each distinct value
    of a column (towns, units, status words, dates repeat down a column) is cleaned, parsed or
    looked up once, and :meth:`facts` only indexes the prepared columns. A value that cannot be
    read is kept as its :class:`CellError` and raised when its row is read, in the order the
    row's checks run, so a row is rejected for the same column and reason as cell by cell.
    """

    def __init__(self, sheet: SheetTable, options: ImportOptions, units_by_name: dict[str, str], unit_towns: dict[str, str]) -> None:
        self.sheet = sheet
        self.options = options
        self.units_by_name = units_by_name
        self.unit_towns = unit_towns
        self.cols: dict[str, int] = {}
        self._people: dict[tuple[str, str], Actor] = {}
        self._words: dict[tuple[str, type, Any], Any] = {}
        self._deadlines: dict[tuple[type, Any], Any] = {}
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
        if "level" not in self.cols:
            # 隐患类别 often holds 一般/重大: read it as the level when every value is a level word
            for name in ("category",):
                idx = next((c.index for c in sheet.columns if c.field == name and not c.shadowed), None)
                if idx is None:
                    continue
                values = [r.cells[idx] for r in sheet.rows if not is_blank(r.cells[idx])]
                # knows() is a function of the value: ask once per distinct (type, value)
                if values and all(options.levels.knows(v) for _, v in dict.fromkeys(zip(map(type, values), values))):
                    self.cols["level"] = idx
                    self.headers["level"] = next(c.header for c in sheet.columns if c.index == idx)
                    self.extras = [e for e in self.extras if e[0] != idx]
        self._positions: dict[int, int] | None = None
        self._prepare()

    # -----------------------------------------------------------------------------------------
    # Column at a time
    # -----------------------------------------------------------------------------------------

    def _column(self, name: str) -> Sequence[Any] | None:
        """The raw cells of field ``name``'s column, row by row, or None when the sheet lacks it."""
        idx = self.cols.get(name)
        return None if idx is None else self._column_at(idx)

    def _column_at(self, idx: int) -> Sequence[Any]:
        if self._by_column is not None:
            return self._by_column[idx]
        return list(map(itemgetter(idx), self._cells))

    def _each(self, values: Sequence[Any] | None, convert: Callable[[Any], Any],
              memo: dict[Any, dict[Any, Any]] | None = None, signed_zero: bool = False) -> list[Any]:
        """``convert(v)`` for every cell of a column (a missing column is all blank), computed once
        per distinct value. ``memo`` (per type, then per value) may be shared by columns that
        convert alike.

        Values of different types are told apart (1, 1.0 and True are equal keys but print
        differently); ``signed_zero``: ``convert`` tells 0.0 from -0.0 (equal keys too), so float
        zeros are converted one by one.
        """
        if values is None:
            return [convert(None)] * self._n
        if memo is None:
            memo = {}
        try:
            distinct = dict.fromkeys(values)
            types = set(map(type, distinct))
            types.discard(_NONE)  # None equals no other value: it may share any type's memo
            if len(types) > 1 or not types <= _PLAIN_TYPES:
                # 1, 1.0 and True fall together among the distinct values: look at every cell
                types = set(map(type, values))
                types.discard(_NONE)
            if len(types) <= 1:
                # one type (the common case: a text, number or date column): key by the value
                seen = memo.setdefault(next(iter(types), _NONE), {})
                for v in distinct:
                    if v not in seen:
                        seen[v] = convert(v)
                out = list(map(seen.__getitem__, values))
            else:
                keys = list(zip(map(type, values), values))
                seen = memo.setdefault("typed", {})
                for key in dict.fromkeys(keys):
                    if key not in seen:
                        seen[key] = convert(key[1])
                out = list(map(seen.__getitem__, keys))
        except TypeError:  # an unhashable cell: a reader never gives one, but stay safe
            return [convert(v) for v in values]
        if signed_zero and float in types and 0.0 in distinct:
            out = [convert(v) if v.__class__ is float and v == 0 else o for v, o in zip(values, out)]
        return out

    def _actors(self, names: list[str], organisations: list[str] | None) -> list[Actor | None]:
        """The actor each row names (None for a blank name), once per (name, organisation)."""
        orgs: Sequence[str] = organisations if organisations is not None else [""] * self._n
        pairs = list(zip(names, orgs))
        known = self._people
        for who, org in dict.fromkeys(pairs):
            if who and (who, org) not in known:
                known[(who, org)] = _person(who, org)
        return [known[pair] if pair[0] else None for pair in pairs]

    def _prepare(self) -> None:
        """Normalise the columns the rows are read from (see the class docstring)."""
        opts = self.options
        self._cells = [r.cells for r in self.sheet.rows]
        self._n = len(self._cells)
        # the sheet turned into columns in one pass (the reader pads every row to the header's width)
        self._by_column = list(zip(*self._cells)) if len(set(map(len, self._cells))) == 1 else None
        raw = {name: self._column(name) for name in self.cols}
        self._raw = raw
        texts: dict[Any, dict[Any, Any]] = {}
        self._t = t = {name: self._each(raw.get(name), _cell_text, texts) for name in _TEXT_FIELDS}
        dates: dict[Any, dict[Any, Any]] = {}
        date = _or_error(parse_date)
        self._d = {name: self._each(raw.get(name), date, dates, signed_zero=True) for name in _DATE_FIELDS}
        # a row with an unreadable step date (rejected for the first such column, in _STEP_DATES order)
        self._step_date_cols = [(n, self._d[n]) for n in _STEP_DATES if n in raw]
        self._no_step_dates = dict.fromkeys(_STEP_DATES)
        self._bad_step_date: list[bool] | None = None
        step_cols = [col for _, col in self._step_date_cols]
        if any(CellError in set(map(type, col)) for col in step_cols):
            self._bad_step_date = [any(isinstance(v, CellError) for v in vs) for vs in zip(*step_cols)]
        # the unit a row names: its first non-blank unit column
        names = [t[n] for n in _UNIT_FIELDS if n in raw]
        unit_names = names[0] if names else [""] * self._n
        for more in names[1:]:
            unit_names = [a or b for a, b in zip(unit_names, more)]
        meta_unit = self.sheet.meta_value("填报单位")
        default_unit = meta_unit or opts.default_unit or ""
        self._unit_names = unit_names = [name or default_unit for name in unit_names]
        units = self._each(unit_names, lambda name: self.units_by_name.get(name, name))
        self._units = units
        filled = self.sheet.meta_value("填报日期")
        try:
            self._default_found = parse_date(filled) if filled else None
        except CellError:
            self._default_found = None
        levels = opts.levels

        def level(v: Any) -> Any:
            return levels.get(v) if is_blank(v) else self.word(levels, v)

        def level_note(v: Any) -> str | None:
            # 较大, 一般隐患A, 3级…: keep what the ledger said
            return None if is_blank(v) or norm_text(clean_text(v)) in NATIONAL_LEVEL_WORDS else clean_text(v)

        def source(v: Any) -> tuple[Source, str | None]:
            if is_blank(v):
                return opts.default_source, None
            if self.knows(opts.sources, v):
                return self.word(opts.sources, v), None
            return opts.default_source, clean_text(v)

        def domain(v: Any) -> str:
            if is_blank(v):
                return opts.default_domain
            if opts.domains is None or clean_text(v) == opts.default_domain:
                return clean_text(v)
            return self.word(opts.domains, v)  # type: ignore[no-any-return]

        def status(v: Any) -> Claim | None:
            return None if is_blank(v) else self.word(opts.statuses, v)

        def status_text(v: Any) -> Claim | None:
            # 完成情况 / 销号情况 are often free text: only a known word is a claim
            return self.word(opts.statuses, v) if self.knows(opts.statuses, v) else None

        def criteria(text: str) -> tuple[str, ...]:
            return tuple(c for c in _CRITERIA_SPLIT.split(text) if c)

        self._level = self._each(raw.get("level"), _or_error(level))
        self._level_note = self._each(raw.get("level"), level_note)
        self._source = self._each(raw.get("source"), source)
        self._domain = self._each(raw.get("domain"), _or_error(domain))
        self._code = self._each(raw.get("hazard_code"), _hazard_code)
        self._criteria = self._each(t["criteria"], criteria)
        number = _or_error(parse_number)
        self._funds = self._each(raw.get("funds"), number, signed_zero=True)
        self._extensions = self._each(raw.get("extension_count"), number, signed_zero=True)
        self._deadline = self._each(raw.get("deadline"), _or_error(_deadline_kind))
        self._status = self._each(raw.get("status"), _or_error(status))
        self._status_more = [(name, self._each(raw.get(name), status_text)) for name in ("closure_status", "progress")]
        self._extra_cols = [(key, self._each(self._column_at(idx), _extra_value)) for idx, key, _ in self.extras]
        # the people a row names, each with the organisation its id carries
        orgs = [a or b for a, b in zip(t["responsible_unit"], units)]
        organisations = {"finder": units, "responsible_person": orgs}
        # a row without 排查人 names its finder in the first 填表人 column kept as an extra field
        signers = [values for key, values in self._extra_cols if key == "填表人"]
        finders = t["finder"]
        if signers:
            signed = signers[0]
            for more in signers[1:]:
                signed = [a if a is not _SKIP else b for a, b in zip(signed, more)]
            finders = [who or ("" if by is _SKIP else clean_text(by)) for who, by in zip(finders, signed)]
        self._people_cols = [
            (name, self._actors(finders if name == "finder" else t[name], organisations.get(name)))
            for name in _PEOPLE if name in raw or (name == "finder" and signers)
        ]
        self._by_column = None  # only the columns kept above stay alive
        self._cells = []

    @property
    def has_history(self) -> bool:
        """The sheet has a 办理过程 column (an exported ledger): its rows carry whole histories."""
        return "history" in self.cols

    def _position(self, row: DataRow) -> int:
        """Where ``row`` stands in ``sheet.rows`` (for a caller that does not say)."""
        if self._positions is None:
            self._positions = {id(r): i for i, r in enumerate(self.sheet.rows)}
        return self._positions[id(row)]

    def _cell(self, name: str, i: int) -> Any:
        """The raw cell of field ``name`` on row ``i`` (None when the sheet lacks the column)."""
        col = self._raw.get(name)
        return None if col is None else col[i]

    def _date_error(self, name: str, i: int, error: CellError) -> RowRejected:
        return RowRejected(self.header(name), self._cell(name, i), str(error))

    # -----------------------------------------------------------------------------------------
    # Values
    # -----------------------------------------------------------------------------------------

    def header(self, name: str) -> str:
        return self.headers.get(name, self.options.columns.label(name))

    def deadline(self, value: Any, start: _dt.date | None) -> _dt.date | None:
        """``parse_deadline(value, start)[0]``, classifying each distinct cell value once."""
        key = (value.__class__, value)
        kind = self._deadlines.get(key, _MISSING)
        if kind is _MISSING:
            try:
                kind = _deadline_kind(value)
            except CellError as exc:
                kind = exc.with_traceback(None)
            if not (value.__class__ is float and value == 0):
                self._deadlines[key] = kind
        if kind is None or kind.__class__ is _DATE:
            return kind  # type: ignore[return-value]
        if kind.__class__ is int:
            if start is None:  # as parse_deadline says it
                raise CellError(f"期限写作天数 ({value!r}) 但没有排查日期可起算")
            return start + _dt.timedelta(days=kind)
        raise CellError(str(kind))

    def word(self, vocab: Vocabulary, value: Any) -> Any:
        """``vocab.get(value)``, once per distinct value of this sheet (cells repeat)."""
        key = (vocab.name, value.__class__, value)
        hit = self._words.get(key, _MISSING)
        if hit is _MISSING:
            try:
                hit = vocab.get(value)
            except CellError as exc:
                hit = exc.with_traceback(None)
            self._words[key] = hit
        if isinstance(hit, CellError):
            raise CellError(*hit.args)  # a new one: the kept one never holds frames that hold the sheet
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

    # -----------------------------------------------------------------------------------------

    def facts(self, row: DataRow, at: int | None = None) -> RowFacts:
        """What one row of this sheet says: identity, the 发现 facts, the steps it shows, people
        and texts. ``at`` is the row's position in ``sheet.rows`` when the caller knows it."""
        i = self._position(row) if at is None else at
        t = self._t
        description = t["description"][i]
        if not description:
            raise RowRejected(self.header("description"), None, "缺少隐患描述")
        inferred_text: tuple[str, ...] = ()
        # the unit: the inspected unit, the enterprise, the responsible unit, the 填报单位, a default
        if not self._unit_names[i]:
            raise RowRejected(self.header("unit"), None, "缺少单位 (被检查单位/责任单位), 也没有 --unit 默认值")
        unit = self._units[i]
        town = t["town"][i] or self.unit_towns.get(unit) or self.options.default_town or ""
        if not town:
            raise RowRejected(self.header("town"), None, "缺少所属乡镇, 单位也不在单位库中; 请给出 --town")
        found = self._d["found_on"][i]
        if found is None:
            found = self._default_found
            if found is None:
                raise RowRejected(self.header("found_on"), None, "缺少排查日期")
            inferred_text = ("found_on",)
        elif isinstance(found, CellError):
            raise self._date_error("found_on", i, found)
        level = self._level[i]
        if isinstance(level, CellError):
            raise RowRejected(self.header("level"), self._cell("level", i), str(level) + " (可用 --level-map 或 --default-level)")
        extra: dict[str, Any] = {}
        source, source_note = self._source[i]
        if source_note is not None:
            extra["原隐患来源"] = source_note
        level_note = self._level_note[i]
        if level_note is not None:
            extra["原隐患等级"] = level_note
        for key, values in self._extra_cols:
            v = values[i]
            if v is not _SKIP:
                extra.setdefault(key, v)
        code = self._code[i]
        location = t["location"][i]
        domain = self._domain[i]
        if isinstance(domain, CellError):
            raise RowRejected(self.header("domain"), self._cell("domain", i), str(domain))
        try:
            discovery = _discovery(unit, town, domain, description, source, level, location, code, self._criteria[i], extra)
        except HazardloopError as exc:
            raise RowRejected("", None, str(exc)) from exc
        identity: tuple[Any, ...]
        if code:
            identity = ("code", unit, code)
        else:
            identity = ("facts", unit, norm_text(location), identity_text(description), found)
        org = t["responsible_unit"][i] or unit
        people = {}
        for name, actors in self._people_cols:
            actor = actors[i]
            if actor is not None:
                people[name] = actor
        funds = self._funds[i]
        if isinstance(funds, CellError):
            raise RowRejected(self.header("funds"), self._cell("funds", i), str(funds))
        texts = {
            "responsible_unit": org,
            "supervising_department": t["supervising_department"][i],
            "listing_level": t["listing_level"][i],
            "measures": t["measures"][i],
            "plan": t["plan"][i] or None,
            "funds": funds,
            "report": "",
            "comments": t["inspection_result"][i],
            "end_reason": t["end_reason"][i],
        }
        flat: dict[str, Any] = {}
        steps, claim = self._steps(i, found, texts, flat)
        return _new_facts(identity, unit, discovery, steps, claim, people, texts, inferred_text, flat, bool(t["history"][i]))

    def _steps(
        self, i: int, found: _dt.date, texts: dict[str, Any], flat: dict[str, Any]
    ) -> tuple[tuple[Step, ...], Claim | None]:
        """The events row ``i`` shows, in order; dates None where they must be inferred."""
        new_step = _new_step  # the same records as the class makes, without attrs' __init__ (positional)
        deadline = self._deadline[i]  # None, a number of days, a date or the cell's error
        if deadline.__class__ is int:
            deadline = found + _dt.timedelta(days=deadline)
        elif isinstance(deadline, CellError):
            raise RowRejected(self.header("deadline"), self._cell("deadline", i), str(deadline))
        dates = self._d
        effective = dates["effective_deadline"][i]
        if isinstance(effective, CellError):
            raise self._date_error("effective_deadline", i, effective)
        if deadline is None and effective is not None:
            extensions = self._extensions[i]
            if isinstance(extensions, CellError):
                raise RowRejected(self.header("extension_count"), self._cell("extension_count", i), str(extensions))
            if not extensions:
                deadline = effective
        claim = self._status[i]
        if isinstance(claim, CellError):
            raise RowRejected(self.header("status"), self._cell("status", i), str(claim))
        for name, claims in self._status_more:
            c = claims[i]
            if c is not None and (claim is None or c.rank > claim.rank):
                claim = c
            elif c is None and name == "progress" and self._t[name][i]:
                texts["report"] = self._t[name][i]
        result_text = self._t["inspection_passed"][i]
        passed: bool | None = None
        if result_text:
            passed = RESULT_WORDS.get(norm_text(result_text))
            if passed is None:
                raise RowRejected(self.header("inspection_passed"), result_text, "验收结果应为 通过 或 不通过")
        elif texts["comments"] and norm_text(texts["comments"]) in RESULT_WORDS:
            passed = RESULT_WORDS[norm_text(texts["comments"])]
        # an exported ledger carries its history (办理过程); the flat columns may add to it
        history = self._t["history"][i]
        if self._bad_step_date is not None and self._bad_step_date[i]:
            for n in _STEP_DATES:
                v = dates[n][i]
                if isinstance(v, CellError):
                    raise self._date_error(n, i, v)
        d = dict(self._no_step_dates)  # every step date, None where the sheet has no column
        for n, col in self._step_date_cols:
            d[n] = col[i]
        no_date = ("date",)
        steps: list[Step] = [new_step(K.DISCOVER, found, None, ())]
        if d["withdrawn_on"] or claim is Claim.WITHDRAWN:
            steps.append(new_step(K.WITHDRAW, d["withdrawn_on"], None, () if d["withdrawn_on"] else no_date))
            if d["voided_on"] or claim is Claim.VOIDED:
                raise RowRejected(self.header("voided_on"), d["voided_on"], "已撤销的隐患不能再作废")
            flat.update(d=d, withdrawn=True, claim=claim)
            return (self._history_steps(history) if history else tuple(steps)), claim
        # how far the row goes: the furthest of its status words and its dates
        rank = claim.rank if claim is not None and claim is not Claim.VOIDED else 0
        if passed is False and rank < 5:
            claim, rank = Claim.FAILED, max(rank, 2)
        closed = d["closed_on"]
        if closed is not None or d["first_closed_on"] is not None:
            implied = 5
        elif passed and d["inspected_on"] is not None:
            implied = 4
        elif d["submitted_on"] is not None or d["rectified_on"] is not None or d["inspected_on"] is not None:
            implied = 3
        elif d["started_on"] is not None or d["reopened_on"] is not None:
            implied = 2
        elif d["assigned_on"] is not None or deadline is not None:
            implied = 1
        else:
            implied = 0
        rank = max(rank, implied)
        if (claim is not None and claim.rank < 5 and claim is not Claim.VOIDED and closed is not None
                and d["reopened_on"] is None):
            raise RowRejected(self.header("status"), claim.value,
                          f"隐患状态为{claim.value}, 但填有销号日期 {closed} (销号后重新整改须填回头看日期)")
        if rank >= 1 and deadline is None:
            raise RowRejected(self.header("deadline"), None, "台账显示已交办或整改, 但缺少整改期限")
        if rank >= 1:
            assigned = d["assigned_on"]
            steps.append(new_step(K.ASSIGN, assigned or found, deadline, () if assigned else no_date))
            if effective is not None and effective != deadline and not d["reopened_on"]:
                steps.append(new_step(K.EXTEND, None, effective, no_date))
        if rank >= 2:
            steps.append(new_step(K.START, d["started_on"], None, () if d["started_on"] else no_date))
        first_closed = d["first_closed_on"] or closed
        if d["reopened_on"]:
            if first_closed is None:
                raise RowRejected(self.header("reopened_on"), d["reopened_on"], "有回头看日期但没有销号日期")
            reopen_deadline = effective or deadline
            steps += [
                new_step(K.SUBMIT, None, None, no_date),
                new_step(K.INSPECT_PASS, None, None, no_date),
                new_step(K.CLOSE, first_closed, None, ()),
                new_step(K.REOPEN, d["reopened_on"], reopen_deadline, ()),
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
            submitted = d["submitted_on"] or d["rectified_on"]
            steps.append(new_step(K.SUBMIT, submitted, None, () if submitted else no_date))
        if claim is Claim.FAILED:
            steps.append(new_step(K.INSPECT_FAIL, d["inspected_on"], None, () if d["inspected_on"] else no_date))
        elif rank >= 4:
            on = d["inspected_on"] or closed
            steps.append(new_step(K.INSPECT_PASS, on, None, () if d["inspected_on"] else no_date))
        if rank >= 5 and claim is not Claim.FAILED:
            steps.append(new_step(K.CLOSE, closed, None, () if closed else no_date))
        voided = bool(d["voided_on"] or claim is Claim.VOIDED)
        if voided:
            steps.append(new_step(K.VOID, d["voided_on"], None, () if d["voided_on"] else no_date))
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


