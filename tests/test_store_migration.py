"""Databases written by schema versions 1, 2 and 3 are upgraded in place and keep every event (both backends)."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from hazardloop.errors import ConfigError
from hazardloop.serialize import canonical, event_to_dict, state_to_dict, unit_to_dict
from hazardloop.sqlschema import SCHEMA_VERSION
from hazardloop.sqlstore import normalise_url, open_store
from hazardloop.store import MemoryStore
from hazardloop.testing import FINDER, make_register

from store_scenarios import scripted

# The DDL release 0.1 ran (schema version 1), written out here as the old release wrote it,
# independent of hazardloop.sqlschema, so that a change to the migrations cannot change the fixture.
V1_DDL = (
    "CREATE TABLE hl_meta (key VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE hl_events (gseq BIGINT PRIMARY KEY, hazard_id VARCHAR(64) NOT NULL, seq INTEGER NOT NULL, "
    "kind VARCHAR(16) NOT NULL, occurred_on VARCHAR(10) NOT NULL, recorded_at VARCHAR(40) NOT NULL, "
    "body TEXT NOT NULL, CONSTRAINT hl_events_hazard_seq UNIQUE (hazard_id, seq))",
    "CREATE TABLE hl_hazards (hazard_id VARCHAR(64) PRIMARY KEY, first_gseq BIGINT NOT NULL, "
    "version INTEGER NOT NULL, last_event_on VARCHAR(10) NOT NULL, state TEXT NOT NULL, stage TEXT, "
    "unit_code TEXT, town TEXT, domain TEXT, level TEXT, found_on TEXT, effective_deadline TEXT)",
    "CREATE TABLE hl_units (code VARCHAR(64) PRIMARY KEY, body TEXT NOT NULL)",
    "CREATE TABLE hl_counters (name VARCHAR(64) PRIMARY KEY, value BIGINT NOT NULL)",
)


class _Recording(MemoryStore):
    """A memory store that also remembers the order events were appended in (the v1 gseq)."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list = []

    def append(self, batch):  # type: ignore[no-untyped-def]
        super().append(batch)
        for item in batch:
            self.order.extend(item.events)


def _write_v1(url: str):  # type: ignore[no-untyped-def]
    """Fill an empty database the way release 0.1 did; return the in-memory register it mirrors."""
    memory_store = _Recording()
    register, clock = make_register("2026-01-05", store=memory_store)
    scripted(register, clock)
    engine = sa.create_engine(normalise_url(url))
    with engine.begin() as conn:
        for ddl in V1_DDL:
            conn.exec_driver_sql(ddl)
        conn.execute(sa.text("INSERT INTO hl_meta VALUES ('schema_version', '1')"))
        first: dict[str, int] = {}
        for gseq, e in enumerate(memory_store.order, start=1):
            first.setdefault(e.hazard_id, gseq)
            conn.execute(
                sa.text("INSERT INTO hl_events VALUES (:g, :h, :s, :k, :o, :r, :b)"),
                {"g": gseq, "h": e.hazard_id, "s": e.seq, "k": e.kind.value, "o": e.occurred_on.isoformat(),
                 "r": e.recorded_at.isoformat(), "b": canonical(event_to_dict(e))},
            )
        for state in memory_store.states():
            conn.execute(
                sa.text("INSERT INTO hl_hazards VALUES (:h, :f, :v, :l, :st, :stage, :u, :t, :d, :lv, :fo, :ed)"),
                {"h": state.hazard_id, "f": first[state.hazard_id], "v": state.version,
                 "l": state.last_event_on.isoformat(), "st": canonical(state_to_dict(state)),
                 "stage": state.stage.value, "u": state.unit_code, "t": state.town, "d": state.domain,
                 "lv": state.level.value, "fo": state.found_on.isoformat(),
                 "ed": None if state.effective_deadline is None else state.effective_deadline.isoformat()},
            )
        for unit in memory_store.units():
            conn.execute(sa.text("INSERT INTO hl_units VALUES (:c, :b)"), {"c": unit.code, "b": canonical(unit_to_dict(unit))})
        conn.execute(sa.text("INSERT INTO hl_counters VALUES ('hazard_id:H', :n)"), {"n": memory_store.count()})
    engine.dispose()
    return register


def test_a_version_1_database_is_upgraded_in_place(store_url) -> None:  # type: ignore[no-untyped-def]
    memory = _write_v1(store_url)
    with open_store(store_url) as store:
        assert store.schema_version() == SCHEMA_VERSION == 5
        report = store.verify(deep=True)
        assert report.ok, report.problems
        assert report.length == store.event_count() == len(memory.store.order)  # type: ignore[attr-defined]
        assert store.hazard_ids() == list(memory.store.hazard_ids())
        assert list(store.states()) == list(memory.store.states())
        for hid in store.hazard_ids():
            assert tuple(store.events(hid)) == memory.history(hid)
        assert store.units() == memory.units()
        for day in ("2026-01-06", "2026-01-12", "2026-03-01"):
            pd.testing.assert_frame_equal(store.frame_as_of(day), memory.frame(day))
        # the upgraded store takes new events, continues the ids and the chain
        register, _ = make_register("2026-03-02", store=store)
        h = register.discover(unit_code="U1", domain="hazchem", description="升级后", on="2026-03-02",
                              source="企业自查", level="一般", actor=FINDER)
        assert h.hazard_id == f"H{memory.store.count() + 1:06d}"
        assert store.verify().ok and store.verify().length == report.length + 1
    with open_store(store_url) as again:  # opening an upgraded store migrates nothing twice
        assert again.schema_version() == SCHEMA_VERSION and again.verify().ok


def _event_indexes(url: str) -> set[str]:
    engine = sa.create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return {ix["name"] for ix in sa.inspect(conn).get_indexes("hl_events")}
    finally:
        engine.dispose()


def test_a_version_2_database_is_upgraded_in_place(store_url) -> None:  # type: ignore[no-untyped-def]
    """Version 2 is version 3 plus an index on ``hl_events.occurred_on``: a store filled today and
    given that index and version 2 back (as the v2 release left it) upgrades in place."""
    with open_store(store_url) as store:
        register, clock = make_register("2026-01-05", store=store)
        scripted(register, clock)
    engine = sa.create_engine(normalise_url(store_url))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE INDEX hl_events_occurred_on ON hl_events (occurred_on)")
        conn.exec_driver_sql("UPDATE hl_meta SET value = '2' WHERE key = 'schema_version'")
    engine.dispose()
    assert "hl_events_occurred_on" in _event_indexes(store_url)
    with open_store(store_url) as store:
        assert store.schema_version() == SCHEMA_VERSION == 5
        assert "hl_events_occurred_on" not in _event_indexes(store_url)
        report = store.verify(deep=True)
        assert report.ok, report.problems
        reference, ref_clock = make_register("2026-01-05")
        scripted(reference, ref_clock)
        assert list(store.states()) == list(reference.store.states())
        for hid in store.hazard_ids():
            assert tuple(store.events(hid)) == reference.history(hid)
        until = reference.store.state(store.hazard_ids()[0]).found_on  # type: ignore[union-attr]
        assert list(store.all_events(until=until)) == [
            e for e in store.all_events() if e.occurred_on <= until
        ]
        for day in ("2026-01-06", "2026-01-12", "2026-03-01"):
            pd.testing.assert_frame_equal(store.frame_as_of(day), reference.frame(day))
        register, _ = make_register("2026-03-02", store=store)
        register.discover(unit_code="U1", domain="hazchem", description="升级后", on="2026-03-02",
                          source="企业自查", level="一般", actor=FINDER)
        assert store.verify().ok and store.verify().length == report.length + 1
    with open_store(store_url) as again:
        assert again.schema_version() == SCHEMA_VERSION and again.verify().ok


def test_a_database_from_a_newer_release_is_refused(store_url) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_url):
        pass
    engine = sa.create_engine(normalise_url(store_url))
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE hl_meta SET value = '99' WHERE key = 'schema_version'")
    engine.dispose()
    with pytest.raises(ConfigError, match="schema version 99"):
        open_store(store_url)


# hl_events as the v3 release created it on SQLite: gseq BIGINT, so not the rowid, with its own index
V3_SQLITE_EVENTS = (
    "CREATE TABLE hl_events (gseq BIGINT NOT NULL, hazard_id VARCHAR(64) NOT NULL, seq INTEGER NOT NULL, "
    "kind VARCHAR(16) NOT NULL, occurred_on VARCHAR(10) NOT NULL, recorded_at VARCHAR(40) NOT NULL, "
    "body TEXT NOT NULL, prev_hash VARCHAR(64), hash VARCHAR(64), deadline VARCHAR(10), provisional SMALLINT, "
    "actor TEXT, origin SMALLINT, PRIMARY KEY (gseq), CONSTRAINT hl_events_hazard_seq UNIQUE (hazard_id, seq))"
)


def _sqlite_event_indexes(url: str) -> list[tuple]:
    engine = sa.create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql("PRAGMA index_list(hl_events)")]
    finally:
        engine.dispose()


def test_a_version_3_database_is_upgraded_in_place(store_url) -> None:  # type: ignore[no-untyped-def]
    """On SQLite, v3 kept ``gseq`` beside a hidden rowid, with an index of its own; v4 rebuilds the
    table with ``gseq`` as the rowid. A store filled today and put back into the v3 shape upgrades
    in place, its chain, events, states and as-of frames intact (on PostgreSQL the step changes nothing)."""
    with open_store(store_url) as store:
        register, clock = make_register("2026-01-05", store=store)
        scripted(register, clock)
        events_before = list(store.chain_rows())
    sqlite = store_url.startswith("sqlite")
    engine = sa.create_engine(normalise_url(store_url))
    with engine.begin() as conn:
        if sqlite:
            conn.exec_driver_sql("ALTER TABLE hl_events RENAME TO hl_events_old")
            conn.exec_driver_sql(V3_SQLITE_EVENTS)
            conn.exec_driver_sql("INSERT INTO hl_events SELECT * FROM hl_events_old")
            conn.exec_driver_sql("DROP TABLE hl_events_old")
        conn.exec_driver_sql("UPDATE hl_meta SET value = '3' WHERE key = 'schema_version'")
    engine.dispose()
    if sqlite:  # the v3 shape: an index for the primary key as well as the unique (hazard_id, seq)
        assert sorted(ix[3] for ix in _sqlite_event_indexes(store_url)) == ["pk", "u"]
    with open_store(store_url) as store:
        assert store.schema_version() == SCHEMA_VERSION == 5
        if sqlite:
            assert [ix[3] for ix in _sqlite_event_indexes(store_url)] == ["u"]  # gseq is the rowid now
        report = store.verify(deep=True)
        assert report.ok, report.problems
        assert list(store.chain_rows()) == events_before
        reference, ref_clock = make_register("2026-01-05")
        scripted(reference, ref_clock)
        assert list(store.states()) == list(reference.store.states())
        for day in ("2026-01-06", "2026-03-01"):
            pd.testing.assert_frame_equal(store.frame_as_of(day), reference.frame(day))
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):  # the triggers came back
            with store.engine.begin() as conn:
                conn.exec_driver_sql("DELETE FROM hl_events")
        register, _ = make_register("2026-03-02", store=store)
        register.discover(unit_code="U1", domain="hazchem", description="升级后", on="2026-03-02",
                          source="企业自查", level="一般", actor=FINDER)
        assert store.verify().ok and store.verify().length == report.length + 1


def test_a_version_4_database_reads_its_whole_states_and_writes_slim_ones(store_url) -> None:  # type: ignore[no-untyped-def]
    """v4 kept the whole state in each projection row's JSON; v5 leaves out what the cells hold.
    A store put back into the v4 form (whole states) upgrades without a rewrite, reads the same,
    and the rows written after the upgrade are slim and read the same too."""
    import json

    from hazardloop.serialize import state_json
    from hazardloop.sqlrows import STATE_CELLS

    with open_store(store_url) as store:
        register, clock = make_register("2026-01-05", store=store)
        scripted(register, clock)
        states = {s.hazard_id: s for s in store.states()}
    engine = sa.create_engine(normalise_url(store_url))
    with engine.begin() as conn:
        slim = conn.exec_driver_sql("SELECT state FROM hl_hazards").scalars().all()
        assert slim and all(not set(json.loads(t)) & set(STATE_CELLS) for t in slim)
        for hid, state in states.items():  # the v4 form
            conn.execute(sa.text("UPDATE hl_hazards SET state = :s WHERE hazard_id = :h"),
                         {"s": state_json(state), "h": hid})
        conn.exec_driver_sql("UPDATE hl_meta SET value = '4' WHERE key = 'schema_version'")
    with open_store(store_url) as store:
        assert store.schema_version() == SCHEMA_VERSION == 5
        assert {s.hazard_id: s for s in store.states()} == states
        assert all(store.state(hid) == state for hid, state in states.items())
        reference, ref_clock = make_register("2026-01-05")
        scripted(reference, ref_clock)
        for day in ("2026-01-06", "2026-01-20"):  # the as-of replay reads unchanged rows from the projection
            assert list(store.states_as_of(day)) == list(reference.states_as_of(day))
        register, _ = make_register("2026-03-02", store=store)
        new = register.discover(unit_code="U1", domain="hazchem", description="升级后", on="2026-03-02",
                                source="企业自查", level="一般", actor=FINDER)
        assert store.state(new.hazard_id) == new
        assert store.verify(deep=True).ok
    with engine.connect() as conn:
        whole = conn.execute(sa.text("SELECT state FROM hl_hazards WHERE hazard_id != :h"), {"h": new.hazard_id}).scalars()
        assert all("description" in json.loads(t) for t in whole)  # untouched: no rewrite
        text = conn.execute(sa.text("SELECT state FROM hl_hazards WHERE hazard_id = :h"), {"h": new.hazard_id}).scalar()
        assert "description" not in json.loads(text) and json.loads(text)["hazard_id"] == new.hazard_id
    engine.dispose()
