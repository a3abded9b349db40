"""The router's in-memory set of revoked token digests.

NoteStore calls are routed without a database lookup, so the router keeps
the digests of revoked tokens in memory: added at once when a revocation
passes through this router, and polled from the user DB for revocations
made through other routers.
"""

import logging

import gevent

from notestore.userdb import UserDBError

__all__ = ["Revocations"]

log = logging.getLogger(__name__)


class Revocations:
    def __init__(self, userdb, poll_interval_s):
        self._userdb = userdb
        self._poll_interval_s = poll_interval_s
        self._digests = set()
        self._last_id = 0
        self._poller = None

    def __contains__(self, digest):
        return digest in self._digests

    def add(self, digest):
        self._digests.add(digest)

    def start(self):
        """Load every revocation, then keep polling in a greenlet."""
        self._poll_once()
        self._poller = gevent.spawn(self._poll_forever)

    def stop(self):
        if self._poller is not None:
            self._poller.kill()

    def _poll_forever(self):
        while True:
            gevent.sleep(self._poll_interval_s)
            try:
                self._poll_once()
            except UserDBError as exc:
                log.warning("cannot refresh revoked tokens: %s", exc)

    def _poll_once(self):
        digests, self._last_id = self._userdb.revoked_since(self._last_id)
        self._digests.update(digests)
