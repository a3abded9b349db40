"""Unit tests for notestore.dispatch: one request message in, one reply out."""

import pytest
from thriftpy2.protocol import TBinaryProtocol
from thriftpy2.thrift import TApplicationException, TMessageType
from thriftpy2.transport import TMemoryBuffer

from notestore import dispatch, errors
from notestore.dispatch import Dispatcher
from notestore.edam import Errors, NoteStoreApi, Types

pytestmark = pytest.mark.timeout(30)

GUID = "0123abcd-0123-4567-89ab-0123456789ab"
MISSING_GUID = "ffffffff-ffff-ffff-ffff-ffffffffffff"
CODES = Errors.EDAMErrorCode


class TinyHandler:
    """Serves three NoteStore methods and records what it was called with."""

    def __init__(self):
        self.calls = []

    def getNoteContent(self, authenticationToken, guid):
        self.calls.append(("getNoteContent", authenticationToken, guid))
        if guid == MISSING_GUID:
            raise errors.not_found("Note.guid", guid)
        if authenticationToken == "bad":
            raise errors.user_error("INVALID_AUTH", "authenticationToken")
        return f"<en-note>{guid}</en-note>"

    def getSyncState(self, authenticationToken):
        self.calls.append(("getSyncState", authenticationToken))
        raise KeyError("a bug in the handler")

    def getPublicNotebook(self, userId, publicUri):
        self.calls.append(("getPublicNotebook", userId, publicUri))
        if publicUri == "app-error":
            raise TApplicationException(TApplicationException.UNKNOWN, "nope")
        raise errors.user_error("BAD_DATA_FORMAT", "publicUri")

    def getResourceByHash(self, authenticationToken, noteGuid, contentHash, *flags):
        self.calls.append(("getResourceByHash", noteGuid, contentHash))
        return Types.Resource(guid=GUID)

    def getNoteTagNames(self, authenticationToken, guid):
        return ["fine", 7]  # not a list<string>: the reply cannot be encoded

    def findRelated(self):
        raise AssertionError("an IDL method that is not callable as declared")

    notAnIdlMethod = getSyncState


@pytest.fixture
def handler():
    return TinyHandler()


@pytest.fixture
def dispatcher(handler):
    return Dispatcher(NoteStoreApi, handler)


def encode_call(name, seqid=0, mtype=TMessageType.CALL, strict=True, **args):
    buf = TMemoryBuffer()
    proto = TBinaryProtocol(buf, strict_write=strict)
    proto.write_message_begin(name, mtype, seqid)
    getattr(NoteStoreApi, name + "_args")(**args).write(proto)
    proto.write_message_end()
    return buf.getvalue()


def encode_raw(name, mtype, seqid, body):
    buf = TMemoryBuffer()
    TBinaryProtocol(buf).write_message_begin(name, mtype, seqid)
    return buf.getvalue() + body


def content_call(seqid=0, token="tok", guid=GUID, strict=True):
    return encode_call(
        "getNoteContent",
        seqid=seqid,
        strict=strict,
        authenticationToken=token,
        guid=guid,
    )


def read_message(data):
    """Return (name, type, seqid, proto) with the proto at the body."""
    proto = TBinaryProtocol(TMemoryBuffer(data), strict_read=False)
    name, mtype, seqid = proto.read_message_begin()
    return name, mtype, seqid, proto


def read_app_exception(data):
    name, mtype, seqid, proto = read_message(data)
    assert mtype == TMessageType.EXCEPTION
    exc = TApplicationException()
    exc.read(proto)
    return name, seqid, exc


# Served methods ---------------------------------------------------------------


def test_served_method_returns_its_result(dispatcher, handler):
    reply = dispatcher.process(content_call(seqid=11))

    name, mtype, seqid, _ = read_message(reply)
    assert (name, mtype, seqid) == ("getNoteContent", TMessageType.REPLY, 11)
    result = dispatch.decode_reply(NoteStoreApi, "getNoteContent", reply)
    assert result.success == f"<en-note>{GUID}</en-note>"
    assert result.userException is None
    assert handler.calls == [("getNoteContent", "tok", GUID)]


def test_non_strict_request_is_served(dispatcher):
    reply = dispatcher.process(content_call(seqid=4, strict=False))

    result = dispatch.decode_reply(NoteStoreApi, "getNoteContent", reply)
    assert result.success == f"<en-note>{GUID}</en-note>"
    assert read_message(reply)[2] == 4


def test_missing_arguments_arrive_as_none(dispatcher, handler):
    dispatcher.process(encode_call("getNoteContent", guid=GUID))

    assert handler.calls == [("getNoteContent", None, GUID)]


def test_user_exception_lands_in_its_slot(dispatcher):
    reply = dispatcher.process(content_call(token="bad"))

    result = dispatch.decode_reply(NoteStoreApi, "getNoteContent", reply)
    assert result.success is None
    exc = result.userException
    assert (exc.errorCode, exc.parameter) == (
        CODES.INVALID_AUTH,
        "authenticationToken",
    )


def test_not_found_exception_lands_in_its_slot(dispatcher):
    reply = dispatcher.process(content_call(guid=MISSING_GUID))

    result = dispatch.decode_reply(NoteStoreApi, "getNoteContent", reply)
    exc = result.notFoundException
    assert (exc.identifier, exc.key) == ("Note.guid", MISSING_GUID)
    assert result.userException is None


def test_served_reports_what_the_handler_has(dispatcher):
    assert dispatcher.serves("getNoteContent")
    assert not dispatcher.serves("getNote")
    assert not dispatcher.serves("notAnIdlMethod")


# Unknown methods --------------------------------------------------------------


def test_idl_method_the_handler_lacks_is_unknown_method(dispatcher):
    data = encode_call("getNote", seqid=6, authenticationToken="t", guid=GUID)

    name, seqid, exc = read_app_exception(dispatcher.process(data))

    assert (name, seqid) == ("getNote", 6)
    assert exc.type == TApplicationException.UNKNOWN_METHOD
    assert "getNote" in exc.message


def test_name_not_in_the_idl_is_unknown_method(dispatcher, handler):
    data = encode_raw("notAnIdlMethod", TMessageType.CALL, 9, b"\x00")

    name, seqid, exc = read_app_exception(dispatcher.process(data))

    assert (name, seqid) == ("notAnIdlMethod", 9)
    assert exc.type == TApplicationException.UNKNOWN_METHOD
    assert handler.calls == []


def test_unknown_method_leaves_the_dispatcher_usable(dispatcher):
    dispatcher.process(encode_raw("nope", TMessageType.CALL, 1, b"\x00"))

    reply = dispatcher.process(content_call())

    assert dispatch.decode_reply(NoteStoreApi, "getNoteContent", reply).success


# Malformed requests -----------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00",
        b"hello world, this is not thrift",
        b"\xff\xff\xff\xff\xff\xff\xff\xff",
        b"\x80\x01\x00\x01\xff\xff\xff\xff",
        b"\x80\x02\x00\x01\x00\x00\x00\x01x\x00\x00\x00\x00\x00",
    ],
)
def test_garbage_is_protocol_error(dispatcher, handler, data):
    _, _, exc = read_app_exception(dispatcher.process(data))

    assert exc.type == TApplicationException.PROTOCOL_ERROR
    assert handler.calls == []


def test_list_longer_than_the_message_is_protocol_error(dispatcher, handler):
    # Field 2 announced as a list of 2**20 strings, in an 8-byte body. The
    # decoder must notice the message ends; the count is kept small here
    # because every announced element costs decoding time.
    body = b"\x0f\x00\x02\x0b\x00\x10\x00\x00"
    data = encode_raw("getNoteContent", TMessageType.CALL, 2, body)

    name, seqid, exc = read_app_exception(dispatcher.process(data))

    assert (name, seqid) == ("getNoteContent", 2)
    assert exc.type == TApplicationException.PROTOCOL_ERROR
    assert handler.calls == []


@pytest.mark.timeout(5)
@pytest.mark.parametrize(
    "body",
    [
        # Field 9 (unknown): a list of 2**31 - 1 elements of type 0.
        b"\x0f\x00\x09\x00\x7f\xff\xff\xff",
        # Field 2 (a string): a map of 2**31 - 1 entries of types 0 -> 0.
        b"\x0d\x00\x02\x00\x00\x7f\xff\xff\xff",
    ],
    ids=["list", "map"],
)
def test_huge_container_of_empty_elements_is_refused_at_once(dispatcher, handler, body):
    # Elements of an undefined type occupy no bytes, so the end of the
    # message never stops the decoder: it must refuse the count itself.
    # Otherwise 30 bytes from anyone keep the process busy for minutes.
    data = encode_raw("getNoteContent", TMessageType.CALL, 2, body)

    _, _, exc = read_app_exception(dispatcher.process(data))

    assert exc.type == TApplicationException.PROTOCOL_ERROR
    assert handler.calls == []


def test_every_truncated_args_struct_is_protocol_error(dispatcher, handler):
    data = content_call(seqid=3)
    header_len = 4 + 4 + len("getNoteContent") + 4

    for cut in range(header_len, len(data)):
        _, _, exc = read_app_exception(dispatcher.process(data[:cut]))
        assert exc.type == TApplicationException.PROTOCOL_ERROR, cut
    assert handler.calls == []


def test_args_struct_cut_before_its_stop_byte_is_protocol_error(dispatcher, handler):
    data = content_call(seqid=3)

    _, seqid, exc = read_app_exception(dispatcher.process(data[:-1]))

    assert exc.type == TApplicationException.PROTOCOL_ERROR
    assert seqid == 3
    assert handler.calls == []


def test_string_argument_that_is_not_utf8_is_protocol_error(dispatcher, handler):
    # Thrift strings are UTF-8; a handler must never be handed bytes where
    # the IDL promises a string.
    guid = b"\xff" + GUID.encode()[1:]
    body = b"\x0b\x00\x01\x00\x00\x00\x03tok\x0b\x00\x02\x00\x00\x00\x24" + guid
    data = encode_raw("getNoteContent", TMessageType.CALL, 5, body + b"\x00")

    name, seqid, exc = read_app_exception(dispatcher.process(data))

    assert (name, seqid) == ("getNoteContent", 5)
    assert exc.type == TApplicationException.PROTOCOL_ERROR
    assert handler.calls == []


def test_binary_argument_that_is_not_utf8_arrives_as_bytes(dispatcher, handler):
    digest = b"\xff\xfe" + bytes(14)

    reply = dispatcher.process(
        encode_call("getResourceByHash", noteGuid=GUID, contentHash=digest)
    )

    assert dispatch.decode_reply(NoteStoreApi, "getResourceByHash", reply).success
    assert handler.calls == [("getResourceByHash", GUID, digest)]


def test_protocol_error_leaves_the_dispatcher_usable(dispatcher):
    dispatcher.process(b"garbage")

    reply = dispatcher.process(content_call())

    assert dispatch.decode_reply(NoteStoreApi, "getNoteContent", reply).success


def test_reply_sent_as_a_request_is_invalid_message_type(dispatcher, handler):
    data = content_call()
    data = data[:3] + bytes([TMessageType.REPLY]) + data[4:]

    name, _, exc = read_app_exception(dispatcher.process(data))

    assert name == "getNoteContent"
    assert exc.type == TApplicationException.INVALID_MESSAGE_TYPE
    assert handler.calls == []


def test_exception_sent_as_a_request_is_invalid_message_type(dispatcher):
    data = encode_raw("getNoteContent", TMessageType.EXCEPTION, 1, b"\x00")

    _, _, exc = read_app_exception(dispatcher.process(data))

    assert exc.type == TApplicationException.INVALID_MESSAGE_TYPE


# Handler failures -------------------------------------------------------------


def test_unexpected_error_is_internal_system_exception(dispatcher, handler):
    data = encode_call("getSyncState", seqid=5, authenticationToken="t")

    reply = dispatcher.process(data)

    assert read_message(reply)[1:3] == (TMessageType.REPLY, 5)
    result = dispatch.decode_reply(NoteStoreApi, "getSyncState", reply)
    assert result.success is None
    assert result.systemException.errorCode == CODES.INTERNAL_ERROR
    assert result.systemException.message
    assert "a bug in the handler" not in result.systemException.message
    assert handler.calls == [("getSyncState", "t")]


def test_result_that_cannot_be_encoded_is_internal_system_exception(dispatcher):
    data = encode_call("getNoteTagNames", seqid=6, authenticationToken="t", guid=GUID)

    reply = dispatcher.process(data)

    assert read_message(reply)[1:3] == (TMessageType.REPLY, 6)
    result = dispatch.decode_reply(NoteStoreApi, "getNoteTagNames", reply)
    assert result.success is None
    assert result.systemException.errorCode == CODES.INTERNAL_ERROR


def test_undeclared_user_exception_becomes_a_system_exception(dispatcher):
    # getPublicNotebook declares only (1: system, 2: not found).
    data = encode_call("getPublicNotebook", userId=1, publicUri="x")

    result = dispatch.decode_reply(
        NoteStoreApi, "getPublicNotebook", dispatcher.process(data)
    )

    assert result.systemException.errorCode == CODES.INTERNAL_ERROR
    assert result.notFoundException is None


def test_handler_raising_application_exception_is_relayed(dispatcher):
    data = encode_call("getPublicNotebook", seqid=8, userId=1, publicUri="app-error")

    name, seqid, exc = read_app_exception(dispatcher.process(data))

    assert (name, seqid) == ("getPublicNotebook", 8)
    assert exc.type == TApplicationException.UNKNOWN
    assert exc.message == "nope"


def test_handler_with_wrong_signature_is_an_internal_error(dispatcher):
    data = encode_call("findRelated", authenticationToken="t")

    result = dispatch.decode_reply(
        NoteStoreApi, "findRelated", dispatcher.process(data)
    )

    assert result.systemException.errorCode == CODES.INTERNAL_ERROR


# Encoding helpers -------------------------------------------------------------


def test_encode_error_reply_round_trips_a_user_exception():
    exc = errors.user_error("DATA_REQUIRED", "Note.title")

    reply = dispatch.encode_error_reply(NoteStoreApi, "createNote", 12, exc)

    assert read_message(reply)[:3] == ("createNote", TMessageType.REPLY, 12)
    result = dispatch.decode_reply(NoteStoreApi, "createNote", reply)
    assert isinstance(result.userException, Errors.EDAMUserException)
    assert result.userException.errorCode == CODES.DATA_REQUIRED
    assert result.userException.parameter == "Note.title"
    assert result.success is None
    assert result.systemException is None


def test_encode_error_reply_round_trips_a_rate_limit():
    exc = errors.system_error("RATE_LIMIT_REACHED", rate_limit_duration_s=30)

    reply = dispatch.encode_error_reply(NoteStoreApi, "listNotebooks", 1, exc)

    result = dispatch.decode_reply(NoteStoreApi, "listNotebooks", reply)
    assert result.systemException.errorCode == CODES.RATE_LIMIT_REACHED
    assert result.systemException.rateLimitDuration == 30


def test_encode_error_reply_without_a_slot_falls_back_to_app_exception():
    exc = errors.user_error("INVALID_AUTH", "authenticationToken")

    reply = dispatch.encode_error_reply(NoteStoreApi, "getPublicNotebook", 2, exc)

    name, seqid, app_exc = read_app_exception(reply)
    assert (name, seqid) == ("getPublicNotebook", 2)
    assert app_exc.type == TApplicationException.INTERNAL_ERROR


def test_encode_error_reply_for_an_unknown_method_is_app_exception():
    exc = errors.user_error("INVALID_AUTH", "authenticationToken")

    reply = dispatch.encode_error_reply(NoteStoreApi, "noSuchMethod", 2, exc)

    assert read_app_exception(reply)[0] == "noSuchMethod"


def test_encode_reply_round_trips_a_struct_result():
    result = NoteStoreApi.getNote_result(
        success=Types.Note(guid=GUID, title="t", contentHash=b"\x00" * 16)
    )

    reply = dispatch.encode_reply("getNote", 3, result)

    assert dispatch.decode_reply(NoteStoreApi, "getNote", reply) == result


def test_encode_app_exception_is_readable_by_thriftpy2():
    data = dispatch.encode_app_exception(
        "m", 4, TApplicationException.MISSING_RESULT, "why"
    )

    name, seqid, exc = read_app_exception(data)
    assert (name, seqid, exc.type, exc.message) == (
        "m",
        4,
        TApplicationException.MISSING_RESULT,
        "why",
    )
