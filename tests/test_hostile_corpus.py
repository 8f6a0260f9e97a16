"""A corpus of hostile inputs against every place text enters: content files, forms and other
servers' documents. Whatever comes in, no page answers 500 and no request takes over 2 s;
what is refused is refused with a 4xx or a reported problem, never a crash.
"""

import json
import time

import pytest
from consultation_helpers import DEMO_URL, post, sign_in
from helpers import PETITION_URL, make_app, member_client, petition_meta, sign, write_md

ORG = "quartiers-solidaires"
CORPUS = {
    "impossible date": "2026-13-45",
    "control characters": "bell\x07 escape\x1b line\u2028sep",
    "bidi override": "\u202eevil\u202c",
    "template syntax": "{{ config.SECRET_KEY }} {% raw %}",
    "markup": "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "unclosed brackets": "[" * 20_000,
    "deep quotes": ">" * 20_000 + " fin",
    "astral": "🏳️‍🌈" * 500,
    "long line": "A" * 100_000,
    "backslash path": "![x](/\\evil.example/x.png)",
    "header injection": "ada@example.org\r\nBcc: victim@example.org",
    "yaml aliases": "&a [*a]",
}
PAGES = ["/", f"/{ORG}/", PETITION_URL, "/feed.atom", f"/{ORG}/feed.rss",
         f"{PETITION_URL}/feed.atom", f"{PETITION_URL}.json", DEMO_URL, "/mirrors/"]


def timed(call):
    started = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - started
    assert elapsed < 2, f"{elapsed:.1f} s"
    assert response.status_code < 500, response.status_code
    return response


def every_page_answers(app):
    client = app.test_client()
    for path in PAGES:
        assert timed(lambda path=path: client.get(path)).status_code in (200, 304), path


@pytest.mark.parametrize("name", CORPUS)
def test_in_content_files(tmp_path, content_dir, name):
    value = CORPUS[name]
    write_md(content_dir / ORG / "petitions/hostile.md",
             petition_meta(title=value[:200], summary=value[:500], demand=value[:1000]), value)
    path = content_dir / ORG / "petitions/raw.md"
    path.write_text(f"---\ntitle: {value}\nopens: {value}\n---\n{value}\n", encoding="utf-8")
    write_md(content_dir / ORG / "petitions/ecole-sans-amiante/updates/2026-12-01-hostile.md",
             {"title": value[:200]}, value)
    started = time.perf_counter()
    app = make_app(tmp_path, content_dir)  # indexes every file
    assert time.perf_counter() - started < 10
    every_page_answers(app)
    timed(lambda: app.test_client().get(f"/{ORG}/petitions/hostile"))


@pytest.mark.parametrize("name", CORPUS)
def test_in_forms(app, outbox, name):
    value = CORPUS[name]
    client = app.test_client()
    timed(lambda: sign(client, name=value[:300], email=value, comment=value,
                       postal_code=value[:20]))
    timed(lambda: sign(client, name=value[:100], email="ok.corpus@example.org", comment=value[:500],
                       show_name="y"))
    participant = app.test_client()
    sign_in(participant, outbox, email="corpus@example.org")
    topic = f"{DEMO_URL}/topics/ouverture-nocturne"
    timed(lambda: post(participant, topic, topic + "/contribute", title=value[:150],
                       body=value[:5000], stance="proposal"))
    timed(lambda: post(participant, topic, topic + "/comment", body=value[:2000]))
    admin = member_client(app, ORG)
    from test_association_settings import submit

    timed(lambda: submit(admin, name=value[:200], description=value[:1000]))
    every_page_answers(app)


@pytest.mark.parametrize("name", CORPUS)
def test_in_other_servers_documents(tmp_path, content_dir, name):
    from test_federation_inbox import ALICE, PUBLIC, REMOTE, create, petition_note
    from test_federation_inbox import post as post_signed

    from chaton.federation.models import Following, RemoteActor

    value = CORPUS[name]
    app = make_app(tmp_path, content_dir, federation_allow_private_addresses=True)
    with app.app_context():
        RemoteActor.create(uri=ALICE, key_id=ALICE + "#main-key", public_pem=PUBLIC,
                           inbox=ALICE + "/inbox", host="127.0.0.1:9")
        Following.create(actor=ALICE, follow_id="http://localhost/actor#follows/1",
                         state="accepted")
    fields = ["chaton:title", "chaton:summary", "chaton:demand", "chaton:source",
              "chaton:deadline", "chaton:count", "chaton:association", "id"]
    for n, field in enumerate(fields):
        note = petition_note(**{field: value})
        timed(lambda note=note, n=n: post_signed(app, create(note, n)))
    news = {"id": f"{REMOTE}/org/news/1", "type": "Note", "attributedTo": ALICE,
            "content": value, "chaton:event": "update",
            "chaton:campaign": f"{REMOTE}/org/petitions/p1"}
    timed(lambda: post_signed(app, create(petition_note(), 90)))
    timed(lambda: post_signed(app, create(news, 91)))
    timed(lambda: post_signed(app, None, body=json.dumps(create(news, 92)).replace(
        '"update"', json.dumps(value)).encode()))
    every_page_answers(app)
    client = app.test_client()
    for mirror in ("/mirrors/1", "/mirrors/2"):
        assert timed(lambda mirror=mirror: client.get(mirror)).status_code in (200, 404)
