"""The router's HTTP front as EDAM clients use it."""

import http.client

import pytest
from thriftpy2.protocol import TBinaryProtocol
from thriftpy2.thrift import TMessageType
from thriftpy2.transport import TMemoryBuffer

from notestore import dispatch
from notestore.edam import NoteStoreApi, UserStoreApi

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


def _call_bytes(api, name, **arguments):
    buf = TMemoryBuffer()
    proto = TBinaryProtocol(buf)
    proto.write_message_begin(name, TMessageType.CALL, 0)
    getattr(api, name + "_args")(**arguments).write(proto)
    return buf.getvalue()


def _connection(cluster):
    info = cluster.router.info
    return http.client.HTTPConnection(info["host"], info["http_port"], timeout=10)


def _post(conn, path, body, headers=None):
    conn.request(
        "POST", path, body, {"Content-Type": "application/x-thrift", **(headers or {})}
    )
    response = conn.getresponse()
    return response.status, response.read()


def test_keep_alive_carries_many_calls(cluster, user):
    token = user[2]
    conn = _connection(cluster)
    try:
        for _ in range(3):
            body = _call_bytes(NoteStoreApi, "getSyncState", authenticationToken=token)
            status, reply = _post(conn, "/shard/s1/notestore", body)
            assert status == 200
            result = dispatch.decode_reply(NoteStoreApi, "getSyncState", reply)
            assert result.success.updateCount >= 1
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/edam/user", "//edam/user", "/edam/user/"])
def test_user_store_paths(cluster, path):
    conn = _connection(cluster)
    try:
        body = _call_bytes(
            UserStoreApi,
            "checkVersion",
            clientName="test",
            edamVersionMajor=1,
            edamVersionMinor=25,
        )
        status, reply = _post(conn, path, body)
    finally:
        conn.close()

    assert status == 200
    assert dispatch.decode_reply(UserStoreApi, "checkVersion", reply).success is True


def test_urls_come_from_the_public_base_not_the_host_header(cluster, user):
    token = user[2]
    conn = _connection(cluster)
    try:
        body = _call_bytes(UserStoreApi, "getNoteStoreUrl", authenticationToken=token)
        status, reply = _post(conn, "/edam/user", body, {"Host": "evil.example"})
    finally:
        conn.close()

    url = dispatch.decode_reply(UserStoreApi, "getNoteStoreUrl", reply).success
    public_url = cluster.router.info["public_url"]
    assert url == f"{public_url}/shard/{user[0].shard_id}/notestore"


def test_unknown_path_is_not_found(cluster):
    conn = _connection(cluster)
    try:
        status, _ = _post(conn, "/edam/nothing", b"")
    finally:
        conn.close()

    assert status == 404
