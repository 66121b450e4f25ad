"""The built-in plugin: LEC and L×S risk for any unit that carries their inputs.

Registered by :func:`hazardloop.plugins.make_plugin_manager` under the name
``hazardloop.generalrisk`` with the same call as any other plugin (block it by that name).
Unit attributes read:

- ``lec_l``, ``lec_e``, ``lec_c``: the LEC factors (values of the tables of STANDARDS.md §7.2);
- ``ls_l``, ``ls_s``: likelihood and severity on the 5-point scales; ``ls_variant`` ``"V1"``
  or ``"V2"`` (default :data:`~hazardloop.riskmethods.LS_DEFAULT`).
"""

from __future__ import annotations

import datetime as _dt
from types import MappingProxyType

from hazardloop.errors import InvalidRecordError
from hazardloop.hookspecs import hookimpl
from hazardloop.records import Unit
from hazardloop.riskmethods import LS_DEFAULT, LS_V1, LS_V2, RiskAssessment, lec_colour, ls_colour

__all__ = ["NAME", "hazardloop_assess_unit_risk"]

NAME = "hazardloop.generalrisk"
"""The name the built-in plugin is registered under."""

_VARIANTS = MappingProxyType({"V1": LS_V1, "V2": LS_V2})


@hookimpl
def hazardloop_assess_unit_risk(unit: Unit, on: _dt.date) -> list[RiskAssessment] | None:
    """LEC and/or LS assessments from the unit's attributes; None when it carries neither."""
    out: list[RiskAssessment] = []
    l, e, c = unit.attribute("lec_l"), unit.attribute("lec_e"), unit.attribute("lec_c")
    if l is not None and e is not None and c is not None:
        d, colour = lec_colour(l, e, c)
        out.append(
            RiskAssessment(
                unit.code, "LEC", colour, d, basis=f"D={float(l):g}×{float(e):g}×{float(c):g}={d:g}",
                details={"L": float(l), "E": float(e), "C": float(c)},
            )
        )
    ls_l, ls_s = unit.attribute("ls_l"), unit.attribute("ls_s")
    if ls_l is not None and ls_s is not None:
        variant = unit.attribute("ls_variant")
        if variant is None:
            matrix = LS_DEFAULT
        elif variant in _VARIANTS:
            matrix = _VARIANTS[variant]
        else:
            raise InvalidRecordError(f"unit {unit.code}: ls_variant {variant!r} is not V1 or V2")
        r, colour = ls_colour(ls_l, ls_s, matrix)
        out.append(
            RiskAssessment(
                unit.code, f"LS-{matrix.bands.name}", colour, r, basis=f"R={ls_l}×{ls_s}={r}",
                details={"L": ls_l, "S": ls_s},
            )
        )
    return out or None
