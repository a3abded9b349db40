"""findNotesMetadata, findNotes, findNoteOffset, findNoteCounts.

The grammar and the planner are tested in test_search*.py; here, the EDAM
calls on top of them, and that every write keeps the index current.
"""

import pytest
from noteshard import (
    CODES,
    MISSING_GUID,
    enml,
    media,
    raises_not_found,
    raises_user_error,
)

from notestore import validation
from notestore.edam import NoteStore, Types
from notestore.notes import finding as finding_module

pytestmark = pytest.mark.timeout(30)

UPDATED = Types.NoteSortOrder.UPDATED
TITLE = Types.NoteSortOrder.TITLE


def find(shard, token, words=None, offset=0, max_notes=100, spec=None, **fields):
    note_filter = NoteStore.NoteFilter(words=words, **fields)
    spec = spec or NoteStore.NotesMetadataResultSpec(includeTitle=True)
    return shard.service.findNotesMetadata(token, note_filter, offset, max_notes, spec)


def titles(shard, token, words=None, **fields):
    fields.setdefault("order", TITLE)
    fields.setdefault("ascending", True)
    return [n.title for n in find(shard, token, words, **fields).notes]


@pytest.fixture
def kitchen(shard, token):
    """A few notes about food in two notebooks, one in the trash."""
    recipes = shard.service.createNotebook(token, Types.Notebook(name="Recipes"))
    made = {"recipes": recipes}
    for i, (title, body, tags) in enumerate(
        [
            ("Apple pie", "sweet apple dessert", ["baking"]),
            ("Potato soup", "warm potato dinner", ["dinner"]),
            ("Apple salad", "fresh apple lunch", ["lunch", "baking"]),
        ]
    ):
        shard.clock.now_s += 1
        made[title] = shard.create_note(
            token,
            title=title,
            content=enml(body),
            tagNames=tags,
            notebookGuid=recipes.guid if i != 1 else None,
        )
    shard.clock.now_s += 1
    trashed = shard.create_note(token, title="Old apple", content=enml("apple"))
    shard.service.deleteNote(token, trashed.guid)
    made["trashed"] = trashed
    return made


# findNotesMetadata ------------------------------------------------------------


def test_words_find_matching_notes_with_totals(shard, token, kitchen):
    result = find(shard, token, "apple", order=TITLE, ascending=True)

    assert [n.title for n in result.notes] == ["Apple pie", "Apple salad"]
    assert (result.startIndex, result.totalNotes) == (0, 2)
    assert result.searchedWords == ["apple"]
    assert result.updateCount == shard.update_count(token)


def test_paging_with_offset_and_max_notes(shard, token, kitchen):
    first = find(shard, token, offset=0, max_notes=2, order=TITLE, ascending=True)
    second = find(shard, token, offset=2, max_notes=2, order=TITLE, ascending=True)

    assert [n.title for n in first.notes] == ["Apple pie", "Apple salad"]
    assert [n.title for n in second.notes] == ["Potato soup"]
    assert first.totalNotes == second.totalNotes == 3
    assert second.startIndex == 2


def test_result_spec_is_honoured(shard, token, kitchen):
    note = kitchen["Apple pie"]
    spec = NoteStore.NotesMetadataResultSpec(
        includeTitle=True,
        includeContentLength=True,
        includeCreated=True,
        includeUpdated=True,
        includeUpdateSequenceNum=True,
        includeNotebookGuid=True,
        includeTagGuids=True,
        includeAttributes=True,
    )

    (full,) = find(shard, token, "dessert", spec=spec).notes
    (bare,) = find(
        shard, token, "dessert", spec=NoteStore.NotesMetadataResultSpec()
    ).notes

    assert full == NoteStore.NoteMetadata(
        guid=note.guid,
        title=note.title,
        contentLength=note.contentLength,
        created=note.created,
        updated=note.updated,
        updateSequenceNum=note.updateSequenceNum,
        notebookGuid=note.notebookGuid,
        tagGuids=note.tagGuids,
        attributes=Types.NoteAttributes(),
    )
    assert bare == NoteStore.NoteMetadata(guid=note.guid)


def test_largest_resource_in_metadata(shard, token):
    note = shard.note_with_resources(token, b"small", b"the largest one")
    spec = NoteStore.NotesMetadataResultSpec(
        includeLargestResourceMime=True, includeLargestResourceSize=True
    )

    (found,) = find(shard, token, spec=spec).notes

    assert found.guid == note.guid
    assert (found.largestResourceMime, found.largestResourceSize) == ("image/png", 15)


def test_notebook_tag_and_trash_filters(shard, token, kitchen):
    baking = kitchen["Apple pie"].tagGuids[0]

    assert titles(shard, token, notebookGuid=kitchen["recipes"].guid) == [
        "Apple pie",
        "Apple salad",
    ]
    assert titles(shard, token, tagGuids=[baking]) == ["Apple pie", "Apple salad"]
    assert titles(shard, token, inactive=True) == ["Old apple"]
    assert titles(shard, token, "tag:dinner") == ["Potato soup"]
    assert titles(shard, token, 'notebook:"Recipes" -tag:lunch') == ["Apple pie"]


def test_order_updated_descending_by_default(shard, token, kitchen):
    result = find(shard, token, order=UPDATED)

    assert [n.title for n in result.notes] == [
        "Apple salad",
        "Potato soup",
        "Apple pie",
    ]


@pytest.mark.parametrize(
    "offset, max_notes, parameter",
    [
        (-1, 10, "offset"),
        (validation.EDAM_USER_NOTES_MAX + 1, 10, "offset"),
        (0, -1, "maxNotes"),
        (0, validation.EDAM_USER_NOTES_MAX + 1, "maxNotes"),
    ],
)
def test_page_outside_the_limits_is_bad_data_format(
    shard, token, offset, max_notes, parameter
):
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        parameter,
        find,
        shard,
        token,
        offset=offset,
        max_notes=max_notes,
    )


def test_max_notes_zero_gives_the_total_only(shard, token, kitchen):
    result = find(shard, token, max_notes=0)

    assert (result.notes, result.totalNotes) == ([], 3)


@pytest.mark.parametrize(
    "fields, parameter",
    [
        ({"notebookGuid": "bad"}, "NoteFilter.notebookGuid"),
        ({"tagGuids": ["bad"]}, "NoteFilter.tagGuids"),
        ({"words": "x" * 1025}, "NoteFilter.words"),
    ],
)
def test_malformed_filter_is_bad_data_format(shard, token, fields, parameter):
    note_filter = NoteStore.NoteFilter(**fields)
    spec = NoteStore.NotesMetadataResultSpec()
    service = shard.service

    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        parameter,
        service.findNotesMetadata,
        token,
        note_filter,
        0,
        10,
        spec,
    )
    raises_user_error(
        CODES.BAD_DATA_FORMAT, parameter, service.findNoteCounts, token, note_filter, 0
    )


def test_unknown_notebook_in_the_filter_is_not_found(shard, token):
    note_filter = NoteStore.NoteFilter(notebookGuid=MISSING_GUID)

    raises_not_found(
        "Notebook.guid", shard.service.findNotesMetadata, token, note_filter, 0, 1, None
    )
    raises_not_found(
        "Notebook.guid", shard.service.findNoteCounts, token, note_filter, False
    )
    raises_not_found(
        "Notebook.guid", shard.service.findNoteOffset, token, note_filter, MISSING_GUID
    )


def test_no_filter_lists_every_active_note(shard, token, kitchen):
    result = shard.service.findNotesMetadata(token, None, 0, 10, None)

    assert result.totalNotes == 3
    assert all(n.title is None for n in result.notes)


# findNotes, findNoteOffset, findNoteCounts -------------------------------------


def test_find_notes_returns_notes_without_content(shard, token, kitchen):
    note_filter = NoteStore.NoteFilter(words="apple", order=TITLE, ascending=True)

    result = shard.service.findNotes(token, note_filter, 0, 10)

    assert [n.title for n in result.notes] == ["Apple pie", "Apple salad"]
    assert all(n.content is None for n in result.notes)
    assert result.notes[0].tagGuids == kitchen["Apple pie"].tagGuids
    assert result.totalNotes == 2 and result.updateCount == shard.update_count(token)


def test_find_note_offset(shard, token, kitchen):
    note_filter = NoteStore.NoteFilter(order=TITLE, ascending=True)
    service = shard.service

    assert service.findNoteOffset(token, note_filter, kitchen["Potato soup"].guid) == 2
    assert service.findNoteOffset(token, note_filter, kitchen["trashed"].guid) == -1
    raises_not_found(
        "Note.guid", service.findNoteOffset, token, note_filter, MISSING_GUID
    )


def test_find_note_counts(shard, token, kitchen):
    recipes = kitchen["recipes"].guid
    baking = kitchen["Apple pie"].tagGuids[0]
    default = shard.service.getDefaultNotebook(token).guid

    counts = shard.service.findNoteCounts(token, NoteStore.NoteFilter(), True)
    apple = shard.service.findNoteCounts(
        token, NoteStore.NoteFilter(words="apple"), False
    )

    assert counts.notebookCounts == {recipes: 2, default: 1}
    assert counts.tagCounts[baking] == 2
    assert counts.trashCount == 1
    assert apple.notebookCounts == {recipes: 2}
    assert apple.trashCount is None


# The index follows every write ------------------------------------------------


def test_index_follows_updates_renames_and_expunges(shard, token, kitchen):
    service = shard.service
    pie = kitchen["Apple pie"]

    service.updateNote(token, Types.Note(guid=pie.guid, title="Cherry pie"))
    baking = service.getTag(token, pie.tagGuids[0])
    service.updateTag(token, Types.Tag(guid=baking.guid, name="oven"))
    service.expungeNote(token, kitchen["Apple salad"].guid)
    copy = service.copyNote(token, kitchen["Potato soup"].guid, pie.notebookGuid)

    assert titles(shard, token, "cherry") == ["Cherry pie"]
    assert titles(shard, token, "intitle:apple") == []
    assert titles(shard, token, "salad") == []
    assert titles(shard, token, "tag:oven") == ["Cherry pie"]
    assert titles(shard, token, "potato") == ["Potato soup", "Potato soup"]
    assert copy.guid in [n.guid for n in find(shard, token, "potato").notes]


def test_index_follows_trash_untag_and_notebook_expunge(shard, token, kitchen):
    service = shard.service
    service.untagAll(token, kitchen["Potato soup"].tagGuids[0])
    service.deleteNote(token, kitchen["Apple pie"].guid)
    service.expungeNotebook(token, kitchen["recipes"].guid)

    assert titles(shard, token, "tag:dinner") == []
    assert titles(shard, token) == ["Potato soup"]
    assert titles(shard, token, inactive=True) == [
        "Apple pie",
        "Apple salad",
        "Old apple",
    ]


def test_resource_recognition_is_searchable(shard, token):
    recognition = b'<recoIndex><item><t w="90">invoice</t></item></recoIndex>'
    shard.create_note(
        token,
        title="Scan",
        content=enml(media(b"img")),
        resources=[
            Types.Resource(
                mime="image/png",
                data=Types.Data(body=b"img"),
                recognition=Types.Data(body=recognition),
            )
        ],
    )

    assert titles(shard, token, "invoice") == ["Scan"]
    assert titles(shard, token, "resource:image/png") == ["Scan"]


# Isolation --------------------------------------------------------------------


def test_search_sees_only_the_callers_notes(shard, token, other_token, kitchen):
    service = shard.service
    recipes = kitchen["recipes"].guid

    assert find(shard, other_token, "apple").totalNotes == 0
    counts = service.findNoteCounts(other_token, NoteStore.NoteFilter(), True)
    assert (counts.notebookCounts, counts.tagCounts, counts.trashCount) == ({}, {}, 0)
    raises_not_found(
        "Notebook.guid",
        find,
        shard,
        other_token,
        notebookGuid=recipes,
    )
    raises_not_found(
        "Note.guid",
        service.findNoteOffset,
        other_token,
        NoteStore.NoteFilter(),
        kitchen["Apple pie"].guid,
    )


def test_pages_are_capped_whatever_the_client_asks(shard, token, kitchen, monkeypatch):
    monkeypatch.setattr(finding_module, "MAX_PAGE_NOTES", 2)

    result = find(shard, token, max_notes=100)

    assert (len(result.notes), result.totalNotes) == (2, 3)
