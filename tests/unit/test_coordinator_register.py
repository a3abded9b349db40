"""Unit tests for a shard node's registration in ZooKeeper.

A ZooKeeper stand-in scripts what the server answers; the coordinator is
built from a real configuration and never connects.
"""

import types

import pytest
from kazoo.exceptions import NodeExistsError, NoNodeError

from shard.coordinator import Coordinator

pytestmark = pytest.mark.timeout(30)


class ScriptedZooKeeper:
    """Answers create and delete from scripts: an exception, or success."""

    def __init__(self, creates, deletes=()):
        self._creates = list(creates)
        self._deletes = list(deletes)
        self.calls = []

    def create(self, path, value, ephemeral=False):
        self.calls.append(("create", path))
        self._answer(self._creates)

    def delete(self, path):
        self.calls.append(("delete", path))
        self._answer(self._deletes)

    @staticmethod
    def _answer(script):
        outcome = script.pop(0) if script else None
        if outcome is not None:
            raise outcome()


def _coordinator(zk):
    config = types.SimpleNamespace(
        zk_root="/notestore",
        zookeeper="127.0.0.1:1",
        session_timeout_s=1.0,
        shard_id="s1",
        node_id="a",
        upload_limit=0,
    )
    coordinator = Coordinator(config, last_lsn=lambda: 0)
    coordinator._zk = zk
    return coordinator


def test_a_lingering_registration_of_our_last_session_is_replaced():
    zk = ScriptedZooKeeper(creates=[NodeExistsError, None])

    _coordinator(zk)._register()

    path = "/notestore/shards/s1/nodes/a"
    assert zk.calls == [("create", path), ("delete", path), ("create", path)]


def test_a_registration_that_expires_as_we_delete_it_is_no_error():
    # The old session ends between our create and our delete.
    zk = ScriptedZooKeeper(creates=[NodeExistsError, None], deletes=[NoNodeError])

    _coordinator(zk)._register()

    assert [call for call, _path in zk.calls] == ["create", "delete", "create"]


def test_another_process_holding_our_node_id_is_not_fought_forever():
    zk = ScriptedZooKeeper(creates=[NodeExistsError] * 10)

    with pytest.raises(NodeExistsError):
        _coordinator(zk)._register()
    assert len(zk.calls) < 10
