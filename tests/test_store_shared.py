"""A shared database: another process computes with the stored configuration, and what is
reported from a store (bulletin, ledger export) quotes the chain head that verify --anchor checks."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import openpyxl
from click.testing import CliRunner

from hazardloop.cli import cli
from hazardloop.deadlines import DeadlineConfig, EscalationTier, LimitRule, LimitTable
from hazardloop.records import Level, ListingLevel
from hazardloop.reports import build_bulletin
from hazardloop.sqlstore import open_store, register_on
from hazardloop.testing import ASSIGNER, FINDER, RESPONSIBLE, FixedClock, make_register, make_unit

from store_scenarios import scripted

D = dt.date

# a second user of the database: a fresh interpreter that knows nothing but the URL
_OTHER_USER = textwrap.dedent(
    """
    import sys
    from hazardloop.cli import open_register
    from hazardloop.testing import ASSIGNER, FINDER, RESPONSIBLE, FixedClock

    url, on = sys.argv[1], sys.argv[2]
    register = open_register(url, clock=FixedClock.on(on))  # what every CLI command opens
    h = register.discover(unit_code="U1", domain="hazchem", description="第二个用户", on=on,
                          source="企业自查", level="重大", actor=FINDER)
    h = register.assign(h.hazard_id, on=on, actor=ASSIGNER, responsible_person=RESPONSIBLE,
                        supervising_department="县应急管理局", listing_level="县级")
    print(h.hazard_id, h.effective_deadline.isoformat(), h.deadline_rule, sep="|")
    print(",".join(f"{t.name}:{t.offset_days}" for t in register.config.tiers))
    register.store.close()
    """
)


def test_a_second_process_computes_the_same_deadline_from_the_stored_config(store_url) -> None:  # type: ignore[no-untyped-def]
    local = LimitTable("本地2026", D(2026, 7, 1), (LimitRule(Level.MAJOR, ListingLevel.COUNTY, days=20),))
    with open_store(store_url) as store:
        store.save_deadline_config(DeadlineConfig().with_table(local))
        store.put_tiers([EscalationTier("超期5天", 5)], effective_from="2026-06-01")
        store.put_calendar_days(holidays=[D(2026, 7, 27)], effective_from="2026-01-01")  # a local day off
        store.put_unit(make_unit("U1"))

    # the first user computes on the stored configuration (in this process)
    first = register_on(store_url, clock=FixedClock.on("2026-07-06"))
    h = first.discover(unit_code="U1", domain="hazchem", description="第一个用户", on="2026-07-06",
                       source="企业自查", level="重大", actor=FINDER)
    h = first.assign(h.hazard_id, on="2026-07-06", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                     supervising_department="县应急管理局", listing_level="县级")
    first.store.close()
    # 20 days → Sun 07-26, rolled past the stored local day off (Mon 07-27) to Tue 07-28
    assert h.effective_deadline == D(2026, 7, 28)
    # without the stored configuration the default table would give another date
    default, _ = make_register("2026-07-06", units=(make_unit("U1"),))
    d = default.discover(unit_code="U1", domain="hazchem", description="默认", on="2026-07-06",
                         source="企业自查", level="重大", actor=FINDER)
    d = default.assign(d.hazard_id, on="2026-07-06", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                       supervising_department="县应急管理局", listing_level="县级")
    assert d.effective_deadline != h.effective_deadline

    out = subprocess.run([sys.executable, "-c", _OTHER_USER, store_url, "2026-07-06"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    line, tiers = out.stdout.strip().splitlines()
    hid, deadline, rule = line.split("|")
    assert hid != h.hazard_id
    assert (deadline, rule) == (h.effective_deadline.isoformat(), h.deadline_rule)
    assert tiers == "超期5天:5"
    with open_store(store_url) as store:
        assert store.state(hid).effective_deadline == h.effective_deadline
        assert store.verify().ok


def test_the_bulletin_and_the_ledger_export_quote_the_chain_head(store_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_url) as store:
        register, clock = make_register("2026-02-15", store=store)
        scripted(register, clock)
        head, length = store.head()
        bulletin = build_bulletin(register, "2026-01")
    quoted = dict(bulletin.summary)["台账哈希链头"]
    assert quoted == f"{head} ({length} 条事件)"
    assert f"台账哈希链头: {head}" in bulletin.summary_text()

    out = tmp_path / "台账.xlsx"
    result = CliRunner().invoke(cli, ["export", "--db", store_url, "--as-of", "2026-02-15", str(out)])
    assert result.exit_code == 0, result.output
    assert f"head {head} ({length} events)" in result.output
    sheet = openpyxl.load_workbook(out, read_only=True)["汇总"]
    cells = {row[0]: row[1] for row in sheet.iter_rows(min_row=1, max_row=5, max_col=2, values_only=True)}
    assert cells["台账哈希链头"] == f"{head} ({length} 条事件)"

    # the quoted head is an anchor: verify proves the store still holds it, and notices when it does not
    anchor = quoted.split()[0]
    result = CliRunner().invoke(cli, ["verify", "--db", store_url, "--anchor", anchor])
    assert result.exit_code == 0 and f"anchor found at position {length}" in result.output, result.output
    result = CliRunner().invoke(cli, ["verify", "--db", store_url, "--anchor", anchor[::-1]])
    assert result.exit_code == 1 and "no event has hash" in result.output


def test_a_register_in_memory_quotes_no_head() -> None:
    register, clock = make_register("2026-02-15")
    scripted(register, clock)
    assert "台账哈希链头" not in dict(build_bulletin(register, "2026-01").summary)


def test_the_bulletin_weighs_with_the_index_weights_stored_with_the_register(store_url) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_url) as store:
        store.put_setting("index_weights", {"closure_rate": 1, "on_time_rate": 1}, effective_from="2026-01-01")
        store.put_setting("index_weights", {"overdue_control": 3}, effective_from="2026-02-01")
        register, clock = make_register("2026-02-15", store=store)
        scripted(register, clock)
        january = build_bulletin(register, "2026-01")
        february = build_bulletin(register, "2026-02")
        given = build_bulletin(register, "2026-01", config=february.config)
    assert january.config.weights == (("closure_rate", 1.0), ("on_time_rate", 1.0))
    assert february.config.weights == (("overdue_control", 3.0),)
    assert given.config == february.config
    assert set(january.ranking.columns) == set(february.ranking.columns)
