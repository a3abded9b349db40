"""The router's framed-TCP front, for our SDK and for load tests.

UserStore and NoteStore share one port: their method names do not overlap,
so the method name in each message's header picks the service.
"""

from notestore import framed, wire
from notestore.edam import UserStoreApi

__all__ = ["FramedFront"]


class FramedFront:
    def __init__(self, userstore_process, notestore_process, max_frame_bytes):
        self._userstore = userstore_process
        self._notestore = notestore_process
        self._max_frame_bytes = max_frame_bytes
        self._user_methods = frozenset(UserStoreApi.thrift_services)

    def handle(self, sock, peer):
        framed.serve_connection(sock, peer, self.process, self._max_frame_bytes)

    def process(self, data):
        try:
            name = wire.peek_call(data).name
        except wire.ProtocolError:
            name = None
        if name in self._user_methods:
            return self._userstore(data)
        return self._notestore(data)
