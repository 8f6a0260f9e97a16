"""Shared fixtures: a temporary instance per test, with its own content folder and database."""

import shutil
from pathlib import Path

import pytest
from helpers import DEMO_CONTENT, Outbox, make_app


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
