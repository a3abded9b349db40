"""A real cluster for the integration tests: ZooKeeper, MariaDB, shards, router.

One cluster serves the whole session (starting one takes a few seconds);
tests isolate themselves by creating their own users, whose data no other
user can see. The logs of every process are printed when a test fails.
"""

import uuid

import pytest

from notestore.client import connect
from notestore.cluster import Cluster

CLUSTER_START_TIMEOUT_S = 120


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("cluster"), shards=("s1", "s2"))
    try:
        cluster.start(timeout_s=CLUSTER_START_TIMEOUT_S)
    except Exception:
        _dump_logs(cluster)
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    cluster = item.funcargs.get("cluster") if hasattr(item, "funcargs") else None
    if report.failed and cluster is not None:
        report.sections.append(("cluster logs", _log_tails(cluster)))
    return report


def _log_tails(cluster):
    processes = [cluster.router, *cluster.shards.values(), cluster.zookeeper]
    return "\n".join(
        f"--- {process.name}: {process.log_path}\n{process.log_tail(30)}"
        for process in processes
        if process is not None
    )


def _dump_logs(cluster):
    print(_log_tails(cluster))


@pytest.fixture
def user(cluster):
    """A fresh user of its own: (UserRecord, password, developer token)."""
    username = f"u{uuid.uuid4().hex[:12]}"
    password = "correct-horse"
    record, token = cluster.create_user(username, password)
    return record, password, token


@pytest.fixture
def router_tcp(cluster):
    info = cluster.router.info
    return info["host"], info["tcp_port"]


@pytest.fixture
def session(router_tcp, user):
    """A framed SDK session through the router, logged in as ``user``."""
    with connect(*router_tcp, token=user[2]) as session:
        yield session
