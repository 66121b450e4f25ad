"""General risk methods every domain may use: LEC, the L×S risk matrix, and dynamic risk.

Pure functions over frozen configurations (STANDARDS.md §7). Colours are the four-colour
levels of :class:`~hazardloop.records.Colour` (红/橙/黄/蓝 = 重大/较大/一般/低风险).

- LEC 作业条件危险性分析法: D = L × E × C with the value tables of §7.2; bands with the lower
  bound inclusive (D ≥ 320 红, ≥ 160 橙, ≥ 70 黄, else 蓝), configurable. The classic tables
  write ">320" and "160~320"; we follow the code variant (≥ 320 → 红), so 320 itself is red.
- LS 风险矩阵: R = L × S on 5×5 scales, whose bands are configuration. Two confirmed variants
  ship: :data:`LS_V1` (17–25/11–16/5–10/1–4) and :data:`LS_V2` (20–25/10–16/4–9/1–3).
  :data:`LS_DEFAULT` is V2, because its source attributes it to the national authority (总局)
  while V1 comes from a single application's dictionary, and because on the reachable products
  it is the more cautious of the two (10 is 橙 and 4 is 黄 under V2, 黄 and 蓝 under V1).
- Dynamic risk (动态风险): a unit's colour is raised one level while it has an open major
  hazard, and set to 红 while one of its major hazards is overdue (:class:`DynamicRiskConfig`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs
from attrs import field, frozen, validators as v

from hazardloop.errors import ConfigError, InvalidRecordError
from hazardloop.records import Colour

__all__ = [
    "LEC_L",
    "LEC_E",
    "LEC_C",
    "Band",
    "Bands",
    "LEC_BANDS",
    "LECConfig",
    "lec_score",
    "lec_colour",
    "LSMatrix",
    "LS_V1",
    "LS_V2",
    "LS_DEFAULT",
    "LS_REACHABLE",
    "ls_colour",
    "RiskAssessment",
    "DynamicRiskConfig",
    "DynamicColour",
    "most_severe",
    "dynamic_colour",
]

LEC_L: Mapping[float, str] = MappingProxyType({
    10: "完全可以预料",
    6: "相当可能",
    3: "可能，但不经常",
    1: "可能性小，完全意外",
    0.5: "很不可能，可以设想",
    0.2: "极不可能",
    0.1: "实际不可能",
})
"""L 事故发生的可能性 (STANDARDS.md §7.2 [C])."""

LEC_E: Mapping[float, str] = MappingProxyType({
    10: "连续暴露",
    6: "每天工作时间内暴露",
    3: "每周一次，或偶然暴露",
    2: "每月一次暴露",
    1: "每年几次暴露",
    0.5: "非常罕见地暴露",
})
"""E 暴露于危险环境的频繁程度 (§7.2 [C])."""

LEC_C: Mapping[float, str] = MappingProxyType({
    100: "大灾难，许多人死亡",
    40: "灾难，数人死亡",
    15: "非常严重，一人死亡",
    7: "严重，伤害严重",
    3: "重大，致残",
    1: "引人注目，需要救护",
})
"""C 后果 (§7.2 [C])."""


@frozen
class Band:
    """Scores ≥ ``lower`` (inclusive) get ``colour``, unless a higher band applies."""

    lower: float
    colour: Colour = field(converter=Colour)


def _bands(value: Iterable[Band]) -> tuple[Band, ...]:
    bands = tuple(sorted(value, key=lambda b: b.lower, reverse=True))
    if not bands:
        raise ConfigError("a band table needs at least one band")
    colours = [b.colour for b in bands]
    if len(set(colours)) != len(colours):
        raise ConfigError("each colour appears in one band only")
    if [c.rank for c in colours] != sorted((c.rank for c in colours), reverse=True):
        raise ConfigError("a higher score must never get a lower colour")
    lowers = [b.lower for b in bands]
    if len(set(lowers)) != len(lowers):
        raise ConfigError("two bands share a lower bound")
    return bands


@frozen
class Bands:
    """Score bands, lower bound inclusive; a score below every band gets ``floor``."""

    bands: tuple[Band, ...] = field(converter=_bands)
    floor: Colour = field(default=Colour.BLUE, converter=Colour)
    name: str = ""

    def colour(self, score: float) -> Colour:
        """The colour of ``score``."""
        for band in self.bands:
            if score >= band.lower:
                return band.colour
        return self.floor


LEC_BANDS = Bands(
    (Band(320, Colour.RED), Band(160, Colour.ORANGE), Band(70, Colour.YELLOW)),
    name="LEC: D≥320 红, ≥160 橙, ≥70 黄, 其余 蓝",
)
"""The four-colour LEC bands of STANDARDS.md §7.2 (code variant [C]), lower bound inclusive."""


@frozen
class LECConfig:
    """LEC configuration: the bands, and whether L/E/C must be values of the tables."""

    bands: Bands = LEC_BANDS
    strict: bool = True


def _check_factor(name: str, value: float, table: Mapping[float, str], strict: bool) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidRecordError(f"LEC {name} is not a number: {value!r}") from exc
    if x <= 0:
        raise InvalidRecordError(f"LEC {name} must be positive, got {x}")
    if strict and x not in table:
        allowed = ", ".join(f"{k:g}" for k in table)
        raise InvalidRecordError(f"LEC {name}={x:g} is not a value of the table ({allowed})")
    return x


def lec_score(l: float, e: float, c: float, config: LECConfig = LECConfig()) -> float:
    """D = L × E × C; with ``config.strict`` each factor must be a value of its table."""
    return (
        _check_factor("L", l, LEC_L, config.strict)
        * _check_factor("E", e, LEC_E, config.strict)
        * _check_factor("C", c, LEC_C, config.strict)
    )


def lec_colour(l: float, e: float, c: float, config: LECConfig = LECConfig()) -> tuple[float, Colour]:
    """D and its colour under ``config.bands``."""
    d = lec_score(l, e, c, config)
    return d, config.bands.colour(d)


LS_REACHABLE = tuple(sorted({a * b for a in range(1, 6) for b in range(1, 6)}))
"""The products a 5×5 matrix can reach: 1 2 3 4 5 6 8 9 10 12 15 16 20 25."""


@frozen
class LSMatrix:
    """An L×S risk matrix: scales 1..``size`` and bands over the product."""

    name: str
    bands: Bands
    size: int = field(default=5, validator=[v.instance_of(int), v.ge(2)])

    def score(self, likelihood: int, severity: int) -> int:
        """R = L × S; both must be whole numbers on the scale."""
        for label, given in (("L", likelihood), ("S", severity)):
            x: object = given  # a float such as 3.0 from a spreadsheet is taken as 3
            if isinstance(x, float) and x.is_integer():
                x = int(x)
            if not isinstance(x, int) or isinstance(x, bool) or not 1 <= x <= self.size:
                raise InvalidRecordError(f"{self.name}: {label}={x!r} is not on the 1–{self.size} scale")
        return int(likelihood) * int(severity)

    def colour(self, likelihood: int, severity: int) -> tuple[int, Colour]:
        """R and its colour."""
        r = self.score(likelihood, severity)
        return r, self.bands.colour(r)


LS_V1 = LSMatrix(
    "LS V1 (17–25 红, 11–16 橙, 5–10 黄, 1–4 蓝)",
    Bands((Band(17, Colour.RED), Band(11, Colour.ORANGE), Band(5, Colour.YELLOW)), name="V1"),
)
"""STANDARDS.md §7.3 V1 [C S38]."""

LS_V2 = LSMatrix(
    "LS V2 (20–25 红, 10–16 橙, 4–9 黄, 1–3 蓝)",
    Bands((Band(20, Colour.RED), Band(10, Colour.ORANGE), Band(4, Colour.YELLOW)), name="V2"),
)
"""STANDARDS.md §7.3 V2 [C S39] (a coal paper citing 总局)."""

LS_DEFAULT = LS_V2
"""The default matrix (see the module docstring for why V2)."""


def ls_colour(likelihood: int, severity: int, matrix: LSMatrix = LS_DEFAULT) -> tuple[int, Colour]:
    """R = L × S and its colour under ``matrix``."""
    return matrix.colour(likelihood, severity)


def _pairs(value: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> tuple[tuple[str, Any], ...]:
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), val) for k, val in items))


@frozen
class RiskAssessment:
    """A unit's inherent risk by one method: score, method, colour, and what it rests on.

    ``confirmed`` is False when the method's table or mapping is not confirmed by a source
    (e.g. the tailings-pond colour mapping, which no source sets).
    """

    unit_code: str
    method: str
    colour: Colour = field(converter=Colour)
    score: float | None = None
    domain: str = ""
    basis: str = ""
    details: tuple[tuple[str, Any], ...] = field(default=(), converter=_pairs)
    confirmed: bool = True


def most_severe(assessments: Iterable[RiskAssessment]) -> RiskAssessment | None:
    """The assessment with the highest colour; ties broken by method name, so order never matters."""
    best: RiskAssessment | None = None
    for a in assessments:
        if best is None or (a.colour.rank, a.method, a.domain) > (best.colour.rank, best.method, best.domain):
            best = a
    return best


@frozen
class DynamicRiskConfig:
    """How open and overdue major hazards raise a unit's colour.

    ``open_major_steps``: levels added while the unit has an open major hazard (0 = off).
    ``overdue_major_colour``: the colour while a major hazard is overdue (None = off); it is
    a floor, never a lowering. ``unassessed``: the inherent colour assumed for a unit that no
    method could assess (None: it stays uncoloured unless the overdue rule applies).
    """

    open_major_steps: int = field(default=1, validator=[v.instance_of(int), v.ge(0), v.le(3)])
    overdue_major_colour: Colour | None = field(default=Colour.RED, converter=attrs.converters.optional(Colour))
    unassessed: Colour | None = field(default=None, converter=attrs.converters.optional(Colour))


@frozen
class DynamicColour:
    """A unit's colour on a date: inherent (computed), current (after dynamic rules), and why."""

    unit_code: str
    inherent: Colour | None
    colour: Colour | None
    reasons: tuple[str, ...] = ()
    assessments: tuple[RiskAssessment, ...] = ()
    open_major: tuple[str, ...] = ()
    overdue_major: tuple[str, ...] = ()


def dynamic_colour(
    unit_code: str,
    assessments: Iterable[RiskAssessment],
    *,
    open_major: Iterable[str] = (),
    overdue_major: Iterable[str] = (),
    config: DynamicRiskConfig = DynamicRiskConfig(),
) -> DynamicColour:
    """Combine a unit's assessments (most severe wins) and apply the dynamic rules.

    ``open_major``/``overdue_major`` are the ids of the unit's open and overdue major hazards.
    The reasons name the method that set the inherent colour and each rule that raised it.
    """
    items = tuple(sorted(assessments, key=lambda a: (-a.colour.rank, a.method, a.domain)))
    opened = tuple(sorted(set(open_major)))
    overdue = tuple(sorted(set(overdue_major)))
    best = most_severe(items)
    reasons: list[str] = []
    inherent: Colour | None
    if best is not None:
        inherent = best.colour
        mark = "" if best.confirmed else " [映射未确认]"
        reasons.append(f"固有风险 {best.colour.value}: {best.method} {best.basis}".rstrip() + mark)
    else:
        inherent = config.unassessed
        reasons.append("未评估" if inherent is None else f"未评估, 按配置取 {inherent.value}")
    colour = inherent
    if colour is not None and opened and config.open_major_steps:
        raised = colour.raised(config.open_major_steps)
        if raised is not colour:
            reasons.append(f"存在未销号重大隐患 {', '.join(opened)}: {colour.value}→{raised.value}")
        colour = raised
    if overdue and config.overdue_major_colour is not None:
        floor = config.overdue_major_colour
        if colour is None or colour.rank < floor.rank:
            before = colour.value if colour else "未评估"
            reasons.append(f"重大隐患超期 {', '.join(overdue)}: {before}→{floor.value}")
            colour = floor
    return DynamicColour(unit_code, inherent, colour, tuple(reasons), items, opened, overdue)
