"""The router daemon: configuration, wiring and the signal-driven lifetime."""

import argparse
import dataclasses
import logging
import os
import signal
import socket
import urllib.parse

import gevent
import gevent.event
from gevent.pywsgi import WSGIServer
from gevent.server import StreamServer

from notestore import config as common
from notestore import dispatch, logs, metrics, passwords
from notestore.callmetrics import CallMetrics
from notestore.edam import NoteStoreApi, UserStoreApi
from notestore.ratelimit import RateLimiter
from notestore.tokens import TokenSigner
from notestore.userdb import UserDB
from notestore.userservice import PublicUrls, UserStoreService
from router.forward import NoteStoreForwarder
from router.http import ThriftHttpApp
from router.pool import ShardConnections
from router.revocations import Revocations
from router.shardmap import ShardMap
from router.tcp import FramedFront

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 110 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class RouterConfig:
    host: str
    http_port: int
    tcp_port: int
    public_url: str
    zookeeper: str
    zk_root: str
    secret: bytes
    mysql: dict
    failover_wait_s: float
    revocation_poll_s: float
    rate_limit: int
    rate_window_s: float
    login_failures: int
    login_window_s: float
    max_message_bytes: int
    ready_file: str


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="notestore-router",
        description="Serve the UserStore and route NoteStore calls to shards.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--http-port", type=int, default=8080, help="0 picks one")
    parser.add_argument("--tcp-port", type=int, default=9090, help="0 picks one")
    parser.add_argument(
        "--public-url",
        help="base URL clients reach this router at (default: http://HOST:PORT)",
    )
    common.add_mysql_arguments(parser)
    parser.add_argument(
        "--failover-wait",
        type=common.positive_float,
        default=5.0,
        help="seconds a call waits for a shard's new primary",
    )
    parser.add_argument("--revocation-poll", type=common.positive_float, default=2.0)
    parser.add_argument(
        "--rate-limit",
        type=common.non_negative_int,
        default=0,
        help="NoteStore calls one user may make per application per"
        " --rate-window (default 0: no limit)",
    )
    parser.add_argument(
        "--rate-window", type=common.positive_float, default=3600.0, help="seconds"
    )
    parser.add_argument(
        "--login-failures",
        type=common.non_negative_int,
        default=10,
        help="failed logins per username per --login-window before logins for"
        " it are refused (0: no limit)",
    )
    parser.add_argument(
        "--login-window", type=common.positive_float, default=300.0, help="seconds"
    )
    parser.add_argument("--max-message-bytes", type=int, default=MAX_MESSAGE_BYTES)
    parser.add_argument("--ready-file", help="write addresses and pid here when up")
    common.add_common_arguments(parser)
    args = parser.parse_args(argv)
    for name in ("http_port", "tcp_port", "mysql_port"):
        if not 0 <= getattr(args, name) <= 65535:
            parser.error(f"--{name.replace('_', '-')} is out of range")
    if args.public_url and not urllib.parse.urlsplit(args.public_url).netloc:
        parser.error(f"--public-url {args.public_url!r} is not an absolute URL")
    return args, parser


def build_config(args, http_port, secret, mysql):
    public_url = args.public_url or f"http://{args.host}:{http_port}"
    return RouterConfig(
        host=args.host,
        http_port=http_port,
        tcp_port=args.tcp_port,
        public_url=public_url.rstrip("/"),
        zookeeper=args.zookeeper,
        zk_root=args.zk_root,
        secret=secret,
        mysql=mysql,
        failover_wait_s=args.failover_wait,
        revocation_poll_s=args.revocation_poll,
        rate_limit=args.rate_limit,
        rate_window_s=args.rate_window,
        login_failures=args.login_failures,
        login_window_s=args.login_window,
        max_message_bytes=args.max_message_bytes,
        ready_file=args.ready_file,
    )


def main(argv=None):
    args, parser = parse_args(argv)
    secret = common.read_secret(parser, args.secret_file)
    mysql = common.mysql_params(parser, args)
    logs.configure(args.log_file, args.log_level)
    # Bind before building the configuration: port 0 must resolve to the
    # real port before the public URL is derived from it.
    http_listener = _listen(args.host, args.http_port, parser)
    tcp_listener = _listen(args.host, args.tcp_port, parser)
    http_port = http_listener.getsockname()[1]
    config = build_config(args, http_port, secret, mysql)
    router = Router(config)
    router.start(http_listener, tcp_listener)
    stopping = gevent.event.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, stopping.set)
    stopping.wait()
    log.info("stopping")
    router.stop()
    return 0


def _listen(host, port, parser):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        parser.error(f"cannot listen on {host}:{port}: {exc.strerror}")
    sock.listen(1024)
    return sock


# Seconds a replaced primary has to answer the calls it holds.
ABANDON_GRACE_S = 0.25


class Router:
    """Wires the router's parts together; `start` blocks until serving."""

    def __init__(self, config):
        self._config = config
        self._userdb = UserDB(**config.mysql)
        self._revocations = Revocations(self._userdb, config.revocation_poll_s)
        self._shard_map = ShardMap(config.zookeeper, config.zk_root)
        self._connections = ShardConnections(config.max_message_bytes)
        self._shard_map.on_replaced(self._abandon_calls_to_old_primary)
        signer = TokenSigner(config.secret)
        host = urllib.parse.urlsplit(config.public_url).hostname
        userstore = UserStoreService(
            self._userdb,
            signer,
            PublicUrls(config.public_url),
            host,
            revoked=self._revocations.add,
            verify_password=_verify_password_off_loop,
            login_limiter=RateLimiter(config.login_failures, config.login_window_s),
            upload_limit_of=self._upload_limit_of,
        )
        self.metrics = metrics.Registry()
        self._forwarder = NoteStoreForwarder(
            signer,
            self._shard_map,
            self._connections,
            self._revocations,
            config.failover_wait_s,
            RateLimiter(config.rate_limit, config.rate_window_s),
            self.metrics,
        )
        calls = CallMetrics(self.metrics, "notestore_router")
        self._process_user = calls.wrap(
            "user", UserStoreApi, dispatch.Dispatcher(UserStoreApi, userstore).process
        )
        self._process_note = calls.wrap("note", NoteStoreApi, self._forwarder.process)
        self.metrics.collector(self._shard_map_metrics)
        self._servers = []

    def _shard_map_metrics(self):
        view = sorted(self._shard_map.view().items())
        return [
            (
                "notestore_router_shard_primary_epoch",
                "The epoch of the primary this router routes each shard to.",
                "gauge",
                [
                    ({"shard": shard_id, "node": primary["node"]}, primary["epoch"])
                    for shard_id, primary in view
                    if primary
                ],
            ),
            (
                "notestore_router_shard_has_primary",
                "1 when this router knows a primary for the shard, else 0.",
                "gauge",
                [({"shard": shard}, int(bool(primary))) for shard, primary in view],
            ),
        ]

    def _abandon_calls_to_old_primary(self, shard_id, old, new):
        # A call still waiting on the old primary a while after another node
        # leads waits on a node that was frozen or cut off. Ending it answers
        # a write with SHARD_UNAVAILABLE (its fate is unknown) and sends a
        # read again to the new primary, instead of both hanging until the
        # call timeout. The grace lets an old primary that handed over
        # cleanly deliver the answers it was sending as it let go.
        gevent.spawn_later(ABANDON_GRACE_S, self._abandon_calls, shard_id, old, new)

    def _abandon_calls(self, shard_id, old, new):
        count = self._connections.abandon(old["host"], old["port"])
        if count:
            log.warning(
                "shard %s moved from %s to %s: abandoned %d calls still waiting",
                shard_id,
                old.get("node"),
                new.get("node"),
                count,
            )

    def _upload_limit_of(self, shard_id):
        # Each shard's primary publishes the quota it enforces.
        return (self._shard_map.primary(shard_id) or {}).get("upload_limit")

    def start(self, http_listener, tcp_listener):
        self._userdb.migrate()
        self._revocations.start()
        http_port = http_listener.getsockname()[1]
        tcp_port = tcp_listener.getsockname()[1]
        self._shard_map.start(
            identity={
                "id": f"{socket.gethostname()}-{os.getpid()}",
                "pid": os.getpid(),
                "host": self._config.host,
                "http_port": http_port,
                "tcp_port": tcp_port,
            }
        )
        app = ThriftHttpApp(
            self._process_user,
            self._process_note,
            self._config.max_message_bytes,
            self.metrics,
        )
        front = FramedFront(
            self._process_user,
            self._process_note,
            self._config.max_message_bytes,
        )
        self._servers = [
            WSGIServer(http_listener, app, log=None, error_log=log),
            StreamServer(tcp_listener, front.handle),
        ]
        for server in self._servers:
            server.start()
        log.info(
            "router listening: http %s:%d, tcp %s:%d, public %s",
            self._config.host,
            http_port,
            self._config.host,
            tcp_port,
            self._config.public_url,
        )
        common.write_ready_file(
            self._config.ready_file,
            {
                "pid": os.getpid(),
                "host": self._config.host,
                "http_port": http_port,
                "tcp_port": tcp_port,
                "public_url": self._config.public_url,
            },
        )

    def stop(self):
        for server in self._servers:
            server.stop(timeout=2)
        self._revocations.stop()
        self._shard_map.stop()
        self._connections.close()


def _verify_password_off_loop(password, encoded):
    # scrypt takes tens of milliseconds and releases the GIL: run it on the
    # hub's thread pool so that routing carries on meanwhile.
    return gevent.get_hub().threadpool.apply(
        passwords.verify_password, (password, encoded)
    )
