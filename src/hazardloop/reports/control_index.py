"""The control index (管控力指数) of each town on a date, and its ranking (亮晒排名).

Each component is a score in [0, 1] where 1 is best, computed from the register as it stood on
the date (withdrawn and voided hazards left out, since they were never hazards to control):

- ``closure_rate`` 销号率: struck off / all hazards found so far.
- ``on_time_rate`` 按期整改率: struck off on time / (struck off + open and overdue). Open overdue
  hazards count as failures, so a town cannot raise its rate by not closing anything.
- ``overdue_control`` 超期控制: 1 − open overdue / open.
- ``reopen_control`` 回头看质量: 1 − hazards ever reopened / hazards ever struck off.
- ``major_clearance`` 重大隐患清零: 1 − open major / major found so far (动态清零).

The index is 100 × the weighted mean of the components a town has (a component whose
denominator is zero — no major hazard ever, nothing ever struck off — says nothing about the
town and is left out, its weight spread over the others). A town with no hazard at all gets no
index and ranks last, shown as such. The weights are configuration: :class:`ControlIndexConfig`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from attrs import field, frozen

from hazardloop.deadlines import Status
from hazardloop.errors import ConfigError
from hazardloop.records import Level, Stage
from hazardloop.register import Register
from hazardloop.reports._common import as_date

__all__ = ["COMPONENTS", "ControlIndexConfig", "DEFAULT_WEIGHTS", "control_index", "control_index_from_frame"]

COMPONENTS: Mapping[str, str] = {
    "closure_rate": "销号率",
    "on_time_rate": "按期整改率",
    "overdue_control": "超期控制",
    "reopen_control": "回头看质量",
    "major_clearance": "重大隐患清零",
}
"""The components an index can weigh, with their Chinese names."""

DEFAULT_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("closure_rate", 0.30),
    ("on_time_rate", 0.25),
    ("overdue_control", 0.25),
    ("reopen_control", 0.10),
    ("major_clearance", 0.10),
)
"""Closure and on-time rate carry most weight because they are the headline figures the plans
judge a locality by (整改率, 按期整改率); overdue hazards are what a bulletin names, so they weigh
as much as on-time closure; reopenings measure the quality of rectification (回头看) but are rare,
and major hazards are few per town, so those two components weigh less to keep one event from
swinging a town's rank."""


def _weights(value: Mapping[str, float] | Iterable[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    out = []
    for name, weight in items:
        if name not in COMPONENTS:
            raise ConfigError(f"unknown control-index component {name!r} (one of: {', '.join(COMPONENTS)})")
        w = float(weight)
        if not w >= 0:
            raise ConfigError(f"the weight of {name} must be ≥ 0, not {weight!r}")
        out.append((name, w))
    if len({n for n, _ in out}) != len(out):
        raise ConfigError("a control-index component is weighted twice")
    if sum(w for _, w in out) <= 0:
        raise ConfigError("the control-index weights must not all be zero")
    return tuple(out)


@frozen
class ControlIndexConfig:
    """Which components the control index weighs and how much (normalised to sum to 1)."""

    weights: tuple[tuple[str, float], ...] = field(default=DEFAULT_WEIGHTS, converter=_weights)

    def weight(self, component: str) -> float:
        """The normalised weight of one component (0 if it is not weighed)."""
        total = sum(w for _, w in self.weights)
        return dict(self.weights).get(component, 0.0) / total


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    den_f = den.astype(float)
    return pd.Series(np.where(den_f > 0, num.astype(float) / den_f.where(den_f > 0, 1.0), np.nan), index=num.index)


def control_index_from_frame(
    frame: pd.DataFrame, config: ControlIndexConfig = ControlIndexConfig(), *, towns: Iterable[str] = ()
) -> pd.DataFrame:
    """The index per town from a register frame as of a date (:meth:`Register.frame`).

    ``towns`` adds towns that have no hazard (they get no index and rank last). Returns one
    row per town, best first: the counts behind each component, the components, ``index``
    (0–100) and ``rank`` (1 = best, ties share a rank; NA for a town without an index).
    """
    live = frame[~frame["stage"].isin([Stage.WITHDRAWN.value, Stage.VOIDED.value])]
    status = live["status"].astype(str)
    is_open = live["stage"].isin([s.value for s in Stage if s.is_open])
    major = live["level"].astype(str) == Level.MAJOR.value
    g = pd.DataFrame(
        {
            "town": live["town"].astype(str),
            "found": 1,
            "open": is_open.astype(int),
            "closed": (live["stage"] == Stage.CLOSED.value).astype(int),
            "closed_on_time": (status == Status.CLOSED_ON_TIME.value).astype(int),
            "overdue": (status == Status.OVERDUE.value).astype(int),
            "ever_closed": live["first_closed_on"].notna().astype(int),
            "ever_reopened": (live["reopen_count"] > 0).astype(int),
            "major": major.astype(int),
            "open_major": (major & is_open).astype(int),
        }
    )
    counts = g.groupby("town").sum()
    all_towns = sorted(set(counts.index) | set(towns))
    counts = counts.reindex(all_towns, fill_value=0)
    comp = pd.DataFrame(index=counts.index)
    comp["closure_rate"] = _ratio(counts["closed"], counts["found"])
    comp["on_time_rate"] = _ratio(counts["closed_on_time"], counts["closed"] + counts["overdue"])
    comp["overdue_control"] = 1 - _ratio(counts["overdue"], counts["open"])
    comp["reopen_control"] = 1 - _ratio(counts["ever_reopened"], counts["ever_closed"])
    comp["major_clearance"] = 1 - _ratio(counts["open_major"], counts["major"])
    num = pd.Series(0.0, index=comp.index)
    den = pd.Series(0.0, index=comp.index)
    for name, _ in config.weights:
        w = config.weight(name)
        have = comp[name].notna()
        num += np.where(have, comp[name].fillna(0) * w, 0.0)
        den += np.where(have, w, 0.0)
    index = pd.Series(np.where(den > 0, 100 * num / den.where(den > 0, 1.0), np.nan), index=comp.index)
    out = pd.concat([counts, comp], axis=1)
    out["index"] = index.round(2)
    out["rank"] = out["index"].rank(ascending=False, method="min").astype("Int64")
    out = out.reset_index(names="town")
    out = out.sort_values(["rank", "town"], na_position="last", kind="stable").reset_index(drop=True)
    return out


def control_index(
    register: Register, on: str | _dt.date, config: ControlIndexConfig = ControlIndexConfig()
) -> pd.DataFrame:
    """管控力指数 and 亮晒排名 of every town on a date (towns of the unit register included)."""
    day = as_date(on)
    frame = register.frame(day)
    return control_index_from_frame(frame, config, towns=[u.town for u in register.units()])
