"""A small Python SDK for NoteStore, over the router's framed TCP front.

    from notestore.client import connect
    from notestore.edam import Types

    with connect("127.0.0.1", 9090, token) as session:
        note = session.note_store.createNote(Types.Note(title="Hi", content=enml))
        user = session.user_store.getUser()

Both stores take the IDL arguments after the token: the session passes its
token as argument 1 of every call that takes one. ``session.raw_note_store`` and
``session.raw_user_store`` take every argument, token included. Calls raise
the EDAM exceptions of the IDL (``notestore.edam.Errors``). A session is one
connection: use it from one thread or greenlet at a time.
"""

import functools

from thriftpy2.protocol import TBinaryProtocol
from thriftpy2.thrift import TClient
from thriftpy2.transport import TFramedTransport, TSocket

from notestore.edam import NoteStoreApi, UserStoreApi

__all__ = ["Session", "connect"]

DEFAULT_TIMEOUT_MS = 30_000


def connect(host, port, token=None, timeout_ms=DEFAULT_TIMEOUT_MS):
    """Open a framed connection to a router and return a `Session`.

    Blocks up to ``timeout_ms`` to connect. Raises
    ``thriftpy2.transport.TTransportException`` when it cannot.
    """
    sock = TSocket(host, port, socket_timeout=timeout_ms, connect_timeout=timeout_ms)
    transport = TFramedTransport(sock)
    transport.open()
    return Session(transport, token)


class Session:
    def __init__(self, transport, token):
        self._transport = transport
        self.token = token
        protocol = TBinaryProtocol(transport)
        # One connection carries both services: the router picks the
        # service by method name.
        self.raw_note_store = TClient(NoteStoreApi, protocol)
        self.raw_user_store = TClient(UserStoreApi, protocol)

    @property
    def note_store(self):
        return _WithToken(self.raw_note_store, NoteStoreApi, self)

    @property
    def user_store(self):
        return _WithToken(self.raw_user_store, UserStoreApi, self)

    def close(self):
        self._transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class _WithToken:
    def __init__(self, client, api, session):
        self._client = client
        self._api = api
        self._session = session

    def __getattr__(self, name):
        method = getattr(self._client, name)
        args = getattr(self._api, name + "_args")
        if args.thrift_spec.get(1, (None, None))[1] != "authenticationToken":
            return method
        return functools.partial(method, self._session.token)
