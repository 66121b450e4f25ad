"""尾矿库安全度 (AQ 2006-2005): 危库 / 险库 / 病库 / 正常库 from the pond's conditions.

Basis (STANDARDS.md §4.2 [C]): the class follows from flood-control capacity (防洪能力) and
dam stability (坝体稳定性). The 危库 and 险库 conditions are [C]; the 病库 wording is [U] and
the 正常库 wording [P]. 病库 is therefore *inferred* as the space between 险库 and 正常库:
a pond with no 危/险 condition that does not meet every 正常库 condition. A pond whose inputs
do not establish 正常库 (a value missing) gets no class rather than a guess.

Inputs (a mapping; the mines plugin reads them from unit attributes prefixed ``tailings_``):

- ``stability_ratio``: the minimum anti-sliding safety factor divided by the required value
  (or ``stability_factor`` and ``stability_required``);
- ``freeboard_ok`` / ``beach_ok``: at design flood level the safety freeboard (安全超高) /
  minimum dry-beach length (最小干滩长度) meet the design; ``overtopping_possible``: flood
  capacity so short that overtopping (洪水漫顶) may occur;
- ``drainage``: ``"normal"``, ``"partial"`` (部分堵塞或坍塌, below design) or ``"severe"``
  (严重堵塞或坍塌, cannot drain);
- ``shaft``: ``"upright"``, ``"tilted"`` (有所倾斜) or ``"collapsing"`` (显著倾斜, 有倒塌迹象);
- ``seepage_ok``: seepage control meets the requirements (正常库 condition);
- ``conditions``: codes of observed conditions from :data:`CONDITIONS`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from attrs import frozen

from hazardloop.catalog import Confidence
from hazardloop.errors import InvalidRecordError
from hazardloop.records import Colour

__all__ = ["PondClass", "Condition", "CONDITIONS", "DEFAULT_COLOURS", "PondResult", "classify"]


class PondClass(str, enum.Enum):
    """Safety class of a tailings pond; ``rank`` 3 (危库) down to 0 (正常库)."""

    DANGER = "危库"
    PERIL = "险库"
    SICK = "病库"
    NORMAL = "正常库"

    @property
    def rank(self) -> int:
        """3 for 危库 down to 0 for 正常库."""
        return {"危库": 3, "险库": 2, "病库": 1, "正常库": 0}[self.value]


DEFAULT_COLOURS: Mapping[PondClass, Colour] = MappingProxyType({
    PondClass.DANGER: Colour.RED,
    PondClass.PERIL: Colour.ORANGE,
    PondClass.SICK: Colour.YELLOW,
    PondClass.NORMAL: Colour.BLUE,
})
"""Our default mapping to the four colours; no source sets one, so it is configurable."""


@frozen
class Condition:
    """An observed condition that places a pond in a class (AQ 2006-2005 工况)."""

    code: str
    pond_class: PondClass
    text: str
    confidence: Confidence


CONDITIONS: Mapping[str, Condition] = MappingProxyType({
    c.code: c
    for c in (
        Condition("danger.overtopping", PondClass.DANGER, "调洪库容严重不足，设计洪水位时安全超高和最小干滩长度都不满足设计要求，将可能出现洪水漫顶", Confidence.CONFIRMED),
        Condition("danger.drainage", PondClass.DANGER, "排洪系统严重堵塞或坍塌，不能排水或排水能力急剧降低", Confidence.CONFIRMED),
        Condition("danger.shaft", PondClass.DANGER, "排水井显著倾斜，有倒塌迹象", Confidence.CONFIRMED),
        Condition("danger.dam", PondClass.DANGER, "坝体出现贯穿性横向裂缝，且出现较大范围管涌、流土变形，坝体出现深层滑动迹象", Confidence.CONFIRMED),
        Condition("danger.stability", PondClass.DANGER, "经验算，坝体抗滑稳定最小安全系数小于规定值的0.95", Confidence.CONFIRMED),
        Condition("danger.other", PondClass.DANGER, "其他严重危及安全运行的情况", Confidence.CONFIRMED),
        Condition("peril.flood", PondClass.PERIL, "调洪库容不足，设计洪水位时安全超高和最小干滩长度均不能满足设计要求", Confidence.CONFIRMED),
        Condition("peril.drainage", PondClass.PERIL, "排洪系统部分堵塞或坍塌，排水能力有所降低，达不到设计要求", Confidence.CONFIRMED),
        Condition("peril.shaft", PondClass.PERIL, "排水井有所倾斜", Confidence.CONFIRMED),
        Condition("peril.shallow_slide", PondClass.PERIL, "坝体出现浅层滑动迹象", Confidence.CONFIRMED),
        Condition("peril.stability", PondClass.PERIL, "经验算，坝体抗滑稳定最小安全系数小于规定值的0.98", Confidence.CONFIRMED),
        Condition("peril.seepage", PondClass.PERIL, "坝体出现大面积纵向裂缝，且出现较大范围渗透水高位出逸，出现大面积沼泽化", Confidence.CONFIRMED),
        Condition("peril.other", PondClass.PERIL, "其他危及安全运行的情况", Confidence.CONFIRMED),
        Condition("sick.flood", PondClass.SICK, "设计洪水位时不能同时满足安全超高和最小干滩长度 (推断: 介于险库与正常库之间)", Confidence.UNCONFIRMED),
        Condition("sick.stability", PondClass.SICK, "抗滑稳定最小安全系数满足规定值的0.98但小于规定值 (推断)", Confidence.UNCONFIRMED),
        Condition("sick.drainage", PondClass.SICK, "排洪设施出现不影响安全使用的裂缝、腐蚀或磨损", Confidence.UNCONFIRMED),
        Condition("sick.seepage", PondClass.SICK, "浸润线位置局部较高、渗透水出逸、坝面局部沼泽化", Confidence.UNCONFIRMED),
    )
})
"""The conditions we hold: 危库/险库 [C] (S23–S25); 病库 [U] (recalled, carried with the mark)."""


@frozen
class PondResult:
    """A pond's class (None when the inputs do not establish one), the conditions, and notes."""

    pond_class: PondClass | None
    conditions: tuple[str, ...]
    notes: tuple[str, ...]
    inferred: bool  #: True when the class is 病库 (inferred) or rests on an unconfirmed condition


def _bool(inputs: Mapping[str, Any], key: str) -> bool | None:
    value = inputs.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "是", "否"):
        return value.strip().lower() in ("true", "是")
    raise InvalidRecordError(f"tailings {key} must be true or false, got {value!r}")


def _ratio(inputs: Mapping[str, Any]) -> float | None:
    if inputs.get("stability_ratio") is not None:
        return float(inputs["stability_ratio"])
    factor, required = inputs.get("stability_factor"), inputs.get("stability_required")
    if factor is None or required is None:
        return None
    if float(required) <= 0:
        raise InvalidRecordError("tailings stability_required must be positive")
    return float(factor) / float(required)


def classify(inputs: Mapping[str, Any]) -> PondResult:
    """The safety class of a pond from its inputs: the worst condition met decides.

    危库 and 险库 from any one of their conditions; 正常库 only when every 正常库 condition is
    affirmatively met (stability ratio ≥ 1, freeboard and beach met, drainage normal, shaft
    upright, seepage controlled); 病库 (inferred) when neither holds; None when inputs are missing.
    """
    met: list[str] = []
    for code in inputs.get("conditions") or ():
        if code not in CONDITIONS:
            raise InvalidRecordError(f"unknown tailings condition {code!r}")
        met.append(code)
    ratio = _ratio(inputs)
    if ratio is not None:
        if ratio < 0.95:
            met.append("danger.stability")
        elif ratio < 0.98:
            met.append("peril.stability")
        elif ratio < 1.0:
            met.append("sick.stability")
    freeboard, beach = _bool(inputs, "freeboard_ok"), _bool(inputs, "beach_ok")
    overtopping = _bool(inputs, "overtopping_possible")
    if freeboard is False and beach is False:
        met.append("danger.overtopping" if overtopping else "peril.flood")
    elif freeboard is False or beach is False:
        met.append("sick.flood")
    drainage = inputs.get("drainage")
    if drainage not in (None, "normal", "partial", "severe"):
        raise InvalidRecordError(f"tailings drainage must be normal, partial or severe, got {drainage!r}")
    if drainage == "severe":
        met.append("danger.drainage")
    elif drainage == "partial":
        met.append("peril.drainage")
    shaft = inputs.get("shaft")
    if shaft not in (None, "upright", "tilted", "collapsing"):
        raise InvalidRecordError(f"tailings shaft must be upright, tilted or collapsing, got {shaft!r}")
    if shaft == "collapsing":
        met.append("danger.shaft")
    elif shaft == "tilted":
        met.append("peril.shaft")
    codes = tuple(dict.fromkeys(met))
    worst = max((CONDITIONS[c].pond_class for c in codes), key=lambda k: k.rank, default=None)
    notes: list[str] = [CONDITIONS[c].text for c in codes]
    if worst in (PondClass.DANGER, PondClass.PERIL):
        unconfirmed = any(not CONDITIONS[c].confidence.confirmed for c in codes if CONDITIONS[c].pond_class is worst)
        return PondResult(worst, codes, tuple(notes), unconfirmed)
    normal_inputs = {
        "stability": ratio, "freeboard_ok": freeboard, "beach_ok": beach, "drainage": drainage,
        "shaft": shaft, "seepage_ok": _bool(inputs, "seepage_ok"),
    }
    missing = [k for k, val in normal_inputs.items() if val is None]
    if worst is None and not missing and _bool(inputs, "seepage_ok"):
        return PondResult(PondClass.NORMAL, codes, ("满足正常库全部条件",), False)
    if worst is None and missing:
        return PondResult(None, codes, (f"缺少判定正常库所需数据: {', '.join(missing)}",), False)
    if worst is None:  # every input present, no 危/险/病 condition, but seepage control not met
        notes.append("坝体渗流控制不满足要求")
    notes.append("病库为推断: 无危库、险库情形但不满足正常库全部条件")
    return PondResult(PondClass.SICK, codes, tuple(notes), True)
