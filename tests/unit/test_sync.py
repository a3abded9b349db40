"""Sync: getSyncState, getSyncChunk and getFilteredSyncChunk.

The core property: a client that pages through chunks from some USN sees
every object changed since then exactly once, in ascending USN order, and
ends when chunkHighUSN reaches updateCount.
"""

import pytest
from noteshard import (
    CODES,
    NOW_MS,
    raises_user_error,
)

from notestore.edam import NoteStore, Types
from notestore.notes import sync as sync_module

pytestmark = pytest.mark.timeout(30)

_KINDS = (
    ("notes", "note"),
    ("notebooks", "notebook"),
    ("tags", "tag"),
    ("searches", "search"),
    ("resources", "resource"),
    ("expungedNotes", "expunged note"),
    ("expungedNotebooks", "expunged notebook"),
    ("expungedTags", "expunged tag"),
    ("expungedSearches", "expunged search"),
)


def entries(chunk):
    """(usn or None, kind, guid) of every entry in a chunk."""
    found = []
    for field, kind in _KINDS:
        for item in getattr(chunk, field) or ():
            if kind.startswith("expunged"):
                found.append((None, kind, item))
            else:
                found.append((item.updateSequenceNum, kind, item.guid))
    return found


def all_entries(chunks):
    return [entry for chunk in chunks for entry in entries(chunk)]


def populate(shard, token):
    """An account with one of everything, some trashed, some expunged."""
    service = shard.service
    travel = service.createNotebook(token, Types.Notebook(name="Travel", stack="S"))
    service.createNotebook(token, Types.Notebook(name="Doomed"))
    parent = service.createTag(token, Types.Tag(name="parent"))
    service.createTag(token, Types.Tag(name="child", parentGuid=parent.guid))
    service.createSearch(token, Types.SavedSearch(name="s1", query="tag:parent"))
    gone = service.createSearch(token, Types.SavedSearch(name="s2", query="x"))
    notes = [
        shard.create_note(token, title=f"n{i}", tagNames=["parent", f"t{i}"])
        for i in range(5)
    ]
    image = shard.note_with_resources(token, b"png-bytes", notebookGuid=travel.guid)
    service.deleteNote(token, notes[0].guid)
    service.expungeNote(token, notes[1].guid)
    service.expungeSearch(token, gone.guid)
    service.expungeTag(token, notes[2].tagGuids[1])
    doomed = [nb for nb in service.listNotebooks(token) if nb.name == "Doomed"]
    service.expungeNotebook(token, doomed[0].guid)
    return {"notes": notes, "image": image, "travel": travel}


def current_objects(shard, token):
    """(kind, guid, usn) of every live object, read through the list calls."""
    service = shard.service
    found = {
        ("notebook", nb.guid, nb.updateSequenceNum)
        for nb in service.listNotebooks(token)
    }
    found |= {("tag", t.guid, t.updateSequenceNum) for t in service.listTags(token)}
    found |= {
        ("search", s.guid, s.updateSequenceNum) for s in service.listSearches(token)
    }
    rows = shard.storage._db.execute(
        "SELECT guid, usn FROM notes WHERE user_id = 1"
    ).fetchall()
    found |= {("note", guid, usn) for guid, usn in rows}
    return found


# getSyncState ---------------------------------------------------------------


def test_sync_state_of_a_new_account(shard, token):
    state = shard.service.getSyncState(token)

    assert state.updateCount == 1
    assert state.currentTime == NOW_MS
    # The account's creation time: a client that synced an earlier
    # account of this user must start again.
    assert state.fullSyncBefore == NOW_MS
    assert state.uploaded == 0


def test_sync_state_with_metrics_is_the_sync_state(shard, token):
    metrics = NoteStore.ClientUsageMetrics(sessions=3)

    state = shard.service.getSyncStateWithMetrics(token, metrics)

    assert state == shard.service.getSyncState(token)


# Chunk boundaries -------------------------------------------------------------


def test_first_chunk_of_a_new_account_holds_the_default_notebook(shard, token):
    (chunk,) = shard.full_sync(token)

    assert [nb.name for nb in chunk.notebooks] == ["First Notebook"]
    assert chunk.notebooks[0].defaultNotebook is True
    assert chunk.chunkHighUSN == chunk.updateCount == 1
    assert chunk.notes is None and chunk.tags is None


def test_chunk_after_the_update_count_is_empty_without_high_usn(shard, token):
    count = shard.update_count(token)

    chunk = shard.service.getFilteredSyncChunk(
        token, count, 10, NoteStore.SyncChunkFilter(includeNotes=True)
    )

    assert chunk.chunkHighUSN is None
    assert chunk.updateCount == count
    assert entries(chunk) == []
    assert chunk.currentTime == NOW_MS


@pytest.mark.parametrize("after_usn", [-1, -100])
def test_negative_after_usn_is_bad_data_format(shard, token, after_usn):
    chunk_filter = NoteStore.SyncChunkFilter(includeNotes=True)
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "afterUSN",
        shard.service.getFilteredSyncChunk,
        token,
        after_usn,
        10,
        chunk_filter,
    )
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "afterUSN",
        shard.service.getSyncChunk,
        token,
        after_usn,
        10,
        False,
    )


@pytest.mark.parametrize("max_entries", [0, -5])
def test_max_entries_below_one_is_bad_data_format(shard, token, max_entries):
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "maxEntries",
        shard.service.getFilteredSyncChunk,
        token,
        0,
        max_entries,
        NoteStore.SyncChunkFilter(includeNotes=True),
    )
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "maxEntries",
        shard.service.getSyncChunk,
        token,
        0,
        max_entries,
        True,
    )


def test_chunks_hold_at_most_max_entries(shard, token):
    for i in range(7):
        shard.create_note(token, title=f"n{i}")

    chunks = shard.full_sync(token, max_entries=3)

    assert [len(entries(chunk)) for chunk in chunks] == [3, 3, 2]
    assert [chunk.chunkHighUSN for chunk in chunks] == [3, 6, 8]


def test_last_chunk_reaches_the_update_count_past_excluded_kinds(shard, token):
    # The newest changes are tags, which this client never asks for: its
    # last chunk must still say it is the last.
    shard.create_note(token)
    for name in ("a", "b", "c"):
        shard.service.createTag(token, Types.Tag(name=name))

    chunks = shard.full_sync(token, max_entries=10, includeTags=False)

    assert chunks[-1].chunkHighUSN == chunks[-1].updateCount == 5
    assert {kind for _, kind, _ in all_entries(chunks)} == {"note", "notebook"}


def test_a_filter_with_nothing_included_ends_at_once(shard, token):
    shard.create_note(token)

    chunk = shard.service.getFilteredSyncChunk(
        token, 0, 10, NoteStore.SyncChunkFilter()
    )

    assert entries(chunk) == []
    assert chunk.chunkHighUSN == chunk.updateCount == 2


# Exactly once, in order ---------------------------------------------------------


@pytest.mark.parametrize("max_entries", [1, 2, 5, 250])
def test_full_sync_sees_every_live_object_exactly_once(shard, token, max_entries):
    populate(shard, token)

    chunks = shard.full_sync(token, max_entries=max_entries, includeExpunged=False)

    seen = [(kind, guid, usn) for usn, kind, guid in all_entries(chunks)]
    assert len(seen) == len(set(seen))
    live = {entry for entry in seen if entry[0] != "resource"}
    assert live == current_objects(shard, token)


def test_entries_come_in_ascending_usn_order(shard, token):
    populate(shard, token)

    chunks = shard.full_sync(token, max_entries=4)

    usns = []
    for chunk in chunks:
        chunk_usns = sorted(usn for usn, _, _ in entries(chunk) if usn is not None)
        assert all(usn <= chunk.chunkHighUSN for usn in chunk_usns)
        usns.extend(chunk_usns)
    assert usns == sorted(usns)
    highs = [chunk.chunkHighUSN for chunk in chunks]
    assert highs == sorted(highs) and len(set(highs)) == len(highs)


def test_expunged_guids_come_once_with_include_expunged(shard, token):
    made = populate(shard, token)

    chunks = shard.full_sync(token, max_entries=3)

    expunged = [
        (kind, guid)
        for usn, kind, guid in all_entries(chunks)
        if kind.startswith("expunged")
    ]
    kinds = sorted(kind for kind, _ in expunged)
    assert kinds == [
        "expunged note",
        "expunged notebook",
        "expunged search",
        "expunged tag",
    ]
    assert ("expunged note", made["notes"][1].guid) in expunged
    assert len(expunged) == len(set(expunged))


def test_incremental_sync_sees_exactly_the_new_changes(shard, token):
    made = populate(shard, token)
    before = shard.update_count(token)

    note = shard.create_note(token, title="new")
    shard.service.updateNote(
        token, Types.Note(guid=made["notes"][3].guid, title="renamed")
    )
    tag = shard.service.createTag(token, Types.Tag(name="fresh"))
    shard.service.expungeNote(token, made["notes"][4].guid)
    chunks = shard.full_sync(token, after_usn=before, max_entries=2)

    seen = {(kind, guid) for _, kind, guid in all_entries(chunks)}
    assert seen == {
        ("note", note.guid),
        ("note", made["notes"][3].guid),
        ("tag", tag.guid),
        ("expunged note", made["notes"][4].guid),
    }
    assert chunks[-1].chunkHighUSN == shard.update_count(token)


def test_an_object_changed_twice_comes_once_at_its_latest_usn(shard, token):
    note = shard.create_note(token)
    shard.service.updateNote(token, Types.Note(guid=note.guid, title="second"))
    usn = shard.service.updateNote(
        token, Types.Note(guid=note.guid, title="third")
    ).updateSequenceNum

    chunks = shard.full_sync(token)

    notes = [n for chunk in chunks for n in chunk.notes or ()]
    assert [(n.title, n.updateSequenceNum) for n in notes] == [("third", usn)]


def test_notes_moved_by_expunging_their_notebook_sync_before_it(shard, token):
    notebook = shard.service.createNotebook(token, Types.Notebook(name="Old"))
    note = shard.create_note(token, notebookGuid=notebook.guid)
    after = shard.update_count(token)

    shard.service.expungeNotebook(token, notebook.guid)
    (chunk,) = shard.full_sync(token, after_usn=after)

    (moved,) = chunk.notes
    assert moved.guid == note.guid and moved.active is False
    assert moved.notebookGuid == shard.service.getDefaultNotebook(token).guid
    assert chunk.expungedNotebooks == [notebook.guid]
    assert moved.updateSequenceNum < chunk.chunkHighUSN


# What a chunk carries ---------------------------------------------------------


def test_notes_carry_tags_and_resource_metadata_but_no_bodies(shard, token):
    note = shard.note_with_resources(token, b"picture", tagNames=["x"])

    (chunk,) = shard.full_sync(token)

    (synced,) = chunk.notes
    assert synced.content is None
    assert synced.contentHash == note.contentHash
    assert synced.tagGuids == note.tagGuids
    (res,) = synced.resources
    assert res.data.body is None
    assert res.data.size == len(b"picture")
    assert res.guid == note.resources[0].guid
    assert synced.attributes is not None
    assert chunk.resources is None  # in the note, not standalone


def test_notes_without_resources_or_attributes_when_not_asked(shard, token):
    shard.note_with_resources(token, b"picture")

    (chunk,) = shard.full_sync(
        token, includeNoteResources=False, includeNoteAttributes=False
    )

    (synced,) = chunk.notes
    assert synced.resources is None and synced.attributes is None


def test_application_data_values_only_when_asked(shard, token):
    app_data = Types.LazyMap(fullMap={"app.key": "value"})
    shard.create_note(token, attributes=Types.NoteAttributes(applicationData=app_data))

    (keys,) = shard.full_sync(token)
    (full,) = shard.full_sync(token, includeNoteApplicationDataFullMap=True)

    assert keys.notes[0].attributes.applicationData == Types.LazyMap(
        keysOnly={"app.key"}
    )
    assert full.notes[0].attributes.applicationData.fullMap == {"app.key": "value"}


def test_updated_resource_syncs_as_a_standalone_resource(shard, token):
    note = shard.note_with_resources(token, b"scan")
    after = shard.update_count(token)
    res = note.resources[0]
    res.attributes = Types.ResourceAttributes(fileName="scan.png")

    usn = shard.service.updateResource(token, res)
    (chunk,) = shard.full_sync(token, after_usn=after)

    assert chunk.notes is None
    assert [(r.guid, r.updateSequenceNum) for r in chunk.resources] == [(res.guid, usn)]
    assert chunk.resources[0].attributes.fileName == "scan.png"
    assert chunk.resources[0].data.body is None


def test_get_sync_chunk_full_sync_only_leaves_out_expunged_and_resources(shard, token):
    note = shard.note_with_resources(token, b"scan")
    shard.service.updateResource(token, note.resources[0])
    doomed = shard.create_note(token)
    shard.service.expungeNote(token, doomed.guid)

    full = shard.service.getSyncChunk(token, 0, 100, True)
    incremental = shard.service.getSyncChunk(token, 0, 100, False)

    assert full.expungedNotes is None and full.resources is None
    assert full.notes[0].resources[0].guid == note.resources[0].guid
    assert incremental.expungedNotes == [doomed.guid]
    assert [r.guid for r in incremental.resources] == [note.resources[0].guid]
    assert full.chunkHighUSN == incremental.chunkHighUSN == full.updateCount


def test_require_note_content_class_matches_exactly_or_by_prefix(shard, token):
    for content_class in ("evernote.food", "evernote.food.meal", "other.app"):
        shard.create_note(
            token,
            title=content_class,
            attributes=Types.NoteAttributes(contentClass=content_class),
        )
    shard.create_note(token, title="plain")

    (exact,) = shard.full_sync(token, requireNoteContentClass="evernote.food")
    (prefix,) = shard.full_sync(token, requireNoteContentClass="evernote.*")

    assert [n.title for n in exact.notes] == ["evernote.food"]
    assert [n.title for n in prefix.notes] == ["evernote.food", "evernote.food.meal"]
    assert exact.chunkHighUSN == exact.updateCount


def test_notebook_guids_filter_limits_notes_and_notebooks(shard, token):
    travel = shard.service.createNotebook(token, Types.Notebook(name="Travel"))
    shard.create_note(token, title="home")
    shard.create_note(token, title="away", notebookGuid=travel.guid)

    (chunk,) = shard.full_sync(
        token, includeExpunged=False, notebookGuids={travel.guid}
    )

    assert [n.title for n in chunk.notes] == ["away"]
    assert [nb.guid for nb in chunk.notebooks] == [travel.guid]


def test_notebook_guids_with_include_expunged_is_a_conflict(shard, token):
    chunk_filter = NoteStore.SyncChunkFilter(
        includeNotes=True,
        includeExpunged=True,
        notebookGuids={shard.service.getDefaultNotebook(token).guid},
    )

    raises_user_error(
        CODES.DATA_CONFLICT,
        "notebookFilter",
        shard.service.getFilteredSyncChunk,
        token,
        0,
        10,
        chunk_filter,
    )


def test_default_notebook_change_syncs_both_notebooks(shard, token):
    old = shard.service.getDefaultNotebook(token)
    after = shard.update_count(token)

    new = shard.service.createNotebook(
        token, Types.Notebook(name="Inbox", defaultNotebook=True)
    )
    (chunk,) = shard.full_sync(token, after_usn=after)

    defaults = {nb.guid: nb.defaultNotebook for nb in chunk.notebooks}
    assert defaults == {old.guid: False, new.guid: True}
    assert new.updateSequenceNum == chunk.updateCount


def test_linked_notebooks_are_an_empty_list(shard, token):
    assert shard.service.listLinkedNotebooks(token) == []


# Isolation and cost -------------------------------------------------------------


def test_sync_shows_nothing_of_another_user(shard, token, other_token):
    populate(shard, token)

    chunks = shard.full_sync(other_token)

    seen = all_entries(chunks)
    assert [kind for _, kind, _ in seen] == ["notebook"]
    assert chunks[-1].updateCount == 1


def test_a_chunk_costs_a_fixed_number_of_queries(shard, token):
    # No query per note: tags and resources are read for the whole chunk.
    for i in range(40):
        shard.note_with_resources(token, f"body {i}".encode(), tagNames=[f"t{i}"])
    statements = []
    shard.storage._db.set_trace_callback(statements.append)

    shard.full_sync(token, max_entries=250)

    shard.storage._db.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 12


def test_sync_notes_match_get_note(shard, token):
    note = shard.note_with_resources(
        token,
        b"a",
        b"b",
        tagNames=["x", "y"],
        attributes=Types.NoteAttributes(author="me"),
    )

    (chunk,) = shard.full_sync(token)

    fetched = shard.get_note(token, note.guid, False, False, False, False)
    assert chunk.notes == [fetched]
    assert fetched.updated == NOW_MS


def test_chunks_are_capped_whatever_the_client_asks(shard, token, monkeypatch):
    monkeypatch.setattr(sync_module, "MAX_CHUNK_ENTRIES", 2)
    for i in range(3):
        shard.create_note(token, title=f"n{i}")

    chunks = shard.full_sync(token, max_entries=100)

    assert [len(entries(chunk)) for chunk in chunks] == [2, 2]
    assert chunks[-1].chunkHighUSN == chunks[-1].updateCount
