"""Planned handover: move a shard's primary role to an in-sync secondary.

The request is a znode, ``<shard>/handover`` = {"from", "to"}. The primary
sees it, stops answering writes (the router holds them), waits until the
target has every record, and deletes its ``primary`` znode; only the target
campaigns while the request names it, and it deletes the request once it
has won. Writes pause for the time of one catch-up and one election.

A forced election is the operator's way out when every in-sync node is
lost for good: no primary exists and no live node may campaign. It makes a
chosen live node the whole in-sync set (a versioned write, so it cannot
race the cluster's own changes); that node then wins the election. Writes
that only the lost nodes held are gone, which is why it must be asked for
explicitly; a lost node that comes back resyncs from a snapshot.
"""

import time

from kazoo.exceptions import BadVersionError, NodeExistsError, NoNodeError

from notestore import clusterstate, zklayout

__all__ = ["HandoverError", "force_primary", "hand_over"]

_POLL_S = 0.005


class HandoverError(Exception):
    """The handover was refused or did not complete."""


def hand_over(zookeeper, zk_root, shard_id, target=None, timeout_s=10.0):
    """Ask the shard's primary to hand over; block until the target leads.

    Returns (seconds taken, target node). Raises `HandoverError` when the
    shard has no primary, the target is not an in-sync secondary, another
    handover is in progress, or the target does not lead within
    ``timeout_s`` (the request is then withdrawn).
    """
    layout = zklayout.Layout(zk_root)
    try:
        with clusterstate.zk_session(zookeeper, timeout_s) as zk:
            source, target = _plan(zk, layout, shard_id, target)
            return _run(zk, layout, shard_id, source, target, timeout_s), target
    except clusterstate.ClusterUnreachable as exc:
        raise HandoverError(str(exc)) from exc


def _plan(zk, layout, shard_id, target):
    primary = _read(zk, layout.primary(shard_id))
    if not primary:
        raise HandoverError(f"shard {shard_id} has no primary")
    insync = _read(zk, layout.insync(shard_id)).get("nodes", [])
    live = set(zk.get_children(layout.nodes(shard_id)))
    candidates = [n for n in insync if n != primary["node"] and n in live]
    if target is None and candidates:
        target = candidates[0]
    if target not in candidates:
        raise HandoverError(
            f"{target or 'no node'} is not a live in-sync secondary of {shard_id}"
            f" (in-sync: {', '.join(insync)})"
        )
    return primary["node"], target


def _run(zk, layout, shard_id, source, target, timeout_s):
    request = zklayout.encode({"from": source, "to": target})
    started = time.monotonic()
    try:
        zk.create(layout.handover(shard_id), request)
    except NodeExistsError as exc:
        raise HandoverError(f"a handover of {shard_id} is in progress") from exc
    led = _wait_for_leader(zk, layout, shard_id, target, started + timeout_s)
    elapsed_s = time.monotonic() - started
    # The winner deletes the request a moment after it has won; deleting it
    # here too means the handover is over when this returns, and the next
    # one is not refused as "in progress".
    _withdraw(zk, layout, shard_id)
    if not led:
        raise HandoverError(f"{target} did not take over within {timeout_s} s")
    return elapsed_s


def force_primary(zookeeper, zk_root, shard_id, node, timeout_s=10.0):
    """Make ``node`` the only in-sync node of a shard without a primary, and
    wait until it leads.

    Returns (seconds taken, the LSN the node holds). Raises `HandoverError`
    when the shard has a primary, the node is not live, the node is in the
    in-sync set already (it needs no help), the set changed meanwhile, or
    the node does not lead within ``timeout_s``.
    """
    layout = zklayout.Layout(zk_root)
    try:
        with clusterstate.zk_session(zookeeper, timeout_s) as zk:
            lsn, version = _plan_forced(zk, layout, shard_id, node)
            started = time.monotonic()
            try:
                zk.set(
                    layout.insync(shard_id),
                    zklayout.encode({"nodes": [node]}),
                    version=version,
                )
            except BadVersionError as exc:
                raise HandoverError(
                    f"the in-sync set of {shard_id} changed meanwhile; look again"
                ) from exc
            if not _wait_for_leader(zk, layout, shard_id, node, started + timeout_s):
                raise HandoverError(f"{node} did not take over within {timeout_s} s")
            return time.monotonic() - started, lsn
    except clusterstate.ClusterUnreachable as exc:
        raise HandoverError(str(exc)) from exc


def _plan_forced(zk, layout, shard_id, node):
    if zk.exists(layout.shard(shard_id)) is None:
        raise HandoverError(f"no shard {shard_id}")
    primary = _read(zk, layout.primary(shard_id))
    if primary:
        raise HandoverError(
            f"shard {shard_id} has a primary ({primary.get('node')});"
            " use handover to move the role"
        )
    registration = _read(zk, layout.node(shard_id, node))
    if not registration:
        raise HandoverError(f"{node} is not a live node of {shard_id}")
    try:
        data, stat = zk.get(layout.insync(shard_id))
    except NoNodeError as exc:
        raise HandoverError(f"shard {shard_id} has no in-sync set yet") from exc
    insync = zklayout.decode(data).get("nodes", [])
    if node in insync:
        raise HandoverError(
            f"{node} is in the in-sync set of {shard_id} already;"
            " it takes over by itself"
        )
    return registration.get("lsn", 0), stat.version


def _wait_for_leader(zk, layout, shard_id, node, deadline):
    while _read(zk, layout.primary(shard_id)).get("node") != node:
        if time.monotonic() > deadline:
            return False
        time.sleep(_POLL_S)
    return True


def _withdraw(zk, layout, shard_id):
    try:
        zk.delete(layout.handover(shard_id))
    except NoNodeError:
        pass  # the target won after all and removed it


def _read(zk, path):
    try:
        return zklayout.decode(zk.get(path)[0])
    except NoNodeError:
        return {}
