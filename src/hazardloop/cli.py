"""The ``hazardloop`` command. It only calls the library; each command group lives in its own module."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click

from hazardloop.errors import HazardloopError

__all__ = ["main", "cli", "open_register", "DEFAULT_DB"]

DEFAULT_DB = "sqlite:///hazardloop.db"


def resolve_db(db: str | None) -> str:
    """The database URL: ``--db``, else HAZARDLOOP_DB, else a SQLite file in the current directory."""
    return db or os.environ.get("HAZARDLOOP_DB") or DEFAULT_DB


def open_register(db: str | None, **kwargs):  # type: ignore[no-untyped-def]
    """Open the register stored at ``db`` (see :func:`resolve_db`) on the system clock."""
    from hazardloop.clock import SystemClock
    from hazardloop.sqlstore import register_on

    # computes with the configuration stored with the register (limit tables, tiers, calendar), if any
    return register_on(resolve_db(db), clock=kwargs.pop("clock", SystemClock()), **kwargs)


@click.group()
@click.version_option(package_name="hazardloop")
def cli() -> None:
    """hazardloop: hidden-hazard registers (事故隐患台账) and their closed loop."""


def main() -> NoReturn:
    """Console entry point: one clear line and a non-zero exit on any hazardloop error."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except HazardloopError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    sys.exit(0)


# The command groups, each in its own module and attached here. The store's commands come first:
# the ledger's `export OUT.xlsx` then takes over the name `export` and hands other arguments to
# the store's event export, which is also `export-events`.
from hazardloop.cli_config import attach as _attach_config  # noqa: E402  (config set, config show)
from hazardloop.cli_ledger import attach as _attach_ledger  # noqa: E402  (import, export OUT.xlsx)
from hazardloop.cli_loop import attach as _attach_loop  # noqa: E402  (list, show, add, the verbs, units, plugins)
from hazardloop.cli_reports import attach as _attach_reports  # noqa: E402  (report, map, demo)
from hazardloop.cli_store import attach as _attach_store  # noqa: E402  (verify, export, export-events, head)

_attach_store(cli)
_attach_config(cli)
_attach_ledger(cli)
_attach_loop(cli)
_attach_reports(cli)
