"""Pooled framed connections from the router to shard nodes."""

import collections
import errno
import logging
import socket

from notestore import wire

__all__ = ["NotDelivered", "ShardConnections", "Uncertain"]

log = logging.getLogger(__name__)


class ShardIOError(Exception):
    """Root of the errors of a relayed call."""


class NotDelivered(ShardIOError):
    """The call certainly did not reach the node: safe to retry anywhere."""


class Uncertain(ShardIOError):
    """The call may or may not have been executed by the node."""


class ShardConnections:
    """Idle connections per node address; each in use by one greenlet only."""

    def __init__(self, max_frame_bytes, connect_timeout_s=2.0, call_timeout_s=30.0):
        self._idle = collections.defaultdict(list)
        self._busy = collections.defaultdict(set)  # address -> sockets in a call
        self._max_frame_bytes = max_frame_bytes
        self._connect_timeout_s = connect_timeout_s
        self._call_timeout_s = call_timeout_s

    def call(self, host, port, payload):
        """Send one framed message and return the reply frame.

        Blocks for at most the call timeout. Raises `NotDelivered` when no
        connection could be made and `Uncertain` when the exchange broke
        after the request left.
        """
        sock = self._checkout(host, port)
        busy = self._busy[(host, port)]
        busy.add(sock)
        try:
            wire.write_frame(sock.sendall, payload)
            reply = wire.read_frame(wire.recv_exactly_from(sock), self._max_frame_bytes)
        except (OSError, wire.ProtocolError) as exc:
            sock.close()
            raise Uncertain(f"{host}:{port}: {exc}") from exc
        finally:
            busy.discard(sock)
        if reply is None:
            sock.close()
            raise Uncertain(f"{host}:{port} closed the connection")
        self._idle[(host, port)].append(sock)
        return reply

    def abandon(self, host, port):
        """End every call waiting on ``host:port``; return how many.

        Each ends in `Uncertain` at once instead of at the call timeout. For
        a node that stopped answering (frozen, or cut off) once another has
        taken its place.
        """
        busy = list(self._busy.get((host, port), ()))
        for sock in busy:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # closed meanwhile: its call has ended already
        return len(busy)

    def close(self):
        for sockets in self._idle.values():
            for sock in sockets:
                sock.close()
        self._idle.clear()

    def _checkout(self, host, port):
        idle = self._idle[(host, port)]
        while idle:
            sock = idle.pop()
            if _still_open(sock):
                return sock
            sock.close()
        try:
            sock = socket.create_connection((host, port), self._connect_timeout_s)
        except OSError as exc:
            raise NotDelivered(f"{host}:{port}: {exc}") from exc
        sock.settimeout(self._call_timeout_s)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


def _still_open(sock):
    # An idle connection the node closed (it restarted, say) reads as EOF.
    # Finding that out before sending keeps a write from being sent into a
    # dead connection, where its fate would be unknown.
    timeout_s = sock.gettimeout()
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except OSError as exc:
        return exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK)
    finally:
        sock.settimeout(timeout_s)
