"""Criteria catalogs (重大事故隐患判定标准) as data, and the domain declarations plugins make.

A *criterion* is one item of an official list: a code, the domain, its text, the clause it
comes from, the dates it is in force, whether it decides alone (direct) or counts toward a
threshold (composite), and how sure we are of it (:class:`Confidence`, the [C]/[P]/[U] tags
of STANDARDS.md). A *catalog* is one version of one list (e.g. 安监总管三〔2017〕121号); a
*series* is the succession of versions of the same list (GB 35181-2017 → GB 35181-2025).
Grading picks, for each series, the catalog in force on the date the hazard was found
(:meth:`Domain.catalog_for`); a date with no catalog in force gets no catalog, never a guess.

A plugin declares its domain with :class:`Domain` through the :class:`DomainRegistry` the core
hands to ``hazardloop_register_domains``; the registry validates what it receives.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs
from attrs import field, frozen, validators as v

from hazardloop.errors import ConfigError
from hazardloop.records import to_date

__all__ = [
    "Confidence",
    "CriterionKind",
    "Criterion",
    "Catalog",
    "LedgerField",
    "Domain",
    "DomainRegistry",
    "Suggestion",
    "suggest_by_keywords",
]


class Confidence(str, enum.Enum):
    """How sure we are of a fact (the tags of STANDARDS.md)."""

    CONFIRMED = "C"  #: seen verbatim or nearly so in a source
    PARAPHRASE = "P"  #: paraphrase or secondary source only
    UNCONFIRMED = "U"  #: recalled or partial: carried with this mark, never relied on silently

    @property
    def confirmed(self) -> bool:
        """True only for [C]."""
        return self is Confidence.CONFIRMED


class CriterionKind(str, enum.Enum):
    """How a criterion acts on the grade."""

    DIRECT = "直接判定"  #: any one met ⇒ 重大
    COMPOSITE = "综合判定"  #: counts toward a threshold (e.g. GB 35181 第7章)
    CONDITION = "前提条件"  #: a condition another criterion ``requires`` (e.g. 建城规 第九条 未书面告知)
    EXCLUSION = "排除情形"  #: when met, the hazard is not graded major (e.g. GB 35181-2017 5.1.3)


def _conf(value: Any) -> Confidence:
    if isinstance(value, Confidence):
        return value
    try:
        return Confidence(value)
    except ValueError:
        return Confidence[str(value).upper()]


def _opt_date(value: Any) -> _dt.date | None:
    return None if value is None else to_date(value)


def _tuple(value: Iterable[Any] | None) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-:/]*$")


def _code(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not _CODE.match(value):
        raise ConfigError(f"{type(instance).__name__}.{attribute.name}: {value!r} is not a code (ASCII, no spaces)")


def _text(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{type(instance).__name__}.{attribute.name} must not be empty")


def _dates_in_order(start: _dt.date | None, until: _dt.date | None, what: str) -> None:
    if start is not None and until is not None and until < start:
        raise ConfigError(f"{what}: in force until {until}, before it takes effect ({start})")


def _in_force(start: _dt.date | None, until: _dt.date | None, on: _dt.date) -> bool:
    return (start is None or start <= on) and (until is None or on <= until)


@frozen
class Criterion:
    """One item of an official list.

    ``effective_from``/``effective_until`` None means open-ended (the catalog's dates apply).
    ``requires`` names CONDITION criteria that must also be met for this one to count.
    ``group`` is the clause family a composite rule counts (e.g. ``"7.3"``).
    ``keywords`` may *suggest* the criterion from free text; they never decide a grade.
    ``partial`` marks a text we hold only in part (the rest of the item is not in our facts).
    """

    code: str = field(validator=_code)
    domain: str = field(validator=_code)
    text: str = field(validator=_text)
    clause: str = field(validator=_text)
    kind: CriterionKind = field(default=CriterionKind.DIRECT, converter=CriterionKind)
    confidence: Confidence = field(default=Confidence.CONFIRMED, converter=_conf)
    effective_from: _dt.date | None = field(default=None, converter=_opt_date)
    effective_until: _dt.date | None = field(default=None, converter=_opt_date)
    group: str = ""
    requires: tuple[str, ...] = field(default=(), converter=_tuple)
    keywords: tuple[str, ...] = field(default=(), converter=_tuple)
    partial: bool = False

    def __attrs_post_init__(self) -> None:
        _dates_in_order(self.effective_from, self.effective_until, f"criterion {self.code}")

    @property
    def confirmed(self) -> bool:
        """True when the criterion's text is [C] and held in full."""
        return self.confidence.confirmed and not self.partial

    def in_force(self, on: _dt.date) -> bool:
        """True when the criterion's own dates include ``on``."""
        return _in_force(self.effective_from, self.effective_until, on)


def _criteria(value: Iterable[Criterion]) -> tuple[Criterion, ...]:
    out = tuple(value)
    for c in out:
        if not isinstance(c, Criterion):
            raise ConfigError(f"not a Criterion: {c!r}")
    return out


@frozen
class Catalog:
    """One version of one official list, with the dates it is in force.

    ``effective_from`` None: STANDARDS.md gives no date; the catalog is taken to apply to
    every date before the next known version of its series, and ``dates_confirmed`` is False.
    ``complete`` False: we hold only some of its items, so "no item matched" cannot prove a
    hazard general. ``automatic`` False: the list is known to apply but its items are not in
    our facts; hazards of those dates need a recorded manual determination (人工判定).
    """

    code: str = field(validator=_code)
    series: str = field(validator=_code)
    domain: str = field(validator=_code)
    title: str = field(validator=_text)
    criteria: tuple[Criterion, ...] = field(default=(), converter=_criteria)
    effective_from: _dt.date | None = field(default=None, converter=_opt_date)
    effective_until: _dt.date | None = field(default=None, converter=_opt_date)
    dates_confirmed: bool = True
    complete: bool = True
    automatic: bool = True
    note: str = ""

    def __attrs_post_init__(self) -> None:
        _dates_in_order(self.effective_from, self.effective_until, f"catalog {self.code}")
        seen: set[str] = set()
        for c in self.criteria:
            if c.code in seen:
                raise ConfigError(f"catalog {self.code}: criterion {c.code} appears twice")
            seen.add(c.code)
            if c.domain != self.domain:
                raise ConfigError(f"catalog {self.code}: criterion {c.code} belongs to domain {c.domain}")
        for c in self.criteria:
            for req in c.requires:
                if req not in seen:
                    raise ConfigError(f"catalog {self.code}: {c.code} requires unknown criterion {req}")
        if self.automatic is False and self.criteria:
            raise ConfigError(f"catalog {self.code}: a non-automatic catalog carries no criteria")
        if self.effective_from is None and self.dates_confirmed:
            raise ConfigError(f"catalog {self.code}: no effective date, so its dates are unconfirmed")

    def in_force(self, on: _dt.date) -> bool:
        """True when this catalog is in force on ``on``."""
        return _in_force(self.effective_from, self.effective_until, on)

    def get(self, code: str) -> Criterion | None:
        """The criterion with that code, or None."""
        for c in self.criteria:
            if c.code == code:
                return c
        return None

    def codes(self) -> frozenset[str]:
        """Every criterion code of the catalog."""
        return frozenset(c.code for c in self.criteria)

    def of_kind(self, kind: CriterionKind) -> tuple[Criterion, ...]:
        """The criteria of one kind."""
        return tuple(c for c in self.criteria if c.kind is kind)

    def describe(self) -> str:
        """Title with its dates, marking unconfirmed dates."""
        start = str(self.effective_from) if self.effective_from else "?"
        until = str(self.effective_until) if self.effective_until else ""
        mark = "" if self.dates_confirmed else " [日期未确认 U]"
        return f"{self.title} ({start}–{until}){mark}"


@frozen
class LedgerField:
    """An extra ledger column a domain adds (e.g. 场所类别 for fire)."""

    name: str = field(validator=_code)
    label: str = field(validator=_text)
    kind: str = field(default="text", validator=v.in_(("text", "number", "date", "bool", "choice")))
    choices: tuple[str, ...] = field(default=(), converter=_tuple)
    help: str = ""


def _catalogs(value: Iterable[Catalog]) -> tuple[Catalog, ...]:
    out = tuple(value)
    for c in out:
        if not isinstance(c, Catalog):
            raise ConfigError(f"not a Catalog: {c!r}")
    return out


@frozen
class Domain:
    """A domain (行业领域) as a plugin declares it: code, Chinese name, ledger fields, catalogs."""

    code: str = field(validator=_code)
    name: str = field(validator=_text)
    ledger_fields: tuple[LedgerField, ...] = field(default=(), converter=_tuple)
    catalogs: tuple[Catalog, ...] = field(default=(), converter=_catalogs)
    description: str = ""

    def __attrs_post_init__(self) -> None:
        codes: set[str] = set()
        criteria: dict[str, str] = {}
        for cat in self.catalogs:
            if cat.domain != self.code:
                raise ConfigError(f"domain {self.code}: catalog {cat.code} belongs to domain {cat.domain}")
            if cat.code in codes:
                raise ConfigError(f"domain {self.code}: catalog {cat.code} appears twice")
            codes.add(cat.code)
            for c in cat.criteria:
                # a code names one criterion in one series; it may not move between series
                other = criteria.setdefault(c.code, cat.series)
                if other != cat.series:
                    raise ConfigError(f"domain {self.code}: criterion {c.code} in two series")
        for series in self.series():
            ordered = sorted(
                (c for c in self.catalogs if c.series == series),
                key=lambda c: c.effective_from or _dt.date.min,
            )
            for a, b in zip(ordered, ordered[1:]):
                a_end = a.effective_until or _dt.date.max
                if b.effective_from is None or a_end >= b.effective_from:
                    raise ConfigError(f"domain {self.code}: catalogs {a.code} and {b.code} overlap")
        names = [f.name for f in self.ledger_fields]
        if len(set(names)) != len(names):
            raise ConfigError(f"domain {self.code}: two ledger fields share a name")

    def series(self) -> tuple[str, ...]:
        """The series of lists the domain holds, in declaration order."""
        out: list[str] = []
        for cat in self.catalogs:
            if cat.series not in out:
                out.append(cat.series)
        return tuple(out)

    def catalog_for(self, series: str, on: _dt.date | str) -> Catalog | None:
        """The catalog of ``series`` in force on ``on``, or None (no catalog: cannot grade)."""
        day = to_date(on)
        for cat in self.catalogs:
            if cat.series == series and cat.in_force(day):
                return cat
        return None

    def series_of(self, code: str) -> str | None:
        """The series a criterion code belongs to, or None for a code no catalog knows."""
        for cat in self.catalogs:
            if cat.get(code) is not None:
                return cat.series
        return None

    def criterion(self, code: str, on: _dt.date | str | None = None) -> Criterion | None:
        """The criterion with that code (in the catalog in force on ``on`` if given)."""
        for cat in self.catalogs:
            if on is not None and not cat.in_force(to_date(on)):
                continue
            found = cat.get(code)
            if found is not None:
                return found
        return None


class DomainRegistry:
    """The callback object handed to ``hazardloop_register_domains``: call it with a Domain.

    It validates what it is given, refuses a domain code registered twice (naming both), and
    is read through :meth:`get` and iteration once registration is over.
    """

    def __init__(self) -> None:
        self._domains: dict[str, Domain] = {}
        self._owner: dict[str, str] = {}
        self._current = "?"

    def _set_owner(self, plugin: str) -> None:
        self._current = plugin

    def __call__(self, domain: Domain) -> Domain:
        """Register ``domain``; raises ConfigError for a non-Domain or a duplicate code."""
        if not isinstance(domain, Domain):
            raise ConfigError(f"plugin {self._current}: register() takes a Domain, not {type(domain).__name__}")
        if domain.code in self._domains:
            raise ConfigError(
                f"domain {domain.code!r} registered twice (by {self._owner[domain.code]} and {self._current})"
            )
        self._domains[domain.code] = domain
        self._owner[domain.code] = self._current
        return domain

    def get(self, code: str) -> Domain | None:
        """The domain with that code, or None."""
        return self._domains.get(code)

    def owner(self, code: str) -> str | None:
        """The plugin that registered the domain."""
        return self._owner.get(code)

    def __iter__(self) -> Iterator[Domain]:
        return iter(sorted(self._domains.values(), key=lambda d: d.code))

    def __len__(self) -> int:
        return len(self._domains)

    def __contains__(self, code: object) -> bool:
        return code in self._domains

    def as_mapping(self) -> Mapping[str, Domain]:
        """A read-only copy of the registered domains by code."""
        return dict(self._domains)


@frozen
class Suggestion:
    """A criterion suggested from free text: a hint for the person grading, never a grade."""

    code: str
    domain: str
    text: str
    matched: str  #: the keyword found in the description


def suggest_by_keywords(catalog: Catalog, description: str) -> list[Suggestion]:
    """Criteria of ``catalog`` whose keywords occur in ``description`` (suggestions only)."""
    out = []
    for c in catalog.criteria:
        for kw in c.keywords:
            if kw and kw in description:
                out.append(Suggestion(c.code, c.domain, c.text, kw))
                break
    return out
