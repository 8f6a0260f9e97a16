"""Shared fixtures: a temporary instance per test, with its own content folder and database."""

import shutil
from pathlib import Path

import compiled
import databases
import pytest
from helpers import DEMO_CONTENT, Outbox, make_app


def pytest_configure(config):
    compiled.install()  # templates and URL rules compiled once per test process


def pytest_collection_modifyitems(config, items):
    """Longest files first, so that no worker is left alone with a long one at the end (with
    `--dist loadfile`, a file runs on one worker): the browser files, then those that start
    servers (`slow`), then the rest; the most tests first within each. The order of the tests
    within a file stays as written."""
    modules = {}
    for item in items:
        modules.setdefault(item.module, []).append(item)

    def cost(module):
        marks = {m.name for item in modules[module] for m in item.iter_markers()}
        return ("browser" not in marks, "slow" not in marks, -len(modules[module]))

    items[:] = [item for module in sorted(modules, key=cost) for item in modules[module]]


def pytest_report_header(config):
    return f"chaton database engine: {databases.ENGINE}"


@pytest.fixture(scope="session", autouse=True)
def _test_databases():
    """With PostgreSQL, drop at the end whatever databases are left (module-wide servers)."""
    yield
    if databases.POSTGRESQL:
        databases.drop_all()


@pytest.fixture(autouse=True)
def _test_database_cleanup():
    """With PostgreSQL, drop the databases a test made once it ends (set up after the module
    fixtures, so a module-wide server keeps its database until the end of the session)."""
    count = databases.created_count()
    yield
    if databases.POSTGRESQL:
        databases.drop_created_after(count)


@pytest.fixture
def content_dir(tmp_path):
    """A copy of the demo content that a test may change."""
    target = tmp_path / "content"
    shutil.copytree(DEMO_CONTENT, target)
    return target


@pytest.fixture
def app(tmp_path, content_dir):
    # no app context stays pushed: each request must get its own, as in production
    return make_app(tmp_path, content_dir)


@pytest.fixture
def client(app):
    """A browser whose visitor chose English (the French path has its own tests)."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def outbox(app):
    return Outbox(Path(app.instance_path) / "outbox")


@pytest.fixture
def demo(app):
    """The demo petitions with their example signatures."""
    from chaton.petitions.demo import seed

    seed()
    return app


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for a browser test module (skipped without it: tests/browsers.py)."""
    from browsers import chromium

    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def smtp():
    """A real SMTP server for a test module, collecting what the app sends."""
    from servers import SmtpSink

    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()
