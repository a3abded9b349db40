"""Bad input through the router: each gets a typed answer, others carry on."""

import http.client
import random
import socket
import struct
import time

import faults
import pytest
from thriftpy2.protocol import TBinaryProtocol
from thriftpy2.thrift import TApplicationException, TMessageType
from thriftpy2.transport import TMemoryBuffer

from notestore import clusterstate
from notestore.client import connect
from notestore.edam import Errors, NoteStore, NoteStoreApi, Types
from notestore.tokens import TokenSigner

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

ENML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">'
    "<en-note>{}</en-note>"
)
Code = Errors.EDAMErrorCode


def _signer(cluster):
    return TokenSigner(cluster.secret_file.read_bytes().strip())


def _post(cluster, path, body):
    info = cluster.router.info
    conn = http.client.HTTPConnection(info["host"], info["http_port"], timeout=10)
    try:
        conn.request("POST", path, body, {"Content-Type": "application/x-thrift"})
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        conn.close()


def _read_app_exception(body):
    proto = TBinaryProtocol(TMemoryBuffer(body))
    _, mtype, _ = proto.read_message_begin()
    assert mtype == TMessageType.EXCEPTION
    exc = TApplicationException()
    exc.read(proto)
    return exc


def _assert_router_serves(router_tcp, token):
    """Another client's call through the router still succeeds."""
    with connect(*router_tcp, token=token) as other:
        assert other.note_store.getSyncState().updateCount >= 1


@pytest.mark.parametrize("path", ["/edam/user", "/shard/s1/notestore"])
def test_garbage_http_body_gets_a_protocol_error(cluster, router_tcp, user, path):
    status, content_type, body = _post(cluster, path, b"\x00\x01garbage" * 10)

    assert status == 200
    assert content_type == "application/x-thrift"
    assert _read_app_exception(body).type == TApplicationException.PROTOCOL_ERROR
    _assert_router_serves(router_tcp, user[2])


def _raw_connection(router_tcp):
    sock = socket.create_connection(router_tcp, timeout=10)
    sock.settimeout(10)
    return sock


def test_truncated_frame_closes_only_that_connection(router_tcp, user):
    broken = _raw_connection(router_tcp)
    broken.sendall(struct.pack("!i", 100) + b"\x80\x01\x00\x01partial")

    # While one client sits in the middle of a frame, others are served.
    _assert_router_serves(router_tcp, user[2])
    broken.shutdown(socket.SHUT_WR)

    assert broken.recv(1024) == b""
    broken.close()
    _assert_router_serves(router_tcp, user[2])


def _closed_by_peer(sock):
    # Closing a socket with unread bytes in it sends a reset instead of a
    # FIN; both mean the router hung up on this client.
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    finally:
        sock.close()


def test_oversized_frame_is_refused_unread(router_tcp, user):
    sock = _raw_connection(router_tcp)
    sock.sendall(struct.pack("!i", 2**31 - 1) + b"x" * 1024)

    assert _closed_by_peer(sock)
    _assert_router_serves(router_tcp, user[2])


def test_negative_frame_length_is_refused(router_tcp, user):
    sock = _raw_connection(router_tcp)
    sock.sendall(struct.pack("!i", -5))

    assert _closed_by_peer(sock)
    _assert_router_serves(router_tcp, user[2])


def _expect_user_error(call, code, parameter):
    with pytest.raises(Errors.EDAMUserException) as caught:
        call()
    assert caught.value.errorCode == code
    assert caught.value.parameter == parameter


def test_token_for_unknown_shard_is_invalid_auth(cluster, router_tcp, user):
    token = _signer(cluster).issue("s99", user[0].id, 3600)

    with connect(*router_tcp, token=token) as session:
        _expect_user_error(
            session.note_store.listNotebooks, Code.INVALID_AUTH, "authenticationToken"
        )
    _assert_router_serves(router_tcp, user[2])


def test_forged_token_is_invalid_auth(router_tcp, user):
    genuine = user[2]
    forged = genuine.replace(f"U={user[0].id:x}:", f"U={user[0].id + 1:x}:")
    assert forged != genuine

    with connect(*router_tcp, token=forged) as session:
        _expect_user_error(
            session.note_store.getSyncState, Code.INVALID_AUTH, "authenticationToken"
        )
        _expect_user_error(
            session.user_store.getUser, Code.INVALID_AUTH, "authenticationToken"
        )


def test_token_signed_with_another_secret_is_invalid_auth(router_tcp, user):
    token = TokenSigner(b"x" * 32).issue(user[0].shard_id, user[0].id, 3600)

    with connect(*router_tcp, token=token) as session:
        _expect_user_error(
            session.note_store.listNotebooks, Code.INVALID_AUTH, "authenticationToken"
        )


def test_expired_token_is_auth_expired(cluster, router_tcp, user):
    an_hour_ago = time.time() - 3600
    token = TokenSigner(
        cluster.secret_file.read_bytes().strip(), clock=lambda: an_hour_ago
    ).issue(user[0].shard_id, user[0].id, 60)

    with connect(*router_tcp, token=token) as session:
        _expect_user_error(
            session.note_store.listNotebooks, Code.AUTH_EXPIRED, "authenticationToken"
        )
        _expect_user_error(
            session.user_store.getUser, Code.AUTH_EXPIRED, "authenticationToken"
        )


def test_note_without_title_is_data_required(session):
    note = Types.Note(content=ENML.format("no title"))

    _expect_user_error(
        lambda: session.note_store.createNote(note), Code.DATA_REQUIRED, "Note.title"
    )
    assert session.note_store.getSyncState().updateCount == 1


def test_enml_that_is_not_xml_is_enml_validation(session):
    note = Types.Note(title="broken", content="<en-note><b>unclosed</en-note>")

    with pytest.raises(Errors.EDAMUserException) as caught:
        session.note_store.createNote(note)

    assert caught.value.errorCode == Code.ENML_VALIDATION
    assert "</b>" in caught.value.parameter or "mismatched" in caught.value.parameter


def test_unserved_method_answers_unknown_method_and_keeps_the_connection(session):
    with pytest.raises(TApplicationException) as caught:
        session.note_store.emailNote(
            NoteStore.NoteEmailParameters(toAddresses=["someone@example.com"])
        )

    assert caught.value.type == TApplicationException.UNKNOWN_METHOD
    assert session.note_store.getSyncState().updateCount >= 1


def test_method_outside_the_idl_answers_unknown_method(cluster, router_tcp, user):
    buf = TMemoryBuffer()
    proto = TBinaryProtocol(buf)
    proto.write_message_begin("noSuchMethod", TMessageType.CALL, 7)
    NoteStoreApi.getSyncState_args(authenticationToken=user[2]).write(proto)

    status, _, body = _post(cluster, "/edam/note/s1", buf.getvalue())

    assert status == 200
    assert _read_app_exception(body).type == TApplicationException.UNKNOWN_METHOD
    _assert_router_serves(router_tcp, user[2])


def test_direct_connection_to_a_shard_cannot_impersonate(cluster, user):
    record = user[0]
    state = clusterstate.read_state(cluster.zookeeper.hostport, cluster.zk_root)
    node = state[record.shard_id]["primary"]
    forged = TokenSigner(b"y" * 32).issue(record.shard_id, record.id, 3600)

    with connect(node["host"], node["port"], token=forged) as direct:
        _expect_user_error(
            direct.note_store.listNotebooks, Code.INVALID_AUTH, "authenticationToken"
        )


def test_mutated_messages_never_break_the_router_or_a_shard(cluster, router_tcp, user):
    # Seeded mutations of a valid createNote: bytes flipped after the token
    # (so most reach the shard's handlers) and messages cut short, framed
    # over TCP to the router and to the shard's primary directly. Every
    # frame must get an answer, and no process may log a traceback.
    token = user[2]
    state = clusterstate.read_state(cluster.zookeeper.hostport, cluster.zk_root)
    primary = state[user[0].shard_id]["primary"]
    good = _call(
        "createNote",
        authenticationToken=token,
        note=Types.Note(title="fuzzed", content=ENML.format("x")),
    )
    start = good.index(token.encode()) + len(token)
    rng = random.Random(2024)
    targets = [router_tcp, (primary["host"], primary["port"])]
    daemons = [cluster.router, *cluster.shards.values()]
    offsets = {process: process.log_path.stat().st_size for process in daemons}

    for _ in range(FUZZ_MESSAGES):
        message = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            message[rng.randrange(start, len(message))] = rng.randrange(256)
        if rng.random() < 0.2:
            message = message[: rng.randrange(start, len(message))]
        assert _exchange(rng.choice(targets), bytes(message)), "no answer"

    _assert_router_serves(router_tcp, token)
    for process, offset in offsets.items():
        assert not process.exited, process.name
        assert "Traceback" not in faults.log_since(process, offset), process.name


FUZZ_MESSAGES = 2000


def _call(name, **arguments):
    buf = TMemoryBuffer()
    proto = TBinaryProtocol(buf)
    proto.write_message_begin(name, TMessageType.CALL, 0)
    getattr(NoteStoreApi, name + "_args")(**arguments).write(proto)
    return buf.getvalue()


def _exchange(address, message):
    """Send one frame; return the reply frame's first bytes (b"" if none)."""
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(struct.pack("!i", len(message)) + message)
        return sock.recv(65536)
