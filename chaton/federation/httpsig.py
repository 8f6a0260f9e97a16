"""HTTP Signatures: draft-cavage (what Mastodon sends and expects) out and in, RFC 9421 in.

Verification checks what makes a signature mean something: the signed headers include the
request target, the host and the date (cavage) or the method and target URI (RFC 9421); the
date is within the allowed window; the body digest is recomputed from the body received.
Whose key it is (the activity's actor) is checked by the inbox.
"""

import base64
import hashlib
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
    """Check everything that needs no key, and return the key id and a verifier."""
    if "Signature-Input" in headers and "Signature" in headers:
        return _rfc9421(method, url, headers, body, window)
    if "Signature" in headers:
        return _cavage(method, url, headers, body, window)
    raise SignatureError("the request is not signed")


def _check_date(when, window):
    now = datetime.now(UTC)
    if when is None or not (now - timedelta(seconds=window) <= when <= now + timedelta(minutes=5)):
        raise SignatureError("the signature date is missing or outside the allowed window")


def _cavage(method, url, headers, body, window):
    fields = dict(re.findall(r'(\w+)="([^"]*)"', headers["Signature"]))
    if not {"keyId", "signature"} <= set(fields):
        raise SignatureError("malformed Signature header")
    names = fields.get("headers", "date").lower().split()
    required = {"(request-target)", "host", "date"} | ({"digest"} if body else set())
    if not required <= set(names):
        raise SignatureError(f"the signature must cover {', '.join(sorted(required))}")
    try:
        _check_date(parsedate_to_datetime(headers.get("Date", "")), window)
    except (TypeError, ValueError):
        raise SignatureError("the Date header is not a date") from None
    if body and headers.get("Digest", "").split(",")[0].strip() != digest_header(body):
        raise SignatureError("the Digest header does not match the body")
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        elif name in headers:
            lines.append(f"{name}: {headers[name]}")
        else:
            raise SignatureError(f"signed header {name} is missing")
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
        except (InvalidSignature, ValueError, TypeError):
            raise SignatureError("the signature does not match") from None

    return IncomingSignature(key_id=fields["keyId"], verify=verify)


@dataclass
class _Message:
    """What the RFC 9421 verifier reads of a request."""

    method: str
    url: str
    headers: dict


def _rfc9421(method, url, headers, body, window):
    """RFC 9421 with rsa-v1_5-sha256 (the http-message-signatures library does the work)."""
    import http_message_signatures as hms
    from http_message_signatures import algorithms

    match = re.search(r'keyid="([^"]+)"', headers["Signature-Input"])
    covered = re.search(r"=\(([^)]*)\)", headers["Signature-Input"])
    if not match or not covered:
        raise SignatureError("malformed Signature-Input header")
    components = set(covered.group(1).replace('"', "").split())
    target = "@target-uri" in components or {"@authority", "@path"} <= components
    if "@method" not in components or not target or (body and "content-digest" not in components):
        raise SignatureError("the signature must cover the method, the target and the digest")
    if body and "Content-Digest" not in headers:
        raise SignatureError("a signed body needs a Content-Digest header")
    message = _Message(method=method, url=url, headers=dict(headers))

    def verify(public_pem):
        class Resolver(hms.HTTPSignatureKeyResolver):
            def resolve_public_key(self, key_id):
                return load_public(public_pem)

        verifier = hms.HTTPMessageVerifier(signature_algorithm=algorithms.RSA_V1_5_SHA256,
                                           key_resolver=Resolver())
        try:
            verifier.verify(message, body=body, max_age=timedelta(seconds=window))
        except Exception as exc:  # the library raises several types; all mean "refused"
            raise SignatureError(f"RFC 9421 signature refused: {exc}") from None

    return IncomingSignature(key_id=match.group(1), verify=verify)
