"""Password hashing with scrypt, in a self-describing encoding.

An encoded hash reads ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>``. The cost
parameters travel with each hash, so they can be raised later without
invalidating stored passwords; needs_rehash() tells when to re-hash at login.
"""

import base64
import binascii
import hashlib
import hmac
import secrets

__all__ = ["hash_password", "needs_rehash", "verify_password"]

_SCHEME = "scrypt"
_COST_N = 2**14
_BLOCK_SIZE_R = 8
_PARALLELISM_P = 1
_SALT_BYTES = 16
_HASH_BYTES = 32
# scrypt needs 128 * n * r bytes. An encoded hash comes from our own DB, but
# a corrupted or planted one must not make a login allocate gigabytes.
_MAX_MEMORY_BYTES = 256 * 1024 * 1024


def hash_password(password: str) -> str:
    """Return the encoded scrypt hash of ``password`` with a fresh salt.

    Burns about 16 MiB and tens of milliseconds of CPU; under gevent it
    blocks the hub for that long.
    """
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(
        password, salt, _COST_N, _BLOCK_SIZE_R, _PARALLELISM_P, _HASH_BYTES
    )
    fields = (_SCHEME, _COST_N, _BLOCK_SIZE_R, _PARALLELISM_P, _b64(salt), _b64(digest))
    return "$".join(str(field) for field in fields)


def verify_password(password: str, encoded: str) -> bool:
    """Return True if ``password`` matches ``encoded``.

    Returns False, never raises, when ``encoded`` is malformed or asks for
    unreasonable cost parameters. The comparison is constant-time.
    """
    parsed = _parse(encoded)
    if parsed is None:
        return False

    n, r, p, salt, expected = parsed
    try:
        actual = _scrypt(password, salt, n, r, p, len(expected))
    except ValueError:  # OpenSSL rejected parameters that passed our checks
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(encoded: str) -> bool:
    """Return True if ``encoded`` was made with other than the current costs."""
    parsed = _parse(encoded)
    if parsed is None:
        return True
    n, r, p, salt, digest = parsed
    current = (_COST_N, _BLOCK_SIZE_R, _PARALLELISM_P, _SALT_BYTES, _HASH_BYTES)
    return (n, r, p, len(salt), len(digest)) != current


def _parse(encoded):
    """Return (n, r, p, salt, digest) or None if ``encoded`` is not usable."""
    if not isinstance(encoded, str):
        return None
    fields = encoded.split("$")
    if len(fields) != 6 or fields[0] != _SCHEME:
        return None
    try:
        n, r, p = (_positive_int(field) for field in fields[1:4])
        salt, digest = _unb64(fields[4]), _unb64(fields[5])
    except (ValueError, binascii.Error):
        return None
    if not _sane_costs(n, r, p) or not salt or not 16 <= len(digest) <= 64:
        return None
    return n, r, p, salt, digest


def _sane_costs(n: int, r: int, p: int) -> bool:
    power_of_two = n > 1 and n & (n - 1) == 0
    # Bounding n * r * p bounds both the memory and the CPU a login can cost.
    return power_of_two and 128 * n * r * p <= _MAX_MEMORY_BYTES


def _positive_int(text: str) -> int:
    # int() would accept "+8", " 8" and "8_0"; the encoding has digits only.
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"not a decimal number: {text!r}")
    value = int(text)
    if value < 1:
        raise ValueError(f"not positive: {value}")
    return value


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=length,
        maxmem=_MAX_MEMORY_BYTES + 1024 * 1024,
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
