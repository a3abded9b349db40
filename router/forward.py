"""Relay NoteStore calls to the primary of the caller's shard.

Only the message header and argument 1 (the token) are read; the message
itself travels to the shard byte for byte and the shard's reply comes back
the same way. The router answers on its own only when it cannot relay: a
bad or revoked token, an unknown shard, a caller over its rate limit, or no
primary within the failover wait.
"""

import logging
import time

from notestore import auth, dispatch, errors, metrics, tokens, wire
from notestore.edam import Errors, NoteStoreApi, TApplicationException
from notestore.ratelimit import RateLimiter
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
    """``limiter`` counts calls per user and application (the token's U and
    A fields), as Evernote limits each API key per user."""

    def __init__(
        self,
        signer,
        shard_map,
        connections,
        revoked,
        failover_wait_s,
        limiter=None,
        registry=None,
    ):
        self._signer = signer
        self._shard_map = shard_map
        self._connections = connections
        self._revoked = revoked
        self._failover_wait_s = failover_wait_s
        self._limiter = limiter or RateLimiter(0, 1)
        registry = registry or metrics.Registry()
        self._refused = registry.counter(
            "notestore_router_refused_calls_total",
            "NoteStore calls the router answered itself, by reason.",
            ("reason",),
        )
        self._retries = registry.counter(
            "notestore_router_retries_total",
            "Calls sent again after a shard refused them before any work"
            " (not primary, connection refused, a read without an answer).",
            ("shard",),
        )

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
            code = getattr(exc, "errorCode", None)
            reason = Errors.EDAMErrorCode._VALUES_TO_NAMES.get(code, "NOT_FOUND")
            self._refused.inc(reason=reason)
            return dispatch.encode_error_reply(NoteStoreApi, call.name, call.seqid, exc)

    def _route(self, call):
        parsed = auth.check_token(self._signer, call.token)
        if tokens.token_digest(call.token) in self._revoked:
            raise auth.invalid_auth()
        if not self._shard_map.known(parsed.shard_id):
            # Genuinely signed, but for a shard this cluster does not have.
            raise auth.invalid_auth()
        wait_s = self._limiter.spend((parsed.user_id, parsed.app))
        if wait_s:
            raise errors.system_error(
                "RATE_LIMIT_REACHED",
                f"more than {self._limiter.limit} calls in"
                f" {self._limiter.window_s:g} s",
                rate_limit_duration_s=wait_s,
            )
        return parsed.shard_id

    def _relay(self, call, shard_id, data):
        """Send ``data`` to the shard's primary, retrying while that is safe.

        A refusal before any work (connection refused, "not primary") is
        retried until the failover deadline: with the next primary as soon
        as ZooKeeper names one, and otherwise with the same node after a
        short, growing pause (a newly elected node may refuse for the few
        milliseconds before it learns it has won). A write whose fate is
        unknown is never retried.
        """
        deadline = _now() + self._failover_wait_s
        primary = self._shard_map.wait_primary(shard_id, self._failover_wait_s)
        pause_s = _FIRST_PAUSE_S
        while primary is not None:
            reply = self._attempt(call, shard_id, primary, data)
            if reply is not None:
                return reply
            remaining = deadline - _now()
            if remaining <= 0:
                break
            self._retries.inc(shard=shard_id)
            moved = self._shard_map.wait_primary(
                shard_id, min(pause_s, remaining), not_this=primary
            )
            primary = moved or self._shard_map.wait_primary(shard_id, remaining)
            pause_s = min(pause_s * 2, _MAX_PAUSE_S)
        raise errors.system_error("SHARD_UNAVAILABLE", f"no primary for {shard_id}")

    def _attempt(self, call, shard_id, primary, data):
        """The reply, or None when the call was refused before any work."""
        try:
            reply = self._connections.call(primary["host"], primary["port"], data)
        except NotDelivered as exc:
            log.warning("shard %s primary unreachable: %s", shard_id, exc)
            return None
        except Uncertain as exc:
            if call.name not in READ_ONLY:
                log.warning(
                    "write %s to %s had no answer: %s", call.name, shard_id, exc
                )
                raise errors.system_error(
                    "SHARD_UNAVAILABLE", "the shard did not answer"
                ) from exc
            return None
        return None if _is_not_primary(call.name, reply) else reply


_FIRST_PAUSE_S = 0.005
_MAX_PAUSE_S = 0.1


def _now():
    return time.monotonic()


_NOT_PRIMARY_BYTES = errors.NOT_PRIMARY.encode()
_REFUSAL_MAX_BYTES = 256


def _is_not_primary(name, reply):
    if len(reply) > _REFUSAL_MAX_BYTES or _NOT_PRIMARY_BYTES not in reply:
        return False
    result = dispatch.decode_reply(NoteStoreApi, name, reply)
    exc = getattr(result, "systemException", None)
    return exc is not None and exc.message == errors.NOT_PRIMARY
