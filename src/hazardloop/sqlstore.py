"""The durable register: an event store on SQLite (default) or PostgreSQL, through SQLAlchemy 2 Core.

:func:`open_store` takes a URL (``sqlite:///hazardloop.db``, ``postgresql://user@host/db``, or a
bare file path) and returns a :class:`SqlStore`, which implements
:class:`hazardloop.store.EventStore`: opening a register on a URL is all a host changes::

    register = Register(clock=SystemClock(), store=open_store("sqlite:///county.db"))

Design
------
- **Append-only events** (``hl_events``): the canonical JSON of each event (its *body*), a few
  columns extracted for queries, and its place in the hash chain. Triggers refuse UPDATE and
  DELETE; the chain proves it when they were bypassed.
- **One hash chain per register**, not per hazard: event *n* carries
  ``hash = sha256(prev_hash + "\\n" + body)`` where ``prev_hash`` is the hash of event *n − 1*
  of the whole register (``gseq`` order). A per-hazard chain cannot show that a whole hazard was
  deleted, nor that the newest events of some hazard were cut off, unless every hazard's head
  were anchored; one register-wide chain has one head, which bulletins and exports print and
  ``verify --anchor`` checks. The price is that writers serialise on the chain head — which
  SQLite does anyway, and which on PostgreSQL is one short row lock per batch.
- **Optimistic concurrency** on each hazard's version (its last ``seq``), checked under the
  chain-head lock, so a conflicting writer gets :class:`~hazardloop.errors.ConcurrencyError`
  and nothing of its batch is stored.
- **Idempotent batches**: an item whose events are already stored byte for byte (a retry after
  a crash or a lost commit acknowledgement) is skipped, not refused and not duplicated.
- **Projection** (``hl_hazards``): each hazard's frame columns, and its state as JSON less what
  those columns give back exactly (:data:`hazardloop.sqlrows.STATE_CELLS`; since schema v5).
- **Bulk appends on SQLite** checkpoint the write-ahead log in a helper thread while the batch
  is serialised, so the commit does not (see :class:`_WalCheckpointer`).
- **Anchors**: ``hazardloop head --record FILE`` keeps an anchor log away from the database;
  ``verify --anchors FILE`` proves every head in it is still in the chain, at its position.
- **Bulk rows on PostgreSQL** go in with ``COPY … FROM STDIN`` (≈1.65× the events per second of
  psycopg's batched INSERT on a 100,000-event import), in the same transaction and under the
  same lock, so nothing else about an append changes.
- **Configuration** (``hl_config``): limit tables, escalation tiers, calendar overrides and free
  settings (colour bands, index weights), append-only and versioned by effective date.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine

from hazardloop import sqlschema as S
from hazardloop.calendar import ChinaCalendar, YearTable
from hazardloop.deadlines import DeadlineConfig, EscalationTier, LimitTable
from hazardloop.errors import ConcurrencyError
from hazardloop.lifecycle import HazardState
from hazardloop.records import Event, Unit, to_date
from hazardloop.riskmethods import Band, Bands
from hazardloop.serialize import (
    actor_texts,
    canonical,
    event_from_dict,
    event_body,
    iso_date,
    limit_table_from_dict,
    limit_table_to_dict,
    tier_from_dict,
    tier_to_dict,
    unit_from_dict,
    unit_to_dict,
)
from hazardloop.sqlrows import STATE_CELLS, deadline_columns, projection_cells, projection_json, state_from_projection
from hazardloop.store import Append

__all__ = [
    "SqlStore",
    "open_store",
    "normalise_url",
    "register_on",
    "chain_head_of",
    "EVENT_COLUMNS",
    "ConfigRecord",
    "limit_table_record",
    "tiers_record",
    "due_soon_record",
    "calendar_days_record",
    "colour_bands_record",
    "bands_from_value",
    "setting_record",
]

EVENT_COLUMNS = (
    "gseq",
    "hazard_id",
    "seq",
    "kind",
    "occurred_on",
    "recorded_at",
    "body",
    "prev_hash",
    "hash",
    "deadline",
    "provisional",
    "actor",
    "origin",
)
"""The columns of one stored event row, in the order :meth:`SqlStore.append` writes them."""

try:  # raised by COPY, which goes to psycopg directly (SQLAlchemy wraps the errors of its own calls)
    from psycopg import IntegrityError as _PgIntegrityError
except ImportError:  # pragma: no cover - no PostgreSQL driver: no COPY either

    class _PgIntegrityError(Exception):  # type: ignore[no-redef]
        """Never raised: stands in for psycopg's IntegrityError."""


_COPY_FROM = 64
"""Rows (events and new hazards) from which a PostgreSQL append uses COPY rather than INSERT."""
_STATE_QUERY = sa.select(S.hazards.c.state, *(S.hazards.c[c] for c in STATE_CELLS))
"""A projection row as :func:`~hazardloop.sqlrows.state_from_projection` reads it: state JSON, then cells."""
_HAZARD_ROW = ("hazard_id", "first_gseq", "version", "last_event_on", "state", *S.PROJECTION_COLUMNS)
_BEGINNING = "1900-01-01"
_INSERT_EVENT = f"INSERT INTO hl_events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join(['?'] * len(EVENT_COLUMNS))})"


def normalise_url(url: str) -> str:
    """A SQLAlchemy URL: a bare path becomes a SQLite file; ``postgresql://`` uses psycopg 3."""
    if "://" not in url:
        return f"sqlite:///{url}"
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def _make_engine(url: str) -> Engine:
    u = sa.engine.make_url(normalise_url(url))
    if u.get_backend_name() != "sqlite":
        return sa.create_engine(u, pool_pre_ping=True)
    memory = u.database in (None, "", ":memory:")
    engine = sa.create_engine(
        u, poolclass=sa.pool.StaticPool if memory else sa.pool.QueuePool, connect_args={"check_same_thread": False}
    )

    @sa_event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, record: Any) -> None:
        # we issue BEGIN ourselves (below); the driver's implicit transactions would defeat it
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 60000")
        # a new file gets 16 KiB pages (an existing one keeps its own: the pragma is then a no-op):
        # event rows and projection rows run to 0.5–1.5 KiB, and with 4 KiB pages appends wrote
        # ~20% more B-tree pages for the same rows
        cur.execute("PRAGMA page_size = 16384")
        if not memory:
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")  # durable: the WAL is synced at every commit
        cur.close()

    @sa_event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # writers take the write lock at BEGIN, so that the version check and the append see one state
        write = conn.get_execution_options().get("hl_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


ConfigRecord = tuple[str, str, Any, "_dt.date | str"]
"""One piece of configuration as stored: ``(kind, name, JSON value, effective_from)``."""


def limit_table_record(table: LimitTable) -> ConfigRecord:
    """A limit table (期限表) as stored; it applies from its own ``effective_from``."""
    return ("limit_table", "limit_table", limit_table_to_dict(table), table.effective_from)


def tiers_record(tiers: Iterable[EscalationTier], effective_from: _dt.date | str) -> ConfigRecord:
    """The escalation tiers (升级提醒) as stored."""
    return ("tiers", "tiers", [tier_to_dict(t) for t in tiers], effective_from)


def due_soon_record(days: int, effective_from: _dt.date | str) -> ConfigRecord:
    """The due-soon window (days) as stored."""
    return ("due_soon_days", "due_soon_days", days, effective_from)


def calendar_days_record(
    holidays: Iterable[_dt.date | str], workdays: Iterable[_dt.date | str], effective_from: _dt.date | str,
    name: str = "local",
) -> ConfigRecord:
    """A locality's own days off and worked days as stored."""
    value = {
        "holidays": sorted(to_date(d).isoformat() for d in holidays),
        "workdays": sorted(to_date(d).isoformat() for d in workdays),
    }
    return ("calendar_days", name, value, effective_from)


def colour_bands_record(method: str, bands: Bands, effective_from: _dt.date | str) -> ConfigRecord:
    """A risk method's colour bands as stored (read back by :func:`bands_from_value`)."""
    value = {"name": bands.name, "floor": bands.floor.value, "bands": [[b.lower, b.colour.value] for b in bands.bands]}
    return ("colour_bands", method, value, effective_from)


def bands_from_value(value: Any) -> Bands:
    """The bands a stored (or configuration-file) value describes; ``floor`` defaults to 蓝."""
    return Bands(tuple(Band(lower, colour) for lower, colour in value["bands"]), value.get("floor", "蓝"),
                 value.get("name", ""))


def setting_record(name: str, value: Any, effective_from: _dt.date | str) -> ConfigRecord:
    """A free setting as stored."""
    return ("setting", name, value, effective_from)


@attrs.define(eq=False)
class _Prepared:
    """An item of a batch serialised outside the transaction (only the hashes need the head)."""

    item: Append
    rows: list[list[Any]]  #: one :data:`EVENT_COLUMNS` row per event; gseq and the hashes filled in later
    state_json: str
    cells: tuple[Any, ...]

    @property
    def bodies(self) -> list[str]:
        return [row[_BODY] for row in self.rows]


_BODY = EVENT_COLUMNS.index("body")
assert EVENT_COLUMNS[6:9] == ("body", "prev_hash", "hash"), "append fills these positions"


_BACKGROUND_CHECKPOINT_FROM = 500
"""Events in one SQLite append from which the WAL is checkpointed alongside its serialisation."""


class _WalCheckpointer:
    """Folds a SQLite file's write-ahead log back into the database in a helper thread.

    SQLite checkpoints in whichever commit finds the WAL over 1,000 pages: a bulk import paid
    40–80 ms for it every third batch, on its own critical path. A passive checkpoint on a side
    connection, started as an append begins and joined before the append's transaction, copies
    the same pages while the batch is serialised (sqlite3 releases the GIL inside SQLite); the
    commit then finds a short WAL. A passive checkpoint never waits for a lock nor blocks a
    reader or writer, and durability does not depend on it (the WAL is synced at every commit).
    """

    def __init__(self, path: str) -> None:
        # read-write, never create: the side connection must not make a file of its own
        self._uri = Path(path).absolute().as_uri() + "?mode=rw"
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_engine(cls, engine: Engine) -> _WalCheckpointer | None:
        """One for a SQLite engine on a plain database file (not memory, not a URI name), else None."""
        path = engine.url.database if engine.dialect.name == "sqlite" else None
        if not path or path == ":memory:" or path.startswith("file:") or not os.path.isfile(path):
            return None
        return cls(path)

    def _run(self) -> None:
        with self._lock:  # one checkpoint at a time on the side connection
            try:
                if self._conn is None:
                    self._conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False, isolation_level=None)
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                pass  # an optimisation only: the commit checkpoints as before

    def start(self) -> threading.Thread:
        """Start a checkpoint; the caller joins the returned thread before it writes."""
        thread = threading.Thread(target=self._run, name="hazardloop-wal-checkpoint", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class SqlStore:
    """An :class:`~hazardloop.store.EventStore` in a SQL database (see the module docstring).

    Holds its own engine; call :meth:`close` (or use it as a context manager) when done.
    """

    def __init__(self, engine: Engine, *, id_prefix: str = "H") -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._ph = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._prefix = id_prefix
        self._ids: list[str] = []  # a block of reserved hazard ids, last first (handed out by pop())
        self._block = 1
        # ids handed out by this store and not yet appended: state() knows they hold nothing
        # without asking the database (a bulk import asks for every new hazard)
        self._fresh: set[str] = set()
        with self._write() as conn:
            S.migrate(conn)
        self._checkpointer = _WalCheckpointer.for_engine(engine)  # the file exists by now

    # -----------------------------------------------------------------------------------------
    # connections
    # -----------------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(hl_write=True)
            with conn.begin():
                if self.dialect == "postgresql":
                    # one writer at a time through migrations and the chain head
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4815162342)")
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def close(self) -> None:
        """Release the engine's connections."""
        if self._checkpointer is not None:
            self._checkpointer.close()
        self.engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqlStore({self.engine.url.render_as_string(hide_password=True)!r})"

    def _sql(self, text: str) -> str:
        return text if self._ph == "?" else text.replace("?", "%s")

    # -----------------------------------------------------------------------------------------
    # EventStore: ids and appending
    # -----------------------------------------------------------------------------------------

    def next_hazard_id(self) -> str:
        """A new hazard id ``H000001``…, never handed out before, by any process.

        Numbers are reserved in growing blocks (1, 2, 4 … 1024) so that a bulk import does not
        pay one transaction per hazard; numbers reserved but unused are skipped, never reused.
        Ids that hazards stored under them already carry (imported from elsewhere) are left out
        of a block when it is reserved. A hazard stored under an id after that is caught by the
        append, as any concurrent change is (:class:`~hazardloop.errors.ConcurrencyError`).
        """
        while not self._ids:
            self._reserve()
        hid = self._ids.pop()
        self._fresh.add(hid)
        return hid

    def _reserve(self) -> None:
        name = f"hazard_id:{self._prefix}"
        with self._write() as conn:
            current = conn.execute(
                sa.select(S.counters.c.value).where(S.counters.c.name == name)
            ).scalar()
            start = (current or 0) + 1
            end = start + self._block
            if current is None:
                conn.execute(S.counters.insert().values(name=name, value=end - 1))
            else:
                conn.execute(S.counters.update().where(S.counters.c.name == name).values(value=end - 1))
        ids = [f"{self._prefix}{n:06d}" for n in range(end - 1, start - 1, -1)]  # last first
        with self._read() as conn:
            taken = {hid for hid, in self._rows_for_ids(conn, "SELECT hazard_id FROM hl_hazards", ids)}
        self._ids = [hid for hid in ids if hid not in taken]
        self._block = min(self._block * 2, 1024)

    def _rows_for_ids(self, conn: Connection, select: str, hazard_ids: Sequence[str], order: str = "") -> Iterator[Any]:
        """The rows of ``select … WHERE hazard_id IN (…) order`` for ``hazard_ids``, 500 ids a
        query. SQL text, not a select(): compiling an IN of 500 bound parameters cost more than
        the query."""
        for at in range(0, len(hazard_ids), 500):
            chunk = tuple(hazard_ids[at : at + 500])
            marks = ", ".join([self._ph] * len(chunk))
            yield from conn.exec_driver_sql(f"{select} WHERE hazard_id IN ({marks}) {order}", chunk)

    @staticmethod
    def _prepare(item: Append, last: list[Any]) -> _Prepared:
        """Serialise an item; ``last`` carries the latest ``(recorded_at, its ISO text)`` across
        the items of a batch (events recorded together share it: a tz-aware isoformat is slow)."""
        rows: list[list[Any]] = []
        for e in item.events:
            r = e.recorded_at
            # equal instants in different zones print differently: the zone must be the same too
            if r is not last[0] and (r != last[0] or r.tzinfo is not last[0].tzinfo):
                last[0], last[1] = r, r.isoformat()
            day = iso_date(e.occurred_on)
            actor_json, actor_text = actor_texts(e.actor)
            # in EVENT_COLUMNS order (the last four are event_columns(e)); gseq, prev_hash and
            # hash are set under the chain-head lock
            rows.append(
                [
                    0,
                    e.hazard_id,
                    e.seq,
                    e.kind._value_,
                    day,
                    last[1],
                    event_body(e, recorded_at=last[1], occurred_on=day, actor=actor_json),
                    None,
                    None,
                    *deadline_columns(e),
                    actor_text,
                    0 if e.origin is None else 1,
                ]
            )
        return _Prepared(item, rows, projection_json(item.state), projection_cells(item.state))

    def append(self, batch: Sequence[Append]) -> None:
        """Append every item of ``batch`` in one transaction: all or nothing.

        Raises :class:`~hazardloop.errors.ConcurrencyError` when a hazard's stored version is not
        the item's ``expected_version``, unless the item's events are already stored exactly as
        given (a retried batch), in which case the item is skipped.
        """
        if not batch:
            return
        # stored or refused, these ids are no longer known to hold nothing: state() asks again
        self._fresh.difference_update(item.hazard_id for item in batch)
        last: list[Any] = [None, ""]
        checkpoint = None
        if self._checkpointer is not None and sum(len(item.events) for item in batch) >= _BACKGROUND_CHECKPOINT_FROM:
            checkpoint = self._checkpointer.start()
        try:
            prepared = [self._prepare(item, last) for item in batch]
        finally:
            if checkpoint is not None:
                checkpoint.join()
        with self._write() as conn:
            head, length = self._chain_head(conn)
            versions = self._versions(conn, {p.item.hazard_id for p in prepared})
            event_rows: list[list[Any]] = []
            inserts: list[tuple[Any, ...]] = []
            updates: list[tuple[Any, ...]] = []
            sha256 = hashlib.sha256
            for p in prepared:
                item = p.item
                actual = versions.get(item.hazard_id, 0)
                if actual != item.expected_version:
                    if self._already_stored(conn, p, actual):
                        continue
                    raise ConcurrencyError(item.hazard_id, item.expected_version, actual)
                first_gseq = length + 1
                for row in p.rows:
                    length += 1
                    h = sha256(f"{head}\n{row[6]}".encode()).hexdigest()  # S.chain_hash, inlined
                    row[0], row[7], row[8] = length, head, h
                    event_rows.append(row)
                    head = h
                version = item.events[-1].seq if item.events else item.expected_version
                versions[item.hazard_id] = version
                last_on = iso_date(item.state.last_event_on)
                if item.expected_version == 0:
                    inserts.append((item.hazard_id, first_gseq, version, last_on, p.state_json, *p.cells))
                else:
                    updates.append((version, last_on, p.state_json, *p.cells, item.hazard_id, item.expected_version))
            if not event_rows and not updates and not inserts:
                return  # the whole batch was a retry
            self._insert_rows(conn, event_rows, inserts, updates)
            conn.execute(S.chain.update().where(S.chain.c.id == 1).values(head=head, length=length))

    def _insert_rows(
        self,
        conn: Connection,
        event_rows: list[list[Any]],
        inserts: list[tuple[Any, ...]],
        updates: list[tuple[Any, ...]],
    ) -> None:
        ph = self._ph
        copy = self.dialect == "postgresql" and len(event_rows) + len(inserts) >= _COPY_FROM
        # under the chain-head lock a duplicate key means that a writer slipped past it (or that
        # someone wrote to the tables directly): the batch is refused as a conflict, nothing stored
        try:
            if event_rows:
                if copy:
                    self._copy(conn, "hl_events", EVENT_COLUMNS, event_rows)
                elif self.dialect == "sqlite":  # the driver itself: it takes the prepared lists as they are
                    conn.connection.driver_connection.executemany(_INSERT_EVENT, event_rows)  # type: ignore[union-attr]
                else:  # SQLAlchemy takes tuples (not the prepared lists) as executemany parameters
                    conn.exec_driver_sql(_INSERT_EVENT.replace("?", ph), list(map(tuple, event_rows)))
            if inserts:
                if copy:
                    self._copy(conn, "hl_hazards", _HAZARD_ROW, inserts)
                else:
                    conn.exec_driver_sql(
                        f"INSERT INTO hl_hazards ({', '.join(_HAZARD_ROW)}) "
                        f"VALUES ({', '.join([ph] * len(_HAZARD_ROW))})",
                        inserts,
                    )
        except (sa.exc.IntegrityError, sqlite3.IntegrityError, _PgIntegrityError) as exc:
            first = event_rows[0] if event_rows else inserts[0]
            raise ConcurrencyError(first[1] if event_rows else first[0], 0, -1) from exc
        if updates:
            sets = ", ".join(f"{c} = {ph}" for c in ("version", "last_event_on", "state", *S.PROJECTION_COLUMNS))
            result = conn.exec_driver_sql(
                f"UPDATE hl_hazards SET {sets} WHERE hazard_id = {ph} AND version = {ph}", updates
            )
            if result.rowcount not in (-1, len(updates)):  # a writer slipped past the head lock
                raise ConcurrencyError(updates[0][-2], updates[0][-1], -1)

    @staticmethod
    def _copy(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """PostgreSQL: ``COPY table FROM STDIN`` in the connection's transaction (psycopg 3);
        several times the rate of a batched INSERT for the rows of a bulk import."""
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        finally:
            cursor.close()

    def _chain_head(self, conn: Connection) -> tuple[str, int]:
        query = sa.select(S.chain.c.head, S.chain.c.length).where(S.chain.c.id == 1)
        if self.dialect == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).one()
        return row.head, int(row.length)

    def _versions(self, conn: Connection, hazard_ids: set[str]) -> dict[str, int]:
        rows = self._rows_for_ids(conn, "SELECT hazard_id, version FROM hl_hazards", sorted(hazard_ids))
        return {hid: int(v) for hid, v in rows}

    def _already_stored(self, conn: Connection, p: _Prepared, actual: int) -> bool:
        item = p.item
        if not item.events or actual < item.expected_version + len(item.events):
            return False
        seqs = [e.seq for e in item.events]
        rows = conn.execute(
            sa.select(S.events.c.seq, S.events.c.body)
            .where(S.events.c.hazard_id == item.hazard_id)
            .where(S.events.c.seq.in_(seqs))
        ).all()
        stored = {seq: body for seq, body in rows}
        return all(stored.get(e.seq) == body for e, body in zip(item.events, p.bodies))

    # -----------------------------------------------------------------------------------------
    # EventStore: reading
    # -----------------------------------------------------------------------------------------

    def state(self, hazard_id: str) -> HazardState | None:
        """The current state of a hazard (from the projection), or None."""
        if hazard_id in self._fresh:
            return None
        with self._read() as conn:
            row = conn.execute(_STATE_QUERY.where(S.hazards.c.hazard_id == hazard_id)).first()
        return None if row is None else state_from_projection(row[1:], row[0])

    def events(self, hazard_id: str) -> Sequence[Event]:
        """A hazard's events in order (empty if unknown)."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(S.events.c.body).where(S.events.c.hazard_id == hazard_id).order_by(S.events.c.seq)
            ).scalars()
            return tuple(event_from_dict(json.loads(body)) for body in rows)

    def events_of(self, hazard_ids: Sequence[str]) -> dict[str, tuple[Event, ...]]:
        """The events of each of ``hazard_ids`` that is stored, in order, in one query per 500."""
        out: dict[str, list[Event]] = {}
        ids = list(dict.fromkeys(hazard_ids))
        with self._read() as conn:
            for hid, body in self._rows_for_ids(conn, "SELECT hazard_id, body FROM hl_events", ids, "ORDER BY hazard_id, seq"):
                out.setdefault(hid, []).append(event_from_dict(json.loads(body)))
        return {hid: tuple(events) for hid, events in out.items()}

    def hazard_ids(self) -> list[str]:
        """Every hazard id, in the order the hazards were first stored."""
        with self._read() as conn:
            return list(conn.execute(sa.select(S.hazards.c.hazard_id).order_by(S.hazards.c.first_gseq)).scalars())

    def states(self) -> Iterator[HazardState]:
        """Every hazard's current state, in :meth:`hazard_ids` order."""
        with self._read() as conn:
            rows = conn.execute(_STATE_QUERY.order_by(S.hazards.c.first_gseq)).all()
        return (state_from_projection(row[1:], row[0]) for row in rows)

    def count(self) -> int:
        """How many hazards the store holds."""
        with self._read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(S.hazards)).scalar() or 0)

    def event_count(self) -> int:
        """How many events the store holds."""
        with self._read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(S.events)).scalar() or 0)

    def all_events(self, *, until: _dt.date | None = None) -> Iterator[Event]:
        """Every event in chain order (optionally only those that occurred by ``until``)."""
        for _, _, _, body in self.chain_rows(until=until):
            yield event_from_dict(json.loads(body))

    def chain_rows(self, *, until: _dt.date | None = None, chunk: int = 5000) -> Iterator[tuple[int, str, str, str]]:
        """``(gseq, prev_hash, hash, body)`` of every event in chain order, read in chunks."""
        last = 0
        while True:
            query = (
                sa.select(S.events.c.gseq, S.events.c.prev_hash, S.events.c.hash, S.events.c.body)
                .where(S.events.c.gseq > last)
                .order_by(S.events.c.gseq)
                .limit(chunk)
            )
            if until is not None:
                query = query.where(S.events.c.occurred_on <= until.isoformat())
            with self._read() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            for row in rows:
                yield int(row[0]), row[1], row[2], row[3]
            last = int(rows[-1][0])

    def head(self) -> tuple[str, int]:
        """The chain's head hash and length as recorded with the store (print it on every export)."""
        with self._read() as conn:
            row = conn.execute(sa.select(S.chain.c.head, S.chain.c.length).where(S.chain.c.id == 1)).one()
        return row.head, int(row.length)

    def schema_version(self) -> int:
        """The schema version of the database (after the migrations run on opening)."""
        with self._read() as conn:
            return S.schema_version(conn)

    # -----------------------------------------------------------------------------------------
    # EventStore: units
    # -----------------------------------------------------------------------------------------

    def put_unit(self, unit: Unit) -> None:
        """Add a unit or replace the unit with the same code."""
        body = canonical(unit_to_dict(unit))
        with self._write() as conn:
            done = conn.execute(S.units.update().where(S.units.c.code == unit.code).values(body=body)).rowcount
            if not done:
                conn.execute(S.units.insert().values(code=unit.code, body=body))

    def get_unit(self, code: str) -> Unit | None:
        """The unit with that code, or None."""
        with self._read() as conn:
            body = conn.execute(sa.select(S.units.c.body).where(S.units.c.code == code)).scalar()
        return None if body is None else unit_from_dict(json.loads(body))

    def units(self) -> list[Unit]:
        """Every unit, in code order."""
        with self._read() as conn:
            bodies = list(conn.execute(sa.select(S.units.c.body).order_by(S.units.c.code)).scalars())
        return [unit_from_dict(json.loads(b)) for b in bodies]

    # -----------------------------------------------------------------------------------------
    # as of a date
    # -----------------------------------------------------------------------------------------

    def states_as_of(self, as_of: _dt.date | str) -> Iterator[HazardState]:
        """Every hazard as it stood at the end of ``as_of``: the projection where nothing happened
        since, the fold of its events up to that day where something did."""
        from hazardloop.sqlreplay import states_as_of

        return states_as_of(self, to_date(as_of))

    def frame_as_of(self, as_of: _dt.date | str, *, with_status: bool = True, due_soon_days: int = 7) -> Any:
        """The register's frame as of a date, replayed column-wise (equal to ``Register.frame``)."""
        from hazardloop.sqlreplay import frame_as_of

        return frame_as_of(self, to_date(as_of), with_status=with_status, due_soon_days=due_soon_days)

    # -----------------------------------------------------------------------------------------
    # configuration, versioned by effective date
    # -----------------------------------------------------------------------------------------

    def put_config(
        self,
        kind: str,
        name: str,
        value: Any,
        *,
        effective_from: _dt.date | str = _BEGINNING,
        recorded_at: _dt.datetime | None = None,
    ) -> None:
        """Record one piece of configuration in force from ``effective_from``.

        Nothing is overwritten: a later record for the same kind, name and date supersedes the
        earlier one, which stays in the table.
        """
        self.put_configs([(kind, name, value, effective_from)], recorded_at=recorded_at)

    def put_configs(
        self,
        records: Iterable[ConfigRecord],
        *,
        recorded_at: _dt.datetime | None = None,
    ) -> None:
        """Record several pieces of configuration ``(kind, name, value, effective_from)`` in one
        transaction: all of them or, on any error, none."""
        when = (recorded_at or _dt.datetime.now(_dt.timezone.utc)).isoformat()
        rows = [
            {"kind": kind, "name": name, "effective_from": to_date(eff).isoformat(), "recorded_at": when,
             "body": canonical(value)}
            for kind, name, value, eff in records
        ]
        if not rows:
            return
        with self._write() as conn:
            conn.execute(S.config.insert(), rows)

    def config_versions(self, kind: str, name: str | None = None) -> list[tuple[_dt.date, str, Any]]:
        """``(effective_from, name, value)`` of every version in force, oldest first (superseded records dropped)."""
        query = sa.select(S.config.c.effective_from, S.config.c.name, S.config.c.body).where(S.config.c.kind == kind)
        if name is not None:
            query = query.where(S.config.c.name == name)
        with self._read() as conn:
            rows = conn.execute(query.order_by(S.config.c.id)).all()
        latest: dict[tuple[str, str], Any] = {}
        for eff, nm, body in rows:
            latest[(eff, nm)] = json.loads(body)
        return [(_dt.date.fromisoformat(eff), nm, val) for (eff, nm), val in sorted(latest.items())]

    def config_as_of(self, kind: str, name: str, as_of: _dt.date | str | None = None) -> Any:
        """The value of one piece of configuration in force on ``as_of`` (the latest if None), or None."""
        day = None if as_of is None else to_date(as_of)
        found = None
        for eff, _, value in self.config_versions(kind, name):
            if day is None or eff <= day:
                found = value
        return found

    def put_setting(self, name: str, value: Any, *, effective_from: _dt.date | str = _BEGINNING) -> None:
        """A free setting in force from ``effective_from`` (any JSON value).

        Names read by the library: ``index_weights`` (a mapping component → weight, the 管控力指数
        weights :func:`hazardloop.reports.build_bulletin` uses when not given others). Colour
        bands have their own typed pair, :meth:`put_colour_bands` / :meth:`colour_bands`.
        """
        self.put_configs([setting_record(name, value, effective_from)])

    def setting(self, name: str, as_of: _dt.date | str | None = None) -> Any:
        """The setting in force on ``as_of`` (the latest if None), or None."""
        return self.config_as_of("setting", name, as_of)

    def put_colour_bands(self, method: str, bands: Bands, *, effective_from: _dt.date | str = _BEGINNING) -> None:
        """Store the four-colour score bands (红/橙/黄/蓝) of a risk method (``"LEC"``, an LS
        matrix's name…) in force from ``effective_from``, so that every user of the database
        colours the same score the same way."""
        self.put_configs([colour_bands_record(method, bands, effective_from)])

    def colour_bands(self, method: str, as_of: _dt.date | str | None = None) -> Bands | None:
        """The bands of ``method`` in force on ``as_of`` (the latest if None), or None if none were stored.

        Use them where the library takes bands, e.g.
        ``lec_colour(l, e, c, LECConfig(bands=store.colour_bands("LEC") or LEC_BANDS))``.
        """
        value = self.config_as_of("colour_bands", method, as_of)
        if value is None:
            return None
        return bands_from_value(value)

    def save_deadline_config(self, config: DeadlineConfig, *, effective_from: _dt.date | str = _BEGINNING) -> None:
        """Store a deadline configuration: each limit table under its own effective date; the
        escalation tiers and the due-soon window from ``effective_from``; in one transaction."""
        self.put_configs([
            *(limit_table_record(t) for t in config.tables),
            tiers_record(config.tiers, effective_from),
            due_soon_record(config.due_soon_days, effective_from),
        ])

    def put_limit_table(self, table: LimitTable) -> None:
        """Store a limit table (期限表), in force from its own ``effective_from``."""
        self.put_configs([limit_table_record(table)])

    def put_tiers(self, tiers: Iterable[EscalationTier], *, effective_from: _dt.date | str) -> None:
        """Store the escalation tiers (升级提醒) in force from ``effective_from``."""
        self.put_configs([tiers_record(tiers, effective_from)])

    def deadline_config(self, as_of: _dt.date | str | None = None) -> DeadlineConfig | None:
        """The deadline configuration stored with the register, or None if none was stored.

        Every limit table is included (each applies from its own date, chosen by the 交办
        date); tiers and the due-soon window are those in force on ``as_of`` (the latest if None).
        """
        tables = [limit_table_from_dict(v) for _, _, v in self.config_versions("limit_table", "limit_table")]
        if not tables:
            return None
        tiers = self.config_as_of("tiers", "tiers", as_of)
        due = self.config_as_of("due_soon_days", "due_soon_days", as_of)
        kwargs: dict[str, Any] = {"tables": tables}
        if tiers is not None:
            kwargs["tiers"] = [tier_from_dict(t) for t in tiers]
        if due is not None:
            kwargs["due_soon_days"] = int(due)
        return DeadlineConfig(**kwargs)

    def put_year_table(self, table: YearTable) -> None:
        """Store one year's official holiday schedule (节假日安排), e.g. once the State Council publishes it."""
        value = {
            "year": table.year,
            "holidays": sorted(d.isoformat() for d in table.holidays),
            "workdays": sorted(d.isoformat() for d in table.workdays),
        }
        self.put_config("calendar_year", str(table.year), value, effective_from=f"{table.year}-01-01")

    def put_calendar_days(
        self,
        *,
        holidays: Iterable[_dt.date | str] = (),
        workdays: Iterable[_dt.date | str] = (),
        effective_from: _dt.date | str = _BEGINNING,
        name: str = "local",
    ) -> None:
        """Store a locality's own extra days off or worked days (a local holiday…)."""
        self.put_configs([calendar_days_record(holidays, workdays, effective_from, name)])

    def calendar(self, base: ChinaCalendar | None = None) -> ChinaCalendar:
        """``base`` (default: the embedded Chinese calendar) with the stored year tables and days applied."""
        cal = base if base is not None else ChinaCalendar.default()
        for _, _, v in self.config_versions("calendar_year"):
            cal = cal.with_year(
                YearTable(
                    int(v["year"]),
                    [_dt.date.fromisoformat(d) for d in v["holidays"]],
                    [_dt.date.fromisoformat(d) for d in v["workdays"]],
                )
            )
        for _, _, v in self.config_versions("calendar_days"):
            cal = cal.with_days(
                holidays=[_dt.date.fromisoformat(d) for d in v["holidays"]],
                workdays=[_dt.date.fromisoformat(d) for d in v["workdays"]],
            )
        return cal

    # -----------------------------------------------------------------------------------------
    # export and verification
    # -----------------------------------------------------------------------------------------

    def export_jsonl(self, out: Any) -> tuple[str, int]:
        """Write every event as one JSON line ``{"gseq", "prev_hash", "hash", "event"}`` to the
        text stream ``out``; return the chain head and length (print them with the export)."""
        head, n = S.GENESIS, 0
        for gseq, prev, h, body in self.chain_rows():
            out.write(f'{{"event":{body},"gseq":{gseq},"hash":"{h}","prev_hash":"{prev}"}}\n')
            head, n = h, gseq
        return head, n

    def verify(self, *, anchor: str | None = None, anchors: Sequence[tuple[str, int | None]] = (),
               deep: bool = False) -> Any:
        """Check the hash chain, the columns against the bodies, the projection (and ``anchor``,
        and every head of ``anchors``, an anchor log read by :func:`~hazardloop.sqlverify.read_anchor_log`).

        See :func:`hazardloop.sqlverify.verify_store`.
        """
        from hazardloop.sqlverify import verify_store

        return verify_store(self, anchor=anchor, anchors=anchors, deep=deep)


def open_store(url: str | None = None, *, id_prefix: str = "H") -> SqlStore:
    """Open (creating or upgrading in place) the store at ``url``.

    ``url`` defaults to HAZARDLOOP_DB, else ``sqlite:///hazardloop.db`` in the current directory.
    """
    target = url or os.environ.get("HAZARDLOOP_DB") or "sqlite:///hazardloop.db"
    engine = _make_engine(target)
    try:
        return SqlStore(engine, id_prefix=id_prefix)
    except BaseException:
        engine.dispose()
        raise


def register_on(url: str | None, *, clock: Any, **kwargs: Any) -> Any:
    """A :class:`~hazardloop.register.Register` on the store at ``url`` that computes with the
    configuration stored there (limit tables, tiers, calendar overrides) unless given others."""
    from hazardloop.register import Register

    store = open_store(url)
    if "config" not in kwargs:
        cfg = store.deadline_config()
        if cfg is not None:
            kwargs["config"] = cfg
    if "calendar" not in kwargs and (store.config_versions("calendar_year") or store.config_versions("calendar_days")):
        kwargs["calendar"] = store.calendar()
    return Register(clock=clock, store=store, **kwargs)


def chain_head_of(obj: Any) -> tuple[str, int] | None:
    """The chain head ``(hash, length)`` of a register's store (or of a store), None if it keeps no chain.

    Exports and bulletins print it, so that ``hazardloop verify --anchor HASH`` can later prove
    the store still holds everything that was reported from it.
    """
    store = getattr(obj, "store", obj)
    head = getattr(store, "head", None)
    return head() if isinstance(store, SqlStore) and callable(head) else None
