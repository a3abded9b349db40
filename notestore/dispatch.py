"""Turn one Thrift request message into one reply message.

`Dispatcher` decodes a binary-protocol CALL with thriftpy2, calls the
handler method of the same name and encodes the reply. It never raises for
anything a client sent: an undecodable message, a method the IDL does not
declare and a declared method the handler does not serve all become a
``TApplicationException`` reply; an unexpected failure inside the handler
becomes ``EDAMSystemException(INTERNAL_ERROR)`` where the method declares
one. The connection carrying the message stays usable either way.
"""

import logging

from thriftpy2.protocol import TBinaryProtocol
from thriftpy2.protocol.binary import TBinaryProtocol as TPyBinaryProtocol
from thriftpy2.thrift import TApplicationException, TMessageType
from thriftpy2.transport import TMemoryBuffer

from notestore import wire
from notestore.edam import Errors

__all__ = [
    "Dispatcher",
    "decode_reply",
    "encode_app_exception",
    "encode_error_reply",
    "encode_reply",
    "reply_outcome",
]

log = logging.getLogger(__name__)


class _Undecodable(Exception):
    pass


class _StrictBuffer:
    """A read-only transport that refuses to read past the message's end.

    thriftpy2's own memory buffer answers a read beyond its end with short
    (or, in its compiled form, stale) bytes, so a truncated message could
    decode into plausible-looking garbage. Here it is an error. Decoding
    uses thriftpy2's pure-Python protocol, which reads through ``read``.
    """

    def __init__(self, data):
        self._data = memoryview(data)
        self._offset = 0

    def read(self, size):
        end = self._offset + size
        if size < 0 or end > len(self._data):
            raise ValueError("read past the end of the message")
        chunk = self._data[self._offset : end].tobytes()
        self._offset = end
        return chunk


class Dispatcher:
    """Serve the methods of ``service`` (a thriftpy2 service) with ``handler``.

    The handler is a plain object whose methods take the IDL arguments in
    order and return the result or raise a declared EDAM exception.
    """

    def __init__(self, service, handler):
        self._service = service
        self._handler = handler
        self._methods = frozenset(service.thrift_services)

    def serves(self, name):
        return name in self._methods and callable(getattr(self._handler, name, None))

    def process(self, data):
        """Return the reply bytes for one request message."""
        try:
            name, mtype, seqid, args = self._decode(data)
        except _Undecodable as exc:
            name, seqid = exc.args
            return encode_app_exception(
                name, seqid, TApplicationException.PROTOCOL_ERROR, "bad message"
            )
        if mtype not in (TMessageType.CALL, TMessageType.ONEWAY):
            kind = TApplicationException.INVALID_MESSAGE_TYPE
            return encode_app_exception(name, seqid, kind, "expected a CALL")
        if args is None or not self.serves(name):
            kind = TApplicationException.UNKNOWN_METHOD
            return encode_app_exception(name, seqid, kind, f"unknown method {name}")
        return self._call(name, seqid, args)

    def _decode(self, data):
        # thriftpy2 trusts lengths and element counts: a short message or a
        # container claiming two billion elements would make it read stale
        # bytes or spin. Our own walk of the message refuses both first.
        try:
            call = wire.peek_call(data)
        except wire.ProtocolError as exc:
            raise _Undecodable("", 0) from exc
        name, seqid = call.name, call.seqid
        try:
            wire.check_message(data)
        except wire.ProtocolError as exc:
            raise _Undecodable(name, seqid) from exc
        # strict_decode: a string that is not UTF-8 is a malformed message,
        # not bytes for the handler (binary fields still arrive as bytes).
        proto = TPyBinaryProtocol(
            _StrictBuffer(data), strict_read=False, strict_decode=True
        )
        try:
            name, mtype, seqid = proto.read_message_begin()
            if name not in self._methods:
                return name, mtype, seqid, None
            args = getattr(self._service, name + "_args")()
            args.read(proto)
        except Exception as exc:
            # Anything the decoder trips over is the client's malformed
            # message; the caller answers PROTOCOL_ERROR and carries on.
            raise _Undecodable(name, seqid) from exc
        return name, mtype, seqid, args

    def _call(self, name, seqid, args):
        result = getattr(self._service, name + "_result")()
        values = [getattr(args, spec[1]) for spec in args.thrift_spec.values()]
        try:
            result.success = getattr(self._handler, name)(*values)
        except TApplicationException as exc:
            return encode_app_exception(name, seqid, exc.type, exc.message)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a reply
            if not _store_declared(result, exc):
                return self._internal_error(name, seqid, result, exc)
        try:
            return encode_reply(name, seqid, result)
        except Exception as exc:  # noqa: BLE001 - a result the IDL cannot carry
            fresh = getattr(self._service, name + "_result")()
            return self._internal_error(name, seqid, fresh, exc)

    def _internal_error(self, name, seqid, result, exc):
        log.exception("%s failed with an unexpected error", name)
        system_error = Errors.EDAMSystemException(
            errorCode=Errors.EDAMErrorCode.INTERNAL_ERROR,
            message=f"internal error: {type(exc).__name__}",
        )
        if _store_declared(result, system_error):
            return encode_reply(name, seqid, result)
        kind = TApplicationException.INTERNAL_ERROR
        return encode_app_exception(name, seqid, kind, "internal error")


def _store_declared(result, exc):
    for spec in result.thrift_spec.values():
        field, cls = spec[1], spec[2] if len(spec) > 2 else None
        if field != "success" and isinstance(cls, type) and isinstance(exc, cls):
            setattr(result, field, exc)
            return True
    return False


def encode_reply(name, seqid, result):
    """Encode a ``<method>_result`` struct as a REPLY message."""
    buf = TMemoryBuffer()
    proto = TBinaryProtocol(buf)
    proto.write_message_begin(name, TMessageType.REPLY, seqid)
    result.write(proto)
    return buf.getvalue()


def decode_reply(service, name, data):
    """Decode a REPLY message of ``service.name`` into its result struct.

    Raises ``ValueError`` (or a thriftpy2 error) when ``data`` is malformed.
    """
    proto = TPyBinaryProtocol(_StrictBuffer(data), strict_read=False)
    proto.read_message_begin()
    result = getattr(service, name + "_result")()
    result.read(proto)
    return result


def reply_outcome(service, name, data):
    """Name what a reply to ``service.name`` carries, for metrics: "success",
    the declared exception's field name ("userException", ...), or
    "applicationException" (also for a reply that cannot be read)."""
    try:
        mtype, fid = wire.peek_result_field(data)
    except wire.ProtocolError:
        return "applicationException"
    if mtype != wire.REPLY:
        return "applicationException"
    if fid is None or fid == 0:
        return "success"
    result = getattr(service, name + "_result", None)
    spec = result.thrift_spec.get(fid) if result is not None else None
    return spec[1] if spec is not None else "applicationException"


def encode_app_exception(name, seqid, kind, message):
    """Encode a TApplicationException as an EXCEPTION message."""
    buf = TMemoryBuffer()
    proto = TBinaryProtocol(buf)
    proto.write_message_begin(name, TMessageType.EXCEPTION, seqid)
    TApplicationException(kind, message).write(proto)
    return buf.getvalue()


def encode_error_reply(service, name, seqid, exc):
    """Answer a call of ``service.name`` with ``exc`` in its declared slot.

    Used where a call is refused before it is decoded (the router's token
    check, a shard that is not primary). Falls back to a
    TApplicationException when the method declares no slot for ``exc``.
    """
    result_cls = getattr(service, name + "_result", None)
    if result_cls is not None:
        result = result_cls()
        if _store_declared(result, exc):
            return encode_reply(name, seqid, result)
    kind = TApplicationException.INTERNAL_ERROR
    return encode_app_exception(name, seqid, kind, str(exc))
