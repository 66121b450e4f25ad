"""The records of the register: enums, units, actors, evidence and events.

Every record here is a small frozen attrs class whose validators and converters run at the
boundary, so that a value held inside the core is already valid. Enum values are the Chinese
terms users see in ledgers; the member names are the English ones the code uses.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar, Union

import attrs
from attrs import field, frozen, validators as v

from hazardloop.errors import InvalidRecordError

__all__ = [
    "Stage",
    "Level",
    "ListingLevel",
    "Source",
    "Colour",
    "EventKind",
    "EvidencePhase",
    "ReportRecipient",
    "Actor",
    "SYSTEM",
    "Unit",
    "Evidence",
    "Origin",
    "Discovery",
    "Withdrawal",
    "Assignment",
    "Rectification",
    "Submission",
    "Inspection",
    "Closure",
    "Reopening",
    "Extension",
    "DualReport",
    "Attachment",
    "Correction",
    "Voiding",
    "Regrading",
    "Escalation",
    "DeadlineRecompute",
    "Payload",
    "PAYLOAD_TYPES",
    "Event",
    "to_date",
    "CORRECTABLE_FIELDS",
]


# ---------------------------------------------------------------------------------------------
# Enums
# ---------------------------------------------------------------------------------------------


class Stage(str, enum.Enum):
    """Where a hazard stands in the closed loop (闭环)."""

    # identity hash: Enum's own __hash__ is Python-level and on the lifecycle's hot path;
    # it never matched the str value's hash, so dict lookups by value behave as before
    __hash__ = object.__hash__

    DISCOVERED = "发现"
    ASSIGNED = "交办"
    RECTIFYING = "整改"
    INSPECTING = "督查"
    CLOSED = "销号"
    WITHDRAWN = "撤销"  #: a false report withdrawn before 交办
    VOIDED = "作废"  #: a hazard entered by mistake (kept in the history, counted apart)

    @property
    def is_open(self) -> bool:
        """True for the stages in which a hazard still awaits closure."""
        return self in _OPEN_STAGES


_OPEN_STAGES = frozenset({Stage.DISCOVERED, Stage.ASSIGNED, Stage.RECTIFYING, Stage.INSPECTING})


class Level(str, enum.Enum):
    """The two national hazard levels of 16号令 第三条."""

    # identity hash: Enum's own __hash__ is Python-level and on the lifecycle's hot path;
    # it never matched the str value's hash, so dict lookups by value behave as before
    __hash__ = object.__hash__

    GENERAL = "一般"
    MAJOR = "重大"

    @property
    def rank(self) -> int:
        """0 for general, 1 for major: the larger is the more severe."""
        return 1 if self is Level.MAJOR else 0


class ListingLevel(str, enum.Enum):
    """The level of government that listed a hazard for supervised rectification (挂牌督办)."""

    PROVINCE = "省级"
    CITY = "市级"
    COUNTY = "县级"
    NONE = "未挂牌"


class Source(str, enum.Enum):
    """Who found the hazard (three-tier checking, LIFECYCLE.md §3)."""

    SELF_CHECK = "企业自查"
    LOCAL_SWEEP = "属地排查"
    COUNTY_CHECK = "县级核查"
    ENFORCEMENT = "执法检查"
    PUBLIC_REPORT = "举报"
    OTHER = "其他"


class Colour(str, enum.Enum):
    """Four-colour risk levels: 红/橙/黄/蓝 = 重大/较大/一般/低风险."""

    RED = "红"
    ORANGE = "橙"
    YELLOW = "黄"
    BLUE = "蓝"

    @property
    def rank(self) -> int:
        """3 for red down to 0 for blue: the larger is the more severe."""
        return _COLOUR_RANK[self]

    @property
    def risk_name(self) -> str:
        """The risk level the colour stands for (重大风险 …)."""
        return _COLOUR_RISK[self]

    @classmethod
    def from_rank(cls, rank: int) -> Colour:
        """The colour of a rank, clamped to 0–3."""
        return _RANK_COLOUR[max(0, min(3, rank))]

    def raised(self, steps: int = 1) -> Colour:
        """This colour raised ``steps`` levels, never past red."""
        return Colour.from_rank(self.rank + steps)


_COLOUR_RANK = {Colour.RED: 3, Colour.ORANGE: 2, Colour.YELLOW: 1, Colour.BLUE: 0}
_RANK_COLOUR = {r: c for c, r in _COLOUR_RANK.items()}
_COLOUR_RISK = {
    Colour.RED: "重大风险",
    Colour.ORANGE: "较大风险",
    Colour.YELLOW: "一般风险",
    Colour.BLUE: "低风险",
}


class EventKind(str, enum.Enum):
    """Every kind of event a hazard's history can hold."""

    # identity hash: Enum's own __hash__ is Python-level and on the lifecycle's hot path;
    # it never matched the str value's hash, so dict lookups by value behave as before
    __hash__ = object.__hash__

    DISCOVER = "发现"
    ASSIGN = "交办"
    START = "整改"
    SUBMIT = "提交验收"
    INSPECT_PASS = "验收通过"
    INSPECT_FAIL = "验收不通过"
    CLOSE = "销号"
    REOPEN = "回头看"
    WITHDRAW = "撤销"
    EXTEND = "延期"
    EVIDENCE = "补充材料"
    DUAL_REPORT = "双报告"
    CORRECT = "更正"
    VOID = "作废"
    REGRADE = "重新定级"
    DETERMINE = "人工判定"
    ESCALATE = "升级提醒"
    RECOMPUTE = "期限重算"


class EvidencePhase(str, enum.Enum):
    """Whether a piece of evidence shows the hazard before or after rectification."""

    BEFORE = "整改前"
    AFTER = "整改后"
    DOCUMENT = "文件"


class ReportRecipient(str, enum.Enum):
    """The two recipients of a major hazard's 双报告 (安全生产法 第四十一条)."""

    AUTHORITY = "监管部门"
    WORKERS_CONGRESS = "职代会"


# ---------------------------------------------------------------------------------------------
# Converters and validators shared by the records
# ---------------------------------------------------------------------------------------------


def to_date(value: Any) -> _dt.date:
    """Convert a date, a datetime (its date) or an ISO ``YYYY-MM-DD`` string to a date."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise InvalidRecordError(f"not a date: {value!r}") from exc
    raise InvalidRecordError(f"not a date: {value!r}")


def _opt_date(value: Any) -> _dt.date | None:
    return None if value is None else to_date(value)


def _strip(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRecordError(f"expected text, got {value!r}")
    return value.strip()


def _opt_strip(value: Any) -> str | None:
    if value is None:
        return None
    text = _strip(value)
    return text or None


def _non_empty(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not value:
        raise InvalidRecordError(
            f"{type(instance).__name__}.{attribute.name} must not be empty"
        )


_E = TypeVar("_E", bound=enum.Enum)


def _coerce(cls: type[_E], value: object) -> _E:
    """``value`` as a member of ``cls``: the member, its value (the Chinese term) or its English name."""
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        pass
    if isinstance(value, str) and value.upper() in cls.__members__:
        return cls.__members__[value.upper()]
    allowed = ", ".join(str(m.value) for m in cls)
    raise InvalidRecordError(f"{value!r} is not a {cls.__name__} (one of: {allowed})")


# the fields' converters, one named function each: type checkers (the attrs plugin of mypy) read
# a named converter's parameter as the field's type in __init__, but not a factory's product
def _to_source(value: Source | str) -> Source:
    return _coerce(Source, value)


def _to_level(value: Level | str) -> Level:
    return _coerce(Level, value)


def _to_listing_level(value: ListingLevel | str) -> ListingLevel:
    return _coerce(ListingLevel, value)


def _to_event_kind(value: EventKind | str) -> EventKind:
    return _coerce(EventKind, value)


def _to_evidence_phase(value: EvidencePhase | str) -> EvidencePhase:
    return _coerce(EvidencePhase, value)


def _to_recipient(value: ReportRecipient | str) -> ReportRecipient:
    return _coerce(ReportRecipient, value)


def _str_tuple(value: Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    out = []
    for item in value:
        text = _strip(item)
        if text:
            out.append(text)
    return tuple(out)


def _pairs(value: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> tuple[tuple[str, Any], ...]:
    """Freeze a mapping into a tuple of (key, value) pairs sorted by key."""
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    out = {}
    for key, val in items:
        out[_strip(key)] = val
    return tuple(sorted(out.items()))


def _float_pairs(value: Any) -> tuple[tuple[str, float], ...]:
    pairs = _pairs(value)
    out = []
    for key, val in pairs:
        try:
            out.append((key, float(val)))
        except (TypeError, ValueError) as exc:
            raise InvalidRecordError(f"measurement {key!r} is not a number: {val!r}") from exc
    return tuple(out)


def _non_negative(instance: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and value < 0:
        raise InvalidRecordError(f"{type(instance).__name__}.{attribute.name} must be ≥ 0")


def _opt_float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidRecordError(f"not a number: {value!r}") from exc


_HEX64 = re.compile(r"^[0-9a-f]{64}$")


# ---------------------------------------------------------------------------------------------
# People, units, evidence
# ---------------------------------------------------------------------------------------------


@frozen
class Actor:
    """A person or office acting on a hazard: an identity, not free text."""

    id: str = field(converter=_strip, validator=_non_empty)
    name: str = field(converter=_strip, validator=_non_empty)
    organisation: str = field(default="", converter=_strip)

    def __str__(self) -> str:
        return f"{self.name}({self.organisation})" if self.organisation else self.name


SYSTEM = Actor("hazardloop", "hazardloop", "system")
"""The actor of events the library records by itself (escalations, recomputations)."""


@frozen
class Unit:
    """A unit (生产经营单位, an enterprise or place) in the unit register.

    ``attributes`` holds the inputs its domains' risk methods need (LEC factors,
    GB 18218 quantities, tailings-pond data…), so that its colour is computed, not typed in.
    """

    code: str = field(converter=_strip, validator=_non_empty)
    name: str = field(converter=_strip, validator=_non_empty)
    town: str = field(converter=_strip, validator=_non_empty)
    domains: tuple[str, ...] = field(default=(), converter=_str_tuple)
    attributes: tuple[tuple[str, Any], ...] = field(default=(), converter=_pairs)

    def attribute(self, name: str, default: Any = None) -> Any:
        """The value of one risk input, or ``default``."""
        for key, val in self.attributes:
            if key == name:
                return val
        return default


@frozen
class Evidence:
    """A reference to a photo or document, with a content hash so it cannot be swapped."""

    uri: str = field(converter=_strip, validator=_non_empty)
    sha256: str = field(converter=lambda s: _strip(s).lower())
    caption: str = field(default="", converter=_strip)
    phase: EvidencePhase = field(default=EvidencePhase.AFTER, converter=_to_evidence_phase)

    @sha256.validator
    def _check_hash(self, attribute: attrs.Attribute[str], value: str) -> None:
        if not _HEX64.match(value):
            raise InvalidRecordError(f"evidence {self.uri!r}: sha256 must be 64 hex digits")


@frozen
class Origin:
    """Where an event came from when it was rebuilt from a ledger: file, sheet and row.

    ``inferred`` names the fields the importer had to infer (e.g. a missing 交办 date taken as
    the date found). Events with an origin are exempt from the rules that ask for documents a
    ledger does not carry (a plan, evidence, an inspector other than the responsible person).
    """

    file: str = field(converter=_strip, validator=_non_empty)
    sheet: str = field(default="", converter=_strip)
    row: int | None = field(default=None, validator=v.optional(v.instance_of(int)))
    inferred: tuple[str, ...] = field(default=(), converter=_str_tuple)

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f"[{self.sheet}]"
        if self.row is not None:
            where += f" row {self.row}"
        return where


# ---------------------------------------------------------------------------------------------
# Event payloads: what each kind of event adds
# ---------------------------------------------------------------------------------------------


@frozen
class Discovery:
    """发现: the facts a hazard is reported with."""

    unit_code: str = field(converter=_strip, validator=_non_empty)
    town: str = field(converter=_strip, validator=_non_empty)
    domain: str = field(converter=_strip, validator=_non_empty)
    description: str = field(converter=_strip, validator=_non_empty)
    source: Source = field(converter=_to_source)
    level: Level = field(converter=_to_level)
    location: str = field(default="", converter=_strip)
    hazard_code: str | None = field(default=None, converter=_opt_strip)
    criteria: tuple[str, ...] = field(default=(), converter=_str_tuple)
    measurements: tuple[tuple[str, float], ...] = field(default=(), converter=_float_pairs)
    extra: tuple[tuple[str, Any], ...] = field(default=(), converter=_pairs)


@frozen
class Withdrawal:
    """撤销: a false report withdrawn before 交办."""

    reason: str = field(converter=_strip, validator=_non_empty)


@frozen
class Assignment:
    """交办: handed to the enterprise and the supervising department at once (双重交办).

    ``deadline`` is computed once, here, from the limit table in force; ``rule`` says which
    row of which table gave it, and ``provisional`` that it was counted past the holiday data.
    """

    responsible_unit: str = field(converter=_strip, validator=_non_empty)
    responsible_person: Actor = field(validator=v.instance_of(Actor))
    supervising_department: str = field(converter=_strip, validator=_non_empty)
    listing_level: ListingLevel = field(converter=_to_listing_level)
    deadline: _dt.date = field(converter=to_date)
    requested_deadline: _dt.date | None = field(default=None, converter=_opt_date)
    rule: str = field(default="", converter=_strip)
    provisional: bool = field(default=False, validator=v.instance_of(bool))


@frozen
class Rectification:
    """整改: work starts; a major hazard needs a rectification plan (治理方案)."""

    measures: str = field(converter=_strip, validator=_non_empty)
    plan: str | None = field(default=None, converter=_opt_strip)
    funds: float | None = field(default=None, converter=_opt_float, validator=_non_negative)


@frozen
class Submission:
    """提交验收: the responsible party reports the work done and asks for acceptance."""

    report: str = field(default="", converter=_strip)


@frozen
class Inspection:
    """督查/验收: the conclusion is the event kind (pass or fail); comments go here."""

    comments: str = field(default="", converter=_strip)


@frozen
class Closure:
    """销号: struck off the list after a passed inspection."""

    note: str = field(default="", converter=_strip)


@frozen
class Reopening:
    """回头看: a look-back re-check found the hazard again; it gets a new deadline."""

    reason: str = field(converter=_strip, validator=_non_empty)
    deadline: _dt.date = field(converter=to_date)
    provisional: bool = field(default=False, validator=v.instance_of(bool))


@frozen
class Extension:
    """延期: more time, with a reason and an approver; the original deadline is kept."""

    reason: str = field(converter=_strip, validator=_non_empty)
    approver: Actor = field(validator=v.instance_of(Actor))
    deadline: _dt.date = field(converter=to_date)
    provisional: bool = field(default=False, validator=v.instance_of(bool))


@frozen
class DualReport:
    """双报告: a major hazard reported to the authority or to the workers' congress."""

    recipient: ReportRecipient = field(converter=_to_recipient)


@frozen
class Attachment:
    """补充材料: evidence attached on its own (the evidence travels on the event)."""

    note: str = field(default="", converter=_strip)


CORRECTABLE_FIELDS = frozenset(
    {
        "description",
        "location",
        "town",
        "source",
        "hazard_code",
        "responsible_unit",
        "supervising_department",
        "measures",
        "plan",
        "funds",
    }
)
"""Fields a correction event may supersede. Stage, dates, deadlines and the level change only
through their own events (extension, reopening, regrading), so that on-time rates stay honest."""


def _corrections(value: Any) -> tuple[tuple[str, Any], ...]:
    pairs = _pairs(value)
    if not pairs:
        raise InvalidRecordError("a correction must name at least one field")
    for key, val in pairs:
        if key not in CORRECTABLE_FIELDS:
            raise InvalidRecordError(
                f"field {key!r} cannot be corrected (correctable: {', '.join(sorted(CORRECTABLE_FIELDS))})"
            )
        if key == "source":
            _to_source(val)
        if key == "funds":
            _non_negative(None, attrs.fields(Rectification).funds, _opt_float(val))
    return pairs


@frozen
class Correction:
    """更正: supersedes named fields, with a reason; the superseded values stay in the history."""

    fields: tuple[tuple[str, Any], ...] = field(converter=_corrections)
    reason: str = field(converter=_strip, validator=_non_empty)


@frozen
class Voiding:
    """作废: a hazard entered by mistake; it stays in the history and is counted apart."""

    reason: str = field(converter=_strip, validator=_non_empty)


@frozen
class Regrading:
    """重新定级 / 人工判定: a new level with the criteria or clause behind it.

    When it changes the level after 交办 the register re-derives the deadline from the limit
    table and records it here (``deadline``); ``None`` means the deadline is unchanged.
    """

    level: Level = field(converter=_to_level)
    reason: str = field(converter=_strip, validator=_non_empty)
    criteria: tuple[str, ...] = field(default=(), converter=_str_tuple)
    clause: str = field(default="", converter=_strip)
    deadline: _dt.date | None = field(default=None, converter=_opt_date)
    provisional: bool = field(default=False, validator=v.instance_of(bool))


@frozen
class Escalation:
    """升级提醒: the hazard entered an escalation tier (relative to its effective deadline)."""

    tier: str = field(converter=_strip, validator=_non_empty)
    offset_days: int = field(validator=v.instance_of(int))
    entered_on: _dt.date = field(converter=to_date)
    deadline: _dt.date = field(converter=to_date)


@frozen
class DeadlineRecompute:
    """期限重算: a provisional deadline recomputed once the next year's holiday table exists."""

    deadline: _dt.date = field(converter=to_date)
    provisional: bool = field(validator=v.instance_of(bool))
    reason: str = field(converter=_strip, validator=_non_empty)


Payload = Union[
    Discovery,
    Withdrawal,
    Assignment,
    Rectification,
    Submission,
    Inspection,
    Closure,
    Reopening,
    Extension,
    DualReport,
    Attachment,
    Correction,
    Voiding,
    Regrading,
    Escalation,
    DeadlineRecompute,
]

PAYLOAD_TYPES: Mapping[EventKind, type] = {
    EventKind.DISCOVER: Discovery,
    EventKind.ASSIGN: Assignment,
    EventKind.START: Rectification,
    EventKind.SUBMIT: Submission,
    EventKind.INSPECT_PASS: Inspection,
    EventKind.INSPECT_FAIL: Inspection,
    EventKind.CLOSE: Closure,
    EventKind.REOPEN: Reopening,
    EventKind.WITHDRAW: Withdrawal,
    EventKind.EXTEND: Extension,
    EventKind.EVIDENCE: Attachment,
    EventKind.DUAL_REPORT: DualReport,
    EventKind.CORRECT: Correction,
    EventKind.VOID: Voiding,
    EventKind.REGRADE: Regrading,
    EventKind.DETERMINE: Regrading,
    EventKind.ESCALATE: Escalation,
    EventKind.RECOMPUTE: DeadlineRecompute,
}
"""Which payload record each event kind carries."""

assert set(PAYLOAD_TYPES) == set(EventKind), "every event kind needs a payload type"


def _evidence_tuple(value: Any) -> tuple[Evidence, ...]:
    if value is None:
        return ()
    out = tuple(value)
    for item in out:
        if not isinstance(item, Evidence):
            raise InvalidRecordError(f"not an Evidence record: {item!r}")
    return out


def _recorded_at(value: Any) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        return value
    if isinstance(value, str):
        return _dt.datetime.fromisoformat(value)
    raise InvalidRecordError(f"recorded_at must be a datetime, got {value!r}")


@frozen
class Event:
    """One step in a hazard's history: what, when it happened, when it was recorded, who, why.

    ``occurred_on`` (the local date it happened) drives replay and as-of queries;
    ``recorded_at`` is when the register took it. ``seq`` numbers a hazard's events from 1
    and doubles as the hazard's version for optimistic concurrency.
    """

    hazard_id: str = field(converter=_strip, validator=_non_empty)
    seq: int = field(validator=[v.instance_of(int), v.ge(1)])
    kind: EventKind = field(converter=_to_event_kind)
    occurred_on: _dt.date = field(converter=to_date)
    recorded_at: _dt.datetime = field(converter=_recorded_at)
    actor: Actor = field(validator=v.instance_of(Actor))
    payload: Payload = field()
    comment: str = field(default="", converter=_strip)
    evidence: tuple[Evidence, ...] = field(default=(), converter=_evidence_tuple)
    origin: Origin | None = field(default=None, validator=v.optional(v.instance_of(Origin)))

    @payload.validator
    def _check_payload(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        expected = PAYLOAD_TYPES[self.kind]
        if type(value) is not expected:
            raise InvalidRecordError(
                f"a {self.kind.value} event carries a {expected.__name__}, "
                f"not {type(value).__name__}"
            )

    @property
    def event_id(self) -> str:
        """A stable id: the hazard id and the sequence number."""
        return f"{self.hazard_id}#{self.seq}"
