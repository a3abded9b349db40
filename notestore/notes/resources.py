"""Resources: reading them one at a time, and changing their metadata.

A resource's body never changes under its GUID through these calls: a new
body is a new resource, added with updateNote. `updateResource` changes
metadata only and gives the resource (not its note) a new USN; sync then
delivers it in ``SyncChunk.resources``.
"""

import json

from notestore import errors, validation
from notestore.notes import convert
from notestore.notes.base import check, check_guid, record
from notestore.notes.noteinput import check_resource_attributes
from notestore.notes.notereads import recognition_text

__all__ = ["ResourcesMixin"]


class ResourcesMixin:
    def getResource(
        self,
        authenticationToken,
        guid,
        withData,
        withRecognition,
        withAttributes,
        withAlternateData,
    ):
        account = self._account(authenticationToken)
        row = self._resource_row(account, guid)
        flags = (withData, withRecognition, withAlternateData)
        bodies = self._bodies([guid], flags)
        return convert.resource(row, bodies.get(guid), attributes=bool(withAttributes))

    def getResourceByHash(
        self,
        authenticationToken,
        noteGuid,
        contentHash,
        withData,
        withRecognition,
        withAlternateData,
    ):
        account = self._account(authenticationToken)
        if not noteGuid:
            raise errors.user_error("DATA_REQUIRED", "Note.guid")
        if not contentHash:
            raise errors.user_error("DATA_REQUIRED", "Note.contentHash")
        if not validation.is_guid(noteGuid):
            raise errors.not_found("Note", noteGuid)
        if self._storage.note_meta(account["user_id"], noteGuid) is None:
            raise errors.not_found("Note", noteGuid)
        row = self._storage.resource_by_hash(
            account["user_id"], noteGuid, bytes(contentHash)
        )
        if row is None:
            raise errors.not_found("Resource", bytes(contentHash).hex())
        bodies = self._bodies(
            [row["guid"]], (withData, withRecognition, withAlternateData)
        )
        return convert.resource(row, bodies.get(row["guid"]))

    def getResourceData(self, authenticationToken, guid):
        return self._resource_body(authenticationToken, guid, "body", "Resource.guid")

    def getResourceRecognition(self, authenticationToken, guid):
        return self._resource_body(
            authenticationToken, guid, "recognition", "Resource.recognition"
        )

    def getResourceAlternateData(self, authenticationToken, guid):
        return self._resource_body(
            authenticationToken, guid, "alternate", "Resource.alternateData"
        )

    def getResourceAttributes(self, authenticationToken, guid):
        account = self._account(authenticationToken)
        row = self._resource_row(account, guid)
        return convert.resource_attributes(row["attributes"])

    def getResourceSearchText(self, authenticationToken, guid):
        account = self._account(authenticationToken)
        self._resource_row(account, guid)
        bodies = self._storage.resource_bodies([guid], ("recognition",))
        recognition = bodies[guid]["recognition"] if guid in bodies else None
        return recognition_text(recognition)

    def _resource_body(self, token, guid, column, missing):
        account = self._account(token)
        self._resource_row(account, guid)
        bodies = self._storage.resource_bodies([guid], (column,))
        body = bodies[guid][column] if guid in bodies else None
        if body is None:
            raise errors.not_found(missing, guid)
        return bytes(body)

    def updateResource(self, authenticationToken, resource):
        user_id = self._authenticate(authenticationToken)
        if resource is None:
            raise errors.user_error("DATA_REQUIRED", "Resource")
        check_guid(resource.guid, "Resource.guid")
        if resource.mime is not None:
            check(validation.check_mime, resource.mime)
        if resource.attributes is not None:
            check_resource_attributes(resource.attributes)
        with self._write_lock:
            account = self._account_of(user_id)
            row = self._resource_row(account, resource.guid)
            attributes = None
            if resource.attributes is not None:
                stored = json.loads(row["attributes"]).get("applicationData")
                attributes = convert.attributes_dict(resource.attributes, stored)
            return self._put_resource(
                account,
                row,
                mime=resource.mime,
                width=resource.width,
                height=resource.height,
                duration=resource.duration,
                attributes=attributes,
            )

    def _put_resource(self, account, row, **changes):
        """Write the resource's metadata with ``changes`` (None: unchanged)."""
        usn = account["update_count"] + 1
        entry = {
            "guid": row["guid"],
            "usn": usn,
            "mime": row["mime"],
            "width": row["width"],
            "height": row["height"],
            "duration": row["duration"],
            "attributes": json.loads(row["attributes"]),
        }
        entry.update({k: v for k, v in changes.items() if v is not None})
        self._write(record("put_resource", account, usn, resource=entry))
        return usn
