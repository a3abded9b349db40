"""A whole NoteStore cluster on one machine, and ``notestore-cluster``.

`Cluster` starts ZooKeeper, a private MariaDB, the shard nodes and the
router as child processes under one base directory, waits until each one
serves, and stops them in reverse order. ``make run-cluster`` runs it in the
foreground under ``var/`` with fixed ports; the integration tests run it on
free ports in a temporary directory.

Layout of the base directory::

    log/         one log file per process
    run/         ready files, the MariaDB socket
    zookeeper/   mariadb/   shards/<shard>-<node>/
    secret       the cluster secret that signs tokens (created once, 0600)
    mysql-password
    cluster.json what a client needs: URLs, ports and the demo user's token
"""

import argparse
import dataclasses
import json
import logging
import math
import os
import secrets
import signal
import sys
import threading
import time
from pathlib import Path

from notestore import clusterstate, services
from notestore.tokens import TokenSigner
from notestore.userdb import UserDB

__all__ = ["Cluster", "ClusterPorts", "DaemonProcess", "main"]

log = logging.getLogger(__name__)

DEMO_USERNAME = "demo"
DEVELOPER_TOKEN_LIFETIME_S = 365 * 24 * 3600
_DB_NAME = "notestore"
_DB_USER = "notestore"


class DaemonProcess(services.ManagedProcess):
    """One of our own daemons (router or shard node) as a child process.

    It is ready once it has written its ready file: it does so only after
    it listens and has registered wherever it must.
    """

    def __init__(self, name, module, arguments, base_dir, env=None):
        super().__init__(
            Path(base_dir) / "run" / name, Path(base_dir) / "log" / f"{name}.log"
        )
        self.name = name
        self._module = module
        self._arguments = list(arguments)
        self._env = env
        self.ready_file = Path(base_dir) / "run" / f"{name}.ready"

    @property
    def info(self):
        """The ready file's content: pid and bound ports."""
        return json.loads(self.ready_file.read_text())

    @property
    def port(self):
        return self.info.get("port") or self.info.get("http_port")

    def pause(self):
        """SIGSTOP the daemon, as a stalled machine would look."""
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.pid, signal.SIGCONT)

    def _prepare(self):
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.ready_file.unlink(missing_ok=True)
        return [
            sys.executable,
            "-m",
            self._module,
            *self._arguments,
            f"--ready-file={self.ready_file}",
            f"--log-file={self.log_path}",
        ]

    def _marker(self):
        return f"--ready-file={self.ready_file}"

    def _probe(self):
        return None if self.ready_file.exists() else "no ready file yet"


@dataclasses.dataclass(frozen=True)
class ClusterPorts:
    """Ports of the cluster's listeners; 0 means "pick a free one"."""

    zookeeper: int = 0
    mysql: int = 0
    http: int = 0
    tcp: int = 0


class Cluster:
    """Starts, describes and stops one local cluster.

    ``start`` blocks until every process serves and raises
    ``services.ServiceError`` (with the failing process's log path) if one
    does not. ``stop`` is safe to call at any point, also after a failed
    start.
    """

    def __init__(
        self,
        base_dir,
        ports=None,
        shards=("s1", "s2"),
        nodes=("a", "b"),
        session_timeout_s=1.0,
        zk_root="/notestore",
        public_url=None,
        shard_options=(),
        router_options=(),
    ):
        self.base_dir = Path(base_dir).absolute()
        self._ports = ports or ClusterPorts()
        self.shard_ids = tuple(shards)
        self.node_ids = tuple(nodes)
        self.session_timeout_s = session_timeout_s
        self.zk_root = zk_root
        self._public_url = public_url
        self._shard_options = list(shard_options)
        self._router_options = list(router_options)
        self.zookeeper = None
        self.mariadb = None
        self.shards = {}  # (shard, node) -> DaemonProcess
        self.router = None

    # Lifetime

    def start(self, timeout_s=120):
        for sub in ("log", "run", "shards"):
            (self.base_dir / sub).mkdir(parents=True, exist_ok=True)
        self.secret_file = _ensure_secret(self.base_dir / "secret", 32)
        self.mysql_password_file = _ensure_secret(self.base_dir / "mysql-password", 16)
        self._start_dependencies(timeout_s)
        for shard_id in self.shard_ids:
            for node_id in self.node_ids:
                self.start_node(shard_id, node_id, wait=False)
        for node in self.shards.values():
            node.wait_ready(timeout_s)
        self.start_router(timeout_s)

    def stop(self):
        if self.router is not None:
            self.router.stop()
        for node in self.shards.values():
            node.stop()
        for dependency in (self.mariadb, self.zookeeper):
            if dependency is not None:
                dependency.stop()

    def _start_dependencies(self, timeout_s):
        base = self.base_dir
        self.zookeeper = services.ZooKeeperServer(
            base / "zookeeper",
            self._ports.zookeeper or services.free_port(),
            base / "log" / "zookeeper.log",
        )
        self.mariadb = services.MariaDBServer(
            base / "mariadb",
            self._ports.mysql or services.free_port(),
            base / "run" / "mariadb.sock",
            base / "log" / "mariadb.log",
        )
        self.zookeeper.start()
        self.mariadb.start()
        self.zookeeper.wait_ready(timeout_s)
        self.mariadb.wait_ready(timeout_s)
        password = self.mysql_password_file.read_text().strip()
        self.mariadb.ensure_database(_DB_NAME, _DB_USER, password)

    def start_node(self, shard_id, node_id, wait=True, timeout_s=60):
        """Start (or restart) one shard node; by default wait until it serves."""
        name = f"{shard_id}-{node_id}"
        node = self.shards.get((shard_id, node_id))
        if node is None:
            arguments = [
                f"--shard={shard_id}",
                f"--node={node_id}",
                f"--data-dir={self.base_dir / 'shards' / name}",
                f"--session-timeout={self.session_timeout_s}",
                *self._shard_options,
                *self._common_arguments(),
            ]
            node = DaemonProcess(
                f"shard-{name}", "shard.main", arguments, self.base_dir
            )
            self.shards[(shard_id, node_id)] = node
        node.start()
        if wait:
            node.wait_ready(timeout_s)
        return node

    def start_router(self, timeout_s=60):
        if self.router is None:
            arguments = [
                f"--http-port={self._ports.http}",
                f"--tcp-port={self._ports.tcp}",
                f"--mysql-port={self.mariadb.port}",
                f"--mysql-user={_DB_USER}",
                f"--mysql-database={_DB_NAME}",
                f"--mysql-password-file={self.mysql_password_file}",
                *self._common_arguments(),
            ]
            if self._public_url:
                arguments.append(f"--public-url={self._public_url}")
            arguments.extend(self._router_options)
            self.router = DaemonProcess(
                "router", "router.main", arguments, self.base_dir
            )
        self.router.start()
        self.router.wait_ready(timeout_s)
        return self.router

    def _common_arguments(self):
        return [
            f"--zookeeper={self.zookeeper.hostport}",
            f"--zk-root={self.zk_root}",
            f"--secret-file={self.secret_file}",
        ]

    # What clients need

    def userdb(self):
        return UserDB(
            host="127.0.0.1",
            port=self.mariadb.port,
            user=_DB_USER,
            password=self.mysql_password_file.read_text().strip(),
            database=_DB_NAME,
        )

    def create_user(self, username, password, email=None, shard_id=None):
        """Create a user (or find the existing one) and return (user, token).

        The user lands on ``shard_id`` or on the least full shard with a
        primary; the token is a long-lived developer token.
        """
        userdb = self.userdb()
        try:
            userdb.migrate()
            user = userdb.user_by_username(username)
            if user is None:
                if shard_id is None:
                    state = clusterstate.read_state(
                        self.zookeeper.hostport, self.zk_root
                    )
                    counts = userdb.user_counts_by_shard()
                    shard_id = clusterstate.least_full_shard(state, counts)
                user = userdb.create_user(
                    username,
                    email or f"{username}@example.com",
                    username,
                    password,
                    shard_id,
                )
        finally:
            userdb.close()
        signer = TokenSigner(self.secret_file.read_bytes().strip())
        token = signer.issue(
            user.shard_id, user.id, DEVELOPER_TOKEN_LIFETIME_S, app="notestore-devtoken"
        )
        return user, token

    def describe(self, users=()):
        """The cluster as ``cluster.json`` records it."""
        router = self.router.info
        public_url = router["public_url"]
        return {
            "userstore_url": f"{public_url}/edam/user",
            "notestore_url_template": f"{public_url}/shard/{{shard}}/notestore",
            "router_http": f"{router['host']}:{router['http_port']}",
            "router_tcp": f"{router['host']}:{router['tcp_port']}",
            "zookeeper": self.zookeeper.hostport,
            "zk_root": self.zk_root,
            "mysql": {
                "host": "127.0.0.1",
                "port": self.mariadb.port,
                "user": _DB_USER,
                "database": _DB_NAME,
                "password_file": str(self.mysql_password_file),
            },
            "secret_file": str(self.secret_file),
            "router": router,
            "shards": {
                f"{shard}-{node}": process.info
                for (shard, node), process in self.shards.items()
            },
            "users": list(users),
            "log_dir": str(self.base_dir / "log"),
        }


def _ensure_secret(path, size):
    """Create ``path`` with a random secret once; later runs reuse it."""
    if not path.exists():
        staging = path.with_name(path.name + ".tmp")
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(size) + "\n")
        os.replace(staging, path)
    return path


# notestore-cluster


def main(argv=None):
    args = _parse_args(argv)
    logging.basicConfig(level="INFO", format="%(asctime)s %(message)s")
    # The launcher's own short ZooKeeper sessions are not news to the operator.
    logging.getLogger("kazoo.client").setLevel("WARNING")
    ports = ClusterPorts(
        args.zookeeper_port, args.mysql_port, args.http_port, args.tcp_port
    )
    cluster = Cluster(
        args.var,
        ports,
        shards=args.shards.split(","),
        nodes=args.nodes.split(","),
        session_timeout_s=args.session_timeout,
        public_url=args.public_url,
        shard_options=[f"--ack-mode={args.ack_mode}"],
    )
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    # What a previous run described is stale until this run is up.
    (cluster.base_dir / "cluster.json").unlink(missing_ok=True)
    try:
        cluster.start()
        _announce(cluster)
        supervisor = _Supervisor(cluster, restart=not args.no_restart)
        while not stopping.wait(_SUPERVISE_INTERVAL_S):
            supervisor.check()
    except services.ServiceError as exc:
        print(f"notestore-cluster: {exc}", file=sys.stderr)
        return 1
    finally:
        print("stopping the cluster ...", file=sys.stderr)
        cluster.stop()
        (cluster.base_dir / "cluster.json").unlink(missing_ok=True)
    return 0


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="notestore-cluster",
        description="Run a whole NoteStore cluster on this machine until Ctrl-C.",
    )
    parser.add_argument("--var", type=Path, default=Path("var"), help="state directory")
    parser.add_argument("--zookeeper-port", type=int, default=12181)
    parser.add_argument("--mysql-port", type=int, default=13306)
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument("--tcp-port", type=int, default=9090)
    parser.add_argument(
        "--public-url", help="base URL clients use (default http://127.0.0.1:HTTP)"
    )
    parser.add_argument("--shards", default="s1,s2")
    parser.add_argument(
        "--nodes", default="a,b", help="node ids per shard, comma-separated"
    )
    parser.add_argument(
        "--session-timeout",
        type=float,
        default=1.0,
        help="ZooKeeper session timeout of the shard nodes, seconds",
    )
    parser.add_argument(
        "--ack-mode", choices=("sync", "async"), default="sync", help="for every shard"
    )
    parser.add_argument(
        "--no-restart",
        action="store_true",
        help="leave a router or shard node that dies down instead of restarting it",
    )
    args = parser.parse_args(argv)
    for name in ("zookeeper_port", "mysql_port", "http_port", "tcp_port"):
        if not 0 <= getattr(args, name) <= 65535:
            parser.error(f"--{name.replace('_', '-')} is out of range")
    return args


def _announce(cluster):
    password_file = cluster.base_dir / "demo-password"
    _ensure_secret(password_file, 8)
    password = password_file.read_text().strip()
    user, token = cluster.create_user(DEMO_USERNAME, password)
    demo = {
        "username": user.username,
        "password": password,
        "token": token,
        "shard": user.shard_id,
    }
    info = cluster.describe([demo])
    note_store_url = info["notestore_url_template"].format(shard=user.shard_id)
    path = cluster.base_dir / "cluster.json"
    path.write_text(json.dumps(info, indent=2) + "\n")
    os.chmod(path, 0o600)
    print(
        f"\nNoteStore is running.\n"
        f"  UserStore URL:   {info['userstore_url']}\n"
        f"  NoteStore URL:   {note_store_url}\n"
        f"  framed TCP:      {info['router_tcp']}\n"
        f"  ZooKeeper:       {info['zookeeper']} (root {info['zk_root']})\n"
        f"  demo user:       {user.username} / {password} on {user.shard_id}\n"
        f"  demo token:      {token}\n"
        f"  all of the above: {path}\n"
        f"  logs:            {cluster.base_dir / 'log'}\n"
        f"Press Ctrl-C to stop.\n",
        flush=True,
    )


_SUPERVISE_INTERVAL_S = 0.2
_FIRST_RESTART_DELAY_S = 1.0
_MAX_RESTART_DELAY_S = 30.0
# A daemon that dies sooner than this after a restart is crash-looping.
_HEALTHY_RUN_S = 10.0


class _Supervisor:
    """Restarts the router and shard nodes when they die, as an init system
    would, so that a node killed by hand comes back and rejoins its shard.

    The first restart comes a second after the exit; a daemon that dies
    again within ten seconds of a restart waits twice as long each time, up
    to thirty seconds. With ``restart`` off it only reports each exit.
    """

    def __init__(self, cluster, restart):
        self._cluster = cluster
        self._restart = restart
        self._due = {}  # name -> monotonic time of its restart
        self._delay_s = {}  # name -> the delay its next restart waits
        self._started = {}  # name -> monotonic time of its last restart

    def check(self):
        now = time.monotonic()
        for process in [self._cluster.router, *self._cluster.shards.values()]:
            if process is None or not process.exited:
                continue
            if process.name not in self._due:
                self._schedule(process, now)
            elif now >= self._due[process.name]:
                self._start(process, now)
        for process in (self._cluster.zookeeper, self._cluster.mariadb):
            if process.exited and process.name not in self._due:
                self._due[process.name] = math.inf
                log.warning(
                    "%s exited (status %s) and is not restarted; see %s",
                    process.name,
                    process.exit_status,
                    process.log_path,
                )

    def _schedule(self, process, now):
        name = process.name
        if not self._restart:
            self._due[name] = math.inf
            log.warning(
                "%s exited (status %s); see %s",
                name,
                process.exit_status,
                process.log_path,
            )
            return
        delay_s = _FIRST_RESTART_DELAY_S
        if now - self._started.get(name, -math.inf) < _HEALTHY_RUN_S:
            doubled_s = 2 * self._delay_s.get(name, _FIRST_RESTART_DELAY_S)
            delay_s = min(doubled_s, _MAX_RESTART_DELAY_S)
        self._delay_s[name] = delay_s
        self._due[name] = now + delay_s
        log.warning(
            "%s exited (status %s); restarting it in %.0f s; see %s",
            name,
            process.exit_status,
            delay_s,
            process.log_path,
        )

    def _start(self, process, now):
        del self._due[process.name]
        self._started[process.name] = now
        try:
            process.start()
        except services.ServiceError as exc:
            log.warning("cannot restart %s: %s", process.name, exc)


if __name__ == "__main__":
    sys.exit(main())
