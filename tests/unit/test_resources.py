"""Resources: stored bodies, hashes, reads by GUID and hash, updates, limits."""

import hashlib

import pytest
from noteshard import (
    CODES,
    MISSING_GUID,
    enml,
    media,
    raises_not_found,
    raises_user_error,
    resource,
)

from notestore import validation
from notestore.edam import Types

pytestmark = pytest.mark.timeout(30)

RECOGNITION = b'<recoIndex><item><t w="80">Invoice</t></item></recoIndex>'


def md5(body):
    return hashlib.md5(body).digest()


def update(shard, token, note, **changes):
    fields = {"guid": note.guid, "title": note.title, **changes}
    return shard.service.updateNote(token, Types.Note(**fields))


def kept(res):
    """A resource as a client sends it back: metadata and hash, no body."""
    return Types.Resource(
        guid=res.guid,
        mime=res.mime,
        data=Types.Data(bodyHash=res.data.bodyHash),
        attributes=res.attributes,
    )


# createNote with resources ----------------------------------------------------


def test_created_resources_get_guids_hashes_and_sizes(shard, token):
    note = shard.note_with_resources(token, b"first", b"second!")

    assert [r.data.bodyHash for r in note.resources] == [md5(b"first"), md5(b"second!")]
    assert [r.data.size for r in note.resources] == [5, 7]
    assert all(r.data.body is None for r in note.resources)
    assert {r.noteGuid for r in note.resources} == {note.guid}
    assert all(r.active for r in note.resources)
    usns = [r.updateSequenceNum for r in note.resources]
    assert usns == sorted(usns) and usns[-1] < note.updateSequenceNum


def test_bodies_only_when_asked(shard, token):
    note = shard.note_with_resources(token, b"body")

    bare = shard.get_note(token, note.guid, True, False, False, False)
    full = shard.get_note(token, note.guid, True, True, False, False)

    assert bare.resources[0].data.body is None
    assert full.resources[0].data.body == b"body"


def test_recognition_and_alternate_data_are_stored(shard, token):
    res = resource(
        b"scan",
        recognition=Types.Data(body=RECOGNITION),
        alternateData=Types.Data(body=b"pdf"),
    )
    note = shard.create_note(token, content=enml(media(b"scan")), resources=[res])
    guid = note.resources[0].guid

    fetched = shard.get_note(token, note.guid, False, False, True, True)

    (got,) = fetched.resources
    assert got.data.body is None
    assert got.recognition.body == RECOGNITION
    assert got.recognition.bodyHash == md5(RECOGNITION)
    assert got.alternateData == Types.Data(bodyHash=md5(b"pdf"), size=3, body=b"pdf")
    assert shard.service.getResourceRecognition(token, guid) == RECOGNITION
    assert shard.service.getResourceAlternateData(token, guid) == b"pdf"
    assert shard.service.getResourceSearchText(token, guid) == "Invoice"


@pytest.mark.parametrize(
    "res, code, parameter",
    [
        (Types.Resource(mime="image/png"), CODES.DATA_REQUIRED, "Resource.data"),
        (
            Types.Resource(mime="image/png", data=Types.Data(size=3)),
            CODES.DATA_REQUIRED,
            "Resource.data",
        ),
        (
            Types.Resource(data=Types.Data(body=b"x")),
            CODES.DATA_REQUIRED,
            "Resource.mime",
        ),
        (resource(b"x", mime="png"), CODES.BAD_DATA_FORMAT, "Resource.mime"),
        (
            Types.Resource(
                mime="image/png", data=Types.Data(body=b"x", bodyHash=md5(b"y"))
            ),
            CODES.BAD_DATA_FORMAT,
            "Resource.data.bodyHash",
        ),
        (
            resource(b"x", attributes=Types.ResourceAttributes(fileName="f" * 4097)),
            CODES.LIMIT_REACHED,
            "ResourceAttribute.fileName",
        ),
        (
            resource(b"x", attributes=Types.ResourceAttributes(cameraMake="")),
            CODES.BAD_DATA_FORMAT,
            "ResourceAttributes.cameraMake",
        ),
    ],
)
def test_bad_resources_are_refused(shard, token, res, code, parameter):
    raises_user_error(code, parameter, shard.create_note, token, resources=[res])


def test_resource_size_limit(shard, token, monkeypatch):
    monkeypatch.setattr(validation, "EDAM_RESOURCE_SIZE_MAX_FREE", 10)

    raises_user_error(
        CODES.LIMIT_REACHED,
        "Resource.data.size",
        shard.create_note,
        token,
        resources=[resource(b"x" * 11)],
    )
    shard.create_note(token, resources=[resource(b"x" * 10)])


def test_note_size_limit_counts_content_and_resources(shard, token, monkeypatch):
    content = enml()
    monkeypatch.setattr(validation, "EDAM_NOTE_SIZE_MAX_FREE", len(content) + 10)

    raises_user_error(
        CODES.LIMIT_REACHED,
        "Note.size",
        shard.create_note,
        token,
        content=content,
        resources=[resource(b"12345"), resource(b"123456")],
    )
    shard.create_note(token, content=content, resources=[resource(b"1234567890")])


def test_resource_count_limit(shard, token, monkeypatch):
    monkeypatch.setattr(validation, "EDAM_NOTE_RESOURCES_MAX", 2)

    raises_user_error(
        CODES.LIMIT_REACHED,
        "Note.resources",
        shard.create_note,
        token,
        resources=[resource(b"1"), resource(b"2"), resource(b"3")],
    )


def test_en_media_must_name_a_resource_of_the_note(shard, token):
    content = enml(media(b"elsewhere"))

    error = raises_user_error(
        CODES.ENML_VALIDATION,
        f'en-media hash "{md5(b"elsewhere").hex()}" names no resource of the note',
        shard.create_note,
        token,
        content=content,
        resources=[resource(b"here")],
    )
    assert "en-media" in error.parameter


def test_a_resource_need_not_appear_in_the_content(shard, token):
    note = shard.create_note(token, resources=[resource(b"attachment")])

    assert len(note.resources) == 1


# updateNote and resources -----------------------------------------------------


def test_update_keeps_resources_sent_back_without_bodies(shard, token):
    note = shard.note_with_resources(token, b"keep")

    updated = update(shard, token, note, resources=[kept(note.resources[0])])

    (res,) = updated.resources
    assert res.guid == note.resources[0].guid
    assert res.updateSequenceNum == note.resources[0].updateSequenceNum
    assert shard.service.getResourceData(token, res.guid) == b"keep"


def test_update_without_resources_leaves_them(shard, token):
    note = shard.note_with_resources(token, b"keep")

    updated = update(shard, token, note, title="renamed")

    assert [r.guid for r in updated.resources] == [note.resources[0].guid]


def test_update_adds_and_removes_resources(shard, token):
    note = shard.note_with_resources(token, b"old")
    removed = note.resources[0].guid

    updated = update(
        shard,
        token,
        note,
        content=enml(media(b"new")),
        resources=[resource(b"new")],
    )

    (res,) = updated.resources
    assert res.guid != removed and res.data.bodyHash == md5(b"new")
    raises_not_found(
        "Resource.guid", shard.service.getResource, token, removed, 0, 0, 0, 0
    )
    assert shard.service.getResourceData(token, res.guid) == b"new"


def test_update_finds_an_existing_resource_by_hash_alone(shard, token):
    note = shard.note_with_resources(token, b"known")
    by_hash = Types.Resource(mime="image/png", data=Types.Data(bodyHash=md5(b"known")))

    updated = update(shard, token, note, resources=[by_hash])

    assert updated.resources[0].guid == note.resources[0].guid


def test_update_naming_an_unknown_body_without_it_is_data_required(shard, token):
    note = shard.create_note(token)
    unknown = Types.Resource(mime="image/png", data=Types.Data(bodyHash=md5(b"?")))

    raises_user_error(
        CODES.DATA_REQUIRED,
        "Resource.data",
        update,
        shard,
        token,
        note,
        resources=[unknown],
    )


def test_update_dropping_a_resource_the_content_names_is_enml_validation(shard, token):
    note = shard.note_with_resources(token, b"shown")

    with pytest.raises(Exception) as info:
        update(shard, token, note, resources=[])
    assert info.value.errorCode == CODES.ENML_VALIDATION


def test_changed_resource_metadata_takes_a_new_usn(shard, token):
    note = shard.note_with_resources(token, b"pic")
    changed = kept(note.resources[0])
    changed.attributes = Types.ResourceAttributes(fileName="pic.png")

    updated = update(shard, token, note, resources=[changed])

    (res,) = updated.resources
    assert res.attributes.fileName == "pic.png"
    assert note.resources[0].updateSequenceNum < res.updateSequenceNum
    assert res.updateSequenceNum < updated.updateSequenceNum


# Reading one resource ---------------------------------------------------------


def test_get_resource_with_flags(shard, token):
    attributes = Types.ResourceAttributes(fileName="a.png", attachment=True)
    note = shard.create_note(
        token, resources=[resource(b"data", attributes=attributes, width=10)]
    )
    guid = note.resources[0].guid

    bare = shard.service.getResource(token, guid, False, False, False, False)
    full = shard.service.getResource(token, guid, True, True, True, True)

    assert bare.data == Types.Data(bodyHash=md5(b"data"), size=4)
    assert bare.attributes is None and bare.width == 10
    assert full.data.body == b"data" and full.attributes == attributes
    assert full.recognition is None
    assert shard.service.getResourceAttributes(token, guid) == attributes
    assert shard.service.getResourceData(token, guid) == b"data"


def test_get_resource_by_hash(shard, token):
    note = shard.note_with_resources(token, b"a", b"b")

    found = shard.service.getResourceByHash(
        token, note.guid, md5(b"b"), True, False, False
    )

    assert found.guid == note.resources[1].guid and found.data.body == b"b"


def test_get_resource_by_hash_errors(shard, token):
    note = shard.note_with_resources(token, b"a")
    call = shard.service.getResourceByHash

    raises_user_error(
        CODES.DATA_REQUIRED, "Note.guid", call, token, None, md5(b"a"), 0, 0, 0
    )
    raises_user_error(
        CODES.DATA_REQUIRED, "Note.contentHash", call, token, note.guid, None, 0, 0, 0
    )
    raises_not_found("Note", call, token, MISSING_GUID, md5(b"a"), 0, 0, 0)
    raises_not_found("Resource", call, token, note.guid, md5(b"zz"), 0, 0, 0)


def test_absent_recognition_and_alternate_data_are_not_found(shard, token):
    guid = shard.note_with_resources(token, b"x").resources[0].guid

    raises_not_found(
        "Resource.recognition", shard.service.getResourceRecognition, token, guid
    )
    raises_not_found(
        "Resource.alternateData", shard.service.getResourceAlternateData, token, guid
    )
    assert shard.service.getResourceSearchText(token, guid) == ""


@pytest.mark.parametrize(
    "method, args",
    [
        ("getResource", (True, True, True, True)),
        ("getResourceData", ()),
        ("getResourceRecognition", ()),
        ("getResourceAlternateData", ()),
        ("getResourceAttributes", ()),
        ("getResourceSearchText", ()),
        ("getResourceApplicationData", ()),
    ],
)
def test_unknown_or_malformed_resource_guid(shard, token, method, args):
    call = getattr(shard.service, method)

    raises_not_found("Resource.guid", call, token, MISSING_GUID, *args)
    raises_user_error(CODES.BAD_DATA_FORMAT, "Resource.guid", call, token, "x", *args)


# updateResource and application data ------------------------------------------


def test_update_resource_changes_metadata_not_the_note(shard, token):
    note = shard.note_with_resources(token, b"img")
    res = note.resources[0]

    usn = shard.service.updateResource(
        token,
        Types.Resource(
            guid=res.guid,
            mime="image/jpeg",
            width=5,
            attributes=Types.ResourceAttributes(fileName="x.jpg"),
        ),
    )

    fetched = shard.service.getResource(token, res.guid, True, False, True, False)
    assert (fetched.mime, fetched.width, fetched.attributes.fileName) == (
        "image/jpeg",
        5,
        "x.jpg",
    )
    assert fetched.updateSequenceNum == usn == shard.update_count(token)
    assert fetched.data.body == b"img"
    assert shard.get_note(token, note.guid).updateSequenceNum == note.updateSequenceNum


def test_update_resource_errors(shard, token):
    res = shard.note_with_resources(token, b"img").resources[0]

    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "Resource.mime",
        shard.service.updateResource,
        token,
        Types.Resource(guid=res.guid, mime="nope"),
    )
    raises_user_error(
        CODES.LIMIT_REACHED,
        "ResourceAttribute.sourceURL",
        shard.service.updateResource,
        token,
        Types.Resource(
            guid=res.guid,
            attributes=Types.ResourceAttributes(sourceURL="u" * 4097),
        ),
    )
    raises_not_found(
        "Resource.guid",
        shard.service.updateResource,
        token,
        Types.Resource(guid=MISSING_GUID),
    )
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "Resource.guid",
        shard.service.updateResource,
        token,
        Types.Resource(mime="image/png"),
    )


def test_resource_application_data_entries(shard, token):
    note = shard.note_with_resources(token, b"img")
    guid = note.resources[0].guid

    usn = shard.service.setResourceApplicationDataEntry(token, guid, "app.k", "v")
    value = shard.service.getResourceApplicationDataEntry(token, guid, "app.k")
    whole = shard.service.getResourceApplicationData(token, guid)
    unset = shard.service.unsetResourceApplicationDataEntry(token, guid, "app.k")

    assert value == "v"
    assert whole.fullMap == {"app.k": "v"}
    assert usn < unset == shard.update_count(token)
    raises_not_found(
        "ResourceAttributes.applicationData.key",
        shard.service.getResourceApplicationDataEntry,
        token,
        guid,
        "app.k",
    )
