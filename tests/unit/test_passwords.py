import base64
import hashlib

import pytest

from notestore.passwords import hash_password, needs_rehash, verify_password

pytestmark = pytest.mark.timeout(30)


def _fields(encoded):
    return encoded.split("$")


def test_round_trip_accepts_the_password():
    encoded = hash_password("correct horse battery staple")

    assert verify_password("correct horse battery staple", encoded)


def test_wrong_password_is_rejected():
    encoded = hash_password("correct horse battery staple")

    assert not verify_password("correct horse battery stapler", encoded)
    assert not verify_password("", encoded)


def test_non_ascii_password_round_trips():
    encoded = hash_password("пароль-密码-🔑")

    assert verify_password("пароль-密码-🔑", encoded)
    assert not verify_password("пароль-密码", encoded)


def test_encoding_names_scheme_and_parameters():
    scheme, n, r, p, salt, digest = _fields(hash_password("pw"))

    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(base64.b64decode(salt)) == 16
    assert len(base64.b64decode(digest)) == 32


def test_salt_differs_between_hashes_of_the_same_password():
    first, second = hash_password("same"), hash_password("same")

    assert _fields(first)[4] != _fields(second)[4]
    assert first != second
    assert verify_password("same", first) and verify_password("same", second)


def _with_field(encoded, index, value):
    fields = _fields(encoded)
    fields[index] = value
    return "$".join(fields)


GOOD = hash_password("pw")


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "scrypt",
        "not-a-hash",
        None,
        b"scrypt$16384$8$1$AAAA$AAAA",
        GOOD + "$extra",
        GOOD.rsplit("$", 1)[0],
        _with_field(GOOD, 0, "bcrypt"),
        _with_field(GOOD, 1, "abc"),
        _with_field(GOOD, 1, "-16384"),
        _with_field(GOOD, 1, "+16384"),
        _with_field(GOOD, 1, "1000"),  # not a power of two
        _with_field(GOOD, 1, "1"),
        _with_field(GOOD, 1, str(2**30)),  # would need 1 TiB
        _with_field(GOOD, 2, "0"),
        _with_field(GOOD, 3, "1000000"),  # would cost minutes of CPU
        _with_field(GOOD, 4, "not base64!"),
        _with_field(GOOD, 4, ""),
        _with_field(GOOD, 5, "c2hvcnQ="),  # 5-byte digest
        _with_field(GOOD, 5, "é"),
    ],
)
def test_malformed_encoding_is_rejected_without_raising(encoded):
    assert verify_password("pw", encoded) is False


def test_the_unmodified_hash_used_above_verifies():
    # Guards the parametrised test: its inputs differ from GOOD in one field.
    assert verify_password("pw", GOOD)


def test_tampered_digest_is_rejected():
    digest = bytearray(base64.b64decode(_fields(GOOD)[5]))
    digest[0] ^= 1
    tampered = _with_field(GOOD, 5, base64.b64encode(bytes(digest)).decode())

    assert not verify_password("pw", tampered)


def test_other_cost_parameters_still_verify_and_ask_for_rehash():
    scheme, _, _, _, salt, _ = _fields(GOOD)
    digest = hashlib.scrypt(b"pw", salt=base64.b64decode(salt), n=2**10, r=8, p=1)
    old = "$".join([scheme, "1024", "8", "1", salt, base64.b64encode(digest).decode()])

    assert verify_password("pw", old)
    assert needs_rehash(old)
    assert not needs_rehash(GOOD)
    assert needs_rehash("garbage")
