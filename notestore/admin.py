"""``notestore-admin``: operator commands.

    notestore-admin create-user --username NAME --email ADDR [--name TEXT]
    notestore-admin token --username NAME
    notestore-admin status [--json]
    notestore-admin handover --shard s1 [--to NODE]
    notestore-admin force-primary --shard s1 --node NODE --accept-data-loss

Passwords are read from a prompt, or from standard input with
``--password-stdin``; never from the command line, where other users of the
machine could read them.
"""

import argparse
import getpass
import json
import sys

from notestore import clusterstate, handover, validation
from notestore import config as common
from notestore.tokens import TokenSigner
from notestore.userdb import UserDB, UserDBError, UserExists

__all__ = ["main"]

DEVELOPER_TOKEN_LIFETIME_S = 365 * 24 * 3600
DEVELOPER_TOKEN_APP = "notestore-devtoken"


class AdminError(Exception):
    """A command failed for a reason the operator can act on."""


def main(argv=None):
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.run(args, parser)
    except AdminError as exc:
        print(f"notestore-admin: {exc}", file=sys.stderr)
        return 1


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="notestore-admin", description=__doc__.split("\n")[0]
    )
    common.add_common_arguments(parser)
    common.add_mysql_arguments(parser)
    commands = parser.add_subparsers(dest="command")

    create = commands.add_parser("create-user", help="create a user, print a token")
    create.add_argument("--username", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--name", default=None)
    create.add_argument("--shard", help="place on this shard (default: least full)")
    create.add_argument("--password-stdin", action="store_true")
    create.add_argument("--json", action="store_true", help="print JSON")
    create.set_defaults(run=_create_user)

    token = commands.add_parser("token", help="print a developer token for a user")
    token.add_argument("--username", required=True)
    token.set_defaults(run=_issue_token)

    status = commands.add_parser("status", help="show shards, nodes and roles")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(run=_status)

    move = commands.add_parser(
        "handover", help="move a shard's primary role to an in-sync secondary"
    )
    move.add_argument("--shard", required=True)
    move.add_argument("--to", help="target node (default: an in-sync secondary)")
    move.add_argument("--timeout", type=float, default=10.0, help="seconds")
    move.set_defaults(run=_handover)

    force = commands.add_parser(
        "force-primary",
        help="let a node outside the in-sync set lead a shard whose in-sync"
        " nodes are all lost (answered writes they alone held are lost)",
    )
    force.add_argument("--shard", required=True)
    force.add_argument("--node", required=True, help="a live node of the shard")
    force.add_argument(
        "--accept-data-loss",
        action="store_true",
        help="required: say that writes only the lost nodes held may be gone",
    )
    force.add_argument("--timeout", type=float, default=10.0, help="seconds")
    force.set_defaults(run=_force_primary)
    return parser


def _create_user(args, parser):
    secret = common.read_secret(parser, args.secret_file)
    _check_new_user(args)
    password = _read_password(args.password_stdin)
    userdb = UserDB(**common.mysql_params(parser, args))
    try:
        userdb.migrate()
        shard_id = args.shard or _least_full_shard(args, userdb)
        user = userdb.create_user(
            args.username, args.email, args.name or args.username, password, shard_id
        )
    except UserExists as exc:
        raise AdminError(f"user {args.username!r} already exists") from exc
    except UserDBError as exc:
        raise AdminError(f"user DB: {exc}") from exc
    token = _developer_token(secret, user)
    if args.json:
        print(
            json.dumps(
                {
                    "id": user.id,
                    "username": user.username,
                    "shard": shard_id,
                    "token": token,
                }
            )
        )
    else:
        print(f"created user {user.username} (id {user.id}) on shard {shard_id}")
        print(f"developer token: {token}")
    return 0


def _check_new_user(args):
    checks = (
        (validation.check_username, args.username),
        (validation.check_email, args.email),
    )
    for check, value in checks:
        try:
            check(value)
        except validation.ValidationError as exc:
            raise AdminError(f"{exc.parameter}: {exc}") from exc


def _read_password(from_stdin):
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise AdminError("the passwords differ")
    try:
        validation.check_password(password)
    except validation.ValidationError as exc:
        raise AdminError(
            "a password is 6 to 64 printable ASCII characters without spaces"
        ) from exc
    return password


def _issue_token(args, parser):
    secret = common.read_secret(parser, args.secret_file)
    userdb = UserDB(**common.mysql_params(parser, args))
    try:
        user = userdb.user_by_username(args.username)
    except UserDBError as exc:
        raise AdminError(f"user DB: {exc}") from exc
    if user is None:
        raise AdminError(f"no user {args.username!r}")
    print(_developer_token(secret, user))
    return 0


def _developer_token(secret, user):
    signer = TokenSigner(secret)
    return signer.issue(
        user.shard_id, user.id, DEVELOPER_TOKEN_LIFETIME_S, app=DEVELOPER_TOKEN_APP
    )


def _least_full_shard(args, userdb):
    try:
        state = clusterstate.read_state(args.zookeeper, args.zk_root)
        return clusterstate.least_full_shard(state, userdb.user_counts_by_shard())
    except (clusterstate.ClusterUnreachable, clusterstate.NoShardAvailable) as exc:
        raise AdminError(str(exc)) from exc


def _status(args, parser):
    try:
        cluster = clusterstate.read_cluster(args.zookeeper, args.zk_root)
    except clusterstate.ClusterUnreachable as exc:
        raise AdminError(str(exc)) from exc
    if args.json:
        print(json.dumps(cluster, indent=2, sort_keys=True))
        return 0
    for shard_id, info in sorted(cluster["shards"].items()):
        print(_shard_line(shard_id, info))
        for node_id, node in sorted(info["nodes"].items()):
            print(_node_line(node_id, node))
    for router_id, router in sorted(cluster["routers"].items()):
        print(_router_line(router_id, router, cluster["shards"]))
    return 0


def _shard_line(shard_id, info):
    primary = (info["primary"] or {}).get("node", "none")
    line = (
        f"shard {shard_id}: primary {primary}, epoch {info['epoch']},"
        f" in-sync {','.join(info['insync']) or '-'}"
    )
    if info.get("handover"):
        line += f", handing over to {info['handover'].get('to')}"
    return line


def _node_line(node_id, node):
    lag = node.get("lag")
    return (
        f"  {node_id:<8} {node.get('role', '?'):<10} epoch {node.get('epoch')}"
        f"  lsn {node.get('lsn')}  lag {'-' if lag is None else lag}"
        f"  {'in-sync' if node.get('insync') else 'NOT in-sync'}"
        f"  {node.get('ack_mode', '?')}  {node.get('host')}:{node.get('port')}"
        f"  pid {node.get('pid')}"
    )


def _router_line(router_id, router, shards):
    views = []
    for shard_id, seen in sorted((router.get("view") or {}).items()):
        current = (shards.get(shard_id, {}).get("primary") or {}).get("epoch")
        seen = seen or {}
        stale = "" if seen.get("epoch") == current else " (stale)"
        views.append(
            f"{shard_id}->{seen.get('node', 'none')}@{seen.get('epoch')}{stale}"
        )
    address = f"http {router.get('http_port')}, tcp {router.get('tcp_port')}"
    return f"router {router_id} ({address}): {' '.join(views) or 'no shards'}"


def _handover(args, parser):
    try:
        elapsed_s, target = handover.hand_over(
            args.zookeeper, args.zk_root, args.shard, args.to, args.timeout
        )
    except handover.HandoverError as exc:
        raise AdminError(str(exc)) from exc
    print(f"{target} is primary of {args.shard} after {elapsed_s * 1000:.0f} ms")
    return 0


def _force_primary(args, parser):
    if not args.accept_data_loss:
        parser.error(
            "force-primary gives up every answered write that only the lost"
            " in-sync nodes held; pass --accept-data-loss to go ahead"
        )
    try:
        elapsed_s, lsn = handover.force_primary(
            args.zookeeper, args.zk_root, args.shard, args.node, args.timeout
        )
    except handover.HandoverError as exc:
        raise AdminError(str(exc)) from exc
    print(
        f"{args.node} is primary of {args.shard} from LSN {lsn} after"
        f" {elapsed_s * 1000:.0f} ms; nodes that held more will resync"
        " from a snapshot when they return"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
