"""The central user DB: accounts and revoked tokens in MySQL or MariaDB.

pymysql is pure Python, so under gevent's monkey-patching every query yields
to the hub instead of blocking it. A small pool hands each caller a
connection of its own; pymysql connections must not be shared.

Exceptions::

    UserDBError             root; the server refused a statement (report it)
    +-- UserExists          the username is taken (refuse the request)
    +-- UserDBUnavailable   no connection or it broke mid-call (retry later)
"""

import contextlib
import dataclasses
import logging
import queue
import re
import time

import pymysql

from notestore import passwords

__all__ = [
    "UserDB",
    "UserDBError",
    "UserDBUnavailable",
    "UserExists",
    "UserRecord",
]

log = logging.getLogger(__name__)

_ER_DUP_ENTRY = 1062
# Access denied to the database, bad credentials, unknown database: retrying
# will not help, the operator has to fix the configuration.
_MISCONFIGURED_ERRNOS = frozenset({1044, 1045, 1049})
# A pooled connection idle this long may have been closed by the server
# (wait_timeout) or by a restart; ping it before handing it out.
_PING_AFTER_IDLE_S = 5.0
_LOCK_TIMEOUT_S = 30
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_TOKEN_HASH = re.compile(r"[0-9a-f]{64}")

_USER_COLUMNS = (
    "id, username, email, name, password_hash, shard_id, privilege, timezone,"
    " created_ms, updated_ms, active"
)

# Append only: (version, statements). MySQL commits DDL implicitly, so a
# migration cut short is re-run whole; every statement must be idempotent.
_MIGRATIONS = (
    (
        1,
        (
            """
            CREATE TABLE IF NOT EXISTS users (
                id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                username VARCHAR(64) NOT NULL,
                email VARCHAR(255) NOT NULL DEFAULT '',
                name VARCHAR(255) NOT NULL DEFAULT '',
                password_hash VARCHAR(255) CHARACTER SET ascii NOT NULL,
                shard_id VARCHAR(32) CHARACTER SET ascii NOT NULL,
                privilege TINYINT NOT NULL DEFAULT 1,
                timezone VARCHAR(64) NULL,
                created_ms BIGINT NOT NULL,
                updated_ms BIGINT NOT NULL,
                active BOOL NOT NULL DEFAULT TRUE,
                UNIQUE KEY users_username (username),
                KEY users_shard_id (shard_id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """,
            """
            CREATE TABLE IF NOT EXISTS revoked_tokens (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                token_hash CHAR(64) CHARACTER SET ascii NOT NULL,
                user_id INT NOT NULL,
                revoked_at_ms BIGINT NOT NULL,
                expires_at_ms BIGINT NOT NULL,
                UNIQUE KEY revoked_tokens_token_hash (token_hash),
                KEY revoked_tokens_expires_at_ms (expires_at_ms)
            ) ENGINE=InnoDB
            """,
        ),
    ),
)

_CREATE_SCHEMA_VERSION = """
    CREATE TABLE IF NOT EXISTS schema_version (
        version INT NOT NULL PRIMARY KEY,
        applied_at_ms BIGINT NOT NULL
    ) ENGINE=InnoDB
"""


class UserDBError(Exception):
    """Root of the user DB errors; the server refused what we asked."""


class UserExists(UserDBError):
    """The username is already taken."""


class UserDBUnavailable(UserDBError):
    """The user DB could not be reached, or the connection broke mid-call."""


@dataclasses.dataclass(frozen=True)
class UserRecord:
    """One row of ``users``; times are milliseconds since the epoch."""

    id: int
    username: str
    email: str
    name: str
    password_hash: str = dataclasses.field(repr=False)
    shard_id: str
    privilege: int
    timezone: str | None
    created_ms: int
    updated_ms: int
    active: bool


class UserDB:
    """Accounts and token revocations, over a pool of pymysql connections.

    Construction does not connect. Every method blocks on a pooled
    connection (up to ``acquire_timeout_s`` when all are busy) and on the
    server (up to ``query_timeout_s`` per read or write), and raises
    UserDBUnavailable when either fails and UserDBError for anything else
    the server refuses.
    """

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        password: str,
        database: str,
        pool_size: int = 4,
        *,
        connect_timeout_s: float = 5.0,
        query_timeout_s: float = 10.0,
        acquire_timeout_s: float = 10.0,
    ):
        connect_params = {
            "host": host,
            "port": port,
            "user": user,
            "password": password,
            "database": database,
            "charset": "utf8mb4",
            "autocommit": True,
            "connect_timeout": connect_timeout_s,
            "read_timeout": query_timeout_s,
            "write_timeout": query_timeout_s,
            # Unless told not to, PyMySQL builds a TLS context on every connect
            # (loading the system CA bundle, about 30 ms) to try TLS; on
            # loopback that protects nothing.
            "ssl_disabled": host in _LOOPBACK_HOSTS,
        }
        self.database = database
        self._pool = _ConnectionPool(
            lambda: pymysql.connect(**connect_params), pool_size, acquire_timeout_s
        )

    def close(self) -> None:
        """Close idle connections; busy ones close when they come back."""
        self._pool.close()

    def migrate(self) -> int:
        """Bring the schema to the latest version and return that version.

        Idempotent, and safe to run from several processes at once: a named
        server lock serialises them.
        """
        with self._cursor() as cursor, self._named_lock(cursor, "migrate"):
            cursor.execute(_CREATE_SCHEMA_VERSION)
            current = _schema_version(cursor)
            for version, statements in _MIGRATIONS:
                if version > current:
                    _apply_migration(cursor, version, statements)
                    current = version
        return current

    def create_user(
        self,
        username: str,
        email: str,
        name: str,
        password: str,
        shard_id: str,
        privilege: int = 1,
        *,
        timezone: str | None = None,
    ) -> UserRecord:
        """Insert an active user and return its record.

        Hashes ``password`` first, which costs about 50 ms of CPU. Usernames
        compare case-insensitively. Raises UserExists if the name is taken.
        """
        password_hash = passwords.hash_password(password)
        now_ms = _now_ms()
        row = [username, email, name, password_hash, shard_id, privilege, timezone]
        row += [now_ms, now_ms, True]

        with self._cursor() as cursor:
            user_id = _insert_user(cursor, row)
        log.info("created user %s on shard %s", user_id, shard_id)
        return UserRecord(user_id, *row)

    def user_by_username(self, username: str) -> UserRecord | None:
        """Return the user named ``username`` (any letter case), or None."""
        return self._select_user("username = %s", username)

    def user_by_id(self, user_id: int) -> UserRecord | None:
        """Return the user with id ``user_id``, or None."""
        return self._select_user("id = %s", user_id)

    def user_counts_by_shard(self) -> dict[str, int]:
        """Return how many users each shard holds; shards with none are absent.

        Inactive users count: their notes still live on the shard.
        """
        with self._cursor() as cursor:
            cursor.execute("SELECT shard_id, COUNT(*) FROM users GROUP BY shard_id")
            return {shard_id: count for shard_id, count in cursor.fetchall()}

    def revoke_token(self, token_hash: str, user_id: int, expires_at_ms: int) -> None:
        """Record ``token_hash`` (a ``tokens.token_digest``) as revoked. Idempotent.

        Raises ValueError if ``token_hash`` is not 64 lowercase hex digits, so
        a raw token is never written to the DB by mistake.
        """
        _check_token_hash(token_hash)
        row = (token_hash, user_id, _now_ms(), expires_at_ms)

        # Ids are assigned at insert time but become visible at commit. Taking
        # a lock around the insert makes them visible in id order, so a
        # reader of revoked_since() can never step past an id that commits
        # later and miss that revocation for good.
        with self._cursor() as cursor, self._named_lock(cursor, "revoke"):
            cursor.execute(
                "INSERT INTO revoked_tokens"
                " (token_hash, user_id, revoked_at_ms, expires_at_ms)"
                " VALUES (%s, %s, %s, %s)"
                " ON DUPLICATE KEY UPDATE token_hash = token_hash",
                row,
            )
        log.info("revoked a token of user %s", user_id)

    def is_revoked(self, token_hash: str) -> bool:
        """Return True if ``token_hash`` has been revoked."""
        with self._cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM revoked_tokens WHERE token_hash = %s", (token_hash,)
            )
            return cursor.fetchone() is not None

    def revoked_since(self, last_id: int, limit: int = 1000) -> tuple[list[str], int]:
        """Return revocations after ``last_id``, oldest first, and the new last id.

        Returns at most ``limit`` hashes; call again with the returned id until
        the list comes back empty. Start from 0.
        """
        with self._cursor() as cursor:
            cursor.execute(
                "SELECT id, token_hash FROM revoked_tokens"
                " WHERE id > %s ORDER BY id LIMIT %s",
                (last_id, limit),
            )
            rows = cursor.fetchall()
        if not rows:
            return [], last_id
        return [token_hash for _, token_hash in rows], rows[-1][0]

    def _select_user(self, condition: str, value) -> UserRecord | None:
        with self._cursor() as cursor:
            cursor.execute(
                f"SELECT {_USER_COLUMNS} FROM users WHERE {condition}", (value,)
            )
            row = cursor.fetchone()
        return None if row is None else _record_from_row(row)

    @contextlib.contextmanager
    def _cursor(self):
        # Translation sits outside the pool so the pool sees pymysql's own
        # errors when it decides whether a connection is still usable.
        with (
            _translated_errors(),
            self._pool.connection() as connection,
            connection.cursor() as cursor,
        ):
            yield cursor

    @contextlib.contextmanager
    def _named_lock(self, cursor, purpose: str):
        # GET_LOCK names are server-wide and at most 64 characters long.
        name = f"notestore.{self.database}.{purpose}"[:64]
        cursor.execute("SELECT GET_LOCK(%s, %s)", (name, _LOCK_TIMEOUT_S))
        if cursor.fetchone()[0] != 1:
            raise UserDBUnavailable(f"lock {name} busy for {_LOCK_TIMEOUT_S} s")
        try:
            yield
        finally:
            cursor.execute("DO RELEASE_LOCK(%s)", (name,))


class _ConnectionPool:
    """At most ``size`` connections, each lent to one caller at a time.

    The queue holds one slot per allowed connection: an idle connection with
    the time it was returned, or None where a connection is yet to be made
    (at start, or after a broken one was thrown away).
    """

    def __init__(self, connect, size: int, acquire_timeout_s: float):
        if size < 1:
            raise ValueError(f"pool_size must be at least 1, not {size}")
        self._connect = connect
        self._size = size
        self._acquire_timeout_s = acquire_timeout_s
        self._closed = False
        # LIFO: the busiest connections stay warm, the rest age and get pinged.
        self._slots = queue.LifoQueue()
        for _ in range(size):
            self._slots.put(None)

    @contextlib.contextmanager
    def connection(self):
        connection = self._acquire()
        try:
            yield connection
        except BaseException as exc:
            if _breaks_connection(exc):
                self._discard(connection)
            else:
                self._release(connection)
            raise
        self._release(connection)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                slot = self._slots.get_nowait()
            except queue.Empty:
                return
            if slot is not None:
                _close_quietly(slot[0])

    def _acquire(self):
        if self._closed:
            raise UserDBError("the user DB has been closed")
        try:
            slot = self._slots.get(timeout=self._acquire_timeout_s)
        except queue.Empty:
            raise UserDBUnavailable(
                f"all {self._size} user DB connections busy"
                f" for {self._acquire_timeout_s} s"
            ) from None
        try:
            return self._usable_connection(slot)
        except BaseException:
            self._slots.put(None)
            raise

    def _usable_connection(self, slot):
        if slot is None:
            return self._connect()
        connection, idle_since = slot
        if time.monotonic() - idle_since < _PING_AFTER_IDLE_S:
            return connection
        try:
            connection.ping(reconnect=False)
            return connection
        except pymysql.err.MySQLError:
            log.warning("idle user DB connection was dead, reconnecting")
            _close_quietly(connection)
            return self._connect()

    def _release(self, connection) -> None:
        if self._closed:
            self._discard(connection)
        else:
            self._slots.put((connection, time.monotonic()))

    def _discard(self, connection) -> None:
        _close_quietly(connection)
        self._slots.put(None)


def _breaks_connection(exc: BaseException) -> bool:
    """True if ``exc`` may have left the connection mid-protocol or dead."""
    # A statement the server refused (duplicate key, bad SQL) leaves the
    # connection clean. A lost connection does not, and neither does an
    # interruption from outside (gevent.Timeout, GreenletExit,
    # KeyboardInterrupt) that may have landed between a query and its reply.
    broken = (
        pymysql.err.OperationalError,
        pymysql.err.InterfaceError,
        pymysql.err.InternalError,
        OSError,
    )
    return isinstance(exc, broken) or not isinstance(exc, Exception)


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except pymysql.err.Error:
        pass  # "Already closed": the socket is gone either way


@contextlib.contextmanager
def _translated_errors():
    try:
        yield
    except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as exc:
        if _errno(exc) in _MISCONFIGURED_ERRNOS:
            raise UserDBError(f"user DB refused us: {exc}") from exc
        raise UserDBUnavailable(f"user DB unavailable: {exc}") from exc
    except pymysql.err.MySQLError as exc:
        raise UserDBError(f"user DB error: {exc}") from exc


def _errno(exc: pymysql.err.MySQLError):
    return exc.args[0] if exc.args else None


def _insert_user(cursor, row) -> int:
    try:
        cursor.execute(
            "INSERT INTO users"
            " (username, email, name, password_hash, shard_id, privilege,"
            " timezone, created_ms, updated_ms, active)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            row,
        )
    except pymysql.err.IntegrityError as exc:
        # username is the only unique key besides the generated id.
        if _errno(exc) == _ER_DUP_ENTRY:
            raise UserExists(f"username {row[0]!r} is taken") from exc
        raise
    return cursor.lastrowid


def _record_from_row(row) -> UserRecord:
    *fields, active = row
    return UserRecord(*fields, bool(active))


def _schema_version(cursor) -> int:
    cursor.execute("SELECT MAX(version) FROM schema_version")
    version = cursor.fetchone()[0]
    return version or 0


def _apply_migration(cursor, version: int, statements) -> None:
    for statement in statements:
        cursor.execute(statement)
    cursor.execute(
        "INSERT INTO schema_version (version, applied_at_ms) VALUES (%s, %s)",
        (version, _now_ms()),
    )
    log.info("user DB schema migrated to version %s", version)


def _check_token_hash(token_hash: str) -> None:
    if not isinstance(token_hash, str) or not _TOKEN_HASH.fullmatch(token_hash):
        raise ValueError(
            "token_hash must be a sha256 hex digest (see notestore.tokens.token_digest)"
        )


def _now_ms() -> int:
    return int(time.time() * 1000)
