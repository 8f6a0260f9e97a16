"""Uploads from the editor: pictures and PDF checked by their content, size limits, names."""

import io
import re

import pytest
from helpers import csrf_token, make_app, member_client
from PIL import Image
from test_editing import ADMIN, ECOLE, ECOLE_EDIT, FRICHE, ORG, audit_actions, form_of

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def picture(fmt="PNG", size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, (91, 42, 134)).save(out, fmt)
    return out.getvalue()


@pytest.fixture
def editor(app):
    return member_client(app, ORG, "editor")


def upload(client, url, data, filename, use="text", alt="Une cour d'école", **changes):
    form = form_of(client, url)
    form.update({"action": "upload", "upload_use": use, "upload_alt": alt, **changes})
    form["upload"] = (io.BytesIO(data), filename)
    return client.post(url, data=form, content_type="multipart/form-data")


def media(content_dir):
    folder = content_dir / ORG / "media"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize("fmt, extension", [("PNG", "png"), ("JPEG", "jpg"), ("GIF", "gif"),
                                            ("WEBP", "webp")])
def test_real_pictures_are_accepted_and_served(editor, client, content_dir, fmt, extension):
    data = picture(fmt)
    response = upload(editor, ECOLE_EDIT, data, f"Cour d'École.{extension}",
                      **{"m.title": "Titre tapé"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"Sent: cour-d-ecole.{extension}" in html
    assert 'value="Titre tapé"' in html  # what was typed is kept
    assert f"![Une cour d&#39;école](media/cour-d-ecole.{extension})" in html  # added to the text
    served = client.get(f"/{ORG}/media/media/cour-d-ecole.{extension}")
    assert served.status_code == 200 and served.data == data


def test_the_extension_comes_from_the_content(editor, content_dir):
    assert upload(editor, ECOLE_EDIT, picture("PNG"), "photo.jpg").status_code == 200
    assert media(content_dir) == ["photo.png"]


@pytest.mark.parametrize("data, filename", [
    (b"<html><script>alert(1)</script></html>", "photo.png"),
    (SVG, "logo.svg"),
    (SVG, "logo.png"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png"),
    (b"MZ\x90\x00" + b"\x00" * 64, "setup.pdf"),
])
def test_anything_else_is_refused(editor, content_dir, data, filename):
    response = upload(editor, ECOLE_EDIT, data, filename)
    assert response.status_code == 415
    html = response.get_data(as_text=True)
    assert "Only PNG, JPEG, WebP and GIF pictures and PDF documents" in html or \
        "This picture cannot be read" in html
    assert 'id="upload-error"' in html
    assert media(content_dir) == []


def test_pdf_documents_are_linked(editor, client, content_dir):
    response = upload(editor, ECOLE_EDIT, PDF, "Étude amiante.pdf", alt="L'étude de 2020")
    assert response.status_code == 200
    assert "[L&#39;étude de 2020](media/etude-amiante.pdf)" in response.get_data(as_text=True)
    served = client.get(f"/{ORG}/media/media/etude-amiante.pdf")
    assert served.data == PDF and served.mimetype == "application/pdf"


def test_a_picture_used_as_the_main_picture_needs_its_description(editor, client, content_dir):
    missing = upload(editor, ECOLE_EDIT, picture(), "cour.png", use="image", alt="")
    assert missing.status_code == 422
    assert "Describe the picture for people who cannot see it." in missing.get_data(as_text=True)
    assert media(content_dir) == []
    response = upload(editor, ECOLE_EDIT, picture(), "cour.png", use="image", alt="La cour")
    html = response.get_data(as_text=True)
    assert 'id="f-image" name="m.image" type="text" value="media/cour.png"' in html
    assert 'id="f-image-alt" name="m.image_alt" type="text" value="La cour"' in html
    form = {name: value for name, value in re.findall(
        r'<input id="[^"]*" name="([^"]+)" type="(?:text|hidden|date|email)"[^>]*value="([^"]*)"', html)}
    data = form_of(editor, ECOLE_EDIT)
    data.update({"m.image": form["m.image"], "m.image_alt": form["m.image_alt"], "action": "save"})
    assert editor.post(ECOLE_EDIT, data=data).status_code == 303
    page = client.get(f"/{ORG}/petitions/{ECOLE}").get_data(as_text=True)
    assert f'src="/{ORG}/media/media/cour.png"' in page and 'alt="La cour"' in page


def test_uploads_never_replace_a_file(editor, content_dir):
    first, second = picture(size=(10, 10)), picture(size=(20, 20))
    upload(editor, ECOLE_EDIT, first, "photo.png")
    upload(editor, ECOLE_EDIT, second, "photo.png")
    assert media(content_dir) == ["photo-2.png", "photo.png"]
    assert (content_dir / ORG / "media/photo.png").read_bytes() == first


def test_consultation_files_go_to_its_documents_folder(editor, content_dir):
    url = f"{ADMIN}/consultations/{FRICHE}/edit"
    response = upload(editor, url, PDF, "plan.pdf", alt="Plan")
    assert response.status_code == 200
    assert (content_dir / ORG / f"consultations/{FRICHE}/documents/plan.pdf").read_bytes() == PDF
    assert "[Plan](documents/plan.pdf)" in response.get_data(as_text=True)


def test_uploads_are_audited_and_quota_checked(app, editor, content_dir, monkeypatch):
    upload(editor, ECOLE_EDIT, picture(), "photo.png")
    assert ("media.upload", "media/photo.png") in audit_actions(app)
    monkeypatch.setattr("chaton.hoster.quotas.check_upload",
                        lambda association, size: "The association's 100 MB are used.")
    refused = upload(editor, ECOLE_EDIT, picture(), "autre.png")
    assert refused.status_code == 403 and "100 MB are used" in refused.get_data(as_text=True)
    assert media(content_dir) == ["photo.png"]


def test_size_limits(tmp_path, content_dir):
    app = make_app(tmp_path, content_dir, upload_max_kb=8)
    editor = member_client(app, ORG, "editor")
    too_big = upload(editor, ECOLE_EDIT, picture("PNG", (10, 10)) + b"\x00" * 9 * 1024, "big.png",
                     **{"m.title": "Gardé"})
    assert too_big.status_code == 413
    html = too_big.get_data(as_text=True)
    assert "The file is too large: at most 8 KB." in html and 'value="Gardé"' in html
    assert not (content_dir / ORG / "media").exists()
    # beyond what the editor accepts at all: refused before anything is read
    huge = upload(editor, ECOLE_EDIT, b"\x89PNG\r\n\x1a\n" + b"\x00" * (1100 * 1024), "huge.png")
    assert huge.status_code == 413
    assert "files up to 8 KB can be uploaded" in huge.get_data(as_text=True)
    # everybody else keeps max_body_kb (64 KiB), on the same addresses
    stranger = app.test_client()
    token = csrf_token(stranger, "/account/login")
    body = {"csrf_token": token, "upload": (io.BytesIO(b"\x00" * (100 * 1024)), "x.png")}
    assert stranger.post(ECOLE_EDIT, data=body, content_type="multipart/form-data").status_code == 413
    moderator = member_client(app, ORG, "moderator")
    body = {"csrf_token": token, "upload": (io.BytesIO(b"\x00" * (100 * 1024)), "x.png")}
    assert moderator.post(ECOLE_EDIT, data=body, content_type="multipart/form-data").status_code == 413
    assert stranger.post(ECOLE_EDIT, data={"body": "x" * (70 * 1024)}).status_code == 413


def test_long_texts_fit_in_the_editor(editor, content_dir):
    story = "Un récit très long, écrit à plusieurs mains. " * 3000  # 135 000 characters
    data = form_of(editor, ECOLE_EDIT)
    data.update({"body": story, "action": "save"})
    assert editor.post(ECOLE_EDIT, data=data).status_code == 303
    assert story.strip() in (content_dir / ORG / f"petitions/{ECOLE}.md").read_text()


def test_a_new_consultation_can_upload_before_its_first_save(editor, content_dir):
    url = f"{ADMIN}/campaigns/new/consultation"
    fields = {"m.title": "Un nom pour la place", "m.question": "Quel nom ?", "slug": "nom",
              "body": "Donnons un nom."}
    response = upload(editor, url, picture(), "plan.png", use="image", alt="Le plan", **fields)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="documents/plan.png"' in html and "Problems to correct" not in html
    data = form_of(editor, url)
    data.update(fields, **{"m.image": "documents/plan.png", "m.image_alt": "Le plan",
                           "action": "save"})
    assert editor.post(url, data=data).status_code == 303
    text = (content_dir / ORG / "consultations/nom/index.md").read_text()
    assert "image: documents/plan.png\nimage_alt: Le plan\n" in text
