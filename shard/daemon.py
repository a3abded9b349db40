"""The shard daemon: configuration, wiring and the signal-driven lifetime."""

import argparse
import dataclasses
import logging
import os
import pathlib
import re
import signal

import gevent
import gevent.event

from notestore import config as common
from notestore import logs
from shard.server import ShardServer
from shard.storage import Storage

log = logging.getLogger(__name__)

_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


@dataclasses.dataclass(frozen=True)
class ShardConfig:
    shard_id: str
    node_id: str
    data_dir: pathlib.Path
    host: str
    port: int
    zookeeper: str
    zk_root: str
    secret: bytes
    session_timeout_s: float
    ack_mode: str
    replica_timeout_s: float
    log_retention: int
    upload_limit: int
    metrics_port: int
    max_frame_bytes: int
    ready_file: str


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="notestore-shard", description="Run one node of a NoteStore shard."
    )
    parser.add_argument("--shard", required=True, help="shard id, e.g. s1")
    parser.add_argument("--node", required=True, help="node id within the shard")
    parser.add_argument("--data-dir", required=True, type=pathlib.Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--session-timeout",
        type=common.positive_float,
        default=4.0,
        help="ZooKeeper session timeout in seconds: how long a dead primary"
        " keeps its role",
    )
    parser.add_argument(
        "--ack-mode",
        choices=("sync", "async"),
        default="sync",
        help="sync: answer a write once every in-sync node has it; async: once"
        " it is on the local disk",
    )
    parser.add_argument(
        "--replica-timeout",
        type=common.positive_float,
        default=1.0,
        help="seconds a write waits for a secondary before dropping it from the"
        " in-sync set",
    )
    parser.add_argument(
        "--log-retention",
        type=int,
        default=100_000,
        help="write-log records kept for followers; one further behind takes"
        " a snapshot",
    )
    parser.add_argument(
        "--upload-limit",
        type=common.non_negative_int,
        default=0,
        help="bytes each user may upload per calendar month (UTC); 0 (the"
        " default) is no limit",
    )
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=0,
        help="port of the HTTP endpoint serving GET /metrics (0, the default,"
        " picks a free one; the node publishes it in ZooKeeper)",
    )
    parser.add_argument("--max-frame-bytes", type=int, default=110 * 1024 * 1024)
    parser.add_argument("--ready-file", help="write address and pid here when up")
    common.add_common_arguments(parser)
    args = parser.parse_args(argv)
    if not re.fullmatch(r"s[0-9]{1,9}", args.shard):
        parser.error(f"--shard must look like s1, not {args.shard!r}")
    if not _ID_RE.fullmatch(args.node):
        parser.error(f"--node must match {_ID_RE.pattern}, not {args.node!r}")
    for name in ("port", "metrics_port"):
        if not 0 <= getattr(args, name) <= 65535:
            parser.error(f"--{name.replace('_', '-')} is out of range")
    if args.log_retention < 1:
        parser.error("--log-retention must be at least 1")
    config = ShardConfig(
        shard_id=args.shard,
        node_id=args.node,
        data_dir=args.data_dir,
        host=args.host,
        port=args.port,
        zookeeper=args.zookeeper,
        zk_root=args.zk_root,
        secret=common.read_secret(parser, args.secret_file),
        session_timeout_s=args.session_timeout,
        ack_mode=args.ack_mode,
        replica_timeout_s=args.replica_timeout,
        log_retention=args.log_retention,
        upload_limit=args.upload_limit,
        metrics_port=args.metrics_port,
        max_frame_bytes=args.max_frame_bytes,
        ready_file=args.ready_file,
    )
    return config, args


def main(argv=None):
    config, args = parse_args(argv)
    logs.configure(args.log_file, args.log_level)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    storage = Storage(str(config.data_dir / "shard.sqlite3"))
    server = ShardServer(config, storage)
    server.start()
    common.write_ready_file(config.ready_file, {"pid": os.getpid(), **server.address})
    log.info("node %s of shard %s is up", config.node_id, config.shard_id)
    stopping = gevent.event.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, stopping.set)
    stopping.wait()
    log.info("stopping")
    server.stop()
    storage.close()
    return 0
