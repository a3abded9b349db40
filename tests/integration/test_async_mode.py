"""A shard in ``async`` mode keeps its in-sync set honest.

In ``async`` mode a write is answered after the primary's own commit, so no
writer waits for the secondary and nothing on the write path notices one
that has died. The primary must still drop it from the in-sync set, or the
stale node could be elected after the primary fails and take the shard
back to where it stopped.
"""

import faults
import pytest

from notestore import handover
from notestore.cluster import Cluster

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(300)]

SHARD = "s1"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(
        tmp_path_factory.mktemp("async"),
        shards=(SHARD,),
        nodes=("a", "b"),
        session_timeout_s=1.0,
        shard_options=["--ack-mode=async", "--replica-timeout=1"],
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
    return cluster.create_user("asyncuser", "async-password", shard_id=SHARD)[1]


@pytest.fixture
def router_tcp(cluster):
    info = cluster.router.info
    return info["host"], info["tcp_port"]


def _lose_the_primary_after_its_secondary(cluster, token, router_tcp):
    """Kill the secondary, write on, kill the primary, restart the
    secondary. Returns (the lost primary, the stale node, the writes that
    were answered)."""
    with faults.WriteLoad(router_tcp, token) as load:
        load.wait_for(10)
        primary = faults.primary_of(cluster, SHARD)["node"]
        secondary = "b" if primary == "a" else "a"
        cluster.shards[(SHARD, secondary)].kill()

        faults.wait_insync(cluster, SHARD, [primary], exact=True)
        load.wait_for(20)  # writes the dead secondary never saw
    cluster.shards[(SHARD, primary)].kill()

    stale = cluster.shards[(SHARD, secondary)]
    offset = stale.log_path.stat().st_size
    cluster.start_node(SHARD, secondary)
    faults.wait_for_log(stale, "not in the in-sync set", offset)
    assert "is now primary" not in faults.log_since(stale, offset)
    return primary, secondary, load.answered


@pytest.mark.parametrize("attempt", range(2))
def test_a_dead_secondary_is_dropped_and_never_elected(
    cluster, token, router_tcp, attempt
):
    primary, _, answered = _lose_the_primary_after_its_secondary(
        cluster, token, router_tcp
    )

    cluster.start_node(SHARD, primary)
    assert faults.primary_of(cluster, SHARD)["node"] == primary
    faults.wait_insync(cluster, SHARD, ["a", "b"])
    faults.check_invariants(cluster, SHARD, answered)


def test_an_operator_can_force_a_stale_node_to_lead(cluster, token, router_tcp):
    lost, stale, _ = _lose_the_primary_after_its_secondary(cluster, token, router_tcp)
    stale_lsn = faults.node_rows(cluster, SHARD, stale)[0]

    _, lsn = handover.force_primary(
        cluster.zookeeper.hostport, cluster.zk_root, SHARD, stale
    )

    assert lsn == stale_lsn
    assert faults.primary_of(cluster, SHARD)["node"] == stale
    with faults.WriteLoad(router_tcp, token) as load:
        load.wait_for(10)
        # The lost node returns holding writes the new primary never had:
        # it must give them up and take a snapshot, not keep them.
        returning = cluster.shards[(SHARD, lost)]
        offset = returning.log_path.stat().st_size
        cluster.start_node(SHARD, lost)
        faults.wait_insync(cluster, SHARD, ["a", "b"])
        load.wait_for(10)
    faults.check_invariants(cluster, SHARD, load.answered)
    assert "restoring snapshot" in faults.log_since(returning, offset)
