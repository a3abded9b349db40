"""The admin command against a real cluster, and its bad command lines."""

import json
import subprocess
import sys
import uuid

import pytest

from notestore import clusterstate
from notestore.client import connect

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def _admin(cluster, *arguments, stdin=""):
    command = [
        sys.executable,
        "-m",
        "notestore.admin",
        f"--zookeeper={cluster.zookeeper.hostport}",
        f"--zk-root={cluster.zk_root}",
        f"--secret-file={cluster.secret_file}",
        f"--mysql-port={cluster.mariadb.port}",
        f"--mysql-password-file={cluster.mysql_password_file}",
        *arguments,
    ]
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def _new_username():
    return f"a{uuid.uuid4().hex[:10]}"


def test_create_user_prints_a_working_developer_token(cluster, router_tcp):
    username = _new_username()

    done = _admin(
        cluster,
        "create-user",
        f"--username={username}",
        f"--email={username}@example.com",
        "--password-stdin",
        "--json",
        stdin="s3cret-pass\n",
    )

    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert created["shard"] in cluster.shard_ids
    assert "s3cret-pass" not in done.stdout + done.stderr
    with connect(*router_tcp, token=created["token"]) as session:
        assert session.user_store.getUser().username == username
        assert session.note_store.getDefaultNotebook().defaultNotebook is True


def test_new_users_go_to_the_least_full_shard(cluster):
    shards = []
    for _ in range(4):
        username = _new_username()
        done = _admin(
            cluster,
            "create-user",
            f"--username={username}",
            f"--email={username}@example.com",
            "--password-stdin",
            "--json",
            stdin="s3cret-pass\n",
        )
        assert done.returncode == 0, done.stderr
        shards.append(json.loads(done.stdout)["shard"])

    userdb = cluster.userdb()
    try:
        counts = userdb.user_counts_by_shard()
    finally:
        userdb.close()
    assert set(shards) == set(cluster.shard_ids)
    assert max(counts.values()) - min(counts.values()) <= 1


def test_duplicate_user_is_refused(cluster):
    username = _new_username()
    arguments = [
        "create-user",
        f"--username={username}",
        f"--email={username}@example.com",
        "--password-stdin",
    ]
    assert _admin(cluster, *arguments, stdin="s3cret-pass\n").returncode == 0

    again = _admin(cluster, *arguments, stdin="s3cret-pass\n")

    assert again.returncode == 1
    assert "already exists" in again.stderr


@pytest.mark.parametrize(
    ("arguments", "stdin", "message"),
    [
        (["--username=Bad Name", "--email=x@example.com"], "s3cret-pass\n", "username"),
        (["--username=okname", "--email=nope"], "s3cret-pass\n", "email"),
        (["--username=okname", "--email=x@example.com"], "123\n", "password"),
    ],
)
def test_bad_user_details_are_refused(cluster, arguments, stdin, message):
    done = _admin(cluster, "create-user", *arguments, "--password-stdin", stdin=stdin)

    assert done.returncode == 1
    assert message in done.stderr


def test_missing_secret_is_a_usage_error(cluster):
    done = subprocess.run(
        [sys.executable, "-m", "notestore.admin", "token", "--username=x"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )

    assert done.returncode == 2
    assert "--secret-file" in done.stderr


def test_token_for_unknown_user_fails(cluster):
    done = _admin(cluster, "token", "--username=nobody-here")

    assert done.returncode == 1
    assert "no user" in done.stderr


def test_status_shows_every_shard_with_its_primary(cluster):
    done = _admin(cluster, "status", "--json")

    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    shards = status["shards"]
    assert sorted(shards) == sorted(cluster.shard_ids)
    for shard_id, state in shards.items():
        leader = state["primary"]["node"]
        assert state["epoch"] >= 1
        assert sorted(state["nodes"]) == sorted(cluster.node_ids)
        for node_id, node in state["nodes"].items():
            expected = "primary" if node_id == leader else "secondary"
            assert node["role"] == expected
            assert node["pid"] == cluster.shards[(shard_id, node_id)].pid
            assert node["lag"] >= 0
    routers = list(status["routers"].values())
    assert [router["pid"] for router in routers] == [cluster.router.pid]
    view = routers[0]["view"]
    for shard_id, state in shards.items():
        assert view[shard_id]["node"] == state["primary"]["node"]


def test_status_text_names_roles_and_the_routers_view(cluster):
    done = _admin(cluster, "status")

    assert done.returncode == 0, done.stderr
    assert "primary" in done.stdout and "secondary" in done.stdout
    assert "router " in done.stdout
    assert "(stale)" not in done.stdout


def test_force_primary_asks_for_consent_to_lose_writes(cluster):
    done = _admin(cluster, "force-primary", "--shard=s1", "--node=a")

    assert done.returncode == 2
    assert "--accept-data-loss" in done.stderr


@pytest.mark.parametrize(
    ("shard", "node", "message"),
    [
        ("s77", "a", "no shard s77"),
        ("s1", "a", "has a primary"),
    ],
)
def test_force_primary_refuses_where_it_is_not_needed(cluster, shard, node, message):
    before = _shard_roles(cluster, "s1")
    done = _admin(
        cluster,
        "force-primary",
        f"--shard={shard}",
        f"--node={node}",
        "--accept-data-loss",
    )

    assert done.returncode == 1
    assert message in done.stderr
    assert _shard_roles(cluster, "s1") == before


def _shard_roles(cluster, shard_id):
    state = clusterstate.read_state(cluster.zookeeper.hostport, cluster.zk_root)
    return state[shard_id]["primary"], sorted(state[shard_id]["insync"])


def test_handover_of_an_unknown_shard_fails_cleanly(cluster):
    done = _admin(cluster, "handover", "--shard=s77")

    assert done.returncode == 1
    assert "no primary" in done.stderr
