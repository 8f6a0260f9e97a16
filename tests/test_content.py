"""Plain-text content: validation with clear errors, live reload, broken files isolated."""

from click.testing import CliRunner
from helpers import PETITION_URL, petition_meta, write_md

from chaton.cli import main
from chaton.orgs.tree import load_tree
from chaton.petitions.models import Petition


def check(content_dir):
    runner = CliRunner()
    return runner.invoke(main, ["content", "check", "--path", str(content_dir)])


def test_shipped_demo_content_is_valid(content_dir):
    result = check(content_dir)
    assert result.exit_code == 0, result.output
    assert "2 association(s), 3 petition(s)" in result.output


def test_errors_name_the_file_the_line_and_the_field(content_dir):
    path = content_dir / "quartiers-solidaires/petitions/broken.md"
    path.write_text("---\ntitle: Broken\ntarget: {name: Mayor}\ndemand: More.\n"
                    "goal: many\nstatus: maybe\n---\nBody\n")
    result = check(content_dir)
    assert result.exit_code == 1
    assert "content/quartiers-solidaires/petitions/broken.md:5: goal: expected a whole number " \
        "such as 1500 or 1 500, got 'many'" in result.output
    assert "content/quartiers-solidaires/petitions/broken.md:6: status: expected one of" \
        in result.output


def test_numbers_may_have_their_thousands_apart(content_dir):
    path = content_dir / "quartiers-solidaires/petitions/grouped.md"
    path.write_text("---\ntitle: Grouped\ntarget: {name: Mayor}\ndemand: More.\n"
                    "goal: 1 500\nmilestones: [500]\npaper_signatures: 1\u202f200\nstatus: open\n---\nBody\n")
    result = check(content_dir)
    assert "grouped.md" not in result.output, result.output
    path.write_text(path.read_text().replace("goal: 1 500", "goal: 15 00"))
    assert "grouped.md:5: goal: expected a whole number such as 1500 or 1 500, got '15 00'" \
        in check(content_dir).output


def test_invalid_yaml_and_missing_fields_are_reported(content_dir):
    bad_yaml = content_dir / "quartiers-solidaires/petitions/bad-yaml.md"
    bad_yaml.write_text("---\ntitle: [unclosed\nstatus: open\n---\n")
    missing = content_dir / "quartiers-solidaires/petitions/missing.md"
    missing.write_text("---\ntitle: Only a title\n---\nBody\n")
    no_header = content_dir / "quartiers-solidaires/petitions/no-header.md"
    no_header.write_text("Just text\n")
    messages = [str(p) for p in load_tree(content_dir).errors]
    assert any("bad-yaml.md:" in m and "invalid YAML" in m for m in messages)
    assert any("missing.md:1: demand: required field is missing" in m for m in messages)
    assert any("missing.md:1: target: required field is missing" in m for m in messages)
    assert any("no-header.md:1:" in m and "---" in m for m in messages)


def test_broken_file_is_skipped_and_the_rest_keeps_serving(client, content_dir):
    write_md(content_dir / "quartiers-solidaires/petitions/new-one.md", petition_meta(goal="x"))
    assert client.get("/quartiers-solidaires/petitions/new-one").status_code == 404
    assert client.get(PETITION_URL).status_code == 200
    assert client.get("/").status_code == 200


def test_a_petition_broken_after_publication_keeps_its_last_good_version(client, content_dir):
    path = content_dir / "quartiers-solidaires/petitions/ecole-sans-amiante.md"
    path.write_text(path.read_text().replace("goal: 2000", "goal: beaucoup"))
    response = client.get(PETITION_URL)
    assert response.status_code == 200
    assert "Une école sans amiante" in response.get_data(as_text=True)


def test_edits_on_disk_appear_without_restart(client, content_dir):
    path = content_dir / "quartiers-solidaires/petitions/ecole-sans-amiante.md"
    path.write_text(path.read_text().replace("Une école sans amiante", "Une école saine"))
    assert "Une école saine" in client.get(PETITION_URL).get_data(as_text=True)
    write_md(content_dir / "quartiers-solidaires/petitions/fresh.md", petition_meta(title="Fresh"))
    assert client.get("/quartiers-solidaires/petitions/fresh").status_code == 200
    (content_dir / "quartiers-solidaires/petitions/fresh.md").unlink()
    assert client.get("/quartiers-solidaires/petitions/fresh").status_code == 404


def test_drafts_are_not_public(client, content_dir):
    write_md(content_dir / "quartiers-solidaires/petitions/secret.md",
             petition_meta(title="Secret draft", status="draft"))
    assert client.get("/quartiers-solidaires/petitions/secret").status_code == 404
    assert "Secret draft" not in client.get("/quartiers-solidaires/").get_data(as_text=True)


def test_updates_and_answer_are_read_from_markdown(client):
    html = client.get(PETITION_URL).get_data(as_text=True)
    assert "Réunion publique le 12 décembre" in html
    answered = client.get("/quartiers-solidaires/petitions/bancs-place-des-tilleuls")
    assert "Douze bancs" in answered.get_data(as_text=True)


def test_paper_signatures_are_shown_separately(client):
    data = client.get(PETITION_URL + ".json").get_json()
    assert data["counts"]["paper"] == 312
    assert data["counts"]["total"] == data["counts"]["online"] + 312


def test_unreadable_file_is_reported(content_dir):
    path = content_dir / "quartiers-solidaires/petitions/latin1.md"
    path.write_bytes("---\ntitle: Pétition\n---\n".encode("latin-1"))
    messages = [str(p) for p in load_tree(content_dir).errors]
    assert any("latin1.md" in m and "UTF-8" in m for m in messages)


def test_reserved_association_folder_is_refused(content_dir):
    write_md(content_dir / "admin/association.md", {"name": "Sneaky"})
    messages = [str(p) for p in load_tree(content_dir).errors]
    assert any("admin/association.md" in m and "reserved" in m for m in messages)


def test_index_keeps_counters_when_the_file_changes(app, client, content_dir):
    petition = Petition.get(Petition.slug == "ecole-sans-amiante")
    Petition.update(signature_count=41).where(Petition.id == petition.id).execute()
    path = content_dir / "quartiers-solidaires/petitions/ecole-sans-amiante.md"
    path.write_text(path.read_text().replace("goal: 2000", "goal: 3000"))
    data = client.get(PETITION_URL + ".json").get_json()
    assert data["goal"] == 3000 and data["counts"]["online"] == 41


def test_revisions_show_the_signed_text_not_private_fields(client):
    html = client.get("/quartiers-solidaires/petitions/ecole-sans-amiante/revisions/1")
    text = html.get_data(as_text=True)
    assert "Que la ville vote" in text
    assert "mairie@villeneuve.example" not in text  # the target's contact stays private


def test_drafts_make_no_public_revision_until_they_open(client, content_dir):
    path = write_md(content_dir / "quartiers-solidaires/petitions/later.md",
                    petition_meta(status="draft", title="Draft one"))
    client.get("/")
    assert Petition.get(Petition.slug == "later").revision_number == 0
    write_md(path, petition_meta(status="open", title="Opened"))
    client.get("/")
    assert Petition.get(Petition.slug == "later").revision_number == 1


def test_relative_links_point_to_the_media_folder(client, content_dir):
    write_md(content_dir / "quartiers-solidaires/petitions/docs.md", petition_meta(),
             "[the report](documents/report.pdf) and [anchor](#top)")
    html = client.get("/quartiers-solidaires/petitions/docs").get_data(as_text=True)
    assert 'href="/quartiers-solidaires/media/documents/report.pdf"' in html
    assert 'href="#top"' in html


def test_reserved_source_names_are_refused(content_dir):
    write_md(content_dir / "quartiers-solidaires/petitions/src.md",
             petition_meta(other_signatures=[{"source": "total", "count": 5}]))
    messages = [str(p) for p in load_tree(content_dir).errors]
    assert any("src.md" in m and "other_signatures" in m and "reserved" in m for m in messages)


def test_the_shipped_demo_writes_french_typography():
    """The demo's French texts put a no-break space before ? ! : ; and inside « », as the
    interface does (a question mark alone at the start of a line was seen on phones)."""
    import re
    from pathlib import Path

    shipped = Path(__file__).resolve().parent.parent / "content"
    plain = [f"{path.relative_to(shipped)}: {line.strip()}"
             for path in sorted(shipped.rglob("*.md"))
             for line in path.read_text(encoding="utf-8").splitlines()
             if re.search(r"\S [?!:;»]|« ", line)]
    assert plain == []
