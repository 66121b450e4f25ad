"""Commands of the durable register: ``hazardloop verify``, ``export`` and ``head``.

Attached to :data:`hazardloop.cli.cli` by :func:`attach` when :mod:`hazardloop.cli` loads, like
the other command groups (so this module imports on its own, without the ``cli`` module).
"""

from __future__ import annotations

import json
import os
import sys
from typing import IO

import click

from hazardloop.cli_loop import DB_OPTION

__all__ = ["verify_command", "export_command", "head_command", "attach"]


def _open(db: str | None):  # type: ignore[no-untyped-def]
    """The store at ``db``; refuses to create a new SQLite file (verify an absent ledger is an error)."""
    from sqlalchemy.engine import make_url

    from hazardloop.cli import resolve_db
    from hazardloop.sqlstore import normalise_url, open_store

    url = resolve_db(db)
    u = make_url(normalise_url(url))
    if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:") and not os.path.exists(u.database):
        raise click.ClickException(f"no database at {u.database}")
    return open_store(url)




@click.command("verify")
@DB_OPTION
@click.option("--anchor", default=None, metavar="HASH", help="A head hash printed earlier: prove the store still holds it.")
@click.option("--anchors", "anchor_log", default=None, type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="An anchor log (head --record FILE): prove every head in it is still where it was.")
@click.option("--deep", is_flag=True, help="Also re-fold every hazard and compare it with the projection.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object for scripts (the exit code is the same).")
def verify_command(db: str | None, anchor: str | None, anchor_log: str | None, deep: bool, as_json: bool) -> None:
    """Check the hash chain; exit 1 naming the first broken event."""
    from hazardloop.sqlverify import read_anchor_log

    anchors: tuple = ()
    if anchor_log is not None:
        try:
            with open(anchor_log, encoding="utf-8-sig") as fh:
                anchors = read_anchor_log(fh.read(), anchor_log)
        except (ValueError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"{anchor_log}: not an anchor log: {exc}") from None
        if not anchors:
            raise click.ClickException(f"{anchor_log}: the anchor log holds no head")
    with _open(db) as store:
        report = store.verify(anchor=anchor.strip().lower() if anchor else None, anchors=anchors, deep=deep)
    if as_json:
        click.echo(json.dumps({
            "ok": report.ok, "events": report.length, "head": report.head,
            "first_broken": report.first_broken, "problems": list(report.problems),
            "anchor_position": report.anchor_position, "anchors_held": report.anchors_held,
        }, ensure_ascii=False))
        sys.exit(0 if report.ok else 1)
    if report.ok:
        click.echo(report.summary())
        return
    click.echo(f"BROKEN: first broken: {report.first_broken}", err=True)
    for problem in report.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


@click.command("export")
@DB_OPTION
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="JSON-lines file (default: stdout).")
def export_command(db: str | None, output: IO[str]) -> None:
    """Write every event as JSON lines; print the chain head (keep it as an anchor)."""
    with _open(db) as store:
        head, length = store.export_jsonl(output)
    click.echo(f"head {head} ({length} events)", err=True)


@click.command("head")
@DB_OPTION
@click.option("--record", "record", default=None, type=click.Path(dir_okay=False), metavar="FILE",
              help="Also append the head, its length and the time to this anchor log (keep it away from the database).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object for scripts.")
def head_command(db: str | None, record: str | None, as_json: bool) -> None:
    """Print the chain's head hash and length (quote it on bulletins; check it with verify --anchor,
    or record it in an anchor log that verify --anchors checks)."""
    with _open(db) as store:
        head, length = store.head()
    if record is not None:
        from hazardloop.clock import SystemClock
        from hazardloop.sqlverify import anchor_line

        with open(record, "a", encoding="utf-8") as fh:  # appended: earlier anchors stay checkable
            fh.write(anchor_line(head, length, SystemClock().now().isoformat(timespec="seconds")))
    click.echo(json.dumps({"head": head, "events": length}) if as_json else f"{head} {length}")


def attach(group: click.Group) -> None:
    """Add ``verify``, ``export`` (also as ``export-events``) and ``head`` to the ``hazardloop`` group."""
    for command in (verify_command, export_command, head_command):
        group.add_command(command)
    group.add_command(export_command, "export-events")
