"""``notestore-shard``: run one node of one shard.

gevent patches the standard library before anything else is imported: the
daemon's sockets, locks and kazoo's connection must all be cooperative.
"""

from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402

from shard.daemon import main  # noqa: E402

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
