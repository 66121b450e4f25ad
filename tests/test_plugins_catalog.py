"""Catalogs as data: validation at the boundary and selection by the date a hazard was found."""

from __future__ import annotations

import datetime as _dt

import pytest
from hypothesis import given, strategies as st

from hazardloop.catalog import Catalog, Confidence, Criterion, CriterionKind, Domain, LedgerField, suggest_by_keywords
from hazardloop.errors import ConfigError
from hazardloop.grading import GradeStatus, HazardFacts, judge
from hazardloop.records import Level


def _crit(code, **kw):
    return Criterion(code=code, domain="toy", text=f"text {code}", clause=f"clause {code}", **kw)


OLD = Catalog("OLD", "toy", "toy", "旧标准", (_crit("O-1"),), effective_from=None, effective_until="2019-12-31",
              dates_confirmed=False)
NEW = Catalog("NEW", "toy", "toy", "新标准", (_crit("N-1", keywords=("漏电",)),), effective_from="2020-01-01")
TOY = Domain("toy", "玩具", catalogs=(OLD, NEW))


def test_selection_on_both_sides_of_the_effective_date():
    assert TOY.catalog_for("toy", "2019-12-31") is OLD
    assert TOY.catalog_for("toy", "2020-01-01") is NEW
    assert TOY.catalog_for("toy", "1990-01-01") is OLD  # no start date: every earlier date


def test_a_date_with_no_catalog_gets_a_clear_answer():
    later = Domain("toy", "玩具", catalogs=(NEW,))
    answer = judge(later, HazardFacts("toy", "2019-06-01", ("N-1",)))
    assert answer.status is GradeStatus.CANNOT_GRADE and "2019-06-01" in answer.reason
    assert judge(later, HazardFacts("toy", "2019-06-01")).status is GradeStatus.CANNOT_GRADE


@given(st.dates(min_value=_dt.date(1950, 1, 1), max_value=_dt.date(2100, 1, 1)))
def test_exactly_one_catalog_in_force_per_date(day):
    in_force = [c for c in TOY.catalogs if c.in_force(day)]
    assert len(in_force) == 1
    assert in_force[0] is (OLD if day < _dt.date(2020, 1, 1) else NEW)


def test_overlapping_versions_are_refused():
    clash = Catalog("X", "toy", "toy", "重叠", (), effective_from="2019-06-01")
    with pytest.raises(ConfigError, match="overlap"):
        Domain("toy", "玩具", catalogs=(OLD, clash))


def test_catalog_validation():
    with pytest.raises(ConfigError, match="twice"):
        Catalog("C", "toy", "toy", "t", (_crit("A"), _crit("A")), effective_from="2020-01-01")
    with pytest.raises(ConfigError, match="unconfirmed"):
        Catalog("C", "toy", "toy", "t", (), effective_from=None)  # no date must be marked unconfirmed
    with pytest.raises(ConfigError, match="no criteria"):
        Catalog("C", "toy", "toy", "t", (_crit("A"),), effective_from="2020-01-01", automatic=False)
    with pytest.raises(ConfigError, match="requires unknown"):
        Catalog("C", "toy", "toy", "t", (_crit("A", requires=("B",)),), effective_from="2020-01-01")
    with pytest.raises(ConfigError, match="not a code"):
        _crit("has space")
    with pytest.raises(ConfigError, match="before"):
        Catalog("C", "toy", "toy", "t", (), effective_from="2020-01-01", effective_until="2019-01-01")
    with pytest.raises(ConfigError, match="two ledger fields"):
        Domain("toy", "玩具", ledger_fields=(LedgerField("a", "甲"), LedgerField("a", "乙")))


def test_criterion_confirmation_marks():
    assert _crit("A").confirmed
    assert not _crit("A", confidence=Confidence.UNCONFIRMED).confirmed
    assert not _crit("A", partial=True).confirmed


def test_judge_rules():
    exclusion = _crit("E-1", kind=CriterionKind.EXCLUSION)
    direct = _crit("D-1")
    cat = Catalog("C", "toy", "toy", "t", (direct, exclusion), effective_from="2020-01-01")
    dom = Domain("toy", "玩具", catalogs=(cat,))
    assert judge(dom, HazardFacts("toy", "2021-01-01", ("D-1",))).level is Level.MAJOR
    assert judge(dom, HazardFacts("toy", "2021-01-01", ("D-1", "E-1"))).level is Level.GENERAL
    assert judge(dom, HazardFacts("toy", "2021-01-01")).level is Level.GENERAL
    partial = Domain("toy", "玩具", catalogs=(Catalog("C", "toy", "toy", "t", (direct,), effective_from="2020-01-01",
                                                        complete=False),))
    assert judge(partial, HazardFacts("toy", "2021-01-01")).status is GradeStatus.CANNOT_GRADE


def test_keywords_only_suggest():
    assert [s.code for s in suggest_by_keywords(NEW, "配电箱漏电")] == ["N-1"]
    assert suggest_by_keywords(NEW, "一切正常") == []


def test_facts_from_a_discovery_payload():
    from hazardloop.records import Discovery

    d = Discovery(unit_code="U1", town="城关镇", domain="toy", description="配电箱漏电", source="企业自查",
                  level="一般", criteria=["N-1"], measurements={"q": 3}, extra={"k": "v"})
    facts = HazardFacts.from_discovery(d, "2021-01-01")
    assert (facts.domain, facts.found_on, facts.criteria) == ("toy", _dt.date(2021, 1, 1), ("N-1",))
    assert facts.measurement("q") == 3.0 and facts.get("k") == "v"
    assert judge(TOY, facts).level is Level.MAJOR
