"""Benchmark of the durable store: events appended per second and as-of replay. Prints figures only.

    python bench/bench_store.py [--hazards 100000] [--batch 1000] [--repeat 3] [--pg URL]

1. **append** — a generated register of ``--hazards`` hazards with 5 events each (发现, 交办, 整改,
   提交验收, 验收通过), appended through ``SqlStore.append`` in batches of ``--batch`` hazards: one
   transaction per batch, durable (SQLite: WAL with ``synchronous=FULL``; PostgreSQL: default
   fsync), every event serialised to canonical JSON and hash-chained, the projection written too.
   The events and their states are built before the clock starts (that is the register's work,
   not the store's).
2. **baseline** — a plain ``sqlite3.executemany`` of the very rows the store wrote to
   ``hl_events`` (read back from it), into a table created from the store's own DDL for
   ``hl_events`` (same keys, constraints and indexes, whatever the schema version), same pragmas
   (page size, WAL, ``synchronous=FULL``), same batches.
   The store and the baseline take turns ``--repeat`` times, each into a fresh file; every
   pair's ratio is printed, then the median ratio and the ratio of the best rates. The
   machine's speed drifts by ±10% within a minute, so one pair alone says little.
3. **as of** — the register as it stood on a date in the middle of its history: the column-wise
   replay (``SqlStore.frame_as_of``) and, for comparison, the object replay (``states_as_of``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
import tempfile
import time

from hazardloop.lifecycle import apply
from hazardloop.records import (
    Actor, Assignment, Discovery, Event, EventKind, Inspection, Rectification, Submission,
)
from hazardloop.sqlstore import EVENT_COLUMNS, open_store
from hazardloop.store import Append

K = EventKind
FINDER = Actor("finder-1", "赵排查", "属地乡镇")
RESP = Actor("resp-1", "孙整改", "责任企业")
INSP = Actor("insp-1", "李督查", "县应急管理局")
TOWNS = ("城关镇", "新城街道", "东山乡", "西湖镇")


def generate(n: int) -> list[Append]:
    """``n`` hazards, 5 events each, found over 18 months; each hazard one Append (as an import does)."""
    out = []
    base = dt.date(2025, 1, 1)
    at = dt.datetime(2026, 7, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    for i in range(n):
        hid = f"B{i:07d}"
        found = base + dt.timedelta(days=i % 540)
        days = [found + dt.timedelta(days=d) for d in (0, 2, 5, 20 + i % 30, 25 + i % 30 + i % 11)]
        payloads = [
            (K.DISCOVER, FINDER, Discovery(unit_code=f"U{i % 5000:05d}", town=TOWNS[i % 4], domain="hazchem",
                                           description=f"隐患描述{i}", source="属地排查", level="一般",
                                           location="车间", hazard_code=f"HC{i}")),
            (K.ASSIGN, FINDER, Assignment(responsible_unit=f"U{i % 5000:05d}", responsible_person=RESP,
                                          supervising_department="县应急管理局", listing_level="未挂牌",
                                          deadline=days[1] + dt.timedelta(days=30), rule="交办人设定")),
            (K.START, RESP, Rectification(measures="整改措施", funds=1000.0)),
            (K.SUBMIT, RESP, Submission(report="已整改")),
            (K.INSPECT_PASS, INSP, Inspection(comments="合格")),
        ]
        state = None
        events = []
        for seq, ((kind, actor, payload), day) in enumerate(zip(payloads, days), start=1):
            e = Event(hid, seq, kind, day, at, actor, payload)
            state = apply(state, e)
            events.append(e)
        out.append(Append(hid, 0, tuple(events), state))
    return out


def bench_append(url: str, appends: list[Append], batch: int) -> tuple[float, int]:
    store = open_store(url)
    n_events = sum(len(a.events) for a in appends)
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, len(appends), batch):
        store.append(appends[i : i + batch])
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert store.event_count() == n_events
    store.close()
    print(f"  (this process's CPU time: {cpu:6.2f} s = {n_events / cpu:9,.0f} events per CPU-second)")
    return elapsed, n_events


def bench_baseline(db_path: str, batch_events: int) -> tuple[float, int]:
    src = sqlite3.connect(db_path)
    rows = src.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM hl_events ORDER BY gseq").fetchall()
    # the table exactly as the store created it (its keys, constraints and indexes), under another name
    ddl = [sql.replace("hl_events", "ev") for (sql,) in src.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'hl_events' AND type IN ('table', 'index') "
        "AND sql IS NOT NULL ORDER BY type = 'index'"
    )]
    page_size = src.execute("PRAGMA page_size").fetchone()[0]
    src.close()
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(os.path.join(tmp, "plain.db"), isolation_level=None)
        conn.execute(f"PRAGMA page_size = {int(page_size)}")  # the store's page size (16 KiB for a new file)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        for statement in ddl:
            conn.execute(statement)
        insert = f"INSERT INTO ev ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(0, len(rows), batch_events):
            conn.execute("BEGIN")
            conn.executemany(insert, rows[i : i + batch_events])
            conn.execute("COMMIT")
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        conn.close()
    print(f"  (this process's CPU time: {cpu:6.2f} s = {len(rows) / cpu:9,.0f} rows per CPU-second)")
    return elapsed, len(rows)


def bench_as_of(url: str, day: dt.date) -> None:
    store = open_store(url)
    t0, c0 = time.perf_counter(), time.process_time()
    frame = store.frame_as_of(day)
    t1, c1 = time.perf_counter(), time.process_time()
    print(f"  as-of {day} column-wise replay (frame_as_of): {t1 - t0:6.2f} s  (CPU {c1 - c0:5.2f} s; "
          f"{len(frame)} hazards, {int((frame['stage'] != '督查').sum())} not yet in 督查)")
    t0 = time.perf_counter()
    n = sum(1 for _ in store.states_as_of(day))
    t1 = time.perf_counter()
    print(f"  as-of {day} object replay (states_as_of):     {t1 - t0:6.2f} s  ({n} states)")
    store.close()


def fresh_pg_schema(base: str):  # type: ignore[no-untyped-def]
    """A fresh schema of the PostgreSQL database at ``base`` (every connection's search path), and its dropper."""
    import uuid
    from urllib.parse import quote

    import psycopg

    plain = base.replace("postgresql+psycopg://", "postgresql://")
    schema = f"hl_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}", drop


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hazards", type=int, default=100_000)
    p.add_argument("--batch", type=int, default=1000, help="hazards per batch (5 events each)")
    p.add_argument("--pg", default=os.environ.get("HAZARDLOOP_TEST_PG_URL"), help="PostgreSQL URL (a fresh database)")
    p.add_argument("--as-of", default="2025-09-30")
    p.add_argument("--repeat", type=int, default=3, help="store/baseline pairs, taking turns")
    args = p.parse_args(argv)

    print(f"generating {args.hazards} hazards × 5 events … (load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs)", flush=True)
    appends = generate(args.hazards)
    with tempfile.TemporaryDirectory() as tmp:
        # the store and its baseline take turns, --repeat times, each into a fresh file: the
        # machine's speed drifts by ±10% over a minute, and a ratio of one pair would carry that
        pairs = []
        for r in range(args.repeat):
            path = os.path.join(tmp, f"bench{r}.db")
            url = f"sqlite:///{path}"
            secs, n = bench_append(url, appends, args.batch)
            print(f"SQLite  SqlStore.append  : {n} events in {secs:6.2f} s = {n / secs:9,.0f} events/s "
                  f"(batches of {args.batch * 5} events, durable, hashed, projection included)")
            bsecs, bn = bench_baseline(path, args.batch * 5)
            print(f"SQLite  plain executemany: {bn} rows   in {bsecs:6.2f} s = {bn / bsecs:9,.0f} rows/s   "
                  f"(same rows, same pragmas and batches)")
            print(f"        ratio store/plain: {(n / secs) / (bn / bsecs):.3f}×", flush=True)
            pairs.append((n / secs, bn / bsecs))
        store_rate, base_rate = max(s for s, _ in pairs), max(b for _, b in pairs)
        ratios = sorted(s / b for s, b in pairs)
        print(f"best of {args.repeat}: store {store_rate:,.0f} events/s, plain {base_rate:,.0f} rows/s, "
              f"ratio of the bests {store_rate / base_rate:.3f}×; ratio per pair "
              f"{', '.join(f'{x:.3f}' for x in ratios)} (median {ratios[len(ratios) // 2]:.3f}×)")
        bench_as_of(url, dt.date.fromisoformat(args.as_of))
    if args.pg:
        pg_url, drop = fresh_pg_schema(args.pg)
        try:
            secs, n = bench_append(pg_url, appends, args.batch)
            print(f"Postgres SqlStore.append : {n} events in {secs:6.2f} s = {n / secs:9,.0f} events/s "
                  f"({n / secs / base_rate:.2f}× the SQLite plain executemany above)")
            bench_as_of(pg_url, dt.date.fromisoformat(args.as_of))
        finally:
            drop()
    else:
        print("PostgreSQL: skipped (pass --pg URL or set HAZARDLOOP_TEST_PG_URL)", file=sys.stderr)


if __name__ == "__main__":
    main()
