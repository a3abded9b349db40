"""Unit tests for notestore.tokens: shape, signature, expiry, parsing."""

import hashlib
import hmac
import re

import pytest

from notestore.tokens import (
    ALL_PERMISSIONS,
    ExpiredToken,
    InvalidToken,
    Token,
    TokenSigner,
    shard_of,
    token_digest,
)

pytestmark = pytest.mark.timeout(30)

SECRET = b"unit-test-cluster-secret-0123456789"
OTHER_SECRET = b"another-cluster-secret-9876543210"
# 2023-11-14T22:13:20Z, a whole second so that created_ms is exact.
NOW_S = 1_700_000_000
NOW_MS = NOW_S * 1000


class Clock:
    """A settable clock in seconds, in place of time.time."""

    def __init__(self, now_s=NOW_S):
        self.now_s = now_s

    def __call__(self):
        return self.now_s


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def signer(clock):
    return TokenSigner(SECRET, clock)


def fields_of(token):
    return dict(part.split("=", 1) for part in token.split(":"))


def sign_body(body, secret=SECRET):
    """Sign ``body`` as the signer does, to build tokens it never issues."""
    mac = hmac.new(secret, body.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{body}:H={mac}"


def good_body(**overrides):
    fields = {
        "S": "s1",
        "U": "1f",
        "E": format(NOW_MS + 3_600_000, "x"),
        "C": format(NOW_MS, "x"),
        "P": "1ff",
        "A": "app",
        "V": "2",
    }
    fields.update(overrides)
    return ":".join(f"{key}={value}" for key, value in fields.items())


# Round trip -----------------------------------------------------------------


def test_issue_then_verify_returns_every_field(signer):
    token = signer.issue("s7", 31, 3600, app="my-app.v2", perms=0x1C)

    assert signer.verify(token) == Token(
        shard_id="s7",
        user_id=31,
        expires_ms=NOW_MS + 3_600_000,
        created_ms=NOW_MS,
        permissions=0x1C,
        app="my-app.v2",
    )


def test_default_permissions_and_application(signer):
    parsed = signer.verify(signer.issue("s1", 1, 60))

    assert parsed.permissions == ALL_PERMISSIONS
    assert parsed.app == "notestore"


def test_fields_appear_in_evernote_order(signer):
    token = signer.issue("s1", 1, 60)

    keys = [part.split("=", 1)[0] for part in token.split(":")]
    assert keys == ["S", "U", "E", "C", "P", "A", "V", "H"]


def test_field_shapes_match_what_clients_parse(signer):
    token = signer.issue("s12", 0xABCDEF, 86400, app="cli", perms=0x1CD)

    fields = fields_of(token)
    assert fields["S"] == "s12"
    assert fields["U"] == "abcdef"
    assert fields["E"] == format(NOW_MS + 86_400_000, "x")
    assert fields["C"] == format(NOW_MS, "x")
    assert fields["P"] == "1cd"
    assert fields["A"] == "cli"
    assert fields["V"] == "2"
    assert re.fullmatch("[0-9a-f]{64}", fields["H"])


def test_mac_is_hmac_sha256_of_everything_before_h(signer):
    token = signer.issue("s1", 5, 60)

    body, _, mac = token.rpartition(":H=")
    expected = hmac.new(SECRET, body.encode(), hashlib.sha256).hexdigest()
    assert mac == expected


def test_created_is_whole_seconds_even_with_a_fractional_clock(clock, signer):
    clock.now_s = NOW_S + 0.75

    parsed = signer.verify(signer.issue("s1", 1, 60))

    assert parsed.created_ms == NOW_MS
    assert parsed.expires_ms == NOW_MS + 60_000


def test_shard_of_reads_s_without_checking():
    assert shard_of("S=s9:U=1:H=nonsense") == "s9"
    assert shard_of("U=1:S=s9") is None
    assert shard_of("") is None


# Tampering and foreign secrets ----------------------------------------------


def test_changing_any_character_is_invalid(signer):
    token = signer.issue("s1", 42, 3600, app="tamper")

    for index, char in enumerate(token):
        replacement = "0" if char != "0" else "1"
        tampered = token[:index] + replacement + token[index + 1 :]
        with pytest.raises(InvalidToken):
            signer.verify(tampered)


def test_appending_or_dropping_characters_is_invalid(signer):
    token = signer.issue("s1", 42, 3600)

    for tampered in (token + "0", token[:-1], "x" + token, token[1:]):
        with pytest.raises(InvalidToken):
            signer.verify(tampered)


def test_uppercased_mac_is_invalid(signer):
    token = signer.issue("s1", 42, 3600)

    body, _, mac = token.rpartition(":H=")
    with pytest.raises(InvalidToken):
        signer.verify(f"{body}:H={mac.upper()}")


def test_non_ascii_mac_is_invalid_not_a_crash(signer):
    # A client can send any UTF-8 in the token; hmac.compare_digest raises
    # TypeError on non-ASCII str, which must not escape as a crash.
    token = signer.issue("s1", 42, 3600)

    with pytest.raises(InvalidToken):
        signer.verify(token[:-1] + "\u00e9")


def test_token_signed_with_another_secret_is_invalid(clock):
    foreign = TokenSigner(OTHER_SECRET, clock).issue("s1", 42, 3600)

    with pytest.raises(InvalidToken):
        TokenSigner(SECRET, clock).verify(foreign)


def test_expired_token_from_another_secret_is_invalid_not_expired(clock):
    foreign = TokenSigner(OTHER_SECRET, clock).issue("s1", 42, 60)
    clock.now_s += 3600

    with pytest.raises(InvalidToken):
        TokenSigner(SECRET, clock).verify(foreign)


# Expiry -------------------------------------------------------------------


def test_token_is_valid_until_just_before_expiry(clock, signer):
    token = signer.issue("s1", 1, 60)
    clock.now_s = NOW_S + 59.999

    assert signer.verify(token).user_id == 1


def test_token_expires_at_its_expiry_instant(clock, signer):
    token = signer.issue("s1", 1, 60)
    clock.now_s = NOW_S + 60

    with pytest.raises(ExpiredToken):
        signer.verify(token)


def test_long_expired_token_is_expired(clock, signer):
    token = signer.issue("s1", 1, 60)
    clock.now_s = NOW_S + 365 * 86400

    with pytest.raises(ExpiredToken):
        signer.verify(token)


def test_expired_is_not_a_kind_of_invalid():
    assert not issubclass(ExpiredToken, InvalidToken)


# Malformed input ----------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "",
        ":H=",
        "H=" + "0" * 64,
        "S=s1:U=1:E=1:C=1:P=1:A=a:V=2",
        "not a token at all",
        "S=s1:U=1:E=1:C=1:P=1:A=a:V=2:H=",
    ],
)
def test_malformed_strings_are_invalid(signer, token):
    with pytest.raises(InvalidToken):
        signer.verify(token)


@pytest.mark.parametrize("token", [None, 42, b"S=s1:H=00"])
def test_non_strings_are_invalid(signer, token):
    with pytest.raises(InvalidToken):
        signer.verify(token)


def test_huge_input_is_invalid(signer):
    genuine = sign_body(good_body(A="a" * 2000))

    with pytest.raises(InvalidToken):
        signer.verify(genuine)
    with pytest.raises(InvalidToken):
        signer.verify("S=" + "s" * 10_000_000)


def test_well_signed_good_body_is_accepted(signer):
    # The control for the malformed-but-signed cases below.
    assert signer.verify(sign_body(good_body())).user_id == 0x1F


@pytest.mark.parametrize(
    "body",
    [
        good_body() + ":S=s2",
        good_body() + ":U=20",
        "S=s1:" + good_body(),
    ],
)
def test_duplicate_keys_are_invalid_even_when_signed(signer, body):
    with pytest.raises(InvalidToken):
        signer.verify(sign_body(body))


@pytest.mark.parametrize("field", ["U", "E", "C", "P"])
@pytest.mark.parametrize("value", ["zz", "", "1g"])
def test_non_hex_numbers_are_invalid_even_when_signed(signer, field, value):
    with pytest.raises(InvalidToken):
        signer.verify(sign_body(good_body(**{field: value})))


@pytest.mark.parametrize("missing", ["S", "U", "E", "C", "P", "A"])
def test_missing_required_field_is_invalid(signer, missing):
    parts = [p for p in good_body().split(":") if not p.startswith(missing + "=")]

    with pytest.raises(InvalidToken):
        signer.verify(sign_body(":".join(parts)))


def test_part_without_equals_sign_is_invalid(signer):
    with pytest.raises(InvalidToken):
        signer.verify(sign_body(good_body() + ":junk"))


# Issue and construction -----------------------------------------------------


@pytest.mark.parametrize(
    "shard_id", ["", "s", "S1", "1", "shard1", "s-1", "s1:U=2", "s1 ", "s1\n"]
)
def test_bad_shard_id_is_refused_at_issue(signer, shard_id):
    with pytest.raises(ValueError):
        signer.issue(shard_id, 1, 60)


@pytest.mark.parametrize(
    "app", ["", "a:b", "a=b", "a b", "a" * 65, "caf\u00e9", "app\n"]
)
def test_bad_application_name_is_refused_at_issue(signer, app):
    with pytest.raises(ValueError):
        signer.issue("s1", 1, 60, app=app)


def test_longest_application_name_is_accepted(signer):
    token = signer.issue("s1", 1, 60, app="a" * 64)

    assert signer.verify(token).app == "a" * 64


@pytest.mark.parametrize("secret", [b"", b"x", b"0123456789abcde"])
def test_short_secret_is_refused(secret):
    with pytest.raises(ValueError):
        TokenSigner(secret)


def test_sixteen_byte_secret_is_enough(clock):
    signer = TokenSigner(b"0123456789abcdef", clock)

    assert signer.verify(signer.issue("s1", 1, 60)).shard_id == "s1"


# Digest ---------------------------------------------------------------------


def test_token_digest_is_stable_sha256_hex_and_not_the_token(signer):
    token = signer.issue("s1", 1, 60)

    digest = token_digest(token)
    assert digest == token_digest(token)
    assert digest == hashlib.sha256(token.encode()).hexdigest()
    assert re.fullmatch("[0-9a-f]{64}", digest)
    assert token not in digest
    assert fields_of(token)["H"] != digest


def test_token_digest_differs_between_tokens(signer):
    first = signer.issue("s1", 1, 60)
    second = signer.issue("s1", 2, 60)

    assert token_digest(first) != token_digest(second)
