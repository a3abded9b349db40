"""The router's HTTP front: one Thrift message per POST, as EDAM clients send.

Every answer to a Thrift request is ``200`` with ``application/x-thrift``,
errors included: clients never look at the status and crash on a body that
is not Thrift. Repeated slashes collapse (``//edam/user`` is common).
``GET /metrics`` answers the router's metrics for Prometheus.
"""

import logging
import re

from notestore import dispatch, metrics
from notestore.edam import TApplicationException

__all__ = ["ThriftHttpApp"]

log = logging.getLogger(__name__)

_SLASHES = re.compile(r"/{2,}")
_NOTE_PATHS = (
    re.compile(r"/edam/note/(?P<shard>[^/]+)/?"),
    re.compile(r"/shard/(?P<shard>[^/]+)/notestore/?"),
)
_USER_PATH = re.compile(r"/edam/user/?")
_THRIFT = [("Content-Type", "application/x-thrift")]


class ThriftHttpApp:
    """A WSGI application over two processors: UserStore and NoteStore.

    NoteStore calls are routed by the token, not by the shard in the path:
    a client that built its URL from a stale shard still reaches its data.
    """

    def __init__(
        self, userstore_process, notestore_process, max_message_bytes, registry=None
    ):
        self._userstore = userstore_process
        self._notestore = notestore_process
        self._max_message_bytes = max_message_bytes
        self._registry = registry

    def __call__(self, environ, start_response):
        path = _SLASHES.sub("/", environ.get("PATH_INFO") or "/")
        if path == "/metrics" and self._registry is not None:
            if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
                return _plain(start_response, "405 Method Not Allowed", "GET it\n")
            return metrics.serve(start_response, self._registry)
        process = self._route(path)
        if process is None:
            return _plain(start_response, "404 Not Found", "no such endpoint\n")
        if environ["REQUEST_METHOD"] != "POST":
            return _plain(
                start_response, "405 Method Not Allowed", "POST a Thrift message\n"
            )
        body = self._read_body(environ)
        if body is None:
            reply = dispatch.encode_app_exception(
                "", 0, TApplicationException.PROTOCOL_ERROR, "message too large"
            )
            return _thrift(start_response, "413 Payload Too Large", reply)
        return _thrift(start_response, "200 OK", process(body))

    def _route(self, path):
        if _USER_PATH.fullmatch(path):
            return self._userstore
        if any(pattern.fullmatch(path) for pattern in _NOTE_PATHS):
            return self._notestore
        return None

    def _read_body(self, environ):
        stream = environ["wsgi.input"]
        try:
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            length = -1
        if length > self._max_message_bytes:
            return None
        if length >= 0:
            return stream.read(length)
        body = stream.read(self._max_message_bytes + 1)
        return body if len(body) <= self._max_message_bytes else None


def _thrift(start_response, status, body):
    headers = _THRIFT + [("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [body]


def _plain(start_response, status, text):
    body = text.encode()
    start_response(
        status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
    )
    return [body]
