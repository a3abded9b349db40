"""Command-line helpers shared by the daemons and the admin commands."""

import argparse
import json
import math
import os
import pathlib

__all__ = [
    "add_common_arguments",
    "add_mysql_arguments",
    "mysql_params",
    "non_negative_int",
    "positive_float",
    "read_secret",
    "write_ready_file",
]


def add_common_arguments(parser):
    parser.add_argument(
        "--zookeeper",
        default=os.environ.get("NOTESTORE_ZOOKEEPER", "127.0.0.1:2181"),
        help="ZooKeeper host:port list (env NOTESTORE_ZOOKEEPER)",
    )
    parser.add_argument(
        "--zk-root",
        default=os.environ.get("NOTESTORE_ZK_ROOT", "/notestore"),
        help="ZooKeeper root path of this cluster (env NOTESTORE_ZK_ROOT)",
    )
    parser.add_argument(
        "--secret-file",
        default=os.environ.get("NOTESTORE_SECRET_FILE"),
        help="file holding the cluster secret that signs tokens"
        " (env NOTESTORE_SECRET_FILE)",
    )
    parser.add_argument("--log-file", help="log here instead of stderr")
    parser.add_argument("--log-level", default="INFO")


def read_secret(parser, path):
    """Return the cluster secret, or exit through ``parser`` with a message."""
    if not path:
        parser.error("--secret-file (or NOTESTORE_SECRET_FILE) is required")
    try:
        secret = pathlib.Path(path).read_bytes().strip()
    except OSError as exc:
        parser.error(f"cannot read the secret file {path}: {exc.strerror}")
    if len(secret) < 16:
        parser.error(f"the secret in {path} is shorter than 16 bytes")
    return secret


def write_ready_file(path, info):
    """Atomically write ``info`` as JSON: readers never see half a file."""
    if not path:
        return
    tmp = pathlib.Path(f"{path}.tmp")
    tmp.write_text(json.dumps(info))
    os.replace(tmp, path)


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is not a whole number >= 0")
    return value


def add_mysql_arguments(parser):
    parser.add_argument("--mysql-host", default="127.0.0.1")
    parser.add_argument("--mysql-port", type=int, default=3306)
    parser.add_argument("--mysql-user", default="notestore")
    parser.add_argument("--mysql-database", default="notestore")
    parser.add_argument(
        "--mysql-password-file",
        default=os.environ.get("NOTESTORE_MYSQL_PASSWORD_FILE"),
        help="file holding the user DB password (env NOTESTORE_MYSQL_PASSWORD_FILE)",
    )


def mysql_params(parser, args):
    """Return UserDB keyword arguments, or exit through ``parser``."""
    password = ""
    if args.mysql_password_file:
        try:
            password = pathlib.Path(args.mysql_password_file).read_text().strip()
        except OSError as exc:
            parser.error(f"cannot read {args.mysql_password_file}: {exc.strerror}")
    return {
        "host": args.mysql_host,
        "port": args.mysql_port,
        "user": args.mysql_user,
        "password": password,
        "database": args.mysql_database,
    }
