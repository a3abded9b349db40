"""Replication, election and failover under a concurrent write load.

Real processes and real faults: SIGKILL, SIGSTOP past the session timeout,
restarts, a ZooKeeper restart. After each fault every write that got a
success answer must be on both nodes exactly once, the nodes must hold
identical data once caught up, and no epoch may have had two leaders.
"""

import time

import faults
import pytest

from notestore import handover
from notestore.cluster import Cluster

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(300)]

SHARD = "s1"
REPEAT = 3
LOG_RETENTION = 2000


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(
        tmp_path_factory.mktemp("failover"),
        shards=(SHARD,),
        nodes=("a", "b"),
        session_timeout_s=1.0,
        shard_options=[f"--log-retention={LOG_RETENTION}", "--replica-timeout=1"],
    )
    try:
        cluster.start()
        faults.wait_insync(cluster, SHARD, ["a", "b"])
    except Exception:
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def token(cluster):
    return cluster.create_user("loaduser", "load-password", shard_id=SHARD)[1]


@pytest.fixture
def router_tcp(cluster):
    info = cluster.router.info
    return info["host"], info["tcp_port"]


def _node(cluster, node_id):
    return cluster.shards[(SHARD, node_id)]


def _other(node_id):
    return "b" if node_id == "a" else "a"


@pytest.mark.parametrize("attempt", range(REPEAT))
def test_sigkill_of_the_primary(cluster, token, router_tcp, attempt):
    with faults.WriteLoad(router_tcp, token) as load:
        load.wait_for(20)
        old = faults.primary_of(cluster, SHARD)
        _node(cluster, old["node"]).kill()

        load.wait_for(20)  # the secondary took over
        new = faults.primary_of(cluster, SHARD)
        assert new["node"] != old["node"]
        assert new["epoch"] > old["epoch"]

        cluster.start_node(SHARD, old["node"])
        faults.wait_insync(cluster, SHARD, ["a", "b"])
        load.wait_for(20)
    faults.check_invariants(cluster, SHARD, load.answered)


@pytest.mark.parametrize("attempt", range(REPEAT))
def test_sigstop_of_the_primary_past_its_session(cluster, token, router_tcp, attempt):
    with faults.WriteLoad(router_tcp, token) as load:
        load.wait_for(20)
        old = faults.primary_of(cluster, SHARD)
        frozen = _node(cluster, old["node"])
        frozen.pause()
        try:
            load.wait_for(20)  # answered by the new primary meanwhile
            new = faults.primary_of(cluster, SHARD)
            assert new["node"] != old["node"]
        finally:
            frozen.resume()

        # Back, it must not answer writes as a primary: it rejoins as a
        # secondary (through a snapshot if it had committed unanswered
        # writes) and is taken back into the in-sync set.
        faults.wait_insync(cluster, SHARD, ["a", "b"])
        load.wait_for(20)
        assert faults.primary_of(cluster, SHARD)["node"] == new["node"]
    faults.check_invariants(cluster, SHARD, load.answered)


@pytest.mark.parametrize("attempt", range(REPEAT))
def test_sigkill_of_the_secondary_then_log_catch_up(
    cluster, token, router_tcp, attempt
):
    with faults.WriteLoad(router_tcp, token) as load:
        load.wait_for(10)
        primary = faults.primary_of(cluster, SHARD)
        secondary = _other(primary["node"])
        _node(cluster, secondary).kill()

        load.wait_for(10)  # fewer than the log retention: a log catch-up
        log_offset = _node(cluster, secondary).log_path.stat().st_size
        cluster.start_node(SHARD, secondary)
        faults.wait_insync(cluster, SHARD, ["a", "b"])
        load.wait_for(10)
        assert faults.primary_of(cluster, SHARD)["node"] == primary["node"]
    faults.check_invariants(cluster, SHARD, load.answered)
    replay = faults.log_since(_node(cluster, secondary), log_offset)
    assert "restoring snapshot" not in replay


@pytest.mark.parametrize("attempt", range(2))
def test_a_node_past_the_log_retention_catches_up_through_a_snapshot(
    cluster, token, router_tcp, attempt
):
    with faults.WriteLoad(router_tcp, token) as load:
        load.wait_for(10)
        primary = faults.primary_of(cluster, SHARD)
        secondary = _other(primary["node"])
        _node(cluster, secondary).stop()

        load.wait_for(LOG_RETENTION + 500)
        log_offset = _node(cluster, secondary).log_path.stat().st_size
        cluster.start_node(SHARD, secondary)
        faults.wait_insync(cluster, SHARD, ["a", "b"])
        load.wait_for(10)
    faults.check_invariants(cluster, SHARD, load.answered)
    replay = faults.log_since(_node(cluster, secondary), log_offset)
    assert "restoring snapshot" in replay


@pytest.mark.parametrize("attempt", range(REPEAT))
def test_zookeeper_restart_under_load(cluster, token, router_tcp, attempt):
    with faults.WriteLoad(router_tcp, token) as load:
        load.wait_for(20)
        cluster.zookeeper.stop()
        time.sleep(0.5)  # a real outage, not a readiness wait
        cluster.zookeeper.start()
        cluster.zookeeper.wait_ready(faults.WAIT_S)

        faults.wait_insync(cluster, SHARD, ["a", "b"])
        load.wait_for(20)
    faults.check_invariants(cluster, SHARD, load.answered)


@pytest.mark.parametrize("attempt", range(REPEAT))
def test_planned_handover_under_load(cluster, token, router_tcp, attempt):
    with faults.WriteLoad(router_tcp, token) as load:
        load.wait_for(20)
        old = faults.primary_of(cluster, SHARD)
        target = _other(old["node"])

        elapsed_s, moved_to = handover.hand_over(
            cluster.zookeeper.hostport, cluster.zk_root, SHARD, timeout_s=10
        )

        assert moved_to == target
        assert elapsed_s < 5
        new = faults.primary_of(cluster, SHARD)
        assert (new["node"], new["epoch"]) == (target, old["epoch"] + 1)
        faults.wait_insync(cluster, SHARD, ["a", "b"])
        load.wait_for(20)
    faults.check_invariants(cluster, SHARD, load.answered)


def test_handover_to_a_node_outside_the_in_sync_set_is_refused(cluster):
    primary = faults.primary_of(cluster, SHARD)

    with pytest.raises(handover.HandoverError, match="not a live in-sync"):
        handover.hand_over(
            cluster.zookeeper.hostport, cluster.zk_root, SHARD, primary["node"]
        )
    assert faults.primary_of(cluster, SHARD) == primary
