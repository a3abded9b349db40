"""Sync: the account's changes after a USN, a chunk at a time.

Every object carries the USN of its last change and every expunged GUID is
kept with the USN of its expunging, so "what changed after N" is one
indexed range read per kind, merged in USN order. Each object appears once,
in its current state, at its latest USN.

A chunk holds at most ``maxEntries`` objects. Each kind is read up to
``maxEntries + 1`` rows: if the merged rows overflow, the chunk ends at its
last object's USN and more follow; if not, the reads saw everything up to
the update count, and ``chunkHighUSN`` is the update count even when the
last USNs belong to kinds the filter leaves out (wire.md: clients that
never ask for tags would otherwise loop).
"""

import dataclasses

from notestore import errors
from notestore.edam import NoteStore
from notestore.notes import convert

__all__ = ["MAX_CHUNK_ENTRIES", "SyncMixin"]

# The most entries a chunk holds, whatever a client asks: EDAM lets the
# service return fewer, and one call must not build an account's worth of
# structs while the shard's other calls wait.
MAX_CHUNK_ENTRIES = 1000


@dataclasses.dataclass(frozen=True)
class _Spec:
    """What a chunk includes: a SyncChunkFilter in plain form."""

    notes: bool = False
    note_resources: bool = False
    note_attributes: bool = False
    notebooks: bool = False
    tags: bool = False
    searches: bool = False
    resources: bool = False
    expunged: bool = False
    note_values: bool = False
    resource_values: bool = False
    note_resource_values: bool = False
    content_class: str | None = None
    notebook_guids: frozenset | None = None

    @classmethod
    def from_filter(cls, chunk_filter):
        if chunk_filter is None:
            return cls()
        if chunk_filter.notebookGuids and chunk_filter.includeExpunged:
            # 1.29: expunged GUIDs cannot be told apart by notebook.
            raise errors.user_error("DATA_CONFLICT", "notebookFilter")
        guids = chunk_filter.notebookGuids
        return cls(
            notes=bool(chunk_filter.includeNotes),
            note_resources=bool(chunk_filter.includeNoteResources),
            note_attributes=bool(chunk_filter.includeNoteAttributes),
            notebooks=bool(chunk_filter.includeNotebooks),
            tags=bool(chunk_filter.includeTags),
            searches=bool(chunk_filter.includeSearches),
            resources=bool(chunk_filter.includeResources),
            expunged=bool(chunk_filter.includeExpunged),
            note_values=bool(chunk_filter.includeNoteApplicationDataFullMap),
            resource_values=bool(chunk_filter.includeResourceApplicationDataFullMap),
            note_resource_values=bool(
                chunk_filter.includeNoteResourceApplicationDataFullMap
            ),
            content_class=chunk_filter.requireNoteContentClass or None,
            notebook_guids=frozenset(guids) if guids else None,
        )

    @classmethod
    def everything(cls, full_sync_only):
        """What 1.25's getSyncChunk sends: a full sync leaves out expunged
        GUIDs and standalone resources, which the notes carry anyway."""
        return cls(
            notes=True,
            note_resources=True,
            note_attributes=True,
            notebooks=True,
            tags=True,
            searches=True,
            resources=not full_sync_only,
            expunged=not full_sync_only,
        )

    @property
    def note_filter(self):
        return self.notebook_guids, self.content_class

    def expunged_kinds(self):
        if not self.expunged:
            return ()
        kinds = (
            ("note", self.notes),
            ("notebook", self.notebooks),
            ("tag", self.tags),
            ("search", self.searches),
        )
        return tuple(kind for kind, wanted in kinds if wanted)


class SyncMixin:
    def getSyncState(self, authenticationToken):
        account = self._account(authenticationToken)
        return NoteStore.SyncState(
            currentTime=self._now_ms(),
            fullSyncBefore=account["full_sync_before"],
            updateCount=account["update_count"],
            uploaded=self._uploaded(account["user_id"]),
        )

    def getSyncStateWithMetrics(self, authenticationToken, clientMetrics):
        return self.getSyncState(authenticationToken)

    def getSyncChunk(self, authenticationToken, afterUSN, maxEntries, fullSyncOnly):
        account = self._account(authenticationToken)
        _check_range(afterUSN, maxEntries)
        spec = _Spec.everything(bool(fullSyncOnly))
        return self._sync_chunk(account, afterUSN, maxEntries, spec)

    def getFilteredSyncChunk(self, authenticationToken, afterUSN, maxEntries, filter):
        account = self._account(authenticationToken)
        _check_range(afterUSN, maxEntries)
        spec = _Spec.from_filter(filter)
        return self._sync_chunk(account, afterUSN, maxEntries, spec)

    def listLinkedNotebooks(self, authenticationToken):
        self._account(authenticationToken)
        return []

    def _sync_chunk(self, account, after_usn, max_entries, spec):
        max_entries = min(max_entries, MAX_CHUNK_ENTRIES)
        update_count = account["update_count"]
        entries = self._changes(account["user_id"], after_usn, max_entries, spec)
        if len(entries) > max_entries:
            entries = entries[:max_entries]
            high_usn = entries[-1][0]
        else:
            high_usn = update_count if after_usn < update_count else None
        chunk = NoteStore.SyncChunk(
            currentTime=self._now_ms(),
            chunkHighUSN=high_usn,
            updateCount=update_count,
        )
        self._fill(chunk, account, entries, spec)
        return chunk

    def _changes(self, user_id, after_usn, max_entries, spec):
        """(usn, kind, row) of every included change, in USN order."""
        storage = self._storage
        args = (user_id, after_usn, max_entries + 1)
        entries = []
        if spec.notes:
            entries += _kind("note", storage.changed_notes(*args, spec.note_filter))
        if spec.notebooks:
            rows = storage.changed_notebooks(*args, spec.notebook_guids)
            entries += _kind("notebook", rows)
        if spec.tags:
            entries += _kind("tag", storage.changed_tags(*args))
        if spec.searches:
            entries += _kind("search", storage.changed_searches(*args))
        if spec.resources:
            rows = storage.changed_resources(*args, spec.note_filter)
            entries += _kind("resource", rows)
        kinds = spec.expunged_kinds()
        if kinds:
            entries += _kind("expunged", storage.expunged_since(*args, kinds))
        entries.sort(key=lambda entry: entry[0])
        return entries

    def _fill(self, chunk, account, entries, spec):
        rows = {}
        for _, kind, row in entries:
            rows.setdefault(kind, []).append(row)
        default_guid = account["default_notebook"]
        chunk.notes = (
            self._batch_notes(
                rows.get("note", ()),
                resources=spec.note_resources,
                attributes=spec.note_attributes,
                note_values=spec.note_values,
                resource_values=spec.note_resource_values,
            )
            or None
        )
        chunk.notebooks = [
            convert.notebook(row, default_guid) for row in rows.get("notebook", ())
        ] or None
        chunk.tags = [convert.tag(row) for row in rows.get("tag", ())] or None
        chunk.searches = [convert.search(row) for row in rows.get("search", ())] or None
        chunk.resources = [
            convert.resource(row, full_map=spec.resource_values)
            for row in rows.get("resource", ())
        ] or None
        for kind, field in _EXPUNGED_FIELDS:
            guids = [r["guid"] for r in rows.get("expunged", ()) if r["kind"] == kind]
            setattr(chunk, field, guids or None)


_EXPUNGED_FIELDS = (
    ("note", "expungedNotes"),
    ("notebook", "expungedNotebooks"),
    ("tag", "expungedTags"),
    ("search", "expungedSearches"),
)


def _kind(kind, rows):
    return [(row["usn"], kind, row) for row in rows]


def _check_range(after_usn, max_entries):
    if after_usn is None or after_usn < 0:
        raise errors.user_error("BAD_DATA_FORMAT", "afterUSN")
    if max_entries is None or max_entries < 1:
        raise errors.user_error("BAD_DATA_FORMAT", "maxEntries")
