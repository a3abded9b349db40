"""Evernote-shaped authentication tokens, signed with the cluster secret.

A token reads ``S=s1:U=1f:E=18c2...:C=18b9...:P=1ff:A=notestore-dev:V=2:H=<hex>``.
Clients split it on ``:`` and ``=`` and expect S, U, E, C and A; they show E
(hex epoch milliseconds) as the days left. H is an HMAC-SHA256 over every
byte before ``:H=``, keyed with the cluster secret, so the router can route
on S without a database lookup and a shard can check the token again on its
own: a direct connection to a shard cannot impersonate anyone.
"""

import dataclasses
import hashlib
import hmac
import re
import time

__all__ = [
    "ALL_PERMISSIONS",
    "ExpiredToken",
    "InvalidToken",
    "Token",
    "TokenError",
    "TokenSigner",
    "token_digest",
]

# A bitmask in the spirit of Evernote's P= field: read, create, update and
# expunge for notes, notebooks, tags, searches and the user record.
ALL_PERMISSIONS = 0x1FF

_APP_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_SHARD_RE = re.compile(r"s[0-9]{1,9}")
_FIELD_ORDER = ("S", "U", "E", "C", "P", "A", "V")


class TokenError(Exception):
    """Root of the token errors: the token cannot be used."""


class InvalidToken(TokenError):
    """Malformed, or signed with another secret: EDAM's INVALID_AUTH."""


class ExpiredToken(TokenError):
    """Well-formed and genuine, but past its expiry: EDAM's AUTH_EXPIRED."""


@dataclasses.dataclass(frozen=True)
class Token:
    shard_id: str
    user_id: int
    expires_ms: int
    created_ms: int
    permissions: int
    app: str


def token_digest(token):
    """Return the SHA-256 hex digest of a token, for revocation lists.

    The token itself is a bearer secret and is never stored or logged.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def shard_of(token):
    """Return the S= value of a token without checking anything else."""
    head, _, _ = token.partition(":")
    key, _, value = head.partition("=")
    return value if key == "S" else None


class TokenSigner:
    """Issues and checks tokens with one cluster secret (bytes)."""

    def __init__(self, secret, clock=time.time):
        if len(secret) < 16:
            raise ValueError("the cluster secret must be at least 16 bytes")
        self._secret = secret
        self._clock = clock

    def issue(self, shard_id, user_id, lifetime_s, app="notestore", perms=None):
        if not _SHARD_RE.fullmatch(shard_id):
            raise ValueError(f"bad shard id {shard_id!r}")
        if not _APP_RE.fullmatch(app):
            raise ValueError(f"bad application name {app!r}")
        now_ms = int(self._clock()) * 1000
        fields = {
            "S": shard_id,
            "U": format(user_id, "x"),
            "E": format(now_ms + int(lifetime_s * 1000), "x"),
            "C": format(now_ms, "x"),
            "P": format(ALL_PERMISSIONS if perms is None else perms, "x"),
            "A": app,
            "V": "2",
        }
        body = ":".join(f"{key}={fields[key]}" for key in _FIELD_ORDER)
        return f"{body}:H={self._sign(body)}"

    def verify(self, token):
        """Return the `Token` a string carries.

        Raises `InvalidToken` for anything malformed or badly signed and
        `ExpiredToken` for a genuine token past its expiry.
        """
        if not isinstance(token, str) or len(token) > 1024:
            raise InvalidToken("not a token")
        body, sep, mac = token.rpartition(":H=")
        expected = self._sign(body).encode("ascii")
        if not sep or not hmac.compare_digest(mac.encode("utf-8"), expected):
            raise InvalidToken("signature mismatch")
        parsed = _parse_body(body)
        if parsed.expires_ms <= self._clock() * 1000:
            raise ExpiredToken("token expired")
        return parsed

    def _sign(self, body):
        digest = hmac.new(self._secret, body.encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()


def _parse_body(body):
    fields = {}
    for part in body.split(":"):
        key, sep, value = part.partition("=")
        if not sep or key in fields:
            raise InvalidToken("malformed token")
        fields[key] = value
    try:
        return Token(
            shard_id=fields["S"],
            user_id=int(fields["U"], 16),
            expires_ms=int(fields["E"], 16),
            created_ms=int(fields["C"], 16),
            permissions=int(fields["P"], 16),
            app=fields["A"],
        )
    except (KeyError, ValueError) as exc:
        raise InvalidToken("malformed token") from exc
