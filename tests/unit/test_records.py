"""Unit tests for notestore.records: Thrift structs as JSON-able dicts."""

import hashlib
import json

import pytest

from notestore.edam import Types
from notestore.records import dict_to_struct, struct_to_dict

pytestmark = pytest.mark.timeout(30)

GUID = "0123abcd-0123-4567-89ab-0123456789ab"
CONTENT = "<en-note>caf\u00e9</en-note>"


def through_json(data):
    return json.loads(json.dumps(data))


def full_attributes():
    return Types.NoteAttributes(
        subjectDate=1_700_000_000_000,
        latitude=48.8566,
        longitude=-2.25,
        altitude=0.1,
        author="Ada",
        source="web.clip",
        sourceURL="https://example.com/a?b=c",
        reminderOrder=2**40,
        placeName="Paris",
        contentClass="com.example.test",
        applicationData=Types.LazyMap(
            keysOnly={"alpha", "beta", "gamma"},
            fullMap={"alpha": "1", "beta": "", "gamma": "\u2603"},
        ),
        classifications={"recipe": "001", "todo": "002"},
        creatorId=7,
        lastEditorId=8,
        sharedWithBusiness=False,
    )


def hashed_note():
    return Types.Note(
        guid=GUID,
        title="A note",
        content=CONTENT,
        contentHash=hashlib.md5(CONTENT.encode("utf-8")).digest(),
        contentLength=len(CONTENT),
        created=1_700_000_000_000,
        updated=1_700_000_001_000,
        active=True,
        updateSequenceNum=12,
        notebookGuid=GUID,
        tagGuids=[GUID, "ffffffff-ffff-ffff-ffff-ffffffffffff"],
        tagNames=["one", "two"],
        attributes=full_attributes(),
    )


def test_attributes_round_trip_through_json():
    attributes = full_attributes()

    data = through_json(struct_to_dict(attributes))

    assert dict_to_struct(Types.NoteAttributes, data) == attributes


def test_lazy_map_set_comes_back_as_a_set():
    data = through_json(struct_to_dict(full_attributes()))

    rebuilt = dict_to_struct(Types.NoteAttributes, data)

    assert rebuilt.applicationData.keysOnly == {"alpha", "beta", "gamma"}
    assert isinstance(rebuilt.applicationData.keysOnly, set)
    assert rebuilt.applicationData.fullMap["gamma"] == "\u2603"


def test_doubles_round_trip_exactly():
    attributes = Types.NoteAttributes(latitude=0.1 + 0.2, longitude=-1e-300)

    rebuilt = dict_to_struct(
        Types.NoteAttributes, through_json(struct_to_dict(attributes))
    )

    assert rebuilt.latitude == 0.1 + 0.2
    assert rebuilt.longitude == -1e-300


def test_classifications_map_round_trips():
    attributes = Types.NoteAttributes(classifications={"a": "000"})

    data = struct_to_dict(attributes)

    assert data == {"classifications": {"a": "000"}}
    assert dict_to_struct(Types.NoteAttributes, data) == attributes


def test_note_with_binary_hash_round_trips_through_json():
    note = hashed_note()

    text = json.dumps(struct_to_dict(note))

    rebuilt = dict_to_struct(Types.Note, json.loads(text))
    assert rebuilt == note
    assert rebuilt.contentHash == hashlib.md5(CONTENT.encode()).digest()
    assert isinstance(rebuilt.contentHash, bytes)


def test_binary_is_tagged_hex_in_the_dict():
    note = Types.Note(contentHash=bytes(range(16)))

    assert struct_to_dict(note) == {"contentHash": {"$bytes": bytes(range(16)).hex()}}


def test_only_set_fields_are_written():
    data = struct_to_dict(Types.Note(title="t", active=False, contentLength=0))

    assert data == {"title": "t", "active": False, "contentLength": 0}


def test_empty_struct_is_an_empty_dict():
    assert struct_to_dict(Types.Note()) == {}
    assert dict_to_struct(Types.Note, {}) == Types.Note()


def test_unknown_keys_are_ignored():
    rebuilt = dict_to_struct(Types.Note, {"title": "t", "notAField": 1})

    assert rebuilt == Types.Note(title="t")


def test_note_with_resources_round_trips():
    body = b"\x89PNG\r\n\x1a\n\x00\xff"
    resource = Types.Resource(
        guid=GUID,
        noteGuid=GUID,
        mime="image/png",
        width=10,
        height=20,
        active=True,
        data=Types.Data(bodyHash=hashlib.md5(body).digest(), size=len(body), body=body),
        attributes=Types.ResourceAttributes(
            fileName="a.png",
            attachment=False,
            applicationData=Types.LazyMap(keysOnly={"k1"}),
        ),
    )
    note = Types.Note(title="t", resources=[resource, Types.Resource(mime="a/b")])

    rebuilt = dict_to_struct(Types.Note, through_json(struct_to_dict(note)))

    assert rebuilt == note
    assert rebuilt.resources[0].data.body == body


def test_struct_lists_and_sets_are_plain_json_types():
    data = struct_to_dict(hashed_note())

    assert isinstance(data["tagGuids"], list)
    assert isinstance(data["attributes"]["applicationData"]["keysOnly"], list)
    assert isinstance(data["attributes"], dict)
    assert json.loads(json.dumps(data)) == data
