"""Application data: the per-application key/value maps on notes and resources.

Setting or removing an entry changes the object, so it takes a new USN
(a note's ``updated`` time stays: the user edited nothing). Removing an
absent key changes nothing and writes nothing.
"""

import json

from notestore import errors, validation
from notestore.edam import Types
from notestore.notes.base import record
from notestore.notes.noteinput import check_app_data_entry

__all__ = ["AppDataMixin"]


class AppDataMixin:
    # Notes

    def getNoteApplicationData(self, authenticationToken, guid):
        account = self._account(authenticationToken)
        row = self._note_row(account, guid, content=False)
        return _full_map(row)

    def getNoteApplicationDataEntry(self, authenticationToken, guid, key):
        account = self._account(authenticationToken)
        row = self._note_row(account, guid, content=False)
        return _entry(row, key, "NoteAttributes.applicationData.key")

    def setNoteApplicationDataEntry(self, authenticationToken, guid, key, value):
        user_id = self._authenticate(authenticationToken)
        check_app_data_entry("Note", key, value)
        with self._write_lock:
            account = self._account_of(user_id)
            row = self._note_row(account, guid, content=False)
            attributes = _with_entry(row, key, value, "Note")
            return self._put_note_attributes(account, row, attributes)

    def unsetNoteApplicationDataEntry(self, authenticationToken, guid, key):
        user_id = self._authenticate(authenticationToken)
        with self._write_lock:
            account = self._account_of(user_id)
            row = self._note_row(account, guid, content=False)
            attributes = _without_entry(row, key)
            if attributes is None:
                return row["usn"]
            return self._put_note_attributes(account, row, attributes)

    def _put_note_attributes(self, account, row, attributes):
        usn = account["update_count"] + 1
        entry = self._row_entry(row, usn)
        entry["attributes"] = attributes
        self._write(record("put_note", account, usn, note=entry))
        return usn

    # Resources

    def getResourceApplicationData(self, authenticationToken, guid):
        account = self._account(authenticationToken)
        return _full_map(self._resource_row(account, guid))

    def getResourceApplicationDataEntry(self, authenticationToken, guid, key):
        account = self._account(authenticationToken)
        row = self._resource_row(account, guid)
        return _entry(row, key, "ResourceAttributes.applicationData.key")

    def setResourceApplicationDataEntry(self, authenticationToken, guid, key, value):
        user_id = self._authenticate(authenticationToken)
        check_app_data_entry("Resource", key, value)
        with self._write_lock:
            account = self._account_of(user_id)
            row = self._resource_row(account, guid)
            attributes = _with_entry(row, key, value, "Resource")
            return self._put_resource(account, row, attributes=attributes)

    def unsetResourceApplicationDataEntry(self, authenticationToken, guid, key):
        user_id = self._authenticate(authenticationToken)
        with self._write_lock:
            account = self._account_of(user_id)
            row = self._resource_row(account, guid)
            attributes = _without_entry(row, key)
            if attributes is None:
                return row["usn"]
            return self._put_resource(account, row, attributes=attributes)


def _entries(row):
    attributes = json.loads(row["attributes"])
    return attributes, dict(attributes.get("applicationData", {}).get("fullMap", {}))


def _full_map(row):
    _, entries = _entries(row)
    return Types.LazyMap(keysOnly=set(entries), fullMap=entries)


def _entry(row, key, identifier):
    _, entries = _entries(row)
    if key not in entries:
        raise errors.not_found(identifier, key)
    return entries[key]


def _with_entry(row, key, value, kind):
    attributes, entries = _entries(row)
    entries[key] = value
    if len(entries) > validation.EDAM_ATTRIBUTE_MAP_MAX:
        raise errors.user_error("LIMIT_REACHED", f"{kind}Attribute.applicationData")
    attributes["applicationData"] = {"fullMap": entries}
    return attributes


def _without_entry(row, key):
    """The attributes without ``key``, or None when it is not there."""
    attributes, entries = _entries(row)
    if key not in entries:
        return None
    del entries[key]
    if entries:
        attributes["applicationData"] = {"fullMap": entries}
    else:
        del attributes["applicationData"]
    return attributes
