"""Relay NoteStore calls to the primary of the caller's shard.

Only the message header and argument 1 (the token) are read; the message
itself travels to the shard byte for byte and the shard's reply comes back
the same way. The router answers on its own only when it cannot relay: a
bad or revoked token, an unknown shard, or no primary within the failover
wait.
"""

import logging

import gevent

from notestore import auth, dispatch, errors, tokens, wire
from notestore.edam import Errors, NoteStoreApi, TApplicationException
from router.pool import NotDelivered, Uncertain

__all__ = ["NoteStoreForwarder"]

log = logging.getLogger(__name__)

_EDAM_ERRORS = (
    Errors.EDAMUserException,
    Errors.EDAMSystemException,
    Errors.EDAMNotFoundException,
)

# Calls that change nothing may be sent again after an uncertain failure.
READ_ONLY = frozenset(
    name
    for name in NoteStoreApi.thrift_services
    if name.startswith(("get", "list", "find"))
)


class NoteStoreForwarder:
    def __init__(self, signer, shard_map, connections, revoked, failover_wait_s):
        self._signer = signer
        self._shard_map = shard_map
        self._connections = connections
        self._revoked = revoked
        self._failover_wait_s = failover_wait_s

    def process(self, data):
        """Return the reply to one NoteStore request message."""
        try:
            call = wire.peek_call(data)
        except wire.ProtocolError as exc:
            kind = TApplicationException.PROTOCOL_ERROR
            return dispatch.encode_app_exception("", 0, kind, str(exc))
        if call.name not in NoteStoreApi.thrift_services:
            kind = TApplicationException.UNKNOWN_METHOD
            message = f"unknown method {call.name}"
            return dispatch.encode_app_exception(call.name, call.seqid, kind, message)
        try:
            shard_id = self._route(call)
            return self._relay(call, shard_id, data)
        except _EDAM_ERRORS as exc:
            return dispatch.encode_error_reply(NoteStoreApi, call.name, call.seqid, exc)

    def _route(self, call):
        parsed = auth.check_token(self._signer, call.token)
        if tokens.token_digest(call.token) in self._revoked:
            raise auth.invalid_auth()
        if not self._shard_map.known(parsed.shard_id):
            # Genuinely signed, but for a shard this cluster does not have.
            raise auth.invalid_auth()
        return parsed.shard_id

    def _relay(self, call, shard_id, data):
        deadline = gevent.get_hub().loop.now() + self._failover_wait_s
        refused_by = None
        while True:
            remaining = deadline - gevent.get_hub().loop.now()
            primary = self._shard_map.wait_primary(
                shard_id, max(remaining, 0), refused_by
            )
            if primary is None:
                raise errors.system_error(
                    "SHARD_UNAVAILABLE", f"no primary for {shard_id}"
                )
            try:
                reply = self._connections.call(primary["host"], primary["port"], data)
            except NotDelivered as exc:
                log.warning("shard %s primary unreachable: %s", shard_id, exc)
                refused_by = self._retry_after(shard_id, primary, deadline)
                continue
            except Uncertain as exc:
                if call.name not in READ_ONLY:
                    log.warning(
                        "write %s to %s had no answer: %s", call.name, shard_id, exc
                    )
                    raise errors.system_error(
                        "SHARD_UNAVAILABLE", "the shard did not answer"
                    ) from exc
                refused_by = self._retry_after(shard_id, primary, deadline)
                continue
            if not _is_not_primary(call.name, reply):
                return reply
            refused_by = self._retry_after(shard_id, primary, deadline)

    def _retry_after(self, shard_id, primary, deadline):
        # The next attempt waits until ZooKeeper names another primary (or
        # the same node in a new epoch), up to the failover deadline.
        if gevent.get_hub().loop.now() >= deadline:
            raise errors.system_error("SHARD_UNAVAILABLE", f"no primary for {shard_id}")
        return primary


_NOT_PRIMARY_BYTES = errors.NOT_PRIMARY.encode()
_REFUSAL_MAX_BYTES = 256


def _is_not_primary(name, reply):
    if len(reply) > _REFUSAL_MAX_BYTES or _NOT_PRIMARY_BYTES not in reply:
        return False
    result = dispatch.decode_reply(NoteStoreApi, name, reply)
    exc = getattr(result, "systemException", None)
    return exc is not None and exc.message == errors.NOT_PRIMARY
