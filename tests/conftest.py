"""Fixtures: one migrated database per run, one rolled-back transaction per test.

The suite runs against SQLite by default and against PostgreSQL when `TEST_DATABASE_URL`
points there (`.ci/run` does both). With `REQUIRE_POSTGRES=1` (CI) a missing or unreachable
PostgreSQL fails the run instead of skipping.

Under pytest-xdist (`make test` runs `-n 2`) each worker is a process of its own with its own
SQLite file (`tmp_path_factory` is per worker) and, on PostgreSQL, its own database
`<TEST_DATABASE_URL's name>_gw0`, `_gw1`, … made on the server when the worker starts and
dropped when it ends.

Hypothesis runs the `dev` profile (few examples) unless `CI=true` or `HYPOTHESIS_PROFILE=ci`
asks for the thorough `ci` profile; tests that set `max_examples` themselves keep it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings

from pilot_tracker import create_app
from pilot_tracker.extensions import db, limiter
from pilot_tracker.services import sessions


def database_url() -> str:
    """The database under test; a temporary SQLite file unless told otherwise."""
    return os.environ.get("TEST_DATABASE_URL", "")


# No deadline: on a shared 2-core machine an example's time measures the neighbours, not the
# code (the suite's own duration is what is watched). Slow data generation is no failure.
settings.register_profile(
    "dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
    print_blob=True,
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("ci" if os.environ.get("CI", "").lower() in ("true", "1") else "dev")
)


def pytest_configure(config: pytest.Config) -> None:
    """An xdist worker on PostgreSQL gets a fresh database of its own (the `app` fixture drops
    and recreates the public schema, so workers cannot share one); every test, including
    those that read TEST_DATABASE_URL themselves, then sees the worker's database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = database_url()
    if not worker or not url.startswith("postgresql"):
        return
    base = sa.make_url(url)
    worker_url = base.set(database=f"{base.database}_{worker}")
    _recreate_database(worker_url, drop_only=False)
    config.stash[_WORKER_DATABASE] = worker_url
    os.environ["TEST_DATABASE_URL"] = worker_url.render_as_string(hide_password=False)


def pytest_unconfigure(config: pytest.Config) -> None:
    worker_url = config.stash.get(_WORKER_DATABASE, None)
    if worker_url is not None:
        _recreate_database(worker_url, drop_only=True)


_WORKER_DATABASE = pytest.StashKey[sa.URL]()


def _recreate_database(url: sa.URL, *, drop_only: bool) -> None:
    """Drop the database `url` names (and create it again) through the server's maintenance
    database `postgres`."""
    name = url.database
    assert name and re.fullmatch(r"\w+", name), f"unexpected database name {name!r}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if not drop_only:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app, with the schema built by the real migrations (not `create_all`)."""
    url = database_url() or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "localhost"})
    with app.app_context():
        if url.startswith("postgresql"):
            _reset_postgres_schema()
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _reset_postgres_schema() -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test runs in a transaction that is rolled back; services' commits become
    savepoint releases, so tests stay independent and fast on both databases."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    # No app context stays pushed during the test: a request made inside one would reuse it,
    # and with it `g` (Flask-Login's cached user, Flask-Babel's locale) from the last request.
    # Tests that call services wrap them in `with app.app_context():` and make requests
    # outside such blocks.
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
    original = db.session
    # A plain Session: Flask-SQLAlchemy's own ignores `bind` and would pick the engine.
    db.session = _RequestScopedSession(
        sa.orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    )
    limiter.reset()
    try:
        yield
    finally:
        db.session.close_for_real()
        db.session = original
        outer.rollback()
        connection.close()


class _RequestScopedSession(sa.orm.scoped_session):  # type: ignore[type-arg]
    """One session for the whole test. The end of a request or app context (where
    Flask-SQLAlchemy calls `remove`) discards uncommitted work and expires everything, like a
    fresh session would, but keeps the test's objects attached so it can keep using them."""

    def remove(self) -> None:
        session = self.registry()
        session.rollback()
        session.expire_all()

    def close_for_real(self) -> None:
        super().remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """The CLI runner."""
    return app.test_cli_runner()


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of a form page, as a browser would read it."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no csrf_token on {path}"
    return match.group(1) or match.group(2)


# The slowest modules, slowest first (per-file sums of the test durations of a `make test`
# with CI=true, 2026-12-03, after the axe scans' fix; refresh from `pytest --junitxml` when
# the order changes much).
# Under `--dist loadfile --no-loadscope-reorder` (`make test`) pytest-xdist hands modules out
# in collection order, each to the first free worker; giving out the long ones first leaves
# only short ones for the end, so that no core idles while the other finishes a long module.
# (pytest-xdist's own order, most tests first, left the one-test modules that build a wheel,
# start two servers or validate HTML with Java for the very end.)
SLOW_MODULES = (
    "tests/test_hostile_probes.py",
    "tests/e2e/test_axe.py",
    "tests/e2e/test_axe_others.py",
    "tests/test_hostile_forms.py",
    "tests/test_permission_matrix.py",
    "tests/test_aggregates.py",
    "tests/e2e/test_charts_glance_browser.py",
    "tests/e2e/test_print_browser.py",
    "tests/e2e/test_charts_phone_browser.py",
    "tests/test_costs_incremental.py",
    "tests/test_wheel_install.py",
    "tests/e2e/test_languages_browser.py",
    "tests/test_authorization_sweep.py",
    "tests/e2e/test_feedback_browser.py",
    "tests/e2e/test_joint_browser.py",
    "tests/test_api_property.py",
    "tests/e2e/test_help_screenshots_browser.py",
    "tests/test_shared_limits.py",
    "tests/test_municipality_costs_reference.py",
    "tests/test_two_servers.py",
    "tests/e2e/test_dashboards_browser.py",
    "tests/e2e/test_phone_browser.py",
    "tests/test_hostile_import.py",
    "tests/e2e/test_workflows_browser.py",
    "tests/e2e/test_axe_costs.py",
    "tests/test_joint_membership_property.py",
    "tests/e2e/test_chart_dates_browser.py",
    "tests/test_html_validity.py",
    "tests/test_openapi_client.py",
    "tests/e2e/test_mail_browser.py",
    "tests/e2e/test_decision_support_browser.py",
    "tests/e2e/test_keyboard_browser.py",
    "tests/test_exchange_joint.py",
    "tests/test_api_pilots.py",
    "tests/e2e/test_monthly_browser.py",
    "tests/test_error_catalogue.py",
    "tests/e2e/test_charts_lazy_browser.py",
    "tests/test_stale.py",
    "tests/test_dashboards.py",
    "tests/domain/test_cost_split.py",
)
ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` run only in the PostgreSQL pass; elsewhere they are
    deselected (not skipped: in CI a skip is a failure). Then the modules are put in the
    order in which `make test` should hand them to its workers: SLOW_MODULES first, the
    others by their number of tests, most first (pytest-xdist's own rule); a module's tests
    keep their order."""
    if not database_url().startswith("postgresql"):
        keep = [item for item in items if item.get_closest_marker("postgres") is None]
        dropped = [item for item in items if item.get_closest_marker("postgres") is not None]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = keep
    items[:] = _slowest_modules_first(items)


def _slowest_modules_first(items: list[pytest.Item]) -> list[pytest.Item]:
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(_module_of(item), []).append(item)
    rank = {name: n for n, name in enumerate(SLOW_MODULES)}
    order = sorted(modules, key=lambda name: (rank.get(name, len(rank)), -len(modules[name])))
    return [item for name in order for item in modules[name]]


def _module_of(item: pytest.Item) -> str:
    path = Path(str(item.path))
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (`REQUIRE_ALL_TESTS=1`) a skipped test is a failure: nothing may quietly not run."""
    if os.environ.get("REQUIRE_ALL_TESTS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        print(f"\n{skipped} test(s) skipped, but REQUIRE_ALL_TESTS=1 forbids skips in CI.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


class Actors:
    """One user per role the permission rules distinguish, plus two vendors."""

    def __init__(self) -> None:
        from pilot_tracker.domain.enums import Role
        from tests.factories import make_user, make_vendor

        self.vendor_a = make_vendor("Vendor A Oy", "0201256-6")
        self.vendor_b = make_vendor("Vendor B Oy", "0101263-6")
        self.admin = make_user(Role.ADMIN, email="admin@example.com")
        self.coordinator = make_user(Role.COORDINATOR, email="coordinator@example.com")
        self.council = make_user(Role.COUNCIL, email="council@example.com")
        self.council_tied = make_user(
            Role.COUNCIL, email="council418@example.com", municipality_code="418"
        )
        self.vendor_user = make_user(
            Role.VENDOR, email="vendor-a@example.com", vendor_id=self.vendor_a.id
        )
        self.other_vendor_user = make_user(
            Role.VENDOR, email="vendor-b@example.com", vendor_id=self.vendor_b.id
        )

    def by_name(self, name: str) -> Any:
        """`anonymous` → None, else the user of that attribute name."""
        return None if name == "anonymous" else getattr(self, name)


ACTOR_NAMES = (
    "anonymous",
    "council",
    "council_tied",
    "vendor_user",
    "other_vendor_user",
    "coordinator",
    "admin",
)


@pytest.fixture
def actors(app: Flask) -> Actors:
    """Users of every role (inside the test's rolled-back transaction)."""
    with app.app_context():
        return Actors()


def login_as(client: FlaskClient, user: Any) -> FlaskClient:
    """Sign `user` in by setting the session as Flask-Login does (no password hashing)."""
    key = None
    if user is not None:
        with client.application.app_context():
            key = sessions.start(user.id)  # the server-side session row, as /login makes it
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session[sessions.SESSION_KEY] = key
    return client
