"""Tamper evidence: check a durable register's hash chain, its columns and its projection.

What is checked, in chain order (``gseq``):

1. positions run 1, 2, 3… with no gap (a deleted or renumbered row shows here);
2. each event's ``prev_hash`` is the hash of the event before it (a reordered, deleted or
   rewritten row shows here, on the event after it);
3. each event's ``hash`` is ``sha256(prev_hash + "\\n" + body)`` (an edited body shows here);
4. the columns queries read (hazard, seq, kind, dates, deadline, actor…) say what the hashed body
   says (an edited column shows here, although the body is intact);
5. each hazard's events run 1, 2, 3…;
6. the head recorded with the store is the head of the chain (newest events cut off, or added
   without the store, show here);
7. the projection holds every hazard at the version of its last event (``deep``: and equals the
   fold of its events);
8. ``anchor``: the store still contains an event with that hash. A chain alone cannot show that
   someone rebuilt it from the start or cut its newest events *and* the recorded head; an anchor
   printed earlier (on an export or a bulletin) can;
9. ``anchors``: every head of an anchor log (``hazardloop head --record FILE``, kept away from the
   database) is still in the chain, at the position it had when it was recorded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

import attrs
import sqlalchemy as sa

from hazardloop import sqlschema as S
from hazardloop.lifecycle import fold
from hazardloop.records import EventKind
from hazardloop.sqlrows import DEADLINE_VALUES as _DEADLINE_VALUES

__all__ = ["Anchor", "VerifyReport", "anchor_line", "read_anchor_log", "verify_store", "verify_jsonl"]

_MAX_PROBLEMS = 50


@attrs.frozen
class VerifyReport:
    """The outcome of a verification: ``ok`` and, if not, the problems found in chain order."""

    ok: bool
    length: int  #: events checked
    head: str  #: the hash of the last event checked (GENESIS for an empty store)
    problems: tuple[str, ...]
    first_broken: str | None  #: the first broken event, as ``hazard#seq (position n)``
    anchor_position: int | None = None  #: where the anchor was found, if one was given
    anchors_held: int = 0  #: anchors of an anchor log found where they were recorded

    def summary(self) -> str:
        """One line for a terminal."""
        if self.ok:
            text = f"ok: {self.length} events, head {self.head}"
            if self.anchor_position is not None:
                text += f"; anchor found at position {self.anchor_position}"
            if self.anchors_held:
                text += f"; all {self.anchors_held} anchors of the log held" if self.anchors_held > 1 else "; the anchor of the log held"
            return text
        return f"BROKEN at {self.first_broken}: {self.problems[0]}"


Anchor = tuple[str, "int | None"]
"""A recorded head: its hash and, if known, the number of events it closed (its position)."""

_HASH = re.compile(r"^[0-9a-f]{64}$")


def anchor_line(head: str, length: int, recorded_at: str) -> str:
    """One line of an anchor log: when, the head hash, the number of events (tab-separated)."""
    return f"{recorded_at}\t{head}\t{length}\n"


def read_anchor_log(text: str, source: str = "<anchors>") -> tuple[Anchor, ...]:
    """The anchors of an anchor log, in its order.

    Each line holds a head hash (64 hex digits) and, after it, optionally the number of events
    it closed; other words on the line (the date :func:`anchor_line` writes, a note) are ignored.
    Blank lines and lines starting with ``#`` are skipped. Raises ValueError naming
    ``source:line`` for a line without a hash or with two.
    """
    out: list[Anchor] = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        hashes = [i for i, w in enumerate(words) if _HASH.match(w.lower())]
        if len(hashes) != 1:
            raise ValueError(f"{source}:{number}: expected one head hash (64 hex digits), found {len(hashes)}")
        at = hashes[0]
        length = next((int(w) for w in words[at + 1 :] if w.isdigit()), None)
        out.append((words[at].lower(), length))
    return tuple(out)


def _actor_text(actor: dict[str, str]) -> str:
    org = actor.get("organisation", "")
    return f"{actor['name']}({org})" if org else actor["name"]


class _Checker:
    """Walks rows in chain order and collects problems."""

    def __init__(self, anchor: str | None, anchors: Sequence[Anchor] = ()) -> None:
        self.head = S.GENESIS
        self.n = 0
        self.problems: list[str] = []
        self.first_broken: str | None = None
        self.anchor = anchor
        self.anchors = tuple(anchors)
        # the single anchor and the log's are looked for alike: hash -> where it is in the chain
        self._wanted = {h for h, _ in self.anchors} | ({anchor} if anchor is not None else set())
        self._found: dict[str, int] = {}
        self.last_seq: dict[str, int] = {}

    def problem(self, where: str, text: str) -> None:
        """Record a problem; the first one names the first broken event."""
        if self.first_broken is None:
            self.first_broken = where
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(f"{where}: {text}")

    def row(self, gseq: int, prev: str | None, h: str | None, body: str, columns: dict[str, Any] | None) -> None:
        """Check the next row of the chain (``columns`` None for an export, which has only the body)."""
        self.n += 1
        try:
            d = json.loads(body)
            eid = f"{d['hazard_id']}#{d['seq']}"
        except (ValueError, KeyError, TypeError):
            d, eid = None, "?"
        if columns is not None:
            eid = f"{columns['hazard_id']}#{columns['seq']}"
        where = f"event {eid} (position {gseq})"
        if gseq != self.n:
            self.problem(where, f"expected position {self.n}: {gseq - self.n} event(s) before it are missing or moved")
            self.n = gseq
        if prev != self.head:
            self.problem(where, "its prev_hash is not the hash of the event before it (rows deleted, reordered or rewritten)")
        if h is None or S.chain_hash(prev or "", body) != h:
            self.problem(where, "its hash does not match its content (the event was edited)")
        if h in self._wanted:
            self._found[h] = gseq
        self.head = h or ""
        if d is None:
            self.problem(where, "its body is not a valid event")
            return
        if columns is not None:
            self._columns(where, d, columns)
        hid, seq = d.get("hazard_id"), d.get("seq")
        last = self.last_seq.get(hid, 0)
        if seq != last + 1:
            self.problem(where, f"hazard {hid} jumps from event {last} to event {seq}")
        self.last_seq[hid] = seq if isinstance(seq, int) else last

    def _columns(self, where: str, d: dict[str, Any], c: dict[str, Any]) -> None:
        payload = d.get("payload", {})
        deadline = provisional = None
        if d["kind"] in _DEADLINE_VALUES and payload.get("deadline") is not None:
            deadline, provisional = payload["deadline"], int(payload["provisional"])
        expect = {
            "hazard_id": d["hazard_id"],
            "seq": d["seq"],
            "kind": d["kind"],
            "occurred_on": d["occurred_on"],
            "recorded_at": d["recorded_at"],
            "deadline": deadline,
            "provisional": provisional,
            "actor": _actor_text(d["actor"]),
            "origin": 0 if d.get("origin") is None else 1,
        }
        for key, value in expect.items():
            stored = c[key]
            if key in ("seq", "provisional", "origin") and stored is not None:
                stored = int(stored)
            if stored != value:
                self.problem(where, f"column {key} says {stored!r} but the hashed event says {value!r}")

    def report(self, extra: Iterable[str] = ()) -> VerifyReport:
        """The verdict, with the store-level problems ``extra`` added after the chain's."""
        for text in extra:
            self.problem("store", text)
        anchor_position = self._found.get(self.anchor) if self.anchor is not None else None
        if self.anchor is not None and anchor_position is None:
            self.problem(
                "anchor",
                f"no event has hash {self.anchor}: the store no longer holds that head (cut off or rebuilt)",
            )
        held = 0
        for number, (h, length) in enumerate(self.anchors, start=1):
            found = self._found.get(h)
            if found is None:
                self.problem(f"anchor {number}", f"no event has hash {h} (recorded at {length} events): "
                             "the store no longer holds that head (cut off or rebuilt)")
            elif length is not None and found != length:
                self.problem(f"anchor {number}", f"hash {h} was recorded at {length} events but is at position {found}")
            else:
                held += 1
        return VerifyReport(
            ok=not self.problems,
            length=self.n,
            head=self.head,
            problems=tuple(self.problems),
            first_broken=self.first_broken,
            anchor_position=anchor_position,
            anchors_held=held,
        )


_COLS = ("gseq", "prev_hash", "hash", "body", "hazard_id", "seq", "kind", "occurred_on", "recorded_at",
         "deadline", "provisional", "actor", "origin")


def _rows(store: Any, chunk: int = 5000) -> Iterator[tuple[Any, ...]]:
    last = None
    cols = [S.events.c[c] for c in _COLS]
    while True:
        query = sa.select(*cols).order_by(S.events.c.gseq).limit(chunk)
        if last is not None:
            query = query.where(S.events.c.gseq > last)
        with store.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def verify_store(
    store: Any, *, anchor: str | None = None, anchors: Sequence[Anchor] = (), deep: bool = False
) -> VerifyReport:
    """Verify a :class:`~hazardloop.sqlstore.SqlStore` (see the module docstring for what is checked)."""
    checker = _Checker(anchor, anchors)
    for row in _rows(store):
        checker.row(int(row[0]), row[1], row[2], row[3], dict(zip(_COLS, row)))
    extra: list[str] = []
    recorded_head, recorded_length = store.head()
    if (recorded_head, recorded_length) != (checker.head, checker.n):
        extra.append(
            f"the head recorded with the store ({recorded_head}, {recorded_length} events) is not the head of "
            f"the events ({checker.head}, {checker.n} events): events were cut off or added outside the store"
        )
    with store.engine.connect() as conn:
        projection = dict(conn.execute(sa.select(S.hazards.c.hazard_id, S.hazards.c.version)).all())
    for hid, version in sorted(projection.items()):
        if checker.last_seq.get(hid) != int(version):
            extra.append(
                f"hazard {hid}: the projection is at version {version} but its events end at {checker.last_seq.get(hid)}"
            )
    for hid in sorted(set(checker.last_seq) - set(projection)):
        extra.append(f"hazard {hid} has events but no projection row")
    if deep and not extra:
        from hazardloop.serialize import state_to_dict

        for hid in projection:
            stored = store.state(hid)
            folded = fold(store.events(hid))
            if state_to_dict(stored) != state_to_dict(folded):
                extra.append(f"hazard {hid}: the projected state differs from the fold of its events")
    return checker.report(extra)


def verify_jsonl(stream: IO[str], *, anchor: str | None = None, anchors: Sequence[Anchor] = ()) -> VerifyReport:
    """Verify an export written by :meth:`~hazardloop.sqlstore.SqlStore.export_jsonl` (an archive)."""
    from hazardloop.serialize import canonical

    checker = _Checker(anchor, anchors)
    for line in stream:
        if not line.strip():
            continue
        rec = json.loads(line)
        checker.row(int(rec["gseq"]), rec.get("prev_hash"), rec.get("hash"), canonical(rec["event"]), None)
    return checker.report()


assert EventKind.ASSIGN.value in _DEADLINE_VALUES
