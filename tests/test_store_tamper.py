"""verify catches edits, deletions and reorderings made directly in the database (both backends)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from hazardloop.cli import cli
from hazardloop.serialize import canonical
from hazardloop.sqlschema import GENESIS, chain_hash
from hazardloop.sqlstore import normalise_url, open_store
from hazardloop.testing import FINDER, make_register

from store_scenarios import scripted


@pytest.fixture
def filled(store_url):  # type: ignore[no-untyped-def]
    """A store holding the scripted history; returns its URL and the id of the event at position 5."""
    with open_store(store_url) as store:
        register, clock = make_register("2026-01-05", store=store)
        scripted(register, clock)
        assert store.verify().ok
    return store_url, _event_id(store_url, 5)


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(normalise_url(url))


def _event_id(url: str, gseq: int) -> str:
    with _engine(url).connect() as conn:
        hid, seq = conn.execute(sa.text("SELECT hazard_id, seq FROM hl_events WHERE gseq = :g"), {"g": gseq}).one()
    return f"{hid}#{seq}"


def _tamper(url: str, *statements: str, params: dict | None = None) -> None:
    """Run SQL as an intruder would: with the append-only triggers switched off first."""
    engine = _engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS hl_events_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS hl_events_no_delete")
        else:
            conn.exec_driver_sql("ALTER TABLE hl_events DISABLE TRIGGER USER")
        for statement in statements:
            conn.execute(sa.text(statement), params or {})
    engine.dispose()


def _verify(url: str, anchor: str | None = None, deep: bool = False):  # type: ignore[no-untyped-def]
    with open_store(url) as store:
        return store.verify(anchor=anchor, deep=deep)


def test_the_database_refuses_update_and_delete_of_events(filled) -> None:  # type: ignore[no-untyped-def]
    url, _ = filled
    engine = _engine(url)
    for statement in ("UPDATE hl_events SET kind = 'x' WHERE gseq = 1", "DELETE FROM hl_events WHERE gseq = 1"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.exec_driver_sql(statement)
    engine.dispose()
    assert _verify(url).ok


def test_an_edited_body_is_named(filled) -> None:  # type: ignore[no-untyped-def]
    url, eid = filled
    _tamper(url, "UPDATE hl_events SET body = REPLACE(body, '\"comment\":\"\"', '\"comment\":\"x\"') WHERE gseq = 5")
    report = _verify(url)
    assert not report.ok
    assert report.first_broken == f"event {eid} (position 5)"
    assert "does not match its content" in report.problems[0]


def test_an_edit_with_its_hash_recomputed_breaks_the_next_link(filled) -> None:  # type: ignore[no-untyped-def]
    url, _ = filled
    engine = _engine(url)
    with engine.connect() as conn:
        prev, body = conn.execute(sa.text("SELECT prev_hash, body FROM hl_events WHERE gseq = 5")).one()
    engine.dispose()
    event = json.loads(body)
    event["comment"] = "改写"
    new_body = canonical(event)
    _tamper(url, "UPDATE hl_events SET body = :b, hash = :h WHERE gseq = 5",
            params={"b": new_body, "h": chain_hash(prev, new_body)})
    report = _verify(url)
    assert not report.ok
    assert report.first_broken == f"event {_event_id(url, 6)} (position 6)"
    assert "prev_hash" in report.problems[0]


def test_an_edited_column_is_caught_against_the_body(filled) -> None:  # type: ignore[no-untyped-def]
    url, eid = filled
    _tamper(url, "UPDATE hl_events SET occurred_on = '2025-12-31' WHERE gseq = 5")
    report = _verify(url)
    assert report.first_broken == f"event {eid} (position 5)"
    assert "column occurred_on" in report.problems[0]


def test_a_deleted_row_is_caught(filled) -> None:  # type: ignore[no-untyped-def]
    url, _ = filled
    after = _event_id(url, 6)
    _tamper(url, "DELETE FROM hl_events WHERE gseq = 5")
    report = _verify(url)
    assert not report.ok
    assert report.first_broken == f"event {after} (position 6)"
    assert "missing" in report.problems[0]


def test_cutting_off_the_newest_events_is_caught_by_the_recorded_head(filled) -> None:  # type: ignore[no-untyped-def]
    url, _ = filled
    with open_store(url) as store:
        _, length = store.head()
    _tamper(url, f"DELETE FROM hl_events WHERE gseq = {length}")
    report = _verify(url)
    assert not report.ok and "cut off" in " ".join(report.problems)


def test_reordered_rows_are_caught(filled) -> None:  # type: ignore[no-untyped-def]
    url, eid = filled
    other = _event_id(url, 8)
    _tamper(
        url,
        "UPDATE hl_events SET gseq = -5 WHERE gseq = 5",
        "UPDATE hl_events SET gseq = 5 WHERE gseq = 8",
        "UPDATE hl_events SET gseq = 8 WHERE gseq = -5",
    )
    report = _verify(url)
    assert not report.ok
    assert report.first_broken == f"event {other} (position 5)"


def test_a_rebuilt_chain_passes_alone_but_not_against_an_anchor(filled) -> None:  # type: ignore[no-untyped-def]
    url, _ = filled
    with open_store(url) as store:
        anchor, _ = store.head()
    # the intruder rewrites an early event and recomputes every hash after it, and the recorded head
    engine = _engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT gseq, body FROM hl_events ORDER BY gseq")).all()
    engine.dispose()
    head, statements, params = GENESIS, [], {}
    for gseq, body in rows:
        if gseq == 2:
            event = json.loads(body)
            event["comment"] = "改写"
            body = canonical(event)
        new = chain_hash(head, body)
        statements.append(f"UPDATE hl_events SET body = :b{gseq}, prev_hash = :p{gseq}, hash = :h{gseq} WHERE gseq = {gseq}")
        params.update({f"b{gseq}": body, f"p{gseq}": head, f"h{gseq}": new})
        head = new
    statements.append(f"UPDATE hl_chain SET head = '{head}'")
    _tamper(url, *statements, params=params)
    assert _verify(url).ok  # a chain alone cannot tell
    report = _verify(url, anchor=anchor)
    assert not report.ok and "no event has hash" in report.problems[0]


def test_a_tampered_projection_is_caught(filled) -> None:  # type: ignore[no-untyped-def]
    url, _ = filled
    _tamper(url, "UPDATE hl_hazards SET version = version + 1 WHERE hazard_id = 'H000002'")
    report = _verify(url)
    assert not report.ok and "H000002" in report.problems[0]


@pytest.mark.parametrize("where", [
    # a cell the state is read from
    "description = '已整改'",
    # the state JSON beside the cells: who found it
    "state = REPLACE(state, '赵排查', '无名氏')",
])
def test_a_rewritten_state_is_caught_by_a_deep_check(filled, where) -> None:  # type: ignore[no-untyped-def]
    url, _ = filled
    with open_store(url) as store:
        before = store.state("H000002")
    _tamper(url, f"UPDATE hl_hazards SET {where} WHERE hazard_id = 'H000002'")
    with open_store(url) as store:
        assert store.state("H000002") != before  # the projection now says something else
    assert _verify(url).ok
    report = _verify(url, deep=True)
    assert not report.ok and "H000002" in report.problems[0]


def test_cli_verify_exits_non_zero_naming_the_first_broken_event(filled) -> None:  # type: ignore[no-untyped-def]
    url, eid = filled
    _tamper(url, "UPDATE hl_events SET body = REPLACE(body, '\"comment\":\"\"', '\"comment\":\"x\"') WHERE gseq = 5")
    result = CliRunner().invoke(cli, ["verify", "--db", url])
    assert result.exit_code == 1
    assert f"first broken: event {eid} (position 5)" in result.output


def test_an_anchor_log_catches_a_cut_that_also_rewrote_the_recorded_head(filled, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Heads recorded with ``head --record`` over time: all hold while the store is intact; once
    the newest events are cut off and the recorded head is set back to match (so that the chain
    alone verifies), the later anchor is reported missing and the earlier one still holds."""
    url, _ = filled
    log = tmp_path / "anchors.txt"
    runner = CliRunner()
    assert runner.invoke(cli, ["head", "--db", url, "--record", str(log)]).exit_code == 0
    with open_store(url) as store:
        first_head, first_length = store.head()
        register, _ = make_register("2026-03-01", store=store)
        unit = register.units()[0].code
        for i in range(3):  # more history after the first anchor: new hazards
            register.discover(unit_code=unit, domain="hazchem", description=f"新隐患{i}", on="2026-03-01",
                              source="企业自查", level="一般", actor=FINDER)
        second_head, second_length = store.head()
    assert second_length > first_length
    assert runner.invoke(cli, ["head", "--db", url, "--record", str(log)]).exit_code == 0
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[1:] for line in lines] == [[first_head, str(first_length)], [second_head, str(second_length)]]

    ok = runner.invoke(cli, ["verify", "--db", url, "--anchors", str(log), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["anchors_held"] == 2

    _tamper(url, f"DELETE FROM hl_events WHERE gseq > {first_length}",
            f"UPDATE hl_chain SET head = '{first_head}', length = {first_length}")
    with open_store(url) as store:
        hazards = [hid for hid in store.hazard_ids() if store.events(hid) == ()]
    _tamper(url, *(f"DELETE FROM hl_hazards WHERE hazard_id = '{hid}'" for hid in hazards))
    assert _verify(url).ok  # the chain and its recorded head agree again: alone, verify cannot tell
    broken = runner.invoke(cli, ["verify", "--db", url, "--anchors", str(log), "--json"])
    assert broken.exit_code == 1
    report = json.loads(broken.output)
    assert report["anchors_held"] == 1
    assert report["problems"][0].startswith(f"anchor 2: no event has hash {second_head} (recorded at {second_length} events)")


def test_an_anchor_log_is_read_strictly_and_checks_positions(filled, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hazardloop.sqlverify import read_anchor_log

    url, _ = filled
    with open_store(url) as store:
        head, length = store.head()
    text = f"# kept on the county's file server\n\n2026-01-05T09:00:00+08:00 {head.upper()} {length} 月报\n{head}\n"
    assert read_anchor_log(text) == ((head, length), (head, None))
    with pytest.raises(ValueError, match=r"log.txt:2: expected one head hash"):
        read_anchor_log(f"{head} 1\nnot a hash\n", "log.txt")
    # a head recorded at the wrong position is refused although the hash is in the chain
    with open_store(url) as store:
        report = store.verify(anchors=[(head, length + 1)])
    assert not report.ok and f"recorded at {length + 1} events but is at position {length}" in report.problems[0]
    bad = tmp_path / "bad.txt"
    bad.write_text("2026-01-05 no hash here\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["verify", "--db", url, "--anchors", str(bad)])
    assert result.exit_code != 0 and "bad.txt:1" in result.output
