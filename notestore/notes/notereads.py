"""Reading notes: getNote and its relatives, versions, search text.

Resource bodies leave the shard only when the call asks for them; every
other read carries their hash and size alone.
"""

import html
import re

from notestore import enml, errors
from notestore.edam import NoteStore
from notestore.notes import convert
from notestore.notes.base import check_guid

__all__ = ["NoteReadsMixin", "recognition_text"]

_BODY_COLUMNS = ("body", "recognition", "alternate")
# A recognition index lists each candidate word as <t w="weight">word</t>.
_RECOGNITION_WORD = re.compile(rb"<t\b[^>]*>([^<]*)</t>")
_TOKEN = re.compile(r"\w+")


class NoteReadsMixin:
    def getNote(
        self,
        authenticationToken,
        guid,
        withContent,
        withResourcesData,
        withResourcesRecognition,
        withResourcesAlternateData,
    ):
        account = self._account(authenticationToken)
        row = self._note_row(account, guid, content=bool(withContent))
        flags = (
            withResourcesData,
            withResourcesRecognition,
            withResourcesAlternateData,
        )
        return self._full_note(row, bool(withContent), flags)

    def getNoteWithResultSpec(self, authenticationToken, guid, resultSpec):
        account = self._account(authenticationToken)
        spec = resultSpec or NoteStore.NoteResultSpec()
        row = self._note_row(account, guid, content=bool(spec.includeContent))
        flags = (
            spec.includeResourcesData,
            spec.includeResourcesRecognition,
            spec.includeResourcesAlternateData,
        )
        return self._full_note(
            row,
            bool(spec.includeContent),
            flags,
            note_values=bool(spec.includeNoteAppDataValues),
            resource_values=bool(spec.includeResourceAppDataValues),
        )

    def getNoteContent(self, authenticationToken, guid):
        account = self._account(authenticationToken)
        return self._note_row(account, guid)["content"]

    def getNoteSearchText(
        self, authenticationToken, guid, noteOnly, tokenizeForIndexing
    ):
        account = self._account(authenticationToken)
        row = self._note_row(account, guid)
        parts = [enml.validate_enml(row["content"]).plain_text]
        if not noteOnly:
            resources = self._storage.note_resources(guid)
            bodies = self._storage.resource_bodies(
                [r["guid"] for r in resources], ("recognition",)
            )
            parts.extend(recognition_text(b["recognition"]) for b in bodies.values())
        text = " ".join(part for part in parts if part)
        return " ".join(_TOKEN.findall(text)) if tokenizeForIndexing else text

    def getNoteTagNames(self, authenticationToken, guid):
        account = self._account(authenticationToken)
        self._note_row(account, guid, content=False)
        return self._storage.note_tag_names(guid)

    # Versions

    def listNoteVersions(self, authenticationToken, noteGuid):
        account = self._account(authenticationToken)
        self._note_row(account, noteGuid, content=False)
        return [_version_id(row) for row in self._storage.note_versions(noteGuid)]

    def getNoteVersion(
        self,
        authenticationToken,
        noteGuid,
        updateSequenceNum,
        withResourcesData,
        withResourcesRecognition,
        withResourcesAlternateData,
    ):
        account = self._account(authenticationToken)
        self._note_row(account, noteGuid, content=False)
        row = self._storage.note_version(noteGuid, updateSequenceNum)
        if row is None:
            raise errors.not_found("Note.updateSequenceNumber", str(updateSequenceNum))
        flags = (
            withResourcesData,
            withResourcesRecognition,
            withResourcesAlternateData,
        )
        return self._version_note(noteGuid, row, flags)

    def _version_note(self, note_guid, row, flags):
        snapshot = convert.snapshot(row["snapshot"])
        resources = [
            {**resource, "note_guid": note_guid} for resource in snapshot["resources"]
        ]
        bodies = self._version_bodies(note_guid, resources, flags)
        note_row = {
            **snapshot,
            "guid": note_guid,
            "title": row["title"],
            "updated": row["updated"],
            "usn": row["usn"],
        }
        return convert.note(
            note_row,
            snapshot["tag_guids"],
            [convert.resource(r, bodies.get(r["guid"])) for r in resources],
            content=snapshot["content"],
            attributes=convert.note_attributes(snapshot["attributes"]),
        )

    def _version_bodies(self, note_guid, resources, flags):
        # Bodies are kept with the note's current resources only: a version
        # gets them while the same resource, with the same body, is there.
        current = {
            row["guid"]: bytes(row["body_hash"])
            for row in self._storage.note_resources(note_guid)
        }
        same = [
            r["guid"] for r in resources if current.get(r["guid"]) == r["body_hash"]
        ]
        return self._bodies(same, flags)

    # Shared by the note and resource calls

    def _note_metadata(self, account, guid):
        """What create, update and copy return: everything but bodies."""
        row = self._storage.note_meta(account["user_id"], guid)
        return self._full_note(row, False, (False, False, False))

    def _full_note(
        self, row, with_content, flags, note_values=False, resource_values=False
    ):
        guid = row["guid"]
        rows = self._storage.note_resources(guid)
        bodies = self._bodies([r["guid"] for r in rows], flags)
        resources = [
            convert.resource(r, bodies.get(r["guid"]), full_map=resource_values)
            for r in rows
        ]
        return convert.note(
            row,
            self._storage.note_tag_guids(guid),
            resources,
            content=row["content"] if with_content else None,
            attributes=convert.note_attributes(row["attributes"], note_values),
        )

    def _batch_notes(
        self,
        rows,
        resources=True,
        attributes=True,
        note_values=False,
        resource_values=False,
    ):
        """Notes (no content, no bodies) for many rows in three queries."""
        guids = [row["guid"] for row in rows]
        tag_guids = self._storage.tag_guids_of(guids)
        stored = self._storage.resources_of(guids) if resources else {}
        return [
            convert.note(
                row,
                tag_guids.get(row["guid"]),
                [
                    convert.resource(r, full_map=resource_values)
                    for r in stored.get(row["guid"], ())
                ],
                attributes=(
                    convert.note_attributes(row["attributes"], note_values)
                    if attributes
                    else None
                ),
            )
            for row in rows
        ]

    def _bodies(self, guids, flags):
        columns = tuple(
            name for name, on in zip(_BODY_COLUMNS, flags, strict=True) if on
        )
        if not guids or not columns:
            return {}
        return self._storage.resource_bodies(guids, columns)

    def _resource_row(self, account, guid):
        check_guid(guid, "Resource.guid")
        row = self._storage.resource(account["user_id"], guid)
        return self._found(row, "Resource.guid", guid)


def recognition_text(recognition):
    """The words of a recognition index (XML bytes), space-separated."""
    if not recognition:
        return ""
    words = _RECOGNITION_WORD.findall(bytes(recognition))
    return " ".join(html.unescape(w.decode("utf-8", "replace")) for w in words)


def _version_id(row):
    return NoteStore.NoteVersionId(
        updateSequenceNum=row["usn"],
        updated=row["updated"],
        saved=row["saved"],
        title=row["title"],
    )
