"""``hazardloop verify --json`` and ``head --json``: what a script reads, on both backends."""

from __future__ import annotations

import json

from click.testing import CliRunner
from store_scenarios import scripted

from hazardloop.cli import cli
from hazardloop.sqlstore import open_store
from hazardloop.testing import make_register


def test_verify_and_head_print_json(store_url) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_url) as store:
        register, clock = make_register("2026-01-05", store=store)
        scripted(register, clock)
        head, length = store.head()
    runner = CliRunner()
    result = runner.invoke(cli, ["head", "--db", store_url, "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == {"head": head, "events": length}
    result = runner.invoke(cli, ["verify", "--db", store_url, "--json", "--anchor", head])
    got = json.loads(result.output)
    assert result.exit_code == 0 and got["ok"] is True
    assert (got["events"], got["head"], got["anchor_position"], got["first_broken"]) == (length, head, length, None)
    result = runner.invoke(cli, ["verify", "--db", store_url, "--json", "--anchor", "ab" * 32])
    got = json.loads(result.output)
    assert result.exit_code == 1 and got["ok"] is False and got["problems"]
