"""Unit tests for notestore.noteservice over a real SQLite shard.Storage.

SQLite is a library, so each test gets its own database file in tmp_path;
no service is started. Writes go through ``Storage.commit`` exactly as on a
primary, which also fills the write log that replication ships.
"""

import contextlib
import hashlib
import sqlite3

import pytest
from noteshard import (
    CODES,
    MISSING_GUID,
    NOW_MS,
    enml,
    raises_not_found,
    raises_user_error,
    table_rows,
)

from notestore.edam import Errors, Types
from notestore.noteservice import DEFAULT_NOTEBOOK_NAME, NoteStoreService
from notestore.tokens import TokenSigner
from shard import storage as shard_storage
from shard.storage import Storage

pytestmark = pytest.mark.timeout(30)


# Accounts and notebooks -------------------------------------------------------


def test_first_call_creates_the_account_with_one_default_notebook(shard, token):
    notebooks = shard.service.listNotebooks(token)

    assert len(notebooks) == 1
    default = notebooks[0]
    assert default.name == DEFAULT_NOTEBOOK_NAME
    assert default.defaultNotebook is True
    assert default.updateSequenceNum == 1
    assert default.serviceCreated == NOW_MS
    assert shard.storage.last_lsn() == 1


def test_account_is_created_only_once(shard, token):
    shard.service.listNotebooks(token)
    shard.service.getSyncState(token)
    shard.service.getDefaultNotebook(token)

    assert len(shard.service.listNotebooks(token)) == 1
    assert shard.storage.last_lsn() == 1


def test_get_default_notebook_is_the_listed_default(shard, token):
    (listed,) = shard.service.listNotebooks(token)

    default = shard.service.getDefaultNotebook(token)

    assert default == listed
    assert shard.service.getNotebook(token, listed.guid) == listed


def test_create_notebook_returns_it_with_the_next_usn(shard, token):
    shard.service.listNotebooks(token)

    created = shard.service.createNotebook(
        token, Types.Notebook(name="Travel", stack="Life")
    )

    assert created.name == "Travel"
    assert created.stack == "Life"
    assert created.updateSequenceNum == 2
    assert created.defaultNotebook is False
    assert shard.service.getNotebook(token, created.guid) == created
    names = [nb.name for nb in shard.service.listNotebooks(token)]
    assert sorted(names) == sorted([DEFAULT_NOTEBOOK_NAME, "Travel"])


def test_create_notebook_as_default_replaces_the_default(shard, token):
    old = shard.service.getDefaultNotebook(token)

    created = shard.service.createNotebook(
        token, Types.Notebook(name="Inbox", defaultNotebook=True)
    )

    assert created.defaultNotebook is True
    assert shard.service.getDefaultNotebook(token).guid == created.guid
    assert shard.service.getNotebook(token, old.guid).defaultNotebook is False
    defaults = [nb for nb in shard.service.listNotebooks(token) if nb.defaultNotebook]
    assert len(defaults) == 1


def test_taking_the_default_flag_is_a_change_sync_can_see(shard, token):
    # The old default notebook's defaultNotebook field changes from True to
    # False. Sync returns every change after a USN, so that notebook must
    # carry a new USN, or a client that synced it keeps two defaults.
    old = shard.service.getDefaultNotebook(token)

    shard.service.createNotebook(
        token, Types.Notebook(name="Inbox", defaultNotebook=True)
    )

    demoted = shard.service.getNotebook(token, old.guid)
    assert demoted.defaultNotebook is False
    assert demoted.updateSequenceNum > old.updateSequenceNum
    state = shard.service.getSyncState(token)
    assert state.updateCount >= demoted.updateSequenceNum


@pytest.mark.parametrize("name", ["travel", "TRAVEL", "Travel"])
def test_duplicate_notebook_name_is_a_conflict_in_any_case(shard, token, name):
    shard.service.createNotebook(token, Types.Notebook(name="Travel"))
    before = shard.storage.last_lsn()

    raises_user_error(
        CODES.DATA_CONFLICT,
        "Notebook.name",
        shard.service.createNotebook,
        token,
        Types.Notebook(name=name),
    )
    assert shard.storage.last_lsn() == before


def test_default_notebook_name_is_taken_too(shard, token):
    raises_user_error(
        CODES.DATA_CONFLICT,
        "Notebook.name",
        shard.service.createNotebook,
        token,
        Types.Notebook(name=DEFAULT_NOTEBOOK_NAME.upper()),
    )


@pytest.mark.parametrize("name", ["", " Travel", "Travel ", "x" * 101, "a\nb"])
def test_bad_notebook_name_is_bad_data_format(shard, token, name):
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "Notebook.name",
        shard.service.createNotebook,
        token,
        Types.Notebook(name=name),
    )


def test_notebook_name_of_100_characters_is_accepted(shard, token):
    created = shard.service.createNotebook(token, Types.Notebook(name="x" * 100))

    assert created.name == "x" * 100


def test_missing_notebook_name_is_data_required(shard, token):
    raises_user_error(
        CODES.DATA_REQUIRED,
        "Notebook.name",
        shard.service.createNotebook,
        token,
        Types.Notebook(stack="Life"),
    )


def test_unknown_notebook_guid_is_not_found(shard, token):
    error = raises_not_found(
        "Notebook.guid", shard.service.getNotebook, token, MISSING_GUID
    )
    assert error.key == MISSING_GUID


def test_malformed_notebook_guid_is_bad_data_format(shard, token):
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "Notebook.guid",
        shard.service.getNotebook,
        token,
        "not-a-guid",
    )


# createNote -------------------------------------------------------------------


def test_create_note_sets_hash_length_and_default_notebook(shard, token):
    content = enml("caf\u00e9 \u2603 \U0001f600")

    note = shard.create_note(token, title="Caf\u00e9", content=content)

    assert note.contentHash == hashlib.md5(content.encode("utf-8")).digest()
    assert note.contentLength == len(content)
    assert note.contentLength < len(content.encode("utf-8"))
    assert note.notebookGuid == shard.service.getDefaultNotebook(token).guid
    assert note.title == "Caf\u00e9"
    assert note.active is True
    assert note.deleted is None
    assert note.created == note.updated == NOW_MS


def test_created_note_comes_back_without_content(shard, token):
    note = shard.create_note(token)

    assert note.content is None
    assert note.guid


def test_each_created_object_takes_the_next_usn(shard, token):
    notebook = shard.service.createNotebook(token, Types.Notebook(name="Second"))
    first = shard.create_note(token)
    second = shard.create_note(token, notebookGuid=notebook.guid)

    assert notebook.updateSequenceNum == 2
    assert first.updateSequenceNum == 3
    assert second.updateSequenceNum == 4
    assert second.notebookGuid == notebook.guid
    assert shard.service.getSyncState(token).updateCount == 4


def test_new_tags_and_the_note_take_consecutive_usns(shard, token):
    shard.service.listNotebooks(token)

    note = shard.create_note(token, tagNames=["Work", "Home"])

    assert len(note.tagGuids) == 2
    tag_usns = [shard.storage.tag(1, guid)["usn"] for guid in note.tagGuids]
    assert tag_usns == [2, 3]
    assert note.updateSequenceNum == 4
    assert shard.service.getSyncState(token).updateCount == 4


def test_tag_names_are_found_case_insensitively(shard, token):
    first = shard.create_note(token, tagNames=["Work"])
    usn_before = shard.service.getSyncState(token).updateCount

    second = shard.create_note(token, tagNames=["WORK", " work "])

    assert second.tagGuids == first.tagGuids
    assert second.updateSequenceNum == usn_before + 1
    assert shard.storage.tag_count(1) == 1
    assert shard.storage.tag(1, first.tagGuids[0])["name"] == "Work"


def test_tag_names_within_one_note_collapse_case_insensitively(shard, token):
    note = shard.create_note(token, tagNames=["Idea", "IDEA", "idea"])

    assert len(note.tagGuids) == 1
    assert shard.storage.tag_count(1) == 1


def test_bad_tag_name_is_bad_data_format(shard, token):
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "Tag.name",
        shard.create_note,
        token,
        tagNames=["a,b"],
    )


def test_note_without_title_is_data_required(shard, token):
    raises_user_error(
        CODES.DATA_REQUIRED,
        "Note.title",
        shard.service.createNote,
        token,
        Types.Note(content=enml("x")),
    )


@pytest.mark.parametrize("title", ["", " padded", "padded ", "t" * 256, "a\x00b"])
def test_bad_title_is_bad_data_format(shard, token, title):
    raises_user_error(
        CODES.BAD_DATA_FORMAT, "Note.title", shard.create_note, token, title=title
    )


def test_title_of_255_characters_is_accepted(shard, token):
    assert shard.create_note(token, title="t" * 255).title == "t" * 255


@pytest.mark.parametrize(
    "content, message",
    [
        ("hello", "Content is not allowed in prolog."),
        ("", "Premature end of file."),
        (
            enml("<p>open"),
            'The element type "p" must be terminated by the matching end-tag "</p>".',
        ),
        ("<html><body/></html>", 'Element type "html" must be declared.'),
    ],
)
def test_content_that_is_not_enml_is_enml_validation(shard, token, content, message):
    # The parameter carries the validator's message, as Evernote's does.
    raises_user_error(
        CODES.ENML_VALIDATION, message, shard.create_note, token, content=content
    )


def test_disallowed_element_is_enml_validation(shard, token):
    raises_user_error(
        CODES.ENML_VALIDATION,
        'Element type "script" must be declared.',
        shard.create_note,
        token,
        content=enml("<script>alert(1)</script>"),
    )


def test_disallowed_attribute_is_enml_validation(shard, token):
    raises_user_error(
        CODES.ENML_VALIDATION,
        'Attribute "onclick" must be declared for element type "div".',
        shard.create_note,
        token,
        content=enml('<div onclick="x()">hi</div>'),
    )


def test_en_media_without_a_resource_is_enml_validation(shard, token):
    media_hash = "0123456789abcdef0123456789abcdef"
    content = enml(f'<en-media type="image/png" hash="{media_hash}"/>')

    error = raises_user_error(
        CODES.ENML_VALIDATION,
        f'en-media hash "{media_hash}" names no resource of the note',
        shard.create_note,
        token,
        content=content,
    )
    assert media_hash in error.parameter


def test_rejected_note_writes_nothing(shard, token):
    shard.service.listNotebooks(token)

    with pytest.raises(Errors.EDAMUserException):
        shard.create_note(token, content="not xml")

    assert shard.storage.last_lsn() == 1
    assert shard.storage.note_count(1) == 0
    assert shard.service.getSyncState(token).updateCount == 1


def test_unknown_notebook_guid_on_create_is_not_found(shard, token):
    error = raises_not_found(
        "Note.notebookGuid", shard.create_note, token, notebookGuid=MISSING_GUID
    )
    assert error.key == MISSING_GUID


def test_malformed_notebook_guid_on_create_is_bad_data_format(shard, token):
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "Note.notebookGuid",
        shard.create_note,
        token,
        notebookGuid="NOT-A-GUID",
    )


def test_unknown_tag_guid_on_create_is_not_found(shard, token):
    raises_not_found("Tag.guid", shard.create_note, token, tagGuids=[MISSING_GUID])


def test_attributes_are_stored_and_returned(shard, token):
    attributes = Types.NoteAttributes(
        author="Ada",
        latitude=1.5,
        applicationData=Types.LazyMap(keysOnly={"key1"}, fullMap={"key1": "v"}),
    )

    note = shard.create_note(token, attributes=attributes)

    fetched = shard.service.getNote(token, note.guid, False, False, False, False)
    # getNote sends application data as keys only, as EDAM documents.
    attributes.applicationData = Types.LazyMap(keysOnly={"key1"})
    assert fetched.attributes == attributes


# Reading notes ----------------------------------------------------------------


def test_get_note_with_content(shard, token):
    content = enml("<b>bold</b> text")
    created = shard.create_note(token, content=content, tagNames=["x"])

    fetched = shard.service.getNote(token, created.guid, True, False, False, False)

    assert fetched.content == content
    assert fetched.guid == created.guid
    assert fetched.tagGuids == created.tagGuids
    assert fetched.contentHash == created.contentHash


def test_get_note_without_content(shard, token):
    created = shard.create_note(token)

    fetched = shard.service.getNote(token, created.guid, False, True, True, True)

    assert fetched.content is None
    assert fetched.contentHash == created.contentHash
    assert fetched.contentLength == created.contentLength


def test_get_note_content(shard, token):
    content = enml("just the body")
    created = shard.create_note(token, content=content)

    assert shard.service.getNoteContent(token, created.guid) == content


def test_unknown_note_guid_is_not_found(shard, token):
    raises_not_found(
        "Note.guid", shard.service.getNote, token, MISSING_GUID, True, 0, 0, 0
    )
    raises_not_found("Note.guid", shard.service.getNoteContent, token, MISSING_GUID)


def test_malformed_note_guid_is_bad_data_format(shard, token):
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "Note.guid",
        shard.service.getNoteContent,
        token,
        MISSING_GUID.upper(),
    )


# updateNote and deleteNote ----------------------------------------------------


def test_update_without_title_is_data_required(shard, token):
    created = shard.create_note(token)

    raises_user_error(
        CODES.DATA_REQUIRED,
        "Note.title",
        shard.service.updateNote,
        token,
        Types.Note(guid=created.guid, content=enml("new")),
    )


def test_update_of_title_keeps_content_tags_and_notebook(shard, token):
    content = enml("keep me")
    created = shard.create_note(token, content=content, tagNames=["a", "b"])
    shard.clock.now_s += 60

    updated = shard.service.updateNote(
        token, Types.Note(guid=created.guid, title="Renamed")
    )

    assert updated.title == "Renamed"
    assert updated.content is None
    assert updated.tagGuids == created.tagGuids
    assert updated.notebookGuid == created.notebookGuid
    assert updated.contentHash == created.contentHash
    assert updated.created == created.created
    assert updated.updated == NOW_MS + 60_000
    assert updated.updateSequenceNum == created.updateSequenceNum + 1
    assert shard.service.getNoteContent(token, created.guid) == content


def test_update_of_content_recomputes_hash_and_length(shard, token):
    created = shard.create_note(token)
    content = enml("\u00e9" * 10)

    updated = shard.service.updateNote(
        token, Types.Note(guid=created.guid, title="t", content=content)
    )

    assert updated.contentHash == hashlib.md5(content.encode()).digest()
    assert updated.contentLength == len(content)


def test_update_of_unknown_note_is_not_found(shard, token):
    raises_not_found(
        "Note.guid",
        shard.service.updateNote,
        token,
        Types.Note(guid=MISSING_GUID, title="t"),
    )


def test_delete_moves_the_note_to_the_trash(shard, token):
    created = shard.create_note(token)
    shard.clock.now_s += 5

    usn = shard.service.deleteNote(token, created.guid)

    fetched = shard.service.getNote(token, created.guid, True, False, False, False)
    assert fetched.active is False
    assert fetched.deleted == NOW_MS + 5000
    assert fetched.updateSequenceNum == usn == created.updateSequenceNum + 1
    assert fetched.content == enml("hello")


def test_deleting_twice_is_a_conflict(shard, token):
    created = shard.create_note(token)
    shard.service.deleteNote(token, created.guid)

    raises_user_error(
        CODES.DATA_CONFLICT,
        "Note.guid",
        shard.service.deleteNote,
        token,
        created.guid,
    )


def test_delete_of_unknown_note_is_not_found(shard, token):
    raises_not_found("Note.guid", shard.service.deleteNote, token, MISSING_GUID)


def test_update_count_is_the_highest_usn(shard, token):
    notebook = shard.service.createNotebook(token, Types.Notebook(name="N"))
    note = shard.create_note(token, tagNames=["t1", "t2"])
    shard.service.updateNote(token, Types.Note(guid=note.guid, title="again"))
    deleted_usn = shard.service.deleteNote(token, note.guid)

    state = shard.service.getSyncState(token)

    assert deleted_usn == 7
    assert state.updateCount == 7
    assert notebook.updateSequenceNum == 2
    assert state.currentTime == NOW_MS


# Isolation between users ------------------------------------------------------


def test_usns_are_per_user(shard, token, other_token):
    shard.create_note(token)
    shard.create_note(token)

    note = shard.create_note(other_token)

    assert note.updateSequenceNum == 2
    assert shard.service.getSyncState(other_token).updateCount == 2
    assert shard.service.getSyncState(token).updateCount == 3


def test_other_users_note_is_not_found(shard, token, other_token):
    note = shard.create_note(token)
    calls = [
        (shard.service.getNote, other_token, note.guid, True, False, False, False),
        (shard.service.getNoteContent, other_token, note.guid),
        (shard.service.deleteNote, other_token, note.guid),
        (shard.service.updateNote, other_token, Types.Note(guid=note.guid, title="x")),
    ]

    for call, *args in calls:
        raises_not_found("Note.guid", call, *args)
    assert shard.service.getNote(token, note.guid, 0, 0, 0, 0).title == "A note"


def test_other_users_notebook_is_not_found(shard, token, other_token):
    notebook = shard.service.getDefaultNotebook(token)

    raises_not_found(
        "Notebook.guid", shard.service.getNotebook, other_token, notebook.guid
    )
    raises_not_found(
        "Note.notebookGuid", shard.create_note, other_token, notebookGuid=notebook.guid
    )


def test_other_users_tag_is_not_found(shard, token, other_token):
    note = shard.create_note(token, tagNames=["private"])

    raises_not_found("Tag.guid", shard.create_note, other_token, tagGuids=note.tagGuids)
    other = shard.create_note(other_token, tagNames=["Private"])
    assert other.tagGuids != note.tagGuids


def test_users_see_only_their_notebooks(shard, token, other_token):
    shard.service.createNotebook(token, Types.Notebook(name="Mine"))

    names = [nb.name for nb in shard.service.listNotebooks(other_token)]

    assert names == [DEFAULT_NOTEBOOK_NAME]
    created = shard.service.createNotebook(other_token, Types.Notebook(name="Mine"))
    assert created.name == "Mine"


# Authentication ---------------------------------------------------------------


def test_token_for_another_shard_is_invalid_auth(shard):
    raises_user_error(
        CODES.INVALID_AUTH,
        "authenticationToken",
        shard.service.listNotebooks,
        shard.token(shard_id="s2"),
    )
    assert shard.storage.last_lsn() == 0


def test_token_from_another_secret_is_invalid_auth(shard):
    foreign = TokenSigner(b"x" * 32, shard.clock).issue("s1", 1, 3600)

    raises_user_error(
        CODES.INVALID_AUTH, "authenticationToken", shard.service.getSyncState, foreign
    )


def test_expired_token_is_auth_expired(shard):
    token = shard.token(lifetime_s=60)
    shard.clock.now_s += 61

    raises_user_error(
        CODES.AUTH_EXPIRED, "authenticationToken", shard.service.listNotebooks, token
    )


@pytest.mark.parametrize("empty", ["", None])
def test_empty_token_is_data_required(shard, empty):
    raises_user_error(
        CODES.DATA_REQUIRED, "authenticationToken", shard.service.getSyncState, empty
    )


def test_bad_token_is_refused_for_writes_too(shard):
    raises_user_error(
        CODES.INVALID_AUTH, "authenticationToken", shard.create_note, "S=s1:H=00"
    )
    assert shard.storage.last_lsn() == 0


# Write log and replay ---------------------------------------------------------


def exercise(shard, token, other_token):
    """Run one of every write kind for two users."""
    shard.service.createNotebook(token, Types.Notebook(name="Travel", stack="S"))
    first = shard.create_note(
        token,
        tagNames=["a", "b"],
        attributes=Types.NoteAttributes(
            author="Ada",
            latitude=0.1,
            applicationData=Types.LazyMap(fullMap={"app.x1": "1", "app.y2": "2"}),
        ),
    )
    shard.create_note(other_token, title="Theirs", tagNames=["a"])
    shard.service.updateNote(
        token, Types.Note(guid=first.guid, title="Renamed", tagNames=["c"])
    )
    shard.service.deleteNote(token, first.guid)
    shard.service.createNotebook(
        other_token, Types.Notebook(name="Inbox", defaultNotebook=True)
    )


def test_each_commit_logs_one_record_with_a_dense_lsn(shard, token):
    lsns = [shard.storage.last_lsn()]
    shard.service.listNotebooks(token)
    lsns.append(shard.storage.last_lsn())
    shard.create_note(token)
    lsns.append(shard.storage.last_lsn())
    shard.service.createNotebook(token, Types.Notebook(name="N"))
    lsns.append(shard.storage.last_lsn())

    assert lsns == [0, 1, 2, 3]
    records = shard.logged_records()
    assert [lsn for lsn, _, _ in records] == [1, 2, 3]
    assert {epoch for _, epoch, _ in records} == {1}
    assert [body["op"] for _, _, body in records] == [
        "create_account",
        "put_note",
        "put_notebook",
    ]


def test_log_is_dense_across_users_and_writes(shard, token, other_token):
    exercise(shard, token, other_token)

    records = shard.logged_records()

    assert [lsn for lsn, _, _ in records] == list(range(1, len(records) + 1))
    assert shard.storage.last_lsn() == len(records) == 8


def test_reads_and_refused_writes_log_nothing(shard, token):
    shard.service.listNotebooks(token)
    note = shard.create_note(token)
    before = shard.storage.last_lsn()

    shard.service.getNote(token, note.guid, True, False, False, False)
    shard.service.getSyncState(token)
    with pytest.raises(Errors.EDAMUserException):
        shard.service.createNotebook(token, Types.Notebook(name=" bad"))
    with pytest.raises(Errors.EDAMNotFoundException):
        shard.service.deleteNote(token, MISSING_GUID)

    assert shard.storage.last_lsn() == before


def test_replaying_the_log_rebuilds_identical_tables(
    shard, token, other_token, tmp_path
):
    exercise(shard, token, other_token)
    replica_path = tmp_path / "replica.sqlite3"
    Storage(str(replica_path)).close()

    replica = sqlite3.connect(replica_path, isolation_level=None)
    with contextlib.closing(replica):
        for _, _, record in shard.logged_records():
            replica.execute("BEGIN")
            shard_storage.apply(replica, record)
            replica.execute("COMMIT")

    primary_rows = table_rows(shard.db_path)
    assert primary_rows == table_rows(replica_path)
    assert len(primary_rows["notes"]) == 2
    assert len(primary_rows["accounts"]) == 2


def test_replica_built_by_replay_serves_the_same_answers(
    shard, token, other_token, tmp_path
):
    exercise(shard, token, other_token)
    replica = Storage(str(tmp_path / "replica.sqlite3"))
    for _, epoch, record in shard.logged_records():
        replica.commit(epoch, record)
    service = NoteStoreService("s1", shard.signer, replica, None, shard.clock)

    for user_token in (token, other_token):
        assert service.listNotebooks(user_token) == shard.service.listNotebooks(
            user_token
        )
        assert (
            service.getSyncState(user_token).updateCount
            == shard.service.getSyncState(user_token).updateCount
        )
    assert replica.last_lsn() == shard.storage.last_lsn()
    replica.close()
