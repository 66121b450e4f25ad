"""Time limits: the 60/30-day rule, day counting, and the derived status of every hazard.

This is the one place to find the rule that a major hazard listed at city level (市级挂牌)
closes within 60 days of 交办 and one listed at county level (县级) within 30
(:data:`DEFAULT_LIMIT_TABLE`, from the 2021 Zhejiang provincial work plan; LIFECYCLE.md §2).
The table is configuration: a locality can change the numbers, add levels, cap the deadlines
that assigners set, count working days, and give a new table an effective date.

Counting follows 民法典 第二百零一条/第二百零三条 by default: the start day is not counted, and a
last day that falls on a statutory holiday or rest day moves to the next working day.

Statuses (open, due soon, due today, overdue, closed on time / late…) are derived for a date,
never stored: :func:`status_of` for one hazard, :func:`status_frame` vectorised over a register.
The two are written independently and a property test holds them equal.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable

import attrs
import numpy as np
import pandas as pd
from attrs import field, frozen, validators as v

from hazardloop.calendar import HolidayCalendar
from hazardloop.errors import ConfigError, DeadlineError
from hazardloop.lifecycle import HazardState
from hazardloop.records import Level, ListingLevel, Stage

__all__ = [
    "DayCount",
    "LimitRule",
    "LimitTable",
    "EscalationTier",
    "DeadlineConfig",
    "DeadlineResult",
    "DEFAULT_LIMIT_TABLE",
    "DEFAULT_TIERS",
    "Status",
    "HazardStatus",
    "count_deadline",
    "assignment_deadline",
    "status_of",
    "status_frame",
    "STATUS_COLUMNS",
]


class DayCount(str, enum.Enum):
    """How the days of a limit are counted."""

    NATURAL = "自然日"
    WORKING = "工作日"


# named converters: type checkers read a named converter's parameter as the field's __init__ type
def _opt_level(value: Level | str | None) -> Level | None:
    return None if value is None else Level(value)


def _opt_listing(value: ListingLevel | str | None) -> ListingLevel | None:
    return None if value is None else ListingLevel(value)


def _rules(rules: Iterable[LimitRule]) -> tuple[LimitRule, ...]:
    return tuple(rules)


@frozen
class LimitRule:
    """One row of a limit table.

    ``level``/``listing`` None match any. ``days`` set: the table's deadline applies (counted
    from 交办) and an assigner may only set an earlier one. ``cap_days`` set (and no ``days``):
    the assigner sets the deadline, at most that many days out. Neither: the assigner's date stands.
    """

    level: Level | None = field(default=None, converter=_opt_level)
    listing: ListingLevel | None = field(default=None, converter=_opt_listing)
    days: int | None = field(default=None, validator=v.optional([v.instance_of(int), v.ge(0)]))
    cap_days: int | None = field(default=None, validator=v.optional([v.instance_of(int), v.ge(0)]))
    count: DayCount = field(default=DayCount.NATURAL, converter=DayCount)

    def matches(self, level: Level, listing: ListingLevel) -> bool:
        """True when this row applies to a hazard of that level and listing."""
        return (self.level is None or self.level is level) and (
            self.listing is None or self.listing is listing
        )

    @property
    def specificity(self) -> int:
        """How many of the two keys the row names; the most specific matching row wins."""
        return (self.level is not None) + (self.listing is not None)

    def describe(self) -> str:
        """A short text for the 交办 event (which row gave the deadline)."""
        who = f"{self.level.value if self.level else '任意'}/{self.listing.value if self.listing else '任意'}"
        if self.days is not None:
            return f"{who}: {self.days}{self.count.value}"
        if self.cap_days is not None:
            return f"{who}: 交办人设定, 不超过{self.cap_days}{self.count.value}"
        return f"{who}: 交办人设定"


@frozen
class LimitTable:
    """A set of limit rules in force from ``effective_from`` (until the next table)."""

    name: str
    effective_from: _dt.date
    rules: tuple[LimitRule, ...] = field(converter=_rules)
    roll_over: bool = True  #: 民法典 第二百零三条: a last day on a rest day moves to the next working day

    def __attrs_post_init__(self) -> None:
        seen = set()
        for rule in self.rules:
            key = (rule.level, rule.listing)
            if key in seen:
                raise ConfigError(f"limit table {self.name!r}: two rows for {key}")
            seen.add(key)

    def rule_for(self, level: Level, listing: ListingLevel) -> LimitRule | None:
        """The most specific row that matches, or None (the assigner's date stands)."""
        best: LimitRule | None = None
        for rule in self.rules:
            if rule.matches(level, listing) and (best is None or rule.specificity > best.specificity):
                best = rule
        return best


DEFAULT_LIMIT_TABLE = LimitTable(
    name="默认 (浙江省2021年工作方案: 市级挂牌60日, 县级挂牌30日)",
    effective_from=_dt.date(1900, 1, 1),
    rules=(
        LimitRule(Level.MAJOR, ListingLevel.CITY, days=60),
        LimitRule(Level.MAJOR, ListingLevel.COUNTY, days=30),
    ),
)
"""Major hazards listed at city level: 60 days from 交办; at county level: 30. The plan does not
say natural or working days (STANDARDS.md §11); natural days are the default reading."""


@frozen
class EscalationTier:
    """A reminder/escalation point relative to the effective deadline (negative = before)."""

    name: str
    offset_days: int


DEFAULT_TIERS: tuple[EscalationTier, ...] = (
    EscalationTier("临期7天", -7),
    EscalationTier("到期当日", 0),
    EscalationTier("超期7天", 7),
    EscalationTier("超期30天", 30),
)


def _tables(value: Iterable[LimitTable]) -> tuple[LimitTable, ...]:
    tables = tuple(sorted(value, key=lambda t: t.effective_from))
    if not tables:
        raise ConfigError("at least one limit table is needed")
    dates = [t.effective_from for t in tables]
    if len(set(dates)) != len(dates):
        raise ConfigError("two limit tables take effect on the same date")
    return tables


def _tiers(value: Iterable[EscalationTier]) -> tuple[EscalationTier, ...]:
    tiers = tuple(sorted(value, key=lambda t: t.offset_days))
    names = [t.name for t in tiers]
    if len(set(names)) != len(names):
        raise ConfigError("escalation tier names must be unique")
    return tiers


@frozen
class DeadlineConfig:
    """Everything the deadline rules compute with, versioned by effective date."""

    tables: tuple[LimitTable, ...] = field(default=(DEFAULT_LIMIT_TABLE,), converter=_tables)
    due_soon_days: int = field(default=7, validator=[v.instance_of(int), v.ge(0)])
    tiers: tuple[EscalationTier, ...] = field(default=DEFAULT_TIERS, converter=_tiers)

    def table_for(self, assigned_on: _dt.date) -> LimitTable:
        """The limit table in force on the 交办 date."""
        chosen = None
        for table in self.tables:
            if table.effective_from <= assigned_on:
                chosen = table
        if chosen is None:
            raise ConfigError(f"no limit table is in force on {assigned_on}")
        return chosen

    def with_table(self, table: LimitTable) -> DeadlineConfig:
        """A config that adds a new local rule from its effective date on."""
        return attrs.evolve(self, tables=(*self.tables, table))


@frozen
class DeadlineResult:
    """A computed deadline: the date, whether it is provisional, and which rule gave it."""

    deadline: _dt.date
    provisional: bool
    rule: str


def _next_workday(day: _dt.date, calendar: HolidayCalendar) -> tuple[_dt.date, bool]:
    provisional = False
    while True:
        if not calendar.covers(day):
            provisional = True
        if calendar.is_workday(day):
            return day, provisional
        day += _dt.timedelta(days=1)


def count_deadline(
    start: _dt.date,
    days: int,
    *,
    count: DayCount = DayCount.NATURAL,
    calendar: HolidayCalendar,
    roll_over: bool = True,
) -> tuple[_dt.date, bool]:
    """The last day of a period of ``days`` starting on ``start`` (which is not counted).

    Returns the date and whether it is provisional (some day examined lies outside the
    calendar's official tables, so it was counted weekday-only).
    """
    one = _dt.timedelta(days=1)
    if count is DayCount.NATURAL:
        last = start + _dt.timedelta(days=days)
        if not roll_over:
            return last, False
        return _next_workday(last, calendar)
    day, provisional, left = start, False, days
    while left > 0:
        day += one
        if not calendar.covers(day):
            provisional = True
        if calendar.is_workday(day):
            left -= 1
    return day, provisional


def assignment_deadline(
    config: DeadlineConfig,
    calendar: HolidayCalendar,
    *,
    level: Level,
    listing: ListingLevel,
    assigned_on: _dt.date,
    requested: _dt.date | None,
) -> DeadlineResult:
    """The deadline recorded at 交办, from the table in force on ``assigned_on``.

    Raises :class:`~hazardloop.errors.DeadlineError` when the assigner asks for a date later
    than the table allows (an extension is the way to more time), or gives none where the
    table leaves the date to the assigner.
    """
    table = config.table_for(assigned_on)
    rule = table.rule_for(level, listing)
    where = f"{table.name} (自{table.effective_from}起)"
    if requested is not None and requested < assigned_on:
        raise DeadlineError(f"deadline {requested} is before the 交办 date {assigned_on}")
    if rule is not None and rule.days is not None:
        limit, provisional = count_deadline(
            assigned_on, rule.days, count=rule.count, calendar=calendar, roll_over=table.roll_over
        )
        if requested is None or requested == limit:
            return DeadlineResult(limit, provisional, f"{where}: {rule.describe()}")
        if requested > limit:
            raise DeadlineError(
                f"{level.value}/{listing.value} hazards close within {rule.days} "
                f"{rule.count.value} of 交办 ({limit}); {requested} is later: use an extension (延期)"
            )
        return DeadlineResult(requested, False, f"{where}: {rule.describe()}; 交办人设定更早期限")
    if requested is None:
        raise DeadlineError(
            f"{level.value}/{listing.value}: the limit table leaves the deadline to the assigner; give one"
        )
    if rule is not None and rule.cap_days is not None:
        cap, _ = count_deadline(
            assigned_on, rule.cap_days, count=rule.count, calendar=calendar, roll_over=table.roll_over
        )
        if requested > cap:
            raise DeadlineError(
                f"{level.value}/{listing.value}: deadline {requested} is past the cap of "
                f"{rule.cap_days} {rule.count.value} ({cap})"
            )
        return DeadlineResult(requested, False, f"{where}: {rule.describe()}")
    return DeadlineResult(requested, False, f"{where}: 交办人设定")


# ---------------------------------------------------------------------------------------------
# Derived status
# ---------------------------------------------------------------------------------------------


class Status(str, enum.Enum):
    """A hazard's status on a date; derived from its state, never stored."""

    OPEN = "在办"
    DUE_SOON = "临期"
    DUE_TODAY = "今日到期"
    OVERDUE = "超期"
    CLOSED_ON_TIME = "按期销号"
    CLOSED_LATE = "超期销号"
    WITHDRAWN = "已撤销"
    VOIDED = "已作废"

    @property
    def is_open(self) -> bool:
        """True for the four statuses of a hazard not yet closed, withdrawn or voided."""
        return self in (Status.OPEN, Status.DUE_SOON, Status.DUE_TODAY, Status.OVERDUE)


_STATUS_ORDER = tuple(Status)


@frozen
class HazardStatus:
    """The status of one hazard on one date.

    ``days_left`` is deadline − date for an open hazard with a deadline; ``days_overdue`` the
    days past the effective deadline (open: to the date; closed late: to the closing date).
    ``on_time_original`` judges a closure against the original deadline, before extensions.
    """

    status: Status
    days_left: int | None
    days_overdue: int
    on_time_original: bool | None


def status_of(state: HazardState, as_of: _dt.date, due_soon_days: int = 7) -> HazardStatus:
    """The status of one hazard on ``as_of`` (the state must be as of that date)."""
    stage = state.stage
    if stage is Stage.WITHDRAWN:
        return HazardStatus(Status.WITHDRAWN, None, 0, None)
    if stage is Stage.VOIDED:
        return HazardStatus(Status.VOIDED, None, 0, None)
    deadline = state.effective_deadline
    if stage is Stage.CLOSED:
        closed = state.closed_on
        assert closed is not None
        original = state.original_deadline
        on_time_original = None if original is None else closed <= original
        if deadline is None or closed <= deadline:
            return HazardStatus(Status.CLOSED_ON_TIME, None, 0, on_time_original)
        return HazardStatus(Status.CLOSED_LATE, None, (closed - deadline).days, on_time_original)
    if deadline is None:
        return HazardStatus(Status.OPEN, None, 0, None)
    left = (deadline - as_of).days
    if left < 0:
        return HazardStatus(Status.OVERDUE, left, -left, None)
    if left == 0:
        return HazardStatus(Status.DUE_TODAY, 0, 0, None)
    if left <= due_soon_days:
        return HazardStatus(Status.DUE_SOON, left, 0, None)
    return HazardStatus(Status.OPEN, left, 0, None)


STATUS_COLUMNS = ("status", "days_left", "days_overdue", "on_time_original")
"""The columns :func:`status_frame` adds."""

_STAGE_CATS = [s.value for s in Stage]
_CODE = {s: i for i, s in enumerate(Stage)}
_NAT = np.iinfo(np.int64).min


_PER_DAY = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000, "us": 86_400_000_000,
            "ns": 86_400_000_000_000}


def _day_numbers(col: pd.Series) -> np.ndarray:
    # days since the epoch as int64, NaT kept as int64 min; datetime64 columns are read in place
    arr = col.to_numpy()
    if arr.dtype.kind != "M":
        arr = pd.to_datetime(col).to_numpy()
    unit, count = np.datetime_data(arr.dtype)
    ints = arr.view(np.int64)
    nat = ints == _NAT
    per_day = _PER_DAY.get(unit)
    if per_day is None or count != 1:
        return arr.astype("datetime64[D]").astype(np.int64)
    days = ints // per_day if per_day != 1 else ints.copy()
    days[nat] = _NAT
    return days


def _stage_codes(col: pd.Series) -> np.ndarray:
    if isinstance(col.dtype, pd.CategoricalDtype) and list(col.cat.categories) == _STAGE_CATS:
        return col.cat.codes.to_numpy()
    return pd.Categorical(col.astype(object).map(lambda s: getattr(s, "value", s)), categories=_STAGE_CATS).codes


def _status_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = {s: i for i, s in enumerate(_STATUS_ORDER)}
    # the status a stage gives before its deadline is looked at
    by_stage = np.array(
        [order[{Stage.CLOSED: Status.CLOSED_ON_TIME, Stage.WITHDRAWN: Status.WITHDRAWN,
                Stage.VOIDED: Status.VOIDED}.get(s, Status.OPEN)] for s in Stage],
        dtype=np.int8,
    )
    is_open = np.array([s.is_open for s in Stage])
    # an open hazard's status by its band of days left: <0, 0, 1..N, >N
    by_left = np.array([order[Status.OVERDUE], order[Status.DUE_TODAY], order[Status.DUE_SOON],
                        order[Status.OPEN]], dtype=np.int8)
    return by_stage, is_open, by_left


_STATUS_TABLES = _status_tables()
_STATUS_DTYPE = pd.CategoricalDtype([s.value for s in _STATUS_ORDER])


def status_frame(frame: pd.DataFrame, as_of: _dt.date, due_soon_days: int = 7) -> pd.DataFrame:
    """Vectorised statuses for a whole register on ``as_of``.

    ``frame`` needs the columns ``stage`` (Stage values), ``effective_deadline``,
    ``original_deadline`` and ``closed_on`` (dates or NaT), as of that date. Returns a frame
    with :data:`STATUS_COLUMNS` on the same index (``status`` as a categorical of Status values).
    Written apart from :func:`status_of` on purpose: a property test checks that the two agree.
    """
    by_stage, open_stage, by_left = _STATUS_TABLES
    stage = _stage_codes(frame["stage"])
    deadline = _day_numbers(frame["effective_deadline"])
    original = _day_numbers(frame["original_deadline"])
    closed = _day_numbers(frame["closed_on"])
    today = (np.datetime64(as_of, "D") - np.datetime64(0, "D")).astype(np.int64)

    has_deadline = deadline != _NAT
    is_closed = stage == _CODE[Stage.CLOSED]
    open_dl = np.take(open_stage, stage) & has_deadline
    left = deadline - today
    late_closed = is_closed & has_deadline & (closed > deadline)

    codes = np.take(by_stage, stage)
    band = (left >= 0).view(np.int8) + (left >= 1).view(np.int8) + (left > due_soon_days).view(np.int8)
    np.copyto(codes, np.take(by_left, band), where=open_dl)
    codes[late_closed] = _STATUS_ORDER.index(Status.CLOSED_LATE)

    overdue = np.zeros(len(stage), dtype=np.int64)
    np.copyto(overdue, -left, where=open_dl & (left < 0))
    np.copyto(overdue, closed - deadline, where=late_closed)

    days_left = pd.arrays.IntegerArray(np.where(open_dl, left, 0), ~open_dl)
    on_time_orig = pd.arrays.BooleanArray(closed <= original, ~(is_closed & (original != _NAT)))

    return pd.DataFrame(
        {
            "status": pd.Categorical.from_codes(codes, dtype=_STATUS_DTYPE, validate=False),
            "days_left": days_left,
            "days_overdue": overdue,
            "on_time_original": on_time_orig,
        },
        index=frame.index,
        copy=False,
    )
