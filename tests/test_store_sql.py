"""The durable store behaves as the in-memory one, on SQLite and on PostgreSQL (same suite)."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import contextmanager

import attrs
import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from hazardloop.calendar import YearTable
from hazardloop.cli import cli
from hazardloop.deadlines import DeadlineConfig, EscalationTier, LimitRule, LimitTable
from hazardloop.errors import ConcurrencyError, TransitionError
from hazardloop.lifecycle import apply
from hazardloop.records import Level, ListingLevel
from hazardloop.sqlschema import SCHEMA_VERSION
from hazardloop.sqlstore import open_store, register_on
from hazardloop.sqlverify import verify_jsonl
from hazardloop.store import Append, EventStore
from hazardloop.testing import ASSIGNER, FINDER, RESPONSIBLE, FixedClock, make_register, make_unit

from store_scenarios import scripted

D = dt.date


@pytest.fixture
def store(store_url):  # type: ignore[no-untyped-def]
    s = open_store(store_url)
    yield s
    s.close()


def test_the_store_implements_the_protocol(store) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(store, EventStore)
    assert store.schema_version() == SCHEMA_VERSION
    assert store.count() == 0 and store.event_count() == 0
    assert store.state("H000001") is None and store.events("H000001") == ()


def test_a_register_on_the_store_equals_one_in_memory(store) -> None:  # type: ignore[no-untyped-def]
    durable, clock = make_register("2026-01-05", store=store)
    memory, mclock = make_register("2026-01-05")
    ids = scripted(durable, clock)
    assert ids == scripted(memory, mclock)
    assert len(durable) == len(memory) == 8
    assert store.hazard_ids() == list(memory.store.hazard_ids())
    assert list(store.states()) == list(memory.store.states())
    for hid in store.hazard_ids():
        assert durable.get(hid) == memory.get(hid)
        assert durable.history(hid) == memory.history(hid)
    assert durable.units() == memory.units()
    for day in ("2026-01-05", "2026-01-10", "2026-01-13", "2026-02-05", "2026-04-01"):
        pd.testing.assert_frame_equal(durable.frame(day), memory.frame(day))
        pd.testing.assert_frame_equal(store.frame_as_of(day), memory.frame(day))
        assert list(store.states_as_of(day)) == list(memory.states_as_of(day))
    report = store.verify(deep=True)
    assert report.ok, report.problems
    assert report.length == store.event_count() == sum(len(memory.history(h)) for h in memory.store.hazard_ids())


def test_reopening_the_store_sees_everything(store_url) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_url) as first:
        register, clock = make_register("2026-01-05", store=first)
        ids = scripted(register, clock)
        expected = {hid: register.get(hid) for hid in ids.values()}
        head = first.head()
    with open_store(store_url) as second:
        assert {hid: second.state(hid) for hid in ids.values()} == expected
        assert second.head() == head
        assert second.get_unit("U2") == make_unit("U2", town="新城街道", domains=("mines",), storage_t=12.5)


def test_a_refused_batch_stores_nothing(store) -> None:  # type: ignore[no-untyped-def]
    register, _ = make_register("2026-01-05", store=store, units=(make_unit("U1"),))
    before = store.head()
    with pytest.raises(TransitionError):
        with register.batch():
            h = register.discover(unit_code="U1", domain="hazchem", description="a", on="2026-01-05",
                                  source="企业自查", level="一般", actor=FINDER)
            register.start_rectification(h.hazard_id, on="2026-01-06", actor=RESPONSIBLE, measures="m")
    assert store.count() == 0 and store.event_count() == 0
    assert store.head() == before


def test_a_stale_version_is_refused_and_nothing_is_stored(store) -> None:  # type: ignore[no-untyped-def]
    register, _ = make_register("2026-01-05", store=store, units=(make_unit("U1"),))
    h = register.discover(unit_code="U1", domain="hazchem", description="a", on="2026-01-05",
                          source="企业自查", level="一般", actor=FINDER)
    other = register.discover(unit_code="U1", domain="hazchem", description="b", on="2026-01-05",
                              source="企业自查", level="一般", actor=FINDER)
    register.assign(h.hazard_id, on="2026-01-06", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                    supervising_department="县应急管理局", deadline="2026-01-30")
    # a writer that still believes h is at version 1
    stale_events = register.history(h.hazard_id)[:1]
    state1 = apply(None, stale_events[0])
    late = register._build(state1, h.hazard_id, register.history(h.hazard_id)[1].kind, D(2026, 1, 7), ASSIGNER,
                           register.history(h.hazard_id)[1].payload)
    fresh = register._build(register.get(other.hazard_id), other.hazard_id,
                            register.history(h.hazard_id)[1].kind, D(2026, 1, 7), ASSIGNER,
                            register.history(h.hazard_id)[1].payload)
    counts = (store.event_count(), store.head())
    with pytest.raises(ConcurrencyError) as err:
        store.append([
            Append(other.hazard_id, 1, (fresh,), apply(register.get(other.hazard_id), fresh)),
            Append(h.hazard_id, 1, (late,), apply(state1, late)),
        ])
    assert err.value.hazard_id == h.hazard_id and (err.value.expected, err.value.actual) == (1, 2)
    assert "expected version 1" in str(err.value)
    assert (store.event_count(), store.head()) == counts
    assert store.state(other.hazard_id).version == 1


@contextmanager
def _capturing_batches(store):  # type: ignore[no-untyped-def]
    """Record every batch ``store.append`` is given while the block runs (and still append it)."""
    captured: list[list[Append]] = []
    real_append = store.append

    def spy(batch):  # type: ignore[no-untyped-def]
        captured.append(list(batch))
        return real_append(batch)

    store.append = spy
    try:
        yield captured
    finally:
        store.append = real_append


def test_a_retried_batch_is_skipped_not_duplicated(store) -> None:  # type: ignore[no-untyped-def]
    register, _ = make_register("2026-01-05", store=store, units=(make_unit("U1"),))
    with _capturing_batches(store) as captured, register.batch():
        for n in range(4):
            register.discover(unit_code="U1", domain="hazchem", description=f"h{n}", on="2026-01-05",
                              source="企业自查", level="一般", actor=FINDER)
    head = store.head()
    store.append(captured[0])  # the same batch again: as after a lost commit acknowledgement
    assert store.head() == head
    assert store.count() == 4 and store.event_count() == 4
    assert store.verify().ok


def _bulk(register, n: int) -> None:  # type: ignore[no-untyped-def]
    with register.batch():
        for i in range(n):
            h = register.discover(unit_code="U1", domain="hazchem", description=f"批量{i}", on="2026-01-05",
                                  source="企业自查", level="一般", actor=FINDER, extra={"序号": str(i)})
            register.assign(h.hazard_id, on="2026-01-06", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                            supervising_department="县应急管理局", deadline="2026-02-05")
            register.start_rectification(h.hazard_id, on="2026-01-07", actor=RESPONSIBLE, measures="措施 \t\\N",
                                         funds=1.5 if i % 2 else None)


def test_a_bulk_batch_equals_memory_and_a_slipped_writer_is_a_conflict(store) -> None:  # type: ignore[no-untyped-def]
    """A batch large enough for PostgreSQL's COPY path (≥ 64 rows) stores what the memory store
    holds, text with tabs and backslashes included; a duplicate key met under the head lock
    (a writer that slipped past it) refuses the whole batch as a conflict and stores nothing."""
    durable, _ = make_register("2026-01-05", store=store, units=(make_unit("U1"),))
    memory, _ = make_register("2026-01-05", units=(make_unit("U1"),))
    copied: list[str] = []
    real_copy = store._copy

    def copy_spy(conn, table, columns, rows):  # type: ignore[no-untyped-def]
        copied.append(table)
        return real_copy(conn, table, columns, rows)

    store._copy = copy_spy  # type: ignore[method-assign]
    with _capturing_batches(store) as captured:
        _bulk(durable, 40)
    _bulk(memory, 40)
    assert sum(len(a.events) for a in captured[0]) == 120
    assert copied == (["hl_events", "hl_hazards"] if store.dialect == "postgresql" else [])
    assert list(store.states()) == list(memory.store.states())
    for hid in store.hazard_ids():
        assert durable.history(hid) == memory.history(hid)
    pd.testing.assert_frame_equal(store.frame_as_of("2026-01-08"), memory.frame("2026-01-08"))
    assert store.verify(deep=True).ok
    before = (store.event_count(), store.count(), store.head())
    store._versions = lambda conn, ids: {}  # type: ignore[method-assign]  # blind to what is stored
    with pytest.raises(ConcurrencyError):
        store.append(captured[0])
    assert (store.event_count(), store.count(), store.head()) == before
    assert store.verify(deep=True).ok


def test_big_batches_store_the_reference_texts_and_checkpoint_alongside(store) -> None:  # type: ignore[no-untyped-def]
    """Batches of ≥ 500 events: every stored body is the canonical JSON of its event and the
    narrow columns are :func:`event_columns` (the append path writes both its own way); on a
    SQLite file the WAL is checkpointed while the next batch is serialised, and nothing is lost."""
    from hazardloop import sqlstore
    from hazardloop.serialize import canonical, event_to_dict
    from hazardloop.sqlrows import event_columns

    durable, _ = make_register("2026-01-05", store=store, units=(make_unit("U1"),))
    memory, _ = make_register("2026-01-05", units=(make_unit("U1"),))
    runs: list[int] = []
    checkpointer = store._checkpointer
    if checkpointer is not None:
        real_run = checkpointer._run

        def run_spy() -> None:
            runs.append(1)
            real_run()

        checkpointer._run = run_spy  # type: ignore[method-assign]
    for _ in range(3):
        _bulk(durable, sqlstore._BACKGROUND_CHECKPOINT_FROM // 3 + 1)
        _bulk(memory, sqlstore._BACKGROUND_CHECKPOINT_FROM // 3 + 1)
    assert runs == ([1, 1, 1] if store.dialect == "sqlite" and checkpointer is not None else [])
    assert (store.dialect == "sqlite") == (checkpointer is not None)  # the fixture's SQLite is a file
    engine = store.engine
    with engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT hazard_id, seq, body, deadline, provisional, actor, origin FROM hl_events ORDER BY gseq"
        ).all()
    events = {(e.hazard_id, e.seq): e for hid in memory.store.hazard_ids() for e in memory.history(hid)}
    assert len(stored) == len(events) == 3 * 3 * (sqlstore._BACKGROUND_CHECKPOINT_FROM // 3 + 1)
    for hid, seq, body, *columns in stored:
        event = events[(hid, seq)]
        assert body == canonical(event_to_dict(event))
        assert tuple(columns) == event_columns(event)
    assert list(store.states()) == list(memory.store.states())
    assert store.verify(deep=True).ok


def test_hazard_ids_are_never_handed_out_twice(store_url) -> None:  # type: ignore[no-untyped-def]
    a, b = open_store(store_url), open_store(store_url)
    try:
        ids = [a.next_hazard_id() for _ in range(5)] + [b.next_hazard_id() for _ in range(5)]
        ids += [a.next_hazard_id() for _ in range(5)]
        assert len(set(ids)) == len(ids)
        assert all(i.startswith("H") and len(i) == 7 for i in ids)
    finally:
        a.close()
        b.close()


def test_units_are_replaced_by_code(store) -> None:  # type: ignore[no-untyped-def]
    store.put_unit(make_unit("U2"))
    store.put_unit(make_unit("U1", lec=(1, 2), since=D(2020, 1, 1)))
    store.put_unit(make_unit("U1", town="新城街道"))
    assert [u.code for u in store.units()] == ["U1", "U2"]
    assert store.get_unit("U1") == make_unit("U1", town="新城街道")
    assert store.get_unit("nope") is None


def test_configuration_is_versioned_by_effective_date(store_url) -> None:  # type: ignore[no-untyped-def]
    store = open_store(store_url)
    assert store.deadline_config() is None
    local = LimitTable("本地2026", D(2026, 7, 1), (LimitRule(Level.MAJOR, ListingLevel.COUNTY, days=20),))
    config = DeadlineConfig().with_table(local)
    store.save_deadline_config(config)
    store.put_tiers([EscalationTier("超期3天", 3)], effective_from="2026-09-01")
    store.put_setting("colour_bands", {"红": 80, "橙": 60}, effective_from="2026-01-01")
    store.put_setting("colour_bands", {"红": 85, "橙": 65}, effective_from="2026-06-01")
    store.put_setting("index_weights", {"overdue": 0.5})
    store.put_year_table(YearTable(2027, [D(2027, 1, 1)], [D(2027, 1, 9)]))
    store.put_calendar_days(holidays=[D(2026, 3, 3)])
    store.close()

    store = open_store(store_url)
    assert store.deadline_config(as_of="2026-08-01") == config
    later = store.deadline_config()
    assert later.tables == config.tables and later.tiers == (EscalationTier("超期3天", 3),)
    assert store.setting("colour_bands", "2026-05-31") == {"红": 80, "橙": 60}
    assert store.setting("colour_bands", "2026-06-01") == {"红": 85, "橙": 65}
    assert store.setting("colour_bands", "2025-12-31") is None
    assert store.setting("index_weights") == {"overdue": 0.5}
    cal = store.calendar()
    assert cal.covers(D(2027, 3, 1)) and not cal.is_workday(D(2027, 1, 1)) and cal.is_workday(D(2027, 1, 9))
    assert not cal.is_workday(D(2026, 3, 3))
    store.close()

    # every user of the database computes the same deadlines: the local table from its date on
    register = register_on(store_url, clock=FixedClock.on("2026-07-06"))
    register.add_unit(make_unit("U1"))
    h = register.discover(unit_code="U1", domain="hazchem", description="x", on="2026-07-06",
                          source="企业自查", level="重大", actor=FINDER)
    h = register.assign(h.hazard_id, on="2026-07-06", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                        supervising_department="县应急管理局", listing_level="县级")
    assert h.effective_deadline == D(2026, 7, 27)  # 20 days (本地2026) → a Sunday, rolled to Monday
    assert "20" in h.deadline_rule
    register.store.close()


def test_colour_bands_are_stored_typed_and_versioned(store_url) -> None:  # type: ignore[no-untyped-def]
    """Bands stored by one process colour a score the same way in another, by effective date."""
    from hazardloop.records import Colour
    from hazardloop.riskmethods import LEC_BANDS, Band, Bands, LECConfig, lec_colour

    stricter = Bands((Band(240, "红"), Band(120, "橙"), Band(50.5, "黄")), name="本市 LEC 色带")
    with open_store(store_url) as first:
        assert first.colour_bands("LEC") is None
        first.put_colour_bands("LEC", LEC_BANDS)
        first.put_colour_bands("LEC", stricter, effective_from="2026-07-01")
    with open_store(store_url) as second:
        assert second.colour_bands("LEC", "2026-06-30") == LEC_BANDS
        assert second.colour_bands("LEC", "2026-07-01") == second.colour_bands("LEC") == stricter
        assert second.colour_bands("LS V1") is None
        # D = 6 × 6 × 7 = 252: 橙 under the standard bands, 红 under the stricter local ones
        assert lec_colour(6, 6, 7, LECConfig(bands=second.colour_bands("LEC", "2026-06-30")))[1] is Colour.ORANGE
        assert lec_colour(6, 6, 7, LECConfig(bands=second.colour_bands("LEC", "2026-07-01")))[1] is Colour.RED


def test_export_is_json_lines_that_verify_offline(store) -> None:  # type: ignore[no-untyped-def]
    register, clock = make_register("2026-01-05", store=store)
    scripted(register, clock)
    buf = io.StringIO()
    head, length = store.export_jsonl(buf)
    assert (head, length) == store.head()
    lines = buf.getvalue().splitlines()
    assert len(lines) == length == store.event_count()
    first = json.loads(lines[0])
    assert first["gseq"] == 1 and first["event"]["kind"] == "发现"
    assert verify_jsonl(io.StringIO(buf.getvalue()), anchor=head).ok
    tampered = buf.getvalue().replace("储罐区未设紧急切断", "储罐区已设紧急切断", 1)
    report = verify_jsonl(io.StringIO(tampered))
    assert not report.ok and report.first_broken.startswith("event H000001#1 ")


def test_cli_verify_export_head(store_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_url) as store:
        register, clock = make_register("2026-01-05", store=store)
        scripted(register, clock)
        head, length = store.head()
    runner = CliRunner()
    result = runner.invoke(cli, ["verify", "--db", store_url])
    assert result.exit_code == 0, result.output
    assert f"{length} events, head {head}" in result.output
    result = runner.invoke(cli, ["verify", "--db", store_url, "--anchor", head, "--deep"])
    assert result.exit_code == 0 and f"anchor found at position {length}" in result.output
    result = runner.invoke(cli, ["verify", "--db", store_url, "--anchor", "ab" * 32])
    assert result.exit_code == 1 and "no event has hash" in result.output
    out = tmp_path / "events.jsonl"
    result = runner.invoke(cli, ["export", "--db", store_url, "-o", str(out)])
    assert result.exit_code == 0 and f"head {head} ({length} events)" in result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == length
    result = runner.invoke(cli, ["head", "--db", store_url])
    assert result.output.strip() == f"{head} {length}"


def test_open_store_defaults_to_hazardloop_db(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HAZARDLOOP_DB", raising=False)
    with open_store() as store:
        store.put_unit(make_unit("U1"))
    assert (tmp_path / "hazardloop.db").exists()
    monkeypatch.setenv("HAZARDLOOP_DB", f"sqlite:///{tmp_path / 'other.db'}")
    with open_store() as store:
        assert store.get_unit("U1") is None
    assert (tmp_path / "other.db").exists()


def test_cli_refuses_to_verify_a_missing_sqlite_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "absent.db"
    result = CliRunner().invoke(cli, ["verify", "--db", f"sqlite:///{missing}"])
    assert result.exit_code != 0 and "no database at" in result.output
    assert not missing.exists()


def test_events_recorded_at_one_instant_in_two_zones_keep_their_own_text(store) -> None:  # type: ignore[no-untyped-def]
    """The store reuses the ISO text of equal ``recorded_at`` values; equal instants in other zones differ."""
    register, _ = make_register("2026-01-05", store=store, units=(make_unit("U1"),))
    utc = dt.datetime(2026, 1, 5, 1, tzinfo=dt.timezone.utc)
    beijing = utc.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert utc == beijing and utc.isoformat() != beijing.isoformat()
    h = register.discover(unit_code="U1", domain="hazchem", description="时区", on="2026-01-05",
                          source="企业自查", level="一般", actor=FINDER)
    ev = register.history(h.hazard_id)[0]
    evs = [attrs.evolve(ev, hazard_id=f"TZ{n}", recorded_at=when) for n, when in enumerate((utc, beijing, utc))]
    register.append_events(evs)
    assert [store.events(f"TZ{n}")[0].recorded_at.isoformat() for n in range(3)] == [
        utc.isoformat(), beijing.isoformat(), utc.isoformat()]
    assert store.verify(deep=True).ok


def test_a_new_sqlite_file_gets_16k_pages_and_an_old_one_keeps_its_own(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    new = tmp_path / "new.db"
    open_store(str(new)).close()
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("CREATE TABLE other (x)")  # a file that exists already, with 4 KiB pages
    conn.close()
    with open_store(str(old)) as store:
        register, clock = make_register("2026-01-05", store=store)
        scripted(register, clock)
        assert store.verify().ok
    sizes = {}
    for path in (new, old):
        conn = sqlite3.connect(path)
        sizes[path.name] = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.close()
    assert sizes == {"new.db": 16384, "old.db": 4096}


def _discovered_and_assigned(register) -> str:  # type: ignore[no-untyped-def]
    h = register.discover(unit_code="U1", domain="hazchem", description="读一次", on="2026-01-05",
                          source="企业自查", level="一般", actor=FINDER)
    register.assign(h.hazard_id, on="2026-01-06", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                    supervising_department="县应急管理局", deadline="2026-01-30")
    return h.hazard_id


@contextmanager
def _queries(store):  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def count(conn, cursor, statement, *rest):  # type: ignore[no-untyped-def]
        seen.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", count)


def test_ids_stored_hazards_already_carry_are_skipped_and_fresh_ids_cost_no_query(store_url) -> None:  # type: ignore[no-untyped-def]
    memory, _ = make_register("2026-01-05", units=(make_unit("U1"),))
    held = [_discovered_and_assigned(memory) for _ in range(3)]  # H000001…H000003, as import-events brings them
    with open_store(store_url) as store:
        store.append([Append(h, 0, memory.history(h), memory.get(h)) for h in held])
        hid = store.next_hazard_id()
        assert hid == "H000004" and hid not in held
        with _queries(store) as seen:
            assert store.state(hid) is None  # handed out, not yet stored: known to hold nothing
        assert not [q for q in seen if q.lstrip().upper().startswith("SELECT")]
        register, _ = make_register("2026-01-05", store=store, units=(make_unit("U1"),))
        new = _discovered_and_assigned(register)
        assert new == "H000005" and store.state(new) == register.get(new) and store.state(new).version == 2


def test_a_batch_reads_each_stored_state_once_and_still_meets_a_concurrent_change(store_url) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_url) as store, open_store(store_url) as other:
        register, _ = make_register("2026-01-05", store=store, units=(make_unit("U1"),))
        hid = _discovered_and_assigned(register)
        rival, _ = make_register("2026-01-05", store=other)
        with pytest.raises(ConcurrencyError):
            with register.batch():
                with _queries(store) as seen:
                    assert [s.hazard_id for s in register] == [hid]
                    assert register.get(hid).version == 2 and hid in register
                    register.start_rectification(hid, on="2026-01-07", actor=RESPONSIBLE, measures="先读后写")
                    assert register.get(hid).version == 3  # the batch's own state
                selects = [q for q in seen if q.lstrip().upper().startswith("SELECT")]
                assert len(selects) == 1  # the iteration; get, contains and start read nothing more
                rival.start_rectification(hid, on="2026-01-07", actor=RESPONSIBLE, measures="抢先")
        # the batch stored nothing; the rival's change stands
        assert [e.payload.measures for e in store.events(hid)[2:]] == ["抢先"]
        assert register.get(hid).version == 3


def test_importing_a_ledger_again_costs_a_few_queries_not_one_per_row(store_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ledger_support import write_xlsx

    from hazardloop.ledger import ImportOptions, export_ledger, import_files

    header = ["隐患描述", "被检查单位", "所属乡镇", "排查日期", "隐患等级", "整改期限", "隐患状态"]
    rows = [header] + [[f"隐患{i}", "甲公司", "城关镇", "2026-01-02", "一般", 10 + i, "整改中"] for i in range(60)]
    ledger = write_xlsx(tmp_path / "l.xlsx", rows)
    with open_store(store_url) as store:
        register, _ = make_register("2026-01-05", store=store)
        assert import_files(register, [ledger], ImportOptions()).imported == 60
        exported = tmp_path / "e.xlsx"
        export_ledger(register, exported, as_of="2026-01-05")  # with its 办理过程 column
        with _queries(store) as seen:
            again = import_files(register, [ledger], ImportOptions())
            exported_again = import_files(register, [exported], ImportOptions())
        assert again.duplicates == exported_again.duplicates == 60
        selects = [q for q in seen if q.lstrip().upper().startswith("SELECT")]
        # units, the states, and (for the exported ledger) its hazards' events: per import, not per row
        assert len(selects) <= 6, selects
        with _queries(store) as seen:
            export_ledger(register, tmp_path / "e2.xlsx", as_of="2026-01-05")
        selects = [q for q in seen if q.lstrip().upper().startswith("SELECT")]
        assert len(selects) <= 6, selects  # the export reads the histories in bulk too
        ids = [s.hazard_id for s in register][:3] + ["H999999"]
        assert register.histories(ids) == {h: register.history(h) for h in ids[:3]}
        memory, _ = make_register("2026-01-05")
        import_files(memory, [ledger], ImportOptions())
        assert memory.histories(ids) == {h: memory.history(h) for h in ids[:3]} == register.histories(ids)


def test_escalations_read_the_register_in_bulk_and_match_the_memory_register(store_url) -> None:  # type: ignore[no-untyped-def]
    def overdue_register(store=None):  # type: ignore[no-untyped-def]
        register, _ = make_register("2026-01-05", store=store, units=(make_unit("U1"),))
        for i in range(25):
            h = register.discover(unit_code="U1", domain="hazchem", description=f"逾期{i}", on="2026-01-05",
                                  source="企业自查", level="一般", actor=FINDER)
            register.assign(h.hazard_id, on="2026-01-06", actor=ASSIGNER, responsible_person=RESPONSIBLE,
                            supervising_department="县应急管理局", deadline=f"2026-01-{10 + i % 10}")
        return register

    memory = overdue_register()
    expected = [(e.hazard_id, e.payload.tier, e.occurred_on) for e in memory.escalations("2026-01-01", "2026-03-31")]
    assert expected  # every default tier of every hazard, within the window
    with open_store(store_url) as store:
        register = overdue_register(store)
        with _queries(store) as seen:
            with register.batch():
                got = [(e.hazard_id, e.payload.tier, e.occurred_on) for e in register.escalations("2026-01-01", "2026-03-31")]
        assert got == expected
        selects = [q for q in seen if q.lstrip().upper().startswith("SELECT")]
        assert len(selects) <= 6, selects  # the states, the histories, the append's checks: not per hazard
        assert register.escalations("2026-01-01", "2026-03-31") == []  # recorded once
