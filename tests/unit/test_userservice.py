"""Unit tests for notestore.userservice over an in-memory user DB."""

import struct
import time

import pytest
from fakes import FakeUserDB

from notestore import dispatch, quota, validation
from notestore.edam import Errors, Types, UserStore, UserStoreApi
from notestore.ratelimit import RateLimiter
from notestore.tokens import TokenSigner, token_digest
from notestore.userservice import (
    LONG_SESSION_LIFETIME_S,
    PublicUrls,
    UserStoreService,
)

pytestmark = pytest.mark.timeout(60)

SECRET = b"unit-test-cluster-secret-0123456789"
NOW_S = 1_700_000_000
NOW_MS = NOW_S * 1000
BASE_URL = "https://notes.example.org:8443"
PASSWORD = "s3cret-pass"
LOGIN_FAILURES = 3
LOGIN_WINDOW_S = 300
CODES = Errors.EDAMErrorCode


class Clock:
    def __init__(self):
        self.now_s = NOW_S

    def __call__(self):
        return self.now_s


class Harness:
    """A UserStoreService over a fake DB, with its clock and revocations."""

    def __init__(self, userdb):
        self.clock = Clock()
        self.signer = TokenSigner(SECRET, self.clock)
        self.userdb = userdb
        self.revoked = []
        self.upload_limits = {"s3": 60 * 1024 * 1024}
        self.service = UserStoreService(
            userdb,
            self.signer,
            PublicUrls(BASE_URL),
            "notes.example.org",
            revoked=self.revoked.append,
            login_limiter=RateLimiter(LOGIN_FAILURES, LOGIN_WINDOW_S, self.clock),
            upload_limit_of=self.upload_limits.get,
        )
        self.alice = userdb.user_by_username("alice")
        self.bob = userdb.user_by_username("bob")

    def login(self, username="alice", password=PASSWORD, consumer_key="app"):
        return self.service.authenticateLongSession(
            username,
            password,
            consumer_key,
            "consumer-secret",
            "dev-1",
            "A phone",
            False,
        )


@pytest.fixture(scope="module")
def seeded_userdb():
    # Hashing passwords is deliberately slow: create the users once and
    # hand each test its own copy of the DB.
    userdb = FakeUserDB()
    userdb.create_user(
        "alice", "alice@example.org", "Alice A", PASSWORD, "s3", timezone="UTC"
    )
    userdb.create_user("bob", "bob@example.org", "Bob B", PASSWORD, "s1")
    return userdb


@pytest.fixture
def harness(seeded_userdb):
    return Harness(seeded_userdb.copy())


def raises_user_error(code, parameter, call, *args):
    with pytest.raises(Errors.EDAMUserException) as info:
        call(*args)
    assert (info.value.errorCode, info.value.parameter) == (code, parameter)


# checkVersion -----------------------------------------------------------------


@pytest.mark.parametrize(
    "major, minor, expected",
    [
        (1, 25, True),
        (1, 28, True),
        (1, 29, True),
        (1, 24, False),
        (1, 0, False),
        (2, 25, False),
        (2, 28, False),
        (0, 28, False),
    ],
)
def test_check_version(harness, major, minor, expected):
    assert harness.service.checkVersion("client/1.0", major, minor) is expected


def test_check_version_without_minor_is_false(harness):
    assert harness.service.checkVersion("client", 1, None) is False


def test_check_version_call_without_version_numbers_is_true(harness):
    # EDAM declares the versions with defaults (1 and the IDL's minor), so a
    # client that leaves them out speaks the server's own version.
    name = b"checkVersion"
    header = struct.pack("!Ii", 0x80010001, len(name)) + name + struct.pack("!i", 0)
    body = b"\x0b\x00\x01" + struct.pack("!i", 6) + b"client\x00"
    dispatcher = dispatch.Dispatcher(UserStoreApi, harness.service)

    reply = dispatcher.process(header + body)

    result = dispatch.decode_reply(UserStoreApi, "checkVersion", reply)
    assert result.success is True


# authenticateLongSession ------------------------------------------------------


def test_login_issues_a_token_for_the_users_shard(harness):
    result = harness.login()

    parsed = harness.signer.verify(result.authenticationToken)
    assert parsed.shard_id == "s3"
    assert parsed.user_id == harness.alice.id
    assert result.authenticationToken.startswith("S=s3:")
    assert parsed.expires_ms == NOW_MS + LONG_SESSION_LIFETIME_S * 1000
    assert result.expiration == parsed.expires_ms
    assert result.expiration > NOW_MS


def test_login_urls_come_from_the_public_base_url(harness):
    result = harness.login()

    assert result.noteStoreUrl == f"{BASE_URL}/shard/s3/notestore"
    assert result.webApiUrlPrefix == f"{BASE_URL}/shard/s3/"
    assert result.urls.noteStoreUrl == result.noteStoreUrl
    assert result.urls.userStoreUrl == f"{BASE_URL}/edam/user"
    assert result.publicUserInfo.noteStoreUrl == result.noteStoreUrl


def test_login_carries_the_user(harness):
    result = harness.login()

    user = result.user
    assert (user.id, user.username, user.email, user.name) == (
        harness.alice.id,
        "alice",
        "alice@example.org",
        "Alice A",
    )
    assert user.shardId == "s3"
    assert user.active is True
    assert result.publicUserInfo.userId == harness.alice.id
    assert result.publicUserInfo.shardId == "s3"


def test_login_is_case_insensitive_in_the_username(harness):
    result = harness.login(username="ALICE")

    assert harness.signer.verify(result.authenticationToken).user_id == harness.alice.id


def test_login_puts_a_safe_consumer_key_in_the_token(harness):
    result = harness.login(consumer_key="my app:v=2")

    assert harness.signer.verify(result.authenticationToken).app == "myappv2"


def test_login_with_non_ascii_consumer_key_still_succeeds(harness):
    # The consumer key is client input; letters outside ASCII must be dropped
    # like any other unsafe character, not crash token issuing.
    result = harness.login(consumer_key="caf\u00e9-\u00fcber")

    parsed = harness.signer.verify(result.authenticationToken)
    assert parsed.app == "caf-ber"


def test_login_without_consumer_key_uses_the_default_app(harness):
    result = harness.login(consumer_key=None)

    assert harness.signer.verify(result.authenticationToken).app == "notestore"


def test_wrong_password_is_invalid_auth_on_password(harness):
    raises_user_error(
        CODES.INVALID_AUTH, "password", harness.login, "alice", "wrong-password"
    )


def test_unknown_user_is_invalid_auth_on_username(harness):
    raises_user_error(CODES.INVALID_AUTH, "username", harness.login, "carol", PASSWORD)


@pytest.mark.parametrize("username", ["", None])
def test_empty_username_is_data_required(harness, username):
    raises_user_error(CODES.DATA_REQUIRED, "username", harness.login, username)


@pytest.mark.parametrize("password", ["", None])
def test_empty_password_is_data_required(harness, password):
    raises_user_error(CODES.DATA_REQUIRED, "password", harness.login, "alice", password)


def _login_from(harness, device_id, description):
    return harness.service.authenticateLongSession(
        "alice", PASSWORD, "app", "secret", device_id, description, False
    )


@pytest.mark.parametrize(
    "device_id, description, parameter",
    [
        ("d" * 33, "A phone", "deviceIdentifier"),
        ("dev\n1", "A phone", "deviceIdentifier"),
        ("dev-1", "p" * 65, "deviceDescription"),
        ("dev-1", "Bob's\tphone", "deviceDescription"),
    ],
)
def test_bad_device_fields_are_bad_data_format(
    harness, device_id, description, parameter
):
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        parameter,
        _login_from,
        harness,
        device_id,
        description,
    )


@pytest.mark.parametrize(
    "device_id, description",
    [("d" * 32, "p" * 64), (None, None), ("", ""), ("\u00e9t\u00e9", "Bob's iPad")],
)
def test_device_fields_within_edam_limits_are_accepted(harness, device_id, description):
    assert _login_from(harness, device_id, description).authenticationToken


def _fail_logins(harness, username, count):
    for _ in range(count):
        with pytest.raises(Errors.EDAMUserException):
            harness.login(username, "wrong-password")


def _refused_for(harness, username="alice", password=PASSWORD):
    # EDAM documents this code and parameter for too many failed logins.
    raises_user_error(
        CODES.PERMISSION_DENIED,
        "User.tooManyFailuresTryAgainLater",
        harness.login,
        username,
        password,
    )


def test_failed_logins_past_the_limit_refuse_even_the_right_password(harness):
    _fail_logins(harness, "alice", LOGIN_FAILURES)

    _refused_for(harness)


def test_a_refused_username_may_try_again_once_the_limiter_refills(harness):
    _fail_logins(harness, "alice", LOGIN_FAILURES)
    harness.clock.now_s += LOGIN_WINDOW_S // LOGIN_FAILURES - 1
    _refused_for(harness)

    harness.clock.now_s += 1
    assert harness.login().authenticationToken


def test_successful_logins_are_never_limited(harness):
    for _ in range(LOGIN_FAILURES * 3):
        assert harness.login().authenticationToken


def test_login_failures_count_per_name_in_any_letter_case(harness):
    _fail_logins(harness, "Alice", LOGIN_FAILURES - 1)
    _fail_logins(harness, "ALICE", 1)

    _refused_for(harness, "alice")
    assert harness.login("bob").authenticationToken


def test_unknown_names_are_limited_like_known_ones(harness):
    raises_user_error(CODES.INVALID_AUTH, "username", harness.login, "carol")
    _fail_logins(harness, "carol", LOGIN_FAILURES - 1)

    _refused_for(harness, "carol")


def test_inactive_user_is_permission_denied(harness):
    harness.userdb.deactivate(harness.alice.id)

    raises_user_error(CODES.PERMISSION_DENIED, "User.active", harness.login)


def test_inactive_user_with_wrong_password_learns_nothing_more(harness):
    harness.userdb.deactivate(harness.alice.id)

    raises_user_error(CODES.INVALID_AUTH, "password", harness.login, "alice", "nope!!")


def test_short_session_login_also_works(harness):
    result = harness.service.authenticate("bob", PASSWORD, "app", "secret", False)

    parsed = harness.signer.verify(result.authenticationToken)
    assert parsed.shard_id == "s1"
    assert NOW_MS < parsed.expires_ms < NOW_MS + LONG_SESSION_LIFETIME_S * 1000


# Calls with a token -----------------------------------------------------------


def test_get_user(harness):
    token = harness.login().authenticationToken

    user = harness.service.getUser(token)

    assert isinstance(user, Types.User)
    assert (user.id, user.username, user.shardId) == (harness.alice.id, "alice", "s3")
    assert user.timezone == "UTC"
    assert user.privilege == 1


def test_get_user_with_a_bad_token(harness):
    raises_user_error(
        CODES.INVALID_AUTH, "authenticationToken", harness.service.getUser, "S=s3:H=0"
    )
    raises_user_error(
        CODES.DATA_REQUIRED, "authenticationToken", harness.service.getUser, ""
    )


def test_get_user_with_an_expired_token(harness):
    token = harness.login().authenticationToken
    harness.clock.now_s += LONG_SESSION_LIFETIME_S

    raises_user_error(
        CODES.AUTH_EXPIRED, "authenticationToken", harness.service.getUser, token
    )


def test_get_user_of_a_deactivated_account_is_invalid_auth(harness):
    token = harness.login().authenticationToken
    harness.userdb.deactivate(harness.alice.id)

    raises_user_error(
        CODES.INVALID_AUTH, "authenticationToken", harness.service.getUser, token
    )


def test_get_note_store_url(harness):
    token = harness.login(username="bob").authenticationToken

    assert harness.service.getNoteStoreUrl(token) == f"{BASE_URL}/shard/s1/notestore"


def test_get_user_urls(harness):
    token = harness.login().authenticationToken

    urls = harness.service.getUserUrls(token)

    assert urls.noteStoreUrl == f"{BASE_URL}/shard/s3/notestore"
    assert urls.webApiUrlPrefix == f"{BASE_URL}/shard/s3/"
    assert urls.userStoreUrl == f"{BASE_URL}/edam/user"


def test_urls_need_a_valid_token(harness):
    for call in (harness.service.getNoteStoreUrl, harness.service.getUserUrls):
        raises_user_error(CODES.INVALID_AUTH, "authenticationToken", call, "junk")


# getPublicUserInfo ------------------------------------------------------------


def test_get_public_user_info(harness):
    info = harness.service.getPublicUserInfo("bob")

    assert info.userId == harness.bob.id
    assert info.shardId == "s1"
    assert info.username == "bob"
    assert info.noteStoreUrl == f"{BASE_URL}/shard/s1/notestore"
    assert info.webApiUrlPrefix == f"{BASE_URL}/shard/s1/"


def test_public_info_of_unknown_user_is_not_found(harness):
    with pytest.raises(Errors.EDAMNotFoundException) as info:
        harness.service.getPublicUserInfo("carol")

    assert info.value.identifier == "username"
    assert info.value.key == "carol"


def test_public_info_of_inactive_user_is_not_found(harness):
    harness.userdb.deactivate(harness.bob.id)

    with pytest.raises(Errors.EDAMNotFoundException):
        harness.service.getPublicUserInfo("bob")


@pytest.mark.parametrize("username", ["", None])
def test_public_info_without_username_is_data_required(harness, username):
    raises_user_error(
        CODES.DATA_REQUIRED, "username", harness.service.getPublicUserInfo, username
    )


# revokeLongSession ------------------------------------------------------------


def test_revoke_makes_the_token_useless(harness):
    token = harness.login().authenticationToken
    assert harness.service.getUser(token).id == harness.alice.id

    harness.service.revokeLongSession(token)

    raises_user_error(
        CODES.INVALID_AUTH, "authenticationToken", harness.service.getUser, token
    )
    raises_user_error(
        CODES.INVALID_AUTH, "authenticationToken", harness.service.getUserUrls, token
    )


def test_revoke_reports_the_digest_never_the_token(harness):
    token = harness.login().authenticationToken

    harness.service.revokeLongSession(token)

    assert harness.revoked == [token_digest(token)]
    assert harness.userdb.revoked_token(token)
    assert harness.userdb.revoked_since(0, 10)[0] == [token_digest(token)]


def test_revoke_leaves_other_tokens_working(harness):
    first = harness.login().authenticationToken
    harness.clock.now_s += 1
    second = harness.login().authenticationToken
    assert first != second

    harness.service.revokeLongSession(first)

    assert harness.service.getUser(second).id == harness.alice.id


def test_revoking_twice_is_invalid_auth(harness):
    token = harness.login().authenticationToken
    harness.service.revokeLongSession(token)

    raises_user_error(
        CODES.INVALID_AUTH,
        "authenticationToken",
        harness.service.revokeLongSession,
        token,
    )
    assert len(harness.revoked) == 1


def test_revoke_with_a_bad_token_calls_nothing(harness):
    raises_user_error(
        CODES.INVALID_AUTH,
        "authenticationToken",
        harness.service.revokeLongSession,
        "S=s3:U=1:H=00",
    )
    assert harness.revoked == []


# getBootstrapInfo -------------------------------------------------------------


def test_bootstrap_info_has_a_profile_with_the_required_settings(harness):
    info = harness.service.getBootstrapInfo("en_US")

    assert isinstance(info, UserStore.BootstrapInfo)
    assert len(info.profiles) >= 1
    profile = info.profiles[0]
    assert profile.name
    settings = profile.settings
    assert settings.serviceHost == "notes.example.org"
    for required in ("marketingUrl", "supportUrl", "accountEmailDomain"):
        value = getattr(settings, required)
        assert isinstance(value, str) and value, required


def test_bootstrap_info_does_not_offer_sharing_we_lack(harness):
    settings = harness.service.getBootstrapInfo(None).profiles[0].settings

    assert settings.enableSharedNotebooks is False
    assert settings.enablePublicNotebooks is False


# Accounting and limits ----------------------------------------------------------


def test_get_user_reports_the_upload_limit_of_the_users_shard(harness):
    user = harness.service.getUser(harness.login().authenticationToken)

    limit = harness.upload_limits["s3"]
    assert user.accounting.uploadLimit == limit
    assert user.accounting.uploadLimitNextMonth == limit
    assert user.accountLimits.uploadLimit == limit
    assert user.accounting.uploadLimitEnd == quota.month_end_ms(time.time() * 1000)


def test_a_shard_without_a_known_limit_reports_none(harness):
    result = harness.login("bob")

    assert result.user.accounting.uploadLimit is None
    assert result.user.accountLimits.uploadLimit is None
    assert result.user.accounting.uploadLimitEnd is not None


def test_account_limits_are_the_ones_shards_enforce(harness):
    limits = harness.login().user.accountLimits

    assert limits.noteSizeMax == validation.EDAM_NOTE_SIZE_MAX_FREE
    assert limits.resourceSizeMax == validation.EDAM_RESOURCE_SIZE_MAX_FREE
    assert limits.userNotebookCountMax == validation.EDAM_USER_NOTEBOOKS_MAX
    assert limits.userTagCountMax == validation.EDAM_USER_TAGS_MAX
    assert limits.userNoteCountMax == validation.EDAM_USER_NOTES_MAX
    assert limits.noteTagCountMax == validation.EDAM_NOTE_TAGS_MAX
    assert limits.noteResourceCountMax == validation.EDAM_NOTE_RESOURCES_MAX
    assert limits.userSavedSearchesMax == validation.EDAM_USER_SAVED_SEARCHES_MAX
