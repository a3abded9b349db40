"""Unit tests for notestore.wire: peeking at calls and reading frames."""

import struct

import pytest
from thriftpy2.protocol import TBinaryProtocol
from thriftpy2.thrift import TMessageType
from thriftpy2.transport import TMemoryBuffer

from notestore import wire
from notestore.edam import NoteStoreApi, Types, UserStoreApi
from notestore.wire import Call, FrameTooLarge, ProtocolError, peek_call, read_frame

pytestmark = pytest.mark.timeout(30)

TOKEN = "S=s1:U=1f:E=18c2:C=18b9:P=1ff:A=test:V=2:H=" + "ab" * 32
GUID = "0123abcd-0123-4567-89ab-0123456789ab"


def encode_call(service, name, seqid=0, strict=True, mtype=TMessageType.CALL, **args):
    """Encode a real call the way an EDAM client's thriftpy2 stub would."""
    buf = TMemoryBuffer()
    proto = TBinaryProtocol(buf, strict_write=strict)
    proto.write_message_begin(name, mtype, seqid)
    getattr(service, name + "_args")(**args).write(proto)
    proto.write_message_end()
    return buf.getvalue()


def get_note_call(strict=True, seqid=0, token=TOKEN):
    return encode_call(
        NoteStoreApi,
        "getNote",
        seqid=seqid,
        strict=strict,
        authenticationToken=token,
        guid=GUID,
        withContent=True,
    )


# peek_call ------------------------------------------------------------------


def test_strict_call_yields_name_type_seqid_and_token():
    data = get_note_call(strict=True, seqid=7)

    assert data[:4] == b"\x80\x01\x00\x01"
    assert peek_call(data) == Call("getNote", wire.CALL, 7, TOKEN)


def test_non_strict_call_yields_the_same():
    data = get_note_call(strict=False, seqid=7)

    assert data[:4] == struct.pack("!i", len("getNote"))
    assert peek_call(data) == Call("getNote", wire.CALL, 7, TOKEN)


def test_call_with_a_struct_argument_after_the_token():
    note = Types.Note(title="t", content="<en-note/>", tagNames=["a", "b"])
    data = encode_call(
        NoteStoreApi, "createNote", seqid=3, authenticationToken=TOKEN, note=note
    )

    assert peek_call(data) == Call("createNote", wire.CALL, 3, TOKEN)


def test_negative_and_large_seqids_survive():
    assert peek_call(get_note_call(seqid=-5)).seqid == -5
    assert peek_call(get_note_call(seqid=2**31 - 1)).seqid == 2**31 - 1


def test_oneway_message_type_is_reported():
    data = encode_call(
        NoteStoreApi, "getSyncState", mtype=TMessageType.ONEWAY, authenticationToken="t"
    )

    assert peek_call(data).type == wire.ONEWAY


def test_non_ascii_token_decodes():
    token = "S=s1:A=caf\u00e9"

    assert peek_call(get_note_call(token=token)).token == token


def test_only_the_header_and_first_argument_are_read():
    # Whatever follows the token, even bytes that do not parse, is not looked at.
    data = get_note_call()
    prefix_len = data.index(TOKEN.encode()) + len(TOKEN)

    assert peek_call(data[:prefix_len] + b"\xff\xff").token == TOKEN


def test_call_without_arguments_has_no_token():
    data = encode_call(UserStoreApi, "getBootstrapInfo")

    assert peek_call(data) == Call("getBootstrapInfo", wire.CALL, 0, None)


def test_first_argument_that_is_not_a_string_is_no_token():
    # getPublicNotebook(1: i32 userId, 2: string publicUri) has no token.
    data = encode_call(NoteStoreApi, "getPublicNotebook", userId=5, publicUri="x")

    assert peek_call(data).token is None


def test_string_in_a_field_other_than_one_is_no_token():
    # Without argument 1, getNote's first field is the guid, string id 2.
    data = encode_call(NoteStoreApi, "getNote", guid=GUID, withContent=True)

    assert peek_call(data) == Call("getNote", wire.CALL, 0, None)


def test_empty_argument_struct_has_no_token():
    data = encode_call(NoteStoreApi, "getSyncState")

    assert data.endswith(b"\x00\x00\x00\x00\x00")
    assert peek_call(data).token is None


def test_token_cut_short_is_no_token_not_an_error():
    data = get_note_call()
    cut = data.index(TOKEN.encode()) + 5

    assert peek_call(data[:cut]) == Call("getNote", wire.CALL, 0, None)


def test_token_that_is_not_utf8_is_no_token():
    data = get_note_call(token="x" * 8).replace(b"x" * 8, b"\xff" * 8)

    assert peek_call(data).token is None


def test_oversized_token_is_no_token():
    data = get_note_call(token="t" * 5000)

    assert peek_call(data).token is None


@pytest.mark.parametrize("cut", [0, 1, 3])
def test_shorter_than_a_header_word_is_a_protocol_error(cut):
    with pytest.raises(ProtocolError):
        peek_call(get_note_call()[:cut])


@pytest.mark.parametrize("strict", [True, False])
def test_every_truncated_header_is_a_protocol_error(strict):
    data = get_note_call(strict=strict)
    header_len = (4 if strict else 0) + 4 + len("getNote") + (0 if strict else 1) + 4

    for cut in range(header_len):
        with pytest.raises(ProtocolError):
            peek_call(data[:cut])
    assert peek_call(data[:header_len]).token is None


@pytest.mark.parametrize(
    "version", [b"\x80\x02\x00\x01", b"\x80\x00\x00\x01", b"\xff\xff\xff\xff"]
)
def test_wrong_version_is_a_protocol_error(version):
    data = version + get_note_call()[4:]

    with pytest.raises(ProtocolError):
        peek_call(data)


@pytest.mark.parametrize("size", [-1, -(2**31), 257, 2**31 - 1])
def test_bad_name_length_in_strict_header_is_a_protocol_error(size):
    data = b"\x80\x01\x00\x01" + struct.pack("!i", size) + b"getNote" + bytes(300)

    with pytest.raises(ProtocolError):
        peek_call(data)


@pytest.mark.parametrize("size", [257, 2**31 - 1])
def test_bad_name_length_in_non_strict_header_is_a_protocol_error(size):
    data = struct.pack("!i", size) + b"getNote" + bytes(300)

    with pytest.raises(ProtocolError):
        peek_call(data)


def test_name_of_maximum_length_is_accepted():
    name = "m" * 256
    data = b"\x80\x01\x00\x01" + struct.pack("!i", 256) + name.encode()
    data += struct.pack("!i", 1) + b"\x00"

    assert peek_call(data) == Call(name, wire.CALL, 1, None)


def test_name_that_is_not_utf8_is_a_protocol_error():
    data = b"\x80\x01\x00\x01" + struct.pack("!i", 2) + b"\xff\xfe"
    data += struct.pack("!i", 0) + b"\x00"

    with pytest.raises(ProtocolError):
        peek_call(data)


def test_frame_too_large_is_a_protocol_error():
    assert issubclass(FrameTooLarge, ProtocolError)


# read_frame -------------------------------------------------------------------


class FakeStream:
    """``recv_exactly`` over fixed bytes, recording every request size."""

    def __init__(self, data):
        self._data = data
        self._offset = 0
        self.requests = []

    def recv_exactly(self, size):
        self.requests.append(size)
        chunk = self._data[self._offset : self._offset + size]
        self._offset += len(chunk)
        return chunk


def frame(payload):
    return struct.pack("!i", len(payload)) + payload


def test_frame_body_is_returned():
    stream = FakeStream(frame(b"hello"))

    assert read_frame(stream.recv_exactly, 100) == b"hello"
    assert stream.requests == [4, 5]


def test_consecutive_frames_are_read_in_order():
    stream = FakeStream(frame(b"one") + frame(b"") + frame(b"three"))

    frames = [read_frame(stream.recv_exactly, 100) for _ in range(4)]

    assert frames == [b"one", b"", b"three", None]


def test_clean_eof_before_a_frame_is_none():
    stream = FakeStream(b"")

    assert read_frame(stream.recv_exactly, 100) is None


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_eof_inside_the_length_is_a_protocol_error(cut):
    stream = FakeStream(frame(b"hello")[:cut])

    with pytest.raises(ProtocolError):
        read_frame(stream.recv_exactly, 100)


def test_eof_inside_the_body_is_a_protocol_error():
    stream = FakeStream(frame(b"hello")[:-1])

    with pytest.raises(ProtocolError) as info:
        read_frame(stream.recv_exactly, 100)
    assert not isinstance(info.value, FrameTooLarge)


def test_frame_of_exactly_the_maximum_is_accepted():
    stream = FakeStream(frame(b"x" * 64))

    assert read_frame(stream.recv_exactly, 64) == b"x" * 64


@pytest.mark.parametrize("size", [65, 2**31 - 1])
def test_oversized_frame_is_refused_before_its_body_is_read(size):
    stream = FakeStream(struct.pack("!i", size) + b"x" * 100)

    with pytest.raises(FrameTooLarge):
        read_frame(stream.recv_exactly, 64)
    assert stream.requests == [4]


@pytest.mark.parametrize("size", [-1, -(2**31)])
def test_negative_frame_length_is_refused_before_reading(size):
    stream = FakeStream(struct.pack("!i", size) + b"x" * 100)

    with pytest.raises(ProtocolError):
        read_frame(stream.recv_exactly, 64)
    assert stream.requests == [4]


def test_write_frame_is_read_back():
    sent = []

    wire.write_frame(sent.append, b"payload")

    assert b"".join(sent) == frame(b"payload")
    assert read_frame(FakeStream(b"".join(sent)).recv_exactly, 100) == b"payload"


# check_message: the whole-message walk that guards the decoders ------------


def _create_note_call():
    note = Types.Note(
        title="t",
        tagNames=["a", "b"],
        attributes=Types.NoteAttributes(latitude=1.5, classifications={"k": "v"}),
    )
    return encode_call(NoteStoreApi, "createNote", authenticationToken=TOKEN, note=note)


def test_check_message_accepts_a_real_call_and_reads_its_header():
    call = wire.check_message(_create_note_call())

    assert (call.name, call.token) == ("createNote", TOKEN)


def test_check_message_refuses_every_truncation():
    data = _create_note_call()
    for cut in range(len(data)):
        with pytest.raises(ProtocolError):
            wire.check_message(data[:cut])


def test_check_message_refuses_trailing_bytes():
    with pytest.raises(ProtocolError, match="after the end"):
        wire.check_message(_create_note_call() + b"\x00")


def test_check_message_refuses_an_unknown_field_type():
    header = encode_call(NoteStoreApi, "getSyncState")[:-1]  # drop the STOP

    with pytest.raises(ProtocolError, match="unknown field type"):
        wire.check_message(header + b"\x07\x00\x01\x00")


@pytest.mark.parametrize("etype", [b"\x00", b"\x01", b"\x10"])
def test_check_message_refuses_an_unknown_element_type(etype):
    header = encode_call(NoteStoreApi, "getSyncState")[:-1]
    field = b"\x0f\x00\x02" + etype + struct.pack("!i", 2**31 - 1)

    with pytest.raises(ProtocolError, match="unknown element type"):
        wire.check_message(header + field + b"\x00")


def test_check_message_refuses_a_count_larger_than_the_message():
    header = encode_call(NoteStoreApi, "getSyncState")[:-1]
    field = b"\x0f\x00\x02\x08" + struct.pack("!i", 1000) + b"\x00" * 16

    with pytest.raises(ProtocolError, match="larger than the message"):
        wire.check_message(header + field + b"\x00")


def test_check_message_refuses_deep_nesting():
    header = encode_call(NoteStoreApi, "getSyncState")[:-1]
    nested = b"\x0c\x00\x01" * 100 + b"\x00" * 101

    with pytest.raises(ProtocolError, match="nested too deeply"):
        wire.check_message(header + nested)
