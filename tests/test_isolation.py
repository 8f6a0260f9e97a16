"""No association area route is left unguarded, and one association's admins reach nothing of
another's: every /<org>/admin and /hoster route of the application is tried."""

import re

import pytest
from helpers import csrf_token, member_client

from chaton.consultations.models import Consultation, Topic
from chaton.petitions.models import Petition

ORG, OTHER = "quartiers-solidaires", "velo-pour-tous"
OPEN_ROUTES = {"admin.login"}  # the former token page: only redirects to /account/login


def area_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN_ROUTES:
            continue
        if rule.rule.startswith(("/<org>/admin", "/hoster")):
            yield rule


def test_every_area_route_checks_the_role(app):
    unguarded = [r.rule for r in area_rules(app)
                 if not hasattr(app.view_functions[r.endpoint], "access")]
    assert unguarded == []
    assert len(list(area_rules(app))) >= 10


def values_for(app, rule, org):
    """Real objects of `org` for the rule's arguments: a refusal must come from the role check."""
    with app.app_context():
        petition = Petition.select().join_from(Petition, Petition.association.rel_model).where(
            Petition.association.rel_model.slug == org).first()
        consultation = Consultation.select().join_from(
            Consultation, Consultation.association.rel_model).where(
            Consultation.association.rel_model.slug == org).first()
        topic = Topic.select().where(Topic.consultation == consultation).first()
    values = {}
    for name in rule.arguments:
        if name == "org":
            values[name] = org
        elif name == "slug":
            values[name] = consultation.slug if "consultation" in rule.rule else petition.slug
        elif name in ("topic", "topic_slug"):
            values[name] = topic.slug
        elif hasattr(rule._converters.get(name), "items"):  # any(a, b): the first allowed value
            values[name] = sorted(rule._converters[name].items)[0]
        elif name == "filename" or name == "path":
            values[name] = "x.png"
        else:
            values[name] = 1
    return values


def test_another_associations_admin_gets_403_everywhere(app):
    intruder = member_client(app, ORG, "admin")
    tried = 0
    for rule in area_rules(app):
        if rule.rule.startswith("/hoster"):
            continue
        url = app.url_map.bind("localhost").build(rule.endpoint, values_for(app, rule, OTHER),
                                                  append_unknown=False)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = intruder.get(url)
            else:
                page = f"/{ORG}/admin/"
                response = intruder.open(url, method=method,
                                         data={"csrf_token": csrf_token(intruder, page)})
            assert response.status_code == 403, (method, url, response.status_code)  # was 404
            tried += 1
    assert tried >= 10


def test_signed_out_visitors_never_reach_an_area(app):
    client = app.test_client()
    for rule in area_rules(app):
        url = app.url_map.bind("localhost").build(rule.endpoint, values_for(app, rule, ORG),
                                                  append_unknown=False)
        if "GET" in rule.methods:
            response = client.get(url)
            assert response.status_code == 302, url
            assert re.match(r"(http://localhost)?/account/login", response.headers["Location"])


@pytest.mark.parametrize("role", ["admin", "editor", "moderator"])
def test_association_members_never_reach_the_hoster_area(app, role):
    member = member_client(app, ORG, role)
    for rule in area_rules(app):
        if rule.rule.startswith("/hoster") and "GET" in rule.methods:
            url = app.url_map.bind("localhost").build(rule.endpoint,
                                                      values_for(app, rule, ORG))
            assert member.get(url).status_code == 403, url  # was 404 (issue 14)
