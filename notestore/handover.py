"""Planned handover: move a shard's primary role to an in-sync secondary.

The request is a znode, ``<shard>/handover`` = {"from", "to"}. The primary
sees it, stops answering writes (the router holds them), waits until the
target has every record, and deletes its ``primary`` znode; only the target
campaigns while the request names it, and it deletes the request once it
has won. Writes pause for the time of one catch-up and one election.
"""

import time

from kazoo.exceptions import NodeExistsError, NoNodeError

from notestore import clusterstate, zklayout

__all__ = ["HandoverError", "hand_over"]

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
    deadline = started + timeout_s
    while _read(zk, layout.primary(shard_id)).get("node") != target:
        if time.monotonic() > deadline:
            _withdraw(zk, layout, shard_id)
            raise HandoverError(f"{target} did not take over within {timeout_s} s")
        time.sleep(_POLL_S)
    return time.monotonic() - started


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
