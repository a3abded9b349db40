"""The UserStore service logic: accounts, logins and URLs.

Served by the router from the central user DB. Tokens are issued and
checked with the cluster secret (see ``notestore.tokens``).
"""

import dataclasses
import logging
import string
import time

from notestore import auth, errors, passwords, quota, tokens, validation
from notestore.edam import Limits, Types, UserStore
from notestore.ratelimit import RateLimiter

__all__ = ["PublicUrls", "UserStoreService"]

log = logging.getLogger(__name__)

_MIN_MINOR_VERSION = 25
_APP_CHARS = frozenset(string.ascii_letters + string.digits + "._-")
LONG_SESSION_LIFETIME_S = 365 * 24 * 3600
SHORT_SESSION_LIFETIME_S = 3600


@dataclasses.dataclass(frozen=True)
class PublicUrls:
    """URLs handed to clients, built from the configured public base URL.

    Never from a request's Host header: clients send it without the port.
    """

    base: str

    def note_store(self, shard_id):
        return f"{self.base}/shard/{shard_id}/notestore"

    def web_api_prefix(self, shard_id):
        return f"{self.base}/shard/{shard_id}/"

    @property
    def user_store(self):
        return f"{self.base}/edam/user"


TOO_MANY_FAILURES = "User.tooManyFailuresTryAgainLater"


class UserStoreService:
    """One method per served UserStore call, taking the IDL arguments.

    ``userdb`` is a ``notestore.userdb.UserDB``; ``revoked`` is called with
    a token digest after a successful revocation, so the caller can stop
    routing that token at once; ``verify_password`` lets the router run the
    deliberately slow password check off its event loop. ``login_limiter``
    (a `notestore.ratelimit.RateLimiter`) counts failed logins per username:
    once a name has used them up, every login for it is refused with
    PERMISSION_DENIED "User.tooManyFailuresTryAgainLater" until the limiter
    lets it try again, so passwords cannot be guessed at the speed of the
    KDF. ``upload_limit_of(shard_id)``
    gives the monthly upload limit the shard enforces (0 or None: none or
    unknown), reported in ``User.accounting`` and ``User.accountLimits``.
    """

    def __init__(
        self,
        userdb,
        signer,
        urls,
        service_host,
        revoked=None,
        verify_password=passwords.verify_password,
        login_limiter=None,
        upload_limit_of=None,
    ):
        self._userdb = userdb
        self._signer = signer
        self._urls = urls
        self._service_host = service_host
        self._revoked = revoked or (lambda digest: None)
        self._verify_password = verify_password
        self._login_limiter = login_limiter or RateLimiter(0, 1)
        self._upload_limit_of = upload_limit_of or (lambda shard_id: None)

    def checkVersion(self, clientName, edamVersionMajor, edamVersionMinor):
        major = UserStore.EDAM_VERSION_MAJOR
        return (
            edamVersionMajor == major and (edamVersionMinor or 0) >= _MIN_MINOR_VERSION
        )

    def getBootstrapInfo(self, locale):
        settings = UserStore.BootstrapSettings(
            serviceHost=self._service_host,
            marketingUrl=self._urls.base,
            supportUrl=self._urls.base,
            accountEmailDomain=self._service_host,
            enableSharedNotebooks=False,
            enableSingleNoteSharing=False,
            enablePublicNotebooks=False,
        )
        profile = UserStore.BootstrapProfile(name="NoteStore", settings=settings)
        return UserStore.BootstrapInfo(profiles=[profile])

    def authenticate(
        self, username, password, consumerKey, consumerSecret, supportsTwoFactor
    ):
        user = self._check_login(username, password)
        return self._session(user, consumerKey, SHORT_SESSION_LIFETIME_S)

    def authenticateLongSession(
        self,
        username,
        password,
        consumerKey,
        consumerSecret,
        deviceIdentifier,
        deviceDescription,
        supportsTwoFactor,
    ):
        _check_device_field(
            deviceIdentifier, Limits.EDAM_DEVICE_ID_LEN_MAX, "deviceIdentifier"
        )
        _check_device_field(
            deviceDescription,
            Limits.EDAM_DEVICE_DESCRIPTION_LEN_MAX,
            "deviceDescription",
        )
        user = self._check_login(username, password)
        return self._session(user, consumerKey, LONG_SESSION_LIFETIME_S)

    def revokeLongSession(self, authenticationToken):
        parsed = self._verify(authenticationToken)
        digest = tokens.token_digest(authenticationToken)
        self._userdb.revoke_token(digest, parsed.user_id, parsed.expires_ms)
        self._revoked(digest)

    def getUser(self, authenticationToken):
        return self._user_with_limits(self._token_user(authenticationToken))

    def getPublicUserInfo(self, username):
        if not username:
            raise errors.user_error("DATA_REQUIRED", "username")
        user = self._userdb.user_by_username(username)
        if user is None or not user.active:
            raise errors.not_found("username", username)
        return self._public_info(user)

    def _public_info(self, user):
        return UserStore.PublicUserInfo(
            userId=user.id,
            shardId=user.shard_id,
            privilege=user.privilege,
            username=user.username,
            noteStoreUrl=self._urls.note_store(user.shard_id),
            webApiUrlPrefix=self._urls.web_api_prefix(user.shard_id),
        )

    def getNoteStoreUrl(self, authenticationToken):
        return self._urls.note_store(self._token_user(authenticationToken).shard_id)

    def getUserUrls(self, authenticationToken):
        return self._user_urls(self._token_user(authenticationToken))

    def _user_urls(self, user):
        return UserStore.UserUrls(
            noteStoreUrl=self._urls.note_store(user.shard_id),
            webApiUrlPrefix=self._urls.web_api_prefix(user.shard_id),
            userStoreUrl=self._urls.user_store,
        )

    def _check_login(self, username, password):
        if not username:
            raise errors.user_error("DATA_REQUIRED", "username")
        if not password:
            raise errors.user_error("DATA_REQUIRED", "password")
        # Counted per name whether or not it exists: the answer must not
        # tell the two apart.
        key = username.casefold()
        if self._login_limiter.wait_s(key):
            # EDAM's documented answer; it carries no retry time.
            raise errors.user_error("PERMISSION_DENIED", TOO_MANY_FAILURES)
        user = self._userdb.user_by_username(username)
        if user is None:
            self._login_limiter.spend(key)
            raise errors.user_error("INVALID_AUTH", "username")
        if not self._verify_password(password, user.password_hash):
            self._login_limiter.spend(key)
            raise errors.user_error("INVALID_AUTH", "password")
        if not user.active:
            raise errors.user_error("PERMISSION_DENIED", "User.active")
        return user

    def _session(self, user, consumer_key, lifetime_s):
        app = _app_name(consumer_key)
        token = self._signer.issue(user.shard_id, user.id, lifetime_s, app=app)
        parsed = self._signer.verify(token)
        log.info("user %d logged in through %s", user.id, app)
        return UserStore.AuthenticationResult(
            currentTime=int(time.time() * 1000),
            authenticationToken=token,
            expiration=parsed.expires_ms,
            user=self._user_with_limits(user),
            publicUserInfo=self._public_info(user),
            noteStoreUrl=self._urls.note_store(user.shard_id),
            webApiUrlPrefix=self._urls.web_api_prefix(user.shard_id),
            urls=self._user_urls(user),
        )

    def _verify(self, token):
        parsed = auth.check_token(self._signer, token)
        if self._userdb.is_revoked(tokens.token_digest(token)):
            raise auth.invalid_auth()
        return parsed

    def _token_user(self, token):
        parsed = self._verify(token)
        user = self._userdb.user_by_id(parsed.user_id)
        if user is None or not user.active:
            raise auth.invalid_auth()
        return user

    def _user_with_limits(self, record):
        user = _user(record)
        now_ms = int(time.time() * 1000)
        limit = self._upload_limit_of(record.shard_id) or None
        user.accounting = Types.Accounting(
            uploadLimit=limit,
            uploadLimitEnd=quota.month_end_ms(now_ms),
            uploadLimitNextMonth=limit,
        )
        user.accountLimits = _account_limits(limit)
        return user


def _account_limits(upload_limit):
    # The limits every shard enforces (EDAM's free-account values).
    return Types.AccountLimits(
        noteSizeMax=validation.EDAM_NOTE_SIZE_MAX_FREE,
        resourceSizeMax=validation.EDAM_RESOURCE_SIZE_MAX_FREE,
        uploadLimit=upload_limit,
        userNoteCountMax=validation.EDAM_USER_NOTES_MAX,
        userNotebookCountMax=validation.EDAM_USER_NOTEBOOKS_MAX,
        userTagCountMax=validation.EDAM_USER_TAGS_MAX,
        noteTagCountMax=validation.EDAM_NOTE_TAGS_MAX,
        userSavedSearchesMax=validation.EDAM_USER_SAVED_SEARCHES_MAX,
        noteResourceCountMax=validation.EDAM_NOTE_RESOURCES_MAX,
    )


def _user(record):
    return Types.User(
        id=record.id,
        username=record.username,
        email=record.email,
        name=record.name,
        timezone=record.timezone,
        privilege=record.privilege,
        created=record.created_ms,
        updated=record.updated_ms,
        active=bool(record.active),
        shardId=record.shard_id,
        attributes=Types.UserAttributes(),
    )


def _check_device_field(value, max_len, parameter):
    # EDAM_DEVICE_ID_REGEX and EDAM_DEVICE_DESCRIPTION_REGEX: no control
    # characters, at most max_len of them. Both fields may be left out.
    if not value:
        return
    if len(value) > max_len or any(map(validation.is_cc, value)):
        raise errors.user_error("BAD_DATA_FORMAT", parameter)


def _app_name(consumer_key):
    # The token's A= field must not contain ':' or '=' (clients split on
    # them); keep what is safe of the consumer key.
    safe = "".join(ch for ch in consumer_key or "" if ch in _APP_CHARS)
    return safe[:64] or "notestore"
