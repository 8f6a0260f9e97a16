"""Editing campaigns in the browser: create, edit, preview, check, save, publish, archive.

Everything goes through HTTP as a browser would, and is checked on disk (the Markdown file a
person would write) and on the public pages.
"""

import re
from datetime import date, timedelta

import pytest
from helpers import csrf_token, member_client, petition_meta, sign, write_md

from chaton.accounts.models import AuditEntry
from chaton.core import frontmatter as fm
from chaton.orgs.tree import load_tree
from chaton.petitions.content import SCHEMA
from chaton.petitions.models import Petition, PetitionRevision, Signature

ORG = "quartiers-solidaires"
OTHER = "velo-pour-tous"
ADMIN = f"/{ORG}/admin"
ECOLE = "ecole-sans-amiante"
ECOLE_EDIT = f"{ADMIN}/petitions/{ECOLE}/edit"
FRICHE = "avenir-friche-jean-moulin"
FRICHE_EDIT = f"{ADMIN}/consultations/{FRICHE}/edit"


@pytest.fixture
def editor(app):
    return member_client(app, ORG, "editor")


def form_of(client, url):
    """Every input of the editor's form as a browser would send it (checked boxes only)."""
    html = client.get(url).get_data(as_text=True)
    form = re.search(r'<form method="post" action="[^"]*" class="editor-form".*?</form>', html, re.S)
    assert form, f"no editor on {url}"
    html = form.group(0)
    data = {}
    for tag in re.findall(r"<input [^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="file"' in tag or 'type="radio"' in tag:
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, value in re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = unescape(value)
    for name, body in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = unescape(chosen.group(1)) if chosen else ""
    return data


def unescape(text):
    import html

    return html.unescape(text)


def save(client, url, **changes):
    data = form_of(client, url)
    data.update(changes)
    data.setdefault("action", "save")
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


def try_sign(client, url):
    """Post the signing form even when the page shows none (closed, not open yet)."""
    token = csrf_token(client, "/account/login")
    return client.post(url + "/sign", data={"csrf_token": token, "name": "Bob",
                                           "email": "bob@example.org", "postal_code": "75011"})


def audit_actions(app):
    with app.app_context():
        return [(e.action, e.target) for e in AuditEntry.select().order_by(AuditEntry.id)]


# -- the campaigns page ----------------------------------------------------------------------------

def test_campaigns_page_lists_every_campaign_with_drafts_and_links(app, editor, content_dir):
    write_md(content_dir / ORG / "petitions/brouillon.md", petition_meta(status="draft",
                                                                        title="Brouillon secret"))
    html = editor.get(f"{ADMIN}/campaigns").get_data(as_text=True)
    assert "Brouillon secret" in html and "Une école sans amiante" in html
    assert "Quel avenir pour la friche" in html
    assert f'href="{ADMIN}/petitions/brouillon/edit"' in html
    assert f'href="/{ORG}/petitions/{ECOLE}"' in html
    assert f'href="{ADMIN}/campaigns/new/petition"' in html
    assert f'href="{ADMIN}/campaigns/new/consultation"' in html
    assert f'href="{ADMIN}/campaigns" aria-current="page"' in html  # the menu entry
    moderator = member_client(app, ORG, "moderator").get(f"{ADMIN}/campaigns")
    assert moderator.status_code == 200
    text = moderator.get_data(as_text=True)
    assert "Brouillon secret" in text and "/edit\"" not in text and "New petition" not in text


def test_broken_files_are_listed_with_a_link_to_correct_them(editor, content_dir):
    (content_dir / ORG / "petitions/oops.md").write_text("---\ntitle: [oops\n---\n")
    html = editor.get(f"{ADMIN}/campaigns").get_data(as_text=True)
    assert "oops.md" in html and f'href="{ADMIN}/petitions/oops/edit?mode=raw"' in html


# -- creating --------------------------------------------------------------------------------------

NEW_PETITION = {"m.title": "Des arbres rue Émile-Zola", "m.target.name": "La mairie",
                "m.demand": "Planter vingt arbres.", "m.status": "draft", "slug": "",
                "body": "Les **arbres** font de l'ombre.", "action": "save"}


def new_petition(client, **changes):
    url = f"{ADMIN}/campaigns/new/petition"
    data = dict(NEW_PETITION, csrf_token=csrf_token(client, url), **changes)
    return client.post(url, data=data)


def test_creating_a_petition_writes_a_valid_draft(app, editor, client, content_dir):
    response = new_petition(editor)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{ADMIN}/petitions/des-arbres-rue-emile-zola/edit")
    path = content_dir / ORG / "petitions/des-arbres-rue-emile-zola.md"
    text = path.read_text()
    assert text.startswith("---\ntitle: Des arbres rue Émile-Zola\n")
    assert "status: draft" in text and "Les **arbres** font de l'ombre." in text
    assert not [p for p in load_tree(content_dir).errors if "des-arbres" in p.path]
    assert client.get(f"/{ORG}/petitions/des-arbres-rue-emile-zola").status_code == 404
    assert editor.get(f"/{ORG}/petitions/des-arbres-rue-emile-zola").status_code == 200
    assert ("campaign.create", f"content/{ORG}/petitions/des-arbres-rue-emile-zola.md") in \
        audit_actions(app)


def test_a_chosen_address_is_checked_and_must_be_free(editor, content_dir):
    bad = new_petition(editor, slug="Pas Bien!")
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Choose a web address" in html and 'aria-invalid="true"' in html
    assert "Des arbres rue Émile-Zola" in html  # what was typed is kept
    taken = new_petition(editor, slug=ECOLE)
    assert taken.status_code == 422 and "already used" in taken.get_data(as_text=True)
    consultation_name = new_petition(editor, slug=FRICHE)
    assert consultation_name.status_code == 422
    assert sorted(p.name for p in (content_dir / ORG / "petitions").glob("*.md")) == [
        "bancs-place-des-tilleuls.md", "ecole-sans-amiante.md"]


def test_the_quota_can_refuse_a_new_campaign(editor, content_dir, monkeypatch):
    monkeypatch.setattr("chaton.hoster.quotas.check_new_campaign",
                        lambda association: "Your association has reached its 3 campaigns.")
    response = new_petition(editor)
    assert response.status_code == 403
    assert "reached its 3 campaigns" in response.get_data(as_text=True)
    assert not (content_dir / ORG / "petitions/des-arbres-rue-emile-zola.md").exists()


def test_creating_a_consultation_with_phases(editor, content_dir):
    url = f"{ADMIN}/campaigns/new/consultation"
    start = date.today() + timedelta(days=10)
    data = form_of(editor, url)
    data.update({"m.title": "Un nom pour la place", "m.question": "Quel nom ?",
                 "m.phases.information.start": "", "m.phases.vote.start": start.isoformat(),
                 "m.phases.vote.end": (start + timedelta(days=30)).isoformat(),
                 "m.organisers-0-name": "Quartiers Solidaires", "slug": "nom-de-la-place",
                 "body": "Donnons un nom.", "action": "save"})
    response = editor.post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    text = (content_dir / ORG / "consultations/nom-de-la-place/index.md").read_text()
    assert f"  vote: {{start: {start.isoformat()}, end: " in text
    assert "status: draft" in text and "organisers:\n  - name: Quartiers Solidaires\n" in text
    assert "moderation" not in text  # defaults are not written
    new_topic = f"{ADMIN}/consultations/nom-de-la-place/topics/new"
    data = form_of(editor, new_topic)
    data.update({"m.title": "Le nom", "m.vote": "options",
                 "m.options": "Place des Tilleuls\r\nPlace Simone-Veil\r\n", "body": "Votez.",
                 "action": "save"})
    assert editor.post(new_topic, data=data).status_code == 303
    topic = (content_dir / ORG / "consultations/nom-de-la-place/topics/le-nom.md").read_text()
    assert "options:\n  - Place des Tilleuls\n  - Place Simone-Veil\n" in topic
    assert not [p for p in load_tree(content_dir).errors if "nom-de-la-place" in p.path]


# -- editing ---------------------------------------------------------------------------------------

HAND_WRITTEN = """---
# written by hand, with comments
title: Ouvrez la piscine le dimanche   # short and clear
colour: blue          # not a Chaton field: kept
target: Mairie de Villeneuve
demand: "Ouvrir la piscine: le dimanche matin."
milestones: [10, 50]  # celebrated
status: open
---

Le texte **initial**.
"""


def test_editing_keeps_unknown_keys_comments_and_order(editor, content_dir):
    path = content_dir / ORG / "petitions/piscine.md"
    path.write_text(HAND_WRITTEN)
    url = f"{ADMIN}/petitions/piscine/edit"
    html = editor.get(url).get_data(as_text=True)
    assert "Other settings, kept as they are: colour." in html
    response = save(editor, url, **{"m.title": "Ouvrez la piscine le dimanche matin",
                                    "m.goal": "1 000", "body": "Le texte **modifié**."})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert path.read_text() == """---
# written by hand, with comments
title: Ouvrez la piscine le dimanche matin # short and clear
colour: blue          # not a Chaton field: kept
target: Mairie de Villeneuve
demand: "Ouvrir la piscine: le dimanche matin."
goal: 1000
milestones: [10, 50]  # celebrated
status: open
---

Le texte **modifié**.
"""
    page = editor.get(f"/{ORG}/petitions/piscine").get_data(as_text=True)
    assert "Ouvrez la piscine le dimanche matin" in page and "<strong>modifié</strong>" in page


def test_values_are_written_as_the_indexer_reads_them(editor, content_dir):
    path = content_dir / ORG / "petitions/piscine.md"
    path.write_text(HAND_WRITTEN)
    url = f"{ADMIN}/petitions/piscine/edit"
    assert save(editor, url, **{"m.title": "yes", "m.summary": "0123",
                                "m.letter": "Madame,\r\n\r\nouvrez.",
                                "m.target.contact": "mairie@villeneuve.example"}).status_code == 303
    doc = fm.parse(path, path.read_text(), SCHEMA)
    assert doc.meta["title"] == "yes" and doc.meta["summary"] == "0123"
    assert doc.meta["letter"] == "Madame,\n\nouvrez."
    assert doc.meta["target"] == {"name": "Mairie de Villeneuve", "contact": "mairie@villeneuve.example"}


def test_preview_without_javascript_keeps_everything_typed(editor, content_dir):
    before = (content_dir / ORG / f"petitions/{ECOLE}.md").read_text()
    response = save(editor, ECOLE_EDIT, action="preview", **{
        "m.title": "Un titre pas encore enregistré", "body": "Du **gras** et <script>x()</script>"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<div id="preview" class="prose preview" aria-live="polite"><p>Du <strong>gras</strong>' in html
    assert "<script>x()" not in html
    assert 'value="Un titre pas encore enregistré"' in html
    assert "Du **gras** et &lt;script&gt;" in html  # the text as typed, in the textarea
    assert (content_dir / ORG / f"petitions/{ECOLE}.md").read_text() == before


def test_live_preview_endpoint_renders_like_the_public_page(editor):
    token = csrf_token(editor, ECOLE_EDIT)
    response = editor.post(f"{ADMIN}/preview", data={
        "kind": "petition", "campaign": ECOLE, "body": "![plan](images/ecole.svg) <img src=x "
        "onerror=alert(1)> [lien](https://example.org)"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert f'<img src="/{ORG}/media/images/ecole.svg" alt="plan">' in html
    assert "onerror" not in html and 'rel="nofollow noopener noreferrer"' in html
    assert editor.post(f"{ADMIN}/preview", data={"kind": "petition", "body": "x"}).status_code == 400


def test_validation_errors_are_shown_by_their_field_and_nothing_is_written(editor, content_dir):
    path = content_dir / ORG / f"petitions/{ECOLE}.md"
    before = path.read_text()
    response = save(editor, ECOLE_EDIT, **{"m.title": "", "m.goal": "beaucoup",
                                           "m.closes": "2026-08-01", "body": "Nouveau récit"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary" role="alert"' in html
    assert '<a href="#f-title">Title: This field is required.</a>' in html
    assert "Write a whole number, such as 1500 or 1 500 (not “beaucoup”)." in html
    assert re.search(r'id="f-goal" name="m.goal" type="text" inputmode="numeric" class="short" '
                     r'value="beaucoup" aria-describedby="f-goal-hint f-goal-error" '
                     r'aria-invalid="true"', html)
    assert ">Nouveau récit</textarea>" in html
    assert path.read_text() == before


def test_the_goal_message_says_what_is_accepted_in_french_and_what_it_says_works(editor, content_dir):
    editor.set_cookie("lang", "fr")
    html = save(editor, ECOLE_EDIT, **{"m.goal": "deuxmille"}).get_data(as_text=True)
    assert ("Écrivez un nombre entier, par exemple 1500 ou 1\u00a0500 "
            "(et non «\u00a0deuxmille\u00a0»).") in html
    assert "sans espaces" not in html
    assert save(editor, ECOLE_EDIT, **{"m.goal": "1 500"}).status_code == 303
    assert "goal: 1500" in (content_dir / ORG / f"petitions/{ECOLE}.md").read_text()


def test_the_form_speaks_of_the_petition_not_of_its_file(editor):
    editor.set_cookie("lang", "fr")
    path = f"content/{ORG}/petitions/{ECOLE}.md"
    html = editor.get(ECOLE_EDIT).get_data(as_text=True)
    assert "Modifier en texte brut" in html
    html = html[html.index("<h1>"):html.index("</form>")]  # the editor's heading to its form's end
    assert path not in html and "fichier" not in html.lower()
    assert path in editor.get(ECOLE_EDIT + "?mode=raw").get_data(as_text=True)  # plain text: the file
    update = editor.get(f"{ADMIN}/petitions/{ECOLE}/updates/new").get_data(as_text=True)
    assert "nom du fichier" not in update and "Vide\u00a0: le jour du premier enregistrement" in update


def test_the_text_has_formatting_buttons_and_the_markdown_hint_without_javascript(editor):
    html = editor.get(ECOLE_EDIT).get_data(as_text=True)
    toolbar = re.search(r'<div class="md-toolbar" role="toolbar" aria-label="Formatting of the text" '
                        r'aria-controls="body" data-for="body" hidden>(.*?)</div>', html, re.S)
    assert toolbar, "no toolbar"
    names = re.findall(r'<button type="button" class="md-button" data-md="(\w+)"[^>]*>(.*?)</button>',
                       toolbar.group(1))
    assert names == [("bold", "<strong>Bold</strong>"), ("heading", "Heading"), ("list", "List"),
                     ("link", "Link"), ("image", "Picture")]
    assert '<span class="markdown-hint">Markdown: **bold**' in html
    assert '<script src="/static/themes/default/js/editor.js' in html or "js/editor.js" in html


def test_the_picture_upload_sits_next_to_the_picture(editor):
    html = editor.get(ECOLE_EDIT).get_data(as_text=True)
    picture = re.search(r"<legend>Picture</legend>(.*?)</fieldset>\s*</fieldset>", html, re.S)
    assert picture, "no picture section"
    assert 'id="f-image"' in picture.group(1) and 'id="upload-file"' in picture.group(1)
    assert html.count('id="upload"') == 1
    update = editor.get(f"{ADMIN}/petitions/{ECOLE}/updates/new").get_data(as_text=True)
    assert 'class="upload editor-section' in update  # no picture field: at the end, for the text


def test_the_current_picture_is_shown_beside_its_field(editor):
    html = editor.get(ECOLE_EDIT).get_data(as_text=True)
    assert f'<img src="/{ORG}/media/images/ecole.svg" alt="" class="thumb current-picture">' in html
    for typed in ("../../../etc/passwd.png", "/etc/hosts.png", "x" * 5000 + ".png", "absente.png"):
        html = editor.post(ECOLE_EDIT, data={**form_of(editor, ECOLE_EDIT), "m.image": typed,
                                             "action": "preview"}).get_data(as_text=True)
        assert "current-picture" not in html


def test_cross_field_checks_are_the_indexers(editor):
    response = save(editor, ECOLE_EDIT, **{"m.closes": "2026-08-01", "m.milestones": "100, 5000"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The last day comes before the first day." in html
    assert "A milestone is above the goal." in html


def test_a_picture_needs_its_description(editor):
    response = save(editor, ECOLE_EDIT, **{"m.image_alt": ""})
    assert response.status_code == 422
    assert "Describe the picture for people who cannot see it." in response.get_data(as_text=True)


def test_a_file_changed_since_the_form_was_loaded_is_not_overwritten(editor, content_dir):
    path = content_dir / ORG / f"petitions/{ECOLE}.md"
    data = form_of(editor, ECOLE_EDIT)
    path.write_text(path.read_text().replace("goal: 2000", "goal: 3000"))  # someone, by hand
    data.update({"m.title": "Mon titre", "action": "save"})
    response = editor.post(ECOLE_EDIT, data=data)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this text since you opened this page" in html
    assert 'value="Mon titre"' in html
    text = path.read_text()
    assert "goal: 3000" in text and "Mon titre" not in text


def test_hand_edits_after_a_web_edit_keep_working(editor, client, content_dir):
    path = content_dir / ORG / f"petitions/{ECOLE}.md"
    assert save(editor, ECOLE_EDIT, **{"m.summary": "Résumé venu du web."}).status_code == 303
    path.write_text(path.read_text().replace("Résumé venu du web.", "Résumé corrigé à la main."))
    assert "Résumé corrigé à la main." in client.get(f"/{ORG}/petitions/{ECOLE}").get_data(as_text=True)
    assert ">Résumé corrigé à la main.</textarea>" in editor.get(ECOLE_EDIT).get_data(as_text=True)


def test_a_broken_file_opens_as_plain_text_with_its_error(app, editor, client, content_dir):
    path = content_dir / ORG / "petitions/casse.md"
    path.write_text("---\ntitle: Cassé\ntarget: [la mairie\ndemand: x\nstatus: open\n---\n\nTexte.\n")
    response = editor.get(f"{ADMIN}/petitions/casse/edit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<textarea id="raw" name="raw"' in html and "invalid YAML" in html
    assert re.search(rf"content/{ORG}/petitions/casse.md:[34]: invalid YAML", html)
    data = form_of(editor, f"{ADMIN}/petitions/casse/edit")
    still_broken = editor.post(f"{ADMIN}/petitions/casse/edit", data=dict(data, action="save"))
    assert still_broken.status_code == 422
    data["raw"] = data["raw"].replace("[la mairie", "la mairie")
    assert editor.post(f"{ADMIN}/petitions/casse/edit",
                       data=dict(data, action="save")).status_code == 303
    assert client.get(f"/{ORG}/petitions/casse").status_code == 200
    assert editor.get(f"{ADMIN}/petitions/casse/edit").status_code == 200


def test_any_file_can_be_edited_as_plain_text(editor, content_dir):
    url = ECOLE_EDIT + "?mode=raw"
    data = form_of(editor, url)
    assert data["raw"].startswith("---\ntitle: Une école sans amiante")
    data["raw"] = data["raw"].replace("goal: 2000", "goal: 2500  # revu")
    assert editor.post(ECOLE_EDIT, data=dict(data, action="save")).status_code == 303
    assert "goal: 2500  # revu" in (content_dir / ORG / f"petitions/{ECOLE}.md").read_text()


def test_editing_the_signed_text_records_a_revision(app, editor, client, content_dir):
    assert sign(client).status_code == 303
    with app.app_context():
        petition = Petition.get(Petition.slug == ECOLE)
        first = petition.revision_number
        signed = Signature.get(Signature.petition == petition).revision
    assert signed == first
    assert save(editor, ECOLE_EDIT, body="Un récit réécrit.").status_code == 303
    with app.app_context():
        petition = Petition.get(Petition.slug == ECOLE)
        assert petition.revision_number == first + 1
        assert PetitionRevision.select().where(PetitionRevision.petition == petition).count() == first + 1
        assert Signature.get(Signature.petition == petition).revision == first
    assert "Un récit réécrit." in client.get(f"/{ORG}/petitions/{ECOLE}/revisions/{first + 1}").get_data(
        as_text=True)
    assert ("campaign.edit", f"content/{ORG}/petitions/{ECOLE}.md") in audit_actions(app)


def test_posting_and_correcting_an_update(editor, client, content_dir):
    url = f"{ADMIN}/petitions/{ECOLE}/updates/new"
    data = form_of(editor, url)
    data.update({"m.title": "Réunion en mairie", "m.date": "2026-12-01", "body": "Nous y étions.",
                 "action": "save"})
    response = editor.post(url, data=data)
    assert response.status_code == 303
    path = content_dir / ORG / f"petitions/{ECOLE}/updates/2026-12-01-reunion-en-mairie.md"
    assert "title: Réunion en mairie" in path.read_text()
    assert "Réunion en mairie" in client.get(f"/{ORG}/petitions/{ECOLE}").get_data(as_text=True)
    edit = response.headers["Location"]
    assert edit.endswith("/updates/2026-12-01-reunion-en-mairie/edit")
    assert save(editor, edit, body="Nous y étions, à vingt.").status_code == 303
    assert "à vingt" in path.read_text()
    again = editor.post(url, data=dict(data, csrf_token=csrf_token(editor, url)))
    assert again.status_code == 303  # same title, same day: a second file, never an overwrite
    assert path.with_name("2026-12-01-reunion-en-mairie-2.md").is_file()


def test_recording_the_answer_from_the_editor(editor, client, content_dir):
    url = f"{ADMIN}/petitions/{ECOLE}/answer/edit"
    data = form_of(editor, url)
    assert data["m.author"] == "Conseil municipal de Villeneuve"
    assert data["m.date"] == date.today().isoformat()
    data.update({"body": "Les travaux auront lieu en 2027.", "action": "save"})
    assert editor.post(url, data=data).status_code == 303
    answer = client.get(f"/{ORG}/petitions/{ECOLE}.json").get_json()["answer"]
    assert answer["author"] == "Conseil municipal de Villeneuve"
    assert "2027" in answer["html"]


def test_the_editor_edits_the_target_phrase(editor, client, content_dir):
    assert form_of(editor, ECOLE_EDIT)["m.target.to"] == "au conseil municipal de Villeneuve"
    assert save(editor, ECOLE_EDIT, **{"m.target.to": "à la mairie"}).status_code == 303
    text = (content_dir / ORG / "petitions" / f"{ECOLE}.md").read_text()
    assert "  to: à la mairie\n" in text and "contact: mairie@villeneuve.example" in text
    page = client.get(f"/{ORG}/petitions/{ECOLE}?lang=fr").get_data(as_text=True)
    assert "une réponse sera demandée à la mairie." in page


def test_publishing_the_answer_marks_the_petition_answered_by_default(editor, client,
                                                                     content_dir):
    url = f"{ADMIN}/petitions/{ECOLE}/answer/edit"
    html = editor.get(url).get_data(as_text=True)
    assert re.search(r'<input type="checkbox" id="mark-answered" name="mark_answered" value="y" '
                     r'checked', html)
    assert save(editor, url, body="Les travaux auront lieu en 2027.").status_code == 303
    petition_file = content_dir / ORG / "petitions" / f"{ECOLE}.md"
    assert "status: answered" in petition_file.read_text()
    assert "Conseil municipal de Villeneuve" in petition_file.read_text()  # the rest is kept
    page = client.get(f"/{ORG}/petitions/{ECOLE}").get_data(as_text=True)
    assert "/sign" not in page[page.index("<main"):] and "Answer received on" in page
    assert client.get(f"/{ORG}/petitions/{ECOLE}.json").get_json()["status"] == "answered"
    assert AuditEntry.select().where(AuditEntry.action == "campaign.answered").count() == 1
    assert "mark_answered" not in editor.get(url).get_data(as_text=True)  # nothing left to do


def test_publishing_the_answer_can_leave_the_petition_open(editor, client, content_dir):
    url = f"{ADMIN}/petitions/{ECOLE}/answer/edit"
    assert save(editor, url, body="Nous étudions la demande.",
                mark_answered=None).status_code == 303
    assert "status: open" in (content_dir / ORG / "petitions" / f"{ECOLE}.md").read_text()
    page = client.get(f"/{ORG}/petitions/{ECOLE}").get_data(as_text=True)
    assert "/sign" in page and "Answer received on" in page


def test_editing_a_consultation_and_a_topic(editor, client, content_dir):
    response = save(editor, FRICHE_EDIT, **{"m.question": "Que faire de la friche ?",
                                            "m.organisers-1-name": "Vélo pour tous"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    text = (content_dir / ORG / f"consultations/{FRICHE}/index.md").read_text()
    assert "question: Que faire de la friche ?" in text
    assert "  - name: Vélo pour tous\n" in text
    assert "  information: {start: 2025-09-01, end: 2025-12-31}" in text  # style kept
    assert "commitment: >-" in text  # an unchanged folded text keeps its form
    topic_url = f"{ADMIN}/consultations/{FRICHE}/topics/usage-principal/edit"
    data = form_of(editor, topic_url)
    assert data["m.options"].splitlines()[0] == "Un parc avec un jardin partagé"
    bad = editor.post(topic_url, data=dict(data, **{"m.options": "Un seul", "action": "save"}))
    assert bad.status_code == 422
    assert "A choice among options needs at least two options." in bad.get_data(as_text=True)
    page = client.get(f"/{ORG}/consultations/{FRICHE}").get_data(as_text=True)
    assert "Que faire de la friche ?" in page


def test_the_synthesis_cites_contributions(editor):
    url = f"{ADMIN}/consultations/{FRICHE}/synthesis/edit"
    token = csrf_token(editor, url)
    html = editor.post(f"{ADMIN}/preview", data={"csrf_token": token, "kind": "synthesis",
                                                 "campaign": FRICHE, "body": "Voir #c3."}).get_json()
    assert f'href="/{ORG}/consultations/{FRICHE}/contributions/3"' in html["html"]


# -- publication -----------------------------------------------------------------------------------

def publication(client, kind, slug, action, **extra):
    url = f"{ADMIN}/{kind}s/{slug}/publication"
    return client.post(url, data={"csrf_token": csrf_token(client, f"{ADMIN}/campaigns"),
                                  "action": action, **extra})


def test_publish_a_draft_now(app, editor, client, content_dir):
    path = write_md(content_dir / ORG / "petitions/arbres.md",
                    petition_meta(status="draft", title="Des arbres", opens="2099-01-01"))
    assert client.get(f"/{ORG}/petitions/arbres").status_code == 404
    response = publication(editor, "petition", "arbres", "publish")
    assert response.status_code == 303
    text = path.read_text()
    assert "status: open" in text and f"opens: {date.today().isoformat()}" in text
    assert client.get(f"/{ORG}/petitions/arbres").status_code == 200
    assert "Des arbres" in client.get(f"/{ORG}/").get_data(as_text=True)
    assert sign(client, f"/{ORG}/petitions/arbres").status_code == 303
    assert ("campaign.publish", f"content/{ORG}/petitions/arbres.md") in audit_actions(app)


def test_schedule_opens_the_page_but_not_signing(editor, client, content_dir):
    path = write_md(content_dir / ORG / "petitions/arbres.md",
                    petition_meta(status="draft", title="Des arbres"))
    day = date.today() + timedelta(days=7)
    assert publication(editor, "petition", "arbres", "schedule",
                       day=date.today().isoformat()).status_code == 303
    assert "status: draft" in path.read_text()  # today is not in the future: refused
    assert publication(editor, "petition", "arbres", "schedule", day=day.isoformat()).status_code == 303
    assert f"opens: {day.isoformat()}" in path.read_text() and "status: open" in path.read_text()
    page = client.get(f"/{ORG}/petitions/arbres").get_data(as_text=True)
    assert "This petition opens on" in page
    assert try_sign(client, f"/{ORG}/petitions/arbres").status_code == 409
    assert "Scheduled" in editor.get(f"{ADMIN}/campaigns").get_data(as_text=True)


def test_close_keeps_the_signatures(app, editor, client, content_dir):
    assert sign(client).status_code == 303
    assert publication(editor, "petition", ECOLE, "close").status_code == 303
    assert "status: closed" in (content_dir / ORG / f"petitions/{ECOLE}.md").read_text()
    data = client.get(f"/{ORG}/petitions/{ECOLE}.json").get_json()
    assert data["status"] == "closed"
    with app.app_context():
        assert Signature.select().join(Petition).where(Petition.slug == ECOLE).count() == 1
    assert try_sign(client, f"/{ORG}/petitions/{ECOLE}").status_code == 409


def test_archive_hides_from_lists_and_feeds_but_keeps_the_page(app, editor, client, content_dir):
    title = "Une école sans amiante"
    listed = [f"/{ORG}/", "/", f"/{ORG}/feed.atom", "/feed.atom"]
    assert all(title in client.get(url).get_data(as_text=True) for url in listed)
    assert f"/petitions/{ECOLE}" in client.get(f"/{ORG}/outbox?page=1").get_data(as_text=True)
    assert publication(editor, "petition", ECOLE, "archive").status_code == 303
    text = (content_dir / ORG / f"petitions/{ECOLE}.md").read_text()
    assert "archived: true" in text and "status: closed" in text
    assert title not in client.get(f"/{ORG}/").get_data(as_text=True)
    assert title not in client.get("/").get_data(as_text=True)
    assert title not in client.get(f"/{ORG}/feed.atom").get_data(as_text=True)
    assert title not in client.get("/feed.atom").get_data(as_text=True)
    assert f"/petitions/{ECOLE}" not in client.get(f"/{ORG}/outbox?page=1").get_data(as_text=True)
    page = client.get(f"/{ORG}/petitions/{ECOLE}")
    assert page.status_code == 200 and "This petition is archived" in page.get_data(as_text=True)
    assert client.get(f"/{ORG}/petitions/{ECOLE}.json").get_json()["archived"] is True
    assert try_sign(client, f"/{ORG}/petitions/{ECOLE}").status_code == 409
    assert "Archived" in editor.get(f"{ADMIN}/campaigns").get_data(as_text=True)
    assert publication(editor, "petition", ECOLE, "unarchive").status_code == 303
    assert "archived" not in (content_dir / ORG / f"petitions/{ECOLE}.md").read_text()
    assert title in client.get(f"/{ORG}/").get_data(as_text=True)


def test_consultation_publish_close_and_archive(app, editor, client, content_dir):
    path = content_dir / ORG / f"consultations/{FRICHE}/index.md"
    path.write_text(path.read_text().replace("title: Quel avenir", "status: draft\ntitle: Quel avenir"))
    url = f"/{ORG}/consultations/{FRICHE}"
    assert client.get(url).status_code == 404
    assert publication(editor, "consultation", FRICHE, "publish").status_code == 303
    assert client.get(url).status_code == 200
    assert publication(editor, "consultation", FRICHE, "close").status_code == 303
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    text = path.read_text()
    assert f"contribution: {{start: 2026-01-01, end: {yesterday}}}" in text
    assert f"vote: {{start: 2026-01-01, end: {yesterday}}}" in text
    with app.app_context():
        from chaton.consultations.models import Consultation

        consultation = Consultation.get(Consultation.slug == FRICHE)
        assert not consultation.schedule().allows("vote", date.today())
    assert publication(editor, "consultation", FRICHE, "archive").status_code == 303
    assert "archived: true" in path.read_text()
    assert "Quel avenir pour la friche" not in client.get(f"/{ORG}/").get_data(as_text=True)
    page = client.get(url)
    assert page.status_code == 200 and "This consultation is archived" in page.get_data(as_text=True)


# -- who may do what -------------------------------------------------------------------------------

EDIT_ROUTES = [
    f"{ADMIN}/campaigns/new/petition", f"{ADMIN}/campaigns/new/consultation", ECOLE_EDIT,
    f"{ADMIN}/petitions/{ECOLE}/updates/new",
    f"{ADMIN}/petitions/{ECOLE}/updates/2026-10-02-reunion-publique/edit",
    f"{ADMIN}/petitions/{ECOLE}/answer/edit", FRICHE_EDIT,
    f"{ADMIN}/consultations/{FRICHE}/topics/new",
    f"{ADMIN}/consultations/{FRICHE}/topics/usage-principal/edit",
    f"{ADMIN}/consultations/{FRICHE}/synthesis/edit", f"{ADMIN}/consultations/{FRICHE}/answer/edit",
]
POST_ONLY = [f"{ADMIN}/preview", f"{ADMIN}/petitions/{ECOLE}/publication",
             f"{ADMIN}/consultations/{FRICHE}/publication"]


def test_moderators_may_not_edit(app, content_dir):
    moderator = member_client(app, ORG, "moderator")
    token = csrf_token(moderator, f"{ADMIN}/campaigns")
    before = sorted((p, p.stat().st_mtime_ns) for p in (content_dir / ORG).rglob("*.md"))
    for url in EDIT_ROUTES:
        assert moderator.get(url).status_code == 403, url
    for url in EDIT_ROUTES + POST_ONLY:
        response = moderator.post(url, data={"csrf_token": token, "action": "publish",
                                             "m.title": "x", "body": "y"})
        assert response.status_code == 403, url
    assert sorted((p, p.stat().st_mtime_ns) for p in (content_dir / ORG).rglob("*.md")) == before


def test_another_associations_admin_gets_404_everywhere(app):
    stranger = member_client(app, OTHER, "admin")
    token = csrf_token(stranger, f"/{OTHER}/admin/campaigns")
    for url in [f"{ADMIN}/campaigns"] + EDIT_ROUTES:
        assert stranger.get(url).status_code == 403, url  # was 404 (issue 14)
    for url in EDIT_ROUTES + POST_ONLY:
        assert stranger.post(url, data={"csrf_token": token, "action": "save"}).status_code == 403, url


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(ECOLE_EDIT)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_names_that_cannot_be_files_are_404(editor):
    for url in [f"{ADMIN}/petitions/..%2Fsecret/edit", f"{ADMIN}/petitions/nope/edit",
                f"{ADMIN}/petitions/{ECOLE}/updates/..%2F..%2Fx/edit",
                f"{ADMIN}/petitions/nope/updates/new", f"{ADMIN}/consultations/nope/topics/new"]:
        assert editor.get(url).status_code == 404, url


# -- drafts stay private ---------------------------------------------------------------------------

def test_drafts_do_not_leak(app, client, content_dir):
    write_md(content_dir / ORG / "petitions/secret.md", petition_meta(status="draft",
                                                                     title="Plan secret"))
    friche = content_dir / ORG / f"consultations/{FRICHE}/index.md"
    friche.write_text(friche.read_text().replace("title: Quel avenir", "status: draft\ntitle: Quel avenir"))
    for url in ["/", f"/{ORG}/", "/feed.atom", f"/{ORG}/feed.atom", f"/{ORG}/feed.rss",
                f"/{ORG}/outbox?page=1"]:
        body = client.get(url).get_data(as_text=True)
        assert "Plan secret" not in body and "Quel avenir pour la friche" not in body, url
        assert "/petitions/secret" not in body and f"/consultations/{FRICHE}" not in body, url
    for url in [f"/{ORG}/petitions/secret", f"/{ORG}/petitions/secret.json",
                f"/{ORG}/petitions/secret/feed.atom", f"/{ORG}/consultations/{FRICHE}",
                f"/{ORG}/consultations/{FRICHE}/topics/usage-principal"]:
        assert client.get(url).status_code == 404, url


def test_an_archived_consultation_refuses_participation(client, outbox, content_dir):
    from consultation_helpers import post, sign_in, write_consultation

    url = write_consultation(content_dir, "archivee", archived=True)  # phases still running
    sign_in(client, outbox, url=url)
    topic = url + "/topics/t1"
    assert post(client, topic, topic + "/vote", choice="yes").status_code == 409
    assert post(client, topic, topic + "/contribute", title="T", body="B",
                stance="for").status_code == 409
    assert "This consultation is archived" in client.get(url).get_data(as_text=True)
    assert "Test consultation" not in client.get(f"/{ORG}/").get_data(as_text=True)


def test_yaml_1_1_values_written_by_hand_keep_their_meaning(editor, content_dir):
    path = content_dir / ORG / "petitions/piscine.md"
    path.write_text(HAND_WRITTEN.replace("status: open\n", "status: open\nask_postal_code: yes\n"))
    url = f"{ADMIN}/petitions/piscine/edit"
    assert form_of(editor, url).get("m.ask_postal_code") == "y"  # shown ticked, as Chaton reads it
    assert save(editor, url, **{"m.goal": "100"}).status_code == 303
    doc = fm.parse(path, path.read_text(), SCHEMA)
    assert doc.ok and doc.meta["ask_postal_code"] is True and doc.meta["goal"] == 100


def follow(client, outbox, *addresses):
    """Signatories of the école petition who asked for news (signed and confirmed)."""
    from helpers import links_in

    for address in addresses:
        sign(client, f"/{ORG}/petitions/{ECOLE}", email=address, keep_informed="y")
        link = next(x for x in links_in(outbox.last_to(address)) if "/s/" in x and x.count("/") == 4)
        path = link.replace("http://localhost", "")
        client.post(path, data={"csrf_token": csrf_token(client, path)})


def news_to(outbox, address):
    return [m for m in outbox.to(address) if "News" in m["Subject"]]


def test_an_update_that_mails_people_is_shown_and_counted_before_it_is_sent(editor, client,
                                                                             outbox, content_dir):
    follow(client, outbox, "one@example.org", "two@example.org")
    sign(client, f"/{ORG}/petitions/{ECOLE}", email="quiet@example.org")  # no news asked
    url = f"{ADMIN}/petitions/{ECOLE}/updates/new"
    data = form_of(editor, url)
    data.update({"m.title": "Rendez-vous en mairie", "m.date": "2026-12-01", "action": "save",
                 "body": "Rendez-vous **samedi** [devant la mairie](https://example.org/mairie)."})
    shown = editor.post(url, data=data)
    assert shown.status_code == 200
    html = unescape(shown.get_data(as_text=True))
    assert "This message will go to 2 people." in html
    assert "News of the petition: Une école sans amiante" in html  # the subject
    assert "Rendez-vous samedi devant la mairie (https://example.org/mairie)." in html
    assert 'form="editor" name="action" value="send"' in html
    path = content_dir / ORG / f"petitions/{ECOLE}/updates/2026-12-01-rendez-vous-en-mairie.md"
    assert not path.exists() and news_to(outbox, "one@example.org") == []

    sent = editor.post(url, data=dict(data, action="send"))
    assert sent.status_code == 303 and path.is_file()
    for address in ("one@example.org", "two@example.org"):
        assert "devant la mairie (https://example.org/mairie)" in news_to(outbox, address)[0].get_body(
            ("plain",)).get_content()
    assert news_to(outbox, "quiet@example.org") == []
    corrected = save(editor, sent.headers["Location"], body="Rendez-vous dimanche.")
    assert corrected.status_code == 303  # a correction mails nobody: no second confirmation
    assert len(news_to(outbox, "one@example.org")) == 1


def test_an_answer_is_confirmed_before_it_is_sent_and_the_count_is_in_french(editor, client,
                                                                            outbox):
    follow(client, outbox, "one@example.org")
    url = f"{ADMIN}/petitions/{ECOLE}/answer/edit?lang=fr"
    data = dict(form_of(editor, url), body="Les travaux auront lieu en 2027.", action="save")
    html = unescape(editor.post(url, data=data).get_data(as_text=True))
    assert "Ce message partira à 1 personne." in html
    mail = re.search(r'<pre class="mail-text"[^>]*>(.*?)</pre>', html, re.S).group(1)
    assert "Les travaux auront lieu en 2027." in mail
    assert f"http://localhost/{ORG}/petitions/{ECOLE}\n" in mail  # the page's ?lang=fr stays out
    assert news_to(outbox, "one@example.org") == []
    assert editor.post(url, data=dict(data, action="send")).status_code == 303
    assert len(news_to(outbox, "one@example.org")) == 1


def test_without_followers_an_update_is_saved_at_once(editor):
    url = f"{ADMIN}/petitions/{ECOLE}/updates/new"
    data = dict(form_of(editor, url), **{"m.title": "Nouvelles", "body": "Texte.", "action": "save"})
    assert editor.post(url, data=data).status_code == 303


def test_a_consultation_answer_is_confirmed_before_participants_are_mailed(editor, client, outbox):
    from consultation_helpers import sign_in

    sign_in(client, outbox, email="news@example.org", notify_news="y")
    url = f"{ADMIN}/consultations/{FRICHE}/answer/edit"
    data = dict(form_of(editor, url), **{"m.author": "Conseil municipal", "action": "save",
                                         "body": "Nous retenons **le parc**."})
    html = unescape(editor.post(url, data=data).get_data(as_text=True))
    assert "This message will go to 1 person." in html
    assert "Conseil municipal has answered the consultation" in html
    assert "Nous retenons le parc." in html
    assert [m for m in outbox.to("news@example.org") if "News" in m["Subject"]] == []
    assert editor.post(url, data=dict(data, action="send")).status_code == 303
    news = [m for m in outbox.to("news@example.org") if "News" in m["Subject"]]
    assert len(news) == 1 and "Nous retenons le parc." in news[0].get_body(("plain",)).get_content()
