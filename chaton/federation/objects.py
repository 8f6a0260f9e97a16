"""What other servers send, checked once, here: types, ranges, lengths and addresses.

Handlers and pages get these checked values, never the raw JSON: a campaign whose count is
not a number, an address in `javascript:`, a title of a megabyte or an object claimed on
another server's origin is refused as a whole (`Invalid`), logged, and changes nothing.
The field parsers are the content files' own (`core.frontmatter`): a remote campaign obeys
the limits of a local one.
"""

import re
from datetime import datetime

from chaton.core import frontmatter as fm
from chaton.core.markup import sanitize
from chaton.federation.origins import BadAddress, address_on, id_of
from chaton.petitions.models import STATUSES

MAX_SOURCE = 50_000  # characters of a remote campaign's Markdown, rendered by our worker
MAX_NEWS_HTML = 20_000
HOST_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}(?::\d{1,5})?"
                     r"|\[[0-9a-f:.]+\](?::\d{1,5})?")


class Invalid(ValueError):
    """A remote object that cannot be used; the message names the field."""


def _host(value):
    value = fm.text(255)(value).lower()
    if not HOST_RE.fullmatch(value):
        raise fm.FieldError(f"expected a host name, got {value!r}")
    return value


def _source(value):
    if not isinstance(value, str):
        raise fm.FieldError("expected Markdown text")
    if len(value) > MAX_SOURCE:
        raise fm.FieldError(f"too long ({len(value)} characters, at most {MAX_SOURCE})")
    return value


def _partner_counts(value):
    if not isinstance(value, dict) or len(value) > 20:
        raise fm.FieldError("expected at most 20 hosts with their counts")
    return {_host(k): fm.integer(0, 1_000_000_000)(v) for k, v in value.items()}


def _secret(value):
    value = fm.text(64, min_length=32)(value)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", value):
        raise fm.FieldError("expected a secret in base64url")
    return value


def _timestamp(value):
    try:
        return datetime.fromisoformat(fm.text(40)(value)).isoformat()
    except ValueError:
        raise fm.FieldError(f"expected a date and time, got {value!r}") from None


CAMPAIGN = [
    fm.Field("chaton:title", fm.text(200), required=True),
    fm.Field("chaton:summary", fm.text(500), default=""),
    fm.Field("chaton:target", fm.text(200), default=""),
    fm.Field("chaton:demand", fm.text(1000), default=""),
    fm.Field("chaton:goal", fm.integer(0, 100_000_000), default=0),
    fm.Field("chaton:count", fm.integer(0, 1_000_000_000), default=0),
    fm.Field("chaton:status", fm.choice(*STATUSES), default="open"),
    fm.Field("chaton:deadline", fm.date),
    fm.Field("chaton:source", _source, default=""),
    fm.Field("chaton:association", fm.text(200), default=""),
    fm.Field("chaton:language", fm.language),
    fm.Field("chaton:partners", fm.list_of(_host, 20), default=[]),
    fm.Field("chaton:askPostalCode", fm.boolean, default=False),
    fm.Field("chaton:partnerCounts", _partner_counts, default={}),
    fm.Field("chaton:partnerDuplicates", _partner_counts, default={}),
    fm.Field("chaton:dedupKey", _secret, default=""),  # only to a declared partner's server
]
NEWS = [
    fm.Field("chaton:event", fm.text(32), required=True),
    fm.Field("published", _timestamp, default=""),
]
COUNT_REPORT = [
    fm.Field("chaton:count", fm.integer(0, 100_000_000), required=True),
]


def _fields(obj, schema, what):
    """{name without its prefix: checked value}; Invalid names the first bad field."""
    out = {}
    for spec in schema:
        value = obj.get(spec.name)
        key = spec.name.removeprefix("chaton:")
        if value is None or (value == "" and not spec.required):
            if spec.required:
                raise Invalid(f"{what}: {spec.name} is missing")
            out[key] = spec.default
            continue
        try:
            out[key] = spec.parse(value)
        except fm.FieldError as exc:
            raise Invalid(f"{what}: {spec.name}: {exc}") from None
    return out


def _owned_address(value, actor, what):
    try:
        return address_on(value, actor, what)
    except BadAddress as exc:
        raise Invalid(str(exc)) from None


def _object(obj, actor, what):
    """An object attributed to `actor`, with its id on the actor's origin."""
    if not isinstance(obj, dict):
        raise Invalid(f"{what}: not an object")
    if id_of(obj.get("attributedTo")) != actor:
        raise Invalid(f"{what}: not attributed to {actor}")
    return _owned_address(obj.get("id"), actor, f"{what} id")


def campaign(obj, actor):
    """A remote petition: {'id', 'title', ..., 'deadline' (ISO text or None)}."""
    object_id = _object(obj, actor, "campaign")
    data = _fields(obj, CAMPAIGN, "campaign")
    data["deadline"] = data["deadline"].isoformat() if data["deadline"] else None
    return {"id": object_id, **data}


def news(obj, actor):
    """News of a remote campaign (update, milestone, answer): sanitized HTML."""
    object_id = _object(obj, actor, "news")
    data = _fields(obj, NEWS, "news")
    data["campaign"] = _owned_address(obj.get("chaton:campaign"), actor, "news campaign")
    content = obj.get("content")
    if not isinstance(content, str) or len(content) > MAX_NEWS_HTML:
        raise Invalid(f"news: content must be HTML of at most {MAX_NEWS_HTML} characters")
    return {"id": object_id, "html": sanitize(content), **data}


def count_report(obj, actor):
    """A co-hosting partner's report: its count for one of our campaigns, and its page."""
    if not isinstance(obj, dict):
        raise Invalid("count report: not an object")
    data = _fields(obj, COUNT_REPORT, "count report")
    campaign_url = obj.get("chaton:campaign")
    if not isinstance(campaign_url, str) or len(campaign_url) > 500:
        raise Invalid("count report: chaton:campaign must be the address of a petition")
    data["campaign"] = campaign_url
    data["page"] = _owned_address(obj.get("chaton:page"), actor, "count report page")
    signatories = obj.get("chaton:signatories")
    data["signatories"] = (_owned_address(signatories, actor, "count report signatories")
                           if signatories is not None else None)
    return data
