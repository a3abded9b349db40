"""Read the cluster's state from ZooKeeper, and place new users on shards."""

import contextlib

from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError
from kazoo.handlers.threading import KazooTimeoutError

from notestore import zklayout

__all__ = [
    "ClusterUnreachable",
    "NoShardAvailable",
    "least_full_shard",
    "read_cluster",
    "read_state",
    "zk_session",
]


class ClusterUnreachable(Exception):
    """ZooKeeper did not answer."""


class NoShardAvailable(Exception):
    """No shard has a primary, so no user can be placed."""


def read_state(zookeeper, zk_root, timeout_s=10):
    """Return ``{shard: {primary, epoch, insync, nodes}}`` as ZooKeeper has it.

    Blocks up to ``timeout_s`` to connect; raises `ClusterUnreachable`.
    """
    return read_cluster(zookeeper, zk_root, timeout_s)["shards"]


def read_cluster(zookeeper, zk_root, timeout_s=10):
    """Return ``{"shards": {...}, "routers": {router id: its znode}}``.

    Each node entry gains ``lag``: how many records it is behind its
    shard's primary, by the LSNs the nodes last published.
    """
    layout = zklayout.Layout(zk_root)
    with zk_session(zookeeper, timeout_s) as zk:
        shards = _children(zk, layout.shards)
        routers = _children(zk, layout.routers)
        return {
            "shards": {shard: _shard_state(zk, layout, shard) for shard in shards},
            "routers": {name: _read(zk, layout.router(name)) for name in routers},
        }


@contextlib.contextmanager
def zk_session(zookeeper, timeout_s=10):
    """A short-lived ZooKeeper session for a command-line tool.

    Blocks up to ``timeout_s`` to connect; raises `ClusterUnreachable`.
    """
    zk = KazooClient(hosts=zookeeper)
    try:
        zk.start(timeout=timeout_s)
    except KazooTimeoutError as exc:
        raise ClusterUnreachable(f"cannot reach ZooKeeper at {zookeeper}") from exc
    try:
        yield zk
    finally:
        zk.stop()
        zk.close()


def least_full_shard(state, user_counts):
    """The shard with the fewest users among those that have a primary.

    Ties go to the lowest shard id. Raises `NoShardAvailable`.
    """
    live = [shard for shard, info in state.items() if info["primary"]]
    if not live:
        raise NoShardAvailable("no shard has a primary; start the shards first")
    return min(live, key=lambda shard: (user_counts.get(shard, 0), shard))


def _shard_state(zk, layout, shard_id):
    nodes = {
        node: _read(zk, layout.node(shard_id, node))
        for node in _children(zk, layout.nodes(shard_id))
    }
    primary = _read(zk, layout.primary(shard_id)) or None
    insync = _read(zk, layout.insync(shard_id)).get("nodes", [])
    leader_lsn = nodes.get((primary or {}).get("node"), {}).get("lsn")
    for node_id, node in nodes.items():
        node["insync"] = node_id in insync
        if leader_lsn is not None and node.get("lsn") is not None:
            node["lag"] = max(0, leader_lsn - node["lsn"])
    return {
        "primary": primary,
        "epoch": _read(zk, layout.epoch(shard_id)).get("epoch", 0),
        "insync": insync,
        "handover": _read(zk, layout.handover(shard_id)) or None,
        "nodes": nodes,
    }


def _children(zk, path):
    try:
        return sorted(zk.get_children(path))
    except NoNodeError:
        return []


def _read(zk, path):
    try:
        return zklayout.decode(zk.get(path)[0])
    except NoNodeError:
        return {}
