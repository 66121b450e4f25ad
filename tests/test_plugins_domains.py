"""Oracle tests for the four domain plugins, worked by hand from STANDARDS.md (confirmed rows only).

The plugins are loaded through their entry points, as a host loads them.
"""

from __future__ import annotations

import datetime as _dt

import pytest

from hazardloop.catalog import Confidence
from hazardloop.grading import GradeResult, GradeStatus
from hazardloop.records import Colour, Level
from hazardloop.testing import make_facts, make_hooks, make_unit


@pytest.fixture(scope="module")
def hooks():
    h = make_hooks(entry_points=True)
    missing = {"hazchem", "mines", "gas", "fire"} - {d.code for d in h.domains}
    assert not missing, f"install the plugins: pip install -e plugins/<name> ({missing})"
    return h


def _grade(hooks, domain, on, *codes, **extra):
    return hooks.grade(make_facts(domain, on, codes, **extra))


# --- hazchem: 121号 ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", range(1, 21))
def test_hazchem_each_of_the_20_items_is_major(hooks, n):
    grade = _grade(hooks, "hazchem", "2024-05-01", f"HC121-{n:02d}")
    assert grade.level is Level.MAJOR
    [basis] = grade.basis
    assert basis.code == f"HC121-{n:02d}" and basis.confirmed and "121号" in basis.clause


def test_hazchem_no_item_is_general_and_unknown_code_cannot_grade(hooks):
    assert _grade(hooks, "hazchem", "2024-05-01").level is Level.GENERAL
    unknown = _grade(hooks, "hazchem", "2024-05-01", "HC121-21")
    assert unknown.status is GradeStatus.CANNOT_GRADE and "HC121-21" in unknown.reasons[0]


def test_hazchem_catalog_dates_are_marked_unconfirmed(hooks):
    [cat] = hooks.domain("hazchem").catalogs
    assert cat.effective_from is None and not cat.dates_confirmed
    assert len(cat.criteria) == 20 and all(c.confidence is Confidence.CONFIRMED for c in cat.criteria)


def test_hazchem_keyword_only_suggests(hooks):
    sugg = hooks.suggest("hazchem", "液氯充装未使用万向管道充装系统", "2024-05-01")
    assert "HC121-07" in [s.code for s in sugg]
    assert _grade(hooks, "hazchem", "2024-05-01").level is Level.GENERAL  # the text decided nothing


# --- hazchem: GB 18218-2018 -------------------------------------------------------------------


def _gb():
    from hazardloop_hazchem import gb18218  # the plugin's own module, imported by the test only

    return gb18218


@pytest.mark.parametrize(
    "people,alpha", [(0, 0.5), (1, 1.0), (29, 1.0), (30, 1.2), (49, 1.2), (50, 1.5), (99, 1.5), (100, 2.0), (500, 2.0)]
)
def test_gb18218_alpha_table5(people, alpha):
    assert _gb().alpha_for(people) == alpha


def test_gb18218_worked_case_two_substances():
    gb = _gb()
    # 氨 q=20 t (表1 Q=10, 表3 β=2); 甲苯 q=250 t as W5.3 (表1 Q=500, 表4 β=1); 120 people → α=2.0
    holdings = [gb.Holding(q=20, name="氨"), gb.Holding(q=250, name="甲苯", category="W5.3")]
    s = 20 / 10 + 250 / 500                    # 2.5
    r = 2.0 * (2 * 20 / 10 + 1 * 250 / 500)    # 9.0
    got = gb.assess(holdings, 120)
    assert got.s == pytest.approx(s) and got.is_major_hazard
    assert got.r == pytest.approx(r)
    assert (got.level, got.colour) == ("四级", Colour.BLUE)


@pytest.mark.parametrize(
    "name,q,people,expected_r,level,colour",
    [
        ("氯", 10, 60, 1.5 * 4 * 10 / 5, "三级", Colour.YELLOW),      # R = 12
        ("光气", 3, 10, 1.0 * 20 * 3 / 0.3, "一级", Colour.RED),      # R = 200
        ("氰化氢", 5, 100, 2.0 * 10 * 5 / 1, "一级", Colour.RED),     # R = 100: lower edge of 一级
        ("氰化氢", 5, 20, 1.0 * 10 * 5 / 1, "二级", Colour.ORANGE),   # R = 50: lower edge of 二级
        ("硫化氢", 10, 0, 0.5 * 5 * 10 / 5, "四级", Colour.BLUE),     # R = 5
        ("硫化氢", 10, 30, 1.2 * 5 * 10 / 5, "三级", Colour.YELLOW),  # R = 12
    ],
)
def test_gb18218_single_substance(name, q, people, expected_r, level, colour):
    got = _gb().assess([_gb().Holding(q=q, name=name)], people)
    assert got.r == pytest.approx(expected_r)
    assert (got.level, got.colour) == (level, colour)


def test_gb18218_below_critical_is_not_major_and_category_only():
    gb = _gb()
    small = gb.assess([gb.Holding(q=100, name="甲醇")], 200)  # S = 100/500 = 0.2
    assert small.s == pytest.approx(0.2) and not small.is_major_hazard and small.r is None
    cat = gb.assess([gb.Holding(q=2000, category="W5.3")], 30)  # S = 2; R = 1.2 × 1 × 2 = 2.4
    assert cat.s == pytest.approx(2.0) and cat.r == pytest.approx(2.4) and cat.level == "四级"
    with pytest.raises(Exception, match="表4"):
        gb.assess([gb.Holding(q=600, name="甲苯")], 10)  # β needs 甲苯's category


def test_gb18218_unit_colour_through_the_hook(hooks):
    unit = make_unit("H1", domains=("hazchem",), gb18218=[{"name": "氰化氢", "q": 5}], people_500m=100)
    [a] = [x for x in hooks.assess_unit(unit, "2026-01-05") if x.method == "GB 18218-2018"]
    assert a.colour is Colour.RED and a.score == pytest.approx(100)
    small = make_unit("H2", domains=("hazchem",), gb18218=[{"name": "甲醇", "q": 1}], people_500m=100)
    assert hooks.assess_unit(small, "2026-01-05") == []


# --- mines: catalogs and tailings ---------------------------------------------------------------


def test_mines_metal_catalog_selection_on_both_sides_of_2022_09_01(hooks):
    assert _grade(hooks, "mines", "2022-09-01", "KA88-UG-02").level is Level.MAJOR
    before = _grade(hooks, "mines", "2022-08-31", "KA88-UG-02")
    assert before.status is GradeStatus.CANNOT_GRADE and "98号" in before.reasons[0]
    assert _grade(hooks, "mines", "2022-08-31", "AJ98-TL-03").level is Level.MAJOR
    assert _grade(hooks, "mines", "2022-09-01", "AJ98-TL-03").status is GradeStatus.CANNOT_GRADE


def test_mines_coal_catalog_selection_on_both_sides_of_2021_01_01(hooks):
    assert _grade(hooks, "mines", "2021-01-01", "YJB4-02").level is Level.MAJOR
    before = _grade(hooks, "mines", "2020-12-31", "YJB4-02")
    assert before.status is GradeStatus.CANNOT_GRADE and "人工判定" in before.reasons[0]


def test_mines_partial_catalog_never_proves_general(hooks):
    grade = _grade(hooks, "mines", "2024-01-01", "KA88-UG-20")  # item held in part
    assert grade.level is Level.MAJOR and not grade.confirmed
    assert GradeResult("H1", Level.MAJOR, grade).needs_review
    # no item given: the metal list is held in part, so 一般 cannot be concluded
    assert _grade(hooks, "mines", "2024-01-01").status is GradeStatus.CANNOT_GRADE
    assert len(hooks.domain("mines").catalog_for("coal", "2024-01-01").criteria) == 15


def _tl():
    from hazardloop_mines import tailings

    return tailings


NORMAL = dict(stability_ratio=1.05, freeboard_ok=True, beach_ok=True, drainage="normal", shaft="upright", seepage_ok=True)


@pytest.mark.parametrize(
    "changes,cls",
    [
        ({}, "正常库"),
        ({"stability_ratio": 0.94}, "危库"),        # < 0.95 of the required value
        ({"stability_ratio": 0.95}, "险库"),        # 0.95 itself is not below 0.95, but is below 0.98
        ({"stability_ratio": 0.979}, "险库"),
        ({"stability_ratio": 0.98}, "病库"),        # not below 0.98, below 1.0: inferred
        ({"stability_ratio": None, "stability_factor": 1.2, "stability_required": 1.3}, "危库"),  # 0.923
        ({"freeboard_ok": False, "beach_ok": False, "overtopping_possible": True}, "危库"),
        ({"freeboard_ok": False, "beach_ok": False}, "险库"),
        ({"drainage": "severe"}, "危库"),
        ({"drainage": "partial"}, "险库"),
        ({"shaft": "collapsing"}, "危库"),
        ({"shaft": "tilted"}, "险库"),
        ({"conditions": ["danger.dam"]}, "危库"),
        ({"conditions": ["peril.shallow_slide"]}, "险库"),
        ({"seepage_ok": False}, "病库"),
    ],
)
def test_tailings_classes(changes, cls):
    got = _tl().classify({**NORMAL, **changes})
    assert got.pond_class is not None and got.pond_class.value == cls
    assert got.inferred == (cls == "病库")


def test_tailings_missing_inputs_give_no_class_and_worst_condition_wins():
    tl = _tl()
    assert tl.classify({"stability_ratio": 1.1}).pond_class is None
    assert tl.classify({"stability_ratio": 0.9}).pond_class is tl.PondClass.DANGER  # 危 needs no other input
    both = tl.classify({**NORMAL, "drainage": "partial", "stability_ratio": 0.9})
    assert both.pond_class is tl.PondClass.DANGER and set(both.conditions) == {"danger.stability", "peril.drainage"}


def test_tailings_colour_default_and_configurable(hooks):
    from hazardloop_mines import MinesPlugin

    unit = make_unit("T1", domains=("mines",), tailings_stability_ratio=0.96, tailings_freeboard_ok=True,
                     tailings_beach_ok=True, tailings_drainage="normal", tailings_shaft="upright",
                     tailings_seepage_ok=True)
    [a] = hooks.assess_unit(unit, "2026-01-05")
    assert (a.method, a.colour, a.confirmed) == ("尾矿库安全度", Colour.ORANGE, False)
    tl = _tl()
    custom = {tl.PondClass.DANGER: "红", tl.PondClass.PERIL: "红", tl.PondClass.SICK: "橙", tl.PondClass.NORMAL: "蓝"}
    mine = make_hooks(("mines", MinesPlugin({k: Colour(v) for k, v in custom.items()})), builtins=False)
    assert mine.assess_unit(unit, "2026-01-05")[0].colour is Colour.RED


# --- gas: 建城规〔2023〕4号 ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["JC2023-4.1", "JC2023-4.2", "JC2023-4.3", "JC2023-4.4", "JC2023-4.5",
                                  "JC2023-5.1", "JC2023-5.2"])
def test_gas_articles_4_and_5_decide_alone(hooks, code):
    assert _grade(hooks, "gas", "2024-03-01", code).level is Level.MAJOR


@pytest.mark.parametrize("code", ["JC2023-9.1", "JC2023-9.2", "JC2023-9.3", "JC2023-9.4"])
def test_gas_article_9_needs_the_written_notice_condition(hooks, code):
    major = _grade(hooks, "gas", "2024-03-01", code, "JC2023-9.0")
    assert major.level is Level.MAJOR
    assert [b.code for b in major.basis] == ["JC2023-9.0", code]  # the condition is evidence too
    unknown = _grade(hooks, "gas", "2024-03-01", code)
    assert unknown.status is GradeStatus.CANNOT_GRADE and "JC2023-9.0" in unknown.reasons[0]
    notified = _grade(hooks, "gas", "2024-03-01", code, written_notice_given=True)
    assert notified.level is not Level.MAJOR


# --- fire: GB 35181 ---------------------------------------------------------------------------

CROWDED = "人员密集场所"


def _fire(hooks, on, *codes, **extra):
    return _grade(hooks, "fire", on, *(f"GB35181-2017-{c}" for c in codes), **extra)


@pytest.mark.parametrize("clause", ["6.1", "6.2", "6.3", "6.4", "6.5", "6.6"])
def test_fire_confirmed_direct_elements(hooks, clause):
    grade = _fire(hooks, "2024-06-01", clause)
    assert grade.level is Level.MAJOR and grade.confirmed


def test_fire_crowded_place_threshold_three_of_7_3(hooks):
    three = _fire(hooks, "2024-06-01", "7.3.1", "7.3.3", "7.3.5", place_category=CROWDED)
    assert three.level is Level.MAJOR and three.confirmed
    assert [b.code[-5:] for b in three.basis] == ["7.3.1", "7.3.3", "7.3.5"]
    two = _fire(hooks, "2024-06-01", "7.3.1", "7.3.3", place_category=CROWDED)
    assert two.level is not Level.MAJOR


def test_fire_composite_needs_place_category(hooks):
    grade = _fire(hooks, "2024-06-01", "7.3.1", "7.3.3", "7.3.5")
    assert grade.status is GradeStatus.CANNOT_GRADE and "place_category" in " ".join(grade.reasons)


@pytest.mark.parametrize("exclusion", ["5.1.2", "5.1.3a", "5.1.3b", "5.1.3c"])
def test_fire_exclusions(hooks, exclusion):
    composite = _fire(hooks, "2024-06-01", "7.3.1", "7.3.3", "7.3.5", exclusion, place_category=CROWDED)
    assert composite.level is Level.GENERAL
    assert [b.code for b in composite.basis] == [f"GB35181-2017-{exclusion}"]
    direct = _fire(hooks, "2024-06-01", "6.1", exclusion)
    assert direct.level is Level.GENERAL


def test_fire_unconfirmed_thresholds_are_carried_with_their_mark(hooks):
    from hazardloop_fire import CATALOG_2017, COMPOSITE_RULES, FirePlugin

    composite = [c for c in CATALOG_2017.criteria if c.kind.value == "综合判定"]
    checked = 0
    for rule in COMPOSITE_RULES:
        if rule.confidence is Confidence.CONFIRMED:
            continue
        inside = [c.code for c in composite if rule.counts(c.code.removeprefix("GB35181-2017-"))]
        if len(inside) < rule.threshold:
            continue  # the elements the rule counts are not all in our facts
        only = make_hooks(("fire", FirePlugin([rule])), builtins=False)
        grade = only.grade(make_facts("fire", "2024-06-01", tuple(inside), place_category=rule.categories[0]))
        assert grade.level is Level.MAJOR and not grade.confirmed
        assert GradeResult("H1", Level.MAJOR, grade).needs_review
        checked += 1
    assert checked >= 1


def test_fire_catalog_selection_on_both_sides_of_2025_11_01(hooks):
    assert _fire(hooks, "2025-10-31", "6.1").level is Level.MAJOR
    after = _fire(hooks, "2025-11-01", "6.1")
    assert after.status is GradeStatus.CANNOT_GRADE and "GB 35181-2025" in after.reasons[0]
    assert _grade(hooks, "fire", "2025-11-01").status is GradeStatus.CANNOT_GRADE
    assert hooks.suggest("fire", "消防车道被堵塞", "2025-11-01") == []
    assert [s.code for s in hooks.suggest("fire", "消防车道被堵塞", "2025-10-31")] == ["GB35181-2017-7.1.1"]
    assert hooks.domain("fire").catalog_for("gb35181", _dt.date(2025, 10, 31)).code == "GB35181-2017"
