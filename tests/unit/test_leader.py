"""The primary's side of replication: the in-sync set and snapshots.

`Leader` runs against a real SQLite storage and an in-memory coordinator;
gevent's sleeps and events work without monkey-patching.
"""

import dataclasses
import pathlib

import gevent
import pytest
from fakes import FakeCoordinator
from noteshard import account_record

from shard.replication import Leader, NotReplicated, remove_snapshots
from shard.storage import Storage

pytestmark = pytest.mark.timeout(30)

REPLICA_TIMEOUT_S = 0.2


@dataclasses.dataclass
class Config:
    data_dir: pathlib.Path
    ack_mode: str = "sync"
    replica_timeout_s: float = REPLICA_TIMEOUT_S


@pytest.fixture
def storage(tmp_path):
    storage = Storage(tmp_path / "shard.sqlite3")
    yield storage
    storage.close()


@pytest.fixture
def leaders():
    started = []
    yield started
    for leader in started:
        leader.close()


def _leader(leaders, tmp_path, storage, coordinator, ack_mode="sync"):
    leader = Leader(Config(tmp_path, ack_mode), storage, coordinator)
    leaders.append(leader)
    return leader


def _commit(storage, user_id):
    return storage.commit(1, account_record(user_id))


def _fetch(leader, node, storage):
    """A follower that holds everything asks for what comes next."""
    return leader.fetch(node, 1, storage.last_lsn() + 1, 1, 1000, 0)


def test_sync_write_waits_for_an_acknowledgement(tmp_path, storage, leaders):
    coordinator = FakeCoordinator("a", {"a", "b"})
    leader = _leader(leaders, tmp_path, storage, coordinator)
    lsn = _commit(storage, 1)

    waiter = gevent.spawn(leader.wait_replicated, lsn)
    gevent.sleep(0.01)
    assert not waiter.ready()
    _fetch(leader, "b", storage)
    waiter.get(timeout=1)

    assert coordinator.insync == {"a", "b"}
    assert coordinator.changes == []


def test_sync_write_drops_a_silent_follower_after_the_replica_timeout(
    tmp_path, storage, leaders
):
    coordinator = FakeCoordinator("a", {"a", "b"})
    leader = _leader(leaders, tmp_path, storage, coordinator)
    lsn = _commit(storage, 1)

    started = gevent.get_hub().loop.now()
    leader.wait_replicated(lsn)

    assert gevent.get_hub().loop.now() - started >= REPLICA_TIMEOUT_S * 0.9
    assert coordinator.insync == {"a"}
    assert coordinator.changes == [([], ["b"])]


def test_sync_write_drops_a_follower_without_a_session_at_once(
    tmp_path, storage, leaders
):
    coordinator = FakeCoordinator("a", {"a", "b"}, live={"a"})
    leader = _leader(leaders, tmp_path, storage, coordinator)

    with gevent.Timeout(REPLICA_TIMEOUT_S / 2):
        leader.wait_replicated(_commit(storage, 1))

    assert coordinator.insync == {"a"}


def test_sync_write_is_not_answered_when_the_drop_cannot_be_recorded(
    tmp_path, storage, leaders
):
    coordinator = FakeCoordinator("a", {"a", "b"}, live={"a"})
    coordinator.refuse = True
    leader = _leader(leaders, tmp_path, storage, coordinator)

    with pytest.raises(NotReplicated):
        leader.wait_replicated(_commit(storage, 1))
    assert coordinator.insync == {"a", "b"}


def test_a_follower_that_catches_up_joins_the_in_sync_set(tmp_path, storage, leaders):
    coordinator = FakeCoordinator("a", {"a"}, live={"a", "b"})
    leader = _leader(leaders, tmp_path, storage, coordinator)
    _commit(storage, 1)
    _commit(storage, 2)

    leader.fetch("b", 1, 1, 0, 1000, 0)  # holds nothing yet
    assert coordinator.insync == {"a"}
    _fetch(leader, "b", storage)
    assert coordinator.insync == {"a", "b"}


def test_async_mode_keeps_a_follower_that_keeps_up(tmp_path, storage, leaders):
    coordinator = FakeCoordinator("a", {"a", "b"})
    leader = _leader(leaders, tmp_path, storage, coordinator, ack_mode="async")

    for user_id in range(1, 8):
        leader.wait_replicated(_commit(storage, user_id))  # returns at once
        _fetch(leader, "b", storage)
        gevent.sleep(REPLICA_TIMEOUT_S / 2)

    assert coordinator.insync == {"a", "b"}
    assert coordinator.changes == []


def test_async_mode_drops_a_follower_that_stops_acknowledging(
    tmp_path, storage, leaders
):
    coordinator = FakeCoordinator("a", {"a", "b"})
    leader = _leader(leaders, tmp_path, storage, coordinator, ack_mode="async")
    _fetch(leader, "b", storage)
    leader.wait_replicated(_commit(storage, 1))  # returns at once

    with gevent.Timeout(REPLICA_TIMEOUT_S * 10):
        while "b" in coordinator.insync:
            gevent.sleep(0.01)
    assert coordinator.changes == [([], ["b"])]


def test_async_mode_drops_a_follower_whose_session_ended(tmp_path, storage, leaders):
    coordinator = FakeCoordinator("a", {"a", "b"})
    _leader(leaders, tmp_path, storage, coordinator, ack_mode="async")
    coordinator.live.discard("b")

    with gevent.Timeout(REPLICA_TIMEOUT_S * 2):
        while "b" in coordinator.insync:
            gevent.sleep(0.01)


def test_a_closed_leader_stops_pruning(tmp_path, storage, leaders):
    coordinator = FakeCoordinator("a", {"a", "b"})
    leader = _leader(leaders, tmp_path, storage, coordinator, ack_mode="async")
    leader.close()
    coordinator.live.discard("b")

    gevent.sleep(REPLICA_TIMEOUT_S)
    assert coordinator.insync == {"a", "b"}


def _snapshot_files(tmp_path):
    return sorted(path.name for path in (tmp_path / "snapshots").iterdir())


def test_a_new_snapshot_for_a_follower_replaces_its_unfinished_one(
    tmp_path, storage, leaders
):
    coordinator = FakeCoordinator("a", {"a"})
    leader = _leader(leaders, tmp_path, storage, coordinator)
    _commit(storage, 1)

    first = leader.snapshot_begin("b")
    other = leader.snapshot_begin("c")
    second = leader.snapshot_begin("b")

    assert _snapshot_files(tmp_path) == sorted(
        f"{info.snapshotId}.sqlite3" for info in (other, second)
    )
    header = leader.snapshot_chunk(second.snapshotId, 0, 16)
    assert header.startswith(b"SQLite format 3")
    leader.snapshot_end(second.snapshotId)
    leader.snapshot_end(first.snapshotId)  # already gone: nothing to do
    assert _snapshot_files(tmp_path) == [f"{other.snapshotId}.sqlite3"]


def test_leftover_snapshots_are_removed_at_start(tmp_path, storage, leaders):
    leader = _leader(leaders, tmp_path, storage, FakeCoordinator("a", {"a"}))
    leader.snapshot_begin("b")
    (tmp_path / "snapshots" / "incoming-x").write_bytes(b"half a snapshot")

    remove_snapshots(tmp_path)

    assert _snapshot_files(tmp_path) == []
