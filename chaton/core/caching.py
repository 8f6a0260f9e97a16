"""What caches may keep: public pages for everyone, for a few seconds; nothing personal.

An anonymous GET of a public page (no cookie sent, none set, a 200) says `Cache-Control:
public, max-age=5, stale-while-revalidate=3` with an ETag computed from its bytes, and
answers a conditional GET with 304: a shared cache (nginx, a CDN) or Chaton's own
(`ResponseCache`, for a server without a front cache) serves it to everyone, and a count on
such a page lags by at most 10 seconds (5 kept, 3 served while refreshed, 2 in the petition
page's own cache). Anything else, a request that carries a cookie (a team member, a consultation
participant, an old language cookie), a response that sets one (a flash message), an error page
or a form shown again with what was typed, is `private, no-store`. A view that states its
own Cache-Control (feeds, media, partner-only documents) keeps it.
"""

from flask import request, session

MAX_AGE = 5
STALE_WHILE_REVALIDATE = 3
PUBLIC = f"public, max-age={MAX_AGE}, stale-while-revalidate={STALE_WHILE_REVALIDATE}"
PRIVATE = "private, no-store"


def is_personal(response):
    """Whether a response belongs to one visitor (or to nobody worth keeping). The session
    cookie is added after this runs: a session changed now means a cookie is coming."""
    return bool(request.cookies) or session.modified or "Set-Cookie" in response.headers \
        or response.status_code != 200


def cache_headers(response):
    if "Cache-Control" in response.headers:
        return response  # the view knows better (feeds, media, partner-only documents)
    if request.method not in ("GET", "HEAD") or is_personal(response):
        response.headers["Cache-Control"] = PRIVATE
        return response
    response.headers["Cache-Control"] = PUBLIC
    if not response.direct_passthrough:  # a file: send_file made it conditional already
        response.add_etag(weak=True)
        response.make_conditional(request)
    return response


def init_app(app):
    app.after_request(cache_headers)
