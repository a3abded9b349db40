"""In-memory fakes of the services the unit tests must not start."""

import dataclasses
import re
import time

from notestore import passwords
from notestore.tokens import token_digest
from notestore.userdb import UserExists, UserRecord

__all__ = ["FakeCoordinator", "FakeUserDB"]

_TOKEN_HASH = re.compile(r"[0-9a-f]{64}")


class FakeUserDB:
    """A dict-backed stand-in for `notestore.userdb.UserDB`.

    Same method names, arguments and return types as the real class, so a
    service under test cannot tell the two apart. Nothing blocks.
    """

    def __init__(self, database="fake"):
        self.database = database
        self.closed = False
        self._users = {}
        self._revoked = []

    def close(self):
        self.closed = True

    def migrate(self):
        return 1

    def create_user(
        self,
        username,
        email,
        name,
        password,
        shard_id,
        privilege=1,
        *,
        timezone=None,
    ):
        if self.user_by_username(username) is not None:
            raise UserExists(f"username {username!r} is taken")
        now_ms = int(time.time() * 1000)
        record = UserRecord(
            id=len(self._users) + 1,
            username=username,
            email=email,
            name=name,
            password_hash=passwords.hash_password(password),
            shard_id=shard_id,
            privilege=privilege,
            timezone=timezone,
            created_ms=now_ms,
            updated_ms=now_ms,
            active=True,
        )
        self._users[record.id] = record
        return record

    def user_by_username(self, username):
        key = username.casefold()
        for record in self._users.values():
            if record.username.casefold() == key:
                return record
        return None

    def user_by_id(self, user_id):
        return self._users.get(user_id)

    def user_counts_by_shard(self):
        counts = {}
        for record in self._users.values():
            counts[record.shard_id] = counts.get(record.shard_id, 0) + 1
        return counts

    def revoke_token(self, token_hash, user_id, expires_at_ms):
        if not isinstance(token_hash, str) or not _TOKEN_HASH.fullmatch(token_hash):
            raise ValueError("token_hash must be a sha256 hex digest")
        if not self.is_revoked(token_hash):
            self._revoked.append(token_hash)

    def is_revoked(self, token_hash):
        return token_hash in self._revoked

    def revoked_since(self, last_id, limit=1000):
        hashes = self._revoked[last_id : last_id + limit]
        return hashes, last_id + len(hashes)

    # Test-only helpers, not part of the real interface.

    def copy(self):
        """Return an independent fake holding the same users and revocations."""
        clone = FakeUserDB(self.database)
        clone._users = dict(self._users)
        clone._revoked = list(self._revoked)
        return clone

    def deactivate(self, user_id):
        record = self._users[user_id]
        self._users[user_id] = dataclasses.replace(record, active=False)

    def revoked_token(self, token):
        return self.is_revoked(token_digest(token))


class FakeCoordinator:
    """What `shard.replication.Leader` asks of `shard.coordinator.Coordinator`:
    the epoch, the in-sync set, which nodes are live, and in-sync changes
    (recorded in ``changes``; set ``refuse`` to make them fail as a lost
    ZooKeeper write would)."""

    def __init__(self, node_id, insync, live=None, epoch=1):
        self.node_id = node_id
        self.epoch = epoch
        self.insync = set(insync)
        self.live = set(insync if live is None else live)
        self.changes = []
        self.refuse = False

    def insync_nodes(self):
        return frozenset(self.insync)

    def insync_followers(self):
        return frozenset(self.insync - {self.node_id})

    def is_live(self, node_id):
        return node_id in self.live

    def update_insync(self, add=(), remove=()):
        if self.refuse:
            raise RuntimeError("ZooKeeper did not answer")
        self.insync |= set(add)
        self.insync -= set(remove)
        self.changes.append((sorted(add), sorted(remove)))
