"""Notes: trash, expunge, copy, versions, application data, reads, replay."""

import contextlib
import sqlite3

import pytest
from noteshard import (
    CODES,
    MISSING_GUID,
    NOW_MS,
    enml,
    media,
    raises_not_found,
    raises_user_error,
    resource,
    table_rows,
)

from notestore import validation
from notestore.edam import NoteStore, Types
from notestore.notes import notes as notes_module
from shard import storage as shard_storage
from shard.storage import Storage

pytestmark = pytest.mark.timeout(30)


def update(shard, token, note, **changes):
    fields = {"guid": note.guid, "title": note.title, **changes}
    return shard.service.updateNote(token, Types.Note(**fields))


# Trash ------------------------------------------------------------------------


def test_update_with_active_false_trashes_and_true_restores(shard, token):
    note = shard.create_note(token)

    trashed = update(shard, token, note, active=False)
    restored = update(shard, token, note, active=True)

    assert (trashed.active, trashed.deleted) == (False, NOW_MS)
    assert (restored.active, restored.deleted) == (True, None)


def test_deleted_time_on_an_active_note_is_a_conflict(shard, token):
    raises_user_error(
        CODES.DATA_CONFLICT, "Note.deleted", shard.create_note, token, deleted=NOW_MS
    )
    note = shard.create_note(token)
    raises_user_error(
        CODES.DATA_CONFLICT, "Note.deleted", update, shard, token, note, deleted=NOW_MS
    )


def test_note_created_in_the_trash_keeps_its_deleted_time(shard, token):
    note = shard.create_note(token, active=False, deleted=NOW_MS - 5000)

    assert (note.active, note.deleted) == (False, NOW_MS - 5000)


def test_client_times_are_checked(shard, token):
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "Note.created",
        shard.create_note,
        token,
        created=-(10**15),
    )


# Limits and attributes ----------------------------------------------------------


def test_note_limit_is_limit_reached(shard, token, monkeypatch):
    monkeypatch.setattr(validation, "EDAM_USER_NOTES_MAX", 2)
    note = shard.create_note(token)
    shard.create_note(token)

    raises_user_error(CODES.LIMIT_REACHED, "Note", shard.create_note, token)
    raises_user_error(
        CODES.LIMIT_REACHED,
        "Note",
        shard.service.copyNote,
        token,
        note.guid,
        note.notebookGuid,
    )


def test_tags_per_note_limit_is_limit_reached(shard, token, monkeypatch):
    monkeypatch.setattr(validation, "EDAM_NOTE_TAGS_MAX", 2)

    raises_user_error(
        CODES.LIMIT_REACHED,
        "Note.tagGuids",
        shard.create_note,
        token,
        tagNames=["a", "b", "c"],
    )


@pytest.mark.parametrize(
    "attributes, code, parameter",
    [
        (
            Types.NoteAttributes(author="x" * 4097),
            CODES.LIMIT_REACHED,
            "NoteAttribute.author",
        ),
        (
            Types.NoteAttributes(author=""),
            CODES.BAD_DATA_FORMAT,
            "NoteAttributes.author",
        ),
        (
            Types.NoteAttributes(sourceURL="a\nb"),
            CODES.BAD_DATA_FORMAT,
            "NoteAttributes.sourceURL",
        ),
        (
            Types.NoteAttributes(contentClass="x"),
            CODES.BAD_DATA_FORMAT,
            "NoteAttributes.contentClass",
        ),
        (
            Types.NoteAttributes(reminderTime=10**16),
            CODES.BAD_DATA_FORMAT,
            "NoteAttributes.reminderTime",
        ),
        (
            Types.NoteAttributes(applicationData=Types.LazyMap(fullMap={"k": "v"})),
            CODES.BAD_DATA_FORMAT,
            "NoteAttributes.applicationData.key",
        ),
        (
            Types.NoteAttributes(
                applicationData=Types.LazyMap(fullMap={"key": "\x00"})
            ),
            CODES.BAD_DATA_FORMAT,
            "NoteAttributes.applicationData.value",
        ),
    ],
)
def test_bad_note_attributes_are_refused(shard, token, attributes, code, parameter):
    raises_user_error(code, parameter, shard.create_note, token, attributes=attributes)


def test_update_with_attributes_keeps_application_data_unless_replaced(shard, token):
    app_data = Types.LazyMap(fullMap={"app.one": "1"})
    note = shard.create_note(
        token, attributes=Types.NoteAttributes(applicationData=app_data)
    )

    update(shard, token, note, attributes=Types.NoteAttributes(author="me"))
    kept = shard.service.getNoteApplicationData(token, note.guid)
    update(
        shard,
        token,
        note,
        attributes=Types.NoteAttributes(
            applicationData=Types.LazyMap(fullMap={"app.two": "2"})
        ),
    )
    replaced = shard.service.getNoteApplicationData(token, note.guid)

    assert kept.fullMap == {"app.one": "1"}
    assert shard.get_note(token, note.guid).attributes.author is None
    assert replaced.fullMap == {"app.two": "2"}


# Expunging --------------------------------------------------------------------


def test_expunge_note_removes_it_and_its_resources(shard, token):
    note = shard.note_with_resources(token, b"img")
    resource_guid = note.resources[0].guid

    usn = shard.service.expungeNote(token, note.guid)

    assert usn == shard.update_count(token) == note.updateSequenceNum + 1
    raises_not_found("Note.guid", shard.get_note, token, note.guid)
    raises_not_found(
        "Resource.guid", shard.service.getResourceData, token, resource_guid
    )
    assert shard.storage.resource_bodies([resource_guid]) == {}


def test_expunge_notes_is_all_or_nothing(shard, token):
    first, second = shard.create_note(token), shard.create_note(token)
    before = shard.update_count(token)

    raises_not_found(
        "Note.guid",
        shard.service.expungeNotes,
        token,
        [first.guid, MISSING_GUID],
    )
    assert shard.update_count(token) == before
    count = shard.service.expungeNotes(token, [first.guid, second.guid, first.guid])

    assert count == before + 2 == shard.update_count(token)
    assert shard.storage.note_count(1) == 0


def test_expunge_notes_of_an_empty_list_changes_nothing(shard, token):
    before = shard.update_count(token)

    assert shard.service.expungeNotes(token, []) == before


def test_expunge_inactive_notes_empties_the_trash(shard, token):
    keep = shard.create_note(token)
    for _ in range(3):
        shard.service.deleteNote(token, shard.create_note(token).guid)

    assert shard.service.expungeInactiveNotes(token) == 3
    assert shard.service.expungeInactiveNotes(token) == 0
    assert shard.storage.note_count(1) == 1
    assert shard.get_note(token, keep.guid).active is True


def test_expunge_of_unknown_note_is_not_found(shard, token):
    raises_not_found("Note.guid", shard.service.expungeNote, token, MISSING_GUID)


# copyNote ---------------------------------------------------------------------


def test_copy_note_is_a_deep_copy_with_new_guids(shard, token):
    travel = shard.service.createNotebook(token, Types.Notebook(name="Travel"))
    source = shard.note_with_resources(token, b"one", b"two", tagNames=["a", "b"])

    copy = shard.service.copyNote(token, source.guid, travel.guid)

    assert copy.guid != source.guid and copy.notebookGuid == travel.guid
    assert copy.content is None
    assert (copy.title, copy.contentHash, copy.tagGuids) == (
        source.title,
        source.contentHash,
        source.tagGuids,
    )
    assert copy.created == source.created
    new_guids = [r.guid for r in copy.resources]
    assert not set(new_guids) & {r.guid for r in source.resources}
    assert [r.data.bodyHash for r in copy.resources] == [
        r.data.bodyHash for r in source.resources
    ]
    assert shard.service.getResourceData(token, new_guids[1]) == b"two"
    assert copy.updateSequenceNum == shard.update_count(token)
    assert shard.service.getNoteContent(token, copy.guid) == (
        shard.service.getNoteContent(token, source.guid)
    )
    assert shard.get_note(token, source.guid, False, False, False, False) == source


def test_copy_of_a_trashed_note_is_active(shard, token):
    source = shard.create_note(token)
    shard.service.deleteNote(token, source.guid)

    copy = shard.service.copyNote(token, source.guid, source.notebookGuid)

    assert (copy.active, copy.deleted) == (True, None)


def test_copy_to_unknown_notebook_or_of_unknown_note_is_not_found(shard, token):
    note = shard.create_note(token)

    raises_not_found(
        "Notebook.guid", shard.service.copyNote, token, note.guid, MISSING_GUID
    )
    raises_not_found(
        "Note.guid", shard.service.copyNote, token, MISSING_GUID, note.notebookGuid
    )


# Versions ---------------------------------------------------------------------


def test_title_and_content_changes_keep_previous_versions(shard, token):
    note = shard.create_note(token, title="v1", content=enml("first"))
    shard.clock.now_s += 60
    update(shard, token, note, title="v2")
    shard.clock.now_s += 60
    update(shard, token, note, title="v2", content=enml("second"))

    versions = shard.service.listNoteVersions(token, note.guid)

    assert [(v.title, v.updated) for v in versions] == [
        ("v2", NOW_MS + 60_000),
        ("v1", NOW_MS),
    ]
    assert versions[1].updateSequenceNum == note.updateSequenceNum
    assert versions[1].saved == NOW_MS + 60_000
    old = shard.service.getNoteVersion(
        token, note.guid, versions[1].updateSequenceNum, False, False, False
    )
    assert (old.title, old.content) == ("v1", enml("first"))
    assert old.updateSequenceNum == note.updateSequenceNum
    middle = shard.service.getNoteVersion(
        token, note.guid, versions[0].updateSequenceNum, False, False, False
    )
    assert (middle.title, middle.content) == ("v2", enml("first"))


def test_changes_other_than_title_and_content_keep_no_version(shard, token):
    note = shard.create_note(token)

    update(shard, token, note, tagNames=["x"])
    shard.service.deleteNote(token, note.guid)

    assert shard.service.listNoteVersions(token, note.guid) == []


def test_version_keeps_its_resources_with_bodies_while_present(shard, token):
    note = shard.note_with_resources(token, b"kept", b"dropped")
    update(
        shard, token, note, title="new", content=enml(), resources=[note.resources[0]]
    )
    (version,) = shard.service.listNoteVersions(token, note.guid)

    old = shard.service.getNoteVersion(
        token, note.guid, version.updateSequenceNum, True, False, False
    )

    assert [r.data.body for r in old.resources] == [b"kept", None]
    assert [r.data.size for r in old.resources] == [4, 7]


def test_only_the_newest_versions_are_kept(shard, token, monkeypatch):
    monkeypatch.setattr(notes_module, "NOTE_VERSIONS_KEPT", 2)
    note = shard.create_note(token, title="t0")
    for i in range(1, 5):
        update(shard, token, note, title=f"t{i}")

    titles = [v.title for v in shard.service.listNoteVersions(token, note.guid)]

    assert titles == ["t3", "t2"]


def test_unknown_version_is_not_found(shard, token):
    note = shard.create_note(token)

    raises_not_found(
        "Note.updateSequenceNumber",
        shard.service.getNoteVersion,
        token,
        note.guid,
        12345,
        False,
        False,
        False,
    )
    raises_not_found("Note.guid", shard.service.listNoteVersions, token, MISSING_GUID)


# Application data -------------------------------------------------------------


def test_note_application_data_entries(shard, token):
    note = shard.create_note(token)

    first = shard.service.setNoteApplicationDataEntry(token, note.guid, "app.a", "1")
    second = shard.service.setNoteApplicationDataEntry(token, note.guid, "app.b", "2")
    value = shard.service.getNoteApplicationDataEntry(token, note.guid, "app.a")
    removed = shard.service.unsetNoteApplicationDataEntry(token, note.guid, "app.a")
    whole = shard.service.getNoteApplicationData(token, note.guid)

    assert value == "1"
    assert note.updateSequenceNum < first < second < removed
    assert removed == shard.get_note(token, note.guid).updateSequenceNum
    assert whole == Types.LazyMap(keysOnly={"app.b"}, fullMap={"app.b": "2"})
    assert shard.get_note(token, note.guid).updated == note.updated


def test_unset_of_an_absent_key_changes_nothing(shard, token):
    note = shard.create_note(token)
    before = shard.storage.last_lsn()

    usn = shard.service.unsetNoteApplicationDataEntry(token, note.guid, "app.none")

    assert usn == note.updateSequenceNum
    assert shard.storage.last_lsn() == before


def test_application_data_errors(shard, token):
    note = shard.create_note(token)

    raises_not_found(
        "NoteAttributes.applicationData.key",
        shard.service.getNoteApplicationDataEntry,
        token,
        note.guid,
        "app.none",
    )
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "NoteAttributes.applicationData.key",
        shard.service.setNoteApplicationDataEntry,
        token,
        note.guid,
        "no",
        "value",
    )
    raises_not_found(
        "Note.guid",
        shard.service.setNoteApplicationDataEntry,
        token,
        MISSING_GUID,
        "app.key",
        "v",
    )
    assert shard.service.getNoteApplicationData(token, note.guid) == Types.LazyMap(
        keysOnly=set(), fullMap={}
    )


# Reads ------------------------------------------------------------------------


def test_get_note_search_text(shard, token):
    recognition = (
        b'<recoIndex><item><t w="90">Receipt</t><t w="20">Recipe</t></item>'
        b"</recoIndex>"
    )
    note = shard.create_note(
        token,
        content=enml(f"<p>Hello, <b>world</b>!</p>{media(b'scan')}"),
        resources=[resource(b"scan", recognition=Types.Data(body=recognition))],
    )

    note_only = shard.service.getNoteSearchText(token, note.guid, True, False)
    everything = shard.service.getNoteSearchText(token, note.guid, False, False)
    tokens = shard.service.getNoteSearchText(token, note.guid, False, True)

    assert note_only == "Hello, world!"
    assert everything == "Hello, world! Receipt Recipe"
    assert tokens == "Hello world Receipt Recipe"


def test_get_note_tag_names_in_the_note_order(shard, token):
    note = shard.create_note(token, tagNames=["zeta", "Alpha"])

    assert shard.service.getNoteTagNames(token, note.guid) == ["zeta", "Alpha"]


def test_get_note_with_result_spec(shard, token):
    app_data = Types.LazyMap(fullMap={"app.key": "v"})
    note = shard.note_with_resources(
        token, b"bytes", attributes=Types.NoteAttributes(applicationData=app_data)
    )
    spec = NoteStore.NoteResultSpec(
        includeContent=True, includeResourcesData=True, includeNoteAppDataValues=True
    )

    full = shard.service.getNoteWithResultSpec(token, note.guid, spec)
    bare = shard.service.getNoteWithResultSpec(
        token, note.guid, NoteStore.NoteResultSpec()
    )

    assert full.content is not None and full.resources[0].data.body == b"bytes"
    assert full.attributes.applicationData.fullMap == {"app.key": "v"}
    assert bare.content is None and bare.resources[0].data.body is None
    assert bare.attributes.applicationData.fullMap is None


@pytest.mark.parametrize(
    "method, args",
    [
        ("getNoteSearchText", (True, False)),
        ("getNoteTagNames", ()),
        ("listNoteVersions", ()),
        ("getNoteApplicationData", ()),
        ("getNoteWithResultSpec", (None,)),
    ],
)
def test_note_reads_of_unknown_or_malformed_guids(shard, token, method, args):
    call = getattr(shard.service, method)

    raises_not_found("Note.guid", call, token, MISSING_GUID, *args)
    raises_user_error(CODES.BAD_DATA_FORMAT, "Note.guid", call, token, "x", *args)


# Replay -----------------------------------------------------------------------


def every_write(shard, token):
    """One of every write record the service makes."""
    service = shard.service
    notebook = service.createNotebook(
        token, Types.Notebook(name="NB", publishing=Types.Publishing(uri="nb"))
    )
    service.updateNotebook(
        token, Types.Notebook(guid=notebook.guid, name="NB2", defaultNotebook=True)
    )
    tag = service.createTag(token, Types.Tag(name="t"))
    service.updateTag(token, Types.Tag(guid=tag.guid, name="t2"))
    search = service.createSearch(token, Types.SavedSearch(name="s", query="q"))
    note = shard.note_with_resources(token, b"r1", tagGuids=[tag.guid])
    update(shard, token, note, content=enml("changed"), resources=[])
    other = shard.note_with_resources(token, b"r2", tagNames=["u"])
    service.updateResource(token, other.resources[0])
    service.setResourceApplicationDataEntry(token, other.resources[0].guid, "abc", "d")
    service.setNoteApplicationDataEntry(token, other.guid, "abc", "d")
    service.copyNote(token, other.guid, notebook.guid)
    service.untagAll(token, tag.guid)
    service.expungeTag(token, other.tagGuids[0])
    service.deleteNote(token, note.guid)
    service.expungeSearch(token, search.guid)
    doomed = service.createNotebook(token, Types.Notebook(name="Doomed"))
    shard.create_note(token, notebookGuid=doomed.guid)
    service.expungeNotebook(token, doomed.guid)
    service.expungeInactiveNotes(token)


def test_replaying_every_kind_of_record_rebuilds_identical_tables(
    shard, token, other_token, tmp_path
):
    every_write(shard, token)
    every_write(shard, other_token)
    replica_path = tmp_path / "replica.sqlite3"
    Storage(str(replica_path)).close()

    replica = sqlite3.connect(replica_path, isolation_level=None)
    with contextlib.closing(replica):
        for _, _, record in shard.logged_records():
            replica.execute("BEGIN")
            shard_storage.apply(replica, record)
            replica.execute("COMMIT")

    primary = table_rows(shard.db_path)
    assert primary == table_rows(replica_path)
    ops = {record["op"] for _, _, record in shard.logged_records()}
    assert len(ops) == 12
    assert primary["expunged"] and primary["resource_bodies"]
