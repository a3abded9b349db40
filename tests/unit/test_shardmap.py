"""Unit tests for the router's shard map, fed by hand instead of ZooKeeper.

The map's watch callbacks take znode values; here they are called directly
on a map that never connects.
"""

import types

import pytest

from notestore import zklayout
from router.shardmap import ShardMap

pytestmark = pytest.mark.timeout(30)

STAT = types.SimpleNamespace(version=0)


def _primary(node, port, epoch):
    value = {"host": "127.0.0.1", "port": port, "node": node, "epoch": epoch}
    return zklayout.encode(value)


@pytest.fixture
def shard_map():
    return ShardMap("127.0.0.1:1", "/notestore")


@pytest.fixture
def replaced(shard_map):
    calls = []
    shard_map.on_replaced(lambda shard, old, new: calls.append((shard, old, new)))
    return calls


def test_a_new_primary_elsewhere_is_a_replacement(shard_map, replaced):
    shard_map._on_primary("s1", _primary("a", 1000, 1), STAT)
    shard_map._on_primary("s1", None, None)  # a's session ended
    shard_map._on_primary("s1", _primary("b", 2000, 2), STAT)

    assert [(s, old["node"], new["node"]) for s, old, new in replaced] == [
        ("s1", "a", "b")
    ]
    assert shard_map.primary("s1")["node"] == "b"


def test_first_sighting_and_the_same_address_again_are_not(shard_map, replaced):
    shard_map._on_primary("s1", _primary("a", 1000, 1), STAT)
    shard_map._on_primary("s1", None, None)
    shard_map._on_primary("s1", _primary("a", 1000, 2), STAT)  # re-elected

    assert replaced == []
    assert shard_map.primary("s1")["epoch"] == 2


def test_shards_are_tracked_apart(shard_map, replaced):
    shard_map._on_primary("s1", _primary("a", 1000, 1), STAT)
    shard_map._on_primary("s2", _primary("b", 2000, 1), STAT)

    assert replaced == []


def test_wait_primary_skips_the_one_it_was_told_to(shard_map):
    shard_map._on_primary("s1", _primary("a", 1000, 1), STAT)
    current = shard_map.primary("s1")

    assert shard_map.wait_primary("s1", 0.01, not_this=current) is None
    assert shard_map.wait_primary("s1", 0.01) == current
