"""Grading a hazard (一般/重大) from structured inputs, and combining every plugin's answer.

What grading reads is :class:`HazardFacts`: the domain, the date found, the criterion codes
the hazard matches (given by the user, the ledger or a plugin's form), the measured values
of the numeric rules, and the extra fields. Free text is not read here: keyword matching
may only *suggest* criteria (``hazardloop_suggest_criteria``).

Each plugin answers with a :class:`GradeAnswer`; :func:`combine` merges them so that the
result never depends on the order plugins were registered in: the most severe level wins,
every criterion that contributed is kept as evidence (sorted), and a plugin that cannot
grade stops a "general" conclusion (but never a "major" one another plugin reached).

The level recorded by the authority is what counts: :class:`GradeResult` compares the
combined grade with the hazard's recorded level and sets ``needs_review`` when they differ;
nothing is applied silently. Accepting a computed grade is an event:
:func:`accept_grade` records it through :meth:`Register.regrade`, which re-derives the
deadline after 交办; a manual determination goes through :meth:`Register.determine`.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from hazardloop.catalog import Catalog, Criterion, CriterionKind, Domain
from hazardloop.lifecycle import HazardState
from hazardloop.records import Actor, Discovery, Level, to_date

if TYPE_CHECKING:  # the façade and register are only types here; no import cycle at runtime
    from hazardloop.plugins import PluginHooks
    from hazardloop.register import Register

__all__ = [
    "GradeStatus",
    "Basis",
    "GradeAnswer",
    "HazardFacts",
    "Grade",
    "GradeResult",
    "combine",
    "judge",
    "grade_hazard",
    "grade_register",
    "accept_grade",
]


class GradeStatus(str, enum.Enum):
    """What a grade answer or a combined grade amounts to."""

    GRADED = "已定级"  #: a level was reached from the catalog in force
    CANNOT_GRADE = "无法自动定级"  #: no catalog in force, catalog not in our facts, inputs missing…
    NO_PLUGIN = "无插件"  #: no loaded plugin answers for the domain
    DETERMINED = "人工判定"  #: a manual determination is recorded on the hazard and counts


def _tuple(value: Iterable[Any] | None) -> tuple[Any, ...]:
    return () if value is None else tuple(value)


@frozen
class Basis:
    """One criterion (or rule) that contributed to a grade: the evidence kept on it."""

    code: str
    catalog: str
    clause: str
    text: str
    confirmed: bool = True
    detail: str = ""

    @classmethod
    def of(cls, criterion: Criterion, catalog: Catalog, detail: str = "") -> Basis:
        """The basis for a criterion of ``catalog``."""
        return cls(criterion.code, catalog.code, criterion.clause, criterion.text, criterion.confirmed, detail)

    def sort_key(self) -> tuple[str, str, str]:
        """Sort by catalog, code, then detail."""
        return (self.catalog, self.code, self.detail)


@frozen
class GradeAnswer:
    """One plugin's answer for one hazard.

    ``level`` is set when ``status`` is GRADED and None otherwise. ``basis`` lists what
    decided it (for MAJOR: the criteria met; for GENERAL: may be empty). ``reason`` says in
    words why (and for CANNOT_GRADE, what is missing).
    """

    domain: str
    status: GradeStatus = field(converter=GradeStatus)
    level: Level | None = None
    basis: tuple[Basis, ...] = field(default=(), converter=_tuple)
    reason: str = ""
    catalogs: tuple[str, ...] = field(default=(), converter=_tuple)

    def __attrs_post_init__(self) -> None:
        if (self.status is GradeStatus.GRADED) != (self.level is not None):
            raise ValueError("a GRADED answer has a level and only a GRADED answer has one")


def _pairs(value: Any) -> tuple[tuple[str, Any], ...]:
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), val) for k, val in items))


@frozen
class HazardFacts:
    """The structured inputs grading reads, built from a state or from a 发现 payload."""

    domain: str
    found_on: _dt.date = field(converter=to_date)
    criteria: tuple[str, ...] = field(default=(), converter=_tuple)
    measurements: tuple[tuple[str, float], ...] = field(default=(), converter=_pairs)
    extra: tuple[tuple[str, Any], ...] = field(default=(), converter=_pairs)
    hazard_id: str = ""
    unit_code: str = ""

    @classmethod
    def from_state(cls, state: HazardState) -> HazardFacts:
        """The facts of a hazard as the register holds it."""
        return cls(
            state.domain, state.found_on, state.criteria, state.measurements, state.extra,
            state.hazard_id, state.unit_code,
        )

    @classmethod
    def from_discovery(cls, discovery: Discovery, found_on: _dt.date | str, hazard_id: str = "") -> HazardFacts:
        """The facts of a hazard about to be reported."""
        return cls(
            discovery.domain, found_on, discovery.criteria, discovery.measurements, discovery.extra,
            hazard_id, discovery.unit_code,
        )

    def measurement(self, name: str, default: float | None = None) -> float | None:
        """A measured value, or ``default``."""
        for k, val in self.measurements:
            if k == name:
                return val
        return default

    def get(self, name: str, default: Any = None) -> Any:
        """An extra field, or ``default``."""
        for k, val in self.extra:
            if k == name:
                return val
        return default


@frozen
class Grade:
    """The combination of every plugin's answer for one hazard."""

    status: GradeStatus
    level: Level | None
    basis: tuple[Basis, ...] = ()
    reasons: tuple[str, ...] = ()
    answers: tuple[GradeAnswer, ...] = ()

    @property
    def confirmed(self) -> bool:
        """False when any criterion of the basis is unconfirmed or held in part."""
        return all(b.confirmed for b in self.basis)


def _answer_key(a: GradeAnswer) -> tuple[Any, ...]:
    return (a.domain, a.status.value, a.level.value if a.level else "", a.reason, a.basis, a.catalogs)


def combine(answers: Iterable[GradeAnswer | None]) -> Grade:
    """Combine plugin answers independently of their order.

    MAJOR if any answer is MAJOR (basis: every MAJOR answer's criteria); otherwise
    CANNOT_GRADE if any answer cannot grade; otherwise GENERAL if any answer is GENERAL;
    NO_PLUGIN when there is no answer. The basis is sorted and de-duplicated.
    """
    given = sorted((a for a in answers if a is not None), key=_answer_key)
    if not given:
        return Grade(GradeStatus.NO_PLUGIN, None, (), ("没有插件为该领域定级",), ())
    majors = [a for a in given if a.level is Level.MAJOR]
    unable = [a for a in given if a.status is GradeStatus.CANNOT_GRADE]
    generals = [a for a in given if a.level is Level.GENERAL]
    if majors:
        status, level, deciding = GradeStatus.GRADED, Level.MAJOR, majors
    elif unable:
        status, level, deciding = GradeStatus.CANNOT_GRADE, None, unable
    else:
        status, level, deciding = GradeStatus.GRADED, Level.GENERAL, generals
    basis = tuple(sorted({b for a in deciding for b in a.basis}, key=Basis.sort_key))
    reasons = tuple(sorted({a.reason for a in given if a.reason}))
    return Grade(status, level, basis, reasons, tuple(given))


@frozen
class GradeResult:
    """A hazard's combined grade set against the level recorded by the authority.

    ``needs_review`` is True when a plugin grade differs from the recorded level, or when
    the grade rests on a criterion that is unconfirmed: such a grade is shown, not applied.
    A recorded manual determination (人工判定) counts and is not second-guessed.
    """

    hazard_id: str
    recorded: Level
    grade: Grade
    determination: str = ""

    @property
    def status(self) -> GradeStatus:
        """DETERMINED when a manual determination is recorded, else the combined status."""
        return GradeStatus.DETERMINED if self.determination else self.grade.status

    @property
    def computed(self) -> Level | None:
        """The level the plugins reached, or None."""
        return self.grade.level

    @property
    def needs_review(self) -> bool:
        """True when a computed grade differs from the recorded one, or rests on unconfirmed facts."""
        if self.determination or self.grade.level is None:
            return False
        return self.grade.level is not self.recorded or not self.grade.confirmed

    @property
    def criteria(self) -> tuple[str, ...]:
        """The codes of the basis."""
        return tuple(dict.fromkeys(b.code for b in self.grade.basis))

    def row(self) -> dict[str, Any]:
        """A flat dict for a table."""
        return {
            "hazard_id": self.hazard_id,
            "recorded": self.recorded.value,
            "status": self.status.value,
            "computed": self.computed.value if self.computed else None,
            "needs_review": self.needs_review,
            "criteria": " ".join(self.criteria),
            "reasons": "; ".join(self.grade.reasons),
            "determination": self.determination,
        }


# ---------------------------------------------------------------------------------------------
# A data-driven evaluator plugins can use for direct / condition / exclusion criteria
# ---------------------------------------------------------------------------------------------


def judge(
    domain: Domain,
    facts: HazardFacts,
    extra_major: Sequence[Basis] = (),
    extra_unknown: Sequence[str] = (),
) -> GradeAnswer:
    """The common judgement: the catalogs in force, direct criteria, conditions, exclusions.

    ``extra_major`` are bases a plugin's own rules found (composite thresholds, numeric
    rules); ``extra_unknown`` are reasons its rules could not decide. Rules, in order:

    1. each criterion code is placed in its series; a code no catalog knows, or one not in
       the catalog in force on the date found, is reported and the hazard cannot be graded;
    2. an exclusion criterion met ⇒ 一般 (the exclusion is the basis);
    3. a direct criterion met (with every condition it ``requires``) ⇒ 重大; the conditions
       are kept in the basis with it;
    4. a direct criterion met whose condition is missing ⇒ cannot grade if the condition's
       absence is not recorded (extra ``"<code>"`` False), else it does not count;
    5. no criterion met: 一般 when every series' catalog in force is complete and automatic,
       otherwise cannot grade (a partial list cannot prove a hazard general).
    """
    on = facts.found_on
    given = list(dict.fromkeys(facts.criteria))
    problems: list[str] = list(extra_unknown)
    used_catalogs: dict[str, Catalog] = {}
    met: dict[str, tuple[Criterion, Catalog]] = {}
    for code in given:
        series = domain.series_of(code)
        if series is None:
            problems.append(f"判定标准中没有条目 {code}")
            continue
        cat = domain.catalog_for(series, on)
        if cat is None:
            problems.append(f"{on} 没有有效的 {series} 判定标准 (条目 {code})")
            continue
        used_catalogs[cat.code] = cat
        if not cat.automatic:
            problems.append(f"{cat.describe()} 的条目不在本库资料中, 不能自动定级; 请记录人工判定 (Register.determine)")
            continue
        crit = cat.get(code)
        if crit is None or not crit.in_force(on):
            problems.append(f"条目 {code} 不在 {on} 有效的 {cat.describe()} 中")
            continue
        met[code] = (crit, cat)
    if not given:
        # no criterion given: the catalogs that would apply are every series in force
        for series in domain.series():
            cat = domain.catalog_for(series, on)
            if cat is not None:
                used_catalogs[cat.code] = cat
    cats = tuple(sorted(used_catalogs))
    exclusions = [Basis.of(c, cat) for c, cat in met.values() if c.kind is CriterionKind.EXCLUSION]
    if exclusions and not problems:
        return GradeAnswer(domain.code, GradeStatus.GRADED, Level.GENERAL, exclusions, "排除情形成立", cats)
    majors: list[Basis] = list(extra_major)
    for crit, cat in met.values():
        if crit.kind is not CriterionKind.DIRECT:
            continue
        missing = [r for r in crit.requires if r not in met]
        if not missing:
            majors.append(Basis.of(crit, cat))
            # the conditions it rests on contributed too: keep them as evidence
            majors.extend(Basis.of(met[r][0], met[r][1], f"{crit.code} 的前提条件") for r in crit.requires)
            continue
        for r in missing:
            if facts.get(r) is False:
                continue  # the condition is recorded as not met: the item does not count
            problems.append(f"{crit.code} 需同时具备条件 {r}, 台账未记录该条件是否成立")
    if majors and not exclusions:
        return GradeAnswer(domain.code, GradeStatus.GRADED, Level.MAJOR, majors, "符合重大事故隐患判定条目", cats)
    if problems:
        return GradeAnswer(domain.code, GradeStatus.CANNOT_GRADE, None, (), "; ".join(problems), cats)
    if not used_catalogs:
        return GradeAnswer(domain.code, GradeStatus.CANNOT_GRADE, None, (), f"{on} 没有有效的判定标准", cats)
    manual = [c for c in used_catalogs.values() if not c.automatic]
    if manual:
        names = ", ".join(c.describe() for c in manual)
        return GradeAnswer(
            domain.code, GradeStatus.CANNOT_GRADE, None, (),
            f"{names} 的判定要素不在本库资料中, 不能自动定级; 请记录人工判定 (Register.determine)", cats,
        )
    partial = [c for c in used_catalogs.values() if not c.complete]
    if partial:
        names = ", ".join(c.describe() for c in partial)
        return GradeAnswer(
            domain.code, GradeStatus.CANNOT_GRADE, None, (),
            f"未命中直接判定条目, 但 {names} 在本库中不完整, 不能据此认定为一般隐患", cats,
        )
    return GradeAnswer(domain.code, GradeStatus.GRADED, Level.GENERAL, (), "未命中任何重大事故隐患判定条目", cats)


# ---------------------------------------------------------------------------------------------
# Grading hazards of a register through the plugin façade
# ---------------------------------------------------------------------------------------------


def grade_hazard(hooks: PluginHooks, state: HazardState) -> GradeResult:
    """Grade one hazard with every loaded plugin and set it against its recorded level."""
    grade = hooks.grade(HazardFacts.from_state(state))
    return GradeResult(state.hazard_id, state.level, grade, state.determination)


def grade_register(
    register: Register, hooks: PluginHooks, *, as_of: _dt.date | str | None = None, open_only: bool = False
) -> list[GradeResult]:
    """Grade every hazard of ``register`` (as of a date if given), in register order.

    Nothing is written: results with ``needs_review`` are for a person to accept
    (:func:`accept_grade`) or to settle with a manual determination.
    """
    states = register.states_as_of(as_of) if as_of is not None else iter(register)
    out = []
    for state in states:
        if open_only and not state.is_open:
            continue
        out.append(grade_hazard(hooks, state))
    return out


def accept_grade(
    register: Register, result: GradeResult, *, on: _dt.date | str, actor: Actor, reason: str = ""
) -> HazardState:
    """Record a reviewed plugin grade as a 重新定级 event (re-deriving the deadline after 交办).

    Refuses a result without a computed level, or one that agrees with the recorded level.
    """
    if result.computed is None:
        raise ValueError(f"{result.hazard_id}: no computed grade to accept ({result.status.value})")
    if result.computed is result.recorded:
        raise ValueError(f"{result.hazard_id}: the computed grade equals the recorded level")
    why = reason or "采纳插件定级: " + "; ".join(
        f"{b.catalog} {b.clause} {b.code}" for b in result.grade.basis
    ) or "采纳插件定级"
    return register.regrade(
        result.hazard_id, on=on, actor=actor, level=result.computed, reason=why, criteria=result.criteria
    )
