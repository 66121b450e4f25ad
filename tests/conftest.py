import os

from hypothesis import HealthCheck, settings

# A thorough profile for CI and a quick one for local runs (HYPOTHESIS_PROFILE overrides).
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


# ---------------------------------------------------------------------------------------------
# The durable store (issue 5): one suite, two backends. Tests take ``store_url`` (a fresh, empty
# database) or ``new_store_url`` (a factory of them); the PostgreSQL case needs
# HAZARDLOOP_TEST_PG_URL and is skipped without it, except under CI=true, where a skipped
# PostgreSQL test fails the run (see pytest_runtest_makereport below).
# ---------------------------------------------------------------------------------------------

import contextlib  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from urllib.parse import quote  # noqa: E402

import pytest  # noqa: E402

PG_ENV = "HAZARDLOOP_TEST_PG_URL"
BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)]


def _pg_schema_url(base: str, schema: str) -> str:
    """The URL of a schema of the test database: every connection gets it as its search path."""
    import psycopg

    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


def _pg_drop(base: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=BACKENDS)
def store_backend(request: pytest.FixtureRequest) -> str:
    """The backend under test: ``sqlite`` or ``postgresql``."""
    if request.param == "postgresql" and not os.environ.get(PG_ENV):
        pytest.skip(f"PostgreSQL tests need {PG_ENV}")
    return request.param


@contextlib.contextmanager
def _pg_schemas() -> Iterator[Callable[[], str]]:
    """A factory of URLs of fresh PostgreSQL schemas, each dropped at the end."""
    made: list[str] = []

    def make() -> str:
        schema = f"hl_test_{uuid.uuid4().hex[:12]}"
        made.append(schema)
        return _pg_schema_url(os.environ[PG_ENV], schema)

    try:
        yield make
    finally:
        for schema in made:
            _pg_drop(os.environ[PG_ENV], schema)


@pytest.fixture
def new_store_url(store_backend: str, tmp_path):  # type: ignore[no-untyped-def]
    """A factory of URLs of fresh, empty databases on the backend under test."""
    if store_backend == "sqlite":
        yield lambda: f"sqlite:///{tmp_path / f'store-{uuid.uuid4().hex[:8]}.db'}"
        return
    with _pg_schemas() as make:
        yield make


@pytest.fixture
def store_url(new_store_url):  # type: ignore[no-untyped-def]
    """The URL of a fresh, empty database on the backend under test."""
    return new_store_url()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """Under CI=true a skipped PostgreSQL test is a failure: CI must run the store on a real server."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") and item.get_closest_marker("postgres") is not None:
        report.outcome = "failed"
        report.longrepr = f"PostgreSQL test skipped under CI=true (set {PG_ENV}): {report.longrepr}"


@pytest.fixture
def pg_store_url(tmp_path):  # type: ignore[no-untyped-def]
    """A factory of fresh PostgreSQL schemas (for tests that run on PostgreSQL only)."""
    if not os.environ.get(PG_ENV):
        pytest.skip(f"PostgreSQL tests need {PG_ENV}")
    with _pg_schemas() as make:
        yield make
