"""HTTP Signatures: draft-cavage (what Mastodon sends and expects) out and in, RFC 9421 in.

Verification checks what makes a signature mean something: the signed headers include the
request target, the host and the date (cavage) or the method and target URI (RFC 9421); the
date is within the allowed window; the body digest is recomputed from the body received.
Whose key it is (the activity's actor) is checked by the inbox.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from chaton.federation.keys import load_private, load_public

SIGNED_HEADERS = ["(request-target)", "host", "date", "digest", "content-type"]


class SignatureError(ValueError):
    """The request's signature is missing, malformed, stale or wrong."""


@dataclass
class IncomingSignature:
    key_id: str
    verify: object  # callable(public_pem) -> None, raises SignatureError


def digest_header(body):
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def sign_request(method, url, body, key_id, private_pem, content_type=None):
    """Headers (Host, Date, Digest, Signature) for an outgoing request, draft-cavage style."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": parts.netloc, "Date": format_datetime(datetime.now(UTC), usegmt=True)}
    names = ["(request-target)", "host", "date"]
    if body is not None:
        headers["Digest"] = digest_header(body)
        names.append("digest")
        if content_type:
            headers["Content-Type"] = content_type
            names.append("content-type")
    lines = [f"(request-target): {method.lower()} {target}"]
    lines += [f"{n}: {headers[_title(n)]}" for n in names[1:]]
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = load_private(private_pem).sign("\n".join(lines).encode(), padding.PKCS1v15(),
                                               hashes.SHA256())
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"')
    return headers


def _title(name):
    return "-".join(p.capitalize() for p in name.split("-"))


def parse_incoming(method, url, headers, body, window):
    """Check everything that needs no key, at arrival, and return the key id and a verifier.

    What is checked here holds whatever path verification takes later (a key fetched by the
    worker minutes after): the signature covers the method, the target and this server's
    host, its date (or `created`) is within `window` seconds, it has not expired, and the body
    matches its digest."""
    if "Signature-Input" in headers and "Signature" in headers:
        return _rfc9421(method, url, headers, body, window)
    if "Signature" in headers:
        return _cavage(method, url, headers, body, window)
    raise SignatureError("the request is not signed")


SKEW = timedelta(minutes=5)  # clocks ahead of ours


def _check_date(when, window):
    now = datetime.now(UTC)
    if when is None or not (now - timedelta(seconds=window) <= when <= now + SKEW):
        raise SignatureError("the signature date is missing or outside the allowed window")


def _check_expiry(timestamp):
    if timestamp is not None and _from_timestamp(timestamp) < datetime.now(UTC) - SKEW:
        raise SignatureError("the signature has expired")


def _from_timestamp(value):
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise SignatureError("a signature timestamp is not a number") from None


def check_body_digest(headers, body):
    """The body matches its Digest (RFC 3230, algorithm names in any case) or Content-Digest
    (RFC 9530); raises SignatureError. Returns the header name that was checked."""
    if "Content-Digest" in headers:
        from http_message_signatures.digests import ContentDigest
        from http_message_signatures.exceptions import HTTPMessageSignaturesException

        try:
            ContentDigest.verify(headers["Content-Digest"], body)
        except (HTTPMessageSignaturesException, ValueError):
            raise SignatureError("the Content-Digest header does not match the body") from None
        return "content-digest"
    digests = {}
    for part in headers.get("Digest", "").split(","):
        name, _, value = part.strip().partition("=")
        digests[name.strip().lower()] = value.strip()
    for name, hasher in (("sha-256", hashlib.sha256), ("sha-512", hashlib.sha512)):
        if name in digests:
            expected = base64.b64encode(hasher(body).digest()).decode()
            if not hmac.compare_digest(digests[name], expected):
                raise SignatureError("the Digest header does not match the body")
            return "digest"
    raise SignatureError("a signed body needs a SHA-256 Digest or a Content-Digest header")


_CAVAGE_ALGORITHMS = ("rsa-sha256", "hs2019")  # hs2019: the key says; ours are RSA keys


def _cavage(method, url, headers, body, window):
    fields = dict(re.findall(r'(\w+)="([^"]*)"', headers["Signature"]))
    fields.update(re.findall(r'(created|expires)=(\d+)', headers["Signature"]))
    if not {"keyId", "signature"} <= set(fields):
        raise SignatureError("malformed Signature header")
    if fields.get("algorithm", "hs2019").lower() not in _CAVAGE_ALGORITHMS:
        raise SignatureError(f"unsupported signature algorithm {fields['algorithm']!r}")
    names = fields.get("headers", "date").lower().split()
    dated = "date" in names or "(created)" in names
    digest = check_body_digest(headers, body) if body else None
    required = {"(request-target)", "host"} | ({digest} if digest else set())
    if not required <= set(names) or not dated:
        raise SignatureError("the signature must cover (request-target), host, the date and, "
                             "with a body, its digest")
    if "(created)" in names:
        _check_date(_from_timestamp(fields.get("created")), window)
    if "date" in names:
        try:
            _check_date(parsedate_to_datetime(headers.get("Date", "")), window)
        except (TypeError, ValueError):
            raise SignatureError("the Date header is not a date") from None
    _check_expiry(fields.get("expires"))
    lines = [_cavage_line(name, method, url, headers, fields) for name in names]
    try:
        signature = base64.b64decode(fields["signature"], validate=True)
    except ValueError:
        raise SignatureError("the signature is not base64") from None

    def verify(public_pem):
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        try:
            load_public(public_pem).verify(signature, "\n".join(lines).encode(),
                                           padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError, TypeError, AttributeError):
            raise SignatureError("the signature does not match") from None

    return IncomingSignature(key_id=fields["keyId"], verify=verify)


def _cavage_line(name, method, url, headers, fields):
    """One line of the signed string (draft-cavage-12, section 2.3)."""
    if name == "(request-target)":
        parts = urlsplit(url)
        return f"(request-target): {method.lower()} {parts.path}" + (
            f"?{parts.query}" if parts.query else "")
    if name in ("(created)", "(expires)"):
        value = fields.get(name.strip("()"))
        if value is None:
            raise SignatureError(f"{name} is signed but not given")
        return f"{name}: {value}"
    if name not in headers:
        raise SignatureError(f"signed header {name} is missing")
    return f"{name}: {', '.join(v.strip() for v in headers.getlist(name))}" if hasattr(
        headers, "getlist") else f"{name}: {headers[name]}"


@dataclass
class _Message:
    """What the RFC 9421 verifier reads of a request."""

    method: str
    url: str
    headers: dict


def _rfc9421_input(headers):
    """(covered component names, parameters) of the request's signature (the first one)."""
    import http_sf

    try:
        inputs = http_sf.parse(headers["Signature-Input"].encode(), tltype="dictionary")
        _label, (items, params) = next(iter(inputs.items()))
        components = {item[0] for item in items}
    except (ValueError, TypeError, StopIteration, IndexError):
        raise SignatureError("malformed Signature-Input header") from None
    if not isinstance(params.get("keyid"), str) or not all(isinstance(c, str) for c in components):
        raise SignatureError("malformed Signature-Input header")
    return components, params


def _rfc9421(method, url, headers, body, window):
    """RFC 9421 with rsa-v1_5-sha256 (the http-message-signatures library does the work)."""
    import http_message_signatures as hms
    from http_message_signatures import algorithms

    components, params = _rfc9421_input(headers)
    target = "@target-uri" in components or {"@authority", "@path"} <= components
    if "@method" not in components or not target or (body and "content-digest" not in components):
        raise SignatureError("the signature must cover the method, the target (with this "
                             "server's authority) and the content digest")
    if body and "Content-Digest" not in headers:
        raise SignatureError("a signed body needs a Content-Digest header")
    if body:
        check_body_digest(headers, body)
    _check_date(_from_timestamp(params.get("created")), window)
    _check_expiry(params.get("expires"))
    message = _Message(method=method, url=url, headers=dict(headers))

    def verify(public_pem):
        class Resolver(hms.HTTPSignatureKeyResolver):
            def resolve_public_key(self, key_id):
                return load_public(public_pem)

        verifier = hms.HTTPMessageVerifier(signature_algorithm=algorithms.RSA_V1_5_SHA256,
                                           key_resolver=Resolver())
        try:  # the dates were checked at arrival: the key may come much later
            verifier.verify(message, body=body, max_age=None)
        except Exception as exc:  # the library raises several types; all mean "refused"
            raise SignatureError(f"RFC 9421 signature refused: {exc}") from None

    return IncomingSignature(key_id=params["keyid"], verify=verify)
