"""The association's settings page: association.md rewritten by a form, colours, mails, privacy."""

from datetime import date, timedelta
from email.utils import parseaddr

import yaml
from click.testing import CliRunner
from helpers import (
    PETITION_URL,
    body_of,
    csrf_token,
    member_client,
    petition_meta,
    sign,
    write_md,
)

from chaton.cli import main
from chaton.core import frontmatter as fm

ORG = "quartiers-solidaires"
OTHER = "velo-pour-tous"
PAGE = f"/{ORG}/admin/settings"
BODY = "Nous sommes un collectif.\n\nDeuxième paragraphe, **en gras**."


def hand_written(content_dir):
    """association.md as a person wrote it, with a field Chaton does not know."""
    return write_md(content_dir / ORG / "association.md", {
        "name": "Quartiers Solidaires", "logo": "images/logo.svg",
        "contact": {"email": "contact@qs.example"}, "language": "fr", "country": "FR",
        "newsletter_day": "lundi"}, BODY)


def form_values(**changes):
    values = {"name": "Quartiers Solidaires", "description": "", "contact_email":
              "contact@qs.example", "contact_website": "", "contact_address": "", "language": "fr",
              "theme": "", "color": "", "sender_name": "", "privacy_contact": "",
              "retention_days": ""}
    values.update(changes)
    return values


def checksum_of(html):
    return html.split('name="checksum" value="', 1)[1].split('"', 1)[0]


def submit(admin, **changes):
    html = admin.get(PAGE).get_data(as_text=True)
    data = {"csrf_token": csrf_token(admin, PAGE), "checksum": checksum_of(html),
            **form_values(**changes)}
    return admin.post(PAGE, data=data)


def front_matter(path):
    header, body, _line = fm.split(path.read_text(encoding="utf-8"))
    return yaml.safe_load(header), body


def test_settings_round_trip_keeps_unknown_keys_and_the_text(app, client, content_dir):
    path = hand_written(content_dir)
    admin = member_client(app, ORG)
    form = admin.get(PAGE).get_data(as_text=True)
    assert 'value="Quartiers Solidaires"' in form and 'value="contact@qs.example"' in form
    done = submit(admin, name="Quartiers Solidaires et Voisins", color="#1F5F8B",
                  sender_name="QS Pétitions", privacy_contact="dpo@qs.example",
                  retention_days="90", contact_website="https://qs.example",
                  description="Un collectif du quartier.")
    assert done.status_code == 303 and done.location.endswith(PAGE)
    assert "The settings are saved." in admin.get(PAGE).get_data(as_text=True)

    meta, body = front_matter(path)
    assert meta["newsletter_day"] == "lundi" and meta["logo"] == "images/logo.svg"
    assert meta["country"] == "FR"
    assert meta["name"] == "Quartiers Solidaires et Voisins" and meta["color"] == "#1f5f8b"
    assert meta["retention_days"] == 90 and meta["privacy_contact"] == "dpo@qs.example"
    assert meta["contact"] == {"email": "contact@qs.example", "website": "https://qs.example"}
    assert list(meta)[:3] == ["name", "logo", "contact"]  # the person's order stays
    assert body.strip() == BODY

    page = client.get(f"/{ORG}/").get_data(as_text=True)
    assert "Quartiers Solidaires et Voisins" in page and "Un collectif du quartier." in page
    style_url = page.split(f'href="/{ORG}/style.css', 1)[1].split('"', 1)[0]
    style = client.get(f"/{ORG}/style.css" + style_url.replace("&amp;", "&"))
    assert style.mimetype == "text/css" and "--accent: #1f5f8b;" in style.get_data(as_text=True)
    assert style.headers["Cache-Control"] == "public, max-age=86400"
    again = client.get(f"/{ORG}/style.css", headers={"If-None-Match": style.headers["ETag"]})
    assert again.status_code == 304
    assert f"/{OTHER}/style.css" not in client.get(f"/{OTHER}/").get_data(as_text=True)
    log = admin.get(f"/{ORG}/admin/audit").get_data(as_text=True)
    assert "Settings changed" in log and "color" in log


def test_a_pale_colour_is_refused_and_what_was_typed_is_kept(app, content_dir):
    path = hand_written(content_dir)
    before = path.read_text(encoding="utf-8")
    admin = member_client(app, ORG)
    refused = submit(admin, name="Nouveau nom", color="#ffcc00", privacy_contact="not-an-email")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "contrast of only 1.5:1" in html and "4.5:1" in html
    assert 'value="#ffcc00"' in html and 'value="Nouveau nom"' in html
    assert 'href="#color"' in html and 'href="#privacy_contact"' in html
    assert ('id="color" name="color" maxlength="7" aria-describedby="color-hint color-error" '
            'aria-invalid="true" type="text" value="#ffcc00"') in html
    assert path.read_text(encoding="utf-8") == before


def test_a_file_changed_meanwhile_is_not_overwritten(app, content_dir):
    path = hand_written(content_dir)
    admin = member_client(app, ORG)
    html = admin.get(PAGE).get_data(as_text=True)
    path.write_text(path.read_text(encoding="utf-8") + "\nAjouté à la main.\n", encoding="utf-8")
    stale = admin.post(PAGE, data={"csrf_token": csrf_token(admin, PAGE),
                                   "checksum": checksum_of(html),
                                   **form_values(name="Écrasé ?")})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "changed since you opened this page" in page and 'value="Écrasé ?"' in page
    assert "Ajouté à la main." in path.read_text(encoding="utf-8")
    assert front_matter(path)[0]["name"] == "Quartiers Solidaires"


def test_only_this_associations_admins_reach_its_settings(app, client):
    # another association's admin is refused with a 403 that says why (was a 404, issue 14)
    refused = member_client(app, OTHER).get(PAGE)
    assert refused.status_code == 403
    assert "You are not a member of Quartiers Solidaires" in refused.get_data(as_text=True)
    editor = member_client(app, ORG, "editor")
    refused = editor.get(PAGE)
    assert refused.status_code == 403
    assert "Your role in Quartiers Solidaires (Editor) does not allow this" in refused.get_data(
        as_text=True)
    assert "/admin/settings" not in editor.get(f"/{ORG}/admin/").get_data(as_text=True)
    admin = member_client(app, ORG)
    assert f'href="{PAGE}"' in admin.get(f"/{ORG}/admin/").get_data(as_text=True)
    assert client.get(PAGE).status_code == 302
    other = member_client(app, OTHER, email="admin2@example.org")
    response = other.post(PAGE, data={"csrf_token": csrf_token(other, f"/{OTHER}/admin/"),
                                      **form_values(name="Pirate")})
    assert response.status_code == 403  # was 404 (issue 14: a refusal says so)


def test_mails_carry_the_sender_name_reply_to_and_privacy_contact(app, client, content_dir,
                                                                  outbox):
    hand_written(content_dir)
    admin = member_client(app, ORG)
    assert submit(admin, sender_name="QS Pétitions", privacy_contact="dpo@qs.example"
                  ).status_code == 303
    sign(client, email="ada@example.org")
    mail = outbox.last_to("ada@example.org")
    name, address = parseaddr(mail["From"])
    assert name == "QS Pétitions" and address == "noreply@localhost"  # the instance's address
    assert parseaddr(mail["Reply-To"])[1] == "contact@qs.example"
    assert "dpo@qs.example" in body_of(mail)
    # without a contact e-mail, no Reply-To; without sender_name, the association's name
    assert submit(admin, contact_email="", sender_name="").status_code == 303
    sign(client, email="bob@example.org")
    plain = outbox.last_to("bob@example.org")
    assert plain["Reply-To"] is None and parseaddr(plain["From"])[0] == "Quartiers Solidaires"


def test_privacy_notice_of_an_association(app, client, content_dir):
    hand_written(content_dir)
    admin = member_client(app, ORG)
    assert submit(admin, privacy_contact="dpo@qs.example", retention_days="90"
                  ).status_code == 303
    page = client.get(f"/{ORG}/privacy").get_data(as_text=True)
    assert 'href="mailto:dpo@qs.example"' in page and "90 days" in page
    assert f'href="/{ORG}/privacy"' in client.get(PETITION_URL).get_data(as_text=True)
    instance = client.get("/privacy").get_data(as_text=True)
    assert "dpo@qs.example" not in instance and "365 days" in instance


def test_the_associations_retention_applies_to_its_petitions(app, content_dir):
    from chaton.petitions import retention

    closed = (date.today() - timedelta(days=40)).isoformat()
    write_md(content_dir / ORG / "petitions/ancienne.md",
             petition_meta(status="open", opens="2020-01-01", closes=closed))
    with app.app_context():
        app.extensions["chaton_content"].refresh()
        assert "ancienne" not in [p.slug for p in retention.due_petitions()]  # 365 days
    meta, body = front_matter(content_dir / ORG / "association.md")
    write_md(content_dir / ORG / "association.md", {**meta, "retention_days": 30}, body)
    with app.app_context():
        app.extensions["chaton_content"].refresh()
        assert "ancienne" in [p.slug for p in retention.due_petitions()]


def test_a_pale_colour_written_by_hand_is_reported_and_not_used(app, client, content_dir):
    meta, body = front_matter(content_dir / ORG / "association.md")
    write_md(content_dir / ORG / "association.md", {**meta, "color": "#ffff00"}, body)
    result = CliRunner().invoke(main, ["content", "check", "--path", str(content_dir)])
    assert result.exit_code == 0
    assert "color: white text on #ffff00 has a contrast of 1.1:1" in result.output
    assert "/* no brand colour */" in client.get(f"/{ORG}/style.css").get_data(as_text=True)
    write_md(content_dir / ORG / "association.md", {**meta, "color": "violet"}, body)
    result = CliRunner().invoke(main, ["content", "check", "--path", str(content_dir)])
    assert result.exit_code == 1 and "expected a colour written #rrggbb" in result.output


def test_a_logo_is_uploaded_checked_and_shown(app, content_dir):
    import io

    from PIL import Image

    hand_written(content_dir)
    admin = member_client(app, ORG)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (91, 42, 134)).save(buffer, "PNG")

    def send(data, filename, **changes):
        html = admin.get(PAGE).get_data(as_text=True)
        fields = {"csrf_token": csrf_token(admin, PAGE), "checksum": checksum_of(html),
                  **form_values(**changes), "logo_file": (io.BytesIO(data), filename)}
        return admin.post(PAGE, data=fields, content_type="multipart/form-data")

    refused = send(b"<svg onload=alert(1)></svg>", "logo.svg", name="Nouveau nom")
    assert refused.status_code == 400 and 'value="Nouveau nom"' in refused.get_data(as_text=True)
    assert front_matter(content_dir / ORG / "association.md")[0]["logo"] == "images/logo.svg"
    assert send(buffer.getvalue(), "Notre Logo!.png").status_code == 303
    meta, body = front_matter(content_dir / ORG / "association.md")
    assert meta["logo"] == "images/notre-logo.png" and meta["newsletter_day"] == "lundi"
    assert (content_dir / ORG / "images" / "notre-logo.png").read_bytes() == buffer.getvalue()
    page = app.test_client().get(f"/{ORG}/").get_data(as_text=True)
    assert f"/{ORG}/media/images/notre-logo.png" in page
    html = admin.get(PAGE).get_data(as_text=True)
    data = {"csrf_token": csrf_token(admin, PAGE), "checksum": checksum_of(html),
            **form_values(), "logo_remove": "y"}
    assert admin.post(PAGE, data=data).status_code == 303
    assert "logo" not in front_matter(content_dir / ORG / "association.md")[0]


def png(color=(91, 42, 134)):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_logo_survives_an_error_in_another_field(app, content_dir):
    import io

    path = hand_written(content_dir)
    admin = member_client(app, ORG)
    html = admin.get(PAGE).get_data(as_text=True)
    first = admin.post(PAGE, content_type="multipart/form-data", data={
        "csrf_token": csrf_token(admin, PAGE), "checksum": checksum_of(html),
        **form_values(contact_email="pas une adresse"), "logo_file": (io.BytesIO(png()), "Logo.png")})
    page = first.get_data(as_text=True)
    assert first.status_code == 400 and 'href="#contact_email"' in page
    assert front_matter(path)[0]["logo"] == "images/logo.svg"  # nothing saved yet
    assert 'name="logo_pending" value="images/logo.png"' in page
    assert f"/{ORG}/media/images/logo.png" in page and "no need to choose it again" in page
    # the person fixes the address and saves, without choosing the file again
    again = admin.post(PAGE, data={"csrf_token": csrf_token(admin, PAGE), "checksum": checksum_of(page),
                                   **form_values(), "logo_pending": "images/logo.png"})
    assert again.status_code == 303
    assert front_matter(path)[0]["logo"] == "images/logo.png"
    assert (content_dir / ORG / "images" / "logo.png").read_bytes() == png()


def test_a_forged_pending_logo_is_ignored(app, content_dir):
    path = hand_written(content_dir)
    admin = member_client(app, ORG)
    for forged in ("../velo-pour-tous/images/logo.png", "/etc/passwd", "images/absent.png",
                   "association.md"):
        html = admin.get(PAGE).get_data(as_text=True)
        done = admin.post(PAGE, data={"csrf_token": csrf_token(admin, PAGE),
                                      "checksum": checksum_of(html), **form_values(),
                                      "logo_pending": forged})
        assert done.status_code == 303, forged
        assert front_matter(path)[0]["logo"] == "images/logo.svg", forged


def test_the_about_text_is_edited_in_the_browser(app, client, content_dir):
    path = hand_written(content_dir)
    admin = member_client(app, ORG)
    html = admin.get(PAGE).get_data(as_text=True)
    assert 'id="about" name="about"' in html and "Deuxième paragraphe, **en gras**." in html
    about = "Nous agissons **ensemble**.\r\n\r\n<script>alert(1)</script>\r\n\r\nDepuis 2019."
    refused = submit(admin, name="", about=about)
    assert refused.status_code == 400 and "Depuis 2019." in refused.get_data(as_text=True)
    assert submit(admin, about=about).status_code == 303
    meta, body = front_matter(path)
    assert body.strip().startswith("Nous agissons **ensemble**.\n\n") and "\r" not in body
    assert meta["newsletter_day"] == "lundi" and meta["logo"] == "images/logo.svg"
    page = client.get(f"/{ORG}/").get_data(as_text=True)
    assert "<strong>ensemble</strong>" in page and "Depuis 2019." in page
    assert "<script>alert(1)" not in page
    log = admin.get(f"/{ORG}/admin/audit").get_data(as_text=True)
    assert "Settings changed" in log and "about" in log
    # a form without the field (an older page) keeps the text
    assert submit(admin, name="Autre nom").status_code == 303
    assert front_matter(path)[1] == body


def test_the_colour_has_a_picker_and_a_live_verdict(app, content_dir):
    hand_written(content_dir)
    admin = member_client(app, ORG)
    html = admin.get(PAGE).get_data(as_text=True)
    assert 'type="color" id="color-picker"' in html and " hidden>" in html.split("color-picker", 1)[1]
    assert 'id="color-verdict"' in html and "Empty: the theme&#39;s colour." in html
    assert "/js/settings.js" in html and 'data-contrast-url="/' + ORG + '/admin/settings/contrast"' in html
    url = f"/{ORG}/admin/settings/contrast"
    dark = admin.get(url, query_string={"color": "#1F5F8B"}).get_json()
    assert dark["usable"] and "6.8:1" in dark["message"]
    pale = admin.get(url, query_string={"color": "ffcc00"}).get_json()
    assert not pale["usable"] and "contrast of only 1.5:1" in pale["message"]
    assert not admin.get(url, query_string={"color": "violet"}).get_json()["usable"]
    french = admin.get(url, query_string={"color": "#1f5f8b", "lang": "fr"}).get_json()
    assert "6,8:1" in french["message"]
    assert member_client(app, ORG, "editor").get(url).status_code == 403
    saved = submit(admin, color="#1f5f8b")
    assert saved.status_code == 303
    assert "6.8:1 with white: readable" in admin.get(PAGE).get_data(as_text=True)


def test_a_hoster_admin_opens_and_saves_another_associations_settings(app, content_dir):
    import io

    from helpers import log_in, make_member

    from chaton.accounts.models import AuditEntry

    path = hand_written(content_dir)
    hoster = app.test_client()
    hoster.set_cookie("lang", "en")
    log_in(hoster, make_member(app, None, email="host@example.org", hoster=True))
    assert f'href="{PAGE}"' in hoster.get(f"/hoster/associations/{ORG}").get_data(as_text=True)
    html = hoster.get(PAGE).get_data(as_text=True)
    assert "You act here as the hoster of this site" in html
    done = hoster.post(PAGE, content_type="multipart/form-data", data={
        "csrf_token": csrf_token(hoster, PAGE), "checksum": checksum_of(html),
        **form_values(color="#1f5f8b"), "logo_file": (io.BytesIO(png()), "marque.png")})
    assert done.status_code == 303
    meta, _body = front_matter(path)
    assert meta["color"] == "#1f5f8b" and meta["logo"] == "images/marque.png"
    with app.app_context():
        entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert entry.action == "hoster.association_settings" and entry.actor == "host@example.org"
    assert entry.association.slug == ORG
    assert "Settings changed by the hoster" in hoster.get("/hoster/audit").get_data(as_text=True)
    admin_log = member_client(app, ORG).get(f"/{ORG}/admin/audit").get_data(as_text=True)
    assert "Settings changed by the hoster" in admin_log and "host@example.org" in admin_log
    # the rest of the association's area stays its members': a clear 403, not a 404
    for url in (f"/{ORG}/admin/", f"/{ORG}/admin/exports/", f"/{ORG}/admin/members"):
        refused = hoster.get(url)
        assert refused.status_code == 403, url
        assert "You are not a member of" in refused.get_data(as_text=True)
    assert hoster.get("/nope/admin/settings").status_code == 404  # what does not exist
