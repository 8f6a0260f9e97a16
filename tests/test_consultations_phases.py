"""The schedule of phases, `#c` references, hostile text, and the mails of a new phase."""

from datetime import date

from consultation_helpers import DEMO_URL, post, sign_in, write_consultation
from helpers import body_of

from chaton.consultations.indexing import cited_numbers, link_references, record_phase_events
from chaton.consultations.models import Consultation
from chaton.consultations.phases import Schedule
from chaton.core.db import writing
from chaton.core.markup import render_markdown

PHASES = {"information": {"start": "2026-01-01", "end": "2026-01-31"},
          "contribution": {"start": "2026-02-01"},
          "vote": {"start": "2026-02-15", "end": "2026-03-31"},
          "answer": {"start": "2026-06-01"}}


def test_schedule_current_next_and_allowed_actions():
    schedule = Schedule.from_meta(PHASES)
    assert schedule.get("contribution").end == date(2026, 2, 14)  # open end: until the next
    assert schedule.current(date(2026, 1, 10)).name == "information"
    assert not schedule.allows("contribute", date(2026, 1, 10))
    assert schedule.allows("contribute", date(2026, 2, 5))
    assert not schedule.allows("vote", date(2026, 2, 5))
    assert schedule.allows("vote", date(2026, 3, 1)) and schedule.allows("comment", date(2026, 3, 1))
    assert schedule.current(date(2026, 4, 15)) is None  # between phases
    assert schedule.next(date(2026, 4, 15)).name == "answer"
    assert not any(schedule.allows(a, date(2026, 7, 1)) for a in ("vote", "contribute", "comment"))
    assert schedule.get("answer").state(date(2027, 1, 1)) == "current"  # the last lasts


def test_overlapping_phases_allow_both():
    schedule = Schedule.from_meta({"contribution": {"start": "2026-01-01", "end": "2030-12-31"},
                                   "vote": {"start": "2026-01-01", "end": "2030-12-31"}})
    today = date(2027, 5, 1)
    assert schedule.allows("vote", today) and schedule.allows("contribute", today)
    assert schedule.current(today).name == "vote"
    assert schedule.results_visible("after_vote", today) is False
    assert schedule.results_visible("after_vote", date(2031, 1, 1)) is True


def test_references_link_to_permalinks():
    text = link_references("Voir #c12 et (#c3). Pas [#c7](x) ni a#c9 ni &#c5.", "/o/consultations/s")
    html = render_markdown(text)
    assert 'href="/o/consultations/s/contributions/12"' in html
    assert 'href="/o/consultations/s/contributions/3"' in html
    assert "contributions/7" not in html and "contributions/9" not in html
    assert cited_numbers(html) == [12, 3]


def test_hostile_text_is_shown_as_text(client, outbox):
    sign_in(client, outbox, name='<img src=x onerror="alert(1)">')
    url = DEMO_URL + "/topics/jardin-partage"
    post(client, url, url + "/contribute", title="<script>alert(1)</script>{{ 7*7 }}",
         body='<a href="javascript:alert(1)">x</a>', stance="for")
    html = client.get(DEMO_URL + "/contributions/1").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html and "<img src=x" not in html
    assert "{{ 7*7 }}" in html  # not evaluated


def test_a_new_phase_is_mailed_to_those_who_asked(app, client, outbox, content_dir):
    url = write_consultation(content_dir, "later", phases={
        "contribution": {"start": "2026-01-01", "end": "2030-12-31"},
        "vote": {"start": "2031-01-01", "end": "2031-12-31"}})
    sign_in(client, outbox, url=url, email="news@example.org", notify_news="y")
    consultation = Consultation.get(Consultation.slug == "later")
    with app.app_context(), writing():
        record_phase_events(consultation, date(2031, 1, 2))
        record_phase_events(consultation, date(2031, 1, 3))  # once only
    mails = [m for m in outbox.to("news@example.org") if "Vote" in body_of(m)]
    assert len(mails) == 1 and "/consultations/later" in body_of(mails[0])
    feed = client.get(url + "/feed.atom").get_data(as_text=True)
    assert "the vote phase starts" in feed
