"""Atom and RSS feeds: every campaign event, stable ids, aware dates, conditional GET."""

import feedparser
import pytest
from helpers import PETITION_URL, petition_meta, write_md

FEEDS = ["/feed.atom", "/feed.rss", "/quartiers-solidaires/feed.atom",
         "/quartiers-solidaires/feed.rss", PETITION_URL + "/feed.atom", PETITION_URL + "/feed.rss"]


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_parse_without_errors(client, demo, url):
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.id and entry.link.startswith("http://localhost/")
        assert entry.get("published_parsed") or entry.get("updated_parsed")


def test_petition_feed_tells_every_event(client, demo):
    titles = [e.title for e in feedparser.parse(client.get(PETITION_URL + "/feed.atom").data).entries]
    assert any(t.startswith("New petition") for t in titles)
    assert any("Réunion publique" in t for t in titles)
    assert any("500 signatures reached" in t for t in titles)
    assert any("asked to answer" in t for t in titles)
    answered = client.get("/quartiers-solidaires/petitions/bancs-place-des-tilleuls/feed.atom")
    titles = [e.title for e in feedparser.parse(answered.data).entries]
    assert any("answered" in t for t in titles)


def test_entry_ids_are_stable(client, demo, content_dir):
    first = {e.id for e in feedparser.parse(client.get("/feed.atom").data).entries}
    write_md(content_dir / "quartiers-solidaires/petitions/ecole-sans-amiante/updates/"
             "2026-11-20-new.md", {"title": "Nouvelle étape"})
    second = feedparser.parse(client.get("/feed.atom").data).entries
    assert second[0].title.endswith("Nouvelle étape")
    assert first <= {e.id for e in second}


def test_conditional_get(client, demo):
    response = client.get("/feed.atom")
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert client.get("/feed.atom", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/feed.atom", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/feed.atom", headers={"If-None-Match": '"other"'}).status_code == 200


def test_drafts_stay_out_of_feeds(client, content_dir):
    write_md(content_dir / "quartiers-solidaires/petitions/secret.md",
             petition_meta(status="draft", title="Secret plan"))
    write_md(content_dir / "quartiers-solidaires/petitions/secret/updates/2026-11-01-x.md",
             {"title": "Secret update"})
    body = client.get("/feed.atom").get_data(as_text=True)
    assert "Secret" not in body
    assert client.get("/quartiers-solidaires/petitions/secret/feed.atom").status_code == 404


def test_pages_link_to_their_feeds(client):
    for url, feed in (("/", "/feed.atom"), ("/quartiers-solidaires/", "/quartiers-solidaires/feed.atom"),
                      (PETITION_URL, PETITION_URL + "/feed.atom")):
        html = client.get(url).get_data(as_text=True)
        assert f'<link rel="alternate" type="application/atom+xml" href="{feed}"' in html


def test_feed_queries_do_not_grow_with_entries(client, demo, content_dir):
    """No query per entry: ten more updates cost no more queries."""
    from chaton.core.db import database

    def queries_for(url):
        executed = []
        original = database.obj.execute_sql

        def counting(sql, params=None, *args, **kwargs):
            executed.append(sql)
            return original(sql, params, *args, **kwargs)

        database.obj.execute_sql = counting
        try:
            client.get(url)
        finally:
            database.obj.execute_sql = original
        return len(executed)

    client.get(PETITION_URL + "/feed.atom")
    before = queries_for(PETITION_URL + "/feed.atom")
    for n in range(10):
        write_md(content_dir / f"quartiers-solidaires/petitions/ecole-sans-amiante/updates/"
                 f"2026-11-1{n}-more-{n}.md", {"title": f"More {n}"})
    client.get("/")  # re-index
    client.get(PETITION_URL + "/feed.atom")  # caches warm again, as before the first count
    assert queries_for(PETITION_URL + "/feed.atom") <= before


def test_entries_carry_the_date_of_their_update_and_answer(client, demo):
    """Indexed at install time, the demo's update of 2 October and answer keep their own dates."""
    entries = feedparser.parse(client.get(PETITION_URL + "/feed.atom").data).entries
    update = next(e for e in entries if "Réunion publique" in e.title)
    assert update.published.startswith("2026-10-02T12:00:00")
    assert update.updated.startswith("2026-10-02")
    answered = client.get("/quartiers-solidaires/petitions/bancs-place-des-tilleuls/feed.rss")
    answer = next(e for e in feedparser.parse(answered.data).entries if "answered" in e.title)
    assert answer.published_parsed[:3] == (2026, 11, 10)


@pytest.mark.parametrize(("base_url", "tag"), [
    ("http://localhost", "tag:localhost,2026:event-"),  # ids already published stay the same
    ("https://petitions.example.org:443", "tag:petitions.example.org,2026:event-"),
    ("http://127.0.0.1:8624", "tag:127.0.0.1,2026:8624/event-"),
])
def test_entry_ids_keep_the_port_of_base_url(tmp_path, content_dir, base_url, tag):
    from helpers import make_app

    client = make_app(tmp_path, content_dir, base_url=base_url).test_client()
    entries = feedparser.parse(client.get("/feed.atom").data).entries
    assert entries and all(e.id.startswith(tag) and e.id[len(tag):].isdigit() for e in entries)


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_name_a_stylesheet_of_the_instance_and_stay_feeds(client, demo, url):
    from lxml import etree

    response = client.get(url, headers={"Accept": "application/atom+xml, application/rss+xml, */*"})
    assert response.mimetype in ("application/atom+xml", "application/rss+xml")
    org = "/quartiers-solidaires" if url.startswith("/quartiers") else ""
    instruction = f'<?xml-stylesheet type="text/xsl" href="{org}/feed.xsl?lang=en"?>'
    assert response.data.split(b"\n")[1].decode() == instruction
    assert not feedparser.parse(response.data).bozo
    stylesheet = client.get(f"{org}/feed.xsl?lang=en")
    assert stylesheet.status_code == 200 and stylesheet.mimetype == "text/xsl"
    page = str(etree.XSLT(etree.fromstring(stylesheet.data))(etree.fromstring(response.data)))
    assert "What is this page?" in page and "feed reader" in page
    assert len(feedparser.parse(response.data).entries) == page.count("<li>") - 2  # + 2 steps


def test_a_browser_opening_a_feed_gets_the_page_of_its_stylesheet(client, demo):
    response = client.get(PETITION_URL + "/feed.atom?lang=fr", headers=BROWSER)
    assert response.mimetype == "text/html" and "Accept" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert "<title>Une école sans amiante pour les enfants des Tilleuls · Fil d’actualité</title>" in html
    assert "Qu’est-ce que cette page\u00a0?" in html and "lecteur de flux" in html
    assert "@quartiers-solidaires@localhost" in html  # the association's fediverse handle
    assert "2 octobre 2026" in html  # the update's date, as the pages write it
    assert "Réunion publique le 12 décembre" in html
    rss = client.get(PETITION_URL + "/feed.rss?lang=en", headers=BROWSER).get_data(as_text=True)
    assert "October 2, 2026" in rss and "What is this page?" in rss
    assert client.get("/nobody/feed.xsl").status_code == 404


def test_feed_links_show_the_fediverse_handle_beside_them(client):
    for url in ("/quartiers-solidaires/", PETITION_URL):
        html = client.get(url).get_data(as_text=True)
        links = html[html.index("Follow its news:"):][:700]
        assert 'type="application/atom+xml">Atom</a>' in links
        assert '<span class="handle-inline">@quartiers-solidaires@localhost</span>' in links
