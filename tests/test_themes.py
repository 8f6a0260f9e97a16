"""Theme lookup: association folder, then the chosen theme, then the default theme."""

import shutil

from helpers import PETITION_URL, body_of, make_app, sign, write_md

from chaton.core.settings import PROJECT_ROOT


def themes_with_bright(tmp_path):
    root = tmp_path / "themes"
    shutil.copytree(PROJECT_ROOT / "themes", root)
    bright = root / "bright"
    (bright / "templates").mkdir(parents=True)
    (bright / "static/css").mkdir(parents=True)
    (bright / "templates/base.html").write_text(
        '{% extends "default:base.html" %}{% block body_class %}bright{% endblock %}')
    (bright / "static/css/site.css").write_text("body { background: yellow; }")
    return root


def test_association_theme_extends_the_default(tmp_path, content_dir):
    org = content_dir / "velo-pour-tous/association.md"
    org.write_text(org.read_text().replace("language: fr", "language: fr\ntheme: bright"))
    app = make_app(tmp_path, content_dir, themes_dir=str(themes_with_bright(tmp_path)))
    client = app.test_client()
    velo = client.get("/velo-pour-tous/").get_data(as_text=True)
    assert 'class="bright"' in velo and "/theme/bright/css/site.css" in velo
    other = client.get("/quartiers-solidaires/").get_data(as_text=True)
    assert 'class="bright"' not in other and "/theme/default/css/site.css" in other
    assert b"yellow" in client.get("/theme/bright/css/site.css").data
    assert client.get("/theme/bright/favicon.svg").status_code == 200  # falls back to default


def test_association_can_override_one_template(client, content_dir):
    write_md(content_dir / "quartiers-solidaires/templates/petition.html", {"x": 1})
    (content_dir / "quartiers-solidaires/templates/petition.html").write_text(
        '{% extends "default:petition.html" %}{% block title %}Custom {{ petition.title }}{% endblock %}')
    html = client.get(PETITION_URL).get_data(as_text=True)
    assert "<title>Custom Une école" in html
    other = client.get("/velo-pour-tous/petitions/piste-cyclable-avenue-gambetta")
    assert "<title>Custom" not in other.get_data(as_text=True)


def test_unknown_theme_falls_back_to_default(tmp_path, content_dir):
    org = content_dir / "velo-pour-tous/association.md"
    org.write_text(org.read_text().replace("language: fr", "language: fr\ntheme: missing"))
    client = make_app(tmp_path, content_dir).test_client()
    assert "/theme/default/css/site.css" in client.get("/velo-pour-tous/").get_data(as_text=True)


def test_a_mail_is_rendered_through_its_associations_theme(client, content_dir, outbox):
    """The worker names the association to `render`; no request of that association exists
    (the mail is sent from a task), yet its own template is used, and only for it."""
    (content_dir / "quartiers-solidaires/templates/mail").mkdir(parents=True)
    (content_dir / "quartiers-solidaires/templates/mail/confirm.txt").write_text(
        "Merci de la part des Quartiers solidaires\n{% include 'default:mail/confirm.txt' %}")
    assert sign(client).status_code in (200, 303)
    assert body_of(outbox.last_to("ada@example.org")).startswith("Merci de la part des Quartiers")
    sign(client, "/velo-pour-tous/petitions/piste-cyclable-avenue-gambetta", email="bob@example.org")
    assert "Quartiers solidaires" not in body_of(outbox.last_to("bob@example.org"))
