"""Where the cluster keeps its state in ZooKeeper, and how it is encoded.

Under a configurable root (``/notestore`` by default)::

    <root>/shards/<shard>/nodes/<node>   ephemeral: a node's address and state
    <root>/shards/<shard>/primary        ephemeral: who is primary, in which epoch
    <root>/shards/<shard>/epoch          persistent counter
    <root>/shards/<shard>/insync         persistent: node ids allowed to lead
    <root>/shards/<shard>/handover       a planned handover in progress
    <root>/routers/<router>              ephemeral: a router and its view

Every value is a small JSON object.
"""

import json
import posixpath

__all__ = ["Layout", "decode", "encode"]

DEFAULT_ROOT = "/notestore"


class Layout:
    def __init__(self, root=DEFAULT_ROOT):
        if not root.startswith("/") or root.endswith("/") and root != "/":
            raise ValueError(f"bad ZooKeeper root {root!r}")
        self.root = root

    @property
    def shards(self):
        return posixpath.join(self.root, "shards")

    def shard(self, shard_id):
        return posixpath.join(self.shards, shard_id)

    def nodes(self, shard_id):
        return posixpath.join(self.shard(shard_id), "nodes")

    def node(self, shard_id, node_id):
        return posixpath.join(self.nodes(shard_id), node_id)

    def primary(self, shard_id):
        return posixpath.join(self.shard(shard_id), "primary")

    def epoch(self, shard_id):
        return posixpath.join(self.shard(shard_id), "epoch")

    def insync(self, shard_id):
        return posixpath.join(self.shard(shard_id), "insync")

    def handover(self, shard_id):
        return posixpath.join(self.shard(shard_id), "handover")

    def router(self, router_id):
        return posixpath.join(self.routers, router_id)

    @property
    def routers(self):
        return posixpath.join(self.root, "routers")


def encode(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def decode(data):
    """Decode a znode value; an empty or foreign value decodes to {}."""
    try:
        value = json.loads(data.decode("utf-8")) if data else {}
    except (UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
