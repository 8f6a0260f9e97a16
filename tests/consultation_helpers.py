"""Helpers for the consultation tests: content files, signing in through the magic link."""

import re
from datetime import date, timedelta

from helpers import body_of, csrf_token, write_md

ORG = "quartiers-solidaires"
DEMO_URL = f"/{ORG}/consultations/avenir-friche-jean-moulin"
CLOSED_URL = "/velo-pour-tous/consultations/plan-velo-quartier"


def days(n):
    return (date.today() + timedelta(days=n)).isoformat()


def consultation_meta(**overrides):
    meta = {"title": "Test consultation", "question": "What should we do?",
            "phases": {"contribution": {"start": days(-10), "end": days(10)},
                       "vote": {"start": days(-10), "end": days(10)}}}
    meta.update(overrides)
    return meta


def write_consultation(content_dir, slug="test", topics=None, **meta):
    """A consultation with one yes/no topic (or the given {slug: meta}) under ORG."""
    folder = content_dir / ORG / "consultations" / slug
    write_md(folder / "index.md", consultation_meta(**meta), "Context.")
    for topic_slug, topic_meta in (topics or {"t1": {"title": "Topic one"}}).items():
        write_md(folder / "topics" / f"{topic_slug}.md", topic_meta, "Sheet.")
    return f"/{ORG}/consultations/{slug}"


def post(client, page_url, action_url, **data):
    """POST a form of a page like a browser (CSRF token taken from the page)."""
    data["csrf_token"] = csrf_token(client, page_url)
    return client.post(action_url, data=data)


def login_link(outbox, address):
    links = re.findall(r"https?://\S+", body_of(outbox.last_to(address)))
    return re.sub(r"^https?://[^/]+", "", next(link for link in links if "/login/" in link))


def sign_in(client, outbox, url=DEMO_URL, email="ada@example.org", name="Ada",
            notify_news="y", notify_replies="y"):
    """Join with an address, open the mailed link, press its button: the browser is signed in."""
    fields = {"email": email, "display_name": name, "website": ""}
    if notify_news:
        fields["notify_news"] = notify_news
    if notify_replies:
        fields["notify_replies"] = notify_replies
    response = post(client, url + "/join", url + "/join", **fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    link = login_link(outbox, email)
    done = post(client, link, link)
    assert done.status_code == 303
    return link
