"""The shard's NoteStore endpoint: framed binary Thrift over TCP."""

import logging

from gevent.server import StreamServer

from notestore import dispatch, errors, framed, wire
from notestore.edam import NoteStoreApi
from notestore.noteservice import NoteStoreService
from notestore.tokens import TokenSigner

__all__ = ["ShardServer"]

log = logging.getLogger(__name__)


class ShardServer:
    """Serves one node's NoteStore; only the primary answers calls."""

    def __init__(self, config, storage, coordinator):
        self._config = config
        self._storage = storage
        self._coordinator = coordinator
        service = NoteStoreService(
            config.shard_id, TokenSigner(config.secret), storage, self._write
        )
        self._dispatcher = dispatch.Dispatcher(NoteStoreApi, service)
        self._server = StreamServer((config.host, config.port), self._handle)

    @property
    def address(self):
        host, port = self._server.address[:2]
        return {"host": host, "port": port}

    def start(self):
        self._server.start()
        log.info("serving NoteStore on %s:%d", *self._server.address[:2])

    def stop(self):
        self._server.stop(timeout=2)

    def _handle(self, sock, peer):
        framed.serve_connection(sock, peer, self.process, self._config.max_frame_bytes)

    def process(self, data):
        """Answer one request message; refuse it unread unless primary."""
        if self._coordinator.writable:
            return self._dispatcher.process(data)
        try:
            call = wire.peek_call(data)
        except wire.ProtocolError:
            return self._dispatcher.process(data)
        refusal = errors.system_error("SHARD_UNAVAILABLE", errors.NOT_PRIMARY)
        return dispatch.encode_error_reply(NoteStoreApi, call.name, call.seqid, refusal)

    def _write(self, record):
        # Checked again at commit time: leadership may have been lost while
        # the call was being validated.
        if not self._coordinator.writable:
            raise errors.system_error("SHARD_UNAVAILABLE", errors.NOT_PRIMARY)
        return self._storage.commit(self._coordinator.epoch, record)
