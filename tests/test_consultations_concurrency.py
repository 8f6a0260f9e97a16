"""One person, one vote per topic, even when requests race (threads against one app)."""

import re
import threading

import pytest
from consultation_helpers import DEMO_URL, sign_in
from helpers import make_app

from chaton.consultations.models import Contribution, Participant, Support, Topic, Vote, VoteCount

TOPIC = DEMO_URL + "/topics/jardin-partage"


@pytest.fixture
def app(tmp_path, content_dir):
    """Many people sign in from one address here: no per-IP limit on sign-in links."""
    return make_app(tmp_path, content_dir, join_rate_limit="")


def clone(app, client):
    """Another browser carrying the same cookies (the same person on several tabs)."""
    other = app.test_client()
    for name in ("session", "participant", "lang"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


def token(client):
    html = client.get(DEMO_URL + "/me").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def race(functions):
    barrier = threading.Barrier(len(functions))
    errors = []

    def run(fn):
        try:
            barrier.wait(timeout=10)
            fn()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors


def test_one_person_racing_votes_counts_once(app, client, outbox):
    sign_in(client, outbox)
    csrf = token(client)
    tabs = [clone(app, client) for _ in range(16)]
    statuses = []

    def vote(tab, choice):
        return lambda: statuses.append(
            tab.post(TOPIC + "/vote", data={"csrf_token": csrf, "choice": choice}).status_code)

    race([vote(tab, ("yes", "no", "abstain")[i % 3]) for i, tab in enumerate(tabs)])
    assert statuses == [303] * 16
    topic = Topic.get(Topic.slug == "jardin-partage")
    assert Vote.select().where(Vote.topic == topic).count() == 1
    counts = {c.choice: c.count for c in VoteCount.select().where(VoteCount.topic == topic)}
    assert sum(counts.values()) == topic.vote_count == 1
    assert counts[Vote.get().choice] == 1


def test_many_people_voting_at_once_are_all_counted(app, outbox):
    people = []
    for i in range(12):
        browser = app.test_client()
        sign_in(browser, outbox, email=f"p{i}@example.org", name=f"P{i}")
        people.append((browser, token(browser)))

    def vote(browser, csrf, choice):
        return lambda: browser.post(TOPIC + "/vote", data={"csrf_token": csrf, "choice": choice})

    race([vote(b, c, "yes" if i % 2 else "no") for i, (b, c) in enumerate(people)]
         + [vote(b, c, "abstain") for b, c in people])  # each also changes their mind at once
    topic = Topic.get(Topic.slug == "jardin-partage")
    assert Vote.select().where(Vote.topic == topic).count() == 12 == topic.vote_count
    counts = {c.choice: c.count for c in VoteCount.select().where(VoteCount.topic == topic)}
    by_rows = {}
    for v in Vote.select().where(Vote.topic == topic):
        by_rows[v.choice] = by_rows.get(v.choice, 0) + 1
    assert {k: v for k, v in counts.items() if v} == by_rows
    assert Participant.select().count() == 12


def test_racing_supports_count_once(app, client, outbox):
    sign_in(client, outbox)
    csrf = token(client)
    client.post(TOPIC + "/contribute", data={"csrf_token": csrf, "title": "T", "body": "B",
                                             "stance": "for"})
    number = Contribution.get().number
    url = f"{DEMO_URL}/contributions/{number}/support"
    tabs = [clone(app, client) for _ in range(10)]
    race([lambda tab=tab: tab.post(url, data={"csrf_token": csrf, "support": "1"}) for tab in tabs])
    assert Support.select().count() == 1 == Contribution.get().support_count
