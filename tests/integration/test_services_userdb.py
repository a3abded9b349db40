"""Real MariaDB and ZooKeeper under notestore.services, and UserDB against them."""

import os
import socket
import subprocess
import sys
import threading
import uuid

import pymysql
import pytest
from kazoo.client import KazooClient

from notestore.passwords import verify_password
from notestore.services import (
    MariaDBServer,
    ServiceError,
    ServiceNotInstalled,
    ServiceNotReady,
    ZooKeeperServer,
    free_port,
    stop_stale,
)
from notestore.tokens import token_digest
from notestore.userdb import (
    UserDB,
    UserDBError,
    UserDBUnavailable,
    UserExists,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

READY_TIMEOUT_S = 60.0


def _live_pids_with_arg(arg):
    """Pids of live processes started with ``arg``; zombies have no cmdline."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                args = cmdline.read().split(b"\0")
        except (FileNotFoundError, NotADirectoryError, ProcessLookupError):
            continue
        if os.fsencode(arg) in args:
            pids.append(int(entry))
    return pids


def _start(service):
    try:
        service.start()
        service.wait_ready(READY_TIMEOUT_S)
    except ServiceError as exc:
        service.kill()
        pytest.fail(f"{service.name} did not start: {exc}\n{service.log_tail()}")
    return service


@pytest.fixture
def dump_logs_on_failure(request):
    """Collects services; prints their log tails if the test fails."""
    watched = []
    failed_before = request.session.testsfailed
    yield watched.append

    if request.session.testsfailed == failed_before:
        return
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    for service in watched:
        text = f"--- {service.name} log tail ({service.log_path}) ---\n"
        text += service.log_tail()
        if reporter is not None:
            reporter.write_line(text)
        else:
            print(text, file=sys.stderr)


def _mariadb_in(directory):
    return MariaDBServer(
        directory / "mariadb",
        free_port(),
        directory / "mariadb.sock",
        directory / "mariadb.log",
    )


@pytest.fixture(scope="module")
def shared_mariadb(tmp_path_factory):
    server = _mariadb_in(tmp_path_factory.mktemp("mariadb"))
    _start(server)
    yield server
    server.stop()


@pytest.fixture
def mariadb(shared_mariadb, dump_logs_on_failure):
    dump_logs_on_failure(shared_mariadb)
    return shared_mariadb


def _fresh_userdb(server, **options):
    """A UserDB on a database and account of its own, migrated."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    server.ensure_database(name, name, "pw-" + name)
    userdb = UserDB("127.0.0.1", server.port, name, "pw-" + name, name, **options)
    userdb.migrate()
    return userdb


@pytest.fixture
def userdb(mariadb):
    db = _fresh_userdb(mariadb)
    yield db
    db.close()


@pytest.fixture
def zookeeper(tmp_path, dump_logs_on_failure):
    server = ZooKeeperServer(tmp_path / "zk", free_port(), tmp_path / "zk.log")
    dump_logs_on_failure(server)
    yield server
    server.stop()


@pytest.fixture
def kazoo_factory():
    clients = []

    def connect(hostport):
        client = KazooClient(hosts=hostport, timeout=5.0)
        clients.append(client)
        client.start(timeout=15)
        return client

    yield connect
    for client in clients:
        client.stop()
        client.close()


def test_migrate_twice_keeps_one_schema_version(userdb, mariadb):
    assert userdb.migrate() == 1
    assert userdb.migrate() == 1

    connection = pymysql.connect(database=userdb.database, **mariadb.connect_params)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT version FROM schema_version")
        assert cursor.fetchall() == ((1,),)
        cursor.execute("SHOW TABLES")
        tables = {row[0] for row in cursor.fetchall()}
    assert {"users", "revoked_tokens", "schema_version"} <= tables


def test_create_then_look_up_user(userdb):
    created = userdb.create_user("alice", "a@example.com", "Alice", "s3cret", "s1")

    by_name = userdb.user_by_username("alice")
    by_id = userdb.user_by_id(created.id)

    assert by_name == created == by_id
    assert (created.username, created.email, created.name) == (
        "alice",
        "a@example.com",
        "Alice",
    )
    assert (created.shard_id, created.privilege, created.active) == ("s1", 1, True)
    assert created.created_ms == created.updated_ms > 1_600_000_000_000
    assert verify_password("s3cret", created.password_hash)
    assert created.password_hash not in repr(created)


def test_lookup_misses_return_none_and_names_ignore_case(userdb):
    userdb.create_user("bob", "b@example.com", "Bob", "pw", "s1", privilege=3)

    assert userdb.user_by_username("nobody") is None
    assert userdb.user_by_id(999_999) is None
    assert userdb.user_by_username("BOB").privilege == 3


def test_duplicate_username_raises_user_exists(userdb):
    userdb.create_user("carol", "c@example.com", "Carol", "pw", "s1")

    with pytest.raises(UserExists) as raised:
        userdb.create_user("carol", "other@example.com", "Other", "pw", "s2")
    with pytest.raises(UserExists):
        userdb.create_user("Carol", "other@example.com", "Other", "pw", "s2")

    assert isinstance(raised.value.__cause__, pymysql.err.IntegrityError)
    assert userdb.user_by_username("carol").shard_id == "s1"


def test_user_counts_by_shard(userdb):
    assert userdb.user_counts_by_shard() == {}
    for index, shard_id in enumerate(["s1", "s2", "s2", "s3", "s2"]):
        userdb.create_user(f"user{index}", "", "", "pw", shard_id)

    assert userdb.user_counts_by_shard() == {"s1": 1, "s2": 3, "s3": 1}


def test_revocation_is_recorded_once_and_paged_in_order(userdb):
    hashes = [token_digest(f"S=s1:U=1:token-{index}") for index in range(5)]
    for token_hash in hashes:
        userdb.revoke_token(token_hash, 1, 2_000_000_000_000)
    userdb.revoke_token(hashes[0], 1, 2_000_000_000_000)  # idempotent

    first, last_id = userdb.revoked_since(0, limit=3)
    rest, last_id = userdb.revoked_since(last_id, limit=3)
    none, final_id = userdb.revoked_since(last_id)

    assert first + rest == hashes
    assert (none, final_id) == ([], last_id)
    assert userdb.is_revoked(hashes[2])
    assert not userdb.is_revoked(token_digest("never revoked"))


def test_revoke_refuses_a_raw_token(userdb):
    with pytest.raises(ValueError):
        userdb.revoke_token("S=s1:U=1:E=0:H=abc", 1, 0)

    assert userdb.revoked_since(0) == ([], 0)


def test_pool_serves_many_threads(mariadb):
    db = _fresh_userdb(mariadb, pool_size=2)
    user = db.create_user("dave", "", "", "pw", "s1")
    errors, found = [], []

    def look_up():
        try:
            found.extend(db.user_by_id(user.id) for _ in range(20))
        except UserDBError as exc:  # collected so the assertion shows it
            errors.append(exc)

    threads = [threading.Thread(target=look_up) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.close()

    assert errors == []
    assert found == [user] * 120


def test_wrong_password_is_an_error_not_unavailability(mariadb, userdb):
    name = userdb.database
    wrong = UserDB("127.0.0.1", mariadb.port, name, "wrong", name)

    with pytest.raises(UserDBError) as raised:
        wrong.user_by_id(1)

    assert not isinstance(raised.value, UserDBUnavailable)
    assert isinstance(raised.value.__cause__, pymysql.err.OperationalError)


def test_userdb_unavailable_while_mariadb_is_down(tmp_path, dump_logs_on_failure):
    server = _mariadb_in(tmp_path)
    dump_logs_on_failure(server)
    try:
        _start(server)
        db = _fresh_userdb(server, connect_timeout_s=2.0)
        db.create_user("erin", "", "", "pw", "s1")
        server.stop()

        # The pooled connection is dead, then a new one is refused.
        for _ in range(2):
            with pytest.raises(UserDBUnavailable) as raised:
                db.user_by_username("erin")
            assert isinstance(raised.value.__cause__, pymysql.err.MySQLError)

        _start(server)
        assert db.user_by_username("erin").shard_id == "s1"
    finally:
        server.stop()

    assert _live_pids_with_arg(f"--datadir={server.data_dir}") == []
    assert not server.pid_file.exists()


def test_mariadb_wait_ready_reports_early_exit(tmp_path, dump_logs_on_failure):
    server = _mariadb_in(tmp_path)
    dump_logs_on_failure(server)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", server.port))
        squatter.listen()
        server.start()
        try:
            with pytest.raises(ServiceNotReady, match="exited"):
                server.wait_ready(READY_TIMEOUT_S)
        finally:
            server.stop()

    assert "Address already in use" in server.log_tail()


def test_zookeeper_round_trip_survives_restart_and_kill(zookeeper, kazoo_factory):
    _start(zookeeper)
    client = kazoo_factory(zookeeper.hostport)
    client.create("/notestore/probe", b"hello", makepath=True)
    assert client.get("/notestore/probe")[0] == b"hello"
    client.stop()

    zookeeper.stop()
    assert _live_pids_with_arg(str(zookeeper.config_path)) == []
    _start(zookeeper)
    client = kazoo_factory(zookeeper.hostport)
    assert client.get("/notestore/probe")[0] == b"hello"
    client.set("/notestore/probe", b"after restart")
    client.stop()

    zookeeper.kill()
    _start(zookeeper)
    client = kazoo_factory(zookeeper.hostport)
    assert client.get("/notestore/probe")[0] == b"after restart"


def test_zookeeper_stop_leaves_no_process_or_pid_file(zookeeper):
    _start(zookeeper)
    pid = zookeeper.pid
    assert zookeeper.pid_file.read_text().split("\n")[0] == str(pid)

    zookeeper.stop()

    assert zookeeper.pid is None
    assert _live_pids_with_arg(str(zookeeper.config_path)) == []
    assert not zookeeper.pid_file.exists()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", zookeeper.port), timeout=1).close()


def test_start_after_a_crashed_run_replaces_the_leftover(zookeeper, kazoo_factory):
    _start(zookeeper)
    leftover_pid = zookeeper.pid
    # A second supervisor on the same data dir, as after the first one died.
    successor = ZooKeeperServer(zookeeper.data_dir, zookeeper.port, zookeeper.log_path)
    try:
        _start(successor)
        zookeeper.stop()  # reaps the leftover, our child, which is gone already

        assert _live_pids_with_arg(str(zookeeper.config_path)) == [successor.pid]
        assert successor.pid != leftover_pid
        assert successor.pid_file.read_text().split("\n")[0] == str(successor.pid)
        assert kazoo_factory(successor.hostport).exists("/") is not None
    finally:
        successor.stop()


def test_stop_stale_spares_an_unrelated_process(tmp_path):
    pid_file = tmp_path / "zk.pid"
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        pid_file.write_text(f"{sleeper.pid}\n{tmp_path / 'zk' / 'zoo.cfg'}\n")
        assert stop_stale(pid_file) is False
        assert sleeper.poll() is None
        assert not pid_file.exists()
    finally:
        sleeper.kill()
        sleeper.wait()

    pid_file.write_text(f"{sleeper.pid}\nsleep\n")  # matches, but has exited
    assert stop_stale(pid_file) is False
    assert stop_stale(tmp_path / "missing.pid") is False


def test_missing_binary_names_the_debian_package(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr("notestore.services._EXTRA_BIN_DIRS", ())
    server = _mariadb_in(tmp_path)

    with pytest.raises(ServiceNotInstalled, match="mariadb-server"):
        server.start()

    assert server.pid is None
    assert not (tmp_path / "mariadb").exists()
