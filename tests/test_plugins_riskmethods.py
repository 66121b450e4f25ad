"""LEC, the LS matrices and dynamic risk: oracle values worked by hand from STANDARDS.md §7."""

from __future__ import annotations

import datetime as _dt

import pytest
from hypothesis import given, strategies as st

from hazardloop.errors import ConfigError, InvalidRecordError
from hazardloop.records import Colour, Level, ListingLevel, Source
from hazardloop.riskmethods import (
    LEC_BANDS, LEC_C, LEC_E, LEC_L, LS_DEFAULT, LS_REACHABLE, LS_V1, LS_V2, Band, Bands, DynamicRiskConfig,
    LECConfig, RiskAssessment, dynamic_colour, lec_colour, ls_colour,
)
from hazardloop.plugins import town_colours, unit_colours
from hazardloop.testing import ASSIGNER, FINDER, RESPONSIBLE, make_hooks, make_register, make_unit


@pytest.mark.parametrize(
    "l,e,c,d,colour",
    [
        (10, 1, 7, 70, Colour.YELLOW),      # 70 is the lower edge of 黄
        (3, 3, 7, 63, Colour.BLUE),         # just below 70
        (1, 10, 7, 70, Colour.YELLOW),
        (10, 2, 7, 140, Colour.YELLOW),
        (1, 2, 100, 200, Colour.ORANGE),
        (10, 1, 15, 150, Colour.YELLOW),    # below 160
        (1, 6, 40, 240, Colour.ORANGE),
        (10, 6, 3, 180, Colour.ORANGE),
        (1, 1, 40, 40, Colour.BLUE),
        (0.5, 6, 100, 300, Colour.ORANGE),  # below 320
        (6, 6, 15, 540, Colour.RED),
        (10, 10, 100, 10000, Colour.RED),   # the maximum
        (0.1, 0.5, 1, 0.05, Colour.BLUE),   # the minimum
    ],
)
def test_lec_oracle(l, e, c, d, colour):
    score, got = lec_colour(l, e, c)
    assert score == pytest.approx(d)
    assert got is colour


def test_lec_edges_lower_bound_inclusive():
    # the band edges themselves (320 and 160 are not products of the tables; 70 is)
    assert LEC_BANDS.colour(320) is Colour.RED
    assert LEC_BANDS.colour(319.99) is Colour.ORANGE
    assert LEC_BANDS.colour(160) is Colour.ORANGE
    assert LEC_BANDS.colour(159.99) is Colour.YELLOW
    assert LEC_BANDS.colour(70) is Colour.YELLOW
    assert LEC_BANDS.colour(69.99) is Colour.BLUE


def test_lec_reachable_320_is_red():
    # 320 is not a product of the tables; the nearest reachable values on either side:
    products = sorted({l * e * c for l in LEC_L for e in LEC_E for c in LEC_C})
    below = max(p for p in products if p < 320)
    above = min(p for p in products if p >= 320)
    assert lec_colour(*_factors(below))[1] is Colour.ORANGE
    assert lec_colour(*_factors(above))[1] is Colour.RED


def _factors(d):
    for l in LEC_L:
        for e in LEC_E:
            for c in LEC_C:
                if l * e * c == d:
                    return l, e, c
    raise AssertionError(d)


def test_lec_strict_tables_and_configurable_bands():
    with pytest.raises(InvalidRecordError, match="not a value of the table"):
        lec_colour(4, 1, 7)
    lenient = LECConfig(strict=False, bands=Bands((Band(100, "红"), Band(50, "黄"))))
    assert lec_colour(4, 1, 20, lenient) == (80, Colour.YELLOW)
    with pytest.raises(ConfigError):
        Bands((Band(100, "蓝"), Band(50, "红")))  # a higher score may not get a lower colour


@given(st.sampled_from(list(LEC_L)), st.sampled_from(list(LEC_E)), st.sampled_from(list(LEC_C)))
def test_lec_monotone_in_each_factor(l, e, c):
    d, colour = lec_colour(l, e, c)
    bigger = max(LEC_C)
    d2, colour2 = lec_colour(l, e, bigger)
    assert d2 >= d and colour2.rank >= colour.rank
    expected = Colour.RED if d >= 320 else Colour.ORANGE if d >= 160 else Colour.YELLOW if d >= 70 else Colour.BLUE
    assert colour is expected


V1 = {25: "红", 20: "红", 16: "橙", 15: "橙", 12: "橙", 10: "黄", 9: "黄", 8: "黄", 6: "黄", 5: "黄",
      4: "蓝", 3: "蓝", 2: "蓝", 1: "蓝"}
V2 = {25: "红", 20: "红", 16: "橙", 15: "橙", 12: "橙", 10: "橙", 9: "黄", 8: "黄", 6: "黄", 5: "黄",
      4: "黄", 3: "蓝", 2: "蓝", 1: "蓝"}


@pytest.mark.parametrize("matrix,table", [(LS_V1, V1), (LS_V2, V2)])
def test_ls_variants_on_every_reachable_product(matrix, table):
    assert set(table) == set(LS_REACHABLE)
    for l in range(1, 6):
        for s in range(1, 6):
            r, colour = ls_colour(l, s, matrix)
            assert r == l * s
            assert colour.value == table[r], (l, s)


def test_ls_default_is_v2_and_scales_are_checked():
    assert LS_DEFAULT is LS_V2
    with pytest.raises(InvalidRecordError):
        ls_colour(6, 1)
    with pytest.raises(InvalidRecordError):
        ls_colour(0, 3)


def _a(colour, method="m"):
    return RiskAssessment("U1", method, colour, 1.0, basis="b")


def test_dynamic_open_major_raises_one_level_with_reason():
    got = dynamic_colour("U1", [_a(Colour.YELLOW)], open_major=["H1"])
    assert (got.inherent, got.colour) == (Colour.YELLOW, Colour.ORANGE)
    assert any("H1" in r and "黄→橙" in r for r in got.reasons)


def test_dynamic_overdue_major_goes_red():
    got = dynamic_colour("U1", [_a(Colour.BLUE)], open_major=["H1"], overdue_major=["H1"])
    assert got.colour is Colour.RED
    assert any("超期" in r for r in got.reasons)


def test_dynamic_is_configurable():
    off = DynamicRiskConfig(open_major_steps=0, overdue_major_colour=None)
    got = dynamic_colour("U1", [_a(Colour.BLUE)], open_major=["H1"], overdue_major=["H1"], config=off)
    assert got.colour is Colour.BLUE
    two = DynamicRiskConfig(open_major_steps=2)
    assert dynamic_colour("U1", [_a(Colour.BLUE)], open_major=["H1"], config=two).colour is Colour.ORANGE  # 蓝+2


def test_dynamic_most_severe_wins_independent_of_order():
    items = [_a(Colour.BLUE, "x"), _a(Colour.ORANGE, "y"), _a(Colour.YELLOW, "z")]
    a = dynamic_colour("U1", items)
    b = dynamic_colour("U1", list(reversed(items)))
    assert a == b and a.colour is Colour.ORANGE


def test_unassessed_unit_stays_uncoloured_unless_overdue():
    assert dynamic_colour("U1", [], open_major=["H1"]).colour is None
    assert dynamic_colour("U1", [], overdue_major=["H1"]).colour is Colour.RED


def test_unit_colours_from_a_register():
    hooks = make_hooks()  # the built-in LEC/LS plugin only
    units = (
        make_unit("U1", domains=("toy",), lec_l=10, lec_e=1, lec_c=7),   # D=70 黄
        make_unit("U2", domains=("toy",), lec_l=3, lec_e=3, lec_c=7),    # D=63 蓝
        make_unit("U3", town="东镇", domains=("toy",), ls_l=4, ls_s=5),  # R=20 红
    )
    register, _ = make_register(hooks=hooks, units=units)
    hid = register.discover(unit_code="U1", domain="toy", description="d", on="2026-03-01", source=Source.ENFORCEMENT,
                            level=Level.MAJOR, actor=FINDER).hazard_id
    register.assign(hid, on="2026-03-02", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                    supervising_department="县应急管理局", listing_level=ListingLevel.COUNTY)
    open_day = {c.unit_code: c for c in unit_colours(register, hooks, on="2026-03-10")}
    assert open_day["U1"].colour is Colour.ORANGE and open_day["U1"].inherent is Colour.YELLOW
    assert open_day["U2"].colour is Colour.BLUE
    late = {c.unit_code: c for c in unit_colours(register, hooks, on="2026-04-02")}  # deadline 2026-04-01
    assert late["U1"].colour is Colour.RED and late["U1"].overdue_major == (hid,)
    before = {c.unit_code: c for c in unit_colours(register, hooks, on="2026-02-28")}
    assert before["U1"].colour is Colour.YELLOW  # the hazard had not been found yet
    towns = town_colours(late.values(), register.units())
    assert towns["城关镇"].colour is Colour.RED and towns["东镇"].colour is Colour.RED
    assert _dt.date(2026, 4, 1) == register.get(hid).effective_deadline
