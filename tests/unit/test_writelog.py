"""The shard's write log: what replication reads, appends and restores."""

import json

import pytest
from noteshard import account_record

from shard.storage import Storage

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def primary(tmp_path):
    storage = Storage(tmp_path / "primary.sqlite3")
    yield storage
    storage.close()


@pytest.fixture
def replica(tmp_path):
    storage = Storage(tmp_path / "replica.sqlite3")
    yield storage
    storage.close()


def _fill(storage, users, epoch=1):
    return [storage.commit(epoch, account_record(user)) for user in users]


def test_commit_assigns_dense_lsns_with_their_epoch(primary):
    lsns = _fill(primary, [1, 2]) + _fill(primary, [3], epoch=2)

    assert lsns == [1, 2, 3]
    assert [primary.epoch_at(lsn) for lsn in lsns] == [1, 1, 2]
    assert primary.epoch_at(4) is None


def test_records_since_returns_bodies_in_order(primary):
    _fill(primary, [1, 2, 3])

    records = primary.records_since(2, 10)

    assert [(epoch, lsn) for epoch, lsn, _ in records] == [(1, 2), (1, 3)]
    assert json.loads(records[0][2])["user_id"] == 2
    assert len(primary.records_since(1, 2)) == 2


def test_a_replica_that_appends_the_log_holds_the_same_data(primary, replica):
    _fill(primary, [1, 2, 3])

    last = replica.append(primary.records_since(1, 100))

    assert last == 3 == replica.last_lsn()
    for user in (1, 2, 3):
        assert dict(replica.account(user)) == dict(primary.account(user))
        assert [dict(r) for r in replica.notebooks(user)] == [
            dict(r) for r in primary.notebooks(user)
        ]


def test_append_refuses_a_gap_and_applies_nothing(primary, replica):
    _fill(primary, [1, 2, 3])
    records = primary.records_since(1, 100)

    with pytest.raises(ValueError, match="gap"):
        replica.append([records[0], records[2]])

    assert replica.last_lsn() == 0
    assert replica.account(1) is None


def test_trim_keeps_the_newest_records_and_never_the_last_lsn(primary):
    _fill(primary, [1, 2, 3, 4, 5])

    primary.trim_log(2)
    assert (primary.first_lsn(), primary.last_lsn()) == (4, 5)

    primary.trim_log(0)
    assert (primary.first_lsn(), primary.last_lsn()) == (5, 5)


def test_snapshot_restores_in_place(primary, replica, tmp_path):
    _fill(primary, [1, 2])
    _fill(replica, [9])  # a diverged history, to be replaced
    snapshot = tmp_path / "snapshot.sqlite3"

    lsn, epoch = primary.snapshot_to(str(snapshot))
    replica.restore_from(str(snapshot))

    assert (lsn, epoch) == (2, 1)
    assert replica.last_lsn() == 2
    assert replica.account(9) is None
    assert replica.account(2) is not None
    assert not snapshot.exists()
    # The restored database keeps working: it takes the next records.
    _fill(primary, [3])
    assert replica.append(primary.records_since(3, 10)) == 3
