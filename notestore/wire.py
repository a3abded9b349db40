"""Just enough of the Thrift binary protocol to route a message unread.

The router looks at a NoteStore call's header and first argument (the
authentication token) and relays the bytes untouched; these helpers read
exactly that much and no more. Framing (a 4-byte big-endian length before
each message) is shared by the router's TCP front, the router's shard
connections and the shard server.
"""

import dataclasses
import struct

__all__ = [
    "CALL",
    "EXCEPTION",
    "ONEWAY",
    "REPLY",
    "Call",
    "FrameTooLarge",
    "ProtocolError",
    "check_message",
    "peek_call",
    "peek_result_field",
    "read_frame",
    "write_frame",
]

CALL, REPLY, EXCEPTION, ONEWAY = 1, 2, 3, 4

_VERSION_MASK = 0xFFFF0000
_VERSION_1 = 0x80010000
_T_STOP = 0
_T_STRING = 11
_MAX_NAME_BYTES = 256
_MAX_TOKEN_BYTES = 4096


class ProtocolError(Exception):
    """The bytes are not a Thrift binary-protocol message we can route."""


class FrameTooLarge(ProtocolError):
    """A frame announced more bytes than the configured maximum."""


@dataclasses.dataclass(frozen=True)
class Call:
    name: str
    type: int
    seqid: int
    token: object  # str, or None when argument 1 is not a string


def peek_call(data):
    """Read a message's header and, if present, its string argument 1.

    Raises `ProtocolError` when the header is malformed. Only the first
    field of the argument struct is looked at: every EDAM method that takes
    a token declares it as argument 1, and every client writes it first.
    """
    name, mtype, seqid, offset = _read_header(data)
    return Call(name, mtype, seqid, _read_first_string(data, offset))


def peek_result_field(data):
    """Which field a REPLY message's result struct holds first.

    Returns (message type, field id): 0 is the method's return value, a
    positive id one of its declared exceptions; the id is None for a
    message that is not a REPLY or a result that holds no field (a void
    method's success). Raises `ProtocolError` on a malformed header.
    """
    _name, mtype, _seqid, offset = _read_header(data)
    if mtype != REPLY or len(data) < offset + 3 or data[offset] == _T_STOP:
        return mtype, None
    (fid,) = struct.unpack_from("!h", data, offset + 1)
    return mtype, fid


def check_message(data, max_depth=64):
    """Check that a whole message is well-formed binary Thrift; return its `Call`.

    Walks every field without building anything. Raises `ProtocolError` for
    an unknown type, a length or element count that overruns the message,
    or nesting deeper than ``max_depth``. Decoders may then trust the
    message: no container can claim more elements than there are bytes.
    """
    name, mtype, seqid, offset = _read_header(data)
    token = _read_first_string(data, offset)
    end = _skip_struct(memoryview(data), offset, max_depth)
    if end != len(data):
        raise ProtocolError("bytes after the end of the message")
    return Call(name, mtype, seqid, token)


# The fewest bytes a value of each type takes; a container's element count
# times this must fit in what is left of the message.
_MIN_BYTES = {2: 1, 3: 1, 4: 8, 6: 2, 8: 4, 10: 8, 11: 4, 12: 1, 13: 6, 14: 5, 15: 5}
_FIXED_BYTES = {2: 1, 3: 1, 4: 8, 6: 2, 8: 4, 10: 8}
_T_STOP, _T_STRUCT, _T_MAP = 0, 12, 13


def _skip_struct(view, offset, depth):
    if depth <= 0:
        raise ProtocolError("message nested too deeply")
    while True:
        ftype = _byte(view, offset)
        if ftype == _T_STOP:
            return offset + 1
        offset = _skip_value(view, ftype, offset + 3, depth - 1)


def _skip_value(view, ttype, offset, depth):
    if ttype in _FIXED_BYTES:
        return _advance(view, offset, _FIXED_BYTES[ttype])
    if ttype == _T_STRING:
        return _advance(view, offset + 4, _length(view, offset))
    if ttype == _T_STRUCT:
        return _skip_struct(view, offset, depth)
    if ttype == _T_MAP:
        ktype, vtype = _element_type(view, offset), _element_type(view, offset + 1)
        count = _count(view, offset + 2, _MIN_BYTES[ktype] + _MIN_BYTES[vtype])
        offset += 6
        for _ in range(count):
            offset = _skip_value(view, ktype, offset, depth - 1)
            offset = _skip_value(view, vtype, offset, depth - 1)
        return offset
    if ttype in (14, 15):
        etype = _element_type(view, offset)
        count = _count(view, offset + 1, _MIN_BYTES[etype])
        offset += 5
        if etype in _FIXED_BYTES:
            return _advance(view, offset, count * _FIXED_BYTES[etype])
        for _ in range(count):
            offset = _skip_value(view, etype, offset, depth - 1)
        return offset
    raise ProtocolError(f"unknown field type {ttype}")


def _byte(view, offset):
    if offset >= len(view):
        raise ProtocolError("message ends inside a struct")
    return view[offset]


def _element_type(view, offset):
    ttype = _byte(view, offset)
    if ttype not in _MIN_BYTES:
        raise ProtocolError(f"unknown element type {ttype}")
    return ttype


def _length(view, offset):
    if offset + 4 > len(view):
        raise ProtocolError("message ends inside a length")
    (size,) = struct.unpack_from("!i", view, offset)
    if size < 0:
        raise ProtocolError("negative length")
    return size


def _count(view, offset, min_bytes_each):
    count = _length(view, offset)
    if count * min_bytes_each > len(view) - offset - 4:
        raise ProtocolError("container larger than the message")
    return count


def _advance(view, offset, size):
    if offset + size > len(view):
        raise ProtocolError("message ends inside a value")
    return offset + size


def _read_header(data):
    if len(data) < 4:
        raise ProtocolError("message shorter than its header")
    (word,) = struct.unpack_from("!i", data, 0)
    if word < 0:
        if (word & _VERSION_MASK) != _VERSION_1:
            raise ProtocolError("unsupported protocol version")
        mtype = word & 0xFF
        name, offset = _read_string(data, 4, _MAX_NAME_BYTES)
    else:
        # Old, non-strict clients send the name length first, then a type byte.
        name, offset = _read_string(data, 0, _MAX_NAME_BYTES)
        if offset >= len(data):
            raise ProtocolError("truncated message header")
        mtype, offset = data[offset], offset + 1
    if len(data) < offset + 4:
        raise ProtocolError("truncated message header")
    (seqid,) = struct.unpack_from("!i", data, offset)
    try:
        return name.decode("utf-8"), mtype, seqid, offset + 4
    except UnicodeDecodeError as exc:
        raise ProtocolError("method name is not UTF-8") from exc


def _read_string(data, offset, limit):
    if len(data) < offset + 4:
        raise ProtocolError("truncated string length")
    (size,) = struct.unpack_from("!i", data, offset)
    if size < 0 or size > limit or len(data) < offset + 4 + size:
        raise ProtocolError("bad string length")
    start = offset + 4
    return bytes(data[start : start + size]), start + size


def _read_first_string(data, offset):
    if len(data) < offset + 3:
        return None
    ftype = data[offset]
    (fid,) = struct.unpack_from("!h", data, offset + 1)
    if ftype != _T_STRING or fid != 1:
        return None
    try:
        raw, _ = _read_string(data, offset + 3, _MAX_TOKEN_BYTES)
        return raw.decode("utf-8")
    except (ProtocolError, UnicodeDecodeError):
        return None


def read_frame(recv_exactly, max_frame_bytes):
    """Read one frame with ``recv_exactly(n)``; None on a clean EOF.

    ``recv_exactly`` returns exactly n bytes, or fewer only at end of
    stream. Raises `FrameTooLarge` before reading an oversized body and
    `ProtocolError` for a frame cut short.
    """
    head = recv_exactly(4)
    if not head:
        return None
    if len(head) < 4:
        raise ProtocolError("connection closed inside a frame header")
    (size,) = struct.unpack("!i", head)
    if size < 0 or size > max_frame_bytes:
        raise FrameTooLarge(f"frame of {size} bytes")
    body = recv_exactly(size)
    if len(body) < size:
        raise ProtocolError("connection closed inside a frame")
    return body


def write_frame(sendall, payload):
    sendall(struct.pack("!i", len(payload)) + payload)


def recv_exactly_from(sock):
    """Return a ``recv_exactly`` function reading from a socket."""

    def recv_exactly(size):
        chunks, missing = [], size
        while missing:
            chunk = sock.recv(min(missing, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    return recv_exactly
