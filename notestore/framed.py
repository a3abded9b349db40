"""A framed binary-Thrift connection loop, shared by the router and shards."""

import logging

from notestore import wire

__all__ = ["serve_connection"]

log = logging.getLogger(__name__)


def serve_connection(sock, peer, process, max_frame_bytes):
    """Answer framed messages on ``sock`` until the peer goes away.

    ``process(bytes) -> bytes`` turns one request into one reply. A frame
    that announces more than ``max_frame_bytes`` or ends early closes this
    connection only: the framing is lost, so nothing after it can be
    trusted, but every other connection carries on.
    """
    recv_exactly = wire.recv_exactly_from(sock)
    try:
        while True:
            request = wire.read_frame(recv_exactly, max_frame_bytes)
            if request is None:
                return
            wire.write_frame(sock.sendall, process(request))
    except wire.ProtocolError as exc:
        log.warning("closing connection from %s: %s", _peer(peer), exc)
    except (TimeoutError, ConnectionError, OSError) as exc:
        log.debug("connection from %s ended: %s", _peer(peer), exc)
    finally:
        sock.close()


def _peer(address):
    if isinstance(address, tuple):
        return f"{address[0]}:{address[1]}"
    return str(address)
