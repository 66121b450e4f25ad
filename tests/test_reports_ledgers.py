"""两本账: government findings the enterprise's own self-check ledger never recorded."""

from __future__ import annotations

import pytest

from hazardloop.reports.two_ledgers import MatchConfig, compare_ledgers, description_similarity
from hazardloop.testing import ASSIGNER, FINDER, make_register
from reports_support import UNITS


def _found(register, unit, day, description, source, domain="hazchem", code=None, criteria=()):
    return register.discover(unit_code=unit, domain=domain, description=description, on=day, source=source,
                             level="一般", actor=FINDER, hazard_code=code, criteria=criteria).hazard_id


@pytest.fixture
def ledgers():
    register, _ = make_register("2025-07-01", units=UNITS)
    h = {}
    # U01 (城关镇) keeps a self-check ledger
    h["own_fire"] = _found(register, "U01", "2025-03-01", "消防通道被杂物堵塞", "企业自查")
    h["own_code"] = _found(register, "U01", "2025-03-02", "储罐区防火堤破损", "企业自查", code="HC-12")
    h["own_late"] = _found(register, "U01", "2025-06-20", "配电箱未接地", "企业自查", criteria=("GB-1",))
    # the authorities' findings at U01
    h["gov_text"] = _found(register, "U01", "2025-04-01", "消防通道堵塞，杂物未清理", "属地排查")  # text match
    h["gov_code"] = _found(register, "U01", "2025-04-02", "防火堤有裂缝", "执法检查", code="HC-12")  # code match
    h["gov_crit"] = _found(register, "U01", "2025-04-03", "电气线路老化", "县级核查", criteria=("GB-1", "GB-2"))
    h["gov_miss"] = _found(register, "U01", "2025-04-04", "特种作业人员无证上岗", "执法检查")  # never recorded
    h["gov_dom"] = _found(register, "U01", "2025-04-05", "消防通道被杂物堵塞", "属地排查", domain="fire")  # other domain
    h["gov_void"] = _found(register, "U01", "2025-04-06", "录错的一条", "属地排查")
    register.void(h["gov_void"], on="2025-04-07", actor=ASSIGNER, reason="录入错误")
    # U03 (东山乡): an identical text at another unit does not count for U01, and U03 has no ledger
    h["gov_other"] = _found(register, "U03", "2025-04-08", "消防通道被杂物堵塞", "属地排查")
    # a withdrawn self-check entry does not count as recorded
    h["own_wd"] = _found(register, "U05", "2025-03-01", "液化气瓶露天存放", "企业自查", domain="gas")
    register.withdraw(h["own_wd"], on="2025-03-02", actor=ASSIGNER, reason="误报")
    h["gov_wd"] = _found(register, "U05", "2025-04-09", "液化气瓶露天存放", "执法检查", domain="gas")
    return register, h


def test_matching_rules(ledgers):
    register, h = ledgers
    result = compare_ledgers(register, as_of="2025-06-30")
    rows = result.findings.set_index("hazard_id")
    assert rows.loc[h["gov_text"], "matched_id"] == h["own_fire"] and rows.loc[h["gov_text"], "rule"] == "text"
    assert rows.loc[h["gov_code"], "matched_id"] == h["own_code"] and rows.loc[h["gov_code"], "rule"] == "code"
    assert rows.loc[h["gov_crit"], "matched_id"] == h["own_late"] and rows.loc[h["gov_crit"], "rule"] == "criteria"
    missed = set(result.missed["hazard_id"])
    assert missed == {h["gov_miss"], h["gov_dom"], h["gov_other"], h["gov_wd"]}
    assert h["gov_void"] not in rows.index  # a voided entry is in neither ledger
    assert not any(rows.index.isin([h["own_fire"], h["own_code"]]))  # self-checks are not findings


def test_counts_per_unit_and_town(ledgers):
    register, h = ledgers
    result = compare_ledgers(register, as_of="2025-06-30")
    u = result.by_unit.set_index("unit_code")
    assert tuple(u.loc["U01", ["government_found", "self_found", "recorded", "missed"]]) == (5, 3, 3, 2)
    assert u.loc["U01", "missed_rate"] == pytest.approx(0.4)
    assert tuple(u.loc["U03", ["government_found", "recorded", "missed"]]) == (1, 0, 1)
    assert u.loc["U06", "government_found"] == 0  # units without findings are listed too
    assert u.loc["U01", "town"] == "城关镇"
    t = result.by_town.set_index("town")
    assert t.loc["城关镇", "missed"] == 2 and t.loc["东山乡", "missed"] == 1 and t.loc["西河镇", "missed"] == 1
    assert t["government_found"].sum() == len(result.findings) == u["government_found"].sum()


def test_window_and_dates(ledgers):
    register, h = ledgers
    # the self-check of 06-20 came long after the county check of 04-03: with a 30-day window it
    # does not count as the enterprise's own record
    strict = compare_ledgers(register, as_of="2025-06-30", config=MatchConfig(window_days=30))
    assert h["gov_crit"] in set(strict.missed["hazard_id"])
    # as of 05-31 that self-check did not exist yet
    earlier = compare_ledgers(register, as_of="2025-05-31")
    assert h["gov_crit"] in set(earlier.missed["hazard_id"])
    # since limits the government findings considered
    later = compare_ledgers(register, since="2025-04-04", as_of="2025-06-30")
    assert h["gov_text"] not in set(later.findings["hazard_id"]) and h["gov_miss"] in set(later.missed["hazard_id"])
    # text matching can be made strict enough to drop the text match
    no_text = compare_ledgers(register, as_of="2025-06-30", config=MatchConfig(text_threshold=1.0))
    assert h["gov_text"] in set(no_text.missed["hazard_id"])


def test_description_similarity():
    assert description_similarity("消防通道被杂物堵塞", "消防通道被杂物堵塞") == 1.0
    assert description_similarity("消防通道堵塞", "特种作业无证") == 0.0
    assert description_similarity("", "消防") == 0.0
    assert 0 < description_similarity("消防通道被杂物堵塞", "消防通道堵塞，杂物未清理") < 1
