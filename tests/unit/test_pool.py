"""Unit tests for the router's pooled connections to shard nodes."""

import socket
import threading

import pytest

from router.pool import NotDelivered, ShardConnections, Uncertain

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def silent_node():
    """A listener that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def accept_forever():
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return  # the listener was closed

    threading.Thread(target=accept_forever, daemon=True).start()
    yield listener.getsockname()
    listener.close()
    for conn in accepted:
        conn.close()


def _call_in_thread(connections, address):
    outcome = {}

    def call():
        try:
            outcome["reply"] = connections.call(*address, b"\x80\x01\x00\x01")
        except (NotDelivered, Uncertain) as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=call)
    thread.start()
    return thread, outcome


def test_abandon_ends_a_waiting_call_as_uncertain(silent_node):
    connections = ShardConnections(1024, call_timeout_s=20)
    thread, outcome = _call_in_thread(connections, silent_node)
    while connections.abandon(*silent_node) == 0:
        thread.join(0.01)  # until the call is on the wire

    thread.join(5)

    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), Uncertain)


def test_abandon_leaves_other_nodes_alone(silent_node):
    connections = ShardConnections(1024, call_timeout_s=0.5)
    thread, outcome = _call_in_thread(connections, silent_node)
    while not connections._busy.get(silent_node):
        thread.join(0.01)

    assert connections.abandon("127.0.0.1", 1) == 0
    thread.join(5)
    assert "timed out" in str(outcome["error"])


def test_refused_connection_is_not_delivered():
    probe = socket.create_server(("127.0.0.1", 0))
    address = probe.getsockname()
    probe.close()  # nothing listens there now

    with pytest.raises(NotDelivered):
        ShardConnections(1024).call(*address, b"x")
