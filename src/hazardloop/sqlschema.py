"""The tables of the durable register and the migrations between their versions.

One :class:`sqlalchemy.MetaData` describes the current schema (:data:`SCHEMA_VERSION`); the
migrations in :data:`MIGRATIONS` build it step by step, and a new database runs every step from
the first, so that the upgrade path is exercised by every store ever created, not only by old ones.

Schema history
--------------
1. events (``hl_events``), the projection of current states (``hl_hazards``), units, counters
   and a key/value table (``hl_meta``) holding the schema version.
2. tamper evidence and fast replay: every event gets ``prev_hash``/``hash`` (the register-wide
   hash chain, computed over the events already stored, in order) and the narrow columns the
   vectorised as-of replay reads (``deadline``, ``provisional``, ``actor``, ``origin``); the
   projection gets one column per :data:`hazardloop.register.FRAME_COLUMNS`; the chain head
   (``hl_chain``) and the configuration versioned by effective date (``hl_config``) are added;
   triggers make ``hl_events`` refuse UPDATE and DELETE.
3. faster appends: the index on ``hl_events.occurred_on`` is dropped. Events arrive in chain
   order, not date order, so every insert touched a random page of it (on SQLite it cost a third
   of the event insert), and no query needs it: every read of the events goes by ``gseq`` or by
   ``(hazard_id, seq)``, and ``occurred_on`` only filters within those.
4. on SQLite, ``hl_events.gseq`` becomes the table's rowid (declared ``INTEGER``, not ``BIGINT``:
   only ``INTEGER PRIMARY KEY`` aliases the rowid). Before, SQLite kept a hidden rowid *and* a
   separate unique index on ``gseq``, one more B-tree written by every append. SQLite cannot
   change a primary key in place, so the table is rebuilt (rows copied in ``gseq`` order, the
   append-only triggers recreated). Nothing changes on PostgreSQL, whose ``BIGINT`` key was right.

Dates are stored as ISO ``YYYY-MM-DD`` text on both backends: they sort and compare as dates,
and a column can be checked against the hashed body byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = [
    "SCHEMA_VERSION",
    "GENESIS",
    "metadata",
    "meta",
    "events",
    "hazards",
    "units",
    "counters",
    "chain",
    "config",
    "PROJECTION_COLUMNS",
    "MIGRATIONS",
    "schema_version",
    "migrate",
    "chain_hash",
]

SCHEMA_VERSION = 5
GENESIS = "0" * 64
"""The ``prev_hash`` of the first event of a register."""


def chain_hash(prev_hash: str, body: str) -> str:
    """The hash of one link: SHA-256 over the previous hash, a newline and the canonical body."""
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


# the projection's frame columns (hazardloop.register.FRAME_COLUMNS minus hazard_id), stored as text
# (dates ISO, enums their value, actors str(actor)), integers and floats as such
PROJECTION_COLUMNS: tuple[str, ...] = (
    "hazard_code",
    "unit_code",
    "town",
    "domain",
    "description",
    "location",
    "source",
    "level",
    "stage",
    "found_on",
    "assigned_on",
    "responsible_unit",
    "responsible_person",
    "supervising_department",
    "listing_level",
    "original_deadline",
    "effective_deadline",
    "deadline_provisional",
    "measures",
    "plan",
    "funds",
    "inspection_passed",
    "inspected_on",
    "inspector",
    "closed_on",
    "first_closed_on",
    "first_closed_on_time",
    "reopen_count",
    "extension_count",
    "failed_inspections",
    "withdrawn_on",
    "voided_on",
    "from_ledger",
)

_V1_HAZARD_COLUMNS = ("stage", "unit_code", "town", "domain", "level", "found_on", "effective_deadline")
_INT_COLUMNS = {"reopen_count", "extension_count", "failed_inspections"}
_BOOL_COLUMNS = {"deadline_provisional", "inspection_passed", "first_closed_on_time", "from_ledger"}


def _projection_column(name: str) -> sa.Column[Any]:
    if name in _INT_COLUMNS:
        return sa.Column(name, sa.Integer, nullable=False, server_default="0")
    if name in _BOOL_COLUMNS:
        return sa.Column(name, sa.SmallInteger)  # 0/1/NULL: the same on both backends
    if name == "funds":
        return sa.Column(name, sa.Float)
    return sa.Column(name, sa.Text)


metadata = sa.MetaData()

meta = sa.Table(
    "hl_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

_GSEQ_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # v4: SQLite's rowid (64-bit there too)

events = sa.Table(
    "hl_events",
    metadata,
    sa.Column("gseq", _GSEQ_TYPE, primary_key=True, autoincrement=False),
    sa.Column("hazard_id", sa.String(64), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("occurred_on", sa.String(10), nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    # v2
    sa.Column("prev_hash", sa.String(64)),
    sa.Column("hash", sa.String(64)),
    sa.Column("deadline", sa.String(10)),
    sa.Column("provisional", sa.SmallInteger),
    sa.Column("actor", sa.Text),
    sa.Column("origin", sa.SmallInteger),
    sa.UniqueConstraint("hazard_id", "seq", name="hl_events_hazard_seq"),
)

hazards = sa.Table(
    "hl_hazards",
    metadata,
    sa.Column("hazard_id", sa.String(64), primary_key=True),
    sa.Column("first_gseq", sa.BigInteger, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("last_event_on", sa.String(10), nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    *(_projection_column(c) for c in PROJECTION_COLUMNS),
)

units = sa.Table(
    "hl_units",
    metadata,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
)

counters = sa.Table(
    "hl_counters",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

chain = sa.Table(
    "hl_chain",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("head", sa.String(64), nullable=False),
    sa.Column("length", sa.BigInteger, nullable=False),
)

config = sa.Table(
    "hl_config",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("effective_from", sa.String(10), nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)


# ---------------------------------------------------------------------------------------------
# migrations
# ---------------------------------------------------------------------------------------------


def _create_v1(conn: Connection) -> None:
    """Version 1: events, a thin projection, units, counters, meta (written by release 0.1)."""
    md = sa.MetaData()
    sa.Table(
        "hl_meta", md, sa.Column("key", sa.String(64), primary_key=True), sa.Column("value", sa.Text, nullable=False)
    )
    sa.Table(
        "hl_events",
        md,
        sa.Column("gseq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hazard_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("occurred_on", sa.String(10), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("hazard_id", "seq", name="hl_events_hazard_seq"),
    )
    sa.Table(
        "hl_hazards",
        md,
        sa.Column("hazard_id", sa.String(64), primary_key=True),
        sa.Column("first_gseq", sa.BigInteger, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("last_event_on", sa.String(10), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        *(sa.Column(c, sa.Text) for c in _V1_HAZARD_COLUMNS),
    )
    sa.Table(
        "hl_units", md, sa.Column("code", sa.String(64), primary_key=True), sa.Column("body", sa.Text, nullable=False)
    )
    sa.Table(
        "hl_counters",
        md,
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    md.create_all(conn)


def _ddl_type(conn: Connection, column: sa.Column[Any]) -> str:
    return column.type.compile(dialect=conn.dialect)


def _add_column(conn: Connection, table: str, column: sa.Column[Any]) -> None:
    ddl = f"ALTER TABLE {table} ADD COLUMN {column.name} {_ddl_type(conn, column)}"
    if column.server_default is not None:
        ddl += f" NOT NULL DEFAULT {column.server_default.arg}"  # type: ignore[attr-defined]
    conn.exec_driver_sql(ddl)


def _v1_to_v2(conn: Connection) -> None:
    """Version 2: the hash chain, narrow replay columns, a full projection, config, append-only triggers."""
    # imported here: the migration rebuilds derived columns with today's record code
    from hazardloop.serialize import event_from_dict, state_from_dict
    from hazardloop.sqlrows import event_columns, projection_cells

    for name in ("prev_hash", "hash", "deadline", "provisional", "actor", "origin"):
        _add_column(conn, "hl_events", events.c[name])
    for name in PROJECTION_COLUMNS:
        if name not in _V1_HAZARD_COLUMNS:
            _add_column(conn, "hl_hazards", hazards.c[name])
    chain.create(conn)
    config.create(conn)

    # the chain over the events already stored, in their order
    head, length = GENESIS, 0
    rows = conn.execute(sa.select(events.c.gseq, events.c.body).order_by(events.c.gseq)).all()
    updates = []
    for gseq, body in rows:
        h = chain_hash(head, body)
        extra = event_columns(event_from_dict(json.loads(body)))
        updates.append({"g": gseq, "p": head, "h": h, "d": extra[0], "v": extra[1], "a": extra[2], "o": extra[3]})
        head, length = h, length + 1
    if updates:
        conn.execute(
            events.update()
            .where(events.c.gseq == sa.bindparam("g"))
            .values(
                prev_hash=sa.bindparam("p"),
                hash=sa.bindparam("h"),
                deadline=sa.bindparam("d"),
                provisional=sa.bindparam("v"),
                actor=sa.bindparam("a"),
                origin=sa.bindparam("o"),
            ),
            updates,
        )
    conn.execute(chain.insert().values(id=1, head=head, length=length))

    states = conn.execute(sa.select(hazards.c.hazard_id, hazards.c.state)).all()
    fills = []
    for hid, state_json in states:
        cells = projection_cells(state_from_dict(json.loads(state_json)))
        fills.append({"k": hid, **{f"c_{c}": v for c, v in zip(PROJECTION_COLUMNS, cells)}})
    if fills:
        conn.execute(
            hazards.update()
            .where(hazards.c.hazard_id == sa.bindparam("k"))
            .values({c: sa.bindparam(f"c_{c}") for c in PROJECTION_COLUMNS}),
            fills,
        )
    # DDL text, not sa.Index(...): an Index built on the module's tables would stay attached to
    # them and be created again by any later step that copies a table
    conn.exec_driver_sql("CREATE INDEX hl_events_occurred_on ON hl_events (occurred_on)")
    # the as-of replay starts from the hazards changed after the day
    conn.exec_driver_sql("CREATE INDEX hl_hazards_last_event_on ON hl_hazards (last_event_on)")
    _append_only_triggers(conn)


def _append_only_triggers(conn: Connection) -> None:
    """Refuse UPDATE and DELETE on the events (a deterrent; the hash chain is the proof)."""
    if conn.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.exec_driver_sql(
                f"CREATE TRIGGER hl_events_no_{op.lower()} BEFORE {op} ON hl_events "
                f"BEGIN SELECT RAISE(ABORT, 'hl_events is append-only'); END"
            )
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "CREATE FUNCTION hl_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'hl_events is append-only'; END $$"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER hl_events_append_only BEFORE UPDATE OR DELETE ON hl_events "
            "FOR EACH ROW EXECUTE FUNCTION hl_refuse_change()"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER hl_events_no_truncate BEFORE TRUNCATE ON hl_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION hl_refuse_change()"
        )


def _v2_to_v3(conn: Connection) -> None:
    """Version 3: drop the ``occurred_on`` index of the events (it slowed every append; no query needs it)."""
    conn.exec_driver_sql("DROP INDEX IF EXISTS hl_events_occurred_on")


def _v3_to_v4(conn: Connection) -> None:
    """Version 4: on SQLite, rebuild ``hl_events`` so that ``gseq`` is the rowid (one B-tree fewer per append)."""
    if conn.dialect.name != "sqlite":
        return
    columns = ", ".join(c.name for c in events.columns)
    rebuilt = events.to_metadata(sa.MetaData(), name="hl_events_v4")
    rebuilt.create(conn)
    conn.exec_driver_sql(f"INSERT INTO hl_events_v4 ({columns}) SELECT {columns} FROM hl_events ORDER BY gseq")
    conn.exec_driver_sql("DROP TABLE hl_events")  # its triggers go with it; DROP fires no DELETE trigger
    conn.exec_driver_sql("ALTER TABLE hl_events_v4 RENAME TO hl_events")
    _append_only_triggers(conn)


def _v4_to_v5(conn: Connection) -> None:
    """Version 5: a projection row's ``state`` JSON may leave out what its cells hold exactly
    (:data:`hazardloop.sqlrows.STATE_CELLS`). Rows already stored keep their whole state and read
    the same; nothing is rewritten. The version is raised so that an older release, which reads
    the JSON alone, refuses the database instead of misreading it."""


MIGRATIONS: Sequence[tuple[int, Callable[[Connection], None]]] = (
    (1, _create_v1),
    (2, _v1_to_v2),
    (3, _v2_to_v3),
    (4, _v3_to_v4),
    (5, _v4_to_v5),
)
"""(version reached, step) in order; step *n* upgrades a database at version *n − 1*."""

assert [v for v, _ in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1)), "migrations must be contiguous"


def schema_version(conn: Connection) -> int:
    """The schema version of the database behind ``conn`` (0 for an empty database)."""
    if not sa.inspect(conn).has_table("hl_meta"):
        return 0
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(value) if value is not None else 0


def migrate(conn: Connection) -> int:
    """Upgrade the database behind ``conn`` in place to :data:`SCHEMA_VERSION`, in the caller's transaction.

    Returns the version found before. Refuses a database written by a newer release.
    """
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        from hazardloop.errors import ConfigError

        raise ConfigError(
            f"the database has schema version {found}; this hazardloop knows up to {SCHEMA_VERSION}"
        )
    for version, step in MIGRATIONS:
        if version <= found:
            continue
        step(conn)
        if version == 1:
            conn.execute(meta.insert().values(key="schema_version", value="1"))
        else:
            conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(version)))
    return found
