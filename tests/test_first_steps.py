"""A new association's dashboard: its next step (a first petition) and the first steps, ticked
as they are done, gone once all are."""

import re

import pytest
from helpers import csrf_token, member_client, petition_meta, write_md

ORG = "nouvelle"
ADMIN = f"/{ORG}/admin/"


@pytest.fixture
def fresh(app, content_dir):
    """An association as the hoster creates it: a name and a language, nothing else."""
    write_md(content_dir / ORG / "association.md", {"name": "Nouvelle", "language": "fr"}, "")
    refresh(app)
    return content_dir / ORG


def refresh(app):
    with app.app_context():
        app.extensions["chaton_content"].refresh()


def steps(html):
    """{link: done} of the first steps listed."""
    found = re.findall(r'<li class="step step-(done|todo)">.*?<a href="([^"]+)">', html, re.S)
    return {url: state == "done" for state, url in found}


def test_an_empty_dashboard_offers_the_first_petition_and_the_steps_to_do(app, fresh):
    admin = member_client(app, ORG, "admin")
    admin.set_cookie("lang", "fr")
    html = admin.get(ADMIN).get_data(as_text=True)
    assert '<h2 id="first-steps-title">Créez votre première pétition</h2>' in html
    assert f'<a class="button primary" href="/{ORG}/admin/campaigns/new/petition">' in html
    assert steps(html) == {
        f"/{ORG}/admin/campaigns/new/petition": False,
        f"/{ORG}/admin/settings#description": False,
        f"/{ORG}/admin/settings#color": False,
        f"/{ORG}/admin/settings#logo_file": False,
        f"/{ORG}/admin/members#email": False,
    }
    assert "à faire" in html and "Aucune pétition pour le moment." in html


def test_each_step_is_ticked_when_done_and_the_list_goes_once_all_are(app, fresh):
    admin = member_client(app, ORG, "admin")
    write_md(fresh / "petitions" / "parc.md", petition_meta(status="draft"))
    refresh(app)
    html = admin.get(ADMIN).get_data(as_text=True)
    assert "Create your first petition</h2>" not in html
    assert '<h2 id="first-steps-title">To get started</h2>' in html
    assert steps(html)[f"/{ORG}/admin/campaigns/new/petition"] is True
    assert steps(html)[f"/{ORG}/admin/settings#color"] is False

    (fresh / "images").mkdir()
    (fresh / "images" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    write_md(fresh / "association.md", {"name": "Nouvelle", "language": "fr", "color": "#1e5b8a",
                                        "description": "Un parc pour tous.",
                                        "logo": "images/logo.png"}, "")
    refresh(app)
    html = admin.get(ADMIN).get_data(as_text=True)
    assert steps(html) == {
        f"/{ORG}/admin/campaigns/new/petition": True,
        f"/{ORG}/admin/settings#description": True,
        f"/{ORG}/admin/settings#color": True,
        f"/{ORG}/admin/settings#logo_file": True,
        f"/{ORG}/admin/members#email": False,
    }

    url = f"/{ORG}/admin/members"
    response = admin.post(url, data={"csrf_token": csrf_token(admin, url),
                                     "email": "camille@example.org", "role": "editor"})
    assert response.status_code == 303
    html = admin.get(ADMIN).get_data(as_text=True)
    assert 'class="first-steps' not in html and steps(html) == {}


def test_an_editor_sees_only_the_steps_an_editor_can_do(app, fresh):
    editor = member_client(app, ORG, "editor")
    html = editor.get(ADMIN).get_data(as_text=True)
    assert steps(html) == {f"/{ORG}/admin/campaigns/new/petition": False}
    moderator = member_client(app, ORG, "moderator")
    assert 'class="first-steps' not in moderator.get(ADMIN).get_data(as_text=True)
