"""A bulk import killed with SIGKILL leaves a store that verifies; running it again finishes it (both backends)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from hazardloop.sqlstore import normalise_url, open_store

WORKER = Path(__file__).with_name("store_workers.py")
TOTAL, BATCH = 1500, 50


def _import(url: str, progress: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), url, str(TOTAL), str(BATCH), str(progress)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _committed(progress: Path) -> int:
    lines = progress.read_text(encoding="utf-8").split() if progress.exists() else []
    return int(lines[-1]) if lines else 0


def _duplicates(url: str) -> list:
    engine = sa.create_engine(normalise_url(url))
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT hazard_id, seq FROM hl_events GROUP BY hazard_id, seq HAVING COUNT(*) > 1").all()
    engine.dispose()
    return rows


def test_an_import_killed_mid_way_leaves_whole_batches_and_resumes(store_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with open_store(store_url):
        pass  # create the schema first, so the import's first batch is not also the migration
    progress = tmp_path / "progress.txt"
    proc = _import(store_url, progress)
    deadline = time.monotonic() + 120
    while _committed(progress) < BATCH and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    reported = _committed(progress)
    assert reported >= BATCH

    with open_store(store_url) as store:
        report = store.verify(deep=True)
        assert report.ok, report.problems
        hazards = store.count()
        assert hazards % BATCH == 0, "a batch was stored in part"
        assert reported <= hazards <= reported + BATCH  # the batch in flight may have committed unreported
        assert hazards < TOTAL, "the import finished before it was killed"
        assert store.event_count() == 2 * hazards == report.length

    again = _import(store_url, tmp_path / "progress2.txt")
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err.decode()
    with open_store(store_url) as store:
        assert store.count() == TOTAL
        assert store.event_count() == 2 * TOTAL
        assert sorted(store.hazard_ids()) == [f"IMP{n:06d}" for n in range(TOTAL)]
        assert store.verify().ok
    assert _duplicates(store_url) == []
