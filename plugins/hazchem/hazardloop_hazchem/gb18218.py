"""GB 18218-2018 危险化学品重大危险源辨识: S = Σ q/Q and R = α·Σ β·q/Q (STANDARDS.md §3).

Every table here is tagged [C] in STANDARDS.md (S14, extracted from the standard with CAS
checks). 表1 holds only the named substances we have (a selection of the 85); a substance
not in it is identified by its 表2 category. Grading (R, 一级…四级) is computed only for a
unit that is a 重大危险源 (S ≥ 1). Note GB 18218 grades installations, not 隐患.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from attrs import field, frozen, validators as v

from hazardloop.errors import InvalidRecordError
from hazardloop.records import Colour

__all__ = [
    "TABLE1_Q",
    "TABLE2_Q",
    "TABLE3_BETA",
    "TABLE4_BETA",
    "ALPHA_BANDS",
    "LEVEL_BANDS",
    "Holding",
    "MajorHazardResult",
    "alpha_for",
    "critical_quantity",
    "beta_for",
    "identification_index",
    "assess",
    "holdings_from",
]

TABLE1_Q: Mapping[str, float] = MappingProxyType({
    "氨": 10, "二氟化氧": 1, "二氧化氮": 1, "二氧化硫": 20, "氟": 1, "碳酰氯": 0.3, "光气": 0.3,
    "环氧乙烷": 10, "甲醛(>90%)": 5, "磷化氢": 1, "硫化氢": 5, "氯化氢": 20, "氯化氢(无水)": 20,
    "氯": 5, "煤气": 20, "砷化氢": 1, "溴甲烷": 10, "氟化氢": 1, "氰化氢": 1, "异氰酸甲酯": 0.75,
    "TNT": 5, "硝化甘油": 1, "硝酸铵(可燃物>0.2%)": 5, "硝酸铵(可燃物≤0.2%)": 50, "硝酸钾": 1000,
    "1,3-丁二烯": 5, "二甲醚": 50, "甲烷": 50, "天然气": 50, "氯乙烯": 50, "氢": 5, "液化石油气": 50,
    "一甲胺": 5, "乙炔": 1, "乙烯": 50, "氧": 200, "苯": 50, "苯乙烯": 500, "丙酮": 500, "丙烯腈": 50,
    "二硫化碳": 50, "环己烷": 500, "1,2-环氧丙烷": 10, "甲苯": 500, "甲醇": 500, "汽油": 200,
    "乙醇": 500, "乙醚": 10, "乙酸乙酯": 500, "正己烷": 500, "过乙酸": 10, "白磷": 50, "氯酸钾": 100,
    "氯酸钠": 100, "发烟硝酸": 20, "硝酸(>70%)": 100, "碳化钙": 100, "电石": 100, "钾": 1, "钠": 10,
})
"""表1 临界量 Q (t) for the named substances we have (STANDARDS.md §3.7 [C])."""

TABLE2_Q: Mapping[str, float] = MappingProxyType({
    "J1": 5, "J2": 50, "J3": 50, "J4": 50, "J5": 500, "W1.1": 1, "W1.2": 10, "W1.3": 50, "W2": 10,
    "W3": 150, "W4": 50, "W5.1": 10, "W5.2": 50, "W5.3": 1000, "W5.4": 5000, "W6.1": 10, "W6.2": 50,
    "W7.1": 10, "W7.2": 50, "W8": 50, "W9.1": 50, "W9.2": 200, "W10": 200, "W11": 200,
})
"""表2 类别临界量 Q (t) (§3.6 [C]; W3 is 净重)."""

TABLE3_BETA: Mapping[str, float] = MappingProxyType({
    "一氧化碳": 2, "二氧化硫": 2, "氨": 2, "环氧乙烷": 2, "氯化氢": 3, "氯化氢(无水)": 3, "溴甲烷": 3,
    "氯": 4, "硫化氢": 5, "氟化氢": 5, "二氧化氮": 10, "氰化氢": 10, "碳酰氯": 20, "光气": 20,
    "磷化氢": 20, "异氰酸甲酯": 20,
})
"""表3 毒性气体校正系数 β (§3.3 [C])."""

TABLE4_BETA: Mapping[str, float] = MappingProxyType({
    "J1": 4, "J2": 1, "J3": 2, "J4": 2, "J5": 1, "W1.1": 2, "W1.2": 2, "W1.3": 2, "W2": 1.5, "W3": 1,
    "W4": 1, "W5.1": 1.5, "W5.2": 1, "W5.3": 1, "W5.4": 1, "W6.1": 1.5, "W6.2": 1, "W7.1": 1.5,
    "W7.2": 1, "W8": 1, "W9.1": 1, "W9.2": 1, "W10": 1, "W11": 1,
})
"""表4 未在表3中列举的危险化学品 β, by category (§3.4 [C])."""

ALPHA_BANDS: tuple[tuple[int, float], ...] = ((100, 2.0), (50, 1.5), (30, 1.2), (1, 1.0), (0, 0.5))
"""表5 α by people within 500 m: (lower bound inclusive, α) — 100人以上 2.0 … 0人 0.5 (§3.2 [C])."""

LEVEL_BANDS: tuple[tuple[float, str, Colour], ...] = (
    (100, "一级", Colour.RED),
    (50, "二级", Colour.ORANGE),
    (10, "三级", Colour.YELLOW),
    (float("-inf"), "四级", Colour.BLUE),
)
"""表6: 一级 R ≥ 100, 二级 50 ≤ R < 100, 三级 10 ≤ R < 50, 四级 R < 10 (§3.5 [C]) → 红/橙/黄/蓝."""


def alpha_for(people: int) -> float:
    """α of 表5 for the number of people living within 500 m of the site boundary."""
    if isinstance(people, bool) or not isinstance(people, int) or people < 0:
        raise InvalidRecordError(f"people within 500 m must be a whole number ≥ 0, got {people!r}")
    for lower, alpha in ALPHA_BANDS:
        if people >= lower:
            return alpha
    raise AssertionError("unreachable: the last band starts at 0")


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


@frozen
class Holding:
    """One hazardous chemical held: its 表1 name and/or 表2 category, and q (t, design maximum, 4.2.2).

    ``beta`` overrides the tables (e.g. a substance whose β the standard gives elsewhere).
    """

    q: float = field(converter=float, validator=v.ge(0))
    name: str | None = None
    category: str | None = None
    beta: float | None = field(default=None, converter=_opt_float)

    def __attrs_post_init__(self) -> None:
        if not self.name and not self.category:
            raise InvalidRecordError("a holding needs a 表1 substance name or a 表2 category")


def critical_quantity(h: Holding) -> float:
    """Q: 表1 for a named substance we have, else 表2 for its category."""
    if h.name and h.name in TABLE1_Q:
        return float(TABLE1_Q[h.name])
    if h.category and h.category in TABLE2_Q:
        return float(TABLE2_Q[h.category])
    raise InvalidRecordError(
        f"no critical quantity for {h.name or ''} {h.category or ''}: not among the 表1 substances we have; "
        "give its 表2 category"
    )


def beta_for(h: Holding) -> float:
    """β: an explicit override, else 表3 for a listed toxic gas, else 表4 by category."""
    if h.beta is not None:
        return h.beta
    if h.name and h.name in TABLE3_BETA:
        return float(TABLE3_BETA[h.name])
    if h.category and h.category in TABLE4_BETA:
        return float(TABLE4_BETA[h.category])
    raise InvalidRecordError(f"no β for {h.name or h.category}: not in 表3; give its 表4 category")


def identification_index(holdings: Iterable[Holding]) -> float:
    """S = Σ q/Q (式1); S ≥ 1 ⇒ 重大危险源."""
    return sum(h.q / critical_quantity(h) for h in holdings)


@frozen
class MajorHazardResult:
    """The identification and, for a 重大危险源, its grade."""

    s: float
    is_major_hazard: bool
    r: float | None = None
    alpha: float | None = None
    level: str | None = None
    colour: Colour | None = None


def assess(holdings: Iterable[Holding], people_500m: int) -> MajorHazardResult:
    """S, and for S ≥ 1: R = α·Σβ·q/Q (式2), its level (表6) and colour."""
    items = tuple(holdings)
    if not items:
        raise InvalidRecordError("no holdings to assess")
    s = identification_index(items)
    if s < 1:
        return MajorHazardResult(s, False)
    alpha = alpha_for(people_500m)
    r = alpha * sum(beta_for(h) * h.q / critical_quantity(h) for h in items)
    for lower, level, colour in LEVEL_BANDS:
        if r >= lower:
            return MajorHazardResult(s, True, r, alpha, level, colour)
    raise AssertionError("unreachable: the last band has no lower bound")


def holdings_from(value: Any) -> tuple[Holding, ...]:
    """Holdings from a unit attribute: a list of mappings with ``q`` and ``name``/``category``/``beta``."""
    if isinstance(value, Holding):
        return (value,)
    out = []
    for item in value or ():
        if isinstance(item, Holding):
            out.append(item)
        elif isinstance(item, Mapping):
            out.append(Holding(q=item["q"], name=item.get("name"), category=item.get("category"), beta=item.get("beta")))
        else:
            raise InvalidRecordError(f"not a holding: {item!r}")
    return tuple(out)
