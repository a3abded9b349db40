"""Run ZooKeeper and MariaDB as supervised child processes.

Used by ``make run-cluster`` (ports chosen by the operator, data under
``var/``) and by the integration tests (free ports, temporary directories).

Every child runs in its own process group, so stop() and kill() reach
everything it spawned, and asks the kernel for SIGTERM when its parent dies,
so a crashed test run leaves nothing listening. Each start writes a pid file
next to the data directory; the next start() on that directory stops a
leftover process recorded there, which is what makes a second run after a
crash work.

Exceptions::

    ServiceError            root of everything raised here
    +-- ServiceNotInstalled a binary is missing; names the Debian package
    +-- ServiceNotReady     the process died or missed its readiness deadline
"""

import collections
import contextlib
import logging
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pymysql

__all__ = [
    "ManagedProcess",
    "MariaDBServer",
    "ServiceError",
    "ServiceNotInstalled",
    "ServiceNotReady",
    "ZooKeeperServer",
    "free_port",
    "stop_stale",
]

log = logging.getLogger(__name__)

# Debian installs daemons under sbin, which non-login root shells and CI
# runners often leave off PATH.
_EXTRA_BIN_DIRS = ("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin")
_ZOOKEEPER_JARS = (
    ("/usr/share/java/zookeeper.jar", "zookeeper"),
    ("/usr/share/java/slf4j-simple.jar", "libslf4j-java"),
)
_POLL_INTERVAL_S = 0.05
_STOP_TIMEOUT_S = 30.0
# sun_path in struct sockaddr_un holds 108 bytes including the NUL.
_MAX_SOCKET_PATH_BYTES = 107


class ServiceError(Exception):
    """Root of the errors raised while managing an external service."""


class ServiceNotInstalled(ServiceError):
    """A binary or jar is missing; the message names the package to install."""


class ServiceNotReady(ServiceError):
    """The service exited or did not become ready before its deadline."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_stale(pid_file, timeout_s: float = 10.0) -> bool:
    """Stop the process a previous run recorded in ``pid_file``, if still there.

    The file holds a pid and a marker, one argument the process was started
    with (its config path or data dir). The process is signalled only if
    /proc/<pid>/cmdline still carries that marker, so a recycled pid is left
    alone. Blocks up to ``timeout_s`` for SIGTERM, then sends SIGKILL. Removes
    the pid file. Returns True if a process was stopped.
    """
    pid_file = Path(pid_file)
    recorded = _read_pid_file(pid_file)
    if recorded is None:
        return False

    pid, marker = recorded
    stopped = _process_alive(pid) and marker in _cmdline(pid)
    if stopped:
        log.warning("stopping leftover process %s from a previous run", pid)
        _terminate_foreign(pid, timeout_s)
    pid_file.unlink(missing_ok=True)
    return stopped


class ManagedProcess:
    """One child process in its own process group, with a pid file and a log."""

    name = "service"

    def __init__(self, data_dir, log_path):
        self.data_dir = Path(data_dir).absolute()
        self.log_path = Path(log_path).absolute()
        self._process = None

    @property
    def pid(self):
        """The child's pid, or None when it is not running."""
        return self._process.pid if self.running else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def exited(self) -> bool:
        """True once a started process has died on its own."""
        return self._process is not None and self._process.poll() is not None

    @property
    def exit_status(self):
        """The exit status of a process that has exited (-N for signal N)."""
        return self._process.returncode if self._process is not None else None

    @property
    def pid_file(self) -> Path:
        return self.data_dir.with_name(self.data_dir.name + ".pid")

    def start(self) -> None:
        """Start the process without waiting for it to serve.

        Stops a leftover process recorded in the pid file first. Blocks on
        that and on one-time preparation (MariaDB's first initialisation).
        Raises ServiceNotInstalled or ServiceError. Call wait_ready() next.
        """
        if self.running:
            raise ServiceError(f"{self.name} is already running (pid {self.pid})")
        stop_stale(self.pid_file)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        argv = self._prepare()

        self._process = _spawn(argv, self.log_path)
        _write_pid_file(self.pid_file, self._process.pid, self._marker())
        log.info(
            "started %s, pid %s, log %s", self.name, self._process.pid, self.log_path
        )

    def wait_ready(self, timeout_s: float = 30.0) -> None:
        """Block until the service answers, polling every 50 ms.

        Raises ServiceNotReady if the process exits or ``timeout_s`` passes.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            self._check_alive()
            last_error = self._probe()
            if last_error is None:
                log.info("%s is ready on port %s", self.name, self.port)
                return
            if time.monotonic() >= deadline:
                raise ServiceNotReady(
                    f"{self.name} not ready after {timeout_s:.1f} s: {last_error};"
                    f" see {self.log_path}"
                )
            time.sleep(_POLL_INTERVAL_S)

    def stop(self, timeout_s: float = _STOP_TIMEOUT_S) -> None:
        """Stop the process group: SIGTERM, then SIGKILL after ``timeout_s``.

        Blocks until the child is reaped. A no-op when not started.
        """
        if self._process is None:
            return
        _signal_group(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            log.warning("%s ignored SIGTERM for %.1f s, killing", self.name, timeout_s)
            _signal_group(self._process.pid, signal.SIGKILL)
            self._process.wait()
        self._forget_process()

    def kill(self) -> None:
        """SIGKILL the process group and reap the child, as a crash would."""
        if self._process is None:
            return
        _signal_group(self._process.pid, signal.SIGKILL)
        self._process.wait()
        self._forget_process()

    def log_tail(self, lines: int = 50) -> str:
        """Return the last ``lines`` lines of the service's log, for failure dumps."""
        try:
            with open(self.log_path, errors="replace") as log_file:
                return "".join(collections.deque(log_file, maxlen=lines))
        except FileNotFoundError:
            return f"(no log at {self.log_path})"

    def _forget_process(self) -> None:
        log.info("%s stopped, exit status %s", self.name, self._process.returncode)
        # A later start() may have adopted the data dir and rewritten the file.
        recorded = _read_pid_file(self.pid_file)
        if recorded is not None and recorded[0] == self._process.pid:
            self.pid_file.unlink(missing_ok=True)
        self._process = None

    def _check_alive(self) -> None:
        if self._process is None:
            raise ServiceNotReady(f"{self.name} was not started")
        if self._process.poll() is not None:
            raise ServiceNotReady(
                f"{self.name} exited with status {self._process.returncode};"
                f" see {self.log_path}"
            )

    def _prepare(self) -> list:
        """Make the data dir usable and return the argv to run."""
        raise NotImplementedError

    def _marker(self) -> str:
        """Return one argv element that identifies this instance's process."""
        raise NotImplementedError

    def _probe(self):
        """Return None when the service serves, else why it does not yet."""
        raise NotImplementedError


class ZooKeeperServer(ManagedProcess):
    """A standalone ZooKeeper from Debian's ``zookeeper`` jars.

    Clients may ask for session timeouts from two ticks up to
    ``max_session_timeout_ms``; ZooKeeper clamps anything outside. The short
    default tick lets a 1 s session expire about 1 s after its owner dies.
    """

    name = "zookeeper"

    def __init__(
        self,
        data_dir,
        port: int,
        log_path,
        tick_time_ms: int = 200,
        *,
        max_session_timeout_ms: int = 60_000,
        heap_mb: int = 256,
    ):
        super().__init__(data_dir, log_path)
        self.port = port
        self.tick_time_ms = tick_time_ms
        self.max_session_timeout_ms = max_session_timeout_ms
        self.heap_mb = heap_mb

    @property
    def hostport(self) -> str:
        """``host:port`` for KazooClient(hosts=...)."""
        return f"127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.data_dir / "zoo.cfg"

    def _prepare(self) -> list:
        java = _find_binary("java", "default-jre-headless")
        classpath = ":".join(
            _find_jar(path, package) for path, package in _ZOOKEEPER_JARS
        )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self._config_text())
        return [
            java,
            f"-Xmx{self.heap_mb}m",
            # A small ZooKeeper needs neither a large heap nor a parallel
            # collector, and several JVMs share a two-core machine in tests.
            "-XX:+UseSerialGC",
            "-cp",
            classpath,
            "org.apache.zookeeper.server.quorum.QuorumPeerMain",
            str(self.config_path),
        ]

    def _config_text(self) -> str:
        lines = [
            f"tickTime={self.tick_time_ms}",
            f"dataDir={self.data_dir}",
            f"clientPort={self.port}",
            "clientPortAddress=127.0.0.1",
            f"maxSessionTimeout={self.max_session_timeout_ms}",
            "admin.enableServer=false",
            "4lw.commands.whitelist=ruok,srvr,mntr",
            # Keep var/ from growing without bound on long-lived clusters.
            "autopurge.snapRetainCount=3",
            "autopurge.purgeInterval=1",
        ]
        return "\n".join(lines) + "\n"

    def _marker(self) -> str:
        return str(self.config_path)

    def _probe(self):
        # The client port opens before the database is loaded, and "ruok"
        # answers "imok" even then; "srvr" reports a Mode only once serving.
        try:
            if _four_letter_word(self.port, "ruok") != "imok":
                return "ruok not answered with imok"
            if "Mode: " not in _four_letter_word(self.port, "srvr"):
                return "srvr reports not serving yet"
        except OSError as exc:
            return f"{type(exc).__name__}: {exc}"
        return None


class MariaDBServer(ManagedProcess):
    """A private mariadbd with its own data dir, port and socket.

    Root has no password and connects over TCP from 127.0.0.1 or over the
    socket; the server never listens beyond loopback. Host names are not
    resolved, so grants name 127.0.0.1 and localhost explicitly.
    """

    name = "mariadb"

    def __init__(self, data_dir, port: int, socket_path, log_path, *, extra_args=()):
        super().__init__(data_dir, log_path)
        self.port = port
        self.socket_path = Path(socket_path).absolute()
        self.extra_args = tuple(extra_args)
        if len(os.fsencode(self.socket_path)) > _MAX_SOCKET_PATH_BYTES:
            raise ServiceError(f"socket path too long for AF_UNIX: {self.socket_path}")

    @property
    def connect_params(self) -> dict:
        """Keyword arguments for pymysql.connect() as root over loopback TCP."""
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "user": "root",
            "password": "",
            "ssl_disabled": True,
        }

    def ensure_database(self, name: str, user: str, password: str) -> None:
        """Create database ``name`` and ``user`` with all rights on it.

        Idempotent; a second call resets the password. The user may connect
        from 127.0.0.1 and localhost. Blocks on the server; raises
        ServiceError if it refuses or cannot be reached.
        """
        _check_identifier(name)
        _check_identifier(user)
        try:
            with _root_cursor(self.connect_params) as cursor:
                _create_database(cursor, name)
                for host in ("127.0.0.1", "localhost"):
                    _grant_user(cursor, name, user, host, password)
        except pymysql.err.MySQLError as exc:
            raise ServiceError(f"cannot create database {name}: {exc}") from exc
        log.info("database %s ready for user %s", name, user)

    def _prepare(self) -> list:
        mariadbd = _find_binary("mariadbd", "mariadb-server", ("mysqld",))
        if not _is_initialised(self.data_dir):
            self._initialise()
        self.socket_path.parent.mkdir(parents=True, exist_ok=True)
        return [
            mariadbd,
            "--no-defaults",
            f"--user={_current_user()}",
            f"--datadir={self.data_dir}",
            f"--socket={self.socket_path}",
            f"--port={self.port}",
            f"--pid-file={self.data_dir / 'mariadbd.pid'}",
            f"--tmpdir={_private_tmpdir(self.data_dir)}",
            "--bind-address=127.0.0.1",
            "--skip-name-resolve",
            *self.extra_args,
        ]

    def _initialise(self) -> None:
        # Initialise into a sibling and rename, so a crash part-way leaves no
        # half-built data dir that a later start would mistake for a real one.
        install_db = _find_binary(
            "mariadb-install-db", "mariadb-server", ("mysql_install_db",)
        )
        staging = self.data_dir.with_name(self.data_dir.name + ".init")
        shutil.rmtree(staging, ignore_errors=True)
        started = time.monotonic()
        _run_install_db(install_db, staging, self.log_path)

        if self.data_dir.exists():
            self.data_dir.rmdir()  # _is_initialised() allowed only an empty one
        staging.rename(self.data_dir)
        log.info("initialised %s in %.2f s", self.data_dir, time.monotonic() - started)

    def _marker(self) -> str:
        return f"--datadir={self.data_dir}"

    def _probe(self):
        try:
            connection = pymysql.connect(
                connect_timeout=1,
                read_timeout=1,
                write_timeout=1,
                **self.connect_params,
            )
        except pymysql.err.MySQLError as exc:
            return f"{type(exc).__name__}: {exc}"
        connection.close()
        return None


def _spawn(argv, log_path: Path) -> subprocess.Popen:
    with open(log_path, "ab") as log_file:
        return subprocess.Popen(
            _with_parent_death_signal(argv),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _with_parent_death_signal(argv: list) -> list:
    """Prefix ``argv`` so the child gets SIGTERM when our process dies.

    setpriv sets PR_SET_PDEATHSIG and execs, which keeps the setting; doing
    it in a preexec_fn instead is unsafe once kazoo has started threads. The
    kernel signals when the *thread* that forked exits, so start services
    from a thread that lives as long as they should.
    """
    setpriv = shutil.which("setpriv", path=_search_path())
    if setpriv is None:
        log.warning("setpriv (util-linux) missing: children may outlive us")
        return argv
    return [setpriv, "--pdeathsig", "TERM", *argv]


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass  # already gone; the caller reaps the leader


def _terminate_foreign(pid: int, timeout_s: float) -> None:
    """Stop a process that is not our child; its own parent reaps it."""
    # Our services lead their own group; signal the group only if that holds.
    send = _signal_group if _process_group(pid) == pid else _signal_pid
    for signum in (signal.SIGTERM, signal.SIGKILL):
        send(pid, signum)
        if _wait_gone(pid, timeout_s):
            return
    log.warning("leftover process %s survived SIGKILL for %.1f s", pid, timeout_s)


def _signal_pid(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass  # exited between the check and the signal


def _process_group(pid: int):
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _wait_gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while _process_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_INTERVAL_S)
    return True


def _process_alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    # The state follows the parenthesised command name, which may hold spaces.
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _cmdline(pid: int) -> list:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return []
    return [os.fsdecode(arg) for arg in raw.split(b"\0") if arg]


def _write_pid_file(pid_file: Path, pid: int, marker: str) -> None:
    staging = pid_file.with_name(pid_file.name + ".tmp")
    staging.write_text(f"{pid}\n{marker}\n")
    staging.replace(pid_file)


def _read_pid_file(pid_file: Path):
    """Return (pid, marker) from ``pid_file``, or None if absent or garbled."""
    try:
        pid_text, marker = pid_file.read_text().splitlines()[:2]
        return int(pid_text), marker
    except FileNotFoundError:
        return None
    except ValueError:
        log.warning("ignoring unreadable pid file %s", pid_file)
        pid_file.unlink(missing_ok=True)
        return None


def _find_binary(name: str, package: str, aliases=()) -> str:
    for candidate in (name, *aliases):
        found = shutil.which(candidate, path=_search_path())
        if found:
            return found
    raise ServiceNotInstalled(
        f"{name} not found on PATH or in {', '.join(_EXTRA_BIN_DIRS)};"
        f" install the Debian package {package}"
    )


def _search_path() -> str:
    return os.pathsep.join([os.environ.get("PATH", ""), *_EXTRA_BIN_DIRS])


def _find_jar(path: str, package: str) -> str:
    if not os.path.exists(path):
        raise ServiceNotInstalled(
            f"{path} not found; install the Debian package {package}"
        )
    return path


def _four_letter_word(port: int, word: str, timeout_s: float = 1.0) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as sock:
        sock.sendall(word.encode("ascii"))
        chunks = []
        while chunk := sock.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")


def _is_initialised(data_dir: Path) -> bool:
    if not data_dir.exists() or not any(data_dir.iterdir()):
        return False
    if (data_dir / "mysql").is_dir():
        return True
    raise ServiceError(
        f"{data_dir} is neither empty nor a MariaDB data dir; refusing to touch it"
    )


def _private_tmpdir(data_dir: Path) -> Path:
    # MariaDB names its temporary files after the process id; two servers
    # sharing /tmp (parallel test runs) have been seen to collide there.
    tmpdir = data_dir.with_name(data_dir.name + ".tmpdir")
    tmpdir.mkdir(parents=True, exist_ok=True)
    return tmpdir


def _run_install_db(install_db: str, data_dir: Path, log_path: Path) -> None:
    argv = [
        install_db,
        "--no-defaults",
        f"--user={_current_user()}",
        f"--datadir={data_dir}",
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        "--skip-name-resolve",
        f"--tmpdir={_private_tmpdir(data_dir)}",
    ]
    with open(log_path, "ab") as log_file:
        result = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            timeout=300,
            check=False,
        )
    if result.returncode != 0:
        raise ServiceError(
            f"mariadb-install-db failed with status {result.returncode}; see {log_path}"
        )


def _current_user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


def _check_identifier(name: str) -> None:
    # Identifiers cannot be bound as query parameters, so only plain ones
    # are allowed into the SQL text.
    if not re.fullmatch(r"[A-Za-z0-9_]{1,64}", name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")


@contextlib.contextmanager
def _root_cursor(params: dict):
    connection = pymysql.connect(autocommit=True, connect_timeout=5, **params)
    try:
        yield connection.cursor()
    finally:
        connection.close()


def _create_database(cursor, name: str) -> None:
    cursor.execute(
        f"CREATE DATABASE IF NOT EXISTS `{name}`"
        " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    )


def _grant_user(cursor, database: str, user: str, host: str, password: str) -> None:
    cursor.execute(
        "CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s", (user, host, password)
    )
    cursor.execute("ALTER USER %s@%s IDENTIFIED BY %s", (user, host, password))
    cursor.execute(f"GRANT ALL PRIVILEGES ON `{database}`.* TO %s@%s", (user, host))
