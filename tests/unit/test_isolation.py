"""Isolation: another user's GUID is not found, whatever the call.

Never PERMISSION_DENIED, which would tell the caller the object exists;
and a refused call changes nothing of the owner's.
"""

import pytest
from noteshard import MISSING_GUID, table_rows

from notestore.edam import Errors, Types

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def owned(shard, token):
    """One of everything, owned by user 1."""
    service = shard.service
    notebook = service.createNotebook(token, Types.Notebook(name="Private"))
    tag = service.createTag(token, Types.Tag(name="secret"))
    search = service.createSearch(token, Types.SavedSearch(name="s", query="q"))
    note = shard.note_with_resources(
        token, b"body", notebookGuid=notebook.guid, tagGuids=[tag.guid]
    )
    service.setNoteApplicationDataEntry(token, note.guid, "app.k", "v")
    service.updateNote(token, Types.Note(guid=note.guid, title="v2"))
    return {
        "notebook": notebook.guid,
        "tag": tag.guid,
        "search": search.guid,
        "note": note.guid,
        "resource": note.resources[0].guid,
        "hash": note.resources[0].data.bodyHash,
        "usn": note.updateSequenceNum,
    }


def calls(owned):
    """(method, args after the token) for every call that names a GUID."""
    nb, tag, search, note = (
        owned["notebook"],
        owned["tag"],
        owned["search"],
        owned["note"],
    )
    res = owned["resource"]
    return [
        ("getNotebook", (nb,)),
        ("updateNotebook", (Types.Notebook(guid=nb, name="Mine"),)),
        ("expungeNotebook", (nb,)),
        ("listTagsByNotebook", (nb,)),
        ("getTag", (tag,)),
        ("updateTag", (Types.Tag(guid=tag, name="mine"),)),
        ("untagAll", (tag,)),
        ("expungeTag", (tag,)),
        ("getSearch", (search,)),
        ("updateSearch", (Types.SavedSearch(guid=search, name="m", query="q"),)),
        ("expungeSearch", (search,)),
        ("getNote", (note, True, True, True, True)),
        ("getNoteWithResultSpec", (note, None)),
        ("getNoteContent", (note,)),
        ("getNoteSearchText", (note, False, False)),
        ("getNoteTagNames", (note,)),
        ("updateNote", (Types.Note(guid=note, title="mine"),)),
        ("deleteNote", (note,)),
        ("expungeNote", (note,)),
        ("expungeNotes", ([note],)),
        ("copyNote", (note, MISSING_GUID)),
        ("listNoteVersions", (note,)),
        ("getNoteVersion", (note, owned["usn"], True, True, True)),
        ("getNoteApplicationData", (note,)),
        ("getNoteApplicationDataEntry", (note, "app.k")),
        ("setNoteApplicationDataEntry", (note, "app.k", "x")),
        ("unsetNoteApplicationDataEntry", (note, "app.k")),
        ("getResource", (res, True, True, True, True)),
        ("getResourceData", (res,)),
        ("getResourceRecognition", (res,)),
        ("getResourceAlternateData", (res,)),
        ("getResourceAttributes", (res,)),
        ("getResourceSearchText", (res,)),
        ("getResourceByHash", (note, owned["hash"], True, False, False)),
        ("updateResource", (Types.Resource(guid=res, mime="image/gif"),)),
        ("getResourceApplicationData", (res,)),
        ("getResourceApplicationDataEntry", (res, "app.k")),
        ("setResourceApplicationDataEntry", (res, "app.k", "x")),
        ("unsetResourceApplicationDataEntry", (res, "app.k")),
    ]


def test_every_call_naming_another_users_object_is_not_found(
    shard, token, other_token, owned
):
    shard.service.listNotebooks(other_token)
    before = table_rows(shard.db_path)

    for method, args in calls(owned):
        with pytest.raises(Errors.EDAMNotFoundException) as info:
            getattr(shard.service, method)(other_token, *args)
        assert info.value.identifier, method

    assert table_rows(shard.db_path) == before


def test_another_users_objects_cannot_be_referenced_in_writes(
    shard, other_token, owned
):
    service = shard.service
    refused = [
        lambda: shard.create_note(other_token, notebookGuid=owned["notebook"]),
        lambda: shard.create_note(other_token, tagGuids=[owned["tag"]]),
        lambda: service.createTag(
            other_token, Types.Tag(name="x", parentGuid=owned["tag"])
        ),
        lambda: service.copyNote(
            other_token,
            shard.create_note(other_token).guid,
            owned["notebook"],
        ),
        lambda: service.getFilteredSyncChunk(other_token, 0, 10, None),
    ]

    outcomes = []
    for call in refused:
        try:
            call()
            outcomes.append("answered")
        except Errors.EDAMNotFoundException:
            outcomes.append("not found")

    assert outcomes == ["not found"] * 4 + ["answered"]


def test_names_are_per_user(shard, token, other_token, owned):
    service = shard.service

    service.createNotebook(other_token, Types.Notebook(name="Private"))
    service.createTag(other_token, Types.Tag(name="secret"))
    service.createSearch(other_token, Types.SavedSearch(name="s", query="q"))

    assert [t.name for t in service.listTags(other_token)] == ["secret"]
    assert len(service.listSearches(other_token)) == 1
    assert len(service.listNotebooks(other_token)) == 2


def test_lists_show_only_the_callers_objects(shard, other_token, owned):
    service = shard.service

    assert [nb.name for nb in service.listNotebooks(other_token)] == ["First Notebook"]
    assert service.listTags(other_token) == []
    assert service.listSearches(other_token) == []
    assert service.expungeInactiveNotes(other_token) == 0
    assert service.getSyncState(other_token).updateCount == 1
