"""``notestore-cluster`` (what ``make run-cluster`` runs): up, Ctrl-C, again.

Also after a crash: the launcher SIGKILLed, its children must not linger and
the next run must start cleanly on the same state directory.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from notestore import clusterstate
from notestore.client import connect
from notestore.edam import Types

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

START_TIMEOUT_S = 120
STOP_TIMEOUT_S = 60
ENML = '<?xml version="1.0" encoding="UTF-8"?><en-note>kept across runs</en-note>'


def _launch(var):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "notestore.cluster",
            f"--var={var}",
            "--zookeeper-port=0",
            "--mysql-port=0",
            "--http-port=0",
            "--tcp-port=0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_described(launcher, var, stale=None):
    """Wait for cluster.json: the launcher writes it once all is up.

    ``stale`` is what a crashed earlier run left there; the new run replaces
    it, and only its own description counts.
    """
    path = var / "cluster.json"
    deadline = time.monotonic() + START_TIMEOUT_S
    while not path.exists() or _read_json(path) in (None, stale):
        if launcher.poll() is not None:
            pytest.fail(f"launcher exited early:\n{launcher.stdout.read()}")
        if time.monotonic() > deadline:
            launcher.kill()
            pytest.fail("cluster.json did not appear")
        time.sleep(0.1)
    return json.loads(path.read_text())


def _read_json(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _processes_under(var):
    """Pids of live processes whose command line names the state directory."""
    needle = os.fsencode(str(var))
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except OSError:
            continue
        if needle in cmdline and int(entry) != os.getpid():
            pids.append(int(entry))
    return pids


def _wait_no_processes(var):
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _processes_under(var):
        assert time.monotonic() < deadline, _processes_under(var)
        time.sleep(0.1)


def _tcp(info):
    host, port = info["router_tcp"].rsplit(":", 1)
    return host, int(port)


def test_cluster_json_describes_a_working_cluster(tmp_path):
    var = tmp_path / "var"
    launcher = _launch(var)
    try:
        info = _wait_described(launcher, var)
        for key in ("userstore_url", "notestore_url_template", "router_tcp"):
            assert key in info
        assert "{shard}" in info["notestore_url_template"]
        assert info["zk_root"] == "/notestore"
        assert {"host", "port", "user", "database"} <= info["mysql"].keys()
        demo = info["users"][0]
        assert {"username", "password", "token", "shard"} <= demo.keys()

        with connect(*_tcp(info), token=demo["token"]) as session:
            note = session.note_store.createNote(Types.Note(title="t", content=ENML))
            user_id = session.user_store.getUser().id
    finally:
        launcher.send_signal(signal.SIGINT)
        launcher.wait(STOP_TIMEOUT_S)

    assert launcher.returncode == 0
    _wait_no_processes(var)
    assert not (var / "cluster.json").exists()

    # A second run on the same directory: same demo user, same data.
    launcher = _launch(var)
    try:
        info = _wait_described(launcher, var)
        demo_again = info["users"][0]
        assert demo_again["password"] == demo["password"]
        with connect(*_tcp(info), token=demo_again["token"]) as session:
            assert session.user_store.getUser().id == user_id
            assert session.note_store.getNoteContent(note.guid) == ENML
    finally:
        launcher.send_signal(signal.SIGINT)
        launcher.wait(STOP_TIMEOUT_S)
    assert launcher.returncode == 0


def test_a_run_after_a_crash_starts_cleanly(tmp_path):
    var = tmp_path / "var"
    launcher = _launch(var)
    first = _wait_described(launcher, var)

    launcher.kill()
    launcher.wait()
    # Children learn of the launcher's death from the kernel (SIGTERM).
    _wait_no_processes(var)

    launcher = _launch(var)
    try:
        info = _wait_described(launcher, var, stale=first)
        with connect(*_tcp(info), token=info["users"][0]["token"]) as session:
            assert session.user_store.getUser().username == "demo"
        assert info["users"][0]["password"] == first["users"][0]["password"]
    finally:
        launcher.send_signal(signal.SIGINT)
        launcher.wait(STOP_TIMEOUT_S)
    assert launcher.returncode == 0
    _wait_no_processes(var)


def test_a_killed_node_is_restarted_and_rejoins_its_shard(tmp_path):
    var = tmp_path / "var"
    launcher = _launch(var)
    try:
        info = _wait_described(launcher, var)
        shard = info["users"][0]["shard"]
        before = _shard_state(info, shard)
        old = before["primary"]["node"]
        old_pid = before["nodes"][old]["pid"]

        os.kill(old_pid, signal.SIGKILL)

        state = _wait_shard(
            info,
            shard,
            lambda state: state["primary"]
            and state["primary"]["node"] != old
            and state["nodes"].get(old, {}).get("pid") not in (None, old_pid)
            and state["nodes"][old].get("role") == "secondary"
            and old in state["insync"],
        )
        new = state["primary"]["node"]
        with connect(*_tcp(info), token=info["users"][0]["token"]) as session:
            session.note_store.createNote(Types.Note(title="after", content=ENML))
        _wait_shard(  # the restarted node holds that write too
            info,
            shard,
            lambda state: state["nodes"][new]["lsn"] > before["nodes"][old]["lsn"]
            and state["nodes"][old]["lsn"] == state["nodes"][new]["lsn"],
        )
    finally:
        launcher.send_signal(signal.SIGINT)
        launcher.wait(STOP_TIMEOUT_S)
    assert launcher.returncode == 0
    assert f"shard-{shard}-{old} exited (status -9); restarting it" in (
        launcher.stdout.read()
    )
    _wait_no_processes(var)


def _shard_state(info, shard):
    return clusterstate.read_state(info["zookeeper"], info["zk_root"])[shard]


def _wait_shard(info, shard, condition):
    deadline = time.monotonic() + START_TIMEOUT_S
    while not condition(state := _shard_state(info, shard)):
        assert time.monotonic() < deadline, state
        time.sleep(0.1)
    return state
