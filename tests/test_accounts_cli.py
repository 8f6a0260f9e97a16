"""`chaton account ...`: the hoster's commands for accounts, and the links they print."""

import os
import re

import pytest
from click.testing import CliRunner
from helpers import csrf_token

from chaton.cli import main

ORG = "quartiers-solidaires"


@pytest.fixture
def run(app, content_dir):
    def invoke(*args):
        env = {k: None for k in os.environ if k.startswith("CHATON_")}
        env.update(CHATON_SECRET_KEY="test-secret", CHATON_CONTENT_DIR=str(content_dir),
                   CHATON_BASE_URL="http://localhost", CHATON_IMMEDIATE_TASKS="1")
        result = CliRunner().invoke(main, ["--instance", app.instance_path, *args], env=env)
        return result
    return invoke


def path_of(output):
    return re.search(r"http://localhost(/\S+)", output).group(1)


def test_create_prints_a_sign_in_link_that_works_once(app, run):
    result = run("account", "create", "Lea@Example.org", "--name", "Léa", "--org", ORG,
                 "--role", "editor")
    assert result.exit_code == 0, result.output
    link = path_of(result.output)
    client = app.test_client()
    assert client.post(link, data={"csrf_token": csrf_token(client, link)}).status_code == 303
    assert client.get(f"/{ORG}/admin/").status_code == 200
    assert client.get(f"/{ORG}/admin/members").status_code == 403  # an editor
    listed = run("account", "list").output
    assert f"lea@example.org\tLéa\t{ORG}:editor" in listed


def test_invite_needs_an_association_or_hoster(run):
    assert run("account", "invite", "x@example.org").exit_code != 0
    assert run("account", "invite", "x@example.org", "--org", "nope").exit_code != 0


def test_hoster_invitation_from_the_command_line(app, run, outbox):
    result = run("account", "invite", "host@example.org", "--hoster")
    assert result.exit_code == 0, result.output
    link = path_of(result.output)
    assert link in outbox.last_to("host@example.org").get_body().get_content()
    client = app.test_client()
    response = client.post(link, data={"csrf_token": csrf_token(client, link), "name": "Hô",
                                        "password": "une longue phrase secrète"})
    assert response.status_code == 303
    assert client.get("/hoster/").status_code == 200
    assert "hoster" in run("account", "list").output


def test_disable_ends_sessions_and_link_recovers_nobody_disabled(app, run):
    link = path_of(run("account", "create", "gone@example.org", "--org", ORG).output)
    client = app.test_client()
    client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert client.get(f"/{ORG}/admin/").status_code == 200
    assert run("account", "disable", "gone@example.org").exit_code == 0
    assert client.get(f"/{ORG}/admin/").status_code == 302
    again = path_of(run("account", "link", "gone@example.org").output)
    client.post(again, data={"csrf_token": csrf_token(client, again)})
    assert client.get(f"/{ORG}/admin/").status_code == 302
    assert "(disabled)" in run("account", "list").output
    assert run("account", "link", "nobody@example.org").exit_code != 0
