"""Search: findNotesMetadata, findNotes, findNoteOffset, findNoteCounts.

The index and the query planner are ``shard.search``; this module checks
the filter and the page, and turns the matching GUIDs into EDAM structs,
a page at a time in a fixed number of queries.
"""

from notestore import errors, validation
from notestore.edam import NoteStore
from notestore.notes import convert
from notestore.notes.base import check, check_guid

__all__ = ["FindingMixin", "MAX_PAGE_NOTES"]

# The most notes one findNotesMetadata or findNotes call returns, as on
# Evernote's service; totalNotes tells the client to page for the rest.
MAX_PAGE_NOTES = 250


class FindingMixin:
    def findNotesMetadata(
        self, authenticationToken, filter, offset, maxNotes, resultSpec
    ):
        account = self._account(authenticationToken)
        self._check_filter(account, filter)
        _check_page(offset, maxNotes)
        result = self._find(account, filter, offset, maxNotes)
        spec = resultSpec or NoteStore.NotesMetadataResultSpec()
        return NoteStore.NotesMetadataList(
            startIndex=offset,
            totalNotes=result.total,
            notes=self._metadata(account, result.guids, spec),
            stoppedWords=result.stopped_words,
            searchedWords=result.searched_words,
            updateCount=account["update_count"],
        )

    def findNotes(self, authenticationToken, filter, offset, maxNotes):
        """1.25: whole Notes (no content, no bodies) instead of metadata."""
        account = self._account(authenticationToken)
        self._check_filter(account, filter)
        _check_page(offset, maxNotes)
        result = self._find(account, filter, offset, maxNotes)
        rows = self._rows_in_order(account, result.guids)
        return NoteStore.NoteList(
            startIndex=offset,
            totalNotes=result.total,
            notes=self._batch_notes(rows),
            stoppedWords=result.stopped_words,
            searchedWords=result.searched_words,
            updateCount=account["update_count"],
        )

    def findNoteOffset(self, authenticationToken, filter, guid):
        """The note's position among the filter's matches, or -1."""
        account = self._account(authenticationToken)
        self._check_filter(account, filter)
        self._note_row(account, guid, content=False)
        result = self._find(account, filter, 0, None)
        try:
            return result.guids.index(guid)
        except ValueError:
            return -1

    def findNoteCounts(self, authenticationToken, filter, withTrash):
        account = self._account(authenticationToken)
        self._check_filter(account, filter)
        notebooks, tags, trash = self._storage.count_notes(
            account["user_id"], filter, bool(withTrash), self._now_ms()
        )
        return NoteStore.NoteCollectionCounts(
            notebookCounts=notebooks, tagCounts=tags, trashCount=trash
        )

    def _find(self, account, note_filter, offset, max_notes):
        if max_notes is not None:
            max_notes = min(max_notes, MAX_PAGE_NOTES)
        return self._storage.find_notes(
            account["user_id"], note_filter, self._now_ms(), offset, max_notes
        )

    def _check_filter(self, account, note_filter):
        if note_filter is None:
            return
        if note_filter.words is not None:
            check(validation.check_search_query, note_filter.words, "NoteFilter.words")
        if note_filter.notebookGuid is not None:
            check_guid(note_filter.notebookGuid, "NoteFilter.notebookGuid")
            notebook = self._storage.notebook(
                account["user_id"], note_filter.notebookGuid
            )
            self._found(notebook, "Notebook.guid", note_filter.notebookGuid)
        for tag_guid in note_filter.tagGuids or ():
            check_guid(tag_guid, "NoteFilter.tagGuids")

    def _rows_in_order(self, account, guids):
        rows = self._storage.notes_meta_of(account["user_id"], guids)
        return [rows[guid] for guid in guids if guid in rows]

    def _metadata(self, account, guids, spec):
        rows = self._rows_in_order(account, guids)
        tag_guids = {}
        if spec.includeTagGuids:
            tag_guids = self._storage.tag_guids_of(guids)
        largest = {}
        if spec.includeLargestResourceMime or spec.includeLargestResourceSize:
            largest = _largest_resources(self._storage.resources_of(guids))
        return [
            _note_metadata(row, spec, tag_guids.get(row["guid"]), largest)
            for row in rows
        ]


def _check_page(offset, max_notes):
    # EDAM: both between 0 and EDAM_USER_NOTES_MAX.
    for value, parameter in ((offset, "offset"), (max_notes, "maxNotes")):
        if value is None or not 0 <= value <= validation.EDAM_USER_NOTES_MAX:
            raise errors.user_error("BAD_DATA_FORMAT", parameter)


def _largest_resources(resources_by_note):
    largest = {}
    for note_guid, rows in resources_by_note.items():
        biggest = max(rows, key=lambda row: row["body_size"])
        largest[note_guid] = (biggest["mime"], biggest["body_size"])
    return largest


def _note_metadata(row, spec, tag_guids, largest):
    guid = row["guid"]
    mime, size = largest.get(guid, (None, None))
    fields = {
        "title": row["title"],
        "contentLength": row["content_length"],
        "created": row["created"],
        "updated": row["updated"],
        "deleted": row["deleted"],
        "updateSequenceNum": row["usn"],
        "notebookGuid": row["notebook_guid"],
        "tagGuids": tag_guids,
        "largestResourceMime": mime,
        "largestResourceSize": size,
    }
    wanted = {
        name: value
        for name, value in fields.items()
        if getattr(spec, "include" + name[0].upper() + name[1:], False)
    }
    if spec.includeAttributes:
        wanted["attributes"] = convert.note_attributes(row["attributes"])
    return NoteStore.NoteMetadata(guid=guid, **wanted)
