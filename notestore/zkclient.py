"""The ZooKeeper client the daemons use: gevent-driven, quick to reconnect.

kazoo's default reconnect backoff doubles up to an hour. After ZooKeeper
restarts, a node whose next attempt is seconds away stays cut off long
after the server is back: a primary keeps refusing writes, a secondary
cannot campaign. Attempts here start 50 ms apart and never grow beyond a
second (or half the session timeout, if shorter), so a client is back
within one session timeout whenever the server is.
"""

from kazoo.client import KazooClient
from kazoo.handlers.gevent import SequentialGeventHandler

__all__ = ["gevent_client"]

_FIRST_RETRY_S = 0.05
_MAX_RETRY_S = 1.0


def gevent_client(hosts, session_timeout_s):
    """A `KazooClient` on gevent's handler, not started."""
    handler = SequentialGeventHandler()
    retry = {
        "max_tries": -1,
        "delay": _FIRST_RETRY_S,
        "backoff": 1.5,
        "max_jitter": 0.05,
        "max_delay": min(_MAX_RETRY_S, session_timeout_s / 2),
        "sleep_func": handler.sleep_func,
    }
    return KazooClient(
        hosts=hosts,
        timeout=session_timeout_s,
        handler=handler,
        connection_retry=retry,
    )
