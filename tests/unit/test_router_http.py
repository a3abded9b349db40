"""Unit tests for router.http: ThriftHttpApp called directly as WSGI."""

import io

import pytest
from thriftpy2.protocol import TBinaryProtocol
from thriftpy2.thrift import TApplicationException, TMessageType
from thriftpy2.transport import TMemoryBuffer

from router.http import ThriftHttpApp

pytestmark = pytest.mark.timeout(30)

MAX_BYTES = 64


class Response:
    """What the app handed to start_response, and the body it returned."""

    def __init__(self, app, environ):
        self.status = None
        self.headers = None
        self.body = b"".join(app(environ, self._start_response))

    def _start_response(self, status, headers, exc_info=None):
        self.status = status
        self.headers = dict(headers)

    @property
    def code(self):
        return int(self.status.split()[0])


class StrictInput:
    """wsgi.input that records reads and refuses to read past its data."""

    def __init__(self, data):
        self._stream = io.BytesIO(data)
        self.reads = []

    def read(self, size=-1):
        self.reads.append(size)
        return self._stream.read(size)


@pytest.fixture
def app():
    return ThriftHttpApp(
        lambda body: b"user:" + body, lambda body: b"note:" + body, MAX_BYTES
    )


def request(app, path, body=b"msg", method="POST", content_length="auto"):
    stream = StrictInput(body)
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "wsgi.input": stream,
    }
    if content_length == "auto":
        environ["CONTENT_LENGTH"] = str(len(body))
    elif content_length is not None:
        environ["CONTENT_LENGTH"] = content_length
    response = Response(app, environ)
    response.reads = stream.reads
    return response


def read_app_exception(data):
    proto = TBinaryProtocol(TMemoryBuffer(data), strict_read=False)
    _, mtype, _ = proto.read_message_begin()
    assert mtype == TMessageType.EXCEPTION
    exc = TApplicationException()
    exc.read(proto)
    return exc


def assert_thrift_answer(response, body):
    assert response.headers["Content-Type"] == "application/x-thrift"
    assert response.headers["Content-Length"] == str(len(response.body))
    assert response.body == body


# Routing ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/edam/user", "//edam/user", "/edam/user/"])
def test_user_store_paths(app, path):
    response = request(app, path)

    assert response.status == "200 OK"
    assert_thrift_answer(response, b"user:msg")


@pytest.mark.parametrize(
    "path",
    [
        "/edam/note/s1",
        "/edam/note/s12/",
        "/shard/s1/notestore",
        "//shard//s1//notestore",
        "/shard/s999/notestore/",
    ],
)
def test_note_store_paths(app, path):
    response = request(app, path)

    assert response.status == "200 OK"
    assert_thrift_answer(response, b"note:msg")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "",
        "/edam",
        "/edam/users",
        "/edam/user/x",
        "/edam/user\n",
        "/edam/note/",
        "/edam/note/s1/x",
        "/shard/s1",
        "/shard/s1/notestore/x",
        "/shard//notestore",
        "/x/edam/user",
    ],
)
def test_unknown_path_is_404(app, path):
    response = request(app, path)

    assert response.code == 404
    assert not response.body.startswith((b"user:", b"note:"))


def test_missing_path_info_is_404(app):
    environ = {"REQUEST_METHOD": "POST", "wsgi.input": io.BytesIO(b"")}

    assert Response(app, environ).code == 404


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE"])
def test_other_methods_are_405(app, method):
    response = request(app, "/edam/user", method=method)

    assert response.code == 405
    assert response.reads == []


# Bodies -----------------------------------------------------------------------


def test_body_is_read_to_its_content_length(app):
    response = request(app, "/edam/user", body=b"abcdef", content_length="3")

    assert_thrift_answer(response, b"user:abc")
    assert response.reads == [3]


def test_body_of_exactly_the_maximum_is_accepted(app):
    body = b"x" * MAX_BYTES

    response = request(app, "/edam/note/s1", body=body)

    assert response.status == "200 OK"
    assert response.body == b"note:" + body


def test_content_length_above_the_maximum_is_413_without_reading(app):
    response = request(
        app, "/edam/user", body=b"x" * 10, content_length=str(MAX_BYTES + 1)
    )

    assert response.code == 413
    assert response.headers["Content-Type"] == "application/x-thrift"
    assert response.reads == []
    exc = read_app_exception(response.body)
    assert exc.type == TApplicationException.PROTOCOL_ERROR


def test_body_without_content_length_is_read_up_to_the_maximum(app):
    body = b"y" * MAX_BYTES

    response = request(app, "/edam/user", body=body, content_length=None)

    assert response.status == "200 OK"
    assert response.body == b"user:" + body
    assert response.reads == [MAX_BYTES + 1]


def test_short_body_without_content_length_is_read_whole(app):
    response = request(app, "/shard/s1/notestore", body=b"tiny", content_length=None)

    assert_thrift_answer(response, b"note:tiny")


def test_body_without_content_length_above_the_maximum_is_413(app):
    response = request(
        app, "/edam/user", body=b"z" * (MAX_BYTES + 1), content_length=None
    )

    assert response.code == 413
    exc = read_app_exception(response.body)
    assert exc.type == TApplicationException.PROTOCOL_ERROR


@pytest.mark.parametrize("content_length", ["", "abc", "-1"])
def test_unusable_content_length_reads_up_to_the_maximum(app, content_length):
    response = request(app, "/edam/user", body=b"body", content_length=content_length)

    assert_thrift_answer(response, b"user:body")
    assert response.reads == [MAX_BYTES + 1]


def test_processor_reply_is_returned_verbatim(app):
    reply = bytes(range(256))
    app = ThriftHttpApp(lambda body: reply, lambda body: b"", 1024)

    response = request(app, "/edam/user", body=b"\x80\x01\x00\x01")

    assert response.status == "200 OK"
    assert_thrift_answer(response, reply)


def test_processor_sees_the_exact_body(app):
    seen = []
    app = ThriftHttpApp(lambda body: seen.append(body) or b"", None, 1024)
    body = b"\x80\x01\x00\x01\x00\x00\x00\x0bgetUserUrls\x00\x00\x00\x00\x00"

    request(app, "//edam/user", body=body)

    assert seen == [body]
